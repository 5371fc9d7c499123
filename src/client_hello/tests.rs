use super::callback::{CallbackMode, HelloCallbackState, HelloSettings, HelloStage};
use super::*;
use crate::error::ErrorCode;

/// A ClientHello message (with its handshake header) from its parts.
fn message(
    session_id: &[u8],
    suites: &[u8],
    compression: &[u8],
    exts: Option<&[(u16, &[u8])]>,
) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend((0..32).map(|i| i as u8 + 1));
    body.push(session_id.len() as u8);
    body.extend_from_slice(session_id);
    body.extend((suites.len() as u16).to_be_bytes());
    body.extend_from_slice(suites);
    body.push(compression.len() as u8);
    body.extend_from_slice(compression);
    if let Some(exts) = exts {
        let mut block = Vec::new();
        for (kind, data) in exts {
            block.extend(kind.to_be_bytes());
            block.extend((data.len() as u16).to_be_bytes());
            block.extend_from_slice(data);
        }
        body.extend((block.len() as u16).to_be_bytes());
        body.extend(block);
    }
    let mut m = vec![1];
    m.extend(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend(body);
    m
}

const SNI: &[u8] = &[
    0, 14, 0, 0, 11, b'e', b'x', b'a', b'm', b'p', b'l', b'e', b'.', b'c', b'o', b'm',
];
const GROUPS: &[u8] = &[0, 4, 0, 29, 0, 23];

#[test]
fn fields_are_read_as_sent_and_the_random_is_zeroed_in_the_raw_message() {
    let m = message(
        &[9; 32],
        &[0x13, 1, 0xc0, 0x2b],
        &[0],
        Some(&[(0, SNI), (10, GROUPS), (0x1234, &[7])]),
    );
    let h = ClientHello::parse_message(&m).unwrap();
    assert_eq!(h.owner(), HelloOwner::Application);
    assert_eq!(h.raw_message().len(), m.len() - 4);
    assert_eq!(&h.raw_message()[2..34], &[0; 32]);
    assert_eq!(h.random()[0], 1);
    assert_eq!(h.random()[31], 32);
    assert_eq!(h.legacy_version(), 33);
    assert_eq!(h.session_id(), &[9; 32]);
    assert_eq!(h.cipher_suites(), &[0x13, 1, 0xc0, 0x2b]);
    assert_eq!(h.compression_methods(), &[0]);
    assert_eq!(h.server_name().unwrap(), b"example.com");
    assert_eq!(h.supported_groups().unwrap(), vec![29, 23]);
    assert_eq!(h.known_extension(10), Some(GROUPS));
    // Unknown to s2n: only in the raw block, still found by has_extension.
    assert_eq!(h.known_extension(0x1234), None);
    assert!(h.has_extension(0x1234));
    assert!(!h.has_extension(16));
    assert_eq!(h.extensions().len(), 4 + SNI.len() + 4 + GROUPS.len() + 5);
    assert_eq!(
        h.legacy_record_version().unwrap_err().code,
        ErrorCode::InvalidArgument
    );
}

#[test]
fn a_received_hello_keeps_its_record_version() {
    let m = message(&[], &[0, 0x2f], &[0], None);
    let h = ClientHello::received(&m[4..], Some([3, 1])).unwrap();
    assert_eq!(h.legacy_record_version().unwrap(), 31);
    assert_eq!(h.owner(), HelloOwner::Connection);
    assert!(h.extensions().is_empty());
    assert_eq!(
        h.server_name().unwrap_err().code,
        ErrorCode::ExtensionNotReceived
    );
}

#[test]
fn malformed_messages_are_refused_with_s2n_codes() {
    let good = message(&[], &[0, 0x2f], &[0], Some(&[(0, SNI)]));
    assert!(ClientHello::parse_message(&good).is_ok());
    let code = |m: &[u8]| ClientHello::parse_message(m).unwrap_err().code;
    // Every cut of a good message.
    for n in 0..good.len() {
        assert_eq!(code(&good[..n]), ErrorCode::BadMessage, "cut at {n}");
    }
    let mut wrong_type = good.clone();
    wrong_type[0] = 2;
    assert_eq!(code(&wrong_type), ErrorCode::BadMessage);
    assert_eq!(
        code(&message(&[1; 33], &[0, 0x2f], &[0], None)),
        ErrorCode::BadMessage
    );
    assert_eq!(code(&message(&[], &[], &[0], None)), ErrorCode::BadMessage);
    assert_eq!(code(&message(&[], &[0], &[0], None)), ErrorCode::BadMessage);
    let twice = message(&[], &[0, 0x2f], &[0], Some(&[(10, GROUPS), (10, GROUPS)]));
    assert_eq!(code(&twice), ErrorCode::DuplicateExtension);
    // An extension s2n does not know may repeat, as in s2n-tls.
    assert!(ClientHello::parse_message(&message(
        &[],
        &[0, 0x2f],
        &[0],
        Some(&[(99, &[]), (99, &[])])
    ))
    .is_ok());
    let bad_groups = message(&[], &[0, 0x2f], &[0], Some(&[(10, &[0, 3, 0, 29, 0])]));
    let h = ClientHello::parse_message(&bad_groups).unwrap();
    assert_eq!(
        h.supported_groups().unwrap_err().code,
        ErrorCode::BadMessage
    );
}

#[test]
fn the_callback_runs_once_and_its_modes_end_as_s2n_says() {
    struct Nothing;
    impl super::callback::HelloCallback for Nothing {
        fn call(&self, _: crate::owner::Owner) -> i32 {
            0
        }
    }
    let mut settings = HelloSettings {
        callback: Some(std::sync::Arc::new(Nothing)),
        mode: CallbackMode::Blocking,
    };
    let mut s = HelloCallbackState::default();
    s.hello_read(&settings);
    assert!(s.start());
    assert!(!s.start(), "once");
    s.returned(1).unwrap();
    assert!(s.server_name_used);
    assert_eq!(s.stage, HelloStage::Finished);

    settings.mode = CallbackMode::NonBlocking;
    let mut s = HelloCallbackState::default();
    assert_eq!(
        s.done(CallbackMode::NonBlocking).unwrap_err().code,
        ErrorCode::AsyncNotPerformed
    );
    s.hello_read(&settings);
    assert!(s.start());
    s.returned(0).unwrap();
    assert!(s.holds_handshake());
    assert_eq!(
        s.done(CallbackMode::Blocking).unwrap_err().code,
        ErrorCode::InvalidState
    );
    s.done(CallbackMode::NonBlocking).unwrap();
    assert_eq!(s.stage, HelloStage::Finished);

    let mut s = HelloCallbackState::default();
    s.hello_read(&settings);
    s.start();
    assert_eq!(s.returned(-1).unwrap_err().code, ErrorCode::Cancelled);
    assert!(!s.holds_handshake());
}
