//! Where a connection's TLS records go: anything that can read and write bytes. The
//! implementations over file descriptors and the application's I/O callbacks are
//! in the C layer (`api::fd`, `api::callbacks`), the only code that calls libc or C.

use std::any::Any;
use std::io;

/// The receiving side of a transport. `Ok(0)` is end of stream; `WouldBlock` means
/// try again later.
pub trait RecvHalf: Send {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize>;

    /// The half as `Any`, for one that is changed in place when set again (the C
    /// layer's: its setters then allocate nothing). None by default.
    fn as_any_mut(&mut self) -> Option<&mut dyn Any> {
        None
    }
}

/// The sending side of a transport.
pub trait SendHalf: Send {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize>;

    /// As [`RecvHalf::as_any_mut`].
    fn as_any_mut(&mut self) -> Option<&mut dyn Any> {
        None
    }
}

/// An in-memory duplex pipe for tests: what one end sends, the other receives.
#[cfg(any(test, feature = "fuzzing"))]
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
            crate::sync::lock(&self.tx).1 = true;
        }
        /// Puts raw bytes on the wire towards the peer.
        pub fn inject(&self, bytes: &[u8]) {
            crate::sync::lock(&self.tx).0.extend(bytes);
        }
    }

    impl RecvHalf for End {
        fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut q = crate::sync::lock(&self.rx);
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

    impl SendHalf for End {
        fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut q = crate::sync::lock(&self.tx);
            if q.1 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            q.0.extend(buf);
            Ok(buf.len())
        }
    }
}
