//! s2n-peer: a small TLS client/server built on the real s2n-tls (crates.io
//! `s2n-tls`, whose `s2n-tls-sys` builds the C library over aws-lc), used as
//! an interop peer for rs2n. It lives in its own crate and process: it must
//! never be linked with rs2n, since both export `s2n_*` symbols.
//!
//! - The client uses the `s2n-tls` crate's safe API (`config::Builder`,
//!   `Connection`, the session ticket callback, `set_session_ticket`).
//! - The server drives the same C library through the crate's re-exported
//!   sys layer (`s2n_tls::ffi`), because the safe API of a vendored build
//!   (the crates.io build) has no session cache callbacks and no way to reach
//!   the raw `s2n_config` (`Builder::unstable_as_ptr` exists only when
//!   libs2n is linked externally), and `--cache` needs them.
//!
//! Loopback only: the server binds 127.0.0.1, the client refuses any other
//! address. Every loop is bounded (connection count, idle and I/O timeouts),
//! so the processes stop by themselves.
//!
//! Here: the usage text and the dispatch on the mode. `args` parses the
//! rest, `server` / `client` run each end (`server_config`, `cache` and `raw`
//! hold the server's s2n C API setup, `client_io` the client's I/O),
//! `common` the helpers both use.

mod args;
mod cache;
mod client;
mod client_io;
mod common;
mod early_client;
mod raw;
mod server;
mod server_config;

use std::process::ExitCode;

use args::Args;
use client::client;
use server::server;

const USAGE: &str = "\
usage:
  s2n-peer server --port N|0 --cert F --key F [--policy P]
                  [--tickets] [--ticket-key HEX] [--ticket-key-name NAME]
                  [--cache] [--max-conns N] [--idle-timeout SECS] [--io-timeout SECS]
                  [--alpn LIST] [--ca F] [--ocsp DER] [--early-data MAX]
  s2n-peer client --connect 127.0.0.1:PORT --ca F [--server-name NAME] [--policy P]
                  [--tickets | --no-tickets] [--reconnect N] [--expect-resume]
                  [--io-timeout SECS] [--alpn LIST] [--cert F --key F] [--ocsp]
  s2n-peer early-client --connect 127.0.0.1:PORT --ca F --early-data TEXT
                  [--reconnect N] [--io-timeout SECS]

--alpn: application protocols, comma separated, most preferred first. --ca
(server): client certificates required, verified against F, any name accepted.
--ocsp DER (server): staple that OCSP response. --ocsp (client): ask for the
stapled response; s2n-tls validates it.
--cert/--key (client): a client certificate. With these the line goes on with
\", alpn P, client cert yes|no\". --early-data (server): accept TLS1.3 early data,
at most MAX bytes, read with s2n_recv_early_data; the line then ends with
\", early data ok|not-requested|rejected|end N\" (N bytes read).
Policies are s2n-tls security policy names: default_tls13 (TLS1.2+1.3),
20240501 (TLS1.2 only), default (TLS1.3 + TLS1.2, PQ key exchange first), ...
One line per connection on stdout: <New|Reused> <TLSv1.2|TLSv1.3> <cipher>.";

type Res<T> = Result<T, String>;

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return if argv.is_empty() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let mode = argv.remove(0);
    let args = Args { rest: argv };
    let r = match mode.as_str() {
        "server" => server(args),
        "client" => client(args),
        "early-client" => early_client::early_client(args),
        other => Err(format!("unknown mode {other:?}\n{USAGE}")),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{mode}: error: {e}");
            ExitCode::FAILURE
        }
    }
}
