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
    let h = ClientHello::received(m[4..].to_vec(), Some([3, 1])).unwrap();
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
    s.returned(1, false).unwrap();
    assert!(s.server_name_used);
    assert_eq!(s.stage, HelloStage::Finished);

    settings.mode = CallbackMode::NonBlocking;
    let mut s = HelloCallbackState::default();
    s.hello_read(&settings);
    assert!(s.start());
    s.returned(0, false).unwrap();
    assert!(s.holds_handshake());
    assert_eq!(s.stage, HelloStage::Pending);
    // s2n_client_hello_cb_done called before it returned.
    let mut s = HelloCallbackState::default();
    s.hello_read(&settings);
    s.start();
    s.returned(0, true).unwrap();
    assert_eq!(s.stage, HelloStage::Finished);

    let mut s = HelloCallbackState::default();
    s.hello_read(&settings);
    s.start();
    assert_eq!(s.returned(-1, true).unwrap_err().code, ErrorCode::Cancelled);
    assert!(!s.holds_handshake());
}

mod fingerprints {
    use super::super::fingerprint::{fingerprint, is_grease, Method};
    use super::super::ClientHello;
    use super::message;

    fn u16s(v: &[u16]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    fn with_len16(v: Vec<u8>) -> Vec<u8> {
        let mut out = (v.len() as u16).to_be_bytes().to_vec();
        out.extend(v);
        out
    }

    #[test]
    fn ja3_is_salesforces_example() {
        // The JA3 README's example hello: TLS1.0, 12 suites, SNI, groups, formats.
        let suites = u16s(&[
            47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4, 0x0a0a,
        ]);
        let groups = with_len16(u16s(&[0x1a1a, 23, 24, 25]));
        let sni: &[u8] = &[0, 6, 0, 0, 3, b'a', b'.', b'b'];
        let mut m = message(
            &[],
            &suites,
            &[0],
            Some(&[(0, sni), (10, &groups), (11, &[1, 0])]),
        );
        m[4] = 3;
        m[5] = 1;
        let h = ClientHello::parse_message(&m).unwrap();
        let f = fingerprint(&h, Method::Ja3).unwrap();
        assert_eq!(
            f.raw,
            "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
        );
        assert_eq!(f.hash, "ada70206e40642a3e4461f35503241d5");
    }

    #[test]
    fn ja4_is_the_specs_example() {
        // JA4's technical details: 15 suites, 16 extensions (SNI and ALPN
        // counted, not listed), ALPN h2, TLS1.3 by supported_versions; GREASE
        // everywhere is left out.
        let suites = u16s(&[
            0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ]);
        let sigs = with_len16(u16s(&[
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ]));
        let versions: &[u8] = &[6, 0x3a, 0x3a, 3, 4, 3, 3];
        let alpn: &[u8] = &[0, 9, 2, b'h', b'2', 6, b'h', b't', b't', b'p', b'/', b'1'];
        let sni: &[u8] = &[0, 6, 0, 0, 3, b'a', b'.', b'b'];
        let ext: Vec<(u16, &[u8])> = vec![
            (0xdada, &[]),
            (0x0000, sni),
            (0x0017, &[]),
            (0xff01, &[0]),
            (0x000a, &[0, 2, 0, 29]),
            (0x000b, &[1, 0]),
            (0x0023, &[]),
            (0x0010, alpn),
            (0x0005, &[1, 0, 0, 0, 0]),
            (0x000d, &sigs),
            (0x0012, &[]),
            (0x0033, &[0, 0]),
            (0x002d, &[1, 1]),
            (0x002b, versions),
            (0x001b, &[2, 0, 2]),
            (0x4469, &[]),
            (0x0015, &[0, 0]),
        ];
        let h = ClientHello::parse_message(&message(&[], &suites, &[0], Some(&ext))).unwrap();
        let f = fingerprint(&h, Method::Ja4).unwrap();
        assert_eq!(f.hash, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert_eq!(
            f.raw,
            "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_\
             0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_\
             0403,0804,0401,0503,0805,0501,0806,0601"
        );
    }

    #[test]
    fn ja4_edge_cases_follow_s2n() {
        // No SNI, no ALPN, no extensions at all: "i", "00", zeros for c.
        let h = ClientHello::parse_message(&message(&[], &[0x13, 1], &[0], None)).unwrap();
        let f = fingerprint(&h, Method::Ja4).unwrap();
        // b: the first 12 hex digits of SHA-256("1301").
        assert_eq!(f.hash, "t12i010000_0f2cb44170f4_000000000000");
        assert_eq!(f.raw, "t12i010000_1301_");
        // A non-alphanumeric ALPN: the hex digits of the first's high and the
        // last's low nibble.
        let alpn: &[u8] = &[0, 4, 3, 0xab, b'x', 0xcd];
        let h = ClientHello::parse_message(&message(&[], &[0x13, 1], &[0], Some(&[(16, alpn)])))
            .unwrap();
        assert!(fingerprint(&h, Method::Ja4)
            .unwrap()
            .hash
            .starts_with("t12i0101ad_"));
        // An odd byte in the signature algorithms fails, as in s2n.
        let h = ClientHello::parse_message(&message(
            &[],
            &[0x13, 1],
            &[0],
            Some(&[(13, &[0, 3, 4, 3, 1])]),
        ))
        .unwrap();
        assert!(fingerprint(&h, Method::Ja4).is_err());
        assert!(is_grease(0x0a0a) && is_grease(0xfafa) && !is_grease(0x0a1a) && !is_grease(0x1301));
    }
}

#[test]
fn the_known_extension_table_is_the_list() {
    for kind in 0..=u16::MAX {
        assert_eq!(is_known(kind), KNOWN_EXTENSIONS.contains(&kind), "{kind}");
    }
}
