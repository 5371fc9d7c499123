//! What rs2n's client session store does with each session rustls hands it:
//! a store (`Capture`) that keeps the sessions a bare rustls client receives,
//! and the `Debug` formatting, whole or stopped after the lifetime, whose cost
//! the overhead section times.

use std::sync::{Arc, Mutex};

use rustls::client::{ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, NamedGroup, ServerConfig, ServerConnection};

use crate::fixtures::SERVER_NAME;
use crate::transport::pipe;

/// A session store that keeps the last sessions rustls hands it, so their cost
/// in rs2n's client session store can be timed.
#[derive(Debug, Default)]
pub struct Capture {
    pub t13: Mutex<Option<Tls13ClientSessionValue>>,
    pub t12: Mutex<Option<Tls12ClientSessionValue>>,
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

pub fn debug_until_lifetime(v: &dyn std::fmt::Debug) -> String {
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
pub fn capture_sessions(server: Arc<ServerConfig>, client: &ClientConfig, capture: Arc<Capture>) {
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
