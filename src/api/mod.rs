//! The C surface: `extern "C"` functions only, one module per s2n object. Every
//! function here checks its pointers, runs its body under [`boundary::guard`] and
//! leaves the logic to the core types.
//!
//! Modules, bottom up, each importing only those below it: `boundary` (the guard,
//! pointer checks, conversions), [`handles`] (the handle types and the wrappers
//! that reach them), `callbacks` (every call into the application's C code), then
//! the per-object modules, which never import each other. `fd` is the transport over
//! a file descriptor (libc).
//!
//! s2n's enums (`s2n_mode`, `s2n_blocked_status`, ...) are declared as `int`
//! typedefs with `#define` constants: the same values and ABI as s2n's enums, and
//! an out-of-range value from C is a usage error rather than undefined behaviour.

#![allow(non_camel_case_types, non_upper_case_globals)]
// These functions are called from C with raw pointers; each one checks its
// pointers through `boundary` before use, which is the point of this layer.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
// The crate denies unsafe code (src/lib.rs); this layer is where it lives: raw
// pointers from C, calls into C callbacks, and libc for file descriptors. Each
// block says why it is sound (SAFETY), checked by tests/conventions.rs.
#![allow(unsafe_code)]
// SAFETY: as above.
#![deny(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_int, c_void};

pub mod alpn;
pub(crate) mod boundary;
pub mod cache;
pub(crate) mod callbacks;
pub mod certs;
pub mod config;
pub mod connection;
pub(crate) mod fd;
pub mod handles;
pub mod io;
pub mod library;
pub mod mtls;
pub mod resumption;
pub mod verify;

/// Returned by `int` functions that succeed.
pub const S2N_SUCCESS: c_int = 0;
/// Returned by `int` functions that fail; `s2n_errno` says why.
pub const S2N_FAILURE: c_int = -1;
/// Returned by an application callback that has not finished its work yet.
pub const S2N_CALLBACK_BLOCKED: c_int = -2;

/// s2n's protocol version numbers.
pub const S2N_SSLv2: c_int = 20;
pub const S2N_SSLv3: c_int = 30;
pub const S2N_TLS10: c_int = 31;
pub const S2N_TLS11: c_int = 32;
pub const S2N_TLS12: c_int = 33;
pub const S2N_TLS13: c_int = 34;
pub const S2N_UNKNOWN_PROTOCOL_VERSION: c_int = 0;

/// The class of an error (`s2n_error_get_type`).
pub type s2n_error_type = c_int;
pub const S2N_ERR_T_OK: s2n_error_type = 0;
pub const S2N_ERR_T_IO: s2n_error_type = 1;
pub const S2N_ERR_T_CLOSED: s2n_error_type = 2;
pub const S2N_ERR_T_BLOCKED: s2n_error_type = 3;
pub const S2N_ERR_T_ALERT: s2n_error_type = 4;
pub const S2N_ERR_T_PROTO: s2n_error_type = 5;
pub const S2N_ERR_T_INTERNAL: s2n_error_type = 6;
pub const S2N_ERR_T_USAGE: s2n_error_type = 7;

/// Whether a connection is a server or a client.
pub type s2n_mode = c_int;
pub const S2N_SERVER: s2n_mode = 0;
pub const S2N_CLIENT: s2n_mode = 1;

/// What a call that failed with `S2N_ERR_T_BLOCKED` is waiting for.
pub type s2n_blocked_status = c_int;
pub const S2N_NOT_BLOCKED: s2n_blocked_status = 0;
pub const S2N_BLOCKED_ON_READ: s2n_blocked_status = 1;
pub const S2N_BLOCKED_ON_WRITE: s2n_blocked_status = 2;
pub const S2N_BLOCKED_ON_APPLICATION_INPUT: s2n_blocked_status = 3;
pub const S2N_BLOCKED_ON_EARLY_DATA: s2n_blocked_status = 4;

/// Blinding mode (`s2n_connection_set_blinding`).
pub type s2n_blinding = c_int;
pub const S2N_BUILT_IN_BLINDING: s2n_blinding = 0;
pub const S2N_SELF_SERVICE_BLINDING: s2n_blinding = 1;

/// A clock: writes nanoseconds to its second argument; returns 0 on success.
pub type s2n_clock_time_nanoseconds =
    Option<unsafe extern "C" fn(ctx: *mut c_void, nanoseconds: *mut u64) -> c_int>;

/// Reads up to `len` bytes into `buf`: returns the count, 0 at end of stream, or -1
/// with `errno` set (`EAGAIN`/`EWOULDBLOCK` when no data is available yet).
pub type s2n_recv_fn =
    Option<unsafe extern "C" fn(io_context: *mut c_void, buf: *mut u8, len: u32) -> c_int>;

/// Writes up to `len` bytes from `buf`: returns the count, or -1 with `errno` set
/// (`EAGAIN`/`EWOULDBLOCK` when the transport cannot take data yet).
pub type s2n_send_fn =
    Option<unsafe extern "C" fn(io_context: *mut c_void, buf: *const u8, len: u32) -> c_int>;

/// The C constants are literals so cbindgen can write them into s2n.h; these tests
/// tie each one to the value the core uses for it.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{Blocked, Connection, Mode};
    use crate::error::{ErrorCode, ErrorType};
    use crate::hello::s2n_version;
    use crate::policy;

    /// Asserts that each core value equals its C constant.
    #[track_caller]
    fn assert_each<T: Copy + std::fmt::Debug>(pairs: &[(T, c_int)], value: impl Fn(T) -> c_int) {
        for &(core, api) in pairs {
            assert_eq!(value(core), api, "{core:?}");
        }
    }

    #[test]
    fn error_classes_equal_the_core_error_types() {
        let classes = [
            (ErrorType::Ok, S2N_ERR_T_OK),
            (ErrorType::Io, S2N_ERR_T_IO),
            (ErrorType::Closed, S2N_ERR_T_CLOSED),
            (ErrorType::Blocked, S2N_ERR_T_BLOCKED),
            (ErrorType::Alert, S2N_ERR_T_ALERT),
            (ErrorType::Proto, S2N_ERR_T_PROTO),
            (ErrorType::Internal, S2N_ERR_T_INTERNAL),
            (ErrorType::Usage, S2N_ERR_T_USAGE),
        ];
        assert_each(&classes, |t| t as c_int);
        // Every class the core raises is in the table.
        for code in ErrorCode::ALL {
            let class = code.error_type();
            assert!(classes.iter().any(|&(t, _)| t == class), "{code:?}");
        }
    }

    #[test]
    fn protocol_versions_equal_the_core_ones() {
        assert_each(
            &[
                (policy::S2N_SSLV3, S2N_SSLv3),
                (policy::S2N_TLS10, S2N_TLS10),
                (policy::S2N_TLS11, S2N_TLS11),
                (policy::S2N_TLS12, S2N_TLS12),
                (policy::S2N_TLS13, S2N_TLS13),
            ],
            |v| v,
        );
        // The ClientHello reader's own numbers for the wire versions, and for one it
        // does not know. (S2N_SSLv2 has no core counterpart: rs2n never reports it.)
        assert_each(
            &[
                (0x0300, S2N_SSLv3),
                (0x0301, S2N_TLS10),
                (0x0302, S2N_TLS11),
                (0x0303, S2N_TLS12),
                (0x0304, S2N_TLS13),
                (0x0200, S2N_UNKNOWN_PROTOCOL_VERSION),
            ],
            s2n_version,
        );
        // A server's version before the ClientHello.
        assert_eq!(
            Connection::new(Mode::Server).actual_protocol_version(),
            S2N_UNKNOWN_PROTOCOL_VERSION
        );
    }

    /// `handles::with_blocked` converts with `as`, so the values must be equal.
    #[test]
    fn blocked_statuses_equal_the_core_ones() {
        // An exhaustive match, so a status added to the core must be added here.
        let api = |b: Blocked| match b {
            Blocked::NotBlocked => S2N_NOT_BLOCKED,
            Blocked::OnRead => S2N_BLOCKED_ON_READ,
            Blocked::OnWrite => S2N_BLOCKED_ON_WRITE,
            Blocked::OnApplicationInput => S2N_BLOCKED_ON_APPLICATION_INPUT,
        };
        let all = [
            Blocked::NotBlocked,
            Blocked::OnRead,
            Blocked::OnWrite,
            Blocked::OnApplicationInput,
        ];
        assert_each(&all.map(|b| (b, api(b))), |b| b as c_int);
    }
}
