//! Renegotiation (s2n-tls's api/unstable/renegotiate.h).
//!
//! rustls does not renegotiate: a TLS1.2 rs2n client answers every HelloRequest
//! with a no_renegotiation warning alert and goes on with the keys it has (what an
//! s2n-tls client does when its renegotiate request callback answers
//! S2N_RENEGOTIATE_REJECT), and an rs2n server never asks for renegotiation (as an
//! s2n-tls server). So the callback is never called, and s2n_renegotiate_wipe and
//! s2n_renegotiate fail with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE).

use std::ffi::{c_int, c_void};

use libc::ssize_t;

use super::boundary::{guard, try_mut, try_ref};
use super::handles::{s2n_config, s2n_connection, with_config, with_conn};
use super::{s2n_blocked_status, S2nBlockedStatus};
use crate::error::{Error, ErrorCode};

/// The blocked status `s2n_renegotiate` reports when it met application data (the
/// value of S2N_BLOCKED_ON_EARLY_DATA, as in s2n-tls). rs2n never reports it.
#[no_mangle]
pub static S2N_BLOCKED_ON_APPLICATION_DATA: s2n_blocked_status =
    S2nBlockedStatus::S2N_BLOCKED_ON_EARLY_DATA as s2n_blocked_status;

/// How a client answers a server's request to renegotiate.
#[repr(C)]
pub enum S2nRenegotiateResponse {
    /// Do nothing.
    S2N_RENEGOTIATE_IGNORE = 0,
    /// Send a no_renegotiation warning alert.
    S2N_RENEGOTIATE_REJECT = 1,
    /// Renegotiate later (s2n_renegotiate_wipe, then s2n_renegotiate).
    S2N_RENEGOTIATE_ACCEPT = 2,
}

/// The renegotiate request callback: told of a server's HelloRequest, it sets
/// `*response`. rs2n never calls it (see s2n_config_set_renegotiate_request_cb).
pub type s2n_renegotiate_request_cb = Option<
    unsafe extern "C" fn(
        conn: *mut s2n_connection,
        context: *mut c_void,
        response: *mut S2nRenegotiateResponse,
    ) -> c_int,
>;

fn unsupported(what: &'static str) -> Error {
    Error::new(
        ErrorCode::Unimplemented,
        format!(
            "{what} is not supported by rs2n: rustls does not renegotiate (a TLS1.2 client \
             answers a HelloRequest with a no_renegotiation warning alert)"
        ),
    )
}

/// Sets the callback an s2n-tls client asks how to answer a server's HelloRequest.
///
/// Where rs2n differs: accepted with no effect (the callback is never called),
/// because the answer is fixed: rustls' TLS1.2 client answers every HelloRequest with a
/// no_renegotiation warning alert and keeps the connection's keys, what s2n-tls
/// does when the callback answers S2N_RENEGOTIATE_REJECT. (Without a callback,
/// s2n-tls ignores the request without an alert.) TLS1.3 has no renegotiation.
/// A client that wants to renegotiate cannot: s2n_renegotiate_wipe and
/// s2n_renegotiate fail.
///
/// Errors: `config` is NULL (S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_config_set_renegotiate_request_cb(
    config: *mut s2n_config,
    callback: s2n_renegotiate_request_cb,
    context: *mut c_void,
) -> c_int {
    with_config(config, |_| {
        let _ = (callback, context);
        Ok(())
    })
}

/// Resets a client connection for renegotiation, keeping its record keys.
///
/// Not supported by rs2n: fails with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE) and
/// changes nothing, because rustls cannot renegotiate. (An s2n-tls server fails
/// here too: s2n-tls servers do not renegotiate.)
///
/// Errors: `conn` is NULL (S2N_ERR_NULL); in use by another call
/// (S2N_ERR_CONNECTION_IN_USE); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_renegotiate_wipe(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |_| {
        Err(unsupported("renegotiation (s2n_renegotiate_wipe)"))
    })
}

/// Runs a new handshake on an established client connection.
///
/// Not supported by rs2n: sets `*app_data_size` to 0 and `*blocked` to
/// S2N_NOT_BLOCKED, and fails with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE), because
/// rustls cannot renegotiate. The connection is unchanged and still usable.
///
/// Errors: `conn`, `app_data_size` or `blocked` is NULL (S2N_ERR_NULL); in use by
/// another call (S2N_ERR_CONNECTION_IN_USE); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_renegotiate(
    conn: *mut s2n_connection,
    app_data_buf: *mut u8,
    app_data_buf_size: ssize_t,
    app_data_size: *mut ssize_t,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    guard(|| {
        let _ = (app_data_buf, app_data_buf_size);
        // SAFETY: NULL or live pointers, as the API requires.
        let handle = unsafe { try_ref(conn, "conn") }?;
        // SAFETY: as above.
        let size = unsafe { try_mut(app_data_size, "app_data_size") }?;
        // SAFETY: as above.
        let blocked = unsafe { try_mut(blocked, "blocked") }?;
        *size = 0;
        *blocked = S2nBlockedStatus::S2N_NOT_BLOCKED as s2n_blocked_status;
        let _busy = handle.enter()?;
        Err::<c_int, _>(unsupported("renegotiation (s2n_renegotiate)"))
    })
}
