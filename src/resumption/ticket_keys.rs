//! Session ticket keys and their two windows: a key encrypts and decrypts from its
//! intro time for the encrypt-decrypt lifetime, then only decrypts for the
//! decrypt-only lifetime, then is gone.

use std::sync::{Arc, RwLock};

use crate::crypto::rand::{SecureRandom, SystemRandom};

use super::seal::{SealKey, KEY_NAME_LEN};
use crate::error::{Error, ErrorCode, Result};
use crate::sync;

/// How many keys a config holds at most (s2n's limit).
pub(crate) const MAX_TICKET_KEYS: usize = 48;

const NANOS: u64 = 1_000_000_000;
const HOUR: u64 = 3600 * NANOS;
/// The longest encrypt-decrypt or decrypt-only lifetime a config accepts: 30 days.
/// s2n-tls accepts any value (and overflows past ~584 years); rs2n bounds both so a
/// key cannot seal or open tickets forever. Tickets themselves live at most 7 days
/// (`MAX_TICKET_LIFETIME_SECS`), so longer windows would only extend how long one
/// key's compromise matters.
pub(crate) const MAX_KEY_LIFETIME_SECS: u64 = 30 * 24 * 3600;
const MAX_KEY_LIFETIME: u64 = MAX_KEY_LIFETIME_SECS * NANOS;

/// The lifetimes that govern keys and sessions, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// At most `MAX_KEY_LIFETIME_SECS`, as is `decrypt_only`.
    pub encrypt_decrypt: u64,
    pub decrypt_only: u64,
    /// How long a session may be resumed after the ticket was issued.
    pub session_state: u64,
}

impl Default for Lifetimes {
    /// s2n's defaults: 2 h encrypt-decrypt, 13 h decrypt-only, 15 h session state.
    fn default() -> Self {
        Lifetimes {
            encrypt_decrypt: 2 * HOUR,
            decrypt_only: 13 * HOUR,
            session_state: 15 * HOUR,
        }
    }
}

/// A key window in nanoseconds, or a usage error if longer than allowed.
fn key_window(secs: u64, what: &str) -> Result<u64> {
    if secs > MAX_KEY_LIFETIME_SECS {
        return Err(Error::usage(format!(
            "the ticket key {what} lifetime is {secs} s; at most {MAX_KEY_LIFETIME_SECS} s (30 days) is allowed"
        )));
    }
    Ok(secs * NANOS)
}

/// One ticket key: its sealing secret (see `seal`) and when it was introduced.
pub struct TicketKey {
    seal: SealKey,
    /// With both windows at their longest, still far from overflowing (`add`).
    pub intro_nanos: u64,
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKey")
            .field("seal", &self.seal)
            .field("intro_nanos", &self.intro_nanos)
            .finish()
    }
}

impl TicketKey {
    /// Derives a key from the application's material with HKDF-SHA256.
    pub fn derive(name: [u8; KEY_NAME_LEN], material: &[u8], intro_nanos: u64) -> TicketKey {
        TicketKey {
            seal: SealKey::derive(name, material),
            intro_nanos,
        }
    }

    pub fn name(&self) -> &[u8; KEY_NAME_LEN] {
        self.seal.name()
    }

    /// What `seal::seal` and `seal::open` take.
    pub fn seal_key(&self) -> &SealKey {
        &self.seal
    }

    /// When the key stops encrypting.
    pub fn encrypt_until(&self, l: &Lifetimes) -> u64 {
        self.intro_nanos.saturating_add(l.encrypt_decrypt)
    }

    /// When the key stops decrypting: the end of its life.
    pub fn expires_at(&self, l: &Lifetimes) -> u64 {
        self.encrypt_until(l).saturating_add(l.decrypt_only)
    }

    pub fn can_encrypt(&self, now: u64, l: &Lifetimes) -> bool {
        self.intro_nanos <= now && now < self.encrypt_until(l)
    }

    pub fn can_decrypt(&self, now: u64, l: &Lifetimes) -> bool {
        self.intro_nanos <= now && now < self.expires_at(l)
    }

    /// How much of a key's use to give it among several that can encrypt: rising
    /// from its intro to the middle of its encrypt-decrypt window, then falling, so
    /// a fleet moves from an old key to a new one gradually (s2n's weighting).
    fn weight(&self, now: u64, l: &Lifetimes) -> f64 {
        let half = l.encrypt_decrypt / 2;
        let peak = self.intro_nanos.saturating_add(half);
        let w = if now < peak {
            now - self.intro_nanos
        } else {
            half.saturating_sub(now - peak)
        };
        w as f64
    }
}

fn pad_name(name: &[u8]) -> Result<[u8; KEY_NAME_LEN]> {
    if name.is_empty() || name.len() > KEY_NAME_LEN {
        return Err(Error::new(
            ErrorCode::InvalidTicketKeyName,
            format!(
                "ticket key name is {} bytes; it must be 1 to {KEY_NAME_LEN}",
                name.len()
            ),
        ));
    }
    let mut padded = [0u8; KEY_NAME_LEN];
    padded[..name.len()].copy_from_slice(name);
    Ok(padded)
}

/// A zero-padded key name as text, for messages.
fn printable(name: &[u8; KEY_NAME_LEN]) -> String {
    String::from_utf8_lossy(name)
        .trim_end_matches('\0')
        .to_string()
}

/// A key's intro time in nanoseconds (0: `now`), leaving room for both windows at
/// their longest, so no later lifetime change makes its expiry overflow.
fn intro_nanos(intro_secs: u64, now: u64) -> Result<u64> {
    let intro = if intro_secs == 0 {
        Some(now)
    } else {
        intro_secs.checked_mul(NANOS)
    };
    match intro {
        Some(nanos) if nanos.checked_add(2 * MAX_KEY_LIFETIME).is_some() => Ok(nanos),
        _ => Err(Error::usage(format!(
            "ticket key intro time {} s is too large: at most {} s since the epoch",
            if intro_secs == 0 {
                now / NANOS
            } else {
                intro_secs
            },
            (u64::MAX - 2 * MAX_KEY_LIFETIME) / NANOS
        ))),
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && std::hint::black_box(a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y))) == 0
}

/// A config's ticket keys and lifetimes. Shared by every connection of the config
/// and by the application thread that adds keys.
#[derive(Default)]
pub struct TicketKeyStore {
    keys: RwLock<Vec<Arc<TicketKey>>>,
    lifetimes: RwLock<Lifetimes>,
}

impl std::fmt::Debug for TicketKeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKeyStore")
            .field("keys", &self.keys().len())
            .finish_non_exhaustive()
    }
}

impl TicketKeyStore {
    pub fn lifetimes(&self) -> Lifetimes {
        *sync::read(&self.lifetimes)
    }

    /// Changes the lifetimes. The key windows are held to `MAX_KEY_LIFETIME_SECS`
    /// (callers from C go through the checked setters below, which refuse more).
    pub fn set_lifetimes(&self, change: impl FnOnce(&mut Lifetimes)) {
        let mut lifetimes = sync::write(&self.lifetimes);
        change(&mut lifetimes);
        lifetimes.encrypt_decrypt = lifetimes.encrypt_decrypt.min(MAX_KEY_LIFETIME);
        lifetimes.decrypt_only = lifetimes.decrypt_only.min(MAX_KEY_LIFETIME);
    }

    /// `s2n_config_set_ticket_encrypt_decrypt_key_lifetime`: at most
    /// `MAX_KEY_LIFETIME_SECS`; 0 is allowed (keys never encrypt), as in s2n.
    pub fn set_encrypt_decrypt_lifetime(&self, secs: u64) -> Result<()> {
        let nanos = key_window(secs, "encrypt-decrypt")?;
        self.set_lifetimes(|l| l.encrypt_decrypt = nanos);
        Ok(())
    }

    /// `s2n_config_set_ticket_decrypt_key_lifetime`: at most `MAX_KEY_LIFETIME_SECS`.
    pub fn set_decrypt_only_lifetime(&self, secs: u64) -> Result<()> {
        let nanos = key_window(secs, "decrypt-only")?;
        self.set_lifetimes(|l| l.decrypt_only = nanos);
        Ok(())
    }

    fn keys(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<TicketKey>>> {
        sync::read(&self.keys)
    }

    fn keys_mut(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Arc<TicketKey>>> {
        sync::write(&self.keys)
    }

    pub fn len(&self) -> usize {
        self.keys().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a key (`s2n_config_add_ticket_crypto_key`). `intro_secs` 0 means now.
    /// Expired keys are dropped first (and their secrets wiped). An intro time too
    /// large to hold with both windows at their longest, and a key that has already
    /// expired, are usage errors: s2n-tls wraps the first around and silently keeps
    /// the second (never using it, and dropping it on the next add).
    pub fn add(&self, name: &[u8], material: &[u8], intro_secs: u64, now: u64) -> Result<()> {
        // s2n's order of checks: material, then the key limit, then the name.
        if material.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidTicketKeyLength,
                "ticket key material is empty",
            ));
        }
        let lifetimes = self.lifetimes();
        let mut keys = self.keys_mut();
        keys.retain(|k| now < k.expires_at(&lifetimes));
        if keys.len() >= MAX_TICKET_KEYS {
            return Err(Error::new(
                ErrorCode::TicketKeyLimit,
                format!("a config holds at most {MAX_TICKET_KEYS} ticket keys; wait for old ones to expire"),
            ));
        }
        let name = pad_name(name)?;
        let intro = intro_nanos(intro_secs, now)?;
        if now >= intro + lifetimes.encrypt_decrypt + lifetimes.decrypt_only {
            return Err(Error::usage(format!(
                "ticket key {:?} expired before it was added: introduced at {} s, it encrypts for {} s and decrypts for {} s more, and the wall clock is at {} s",
                printable(&name),
                intro / NANOS,
                lifetimes.encrypt_decrypt / NANOS,
                lifetimes.decrypt_only / NANOS,
                now / NANOS
            )));
        }
        let key = TicketKey::derive(name, material, intro);
        for other in keys.iter() {
            if constant_time_eq(other.name(), key.name()) {
                return Err(Error::new(
                    ErrorCode::InvalidTicketKeyName,
                    format!("a ticket key named {:?} already exists", printable(&name)),
                ));
            }
            if constant_time_eq(other.seal_key().fingerprint(), key.seal_key().fingerprint()) {
                return Err(Error::new(
                    ErrorCode::TicketKeyNotUnique,
                    "this key material is already in use under another name",
                ));
            }
        }
        keys.push(Arc::new(key));
        Ok(())
    }

    /// The key to seal a new ticket with, or None when no key can encrypt now.
    pub fn encryption_key(&self, now: u64) -> Option<Arc<TicketKey>> {
        let lifetimes = self.lifetimes();
        let keys = self.keys();
        let usable: Vec<&Arc<TicketKey>> = keys
            .iter()
            .filter(|k| k.can_encrypt(now, &lifetimes))
            .collect();
        match usable.len() {
            0 => None,
            1 => Some(usable[0].clone()),
            _ => {
                let weights: Vec<f64> = usable.iter().map(|k| k.weight(now, &lifetimes)).collect();
                let total: f64 = weights.iter().sum();
                if total <= 0.0 {
                    return usable.last().map(|k| (*k).clone());
                }
                let mut pick = random_unit() * total;
                for (k, w) in usable.iter().zip(&weights) {
                    if pick < *w {
                        return Some((*k).clone());
                    }
                    pick -= w;
                }
                usable.last().map(|k| (*k).clone())
            }
        }
    }

    /// The key named `name` if it can still decrypt, and whether it is past its
    /// encrypt-decrypt window.
    pub fn decryption_key(&self, name: &[u8], now: u64) -> Option<(Arc<TicketKey>, bool)> {
        let lifetimes = self.lifetimes();
        let keys = self.keys();
        let key = keys.iter().find(|k| constant_time_eq(k.name(), name))?;
        if !key.can_decrypt(now, &lifetimes) {
            return None;
        }
        Some((key.clone(), !key.can_encrypt(now, &lifetimes)))
    }
}

/// A uniformly random number in [0, 1).
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_000_000 * NANOS;

    #[test]
    fn windows_follow_the_lifetimes() {
        let s = TicketKeyStore::default();
        s.add(b"k1", b"material one", 0, T0).unwrap();
        let l = s.lifetimes();
        assert!(s.encryption_key(T0).is_some());
        assert!(s.encryption_key(T0 + l.encrypt_decrypt - 1).is_some());
        assert!(s.encryption_key(T0 + l.encrypt_decrypt).is_none());
        let (_, decrypt_only) = s
            .decryption_key(b"k1\0\0\0\0\0\0\0\0\0\0\0\0\0\0", T0 + l.encrypt_decrypt)
            .unwrap();
        assert!(decrypt_only);
        let end = T0 + l.encrypt_decrypt + l.decrypt_only;
        assert!(s
            .decryption_key(&pad_name(b"k1").unwrap(), end - 1)
            .is_some());
        assert!(s.decryption_key(&pad_name(b"k1").unwrap(), end).is_none());
        // Adding after expiry drops the old key.
        s.add(b"k2", b"material two", 0, end).unwrap();
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn future_keys_wait_for_their_intro_time() {
        let s = TicketKeyStore::default();
        s.add(b"later", b"m", T0 / NANOS + 100, T0).unwrap();
        assert!(s.encryption_key(T0).is_none());
        assert!(s.decryption_key(&pad_name(b"later").unwrap(), T0).is_none());
        assert!(s.encryption_key(T0 + 100 * NANOS).is_some());
    }

    #[test]
    fn argument_errors_are_s2ns() {
        let s = TicketKeyStore::default();
        assert_eq!(
            s.add(b"k", b"", 0, T0).unwrap_err().code,
            ErrorCode::InvalidTicketKeyLength
        );
        assert_eq!(
            s.add(b"", b"m", 0, T0).unwrap_err().code,
            ErrorCode::InvalidTicketKeyName
        );
        assert_eq!(
            s.add(&[b'x'; 17], b"m", 0, T0).unwrap_err().code,
            ErrorCode::InvalidTicketKeyName
        );
        s.add(&[b'x'; 16], b"m", 0, T0).unwrap();
        assert_eq!(
            s.add(&[b'x'; 16], b"other", 0, T0).unwrap_err().code,
            ErrorCode::InvalidTicketKeyName
        );
        assert_eq!(
            s.add(b"y", b"m", 0, T0).unwrap_err().code,
            ErrorCode::TicketKeyNotUnique
        );
        // "k" and "k\0" pad to the same name.
        s.add(b"k", b"m2", 0, T0).unwrap();
        assert_eq!(
            s.add(b"k\0", b"m3", 0, T0).unwrap_err().code,
            ErrorCode::InvalidTicketKeyName
        );
        for i in s.len()..MAX_TICKET_KEYS {
            s.add(
                format!("key{i}").as_bytes(),
                format!("material{i}").as_bytes(),
                0,
                T0,
            )
            .unwrap();
        }
        assert_eq!(
            s.add(b"one-too-many", b"mm", 0, T0).unwrap_err().code,
            ErrorCode::TicketKeyLimit
        );
    }

    #[test]
    fn weighted_choice_prefers_the_key_in_its_prime() {
        let s = TicketKeyStore::default();
        let l = s.lifetimes();
        // Old key near the end of its window, new key near its peak.
        s.add(b"old", b"a", T0 / NANOS, T0).unwrap();
        let now = T0 + l.encrypt_decrypt - l.encrypt_decrypt / 10;
        s.add(
            b"new",
            b"b",
            (now - l.encrypt_decrypt / 2 + l.encrypt_decrypt / 10) / NANOS,
            now,
        )
        .unwrap();
        let mut new = 0;
        for _ in 0..400 {
            if &s.encryption_key(now).unwrap().name()[..3] == b"new" {
                new += 1;
            }
        }
        assert!(new > 250, "new key chosen {new}/400 times");
        assert!(new < 400, "old key still chosen sometimes");
    }

    #[test]
    fn key_windows_longer_than_30_days_are_refused_and_change_nothing() {
        let s = TicketKeyStore::default();
        let before = s.lifetimes();
        for secs in [MAX_KEY_LIFETIME_SECS + 1, u64::MAX / NANOS, u64::MAX] {
            let e = s.set_encrypt_decrypt_lifetime(secs).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(e.message.contains("encrypt-decrypt"), "{}", e.message);
            assert!(e.message.contains("2592000"), "{}", e.message);
            let e = s.set_decrypt_only_lifetime(secs).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(e.message.contains("decrypt-only"), "{}", e.message);
        }
        assert_eq!(s.lifetimes(), before);
        s.set_encrypt_decrypt_lifetime(MAX_KEY_LIFETIME_SECS)
            .unwrap();
        s.set_decrypt_only_lifetime(0).unwrap();
        assert_eq!(s.lifetimes().encrypt_decrypt, MAX_KEY_LIFETIME);
        assert_eq!(s.lifetimes().decrypt_only, 0);
        // Rust callers cannot exceed the bound either.
        s.set_lifetimes(|l| l.decrypt_only = u64::MAX);
        assert_eq!(s.lifetimes().decrypt_only, MAX_KEY_LIFETIME);
    }

    #[test]
    fn intro_times_that_overflow_are_refused() {
        let s = TicketKeyStore::default();
        let max_ok = (u64::MAX - 2 * MAX_KEY_LIFETIME) / NANOS;
        for intro in [u64::MAX, u64::MAX / NANOS + 1, max_ok + 1] {
            let e = s.add(b"far", b"m", intro, T0).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "intro {intro}");
            assert!(e.message.contains("intro time"), "{}", e.message);
        }
        // Also when "now" comes from a wall clock that far out.
        let e = s.add(b"far", b"m", 0, u64::MAX).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(s.is_empty());
        // The largest allowed intro time is kept, and expires like any other key.
        s.add(b"far", b"m", max_ok, T0).unwrap();
        let name = pad_name(b"far").unwrap();
        let at = max_ok * NANOS;
        let l = s.lifetimes();
        assert!(s.decryption_key(&name, at).is_some());
        assert!(s
            .decryption_key(&name, at + l.encrypt_decrypt + l.decrypt_only)
            .is_none());
    }

    #[test]
    fn a_key_that_already_expired_is_refused() {
        let s = TicketKeyStore::default();
        let l = s.lifetimes();
        let life = (l.encrypt_decrypt + l.decrypt_only) / NANOS;
        let now = T0 + life * NANOS;
        let e = s.add(b"old", b"m", T0 / NANOS, now).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert!(e.message.contains("expired"), "{}", e.message);
        assert!(s.is_empty());
        // One second of life left: accepted, and usable to decrypt.
        s.add(b"old", b"m", T0 / NANOS + 1, now).unwrap();
        assert!(s.decryption_key(&pad_name(b"old").unwrap(), now).is_some());
        // Both windows 0: a key would be dead on arrival.
        let s = TicketKeyStore::default();
        s.set_encrypt_decrypt_lifetime(0).unwrap();
        s.set_decrypt_only_lifetime(0).unwrap();
        assert_eq!(
            s.add(b"k", b"m", 0, T0).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn debug_shows_names_and_times_only() {
        let key = TicketKey::derive(pad_name(b"named").unwrap(), b"material", 5);
        assert_eq!(
            format!("{key:?}"),
            r#"TicketKey { seal: SealKey { name: "named", .. }, intro_nanos: 5 }"#
        );
        let s = TicketKeyStore::default();
        s.add(b"k", b"material", 0, T0).unwrap();
        assert_eq!(format!("{s:?}"), "TicketKeyStore { keys: 1, .. }");
    }
}
