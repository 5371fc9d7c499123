//! The server's ticket opener (`ConnTicketer`: rustls' `ProducesTickets::decrypt`
//! and the TLS1.2 preview) given arbitrary bytes, with a known key store. It must
//! never panic and never open anything that store did not seal: whatever opens must
//! fail to open once any byte of it changes. The same bytes are also sealed as a
//! ticket's contents, to reach what is parsed after authentication: they open to
//! their session part, or not at all, and never as a cache value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rs2n::resumption::seal::{self, Domain};
use rs2n::resumption::ticketer::ConnTicketer;
use rustls::server::ProducesTickets;

#[path = "seal_fixture.rs"]
mod seal_fixture;
use seal_fixture::{assert_every_byte_is_authenticated, clock, key, KEYS};

/// Our header inside the seal: issued at, keying material expiry (u64 each).
const INNER_HEADER: usize = 16;

fn opener(forward_secrecy: bool) -> ConnTicketer {
    ConnTicketer::new(KEYS.clone(), clock(), forward_secrecy)
}

fuzz_target!(|data: &[u8]| {
    let forward_secrecy = data.first().is_some_and(|b| b & 1 == 1);
    let previewed = opener(forward_secrecy);
    previewed.preview_tls12(data);
    let via_preview = previewed.decrypt(data);
    let direct = opener(forward_secrecy).decrypt(data);
    assert_eq!(via_preview, direct, "the preview opens what decrypt opens");
    if direct.is_some() {
        assert_every_byte_is_authenticated(data, |t| opener(false).decrypt(t).is_some());
    }

    let key = key();
    let sealed = seal::seal(key.seal_key(), Domain::Ticket, data).expect("sealing works");
    if let Some(session) = opener(false).decrypt(&sealed) {
        assert_eq!(session, data[INNER_HEADER..], "opens to the session part");
    }
    assert!(seal::open(key.seal_key(), Domain::CacheValue, &sealed).is_none());
});
