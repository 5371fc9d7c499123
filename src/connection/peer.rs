//! What a connection negotiates about its peer beyond the keys: the application
//! protocol (ALPN), client authentication and the peer's certificate checks.

use std::sync::Arc;

use rustls::{HandshakeKind, ServerConnection, SignatureScheme};

use super::{Connection, Mode};
use crate::alpn::ProtocolList;
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::hello::HelloInfo;
use crate::verify::{CertAuth, HostRule, PeerContext, VerifyHost};

/// The longest client chain s2n reports (its 3-byte length prefix's range).
const MAX_CHAIN_LEN: usize = 0xff_ffff;

impl Connection {
    /// `s2n_connection_set_protocol_preferences` / `_append_protocol_preference`:
    /// this connection's own list, replacing the config's.
    pub fn set_protocol_preferences(&mut self, list: ProtocolList) -> Result<()> {
        self.not_started("the application protocols")?;
        self.alpn = Some(list);
        Ok(())
    }

    pub fn append_protocol_preference(&mut self, name: &[u8]) -> Result<()> {
        self.not_started("the application protocols")?;
        // As s2n: appending to a connection without its own list starts one.
        let mut list = self.alpn.clone().unwrap_or_default();
        list.append(name)?;
        self.alpn = Some(list);
        Ok(())
    }

    /// The list in force: the connection's, else its config's.
    pub(super) fn protocol_list(&self) -> ProtocolList {
        match &self.alpn {
            Some(list) if !list.is_empty() => list.clone(),
            _ => self.config().settings().alpn.clone(),
        }
    }

    /// The negotiated application protocol, if any; inside the early-data
    /// callback (before rustls has processed the ClientHello), the one the server
    /// will choose.
    pub fn application_protocol(&self) -> Option<&[u8]> {
        self.deciding_protocol()
            .or_else(|| self.tls.as_ref()?.alpn_protocol())
    }

    pub fn set_client_auth(&mut self, auth: CertAuth) {
        self.client_auth = Some(auth);
    }

    /// Client authentication in force: the connection's, the config's, else s2n's
    /// default (a client answers a request, a server asks for nothing).
    pub fn client_auth(&self) -> CertAuth {
        if let (None, Some(peer)) = (self.client_auth, &self.peer) {
            return peer.client_auth;
        }
        self.client_auth_with(self.config().settings().client_auth)
    }

    /// Client authentication given the config's setting.
    fn client_auth_with(&self, config_auth: Option<CertAuth>) -> CertAuth {
        self.client_auth.or(config_auth).unwrap_or(match self.mode {
            Mode::Client => CertAuth::Optional,
            Mode::Server => CertAuth::None,
        })
    }

    /// `s2n_connection_set_verify_host_callback`; None goes back to the config's.
    pub fn set_verify_host(&mut self, callback: Option<Arc<dyn VerifyHost>>) -> Result<()> {
        self.not_started("the verify host callback")?;
        self.verify_host = callback;
        Ok(())
    }

    /// This handshake's part in verification.
    pub(super) fn peer_context(&self, config: &Config) -> PeerContext {
        let settings = config.settings();
        let callback = self
            .verify_host
            .clone()
            .or_else(|| settings.verify_host.clone());
        let client_auth = self.client_auth_with(settings.client_auth);
        let host = match (callback, self.mode) {
            (Some(f), _) => HostRule::Callback(f),
            (None, Mode::Client) => HostRule::ServerName,
            (None, Mode::Server) => HostRule::ClientSni(None),
        };
        PeerContext::new(host, client_auth)
    }

    /// A server's rustls config with this connection's protocols; the first bytes
    /// are kept when the ClientHello may call for another (see `choose_protocol`).
    pub(super) fn server_tls_config_alpn(
        &mut self,
        config: &Config,
    ) -> Result<Arc<rustls::ServerConfig>> {
        let mut tls = self.server_tls_config(config)?;
        if let Some(list) = self.alpn.as_ref().filter(|l| !l.is_empty()) {
            let mut c = rustls::ServerConfig::clone(&tls);
            c.alpn_protocols = list.names().to_vec();
            tls = Arc::new(c);
        }
        if !tls.alpn_protocols.is_empty() || self.hello_callback_set() {
            self.hello_bytes = Some(Vec::new());
        }
        self.server_tls = Some(tls.clone());
        Ok(tls)
    }

    /// The server's protocol choice, as s2n makes it: its first protocol the client
    /// offers; with none in common, no protocol and the handshake goes on. rustls
    /// would refuse that handshake (no_application_protocol), so the rustls
    /// connection, which has read but not yet processed the ClientHello, is made
    /// again with no protocols and given the same bytes.
    pub(super) fn choose_protocol(&mut self, hello: &HelloInfo) -> Result<()> {
        let Some(bytes) = self.hello_bytes.take() else {
            return Ok(());
        };
        let (Some(offered), Some(base)) = (&hello.alpn, &self.server_tls) else {
            return Ok(());
        };
        if self.protocol_list().select(offered).is_some() {
            return Ok(());
        }
        let mut c = rustls::ServerConfig::clone(base);
        c.alpn_protocols.clear();
        let c = Arc::new(c);
        let mut tls = with_peer(self.peer.as_ref(), || ServerConnection::new(c)).map_err(|e| {
            Error::new(ErrorCode::Internal, format!("cannot start the server: {e}"))
        })?;
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            tls.read_tls(&mut rest).map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot hand the ClientHello over: {e}"),
                )
            })?;
        }
        self.tls = Some(tls.into());
        Ok(())
    }

    /// A client's checks of client authentication, after rustls processed the
    /// server's bytes and before the client's answer is sent: a request with
    /// client authentication off, none (or nothing to send) with it required.
    pub(super) fn check_client_auth(&self) -> Result<()> {
        let (Mode::Client, Some(peer), Some(tls)) = (self.mode, &self.peer, &self.tls) else {
            return Ok(());
        };
        let recorded = peer.recorded();
        let full = tls
            .handshake_kind()
            .is_some_and(|k| k != HandshakeKind::Resumed);
        match peer.client_auth {
            CertAuth::None if recorded.cert_requested => {
                Err(Error::code(ErrorCode::UnexpectedCertRequest))
            }
            CertAuth::Required if recorded.cert_requested && !recorded.cert_sent => Err(Error::new(
                ErrorCode::MissingClientCert,
                "client authentication is required and the config has no certificate the server accepts",
            )),
            // The server's flight is in when the client answers it: in TLS1.2 its
            // first answer (after ServerHelloDone), in TLS1.3 its Finished.
            CertAuth::Required
                if full
                    && !recorded.cert_requested
                    && (!tls.is_handshaking()
                        || (tls.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_2)
                            && tls.wants_write())) =>
            {
                Err(Error::code(ErrorCode::NoClientAuthRequest))
            }
            _ => Ok(()),
        }
    }

    /// Keeps a server's view of the client's chain for `client_cert_chain`.
    pub(super) fn after_handshake(&mut self) -> Result<()> {
        let full = !self.is_resumed();
        if self.mode == Mode::Server && full {
            if let Some(certs) = self.tls.as_ref().and_then(|t| t.peer_certificates()) {
                let mut chain = Vec::new();
                for cert in certs {
                    let len = cert.len().to_be_bytes();
                    chain.extend_from_slice(&len[len.len() - 3..]);
                    chain.extend_from_slice(cert);
                }
                if chain.len() <= MAX_CHAIN_LEN && !chain.is_empty() {
                    self.client_cert_chain = Some(chain);
                }
            }
        }
        Ok(())
    }

    /// `s2n_connection_client_cert_used`: client authentication took place in this
    /// (full) handshake and a certificate was sent. As in s2n, a resumed handshake
    /// reports false.
    pub fn client_cert_used(&self) -> bool {
        if !self.is_handshake_complete()
            || self.tls.as_ref().and_then(|t| t.handshake_kind()) == Some(HandshakeKind::Resumed)
        {
            return false;
        }
        match self.mode {
            Mode::Server => self.client_cert_chain.is_some(),
            Mode::Client => self.peer.as_ref().is_some_and(|p| p.recorded().cert_sent),
        }
    }

    /// `s2n_connection_get_client_cert_chain`: on a server, the client's chain as
    /// sent (each DER certificate after a 3-byte length).
    pub fn client_cert_chain(&self) -> Result<&[u8]> {
        self.client_cert_chain.as_deref().ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidState,
                "no client certificate chain: the handshake is not complete, was resumed, or the client sent none (or this is a client)",
            )
        })
    }

    /// The scheme of the client's CertificateVerify, if one was sent or received.
    pub fn client_cert_scheme(&self) -> Option<SignatureScheme> {
        if !self.client_cert_used() {
            return None;
        }
        self.peer.as_ref()?.recorded().client_scheme
    }
}

/// Runs `f` (rustls processing) with the connection's verification context.
pub(super) fn with_peer<T>(peer: Option<&Arc<PeerContext>>, f: impl FnOnce() -> T) -> T {
    match peer {
        Some(peer) => crate::verify::within(peer, f),
        None => f(),
    }
}
