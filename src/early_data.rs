//! TLS1.3 early data (0-RTT): what a config says about it, what a connection keeps
//! about it, and the status a connection reports.
//!
//! rustls accepts early data only on a session it took from storage exactly once
//! (stateful resumption: its ticketer off, `StoresServerSessions::take`), so an
//! rs2n server accepts it only with the session cache on and tickets off; the
//! cache's take rule (retrieve reads and deletes a TLS1.3 key atomically) makes
//! each session's early data acceptable at most once, across a fleet too.

use std::sync::Arc;

use crate::error::Result;
use crate::owner::Owner;

/// What a config says about early data.
#[derive(Clone, Debug, Default)]
pub struct EarlyDataSettings {
    /// `s2n_config_set_server_max_early_data_size`: 0 (the default) rejects all.
    pub server_max: u32,
    /// `s2n_config_set_early_data_cb`.
    pub callback: Option<Arc<dyn EarlyDataCallback>>,
}

/// The status of early data on a connection (`s2n_early_data_status_t`, same order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In progress, or not decided yet.
    Ok = 0,
    NotRequested = 1,
    Rejected = 2,
    End = 3,
}

/// The application's answer about offered early data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Accept,
    Reject,
}

/// Early data a client offered, as the application's callback sees it: the
/// context the server stored with the session, the PSK identity (the ticket) it
/// came with, and the decision, which the application may give later from any
/// thread (`s2n_offered_early_data_accept`).
#[derive(Debug)]
pub struct Offered {
    context: Vec<u8>,
    identity: Vec<u8>,
    decision: std::sync::Mutex<Decision>,
    /// The callback's result once it has returned: recorded here, not on the
    /// connection, so its end is known without entering the connection (which
    /// another thread may be using at that moment).
    returned: std::sync::Mutex<Option<Result<()>>>,
}

impl Offered {
    pub fn new(context: Vec<u8>, identity: Vec<u8>) -> Self {
        Offered {
            context,
            identity,
            decision: std::sync::Mutex::new(Decision::Pending),
            returned: std::sync::Mutex::new(None),
        }
    }

    /// The callback returned `result`.
    pub fn callback_returned(&self, result: Result<()>) {
        *crate::sync::lock(&self.returned) = Some(result);
    }

    /// The callback's result, once it has returned.
    pub fn callback_result(&self) -> Option<Result<()>> {
        crate::sync::lock(&self.returned).clone()
    }

    pub fn context(&self) -> &[u8] {
        &self.context
    }

    /// The PSK identity (the session ticket) the early data comes with.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    pub fn decision(&self) -> Decision {
        *crate::sync::lock(&self.decision)
    }

    /// Accepts or rejects; the first answer stands.
    pub fn decide(&self, accept: bool) -> Result<()> {
        let mut d = crate::sync::lock(&self.decision);
        if *d != Decision::Pending {
            return Err(crate::error::Error::new(
                crate::error::ErrorCode::InvalidState,
                "the offered early data was already accepted or rejected",
            ));
        }
        *d = if accept {
            Decision::Accept
        } else {
            Decision::Reject
        };
        Ok(())
    }
}

/// The application's early-data callback. `owner` names the connection; an error
/// fails the handshake.
pub trait EarlyDataCallback: Send + Sync {
    fn call(&self, owner: Owner, offered: &Arc<Offered>) -> Result<()>;
}

impl std::fmt::Debug for dyn EarlyDataCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EarlyDataCallback")
    }
}

/// Where a server connection is with the application's early-data callback. The
/// core never calls it: when it is due the connection stops (blocked on
/// application input) and hands it to the C layer, which runs it with the
/// connection usable (only pinned against free and wipe), then reports back.
#[derive(Debug, Default)]
pub enum CallbackStage {
    /// Not due (no callback, or no early data it could decide on yet).
    #[default]
    Idle,
    /// Must run before the ClientHello goes on.
    Due(Arc<dyn EarlyDataCallback>),
    /// Running (the C layer took it; it records its end on the `Offered`):
    /// calls that drive the connection are refused until it has returned.
    Running,
    /// It has returned; its decision may still be pending.
    Returned,
}

/// What one connection keeps about early data.
#[derive(Debug, Default)]
pub struct ConnEarlyData {
    /// `s2n_connection_set_server_max_early_data_size` (else the config's).
    pub server_max: Option<u32>,
    /// `s2n_connection_set_server_early_data_context`: stored with new sessions.
    pub context: Vec<u8>,
    /// The application called `s2n_recv_early_data` / `s2n_send_early_data`
    /// before the handshake began: it is ready for early data.
    pub expected: bool,
    /// A client: the most early data its session allows (known once its first
    /// flight is written); 0 when it offers none.
    pub client_max: u32,
    /// Early data bytes sent (client) or received (server).
    pub transferred: u64,
    /// Bytes given to rustls by a `s2n_send_early_data` call that blocked while
    /// writing them: the retry acknowledges them instead of writing them again.
    pub unacked: usize,
    /// The early data offered to the application's callback.
    pub offered: Option<Arc<Offered>>,
    /// Where the server is with the early-data callback.
    pub stage: CallbackStage,
    /// The application protocol the server will choose for the ClientHello whose
    /// early data the callback decides on (rustls has not processed it yet).
    pub protocol: Option<Vec<u8>>,
    /// The ClientHello waits for the callback's decision.
    pub held: bool,
    /// A server accepted the client's early data (rustls did).
    pub accepted: bool,
    /// Early data a server received and the application has not read yet.
    pub pending: zeroize::Zeroizing<Vec<u8>>,
}

impl ConnEarlyData {
    /// `s2n_connection_set_server_early_data_context`.
    pub fn set_context(&mut self, context: &[u8]) {
        self.context = context.to_vec();
    }

    /// The server's maximum: this connection's, else the config's.
    pub fn server_max(&self, settings: &EarlyDataSettings) -> u32 {
        self.server_max.unwrap_or(settings.server_max)
    }

    /// What is left of `max` after what was sent or received.
    pub fn remaining(&self, max: u32) -> u32 {
        u32::try_from(u64::from(max).saturating_sub(self.transferred)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_maximum_overrides_the_config() {
        let settings = EarlyDataSettings {
            server_max: 100,
            callback: None,
        };
        let mut c = ConnEarlyData::default();
        assert_eq!(c.server_max(&settings), 100);
        c.server_max = Some(0);
        assert_eq!(c.server_max(&settings), 0);
    }

    #[test]
    fn remaining_counts_down_and_stops_at_zero() {
        let mut c = ConnEarlyData::default();
        assert_eq!(c.remaining(10), 10);
        c.transferred = 4;
        assert_eq!(c.remaining(10), 6);
        c.transferred = 11;
        assert_eq!(c.remaining(10), 0);
    }

    #[test]
    fn the_first_decision_stands() {
        let o = Offered::new(b"ctx".to_vec(), b"ticket".to_vec());
        assert_eq!(o.context(), b"ctx");
        assert_eq!(o.identity(), b"ticket");
        assert_eq!(o.decision(), Decision::Pending);
        o.decide(false).unwrap();
        assert!(o.decide(true).is_err());
        assert_eq!(o.decision(), Decision::Reject);
    }
}
