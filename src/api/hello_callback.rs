//! The client hello callback (`s2n_config_set_client_hello_cb` and its mode,
//! `s2n_client_hello_cb_done`, `s2n_connection_server_name_extension_used`) and the
//! handshake loop that runs it, the async private key and the early-data
//! callbacks: each runs with the connection's lock released, so it can use its
//! connection (read the ClientHello, swap the config...).

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::boundary::try_ref;
use super::callbacks::{self, ClientHelloFn};
use super::handles::{s2n_config, s2n_connection, with_config, with_conn, ConnectionState};
use super::{
    s2n_client_hello_cb_mode, S2N_CLIENT_HELLO_CB_BLOCKING, S2N_CLIENT_HELLO_CB_NONBLOCKING,
};
use crate::client_hello::callback::{CallbackMode, HelloCallback};
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
/// callback.
///
/// Errors: NULL conn; a client connection or a config in blocking mode
/// (S2N_ERR_INVALID_STATE); before the callback has run (S2N_ERR_ASYNC_NOT_PERFORMED).
#[no_mangle]
pub extern "C" fn s2n_client_hello_cb_done(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| c.core.client_hello_cb_done())
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
    /// The client hello callback.
    Hello(Arc<dyn HelloCallback>),
    /// The early-data callback and the offered early data it decides on.
    EarlyData(Arc<dyn EarlyDataCallback>, Arc<Offered>),
}

/// The callback a handshake step left owed, if any.
pub(crate) fn owed(c: &mut ConnectionState) -> Option<Owed> {
    if let Some((callback, op)) = c.core.take_pkey_callback() {
        return Some(Owed::Pkey(callback, op));
    }
    if let Some(callback) = c.core.take_hello_callback() {
        return Some(Owed::Hello(callback));
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

/// Runs an owed callback with the connection usable. The client hello
/// callback's return value is then given to the connection (a rejection fails
/// it, and the next step reports that); the early-data callback's result is
/// recorded on the offer it decided on, which the next step reads.
pub(crate) fn run(conn: *mut s2n_connection, owed: Owed) -> Result<()> {
    let owner = Owner::new(conn as usize);
    match owed {
        Owed::Pkey(callback, op) => callback.invoke(op.owner(), op),
        Owed::EarlyData(callback, offered) => {
            offered.callback_returned(callback.call(owner, &offered));
            Ok(())
        }
        Owed::Hello(callback) => {
            let rc = callback.call(owner);
            // SAFETY: the live handle s2n_negotiate was called with, pinned (not
            // freed) while its callback runs.
            let handle = unsafe { try_ref(conn, "conn") }?;
            let mut state = handle.enter()?;
            // A rejection has failed the connection: the next step reports it.
            let _ = state.core.hello_callback_returned(rc);
            Ok(())
        }
    }
}
