//! The exported functions that set a config's session cache callbacks (stateful
//! resumption), and their C types.

use std::ffi::{c_int, c_void};

use super::boundary::{guard, try_ref};
use super::handles::{s2n_config, s2n_connection, CacheCallbacks, Ctx};
use super::S2N_SUCCESS;
use crate::error::{Error, Result};
use crate::sync;

/// Stores `value` under `key` for `ttl_in_seconds`. Return 0 on success. A key of
/// at most 32 bytes is a TLS1.2 session ID; a longer one (48 bytes) an rs2n TLS1.3
/// ticket, used once (see `s2n_cache_retrieve_callback`).
pub type s2n_cache_store_callback = Option<
    unsafe extern "C" fn(
        conn: *mut s2n_connection,
        ctx: *mut c_void,
        ttl_in_seconds: u64,
        key: *const c_void,
        key_size: u64,
        value: *const c_void,
        value_size: u64,
    ) -> c_int,
>;

/// Looks `key` up: copies the value into `value` (which holds `*value_size` bytes)
/// and sets `*value_size` to its length. Return 0 when found, S2N_CALLBACK_BLOCKED
/// when the answer is not ready yet (the handshake pauses: `s2n_negotiate` returns
/// blocked with S2N_BLOCKED_ON_APPLICATION_INPUT and asks again when called again),
/// anything else for a miss.
///
/// Which entries to take (rs2n's rule; s2n-tls caches TLS1.2 sessions only): a key
/// longer than 32 bytes is a TLS1.3 ticket, which resumes once. Take it: read and
/// delete it in one atomic step (e.g. Redis GETDEL), so that two connections, on
/// one server or on servers sharing the cache, cannot both resume it. A key of at
/// most 32 bytes is a TLS1.2 session ID, which resumes again and again: read it and
/// leave it. A ticket looked up is spent even when it does not resume (say, on a
/// server with other ticket keys). rs2n still calls the delete callback for a
/// TLS1.3 ticket it resumed, so a cache that only reads deletes used tickets too,
/// but not atomically. A retrieve that returned S2N_CALLBACK_BLOCKED is asked again
/// for the same key: answer from what the first call took.
pub type s2n_cache_retrieve_callback = Option<
    unsafe extern "C" fn(
        conn: *mut s2n_connection,
        ctx: *mut c_void,
        key: *const c_void,
        key_size: u64,
        value: *mut c_void,
        value_size: *mut u64,
    ) -> c_int,
>;

/// Deletes `key`. Return 0 on success.
pub type s2n_cache_delete_callback = Option<
    unsafe extern "C" fn(
        conn: *mut s2n_connection,
        ctx: *mut c_void,
        key: *const c_void,
        key_size: u64,
    ) -> c_int,
>;

/// Changes the config's cache callbacks, then gives the config the cache they make.
fn with_callbacks(
    config: *mut s2n_config,
    change: impl FnOnce(&mut CacheCallbacks) -> Result<()>,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live config handle.
        let handle = unsafe { try_ref(config, "config") }?;
        let mut callbacks = sync::lock(&handle.cache);
        change(&mut callbacks)?;
        handle.core.set_session_cache(callbacks.cache())?;
        Ok(S2N_SUCCESS)
    })
}

/// Sets the callback that stores a session in the application's cache, and its
/// context. The ttl it gets is the smaller of 6 hours (what s2n-tls always passes)
/// and the session state lifetime. The value is sealed with the config's ticket
/// keys: the cache never holds a session secret in the clear.
///
/// Errors: NULL config or callback.
#[no_mangle]
pub extern "C" fn s2n_config_set_cache_store_callback(
    config: *mut s2n_config,
    cache_store_callback: s2n_cache_store_callback,
    data: *mut c_void,
) -> c_int {
    with_callbacks(config, |c| {
        let f = cache_store_callback.ok_or_else(|| Error::null("cache_store_callback"))?;
        c.store = Some((f, Ctx(data)));
        Ok(())
    })
}

/// Sets the callback that looks a session up in the application's cache, and its
/// context; see `s2n_cache_retrieve_callback` for the entries it should take (read
/// and delete atomically): TLS1.3 tickets, keys over 32 bytes. rs2n offers it a 16
/// KiB buffer; a value that does not fit, a failing
/// callback, or a value that does not authenticate under a ticket key (tampered,
/// from another fleet, expired key, older than the session state lifetime) is a
/// miss: a full handshake, never an error.
///
/// Errors: NULL config or callback.
#[no_mangle]
pub extern "C" fn s2n_config_set_cache_retrieve_callback(
    config: *mut s2n_config,
    cache_retrieve_callback: s2n_cache_retrieve_callback,
    data: *mut c_void,
) -> c_int {
    with_callbacks(config, |c| {
        let f = cache_retrieve_callback.ok_or_else(|| Error::null("cache_retrieve_callback"))?;
        c.retrieve = Some((f, Ctx(data)));
        Ok(())
    })
}

/// Sets the callback that deletes a session from the application's cache, and its
/// context. It is called for the session of a connection that fails or whose peer
/// ends the transport without close_notify (applications must shut down
/// gracefully to keep sessions resumable), and for a TLS1.3 session when it is
/// used (those are single-use; a no-op if the retrieve callback took it).
///
/// Errors: NULL config or callback.
#[no_mangle]
pub extern "C" fn s2n_config_set_cache_delete_callback(
    config: *mut s2n_config,
    cache_delete_callback: s2n_cache_delete_callback,
    data: *mut c_void,
) -> c_int {
    with_callbacks(config, |c| {
        let f = cache_delete_callback.ok_or_else(|| Error::null("cache_delete_callback"))?;
        c.delete = Some((f, Ctx(data)));
        Ok(())
    })
}

/// Turns stateful resumption through the session cache on (1) or off (0). As in
/// s2n-tls, it turns on only if the store, retrieve and delete callbacks are all
/// set; otherwise it returns S2N_SUCCESS and the cache stays off. A ticket key
/// (`s2n_config_add_ticket_crypto_key`) is needed to seal cached values: without
/// one that can encrypt, nothing is stored.
///
/// TLS1.2 resumes by session ID. TLS1.3 (an rs2n extension: s2n-tls does not cache
/// TLS1.3 sessions): with session tickets off, the server's TLS1.3 tickets are keys
/// into this cache (48 bytes: longer than any session ID), each used once, with the
/// store ttl as their lifetime hint.
///
/// Differs from s2n-tls: the callbacks run while the connection is busy, so on the
/// `conn` they are given only `s2n_connection_get_ctx` (and `_set_ctx`) works;
/// other calls on it fail with S2N_ERR_CONNECTION_IN_USE, `s2n_connection_free`
/// and `s2n_connection_wipe` included. Keep per-connection data the callbacks
/// need in the connection's context. No lock is held while they run: they may
/// change the config and use other connections (see "Callbacks" at the top).
#[no_mangle]
pub extern "C" fn s2n_config_set_session_cache_onoff(
    config: *mut s2n_config,
    enabled: u8,
) -> c_int {
    with_callbacks(config, |c| {
        c.on = enabled != 0 && c.store.is_some() && c.retrieve.is_some() && c.delete.is_some();
        Ok(())
    })
}
