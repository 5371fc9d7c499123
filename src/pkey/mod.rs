//! Private key operations the application performs (`s2n_async_pkey_*`): a server's
//! handshake signature (TLS1.3 CertificateVerify, TLS1.2 ServerKeyExchange) and a
//! client's (CertificateVerify), handed to the application's callback as an
//! operation it completes now or later, from any thread.
//!
//! rustls signs synchronously, inside the processing step that writes the signed
//! message. So with an async callback set, a connection runs each handshake
//! processing step that may sign on a worker thread ([`step`]): the signer there
//! hands the operation to the connection and waits for it, while `s2n_negotiate`
//! returns blocked on application input; once the application applies the
//! operation, the worker finishes the step and the next `s2n_negotiate` picks it up.
//! The caller's thread never waits for the application.
//!
//! - [`key`]: the signing key every chain is loaded with (with or without its
//!   private key), which signs itself or offloads, and what rs2n reads from a
//!   public key.
//! - [`op`]: one operation as the application sees it.
//! - [`step`]: the worker and the signing context of a processing step.

use std::sync::Arc;

use crate::error::Result;
use crate::owner::Owner;

pub mod check;
pub mod key;
pub mod op;
pub mod step;

pub use op::PkeyOp;

/// How the application's signature is checked before it is used
/// (`s2n_async_pkey_validation_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Validation {
    /// Only what safe use needs (s2n's default).
    #[default]
    Fast,
    /// The signature is also verified with the certificate's public key.
    Strict,
}

/// The application's async private key callback (`s2n_async_pkey_fn`).
pub trait AsyncPkeyCallback: Send + Sync {
    /// Hands `op` to the application for the connection named by `owner`.
    fn invoke(&self, owner: Owner, op: PkeyOp) -> Result<()>;
}

impl std::fmt::Debug for dyn AsyncPkeyCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsyncPkeyCallback")
    }
}

/// A config's private key settings.
#[derive(Clone, Debug, Default)]
pub struct PkeySettings {
    /// Set: every handshake signature is handed to the application.
    pub callback: Option<Arc<dyn AsyncPkeyCallback>>,
    pub validation: Validation,
    /// `s2n_config_set_verify_after_sign`: rs2n checks each signature it makes
    /// (and, with a callback, each the application makes) with the public key.
    pub verify_after_sign: bool,
}

impl PkeySettings {
    /// Whether an application's signature is verified before use: strict
    /// validation, or verify-after-sign (which s2n applies to offloaded
    /// signatures too).
    pub fn strict(&self) -> bool {
        self.validation == Validation::Strict || self.verify_after_sign
    }
}

#[cfg(test)]
mod tests;
