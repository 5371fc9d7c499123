//! Reads the few facts of the cleartext handshake that rustls does not expose: the
//! client's highest protocol version, session ID, PSK identities and TLS1.2 ticket
//! (ClientHello), the version, session ID and PSK the server chose (ServerHello), and a
//! TLS1.2 NewSessionTicket's lifetime. All travel in the clear before any key exists.
//!
//! A server reads the ClientHello before rustls does (its cache callbacks are asked
//! first), so this is the first code to see a client's bytes: a ClientHello is
//! checked strictly (`parse.rs`) and its facts are bounded before anything uses
//! them. Bytes are read incrementally (`reader.rs`): each is examined once, however
//! the transport splits them.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::client_hello::ClientHello;
use crate::policy;

mod parse;
mod reader;
mod scanner;
#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;

pub use scanner::Tls12TicketScanner;

use reader::{HandshakeReader, Stop};

/// cbindgen:ignore
/// The longest cache key a server looks up: s2n's `S2N_TLS_SESSION_ID_MAX_LEN`.
/// s2n never hands its cache callbacks a longer key, so callbacks written for s2n
/// may use 32-byte buffers. rs2n's own keys are TLS1.2 session IDs (at most 32
/// bytes by RFC 5246) and its TLS1.3 cache tickets (48 random bytes, looked up only
/// at exactly that length: see `resumption::server`), which s2n-tls never has.
pub const MAX_CACHE_KEY_LEN: usize = 32;
/// cbindgen:ignore
/// The longest ticket (a TLS1.2 SessionTicket, or a TLS1.3 PSK identity) the
/// ClientHello reader keeps. rs2n's tickets are well under 1 KiB (a sealed
/// rustls session: secret, SNI, ALPN; no client certificates), s2n's TLS1.2
/// ticket is 138 bytes (`S2N_TLS12_TICKET_SIZE_IN_BYTES`). A longer one is no
/// ticket of ours: the hello is still valid, and rustls gives a full handshake.
pub const MAX_TICKET_LEN: usize = 2048;
/// The largest handshake message read: rustls' own limit (64 KiB), far above any
/// real hello.
const MAX_HANDSHAKE_LEN: usize = 0xffff;

const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;

/// A legacy session ID, kept inline: it is at most [`MAX_CACHE_KEY_LEN`] bytes
/// (RFC 5246), and every hello of every handshake has one (maybe empty).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionId {
    len: u8,
    bytes: [u8; MAX_CACHE_KEY_LEN],
}

impl SessionId {
    /// `None` for an ID longer than [`MAX_CACHE_KEY_LEN`].
    pub fn new(id: &[u8]) -> Option<Self> {
        let mut bytes = [0; MAX_CACHE_KEY_LEN];
        bytes.get_mut(..id.len())?.copy_from_slice(id);
        Some(SessionId {
            len: u8::try_from(id.len()).ok()?,
            bytes,
        })
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl Deref for SessionId {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// The PSK identities a ClientHello offered, in the client's order, kept as
/// they were sent (each a 2-byte length, the identity, a 4-byte ticket age) in
/// one buffer however many: checked whole when read (`parse::psk_identities`).
#[derive(Clone, Default)]
pub struct PskIdentities {
    wire: Vec<u8>,
    count: usize,
}

/// None offered.
static NO_PSK_IDENTITIES: PskIdentities = PskIdentities {
    wire: Vec::new(),
    count: 0,
};

impl PskIdentities {
    /// `wire` must hold `count` well-formed entries.
    fn from_checked(wire: &[u8], count: usize) -> Self {
        PskIdentities {
            wire: wire.to_vec(),
            count,
        }
    }

    /// An empty list, for a hello without one.
    pub fn none() -> &'static PskIdentities {
        &NO_PSK_IDENTITIES
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut rest = &self.wire[..];
        std::iter::from_fn(move || {
            let [a, b, tail @ ..] = rest else {
                return None;
            };
            let n = usize::from(u16::from_be_bytes([*a, *b]));
            let id = tail.get(..n)?;
            rest = tail.get(n + 4..)?;
            Some(id)
        })
    }

    pub fn first(&self) -> Option<&[u8]> {
        self.iter().next()
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.iter().nth(i)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The identities alone: the ticket ages are not compared.
impl PartialEq for PskIdentities {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.iter().eq(other.iter())
    }
}

impl Eq for PskIdentities {}

impl fmt::Debug for PskIdentities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// What one hello message showed (a ClientHello, or a ServerHello).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelloInfo {
    /// The highest version the client offered, in s2n's numbering (33 = TLS1.2).
    pub max_version: i32,
    /// The legacy session ID (TLS1.2 resumption by ID, or TLS1.3 middlebox
    /// compatibility); at most [`MAX_CACHE_KEY_LEN`] bytes.
    pub session_id: SessionId,
    /// Every TLS1.3 PSK identity offered, in the client's order (a ClientHello
    /// is at most 64 KiB, so are they). [`HelloInfo::psk_identity`] is the first.
    pub psk_identities: PskIdentities,
    /// The index of the PSK identity a ServerHello selected (its pre_shared_key).
    pub selected_psk: Option<u16>,
    /// A TLS1.2 session ticket offered (the SessionTicket extension, when not
    /// empty), if at most [`MAX_TICKET_LEN`] bytes.
    pub session_ticket: Option<Vec<u8>>,
    /// The application protocols a client offered (ALPN), when well formed.
    pub alpn: Option<Vec<Vec<u8>>>,
    /// The client offered early data (the early_data extension).
    pub early_data: bool,
    /// The client asked for a stapled OCSP response (status_request).
    pub status_request: bool,
    /// The whole ClientHello as s2n reports it (`s2n_connection_get_client_hello`).
    pub message: Option<Arc<ClientHello>>,
}

impl HelloInfo {
    /// The first TLS1.3 PSK identity offered (a ticket, or a session cache key),
    /// if at most [`MAX_TICKET_LEN`] bytes.
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identities
            .first()
            .filter(|id| id.len() <= MAX_TICKET_LEN)
    }
}

/// What was wrong with a hello that was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed(String);

// Refusals are cold and out of line: the hot path through the readers, run on
// every handshake, stays compact in the instruction cache.
impl Malformed {
    #[cold]
    #[inline(never)]
    pub(crate) fn new(what: String) -> Self {
        Malformed(what)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn args(what: fmt::Arguments<'_>) -> Self {
        Malformed(what.to_string())
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// s2n's number for a wire version (0x0303 is TLS1.2 = 33); 0 for an unknown one.
pub fn s2n_version(wire: u16) -> i32 {
    match wire {
        0x0300 => policy::S2N_SSLV3,
        0x0301 => policy::S2N_TLS10,
        0x0302 => policy::S2N_TLS11,
        0x0303 => policy::S2N_TLS12,
        0x0304 => policy::S2N_TLS13,
        _ => 0,
    }
}

/// Reads the first handshake message of one direction as bytes arrive: a
/// ClientHello (checked strictly) or a ServerHello.
#[derive(Debug)]
pub struct HelloReader {
    reader: HandshakeReader,
    msg_type: u8,
    /// Builds the ClientHello as s2n reports it ([`HelloInfo::message`]): a server's
    /// view of what it received. A client reading its own hello needs only the facts.
    keep_message: bool,
    /// Whether the hello was read, or why it was refused (the info itself goes to
    /// the caller, once).
    outcome: Option<Result<(), Malformed>>,
}

impl Default for HelloReader {
    fn default() -> Self {
        Self::client_hello()
    }
}

impl HelloReader {
    /// Reads a ClientHello (what a server receives first).
    pub fn client_hello() -> Self {
        Self::new(CLIENT_HELLO)
    }

    /// Reads the ClientHello a client sent itself (rustls wrote it): its facts
    /// only, without the copy s2n's ClientHello getters report, which a client has
    /// no use for.
    pub fn sent_client_hello() -> Self {
        HelloReader {
            keep_message: false,
            ..Self::new(CLIENT_HELLO)
        }
    }

    /// Reads a ServerHello (what a client receives, and a server sends, first).
    /// Its `max_version` is the version the server selected.
    pub fn server_hello() -> Self {
        Self::new(SERVER_HELLO)
    }

    fn new(msg_type: u8) -> Self {
        HelloReader {
            reader: HandshakeReader::default(),
            msg_type,
            keep_message: true,
            outcome: None,
        }
    }

    fn name(&self) -> &'static str {
        match self.msg_type {
            CLIENT_HELLO => "ClientHello",
            _ => "ServerHello",
        }
    }

    /// Feeds bytes as they arrive; returns the info once, when the hello is
    /// complete and valid. A refused hello gives `None` here and its reason in
    /// [`HelloReader::outcome`].
    pub fn feed(&mut self, mut bytes: &[u8]) -> Option<HelloInfo> {
        if self.outcome.is_some() {
            return None;
        }
        let msg_type = self.msg_type;
        let outcome = match self.reader.next_message(&mut bytes, |t| t == msg_type) {
            Ok(None) => return None,
            Ok(Some(m)) if m.typ != msg_type => Err(Malformed::args(format_args!(
                "the first handshake message is of type {}, not a {}",
                m.typ,
                self.name()
            ))),
            Ok(Some(m)) if msg_type == CLIENT_HELLO => {
                parse::client_hello(&m.body).map(|(mut info, layout)| {
                    if self.keep_message {
                        // A buffer the reader gathered moves into s2n's view of it.
                        let record = self.reader.first_record_version();
                        let body = m.body.into_owned();
                        let message = ClientHello::received_checked(body, record, layout);
                        info.message = Some(Arc::new(message));
                    }
                    info
                })
            }
            Ok(Some(m)) => parse::server_hello(&m.body)
                .ok_or_else(|| Malformed::new("the ServerHello does not parse".into())),
            Err(Stop::NotHandshake(t)) => Err(Malformed::args(format_args!(
                "a record of content type {t} before the {} was complete",
                self.name()
            ))),
            Err(Stop::Malformed(m)) => Err(m),
        };
        self.reader.release();
        match outcome {
            Ok(info) => {
                self.outcome = Some(Ok(()));
                Some(info)
            }
            Err(m) => {
                self.outcome = Some(Err(m));
                None
            }
        }
    }

    /// Whether the hello was read (its info was returned by [`HelloReader::feed`]),
    /// or why it was refused; `None` while it is incomplete.
    pub fn outcome(&self) -> Option<Result<(), &Malformed>> {
        self.outcome.as_ref().map(|o| o.as_ref().map(|_| ()))
    }

    /// Bytes examined so far (each input byte once).
    pub fn examined(&self) -> u64 {
        self.reader.examined()
    }
}
