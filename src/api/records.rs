//! The exported functions that tune how records are sent and received and how a
//! connection keeps its buffers: record sizes (per connection and per config),
//! the maximum fragment length extension, multi-record receives, key updates,
//! buffer release.

use std::ffi::c_int;

use super::handles::{s2n_config, s2n_connection, with_config, with_conn};
use super::{
    s2n_max_frag_len, s2n_peer_key_update, S2N_KEY_UPDATE_NOT_REQUESTED, S2N_KEY_UPDATE_REQUESTED,
    S2N_TLS_MAX_FRAG_LEN_4096, S2N_TLS_MAX_FRAG_LEN_512,
};
use crate::error::{Error, ErrorCode};

/// The smallest send buffer s2n accepts: one record carrying an alert or a key
/// update (s2n's S2N_MIN_SEND_BUFFER_SIZE).
const MIN_SEND_BUFFER_SIZE: u32 = 1034;

/// Sends small records: at most 1435 bytes of data each, one Ethernet frame, so
/// the peer can decrypt each sooner. Until changed, rs2n sends records of
/// `s2n_config_set_max_fragment_length`'s size, or 16 KiB.
///
/// Errors: NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_prefer_low_latency(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| {
        c.core.prefer_low_latency();
        Ok(())
    })
}

/// Sends records of the TLS maximum, 16 KiB of data each, for the least overhead.
///
/// Differs from s2n-tls, whose default records are about 8 KiB: rs2n's default
/// already is 16 KiB (rustls').
///
/// Errors: NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_prefer_throughput(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| {
        c.core.prefer_throughput();
        Ok(())
    })
}

/// Dynamic record sizing: the first `resize_threshold` bytes of data are sent in
/// records of one Ethernet frame (at most 1435 bytes), then records return to the
/// connection's size; after `timeout_threshold` seconds without sending (on the
/// config's monotonic clock) small records start again. 0 turns it off (the
/// default).
///
/// Errors: NULL conn; `resize_threshold` over 8 MiB (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_connection_set_dynamic_record_threshold(
    conn: *mut s2n_connection,
    resize_threshold: u32,
    timeout_threshold: u16,
) -> c_int {
    with_conn(conn, |c| {
        c.core
            .set_dynamic_record_threshold(resize_threshold, timeout_threshold)
    })
}

/// The most data each record sent by the config's connections carries, 1 to
/// 16384 bytes. `s2n_connection_prefer_low_latency`/`_throughput` override it
/// for one connection. Records received may still be up to 16 KiB.
///
/// Errors: NULL config; 0 or more than 16384 (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_max_fragment_length(
    config: *mut s2n_config,
    max_fragment_length: u16,
) -> c_int {
    with_config(config, |c| c.set_max_fragment_length(max_fragment_length))
}

/// Asks servers for a smaller maximum fragment length (RFC 6066), on a client.
///
/// S2N_TLS_MAX_FRAG_LEN_EXT_NONE's value, 0, asks for nothing: s2n's default,
/// accepted (s2n's own tools always pass it). A request (S2N_TLS_MAX_FRAG_LEN_512,
/// _1024, _2048 or _4096) is not supported: rustls cannot send the
/// max_fragment_length extension, so the call fails with S2N_ERR_UNIMPLEMENTED
/// (S2N_ERR_T_USAGE) rather than let a client that needs small records believe
/// it asked for them. To send smaller records, use
/// `s2n_config_set_max_fragment_length`.
///
/// Errors: NULL config; a code above S2N_TLS_MAX_FRAG_LEN_4096
/// (S2N_ERR_INVALID_ARGUMENT); a request, as above.
#[no_mangle]
pub extern "C" fn s2n_config_send_max_fragment_length(
    config: *mut s2n_config,
    mfl_code: s2n_max_frag_len,
) -> c_int {
    with_config(config, |_| {
        if mfl_code == 0 {
            return Ok(());
        }
        if !(S2N_TLS_MAX_FRAG_LEN_512..=S2N_TLS_MAX_FRAG_LEN_4096).contains(&mfl_code) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("{mfl_code} is not an s2n_max_frag_len code"),
            ));
        }
        Err(Error::new(
            ErrorCode::Unimplemented,
            "requesting a maximum fragment length is not supported: rustls cannot send \
             the RFC 6066 extension (smaller records are sent with \
             s2n_config_set_max_fragment_length)",
        ))
    })
}

/// Lets a server honour clients' maximum fragment length requests.
///
/// Differs from s2n-tls: rustls neither reads nor answers the max_fragment_length
/// extension, so the server ignores such requests (s2n's behaviour without this
/// call) and the call has no effect; clients must expect that (s2n documents that
/// many servers ignore the request).
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_accept_max_fragment_length(config: *mut s2n_config) -> c_int {
    with_config(config, |_| Ok(()))
}

/// The size of the buffer records are staged in before they are sent, at least
/// 1034 bytes.
///
/// rs2n accepts it with no effect: it has no such fixed buffer: each flush gathers every record
/// ready into one write, and a record's size is set by the functions above. The
/// records, the data and the write calls an application sees do not depend on it.
///
/// Errors: NULL config; less than 1034 (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_send_buffer_size(config: *mut s2n_config, size: u32) -> c_int {
    with_config(config, |_| {
        if size < MIN_SEND_BUFFER_SIZE {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("a send buffer of {size} bytes cannot hold one record: at least {MIN_SEND_BUFFER_SIZE}"),
            ));
        }
        Ok(())
    })
}

/// With `enabled`, `s2n_recv` keeps reading records until the buffer is full (or
/// the transport blocks, or the peer closes: it then returns what it has, and the
/// next call reports the block or the close). Off by default: `s2n_recv` returns
/// as soon as it has data.
///
/// Differs from s2n-tls, which by default returns one record's data at most: rs2n
/// returns all the data already decrypted, up to `size`, which may span records.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_recv_multi_record(
    config: *mut s2n_config,
    enabled: bool,
) -> c_int {
    with_config(config, |c| c.set_recv_multi_record(enabled))
}

/// Tells the connection its file descriptor is corked (TCP_CORK) by the
/// application; only for a connection sending to a file descriptor.
///
/// rs2n accepts it with no effect: it already writes each handshake flight with as
/// few calls as the transport allows, so corking changes only how the kernel
/// packs segments.
///
/// Errors: NULL conn; the connection sends through a send callback
/// (S2N_ERR_INVALID_STATE, as s2n refuses corking unmanaged I/O).
#[no_mangle]
pub extern "C" fn s2n_connection_use_corked_io(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| {
        if !c.io.managed_send {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "corked I/O needs a file descriptor set with s2n_connection_set_fd or s2n_connection_set_write_fd, not a send callback",
            ));
        }
        Ok(())
    })
}

/// Lets `s2n_recv` read more than one record from the transport at a time.
///
/// rs2n always does (it reads up to about 16 KiB at a time) and accepts either
/// value, with no effect; unlike s2n with buffering off, it decrypts every whole record it has
/// read, so `s2n_peek` reports their data; `s2n_peek_buffered` reports what is
/// held back. An application that stops calling `s2n_recv` before it blocks must
/// check both before waiting on the file descriptor again.
///
/// Errors: NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_set_recv_buffering(
    conn: *mut s2n_connection,
    enabled: bool,
) -> c_int {
    with_conn(conn, |_| {
        let _ = enabled;
        Ok(())
    })
}

/// Frees the connection's empty I/O buffers (for idle connections). Input read
/// and not yet decrypted is kept, and the call succeeds, as in s2n.
///
/// Errors: NULL conn; records still wait to be sent (S2N_ERR_INVALID_STATE):
/// finish the send first.
#[no_mangle]
pub extern "C" fn s2n_connection_release_buffers(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |c| c.core.release_buffers())
}

/// Frees what only the handshake needed. rs2n accepts it with no effect: rustls
/// drops its handshake state by itself once the handshake completes.
///
/// Errors: NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_free_handshake(conn: *mut s2n_connection) -> c_int {
    with_conn(conn, |_| Ok(()))
}

/// Frees I/O buffers whenever they are not in use. rs2n accepts either value with
/// no effect on behaviour (memory only); `s2n_connection_release_buffers` frees
/// them on request.
///
/// Errors: NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_set_dynamic_buffers(
    conn: *mut s2n_connection,
    enabled: bool,
) -> c_int {
    with_conn(conn, |_| {
        let _ = enabled;
        Ok(())
    })
}

/// Updates the connection's sending keys (a TLS1.3 KeyUpdate) at the next
/// `s2n_send`; a TLS1.2 connection has no key update and nothing happens, as in
/// s2n.
///
/// Differs from s2n-tls: rustls' key update also asks the peer to update its own
/// keys (update_requested), so the peer answers with a KeyUpdate of its own.
///
/// Errors: NULL conn; S2N_KEY_UPDATE_REQUESTED or another value
/// (S2N_ERR_INVALID_ARGUMENT: as s2n, only S2N_KEY_UPDATE_NOT_REQUESTED).
#[no_mangle]
pub extern "C" fn s2n_connection_request_key_update(
    conn: *mut s2n_connection,
    peer_request: s2n_peer_key_update,
) -> c_int {
    with_conn(conn, |c| {
        match peer_request {
        S2N_KEY_UPDATE_NOT_REQUESTED => {
            c.core.request_key_update();
            Ok(())
        }
        S2N_KEY_UPDATE_REQUESTED => Err(Error::new(
            ErrorCode::InvalidArgument,
            "S2N_KEY_UPDATE_REQUESTED is not supported (as in s2n): use S2N_KEY_UPDATE_NOT_REQUESTED",
        )),
        other => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{other} is not an s2n_peer_key_update value"),
        )),
    }
    })
}
