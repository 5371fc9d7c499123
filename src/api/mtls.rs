//! The exported functions for client authentication (mutual TLS): who asks for a
//! client certificate, whether one was used, the chain received, and how its
//! owner signed.

use std::ffi::c_int;

use rustls::SignatureScheme;

use super::boundary::{guard, try_mut, try_ref};
use super::handles::{query, s2n_config, s2n_connection, with_config, with_conn};
use super::S2N_SUCCESS;
use crate::connection::negotiated::{hash_algorithm, signature_algorithm};
use crate::error::{Error, ErrorCode, Result};
use crate::verify::CertAuth;

/// Client authentication (`s2n_cert_auth_type`).
///
/// A server: NONE (its default) asks for no certificate; OPTIONAL asks, verifies
/// one if sent and goes on without; REQUIRED asks and fails the handshake without
/// one. A client: NONE fails the handshake if the server asks; OPTIONAL (its
/// default) sends its config's certificate when asked (or none if it has none);
/// REQUIRED fails the handshake if the server does not ask or it has no
/// certificate to send.
///
/// As in s2n-tls, a server with client authentication on (OPTIONAL or REQUIRED)
/// resumes no session: it issues no ticket, stores nothing in its session cache
/// and answers every offered session with a full handshake, so each connection
/// shows its client certificate. A client with a certificate resumes as usual.
pub type s2n_cert_auth_type = c_int;
pub const S2N_CERT_AUTH_NONE: s2n_cert_auth_type = 0;
pub const S2N_CERT_AUTH_REQUIRED: s2n_cert_auth_type = 1;
pub const S2N_CERT_AUTH_OPTIONAL: s2n_cert_auth_type = 2;

/// TLS signature algorithms (RFC 5246 7.4.1.4.1; RSA-PSS in a private range).
pub type s2n_tls_signature_algorithm = c_int;
pub const S2N_TLS_SIGNATURE_ANONYMOUS: s2n_tls_signature_algorithm = 0;
pub const S2N_TLS_SIGNATURE_RSA: s2n_tls_signature_algorithm = 1;
pub const S2N_TLS_SIGNATURE_ECDSA: s2n_tls_signature_algorithm = 3;
pub const S2N_TLS_SIGNATURE_MLDSA: s2n_tls_signature_algorithm = 9;
pub const S2N_TLS_SIGNATURE_RSA_PSS_RSAE: s2n_tls_signature_algorithm = 224;
pub const S2N_TLS_SIGNATURE_RSA_PSS_PSS: s2n_tls_signature_algorithm = 225;

/// TLS hash algorithms (RFC 5246 7.4.1.4.1; MD5_SHA1 in a private range).
pub type s2n_tls_hash_algorithm = c_int;
pub const S2N_TLS_HASH_NONE: s2n_tls_hash_algorithm = 0;
pub const S2N_TLS_HASH_MD5: s2n_tls_hash_algorithm = 1;
pub const S2N_TLS_HASH_SHA1: s2n_tls_hash_algorithm = 2;
pub const S2N_TLS_HASH_SHA224: s2n_tls_hash_algorithm = 3;
pub const S2N_TLS_HASH_SHA256: s2n_tls_hash_algorithm = 4;
pub const S2N_TLS_HASH_SHA384: s2n_tls_hash_algorithm = 5;
pub const S2N_TLS_HASH_SHA512: s2n_tls_hash_algorithm = 6;
pub const S2N_TLS_HASH_MD5_SHA1: s2n_tls_hash_algorithm = 224;

fn cert_auth(value: s2n_cert_auth_type) -> Result<CertAuth> {
    CertAuth::from_value(value).ok_or_else(|| {
        Error::usage(format!(
            "client_auth_type {value} is not an s2n_cert_auth_type (S2N_CERT_AUTH_NONE, _REQUIRED or _OPTIONAL)"
        ))
    })
}

/// Sets client authentication for the config's connections (see
/// `s2n_cert_auth_type`). A server verifies client chains against the config's
/// trust store, and their names with the verify host callback (by default, as in
/// s2n-tls, a name of the certificate must match the server name the client
/// sent: set a callback with `s2n_config_set_verify_host_callback` to accept
/// client certificates by other names). A client presents the config's
/// certificate chain: the first added whose key can sign with a scheme the server
/// accepts. As in s2n-tls, a server with client authentication on resumes no
/// session (see `s2n_cert_auth_type`).
///
/// Errors: NULL config; a value outside s2n_cert_auth_type (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_client_auth_type(
    config: *mut s2n_config,
    client_auth_type: s2n_cert_auth_type,
) -> c_int {
    with_config(config, |c| c.set_client_auth(cert_auth(client_auth_type)?))
}

/// Writes the client authentication set on the config to `*client_auth_type`
/// (S2N_CERT_AUTH_NONE if none was set, as in s2n-tls).
#[no_mangle]
pub extern "C" fn s2n_config_get_client_auth_type(
    config: *mut s2n_config,
    client_auth_type: *mut s2n_cert_auth_type,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        // SAFETY: NULL or a writable value.
        let out = unsafe { try_mut(client_auth_type, "client_auth_type") }?;
        let auth = handle.core.settings().client_auth.unwrap_or(CertAuth::None);
        *out = auth as s2n_cert_auth_type;
        Ok(S2N_SUCCESS)
    })
}

/// Sets client authentication for this connection, over its config's.
///
/// Errors: NULL conn; a value outside s2n_cert_auth_type.
#[no_mangle]
pub extern "C" fn s2n_connection_set_client_auth_type(
    conn: *mut s2n_connection,
    client_auth_type: s2n_cert_auth_type,
) -> c_int {
    with_conn(conn, |c| {
        c.core.set_client_auth(cert_auth(client_auth_type)?);
        Ok(())
    })
}

/// Writes the connection's client authentication to `*client_auth_type`: its own,
/// else its config's, else the default for its mode (S2N_CERT_AUTH_OPTIONAL for a
/// client, S2N_CERT_AUTH_NONE for a server).
#[no_mangle]
pub extern "C" fn s2n_connection_get_client_auth_type(
    conn: *mut s2n_connection,
    client_auth_type: *mut s2n_cert_auth_type,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a writable value.
        let out = unsafe { try_mut(client_auth_type, "client_auth_type") }?;
        *out = c.core.client_auth() as s2n_cert_auth_type;
        Ok(())
    })
}

/// Whether the completed handshake authenticated the client with a certificate:
/// 1 if it did (on a server: a client certificate was received and verified; on a
/// client: its certificate was sent), else 0. As in s2n-tls, a resumed handshake
/// returns 0 (a client resuming with a server that allows it; an rs2n or s2n-tls
/// server with client authentication on never resumes).
///
/// @returns 1 or 0; S2N_FAILURE for a NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_client_cert_used(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c_int::from(c.core.client_cert_used())))
}

/// On a server, the client's certificate chain as received: each certificate in
/// DER after a 3-byte big-endian length (RFC 5246 7.4.2), whatever the protocol
/// version. `*der_cert_chain_out` stays valid until the connection is wiped or
/// freed.
///
/// Errors: NULL arguments; no chain (S2N_ERR_INVALID_STATE): before the handshake
/// completes, when the client sent none, after a resumed handshake (as in
/// s2n-tls, the chain is only known on the full handshake), and on a client.
#[no_mangle]
pub extern "C" fn s2n_connection_get_client_cert_chain(
    conn: *mut s2n_connection,
    der_cert_chain_out: *mut *mut u8,
    cert_chain_len: *mut u32,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable pointers.
        let out = unsafe { try_mut(der_cert_chain_out, "der_cert_chain_out") }?;
        // SAFETY: as above.
        let len = unsafe { try_mut(cert_chain_len, "cert_chain_len") }?;
        let chain = c.core.client_cert_chain()?;
        *len = u32::try_from(chain.len())
            .map_err(|_| Error::new(ErrorCode::Internal, "client chain length"))?;
        // C receives a mutable pointer, as in s2n; the bytes must not be changed.
        *out = chain.as_ptr().cast_mut();
        Ok(())
    })
}

/// s2n's (signature, hash) pair for a TLS signature scheme, by the core's one
/// table; a scheme with no s2n value (Ed25519) reports ANONYMOUS, as no client
/// certificate would.
fn scheme_parts(
    scheme: Option<SignatureScheme>,
) -> (s2n_tls_signature_algorithm, s2n_tls_hash_algorithm) {
    (
        signature_algorithm(scheme).unwrap_or(S2N_TLS_SIGNATURE_ANONYMOUS),
        hash_algorithm(scheme),
    )
}

/// Writes the signature algorithm of the client's CertificateVerify (on a server
/// as received, on a client as sent): S2N_TLS_SIGNATURE_ECDSA,
/// S2N_TLS_SIGNATURE_RSA or S2N_TLS_SIGNATURE_RSA_PSS_RSAE;
/// S2N_TLS_SIGNATURE_ANONYMOUS when no client certificate was used (as in s2n-tls,
/// also after a resumed handshake).
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_selected_client_cert_signature_algorithm(
    conn: *mut s2n_connection,
    chosen_alg: *mut s2n_tls_signature_algorithm,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a writable value.
        let out = unsafe { try_mut(chosen_alg, "chosen_alg") }?;
        *out = scheme_parts(c.core.client_cert_scheme()).0;
        Ok(())
    })
}

/// Writes the hash algorithm of the client's CertificateVerify (S2N_TLS_HASH_SHA256,
/// _SHA384, ...); S2N_TLS_HASH_NONE when no client certificate was used.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_selected_client_cert_digest_algorithm(
    conn: *mut s2n_connection,
    chosen_alg: *mut s2n_tls_hash_algorithm,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a writable value.
        let out = unsafe { try_mut(chosen_alg, "chosen_alg") }?;
        *out = scheme_parts(c.core.client_cert_scheme()).1;
        Ok(())
    })
}

/// Makes a server send the names of the CAs in its trust store (as they are at
/// this call) with its certificate request, so a client with several
/// certificates can pick one. Without this call no CA names are sent, as in
/// s2n-tls.
///
/// Errors: NULL config; a trust store that holds the system CAs (start from
/// `s2n_config_new_minimal` or `s2n_config_wipe_trust_store`) or is empty
/// (S2N_ERR_INVALID_STATE); names over s2n's 10 KiB limit (S2N_ERR_X509_TRUST_STORE).
#[no_mangle]
pub extern "C" fn s2n_config_set_cert_authorities_from_trust_store(
    config: *mut s2n_config,
) -> c_int {
    with_config(config, |c| c.set_cert_authorities_from_trust_store())
}

/// Not supported by rs2n: fails with S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE) and
/// changes nothing. In s2n-tls it adds the DSS certificate type to a server's
/// certificate request for old clients (a DSS certificate is still refused);
/// rustls writes the certificate types of its requests itself (RSA and ECDSA).
#[no_mangle]
pub extern "C" fn s2n_config_enable_cert_req_dss_legacy_compat(config: *mut s2n_config) -> c_int {
    with_config(config, |_| {
        Err(Error::new(
            ErrorCode::Unimplemented,
            "s2n_config_enable_cert_req_dss_legacy_compat is not supported by rs2n: rustls sets the certificate types of its certificate requests (RSA and ECDSA) and cannot add DSS",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_types_equal_the_core_ones() {
        for (core, api) in [
            (CertAuth::None, S2N_CERT_AUTH_NONE),
            (CertAuth::Required, S2N_CERT_AUTH_REQUIRED),
            (CertAuth::Optional, S2N_CERT_AUTH_OPTIONAL),
        ] {
            assert_eq!(core as c_int, api);
            assert_eq!(cert_auth(api).unwrap(), core);
        }
        assert!(cert_auth(3).is_err() && cert_auth(-1).is_err());
    }

    #[test]
    fn schemes_map_to_s2n_pairs() {
        assert_eq!(
            scheme_parts(Some(SignatureScheme::ECDSA_NISTP384_SHA384)),
            (S2N_TLS_SIGNATURE_ECDSA, S2N_TLS_HASH_SHA384)
        );
        assert_eq!(
            scheme_parts(Some(SignatureScheme::RSA_PSS_SHA256)),
            (S2N_TLS_SIGNATURE_RSA_PSS_RSAE, S2N_TLS_HASH_SHA256)
        );
        assert_eq!(
            scheme_parts(None),
            (S2N_TLS_SIGNATURE_ANONYMOUS, S2N_TLS_HASH_NONE)
        );
        assert_eq!(
            scheme_parts(Some(SignatureScheme::ED25519)),
            (S2N_TLS_SIGNATURE_ANONYMOUS, S2N_TLS_HASH_NONE)
        );
        assert_eq!(
            scheme_parts(Some(SignatureScheme::RSA_PKCS1_SHA512)),
            (S2N_TLS_SIGNATURE_RSA, S2N_TLS_HASH_SHA512)
        );
    }
}
