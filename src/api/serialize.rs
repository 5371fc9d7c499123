//! Connection serialization: refused, because rustls cannot rebuild a connection
//! from its secrets (it can export them, `dangerous_extract_secrets`, only to hand
//! the records to kernel TLS, and has no way back).

use std::ffi::c_int;

use super::handles::{s2n_config, s2n_connection, with_config, with_conn};
use super::{s2n_serialization_version, S2nSerializationVersion};
use crate::error::{Error, ErrorCode};

fn refuse(what: &str) -> Error {
    Error::new(
        ErrorCode::Unimplemented,
        format!(
            "connection serialization ({what}) is not supported by rs2n: rustls can export \
             a connection's secrets but cannot rebuild a connection from them"
        ),
    )
}

/// Sets the version connections of this config are serialized with.
/// S2N_SERIALIZED_CONN_NONE (the default: not serializable) succeeds.
///
/// S2N_SERIALIZED_CONN_V1 is not supported: it fails with S2N_ERR_UNIMPLEMENTED
/// (S2N_ERR_T_USAGE), because rustls cannot rebuild a connection from its
/// secrets, so a serialized connection could never be resumed.
///
/// Errors: `config` is NULL (S2N_ERR_NULL); an unknown version
/// (S2N_ERR_INVALID_ARGUMENT); S2N_SERIALIZED_CONN_V1 (S2N_ERR_UNIMPLEMENTED).
#[no_mangle]
pub extern "C" fn s2n_config_set_serialization_version(
    config: *mut s2n_config,
    version: s2n_serialization_version,
) -> c_int {
    with_config(config, |_| {
        const NONE: c_int = S2nSerializationVersion::S2N_SERIALIZED_CONN_NONE as c_int;
        const V1: c_int = S2nSerializationVersion::S2N_SERIALIZED_CONN_V1 as c_int;
        match version {
            NONE => Ok(()),
            V1 => Err(refuse("S2N_SERIALIZED_CONN_V1")),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("unknown serialization version {version}"),
            )),
        }
    })
}

/// The size of a serialized connection. Not supported by rs2n: fails with
/// S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE); see
/// `s2n_config_set_serialization_version`.
///
/// Errors: `conn` or `length` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_connection_serialization_length(
    conn: *mut s2n_connection,
    length: *mut u32,
) -> c_int {
    with_conn(conn, |_| {
        if length.is_null() {
            return Err(Error::null("length"));
        }
        Err(refuse("s2n_connection_serialization_length"))
    })
}

/// Serializes a connection into `buffer`. Not supported by rs2n: fails with
/// S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE), writes nothing and leaves the
/// connection usable; see `s2n_config_set_serialization_version`.
///
/// Errors: `conn` or `buffer` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_connection_serialize(
    conn: *mut s2n_connection,
    buffer: *mut u8,
    buffer_length: u32,
) -> c_int {
    with_conn(conn, |_| {
        let _ = buffer_length;
        if buffer.is_null() {
            return Err(Error::null("buffer"));
        }
        Err(refuse("s2n_connection_serialize"))
    })
}

/// Rebuilds a connection from serialized bytes. Not supported by rs2n: fails with
/// S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE), reads nothing and leaves the
/// connection as it was; see `s2n_config_set_serialization_version`.
///
/// Errors: `conn` or `buffer` is NULL (S2N_ERR_NULL); otherwise S2N_ERR_UNIMPLEMENTED.
#[no_mangle]
pub extern "C" fn s2n_connection_deserialize(
    conn: *mut s2n_connection,
    buffer: *mut u8,
    buffer_length: u32,
) -> c_int {
    with_conn(conn, |_| {
        let _ = buffer_length;
        if buffer.is_null() {
            return Err(Error::null("buffer"));
        }
        Err(refuse("s2n_connection_deserialize"))
    })
}
