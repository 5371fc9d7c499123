//! `s2n_client_hello_parse_message` on arbitrary bytes: never a panic, and a
//! parsed hello's fields within the message and within s2n's bounds (session ID
//! at most 32 bytes, a non-empty even cipher suite list, the random zeroed in the
//! raw message, every extension found inside the extension block).
//!
//! Input: a ClientHello message as an application hands it over (with the
//! 4-byte handshake header, without a record header).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rs2n::client_hello::fingerprint::{fingerprint, Method};
use rs2n::client_hello::ClientHello;

/// Extension types worth asking for: those s2n-tls knows and a few it does not.
const TYPES: [u16; 12] = [0, 1, 5, 10, 13, 16, 35, 41, 43, 51, 0x1234, 65281];

fn within(outer: &[u8], inner: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    inner.is_empty() || (i >= o && i + inner.len() <= o + outer.len())
}

fuzz_target!(|data: &[u8]| {
    let Ok(h) = ClientHello::parse_message(data) else {
        return;
    };
    let raw = h.raw_message();
    assert_eq!(raw.len() + 4, data.len());
    assert!(raw[2..34].iter().all(|&b| b == 0), "the random is zeroed");
    assert_eq!(&h.random()[..], &data[6..38]);
    assert!(h.session_id().len() <= 32);
    let suites = h.cipher_suites();
    assert!(!suites.is_empty() && suites.len() % 2 == 0);
    for field in [
        h.session_id(),
        suites,
        h.compression_methods(),
        h.extensions(),
    ] {
        assert!(within(raw, field));
    }
    assert!(h.legacy_record_version().is_err());
    for kind in TYPES {
        if let Some(data) = h.known_extension(kind) {
            assert!(within(h.extensions(), data));
            assert!(h.has_extension(kind));
        }
        let _ = h.has_extension(kind);
    }
    if let Ok(name) = h.server_name() {
        assert!(within(h.extensions(), name));
    }
    if let Ok(groups) = h.supported_groups() {
        assert!(groups.len() * 2 <= h.extensions().len());
    }
    if let Ok(f) = fingerprint(&h, Method::Ja3) {
        assert_eq!(f.hash.len(), 32);
    }
    if let Ok(f) = fingerprint(&h, Method::Ja4) {
        assert_eq!(f.hash.len(), 36);
        assert_eq!(f.raw[..10], f.hash[..10]);
    }
});
