//! Helpers both ends use: error text, reading files, random bytes, the
//! per-connection output line, socket timeouts and bounded waiting.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::Res;

pub fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

pub fn random_bytes(n: usize) -> Res<Vec<u8>> {
    let mut v = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut v))
        .map_err(err("/dev/urandom"))?;
    Ok(v)
}

pub fn read_file(path: &str) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

pub fn println_flush(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

pub fn line_for(resumed: bool, proto: &str, cipher: &str) -> String {
    format!(
        "{} {proto} {cipher}",
        if resumed { "Reused" } else { "New" }
    )
}

pub fn set_timeouts(stream: &TcpStream, io_timeout: Duration) -> Res<()> {
    stream.set_nodelay(true).map_err(err("nodelay"))?;
    stream
        .set_read_timeout(Some(io_timeout))
        .map_err(err("read timeout"))?;
    stream
        .set_write_timeout(Some(io_timeout))
        .map_err(err("write timeout"))?;
    Ok(())
}

pub fn sleep_or_timeout(what: &str, deadline: Instant) -> Res<()> {
    if Instant::now() >= deadline {
        return Err(format!("{what}: timed out"));
    }
    std::thread::sleep(Duration::from_millis(1));
    Ok(())
}
