//! Sequences of C API calls on one connection and its config, through the
//! exported `extern "C"` functions with raw pointers, as C would call them: every
//! call either succeeds or fails with S2N_FAILURE (or NULL) and a non-zero
//! s2n_errno of a valid class, never S2N_ERR_T_INTERNAL (the panic guard's class:
//! a panic caught at the boundary is a finding), and never a crash.
//!
//! The harness tracks which handles are live and never passes a freed one (this
//! target tests the library, not use-after-free by the caller). The transport is
//! in memory, through s2n_connection_set_send_cb/recv_cb: the peer's bytes come
//! from the input ("feed" operations), and either callback may return EAGAIN.
//!
//! Found by this target and fixed: a connection shut down with peer bytes rustls
//! cannot parse waiting made rustls alert twice, a panic in builds with debug
//! assertions (rustls#959). Reproducer, now in the corpus:
//! 17010001030004096c6f63616c686f7374070a080508080808080e00 (a client, negotiate,
//! five bytes 0x08 from the peer, s2n_shutdown).
//!
//! Input: a sequence of operations, each one opcode byte then its arguments (see
//! `Op` in `run`); the input ends the sequence.
#![no_main]

use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rs2n::api::cache::*;
use rs2n::api::certs::*;
use rs2n::api::config::*;
use rs2n::api::connection::*;
use rs2n::api::handles::{s2n_config, s2n_connection};
use rs2n::api::io::*;
use rs2n::api::library::*;
use rs2n::api::resumption::*;
use rs2n::api::*;
use rs2n::certs::testing::cert_file;

/// The in-memory transport behind the callbacks (their context).
#[derive(Default)]
struct Wire {
    /// Bytes from the peer, not yet read.
    incoming: VecDeque<u8>,
    /// The peer closed: recv returns 0 once `incoming` is empty.
    closed: bool,
    /// The callbacks return -1 with EAGAIN.
    recv_eagain: bool,
    send_eagain: bool,
    /// What the connection sent (kept short).
    sent: usize,
}

fn set_errno(value: c_int) {
    // SAFETY: the calling thread's errno.
    unsafe { *libc::__errno_location() = value };
}

unsafe extern "C" fn recv_cb(ctx: *mut c_void, buf: *mut u8, len: u32) -> c_int {
    // SAFETY: ctx is the harness's Wire, live for the whole input.
    let wire = unsafe { &mut *ctx.cast::<Wire>() };
    if wire.recv_eagain || (wire.incoming.is_empty() && !wire.closed) {
        set_errno(libc::EAGAIN);
        return -1;
    }
    let n = (len as usize)
        .min(wire.incoming.len())
        .min(c_int::MAX as usize);
    for (i, b) in wire.incoming.drain(..n).enumerate() {
        // SAFETY: buf holds len bytes and i < n <= len.
        unsafe { *buf.add(i) = b };
    }
    n as c_int
}

unsafe extern "C" fn send_cb(ctx: *mut c_void, _buf: *const u8, len: u32) -> c_int {
    // SAFETY: as in recv_cb.
    let wire = unsafe { &mut *ctx.cast::<Wire>() };
    if wire.send_eagain {
        set_errno(libc::EAGAIN);
        return -1;
    }
    let n = len.min(c_int::MAX as u32);
    wire.sent = wire.sent.saturating_add(n as usize);
    n as c_int
}

unsafe extern "C" fn cache_store(
    _: *mut s2n_connection,
    _: *mut c_void,
    _: u64,
    _: *const c_void,
    _: u64,
    _: *const c_void,
    _: u64,
) -> c_int {
    0
}

unsafe extern "C" fn cache_retrieve(
    _: *mut s2n_connection,
    _: *mut c_void,
    _: *const c_void,
    _: u64,
    _: *mut c_void,
    _: *mut u64,
) -> c_int {
    // A miss.
    -1
}

unsafe extern "C" fn cache_delete(
    _: *mut s2n_connection,
    _: *mut c_void,
    _: *const c_void,
    _: u64,
) -> c_int {
    0
}

/// Reads the input as operations and their arguments.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte().unwrap_or(0), self.byte().unwrap_or(0)])
    }
    fn u64(&mut self) -> u64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.byte().unwrap_or(0);
        }
        u64::from_le_bytes(v)
    }
    /// A length byte, then up to that many bytes.
    fn bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte().unwrap_or(0)).min(self.0.len());
        let (b, rest) = self.0.split_at(n);
        self.0 = rest;
        b
    }
}

fn errno() -> c_int {
    // SAFETY: the calling thread's s2n_errno.
    unsafe { *s2n_errno_location() }
}

fn clear_errno() {
    // SAFETY: as above.
    unsafe { *s2n_errno_location() = 0 };
}

/// After a call: an error set (whether or not the call failed) has a valid,
/// non-internal class; a failed call set one.
#[track_caller]
fn check(what: &str, failed: bool) {
    let e = errno();
    if failed {
        assert_ne!(e, 0, "{what} failed with s2n_errno 0");
    }
    if e != 0 {
        let t = s2n_error_get_type(e);
        let name = cstr(s2n_strerror_name(e));
        let debug = cstr(s2n_strerror_debug(e, ptr::null()));
        assert!(
            (S2N_ERR_T_IO..=S2N_ERR_T_USAGE).contains(&t),
            "{what}: class {t} of {e} ({name}: {debug})"
        );
        assert_ne!(
            t, S2N_ERR_T_INTERNAL,
            "{what}: an internal error ({name}: {debug})"
        );
    }
}

#[track_caller]
fn check_int(what: &str, ret: c_int) {
    assert!(ret >= -1, "{what} returned {ret}");
    check(what, ret == S2N_FAILURE);
}

#[track_caller]
fn check_blocked(what: &str, ret: isize, blocked: s2n_blocked_status) {
    assert!(ret >= -1, "{what} returned {ret}");
    check(what, ret == -1);
    assert!(
        (S2N_NOT_BLOCKED..=S2N_BLOCKED_ON_EARLY_DATA).contains(&blocked),
        "{what}: blocked {blocked}"
    );
    if ret == -1 && s2n_error_get_type(errno()) == S2N_ERR_T_BLOCKED {
        assert_ne!(blocked, S2N_NOT_BLOCKED, "{what} blocked on nothing");
    }
}

fn cstr(p: *const c_char) -> String {
    assert!(!p.is_null(), "a NULL string");
    // SAFETY: the library returns NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// A NUL-terminated copy of the bytes up to their first NUL.
fn c_string(bytes: &[u8]) -> Vec<u8> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let mut v = bytes[..end].to_vec();
    v.push(0);
    v
}

/// The P-256 test chain and key, and the CA, as NUL-terminated PEM.
fn pems() -> &'static (Vec<u8>, Vec<u8>, Vec<u8>) {
    static PEMS: OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = OnceLock::new();
    PEMS.get_or_init(|| {
        let z = |mut v: Vec<u8>| {
            v.push(0);
            v
        };
        (
            z(cert_file("ecdsa_p256_cert.pem")),
            z(cert_file("ecdsa_p256_key.pem")),
            z(cert_file("ca_cert.pem")),
        )
    })
}

const POLICIES: [&[u8]; 6] = [
    b"default\0",
    b"default_tls13\0",
    b"20240501\0",
    b"20170210\0",
    b"default_pq\0",
    b"no such policy\0",
];

struct State {
    conn: *mut s2n_connection,
    config: *mut s2n_config,
    wire: Box<Wire>,
    buf: Vec<u8>,
}

impl Drop for State {
    fn drop(&mut self) {
        if !self.conn.is_null() {
            clear_errno();
            check_int("s2n_connection_free", s2n_connection_free(self.conn));
        }
        if !self.config.is_null() {
            clear_errno();
            check_int("s2n_config_free", s2n_config_free(self.config));
        }
    }
}

fn new_config() -> *mut s2n_config {
    let config = s2n_config_new_minimal();
    assert!(!config.is_null());
    config
}

fn run(data: &[u8]) {
    let mut input = Input(data);
    let mut st = State {
        conn: ptr::null_mut(),
        config: new_config(),
        wire: Box::default(),
        buf: vec![0u8; 1 << 14],
    };
    let wire_ctx: *mut c_void = (&mut *st.wire as *mut Wire).cast();
    let mut ops = 0;
    while let Some(op) = input.byte() {
        ops += 1;
        if ops > 200 {
            break;
        }
        clear_errno();
        let conn = st.conn;
        let config = st.config;
        match op % 32 {
            // New connection (freeing the live one first): server or client.
            0 => {
                if !conn.is_null() {
                    check_int("s2n_connection_free", s2n_connection_free(conn));
                    st.conn = ptr::null_mut();
                    clear_errno();
                }
                let mode = match input.byte().unwrap_or(0) % 4 {
                    0 => S2N_SERVER,
                    1 | 2 => S2N_CLIENT,
                    _ => 7,
                };
                st.conn = s2n_connection_new(mode);
                check("s2n_connection_new", st.conn.is_null());
                assert_eq!(st.conn.is_null(), mode == 7);
            }
            1 => {
                check_int("s2n_connection_free", s2n_connection_free(conn));
                st.conn = ptr::null_mut();
            }
            2 => {
                check_int("s2n_connection_wipe", s2n_connection_wipe(conn));
            }
            3 => {
                let c = if input.byte().unwrap_or(0) & 1 == 0 {
                    config
                } else {
                    ptr::null_mut()
                };
                check_int(
                    "s2n_connection_set_config",
                    s2n_connection_set_config(conn, c),
                );
            }
            4 => {
                let name = c_string(input.bytes());
                check_int(
                    "s2n_set_server_name",
                    s2n_set_server_name(conn, name.as_ptr().cast()),
                );
                let got = s2n_get_server_name(conn);
                check("s2n_get_server_name", got.is_null());
                if !got.is_null() {
                    let _ = cstr(got);
                }
            }
            5 => {
                let bytes = input.bytes();
                let (p, len) = match input.byte().unwrap_or(0) % 4 {
                    0 => (ptr::null(), bytes.len()),
                    1 => (bytes.as_ptr(), 0),
                    _ => (bytes.as_ptr(), bytes.len()),
                };
                check_int(
                    "s2n_connection_set_session",
                    s2n_connection_set_session(conn, p, len),
                );
            }
            6 => {
                let fd = match input.byte().unwrap_or(0) % 4 {
                    0 => -1,
                    1 => c_int::MIN,
                    2 => 100_000,
                    _ => 65_000,
                };
                let r = match input.byte().unwrap_or(0) % 3 {
                    0 => s2n_connection_set_fd(conn, fd),
                    1 => s2n_connection_set_read_fd(conn, fd),
                    _ => s2n_connection_set_write_fd(conn, fd),
                };
                check_int("s2n_connection_set_fd", r);
            }
            7 => {
                check_int(
                    "s2n_connection_set_recv_cb",
                    s2n_connection_set_recv_cb(conn, Some(recv_cb)),
                );
                clear_errno();
                check_int(
                    "s2n_connection_set_recv_ctx",
                    s2n_connection_set_recv_ctx(conn, wire_ctx),
                );
                clear_errno();
                check_int(
                    "s2n_connection_set_send_cb",
                    s2n_connection_set_send_cb(conn, Some(send_cb)),
                );
                clear_errno();
                check_int(
                    "s2n_connection_set_send_ctx",
                    s2n_connection_set_send_ctx(conn, wire_ctx),
                );
            }
            // The peer's bytes, its close, and the callbacks' EAGAIN.
            8 => {
                st.wire.incoming.extend(input.bytes());
            }
            9 => {
                let b = input.byte().unwrap_or(0);
                st.wire.closed = b & 1 != 0;
                st.wire.recv_eagain = b & 2 != 0;
                st.wire.send_eagain = b & 4 != 0;
            }
            10 | 11 => {
                let mut blocked = -5;
                let r = s2n_negotiate(conn, &mut blocked);
                if conn.is_null() {
                    check_int("s2n_negotiate", r);
                } else {
                    check_blocked("s2n_negotiate", r as isize, blocked);
                }
            }
            12 => {
                let len = usize::from(input.u16()).min(st.buf.len());
                let mut blocked = -5;
                let r = s2n_send(conn, st.buf.as_ptr().cast(), len as isize, &mut blocked);
                if !conn.is_null() {
                    check_blocked("s2n_send", r, blocked);
                    assert!(r <= len as isize);
                } else {
                    check_int("s2n_send", r as c_int);
                }
            }
            13 => {
                let len = usize::from(input.u16()).min(st.buf.len());
                let mut blocked = -5;
                let r = s2n_recv(conn, st.buf.as_mut_ptr().cast(), len as isize, &mut blocked);
                if !conn.is_null() {
                    check_blocked("s2n_recv", r, blocked);
                    assert!(r <= len as isize);
                } else {
                    check_int("s2n_recv", r as c_int);
                }
                clear_errno();
                let _ = s2n_peek(conn);
                check("s2n_peek", false);
            }
            14 => {
                let mut blocked = -5;
                let r = if input.byte().unwrap_or(0) & 1 == 0 {
                    s2n_shutdown(conn, &mut blocked)
                } else {
                    s2n_shutdown_send(conn, &mut blocked)
                };
                if !conn.is_null() {
                    check_blocked("s2n_shutdown", r as isize, blocked);
                } else {
                    check_int("s2n_shutdown", r);
                }
            }
            // The getters.
            15 => {
                let p = s2n_connection_get_cipher(conn);
                check("s2n_connection_get_cipher", p.is_null());
                clear_errno();
                let p = s2n_connection_get_handshake_type_name(conn);
                check("s2n_connection_get_handshake_type_name", p.is_null());
                for (what, v) in [
                    (
                        "actual_protocol_version",
                        s2n_connection_get_actual_protocol_version(conn),
                    ),
                    (
                        "client_protocol_version",
                        s2n_connection_get_client_protocol_version(conn),
                    ),
                    (
                        "server_protocol_version",
                        s2n_connection_get_server_protocol_version(conn),
                    ),
                ] {
                    assert!(v >= -1, "{what}: {v}");
                }
                check("protocol versions", false);
                clear_errno();
                let _ = s2n_connection_get_wire_bytes_in(conn);
                let _ = s2n_connection_get_wire_bytes_out(conn);
                check("wire bytes", false);
                clear_errno();
                check_int("s2n_connection_get_alert", s2n_connection_get_alert(conn));
                clear_errno();
                check_int(
                    "s2n_connection_is_session_resumed",
                    s2n_connection_is_session_resumed(conn),
                );
            }
            16 => {
                let len = s2n_connection_get_session_length(conn);
                check_int("s2n_connection_get_session_length", len);
                clear_errno();
                let max = match input.byte().unwrap_or(0) % 3 {
                    0 => usize::try_from(len).unwrap_or(0),
                    1 => usize::from(input.u16()).min(st.buf.len()),
                    _ => st.buf.len(),
                };
                let r = s2n_connection_get_session(conn, st.buf.as_mut_ptr(), max);
                check_int("s2n_connection_get_session", r);
                assert!(r <= max as c_int);
                clear_errno();
                check_int(
                    "s2n_connection_get_session_ticket_lifetime_hint",
                    s2n_connection_get_session_ticket_lifetime_hint(conn),
                );
                clear_errno();
                let n = s2n_connection_get_session_id_length(conn);
                check_int("s2n_connection_get_session_id_length", n);
                clear_errno();
                let r = s2n_connection_get_session_id(conn, st.buf.as_mut_ptr(), 32);
                check_int("s2n_connection_get_session_id", r);
                clear_errno();
                let mut sent = 0u16;
                check_int(
                    "s2n_connection_get_tickets_sent",
                    s2n_connection_get_tickets_sent(conn, &mut sent),
                );
            }
            // Config setters.
            17 => {
                let b = input.byte().unwrap_or(0);
                let name = if b & 0x80 != 0 {
                    c_string(input.bytes())
                } else {
                    POLICIES[usize::from(b) % POLICIES.len()].to_vec()
                };
                check_int(
                    "s2n_config_set_cipher_preferences",
                    s2n_config_set_cipher_preferences(config, name.as_ptr().cast()),
                );
            }
            18 => {
                let name = input.bytes().to_vec();
                let mut material = input.bytes().to_vec();
                let intro = match input.byte().unwrap_or(0) % 4 {
                    0 => 0,
                    1 => std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs()),
                    _ => input.u64(),
                };
                let name_ptr = if name.is_empty() && intro & 1 == 1 {
                    ptr::null()
                } else {
                    name.as_ptr()
                };
                check_int(
                    "s2n_config_add_ticket_crypto_key",
                    s2n_config_add_ticket_crypto_key(
                        config,
                        name_ptr,
                        name.len() as u32,
                        material.as_mut_ptr(),
                        material.len() as u32,
                        intro,
                    ),
                );
            }
            19 => {
                let secs = input.u64();
                let r = match input.byte().unwrap_or(0) % 4 {
                    0 => s2n_config_set_ticket_encrypt_decrypt_key_lifetime(config, secs),
                    1 => s2n_config_set_ticket_decrypt_key_lifetime(config, secs),
                    2 => s2n_config_set_session_state_lifetime(config, secs),
                    _ => s2n_connection_set_server_keying_material_lifetime(conn, secs as u32),
                };
                check_int("a lifetime", r);
            }
            20 => {
                let on = input.byte().unwrap_or(0);
                check_int(
                    "s2n_config_set_session_tickets_onoff",
                    s2n_config_set_session_tickets_onoff(config, on),
                );
            }
            21 => {
                let on = input.byte().unwrap_or(0);
                if on & 2 != 0 {
                    check_int(
                        "s2n_config_set_cache_store_callback",
                        s2n_config_set_cache_store_callback(
                            config,
                            Some(cache_store),
                            ptr::null_mut(),
                        ),
                    );
                    clear_errno();
                    check_int(
                        "s2n_config_set_cache_retrieve_callback",
                        s2n_config_set_cache_retrieve_callback(
                            config,
                            Some(cache_retrieve),
                            ptr::null_mut(),
                        ),
                    );
                    clear_errno();
                    check_int(
                        "s2n_config_set_cache_delete_callback",
                        s2n_config_set_cache_delete_callback(
                            config,
                            Some(cache_delete),
                            ptr::null_mut(),
                        ),
                    );
                    clear_errno();
                }
                check_int(
                    "s2n_config_set_session_cache_onoff",
                    s2n_config_set_session_cache_onoff(config, on & 1),
                );
            }
            22 => {
                let n = input.byte().unwrap_or(0);
                let r = if n & 1 == 0 {
                    s2n_config_set_initial_ticket_count(config, n >> 1)
                } else {
                    s2n_connection_add_new_tickets_to_send(conn, n >> 1)
                };
                check_int("ticket count", r);
            }
            // The server's certificate, or the client's trust in the test CA.
            23 => {
                let (chain, key, ca) = pems();
                let r = match input.byte().unwrap_or(0) % 3 {
                    0 => s2n_config_add_cert_chain_and_key(
                        config,
                        chain.as_ptr().cast(),
                        key.as_ptr().cast(),
                    ),
                    1 => s2n_config_add_pem_to_trust_store(config, ca.as_ptr().cast()),
                    _ => s2n_config_disable_x509_verification(config),
                };
                check_int("certificates", r);
            }
            24 => {
                let pem = c_string(input.bytes());
                let r = if input.byte().unwrap_or(0) & 1 == 0 {
                    s2n_config_add_pem_to_trust_store(config, pem.as_ptr().cast())
                } else {
                    let pair = s2n_cert_chain_and_key_new();
                    assert!(!pair.is_null());
                    let (chain, key, _) = pems();
                    let r = s2n_cert_chain_and_key_load_pem(
                        pair,
                        pem.as_ptr().cast(),
                        key.as_ptr().cast(),
                    );
                    check_int("s2n_cert_chain_and_key_load_pem", r);
                    clear_errno();
                    let r = s2n_cert_chain_and_key_load_pem(
                        pair,
                        chain.as_ptr().cast(),
                        key.as_ptr().cast(),
                    );
                    check_int("s2n_cert_chain_and_key_load_pem", r);
                    clear_errno();
                    let r = s2n_config_add_cert_chain_and_key_to_store(config, pair);
                    check_int("s2n_config_add_cert_chain_and_key_to_store", r);
                    clear_errno();
                    s2n_cert_chain_and_key_free(pair)
                };
                check_int("a PEM", r);
            }
            // A new config (the old one freed: the connection keeps its own).
            25 => {
                check_int("s2n_config_free", s2n_config_free(config));
                st.config = new_config();
            }
            // The last error's strings.
            26 => {
                let e = input.u16() as c_int;
                let e = if e & 1 == 0 { errno() } else { e >> 1 };
                let _ = cstr(s2n_strerror(e, ptr::null()));
                let _ = cstr(s2n_strerror(e, b"EN\0".as_ptr().cast()));
                let _ = cstr(s2n_strerror(e, b"xx\0".as_ptr().cast()));
                let _ = cstr(s2n_strerror_name(e));
                let _ = cstr(s2n_strerror_debug(e, ptr::null()));
                let _ = s2n_error_get_type(e);
            }
            27 => {
                let b = input.byte().unwrap_or(0);
                check_int(
                    "s2n_connection_set_blinding",
                    s2n_connection_set_blinding(conn, c_int::from(b % 3)),
                );
            }
            // A negotiate loop: up to 8 calls while blocked on read with bytes to read.
            _ => {
                for _ in 0..8 {
                    clear_errno();
                    let mut blocked = -5;
                    let r = s2n_negotiate(conn, &mut blocked);
                    if conn.is_null() {
                        check_int("s2n_negotiate", r);
                        break;
                    }
                    check_blocked("s2n_negotiate", r as isize, blocked);
                    if r == 0 || s2n_error_get_type(errno()) != S2N_ERR_T_BLOCKED {
                        break;
                    }
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| run(data));
