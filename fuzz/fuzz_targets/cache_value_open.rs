//! The server's opener of session cache values (`ConnCache`: what the application's
//! retrieve callback returns, then rustls' `StoresServerSessions::get`/`take`) given
//! arbitrary bytes, with a known key store. It must never panic and never open
//! anything that store did not seal: whatever opens must fail to open once any byte
//! of it changes. The same bytes are also sealed as a cache value's contents, to
//! reach what is parsed after authentication: they open to their value part (under
//! the key they name), or not at all, and never as a ticket.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use rs2n::owner::Owner;
use rs2n::resumption::cache::{ConnCache, Lookup, SessionCache};
use rs2n::resumption::seal::{self, Domain};
use rs2n::resumption::ticketer::ConnTicketer;
use rustls::server::{ProducesTickets, StoresServerSessions};

#[path = "seal_fixture.rs"]
mod seal_fixture;
use seal_fixture::{assert_every_byte_is_authenticated, clock, key, KEYS};

/// The cache key the seeds were stored under.
const CACHE_KEY: &[u8] = b"fuzz session id";

/// An application cache that returns the same bytes for every key.
struct Returns(Vec<u8>);

impl SessionCache for Returns {
    fn store(&self, _: Owner, _: u64, _: &[u8], _: &[u8]) -> rs2n::error::Result<()> {
        Ok(())
    }

    fn retrieve(&self, _: Owner, _: &[u8], buf: &mut [u8]) -> Lookup {
        match buf.get_mut(..self.0.len()) {
            Some(out) => {
                out.copy_from_slice(&self.0);
                Lookup::Found(self.0.len())
            }
            None => Lookup::Miss,
        }
    }

    fn delete(&self, _: Owner, _: &[u8]) -> rs2n::error::Result<()> {
        Ok(())
    }
}

/// What a connection gets for `CACHE_KEY` when the cache returns `value`.
fn lookup(value: &[u8], take: bool) -> Option<Vec<u8>> {
    let cache = ConnCache::new(
        Arc::new(Returns(value.to_vec())),
        KEYS.clone(),
        clock(),
        Owner::NONE,
    );
    assert!(cache.prefetch(CACHE_KEY), "never blocked");
    if take {
        cache.take(CACHE_KEY)
    } else {
        cache.get(CACHE_KEY)
    }
}

fuzz_target!(|data: &[u8]| {
    let got = lookup(data, false);
    assert_eq!(got, lookup(data, true), "take opens what get opens");
    if got.is_some() {
        assert_every_byte_is_authenticated(data, |v| lookup(v, false).is_some());
    }

    let key = key();
    let sealed = seal::seal(key.seal_key(), Domain::CacheValue, data).expect("sealing works");
    if let Some(value) = lookup(&sealed, false) {
        // stored at (u64) | key length (u16) | key | value
        let at = 10 + CACHE_KEY.len();
        assert_eq!(data[10..at], *CACHE_KEY, "only under the key it names");
        assert_eq!(value, data[at..], "opens to the value part");
    }
    assert!(seal::open(key.seal_key(), Domain::Ticket, &sealed).is_none());
    let ticketer = ConnTicketer::new(KEYS.clone(), clock(), false);
    assert!(ticketer.decrypt(&sealed).is_none());
});
