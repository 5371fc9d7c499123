//! The exported functions for Diffie-Hellman parameters: checked, then unused
//! (rs2n offers no DHE suite).

use std::ffi::{c_char, c_int};

use super::boundary::try_cbytes;
use super::handles::{s2n_config, with_config};

/// Reads PEM "DH PARAMETERS" (PKCS#3) and checks them as s2n-tls does: a prime
/// of at least 2048 bits and a generator in range. They have no effect in rs2n,
/// exactly as in s2n-tls with the suites rs2n negotiates: rs2n offers no DHE
/// suite (rustls has none, and every s2n policy it accepts keeps only its
/// ECDHE and TLS1.3 suites), so s2n would never use them either. rs2n does not
/// test the prime's primality (s2n has OpenSSL do it).
///
/// Errors: NULL arguments; no "DH PARAMETERS" block (S2N_ERR_INVALID_PEM);
/// malformed parameters (S2N_ERR_INVALID_PKCS3); a prime under 2048 bits
/// (S2N_ERR_DH_TOO_SMALL).
#[no_mangle]
pub extern "C" fn s2n_config_add_dhparams(
    config: *mut s2n_config,
    dhparams_pem: *const c_char,
) -> c_int {
    with_config(config, |_| {
        // SAFETY: NULL or a NUL-terminated string.
        let pem = unsafe { try_cbytes(dhparams_pem, "dhparams_pem") }?;
        crate::dhparams::check(pem)
    })
}

/// Forgets the config's DH parameters: rs2n keeps none (see
/// `s2n_config_add_dhparams`), so this has no effect beyond checking `config`, as
/// s2n-tls succeeds with or without parameters.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_free_dhparams(config: *mut s2n_config) -> c_int {
    with_config(config, |_| Ok(()))
}
