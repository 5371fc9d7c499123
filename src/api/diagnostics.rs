//! The exported functions for diagnostics: where an error was raised
//! (`s2n_strerror_source`) and stack traces of errors (`s2n_stack_traces_*`,
//! `s2n_calculate_stacktrace`, `s2n_print_stacktrace`, `s2n_get_stacktrace`,
//! `s2n_free_stacktrace`).

use std::ffi::{c_char, c_int, CStr};

use super::boundary::{
    calculate_stacktrace, free_stacktrace, guard, last_source_for, static_cstr, try_mut,
    with_stacktrace,
};
use super::S2N_SUCCESS;
use crate::error::{Error, ErrorCode};
use crate::stacktrace;

/// A stack trace, laid out as s2n-tls lays it out (`char **trace; int
/// trace_size;`); s2n.h declares it opaque, as s2n-tls's does.
#[repr(C)]
pub struct s2n_stacktrace {
    pub trace: *mut *mut c_char,
    pub trace_size: c_int,
}

/// Where in rs2n's sources the calling thread's most recent error was raised, as
/// "src/FILE.rs:LINE" (s2n-tls gives its C file and line), when `error` is that
/// error's value. For 0, the "no error" description; for any other value, a text
/// saying no source is known. The text lives in a per-thread buffer: valid while
/// the thread lives, rewritten by its next error.
#[no_mangle]
pub extern "C" fn s2n_strerror_source(error: c_int) -> *const c_char {
    guard(|| {
        if error == 0 {
            return Ok(static_cstr(ErrorCode::Ok.description()));
        }
        Ok(last_source_for(error).unwrap_or_else(|| {
            static_cstr("no source known: not the calling thread's most recent error")
        }))
    })
}

/// Whether errors record stack traces. Off by default; `s2n_init` turns them on if
/// the environment variable `S2N_PRINT_STACKTRACE` is set.
#[no_mangle]
pub extern "C" fn s2n_stack_traces_enabled() -> bool {
    guard(|| Ok(stacktrace::enabled()))
}

/// Turns stack traces on or off, for every thread. When on, each error (and each
/// `s2n_calculate_stacktrace`) records the calling thread's stack, replacing its
/// previous trace; capturing one costs a few microseconds, so keep them for
/// debugging.
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_stack_traces_enabled_set(newval: bool) -> c_int {
    guard(|| {
        stacktrace::set_enabled(newval);
        Ok(S2N_SUCCESS)
    })
}

/// Records the calling thread's current stack as its trace, if stack traces are
/// on; otherwise does nothing (and succeeds), as in s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_calculate_stacktrace() -> c_int {
    guard(|| {
        calculate_stacktrace();
        Ok(S2N_SUCCESS)
    })
}

/// Writes the calling thread's trace to `fptr` (an open `FILE *`), one frame line
/// per line after a "Stack trace:" heading; with stack traces off, a note saying
/// how to turn them on.
///
/// Errors: `fptr` NULL (S2N_ERR_NULL; s2n-tls does not check); the write fails
/// (S2N_ERR_IO).
#[no_mangle]
pub extern "C" fn s2n_print_stacktrace(fptr: *mut libc::FILE) -> c_int {
    guard(|| {
        if fptr.is_null() {
            return Err(Error::null("fptr"));
        }
        let put = |text: &CStr| -> crate::error::Result<()> {
            // SAFETY: `fptr` is the caller's open FILE; `text` is NUL-terminated.
            if unsafe { libc::fputs(text.as_ptr(), fptr) } < 0 {
                return Err(Error::new(ErrorCode::Io, "writing the stack trace failed"));
            }
            Ok(())
        };
        if !stacktrace::enabled() {
            return put(
                c"NOTE: stack traces are off: turn them on with s2n_stack_traces_enabled_set(true), or set S2N_PRINT_STACKTRACE=1 before s2n_init().\n",
            )
            .map(|()| S2N_SUCCESS);
        }
        with_stacktrace(|trace| {
            put(c"\nStack trace:\n")?;
            for line in trace.map(|t| t.lines()).unwrap_or_default() {
                put(line)?;
                put(c"\n")?;
            }
            Ok(S2N_SUCCESS)
        })
    })
}

/// Frees the calling thread's trace.
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_free_stacktrace() -> c_int {
    guard(|| {
        free_stacktrace();
        Ok(S2N_SUCCESS)
    })
}

/// Fills `*trace` with the calling thread's trace: `trace_size` lines at `trace`
/// (NULL and 0 when there is none). The lines belong to rs2n and stay valid until
/// the thread's next trace, `s2n_free_stacktrace`, or the thread's end. The struct's
/// layout is s2n-tls's (`char **trace; int trace_size;`), which s2n.h does not
/// declare.
///
/// Errors: `trace` NULL (S2N_ERR_NULL).
#[no_mangle]
pub extern "C" fn s2n_get_stacktrace(trace: *mut s2n_stacktrace) -> c_int {
    guard(|| {
        // SAFETY: a non-NULL pointer is the caller's s2n_stacktrace to fill.
        let out = unsafe { try_mut(trace, "trace") }?;
        let (lines, size) = with_stacktrace(|t| match t {
            Some(t) => t.as_c(),
            None => (std::ptr::null_mut(), 0),
        });
        out.trace = lines;
        out.trace_size = size;
        Ok(S2N_SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const c_char) -> String {
        // SAFETY: the library's strings are NUL-terminated.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    #[test]
    fn the_source_of_an_error_is_where_rs2n_raised_it() {
        let line = line!() + 1;
        let r = guard::<c_int>(|| Err(Error::usage("bad")));
        assert_eq!(r, -1);
        let e = ErrorCode::InvalidArgument.value();
        assert_eq!(
            text(s2n_strerror_source(e)),
            format!("src/api/diagnostics.rs:{line}")
        );
        assert_eq!(text(s2n_strerror_source(0)), "no error");
        assert!(text(s2n_strerror_source(e + 1)).starts_with("no source known"));
    }
}
