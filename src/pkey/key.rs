//! The signing key a chain is loaded with: it signs with the private key when the
//! chain has one, and hands the signature to the application when the connection
//! being processed offloads it (see [`super::step`]). What rs2n reads from a
//! certificate's public key (its kind, for schemes and for
//! `s2n_conn_get_signature_public_key_type`).

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, SubjectPublicKeyInfoDer};
use rustls::sign::{Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use x509_cert::der::asn1::{ObjectIdentifier, UintRef};
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::Certificate;

#[cfg(test)]
use super::check::{digest, verify};
use super::step;
use crate::error::{Error, ErrorCode, Result};

const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The kind of a certificate's public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA, with its modulus size in bits.
    Rsa(usize),
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
}

impl KeyKind {
    /// The kind of the public key of the certificate `der`.
    pub fn of_cert(der: &[u8]) -> Result<Self> {
        let bad = || {
            Error::new(
                ErrorCode::UnsupportedKey,
                "the certificate's public key is not RSA, ECDSA P-256/P-384/P-521 or Ed25519",
            )
        };
        let cert = Certificate::from_der(der).map_err(|_| {
            Error::new(
                ErrorCode::CertInvalid,
                "the certificate is not valid DER X.509",
            )
        })?;
        let spki = &cert.tbs_certificate.subject_public_key_info;
        match spki.algorithm.oid {
            RSA => {
                let bits = spki.subject_public_key.raw_bytes();
                rsa_modulus_bits(bits).map(KeyKind::Rsa).ok_or_else(bad)
            }
            EC => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(P256) => Ok(KeyKind::EcdsaP256),
                    Some(P384) => Ok(KeyKind::EcdsaP384),
                    Some(P521) => Ok(KeyKind::EcdsaP521),
                    _ => Err(bad()),
                }
            }
            ED25519 => Ok(KeyKind::Ed25519),
            _ => Err(bad()),
        }
    }

    /// s2n's name for it (`s2n_conn_get_signature_public_key_type`): "rsa2048",
    /// "ecdsa_secp256r1", ...; s2n has none for Ed25519.
    pub fn s2n_name(self) -> Result<String> {
        Ok(match self {
            KeyKind::Rsa(bits) => format!("rsa{bits}"),
            KeyKind::EcdsaP256 => "ecdsa_secp256r1".into(),
            KeyKind::EcdsaP384 => "ecdsa_secp384r1".into(),
            KeyKind::EcdsaP521 => "ecdsa_secp521r1".into(),
            KeyKind::Ed25519 => {
                return Err(Error::new(
                    ErrorCode::UnsupportedKey,
                    "s2n has no name for an Ed25519 key",
                ))
            }
        })
    }

    fn algorithm(self) -> SignatureAlgorithm {
        match self {
            KeyKind::Rsa(_) => SignatureAlgorithm::RSA,
            KeyKind::Ed25519 => SignatureAlgorithm::ED25519,
            _ => SignatureAlgorithm::ECDSA,
        }
    }

    /// The schemes a key of this kind signs with, s2n's preference first.
    fn schemes(self) -> &'static [SignatureScheme] {
        use SignatureScheme as S;
        match self {
            KeyKind::Rsa(_) => &[
                S::RSA_PSS_SHA256,
                S::RSA_PSS_SHA384,
                S::RSA_PSS_SHA512,
                S::RSA_PKCS1_SHA256,
                S::RSA_PKCS1_SHA384,
                S::RSA_PKCS1_SHA512,
            ],
            KeyKind::EcdsaP256 => &[S::ECDSA_NISTP256_SHA256],
            KeyKind::EcdsaP384 => &[S::ECDSA_NISTP384_SHA384],
            KeyKind::EcdsaP521 => &[S::ECDSA_NISTP521_SHA512],
            KeyKind::Ed25519 => &[S::ED25519],
        }
    }
}

/// The size in bits of the modulus of a DER RSAPublicKey.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(der).ok()?;
    let modulus = reader
        .sequence(|r| {
            let n = UintRef::decode(r)?;
            let _e = UintRef::decode(r)?;
            Ok(n.as_bytes().to_vec())
        })
        .ok()?;
    let first = *modulus.first()?;
    Some(modulus.len() * 8 - first.leading_zeros() as usize)
}

/// The signing key of a loaded chain: its private key if it has one, and what
/// offloading needs (the leaf, the key's kind).
#[derive(Debug)]
pub struct ChainKey {
    private: Option<Arc<dyn SigningKey>>,
    leaf: CertificateDer<'static>,
    kind: KeyKind,
    spki: Vec<u8>,
}

impl ChainKey {
    /// The key for a chain whose leaf is `leaf`; `private` None for a chain loaded
    /// without its private key, which only an async callback can sign for.
    pub fn new(
        leaf: CertificateDer<'static>,
        private: Option<Arc<dyn SigningKey>>,
    ) -> Result<Self> {
        let kind = KeyKind::of_cert(&leaf)?;
        let cert = Certificate::from_der(&leaf)
            .map_err(|_| Error::new(ErrorCode::CertInvalid, "the leaf is not valid DER X.509"))?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| Error::new(ErrorCode::CertInvalid, "the leaf's public key"))?;
        Ok(ChainKey {
            private,
            leaf,
            kind,
            spki,
        })
    }

    pub fn has_private_key(&self) -> bool {
        self.private.is_some()
    }

    /// Signs `message` with `scheme` with the private key itself
    /// (`s2n_async_pkey_op_perform`).
    pub fn sign_now(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>> {
        let Some(private) = &self.private else {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the chain has no private key (loaded with s2n_cert_chain_and_key_load_public_pem_bytes)",
            ));
        };
        let signer = private.choose_scheme(&[scheme]).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("the key cannot sign with {scheme:?}: not the key of this operation"),
            )
        })?;
        signer
            .sign(message)
            .map_err(|e| Error::new(ErrorCode::Internal, format!("signing failed: {e}")))
    }
}

impl SigningKey for ChainKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        let scheme = match &self.private {
            Some(private) => private.choose_scheme(offered)?.scheme(),
            None => *self.kind.schemes().iter().find(|s| offered.contains(s))?,
        };
        Some(Box::new(ChainSigner {
            scheme,
            private: self.private.clone(),
            leaf: self.leaf.clone(),
        }))
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        Some(SubjectPublicKeyInfoDer::from(self.spki.as_slice()))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.kind.algorithm()
    }
}

/// One signature of a handshake, with the scheme chosen.
#[derive(Debug)]
struct ChainSigner {
    scheme: SignatureScheme,
    private: Option<Arc<dyn SigningKey>>,
    leaf: CertificateDer<'static>,
}

impl Signer for ChainSigner {
    fn sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, rustls::Error> {
        step::sign(self.scheme, &self.leaf, message, |message| {
            let Some(private) = &self.private else {
                return Err(Error::new(
                    ErrorCode::NoCertificate,
                    "the certificate has no private key and the config has no async private key callback",
                ));
            };
            let signer = private
                .choose_scheme(&[self.scheme])
                .ok_or_else(|| Error::new(ErrorCode::Internal, "the key lost its scheme"))?;
            signer
                .sign(message)
                .map_err(|e| Error::new(ErrorCode::Internal, format!("signing failed: {e}")))
        })
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;
    use crate::pem;

    fn leaf(name: &str) -> CertificateDer<'static> {
        pem::certificates(&cert_file(name), "test").unwrap()[0].clone()
    }

    #[test]
    fn key_kinds_and_names_are_s2ns() {
        let kind = |n| KeyKind::of_cert(&leaf(n)).unwrap();
        assert_eq!(kind("rsa2048_cert.pem"), KeyKind::Rsa(2048));
        assert_eq!(kind("ecdsa_p256_cert.pem"), KeyKind::EcdsaP256);
        assert_eq!(kind("ecdsa_p384_cert.pem"), KeyKind::EcdsaP384);
        assert_eq!(KeyKind::Rsa(2048).s2n_name().unwrap(), "rsa2048");
        assert_eq!(KeyKind::EcdsaP384.s2n_name().unwrap(), "ecdsa_secp384r1");
        assert!(KeyKind::Ed25519.s2n_name().is_err());
        assert!(KeyKind::of_cert(b"junk").is_err());
    }

    #[test]
    fn digests_follow_the_scheme() {
        let d = |s| digest(s, b"abc").map(|d| d.len());
        assert_eq!(d(SignatureScheme::ECDSA_NISTP256_SHA256), Some(32));
        assert_eq!(d(SignatureScheme::RSA_PSS_SHA384), Some(48));
        assert_eq!(d(SignatureScheme::RSA_PKCS1_SHA512), Some(64));
        assert_eq!(d(SignatureScheme::ED25519), None);
    }

    #[test]
    fn a_public_only_key_offers_its_kinds_schemes_and_verification_catches_others() {
        let cert = leaf("ecdsa_p256_cert.pem");
        let public = ChainKey::new(cert.clone(), None).unwrap();
        assert!(!public.has_private_key());
        let offered = [
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::ECDSA_NISTP256_SHA256,
        ];
        let signer = public.choose_scheme(&offered).unwrap();
        assert_eq!(signer.scheme(), SignatureScheme::ECDSA_NISTP256_SHA256);
        assert!(public
            .choose_scheme(&[SignatureScheme::RSA_PSS_SHA256])
            .is_none());
        // No private key and no offloading: a clear failure, not a signature.
        assert!(signer.sign(b"message").is_err());
        assert!(public
            .sign_now(SignatureScheme::ECDSA_NISTP256_SHA256, b"m")
            .is_err());

        let key = pem::private_key(&cert_file("ecdsa_p256_key.pem")).unwrap();
        let private = rustls::crypto::ring::sign::any_supported_type(&key).unwrap();
        let full = ChainKey::new(cert.clone(), Some(private)).unwrap();
        let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
        let sig = full.sign_now(scheme, b"message").unwrap();
        verify(&cert, scheme, b"message", &sig).unwrap();
        let e = verify(&cert, scheme, b"another", &sig).unwrap_err();
        assert_eq!(e.code, ErrorCode::VerifySignature);
        let other = leaf("ecdsa_p384_cert.pem");
        assert!(verify(&other, scheme, b"message", &sig).is_err());
    }
}
