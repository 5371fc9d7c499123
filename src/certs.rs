//! Certificate chains with their private keys (`s2n_cert_chain_and_key`), and PEM parsing.

use std::sync::Arc;

use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use zeroize::Zeroize;

use crate::error::{Error, ErrorCode, Result};

/// Parses every certificate in a PEM text; fails when there is none or one is malformed.
pub fn parse_pem_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem) {
        let cert = item.map_err(|e| {
            Error::new(
                ErrorCode::InvalidPem,
                format!("{what}: malformed PEM certificate: {e}"),
            )
        })?;
        // Parse now so a bad DER body is reported here, not at handshake time.
        webpki_check(&cert, what)?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidPem,
            format!("{what}: no PEM certificate (-----BEGIN CERTIFICATE-----) found"),
        ));
    }
    Ok(certs)
}

fn webpki_check(cert: &CertificateDer<'_>, what: &str) -> Result<()> {
    rustls::server::ParsedCertificate::try_from(cert).map_err(|e| {
        Error::new(
            ErrorCode::InvalidPem,
            format!("{what}: certificate does not parse: {e}"),
        )
    })?;
    Ok(())
}

/// A certificate chain and the private key of its leaf.
#[derive(Debug, Default)]
pub struct CertChainAndKey {
    certified: Option<Arc<CertifiedKey>>,
}

impl CertChainAndKey {
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a PEM chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    /// ECDSA P-256/P-384, RSA of 2048 bits or more, and Ed25519 are accepted.
    pub fn load_pem(&mut self, chain_pem: &[u8], key_pem: &[u8]) -> Result<()> {
        let chain = parse_pem_certs(chain_pem, "certificate chain")?;
        let mut key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| {
            Error::new(
                ErrorCode::InvalidPem,
                format!("private key: no usable PEM private key found: {e}"),
            )
        })?;
        // Loaded by reference, so the DER copy we own can be wiped right after.
        let signing_key = any_supported_type(&key);
        key.zeroize();
        let signing_key = signing_key.map_err(|e| {
            Error::new(
                ErrorCode::UnsupportedKey,
                format!("private key: unsupported or malformed key ({e}); rs2n takes ECDSA P-256/P-384, RSA 2048+ and Ed25519"),
            )
        })?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => {}
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                return Err(Error::new(
                    ErrorCode::KeyMismatch,
                    "the private key does not match the public key of the chain's first certificate",
                ))
            }
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::InvalidPem,
                    format!("certificate chain: cannot check the key against it: {e}"),
                ))
            }
        }
        self.certified = Some(Arc::new(certified));
        Ok(())
    }

    /// The loaded chain and key, for the server's certificate resolver.
    pub fn certified_key(&self) -> Result<Arc<CertifiedKey>> {
        self.certified.clone().ok_or_else(|| {
            Error::new(
                ErrorCode::NoCertificate,
                "the cert chain and key is empty: call s2n_cert_chain_and_key_load_pem first",
            )
        })
    }
}

#[cfg(any(test, feature = "fuzzing"))]
pub mod testing {
    use std::path::PathBuf;

    /// Reads a test certificate file shipped in `c-tests/certs/`.
    pub fn cert_file(name: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("c-tests/certs")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::cert_file;
    use super::*;

    #[test]
    fn loads_matching_chain_and_key() {
        for kind in ["ecdsa_p256", "ecdsa_p384", "rsa2048"] {
            let mut c = CertChainAndKey::new();
            c.load_pem(
                &cert_file(&format!("{kind}_cert.pem")),
                &cert_file(&format!("{kind}_key.pem")),
            )
            .unwrap();
            assert_eq!(
                c.certified_key().unwrap().cert.len(),
                2,
                "{kind}: leaf + CA"
            );
        }
    }

    #[test]
    fn rejects_mismatched_key_and_bad_pem() {
        let mut c = CertChainAndKey::new();
        let e = c
            .load_pem(
                &cert_file("ecdsa_p256_cert.pem"),
                &cert_file("ecdsa_p384_key.pem"),
            )
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::KeyMismatch);
        let e = c
            .load_pem(b"not a pem", &cert_file("ecdsa_p256_key.pem"))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPem);
        let e = c
            .load_pem(&cert_file("ecdsa_p256_cert.pem"), b"junk")
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPem);
        assert!(c.certified_key().is_err(), "nothing loaded after failures");
    }

    #[test]
    fn corrupt_certificate_body_is_reported() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let e = parse_pem_certs(pem.as_bytes(), "trust store").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPem);
        assert!(e.message.contains("trust store"));
    }
}
