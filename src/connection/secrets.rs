//! What a connection keeps of its handshake's secrets and stapled OCSP response:
//! key log lines for the application's callback, the TLS1.2 master secret, the
//! TLS1.3 exporter (`s2n_connection_tls_exporter`), and OCSP stapling as s2n
//! reports it.

use std::sync::Arc;

use rustls::HandshakeKind;
use zeroize::Zeroizing;

use super::{Connection, Mode};
use crate::capture::{Captured, Policy, CLIENT_RANDOM};
use crate::error::{Error, ErrorCode, Result};
use crate::extras::KeyLogCallback;
use crate::policy::S2N_TLS13;

/// cbindgen:ignore
/// The length of a TLS1.2 master secret.
pub const MASTER_SECRET_LEN: usize = 48;
/// cbindgen:ignore
/// s2n's longest exporter label (what HKDF-Expand-Label leaves after "tls13 ").
pub const MAX_EXPORTER_LABEL_LEN: usize = 249;

/// A connection's part: taken from its config when its handshake starts.
#[derive(Default)]
pub(super) struct HandshakeSecrets {
    /// The policy and key log callback in force, once known.
    setup: Option<(Policy, Option<Arc<dyn KeyLogCallback>>)>,
    master_secret: Option<Zeroizing<Vec<u8>>>,
    /// Key log lines not yet handed to the callback.
    lines: Vec<Zeroizing<Vec<u8>>>,
    ocsp_response: Option<Vec<u8>>,
}

impl Connection {
    /// This connection's OCSP policy for the next processing step (the config's,
    /// read once).
    pub(super) fn capture_policy(&mut self) -> Policy {
        if let Some((policy, _)) = &self.secrets.setup {
            return *policy;
        }
        let config = self.config();
        let s = config.settings();
        let policy = Policy {
            ocsp_requested: self.mode == Mode::Client && s.extras.requests_ocsp(),
            check_ocsp: s.extras.check_ocsp,
        };
        self.secrets.setup = Some((policy, s.extras.key_log.clone()));
        policy
    }

    /// Keeps what a processing step captured, and hands the key log lines to the
    /// application's callback unless callbacks wait for a shared call's lock to go.
    pub(super) fn absorb_capture(&mut self, captured: Captured) {
        let resumed = self
            .tls
            .as_ref()
            .is_some_and(|t| t.handshake_kind() == Some(HandshakeKind::Resumed));
        let logging = self
            .secrets
            .setup
            .as_ref()
            .is_some_and(|(_, k)| k.is_some());
        for secret in captured.master.into_iter().chain(captured.secrets) {
            // As s2n: the TLS1.2 master secret is logged on full handshakes only.
            let log = logging && !(secret.label == CLIENT_RANDOM && resumed);
            if log {
                self.secrets.lines.push(secret.line());
            }
            if secret.label == CLIENT_RANDOM {
                self.secrets.master_secret = Some(secret.secret);
            }
        }
        if captured.ocsp_response.is_some() {
            self.secrets.ocsp_response = captured.ocsp_response;
        }
        if !self.deferring {
            self.report_key_log();
        }
    }

    /// Hands the pending key log lines to the application's callback.
    pub(super) fn report_key_log(&mut self) {
        if self.secrets.lines.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.secrets.lines);
        if let Some((_, Some(callback))) = &self.secrets.setup {
            for line in &lines {
                callback.log(self.owner, line);
            }
        }
    }

    fn handshake_done(&self, what: &str) -> Result<()> {
        if !self.is_handshake_complete() {
            return Err(Error::new(
                ErrorCode::HandshakeNotComplete,
                format!("{what} is available once the handshake is complete"),
            ));
        }
        Ok(())
    }

    /// `s2n_connection_get_master_secret`: TLS1.2 only, after the handshake.
    pub fn master_secret(&self) -> Result<&[u8]> {
        if self.is_handshake_complete() && self.actual_protocol_version() >= S2N_TLS13 {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "a TLS1.3 connection has no master secret to give: use s2n_connection_tls_exporter",
            ));
        }
        self.handshake_done("the master secret")?;
        self.secrets
            .master_secret
            .as_ref()
            .map(|s| s.as_slice())
            .ok_or_else(|| Error::new(ErrorCode::Internal, "the master secret was not captured"))
    }

    /// `s2n_connection_tls_exporter`: RFC 8446's exporter, TLS1.3 only (as in
    /// s2n), after the handshake; fills `out`.
    pub fn tls_exporter(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<()> {
        self.handshake_done("the exporter")?;
        if self.actual_protocol_version() != S2N_TLS13 {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the exporter is available on TLS1.3 connections only, as in s2n",
            ));
        }
        if label.len() > MAX_EXPORTER_LABEL_LEN {
            return Err(Error::usage(format!(
                "the label is {} bytes: at most {MAX_EXPORTER_LABEL_LEN}",
                label.len()
            )));
        }
        if out.is_empty() {
            return Ok(());
        }
        let tls = self
            .tls
            .as_ref()
            .ok_or_else(|| Error::code(ErrorCode::InvalidState))?;
        let len = out.len();
        tls.export_keying_material(out, label, Some(context))
            .map(drop)
            .map_err(|e| Error::usage(format!("cannot export {len} bytes: {e}")))
    }

    /// `s2n_connection_get_ocsp_response`: on a client that asked for one, the
    /// response the server stapled.
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        self.secrets.ocsp_response.as_deref()
    }

    /// `s2n_connection_is_ocsp_stapled`: a server sent (a client received) a
    /// stapled OCSP response in this handshake, as s2n tells it.
    pub fn is_ocsp_stapled(&self) -> bool {
        match self.mode {
            Mode::Client => self.secrets.ocsp_response.is_some(),
            Mode::Server => {
                let asked = self.hello_info.as_ref().is_some_and(|h| h.status_request);
                let has = self
                    .notes
                    .selected
                    .as_ref()
                    .is_some_and(|k| k.ocsp.is_some());
                asked && has && self.tls.is_some() && !self.is_resumed()
            }
        }
    }
}
