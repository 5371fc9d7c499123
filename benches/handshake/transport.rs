//! The in-memory transport both sides run over: a duplex pipe of two byte
//! queues, no sockets. rs2n reads and writes an `End` through its transport
//! traits, bare rustls through `Read`/`Write`.

use std::io::{self, IoSlice, Read, Write};
use std::sync::{Arc, Mutex};

use rs2n::transport::{RecvHalf, SendHalf};

/// Bytes in flight one way. Reading an empty queue would block.
#[derive(Default)]
struct Queue {
    buf: Vec<u8>,
    pos: usize,
}

type Shared = Arc<Mutex<Queue>>;

/// One end of a duplex pipe; both implementations use it (rs2n through its
/// transport traits, rustls through `Read`/`Write`).
#[derive(Clone)]
pub struct End {
    rx: Shared,
    tx: Shared,
}

pub fn pipe() -> (End, End) {
    let a: Shared = Default::default();
    let b: Shared = Default::default();
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

impl End {
    fn pull(&self, out: &mut [u8]) -> io::Result<usize> {
        let mut q = self.rx.lock().unwrap();
        let avail = q.buf.len() - q.pos;
        if avail == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = avail.min(out.len());
        out[..n].copy_from_slice(&q.buf[q.pos..q.pos + n]);
        q.pos += n;
        if q.pos == q.buf.len() {
            q.buf.clear();
            q.pos = 0;
        }
        Ok(n)
    }

    fn put(&self, bufs: &[&[u8]]) -> usize {
        let mut q = self.tx.lock().unwrap();
        let mut n = 0;
        for b in bufs {
            q.buf.extend_from_slice(b);
            n += b.len();
        }
        n
    }

    pub fn readable(&self) -> bool {
        let q = self.rx.lock().unwrap();
        q.pos < q.buf.len()
    }
}

impl RecvHalf for End {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        End::pull(self, buf)
    }
}

impl SendHalf for End {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.put(&[buf]))
    }
}

impl Read for End {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        End::pull(self, buf)
    }
}

impl Write for End {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.put(&[buf]))
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let slices: Vec<&[u8]> = bufs.iter().map(|b| &**b).collect();
        Ok(self.put(&slices))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
