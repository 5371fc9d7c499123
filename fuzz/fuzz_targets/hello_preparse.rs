//! The cleartext hello readers (ClientHello, ServerHello, TLS1.2 ticket scanner)
//! fed arbitrary bytes in arbitrary chunks: never a panic, the same result as
//! feeding everything at once, each byte examined at most once, and a
//! ClientHello's facts within their bounds.
//!
//! Input: one byte `k`, then `k % 16` chunk sizes (each byte + 1, used in turn;
//! none means one byte at a time), then the bytes a peer sends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rs2n::client_hello::ClientHello;
use rs2n::hello::{HelloReader, Tls12TicketScanner, MAX_TICKET_LEN};

/// s2n's S2N_TLS_SESSION_ID_MAX_LEN, independent of rs2n's own constant.
const S2N_SESSION_ID_MAX_LEN: usize = 32;

fn chunks<'a>(sizes: &'a [u8], mut bytes: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let size = sizes
            .get(i % sizes.len().max(1))
            .map_or(1, |&s| usize::from(s) + 1);
        i += 1;
        let (chunk, rest) = bytes.split_at(size.min(bytes.len()));
        bytes = rest;
        Some(chunk)
    })
}

fn check_reader(new: fn() -> HelloReader, sizes: &[u8], bytes: &[u8]) {
    let mut whole = new();
    let first = whole.feed(bytes);
    let mut split = new();
    let mut given = None;
    for chunk in chunks(sizes, bytes) {
        if let Some(info) = split.feed(chunk) {
            assert!(given.replace(info).is_none(), "the info is given once");
        }
    }
    assert_eq!(first, given);
    assert_eq!(whole.outcome(), split.outcome());
    assert_eq!(whole.examined(), split.examined());
    assert!(whole.examined() <= bytes.len() as u64);
    assert_eq!(whole.outcome() == Some(Ok(())), first.is_some());
    if let Some(info) = &first {
        assert!(info.session_id.len() <= S2N_SESSION_ID_MAX_LEN);
        assert!(info
            .psk_identity()
            .is_none_or(|p| p.len() <= MAX_TICKET_LEN));
        assert!(info
            .session_ticket
            .as_ref()
            .is_none_or(|t| t.len() <= MAX_TICKET_LEN));
        // Every identity offered, each of 1..=65535 bytes; the first is the one
        // kept in psk_identity when it fits.
        assert!(info
            .psk_identities
            .iter()
            .all(|id| !id.is_empty() && id.len() <= 0xffff));
        assert_eq!(
            info.psk_identities.iter().count(),
            info.psk_identities.len()
        );
        let first = info
            .psk_identities
            .first()
            .filter(|id| id.len() <= MAX_TICKET_LEN);
        assert_eq!(info.psk_identity(), first);
        if let Some(kept) = &info.message {
            same_as_parsed(kept);
        }
    }
}

/// The extensions s2n-tls knows, and a few it does not.
const KINDS: [u16; 24] = [
    65281, 0xfe01, 0, 1, 5, 10, 11, 13, 16, 18, 35, 43, 51, 44, 0x39, 45, 41, 42, 23, 13172, 47, 2,
    0x1234, 0xfe0d,
];

/// The ClientHello a server keeps (found in the reader's one pass) is the one
/// `s2n_client_hello_parse_message` gives for the same message.
fn same_as_parsed(kept: &ClientHello) {
    let mut body = kept.raw_message().to_vec();
    body[2..34].copy_from_slice(kept.random());
    let len = (body.len() as u32).to_be_bytes();
    let message = [&[1, len[1], len[2], len[3]][..], &body].concat();
    let parsed = ClientHello::parse_message(&message).expect("a kept hello parses");
    assert_eq!(kept.raw_message(), parsed.raw_message());
    assert_eq!(kept.random(), parsed.random());
    assert_eq!(kept.legacy_version(), parsed.legacy_version());
    assert_eq!(kept.session_id(), parsed.session_id());
    assert_eq!(kept.cipher_suites(), parsed.cipher_suites());
    assert_eq!(kept.compression_methods(), parsed.compression_methods());
    assert_eq!(kept.extensions(), parsed.extensions());
    for kind in KINDS {
        assert_eq!(kept.known_extension(kind), parsed.known_extension(kind));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let (sizes, bytes) = rest.split_at(usize::from(k % 16).min(rest.len()));
    check_reader(HelloReader::client_hello, sizes, bytes);
    check_reader(HelloReader::server_hello, sizes, bytes);

    let mut whole = Tls12TicketScanner::default();
    whole.feed(bytes);
    let mut split = Tls12TicketScanner::default();
    for chunk in chunks(sizes, bytes) {
        split.feed(chunk);
    }
    assert_eq!(whole.ticket, split.ticket);
    assert_eq!(whole.done(), split.done());
    assert_eq!(whole.examined(), split.examined());
    assert!(whole.examined() <= bytes.len() as u64);
});
