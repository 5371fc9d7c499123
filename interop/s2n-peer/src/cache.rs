//! The server's in-memory session-ID cache (`--cache`): a map behind a mutex,
//! reached through s2n's cache store / retrieve / delete callbacks.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::sync::Mutex;

use s2n_tls::ffi;

pub type Cache = Mutex<HashMap<Vec<u8>, Vec<u8>>>;

pub unsafe extern "C" fn cache_store(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    _ttl: u64,
    key: *const c_void,
    key_size: u64,
    value: *const c_void,
    value_size: u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize).to_vec();
    let v = std::slice::from_raw_parts(value as *const u8, value_size as usize).to_vec();
    if let Ok(mut m) = cache.lock() {
        if m.len() < 10_000 {
            m.insert(k, v);
        }
    }
    0
}

pub unsafe extern "C" fn cache_retrieve(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    key: *const c_void,
    key_size: u64,
    value: *mut c_void,
    value_size: *mut u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize);
    let Ok(m) = cache.lock() else { return -1 };
    match m.get(k) {
        Some(v) if (v.len() as u64) <= *value_size => {
            std::ptr::copy_nonoverlapping(v.as_ptr(), value as *mut u8, v.len());
            *value_size = v.len() as u64;
            0
        }
        _ => -1, // miss: s2n falls back to a full handshake
    }
}

pub unsafe extern "C" fn cache_delete(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    key: *const c_void,
    key_size: u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize);
    if let Ok(mut m) = cache.lock() {
        m.remove(k);
    }
    0
}
