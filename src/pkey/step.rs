//! The signing context of a processing step, and the worker thread that runs a
//! step whose signature the application makes.
//!
//! A connection whose config has an async private key callback runs each
//! handshake processing step (rustls reading the peer's flight and writing its
//! answer, signature included) with [`Step::start`] on a worker thread that owns
//! the rustls connection meanwhile. When rustls asks the chain's key for a
//! signature there, the signer makes a [`PkeyOp`], sends it to the connection and
//! waits for its outcome; the connection hands the op to the application and
//! reports blocked on application input until the worker is done. Dropping the
//! step (the connection freed or wiped, or failed) stops any wait and joins the
//! worker, so nothing hangs and no thread outlives its connection.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rustls::pki_types::CertificateDer;
use rustls::SignatureScheme;

use super::check;
use super::op::{Outcome, PkeyOp};
use crate::error::{Error, ErrorCode, Result};
use crate::handshake_notes::{self, Notes};
use crate::owner::Owner;
use crate::sync;

/// How the signatures of one processing step are made.
#[derive(Clone, Debug)]
pub struct SignContext {
    pub owner: Owner,
    /// Offloaded signatures are verified before use.
    pub strict: bool,
    /// Signatures rs2n makes itself are verified before use.
    pub verify_after_sign: bool,
    /// Set on a worker: signatures go to the application through here.
    offload: Option<Arc<Shared>>,
}

impl SignContext {
    /// A step on the caller's thread: rs2n signs, checking if asked.
    pub fn local(owner: Owner, verify_after_sign: bool) -> Self {
        SignContext {
            owner,
            strict: false,
            verify_after_sign,
            offload: None,
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<SignContext>> = const { RefCell::new(None) };
    /// Why the last signature made on this thread (not offloaded) failed.
    static LOCAL_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Takes why a signature made on this thread failed, if one did since the last
/// call: rustls reports only that it failed.
pub fn take_local_error() -> Option<Error> {
    LOCAL_ERROR
        .try_with(|l| l.borrow_mut().take())
        .ok()
        .flatten()
}

/// Runs `f` (rustls processing a step) with `ctx` seen by the signers.
pub fn within<T>(ctx: SignContext, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<SignContext>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT
        .try_with(|c| c.borrow_mut().replace(ctx))
        .ok()
        .flatten();
    let _restore = Restore(previous);
    f()
}

/// A handshake signature of `message` with `scheme` for the chain whose leaf is
/// `leaf`: offloaded if the step offloads, else made by `local` (the private key),
/// and checked if the config asks.
pub(crate) fn sign(
    scheme: SignatureScheme,
    leaf: &CertificateDer<'static>,
    message: &[u8],
    local: impl FnOnce(&[u8]) -> Result<Vec<u8>>,
) -> std::result::Result<Vec<u8>, rustls::Error> {
    let ctx = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten();
    let result = match &ctx {
        Some(SignContext {
            offload: Some(shared),
            owner,
            strict,
            ..
        }) => shared.offload(*owner, scheme, leaf, message, *strict),
        _ => local(message).and_then(|signature| {
            if ctx.as_ref().is_some_and(|c| c.verify_after_sign) {
                check::verify(leaf, scheme, message, &signature)?;
            }
            Ok(signature)
        }),
    };
    result.map_err(|e| {
        let text = e.message.to_string();
        match ctx.as_ref().and_then(|c| c.offload.as_ref()) {
            Some(shared) => shared.set_error(e),
            None => {
                let _ = LOCAL_ERROR.try_with(|l| *l.borrow_mut() = Some(e));
            }
        }
        rustls::Error::General(text)
    })
}

/// What the worker tells the connection.
pub enum Event {
    /// A signature is needed: the op for the application, and what the step
    /// noted so far (the certificate and scheme chosen).
    Op(PkeyOp, Notes),
    /// The step is done: the rustls connection comes back.
    Done(Box<Finished>),
}

/// A finished step.
pub struct Finished {
    pub tls: Option<rustls::Connection>,
    pub result: std::result::Result<rustls::IoState, rustls::Error>,
    /// The secrets and stapled response rustls handed over during the step.
    pub captured: crate::capture::Captured,
    pub notes: Notes,
    /// Why a signature failed, in s2n's terms (rustls only says it failed).
    pub sign_error: Option<Error>,
}

/// What the connection and the worker share.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<SharedState>,
}

#[derive(Debug, Default)]
struct SharedState {
    /// The connection gave up on the step: no op may start.
    stopped: bool,
    /// The op being waited for.
    op: Option<PkeyOp>,
    events: Option<Sender<Event>>,
    error: Option<Error>,
}

impl Shared {
    fn offload(
        &self,
        owner: Owner,
        scheme: SignatureScheme,
        leaf: &CertificateDer<'static>,
        message: &[u8],
        strict: bool,
    ) -> Result<Vec<u8>> {
        let Some(digest) = check::digest(scheme, message) else {
            return Err(Error::new(
                ErrorCode::Unimplemented,
                format!("rs2n cannot offload a {scheme:?} signature: s2n's operation gives the application a digest, and this scheme signs the whole message"),
            ));
        };
        let (tx, rx) = channel::<Outcome>();
        let op = PkeyOp::new(owner, scheme, message, digest, leaf.clone(), strict, tx);
        {
            let mut state = sync::lock(&self.state);
            let sent = match (&state.events, state.stopped) {
                (Some(events), false) => events
                    .send(Event::Op(op.clone(), handshake_notes::take()))
                    .is_ok(),
                _ => false,
            };
            if !sent {
                return Err(stopped());
            }
            state.op = Some(op);
        }
        // The wait: until the application applies or frees the op, or the
        // connection stops the step.
        rx.recv().unwrap_or_else(|_| Err(stopped()))
    }

    fn set_error(&self, e: Error) {
        sync::lock(&self.state).error.get_or_insert(e);
    }
}

fn stopped() -> Error {
    Error::new(
        ErrorCode::AsyncCallbackFailed,
        "the connection stopped waiting for the async private key operation",
    )
}

/// A processing step on a worker thread.
#[derive(Debug)]
pub struct Step {
    shared: Arc<Shared>,
    events: Receiver<Event>,
    worker: Option<JoinHandle<()>>,
    /// The op the application has, once the worker asked for it.
    op: Option<PkeyOp>,
}

/// Where a step is.
pub enum Progress {
    /// The worker needs the application: hand it this op.
    Op(PkeyOp, Notes),
    /// The application has the op and has not applied it yet.
    Waiting,
    Done(Box<Finished>),
}

impl Step {
    /// Starts `run` (rustls processing one step of `tls`) on a worker thread.
    pub fn start(
        mut tls: rustls::Connection,
        ctx: SignContext,
        policy: crate::capture::Policy,
        run: impl FnOnce(&mut rustls::Connection) -> std::result::Result<rustls::IoState, rustls::Error>
            + Send
            + 'static,
    ) -> Result<Step> {
        let shared = Arc::new(Shared::default());
        let (tx, rx) = channel();
        sync::lock(&shared.state).events = Some(tx.clone());
        let ctx = SignContext {
            offload: Some(shared.clone()),
            ..ctx
        };
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new()
            .name("rs2n-pkey".into())
            .spawn(move || {
                let _stale = handshake_notes::take();
                let result = catch_unwind(AssertUnwindSafe(|| {
                    crate::capture::within(policy, || within(ctx, || run(&mut tls)))
                }));
                let (tls, result, captured) = match result {
                    Ok((r, captured)) => (Some(tls), r, captured),
                    // rustls' state is unknown after a panic: the connection fails.
                    Err(_) => (
                        None,
                        Err(rustls::Error::General("panic".into())),
                        Default::default(),
                    ),
                };
                let finished = Finished {
                    tls,
                    result,
                    captured,
                    notes: handshake_notes::take(),
                    sign_error: sync::lock(&worker_shared.state).error.take(),
                };
                let _ = tx.send(Event::Done(Box::new(finished)));
            })
            .map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("cannot start the thread that waits for the async private key operation: {e}"),
                )
            })?;
        Ok(Step {
            shared,
            events: rx,
            worker: Some(worker),
            op: None,
        })
    }

    /// Where the step is now. Waits only while the worker computes (never while
    /// the application has an op it has not applied or freed).
    pub fn poll(&mut self) -> Result<Progress> {
        let event = match &self.op {
            Some(op) if !op.settled() => match self.events.try_recv() {
                Ok(event) => event,
                Err(TryRecvError::Empty) => return Ok(Progress::Waiting),
                Err(TryRecvError::Disconnected) => return Err(lost()),
            },
            _ => self.events.recv().map_err(|_| lost())?,
        };
        match event {
            Event::Op(op, notes) => {
                self.op = Some(op.clone());
                Ok(Progress::Op(op, notes))
            }
            Event::Done(finished) => {
                if let Some(worker) = self.worker.take() {
                    let _ = worker.join();
                }
                Ok(Progress::Done(finished))
            }
        }
    }
}

fn lost() -> Error {
    Error::new(
        ErrorCode::Internal,
        "the thread processing the handshake ended without a result",
    )
}

impl Drop for Step {
    fn drop(&mut self) {
        {
            let mut state = sync::lock(&self.shared.state);
            state.stopped = true;
            state.events = None;
            if let Some(op) = state.op.take() {
                op.stop(stopped());
            }
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
