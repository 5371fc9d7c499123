//! What rustls decides inside a handshake without telling: the certificate the
//! server's resolver chose and how the client's server name matched the server's
//! certificates, the signature scheme the server signed with. The resolver, the
//! signing key and the client's verifier are shared by many connections and run
//! inside rustls' processing of one connection's bytes, on that connection's
//! thread, so they note what they see here and the connection takes the notes
//! right after each processing step (`Connection::absorb_notes`).

use std::cell::RefCell;
use std::sync::Arc;

use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;

use crate::x509::NameMatch;

/// What one processing step of one connection learned.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    /// The server's certificate, as added to the config (not the recording copy).
    pub selected: Option<Arc<CertifiedKey>>,
    /// How the client's server name matched the server's certificates; `None`
    /// inside when the client sent none; not noted when the server has only one
    /// certificate (the connection works it out from that one when asked).
    pub name_match: Option<Option<NameMatch>>,
    /// The scheme of the server's handshake signature (CertificateVerify in
    /// TLS1.3, ServerKeyExchange in TLS1.2): chosen by a server, verified by a client.
    pub server_scheme: Option<SignatureScheme>,
}

impl Notes {
    /// Keeps what `later` learned, and what this knew that `later` did not.
    pub fn absorb(&mut self, later: Notes) {
        if later.selected.is_some() {
            self.selected = later.selected;
        }
        if later.name_match.is_some() {
            self.name_match = later.name_match;
        }
        if later.server_scheme.is_some() {
            self.server_scheme = later.server_scheme;
        }
    }
}

// A thread-local with a destructor: at thread exit (a pthread key destructor
// calling rs2n) it may be gone, and notes are then simply not kept.
thread_local! {
    static NOTES: RefCell<Notes> = RefCell::new(Notes::default());
}

/// Notes something for the connection being processed on this thread.
pub fn note(f: impl FnOnce(&mut Notes)) {
    let _ = NOTES.try_with(|n| {
        if let Ok(mut n) = n.try_borrow_mut() {
            f(&mut n);
        }
    });
}

/// Takes this thread's notes, leaving none: called before a connection's bytes are
/// processed (to drop anything stale) and after (to keep what was learned).
pub fn take() -> Notes {
    NOTES
        .try_with(|n| n.try_borrow_mut().map(|mut n| std::mem::take(&mut *n)))
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_taken_once_and_absorbed() {
        let _ = take();
        note(|n| n.server_scheme = Some(SignatureScheme::ED25519));
        let mut kept = Notes {
            name_match: Some(None),
            ..Notes::default()
        };
        kept.absorb(take());
        assert_eq!(kept.server_scheme, Some(SignatureScheme::ED25519));
        assert_eq!(
            kept.name_match,
            Some(None),
            "kept what the later notes lack"
        );
        assert!(take().server_scheme.is_none(), "taken");
    }
}
