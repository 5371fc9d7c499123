//! What rustls hands rs2n's shared hooks during one processing step of one
//! connection: the secrets its key log sees (for `s2n_config_set_key_log_cb` and
//! `s2n_connection_get_master_secret`) and the OCSP response the server stapled.
//!
//! rustls' key log and certificate verifier belong to configs shared by many
//! connections and are called with no connection at hand, inside the processing
//! of one connection's bytes on that connection's thread. The connection opens a
//! step ([`within`]) around that processing; the hooks write into it; the
//! connection takes what was captured when the step ends.

use std::cell::RefCell;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, SignatureVerificationAlgorithm, UnixTime};
use zeroize::Zeroizing;

use crate::ocsp::{self, Issuer};

/// What the connection wants from this step's OCSP hook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Keep a stapled response (the client asked for one, as s2n would have).
    pub ocsp_requested: bool,
    /// Check a kept response (when the server's chain is verified).
    pub check_ocsp: bool,
}

/// The labels s2n logs, in the NSS key log format. rustls' other labels (the early
/// exporter secret) are not logged, as in s2n.
pub const CLIENT_RANDOM: &str = "CLIENT_RANDOM";
const TLS13_LABELS: [&str; 6] = [
    "CLIENT_EARLY_TRAFFIC_SECRET",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
    "EXPORTER_SECRET",
];

/// One secret rustls logged. Wiped when dropped; never printed.
pub struct Secret {
    pub label: &'static str,
    /// Public (sent in the clear in the hello): kept in place, no heap block.
    pub client_random: [u8; 32],
    /// On the heap, so moving the `Secret` leaves no copy of it behind.
    pub secret: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}, <redacted>)", self.label)
    }
}

impl Secret {
    /// The NSS key log line, as s2n writes it: `LABEL <client random> <secret>`,
    /// both in lowercase hex, without a newline.
    pub fn line(&self) -> Zeroizing<Vec<u8>> {
        let mut line = Zeroizing::new(Vec::with_capacity(
            self.label.len() + 2 + 2 * (self.client_random.len() + self.secret.len()),
        ));
        line.extend_from_slice(self.label.as_bytes());
        line.push(b' ');
        push_hex(&mut line, &self.client_random);
        line.push(b' ');
        push_hex(&mut line, &self.secret);
        line
    }
}

fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
}

/// What one step captured.
#[derive(Debug, Default)]
pub struct Captured {
    /// The TLS1.2 master secret (CLIENT_RANDOM), at most one per handshake: kept
    /// apart, so a TLS1.2 step needs no list.
    pub master: Option<Secret>,
    /// The TLS1.3 secrets, when the application logs keys.
    pub secrets: Vec<Secret>,
    /// The stapled OCSP response, when the connection asked for one.
    pub ocsp_response: Option<Vec<u8>>,
}

struct Step {
    policy: Policy,
    captured: Captured,
}

// A thread-local with a destructor: at thread exit it may be gone, and nothing is
// captured then.
thread_local! {
    static CURRENT: RefCell<Option<Step>> = const { RefCell::new(None) };
}

/// Runs `f` (rustls processing one connection's bytes) as a step with `policy`, and
/// returns what the hooks captured in it.
pub fn within<T>(policy: Policy, f: impl FnOnce() -> T) -> (T, Captured) {
    let step = Step {
        policy,
        captured: Captured::default(),
    };
    let previous = CURRENT
        .try_with(|c| c.borrow_mut().replace(step))
        .ok()
        .flatten();
    let out = f();
    let captured = CURRENT
        .try_with(|c| std::mem::replace(&mut *c.borrow_mut(), previous))
        .ok()
        .flatten()
        .map(|s| s.captured)
        .unwrap_or_default();
    (out, captured)
}

fn with_step<T>(f: impl FnOnce(&mut Step) -> T) -> Option<T> {
    CURRENT
        .try_with(|c| c.try_borrow_mut().ok()?.as_mut().map(f))
        .ok()
        .flatten()
}

/// rustls' key log for every rs2n config: keeps the TLS1.2 master secret always
/// (for `s2n_connection_get_master_secret`), the TLS1.3 secrets s2n logs only when
/// the application set a key log callback (`all`).
#[derive(Debug)]
pub struct KeyCapture {
    pub all: bool,
}

impl KeyCapture {
    fn label(&self, label: &str) -> Option<&'static str> {
        if label == CLIENT_RANDOM {
            return Some(CLIENT_RANDOM);
        }
        match self.all {
            true => TLS13_LABELS.into_iter().find(|l| *l == label),
            false => None,
        }
    }
}

impl rustls::KeyLog for KeyCapture {
    fn will_log(&self, label: &str) -> bool {
        self.label(label).is_some()
    }

    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let Some(label) = self.label(label) else {
            return;
        };
        // A TLS client random is 32 bytes.
        let Ok(client_random) = <[u8; 32]>::try_from(client_random) else {
            return;
        };
        with_step(|s| {
            let secret = Secret {
                label,
                client_random,
                secret: Zeroizing::new(secret.to_vec()),
            };
            match label {
                CLIENT_RANDOM => s.captured.master = Some(secret),
                _ => s.captured.secrets.push(secret),
            }
        });
    }
}

/// The key log for a rustls config; `all` when the application logs keys.
pub fn key_log(all: bool) -> Arc<dyn rustls::KeyLog> {
    Arc::new(KeyCapture { all })
}

/// What the check of a stapled response needs: the server's certificate, its
/// issuer on the verified path, the time, the signature algorithms.
pub struct Stapled<'a> {
    pub leaf: &'a CertificateDer<'a>,
    pub issuer: &'a Issuer,
    pub now: UnixTime,
    pub algs: &'static [&'static dyn SignatureVerificationAlgorithm],
}

/// The client verifier's hook for the server's stapled OCSP response (empty: none).
/// Kept if the connection asked for one, and then validated, as s2n does, when the
/// chain was verified (`check`) and the connection checks responses. Outside a
/// step, ignored.
pub fn stapled(response: &[u8], check: Option<Stapled<'_>>) -> Result<(), rustls::Error> {
    if response.is_empty() {
        return Ok(());
    }
    let validate = with_step(|s| {
        if !s.policy.ocsp_requested {
            // As an s2n client that did not ask: no response, nothing checked.
            return false;
        }
        s.captured.ocsp_response = Some(response.to_vec());
        s.policy.check_ocsp
    });
    match (validate, check) {
        (Some(true), Some(c)) => {
            ocsp::validate_for_rustls(response, c.leaf, c.issuer, c.now, c.algs)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use rustls::KeyLog;

    use super::*;

    #[test]
    fn lines_are_s2n_nss_lines() {
        let s = Secret {
            label: CLIENT_RANDOM,
            client_random: [0xab; 32],
            secret: Zeroizing::new(vec![0x0f; 48]),
        };
        let line = s.line();
        let text = std::str::from_utf8(&line).unwrap();
        assert_eq!(
            text,
            format!("CLIENT_RANDOM {} {}", "ab".repeat(32), "0f".repeat(48))
        );
        assert!(!format!("{s:?}").contains("0f"), "never printed");
    }

    #[test]
    fn key_capture_keeps_what_s2n_logs_inside_a_step_only() {
        let some = KeyCapture { all: false };
        let all = KeyCapture { all: true };
        assert!(some.will_log(CLIENT_RANDOM) && !some.will_log("EXPORTER_SECRET"));
        assert!(all.will_log("EXPORTER_SECRET") && !all.will_log("EARLY_EXPORTER_SECRET"));
        // Outside a step nothing is kept (and nothing fails).
        all.log(CLIENT_RANDOM, &[1; 32], &[2; 48]);
        let ((), captured) = within(Policy::default(), || {
            all.log("SERVER_TRAFFIC_SECRET_0", &[1; 32], &[3; 32]);
            some.log("SERVER_TRAFFIC_SECRET_0", &[1; 32], &[3; 32]);
            some.log(CLIENT_RANDOM, &[1; 32], &[2; 48]);
        });
        let labels: Vec<_> = captured.secrets.iter().map(|s| s.label).collect();
        assert_eq!(labels, ["SERVER_TRAFFIC_SECRET_0"]);
        let master = captured.master.unwrap();
        assert_eq!(master.label, CLIENT_RANDOM);
        assert_eq!(*master.secret, vec![2; 48]);
        // A client random of another length is no TLS one: nothing is kept.
        let ((), captured) = within(Policy::default(), || {
            some.log(CLIENT_RANDOM, &[1; 31], &[2; 48])
        });
        assert!(captured.master.is_none());
    }

    #[test]
    fn stapled_responses_follow_the_policy() {
        let run = |policy: Policy| within(policy, || stapled(b"response", None));
        // Not asked for: ignored.
        let (r, c) = run(Policy::default());
        assert!(r.is_ok() && c.ocsp_response.is_none());
        // Asked for: kept (checked only with a verified chain: see ocsp's tests).
        let asked = Policy {
            ocsp_requested: true,
            check_ocsp: true,
        };
        let (r, c) = run(asked);
        assert!(r.is_ok());
        assert_eq!(c.ocsp_response.as_deref(), Some(&b"response"[..]));
        // No response: nothing.
        let (r, c) = within(asked, || stapled(b"", None));
        assert!(r.is_ok() && c.ocsp_response.is_none());
    }
}
