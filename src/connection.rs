//! A connection (`s2n_connection`): drives a rustls connection over a transport with
//! s2n's non-blocking semantics: a call that cannot go on reports which direction it
//! is blocked on, and the same call made again continues where it stopped.

use std::ffi::CString;
use std::io::{self, Read, Write};
use std::sync::Arc;

use once_cell::sync::Lazy;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, HandshakeKind, ServerConnection};

use crate::hello::{s2n_version, HelloInfo, HelloReader, Tls12TicketScanner};
use crate::config::{no_server_name, Config, SessionTicketCallback};
use crate::error::{Error, ErrorCode, Result};
use crate::policy;
use crate::resumption::cache::{CacheTickets, ConnCache};
use crate::resumption::client_session::{self, ConnSessions, SessionInfo, SessionRef, WireFacts};
use crate::resumption::ticketer::{ConnTicketer, DEFAULT_KEYING_MATERIAL_LIFETIME_SECS};
use crate::transport::{Recv, Send_};

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

/// The most plaintext put in one record; a write is acknowledged record by record.
const MAX_RECORD_PLAINTEXT: usize = 16 * 1024;

/// A connection without a config uses this one, as s2n falls back to its default.
static DEFAULT_CONFIG: Lazy<Arc<Config>> = Lazy::new(|| Arc::new(Config::new()));

pub struct Connection {
    mode: Mode,
    config: Option<Arc<Config>>,
    recv: Option<Box<dyn Recv>>,
    send: Option<Box<dyn Send_>>,
    tls: Option<rustls::Connection>,
    server_name: Option<CString>,
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
    handshake_name: Option<CString>,
    /// TLS records taken from rustls and not yet all sent.
    out: Vec<u8>,
    out_sent: usize,
    /// Identifies this connection to the api layer (its handle's address).
    owner: usize,
    server_hello: HelloReader,
    server_hello_info: Option<HelloInfo>,
    ticketer: Option<Arc<ConnTicketer>>,
    sessions: Option<Arc<ConnSessions>>,
    ticket_callback: Option<Arc<dyn SessionTicketCallback>>,
    keying_material_lifetime: u32,
    extra_tickets: u16,
    offered: Option<(SessionRef, Vec<u8>)>,
    /// A client's reading of the server's cleartext TLS1.2 flight.
    ticket_scanner: Tls12TicketScanner,
    cache: Option<Arc<ConnCache>>,
    /// TLS1.3 cache tickets (cache on, tickets off).
    cache_tickets: Option<Arc<CacheTickets>>,
    /// The cache lookup for this ClientHello is done (hit or miss).
    cache_looked_up: bool,
    ticket_previewed: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("mode", &self.mode)
            .field("handshake", &self.handshake_name)
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub fn new(mode: Mode) -> Self {
        Connection {
            mode,
            config: None,
            recv: None,
            send: None,
            tls: None,
            server_name: None,
            hello: HelloReader::default(),
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
            handshake_name: None,
            out: Vec::new(),
            out_sent: 0,
            owner: 0,
            server_hello: HelloReader::server_hello(),
            server_hello_info: None,
            ticketer: None,
            sessions: None,
            ticket_callback: None,
            keying_material_lifetime: DEFAULT_KEYING_MATERIAL_LIFETIME_SECS,
            extra_tickets: 0,
            offered: None,
            ticket_scanner: Tls12TicketScanner::default(),
            cache: None,
            cache_tickets: None,
            cache_looked_up: false,
            ticket_previewed: false,
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
        *self = Connection::new(self.mode);
        self.config = config;
        self.owner = owner;
    }

    /// Tells the connection how the api layer names it in callbacks.
    pub fn set_owner(&mut self, owner: usize) {
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
    /// first `negotiate`.
    pub fn add_new_tickets(&mut self, count: u8) -> Result<()> {
        if self.tls.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "rs2n can add tickets only before s2n_negotiate is first called: rustls sends tickets with the handshake only",
            ));
        }
        self.extra_tickets = self.extra_tickets.saturating_add(u16::from(count));
        Ok(())
    }

    /// `s2n_connection_get_tickets_sent`.
    pub fn tickets_sent(&self) -> Result<u16> {
        self.server_only("s2n_connection_get_tickets_sent")?;
        Ok(self.ticketer.as_ref().map_or(0, |t| t.tickets_issued()))
    }

    /// `s2n_connection_set_server_keying_material_lifetime`.
    pub fn set_keying_material_lifetime(&mut self, secs: u32) {
        self.keying_material_lifetime = secs;
        if let Some(t) = &self.ticketer {
            t.set_keying_material_lifetime(secs);
        }
    }

    /// `s2n_connection_set_session`: offers a saved session on the next handshake.
    pub fn set_session(&mut self, bytes: &[u8]) -> Result<()> {
        self.client_only("s2n_connection_set_session")?;
        self.not_started("the session")?;
        let session = client_session::parse_session(bytes)?;
        self.offered = Some((session, bytes.to_vec()));
        Ok(())
    }

    /// The session to save for a later connection, once there is one.
    pub fn session(&self) -> Option<SessionInfo> {
        self.sessions.as_ref().and_then(|s| s.latest())
    }

    /// `s2n_connection_get_session_ticket_lifetime_hint`.
    pub fn session_ticket_lifetime_hint(&self) -> Result<u32> {
        match self.session() {
            Some(s) if s.has_ticket => Ok(s.lifetime()),
            _ => Err(Error::new(
                ErrorCode::SessionTicketNotSupported,
                "the connection has received no session ticket",
            )),
        }
    }

    /// Whether the handshake resumed a session.
    pub fn is_resumed(&self) -> bool {
        self.tls
            .as_ref()
            .is_some_and(|t| t.handshake_kind() == Some(HandshakeKind::Resumed))
    }

    /// The session ID of the ServerHello (TLS1.2's session ID, or the TLS1.3
    /// compatibility echo); empty before it is seen.
    pub fn session_id(&self) -> &[u8] {
        self.server_hello_info
            .as_ref()
            .map_or(&[], |h| h.session_id.as_slice())
    }

    fn not_started(&self, what: &str) -> Result<()> {
        if self.tls.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!("{what} cannot change once the handshake has started; wipe the connection first"),
            ));
        }
        Ok(())
    }

    pub fn set_config(&mut self, config: Arc<Config>) -> Result<()> {
        self.not_started("the config")?;
        self.config = Some(config);
        Ok(())
    }

    pub fn config(&self) -> Arc<Config> {
        self.config
            .clone()
            .unwrap_or_else(|| DEFAULT_CONFIG.clone())
    }

    pub fn set_recv(&mut self, recv: Box<dyn Recv>) {
        self.recv = Some(recv);
    }

    pub fn set_send(&mut self, send: Box<dyn Send_>) {
        self.send = Some(send);
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

    /// The client's configured name, or on a server the name the client sent (SNI).
    pub fn server_name(&self) -> Option<&CString> {
        self.server_name.as_ref()
    }

    pub fn blocked(&self) -> Blocked {
        self.blocked
    }

    pub fn wire_bytes_in(&self) -> u64 {
        self.wire_in
    }

    pub fn wire_bytes_out(&self) -> u64 {
        self.wire_out
    }

    /// The alert the peer sent, if the connection ended with one.
    pub fn alert(&self) -> Result<u8> {
        self.alert
            .ok_or_else(|| Error::new(ErrorCode::NoAlert, "no alert was received from the peer"))
    }

    pub fn peer_close(&self) -> Option<PeerClose> {
        self.peer_close
    }

    pub fn is_handshake_complete(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| !t.is_handshaking())
    }

    fn policy_max_version(&self) -> i32 {
        self.config()
            .settings()
            .map(|s| s.policy.max_version)
            .unwrap_or(policy::S2N_TLS13)
    }

    fn negotiated_version(&self) -> Option<i32> {
        let v = self.tls.as_ref()?.protocol_version()?;
        Some(s2n_version(u16::from(v)))
    }

    /// `s2n_connection_get_actual_protocol_version`.
    pub fn actual_protocol_version(&self) -> i32 {
        match (self.negotiated_version(), self.mode) {
            (Some(v), _) => v,
            (None, Mode::Client) => self.policy_max_version(),
            (None, Mode::Server) => 0,
        }
    }

    /// `s2n_connection_get_client_protocol_version`.
    pub fn client_protocol_version(&self) -> i32 {
        match self.mode {
            Mode::Client => self.policy_max_version(),
            Mode::Server => self.hello_info.as_ref().map_or(0, |h| h.max_version),
        }
    }

    /// `s2n_connection_get_server_protocol_version`.
    pub fn server_protocol_version(&self) -> i32 {
        match self.mode {
            Mode::Server => self.policy_max_version(),
            Mode::Client => self.negotiated_version().unwrap_or(0),
        }
    }

    /// s2n's name for the negotiated cipher suite.
    pub fn cipher(&self) -> &'static str {
        match self.tls.as_ref().and_then(|t| t.negotiated_cipher_suite()) {
            Some(suite) => policy::s2n_cipher_name(suite.suite()),
            None => "TLS_NULL_WITH_NULL_NULL",
        }
    }

    /// s2n's handshake type name, e.g. `NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT`;
    /// `INITIAL` until the handshake is complete.
    pub fn handshake_type_name(&self) -> &std::ffi::CStr {
        self.handshake_name.as_deref().unwrap_or(c"INITIAL")
    }

    /// The session ID the client offered (the server side of the ClientHello).
    pub fn client_hello_info(&self) -> Option<&HelloInfo> {
        self.hello_info.as_ref()
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

    /// Records a fatal error. A session this connection put in or took from the
    /// cache is deleted from it, as in s2n.
    fn fail(&mut self, error: Error) -> Error {
        self.fatal = Some(error.clone());
        if let Some(cache) = &self.cache {
            cache.delete_session();
        }
        error
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
        let tls: rustls::Connection = match self.mode {
            Mode::Server => ServerConnection::new(self.server_tls_config(&config)?)
                .map_err(|e| {
                    Error::new(ErrorCode::Internal, format!("cannot start the server: {e}"))
                })?
                .into(),
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

    /// The server's rustls config: the config's own, or with tickets on, a cheap
    /// clone carrying this connection's ticketer and ticket count.
    fn server_tls_config(&mut self, config: &Config) -> Result<Arc<rustls::ServerConfig>> {
        let base = config.server_config()?;
        let s = config.settings()?;
        if !s.session_tickets && s.session_cache.is_none() {
            return Ok(base);
        }
        let mut c = (*base).clone();
        if s.session_tickets {
            let ticketer = Arc::new(ConnTicketer::new(
                config.ticket_keys(),
                s.wall_clock.clone(),
                s.require_ticket_forward_secrecy,
            ));
            ticketer.set_keying_material_lifetime(self.keying_material_lifetime);
            c.ticketer = ticketer.clone();
            self.ticketer = Some(ticketer);
        }
        if let Some(app) = &s.session_cache {
            let cache = Arc::new(ConnCache::new(
                app.clone(),
                config.ticket_keys(),
                s.wall_clock.clone(),
                self.owner,
            ));
            c.session_storage = cache.clone();
            if !s.session_tickets {
                let tickets = Arc::new(CacheTickets::new(cache.clone()));
                c.ticketer = tickets.clone();
                self.cache_tickets = Some(tickets);
            }
            self.cache = Some(cache);
        }
        // TLS1.3 tickets: stateless with tickets on, else (cache on) cache keys.
        c.send_tls13_tickets =
            usize::from(s.initial_ticket_count) + usize::from(self.extra_tickets);
        Ok(Arc::new(c))
    }

    /// The key this ClientHello's session would have in the cache: the TLS1.3 PSK
    /// identity when TLS1.3 will be negotiated without tickets (rustls' stateful
    /// tickets), else the TLS1.2 session ID.
    fn cache_key(&self) -> Option<Vec<u8>> {
        let info = self.hello_info.as_ref()?;
        let tls13 =
            info.max_version >= policy::S2N_TLS13 && self.policy_max_version() >= policy::S2N_TLS13;
        if tls13 {
            if self.ticketer.is_some() {
                return None;
            }
            return info.psk_identity.clone();
        }
        (!info.session_id.is_empty()).then(|| info.session_id.clone())
    }

    /// Looks the session up in the application's cache before rustls reads the
    /// ClientHello. Blocked on application input while the callback is not done.
    fn cache_lookup(&mut self) -> Result<()> {
        let Some(cache) = self.cache.clone() else {
            return Ok(());
        };
        if self.cache_looked_up || self.hello_info.is_none() {
            return Ok(());
        }
        if let Some(key) = self.cache_key() {
            if !cache.prefetch(&key) {
                self.blocked = Blocked::OnApplicationInput;
                return Err(Error::code(ErrorCode::AsyncBlocked));
            }
        }
        self.cache_looked_up = true;
        Ok(())
    }

    /// Lets a server's ticketer open an offered TLS1.2 ticket before rustls reads
    /// the ClientHello (see `ConnTicketer::preview_tls12`). Once per connection.
    fn preview_ticket(&mut self) {
        let Some(info) = &self.hello_info else {
            return;
        };
        if self.ticket_previewed || self.mode != Mode::Server {
            return;
        }
        self.ticket_previewed = true;
        let tls12 =
            info.max_version < policy::S2N_TLS13 || self.policy_max_version() < policy::S2N_TLS13;
        if !tls12 {
            return;
        }
        if let Some(tickets) = &self.cache_tickets {
            tickets.expect_tls12();
        }
        if let (Some(ticketer), Some(ticket)) = (&self.ticketer, &info.session_ticket) {
            ticketer.preview_tls12(ticket);
        }
    }

    /// The key of this connection's session in the server's cache, if any.
    pub fn cached_session_key(&self) -> Option<Vec<u8>> {
        self.cache.as_ref().and_then(|c| c.session_key())
    }

    /// The client's rustls config: the config's own with this connection's session
    /// store (offering the session set with `set_session`, catching new ones).
    fn client_tls_config(&mut self, config: &Config) -> Result<Arc<rustls::ClientConfig>> {
        let base = config.client_config()?;
        let s = config.settings()?;
        let sessions = Arc::new(ConnSessions::new(s.session_tickets, s.wall_clock.clone()));
        if let Some((session, bytes)) = &self.offered {
            sessions.offer(session, bytes);
        }
        let mut c = (*base).clone();
        c.resumption = client_session::resumption(sessions.clone(), s.session_tickets);
        self.sessions = Some(sessions);
        self.ticket_callback = s.ticket_callback.clone();
        Ok(Arc::new(c))
    }

    /// Tells a client's session store what the cleartext handshake showed, before
    /// rustls processes it (and saves sessions).
    fn note_wire(&self) {
        let Some(sessions) = &self.sessions else {
            return;
        };
        let id = |h: &Option<HelloInfo>| {
            h.as_ref().map(|h| h.session_id.clone()).unwrap_or_default()
        };
        sessions.note_wire(WireFacts {
            client_session_id: id(&self.hello_info),
            server_session_id: id(&self.server_hello_info),
            tls12_ticket: self.ticket_scanner.ticket,
        });
    }

    /// Hands the tickets received so far to the application's callback.
    fn report_tickets(&mut self) -> Result<()> {
        let (Some(sessions), Some(callback)) = (&self.sessions, &self.ticket_callback) else {
            return Ok(());
        };
        for ticket in sessions.take_pending() {
            if let Err(e) = callback.on_ticket(self.owner, &ticket) {
                return Err(self.fail(e));
            }
        }
        Ok(())
    }

    /// Writes what rustls has queued. Blocked on write if the transport is full.
    ///
    /// rustls' records are gathered into one buffer and sent with as few calls as
    /// the transport allows: one send per record would meet Nagle's algorithm and
    /// delayed ACKs on TCP and stall a handshake flight for tens of milliseconds.
    fn flush(&mut self) -> Result<()> {
        let (Some(tls), Some(send)) = (self.tls.as_mut(), self.send.as_mut()) else {
            return Ok(());
        };
        loop {
            while self.out_sent < self.out.len() {
                match send.send(&self.out[self.out_sent..]) {
                    Ok(0) => {
                        let e = Error::new(ErrorCode::Io, "the transport accepted no bytes");
                        return Err(self.fail(e));
                    }
                    Ok(n) => {
                        self.out_sent += n;
                        self.wire_out += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.blocked = Blocked::OnWrite;
                        return Err(Error::blocked());
                    }
                    Err(e) => {
                        let e =
                            Error::new(ErrorCode::Io, format!("sending to the peer failed: {e}"));
                        return Err(self.fail(e));
                    }
                }
            }
            self.out.clear();
            self.out_sent = 0;
            if !tls.wants_write() {
                return Ok(());
            }
            while tls.wants_write() {
                // Writing into a Vec cannot fail.
                let _ = tls.write_tls(&mut self.out);
            }
            // The first hello each side sends: a server's ServerHello, a client's
            // own ClientHello (its session ID tells a TLS1.2 resumption).
            match self.mode {
                Mode::Server if self.server_hello_info.is_none() => {
                    self.server_hello_info = self.server_hello.feed(&self.out);
                }
                Mode::Client if self.hello_info.is_none() => {
                    self.hello_info = self.hello.feed(&self.out);
                }
                _ => {}
            }
        }
    }

    /// Reads from the transport into rustls and processes it. `Ok(false)` at end of
    /// stream. Blocked on read if nothing is there yet.
    fn read_more(&mut self) -> Result<bool> {
        let (Some(tls), Some(recv)) = (self.tls.as_mut(), self.recv.as_mut()) else {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the connection has no I/O",
            ));
        };
        // A server reads the client's hello, a client the server's.
        let (reader, info) = match self.mode {
            Mode::Server => (&mut self.hello, &mut self.hello_info),
            Mode::Client => (&mut self.server_hello, &mut self.server_hello_info),
        };
        let mut reader = CountingReader {
            recv: recv.as_mut(),
            count: &mut self.wire_in,
            hello: info.is_none().then_some(reader),
            hello_info: info,
            scanner: (self.mode == Mode::Client).then_some(&mut self.ticket_scanner),
        };
        match tls.read_tls(&mut reader) {
            Ok(0) => Ok(false),
            Ok(_) => {
                self.cache_lookup()?;
                self.preview_ticket();
                self.note_wire();
                self.process()?;
                self.report_tickets()?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.blocked = Blocked::OnRead;
                Err(Error::blocked())
            }
            Err(e) => {
                let e = Error::new(
                    ErrorCode::Io,
                    format!("receiving from the peer failed: {e}"),
                );
                Err(self.fail(e))
            }
        }
    }

    fn process(&mut self) -> Result<()> {
        let Some(tls) = self.tls.as_mut() else {
            return Ok(());
        };
        match tls.process_new_packets() {
            Ok(state) => {
                self.plaintext_pending = state.plaintext_bytes_to_read();
                if let (None, rustls::Connection::Server(server)) = (&self.server_name, &*tls) {
                    self.server_name = server.server_name().and_then(|n| CString::new(n).ok());
                }
                Ok(())
            }
            Err(e) => {
                if let rustls::Error::AlertReceived(alert) = &e {
                    self.alert = Some(u8::from(*alert));
                }
                let error = map_tls_error(&e, self.server_name.as_ref());
                // Tell the peer why, if the transport takes it now; the error stands anyway.
                let _ = self.flush();
                Err(self.fail(error))
            }
        }
    }

    /// `s2n_negotiate`: runs the handshake until it completes or blocks.
    pub fn negotiate(&mut self) -> Result<()> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        self.ensure_tls()?;
        if self.cache.is_some() && !self.cache_looked_up && self.hello_info.is_some() {
            // A cache lookup was blocked: ask again, then let rustls go on.
            self.cache_lookup()?;
            self.preview_ticket();
            self.note_wire();
            self.process()?;
        }
        loop {
            self.flush()?;
            if self.is_handshake_complete() {
                if self.handshake_name.is_none() {
                    self.handshake_name = Some(self.compute_handshake_name());
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

    fn compute_handshake_name(&self) -> CString {
        let Some(tls) = self.tls.as_ref() else {
            return c"INITIAL".into();
        };
        let kind = tls.handshake_kind();
        let full = kind != Some(HandshakeKind::Resumed);
        let mut labels = vec!["NEGOTIATED"];
        if self.negotiated_version().unwrap_or(0) >= policy::S2N_TLS13 {
            if full {
                labels.push("FULL_HANDSHAKE");
            }
            if kind == Some(HandshakeKind::FullWithHelloRetryRequest) {
                labels.push("HELLO_RETRY_REQUEST");
            }
            // rustls clients always send a legacy session ID with TLS1.3; a server
            // echoes whatever the client sent.
            let compat = match self.mode {
                Mode::Client => true,
                Mode::Server => self
                    .hello_info
                    .as_ref()
                    .is_some_and(|h| !h.session_id.is_empty()),
            };
            if compat {
                labels.push("MIDDLEBOX_COMPAT");
            }
        } else {
            if full {
                // rustls only does ECDHE key exchange in TLS1.2: always forward secret.
                labels.extend(["FULL_HANDSHAKE", "TLS12_PERFECT_FORWARD_SECRECY"]);
            }
            let ticket = match self.mode {
                Mode::Server => self
                    .ticketer
                    .as_ref()
                    .is_some_and(|t| t.tls12_ticket_issued()),
                Mode::Client => self
                    .sessions
                    .as_ref()
                    .is_some_and(|s| s.tls12_ticket_received()),
            };
            if ticket {
                labels.push("WITH_SESSION_TICKET");
            }
        }
        CString::new(labels.join("|")).unwrap_or_default()
    }

    fn require_handshake(&self, what: &str) -> Result<()> {
        if !self.is_handshake_complete() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!(
                    "{what} before the handshake completed: call s2n_negotiate until it succeeds"
                ),
            ));
        }
        Ok(())
    }

    /// `s2n_send`: returns how many bytes of `buf` were sent. When blocked with
    /// nothing acknowledged it fails blocked and the caller retries with the same
    /// buffer; when some were sent it returns that count (a partial write).
    pub fn send(&mut self, buf: &[u8]) -> Result<usize> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        self.require_handshake("s2n_send")?;
        if self.close_notify_sent {
            return Err(Error::new(
                ErrorCode::Closed,
                "s2n_send after s2n_shutdown_send",
            ));
        }
        if buf.len() < self.unacked {
            let held = self.unacked;
            self.unacked = 0;
            return Err(Error::usage(format!(
                "s2n_send retried with {} bytes after a blocked call had already taken {held}: retry with the same buffer",
                buf.len()
            )));
        }
        let mut acked = 0;
        loop {
            if let Err(e) = self.flush() {
                if e.is_blocked() && acked > 0 {
                    self.blocked = Blocked::NotBlocked;
                    self.unacked -= acked;
                    return Ok(acked);
                }
                return Err(e);
            }
            // Everything given to rustls so far is on the wire.
            acked = self.unacked;
            if acked == buf.len() {
                self.unacked = 0;
                return Ok(acked);
            }
            let end = buf.len().min(acked + MAX_RECORD_PLAINTEXT);
            let tls = self.tls.as_mut().expect("handshake complete");
            let n = tls
                .writer()
                .write(&buf[acked..end])
                .map_err(|e| Error::new(ErrorCode::Internal, format!("encrypting failed: {e}")))?;
            self.unacked += n;
        }
    }

    /// `s2n_recv`: up to `buf.len()` bytes of application data; 0 once the peer has
    /// closed (with close_notify, or abruptly: see [`Connection::peer_close`]).
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        self.require_handshake("s2n_recv")?;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let tls = self.tls.as_mut().expect("handshake complete");
            match tls.reader().read(buf) {
                Ok(0) => {
                    self.peer_close.get_or_insert(PeerClose::CloseNotify);
                    return Ok(0);
                }
                Ok(n) => {
                    self.plaintext_pending = self.plaintext_pending.saturating_sub(n);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    // No close_notify: the session may be truncated; not resumable.
                    if self.peer_close.is_none() {
                        if let Some(cache) = &self.cache {
                            cache.delete_session();
                        }
                    }
                    self.peer_close.get_or_insert(PeerClose::Abrupt);
                    return Ok(0);
                }
                Err(e) => {
                    return Err(Error::new(
                        ErrorCode::Internal,
                        format!("reading plaintext failed: {e}"),
                    ))
                }
            }
            // Replies rustls owes the peer (key updates) go out when the transport takes them.
            match self.flush() {
                Err(e) if !e.is_blocked() => return Err(e),
                _ => self.blocked = Blocked::NotBlocked,
            }
            self.read_more()?;
        }
    }

    /// `s2n_peek`: decrypted bytes ready for `recv` without reading the transport.
    pub fn peek(&self) -> usize {
        self.plaintext_pending
    }

    /// `s2n_shutdown_send`: sends close_notify; the connection can still receive.
    pub fn shutdown_send(&mut self) -> Result<()> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        let Some(tls) = self.tls.as_mut() else {
            return Ok(());
        };
        if !self.close_notify_sent {
            tls.send_close_notify();
            self.close_notify_sent = true;
        }
        self.flush()
    }

    /// `s2n_shutdown`: sends close_notify and waits for the peer's, discarding any
    /// application data still arriving.
    pub fn shutdown(&mut self) -> Result<()> {
        self.shutdown_send()?;
        if self.tls.is_none() {
            return Ok(());
        }
        let mut scratch = [0u8; 4096];
        loop {
            match self.peer_close {
                Some(PeerClose::CloseNotify) => return Ok(()),
                Some(PeerClose::Abrupt) => {
                    return Err(Error::new(
                        ErrorCode::Closed,
                        "the peer closed the transport without sending close_notify",
                    ))
                }
                None => {}
            }
            if !self.is_handshake_complete() {
                // No application data can come; the peer's answer to our alert is all.
                if !self.read_more()? {
                    self.peer_close = Some(PeerClose::Abrupt);
                }
                continue;
            }
            self.recv(&mut scratch)?;
        }
    }
}

/// An s2n error for what rustls reported.
fn map_tls_error(e: &rustls::Error, server_name: Option<&CString>) -> Error {
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
                Some(n) => format!("the peer's certificate is not valid for the server name {:?}", n.to_string_lossy()),
                None => "no server name is set (s2n_set_server_name), so the certificate cannot be verified".to_string(),
            };
            (ErrorCode::HostnameMismatch, text)
        }
        E::InvalidCertificate(c) => (
            ErrorCode::CertInvalid,
            format!("the peer's certificate is invalid: {c:?}"),
        ),
        E::NoCertificatesPresented => (
            ErrorCode::CertInvalid,
            "the peer sent no certificate".to_string(),
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

struct CountingReader<'a> {
    recv: &'a mut dyn Recv,
    count: &'a mut u64,
    hello: Option<&'a mut HelloReader>,
    hello_info: &'a mut Option<HelloInfo>,
    scanner: Option<&'a mut Tls12TicketScanner>,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.recv.recv(buf)?;
        *self.count += n as u64;
        if let Some(hello) = self.hello.as_mut() {
            if let Some(info) = hello.feed(&buf[..n]) {
                *self.hello_info = Some(info);
            }
        }
        if let Some(scanner) = self.scanner.as_mut() {
            scanner.feed(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
pub mod testing {
    use super::*;
    use crate::certs::{testing::cert_file, CertChainAndKey};
    use crate::transport::memory;

    /// A server config with the P-256 test certificate.
    pub fn server_config(policy: &str) -> Arc<Config> {
        let c = Config::new_minimal();
        c.set_cipher_preferences(policy).unwrap();
        let mut k = CertChainAndKey::new();
        k.load_pem(
            &cert_file("ecdsa_p256_cert.pem"),
            &cert_file("ecdsa_p256_key.pem"),
        )
        .unwrap();
        c.add_cert_chain_and_key(k.certified_key().unwrap())
            .unwrap();
        Arc::new(c)
    }

    /// A client config trusting the test CA.
    pub fn client_config(policy: &str) -> Arc<Config> {
        let c = Config::new_minimal();
        c.set_cipher_preferences(policy).unwrap();
        c.add_pem_to_trust_store(&cert_file("ca_cert.pem")).unwrap();
        Arc::new(c)
    }

    /// A server and a client joined by an in-memory pipe.
    pub fn pair(
        server: Arc<Config>,
        client: Arc<Config>,
    ) -> (Connection, Connection, memory::End, memory::End) {
        let (a, b) = memory::pair();
        let mut s = Connection::new(Mode::Server);
        s.set_config(server).unwrap();
        s.set_recv(Box::new(a.clone()));
        s.set_send(Box::new(a.clone()));
        let mut c = Connection::new(Mode::Client);
        c.set_config(client).unwrap();
        c.set_server_name("localhost").unwrap();
        c.set_recv(Box::new(b.clone()));
        c.set_send(Box::new(b.clone()));
        (s, c, a, b)
    }

    /// Runs both handshakes to completion or the first real error.
    pub fn handshake(s: &mut Connection, c: &mut Connection) -> Result<()> {
        for _ in 0..100 {
            let cr = c.negotiate();
            let sr = s.negotiate();
            match (&cr, &sr) {
                (Ok(()), Ok(())) => return Ok(()),
                (Err(e), _) if !e.is_blocked() => return cr,
                (_, Err(e)) if !e.is_blocked() => return sr,
                _ => {}
            }
        }
        panic!("handshake did not finish");
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn tls13_and_tls12_handshakes_report_s2n_facts() {
        for (policy, version, name) in [
            (
                "default_tls13",
                34,
                "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT",
            ),
            (
                "20240501",
                33,
                "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY",
            ),
        ] {
            let (mut s, mut c, _, _) = pair(server_config(policy), client_config(policy));
            assert_eq!(s.handshake_type_name().to_str().unwrap(), "INITIAL");
            handshake(&mut s, &mut c).unwrap();
            for conn in [&s, &c] {
                assert_eq!(conn.actual_protocol_version(), version, "{policy}");
                assert_eq!(conn.handshake_type_name().to_str().unwrap(), name);
                assert_ne!(conn.cipher(), "TLS_NULL_WITH_NULL_NULL");
            }
            assert_eq!(s.client_protocol_version(), version);
            assert_eq!(s.server_name().unwrap().to_str().unwrap(), "localhost");
            assert_eq!(s.wire_bytes_in(), c.wire_bytes_out());
            assert_eq!(c.wire_bytes_in(), s.wire_bytes_out());
        }
    }

    #[test]
    fn data_both_ways_and_clean_shutdown() {
        let (mut s, mut c, _, _) = pair(server_config("default"), client_config("default"));
        handshake(&mut s, &mut c).unwrap();
        let big = vec![0x5a; 100_000];
        assert_eq!(c.send(&big).unwrap(), big.len());
        let mut got = Vec::new();
        let mut buf = [0u8; 8192];
        while got.len() < big.len() {
            let n = s.recv(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, big);
        assert_eq!(s.send(b"pong").unwrap(), 4);
        assert_eq!(c.recv(&mut buf).unwrap(), 4);
        // Client closes; its shutdown blocks until the server answers.
        assert!(c.shutdown().unwrap_err().is_blocked());
        assert_eq!(s.recv(&mut buf).unwrap(), 0);
        s.shutdown().unwrap();
        c.shutdown().unwrap();
        assert_eq!(s.peer_close(), Some(PeerClose::CloseNotify));
        assert!(c.send(b"late").is_err());
    }

    #[test]
    fn untrusted_and_wrong_name_fail_cleanly_and_config_stays_usable() {
        let client = Arc::new(Config::new_minimal());
        let (mut s, mut c, _, _) = pair(server_config("default"), client.clone());
        let e = handshake(&mut s, &mut c).unwrap_err();
        assert_eq!(e.code, ErrorCode::CertUntrusted, "{e}");
        assert!(c.send(b"x").is_err(), "failed connection stays failed");
        // The server learns of it through the alert.
        let mut buf = [0u8; 16];
        let se = s.negotiate().unwrap_err();
        assert_eq!(se.code, ErrorCode::Alert, "{se}");
        assert!(s.alert().is_ok());
        let _ = s.recv(&mut buf);

        client
            .add_pem_to_trust_store(&crate::certs::testing::cert_file("ca_cert.pem"))
            .unwrap();
        let (mut s, mut c, _, _) = pair(server_config("default"), client.clone());
        c.wipe();
        c.set_server_name("wrong.example").unwrap();
        let (a, b) = crate::transport::memory::pair();
        s.set_recv(Box::new(a.clone()));
        s.set_send(Box::new(a));
        c.set_recv(Box::new(b.clone()));
        c.set_send(Box::new(b));
        let e = handshake(&mut s, &mut c).unwrap_err();
        assert_eq!(e.code, ErrorCode::HostnameMismatch, "{e}");
        assert!(e.message.contains("wrong.example"));
    }

    #[test]
    fn garbage_and_early_close_are_errors_not_panics() {
        let (mut s, _c, a, b) = pair(server_config("default"), client_config("default"));
        b.inject(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let e = s.negotiate().unwrap_err();
        assert!(!e.is_blocked());
        assert_eq!(e.error_type(), crate::error::ErrorType::Proto, "{e}");
        drop(a);

        // The server end closes before answering: the client sees end of stream.
        let (_s, mut c, a, _) = pair(server_config("default"), client_config("default"));
        assert!(c.negotiate().unwrap_err().is_blocked());
        a.close();
        let e = c.negotiate().unwrap_err();
        assert_eq!(e.code, ErrorCode::Closed, "{e}");
    }

    #[test]
    fn blocked_send_is_retried_with_the_same_buffer() {
        use crate::transport::Send_;
        /// Takes at most `budget` bytes, then would block.
        struct Tight(
            crate::transport::memory::End,
            Arc<std::sync::atomic::AtomicUsize>,
        );
        impl Send_ for Tight {
            fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
                let budget = self.1.load(std::sync::atomic::Ordering::SeqCst);
                if budget == 0 {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                let n = self.0.send(&buf[..buf.len().min(budget)])?;
                self.1.fetch_sub(n, std::sync::atomic::Ordering::SeqCst);
                Ok(n)
            }
        }
        let (mut s, mut c, _, b) = pair(server_config("default"), client_config("default"));
        handshake(&mut s, &mut c).unwrap();
        let budget = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        c.set_send(Box::new(Tight(b, budget.clone())));
        let data: Vec<u8> = (0..50_000u32).map(|i| i as u8).collect();
        let mut sent = 0;
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        let mut blocked = 0;
        while sent < data.len() {
            match c.send(&data[sent..]) {
                Ok(n) => sent += n,
                Err(e) => {
                    assert!(e.is_blocked(), "{e}");
                    assert_eq!(c.blocked(), Blocked::OnWrite);
                    blocked += 1;
                    budget.store(7000, std::sync::atomic::Ordering::SeqCst);
                }
            }
            while let Ok(n) = s.recv(&mut buf) {
                got.extend_from_slice(&buf[..n]);
            }
        }
        budget.store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
        while got.len() < data.len() {
            let n = s.recv(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert!(blocked > 1);
        assert_eq!(got, data);
    }

    #[test]
    fn no_io_and_no_cert_are_usage_errors_that_leave_the_connection_usable() {
        let mut s = Connection::new(Mode::Server);
        assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::InvalidState);
        let (a, _b) = crate::transport::memory::pair();
        s.set_recv(Box::new(a.clone()));
        s.set_send(Box::new(a));
        assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::NoCertificate);
        s.set_config(server_config("default")).unwrap();
        assert!(s.negotiate().unwrap_err().is_blocked());
    }

    /// A server config with tickets on and the given key.
    fn ticket_server(policy: &str, key: &[u8]) -> Arc<Config> {
        let c = server_config(policy);
        c.set_session_tickets(true).unwrap();
        c.add_ticket_key(b"fleet-key", key, 0).unwrap();
        c
    }

    fn ticket_client(policy: &str) -> Arc<Config> {
        let c = client_config(policy);
        c.set_session_tickets(true).unwrap();
        c
    }

    /// A full connection: handshake, then the client reads so TLS1.3 tickets arrive.
    fn connect(
        server: &Arc<Config>,
        client: &Arc<Config>,
        session: Option<&[u8]>,
    ) -> (Connection, Connection) {
        let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
        if let Some(bytes) = session {
            c.set_session(bytes).unwrap();
        }
        handshake(&mut s, &mut c).unwrap();
        let mut buf = [0u8; 16];
        assert!(c.recv(&mut buf).unwrap_err().is_blocked());
        (s, c)
    }

    #[test]
    fn tickets_resume_tls13_and_tls12() {
        for (policy, full, resumed) in [
            (
                "default_tls13",
                "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT",
                "NEGOTIATED|MIDDLEBOX_COMPAT",
            ),
            (
                "20240501",
                "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY|WITH_SESSION_TICKET",
                "NEGOTIATED",
            ),
        ] {
            let server = ticket_server(policy, b"key material");
            let client = ticket_client(policy);
            let (s, c) = connect(&server, &client, None);
            assert!(!c.is_resumed());
            assert_eq!(
                s.handshake_type_name().to_str().unwrap(),
                full,
                "{policy} server"
            );
            assert_eq!(
                c.handshake_type_name().to_str().unwrap(),
                full,
                "{policy} client"
            );
            assert_eq!(s.tickets_sent().unwrap(), 1);
            let session = c.session().expect("a session after the first connection");
            assert!(session.has_ticket);
            // The key's remaining life, just under the 15 h session state lifetime.
            let hint = c.session_ticket_lifetime_hint().unwrap();
            assert!((15 * 3600 - 1..=15 * 3600).contains(&hint), "{hint}");

            let (s2, c2) = connect(&server, &client, Some(&session.bytes));
            assert!(c2.is_resumed() && s2.is_resumed(), "{policy}: resumed");
            assert_eq!(
                s2.handshake_type_name().to_str().unwrap(),
                resumed,
                "{policy}"
            );
            assert_eq!(
                c2.handshake_type_name().to_str().unwrap(),
                resumed,
                "{policy}"
            );
            // TLS1.3 resumptions issue a fresh ticket; TLS1.2 ones issue none.
            let fresh = if policy == "default_tls13" { 1 } else { 0 };
            assert_eq!(s2.tickets_sent().unwrap(), fresh, "{policy}");
            assert!(!c2.session_id().is_empty() || policy == "default_tls13");
        }
    }

    #[test]
    fn a_fleet_shares_keys_and_a_stranger_does_not() {
        let a = ticket_server("default_tls13", b"fleet material");
        let b = ticket_server("default_tls13", b"fleet material");
        let other = ticket_server("default_tls13", b"someone else's");
        let client = ticket_client("default_tls13");
        let (_, c) = connect(&a, &client, None);
        let (_, c2) = connect(&b, &client, Some(&c.session().unwrap().bytes));
        assert!(c2.is_resumed(), "server B accepts server A's ticket");
        let (_, c3) = connect(&other, &client, Some(&c2.session().unwrap().bytes));
        assert!(!c3.is_resumed(), "a different key means a full handshake");
        assert!(c3.session().is_some(), "and a new ticket");
    }

    #[test]
    fn tls13_sessions_resume_once_and_foreign_bytes_give_full_handshakes() {
        let server = ticket_server("default_tls13", b"k");
        let client = ticket_client("default_tls13");
        let (_, c) = connect(&server, &client, None);
        let bytes = c.session().unwrap().bytes;
        let (_, c2) = connect(&server, &client, Some(&bytes));
        assert!(c2.is_resumed());
        let (_, c3) = connect(&server, &client, Some(&bytes));
        assert!(!c3.is_resumed(), "a TLS1.3 session is single-use");
        let mut foreign = bytes.clone();
        foreign[5] ^= 0xff;
        let (_, c4) = connect(&server, &client, Some(&foreign));
        assert!(!c4.is_resumed());
        let mut c5 = Connection::new(Mode::Client);
        assert_eq!(
            c5.set_session(b"garbage").unwrap_err().code,
            ErrorCode::InvalidSerializedSession
        );
    }

    #[test]
    fn initial_ticket_count_and_added_tickets() {
        let server = ticket_server("default_tls13", b"k");
        server.set_initial_ticket_count(3).unwrap();
        let client = ticket_client("default_tls13");
        let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
        s.add_new_tickets(2).unwrap();
        handshake(&mut s, &mut c).unwrap();
        assert!(
            s.add_new_tickets(1).is_err(),
            "too late once the handshake started"
        );
        assert_eq!(s.tickets_sent().unwrap(), 5);
        assert!(c.tickets_sent().is_err(), "a server-only call");
    }

    fn cache_server(
        policy: &str,
    ) -> (
        Arc<Config>,
        Arc<crate::resumption::cache::testing::MemoryCache>,
    ) {
        let c = server_config(policy);
        c.add_ticket_key(b"cache-key", b"material", 0).unwrap();
        let app = Arc::new(crate::resumption::cache::testing::MemoryCache::default());
        c.set_session_cache(Some(app.clone())).unwrap();
        (c, app)
    }

    fn calls(app: &crate::resumption::cache::testing::MemoryCache, what: &str) -> usize {
        app.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| *c == what)
            .count()
    }

    #[test]
    fn cache_resumes_tls12_by_session_id_and_tls13_by_stateful_ticket() {
        for policy in ["20240501", "default_tls13"] {
            let (server, app) = cache_server(policy);
            // A TLS1.3 client receives even a stateful session as a ticket.
            let client = match policy {
                "default_tls13" => ticket_client(policy),
                _ => client_config(policy),
            };
            let (s, c) = connect(&server, &client, None);
            assert!(!s.is_resumed());
            assert_eq!(calls(&app, "store"), 1, "{policy}");
            if policy == "20240501" {
                assert_eq!(
                    s.cached_session_key().unwrap(),
                    s.session_id(),
                    "the ID of the cached session"
                );
            }
            let bytes = c.session().unwrap().bytes;
            let (s2, c2) = connect(&server, &client, Some(&bytes));
            assert!(s2.is_resumed() && c2.is_resumed(), "{policy}");
            assert!(calls(&app, "retrieve") >= 1);
        }
    }

    #[test]
    fn tls13_cache_tickets_carry_the_cache_lifetime() {
        let (server, _) = cache_server("default_tls13");
        let client = ticket_client("default_tls13");
        let (_, c) = connect(&server, &client, None);
        assert_eq!(c.session_ticket_lifetime_hint().unwrap(), 6 * 3600);
        server.set_lifetimes(|l| l.session_state = 60 * 1_000_000_000);
        let (_, c) = connect(&server, &client, None);
        assert_eq!(c.session_ticket_lifetime_hint().unwrap(), 60);
    }

    #[test]
    fn blocked_retrieve_pauses_the_handshake_then_resumes() {
        let (server, app) = cache_server("20240501");
        let client = client_config("20240501");
        let (_, c) = connect(&server, &client, None);
        let bytes = c.session().unwrap().bytes;
        *app.block_next.lock().unwrap() = 2;
        let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
        c.set_session(&bytes).unwrap();
        assert!(c.negotiate().unwrap_err().is_blocked());
        for _ in 0..2 {
            let e = s.negotiate().unwrap_err();
            assert_eq!(e.code, ErrorCode::AsyncBlocked);
            assert_eq!(s.blocked(), Blocked::OnApplicationInput);
        }
        handshake(&mut s, &mut c).unwrap();
        assert!(s.is_resumed());
        assert_eq!(calls(&app, "retrieve"), 3);
    }

    #[test]
    fn abrupt_close_deletes_the_cached_session_and_graceful_does_not() {
        let (server, app) = cache_server("20240501");
        let client = client_config("20240501");
        let (mut s, mut c, _, b) = pair(server.clone(), client.clone());
        handshake(&mut s, &mut c).unwrap();
        c.shutdown().unwrap_err();
        let mut buf = [0u8; 8];
        assert_eq!(s.recv(&mut buf).unwrap(), 0);
        s.shutdown().unwrap();
        assert_eq!(calls(&app, "delete"), 0, "graceful close keeps the session");

        let (mut s, mut c, _, b2) = pair(server.clone(), client.clone());
        handshake(&mut s, &mut c).unwrap();
        b2.close();
        assert_eq!(s.recv(&mut buf).unwrap(), 0);
        assert_eq!(s.peer_close(), Some(PeerClose::Abrupt));
        assert_eq!(calls(&app, "delete"), 1, "abrupt close deletes it");
        drop(b);
    }

    #[test]
    fn a_cache_only_tls12_server_gives_a_ticket_client_no_ticket() {
        let (server, app) = cache_server("20240501");
        let client = ticket_client("20240501");
        let (s, c) = connect(&server, &client, None);
        let session = c.session().unwrap();
        assert!(!session.has_ticket);
        assert_eq!(
            c.ticket_scanner.ticket, None,
            "no NewSessionTicket, not even an empty one"
        );
        assert!(!s
            .handshake_type_name()
            .to_str()
            .unwrap()
            .contains("WITH_SESSION_TICKET"));
        let (s2, _) = connect(&server, &client, Some(&session.bytes));
        assert!(s2.is_resumed(), "resumed by session ID");
        assert_eq!(calls(&app, "store"), 1);
    }
}
