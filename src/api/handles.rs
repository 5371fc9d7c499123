//! The C handle types (`struct s2n_config`, `struct s2n_connection`, ...), the
//! application callbacks they store, and the wrappers that run an exported
//! function's body on a handle under `guard`: `with_config`, `with_conn`, `query`,
//! `with_blocked` (a call that has the connection to itself), `with_direction`
//! (a sending or receiving call, which may overlap one in the other direction:
//! see `connection::shared`). A connection is entered only here.
//!
//! The stored callbacks are plain data here because the handles hold them and their
//! signatures name `s2n_connection`; the code that calls them is in `callbacks`.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::AtomicPtr;
use std::sync::{Arc, Mutex, Weak};

use once_cell::sync::Lazy;
use rustls::pki_types::CertificateDer;
use rustls::sign::CertifiedKey;

use super::boundary::{guard, into_handle, try_mut, try_ref, Failure};
use super::{
    s2n_blocked_status, S2N_BLOCKED_ON_READ, S2N_BLOCKED_ON_WRITE, S2N_NOT_BLOCKED, S2N_SUCCESS,
};
use crate::certs::CertChainAndKey;
use crate::config::Config;
use crate::connection::{Claim, Connection, Exclusive, HelloSignal, Mode, Shared, SharedCall};
use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;
use crate::resumption::client_session::SessionInfo;
use crate::sync;

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
    /// The chains `s2n_config_add_cert_chain_and_key` made: the config owns them.
    /// Boxed: their addresses are handed out (`s2n_connection_get_selected_cert`).
    #[allow(clippy::vec_box)]
    pub(crate) owned_certs: Mutex<Vec<Box<s2n_cert_chain_and_key>>>,
}

impl s2n_config {
    /// Moves a new config to the heap for C.
    pub(crate) fn new_handle(core: Config) -> *mut s2n_config {
        into_handle(s2n_config {
            core: Arc::new(core),
            ctx: AtomicPtr::new(std::ptr::null_mut()),
            cache: Mutex::new(CacheCallbacks::default()),
            owned_certs: Mutex::new(Vec::new()),
        })
    }
}

/// Runs `f` on the config behind a C pointer.
pub(crate) fn with_config(config: *mut s2n_config, f: impl FnOnce(&Config) -> Result<()>) -> c_int {
    guard(|| {
        // SAFETY: `config` is NULL or a live handle from s2n_config_new.
        let handle = unsafe { try_ref(config, "config") }?;
        // Our own reference: a callback `f` runs (the wall clock) may free the handle.
        let core = Arc::clone(&handle.core);
        f(&core)?;
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
/// As in s2n-tls, one thread may be in `s2n_recv` (or `s2n_peek`) while another is
/// in `s2n_send` (or `s2n_sendv*`, `s2n_shutdown_send`) on the same connection,
/// once the handshake is done.
/// Any other overlap (two sends, two receives, `s2n_negotiate` or `s2n_shutdown`
/// with anything, any other function while a call runs, free or wipe while a call
/// runs, a call from inside one of the connection's own callbacks) is refused with
/// S2N_ERR_CONNECTION_IN_USE (S2N_ERR_T_USAGE) instead of racing, where s2n-tls
/// leaves it undefined.
pub struct s2n_connection {
    inner: Shared<ConnectionState>,
    pub(crate) ctx: AtomicPtr<c_void>,
    /// Fixed at creation; readable while a call runs (`s2n_connection_get_mode`).
    pub(crate) mode: Mode,
    /// The connection's client hello callback signal, reached without entering
    /// the connection: the callback's return and `s2n_client_hello_cb_done` go
    /// there while another thread may be in a call on it.
    pub(crate) hello: Arc<HelloSignal>,
}

pub(crate) struct ConnectionState {
    pub core: Connection,
    pub io: CallbackIo,
    /// Strings handed to C that are documented to live until wipe or free, kept
    /// here because the core may replace its own copy sooner.
    pub handed_out: Vec<CString>,
}

impl AsMut<Connection> for ConnectionState {
    fn as_mut(&mut self) -> &mut Connection {
        &mut self.core
    }
}

/// A pointer to a copy of `s` in `kept` (a connection's `handed_out`), which lives
/// until the connection is wiped or freed. One copy per distinct string.
pub(crate) fn hand_out(kept: &mut Vec<CString>, s: &CStr) -> *const c_char {
    if let Some(k) = kept.iter().find(|k| k.as_c_str() == s) {
        return k.as_ptr();
    }
    kept.push(s.to_owned());
    kept.last().map_or(std::ptr::null(), |k| k.as_ptr())
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
    /// The connection sends to a file descriptor (s2n's "managed" send I/O).
    pub(crate) managed_send: bool,
    /// The file descriptors set with `s2n_connection_set_fd` and friends, while
    /// no callback replaces them.
    pub(crate) read_fd: Option<c_int>,
    pub(crate) write_fd: Option<c_int>,
}

impl s2n_connection {
    /// Moves a new connection to the heap for C.
    pub(crate) fn new_handle(mode: Mode) -> *mut s2n_connection {
        // The signal first, so that no part sits in a local: the whole handle is
        // then written straight into its heap block. With the core built in a
        // local, its ~2.9 KB were copied twice more (into the mutex, then the block).
        let hello = Connection::new_signal(mode);
        let mut block = Box::<s2n_connection>::new_uninit();
        block.write(s2n_connection {
            inner: Shared::new(ConnectionState {
                core: Connection::with_signal(mode, Arc::clone(&hello)),
                io: CallbackIo::default(),
                handed_out: Vec::new(),
            }),
            ctx: AtomicPtr::new(std::ptr::null_mut()),
            mode,
            hello,
        });
        // SAFETY: written whole just above.
        let handle = Box::into_raw(unsafe { block.assume_init() });
        // Callbacks name the connection by its handle.
        // SAFETY: `handle` was just made and is not shared yet.
        let state = unsafe { (*handle).inner.get_mut() };
        state.core.set_owner(Owner::new(handle as usize));
        handle
    }

    /// Begins a call that has the connection to itself; refused (in use) while
    /// another call runs on it or from inside one of its callbacks. After a call
    /// that panicked (reported then as an internal error) the connection has
    /// failed, as after any fatal error: it can be inspected, wiped or freed.
    pub(crate) fn enter(&self) -> Result<Exclusive<'_, ConnectionState>> {
        self.inner.enter()
    }

    /// Checks that no call is running on the connection, before it is freed: a
    /// callback freeing its own connection (or another thread freeing it mid-call)
    /// would pull it from under that call.
    pub(crate) fn ensure_idle(&self) -> Result<()> {
        self.inner.ensure_idle()
    }

    /// Begins a call that resets the connection (wipe): refused like `enter`, and
    /// also while a callback that may use the connection runs (see
    /// `with_negotiation`).
    pub(crate) fn enter_unpinned(&self) -> Result<Exclusive<'_, ConnectionState>> {
        self.inner.enter_unpinned()
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
        f(&mut *handle.enter()?)?;
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
        let mut state = handle.enter()?;
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
        let mut state = handle.enter()?;
        let out = f(&mut state);
        *blocked = state.core.blocked() as s2n_blocked_status;
        out
    })
}

/// Runs `s2n_negotiate`: as `with_blocked`, and when a step leaves an application
/// callback owed that may use the connection (`owed`, e.g. the async private key
/// callback, which calls the connection's getters and `s2n_async_pkey_op_apply`),
/// runs it with `run` between two steps, with the connection let go but pinned
/// (it cannot be freed or wiped meanwhile), then goes on. A failing callback
/// fails the connection (`failed`).
pub(crate) fn with_negotiation<O>(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
    mut step: impl FnMut(&mut ConnectionState) -> (Result<()>, Option<O>),
    mut run: impl FnMut(O) -> Result<()>,
    mut failed: impl FnMut(&mut ConnectionState, Error) -> Error,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or valid pointers, as the API requires.
        let handle = unsafe { try_ref(conn, "conn") }?;
        // SAFETY: as above.
        let blocked = unsafe { try_mut(blocked, "blocked") }?;
        *blocked = S2N_NOT_BLOCKED;
        loop {
            let mut state = handle.enter()?;
            let (out, owed) = step(&mut state);
            *blocked = state.core.blocked() as s2n_blocked_status;
            let Some(owed) = owed else {
                return out.map(|()| S2N_SUCCESS);
            };
            let pin = state.pin();
            let ran = run(owed);
            drop(pin);
            // What the step was blocked on is over; if the connection cannot be
            // entered again now (another thread is in a call on it), the call
            // fails as in use, not blocked.
            *blocked = S2N_NOT_BLOCKED;
            if let Err(e) = ran {
                let mut state = handle.enter()?;
                return Err(failed(&mut state, e));
            }
        }
    })
}

/// An async private key operation handed to the application's callback
/// (`s2n_async_pkey_fn`); the application frees it with `s2n_async_pkey_op_free`.
pub struct s2n_async_pkey_op {
    pub(crate) op: crate::pkey::PkeyOp,
}

/// Runs a sending or receiving call (which may overlap one in the other
/// direction) and reports its blocked status as s2n does: always written,
/// S2N_NOT_BLOCKED unless the call failed with S2N_ERR_T_BLOCKED.
pub(crate) fn with_direction<T: Failure>(
    conn: *mut s2n_connection,
    blocked: *mut s2n_blocked_status,
    claim: Claim,
    f: impl FnOnce(&SharedCall<'_, ConnectionState>) -> Result<T>,
) -> T {
    guard(|| {
        // SAFETY: NULL or valid pointers, as the API requires.
        let handle = unsafe { try_ref(conn, "conn") }?;
        // SAFETY: as above.
        let blocked = unsafe { try_mut(blocked, "blocked") }?;
        *blocked = S2N_NOT_BLOCKED;
        let call = handle.inner.call(claim)?;
        let out = f(&call);
        if out.as_ref().is_err_and(|e| e.is_blocked()) {
            *blocked = match claim {
                Claim::Send => S2N_BLOCKED_ON_WRITE,
                Claim::Recv => S2N_BLOCKED_ON_READ,
            };
        }
        out
    })
}

/// Runs a query on the receiving side (s2n_peek), which may overlap a sending call
/// on another thread.
pub(crate) fn query_direction<T: Failure>(
    conn: *mut s2n_connection,
    claim: Claim,
    f: impl FnOnce(&SharedCall<'_, ConnectionState>) -> Result<T>,
) -> T {
    guard(|| {
        // SAFETY: NULL or a live handle, as the API requires.
        let handle = unsafe { try_ref(conn, "conn") }?;
        f(&handle.inner.call(claim)?)
    })
}

/// A certificate chain and private key, shared by the configs it is added to.
pub struct s2n_cert_chain_and_key {
    pub(crate) inner: Mutex<CertChainAndKey>,
    pub(crate) ctx: AtomicPtr<c_void>,
    /// What `s2n_cert_chain_and_key_get_private_key` points to.
    pub(crate) pkey: s2n_pkey,
    /// The `s2n_cert` objects handed out, kept until the chain is freed. Boxed:
    /// C holds their addresses while the list grows.
    #[allow(clippy::vec_box)]
    pub(crate) certs: Mutex<Vec<Box<s2n_cert>>>,
    /// The configs it was given to, told when its OCSP response changes.
    pub(crate) configs: Mutex<Vec<Weak<Config>>>,
}

/// A private key, as `s2n_cert_chain_and_key_get_private_key` hands it out: an
/// opaque token for the key inside its chain. rs2n has no function that takes one.
pub struct s2n_pkey {
    _opaque: u8,
}

/// s2n's name for a chain's private key.
pub type s2n_cert_private_key = s2n_pkey;

/// One certificate of a chain (`s2n_cert_chain_get_cert`), owned by the chain.
pub struct s2n_cert {
    pub(crate) index: usize,
    pub(crate) der: CertificateDer<'static>,
}

/// Which handle holds which loaded key (by the key's address), so a connection's
/// selected certificate can be named by the handle the application knows.
static OWNERS: Lazy<Mutex<HashMap<usize, usize>>> = Lazy::new(Default::default);

fn key_id(key: &Arc<CertifiedKey>) -> usize {
    Arc::as_ptr(key) as *const () as usize
}

impl s2n_cert_chain_and_key {
    pub(crate) fn new_handle() -> *mut s2n_cert_chain_and_key {
        into_handle(Self::new())
    }

    pub(crate) fn new() -> Self {
        s2n_cert_chain_and_key {
            inner: Mutex::new(CertChainAndKey::new()),
            ctx: AtomicPtr::new(std::ptr::null_mut()),
            pkey: s2n_pkey { _opaque: 0 },
            certs: Mutex::new(Vec::new()),
            configs: Mutex::new(Vec::new()),
        }
    }

    /// Notes that `config` holds this chain's key.
    pub(crate) fn added_to(&self, config: &Arc<Config>) {
        let mut configs = sync::lock(&self.configs);
        configs.retain(|c| c.strong_count() > 0 && !std::ptr::eq(c.as_ptr(), Arc::as_ptr(config)));
        configs.push(Arc::downgrade(config));
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut CertChainAndKey) -> Result<T>) -> Result<T> {
        f(&mut sync::lock(&self.inner))
    }

    /// Runs a load `f`; on success this handle is the owner of the new key.
    pub(crate) fn load(&self, f: impl FnOnce(&mut CertChainAndKey) -> Result<()>) -> Result<()> {
        let mut inner = sync::lock(&self.inner);
        let before = inner.certified_key().ok();
        f(&mut inner)?;
        let mut owners = sync::lock(&OWNERS);
        if let Some(old) = before {
            owners.remove(&key_id(&old));
        }
        if let Ok(new) = inner.certified_key() {
            owners.insert(key_id(&new), self as *const Self as usize);
        }
        Ok(())
    }

    /// The `s2n_cert` for certificate `index` of the chain, made once per
    /// certificate and kept until the chain is freed.
    pub(crate) fn cert(&self, index: usize) -> Result<*mut s2n_cert> {
        let der = self.with(|c| {
            let len = c.chain().len();
            c.chain().get(index).cloned().ok_or_else(|| {
                Error::new(
                    ErrorCode::NoCertFound,
                    format!("certificate index {index} is out of range: the chain has {len}"),
                )
            })
        })?;
        let mut certs = sync::lock(&self.certs);
        if let Some(c) = certs.iter_mut().find(|c| c.index == index && c.der == der) {
            return Ok(&mut **c as *mut s2n_cert);
        }
        certs.push(Box::new(s2n_cert { index, der }));
        let last = certs.last_mut().map(|c| &mut **c as *mut s2n_cert);
        last.ok_or_else(|| Error::new(ErrorCode::Internal, "certificate list"))
    }
}

impl Drop for s2n_cert_chain_and_key {
    fn drop(&mut self) {
        if let Ok(key) = sync::lock(&self.inner).certified_key() {
            let me = self as *const Self as usize;
            let mut owners = sync::lock(&OWNERS);
            if owners.get(&key_id(&key)) == Some(&me) {
                owners.remove(&key_id(&key));
            }
        }
    }
}

/// The live handle that holds `key`, or NULL if it has been freed or reloaded.
pub(crate) fn owner_of(key: &Arc<CertifiedKey>) -> *mut s2n_cert_chain_and_key {
    sync::lock(&OWNERS)
        .get(&key_id(key))
        .map_or(std::ptr::null_mut(), |&h| h as *mut s2n_cert_chain_and_key)
}

/// A session ticket a client received, as handed to the session ticket callback;
/// valid only during the callback.
pub struct s2n_session_ticket {
    pub(crate) info: SessionInfo,
}

#[cfg(test)]
mod tests {
    use super::super::connection::{s2n_connection_free, s2n_connection_new, s2n_connection_wipe};
    use super::super::io::s2n_negotiate;
    use super::super::library::{s2n_errno_location, s2n_error_get_type};
    use super::super::{S2N_ERR_T_INTERNAL, S2N_ERR_T_USAGE, S2N_FAILURE, S2N_SERVER};
    use super::*;

    fn negotiate_error_type(conn: *mut s2n_connection) -> c_int {
        let mut blocked = S2N_NOT_BLOCKED;
        assert_eq!(s2n_negotiate(conn, &mut blocked), S2N_FAILURE);
        // SAFETY: the calling thread's errno cell.
        s2n_error_get_type(unsafe { *s2n_errno_location() })
    }

    #[test]
    fn a_call_that_panicked_fails_the_connection_until_wiped() {
        let conn = s2n_connection_new(S2N_SERVER);
        // SAFETY: a live handle, used by this thread only.
        let handle = unsafe { &*conn };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _busy = handle.enter().unwrap();
            panic!("a bug inside a call");
        }));
        assert_eq!(negotiate_error_type(conn), S2N_ERR_T_INTERNAL);
        // The failure stands.
        assert_eq!(negotiate_error_type(conn), S2N_ERR_T_INTERNAL);
        assert_eq!(s2n_connection_wipe(conn), S2N_SUCCESS);
        // No I/O set: a usage error again, as on a new connection.
        assert_eq!(negotiate_error_type(conn), S2N_ERR_T_USAGE);
        assert_eq!(s2n_connection_free(conn), S2N_SUCCESS);
    }

    #[test]
    fn the_handle_and_its_core_share_one_hello_signal_through_wipes() {
        let conn = s2n_connection_new(S2N_SERVER);
        // SAFETY: a live handle, used by this thread only.
        let handle = unsafe { &*conn };
        let shared =
            |h: &s2n_connection| Arc::ptr_eq(&h.hello, &h.enter().unwrap().core.hello_signal());
        assert!(shared(handle));
        assert_eq!(s2n_connection_wipe(conn), S2N_SUCCESS);
        assert!(shared(handle));
        assert_eq!(s2n_connection_free(conn), S2N_SUCCESS);
    }
}
