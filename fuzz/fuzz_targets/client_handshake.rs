//! A whole rs2n client connection (tickets on, trusting the test CA) fed
//! arbitrary server bytes over an in-memory transport, driven with negotiate
//! until it fails or makes no progress: never a panic, and never a completed
//! handshake (the fuzzer has neither the server's key nor the session's secret,
//! so a handshake that succeeds on its bytes is a finding).
//!
//! Input: one byte of settings (bit 0: the TLS1.2 policy "20240501" instead of
//! "default_tls13"; bit 1: offer a session saved from a real handshake done once
//! at start-up), then the bytes the server sends.
//!
//! Seeds: with RS2N_WRITE_CLIENT_SEEDS=DIR set, the first input writes real
//! server flights (captured in-process from an rs2n server) to DIR, e.g.
//! `RS2N_WRITE_CLIENT_SEEDS=fuzz/corpus/client_handshake cargo +nightly fuzz run
//! client_handshake -- -runs=0` from the repository root.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rs2n::config::Config;
use rs2n::connection::{testing, Connection, Mode};
use rs2n::transport::{memory, RecvHalf};

const POLICIES: [&str; 2] = ["default_tls13", "20240501"];
const TLS12: u8 = 1;
const RESUME: u8 = 2;

fn ticket_server(policy: &str) -> Arc<Config> {
    let c = testing::server_config(policy);
    c.set_session_tickets(true).unwrap();
    c.add_ticket_key(b"fuzz", b"fuzz key material", 0).unwrap();
    c
}

fn ticket_client(policy: &str) -> Arc<Config> {
    let c = testing::client_config(policy);
    c.set_session_tickets(true).unwrap();
    c
}

struct Fixtures {
    clients: [Arc<Config>; 2],
    sessions: [Vec<u8>; 2],
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let mut flights = Vec::new();
        let mut sessions = Vec::new();
        for policy in POLICIES {
            let server = ticket_server(policy);
            let client = ticket_client(policy);
            let (full, session) = testing::server_flights(server.clone(), client.clone(), None);
            let session = session.expect("a session after a real handshake");
            let (resumed, _) = testing::server_flights(server, client, Some(&session));
            flights.push((policy, full, resumed));
            sessions.push(session);
        }
        if let Some(dir) = std::env::var_os("RS2N_WRITE_CLIENT_SEEDS") {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).unwrap();
            for (i, (_, full, resumed)) in flights.iter().enumerate() {
                let name = ["tls13", "tls12"][i];
                let tls12 = i as u8;
                let write = |file: String, settings: u8, bytes: &[u8]| {
                    std::fs::write(dir.join(file), [&[settings][..], bytes].concat()).unwrap();
                };
                write(format!("seed-{name}-full"), tls12, full);
                write(format!("seed-{name}-resumed"), tls12 | RESUME, resumed);
                // The first record alone (the ServerHello).
                if full.len() >= 5 {
                    let len = 5 + usize::from(u16::from_be_bytes([full[3], full[4]]));
                    write(
                        format!("seed-{name}-server-hello"),
                        tls12,
                        &full[..len.min(full.len())],
                    );
                }
            }
        }
        Fixtures {
            clients: POLICIES.map(ticket_client),
            sessions: sessions.try_into().unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixtures();
    let Some((&settings, server_bytes)) = data.split_first() else {
        return;
    };
    let i = usize::from(settings & TLS12);
    let (a, b) = memory::pair();
    let mut c = Connection::new(Mode::Client);
    c.set_config(f.clients[i].clone()).unwrap();
    c.set_server_name("localhost").unwrap();
    c.set_recv(Box::new(b.clone()));
    c.set_send(Box::new(b.clone()));
    if settings & RESUME != 0 {
        c.set_session(&f.sessions[i]).unwrap();
    }
    a.inject(server_bytes);
    a.close();
    let mut sink = vec![0u8; 1 << 17];
    // Each call either makes progress or fails for good; a few are enough.
    for _ in 0..8 {
        let r = c.negotiate();
        // Drain what the client sent so the pipe never fills.
        let mut a2 = a.clone();
        while let Ok(n) = a2.recv(&mut sink) {
            if n == 0 {
                break;
            }
        }
        match r {
            Ok(()) => {
                let mut buf = [0u8; 4096];
                let _ = c.recv(&mut buf);
                let _ = c.send(b"fuzz");
                panic!(
                    "a client handshake completed on fuzzed server bytes ({})",
                    c.cipher()
                );
            }
            Err(e) if e.is_blocked() => {}
            Err(_) => break,
        }
    }
});
