//! The exported functions on `struct s2n_config`: settings shared by connections.

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::boundary::{free_handle, guard, try_cbytes, try_mut, try_ref, try_str};
use super::callbacks::CClock;
use super::handles::{s2n_cert_chain_and_key, s2n_config, with_config};
use super::{s2n_clock_time_nanoseconds, S2N_SUCCESS};
use crate::certs::CertChainAndKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, Result};

/// Creates a config with s2n's defaults: the "default" security policy, the
/// system's trusted CAs (`SSL_CERT_FILE`, else /etc/ssl/certs/ca-certificates.crt,
/// read once per process), certificate verification on, no certificates, the
/// system clocks. Free it with `s2n_config_free` once no connection uses it.
///
/// @returns The new config, or NULL on failure.
#[no_mangle]
pub extern "C" fn s2n_config_new() -> *mut s2n_config {
    guard(|| Ok(s2n_config::new_handle(Config::new())))
}

/// Like `s2n_config_new`, but with an empty trust store: cheaper when the
/// application brings its own CAs or does not verify.
#[no_mangle]
pub extern "C" fn s2n_config_new_minimal() -> *mut s2n_config {
    guard(|| Ok(s2n_config::new_handle(Config::new_minimal())))
}

/// Frees a config. Connections that use it keep their own reference, so in rs2n
/// freeing a config that connections still use is safe (s2n-tls forbids it).
#[no_mangle]
pub extern "C" fn s2n_config_free(config: *mut s2n_config) -> c_int {
    guard(|| {
        // SAFETY: the handle came from s2n_config_new.
        unsafe { free_handle(config, "config") }?;
        Ok(S2N_SUCCESS)
    })
}

/// Selects a security policy by its s2n name ("default", "default_tls13",
/// "20240501", ...): the protocol versions, cipher suites and groups offered. The
/// README lists every name rs2n accepts and what it negotiates under it.
///
/// Errors: S2N_ERR_INVALID_SECURITY_POLICY (S2N_ERR_T_USAGE) for a name rs2n does
/// not know or cannot honour; the message names it. The config keeps its policy.
#[no_mangle]
pub extern "C" fn s2n_config_set_cipher_preferences(
    config: *mut s2n_config,
    version: *const c_char,
) -> c_int {
    with_config(config, |c| {
        // SAFETY: NULL or a NUL-terminated string.
        let name = unsafe { try_str(version, "version") }?;
        c.set_cipher_preferences(name)
    })
}

/// Stores an application pointer in the config; read it back with
/// `s2n_config_get_ctx`. Default NULL.
#[no_mangle]
pub extern "C" fn s2n_config_set_ctx(config: *mut s2n_config, ctx: *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        handle.ctx.store(ctx, Ordering::Release);
        Ok(S2N_SUCCESS)
    })
}

/// Reads the pointer stored with `s2n_config_set_ctx` into `*ctx`.
#[no_mangle]
pub extern "C" fn s2n_config_get_ctx(config: *mut s2n_config, ctx: *mut *mut c_void) -> c_int {
    guard(|| {
        // SAFETY: NULL or valid pointers.
        let handle = unsafe { try_ref(config, "config") }?;
        // SAFETY: as above.
        let out = unsafe { try_mut(ctx, "ctx") }?;
        *out = handle.ctx.load(Ordering::Acquire);
        Ok(S2N_SUCCESS)
    })
}

/// Gives the config an application clock.
fn set_clock(
    config: *mut s2n_config,
    clock_fn: s2n_clock_time_nanoseconds,
    ctx: *mut c_void,
    what: &'static str,
    apply: fn(&Config, Arc<dyn Clock>) -> Result<()>,
) -> c_int {
    with_config(config, |c| {
        let f = clock_fn.ok_or_else(|| Error::null("clock_fn"))?;
        apply(c, Arc::new(CClock { f, ctx, what }))
    })
}

/// Replaces the wall clock (nanoseconds since the Unix epoch) the config uses for
/// certificate validity and, with tickets, key and session lifetimes. Tests use it
/// to move time without sleeping. Default: the system's real-time clock.
///
/// The clock runs with no lock held and may change this config (see "Callbacks" at
/// the top); freeing the config from it is safe in rs2n.
///
/// Errors: NULL config or clock_fn. A clock that returns non-zero makes the
/// operation that needed the time fail.
#[no_mangle]
pub extern "C" fn s2n_config_set_wall_clock(
    config: *mut s2n_config,
    clock_fn: s2n_clock_time_nanoseconds,
    ctx: *mut c_void,
) -> c_int {
    set_clock(config, clock_fn, ctx, "wall clock", Config::set_wall_clock)
}

/// Replaces the monotonic clock (nanoseconds from any fixed point). Default: the
/// system's monotonic clock. rs2n reads it only for timing, never for security
/// decisions.
#[no_mangle]
pub extern "C" fn s2n_config_set_monotonic_clock(
    config: *mut s2n_config,
    clock_fn: s2n_clock_time_nanoseconds,
    ctx: *mut c_void,
) -> c_int {
    set_clock(
        config,
        clock_fn,
        ctx,
        "monotonic clock",
        Config::set_monotonic_clock,
    )
}

/// Adds a certificate chain and key for a server to present. Several may be added;
/// as in s2n-tls, the server looks among those valid for the client's server name
/// (or all, if none is) for one that fits the first cipher suite, in the policy's
/// order, that the client offers: an ECDSA key for ECDHE-ECDSA, RSA for ECDHE-RSA,
/// any key the client can verify for TLS1.3. Else the first added.
///
/// Errors: NULL arguments; an object with nothing loaded (S2N_ERR_NO_CERTIFICATE_IN_PEM).
#[no_mangle]
pub extern "C" fn s2n_config_add_cert_chain_and_key_to_store(
    config: *mut s2n_config,
    cert_key_pair: *mut s2n_cert_chain_and_key,
) -> c_int {
    with_config(config, |c| {
        // SAFETY: NULL or a live handle.
        let pair = unsafe { try_ref(cert_key_pair, "cert_key_pair") }?;
        let key = pair.with(|k| k.certified_key())?;
        c.add_cert_chain_and_key(key)
    })
}

/// Parses a PEM chain and key (as `s2n_cert_chain_and_key_load_pem` does) and adds
/// them to the config, which owns them. Same errors as that function.
#[no_mangle]
pub extern "C" fn s2n_config_add_cert_chain_and_key(
    config: *mut s2n_config,
    cert_chain_pem: *const c_char,
    private_key_pem: *const c_char,
) -> c_int {
    with_config(config, |c| {
        // SAFETY: NULL or NUL-terminated strings.
        let chain = unsafe { try_cbytes(cert_chain_pem, "cert_chain_pem") }?;
        // SAFETY: as above.
        let key = unsafe { try_cbytes(private_key_pem, "private_key_pem") }?;
        let mut pair = CertChainAndKey::new();
        pair.load_pem(chain, key)?;
        c.add_cert_chain_and_key(pair.certified_key()?)
    })
}

/// Adds every certificate in a PEM text to the trust store used to verify peers.
///
/// Errors: NULL arguments; no certificate or a malformed one (S2N_ERR_INVALID_PEM).
/// Nothing is added on failure.
#[no_mangle]
pub extern "C" fn s2n_config_add_pem_to_trust_store(
    config: *mut s2n_config,
    pem: *const c_char,
) -> c_int {
    with_config(config, |c| {
        // SAFETY: NULL or a NUL-terminated string.
        let pem = unsafe { try_cbytes(pem, "pem") }?;
        c.add_pem_to_trust_store(pem)
    })
}

fn optional_path<'a>(p: *const c_char, what: &'static str) -> Result<Option<&'a Path>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, NUL-terminated.
    let s = unsafe { try_str(p, what) }?;
    Ok(Some(Path::new(s)))
}

/// Adds trusted CAs from a PEM file and/or from every PEM file in a directory
/// (either may be NULL, not both).
///
/// Differs from s2n-tls: s2n-tls looks CAs up in an OpenSSL hashed directory on
/// demand; rs2n reads every PEM file in the directory at once.
///
/// Errors: both NULL (S2N_ERR_NULL); a file that cannot be read or holds no
/// certificate, a directory with none (S2N_ERR_INVALID_FILE, S2N_ERR_INVALID_PEM).
#[no_mangle]
pub extern "C" fn s2n_config_set_verification_ca_location(
    config: *mut s2n_config,
    ca_pem_filename: *const c_char,
    ca_dir: *const c_char,
) -> c_int {
    with_config(config, |c| {
        let file = optional_path(ca_pem_filename, "ca_pem_filename")?;
        let dir = optional_path(ca_dir, "ca_dir")?;
        c.set_verification_ca_location(file, dir)
    })
}

/// Empties the trust store, the system CAs included.
#[no_mangle]
pub extern "C" fn s2n_config_wipe_trust_store(config: *mut s2n_config) -> c_int {
    with_config(config, Config::wipe_trust_store)
}

/// Turns off verification of the peer's certificate chain and name. The handshake
/// signatures are still checked against the certificate presented. For tests only:
/// it lets anyone impersonate the server.
#[no_mangle]
pub extern "C" fn s2n_config_disable_x509_verification(config: *mut s2n_config) -> c_int {
    with_config(config, Config::disable_x509_verification)
}
