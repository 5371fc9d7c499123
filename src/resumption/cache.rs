//! The session cache: the application's store, retrieve and delete callbacks (memory,
//! Redis, memcached...) as rustls' `StoresServerSessions`, for one connection.
//!
//! Values given to the store callback are sealed with the ticket key store (see
//! `seal`), so whoever reads the cache learns no session secret and a tampered,
//! foreign or expired value is just a miss. Inside the seal a value carries the time
//! it was stored and the key it was stored under, so entries older than the session
//! state lifetime (whatever the cache's own expiry does) and values a cache returns
//! for the wrong key are misses too.
//!
//! The lookup runs before rustls processes the ClientHello (the connection reads
//! the session ID or PSK identity itself), so a callback that answers "blocked" can
//! pause the handshake and be asked again on the next `s2n_negotiate`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::server::StoresServerSessions;
use zeroize::Zeroizing;

use super::seal::{self, Domain};
use super::ticket_keys::TicketKeyStore;
use crate::clock::SharedClock;
use crate::error::Result;
use crate::owner::Owner;
use crate::sync;

const NANOS: u64 = 1_000_000_000;
/// What s2n-tls passes as the store callback's ttl: 6 hours, whatever the session
/// state lifetime. rs2n passes the smaller of this and the session state lifetime.
pub(crate) const S2N_CACHE_TTL_SECS: u64 = 6 * 3600;
/// The buffer the retrieve callback fills. A bigger value is a miss.
pub(crate) const MAX_CACHED_VALUE: usize = 16 * 1024;

/// The outcome of the application's retrieve callback.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The value is in the first `n` bytes of the buffer.
    Found(usize),
    /// Not there, or the callback failed, or the value does not fit: a miss.
    Miss,
    /// The callback has not finished (`S2N_CALLBACK_BLOCKED`): ask again later.
    Blocked,
}

/// The application's cache. `owner` names the connection to the api layer.
pub trait SessionCache: Send + Sync {
    fn store(&self, owner: Owner, ttl_secs: u64, key: &[u8], value: &[u8]) -> Result<()>;
    fn retrieve(&self, owner: Owner, key: &[u8], buf: &mut [u8]) -> Lookup;
    fn delete(&self, owner: Owner, key: &[u8]) -> Result<()>;
}

impl std::fmt::Debug for dyn SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCache")
    }
}

thread_local! {
    /// The buffer the retrieve callback fills, made once per thread and reused:
    /// a fresh zeroed 16 KiB per lookup cost more than the rest of it. It only
    /// ever holds what the application's own cache returned, sealed values
    /// (encrypted, nothing secret in the clear), so it is not wiped between uses.
    static RETRIEVE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with a [`MAX_CACHED_VALUE`]-byte buffer for the retrieve callback:
/// this thread's, or a fresh one when that is in use (a callback that looks up
/// again on another connection) or gone (thread exit).
fn with_retrieve_buffer<T>(mut f: impl FnMut(&mut [u8]) -> T) -> T {
    let reused = RETRIEVE_BUFFER.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        buf.resize(MAX_CACHED_VALUE, 0);
        Some(f(&mut buf))
    });
    match reused {
        Ok(Some(out)) => out,
        _ => f(&mut vec![0u8; MAX_CACHED_VALUE]),
    }
}

/// A decrypted session (master secret inside): wiped on drop.
type Session = Zeroizing<Vec<u8>>;

#[derive(Default)]
struct State {
    /// The key looked up before the ClientHello was processed, and what the cache
    /// had for it (opened: a session secret, wiped on drop), if anything.
    prefetched: Option<(Vec<u8>, Option<Session>)>,
    /// The key of this connection's session in the cache (stored or resumed): the
    /// one to delete if the connection fails.
    session_key: Option<Vec<u8>>,
    /// The early-data context stored with the prefetched TLS1.3 session, when it
    /// was stored by a server allowing early data.
    prefetched_context: Option<Vec<u8>>,
    /// Early data on: the context new TLS1.3 sessions are stored with (the
    /// connection may change it until its sessions are stored).
    context: Vec<u8>,
}

/// How rustls' own TLS1.3 stateful tickets (32 random bytes, issued when early
/// data is on) become cache keys: this prefix and the ticket, 48 bytes, so they
/// fall under the take rule (a key over 32 bytes is single-use).
const EARLY_KEY_PREFIX: &[u8; 16] = b"rs2n-0rtt-ticket";
/// The length of rustls' stateful ticket ids.
pub(crate) const RUSTLS_TICKET_LEN: usize = 32;

/// The cache key of rustls' stateful TLS1.3 ticket `id` (see [`EARLY_KEY_PREFIX`]).
pub(crate) fn early_ticket_key(id: &[u8]) -> Vec<u8> {
    [&EARLY_KEY_PREFIX[..], id].concat()
}

fn is_early_ticket_key(key: &[u8]) -> bool {
    key.len() == TLS13_CACHE_KEY_LEN && key.starts_with(EARLY_KEY_PREFIX)
}

/// One server connection's view of the application's cache.
pub struct ConnCache {
    app: Arc<dyn SessionCache>,
    keys: Arc<TicketKeyStore>,
    clock: SharedClock,
    owner: Owner,
    state: Mutex<State>,
    /// Early data on (rustls' stateful TLS1.3 tickets): new TLS1.3 sessions are
    /// stored with a context (`State::context`).
    early_data: bool,
}

impl std::fmt::Debug for ConnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnCache").finish_non_exhaustive()
    }
}

impl ConnCache {
    pub fn new(
        app: Arc<dyn SessionCache>,
        keys: Arc<TicketKeyStore>,
        clock: SharedClock,
        owner: Owner,
    ) -> Self {
        ConnCache {
            app,
            keys,
            clock,
            owner,
            state: Mutex::new(State::default()),
            early_data: false,
        }
    }

    /// Turns on rustls' stateful TLS1.3 tickets (early data): new TLS1.3 sessions
    /// are stored under [`early_ticket_key`] with `context`.
    pub fn with_early_data(mut self, context: Vec<u8>) -> Self {
        self.early_data = true;
        sync::lock(&self.state).context = context;
        self
    }

    /// The early-data context the sessions stored from now on carry (early
    /// data on).
    pub fn set_early_data_context(&self, context: &[u8]) {
        self.state().context = context.to_vec();
    }

    /// The cache key rustls' `key` stands for.
    fn tls13_key(&self, key: &[u8]) -> Vec<u8> {
        match self.early_data {
            true => early_ticket_key(key),
            false => key.to_vec(),
        }
    }

    /// The early-data context stored with the prefetched session, if any.
    pub fn offered_context(&self) -> Option<Vec<u8>> {
        self.state().prefetched_context.clone()
    }

    /// Whether a session was found for the prefetched key.
    pub fn prefetch_hit(&self) -> bool {
        matches!(self.state().prefetched, Some((_, Some(_))))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        sync::lock(&self.state)
    }

    fn now(&self) -> Option<u64> {
        self.clock.now_nanos().ok()
    }

    /// Asks the application's cache for `key` ahead of rustls. `false` when the
    /// callback is blocked: call again later.
    pub fn prefetch(&self, key: &[u8]) -> bool {
        let found = with_retrieve_buffer(|buf| match self.app.retrieve(self.owner, key, buf) {
            Lookup::Blocked => Err(()),
            Lookup::Miss => Ok(None),
            Lookup::Found(n) => Ok(buf.get(..n).and_then(|sealed| self.open(key, sealed))),
        });
        let Ok(found) = found else {
            return false;
        };
        let (found, context) = match found {
            Some(v) if is_early_ticket_key(key) => match split_context(v) {
                Some((ctx, v)) => (Some(v), Some(ctx)),
                None => (None, None),
            },
            other => (other, None),
        };
        let mut state = self.state();
        state.prefetched = Some((key.to_vec(), found));
        state.prefetched_context = context;
        true
    }

    /// The key of this connection's cached session, if any.
    pub fn session_key(&self) -> Option<Vec<u8>> {
        self.state().session_key.clone()
    }

    /// Removes this connection's session from the cache (it failed, or ended
    /// without close_notify). Once per connection.
    pub fn delete_session(&self) {
        let key = self.state().session_key.take();
        if let Some(key) = key {
            let _ = self.app.delete(self.owner, &key);
        }
    }

    /// Seals `value` for `cache_key`: stored-at (u64 seconds) | key length (u16) |
    /// key | value.
    fn seal(&self, cache_key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
        let now = self.now()?;
        let key = self.keys.encryption_key(now)?;
        let key_len = u16::try_from(cache_key.len()).ok()?;
        // Exact capacity: never reallocated, so the one copy is the one wiped.
        let mut inner = Zeroizing::new(Vec::with_capacity(10 + cache_key.len() + value.len()));
        inner.extend_from_slice(&(now / NANOS).to_be_bytes());
        inner.extend_from_slice(&key_len.to_be_bytes());
        inner.extend_from_slice(cache_key);
        inner.extend_from_slice(value);
        seal::seal(key.seal_key(), Domain::CacheValue, &inner)
    }

    fn open(&self, cache_key: &[u8], sealed: &[u8]) -> Option<Session> {
        let now = self.now()?;
        let (key, _) = self.keys.decryption_key(seal::key_name(sealed)?, now)?;
        let mut inner = seal::open(key.seal_key(), Domain::CacheValue, sealed)?;
        let stored_at = u64::from_be_bytes(inner.get(..8)?.try_into().ok()?);
        if (now / NANOS).saturating_sub(stored_at) > self.keys.lifetimes().session_state / NANOS {
            return None;
        }
        let key_len = usize::from(u16::from_be_bytes(inner.get(8..10)?.try_into().ok()?));
        if inner.get(10..10 + key_len)? != cache_key {
            return None;
        }
        // In place: no second copy of the secret (and the freed tail is wiped too).
        inner.drain(..10 + key_len);
        Some(inner)
    }

    /// The ttl given to the store callback: s2n's 6 hours, or the session state
    /// lifetime if shorter.
    pub fn ttl_secs(&self) -> u64 {
        (self.keys.lifetimes().session_state / NANOS).min(S2N_CACHE_TTL_SECS)
    }

    /// The prefetched value for `key`; rustls only asks for the key we looked up.
    /// rustls owns the copy returned (what it does with it is rustls' business);
    /// ours stays in `prefetched`, wiped with the connection's state.
    fn lookup(&self, key: &[u8]) -> Option<Vec<u8>> {
        let mut state = self.state();
        let value = match &state.prefetched {
            Some((k, Some(v))) if k == key => v.to_vec(),
            _ => return None,
        };
        state.session_key = Some(key.to_vec());
        Some(value)
    }
}

/// An early-data entry's value: context length (u16) | context | session.
fn split_context(mut v: Session) -> Option<(Vec<u8>, Session)> {
    let len = usize::from(u16::from_be_bytes(v.get(..2)?.try_into().ok()?));
    let ctx = v.get(2..2 + len)?.to_vec();
    v.drain(..2 + len);
    Some((ctx, v))
}

impl StoresServerSessions for ConnCache {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        // rustls hands the session over: this copy is ours to wipe.
        let mut value = Zeroizing::new(value);
        let mut key = key;
        if self.early_data && super::ticketer::session_version(&value) == Some(TLS13) {
            let state = self.state();
            let ctx = &state.context;
            let Ok(len) = u16::try_from(ctx.len()) else {
                return false;
            };
            let mut v = Zeroizing::new(Vec::with_capacity(2 + ctx.len() + value.len()));
            v.extend_from_slice(&len.to_be_bytes());
            v.extend_from_slice(ctx);
            v.extend_from_slice(&value);
            drop(state);
            value = v;
            key = self.tls13_key(&key);
        }
        let Some(sealed) = self.seal(&key, &value) else {
            return false;
        };
        if self
            .app
            .store(self.owner, self.ttl_secs(), &key, &sealed)
            .is_err()
        {
            return false;
        }
        self.state().session_key = Some(key);
        true
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.lookup(key)
    }

    /// TLS1.3 stateful tickets are single-use: a hit is deleted from the cache.
    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        let key = &self.tls13_key(key)[..];
        let value = self.lookup(key)?;
        let _ = self.app.delete(self.owner, key);
        self.state().session_key = None;
        Some(value)
    }

    fn can_cache(&self) -> bool {
        true
    }
}

/// TLS1.3 tickets that are keys into the application's cache (tickets off, cache
/// on): rustls' own stateful tickets carry a fixed 24 h lifetime hint, these carry
/// the cache entry's real lifetime. TLS1.2 keeps resuming by session ID.
pub struct CacheTickets {
    cache: Arc<ConnCache>,
    /// Set when TLS1.2 will be negotiated: rustls then neither acknowledges a
    /// client's ticket extension nor sends an empty NewSessionTicket (as s2n,
    /// whose TLS1.2 cache has no tickets).
    tls12: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for CacheTickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheTickets").finish_non_exhaustive()
    }
}

impl CacheTickets {
    pub fn new(cache: Arc<ConnCache>) -> Self {
        CacheTickets {
            cache,
            tls12: Default::default(),
        }
    }

    /// Called before rustls reads the ClientHello when TLS1.2 will be negotiated.
    pub fn expect_tls12(&self) {
        self.tls12.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

const TLS13: u16 = 0x0304;

/// The length of a TLS1.3 cache ticket (its cache key). Longer than any TLS1.2
/// session ID (at most 32 bytes), so a cache can tell the two apart by length
/// alone: the rule the cache callbacks' docs give applications is "a key over 32
/// bytes is single-use: take it (read and delete atomically) in retrieve".
pub(crate) const TLS13_CACHE_KEY_LEN: usize = 48;

impl rustls::server::ProducesTickets for CacheTickets {
    fn enabled(&self) -> bool {
        !self.tls12.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn lifetime(&self) -> u32 {
        u32::try_from(self.cache.ttl_secs()).unwrap_or(u32::MAX)
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        if super::ticketer::session_version(plain)? != TLS13 {
            return None;
        }
        let mut id = vec![0u8; TLS13_CACHE_KEY_LEN];
        crate::crypto::rand::SecureRandom::fill(&crate::crypto::rand::SystemRandom::new(), &mut id)
            .ok()?;
        self.cache.put(id.clone(), plain.to_vec()).then_some(id)
    }

    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        self.cache.take(ticket)
    }
}

#[cfg(test)]
pub mod testing {
    use super::*;
    use std::collections::HashMap;

    /// An in-memory cache recording its calls; can be told to block or misbehave.
    #[derive(Default)]
    pub struct MemoryCache {
        pub entries: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
        pub calls: Mutex<Vec<String>>,
        pub block_next: Mutex<u32>,
        pub ttls: Mutex<Vec<u64>>,
    }

    impl SessionCache for MemoryCache {
        fn store(&self, _: Owner, ttl: u64, key: &[u8], value: &[u8]) -> Result<()> {
            self.calls.lock().unwrap().push("store".into());
            self.ttls.lock().unwrap().push(ttl);
            self.entries
                .lock()
                .unwrap()
                .insert(key.to_vec(), value.to_vec());
            Ok(())
        }

        fn retrieve(&self, _: Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
            self.calls.lock().unwrap().push("retrieve".into());
            let mut block = self.block_next.lock().unwrap();
            if *block > 0 {
                *block -= 1;
                return Lookup::Blocked;
            }
            match self.entries.lock().unwrap().get(key) {
                Some(v) if v.len() <= buf.len() => {
                    buf[..v.len()].copy_from_slice(v);
                    Lookup::Found(v.len())
                }
                _ => Lookup::Miss,
            }
        }

        fn delete(&self, _: Owner, key: &[u8]) -> Result<()> {
            self.calls.lock().unwrap().push("delete".into());
            self.entries.lock().unwrap().remove(key);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::MemoryCache;
    use super::*;
    use crate::clock::testing::FakeClock;

    fn fixture() -> (Arc<MemoryCache>, ConnCache, Arc<FakeClock>) {
        let app = Arc::new(MemoryCache::default());
        let keys = Arc::new(TicketKeyStore::default());
        let clock = Arc::new(FakeClock::default());
        clock.set_secs(1_000_000);
        keys.add(b"k", b"material", 0, 1_000_000 * NANOS).unwrap();
        let c = ConnCache::new(app.clone(), keys, clock.clone(), Owner::NONE);
        (app, c, clock)
    }

    #[test]
    fn stored_values_are_sealed_and_come_back() {
        let (app, c, _) = fixture();
        assert!(c.put(b"id".to_vec(), b"secret session".to_vec()));
        let stored = app.entries.lock().unwrap()[&b"id".to_vec()].clone();
        assert!(
            !stored.windows(6).any(|w| w == b"secret"),
            "sealed, not plain"
        );
        assert_eq!(*app.ttls.lock().unwrap(), vec![S2N_CACHE_TTL_SECS]);
        assert!(c.prefetch(b"id"));
        assert_eq!(c.get(b"id").unwrap(), b"secret session");
        assert_eq!(c.get(b"other"), None, "only the prefetched key");
        assert_eq!(c.session_key().unwrap(), b"id");
    }

    #[test]
    fn tampered_foreign_and_expired_values_are_misses() {
        let (app, c, clock) = fixture();
        c.put(b"id".to_vec(), b"v".to_vec());
        let mut entries = app.entries.lock().unwrap();
        let mut bad = entries[&b"id".to_vec()].clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        entries.insert(b"bad".to_vec(), bad);
        entries.insert(b"junk".to_vec(), b"junk".to_vec());
        drop(entries);
        for key in [&b"bad"[..], b"junk", b"missing"] {
            assert!(c.prefetch(key));
            assert_eq!(c.get(key), None, "{key:?}");
        }
        clock.set_secs(1_000_000 + 15 * 3600 + 1);
        assert!(c.prefetch(b"id"));
        assert_eq!(c.get(b"id"), None, "older than the session state lifetime");
    }

    #[test]
    fn a_value_returned_for_another_key_is_a_miss() {
        let (app, c, _) = fixture();
        c.put(b"a".to_vec(), b"session a".to_vec());
        c.put(b"b".to_vec(), b"session b".to_vec());
        let b_value = app.entries.lock().unwrap()[&b"b".to_vec()].clone();
        app.entries.lock().unwrap().insert(b"a".to_vec(), b_value);
        assert!(c.prefetch(b"a"));
        assert_eq!(c.get(b"a"), None);
        assert!(c.prefetch(b"b"));
        assert_eq!(c.get(b"b").unwrap(), b"session b");
    }

    #[test]
    fn blocked_lookups_are_retried_and_take_deletes() {
        let (app, c, _) = fixture();
        c.put(b"id".to_vec(), b"v".to_vec());
        *app.block_next.lock().unwrap() = 2;
        assert!(!c.prefetch(b"id"));
        assert!(!c.prefetch(b"id"));
        assert!(c.prefetch(b"id"));
        assert_eq!(c.take(b"id").unwrap(), b"v");
        assert!(app.entries.lock().unwrap().is_empty());
        c.delete_session();
        assert_eq!(
            app.calls
                .lock()
                .unwrap()
                .iter()
                .filter(|c| *c == "delete")
                .count(),
            1
        );
    }

    #[test]
    fn failed_connections_delete_their_session_once() {
        let (app, c, _) = fixture();
        c.put(b"id".to_vec(), b"v".to_vec());
        c.delete_session();
        c.delete_session();
        assert!(app.entries.lock().unwrap().is_empty());
        assert_eq!(
            app.calls
                .lock()
                .unwrap()
                .iter()
                .filter(|c| *c == "delete")
                .count(),
            1
        );
    }

    /// A cache whose retrieve callback looks up on another connection first
    /// (nested on the same thread), then answers from `inner`.
    struct Nested {
        inner: Arc<MemoryCache>,
        other: Mutex<Option<ConnCache>>,
        sizes: Mutex<Vec<usize>>,
    }

    impl SessionCache for Nested {
        fn store(&self, o: Owner, ttl: u64, key: &[u8], value: &[u8]) -> Result<()> {
            self.inner.store(o, ttl, key, value)
        }
        fn retrieve(&self, o: Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
            self.sizes.lock().unwrap().push(buf.len());
            let other = self.other.lock().unwrap().take();
            if let Some(other) = other {
                assert!(other.prefetch(key));
                assert_eq!(other.get(key).unwrap(), b"v");
            }
            self.inner.retrieve(o, key, buf)
        }
        fn delete(&self, o: Owner, key: &[u8]) -> Result<()> {
            self.inner.delete(o, key)
        }
    }

    #[test]
    fn every_lookup_gets_a_whole_buffer_even_nested_in_another() {
        let (app, c, clock) = fixture();
        c.put(b"id".to_vec(), b"v".to_vec());
        let keys = Arc::new(TicketKeyStore::default());
        keys.add(b"k", b"material", 0, 1_000_000 * NANOS).unwrap();
        let nested = Arc::new(Nested {
            inner: app,
            other: Mutex::new(None),
            sizes: Mutex::new(Vec::new()),
        });
        let conn =
            |n: &Arc<Nested>| ConnCache::new(n.clone(), keys.clone(), clock.clone(), Owner::NONE);
        *nested.other.lock().unwrap() = Some(conn(&nested));
        let outer = conn(&nested);
        assert!(outer.prefetch(b"id"));
        assert_eq!(outer.get(b"id").unwrap(), b"v");
        // Again, with the thread's buffer holding the last value.
        assert!(outer.prefetch(b"id"));
        assert_eq!(outer.get(b"id").unwrap(), b"v");
        assert_eq!(*nested.sizes.lock().unwrap(), [MAX_CACHED_VALUE; 3]);
    }
}
