//! `s2n-peer client`: connects `1 + --reconnect` times through the `s2n-tls`
//! crate's safe API, each time offering the newest saved session, sending a
//! line and checking the echo.

use std::ffi::c_void;
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use s2n_tls::callbacks::{SessionTicket, SessionTicketCallback};
use s2n_tls::config::Builder;
use s2n_tls::connection::Connection;
use s2n_tls::enums::{Blinding, Mode, Version};
use s2n_tls::security::Policy;

use crate::args::Args;
use crate::client_io::{drive, io_recv, io_send};
use crate::common::{err, line_for, println_flush, read_file, set_timeouts};
use crate::Res;

/// Keeps the newest session ticket the server sent (TLS1.2 NewSessionTicket
/// or TLS1.3 post-handshake ticket), serialized by s2n for
/// `Connection::set_session_ticket`.
#[derive(Clone, Default)]
struct TicketSlot(Arc<Mutex<Option<Vec<u8>>>>);

impl SessionTicketCallback for TicketSlot {
    fn on_session_ticket(&self, _conn: &mut Connection, ticket: &SessionTicket) {
        let Ok(len) = ticket.len() else { return };
        let mut v = vec![0u8; len];
        if ticket.data(&mut v).is_ok() {
            *self.0.lock().unwrap() = Some(v);
        }
    }
}

fn proto_name(v: Version) -> &'static str {
    match v {
        Version::TLS12 => "TLSv1.2",
        Version::TLS13 => "TLSv1.3",
        Version::TLS11 => "TLSv1.1",
        Version::TLS10 => "TLSv1.0",
        _ => "SSL",
    }
}

pub fn client(mut a: Args) -> Res<ExitCode> {
    let connect = a.req("--connect")?;
    let ca = read_file(&a.req("--ca")?)?;
    let server_name = a
        .opt("--server-name")?
        .unwrap_or_else(|| "localhost".into());
    let policy = a.opt("--policy")?.unwrap_or_else(|| "default_tls13".into());
    let tickets = a.flag("--tickets");
    let no_tickets = a.flag("--no-tickets");
    let reconnect: u32 = a.num("--reconnect", 0)?;
    let expect_resume = a.flag("--expect-resume");
    let io_timeout = Duration::from_secs(a.num("--io-timeout", 10)?);
    let alpn: Option<Vec<String>> = a
        .opt("--alpn")?
        .map(|l| l.split(',').map(str::to_string).collect());
    let client_cert = a.opt("--cert")?.map(|f| read_file(&f)).transpose()?;
    let client_key = a.opt("--key")?.map(|f| read_file(&f)).transpose()?;
    // Ask for the server's stapled OCSP response; s2n-tls validates it.
    let ocsp = a.flag("--ocsp");
    a.done()?;
    if client_cert.is_some() != client_key.is_some() {
        return Err("--cert and --key go together".into());
    }
    if tickets && no_tickets {
        return Err("--tickets and --no-tickets are exclusive".into());
    }
    if reconnect > 1000 {
        return Err("--reconnect: at most 1000".into());
    }
    let addr: SocketAddr = connect
        .parse()
        .map_err(|_| format!("--connect: bad address {connect:?}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("--connect: {addr} is not a loopback address"));
    }

    let mut b = Builder::new();
    let policy = Policy::from_version(&policy).map_err(err("policy"))?;
    b.set_security_policy(&policy)
        .map_err(err("security policy"))?;
    b.wipe_trust_store().map_err(err("wipe_trust_store"))?;
    b.trust_pem(&ca).map_err(err("trust_pem"))?;
    if let Some(alpn) = &alpn {
        b.set_application_protocol_preference(alpn)
            .map_err(err("application protocols"))?;
    }
    if let (Some(c), Some(k)) = (&client_cert, &client_key) {
        b.load_pem(c, k).map_err(err("client certificate"))?;
    }
    if ocsp {
        b.enable_ocsp().map_err(err("enable_ocsp"))?;
    }
    let slot = TicketSlot::default();
    if tickets {
        // Also turns session tickets on.
        b.set_session_ticket_callback(slot.clone())
            .map_err(err("set_session_ticket_callback"))?;
    } else {
        b.enable_session_tickets(false)
            .map_err(err("enable_session_tickets"))?;
    }
    let config = b.build().map_err(err("config"))?;

    let mut saved: Option<Vec<u8>> = None;
    let mut not_resumed = 0u32;
    for i in 0..=reconnect {
        let ctx = |e: String| format!("connection {i}: {e}");
        slot.0.lock().unwrap().take();
        let stream = TcpStream::connect_timeout(&addr, io_timeout)
            .map_err(err("connect"))
            .map_err(ctx)?;
        set_timeouts(&stream, io_timeout)?;
        let deadline = Instant::now() + io_timeout * 3;

        let mut conn = Connection::new(Mode::Client);
        conn.set_config(config.clone()).map_err(err("set_config"))?;
        conn.set_blinding(Blinding::SelfService)
            .map_err(err("set_blinding"))?;
        // SAFETY: `stream` outlives `conn` (dropped below in that order).
        let sp = &stream as *const TcpStream as *mut c_void;
        unsafe {
            conn.set_receive_callback(Some(io_recv))
                .and_then(|c| c.set_receive_context(sp))
                .and_then(|c| c.set_send_callback(Some(io_send)))
                .and_then(|c| c.set_send_context(sp))
                .map_err(err("io callbacks"))?;
        }
        conn.set_server_name(&server_name)
            .map_err(err("set_server_name"))?;
        if let Some(s) = &saved {
            conn.set_session_ticket(s)
                .map_err(err("set_session_ticket"))?;
        }

        drive("handshake", deadline, || {
            conn.poll_negotiate().map_ok(|_| ())
        })
        .map_err(ctx)?;
        let resumed = conn.resumed();
        let proto = conn
            .actual_protocol_version()
            .map_err(err("actual_protocol_version"))?;
        let cipher = conn
            .cipher_suite()
            .map_err(err("cipher_suite"))?
            .to_string();
        let mut line = line_for(resumed, proto_name(proto), &cipher);
        if alpn.is_some() || client_cert.is_some() {
            let p = conn
                .application_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .unwrap_or_else(|| "none".into());
            let used = if conn.client_cert_used() { "yes" } else { "no" };
            line.push_str(&format!(", alpn {p}, client cert {used}"));
        }

        // Exchange one line: for TLS1.3 this also reads the server's
        // post-handshake NewSessionTicket, which comes before the echo.
        let msg = format!("ping {i}\n");
        let mut out = msg.as_bytes();
        while !out.is_empty() {
            let n = drive("send", deadline, || conn.poll_send(out)).map_err(ctx)?;
            out = &out[n..];
        }
        drive("flush", deadline, || conn.poll_flush().map_ok(|_| ())).map_err(ctx)?;
        let mut echo = Vec::new();
        let mut buf = [0u8; 4096];
        while !echo.contains(&b'\n') && echo.len() <= 65536 {
            let n = drive("recv", deadline, || conn.poll_recv(&mut buf)).map_err(ctx)?;
            if n == 0 {
                break;
            }
            echo.extend_from_slice(&buf[..n]);
        }
        if echo.is_empty() {
            // A server that closes right after the handshake (no echo).
            eprintln!("client: connection {i}: note: the server closed without echoing");
        } else if echo != msg.as_bytes() {
            return Err(ctx(format!(
                "bad echo {:?}",
                String::from_utf8_lossy(&echo)
            )));
        }
        // Full shutdown: send close_notify, wait for the server's. A server
        // that closes without close_notify is only a warning.
        if let Err(e) = drive("shutdown", deadline, || conn.poll_shutdown().map_ok(|_| ())) {
            eprintln!("client: connection {i}: warning: {e}");
        }

        // Keep the newest session: a ticket from the callback, else the
        // connection's own session state (TLS1.2 session ID or ticket).
        let fresh = slot
            .0
            .lock()
            .unwrap()
            .take()
            .or_else(|| match conn.session_ticket_length() {
                Ok(n) if n > 0 => {
                    let mut v = vec![0u8; n];
                    conn.session_ticket(&mut v).ok().map(|n| {
                        v.truncate(n);
                        v
                    })
                }
                _ => None,
            });
        if fresh.is_some() {
            saved = fresh;
        }
        println_flush(&line);
        if i > 0 && !resumed {
            not_resumed += 1;
        }
        drop(conn);
        drop(stream);
    }
    if expect_resume && not_resumed > 0 {
        eprintln!("client: {not_resumed} reconnection(s) were not resumed");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
