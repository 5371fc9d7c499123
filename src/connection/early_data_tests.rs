//! Early data between an rs2n client and an rs2n server: accepted with the
//! session cache (each session once), never with stateless tickets, bounded by the
//! server's maximum, declined when the server's application does not read it.

use super::testing::*;
use super::*;
use crate::early_data::Status;
use crate::resumption::cache::testing::MemoryCache;
use crate::transport::memory;

/// A TLS1.3 server resuming through a cache (tickets off), early data up to `max`.
fn early_server(max: u32) -> (Arc<Config>, Arc<MemoryCache>) {
    let c = server_config("default_tls13");
    c.add_ticket_key(b"cache-key", b"material", 0).unwrap();
    let app = Arc::new(MemoryCache::default());
    c.set_session_cache(Some(app.clone())).unwrap();
    c.update(|s| {
        s.early_data.server_max = max;
        Ok(())
    })
    .unwrap();
    (c, app)
}

fn early_client() -> Arc<Config> {
    let c = client_config("default_tls13");
    c.set_session_tickets(true).unwrap();
    c
}

/// A session from a full handshake with `server`.
fn session(server: &Arc<Config>, client: &Arc<Config>) -> Vec<u8> {
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    handshake(&mut s, &mut c).unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    c.session().unwrap().bytes
}

/// The server reads early data until it is over, as s2n's guide shows; the
/// client's handshake runs beside it. Returns what the server read.
fn recv_all(s: &mut Connection, c: &mut Connection) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let mut got = Vec::new();
    for _ in 0..50 {
        let _ = c.negotiate();
        let mut n = 0;
        let r = s.recv_early_data(&mut buf, &mut n);
        got.extend_from_slice(&buf[..n]);
        match r {
            Ok(()) => return got,
            Err(e) => assert!(e.is_blocked(), "{e:?}"),
        }
        run_early_data_callback(s);
    }
    panic!("early data never ended");
}

/// Runs the early-data callback if the last step left it due, as the C layer
/// does (with the connection usable), and reports its result. Whether it ran.
fn run_early_data_callback(s: &mut Connection) -> bool {
    let Some((callback, offered)) = s.take_early_data_callback() else {
        return false;
    };
    offered.callback_returned(callback.call(s.owner, &offered));
    true
}

#[test]
fn a_cached_session_carries_early_data_once_and_both_sides_report_it() {
    let (server, _) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    assert_eq!(c.max_early_data_size(), 0, "no session yet");
    c.set_session(&bytes).unwrap();
    assert_eq!(
        c.max_early_data_size(),
        1000,
        "from the session, before the handshake"
    );
    assert_eq!(c.send_early_data(b"GET / early").unwrap(), 11);
    assert_eq!(c.max_early_data_size(), 1000);
    assert_eq!(c.remaining_early_data_size(), 1000 - 11);
    assert_eq!(c.early_data_status(), Status::Ok);
    assert_eq!(recv_all(&mut s, &mut c), b"GET / early");
    handshake(&mut s, &mut c).unwrap();
    assert!(s.is_resumed() && c.is_resumed());
    assert_eq!(s.early_data_status(), Status::End);
    assert_eq!(c.early_data_status(), Status::End);
    for conn in [&s, &c] {
        let name = conn.compute_handshake_name();
        assert_eq!(
            name.to_str().unwrap(),
            "NEGOTIATED|MIDDLEBOX_COMPAT|WITH_EARLY_DATA"
        );
    }
    assert_eq!(s.max_early_data_size(), 1000);
    assert_eq!(s.remaining_early_data_size(), 1000 - 11);
}

#[test]
fn a_replayed_first_flight_gets_its_early_data_accepted_at_most_once() {
    let (server, _) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    let (_, mut c, mut wire, _) = pair(server.clone(), client);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"transfer 100").unwrap();
    let mut flight = vec![0u8; 1 << 16];
    let n = wire.recv(&mut flight).unwrap();
    flight.truncate(n);
    let mut accepted = 0;
    for _ in 0..2 {
        let (a, b) = memory::pair();
        let mut s = Connection::new(Mode::Server);
        s.set_config(server.clone()).unwrap();
        s.set_recv(Box::new(a.clone()));
        s.set_send(Box::new(a.clone()));
        b.clone().inject(&flight);
        let mut buf = vec![0u8; 1024];
        let mut got = 0;
        let r = s.recv_early_data(&mut buf, &mut got);
        if got > 0 {
            assert_eq!(&buf[..got], b"transfer 100");
            accepted += 1;
            assert!(r.unwrap_err().is_blocked(), "waits for end of early data");
        } else {
            r.unwrap();
            assert_eq!(s.early_data_status(), Status::Rejected);
        }
    }
    assert_eq!(accepted, 1);
}

#[test]
fn stateless_tickets_never_carry_early_data() {
    let server = server_config("default_tls13");
    server.set_session_tickets(true).unwrap();
    server.add_ticket_key(b"k", b"material", 0).unwrap();
    server
        .update(|s| {
            s.early_data.server_max = 1000;
            Ok(())
        })
        .unwrap();
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    assert_eq!(c.send_early_data(b"data").unwrap(), 0);
    assert_eq!(c.early_data_status(), Status::NotRequested);
    assert!(recv_all(&mut s, &mut c).is_empty());
    handshake(&mut s, &mut c).unwrap();
    assert!(s.is_resumed(), "resumption itself works");
    assert_eq!(s.early_data_status(), Status::NotRequested);
}

#[test]
fn early_data_stops_at_the_servers_maximum() {
    let (server, _) = early_server(16);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    assert_eq!(c.send_early_data(&[b'x'; 100]).unwrap(), 16);
    assert_eq!(c.remaining_early_data_size(), 0);
    assert_eq!(c.send_early_data(b"more").unwrap(), 0);
    assert_eq!(recv_all(&mut s, &mut c), [b'x'; 16]);
    handshake(&mut s, &mut c).unwrap();
}

#[test]
fn a_server_not_reading_early_data_rejects_it_and_the_client_resends() {
    let (server, _) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    assert_eq!(c.send_early_data(b"hello").unwrap(), 5);
    handshake(&mut s, &mut c).unwrap();
    assert!(s.is_resumed());
    assert_eq!(s.early_data_status(), Status::Rejected);
    assert_eq!(c.early_data_status(), Status::Rejected);
    assert_eq!(c.remaining_early_data_size(), 0);
    assert_eq!(c.send(b"hello").unwrap(), 5);
    let mut buf = [0u8; 16];
    assert_eq!(s.recv(&mut buf).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
}

#[test]
fn early_data_calls_on_the_wrong_side_are_refused() {
    let (server, _) = early_server(1000);
    let (mut s, mut c, _, _) = pair(server, early_client());
    assert!(s.send_early_data(b"x").is_err());
    assert!(c.recv_early_data(&mut [0u8; 4], &mut 0).is_err());
}

/// A callback that decides as told (`None`: later) and records what it saw.
struct Decide {
    answer: Option<bool>,
    seen: std::sync::Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
    offered: std::sync::Mutex<Option<Arc<crate::early_data::Offered>>>,
}

impl crate::early_data::EarlyDataCallback for Decide {
    fn call(
        &self,
        _: crate::owner::Owner,
        offered: &Arc<crate::early_data::Offered>,
    ) -> Result<()> {
        crate::sync::lock(&self.seen)
            .push((offered.context().to_vec(), offered.identity().to_vec()));
        *crate::sync::lock(&self.offered) = Some(offered.clone());
        if let Some(accept) = self.answer {
            offered.decide(accept)?;
        }
        Ok(())
    }
}

fn with_callback(server: &Arc<Config>, answer: Option<bool>) -> Arc<Decide> {
    let cb = Arc::new(Decide {
        answer,
        seen: Default::default(),
        offered: Default::default(),
    });
    let dyn_cb: Arc<dyn crate::early_data::EarlyDataCallback> = cb.clone();
    server
        .update(|s| {
            s.early_data.callback = Some(dyn_cb);
            Ok(())
        })
        .unwrap();
    cb
}

/// A session issued with early data context `ctx`.
fn session_with_context(server: &Arc<Config>, client: &Arc<Config>, ctx: &[u8]) -> Vec<u8> {
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    s.set_server_early_data_context(ctx).unwrap();
    handshake(&mut s, &mut c).unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    c.session().unwrap().bytes
}

#[test]
fn the_callback_sees_the_sessions_context_and_ticket_and_decides() {
    for accept in [true, false] {
        let (server, _) = early_server(1000);
        let cb = with_callback(&server, Some(accept));
        let client = early_client();
        let bytes = session_with_context(&server, &client, b"tenant-7");
        let (mut s, mut c, _, _) = pair(server, client);
        c.set_session(&bytes).unwrap();
        c.send_early_data(b"early").unwrap();
        let got = recv_all(&mut s, &mut c);
        handshake(&mut s, &mut c).unwrap();
        let seen = crate::sync::lock(&cb.seen).clone();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, b"tenant-7");
        assert_eq!(Some(&seen[0].1[..]), s.negotiated_psk_identity());
        match accept {
            true => {
                assert_eq!(got, b"early");
                assert_eq!(s.early_data_status(), Status::End);
            }
            false => {
                assert!(got.is_empty());
                assert_eq!(s.early_data_status(), Status::Rejected);
                assert_eq!(c.early_data_status(), Status::Rejected);
                assert!(s.is_resumed(), "the handshake goes on without the data");
            }
        }
    }
}

#[test]
fn a_later_decision_holds_the_client_hello_until_it_comes() {
    let (server, _) = early_server(1000);
    let cb = with_callback(&server, None);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"later").unwrap();
    let mut buf = [0u8; 64];
    for _ in 0..3 {
        let _ = c.negotiate();
        let e = s.recv_early_data(&mut buf, &mut 0).unwrap_err();
        assert_eq!(e.code, ErrorCode::AsyncBlocked);
        assert_eq!(s.blocked(), Blocked::OnApplicationInput);
        run_early_data_callback(&mut s);
    }
    assert_eq!(crate::sync::lock(&cb.seen).len(), 1, "called once");
    let offered = crate::sync::lock(&cb.offered).clone().unwrap();
    offered.decide(true).unwrap();
    assert_eq!(recv_all(&mut s, &mut c), b"later");
    handshake(&mut s, &mut c).unwrap();
    assert_eq!(s.early_data_status(), Status::End);
}

#[test]
fn while_the_callback_runs_the_connection_reads_but_does_not_drive() {
    use crate::alpn::ProtocolList;
    let (server, _) = early_server(1000);
    let cb = with_callback(&server, None);
    let client = early_client();
    let protocols = |s: &mut Connection, c: &mut Connection| {
        s.set_protocol_preferences(ProtocolList::from_names(&["h2", "http/1.1"]).unwrap())
            .unwrap();
        c.set_protocol_preferences(ProtocolList::from_names(&["http/1.1", "h2"]).unwrap())
            .unwrap();
    };
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    protocols(&mut s, &mut c);
    handshake(&mut s, &mut c).unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    let bytes = c.session().unwrap().bytes;
    let (mut s, mut c, _, _) = pair(server, client);
    protocols(&mut s, &mut c);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"data").unwrap();
    let mut buf = [0u8; 64];
    let _ = c.negotiate();
    let e = s.recv_early_data(&mut buf, &mut 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    let (callback, offered) = s.take_early_data_callback().expect("the callback is due");
    assert!(s.take_early_data_callback().is_none(), "taken once");
    // Running: readable, not drivable.
    assert_eq!(s.negotiated_psk_identity(), Some(offered.identity()));
    assert!(!offered.identity().is_empty());
    assert_eq!(
        s.application_protocol(),
        Some(&b"h2"[..]),
        "the server's choice"
    );
    assert_eq!(s.early_data_status(), Status::Ok);
    assert_eq!(s.negotiate().unwrap_err().code, ErrorCode::InUse);
    assert_eq!(
        s.recv_early_data(&mut buf, &mut 0).unwrap_err().code,
        ErrorCode::InUse
    );
    assert_eq!(s.shutdown().unwrap_err().code, ErrorCode::InUse);
    offered.callback_returned(callback.call(s.owner, &offered));
    assert_eq!(crate::sync::lock(&cb.seen).len(), 1);
    // Returned without deciding: the ClientHello waits, the callback does not run again.
    let e = s.recv_early_data(&mut buf, &mut 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    assert!(s.take_early_data_callback().is_none());
    offered.decide(true).unwrap();
    assert_eq!(recv_all(&mut s, &mut c), b"data");
    handshake(&mut s, &mut c).unwrap();
    assert_eq!(s.application_protocol(), Some(&b"h2"[..]));
    assert_eq!(s.early_data_status(), Status::End);
}

#[test]
fn a_failing_callback_fails_the_handshake() {
    struct Fail;
    impl crate::early_data::EarlyDataCallback for Fail {
        fn call(&self, _: crate::owner::Owner, _: &Arc<crate::early_data::Offered>) -> Result<()> {
            Err(Error::code(ErrorCode::Cancelled))
        }
    }
    let (server, _) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    server
        .update(|s| {
            s.early_data.callback = Some(Arc::new(Fail));
            Ok(())
        })
        .unwrap();
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"data").unwrap();
    let _ = c.negotiate();
    assert!(s
        .recv_early_data(&mut [0u8; 8], &mut 0)
        .unwrap_err()
        .is_blocked());
    assert!(run_early_data_callback(&mut s));
    let e = s.recv_early_data(&mut [0u8; 8], &mut 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
}

#[test]
fn rustls_declining_what_the_callback_accepted_is_reported_as_rejected() {
    use crate::alpn::ProtocolList;
    let (server, _) = early_server(1000);
    let cb = with_callback(&server, Some(true));
    let client = early_client();
    let protocols = |names: &[&str]| ProtocolList::from_names(names).unwrap();
    // The session was made with h2...
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    s.set_protocol_preferences(protocols(&["h2", "http/1.1"]))
        .unwrap();
    c.set_protocol_preferences(protocols(&["h2"])).unwrap();
    handshake(&mut s, &mut c).unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    let bytes = c.session().unwrap().bytes;
    // ...and this resumption negotiates http/1.1: RFC 8446 forbids early data.
    let (mut s, mut c, _, _) = pair(server, client);
    s.set_protocol_preferences(protocols(&["h2", "http/1.1"]))
        .unwrap();
    c.set_protocol_preferences(protocols(&["http/1.1"]))
        .unwrap();
    c.set_session(&bytes).unwrap();
    let sent = c.send_early_data(b"early").unwrap();
    let got = recv_all(&mut s, &mut c);
    handshake(&mut s, &mut c).unwrap();
    assert!(s.is_resumed());
    assert!(got.is_empty());
    assert_eq!(
        sent, 5,
        "the client offers it: its session allows early data"
    );
    assert_eq!(
        crate::sync::lock(&cb.seen).len(),
        1,
        "the callback accepted"
    );
    assert_eq!(s.early_data_status(), Status::Rejected);
    assert_eq!(c.early_data_status(), Status::Rejected);
}

#[test]
fn with_early_data_on_tickets_are_rustls_stateful_ones_with_its_lifetime_hint() {
    let (server, app) = early_server(1000);
    let client = early_client();
    let (mut s, mut c, _, _) = pair(server, client);
    handshake(&mut s, &mut c).unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    // rustls' fixed hint for its stateful tickets, not the cache entry's 6 hours.
    assert_eq!(c.session_ticket_lifetime_hint().unwrap(), 24 * 3600);
    // Stored under a key longer than 32 bytes: the take rule applies.
    let keys: Vec<usize> = crate::sync::lock(&app.entries)
        .keys()
        .map(Vec::len)
        .collect();
    assert_eq!(keys, [48]);
}

#[test]
fn a_blocked_cache_lookup_then_early_data() {
    let (server, app) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"after a wait").unwrap();
    *crate::sync::lock(&app.block_next) = 1;
    let _ = c.negotiate();
    let mut buf = [0u8; 64];
    let e = s.recv_early_data(&mut buf, &mut 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::AsyncBlocked);
    assert_eq!(recv_all(&mut s, &mut c), b"after a wait");
    handshake(&mut s, &mut c).unwrap();
    assert_eq!(s.early_data_status(), Status::End);
}

#[test]
fn tls12_still_resumes_by_session_id_with_early_data_on() {
    let c = server_config("20240501");
    c.add_ticket_key(b"cache-key", b"material", 0).unwrap();
    let app = Arc::new(MemoryCache::default());
    c.set_session_cache(Some(app.clone())).unwrap();
    c.update(|s| {
        s.early_data.server_max = 1000;
        Ok(())
    })
    .unwrap();
    let client = client_config("20240501");
    let (mut s, mut cl, _, _) = pair(c.clone(), client.clone());
    handshake(&mut s, &mut cl).unwrap();
    let bytes = cl.session().unwrap().bytes;
    assert_eq!(s.cached_session_key().unwrap(), s.session_id());
    for _ in 0..2 {
        let (mut s, mut cl, _, _) = pair(c.clone(), client.clone());
        cl.set_session(&bytes).unwrap();
        handshake(&mut s, &mut cl).unwrap();
        assert!(s.is_resumed() && cl.is_resumed());
        assert_eq!(s.early_data_status(), Status::NotRequested);
    }
}

#[test]
fn a_late_maximum_applies_until_the_server_reads_the_first_bytes() {
    let (server, _) = early_server(1000);
    let client = early_client();
    let bytes = session(&server, &client);
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    // The handshake started, nothing read yet.
    assert!(s
        .recv_early_data(&mut [0u8; 8], &mut 0)
        .unwrap_err()
        .is_blocked());
    s.set_server_max_early_data_size(8).unwrap();
    assert_eq!(s.max_early_data_size(), 8);
    c.set_session(&bytes).unwrap();
    assert_eq!(c.send_early_data(b"early").unwrap(), 5);
    assert_eq!(recv_all(&mut s, &mut c), b"early");
    // The ClientHello is read: rustls has fixed the maximum.
    let e = s.set_server_max_early_data_size(16).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidState);
    s.set_server_max_early_data_size(8).unwrap();
    handshake(&mut s, &mut c).unwrap();
    assert_eq!(s.early_data_status(), Status::End);
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    let bytes = c.session().unwrap().bytes;
    assert_eq!(
        s.set_server_max_early_data_size(0).unwrap_err().code,
        ErrorCode::InvalidState
    );
    // This connection's tickets allow 8 bytes.
    let (_s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    assert_eq!(c.send_early_data(b"0123456789").unwrap(), 8);
    assert_eq!(c.max_early_data_size(), 8);
}

#[test]
fn a_context_set_before_the_handshake_completes_reaches_the_stored_session() {
    let (server, _) = early_server(1000);
    let client = early_client();
    let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
    s.set_server_early_data_context(b"first").unwrap();
    assert!(s.negotiate().unwrap_err().is_blocked());
    assert!(c.negotiate().unwrap_err().is_blocked());
    // The server's flight is out; it waits for the client's Finished, and
    // stores the session (sends its ticket) once that comes.
    assert!(s.negotiate().unwrap_err().is_blocked());
    assert!(!s.is_handshake_complete());
    s.set_server_early_data_context(b"late").unwrap();
    handshake(&mut s, &mut c).unwrap();
    let e = s.set_server_early_data_context(b"later").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidState);
    s.set_server_early_data_context(b"late").unwrap();
    c.set_server_early_data_context(b"a client keeps it")
        .unwrap();
    assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
    let bytes = c.session().unwrap().bytes;
    let cb = with_callback(&server, Some(true));
    let (mut s, mut c, _, _) = pair(server, client);
    c.set_session(&bytes).unwrap();
    c.send_early_data(b"again").unwrap();
    assert_eq!(recv_all(&mut s, &mut c), b"again");
    assert_eq!(crate::sync::lock(&cb.seen)[0].0, b"late");
}
