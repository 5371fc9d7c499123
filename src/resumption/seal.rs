//! The sealed form of a session (a ticket, or a value in the session cache), and the
//! per-ticket-key secret that seals it:
//!
//! ```text
//! version (1) = 2 | key name (16) | seal id (32) | AES-256-GCM(plaintext) | tag (16)
//! ```
//!
//! Each seal has a key of its own, as in s2n-tls (`tls/s2n_resume.c`): the seal id is
//! 32 fresh random bytes, and the AES-256-GCM key is HKDF-SHA256-Expand(PRK, label |
//! seal id), where the PRK is HKDF-Extract of the application's key material, computed
//! once per ticket key. A key seals exactly one value, so the nonce is fixed (zero):
//! there is no nonce to repeat, and no practical limit on how many values one ticket
//! key seals. The label says what is sealed ([`Domain`]), so a ticket never opens as
//! a cache value, nor a cache value as a ticket.
//!
//! The whole header is authenticated as associated data. Nothing is read from a
//! sealed value before it authenticates, except the version and the key name used to
//! find the key. Values of version 1 (rs2n's first format: one AES key per ticket key,
//! random nonces) are not opened: such a ticket or cache value is a miss, and the
//! client gets a full handshake.
//!
//! Secrets: the PRK and each derived AES key are kept in `Zeroizing` buffers. The
//! crypto library's key types (ring's, or aws-lc-rs' with that feature: see
//! `crate::crypto`) are built for one operation and wiped right after
//! (`crypto::with_wiped`). That is best effort: copies the library makes inside
//! its own functions are beyond our reach.

use zeroize::Zeroizing;

use crate::crypto::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use crate::crypto::rand::{SecureRandom, SystemRandom};
use crate::crypto::{hkdf, hmac, with_wiped};

/// Key names are zero-padded to this length.
pub(crate) const KEY_NAME_LEN: usize = 16;
/// The format this module writes and reads.
pub(crate) const VERSION: u8 = 2;
/// The random per-seal input to the key derivation (s2n-tls uses 32 bytes too).
const SEAL_ID_LEN: usize = 32;
const HEADER_LEN: usize = 1 + KEY_NAME_LEN + SEAL_ID_LEN;
const TAG_LEN: usize = 16;
/// The smallest sealed value: a header and a tag around nothing.
pub(crate) const OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// HKDF-Extract's salt: ties the PRK to this use of the material.
const EXTRACT_SALT: &[u8] = b"rs2n ticket key v2";
const FINGERPRINT_LABEL: &[u8] = b"rs2n v2 key fingerprint";

/// What a sealed value holds. Each has its own HKDF label, so a value sealed for one
/// never opens as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// A session ticket (`ProducesTickets`).
    Ticket,
    /// A value given to the application's session cache.
    CacheValue,
}

impl Domain {
    fn label(self) -> &'static [u8] {
        match self {
            // Equal lengths, and short enough that HKDF-Expand's HMAC input
            // (label | seal id | counter) fits one SHA-256 block.
            Domain::Ticket => b"rs2n v2 session ticket",
            Domain::CacheValue => b"rs2n v2 cached session",
        }
    }
}

/// An HKDF output length of 32 bytes.
struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// The secret of one ticket key: its name and the PRK extracted from the
/// application's material. Its `Debug` shows the name only.
pub struct SealKey {
    name: [u8; KEY_NAME_LEN],
    /// HKDF-Extract(salt, material); wiped when the key is dropped.
    prk: Zeroizing<[u8; 32]>,
    /// Tells keys apart without comparing secrets: an HKDF output of its own.
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field(
                "name",
                &String::from_utf8_lossy(&self.name).trim_end_matches('\0'),
            )
            .finish_non_exhaustive()
    }
}

impl SealKey {
    /// Extracts the PRK from the application's material (HKDF-SHA256).
    pub fn derive(name: [u8; KEY_NAME_LEN], material: &[u8]) -> SealKey {
        let salt = hmac::Key::new(hmac::HMAC_SHA256, EXTRACT_SALT);
        let mut prk = Zeroizing::new([0u8; 32]);
        // HKDF-Extract is HMAC(salt, material); its tag is the PRK.
        with_wiped(
            || hmac::sign(&salt, material),
            |tag| prk.copy_from_slice(tag.as_ref()),
        );
        let mut key = SealKey {
            name,
            prk,
            fingerprint: [0; 32],
        };
        key.fingerprint = *key.expand(&[FINGERPRINT_LABEL]);
        key
    }

    pub fn name(&self) -> &[u8; KEY_NAME_LEN] {
        &self.name
    }

    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// HKDF-Expand(PRK, info), 32 bytes.
    fn expand(&self, info: &[&[u8]]) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        with_wiped(
            || hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &self.prk[..]),
            |prk| {
                // 32 bytes is within HKDF-SHA256's limit: this cannot fail.
                prk.expand(info, Len32)
                    .and_then(|okm| okm.fill(&mut out[..]))
                    .expect("HKDF-SHA256 expand of 32 bytes")
            },
        );
        out
    }

    /// Runs `f` with the AES-256-GCM key of one seal.
    fn with_aead<R>(
        &self,
        domain: Domain,
        seal_id: &[u8],
        f: impl FnOnce(&LessSafeKey) -> Option<R>,
    ) -> Option<R> {
        let bytes = self.expand(&[domain.label(), seal_id]);
        with_wiped(
            || UnboundKey::new(&AES_256_GCM, &bytes[..]).map(LessSafeKey::new),
            |key| f(key.as_ref().ok()?),
        )
    }
}

/// Each key seals one value: a fixed nonce is never reused with a key.
fn nonce() -> Nonce {
    Nonce::assume_unique_for_key([0; NONCE_LEN])
}

/// Seals `plaintext` as `domain` under a key of its own derived from `key`.
pub fn seal(key: &SealKey, domain: Domain, plaintext: &[u8]) -> Option<Vec<u8>> {
    let mut seal_id = [0u8; SEAL_ID_LEN];
    SystemRandom::new().fill(&mut seal_id).ok()?;
    // Exact capacity: the buffer never reallocates (which would leave an unwiped
    // copy of the plaintext behind), and is wiped if sealing fails.
    let mut out = Zeroizing::new(Vec::with_capacity(OVERHEAD + plaintext.len()));
    out.push(VERSION);
    out.extend_from_slice(&key.name);
    out.extend_from_slice(&seal_id);
    out.extend_from_slice(plaintext);
    let (header, body) = out.split_at_mut(HEADER_LEN);
    let tag = key.with_aead(domain, &seal_id, |aead| {
        aead.seal_in_place_separate_tag(nonce(), Aad::from(&*header), body)
            .ok()
    })?;
    out.extend_from_slice(tag.as_ref());
    // Only ciphertext is left in it now.
    Some(std::mem::take(&mut *out))
}

/// The key name of a sealed value, if it has this module's format.
pub fn key_name(sealed: &[u8]) -> Option<&[u8]> {
    if sealed.len() < OVERHEAD || sealed[0] != VERSION {
        return None;
    }
    Some(&sealed[1..1 + KEY_NAME_LEN])
}

/// Opens a value sealed as `domain`; None if it does not authenticate under `key`.
pub fn open(key: &SealKey, domain: Domain, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if key_name(sealed)? != key.name {
        return None;
    }
    let (header, body) = sealed.split_at(HEADER_LEN);
    let mut plain = Zeroizing::new(body.to_vec());
    let len = key.with_aead(domain, &header[1 + KEY_NAME_LEN..], |aead| {
        aead.open_in_place(nonce(), Aad::from(header), &mut plain)
            .ok()
            .map(|p| p.len())
    })?;
    plain.truncate(len);
    Some(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &[u8], material: &[u8]) -> SealKey {
        let mut n = [0u8; KEY_NAME_LEN];
        n[..name.len()].copy_from_slice(name);
        SealKey::derive(n, material)
    }

    #[test]
    fn round_trip_with_a_fresh_key_per_seal() {
        let k = key(b"k", b"secret");
        let a = seal(&k, Domain::Ticket, b"session state").unwrap();
        let b = seal(&k, Domain::Ticket, b"session state").unwrap();
        assert_eq!(a.len(), OVERHEAD + 13);
        assert_eq!(a[0], VERSION);
        assert_eq!(key_name(&a).unwrap(), k.name());
        let id = 1 + KEY_NAME_LEN..HEADER_LEN;
        assert_ne!(a[id.clone()], b[id], "each seal draws its own seal id");
        assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..], "so its own key");
        assert_eq!(&open(&k, Domain::Ticket, &a).unwrap()[..], b"session state");
        assert_eq!(&open(&k, Domain::Ticket, &b).unwrap()[..], b"session state");
    }

    #[test]
    fn tickets_and_cache_values_never_open_as_each_other() {
        let k = key(b"k", b"secret");
        let ticket = seal(&k, Domain::Ticket, b"state").unwrap();
        let value = seal(&k, Domain::CacheValue, b"state").unwrap();
        assert!(open(&k, Domain::CacheValue, &ticket).is_none());
        assert!(open(&k, Domain::Ticket, &value).is_none());
        assert_eq!(&open(&k, Domain::CacheValue, &value).unwrap()[..], b"state");
    }

    #[test]
    fn same_material_same_key_across_processes() {
        // Two servers given the same material derive the same key.
        let a = key(b"fleet", b"shared material");
        let b = key(b"fleet", b"shared material");
        assert_eq!(a.fingerprint(), b.fingerprint());
        let sealed = seal(&a, Domain::Ticket, b"x").unwrap();
        assert_eq!(&open(&b, Domain::Ticket, &sealed).unwrap()[..], b"x");
        let c = key(b"fleet", b"other material");
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert!(open(&c, Domain::Ticket, &sealed).is_none());
    }

    #[test]
    fn the_first_format_is_not_opened() {
        let k = key(b"k", b"secret");
        let mut sealed = seal(&k, Domain::Ticket, b"state").unwrap();
        sealed[0] = 1;
        assert!(key_name(&sealed).is_none());
        assert!(open(&k, Domain::Ticket, &sealed).is_none());
    }

    #[test]
    fn every_bit_flip_and_truncation_is_rejected() {
        let k = key(b"k", b"secret");
        let sealed = seal(&k, Domain::CacheValue, b"0123456789").unwrap();
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut t = sealed.clone();
                t[i] ^= 1 << bit;
                assert!(
                    open(&k, Domain::CacheValue, &t).is_none(),
                    "flip at byte {i} bit {bit}"
                );
            }
        }
        for len in 0..sealed.len() {
            assert!(
                open(&k, Domain::CacheValue, &sealed[..len]).is_none(),
                "truncated to {len}"
            );
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(open(&k, Domain::CacheValue, &longer).is_none());
    }

    #[test]
    fn debug_shows_the_name_and_no_secret() {
        let k = key(b"visible", b"secret material");
        assert_eq!(format!("{k:?}"), r#"SealKey { name: "visible", .. }"#);
    }
}

/// A value sealed by a ring build opens in an aws-lc-rs build and the other way
/// round (a fleet may mix them): both run the same HKDF-SHA256 and AES-256-GCM.
/// `cargo test` checks it with ring, `cargo test --features aws-lc-rs` with aws-lc.
#[cfg(test)]
mod known_answer {
    use super::*;

    /// Sealed once (ring build) under key "fleet" / material "shared material".
    const SEALED: &str = "02666c6565740000000000000000000000e2f6d197a255ef901e649e2f6a7b10e3d4353201eab0f9bbef31bef20dc62e57515a21068d3d76f60a9aa0c19b8a301dd232d8ac6baf9cde72371d9ba13141ef659f";

    #[test]
    fn a_value_sealed_by_either_library_opens_with_the_other() {
        let mut name = [0u8; KEY_NAME_LEN];
        name[..5].copy_from_slice(b"fleet");
        let k = SealKey::derive(name, b"shared material");
        let sealed: Vec<u8> = (0..SEALED.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&SEALED[i..i + 2], 16).unwrap())
            .collect();
        let plain = open(&k, Domain::Ticket, &sealed);
        assert_eq!(
            plain.as_deref().map(|p| &p[..]),
            Some(&b"rs2n session state"[..])
        );
        // The fingerprint is an HKDF output too.
        let hex: String = k.fingerprint().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "59fa21d7529859aa1ca3a56928e498408c2303c0b1197ce1e8fd7af20ea2f580",
            "{}",
            crate::crypto::LIBRARY
        );
    }
}
