//! How a server chooses the certificate it presents, as s2n-tls does, and what it
//! notes for `s2n_connection_get_selected_cert`, `s2n_connection_get_certificate_match`
//! and the signature scheme getters (see [`crate::handshake_notes`]).

use std::sync::Arc;

use rustls::pki_types::SubjectPublicKeyInfoDer;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme, SupportedCipherSuite};

use crate::handshake_notes::note;
use crate::x509::{self, NameMatch};

/// A certificate as the resolver holds it.
#[derive(Debug)]
struct ServerCert {
    /// As the application added it: what `selected` notes name.
    original: Arc<CertifiedKey>,
    /// The same chain, with a key that notes the scheme it signs with.
    presented: Arc<CertifiedKey>,
    /// The DNS names it is for (lowercase).
    names: Vec<String>,
}

impl ServerCert {
    fn new(original: &Arc<CertifiedKey>) -> Self {
        let names = original
            .end_entity_cert()
            .map(|der| x509::dns_names(der))
            .unwrap_or_default();
        let presented = CertifiedKey {
            cert: original.cert.clone(),
            key: Arc::new(NotingKey(original.key.clone())),
            ocsp: original.ocsp.clone(),
        };
        ServerCert {
            original: original.clone(),
            presented: Arc::new(presented),
            names,
        }
    }
}

/// s2n's order of preference among signature schemes (its default signature
/// policies): SHA-256 first. rustls' RSA key would take SHA-512 first.
const S2N_SCHEME_ORDER: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// A signing key that signs with the scheme s2n would prefer among those offered,
/// and notes it.
#[derive(Debug)]
struct NotingKey(Arc<dyn SigningKey>);

impl SigningKey for NotingKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let preferred = S2N_SCHEME_ORDER
            .iter()
            .filter(|s| offered.contains(s))
            .find_map(|s| self.0.choose_scheme(std::slice::from_ref(s)));
        let signer = preferred.or_else(|| self.0.choose_scheme(offered))?;
        let scheme = signer.scheme();
        note(|n| n.server_scheme = Some(scheme));
        Some(signer)
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        self.0.public_key()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.0.algorithm()
    }
}

/// Chooses the server certificate as s2n does: among the certificates whose names
/// match the client's SNI exactly (else by wildcard; else the defaults, which are
/// all the certificates unless `s2n_config_set_cert_chain_and_key_defaults` named
/// some), the one for the first suite in the server's order that the client offers.
/// A TLS1.3 suite takes any certificate whose key can sign with a scheme the client
/// offers; a TLS1.2 suite needs a key of its kind (ECDSA or RSA). Failing that, any
/// that can sign, else the first.
#[derive(Debug)]
pub struct CertResolver {
    certs: Vec<ServerCert>,
    defaults: Vec<ServerCert>,
    /// Tiebreak winners: for a name, the certificate of its key type to use.
    winners: Vec<(String, Arc<CertifiedKey>)>,
    /// The policy's suites, in the server's order of preference.
    suites: Vec<SupportedCipherSuite>,
}

impl CertResolver {
    pub fn new(
        certs: &[Arc<CertifiedKey>],
        defaults: Option<&[Arc<CertifiedKey>]>,
        winners: &[(String, Arc<CertifiedKey>)],
        suites: Vec<SupportedCipherSuite>,
    ) -> Self {
        let certs: Vec<ServerCert> = certs.iter().map(ServerCert::new).collect();
        let defaults = match defaults {
            Some(d) => d.iter().map(ServerCert::new).collect(),
            None => Vec::new(),
        };
        CertResolver {
            certs,
            defaults,
            winners: winners.to_vec(),
            suites,
        }
    }

    /// The candidates for `server_name`, and how it matched.
    fn candidates(&self, server_name: Option<&str>) -> (Vec<&ServerCert>, Option<NameMatch>) {
        let fallback = || -> Vec<&ServerCert> {
            match self.defaults.is_empty() {
                true => self.certs.iter().collect(),
                false => self.defaults.iter().collect(),
            }
        };
        let Some(name) = server_name else {
            return (fallback(), None);
        };
        for kind in [NameMatch::Exact, NameMatch::Wildcard] {
            let named: Vec<&ServerCert> = self
                .certs
                .iter()
                .filter(|c| x509::match_name(&c.names, name) == kind)
                .collect();
            if !named.is_empty() {
                let entry = match kind {
                    NameMatch::Exact => name.to_ascii_lowercase(),
                    _ => wildcard_of(name),
                };
                return (self.one_per_type(named, &entry), Some(kind));
            }
        }
        (fallback(), Some(NameMatch::None))
    }

    /// As s2n keeps one certificate per name and key type: the tiebreak winner
    /// for `entry`, else the first added.
    fn one_per_type<'a>(&self, named: Vec<&'a ServerCert>, entry: &str) -> Vec<&'a ServerCert> {
        let mut kept: Vec<&ServerCert> = Vec::new();
        for c in named.iter().copied() {
            let kind = key_type(&c.original);
            if kept.iter().any(|k| key_type(&k.original) == kind) {
                continue;
            }
            let winner = self.winners.iter().find_map(|(n, w)| {
                let same = *n == entry && key_type(w) == kind;
                same.then(|| named.iter().find(|c| Arc::ptr_eq(&c.original, w)))
                    .flatten()
            });
            kept.push(winner.copied().unwrap_or(c));
        }
        kept
    }

    fn choose<'a>(
        &self,
        hello: &ClientHello<'_>,
        candidates: &[&'a ServerCert],
    ) -> Option<&'a ServerCert> {
        if candidates.len() <= 1 {
            return candidates.first().copied();
        }
        let schemes = hello.signature_schemes();
        let offered = hello.cipher_suites();
        for suite in self.suites.iter().filter(|s| offered.contains(&s.suite())) {
            let usable: Vec<SignatureScheme> = match suite {
                SupportedCipherSuite::Tls12(s12) => schemes
                    .iter()
                    .copied()
                    .filter(|x| s12.sign.contains(x))
                    .collect(),
                SupportedCipherSuite::Tls13(_) => schemes.to_vec(),
            };
            // The original key: choosing here must not note a scheme.
            if let Some(c) = candidates
                .iter()
                .find(|c| c.original.key.choose_scheme(&usable).is_some())
            {
                return Some(c);
            }
        }
        candidates
            .iter()
            .find(|c| c.original.key.choose_scheme(schemes).is_some())
            .or_else(|| candidates.first())
            .copied()
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if let ([only], true) = (self.certs.as_slice(), self.defaults.is_empty()) {
            // The common case, on every handshake resumptions included: nothing to
            // choose. How the name matched is worked out if the application asks.
            note(|n| n.selected = Some(only.original.clone()));
            return Some(only.presented.clone());
        }
        let (candidates, name_match) = self.candidates(hello.server_name());
        let chosen = self.choose(&hello, &candidates)?;
        note(|n| {
            n.selected = Some(chosen.original.clone());
            n.name_match = Some(name_match);
        });
        Some(chosen.presented.clone())
    }
}

/// The key types s2n keeps one default certificate (and one per name) for.
pub fn key_type(key: &CertifiedKey) -> SignatureAlgorithm {
    key.key.algorithm()
}

/// The wildcard name that would cover `name`'s first label ("*.example.com").
fn wildcard_of(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.split_once('.') {
        Some((_, rest)) => format!("*.{rest}"),
        None => lower,
    }
}

/// The application's certificate tiebreak (`s2n_cert_tiebreak_callback`): asked
/// when a certificate is added whose key type and name are those of one already
/// in the config.
pub trait CertTiebreak: Send + Sync {
    /// Whether `second` (being added) is to replace `first` for `name`.
    fn prefers_second(
        &self,
        first: &Arc<CertifiedKey>,
        second: &Arc<CertifiedKey>,
        name: &str,
    ) -> bool;
}

impl std::fmt::Debug for dyn CertTiebreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertTiebreak")
    }
}

/// The tiebreaks `key` calls for when added after `existing` (with the winners
/// decided so far): for each of its names, the certificate of its key type that
/// now holds the name. Returns the names `key` wins.
pub fn tiebreak(
    tiebreak: &dyn CertTiebreak,
    existing: &[Arc<CertifiedKey>],
    winners: &[(String, Arc<CertifiedKey>)],
    key: &Arc<CertifiedKey>,
) -> Vec<String> {
    let kind = key_type(key);
    let names = key
        .end_entity_cert()
        .map(|der| x509::dns_names(der))
        .unwrap_or_default();
    let mut won = Vec::new();
    for name in names {
        let recorded = winners
            .iter()
            .find(|(n, w)| *n == name && key_type(w) == kind)
            .map(|(_, w)| w.clone());
        let holder = recorded.or_else(|| {
            existing
                .iter()
                .find(|c| {
                    key_type(c) == kind
                        && c.end_entity_cert()
                            .is_ok_and(|der| x509::dns_names(der).contains(&name))
                })
                .cloned()
        });
        if let Some(first) = holder {
            if tiebreak.prefers_second(&first, key, &name) {
                won.push(name);
            }
        }
    }
    won
}
