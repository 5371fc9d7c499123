//! Client sessions: what `s2n_connection_get_session` hands out and
//! `s2n_connection_set_session` takes back, and rustls' `ClientSessionStore` for one
//! connection.
//!
//! rustls 0.23 cannot serialize a client session (no codec, no public constructor:
//! rustls issue 2287), so the bytes an application holds are an opaque, versioned,
//! authenticated reference (see [`super::session_bytes`]) into a registry in this
//! process. They resume in the process that got them; from another process, or
//! after a restart, they are accepted and the handshake is a full one; this
//! process's bytes that were altered are rejected. A TLS1.3 session resumes once
//! (rustls' sessions are single-use, as RFC 8446 recommends); a TLS1.2 session can
//! be reused.
//!
//! The registry holds at most [`REGISTRY_CAPACITY`] sessions: when full, expired
//! ones go first, then the oldest (see [`super::session_registry`]). Each session
//! keeps the rustls config that received it alive, since rustls resumes a session
//! only under the very certificate verifier that accepted it: so a session still
//! resumes after its config was freed, on a new config with the same trust.

use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;
use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

use super::session_bytes;
pub use super::session_bytes::SessionRef;
use super::session_registry::Registry;
use crate::error::Result;
use crate::sync;

/// Sessions the registry keeps at most.
pub(crate) const REGISTRY_CAPACITY: usize = 16 * 1024;

enum Stored {
    Tls12(Tls12ClientSessionValue),
    Tls13(Tls13ClientSessionValue),
}

/// A session and what we learned of it when it arrived (so offering it needs no
/// look inside rustls' value).
struct Entry {
    stored: Stored,
    has_ticket: bool,
    /// None until asked for (TLS1.3: reading it from rustls costs ~10 µs, too
    /// much for every ticket).
    lifetime_secs: Option<u32>,
    /// Keeps the verifier that accepted the session alive (rustls holds it only
    /// weakly), so the shared verifier cache still hands it to new configs.
    _config: Arc<rustls::ClientConfig>,
}

static REGISTRY: Lazy<Mutex<Registry<Entry>>> =
    Lazy::new(|| Mutex::new(Registry::new(REGISTRY_CAPACITY)));

fn registry() -> MutexGuard<'static, Registry<Entry>> {
    sync::lock(&REGISTRY)
}

/// Forgets every client session of the process (`s2n_cleanup_final`): bytes saved
/// from them no longer resume (a full handshake), and their memory is released.
pub fn forget_all_sessions() {
    let old = std::mem::replace(&mut *registry(), Registry::new(REGISTRY_CAPACITY));
    drop(old); // outside the lock
}

/// A field of rustls' `Debug` form of a session, up to the next separator.
fn debug_field<'a>(debug: &'a str, name: &str) -> Option<&'a str> {
    let start = debug.find(name)? + name.len();
    let rest = &debug[start..];
    let end = rest.find([',', ' ', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// What rustls shows of a session only through `Debug`: its ticket's length and
/// lifetime. Pinned by tests against the locked rustls version.
fn debug_facts(debug: &str) -> (usize, u32) {
    let ticket_len = debug_field(debug, "ticket: ").map_or(0, |hex| hex.len() / 2);
    let lifetime = debug_field(debug, "lifetime_secs: ")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticket_len, lifetime)
}

/// Collects a `Debug` form only up to the lifetime: the ticket and lifetime come
/// before the server's certificate chain, which costs ~15 µs to format in full.
#[derive(Default)]
struct UntilLifetime {
    text: String,
    /// Where the lifetime's digits start, once the field name was written.
    digits_at: Option<usize>,
}

const LIFETIME_FIELD: &str = "lifetime_secs: ";

impl std::fmt::Write for UntilLifetime {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let from = self.text.len().saturating_sub(LIFETIME_FIELD.len());
        self.text.push_str(s);
        if self.digits_at.is_none() {
            self.digits_at = self.text[from..]
                .find(LIFETIME_FIELD)
                .map(|at| from + at + LIFETIME_FIELD.len());
        }
        match self.digits_at {
            // Stop once something other than the lifetime's digits follows it.
            Some(at) if self.text[at..].contains(|c: char| !c.is_ascii_digit()) => {
                Err(std::fmt::Error)
            }
            _ => Ok(()),
        }
    }
}

/// The ticket length and lifetime of a rustls session, cheaply.
fn session_facts(value: &dyn std::fmt::Debug) -> (usize, u32) {
    let mut w = UntilLifetime::default();
    let _ = std::fmt::write(&mut w, format_args!("{value:?}"));
    debug_facts(&w.text)
}

/// A session as the application sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The bytes for `s2n_connection_set_session`.
    pub bytes: Vec<u8>,
    /// The ticket's lifetime hint in seconds, if known yet (see [`SessionInfo::lifetime`]).
    pub lifetime_secs: Option<u32>,
    /// Whether the session came with a ticket (TLS1.3 always; TLS1.2 if the server
    /// sent one) rather than a session ID alone.
    pub has_ticket: bool,
    /// s2n's number of the protocol version (33 or 34).
    pub protocol: u8,
}

impl SessionInfo {
    /// The ticket's lifetime hint, in seconds (0 for a session-ID session, or a
    /// session no longer in this process).
    pub fn lifetime(&self) -> u32 {
        self.lifetime_secs
            .unwrap_or_else(|| lifetime_of(&self.bytes))
    }
}

/// The lifetime of a registered session, read from rustls the first time it is asked.
fn lifetime_of(bytes: &[u8]) -> u32 {
    let Ok(SessionRef {
        handle: Some(handle),
        ..
    }) = parse_session(bytes)
    else {
        return 0;
    };
    let mut r = registry();
    let Some(entry) = r.get_mut(&handle) else {
        return 0;
    };
    if let Some(l) = entry.lifetime_secs {
        return l;
    }
    let (_, lifetime) = match &entry.stored {
        Stored::Tls12(v) => session_facts(v),
        Stored::Tls13(v) => session_facts(v),
    };
    entry.lifetime_secs = Some(lifetime);
    r.learned_lifetime(&handle, lifetime);
    lifetime
}

/// Stores a session; its bytes, or None if it could not be stored (no randomness).
fn register(entry: Entry, protocol: u8, now_secs: u64) -> Option<Vec<u8>> {
    let lifetime_secs = entry.lifetime_secs.unwrap_or(0);
    let handle = session_bytes::new_handle()?;
    let bytes = session_bytes::encode(&handle, protocol, lifetime_secs, now_secs)?;
    // A random 128-bit handle is never taken in practice; if it is, no session.
    registry()
        .insert(handle, entry, now_secs, lifetime_secs)
        .then_some(bytes)
}

/// Checks session bytes. Malformed bytes, and bytes of this process that do not
/// authenticate, are an error (as s2n rejects them); well-formed bytes from another
/// process are accepted and resume nothing.
pub fn parse_session(bytes: &[u8]) -> Result<SessionRef> {
    session_bytes::parse(bytes)
}

/// What the connection read of its cleartext handshake (see [`ConnSessions::note_wire`]).
#[derive(Clone, Debug, Default)]
pub struct WireFacts {
    pub client_session_id: Vec<u8>,
    pub server_session_id: Vec<u8>,
    pub tls12_ticket: Option<(u32, bool)>,
}

impl WireFacts {
    fn tls12_resumed(&self) -> bool {
        !self.server_session_id.is_empty() && self.server_session_id == self.client_session_id
    }
}

/// Receives what rustls reports while a connection runs.
#[derive(Default)]
struct State {
    offered12: Option<Tls12ClientSessionValue>,
    /// What this connection's cleartext handshake showed: the session IDs of the
    /// ClientHello and ServerHello (equal and non-empty: a TLS1.2 resumption) and
    /// the TLS1.2 NewSessionTicket's lifetime and whether it held a ticket.
    wire: WireFacts,
    offered13: Option<Tls13ClientSessionValue>,
    latest: Option<SessionInfo>,
    /// Tickets received and not yet reported to the application's callback.
    pending: Vec<SessionInfo>,
    kx_hint: Option<NamedGroup>,
    tls12_ticket_received: bool,
}

/// One client connection's session store: offers the session the application set,
/// and registers each new session rustls receives.
pub struct ConnSessions {
    state: Mutex<State>,
    tickets_on: bool,
    clock: crate::clock::SharedClock,
    /// The connection's base rustls config, kept alive by the sessions it receives.
    config: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for ConnSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnSessions").finish_non_exhaustive()
    }
}

impl ConnSessions {
    /// `config` is the rustls config (without this store) the connection is built from.
    pub fn new(
        tickets_on: bool,
        clock: crate::clock::SharedClock,
        config: Arc<rustls::ClientConfig>,
    ) -> Self {
        ConnSessions {
            state: Mutex::new(State::default()),
            tickets_on,
            clock,
            config,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        sync::lock(&self.state)
    }

    /// Offers a session on the next handshake. A TLS1.3 session is taken out of
    /// the registry (single use); bytes that name nothing here offer nothing.
    pub fn offer(&self, session: &SessionRef, bytes: &[u8]) {
        let Some(handle) = session.handle else { return };
        let mut r = registry();
        let mut s = self.state();
        match r.get(&handle) {
            Some(Entry {
                stored: Stored::Tls12(v),
                has_ticket,
                lifetime_secs,
                ..
            }) => {
                s.offered12 = Some(v.clone());
                // A TLS1.2 session stays what get_session returns until a new one.
                s.latest = Some(SessionInfo {
                    bytes: bytes.to_vec(),
                    lifetime_secs: *lifetime_secs,
                    has_ticket: *has_ticket,
                    protocol: 33,
                });
            }
            Some(Entry {
                stored: Stored::Tls13(_),
                ..
            }) => {
                if let Some(Entry {
                    stored: Stored::Tls13(v),
                    ..
                }) = r.take(&handle)
                {
                    s.offered13 = Some(v);
                }
            }
            None => {}
        }
    }

    /// Whether this connection received a TLS1.2 ticket.
    pub fn tls12_ticket_received(&self) -> bool {
        self.state().tls12_ticket_received
    }

    /// The most recent session, for `s2n_connection_get_session`.
    pub fn latest(&self) -> Option<SessionInfo> {
        self.state().latest.clone()
    }

    /// Tickets received since the last call, for the ticket callback.
    pub fn take_pending(&self) -> Vec<SessionInfo> {
        std::mem::take(&mut self.state().pending)
    }

    fn now_secs(&self) -> u64 {
        self.clock
            .now_nanos()
            .map(|n| n / 1_000_000_000)
            .unwrap_or(0)
    }

    /// Records what the connection read of its cleartext handshake; called before
    /// rustls processes the bytes it was read from.
    pub fn note_wire(&self, facts: WireFacts) {
        self.state().wire = facts;
    }

    fn received(&self, stored: Stored, protocol: u8, has_ticket: bool, lifetime_secs: Option<u32>) {
        let entry = Entry {
            stored,
            has_ticket,
            lifetime_secs,
            _config: self.config.clone(),
        };
        let bytes = register(entry, protocol, self.now_secs());
        let mut s = self.state();
        s.tls12_ticket_received |= has_ticket && protocol == 33;
        // Not stored (no randomness): nothing to hand out.
        let Some(bytes) = bytes else { return };
        let info = SessionInfo {
            bytes,
            lifetime_secs,
            has_ticket,
            protocol,
        };
        if info.has_ticket {
            s.pending.push(info.clone());
        }
        s.latest = Some(info);
    }
}

impl ClientSessionStore for ConnSessions {
    fn set_kx_hint(&self, _: ServerName<'static>, group: NamedGroup) {
        self.state().kx_hint = Some(group);
    }

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        self.state().kx_hint
    }

    /// A TLS1.2 session, after a full handshake or (rustls saves it again) a
    /// resumption. The facts come from the cleartext handshake, not from `value`.
    fn set_tls12_session(&self, _: ServerName<'static>, value: Tls12ClientSessionValue) {
        let wire = self.state().wire.clone();
        let (lifetime, has_ticket) = match wire.tls12_ticket {
            Some((lifetime, true)) => (lifetime, true),
            _ => (0, false),
        };
        if wire.tls12_resumed() && !has_ticket {
            // The resumed session, saved again: nothing new.
            return;
        }
        self.received(Stored::Tls12(value), 33, has_ticket, Some(lifetime));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.state().offered12.clone()
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {
        self.state().offered12 = None;
    }

    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        if !self.tickets_on {
            return;
        }
        // A TLS1.3 session always has a ticket; its lifetime is read when asked.
        self.received(Stored::Tls13(value), 34, true, None);
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.state().offered13.take()
    }
}

/// The store as rustls wants it; with `tls12_tickets` off the client neither asks
/// for TLS1.2 tickets (no session_ticket extension) nor accepts one (rustls then
/// refuses a NewSessionTicket as unexpected).
pub fn resumption(store: Arc<ConnSessions>, tls12_tickets: bool) -> rustls::client::Resumption {
    let tls12 = if tls12_tickets {
        rustls::client::Tls12Resumption::SessionIdOrTickets
    } else {
        rustls::client::Tls12Resumption::SessionIdOnly
    };
    rustls::client::Resumption::store(store).tls12_resumption(tls12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_facts_reads_rustls_fields() {
        let d = "Tls13ClientSessionValue { suite: X, common: ClientSessionCommon { ticket: 0a0b0c, epoch: 5, lifetime_secs: 7200, server_cert_chain: [] } }";
        assert_eq!(debug_facts(d), (3, 7200));
        assert_eq!(
            debug_facts("ClientSessionCommon { ticket: , epoch: 1, lifetime_secs: 0 }"),
            (0, 0)
        );
    }

    #[test]
    fn until_lifetime_stops_after_the_lifetime() {
        // Read through Debug only, like rustls' own type.
        #[allow(dead_code)]
        #[derive(Debug)]
        struct Common {
            ticket: &'static str,
            epoch: u64,
            lifetime_secs: u32,
            server_cert_chain: &'static str,
        }
        let v = Common {
            ticket: "ab",
            epoch: 5,
            lifetime_secs: 7200,
            server_cert_chain: "a very long chain",
        };
        let mut w = UntilLifetime::default();
        let _ = std::fmt::write(&mut w, format_args!("{v:?}"));
        assert!(w.text.contains("lifetime_secs: 7200"));
        assert!(!w.text.contains("very long"));
        assert_eq!(debug_field(&w.text, "lifetime_secs: "), Some("7200"));
    }

    mod end_to_end {
        use std::sync::Arc;

        use crate::certs::testing::cert_file;
        use crate::config::Config;
        use crate::connection::testing::{client_config, handshake, pair, server_config};
        use crate::connection::{Connection, Mode};
        use crate::error::ErrorCode;
        use crate::resumption::session_bytes::testing::{foreign_bytes, forged_bytes};
        use crate::resumption::session_bytes::SESSION_LEN;

        fn configs(policy: &str) -> (Arc<Config>, Arc<Config>) {
            let server = server_config(policy);
            server.set_session_tickets(true).unwrap();
            server.add_ticket_key(b"session-bytes", b"k", 0).unwrap();
            let client = client_config(policy);
            client.set_session_tickets(true).unwrap();
            (server, client)
        }

        /// A connection offering `session`; whether it resumed, and its session.
        fn connect(server: &Arc<Config>, client: &Arc<Config>, session: &[u8]) -> (bool, Vec<u8>) {
            let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
            if !session.is_empty() {
                c.set_session(session).unwrap();
            }
            handshake(&mut s, &mut c).unwrap();
            // TLS1.3 tickets come after the handshake.
            assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
            (c.is_resumed(), c.session().unwrap().bytes)
        }

        const VERSIONS: [&str; 2] = ["default_tls13", "20240501"];

        #[test]
        fn altered_bytes_never_resume_and_never_consume() {
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                let (_, good) = connect(&server, &client, &[]);
                assert_eq!(good.len(), SESSION_LEN);
                for i in 0..good.len() {
                    let mut b = good.clone();
                    b[i] ^= 0x01;
                    let mut c = Connection::new(Mode::Client);
                    match c.set_session(&b) {
                        Err(e) => assert_eq!(e.code, ErrorCode::InvalidSerializedSession),
                        // Only a changed process tag is accepted: a full handshake.
                        Ok(()) => {
                            assert!((5..21).contains(&i), "{policy}: byte {i} accepted");
                            assert!(!connect(&server, &client, &b).0, "{policy}: byte {i}");
                        }
                    }
                }
                // The session was not used up (TLS1.3 sessions are single-use).
                assert!(connect(&server, &client, &good).0, "{policy}");
            }
        }

        #[test]
        fn a_forged_id_is_rejected_and_consumes_nothing() {
            let (server, client) = configs("default_tls13");
            let (_, first) = connect(&server, &client, &[]);
            let (_, second) = connect(&server, &client, &[]);
            // The next session's bytes with the handle's low bits counted down (the
            // old format's sequential id sat there).
            let mut guess = second.clone();
            guess[28] = guess[28].wrapping_sub(1);
            let handle = super::parse_session(&first).unwrap().handle.unwrap();
            for forged in [guess, forged_bytes(&handle)] {
                let mut c = Connection::new(Mode::Client);
                let e = c.set_session(&forged).unwrap_err();
                assert_eq!(e.code, ErrorCode::InvalidSerializedSession);
            }
            assert!(connect(&server, &client, &first).0);
            assert!(connect(&server, &client, &second).0);
        }

        #[test]
        fn another_process_bytes_give_a_full_handshake() {
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                let protocol = if policy == "default_tls13" { 34 } else { 33 };
                let (resumed, fresh) = connect(&server, &client, &foreign_bytes(protocol, 3600));
                assert!(!resumed, "{policy}");
                assert_eq!(fresh.len(), SESSION_LEN);
            }
        }

        #[test]
        fn a_client_requiring_forward_secrecy_takes_no_tls12_ticket() {
            const SESSION_TICKET_EXT: u16 = 35;
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                client.require_ticket_forward_secrecy(true).unwrap();
                let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
                handshake(&mut s, &mut c).unwrap();
                assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
                let asked = s.client_hello().unwrap().has_extension(SESSION_TICKET_EXT);
                let ticket = c.session().is_some_and(|s| s.has_ticket);
                if policy == "default_tls13" {
                    // TLS1.3 keeps forward secrecy through (EC)DHE: it still resumes.
                    assert!(ticket);
                    let saved = c.session().unwrap().bytes;
                    assert!(connect(&server, &client, &saved).0);
                } else {
                    assert!(!asked && !ticket);
                    assert!(c.session_ticket_lifetime_hint().is_err());
                }
            }
            // The control: without the flag, the same TLS1.2 client asks and gets one.
            let (server, client) = configs("20240501");
            let (mut s, mut c, _, _) = pair(server, client);
            handshake(&mut s, &mut c).unwrap();
            assert!(s.client_hello().unwrap().has_extension(SESSION_TICKET_EXT));
            assert!(c.session().unwrap().has_ticket);
        }

        #[test]
        fn a_session_resumes_on_a_new_config_after_the_old_one_was_freed() {
            // Trust settings no other test uses, so no other config keeps their
            // verifier alive.
            let unique_trust = |c: &Config| {
                c.add_pem_to_trust_store(&cert_file("rsa2048_cert.pem"))
                    .unwrap();
            };
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                unique_trust(&client);
                let (_, saved) = connect(&server, &client, &[]);
                // A reload: the only config with these trust settings goes away.
                drop(client);
                let (_, reloaded) = configs(policy);
                unique_trust(&reloaded);
                assert!(connect(&server, &reloaded, &saved).0, "{policy}");
            }
        }
    }
}
