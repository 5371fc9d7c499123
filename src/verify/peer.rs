//! The rustls hooks for certificates: the client's verifier of server chains, the
//! server's verifier of client chains, and the client's certificate resolver. Each
//! reads and records the current connection's [`PeerContext`](super::PeerContext).

use std::sync::Arc;

use once_cell::sync::OnceCell;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::{check_host, current, CertAuth, ChainVerifier, Purpose};
use crate::capture::Stapled;

/// Checks a handshake signature against the certificate presented.
#[derive(Debug)]
struct Signatures(Arc<CryptoProvider>);

impl Signatures {
    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A client's verifier of the server's chain. With verification on: the chain
/// against the trust store (none trusts nothing), then the host check. Off
/// (`s2n_config_disable_x509_verification`): any chain and name. Either way the
/// handshake signatures are checked against the certificate presented.
#[derive(Debug)]
pub struct ServerVerifier {
    /// None with verification off.
    chain: Option<ChainVerifier>,
    sigs: Signatures,
}

impl ServerVerifier {
    pub fn new(chain: Option<ChainVerifier>, provider: Arc<CryptoProvider>) -> Self {
        ServerVerifier {
            chain,
            sigs: Signatures(provider),
        }
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            // Kept for s2n_connection_get_ocsp_response, checked as s2n does: not at all.
            crate::capture::stapled(ocsp, None)?;
            return Ok(ServerCertVerified::assertion());
        };
        let issuer = chain.verify(end_entity, intermediates, now, Purpose::Server)?;
        check_host(end_entity, Some(server_name))?;
        let check = Stapled {
            leaf: end_entity,
            issuer: &issuer,
            now,
            algs: chain.algs(),
        };
        crate::capture::stapled(ocsp, Some(check))?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.sigs.tls12(message, cert, dss)?;
        crate::handshake_notes::note(|n| n.server_scheme = Some(dss.scheme));
        Ok(valid)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.sigs.tls13(message, cert, dss)?;
        crate::handshake_notes::note(|n| n.server_scheme = Some(dss.scheme));
        Ok(valid)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.sigs.schemes()
    }
}

/// A server's verifier of client chains: asks for a certificate as the current
/// connection's client authentication says; checks the chain against the config's
/// trust store, then the host check; with verification off, any chain. Sends the
/// CA names given to it (none unless `s2n_config_set_cert_authorities_from_trust_store`
/// was called). The chain check (the roots parsed) is made on first use, so a
/// server that never asks for a certificate never parses its trust store.
pub struct ClientVerifier {
    chain: OnceCell<Option<ChainVerifier>>,
    make_chain: Box<dyn Fn() -> Option<ChainVerifier> + Send + Sync>,
    hints: Vec<DistinguishedName>,
    sigs: Signatures,
}

impl std::fmt::Debug for ClientVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientVerifier").finish_non_exhaustive()
    }
}

impl ClientVerifier {
    /// `make_chain` gives the chain check (None with verification off).
    pub fn new(
        make_chain: Box<dyn Fn() -> Option<ChainVerifier> + Send + Sync>,
        hints: Vec<DistinguishedName>,
        provider: Arc<CryptoProvider>,
    ) -> Self {
        ClientVerifier {
            chain: OnceCell::new(),
            make_chain,
            hints,
            sigs: Signatures(provider),
        }
    }

    fn record(&self, dss: &DigitallySignedStruct) {
        if let Some(ctx) = current() {
            ctx.record(|r| r.client_scheme = Some(dss.scheme));
        }
    }
}

impl ClientCertVerifier for ClientVerifier {
    fn offer_client_auth(&self) -> bool {
        current().is_some_and(|c| c.client_auth != CertAuth::None)
    }

    fn client_auth_mandatory(&self) -> bool {
        // Fails closed: with no connection at hand, a certificate is required.
        current().is_none_or(|c| c.client_auth == CertAuth::Required)
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if let Some(chain) = self.chain.get_or_init(&self.make_chain) {
            chain.verify(end_entity, intermediates, now, Purpose::Client)?;
            check_host(end_entity, None)?;
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.sigs.tls12(message, cert, dss)?;
        self.record(dss);
        Ok(valid)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.sigs.tls13(message, cert, dss)?;
        self.record(dss);
        Ok(valid)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.sigs.schemes()
    }
}

/// A client's certificates (its config's chains): the first whose key can sign
/// with a scheme the server accepts is sent when the server asks. Records the
/// request and what was sent in the connection's context.
#[derive(Debug, Default)]
pub struct ClientCerts {
    pub certs: Vec<Arc<CertifiedKey>>,
}

impl ResolvesClientCert for ClientCerts {
    fn resolve(&self, _: &[&[u8]], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        let ctx = current();
        let chosen = self
            .certs
            .iter()
            .find_map(|c| c.key.choose_scheme(schemes).map(|s| (c, s.scheme())));
        // With client authentication off (or no connection at hand) nothing is sent.
        let chosen = chosen.filter(|_| {
            ctx.as_ref()
                .is_some_and(|c| c.client_auth != CertAuth::None)
        });
        if let Some(ctx) = &ctx {
            ctx.record(|r| {
                r.cert_requested = true;
                r.cert_sent = chosen.is_some();
                r.client_scheme = chosen.map(|(_, s)| s);
            });
        }
        chosen.map(|(c, _)| c.clone())
    }

    fn has_certs(&self) -> bool {
        !self.certs.is_empty()
    }
}
