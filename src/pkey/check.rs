//! What an operation gives the application (the digest of the signed content),
//! and the check of a signature against the certificate.

use once_cell::sync::Lazy;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::CertificateDer;
use rustls::SignatureScheme;

use crate::error::{Error, ErrorCode, Result};

/// The digest an operation for `scheme` gives the application: the hash of the
/// signed message with the scheme's hash. None for a scheme with no separate
/// hash (Ed25519 signs the whole message).
pub fn digest(scheme: SignatureScheme, message: &[u8]) -> Option<Vec<u8>> {
    use ring::digest::{SHA256, SHA384, SHA512};
    use SignatureScheme as S;
    let alg = match scheme {
        S::RSA_PKCS1_SHA256 | S::ECDSA_NISTP256_SHA256 | S::RSA_PSS_SHA256 => &SHA256,
        S::RSA_PKCS1_SHA384 | S::ECDSA_NISTP384_SHA384 | S::RSA_PSS_SHA384 => &SHA384,
        S::RSA_PKCS1_SHA512 | S::ECDSA_NISTP521_SHA512 | S::RSA_PSS_SHA512 => &SHA512,
        _ => return None,
    };
    Some(ring::digest::digest(alg, message).as_ref().to_vec())
}

static VERIFY_ALGS: Lazy<WebPkiSupportedAlgorithms> =
    Lazy::new(|| rustls::crypto::ring::default_provider().signature_verification_algorithms);

/// Checks that `signature` is `leaf`'s key's signature of `message` with `scheme`.
pub fn verify(
    leaf: &CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let failed = || {
        Error::new(
            ErrorCode::VerifySignature,
            format!("the {scheme:?} signature does not verify with the certificate's public key"),
        )
    };
    let cert = webpki::EndEntityCert::try_from(leaf).map_err(|_| failed())?;
    let algs = VERIFY_ALGS
        .mapping
        .iter()
        .find(|(s, _)| *s == scheme)
        .map_or(&[][..], |(_, algs)| *algs);
    match algs
        .iter()
        .any(|alg| cert.verify_signature(*alg, message, signature).is_ok())
    {
        true => Ok(()),
        false => Err(failed()),
    }
}
