//! The exported functions for certificate verification: the verify host
//! callback, the chain depth, the date and intent checks, the system trust store.

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use super::callbacks::CVerifyHost;
use super::handles::{s2n_config, s2n_connection, with_config, with_conn};
use crate::config::Config;
use crate::error::Error;
use crate::verify::VerifyHost;

/// Decides whether a name from the peer's certificate is trusted: called with each
/// DNS and URI name of its subject alternative names (not NUL-terminated: use
/// `host_name_len`), or once with "" if it has none, until it returns nonzero
/// (trusted). Returning 0 for every name fails the handshake
/// (S2N_ERR_CERT_INVALID_HOSTNAME). `data` is the pointer given with it.
///
/// Differs from s2n-tls, which also passes IP address entries as text and, with
/// no alternative name, the subject's common name.
pub type s2n_verify_host_fn = Option<
    unsafe extern "C" fn(host_name: *const c_char, host_name_len: usize, data: *mut c_void) -> u8,
>;

fn callback(host_fn: s2n_verify_host_fn, data: *mut c_void) -> Option<Arc<dyn VerifyHost>> {
    host_fn.map(|f| Arc::new(CVerifyHost { f, data }) as Arc<dyn VerifyHost>)
}

/// Sets the callback that checks the names of the peer's certificate, for the
/// config's connections. It runs during the handshake, after the chain verified,
/// on the connection's thread (the connection is busy meanwhile). NULL restores
/// the default: a client requires the server name set with `s2n_set_server_name`
/// (RFC 6125 matching); a server, as in s2n-tls, requires a name of the client's
/// certificate to match the server name the client sent (SNI), so a server doing
/// client authentication usually sets a callback.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_verify_host_callback(
    config: *mut s2n_config,
    host_fn: s2n_verify_host_fn,
    data: *mut c_void,
) -> c_int {
    with_config(config, |c| c.set_verify_host(callback(host_fn, data)))
}

/// Sets the verify host callback for this connection, over its config's.
///
/// Differs from s2n-tls, where a NULL callback on a connection turns the host
/// check off: in rs2n NULL goes back to the config's callback (or the default).
/// Use `s2n_config_disable_x509_verification` to verify nothing.
///
/// Errors: NULL conn; after the handshake started (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_set_verify_host_callback(
    conn: *mut s2n_connection,
    host_fn: s2n_verify_host_fn,
    data: *mut c_void,
) -> c_int {
    with_conn(conn, |c| c.core.set_verify_host(callback(host_fn, data)))
}

/// Sets how many certificates a peer may send in its chain (default 7); a longer
/// chain fails the handshake (S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED) unless
/// verification is off. 1 means the peer's certificate alone.
///
/// Errors: NULL config; 0 (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_max_cert_chain_depth(
    config: *mut s2n_config,
    max_depth: u16,
) -> c_int {
    with_config(config, |c| {
        if max_depth == 0 {
            return Err(Error::usage("max_depth must be at least 1"));
        }
        c.set_chain_policy(|p| {
            p.max_depth = max_depth;
            Ok(())
        })
    })
}

/// Stops checking the validity dates (notBefore, notAfter) of the peer's chain.
/// Everything else is still verified. rs2n verifies the chain at an instant at
/// which all of its certificates are valid together; a chain whose certificates
/// were never valid at the same time is refused (s2n-tls accepts it).
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_disable_x509_time_verification(config: *mut s2n_config) -> c_int {
    with_config(config, |c| {
        c.set_chain_policy(|p| {
            p.check_time = false;
            Ok(())
        })
    })
}

/// Stops checking the extended key usage of the peer's certificate (serverAuth
/// for a server's, clientAuth for a client's; a certificate without the extension
/// is accepted either way). Everything else is still verified.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_disable_x509_intent_verification(config: *mut s2n_config) -> c_int {
    with_config(config, |c| {
        c.set_chain_policy(|p| {
            p.check_intent = false;
            Ok(())
        })
    })
}

/// Adds the system's CAs to the trust store (`SSL_CERT_FILE`, else
/// /etc/ssl/certs/ca-certificates.crt, read once per process), for a config made
/// with `s2n_config_new_minimal` or after `s2n_config_wipe_trust_store`.
///
/// Errors: NULL config; the system CAs are already there, as in every config from
/// `s2n_config_new` (S2N_ERR_X509_TRUST_STORE).
#[no_mangle]
pub extern "C" fn s2n_config_load_system_certs(config: *mut s2n_config) -> c_int {
    with_config(config, Config::load_system_certs)
}
