//! Arbitrary bytes as client session bytes (`s2n_connection_set_session`): into the
//! parser, into a client connection's `set_session`, and offered through a
//! connection's session store. Never a panic; bytes other than a session this
//! process handed out never offer a session and never use one up.
//!
//! Session bytes are authenticated with a key random per process, so valid bytes
//! cannot be committed to the corpus: the first input byte picks how the rest is
//! used: as is, XORed over a real TLS1.3 or TLS1.2 session obtained at start-up
//! (every change of valid bytes), or with this process's tag written in where it
//! sits in valid bytes, 72 bytes from the end (the path where authentication must
//! fail).
#![no_main]

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use rs2n::certs::CertChainAndKey;
use rs2n::clock::{SharedClock, SystemWallClock};
use rs2n::config::Config;
use rs2n::connection::{Connection, Mode};
use rs2n::resumption::client_session::{parse_session, resumable, ConnSessions};
use rs2n::transport::{RecvHalf, SendHalf};
use rustls::client::ClientSessionStore;
use rustls::pki_types::ServerName;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../c-tests/certs/");

/// One direction of an in-memory pipe per end.
#[derive(Clone)]
struct End {
    rx: Arc<Mutex<Vec<u8>>>,
    tx: Arc<Mutex<Vec<u8>>>,
}

impl RecvHalf for End {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut q = self.rx.lock().unwrap();
        if q.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(q.len());
        buf[..n].copy_from_slice(&q[..n]);
        q.drain(..n);
        Ok(n)
    }
}

impl SendHalf for End {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CERTS}{name}")).expect("the test certificates")
}

/// A full handshake; the client's session afterwards.
fn session(policy: &str) -> (Vec<u8>, Arc<Config>) {
    let server = Arc::new(Config::new_minimal());
    server.set_cipher_preferences(policy).unwrap();
    let mut key = CertChainAndKey::new();
    key.load_pem(&read("ecdsa_p256_cert.pem"), &read("ecdsa_p256_key.pem"))
        .unwrap();
    server
        .add_cert_chain_and_key(key.certified_key().unwrap())
        .unwrap();
    server.set_session_tickets(true).unwrap();
    server
        .add_ticket_key(b"fuzz", b"fuzz key material", 0)
        .unwrap();
    let client = Arc::new(Config::new_minimal());
    client.set_cipher_preferences(policy).unwrap();
    client.add_pem_to_trust_store(&read("ca_cert.pem")).unwrap();
    client.set_session_tickets(true).unwrap();

    let (a, b): (Arc<Mutex<Vec<u8>>>, Arc<Mutex<Vec<u8>>>) = Default::default();
    let mut s = Connection::new(Mode::Server);
    s.set_config(server).unwrap();
    let se = End {
        rx: a.clone(),
        tx: b.clone(),
    };
    s.set_recv(Box::new(se.clone()));
    s.set_send(Box::new(se));
    let mut c = Connection::new(Mode::Client);
    c.set_config(client.clone()).unwrap();
    c.set_server_name("localhost").unwrap();
    let ce = End { rx: b, tx: a };
    c.set_recv(Box::new(ce.clone()));
    c.set_send(Box::new(ce));
    for _ in 0..20 {
        let (cr, sr) = (c.negotiate(), s.negotiate());
        if cr.is_ok() && sr.is_ok() {
            break;
        }
    }
    // TLS1.3 tickets come after the handshake.
    let _ = c.recv(&mut [0u8; 16]);
    (c.session().expect("a session").bytes, client)
}

struct Fixture {
    tls13: Vec<u8>,
    tls12: Vec<u8>,
    clock: SharedClock,
    base: Arc<rustls::ClientConfig>,
    _configs: Vec<Arc<Config>>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (tls13, c13) = session("default_tls13");
        let (tls12, c12) = session("20240501");
        Fixture {
            tls13,
            tls12,
            clock: Arc::new(SystemWallClock),
            base: c13.client_config().unwrap(),
            _configs: vec![c13, c12],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let xor_over = |valid: &[u8]| {
        let mut b = valid.to_vec();
        for (i, x) in rest.iter().enumerate() {
            b[i % valid.len()] ^= x;
        }
        b
    };
    let bytes = match mode % 4 {
        0 => rest.to_vec(),
        1 => xor_over(&f.tls13),
        2 => xor_over(&f.tls12),
        _ => {
            let mut b = rest.to_vec();
            let (n, m) = (b.len(), f.tls13.len());
            if n >= 72 {
                b[n - 72..n - 56].copy_from_slice(&f.tls13[m - 72..m - 56]);
            }
            b
        }
    };
    let parsed = parse_session(&bytes);
    let mut conn = Connection::new(Mode::Client);
    assert_eq!(conn.set_session(&bytes).is_ok(), parsed.is_ok());
    let genuine = bytes == f.tls13 || bytes == f.tls12;
    if let (Ok(session), false) = (&parsed, genuine) {
        assert!(session.handle.is_none(), "forged bytes name a session");
        let store = ConnSessions::new(true, f.clock.clone(), f.base.clone());
        store.offer(session, bytes.clone());
        let name = ServerName::try_from("localhost").unwrap();
        assert!(
            store.tls12_session(&name).is_none(),
            "a TLS1.2 session offered"
        );
        assert!(
            store.take_tls13_ticket(&name).is_none(),
            "a TLS1.3 session offered"
        );
    }
    assert!(resumable(&f.tls13), "the TLS1.3 session was used up");
    assert!(resumable(&f.tls12));
});
