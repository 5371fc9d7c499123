//! The exported functions that give out a connection's secrets: the key log
//! callback, the TLS1.3 exporter and the TLS1.2 master secret.

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::boundary::{try_slice, try_slice_mut};
use super::callbacks::CKeyLog;
use super::handles::{query, s2n_config, s2n_connection, with_config};
use super::{s2n_key_log_fn, S2N_SUCCESS};
use crate::connection::MASTER_SECRET_LEN;
use crate::error::{Error, ErrorCode};
use crate::extras::KeyLogCallback;

/// Sets a callback that receives the connection's secrets as lines of the NSS key
/// log format, for debugging only (e.g. to let Wireshark decrypt a capture):
/// `CLIENT_RANDOM <client random> <master secret>` for a full TLS1.2 handshake,
/// and `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`,
/// `CLIENT_TRAFFIC_SECRET_0`, `SERVER_TRAFFIC_SECRET_0` and `EXPORTER_SECRET`
/// lines for TLS1.3, each value in lowercase hex, without a newline. `logline`
/// is valid for `len` bytes during the call only: copy it. The callback runs
/// during `s2n_negotiate`, on its thread, with the connection busy (calls on it
/// fail with S2N_ERR_CONNECTION_IN_USE); its return value is ignored, as in
/// s2n-tls. NULL turns key logging off (the default). Applies to connections
/// whose handshake starts afterwards.
///
/// As in s2n-tls, a resumed TLS1.2 handshake logs nothing.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_key_log_cb(
    config: *mut s2n_config,
    callback: s2n_key_log_fn,
    ctx: *mut c_void,
) -> c_int {
    with_config(config, |c| {
        let callback = callback.map(|f| Arc::new(CKeyLog { f, ctx }) as Arc<dyn KeyLogCallback>);
        c.update(|s| {
            s.extras.key_log = callback;
            Ok(())
        })
    })
}

/// Derives keying material from a TLS1.3 connection's exporter secret (RFC 8446
/// section 7.5, the TLS-Exporter): `output_length` bytes for `label` and
/// `context` (an empty context, `context_length` 0, is allowed; `context` must
/// still not be NULL, as in s2n-tls). Both peers get the same bytes.
///
/// Errors: NULL conn, label, context or output; before the handshake is
/// complete (S2N_ERR_HANDSHAKE_NOT_COMPLETE); a TLS1.2 connection
/// (S2N_ERR_INVALID_STATE: as in s2n-tls, the exporter is for TLS1.3 only); a
/// label over 249 bytes, or more output than HKDF gives (255 hash lengths)
/// (S2N_ERR_INVALID_ARGUMENT). The output is not to be used after a failure.
#[no_mangle]
pub extern "C" fn s2n_connection_tls_exporter(
    conn: *mut s2n_connection,
    label: *const u8,
    label_length: u32,
    context: *const u8,
    context_length: u32,
    output: *mut u8,
    output_length: u32,
) -> c_int {
    query(conn, |c| {
        for (p, what) in [
            (label, "label"),
            (context, "context"),
            (output.cast_const(), "output"),
        ] {
            if p.is_null() {
                return Err(Error::null(what));
            }
        }
        // SAFETY: valid for their lengths, as the API requires.
        let label = unsafe { try_slice(label, label_length as usize, "label") }?;
        // SAFETY: as above.
        let context = unsafe { try_slice(context, context_length as usize, "context") }?;
        // SAFETY: as above, writable.
        let out = unsafe { try_slice_mut(output, output_length as usize, "output") }?;
        c.core.tls_exporter(label, context, out)?;
        Ok(S2N_SUCCESS)
    })
}

/// Copies the TLS1.2 master secret (always 48 bytes) into `secret_bytes`. This is
/// dangerous: whoever has it can decrypt the connection and the sessions resumed
/// from it. Prefer `s2n_connection_tls_exporter` (TLS1.3).
///
/// Errors: NULL conn or secret_bytes; `max_size` under 48
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE); a TLS1.3 connection (S2N_ERR_INVALID_STATE:
/// TLS1.3 has no master secret to give, as in s2n-tls); before the handshake is
/// complete (S2N_ERR_HANDSHAKE_NOT_COMPLETE). rs2n wipes its copy of the secret
/// when the connection is wiped or freed.
#[no_mangle]
pub extern "C" fn s2n_connection_get_master_secret(
    conn: *const s2n_connection,
    secret_bytes: *mut u8,
    max_size: usize,
) -> c_int {
    query(conn.cast_mut(), |c| {
        if secret_bytes.is_null() {
            return Err(Error::null("secret_bytes"));
        }
        if max_size < MASTER_SECRET_LEN {
            return Err(Error::new(
                ErrorCode::InsufficientMemSize,
                format!("the master secret is {MASTER_SECRET_LEN} bytes; max_size is {max_size}"),
            ));
        }
        let secret = c.core.master_secret()?;
        // SAFETY: valid for max_size >= 48 writable bytes, as the API requires.
        let out = unsafe { try_slice_mut(secret_bytes, secret.len(), "secret_bytes") }?;
        out.copy_from_slice(secret);
        Ok(S2N_SUCCESS)
    })
}
