//! rustls errors as s2n errors: the error code (and so the class) s2n reports for the
//! same failure, with a message that says what went wrong.

use std::ffi::CString;

use crate::error::{Error, ErrorCode};

/// An s2n error for what rustls reported.
pub(super) fn map_tls_error(e: &rustls::Error, server_name: Option<&CString>) -> Error {
    use rustls::{CertificateError as C, Error as E, PeerIncompatible as P};
    let (code, text) = match e {
        E::AlertReceived(alert) => (
            ErrorCode::Alert,
            format!("the peer sent a fatal alert: {alert:?}"),
        ),
        E::InvalidCertificate(C::UnknownIssuer) => (
            ErrorCode::CertUntrusted,
            "the peer's certificate is not signed by a trusted CA".to_string(),
        ),
        E::InvalidCertificate(C::NotValidForName)
        | E::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            let text = match server_name {
                Some(n) => format!("the peer's certificate is not valid for the name {:?}, or the verify host callback refused its names", n.to_string_lossy()),
                None => "no name to check the peer's certificate against: a client needs s2n_set_server_name; a server checking client certificates needs a verify host callback (s2n_config_set_verify_host_callback)".to_string(),
            };
            (ErrorCode::HostnameMismatch, text)
        }
        E::InvalidCertificate(C::Other(other))
            if other.0.downcast_ref::<crate::verify::ChainTooLong>().is_some() =>
        {
            (ErrorCode::CertMaxChainDepth, other.to_string())
        }
        E::InvalidCertificate(C::Other(other))
            if other.0.downcast_ref::<crate::ocsp::OcspFailure>().is_some() =>
        {
            let code = other.0.downcast_ref::<crate::ocsp::OcspFailure>().map_or(ErrorCode::CertUntrusted, |f| f.code);
            (code, other.to_string())
        }
        E::InvalidCertificate(c @ (C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. })) => (
            ErrorCode::CertInvalid,
            format!("the peer's certificate is outside its validity dates ({c:?}); s2n_config_disable_x509_time_verification skips that check"),
        ),
        E::InvalidCertificate(C::InvalidPurpose | C::InvalidPurposeContext { .. }) => (
            ErrorCode::CertInvalid,
            "the peer's certificate is not issued for this use (extended key usage); s2n_config_disable_x509_intent_verification skips that check".to_string(),
        ),
        E::InvalidCertificate(c) => (
            ErrorCode::CertInvalid,
            format!("the peer's certificate is invalid: {c:?}"),
        ),
        E::NoCertificatesPresented => (
            ErrorCode::MissingClientCert,
            "the client sent no certificate and client authentication is required (S2N_CERT_AUTH_REQUIRED)".to_string(),
        ),
        E::PeerIncompatible(P::NoCipherSuitesInCommon) => (
            ErrorCode::CipherNotSupported,
            "no cipher suite in common with the peer".to_string(),
        ),
        E::PeerIncompatible(
            p @ (P::SupportedVersionsExtensionRequired
            | P::Tls12NotOffered
            | P::Tls12NotOfferedOrEnabled
            | P::Tls13RequiredForQuic
            | P::ServerDoesNotSupportTls12Or13),
        ) => (
            ErrorCode::ProtocolVersionUnsupported,
            format!("no protocol version in common with the peer: {p:?}"),
        ),
        E::PeerIncompatible(p) => (
            ErrorCode::HandshakeFailure,
            format!("the peer is incompatible: {p:?}"),
        ),
        E::DecryptError => (
            ErrorCode::Decrypt,
            "a record from the peer failed to decrypt".to_string(),
        ),
        E::InvalidMessage(m) => (
            ErrorCode::BadMessage,
            format!("the peer sent a malformed message: {m:?}"),
        ),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => (
            ErrorCode::BadMessage,
            format!("the peer sent an unexpected message: {e}"),
        ),
        E::PeerMisbehaved(m) => (ErrorCode::BadMessage, format!("the peer misbehaved: {m:?}")),
        other => (ErrorCode::HandshakeFailure, format!("TLS error: {other}")),
    };
    Error::new(code, text)
}
