//! The exported functions that set a connection's transport (file descriptors or
//! the application's callbacks) and the I/O calls: negotiate, send, recv, peek,
//! shutdown.

use std::any::Any;
use std::ffi::{c_int, c_void};
use std::io;

use libc::ssize_t;

use super::boundary::{try_slice, try_slice_mut};
use super::callbacks::{to_len, CallbackRecv, CallbackSend};
use super::fd::Fd;
use super::handles::{
    query_direction, s2n_connection, with_blocked, with_conn, with_direction, with_negotiation,
    ConnectionState, Ctx,
};
use super::hello_callback;
use super::{iovec, s2n_blocked_status, s2n_recv_fn, s2n_send_fn, S2N_SUCCESS};
use crate::connection::Claim;
use crate::error::{Error, Result};
use crate::transport::{RecvHalf, SendHalf};

/// The receiving transport the C API sets: one type for a file descriptor and
/// the recv callback, so a setter called again changes it in place.
enum CRecv {
    Fd(Fd),
    Callback(CallbackRecv),
}

impl RecvHalf for CRecv {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            CRecv::Fd(fd) => fd.recv(buf),
            CRecv::Callback(cb) => cb.recv(buf),
        }
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn Any> {
        Some(self)
    }
}

/// The sending transport the C API sets, as [`CRecv`].
enum CSend {
    Fd(Fd),
    Callback(CallbackSend),
}

impl SendHalf for CSend {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            CSend::Fd(fd) => fd.send(buf),
            CSend::Callback(cb) => cb.send(buf),
        }
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn Any> {
        Some(self)
    }
}

impl ConnectionState {
    /// Sets the receiving transport: in place over one the C API set before, so
    /// setting a callback and then its context boxes one half, not two.
    fn put_recv(&mut self, half: CRecv) {
        let set = self.core.recv_half_mut().and_then(|h| h.as_any_mut());
        match set.and_then(|h| h.downcast_mut::<CRecv>()) {
            Some(slot) => *slot = half,
            None => self.core.set_recv(Box::new(half)),
        }
    }

    /// Sets the sending transport, as `put_recv`.
    fn put_send(&mut self, half: CSend) {
        let set = self.core.send_half_mut().and_then(|h| h.as_any_mut());
        match set.and_then(|h| h.downcast_mut::<CSend>()) {
            Some(slot) => *slot = half,
            None => self.core.set_send(Box::new(half)),
        }
    }

    fn install_recv_callback(&mut self) {
        if let Some(f) = self.io.recv {
            self.io.read_fd = None;
            self.put_recv(CRecv::Callback(CallbackRecv(f, self.io.recv_ctx)));
        }
    }

    fn install_send_callback(&mut self) {
        if let Some(f) = self.io.send {
            self.io.write_fd = None;
            self.put_send(CSend::Callback(CallbackSend(f, self.io.send_ctx)));
            self.io.managed_send = false;
        }
    }
}

fn check_fd(fd: c_int) -> Result<Fd> {
    if fd < 0 {
        return Err(Error::usage(format!("{fd} is not a file descriptor")));
    }
    Ok(Fd(fd))
}

/// Sends and receives over one file descriptor (a socket, blocking or not). The
/// connection does not close it.
///
/// Errors: NULL conn; a negative fd.
#[no_mangle]
pub extern "C" fn s2n_connection_set_fd(conn: *mut s2n_connection, fd: c_int) -> c_int {
    with_conn(conn, |c| {
        let fd = check_fd(fd)?;
        c.put_recv(CRecv::Fd(fd));
        c.put_send(CSend::Fd(fd));
        c.io.managed_send = true;
        c.io.read_fd = Some(fd.0);
        c.io.write_fd = Some(fd.0);
        Ok(())
    })
}

/// Receives from this file descriptor (sending is set separately).
#[no_mangle]
pub extern "C" fn s2n_connection_set_read_fd(conn: *mut s2n_connection, readfd: c_int) -> c_int {
    with_conn(conn, |c| {
        c.put_recv(CRecv::Fd(check_fd(readfd)?));
        c.io.read_fd = Some(readfd);
        Ok(())
    })
}

/// Sends to this file descriptor (receiving is set separately).
#[no_mangle]
pub extern "C" fn s2n_connection_set_write_fd(conn: *mut s2n_connection, writefd: c_int) -> c_int {
    with_conn(conn, |c| {
        c.put_send(CSend::Fd(check_fd(writefd)?));
        c.io.managed_send = true;
        c.io.write_fd = Some(writefd);
        Ok(())
    })
}

/// Receives through an application callback instead of a file descriptor. The
/// callback returns the bytes read, 0 at end of stream, or -1 with errno set
/// (EAGAIN/EWOULDBLOCK: no data yet, and the s2n call returns blocked on read).
/// It runs with no lock held, its connection busy (see "Callbacks" at the top).
///
/// Errors: NULL conn or callback.
#[no_mangle]
pub extern "C" fn s2n_connection_set_recv_cb(
    conn: *mut s2n_connection,
    recv: s2n_recv_fn,
) -> c_int {
    with_conn(conn, |c| {
        c.io.recv = Some(recv.ok_or_else(|| Error::null("recv"))?);
        c.install_recv_callback();
        Ok(())
    })
}

/// Sends through an application callback: it returns the bytes written, or -1 with
/// errno set (EAGAIN/EWOULDBLOCK: the s2n call returns blocked on write). It runs
/// with no lock held, its connection busy (see "Callbacks" at the top).
///
/// Errors: NULL conn or callback.
#[no_mangle]
pub extern "C" fn s2n_connection_set_send_cb(
    conn: *mut s2n_connection,
    send: s2n_send_fn,
) -> c_int {
    with_conn(conn, |c| {
        c.io.send = Some(send.ok_or_else(|| Error::null("send"))?);
        c.install_send_callback();
        Ok(())
    })
}

/// The context passed to the recv callback. Default NULL.
#[no_mangle]
pub extern "C" fn s2n_connection_set_recv_ctx(
    conn: *mut s2n_connection,
    ctx: *mut c_void,
) -> c_int {
    with_conn(conn, |c| {
        c.io.recv_ctx = Ctx(ctx);
        c.install_recv_callback();
        Ok(())
    })
}

/// The context passed to the send callback. Default NULL.
#[no_mangle]
pub extern "C" fn s2n_connection_set_send_ctx(
    conn: *mut s2n_connection,
    ctx: *mut c_void,
) -> c_int {
    with_conn(conn, |c| {
        c.io.send_ctx = Ctx(ctx);
        c.install_send_callback();
        Ok(())
    })
}

/// Performs the TLS handshake. With non-blocking I/O it returns S2N_FAILURE with an
/// S2N_ERR_T_BLOCKED error and `*blocked` set to S2N_BLOCKED_ON_READ or
/// S2N_BLOCKED_ON_WRITE; call it again when the transport is ready and it continues.
///
/// Errors: NULL arguments; no I/O set or a server without certificate
/// (S2N_ERR_T_USAGE, the connection stays usable); a peer that closes
/// (S2N_ERR_T_CLOSED), sends an alert (S2N_ERR_T_ALERT: see
/// `s2n_connection_get_alert`), sends garbage or an untrusted certificate
/// (S2N_ERR_T_PROTO); a transport error (S2N_ERR_T_IO). After those the connection
/// must be wiped or freed; its config stays usable.
///
/// With an async private key callback (`s2n_config_set_async_pkey_callback`) it
/// also fails with S2N_ERR_T_BLOCKED and S2N_BLOCKED_ON_APPLICATION_INPUT while
/// the application holds the signature operation: call it again once the
/// operation is applied.
#[no_mangle]
pub extern "C" fn s2n_negotiate(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    with_negotiation(
        conn,
        blocked,
        hello_callback::step,
        // The async private key or client hello callback, with the connection usable.
        |owed| hello_callback::run(conn, owed),
        |c, e| c.core.pkey_callback_failed(e),
    )
}

fn to_size(size: ssize_t) -> Result<usize> {
    usize::try_from(size).map_err(|_| Error::usage(format!("size {size} is negative")))
}

/// Encrypts and sends `size` bytes of `buf` after the handshake.
///
/// @returns The number of bytes sent. When the transport blocks after some data
/// went out, that (smaller) count; call again with the rest. When it blocks before
/// any did, S2N_FAILURE with `*blocked` = S2N_BLOCKED_ON_WRITE: call again with the
/// same buffer and size.
///
/// One thread may call this while another is in `s2n_recv` on the same connection
/// (after the handshake); any other overlapping call fails with
/// S2N_ERR_CONNECTION_IN_USE. Records `s2n_recv` owes the peer (a key update
/// reply) are sent here if that call could not send them itself.
///
/// Errors: NULL arguments, a negative size, before the handshake, after
/// `s2n_shutdown_send` (S2N_ERR_T_CLOSED), a transport error (S2N_ERR_T_IO).
#[no_mangle]
pub extern "C" fn s2n_send(
    conn: *mut s2n_connection,
    buf: *const c_void,
    size: ssize_t,
    blocked: *mut s2n_blocked_status,
) -> ssize_t {
    with_direction(conn, blocked, Claim::Send, |c| {
        // SAFETY: NULL or valid for `size` bytes.
        let data = unsafe { try_slice(buf.cast(), to_size(size)?, "buf") }?;
        Ok(c.send(data)? as ssize_t)
    })
}

/// Borrows a caller's vector of buffers.
fn gather<'a>(bufs: *const iovec, count: ssize_t) -> Result<Vec<&'a [u8]>> {
    let count =
        usize::try_from(count).map_err(|_| Error::usage(format!("count {count} is negative")))?;
    if count == 0 {
        return Ok(Vec::new());
    }
    if bufs.is_null() {
        return Err(Error::null("bufs"));
    }
    if count > isize::MAX as usize / std::mem::size_of::<iovec>() {
        return Err(Error::usage(format!(
            "count {count} is more than any vector can hold"
        )));
    }
    // SAFETY: `bufs` is non-NULL and, as the API requires, points to `count` iovecs.
    let vector = unsafe { std::slice::from_raw_parts(bufs, count) };
    vector
        .iter()
        // SAFETY: each iovec's base is valid for reads of its length, as the API
        // requires (NULL with a length is refused by try_slice).
        .map(|v| unsafe { try_slice(v.iov_base as *const u8, v.iov_len, "bufs[i].iov_base") })
        .collect()
}

/// Like `s2n_send`, from a vector of `count` buffers starting `offs` bytes in (a
/// byte offset across the buffers). After a partial write, call again with the
/// same vector and `offs` advanced by the count returned; after a blocked call
/// (S2N_FAILURE, `*blocked` = S2N_BLOCKED_ON_WRITE), with the same vector and
/// offset. May overlap a call to `s2n_recv` from another thread, as `s2n_send`.
///
/// @returns The number of bytes sent from `offs` on.
///
/// Errors: NULL conn or blocked; NULL bufs with count > 0, a NULL buffer with a
/// length; a negative count or offset; an offset past the vector's bytes
/// (S2N_ERR_INVALID_ARGUMENT); otherwise as `s2n_send`.
#[no_mangle]
pub extern "C" fn s2n_sendv_with_offset(
    conn: *mut s2n_connection,
    bufs: *const iovec,
    count: ssize_t,
    offs: ssize_t,
    blocked: *mut s2n_blocked_status,
) -> ssize_t {
    with_direction(conn, blocked, Claim::Send, |c| {
        let parts = gather(bufs, count)?;
        let offset = to_size(offs)?;
        Ok(c.send_vectored(&parts, offset)? as ssize_t)
    })
}

/// `s2n_sendv_with_offset` with an offset of 0: after a partial write the caller
/// must itself advance `bufs` past what was sent (which is why s2n recommends
/// `s2n_sendv_with_offset`).
#[no_mangle]
pub extern "C" fn s2n_sendv(
    conn: *mut s2n_connection,
    bufs: *const iovec,
    count: ssize_t,
    blocked: *mut s2n_blocked_status,
) -> ssize_t {
    with_direction(conn, blocked, Claim::Send, |c| {
        let parts = gather(bufs, count)?;
        Ok(c.send_vectored(&parts, 0)? as ssize_t)
    })
}

/// Receives and decrypts up to `size` bytes into `buf` after the handshake.
///
/// One thread may call this while another is in `s2n_send` or `s2n_shutdown_send`
/// on the same connection (after the handshake); any other overlapping call fails
/// with S2N_ERR_CONNECTION_IN_USE.
///
/// @returns The number of bytes read; 0 once the peer has sent close_notify;
/// S2N_FAILURE with `*blocked` = S2N_BLOCKED_ON_READ when no data is available
/// yet. TLS1.3 session tickets and key updates that arrive are processed here.
///
/// Errors: NULL arguments, a negative size, before the handshake; the transport
/// ended without close_notify (S2N_ERR_CLOSED, S2N_ERR_T_CLOSED, on this and every
/// later call, as in s2n-tls: the data may have been truncated by an attacker, and
/// the session is removed from the server's cache); a peer alert (S2N_ERR_T_ALERT),
/// bad records (S2N_ERR_T_PROTO), a transport error (S2N_ERR_T_IO).
#[no_mangle]
pub extern "C" fn s2n_recv(
    conn: *mut s2n_connection,
    buf: *mut c_void,
    size: ssize_t,
    blocked: *mut s2n_blocked_status,
) -> ssize_t {
    with_direction(conn, blocked, Claim::Recv, |c| {
        // SAFETY: NULL or valid for writes of `size` bytes.
        let data = unsafe { try_slice_mut(buf.cast(), to_size(size)?, "buf") }?;
        Ok(c.recv(data)? as ssize_t)
    })
}

/// The number of decrypted bytes already buffered, which `s2n_recv` returns
/// without reading the transport. A receiving call: it may be called while
/// another thread is in `s2n_send` on the connection. 0 for a NULL conn, or while
/// another thread is in `s2n_recv` on it (S2N_ERR_CONNECTION_IN_USE).
#[no_mangle]
pub extern "C" fn s2n_peek(conn: *mut s2n_connection) -> u32 {
    query_direction(conn, Claim::Recv, |c| Ok(to_len(c.peek()?.0)))
}

/// The number of bytes read from the transport and not yet decrypted. rs2n
/// decrypts every whole record it has read at once (so `s2n_peek` counts them)
/// unless more than 16 KiB of decrypted data waits to be received: the bytes it
/// holds back then are counted here. The start of a record whose end has not
/// arrived yet is not counted (s2n does not count it either). Like `s2n_peek`, it
/// may be called while another thread is in `s2n_send`. 0 for a NULL conn, or
/// while another thread is in `s2n_recv` on it (S2N_ERR_CONNECTION_IN_USE).
#[no_mangle]
pub extern "C" fn s2n_peek_buffered(conn: *mut s2n_connection) -> u32 {
    query_direction(conn, Claim::Recv, |c| Ok(to_len(c.peek()?.1)))
}

/// Closes the connection: sends close_notify, then reads until the peer's
/// close_notify arrives (discarding application data). Non-blocking like
/// `s2n_negotiate`. It does not close the file descriptor. It both sends and
/// receives, so it fails with S2N_ERR_CONNECTION_IN_USE while another thread is in
/// `s2n_recv` or `s2n_send`: to close while a thread reads, use
/// `s2n_shutdown_send` and let the reader see `s2n_recv` return 0.
///
/// Errors: the peer ended the transport without close_notify (S2N_ERR_T_CLOSED);
/// the connection had failed earlier.
#[no_mangle]
pub extern "C" fn s2n_shutdown(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    with_blocked(conn, blocked, |c| c.core.shutdown().map(|()| S2N_SUCCESS))
}

/// Sends close_notify without waiting for the peer's: the connection can still
/// receive until the peer closes (s2n_recv returns 0). Non-blocking like
/// `s2n_negotiate`. Like `s2n_send`, it may run while another thread is in
/// `s2n_recv` on the same connection.
#[no_mangle]
pub extern "C" fn s2n_shutdown_send(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
) -> c_int {
    with_direction(conn, blocked, Claim::Send, |c| {
        c.shutdown_send().map(|()| S2N_SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::super::connection::{s2n_connection_free, s2n_connection_new};
    use super::super::negotiated::{s2n_connection_get_read_fd, s2n_connection_get_write_fd};
    use super::super::{S2N_CLIENT, S2N_FAILURE};
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The context the last callback ran with, and which callback (1 or 2).
    static LAST: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn recv_one(ctx: *mut c_void, _: *mut u8, _: u32) -> c_int {
        LAST.store(ctx as usize + 1, Ordering::SeqCst);
        0
    }
    unsafe extern "C" fn recv_two(ctx: *mut c_void, _: *mut u8, _: u32) -> c_int {
        LAST.store(ctx as usize + 2, Ordering::SeqCst);
        0
    }
    unsafe extern "C" fn send_one(ctx: *mut c_void, _: *const u8, len: u32) -> c_int {
        LAST.store(ctx as usize + 1, Ordering::SeqCst);
        len as c_int
    }

    /// The address of the connection's transport halves (recv, send).
    fn halves(conn: *mut s2n_connection) -> (usize, usize) {
        // SAFETY: a live handle, used by this thread only.
        let mut state = unsafe { &*conn }.enter().unwrap();
        let recv = state
            .core
            .recv_half_mut()
            .map_or(0, |h| h as *mut _ as *mut () as usize);
        let send = state
            .core
            .send_half_mut()
            .map_or(0, |h| h as *mut _ as *mut () as usize);
        (recv, send)
    }

    fn last_after_io(conn: *mut s2n_connection) -> usize {
        // SAFETY: a live handle, used by this thread only.
        let mut state = unsafe { &*conn }.enter().unwrap();
        let mut buf = [0u8; 4];
        let _ = state.core.recv_half_mut().unwrap().recv(&mut buf);
        LAST.load(Ordering::SeqCst)
    }

    #[test]
    fn setters_called_again_change_the_transport_in_place() {
        let conn = s2n_connection_new(S2N_CLIENT);
        let mut fd = -1;
        assert_eq!(
            s2n_connection_set_recv_cb(conn, Some(recv_one)),
            S2N_SUCCESS
        );
        assert_eq!(
            s2n_connection_set_send_cb(conn, Some(send_one)),
            S2N_SUCCESS
        );
        let first = halves(conn);
        assert!(first.0 != 0 && first.1 != 0);
        let ctx = 0x1000 as *mut c_void;
        for _ in 0..3 {
            assert_eq!(s2n_connection_set_recv_ctx(conn, ctx), S2N_SUCCESS);
            assert_eq!(s2n_connection_set_send_ctx(conn, ctx), S2N_SUCCESS);
            assert_eq!(
                s2n_connection_set_recv_cb(conn, Some(recv_one)),
                S2N_SUCCESS
            );
        }
        assert_eq!(halves(conn), first, "no new halves");
        assert_eq!(last_after_io(conn), 0x1001);
        // A file descriptor, then a callback again, also in place; the getters
        // follow.
        assert_eq!(s2n_connection_set_fd(conn, 5), S2N_SUCCESS);
        assert_eq!(halves(conn), first);
        assert_eq!(s2n_connection_get_read_fd(conn, &mut fd), S2N_SUCCESS);
        assert_eq!(fd, 5);
        assert_eq!(
            s2n_connection_set_recv_cb(conn, Some(recv_two)),
            S2N_SUCCESS
        );
        assert_eq!(s2n_connection_get_read_fd(conn, &mut fd), S2N_FAILURE);
        assert_eq!(s2n_connection_get_write_fd(conn, &mut fd), S2N_SUCCESS);
        assert_eq!(fd, 5);
        assert_eq!(halves(conn), first);
        // The callback set last, with the context set before it.
        assert_eq!(last_after_io(conn), 0x1002);
        let other = 0x2000 as *mut c_void;
        assert_eq!(s2n_connection_set_recv_ctx(conn, other), S2N_SUCCESS);
        assert_eq!(last_after_io(conn), 0x2002);
        assert_eq!(halves(conn), first);
        assert_eq!(s2n_connection_free(conn), S2N_SUCCESS);
    }
}
