//! `s2n-peer server`: accepts loopback connections one at a time, and on each
//! runs the handshake, prints the line, echoes one line back and shuts down,
//! all through s2n's C API (the sys layer).

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use s2n_tls::ffi;

use crate::args::{parse_hex, Args};
use crate::common::{err, println_flush, random_bytes, read_file, set_timeouts};
use crate::raw::{ffi_check, ffi_err, RawConfig, RawConn};
use crate::server_config::{server_config, ServerOpts};
use crate::Res;

pub fn server(mut a: Args) -> Res<ExitCode> {
    let port: u16 = a.num("--port", 0)?;
    let cert = read_file(&a.req("--cert")?)?;
    let key = read_file(&a.req("--key")?)?;
    let policy = a.opt("--policy")?.unwrap_or_else(|| "default_tls13".into());
    let tickets = a.flag("--tickets");
    let cache = a.flag("--cache");
    let ticket_key = match a.opt("--ticket-key")? {
        Some(h) => parse_hex(&h)?,
        None => random_bytes(32)?,
    };
    let ticket_key_name = a
        .opt("--ticket-key-name")?
        .unwrap_or_else(|| "s2n-peer".into());
    let max_conns: u32 = a.num("--max-conns", 100)?;
    let idle_timeout = Duration::from_secs(a.num("--idle-timeout", 30)?);
    let io_timeout = Duration::from_secs(a.num("--io-timeout", 10)?);
    let alpn: Vec<String> = a
        .opt("--alpn")?
        .map(|l| l.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let ca = a.opt("--ca")?.map(|f| read_file(&f)).transpose()?;
    // TLS1.3 early data: the most accepted, read with s2n_recv_early_data
    // before the handshake; the line then ends with ", early data STATUS N".
    let early_max: u32 = a.num("--early-data", 0)?;
    let ocsp = a.opt("--ocsp")?.map(|f| read_file(&f)).transpose()?;
    a.done()?;
    let extras = !alpn.is_empty() || ca.is_some();
    if ticket_key.len() < 16 {
        return Err("--ticket-key: at least 16 bytes".into());
    }

    let opts = ServerOpts {
        cert,
        key,
        policy,
        tickets,
        cache,
        ticket_key,
        ticket_key_name,
        alpn,
        ca,
        ocsp,
    };
    let config = server_config(&opts)?;
    if early_max > 0 {
        unsafe {
            ffi_check(
                ffi::s2n_config_set_server_max_early_data_size(config.0, early_max),
                "max early data size",
            )?;
        }
    }

    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(err("bind"))?;
    let local = listener.local_addr().map_err(err("local_addr"))?;
    listener
        .set_nonblocking(true)
        .map_err(err("set_nonblocking"))?;
    println_flush(&format!("listening on 127.0.0.1:{}", local.port()));

    let mut failures = 0u32;
    let mut served = 0u32;
    'accept: while served < max_conns {
        // Bounded accept: give up after idle_timeout without a new connection.
        let idle_deadline = Instant::now() + idle_timeout;
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= idle_deadline {
                        eprintln!("server: idle for {}s, exiting", idle_timeout.as_secs());
                        break 'accept;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(format!("accept: {e}")),
            }
        };
        served += 1;
        match serve_one(&config, stream, io_timeout, extras, early_max as usize) {
            Ok(line) => println_flush(&line),
            Err(e) => {
                failures += 1;
                eprintln!("server: connection {served}: error: {e}");
            }
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn serve_one(
    config: &RawConfig,
    stream: TcpStream,
    io_timeout: Duration,
    extras: bool,
    early_max: usize,
) -> Res<String> {
    stream
        .set_nonblocking(false)
        .map_err(err("set_nonblocking"))?;
    set_timeouts(&stream, io_timeout)?;
    let deadline = Instant::now() + io_timeout * 3;

    let raw = unsafe { ffi::s2n_connection_new(ffi::s2n_mode::SERVER) };
    if raw.is_null() {
        return Err(ffi_err("s2n_connection_new"));
    }
    let mut conn = RawConn(raw);
    unsafe {
        ffi_check(
            ffi::s2n_connection_set_config(conn.0, config.0),
            "set config",
        )?;
        // A test peer: report failures at once, not after s2n's 10-30 s
        // blinding sleep.
        ffi_check(
            ffi::s2n_connection_set_blinding(conn.0, ffi::s2n_blinding::SELF_SERVICE_BLINDING),
            "set blinding",
        )?;
        // s2n's own socket I/O; s2n never closes the fd, `stream` outlives
        // `conn` (dropped below in that order).
        ffi_check(
            ffi::s2n_connection_set_fd(conn.0, stream.as_raw_fd()),
            "set fd",
        )?;
    }
    let mut early = vec![0u8; early_max];
    let mut early_len = 0usize;
    if early_max > 0 {
        conn.call("recv_early_data", deadline, |c, b| unsafe {
            let mut got: isize = 0;
            let rest = &mut early[early_len..];
            let r =
                ffi::s2n_recv_early_data(c, rest.as_mut_ptr(), rest.len() as isize, &mut got, b);
            early_len += got.max(0) as usize;
            r as isize
        })?;
    }
    conn.negotiate(deadline)?;
    // The summary (with ALPN and client certificate if asked), then what was
    // negotiated on a line of its own.
    let mut line = conn.summary();
    if extras {
        line.push_str(&conn.alpn_and_client_cert());
    }
    if early_max > 0 {
        line.push_str(&format!(
            ", early data {} {early_len}",
            conn.early_data_status()
        ));
    }
    line = format!("{line}\nnegotiated: {}", conn.negotiated());

    // Echo one line.
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.contains(&b'\n') && data.len() <= 65536 {
        let n = conn.recv(&mut buf, deadline)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    if !data.is_empty() {
        conn.send_all(&data, deadline)?;
    }
    // Full shutdown: send close_notify, wait for the peer's. A peer that
    // closes without close_notify is only a warning.
    if let Err(e) = conn.call("shutdown", deadline, |c, b| unsafe {
        ffi::s2n_shutdown(c, b) as isize
    }) {
        eprintln!("server: warning: {e}");
    }
    drop(conn);
    drop(stream);
    Ok(line)
}
