//! A ClientHello as s2n's `struct s2n_client_hello` reports it: the message a
//! server received (kept by its connection), or one an application parsed from
//! bytes (`s2n_client_hello_parse_message`). Fields are read as s2n reads them,
//! so its accessors give what s2n-tls gives for the same bytes; the client-hello
//! callback's settings and per-connection state are in `callback.rs`.

use std::ops::Range;

use crate::error::{Error, ErrorCode, Result};

pub mod callback;
pub mod fingerprint;
#[cfg(test)]
mod tests;

/// cbindgen:ignore
/// The client random's length (`S2N_TLS_RANDOM_DATA_LEN`).
pub const RANDOM_LEN: usize = 32;
/// The longest legacy session ID (`S2N_TLS_SESSION_ID_MAX_LEN`).
const MAX_SESSION_ID: usize = 32;
/// The largest handshake message s2n parses (`S2N_MAXIMUM_HANDSHAKE_MESSAGE_LENGTH`).
const MAX_MESSAGE: usize = 64 * 1024;
const CLIENT_HELLO: u8 = 1;
const SERVER_NAME: u16 = 0;
const SUPPORTED_GROUPS: u16 = 10;
/// The extensions s2n-tls knows (its `s2n_supported_extensions`): only these are
/// found by `get_extension_length`/`get_extension_by_id`, and only these may not
/// appear twice. Any other is kept in the raw block only.
const KNOWN_EXTENSIONS: [u16; 21] = [
    65281, 0xfe01, 0, 1, 5, 10, 11, 13, 16, 18, 35, 43, 51, 44, 0x39, 45, 41, 42, 23, 13172, 47,
];

/// Who owns a ClientHello: what `s2n_client_hello_free` may free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloOwner {
    /// A server connection's: it lives until the connection is wiped or freed.
    Connection,
    /// An application's, from `s2n_client_hello_parse_message`.
    Application,
}

/// A parsed ClientHello. Its raw message is the body after the 4-byte handshake
/// header, with the random zeroed (as s2n keeps it); every field is a range of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    raw: Vec<u8>,
    random: [u8; RANDOM_LEN],
    legacy_version: u8,
    record_version: Option<u8>,
    session_id: Range<usize>,
    cipher_suites: Range<usize>,
    compression: Range<usize>,
    extensions: Range<usize>,
    /// Each known extension received, with its data.
    known: Known,
    owner: HelloOwner,
}

/// The known extensions received, in order, each with its data's place in the
/// message: inline, as each is there at most once (no allocation per hello).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Known {
    len: usize,
    /// Type, start and end; a message is at most [`MAX_MESSAGE`] bytes.
    items: [(u16, u32, u32); KNOWN_EXTENSIONS.len()],
}

impl Default for Known {
    fn default() -> Self {
        Known {
            len: 0,
            items: [(0, 0, 0); KNOWN_EXTENSIONS.len()],
        }
    }
}

impl Known {
    fn iter(&self) -> impl Iterator<Item = (u16, Range<usize>)> + '_ {
        self.items[..self.len]
            .iter()
            .map(|&(k, start, end)| (k, start as usize..end as usize))
    }
}

/// Where the fields of a ClientHello body are, found by the server's own reader
/// (`hello::parse::client_hello`) as it checks the body, so that a received hello
/// is walked once. That reader is stricter than [`ClientHello::parse_body`] (no
/// extension twice, an exact extension block...), so for a body it accepts these
/// are the places `parse_body` would find.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub session_id: Range<usize>,
    pub cipher_suites: Range<usize>,
    pub compression: Range<usize>,
    pub extensions: Range<usize>,
    known: Known,
}

impl Layout {
    /// An extension of the block, at `data` in the body, in order. Only known ones
    /// are kept; a known one seen again is not (the reader refuses the hello).
    pub fn extension(&mut self, kind: u16, data: Range<usize>) {
        if !is_known(kind) {
            return;
        }
        let (Some(slot), Ok(start), Ok(end)) = (
            self.known.items.get_mut(self.known.len),
            u32::try_from(data.start),
            u32::try_from(data.end),
        ) else {
            return;
        };
        *slot = (kind, start, end);
        self.known.len += 1;
    }
}

#[cold]
#[inline(never)]
fn bad(what: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::BadMessage,
        format!("malformed ClientHello: {}", what.into()),
    )
}

/// s2n's one-byte version: the major version in the tens, the minor in the ones
/// (0x0303 is 33, S2N_TLS12).
fn s2n_version(major: u8, minor: u8) -> u8 {
    major.wrapping_mul(10).wrapping_add(minor)
}

/// Reads big-endian fields of a message, naming the field that was cut short.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }
    fn take(&mut self, n: usize, what: &str) -> Result<Range<usize>> {
        if self.left() < n {
            return Err(bad(format!("{what} is cut short")));
        }
        self.at += n;
        Ok(self.at - n..self.at)
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        let r = self.take(1, what)?;
        Ok(self.bytes[r.start])
    }
    fn u16(&mut self, what: &str) -> Result<u16> {
        let r = self.take(2, what)?;
        Ok(u16::from_be_bytes([
            self.bytes[r.start],
            self.bytes[r.start + 1],
        ]))
    }
}

impl ClientHello {
    /// `s2n_client_hello_parse_message`: a whole ClientHello message, with its
    /// 4-byte handshake header and without a record header.
    pub fn parse_message(bytes: &[u8]) -> Result<ClientHello> {
        if bytes.len() > MAX_MESSAGE {
            return Err(bad(format!(
                "{} bytes (a handshake message is at most {MAX_MESSAGE})",
                bytes.len()
            )));
        }
        let [typ, a, b, c, body @ ..] = bytes else {
            return Err(bad("the 4-byte handshake header is cut short"));
        };
        if *typ != CLIENT_HELLO {
            return Err(bad(format!(
                "handshake message type {typ}, not 1 (ClientHello)"
            )));
        }
        let len = u32::from_be_bytes([0, *a, *b, *c]) as usize;
        if len != body.len() {
            return Err(bad(format!(
                "the header says {len} bytes, {} follow",
                body.len()
            )));
        }
        Self::parse_body(body.to_vec(), None, HelloOwner::Application)
    }

    /// The ClientHello a server connection received, read by s2n's own rules:
    /// the reference the tests hold [`ClientHello::received_checked`] to (a
    /// connection takes the reader's layout instead of reading the body again).
    #[cfg(test)]
    pub fn received(body: Vec<u8>, record_version: Option<[u8; 2]>) -> Result<ClientHello> {
        let version = record_version.map(|[major, minor]| s2n_version(major, minor));
        Self::parse_body(body, version, HelloOwner::Connection)
    }

    /// The ClientHello a server connection received: its body (after the
    /// handshake header, at most 64 KiB: the reader's bound), already checked by
    /// the connection's reader, which found its fields at `layout`; and the
    /// version of the record that carried its start.
    pub fn received_checked(
        raw: Vec<u8>,
        record_version: Option<[u8; 2]>,
        layout: Layout,
    ) -> ClientHello {
        let record_version = record_version.map(|[major, minor]| s2n_version(major, minor));
        Self::from_layout(raw, record_version, layout, HelloOwner::Connection)
    }

    /// The hello of body `raw` whose fields are at `layout`: the random taken out
    /// of the raw message and zeroed there (s2n hands out the message that way).
    fn from_layout(
        mut raw: Vec<u8>,
        record_version: Option<u8>,
        layout: Layout,
        owner: HelloOwner,
    ) -> ClientHello {
        let legacy_version = match raw[..] {
            [major, minor, ..] => s2n_version(major, minor),
            _ => 0,
        };
        let mut random = [0; RANDOM_LEN];
        if let Some(r) = raw.get_mut(2..2 + RANDOM_LEN) {
            random.copy_from_slice(r);
            r.fill(0);
        }
        ClientHello {
            raw,
            random,
            legacy_version,
            record_version,
            session_id: layout.session_id,
            cipher_suites: layout.cipher_suites,
            compression: layout.compression,
            extensions: layout.extensions,
            known: layout.known,
            owner,
        }
    }

    /// Reads the body as s2n-tls does: legacy version, random, session ID (at most
    /// 32 bytes), cipher suites (non-empty, even), compression methods, then the
    /// extension block if at least its length is there. Known extensions may not
    /// appear twice (S2N_ERR_DUPLICATE_EXTENSION); others are only kept raw.
    fn parse_body(
        raw: Vec<u8>,
        record_version: Option<u8>,
        owner: HelloOwner,
    ) -> Result<ClientHello> {
        if raw.is_empty() {
            return Err(bad("empty message"));
        }
        let body = &raw[..];
        let mut c = Cursor { bytes: body, at: 0 };
        c.take(2, "legacy_version")?;
        c.take(RANDOM_LEN, "random")?;
        let n = usize::from(c.u8("legacy_session_id")?);
        if n > MAX_SESSION_ID {
            return Err(bad(format!(
                "session ID of {n} bytes (at most {MAX_SESSION_ID})"
            )));
        }
        let session_id = c.take(n, "legacy_session_id")?;
        let n = usize::from(c.u16("cipher_suites")?);
        if n == 0 || n % 2 != 0 {
            return Err(bad(format!(
                "cipher_suites of {n} bytes (a non-empty list of 2-byte suites)"
            )));
        }
        let cipher_suites = c.take(n, "cipher_suites")?;
        let n = usize::from(c.u8("legacy_compression_methods")?);
        let compression = c.take(n, "legacy_compression_methods")?;
        // As s2n: with fewer than 2 bytes left there is no extension block.
        let n = if c.left() >= 2 {
            usize::from(c.u16("extensions")?)
        } else {
            0
        };
        let extensions = c.take(n, "extensions")?;
        let known = known_extensions(body, extensions.clone())?;
        let layout = Layout {
            session_id,
            cipher_suites,
            compression,
            extensions,
            known,
        };
        Ok(Self::from_layout(raw, record_version, layout, owner))
    }

    pub fn owner(&self) -> HelloOwner {
        self.owner
    }

    /// The message after its handshake header, the random zeroed.
    pub fn raw_message(&self) -> &[u8] {
        &self.raw
    }

    pub fn cipher_suites(&self) -> &[u8] {
        &self.raw[self.cipher_suites.clone()]
    }

    /// The extension block as sent, without its 2-byte length.
    pub fn extensions(&self) -> &[u8] {
        &self.raw[self.extensions.clone()]
    }

    pub fn session_id(&self) -> &[u8] {
        &self.raw[self.session_id.clone()]
    }

    pub fn compression_methods(&self) -> &[u8] {
        &self.raw[self.compression.clone()]
    }

    pub fn random(&self) -> &[u8; RANDOM_LEN] {
        &self.random
    }

    /// The legacy_version field in s2n's numbering (33 for 0x0303).
    pub fn legacy_version(&self) -> u8 {
        self.legacy_version
    }

    /// The version of the record that carried the hello, in s2n's numbering;
    /// an error for a parsed message, which had no record.
    pub fn legacy_record_version(&self) -> Result<u8> {
        self.record_version.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArgument,
                "a ClientHello parsed from a message has no record version",
            )
        })
    }

    /// A known extension's data, if received; `None` for one not received and
    /// for a type s2n does not know (as `s2n_client_hello_get_extension_by_id`).
    pub fn known_extension(&self, kind: u16) -> Option<&[u8]> {
        self.known
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| &self.raw[r])
    }

    /// Whether the client sent extension `kind` (known to s2n or not).
    pub fn has_extension(&self, kind: u16) -> bool {
        if KNOWN_EXTENSIONS.contains(&kind) {
            return self.known_extension(kind).is_some();
        }
        let mut c = Cursor {
            bytes: self.extensions(),
            at: 0,
        };
        while c.left() > 0 {
            let (Ok(k), Ok(n)) = (c.u16("type"), c.u16("length")) else {
                return false;
            };
            if c.take(usize::from(n), "extension").is_err() {
                return false;
            }
            if k == kind {
                return true;
            }
        }
        false
    }

    fn required(&self, kind: u16, name: &str) -> Result<&[u8]> {
        self.known_extension(kind).ok_or_else(|| {
            Error::new(
                ErrorCode::ExtensionNotReceived,
                format!("the client sent no {name} extension"),
            )
        })
    }

    /// The groups of the supported_groups extension, in the client's order.
    pub fn supported_groups(&self) -> Result<Vec<u16>> {
        let data = self.required(SUPPORTED_GROUPS, "supported_groups")?;
        let malformed = || bad("its supported_groups extension is malformed");
        let [a, b, list @ ..] = data else {
            return Err(malformed());
        };
        let n = usize::from(u16::from_be_bytes([*a, *b]));
        if n > list.len() || n % 2 != 0 {
            return Err(malformed());
        }
        Ok(list[..n]
            .chunks_exact(2)
            .map(|g| u16::from_be_bytes([g[0], g[1]]))
            .collect())
    }

    /// The first name of the server_name extension (a host name), as s2n reads it.
    pub fn server_name(&self) -> Result<&[u8]> {
        let data = self.required(SERVER_NAME, "server_name")?;
        let malformed = || bad("its server_name extension is malformed");
        let mut c = Cursor { bytes: data, at: 0 };
        let list = usize::from(c.u16("list").map_err(|_| malformed())?);
        let typ = c.u8("type").map_err(|_| malformed())?;
        if list > c.left() + 1 || typ != 0 {
            return Err(malformed());
        }
        let n = usize::from(c.u16("name").map_err(|_| malformed())?);
        let name = c.take(n, "name").map_err(|_| malformed())?;
        Ok(&data[name])
    }
}

/// The known extensions of an extension block (`block` within `body`). Each
/// extension must be whole (S2N_ERR_BAD_MESSAGE), a known one at most once.
/// Whether s2n-tls knows extension `kind` (one of [`KNOWN_EXTENSIONS`]), as a
/// match the compiler turns into a table rather than a scan of the list.
fn is_known(kind: u16) -> bool {
    matches!(
        kind,
        65281
            | 0xfe01
            | 0
            | 1
            | 5
            | 10
            | 11
            | 13
            | 16
            | 18
            | 35
            | 43
            | 51
            | 44
            | 0x39
            | 45
            | 41
            | 42
            | 23
            | 13172
            | 47
    )
}

fn known_extensions(body: &[u8], block: Range<usize>) -> Result<Known> {
    let mut c = Cursor {
        bytes: &body[..block.end],
        at: block.start,
    };
    let mut known = Known::default();
    while c.left() > 0 {
        let kind = c.u16("extension type")?;
        let n = usize::from(c.u16("extension length")?);
        let data = c.take(n, "extension")?;
        if !is_known(kind) {
            continue;
        }
        if known.iter().any(|(k, _)| k == kind) {
            return Err(Error::new(
                ErrorCode::DuplicateExtension,
                format!("the ClientHello has extension {kind} twice"),
            ));
        }
        // At most one of each known extension: a free slot is always there.
        let (Some(slot), Ok(start), Ok(end)) = (
            known.items.get_mut(known.len),
            u32::try_from(data.start),
            u32::try_from(data.end),
        ) else {
            return Err(bad("too many extensions"));
        };
        *slot = (kind, start, end);
        known.len += 1;
    }
    Ok(known)
}
