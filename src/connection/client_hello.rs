//! A server connection's ClientHello (`s2n_connection_get_client_hello`) and the
//! client-hello callback: the handshake stops when the callback is due, the C
//! layer runs it outside the connection's lock, and the handshake goes on with
//! what the callback changed (its config, client authentication, ALPN...): the
//! rustls connection, which has read but not processed the ClientHello, is made
//! again from them and given the same bytes. What happens to the callback away
//! from the connection (its return, `s2n_client_hello_cb_done`) is recorded on
//! the connection's [`HelloSignal`], never by entering the connection.

use std::ffi::CString;
use std::sync::{Arc, Mutex};

use super::{Blocked, Connection, Mode, DEFAULT_CONFIG, MAX_SERVER_NAME};
use crate::client_hello::callback::{CallbackMode, HelloCallback, HelloStage};
use crate::client_hello::ClientHello;
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::hello::HelloInfo;
use crate::sync;

/// A fatal handshake_failure alert record (RFC 8446 6: level 2, description 40).
const HANDSHAKE_FAILURE_ALERT: [u8; 7] = [21, 3, 3, 0, 2, 2, 40];

/// A connection's client hello callback as seen from outside the connection:
/// the callback's return and `s2n_client_hello_cb_done` come while the
/// connection is not entered (another thread may be in a call on it at that
/// moment), so they are recorded here, and the connection takes them in at its
/// next driving call (`s2n_negotiate`, `s2n_shutdown`). The connection and its
/// C handle share it; it lives as long as the connection, wipes included.
#[derive(Debug)]
pub struct HelloSignal {
    mode: Mode,
    state: Mutex<Signal>,
}

#[derive(Debug, Default)]
struct Signal {
    /// The connection's config, whose mode `s2n_client_hello_cb_done` checks.
    config: Option<Arc<Config>>,
    /// The callback has been handed to the application in this handshake.
    invoked: bool,
    /// Its return value, once it has returned.
    returned: Option<i32>,
    /// `s2n_client_hello_cb_done` was called.
    done: bool,
}

impl HelloSignal {
    fn new(mode: Mode) -> Self {
        HelloSignal {
            mode,
            state: Mutex::new(Signal::default()),
        }
    }

    /// The callback returned `rc`.
    pub fn callback_returned(&self, rc: i32) {
        sync::lock(&self.state).returned = Some(rc);
    }

    /// `s2n_client_hello_cb_done`: for a server whose config is in non-blocking
    /// mode, once its callback has been invoked; from any thread, whatever the
    /// connection is doing.
    pub fn done(&self) -> Result<()> {
        if self.mode != Mode::Server {
            return Err(Error::new(
                ErrorCode::NotInClientMode,
                "s2n_client_hello_cb_done is for servers",
            ));
        }
        let config = sync::lock(&self.state).config.clone();
        // The config's own lock, not taken under this one.
        let config = config.unwrap_or_else(|| DEFAULT_CONFIG.clone());
        if config.settings().client_hello.mode != CallbackMode::NonBlocking {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "s2n_client_hello_cb_done is for the non-blocking callback mode",
            ));
        }
        let mut state = sync::lock(&self.state);
        if !state.invoked {
            return Err(Error::new(
                ErrorCode::AsyncNotPerformed,
                "the client hello callback has not been called on this connection",
            ));
        }
        state.done = true;
        Ok(())
    }

    /// The connection's config is now `config`.
    pub(super) fn set_config(&self, config: Option<Arc<Config>>) {
        sync::lock(&self.state).config = config;
    }

    /// A new handshake (the connection was wiped): nothing invoked, returned or done.
    pub(super) fn reset(&self) {
        let mut state = sync::lock(&self.state);
        *state = Signal {
            config: state.config.take(),
            ..Signal::default()
        };
    }

    /// The callback is handed to the application.
    fn invoked(&self) {
        sync::lock(&self.state).invoked = true;
    }

    /// The callback's return value, if it has returned, and whether
    /// `s2n_client_hello_cb_done` was called.
    fn outcome(&self) -> (Option<i32>, bool) {
        let state = sync::lock(&self.state);
        (state.returned, state.done)
    }
}

/// A new connection's signal.
pub(super) fn new_signal(mode: Mode) -> Arc<HelloSignal> {
    Arc::new(HelloSignal::new(mode))
}

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

    /// What the client hello callback's return and `s2n_client_hello_cb_done`
    /// are recorded on (the C handle keeps it).
    pub fn hello_signal(&self) -> Arc<HelloSignal> {
        Arc::clone(&self.hello_signal)
    }

    /// The callback to run now, if it is due, and the signal its return goes
    /// to: the C layer runs it with the connection released, then records its
    /// return value with [`HelloSignal::callback_returned`].
    pub fn take_hello_callback(&mut self) -> Option<(Arc<dyn HelloCallback>, Arc<HelloSignal>)> {
        if !self.hello_cb.start() {
            return None;
        }
        let Some(callback) = self.config().settings().client_hello.callback.clone() else {
            // The config was swapped for one without a callback before it ran.
            self.hello_cb.stage = HelloStage::Finished;
            return None;
        };
        self.hello_signal.invoked();
        Some((callback, self.hello_signal()))
    }

    /// Takes in what happened to the callback since the last driving call: its
    /// return (a rejection fails the handshake with a handshake_failure alert:
    /// S2N_ERR_CANCELLED) and, in non-blocking mode, `s2n_client_hello_cb_done`.
    fn hello_callback_ended(&mut self) -> Result<()> {
        let (returned, done) = self.hello_signal.outcome();
        match (self.hello_cb.stage, returned) {
            (HelloStage::Running, Some(rc)) => {
                if let Err(e) = self.hello_cb.returned(rc, done) {
                    self.blocked = Blocked::NotBlocked;
                    self.out.extend_from_slice(&HANDSHAKE_FAILURE_ALERT);
                    // The error stands whether or not the transport takes the alert now.
                    let _ = self.flush();
                    return Err(self.fail(e));
                }
            }
            (HelloStage::Pending, _) if done => self.hello_cb.stage = HelloStage::Finished,
            _ => {}
        }
        Ok(())
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
    /// S2N_ERR_CONNECTION_IN_USE. Once a callback has returned, takes in its
    /// end (and reports a rejection or failure). Neither error is a blocked
    /// one: the call then reports S2N_NOT_BLOCKED, not what the step that led
    /// to the callback was blocked on.
    pub(super) fn not_in_callback(&mut self, what: &str) -> Result<()> {
        let refused = self.hello_callback_ended().and_then(|()| {
            if self.hello_cb.stage == HelloStage::Running {
                return Err(Error::new(
                    ErrorCode::InUse,
                    format!(
                        "{what} while the client hello callback runs: the connection is in use"
                    ),
                ));
            }
            self.not_in_early_data_callback(what)
        });
        if refused.is_err() {
            self.blocked = Blocked::NotBlocked;
        }
        refused
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
        // Read in place: no copy of the settings (and its callback's Arc) per hello.
        let config = self.config();
        self.hello_cb.hello_read(&config.settings().client_hello);
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
