//! Trust stores: the system CA bundle, CA files and directories, the rustls root
//! store built from them, and the certificate verifiers shared by trust settings.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

use once_cell::sync::Lazy;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use rustls::RootCertStore;

use crate::error::{Error, ErrorCode, Result};
use crate::sync;

/// Where Debian and most Linux systems keep the CA bundle; `SSL_CERT_FILE` overrides.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Where a client's trusted roots come from.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    /// The system's CA bundle (`s2n_config_new` starts with it).
    pub system_defaults: bool,
    /// Roots added with `s2n_config_add_pem_to_trust_store` or a CA location.
    pub roots: Vec<CertificateDer<'static>>,
}

/// The system's CAs, read once per process (configs share them).
static SYSTEM_ROOTS: Lazy<Vec<CertificateDer<'static>>> = Lazy::new(|| {
    let path = std::env::var_os("SSL_CERT_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| SYSTEM_BUNDLE.into());
    match std::fs::read(path) {
        Ok(pem) => CertificateDer::pem_slice_iter(&pem)
            .filter_map(|c| c.ok())
            .collect(),
        Err(_) => Vec::new(),
    }
});

/// The rustls root store for a trust store. Certificates that are not valid trust
/// anchors are skipped, as a system bundle may hold a few.
pub fn root_store(trust: &TrustStore) -> RootCertStore {
    let mut store = RootCertStore::empty();
    if trust.system_defaults {
        store.add_parsable_certificates(SYSTEM_ROOTS.iter().cloned());
    }
    store.add_parsable_certificates(trust.roots.iter().cloned());
    store
}

/// One verifier per distinct trust settings, so that a client session resumes on
/// any config that trusts the same roots (rustls resumes only under the verifier
/// that accepted the session). Held weakly: configs keep their verifier alive, and
/// so do the client sessions it accepted (`resumption::client_session`), so a
/// verifier (~125 KB with the system roots) goes once nothing uses it, and its
/// entry with the next verifier made.
type VerifierMap = HashMap<[u8; 32], Weak<dyn ServerCertVerifier>>;
static VERIFIERS: Lazy<Mutex<VerifierMap>> = Lazy::new(Default::default);

/// Empties the shared verifier cache (`s2n_cleanup_final`), releasing its memory;
/// verifiers still in use stay with their configs, and the next config with the
/// same trust settings makes a new one.
pub fn clear_verifier_cache() {
    let old = std::mem::take(&mut *sync::lock(&VERIFIERS));
    drop(old); // outside the lock
}

/// What makes trust settings distinct: verification on or off, system roots or
/// not, the roots added.
fn trust_key(verify: bool, trust: &TrustStore, policy: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(&[u8::from(verify), u8::from(trust.system_defaults)]);
    ctx.update(&(policy.len() as u64).to_be_bytes());
    ctx.update(policy);
    for root in &trust.roots {
        ctx.update(&(root.len() as u64).to_be_bytes());
        ctx.update(root);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(ctx.finish().as_ref());
    key
}

/// The verifier in use for these trust settings and verification policy (its
/// bytes), or a new one from `make` (given the root store, empty when `verify`
/// is off).
pub fn shared_verifier(
    verify: bool,
    trust: &TrustStore,
    policy: &[u8],
    make: impl FnOnce(RootCertStore) -> Arc<dyn ServerCertVerifier>,
) -> Arc<dyn ServerCertVerifier> {
    let key = trust_key(verify, trust, policy);
    // Held while making one, so two configs never make two.
    let mut verifiers = sync::lock(&VERIFIERS);
    if let Some(v) = verifiers.get(&key).and_then(Weak::upgrade) {
        return v;
    }
    let roots = match verify {
        true => root_store(trust),
        false => RootCertStore::empty(),
    };
    let verifier = make(roots);
    verifiers.retain(|_, v| v.strong_count() > 0);
    verifiers.insert(key, Arc::downgrade(&verifier));
    verifier
}

/// The path a verifier would build from `chain` (leaf first, as the peer sent it)
/// to a root of `trust`: the leaf, the intermediates used, and the root's own
/// certificate, as s2n's validated chain has it (the root even if the peer did not
/// send it). None if no path verifies at `now` for that use (`server`: the peer is
/// a server).
pub fn validated_chain(
    trust: &TrustStore,
    chain: &[CertificateDer<'static>],
    now: UnixTime,
    server: bool,
) -> Option<Vec<CertificateDer<'static>>> {
    let (leaf, intermediates) = chain.split_first()?;
    let roots: Vec<&CertificateDer<'static>> = match trust.system_defaults {
        true => SYSTEM_ROOTS.iter().chain(&trust.roots).collect(),
        false => trust.roots.iter().collect(),
    };
    let anchors: Vec<(TrustAnchor<'_>, &CertificateDer<'static>)> = roots
        .into_iter()
        .filter_map(|der| Some((webpki::anchor_from_trusted_cert(der).ok()?, der)))
        .collect();
    let only_anchors: Vec<TrustAnchor<'_>> = anchors.iter().map(|(a, _)| a.clone()).collect();
    let cert = webpki::EndEntityCert::try_from(leaf).ok()?;
    let usage = match server {
        true => webpki::KeyUsage::server_auth(),
        false => webpki::KeyUsage::client_auth(),
    };
    let algorithms = crate::policy::backend::default_provider()
        .signature_verification_algorithms
        .all;
    let path = cert
        .verify_for_usage(
            algorithms,
            &only_anchors,
            intermediates,
            now,
            usage,
            None,
            None,
        )
        .ok()?;
    let anchor = path.anchor();
    let root = anchors.iter().find(|(a, _)| {
        a.subject == anchor.subject && a.subject_public_key_info == anchor.subject_public_key_info
    })?;
    let mut out = vec![leaf.clone()];
    out.extend(
        path.intermediate_certificates()
            .map(|c| c.der().into_owned()),
    );
    out.push(root.1.clone());
    Some(out)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorCode::InvalidFile,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// The CAs of `s2n_config_set_verification_ca_location`: every certificate in `file`,
/// and every certificate in the PEM files of `dir` (files that are not PEM are skipped).
pub fn load_ca_location(
    file: Option<&Path>,
    dir: Option<&Path>,
) -> Result<Vec<CertificateDer<'static>>> {
    if file.is_none() && dir.is_none() {
        return Err(Error::new(
            ErrorCode::Null,
            "a CA file or a CA directory must be given",
        ));
    }
    let mut certs = Vec::new();
    if let Some(file) = file {
        let what = format!("CA file {}", file.display());
        certs.extend(crate::certs::parse_pem_certs(&read(file)?, &what)?);
    }
    if let Some(dir) = dir {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::new(
                ErrorCode::InvalidFile,
                format!("cannot read CA directory {}: {e}", dir.display()),
            )
        })?;
        let mut found = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            if let Ok(pem) = std::fs::read(&path) {
                let before = certs.len();
                certs.extend(CertificateDer::pem_slice_iter(&pem).filter_map(|c| c.ok()));
                found += certs.len() - before;
            }
        }
        if found == 0 {
            return Err(Error::new(
                ErrorCode::InvalidFile,
                format!("CA directory {} holds no PEM certificate", dir.display()),
            ));
        }
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;
    use crate::config::Config;
    use std::path::PathBuf;

    /// A config with trust settings no other test uses (so no other config
    /// keeps their verifier alive).
    fn config_trusting(roots: &[&str]) -> Config {
        let c = Config::new_minimal();
        for r in roots {
            c.add_pem_to_trust_store(&cert_file(r)).unwrap();
        }
        c.client_config().unwrap();
        c
    }

    fn verifier_held(key: &[u8; 32]) -> bool {
        sync::lock(&VERIFIERS)
            .get(key)
            .is_some_and(|v| v.strong_count() > 0)
    }

    #[test]
    fn a_trust_store_verifier_goes_with_its_last_config() {
        let roots = ["ecdsa_p384_cert.pem"];
        let a = config_trusting(&roots);
        let b = config_trusting(&roots);
        let key = {
            let s = a.settings();
            trust_key(s.verify_x509, &s.trust, &s.chain_policy.key_bytes())
        };
        assert!(verifier_held(&key));
        drop(b);
        assert!(verifier_held(&key), "config A still uses it");
        drop(a);
        assert!(!verifier_held(&key), "gone with the last config");
        // Its entry goes when the next verifier is made.
        let _other = config_trusting(&["ecdsa_p384_cert.pem", "ca_cert.pem"]);
        assert!(!sync::lock(&VERIFIERS).contains_key(&key));
    }

    #[test]
    fn a_change_that_keeps_the_trust_keeps_the_verifier() {
        let a = config_trusting(&["ca_cert.pem", "ecdsa_p384_cert.pem"]);
        let key = {
            let s = a.settings();
            trust_key(s.verify_x509, &s.trust, &s.chain_policy.key_bytes())
        };
        let first = sync::lock(&VERIFIERS)[&key].clone();
        // The rustls config is rebuilt; nothing but config A held the verifier.
        a.set_session_tickets(true).unwrap();
        a.client_config().unwrap();
        let now = sync::lock(&VERIFIERS)[&key].clone();
        assert!(first.upgrade().is_some() && Weak::ptr_eq(&first, &now));
    }

    fn certs_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("c-tests/certs")
    }

    #[test]
    fn ca_file_and_directory() {
        let f = certs_dir().join("ca_cert.pem");
        assert_eq!(load_ca_location(Some(&f), None).unwrap().len(), 1);
        assert!(load_ca_location(None, Some(&certs_dir())).unwrap().len() > 1);
        assert_eq!(
            load_ca_location(None, None).unwrap_err().code,
            ErrorCode::Null
        );
        let e = load_ca_location(Some(Path::new("/nonexistent/ca.pem")), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidFile);
        assert!(e.message.contains("/nonexistent/ca.pem"));
    }

    #[test]
    fn root_store_holds_added_roots_only_when_minimal() {
        let f = certs_dir().join("ca_cert.pem");
        let trust = TrustStore {
            system_defaults: false,
            roots: load_ca_location(Some(&f), None).unwrap(),
        };
        assert_eq!(root_store(&trust).len(), 1);
        assert!(root_store(&TrustStore::default()).is_empty());
    }
}
