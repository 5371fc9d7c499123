//! A connection (`s2n_connection`): drives a rustls connection over a transport with
//! s2n's non-blocking semantics: a call that cannot go on reports which direction it
//! is blocked on, and the same call made again continues where it stopped.

use std::ffi::CString;
use std::sync::Arc;

use once_cell::sync::Lazy;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection};

use crate::alpn::ProtocolList;
use crate::client_hello::callback::HelloCallbackState;
use crate::client_hello::ClientHello;
use crate::config::{no_server_name, Config};
use crate::error::{Error, ErrorCode, Result};
use crate::handshake_notes::Notes;
use crate::hello::{HelloInfo, HelloReader};
use crate::owner::Owner;
use crate::policy::{self, SecurityPolicy};
use crate::resumption::client::ClientResumption;
use crate::resumption::client_session::SessionInfo;
use crate::resumption::server::{ServerResumption, ServerSettings};
use crate::transport::{RecvHalf, SendHalf};
use crate::verify::{CertAuth, PeerContext, VerifyHost};

pub use client_hello::HelloSignal;
pub use secrets::{MASTER_SECRET_LEN, MAX_EXPORTER_LABEL_LEN};
pub use shared::{Claim, Exclusive, Pin, Shared, SharedCall};

mod client_hello;
#[cfg(test)]
mod client_hello_tests;
mod duplex;
mod early_data;
#[cfg(test)]
mod early_data_tests;
mod errors;
#[cfg(test)]
mod hello_request_tests;
mod inspect;
mod io;
mod keys;
pub(crate) mod negotiated;
mod offload;
mod peer;
#[cfg(test)]
mod peer_tests;
mod psk;
mod receive;
mod records;
mod secrets;
mod shared;
#[cfg(any(test, feature = "fuzzing"))]
pub mod testing;
#[cfg(test)]
mod tests;

/// Whether a connection is a server or a client (`s2n_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Server,
    Client,
}

/// What a blocked call waits for (`s2n_blocked_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Blocked {
    #[default]
    NotBlocked = 0,
    OnRead = 1,
    OnWrite = 2,
    OnApplicationInput = 3,
    OnEarlyData = 4,
}

/// Application callbacks owed by a step taken under a shared connection's lock,
/// run once it is released.
#[derive(Debug, Default)]
struct Deferred {
    /// The session ticket callback has tickets to see.
    tickets: bool,
    /// The session must leave the application's cache.
    forget: bool,
}

/// How the peer ended its side of the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerClose {
    CloseNotify,
    /// The transport ended without a close_notify alert.
    Abrupt,
}

/// The longest server name s2n accepts.
pub(crate) const MAX_SERVER_NAME: usize = 255;

/// A fatal decode_error alert record (RFC 8446 6: level 2, description 50).
const DECODE_ERROR_ALERT: [u8; 7] = [21, 3, 3, 0, 2, 2, 50];

/// A connection without a config uses this one, as s2n falls back to its default.
static DEFAULT_CONFIG: Lazy<Arc<Config>> = Lazy::new(|| Arc::new(Config::new()));

pub struct Connection {
    mode: Mode,
    config: Option<Arc<Config>>,
    recv: Option<Box<dyn RecvHalf>>,
    send: Option<Box<dyn SendHalf>>,
    tls: Option<rustls::Connection>,
    server_name: Option<CString>,
    /// The ClientHello: read by a server, written by a client.
    hello: HelloReader,
    hello_info: Option<HelloInfo>,
    wire_in: u64,
    wire_out: u64,
    alert: Option<u8>,
    /// The error that ended this connection; every later I/O call reports it.
    fatal: Option<Error>,
    blocked: Blocked,
    /// Bytes of the caller's current `send` buffer already given to rustls but not
    /// yet acknowledged to the caller (s2n's retry contract).
    unacked: usize,
    plaintext_pending: usize,
    close_notify_sent: bool,
    peer_close: Option<PeerClose>,
    /// The handshake's type, once it completed (and after_handshake ran).
    handshake_done: Option<inspect::HandshakeType>,
    /// Its s2n name, written the first time it is asked for.
    handshake_name: std::sync::OnceLock<CString>,
    /// TLS records taken from rustls and not yet all sent.
    out: Vec<u8>,
    out_sent: usize,
    /// Bytes read from the transport after the handshake that rustls has not
    /// taken yet (`in_pos..in_end`). Reads go to the thread's buffer and only what
    /// rustls leaves is kept here; reads come here while that buffer is in use.
    pending_in: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    /// Set while a call shared with another direction holds the connection's lock:
    /// then nothing may touch the transport or run an application callback; the
    /// callbacks wait in `deferred` until the lock is released.
    deferring: bool,
    deferred: Deferred,
    sizing: records::RecordSizing,
    /// `s2n_connection_request_key_update` was called.
    key_update_requested: bool,
    /// The most plaintext in each record of the current send.
    fragment: usize,
    /// Identifies this connection to the api layer (its handle's address).
    owner: Owner,
    /// The ServerHello: written by a server, read by a client.
    server_hello: HelloReader,
    server_hello_info: Option<HelloInfo>,
    server: ServerResumption,
    client: ClientResumption,
    /// What the handshake decided that rustls does not report (see `handshake_notes`).
    notes: Notes,
    /// A security policy for this connection only (`s2n_connection_set_cipher_preferences`).
    policy: Option<&'static SecurityPolicy>,
    /// This connection's application protocols, if set (else the config's).
    alpn: Option<ProtocolList>,
    /// Client authentication set on this connection (else the config's).
    client_auth: Option<CertAuth>,
    /// The verify-host callback set on this connection (else the config's).
    verify_host: Option<Arc<dyn VerifyHost>>,
    /// What verification needs from, and records about, this handshake.
    peer: Option<Arc<PeerContext>>,
    /// A server's rustls config, kept in case the ClientHello calls for another.
    server_tls: Option<Arc<rustls::ServerConfig>>,
    /// A server's first bytes from the client, kept until its ClientHello is read
    /// when the protocol choice may call for a new rustls connection.
    hello_bytes: Option<Vec<u8>>,
    /// The client's chain as s2n reports it, once the handshake is complete.
    client_cert_chain: Option<Vec<u8>>,
    early: crate::early_data::ConnEarlyData,
    /// A server's ClientHello, once read, and where it is with its callback.
    client_hello: Option<Arc<ClientHello>>,
    hello_cb: HelloCallbackState,
    /// The client hello callback's return and `s2n_client_hello_cb_done`, recorded
    /// without entering the connection; kept through wipes (the handle shares it).
    hello_signal: Arc<HelloSignal>,
    /// A processing step waiting for the application's private key operation.
    offload: offload::Offload,
    /// Key log lines, the master secret, the stapled OCSP response.
    secrets: secrets::HandshakeSecrets,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("mode", &self.mode)
            .field("handshake", &self.handshake_done)
            .finish_non_exhaustive()
    }
}

impl Connection {
    #[inline(always)]
    pub fn new(mode: Mode) -> Self {
        Self::with_signal(mode, Self::new_signal(mode))
    }

    /// The client hello callback signal for a new connection in `mode`, for
    /// [`Connection::with_signal`] (the C handle keeps it too).
    pub fn new_signal(mode: Mode) -> Arc<HelloSignal> {
        client_hello::new_signal(mode)
    }

    /// A new connection recording its client hello callback's outcome on
    /// `hello_signal` (from [`Connection::new_signal`]).
    #[inline(always)]
    pub fn with_signal(mode: Mode, hello_signal: Arc<HelloSignal>) -> Self {
        Connection {
            mode,
            config: None,
            recv: None,
            send: None,
            tls: None,
            server_name: None,
            hello: match mode {
                Mode::Server => HelloReader::client_hello(),
                Mode::Client => HelloReader::sent_client_hello(),
            },
            hello_info: None,
            wire_in: 0,
            wire_out: 0,
            alert: None,
            fatal: None,
            blocked: Blocked::NotBlocked,
            unacked: 0,
            plaintext_pending: 0,
            close_notify_sent: false,
            peer_close: None,
            handshake_done: None,
            handshake_name: std::sync::OnceLock::new(),
            out: Vec::new(),
            out_sent: 0,
            pending_in: Vec::new(),
            in_pos: 0,
            in_end: 0,
            deferring: false,
            deferred: Deferred::default(),
            sizing: records::RecordSizing::default(),
            key_update_requested: false,
            fragment: records::LARGE_FRAGMENT,
            owner: Owner::NONE,
            server_hello: HelloReader::server_hello(),
            server_hello_info: None,
            server: ServerResumption::default(),
            client: ClientResumption::default(),
            notes: Notes::default(),
            policy: None,
            alpn: None,
            client_auth: None,
            verify_host: None,
            peer: None,
            server_tls: None,
            hello_bytes: None,
            client_cert_chain: None,
            early: Default::default(),
            client_hello: None,
            hello_cb: HelloCallbackState::default(),
            hello_signal,
            offload: offload::Offload::default(),
            secrets: Default::default(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Forgets everything but the mode, the config and the owner, so the connection
    /// can be reused.
    pub fn wipe(&mut self) {
        let config = self.config.take();
        let owner = self.owner;
        // The handle shares the signal: kept, reset.
        let hello_signal = Arc::clone(&self.hello_signal);
        hello_signal.reset();
        *self = Connection::with_signal(self.mode, hello_signal);
        self.config = config;
        self.owner = owner;
    }

    /// Tells the connection how the api layer names it in callbacks.
    pub fn set_owner(&mut self, owner: Owner) {
        self.owner = owner;
    }

    fn server_only(&self, what: &str) -> Result<()> {
        if self.mode != Mode::Server {
            return Err(Error::new(
                ErrorCode::NotInClientMode,
                format!("{what} is for servers"),
            ));
        }
        Ok(())
    }

    fn client_only(&self, what: &str) -> Result<()> {
        if self.mode != Mode::Client {
            return Err(Error::new(
                ErrorCode::NotInServerMode,
                format!("{what} is for clients"),
            ));
        }
        Ok(())
    }

    /// `s2n_connection_add_new_tickets_to_send`: more TLS1.3 tickets after this
    /// handshake. rustls sends tickets only with the handshake and fixes their
    /// number when it reads the ClientHello, so tickets must be added before the
    /// first `negotiate`. rustls sends them as one flight, and a rustls client (an
    /// rs2n client too) takes at most 64 KiB of it: about 300 rs2n tickets. More
    /// fail that client with S2N_ERR_BAD_MESSAGE; s2n-tls clients read them all.
    pub fn add_new_tickets(&mut self, count: u8) -> Result<()> {
        if self.tls.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "rs2n can add tickets only before s2n_negotiate is first called: rustls sends tickets with the handshake only",
            ));
        }
        self.server.add_new_tickets(count);
        Ok(())
    }

    /// `s2n_connection_get_tickets_sent`.
    pub fn tickets_sent(&self) -> Result<u16> {
        self.server_only("s2n_connection_get_tickets_sent")?;
        Ok(self.server.tickets_sent())
    }

    /// `s2n_connection_set_server_keying_material_lifetime`.
    pub fn set_keying_material_lifetime(&mut self, secs: u32) {
        self.server.set_keying_material_lifetime(secs);
    }

    /// `s2n_connection_set_session`: offers a saved session on the next handshake.
    pub fn set_session(&mut self, bytes: &[u8]) -> Result<()> {
        self.client_only("s2n_connection_set_session")?;
        self.not_started("the session")?;
        self.client.set_session(bytes)
    }

    /// The session to save for a later connection, once there is one.
    pub fn session(&self) -> Option<SessionInfo> {
        self.client.session()
    }

    /// `f` on that session, without a copy; `f` must take no lock.
    pub fn with_session<T>(&self, f: impl FnOnce(Option<&SessionInfo>) -> T) -> T {
        self.client.with_session(f)
    }

    /// `s2n_connection_get_session_ticket_lifetime_hint`.
    pub fn session_ticket_lifetime_hint(&self) -> Result<u32> {
        self.client.ticket_lifetime_hint()
    }

    /// The key of this connection's session in the server's cache, if any.
    pub fn cached_session_key(&self) -> Option<Vec<u8>> {
        self.server.cached_session_key()
    }

    fn not_started(&self, what: &str) -> Result<()> {
        if self.tls.is_some() && !self.in_hello_callback() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!("{what} cannot change once the handshake has started; wipe the connection first"),
            ));
        }
        Ok(())
    }

    pub fn set_config(&mut self, config: Arc<Config>) -> Result<()> {
        self.not_started("the config")?;
        self.hello_signal.set_config(Some(Arc::clone(&config)));
        self.config = Some(config);
        Ok(())
    }

    pub fn config(&self) -> Arc<Config> {
        self.config
            .clone()
            .unwrap_or_else(|| DEFAULT_CONFIG.clone())
    }

    pub fn set_recv(&mut self, recv: Box<dyn RecvHalf>) {
        self.recv = Some(recv);
    }

    pub fn set_send(&mut self, send: Box<dyn SendHalf>) {
        self.send = Some(send);
    }

    /// The receiving half set, to change in place.
    pub fn recv_half_mut(&mut self) -> Option<&mut (dyn RecvHalf + 'static)> {
        self.recv.as_deref_mut()
    }

    /// The sending half set, to change in place.
    pub fn send_half_mut(&mut self) -> Option<&mut (dyn SendHalf + 'static)> {
        self.send.as_deref_mut()
    }

    pub fn set_server_name(&mut self, name: &str) -> Result<()> {
        if self.mode != Mode::Client {
            return Err(Error::new(
                ErrorCode::NotInServerMode,
                "s2n_set_server_name is for clients; a server reads the client's name with s2n_get_server_name",
            ));
        }
        if name.len() > MAX_SERVER_NAME {
            return Err(Error::new(
                ErrorCode::ServerNameTooLong,
                format!(
                    "server name is {} bytes; at most {MAX_SERVER_NAME} are allowed",
                    name.len()
                ),
            ));
        }
        self.not_started("the server name")?;
        let name =
            CString::new(name).map_err(|_| Error::usage("server name contains a NUL byte"))?;
        self.server_name = Some(name);
        Ok(())
    }

    fn check_usable(&self) -> Result<()> {
        match &self.fatal {
            Some(e) => Err(Error::new(
                e.code,
                format!(
                    "the connection failed earlier and must be wiped or freed: {}",
                    e.message
                ),
            )),
            None => Ok(()),
        }
    }

    /// Fails the connection with `error` (the C layer's report of a call that
    /// panicked): every later I/O call reports it until the connection is wiped.
    pub fn mark_failed(&mut self, error: Error) {
        self.fail(error);
    }

    /// Records a fatal error. A session this connection put in or took from the
    /// cache is deleted from it, as in s2n.
    fn fail(&mut self, error: Error) -> Error {
        // A step waiting for the application stops (its worker is joined).
        self.offload = offload::Offload::default();
        self.fatal = Some(error.clone());
        self.forget_session();
        error
    }

    /// Deletes this connection's session from the application's cache (now, or once
    /// the lock is released when callbacks are deferred).
    fn forget_session(&mut self) {
        if self.deferring {
            self.deferred.forget = true;
        } else {
            self.server.forget_session();
        }
    }

    fn ensure_tls(&mut self) -> Result<()> {
        if self.tls.is_some() {
            return Ok(());
        }
        if self.recv.is_none() || self.send.is_none() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the connection has no I/O: call s2n_connection_set_fd or set the send and recv callbacks",
            ));
        }
        let config = self.config();
        self.peer = Some(Arc::new(self.peer_context(&config)));
        let tls: rustls::Connection = match self.mode {
            Mode::Server => {
                // rustls asks the verifier whether to keep the transcript for client
                // authentication as it makes the connection.
                let tls_config = self.server_tls_config_alpn(&config)?;
                peer::with_peer(self.peer.as_ref(), || ServerConnection::new(tls_config))
                    .map_err(|e| {
                        Error::new(ErrorCode::Internal, format!("cannot start the server: {e}"))
                    })?
                    .into()
            }
            Mode::Client => {
                let name = match &self.server_name {
                    Some(n) => {
                        ServerName::try_from(n.to_string_lossy().into_owned()).map_err(|_| {
                            Error::usage(format!(
                                "server name {:?} is neither a DNS name nor an IP address",
                                n.to_string_lossy()
                            ))
                        })?
                    }
                    None => no_server_name(),
                };
                ClientConnection::new(self.client_tls_config(&config)?, name)
                    .map_err(|e| {
                        Error::new(ErrorCode::Internal, format!("cannot start the client: {e}"))
                    })?
                    .into()
            }
        };
        self.tls = Some(tls);
        Ok(())
    }

    /// The server's rustls config, with this connection's resumption hooks.
    fn server_tls_config(&mut self, config: &Config) -> Result<Arc<rustls::ServerConfig>> {
        let base = match self.policy {
            Some(policy) => config.server_config_with(policy)?,
            None => config.server_config()?,
        };
        // As s2n-tls: with client authentication on, a server neither issues nor
        // accepts tickets or cached sessions (a resumed handshake has no client
        // certificate to show). The base config resumes nothing.
        if self
            .peer
            .as_ref()
            .is_some_and(|p| p.client_auth != CertAuth::None)
        {
            return Ok(base);
        }
        let s = config.settings();
        if !s.session_tickets && s.session_cache.is_none() {
            return Ok(base);
        }
        let settings = ServerSettings {
            keys: config.ticket_keys(),
            clock: s.wall_clock.clone(),
            session_tickets: s.session_tickets,
            require_forward_secrecy: s.require_ticket_forward_secrecy,
            cache: s.session_cache.clone(),
            initial_ticket_count: s.initial_ticket_count,
            owner: self.owner,
            early_data: (
                self.early.server_max(&s.early_data),
                self.early.context.clone(),
            ),
        };
        Ok(self.server.tls_config(base, settings))
    }

    /// The client's rustls config, with this connection's session store.
    fn client_tls_config(&mut self, config: &Config) -> Result<Arc<rustls::ClientConfig>> {
        let mut base = match self.policy {
            Some(policy) => config.client_config_with(policy)?,
            None => config.client_config()?,
        };
        if let Some(alpn) = &self.alpn {
            let mut c = rustls::ClientConfig::clone(&base);
            c.alpn_protocols = alpn.names().to_vec();
            base = Arc::new(c);
        }
        let s = config.settings();
        if self.early.expected {
            let mut c = rustls::ClientConfig::clone(&base);
            c.enable_early_data = true;
            base = Arc::new(c);
        }
        Ok(self.client.tls_config(
            &base,
            s.session_tickets,
            s.require_ticket_forward_secrecy,
            s.wall_clock.clone(),
            s.ticket_callback.clone(),
        ))
    }

    /// Whether a server will negotiate TLS1.3 with the client that sent `hello`.
    fn tls13_with(&self, hello: &HelloInfo) -> bool {
        hello.max_version >= policy::S2N_TLS13 && self.policy_max_version() >= policy::S2N_TLS13
    }

    /// Work on the cleartext hellos before rustls processes them: a server's cache
    /// lookup (blocked on application input while the callback is not done) and
    /// ticket preview; what a client's session store must know.
    fn before_processing(&mut self) -> Result<()> {
        match self.mode {
            Mode::Server => {
                if let Some(Err(m)) = self.hello.outcome() {
                    // Nothing of a malformed hello reaches the application or rustls.
                    let e = Error::new(
                        ErrorCode::BadMessage,
                        format!("the client sent a malformed ClientHello: {m}"),
                    );
                    return Err(self.refuse(e));
                }
                let Some(hello) = self.hello_info.take() else {
                    return Ok(());
                };
                let step = self.hello_step(&hello);
                self.hello_info = Some(hello);
                step?;
                let Some(hello) = self.hello_info.take() else {
                    return Ok(());
                };
                if let Err(e) = self.choose_protocol(&hello) {
                    return Err(self.fail(e));
                }
                let tls13 = self.tls13_with(&hello);
                let done = self.server.cache_lookup(&hello, tls13);
                if done {
                    self.server.preview_ticket(&hello, tls13);
                }
                let early = tls13 && hello.early_data;
                self.hello_info = Some(hello);
                if !done {
                    self.blocked = Blocked::OnApplicationInput;
                    return Err(Error::code(ErrorCode::AsyncBlocked));
                }
                if early {
                    self.decide_early_data()?;
                }
            }
            Mode::Client => self
                .client
                .note_wire(self.hello_info.as_ref(), self.server_hello_info.as_ref()),
        }
        Ok(())
    }

    /// Fails the connection on bytes refused before rustls saw them, telling the
    /// peer with a fatal decode_error alert (in the clear: no key exists yet).
    fn refuse(&mut self, error: Error) -> Error {
        self.out.extend_from_slice(&DECODE_ERROR_ALERT);
        // The error stands whether or not the transport takes the alert now.
        let _ = self.flush();
        self.fail(error)
    }

    /// Hands the tickets received so far to the application's callback.
    fn report_tickets(&mut self) -> Result<()> {
        if self.deferring {
            self.deferred.tickets = true;
            return Ok(());
        }
        if let Err(e) = self.client.report_tickets(self.owner) {
            return Err(self.fail(e));
        }
        Ok(())
    }

    /// `s2n_negotiate`: runs the handshake until it completes or blocks.
    pub fn negotiate(&mut self) -> Result<()> {
        self.not_in_callback("s2n_negotiate")?;
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        if self.close_notify_sent && !self.is_handshake_complete() {
            return Err(Error::new(
                ErrorCode::Closed,
                "s2n_negotiate after s2n_shutdown: the connection is closed",
            ));
        }
        if self.offload.running() {
            // The application's private key operation may be done.
            self.resume_step()?;
            self.report_tickets()?;
        }
        self.ensure_tls()?;
        if (self.server.lookup_pending()
            || self.hello_callback_holds()
            || self.early_decision_pending())
            && self.hello_info.is_some()
        {
            // The client hello callback, a cache lookup or the early data callback
            // was waiting: ask again, then let rustls go on.
            self.before_processing()?;
            self.process()?;
        }
        loop {
            self.flush()?;
            if self.is_handshake_complete() {
                if self.handshake_done.is_none() {
                    if let Err(e) = self.after_handshake() {
                        return Err(self.fail(e));
                    }
                    self.handshake_done = Some(self.handshake_type());
                }
                return Ok(());
            }
            if !self.read_more()? {
                let e = Error::new(
                    ErrorCode::Closed,
                    "the peer closed the connection during the handshake",
                );
                return Err(self.fail(e));
            }
        }
    }
}
