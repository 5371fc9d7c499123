//! Validation of a stapled OCSP response (RFC 6960), as s2n-tls validates it with
//! its libcrypto: the response must be successful and signed by the issuer of the
//! server's certificate, or by a responder certificate that issuer gave the
//! OCSPSigning purpose; its entry for the certificate (a SHA-1 CertID, the only
//! hash s2n accepts) must be current (thisUpdate not in the future; nextUpdate not
//! past, or, without one, thisUpdate less than an hour old) and say good.
//! Stapled responses carry no nonce, so none is checked (nor does s2n).
//!
//! Parsing is x509-ocsp's (RustCrypto); signatures are checked with the
//! connection's rustls signature algorithms, the responder's certificate with
//! webpki.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use x509_cert::der::{self, Decode, Encode, Reader, SliceReader};
use x509_cert::spki::SubjectPublicKeyInfoRef;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, ResponderId};

use crate::error::ErrorCode;

/// id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1).
const OCSP_BASIC: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-sha1 (1.3.14.3.2.26).
const SHA1: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-kp-OCSPSigning (1.3.6.1.5.5.7.3.9), DER contents.
const OCSP_SIGNING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09];
/// s2n's validity of a response without nextUpdate, from its thisUpdate.
const DEFAULT_NEXT_UPDATE_SECS: u64 = 3600;

/// The certificate (or trust anchor) that issued the server's certificate, as
/// the verified path found it: DER of its subject Name and of its
/// SubjectPublicKeyInfo, each with its outer SEQUENCE.
#[derive(Clone, Debug)]
pub struct Issuer {
    pub subject: Vec<u8>,
    pub spki: Vec<u8>,
}

impl Issuer {
    /// The issuer described by its certificate (DER); None if it does not parse.
    pub fn from_cert(der: &[u8]) -> Option<Issuer> {
        let cert = Certificate::from_der(der).ok()?;
        Some(Issuer {
            subject: cert.tbs_certificate.subject.to_der().ok()?,
            spki: cert.tbs_certificate.subject_public_key_info.to_der().ok()?,
        })
    }
}

/// Why a stapled response was refused, with the s2n error code s2n reports.
#[derive(Debug)]
pub struct OcspFailure {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for OcspFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for OcspFailure {}

fn fail(code: ErrorCode, message: impl Into<String>) -> OcspFailure {
    OcspFailure {
        code,
        message: format!("stapled OCSP response: {}", message.into()),
    }
}

fn malformed(what: &str, e: impl std::fmt::Display) -> OcspFailure {
    fail(ErrorCode::InvalidOcspResponse, format!("{what}: {e}"))
}

/// Wraps DER contents in a SEQUENCE.
pub fn der_sequence(contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
    out
}

/// The contents of a DER TLV (e.g. an AlgorithmIdentifier without its outer
/// SEQUENCE, as rustls' algorithms name themselves).
fn tlv_contents(der: &[u8]) -> Option<&[u8]> {
    let mut r = SliceReader::new(der).ok()?;
    let header = r.peek_header().ok()?;
    let all = r.tlv_bytes().ok()?;
    let header_len = all.len() - usize::try_from(header.length).ok()?;
    all.get(header_len..)
}

/// Verifies `signature` over `message` by the key in `spki` (DER) with the
/// algorithm named `sig_alg` (an AlgorithmIdentifier's DER).
fn verify_signed(
    algs: &[&'static dyn SignatureVerificationAlgorithm],
    spki: &[u8],
    sig_alg: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), OcspFailure> {
    let key = SubjectPublicKeyInfoRef::from_der(spki).map_err(|e| malformed("signer key", e))?;
    let key_alg = key
        .algorithm
        .to_der()
        .map_err(|e| malformed("signer key", e))?;
    let key_alg = tlv_contents(&key_alg).unwrap_or_default();
    let sig_alg = tlv_contents(sig_alg).unwrap_or_default();
    let alg = algs
        .iter()
        .find(|a| {
            a.public_key_alg_id().as_ref() == key_alg && a.signature_alg_id().as_ref() == sig_alg
        })
        .ok_or_else(|| {
            fail(
                ErrorCode::CertUntrusted,
                "its signature algorithm is not supported",
            )
        })?;
    alg.verify_signature(key.subject_public_key.raw_bytes(), message, signature)
        .map_err(|_| fail(ErrorCode::CertUntrusted, "its signature does not verify"))
}

fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

/// The public key bits of a SubjectPublicKeyInfo.
fn key_bits(spki: &[u8]) -> Result<Vec<u8>, OcspFailure> {
    let key = SubjectPublicKeyInfoRef::from_der(spki).map_err(|e| malformed("issuer key", e))?;
    Ok(key.subject_public_key.raw_bytes().to_vec())
}

/// Finds who signed the response and checks it may: the issuer itself, or a
/// certificate in the response that the issuer made an OCSP responder. Returns the
/// signer's SubjectPublicKeyInfo DER.
fn signer(
    basic: &BasicOcspResponse,
    issuer: &Issuer,
    now: UnixTime,
    algs: &'static [&'static dyn SignatureVerificationAlgorithm],
) -> Result<Vec<u8>, OcspFailure> {
    let issuer_key_hash = sha1(&key_bits(&issuer.spki)?);
    let names_issuer = match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(name) => name.to_der().is_ok_and(|n| n == issuer.subject),
        ResponderId::ByKey(hash) => hash.as_bytes() == issuer_key_hash.as_slice(),
    };
    if names_issuer {
        return Ok(issuer.spki.clone());
    }
    let certs = basic.certs.as_deref().unwrap_or_default();
    let responder = certs
        .iter()
        .find(|c| match &basic.tbs_response_data.responder_id {
            ResponderId::ByName(name) => &c.tbs_certificate.subject == name,
            ResponderId::ByKey(hash) => {
                let bits = c.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
                hash.as_bytes() == sha1(bits).as_slice()
            }
        })
        .ok_or_else(|| {
            fail(
                ErrorCode::CertUntrusted,
                "it is signed neither by the certificate's issuer nor by a responder certificate it includes",
            )
        })?;
    let der = responder
        .to_der()
        .map_err(|e| malformed("responder certificate", e))?;
    let der = CertificateDer::from(der);
    let anchor = TrustAnchor {
        subject: tlv_contents(&issuer.subject).unwrap_or_default().into(),
        subject_public_key_info: tlv_contents(&issuer.spki).unwrap_or_default().into(),
        name_constraints: None,
    };
    let cert =
        webpki::EndEntityCert::try_from(&der).map_err(|e| malformed("responder certificate", e))?;
    cert.verify_for_usage(
        algs,
        &[anchor],
        &[],
        now,
        webpki::KeyUsage::required(OCSP_SIGNING),
        None,
        None,
    )
    .map_err(|e| {
        fail(
            ErrorCode::CertUntrusted,
            format!("its responder certificate is not an OCSP responder of the certificate's issuer: {e}"),
        )
    })?;
    responder
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| malformed("responder key", e))
}

/// Validates a stapled OCSP response `der` for the server certificate `leaf`,
/// issued by `issuer`, at `now`, with the signature algorithms `algs`.
pub fn validate(
    der: &[u8],
    leaf: &CertificateDer<'_>,
    issuer: &Issuer,
    now: UnixTime,
    algs: &'static [&'static dyn SignatureVerificationAlgorithm],
) -> Result<(), OcspFailure> {
    let response = OcspResponse::from_der(der).map_err(|e| malformed("not an OCSPResponse", e))?;
    if response.response_status != OcspResponseStatus::Successful {
        return Err(fail(
            ErrorCode::CertUntrusted,
            format!(
                "its status is {:?}, not successful",
                response.response_status
            ),
        ));
    }
    let bytes = response
        .response_bytes
        .filter(|b| b.response_type == OCSP_BASIC)
        .ok_or_else(|| malformed("no basic response", "missing"))?;
    let basic_der = bytes.response.as_bytes();
    let basic =
        BasicOcspResponse::from_der(basic_der).map_err(|e| malformed("basic response", e))?;
    // The signature covers tbsResponseData exactly as received.
    let mut reader = SliceReader::new(basic_der).map_err(|e| malformed("basic response", e))?;
    let tbs = reader
        .sequence(|r| {
            let tbs = r.tlv_bytes()?;
            while !r.is_finished() {
                r.tlv_bytes()?;
            }
            Ok(tbs)
        })
        .map_err(|e| malformed("basic response", e))?;
    let signer_spki = signer(&basic, issuer, now, algs)?;
    let sig_alg = basic
        .signature_algorithm
        .to_der()
        .map_err(|e| malformed("signature algorithm", e))?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| malformed("signature", "not whole bytes"))?;
    verify_signed(algs, &signer_spki, &sig_alg, tbs, signature)?;

    // The entry for this certificate.
    let leaf = Certificate::from_der(leaf).map_err(|e| malformed("server certificate", e))?;
    let name_hash = sha1(&issuer.subject);
    let key_hash = sha1(&key_bits(&issuer.spki)?);
    let entry = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| {
            r.cert_id.hash_algorithm.oid == SHA1
                && r.cert_id.issuer_name_hash.as_bytes() == name_hash.as_slice()
                && r.cert_id.issuer_key_hash.as_bytes() == key_hash.as_slice()
                && r.cert_id.serial_number == leaf.tbs_certificate.serial_number
        })
        .ok_or_else(|| {
            fail(
                ErrorCode::CertUntrusted,
                "it has no entry for the server's certificate (by a SHA-1 CertID, the only one s2n reads)",
            )
        })?;
    let now_secs = now.as_secs();
    let this_update = entry.this_update.0.to_unix_duration().as_secs();
    if now_secs < this_update {
        return Err(fail(
            ErrorCode::CertInvalid,
            format!(
                "its thisUpdate is {} s in the future",
                this_update - now_secs
            ),
        ));
    }
    match &entry.next_update {
        Some(next) if now_secs > next.0.to_unix_duration().as_secs() => {
            return Err(fail(ErrorCode::CertExpired, "its nextUpdate has passed"))
        }
        None if now_secs - this_update >= DEFAULT_NEXT_UPDATE_SECS => {
            return Err(fail(
                ErrorCode::CertExpired,
                "it has no nextUpdate and its thisUpdate is an hour old or more",
            ))
        }
        _ => {}
    }
    match entry.cert_status {
        CertStatus::Good(_) => Ok(()),
        CertStatus::Revoked(_) => Err(fail(ErrorCode::CertRevoked, "the certificate is revoked")),
        CertStatus::Unknown(_) => Err(fail(
            ErrorCode::CertUntrusted,
            "the responder does not know the certificate",
        )),
    }
}

/// `validate` as rustls' verifier reports it.
pub fn validate_for_rustls(
    der: &[u8],
    leaf: &CertificateDer<'_>,
    issuer: &Issuer,
    now: UnixTime,
    algs: &'static [&'static dyn SignatureVerificationAlgorithm],
) -> Result<(), rustls::Error> {
    validate(der, leaf, issuer, now, algs)
        .map_err(|f| rustls::CertificateError::Other(rustls::OtherError(Arc::new(f))).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{parse_pem_certs, testing::cert_file};

    fn algs() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .all
    }

    fn issuer(file: &str) -> Issuer {
        let der = parse_pem_certs(&cert_file(file), "CA").unwrap().remove(0);
        Issuer::from_cert(&der).unwrap()
    }

    fn leaf() -> CertificateDer<'static> {
        parse_pem_certs(&cert_file("ecdsa_p256_cert.pem"), "leaf")
            .unwrap()
            .remove(0)
    }

    fn response(name: &str) -> Vec<u8> {
        cert_file(&format!("ocsp/{name}.der"))
    }

    /// thisUpdate and nextUpdate (if any) of a response's first entry, in seconds.
    fn updates(der: &[u8]) -> (u64, Option<u64>) {
        let r = OcspResponse::from_der(der).unwrap();
        let basic =
            BasicOcspResponse::from_der(r.response_bytes.unwrap().response.as_bytes()).unwrap();
        let e = &basic.tbs_response_data.responses[0];
        (
            e.this_update.0.to_unix_duration().as_secs(),
            e.next_update.map(|n| n.0.to_unix_duration().as_secs()),
        )
    }

    fn check(der: &[u8], issuer: &Issuer, now: UnixTime) -> Result<(), ErrorCode> {
        validate(der, &leaf(), issuer, now, algs()).map_err(|f| {
            assert!(
                f.message.starts_with("stapled OCSP response: "),
                "{}",
                f.message
            );
            f.code
        })
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
    }

    #[test]
    fn good_responses_from_the_issuer_or_its_responder_pass() {
        let ca = issuer("ca_cert.pem");
        for name in ["good", "delegated"] {
            assert_eq!(
                check(&response(name), &ca, UnixTime::now()),
                Ok(()),
                "{name}"
            );
        }
    }

    #[test]
    fn bad_responses_fail_with_s2n_s_errors() {
        let ca = issuer("ca_cert.pem");
        let now = UnixTime::now();
        for (name, code) in [
            ("revoked", ErrorCode::CertRevoked),
            ("unknown", ErrorCode::CertUntrusted),
            ("not_responder", ErrorCode::CertUntrusted),
            ("other_ca", ErrorCode::CertUntrusted),
            ("other_cert", ErrorCode::CertUntrusted),
            ("sha256_id", ErrorCode::CertUntrusted),
        ] {
            assert_eq!(check(&response(name), &ca, now), Err(code), "{name}");
        }
        // Another issuer than the one that signed it.
        let other = issuer("other_ca_cert.pem");
        assert_eq!(
            check(&response("good"), &other, now),
            Err(ErrorCode::CertUntrusted)
        );
        // A signature that does not verify: producedAt (the first GeneralizedTime,
        // inside the signed data) a second off.
        let mut tampered = response("good");
        let at = tampered.windows(2).position(|w| w == [0x18, 0x0f]).unwrap();
        tampered[at + 15] ^= 1;
        assert_eq!(check(&tampered, &ca, now), Err(ErrorCode::CertUntrusted));
        // Not an OCSP response at all, or cut short.
        let good = response("good");
        for bad in [&b"garbage"[..], &good[..good.len() / 2], &[][..]] {
            assert_eq!(check(bad, &ca, now), Err(ErrorCode::InvalidOcspResponse));
        }
    }

    #[test]
    fn times_are_checked_as_s2n_checks_them() {
        let ca = issuer("ca_cert.pem");
        let good = response("good");
        let (this, next) = updates(&good);
        let next = next.unwrap();
        assert_eq!(check(&good, &ca, at(this)), Ok(()));
        assert_eq!(check(&good, &ca, at(this - 1)), Err(ErrorCode::CertInvalid));
        assert_eq!(check(&good, &ca, at(next)), Ok(()));
        assert_eq!(check(&good, &ca, at(next + 1)), Err(ErrorCode::CertExpired));
        let bare = response("no_next_update");
        let (this, next) = updates(&bare);
        assert!(next.is_none());
        assert_eq!(check(&bare, &ca, at(this + 3599)), Ok(()));
        assert_eq!(
            check(&bare, &ca, at(this + 3600)),
            Err(ErrorCode::CertExpired)
        );
    }

    #[test]
    fn der_sequences_have_definite_lengths() {
        assert_eq!(der_sequence(&[1, 2]), [0x30, 2, 1, 2]);
        let long = der_sequence(&[0; 300]);
        assert_eq!(&long[..4], &[0x30, 0x82, 1, 44]);
        assert_eq!(tlv_contents(&long).map(<[u8]>::len), Some(300));
    }
}
