//! The format of client session bytes (what `s2n_connection_get_session` hands out):
//! what an application may inspect of the session, laid out as s2n-tls lays out
//! its own, then a reference to the session this process holds, authenticated by
//! this process as a whole.
//!
//! Layout (big-endian numbers). First what s2n-tls's client bytes start with:
//! - kind (1): 1 = with a ticket, then the ticket's length (2) and the ticket
//!   (left out, length 0, for TLS1.3: rustls does not expose it);
//!   0 = with a session ID (TLS1.2), then its length (1) and the ID;
//! - s2n's state format (1): 4 for TLS1.2, 2 for TLS1.3; protocol (33 or 34);
//!   cipher suite (2, IANA); saved at (8, wall clock nanoseconds).
//!
//! Where s2n-tls continues with the session's secrets, rs2n continues with its
//! reference: `"RS2N"` | format (1) | process tag (16) | handle (16) | lifetime
//! hint in seconds (4) | maximum early data (4) | HMAC-SHA256 of everything before (32).
//!
//! The handle is random (not a counter), so it cannot be guessed from other
//! bytes; the MAC, under a key random per process, makes every field
//! tamper-evident. Bytes with this process's tag that do not authenticate are
//! rejected; bytes with another tag come from another process (or from before a
//! restart) and cannot be checked: they are accepted and name nothing here. So
//! are the bytes of an earlier rs2n format and s2n-tls's own client bytes: well
//! formed, they are accepted and resume nothing (a full handshake).

use std::sync::Mutex;

use crate::crypto::hmac;
use crate::crypto::rand::{SecureRandom, SystemRandom};
use once_cell::sync::Lazy;

use crate::error::{Error, ErrorCode, Result};
use crate::sync;

const MAGIC: &[u8; 4] = b"RS2N";
const FORMAT: u8 = 3;
/// Which stored session bytes name: 128 random bits.
pub type Handle = [u8; 16];
type Tag = [u8; 16];

/// s2n's first byte: the state carries a ticket, or a session ID.
const WITH_SESSION_ID: u8 = 0;
const WITH_TICKET: u8 = 1;
/// s2n's serialized state formats (S2N_SERIALIZED_FORMAT_TLS13_V1, _TLS12_V3).
const S2N_FORMAT_TLS13: u8 = 2;
const S2N_FORMAT_TLS12: u8 = 4;
/// s2n's state after the ticket or ID up to its secrets: format, protocol, suite, time.
const STATE_LEN: usize = 1 + 1 + 2 + 8;
/// rs2n's part: magic, format, tag, handle, lifetime, early data, MAC.
const REF_LEN: usize = 4 + 1 + 16 + 16 + 4 + 4 + 32;
/// The longest session bytes: a ticket of 65,535 bytes.
pub(crate) const MAX_SESSION_LEN: usize = 1 + 2 + 0xffff + STATE_LEN + REF_LEN;
/// The length of rs2n's earlier (format 2) session bytes.
const FORMAT2_LEN: usize = 82;

/// What session bytes say of a session, in the clear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionFacts {
    /// The ticket (may be empty if the session's ticket is not known), or None for
    /// a TLS1.2 session-ID session.
    pub ticket: Option<Vec<u8>>,
    /// The TLS1.2 session ID, for a session without a ticket.
    pub session_id: Vec<u8>,
    /// s2n's number of the protocol version (33 or 34).
    pub protocol: u8,
    pub cipher_suite: [u8; 2],
    /// Wall clock nanoseconds when the session was saved.
    pub saved_at_nanos: u64,
    pub lifetime_secs: u32,
    pub max_early_data: u32,
}

/// What identifies and authenticates this process's bytes. No Debug: the key is secret.
struct ProcessKey {
    tag: Tag,
    /// Made once per process and never dropped (ring does not zeroize it).
    mac: hmac::Key,
}

/// None only if the system has no randomness: then no bytes are handed out.
static PROCESS_KEY: Lazy<Option<ProcessKey>> = Lazy::new(|| {
    let rng = SystemRandom::new();
    let mut tag = [0u8; 16];
    rng.fill(&mut tag).ok()?;
    let mac = hmac::Key::generate(hmac::HMAC_SHA256, &rng).ok()?;
    Some(ProcessKey { tag, mac })
});

/// Random bytes for handles, drawn 4 KiB at a time: a system call per handle
/// would cost ~2 µs on every ticket.
struct HandlePool {
    bytes: Box<[u8; 4096]>,
    used: usize,
}

static HANDLES: Lazy<Mutex<HandlePool>> = Lazy::new(|| {
    Mutex::new(HandlePool {
        bytes: Box::new([0; 4096]),
        used: 4096,
    })
});

/// A fresh random handle; None without randomness.
pub fn new_handle() -> Option<Handle> {
    let mut pool = sync::lock(&HANDLES);
    if pool.used + 16 > pool.bytes.len() {
        SystemRandom::new().fill(&mut pool.bytes[..]).ok()?;
        pool.used = 0;
    }
    let at = pool.used;
    pool.used += 16;
    let mut h = [0u8; 16];
    h.copy_from_slice(&pool.bytes[at..at + 16]);
    Some(h)
}

/// What session bytes say, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRef {
    /// The session in this process's registry they name; None for another process's.
    pub handle: Option<Handle>,
    pub facts: SessionFacts,
}

impl SessionRef {
    /// s2n's number of the protocol version (33 or 34).
    pub fn protocol(&self) -> u8 {
        self.facts.protocol
    }
}

/// The bytes naming `handle`; None without a process key (no randomness).
pub fn encode(handle: &Handle, facts: &SessionFacts) -> Option<Vec<u8>> {
    let key = PROCESS_KEY.as_ref()?;
    Some(encode_with(key, handle, facts))
}

fn encode_with(key: &ProcessKey, handle: &Handle, facts: &SessionFacts) -> Vec<u8> {
    let ticket_len = facts.ticket.as_ref().map_or(0, Vec::len).min(0xffff);
    let mut bytes = Vec::with_capacity(3 + ticket_len + 32 + STATE_LEN + REF_LEN);
    match &facts.ticket {
        Some(ticket) => {
            bytes.push(WITH_TICKET);
            bytes.extend_from_slice(&(ticket_len as u16).to_be_bytes());
            bytes.extend_from_slice(&ticket[..ticket_len]);
        }
        None => {
            let id = &facts.session_id[..facts.session_id.len().min(32)];
            bytes.push(WITH_SESSION_ID);
            bytes.push(id.len() as u8);
            bytes.extend_from_slice(id);
        }
    }
    bytes.push(if facts.protocol >= 34 {
        S2N_FORMAT_TLS13
    } else {
        S2N_FORMAT_TLS12
    });
    bytes.push(facts.protocol);
    bytes.extend_from_slice(&facts.cipher_suite);
    bytes.extend_from_slice(&facts.saved_at_nanos.to_be_bytes());
    bytes.extend_from_slice(MAGIC);
    bytes.push(FORMAT);
    bytes.extend_from_slice(&key.tag);
    bytes.extend_from_slice(handle);
    bytes.extend_from_slice(&facts.lifetime_secs.to_be_bytes());
    bytes.extend_from_slice(&facts.max_early_data.to_be_bytes());
    let mac = hmac::sign(&key.mac, &bytes);
    bytes.extend_from_slice(mac.as_ref());
    bytes
}

#[cold]
fn invalid(why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidSerializedSession,
        format!("session bytes are not valid: {why}"),
    )
}

/// Checks session bytes. Malformed bytes, and this process's bytes that were
/// altered, are an error; well-formed bytes from another process are accepted and
/// name nothing.
pub fn parse(bytes: &[u8]) -> Result<SessionRef> {
    parse_with(PROCESS_KEY.as_ref(), bytes)
}

/// Reads big-endian fields off the front of a slice.
struct Fields<'a>(&'a [u8]);

// Inlined: each a call of its own cost parsing ~15 instruction-cache misses.
impl<'a> Fields<'a> {
    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(invalid("they end early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    #[inline]
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    #[inline]
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(
            self.take(2)?.try_into().unwrap_or_default(),
        ))
    }

    #[inline]
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }

    #[inline]
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
}

fn parse_with(key: Option<&ProcessKey>, bytes: &[u8]) -> Result<SessionRef> {
    if bytes.len() == FORMAT2_LEN && bytes.starts_with(MAGIC) && bytes[4] == 2 {
        return earlier_format(bytes);
    }
    let mut f = Fields(bytes);
    let mut facts = SessionFacts::default();
    match f.u8()? {
        WITH_TICKET => {
            let len = usize::from(f.u16()?);
            facts.ticket = Some(f.take(len)?.to_vec());
        }
        WITH_SESSION_ID => {
            let len = usize::from(f.u8()?);
            if len > 32 {
                return Err(invalid(&format!("a session ID of {len} bytes")));
            }
            facts.session_id = f.take(len)?.to_vec();
        }
        kind => {
            return Err(invalid(&format!(
                "unknown session kind {kind} (not an rs2n or s2n-tls session)"
            )))
        }
    }
    let format = f.u8()?;
    facts.protocol = f.u8()?;
    let expected = match facts.protocol {
        33 => S2N_FORMAT_TLS12,
        34 => S2N_FORMAT_TLS13,
        p => return Err(invalid(&format!("unknown protocol version {p}"))),
    };
    if format != expected {
        return Err(invalid(&format!(
            "state format {format} does not match protocol {}",
            facts.protocol
        )));
    }
    facts.cipher_suite.copy_from_slice(f.take(2)?);
    facts.saved_at_nanos = f.u64()?;
    if !f.0.starts_with(MAGIC) {
        // s2n-tls's own bytes carry the session's secrets here: well formed, they
        // are another library's session, which rustls cannot resume.
        return s2n_state(facts, f.0).map(|facts| SessionRef {
            handle: None,
            facts,
        });
    }
    let mac_at = bytes.len().saturating_sub(32);
    f.take(MAGIC.len())?;
    let version = f.u8()?;
    if version != FORMAT {
        return Err(invalid(&format!("unknown session format {version}")));
    }
    let tag = f.take(16)?;
    let handle_bytes = f.take(16)?;
    facts.lifetime_secs = f.u32()?;
    facts.max_early_data = f.u32()?;
    let mac = f.take(32)?;
    if !f.0.is_empty() {
        return Err(invalid(&format!("{} bytes too many", f.0.len())));
    }
    let handle = match key.filter(|k| tag == k.tag) {
        Some(k) => {
            // Constant time; nothing of the bytes is used before this.
            hmac::verify(&k.mac, &bytes[..mac_at], mac).map_err(|_| {
                invalid("they carry this process's tag but do not authenticate (altered or forged)")
            })?;
            let mut h = [0u8; 16];
            h.copy_from_slice(handle_bytes);
            Some(h)
        }
        None => None,
    };
    Ok(SessionRef { handle, facts })
}

/// rs2n's format 2 (before this one): another process's bytes, naming nothing.
fn earlier_format(bytes: &[u8]) -> Result<SessionRef> {
    let protocol = bytes[37];
    if protocol != 33 && protocol != 34 {
        return Err(invalid(&format!("unknown protocol version {protocol}")));
    }
    let mut lifetime = [0u8; 4];
    lifetime.copy_from_slice(&bytes[38..42]);
    Ok(SessionRef {
        handle: None,
        facts: SessionFacts {
            protocol,
            lifetime_secs: u32::from_be_bytes(lifetime),
            ..SessionFacts::default()
        },
    })
}

/// Checks the rest of s2n-tls's client state after its cipher suite and time.
fn s2n_state(facts: SessionFacts, rest: &[u8]) -> Result<SessionFacts> {
    let mut f = Fields(rest);
    if facts.protocol == 33 {
        // master secret (48), then optionally the extended master secret flag
        f.take(48)?;
        if f.0.len() == 1 {
            f.u8()?;
        }
    } else {
        f.u32()?; // ticket_age_add
                  // The resumption secret: as long as the suite's hash.
        let secret = usize::from(f.u8()?);
        if secret != 32 && secret != 48 {
            return Err(invalid("not an rs2n or s2n-tls session"));
        }
        f.take(secret)?;
        let max_early = f.u32()?;
        if max_early > 0 {
            let alpn = usize::from(f.u8()?);
            f.take(alpn)?;
            let context = usize::from(f.u16()?);
            f.take(context)?;
        }
    }
    if !f.0.is_empty() {
        return Err(invalid("not an rs2n or s2n-tls session"));
    }
    Ok(facts)
}

/// Test helpers: bytes as another process would make them.
#[cfg(test)]
pub mod testing {
    use super::*;

    /// A TLS1.3 session's facts, with a ticket.
    pub fn facts13(lifetime_secs: u32) -> SessionFacts {
        SessionFacts {
            ticket: Some(vec![0xab; 120]),
            protocol: 34,
            cipher_suite: [0x13, 0x01],
            saved_at_nanos: 5_000_000_000,
            lifetime_secs,
            max_early_data: 0,
            ..SessionFacts::default()
        }
    }

    /// Valid bytes from a process with another tag and key.
    pub fn foreign_bytes(protocol: u8, lifetime_secs: u32) -> Vec<u8> {
        let rng = SystemRandom::new();
        let key = ProcessKey {
            tag: [0xee; 16],
            mac: hmac::Key::generate(hmac::HMAC_SHA256, &rng).unwrap(),
        };
        let facts = SessionFacts {
            protocol,
            ..facts13(lifetime_secs)
        };
        encode_with(&key, &[7; 16], &facts)
    }

    /// Bytes with this process's tag naming `handle`, and a MAC made without the key.
    pub fn forged_bytes(handle: &Handle) -> Vec<u8> {
        let tag = PROCESS_KEY.as_ref().unwrap().tag;
        let forger = ProcessKey {
            tag,
            mac: hmac::Key::new(hmac::HMAC_SHA256, b"a guess at the key"),
        };
        encode_with(&forger, handle, &facts13(3600))
    }

    /// Where the process tag sits in bytes of `facts`.
    pub fn tag_range(facts: &SessionFacts) -> std::ops::Range<usize> {
        let head = match &facts.ticket {
            Some(t) => 3 + t.len(),
            None => 2 + facts.session_id.len(),
        };
        let at = head + STATE_LEN + MAGIC.len() + 1;
        at..at + 16
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    fn ours(facts: &SessionFacts) -> (Handle, Vec<u8>) {
        let h = new_handle().unwrap();
        (h, encode(&h, facts).unwrap())
    }

    fn facts12_id() -> SessionFacts {
        SessionFacts {
            ticket: None,
            session_id: vec![9; 32],
            protocol: 33,
            cipher_suite: [0xc0, 0x2b],
            saved_at_nanos: 7,
            lifetime_secs: 0,
            max_early_data: 0,
        }
    }

    #[test]
    fn own_bytes_round_trip_and_read_as_s2n_lays_them_out() {
        let mut f12 = facts13(7200);
        f12.protocol = 33;
        for facts in [facts13(7200), f12, facts12_id()] {
            let (h, bytes) = ours(&facts);
            assert_eq!(
                parse(&bytes).unwrap(),
                SessionRef {
                    handle: Some(h),
                    facts: facts.clone()
                }
            );
            // s2n-tls's layout: kind, ticket or ID, format, protocol, suite, time.
            let head = match &facts.ticket {
                Some(t) => {
                    assert_eq!(bytes[0], 1);
                    assert_eq!(
                        usize::from(u16::from_be_bytes([bytes[1], bytes[2]])),
                        t.len()
                    );
                    assert_eq!(&bytes[3..3 + t.len()], &t[..]);
                    3 + t.len()
                }
                None => {
                    assert_eq!(bytes[..2], [0, 32]);
                    34
                }
            };
            let format = if facts.protocol == 34 { 2 } else { 4 };
            assert_eq!(
                bytes[head..head + 4],
                [
                    format,
                    facts.protocol,
                    facts.cipher_suite[0],
                    facts.cipher_suite[1]
                ]
            );
            assert_eq!(
                bytes[head + 4..head + 12],
                facts.saved_at_nanos.to_be_bytes()
            );
            assert_eq!(bytes.len(), head + STATE_LEN + REF_LEN);
        }
    }

    #[test]
    fn handles_do_not_repeat_across_pool_refills() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            assert!(seen.insert(new_handle().unwrap()));
        }
    }

    #[test]
    fn every_altered_byte_is_rejected_or_names_nothing() {
        for facts in [facts13(7200), facts12_id()] {
            let (_, good) = ours(&facts);
            for i in 0..good.len() {
                for bit in [0x01, 0x80] {
                    let mut b = good.clone();
                    b[i] ^= bit;
                    match parse(&b) {
                        // Only a changed tag reads as another process's bytes.
                        Ok(r) => assert!(
                            r.handle.is_none() && tag_range(&facts).contains(&i),
                            "byte {i}"
                        ),
                        Err(e) => assert_eq!(e.code, ErrorCode::InvalidSerializedSession),
                    }
                }
            }
        }
    }

    #[test]
    fn forged_bytes_with_this_process_tag_are_rejected() {
        let (h, _) = ours(&facts13(1));
        let e = parse(&forged_bytes(&h)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSerializedSession);
        assert!(e.message.contains("do not authenticate"), "{}", e.message);
    }

    #[test]
    fn another_process_bytes_are_accepted_and_name_nothing() {
        let r = parse(&foreign_bytes(34, 3600)).unwrap();
        assert_eq!(r.handle, None);
        assert_eq!(r.facts.lifetime_secs, 3600);
    }

    #[test]
    fn earlier_rs2n_bytes_and_s2n_tls_bytes_are_accepted_and_name_nothing() {
        // rs2n format 2: "RS2N", 2, tag, handle, protocol, lifetime, time, MAC.
        let mut v2 = b"RS2N\x02".to_vec();
        v2.extend_from_slice(&[1; 32]);
        v2.push(34);
        v2.extend_from_slice(&600u32.to_be_bytes());
        v2.extend_from_slice(&[0; 8 + 32]);
        assert_eq!(v2.len(), FORMAT2_LEN);
        let r = parse(&v2).unwrap();
        assert_eq!(
            (r.handle, r.facts.protocol, r.facts.lifetime_secs),
            (None, 34, 600)
        );
        // s2n-tls's TLS1.3 client state: ticket, format, protocol, suite, time,
        // age_add, secret, no early data.
        let mut s13 = vec![1, 0, 3, 7, 7, 7, 2, 34, 0x13, 0x01];
        s13.extend_from_slice(&[0; 8]);
        s13.extend_from_slice(&[0, 0, 0, 1, 32]);
        s13.extend_from_slice(&[5; 32]);
        s13.extend_from_slice(&[0; 4]);
        let r = parse(&s13).unwrap();
        assert_eq!((r.handle, r.facts.ticket), (None, Some(vec![7, 7, 7])));
        // s2n-tls's TLS1.2 session-ID state: ID, format, protocol, suite, time,
        // master secret, EMS flag.
        let mut s12 = vec![0, 2, 1, 2, 4, 33, 0xc0, 0x2b];
        s12.extend_from_slice(&[0; 8]);
        s12.extend_from_slice(&[3; 48]);
        s12.push(1);
        assert_eq!(parse(&s12).unwrap().handle, None);
        s12.push(0);
        assert!(parse(&s12).is_err());
    }

    #[test]
    fn malformed_bytes_are_rejected() {
        let (_, good) = ours(&facts13(1));
        let mut bad_protocol = foreign_bytes(34, 1);
        bad_protocol[3 + 120 + 1] = 99;
        let mut long = good.clone();
        long.push(0);
        for (what, b) in [
            ("empty", Vec::new()),
            ("zeros", vec![0u8; good.len()]),
            ("truncated", good[..good.len() - 1].to_vec()),
            ("one byte too many", long),
            ("unknown protocol", bad_protocol),
            ("unknown kind", vec![2; 100]),
            ("long ticket length", vec![1, 0xff, 0xff, 0]),
        ] {
            let e = parse(&b).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidSerializedSession, "{what}");
        }
        // Without a process key (no randomness) nothing is ours.
        assert_eq!(parse_with(None, &good).unwrap().handle, None);
    }
}
