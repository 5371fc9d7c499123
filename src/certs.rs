//! Certificate chains with their private keys (`s2n_cert_chain_and_key`), and PEM parsing.

use std::sync::Arc;

use crate::policy::backend::sign::any_supported_type;
use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;
use zeroize::Zeroize;

use crate::error::{Error, ErrorCode, Result};
use crate::pem;
use crate::pkey::key::ChainKey;

/// Parses every certificate in a PEM text; fails when there is none or one is malformed.
pub fn parse_pem_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = pem::certificates(pem, what)?;
    // Parse now so a bad DER body is reported here, not at handshake time.
    for (i, cert) in certs.iter().enumerate() {
        rustls::server::ParsedCertificate::try_from(cert).map_err(|_| {
            Error::new(
                ErrorCode::InvalidPem,
                format!(
                    "{what}: certificate {}: not a valid X.509 certificate",
                    i + 1
                ),
            )
        })?;
    }
    Ok(certs)
}

/// A certificate chain and, unless it was loaded public only (or filled with a
/// peer's chain), the private key of its leaf.
#[derive(Debug, Default)]
pub struct CertChainAndKey {
    /// The chain, leaf first.
    chain: Vec<CertificateDer<'static>>,
    /// The chain with its signing key (which offloads, or signs with the private
    /// key if there is one); None for a peer's chain.
    certified: Option<Arc<CertifiedKey>>,
    /// The same key, for `s2n_async_pkey_op_perform`.
    key: Option<Arc<ChainKey>>,
    /// The OCSP response a server staples with this chain, kept across loads.
    ocsp: Option<Vec<u8>>,
}

impl CertChainAndKey {
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads a PEM chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    /// ECDSA P-256/P-384, RSA of 2048 bits or more, and Ed25519 are accepted.
    pub fn load_pem(&mut self, chain_pem: &[u8], key_pem: &[u8]) -> Result<()> {
        let chain = parse_pem_certs(chain_pem, "certificate chain")?;
        let mut key = pem::private_key(key_pem)?;
        // Loaded by reference, so the DER copy we own can be wiped right after.
        let signing_key = any_supported_type(&key);
        key.zeroize();
        let signing_key = signing_key.map_err(|_| {
            Error::new(
                ErrorCode::UnsupportedKey,
                "private key: unsupported or malformed key; rs2n takes ECDSA P-256/P-384, RSA 2048+ and Ed25519",
            )
        })?;
        let certified = CertifiedKey::new(chain.clone(), signing_key);
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
        let key = Arc::new(ChainKey::new(chain[0].clone(), Some(certified.key))?);
        let mut certified = CertifiedKey::new(chain.clone(), key.clone());
        // The response to staple is kept across loads.
        certified.ocsp = self.ocsp.clone();
        self.certified = Some(Arc::new(certified));
        self.key = Some(key);
        self.chain = chain;
        Ok(())
    }

    /// `s2n_cert_chain_and_key_set_ocsp_data`: the OCSP response to staple (None
    /// or empty: none). The loaded key, if any, is replaced by one with it.
    pub fn set_ocsp(&mut self, ocsp: Option<&[u8]>) {
        self.ocsp = ocsp.filter(|d| !d.is_empty()).map(<[u8]>::to_vec);
        if let Some(c) = &self.certified {
            let mut key = CertifiedKey::clone(c);
            key.ocsp = self.ocsp.clone();
            self.certified = Some(Arc::new(key));
        }
    }

    /// Loads a PEM chain without a private key (`s2n_cert_chain_and_key_load_public_pem_bytes`):
    /// a server or client can use it when an async private key callback signs for
    /// it. A chain whose key type rs2n cannot sign with can still be inspected.
    pub fn load_public_pem(&mut self, chain_pem: &[u8]) -> Result<()> {
        let chain = parse_pem_certs(chain_pem, "certificate chain")?;
        let key = ChainKey::new(chain[0].clone(), None).ok().map(Arc::new);
        self.certified = key.clone().map(|k| {
            let mut certified = CertifiedKey::new(chain.clone(), k);
            certified.ocsp = self.ocsp.clone();
            Arc::new(certified)
        });
        self.key = key;
        self.chain = chain;
        Ok(())
    }

    /// The chain's signing key, if one is loaded (`s2n_async_pkey_op_perform`).
    pub fn chain_key(&self) -> Option<&Arc<ChainKey>> {
        self.key.as_ref()
    }

    /// Fills an empty object with a peer's chain (`s2n_connection_get_peer_cert_chain`).
    pub fn set_peer_chain(&mut self, chain: Vec<CertificateDer<'static>>) -> Result<()> {
        if !self.chain.is_empty() {
            return Err(Error::usage(
                "the cert chain and key must be empty (new from s2n_cert_chain_and_key_new)",
            ));
        }
        self.chain = chain;
        Ok(())
    }

    /// The chain, leaf first; empty before anything is loaded.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    pub fn has_private_key(&self) -> bool {
        self.key.as_ref().is_some_and(|k| k.has_private_key())
    }

    /// The loaded chain and key, for the server's certificate resolver.
    pub fn certified_key(&self) -> Result<Arc<CertifiedKey>> {
        if let Some(c) = &self.certified {
            return Ok(c.clone());
        }
        match self.chain.is_empty() {
            true => Err(Error::new(
                ErrorCode::NoCertificate,
                "the cert chain and key is empty: call s2n_cert_chain_and_key_load_pem first",
            )),
            false => Err(Error::new(
                ErrorCode::UnsupportedKey,
                "the cert chain's public key is of a type rs2n cannot sign with (RSA, ECDSA P-256/P-384/P-521, Ed25519)",
            )),
        }
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
    fn public_and_peer_chains_have_no_key() {
        let mut c = CertChainAndKey::new();
        assert!(c.chain().is_empty() && !c.has_private_key());
        c.load_public_pem(&cert_file("ecdsa_p256_cert.pem"))
            .unwrap();
        assert_eq!(c.chain().len(), 2);
        assert!(!c.has_private_key());
        // Usable with an async private key callback: its key offloads.
        let public = c.certified_key().unwrap();
        assert_eq!(public.cert.as_slice(), c.chain());
        assert!(c.chain_key().is_some_and(|k| !k.has_private_key()));
        let e = c.set_peer_chain(Vec::new()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "not empty");
        let mut peer = CertChainAndKey::new();
        peer.set_peer_chain(c.chain().to_vec()).unwrap();
        assert_eq!(peer.chain(), c.chain());
        // Loading a full chain and key replaces a public one.
        c.load_pem(
            &cert_file("rsa2048_cert.pem"),
            &cert_file("rsa2048_key.pem"),
        )
        .unwrap();
        assert!(c.has_private_key());
        assert_eq!(c.certified_key().unwrap().cert.as_slice(), c.chain());
    }

    #[test]
    fn loads_sec1_and_pkcs1_keys() {
        for (cert, key) in [
            ("ecdsa_p256_cert.pem", "ecdsa_p256_key_sec1.pem"),
            ("rsa2048_cert.pem", "rsa2048_key_pkcs1.pem"),
        ] {
            let mut c = CertChainAndKey::new();
            c.load_pem(&cert_file(cert), &cert_file(key)).unwrap();
            assert!(c.certified_key().is_ok(), "{key}");
        }
    }

    /// Whatever is wrong with the PEM, certificate or key, the message is short
    /// (no dump of the input) and names the problem.
    #[test]
    fn every_bad_input_message_is_short_and_says_what() {
        let cert = String::from_utf8(cert_file("ecdsa_p256_cert.pem")).unwrap();
        let key = String::from_utf8(cert_file("ecdsa_p256_key.pem")).unwrap();
        let one_line: String = cert.lines().collect();
        let long_line = format!("-----BEGIN CERTIFICATE-----{}", "QUFB".repeat(600));
        let not_der = "-----BEGIN CERTIFICATE-----\nQUFBQUFB\n-----END CERTIFICATE-----\n";
        let rsa_key = String::from_utf8(cert_file("rsa2048_key.pem")).unwrap();
        let bad_key = "-----BEGIN PRIVATE KEY-----\nQUFBQUFB\n-----END PRIVATE KEY-----\n";
        let cases: [(&str, &str, &str); 8] = [
            ("", &key, "no PEM certificate"),
            (&long_line, &key, "no -----END CERTIFICATE-----"),
            (
                &one_line[..one_line.len() - 26],
                &key,
                "no -----END CERTIFICATE-----",
            ),
            (not_der, &key, "certificate 1: not a valid X.509"),
            (&cert, "", "no usable PEM key"),
            (&cert, &one_line, "no usable PEM key"),
            (&cert, bad_key, "unsupported or malformed key"),
            (&cert, &rsa_key, "does not match"),
        ];
        for (chain, key, says) in cases {
            let e = CertChainAndKey::new()
                .load_pem(chain.as_bytes(), key.as_bytes())
                .unwrap_err();
            assert!(
                e.message.len() < 200,
                "{} bytes: {}",
                e.message.len(),
                e.message
            );
            assert!(
                e.message.contains(says),
                "{:?} should say {says:?}",
                e.message
            );
        }
        let e = crate::config::Config::new_minimal()
            .add_pem_to_trust_store(long_line.as_bytes())
            .unwrap_err();
        assert!(
            e.message.len() < 200 && e.message.contains("trust store"),
            "{}",
            e.message
        );
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
