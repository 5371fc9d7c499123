//! The exported functions for the library's lifetime (init, cleanup, the settings
//! that come before init, memory and random callbacks, FIPS mode) and for errors.

use std::ffi::{c_char, c_int, c_ulong, CStr};
use std::sync::Mutex;

use super::alloc;
use super::boundary::{
    errno_location, free_stacktrace, guard, in_system_scope, last_message_for, static_cstr, try_mut,
};
use super::callbacks::call_mem_hook;
use super::{
    s2n_fips_mode, s2n_mem_cleanup_callback, s2n_mem_free_callback, s2n_mem_init_callback,
    s2n_mem_malloc_callback, s2n_rand_cleanup_callback, s2n_rand_init_callback,
    s2n_rand_mix_callback, s2n_rand_seed_callback, S2N_FIPS_MODE_DISABLED, S2N_SUCCESS,
};
use crate::error::{error_type_of, Error, ErrorCode};
use crate::lifecycle::Lifecycle;
use crate::resumption::client_session;
use crate::{stacktrace, sync, trust};

/// Where the library is in its life (`s2n_init` ... `s2n_cleanup_final`).
static LIFECYCLE: Mutex<Lifecycle> = Mutex::new(Lifecycle::new());

/// The memory init and cleanup callbacks (`s2n_mem_set_callbacks`); the malloc and
/// free callbacks live with the allocator (`alloc`).
#[derive(Clone, Copy, Default)]
struct MemHooks {
    init: s2n_mem_init_callback,
    cleanup: s2n_mem_cleanup_callback,
}

static MEM_HOOKS: Mutex<MemHooks> = Mutex::new(MemHooks {
    init: None,
    cleanup: None,
});

/// Initializes the library. Call once per process before any other function (or
/// again after `s2n_cleanup_final`).
///
/// Runs the memory init callback if `s2n_mem_set_callbacks` set one, and from then
/// on rs2n's memory comes from the application's malloc callback. With the
/// environment variable `S2N_PRINT_STACKTRACE` set, turns stack traces on (as
/// s2n-tls does). rs2n installs no atexit handler (see `s2n_disable_atexit`).
///
/// Errors: already initialized (S2N_ERR_INITIALIZED, S2N_ERR_T_USAGE); the memory
/// init callback failed (S2N_ERR_CANCELLED; the library stays uninitialized).
/// Other functions work even without it (rs2n is more forgiving than s2n-tls here).
///
/// @returns S2N_SUCCESS, or S2N_FAILURE.
#[no_mangle]
pub extern "C" fn s2n_init() -> c_int {
    guard(|| {
        sync::lock(&LIFECYCLE).begin_init()?;
        let hooks = *sync::lock(&MEM_HOOKS);
        let r = call_mem_hook("init", hooks.init);
        if r.is_ok() {
            // The process-lifetime tables, from the system allocator, before the
            // application's callbacks take over.
            in_system_scope(|| {
                let _ = crate::policy::default_policy();
            });
            alloc::start_routing();
            if stacktrace::env_enables(std::env::var_os("S2N_PRINT_STACKTRACE")) {
                stacktrace::set_enabled(true);
            }
        }
        sync::lock(&LIFECYCLE).finish_init(r.is_ok());
        r.map(|()| S2N_SUCCESS)
    })
}

/// Releases the calling thread's resources. Deprecated in s2n-tls, where it does
/// nothing any more; rs2n holds nothing per thread that needs it either, so this
/// always succeeds and the library stays initialized. `s2n_cleanup_final`
/// deinitializes the library.
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_cleanup() -> c_int {
    guard(|| Ok(S2N_SUCCESS))
}

/// Deinitializes the library: releases what rs2n keeps for the whole process (the
/// client sessions saved for resumption, which then give full handshakes, and the
/// shared certificate verifiers), frees the calling thread's stack trace, stops
/// taking new memory from the application's malloc callback, and runs the memory
/// cleanup callback (if set). Afterwards `s2n_init` may be called again; settings
/// made before `s2n_init` (memory callbacks, `s2n_disable_atexit`, ...) stay.
///
/// Configs and connections must have been freed by then, as in s2n-tls. What rs2n
/// cannot release (the strings `s2n_strerror` and friends return, valid for the
/// life of the process; the parsed system trust roots and security policies, made
/// once; Rust's own per-thread data) stays, and if it came from the malloc
/// callback it goes back to the free callback if ever freed: that callback must
/// stay usable after the cleanup callback ran.
///
/// Errors: not initialized (S2N_ERR_NOT_INITIALIZED, S2N_ERR_T_USAGE); the memory
/// cleanup callback failed (S2N_ERR_CANCELLED; the library stays initialized).
#[no_mangle]
pub extern "C" fn s2n_cleanup_final() -> c_int {
    guard(|| {
        sync::lock(&LIFECYCLE).begin_cleanup()?;
        free_stacktrace();
        client_session::forget_all_sessions();
        trust::clear_verifier_cache();
        alloc::stop_routing();
        let hooks = *sync::lock(&MEM_HOOKS);
        let r = call_mem_hook("cleanup", hooks.cleanup);
        if r.is_err() {
            alloc::start_routing();
        }
        sync::lock(&LIFECYCLE).finish_cleanup(r.is_ok());
        r.map(|()| S2N_SUCCESS)
    })
}

/// Asks s2n-tls not to initialize and clean up OpenSSL's libcrypto. rs2n uses no
/// OpenSSL (its cryptography is ring's, which needs no global set-up), so it never
/// does either: accepted, with no effect to have.
///
/// Errors: called after `s2n_init` (S2N_ERR_INITIALIZED, S2N_ERR_T_USAGE), as in
/// s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_crypto_disable_init() -> c_int {
    guard(|| {
        let mut l = sync::lock(&LIFECYCLE);
        l.before_init("s2n_crypto_disable_init")?;
        l.crypto_init_disabled = true;
        Ok(S2N_SUCCESS)
    })
}

/// Asks the library not to install an atexit handler that cleans up at process
/// exit. rs2n installs none in any case (process exit releases its memory; call
/// `s2n_cleanup_final` to deinitialize, e.g. before unloading the library), so this
/// is accepted with no effect.
///
/// Differs from s2n-tls, whose default handler calls `s2n_cleanup_final` at exit:
/// with rs2n, an application that needs its memory cleanup callback to run calls
/// `s2n_cleanup_final` itself.
///
/// Errors: called after `s2n_init` (S2N_ERR_INITIALIZED, S2N_ERR_T_USAGE), as in
/// s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_disable_atexit() -> c_int {
    guard(|| {
        let mut l = sync::lock(&LIFECYCLE);
        l.before_init("s2n_disable_atexit")?;
        l.atexit_disabled = true;
        Ok(S2N_SUCCESS)
    })
}

/// Routes the library's memory through the application's callbacks. Call before
/// `s2n_init`. `s2n_init` calls `mem_init_callback`, and from then until
/// `s2n_cleanup_final` (which calls `mem_cleanup_callback`) every block rs2n
/// allocates (rs2n, rustls, ring's Rust side, Rust's standard library in rs2n's
/// calls) comes from `mem_malloc_callback` and goes back to `mem_free_callback`
/// with the size it reported. Blocks rs2n made before, by the system allocator, go
/// back to it.
///
/// The callbacks run on any thread that calls rs2n, possibly at once; they must be
/// thread-safe and must not call into rs2n (as in s2n-tls). Rust cannot recover
/// from a failed allocation: if `mem_malloc_callback` fails, the process aborts
/// (s2n-tls would fail the call). A request never exceeds 4 GiB (`uint32_t`);
/// rs2n asks for a little more than it needs (the alignment and a 32-byte header).
///
/// Errors: a NULL callback (S2N_ERR_NULL); called after `s2n_init`
/// (S2N_ERR_INITIALIZED); and, in a build of rs2n without its `mem-callbacks`
/// cargo feature (a Rust program linking rs2n as a Rust library has its own global
/// allocator), S2N_ERR_UNIMPLEMENTED: the C libraries built by CMake have it.
#[no_mangle]
pub extern "C" fn s2n_mem_set_callbacks(
    mem_init_callback: s2n_mem_init_callback,
    mem_cleanup_callback: s2n_mem_cleanup_callback,
    mem_malloc_callback: s2n_mem_malloc_callback,
    mem_free_callback: s2n_mem_free_callback,
) -> c_int {
    guard(|| {
        for (set, what) in [
            (mem_init_callback.is_some(), "mem_init_callback"),
            (mem_cleanup_callback.is_some(), "mem_cleanup_callback"),
            (mem_malloc_callback.is_some(), "mem_malloc_callback"),
            (mem_free_callback.is_some(), "mem_free_callback"),
        ] {
            if !set {
                return Err(Error::null(what));
            }
        }
        let lifecycle = sync::lock(&LIFECYCLE);
        lifecycle.before_init("s2n_mem_set_callbacks")?;
        if !alloc::ROUTING_AVAILABLE {
            return Err(Error::new(
                ErrorCode::Unimplemented,
                "this build of rs2n cannot route its memory through callbacks (built without \
                 the mem-callbacks cargo feature, which the C libraries built by CMake have)",
            ));
        }
        *sync::lock(&MEM_HOOKS) = MemHooks {
            init: mem_init_callback,
            cleanup: mem_cleanup_callback,
        };
        alloc::set_callbacks(mem_malloc_callback, mem_free_callback);
        drop(lifecycle);
        Ok(S2N_SUCCESS)
    })
}

/// Deprecated in s2n-tls, where it does nothing: randomness comes from the
/// system. So in rs2n, whose randomness is ring's (the operating system's
/// generator, getrandom on Linux): the callbacks are accepted and never called
/// (no effect), exactly as s2n-tls does.
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_rand_set_callbacks(
    rand_init_callback: s2n_rand_init_callback,
    rand_cleanup_callback: s2n_rand_cleanup_callback,
    rand_seed_callback: s2n_rand_seed_callback,
    rand_mix_callback: s2n_rand_mix_callback,
) -> c_int {
    guard(|| {
        let _ignored = (
            rand_init_callback,
            rand_cleanup_callback,
            rand_seed_callback,
            rand_mix_callback,
        );
        Ok(S2N_SUCCESS)
    })
}

/// Writes whether the library runs in FIPS mode to `*fips_mode`: always
/// S2N_FIPS_MODE_DISABLED, since ring is not a FIPS-validated module. (As in s2n-tls,
/// FIPS mode is no statement about the policy: `default_fips` restricts the
/// algorithms to FIPS-approved ones either way.)
///
/// Errors: `fips_mode` NULL (S2N_ERR_NULL); called before `s2n_init`
/// (S2N_ERR_NOT_INITIALIZED, with `*fips_mode` set to S2N_FIPS_MODE_DISABLED), as
/// in s2n-tls.
#[no_mangle]
pub extern "C" fn s2n_get_fips_mode(fips_mode: *mut s2n_fips_mode) -> c_int {
    guard(|| {
        // SAFETY: a non-NULL pointer is the caller's s2n_fips_mode to write.
        let out = unsafe { try_mut(fips_mode, "fips_mode") }?;
        *out = S2N_FIPS_MODE_DISABLED;
        if !sync::lock(&LIFECYCLE).is_initialized() {
            return Err(Error::new(
                ErrorCode::NotInitialized,
                "s2n_get_fips_mode() needs s2n_init() first",
            ));
        }
        Ok(S2N_SUCCESS)
    })
}

/// The OpenSSL version number s2n-tls was built with (`OPENSSL_VERSION_NUMBER`).
/// rs2n contains no OpenSSL or libcrypto (its cryptography is ring's), so it
/// returns 0: no version to match. An application that compares this with its own
/// OpenSSL's number must accept 0 for rs2n.
#[no_mangle]
pub extern "C" fn s2n_get_openssl_version() -> c_ulong {
    guard(|| Ok(0))
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
