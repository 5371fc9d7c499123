//! Sending and receiving application data in steps: short in-memory steps on the
//! connection (rustls encrypting, decrypting, queueing), and the transport I/O
//! between them, done by the call that owns that direction with no lock held. That
//! is what lets one thread sit in `s2n_recv` while another is in `s2n_send`.
//!
//! A [`Steps`] gives the steps access to the connection: [`Alone`] for a call that
//! has it to itself (`&mut Connection`), `SharedCall` for a call that shares it
//! with a call in the other direction (see `shared`). The receiving steps are in
//! `receive`.

use std::cell::RefCell;
use std::io::{self, Write};

use super::{Blocked, Connection, Mode};
use crate::error::{Error, ErrorCode, Result};
use crate::resumption::client::TicketReporter;
use crate::resumption::server::SessionForgetter;
use crate::transport::SendHalf;

/// Access to the connection for the steps of one call.
pub(crate) trait Steps {
    /// Runs `f` on the connection; application callbacks it defers run afterwards,
    /// outside any lock.
    fn step<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T;

    /// Called by a receiving call that left records for the peer queued (a key
    /// update reply, an alert): runs `flush` if the send direction is free now,
    /// or makes sure whoever holds it sends them.
    fn send_owed(&self, flush: impl FnOnce());
}

/// Steps on a connection the call has to itself.
pub(crate) struct Alone<'a>(RefCell<&'a mut Connection>);

impl<'a> Alone<'a> {
    pub(crate) fn new(c: &'a mut Connection) -> Self {
        Alone(RefCell::new(c))
    }
}

impl Steps for Alone<'_> {
    fn step<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        f(&mut self.0.borrow_mut())
    }

    fn send_owed(&self, flush: impl FnOnce()) {
        flush();
    }
}

/// Application callbacks a step owed, taken from the connection to run unlocked.
#[derive(Default)]
pub(crate) struct DeferredWork {
    tickets: Option<(TicketReporter, crate::owner::Owner)>,
    forget: Option<SessionForgetter>,
}

impl DeferredWork {
    /// Runs the callbacks; a failing ticket callback fails the connection.
    pub(crate) fn run(self, s: &impl Steps) -> Result<()> {
        if let Some(forget) = self.forget {
            forget.forget();
        }
        if let Some((reporter, owner)) = self.tickets {
            if let Err(e) = reporter.report(owner) {
                return Err(s.step(|c| c.fail(e)));
            }
        }
        Ok(())
    }
}

/// The send direction while its owner writes to the transport, unlocked.
pub(crate) struct Outgoing {
    half: Box<dyn SendHalf>,
    out: Vec<u8>,
    sent: usize,
}

/// Writes what rustls has queued. The caller holds the send direction.
pub(crate) fn flush_via(s: &impl Steps) -> Result<()> {
    while let Some(mut w) = s.step(|c| c.take_output()) {
        let mut written = 0u64;
        let result = loop {
            if w.sent == w.out.len() {
                break Ok(());
            }
            match w.half.send(&w.out[w.sent..]) {
                Ok(0) => break Err(io::Error::new(io::ErrorKind::WriteZero, "")),
                Ok(n) => {
                    w.sent += n;
                    written += n as u64;
                }
                Err(e) => break Err(e),
            }
        };
        s.step(|c| c.put_output(w, written, result))?;
    }
    Ok(())
}

/// `s2n_send` in steps. The caller holds the send direction.
pub(crate) fn send_via(s: &impl Steps, buf: &[u8]) -> Result<usize> {
    let clock = s.step(|c| c.send_check(buf.len()))?;
    // Dynamic record sizing reads the monotonic clock, with no lock held.
    let now = clock.and_then(|clock| clock.now_nanos().ok());
    s.step(|c| c.start_sending(now))?;
    let mut acked = 0;
    loop {
        if let Err(e) = flush_via(s) {
            if e.is_blocked() && acked > 0 {
                s.step(|c| {
                    c.blocked = Blocked::NotBlocked;
                    c.unacked -= acked;
                });
                return Ok(acked);
            }
            return Err(e);
        }
        if let Some(n) = s.step(|c| c.send_more(buf, &mut acked))? {
            return Ok(n);
        }
    }
}

/// How much of a vector `s2n_sendv` gathers for one pass of `send_via`.
const GATHER: usize = 64 * 1024;

/// `s2n_sendv_with_offset` in steps: `bufs` from byte `offset` on, as `send_via`
/// would send them contiguous (the same retry contract: after a blocked call,
/// call again with the same vector and offset). The caller holds the send
/// direction.
pub(crate) fn send_vectored_via(s: &impl Steps, bufs: &[&[u8]], offset: usize) -> Result<usize> {
    let total: usize = bufs.iter().map(|b| b.len()).sum();
    if offset > total {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("offset {offset} is past the {total} bytes of the vector"),
        ));
    }
    let mut chunk = Vec::with_capacity(GATHER.min(total - offset));
    let mut sent = 0;
    loop {
        // The next bytes, from offset + sent on, gathered.
        chunk.clear();
        let mut skip = offset + sent;
        for b in bufs {
            if skip >= b.len() {
                skip -= b.len();
                continue;
            }
            let take = (b.len() - skip).min(GATHER - chunk.len());
            chunk.extend_from_slice(&b[skip..skip + take]);
            skip = 0;
            if chunk.len() == GATHER {
                break;
            }
        }
        match send_via(s, &chunk) {
            Ok(n) => {
                sent += n;
                if n < chunk.len() || chunk.is_empty() || offset + sent == total {
                    return Ok(sent);
                }
            }
            // What earlier passes sent is acknowledged; a retry from there finds
            // rustls' unacknowledged bytes at the start of its buffer, as it must.
            Err(e) if e.is_blocked() && sent > 0 => {
                s.step(|c| c.blocked = Blocked::NotBlocked);
                return Ok(sent);
            }
            Err(e) => return Err(e),
        }
    }
}

/// `s2n_shutdown_send` in steps. The caller holds the send direction.
pub(crate) fn shutdown_send_via(s: &impl Steps) -> Result<()> {
    if s.step(|c| c.close_notify())? {
        flush_via(s)?;
    }
    Ok(())
}

/// rustls refused more bytes: it holds at most 64 KiB of one handshake flight until
/// its messages line up with record boundaries, and a rustls server packs the
/// TLS1.3 tickets of one handshake into one flight: a few hundred tickets overflow
/// it. The peer's doing, not the transport's.
pub(crate) fn rustls_refused(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::InvalidData {
        return Error::new(
            ErrorCode::BadMessage,
            format!("the peer's handshake data overflowed rustls' 64 KiB handshake buffer (for example a flight of hundreds of TLS1.3 session tickets): {e}"),
        );
    }
    Error::new(ErrorCode::Internal, format!("rustls refused to read: {e}"))
}

impl Connection {
    /// Callbacks owed by the step that just ran, to run once the lock is released.
    pub(crate) fn take_deferred(&mut self) -> DeferredWork {
        let owed = std::mem::take(&mut self.deferred);
        DeferredWork {
            tickets: owed
                .tickets
                .then(|| self.client.ticket_reporter().map(|r| (r, self.owner)))
                .flatten(),
            forget: owed
                .forget
                .then(|| self.server.session_forgetter())
                .flatten(),
        }
    }

    /// Takes the transport and the records to write, filling them from rustls'
    /// queue; None when nothing is queued (or there is no transport).
    fn take_output(&mut self) -> Option<Outgoing> {
        let tls = self.tls.as_mut()?;
        self.send.as_ref()?;
        if self.out_sent == self.out.len() {
            self.out.clear();
            self.out_sent = 0;
            if !tls.wants_write() {
                return None;
            }
            // rustls' records are gathered into one buffer and sent with as few
            // calls as the transport allows: one send per record would meet
            // Nagle's algorithm and delayed ACKs on TCP and stall a handshake
            // flight for tens of milliseconds. Writing into a Vec cannot fail.
            while tls.wants_write() {
                let _ = tls.write_tls(&mut self.out);
            }
            // The first hello each side sends: a server's ServerHello, a client's
            // own ClientHello (its session ID tells a TLS1.2 resumption).
            match self.mode {
                Mode::Server if self.server_hello_info.is_none() => {
                    self.server_hello_info = self.server_hello.feed(&self.out);
                }
                Mode::Client if self.hello_info.is_none() => {
                    self.hello_info = self.hello.feed(&self.out);
                }
                _ => {}
            }
        }
        Some(Outgoing {
            half: self.send.take()?,
            out: std::mem::take(&mut self.out),
            sent: self.out_sent,
        })
    }

    /// Puts the transport back after a write; blocked on write if it is full.
    fn put_output(&mut self, w: Outgoing, written: u64, result: io::Result<()>) -> Result<()> {
        self.send = Some(w.half);
        self.out = w.out;
        self.out_sent = w.sent;
        self.wire_out += written;
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.blocked = Blocked::OnWrite;
                Err(Error::blocked())
            }
            Err(e) if e.kind() == io::ErrorKind::WriteZero => {
                let e = Error::new(ErrorCode::Io, "the transport accepted no bytes");
                Err(self.fail(e))
            }
            Err(e) => {
                let e = Error::new(ErrorCode::Io, format!("sending to the peer failed: {e}"));
                Err(self.fail(e))
            }
        }
    }

    /// Checks a send; returns the monotonic clock when dynamic record sizing needs
    /// it read.
    fn send_check(&mut self, len: usize) -> Result<Option<crate::clock::SharedClock>> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        self.require_handshake("s2n_send")?;
        if self.close_notify_sent {
            return Err(Error::new(
                ErrorCode::Closed,
                "s2n_send after s2n_shutdown_send",
            ));
        }
        if len < self.unacked {
            let held = self.unacked;
            self.unacked = 0;
            return Err(Error::usage(format!(
                "s2n_send retried with {len} bytes after a blocked call had already taken {held}: retry with the same buffer"
            )));
        }
        Ok(self
            .sizing()
            .needs_clock()
            .then(|| self.config().settings().monotonic_clock.clone()))
    }

    /// Applies a requested key update and sizes this call's records.
    fn start_sending(&mut self, now_nanos: Option<u64>) -> Result<()> {
        self.apply_key_update()?;
        self.fragment = self.next_fragment(now_nanos);
        Ok(())
    }

    /// Everything given to rustls so far is on the wire: `Some(count)` when that is
    /// all of `buf`, otherwise the next record is encrypted.
    fn send_more(&mut self, buf: &[u8], acked: &mut usize) -> Result<Option<usize>> {
        *acked = self.unacked;
        if *acked == buf.len() {
            self.unacked = 0;
            return Ok(Some(*acked));
        }
        let end = buf.len().min(*acked + self.fragment);
        let Some(tls) = self.tls.as_mut() else {
            return Err(Error::new(ErrorCode::InvalidState, "no TLS connection"));
        };
        let n = tls
            .writer()
            .write(&buf[*acked..end])
            .map_err(|e| Error::new(ErrorCode::Internal, format!("encrypting failed: {e}")))?;
        self.unacked += n;
        self.note_sent(n);
        // Dynamic record sizing may move to full records within one call.
        self.fragment = self.next_fragment(None);
        Ok(None)
    }

    /// Queues close_notify once; whether there is a TLS connection to flush.
    fn close_notify(&mut self) -> Result<bool> {
        self.blocked = Blocked::NotBlocked;
        self.check_usable()?;
        let Some(tls) = self.tls.as_mut() else {
            return Ok(false);
        };
        if !self.close_notify_sent {
            tls.send_close_notify();
            self.close_notify_sent = true;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_vector_is_sent_from_its_offset_as_one_buffer() {
        let (mut s, mut c, _, _) = established("default_tls13");
        let big: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let parts: [&[u8]; 4] = [b"ab", b"", b"cdef", &big];
        let e = c.send_vectored(&parts, 7 + big.len()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert_eq!(c.send_vectored(&parts, 3).unwrap(), 3 + big.len());
        let mut want = b"def".to_vec();
        want.extend_from_slice(&big);
        let mut got = Vec::new();
        let mut buf = vec![0u8; 20_000];
        while got.len() < want.len() {
            let n = s.recv(&mut buf).unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got == want);
        assert_eq!(c.send_vectored(&parts, 6 + big.len()).unwrap(), 0);
    }
}
