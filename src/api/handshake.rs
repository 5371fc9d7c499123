//! The exported functions that say where a connection's handshake stands and
//! what keys it used.

use std::ffi::{c_char, c_int};

use super::boundary::{try_mut, try_slice_mut};
use super::handles::{query, s2n_connection};
use super::{s2n_mode, S2N_CLIENT, S2N_SERVER, S2N_SUCCESS};
use crate::connection::Mode;
use crate::error::{Error, ErrorCode};

/// Whether the handshake is complete: every handshake message sent and received,
/// the connection ready for application data. False while it runs (also while an
/// async private key operation is awaited), after it failed, and for a NULL conn
/// (or one in use by another call at that moment).
#[no_mangle]
pub extern "C" fn s2n_connection_handshake_complete(conn: *mut s2n_connection) -> bool {
    query(conn, |c| Ok(c.core.is_handshake_complete()))
}

/// Writes s2n's name for the public key of a leaf certificate into `output`, with
/// its NUL: "rsa2048" (rsa<bits>), "ecdsa_secp256r1", "ecdsa_secp384r1" or
/// "ecdsa_secp521r1". `mode` names whose certificate: the connection's own
/// (`mode` equal to the connection's: a server's selected certificate, a client's
/// certificate once sent) or the peer's (validated, once the handshake is
/// complete). `*output_size` is the buffer's size on input; on output the bytes
/// written, or those needed when the buffer is too small.
///
/// Errors: NULL arguments; `mode` neither S2N_SERVER nor S2N_CLIENT
/// (S2N_ERR_INVALID_ARGUMENT); no such certificate yet (S2N_ERR_NO_CERT_FOUND for
/// its own, S2N_ERR_CERT_NOT_VALIDATED for the peer's); an Ed25519 key, which s2n
/// has no name for (S2N_ERR_CERT_TYPE_UNSUPPORTED); the buffer too small
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_conn_get_signature_public_key_type(
    conn: *mut s2n_connection,
    mode: s2n_mode,
    output: *mut c_char,
    output_size: *mut u32,
) -> c_int {
    query(conn, |c| {
        if output.is_null() {
            return Err(Error::null("output"));
        }
        // SAFETY: NULL or a writable out-parameter.
        let size = unsafe { try_mut(output_size, "output_size") }?;
        let whose = match mode {
            S2N_SERVER => Mode::Server,
            S2N_CLIENT => Mode::Client,
            m => {
                return Err(Error::usage(format!(
                    "mode {m} is neither S2N_SERVER nor S2N_CLIENT"
                )))
            }
        };
        let name = c.core.signature_public_key_type(whose)?;
        let needed = name.len() + 1;
        let room = *size as usize;
        *size = needed as u32;
        if room < needed {
            return Err(Error::new(
                ErrorCode::InsufficientMemSize,
                format!("output_size is {room}: \"{name}\" takes {needed} bytes"),
            ));
        }
        // SAFETY: `output` is valid for `room` writable bytes, as the API requires.
        let out = unsafe { try_slice_mut(output.cast::<u8>(), room, "output") }?;
        out[..name.len()].copy_from_slice(name.as_bytes());
        out[name.len()] = 0;
        Ok(S2N_SUCCESS)
    })
}
