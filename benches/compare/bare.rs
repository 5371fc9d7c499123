//! The bare rustls 0.23 driver of the side-by-side comparison (run.sh,
//! compare.py): the same commands, scenarios, transport and figures as the C
//! drivers (harness.c), over rustls' own `ServerConfig`/`ClientConfig` with
//! the suites and groups of rs2n's policy for the scenario, in the order of
//! rs2n's policy.
//!
//!   compare_bare [--provider ring|aws-lc-rs] SCENARIO CERTS_DIR
//!
//! Server: `with_single_cert`, its own order, no client auth. Tickets:
//! rustls' ticketer for the provider, one TLS1.3 ticket; session ID: rustls'
//! in-memory server session storage. Client: the webpki verifier over the
//! test CA, rustls' in-memory session store (one per thread).

use std::io::{self, BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use rustls::{
    ClientConfig, ClientConnection, HandshakeKind, RootCertStore, ServerConfig, ServerConnection,
};

#[derive(Clone, Copy, PartialEq)]
enum Resume {
    None,
    Ticket,
    SessionId,
}

struct Scenario {
    tls13: bool,
    resume: Resume,
    rsa: bool,
}

fn scenario(name: &str) -> Scenario {
    let (tls13, resume, rsa) = match name {
        "tls13_full" => (true, Resume::None, false),
        "tls13_resumed" => (true, Resume::Ticket, false),
        "tls12_full" => (false, Resume::None, false),
        "tls12_ticket" => (false, Resume::Ticket, false),
        "tls12_session_id" => (false, Resume::SessionId, false),
        "tls13_full_rsa" => (true, Resume::None, true),
        _ => panic!("unknown scenario {name}"),
    };
    Scenario { tls13, resume, rsa }
}

/// One direction of the pipe, as harness.c's queue.
#[derive(Default)]
struct Queue {
    buf: Vec<u8>,
    pos: usize,
}

struct End<'a> {
    rx: &'a mut Queue,
    tx: &'a mut Queue,
}

impl Read for End<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let q = &mut *self.rx;
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
}

impl Write for End<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.tx.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Default)]
struct Pipe {
    c2s: Queue,
    s2c: Queue,
}

fn provider(kind: &str, policy: &str) -> Arc<CryptoProvider> {
    let base = match kind {
        "ring" => rustls::crypto::ring::default_provider(),
        #[cfg(feature = "aws-lc-rs")]
        "aws-lc-rs" => rustls::crypto::aws_lc_rs::default_provider(),
        _ => panic!("provider {kind} not built in"),
    };
    let p = rs2n::policy::lookup(policy).unwrap().provider();
    let suites = p
        .cipher_suites
        .iter()
        .filter_map(|s| {
            base.cipher_suites
                .iter()
                .find(|b| b.suite() == s.suite())
                .copied()
        })
        .collect();
    let groups = p
        .kx_groups
        .iter()
        .filter_map(|g| {
            base.kx_groups
                .iter()
                .find(|b| b.name() == g.name())
                .copied()
        })
        .collect();
    Arc::new(CryptoProvider {
        cipher_suites: suites,
        kx_groups: groups,
        ..base
    })
}

struct Bare {
    sc: Scenario,
    server: Arc<ServerConfig>,
    client: ClientConfig,
}

impl Bare {
    fn new(sc: Scenario, certs: &str, kind: &str) -> Bare {
        let policy = if sc.tls13 {
            "default_tls13"
        } else {
            "20240501"
        };
        let versions = rs2n::policy::lookup(policy).unwrap().versions();
        let provider = provider(kind, policy);
        let file = |n: &str| std::fs::read(format!("{certs}/{n}")).unwrap();
        let stem = if sc.rsa { "rsa2048" } else { "ecdsa_p256" };
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(&file(&format!("{stem}_cert.pem")))
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_slice(&file(&format!("{stem}_key.pem"))).unwrap();
        let mut server = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        server.ignore_client_order = true;
        server.session_storage = Arc::new(NoServerSessionStorage {});
        server.send_tls13_tickets = 0;
        match sc.resume {
            Resume::None => {}
            Resume::Ticket => {
                server.ticketer = match kind {
                    #[cfg(feature = "aws-lc-rs")]
                    "aws-lc-rs" => rustls::crypto::aws_lc_rs::Ticketer::new().unwrap(),
                    _ => rustls::crypto::ring::Ticketer::new().unwrap(),
                };
                server.send_tls13_tickets = 1;
            }
            Resume::SessionId => server.session_storage = ServerSessionMemoryCache::new(4096),
        }
        let mut roots = RootCertStore::empty();
        for ca in CertificateDer::pem_slice_iter(&file("ca_cert.pem")) {
            roots.add(ca.unwrap()).unwrap();
        }
        let client = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Bare {
            sc,
            server: Arc::new(server),
            client,
        }
    }

    /// A client config with a session store of its own (one per thread).
    fn client_state(&self) -> Arc<ClientConfig> {
        let mut c = self.client.clone();
        c.resumption = match self.sc.resume {
            Resume::None => rustls::client::Resumption::disabled(),
            Resume::Ticket => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets),
            Resume::SessionId => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly),
        };
        Arc::new(c)
    }

    /// One pair, as harness.c's impl_pair; returns the connections when held.
    fn pair(
        &self,
        client_cfg: &Arc<ClientConfig>,
        pipe: &mut Pipe,
        hold: bool,
    ) -> (bool, String, Option<(ServerConnection, ClientConnection)>) {
        let name = ServerName::try_from("localhost").unwrap();
        let mut server = ServerConnection::new(self.server.clone()).unwrap();
        let mut client = ClientConnection::new(client_cfg.clone(), name).unwrap();
        for q in [&mut pipe.c2s, &mut pipe.s2c] {
            q.buf.clear();
            q.pos = 0;
        }
        for _ in 0..100 {
            let mut c = End {
                rx: &mut pipe.s2c,
                tx: &mut pipe.c2s,
            };
            while client.wants_write() {
                client.write_tls(&mut c).unwrap();
            }
            if !c.rx.buf.is_empty() {
                while c.rx.pos < c.rx.buf.len() {
                    client.read_tls(&mut c).unwrap();
                }
                client.process_new_packets().unwrap();
            }
            let mut s = End {
                rx: &mut pipe.c2s,
                tx: &mut pipe.s2c,
            };
            if !s.rx.buf.is_empty() {
                while s.rx.pos < s.rx.buf.len() {
                    server.read_tls(&mut s).unwrap();
                }
                server.process_new_packets().unwrap();
            }
            while server.wants_write() {
                server.write_tls(&mut s).unwrap();
            }
            if !client.is_handshaking()
                && !server.is_handshaking()
                && !client.wants_write()
                && !server.wants_write()
                && pipe.s2c.buf.is_empty()
                && pipe.c2s.buf.is_empty()
            {
                let resumed = client.handshake_kind() == Some(HandshakeKind::Resumed);
                let desc = format!(
                    "{:?} {:?} group={:?}",
                    client.protocol_version().unwrap(),
                    client.negotiated_cipher_suite().unwrap().suite(),
                    client.negotiated_key_exchange_group().map(|g| g.name())
                );
                return (resumed, desc, hold.then_some((server, client)));
            }
        }
        panic!("bare rustls: the handshake did not finish");
    }
}

fn in_use() -> usize {
    // SAFETY: mallinfo2 only reads glibc's allocator statistics.
    unsafe { libc::mallinfo2() }.uordblks
}

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let mut kind = "ring".to_string();
    if args.get(1).map(|s| s.as_str()) == Some("--provider") && args.len() > 2 {
        kind = args.remove(2);
        args.remove(1);
    }
    if args.len() != 3 {
        eprintln!("usage: compare_bare [--provider ring|aws-lc-rs] SCENARIO CERTS_DIR");
        std::process::exit(2);
    }
    let bare = Arc::new(Bare::new(scenario(&args[1]), &args[2], &kind));
    let resumes = bare.sc.resume != Resume::None;
    let cs = bare.client_state();
    let mut pipe = Pipe::default();
    let mut first = true;
    let check = |resumed: bool, first: &mut bool| {
        let want = resumes && !*first;
        if resumed != want {
            println!("error bare rustls: resumed {resumed}, expected {want}");
            std::process::exit(1);
        }
        *first = false;
    };
    let stdout = io::stdout();
    for line in io::stdin().lock().lines() {
        let line = line.unwrap();
        let w: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| w.get(i).and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
        let mut out = stdout.lock();
        match w.first().copied() {
            Some("info") => {
                let (r, desc, _) = bare.pair(&cs, &mut pipe, false);
                check(r, &mut first);
                writeln!(out, "ok {desc} provider={kind}").unwrap();
            }
            Some("run") => {
                if first {
                    let (r, _, _) = bare.pair(&cs, &mut pipe, false);
                    check(r, &mut first);
                }
                let mut t = Vec::with_capacity(n(1));
                for _ in 0..n(1) {
                    let t0 = Instant::now();
                    let (r, _, _) = bare.pair(&cs, &mut pipe, false);
                    check(r, &mut first);
                    t.push(t0.elapsed().as_nanos());
                }
                let s: Vec<String> = t.iter().map(|x| x.to_string()).collect();
                writeln!(out, "ok {}", s.join(" ")).unwrap();
            }
            Some("mem") => {
                let count = n(1).max(1);
                // the pipes' buffers made before counting, as harness.c's
                let cap = || Queue {
                    buf: Vec::with_capacity(1 << 16),
                    pos: 0,
                };
                let mut pipes: Vec<Pipe> = (0..count)
                    .map(|_| Pipe {
                        c2s: cap(),
                        s2c: cap(),
                    })
                    .collect();
                let mut held = Vec::with_capacity(count);
                let states: Vec<_> = (0..count).map(|_| bare.client_state()).collect();
                let b0 = in_use();
                for (p, st) in pipes.iter_mut().zip(&states) {
                    let (r, _, h) = bare.pair(st, p, true);
                    check(r, &mut true);
                    held.push(h.unwrap());
                }
                let b1 = in_use();
                let servers: Vec<ServerConnection> = held.into_iter().map(|(s, _)| s).collect();
                let b2 = in_use();
                drop(servers);
                // rustls has no call to release a connection's buffers
                let per = |a: usize, b: usize| (a as i64 - b as i64) / count as i64;
                writeln!(out, "ok {} {} {}", per(b2, b0), per(b1, b2), per(b2, b0)).unwrap();
                drop(pipes);
            }
            Some("mt") => {
                let threads = n(1).max(1);
                let stop = Arc::new(AtomicBool::new(false));
                let start = Arc::new(Barrier::new(threads + 1));
                let hs: Vec<_> = (0..threads)
                    .map(|_| {
                        let (bare, stop, start) = (bare.clone(), stop.clone(), start.clone());
                        std::thread::spawn(move || {
                            let cs = bare.client_state();
                            let mut p = Pipe::default();
                            bare.pair(&cs, &mut p, false);
                            start.wait();
                            let mut c = 0u64;
                            while !stop.load(Ordering::Relaxed) {
                                let (r, _, _) = bare.pair(&cs, &mut p, false);
                                assert_eq!(r, bare.sc.resume != Resume::None);
                                c += 1;
                            }
                            c
                        })
                    })
                    .collect();
                start.wait();
                let t0 = Instant::now();
                std::thread::sleep(Duration::from_millis(n(2) as u64));
                stop.store(true, Ordering::Relaxed);
                let total: u64 = hs.into_iter().map(|h| h.join().unwrap()).sum();
                writeln!(out, "ok {:.1}", total as f64 / t0.elapsed().as_secs_f64()).unwrap();
            }
            Some("keycost") => {
                // rs2n's per-ticket sealing (resumption::seal): each seal has
                // a key of its own, HKDF-Expand from the ticket key's PRK plus
                // AES-256-GCM key setup; a resumption opens one value. Bare
                // rustls' ticketer seals with one key, so this is the part of
                // rs2n's resumed figures the bare side does not do.
                use rs2n::resumption::seal::{open, seal, Domain, SealKey};
                let key = SealKey::derive(*b"bench key name\0\0", &[7u8; 32]);
                let value = [1u8; 200];
                let sealed = seal(&key, Domain::Ticket, &value).unwrap();
                let rounds = n(1).max(100);
                let med = |f: &dyn Fn()| {
                    let mut t: Vec<u128> = (0..rounds)
                        .map(|_| {
                            let t0 = Instant::now();
                            for _ in 0..10 {
                                f();
                            }
                            t0.elapsed().as_nanos()
                        })
                        .collect();
                    t.sort_unstable();
                    t[t.len() / 2] as f64 / 10.0 / 1000.0
                };
                let o = med(&|| assert!(open(&key, Domain::Ticket, &sealed).is_some()));
                let s_ = med(&|| assert!(seal(&key, Domain::Ticket, &value).is_some()));
                // With the library this build seals with (ring, or aws-lc-rs
                // in a build with that feature: rs2n::crypto).
                writeln!(out, "ok {o:.2} {s_:.2} {}", rs2n::crypto::LIBRARY).unwrap();
            }
            Some("quit") => return,
            _ => {
                writeln!(out, "error bare rustls: unknown command").unwrap();
                std::process::exit(1);
            }
        }
        out.flush().unwrap();
    }
}
