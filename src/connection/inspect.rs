//! What a connection reports about itself and its handshake: versions, cipher,
//! handshake type name, server name, alerts, byte counts.

use std::ffi::{CStr, CString};

use rustls::HandshakeKind;

use super::{Blocked, Connection, Mode, PeerClose};
use crate::error::{Error, ErrorCode, Result};
use crate::hello::{s2n_version, HelloInfo};
use crate::policy;

impl Connection {
    /// Whether the handshake resumed a session.
    pub fn is_resumed(&self) -> bool {
        self.tls
            .as_ref()
            .is_some_and(|t| t.handshake_kind() == Some(HandshakeKind::Resumed))
    }

    /// The session ID of the ServerHello (TLS1.2's session ID, or the TLS1.3
    /// compatibility echo); empty before it is seen.
    pub fn session_id(&self) -> &[u8] {
        self.server_hello_info
            .as_ref()
            .map_or(&[], |h| h.session_id.as_slice())
    }

    /// The client's configured name, or on a server the name the client sent (SNI).
    pub fn server_name(&self) -> Option<&CString> {
        self.server_name.as_ref()
    }

    pub fn blocked(&self) -> Blocked {
        self.blocked
    }

    pub fn wire_bytes_in(&self) -> u64 {
        self.wire_in
    }

    pub fn wire_bytes_out(&self) -> u64 {
        self.wire_out
    }

    /// The alert the peer sent, if the connection ended with one.
    pub fn alert(&self) -> Result<u8> {
        self.alert
            .ok_or_else(|| Error::new(ErrorCode::NoAlert, "no alert was received from the peer"))
    }

    pub fn peer_close(&self) -> Option<PeerClose> {
        self.peer_close
    }

    pub fn is_handshake_complete(&self) -> bool {
        self.tls.as_ref().is_some_and(|t| !t.is_handshaking())
    }

    pub(super) fn policy_max_version(&self) -> i32 {
        self.policy().max_version
    }

    fn negotiated_version(&self) -> Option<i32> {
        let v = self.tls.as_ref()?.protocol_version()?;
        Some(s2n_version(u16::from(v)))
    }

    /// `s2n_connection_get_actual_protocol_version`.
    pub fn actual_protocol_version(&self) -> i32 {
        match (self.negotiated_version(), self.mode) {
            (Some(v), _) => v,
            (None, Mode::Client) => self.policy_max_version(),
            (None, Mode::Server) => 0,
        }
    }

    /// `s2n_connection_get_client_protocol_version`.
    pub fn client_protocol_version(&self) -> i32 {
        match self.mode {
            Mode::Client => self.policy_max_version(),
            Mode::Server => self.hello_info.as_ref().map_or(0, |h| h.max_version),
        }
    }

    /// `s2n_connection_get_server_protocol_version`.
    pub fn server_protocol_version(&self) -> i32 {
        match self.mode {
            Mode::Server => self.policy_max_version(),
            Mode::Client => self.negotiated_version().unwrap_or(0),
        }
    }

    /// s2n's name for the negotiated cipher suite.
    pub fn cipher(&self) -> &'static str {
        match self.tls.as_ref().and_then(|t| t.negotiated_cipher_suite()) {
            Some(suite) => policy::s2n_cipher_name(suite.suite()),
            None => "TLS_NULL_WITH_NULL_NULL",
        }
    }

    /// s2n's handshake type name, e.g. `NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT`;
    /// `INITIAL` until the handshake is complete.
    pub fn handshake_type_name(&self) -> &CStr {
        match self.handshake_done {
            Some(t) => self.handshake_name.get_or_init(|| t.name()),
            None => c"INITIAL",
        }
    }

    /// The session ID the client offered (the server side of the ClientHello).
    pub fn client_hello_info(&self) -> Option<&HelloInfo> {
        self.hello_info.as_ref()
    }

    /// s2n's handshake type name of the handshake as it stands (see
    /// [`Connection::handshake_type`]).
    #[cfg(test)]
    pub(super) fn compute_handshake_name(&self) -> CString {
        match self.tls {
            Some(_) => self.handshake_type().name(),
            None => c"INITIAL".into(),
        }
    }

    /// s2n's handshake type, from what the handshake did: fixed once it completes,
    /// its name written only when asked for.
    pub(super) fn handshake_type(&self) -> HandshakeType {
        let Some(tls) = self.tls.as_ref() else {
            return HandshakeType::default();
        };
        let kind = tls.handshake_kind();
        let full = kind != Some(HandshakeKind::Resumed);
        let mut t = HandshakeType::default();
        if self.negotiated_version().unwrap_or(0) >= policy::S2N_TLS13 {
            t.set(FULL_HANDSHAKE, full);
            t.set(
                HELLO_RETRY_REQUEST,
                kind == Some(HandshakeKind::FullWithHelloRetryRequest),
            );
            // rustls clients always send a legacy session ID with TLS1.3; a server
            // echoes whatever the client sent.
            let compat = match self.mode {
                Mode::Client => true,
                Mode::Server => self
                    .hello_info
                    .as_ref()
                    .is_some_and(|h| !h.session_id.is_empty()),
            };
            t.set(MIDDLEBOX_COMPAT, compat);
            t.set(WITH_EARLY_DATA, self.early_data_accepted());
        } else {
            // rustls only does ECDHE key exchange in TLS1.2: always forward secret.
            t.set(FULL_HANDSHAKE | TLS12_PERFECT_FORWARD_SECRECY, full);
            t.set(OCSP_STATUS, full && self.is_ocsp_stapled());
            let ticket = match self.mode {
                Mode::Server => self.server.tls12_ticket_issued(),
                Mode::Client => self.client.tls12_ticket_received(),
            };
            t.set(WITH_SESSION_TICKET, ticket);
        }
        t
    }
}

/// The labels of s2n's handshake type names, in the order its names list them
/// (TLS1.3 uses some, TLS1.2 others; each keeps s2n's order).
const LABELS: [&str; 8] = [
    "NEGOTIATED",
    "FULL_HANDSHAKE",
    "TLS12_PERFECT_FORWARD_SECRECY",
    "OCSP_STATUS",
    "HELLO_RETRY_REQUEST",
    "MIDDLEBOX_COMPAT",
    "WITH_EARLY_DATA",
    "WITH_SESSION_TICKET",
];
const FULL_HANDSHAKE: u8 = 1 << 1;
const TLS12_PERFECT_FORWARD_SECRECY: u8 = 1 << 2;
const OCSP_STATUS: u8 = 1 << 3;
const HELLO_RETRY_REQUEST: u8 = 1 << 4;
const MIDDLEBOX_COMPAT: u8 = 1 << 5;
const WITH_EARLY_DATA: u8 = 1 << 6;
const WITH_SESSION_TICKET: u8 = 1 << 7;

/// A negotiated handshake's type: one bit per label of [`LABELS`] (NEGOTIATED
/// always set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct HandshakeType(u8);

impl Default for HandshakeType {
    fn default() -> Self {
        HandshakeType(1)
    }
}

impl HandshakeType {
    fn set(&mut self, bits: u8, on: bool) {
        if on {
            self.0 |= bits;
        }
    }

    /// s2n's name, e.g. `NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT`.
    pub(super) fn name(self) -> CString {
        let mut name = Vec::with_capacity(64);
        for (i, label) in LABELS.iter().enumerate() {
            if self.0 & (1 << i) != 0 {
                if !name.is_empty() {
                    name.push(b'|');
                }
                name.extend_from_slice(label.as_bytes());
            }
        }
        CString::new(name).unwrap_or_default()
    }
}
