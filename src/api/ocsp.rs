//! The exported functions for OCSP stapling and certificate transparency.
//!
//! A server staples the OCSP response set on its certificate chain when the
//! client asks (every rustls client does). A client asks when its config says so
//! (or has a CA location, as in s2n), validates the stapled response as s2n does
//! (`crate::ocsp`) unless told not to, and reports it. Certificate transparency
//! (SCT lists) is not supported by rustls in either direction.

use std::ffi::c_int;
use std::sync::Weak;

use super::boundary::{guard, try_mut, try_ref, try_slice};
use super::handles::{query, s2n_cert_chain_and_key, s2n_config, s2n_connection, with_config};
use super::{
    s2n_ct_support_level, s2n_status_request_type, s2n_tls_extension_type, S2nCtSupportLevel,
    S2nStatusRequestType, S2nTlsExtensionType, S2N_SUCCESS,
};
use crate::error::{Error, ErrorCode, Result};
use crate::sync;

/// The bytes given, or None for NULL or an empty length (s2n's "clear").
///
/// # Safety
/// `data` must be NULL or valid for `length` bytes.
unsafe fn optional_data<'a>(data: *const u8, length: u32) -> Result<Option<&'a [u8]>> {
    if data.is_null() || length == 0 {
        return Ok(None);
    }
    // SAFETY: as the caller promises.
    unsafe { try_slice(data, length as usize, "data") }.map(Some)
}

/// Sets the OCSP response chain's certificate and the configs holding it.
fn set_chain_ocsp(pair: &s2n_cert_chain_and_key, data: Option<&[u8]>) -> Result<()> {
    let mut old = None;
    pair.load(|c| {
        old = c.certified_key().ok();
        c.set_ocsp(data);
        Ok(())
    })?;
    let new = pair.with(|c| Ok(c.certified_key().ok()))?;
    if let (Some(old), Some(new)) = (old, new) {
        let configs: Vec<_> = sync::lock(&pair.configs)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for config in configs {
            crate::stapling::replace_cert(&config, &old, &new)?;
        }
    }
    Ok(())
}

const SCT_UNSUPPORTED: &str = "rs2n cannot send SCT lists (certificate transparency): rustls has no support for the signed_certificate_timestamp extension";

/// Sets the DER OCSP response a server staples with this chain when a client
/// asks for one (status_request; full handshakes only), as given: rs2n does not
/// look into it. The data is copied. NULL data or a length of 0 clears it. Takes
/// effect for configs the chain was already added to, for connections whose
/// handshake starts afterwards.
///
/// Errors: NULL chain_and_key.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_set_ocsp_data(
    chain_and_key: *mut s2n_cert_chain_and_key,
    data: *const u8,
    length: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let pair = unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: NULL or valid for length bytes, as the API requires.
        let data = unsafe { optional_data(data, length) }?;
        set_chain_ocsp(pair, data)?;
        Ok(S2N_SUCCESS)
    })
}

/// Sets the signed certificate timestamps a server sends with this chain.
///
/// Not supported: rustls cannot send SCT lists, so any list is refused
/// (S2N_ERR_UNIMPLEMENTED) rather than silently not sent. NULL data or a length
/// of 0 (no list, s2n's way to clear it) succeeds.
///
/// Errors: NULL chain_and_key; a list (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_set_sct_list(
    chain_and_key: *mut s2n_cert_chain_and_key,
    data: *const u8,
    length: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        unsafe { try_ref(chain_and_key, "chain_and_key") }?;
        // SAFETY: NULL or valid for length bytes, as the API requires.
        match unsafe { optional_data(data, length) }? {
            None => Ok(S2N_SUCCESS),
            Some(_) => Err(Error::new(ErrorCode::Unimplemented, SCT_UNSUPPORTED)),
        }
    })
}

/// Whether a client asks for the server's stapled OCSP response
/// (`S2N_STATUS_REQUEST_OCSP`) or not (`S2N_STATUS_REQUEST_NONE`, the default; as
/// in s2n-tls, a successful `s2n_config_set_verification_ca_location` also turns
/// it on for clients, and `S2N_STATUS_REQUEST_NONE` off again). A response that
/// comes is validated (see `s2n_config_set_check_stapled_ocsp_response`), then
/// `s2n_connection_get_ocsp_response` gives it and `s2n_connection_is_ocsp_stapled`
/// says it came. No effect on servers.
///
/// Differs from s2n-tls: rustls' client asks every server for a stapled response;
/// without OCSP requested, rs2n ignores whatever comes (neither checked nor
/// reported), as if it had not asked.
///
/// Errors: NULL config; an unknown type (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_status_request_type(
    config: *mut s2n_config,
    r#type: s2n_status_request_type,
) -> c_int {
    with_config(config, |c| {
        let ocsp = match r#type {
            t if t == S2nStatusRequestType::S2N_STATUS_REQUEST_NONE as c_int => false,
            t if t == S2nStatusRequestType::S2N_STATUS_REQUEST_OCSP as c_int => true,
            t => return Err(Error::usage(format!("unknown status request type {t}"))),
        };
        c.update(|s| {
            s.extras.set_status_request(ocsp);
            Ok(())
        })
    })
}

/// Whether a client validates the OCSP response the server stapled, when it asked
/// for one (default: 1, yes). As s2n-tls does with its libcrypto: the response
/// must be successful and signed by the issuer of the server's certificate (on
/// the verified chain) or by a responder certificate it includes that this
/// issuer gave the OCSPSigning purpose; its entry for the certificate, by a
/// SHA-1 CertID (the only hash s2n-tls reads), must have a thisUpdate not in the
/// future and a nextUpdate not past (without one: a thisUpdate under an hour
/// old), on the config's wall clock, and say good. Otherwise the handshake fails:
/// S2N_ERR_CERT_REVOKED (revoked), S2N_ERR_CERT_EXPIRED (out of date),
/// S2N_ERR_CERT_INVALID (not yet valid), S2N_ERR_INVALID_OCSP_RESPONSE
/// (malformed), S2N_ERR_CERT_UNTRUSTED (anything else). No response stapled is
/// no failure. With `s2n_config_disable_x509_verification` nothing is checked.
/// 0 turns the check off: the response is still reported, unchecked.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_check_stapled_ocsp_response(
    config: *mut s2n_config,
    check_ocsp: u8,
) -> c_int {
    with_config(config, |c| {
        c.update(|s| {
            s.extras.check_ocsp = check_ocsp != 0;
            Ok(())
        })
    })
}

/// Sets whether a client asks for certificate transparency (SCT lists).
///
/// `S2N_CT_SUPPORT_NONE` (the default) works; `S2N_CT_SUPPORT_REQUEST` is not
/// supported (S2N_ERR_UNIMPLEMENTED): rustls cannot ask for SCTs.
///
/// Errors: NULL config; `S2N_CT_SUPPORT_REQUEST` (S2N_ERR_UNIMPLEMENTED); an
/// unknown level (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_ct_support_level(
    config: *mut s2n_config,
    level: s2n_ct_support_level,
) -> c_int {
    with_config(config, |c| {
        let request = match level {
            l if l == S2nCtSupportLevel::S2N_CT_SUPPORT_NONE as c_int => false,
            l if l == S2nCtSupportLevel::S2N_CT_SUPPORT_REQUEST as c_int => true,
            l => return Err(Error::usage(format!("unknown CT support level {l}"))),
        };
        c.update(|s| s.extras.set_ct_request(request))
    })
}

/// s2n-tls' older way to set the OCSP response (`S2N_EXTENSION_OCSP_STAPLING`) or
/// SCT list (`S2N_EXTENSION_CERTIFICATE_TRANSPARENCY`) of the config's default
/// certificate; prefer `s2n_cert_chain_and_key_set_ocsp_data`. Works on configs
/// whose chains were added with `s2n_config_add_cert_chain_and_key` (the config
/// owns them); the default chain is the first RSA one, else the first ECDSA one,
/// else the first. NULL data or a length of 0 clears the data.
///
/// Errors: NULL config; no certificate (S2N_ERR_UPDATING_EXTENSION); chains the
/// application owns (S2N_ERR_CERT_OWNERSHIP); another extension type
/// (S2N_ERR_UNRECOGNIZED_EXTENSION); an SCT list (S2N_ERR_UNIMPLEMENTED: rustls
/// cannot send them).
#[no_mangle]
pub extern "C" fn s2n_config_set_extension_data(
    config: *mut s2n_config,
    r#type: s2n_tls_extension_type,
    data: *const u8,
    length: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        {
            let s = handle.core.settings();
            if s.certs.is_empty() && s.default_certs.is_none() {
                return Err(Error::code(ErrorCode::UpdatingExtension));
            }
        }
        let owned = sync::lock(&handle.owned_certs);
        let rank = |p: &&s2n_cert_chain_and_key| match p
            .with(|c| c.certified_key())
            .map(|k| crate::cert_select::key_type(&k))
        {
            Ok(rustls::SignatureAlgorithm::RSA) => 0,
            Ok(rustls::SignatureAlgorithm::ECDSA) => 1,
            _ => 2,
        };
        let Some(chain) = owned.iter().map(|b| &**b).min_by_key(rank) else {
            return Err(Error::new(
                ErrorCode::CertOwnership,
                "the config's chains belong to the application (s2n_config_add_cert_chain_and_key_to_store): set their data with s2n_cert_chain_and_key_set_ocsp_data",
            ));
        };
        // SAFETY: NULL or valid for length bytes, as the API requires.
        let data = unsafe { optional_data(data, length) }?;
        match r#type {
            t if t == S2nTlsExtensionType::S2N_EXTENSION_OCSP_STAPLING as c_int => {
                set_chain_ocsp(chain, data)?;
            }
            t if t == S2nTlsExtensionType::S2N_EXTENSION_CERTIFICATE_TRANSPARENCY as c_int => {
                if data.is_some() {
                    return Err(Error::new(ErrorCode::Unimplemented, SCT_UNSUPPORTED));
                }
            }
            t => {
                return Err(Error::new(
                    ErrorCode::UnrecognizedExtension,
                    format!("extension type {t} has no data to set: only S2N_EXTENSION_OCSP_STAPLING and S2N_EXTENSION_CERTIFICATE_TRANSPARENCY"),
                ))
            }
        }
        Ok(S2N_SUCCESS)
    })
}

/// The OCSP response the server stapled, on a client whose config asked for one
/// (`s2n_config_set_status_request_type`), with its length in `*length`; NULL
/// with `*length` 0 when none was received (and always on a server). The bytes
/// belong to the connection and stay valid until it is wiped or freed. They were
/// validated unless the check is off (`s2n_config_set_check_stapled_ocsp_response`).
///
/// Errors (NULL returned): NULL conn or length.
#[no_mangle]
pub extern "C" fn s2n_connection_get_ocsp_response(
    conn: *mut s2n_connection,
    length: *mut u32,
) -> *const u8 {
    query(conn, |c| {
        // SAFETY: NULL or writable.
        let length = unsafe { try_mut(length, "length") }?;
        *length = 0;
        let Some(response) = c.core.ocsp_response() else {
            return Ok(std::ptr::null());
        };
        *length = u32::try_from(response.len())
            .map_err(|_| Error::usage("the OCSP response is too long for a uint32_t"))?;
        Ok(response.as_ptr())
    })
}

/// 1 if a server sent (a client received) a stapled OCSP response in this
/// connection's handshake, else 0. A server staples when the client asked and
/// the chosen chain has a response, on full handshakes; a client counts only the
/// responses it asked for.
///
/// Errors (-1): NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_is_ocsp_stapled(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c_int::from(c.core.is_ocsp_stapled())))
}

/// The SCT list the server sent: always NULL with `*length` 0 in rs2n, as in
/// s2n-tls when the server sent none, since rustls can neither ask for nor receive
/// SCT lists (see `s2n_config_set_ct_support_level`).
///
/// Errors (NULL returned): NULL conn or length.
#[no_mangle]
pub extern "C" fn s2n_connection_get_sct_list(
    conn: *mut s2n_connection,
    length: *mut u32,
) -> *const u8 {
    query(conn, |_| {
        // SAFETY: NULL or writable.
        let length = unsafe { try_mut(length, "length") }?;
        *length = 0;
        Ok(std::ptr::null())
    })
}
