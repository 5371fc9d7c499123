//! The sealed form of a session (a ticket, or a value in the session cache):
//!
//! ```text
//! version (1) | key name (16) | nonce (12) | AES-256-GCM(plaintext) with tag (16)
//! ```
//!
//! The version byte and key name are authenticated as associated data. Nothing is
//! read from a sealed value before it authenticates, except the version and the key
//! name used to find the key.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use super::ticket_keys::{TicketKey, KEY_NAME_LEN};

/// The format this module writes and reads.
pub(crate) const VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + KEY_NAME_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;
/// The smallest sealed value: a header and a tag around nothing.
pub(crate) const OVERHEAD: usize = HEADER_LEN + TAG_LEN;

fn aead(key: &TicketKey) -> LessSafeKey {
    // A 32-byte key is always valid for AES-256-GCM.
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.aead_key()).expect("AES-256 key length"))
}

/// Seals `plaintext` under `key` with a fresh random nonce.
pub fn seal(key: &TicketKey, plaintext: &[u8]) -> Option<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
    out.push(VERSION);
    out.extend_from_slice(&key.name);
    out.extend_from_slice(&nonce);
    let aad = out.clone();
    out.extend_from_slice(plaintext);
    let tag = aead(key)
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&aad[..1 + KEY_NAME_LEN]),
            &mut out[HEADER_LEN..],
        )
        .ok()?;
    out.extend_from_slice(tag.as_ref());
    Some(out)
}

/// The key name of a sealed value, if it has this module's format.
pub fn key_name(sealed: &[u8]) -> Option<&[u8]> {
    if sealed.len() < OVERHEAD || sealed[0] != VERSION {
        return None;
    }
    Some(&sealed[1..1 + KEY_NAME_LEN])
}

/// Opens a sealed value; None if it does not authenticate under `key`.
pub fn open(key: &TicketKey, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let name = key_name(sealed)?;
    if name != key.name {
        return None;
    }
    let nonce = Nonce::try_assume_unique_for_key(&sealed[1 + KEY_NAME_LEN..HEADER_LEN]).ok()?;
    let mut body = Zeroizing::new(sealed[HEADER_LEN..].to_vec());
    let len = aead(key)
        .open_in_place(nonce, Aad::from(&sealed[..1 + KEY_NAME_LEN]), &mut body)
        .ok()?
        .len();
    body.truncate(len);
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &[u8], material: &[u8]) -> TicketKey {
        let mut n = [0u8; KEY_NAME_LEN];
        n[..name.len()].copy_from_slice(name);
        TicketKey::derive(n, material, 0)
    }

    #[test]
    fn round_trip_and_fresh_nonces() {
        let k = key(b"k", b"secret");
        let a = seal(&k, b"session state").unwrap();
        let b = seal(&k, b"session state").unwrap();
        assert_ne!(a, b, "each seal uses a new nonce");
        assert_eq!(a.len(), OVERHEAD + 13);
        assert_eq!(&open(&k, &a).unwrap()[..], b"session state");
        assert_eq!(key_name(&a).unwrap(), &k.name);
    }

    #[test]
    fn same_material_same_key_across_processes() {
        // Two servers given the same material derive the same key.
        let a = key(b"fleet", b"shared material");
        let b = key(b"fleet", b"shared material");
        assert_eq!(&open(&b, &seal(&a, b"x").unwrap()).unwrap()[..], b"x");
        let c = key(b"fleet", b"other material");
        assert!(open(&c, &seal(&a, b"x").unwrap()).is_none());
    }

    #[test]
    fn every_bit_flip_and_truncation_is_rejected() {
        let k = key(b"k", b"secret");
        let sealed = seal(&k, b"0123456789").unwrap();
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut t = sealed.clone();
                t[i] ^= 1 << bit;
                assert!(open(&k, &t).is_none(), "flip at byte {i} bit {bit}");
            }
        }
        for len in 0..sealed.len() {
            assert!(open(&k, &sealed[..len]).is_none(), "truncated to {len}");
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(open(&k, &longer).is_none());
    }
}
