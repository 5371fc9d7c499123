//! The server's `s2n_config`: security policy, certificate and key, and the
//! resumption it offers (session tickets, the session-ID cache, the ticket
//! key both need).

use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::Mutex;
use std::time::SystemTime;

use s2n_tls::ffi;

use crate::cache::{cache_delete, cache_retrieve, cache_store, Cache};
use crate::common::err;
use crate::raw::{ffi_check, ffi_err, RawConfig};
use crate::Res;

pub struct ServerOpts {
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
    pub policy: String,
    pub tickets: bool,
    pub cache: bool,
    pub ticket_key: Vec<u8>,
    pub ticket_key_name: String,
    /// Application protocols, most preferred first (`--alpn`).
    pub alpn: Vec<String>,
    /// Mutual TLS: client certificates required and verified against this CA
    /// (`--ca`), any name accepted.
    pub ca: Option<Vec<u8>>,
    /// The DER OCSP response to staple (`--ocsp`).
    pub ocsp: Option<Vec<u8>>,
}

/// Accepts any name in a client certificate (the chain is still verified).
unsafe extern "C" fn accept_any_name(
    _name: *const std::ffi::c_char,
    _len: usize,
    _data: *mut c_void,
) -> u8 {
    1
}

pub fn server_config(o: &ServerOpts) -> Res<RawConfig> {
    s2n_tls::init::init(); // s2n_init + the crate's allocator hooks, once
    let cfg = unsafe { ffi::s2n_config_new_minimal() };
    if cfg.is_null() {
        return Err(ffi_err("s2n_config_new_minimal"));
    }
    let cfg = RawConfig(cfg);
    let policy = CString::new(o.policy.as_str()).map_err(err("--policy"))?;
    let cert = CString::new(o.cert.clone()).map_err(err("--cert"))?;
    let key = CString::new(o.key.clone()).map_err(err("--key"))?;
    unsafe {
        ffi_check(
            ffi::s2n_config_set_cipher_preferences(cfg.0, policy.as_ptr()),
            "security policy",
        )?;
        ffi_check(
            ffi::s2n_config_add_cert_chain_and_key(cfg.0, cert.as_ptr(), key.as_ptr()),
            "certificate/key",
        )?;
        if let Some(ocsp) = &o.ocsp {
            ffi_check(
                ffi::s2n_config_set_extension_data(
                    cfg.0,
                    ffi::s2n_tls_extension_type::OCSP_STAPLING,
                    ocsp.as_ptr(),
                    ocsp.len() as u32,
                ),
                "OCSP response",
            )?;
        }
        if !o.alpn.is_empty() {
            let names: Vec<CString> = o
                .alpn
                .iter()
                .map(|n| CString::new(n.as_str()).map_err(err("--alpn")))
                .collect::<Res<_>>()?;
            let ptrs: Vec<*const std::ffi::c_char> = names.iter().map(|n| n.as_ptr()).collect();
            ffi_check(
                ffi::s2n_config_set_protocol_preferences(cfg.0, ptrs.as_ptr(), ptrs.len() as i32),
                "protocol preferences",
            )?;
        }
        if let Some(ca) = &o.ca {
            let ca = CString::new(ca.clone()).map_err(err("--ca"))?;
            ffi_check(
                ffi::s2n_config_add_pem_to_trust_store(cfg.0, ca.as_ptr()),
                "trust store",
            )?;
            ffi_check(
                ffi::s2n_config_set_client_auth_type(cfg.0, ffi::s2n_cert_auth_type::REQUIRED),
                "client auth type",
            )?;
            ffi_check(
                ffi::s2n_config_set_verify_host_callback(
                    cfg.0,
                    Some(accept_any_name),
                    std::ptr::null_mut(),
                ),
                "verify host callback",
            )?;
        }
        if o.cache {
            // Leaked on purpose: lives as long as the process.
            let cache: &'static Cache = Box::leak(Box::new(Mutex::new(HashMap::new())));
            let ctx = cache as *const Cache as *mut c_void;
            ffi_check(
                ffi::s2n_config_set_cache_store_callback(cfg.0, Some(cache_store), ctx),
                "cache store callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_cache_retrieve_callback(cfg.0, Some(cache_retrieve), ctx),
                "cache retrieve callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_cache_delete_callback(cfg.0, Some(cache_delete), ctx),
                "cache delete callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_session_cache_onoff(cfg.0, 1),
                "session cache on",
            )?;
        }
        if o.tickets {
            ffi_check(
                ffi::s2n_config_set_session_tickets_onoff(cfg.0, 1),
                "session tickets on",
            )?;
        }
        if o.tickets || o.cache {
            // Tickets and the session-ID cache both encrypt the session state
            // with the ticket keys, so either needs one (added after
            // enabling: s2n ignores keys added while both are off).
            let intro = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_err(err("clock"))?
                .as_secs();
            let mut k = o.ticket_key.clone();
            ffi_check(
                ffi::s2n_config_add_ticket_crypto_key(
                    cfg.0,
                    o.ticket_key_name.as_ptr(),
                    o.ticket_key_name.len() as u32,
                    k.as_mut_ptr(),
                    k.len() as u32,
                    intro,
                ),
                "ticket key",
            )?;
        }
    }
    Ok(cfg)
}
