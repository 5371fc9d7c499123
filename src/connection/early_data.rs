//! TLS1.3 early data on a connection: a client's `s2n_send_early_data`, a server's
//! `s2n_recv_early_data` and its decision (the application's readiness and
//! callback, made before rustls reads the ClientHello), the status and sizes.

use std::io::{Read, Write};
use std::sync::Arc;

use super::{Blocked, Connection, Mode};
use crate::early_data::{CallbackStage, Decision, EarlyDataCallback, Offered, Status};
use crate::error::{Error, ErrorCode, Result};
use crate::policy;

impl Connection {
    /// `s2n_connection_set_server_max_early_data_size`. rustls reads a server's
    /// maximum from the rustls config its connection was made with, both when it
    /// processes the ClientHello (how much early data it accepts) and when it
    /// issues tickets (how much they allow). So a change takes effect until the
    /// server reads the client's first bytes (the rustls connection is made again
    /// then), and from the client hello callback (which makes it again anyway);
    /// later it is refused, unless it changes nothing. A client keeps it, with no
    /// effect (as in s2n-tls).
    pub fn set_server_max_early_data_size(&mut self, max: u32) -> Result<()> {
        let settings = self.config().settings().early_data.clone();
        let unchanged = self.early.server_max(&settings) == max;
        if self.mode == Mode::Client || self.tls.is_none() || self.in_hello_callback() || unchanged
        {
            self.early.server_max = Some(max);
            return Ok(());
        }
        if self.wire_in == 0 && self.hello_info.is_none() {
            // Nothing read yet: the same connection, made with the new maximum.
            self.early.server_max = Some(max);
            self.tls = None;
            return self.ensure_tls();
        }
        Err(Error::new(
            ErrorCode::InvalidState,
            "the maximum early data size cannot change once the server has read the client's first bytes: \
             rustls fixed it then, for this handshake's early data and the tickets it issues; \
             set it before, or from the client hello callback",
        ))
    }

    /// `s2n_connection_set_server_early_data_context`. The context is sealed
    /// into each TLS1.3 session the server stores; rustls stores them (and sends
    /// their tickets) as the server's handshake completes and never later. So a
    /// change takes effect until then; after it, it is refused unless it changes
    /// nothing. A client keeps it, with no effect (as in s2n-tls).
    pub fn set_server_early_data_context(&mut self, context: &[u8]) -> Result<()> {
        let stored =
            self.mode == Mode::Server && self.tls.as_ref().is_some_and(|t| !t.is_handshaking());
        if stored && self.early.context != context {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the early data context cannot change once the handshake has completed: \
                 rustls stored this connection's sessions (and sent their tickets) then, \
                 and issues no later ticket a new context could reach",
            ));
        }
        self.early.set_context(context);
        self.server.set_early_data_context(context);
        Ok(())
    }

    /// `s2n_connection_get_max_early_data_size`: a server's maximum, or the most a
    /// client's session allows (known once its first flight is written).
    pub fn max_early_data_size(&self) -> u32 {
        match self.mode {
            Mode::Server => self.early.server_max(&self.config().settings().early_data),
            Mode::Client => match self.early.client_max {
                0 => self.client.offered_max_early_data(),
                offered => offered,
            },
        }
    }

    /// `s2n_connection_get_remaining_early_data_size`.
    pub fn remaining_early_data_size(&self) -> u32 {
        match self.early_data_status() {
            Status::Ok | Status::End => self.early.remaining(self.max_early_data_size()),
            Status::NotRequested | Status::Rejected => 0,
        }
    }

    /// `s2n_connection_get_early_data_status`.
    pub fn early_data_status(&self) -> Status {
        match (&self.tls, self.mode) {
            (None, _) => Status::Ok,
            (Some(rustls::Connection::Client(c)), Mode::Client) => {
                if self.early.client_max == 0 {
                    Status::NotRequested
                } else if c.is_handshaking() {
                    Status::Ok
                } else if c.is_early_data_accepted() {
                    Status::End
                } else {
                    Status::Rejected
                }
            }
            (Some(rustls::Connection::Server(s)), _) => {
                if s.protocol_version().is_none() {
                    // The ClientHello is not processed yet.
                    return Status::Ok;
                }
                if !self.hello_info.as_ref().is_some_and(|h| h.early_data) {
                    return Status::NotRequested;
                }
                if !self.server_accepted_early_data() {
                    Status::Rejected
                } else if s.is_handshaking() {
                    Status::Ok
                } else {
                    Status::End
                }
            }
            _ => Status::NotRequested,
        }
    }

    fn server_accepted_early_data(&self) -> bool {
        self.early.accepted
    }

    /// Whether this handshake's early data was accepted (either side).
    pub(super) fn early_data_accepted(&self) -> bool {
        match &self.tls {
            Some(rustls::Connection::Client(c)) => c.is_early_data_accepted(),
            Some(rustls::Connection::Server(_)) => self.early.accepted,
            None => false,
        }
    }

    /// After rustls processed records: a server moves the early data it accepted
    /// to the connection (at most the maximum early data size).
    pub(super) fn absorb_early_data(&mut self) {
        let Some(rustls::Connection::Server(s)) = self.tls.as_mut() else {
            return;
        };
        let Some(mut reader) = s.early_data() else {
            return;
        };
        self.early.accepted = true;
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = reader.read(&mut chunk) {
            self.early.pending.extend_from_slice(&chunk[..n]);
        }
    }

    /// A server's decision on the early data a TLS1.3 ClientHello offers, before
    /// rustls reads it: declined (through rustls) when the application is not
    /// reading early data or its callback rejects; blocked while the callback is
    /// due (the C layer runs it: see [`Connection::take_early_data_callback`]) or
    /// has not decided.
    pub(super) fn decide_early_data(&mut self) -> Result<()> {
        let unprocessed = matches!(&self.tls,
            Some(rustls::Connection::Server(s)) if s.is_handshaking() && s.protocol_version().is_none());
        if !unprocessed {
            // rustls has decided (the ClientHello was processed).
            return Ok(());
        }
        if !self.early.expected {
            return self.reject_early_data();
        }
        if self.early.offered.is_none() {
            let Some(context) = self.server.early_data_candidate() else {
                // rustls declines it by itself.
                return Ok(());
            };
            let Some(callback) = self.config().settings().early_data.callback.clone() else {
                return Ok(());
            };
            let identity = self.offered_psk_identities().first().map(<[u8]>::to_vec);
            self.early.protocol = self.hello_info.as_ref().and_then(|h| {
                let offered = h.alpn.as_deref()?;
                self.protocol_list().select(offered).map(<[u8]>::to_vec)
            });
            let offered = Arc::new(Offered::new(context, identity.unwrap_or_default()));
            self.early.offered = Some(offered);
            self.early.stage = CallbackStage::Due(callback);
        }
        let decision = match self.early.stage {
            CallbackStage::Due(_) | CallbackStage::Running => Some(Decision::Pending),
            _ => self.early.offered.as_ref().map(|o| o.decision()),
        };
        self.early.held = decision == Some(Decision::Pending);
        match decision {
            Some(Decision::Pending) => {
                self.blocked = Blocked::OnApplicationInput;
                Err(Error::new(
                    ErrorCode::AsyncBlocked,
                    "waiting for the early data callback's decision (s2n_offered_early_data_accept or _reject)",
                ))
            }
            Some(Decision::Reject) => self.reject_early_data(),
            Some(Decision::Accept) | None => Ok(()),
        }
    }

    /// The early-data callback and the offer it decides on, if it is due: the C
    /// layer runs it with the connection usable, then records its result with
    /// [`Offered::callback_returned`].
    pub fn take_early_data_callback(
        &mut self,
    ) -> Option<(Arc<dyn EarlyDataCallback>, Arc<Offered>)> {
        let offered = self.early.offered.clone()?;
        match std::mem::replace(&mut self.early.stage, CallbackStage::Running) {
            CallbackStage::Due(callback) => Some((callback, offered)),
            other => {
                self.early.stage = other;
                None
            }
        }
    }

    /// Takes in the early-data callback's end, if it has returned since it was
    /// taken: an error (a negative return) fails the handshake with
    /// S2N_ERR_CANCELLED.
    fn early_data_callback_ended(&mut self) -> Result<()> {
        if !matches!(self.early.stage, CallbackStage::Running) {
            return Ok(());
        }
        let Some(result) = self
            .early
            .offered
            .as_ref()
            .and_then(|o| o.callback_result())
        else {
            return Ok(());
        };
        self.early.stage = CallbackStage::Returned;
        result.map_err(|e| {
            let e = Error::new(
                ErrorCode::Cancelled,
                format!("the early data callback failed: {}", e.message),
            );
            self.fail(e)
        })
    }

    /// Refuses a call that drives the connection while its early-data callback
    /// runs (from inside it, or from another thread): S2N_ERR_CONNECTION_IN_USE.
    /// Once it has returned, reports its failure, if it failed.
    pub(super) fn not_in_early_data_callback(&mut self, what: &str) -> Result<()> {
        self.early_data_callback_ended()?;
        if matches!(self.early.stage, CallbackStage::Running) {
            return Err(Error::new(
                ErrorCode::InUse,
                format!("{what} while the early data callback runs: the connection is in use"),
            ));
        }
        Ok(())
    }

    /// The early data the callback decides on, while rustls has not processed
    /// its ClientHello: its PSK identity and the protocol the server will choose.
    fn offer_in_decision(&self) -> Option<&Offered> {
        let unprocessed = matches!(&self.tls,
            Some(rustls::Connection::Server(s)) if s.protocol_version().is_none());
        self.early.offered.as_deref().filter(|_| unprocessed)
    }

    /// The PSK identity the offered early data came with, while the callback
    /// decides on it (before rustls has processed the ClientHello).
    pub(super) fn deciding_psk_identity(&self) -> Option<&[u8]> {
        self.offer_in_decision().map(Offered::identity)
    }

    /// The application protocol the server will choose, while the early-data
    /// callback decides (before rustls has processed the ClientHello).
    pub(super) fn deciding_protocol(&self) -> Option<&[u8]> {
        self.offer_in_decision().and(self.early.protocol.as_deref())
    }

    /// Whether the ClientHello waits for the early data callback's decision.
    pub(super) fn early_decision_pending(&self) -> bool {
        self.early.held
    }

    fn reject_early_data(&mut self) -> Result<()> {
        if let Some(rustls::Connection::Server(s)) = self.tls.as_mut() {
            s.reject_early_data();
        }
        Ok(())
    }

    /// Marks the application ready for early data, before the handshake starts.
    fn expect_early_data(&mut self) {
        if self.tls.is_none() {
            self.early.expected = true;
        }
    }

    /// `s2n_recv_early_data`: drives the handshake and reads the early data into
    /// `buf`. `Ok(n)` once early data is over (received, rejected or not
    /// requested) and all of it read; blocked (with the bytes read so far in
    /// `received`) while more may come or `buf` is full.
    pub fn recv_early_data(&mut self, buf: &mut [u8], received: &mut usize) -> Result<()> {
        *received = 0;
        self.server_only("s2n_recv_early_data")?;
        self.not_in_early_data_callback("s2n_recv_early_data")?;
        self.check_usable()?;
        self.expect_early_data();
        loop {
            *received += self.read_early_data(&mut buf[*received..])?;
            let more = self.early_data_status() == Status::Ok;
            if !more && self.early_data_buffered() == 0 {
                return Ok(());
            }
            if *received == buf.len() {
                self.blocked = Blocked::OnEarlyData;
                return Err(Error::new(
                    ErrorCode::EarlyDataBlocked,
                    "the early data buffer is full: call s2n_recv_early_data again with room",
                ));
            }
            if !more {
                continue;
            }
            match self.negotiate() {
                Ok(()) => {}
                Err(e) if e.is_blocked() => {
                    *received += self.read_early_data(&mut buf[*received..])?;
                    if self.early_data_status() != Status::Ok && self.early_data_buffered() == 0 {
                        self.blocked = Blocked::NotBlocked;
                        return Ok(());
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Early data received and not yet read by the application.
    fn early_data_buffered(&self) -> usize {
        self.early.pending.len()
    }

    fn read_early_data(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = buf.len().min(self.early.pending.len());
        buf[..n].copy_from_slice(&self.early.pending[..n]);
        self.early.pending.drain(..n);
        self.early.transferred += n as u64;
        Ok(n)
    }

    /// `s2n_send_early_data`: starts the handshake with early data in the first
    /// flight, as much of `data` as the session allows. Returns the bytes sent.
    pub fn send_early_data(&mut self, data: &[u8]) -> Result<usize> {
        self.client_only("s2n_send_early_data")?;
        self.check_usable()?;
        if self.policy_max_version() < policy::S2N_TLS13 {
            return Err(Error::new(
                ErrorCode::ProtocolVersionUnsupported,
                "early data needs TLS1.3, which the security policy does not allow",
            ));
        }
        let starting = self.tls.is_none();
        self.expect_early_data();
        self.ensure_tls()?;
        if starting {
            self.early.client_max = match self.tls.as_mut() {
                Some(rustls::Connection::Client(c)) => c
                    .early_data()
                    .map_or(0, |w| u32::try_from(w.bytes_left()).unwrap_or(u32::MAX)),
                _ => 0,
            };
        }
        if self.early.unacked > 0 {
            self.flush()?;
            return Ok(std::mem::take(&mut self.early.unacked));
        }
        let allowed = usize::try_from(self.remaining_early_data_size()).unwrap_or(usize::MAX);
        let n = match self.tls.as_mut() {
            Some(rustls::Connection::Client(c)) if allowed > 0 => match c.early_data() {
                Some(mut w) => w.write(&data[..data.len().min(allowed)]).unwrap_or(0),
                None => 0,
            },
            _ => 0,
        };
        self.early.transferred += n as u64;
        if let Err(e) = self.flush() {
            if e.is_blocked() {
                self.early.unacked = n;
            }
            return Err(e);
        }
        Ok(n)
    }
}
