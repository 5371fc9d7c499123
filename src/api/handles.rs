//! The C handle types (`struct s2n_config`, `struct s2n_connection`, ...), the
//! application callbacks they store, and the wrappers that run an exported
//! function's body on a handle under `guard`: `with_config`, `with_conn`, `query`,
//! `with_blocked`. A connection is locked only here.
//!
//! The stored callbacks are plain data here because the handles hold them and their
//! signatures name `s2n_connection`; the code that calls them is in `callbacks`.

use std::ffi::{c_int, c_void};
use std::sync::atomic::AtomicPtr;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use super::boundary::{guard, into_handle, try_mut, try_ref, Failure};
use super::{s2n_blocked_status, S2N_NOT_BLOCKED, S2N_SUCCESS};
use crate::certs::CertChainAndKey;
use crate::config::Config;
use crate::connection::{Connection, Mode};
use crate::error::{Error, ErrorCode, Result};
use crate::resumption::client_session::SessionInfo;

/// An application context pointer, handed back to the application's callbacks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx(pub(crate) *mut c_void);

impl Default for Ctx {
    fn default() -> Self {
        Ctx(std::ptr::null_mut())
    }
}

/// A configuration shared by any number of connections.
pub struct s2n_config {
    pub(crate) core: Arc<Config>,
    pub(crate) ctx: AtomicPtr<c_void>,
    pub(crate) cache: Mutex<CacheCallbacks>,
}

impl s2n_config {
    /// Moves a new config to the heap for C.
    pub(crate) fn new_handle(core: Config) -> *mut s2n_config {
        into_handle(s2n_config {
            core: Arc::new(core),
            ctx: AtomicPtr::new(std::ptr::null_mut()),
            cache: Mutex::new(CacheCallbacks::default()),
        })
    }
}

/// Runs `f` on the config behind a C pointer.
pub(crate) fn with_config(config: *mut s2n_config, f: impl FnOnce(&Config) -> Result<()>) -> c_int {
    guard(|| {
        // SAFETY: `config` is NULL or a live handle from s2n_config_new.
        let handle = unsafe { try_ref(config, "config") }?;
        f(&handle.core)?;
        Ok(S2N_SUCCESS)
    })
}

pub(crate) type StoreFn = unsafe extern "C" fn(
    *mut s2n_connection,
    *mut c_void,
    u64,
    *const c_void,
    u64,
    *const c_void,
    u64,
) -> c_int;
pub(crate) type RetrieveFn = unsafe extern "C" fn(
    *mut s2n_connection,
    *mut c_void,
    *const c_void,
    u64,
    *mut c_void,
    *mut u64,
) -> c_int;
pub(crate) type DeleteFn =
    unsafe extern "C" fn(*mut s2n_connection, *mut c_void, *const c_void, u64) -> c_int;

/// The session cache callbacks set so far, and whether the application turned the
/// cache on.
#[derive(Default)]
pub(crate) struct CacheCallbacks {
    pub(crate) store: Option<(StoreFn, Ctx)>,
    pub(crate) retrieve: Option<(RetrieveFn, Ctx)>,
    pub(crate) delete: Option<(DeleteFn, Ctx)>,
    pub(crate) on: bool,
}

/// A TLS connection, server or client.
///
/// Differs from s2n-tls: one call at a time per connection. s2n-tls allows one
/// sending and one receiving thread at once; in rs2n a call made while another is
/// running on the same connection fails with S2N_ERR_CONNECTION_IN_USE
/// (S2N_ERR_T_USAGE) instead of racing.
pub struct s2n_connection {
    inner: Mutex<ConnectionState>,
    pub(crate) ctx: AtomicPtr<c_void>,
}

pub(crate) struct ConnectionState {
    pub core: Connection,
    pub io: CallbackIo,
}

pub(crate) type RecvFn = unsafe extern "C" fn(*mut c_void, *mut u8, u32) -> c_int;
pub(crate) type SendFn = unsafe extern "C" fn(*mut c_void, *const u8, u32) -> c_int;

/// The I/O callbacks and contexts set so far; a callback is installed as the
/// transport once set, with whatever context is set (now or later).
#[derive(Default)]
pub(crate) struct CallbackIo {
    pub(crate) recv: Option<RecvFn>,
    pub(crate) recv_ctx: Ctx,
    pub(crate) send: Option<SendFn>,
    pub(crate) send_ctx: Ctx,
}

impl s2n_connection {
    /// Moves a new connection to the heap for C.
    pub(crate) fn new_handle(mode: Mode) -> *mut s2n_connection {
        let handle = into_handle(s2n_connection {
            inner: Mutex::new(ConnectionState {
                core: Connection::new(mode),
                io: CallbackIo::default(),
            }),
            ctx: AtomicPtr::new(std::ptr::null_mut()),
        });
        // Callbacks name the connection by its handle.
        // SAFETY: `handle` was just made and is not shared yet.
        if let Ok(state) = unsafe { (*handle).inner.get_mut() } {
            state.core.set_owner(handle as usize);
        }
        handle
    }

    /// Locks the connection for one call; a concurrent or re-entrant call is refused.
    fn lock(&self) -> Result<MutexGuard<'_, ConnectionState>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorCode::InUse,
                "the connection is in use by another call (another thread, or a callback re-entering it)",
            )),
            Err(TryLockError::Poisoned(_)) => Err(Error::new(
                ErrorCode::Internal,
                "the connection was left inconsistent by an internal error: wipe or free it",
            )),
        }
    }

    /// Locks even after an internal error, for wipe.
    pub(crate) fn lock_for_wipe(&self) -> Result<MutexGuard<'_, ConnectionState>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => self.lock(),
        }
    }
}

/// Runs `f` on the connection behind a C pointer, for an `int` result.
pub(crate) fn with_conn(
    conn: *mut s2n_connection,
    f: impl FnOnce(&mut ConnectionState) -> Result<()>,
) -> c_int {
    guard(|| {
        // SAFETY: `conn` is NULL or a live handle from s2n_connection_new.
        let handle = unsafe { try_ref(conn, "conn") }?;
        f(&mut *handle.lock()?)?;
        Ok(S2N_SUCCESS)
    })
}

/// Runs `f` on the connection for a value of any failure-capable type.
pub(crate) fn query<T: Failure>(
    conn: *mut s2n_connection,
    f: impl FnOnce(&mut ConnectionState) -> Result<T>,
) -> T {
    guard(|| {
        // SAFETY: as in with_conn.
        let handle = unsafe { try_ref(conn, "conn") }?;
        let mut state = handle.lock()?;
        f(&mut state)
    })
}

/// Runs an I/O call and reports its blocked status, as s2n does: always written,
/// S2N_NOT_BLOCKED unless the call failed with S2N_ERR_T_BLOCKED.
pub(crate) fn with_blocked<T: Failure>(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
    f: impl FnOnce(&mut ConnectionState) -> Result<T>,
) -> T {
    guard(|| {
        // SAFETY: NULL or valid pointers, as the API requires.
        let handle = unsafe { try_ref(conn, "conn") }?;
        // SAFETY: as above.
        let blocked = unsafe { try_mut(blocked, "blocked") }?;
        *blocked = S2N_NOT_BLOCKED;
        let mut state = handle.lock()?;
        let out = f(&mut state);
        *blocked = state.core.blocked() as s2n_blocked_status;
        out
    })
}

/// A certificate chain and private key, shared by the configs it is added to.
pub struct s2n_cert_chain_and_key {
    pub(crate) inner: Mutex<CertChainAndKey>,
}

impl s2n_cert_chain_and_key {
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut CertChainAndKey) -> Result<T>) -> Result<T> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| Error::new(ErrorCode::Internal, "cert chain lock poisoned"))?;
        f(&mut inner)
    }
}

/// A session ticket a client received, as handed to the session ticket callback;
/// valid only during the callback.
pub struct s2n_session_ticket {
    pub(crate) info: SessionInfo,
}
