//! A config (`s2n_config`): settings shared by many connections, and the rustls
//! configs built from them once per change.

use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use once_cell::sync::Lazy;

use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::NoServerSessionStorage;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DistinguishedName, RootCertStore, ServerConfig};

use crate::alpn::ProtocolList;
use crate::cert_select::{CertResolver, CertTiebreak};
pub use crate::client_hello::callback::HelloSettings;
use crate::clock::{SharedClock, SystemMonotonicClock, SystemWallClock, WallTimeProvider};
use crate::error::{Error, ErrorCode, Result};
pub use crate::io_settings::IoSettings;

mod trust_store;
use crate::policy::{self, SecurityPolicy};
use crate::resumption::cache::SessionCache;
use crate::resumption::client::SessionTicketCallback;
use crate::resumption::ticket_keys::{Lifetimes, TicketKeyStore};
use crate::sync;
use crate::trust;
use crate::verify::peer::{ClientCerts, ClientVerifier, ServerVerifier};
use crate::verify::{CertAuth, ChainPolicy, ChainVerifier, VerifyHost};
// The trust store's type lives with the code that reads it; this keeps its old path.
pub use crate::trust::TrustStore;

pub(crate) use crate::verify::host::no_server_name;

/// s2n's limit on the CA names a server sends (`s2n_config_set_cert_authorities_from_trust_store`).
const MAX_CERT_AUTHORITIES_LEN: usize = 10 * 1024;

/// Everything a config holds that an application sets.
#[derive(Clone, Debug)]
pub struct Settings {
    pub policy: &'static SecurityPolicy,
    /// The server's certificate chains, in the order they were added.
    pub certs: Vec<Arc<CertifiedKey>>,
    /// The certificates used when none matches the client's server name
    /// (`s2n_config_set_cert_chain_and_key_defaults`); None: all of `certs`.
    pub default_certs: Option<Vec<Arc<CertifiedKey>>>,
    /// The application's certificate tiebreak, asked as certificates are added.
    pub tiebreak: Option<Arc<dyn CertTiebreak>>,
    /// Names a later certificate won by tiebreak over an earlier one of its key type.
    pub name_winners: Vec<(String, Arc<CertifiedKey>)>,
    pub trust: TrustStore,
    /// Whether clients verify the server's certificate chain and name.
    pub verify_x509: bool,
    pub wall_clock: SharedClock,
    pub monotonic_clock: SharedClock,
    /// Stateless resumption (`s2n_config_set_session_tickets_onoff`).
    pub session_tickets: bool,
    /// TLS1.3 tickets a server sends after a handshake (s2n's default: 1).
    pub initial_ticket_count: u8,
    /// No TLS1.2 tickets issued or accepted.
    pub require_ticket_forward_secrecy: bool,
    pub ticket_callback: Option<Arc<dyn SessionTicketCallback>>,
    /// Stateful resumption through the application's cache, when on.
    pub session_cache: Option<Arc<dyn SessionCache>>,
    /// Application protocols, most preferred first (ALPN).
    pub alpn: ProtocolList,
    /// Client authentication, if the application set it (else s2n's default for
    /// the connection's mode).
    pub client_auth: Option<CertAuth>,
    /// The application's verify-host callback.
    pub verify_host: Option<Arc<dyn VerifyHost>>,
    pub chain_policy: ChainPolicy,
    /// The CA names a server sends with its CertificateRequest, once loaded.
    pub cert_authorities: Option<Vec<DistinguishedName>>,
    /// The chains as a client presents them (the same as `certs`): kept as one
    /// object, since rustls resumes a client session only under the resolver of
    /// its first handshake.
    pub client_certs: Arc<ClientCerts>,
    /// How connections send and receive records.
    pub io: IoSettings,
    pub early_data: crate::early_data::EarlyDataSettings,
    pub client_hello: HelloSettings,
    /// Async private key operations and signature checks.
    pub pkey: crate::pkey::PkeySettings,
    /// OCSP stapling, certificate transparency, key logging.
    pub extras: crate::extras::Extras,
}

impl Settings {
    fn new(system_trust: bool) -> Self {
        Settings {
            policy: policy::default_policy(),
            certs: Vec::new(),
            default_certs: None,
            tiebreak: None,
            name_winners: Vec::new(),
            trust: TrustStore {
                system_defaults: system_trust,
                roots: Vec::new(),
            },
            verify_x509: true,
            wall_clock: Arc::new(SystemWallClock),
            monotonic_clock: Arc::new(SystemMonotonicClock),
            session_tickets: false,
            initial_ticket_count: 1,
            require_ticket_forward_secrecy: false,
            ticket_callback: None,
            session_cache: None,
            io: IoSettings::default(),
            early_data: Default::default(),
            client_hello: HelloSettings::default(),
            alpn: ProtocolList::default(),
            client_auth: None,
            verify_host: None,
            chain_policy: ChainPolicy::default(),
            cert_authorities: None,
            client_certs: NO_CLIENT_CERT.clone(),
            pkey: Default::default(),
            extras: Default::default(),
        }
    }
}

#[derive(Default)]
struct Built {
    server: Option<Arc<ServerConfig>>,
    client: Option<Arc<ClientConfig>>,
}

/// A config: the settings, and the rustls configs derived from them (rebuilt lazily
/// after any change, so connections never parse certificates or roots).
pub struct Config {
    settings: RwLock<Settings>,
    built: RwLock<Built>,
    /// Shared with every connection's ticketer; keys may be added while they run.
    ticket_keys: Arc<TicketKeyStore>,
    /// The client's verifier, kept across rebuilds: a change that leaves the trust
    /// settings alone reuses it instead of parsing the roots again.
    verifier: Mutex<Option<Arc<dyn ServerCertVerifier>>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").finish_non_exhaustive()
    }
}

impl Config {
    /// A config as `s2n_config_new` makes it: default policy, system trust store.
    pub fn new() -> Self {
        Self::with_settings(Settings::new(true))
    }

    /// A config as `s2n_config_new_minimal` makes it: an empty trust store.
    pub fn new_minimal() -> Self {
        Self::with_settings(Settings::new(false))
    }

    fn with_settings(settings: Settings) -> Self {
        Config {
            settings: RwLock::new(settings),
            built: RwLock::new(Built::default()),
            ticket_keys: Arc::new(TicketKeyStore::default()),
            verifier: Mutex::new(None),
        }
    }

    /// Reads the settings.
    pub fn settings(&self) -> RwLockReadGuard<'_, Settings> {
        sync::read(&self.settings)
    }

    /// Changes the settings; the rustls configs are rebuilt on next use. The change
    /// is applied only if `change` succeeds.
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let mut settings = sync::write(&self.settings);
        let mut next = settings.clone();
        let out = change(&mut next)?;
        *settings = next;
        *self.built_mut() = Built::default();
        Ok(out)
    }

    fn built_mut(&self) -> RwLockWriteGuard<'_, Built> {
        sync::write(&self.built)
    }

    pub fn set_cipher_preferences(&self, name: &str) -> Result<()> {
        let policy = policy::lookup(name)?;
        self.update(|s| {
            s.policy = policy;
            Ok(())
        })
    }

    /// Adds a server certificate. With a tiebreak set, it is asked (with no lock
    /// held) for each name the new certificate shares with an earlier one of its key
    /// type, as s2n does.
    pub fn add_cert_chain_and_key(&self, key: Arc<CertifiedKey>) -> Result<()> {
        let (callback, existing, winners) = {
            let s = self.settings();
            (s.tiebreak.clone(), s.certs.clone(), s.name_winners.clone())
        };
        let won = match callback {
            Some(cb) => crate::cert_select::tiebreak(&*cb, &existing, &winners, &key),
            None => Vec::new(),
        };
        self.update(|s| {
            let kind = crate::cert_select::key_type(&key);
            for name in won {
                s.name_winners
                    .retain(|(n, w)| !(*n == name && crate::cert_select::key_type(w) == kind));
                s.name_winners.push((name, key.clone()));
            }
            s.certs.push(key);
            s.client_certs = Arc::new(ClientCerts {
                certs: s.certs.clone(),
            });
            Ok(())
        })
    }

    /// Replaces the application protocols (an empty list: none).
    pub fn set_protocol_preferences(&self, list: ProtocolList) -> Result<()> {
        self.update(|s| {
            s.alpn = list;
            Ok(())
        })
    }

    pub fn append_protocol_preference(&self, name: &[u8]) -> Result<()> {
        self.update(|s| s.alpn.append(name))
    }

    pub fn set_client_auth(&self, auth: CertAuth) -> Result<()> {
        self.update(|s| {
            s.client_auth = Some(auth);
            Ok(())
        })
    }

    pub fn set_verify_host(&self, callback: Option<Arc<dyn VerifyHost>>) -> Result<()> {
        self.update(|s| {
            s.verify_host = callback;
            Ok(())
        })
    }

    /// Changes how peer chains are verified.
    pub fn set_chain_policy(
        &self,
        change: impl FnOnce(&mut ChainPolicy) -> Result<()>,
    ) -> Result<()> {
        self.update(|s| change(&mut s.chain_policy))
    }

    /// `s2n_config_load_system_certs`: fails, as in s2n, if the system CAs are
    /// already in the trust store.
    pub fn load_system_certs(&self) -> Result<()> {
        self.update(|s| {
            if s.trust.system_defaults {
                return Err(Error::new(
                    ErrorCode::TrustStore,
                    "the trust store already holds the system certificates (s2n_config_new loads them; s2n_config_wipe_trust_store removes them)",
                ));
            }
            s.trust.system_defaults = true;
            Ok(())
        })
    }

    /// `s2n_config_set_cert_authorities_from_trust_store`: the trust store's CA
    /// names, as they are now, are sent with the server's CertificateRequest.
    pub fn set_cert_authorities_from_trust_store(&self) -> Result<()> {
        self.update(|s| {
            if s.trust.system_defaults {
                return Err(Error::new(
                    ErrorCode::InvalidState,
                    "the trust store holds the system certificates: CA names are only sent from a trust store the application filled (s2n_config_new_minimal or s2n_config_wipe_trust_store first)",
                ));
            }
            let names = trust::root_store(&s.trust).subjects();
            if names.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidState,
                    "the trust store is empty: add the CAs first",
                ));
            }
            let len: usize = names.iter().map(|n| 2 + n.as_ref().len()).sum();
            if len > MAX_CERT_AUTHORITIES_LEN {
                return Err(Error::new(
                    ErrorCode::TrustStore,
                    format!("the trust store's CA names take {len} bytes: at most {MAX_CERT_AUTHORITIES_LEN}"),
                ));
            }
            s.cert_authorities = Some(names);
            Ok(())
        })
    }

    /// `s2n_config_set_cert_tiebreak_callback`: asked for certificates added later.
    pub fn set_tiebreak(&self, tiebreak: Option<Arc<dyn CertTiebreak>>) -> Result<()> {
        self.update(|s| {
            s.tiebreak = tiebreak;
            Ok(())
        })
    }

    pub fn disable_x509_verification(&self) -> Result<()> {
        self.update(|s| {
            s.verify_x509 = false;
            Ok(())
        })
    }

    pub fn set_wall_clock(&self, clock: SharedClock) -> Result<()> {
        self.update(|s| {
            s.wall_clock = clock;
            Ok(())
        })
    }

    /// `s2n_config_set_max_fragment_length`: the largest record payload its
    /// connections send, 1 to 16384 bytes.
    pub fn set_max_fragment_length(&self, len: u16) -> Result<()> {
        if len == 0 || len > 16 * 1024 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("max_fragment_length {len} is not between 1 and 16384"),
            ));
        }
        self.update(|s| {
            s.io.max_fragment_length = Some(len);
            Ok(())
        })
    }

    /// `s2n_config_set_recv_multi_record`.
    pub fn set_recv_multi_record(&self, on: bool) -> Result<()> {
        self.update(|s| {
            s.io.recv_multi_record = on;
            Ok(())
        })
    }

    pub fn set_monotonic_clock(&self, clock: SharedClock) -> Result<()> {
        self.update(|s| {
            s.monotonic_clock = clock;
            Ok(())
        })
    }

    pub fn ticket_keys(&self) -> Arc<TicketKeyStore> {
        self.ticket_keys.clone()
    }

    /// Adds a ticket key; `intro_secs` 0 means now on the config's wall clock.
    ///
    /// Differs from s2n-tls, which drops keys added while tickets and the cache are
    /// both off: rs2n keeps them, so the order of set-up calls does not matter.
    pub fn add_ticket_key(&self, name: &[u8], material: &[u8], intro_secs: u64) -> Result<()> {
        // No lock is held while the application's clock runs.
        let clock = self.settings().wall_clock.clone();
        let now = clock.now_nanos()?;
        self.ticket_keys.add(name, material, intro_secs, now)
    }

    pub fn set_lifetimes(&self, change: impl FnOnce(&mut Lifetimes)) {
        self.ticket_keys.set_lifetimes(change);
    }

    pub fn set_session_tickets(&self, on: bool) -> Result<()> {
        self.update(|s| {
            s.session_tickets = on;
            Ok(())
        })
    }

    /// Sets the TLS1.3 ticket count and, as in s2n, turns tickets on.
    pub fn set_initial_ticket_count(&self, count: u8) -> Result<()> {
        self.update(|s| {
            s.initial_ticket_count = count;
            s.session_tickets = true;
            Ok(())
        })
    }

    pub fn require_ticket_forward_secrecy(&self, on: bool) -> Result<()> {
        self.update(|s| {
            s.require_ticket_forward_secrecy = on;
            Ok(())
        })
    }

    pub fn set_ticket_callback(
        &self,
        callback: Option<Arc<dyn SessionTicketCallback>>,
    ) -> Result<()> {
        self.update(|s| {
            s.ticket_callback = callback;
            Ok(())
        })
    }

    /// Turns the session cache on (Some) or off (None).
    pub fn set_session_cache(&self, cache: Option<Arc<dyn SessionCache>>) -> Result<()> {
        self.update(|s| {
            s.session_cache = cache;
            Ok(())
        })
    }

    /// The rustls server config for these settings, built at most once per change.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>> {
        if let Some(c) = &sync::read(&self.built).server {
            return Ok(c.clone());
        }
        let settings = self.settings();
        let mut built = self.built_mut();
        if let Some(c) = &built.server {
            return Ok(c.clone());
        }
        let config = Arc::new(build_server_config(&settings)?);
        built.server = Some(config.clone());
        Ok(config)
    }

    /// The rustls configs for these settings under another security policy (a
    /// connection's own, `s2n_connection_set_cipher_preferences`): built each time.
    pub fn server_config_with(&self, policy: &'static SecurityPolicy) -> Result<Arc<ServerConfig>> {
        let mut settings = self.settings().clone();
        settings.policy = policy;
        Ok(Arc::new(build_server_config(&settings)?))
    }

    pub fn client_config_with(&self, policy: &'static SecurityPolicy) -> Result<Arc<ClientConfig>> {
        let mut settings = self.settings().clone();
        settings.policy = policy;
        // The shared verifier: sessions resume across policies, as in s2n.
        let verifier = shared_verifier(&settings, &settings.policy.provider());
        Ok(Arc::new(build_client_config(&settings, verifier)?))
    }

    /// `s2n_config_set_cert_chain_and_key_defaults`: at most one per key type.
    pub fn set_default_certs(&self, certs: Vec<Arc<CertifiedKey>>) -> Result<()> {
        if certs.is_empty() {
            return Err(Error::new(
                ErrorCode::NumDefaultCertificates,
                "at least one default certificate must be given",
            ));
        }
        let mut types: Vec<rustls::SignatureAlgorithm> = Vec::new();
        for c in &certs {
            let t = crate::cert_select::key_type(c);
            if types.contains(&t) {
                return Err(Error::new(
                    ErrorCode::MultipleDefaultCertificates,
                    format!("two default certificates have {t:?} keys: give one per key type"),
                ));
            }
            types.push(t);
        }
        self.update(|s| {
            s.default_certs = Some(certs);
            Ok(())
        })
    }

    /// Removes these certificates (`s2n_config_free_cert_chain_and_key`, for the
    /// chains the config owns); any default among them too.
    pub fn remove_certs(&self, gone: &[Arc<CertifiedKey>]) -> Result<()> {
        self.update(|s| {
            s.certs.retain(|c| !gone.iter().any(|g| Arc::ptr_eq(c, g)));
            s.name_winners
                .retain(|(_, c)| !gone.iter().any(|g| Arc::ptr_eq(c, g)));
            if let Some(d) = &mut s.default_certs {
                d.retain(|c| !gone.iter().any(|g| Arc::ptr_eq(c, g)));
                if d.is_empty() {
                    s.default_certs = None;
                }
            }
            Ok(())
        })
    }

    /// The rustls client config for these settings, built at most once per change.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        if let Some(c) = &sync::read(&self.built).client {
            return Ok(c.clone());
        }
        let settings = self.settings();
        let mut built = self.built_mut();
        if let Some(c) = &built.client {
            return Ok(c.clone());
        }
        let verifier = shared_verifier(&settings, &settings.policy.provider());
        *sync::lock(&self.verifier) = Some(verifier.clone());
        let config = Arc::new(build_client_config(&settings, verifier)?);
        built.client = Some(config.clone());
        Ok(config)
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

fn internal(context: &str, e: rustls::Error) -> Error {
    Error::new(ErrorCode::Internal, format!("{context}: {e}"))
}

fn build_server_config(s: &Settings) -> Result<ServerConfig> {
    if s.certs.is_empty() && s.default_certs.is_none() {
        return Err(Error::new(
            ErrorCode::NoCertificate,
            "the server config has no certificate: add one with s2n_config_add_cert_chain_and_key_to_store",
        ));
    }
    let time = Arc::new(WallTimeProvider(s.wall_clock.clone()));
    let mut config = ServerConfig::builder_with_details(s.policy.provider(), time)
        .with_protocol_versions(s.policy.versions())
        .map_err(|e| internal("security policy", e))?
        .with_client_cert_verifier(client_verifier(s))
        .with_cert_resolver(Arc::new(CertResolver::new(
            &s.certs,
            s.default_certs.as_deref(),
            &s.name_winners,
            s.policy.provider().cipher_suites.clone(),
        )));
    // s2n picks the cipher suite by its own preference order.
    config.ignore_client_order = true;
    // Resumption is off until the application turns tickets or the cache on.
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    config.alpn_protocols = s.alpn.names().to_vec();
    config.key_log = crate::capture::key_log(s.extras.key_log.is_some());
    Ok(config)
}

/// The chain check for these trust settings; None with verification off.
fn chain_verifier(s: &Settings, roots: RootCertStore) -> Option<ChainVerifier> {
    s.verify_x509.then(|| {
        let algs = s.policy.provider().signature_verification_algorithms.all;
        ChainVerifier::new(roots.roots, algs, s.chain_policy)
    })
}

/// The server's verifier of client certificates: it asks for one only on
/// connections with client authentication on (see `verify::peer`).
fn client_verifier(s: &Settings) -> Arc<ClientVerifier> {
    let settings = s.clone();
    let make_chain = move || chain_verifier(&settings, trust::root_store(&settings.trust));
    Arc::new(ClientVerifier::new(
        Box::new(make_chain),
        s.cert_authorities.clone().unwrap_or_default(),
        s.policy.provider(),
    ))
}

fn build_client_config(
    s: &Settings,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<ClientConfig> {
    let provider = s.policy.provider();
    let time = Arc::new(WallTimeProvider(s.wall_clock.clone()));
    let mut config = ClientConfig::builder_with_details(provider, time)
        .with_protocol_versions(s.policy.versions())
        .map_err(|e| internal("security policy", e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(s.client_certs.clone());
    config.resumption = rustls::client::Resumption::disabled();
    config.alpn_protocols = s.alpn.names().to_vec();
    config.key_log = crate::capture::key_log(s.extras.key_log.is_some());
    Ok(config)
}

/// One client certificate resolver for every config without certificates: rustls
/// resumes a session only under the resolver (compared by address) of the
/// original handshake.
static NO_CLIENT_CERT: Lazy<Arc<ClientCerts>> = Lazy::new(Default::default);

/// The verifier for these trust settings, shared by every config (and client
/// session) with the same ones: rustls resumes a client session only under the
/// very verifier (compared by address) that accepted it, while s2n resumes a
/// session with any config. See `trust::shared_verifier`.
fn shared_verifier(s: &Settings, provider: &Arc<CryptoProvider>) -> Arc<dyn ServerCertVerifier> {
    let key = s.chain_policy.key_bytes();
    trust::shared_verifier(s.verify_x509, &s.trust, &key, |roots| {
        Arc::new(ServerVerifier::new(
            chain_verifier(s, roots),
            provider.clone(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{testing::cert_file, CertChainAndKey};

    fn server_config() -> Config {
        let c = Config::new_minimal();
        let mut k = CertChainAndKey::new();
        k.load_pem(
            &cert_file("ecdsa_p256_cert.pem"),
            &cert_file("ecdsa_p256_key.pem"),
        )
        .unwrap();
        c.add_cert_chain_and_key(k.certified_key().unwrap())
            .unwrap();
        c
    }

    #[test]
    fn rustls_configs_are_built_once_per_change() {
        let c = server_config();
        let a = c.server_config().unwrap();
        let b = c.server_config().unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        c.set_cipher_preferences("default_tls13").unwrap();
        let d = c.server_config().unwrap();
        assert!(!Arc::ptr_eq(&a, &d));
        let x = c.client_config().unwrap();
        assert!(Arc::ptr_eq(&x, &c.client_config().unwrap()));
    }

    #[test]
    fn server_without_certificate_is_a_clear_error() {
        let e = Config::new_minimal().server_config().unwrap_err();
        assert_eq!(e.code, ErrorCode::NoCertificate);
    }

    #[test]
    fn failed_change_leaves_settings_alone() {
        let c = server_config();
        let before = c.settings().policy.name;
        assert!(c.set_cipher_preferences("no-such-policy").is_err());
        assert_eq!(c.settings().policy.name, before);
        assert!(c.add_pem_to_trust_store(b"garbage").is_err());
        assert!(c.settings().trust.roots.is_empty());
    }

    #[test]
    fn configs_with_the_same_trust_share_one_verifier() {
        let a = Config::new_minimal();
        let b = Config::new_minimal();
        for c in [&a, &b] {
            c.add_pem_to_trust_store(&cert_file("ca_cert.pem")).unwrap();
        }
        let verifier = |c: &Config| {
            let s = c.settings();
            shared_verifier(&s, &s.policy.provider())
        };
        let va = verifier(&a);
        assert!(Arc::ptr_eq(&va, &verifier(&b)));
        // A change that leaves the trust settings alone keeps the verifier.
        a.set_session_tickets(true).unwrap();
        assert!(Arc::ptr_eq(&va, &verifier(&a)));
        // Other roots, another verifier.
        b.add_pem_to_trust_store(&cert_file("other_ca_cert.pem"))
            .unwrap();
        assert!(!Arc::ptr_eq(&va, &verifier(&b)));
    }

    #[test]
    fn trust_store_changes() {
        let c = Config::new();
        assert!(c.settings().trust.system_defaults);
        c.add_pem_to_trust_store(&cert_file("ca_cert.pem")).unwrap();
        assert_eq!(c.settings().trust.roots.len(), 1);
        c.wipe_trust_store().unwrap();
        let s = c.settings();
        assert!(!s.trust.system_defaults && s.trust.roots.is_empty());
    }
}
