//! Handshakes whose server signature the application makes, through the core.

use std::sync::{Arc, Mutex};

use super::*;
use crate::certs::testing::cert_file;
use crate::certs::CertChainAndKey;
use crate::config::Config;
use crate::connection::testing::{client_config, pair};
use crate::connection::{Blocked, Connection};
use crate::error::ErrorCode;
use crate::sync;

/// A callback that keeps the ops it is given.
#[derive(Default)]
struct Keep(Mutex<Vec<PkeyOp>>);

impl AsyncPkeyCallback for Keep {
    fn invoke(&self, _: Owner, op: PkeyOp) -> Result<()> {
        sync::lock(&self.0).push(op);
        Ok(())
    }
}

fn chain(kind: &str, private: bool) -> CertChainAndKey {
    let mut k = CertChainAndKey::new();
    let cert = cert_file(&format!("{kind}_cert.pem"));
    match private {
        true => k.load_pem(&cert, &cert_file(&format!("{kind}_key.pem"))),
        false => k.load_public_pem(&cert),
    }
    .unwrap();
    k
}

/// A server config with `kind`'s chain loaded public only, and its callback.
fn offloading_server(kind: &str, policy: &str, strict: bool) -> (Arc<Config>, Arc<Keep>) {
    let c = Config::new_minimal();
    c.set_cipher_preferences(policy).unwrap();
    c.add_cert_chain_and_key(chain(kind, false).certified_key().unwrap())
        .unwrap();
    let keep = Arc::new(Keep::default());
    let callback: Arc<dyn AsyncPkeyCallback> = keep.clone();
    c.update(|s| {
        s.pkey.callback = Some(callback);
        s.pkey.validation = if strict {
            Validation::Strict
        } else {
            Validation::Fast
        };
        Ok(())
    })
    .unwrap();
    (Arc::new(c), keep)
}

/// Negotiates both sides until the server waits for the application; hands the
/// op over as the api layer would.
fn until_op(s: &mut Connection, c: &mut Connection, keep: &Keep) -> PkeyOp {
    for _ in 0..10 {
        let _ = c.negotiate();
        let e = s.negotiate().unwrap_err();
        if let Some((callback, op)) = s.take_pkey_callback() {
            assert_eq!(e.code, ErrorCode::AsyncBlocked);
            assert_eq!(s.blocked(), Blocked::OnApplicationInput);
            callback.invoke(op.owner(), op).unwrap();
            return sync::lock(&keep.0).pop().unwrap();
        }
        assert!(e.is_blocked(), "{e}");
    }
    panic!("no op");
}

fn finish(s: &mut Connection, c: &mut Connection) -> Result<()> {
    crate::connection::testing::handshake(s, c)
}

#[test]
fn completed_later_from_another_thread_in_tls13_and_tls12_rsa_and_ecdsa() {
    for (kind, policy) in [
        ("ecdsa_p256", "default_tls13"),
        ("rsa2048", "default_tls13"),
        ("ecdsa_p384", "20240501"),
        ("rsa2048", "20240501"),
    ] {
        let (server, keep) = offloading_server(kind, policy, true);
        let (mut s, mut c, _, _) = pair(server, client_config(policy));
        let op = until_op(&mut s, &mut c, &keep);
        assert!(
            s.selected_cert().is_some(),
            "{kind}: the getters work meanwhile"
        );
        // Until applied, the server stays blocked on the application.
        for _ in 0..3 {
            let _ = c.negotiate();
            let e = s.negotiate().unwrap_err();
            assert_eq!(e.code, ErrorCode::AsyncBlocked, "{kind}");
            assert!(s.take_pkey_callback().is_none(), "the callback runs once");
        }
        let key = chain(kind, true).chain_key().unwrap().clone();
        std::thread::spawn(move || {
            op.perform(|s, m| key.sign_now(s, m)).unwrap();
            op.apply(op.owner()).unwrap();
        })
        .join()
        .unwrap();
        finish(&mut s, &mut c).unwrap_or_else(|e| panic!("{kind} {policy}: {e}"));
    }
}

#[test]
fn a_wrong_signature_fails_the_client_or_strict_validation() {
    for strict in [false, true] {
        let (server, keep) = offloading_server("ecdsa_p256", "default_tls13", strict);
        let (mut s, mut c, _, _) = pair(server, client_config("default_tls13"));
        let op = until_op(&mut s, &mut c, &keep);
        op.set_output(b"not a signature");
        match strict {
            true => {
                let e = op.apply(op.owner()).unwrap_err();
                assert_eq!(e.code, ErrorCode::VerifySignature);
                // Given up: the handshake fails cleanly.
                op.abandon();
                let e = s.negotiate().unwrap_err();
                assert_eq!(e.code, ErrorCode::AsyncCallbackFailed, "{e}");
            }
            false => {
                op.apply(op.owner()).unwrap();
                assert!(finish(&mut s, &mut c).is_err(), "the client refuses it");
            }
        }
    }
}

#[test]
fn a_connection_dropped_or_wiped_while_waiting_ends_the_wait() {
    let (server, keep) = offloading_server("rsa2048", "default_tls13", false);
    let (mut s, mut c, _, _) = pair(server.clone(), client_config("default_tls13"));
    let op = until_op(&mut s, &mut c, &keep);
    s.wipe();
    let e = op.apply(op.owner()).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncNotPerformed);
    op.set_output(b"late");
    let e = op.apply(op.owner()).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncWrongConnection);
    let (mut s, mut c, _, _) = pair(server, client_config("default_tls13"));
    let _op = until_op(&mut s, &mut c, &keep);
    drop(s);
}

#[test]
fn verify_after_sign_checks_rs2ns_own_signatures() {
    let c = Config::new_minimal();
    c.add_cert_chain_and_key(chain("ecdsa_p256", true).certified_key().unwrap())
        .unwrap();
    c.update(|s| {
        s.pkey.verify_after_sign = true;
        Ok(())
    })
    .unwrap();
    let (mut s, mut cl, _, _) = pair(Arc::new(c), client_config("default"));
    finish(&mut s, &mut cl).unwrap();
}

#[test]
fn without_a_callback_a_public_only_chain_cannot_sign() {
    let c = Config::new_minimal();
    c.add_cert_chain_and_key(chain("ecdsa_p256", false).certified_key().unwrap())
        .unwrap();
    let (mut s, mut cl, _, _) = pair(Arc::new(c), client_config("default"));
    let e = finish(&mut s, &mut cl).unwrap_err();
    assert_eq!(e.code, ErrorCode::NoCertificate, "{e}");
}
