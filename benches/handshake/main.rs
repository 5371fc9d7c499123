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
//!
//! Modules: `transport` (the in-memory pipe), `fixtures` (certificates, keys),
//! `scenarios`, `bare` (bare rustls), `rs2n_side` (rs2n), `measure` (one
//! scenario, interleaved), `stats`, `overhead` (the per-piece breakdown) and
//! `session_capture` (the client sessions it formats).

mod bare;
mod fixtures;
mod measure;
mod overhead;
mod rs2n_side;
mod scenarios;
mod session_capture;
mod stats;
mod transport;

use fixtures::Material;
use measure::{run_scenario, Row};
use overhead::overhead;
use scenarios::SCENARIOS;

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
