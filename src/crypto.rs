//! The primitives rs2n uses itself, beside the handshake: HKDF, HMAC and
//! AES-256-GCM for sealing tickets and cache values (`resumption::seal`), the MAC
//! of client session bytes, and random IDs. With the `aws-lc-rs` feature they
//! come from aws-lc (through aws-lc-rs, which has ring's API), as the
//! handshake's do; otherwise from ring. One crypto library per build: a resumed
//! handshake runs one library's hash and cipher code, not two. (Cachegrind, a
//! resumed TLS1.3 pair of an aws-lc-rs build: ring's code cost about 610
//! instruction-cache misses; aws-lc's EVP code for the same work costs about
//! 370 more than before, so the net gain is small. The larger gain is one
//! library to trust, as a user choosing aws-lc expects.)
//!
//! ring's key types hold their schedules inline with no `Drop`; aws-lc-rs' free
//! aws-lc contexts, which aws-lc wipes (`OPENSSL_free` cleanses). [`with_wiped`]
//! wipes either way.

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs::{aead, hkdf, hmac, rand};
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) use ring::{aead, hkdf, hmac, rand};

/// The library these primitives come from ("ring" or "aws-lc-rs").
pub const LIBRARY: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "ring"
};

/// Runs `f` on a key (or tag) built by `build`, and leaves no copy of its secret
/// behind:
/// - a type with nothing to drop (ring's keys, which hold their schedules inline;
///   either library's HMAC tags) is built in place and its memory overwritten with
///   zeros afterwards (not dropping it leaks nothing);
/// - a type with a `Drop` (aws-lc-rs' keys) is dropped: aws-lc-rs zeroizes its
///   HKDF keys, and aws-lc cleanses the contexts it frees or cleans up; zeroing
///   such a value instead of dropping it would leak its context unwiped.
pub(crate) fn with_wiped<K, R>(build: impl FnOnce() -> K, f: impl FnOnce(&K) -> R) -> R {
    use std::mem::MaybeUninit;
    use zeroize::Zeroize;
    if std::mem::needs_drop::<K>() {
        let key = build();
        return f(&key);
    }
    let mut slot = MaybeUninit::uninit();
    let result = f(slot.write(build()));
    slot.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DROPS: AtomicUsize = AtomicUsize::new(0);

    struct WithDrop(u8);

    impl Drop for WithDrop {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn keys_with_a_drop_are_dropped_once_and_plain_ones_are_not() {
        let before = DROPS.load(Ordering::SeqCst);
        assert_eq!(with_wiped(|| WithDrop(7), |k| k.0 + 1), 8);
        assert_eq!(DROPS.load(Ordering::SeqCst), before + 1);
        assert_eq!(with_wiped(|| [9u8; 32], |k| k[31]), 9);
    }

    #[test]
    fn the_library_is_the_handshake_provider_s() {
        let expected = if cfg!(feature = "aws-lc-rs") {
            "aws-lc-rs"
        } else {
            "ring"
        };
        assert_eq!(LIBRARY, expected);
    }
}
