//! The exported functions for session resumption: ticket keys and lifetimes on the
//! config, ticket counts and keying material on the connection, and client sessions
//! (`struct s2n_session_ticket`).

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use super::boundary::{guard, try_mut, try_ref, try_slice, try_slice_mut};
use super::callbacks::CTicketCallback;
use super::handles::{
    query, s2n_config, s2n_connection, s2n_session_ticket, with_config, with_conn,
};
use super::S2N_SUCCESS;
use crate::error::{Error, ErrorCode, Result};
use crate::resumption::client::SessionTicketCallback;
use crate::resumption::seal::KEY_NAME_LEN;
use crate::resumption::session_bytes::MAX_SESSION_LEN;

const NANOS: u64 = 1_000_000_000;

/// The most ticket key material rs2n takes (s2n-tls takes any length): real keys
/// are tens of bytes, so a longer length is a mistake (a negative or garbage
/// value), refused before the buffer is read.
const MAX_TICKET_KEY_MATERIAL: u32 = 64 * 1024;

fn secs_to_nanos(secs: u64) -> u64 {
    secs.saturating_mul(NANOS)
}

/// Adds a session ticket key to a server config: `name` (1 to 16 bytes, zero-padded
/// to 16) is sent in the clear in each ticket; `key` (any length > 0, e.g. 32
/// random bytes) is the secret the ticket key is derived from with HKDF-SHA256;
/// `intro_time_in_seconds_from_epoch` is when the key starts being used (0: now on
/// the config's wall clock). May be called at any time, from any thread, while
/// connections use the config. Servers given the same name and key accept each
/// other's tickets. Add a new key every half encrypt-decrypt lifetime.
///
/// Each ticket (and each value given to the session cache) is sealed with
/// AES-256-GCM under a key of its own, derived from this key and random bytes
/// carried in the ticket.
///
/// Expired keys are dropped (and wiped) whenever a key is added.
///
/// Errors (S2N_ERR_T_USAGE): NULL arguments; an empty key, or one over 64 KiB
/// (S2N_ERR_INVALID_TICKET_KEY_LENGTH); a name that is empty, longer than 16 bytes
/// or already used (S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH); key material
/// already used under another name (S2N_ERR_TICKET_KEY_NOT_UNIQUE); 48 unexpired
/// keys already (S2N_ERR_TICKET_KEY_LIMIT); an intro time after 18441560073 s
/// (year 2554: too large to count in nanoseconds with the key's lifetimes at their
/// longest); a key that has already expired: intro time + encrypt-decrypt
/// lifetime + decrypt-only lifetime at or before now (both
/// S2N_ERR_INVALID_ARGUMENT).
///
/// Differs from s2n-tls: s2n-tls silently ignores keys added while session tickets
/// and the session cache are both off; rs2n keeps them. s2n-tls takes key material
/// of any length; rs2n refuses more than 64 KiB (a garbage length, not a key)
/// without reading it. s2n-tls accepts an already-expired key and never uses it,
/// and wraps an intro time too large around; rs2n refuses both, so the mistake shows.
#[no_mangle]
pub extern "C" fn s2n_config_add_ticket_crypto_key(
    config: *mut s2n_config,
    name: *const u8,
    name_len: u32,
    key: *mut u8,
    key_len: u32,
    intro_time_in_seconds_from_epoch: u64,
) -> c_int {
    with_config(config, |c| {
        if name.is_null() {
            return Err(Error::null("name"));
        }
        if key.is_null() {
            return Err(Error::null("key"));
        }
        if key_len > MAX_TICKET_KEY_MATERIAL {
            return Err(Error::new(
                ErrorCode::InvalidTicketKeyLength,
                format!("key_len is {key_len} bytes; rs2n takes at most {MAX_TICKET_KEY_MATERIAL} bytes of ticket key material"),
            ));
        }
        // A name over 16 bytes is refused by the key store, which needs only 17 of
        // them to see it: the rest of a garbage length is never touched.
        let name_view = name_len.min(KEY_NAME_LEN as u32 + 1);
        // SAFETY: non-NULL and valid for the given lengths by the API's contract.
        let name_bytes = unsafe { try_slice(name, name_view as usize, "name") }?;
        // SAFETY: as above.
        let key = unsafe { try_slice(key, key_len as usize, "key") }?;
        c.add_ticket_key(name_bytes, key, intro_time_in_seconds_from_epoch)
            .map_err(|e| match e.code {
                ErrorCode::InvalidTicketKeyName if name_len != name_view => Error::new(
                    e.code,
                    format!(
                        "ticket key name_len is {name_len} bytes; it must be 1 to {KEY_NAME_LEN}"
                    ),
                ),
                _ => e,
            })
    })
}

/// How long a ticket key encrypts and decrypts after its intro time. Default 2
/// hours; at most 30 days (2592000 s). 0 is accepted (as in s2n-tls) and means
/// keys never encrypt.
///
/// Errors: NULL config; more than 30 days (S2N_ERR_INVALID_ARGUMENT; the lifetime
/// is unchanged).
///
/// Differs from s2n-tls, which accepts any value: rs2n bounds it so that no key
/// seals tickets forever.
#[no_mangle]
pub extern "C" fn s2n_config_set_ticket_encrypt_decrypt_key_lifetime(
    config: *mut s2n_config,
    lifetime_in_secs: u64,
) -> c_int {
    with_config(config, |c| {
        c.ticket_keys()
            .set_encrypt_decrypt_lifetime(lifetime_in_secs)
    })
}

/// How long a ticket key still decrypts after it stops encrypting, so tickets it
/// sealed near the end of its encrypt-decrypt window still resume. Default 13
/// hours; at most 30 days (2592000 s).
///
/// Errors: NULL config; more than 30 days (S2N_ERR_INVALID_ARGUMENT; the lifetime
/// is unchanged).
///
/// Differs from s2n-tls, which accepts any value: rs2n bounds it so that no key
/// opens tickets forever.
#[no_mangle]
pub extern "C" fn s2n_config_set_ticket_decrypt_key_lifetime(
    config: *mut s2n_config,
    lifetime_in_secs: u64,
) -> c_int {
    with_config(config, |c| {
        c.ticket_keys().set_decrypt_only_lifetime(lifetime_in_secs)
    })
}

/// How long after a ticket was issued its session may be resumed (TLS1.2 and
/// TLS1.3). Bounds the ticket lifetime hint. Default 15 hours.
#[no_mangle]
pub extern "C" fn s2n_config_set_session_state_lifetime(
    config: *mut s2n_config,
    lifetime_in_secs: u64,
) -> c_int {
    with_config(config, |c| {
        c.set_lifetimes(|l| l.session_state = secs_to_nanos(lifetime_in_secs));
        Ok(())
    })
}

/// Turns stateless session resumption on (1) or off (0). A server then issues
/// tickets sealed with its ticket keys (it needs at least one that can encrypt)
/// and resumes sessions from them; a client asks for tickets and reports them to
/// the session ticket callback. Default off.
#[no_mangle]
pub extern "C" fn s2n_config_set_session_tickets_onoff(
    config: *mut s2n_config,
    enabled: u8,
) -> c_int {
    with_config(config, |c| c.set_session_tickets(enabled != 0))
}

/// Refuses TLS1.2 tickets, since a TLS1.2 ticket holds the session's master
/// secret and is not forward secret: a server issues none and accepts none; a
/// client, as s2n-tls's, neither asks for one (no session_ticket extension, so
/// its ticket callback gets no TLS1.2 ticket) nor accepts one, and a TLS1.2
/// ticket session set on it gives a full handshake. TLS1.2 session IDs and
/// TLS1.3 tickets are unaffected (every rs2n TLS1.3 resumption uses a fresh
/// (EC)DHE exchange). Default off.
#[no_mangle]
pub extern "C" fn s2n_config_require_ticket_forward_secrecy(
    config: *mut s2n_config,
    enabled: bool,
) -> c_int {
    with_config(config, |c| c.require_ticket_forward_secrecy(enabled))
}

/// How many TLS1.3 tickets a server sends after each handshake. Default 1.
/// Also turns session tickets on, as in s2n-tls.
///
/// Bound: rustls sends all of a handshake's tickets in one flight, and a client
/// built on rustls (an rs2n client included) holds at most 64 KiB of it, about
/// 250 to 300 tickets depending on their size. A larger flight makes such a client
/// fail with S2N_ERR_BAD_MESSAGE (S2N_ERR_T_PROTO) after the handshake, having
/// reported the tickets that fit to its session ticket callback. Keep the count
/// (with `s2n_connection_add_new_tickets_to_send`) well below 250.
#[no_mangle]
pub extern "C" fn s2n_config_set_initial_ticket_count(config: *mut s2n_config, num: u8) -> c_int {
    with_config(config, |c| c.set_initial_ticket_count(num))
}

/// Sends `num` more TLS1.3 tickets on this connection.
///
/// Differs from s2n-tls: rustls sends tickets only with the handshake and fixes
/// their number when it reads the ClientHello, so rs2n accepts this call only
/// before `s2n_negotiate` is first called (later: S2N_ERR_INVALID_STATE). The
/// tickets go out in the same flight as the config's initial count: see the
/// bound on `s2n_config_set_initial_ticket_count` (about 250 in all).
#[no_mangle]
pub extern "C" fn s2n_connection_add_new_tickets_to_send(
    conn: *mut s2n_connection,
    num: u8,
) -> c_int {
    with_conn(conn, |c| c.core.add_new_tickets(num))
}

/// How many tickets this server connection has sent.
///
/// Errors: NULL arguments; a client connection (S2N_ERR_CLIENT_MODE).
#[no_mangle]
pub extern "C" fn s2n_connection_get_tickets_sent(
    conn: *mut s2n_connection,
    num: *mut u16,
) -> c_int {
    with_conn(conn, |c| {
        // SAFETY: NULL or a valid out-pointer.
        let out = unsafe { try_mut(num, "num") }?;
        *out = c.core.tickets_sent()?;
        Ok(())
    })
}

/// Limits how long sessions descended from this connection's full handshake may
/// keep resuming, through any chain of TLS1.3 resumptions: tickets issued later
/// never outlive it, and their lifetime hints never promise more than is left.
/// Default one week. TLS1.2 sessions are limited by the ticket key lifetimes.
#[no_mangle]
pub extern "C" fn s2n_connection_set_server_keying_material_lifetime(
    conn: *mut s2n_connection,
    lifetime_in_secs: u32,
) -> c_int {
    with_conn(conn, |c| {
        c.core.set_keying_material_lifetime(lifetime_in_secs);
        Ok(())
    })
}

/// Called on a client once for each session ticket it receives (TLS1.2 during the
/// handshake; TLS1.3 after it, while `s2n_recv` reads). Return S2N_SUCCESS (any
/// value >= 0); a negative value fails the connection (S2N_ERR_CANCELLED).
pub type s2n_session_ticket_fn = Option<
    unsafe extern "C" fn(
        conn: *mut s2n_connection,
        ctx: *mut c_void,
        ticket: *mut s2n_session_ticket,
    ) -> c_int,
>;

/// Sets the client's session ticket callback and its context; NULL unsets it.
/// Needs session tickets on (`s2n_config_set_session_tickets_onoff`). The
/// callback runs while the connection is busy: it may read the ticket and
/// `s2n_connection_get_ctx`, but other calls on that connection fail with
/// S2N_ERR_CONNECTION_IN_USE (free and wipe included). No lock is held while it
/// runs: it may change the config and use other connections.
#[no_mangle]
pub extern "C" fn s2n_config_set_session_ticket_cb(
    config: *mut s2n_config,
    callback: s2n_session_ticket_fn,
    ctx: *mut c_void,
) -> c_int {
    with_config(config, |c| {
        let callback: Option<Arc<dyn SessionTicketCallback>> = match callback {
            Some(f) => Some(Arc::new(CTicketCallback { f, ctx })),
            None => None,
        };
        c.set_ticket_callback(callback)
    })
}

/// The length of the ticket's session data (what `s2n_session_ticket_get_data`
/// writes).
#[no_mangle]
pub extern "C" fn s2n_session_ticket_get_data_len(
    ticket: *mut s2n_session_ticket,
    data_len: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or valid pointers.
        let t = unsafe { try_ref(ticket, "ticket") }?;
        // SAFETY: as above.
        let out = unsafe { try_mut(data_len, "data_len") }?;
        *out = t.info.bytes.len();
        Ok(S2N_SUCCESS)
    })
}

/// Copies the ticket's session data: the bytes to pass to
/// `s2n_connection_set_session` to resume this session.
///
/// Errors: NULL arguments; `max_data_len` too small
/// (S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG).
#[no_mangle]
pub extern "C" fn s2n_session_ticket_get_data(
    ticket: *mut s2n_session_ticket,
    max_data_len: usize,
    data: *mut u8,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or valid pointers; `data` is valid for `max_data_len` bytes.
        let t = unsafe { try_ref(ticket, "ticket") }?;
        if data.is_null() {
            return Err(Error::null("data"));
        }
        copy_out(&t.info.bytes, data, max_data_len)?;
        Ok(S2N_SUCCESS)
    })
}

/// The ticket's lifetime hint, in seconds, as the server sent it.
#[no_mangle]
pub extern "C" fn s2n_session_ticket_get_lifetime(
    ticket: *mut s2n_session_ticket,
    session_lifetime: *mut u32,
) -> c_int {
    guard(|| {
        // SAFETY: NULL or valid pointers.
        let t = unsafe { try_ref(ticket, "ticket") }?;
        // SAFETY: as above.
        let out = unsafe { try_mut(session_lifetime, "session_lifetime") }?;
        *out = t.info.lifetime();
        Ok(S2N_SUCCESS)
    })
}

fn copy_out(bytes: &[u8], data: *mut u8, max: usize) -> Result<usize> {
    if bytes.len() > max {
        return Err(Error::new(
            ErrorCode::SerializedSessionTooLong,
            format!(
                "the session is {} bytes; the buffer holds {max}",
                bytes.len()
            ),
        ));
    }
    // SAFETY: `data` is valid for `max` >= bytes.len() bytes by the caller's contract.
    let out = unsafe { try_slice_mut(data, bytes.len(), "session") }?;
    out.copy_from_slice(bytes);
    Ok(bytes.len())
}

/// Offers a saved session (from `s2n_connection_get_session` or a ticket
/// callback) on this client connection's next handshake.
///
/// What resumes in rs2n: sessions saved by this process, on a connection whose
/// config has the same trust settings (roots, verification on or off) and the same
/// server name as the connection that received them, while the server accepts
/// them. Both TLS1.2 and TLS1.3 bytes can be offered again and again. TLS1.3 bytes
/// name a session line: each offer takes the line's newest ticket (a ticket
/// resumes once in rustls), and the tickets the server sends on that connection
/// join the line; a line runs dry, and the next offer is a full handshake whose
/// tickets refill it, when a server sends no ticket after a resumption. Two
/// connections offering the last ticket at once: one resumes, the other has a full
/// handshake. rustls cannot import a session from elsewhere, so bytes saved by
/// another process, before a restart, or by s2n-tls are accepted and give a full
/// handshake. Malformed bytes are rejected, and so are this process's bytes if
/// altered (they are authenticated with a key random per process; an altered
/// process tag reads as another process's bytes: a full handshake); rejected bytes
/// use up nothing.
///
/// Errors: NULL arguments; bytes that are no session, a `length` longer than any,
/// or this process's bytes altered or forged
/// (S2N_ERR_INVALID_SERIALIZED_SESSION_STATE); a server connection; the handshake
/// has started. The connection stays usable for a full handshake.
#[no_mangle]
pub extern "C" fn s2n_connection_set_session(
    conn: *mut s2n_connection,
    session: *const u8,
    length: usize,
) -> c_int {
    with_conn(conn, |c| {
        if session.is_null() {
            return Err(Error::null("session"));
        }
        // Longer than any rs2n session: refused before a slice of a length that may
        // be garbage is made.
        if length > MAX_SESSION_LEN {
            return Err(Error::new(
                ErrorCode::InvalidSerializedSession,
                format!("the session length is {length} bytes; an rs2n session is at most {MAX_SESSION_LEN}"),
            ));
        }
        // SAFETY: valid for `length` bytes by the API's contract.
        let bytes = unsafe { try_slice(session, length, "session") }?;
        c.core.set_session(bytes)
    })
}

/// Copies the connection's current session, to resume it later with
/// `s2n_connection_set_session` (a buffer of `s2n_connection_get_session_length`
/// bytes holds it). The bytes start as s2n-tls's do: kind (1: with a ticket, then
/// its 2-byte length and the ticket; 0: with a session ID, then its 1-byte length
/// and the ID), s2n's state format (2 for TLS1.3, 4 for TLS1.2), protocol, cipher
/// suite (2), time saved (8, wall clock nanoseconds). A TLS1.3 ticket is left out
/// (length 0) and its lifetime is 0 here: rustls exposes neither (reading them
/// from its `Debug` form costs ~4 µs per ticket; the lifetime getters do it when
/// asked). Where s2n-tls continues with
/// the session's secrets, rs2n's last 77 bytes name the session this process keeps:
/// "RS2N", format 3, process tag (16), random handle (16), lifetime hint (4),
/// maximum early data (4), HMAC-SHA256 of all before (32).
///
/// This process keeps at most 16,384 TLS1.3 tickets and TLS1.2 sessions. When a
/// new one arrives and there is no room, those past their lifetime go first, and
/// only then the least recently renewed: a saved session stops resuming early only
/// after 16,384 newer unexpired ones arrived. A TLS1.3 ticket's lifetime counts
/// as 7 days (the most rustls allows) until it is read.
///
/// After a TLS1.2 full handshake without a ticket, the session is the session-ID
/// state, as in s2n-tls, when the server sent a session ID (an s2n-tls server
/// sends one even with no cache): offered, it resumes if the server kept it,
/// else the handshake is a full one. A server that sent neither a ticket nor a
/// session ID (rustls, rs2n or OpenSSL without tickets or a session cache) left
/// nothing to resume: no session (0), as s2n-tls's client returns.
///
/// @returns The number of bytes written; 0 when there is no session yet (a TLS1.3
/// client has one only once `s2n_recv` has read a ticket) or none to resume.
///
/// Errors: NULL arguments; `max_length` too small
/// (S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG).
#[no_mangle]
pub extern "C" fn s2n_connection_get_session(
    conn: *mut s2n_connection,
    session: *mut u8,
    max_length: usize,
) -> c_int {
    query(conn, |c| {
        if session.is_null() {
            return Err(Error::null("session"));
        }
        c.core.with_session(|s| match s {
            Some(s) => Ok(copy_out(&s.bytes, session, max_length)? as c_int),
            None => Ok(0),
        })
    })
}

/// The length of what `s2n_connection_get_session` would write; 0 if no session.
#[no_mangle]
pub extern "C" fn s2n_connection_get_session_length(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| {
        Ok(c.core
            .with_session(|s| s.map_or(0, |s| s.bytes.len() as c_int)))
    })
}

/// The lifetime hint, in seconds, of the last ticket this client received.
///
/// Errors: no ticket received (S2N_ERR_SESSION_TICKET_NOT_SUPPORTED).
#[no_mangle]
pub extern "C" fn s2n_connection_get_session_ticket_lifetime_hint(
    conn: *mut s2n_connection,
) -> c_int {
    query(
        conn,
        |c| Ok(c.core.session_ticket_lifetime_hint()? as c_int),
    )
}

/// 1 if the handshake resumed a session (by ticket or session ID), else 0. 0 for a
/// NULL conn.
#[no_mangle]
pub extern "C" fn s2n_connection_is_session_resumed(conn: *mut s2n_connection) -> c_int {
    if conn.is_null() {
        return 0;
    }
    query(conn, |c| Ok(c_int::from(c.core.is_resumed())))
}

fn visible_session_id(c: &crate::connection::Connection) -> Vec<u8> {
    // As in s2n-tls, TLS1.3 has no session ID of its own (the ServerHello's is a
    // compatibility echo); an rs2n server with the session cache on reports the
    // cache key of its TLS1.3 session instead.
    if c.actual_protocol_version() >= crate::policy::S2N_TLS13 {
        return c.cached_session_key().unwrap_or_default();
    }
    c.session_id().to_vec()
}

/// The length of the TLS1.2 session ID the server chose (0 before the ServerHello,
/// and for TLS1.3 unless the server cached the session: then its 48-byte cache key).
#[no_mangle]
pub extern "C" fn s2n_connection_get_session_id_length(conn: *mut s2n_connection) -> c_int {
    query(conn, |c| Ok(visible_session_id(&c.core).len() as c_int))
}

/// Copies the session ID (see `s2n_connection_get_session_id_length`).
///
/// @returns The number of bytes written.
/// Errors: NULL arguments; `max_length` too small (S2N_ERR_SESSION_ID_TOO_LONG).
#[no_mangle]
pub extern "C" fn s2n_connection_get_session_id(
    conn: *mut s2n_connection,
    session_id: *mut u8,
    max_length: usize,
) -> c_int {
    query(conn, |c| {
        if session_id.is_null() {
            return Err(Error::null("session_id"));
        }
        let id = visible_session_id(&c.core);
        if id.len() > max_length {
            return Err(Error::new(
                ErrorCode::SessionIdTooLong,
                format!(
                    "the session ID is {} bytes; the buffer holds {max_length}",
                    id.len()
                ),
            ));
        }
        // SAFETY: valid for `max_length` >= id.len() bytes.
        let out = unsafe { try_slice_mut(session_id, id.len(), "session_id") }?;
        out.copy_from_slice(&id);
        Ok(id.len() as c_int)
    })
}
