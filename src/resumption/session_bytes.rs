//! The format of client session bytes (what `s2n_connection_get_session` hands out):
//! a reference to a session this process holds, authenticated by this process.
//!
//! Layout (82 bytes, big-endian numbers):
//! `"RS2N"` | format (2) | process tag (16) | handle (16) | protocol (33 or 34) |
//! lifetime hint in seconds (4) | saved at, wall clock seconds (8) |
//! HMAC-SHA256 of all the above (32).
//!
//! The handle is random (not a counter), so it cannot be guessed from other
//! bytes; the MAC, under a key random per process, makes every field
//! tamper-evident. Bytes with this process's tag that do not authenticate are
//! rejected; bytes with another tag come from another process (or from before a
//! restart) and cannot be checked: they are accepted and name nothing here.

use std::sync::Mutex;

use once_cell::sync::Lazy;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, ErrorCode, Result};
use crate::sync;

const MAGIC: &[u8; 4] = b"RS2N";
const FORMAT: u8 = 2;
/// Which stored session bytes name: 128 random bits.
pub type Handle = [u8; 16];
type Tag = [u8; 16];

const TAG_AT: usize = 5;
const HANDLE_AT: usize = TAG_AT + 16;
const PROTOCOL_AT: usize = HANDLE_AT + 16;
const LIFETIME_AT: usize = PROTOCOL_AT + 1;
const SAVED_AT: usize = LIFETIME_AT + 4;
const MAC_AT: usize = SAVED_AT + 8;
/// The length of session bytes (what `s2n_connection_get_session_length` reports).
pub(crate) const SESSION_LEN: usize = MAC_AT + 32;

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
    /// s2n's number of the protocol version (33 or 34).
    pub protocol: u8,
    pub lifetime_secs: u32,
}

/// The bytes naming `handle`; None without a process key (no randomness).
pub fn encode(handle: &Handle, protocol: u8, lifetime_secs: u32, now_secs: u64) -> Option<Vec<u8>> {
    let key = PROCESS_KEY.as_ref()?;
    Some(encode_with(key, handle, protocol, lifetime_secs, now_secs))
}

fn encode_with(
    key: &ProcessKey,
    handle: &Handle,
    protocol: u8,
    lifetime_secs: u32,
    now_secs: u64,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(SESSION_LEN);
    bytes.extend_from_slice(MAGIC);
    bytes.push(FORMAT);
    bytes.extend_from_slice(&key.tag);
    bytes.extend_from_slice(handle);
    bytes.push(protocol);
    bytes.extend_from_slice(&lifetime_secs.to_be_bytes());
    bytes.extend_from_slice(&now_secs.to_be_bytes());
    let mac = hmac::sign(&key.mac, &bytes);
    bytes.extend_from_slice(mac.as_ref());
    bytes
}

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

fn parse_with(key: Option<&ProcessKey>, bytes: &[u8]) -> Result<SessionRef> {
    if bytes.len() != SESSION_LEN {
        return Err(invalid(&format!(
            "{} bytes, an rs2n session is {SESSION_LEN}",
            bytes.len()
        )));
    }
    if &bytes[..TAG_AT - 1] != MAGIC {
        return Err(invalid(
            "not an rs2n session (s2n-tls and other libraries' sessions cannot be read)",
        ));
    }
    if bytes[TAG_AT - 1] != FORMAT {
        return Err(invalid(&format!(
            "unknown session format {}",
            bytes[TAG_AT - 1]
        )));
    }
    let protocol = bytes[PROTOCOL_AT];
    if protocol != 33 && protocol != 34 {
        return Err(invalid(&format!("unknown protocol version {protocol}")));
    }
    let ours = key.filter(|k| bytes[TAG_AT..HANDLE_AT] == k.tag);
    let handle = match ours {
        Some(k) => {
            // Constant time; nothing of the bytes is used before this.
            hmac::verify(&k.mac, &bytes[..MAC_AT], &bytes[MAC_AT..]).map_err(|_| {
                invalid("they carry this process's tag but do not authenticate (altered or forged)")
            })?;
            let mut h = [0u8; 16];
            h.copy_from_slice(&bytes[HANDLE_AT..PROTOCOL_AT]);
            Some(h)
        }
        None => None,
    };
    let mut lifetime = [0u8; 4];
    lifetime.copy_from_slice(&bytes[LIFETIME_AT..SAVED_AT]);
    Ok(SessionRef {
        handle,
        protocol,
        lifetime_secs: u32::from_be_bytes(lifetime),
    })
}

/// Test helpers: bytes as another process would make them.
#[cfg(test)]
pub mod testing {
    use super::*;

    /// Valid bytes from a process with another tag and key.
    pub fn foreign_bytes(protocol: u8, lifetime_secs: u32) -> Vec<u8> {
        let rng = SystemRandom::new();
        let key = ProcessKey {
            tag: [0xee; 16],
            mac: hmac::Key::generate(hmac::HMAC_SHA256, &rng).unwrap(),
        };
        encode_with(&key, &[7; 16], protocol, lifetime_secs, 1)
    }

    /// Bytes with this process's tag naming `handle`, and a MAC made without the key.
    pub fn forged_bytes(handle: &Handle) -> Vec<u8> {
        let tag = PROCESS_KEY.as_ref().unwrap().tag;
        let forger = ProcessKey {
            tag,
            mac: hmac::Key::new(hmac::HMAC_SHA256, b"a guess at the key"),
        };
        encode_with(&forger, handle, 34, 3600, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    fn ours(protocol: u8) -> (Handle, Vec<u8>) {
        let h = new_handle().unwrap();
        (h, encode(&h, protocol, 7200, 5).unwrap())
    }

    #[test]
    fn own_bytes_round_trip() {
        for protocol in [33, 34] {
            let (h, bytes) = ours(protocol);
            assert_eq!(bytes.len(), SESSION_LEN);
            let r = parse(&bytes).unwrap();
            assert_eq!(
                r,
                SessionRef {
                    handle: Some(h),
                    protocol,
                    lifetime_secs: 7200
                }
            );
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
        let (_, good) = ours(34);
        for i in 0..good.len() {
            for bit in [0x01, 0x80] {
                let mut b = good.clone();
                b[i] ^= bit;
                match parse(&b) {
                    // Only a changed tag reads as another process's bytes.
                    Ok(r) => assert!(
                        r.handle.is_none() && (TAG_AT..HANDLE_AT).contains(&i),
                        "byte {i}"
                    ),
                    Err(e) => assert_eq!(e.code, ErrorCode::InvalidSerializedSession),
                }
            }
        }
    }

    #[test]
    fn forged_bytes_with_this_process_tag_are_rejected() {
        let (h, _) = ours(34);
        let e = parse(&forged_bytes(&h)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSerializedSession);
        assert!(e.message.contains("do not authenticate"), "{}", e.message);
    }

    #[test]
    fn another_process_bytes_are_accepted_and_name_nothing() {
        let r = parse(&foreign_bytes(34, 3600)).unwrap();
        assert_eq!(r.handle, None);
        assert_eq!(r.lifetime_secs, 3600);
    }

    #[test]
    fn malformed_bytes_are_rejected() {
        let (_, good) = ours(33);
        let mut bad_protocol = foreign_bytes(34, 1);
        bad_protocol[PROTOCOL_AT] = 99;
        let mut long = good.clone();
        long.push(0);
        for (what, b) in [
            ("empty", Vec::new()),
            ("zeros", vec![0u8; SESSION_LEN]),
            ("truncated", good[..SESSION_LEN - 1].to_vec()),
            ("one byte too many", long),
            ("unknown protocol", bad_protocol),
        ] {
            let e = parse(&b).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidSerializedSession, "{what}");
        }
        // Without a process key (no randomness) nothing is ours.
        assert_eq!(parse_with(None, &good).unwrap().handle, None);
    }
}
