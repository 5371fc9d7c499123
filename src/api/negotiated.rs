//! The exported functions that tell what a connection negotiated, beyond its
//! version and suite: key exchange group, signature scheme, suite IANA value,
//! certificates; its mode and file descriptors; its own security policy.

use std::ffi::{c_char, c_int};

use super::boundary::{guard, static_cstr, try_mut, try_ref, try_str};
use super::handles::{owner_of, query, s2n_cert_chain_and_key, s2n_connection, with_conn};
use super::{
    s2n_cert_sni_match, s2n_mode, s2n_tls_hash_algorithm, s2n_tls_signature_algorithm, S2N_CLIENT,
    S2N_SERVER, S2N_SNI_EXACT_MATCH, S2N_SNI_NONE, S2N_SNI_NO_MATCH, S2N_SNI_WILDCARD_MATCH,
};
use crate::connection::Mode;
use crate::error::{Error, ErrorCode};
use crate::x509::NameMatch;

/// The name of the elliptic curve of the handshake's ECDHE exchange: "x25519",
/// "secp256r1" or "secp384r1"; "NONE" before the handshake completes and after a
/// TLS1.2 resumption (no key exchange), as in s2n-tls. The string is static.
/// Deprecated in s2n-tls for `s2n_connection_get_key_exchange_group`.
///
/// @returns The name, or NULL for a NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_get_curve(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |c| {
        Ok(static_cstr(c.core.key_exchange_group().unwrap_or("NONE")))
    })
}

/// Always "NONE": rs2n has no post-quantum key exchange (TLS1.2 KEMs are
/// deprecated in s2n-tls). The string is static.
#[no_mangle]
pub extern "C" fn s2n_connection_get_kem_name(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |_| Ok(static_cstr("NONE")))
}

/// Always "NONE": rs2n negotiates no post-quantum hybrid group (ring has no
/// ML-KEM), as s2n-tls built without one. The string is static.
#[no_mangle]
pub extern "C" fn s2n_connection_get_kem_group_name(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |_| Ok(static_cstr("NONE")))
}

/// Points `*group_name` at the name of the handshake's key exchange group (as
/// `s2n_connection_get_curve` names it; a static string).
///
/// Errors: NULL arguments; no group was negotiated: before the handshake
/// completes, or after a TLS1.2 resumption (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_key_exchange_group(
    conn: *mut s2n_connection,
    group_name: *mut *const c_char,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(group_name, "group_name") }?;
        let name = c.core.key_exchange_group().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidState,
                "no key exchange group was negotiated (handshake not complete, or a TLS1.2 resumption)",
            )
        })?;
        *out = static_cstr(name);
        Ok(())
    })
}

/// Writes the algorithm of the server's handshake signature:
/// S2N_TLS_SIGNATURE_ECDSA, _RSA (PKCS#1 v1.5) or _RSA_PSS_RSAE; ANONYMOUS when
/// there was none (before it, or in a resumption). Read on either side.
///
/// Errors: NULL arguments; an Ed25519 signature, which has no value in this enum
/// (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_connection_get_selected_signature_algorithm(
    conn: *mut s2n_connection,
    chosen_alg: *mut s2n_tls_signature_algorithm,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(chosen_alg, "chosen_alg") }?;
        *out = c.core.selected_signature_algorithm()?;
        Ok(())
    })
}

/// Writes the hash of the server's handshake signature (S2N_TLS_HASH_SHA256,
/// _SHA384, ...); S2N_TLS_HASH_NONE when there was none, or for Ed25519.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_connection_get_selected_digest_algorithm(
    conn: *mut s2n_connection,
    chosen_alg: *mut s2n_tls_hash_algorithm,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(chosen_alg, "chosen_alg") }?;
        *out = c.core.selected_digest_algorithm();
        Ok(())
    })
}

/// Points `*scheme_name` at s2n's name for the scheme of the server's handshake
/// signature (a static string): e.g. "ecdsa_secp256r1_sha256" in TLS1.3,
/// "legacy_ecdsa_sha256" for the same scheme in TLS1.2, "rsa_pss_rsae_sha256";
/// "none" when there was no signature (a resumption).
///
/// Errors: NULL arguments; the handshake is not complete (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_signature_scheme(
    conn: *mut s2n_connection,
    scheme_name: *mut *const c_char,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(scheme_name, "scheme_name") }?;
        *out = static_cstr(c.core.signature_scheme_name()?);
        Ok(())
    })
}

/// Writes the two bytes of the negotiated cipher suite's IANA value, e.g. 0x13,0x01
/// for TLS_AES_128_GCM_SHA256.
///
/// Errors: NULL arguments; no suite negotiated yet (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_cipher_iana_value(
    conn: *mut s2n_connection,
    first: *mut u8,
    second: *mut u8,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let first = unsafe { try_mut(first, "first") }?;
        // SAFETY: as above.
        let second = unsafe { try_mut(second, "second") }?;
        let [a, b] = c.core.cipher_iana()?;
        *first = a;
        *second = b;
        Ok(())
    })
}

/// The protocol version of the ClientHello's record (its legacy version, at most
/// S2N_TLS12): on a client what it sends (S2N_TLS12), on a server what the client
/// sent (S2N_UNKNOWN_PROTOCOL_VERSION before it arrives). A client that offers
/// TLS1.3 sends TLS1.2 there.
///
/// @returns The version, or S2N_FAILURE for a NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_get_client_hello_version(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(c.core.client_hello_version()))
}

/// The name of the handshake message the connection is at (a static string):
/// "CLIENT_HELLO" before the handshake, "APPLICATION_DATA" once it is complete.
///
/// Differs from s2n-tls mid-handshake: rs2n sees only the cleartext hellos, so it
/// reports "SERVER_HELLO" once the ClientHello is on its way or read, then the
/// Finished message awaited ("CLIENT_FINISHED" on a server, "SERVER_FINISHED" on a
/// client) once the ServerHello is seen.
#[no_mangle]
pub extern "C" fn s2n_connection_get_last_message_name(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |c| Ok(static_cstr(c.core.last_message_name())))
}

/// Whether the connection is a server or a client. Works from the connection's
/// own callbacks. A NULL conn gives S2N_SERVER, as in s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_connection_get_mode(conn: *mut s2n_connection) -> s2n_mode {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let Ok(handle) = (unsafe { try_ref(conn, "conn") }) else {
            return Ok(S2N_SERVER);
        };
        Ok(match handle.mode {
            Mode::Server => S2N_SERVER,
            Mode::Client => S2N_CLIENT,
        })
    })
}

/// Whether the negotiated version and cipher suite are allowed by the named
/// security policy.
///
/// @returns 1 if they are, 0 if not (and before a suite is negotiated),
/// S2N_FAILURE for NULL arguments or a policy name rs2n does not accept
/// (S2N_ERR_INVALID_SECURITY_POLICY; s2n-tls also knows policies rs2n refuses).
#[no_mangle]
pub extern "C" fn s2n_connection_is_valid_for_cipher_preferences(
    conn: *mut s2n_connection,
    version: *const c_char,
) -> c_int {
    query(conn, |c| {
        // SAFETY: NULL or a NUL-terminated string.
        let name = unsafe { try_str(version, "version") }?;
        Ok(c_int::from(c.core.is_valid_for_policy(name)?))
    })
}

/// Writes the file descriptor the connection reads from.
///
/// Errors: NULL arguments; no file descriptor set, or I/O callbacks in use
/// (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_read_fd(
    conn: *mut s2n_connection,
    readfd: *mut c_int,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(readfd, "readfd") }?;
        *out = c.io.read_fd.ok_or_else(|| no_fd("read"))?;
        Ok(())
    })
}

/// Writes the file descriptor the connection writes to.
///
/// Errors: as `s2n_connection_get_read_fd`.
#[no_mangle]
pub extern "C" fn s2n_connection_get_write_fd(
    conn: *mut s2n_connection,
    writefd: *mut c_int,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(writefd, "writefd") }?;
        *out = c.io.write_fd.ok_or_else(|| no_fd("write"))?;
        Ok(())
    })
}

fn no_fd(what: &str) -> Error {
    Error::new(
        ErrorCode::InvalidState,
        format!("the connection has no {what} file descriptor (none set, or I/O callbacks in use)"),
    )
}

/// Sets a security policy for this connection only, overriding its config's
/// (same names as `s2n_config_set_cipher_preferences`) until it is wiped.
///
/// Errors: NULL arguments; an unknown or refused name
/// (S2N_ERR_INVALID_SECURITY_POLICY); the handshake has started
/// (S2N_ERR_INVALID_STATE). The policy is unchanged on failure.
#[no_mangle]
pub extern "C" fn s2n_connection_set_cipher_preferences(
    conn: *mut s2n_connection,
    version: *const c_char,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a NUL-terminated string.
        let name = unsafe { try_str(version, "version") }?;
        c.core.set_policy(name)
    })
}

/// The certificate chain this side uses in the handshake: on a server, the chain
/// chosen for the client; on a client, the chain it sent to a server that asked
/// for one. It is the `s2n_cert_chain_and_key` the application added (or the one
/// the config made for `s2n_config_add_cert_chain_and_key`). NULL before the
/// choice, on a client that sent no certificate, and if the chain has been freed
/// since (S2N_ERR_NO_CERT_FOUND).
#[no_mangle]
pub extern "C" fn s2n_connection_get_selected_cert(
    conn: *mut s2n_connection,
) -> *mut s2n_cert_chain_and_key {
    query(conn, |c| {
        let key = c.core.selected_cert().ok_or_else(|| {
            Error::new(ErrorCode::NoCertFound, "no certificate has been selected")
        })?;
        let owner = owner_of(&key);
        match owner.is_null() {
            true => Err(Error::new(
                ErrorCode::NoCertFound,
                "the selected certificate chain has been freed or reloaded",
            )),
            false => Ok(owner),
        }
    })
}

/// On a server, writes how the client's server name (SNI) matched the
/// certificates: S2N_SNI_NONE (no name sent), S2N_SNI_EXACT_MATCH,
/// S2N_SNI_WILDCARD_MATCH ("*.example.com" for "www.example.com") or
/// S2N_SNI_NO_MATCH (a default certificate was used). Names are the
/// certificates' subjectAltName DNS names, else their common names.
///
/// Errors: NULL arguments; a client (S2N_ERR_CLIENT_MODE); no certificate chosen
/// yet (S2N_ERR_NO_CERT_FOUND).
#[no_mangle]
pub extern "C" fn s2n_connection_get_certificate_match(
    conn: *mut s2n_connection,
    match_status: *mut s2n_cert_sni_match,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or writable.
        let out = unsafe { try_mut(match_status, "match_status") }?;
        *out = match c.core.certificate_match()? {
            None => S2N_SNI_NONE,
            Some(NameMatch::Exact) => S2N_SNI_EXACT_MATCH,
            Some(NameMatch::Wildcard) => S2N_SNI_WILDCARD_MATCH,
            Some(NameMatch::None) => S2N_SNI_NO_MATCH,
        };
        Ok(())
    })
}

/// Fills `cert_chain` (new from `s2n_cert_chain_and_key_new`, empty) with the
/// peer's validated certificate chain once the handshake is complete: the leaf,
/// the intermediates of the verified path, and the trusted root from the trust
/// store, even if the peer did not send it (as s2n-tls). With verification off
/// (`s2n_config_disable_x509_verification`), the certificates the peer sent. Read
/// it with `s2n_cert_chain_get_length` and `s2n_cert_chain_get_cert`; free it with
/// `s2n_cert_chain_and_key_free`.
///
/// Errors: NULL arguments; a chain object that is not empty
/// (S2N_ERR_INVALID_ARGUMENT); no peer chain: the handshake is not complete, or
/// the peer sent no certificate (S2N_ERR_CERT_NOT_VALIDATED).
#[no_mangle]
pub extern "C" fn s2n_connection_get_peer_cert_chain(
    conn: *const s2n_connection,
    cert_chain: *mut s2n_cert_chain_and_key,
) -> c_int {
    with_conn(conn.cast_mut(), |c| {
        // SAFETY: NULL or a live handle.
        let chain = unsafe { try_ref(cert_chain, "cert_chain") }?;
        let certs = c.core.peer_cert_chain()?;
        chain.load(|k| k.set_peer_chain(certs))
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;

    /// The C enum values equal the core's meanings.
    #[test]
    fn enum_values_are_s2ns() {
        use crate::connection::negotiated::{hash_algorithm, signature_algorithm};
        use rustls::SignatureScheme as S;
        assert_eq!(
            signature_algorithm(None).unwrap(),
            S2N_TLS_SIGNATURE_ANONYMOUS
        );
        assert_eq!(
            signature_algorithm(Some(S::ECDSA_NISTP256_SHA256)).unwrap(),
            S2N_TLS_SIGNATURE_ECDSA
        );
        assert_eq!(
            signature_algorithm(Some(S::RSA_PSS_SHA384)).unwrap(),
            S2N_TLS_SIGNATURE_RSA_PSS_RSAE
        );
        assert_eq!(
            signature_algorithm(Some(S::RSA_PKCS1_SHA256)).unwrap(),
            S2N_TLS_SIGNATURE_RSA
        );
        assert_eq!(hash_algorithm(Some(S::RSA_PSS_SHA384)), S2N_TLS_HASH_SHA384);
        assert_eq!(hash_algorithm(None), S2N_TLS_HASH_NONE);
    }
}
