//! A file descriptor as a transport (`s2n_connection_set_fd`): the only place the
//! crate calls libc's read, write and send.

use std::io;
use std::os::fd::RawFd;

use crate::transport::{RecvHalf, SendHalf};

/// A file descriptor, blocking or not, as `s2n_connection_set_fd` takes it.
#[derive(Debug, Clone, Copy)]
pub struct Fd(pub RawFd);

fn last_os_error() -> io::Error {
    io::Error::last_os_error()
}

impl RecvHalf for Fd {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: `buf` is valid for writes of its length; a bad fd is an EBADF.
            let n = unsafe { libc::read(self.0, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

impl SendHalf for Fd {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            // send() with MSG_NOSIGNAL: a peer that went away is an EPIPE error, not a
            // SIGPIPE that kills the application. Pipes and files are not sockets: write().
            // SAFETY: `buf` is valid for reads of its length.
            let mut n =
                unsafe { libc::send(self.0, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) };
            if n < 0 && last_os_error().raw_os_error() == Some(libc::ENOTSOCK) {
                // SAFETY: as above.
                n = unsafe { libc::write(self.0, buf.as_ptr().cast(), buf.len()) };
            }
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{RecvHalf, SendHalf};

    #[test]
    fn fd_round_trip_over_a_socketpair() {
        let mut fds = [0; 2];
        assert_eq!(
            // SAFETY: `fds` has room for the two descriptors.
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) },
            0
        );
        let (mut a, mut b) = (Fd(fds[0]), Fd(fds[1]));
        assert_eq!(a.send(b"hello").unwrap(), 5);
        let mut buf = [0u8; 8];
        assert_eq!(b.recv(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        // SAFETY: fds[0] is ours and closed once.
        unsafe { libc::close(fds[0]) };
        assert_eq!(b.recv(&mut buf).unwrap(), 0, "closed peer is end of stream");
        assert!(b.send(b"x").is_err(), "EPIPE, no SIGPIPE");
        // SAFETY: fds[1] is ours and closed once.
        unsafe { libc::close(fds[1]) };
        assert!(Fd(-1).recv(&mut buf).is_err());
    }
}
