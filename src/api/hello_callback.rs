//! The client hello callback (`s2n_config_set_client_hello_cb` and its mode,
//! `s2n_client_hello_cb_done`, `s2n_connection_server_name_extension_used`) and the
//! handshake loop that runs it, the async private key and the early-data
//! callbacks: each runs with the connection's lock released, so it can use its
//! connection (read the ClientHello, swap the config...).

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::boundary::{guard, try_ref};
use super::callbacks::{self, ClientHelloFn};
use super::handles::{s2n_config, s2n_connection, with_config, with_conn, ConnectionState};
use super::{
    s2n_client_hello_cb_mode, S2N_CLIENT_HELLO_CB_BLOCKING, S2N_CLIENT_HELLO_CB_NONBLOCKING,
    S2N_SUCCESS,
};
use crate::client_hello::callback::{CallbackMode, HelloCallback};
use crate::connection::HelloSignal;
use crate::early_data::{EarlyDataCallback, Offered};
use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;
use crate::pkey::{AsyncPkeyCallback, PkeyOp};

/// The client hello callback (in C a function type, declared by the header's prelude).
pub type s2n_client_hello_fn =
    Option<unsafe extern "C" fn(conn: *mut s2n_connection, ctx: *mut c_void) -> c_int>;

/// Sets the callback a server runs when it has read the client's first
/// ClientHello, before anything is chosen from it, and its context; NULL removes
/// it. Default: none.
///
/// Inside the callback the application may use its connection: read the
/// ClientHello (`s2n_connection_get_client_hello`, `s2n_get_server_name`), swap
/// the config (`s2n_connection_set_config`: certificates, security policy, ALPN,
/// client authentication...), change the connection's own settings, call
/// `s2n_connection_server_name_extension_used` or `s2n_client_hello_cb_done`.
/// No lock is held while it runs: the connection is only kept from being freed
/// or wiped. Calls that drive or end it (`s2n_negotiate`, `s2n_shutdown`,
/// `s2n_connection_wipe`, `s2n_connection_free`) fail there, and from other
/// threads meanwhile, with S2N_ERR_CONNECTION_IN_USE (`s2n_send` and `s2n_recv`
/// fail as before any handshake).
///
/// The callback returns 0 to go on (in blocking mode a value above 0 also says
/// the server name was used), a negative value to reject the handshake:
/// `s2n_negotiate` then fails with S2N_ERR_CANCELLED after sending a
/// handshake_failure alert. It runs once per handshake, not again for the
/// second ClientHello after a HelloRetryRequest (as in s2n-tls).
///
/// rs2n makes the handshake's rustls connection again after the callback, from
/// the config and settings the connection has then: whatever the callback
/// changed applies to the whole handshake.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_client_hello_cb(
    config: *mut s2n_config,
    client_hello_callback: s2n_client_hello_fn,
    ctx: *mut c_void,
) -> c_int {
    with_config(config, |c| {
        let callback =
            client_hello_callback.map(|f: ClientHelloFn| callbacks::client_hello_callback(f, ctx));
        c.update(|s| {
            s.client_hello.callback = callback;
            Ok(())
        })
    })
}

/// Sets how the client hello callback ends its work. S2N_CLIENT_HELLO_CB_BLOCKING
/// (the default): when it returns. S2N_CLIENT_HELLO_CB_NONBLOCKING: when the
/// application calls `s2n_client_hello_cb_done` (from the callback or later, from
/// any thread); until then `s2n_negotiate` fails with S2N_ERR_ASYNC_BLOCKED and
/// S2N_BLOCKED_ON_APPLICATION_INPUT, and the callback is not run again.
///
/// Errors: NULL config; an unknown mode (S2N_ERR_INVALID_STATE, as s2n-tls).
#[no_mangle]
pub extern "C" fn s2n_config_set_client_hello_cb_mode(
    config: *mut s2n_config,
    cb_mode: s2n_client_hello_cb_mode,
) -> c_int {
    with_config(config, |c| {
        let mode = match cb_mode {
            S2N_CLIENT_HELLO_CB_BLOCKING => CallbackMode::Blocking,
            S2N_CLIENT_HELLO_CB_NONBLOCKING => CallbackMode::NonBlocking,
            other => {
                return Err(Error::new(
                    ErrorCode::InvalidState,
                    format!("unknown client hello callback mode {other}"),
                ))
            }
        };
        c.update(|s| {
            s.client_hello.mode = mode;
            Ok(())
        })
    })
}

/// Marks the non-blocking client hello callback's work as done: the next
/// `s2n_negotiate` goes on with the handshake. May be called from inside the
/// callback, or later from any thread, also while another thread is in a call
/// on the connection (it is recorded without entering the connection).
///
/// Errors: NULL conn; a client connection (S2N_ERR_CLIENT_MODE); a config in
/// blocking mode (S2N_ERR_INVALID_STATE); before the callback has run
/// (S2N_ERR_ASYNC_NOT_PERFORMED).
#[no_mangle]
pub extern "C" fn s2n_client_hello_cb_done(conn: *mut s2n_connection) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle; only its signal is used, never the
        // connection, which may be busy on another thread.
        let handle = unsafe { try_ref(conn, "conn") }?;
        handle.hello.done()?;
        Ok(S2N_SUCCESS)
    })
}

/// Tells that the server changed the connection because of the client's
/// server_name (from the client hello callback, before it is done), so the server
/// acknowledges the name with an empty server_name extension.
///
/// rs2n records it; rustls acknowledges the client's server name in every full
/// handshake anyway, so a server sends the empty extension with or without
/// this call (s2n-tls only with it). Either way the client learns nothing more.
///
/// Errors: NULL conn; a client connection, or after the ClientHello has been
/// processed (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_server_name_extension_used(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| c.core.server_name_extension_used())
}

/// What a step of `s2n_negotiate` leaves owed: an application callback that may
/// use its connection, run between two steps with the connection let go (pinned:
/// it cannot be freed or wiped meanwhile).
pub(crate) enum Owed {
    /// The async private key callback and its operation.
    Pkey(Arc<dyn AsyncPkeyCallback>, PkeyOp),
    /// The client hello callback and the signal its return goes to.
    Hello(Arc<dyn HelloCallback>, Arc<HelloSignal>),
    /// The early-data callback and the offered early data it decides on.
    EarlyData(Arc<dyn EarlyDataCallback>, Arc<Offered>),
}

/// The callback a handshake step left owed, if any.
pub(crate) fn owed(c: &mut ConnectionState) -> Option<Owed> {
    if let Some((callback, op)) = c.core.take_pkey_callback() {
        return Some(Owed::Pkey(callback, op));
    }
    if let Some((callback, signal)) = c.core.take_hello_callback() {
        return Some(Owed::Hello(callback, signal));
    }
    let (callback, offered) = c.core.take_early_data_callback()?;
    Some(Owed::EarlyData(callback, offered))
}

/// One step of `s2n_negotiate`: the handshake until it completes or blocks, and
/// the callback it left owed, if any.
pub(crate) fn step(c: &mut ConnectionState) -> (Result<()>, Option<Owed>) {
    let out = c.core.negotiate();
    (out, owed(c))
}

/// Runs an owed callback with the connection usable. Its end is recorded
/// without entering the connection (another thread may be in a call on it at
/// that moment): the client hello callback's return value on the connection's
/// signal, the early-data callback's result on the offer it decided on; the
/// next step takes it in (a rejection or failure fails the connection then).
pub(crate) fn run(conn: *mut s2n_connection, owed: Owed) -> Result<()> {
    let owner = Owner::new(conn as usize);
    match owed {
        Owed::Pkey(callback, op) => callback.invoke(op.owner(), op),
        Owed::EarlyData(callback, offered) => {
            offered.callback_returned(callback.call(owner, &offered));
            Ok(())
        }
        Owed::Hello(callback, signal) => {
            signal.callback_returned(callback.call(owner));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Mutex};
    use std::thread::{self, JoinHandle};

    use super::super::connection::{s2n_connection_free, s2n_connection_new};
    use super::super::handles::s2n_connection;
    use super::super::io::s2n_negotiate;
    use super::super::library::{s2n_errno_location, s2n_error_get_type, s2n_strerror_name};
    use super::super::{S2N_ERR_T_BLOCKED, S2N_FAILURE, S2N_NOT_BLOCKED, S2N_SERVER, S2N_SUCCESS};
    use super::*;
    use crate::connection::testing::{client_config, server_config};
    use crate::connection::{Connection, Mode};
    use crate::sync::lock;
    use crate::transport::memory;

    /// The callback's context: how many times it ran, the thread it left in a
    /// call on the connection with the sender that lets that thread go, and
    /// what `s2n_client_hello_cb_done` returned (non-blocking mode).
    #[derive(Default)]
    struct Race {
        calls: AtomicUsize,
        holder: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
        done_inside: bool,
        done_rc: Mutex<Option<c_int>>,
    }

    /// Starts a thread that enters the connection (as any call on it would:
    /// a getter, `s2n_send`...) and stays in until released, and returns 0 once
    /// that thread is in (after `s2n_client_hello_cb_done` if `done_inside`):
    /// the callback ends while its connection is busy.
    unsafe extern "C" fn return_while_busy(conn: *mut s2n_connection, ctx: *mut c_void) -> c_int {
        // SAFETY: the test's Race, which outlives the connection's handshake.
        let race = unsafe { &*(ctx as *const Race) };
        race.calls.fetch_add(1, Ordering::SeqCst);
        let (held_tx, held_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let conn = conn as usize;
        let holder = thread::spawn(move || {
            // SAFETY: the live handle; the test frees it only after joining us.
            let handle = unsafe { &*(conn as *const s2n_connection) };
            let Ok(busy) = handle.enter() else {
                return;
            };
            let _ = held_tx.send(());
            // Until released (or the test gave up and dropped the sender).
            let _ = release_rx.recv();
            drop(busy);
        });
        if held_rx.recv().is_ok() {
            *lock(&race.holder) = Some((release_tx, holder));
        }
        if race.done_inside {
            *lock(&race.done_rc) = Some(s2n_client_hello_cb_done(conn as *mut s2n_connection));
        }
        0
    }

    fn errno_name() -> String {
        // SAFETY: the calling thread's errno cell; s2n_strerror_name returns a
        // static string.
        unsafe { CStr::from_ptr(s2n_strerror_name(*s2n_errno_location())) }
            .to_string_lossy()
            .into_owned()
    }

    /// The callback returns while another thread is in a call on its connection:
    /// its return is recorded anyway, so the connection is not left with its
    /// callback 'running' (every later s2n_negotiate refused as in use, as
    /// before this was fixed); once the other call is over, s2n_negotiate goes
    /// on and completes the handshake, without running the callback again.
    #[test]
    fn a_call_on_another_thread_as_the_callback_returns_does_not_leave_it_running() {
        handshake_with_a_busy_end(CallbackMode::Blocking);
    }

    /// Non-blocking mode: `s2n_client_hello_cb_done` from the callback succeeds
    /// while another thread is in a call on the connection (it used to fail as
    /// in use, leaving the handshake waiting), and the handshake completes.
    #[test]
    fn done_while_another_thread_is_in_a_call_is_not_lost() {
        handshake_with_a_busy_end(CallbackMode::NonBlocking);
    }

    fn handshake_with_a_busy_end(mode: CallbackMode) {
        let race = Race {
            done_inside: mode == CallbackMode::NonBlocking,
            ..Race::default()
        };
        let server = server_config("default_tls13");
        let callback = callbacks::client_hello_callback(
            return_while_busy,
            &race as *const Race as *mut c_void,
        );
        server
            .update(|s| {
                s.client_hello.callback = Some(callback);
                s.client_hello.mode = mode;
                Ok(())
            })
            .unwrap();
        let (a, b) = memory::pair();
        let conn = s2n_connection_new(S2N_SERVER);
        {
            // SAFETY: a live handle, used by this thread only for now.
            let handle = unsafe { &*conn };
            let mut state = handle.enter().unwrap();
            state.core.set_config(server).unwrap();
            state.core.set_recv(Box::new(a.clone()));
            state.core.set_send(Box::new(a));
        }
        let mut client = Connection::new(Mode::Client);
        client.set_config(client_config("default_tls13")).unwrap();
        client.set_server_name("localhost").unwrap();
        client.set_recv(Box::new(b.clone()));
        client.set_send(Box::new(b));
        assert!(client.negotiate().unwrap_err().is_blocked());

        let mut blocked = S2N_NOT_BLOCKED;
        // The callback ran and returned; the connection was busy right after.
        assert_eq!(s2n_negotiate(conn, &mut blocked), S2N_FAILURE);
        assert_eq!(errno_name(), "S2N_ERR_CONNECTION_IN_USE");
        assert_eq!(blocked, S2N_NOT_BLOCKED);
        let (release, holder) = lock(&race.holder)
            .take()
            .expect("the callback ran while another thread was in a call on the connection");
        release.send(()).unwrap();
        holder.join().unwrap();
        if race.done_inside {
            assert_eq!(*lock(&race.done_rc), Some(S2N_SUCCESS));
        }

        let mut done = false;
        for _ in 0..20 {
            let server_rc = s2n_negotiate(conn, &mut blocked);
            // SAFETY: the calling thread's errno cell.
            let error_type = s2n_error_get_type(unsafe { *s2n_errno_location() });
            assert!(
                server_rc == S2N_SUCCESS || error_type == S2N_ERR_T_BLOCKED,
                "s2n_negotiate failed: {}",
                errno_name()
            );
            let client_result = client.negotiate();
            if server_rc == S2N_SUCCESS && client_result.is_ok() {
                done = true;
                break;
            }
        }
        assert!(done, "the handshake completes");
        assert_eq!(race.calls.load(Ordering::SeqCst), 1);
        assert_eq!(s2n_connection_free(conn), S2N_SUCCESS);
    }
}
