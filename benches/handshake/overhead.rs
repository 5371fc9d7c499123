//! The per-connection overhead breakdown: each piece rs2n adds to a rustls
//! connection (config snapshots and clones, the per-connection ticketer and
//! session store, session (de)serialization) timed next to what bare rustls
//! does, so a ratio over budget can be placed.

use std::hint::black_box;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::server::ProducesTickets;
use rustls::{ClientConnection, ServerConnection};

use rs2n::connection::{Connection, Mode};
use rs2n::resumption::client_session::{self, ConnSessions};
use rs2n::resumption::ticketer::ConnTicketer;

use crate::bare::Bare;
use crate::fixtures::{Material, SERVER_NAME};
use crate::rs2n_side::Rs2n;
use crate::scenarios::{Resume, Scenario};
use crate::session_capture::{capture_sessions, debug_until_lifetime, Capture};
use crate::stats::per_op;

pub fn overhead(m: &Material) {
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
