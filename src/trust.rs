//! Trust stores: the system CA bundle, CA files and directories, and the rustls root
//! store built from them.

use std::path::Path;

use once_cell::sync::Lazy;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

use crate::error::{Error, ErrorCode, Result};

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
    use std::path::PathBuf;

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
