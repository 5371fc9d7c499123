//! The hello bodies (after the 4-byte handshake header): a ClientHello checked
//! strictly against RFC 8446/5246 before any of its facts is used (what a server
//! hands its cache callbacks comes from here), a ServerHello read for its facts.

use std::fmt::Display;

use super::{
    s2n_version, HelloInfo, Malformed, PskIdentities, SessionId, MAX_CACHE_KEY_LEN, MAX_TICKET_LEN,
};
use crate::client_hello::Layout;

const STATUS_REQUEST: u16 = 5;
const ALPN: u16 = 16;
const SESSION_TICKET: u16 = 35;
const PRE_SHARED_KEY: u16 = 41;
const EARLY_DATA: u16 = 42;
const SUPPORTED_VERSIONS: u16 = 43;
/// RFC 8446 4.2.11: `opaque PskBinderEntry<32..255>`.
const MIN_BINDER_LEN: usize = 32;

/// Reads big-endian fields; running out names the field that was cut short.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Malformed> {
        if self.0.len() < n {
            return Err(bad(format_args!("{what} is cut short")));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u16(&mut self, what: &str) -> Result<u16, Malformed> {
        self.take(2, what).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec8(&mut self, what: &str) -> Result<&'a [u8], Malformed> {
        let n = self.take(1, what)?[0];
        self.take(usize::from(n), what)
    }
    fn vec16(&mut self, what: &str) -> Result<&'a [u8], Malformed> {
        let n = self.u16(what)?;
        self.take(usize::from(n), what)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The field must end exactly here.
    fn end(&self, what: &str) -> Result<(), Malformed> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(bad(format_args!("{n} stray bytes after {what}"))),
        }
    }
}

#[cold]
#[inline(never)]
fn bad(what: impl Display) -> Malformed {
    Malformed::new(what.to_string())
}

/// A ClientHello body, checked: legacy version, random, session ID (at most 32
/// bytes), cipher suites (even, not empty), compression methods (not empty), an
/// extension block consumed exactly, no extension twice, pre_shared_key last, and
/// consistent inner lengths for the extensions read here. With its facts, where
/// its fields are (s2n's view of it, built without reading it again).
pub(super) fn client_hello(body: &[u8]) -> Result<(HelloInfo, Layout), Malformed> {
    // Where the field `c` just gave (`field`) is in the body.
    let at = |c: &Cursor, field: &[u8]| {
        let end = body.len() - c.0.len();
        end - field.len()..end
    };
    let mut c = Cursor(body);
    let legacy = c.u16("legacy_version")?;
    if legacy >> 8 != 3 {
        return Err(bad(format_args!(
            "legacy_version {legacy:#06x} (TLS versions are 0x03xx)"
        )));
    }
    c.take(32, "random")?;
    let session_id = c.vec8("legacy_session_id")?;
    let mut layout = Layout::default();
    layout.session_id = at(&c, session_id);
    let Some(session_id) = SessionId::new(session_id) else {
        return Err(bad(format_args!(
            "session ID of {} bytes (at most {MAX_CACHE_KEY_LEN})",
            session_id.len()
        )));
    };
    let suites = c.vec16("cipher_suites")?;
    if suites.is_empty() || suites.len() % 2 != 0 {
        return Err(bad(format_args!(
            "cipher_suites of {} bytes (a non-empty list of 2-byte suites)",
            suites.len()
        )));
    }
    layout.cipher_suites = at(&c, suites);
    let compression = c.vec8("compression_methods")?;
    if compression.is_empty() {
        return Err(bad("empty compression_methods"));
    }
    layout.compression = at(&c, compression);
    layout.extensions = body.len()..body.len();
    // s2n's client version without supported_versions: the legacy one, at most TLS1.2.
    let mut info = HelloInfo {
        max_version: s2n_version(legacy.min(0x0303)),
        session_id,
        ..HelloInfo::default()
    };
    // The extension block may be absent altogether (RFC 5246 7.4.1.2).
    if c.is_empty() {
        return Ok((info, layout));
    }
    let block = c.vec16("extensions")?;
    c.end("the extensions")?;
    layout.extensions = at(&c, block);
    let mut e = Cursor(block);
    let mut seen = Seen::default();
    while !e.is_empty() {
        if seen.last == Some(PRE_SHARED_KEY) {
            return Err(bad("pre_shared_key is not the last extension"));
        }
        let kind = e.u16("extension type")?;
        let data = e.vec16("extension")?;
        seen.push(kind);
        let end = layout.extensions.end - e.0.len();
        layout.extension(kind, end - data.len()..end);
        match kind {
            SESSION_TICKET if !data.is_empty() && data.len() <= MAX_TICKET_LEN => {
                info.session_ticket = Some(data.to_vec());
            }
            PRE_SHARED_KEY => info.psk_identities = psk_identities(data)?,
            ALPN => info.alpn = protocol_names(data),
            EARLY_DATA => info.early_data = true,
            // OCSP (type 1) with its two lists, as s2n reads it.
            STATUS_REQUEST => info.status_request = data.len() >= 5 && data[0] == 1,
            SUPPORTED_VERSIONS => {
                if let Some(v) = highest_version(data)? {
                    info.max_version = v;
                }
            }
            _ => {}
        }
    }
    if let Some(kind) = seen.duplicate() {
        return Err(bad(format_args!("extension {kind} appears twice")));
    }
    Ok((info, layout))
}

/// How many extension types are kept without allocating: a typical hello has a
/// dozen or two.
const SEEN_INLINE: usize = 48;

/// The extension types of a ClientHello, in order; the first [`SEEN_INLINE`]
/// inline, any more (a 64 KiB hello may have thousands) in `more`.
struct Seen {
    inline: [u16; SEEN_INLINE],
    len: usize,
    more: Vec<u16>,
    last: Option<u16>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            inline: [0; SEEN_INLINE],
            len: 0,
            more: Vec::new(),
            last: None,
        }
    }
}

impl Seen {
    fn push(&mut self, kind: u16) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = kind;
                self.len += 1;
            }
            None => self.more.push(kind),
        }
        self.last = Some(kind);
    }

    /// The smallest type seen twice, if any (sorted: n log n however many).
    fn duplicate(mut self) -> Option<u16> {
        let all = match self.more.is_empty() {
            true => &mut self.inline[..self.len],
            false => {
                self.more.extend_from_slice(&self.inline);
                &mut self.more[..]
            }
        };
        all.sort_unstable();
        all.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }
}

/// application_layer_protocol_negotiation: `ProtocolName protocol_name_list<2..2^16-1>`
/// of `opaque ProtocolName<1..2^8-1>`. A malformed list is `None` here (rustls
/// refuses the hello for it).
fn protocol_names(data: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut c = Cursor(data);
    let mut list = Cursor(c.vec16("ALPN").ok()?);
    c.end("ALPN").ok()?;
    let mut names = Vec::new();
    while !list.is_empty() {
        let name = list.vec8("protocol name").ok()?;
        if name.is_empty() {
            return None;
        }
        names.push(name.to_vec());
    }
    (!names.is_empty()).then_some(names)
}

/// pre_shared_key: `PskIdentity identities<7..2^16-1>` of `{ opaque identity<1..2^16-1>;
/// uint32 obfuscated_ticket_age; }`, then `PskBinderEntry binders<33..2^16-1>`, one
/// binder per identity. The identities, in the client's order.
fn psk_identities(data: &[u8]) -> Result<PskIdentities, Malformed> {
    let mut p = Cursor(data);
    let list = p.vec16("PSK identities")?;
    let mut ids = Cursor(list);
    let mut binders = Cursor(p.vec16("PSK binders")?);
    p.end("the PSK binders")?;
    let mut identities = 0usize;
    while !ids.is_empty() {
        let id = ids.vec16("PSK identity")?;
        ids.take(4, "obfuscated_ticket_age")?;
        if id.is_empty() {
            return Err(bad("empty PSK identity"));
        }
        identities += 1;
    }
    let mut count = 0usize;
    while !binders.is_empty() {
        let binder = binders.vec8("PSK binder")?;
        if binder.len() < MIN_BINDER_LEN {
            return Err(bad(format_args!(
                "PSK binder of {} bytes (at least {MIN_BINDER_LEN})",
                binder.len()
            )));
        }
        count += 1;
    }
    if identities == 0 || identities != count {
        return Err(bad(format_args!(
            "{identities} PSK identities with {count} binders (one binder each, at least one)"
        )));
    }
    Ok(PskIdentities::from_checked(list, identities))
}

/// supported_versions in a ClientHello: `ProtocolVersion versions<2..254>`. The
/// highest version s2n knows, if any.
fn highest_version(data: &[u8]) -> Result<Option<i32>, Malformed> {
    let mut v = Cursor(data);
    let list = v.vec8("supported_versions")?;
    v.end("supported_versions")?;
    if list.is_empty() || list.len() % 2 != 0 {
        return Err(bad(format_args!(
            "supported_versions of {} bytes (a non-empty list of 2-byte versions)",
            list.len()
        )));
    }
    Ok(list
        .chunks_exact(2)
        .map(|p| s2n_version(u16::from_be_bytes([p[0], p[1]])))
        .filter(|&v| v > 0)
        .max())
}

/// A ServerHello body, read for the version the server selected, its session ID
/// and the PSK it selected (pre_shared_key: `uint16 selected_identity`); `None` if it does not parse (rustls reports what is wrong with it), or if
/// its session ID is longer than RFC 5246 allows (s2n never reports one).
pub(super) fn server_hello(body: &[u8]) -> Option<HelloInfo> {
    let mut c = Cursor(body);
    let legacy = c.u16("legacy_version").ok()?;
    c.take(32, "random").ok()?;
    let session_id = SessionId::new(c.vec8("legacy_session_id").ok()?)?;
    c.take(3, "cipher_suite and compression_method").ok()?;
    let mut max_version = s2n_version(legacy);
    let mut selected_psk = None;
    if let Ok(block) = c.vec16("extensions") {
        let mut e = Cursor(block);
        // Checked for the end first: a read past it would format an error message.
        while !e.is_empty() {
            let (Ok(kind), Ok(data)) = (e.u16("extension type"), e.vec16("extension")) else {
                break;
            };
            match (kind, data) {
                (SUPPORTED_VERSIONS, [a, b]) => {
                    max_version = s2n_version(u16::from_be_bytes([*a, *b]))
                }
                (PRE_SHARED_KEY, [a, b]) => selected_psk = Some(u16::from_be_bytes([*a, *b])),
                _ => {}
            }
        }
    }
    Some(HelloInfo {
        max_version,
        selected_psk,
        session_id,
        ..HelloInfo::default()
    })
}
