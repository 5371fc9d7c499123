//! Pre-shared keys: external PSKs (built, never used: rustls has none), the PSK
//! modes, the PSK selection callback and its offered-PSK lists (refused), and the
//! identity of the PSK a TLS1.3 handshake used (its resumption ticket).

use std::ffi::{c_int, c_void};

use super::boundary::{
    free_handle, guard, into_handle, try_mut, try_ref, try_slice, try_slice_mut,
};
use super::handles::{s2n_config, s2n_connection, with_config, with_conn};
use super::opaque::s2n_offered_psk_list;
use super::{s2n_psk_hmac, s2n_psk_mode, s2n_psk_selection_callback, S2N_SUCCESS};
use crate::error::{Error, ErrorCode, Result};
use crate::psk::{refuse_external, refuse_selection, ExternalPsk, OfferedPsk, PskHmac, PskMode};

/// An external PSK (`struct s2n_psk`), owned by the application.
pub struct s2n_psk {
    core: ExternalPsk,
}

/// An offered PSK (`struct s2n_offered_psk`), owned by the application.
pub struct s2n_offered_psk {
    core: OfferedPsk,
}

/// Runs `f` on the PSK behind a C pointer.
fn with_psk(psk: *mut s2n_psk, f: impl FnOnce(&mut ExternalPsk) -> Result<()>) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle from s2n_external_psk_new, which the
        // application does not use from two threads at once (as in s2n-tls).
        let psk = unsafe { try_mut(psk, "psk") }?;
        f(&mut psk.core)?;
        Ok(S2N_SUCCESS)
    })
}

/// Frees `*handle` (if not NULL) and sets it to NULL; a NULL `handle` succeeds.
fn free_and_clear<T>(handle: *mut *mut T, what: &'static str) -> c_int {
    guard(|| {
        if handle.is_null() {
            return Ok(S2N_SUCCESS);
        }
        // SAFETY: a valid pointer to the application's handle variable.
        let slot = unsafe { &mut *handle };
        if !slot.is_null() {
            // SAFETY: a live handle from the matching *_new.
            unsafe { free_handle(*slot, what) }?;
            *slot = std::ptr::null_mut();
        }
        Ok(S2N_SUCCESS)
    })
}

/// Creates an external PSK object for the application to fill in (identity,
/// secret, HMAC, early data settings); free it with `s2n_psk_free`.
///
/// Where rs2n differs: the object can be built and checked, but not used: rustls
/// 0.23 can neither offer nor accept an external PSK, so `s2n_connection_append_psk`
/// and the external PSK mode are not supported (they fail with S2N_ERR_UNIMPLEMENTED).
///
/// @returns the new PSK, or NULL on failure.
#[no_mangle]
pub extern "C" fn s2n_external_psk_new() -> *mut s2n_psk {
    guard(|| {
        Ok(into_handle(s2n_psk {
            core: ExternalPsk::default(),
        }))
    })
}

/// Frees an external PSK (its secret is wiped) and sets `*psk` to NULL. NULL, or
/// a pointer to NULL, succeeds with nothing to do.
#[no_mangle]
pub extern "C" fn s2n_psk_free(psk: *mut *mut s2n_psk) -> c_int {
    free_and_clear(psk, "psk")
}

/// Sets an external PSK's identity (copied).
///
/// Errors: `psk` or `identity` is NULL (S2N_ERR_NULL); `identity_size` is 0
/// (S2N_ERR_INVALID_ARGUMENT). The identity is unchanged on error.
#[no_mangle]
pub extern "C" fn s2n_psk_set_identity(
    psk: *mut s2n_psk,
    identity: *const u8,
    identity_size: u16,
) -> c_int {
    with_psk(psk, |p| {
        if identity.is_null() {
            return Err(Error::null("identity"));
        }
        // SAFETY: `identity` holds `identity_size` bytes, as the API requires.
        p.set_identity(unsafe { try_slice(identity, identity_size.into(), "identity") }?)
    })
}

/// Sets an external PSK's secret (copied; wiped when replaced or freed).
///
/// Errors: `psk` or `secret` is NULL (S2N_ERR_NULL); `secret_size` is 0, or the
/// secret is all zeros (S2N_ERR_INVALID_ARGUMENT), as in s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_psk_set_secret(
    psk: *mut s2n_psk,
    secret: *const u8,
    secret_size: u16,
) -> c_int {
    with_psk(psk, |p| {
        if secret.is_null() {
            return Err(Error::null("secret"));
        }
        // SAFETY: `secret` holds `secret_size` bytes, as the API requires.
        p.set_secret(unsafe { try_slice(secret, secret_size.into(), "secret") }?)
    })
}

/// Sets an external PSK's HMAC: S2N_PSK_HMAC_SHA256 (the default) or
/// S2N_PSK_HMAC_SHA384.
///
/// Errors: `psk` is NULL (S2N_ERR_NULL); another value (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_psk_set_hmac(psk: *mut s2n_psk, hmac: s2n_psk_hmac) -> c_int {
    with_psk(psk, |p| {
        p.set_hmac(PskHmac::from_s2n(hmac)?);
        Ok(())
    })
}

/// Sets the application protocol (ALPN) an external PSK's early data is bound
/// to; `size` 0 clears it.
///
/// Errors: `psk` is NULL, or `application_protocol` is NULL with `size` > 0
/// (S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_psk_set_application_protocol(
    psk: *mut s2n_psk,
    application_protocol: *const u8,
    size: u8,
) -> c_int {
    with_psk(psk, |p| {
        // SAFETY: `application_protocol` holds `size` bytes, as the API requires.
        let proto =
            unsafe { try_slice(application_protocol, size.into(), "application_protocol") }?;
        p.set_application_protocol(proto);
        Ok(())
    })
}

/// Sets the application's context for an external PSK's early data; `size` 0
/// clears it.
///
/// Errors: `psk` is NULL, or `context` is NULL with `size` > 0 (S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_psk_set_early_data_context(
    psk: *mut s2n_psk,
    context: *const u8,
    size: u16,
) -> c_int {
    with_psk(psk, |p| {
        // SAFETY: `context` holds `size` bytes, as the API requires.
        p.set_early_data_context(unsafe { try_slice(context, size.into(), "context") }?);
        Ok(())
    })
}

/// Allows early data with an external PSK: at most `max_early_data_size` bytes,
/// under the TLS1.3 cipher suite whose IANA value is the two bytes given.
///
/// Errors: `psk` is NULL (S2N_ERR_NULL); the suite is not a TLS1.3 suite, or does
/// not hash with the PSK's HMAC (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_psk_configure_early_data(
    psk: *mut s2n_psk,
    max_early_data_size: u32,
    cipher_suite_first_byte: u8,
    cipher_suite_second_byte: u8,
) -> c_int {
    with_psk(psk, |p| {
        p.configure_early_data(
            max_early_data_size,
            [cipher_suite_first_byte, cipher_suite_second_byte],
        )
    })
}

/// Adds an external PSK to the connection's list.
///
/// Not supported by rs2n: fails with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE),
/// because rustls 0.23 can neither offer nor accept an external PSK. The
/// connection is unchanged (it would resume with tickets as before).
///
/// Errors: `conn` or `psk` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_connection_append_psk(conn: *mut s2n_connection, psk: *mut s2n_psk) -> c_int {
    with_conn(conn, |_| {
        if psk.is_null() {
            return Err(Error::null("psk"));
        }
        Err(refuse_external("s2n_connection_append_psk"))
    })
}

/// Sets which PSKs the config's connections use. S2N_PSK_MODE_RESUMPTION (session
/// tickets) is the default and the only mode rs2n has: setting it succeeds.
///
/// S2N_PSK_MODE_EXTERNAL is not supported: it fails with S2N_ERR_UNIMPLEMENTED
/// (S2N_ERR_T_USAGE) because rustls 0.23 has no external PSKs.
///
/// Errors: `config` is NULL (S2N_ERR_NULL); an unknown mode
/// (S2N_ERR_INVALID_ARGUMENT); S2N_PSK_MODE_EXTERNAL (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_config_set_psk_mode(config: *mut s2n_config, mode: s2n_psk_mode) -> c_int {
    with_config(config, |_| PskMode::choose(mode).map(|_| ()))
}

/// Sets which PSKs the connection uses; as `s2n_config_set_psk_mode`:
/// S2N_PSK_MODE_RESUMPTION succeeds, S2N_PSK_MODE_EXTERNAL is not supported.
///
/// Errors: `conn` is NULL (S2N_ERR_NULL); an unknown mode
/// (S2N_ERR_INVALID_ARGUMENT); S2N_PSK_MODE_EXTERNAL (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_connection_set_psk_mode(
    conn: *mut s2n_connection,
    mode: s2n_psk_mode,
) -> c_int {
    with_conn(conn, |_| PskMode::choose(mode).map(|_| ()))
}

/// Sets the callback a server asks to choose among the PSKs a client offered.
///
/// Not supported by rs2n: a callback fails with S2N_ERR_UNIMPLEMENTED
/// (S2N_ERR_T_USAGE), because rustls chooses the PSK itself (the first offered
/// resumption ticket it can decrypt) and has no hook to let the application
/// choose. A NULL callback (none, the default) succeeds.
///
/// Errors: `config` is NULL (S2N_ERR_NULL); a callback (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_config_set_psk_selection_callback(
    config: *mut s2n_config,
    cb: s2n_psk_selection_callback,
    context: *mut c_void,
) -> c_int {
    with_config(config, |_| {
        let _ = context;
        match cb {
            None => Ok(()),
            Some(_) => Err(refuse_selection("the PSK selection callback")),
        }
    })
}

/// The identity of the PSK the handshake uses, given to `f`.
fn with_negotiated_identity<T>(
    conn: *mut s2n_connection,
    f: impl FnOnce(Option<&[u8]>) -> Result<T>,
) -> Result<T> {
    // SAFETY: `conn` is NULL or a live handle from s2n_connection_new.
    let handle = unsafe { try_ref(conn, "conn") }?;
    let state = handle.enter()?;
    f(state.core.negotiated_psk_identity())
}

/// The length of the identity of the PSK the handshake uses, or 0 if none. For
/// TLS1.3 resumption (rs2n's only PSKs) the identity is the session ticket the
/// client offered, on both the client and the server; it is known from the
/// ServerHello on (0 before it, after a full handshake, and with TLS1.2), and
/// on a server from the early-data callback on (`s2n_config_set_early_data_cb`:
/// the ticket the early data came with).
///
/// Errors: `conn` or `identity_length` is NULL (S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_connection_get_negotiated_psk_identity_length(
    conn: *mut s2n_connection,
    identity_length: *mut u16,
) -> c_int {
    guard(|| {
        with_negotiated_identity(conn, |id| {
            // SAFETY: NULL or a valid pointer, as the API requires.
            let out = unsafe { try_mut(identity_length, "identity_length") }?;
            // An identity is at most 65535 bytes (its wire length is 16 bits).
            *out = u16::try_from(id.map_or(0, <[u8]>::len)).unwrap_or(u16::MAX);
            Ok(S2N_SUCCESS)
        })
    })
}

/// Copies the identity of the PSK the handshake uses into `identity` (see
/// `s2n_connection_get_negotiated_psk_identity_length`); writes nothing and
/// succeeds if there is none.
///
/// Errors: `conn` or `identity` is NULL (S2N_ERR_NULL); the identity is longer
/// than `max_identity_length` (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_negotiated_psk_identity(
    conn: *mut s2n_connection,
    identity: *mut u8,
    max_identity_length: u16,
) -> c_int {
    guard(|| {
        with_negotiated_identity(conn, |id| {
            if identity.is_null() {
                return Err(Error::null("identity"));
            }
            let Some(id) = id else {
                return Ok(S2N_SUCCESS);
            };
            if id.len() > usize::from(max_identity_length) {
                return Err(Error::new(
                    ErrorCode::InsufficientMemSize,
                    format!(
                        "the PSK identity is {} bytes; the buffer holds {max_identity_length}",
                        id.len()
                    ),
                ));
            }
            // SAFETY: `identity` holds `max_identity_length` >= id.len() bytes.
            unsafe { try_slice_mut(identity, id.len(), "identity") }?.copy_from_slice(id);
            Ok(S2N_SUCCESS)
        })
    })
}

/// Creates an empty offered-PSK object, for `s2n_offered_psk_list_next` to fill;
/// free it with `s2n_offered_psk_free`. (rs2n never hands out an offered-PSK list,
/// so it stays empty: see `s2n_config_set_psk_selection_callback`.)
///
/// @returns the new object, or NULL on failure.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_new() -> *mut s2n_offered_psk {
    guard(|| {
        Ok(into_handle(s2n_offered_psk {
            core: OfferedPsk::default(),
        }))
    })
}

/// Frees an offered-PSK object and sets `*psk` to NULL. NULL, or a pointer to
/// NULL, succeeds with nothing to do.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_free(psk: *mut *mut s2n_offered_psk) -> c_int {
    free_and_clear(psk, "psk")
}

/// Gives the identity of an offered PSK: a pointer to its bytes (valid while the
/// object lives and is not refilled) and their count.
///
/// Errors: `psk`, `identity` or `size` is NULL, or the object holds no identity
/// (a new one: S2N_ERR_NULL, as in s2n-tls).
#[no_mangle]
pub extern "C" fn s2n_offered_psk_get_identity(
    psk: *mut s2n_offered_psk,
    identity: *mut *mut u8,
    size: *mut u16,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle from s2n_offered_psk_new.
        let psk = unsafe { try_mut(psk, "psk") }?;
        // SAFETY: NULL or valid pointers, as the API requires.
        let (identity, size) = unsafe { (try_mut(identity, "identity")?, try_mut(size, "size")?) };
        if psk.core.identity.is_empty() {
            return Err(Error::null(
                "the offered PSK's identity (none was read into it)",
            ));
        }
        *identity = psk.core.identity.as_mut_ptr();
        *size = u16::try_from(psk.core.identity.len()).unwrap_or(u16::MAX);
        Ok(S2N_SUCCESS)
    })
}

/// Whether an offered-PSK list has another PSK. rs2n never creates a list (no
/// PSK selection callback), so there is never one: false, and the pointer is
/// not read.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_list_has_next(psk_list: *mut s2n_offered_psk_list) -> bool {
    guard(|| {
        let _ = psk_list;
        Ok(false)
    })
}

fn refuse_list(psk_list: *mut s2n_offered_psk_list, what: &'static str) -> Result<c_int> {
    if psk_list.is_null() {
        return Err(Error::null("psk_list"));
    }
    Err(refuse_selection(what))
}

/// Reads the next PSK of an offered-PSK list into `psk`.
///
/// Not supported by rs2n: it never creates an offered-PSK list (the PSK selection
/// callback is not supported), so a list pointer cannot be one of its own; it is
/// not read, and the call fails with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE).
///
/// Errors: `psk_list` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_list_next(
    psk_list: *mut s2n_offered_psk_list,
    psk: *mut s2n_offered_psk,
) -> c_int {
    guard(|| {
        let _ = psk;
        refuse_list(psk_list, "s2n_offered_psk_list_next")
    })
}

/// Rewinds an offered-PSK list. Not supported by rs2n, as `s2n_offered_psk_list_next`.
///
/// Errors: `psk_list` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_list_reread(psk_list: *mut s2n_offered_psk_list) -> c_int {
    guard(|| refuse_list(psk_list, "s2n_offered_psk_list_reread"))
}

/// Chooses the PSK of an offered-PSK list the server uses. Not supported by rs2n,
/// as `s2n_offered_psk_list_next`.
///
/// Errors: `psk_list` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_offered_psk_list_choose_psk(
    psk_list: *mut s2n_offered_psk_list,
    psk: *mut s2n_offered_psk,
) -> c_int {
    guard(|| {
        let _ = psk;
        refuse_list(psk_list, "s2n_offered_psk_list_choose_psk")
    })
}
