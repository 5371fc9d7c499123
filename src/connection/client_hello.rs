//! A server connection's ClientHello (`s2n_connection_get_client_hello`) and the
//! client-hello callback: the handshake stops when the callback is due, the C
//! layer runs it outside the connection's lock, and the handshake goes on with
//! what the callback changed (its config, client authentication, ALPN...): the
//! rustls connection, which has read but not processed the ClientHello, is made
//! again from them and given the same bytes.

use std::ffi::CString;
use std::sync::Arc;

use super::{Blocked, Connection, Mode, MAX_SERVER_NAME};
use crate::client_hello::callback::{HelloCallback, HelloStage};
use crate::client_hello::ClientHello;
use crate::error::{Error, ErrorCode, Result};
use crate::hello::HelloInfo;

/// A fatal handshake_failure alert record (RFC 8446 6: level 2, description 40).
const HANDSHAKE_FAILURE_ALERT: [u8; 7] = [21, 3, 3, 0, 2, 2, 40];

impl Connection {
    /// The ClientHello a server received, once it has been read whole.
    pub fn client_hello(&self) -> Option<&Arc<ClientHello>> {
        self.client_hello.as_ref()
    }

    /// Whether a server must keep the client's first bytes: its config has a
    /// client-hello callback, which may call for another rustls connection.
    pub(super) fn hello_callback_set(&self) -> bool {
        self.mode == Mode::Server && self.config().settings().client_hello.callback.is_some()
    }

    /// The callback to run now, if it is due: the C layer runs it with the
    /// connection released, then reports with [`Connection::hello_callback_returned`].
    pub fn take_hello_callback(&mut self) -> Option<Arc<dyn HelloCallback>> {
        if !self.hello_cb.start() {
            return None;
        }
        let callback = self.config().settings().client_hello.callback.clone();
        if callback.is_none() {
            // The config was swapped for one without a callback before it ran.
            self.hello_cb.stage = HelloStage::Finished;
        }
        callback
    }

    /// The callback returned `rc`. A rejection fails the handshake with a
    /// handshake_failure alert (S2N_ERR_CANCELLED).
    pub fn hello_callback_returned(&mut self, rc: i32) -> Result<()> {
        if let Err(e) = self.hello_cb.returned(rc) {
            self.blocked = Blocked::NotBlocked;
            self.out.extend_from_slice(&HANDSHAKE_FAILURE_ALERT);
            // The error stands whether or not the transport takes the alert now.
            let _ = self.flush();
            return Err(self.fail(e));
        }
        Ok(())
    }

    /// `s2n_client_hello_cb_done`.
    pub fn client_hello_cb_done(&mut self) -> Result<()> {
        self.server_only("s2n_client_hello_cb_done")?;
        let mode = self.config().settings().client_hello.mode;
        self.hello_cb.done(mode)
    }

    /// `s2n_connection_server_name_extension_used`: before the ClientHello has
    /// been processed (in the client-hello callback).
    pub fn server_name_extension_used(&mut self) -> Result<()> {
        if self.mode != Mode::Server {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "s2n_connection_server_name_extension_used is for servers",
            ));
        }
        if matches!(self.hello_cb.stage, HelloStage::Finished | HelloStage::Done) {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the ClientHello has already been processed: call it from the client hello callback",
            ));
        }
        self.hello_cb.server_name_used = true;
        Ok(())
    }

    /// Refuses a call that drives the connection while its client hello or
    /// early-data callback runs (from inside it, or from another thread):
    /// S2N_ERR_CONNECTION_IN_USE.
    pub(super) fn not_in_callback(&mut self, what: &str) -> Result<()> {
        if self.hello_cb.stage == HelloStage::Running {
            return Err(Error::new(
                ErrorCode::InUse,
                format!("{what} while the client hello callback runs: the connection is in use"),
            ));
        }
        self.not_in_early_data_callback(what)
    }

    /// Whether the callback said the server used the client's server name.
    pub fn server_name_used(&self) -> bool {
        self.hello_cb.server_name_used
    }

    /// Whether settings may change although the handshake started (the
    /// callback runs or is pending).
    pub(super) fn in_hello_callback(&self) -> bool {
        self.hello_cb.allows_changes()
    }

    /// Whether the handshake waits for the callback.
    pub(super) fn hello_callback_holds(&self) -> bool {
        self.hello_cb.holds_handshake() || self.hello_cb.stage == HelloStage::Finished
    }

    /// The ClientHello was read: keeps it, and stops the handshake while the
    /// callback is due or its work is pending (blocked on application input).
    /// Once it is done, remakes the rustls connection from what it changed.
    pub(super) fn hello_step(&mut self, hello: &HelloInfo) -> Result<()> {
        if self.client_hello.is_none() {
            self.client_hello = hello.message.clone();
            // The client's name, for `s2n_get_server_name` in the callback (rustls
            // reports it only once it has processed the hello).
            if self.server_name.is_none() {
                self.server_name = hello
                    .message
                    .as_ref()
                    .and_then(|m| m.server_name().ok())
                    .filter(|n| n.len() <= MAX_SERVER_NAME)
                    .and_then(|n| CString::new(n).ok());
            }
        }
        let settings = self.config().settings().client_hello.clone();
        self.hello_cb.hello_read(&settings);
        match self.hello_cb.stage {
            HelloStage::Due | HelloStage::Running | HelloStage::Pending => {
                self.blocked = Blocked::OnApplicationInput;
                Err(Error::new(
                    ErrorCode::AsyncBlocked,
                    "waiting for the client hello callback's work (s2n_client_hello_cb_done)",
                ))
            }
            HelloStage::Finished => {
                self.hello_cb.stage = HelloStage::Done;
                self.remake_server().map_err(|e| self.fail(e))
            }
            HelloStage::Waiting | HelloStage::Done => Ok(()),
        }
    }

    /// Makes the server's rustls connection again from the current config and
    /// settings, and gives it the bytes the first one read.
    fn remake_server(&mut self) -> Result<()> {
        let bytes = self.hello_bytes.take().ok_or_else(|| {
            Error::new(
                ErrorCode::Internal,
                "the ClientHello's bytes were not kept for the client hello callback",
            )
        })?;
        self.tls = None;
        self.ensure_tls()?;
        if let Some(tls) = self.tls.as_mut() {
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                tls.read_tls(&mut rest).map_err(|e| {
                    Error::new(
                        ErrorCode::Internal,
                        format!("cannot hand the ClientHello over: {e}"),
                    )
                })?;
            }
        }
        // The protocol choice may remake it once more, from the same bytes.
        self.hello_bytes = Some(bytes);
        Ok(())
    }
}
