//! Reads the few facts of the cleartext handshake that rustls does not expose: the
//! client's highest protocol version, session ID, PSK identity and TLS1.2 ticket
//! (ClientHello), the version and session ID the server chose (ServerHello), and a
//! TLS1.2 NewSessionTicket's lifetime. All travel in the clear before any key exists.

use crate::policy;

/// What one hello message showed (a ClientHello, or a ServerHello).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelloInfo {
    /// The highest version the client offered, in s2n's numbering (33 = TLS1.2).
    pub max_version: i32,
    /// The legacy session ID (TLS1.2 resumption by ID, or TLS1.3 middlebox compatibility).
    pub session_id: Vec<u8>,
    /// The first TLS1.3 PSK identity offered (a ticket, or a session cache key).
    pub psk_identity: Option<Vec<u8>>,
    /// A TLS1.2 session ticket offered (the SessionTicket extension, when not empty).
    pub session_ticket: Option<Vec<u8>>,
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

/// Accumulates the first bytes of one direction until its hello is complete.
#[derive(Debug)]
pub struct HelloReader {
    raw: Vec<u8>,
    done: bool,
    msg_type: u8,
}

impl Default for HelloReader {
    fn default() -> Self {
        Self::client_hello()
    }
}

impl HelloReader {
    /// Reads a ClientHello (what a server receives first).
    pub fn client_hello() -> Self {
        HelloReader {
            raw: Vec::new(),
            done: false,
            msg_type: 1,
        }
    }

    /// Reads a ServerHello (what a client receives, and a server sends, first).
    /// Its `max_version` is the version the server selected.
    pub fn server_hello() -> Self {
        HelloReader {
            raw: Vec::new(),
            done: false,
            msg_type: 2,
        }
    }
}

/// More than this and we stop looking (a ClientHello is far smaller).
const LIMIT: usize = 1 << 16;

impl HelloReader {
    /// Feeds bytes as they arrive; returns the info once the hello is complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Option<HelloInfo> {
        if self.done {
            return None;
        }
        self.raw.extend_from_slice(bytes);
        let handshake = match reassemble(&self.raw, self.msg_type) {
            Reassembly::Complete(h) => h,
            Reassembly::NeedMore if self.raw.len() < LIMIT => return None,
            _ => {
                self.done = true;
                self.raw = Vec::new();
                return None;
            }
        };
        self.done = true;
        self.raw = Vec::new();
        parse(&handshake, self.msg_type == 2)
    }
}

enum Reassembly {
    Complete(Vec<u8>),
    NeedMore,
    Invalid,
}

/// Joins handshake records until the first handshake message is whole.
fn reassemble(raw: &[u8], msg_type: u8) -> Reassembly {
    let mut body = Vec::new();
    let mut rest = raw;
    loop {
        if body.len() >= 4 {
            let len = u32::from_be_bytes([0, body[1], body[2], body[3]]) as usize;
            if body.len() >= 4 + len {
                return match body[0] == msg_type {
                    true => Reassembly::Complete(body[4..4 + len].to_vec()),
                    false => Reassembly::Invalid,
                };
            }
        }
        if rest.len() < 5 {
            return Reassembly::NeedMore;
        }
        if rest[0] != 22 {
            return Reassembly::Invalid;
        }
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest.len() < 5 + len {
            return Reassembly::NeedMore;
        }
        body.extend_from_slice(&rest[5..5 + len]);
        rest = &rest[5 + len..];
    }
}

/// What a TLS1.2 client reads of the server's cleartext flight: the
/// NewSessionTicket (sent before ChangeCipherSpec), which rustls does not expose.
#[derive(Debug, Default)]
pub struct Tls12TicketScanner {
    raw: Vec<u8>,
    done: bool,
    /// The last NewSessionTicket seen: its lifetime hint and whether it had a ticket.
    pub ticket: Option<(u32, bool)>,
}

impl Tls12TicketScanner {
    /// Feeds what the client receives; stops at ChangeCipherSpec, or at a
    /// ServerHello that selects TLS1.3 (everything after it is encrypted).
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.done {
            return;
        }
        self.raw.extend_from_slice(bytes);
        let mut body = Vec::new();
        let mut rest = &self.raw[..];
        while rest.len() >= 5 {
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            if rest.len() < 5 + len {
                break;
            }
            match rest[0] {
                22 => body.extend_from_slice(&rest[5..5 + len]),
                _ => {
                    self.done = true;
                    break;
                }
            }
            rest = &rest[5 + len..];
        }
        let mut msgs = &body[..];
        while msgs.len() >= 4 {
            let len = u32::from_be_bytes([0, msgs[1], msgs[2], msgs[3]]) as usize;
            if msgs.len() < 4 + len {
                break;
            }
            let msg = &msgs[4..4 + len];
            match msgs[0] {
                2 if parse(msg, true).is_some_and(|h| h.max_version >= policy::S2N_TLS13) => {
                    self.done = true
                }
                4 if msg.len() >= 6 => {
                    let lifetime = u32::from_be_bytes([msg[0], msg[1], msg[2], msg[3]]);
                    let ticket_len = u16::from_be_bytes([msg[4], msg[5]]);
                    self.ticket = Some((lifetime, ticket_len > 0));
                }
                _ => {}
            }
            msgs = &msgs[4 + len..];
        }
        if self.done || self.raw.len() > LIMIT {
            self.done = true;
            self.raw = Vec::new();
        }
    }
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()? as usize;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()? as usize;
        self.take(n)
    }
}

/// Parses a ClientHello or ServerHello body (after the 4-byte handshake header).
fn parse(body: &[u8], server_hello: bool) -> Option<HelloInfo> {
    let mut c = Cursor(body);
    let legacy_version = c.u16()?;
    c.take(32)?;
    let session_id = c.vec8()?.to_vec();
    if server_hello {
        c.take(3)?;
    } else {
        c.vec16()?;
        c.vec8()?;
    }
    let mut max_version = s2n_version(legacy_version);
    let mut psk_identity = None;
    let mut session_ticket = None;
    if let Some(extensions) = c.vec16() {
        let mut e = Cursor(extensions);
        while let (Some(kind), Some(data)) = (e.u16(), e.vec16()) {
            if kind == 35 && !server_hello && !data.is_empty() {
                session_ticket = Some(data.to_vec());
            } else if kind == 41 && !server_hello {
                // pre_shared_key: identities<7..2^16-1> of { identity<1..2^16-1>, age u32 }
                let mut p = Cursor(data);
                psk_identity = p
                    .vec16()
                    .and_then(|ids| Cursor(ids).vec16())
                    .map(<[u8]>::to_vec);
            } else if kind == 43 && server_hello {
                if let [a, b] = data {
                    max_version = s2n_version(u16::from_be_bytes([*a, *b]));
                }
            } else if kind == 43 {
                let mut v = Cursor(data);
                if let Some(list) = v.vec8() {
                    max_version = list
                        .chunks_exact(2)
                        .map(|p| s2n_version(u16::from_be_bytes([p[0], p[1]])))
                        .max()
                        .unwrap_or(max_version);
                }
            }
        }
    }
    Some(HelloInfo {
        max_version,
        session_id,
        psk_identity,
        session_ticket,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(versions: &[u16], session_id: &[u8]) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([7u8; 32]);
        body.push(session_id.len() as u8);
        body.extend(session_id);
        body.extend([0, 2, 0x13, 0x01, 1, 0]);
        let mut ext = Vec::new();
        if !versions.is_empty() {
            ext.extend([
                0,
                43,
                0,
                (1 + 2 * versions.len()) as u8,
                (2 * versions.len()) as u8,
            ]);
            for v in versions {
                ext.extend(v.to_be_bytes());
            }
        }
        body.extend((ext.len() as u16).to_be_bytes());
        body.extend(ext);
        let mut hs = vec![1, 0, 0, body.len() as u8];
        hs.extend(body);
        hs
    }

    fn records(hs: &[u8], split: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in hs.chunks(split) {
            out.extend([22, 3, 1, 0, chunk.len() as u8]);
            out.extend(chunk);
        }
        out
    }

    #[test]
    fn reads_versions_and_session_id_across_records_and_reads() {
        let wire = records(&hello(&[0x0304, 0x0303], &[9; 32]), 20);
        let mut r = HelloReader::default();
        let mut info = None;
        for byte in wire.chunks(7) {
            if let Some(i) = r.feed(byte) {
                info = Some(i);
            }
        }
        let info = info.unwrap();
        assert_eq!(info.max_version, 34);
        assert_eq!(info.session_id, vec![9; 32]);
    }

    #[test]
    fn reads_the_first_psk_identity() {
        let mut body = vec![0x03, 0x03];
        body.extend([7u8; 32]);
        body.push(0);
        body.extend([0, 2, 0x13, 0x01, 1, 0]);
        // pre_shared_key with identities [ {id "abc", age} ] and a binder list.
        let ids = [0u8, 3, b'a', b'b', b'c', 0, 0, 0, 1];
        let mut ext = vec![0, 41];
        let data_len = 2 + ids.len() + 3;
        ext.extend((data_len as u16).to_be_bytes());
        ext.extend((ids.len() as u16).to_be_bytes());
        ext.extend(ids);
        ext.extend([0, 1, 0]);
        body.extend((ext.len() as u16).to_be_bytes());
        body.extend(ext);
        let mut hs = vec![1, 0, 0, body.len() as u8];
        hs.extend(body);
        let info = HelloReader::client_hello()
            .feed(&records(&hs, 300))
            .unwrap();
        assert_eq!(info.psk_identity.as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn tls12_new_session_ticket_is_read_until_change_cipher_spec() {
        let mut nst = vec![4, 0, 0, 10, 0, 0, 0x1c, 0x20, 0, 4, 1, 2, 3, 4];
        let mut wire = records(&nst, 5);
        wire.extend([20, 3, 3, 0, 1, 1]);
        let mut scanner = Tls12TicketScanner::default();
        for chunk in wire.chunks(3) {
            scanner.feed(chunk);
        }
        assert_eq!(scanner.ticket, Some((7200, true)));
        // After ChangeCipherSpec nothing more is read.
        nst[9] = 0;
        scanner.feed(&records(&nst[..10], 100));
        assert_eq!(scanner.ticket, Some((7200, true)));
    }

    #[test]
    fn server_hello_session_id_and_selected_version() {
        let mut body = vec![0x03, 0x03];
        body.extend([1u8; 32]);
        body.push(4);
        body.extend([5, 6, 7, 8]);
        body.extend([0x13, 0x01, 0]);
        body.extend([0, 6, 0, 43, 0, 2, 3, 4]);
        let mut hs = vec![2, 0, 0, body.len() as u8];
        hs.extend(body);
        let mut r = HelloReader::server_hello();
        let info = r.feed(&records(&hs, 200)).unwrap();
        assert_eq!(info.session_id, vec![5, 6, 7, 8]);
        assert_eq!(info.max_version, 34);
        let mut r = HelloReader::client_hello();
        assert_eq!(
            r.feed(&records(&hs, 200)),
            None,
            "a ServerHello is no ClientHello"
        );
    }

    #[test]
    fn legacy_version_without_extension_and_garbage() {
        let mut r = HelloReader::default();
        let info = r.feed(&records(&hello(&[], &[]), 200)).unwrap();
        assert_eq!(info.max_version, 33);
        assert!(info.session_id.is_empty());
        let mut r = HelloReader::default();
        assert_eq!(r.feed(b"GET / HTTP/1.1\r\n\r\n"), None);
        assert_eq!(
            r.feed(&records(&hello(&[0x0304], &[]), 200)),
            None,
            "gave up after garbage"
        );
    }
}
