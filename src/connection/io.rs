//! The I/O loop: moving TLS records between rustls and the transport with s2n's
//! non-blocking contract (a blocked call says which way it waits, and the same call
//! made again goes on), and the application data calls built on it.

use std::ffi::CString;
use std::io::{self, Read};

use super::duplex::{
    flush_via, rustls_refused, send_vectored_via, send_via, shutdown_send_via, Alone,
};
use super::errors::map_tls_error;
use super::peer::with_peer;
use super::receive::recv_via;
use super::{Blocked, Connection, Mode, PeerClose};
use crate::error::{Error, ErrorCode, Result};
use crate::handshake_notes;
use crate::hello::{HelloInfo, HelloReader, Tls12TicketScanner};
use crate::pkey::step;
use crate::transport::RecvHalf;

impl Connection {
    /// Writes what rustls has queued. Blocked on write if the transport is full.
    /// Does nothing in a step of a shared call: the send direction's owner writes.
    pub(super) fn flush(&mut self) -> Result<()> {
        if self.deferring {
            return Ok(());
        }
        flush_via(&Alone::new(self))
    }

    /// Reads from the transport into rustls and processes it. `Ok(false)` at end of
    /// stream. Blocked on read if nothing is there yet.
    pub(super) fn read_more(&mut self) -> Result<bool> {
        let (Some(tls), Some(recv)) = (self.tls.as_mut(), self.recv.as_mut()) else {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the connection has no I/O",
            ));
        };
        // A server reads the client's hello; a client the server's, with the rest
        // of the server's cleartext flight (its scanner).
        let (reader, info) = match self.mode {
            Mode::Server => (Some(&mut self.hello), &mut self.hello_info),
            Mode::Client => (None, &mut self.server_hello_info),
        };
        let mut transport_failed = false;
        let capture = match (info.is_none(), self.hello_bytes.as_mut()) {
            (true, Some(bytes)) => Some(bytes),
            _ => None,
        };
        let mut reader = CountingReader {
            capture,
            recv: recv.as_mut(),
            failed: &mut transport_failed,
            count: &mut self.wire_in,
            hello: reader.filter(|_| info.is_none()),
            hello_info: info,
            scanner: (self.mode == Mode::Client).then_some(self.client.scanner()),
        };
        match tls.read_tls(&mut reader) {
            Ok(0) => Ok(false),
            Ok(_) => {
                self.before_processing()?;
                self.process()?;
                self.report_tickets()?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.blocked = Blocked::OnRead;
                Err(Error::blocked())
            }
            Err(e) if transport_failed => {
                let e = Error::new(
                    ErrorCode::Io,
                    format!("receiving from the peer failed: {e}"),
                );
                Err(self.fail(e))
            }
            Err(e) => Err(self.fail(rustls_refused(e))),
        }
    }

    pub(super) fn process(&mut self) -> Result<()> {
        if self.offload.running() {
            return self.resume_step();
        }
        let policy = self.capture_policy();
        let Some(tls) = self.tls.as_ref() else {
            return Ok(());
        };
        let _stale = handshake_notes::take();
        // The verifiers see this connection's context during the handshake, and
        // the signers how to sign.
        let handshaking = tls.is_handshaking();
        let peer = self.peer.clone().filter(|_| handshaking);
        let signing = match handshaking {
            true => self.sign_context(),
            false => None,
        };
        let close_notify_sent = self.close_notify_sent;
        let run = move |tls: &mut rustls::Connection| {
            with_peer(peer.as_ref(), || {
                process_new_packets(tls, close_notify_sent)
            })
        };
        let (processed, captured) = match signing {
            Some((ctx, true)) => return self.start_step(ctx, policy, run),
            Some((ctx, false)) => {
                let _ = step::take_local_error();
                match self.tls.as_mut() {
                    Some(tls) => crate::capture::within(policy, || step::within(ctx, || run(tls))),
                    None => return Ok(()),
                }
            }
            None => match self.tls.as_mut() {
                Some(tls) => crate::capture::within(policy, || run(tls)),
                None => return Ok(()),
            },
        };
        self.notes.absorb(handshake_notes::take());
        self.after_processing(processed, step::take_local_error(), captured)
    }

    /// Takes in what a processing step did: `sign_error` says why a signature
    /// failed, when one did.
    pub(super) fn after_processing(
        &mut self,
        processed: std::result::Result<rustls::IoState, rustls::Error>,
        sign_error: Option<Error>,
        captured: crate::capture::Captured,
    ) -> Result<()> {
        let Some(tls) = self.tls.as_mut() else {
            return Ok(());
        };
        match processed {
            Ok(state) => {
                self.plaintext_pending = state.plaintext_bytes_to_read();
                if let rustls::Connection::Server(server) = &*tls {
                    // Set earlier from the ClientHello when the hello callback ran.
                    if self.server_name.is_none() {
                        self.server_name = server.server_name().and_then(|n| CString::new(n).ok());
                    }
                    if let (Some(peer), Some(name)) = (&self.peer, server.server_name()) {
                        peer.set_client_sni(name);
                    }
                }
                self.absorb_early_data();
                self.absorb_capture(captured);
                if let Err(e) = self.check_client_auth() {
                    // Failed before the client's answer leaves.
                    return Err(self.fail(e));
                }
                Ok(())
            }
            Err(e) => {
                self.absorb_capture(captured);
                if let rustls::Error::AlertReceived(alert) = &e {
                    self.alert = Some(u8::from(*alert));
                }
                let error =
                    sign_error.unwrap_or_else(|| map_tls_error(&e, self.server_name.as_ref()));
                // Tell the peer why, if the transport takes it now; the error stands anyway.
                let _ = self.flush();
                Err(self.fail(error))
            }
        }
    }

    pub(super) fn require_handshake(&self, what: &str) -> Result<()> {
        if !self.is_handshake_complete() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                format!(
                    "{what} before the handshake completed: call s2n_negotiate until it succeeds"
                ),
            ));
        }
        Ok(())
    }

    /// `s2n_send`: returns how many bytes of `buf` were sent. When blocked with
    /// nothing acknowledged it fails blocked and the caller retries with the same
    /// buffer; when some were sent it returns that count (a partial write).
    pub fn send(&mut self, buf: &[u8]) -> Result<usize> {
        send_via(&Alone::new(self), buf)
    }

    /// `s2n_sendv_with_offset`: `bufs` from byte `offset` on, as `send` sends one
    /// buffer.
    pub fn send_vectored(&mut self, bufs: &[&[u8]], offset: usize) -> Result<usize> {
        send_vectored_via(&Alone::new(self), bufs, offset)
    }

    /// `s2n_recv`: up to `buf.len()` bytes of application data; 0 once the peer
    /// has sent close_notify. A transport that ends without close_notify is an
    /// S2N_ERR_CLOSED error, as in s2n: the data may have been truncated.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<usize> {
        recv_via(&Alone::new(self), buf)
    }

    /// `s2n_peek`: decrypted bytes ready for `recv` without reading the transport.
    pub fn peek(&self) -> usize {
        self.plaintext_pending
    }

    /// `s2n_shutdown_send`: sends close_notify; the connection can still receive.
    pub fn shutdown_send(&mut self) -> Result<()> {
        shutdown_send_via(&Alone::new(self))
    }

    /// `s2n_shutdown`: sends close_notify and waits for the peer's, discarding any
    /// application data still arriving.
    pub fn shutdown(&mut self) -> Result<()> {
        self.not_in_callback("s2n_shutdown")?;
        self.shutdown_send()?;
        if self.tls.is_none() {
            return Ok(());
        }
        if !self.is_handshake_complete() {
            // As s2n: no close_notify is awaited during the handshake. No application
            // data can be truncated yet, and whatever the peer sends now is not worth
            // parsing (rustls could only fail on it). s2n_negotiate now refuses.
            return Ok(());
        }
        let mut scratch = [0u8; 4096];
        loop {
            match self.peer_close {
                Some(PeerClose::CloseNotify) => return Ok(()),
                Some(PeerClose::Abrupt) => {
                    return Err(Error::new(
                        ErrorCode::Closed,
                        "the peer closed the transport without sending close_notify",
                    ))
                }
                None => {}
            }
            self.recv(&mut scratch)?;
        }
    }
}

/// `tls.process_new_packets()`, minding rustls#959: once close_notify is sent,
/// bytes rustls cannot parse make it send a fatal alert too, which trips its
/// `debug_assert!(!sent_fatal_alert)` (a panic in builds with debug assertions; in
/// release builds the error comes back as usual). The panic is turned into the error
/// release builds give, so a debug build of rs2n reports the peer, not itself.
pub(super) fn process_new_packets(
    tls: &mut rustls::Connection,
    close_notify_sent: bool,
) -> std::result::Result<rustls::IoState, rustls::Error> {
    if !close_notify_sent {
        return tls.process_new_packets();
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tls.process_new_packets()))
        .unwrap_or_else(|_| {
            Err(rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType,
            ))
        })
}

struct CountingReader<'a> {
    recv: &'a mut dyn RecvHalf,
    /// Keeps the bytes read (a server's, until its ClientHello is read).
    capture: Option<&'a mut Vec<u8>>,
    /// Set when the transport itself failed (as opposed to rustls refusing bytes).
    failed: &'a mut bool,
    count: &'a mut u64,
    hello: Option<&'a mut HelloReader>,
    hello_info: &'a mut Option<HelloInfo>,
    scanner: Option<&'a mut Tls12TicketScanner>,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.recv.recv(buf).inspect_err(|_| *self.failed = true)?;
        *self.count += n as u64;
        if let Some(capture) = self.capture.as_mut() {
            capture.extend_from_slice(&buf[..n]);
        }
        if let Some(hello) = self.hello.as_mut() {
            if let Some(info) = hello.feed(&buf[..n]) {
                *self.hello_info = Some(info);
            }
        }
        if let Some(scanner) = self.scanner.as_mut() {
            if let Some(info) = scanner.feed(&buf[..n]) {
                self.hello_info.get_or_insert(info);
            }
        }
        Ok(n)
    }
}
