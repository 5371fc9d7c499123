//! A client connection's resumption: the session it offers (`s2n_connection_set_session`),
//! the sessions it receives, and their reporting to the application's session
//! ticket callback.
//!
//! The connection owns one [`ClientResumption`] and calls it when it builds its
//! rustls config, as cleartext handshake bytes arrive, and after rustls has
//! processed them.

use std::sync::Arc;

use super::client_session::{self, ConnSessions, SessionInfo, SessionRef};
use crate::clock::SharedClock;
use crate::error::{Error, ErrorCode, Result};
use crate::hello::{HelloInfo, Tls12TicketScanner};
use crate::owner::Owner;

/// Called once per session ticket a client receives (`s2n_config_set_session_ticket_cb`).
/// `owner` identifies the connection to the api layer.
pub trait SessionTicketCallback: Send + Sync {
    fn on_ticket(&self, owner: Owner, ticket: &SessionInfo) -> Result<()>;
}

impl std::fmt::Debug for dyn SessionTicketCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionTicketCallback")
    }
}

/// A client connection's received tickets and its ticket callback, detached from
/// the connection.
pub struct TicketReporter {
    sessions: Arc<ConnSessions>,
    callback: Arc<dyn SessionTicketCallback>,
}

impl TicketReporter {
    /// Hands the tickets received so far to the callback; its failure is returned.
    pub fn report(&self, owner: Owner) -> Result<()> {
        for ticket in self.sessions.take_pending() {
            self.callback.on_ticket(owner, &ticket)?;
        }
        Ok(())
    }
}

/// Per-connection client resumption state.
#[derive(Debug, Default)]
pub struct ClientResumption {
    sessions: Option<Arc<ConnSessions>>,
    ticket_callback: Option<Arc<dyn SessionTicketCallback>>,
    /// The session set with `s2n_connection_set_session`, and its bytes: handed
    /// to the session store (not copied) when the connection starts.
    offered: Option<(SessionRef, Vec<u8>)>,
    /// The most early data the session set allows (0 without one, or with bytes
    /// that name nothing here); kept past the hand-over.
    offered_max_early_data: u32,
    /// The client's reading of the server's cleartext TLS1.2 flight.
    ticket_scanner: Tls12TicketScanner,
}

impl ClientResumption {
    /// Offers a saved session on the next handshake (`s2n_connection_set_session`).
    pub fn set_session(&mut self, bytes: &[u8]) -> Result<()> {
        let session = client_session::parse_session(bytes)?;
        self.offered_max_early_data = match session.handle {
            Some(_) => session.facts.max_early_data,
            None => 0,
        };
        self.offered = Some((session, bytes.to_vec()));
        Ok(())
    }

    /// The most early data the session set allows (0 without one, or with bytes
    /// that name nothing here).
    pub fn offered_max_early_data(&self) -> u32 {
        self.offered_max_early_data
    }

    /// The session to save for a later connection, once there is one.
    pub fn session(&self) -> Option<SessionInfo> {
        self.sessions.as_ref().and_then(|s| s.latest())
    }

    /// `f` on the session [`ClientResumption::session`] would copy; `f` must
    /// take no other lock (the session store's is held).
    pub fn with_session<T>(&self, f: impl FnOnce(Option<&SessionInfo>) -> T) -> T {
        match &self.sessions {
            Some(s) => s.with_latest(f),
            None => f(None),
        }
    }

    /// `s2n_connection_get_session_ticket_lifetime_hint`.
    pub fn ticket_lifetime_hint(&self) -> Result<u32> {
        match self.session() {
            Some(s) if s.has_ticket => Ok(s.lifetime()),
            _ => Err(Error::new(
                ErrorCode::SessionTicketNotSupported,
                "the connection has received no session ticket",
            )),
        }
    }

    /// The client's rustls config: `base` with this connection's session store
    /// (offering the session set with `set_session`, catching new ones).
    /// `require_forward_secrecy` (`s2n_config_require_ticket_forward_secrecy`) keeps
    /// TLS1.2 tickets out, as s2n's client does (it sends no session_ticket
    /// extension then); TLS1.3 tickets are unaffected.
    pub fn tls_config(
        &mut self,
        base: &Arc<rustls::ClientConfig>,
        tickets_on: bool,
        require_forward_secrecy: bool,
        clock: SharedClock,
        callback: Option<Arc<dyn SessionTicketCallback>>,
    ) -> Arc<rustls::ClientConfig> {
        let sessions = ConnSessions::new(tickets_on, clock, base.clone())
            .with_ticket_callback(callback.is_some());
        let sessions = Arc::new(sessions);
        if let Some((session, bytes)) = self.offered.take() {
            sessions.offer(&session, bytes);
        }
        let mut c = rustls::ClientConfig::clone(base);
        let tls12_tickets = tickets_on && !require_forward_secrecy;
        c.resumption = client_session::resumption(sessions.clone(), tls12_tickets);
        self.sessions = Some(sessions);
        self.ticket_callback = callback;
        Arc::new(c)
    }

    /// Reads the server's cleartext bytes as they arrive (the TLS1.2 NewSessionTicket).
    pub fn scanner(&mut self) -> &mut Tls12TicketScanner {
        &mut self.ticket_scanner
    }

    /// Tells the session store what the cleartext handshake showed, before rustls
    /// processes it (and saves sessions).
    pub fn note_wire(&self, client_hello: Option<&HelloInfo>, server_hello: Option<&HelloInfo>) {
        let Some(sessions) = &self.sessions else {
            return;
        };
        let id = |h: Option<&HelloInfo>| h.map(|h| h.session_id).unwrap_or_default();
        sessions.note_wire(
            id(client_hello),
            id(server_hello),
            self.ticket_scanner.ticket.as_ref(),
            self.ticket_scanner.suite,
        );
    }

    /// Hands the tickets received so far to the application's callback; its
    /// failure fails the connection.
    pub fn report_tickets(&self, owner: Owner) -> Result<()> {
        match self.ticket_reporter() {
            Some(reporter) => reporter.report(owner),
            None => Ok(()),
        }
    }

    /// What `report_tickets` needs, to call it without the connection (so without
    /// its lock); None without a ticket callback.
    pub fn ticket_reporter(&self) -> Option<TicketReporter> {
        match (&self.sessions, &self.ticket_callback) {
            (Some(sessions), Some(callback)) => Some(TicketReporter {
                sessions: sessions.clone(),
                callback: callback.clone(),
            }),
            _ => None,
        }
    }

    /// Whether this TLS1.2 handshake brought a ticket.
    pub fn tls12_ticket_received(&self) -> bool {
        self.sessions
            .as_ref()
            .is_some_and(|s| s.tls12_ticket_received())
    }
}
