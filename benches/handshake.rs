//! Handshake cost of rs2n next to bare rustls 0.23 (ring), side by side in one run.
//!
//!   cargo bench --bench handshake [-- --iters N] [-- --overhead | --no-overhead]
//!
//! Each sample is one client+server pair over an in-memory transport (no sockets):
//! both connections made, the handshake run to completion on both sides, whatever
//! the server sends after it (TLS1.3 tickets) read by the client, both dropped.
//! ECDSA P-256 certificate from c-tests/certs, the client verifying it against the
//! test CA as "localhost".
//!
//! - bare rustls: rustls' own `ServerConfig`/`ClientConfig`, built once, with the
//!   same ring provider as rs2n's policy (its suites and groups), the server
//!   choosing by its own order as rs2n's does, `with_single_cert` and the webpki
//!   verifier. Full handshakes: no tickets, no session storage, client resumption
//!   off. Ticket scenarios: `rustls::crypto::ring::Ticketer::new()`, one TLS1.3
//!   ticket per handshake (as rs2n sends), no server session storage, and the
//!   client's default in-memory session store. TLS1.2 session ID: the server's
//!   default in-memory session storage, no ticketer.
//! - rs2n: its Rust core (`Config`, `Connection`, `CertChainAndKey`) over the
//!   same pipe, as the C API drives it: `negotiate` on both until done, then one
//!   `recv` on the client. Resumption: tickets on, a ticket key on the server, and
//!   `set_session` with the bytes of the previous client's `session()` (chained:
//!   a TLS1.3 session resumes once). TLS1.2 session ID: rs2n's session cache with
//!   an in-memory application cache (a `HashMap` behind a mutex, as a C
//!   application's callbacks would keep it), tickets off.
//!
//! One difference remains by design: on a TLS1.2 ticket resumption rustls' server
//! seals and sends a fresh ticket, while rs2n's (as s2n) sends an empty one, so
//! bare rustls does slightly more work there.
//!
//! The two are interleaved (A B, B A, A B, ...) so machine noise falls on both;
//! medians in µs per pair and the ratio rs2n / rustls are printed. Nothing is
//! asserted about speed: the design's budget is rs2n <= 1.05x bare rustls, and
//! this reports what is measured. Every resumed handshake is checked to be one.
//!
//! When a ratio is above 1.05 (or with --overhead) a second section times the
//! pieces rs2n adds per connection, so the cost can be placed.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{self, IoSlice, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, ProducesTickets, ServerSessionMemoryCache};
use rustls::{
    ClientConfig, ClientConnection, HandshakeKind, NamedGroup, RootCertStore, ServerConfig,
    ServerConnection,
};

use rs2n::certs::CertChainAndKey;
use rs2n::config::Config;
use rs2n::connection::{Connection, Mode};
use rs2n::resumption::cache::{Lookup, SessionCache};
use rs2n::resumption::client_session::{self, ConnSessions};
use rs2n::resumption::ticketer::ConnTicketer;
use rs2n::transport::{RecvHalf, SendHalf};

const SERVER_NAME: &str = "localhost";

// ---------------------------------------------------------------------------
// In-memory transport
// ---------------------------------------------------------------------------

/// Bytes in flight one way. Reading an empty queue would block.
#[derive(Default)]
struct Queue {
    buf: Vec<u8>,
    pos: usize,
}

type Shared = Arc<Mutex<Queue>>;

/// One end of a duplex pipe; both implementations use it (rs2n through its
/// transport traits, rustls through `Read`/`Write`).
#[derive(Clone)]
struct End {
    rx: Shared,
    tx: Shared,
}

fn pipe() -> (End, End) {
    let a: Shared = Default::default();
    let b: Shared = Default::default();
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

impl End {
    fn pull(&self, out: &mut [u8]) -> io::Result<usize> {
        let mut q = self.rx.lock().unwrap();
        let avail = q.buf.len() - q.pos;
        if avail == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = avail.min(out.len());
        out[..n].copy_from_slice(&q.buf[q.pos..q.pos + n]);
        q.pos += n;
        if q.pos == q.buf.len() {
            q.buf.clear();
            q.pos = 0;
        }
        Ok(n)
    }

    fn put(&self, bufs: &[&[u8]]) -> usize {
        let mut q = self.tx.lock().unwrap();
        let mut n = 0;
        for b in bufs {
            q.buf.extend_from_slice(b);
            n += b.len();
        }
        n
    }

    fn readable(&self) -> bool {
        let q = self.rx.lock().unwrap();
        q.pos < q.buf.len()
    }
}

impl RecvHalf for End {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        End::pull(self, buf)
    }
}

impl SendHalf for End {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.put(&[buf]))
    }
}

impl Read for End {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        End::pull(self, buf)
    }
}

impl Write for End {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.put(&[buf]))
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let slices: Vec<&[u8]> = bufs.iter().map(|b| &**b).collect();
        Ok(self.put(&slices))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Material
// ---------------------------------------------------------------------------

fn cert_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("c-tests/certs")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Material {
    chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
    ca_pem: Vec<u8>,
}

impl Material {
    fn load() -> Self {
        Material {
            chain_pem: cert_file("ecdsa_p256_cert.pem"),
            key_pem: cert_file("ecdsa_p256_key.pem"),
            ca_pem: cert_file("ca_cert.pem"),
        }
    }
}

fn random32() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut k = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut k).unwrap();
    k
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Resume {
    /// Full handshakes, no resumption configured.
    None,
    /// Stateless tickets (TLS1.3 PSK tickets or TLS1.2 RFC 5077 tickets).
    Ticket,
    /// TLS1.2 session ID through the server's session storage.
    SessionId,
}

struct Scenario {
    name: &'static str,
    policy: &'static str,
    version: rustls::ProtocolVersion,
    resume: Resume,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "TLS1.3 full",
        policy: "default_tls13",
        version: rustls::ProtocolVersion::TLSv1_3,
        resume: Resume::None,
    },
    Scenario {
        name: "TLS1.3 resumed (ticket)",
        policy: "default_tls13",
        version: rustls::ProtocolVersion::TLSv1_3,
        resume: Resume::Ticket,
    },
    Scenario {
        name: "TLS1.2 full",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::None,
    },
    Scenario {
        name: "TLS1.2 resumed (ticket)",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::Ticket,
    },
    Scenario {
        name: "TLS1.2 resumed (session ID)",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::SessionId,
    },
];

// ---------------------------------------------------------------------------
// Bare rustls
// ---------------------------------------------------------------------------

/// The ring provider with exactly the suites and groups of rs2n's policy.
fn bare_provider(policy: &str) -> Arc<CryptoProvider> {
    let p = rs2n::policy::lookup(policy).unwrap().provider();
    Arc::new(CryptoProvider {
        cipher_suites: p.cipher_suites.clone(),
        kx_groups: p.kx_groups.clone(),
        ..rustls::crypto::ring::default_provider()
    })
}

struct Bare {
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl Bare {
    fn new(sc: &Scenario, m: &Material) -> Self {
        let policy = rs2n::policy::lookup(sc.policy).unwrap();
        let provider = bare_provider(sc.policy);
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&m.chain_pem)
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(&m.key_pem).unwrap();
        let mut server = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(policy.versions())
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        server.ignore_client_order = true;
        match sc.resume {
            Resume::None => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                server.send_tls13_tickets = 0;
            }
            Resume::Ticket => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                server.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
                server.send_tls13_tickets = 1;
            }
            Resume::SessionId => {
                server.session_storage = ServerSessionMemoryCache::new(256);
                server.send_tls13_tickets = 0;
            }
        }

        let mut roots = RootCertStore::empty();
        for ca in CertificateDer::pem_slice_iter(&m.ca_pem) {
            roots.add(ca.unwrap()).unwrap();
        }
        let mut client = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(policy.versions())
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        client.resumption = match sc.resume {
            Resume::None => rustls::client::Resumption::disabled(),
            Resume::Ticket => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets),
            Resume::SessionId => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly),
        };
        Bare {
            server: Arc::new(server),
            client: Arc::new(client),
            name: ServerName::try_from(SERVER_NAME).unwrap(),
        }
    }

    /// One client+server pair; returns (resumed, version, kx group).
    fn pair(&self) -> (bool, rustls::ProtocolVersion, Option<NamedGroup>) {
        let (mut s_end, mut c_end) = pipe();
        let mut server = ServerConnection::new(self.server.clone()).unwrap();
        let mut client = ClientConnection::new(self.client.clone(), self.name.clone()).unwrap();
        for _ in 0..100 {
            while client.wants_write() {
                client.write_tls(&mut c_end).unwrap();
            }
            if s_end.readable() {
                while s_end.readable() {
                    server.read_tls(&mut s_end).unwrap();
                }
                server.process_new_packets().unwrap();
            }
            while server.wants_write() {
                server.write_tls(&mut s_end).unwrap();
            }
            if c_end.readable() {
                while c_end.readable() {
                    client.read_tls(&mut c_end).unwrap();
                }
                client.process_new_packets().unwrap();
            }
            if !client.is_handshaking()
                && !server.is_handshaking()
                && !client.wants_write()
                && !server.wants_write()
                && !c_end.readable()
                && !s_end.readable()
            {
                let resumed = client.handshake_kind() == Some(HandshakeKind::Resumed);
                let out = (
                    resumed,
                    client.protocol_version().unwrap(),
                    client.negotiated_key_exchange_group().map(|g| g.name()),
                );
                drop(client);
                drop(server);
                return out;
            }
        }
        panic!("bare rustls: the handshake did not finish");
    }
}

// ---------------------------------------------------------------------------
// rs2n
// ---------------------------------------------------------------------------

/// A C application's session cache: a map behind a mutex.
#[derive(Default)]
struct MapCache {
    map: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
}

impl SessionCache for MapCache {
    fn store(&self, _: rs2n::owner::Owner, _: u64, key: &[u8], value: &[u8]) -> rs2n::error::Result<()> {
        self.map
            .lock()
            .unwrap()
            .insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn retrieve(&self, _: rs2n::owner::Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
        match self.map.lock().unwrap().get(key) {
            Some(v) if v.len() <= buf.len() => {
                buf[..v.len()].copy_from_slice(v);
                Lookup::Found(v.len())
            }
            _ => Lookup::Miss,
        }
    }
    fn delete(&self, _: rs2n::owner::Owner, key: &[u8]) -> rs2n::error::Result<()> {
        self.map.lock().unwrap().remove(key);
        Ok(())
    }
}

struct Rs2n {
    server: Arc<Config>,
    client: Arc<Config>,
    resume: Resume,
    /// The session the next client offers (chained: each pair saves its newest).
    session: Option<Vec<u8>>,
}

impl Rs2n {
    fn new(sc: &Scenario, m: &Material) -> Self {
        let server = Config::new_minimal();
        server.set_cipher_preferences(sc.policy).unwrap();
        let mut ck = CertChainAndKey::new();
        ck.load_pem(&m.chain_pem, &m.key_pem).unwrap();
        server
            .add_cert_chain_and_key(ck.certified_key().unwrap())
            .unwrap();
        let client = Config::new_minimal();
        client.set_cipher_preferences(sc.policy).unwrap();
        client.add_pem_to_trust_store(&m.ca_pem).unwrap();
        match sc.resume {
            Resume::None => {}
            Resume::Ticket => {
                server.set_session_tickets(true).unwrap();
                server.add_ticket_key(b"bench key", &random32(), 0).unwrap();
                client.set_session_tickets(true).unwrap();
            }
            Resume::SessionId => {
                server.add_ticket_key(b"bench key", &random32(), 0).unwrap();
                server
                    .set_session_cache(Some(Arc::new(MapCache::default())))
                    .unwrap();
            }
        }
        Rs2n {
            server: Arc::new(server),
            client: Arc::new(client),
            resume: sc.resume,
            session: None,
        }
    }

    /// One client+server pair; returns (resumed, s2n version).
    fn pair(&mut self) -> (bool, i32) {
        let (s_end, c_end) = pipe();
        let mut s = Connection::new(Mode::Server);
        s.set_config(self.server.clone()).unwrap();
        s.set_recv(Box::new(s_end.clone()));
        s.set_send(Box::new(s_end));
        let mut c = Connection::new(Mode::Client);
        c.set_config(self.client.clone()).unwrap();
        c.set_server_name(SERVER_NAME).unwrap();
        c.set_recv(Box::new(c_end.clone()));
        c.set_send(Box::new(c_end));
        if let Some(bytes) = &self.session {
            c.set_session(bytes).unwrap();
        }
        let mut done = false;
        for _ in 0..100 {
            let cr = c.negotiate();
            let sr = s.negotiate();
            match (&cr, &sr) {
                (Ok(()), Ok(())) => {
                    done = true;
                    break;
                }
                (Err(e), _) if !e.is_blocked() => panic!("rs2n client: {e:?}"),
                (_, Err(e)) if !e.is_blocked() => panic!("rs2n server: {e:?}"),
                _ => {}
            }
        }
        assert!(done, "rs2n: the handshake did not finish");
        // What the server sent after the handshake (TLS1.3 tickets).
        let mut buf = [0u8; 64];
        match c.recv(&mut buf) {
            Err(e) if e.is_blocked() => {}
            other => panic!("rs2n client recv: {other:?}"),
        }
        if self.resume != Resume::None {
            if let Some(info) = c.session() {
                self.session = Some(info.bytes);
            }
        }
        let out = (c.is_resumed(), c.actual_protocol_version());
        drop(c);
        drop(s);
        out
    }
}

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    // v sorted
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

struct Row {
    name: &'static str,
    bare: f64,
    rs2n: f64,
    bare_p90: f64,
    rs2n_p90: f64,
    /// Median over rounds of the per-round ratio (B/A of adjacent samples).
    paired_ratio: f64,
}

fn run_scenario(sc: &Scenario, m: &Material, iters: usize) -> Row {
    let bare = Bare::new(sc, m);
    let mut rs = Rs2n::new(sc, m);
    let want_resumed = sc.resume != Resume::None;
    let s2n_version = if sc.version == rustls::ProtocolVersion::TLSv1_3 {
        34
    } else {
        33
    };

    // Prime the resumption state: the first pair of each is a full handshake.
    let (r, v, _) = bare.pair();
    assert!(!r && v == sc.version, "{}: bare priming pair", sc.name);
    let (r, v2) = rs.pair();
    assert!(!r && v2 == s2n_version, "{}: rs2n priming pair", sc.name);

    let one_bare = |bare: &Bare| {
        let t = Instant::now();
        let (resumed, v, _) = bare.pair();
        let dt = t.elapsed().as_secs_f64() * 1e6;
        assert_eq!(v, sc.version, "{}: bare rustls version", sc.name);
        assert_eq!(resumed, want_resumed, "{}: bare rustls resumption", sc.name);
        dt
    };
    let one_rs = |rs: &mut Rs2n| {
        let t = Instant::now();
        let (resumed, v) = rs.pair();
        let dt = t.elapsed().as_secs_f64() * 1e6;
        assert_eq!(v, s2n_version, "{}: rs2n version", sc.name);
        assert_eq!(resumed, want_resumed, "{}: rs2n resumption", sc.name);
        dt
    };

    let warmup = (iters / 10).clamp(5, 50);
    for _ in 0..warmup {
        one_bare(&bare);
        one_rs(&mut rs);
    }
    let mut a = Vec::with_capacity(iters);
    let mut b = Vec::with_capacity(iters);
    let mut ratios = Vec::with_capacity(iters);
    for i in 0..iters {
        let (ta, tb) = if i % 2 == 0 {
            let ta = one_bare(&bare);
            (ta, one_rs(&mut rs))
        } else {
            let tb = one_rs(&mut rs);
            (one_bare(&bare), tb)
        };
        a.push(ta);
        b.push(tb);
        ratios.push(tb / ta);
    }
    let ma = median(&mut a);
    let mb = median(&mut b);
    Row {
        name: sc.name,
        bare: ma,
        rs2n: mb,
        bare_p90: percentile(&a, 0.9),
        rs2n_p90: percentile(&b, 0.9),
        paired_ratio: median(&mut ratios),
    }
}

/// Nanoseconds per call of `f`: the median over `batches` batches of `per` calls.
fn per_op(batches: usize, per: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..per {
        f();
    }
    let mut v: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per {
                f();
            }
            t.elapsed().as_nanos() as f64 / per as f64
        })
        .collect();
    median(&mut v)
}

/// A session store that keeps the last sessions rustls hands it, so their cost
/// in rs2n's client session store can be timed.
#[derive(Debug, Default)]
struct Capture {
    t13: Mutex<Option<Tls13ClientSessionValue>>,
    t12: Mutex<Option<Tls12ClientSessionValue>>,
}

impl ClientSessionStore for Capture {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}
    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }
    fn set_tls12_session(&self, _: ServerName<'static>, v: Tls12ClientSessionValue) {
        *self.t12.lock().unwrap() = Some(v);
    }
    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        None
    }
    fn remove_tls12_session(&self, _: &ServerName<'static>) {}
    fn insert_tls13_ticket(&self, _: ServerName<'static>, v: Tls13ClientSessionValue) {
        *self.t13.lock().unwrap() = Some(v);
    }
    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        None
    }
}

/// A `fmt::Write` sink that stops the formatting (with an error) once it has seen
/// `lifetime_secs: <n>`: the fields rs2n reads from a session's `Debug` form (the
/// ticket, then the lifetime) come before the costly ones (the server's
/// certificate chain). It scans each byte once and keeps what it saw.
struct UntilLifetime {
    out: String,
    /// How much of MARK has matched so far; MARK.len() once it is complete.
    matched: usize,
    digits: bool,
}

const LIFETIME_MARK: &[u8] = b"lifetime_secs: ";

impl std::fmt::Write for UntilLifetime {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.out.push_str(s);
        for &b in s.as_bytes() {
            if self.matched == LIFETIME_MARK.len() {
                if b.is_ascii_digit() {
                    self.digits = true;
                } else if self.digits {
                    return Err(std::fmt::Error);
                }
            } else if b == LIFETIME_MARK[self.matched] {
                self.matched += 1;
            } else {
                self.matched = usize::from(b == LIFETIME_MARK[0]);
            }
        }
        Ok(())
    }
}

fn debug_until_lifetime(v: &dyn std::fmt::Debug) -> String {
    use std::fmt::Write as _;
    let mut w = UntilLifetime {
        out: String::with_capacity(512),
        matched: 0,
        digits: false,
    };
    let _ = write!(w, "{v:?}");
    w.out
}

/// Runs a bare rustls client with `client` (rs2n's own rustls client config,
/// its session store swapped for `capture`) against `server`.
fn capture_sessions(server: Arc<ServerConfig>, client: &ClientConfig, capture: Arc<Capture>) {
    let mut client = client.clone();
    client.resumption = rustls::client::Resumption::store(capture)
        .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets);
    let client = Arc::new(client);
    let (mut s_end, mut c_end) = pipe();
    let mut s = ServerConnection::new(server).unwrap();
    let mut c = ClientConnection::new(client, ServerName::try_from(SERVER_NAME).unwrap()).unwrap();
    for _ in 0..20 {
        while c.wants_write() {
            c.write_tls(&mut c_end).unwrap();
        }
        while s_end.readable() {
            s.read_tls(&mut s_end).unwrap();
        }
        s.process_new_packets().unwrap();
        while s.wants_write() {
            s.write_tls(&mut s_end).unwrap();
        }
        while c_end.readable() {
            c.read_tls(&mut c_end).unwrap();
        }
        c.process_new_packets().unwrap();
    }
}

fn overhead(m: &Material) {
    const B: usize = 31;
    println!();
    println!("Per-connection pieces rs2n adds (ns per call, median of {B} batches):");
    let line = |what: &str, ns: f64| println!("  {what:<66} {ns:>9.0} ns");

    for (label, policy) in [("TLS1.3", "default_tls13"), ("TLS1.2", "20240501")] {
        let sc = Scenario {
            name: "",
            policy,
            version: rustls::ProtocolVersion::TLSv1_3,
            resume: Resume::Ticket,
        };
        let rs = Rs2n::new(&sc, m);
        let bare = Bare::new(&sc, m);
        println!(" {label} (\"{policy}\"), tickets on:");

        // Server side.
        let cfg = rs.server.clone();
        line(
            "Config::server_config() (RwLock read + Arc clone)",
            per_op(B, 2000, || {
                black_box(cfg.server_config().unwrap());
            }),
        );
        line(
            "Config::settings() read guard",
            per_op(B, 2000, || {
                black_box(cfg.settings().session_tickets);
            }),
        );
        let base = cfg.server_config().unwrap();
        line(
            "ServerConfig clone + Arc::new (rs2n, every server connection)",
            per_op(B, 2000, || {
                black_box(Arc::new((*base).clone()));
            }),
        );
        let keys = cfg.ticket_keys();
        let clock = cfg.settings().wall_clock.clone();
        line(
            "ConnTicketer::new + Arc::new",
            per_op(B, 2000, || {
                black_box(Arc::new(ConnTicketer::new(
                    keys.clone(),
                    clock.clone(),
                    false,
                )));
            }),
        );
        line(
            "ServerConnection::new (bare rustls, shared config)",
            per_op(B, 500, || {
                black_box(ServerConnection::new(bare.server.clone()).unwrap());
            }),
        );
        line(
            "ServerConnection::new (rs2n's config, fresh clone)",
            per_op(B, 500, || {
                black_box(ServerConnection::new(Arc::new((*base).clone())).unwrap());
            }),
        );
        line(
            "Connection::new(Server) + set_config + drop (rs2n)",
            per_op(B, 2000, || {
                let mut c = Connection::new(Mode::Server);
                c.set_config(cfg.clone()).unwrap();
                black_box(c);
            }),
        );
        // Tickets: rs2n's ticketer against rustls' own, same plaintext.
        let version = if label == "TLS1.3" {
            [3u8, 4]
        } else {
            [3u8, 3]
        };
        let mut plain = vec![0u8, version[0], version[1]];
        plain.extend([0x5a; 120]);
        let ours = ConnTicketer::new(keys.clone(), clock.clone(), false);
        let theirs = rustls::crypto::ring::Ticketer::new().unwrap();
        line(
            "ticket encrypt: rs2n ConnTicketer",
            per_op(B, 500, || {
                black_box(ours.encrypt(&plain));
            }),
        );
        line(
            "ticket encrypt: rustls ring Ticketer",
            per_op(B, 500, || {
                black_box(theirs.encrypt(&plain));
            }),
        );
        let t_ours = ConnTicketer::new(keys.clone(), clock.clone(), false)
            .encrypt(&plain)
            .unwrap();
        let t_theirs = theirs.encrypt(&plain).unwrap();
        line(
            "ticket decrypt: rs2n ConnTicketer (fresh one, as per connection)",
            per_op(B, 500, || {
                let t = ConnTicketer::new(keys.clone(), clock.clone(), false);
                black_box(t.decrypt(&t_ours));
            }),
        );
        line(
            "ticket decrypt: rustls ring Ticketer",
            per_op(B, 500, || {
                black_box(theirs.decrypt(&t_theirs));
            }),
        );

        // Client side.
        let ccfg = rs.client.clone();
        let cbase = ccfg.client_config().unwrap();
        line(
            "Config::client_config() (RwLock read + Arc clone)",
            per_op(B, 2000, || {
                black_box(ccfg.client_config().unwrap());
            }),
        );
        line(
            "ClientConfig clone + Arc::new (rs2n, every client connection)",
            per_op(B, 2000, || {
                black_box(Arc::new((*cbase).clone()));
            }),
        );
        let cclock = ccfg.settings().wall_clock.clone();
        line(
            "ConnSessions::new + Arc + client_session::resumption()",
            per_op(B, 2000, || {
                let s = Arc::new(ConnSessions::new(true, cclock.clone(), cbase.clone()));
                black_box(client_session::resumption(s, true));
            }),
        );
        let name = ServerName::try_from(SERVER_NAME).unwrap();
        line(
            "ClientConnection::new (bare rustls, shared config)",
            per_op(B, 500, || {
                black_box(ClientConnection::new(bare.client.clone(), name.clone()).unwrap());
            }),
        );
        line(
            "ClientConnection::new (rs2n's config, fresh clone)",
            per_op(B, 500, || {
                black_box(ClientConnection::new(Arc::new((*cbase).clone()), name.clone()).unwrap());
            }),
        );
        // What rs2n's client session store does with each session rustls gives it:
        // formats it with Debug to read the ticket length and lifetime.
        let capture = Arc::new(Capture::default());
        capture_sessions(bare.server.clone(), &cbase, capture.clone());
        let t13 = capture.t13.lock().unwrap();
        let t12 = capture.t12.lock().unwrap();
        let v: Option<(&str, &dyn std::fmt::Debug)> = match (t13.as_ref(), t12.as_ref()) {
            (Some(v), _) => Some(("Tls13ClientSessionValue", v)),
            (None, Some(v)) => Some(("Tls12ClientSessionValue", v)),
            _ => None,
        };
        match v {
            Some((kind, v)) => {
                let full = format!("{v:?}");
                let short = debug_until_lifetime(v);
                if std::env::var_os("RS2N_BENCH_SHOW_DEBUG").is_some() {
                    println!("{full}");
                }
                line(
                    &format!("format!(\"{{:?}}\") of a {kind} ({} chars)", full.len()),
                    per_op(B, 200, || {
                        black_box(format!("{v:?}"));
                    }),
                );
                line(
                    &format!(
                        "  the same Debug, stopped after lifetime_secs ({} chars)",
                        short.len()
                    ),
                    per_op(B, 200, || {
                        black_box(debug_until_lifetime(v));
                    }),
                );
            }
            None => println!("  (no client session captured)"),
        }

        // Session bytes in and out.
        let mut rs = rs;
        rs.pair();
        if let Some(bytes) = rs.session.clone() {
            line(
                "client_session::parse_session (global registry lock)",
                per_op(B, 2000, || {
                    black_box(client_session::parse_session(&bytes).unwrap());
                }),
            );
        }
        line(
            "Connection::new(Client) + set_config + set_server_name + drop",
            per_op(B, 2000, || {
                let mut c = Connection::new(Mode::Client);
                c.set_config(ccfg.clone()).unwrap();
                c.set_server_name(SERVER_NAME).unwrap();
                black_box(c);
            }),
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut iters = 300usize;
    let mut force_overhead = false;
    let mut no_overhead = false;
    let mut only: Option<String> = None;
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--iters" => {
                i += 1;
                iters = args[i].parse().expect("--iters N");
            }
            "--overhead" => force_overhead = true,
            "--no-overhead" => no_overhead = true,
            "--only" => {
                i += 1;
                only = Some(args[i].clone());
            }
            _ => {} // cargo passes --bench
        }
        i += 1;
    }
    if let Ok(v) = std::env::var("RS2N_BENCH_ITERS") {
        iters = v.parse().expect("RS2N_BENCH_ITERS");
    }

    let m = Material::load();
    println!("rs2n vs bare rustls 0.23 (ring): one client+server pair per sample, in memory,");
    println!(
        "ECDSA P-256, verification on; {iters} samples each, interleaved; µs per pair (median, p90)."
    );
    println!();
    println!(
        "{:<28} {:>10} {:>8} {:>10} {:>8} {:>7} {:>7}",
        "scenario", "rustls", "p90", "rs2n", "p90", "ratio", "paired"
    );
    let mut rows = Vec::new();
    for sc in SCENARIOS {
        if let Some(o) = &only {
            if !sc.name.contains(o.as_str()) {
                continue;
            }
        }
        let r = run_scenario(sc, &m, iters);
        println!(
            "{:<28} {:>10.1} {:>8.1} {:>10.1} {:>8.1} {:>7.3} {:>7.3}",
            r.name,
            r.bare,
            r.bare_p90,
            r.rs2n,
            r.rs2n_p90,
            r.rs2n / r.bare,
            r.paired_ratio
        );
        rows.push(r);
    }
    println!();
    println!("ratio: median rs2n / median rustls; paired: median of each round's rs2n/rustls.");
    println!("Budget (design.md): rs2n <= 1.05x bare rustls.");
    let over: Vec<&Row> = rows.iter().filter(|r| r.rs2n / r.bare > 1.05).collect();
    for r in &over {
        println!("  over budget: {} ({:.3}x)", r.name, r.rs2n / r.bare);
    }
    if !no_overhead && (force_overhead || !over.is_empty()) {
        overhead(&m);
    }
}
