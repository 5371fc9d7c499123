//! The client-hello callback: what a config says about it, and where a server
//! connection is with it. The core never calls the callback: when it is due the
//! connection stops (blocked on application input) and hands it to the C layer,
//! which runs it with the connection's lock released (only its busy marker held),
//! so the callback may read the ClientHello and change the connection (its
//! config, client authentication...) through its own handle.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;

/// The application's callback, implemented by the C layer; called by it only.
pub trait HelloCallback: Send + Sync {
    /// Runs the callback for the connection `owner` names; its return value.
    fn call(&self, owner: Owner) -> i32;
}

/// `s2n_client_hello_cb_mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CallbackMode {
    /// The callback's return ends its work (s2n's default).
    #[default]
    Blocking,
    /// The handshake waits until `s2n_client_hello_cb_done`.
    NonBlocking,
}

/// A config's client-hello callback and its mode.
#[derive(Clone, Default)]
pub struct HelloSettings {
    pub callback: Option<Arc<dyn HelloCallback>>,
    pub mode: CallbackMode,
}

impl fmt::Debug for HelloSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelloSettings")
            .field("callback", &self.callback.is_some())
            .field("mode", &self.mode)
            .finish()
    }
}

/// Where a server connection is with the client-hello callback (run at most once
/// per handshake, when the first ClientHello has been read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HelloStage {
    /// No ClientHello yet.
    #[default]
    Waiting,
    /// The callback must run before the handshake goes on.
    Due,
    /// The callback is running (the C layer took it), or has returned and its
    /// connection has not taken that in yet.
    Running,
    /// Non-blocking mode: the callback returned 0 and `s2n_client_hello_cb_done`
    /// has not been called yet.
    Pending,
    /// The callback's work is done: the rustls connection must be made again from
    /// what the callback may have changed.
    Finished,
    /// No callback, or its work is done and taken into account.
    Done,
}

/// One connection's state with the callback.
#[derive(Clone, Copy, Debug, Default)]
pub struct HelloCallbackState {
    pub stage: HelloStage,
    /// The callback said the server used the client's server name.
    pub server_name_used: bool,
    mode: CallbackMode,
}

impl HelloCallbackState {
    /// The ClientHello was read: the callback is due if one is set.
    pub fn hello_read(&mut self, settings: &HelloSettings) {
        if self.stage == HelloStage::Waiting {
            self.mode = settings.mode;
            self.stage = match settings.callback {
                Some(_) => HelloStage::Due,
                None => HelloStage::Done,
            };
        }
    }

    /// The C layer takes the callback to run it.
    pub fn start(&mut self) -> bool {
        let due = self.stage == HelloStage::Due;
        if due {
            self.stage = HelloStage::Running;
        }
        due
    }

    /// The callback returned `rc` (`done`: `s2n_client_hello_cb_done` was
    /// called): negative rejects the handshake (S2N_ERR_CANCELLED); in blocking
    /// mode a positive value says the server name was used; in non-blocking mode
    /// 0 waits for `s2n_client_hello_cb_done` unless it was already called.
    pub fn returned(&mut self, rc: i32, done: bool) -> Result<()> {
        if rc < 0 {
            self.stage = HelloStage::Done;
            return Err(Error::new(
                ErrorCode::Cancelled,
                format!("the client hello callback rejected the handshake (it returned {rc})"),
            ));
        }
        self.stage = match self.mode {
            CallbackMode::Blocking => {
                self.server_name_used |= rc > 0;
                HelloStage::Finished
            }
            CallbackMode::NonBlocking if done => HelloStage::Finished,
            CallbackMode::NonBlocking => HelloStage::Pending,
        };
        Ok(())
    }

    /// Whether the connection's settings may still change although the handshake
    /// has started: while the callback runs or is pending.
    pub fn allows_changes(&self) -> bool {
        matches!(self.stage, HelloStage::Running | HelloStage::Pending)
    }

    /// Whether the handshake cannot go on yet.
    pub fn holds_handshake(&self) -> bool {
        matches!(
            self.stage,
            HelloStage::Due | HelloStage::Running | HelloStage::Pending
        )
    }
}
