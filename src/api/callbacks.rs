//! Every call from Rust into the application's C code: the session cache, the
//! clocks, the session ticket callback and the I/O callbacks, each as the core trait
//! it implements. All the crate's `unsafe impl Send/Sync` for C pointers are here,
//! so the claims can be checked in one place.

use std::ffi::{c_int, c_void};
use std::io;
use std::sync::Arc;

use rustls::sign::CertifiedKey;

use super::boundary::into_handle;
use super::handles::{
    owner_of, s2n_async_pkey_op, s2n_cert_chain_and_key, s2n_connection, s2n_session_ticket,
    CacheCallbacks, Ctx, DeleteFn, RecvFn, RetrieveFn, SendFn, StoreFn,
};
use super::{S2N_CALLBACK_BLOCKED, S2N_SUCCESS};
use crate::cert_select::CertTiebreak;
use crate::client_hello::callback::HelloCallback;
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;
use crate::pkey::{AsyncPkeyCallback, PkeyOp};
use crate::resumption::cache::{Lookup, SessionCache};
use crate::resumption::client::SessionTicketCallback;
use crate::resumption::client_session::SessionInfo;
use crate::transport::{RecvHalf, SendHalf};

// SAFETY: the pointer is only handed back to the application's own callbacks, on
// whatever thread drives the connection, as s2n-tls does.
unsafe impl Send for Ctx {}

/// The connection handle a callback receives: the token the handle gave its core
/// connection at creation (NULL for a connection made from Rust).
fn conn_of(owner: Owner) -> *mut s2n_connection {
    owner.token() as *mut s2n_connection
}

/// A callback's status as a result: anything but S2N_SUCCESS cancels the operation.
fn succeeded(what: &str, r: c_int) -> Result<()> {
    match r {
        S2N_SUCCESS => Ok(()),
        r => Err(Error::new(
            ErrorCode::Cancelled,
            format!("the {what} callback returned {r}"),
        )),
    }
}

/// The application's three session cache callbacks as the core's cache.
struct CCache {
    store: (StoreFn, Ctx),
    retrieve: (RetrieveFn, Ctx),
    delete: (DeleteFn, Ctx),
}

// SAFETY: the application's callbacks and contexts, called on whatever thread drives
// a connection, as s2n-tls does.
unsafe impl Send for CCache {}
// SAFETY: as for Send: s2n-tls, too, calls them from any connection's thread.
unsafe impl Sync for CCache {}

impl SessionCache for CCache {
    fn store(&self, owner: Owner, ttl_secs: u64, key: &[u8], value: &[u8]) -> Result<()> {
        let (f, ctx) = self.store;
        // SAFETY: key and value are valid for their lengths during the call.
        let r = unsafe {
            f(
                conn_of(owner),
                ctx.0,
                ttl_secs,
                key.as_ptr().cast(),
                key.len() as u64,
                value.as_ptr().cast(),
                value.len() as u64,
            )
        };
        succeeded("cache store", r)
    }

    fn retrieve(&self, owner: Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
        let (f, ctx) = self.retrieve;
        let mut size = buf.len() as u64;
        // SAFETY: key is valid for its length; buf for `size` writable bytes.
        let r = unsafe {
            f(
                conn_of(owner),
                ctx.0,
                key.as_ptr().cast(),
                key.len() as u64,
                buf.as_mut_ptr().cast(),
                &mut size,
            )
        };
        match r {
            S2N_CALLBACK_BLOCKED => Lookup::Blocked,
            S2N_SUCCESS if size <= buf.len() as u64 => Lookup::Found(size as usize),
            _ => Lookup::Miss,
        }
    }

    fn delete(&self, owner: Owner, key: &[u8]) -> Result<()> {
        let (f, ctx) = self.delete;
        // SAFETY: key is valid for its length during the call.
        let r = unsafe { f(conn_of(owner), ctx.0, key.as_ptr().cast(), key.len() as u64) };
        succeeded("cache delete", r)
    }
}

/// The application's async private key callback.
pub(crate) struct CAsyncPkey(
    pub(crate)  unsafe extern "C" fn(
        *mut super::opaque::S2nConnectionRef,
        *mut super::opaque::s2n_async_pkey_op,
    ) -> c_int,
);

impl AsyncPkeyCallback for CAsyncPkey {
    fn invoke(&self, owner: Owner, op: PkeyOp) -> Result<()> {
        // The application owns the handle from here and frees it.
        let handle = into_handle(s2n_async_pkey_op { op });
        // SAFETY: the application's callback, given its connection and a live op
        // handle, as s2n-tls calls it.
        let r = unsafe { (self.0)(conn_of(owner).cast(), handle.cast()) };
        match r {
            S2N_SUCCESS => Ok(()),
            r => Err(Error::new(
                ErrorCode::AsyncCallbackFailed,
                format!("the async private key callback returned {r}"),
            )),
        }
    }
}

impl CacheCallbacks {
    /// The cache the config should use now: all three callbacks and turned on.
    pub(crate) fn cache(&self) -> Option<Arc<dyn SessionCache>> {
        match (self.on, self.store, self.retrieve, self.delete) {
            (true, Some(store), Some(retrieve), Some(delete)) => Some(Arc::new(CCache {
                store,
                retrieve,
                delete,
            })),
            _ => None,
        }
    }
}

/// An application clock: a C function and its context.
pub(crate) struct CClock {
    pub(crate) f: unsafe extern "C" fn(*mut c_void, *mut u64) -> c_int,
    pub(crate) ctx: *mut c_void,
    pub(crate) what: &'static str,
}

// SAFETY: s2n's contract makes the clock callable from any thread that uses the
// config; the context is the application's to synchronize.
unsafe impl Send for CClock {}
// SAFETY: as for Send.
unsafe impl Sync for CClock {}

impl std::fmt::Debug for CClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

impl Clock for CClock {
    fn now_nanos(&self) -> Result<u64> {
        let mut nanos = 0u64;
        // SAFETY: the application gave us this function and context together.
        if unsafe { (self.f)(self.ctx, &mut nanos) } != 0 {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("the application's {} callback failed", self.what),
            ));
        }
        Ok(nanos)
    }
}

/// The client's session ticket callback and its context.
pub(crate) struct CTicketCallback {
    pub(crate) f:
        unsafe extern "C" fn(*mut s2n_connection, *mut c_void, *mut s2n_session_ticket) -> c_int,
    pub(crate) ctx: *mut c_void,
}

// SAFETY: the application's callback and context, called on the thread driving a
// connection, as s2n-tls does.
unsafe impl Send for CTicketCallback {}
// SAFETY: as for Send.
unsafe impl Sync for CTicketCallback {}

impl SessionTicketCallback for CTicketCallback {
    fn on_ticket(&self, owner: Owner, ticket: &SessionInfo) -> Result<()> {
        let mut t = s2n_session_ticket {
            info: ticket.clone(),
        };
        // SAFETY: `owner` is the connection handle's address (set at creation);
        // the ticket lives for the duration of the call.
        let r = unsafe { (self.f)(conn_of(owner), self.ctx, &mut t) };
        // As in s2n-tls, any value >= S2N_SUCCESS is success.
        if r < S2N_SUCCESS {
            return Err(Error::new(
                ErrorCode::Cancelled,
                format!("the session ticket callback returned {r}"),
            ));
        }
        Ok(())
    }
}

/// Reads `errno` after a callback returned -1: EAGAIN means "would block".
fn callback_error() -> io::Error {
    io::Error::last_os_error()
}

fn clear_errno() {
    // SAFETY: errno is this thread's; clearing it lets us tell a callback that set
    // EAGAIN from one that failed without setting errno.
    unsafe { *libc::__errno_location() = 0 };
}

/// A length for C's `uint32_t`, saturating.
pub(crate) fn to_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// Calls an I/O callback again while it reports EINTR, as s2n-tls does.
fn retry_eintr(mut call: impl FnMut() -> c_int) -> (c_int, Option<io::Error>) {
    loop {
        clear_errno();
        let n = call();
        if n >= 0 {
            return (n, None);
        }
        let e = callback_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return (n, Some(e));
        }
    }
}

/// Runs the `what` I/O callback on a buffer of `len` bytes: the count it reports,
/// which must fit the buffer, or its error.
fn call_io(what: &str, len: usize, call: impl FnMut() -> c_int) -> io::Result<usize> {
    let (n, error) = retry_eintr(call);
    if let Some(e) = error {
        return Err(e);
    }
    match usize::try_from(n) {
        Ok(n) if n <= len => Ok(n),
        Ok(n) => Err(io::Error::other(format!(
            "the {what} callback reported {n} bytes for a {len} byte buffer"
        ))),
        Err(_) => Err(callback_error()),
    }
}

/// The application's recv callback as the connection's transport.
pub(crate) struct CallbackRecv(pub(crate) RecvFn, pub(crate) Ctx);

impl RecvHalf for CallbackRecv {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (f, ctx, len) = (self.0, self.1 .0, to_len(buf.len()));
        let ptr = buf.as_mut_ptr();
        // SAFETY: buf is valid for writes of its length; the callback is the application's.
        call_io("recv", buf.len(), || unsafe { f(ctx, ptr, len) })
    }
}

/// The application's send callback as the connection's transport.
pub(crate) struct CallbackSend(pub(crate) SendFn, pub(crate) Ctx);

impl SendHalf for CallbackSend {
    fn send(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (f, ctx, len) = (self.0, self.1 .0, to_len(buf.len()));
        let ptr = buf.as_ptr();
        // SAFETY: buf is valid for reads of its length.
        call_io("send", buf.len(), || unsafe { f(ctx, ptr, len) })
    }
}

/// The application's memory callbacks (`s2n_mem_set_callbacks`), as the routing
/// allocator (`alloc`) keeps them: function addresses, 0 for none. These run inside
/// Rust's allocator, so they allocate nothing themselves.
type MallocFn = unsafe extern "C" fn(*mut *mut c_void, u32, *mut u32) -> c_int;
type FreeFn = unsafe extern "C" fn(*mut c_void, u32) -> c_int;

/// Asks the malloc callback at `malloc` for `requested` bytes: the memory and the
/// size it reports, or None if it failed (a negative status or no memory).
pub(crate) fn call_mem_malloc(malloc: usize, requested: u32) -> Option<(*mut c_void, u32)> {
    if malloc == 0 {
        return None;
    }
    // SAFETY: `malloc` is the address of a function of this type, stored from the
    // application's s2n_mem_malloc_callback by s2n_mem_set_callbacks.
    let f: MallocFn = unsafe { std::mem::transmute::<usize, MallocFn>(malloc) };
    let mut ptr: *mut c_void = std::ptr::null_mut();
    let mut allocated: u32 = 0;
    // SAFETY: both out-pointers are valid locals.
    let r = unsafe { f(&mut ptr, requested, &mut allocated) };
    (r >= S2N_SUCCESS && !ptr.is_null()).then_some((ptr, allocated))
}

/// Gives memory from the malloc callback back to the free callback at `free`, with
/// the size the malloc callback reported. A failure cannot be reported from
/// Rust's allocator: the memory is then the application's.
pub(crate) fn call_mem_free(free: usize, ptr: *mut c_void, size: u32) {
    if free == 0 {
        return;
    }
    // SAFETY: as in call_mem_malloc, for the application's s2n_mem_free_callback.
    let f: FreeFn = unsafe { std::mem::transmute::<usize, FreeFn>(free) };
    // SAFETY: `ptr` and `size` are what the matching malloc callback returned.
    let _ = unsafe { f(ptr, size) };
}

/// Runs the application's mem init or cleanup callback (`what`): a negative status
/// is S2N_ERR_CANCELLED, as in s2n-tls.
pub(crate) fn call_mem_hook(
    what: &str,
    hook: Option<unsafe extern "C" fn() -> c_int>,
) -> Result<()> {
    let Some(f) = hook else { return Ok(()) };
    // SAFETY: the application's callback, which takes no arguments.
    let r = unsafe { f() };
    if r < S2N_SUCCESS {
        return Err(Error::new(
            ErrorCode::Cancelled,
            format!("the memory {what} callback returned {r}"),
        ));
    }
    Ok(())
}

/// The application's certificate tiebreak (`s2n_cert_tiebreak_callback`).
pub(crate) struct CTiebreak(
    pub(crate)  unsafe extern "C" fn(
        *mut s2n_cert_chain_and_key,
        *mut s2n_cert_chain_and_key,
        *mut u8,
        u32,
    ) -> *mut s2n_cert_chain_and_key,
);

impl CertTiebreak for CTiebreak {
    fn prefers_second(
        &self,
        first: &Arc<CertifiedKey>,
        second: &Arc<CertifiedKey>,
        name: &str,
    ) -> bool {
        let (a, b) = (owner_of(first), owner_of(second));
        if a.is_null() || b.is_null() {
            return false;
        }
        let mut name = name.as_bytes().to_vec();
        let len = u32::try_from(name.len()).unwrap_or(u32::MAX);
        // SAFETY: both handles are live (registered owners); `name` is valid for
        // `len` bytes during the call. The result is only compared, never used.
        let chosen = unsafe { (self.0)(a, b, name.as_mut_ptr(), len) };
        chosen == b
    }
}

/// The application's verify host callback and its context.
pub(crate) struct CVerifyHost {
    pub(crate) f: unsafe extern "C" fn(*const std::ffi::c_char, usize, *mut c_void) -> u8,
    pub(crate) data: *mut c_void,
}

// SAFETY: the application's callback and context, called on the thread driving a
// connection's handshake, as s2n-tls does.
unsafe impl Send for CVerifyHost {}
// SAFETY: as for Send.
unsafe impl Sync for CVerifyHost {}

impl std::fmt::Debug for CVerifyHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("verify host callback")
    }
}

impl crate::verify::VerifyHost for CVerifyHost {
    fn verify(&self, name: &[u8]) -> bool {
        // A NUL-terminated copy, in case the callback uses strlen (as s2n allows).
        let mut text = Vec::with_capacity(name.len() + 1);
        text.extend_from_slice(name);
        text.push(0);
        // SAFETY: `text` is valid for `name.len()` bytes plus its NUL during the call.
        unsafe { (self.f)(text.as_ptr().cast(), name.len(), self.data) != 0 }
    }
}

/// The application's early-data callback.
pub(crate) struct CEarlyDataCallback(
    pub(crate)  unsafe extern "C" fn(
        *mut super::opaque::S2nConnectionRef,
        *mut super::opaque::s2n_offered_early_data,
    ) -> c_int,
);

// SAFETY: the application's callback, called on the thread driving a connection,
// as s2n-tls does.
unsafe impl Send for CEarlyDataCallback {}
// SAFETY: as for Send.
unsafe impl Sync for CEarlyDataCallback {}

impl crate::early_data::EarlyDataCallback for CEarlyDataCallback {
    fn call(&self, owner: Owner, offered: &Arc<crate::early_data::Offered>) -> Result<()> {
        let conn = conn_of(owner);
        let early_data = Arc::as_ptr(offered) as *mut super::opaque::s2n_offered_early_data;
        // SAFETY: `owner` is the connection handle's address (pinned: not freed or
        // wiped while the callback runs); `early_data` points to the offer, which
        // the connection keeps until it is wiped or freed.
        let r = unsafe { (self.0)(conn.cast(), early_data) };
        if r < S2N_SUCCESS {
            return Err(Error::new(
                ErrorCode::Cancelled,
                format!("the early data callback returned {r}"),
            ));
        }
        Ok(())
    }
}

/// The application's key log callback and its context.
pub(crate) struct CKeyLog {
    pub(crate) f: unsafe extern "C" fn(
        *mut c_void,
        *mut super::opaque::S2nConnectionRef,
        *mut u8,
        usize,
    ) -> c_int,
    pub(crate) ctx: *mut c_void,
}

// SAFETY: the application's callback and context, called on the thread driving a
// connection's handshake, as s2n-tls does.
unsafe impl Send for CKeyLog {}
// SAFETY: as for Send.
unsafe impl Sync for CKeyLog {}

impl std::fmt::Debug for CKeyLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("key log callback")
    }
}

impl crate::extras::KeyLogCallback for CKeyLog {
    fn log(&self, owner: Owner, line: &[u8]) {
        // The callback gets its own copy (s2n's is writable), wiped afterwards.
        let mut copy = zeroize::Zeroizing::new(line.to_vec());
        // SAFETY: `copy` is valid for its length during the call. As in s2n, the
        // callback's result is not used.
        let _ = unsafe {
            (self.f)(
                self.ctx,
                conn_of(owner).cast(),
                copy.as_mut_ptr(),
                copy.len(),
            )
        };
    }
}

/// The client hello callback as s2n-tls takes it.
pub(crate) type ClientHelloFn = unsafe extern "C" fn(*mut s2n_connection, *mut c_void) -> c_int;

/// The application's client hello callback and its context.
struct CHelloCallback {
    f: ClientHelloFn,
    ctx: Ctx,
}

// SAFETY: the application's callback and context, called on whatever thread drives
// a connection, as s2n-tls does.
unsafe impl Send for CHelloCallback {}
// SAFETY: as for Send.
unsafe impl Sync for CHelloCallback {}

impl HelloCallback for CHelloCallback {
    fn call(&self, owner: Owner) -> i32 {
        // SAFETY: the application's function, with the connection it was set for
        // (released by the caller: only its busy marker is held) and its context.
        unsafe { (self.f)(conn_of(owner), self.ctx.0) }
    }
}

/// The application's client hello callback as the core stores it.
pub(crate) fn client_hello_callback(f: ClientHelloFn, ctx: *mut c_void) -> Arc<dyn HelloCallback> {
    Arc::new(CHelloCallback { f, ctx: Ctx(ctx) })
}
