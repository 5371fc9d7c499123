//! Client sessions: what `s2n_connection_get_session` hands out and
//! `s2n_connection_set_session` takes back, and rustls' `ClientSessionStore` for one
//! connection.
//!
//! rustls 0.23 cannot serialize a client session (no codec, no public constructor:
//! rustls issue 2287), so the bytes an application holds carry what may be
//! inspected of the session and an authenticated reference (see
//! [`super::session_bytes`]) into a registry in this process. They resume in the
//! process that got them; from another process, or after a restart, they are
//! accepted and the handshake is a full one; this process's bytes that were
//! altered are rejected.
//!
//! A TLS1.2 session can be offered again and again. A TLS1.3 ticket resumes once
//! (rustls' tickets are single-use, as RFC 8446 recommends), so TLS1.3 bytes name
//! a *line*: the tickets of the connection that made it, and of every connection
//! that offered the line since. Each offer takes the line's newest ticket; the
//! tickets the server sends on that connection join the line. So bytes saved once
//! keep resuming, each time with a fresh ticket, for as long as the server sends
//! new tickets on resumed connections. A line runs dry when every ticket was
//! offered and no new one came (a server that sends none after a resumption, or a
//! client with tickets off): offering it then gives a full handshake, whose
//! tickets fill it again. Two connections offering the same bytes at once take
//! two tickets; when only one is left, one resumes and the other has a full
//! handshake. A line keeps at most [`super::session_line::LINE_CAPACITY`] tickets
//! (the oldest go).
//!
//! The registry holds at most [`REGISTRY_CAPACITY`] tickets and TLS1.2 sessions:
//! when full, expired ones go first, then the least recently renewed (see
//! [`super::session_registry`]). Each session keeps the rustls config that
//! received it alive, since rustls resumes a session only under the very
//! certificate verifier that accepted it: so a session still resumes after its
//! config was freed, on a new config with the same trust.

use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;
use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

pub use super::session_bytes::SessionRef;
use super::session_bytes::{self, Handle, SessionFacts};
use super::session_line::{read_lifetime, Line, Ticket};
use super::session_registry::Registry;
use crate::error::Result;
use crate::hello::SessionId;
use crate::sync;

/// Tickets and TLS1.2 sessions the registry keeps at most.
pub(crate) const REGISTRY_CAPACITY: usize = 16 * 1024;

enum Stored {
    Tls12 {
        value: Tls12ClientSessionValue,
        has_ticket: bool,
        lifetime_secs: u32,
    },
    Tls13(Line),
}

/// A stored session.
struct Entry {
    stored: Stored,
    /// Keeps the verifier that accepted the session alive (rustls holds it only
    /// weakly), so the shared verifier cache still hands it to new configs.
    _config: Arc<rustls::ClientConfig>,
}

static REGISTRY: Lazy<Mutex<Registry<Entry>>> =
    Lazy::new(|| Mutex::new(Registry::new(REGISTRY_CAPACITY)));

fn registry() -> MutexGuard<'static, Registry<Entry>> {
    sync::lock(&REGISTRY)
}

/// Forgets every client session of the process (`s2n_cleanup_final`): bytes saved
/// from them no longer resume (a full handshake), and their memory is released.
pub fn forget_all_sessions() {
    let old = std::mem::replace(&mut *registry(), Registry::new(REGISTRY_CAPACITY));
    drop(old); // outside the lock
}

/// A session as the application sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The bytes for `s2n_connection_set_session`.
    pub bytes: Vec<u8>,
    /// The ticket's lifetime hint in seconds (0 for a session-ID session, or a
    /// TLS1.3 ticket's not read yet: see [`SessionInfo::lifetime`]).
    pub lifetime_secs: u32,
    /// Whether the session came with a ticket (TLS1.3 always; TLS1.2 if the server
    /// sent one) rather than a session ID alone.
    pub has_ticket: bool,
    /// s2n's number of the protocol version (33 or 34).
    pub protocol: u8,
    /// A TLS1.3 ticket: its line and number there, to read its lifetime when asked.
    pub ticket_ref: Option<(Handle, u64)>,
}

impl SessionInfo {
    /// The ticket's lifetime hint, in seconds (0 for a session-ID session). A
    /// TLS1.3 ticket's is read from rustls the first time it is asked for.
    pub fn lifetime(&self) -> u32 {
        match self.ticket_ref {
            Some((line, seq)) if self.lifetime_secs == 0 => ticket_lifetime(&line, seq),
            _ => self.lifetime_secs,
        }
    }

    fn new(
        handle: &Handle,
        facts: &SessionFacts,
        ticket_ref: Option<(Handle, u64)>,
    ) -> Option<SessionInfo> {
        Some(SessionInfo {
            bytes: session_bytes::encode(handle, facts)?,
            lifetime_secs: facts.lifetime_secs,
            has_ticket: facts.ticket.is_some(),
            protocol: facts.protocol,
            ticket_ref,
        })
    }
}

/// The ticket numbered `seq` of a line, or its newest if that one was taken (and
/// whether it is the newest).
fn find_ticket<'r>(
    r: &'r mut Registry<Entry>,
    line_handle: &Handle,
    seq: u64,
) -> Option<(&'r mut Ticket, bool)> {
    let Some(Entry {
        stored: Stored::Tls13(line),
        ..
    }) = r.get_mut(line_handle)
    else {
        return None;
    };
    let newest = line.tickets.len().checked_sub(1)?;
    let at = line
        .tickets
        .iter()
        .position(|t| t.seq == seq)
        .unwrap_or(newest);
    Some((line.tickets.get_mut(at)?, at == newest))
}

/// A TLS1.3 ticket's lifetime, read from rustls once (0 if the ticket is gone).
fn ticket_lifetime(line_handle: &Handle, seq: u64) -> u32 {
    let mut r = registry();
    let Some((t, newest)) = find_ticket(&mut r, line_handle, seq) else {
        return 0;
    };
    let lifetime = *t.lifetime.get_or_insert_with(|| read_lifetime(&t.value));
    if newest && lifetime > 0 {
        r.learned_lifetime(line_handle, lifetime);
    }
    lifetime
}

/// Checks session bytes. Malformed bytes, and bytes of this process that do not
/// authenticate, are an error (as s2n rejects them); well-formed bytes from another
/// process, or s2n-tls's own, are accepted and resume nothing.
pub fn parse_session(bytes: &[u8]) -> Result<SessionRef> {
    session_bytes::parse(bytes)
}

/// Whether bytes of this process name a session it can offer now (a TLS1.2
/// session, or a TLS1.3 line with a ticket left).
pub fn resumable(bytes: &[u8]) -> bool {
    let Ok(SessionRef {
        handle: Some(handle),
        ..
    }) = parse_session(bytes)
    else {
        return false;
    };
    match registry().get(&handle) {
        Some(Entry {
            stored: Stored::Tls13(line),
            ..
        }) => !line.tickets.is_empty(),
        Some(_) => true,
        None => false,
    }
}

/// What the connection read of its cleartext handshake (see [`ConnSessions::note_wire`]).
#[derive(Clone, Debug, Default)]
pub struct WireFacts {
    pub client_session_id: SessionId,
    pub server_session_id: SessionId,
    /// The TLS1.2 NewSessionTicket's lifetime and ticket.
    pub tls12_ticket: Option<(u32, Vec<u8>)>,
    /// The cipher suite the ServerHello selected.
    pub suite: Option<[u8; 2]>,
}

impl WireFacts {
    fn tls12_resumed(&self) -> bool {
        !self.server_session_id.is_empty() && self.server_session_id == self.client_session_id
    }
}

/// Receives what rustls reports while a connection runs.
#[derive(Default)]
struct State {
    offered12: Option<Tls12ClientSessionValue>,
    /// What this connection's cleartext handshake showed: the session IDs of the
    /// ClientHello and ServerHello (equal and non-empty: a TLS1.2 resumption) and
    /// the TLS1.2 NewSessionTicket.
    wire: WireFacts,
    offered13: Option<Tls13ClientSessionValue>,
    /// The TLS1.3 line this connection's tickets join: the one it offered, or a
    /// new one at its first ticket.
    line: Option<Handle>,
    latest: Option<SessionInfo>,
    /// Tickets received and not yet reported to the application's callback.
    pending: Vec<SessionInfo>,
    kx_hint: Option<NamedGroup>,
    tls12_ticket_received: bool,
}

/// One client connection's session store: offers the session the application set,
/// and registers each new session rustls receives.
pub struct ConnSessions {
    state: Mutex<State>,
    tickets_on: bool,
    clock: crate::clock::SharedClock,
    /// The connection's base rustls config, kept alive by the sessions it receives.
    config: Arc<rustls::ClientConfig>,
    /// Whether tickets received are kept for a ticket callback (`take_pending`).
    keep_pending: bool,
}

impl std::fmt::Debug for ConnSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnSessions").finish_non_exhaustive()
    }
}

impl ConnSessions {
    /// `config` is the rustls config (without this store) the connection is built from.
    pub fn new(
        tickets_on: bool,
        clock: crate::clock::SharedClock,
        config: Arc<rustls::ClientConfig>,
    ) -> Self {
        ConnSessions {
            state: Mutex::new(State::default()),
            tickets_on,
            clock,
            config,
            keep_pending: true,
        }
    }

    /// Without a ticket callback to hand them to, tickets received are not kept
    /// for one (a copy of each session's bytes).
    pub fn with_ticket_callback(mut self, callback: bool) -> Self {
        self.keep_pending = callback;
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        sync::lock(&self.state)
    }

    /// Offers a session on the next handshake: a TLS1.2 session as it is, the
    /// newest ticket of a TLS1.3 line (taken out of it). Bytes that name nothing
    /// here offer nothing.
    pub fn offer(&self, session: &SessionRef, bytes: Vec<u8>) {
        let Some(handle) = session.handle else { return };
        let now = self.now_secs();
        let mut r = registry();
        let mut s = self.state();
        if session.protocol() == 34 {
            // The tickets this connection receives join the line, also if it was
            // dropped meanwhile (a full handshake then starts it again).
            s.line = Some(handle);
        }
        match r.get_mut(&handle) {
            Some(Entry {
                stored:
                    Stored::Tls12 {
                        value,
                        has_ticket,
                        lifetime_secs,
                    },
                ..
            }) => {
                s.offered12 = Some(value.clone());
                // A TLS1.2 session stays what get_session returns until a new one.
                s.latest = Some(SessionInfo {
                    bytes,
                    lifetime_secs: *lifetime_secs,
                    has_ticket: *has_ticket,
                    protocol: 33,
                    ticket_ref: None,
                });
            }
            Some(Entry {
                stored: Stored::Tls13(line),
                ..
            }) => {
                s.offered13 = line.take_newest(now);
                let weight = line.tickets.len();
                r.reweigh(&handle, weight, None, now);
            }
            None => {}
        }
    }

    /// Whether this connection received a TLS1.2 ticket.
    pub fn tls12_ticket_received(&self) -> bool {
        self.state().tls12_ticket_received
    }

    /// The most recent session, for `s2n_connection_get_session`.
    pub fn latest(&self) -> Option<SessionInfo> {
        self.state().latest.clone()
    }

    /// `f` on the latest session, without copying it (its bytes are read out
    /// whole by `s2n_connection_get_session`). `f` must take no other lock.
    pub fn with_latest<T>(&self, f: impl FnOnce(Option<&SessionInfo>) -> T) -> T {
        f(self.state().latest.as_ref())
    }

    /// Tickets received since the last call, for the ticket callback.
    pub fn take_pending(&self) -> Vec<SessionInfo> {
        std::mem::take(&mut self.state().pending)
    }

    fn now_nanos(&self) -> u64 {
        self.clock.now_nanos().unwrap_or(0)
    }

    fn now_secs(&self) -> u64 {
        self.now_nanos() / 1_000_000_000
    }

    /// Records what the connection read of its cleartext handshake; called before
    /// rustls processes the bytes it was read from.
    /// The ticket is copied only when it changed (this runs at every read).
    pub fn note_wire(
        &self,
        client_session_id: SessionId,
        server_session_id: SessionId,
        tls12_ticket: Option<&(u32, Vec<u8>)>,
        suite: Option<[u8; 2]>,
    ) {
        let mut s = self.state();
        let wire = &mut s.wire;
        wire.client_session_id = client_session_id;
        wire.server_session_id = server_session_id;
        wire.suite = suite;
        if wire.tls12_ticket.as_ref() != tls12_ticket {
            wire.tls12_ticket = tls12_ticket.cloned();
        }
    }

    fn report(&self, received: SessionInfo, has_ticket: bool) {
        let mut s = self.state();
        if has_ticket && self.keep_pending {
            s.pending.push(received.clone());
        }
        s.latest = Some(received);
    }
}

impl ClientSessionStore for ConnSessions {
    fn set_kx_hint(&self, _: ServerName<'static>, group: NamedGroup) {
        self.state().kx_hint = Some(group);
    }

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        self.state().kx_hint
    }

    /// A TLS1.2 session, after a full handshake or (rustls saves it again) a
    /// resumption. The facts come from the cleartext handshake, not from `value`.
    fn set_tls12_session(&self, _: ServerName<'static>, value: Tls12ClientSessionValue) {
        // The wire's ticket is copied, not taken: the facts stay as read.
        let (resumed, server_session_id, suite, lifetime, ticket) = {
            let s = self.state();
            let (lifetime, ticket) = match &s.wire.tls12_ticket {
                Some((lifetime, ticket)) if !ticket.is_empty() => (*lifetime, Some(ticket.clone())),
                _ => (0, None),
            };
            let wire = &s.wire;
            (
                wire.tls12_resumed(),
                wire.server_session_id,
                wire.suite,
                lifetime,
                ticket,
            )
        };
        if resumed && ticket.is_none() {
            // The resumed session, saved again: nothing new.
            return;
        }
        let has_ticket = ticket.is_some();
        let now = self.now_nanos();
        let facts = SessionFacts {
            session_id: if has_ticket {
                Vec::new()
            } else {
                server_session_id.to_vec()
            },
            ticket,
            protocol: 33,
            cipher_suite: suite.unwrap_or_default(),
            saved_at_nanos: now,
            lifetime_secs: lifetime,
            max_early_data: 0,
        };
        let entry = Entry {
            stored: Stored::Tls12 {
                value,
                has_ticket,
                lifetime_secs: lifetime,
            },
            _config: self.config.clone(),
        };
        // Not stored (no randomness): nothing to hand out.
        let Some(handle) = session_bytes::new_handle() else {
            return;
        };
        if !registry().insert(handle, entry, now / 1_000_000_000, lifetime) {
            return;
        }
        let Some(info) = SessionInfo::new(&handle, &facts, None) else {
            return;
        };
        self.state().tls12_ticket_received |= has_ticket;
        self.report(info, has_ticket);
    }

    /// Asked once, as rustls writes the ClientHello: the offer is handed over.
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.state().offered12.take()
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {
        self.state().offered12 = None;
    }

    /// A TLS1.3 ticket joins the connection's line.
    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        if !self.tickets_on {
            return;
        }
        let now = self.now_nanos();
        let now_secs = now / 1_000_000_000;
        // What rustls exposes of the ticket; not the ticket itself nor its lifetime
        // (only in its `Debug` form, ~4 µs: read when the lifetime is asked for).
        let facts = SessionFacts {
            ticket: Some(Vec::new()),
            protocol: 34,
            cipher_suite: u16::from(value.suite().common.suite).to_be_bytes(),
            saved_at_nanos: now,
            max_early_data: value.max_early_data_size(),
            ..SessionFacts::default()
        };
        let mut r = registry();
        let line = self.state().line;
        let joined = line.and_then(|handle| match r.get_mut(&handle) {
            Some(Entry {
                stored: Stored::Tls13(line),
                ..
            }) => Some((handle, line)),
            _ => None,
        });
        let (handle, seq) = match joined {
            Some((handle, line)) => {
                let seq = line.push(value, now);
                let weight = line.tickets.len();
                r.reweigh(&handle, weight, Some((now_secs, 0)), now_secs);
                (handle, seq)
            }
            None => {
                // A new line, under the handle the connection offered if it was
                // dropped meanwhile (its bytes name it), else a fresh one.
                let Some(handle) = line.or_else(session_bytes::new_handle) else {
                    return;
                };
                let mut fresh = Line::default();
                let seq = fresh.push(value, now);
                let entry = Entry {
                    stored: Stored::Tls13(fresh),
                    _config: self.config.clone(),
                };
                if !r.insert(handle, entry, now_secs, 0) {
                    return;
                }
                (handle, seq)
            }
        };
        drop(r);
        self.state().line = Some(handle);
        if let Some(info) = SessionInfo::new(&handle, &facts, Some((handle, seq))) {
            self.report(info, true);
        }
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.state().offered13.take()
    }
}

/// The store as rustls wants it; with `tls12_tickets` off the client neither asks
/// for TLS1.2 tickets (no session_ticket extension) nor accepts one (rustls then
/// refuses a NewSessionTicket as unexpected).
pub fn resumption(store: Arc<ConnSessions>, tls12_tickets: bool) -> rustls::client::Resumption {
    let tls12 = if tls12_tickets {
        rustls::client::Tls12Resumption::SessionIdOrTickets
    } else {
        rustls::client::Tls12Resumption::SessionIdOnly
    };
    rustls::client::Resumption::store(store).tls12_resumption(tls12)
}

#[cfg(test)]
mod tests {
    use super::*;

    mod end_to_end {
        use std::sync::Arc;

        use crate::certs::testing::cert_file;
        use crate::config::Config;
        use crate::connection::testing::{client_config, handshake, pair, server_config};
        use crate::connection::{Connection, Mode};
        use crate::error::ErrorCode;
        use crate::resumption::session_bytes::testing::{foreign_bytes, forged_bytes, tag_range};

        fn configs(policy: &str) -> (Arc<Config>, Arc<Config>) {
            let server = server_config(policy);
            server.set_session_tickets(true).unwrap();
            server.add_ticket_key(b"session-bytes", b"k", 0).unwrap();
            let client = client_config(policy);
            client.set_session_tickets(true).unwrap();
            (server, client)
        }

        /// A connection offering `session`; whether it resumed, and its session.
        fn connect(server: &Arc<Config>, client: &Arc<Config>, session: &[u8]) -> (bool, Vec<u8>) {
            let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
            if !session.is_empty() {
                c.set_session(session).unwrap();
            }
            handshake(&mut s, &mut c).unwrap();
            // TLS1.3 tickets come after the handshake.
            assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
            (c.is_resumed(), c.session().unwrap().bytes)
        }

        const VERSIONS: [&str; 2] = ["default_tls13", "20240501"];

        #[test]
        fn altered_bytes_never_resume_and_never_consume() {
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                let (_, good) = connect(&server, &client, &[]);
                let tag = tag_range(&super::parse_session(&good).unwrap().facts);
                for i in 0..good.len() {
                    let mut b = good.clone();
                    b[i] ^= 0x01;
                    let mut c = Connection::new(Mode::Client);
                    match c.set_session(&b) {
                        Err(e) => assert_eq!(e.code, ErrorCode::InvalidSerializedSession),
                        // Only a changed process tag is accepted: a full handshake.
                        Ok(()) => {
                            assert!(tag.contains(&i), "{policy}: byte {i} accepted");
                            assert!(!connect(&server, &client, &b).0, "{policy}: byte {i}");
                        }
                    }
                }
                // The session was not used up (TLS1.3 sessions are single-use).
                assert!(connect(&server, &client, &good).0, "{policy}");
            }
        }

        #[test]
        fn connections_offering_the_same_bytes_at_once_take_distinct_tickets() {
            let (server, client) = configs("default_tls13");
            let (_, saved) = connect(&server, &client, &[]);
            // Two clients offer the saved bytes before either has finished: the
            // line's one ticket goes to the first; the second has a full handshake.
            let run_two = || {
                let mut pairs: Vec<_> = (0..2)
                    .map(|_| {
                        let (s, mut c, _, _) = pair(server.clone(), client.clone());
                        c.set_session(&saved).unwrap();
                        // Builds the client and sends its ClientHello: the offer.
                        assert!(c.negotiate().unwrap_err().is_blocked());
                        (s, c)
                    })
                    .collect();
                pairs
                    .iter_mut()
                    .map(|(s, c)| {
                        handshake(s, c).unwrap();
                        assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
                        c.is_resumed()
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(run_two(), [true, false]);
            // Each brought a ticket back to the line: now both resume.
            assert_eq!(run_two(), [true, true]);
            assert!(super::resumable(&saved));
        }

        #[test]
        fn a_forged_id_is_rejected_and_consumes_nothing() {
            let (server, client) = configs("default_tls13");
            let (_, first) = connect(&server, &client, &[]);
            let (_, second) = connect(&server, &client, &[]);
            // The next session's bytes with the handle's low bits counted down (the
            // old format's sequential id sat there).
            let mut guess = second.clone();
            let at = tag_range(&super::parse_session(&second).unwrap().facts).end + 15;
            guess[at] = guess[at].wrapping_sub(1);
            let handle = super::parse_session(&first).unwrap().handle.unwrap();
            for forged in [guess, forged_bytes(&handle)] {
                let mut c = Connection::new(Mode::Client);
                let e = c.set_session(&forged).unwrap_err();
                assert_eq!(e.code, ErrorCode::InvalidSerializedSession);
            }
            assert!(connect(&server, &client, &first).0);
            assert!(connect(&server, &client, &second).0);
        }

        #[test]
        fn another_process_bytes_give_a_full_handshake() {
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                let protocol = if policy == "default_tls13" { 34 } else { 33 };
                let (resumed, fresh) = connect(&server, &client, &foreign_bytes(protocol, 3600));
                assert!(!resumed, "{policy}");
                assert!(super::parse_session(&fresh).unwrap().handle.is_some());
            }
        }

        #[test]
        fn a_client_requiring_forward_secrecy_takes_no_tls12_ticket() {
            const SESSION_TICKET_EXT: u16 = 35;
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                client.require_ticket_forward_secrecy(true).unwrap();
                let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
                handshake(&mut s, &mut c).unwrap();
                assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
                let asked = s.client_hello().unwrap().has_extension(SESSION_TICKET_EXT);
                let ticket = c.session().is_some_and(|s| s.has_ticket);
                if policy == "default_tls13" {
                    // TLS1.3 keeps forward secrecy through (EC)DHE: it still resumes.
                    assert!(ticket);
                    let saved = c.session().unwrap().bytes;
                    assert!(connect(&server, &client, &saved).0);
                } else {
                    assert!(!asked && !ticket);
                    assert!(c.session_ticket_lifetime_hint().is_err());
                }
            }
            // The control: without the flag, the same TLS1.2 client asks and gets one.
            let (server, client) = configs("20240501");
            let (mut s, mut c, _, _) = pair(server, client);
            handshake(&mut s, &mut c).unwrap();
            assert!(s.client_hello().unwrap().has_extension(SESSION_TICKET_EXT));
            assert!(c.session().unwrap().has_ticket);
        }

        #[test]
        fn a_session_resumes_on_a_new_config_after_the_old_one_was_freed() {
            // Trust settings no other test uses, so no other config keeps their
            // verifier alive.
            let unique_trust = |c: &Config| {
                c.add_pem_to_trust_store(&cert_file("rsa2048_cert.pem"))
                    .unwrap();
            };
            for policy in VERSIONS {
                let (server, client) = configs(policy);
                unique_trust(&client);
                let (_, saved) = connect(&server, &client, &[]);
                // A reload: the only config with these trust settings goes away.
                drop(client);
                let (_, reloaded) = configs(policy);
                unique_trust(&reloaded);
                assert!(connect(&server, &reloaded, &saved).0, "{policy}");
            }
        }
    }
}
