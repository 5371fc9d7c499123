//! The exported functions for the library's lifetime and for errors.

use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicBool, Ordering};

use super::boundary::{errno_location, guard, last_message_for, static_cstr};
use super::S2N_SUCCESS;
use crate::error::{error_type_of, Error, ErrorCode};

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// Initializes the library. Call once per process before any other function.
///
/// rs2n needs no global set-up, but keeps s2n's contract: a second call fails with
/// `S2N_ERR_T_USAGE`. Other functions work even without it (rs2n is more forgiving
/// than s2n-tls here).
///
/// @returns S2N_SUCCESS, or S2N_FAILURE if already initialized.
#[no_mangle]
pub extern "C" fn s2n_init() -> c_int {
    guard(|| {
        if INITIALIZED.swap(true, Ordering::SeqCst) {
            return Err(Error::new(
                ErrorCode::Initialized,
                "s2n_init() was already called",
            ));
        }
        Ok(S2N_SUCCESS)
    })
}

/// Releases the calling thread's resources. Call from each thread that used the
/// library when it is done; rs2n holds nothing per thread that needs it, so this
/// always succeeds. The library stays initialized (as with s2n-tls' default of
/// cleaning up at process exit).
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_cleanup() -> c_int {
    guard(|| Ok(S2N_SUCCESS))
}

/// The address of the calling thread's `s2n_errno`, the exported thread-local
/// variable: for languages and loaders that cannot reach a thread-local symbol
/// directly. Reset the error with `s2n_errno = S2N_ERR_T_OK` (or through this
/// pointer). Valid while the calling thread lives.
#[no_mangle]
pub extern "C" fn s2n_errno_location() -> *mut c_int {
    guard(|| Ok(errno_location()))
}

/// The class of an error value: one of the `S2N_ERR_T_*` constants. Applications
/// decide what to do with a failure from this: `S2N_ERR_T_BLOCKED` means retry when
/// the I/O is ready; `S2N_ERR_T_CLOSED` that the peer closed; the others are fatal
/// for the connection.
#[no_mangle]
pub extern "C" fn s2n_error_get_type(error: c_int) -> c_int {
    guard(|| Ok(error_type_of(error)))
}

fn language_ok(lang: *const c_char) -> bool {
    // SAFETY: a non-NULL `lang` is a NUL-terminated string by the API's contract.
    lang.is_null()
        || unsafe { CStr::from_ptr(lang) }
            .to_bytes()
            .eq_ignore_ascii_case(b"EN")
}

const NO_LANGUAGE: &str = "Language is not supported for error translation";

/// The generic English description of an error value, the same for every error
/// of its kind (e.g. "NULL pointer encountered"); `s2n_strerror_debug` says what
/// exactly was wrong.
///
/// @param lang NULL or "EN"; anything else gives a "not supported" message.
/// @returns A static string, valid for the life of the process (as in s2n-tls);
/// "unknown error value" for a value rs2n does not define.
#[no_mangle]
pub extern "C" fn s2n_strerror(error: c_int, lang: *const c_char) -> *const c_char {
    guard(|| {
        if !language_ok(lang) {
            return Ok(static_cstr(NO_LANGUAGE));
        }
        Ok(static_cstr(description_of(error)))
    })
}

fn description_of(error: c_int) -> &'static str {
    ErrorCode::from_value(error).map_or("unknown error value", ErrorCode::description)
}

/// What exactly was wrong: for the calling thread's most recent error (when
/// `error` is its value), the specific message, e.g. "config must not be NULL";
/// for any other value, `s2n_strerror`'s description.
///
/// Differs from s2n-tls, which gives the source file and line of the error (a
/// static string). rs2n's message lives in a per-thread buffer: the pointer stays
/// valid while the calling thread lives, but the thread's next error rewrites the
/// text, so copy it to keep it. Messages are cut at 511 bytes.
///
/// @param lang NULL or "EN"; anything else gives a "not supported" message.
#[no_mangle]
pub extern "C" fn s2n_strerror_debug(error: c_int, lang: *const c_char) -> *const c_char {
    guard(|| {
        if !language_ok(lang) {
            return Ok(static_cstr(NO_LANGUAGE));
        }
        Ok(last_message_for(error).unwrap_or_else(|| static_cstr(description_of(error))))
    })
}

/// s2n's name for an error value, e.g. "S2N_ERR_NULL"; "S2N_ERR_UNKNOWN" for a
/// value rs2n does not define. A static string, valid for the life of the process.
#[no_mangle]
pub extern "C" fn s2n_strerror_name(error: c_int) -> *const c_char {
    guard(|| {
        Ok(match ErrorCode::from_value(error) {
            Some(code) => static_cstr(code.name()),
            None => static_cstr("S2N_ERR_UNKNOWN"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const c_char) -> String {
        // SAFETY: the library's strings are NUL-terminated and static.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
    }

    #[test]
    fn names_messages_and_languages() {
        let v = ErrorCode::Null.value();
        assert_eq!(text(s2n_strerror_name(v)), "S2N_ERR_NULL");
        assert_eq!(text(s2n_strerror_name(12345)), "S2N_ERR_UNKNOWN");
        assert_eq!(text(s2n_strerror(v, c"xx".as_ptr())), NO_LANGUAGE);
        assert_eq!(s2n_error_get_type(ErrorCode::IoBlocked.value()), 3);
        assert_eq!(static_cstr("abc"), static_cstr("abc"), "interned once");
        let r = guard::<c_int>(|| Err(Error::null("config")));
        assert_eq!(r, -1);
        // SAFETY: the thread's errno cell lives as long as the thread.
        let e = unsafe { *s2n_errno_location() };
        assert_eq!(
            text(s2n_strerror_debug(e, c"EN".as_ptr())),
            "config must not be NULL"
        );
        assert_eq!(
            text(s2n_strerror(ErrorCode::Closed.value(), std::ptr::null())),
            "connection is closed"
        );
    }

    #[test]
    fn strerror_is_static_per_code_and_debug_is_the_details() {
        let _ = guard::<c_int>(|| Err(Error::null("config")));
        // SAFETY: the thread's errno cell lives as long as the thread.
        let e = unsafe { *s2n_errno_location() };
        let generic = s2n_strerror(e, std::ptr::null());
        let debug = s2n_strerror_debug(e, std::ptr::null());
        assert_eq!(text(generic), "NULL pointer encountered");
        assert_eq!(text(debug), "config must not be NULL");
        // Later errors: the same static string; the debug text is rewritten in place.
        let _ = guard::<c_int>(|| Err(Error::usage("something else")));
        assert_eq!(s2n_strerror(e, std::ptr::null()), generic);
        assert_eq!(text(generic), "NULL pointer encountered");
        assert_eq!(text(debug), "something else");
        // Not this thread's last error: the description.
        assert_eq!(text(s2n_strerror_debug(e, std::ptr::null())), text(generic));
        assert_eq!(text(s2n_strerror_debug(0, std::ptr::null())), "no error");
    }
}
