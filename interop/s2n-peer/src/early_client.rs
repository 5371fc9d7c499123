//! `s2n-peer early-client`: a TLS1.3 client through s2n's C API (the crate's
//! safe API has no early data) that connects `1 + --reconnect` times, each
//! time offering the newest session and, when it has one, sending TEXT as
//! early data with `s2n_send_early_data` before `s2n_negotiate`. After the
//! handshake it reads until the server closes (the server's tickets arrive on
//! the way), keeps the newest session and shuts down.
//!
//! One line per connection: `<New|Reused> TLSv1.3 <cipher>, early data
//! <ok|not-requested|rejected|end> N` (N: bytes sent as early data).

use std::ffi::CString;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use s2n_tls::ffi;

use crate::args::Args;
use crate::common::{err, println_flush, read_file, set_timeouts};
use crate::raw::{ffi_check, ffi_err, RawConfig, RawConn};
use crate::Res;

pub fn early_client(mut a: Args) -> Res<ExitCode> {
    let connect = a.req("--connect")?;
    let ca = read_file(&a.req("--ca")?)?;
    let text = a.req("--early-data")?;
    let reconnect: u32 = a.num("--reconnect", 0)?;
    let io_timeout = Duration::from_secs(a.num("--io-timeout", 10)?);
    a.done()?;
    let addr: SocketAddr = connect
        .parse()
        .map_err(|_| format!("--connect: bad address {connect:?}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("--connect: {addr} is not a loopback address"));
    }
    let ca = CString::new(ca).map_err(err("--ca"))?;
    s2n_tls::init::init(); // s2n_init + the crate's allocator hooks, once
    let raw = unsafe { ffi::s2n_config_new() };
    if raw.is_null() {
        return Err(ffi_err("s2n_config_new"));
    }
    let config = RawConfig(raw);
    unsafe {
        ffi_check(
            ffi::s2n_config_set_cipher_preferences(config.0, c"default_tls13".as_ptr()),
            "policy",
        )?;
        ffi_check(
            ffi::s2n_config_wipe_trust_store(config.0),
            "wipe trust store",
        )?;
        ffi_check(
            ffi::s2n_config_add_pem_to_trust_store(config.0, ca.as_ptr()),
            "trust store",
        )?;
        ffi_check(
            ffi::s2n_config_set_session_tickets_onoff(config.0, 1),
            "session tickets",
        )?;
    }

    let mut saved: Option<Vec<u8>> = None;
    for i in 0..=reconnect {
        let ctx = |e: String| format!("connection {i}: {e}");
        let stream = TcpStream::connect_timeout(&addr, io_timeout).map_err(err("connect"))?;
        set_timeouts(&stream, io_timeout)?;
        let deadline = Instant::now() + io_timeout * 3;
        let raw = unsafe { ffi::s2n_connection_new(ffi::s2n_mode::CLIENT) };
        if raw.is_null() {
            return Err(ffi_err("s2n_connection_new"));
        }
        let mut conn = RawConn(raw);
        unsafe {
            ffi_check(
                ffi::s2n_connection_set_config(conn.0, config.0),
                "set config",
            )?;
            ffi_check(
                ffi::s2n_connection_set_blinding(conn.0, ffi::s2n_blinding::SELF_SERVICE_BLINDING),
                "set blinding",
            )?;
            ffi_check(
                ffi::s2n_connection_set_fd(conn.0, stream.as_raw_fd()),
                "set fd",
            )?;
            ffi_check(
                ffi::s2n_set_server_name(conn.0, c"localhost".as_ptr()),
                "server name",
            )?;
            if let Some(s) = &saved {
                ffi_check(
                    ffi::s2n_connection_set_session(conn.0, s.as_ptr(), s.len()),
                    "set session",
                )?;
            }
        }
        let mut sent = 0usize;
        if saved.is_some() {
            let data = text.as_bytes();
            conn.call("send_early_data", deadline, |c, b| unsafe {
                let mut n: isize = 0;
                let rest = &data[sent..];
                let r = ffi::s2n_send_early_data(c, rest.as_ptr(), rest.len() as isize, &mut n, b);
                sent += n.max(0) as usize;
                r as isize
            })
            .map_err(ctx)?;
        }
        conn.negotiate(deadline).map_err(ctx)?;
        let line = format!(
            "{}, early data {} {sent}",
            conn.summary(),
            conn.early_data_status()
        );
        // Read until the server closes: its TLS1.3 tickets come on the way.
        let mut buf = [0u8; 4096];
        while conn.recv(&mut buf, deadline).map_err(ctx)? > 0 {}
        let _ = conn.call("shutdown", deadline, |c, b| unsafe {
            ffi::s2n_shutdown(c, b) as isize
        });
        let len = unsafe { ffi::s2n_connection_get_session_length(conn.0) };
        if len > 0 {
            let mut v = vec![0u8; len as usize];
            let n = unsafe {
                ffi::s2n_connection_get_session(conn.0, v.as_mut_ptr() as *mut u8, v.len())
            };
            if n > 0 {
                v.truncate(n as usize);
                saved = Some(v);
            }
        }
        println_flush(&line);
        drop(conn);
        drop(stream);
    }
    Ok(ExitCode::SUCCESS)
}
