//! Connection tests: handshakes, data, errors, and resumption through the state machine.

use std::io;

use super::testing::*;
use super::*;

#[test]
fn tls13_and_tls12_handshakes_report_s2n_facts() {
    for (policy, version, name) in [
        (
            "default_tls13",
            34,
            "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT",
        ),
        (
            "20240501",
            33,
            "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY",
        ),
    ] {
        let (mut s, mut c, _, _) = pair(server_config(policy), client_config(policy));
        assert_eq!(s.handshake_type_name().to_str().unwrap(), "INITIAL");
        handshake(&mut s, &mut c).unwrap();
        for conn in [&s, &c] {
            assert_eq!(conn.actual_protocol_version(), version, "{policy}");
            assert_eq!(conn.handshake_type_name().to_str().unwrap(), name);
            assert_ne!(conn.cipher(), "TLS_NULL_WITH_NULL_NULL");
        }
        assert_eq!(s.client_protocol_version(), version);
        assert_eq!(s.server_name().unwrap().to_str().unwrap(), "localhost");
        assert_eq!(s.wire_bytes_in(), c.wire_bytes_out());
        assert_eq!(c.wire_bytes_in(), s.wire_bytes_out());
    }
}

#[test]
fn data_both_ways_and_clean_shutdown() {
    let (mut s, mut c, _, _) = established("default");
    let big = vec![0x5a; 100_000];
    assert_eq!(c.send(&big).unwrap(), big.len());
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while got.len() < big.len() {
        let n = s.recv(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, big);
    assert_eq!(s.send(b"pong").unwrap(), 4);
    assert_eq!(c.recv(&mut buf).unwrap(), 4);
    // Client closes; its shutdown blocks until the server answers.
    assert!(c.shutdown().unwrap_err().is_blocked());
    assert_eq!(s.recv(&mut buf).unwrap(), 0);
    s.shutdown().unwrap();
    c.shutdown().unwrap();
    assert_eq!(s.peer_close(), Some(PeerClose::CloseNotify));
    assert!(c.send(b"late").is_err());
}

#[test]
fn untrusted_and_wrong_name_fail_cleanly_and_config_stays_usable() {
    let client = Arc::new(Config::new_minimal());
    let (mut s, mut c, _, _) = pair(server_config("default"), client.clone());
    let e = handshake(&mut s, &mut c).unwrap_err();
    assert_eq!(e.code, ErrorCode::CertUntrusted, "{e}");
    assert!(c.send(b"x").is_err(), "failed connection stays failed");
    // The server learns of it through the alert.
    let mut buf = [0u8; 16];
    let se = s.negotiate().unwrap_err();
    assert_eq!(se.code, ErrorCode::Alert, "{se}");
    assert!(s.alert().is_ok());
    let _ = s.recv(&mut buf);

    client
        .add_pem_to_trust_store(&crate::certs::testing::cert_file("ca_cert.pem"))
        .unwrap();
    let (mut s, mut c, _, _) = pair(server_config("default"), client.clone());
    c.wipe();
    c.set_server_name("wrong.example").unwrap();
    let (a, b) = crate::transport::memory::pair();
    s.set_recv(Box::new(a.clone()));
    s.set_send(Box::new(a));
    c.set_recv(Box::new(b.clone()));
    c.set_send(Box::new(b));
    let e = handshake(&mut s, &mut c).unwrap_err();
    assert_eq!(e.code, ErrorCode::HostnameMismatch, "{e}");
    assert!(e.message.contains("wrong.example"));
}

#[test]
fn garbage_and_early_close_are_errors_not_panics() {
    let (mut s, _c, a, b) = pair(server_config("default"), client_config("default"));
    b.inject(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let e = s.negotiate().unwrap_err();
    assert!(!e.is_blocked());
    assert_eq!(e.error_type(), crate::error::ErrorType::Proto, "{e}");
    drop(a);

    // The server end closes before answering: the client sees end of stream.
    let (_s, mut c, a, _) = pair(server_config("default"), client_config("default"));
    assert!(c.negotiate().unwrap_err().is_blocked());
    a.close();
    let e = c.negotiate().unwrap_err();
    assert_eq!(e.code, ErrorCode::Closed, "{e}");
}

#[test]
fn blocked_send_is_retried_with_the_same_buffer() {
    use crate::transport::SendHalf;
    /// Takes at most `budget` bytes, then would block.
    struct Tight(
        crate::transport::memory::End,
        Arc<std::sync::atomic::AtomicUsize>,
    );
    impl SendHalf for Tight {
        fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
            let budget = self.1.load(std::sync::atomic::Ordering::SeqCst);
            if budget == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = self.0.send(&buf[..buf.len().min(budget)])?;
            self.1.fetch_sub(n, std::sync::atomic::Ordering::SeqCst);
            Ok(n)
        }
    }
    let (mut s, mut c, _, b) = established("default");
    let budget = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    c.set_send(Box::new(Tight(b, budget.clone())));
    let data: Vec<u8> = (0..50_000u32).map(|i| i as u8).collect();
    let mut sent = 0;
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    let mut blocked = 0;
    while sent < data.len() {
        match c.send(&data[sent..]) {
            Ok(n) => sent += n,
            Err(e) => {
                assert!(e.is_blocked(), "{e}");
                assert_eq!(c.blocked(), Blocked::OnWrite);
                blocked += 1;
                budget.store(7000, std::sync::atomic::Ordering::SeqCst);
            }
        }
        while let Ok(n) = s.recv(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    budget.store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
    while got.len() < data.len() {
        let n = s.recv(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert!(blocked > 1);
    assert_eq!(got, data);
}

#[test]
fn no_io_and_no_cert_are_usage_errors_that_leave_the_connection_usable() {
    let mut s = Connection::new(Mode::Server);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::InvalidState);
    let (a, _b) = crate::transport::memory::pair();
    s.set_recv(Box::new(a.clone()));
    s.set_send(Box::new(a));
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::NoCertificate);
    s.set_config(server_config("default")).unwrap();
    assert!(s.negotiate().unwrap_err().is_blocked());
}

/// A server config with tickets on and the given key.
fn ticket_server(policy: &str, key: &[u8]) -> Arc<Config> {
    let c = server_config(policy);
    c.set_session_tickets(true).unwrap();
    c.add_ticket_key(b"fleet-key", key, 0).unwrap();
    c
}

fn ticket_client(policy: &str) -> Arc<Config> {
    let c = client_config(policy);
    c.set_session_tickets(true).unwrap();
    c
}

/// A full connection: handshake, then the client reads so TLS1.3 tickets arrive.
fn connect(
    server: &Arc<Config>,
    client: &Arc<Config>,
    session: Option<&[u8]>,
) -> (Connection, Connection) {
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    if let Some(bytes) = session {
        c.set_session(bytes).unwrap();
    }
    handshake(&mut s, &mut c).unwrap();
    let mut buf = [0u8; 16];
    assert!(c.recv(&mut buf).unwrap_err().is_blocked());
    (s, c)
}

#[test]
fn tickets_resume_tls13_and_tls12() {
    for (policy, full, resumed) in [
        (
            "default_tls13",
            "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT",
            "NEGOTIATED|MIDDLEBOX_COMPAT",
        ),
        (
            "20240501",
            "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY|WITH_SESSION_TICKET",
            "NEGOTIATED",
        ),
    ] {
        let server = ticket_server(policy, b"key material");
        let client = ticket_client(policy);
        let (s, c) = connect(&server, &client, None);
        assert!(!c.is_resumed());
        assert_eq!(
            s.handshake_type_name().to_str().unwrap(),
            full,
            "{policy} server"
        );
        assert_eq!(
            c.handshake_type_name().to_str().unwrap(),
            full,
            "{policy} client"
        );
        assert_eq!(s.tickets_sent().unwrap(), 1);
        let session = c.session().expect("a session after the first connection");
        assert!(session.has_ticket);
        // The key's remaining life, just under the 15 h session state lifetime.
        let hint = c.session_ticket_lifetime_hint().unwrap();
        assert!((15 * 3600 - 1..=15 * 3600).contains(&hint), "{hint}");

        let (s2, c2) = connect(&server, &client, Some(&session.bytes));
        assert!(c2.is_resumed() && s2.is_resumed(), "{policy}: resumed");
        assert_eq!(
            s2.handshake_type_name().to_str().unwrap(),
            resumed,
            "{policy}"
        );
        assert_eq!(
            c2.handshake_type_name().to_str().unwrap(),
            resumed,
            "{policy}"
        );
        // TLS1.3 resumptions issue a fresh ticket; TLS1.2 ones issue none.
        let fresh = if policy == "default_tls13" { 1 } else { 0 };
        assert_eq!(s2.tickets_sent().unwrap(), fresh, "{policy}");
        assert!(!c2.session_id().is_empty() || policy == "default_tls13");
    }
}

#[test]
fn a_fleet_shares_keys_and_a_stranger_does_not() {
    let a = ticket_server("default_tls13", b"fleet material");
    let b = ticket_server("default_tls13", b"fleet material");
    let other = ticket_server("default_tls13", b"someone else's");
    let client = ticket_client("default_tls13");
    let (_, c) = connect(&a, &client, None);
    let (_, c2) = connect(&b, &client, Some(&c.session().unwrap().bytes));
    assert!(c2.is_resumed(), "server B accepts server A's ticket");
    let (_, c3) = connect(&other, &client, Some(&c2.session().unwrap().bytes));
    assert!(!c3.is_resumed(), "a different key means a full handshake");
    assert!(c3.session().is_some(), "and a new ticket");
}

#[test]
fn tls13_bytes_name_a_line_that_resumes_while_new_tickets_come() {
    let server = ticket_server("default_tls13", b"k");
    // The same keys, but no tickets issued: the line runs dry there.
    let quiet = ticket_server("default_tls13", b"k");
    quiet.set_initial_ticket_count(0).unwrap();
    let client = ticket_client("default_tls13");
    let resumes = |s: &Arc<Config>, b: &[u8]| connect(s, &client, Some(b)).1.is_resumed();
    let bytes = connect(&server, &client, None).1.session().unwrap().bytes;
    // Saved once, offered again and again: each resumption brings a new ticket.
    for _ in 0..3 {
        assert!(resumes(&server, &bytes));
    }
    assert!(resumes(&quiet, &bytes), "the line's last ticket");
    assert!(!resumes(&quiet, &bytes), "dry: no ticket came back");
    assert!(
        !resumes(&server, &bytes),
        "still dry: a full handshake, whose ticket joins"
    );
    assert!(resumes(&server, &bytes) && resumes(&server, &bytes));
    let range = crate::resumption::session_bytes::testing::tag_range;
    let mut foreign = bytes.clone();
    foreign[range(&c_facts(&bytes)).start] ^= 0xff;
    assert!(!resumes(&server, &foreign), "another process's bytes");
    let mut c5 = Connection::new(Mode::Client);
    assert_eq!(
        c5.set_session(b"garbage").unwrap_err().code,
        ErrorCode::InvalidSerializedSession
    );
}

fn c_facts(bytes: &[u8]) -> crate::resumption::session_bytes::SessionFacts {
    crate::resumption::client_session::parse_session(bytes)
        .unwrap()
        .facts
}

#[test]
fn initial_ticket_count_and_added_tickets() {
    let server = ticket_server("default_tls13", b"k");
    server.set_initial_ticket_count(3).unwrap();
    let client = ticket_client("default_tls13");
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    s.add_new_tickets(2).unwrap();
    handshake(&mut s, &mut c).unwrap();
    assert!(
        s.add_new_tickets(1).is_err(),
        "too late once the handshake started"
    );
    assert_eq!(s.tickets_sent().unwrap(), 5);
    assert!(c.tickets_sent().is_err(), "a server-only call");
}

fn cache_server(
    policy: &str,
) -> (
    Arc<Config>,
    Arc<crate::resumption::cache::testing::MemoryCache>,
) {
    let c = server_config(policy);
    c.add_ticket_key(b"cache-key", b"material", 0).unwrap();
    let app = Arc::new(crate::resumption::cache::testing::MemoryCache::default());
    c.set_session_cache(Some(app.clone())).unwrap();
    (c, app)
}

fn calls(app: &crate::resumption::cache::testing::MemoryCache, what: &str) -> usize {
    app.calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| *c == what)
        .count()
}

#[test]
fn cache_resumes_tls12_by_session_id_and_tls13_by_stateful_ticket() {
    for policy in ["20240501", "default_tls13"] {
        let (server, app) = cache_server(policy);
        // A TLS1.3 client receives even a stateful session as a ticket.
        let client = match policy {
            "default_tls13" => ticket_client(policy),
            _ => client_config(policy),
        };
        let (s, c) = connect(&server, &client, None);
        assert!(!s.is_resumed());
        assert_eq!(calls(&app, "store"), 1, "{policy}");
        if policy == "20240501" {
            assert_eq!(
                s.cached_session_key().unwrap(),
                s.session_id(),
                "the ID of the cached session"
            );
        }
        let bytes = c.session().unwrap().bytes;
        let (s2, c2) = connect(&server, &client, Some(&bytes));
        assert!(s2.is_resumed() && c2.is_resumed(), "{policy}");
        assert!(calls(&app, "retrieve") >= 1);
    }
}

#[test]
fn tls13_cache_tickets_carry_the_cache_lifetime() {
    let (server, _) = cache_server("default_tls13");
    let client = ticket_client("default_tls13");
    let (_, c) = connect(&server, &client, None);
    assert_eq!(c.session_ticket_lifetime_hint().unwrap(), 6 * 3600);
    server.set_lifetimes(|l| l.session_state = 60 * 1_000_000_000);
    let (_, c) = connect(&server, &client, None);
    assert_eq!(c.session_ticket_lifetime_hint().unwrap(), 60);
}

#[test]
fn blocked_retrieve_pauses_the_handshake_then_resumes() {
    let (server, app) = cache_server("20240501");
    let client = client_config("20240501");
    let (_, c) = connect(&server, &client, None);
    let bytes = c.session().unwrap().bytes;
    *app.block_next.lock().unwrap() = 2;
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    c.set_session(&bytes).unwrap();
    assert!(c.negotiate().unwrap_err().is_blocked());
    for _ in 0..2 {
        let e = s.negotiate().unwrap_err();
        assert_eq!(e.code, ErrorCode::AsyncBlocked);
        assert_eq!(s.blocked(), Blocked::OnApplicationInput);
    }
    handshake(&mut s, &mut c).unwrap();
    assert!(s.is_resumed());
    assert_eq!(calls(&app, "retrieve"), 3);
}

#[test]
fn abrupt_close_deletes_the_cached_session_and_graceful_does_not() {
    let (server, app) = cache_server("20240501");
    let client = client_config("20240501");
    let (mut s, mut c, _, b) = pair(server.clone(), client.clone());
    handshake(&mut s, &mut c).unwrap();
    c.shutdown().unwrap_err();
    let mut buf = [0u8; 8];
    assert_eq!(s.recv(&mut buf).unwrap(), 0);
    s.shutdown().unwrap();
    assert_eq!(calls(&app, "delete"), 0, "graceful close keeps the session");

    let (mut s, mut c, _, b2) = pair(server.clone(), client.clone());
    handshake(&mut s, &mut c).unwrap();
    b2.close();
    // No close_notify: maybe a truncation attack, so an error, not end of data.
    let e = s.recv(&mut buf).unwrap_err();
    assert_eq!(e.code, ErrorCode::Closed, "{e}");
    assert_eq!(s.recv(&mut buf).unwrap_err().code, ErrorCode::Closed);
    assert_eq!(s.peer_close(), Some(PeerClose::Abrupt));
    assert_eq!(calls(&app, "delete"), 1, "abrupt close deletes it");
    drop(b);
}

#[test]
fn a_cache_only_tls12_server_gives_a_ticket_client_no_ticket() {
    let (server, app) = cache_server("20240501");
    let client = ticket_client("20240501");
    let (s, mut c) = connect(&server, &client, None);
    let session = c.session().unwrap();
    assert!(!session.has_ticket);
    assert_eq!(
        c.client.scanner().ticket,
        None,
        "no NewSessionTicket, not even an empty one"
    );
    assert!(!s
        .handshake_type_name()
        .to_str()
        .unwrap()
        .contains("WITH_SESSION_TICKET"));
    let (s2, _) = connect(&server, &client, Some(&session.bytes));
    assert!(s2.is_resumed(), "resumed by session ID");
    assert_eq!(calls(&app, "store"), 1);
}

/// A cache server with a stored session, and the ClientHello (records) of a
/// client resuming it.
fn resuming_hello(
    policy: &str,
) -> (
    Arc<Config>,
    Arc<crate::resumption::cache::testing::MemoryCache>,
    Vec<u8>,
) {
    let (server, app) = cache_server(policy);
    let client = match policy {
        "default_tls13" => ticket_client(policy),
        _ => client_config(policy),
    };
    let (_, c) = connect(&server, &client, None);
    let hello = client_first_flight(client, Some(&c.session().unwrap().bytes));
    (server, app, hello)
}

/// The ClientHello message inside one record.
fn parts(records: &[u8]) -> crate::hello::testing::ClientHelloParts {
    assert_eq!(records[0], 22);
    assert_eq!(
        usize::from(u16::from_be_bytes([records[3], records[4]])),
        records.len() - 5
    );
    crate::hello::testing::ClientHelloParts::parse(&records[5..])
}

/// Offers `wire` to a new server connection: its negotiate result, what it sent
/// back, and how many times the cache was asked.
fn offer(
    server: &Arc<Config>,
    app: &crate::resumption::cache::testing::MemoryCache,
    wire: &[u8],
) -> (Result<()>, Vec<u8>, usize) {
    use crate::transport::RecvHalf;
    let before = calls(app, "retrieve");
    let (mut s, _c, _, mut b) = pair(server.clone(), client_config("default"));
    b.inject(wire);
    let r = s.negotiate();
    let mut reply = vec![0; 1 << 16];
    let n = b.recv(&mut reply).unwrap_or(0);
    reply.truncate(n);
    (r, reply, calls(app, "retrieve") - before)
}

#[test]
fn malformed_hellos_get_no_cache_lookup_a_clear_error_and_an_alert() {
    use crate::hello::testing::malformed_hellos;
    let (server, app, hello) = resuming_hello("default_tls13");
    let (r, _, lookups) = offer(&server, &app, &hello);
    assert!(r.unwrap_err().is_blocked(), "the real hello is fine");
    assert_eq!(lookups, 1, "and its PSK identity is looked up");
    for (reason, wire) in malformed_hellos(&parts(&hello)) {
        let (r, reply, lookups) = offer(&server, &app, &wire);
        assert_eq!(lookups, 0, "{reason}: no cache lookup");
        let e = r.expect_err(reason);
        assert_eq!(e.code, ErrorCode::BadMessage, "{reason}: {e}");
        assert!(e.message.contains(reason), "{reason}: {e}");
        assert_eq!(reply, DECODE_ERROR_ALERT, "{reason}: the client is told");
    }
    // TLS1.2: the session ID is the cache key.
    let (server, app, hello) = resuming_hello("20240501");
    assert_eq!(offer(&server, &app, &hello).2, 1);
    let mut p = parts(&hello);
    p.session_id.resize(255, 7);
    let wire = crate::hello::testing::records(&p.message(), 1 << 14);
    let (r, _, lookups) = offer(&server, &app, &wire);
    assert_eq!(
        lookups, 0,
        "a 255-byte session ID never reaches the callback"
    );
    assert!(r.unwrap_err().message.contains("session ID of 255 bytes"));
}

#[test]
fn rustls_refuses_what_the_pre_parse_refuses() {
    use crate::hello::testing::{malformed_hellos, STRICTER_THAN_RUSTLS};
    // So no client rustls would serve is refused (bar RFC violations listed).
    let (server, _, hello) = resuming_hello("default_tls13");
    let config = server.server_config().unwrap();
    for (reason, wire) in malformed_hellos(&parts(&hello)) {
        let mut tls = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut rest = &wire[..];
        let refused = loop {
            match tls.read_tls(&mut rest) {
                Err(_) => break true,
                Ok(0) => break false,
                Ok(_) if tls.process_new_packets().is_err() => break true,
                Ok(_) => {}
            }
        };
        assert_eq!(refused, !STRICTER_THAN_RUSTLS.contains(&reason), "{reason}");
    }
}

#[test]
fn psk_identities_past_the_cache_key_bound_are_not_looked_up() {
    use crate::hello::testing::{psk_extension, records, BINDER};
    let (server, app, hello) = resuming_hello("default_tls13");
    for len in [33, 40_000] {
        let id = vec![3u8; len];
        let mut p = parts(&hello);
        *p.extension(41).unwrap() = psk_extension(&[&id], &[BINDER]);
        let (r, reply, lookups) = offer(&server, &app, &records(&p.message(), 1 << 14));
        assert_eq!(lookups, 0, "{len}-byte identity");
        assert!(
            r.unwrap_err().is_blocked(),
            "a valid hello: a full handshake goes on"
        );
        assert_eq!(
            reply[..6],
            [22, 3, 3, reply[3], reply[4], 2],
            "a ServerHello"
        );
    }
}

#[test]
fn hundreds_of_tls13_tickets_fail_as_a_protocol_error() {
    for (tickets, fits) in [(200u16, true), (400, false)] {
        // At most 255 per call: the config's count, then the connection's.
        let first = tickets.min(255);
        let server = ticket_server("default_tls13", b"k");
        server.set_initial_ticket_count(first as u8).unwrap();
        let (mut s, mut c, _, _) = pair(server, ticket_client("default_tls13"));
        s.add_new_tickets((tickets - first) as u8).unwrap();
        handshake(&mut s, &mut c).unwrap();
        assert!(
            c.client.scanner().done(),
            "a TLS1.3 ServerHello ends the scan"
        );
        assert!(
            c.client.scanner().examined() < 200,
            "only the ServerHello is scanned"
        );
        let mut buf = [0u8; 16];
        let e = c.recv(&mut buf).unwrap_err();
        if fits {
            assert!(e.is_blocked(), "{tickets}: {e}");
            continue;
        }
        // rustls holds at most 64 KiB of one flight: not the transport's failure.
        assert_eq!(e.code, ErrorCode::BadMessage, "{tickets}: {e}");
        assert!(e.message.contains("64 KiB"), "{e}");
    }
}

#[test]
#[ignore = "writes fuzz/corpus/*/seed-*: run by hand to refresh the fuzz seeds"]
fn write_fuzz_seed_corpora() {
    let write = |target: &str, name: &str, bytes: &[&[u8]]| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/corpus")
            .join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{name}")), bytes.concat()).unwrap();
    };
    let mut hellos = vec![
        ("tls13-cache-psk", resuming_hello("default_tls13").2),
        ("tls12-session-id", resuming_hello("20240501").2),
    ];
    let mut flights = Vec::new();
    for (policy, full, resumed) in [
        ("default_tls13", "tls13", "tls13-ticket"),
        ("20240501", "tls12", "tls12-ticket"),
    ] {
        let server = ticket_server(policy, b"seed");
        let client = ticket_client(policy);
        let (_, c) = connect(&server, &client, None);
        let session = c.session().unwrap().bytes;
        hellos.push((full, client_first_flight(client.clone(), None)));
        hellos.push((resumed, client_first_flight(client.clone(), Some(&session))));
        flights.push((full, server_flights(server, client, None).0));
    }
    for (name, hello) in &hellos {
        // hello_preparse: no chunk sizes (one byte at a time), or 1, 5, 200 in turn.
        write("hello_preparse", name, &[&[0], hello]);
        write(
            "hello_preparse",
            &format!("{name}-chunked"),
            &[&[3, 0, 4, 199], hello],
        );
        // server_handshake: tickets and cache, or the cache alone.
        write(
            "server_handshake",
            &format!("{name}-tickets-and-cache"),
            &[&[0], hello],
        );
        write("server_handshake", &format!("{name}-cache"), &[&[1], hello]);
    }
    for (name, flight) in &flights {
        write("hello_preparse", &format!("server-{name}"), &[&[0], flight]);
    }
}

#[test]
fn shutdown_during_the_handshake_closes_without_reading_the_peer() {
    // The fuzz finding: a client shut down mid-handshake with junk from the peer
    // waiting made rustls alert twice (rustls#959), a panic in debug builds.
    let (_s, mut c, server_end, _) = pair(server_config("default"), client_config("default"));
    assert!(c.negotiate().unwrap_err().is_blocked());
    server_end.inject(&[0x08; 5]);
    c.shutdown().unwrap();
    c.shutdown().unwrap();
    let e = c.negotiate().unwrap_err();
    assert_eq!(e.code, ErrorCode::Closed, "{e}");
}

#[test]
fn junk_after_close_notify_is_the_peers_error_not_an_internal_one() {
    for junk in [&[0x08u8; 5][..], &[0x17, 0x03, 0x03, 0x00, 0x20, 0xff][..]] {
        let (mut s, mut c, server_end, _) =
            pair(server_config("default"), client_config("default"));
        handshake(&mut s, &mut c).unwrap();
        c.shutdown_send().unwrap();
        server_end.inject(junk);
        server_end.inject(&[0u8; 64]);
        let mut buf = [0u8; 16];
        let e = c.recv(&mut buf).unwrap_err();
        assert_ne!(e.code, ErrorCode::Internal, "{e}");
        assert_eq!(e.error_type(), crate::error::ErrorType::Proto, "{e}");
        let again = c.shutdown().unwrap_err();
        assert_ne!(again.code, ErrorCode::Internal, "{again}");
    }
}
