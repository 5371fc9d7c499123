//! The cleartext hello readers (ClientHello, ServerHello, TLS1.2 ticket scanner)
//! fed arbitrary bytes in arbitrary chunks: never a panic, the same result as
//! feeding everything at once, each byte examined at most once, and a
//! ClientHello's facts within their bounds.
//!
//! Input: one byte `k`, then `k % 16` chunk sizes (each byte + 1, used in turn;
//! none means one byte at a time), then the bytes a peer sends.
#![no_main]

use libfuzzer_sys::fuzz_target;
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
