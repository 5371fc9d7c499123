//! Thread cleanup (s2n-tls's api/unstable/cleanup.h).

use std::ffi::c_int;

use super::boundary::{free_stacktrace, guard};
use super::S2N_SUCCESS;

/// Releases what rs2n keeps for the calling thread: its stack trace (see
/// `s2n_get_stacktrace`; a trace obtained before is no longer valid). The last
/// error (`s2n_errno` and its message) stays readable. Safe to call on any thread,
/// any number of times, before `s2n_init` and after `s2n_cleanup_final`. In s2n-tls
/// it is deprecated and does nothing.
///
/// @returns S2N_SUCCESS.
#[no_mangle]
pub extern "C" fn s2n_cleanup_thread() -> c_int {
    guard(|| {
        free_stacktrace();
        Ok(S2N_SUCCESS)
    })
}
