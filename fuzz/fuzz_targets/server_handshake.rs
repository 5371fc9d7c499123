//! A whole rs2n server connection (session tickets and the application's cache
//! on, or the cache alone) fed arbitrary client bytes over an in-memory
//! transport, driven with negotiate and recv until it fails or the bytes run
//! out: never a panic, and never a cache call with a key s2n would not pass.
//!
//! Input: one byte of settings (bit 0: cache alone, without tickets; bit 1: the
//! retrieve callback blocks once; bit 2: it returns a garbage value), then the
//! bytes the client sends.
#![no_main]

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rs2n::config::Config;
use rs2n::connection::testing;
use rs2n::error::{ErrorCode, Result};
use rs2n::owner::Owner;
use rs2n::resumption::cache::{Lookup, SessionCache};

/// s2n's S2N_TLS_SESSION_ID_MAX_LEN: no s2n cache callback sees a longer key.
const S2N_SESSION_ID_MAX_LEN: usize = 32;

const BLOCK_ONCE: u8 = 2;
const GARBAGE: u8 = 4;

/// This run's settings, and whether the retrieve callback has blocked yet.
static SETTINGS: AtomicU8 = AtomicU8::new(0);
static BLOCKED: AtomicU8 = AtomicU8::new(0);

fn check_key(key: &[u8]) {
    assert!(
        !key.is_empty() && key.len() <= S2N_SESSION_ID_MAX_LEN,
        "a cache key of {} bytes",
        key.len()
    );
}

struct CheckedCache;

impl SessionCache for CheckedCache {
    fn store(&self, _: Owner, _: u64, key: &[u8], _: &[u8]) -> Result<()> {
        check_key(key);
        Ok(())
    }

    fn retrieve(&self, _: Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
        check_key(key);
        let settings = SETTINGS.load(Ordering::Relaxed);
        if settings & BLOCK_ONCE != 0 && BLOCKED.swap(1, Ordering::Relaxed) == 0 {
            return Lookup::Blocked;
        }
        if settings & GARBAGE != 0 {
            let n = buf.len().min(100);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                *b = key[i % key.len()] ^ i as u8;
            }
            return Lookup::Found(n);
        }
        Lookup::Miss
    }

    fn delete(&self, _: Owner, key: &[u8]) -> Result<()> {
        check_key(key);
        Ok(())
    }
}

/// [tickets and cache, cache alone], and a client config for the pair.
fn configs() -> &'static ([Arc<Config>; 2], Arc<Config>) {
    static CONFIGS: OnceLock<([Arc<Config>; 2], Arc<Config>)> = OnceLock::new();
    CONFIGS.get_or_init(|| {
        let server = |tickets| {
            let c = testing::server_config("default_tls13");
            c.set_session_tickets(tickets).unwrap();
            c.add_ticket_key(b"fuzz", b"fuzz key material", 0).unwrap();
            c.set_session_cache(Some(Arc::new(CheckedCache))).unwrap();
            c
        };
        (
            [server(true), server(false)],
            testing::client_config("default_tls13"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&settings, client_bytes)) = data.split_first() else {
        return;
    };
    SETTINGS.store(settings, Ordering::Relaxed);
    BLOCKED.store(0, Ordering::Relaxed);
    let (servers, client) = configs();
    let server = servers[usize::from(settings & 1)].clone();
    let (mut s, _c, _a, b) = testing::pair(server, client.clone());
    b.inject(client_bytes);
    b.close();
    // Each call either makes progress or fails for good; a few are enough.
    for _ in 0..8 {
        match s.negotiate() {
            Ok(()) => {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.recv(&mut buf) {
                    if n == 0 {
                        break;
                    }
                }
                break;
            }
            Err(e) if e.code == ErrorCode::AsyncBlocked => {}
            Err(_) => break,
        }
    }
});
