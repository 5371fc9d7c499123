//! The client hello callback through the core connection, as the C layer drives
//! it: the handshake stops when the callback is due, goes on with what it
//! changed, waits in non-blocking mode until done, and fails on a rejection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::testing::{client_config, pair, server_config};
use super::*;
use crate::certs::{testing::cert_file, CertChainAndKey};
use crate::client_hello::callback::{CallbackMode, HelloCallback};
use crate::error::ErrorCode;
use crate::owner::Owner;

/// A callback the test runs by hand (the core never calls it).
struct Counted(AtomicUsize);

impl HelloCallback for Counted {
    fn call(&self, _: Owner) -> i32 {
        self.0.fetch_add(1, Ordering::SeqCst);
        0
    }
}

fn with_callback(config: &Config, mode: CallbackMode) -> Arc<Counted> {
    let cb = Arc::new(Counted(AtomicUsize::new(0)));
    let dyn_cb: Arc<dyn HelloCallback> = cb.clone();
    config
        .update(|s| {
            s.client_hello.callback = Some(dyn_cb);
            s.client_hello.mode = mode;
            Ok(())
        })
        .unwrap();
    cb
}

/// Runs both sides, running the callback (returning `rc`) whenever it is due.
fn drive(s: &mut Connection, c: &mut Connection, rc: i32) -> Result<()> {
    for _ in 0..100 {
        let cr = c.negotiate();
        let mut sr = s.negotiate();
        if let Some((cb, signal)) = s.take_hello_callback() {
            cb.call(Owner::NONE);
            signal.callback_returned(rc);
            sr = s.negotiate();
        }
        match (&cr, &sr) {
            (Ok(()), Ok(())) => return Ok(()),
            (Err(e), _) if !e.is_blocked() => return cr,
            (_, Err(e)) if !e.is_blocked() => return sr,
            (_, Err(_)) if s.blocked() == Blocked::OnApplicationInput => return sr,
            _ => {}
        }
    }
    panic!("handshake did not finish");
}

#[test]
fn the_callback_can_swap_the_config_and_runs_once() {
    let server = server_config("default_tls13");
    let cb = with_callback(&server, CallbackMode::Blocking);
    // The swapped-in config's certificate names only wrong.example.
    let other = Config::new_minimal();
    let mut k = CertChainAndKey::new();
    k.load_pem(
        &cert_file("wrong_name_cert.pem"),
        &cert_file("wrong_name_key.pem"),
    )
    .unwrap();
    other
        .add_cert_chain_and_key(k.certified_key().unwrap())
        .unwrap();
    let other = Arc::new(other);

    let (mut s2, mut c2, _a2, _b2) = pair(server, client_config("default_tls13"));
    c2.set_server_name("wrong.example").unwrap();
    // Run the client and the server until the callback is due.
    assert!(c2.negotiate().unwrap_err().is_blocked());
    let e = s2.negotiate().unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    assert_eq!(s2.blocked(), Blocked::OnApplicationInput);
    let hello = s2.client_hello().expect("the ClientHello is kept").clone();
    assert_eq!(hello.server_name().unwrap(), b"wrong.example");
    let (callback, signal) = s2.take_hello_callback().expect("due");
    assert!(s2.take_hello_callback().is_none(), "taken once");
    callback.call(Owner::NONE);
    // Inside the callback: the config may change although the handshake started.
    s2.set_config(other).unwrap();
    s2.server_name_extension_used().unwrap();
    signal.callback_returned(0);
    drive(&mut s2, &mut c2, 0).unwrap();
    assert_eq!(cb.0.load(Ordering::SeqCst), 1);
    assert!(s2.server_name_used());
    // After it: too late for either.
    assert_eq!(
        s2.server_name_extension_used().unwrap_err().code,
        ErrorCode::InvalidState
    );
}

#[test]
fn non_blocking_waits_for_done_and_rejection_fails_the_handshake() {
    let server = server_config("default_tls13");
    let cb = with_callback(&server, CallbackMode::NonBlocking);
    let (mut s, mut c, _a, _b) = pair(server.clone(), client_config("default_tls13"));
    let e = drive(&mut s, &mut c, 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    for _ in 0..3 {
        assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::AsyncBlocked);
        assert!(s.take_hello_callback().is_none());
    }
    s.hello_signal().done().unwrap();
    drive(&mut s, &mut c, 0).unwrap();
    assert_eq!(cb.0.load(Ordering::SeqCst), 1);

    let (mut s, mut c, _a, _b) = pair(server, client_config("default_tls13"));
    let e = drive(&mut s, &mut c, -1).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert_ne!(s.blocked(), Blocked::OnApplicationInput);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::Cancelled);
}

/// The callback's return and `s2n_client_hello_cb_done` are recorded on the
/// signal, which is used without the connection (the C layer never enters the
/// connection for them: another thread may be in a call on it); the
/// connection takes them in at its next driving call. Until then it reports the
/// callback as running.
#[test]
fn the_callbacks_end_and_done_are_taken_in_at_the_next_driving_call() {
    let server = server_config("default_tls13");
    let cb = with_callback(&server, CallbackMode::NonBlocking);
    let (mut s, mut c, _a, _b) = pair(server.clone(), client_config("default_tls13"));
    let signal = s.hello_signal();
    // Before the ClientHello: nothing to mark done.
    assert_eq!(
        signal.done().unwrap_err().code,
        ErrorCode::AsyncNotPerformed
    );
    assert!(c.negotiate().unwrap_err().is_blocked());
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::AsyncBlocked);
    let (callback, taken) = s.take_hello_callback().expect("due");
    assert!(Arc::ptr_eq(&signal, &taken));
    callback.call(Owner::NONE);
    // Still running as far as the connection knows: driving calls are refused
    // (not blocked: a usage error).
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::InUse);
    assert_eq!(s.blocked(), Blocked::NotBlocked);
    // Returned, and done, neither through the connection.
    taken.callback_returned(0);
    signal.done().unwrap();
    drive(&mut s, &mut c, 0).unwrap();
    assert_eq!(cb.0.load(Ordering::SeqCst), 1);

    // Done from elsewhere after the callback returned without it.
    let (mut s, mut c, _a, _b) = pair(server.clone(), client_config("default_tls13"));
    let e = drive(&mut s, &mut c, 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::AsyncBlocked);
    let signal = s.hello_signal();
    signal.done().unwrap();
    drive(&mut s, &mut c, 0).unwrap();

    // A wipe starts over: the signal is the same (the C handle keeps it), with
    // nothing invoked.
    s.wipe();
    assert!(Arc::ptr_eq(&signal, &s.hello_signal()));
    assert_eq!(
        s.hello_signal().done().unwrap_err().code,
        ErrorCode::AsyncNotPerformed
    );

    // Blocking mode: a rejection recorded on the signal fails the next call.
    let server = server_config("default_tls13");
    with_callback(&server, CallbackMode::Blocking);
    let (mut s, mut c, _a, _b) = pair(server, client_config("default_tls13"));
    assert_eq!(
        s.hello_signal().done().unwrap_err().code,
        ErrorCode::InvalidState
    );
    assert!(c.negotiate().unwrap_err().is_blocked());
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::AsyncBlocked);
    let (callback, signal) = s.take_hello_callback().expect("due");
    callback.call(Owner::NONE);
    signal.callback_returned(-1);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::Cancelled);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::Cancelled);
    // A client has no client hello callback.
    assert_eq!(
        c.hello_signal().done().unwrap_err().code,
        ErrorCode::NotInClientMode
    );
}
