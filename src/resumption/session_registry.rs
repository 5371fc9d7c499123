//! The bounded store behind client session bytes: sessions by handle, oldest first,
//! each with the time after which it cannot resume.
//!
//! The bound: at most `capacity` sessions, each counted by its weight (a TLS1.3
//! session line weighs as many tickets as it holds, at least 1). When full, the
//! sessions past their lifetime go first; only if none has expired does the
//! oldest (the least recently renewed) go. A session's
//! lifetime is the one known when it was saved (a TLS1.2 ticket's hint), else the
//! longest rustls keeps any session (7 days), tightened when its lifetime is read
//! later. So a saved session stops resuming early only if `capacity` newer,
//! unexpired sessions arrived after it.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::session_bytes::Handle;

/// Hashes a handle by its own bits. Handles are 128 random bits this process drew
/// (bytes naming another are refused, unauthenticated, before any lookup), so no
/// peer can choose colliding keys: a keyed SipHash (~230 instructions a lookup,
/// several per handshake) protects nothing here.
#[derive(Default)]
struct HandleHasher(u64);

impl Hasher for HandleHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }
}

type Slots<V> = HashMap<Handle, Slot<V>, BuildHasherDefault<HandleHasher>>;

/// The longest rustls resumes any client session (it caps ticket lifetimes there,
/// as RFC 8446 does): the expiry of a session whose lifetime is not known.
pub(crate) const MAX_LIFETIME_SECS: u64 = 7 * 24 * 3600;

struct Slot<V> {
    value: V,
    /// Insertion order, the key of `Registry::order`.
    seq: u64,
    saved_at: u64,
    /// Wall clock seconds after which the session cannot resume.
    expires_at: u64,
    weight: usize,
}

/// Sets a slot's weight; its sequence number.
fn slot_seq<V>(slots: &mut Slots<V>, handle: &Handle, weight: usize) -> u64 {
    slots.get_mut(handle).map_or(0, |s| {
        s.weight = weight;
        s.seq
    })
}

/// Sessions by handle, oldest first. `V` is the session (generic for tests).
pub struct Registry<V> {
    capacity: usize,
    slots: Slots<V>,
    order: BTreeMap<u64, Handle>,
    next_seq: u64,
    /// No session expires before this (a lower bound), so a purge before it would
    /// find nothing: a flood of live sessions costs no scans.
    next_expiry: u64,
    /// The sum of the sessions' weights.
    weight: usize,
}

fn expiry(saved_at: u64, lifetime_secs: u32) -> u64 {
    match lifetime_secs {
        0 => saved_at.saturating_add(MAX_LIFETIME_SECS),
        l => saved_at.saturating_add(u64::from(l)),
    }
}

impl<V> Registry<V> {
    pub fn new(capacity: usize) -> Self {
        Registry {
            capacity: capacity.max(1),
            slots: Slots::default(),
            order: BTreeMap::new(),
            next_seq: 0,
            next_expiry: u64::MAX,
            weight: 0,
        }
    }

    /// The sum of the sessions' weights (at most the capacity).
    pub fn weight(&self) -> usize {
        self.weight
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn contains(&self, handle: &Handle) -> bool {
        self.slots.contains_key(handle)
    }

    /// Stores a session saved at `now_secs` with its lifetime hint (0: unknown),
    /// making room first. False (and nothing stored) if the handle is taken.
    pub fn insert(&mut self, handle: Handle, value: V, now_secs: u64, lifetime_secs: u32) -> bool {
        if self.slots.contains_key(&handle) {
            return false;
        }
        self.make_room(1, now_secs);
        let seq = self.next_seq;
        self.next_seq += 1;
        let expires_at = expiry(now_secs, lifetime_secs);
        self.next_expiry = self.next_expiry.min(expires_at);
        self.order.insert(seq, handle);
        self.weight += 1;
        self.slots.insert(
            handle,
            Slot {
                value,
                seq,
                saved_at: now_secs,
                expires_at,
                weight: 1,
            },
        );
        true
    }

    /// Evicts until `incoming` more weight fits: expired sessions first, then the oldest.
    fn make_room(&mut self, incoming: usize, now_secs: u64) {
        if self.weight + incoming > self.capacity {
            self.purge_expired(now_secs);
        }
        while self.weight + incoming > self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(slot) = self.slots.remove(&oldest) {
                self.weight -= slot.weight;
            }
        }
    }

    /// A session that grew or shrank to `weight` (at least 1); `renewed_at`: it
    /// was saved anew then (a ticket joined its line) with that lifetime (0:
    /// unknown), so it becomes the newest. Other sessions make room for it.
    pub fn reweigh(
        &mut self,
        handle: &Handle,
        weight: usize,
        renewed_at: Option<(u64, u32)>,
        now_secs: u64,
    ) {
        let weight = weight.clamp(1, self.capacity);
        let Some(slot) = self.slots.get_mut(handle) else {
            return;
        };
        let old_weight = slot.weight;
        slot.weight = weight;
        let old_seq = slot.seq;
        if let Some((at, lifetime_secs)) = renewed_at {
            slot.seq = self.next_seq;
            slot.saved_at = at;
            slot.expires_at = expiry(at, lifetime_secs);
            self.next_expiry = self.next_expiry.min(slot.expires_at);
            self.next_seq += 1;
            self.order.remove(&old_seq);
            self.order.insert(slot.seq, *handle);
        }
        self.weight = self.weight - old_weight + weight;
        if self.weight > self.capacity {
            // Room for this one, never at its own expense: it is out of the order
            // while the others go.
            let seq = slot_seq(&mut self.slots, handle, 0);
            self.order.remove(&seq);
            self.weight -= weight;
            self.make_room(weight, now_secs);
            // Gone only if it had expired itself (it weighed 0 meanwhile).
            if self.slots.contains_key(handle) {
                slot_seq(&mut self.slots, handle, weight);
                self.weight += weight;
                self.order.insert(seq, *handle);
            }
        }
    }

    /// Drops every session past its lifetime at `now_secs`.
    fn purge_expired(&mut self, now_secs: u64) {
        if now_secs <= self.next_expiry {
            return;
        }
        let order = &mut self.order;
        let weight = &mut self.weight;
        let mut next = u64::MAX;
        self.slots.retain(|_, slot| {
            let live = slot.expires_at >= now_secs;
            if live {
                next = next.min(slot.expires_at);
            } else {
                order.remove(&slot.seq);
                *weight -= slot.weight;
            }
            live
        });
        self.next_expiry = next;
    }

    pub fn get(&self, handle: &Handle) -> Option<&V> {
        self.slots.get(handle).map(|s| &s.value)
    }

    pub fn get_mut(&mut self, handle: &Handle) -> Option<&mut V> {
        self.slots.get_mut(handle).map(|s| &mut s.value)
    }

    /// Takes a session out (a TLS1.3 session is single-use).
    pub fn take(&mut self, handle: &Handle) -> Option<V> {
        let slot = self.slots.remove(handle)?;
        self.order.remove(&slot.seq);
        self.weight -= slot.weight;
        Some(slot.value)
    }

    /// Tightens a session's expiry once its lifetime is known.
    pub fn learned_lifetime(&mut self, handle: &Handle, lifetime_secs: u32) {
        if let Some(slot) = self.slots.get_mut(handle) {
            slot.expires_at = slot.expires_at.min(expiry(slot.saved_at, lifetime_secs));
            self.next_expiry = self.next_expiry.min(slot.expires_at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u32) -> Handle {
        let mut h = [0u8; 16];
        h[..4].copy_from_slice(&n.to_be_bytes());
        h
    }

    #[test]
    fn a_flood_of_expired_sessions_does_not_evict_a_live_one() {
        let mut r = Registry::new(100);
        // The session the application saved, good for 2 days, saved first.
        assert!(r.insert(h(0), "saved", 1_000, 2 * 86_400));
        // Then, over 33 hours, 10 times the capacity, each expiring a minute after
        // it came.
        for i in 1..1_000 {
            assert!(r.insert(h(i), "flood", 1_000 + 120 * u64::from(i), 60));
            assert!(r.len() <= 100);
        }
        assert_eq!(r.get(&h(0)), Some(&"saved"));
        // The newest of the flood are still there too.
        assert!(r.contains(&h(999)));
    }

    #[test]
    fn when_nothing_expired_the_oldest_goes() {
        let mut r = Registry::new(3);
        for i in 0..3 {
            r.insert(h(i), i, 10, 3600);
        }
        r.insert(h(3), 3, 11, 3600);
        assert!(!r.contains(&h(0)) && r.contains(&h(1)) && r.contains(&h(3)));
        assert_eq!(r.len(), 3);
        // A session taken out leaves room: nothing else goes.
        assert_eq!(r.take(&h(2)), Some(2));
        r.insert(h(4), 4, 12, 3600);
        assert!(r.contains(&h(1)) && r.contains(&h(3)) && r.contains(&h(4)));
    }

    #[test]
    fn unknown_lifetimes_count_as_the_longest_until_learned() {
        let mut r = Registry::new(3);
        r.insert(h(0), 0, 0, 0);
        r.insert(h(1), 1, 100, 0);
        r.insert(h(2), 2, 100, 0);
        // Once h(2)'s one-hour lifetime is known, it goes first a day later.
        r.learned_lifetime(&h(2), 3600);
        r.insert(h(3), 3, 86_400, 0);
        assert!(r.contains(&h(0)) && r.contains(&h(1)) && !r.contains(&h(2)));
        // An unknown lifetime ends after 7 days.
        r.insert(h(4), 4, MAX_LIFETIME_SECS + 50, 0);
        assert!(!r.contains(&h(0)) && r.contains(&h(1)) && r.contains(&h(3)));
        assert!(r.contains(&h(4)));
    }

    #[test]
    fn weights_count_against_the_bound_and_renewal_makes_newest() {
        let mut r = Registry::new(5);
        for i in 0..4 {
            r.insert(h(i), i, 10, 3600);
        }
        // h(0) grows to 3 tickets, renewed: it is now the newest; h(1) goes.
        r.reweigh(&h(0), 3, Some((20, 3600)), 20);
        assert_eq!(r.weight(), 5);
        assert!(r.contains(&h(0)) && !r.contains(&h(1)));
        r.insert(h(4), 4, 30, 3600);
        assert!(!r.contains(&h(2)) && r.contains(&h(0)));
        assert_eq!(r.weight(), 5);
        // Shrinking frees room without renewing (an empty line weighs 1).
        r.reweigh(&h(0), 0, None, 30);
        assert_eq!(r.weight(), 3);
        // A line larger than the whole bound evicts all others, never itself, and
        // counts as the bound.
        r.reweigh(&h(0), 9, Some((40, 0)), 40);
        assert_eq!((r.len(), r.weight()), (1, 5));
        assert_eq!(r.take(&h(0)), Some(0));
        assert_eq!(r.weight(), 0);
    }

    #[test]
    fn a_taken_handle_is_refused() {
        let mut r = Registry::new(4);
        assert!(r.insert(h(1), "a", 0, 0));
        assert!(!r.insert(h(1), "b", 0, 0));
        assert_eq!(r.get(&h(1)), Some(&"a"));
    }
}
