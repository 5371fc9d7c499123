//! TLS1.3 early data (0-RTT): the server's maximum and context, the early-data
//! callback and the offered early data it decides on, the status and sizes, and
//! `s2n_send_early_data` / `s2n_recv_early_data`.

use std::ffi::c_int;
use std::sync::Arc;

use libc::ssize_t;

use super::boundary::{guard, try_mut, try_ref, try_slice, try_slice_mut};
use super::callbacks::CEarlyDataCallback;
use super::handles::{
    s2n_config, s2n_connection, with_blocked, with_config, with_conn, with_negotiation,
};
use super::hello_callback;
use super::opaque::s2n_offered_early_data;
use super::{s2n_blocked_status, s2n_early_data_cb, s2n_early_data_status_t, S2N_SUCCESS};
use crate::early_data::{EarlyDataCallback, Offered};
use crate::error::{Error, ErrorCode, Result};

/// Sets the most early data (bytes) a server accepts from a resuming client; 0
/// (the default) rejects all early data. A connection's own maximum
/// (`s2n_connection_set_server_max_early_data_size`) overrides it.
///
/// rs2n accepts early data only with stateful resumption: the session cache on
/// and session tickets off. Then each session is taken from the cache once (the
/// take rule of `s2n_config_set_cache_retrieve_callback`), so a replayed first
/// flight gets its early data accepted at most once, on one server or across a
/// fleet sharing the cache. With stateless session tickets on, early data is
/// never accepted (rustls refuses it: a ticket can be replayed) and the handshake
/// completes normally; s2n-tls accepts it and leaves replay protection to the
/// application. With early data on, the server's TLS1.3 tickets are rustls' own
/// stateful tickets (32-byte cache keys given to the callbacks as 48-byte keys,
/// single-use), whose lifetime hint is rustls' fixed 24 hours rather than the
/// cache entry's.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_server_max_early_data_size(
    config: *mut s2n_config,
    max_early_data_size: u32,
) -> c_int {
    with_config(config, |c| {
        c.update(|s| {
            s.early_data.server_max = max_early_data_size;
            Ok(())
        })
    })
}

/// Sets the most early data this server connection accepts, and the most the
/// tickets it issues allow, overriding its config's (see
/// `s2n_config_set_server_max_early_data_size`). Default: the config's.
///
/// rustls fixes both when the server reads the client's first bytes, so a
/// change takes effect when made before that, even after `s2n_negotiate` or
/// `s2n_recv_early_data` started the handshake, or from the client hello
/// callback. s2n-tls also takes a change made later (for the rest of the early
/// data and for later tickets); rs2n refuses it with S2N_ERR_INVALID_STATE
/// (from the early-data callback on, and after the handshake) unless it
/// changes nothing. On a client it is kept with no effect, as in s2n-tls.
///
/// Errors: NULL conn; a change once the server has read the client's first
/// bytes, outside the client hello callback (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_set_server_max_early_data_size(
    conn: *mut s2n_connection,
    max_early_data_size: u32,
) -> c_int {
    with_conn(conn, |c| {
        c.core.set_server_max_early_data_size(max_early_data_size)
    })
}

/// Sets the bytes a server stores with the sessions this connection issues; when
/// a client later offers early data with such a session, the early-data callback
/// reads them (`s2n_offered_early_data_get_context`). Copied. Default: empty.
/// They are sealed inside the cached session with the ticket key.
///
/// The server stores its sessions (and sends their tickets) as its handshake
/// completes: a context set before then, from the client hello or early-data
/// callback or while `s2n_negotiate` waits for the client's Finished, reaches
/// them. rustls sends no ticket after the handshake (s2n-tls can, with
/// `s2n_connection_add_new_tickets_to_send`), so a change after it is refused
/// with S2N_ERR_INVALID_STATE unless it changes nothing. On a client it is kept
/// with no effect, as in s2n-tls.
///
/// Errors: NULL conn; NULL context with a size; a change once the server's
/// handshake has completed (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_set_server_early_data_context(
    conn: *mut s2n_connection,
    context: *const u8,
    context_size: u16,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or valid for `context_size` bytes, as the API requires.
        let context = unsafe { try_slice(context, usize::from(context_size), "context") }?;
        c.core.set_server_early_data_context(context)
    })
}

/// Sets the callback a server runs when a client offers early data that the
/// server could accept (TLS1.3, a cached session, early data on, the
/// application reading early data); NULL removes it. Default: none (accepted).
///
/// The callback accepts or rejects with `s2n_offered_early_data_accept` /
/// `_reject`, from inside it or later from any thread: until then
/// `s2n_negotiate` / `s2n_recv_early_data` fail with S2N_ERR_ASYNC_BLOCKED and
/// S2N_BLOCKED_ON_APPLICATION_INPUT, and the ClientHello waits (the callback
/// is not run again). A negative return fails the handshake with
/// S2N_ERR_CANCELLED.
///
/// Inside the callback the application may use its connection: read it
/// (`s2n_connection_get_ctx`, `s2n_get_server_name`,
/// `s2n_connection_get_client_hello`, the early data status and sizes, the
/// offered context), `s2n_connection_get_negotiated_psk_identity` and its
/// length give the ticket the early data came with (for an anti-replay check),
/// and `s2n_get_application_protocol` the protocol the server will choose. No
/// lock is held while it runs: the connection is only kept from being freed or
/// wiped. Calls that drive or end it (`s2n_negotiate`, `s2n_recv_early_data`,
/// `s2n_shutdown`, `s2n_connection_wipe`, `s2n_connection_free`) fail there, and
/// from other threads meanwhile, with S2N_ERR_CONNECTION_IN_USE.
///
/// rs2n runs it before rustls reads the ClientHello; rustls may still refuse the
/// early data after an accept (ticket age, cipher suite or ALPN differ from the
/// session's): `s2n_connection_get_early_data_status` then says REJECTED.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_early_data_cb(
    config: *mut s2n_config,
    cb: s2n_early_data_cb,
) -> c_int {
    with_config(config, |c| {
        let callback = cb.map(|f| Arc::new(CEarlyDataCallback(f)) as Arc<dyn EarlyDataCallback>);
        c.update(|s| {
            s.early_data.callback = callback;
            Ok(())
        })
    })
}

/// Runs `f` on the offered early data behind a C pointer.
fn with_offered<T: super::boundary::Failure>(
    early_data: *mut s2n_offered_early_data,
    f: impl FnOnce(&Offered) -> Result<T>,
) -> T {
    guard(|| {
        // SAFETY: NULL or the pointer the early-data callback received, which
        // points to an `Offered` the connection keeps until it is wiped or freed.
        let offered = unsafe { try_ref(early_data.cast::<Offered>(), "early_data") }?;
        f(offered)
    })
}

/// Writes the length of the offered early data's context (see
/// `s2n_connection_set_server_early_data_context`) to `*context_len`.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_offered_early_data_get_context_length(
    early_data: *mut s2n_offered_early_data,
    context_len: *mut u16,
) -> c_int {
    with_offered(early_data, |o| {
        // SAFETY: NULL or a valid pointer, as the API requires.
        let out = unsafe { try_mut(context_len, "context_len") }?;
        *out = u16::try_from(o.context().len()).unwrap_or(u16::MAX);
        Ok(S2N_SUCCESS)
    })
}

/// Copies the offered early data's context into `context`.
///
/// Errors: NULL arguments; `max_len` smaller than the context
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_offered_early_data_get_context(
    early_data: *mut s2n_offered_early_data,
    context: *mut u8,
    max_len: u16,
) -> c_int {
    with_offered(early_data, |o| {
        if context.is_null() {
            return Err(Error::null("context"));
        }
        let ctx = o.context();
        if ctx.len() > usize::from(max_len) {
            return Err(Error::new(
                ErrorCode::InsufficientMemSize,
                format!(
                    "the early data context is {} bytes; the buffer holds {max_len}",
                    ctx.len()
                ),
            ));
        }
        // SAFETY: `context` holds `max_len` >= ctx.len() bytes.
        unsafe { try_slice_mut(context, ctx.len(), "context") }?.copy_from_slice(ctx);
        Ok(S2N_SUCCESS)
    })
}

/// Rejects the offered early data: the handshake goes on without it (the client
/// sends it again after the handshake). May be called from the early-data
/// callback or later, from any thread, until the connection is wiped or freed
/// (the pointer is the connection's).
///
/// Errors: NULL early_data; already accepted or rejected (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_offered_early_data_reject(early_data: *mut s2n_offered_early_data) -> c_int {
    with_offered(early_data, |o| o.decide(false).map(|()| S2N_SUCCESS))
}

/// Accepts the offered early data. May be called from the early-data callback
/// or later, from any thread, until the connection is wiped or freed (the
/// pointer is the connection's).
///
/// Errors: NULL early_data; already accepted or rejected (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_offered_early_data_accept(early_data: *mut s2n_offered_early_data) -> c_int {
    with_offered(early_data, |o| o.decide(true).map(|()| S2N_SUCCESS))
}

/// Writes the connection's early data status to `*status`:
/// S2N_EARLY_DATA_STATUS_OK (not decided yet, or early data in progress),
/// _NOT_REQUESTED (the client offered none), _REJECTED (offered, not accepted:
/// the client must send the data again after the handshake), _END (accepted and
/// over).
///
/// A client learns REJECTED or END when its handshake completes.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_early_data_status(
    conn: *mut s2n_connection,
    status: *mut s2n_early_data_status_t,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a valid pointer, as the API requires.
        let out = unsafe { try_mut(status, "status") }?;
        *out = c.core.early_data_status() as s2n_early_data_status_t;
        Ok(())
    })
}

/// Writes how much more early data the connection may send or receive: 0 when
/// early data was rejected or not requested, else the maximum minus what was
/// sent or received.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_remaining_early_data_size(
    conn: *mut s2n_connection,
    allowed_early_data_size: *mut u32,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a valid pointer, as the API requires.
        let out = unsafe { try_mut(allowed_early_data_size, "allowed_early_data_size") }?;
        *out = c.core.remaining_early_data_size();
        Ok(())
    })
}

/// Writes the most early data the connection may ever send or receive, whatever
/// its status: a server's maximum, or what a client's session allows.
///
/// A client reads it from the session it set (`s2n_connection_set_session`; 0
/// without one, or with bytes from another process, which cannot resume), as
/// s2n-tls does; once `s2n_send_early_data` has started the handshake, from the
/// ticket actually offered.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_max_early_data_size(
    conn: *mut s2n_connection,
    max_early_data_size: *mut u32,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a valid pointer, as the API requires.
        let out = unsafe { try_mut(max_early_data_size, "max_early_data_size") }?;
        *out = c.core.max_early_data_size();
        Ok(())
    })
}

fn to_len(len: ssize_t, what: &str) -> Result<usize> {
    usize::try_from(len).map_err(|_| Error::usage(format!("{what} {len} is negative")))
}

/// A client starts the handshake with early data: as much of `data` as its
/// session allows goes in its first flight; `*data_sent` says how much (0 when
/// the session allows none: no session, a TLS1.2 session, or a server that
/// does not offer early data). Then call `s2n_negotiate`. Blocks as
/// `s2n_negotiate` does (call again with the same data).
///
/// Early data can be replayed by an attacker: send only what is safe to
/// repeat. Once the handshake completes, `s2n_connection_get_early_data_status`
/// says whether the server took it; when REJECTED, send the data again with
/// `s2n_send`.
///
/// Errors: NULL arguments, a negative length; a server connection (a usage
/// error); a security policy
/// without TLS1.3 (S2N_ERR_PROTOCOL_VERSION_UNSUPPORTED); the errors of
/// `s2n_negotiate`.
#[no_mangle]
pub extern "C" fn s2n_send_early_data(
    conn: *mut s2n_connection,
    data: *const u8,
    data_len: ssize_t,
    data_sent: *mut ssize_t,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    with_blocked(conn, blocked, |c| {
        // SAFETY: NULL or a valid pointer, as the API requires.
        let sent = unsafe { try_mut(data_sent, "data_sent") }?;
        *sent = 0;
        // SAFETY: NULL or valid for `data_len` bytes, as the API requires.
        let data = unsafe { try_slice(data, to_len(data_len, "data_len")?, "data") }?;
        let n = c.core.send_early_data(data)?;
        *sent = ssize_t::try_from(n).unwrap_or(ssize_t::MAX);
        Ok(S2N_SUCCESS)
    })
}

/// A server starts the handshake ready for early data, and reads it into
/// `data`: `*data_received` says how much this call read. Succeeds once the
/// early data is over (all received, rejected, or not offered); until then
/// fails blocked (S2N_BLOCKED_ON_READ while more may come,
/// S2N_BLOCKED_ON_EARLY_DATA when `data` is full): call again with the rest of
/// the buffer. Then call `s2n_negotiate`. A server that calls `s2n_negotiate`
/// without calling this first rejects early data, as s2n-tls.
///
/// The client hello, early-data and async private key callbacks run here as
/// in `s2n_negotiate`, with the connection usable. See
/// `s2n_config_set_server_max_early_data_size` for when rs2n accepts early data
/// and why it is replay-safe.
///
/// Errors: NULL arguments, a negative length; a client connection
/// (a usage error); the errors of `s2n_negotiate`.
#[no_mangle]
pub extern "C" fn s2n_recv_early_data(
    conn: *mut s2n_connection,
    data: *mut u8,
    max_data_len: ssize_t,
    data_received: *mut ssize_t,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    with_negotiation(
        conn,
        blocked,
        |c| {
            let mut read = || -> Result<()> {
                // SAFETY: NULL or a valid pointer, as the API requires.
                let received = unsafe { try_mut(data_received, "data_received") }?;
                *received = 0;
                let len = to_len(max_data_len, "max_data_len")?;
                // SAFETY: NULL or valid for `max_data_len` bytes, as the API requires.
                let buf = unsafe { try_slice_mut(data, len, "data") }?;
                // A step that leaves a callback owed has read no early data yet
                // (the client's early data follows the server's flight).
                let mut n = 0;
                let out = c.core.recv_early_data(buf, &mut n);
                *received = ssize_t::try_from(n).unwrap_or(ssize_t::MAX);
                out
            };
            let out = read();
            // As in s2n_negotiate: the async private key, client hello or
            // early-data callback the handshake left owed runs with the
            // connection usable.
            (out, hello_callback::owed(c))
        },
        |owed| hello_callback::run(conn, owed),
        |c, e| c.core.pkey_callback_failed(e),
    )
}

#[cfg(test)]
mod tests {
    use super::super::ints::*;
    use super::*;

    #[test]
    fn status_values_are_s2ns() {
        use crate::early_data::Status;
        for (core, api) in [
            (Status::Ok, S2N_EARLY_DATA_STATUS_OK),
            (Status::NotRequested, S2N_EARLY_DATA_STATUS_NOT_REQUESTED),
            (Status::Rejected, S2N_EARLY_DATA_STATUS_REJECTED),
            (Status::End, S2N_EARLY_DATA_STATUS_END),
        ] {
            assert_eq!(core as c_int, api);
        }
    }

    #[test]
    fn null_offered_early_data_is_a_usage_error() {
        assert_eq!(
            s2n_offered_early_data_accept(std::ptr::null_mut()),
            super::super::S2N_FAILURE
        );
    }
}
