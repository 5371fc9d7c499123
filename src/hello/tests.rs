//! Hello reader tests: facts read, malformed hellos refused with their reason,
//! bounds, and linear work however the bytes are split.

use super::testing::{
    handshake, malformed_hellos, psk_extension, records, ClientHelloParts, BINDER,
};
use super::*;

/// A valid TLS1.3 ClientHello offering TLS1.3 and 1.2, a session ID and a PSK.
fn tls13_hello() -> ClientHelloParts {
    ClientHelloParts {
        session_id: vec![9; 32],
        cipher_suites: vec![0x13, 0x01, 0xc0, 0x2b],
        extensions: Some(vec![
            (43, vec![4, 3, 4, 3, 3]),
            (35, Vec::new()),
            (41, psk_extension(&[b"abc", b"second"], &[BINDER, BINDER])),
        ]),
        ..Default::default()
    }
}

fn read(wire: &[u8]) -> Result<HelloInfo, Malformed> {
    let mut r = HelloReader::client_hello();
    let info = r.feed(wire);
    match r.outcome().expect("complete") {
        Ok(()) => Ok(info.expect("the info, with the outcome")),
        Err(m) => Err(m.clone()),
    }
}

fn read_message(parts: &ClientHelloParts) -> Result<HelloInfo, Malformed> {
    read(&records(&parts.message(), 1 << 14))
}

#[test]
fn reads_versions_session_id_and_psk_across_records_and_reads() {
    let wire = records(&tls13_hello().message(), 20);
    let mut r = HelloReader::default();
    let mut info = None;
    for chunk in wire.chunks(7) {
        if let Some(i) = r.feed(chunk) {
            assert!(info.replace(i).is_none(), "given once");
        }
    }
    let info = info.unwrap();
    assert_eq!(info.max_version, 34);
    assert_eq!(&info.session_id[..], &[9; 32][..]);
    assert_eq!(info.psk_identity(), Some(&b"abc"[..]));
    let ids: Vec<&[u8]> = info.psk_identities.iter().collect();
    assert_eq!(ids, [&b"abc"[..], &b"second"[..]]);
    assert_eq!(info.psk_identities.len(), 2);
    assert_eq!(info.psk_identities.get(1), Some(&b"second"[..]));
    assert_eq!(info.psk_identities.get(2), None);
    assert_eq!(info.selected_psk, None);
    assert_eq!(
        info.session_ticket, None,
        "an empty ticket extension is no ticket"
    );
    assert_eq!(r.outcome(), Some(Ok(())));
    assert!(r.feed(&wire).is_none(), "given once");
}

#[test]
fn a_client_reads_its_own_hello_for_the_facts_only() {
    let wire = records(&tls13_hello().message(), 1 << 14);
    let mut own = HelloReader::sent_client_hello();
    let facts = own.feed(&wire).expect("complete");
    assert!(
        facts.message.is_none(),
        "no copy for s2n's ClientHello getters"
    );
    let received = read(&wire).unwrap();
    assert!(received.message.is_some(), "a server keeps it");
    assert_eq!(
        facts,
        HelloInfo {
            message: None,
            ..received
        }
    );
}

#[test]
fn legacy_version_without_extensions_and_a_tls12_ticket() {
    let info = read_message(&ClientHelloParts::default()).unwrap();
    assert_eq!(info.max_version, 33);
    assert!(info.session_id.is_empty());
    let mut p = ClientHelloParts {
        legacy_version: 0x0305,
        extensions: Some(vec![(35, vec![1, 2, 3])]),
        ..Default::default()
    };
    let info = read_message(&p).unwrap();
    assert_eq!(
        info.max_version, 33,
        "as s2n: the legacy version, at most TLS1.2"
    );
    assert_eq!(info.session_ticket.as_deref(), Some(&[1, 2, 3][..]));
    p.legacy_version = 0x0301;
    assert_eq!(read_message(&p).unwrap().max_version, 31);
}

#[test]
fn malformed_client_hellos_are_refused_with_their_reason() {
    assert!(read_message(&tls13_hello()).is_ok(), "the base is valid");
    for (reason, wire) in malformed_hellos(&tls13_hello()) {
        let e = read(&wire).expect_err(reason);
        assert!(e.to_string().contains(reason), "{reason}: {e}");
    }
}

#[test]
fn tickets_and_identities_past_the_bound_are_not_kept() {
    let long = vec![5; MAX_TICKET_LEN + 1];
    let mut p = tls13_hello();
    *p.extension(41).unwrap() = psk_extension(&[&long, b"x"], &[BINDER, BINDER]);
    assert_eq!(
        read_message(&p).unwrap().psk_identity(),
        None,
        "valid, not kept"
    );
    let fits = vec![5; MAX_TICKET_LEN];
    *p.extension(41).unwrap() = psk_extension(&[&fits], &[BINDER]);
    assert_eq!(read_message(&p).unwrap().psk_identity(), Some(&fits[..]));
    *p.extension(35).unwrap() = long;
    assert_eq!(read_message(&p).unwrap().session_ticket, None);
    *p.extension(35).unwrap() = fits.clone();
    assert_eq!(read_message(&p).unwrap().session_ticket, Some(fits));
}

/// A ClientHello of about 60 KB (a large padding extension), in full records.
fn big_hello() -> Vec<u8> {
    let mut p = tls13_hello();
    p.extensions
        .as_mut()
        .unwrap()
        .insert(0, (21, vec![0; 60_000]));
    records(&p.message(), 1 << 14)
}

#[test]
fn one_byte_reads_do_linear_work() {
    let wire = big_hello();
    let mut r = HelloReader::client_hello();
    let mut info = None;
    for b in wire.chunks(1) {
        info = info.or(r.feed(b));
    }
    assert!(info.is_some());
    // Each byte once: a reader that re-walked what it had would examine ~1.8e9.
    assert_eq!(r.examined(), wire.len() as u64);

    let mut flight = records(&handshake(11, &[0; 60_000]), 1 << 14);
    flight.extend(records(&handshake(4, &[0, 0, 1, 0, 0, 1, 9]), 100));
    let mut s = Tls12TicketScanner::default();
    for b in flight.chunks(1) {
        s.feed(b);
    }
    assert_eq!(s.ticket, Some((256, vec![9])));
    assert_eq!(s.examined(), flight.len() as u64);
}

#[test]
fn any_split_gives_the_same_outcome() {
    let mut bad = tls13_hello();
    bad.session_id = vec![0; 40];
    for message in [tls13_hello().message(), bad.message()] {
        let whole = read(&records(&message, 1 << 14));
        for record_size in [1, 3, 100] {
            let wire = records(&message, record_size);
            for chunk in [1, 2, 5, 4096] {
                let mut r = HelloReader::client_hello();
                let mut info = None;
                for c in wire.chunks(chunk) {
                    info = info.or(r.feed(c));
                }
                let outcome = match r.outcome() {
                    Some(Ok(())) => info.ok_or_else(|| Malformed::new("no info".into())),
                    Some(Err(m)) => Err(m.clone()),
                    None => panic!("incomplete"),
                };
                assert_eq!(outcome, whole, "{record_size}/{chunk}");
            }
        }
    }
}

#[test]
fn tls12_new_session_ticket_is_read_until_change_cipher_spec() {
    let mut nst = handshake(4, &[0, 0, 0x1c, 0x20, 0, 4, 1, 2, 3, 4]);
    let mut wire = records(&nst, 5);
    wire.extend([20, 3, 3, 0, 1, 1]);
    let mut scanner = Tls12TicketScanner::default();
    for chunk in wire.chunks(3) {
        scanner.feed(chunk);
    }
    assert_eq!(scanner.ticket, Some((7200, vec![1, 2, 3, 4])));
    assert!(scanner.done());
    // After ChangeCipherSpec nothing more is read.
    nst[9] = 0;
    scanner.feed(&records(&nst[..10], 100));
    assert_eq!(scanner.ticket, Some((7200, vec![1, 2, 3, 4])));
}

fn server_hello(version_ext: bool) -> Vec<u8> {
    server_hello_with_id(version_ext, &[5, 6, 7, 8])
}

fn server_hello_with_id(version_ext: bool, session_id: &[u8]) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend([1u8; 32]);
    body.push(session_id.len() as u8);
    body.extend(session_id);
    body.extend([0x13, 0x01, 0]);
    if version_ext {
        body.extend([0, 6, 0, 43, 0, 2, 3, 4]);
    }
    handshake(2, &body)
}

#[test]
fn server_hello_session_id_and_selected_version() {
    let hs = server_hello(true);
    let mut r = HelloReader::server_hello();
    let info = r.feed(&records(&hs, 200)).unwrap();
    assert_eq!(&info.session_id[..], [5, 6, 7, 8]);
    assert_eq!(info.max_version, 34);
    assert_eq!(info.selected_psk, None, "no pre_shared_key extension");
    // With pre_shared_key (41) selecting identity 1.
    let mut body = hs[4..].to_vec();
    // version 2, random 32, session ID 1+4, suite and compression 3: extensions at 42.
    assert_eq!(body[42..44], [0, 6]);
    body.extend([0, 41, 0, 2, 0, 1]);
    body[42..44].copy_from_slice(&[0, 12]);
    let mut r = HelloReader::server_hello();
    let info = r.feed(&records(&handshake(2, &body), 200)).unwrap();
    assert_eq!((info.max_version, info.selected_psk), (34, Some(1)));
    let mut r = HelloReader::client_hello();
    assert_eq!(
        r.feed(&records(&hs, 200)),
        None,
        "a ServerHello is no ClientHello"
    );
    assert!(r.outcome().unwrap().is_err());
    // Found by fuzzing: a session ID over 32 bytes was taken as the server's.
    let long = server_hello_with_id(true, &[9; 33]);
    let mut r = HelloReader::server_hello();
    assert_eq!(r.feed(&records(&long, 200)), None);
    assert!(r.outcome().unwrap().is_err());
}

#[test]
fn the_scanner_stops_at_a_tls13_server_hello() {
    let mut wire = records(&server_hello(true), 200);
    // What follows would be encrypted: never read, however it looks.
    wire.extend(records(&handshake(4, &[0, 0, 0, 9, 0, 1, 1]), 100));
    let mut s = Tls12TicketScanner::default();
    s.feed(&wire);
    assert!(s.done());
    assert_eq!(s.ticket, None);
    let mut s = Tls12TicketScanner::default();
    s.feed(&records(&server_hello(false), 200));
    assert!(!s.done(), "TLS1.2 goes on to the NewSessionTicket");
    assert_eq!(
        s.suite,
        Some([0x13, 0x01]),
        "the suite after the session ID"
    );
}

#[test]
fn alpn_names_are_read_and_a_malformed_list_is_none() {
    let with_alpn = |data: Vec<u8>| ClientHelloParts {
        extensions: Some(vec![(16, data)]),
        ..Default::default()
    };
    let ok = read_message(&with_alpn(vec![
        0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
    ]))
    .unwrap();
    assert_eq!(ok.alpn, Some(vec![b"h2".to_vec(), b"http/1.1".to_vec()]));
    for bad in [vec![0, 3, 2, b'h'], vec![0, 1, 0], vec![0, 0], vec![0]] {
        assert_eq!(
            read_message(&with_alpn(bad.clone())).unwrap().alpn,
            None,
            "{bad:?}"
        );
    }
    assert_eq!(
        read_message(&ClientHelloParts::default()).unwrap().alpn,
        None
    );
}

#[test]
fn an_ocsp_status_request_is_read_as_s2n_reads_it() {
    let with = |data: Vec<u8>| ClientHelloParts {
        extensions: Some(vec![(5, data)]),
        ..Default::default()
    };
    assert!(
        read_message(&with(vec![1, 0, 0, 0, 0]))
            .unwrap()
            .status_request
    );
    // Another status type, or too short: ignored.
    assert!(
        !read_message(&with(vec![2, 0, 0, 0, 0]))
            .unwrap()
            .status_request
    );
    assert!(!read_message(&with(vec![1, 0, 0])).unwrap().status_request);
    assert!(
        !read_message(&ClientHelloParts::default())
            .unwrap()
            .status_request
    );
}

#[test]
fn duplicate_extensions_are_found_however_many_there_are() {
    // More extension types than are kept inline, all distinct: valid.
    let mut p = ClientHelloParts {
        extensions: Some((1000..1100).map(|t| (t, Vec::new())).collect()),
        ..Default::default()
    };
    assert!(read_message(&p).is_ok());
    // The same type within the inline part, across it and the rest, and within the rest.
    for (first, second) in [(3, 7), (5, 90), (60, 99)] {
        let exts = p.extensions.as_mut().unwrap();
        let kind = exts[first].0;
        let was = std::mem::replace(&mut exts[second].0, kind);
        let e = read_message(&p).expect_err("a duplicate");
        assert_eq!(e.to_string(), format!("extension {kind} appears twice"));
        p.extensions.as_mut().unwrap()[second].0 = was;
    }
}

#[test]
fn session_ids_are_kept_up_to_32_bytes() {
    for n in [0, 1, 32] {
        let id = SessionId::new(&vec![3; n]).expect("fits");
        assert_eq!(&id[..], &vec![3; n][..]);
        assert_eq!(format!("{id:?}"), format!("{:?}", vec![3u8; n]));
    }
    assert_eq!(SessionId::new(&[3; 33]), None);
    assert_eq!(SessionId::default().as_slice(), &[] as &[u8]);
}

#[test]
fn a_tls12_ticket_is_the_new_session_ticket_without_its_header() {
    // lifetime 300, a ticket of 3 bytes, and a stray byte the length leaves out.
    let nst = handshake(4, &[0, 0, 1, 44, 0, 3, 7, 8, 9, 10]);
    let mut scanner = Tls12TicketScanner::default();
    scanner.feed(&records(&nst, 1 << 14));
    assert_eq!(scanner.ticket, Some((300, vec![7, 8, 9])));
    // Gathered across reads, the same.
    let mut scanner = Tls12TicketScanner::default();
    for chunk in records(&nst, 1 << 14).chunks(4) {
        scanner.feed(chunk);
    }
    assert_eq!(scanner.ticket, Some((300, vec![7, 8, 9])));
    // A length past the message: what there is.
    let nst = handshake(4, &[0, 0, 0, 5, 0, 9, 1, 2]);
    let mut scanner = Tls12TicketScanner::default();
    scanner.feed(&records(&nst, 1 << 14));
    assert_eq!(scanner.ticket, Some((5, vec![1, 2])));
}

/// The ClientHello a server keeps is built from the reader's one pass: it must be
/// what s2n's own parse of the same body gives (every getter reads these fields).
#[test]
fn the_kept_client_hello_is_the_one_parse_body_gives() {
    let mut no_extensions = tls13_hello();
    no_extensions.extensions = None;
    let mut unknown_and_empty = tls13_hello();
    unknown_and_empty.session_id = Vec::new();
    unknown_and_empty.extensions = Some(vec![
        (0x1234, vec![1, 2, 3]),
        (0, vec![0, 4, 0, 0, 1, b'a']),
        (10, vec![0, 2, 0, 29]),
        (0xfe0d, Vec::new()),
        (16, vec![0, 3, 2, b'h', b'2']),
        (65281, vec![0]),
    ]);
    for parts in [tls13_hello(), no_extensions, unknown_and_empty] {
        let wire = records(&parts.message(), 1 << 14);
        let kept = read(&wire).unwrap().message.expect("kept");
        let parsed = ClientHello::received(parts.body(), Some([3, 1])).unwrap();
        assert_eq!(*kept, parsed);
    }
}
