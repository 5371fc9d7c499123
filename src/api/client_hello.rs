//! `struct s2n_client_hello`: the ClientHello a server received
//! (`s2n_connection_get_client_hello`, owned by the connection) or one parsed from
//! bytes (`s2n_client_hello_parse_message`, owned by the application), and its
//! accessors, which read it as s2n-tls does.

use std::ffi::c_int;

use libc::ssize_t;

use super::boundary::{guard, into_handle, try_mut, try_ref, try_slice, try_slice_mut};
use super::handles::{query, s2n_connection};
use super::{s2n_tls_extension_type, S2N_SUCCESS};
use crate::client_hello::{ClientHello, HelloOwner, RANDOM_LEN};
use crate::error::{Error, ErrorCode, Result};

/// A ClientHello: the connection's (valid until it is wiped or freed) or the
/// application's (freed with `s2n_client_hello_free`).
#[repr(transparent)]
pub struct s2n_client_hello(pub(crate) ClientHello);

/// The hello behind a C pointer, or S2N_ERR_NULL.
fn hello<'a>(ch: *mut s2n_client_hello) -> Result<&'a ClientHello> {
    // SAFETY: NULL or a hello from s2n_connection_get_client_hello (alive while its
    // connection is not wiped or freed) or s2n_client_hello_parse_message (until
    // freed), as the API requires.
    Ok(&unsafe { try_ref(ch, "ch") }?.0)
}

/// A caller's output buffer of `len` bytes; NULL is an error even when empty.
fn out_buffer<'a>(out: *mut u8, len: usize, what: &'static str) -> Result<&'a mut [u8]> {
    if out.is_null() {
        return Err(Error::null(what));
    }
    // SAFETY: `out` is valid for writes of `len` bytes, as the API requires.
    unsafe { try_slice_mut(out, len, what) }
}

/// Copies the start of `src` that fits `out`: the count copied.
fn copy_prefix(src: &[u8], out: *mut u8, max_length: u32) -> Result<ssize_t> {
    let n = src.len().min(max_length as usize);
    out_buffer(out, n, "out")?.copy_from_slice(&src[..n]);
    Ok(n as ssize_t)
}

/// The ClientHello a server connection received, for the client hello callback
/// and later: owned by the connection, valid until it is wiped or freed (do not
/// free it). NULL (with no error recorded) before a whole ClientHello has been
/// read, and on a client.
///
/// Differs from s2n-tls after a HelloRetryRequest: rs2n keeps the first
/// ClientHello, s2n-tls the second.
///
/// Errors: NULL conn (NULL returned).
#[no_mangle]
pub extern "C" fn s2n_connection_get_client_hello(
    conn: *mut s2n_connection,
) -> *mut s2n_client_hello {
    query(conn, |c| {
        Ok(c.core.client_hello().map_or(std::ptr::null_mut(), |h| {
            std::sync::Arc::as_ptr(h)
                .cast::<s2n_client_hello>()
                .cast_mut()
        }))
    })
}

/// Parses a ClientHello message: `size` bytes of `bytes`, with the 4-byte
/// handshake header and without a record header. The result belongs to the
/// application: free it with `s2n_client_hello_free`. It has no record version
/// (`s2n_client_hello_get_legacy_record_version` fails). SSLv2 hellos are not read.
///
/// Errors (NULL returned): NULL bytes; not a ClientHello, a length that does not
/// match, a malformed field (S2N_ERR_BAD_MESSAGE); a known extension twice
/// (S2N_ERR_DUPLICATE_EXTENSION).
#[no_mangle]
pub extern "C" fn s2n_client_hello_parse_message(
    bytes: *const u8,
    size: u32,
) -> *mut s2n_client_hello {
    guard(|| {
        if bytes.is_null() {
            return Err(Error::null("bytes"));
        }
        // SAFETY: `bytes` is valid for reads of `size` bytes, as the API requires.
        let message = unsafe { try_slice(bytes, size as usize, "bytes") }?;
        let parsed = ClientHello::parse_message(message)?;
        Ok(into_handle(s2n_client_hello(parsed)))
    })
}

/// Frees a ClientHello from `s2n_client_hello_parse_message` and sets `*ch` to
/// NULL. A NULL `*ch` is accepted.
///
/// Errors: NULL ch; a connection's ClientHello (S2N_ERR_INVALID_ARGUMENT: it
/// stays with its connection).
#[no_mangle]
pub extern "C" fn s2n_client_hello_free(ch: *mut *mut s2n_client_hello) -> c_int {
    guard(|| {
        // SAFETY: NULL or a writable pointer, as the API requires.
        let slot = unsafe { try_mut(ch, "ch") }?;
        if slot.is_null() {
            return Ok(S2N_SUCCESS);
        }
        if hello(*slot)?.owner() != HelloOwner::Application {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "this ClientHello belongs to its connection: it is freed with the connection",
            ));
        }
        // SAFETY: an application's hello comes from into_handle in
        // s2n_client_hello_parse_message and is freed once (the slot is cleared).
        drop(unsafe { Box::from_raw(*slot) });
        *slot = std::ptr::null_mut();
        Ok(S2N_SUCCESS)
    })
}

/// The length of the ClientHello message (after its 4-byte handshake header).
///
/// Errors: NULL ch (-1).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_raw_message_length(ch: *mut s2n_client_hello) -> ssize_t {
    guard(|| Ok(hello(ch)?.raw_message().len() as ssize_t))
}

/// Copies up to `max_length` bytes of the ClientHello message (after its 4-byte
/// handshake header) to `out`, the client random zeroed (see
/// `s2n_client_hello_get_random`).
///
/// @returns The number of bytes copied, or -1 for NULL ch or out.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_raw_message(
    ch: *mut s2n_client_hello,
    out: *mut u8,
    max_length: u32,
) -> ssize_t {
    guard(|| copy_prefix(hello(ch)?.raw_message(), out, max_length))
}

/// The length in bytes of the client's cipher suite list.
///
/// Errors: NULL ch (-1).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_cipher_suites_length(ch: *mut s2n_client_hello) -> ssize_t {
    guard(|| Ok(hello(ch)?.cipher_suites().len() as ssize_t))
}

/// Copies up to `max_length` bytes of the client's cipher suites (2 bytes each,
/// as sent) to `out`.
///
/// @returns The number of bytes copied, or -1 for NULL ch or out.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_cipher_suites(
    ch: *mut s2n_client_hello,
    out: *mut u8,
    max_length: u32,
) -> ssize_t {
    guard(|| copy_prefix(hello(ch)?.cipher_suites(), out, max_length))
}

/// The length of the ClientHello's extension block (without its own 2-byte length).
///
/// Errors: NULL ch (-1).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_extensions_length(ch: *mut s2n_client_hello) -> ssize_t {
    guard(|| Ok(hello(ch)?.extensions().len() as ssize_t))
}

/// Copies up to `max_length` bytes of the extension block as sent (each
/// extension's type, length and data; without the block's own length) to `out`.
///
/// @returns The number of bytes copied, or -1 for NULL ch or out.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_extensions(
    ch: *mut s2n_client_hello,
    out: *mut u8,
    max_length: u32,
) -> ssize_t {
    guard(|| copy_prefix(hello(ch)?.extensions(), out, max_length))
}

/// The extension type as a 16-bit IANA number, or None for a value outside it.
fn extension_id(extension_type: s2n_tls_extension_type) -> Option<u16> {
    u16::try_from(extension_type).ok()
}

/// The length of one extension's data. As s2n-tls, only extensions s2n-tls knows
/// are found (any other, and one not sent, gives 0; see
/// `s2n_client_hello_has_extension` for any type).
///
/// Errors: NULL ch (-1).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_extension_length(
    ch: *mut s2n_client_hello,
    extension_type: s2n_tls_extension_type,
) -> ssize_t {
    guard(|| {
        let h = hello(ch)?;
        let data = extension_id(extension_type).and_then(|id| h.known_extension(id));
        Ok(data.map_or(0, |d| d.len() as ssize_t))
    })
}

/// Copies up to `max_length` bytes of one extension's data to `out`. As s2n-tls,
/// only extensions s2n-tls knows are found.
///
/// @returns The number of bytes copied (0 for an extension not sent or not
/// known), or -1 for NULL ch or out.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_extension_by_id(
    ch: *mut s2n_client_hello,
    extension_type: s2n_tls_extension_type,
    out: *mut u8,
    max_length: u32,
) -> ssize_t {
    guard(|| {
        let h = hello(ch)?;
        if out.is_null() {
            return Err(Error::null("out"));
        }
        match extension_id(extension_type).and_then(|id| h.known_extension(id)) {
            Some(data) => copy_prefix(data, out, max_length),
            None => Ok(0),
        }
    })
}

/// Sets `*exists` to whether the client sent the extension `extension_iana` (any
/// type, known to s2n-tls or not).
///
/// Errors: NULL ch or exists.
#[no_mangle]
pub extern "C" fn s2n_client_hello_has_extension(
    ch: *mut s2n_client_hello,
    extension_iana: u16,
    exists: *mut bool,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable bool, as the API requires.
        let exists = unsafe { try_mut(exists, "exists") }?;
        *exists = h.has_extension(extension_iana);
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*out_length` to the length of the client's legacy session ID (0 to 32).
///
/// Errors: NULL ch or out_length.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_session_id_length(
    ch: *mut s2n_client_hello,
    out_length: *mut u32,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable u32, as the API requires.
        *unsafe { try_mut(out_length, "out_length") }? = h.session_id().len() as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Copies up to `max_length` bytes of the session ID the client sent to `out`
/// and sets `*out_length` to the count. (The connection's session ID may differ
/// later: see `s2n_connection_get_session_id`.)
///
/// Errors: NULL ch, out or out_length.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_session_id(
    ch: *mut s2n_client_hello,
    out: *mut u8,
    out_length: *mut u32,
    max_length: u32,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable u32, as the API requires.
        let out_length = unsafe { try_mut(out_length, "out_length") }?;
        *out_length = copy_prefix(h.session_id(), out, max_length)? as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*out_length` to the length of the client's compression method list.
///
/// Errors: NULL ch or out_length.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_compression_methods_length(
    ch: *mut s2n_client_hello,
    out_length: *mut u32,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable u32, as the API requires.
        *unsafe { try_mut(out_length, "out_length") }? = h.compression_methods().len() as u32;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the client's compression methods (one byte each; rs2n, like s2n-tls,
/// never uses compression) to `list` and sets `*out_length` to their count.
///
/// Errors: NULL ch, list or out_length; `list_length` shorter than the list
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE, nothing written).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_compression_methods(
    ch: *mut s2n_client_hello,
    list: *mut u8,
    list_length: u32,
    out_length: *mut u32,
) -> c_int {
    guard(|| {
        let methods = hello(ch)?.compression_methods();
        // SAFETY: NULL or a writable u32, as the API requires.
        let out_length = unsafe { try_mut(out_length, "out_length") }?;
        if list.is_null() {
            return Err(Error::null("list"));
        }
        if (list_length as usize) < methods.len() {
            return Err(too_small("list", list_length as usize, methods.len()));
        }
        out_buffer(list, methods.len(), "list")?.copy_from_slice(methods);
        *out_length = methods.len() as u32;
        Ok(S2N_SUCCESS)
    })
}

fn too_small(what: &str, have: usize, need: usize) -> Error {
    Error::new(
        ErrorCode::InsufficientMemSize,
        format!("{what} holds {have} and {need} are needed"),
    )
}

/// Sets `*out` to the ClientHello's legacy_version in s2n's numbering (33 for
/// TLS1.2's 0x0303; a TLS1.3 client also sends 33). For logging and fingerprints.
///
/// Errors: NULL ch or out.
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_legacy_protocol_version(
    ch: *mut s2n_client_hello,
    out: *mut u8,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable byte, as the API requires.
        *unsafe { try_mut(out, "out") }? = h.legacy_version();
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*out` to the version in the header of the record that carried the
/// ClientHello, in s2n's numbering (often 31, TLS1.0). For logging and
/// fingerprints.
///
/// Errors: NULL ch or out; a hello from `s2n_client_hello_parse_message`, which
/// had no record (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_legacy_record_version(
    ch: *mut s2n_client_hello,
    out: *mut u8,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable byte, as the API requires.
        let out = unsafe { try_mut(out, "out") }?;
        *out = h.legacy_record_version()?;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the 32-byte client random to `out`.
///
/// Errors: NULL ch or out; `max_length` under 32 (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_random(
    ch: *mut s2n_client_hello,
    out: *mut u8,
    max_length: u32,
) -> c_int {
    guard(|| {
        let random = hello(ch)?.random();
        if out.is_null() {
            return Err(Error::null("out"));
        }
        if (max_length as usize) < RANDOM_LEN {
            return Err(too_small("out", max_length as usize, RANDOM_LEN));
        }
        out_buffer(out, RANDOM_LEN, "out")?.copy_from_slice(random);
        Ok(S2N_SUCCESS)
    })
}

/// Writes the groups (IANA numbers) of the client's supported_groups extension to
/// `groups`, in its order, and their count to `*groups_count` (set to 0 first).
///
/// Errors: NULL ch, groups or groups_count; no supported_groups extension
/// (S2N_ERR_EXTENSION_NOT_RECEIVED); a malformed one (S2N_ERR_BAD_MESSAGE); more
/// groups than `groups_count_max` (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_supported_groups(
    ch: *mut s2n_client_hello,
    groups: *mut u16,
    groups_count_max: u16,
    groups_count: *mut u16,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a writable u16, as the API requires.
        let count = unsafe { try_mut(groups_count, "groups_count") }?;
        *count = 0;
        let h = hello(ch)?;
        if groups.is_null() {
            return Err(Error::null("groups"));
        }
        let list = h.supported_groups()?;
        if list.len() > usize::from(groups_count_max) {
            return Err(too_small(
                "groups",
                usize::from(groups_count_max),
                list.len(),
            ));
        }
        // SAFETY: `groups` holds `groups_count_max` (>= list.len()) u16s, as the
        // API requires.
        let out = unsafe { std::slice::from_raw_parts_mut(groups, list.len()) };
        out.copy_from_slice(&list);
        *count = list.len() as u16;
        Ok(S2N_SUCCESS)
    })
}

/// Sets `*length` to the length of the first host name in the client's
/// server_name extension.
///
/// Errors: NULL ch or length; no server_name extension
/// (S2N_ERR_EXTENSION_NOT_RECEIVED); a malformed one (S2N_ERR_BAD_MESSAGE).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_server_name_length(
    ch: *mut s2n_client_hello,
    length: *mut u16,
) -> c_int {
    guard(|| {
        let h = hello(ch)?;
        // SAFETY: NULL or a writable u16, as the API requires.
        let length = unsafe { try_mut(length, "length") }?;
        *length = 0;
        *length = h.server_name()?.len() as u16;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the first host name of the client's server_name extension to
/// `server_name` (not NUL-terminated) and its length to `*out_length`.
///
/// Errors: NULL arguments; no server_name extension
/// (S2N_ERR_EXTENSION_NOT_RECEIVED); a malformed one (S2N_ERR_BAD_MESSAGE); a
/// name longer than `length` (S2N_ERR_INSUFFICIENT_MEM_SIZE, nothing written).
#[no_mangle]
pub extern "C" fn s2n_client_hello_get_server_name(
    ch: *mut s2n_client_hello,
    server_name: *mut u8,
    length: u16,
    out_length: *mut u16,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a writable u16, as the API requires.
        let out_length = unsafe { try_mut(out_length, "out_length") }?;
        *out_length = 0;
        let h = hello(ch)?;
        if server_name.is_null() {
            return Err(Error::null("server_name"));
        }
        let name = h.server_name()?;
        if name.len() > usize::from(length) {
            return Err(too_small("server_name", usize::from(length), name.len()));
        }
        out_buffer(server_name, name.len(), "server_name")?.copy_from_slice(name);
        *out_length = name.len() as u16;
        Ok(S2N_SUCCESS)
    })
}
