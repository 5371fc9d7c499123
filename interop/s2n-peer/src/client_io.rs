//! The client's I/O under the `s2n-tls` crate API: callbacks over a blocking
//! `TcpStream`, and a loop driving the crate's poll-style calls to a deadline.

use std::ffi::{c_int, c_void};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::task::Poll;
use std::time::Instant;

use crate::common::sleep_or_timeout;
use crate::Res;

/// I/O callbacks over a blocking `TcpStream` with socket timeouts. The
/// vendored crate has no `set_fd`, so the connection reads and writes
/// through these; a timeout is reported to s2n as EAGAIN ("blocked").
pub unsafe extern "C" fn io_recv(ctx: *mut c_void, buf: *mut u8, len: u32) -> c_int {
    let stream = &*(ctx as *const TcpStream);
    let buf = std::slice::from_raw_parts_mut(buf, len as usize);
    match (&mut &*stream).read(buf) {
        Ok(n) => n as c_int,
        Err(e) => {
            *libc::__errno_location() = e.raw_os_error().unwrap_or(libc::EIO);
            -1
        }
    }
}

pub unsafe extern "C" fn io_send(ctx: *mut c_void, buf: *const u8, len: u32) -> c_int {
    let stream = &*(ctx as *const TcpStream);
    let buf = std::slice::from_raw_parts(buf, len as usize);
    match (&mut &*stream).write(buf) {
        Ok(n) => n as c_int,
        Err(e) => {
            *libc::__errno_location() = e.raw_os_error().unwrap_or(libc::EIO);
            -1
        }
    }
}

/// Drive a poll-style crate call; `Pending` means a socket timeout.
pub fn drive<T>(
    what: &str,
    deadline: Instant,
    mut f: impl FnMut() -> Poll<Result<T, s2n_tls::error::Error>>,
) -> Res<T> {
    loop {
        match f() {
            Poll::Ready(Ok(v)) => return Ok(v),
            Poll::Ready(Err(e)) => return Err(format!("{what}: {e} ({})", e.name())),
            Poll::Pending => sleep_or_timeout(what, deadline)?,
        }
    }
}
