//! ClientHello fingerprints (s2n-tls's api/unstable/fingerprint.h): JA3 and JA4,
//! computed from a ClientHello (`s2n_connection_get_client_hello` or
//! `s2n_client_hello_parse_message`) as s2n-tls computes them. JA3 hashes with
//! MD5, as its definition requires (a fingerprint, not a security measure).

use std::ffi::c_int;

use super::boundary::{guard, into_handle, try_mut, try_slice_mut};
use super::client_hello::s2n_client_hello;
use super::S2N_SUCCESS;
use crate::client_hello::fingerprint::{self, Fingerprint, Method, JA3_DIGEST_LEN};
use crate::client_hello::ClientHello;
use crate::error::{Error, ErrorCode, Result};

/// The fingerprinting methods.
#[repr(C)]
pub enum S2nFingerprintType {
    /// JA3 (Salesforce): an MD5 hash of the hello's version, cipher suites,
    /// extensions, groups and point formats.
    S2N_FINGERPRINT_JA3 = 0,
    /// JA4 (FoxIO): a readable prefix and two truncated SHA-256 hashes.
    S2N_FINGERPRINT_JA4 = 1,
}

/// `s2n_fingerprint_type` as the functions take it.
pub type s2n_fingerprint_type = c_int;

/// A reusable fingerprint: its method, and the ClientHello it is of.
pub struct s2n_fingerprint {
    method: Method,
    /// A copy of the hello given to `s2n_fingerprint_set_client_hello`.
    hello: Option<ClientHello>,
    /// The length of the last string computed (0: none yet).
    raw_size: usize,
}

fn invalid(what: &str) -> Error {
    Error::new(ErrorCode::InvalidArgument, what.to_string())
}

fn method_of(kind: s2n_fingerprint_type) -> Result<Method> {
    match kind {
        0 => Ok(Method::Ja3),
        1 => Ok(Method::Ja4),
        other => Err(invalid(&format!("unknown fingerprint type {other}"))),
    }
}

/// The handle behind a pointer; NULL is S2N_ERR_INVALID_ARGUMENT, as in s2n-tls.
fn handle<'a>(fp: *const s2n_fingerprint) -> Result<&'a s2n_fingerprint> {
    // SAFETY: NULL or a live fingerprint from s2n_fingerprint_new.
    unsafe { fp.as_ref() }.ok_or_else(|| invalid("fingerprint is NULL"))
}

fn handle_mut<'a>(fp: *mut s2n_fingerprint) -> Result<&'a mut s2n_fingerprint> {
    // SAFETY: NULL or a live fingerprint from s2n_fingerprint_new, used by one
    // call at a time as the API requires.
    unsafe { fp.as_mut() }.ok_or_else(|| invalid("fingerprint is NULL"))
}

fn hello_of(ch: *mut s2n_client_hello) -> Result<ClientHello> {
    // SAFETY: NULL or a live ClientHello handle, as the API requires.
    let ch = unsafe { ch.as_ref() };
    ch.map(|h| h.0.clone())
        .ok_or_else(|| invalid("the ClientHello is NULL"))
}

/// A caller's output buffer and length pointer, both required.
fn output<'a>(out: *mut u8, max: u32, out_size: *mut u32) -> Result<(&'a mut [u8], &'a mut u32)> {
    if out.is_null() || out_size.is_null() {
        return Err(invalid("output and output_size must not be NULL"));
    }
    // SAFETY: `out` is writable for `max` bytes and `out_size` writable, as the
    // API requires.
    let buf = unsafe { try_slice_mut(out, max as usize, "output") }?;
    // SAFETY: as above.
    let size = unsafe { try_mut(out_size, "output_size") }?;
    *size = 0;
    Ok((buf, size))
}

fn too_small(need: usize, have: u32) -> Error {
    Error::new(
        ErrorCode::InsufficientMemSize,
        format!("the output holds {have} bytes and {need} are needed"),
    )
}

impl s2n_fingerprint {
    fn compute(&mut self) -> Result<Fingerprint> {
        let hello = self.hello.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidState,
                "no ClientHello: call s2n_fingerprint_set_client_hello first",
            )
        })?;
        let f = fingerprint::fingerprint(hello, self.method)?;
        self.raw_size = f.raw.len();
        Ok(f)
    }
}

/// A new fingerprint of the given type; free it with `s2n_fingerprint_free`.
///
/// Errors (NULL returned): an unknown type (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_new(
    fingerprint_type: s2n_fingerprint_type,
) -> *mut s2n_fingerprint {
    guard(|| {
        let method = method_of(fingerprint_type)?;
        Ok(into_handle(s2n_fingerprint {
            method,
            hello: None,
            raw_size: 0,
        }))
    })
}

/// Frees a fingerprint and sets `*fingerprint` to NULL. NULL, or a pointer to
/// NULL, is accepted.
#[no_mangle]
pub extern "C" fn s2n_fingerprint_free(fingerprint: *mut *mut s2n_fingerprint) -> c_int {
    guard(|| {
        // SAFETY: NULL or a writable pointer, as the API requires.
        let Some(slot) = (unsafe { fingerprint.as_mut() }) else {
            return Ok(S2N_SUCCESS);
        };
        if !slot.is_null() {
            // SAFETY: a fingerprint from s2n_fingerprint_new (into_handle), freed
            // once: the slot is cleared.
            drop(unsafe { Box::from_raw(*slot) });
            *slot = std::ptr::null_mut();
        }
        Ok(S2N_SUCCESS)
    })
}

/// Forgets the ClientHello, to reuse the fingerprint for another.
///
/// Errors: NULL fingerprint (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_wipe(fingerprint: *mut s2n_fingerprint) -> c_int {
    guard(|| {
        let fp = handle_mut(fingerprint)?;
        fp.hello = None;
        fp.raw_size = 0;
        Ok(S2N_SUCCESS)
    })
}

/// Sets the ClientHello to fingerprint. rs2n keeps a copy, so the hello may be
/// freed (or its connection wiped) afterwards, which s2n-tls does not allow.
///
/// Errors: NULL fingerprint or ch (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_set_client_hello(
    fingerprint: *mut s2n_fingerprint,
    ch: *mut s2n_client_hello,
) -> c_int {
    guard(|| {
        let fp = handle_mut(fingerprint)?;
        let hello = hello_of(ch)?;
        fp.hello = Some(hello);
        fp.raw_size = 0;
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*size` to the length of the method's hash string: 32 for JA3 (hex MD5),
/// 36 for JA4.
///
/// Errors: NULL fingerprint or size (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_get_hash_size(
    fingerprint: *const s2n_fingerprint,
    size: *mut u32,
) -> c_int {
    guard(|| {
        let fp = handle(fingerprint)?;
        if size.is_null() {
            return Err(invalid("size is NULL"));
        }
        // SAFETY: a writable u32, as the API requires.
        *unsafe { try_mut(size, "size") }? = fp.method.hash_len() as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Writes the hash string (not NUL-terminated) to `output` and its length to
/// `*output_size`.
///
/// Errors: NULL fingerprint, output or output_size (S2N_ERR_INVALID_ARGUMENT);
/// `max_output_size` under the hash size (S2N_ERR_INSUFFICIENT_MEM_SIZE); no
/// ClientHello set (S2N_ERR_INVALID_STATE); a hello whose extensions cannot be
/// read for it (S2N_ERR_BAD_MESSAGE).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_get_hash(
    fingerprint: *mut s2n_fingerprint,
    max_output_size: u32,
    output: *mut u8,
    output_size: *mut u32,
) -> c_int {
    guard(|| {
        let fp = handle_mut(fingerprint)?;
        let need = fp.method.hash_len();
        if (max_output_size as usize) < need {
            return Err(too_small(need, max_output_size));
        }
        let (buf, size) = self::output(output, max_output_size, output_size)?;
        let f = fp.compute()?;
        buf[..f.hash.len()].copy_from_slice(f.hash.as_bytes());
        *size = f.hash.len() as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*size` to the length of the full (unhashed) string, known once
/// `s2n_fingerprint_get_hash` or `s2n_fingerprint_get_raw` has run.
///
/// Errors: NULL fingerprint or size (S2N_ERR_INVALID_ARGUMENT); before either
/// (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_get_raw_size(
    fingerprint: *const s2n_fingerprint,
    size: *mut u32,
) -> c_int {
    guard(|| {
        let fp = handle(fingerprint)?;
        if size.is_null() {
            return Err(invalid("size is NULL"));
        }
        if fp.raw_size == 0 {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the raw size is known once s2n_fingerprint_get_hash or s2n_fingerprint_get_raw has run",
            ));
        }
        // SAFETY: a writable u32, as the API requires.
        *unsafe { try_mut(size, "size") }? = fp.raw_size as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Writes the full (unhashed) string (not NUL-terminated) to `output` and its
/// length to `*output_size`: JA3's string, or JA4's "raw" form (the lists the
/// hashes are of).
///
/// Errors: NULL fingerprint, output or output_size (S2N_ERR_INVALID_ARGUMENT); a
/// zero or too small `max_output_size` (S2N_ERR_INSUFFICIENT_MEM_SIZE); no
/// ClientHello set (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_fingerprint_get_raw(
    fingerprint: *mut s2n_fingerprint,
    max_output_size: u32,
    output: *mut u8,
    output_size: *mut u32,
) -> c_int {
    guard(|| {
        write_raw(
            handle_mut(fingerprint)?,
            max_output_size,
            output,
            output_size,
        )
    })
}

/// The full string of `fp` into the caller's `output` (at most `max` bytes).
fn write_raw(
    fp: &mut s2n_fingerprint,
    max: u32,
    output: *mut u8,
    output_size: *mut u32,
) -> Result<c_int> {
    if max == 0 {
        return Err(too_small(1, 0));
    }
    let (buf, size) = self::output(output, max, output_size)?;
    let f = fp.compute()?;
    if f.raw.len() > buf.len() {
        return Err(too_small(f.raw.len(), max));
    }
    buf[..f.raw.len()].copy_from_slice(f.raw.as_bytes());
    *size = f.raw.len() as u32;
    Ok(S2N_SUCCESS)
}

/// The JA3 hash of a ClientHello as its 16 MD5 bytes in `hash` (`*hash_size` =
/// 16), and the length of the JA3 string in `*str_size`. JA3 only, as in s2n-tls.
///
/// Errors: another type, NULL hash, hash_size or str_size
/// (S2N_ERR_INVALID_ARGUMENT); `max_hash_size` under 16
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE); NULL ch (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_fingerprint_hash(
    ch: *mut s2n_client_hello,
    fingerprint_type: s2n_fingerprint_type,
    max_hash_size: u32,
    hash: *mut u8,
    hash_size: *mut u32,
    str_size: *mut u32,
) -> c_int {
    guard(|| {
        if method_of(fingerprint_type)? != Method::Ja3 {
            return Err(invalid("only S2N_FINGERPRINT_JA3 is offered here"));
        }
        if (max_hash_size as usize) < JA3_DIGEST_LEN {
            return Err(too_small(JA3_DIGEST_LEN, max_hash_size));
        }
        if str_size.is_null() {
            return Err(invalid("str_size is NULL"));
        }
        let (buf, size) = output(hash, max_hash_size, hash_size)?;
        let f = fingerprint::fingerprint(&hello_of(ch)?, Method::Ja3)?;
        for (i, out) in buf[..JA3_DIGEST_LEN].iter_mut().enumerate() {
            *out = u8::from_str_radix(&f.hash[2 * i..2 * i + 2], 16)
                .map_err(|_| Error::new(ErrorCode::Internal, "a JA3 hash that is not hex"))?;
        }
        *size = JA3_DIGEST_LEN as u32;
        // SAFETY: checked non-NULL above; writable as the API requires.
        *unsafe { try_mut(str_size, "str_size") }? = f.raw.len() as u32;
        Ok(S2N_SUCCESS)
    })
}

/// The JA3 string of a ClientHello (not NUL-terminated) in `output`, its length in
/// `*output_size`. JA3 only, as in s2n-tls.
///
/// Errors: another type, NULL ch, output or output_size (S2N_ERR_INVALID_ARGUMENT);
/// a zero or too small `max_size` (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_fingerprint_string(
    ch: *mut s2n_client_hello,
    fingerprint_type: s2n_fingerprint_type,
    max_size: u32,
    output: *mut u8,
    output_size: *mut u32,
) -> c_int {
    guard(|| {
        if method_of(fingerprint_type)? != Method::Ja3 {
            return Err(invalid("only S2N_FINGERPRINT_JA3 is offered here"));
        }
        let mut fp = s2n_fingerprint {
            method: Method::Ja3,
            hello: Some(hello_of(ch)?),
            raw_size: 0,
        };
        write_raw(&mut fp, max_size, output, output_size)
    })
}
