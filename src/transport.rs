//! Where a connection's TLS records go: file descriptors, or anything else that can
//! read and write bytes (the application's I/O callbacks live in the api layer).

use std::io;
use std::os::fd::RawFd;

/// The receiving side of a transport. `Ok(0)` is end of stream; `WouldBlock` means
/// try again later.
pub trait Recv: Send {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize>;
}

/// The sending side of a transport.
pub trait Send_: Send {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize>;
}

/// A file descriptor, blocking or not, as `s2n_connection_set_fd` takes it.
#[derive(Debug, Clone, Copy)]
pub struct Fd(pub RawFd);

fn last_os_error() -> io::Error {
    io::Error::last_os_error()
}

impl Recv for Fd {
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

impl Send_ for Fd {
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

/// An in-memory duplex pipe for tests: what one end sends, the other receives.
#[cfg(test)]
pub mod memory {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    type Queue = Arc<Mutex<(VecDeque<u8>, bool)>>;

    /// One end of a pipe. Reading an empty, open queue would block.
    #[derive(Clone, Debug)]
    pub struct End {
        rx: Queue,
        tx: Queue,
    }

    pub fn pair() -> (End, End) {
        let a: Queue = Default::default();
        let b: Queue = Default::default();
        (
            End {
                rx: a.clone(),
                tx: b.clone(),
            },
            End { rx: b, tx: a },
        )
    }

    impl End {
        /// Closes this end's sending direction (the peer sees end of stream).
        pub fn close(&self) {
            self.tx.lock().unwrap().1 = true;
        }
        /// Puts raw bytes on the wire towards the peer.
        pub fn inject(&self, bytes: &[u8]) {
            self.tx.lock().unwrap().0.extend(bytes);
        }
    }

    impl Recv for End {
        fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut q = self.rx.lock().unwrap();
            if q.0.is_empty() {
                return if q.1 {
                    Ok(0)
                } else {
                    Err(io::ErrorKind::WouldBlock.into())
                };
            }
            let n = buf.len().min(q.0.len());
            for (dst, src) in buf.iter_mut().zip(q.0.drain(..n)) {
                *dst = src;
            }
            Ok(n)
        }
    }

    impl Send_ for End {
        fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut q = self.tx.lock().unwrap();
            if q.1 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            q.0.extend(buf);
            Ok(buf.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_round_trip_over_a_socketpair() {
        let mut fds = [0; 2];
        assert_eq!(
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) },
            0
        );
        let (mut a, mut b) = (Fd(fds[0]), Fd(fds[1]));
        assert_eq!(a.send(b"hello").unwrap(), 5);
        let mut buf = [0u8; 8];
        assert_eq!(b.recv(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        unsafe { libc::close(fds[0]) };
        assert_eq!(b.recv(&mut buf).unwrap(), 0, "closed peer is end of stream");
        assert!(b.send(b"x").is_err(), "EPIPE, no SIGPIPE");
        unsafe { libc::close(fds[1]) };
        assert!(Fd(-1).recv(&mut buf).is_err());
    }
}
