//! Client sessions: what `s2n_connection_get_session` hands out and
//! `s2n_connection_set_session` takes back, and rustls' `ClientSessionStore` for one
//! connection.
//!
//! rustls 0.23 cannot serialize a client session (no codec, no public constructor:
//! rustls issue 2287), so the bytes an application holds are an opaque, versioned
//! reference into a registry in this process. They resume in the process that got
//! them; from another process, or after a restart, they are accepted and the
//! handshake is a full one. A TLS1.3 session resumes once (rustls' sessions are
//! single-use, as RFC 8446 recommends); a TLS1.2 session can be reused.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;
use ring::rand::{SecureRandom, SystemRandom};
use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::NamedGroup;

use crate::error::{Error, ErrorCode, Result};
use crate::sync;

const MAGIC: &[u8; 4] = b"RS2N";
const FORMAT: u8 = 1;
/// magic, format, process tag, entry id, protocol, lifetime, received at.
pub(crate) const SESSION_LEN: usize = 4 + 1 + 16 + 8 + 1 + 4 + 8;
/// Sessions the registry keeps at most; the oldest go first.
const REGISTRY_CAPACITY: usize = 16 * 1024;

enum Stored {
    Tls12(Tls12ClientSessionValue),
    Tls13(Tls13ClientSessionValue),
}

/// A session and what we learned of it when it arrived (so offering it needs no
/// look inside rustls' value).
struct Entry {
    stored: Stored,
    has_ticket: bool,
    /// None until asked for (TLS1.3: reading it from rustls costs ~10 µs, too
    /// much for every ticket).
    lifetime_secs: Option<u32>,
}

struct Registry {
    tag: [u8; 16],
    next_id: u64,
    entries: HashMap<u64, Entry>,
    order: VecDeque<u64>,
}

static REGISTRY: Lazy<Mutex<Registry>> = Lazy::new(|| {
    let mut tag = [0u8; 16];
    // Without randomness the tag is zero: bytes then still work in this process.
    let _ = SystemRandom::new().fill(&mut tag);
    Mutex::new(Registry {
        tag,
        next_id: 1,
        entries: HashMap::new(),
        order: VecDeque::new(),
    })
});

fn registry() -> MutexGuard<'static, Registry> {
    sync::lock(&REGISTRY)
}

/// A field of rustls' `Debug` form of a session, up to the next separator.
fn debug_field<'a>(debug: &'a str, name: &str) -> Option<&'a str> {
    let start = debug.find(name)? + name.len();
    let rest = &debug[start..];
    let end = rest.find([',', ' ', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// What rustls shows of a session only through `Debug`: its ticket's length and
/// lifetime. Pinned by tests against the locked rustls version.
fn debug_facts(debug: &str) -> (usize, u32) {
    let ticket_len = debug_field(debug, "ticket: ").map_or(0, |hex| hex.len() / 2);
    let lifetime = debug_field(debug, "lifetime_secs: ")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticket_len, lifetime)
}

/// Collects a `Debug` form only up to the lifetime: the ticket and lifetime come
/// before the server's certificate chain, which costs ~15 µs to format in full.
#[derive(Default)]
struct UntilLifetime {
    text: String,
    /// Where the lifetime's digits start, once the field name was written.
    digits_at: Option<usize>,
}

const LIFETIME_FIELD: &str = "lifetime_secs: ";

impl std::fmt::Write for UntilLifetime {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let from = self.text.len().saturating_sub(LIFETIME_FIELD.len());
        self.text.push_str(s);
        if self.digits_at.is_none() {
            self.digits_at = self.text[from..]
                .find(LIFETIME_FIELD)
                .map(|at| from + at + LIFETIME_FIELD.len());
        }
        match self.digits_at {
            // Stop once something other than the lifetime's digits follows it.
            Some(at) if self.text[at..].contains(|c: char| !c.is_ascii_digit()) => {
                Err(std::fmt::Error)
            }
            _ => Ok(()),
        }
    }
}

/// The ticket length and lifetime of a rustls session, cheaply.
fn session_facts(value: &dyn std::fmt::Debug) -> (usize, u32) {
    let mut w = UntilLifetime::default();
    let _ = std::fmt::write(&mut w, format_args!("{value:?}"));
    debug_facts(&w.text)
}

/// A session as the application sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The bytes for `s2n_connection_set_session`.
    pub bytes: Vec<u8>,
    /// The ticket's lifetime hint in seconds, if known yet (see [`SessionInfo::lifetime`]).
    pub lifetime_secs: Option<u32>,
    /// Whether the session came with a ticket (TLS1.3 always; TLS1.2 if the server
    /// sent one) rather than a session ID alone.
    pub has_ticket: bool,
    /// s2n's number of the protocol version (33 or 34).
    pub protocol: u8,
}

impl SessionInfo {
    /// The ticket's lifetime hint, in seconds (0 for a session-ID session, or a
    /// session no longer in this process).
    pub fn lifetime(&self) -> u32 {
        self.lifetime_secs
            .unwrap_or_else(|| lifetime_of(&self.bytes))
    }
}

/// The lifetime of a registered session, read from rustls the first time it is asked.
fn lifetime_of(bytes: &[u8]) -> u32 {
    let Ok(SessionRef {
        local_id: Some(id), ..
    }) = parse_session(bytes)
    else {
        return 0;
    };
    let mut r = registry();
    let Some(entry) = r.entries.get_mut(&id) else {
        return 0;
    };
    if let Some(l) = entry.lifetime_secs {
        return l;
    }
    let (_, lifetime) = match &entry.stored {
        Stored::Tls12(v) => session_facts(v),
        Stored::Tls13(v) => session_facts(v),
    };
    entry.lifetime_secs = Some(lifetime);
    lifetime
}

fn register(entry: Entry, protocol: u8, now_secs: u64) -> Vec<u8> {
    let lifetime_secs = entry.lifetime_secs.unwrap_or(0);
    let mut r = registry();
    let id = r.next_id;
    r.next_id += 1;
    r.entries.insert(id, entry);
    r.order.push_back(id);
    while r.order.len() > REGISTRY_CAPACITY {
        if let Some(old) = r.order.pop_front() {
            r.entries.remove(&old);
        }
    }
    let mut bytes = Vec::with_capacity(SESSION_LEN);
    bytes.extend_from_slice(MAGIC);
    bytes.push(FORMAT);
    bytes.extend_from_slice(&r.tag);
    bytes.extend_from_slice(&id.to_be_bytes());
    bytes.push(protocol);
    bytes.extend_from_slice(&lifetime_secs.to_be_bytes());
    bytes.extend_from_slice(&now_secs.to_be_bytes());
    bytes
}

/// A parsed session: which registry entry it names, if it is from this process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRef {
    local_id: Option<u64>,
    pub protocol: u8,
    pub lifetime_secs: u32,
}

/// Checks session bytes. Malformed bytes are an error (as s2n rejects them);
/// well-formed bytes from another process are accepted and resume nothing.
pub fn parse_session(bytes: &[u8]) -> Result<SessionRef> {
    let bad = |why: &str| {
        Err(Error::new(
            ErrorCode::InvalidSerializedSession,
            format!("session bytes are not valid: {why}"),
        ))
    };
    if bytes.len() != SESSION_LEN {
        return bad(&format!(
            "{} bytes, an rs2n session is {SESSION_LEN}",
            bytes.len()
        ));
    }
    if &bytes[..4] != MAGIC {
        return bad("not an rs2n session (s2n-tls and other libraries' sessions cannot be read)");
    }
    if bytes[4] != FORMAT {
        return bad(&format!("unknown session format {}", bytes[4]));
    }
    let protocol = bytes[29];
    if protocol != 33 && protocol != 34 {
        return bad(&format!("unknown protocol version {protocol}"));
    }
    let same_process = bytes[5..21] == registry().tag;
    let id = u64::from_be_bytes(bytes[21..29].try_into().unwrap_or_default());
    Ok(SessionRef {
        local_id: same_process.then_some(id),
        protocol,
        lifetime_secs: u32::from_be_bytes(bytes[30..34].try_into().unwrap_or_default()),
    })
}

/// What the connection read of its cleartext handshake (see [`ConnSessions::note_wire`]).
#[derive(Clone, Debug, Default)]
pub struct WireFacts {
    pub client_session_id: Vec<u8>,
    pub server_session_id: Vec<u8>,
    pub tls12_ticket: Option<(u32, bool)>,
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
    /// the TLS1.2 NewSessionTicket's lifetime and whether it held a ticket.
    wire: WireFacts,
    offered13: Option<Tls13ClientSessionValue>,
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
}

impl std::fmt::Debug for ConnSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnSessions").finish_non_exhaustive()
    }
}

impl ConnSessions {
    pub fn new(tickets_on: bool, clock: crate::clock::SharedClock) -> Self {
        ConnSessions {
            state: Mutex::new(State::default()),
            tickets_on,
            clock,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        sync::lock(&self.state)
    }

    /// Offers a session on the next handshake. A TLS1.3 session is taken out of
    /// the registry (single use); bytes that name nothing here offer nothing.
    pub fn offer(&self, session: &SessionRef, bytes: &[u8]) {
        let Some(id) = session.local_id else { return };
        let mut r = registry();
        let mut s = self.state();
        match r.entries.get(&id) {
            Some(Entry {
                stored: Stored::Tls12(v),
                has_ticket,
                lifetime_secs,
            }) => {
                s.offered12 = Some(v.clone());
                // A TLS1.2 session stays what get_session returns until a new one.
                s.latest = Some(SessionInfo {
                    bytes: bytes.to_vec(),
                    lifetime_secs: *lifetime_secs,
                    has_ticket: *has_ticket,
                    protocol: 33,
                });
            }
            Some(Entry {
                stored: Stored::Tls13(_),
                ..
            }) => {
                if let Some(Entry {
                    stored: Stored::Tls13(v),
                    ..
                }) = r.entries.remove(&id)
                {
                    s.offered13 = Some(v);
                }
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

    /// Tickets received since the last call, for the ticket callback.
    pub fn take_pending(&self) -> Vec<SessionInfo> {
        std::mem::take(&mut self.state().pending)
    }

    fn now_secs(&self) -> u64 {
        self.clock
            .now_nanos()
            .map(|n| n / 1_000_000_000)
            .unwrap_or(0)
    }

    /// Records what the connection read of its cleartext handshake; called before
    /// rustls processes the bytes it was read from.
    pub fn note_wire(&self, facts: WireFacts) {
        self.state().wire = facts;
    }

    fn received(&self, stored: Stored, protocol: u8, has_ticket: bool, lifetime_secs: Option<u32>) {
        let entry = Entry {
            stored,
            has_ticket,
            lifetime_secs,
        };
        let bytes = register(entry, protocol, self.now_secs());
        let info = SessionInfo {
            bytes,
            lifetime_secs,
            has_ticket,
            protocol,
        };
        let mut s = self.state();
        if info.has_ticket {
            s.tls12_ticket_received |= protocol == 33;
            s.pending.push(info.clone());
        }
        s.latest = Some(info);
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
        let wire = self.state().wire.clone();
        let (lifetime, has_ticket) = match wire.tls12_ticket {
            Some((lifetime, true)) => (lifetime, true),
            _ => (0, false),
        };
        if wire.tls12_resumed() && !has_ticket {
            // The resumed session, saved again: nothing new.
            return;
        }
        self.received(Stored::Tls12(value), 33, has_ticket, Some(lifetime));
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.state().offered12.clone()
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {
        self.state().offered12 = None;
    }

    fn insert_tls13_ticket(&self, _: ServerName<'static>, value: Tls13ClientSessionValue) {
        if !self.tickets_on {
            return;
        }
        // A TLS1.3 session always has a ticket; its lifetime is read when asked.
        self.received(Stored::Tls13(value), 34, true, None);
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        self.state().offered13.take()
    }
}

/// The store as rustls wants it.
pub fn resumption(store: Arc<ConnSessions>, tickets_on: bool) -> rustls::client::Resumption {
    let tls12 = if tickets_on {
        rustls::client::Tls12Resumption::SessionIdOrTickets
    } else {
        rustls::client::Tls12Resumption::SessionIdOnly
    };
    rustls::client::Resumption::store(store).tls12_resumption(tls12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_facts_reads_rustls_fields() {
        let d = "Tls13ClientSessionValue { suite: X, common: ClientSessionCommon { ticket: 0a0b0c, epoch: 5, lifetime_secs: 7200, server_cert_chain: [] } }";
        assert_eq!(debug_facts(d), (3, 7200));
        assert_eq!(
            debug_facts("ClientSessionCommon { ticket: , epoch: 1, lifetime_secs: 0 }"),
            (0, 0)
        );
    }

    #[test]
    fn until_lifetime_stops_after_the_lifetime() {
        // Read through Debug only, like rustls' own type.
        #[allow(dead_code)]
        #[derive(Debug)]
        struct Common {
            ticket: &'static str,
            epoch: u64,
            lifetime_secs: u32,
            server_cert_chain: &'static str,
        }
        let v = Common {
            ticket: "ab",
            epoch: 5,
            lifetime_secs: 7200,
            server_cert_chain: "a very long chain",
        };
        let mut w = UntilLifetime::default();
        let _ = std::fmt::write(&mut w, format_args!("{v:?}"));
        assert!(w.text.contains("lifetime_secs: 7200"));
        assert!(!w.text.contains("very long"));
        assert_eq!(debug_field(&w.text, "lifetime_secs: "), Some("7200"));
    }

    #[test]
    fn malformed_bytes_are_rejected_foreign_ones_accepted() {
        assert_eq!(
            parse_session(b"").unwrap_err().code,
            ErrorCode::InvalidSerializedSession
        );
        assert!(parse_session(&[0u8; SESSION_LEN]).is_err());
        let mut foreign = Vec::from(&MAGIC[..]);
        foreign.push(FORMAT);
        foreign.extend([0xee; 16]);
        foreign.extend(7u64.to_be_bytes());
        foreign.push(34);
        foreign.extend(3600u32.to_be_bytes());
        foreign.extend(0u64.to_be_bytes());
        let r = parse_session(&foreign).unwrap();
        assert_eq!(r.local_id, None);
        assert_eq!(r.lifetime_secs, 3600);
        foreign[29] = 99;
        assert!(parse_session(&foreign).is_err());
        let mut long = foreign.clone();
        long.push(0);
        assert!(parse_session(&long).is_err());
    }
}
