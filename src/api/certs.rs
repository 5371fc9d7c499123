//! The exported functions on `struct s2n_cert_chain_and_key`: a certificate chain
//! with its private key.

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use super::boundary::{free_handle, guard, into_handle, try_cbytes, try_ref};
use super::handles::s2n_cert_chain_and_key;
use super::S2N_SUCCESS;
use crate::certs::CertChainAndKey;

/// Creates an empty certificate chain and key; load it with
/// `s2n_cert_chain_and_key_load_pem`, free it with `s2n_cert_chain_and_key_free`.
///
/// @returns The new object, or NULL on failure.
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_new() -> *mut s2n_cert_chain_and_key {
    guard(|| {
        Ok(into_handle(s2n_cert_chain_and_key {
            inner: Mutex::new(CertChainAndKey::new()),
        }))
    })
}

/// Loads a PEM certificate chain (leaf first) and the leaf's PEM private key
/// (PKCS#8, PKCS#1 or SEC1). Accepts ECDSA P-256/P-384, RSA 2048 bits or more, and
/// Ed25519.
///
/// Errors (S2N_ERR_T_USAGE): a NULL argument; no certificate or a malformed one in
/// the chain (S2N_ERR_INVALID_PEM); no usable key (S2N_ERR_INVALID_PEM or
/// S2N_ERR_CERT_TYPE_UNSUPPORTED); a key that does not match the leaf's public key
/// (S2N_ERR_KEY_MISMATCH). On failure the object keeps what it held before.
/// rs2n wipes its own copy of the decoded key once loaded.
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
        handle.with(|c| c.load_pem(chain, key))?;
        Ok(S2N_SUCCESS)
    })
}

/// Frees a certificate chain and key. Configs it was added to keep their own
/// reference, so freeing it early is safe in rs2n (s2n-tls requires it to outlive
/// those configs).
#[no_mangle]
pub extern "C" fn s2n_cert_chain_and_key_free(cert_and_key: *mut s2n_cert_chain_and_key) -> c_int {
    guard(|| {
        // SAFETY: the handle came from s2n_cert_chain_and_key_new.
        unsafe { free_handle(cert_and_key, "cert_and_key") }?;
        Ok(S2N_SUCCESS)
    })
}
