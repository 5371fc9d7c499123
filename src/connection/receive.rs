//! Receiving application data (`s2n_recv`) in steps: see `duplex`. A transport
//! read lands in the thread's read buffer, outside the connection's lock; the step
//! after it gives rustls what it takes and keeps only the rest in the connection.

use std::cell::Cell;
use std::io::{self, Read};
use std::ops::{Deref, DerefMut};

use super::duplex::{flush_via, rustls_refused, Steps};
use super::{Blocked, Connection, PeerClose};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::RecvHalf;

/// The most bytes one transport read takes after the handshake: a whole record of
/// the largest size (16 KiB of plaintext, its padding, tag and header).
const READ_CHUNK: usize = 16 * 1024 + 256 + 5;
/// The first reads into a connection's own buffer take less (as rustls reads): a
/// connection that receives little never needs more.
const FIRST_READ: usize = 4096;

/// rustls takes no more bytes while more plaintext than this waits to be read
/// (its default received-plaintext limit).
const PLAINTEXT_LIMIT: usize = 16 * 1024;

/// The receive direction while its owner reads from the transport, unlocked.
struct Incoming {
    half: Box<dyn RecvHalf>,
    buf: ReadBuf,
}

/// Where a transport read after the handshake lands.
enum ReadBuf {
    /// The thread's buffer (the usual case): what rustls takes of it is fed at
    /// once, and what it does not take is kept in the connection's own buffer.
    Thread(ThreadBuf),
    /// The connection's own buffer: while this thread's is in use (an `s2n_recv`
    /// made from inside another connection's I/O callback) or gone (thread exit).
    Own(Vec<u8>),
}

impl Deref for ReadBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            ReadBuf::Thread(b) => b,
            ReadBuf::Own(v) => v,
        }
    }
}

impl DerefMut for ReadBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            ReadBuf::Thread(b) => b,
            ReadBuf::Own(v) => v,
        }
    }
}

/// A thread's read buffer: free, in use by a read on this thread, or not made yet.
enum Slot {
    Empty,
    Taken,
    Free(Box<[u8]>),
}

thread_local! {
    /// One read buffer per thread for every connection it receives on: a read
    /// needs room for a whole record only while it runs, so a connection need not
    /// carry (nor zero) one of its own. It only ever holds bytes as they came off
    /// the wire (records, encrypted after the handshake), never plaintext.
    static READ_BUF: Cell<Slot> = const { Cell::new(Slot::Empty) };
}

/// The thread's read buffer, taken for one read; put back when dropped.
struct ThreadBuf(Box<[u8]>);

impl ThreadBuf {
    /// None while a read on this thread holds it, or once the thread is exiting.
    fn take() -> Option<ThreadBuf> {
        let slot = READ_BUF.try_with(|slot| slot.replace(Slot::Taken)).ok()?;
        match slot {
            Slot::Free(b) => Some(ThreadBuf(b)),
            Slot::Empty => Some(ThreadBuf(vec![0; READ_CHUNK].into_boxed_slice())),
            Slot::Taken => None,
        }
    }
}

impl Drop for ThreadBuf {
    fn drop(&mut self) {
        let b = std::mem::take(&mut self.0);
        // Once the thread's locals are gone, the buffer is freed instead.
        let _ = READ_BUF.try_with(|slot| slot.set(Slot::Free(b)));
    }
}

impl Deref for ThreadBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for ThreadBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

enum RecvStep {
    Done(usize),
    Read(Incoming),
}

/// `s2n_recv` in steps. The caller holds the receive direction.
pub(crate) fn recv_via(s: &impl Steps, buf: &mut [u8]) -> Result<usize> {
    // Set by the call's first step, which checks the call.
    let mut multi_record = None;
    let mut total = 0;
    loop {
        match recv_once(s, &mut buf[total..], &mut multi_record) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                total += n;
                if multi_record != Some(true) || total == buf.len() {
                    return Ok(total);
                }
            }
            // As s2n: what was read is returned; the next call reports the rest.
            Err(e) if total > 0 && (e.is_blocked() || e.code == ErrorCode::Closed) => {
                s.step(|c| c.blocked = Blocked::NotBlocked);
                return Ok(total);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Decrypted data available now, or from the next records read. A read is taken
/// in with the step after it: a call that blocks takes two locked steps.
fn recv_once(s: &impl Steps, buf: &mut [u8], multi_record: &mut Option<bool>) -> Result<usize> {
    let mut input = None;
    loop {
        let (step, owed) = s.step(|c| {
            let step = c.recv_step(buf, multi_record, input.take());
            (step, c.tls.as_ref().is_some_and(|t| t.wants_write()))
        });
        if owed {
            let mut failed = None;
            // Replies rustls owes the peer (a key update) go out when the
            // transport takes them.
            s.send_owed(|| match flush_via(s) {
                Err(e) if !e.is_blocked() => failed = Some(e),
                _ => {}
            });
            if let Some(e) = failed {
                if let Ok(RecvStep::Read(r)) = step {
                    s.step(|c| c.recv = Some(r.half));
                }
                return Err(e);
            }
        }
        let mut r = match step? {
            RecvStep::Done(n) => return Ok(n),
            RecvStep::Read(r) => r,
        };
        let result = r.half.recv(&mut r.buf);
        input = Some((r, result));
    }
}

impl Connection {
    /// Checks a receive; whether it fills the buffer from several records.
    fn recv_check(&mut self) -> Result<bool> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        self.require_handshake("s2n_recv")?;
        Ok(self.config().settings().io.recv_multi_record)
    }

    /// Takes in the last transport read (`input`), or checks the call on its
    /// first step (`multi_record` unset); then decrypts the bytes already read,
    /// returns decrypted data if there is some, and otherwise hands out the
    /// transport to read more.
    fn recv_step(
        &mut self,
        buf: &mut [u8],
        multi_record: &mut Option<bool>,
        input: Option<(Incoming, io::Result<usize>)>,
    ) -> Result<RecvStep> {
        if let Some((r, result)) = input {
            self.put_input(r, result)?;
        } else if multi_record.is_none() {
            *multi_record = Some(self.recv_check()?);
        }
        if buf.is_empty() {
            return Ok(RecvStep::Done(0));
        }
        self.decrypt_pending()?;
        let Some(tls) = self.tls.as_mut() else {
            return Err(Error::new(ErrorCode::InvalidState, "no TLS connection"));
        };
        match tls.reader().read(buf) {
            Ok(0) => {
                self.peer_close.get_or_insert(PeerClose::CloseNotify);
                return Ok(RecvStep::Done(0));
            }
            Ok(n) => {
                self.plaintext_pending = self.plaintext_pending.saturating_sub(n);
                // What was read stays visible to s2n_peek, not hidden here.
                self.decrypt_pending()?;
                return Ok(RecvStep::Done(n));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                // No close_notify: the data may have been truncated by an attacker,
                // so it is an error, not an end of data (as s2n), and the session
                // cannot resume.
                if self.peer_close.is_none() {
                    self.forget_session();
                }
                self.peer_close.get_or_insert(PeerClose::Abrupt);
                return Err(Error::new(
                    ErrorCode::Closed,
                    "the peer closed the transport without sending close_notify: the data may be truncated",
                ));
            }
            Err(e) => {
                return Err(Error::new(
                    ErrorCode::Internal,
                    format!("reading plaintext failed: {e}"),
                ))
            }
        }
        if self.in_pos < self.in_end {
            // No plaintext, yet rustls takes no more of what was read.
            return Err(Error::new(
                ErrorCode::Internal,
                "rustls took none of the bytes read from the transport",
            ));
        }
        let Some(half) = self.recv.take() else {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the connection has no I/O",
            ));
        };
        // The last read filled the connection's own buffer.
        let filled = self.in_end == self.pending_in.len();
        self.in_pos = 0;
        self.in_end = 0;
        if let Some(b) = ThreadBuf::take() {
            return Ok(RecvStep::Read(Incoming {
                half,
                buf: ReadBuf::Thread(b),
            }));
        }
        let mut buf = std::mem::take(&mut self.pending_in);
        // Grown to a whole record once a read filled the buffer; zeroed only then.
        let size = if buf.is_empty() {
            FIRST_READ
        } else if filled {
            READ_CHUNK
        } else {
            buf.len()
        };
        buf.resize(size, 0);
        Ok(RecvStep::Read(Incoming {
            half,
            buf: ReadBuf::Own(buf),
        }))
    }

    /// Gives rustls the bytes read from the transport, as far as it takes them,
    /// and decrypts them: so `s2n_peek` counts every whole record read.
    fn decrypt_pending(&mut self) -> Result<()> {
        if self.in_pos == self.in_end {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending_in);
        let mut taken = self.in_pos;
        let decrypted = self.decrypt(&pending[..self.in_end], &mut taken);
        self.pending_in = pending;
        self.in_pos = taken;
        decrypted
    }

    /// Gives rustls `bytes` from `*taken` on while it takes them (it holds back
    /// while more than 16 KiB of plaintext waits), decrypting as it goes.
    fn decrypt(&mut self, bytes: &[u8], taken: &mut usize) -> Result<()> {
        while *taken < bytes.len() && self.plaintext_pending <= PLAINTEXT_LIMIT {
            let fed = self.feed(&mut &bytes[*taken..])?;
            if fed == 0 {
                break; // after close_notify rustls takes nothing more
            }
            *taken += fed;
            self.process()?;
            self.report_tickets()?;
        }
        Ok(())
    }

    /// `s2n_peek_buffered`: bytes read from the transport and not yet decrypted
    /// (rustls holds back while more than 16 KiB of plaintext waits).
    pub fn buffered_input(&self) -> usize {
        self.in_end - self.in_pos
    }

    /// Gives rustls bytes read from the transport (or the end of stream).
    fn feed(&mut self, bytes: &mut dyn Read) -> Result<usize> {
        let Some(tls) = self.tls.as_mut() else {
            return Ok(0);
        };
        match tls.read_tls(bytes) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(rustls_refused(e))),
        }
    }

    /// Puts the transport back after a read, with what it read.
    fn put_input(&mut self, r: Incoming, result: io::Result<usize>) -> Result<()> {
        self.recv = Some(r.half);
        self.in_pos = 0;
        self.in_end = 0;
        // The connection's own buffer goes back whatever the read did.
        let thread_buf = match r.buf {
            ReadBuf::Own(buf) => {
                self.pending_in = buf;
                None
            }
            ReadBuf::Thread(b) => Some(b),
        };
        let n = match result {
            Ok(0) => {
                self.feed(&mut io::empty())?;
                return self.process();
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.blocked = Blocked::OnRead;
                return Err(Error::blocked());
            }
            Err(e) => {
                let e = Error::new(
                    ErrorCode::Io,
                    format!("receiving from the peer failed: {e}"),
                );
                return Err(self.fail(e));
            }
        };
        let Some(b) = thread_buf else {
            self.in_end = n.min(self.pending_in.len());
            self.wire_in += self.in_end as u64;
            return Ok(());
        };
        let n = n.min(b.len());
        self.wire_in += n as u64;
        let mut taken = 0;
        let decrypted = self.decrypt(&b[..n], &mut taken);
        // What rustls held back stays with the connection; the thread's buffer
        // goes back to the thread.
        if taken < n {
            self.pending_in.clear();
            self.pending_in.extend_from_slice(&b[taken..n]);
            self.in_end = n - taken;
        }
        decrypted
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::Connection;
    use std::cell::RefCell;
    use std::sync::{Arc, Mutex};

    #[test]
    fn records_read_together_are_all_decrypted_and_counted_by_peek() {
        let (mut s, mut c, _, _) = established("default_tls13");
        for part in [&b"one"[..], b"two", b"three"] {
            assert_eq!(c.send(part).unwrap(), part.len());
        }
        let mut byte = [0u8; 1];
        assert_eq!(s.recv(&mut byte).unwrap(), 1);
        assert_eq!(&byte, b"o");
        // The three records came in one transport read: all of them are ready.
        assert_eq!(s.peek(), 10);
        assert_eq!(s.buffered_input(), 0);
        let mut rest = [0u8; 16];
        let mut got = Vec::new();
        while got.len() < 10 {
            let n = s.recv(&mut rest).unwrap();
            got.extend_from_slice(&rest[..n]);
        }
        assert_eq!(got, b"netwothree");
        assert!(s.recv(&mut rest).unwrap_err().is_blocked());
    }

    #[test]
    fn more_than_rustls_takes_at_once_is_kept_and_counted_by_peek_buffered() {
        let (mut s, mut c, _, _) = established("default_tls13");
        let big: Vec<u8> = (0..60_000u32).map(|i| (i % 253) as u8).collect();
        // Records of 10000 bytes: a read then completes two records, one begun by
        // the read before, and rustls stops taking bytes once more than 16 KiB
        // of plaintext waits.
        for part in big.chunks(10_000) {
            assert_eq!(c.send(part).unwrap(), part.len());
        }
        let mut got = Vec::new();
        let mut held_back = 0;
        let mut buf = vec![0u8; 1000];
        while got.len() < big.len() {
            let n = s.recv(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
            held_back = held_back.max(s.buffered_input());
        }
        assert!(got == big);
        assert!(held_back > 0, "the bytes rustls left were kept");
        assert_eq!(s.buffered_input(), 0);
        assert!(s.recv(&mut buf).unwrap_err().is_blocked());
    }

    /// A transport whose reads first receive on another connection, as an
    /// application's recv callback may.
    struct Nested {
        inner: Arc<Mutex<Connection>>,
        got: Arc<Mutex<Vec<u8>>>,
        end: crate::transport::memory::End,
    }

    impl crate::transport::RecvHalf for Nested {
        fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let mut inner = self.inner.lock().unwrap();
            let mut got = [0u8; 64];
            if let Ok(n) = inner.recv(&mut got) {
                self.got.lock().unwrap().extend_from_slice(&got[..n]);
            }
            crate::transport::RecvHalf::recv(&mut self.end, buf)
        }
    }

    #[test]
    fn a_receive_nested_in_another_on_one_thread_reads_into_its_own_buffer() {
        let (mut s1, mut c1, a1, _) = pair(
            server_config("default_tls13"),
            client_config("default_tls13"),
        );
        let (mut s2, mut c2, _, _) = pair(
            server_config("default_tls13"),
            client_config("default_tls13"),
        );
        handshake(&mut s1, &mut c1).unwrap();
        handshake(&mut s2, &mut c2).unwrap();
        assert_eq!(c1.send(b"outer").unwrap(), 5);
        assert_eq!(c2.send(b"inner").unwrap(), 5);
        let inner = Arc::new(Mutex::new(s2));
        let got = Arc::new(Mutex::new(Vec::new()));
        s1.set_recv(Box::new(Nested {
            inner: inner.clone(),
            got: got.clone(),
            end: a1,
        }));
        let mut buf = [0u8; 64];
        assert_eq!(s1.recv(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"outer");
        assert_eq!(&got.lock().unwrap()[..], b"inner");
        // The outer read held the thread's buffer: the inner one used its own.
        assert!(inner.lock().unwrap().pending_in.capacity() > 0);
        assert_eq!(s1.pending_in.capacity(), 0);
    }

    #[test]
    fn a_receive_at_thread_exit_works_without_the_threads_buffer() {
        use std::sync::atomic::{AtomicU8, Ordering};
        /// 1: received, with the thread's buffer gone; 2: received, with it still
        /// there (the destructors ran in another order); 3: failed.
        static OUTCOME: AtomicU8 = AtomicU8::new(0);
        struct AtExit(Option<(Connection, Connection)>);
        impl Drop for AtExit {
            fn drop(&mut self) {
                let Some((mut s, mut c)) = self.0.take() else {
                    return;
                };
                let gone = super::READ_BUF.try_with(|_| ()).is_err();
                let mut buf = [0u8; 16];
                let ok = c.send(b"late").is_ok()
                    && s.recv(&mut buf).ok() == Some(4)
                    && &buf[..4] == b"late"
                    && (!gone || s.pending_in.capacity() > 0);
                let outcome = match (ok, gone) {
                    (true, true) => 1,
                    (true, false) => 2,
                    (false, _) => 3,
                };
                OUTCOME.store(outcome, Ordering::SeqCst);
            }
        }
        thread_local! {
            static AT_EXIT: RefCell<AtExit> = const { RefCell::new(AtExit(None)) };
        }
        std::thread::spawn(|| {
            let (mut s, mut c, _, _) = established("default_tls13");
            // Registered before the read buffer: its destructor runs after the
            // buffer's (glibc runs them in reverse order).
            AT_EXIT.with(|_| ());
            assert_eq!(c.send(b"early").unwrap(), 5);
            let mut buf = [0u8; 16];
            assert_eq!(s.recv(&mut buf).unwrap(), 5);
            AT_EXIT.with(|e| e.borrow_mut().0 = Some((s, c)));
        })
        .join()
        .unwrap();
        assert_ne!(
            OUTCOME.load(Ordering::SeqCst),
            3,
            "the receive at exit failed"
        );
        assert_ne!(
            OUTCOME.load(Ordering::SeqCst),
            0,
            "the destructor did not run"
        );
    }
}
