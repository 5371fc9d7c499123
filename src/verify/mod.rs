//! Certificate verification as s2n does it: the chain against the trust store
//! (webpki), with s2n's switches (maximum chain depth, validity dates, intent), and
//! the host check (the application's verify-host callback, or s2n's default).
//!
//! rustls calls its verifiers with no connection at hand, and a client's verifier is
//! shared by configs (see `trust::shared_verifier`), so what one handshake brings
//! (its host callback, the name the client asked for) and what it learns (the client
//! certificate's signature scheme, whether a certificate was asked for) travel in a
//! [`PeerContext`] set for the thread while rustls processes that connection's bytes.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::{CertificateError, OtherError, SignatureScheme};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, KeyUsage};

use crate::ocsp::{der_sequence, Issuer};
use crate::sync;

pub mod host;
pub mod peer;

pub use host::{HostRule, VerifyHost};

/// cbindgen:ignore
/// s2n's default maximum number of certificates in a peer's chain.
pub const DEFAULT_MAX_CHAIN_DEPTH: u16 = 7;

/// s2n's switches for chain verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainPolicy {
    /// The most certificates the peer may send (`s2n_config_set_max_cert_chain_depth`).
    pub max_depth: u16,
    /// Validity dates checked (`s2n_config_disable_x509_time_verification` clears it).
    pub check_time: bool,
    /// Extended key usage checked (`s2n_config_disable_x509_intent_verification`).
    pub check_intent: bool,
}

impl Default for ChainPolicy {
    fn default() -> Self {
        ChainPolicy {
            max_depth: DEFAULT_MAX_CHAIN_DEPTH,
            check_time: true,
            check_intent: true,
        }
    }
}

impl ChainPolicy {
    /// What makes two policies verify differently, for the shared verifier's key.
    pub fn key_bytes(&self) -> [u8; 4] {
        let [a, b] = self.max_depth.to_be_bytes();
        [a, b, u8::from(self.check_time), u8::from(self.check_intent)]
    }
}

/// What a certificate is presented for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A server's certificate, verified by a client.
    Server,
    /// A client's certificate, verified by a server.
    Client,
}

/// The peer sent more certificates than the maximum chain depth.
#[derive(Debug)]
pub struct ChainTooLong {
    pub sent: usize,
    pub max: u16,
}

impl std::fmt::Display for ChainTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the peer sent {} certificates; the maximum chain depth is {}",
            self.sent, self.max
        )
    }
}

impl std::error::Error for ChainTooLong {}

/// The extended key usage check: the purpose, if the certificate names purposes
/// (s2n's intent check), or none at all.
struct Intent(Option<KeyUsage>);

impl ExtendedKeyUsageValidator for Intent {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        match &self.0 {
            Some(usage) => usage.validate(iter),
            None => Ok(()),
        }
    }
}

/// Verifies chains against trust anchors under a policy.
#[derive(Debug)]
pub struct ChainVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    algs: &'static [&'static dyn rustls::pki_types::SignatureVerificationAlgorithm],
    policy: ChainPolicy,
}

impl ChainVerifier {
    pub fn new(
        anchors: Vec<TrustAnchor<'static>>,
        algs: &'static [&'static dyn rustls::pki_types::SignatureVerificationAlgorithm],
        policy: ChainPolicy,
    ) -> Self {
        ChainVerifier {
            anchors,
            algs,
            policy,
        }
    }

    /// The signature algorithms it accepts.
    pub fn algs(
        &self,
    ) -> &'static [&'static dyn rustls::pki_types::SignatureVerificationAlgorithm] {
        self.algs
    }

    /// Verifies that `end_entity` chains to a trust anchor through `intermediates`
    /// for `purpose`, at `now` (or, with date checks off, at some instant at which
    /// every certificate of the chain is valid). Returns the issuer of
    /// `end_entity` on the verified path (for its stapled OCSP response).
    pub fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
        purpose: Purpose,
    ) -> Result<Issuer, rustls::Error> {
        let sent = 1 + intermediates.len();
        if sent > usize::from(self.policy.max_depth) {
            let e = ChainTooLong {
                sent,
                max: self.policy.max_depth,
            };
            return Err(CertificateError::Other(OtherError(Arc::new(e))).into());
        }
        if self.anchors.is_empty() {
            return Err(CertificateError::UnknownIssuer.into());
        }
        let cert = EndEntityCert::try_from(end_entity).map_err(pki_error)?;
        let usage = match (self.policy.check_intent, purpose) {
            (false, _) => Intent(None),
            (true, Purpose::Server) => Intent(Some(KeyUsage::server_auth())),
            (true, Purpose::Client) => Intent(Some(KeyUsage::client_auth())),
        };
        let verify_at = |time: UnixTime| {
            cert.verify_for_usage(
                self.algs,
                &self.anchors,
                intermediates,
                time,
                &usage,
                None,
                None,
            )
            .map(|path| issuer_of(&path))
        };
        if self.policy.check_time {
            return verify_at(now).map_err(pki_error);
        }
        // Dates off: s2n (OpenSSL's NO_CHECK_TIME) ignores them. Verifying at
        // another instant changes nothing but the date checks (no revocation lists
        // are used), so moving to a date the failing certificate was valid on, until
        // the whole chain is valid at once, accepts exactly the chains s2n accepts
        // whose certificates were ever valid together; a chain whose dates never
        // overlap is refused, nothing else.
        let mut time = now;
        let mut tried = Vec::new();
        loop {
            let next = match verify_at(time) {
                Err(webpki::Error::CertExpired { not_after, .. }) => not_after,
                Err(webpki::Error::CertNotValidYet { not_before, .. }) => not_before,
                other => return other.map_err(pki_error),
            };
            tried.push(time);
            if tried.contains(&next) || tried.len() > 2 * sent + 2 {
                return verify_at(time).map_err(pki_error);
            }
            time = next;
        }
    }
}

/// The issuer of a verified path's end entity.
fn issuer_of(path: &webpki::VerifiedPath<'_>) -> Issuer {
    match path.intermediate_certificates().next() {
        Some(cert) => Issuer {
            subject: der_sequence(cert.subject()),
            spki: cert.subject_public_key_info().as_ref().to_vec(),
        },
        None => Issuer {
            subject: der_sequence(path.anchor().subject.as_ref()),
            spki: der_sequence(path.anchor().subject_public_key_info.as_ref()),
        },
    }
}

/// webpki's verdict as rustls' error, as rustls' own verifiers report it.
fn pki_error(e: webpki::Error) -> rustls::Error {
    use webpki::Error as W;
    use CertificateError as C;
    let c = match e {
        W::BadDer | W::BadDerTime | W::TrailingData(_) => C::BadEncoding,
        W::CertExpired { time, not_after } => C::ExpiredContext { time, not_after },
        W::CertNotValidYet { time, not_before } => C::NotValidYetContext { time, not_before },
        W::CertRevoked => C::Revoked,
        W::UnknownIssuer => C::UnknownIssuer,
        W::CertNotValidForName(_) => C::NotValidForName,
        W::InvalidSignatureForPublicKey
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => C::BadSignature,
        W::RequiredEkuNotFoundContext(_) => C::InvalidPurpose,
        other => C::Other(OtherError(Arc::new(other))),
    };
    c.into()
}

/// Client authentication (`s2n_cert_auth_type`), with s2n's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertAuth {
    /// A server asks for no certificate; a client refuses to be asked.
    None = 0,
    /// A server requires a certificate; a client requires being asked.
    Required = 1,
    /// A server asks and accepts none; a client answers if it has one.
    Optional = 2,
}

impl CertAuth {
    pub fn from_value(v: i32) -> Option<Self> {
        [CertAuth::None, CertAuth::Required, CertAuth::Optional]
            .into_iter()
            .find(|a| *a as i32 == v)
    }
}

/// What the client certificate exchange showed, recorded as rustls goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The scheme of the client's CertificateVerify (server: as received; client:
    /// as chosen for its key).
    pub client_scheme: Option<SignatureScheme>,
    /// Client: the server sent a CertificateRequest.
    pub cert_requested: bool,
    /// Client: a certificate was sent in answer.
    pub cert_sent: bool,
}

/// One connection's part in verification, visible to the verifiers while rustls
/// processes that connection's bytes (see the module doc).
#[derive(Debug)]
pub struct PeerContext {
    /// Client authentication in force on this connection.
    pub client_auth: CertAuth,
    host: Mutex<HostRule>,
    recorded: Mutex<Recorded>,
}

impl PeerContext {
    pub fn new(host: HostRule, client_auth: CertAuth) -> Self {
        PeerContext {
            client_auth,
            host: Mutex::new(host),
            recorded: Mutex::new(Recorded::default()),
        }
    }

    /// A server's default host check learns the name the client asked for.
    /// Without client authentication no client certificate is asked for, so no
    /// host check runs: the name is not kept (no copy per handshake).
    pub fn set_client_sni(&self, sni: &str) {
        if self.client_auth == CertAuth::None {
            return;
        }
        let mut host = sync::lock(&self.host);
        if let HostRule::ClientSni(None) = &*host {
            *host = HostRule::ClientSni(Some(sni.to_string()));
        }
    }

    pub fn host(&self) -> HostRule {
        sync::lock(&self.host).clone()
    }

    pub fn recorded(&self) -> Recorded {
        *sync::lock(&self.recorded)
    }

    pub fn record(&self, change: impl FnOnce(&mut Recorded)) {
        change(&mut sync::lock(&self.recorded));
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<PeerContext>>> = const { RefCell::new(None) };
}

/// Runs `f` (rustls processing one connection's bytes) with `ctx` visible to the
/// verifiers on this thread.
pub fn within<T>(ctx: &Arc<PeerContext>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<PeerContext>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT
        .try_with(|c| c.borrow_mut().replace(ctx.clone()))
        .ok()
        .flatten();
    let _restore = Restore(previous);
    f()
}

/// The context of the connection being processed on this thread.
pub(crate) fn current() -> Option<Arc<PeerContext>> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// The host check of the current connection. Outside a connection's processing
/// (rustls driven directly with a config's rustls configs) the defaults apply: a
/// server's certificate must be valid for the server name; a client's is refused.
pub(crate) fn check_host(
    end_entity: &CertificateDer<'_>,
    server_name: Option<&ServerName<'_>>,
) -> Result<(), rustls::Error> {
    match current() {
        // The rule is cloned so that no lock is held while a callback runs.
        Some(ctx) => ctx.host().check(end_entity, server_name),
        None if server_name.is_some() => HostRule::ServerName.check(end_entity, server_name),
        None => HostRule::ClientSni(None).check(end_entity, None),
    }
}

#[cfg(test)]
mod tests;
