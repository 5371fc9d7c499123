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
        self.handshake_name.as_deref().unwrap_or(c"INITIAL")
    }

    /// The session ID the client offered (the server side of the ClientHello).
    pub fn client_hello_info(&self) -> Option<&HelloInfo> {
        self.hello_info.as_ref()
    }

    pub(super) fn compute_handshake_name(&self) -> CString {
        let Some(tls) = self.tls.as_ref() else {
            return c"INITIAL".into();
        };
        let kind = tls.handshake_kind();
        let full = kind != Some(HandshakeKind::Resumed);
        let mut labels = vec!["NEGOTIATED"];
        if self.negotiated_version().unwrap_or(0) >= policy::S2N_TLS13 {
            if full {
                labels.push("FULL_HANDSHAKE");
            }
            if kind == Some(HandshakeKind::FullWithHelloRetryRequest) {
                labels.push("HELLO_RETRY_REQUEST");
            }
            // rustls clients always send a legacy session ID with TLS1.3; a server
            // echoes whatever the client sent.
            let compat = match self.mode {
                Mode::Client => true,
                Mode::Server => self
                    .hello_info
                    .as_ref()
                    .is_some_and(|h| !h.session_id.is_empty()),
            };
            if compat {
                labels.push("MIDDLEBOX_COMPAT");
            }
            if self.early_data_accepted() {
                labels.push("WITH_EARLY_DATA");
            }
        } else {
            if full {
                // rustls only does ECDHE key exchange in TLS1.2: always forward secret.
                labels.extend(["FULL_HANDSHAKE", "TLS12_PERFECT_FORWARD_SECRECY"]);
                if self.is_ocsp_stapled() {
                    labels.push("OCSP_STATUS");
                }
            }
            let ticket = match self.mode {
                Mode::Server => self.server.tls12_ticket_issued(),
                Mode::Client => self.client.tls12_ticket_received(),
            };
            if ticket {
                labels.push("WITH_SESSION_TICKET");
            }
        }
        CString::new(labels.join("|")).unwrap_or_default()
    }
}
