//! A server connection's resumption: its ticketer, its view of the application's
//! cache, TLS1.3 cache tickets, and the work done on the ClientHello before rustls
//! reads it (the cache lookup, the TLS1.2 ticket preview).
//!
//! The connection owns one [`ServerResumption`] and calls it at fixed points of its
//! state machine: when it builds its rustls config, once the ClientHello is read,
//! when it fails, and when the peer closes without close_notify.

use std::sync::Arc;

use super::cache::{
    early_ticket_key, CacheTickets, ConnCache, SessionCache, RUSTLS_TICKET_LEN, TLS13_CACHE_KEY_LEN,
};
use super::ticket_keys::TicketKeyStore;
use super::ticketer::{ConnTicketer, DEFAULT_KEYING_MATERIAL_LIFETIME_SECS};
use crate::clock::SharedClock;
use crate::hello::{HelloInfo, MAX_CACHE_KEY_LEN};
use crate::owner::Owner;

/// What a server connection takes from its config to resume sessions.
pub struct ServerSettings {
    pub keys: Arc<TicketKeyStore>,
    pub clock: SharedClock,
    /// Stateless resumption (`s2n_config_set_session_tickets_onoff`).
    pub session_tickets: bool,
    pub require_forward_secrecy: bool,
    /// The application's cache, when on.
    pub cache: Option<Arc<dyn SessionCache>>,
    pub initial_ticket_count: u8,
    /// Names the connection to the application's callbacks.
    pub owner: Owner,
    /// The most early data accepted (0: none), and the context stored with new
    /// sessions. Early data needs the cache on and tickets off.
    pub early_data: (u32, Vec<u8>),
}

/// A server connection's view of the application's cache, detached from the
/// connection: deletes its session.
pub struct SessionForgetter(Arc<ConnCache>);

impl SessionForgetter {
    pub fn forget(&self) {
        self.0.delete_session();
    }
}

/// Per-connection server resumption state.
#[derive(Debug)]
pub struct ServerResumption {
    keying_material_lifetime: u32,
    /// Tickets added with `s2n_connection_add_new_tickets_to_send`.
    extra_tickets: u16,
    ticketer: Option<Arc<ConnTicketer>>,
    cache: Option<Arc<ConnCache>>,
    /// TLS1.3 cache tickets (cache on, tickets off).
    cache_tickets: Option<Arc<CacheTickets>>,
    /// The cache lookup for this ClientHello is done (hit or miss).
    looked_up: bool,
    ticket_previewed: bool,
    /// rustls' own stateful TLS1.3 tickets, so that it accepts early data.
    early_data: bool,
}

impl Default for ServerResumption {
    fn default() -> Self {
        ServerResumption {
            keying_material_lifetime: DEFAULT_KEYING_MATERIAL_LIFETIME_SECS,
            extra_tickets: 0,
            ticketer: None,
            cache: None,
            cache_tickets: None,
            looked_up: false,
            ticket_previewed: false,
            early_data: false,
        }
    }
}

impl ServerResumption {
    /// More TLS1.3 tickets after this handshake (the caller checks it has not begun).
    pub fn add_new_tickets(&mut self, count: u8) {
        self.extra_tickets = self.extra_tickets.saturating_add(u16::from(count));
    }

    /// `s2n_connection_get_tickets_sent`.
    pub fn tickets_sent(&self) -> u16 {
        self.ticketer.as_ref().map_or(0, |t| t.tickets_issued())
    }

    /// `s2n_connection_set_server_keying_material_lifetime`.
    pub fn set_keying_material_lifetime(&mut self, secs: u32) {
        self.keying_material_lifetime = secs;
        if let Some(t) = &self.ticketer {
            t.set_keying_material_lifetime(secs);
        }
    }

    /// The server's rustls config: `base` itself, or with tickets or the cache on,
    /// a cheap clone carrying this connection's ticketer, cache and ticket count.
    pub fn tls_config(
        &mut self,
        base: Arc<rustls::ServerConfig>,
        s: ServerSettings,
    ) -> Arc<rustls::ServerConfig> {
        if !s.session_tickets && s.cache.is_none() {
            return base;
        }
        let mut c = (*base).clone();
        if s.session_tickets {
            let ticketer = Arc::new(ConnTicketer::new(
                s.keys.clone(),
                s.clock.clone(),
                s.require_forward_secrecy,
            ));
            ticketer.set_keying_material_lifetime(self.keying_material_lifetime);
            c.ticketer = ticketer.clone();
            self.ticketer = Some(ticketer);
        }
        if let Some(app) = s.cache {
            let (max_early, context) = s.early_data;
            self.early_data = !s.session_tickets && max_early > 0;
            let mut cache = ConnCache::new(app, s.keys, s.clock, s.owner);
            if self.early_data {
                // rustls accepts early data only with its own stateful tickets
                // (its ticketer off), each session taken from the cache once.
                cache = cache.with_early_data(context);
                c.max_early_data_size = max_early;
            }
            let cache = Arc::new(cache);
            c.session_storage = cache.clone();
            if !s.session_tickets && !self.early_data {
                let tickets = Arc::new(CacheTickets::new(cache.clone()));
                c.ticketer = tickets.clone();
                self.cache_tickets = Some(tickets);
            }
            self.cache = Some(cache);
        }
        // TLS1.3 tickets: stateless with tickets on, else (cache on) cache keys.
        c.send_tls13_tickets =
            usize::from(s.initial_ticket_count) + usize::from(self.extra_tickets);
        Arc::new(c)
    }

    /// Whether a cache lookup is still owed for a ClientHello already read (a
    /// blocked retrieve is asked again).
    pub fn lookup_pending(&self) -> bool {
        self.cache.is_some() && !self.looked_up
    }

    /// The key this ClientHello's session would have in the cache: the TLS1.3 PSK
    /// identity when TLS1.3 will be negotiated without tickets (rustls' stateful
    /// tickets), else the TLS1.2 session ID. None longer than s2n ever looks up
    /// (callbacks written for s2n may copy keys into 32-byte buffers).
    fn cache_key(&self, hello: &HelloInfo, tls13: bool) -> Option<Vec<u8>> {
        let key = match tls13 {
            true if self.ticketer.is_some() => return None,
            // rustls' own stateful tickets (early data on).
            true if self.early_data => {
                return hello
                    .psk_identity()
                    .filter(|k| k.len() == RUSTLS_TICKET_LEN)
                    .map(early_ticket_key)
            }
            // Only rs2n's own TLS1.3 cache keys can be in the cache: any other
            // identity is not looked up.
            true => hello
                .psk_identity()
                .filter(|k| k.len() == TLS13_CACHE_KEY_LEN)?,
            false => &hello.session_id,
        };
        (!key.is_empty() && key.len() <= MAX_CACHE_KEY_LEN.max(TLS13_CACHE_KEY_LEN))
            .then(|| key.to_vec())
    }

    /// Looks the session up in the application's cache before rustls reads the
    /// ClientHello. `false` while the callback is blocked: ask again later.
    /// `tls13`: TLS1.3 will be negotiated.
    pub fn cache_lookup(&mut self, hello: &HelloInfo, tls13: bool) -> bool {
        let Some(cache) = self.cache.clone() else {
            return true;
        };
        if self.looked_up {
            return true;
        }
        if let Some(key) = self.cache_key(hello, tls13) {
            if !cache.prefetch(&key) {
                return false;
            }
        }
        self.looked_up = true;
        true
    }

    /// Lets the ticketer open an offered TLS1.2 ticket before rustls reads the
    /// ClientHello (see `ConnTicketer::preview_tls12`). Once per connection.
    pub fn preview_ticket(&mut self, hello: &HelloInfo, tls13: bool) {
        if self.ticket_previewed {
            return;
        }
        self.ticket_previewed = true;
        if tls13 {
            return;
        }
        if let Some(tickets) = &self.cache_tickets {
            tickets.expect_tls12();
        }
        if let (Some(ticketer), Some(ticket)) = (&self.ticketer, &hello.session_ticket) {
            ticketer.preview_tls12(ticket);
        }
    }

    /// The early data a TLS1.3 ClientHello offers could be accepted by rustls: its
    /// first PSK names a session found in the cache, and early data is on. Its
    /// context comes with it.
    pub fn early_data_candidate(&self) -> Option<Vec<u8>> {
        let cache = self.cache.as_ref().filter(|_| self.early_data)?;
        if !cache.prefetch_hit() {
            return None;
        }
        Some(cache.offered_context().unwrap_or_default())
    }

    /// `s2n_connection_set_server_early_data_context` once the rustls config is
    /// made: the sessions stored from now on carry `context` (early data on).
    pub fn set_early_data_context(&self, context: &[u8]) {
        if let Some(cache) = self.cache.as_ref().filter(|_| self.early_data) {
            cache.set_early_data_context(context);
        }
    }

    /// The key of this connection's session in the server's cache, if any.
    pub fn cached_session_key(&self) -> Option<Vec<u8>> {
        self.cache.as_ref().and_then(|c| c.session_key())
    }

    /// The connection failed, or the peer closed without close_notify: the session
    /// it put in or took from the cache is deleted from it, as in s2n.
    pub fn forget_session(&self) {
        if let Some(cache) = &self.cache {
            cache.delete_session();
        }
    }

    /// What `forget_session` needs, to call it without the connection (so without
    /// its lock).
    pub fn session_forgetter(&self) -> Option<SessionForgetter> {
        self.cache.clone().map(SessionForgetter)
    }

    /// Whether this TLS1.2 handshake issued a ticket.
    pub fn tls12_ticket_issued(&self) -> bool {
        self.ticketer
            .as_ref()
            .is_some_and(|t| t.tls12_ticket_issued())
    }
}
