//! The exported functions for async private key operations (`s2n_async_pkey_*`):
//! the application makes the handshake signatures, now or later, from any thread.
//!
//! How rs2n does it with rustls, which signs synchronously: with a callback set,
//! each handshake step that may sign runs on a worker thread; its signer hands
//! the operation to the callback and waits, while `s2n_negotiate` returns
//! S2N_ERR_T_BLOCKED with S2N_BLOCKED_ON_APPLICATION_INPUT. The caller's thread
//! never waits for the application (see `crate::pkey`).

use std::ffi::c_int;
use std::mem::offset_of;

use super::boundary::{free_handle, guard, try_mut, try_ref, try_slice, try_slice_mut};
use super::callbacks::CAsyncPkey;
use super::handles::{
    s2n_async_pkey_op, s2n_cert_chain_and_key, s2n_cert_private_key, s2n_config, s2n_connection,
    with_config,
};
use super::ints::{
    S2N_ASYNC_PKEY_VALIDATION_FAST, S2N_ASYNC_PKEY_VALIDATION_STRICT, S2N_ASYNC_SIGN,
    S2N_VERIFY_AFTER_SIGN_DISABLED, S2N_VERIFY_AFTER_SIGN_ENABLED,
};
use super::{
    s2n_async_pkey_fn, s2n_async_pkey_op_type, s2n_async_pkey_validation_mode,
    s2n_verify_after_sign, S2N_SUCCESS,
};
use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;
use crate::pkey::Validation;

/// Sets the callback that makes the config's connections' private key
/// operations (NULL: rs2n signs with the loaded keys again). With it, every
/// handshake signature (a server's CertificateVerify or ServerKeyExchange, a
/// client's CertificateVerify) is handed to `fn` as an operation the application
/// owns and must free with `s2n_async_pkey_op_free`. The callback runs inside
/// `s2n_negotiate`, on its thread; it may complete the operation at once
/// (`s2n_async_pkey_op_perform` or `_set_output`, then `s2n_async_pkey_op_apply`)
/// or later from any thread, `s2n_negotiate` returning S2N_ERR_T_BLOCKED with
/// S2N_BLOCKED_ON_APPLICATION_INPUT meanwhile: call it again once applied. A
/// callback that returns anything but S2N_SUCCESS fails the handshake
/// (S2N_ERR_ASYNC_CALLBACK_FAILED). Chains loaded without their private key
/// (`s2n_cert_chain_and_key_load_public_pem_bytes`) serve only with a callback.
///
/// rs2n differs from s2n-tls in how: rustls signs inside the step that writes the
/// signed message, so that step runs on a worker thread of the connection, which
/// waits for the operation (never the caller's thread); freeing or wiping the
/// connection ends the wait. Other callbacks that run during such a step (the
/// wall clock; a client's verify host callback) run on that worker thread while
/// `s2n_negotiate` waits for it. Inside the callback the connection is usable
/// (`s2n_connection_get_selected_cert`, the negotiated-parameter getters,
/// `s2n_connection_get_ctx`) but cannot be freed or wiped. Only sign operations
/// exist: rs2n offers no RSA key exchange, so there is never a decrypt operation.
/// An Ed25519 signature cannot be offloaded (s2n's operation gives a digest, and
/// Ed25519 signs the whole message): the handshake fails with S2N_ERR_UNIMPLEMENTED.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_async_pkey_callback(
    config: *mut s2n_config,
    r#fn: s2n_async_pkey_fn,
) -> c_int {
    with_config(config, |c| {
        c.update(|s| {
            s.pkey.callback = r#fn.map(|f| std::sync::Arc::new(CAsyncPkey(f)) as _);
            Ok(())
        })
    })
}

/// Sets how an application's signature is checked when applied:
/// S2N_ASYNC_PKEY_VALIDATION_FAST (the default: as used) or
/// S2N_ASYNC_PKEY_VALIDATION_STRICT (verified with the certificate's public key
/// first; `s2n_async_pkey_op_apply` refuses a signature that does not verify with
/// S2N_ERR_VERIFY_SIGNATURE and the handshake keeps waiting, as in s2n-tls).
///
/// Errors: NULL config; another mode (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_async_pkey_validation_mode(
    config: *mut s2n_config,
    mode: s2n_async_pkey_validation_mode,
) -> c_int {
    with_config(config, |c| {
        let validation = match mode {
            S2N_ASYNC_PKEY_VALIDATION_FAST => Validation::Fast,
            S2N_ASYNC_PKEY_VALIDATION_STRICT => Validation::Strict,
            m => return Err(Error::usage(format!("unknown validation mode {m}"))),
        };
        c.update(|s| {
            s.pkey.validation = validation;
            Ok(())
        })
    })
}

/// S2N_VERIFY_AFTER_SIGN_ENABLED: every handshake signature is verified with the
/// certificate's public key before it is sent (a fault in the signing hardware or
/// code must not leak the key); one that does not verify fails the handshake
/// with S2N_ERR_VERIFY_SIGNATURE. With an async callback set it also makes the
/// validation strict, as in s2n-tls. Default S2N_VERIFY_AFTER_SIGN_DISABLED.
///
/// Errors: NULL config; another mode (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_verify_after_sign(
    config: *mut s2n_config,
    mode: s2n_verify_after_sign,
) -> c_int {
    with_config(config, |c| {
        let on = match mode {
            S2N_VERIFY_AFTER_SIGN_DISABLED => false,
            S2N_VERIFY_AFTER_SIGN_ENABLED => true,
            m => return Err(Error::usage(format!("unknown verify-after-sign mode {m}"))),
        };
        c.update(|s| {
            s.pkey.verify_after_sign = on;
            Ok(())
        })
    })
}

/// Runs `f` on the operation behind a C pointer.
fn with_op(op: *mut s2n_async_pkey_op, f: impl FnOnce(&s2n_async_pkey_op) -> Result<()>) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live op handed to the application's callback.
        let handle = unsafe { try_ref(op, "op") }?;
        f(handle)?;
        Ok(S2N_SUCCESS)
    })
}

/// Signs the operation's input with `key`, the private key of the chain the
/// connection selected (`s2n_cert_chain_and_key_get_private_key` of
/// `s2n_connection_get_selected_cert`, or of the client's own chain). Once only:
/// later calls, or a call after `s2n_async_pkey_op_set_output`, fail with
/// S2N_ERR_ASYNC_ALREADY_PERFORMED. Safe inside the callback and from another
/// thread.
///
/// Errors: NULL arguments; a key whose chain has no private key, or that cannot
/// sign with the operation's scheme (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_perform(
    op: *mut s2n_async_pkey_op,
    key: *mut s2n_cert_private_key,
) -> c_int {
    with_op(op, |op| {
        if key.is_null() {
            return Err(Error::null("key"));
        }
        // SAFETY: `key` came from s2n_cert_chain_and_key_get_private_key, which
        // hands out the address of the `pkey` field of a live chain handle.
        let chain = unsafe {
            &*key
                .cast::<u8>()
                .sub(offset_of!(s2n_cert_chain_and_key, pkey))
                .cast::<s2n_cert_chain_and_key>()
        };
        let key = chain.with(|c| {
            c.chain_key()
                .cloned()
                .ok_or_else(|| Error::usage("the chain holds no key"))
        })?;
        op.op
            .perform(|scheme, message| key.sign_now(scheme, message))
    })
}

/// Hands the operation's result to `conn`, the connection whose callback got it:
/// its handshake goes on at the next `s2n_negotiate` (or at once, when applied
/// inside the callback). Once only. Safe inside the callback and from any
/// thread, also while another thread is in `s2n_negotiate` on the connection
/// (rs2n passes the result over a channel; s2n-tls forbids that overlap).
///
/// Errors: NULL arguments; no output yet (S2N_ERR_ASYNC_NOT_PERFORMED); applied
/// already (S2N_ERR_ASYNC_ALREADY_APPLIED); another connection, or one that no
/// longer waits (failed, wiped, freed: S2N_ERR_ASYNC_WRONG_CONNECTION); with
/// strict validation, a signature that does not verify (S2N_ERR_VERIFY_SIGNATURE:
/// the handshake keeps waiting for a good one, or for the op to be freed).
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_apply(
    op: *mut s2n_async_pkey_op,
    conn: *mut s2n_connection,
) -> c_int {
    with_op(op, |op| {
        // Only compared, never read: the connection may be busy on another thread.
        if conn.is_null() {
            return Err(Error::null("conn"));
        }
        op.op.apply(Owner::new(conn as usize))
    })
}

/// Frees an operation; every operation given to the callback must be freed,
/// before or after its connection. Freeing one that was not applied makes the
/// handshake waiting for it fail (S2N_ERR_ASYNC_CALLBACK_FAILED at the next
/// `s2n_negotiate`), where s2n-tls would leave it blocked for ever.
///
/// Errors: NULL op.
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_free(op: *mut s2n_async_pkey_op) -> c_int {
    guard(|| {
        // SAFETY: NULL or a live op handed to the application's callback.
        let handle = unsafe { try_ref(op, "op") }?;
        handle.op.abandon();
        // SAFETY: made by into_handle for the callback and not freed yet.
        unsafe { free_handle(op, "op") }?;
        Ok(S2N_SUCCESS)
    })
}

/// The operation's type: always S2N_ASYNC_SIGN in rs2n (no RSA key exchange, so
/// no decrypt operations).
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_get_op_type(
    op: *mut s2n_async_pkey_op,
    r#type: *mut s2n_async_pkey_op_type,
) -> c_int {
    with_op(op, |_| {
        // SAFETY: NULL or a writable out-parameter.
        *unsafe { try_mut(r#type, "type") }? = S2N_ASYNC_SIGN;
        Ok(())
    })
}

/// The size of the operation's input: the digest's (32, 48 or 64 bytes for
/// SHA-256, -384, -512).
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_get_input_size(
    op: *mut s2n_async_pkey_op,
    data_len: *mut u32,
) -> c_int {
    with_op(op, |op| {
        // SAFETY: NULL or a writable out-parameter.
        let out = unsafe { try_mut(data_len, "data_len") }?;
        *out = op.op.input().len() as u32;
        Ok(())
    })
}

/// Copies the operation's input into `data`: for a sign operation, as in s2n-tls,
/// the digest of the signed content with the signature scheme's hash (the
/// application signs it as a prehashed message: PKCS#1 v1.5 with the DigestInfo
/// of that hash, PSS with that hash and a salt of its length, or ECDSA). The
/// scheme is `s2n_connection_get_selected_signature_algorithm` and
/// `_digest_algorithm` on a server (in TLS1.3 and TLS1.2 alike).
///
/// Errors: NULL arguments; `data_len` smaller than the input
/// (S2N_ERR_INSUFFICIENT_MEM_SIZE).
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_get_input(
    op: *mut s2n_async_pkey_op,
    data: *mut u8,
    data_len: u32,
) -> c_int {
    with_op(op, |op| {
        if data.is_null() {
            return Err(Error::null("data"));
        }
        let input = op.op.input();
        if (data_len as usize) < input.len() {
            return Err(Error::new(
                ErrorCode::InsufficientMemSize,
                format!("data_len is {data_len}: the input takes {}", input.len()),
            ));
        }
        // SAFETY: `data` is valid for `data_len` writable bytes, as the API requires.
        let out = unsafe { try_slice_mut(data, data_len as usize, "data") }?;
        out[..input.len()].copy_from_slice(input);
        Ok(())
    })
}

/// Sets the operation's output (the signature), copied; replaces any earlier one.
///
/// Errors: NULL arguments.
#[no_mangle]
pub extern "C" fn s2n_async_pkey_op_set_output(
    op: *mut s2n_async_pkey_op,
    data: *const u8,
    data_len: u32,
) -> c_int {
    with_op(op, |op| {
        if data.is_null() {
            return Err(Error::null("data"));
        }
        // SAFETY: `data` is valid for `data_len` bytes, as the API requires.
        let signature = unsafe { try_slice(data, data_len as usize, "data") }?;
        op.op.set_output(signature);
        Ok(())
    })
}
