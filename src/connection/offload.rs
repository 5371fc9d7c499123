//! A connection's handshake processing steps when its config has an async private
//! key callback: each step that may sign runs on a worker thread
//! ([`crate::pkey::step`]), and the connection reports blocked on application
//! input while the application holds the signature operation.

use std::sync::Arc;

use super::{Blocked, Connection, Mode};
use crate::error::{Error, ErrorCode, Result};
use crate::pkey::step::{Progress, SignContext, Step};
use crate::pkey::{AsyncPkeyCallback, PkeyOp};

/// A connection's offloaded step, if one runs.
#[derive(Debug, Default)]
pub(super) struct Offload {
    step: Option<Step>,
    /// An op the application's callback has not been given yet.
    owed: Option<PkeyOp>,
}

impl Offload {
    pub(super) fn running(&self) -> bool {
        self.step.is_some()
    }
}

fn waiting() -> Error {
    Error::new(
        ErrorCode::AsyncBlocked,
        "waiting for the application to apply the async private key operation",
    )
}

impl Connection {
    /// How the next handshake step signs: `Ok(None)` to sign on this thread as
    /// usual; `Ok(Some(ctx))` with `ctx.offloads()` to run it on a worker.
    pub(super) fn sign_context(&self) -> Option<(SignContext, bool)> {
        let config = self.config();
        let s = config.settings();
        let may_sign = match self.mode {
            Mode::Server => true,
            // A client signs only with a certificate to send.
            Mode::Client => !s.certs.is_empty(),
        };
        let offload = s.pkey.callback.is_some() && may_sign;
        if !offload && !s.pkey.verify_after_sign {
            return None;
        }
        let mut ctx = SignContext::local(self.owner, s.pkey.verify_after_sign);
        ctx.strict = s.pkey.strict();
        Some((ctx, offload))
    }

    /// Starts the step `run` on a worker and reports where it is.
    pub(super) fn start_step(
        &mut self,
        ctx: SignContext,
        policy: crate::capture::Policy,
        run: impl FnOnce(&mut rustls::Connection) -> std::result::Result<rustls::IoState, rustls::Error>
            + Send
            + 'static,
    ) -> Result<()> {
        let Some(tls) = self.tls.take() else {
            return Ok(());
        };
        match Step::start(tls, ctx, policy, run) {
            Ok(step) => self.offload.step = Some(step),
            Err(e) => return Err(self.fail(e)),
        }
        self.resume_step()
    }

    /// Picks up the worker's step: blocked on application input while the
    /// application holds the op; once it is done, what rustls did is taken in as
    /// after any processing step.
    pub(super) fn resume_step(&mut self) -> Result<()> {
        let Some(step) = self.offload.step.as_mut() else {
            return Ok(());
        };
        match step.poll() {
            Err(e) => {
                self.offload.step = None;
                Err(self.fail(e))
            }
            Ok(Progress::Op(op, notes)) => {
                self.notes.absorb(notes);
                self.offload.owed = Some(op);
                self.blocked = Blocked::OnApplicationInput;
                Err(waiting())
            }
            Ok(Progress::Waiting) => {
                self.blocked = Blocked::OnApplicationInput;
                Err(waiting())
            }
            Ok(Progress::Done(finished)) => {
                self.offload.step = None;
                let finished = *finished;
                self.notes.absorb(finished.notes);
                let Some(tls) = finished.tls else {
                    let e = Error::new(
                        ErrorCode::Internal,
                        "processing the handshake panicked on the async private key thread",
                    );
                    return Err(self.fail(e));
                };
                self.tls = Some(tls);
                self.after_processing(finished.result, finished.sign_error, finished.captured)
            }
        }
    }

    /// The application callback owed an op, taken once: the api layer runs it
    /// with the connection usable (`s2n_connection_get_selected_cert`,
    /// `s2n_async_pkey_op_apply`, ... work from inside it).
    pub fn take_pkey_callback(&mut self) -> Option<(Arc<dyn AsyncPkeyCallback>, PkeyOp)> {
        let op = self.offload.owed.take()?;
        match self.config().settings().pkey.callback.clone() {
            Some(callback) => Some((callback, op)),
            None => {
                // The callback was removed meanwhile: the handshake fails.
                op.stop(Error::new(
                    ErrorCode::AsyncCallbackFailed,
                    "the config's async private key callback was removed during the handshake",
                ));
                None
            }
        }
    }

    /// The application's callback failed: so does the handshake.
    pub fn pkey_callback_failed(&mut self, error: Error) -> Error {
        self.offload = Offload::default();
        self.fail(error)
    }
}
