//! The exported functions on `struct s2n_connection`: one TLS connection, its
//! settings and what it negotiated.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;

use super::boundary::{free_handle, guard, static_cstr, try_ref, try_str};
use super::handles::{hand_out, query, s2n_config, s2n_connection, with_conn, CallbackIo};
use super::{
    s2n_blinding, s2n_mode, S2N_BUILT_IN_BLINDING, S2N_CLIENT, S2N_SELF_SERVICE_BLINDING,
    S2N_SERVER, S2N_SUCCESS,
};
use crate::connection::Mode;
use crate::error::{Error, ErrorCode};

/// Creates a connection: `S2N_SERVER` or `S2N_CLIENT`. It uses a default config
/// (system trust store, no certificates) until `s2n_connection_set_config`.
///
/// @returns The new connection, or NULL for an unknown mode (S2N_ERR_T_USAGE).
#[no_mangle]
pub extern "C" fn s2n_connection_new(mode: s2n_mode) -> *mut s2n_connection {
    guard(|| {
        let mode = match mode {
            S2N_SERVER => Mode::Server,
            S2N_CLIENT => Mode::Client,
            other => {
                return Err(Error::usage(format!(
                    "mode {other} is neither S2N_SERVER nor S2N_CLIENT"
                )))
            }
        };
        Ok(s2n_connection::new_handle(mode))
    })
}

/// Sets the config the connection uses. The connection keeps its own reference.
///
/// Errors: NULL arguments; the handshake has started (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_set_config(
    conn: *mut s2n_connection,
    config: *mut s2n_config,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a live config handle.
        let config = unsafe { try_ref(config, "config") }?;
        c.core.set_config(config.core.clone())
    })
}

/// Frees a connection and everything it holds (its keys are wiped by rustls).
/// It does not close the file descriptors it was given.
///
/// Errors: NULL conn; a call on the connection is still running
/// (S2N_ERR_CONNECTION_IN_USE): freeing a connection from inside one of its own
/// callbacks (I/O, session cache, session ticket) is refused and leaves it as it
/// was; free it once that call has returned. (s2n-tls leaves freeing a connection
/// in use undefined.) Freeing a connection while another thread may start a call
/// on it remains the application's bug, as in s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_connection_free(conn: *mut s2n_connection) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle from s2n_connection_new.
        unsafe { try_ref(conn, "conn") }?.ensure_idle()?;
        // SAFETY: the handle came from s2n_connection_new and no call is using it.
        unsafe { free_handle(conn, "conn") }?;
        Ok(S2N_SUCCESS)
    })
}

/// Resets a connection for reuse: everything is forgotten but its mode and config
/// (I/O, context, server name, negotiated state). Works after any failure.
///
/// Errors: NULL conn; a call on the connection is still running, e.g. wipe from
/// inside one of its own callbacks (S2N_ERR_CONNECTION_IN_USE): refused, nothing
/// is wiped.
#[no_mangle]
pub extern "C" fn s2n_connection_wipe(conn: *mut s2n_connection) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(conn, "conn") }?;
        let mut state = handle.enter_unpinned()?;
        state.core.wipe();
        state.io = CallbackIo::default();
        state.handed_out.clear();
        handle.ctx.store(std::ptr::null_mut(), Ordering::Release);
        Ok(S2N_SUCCESS)
    })
}

/// Stores an application pointer in the connection. Default NULL; cleared by wipe.
#[no_mangle]
pub extern "C" fn s2n_connection_set_ctx(conn: *mut s2n_connection, ctx: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(conn, "conn") }?;
        handle.ctx.store(ctx, Ordering::Release);
        Ok(S2N_SUCCESS)
    })
}

/// The pointer stored with `s2n_connection_set_ctx`; NULL if none (or if conn is
/// NULL). Safe to call from the connection's own callbacks.
#[no_mangle]
pub extern "C" fn s2n_connection_get_ctx(conn: *mut s2n_connection) -> *mut c_void {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(conn, "conn") }?;
        Ok(handle.ctx.load(Ordering::Acquire))
    })
}

/// Chooses built-in or self-service blinding. rs2n accepts both with no effect: it
/// never delays.
///
/// Differs from s2n-tls, which waits 10 to 30 seconds after most fatal errors
/// (itself, or through `s2n_connection_get_delay` with self-service blinding) to
/// hide timing side channels, the CBC padding oracle first among them. rs2n offers
/// no CBC suite and rustls' record decryption is constant-time AEAD.
///
/// Errors: a value other than S2N_BUILT_IN_BLINDING or S2N_SELF_SERVICE_BLINDING.
#[no_mangle]
pub extern "C" fn s2n_connection_set_blinding(
    conn: *mut s2n_connection,
    blinding: s2n_blinding,
) -> c_int {
    with_conn(conn, |_| match blinding {
        // Both modes behave the same: rs2n never delays.
        S2N_BUILT_IN_BLINDING | S2N_SELF_SERVICE_BLINDING => Ok(()),
        other => Err(Error::usage(format!(
            "blinding mode {other} is not an s2n_blinding value"
        ))),
    })
}

/// Nanoseconds the application should wait before closing after an error, with
/// self-service blinding. Always 0 in rs2n (see `s2n_connection_set_blinding` for
/// why, and how s2n-tls differs).
#[no_mangle]
pub extern "C" fn s2n_connection_get_delay(conn: *mut s2n_connection) -> u64 {
    query(conn, |_| Ok(0u64))
}

/// Sets the name a client sends (SNI) and verifies the server's certificate
/// against. Without it a verifying client fails the handshake, as in s2n-tls. An IP
/// address is verified against the certificate's IP entries and is not sent as SNI.
///
/// Errors: NULL arguments; more than 255 bytes (S2N_ERR_SERVER_NAME_TOO_LONG); a
/// server connection (S2N_ERR_SERVER_MODE); the handshake has started.
#[no_mangle]
pub extern "C" fn s2n_set_server_name(
    conn: *mut s2n_connection,
    server_name: *const c_char,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a NUL-terminated string.
        let name = unsafe { try_str(server_name, "server_name") }?;
        c.core.set_server_name(name)
    })
}

/// On a server, the name the client asked for (SNI) once the ClientHello is read;
/// on a client, the name set with `s2n_set_server_name`.
///
/// @returns The name, valid until the connection is wiped or freed (a later
/// `s2n_set_server_name` does not invalidate it); NULL if none.
#[no_mangle]
pub extern "C" fn s2n_get_server_name(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |c| match c.core.server_name() {
        Some(name) => Ok(hand_out(&mut c.handed_out, name)),
        None => Err(Error::new(
            ErrorCode::InvalidState,
            "no server name was set or received",
        )),
    })
}

/// The protocol version in use (S2N_TLS12, S2N_TLS13). Before the handshake: for a
/// client the highest it offers; for a server S2N_UNKNOWN_PROTOCOL_VERSION.
///
/// @returns The version, or S2N_FAILURE for a NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_get_actual_protocol_version(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c.core.actual_protocol_version()))
}

/// The highest version the client supports: on a client its own, on a server what
/// the ClientHello offered (S2N_UNKNOWN_PROTOCOL_VERSION before it arrives).
#[no_mangle]
pub extern "C" fn s2n_connection_get_client_protocol_version(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c.core.client_protocol_version()))
}

/// The server's version: on a server the highest it supports, on a client the
/// version the server chose (S2N_UNKNOWN_PROTOCOL_VERSION before it is known).
#[no_mangle]
pub extern "C" fn s2n_connection_get_server_protocol_version(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c.core.server_protocol_version()))
}

/// The negotiated cipher suite under s2n's (OpenSSL-style) name, e.g.
/// "TLS_AES_128_GCM_SHA256" or "ECDHE-ECDSA-AES128-GCM-SHA256";
/// "TLS_NULL_WITH_NULL_NULL" before the handshake. The string is static.
#[no_mangle]
pub extern "C" fn s2n_connection_get_cipher(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |c| Ok(static_cstr(c.core.cipher())))
}

/// The handshake's type in s2n's notation: flags joined by '|', e.g.
/// "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT" (TLS1.3) or
/// "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY" (TLS1.2); a resumed
/// handshake lacks FULL_HANDSHAKE. "INITIAL" before the handshake completes.
///
/// @returns A string valid until the connection is wiped or freed.
#[no_mangle]
pub extern "C" fn s2n_connection_get_handshake_type_name(
    conn: *mut s2n_connection,
) -> *const c_char {
    query(conn, |c| Ok(c.core.handshake_type_name().as_ptr()))
}

/// Bytes received from the transport so far (TLS records, not application data).
#[no_mangle]
pub extern "C" fn s2n_connection_get_wire_bytes_in(conn: *mut s2n_connection) -> u64 {
    query(conn, |c| Ok(c.core.wire_bytes_in()))
}

/// Bytes sent to the transport so far (TLS records, not application data).
#[no_mangle]
pub extern "C" fn s2n_connection_get_wire_bytes_out(conn: *mut s2n_connection) -> u64 {
    query(conn, |c| Ok(c.core.wire_bytes_out()))
}

/// The TLS alert code the peer sent when a call failed with S2N_ERR_T_ALERT.
///
/// @returns The alert code, or S2N_FAILURE with S2N_ERR_NO_ALERT if none arrived.
#[no_mangle]
pub extern "C" fn s2n_connection_get_alert(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c_int::from(c.core.alert()?)))
}
