//! The one discipline every exported function follows: catch panics, check pointers,
//! record the error for `s2n_errno`, and return s2n's failure value; and the
//! conversions it needs (C strings and buffers, heap handles, interned strings).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::{c_char, c_int, CStr, CString};
use std::io::Write;
use std::panic::Location;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::RwLock;

use once_cell::sync::Lazy;

use crate::error::{Error, ErrorCode, Result};
use crate::{stacktrace, sync};

/// The longest detailed message kept, in bytes with its NUL; longer ones are cut.
const MESSAGE_CAP: usize = 512;

// Only values with nothing to drop: Rust frees thread-locals that have a destructor
// before the thread's pthread key destructors run, and touching one then aborts. These
// stay until the thread's memory goes, so calls made at thread exit work, and the
// pointer handed out by `s2n_strerror_debug` never dangles while the thread lives.
thread_local! {
    /// The detailed message of this thread's last error (NUL-terminated; a later
    /// error rewrites it in place), and that error's value.
    static MESSAGE: Cell<[u8; MESSAGE_CAP]> = const { Cell::new([0; MESSAGE_CAP]) };
    static MESSAGE_OF: Cell<c_int> = const { Cell::new(0) };
    /// Where in rs2n's sources that error was raised ("src/config.rs:120").
    static SOURCE: Cell<[u8; SOURCE_CAP]> = const { Cell::new([0; SOURCE_CAP]) };
    /// The last error's location, not yet written to SOURCE: formatted only when
    /// asked for, since a blocked call (the normal case with non-blocking I/O)
    /// records an error too.
    static PENDING_SOURCE: Cell<Option<&'static Location<'static>>> = const { Cell::new(None) };
}

thread_local! {
    /// Set while this thread allocates memory that lives as long as the process
    /// (or runs a memory callback): the routing allocator (`alloc`) then takes it
    /// from the system, not from the application's callbacks.
    static SYSTEM_SCOPE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with its allocations taken from the system allocator (see
/// SYSTEM_SCOPE): for process-lifetime data, and inside memory callbacks.
pub(crate) fn in_system_scope<R>(f: impl FnOnce() -> R) -> R {
    let was = SYSTEM_SCOPE.with(|s| s.replace(true));
    let r = f();
    SYSTEM_SCOPE.with(|s| s.set(was));
    r
}

/// Whether this thread is inside [`in_system_scope`].
pub(crate) fn in_system_scope_now() -> bool {
    SYSTEM_SCOPE.with(Cell::get)
}

thread_local! {
    /// The stack trace of this thread's last error (or of the last
    /// `s2n_calculate_stacktrace`), when stack traces are on: the lines as C
    /// strings, and the array of pointers to them `s2n_get_stacktrace` hands out.
    /// It has a destructor, so it is reached with `try_with` (gone at thread exit).
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
}

/// The longest source location kept, with its NUL.
const SOURCE_CAP: usize = 128;

/// A stack trace as C reads it.
pub(crate) struct Trace {
    lines: Vec<CString>,
    pointers: Vec<*mut c_char>,
}

impl Trace {
    fn new(lines: Vec<String>) -> Self {
        let lines: Vec<CString> = lines
            .into_iter()
            .map(|l| CString::new(l.replace('\0', " ")).unwrap_or_default())
            .collect();
        let pointers = lines.iter().map(|l| l.as_ptr().cast_mut()).collect();
        Trace { lines, pointers }
    }

    pub(crate) fn lines(&self) -> &[CString] {
        &self.lines
    }

    /// The array of line pointers and its length, valid until the thread's trace
    /// is replaced or freed.
    pub(crate) fn as_c(&mut self) -> (*mut *mut c_char, c_int) {
        let n = c_int::try_from(self.pointers.len()).unwrap_or(c_int::MAX);
        (self.pointers.as_mut_ptr(), n)
    }
}

/// Records the calling thread's stack as its trace, if stack traces are on.
pub(crate) fn calculate_stacktrace() {
    if stacktrace::enabled() {
        let trace = Trace::new(stacktrace::capture());
        let _ = TRACE.try_with(|t| *t.borrow_mut() = Some(trace));
    }
}

/// Drops the calling thread's trace.
pub(crate) fn free_stacktrace() {
    let _ = TRACE.try_with(|t| t.borrow_mut().take());
}

/// Runs `f` on the calling thread's trace (None: there is none).
pub(crate) fn with_stacktrace<R>(f: impl FnOnce(Option<&mut Trace>) -> R) -> R {
    let mut f = Some(f);
    let r = TRACE.try_with(|t| (f.take().expect("called once"))(t.borrow_mut().as_mut()));
    match (r, f) {
        (Ok(r), _) => r,
        (Err(_), Some(f)) => f(None),
        (Err(_), None) => unreachable!("f runs once"),
    }
}

extern "C" {
    /// The address of this thread's `s2n_errno`, the C thread-local of
    /// `src/api/errno.c` (exported as s2n-tls exports it). A plain `int` with no
    /// destructor: valid while the thread lives, TLS destructors included.
    fn rs2n_errno_address() -> *mut c_int;
}

/// What an exported function returns when it fails.
pub(crate) trait Failure {
    fn failure() -> Self;
}

impl Failure for c_int {
    fn failure() -> Self {
        crate::api::S2N_FAILURE
    }
}

impl Failure for isize {
    fn failure() -> Self {
        -1
    }
}

impl Failure for u64 {
    fn failure() -> Self {
        0
    }
}

impl Failure for bool {
    fn failure() -> Self {
        false
    }
}

impl Failure for u32 {
    fn failure() -> Self {
        0
    }
}

impl<T> Failure for *mut T {
    fn failure() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> Failure for *const T {
    fn failure() -> Self {
        std::ptr::null()
    }
}

/// Runs the body of an exported function: a panic or an `Err` becomes s2n's
/// failure value with the error recorded for this thread.
pub(crate) fn guard<T: Failure>(body: impl FnOnce() -> Result<T>) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            set_error(&error);
            T::failure()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            set_error(&Error::new(
                ErrorCode::Panic,
                format!("internal error (a bug in rs2n, caught at the API boundary): {what}"),
            ));
            T::failure()
        }
    }
}

/// Records `error` as this thread's last error.
pub(crate) fn set_error(error: &Error) {
    let value = error.code.value();
    // SAFETY: the address of this thread's `s2n_errno`, valid while the thread lives.
    unsafe { errno_location().write(value) };
    if MESSAGE
        .try_with(|m| fill_message(m, &error.message))
        .is_ok()
    {
        let _ = MESSAGE_OF.try_with(|m| m.set(value));
    }
    let _ = PENDING_SOURCE.try_with(|s| s.set(Some(error.location)));
    calculate_stacktrace();
}

/// `file:line` as a NUL-terminated C string, cut to `SOURCE_CAP`.
fn source_bytes(location: &Location<'_>) -> [u8; SOURCE_CAP] {
    let mut out = [0u8; SOURCE_CAP];
    let mut cursor = &mut out[..SOURCE_CAP - 1];
    // A full buffer only cuts the text; the last byte stays the NUL.
    let _ = write!(cursor, "{}:{}", location.file(), location.line());
    out
}

/// Where in rs2n's sources this thread's last error was raised, if it was
/// `value`: valid while the thread lives; its next error rewrites the text.
pub(crate) fn last_source_for(value: c_int) -> Option<*const c_char> {
    match MESSAGE_OF.try_with(Cell::get) {
        Ok(v) if v == value && v != 0 => {
            if let Ok(Some(location)) = PENDING_SOURCE.try_with(Cell::take) {
                let _ = SOURCE.try_with(|s| s.set(source_bytes(location)));
            }
            SOURCE.try_with(|s| s.as_ptr().cast_const().cast()).ok()
        }
        _ => None,
    }
}

/// Writes `message` over `out` in place as a NUL-terminated C string of at most
/// `MESSAGE_CAP` bytes, cut at a character boundary; a NUL inside it becomes a
/// space. Only the message and its NUL are written (no copy of the whole buffer).
fn fill_message(out: &Cell<[u8; MESSAGE_CAP]>, message: &str) {
    let mut end = message.len().min(MESSAGE_CAP - 1);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let out: &Cell<[u8]> = out;
    let out = out.as_slice_of_cells();
    for (o, &b) in out.iter().zip(&message.as_bytes()[..end]) {
        o.set(if b == 0 { b' ' } else { b });
    }
    out[end].set(0);
}

/// The address of this thread's `s2n_errno`; valid for the thread's lifetime.
pub(crate) fn errno_location() -> *mut c_int {
    // SAFETY: a C function without arguments that returns the address of a
    // thread-local; it cannot fail.
    unsafe { rs2n_errno_address() }
}

/// The detailed message of this thread's last error if it was `value`. The pointer
/// stays valid while the thread lives; the thread's next error rewrites the text.
pub(crate) fn last_message_for(value: c_int) -> Option<*const c_char> {
    match MESSAGE_OF.try_with(Cell::get) {
        // 0 (S2N_ERR_OK) is never recorded: it is the cell's initial value.
        Ok(v) if v == value && v != 0 => MESSAGE.try_with(|m| m.as_ptr().cast_const().cast()).ok(),
        _ => None,
    }
}

/// Borrows a handle, or fails with `S2N_ERR_NULL` naming the argument.
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` for the lifetime chosen by the caller.
pub(crate) unsafe fn try_ref<'a, T>(ptr: *const T, what: &'static str) -> Result<&'a T> {
    ptr.as_ref().ok_or_else(|| Error::null(what))
}

/// Borrows a mutable out-parameter, or fails with `S2N_ERR_NULL`.
///
/// # Safety
/// `ptr` must be NULL or point to a writable `T` no one else is using.
pub(crate) unsafe fn try_mut<'a, T>(ptr: *mut T, what: &'static str) -> Result<&'a mut T> {
    ptr.as_mut().ok_or_else(|| Error::null(what))
}

/// Reads a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string.
pub(crate) unsafe fn try_str<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| Error::usage(format!("{what} is not valid UTF-8")))
}

/// Reads a NUL-terminated string argument as bytes (PEM, file names).
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string.
pub(crate) unsafe fn try_cbytes<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a [u8]> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    Ok(CStr::from_ptr(ptr).to_bytes())
}

/// Checks a caller's buffer before a slice is made of it: NULL (with a length) is
/// `S2N_ERR_NULL`; a length past `isize::MAX` (no buffer is that big, and a slice
/// of it is undefined behaviour) is a usage error naming the argument.
fn check_buffer(is_null: bool, len: usize, what: &'static str) -> Result<()> {
    if is_null {
        return Err(Error::null(what));
    }
    if isize::try_from(len).is_err() {
        return Err(Error::usage(format!(
            "the length of {what} ({len}) is more than any buffer can hold"
        )));
    }
    Ok(())
}

/// Borrows a caller's buffer; a zero length with a NULL pointer is an empty slice.
///
/// # Safety
/// `ptr` must be NULL or valid for reads of `len` bytes.
pub(crate) unsafe fn try_slice<'a>(
    ptr: *const u8,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    check_buffer(ptr.is_null(), len, what)?;
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// Borrows a caller's writable buffer; a zero length with a NULL pointer is empty.
///
/// # Safety
/// `ptr` must be NULL or valid for writes of `len` bytes.
pub(crate) unsafe fn try_slice_mut<'a>(
    ptr: *mut u8,
    len: usize,
    what: &'static str,
) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    check_buffer(ptr.is_null(), len, what)?;
    Ok(std::slice::from_raw_parts_mut(ptr, len))
}

/// Moves a handle to the heap for C.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back and drops a handle made by [`into_handle`].
///
/// # Safety
/// `ptr` must come from [`into_handle`] and not have been freed.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T, what: &'static str) -> Result<()> {
    if ptr.is_null() {
        return Err(Error::null(what));
    }
    drop(Box::from_raw(ptr));
    Ok(())
}

/// NUL-terminated copies of static strings, made once and never freed, so C gets
/// pointers that stay valid for the life of the process.
static INTERNED: Lazy<RwLock<HashMap<&'static str, CString>>> = Lazy::new(Default::default);

/// A C string for `s`, valid for the life of the process.
pub(crate) fn static_cstr(s: &'static str) -> *const c_char {
    if let Some(c) = sync::read(&INTERNED).get(s) {
        return c.as_ptr();
    }
    // Kept for the life of the process: system memory, not the application's.
    in_system_scope(|| {
        sync::write(&INTERNED)
            .entry(s)
            .or_insert_with(|| CString::new(s).unwrap_or_default())
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_errors_and_panics_into_failure_values() {
        let r: c_int = guard(|| Err(Error::usage("bad thing")));
        assert_eq!(r, -1);
        // SAFETY: the thread's errno cell lives as long as the thread.
        let errno = unsafe { *errno_location() };
        assert_eq!(errno, ErrorCode::InvalidArgument.value());
        // SAFETY: a message recorded by the failing call above, NUL-terminated.
        let msg = unsafe { CStr::from_ptr(last_message_for(errno).unwrap()) };
        assert_eq!(msg.to_str().unwrap(), "bad thing");

        let p: *mut u8 = guard(|| panic!("boom"));
        assert!(p.is_null());
        // SAFETY: as above.
        let errno = unsafe { *errno_location() };
        assert_eq!(errno, ErrorCode::Panic.value());
        // SAFETY: as above.
        let msg = unsafe { CStr::from_ptr(last_message_for(errno).unwrap()) };
        assert!(msg.to_str().unwrap().contains("boom"));
    }

    /// Each error's message is there at once; its source is formatted when asked
    /// for, and is still that error's, whichever errors came before.
    #[test]
    fn messages_and_sources_follow_the_last_error() {
        let text = |p: Option<*const c_char>| {
            // SAFETY: a pointer to this thread's NUL-terminated message or source.
            unsafe { CStr::from_ptr(p.unwrap()) }
                .to_str()
                .unwrap()
                .to_owned()
        };
        let blocked = Error::blocked();
        let owned = Error::usage(format!("a longer formatted message {}", 42));
        for (e, expect) in [
            (&owned, "a longer formatted message 42"),
            (&blocked, ErrorCode::IoBlocked.description()),
            (&blocked, ErrorCode::IoBlocked.description()),
            (&owned, "a longer formatted message 42"),
        ] {
            set_error(e);
            let value = e.code.value();
            assert_eq!(text(last_message_for(value)), expect);
            let line = format!("{}:{}", e.location.file(), e.location.line());
            assert_eq!(text(last_source_for(value)), line);
            assert_eq!(text(last_source_for(value)), line, "asked twice");
        }
        set_error(&blocked);
        set_error(&owned);
        let line = format!("{}:{}", owned.location.file(), owned.location.line());
        assert_eq!(text(last_source_for(owned.code.value())), line);
        assert!(last_source_for(blocked.code.value()).is_none());
    }

    #[test]
    fn messages_are_cut_at_a_character_and_lose_their_nuls() {
        let buffer = Cell::new([b'x'; MESSAGE_CAP]);
        let long = "é".repeat(MESSAGE_CAP);
        fill_message(&buffer, &long);
        let bytes = buffer.get();
        let text = CStr::from_bytes_until_nul(&bytes)
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(text.len(), MESSAGE_CAP - 2, "whole characters only");
        fill_message(&buffer, "a\0b");
        assert_eq!(CStr::from_bytes_until_nul(&buffer.get()).unwrap(), c"a b");
    }

    #[test]
    fn null_arguments_are_usage_errors() {
        // SAFETY: NULL is what is being tested; try_ref checks for it.
        let e = unsafe { try_ref::<u8>(std::ptr::null(), "conn") }.unwrap_err();
        assert_eq!(e.code, ErrorCode::Null);
        assert!(e.message.contains("conn"));
        // SAFETY: NULL with length 0 is what is being tested; try_slice checks for it.
        assert!(unsafe { try_slice(std::ptr::null(), 0, "buf") }
            .unwrap()
            .is_empty());
        // SAFETY: as above.
        assert!(unsafe { try_slice(std::ptr::null(), 3, "buf") }.is_err());
    }

    #[test]
    fn lengths_no_buffer_can_have_are_usage_errors() {
        let mut byte = 0u8;
        for len in [isize::MAX as usize + 1, usize::MAX] {
            // SAFETY: the length is refused before any slice is made.
            let e = unsafe { try_slice(&byte, len, "session") }.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            assert!(e.message.contains("session"), "{}", e.message);
            // SAFETY: as above.
            let e = unsafe { try_slice_mut(&mut byte, len, "buf") }.unwrap_err();
            assert!(e.message.contains("buf"), "{}", e.message);
        }
    }
}
