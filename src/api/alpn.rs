//! The exported functions for application protocols (ALPN, RFC 7301).

use std::ffi::{c_char, c_int};

use super::boundary::{try_cbytes, try_slice};
use super::handles::{hand_out, query, s2n_config, s2n_connection, with_config, with_conn};
use crate::alpn::ProtocolList;
use crate::error::{Error, ErrorCode, Result};

/// The list given to a `set_protocol_preferences` function: NULL or a count of 0
/// means none.
fn protocol_list(protocols: *const *const c_char, count: c_int) -> Result<ProtocolList> {
    if protocols.is_null() || count == 0 {
        return Ok(ProtocolList::default());
    }
    let count = usize::try_from(count).map_err(|_| {
        Error::new(
            ErrorCode::InvalidApplicationProtocol,
            format!("protocol_count is {count}: it cannot be negative"),
        )
    })?;
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: `protocols` holds `count` entries, as the API requires.
        let p = unsafe { *protocols.add(i) };
        // SAFETY: NULL or a NUL-terminated string.
        let name = unsafe { try_cbytes(p, "protocols[i]") }?;
        names.push(name);
    }
    ProtocolList::from_names(&names)
}

/// The bytes given to an `append_protocol_preference` function.
fn protocol_name<'a>(protocol: *const u8, len: u8) -> Result<&'a [u8]> {
    if len == 0 {
        return Err(Error::new(
            ErrorCode::InvalidApplicationProtocol,
            "protocol_len is 0: an application protocol name cannot be empty",
        ));
    }
    // SAFETY: NULL or `len` readable bytes, as the API requires.
    unsafe { try_slice(protocol, usize::from(len), "protocol") }
}

/// Sets the config's application protocols (ALPN), most preferred first: a client
/// offers them in its ClientHello; a server picks its first one the client also
/// offers (with none in common, as in s2n-tls, no protocol is negotiated and the
/// handshake goes on). NULL or a count of 0 clears the list. Each name is 1 to 255
/// bytes; the whole list at most 65535 bytes on the wire.
///
/// Errors: NULL config; a negative count, an empty or too long name, or a list too
/// long (S2N_ERR_INVALID_APPLICATION_PROTOCOL): the config keeps its list.
#[no_mangle]
pub extern "C" fn s2n_config_set_protocol_preferences(
    config: *mut s2n_config,
    protocols: *const *const c_char,
    protocol_count: c_int,
) -> c_int {
    with_config(config, |c| {
        let list = protocol_list(protocols, protocol_count)?;
        c.set_protocol_preferences(list)
    })
}

/// Appends one protocol (`protocol_len` bytes, copied) to the config's list.
///
/// Errors: NULL arguments; protocol_len 0, or a list that would pass 65535 bytes
/// (S2N_ERR_INVALID_APPLICATION_PROTOCOL).
#[no_mangle]
pub extern "C" fn s2n_config_append_protocol_preference(
    config: *mut s2n_config,
    protocol: *const u8,
    protocol_len: u8,
) -> c_int {
    with_config(config, |c| {
        c.append_protocol_preference(protocol_name(protocol, protocol_len)?)
    })
}

/// Gives the connection its own application protocols, used instead of its
/// config's. NULL or a count of 0 clears them (the config's list applies again).
///
/// Errors: as `s2n_config_set_protocol_preferences`; after the handshake started
/// (S2N_ERR_INVALID_STATE).
#[no_mangle]
pub extern "C" fn s2n_connection_set_protocol_preferences(
    conn: *mut s2n_connection,
    protocols: *const *const c_char,
    protocol_count: c_int,
) -> c_int {
    with_conn(conn, |c| {
        let list = protocol_list(protocols, protocol_count)?;
        c.core.set_protocol_preferences(list)
    })
}

/// Appends one protocol to the connection's own list (starting one if it had
/// none: the config's list then no longer applies).
///
/// Errors: as `s2n_config_append_protocol_preference`; after the handshake started.
#[no_mangle]
pub extern "C" fn s2n_connection_append_protocol_preference(
    conn: *mut s2n_connection,
    protocol: *const u8,
    protocol_len: u8,
) -> c_int {
    with_conn(conn, |c| {
        c.core
            .append_protocol_preference(protocol_name(protocol, protocol_len)?)
    })
}

/// The application protocol the handshake negotiated. On a server from the
/// early-data callback on (before rustls processes the ClientHello), the
/// protocol the server will choose: its first protocol the client offers.
///
/// @returns The protocol (NUL-terminated, valid until the connection is wiped or
/// freed), or NULL when none was negotiated (or conn is NULL). A protocol name
/// that holds a NUL byte reads shorter than it is.
#[no_mangle]
pub extern "C" fn s2n_get_application_protocol(conn: *mut s2n_connection) -> *const c_char {
    query(conn, |c| {
        let Some(name) = c.core.application_protocol() else {
            return Ok(std::ptr::null());
        };
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        let name = std::ffi::CString::new(&name[..end])
            .map_err(|_| Error::new(ErrorCode::Internal, "protocol name"))?;
        Ok(hand_out(&mut c.handed_out, &name))
    })
}
