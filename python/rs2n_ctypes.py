"""ctypes declarations for rs2n (librs2n.so), the s2n-tls C API on rustls.

Standard library only. Copy this file into a project, then:

    import ctypes
    import rs2n_ctypes as s2n

    lib = s2n.load()                      # or s2n.load("/path/to/librs2n.so")
    config = lib.s2n_config_new_minimal()
    if lib.s2n_config_set_cipher_preferences(config, b"default_tls13") != s2n.S2N_SUCCESS:
        raise s2n.last_error(lib)         # an S2NError with type, name and message
    conn = lib.s2n_connection_new(s2n.S2N_CLIENT)
    blocked = ctypes.c_int(s2n.S2N_NOT_BLOCKED)
    lib.s2n_negotiate(conn, ctypes.byref(blocked))

Every function of include/s2n.h and of the unstable headers rs2n ships
(include/s2n/unstable/*.h) is declared (``argtypes`` and ``restype``) as
the header says, so ctypes converts arguments and results correctly:

  * opaque ``struct s2n_config *``, ``struct s2n_connection *``,
    ``struct s2n_cert_chain_and_key *``, ``struct s2n_session_ticket *``:
    ``c_void_p`` (Python sees an int, or None for NULL);
  * ``const char *``: ``c_char_p`` (pass bytes; results come back as bytes);
  * ``s2n_blocked_status *``: ``POINTER(c_int)`` (pass ``byref(c_int())``);
  * ``ssize_t``: ``c_ssize_t`` (``s2n_send``, ``s2n_recv``);
  * ``uint8_t`` / ``uint16_t *`` / ``uint32_t`` / ``uint64_t`` / ``size_t`` /
    ``bool``: ``c_uint8`` / ``POINTER(c_uint16)`` / ``c_uint32`` /
    ``c_uint64`` / ``c_size_t`` / ``c_bool``;
  * ``uint8_t *`` buffers: ``POINTER(c_uint8)``; build one with
    ``u8_buffer(data_or_size)``;
  * ``s2n_errno_location()`` returns ``POINTER(c_int)``: the calling thread's
    error is ``lib.s2n_errno_location()[0]`` (``errno()`` below). It is
    per-thread: read it on the thread whose call failed.
  * callback typedefs are ``CFUNCTYPE`` classes below (``s2n_recv_fn``,
    ``s2n_session_ticket_fn``, ...). Keep a reference to every callback object
    for as long as the library may call it, or the process crashes.

ctypes releases the GIL during each call, so connections may be driven from
several Python threads (one call at a time per connection: rs2n refuses a
concurrent call on the same connection with S2N_ERR_CONNECTION_IN_USE).

Load rs2n once per process. ``load()`` caches the library and calls
``s2n_init()`` once (a second ``s2n_init()`` fails with S2N_ERR_T_USAGE, as in
s2n-tls). Do not load a second copy of the library from another path: it would
have its own state, and sessions saved through one copy would not resume
through the other.

Client sessions: the bytes ``s2n_connection_get_session()`` (or a session
ticket callback) gives resume only within the process that received them.
rustls cannot export a client session, so rs2n's session bytes are an opaque
reference to the session held inside this process; bytes saved by another
process or before a restart are accepted by ``s2n_connection_set_session()``
but give a full handshake (an rs2n limitation, see "Client sessions: what
resumes and what does not" in the README). TLS1.3 bytes name a line of tickets:
offered again, they resume with a fresh ticket while the server sends new ones. Servers have no such limit: tickets
sealed with shared ticket keys resume across processes.
"""

import ctypes
import ctypes.util
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_bool, c_char_p, c_int,
                    c_size_t, c_ssize_t, c_uint8, c_uint16, c_uint32, c_uint64,
                    c_void_p)

__all__ = [
    "load", "declare", "errno", "last_error", "check", "S2NError",
    "u8_buffer", "FUNCTIONS",
]

# ---------------------------------------------------------------------------
# Constants (include/s2n.h)
# ---------------------------------------------------------------------------
S2N_SUCCESS = 0
S2N_FAILURE = -1
S2N_CALLBACK_BLOCKED = -2

S2N_SSLv2 = 20
S2N_SSLv3 = 30
S2N_TLS10 = 31
S2N_TLS11 = 32
S2N_TLS12 = 33
S2N_TLS13 = 34
S2N_UNKNOWN_PROTOCOL_VERSION = 0

# s2n_mode
S2N_SERVER = 0
S2N_CLIENT = 1

# s2n_blocked_status
S2N_NOT_BLOCKED = 0
S2N_BLOCKED_ON_READ = 1
S2N_BLOCKED_ON_WRITE = 2
S2N_BLOCKED_ON_APPLICATION_INPUT = 3
S2N_BLOCKED_ON_EARLY_DATA = 4

# s2n_error_type
S2N_ERR_T_OK = 0
S2N_ERR_T_IO = 1
S2N_ERR_T_CLOSED = 2
S2N_ERR_T_BLOCKED = 3
S2N_ERR_T_ALERT = 4
S2N_ERR_T_PROTO = 5
S2N_ERR_T_INTERNAL = 6
S2N_ERR_T_USAGE = 7

ERROR_TYPE_NAMES = {
    S2N_ERR_T_OK: "S2N_ERR_T_OK",
    S2N_ERR_T_IO: "S2N_ERR_T_IO",
    S2N_ERR_T_CLOSED: "S2N_ERR_T_CLOSED",
    S2N_ERR_T_BLOCKED: "S2N_ERR_T_BLOCKED",
    S2N_ERR_T_ALERT: "S2N_ERR_T_ALERT",
    S2N_ERR_T_PROTO: "S2N_ERR_T_PROTO",
    S2N_ERR_T_INTERNAL: "S2N_ERR_T_INTERNAL",
    S2N_ERR_T_USAGE: "S2N_ERR_T_USAGE",
}

# s2n_blinding
S2N_BUILT_IN_BLINDING = 0
S2N_SELF_SERVICE_BLINDING = 1

# s2n_peer_key_update
S2N_KEY_UPDATE_NOT_REQUESTED = 0
S2N_KEY_UPDATE_REQUESTED = 1

# s2n_max_frag_len
S2N_TLS_MAX_FRAG_LEN_512 = 1
S2N_TLS_MAX_FRAG_LEN_1024 = 2
S2N_TLS_MAX_FRAG_LEN_2048 = 3
S2N_TLS_MAX_FRAG_LEN_4096 = 4

# s2n_alert_behavior
S2N_ALERT_FAIL_ON_WARNINGS = 0
S2N_ALERT_IGNORE_WARNINGS = 1
# s2n_cert_auth_type
S2N_CERT_AUTH_NONE = 0
S2N_CERT_AUTH_REQUIRED = 1
S2N_CERT_AUTH_OPTIONAL = 2

# s2n_tls_signature_algorithm
S2N_TLS_SIGNATURE_ANONYMOUS = 0
S2N_TLS_SIGNATURE_RSA = 1
S2N_TLS_SIGNATURE_ECDSA = 3
S2N_TLS_SIGNATURE_MLDSA = 9
S2N_TLS_SIGNATURE_RSA_PSS_RSAE = 224
S2N_TLS_SIGNATURE_RSA_PSS_PSS = 225

# s2n_tls_hash_algorithm
S2N_TLS_HASH_NONE = 0
S2N_TLS_HASH_MD5 = 1
S2N_TLS_HASH_SHA1 = 2
S2N_TLS_HASH_SHA224 = 3
S2N_TLS_HASH_SHA256 = 4
S2N_TLS_HASH_SHA384 = 5
S2N_TLS_HASH_SHA512 = 6
S2N_TLS_HASH_MD5_SHA1 = 224

S2N_CACHE_TTL_SECS = 6 * 3600
MAX_CACHED_VALUE = 16 * 1024

# ---------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------
# Opaque structs: only ever handled through pointers.
s2n_config_p = c_void_p
s2n_connection_p = c_void_p
s2n_cert_chain_and_key_p = c_void_p
s2n_session_ticket_p = c_void_p
s2n_cert_p = c_void_p

# s2n's enums (C enums, int-sized)
s2n_mode = c_int
s2n_fips_mode = c_int
s2n_blinding = c_int
s2n_peer_key_update = c_int
s2n_max_frag_len = c_int
s2n_alert_behavior = c_int
s2n_blocked_status = c_int
s2n_error_type = c_int
s2n_tls_signature_algorithm = c_int
s2n_tls_hash_algorithm = c_int
s2n_cert_sni_match = c_int
s2n_cert_auth_type = c_int
s2n_status_request_type = c_int
s2n_ct_support_level = c_int
s2n_tls_extension_type = c_int
s2n_tls_signature_algorithm = c_int
s2n_tls_hash_algorithm = c_int

# Callback typedefs. Keep the objects alive while the library may call them.
# int (*)(struct s2n_connection *, void *ctx, uint64_t ttl, const void *key,
#         uint64_t key_size, const void *value, uint64_t value_size)
s2n_cache_store_callback = CFUNCTYPE(c_int, c_void_p, c_void_p, c_uint64,
                                     c_void_p, c_uint64, c_void_p, c_uint64)
# int (*)(struct s2n_connection *, void *ctx, const void *key, uint64_t key_size,
#         void *value, uint64_t *value_size)
s2n_cache_retrieve_callback = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p,
                                        c_uint64, c_void_p, POINTER(c_uint64))
# int (*)(struct s2n_connection *, void *ctx, const void *key, uint64_t key_size)
s2n_cache_delete_callback = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p, c_uint64)
# int (*)(void *ctx, uint64_t *nanoseconds)
s2n_clock_time_nanoseconds = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint64))
# int (*)(void *io_context, uint8_t *buf, uint32_t len)
s2n_recv_fn = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_uint32)
# int (*)(void *io_context, const uint8_t *buf, uint32_t len)
s2n_send_fn = CFUNCTYPE(c_int, c_void_p, POINTER(c_uint8), c_uint32)
# int (*)(struct s2n_connection *, void *ctx, struct s2n_session_ticket *)
s2n_session_ticket_fn = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
# uint8_t (*)(const char *host_name, size_t host_name_len, void *data)
s2n_verify_host_fn = CFUNCTYPE(c_uint8, c_void_p, c_size_t, c_void_p)
# int (*)(struct s2n_connection *, struct s2n_offered_early_data *)
s2n_early_data_cb = CFUNCTYPE(c_int, c_void_p, c_void_p)
# int (*)(void *ctx, struct s2n_connection *, uint8_t *logline, size_t len)
s2n_key_log_fn = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_uint8), c_size_t)
# int s2n_client_hello_fn(struct s2n_connection *conn, void *ctx)
s2n_client_hello_fn = CFUNCTYPE(c_int, c_void_p, c_void_p)
s2n_client_hello_p = c_void_p
s2n_client_hello_cb_mode = c_int
s2n_tls_extension_type = c_int

# Memory and random callbacks: int (*)(void); int (*)(void **ptr, uint32_t
# requested, uint32_t *allocated); int (*)(void *ptr, uint32_t size); the random
# ones (ignored, as in s2n-tls) int (*)(void) and int (*)(void *data, uint32_t size).
s2n_mem_init_callback = CFUNCTYPE(c_int)
s2n_mem_cleanup_callback = CFUNCTYPE(c_int)
s2n_mem_malloc_callback = CFUNCTYPE(c_int, POINTER(c_void_p), c_uint32, POINTER(c_uint32))
s2n_mem_free_callback = CFUNCTYPE(c_int, c_void_p, c_uint32)
s2n_rand_init_callback = CFUNCTYPE(c_int)
s2n_rand_cleanup_callback = CFUNCTYPE(c_int)
s2n_rand_seed_callback = CFUNCTYPE(c_int, c_void_p, c_uint32)
s2n_rand_mix_callback = CFUNCTYPE(c_int, c_void_p, c_uint32)


class iovec(Structure):
    """struct iovec of <sys/uio.h>, for s2n_sendv and s2n_sendv_with_offset."""
    _fields_ = [("iov_base", c_void_p), ("iov_len", c_size_t)]

# struct s2n_cert_chain_and_key *(*)(struct s2n_cert_chain_and_key *,
#     struct s2n_cert_chain_and_key *, uint8_t *name, uint32_t name_len)
s2n_cert_tiebreak_callback = CFUNCTYPE(c_void_p, c_void_p, c_void_p, POINTER(c_uint8), c_uint32)

# int (*)(struct s2n_connection *, struct s2n_async_pkey_op *)
s2n_async_pkey_fn = CFUNCTYPE(c_int, c_void_p, c_void_p)

_blocked_p = POINTER(s2n_blocked_status)
# struct s2n_connection *, void *context, struct s2n_offered_psk_list *
s2n_psk_selection_callback = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
# s2n/unstable/renegotiate.h: int (*)(struct s2n_connection *, void *, s2n_renegotiate_response *)
s2n_renegotiate_request_cb = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_int))
_u8_p = POINTER(c_uint8)

# ---------------------------------------------------------------------------
# Functions: name -> (restype, [argtypes]), in the header's order.
# ---------------------------------------------------------------------------
FUNCTIONS = {
    # session cache
    "s2n_config_set_cache_store_callback": (c_int, [s2n_config_p, s2n_cache_store_callback, c_void_p]),
    "s2n_config_set_cache_retrieve_callback": (c_int, [s2n_config_p, s2n_cache_retrieve_callback, c_void_p]),
    "s2n_config_set_cache_delete_callback": (c_int, [s2n_config_p, s2n_cache_delete_callback, c_void_p]),
    "s2n_config_set_session_cache_onoff": (c_int, [s2n_config_p, c_uint8]),
    # certificates
    "s2n_cert_chain_and_key_new": (s2n_cert_chain_and_key_p, []),
    "s2n_cert_chain_and_key_load_pem": (c_int, [s2n_cert_chain_and_key_p, c_char_p, c_char_p]),
    "s2n_cert_chain_and_key_free": (c_int, [s2n_cert_chain_and_key_p]),
    "s2n_cert_chain_and_key_load_pem_bytes": (c_int, [s2n_cert_chain_and_key_p, _u8_p, c_uint32, _u8_p, c_uint32]),
    "s2n_cert_chain_and_key_load_public_pem_bytes": (c_int, [s2n_cert_chain_and_key_p, _u8_p, c_uint32]),
    "s2n_cert_chain_and_key_set_ctx": (c_int, [s2n_cert_chain_and_key_p, c_void_p]),
    "s2n_cert_chain_and_key_get_ctx": (c_void_p, [s2n_cert_chain_and_key_p]),
    "s2n_cert_chain_and_key_get_private_key": (c_void_p, [s2n_cert_chain_and_key_p]),
    "s2n_cert_chain_get_length": (c_int, [s2n_cert_chain_and_key_p, POINTER(c_uint32)]),
    "s2n_cert_chain_get_cert": (c_int, [s2n_cert_chain_and_key_p, POINTER(s2n_cert_p), c_uint32]),
    "s2n_cert_get_der": (c_int, [s2n_cert_p, POINTER(_u8_p), POINTER(c_uint32)]),
    "s2n_cert_get_x509_extension_value_length": (c_int, [s2n_cert_p, _u8_p, POINTER(c_uint32)]),
    "s2n_cert_get_x509_extension_value": (c_int, [s2n_cert_p, _u8_p, _u8_p, POINTER(c_uint32), POINTER(c_bool)]),
    "s2n_cert_get_utf8_string_from_extension_data_length": (c_int, [_u8_p, c_uint32, POINTER(c_uint32)]),
    "s2n_cert_get_utf8_string_from_extension_data": (c_int, [_u8_p, c_uint32, _u8_p, POINTER(c_uint32)]),
    "s2n_config_free_cert_chain_and_key": (c_int, [s2n_config_p]),
    "s2n_config_set_cert_chain_and_key_defaults": (c_int, [s2n_config_p, POINTER(s2n_cert_chain_and_key_p), c_uint32]),
    "s2n_config_set_cert_tiebreak_callback": (c_int, [s2n_config_p, s2n_cert_tiebreak_callback]),
    "s2n_config_get_supported_groups": (c_int, [s2n_config_p, POINTER(c_uint16), c_uint16, POINTER(c_uint16)]),
    # config
    "s2n_config_new": (s2n_config_p, []),
    "s2n_config_new_minimal": (s2n_config_p, []),
    "s2n_config_free": (c_int, [s2n_config_p]),
    "s2n_config_set_cipher_preferences": (c_int, [s2n_config_p, c_char_p]),
    "s2n_config_set_ctx": (c_int, [s2n_config_p, c_void_p]),
    "s2n_config_get_ctx": (c_int, [s2n_config_p, POINTER(c_void_p)]),
    "s2n_config_set_wall_clock": (c_int, [s2n_config_p, s2n_clock_time_nanoseconds, c_void_p]),
    "s2n_config_set_monotonic_clock": (c_int, [s2n_config_p, s2n_clock_time_nanoseconds, c_void_p]),
    "s2n_config_add_cert_chain_and_key_to_store": (c_int, [s2n_config_p, s2n_cert_chain_and_key_p]),
    "s2n_config_add_cert_chain_and_key": (c_int, [s2n_config_p, c_char_p, c_char_p]),
    "s2n_config_add_pem_to_trust_store": (c_int, [s2n_config_p, c_char_p]),
    "s2n_config_set_verification_ca_location": (c_int, [s2n_config_p, c_char_p, c_char_p]),
    "s2n_config_wipe_trust_store": (c_int, [s2n_config_p]),
    "s2n_config_disable_x509_verification": (c_int, [s2n_config_p]),
    # connection
    "s2n_connection_new": (s2n_connection_p, [s2n_mode]),
    "s2n_connection_set_config": (c_int, [s2n_connection_p, s2n_config_p]),
    "s2n_connection_free": (c_int, [s2n_connection_p]),
    "s2n_connection_wipe": (c_int, [s2n_connection_p]),
    "s2n_connection_set_ctx": (c_int, [s2n_connection_p, c_void_p]),
    "s2n_connection_get_ctx": (c_void_p, [s2n_connection_p]),
    "s2n_connection_set_blinding": (c_int, [s2n_connection_p, s2n_blinding]),
    "s2n_connection_get_delay": (c_uint64, [s2n_connection_p]),
    "s2n_set_server_name": (c_int, [s2n_connection_p, c_char_p]),
    "s2n_get_server_name": (c_char_p, [s2n_connection_p]),
    "s2n_connection_set_cipher_preferences": (c_int, [s2n_connection_p, c_char_p]),
    "s2n_connection_get_mode": (s2n_mode, [s2n_connection_p]),
    "s2n_connection_get_read_fd": (c_int, [s2n_connection_p, POINTER(c_int)]),
    "s2n_connection_get_write_fd": (c_int, [s2n_connection_p, POINTER(c_int)]),
    # inspection
    "s2n_connection_get_actual_protocol_version": (c_int, [s2n_connection_p]),
    "s2n_connection_get_client_protocol_version": (c_int, [s2n_connection_p]),
    "s2n_connection_get_server_protocol_version": (c_int, [s2n_connection_p]),
    "s2n_connection_get_cipher": (c_char_p, [s2n_connection_p]),
    "s2n_connection_get_handshake_type_name": (c_char_p, [s2n_connection_p]),
    "s2n_connection_get_wire_bytes_in": (c_uint64, [s2n_connection_p]),
    "s2n_connection_get_wire_bytes_out": (c_uint64, [s2n_connection_p]),
    "s2n_connection_get_alert": (c_int, [s2n_connection_p]),
    "s2n_connection_get_curve": (c_char_p, [s2n_connection_p]),
    "s2n_connection_get_kem_name": (c_char_p, [s2n_connection_p]),
    "s2n_connection_get_kem_group_name": (c_char_p, [s2n_connection_p]),
    "s2n_connection_get_key_exchange_group": (c_int, [s2n_connection_p, POINTER(c_char_p)]),
    "s2n_connection_get_selected_signature_algorithm": (c_int, [s2n_connection_p, POINTER(s2n_tls_signature_algorithm)]),
    "s2n_connection_get_selected_digest_algorithm": (c_int, [s2n_connection_p, POINTER(s2n_tls_hash_algorithm)]),
    "s2n_connection_get_signature_scheme": (c_int, [s2n_connection_p, POINTER(c_char_p)]),
    "s2n_connection_get_cipher_iana_value": (c_int, [s2n_connection_p, _u8_p, _u8_p]),
    "s2n_connection_get_client_hello_version": (c_int, [s2n_connection_p]),
    "s2n_connection_get_last_message_name": (c_char_p, [s2n_connection_p]),
    "s2n_connection_is_valid_for_cipher_preferences": (c_int, [s2n_connection_p, c_char_p]),
    "s2n_connection_get_selected_cert": (s2n_cert_chain_and_key_p, [s2n_connection_p]),
    "s2n_connection_get_certificate_match": (c_int, [s2n_connection_p, POINTER(s2n_cert_sni_match)]),
    "s2n_connection_get_peer_cert_chain": (c_int, [s2n_connection_p, s2n_cert_chain_and_key_p]),
    # transport
    "s2n_connection_set_fd": (c_int, [s2n_connection_p, c_int]),
    "s2n_connection_set_read_fd": (c_int, [s2n_connection_p, c_int]),
    "s2n_connection_set_write_fd": (c_int, [s2n_connection_p, c_int]),
    "s2n_connection_set_recv_cb": (c_int, [s2n_connection_p, s2n_recv_fn]),
    "s2n_connection_set_send_cb": (c_int, [s2n_connection_p, s2n_send_fn]),
    "s2n_connection_set_recv_ctx": (c_int, [s2n_connection_p, c_void_p]),
    "s2n_connection_set_send_ctx": (c_int, [s2n_connection_p, c_void_p]),
    # I/O
    "s2n_negotiate": (c_int, [s2n_connection_p, _blocked_p]),
    "s2n_send": (c_ssize_t, [s2n_connection_p, c_void_p, c_ssize_t, _blocked_p]),
    "s2n_recv": (c_ssize_t, [s2n_connection_p, c_void_p, c_ssize_t, _blocked_p]),
    "s2n_peek": (c_uint32, [s2n_connection_p]),
    "s2n_shutdown": (c_int, [s2n_connection_p, _blocked_p]),
    "s2n_shutdown_send": (c_int, [s2n_connection_p, _blocked_p]),
    "s2n_sendv_with_offset": (c_ssize_t, [s2n_connection_p, POINTER(iovec), c_ssize_t, c_ssize_t, _blocked_p]),
    "s2n_sendv": (c_ssize_t, [s2n_connection_p, POINTER(iovec), c_ssize_t, _blocked_p]),
    "s2n_peek_buffered": (c_uint32, [s2n_connection_p]),
    # alerts, blinding
    "s2n_config_set_alert_behavior": (c_int, [s2n_config_p, s2n_alert_behavior]),
    "s2n_config_set_max_blinding_delay": (c_int, [s2n_config_p, c_uint32]),
    # records, buffers
    "s2n_connection_prefer_low_latency": (c_int, [s2n_connection_p]),
    "s2n_connection_prefer_throughput": (c_int, [s2n_connection_p]),
    "s2n_connection_set_dynamic_record_threshold": (c_int, [s2n_connection_p, c_uint32, c_uint16]),
    "s2n_config_set_max_fragment_length": (c_int, [s2n_config_p, c_uint16]),
    "s2n_config_send_max_fragment_length": (c_int, [s2n_config_p, s2n_max_frag_len]),
    "s2n_config_accept_max_fragment_length": (c_int, [s2n_config_p]),
    "s2n_config_set_send_buffer_size": (c_int, [s2n_config_p, c_uint32]),
    "s2n_config_set_recv_multi_record": (c_int, [s2n_config_p, c_bool]),
    "s2n_connection_use_corked_io": (c_int, [s2n_connection_p]),
    "s2n_connection_set_recv_buffering": (c_int, [s2n_connection_p, c_bool]),
    "s2n_connection_release_buffers": (c_int, [s2n_connection_p]),
    "s2n_connection_free_handshake": (c_int, [s2n_connection_p]),
    "s2n_connection_set_dynamic_buffers": (c_int, [s2n_connection_p, c_bool]),
    "s2n_connection_request_key_update": (c_int, [s2n_connection_p, s2n_peer_key_update]),
    # library, errors
    "s2n_init": (c_int, []),
    "s2n_cleanup": (c_int, []),
    "s2n_errno_location": (POINTER(c_int), []),
    "s2n_error_get_type": (c_int, [c_int]),
    "s2n_strerror": (c_char_p, [c_int, c_char_p]),
    "s2n_strerror_debug": (c_char_p, [c_int, c_char_p]),
    "s2n_strerror_name": (c_char_p, [c_int]),
    # library lifecycle (s2n_mem_set_callbacks cannot serve Python: its callbacks
    # would run inside the allocator, and Python callbacks allocate)
    "s2n_cleanup_final": (c_int, []),
    "s2n_crypto_disable_init": (c_int, []),
    "s2n_disable_atexit": (c_int, []),
    "s2n_get_openssl_version": (ctypes.c_ulong, []),
    "s2n_get_fips_mode": (c_int, [POINTER(s2n_fips_mode)]),
    "s2n_mem_set_callbacks": (c_int, [s2n_mem_init_callback, s2n_mem_cleanup_callback,
                                      s2n_mem_malloc_callback, s2n_mem_free_callback]),
    "s2n_rand_set_callbacks": (c_int, [s2n_rand_init_callback, s2n_rand_cleanup_callback,
                                       s2n_rand_seed_callback, s2n_rand_mix_callback]),
    # diagnostics (FILE * and struct s2n_stacktrace * as void pointers)
    "s2n_strerror_source": (c_char_p, [c_int]),
    "s2n_stack_traces_enabled": (c_bool, []),
    "s2n_stack_traces_enabled_set": (c_int, [c_bool]),
    "s2n_calculate_stacktrace": (c_int, []),
    "s2n_print_stacktrace": (c_int, [c_void_p]),
    "s2n_free_stacktrace": (c_int, []),
    "s2n_get_stacktrace": (c_int, [c_void_p]),
    # ticket keys
    "s2n_config_add_ticket_crypto_key": (c_int, [s2n_config_p, _u8_p, c_uint32, _u8_p, c_uint32, c_uint64]),
    "s2n_config_set_ticket_encrypt_decrypt_key_lifetime": (c_int, [s2n_config_p, c_uint64]),
    "s2n_config_set_ticket_decrypt_key_lifetime": (c_int, [s2n_config_p, c_uint64]),
    "s2n_config_set_session_state_lifetime": (c_int, [s2n_config_p, c_uint64]),
    "s2n_config_set_session_tickets_onoff": (c_int, [s2n_config_p, c_uint8]),
    "s2n_config_require_ticket_forward_secrecy": (c_int, [s2n_config_p, c_bool]),
    # ticket counts, keying material
    "s2n_config_set_initial_ticket_count": (c_int, [s2n_config_p, c_uint8]),
    "s2n_connection_add_new_tickets_to_send": (c_int, [s2n_connection_p, c_uint8]),
    "s2n_connection_get_tickets_sent": (c_int, [s2n_connection_p, POINTER(c_uint16)]),
    "s2n_connection_set_server_keying_material_lifetime": (c_int, [s2n_connection_p, c_uint32]),
    # client sessions
    "s2n_config_set_session_ticket_cb": (c_int, [s2n_config_p, s2n_session_ticket_fn, c_void_p]),
    "s2n_session_ticket_get_data_len": (c_int, [s2n_session_ticket_p, POINTER(c_size_t)]),
    "s2n_session_ticket_get_data": (c_int, [s2n_session_ticket_p, c_size_t, _u8_p]),
    "s2n_session_ticket_get_lifetime": (c_int, [s2n_session_ticket_p, POINTER(c_uint32)]),
    "s2n_connection_set_session": (c_int, [s2n_connection_p, _u8_p, c_size_t]),
    "s2n_connection_get_session": (c_int, [s2n_connection_p, _u8_p, c_size_t]),
    "s2n_connection_get_session_length": (c_int, [s2n_connection_p]),
    "s2n_connection_get_session_ticket_lifetime_hint": (c_int, [s2n_connection_p]),
    "s2n_connection_is_session_resumed": (c_int, [s2n_connection_p]),
    "s2n_connection_get_session_id_length": (c_int, [s2n_connection_p]),
    "s2n_connection_get_session_id": (c_int, [s2n_connection_p, _u8_p, c_size_t]),
    # application protocols (ALPN)
    "s2n_config_set_protocol_preferences": (c_int, [s2n_config_p, POINTER(c_char_p), c_int]),
    "s2n_config_append_protocol_preference": (c_int, [s2n_config_p, _u8_p, c_uint8]),
    "s2n_connection_set_protocol_preferences": (c_int, [s2n_connection_p, POINTER(c_char_p), c_int]),
    "s2n_connection_append_protocol_preference": (c_int, [s2n_connection_p, _u8_p, c_uint8]),
    "s2n_get_application_protocol": (c_char_p, [s2n_connection_p]),
    # client authentication (mTLS)
    "s2n_config_set_client_auth_type": (c_int, [s2n_config_p, s2n_cert_auth_type]),
    "s2n_config_get_client_auth_type": (c_int, [s2n_config_p, POINTER(s2n_cert_auth_type)]),
    "s2n_connection_set_client_auth_type": (c_int, [s2n_connection_p, s2n_cert_auth_type]),
    "s2n_connection_get_client_auth_type": (c_int, [s2n_connection_p, POINTER(s2n_cert_auth_type)]),
    "s2n_connection_client_cert_used": (c_int, [s2n_connection_p]),
    "s2n_connection_get_client_cert_chain": (c_int, [s2n_connection_p, POINTER(_u8_p), POINTER(c_uint32)]),
    "s2n_connection_get_selected_client_cert_signature_algorithm": (c_int, [s2n_connection_p, POINTER(s2n_tls_signature_algorithm)]),
    "s2n_connection_get_selected_client_cert_digest_algorithm": (c_int, [s2n_connection_p, POINTER(s2n_tls_hash_algorithm)]),
    "s2n_config_set_cert_authorities_from_trust_store": (c_int, [s2n_config_p]),
    "s2n_config_enable_cert_req_dss_legacy_compat": (c_int, [s2n_config_p]),
    # verification
    "s2n_config_set_verify_host_callback": (c_int, [s2n_config_p, s2n_verify_host_fn, c_void_p]),
    "s2n_connection_set_verify_host_callback": (c_int, [s2n_connection_p, s2n_verify_host_fn, c_void_p]),
    # async private keys, handshake state, DH parameters
    "s2n_config_set_async_pkey_callback": (c_int, [s2n_config_p, s2n_async_pkey_fn]),
    "s2n_async_pkey_op_perform": (c_int, [c_void_p, c_void_p]),
    "s2n_async_pkey_op_apply": (c_int, [c_void_p, s2n_connection_p]),
    "s2n_async_pkey_op_free": (c_int, [c_void_p]),
    "s2n_async_pkey_op_get_op_type": (c_int, [c_void_p, POINTER(c_int)]),
    "s2n_async_pkey_op_get_input_size": (c_int, [c_void_p, POINTER(c_uint32)]),
    "s2n_async_pkey_op_get_input": (c_int, [c_void_p, _u8_p, c_uint32]),
    "s2n_async_pkey_op_set_output": (c_int, [c_void_p, _u8_p, c_uint32]),
    "s2n_config_set_async_pkey_validation_mode": (c_int, [s2n_config_p, c_int]),
    "s2n_config_set_verify_after_sign": (c_int, [s2n_config_p, c_int]),
    "s2n_conn_get_signature_public_key_type": (c_int, [s2n_connection_p, s2n_mode, c_char_p, POINTER(c_uint32)]),
    "s2n_connection_handshake_complete": (c_bool, [s2n_connection_p]),
    "s2n_config_add_dhparams": (c_int, [s2n_config_p, c_char_p]),
    "s2n_config_free_dhparams": (c_int, [s2n_config_p]),
    "s2n_config_set_max_cert_chain_depth": (c_int, [s2n_config_p, c_uint16]),
    "s2n_config_disable_x509_time_verification": (c_int, [s2n_config_p]),
    "s2n_config_disable_x509_intent_verification": (c_int, [s2n_config_p]),
    "s2n_config_load_system_certs": (c_int, [s2n_config_p]),
    # the ClientHello and its callback
    "s2n_config_set_client_hello_cb": (c_int, [s2n_config_p, s2n_client_hello_fn, c_void_p]),
    "s2n_config_set_client_hello_cb_mode": (c_int, [s2n_config_p, s2n_client_hello_cb_mode]),
    "s2n_client_hello_cb_done": (c_int, [s2n_connection_p]),
    "s2n_connection_server_name_extension_used": (c_int, [s2n_connection_p]),
    "s2n_connection_get_client_hello": (s2n_client_hello_p, [s2n_connection_p]),
    "s2n_client_hello_parse_message": (s2n_client_hello_p, [_u8_p, c_uint32]),
    "s2n_client_hello_free": (c_int, [POINTER(s2n_client_hello_p)]),
    "s2n_client_hello_get_raw_message_length": (c_ssize_t, [s2n_client_hello_p]),
    "s2n_client_hello_get_raw_message": (c_ssize_t, [s2n_client_hello_p, _u8_p, c_uint32]),
    "s2n_client_hello_get_cipher_suites_length": (c_ssize_t, [s2n_client_hello_p]),
    "s2n_client_hello_get_cipher_suites": (c_ssize_t, [s2n_client_hello_p, _u8_p, c_uint32]),
    "s2n_client_hello_get_extensions_length": (c_ssize_t, [s2n_client_hello_p]),
    "s2n_client_hello_get_extensions": (c_ssize_t, [s2n_client_hello_p, _u8_p, c_uint32]),
    "s2n_client_hello_get_extension_length": (c_ssize_t, [s2n_client_hello_p, s2n_tls_extension_type]),
    "s2n_client_hello_get_extension_by_id": (c_ssize_t, [s2n_client_hello_p, s2n_tls_extension_type, _u8_p, c_uint32]),
    "s2n_client_hello_has_extension": (c_int, [s2n_client_hello_p, c_uint16, POINTER(c_bool)]),
    "s2n_client_hello_get_session_id_length": (c_int, [s2n_client_hello_p, POINTER(c_uint32)]),
    "s2n_client_hello_get_session_id": (c_int, [s2n_client_hello_p, _u8_p, POINTER(c_uint32), c_uint32]),
    "s2n_client_hello_get_compression_methods_length": (c_int, [s2n_client_hello_p, POINTER(c_uint32)]),
    "s2n_client_hello_get_compression_methods": (c_int, [s2n_client_hello_p, _u8_p, c_uint32, POINTER(c_uint32)]),
    "s2n_client_hello_get_legacy_protocol_version": (c_int, [s2n_client_hello_p, _u8_p]),
    "s2n_client_hello_get_legacy_record_version": (c_int, [s2n_client_hello_p, _u8_p]),
    "s2n_client_hello_get_random": (c_int, [s2n_client_hello_p, _u8_p, c_uint32]),
    "s2n_client_hello_get_supported_groups": (c_int, [s2n_client_hello_p, POINTER(c_uint16), c_uint16, POINTER(c_uint16)]),
    "s2n_client_hello_get_server_name_length": (c_int, [s2n_client_hello_p, POINTER(c_uint16)]),
    "s2n_client_hello_get_server_name": (c_int, [s2n_client_hello_p, _u8_p, c_uint16, POINTER(c_uint16)]),
    # pre-shared keys
    "s2n_external_psk_new": (c_void_p, []),
    "s2n_psk_free": (c_int, [POINTER(c_void_p)]),
    "s2n_psk_set_identity": (c_int, [c_void_p, _u8_p, c_uint16]),
    "s2n_psk_set_secret": (c_int, [c_void_p, _u8_p, c_uint16]),
    "s2n_psk_set_hmac": (c_int, [c_void_p, c_int]),
    "s2n_connection_append_psk": (c_int, [s2n_connection_p, c_void_p]),
    "s2n_config_set_psk_mode": (c_int, [s2n_config_p, c_int]),
    "s2n_connection_set_psk_mode": (c_int, [s2n_connection_p, c_int]),
    "s2n_connection_get_negotiated_psk_identity_length": (c_int, [s2n_connection_p, POINTER(c_uint16)]),
    "s2n_connection_get_negotiated_psk_identity": (c_int, [s2n_connection_p, _u8_p, c_uint16]),
    "s2n_offered_psk_new": (c_void_p, []),
    "s2n_offered_psk_free": (c_int, [POINTER(c_void_p)]),
    "s2n_offered_psk_get_identity": (c_int, [c_void_p, POINTER(_u8_p), POINTER(c_uint16)]),
    "s2n_offered_psk_list_has_next": (c_bool, [c_void_p]),
    "s2n_offered_psk_list_next": (c_int, [c_void_p, c_void_p]),
    "s2n_offered_psk_list_reread": (c_int, [c_void_p]),
    "s2n_offered_psk_list_choose_psk": (c_int, [c_void_p, c_void_p]),
    "s2n_config_set_psk_selection_callback": (c_int, [s2n_config_p, s2n_psk_selection_callback, c_void_p]),
    "s2n_psk_configure_early_data": (c_int, [c_void_p, c_uint32, c_uint8, c_uint8]),
    "s2n_psk_set_application_protocol": (c_int, [c_void_p, _u8_p, c_uint8]),
    "s2n_psk_set_early_data_context": (c_int, [c_void_p, _u8_p, c_uint16]),
    # connection serialization
    "s2n_config_set_serialization_version": (c_int, [s2n_config_p, c_int]),
    "s2n_connection_serialization_length": (c_int, [s2n_connection_p, POINTER(c_uint32)]),
    "s2n_connection_serialize": (c_int, [s2n_connection_p, _u8_p, c_uint32]),
    "s2n_connection_deserialize": (c_int, [s2n_connection_p, _u8_p, c_uint32]),
    # unstable API (include/s2n/unstable/: cleanup.h, npn.h, renegotiate.h, fingerprint.h)
    "s2n_cleanup_thread": (c_int, []),
    "s2n_config_set_npn": (c_int, [s2n_config_p, c_bool]),
    "s2n_config_set_renegotiate_request_cb": (c_int, [s2n_config_p, s2n_renegotiate_request_cb, c_void_p]),
    "s2n_renegotiate_wipe": (c_int, [s2n_connection_p]),
    "s2n_renegotiate": (c_int, [s2n_connection_p, _u8_p, c_ssize_t, POINTER(c_ssize_t), _blocked_p]),
    # early data
    "s2n_config_set_server_max_early_data_size": (c_int, [s2n_config_p, c_uint32]),
    "s2n_connection_set_server_max_early_data_size": (c_int, [s2n_connection_p, c_uint32]),
    "s2n_connection_set_server_early_data_context": (c_int, [s2n_connection_p, _u8_p, c_uint16]),
    "s2n_config_set_early_data_cb": (c_int, [s2n_config_p, s2n_early_data_cb]),
    "s2n_offered_early_data_get_context_length": (c_int, [c_void_p, POINTER(c_uint16)]),
    "s2n_offered_early_data_get_context": (c_int, [c_void_p, _u8_p, c_uint16]),
    "s2n_offered_early_data_reject": (c_int, [c_void_p]),
    "s2n_offered_early_data_accept": (c_int, [c_void_p]),
    "s2n_connection_get_early_data_status": (c_int, [s2n_connection_p, POINTER(c_int)]),
    "s2n_connection_get_remaining_early_data_size": (c_int, [s2n_connection_p, POINTER(c_uint32)]),
    "s2n_connection_get_max_early_data_size": (c_int, [s2n_connection_p, POINTER(c_uint32)]),
    "s2n_send_early_data": (c_int, [s2n_connection_p, _u8_p, c_ssize_t, POINTER(c_ssize_t), _blocked_p]),
    "s2n_recv_early_data": (c_int, [s2n_connection_p, _u8_p, c_ssize_t, POINTER(c_ssize_t), _blocked_p]),
    # OCSP stapling, certificate transparency
    "s2n_cert_chain_and_key_set_ocsp_data": (c_int, [s2n_cert_chain_and_key_p, _u8_p, c_uint32]),
    "s2n_cert_chain_and_key_set_sct_list": (c_int, [s2n_cert_chain_and_key_p, _u8_p, c_uint32]),
    "s2n_config_set_status_request_type": (c_int, [s2n_config_p, s2n_status_request_type]),
    "s2n_config_set_check_stapled_ocsp_response": (c_int, [s2n_config_p, c_uint8]),
    "s2n_config_set_ct_support_level": (c_int, [s2n_config_p, s2n_ct_support_level]),
    "s2n_config_set_extension_data": (c_int, [s2n_config_p, s2n_tls_extension_type, _u8_p, c_uint32]),
    "s2n_connection_get_ocsp_response": (_u8_p, [s2n_connection_p, POINTER(c_uint32)]),
    "s2n_connection_is_ocsp_stapled": (c_int, [s2n_connection_p]),
    "s2n_connection_get_sct_list": (_u8_p, [s2n_connection_p, POINTER(c_uint32)]),
    # key logging and secrets
    "s2n_config_set_key_log_cb": (c_int, [s2n_config_p, s2n_key_log_fn, c_void_p]),
    "s2n_connection_tls_exporter": (c_int, [s2n_connection_p, _u8_p, c_uint32, _u8_p, c_uint32, _u8_p, c_uint32]),
    "s2n_connection_get_master_secret": (c_int, [s2n_connection_p, _u8_p, c_size_t]),
    # unstable API: fingerprint.h
    "s2n_fingerprint_new": (c_void_p, [c_int]),
    "s2n_fingerprint_free": (c_int, [POINTER(c_void_p)]),
    "s2n_fingerprint_wipe": (c_int, [c_void_p]),
    "s2n_fingerprint_set_client_hello": (c_int, [c_void_p, s2n_client_hello_p]),
    "s2n_fingerprint_get_hash_size": (c_int, [c_void_p, POINTER(c_uint32)]),
    "s2n_fingerprint_get_hash": (c_int, [c_void_p, c_uint32, _u8_p, POINTER(c_uint32)]),
    "s2n_fingerprint_get_raw_size": (c_int, [c_void_p, POINTER(c_uint32)]),
    "s2n_fingerprint_get_raw": (c_int, [c_void_p, c_uint32, _u8_p, POINTER(c_uint32)]),
    "s2n_client_hello_get_fingerprint_hash": (c_int, [s2n_client_hello_p, c_int, c_uint32, _u8_p, POINTER(c_uint32), POINTER(c_uint32)]),
    "s2n_client_hello_get_fingerprint_string": (c_int, [s2n_client_hello_p, c_int, c_uint32, _u8_p, POINTER(c_uint32)]),
}


def declare(lib):
    """Sets argtypes and restype of every rs2n function on a ctypes.CDLL."""
    for name, (restype, argtypes) in FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


# ---------------------------------------------------------------------------
# Loading (once per process)
# ---------------------------------------------------------------------------
_lock = threading.Lock()
_lib = None
_lib_path = None


def _default_path():
    env = os.environ.get("RS2N_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    for candidate in (os.path.join(root, "target", "release", "librs2n.so"),
                      os.path.join(root, "build", "cargo", "release", "librs2n.so")):
        if os.path.exists(candidate):
            return candidate
    found = ctypes.util.find_library("rs2n")
    if found:
        return found
    raise OSError("librs2n.so not found: pass its path to load() or set RS2N_LIB")


def load(path=None):
    """Loads librs2n.so once per process, declares it, calls s2n_init() once.

    path: the library to load; default $RS2N_LIB, then the repository's
    target/release/ and build/cargo/release/, then the system's librs2n.
    Later calls return the same library; asking for another path raises
    (one copy of rs2n per process).
    """
    global _lib, _lib_path
    with _lock:
        if _lib is not None:
            if path is not None and os.path.realpath(path) != os.path.realpath(_lib_path):
                raise RuntimeError("rs2n is already loaded from %s; load it once per process"
                                   % _lib_path)
            return _lib
        path = path or _default_path()
        lib = declare(ctypes.CDLL(path))
        if lib.s2n_init() != S2N_SUCCESS:
            # Already initialized by someone else in this process: fine.
            err = errno(lib)
            if lib.s2n_error_get_type(err) != S2N_ERR_T_USAGE:
                raise S2NError.from_errno(lib, err, "s2n_init")
        _lib, _lib_path = lib, path
        return lib


# ---------------------------------------------------------------------------
# Errors and buffers
# ---------------------------------------------------------------------------
def errno(lib):
    """The calling thread's s2n_errno (what `s2n_errno` is in C)."""
    return lib.s2n_errno_location()[0]


class S2NError(Exception):
    """A failed s2n call: s2n_errno, its class (S2N_ERR_T_*), name and message."""

    def __init__(self, what, error, error_type, name, message):
        self.what = what
        self.error = error
        self.type = error_type
        self.name = name
        self.message = message
        super().__init__("%s failed: %s (%s, %s): %s" % (
            what, name, ERROR_TYPE_NAMES.get(error_type, error_type), error, message))

    @classmethod
    def from_errno(cls, lib, error, what="s2n call"):
        def text(b):
            return b.decode("utf-8", "replace") if b is not None else "(NULL)"
        return cls(what, error, lib.s2n_error_get_type(error),
                   text(lib.s2n_strerror_name(error)),
                   text(lib.s2n_strerror_debug(error, b"EN")))


def last_error(lib, what="s2n call"):
    """An S2NError for the calling thread's s2n_errno (call right after the failure)."""
    return S2NError.from_errno(lib, errno(lib), what)


def check(lib, rc, what="s2n call"):
    """Raises last_error() if rc is S2N_FAILURE (or a NULL pointer); returns rc."""
    if rc is None or (isinstance(rc, int) and rc < 0):
        raise last_error(lib, what)
    return rc


def u8_buffer(data_or_size):
    """A (c_uint8 * n) array for uint8_t * arguments: a copy of bytes, or n zeros."""
    if isinstance(data_or_size, int):
        return (c_uint8 * data_or_size)()
    data = bytes(data_or_size)
    return (c_uint8 * len(data)).from_buffer_copy(data) if data else (c_uint8 * 0)()
