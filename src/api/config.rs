//! The exported functions on `struct s2n_config`: settings shared by connections.

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::boundary::{free_handle, guard, try_cbytes, try_mut, try_ref, try_str};
use super::callbacks::{CClock, CTiebreak};
use super::handles::{s2n_cert_chain_and_key, s2n_config, with_config};
use super::{s2n_clock_time_nanoseconds, S2N_SUCCESS};
use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::sync;

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
    guard(|| {
        // SAFETY: NULL or live handles.
        let handle = unsafe { try_ref(config, "config") }?;
        // SAFETY: as above.
        let pair = unsafe { try_ref(cert_key_pair, "cert_key_pair") }?;
        let key = pair.with(|k| k.certified_key())?;
        handle.core.add_cert_chain_and_key(key)?;
        pair.added_to(&handle.core);
        Ok(S2N_SUCCESS)
    })
}

/// Parses a PEM chain and key (as `s2n_cert_chain_and_key_load_pem` does) and adds
/// them to the config, which owns them (`s2n_config_free_cert_chain_and_key` or
/// `s2n_config_free` frees them). Same errors as that function.
#[no_mangle]
pub extern "C" fn s2n_config_add_cert_chain_and_key(
    config: *mut s2n_config,
    cert_chain_pem: *const c_char,
    private_key_pem: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        // SAFETY: NULL or NUL-terminated strings.
        let chain = unsafe { try_cbytes(cert_chain_pem, "cert_chain_pem") }?;
        // SAFETY: as above.
        let key = unsafe { try_cbytes(private_key_pem, "private_key_pem") }?;
        let pair = Box::new(s2n_cert_chain_and_key::new());
        pair.load(|c| c.load_pem(chain, key))?;
        handle
            .core
            .add_cert_chain_and_key(pair.with(|k| k.certified_key())?)?;
        pair.added_to(&handle.core);
        sync::lock(&handle.owned_certs).push(pair);
        Ok(S2N_SUCCESS)
    })
}

/// Frees the chains the config owns (those `s2n_config_add_cert_chain_and_key`
/// made) and takes them out of the config; chains the application added with
/// `s2n_config_add_cert_chain_and_key_to_store` stay. Connections already using a
/// freed chain keep their own reference.
///
/// Differs from s2n-tls, which refuses to mix owned and application chains in one
/// config: rs2n allows it.
#[no_mangle]
pub extern "C" fn s2n_config_free_cert_chain_and_key(config: *mut s2n_config) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        let owned = std::mem::take(&mut *sync::lock(&handle.owned_certs));
        let keys: Vec<_> = owned
            .iter()
            .filter_map(|p| p.with(|k| k.certified_key()).ok())
            .collect();
        handle.core.remove_certs(&keys)?;
        drop(owned);
        Ok(S2N_SUCCESS)
    })
}

/// Sets the certificates a server uses when none matches the client's server name
/// (SNI), or when the client sent none: one per key type (RSA, ECDSA, Ed25519).
/// They need not have been added to the store. Default: every certificate added,
/// the first that suits the negotiation being chosen.
///
/// Errors: NULL arguments; a count of 0 (S2N_ERR_NUM_DEFAULT_CERTIFICATES); two of
/// one key type (S2N_ERR_MULTIPLE_DEFAULT_CERTIFICATES_PER_AUTH_TYPE); a chain
/// with nothing or no key loaded. The defaults are unchanged on failure.
#[no_mangle]
pub extern "C" fn s2n_config_set_cert_chain_and_key_defaults(
    config: *mut s2n_config,
    cert_key_pairs: *mut *mut s2n_cert_chain_and_key,
    num_cert_key_pairs: u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        if cert_key_pairs.is_null() {
            return Err(Error::null("cert_key_pairs"));
        }
        // SAFETY: valid for num_cert_key_pairs pointers, as the API requires.
        let pairs = unsafe {
            std::slice::from_raw_parts(cert_key_pairs, num_cert_key_pairs.min(16) as usize)
        };
        if num_cert_key_pairs > 16 {
            return Err(Error::new(
                ErrorCode::NumDefaultCertificates,
                "at most one default certificate per key type may be given",
            ));
        }
        let mut keys = Vec::new();
        let mut chains = Vec::new();
        for &p in pairs {
            // SAFETY: NULL or a live handle.
            let pair = unsafe { try_ref(p, "cert_key_pairs[i]") }?;
            keys.push(pair.with(|k| k.certified_key())?);
            chains.push(pair);
        }
        handle.core.set_default_certs(keys)?;
        chains.iter().for_each(|p| p.added_to(&handle.core));
        Ok(S2N_SUCCESS)
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

/// Writes the IANA values of the key exchange groups the config's security policy
/// offers, in its order of preference, to `groups` (room for `groups_count_max`),
/// and their number to `*groups_count`. Only groups rs2n can negotiate are listed
/// (x25519, secp256r1, secp384r1: no post-quantum hybrids, as in an s2n-tls built
/// without ML-KEM).
///
/// Errors: NULL arguments; too small an array (S2N_ERR_INSUFFICIENT_MEM_SIZE).
/// `*groups_count` is 0 on failure.
#[no_mangle]
pub extern "C" fn s2n_config_get_supported_groups(
    config: *mut s2n_config,
    groups: *mut u16,
    groups_count_max: u16,
    groups_count: *mut u16,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or writable.
        let count = unsafe { try_mut(groups_count, "groups_count") }?;
        *count = 0;
        // SAFETY: NULL or a live handle.
        let handle = unsafe { try_ref(config, "config") }?;
        if groups.is_null() {
            return Err(Error::null("groups"));
        }
        let policy = handle.core.settings().policy;
        let offered = policy.kx_groups();
        if offered.len() > usize::from(groups_count_max) {
            return Err(Error::new(
                ErrorCode::InsufficientMemSize,
                format!(
                    "the policy offers {} groups; the array holds {groups_count_max}",
                    offered.len()
                ),
            ));
        }
        // SAFETY: `groups` holds groups_count_max values, as the API requires.
        let out = unsafe { std::slice::from_raw_parts_mut(groups, offered.len()) };
        for (o, g) in out.iter_mut().zip(offered) {
            *o = u16::from(*g);
        }
        *count = offered.len() as u16;
        Ok(S2N_SUCCESS)
    })
}

/// Chooses between two certificates for the same name and key type: returns the
/// one to use for `name` (`name_len` bytes, not NUL-terminated); anything else
/// (NULL included) keeps the first.
pub type s2n_cert_tiebreak_callback = Option<
    unsafe extern "C" fn(
        cert1: *mut s2n_cert_chain_and_key,
        cert2: *mut s2n_cert_chain_and_key,
        name: *mut u8,
        name_len: u32,
    ) -> *mut s2n_cert_chain_and_key,
>;

/// Sets the callback asked, as certificates are added to the config, when a new
/// certificate has a name (subjectAltName DNS name, else common name) and key type
/// (RSA, ECDSA, Ed25519) of one already added: `cert1` holds the name so far,
/// `cert2` is being added; returning `cert2` makes it the one a client asking for
/// that name gets. Without a callback (the default, or NULL) the first added keeps
/// the name, as in s2n-tls. Set it before adding the certificates.
///
/// The callback runs with no rs2n lock held. rs2n skips it (the first keeps the
/// name) when the earlier chain has already been freed.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_cert_tiebreak_callback(
    config: *mut s2n_config,
    cert_tiebreak_cb: s2n_cert_tiebreak_callback,
) -> c_int {
    with_config(config, |c| {
        let tiebreak = cert_tiebreak_cb
            .map(|f| Arc::new(CTiebreak(f)) as Arc<dyn crate::cert_select::CertTiebreak>);
        c.set_tiebreak(tiebreak)
    })
}
