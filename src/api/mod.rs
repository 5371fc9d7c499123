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
//! Here: s2n's constants, enums and typedefs, as the header declares them.
//! Each s2n enum is two things. A `#[repr(C)]` Rust enum (`S2nMode`, ...) that
//! cbindgen writes into `s2n.h` as s2n's `typedef enum { ... } s2n_mode;` (renamed in
//! `cbindgen.toml`), whose variants the Rust code uses as constants (`as c_int`).
//! And an `int` alias with the C name (`s2n_mode`), kept out of the header, which
//! the exported functions take and return: a C enum is `int`-sized, and a value
//! outside the enum (C lets a caller pass one) stays an integer that rs2n checks
//! and refuses as a usage error, never an invalid Rust enum (undefined behaviour).
//! `tests/s2n_header_compat.rs` checks every name and value against s2n's header.

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

pub mod alerts;
pub mod alloc;
pub mod alpn;
pub mod async_pkey;
pub(crate) mod boundary;
pub mod cache;
pub(crate) mod callbacks;
pub mod certs;
pub mod client_hello;
pub mod config;
pub mod connection;
pub mod dhparams;
pub mod diagnostics;
pub mod early_data;
pub(crate) mod fd;
pub mod handles;
pub mod handshake;
pub mod hello_callback;
pub mod io;
pub mod library;
pub mod mtls;
pub mod negotiated;
pub mod ocsp;
pub mod psk;
pub mod records;
pub mod resumption;
pub mod secrets;
pub mod serialize;
pub mod unstable_cleanup;
pub mod unstable_fingerprint;
pub mod unstable_npn;
pub mod unstable_renegotiate;
pub mod verify;

pub use ints::*;

/// Returned by `int` functions that succeed.
pub const S2N_SUCCESS: c_int = 0;
/// Returned by `int` functions that fail; `s2n_errno` says why.
pub const S2N_FAILURE: c_int = -1;
/// Returned by an application callback that has not finished its work yet.
pub const S2N_CALLBACK_BLOCKED: c_int = -2;

/// The lowest TLS record major version s2n-tls reads (SSLv2-style hellos).
pub const S2N_MINIMUM_SUPPORTED_TLS_RECORD_MAJOR_VERSION: c_int = 2;
/// The highest TLS record major version s2n-tls reads.
pub const S2N_MAXIMUM_SUPPORTED_TLS_RECORD_MAJOR_VERSION: c_int = 3;

/// s2n's protocol version numbers.
pub const S2N_SSLv2: c_int = 20;
pub const S2N_SSLv3: c_int = 30;
pub const S2N_TLS10: c_int = 31;
pub const S2N_TLS11: c_int = 32;
pub const S2N_TLS12: c_int = 33;
pub const S2N_TLS13: c_int = 34;
pub const S2N_UNKNOWN_PROTOCOL_VERSION: c_int = 0;

/// The class of an error (`s2n_error_get_type`).
#[repr(C)]
pub enum S2nErrorType {
    /// No error.
    S2N_ERR_T_OK = 0,
    /// The transport failed: see the system's `errno`.
    S2N_ERR_T_IO = 1,
    /// The peer closed the connection.
    S2N_ERR_T_CLOSED = 2,
    /// The call would block: retry when the transport (or callback) is ready.
    S2N_ERR_T_BLOCKED = 3,
    /// The peer sent an alert.
    S2N_ERR_T_ALERT = 4,
    /// The peer broke the TLS protocol.
    S2N_ERR_T_PROTO = 5,
    /// A failure inside the library.
    S2N_ERR_T_INTERNAL = 6,
    /// The application used the API wrongly (or asked for something unsupported).
    S2N_ERR_T_USAGE = 7,
}
pub type s2n_error_type = c_int;

/// Whether the library runs in FIPS mode (`s2n_get_fips_mode`).
#[repr(C)]
pub enum S2nFipsMode {
    S2N_FIPS_MODE_DISABLED = 0,
    S2N_FIPS_MODE_ENABLED = 1,
}
pub type s2n_fips_mode = c_int;

/// TLS extensions, by their IANA numbers.
#[repr(C)]
pub enum S2nTlsExtensionType {
    S2N_EXTENSION_SERVER_NAME = 0,
    S2N_EXTENSION_MAX_FRAG_LEN = 1,
    S2N_EXTENSION_OCSP_STAPLING = 5,
    S2N_EXTENSION_SUPPORTED_GROUPS = 10,
    S2N_EXTENSION_EC_POINT_FORMATS = 11,
    S2N_EXTENSION_SIGNATURE_ALGORITHMS = 13,
    S2N_EXTENSION_ALPN = 16,
    S2N_EXTENSION_CERTIFICATE_TRANSPARENCY = 18,
    S2N_EXTENSION_SUPPORTED_VERSIONS = 43,
    S2N_EXTENSION_RENEGOTIATION_INFO = 65281,
}
pub type s2n_tls_extension_type = c_int;

/// Maximum fragment lengths a client can ask for (RFC 6066).
#[repr(C)]
pub enum S2nMaxFragLen {
    S2N_TLS_MAX_FRAG_LEN_512 = 1,
    S2N_TLS_MAX_FRAG_LEN_1024 = 2,
    S2N_TLS_MAX_FRAG_LEN_2048 = 3,
    S2N_TLS_MAX_FRAG_LEN_4096 = 4,
}
pub type s2n_max_frag_len = c_int;

/// Whether signatures are verified after signing.
#[repr(C)]
pub enum S2nVerifyAfterSign {
    S2N_VERIFY_AFTER_SIGN_DISABLED = 0,
    S2N_VERIFY_AFTER_SIGN_ENABLED = 1,
}
pub type s2n_verify_after_sign = c_int;

/// Certificate status requests (OCSP stapling).
#[repr(C)]
pub enum S2nStatusRequestType {
    S2N_STATUS_REQUEST_NONE = 0,
    S2N_STATUS_REQUEST_OCSP = 1,
}
pub type s2n_status_request_type = c_int;

/// Certificate transparency support.
#[repr(C)]
pub enum S2nCtSupportLevel {
    S2N_CT_SUPPORT_NONE = 0,
    S2N_CT_SUPPORT_REQUEST = 1,
}
pub type s2n_ct_support_level = c_int;

/// What a connection does with warning alerts.
#[repr(C)]
pub enum S2nAlertBehavior {
    S2N_ALERT_FAIL_ON_WARNINGS = 0,
    S2N_ALERT_IGNORE_WARNINGS = 1,
}
pub type s2n_alert_behavior = c_int;

/// Whether a connection is a server or a client.
#[repr(C)]
pub enum S2nMode {
    S2N_SERVER = 0,
    S2N_CLIENT = 1,
}
pub type s2n_mode = c_int;

/// Whether the client hello callback may block.
#[repr(C)]
pub enum S2nClientHelloCbMode {
    S2N_CLIENT_HELLO_CB_BLOCKING = 0,
    S2N_CLIENT_HELLO_CB_NONBLOCKING = 1,
}
pub type s2n_client_hello_cb_mode = c_int;

/// Blinding mode (`s2n_connection_set_blinding`).
#[repr(C)]
pub enum S2nBlinding {
    S2N_BUILT_IN_BLINDING = 0,
    S2N_SELF_SERVICE_BLINDING = 1,
}
pub type s2n_blinding = c_int;

/// Whether the peer asked for a TLS1.3 key update in return.
#[repr(C)]
pub enum S2nPeerKeyUpdate {
    S2N_KEY_UPDATE_NOT_REQUESTED = 0,
    S2N_KEY_UPDATE_REQUESTED = 1,
}
pub type s2n_peer_key_update = c_int;

/// What a call that failed with `S2N_ERR_T_BLOCKED` is waiting for.
#[repr(C)]
pub enum S2nBlockedStatus {
    S2N_NOT_BLOCKED = 0,
    S2N_BLOCKED_ON_READ = 1,
    S2N_BLOCKED_ON_WRITE = 2,
    S2N_BLOCKED_ON_APPLICATION_INPUT = 3,
    S2N_BLOCKED_ON_EARLY_DATA = 4,
}
pub type s2n_blocked_status = c_int;

/// Whether a peer certificate is asked for (mutual TLS).
#[repr(C)]
pub enum S2nCertAuthType {
    S2N_CERT_AUTH_NONE = 0,
    S2N_CERT_AUTH_REQUIRED = 1,
    S2N_CERT_AUTH_OPTIONAL = 2,
}
pub type s2n_cert_auth_type = c_int;

/// Signature algorithms (TLS1.2 numbering, with s2n's own values for RSA-PSS).
#[repr(C)]
pub enum S2nTlsSignatureAlgorithm {
    S2N_TLS_SIGNATURE_ANONYMOUS = 0,
    S2N_TLS_SIGNATURE_RSA = 1,
    S2N_TLS_SIGNATURE_ECDSA = 3,
    S2N_TLS_SIGNATURE_MLDSA = 9,
    S2N_TLS_SIGNATURE_RSA_PSS_RSAE = 224,
    S2N_TLS_SIGNATURE_RSA_PSS_PSS = 225,
}
pub type s2n_tls_signature_algorithm = c_int;

/// Hash algorithms (TLS1.2 numbering, with s2n's own value for MD5+SHA1).
#[repr(C)]
pub enum S2nTlsHashAlgorithm {
    S2N_TLS_HASH_NONE = 0,
    S2N_TLS_HASH_MD5 = 1,
    S2N_TLS_HASH_SHA1 = 2,
    S2N_TLS_HASH_SHA224 = 3,
    S2N_TLS_HASH_SHA256 = 4,
    S2N_TLS_HASH_SHA384 = 5,
    S2N_TLS_HASH_SHA512 = 6,
    S2N_TLS_HASH_MD5_SHA1 = 224,
}
pub type s2n_tls_hash_algorithm = c_int;

/// The HMAC of an external PSK.
#[repr(C)]
pub enum S2nPskHmac {
    S2N_PSK_HMAC_SHA256 = 0,
    S2N_PSK_HMAC_SHA384 = 1,
}
pub type s2n_psk_hmac = c_int;

/// Which kind of PSK a connection uses.
#[repr(C)]
pub enum S2nPskMode {
    S2N_PSK_MODE_RESUMPTION = 0,
    S2N_PSK_MODE_EXTERNAL = 1,
}
pub type s2n_psk_mode = c_int;

/// How a certificate matched the server name.
#[repr(C)]
pub enum S2nCertSniMatch {
    S2N_SNI_NONE = 1,
    S2N_SNI_EXACT_MATCH = 2,
    S2N_SNI_WILDCARD_MATCH = 3,
    S2N_SNI_NO_MATCH = 4,
}
pub type s2n_cert_sni_match = c_int;

/// How strictly an asynchronous private-key result is checked.
#[repr(C)]
pub enum S2nAsyncPkeyValidationMode {
    S2N_ASYNC_PKEY_VALIDATION_FAST = 0,
    S2N_ASYNC_PKEY_VALIDATION_STRICT = 1,
}
pub type s2n_async_pkey_validation_mode = c_int;

/// The kind of an asynchronous private-key operation.
#[repr(C)]
pub enum S2nAsyncPkeyOpType {
    S2N_ASYNC_DECRYPT = 0,
    S2N_ASYNC_SIGN = 1,
}
pub type s2n_async_pkey_op_type = c_int;

/// What became of TLS1.3 early data.
#[repr(C)]
pub enum S2nEarlyDataStatus {
    S2N_EARLY_DATA_STATUS_OK = 0,
    S2N_EARLY_DATA_STATUS_NOT_REQUESTED = 1,
    S2N_EARLY_DATA_STATUS_REJECTED = 2,
    S2N_EARLY_DATA_STATUS_END = 3,
}
pub type s2n_early_data_status_t = c_int;

/// The format of a serialized connection.
#[repr(C)]
pub enum S2nSerializationVersion {
    S2N_SERIALIZED_CONN_NONE = 0,
    S2N_SERIALIZED_CONN_V1 = 1,
}
pub type s2n_serialization_version = c_int;

/// The enum constants as `c_int`, the type the exported functions use: e.g.
/// `S2N_SERVER`, `S2N_ERR_T_USAGE`.
/// cbindgen:ignore
pub mod ints {
    use super::*;

    macro_rules! ints {
        ($($enum:ident: $($variant:ident),*;)*) => {
            $($(pub const $variant: c_int = $enum::$variant as c_int;)*)*
        };
    }

    ints! {
        S2nErrorType: S2N_ERR_T_OK, S2N_ERR_T_IO, S2N_ERR_T_CLOSED, S2N_ERR_T_BLOCKED, S2N_ERR_T_ALERT, S2N_ERR_T_PROTO, S2N_ERR_T_INTERNAL, S2N_ERR_T_USAGE;
        S2nFipsMode: S2N_FIPS_MODE_DISABLED, S2N_FIPS_MODE_ENABLED;
        S2nTlsExtensionType: S2N_EXTENSION_SERVER_NAME, S2N_EXTENSION_MAX_FRAG_LEN, S2N_EXTENSION_OCSP_STAPLING, S2N_EXTENSION_SUPPORTED_GROUPS, S2N_EXTENSION_EC_POINT_FORMATS, S2N_EXTENSION_SIGNATURE_ALGORITHMS, S2N_EXTENSION_ALPN, S2N_EXTENSION_CERTIFICATE_TRANSPARENCY, S2N_EXTENSION_SUPPORTED_VERSIONS, S2N_EXTENSION_RENEGOTIATION_INFO;
        S2nMaxFragLen: S2N_TLS_MAX_FRAG_LEN_512, S2N_TLS_MAX_FRAG_LEN_1024, S2N_TLS_MAX_FRAG_LEN_2048, S2N_TLS_MAX_FRAG_LEN_4096;
        S2nVerifyAfterSign: S2N_VERIFY_AFTER_SIGN_DISABLED, S2N_VERIFY_AFTER_SIGN_ENABLED;
        S2nStatusRequestType: S2N_STATUS_REQUEST_NONE, S2N_STATUS_REQUEST_OCSP;
        S2nCtSupportLevel: S2N_CT_SUPPORT_NONE, S2N_CT_SUPPORT_REQUEST;
        S2nAlertBehavior: S2N_ALERT_FAIL_ON_WARNINGS, S2N_ALERT_IGNORE_WARNINGS;
        S2nMode: S2N_SERVER, S2N_CLIENT;
        S2nClientHelloCbMode: S2N_CLIENT_HELLO_CB_BLOCKING, S2N_CLIENT_HELLO_CB_NONBLOCKING;
        S2nBlinding: S2N_BUILT_IN_BLINDING, S2N_SELF_SERVICE_BLINDING;
        S2nPeerKeyUpdate: S2N_KEY_UPDATE_NOT_REQUESTED, S2N_KEY_UPDATE_REQUESTED;
        S2nBlockedStatus: S2N_NOT_BLOCKED, S2N_BLOCKED_ON_READ, S2N_BLOCKED_ON_WRITE, S2N_BLOCKED_ON_APPLICATION_INPUT, S2N_BLOCKED_ON_EARLY_DATA;
        S2nCertAuthType: S2N_CERT_AUTH_NONE, S2N_CERT_AUTH_REQUIRED, S2N_CERT_AUTH_OPTIONAL;
        S2nTlsSignatureAlgorithm: S2N_TLS_SIGNATURE_ANONYMOUS, S2N_TLS_SIGNATURE_RSA, S2N_TLS_SIGNATURE_ECDSA, S2N_TLS_SIGNATURE_MLDSA, S2N_TLS_SIGNATURE_RSA_PSS_RSAE, S2N_TLS_SIGNATURE_RSA_PSS_PSS;
        S2nTlsHashAlgorithm: S2N_TLS_HASH_NONE, S2N_TLS_HASH_MD5, S2N_TLS_HASH_SHA1, S2N_TLS_HASH_SHA224, S2N_TLS_HASH_SHA256, S2N_TLS_HASH_SHA384, S2N_TLS_HASH_SHA512, S2N_TLS_HASH_MD5_SHA1;
        S2nPskHmac: S2N_PSK_HMAC_SHA256, S2N_PSK_HMAC_SHA384;
        S2nPskMode: S2N_PSK_MODE_RESUMPTION, S2N_PSK_MODE_EXTERNAL;
        S2nCertSniMatch: S2N_SNI_NONE, S2N_SNI_EXACT_MATCH, S2N_SNI_WILDCARD_MATCH, S2N_SNI_NO_MATCH;
        S2nAsyncPkeyValidationMode: S2N_ASYNC_PKEY_VALIDATION_FAST, S2N_ASYNC_PKEY_VALIDATION_STRICT;
        S2nAsyncPkeyOpType: S2N_ASYNC_DECRYPT, S2N_ASYNC_SIGN;
        S2nEarlyDataStatus: S2N_EARLY_DATA_STATUS_OK, S2N_EARLY_DATA_STATUS_NOT_REQUESTED, S2N_EARLY_DATA_STATUS_REJECTED, S2N_EARLY_DATA_STATUS_END;
        S2nSerializationVersion: S2N_SERIALIZED_CONN_NONE, S2N_SERIALIZED_CONN_V1;
    }
}

/// `struct iovec` of `<sys/uio.h>` (declared there, not in s2n.h).
#[repr(C)]
pub struct iovec {
    pub iov_base: *mut c_void,
    pub iov_len: usize,
}

/// A clock: writes nanoseconds to its second argument; returns 0 on success.
pub type s2n_clock_time_nanoseconds =
    Option<unsafe extern "C" fn(ctx: *mut c_void, nanoseconds: *mut u64) -> c_int>;

/// Reads up to `len` bytes into `buf`: returns the count, 0 at end of stream, or -1
/// with `errno` set (`EAGAIN`/`EWOULDBLOCK` when no data is available yet). In C a
/// function type, as in s2n (the header's prelude declares it).
pub type s2n_recv_fn =
    Option<unsafe extern "C" fn(io_context: *mut c_void, buf: *mut u8, len: u32) -> c_int>;

/// Writes up to `len` bytes from `buf`: returns the count, or -1 with `errno` set
/// (`EAGAIN`/`EWOULDBLOCK` when the transport cannot take data yet). In C a
/// function type, as in s2n (the header's prelude declares it).
pub type s2n_send_fn =
    Option<unsafe extern "C" fn(io_context: *mut c_void, buf: *const u8, len: u32) -> c_int>;

/// Called by `s2n_init` when memory callbacks are set (`s2n_mem_set_callbacks`).
pub type s2n_mem_init_callback = Option<unsafe extern "C" fn() -> c_int>;
/// Called by `s2n_cleanup_final` when memory callbacks are set.
pub type s2n_mem_cleanup_callback = Option<unsafe extern "C" fn() -> c_int>;
/// Allocates at least `requested` bytes: stores the block in `*ptr` and its usable
/// size in `*allocated`; returns 0 on success.
pub type s2n_mem_malloc_callback = Option<
    unsafe extern "C" fn(ptr: *mut *mut c_void, requested: u32, allocated: *mut u32) -> c_int,
>;
/// Frees a block from the malloc callback, with the size it reported.
pub type s2n_mem_free_callback = Option<unsafe extern "C" fn(ptr: *mut c_void, size: u32) -> c_int>;

/// Random number callbacks (`s2n_rand_set_callbacks`).
pub type s2n_rand_init_callback = Option<unsafe extern "C" fn() -> c_int>;
pub type s2n_rand_cleanup_callback = Option<unsafe extern "C" fn() -> c_int>;
pub type s2n_rand_seed_callback =
    Option<unsafe extern "C" fn(data: *mut c_void, size: u32) -> c_int>;
pub type s2n_rand_mix_callback =
    Option<unsafe extern "C" fn(data: *mut c_void, size: u32) -> c_int>;

/// Stand-ins for s2n's opaque types in the callback typedefs below, written in C
/// as the structs the header's prelude declares (`cbindgen.toml` renames them).
/// (Not the handle types: this module sits below the handles.)
pub mod opaque {
    /// A connection (`struct s2n_connection`).
    pub struct S2nConnectionRef(());
    /// An offered PSK list (opaque).
    pub struct s2n_offered_psk_list(());
    /// An asynchronous private-key operation (opaque).
    pub struct s2n_async_pkey_op(());
    /// Early data offered by a client (opaque).
    pub struct s2n_offered_early_data(());
}

/// Chooses a PSK from those a client offered.
pub type s2n_psk_selection_callback = Option<
    unsafe extern "C" fn(
        conn: *mut opaque::S2nConnectionRef,
        context: *mut c_void,
        psk_list: *mut opaque::s2n_offered_psk_list,
    ) -> c_int,
>;
/// Performs a private-key operation asynchronously.
pub type s2n_async_pkey_fn = Option<
    unsafe extern "C" fn(
        conn: *mut opaque::S2nConnectionRef,
        op: *mut opaque::s2n_async_pkey_op,
    ) -> c_int,
>;
/// Receives key log lines (NSS key log format).
pub type s2n_key_log_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        conn: *mut opaque::S2nConnectionRef,
        logline: *mut u8,
        len: usize,
    ) -> c_int,
>;
/// Decides on early data a client offered.
pub type s2n_early_data_cb = Option<
    unsafe extern "C" fn(
        conn: *mut opaque::S2nConnectionRef,
        early_data: *mut opaque::s2n_offered_early_data,
    ) -> c_int,
>;

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
            Blocked::OnEarlyData => S2N_BLOCKED_ON_EARLY_DATA,
        };
        let all = [
            Blocked::NotBlocked,
            Blocked::OnRead,
            Blocked::OnWrite,
            Blocked::OnApplicationInput,
            Blocked::OnEarlyData,
        ];
        assert_each(&all.map(|b| (b, api(b))), |b| b as c_int);
    }
}
