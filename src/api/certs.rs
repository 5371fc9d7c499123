//! The exported functions on `struct s2n_cert_chain_and_key` (a certificate chain
//! with its private key) and `struct s2n_cert` (one certificate of a chain).

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::Ordering;

use super::boundary::{free_handle, guard, try_cbytes, try_mut, try_ref, try_slice, try_slice_mut};
use super::handles::{s2n_cert, s2n_cert_chain_and_key, s2n_cert_private_key};
use super::S2N_SUCCESS;
use crate::error::{Error, ErrorCode, Result};
use crate::x509;

/// Creates an empty certificate chain and key; load it with
/// `s2n_cert_chain_and_key_load_pem` (or `_load_pem_bytes`), free it with
/// `s2n_cert_chain_and_key_free`.
///
/// @returns The new object, or NULL on failure.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_new() -> *mut s2n_cert_chain_and_key {
    guard(|| Ok(s2n_cert_chain_and_key::new_handle()))
}

/// Loads a PEM certificate chain (leaf first) and the leaf's PEM private key
/// ("PRIVATE KEY" PKCS#8, "RSA PRIVATE KEY" PKCS#1 or "EC PRIVATE KEY" SEC1, after
/// an optional "EC PARAMETERS" block). Accepts ECDSA P-256/P-384, RSA 2048 bits or
/// more, and Ed25519. PEM is read as s2n-tls reads it: blocks may sit on one line
/// (as s2n's s2nc/s2nd embed them), with CRLF or other whitespace inside.
///
/// Errors (S2N_ERR_T_USAGE): a NULL argument; no certificate or a malformed one in
/// the chain (S2N_ERR_INVALID_PEM); no usable key (S2N_ERR_INVALID_PEM or
/// S2N_ERR_CERT_TYPE_UNSUPPORTED; encrypted keys are not supported); a key that
/// does not match the leaf's public key (S2N_ERR_KEY_MISMATCH). The message says
/// what was wrong. On failure the object keeps what it held before. rs2n wipes its
/// own copy of the decoded key once loaded.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_load_pem(
    chain_and_key: *mut s2n_cert_chain_and_key,
    chain_pem: *const c_char,
    private_key_pem: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: the pointers are NULL or valid as the API requires.
        let handle = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: as above.
        let chain = unsafe { try_cbytes(chain_pem, "chain_pem") }?;
        // SAFETY: as above.
        let key = unsafe { try_cbytes(private_key_pem, "private_key_pem") }?;
        handle.load(|c| c.load_pem(chain, key))?;
        Ok(S2N_SUCCESS)
    })
}

/// Like `s2n_cert_chain_and_key_load_pem`, with the PEM texts given as byte
/// arrays and lengths (no NUL needed). Same errors; NULL with a non-zero length is
/// S2N_ERR_NULL.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_load_pem_bytes(
    chain_and_key: *mut s2n_cert_chain_and_key,
    chain_pem: *mut u8,
    chain_pem_len: u32,
    private_key_pem: *mut u8,
    private_key_pem_len: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: NULL or valid for the given length, as the API requires.
        let chain = unsafe { try_slice(chain_pem, chain_pem_len as usize, "chain_pem") }?;
        // SAFETY: as above.
        let key = unsafe {
            try_slice(
                private_key_pem,
                private_key_pem_len as usize,
                "private_key_pem",
            )
        }?;
        handle.load(|c| c.load_pem(chain, key))?;
        Ok(S2N_SUCCESS)
    })
}

/// Loads a PEM certificate chain without a private key, to inspect it with
/// `s2n_cert_chain_get_cert`, or to serve with it on a config whose private key
/// operations the application makes (`s2n_config_set_async_pkey_callback`):
/// without that callback, a handshake that must sign with it fails
/// (S2N_ERR_NO_CERTIFICATE_IN_PEM).
///
/// Errors: NULL arguments; bad PEM (S2N_ERR_INVALID_PEM).
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_load_public_pem_bytes(
    chain_and_key: *mut s2n_cert_chain_and_key,
    chain_pem: *mut u8,
    chain_pem_len: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: NULL or valid for the given length.
        let chain = unsafe { try_slice(chain_pem, chain_pem_len as usize, "chain_pem") }?;
        handle.load(|c| c.load_public_pem(chain))?;
        Ok(S2N_SUCCESS)
    })
}

/// Frees a certificate chain and key, and the `s2n_cert` objects taken from it.
/// Configs it was added to keep their own reference, so freeing it early is safe
/// in rs2n (s2n-tls requires it to outlive those configs); a connection's
/// `s2n_connection_get_selected_cert` then returns NULL.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_free(cert_and_key: *mut s2n_cert_chain_and_key) -> c_int {
    guard(|| {
        // SAFETY: the handle came from s2n_cert_chain_and_key_new.
        unsafe { free_handle(cert_and_key, "cert_and_key") }?;
        Ok(S2N_SUCCESS)
    })
}

/// Stores an application pointer in the chain. Default NULL.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_set_ctx(
    cert_and_key: *mut s2n_cert_chain_and_key,
    ctx: *mut c_void,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(cert_and_key, "cert_and_key") }?;
        handle.ctx.store(ctx, Ordering::Release);
        Ok(S2N_SUCCESS)
    })
}

/// The pointer stored with `s2n_cert_chain_and_key_set_ctx`; NULL if none (or if
/// cert_and_key is NULL, with S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_get_ctx(
    cert_and_key: *mut s2n_cert_chain_and_key,
) -> *mut c_void {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(cert_and_key, "cert_and_key") }?;
        Ok(handle.ctx.load(Ordering::Acquire))
    })
}

/// The chain's private key, as an opaque pointer valid until the chain is freed,
/// for `s2n_async_pkey_op_perform`; nothing else can read the key through it.
///
/// Differs from s2n-tls: rs2n returns NULL (S2N_ERR_NO_CERT_FOUND) when no key is
/// loaded (empty or public-only chains), where s2n-tls returns an empty key object.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_get_private_key(
    cert_and_key: *mut s2n_cert_chain_and_key,
) -> *mut s2n_cert_private_key {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(cert_and_key, "cert_and_key") }?;
        match handle.with(|c| Ok(c.has_private_key()))? {
            true => Ok(std::ptr::addr_of!(handle.pkey).cast_mut()),
            false => Err(Error::new(
                ErrorCode::NoCertFound,
                "the cert chain and key has no private key loaded",
            )),
        }
    })
}

/// Writes the number of certificates in the chain (0 before anything is loaded).
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_get_length(
    chain_and_key: *const s2n_cert_chain_and_key,
    cert_length: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle, and NULL or a writable u32.
        let handle = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: as above.
        let out = unsafe { try_mut(cert_length, "cert_length") }?;
        let len = handle.with(|c| Ok(c.chain().len()))?;
        *out = u32::try_from(len).unwrap_or(u32::MAX);
        Ok(S2N_SUCCESS)
    })
}

/// Writes to `*out_cert` the certificate at `cert_idx` (0: the leaf). The
/// `s2n_cert` belongs to the chain and stays valid until the chain is freed.
///
/// Errors: NULL arguments; an index past the end (S2N_ERR_NO_CERT_FOUND).
#[no_mangle]
pub extern "C" fn s2n_cert_chain_get_cert(
    chain_and_key: *const s2n_cert_chain_and_key,
    out_cert: *mut *mut s2n_cert,
    cert_idx: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle, and NULL or a writable pointer.
        let handle = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: as above.
        let out = unsafe { try_mut(out_cert, "out_cert") }?;
        *out = handle.cert(cert_idx as usize)?;
        Ok(S2N_SUCCESS)
    })
}

/// Points `*out_cert_der` at the certificate's DER bytes and writes their length.
/// The bytes belong to the chain the certificate came from (for a peer's chain,
/// the application's `s2n_cert_chain_and_key`) and stay valid until it is freed.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_cert_get_der(
    cert: *const s2n_cert,
    out_cert_der: *mut *const u8,
    cert_length: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or an s2n_cert from s2n_cert_chain_get_cert whose chain lives.
        let cert = unsafe { try_ref(cert, "cert") }?;
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(out_cert_der, "out_cert_der") }?;
        // SAFETY: as above.
        let len = unsafe { try_mut(cert_length, "cert_length") }?;
        *len = u32::try_from(cert.der.len())
            .map_err(|_| Error::usage("the certificate is too long for a uint32_t"))?;
        *out = cert.der.as_ptr();
        Ok(S2N_SUCCESS)
    })
}

/// The extension with this OID in the certificate: its value and criticality.
fn find_extension(cert: *mut s2n_cert, oid: *const u8) -> Result<(Vec<u8>, bool)> {
    // SAFETY: NULL or an s2n_cert whose chain lives.
    let cert = unsafe { try_ref(cert, "cert") }?;
    // SAFETY: NULL or a NUL-terminated string.
    let oid = unsafe { try_cbytes(oid.cast(), "oid") }?;
    let oid = std::str::from_utf8(oid).map_err(|_| Error::usage("oid is not ASCII"))?;
    x509::extension(&cert.der, oid)
}

fn length_u32(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| Error::usage("the value is too long for a uint32_t"))
}

/// Writes the length of the DER value (the extnValue contents) of the extension
/// whose OID is given in dotted form, e.g. "2.5.29.17" for subjectAltName.
///
/// Differs from s2n-tls, which takes any OpenSSL object name: besides the dotted
/// form, rs2n knows OpenSSL's short and long names of the common extensions
/// ("subjectAltName", "X509v3 Subject Alternative Name", "basicConstraints",
/// "keyUsage", "extendedKeyUsage", ...), no others.
///
/// Errors: NULL arguments; an OID rs2n cannot read (S2N_ERR_INVALID_ARGUMENT); a
/// certificate without that extension (S2N_ERR_X509_EXTENSION_VALUE_NOT_FOUND).
#[no_mangle]
pub extern "C" fn s2n_cert_get_x509_extension_value_length(
    cert: *mut s2n_cert,
    oid: *const u8,
    ext_value_len: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(ext_value_len, "ext_value_len") }?;
        let (value, _) = find_extension(cert, oid)?;
        *out = length_u32(value.len())?;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the DER value of the extension with this OID (as for the `_length`
/// function) into
/// `ext_value`, whose size is given in `*ext_value_len`; writes the length copied
/// there and the extension's criticality to `*critical`.
///
/// Errors: as `s2n_cert_get_x509_extension_value_length`, and a buffer too small
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE; nothing is written).
#[no_mangle]
pub extern "C" fn s2n_cert_get_x509_extension_value(
    cert: *mut s2n_cert,
    oid: *const u8,
    ext_value: *mut u8,
    ext_value_len: *mut u32,
    critical: *mut bool,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or writable.
        let len = unsafe { try_mut(ext_value_len, "ext_value_len") }?;
        // SAFETY: as above.
        let critical = unsafe { try_mut(critical, "critical") }?;
        if ext_value.is_null() {
            return Err(Error::null("ext_value"));
        }
        let (value, is_critical) = find_extension(cert, oid)?;
        copy_out(&value, ext_value, len)?;
        *critical = is_critical;
        Ok(S2N_SUCCESS)
    })
}

/// Copies `value` into the caller's buffer of `*len` bytes and writes its length.
fn copy_out(value: &[u8], out: *mut u8, len: &mut u32) -> Result<()> {
    if value.len() > *len as usize {
        return Err(Error::new(
            ErrorCode::InsufficientMemSize,
            format!(
                "the value is {} bytes; the buffer holds {}",
                value.len(),
                *len
            ),
        ));
    }
    // SAFETY: `out` is valid for `*len` bytes, as the API requires.
    let buf = unsafe { try_slice_mut(out, value.len(), "output buffer") }?;
    buf.copy_from_slice(value);
    *len = length_u32(value.len())?;
    Ok(())
}

fn extension_text<'a>(extension_data: *const u8, extension_len: u32) -> Result<&'a str> {
    if extension_len == 0 {
        return Err(Error::usage("extension_len must not be 0"));
    }
    // SAFETY: NULL or valid for extension_len bytes.
    let data = unsafe { try_slice(extension_data, extension_len as usize, "extension_data") }?;
    x509::utf8_string(data)
}

/// Writes the length in bytes of the text of a DER UTF8String (an extension's
/// value, as `s2n_cert_get_x509_extension_value` gives it).
///
/// Errors: NULL arguments or a zero length; data that is not a DER UTF8String
/// (S2N_ERR_INVALID_X509_EXTENSION_TYPE).
#[no_mangle]
pub extern "C" fn s2n_cert_get_utf8_string_from_extension_data_length(
    extension_data: *const u8,
    extension_len: u32,
    utf8_str_len: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(utf8_str_len, "utf8_str_len") }?;
        let text = extension_text(extension_data, extension_len)?;
        *out = length_u32(text.len())?;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the text of a DER UTF8String (not NUL-terminated) into `out_data`, whose
/// size is given in `*out_len`, and writes its length there.
///
/// Errors: as the `_length` function, and a buffer too small
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE; nothing is written).
#[no_mangle]
pub extern "C" fn s2n_cert_get_utf8_string_from_extension_data(
    extension_data: *const u8,
    extension_len: u32,
    out_data: *mut u8,
    out_len: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or writable.
        let len = unsafe { try_mut(out_len, "out_len") }?;
        if out_data.is_null() {
            return Err(Error::null("out_data"));
        }
        let text = extension_text(extension_data, extension_len)?;
        copy_out(text.as_bytes(), out_data, len)?;
        Ok(S2N_SUCCESS)
    })
}
