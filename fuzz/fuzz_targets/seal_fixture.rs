//! What the `ticket_open` and `cache_value_open` targets share: a wall clock stopped
//! at a fixed time and a key store holding one known key, so that the seeds sealed
//! with it once (fuzz/corpus/NAME) keep opening.
//!
//! The seeds: `sealed-*` are what `ConnTicketer::encrypt` and `ConnCache::put` made
//! with this store at `NOW_SECS` from stand-ins for rustls' session encoding (SNI
//! option, version, body), `sealed-version-1` one with its version byte set to 1;
//! `inner-*` are the plaintexts inside a seal (ticketer.rs and cache.rs say their
//! layout). Make them again the same way when the sealed format changes.

use std::sync::{Arc, LazyLock};

use rs2n::clock::{Clock, SharedClock};
use rs2n::resumption::ticket_keys::{TicketKey, TicketKeyStore};

const NANOS: u64 = 1_000_000_000;
/// The time the clock shows (and the seeds were sealed at).
pub const NOW_SECS: u64 = 1_750_000_000;

#[derive(Debug)]
struct Stopped;

impl Clock for Stopped {
    fn now_nanos(&self) -> rs2n::error::Result<u64> {
        Ok(NOW_SECS * NANOS)
    }
}

pub fn clock() -> SharedClock {
    Arc::new(Stopped)
}

/// The store, with one key introduced 10 minutes before `NOW_SECS`.
pub static KEYS: LazyLock<Arc<TicketKeyStore>> = LazyLock::new(|| {
    let keys = Arc::new(TicketKeyStore::default());
    keys.add(
        b"fuzz",
        b"rs2n fuzz target key material",
        NOW_SECS - 600,
        NOW_SECS * NANOS,
    )
    .expect("the fuzz key is valid");
    keys
});

/// The store's key, to seal with directly.
pub fn key() -> Arc<TicketKey> {
    KEYS.encryption_key(NOW_SECS * NANOS)
        .expect("the fuzz key encrypts at NOW_SECS")
}

/// Calls `opens` on `sealed` with one bit flipped in each byte in turn (and on
/// `sealed` truncated by one byte), and panics if any of them opens: a value that
/// opens must be authenticated in every byte.
pub fn assert_every_byte_is_authenticated(sealed: &[u8], opens: impl Fn(&[u8]) -> bool) {
    let mut flipped = sealed.to_vec();
    for i in 0..flipped.len() {
        let bit = 1 << (i % 8);
        flipped[i] ^= bit;
        assert!(!opens(&flipped), "opened with byte {i} changed");
        flipped[i] ^= bit;
    }
    assert!(!opens(&sealed[..sealed.len() - 1]), "opened truncated");
}
