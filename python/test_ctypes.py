#!/usr/bin/env python3
"""rs2n from Python through ctypes (standard library only).

Over a socket.socketpair(), through librs2n.so alone:
  * TLS1.3 ("default_tls13") and TLS1.2 ("20240501"), each driven two ways:
    two threads on blocking sockets, and one thread on non-blocking sockets with
    s2n's blocked-status loop;
  * a full handshake, then one resumed with the session bytes the client got
    from s2n_connection_get_session() (after s2n_recv, so that the TLS1.3 ticket
    has arrived), then one resumed with the newest ticket handed to the client's
    session ticket callback (a ctypes CFUNCTYPE);
  * s2n_connection_is_session_resumed() 0, then 1, then 1 on both sides, and
    application data both ways, then a graceful s2n_shutdown on both sides;
  * error paths: NULL config, unknown policy, bad mode, second s2n_init, small
    session buffer; s2n_errno is per-thread; s2n_strerror_debug gives a message;
  * rs2n_ctypes declares every function of include/s2n.h with its C types.

Environment: RS2N_LIB (librs2n.so; default: see rs2n_ctypes.load), RS2N_CERTS_DIR
(default ../c-tests/certs), RS2N_HEADER (default ../include/s2n.h).
A 60 s watchdog (faulthandler) dumps every thread's stack and exits on a hang.
"""

import ctypes
import faulthandler
import glob
import os
import re
import select
import socket
import sys
import threading
import time
import unittest
from ctypes import POINTER, byref, c_int, c_size_t, c_uint16, c_uint32

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rs2n_ctypes as s2n  # noqa: E402

ROOT = os.path.dirname(HERE)
CERTS_DIR = os.environ.get("RS2N_CERTS_DIR") or os.path.join(ROOT, "c-tests", "certs")
HEADER = os.environ.get("RS2N_HEADER") or os.path.join(ROOT, "include", "s2n.h")

WATCHDOG_SECONDS = 60
STEP_DEADLINE_SECONDS = 20  # one connection pair, in either mode

lib = s2n.load(os.environ.get("RS2N_LIB") or None)


def read_cert(name):
    with open(os.path.join(CERTS_DIR, name), "rb") as f:
        return f.read()


def error_now(what):
    return s2n.last_error(lib, what)


# ---------------------------------------------------------------------------
# One side of a connection, as a generator: it yields the blocked status each
# time an s2n call is blocked, and returns what it observed. With blocking
# sockets it never yields; with non-blocking ones a scheduler resumes it.
# ---------------------------------------------------------------------------
def s2n_call(fn, conn, *args):
    blocked = c_int(s2n.S2N_NOT_BLOCKED)
    while True:
        rc = fn(conn, *args, byref(blocked))
        if rc >= 0:
            return rc
        err = s2n.errno(lib)  # same thread as the failed call
        if lib.s2n_error_get_type(err) != s2n.S2N_ERR_T_BLOCKED:
            raise s2n.S2NError.from_errno(lib, err, fn.__name__)
        if blocked.value not in (s2n.S2N_BLOCKED_ON_READ, s2n.S2N_BLOCKED_ON_WRITE):
            raise AssertionError("%s: unexpected blocked status %d" % (fn.__name__, blocked.value))
        yield blocked.value


def send_all(conn, data):
    sent = 0
    while sent < len(data):
        rest = data[sent:]
        n = yield from s2n_call(lib.s2n_send, conn, rest, len(rest))
        assert n > 0, "s2n_send returned %d" % n
        sent += n


def recv_exact(conn, size):
    out = b""
    buf = ctypes.create_string_buffer(size)
    while len(out) < size:
        n = yield from s2n_call(lib.s2n_recv, conn, buf, size - len(out))
        if n == 0:
            raise AssertionError("peer closed after %d of %d bytes" % (len(out), size))
        out += buf.raw[:n]
    return out


def describe(conn):
    return {
        "resumed": lib.s2n_connection_is_session_resumed(conn),
        "version": lib.s2n_connection_get_actual_protocol_version(conn),
        "cipher": lib.s2n_connection_get_cipher(conn).decode(),
        "handshake": lib.s2n_connection_get_handshake_type_name(conn).decode(),
        "wire_in": lib.s2n_connection_get_wire_bytes_in(conn),
        "wire_out": lib.s2n_connection_get_wire_bytes_out(conn),
    }


SERVER_HELLO = b"hello from the server, after its tickets"
CLIENT_PING = b"ping from the client"


def server_side(conn):
    yield from s2n_call(lib.s2n_negotiate, conn)
    info = describe(conn)
    yield from send_all(conn, SERVER_HELLO)
    info["received"] = yield from recv_exact(conn, len(CLIENT_PING))
    tickets = c_uint16(0)
    s2n.check(lib, lib.s2n_connection_get_tickets_sent(conn, byref(tickets)),
              "s2n_connection_get_tickets_sent")
    info["tickets_sent"] = tickets.value
    yield from s2n_call(lib.s2n_shutdown, conn)
    return info


def client_side(conn):
    yield from s2n_call(lib.s2n_negotiate, conn)
    info = describe(conn)
    # Reading the server's data also processes the TLS1.3 ticket sent before it.
    info["received"] = yield from recv_exact(conn, len(SERVER_HELLO))
    length = lib.s2n_connection_get_session_length(conn)
    assert length > 0, "no session after reading the server's data (%d)" % length
    session = s2n.u8_buffer(length)
    # Too small a buffer is a usage error...
    assert lib.s2n_connection_get_session(conn, session, length - 1) == s2n.S2N_FAILURE
    err = s2n.errno(lib)
    assert lib.s2n_error_get_type(err) == s2n.S2N_ERR_T_USAGE, error_now("get_session")
    assert lib.s2n_strerror_name(err) == b"S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG", \
        lib.s2n_strerror_name(err)
    # ...the right size gives the session.
    written = lib.s2n_connection_get_session(conn, session, length)
    assert written == length, (written, length, error_now("s2n_connection_get_session"))
    info["session"] = bytes(session)
    info["lifetime_hint"] = lib.s2n_connection_get_session_ticket_lifetime_hint(conn)
    yield from send_all(conn, CLIENT_PING)
    yield from s2n_call(lib.s2n_shutdown, conn)
    return info


# ---------------------------------------------------------------------------
# Drivers
# ---------------------------------------------------------------------------
def run_blocking_threads(server_gen, client_gen, server_sock, client_sock):
    """Each side in its own thread, on blocking sockets."""
    results, errors = {}, {}

    def run(name, gen, sock):
        try:
            while True:
                try:
                    blocked = next(gen)
                except StopIteration as done:
                    results[name] = done.value
                    return
                raise AssertionError("%s blocked (%d) on a blocking socket" % (name, blocked))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors[name] = e
            try:
                sock.shutdown(socket.SHUT_RDWR)  # unblock the peer: it sees EOF
            except OSError:
                pass
        finally:
            lib.s2n_cleanup()

    threads = [threading.Thread(target=run, args=("server", server_gen, server_sock),
                                name="server", daemon=True),
               threading.Thread(target=run, args=("client", client_gen, client_sock),
                                name="client", daemon=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(STEP_DEADLINE_SECONDS)
        if t.is_alive():
            raise TimeoutError("%s thread still running after %d s" % (t.name, STEP_DEADLINE_SECONDS))
    if errors:
        raise AssertionError("; ".join("%s: %s" % kv for kv in sorted(errors.items())))
    return results["server"], results["client"]


def run_nonblocking_loop(server_gen, client_gen, server_sock, client_sock):
    """Both sides in this thread, on non-blocking sockets: resume whichever side
    is blocked until both are done, waiting with select() while both are blocked."""
    server_sock.setblocking(False)
    client_sock.setblocking(False)
    pending = {"server": [server_gen, server_sock, None], "client": [client_gen, client_sock, None]}
    results = {}
    deadline = time.monotonic() + STEP_DEADLINE_SECONDS
    blocked_calls = 0
    try:
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError("still blocked after %d s: %s" % (
                    STEP_DEADLINE_SECONDS, {k: v[2] for k, v in pending.items()}))
            for name in list(pending):
                entry = pending[name]
                try:
                    entry[2] = next(entry[0])
                    blocked_calls += 1
                except StopIteration as done:
                    results[name] = done.value
                    del pending[name]
            if len(pending) == 2:
                # Both blocked: wait until one of them can go on (or briefly).
                rlist = [v[1] for v in pending.values() if v[2] == s2n.S2N_BLOCKED_ON_READ]
                wlist = [v[1] for v in pending.values() if v[2] == s2n.S2N_BLOCKED_ON_WRITE]
                select.select(rlist, wlist, [], 0.05)
    finally:
        for entry in pending.values():
            entry[0].close()
    # The point of this mode: the blocked-status loop really ran.
    assert blocked_calls > 0, "non-blocking handshake never reported blocked"
    return results["server"], results["client"]


DRIVERS = {"threads": run_blocking_threads, "nonblocking": run_nonblocking_loop}


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------
class Resumption:
    """Mixin: POLICY, VERSION, DRIVER set by the concrete classes below."""
    POLICY = None
    VERSION = None
    DRIVER = None

    def setUp(self):
        self.server_cfg = lib.s2n_config_new_minimal()
        self.client_cfg = lib.s2n_config_new_minimal()
        self.assertIsNotNone(self.server_cfg, error_now("s2n_config_new_minimal"))
        self.assertIsNotNone(self.client_cfg, error_now("s2n_config_new_minimal"))
        self.addCleanup(lib.s2n_config_free, self.client_cfg)
        self.addCleanup(lib.s2n_config_free, self.server_cfg)
        for cfg in (self.server_cfg, self.client_cfg):
            self.ok(lib.s2n_config_set_cipher_preferences(cfg, self.POLICY.encode()),
                    "s2n_config_set_cipher_preferences")
            self.ok(lib.s2n_config_set_session_tickets_onoff(cfg, 1),
                    "s2n_config_set_session_tickets_onoff")
        self.ok(lib.s2n_config_add_cert_chain_and_key(
            self.server_cfg, read_cert("ecdsa_p256_cert.pem"), read_cert("ecdsa_p256_key.pem")),
            "s2n_config_add_cert_chain_and_key")
        name = b"python-ctypes-" + self.DRIVER[:2].encode()
        key = os.urandom(32)
        self.ok(lib.s2n_config_add_ticket_crypto_key(
            self.server_cfg, s2n.u8_buffer(name), len(name), s2n.u8_buffer(key), len(key), 0),
            "s2n_config_add_ticket_crypto_key")
        self.ok(lib.s2n_config_add_pem_to_trust_store(self.client_cfg, read_cert("ca_cert.pem")),
                "s2n_config_add_pem_to_trust_store")

        # The client's session ticket callback: keeps the newest ticket's data.
        self.tickets = []

        def on_ticket(conn, ctx, ticket):
            try:
                size = c_size_t(0)
                if lib.s2n_session_ticket_get_data_len(ticket, byref(size)) != 0:
                    return -1
                data = s2n.u8_buffer(size.value)
                if lib.s2n_session_ticket_get_data(ticket, size.value, data) != 0:
                    return -1
                lifetime = c_uint32(0)
                if lib.s2n_session_ticket_get_lifetime(ticket, byref(lifetime)) != 0:
                    return -1
                self.tickets.append((bytes(data), lifetime.value))
                return 0
            except BaseException:  # never let an exception cross into C
                return -1

        self.ticket_cb = s2n.s2n_session_ticket_fn(on_ticket)  # kept alive by self
        self.ok(lib.s2n_config_set_session_ticket_cb(self.client_cfg, self.ticket_cb, None),
                "s2n_config_set_session_ticket_cb")

    def ok(self, rc, what):
        if rc != s2n.S2N_SUCCESS:
            self.fail(str(error_now(what)))

    def connect(self, session=None):
        """One server/client pair over a socketpair; returns (server, client) info."""
        server_sock, client_sock = socket.socketpair()
        server = lib.s2n_connection_new(s2n.S2N_SERVER)
        client = lib.s2n_connection_new(s2n.S2N_CLIENT)
        try:
            self.assertIsNotNone(server, error_now("s2n_connection_new"))
            self.assertIsNotNone(client, error_now("s2n_connection_new"))
            self.ok(lib.s2n_connection_set_config(server, self.server_cfg), "set_config")
            self.ok(lib.s2n_connection_set_config(client, self.client_cfg), "set_config")
            self.ok(lib.s2n_connection_set_fd(server, server_sock.fileno()), "set_fd")
            self.ok(lib.s2n_connection_set_fd(client, client_sock.fileno()), "set_fd")
            self.ok(lib.s2n_set_server_name(client, b"localhost"), "s2n_set_server_name")
            if session is not None:
                self.ok(lib.s2n_connection_set_session(client, s2n.u8_buffer(session), len(session)),
                        "s2n_connection_set_session")
            return DRIVERS[self.DRIVER](server_side(server), client_side(client),
                                        server_sock, client_sock)
        finally:
            # Free the connections before closing the fds they use.
            if server is not None:
                lib.s2n_connection_free(server)
            if client is not None:
                lib.s2n_connection_free(client)
            server_sock.close()
            client_sock.close()

    def check_pair(self, server, client, resumed):
        print("\n    %-13s %-11s %s %-30s %-26s resumed s=%d c=%d tickets_sent=%d session=%dB"
              % (self.POLICY, self.DRIVER, "TLS1.3" if client["version"] == s2n.S2N_TLS13
                 else "TLS1.2" if client["version"] == s2n.S2N_TLS12 else client["version"],
                 client["cipher"], client["handshake"].replace("NEGOTIATED|", ""),
                 server["resumed"], client["resumed"], server["tickets_sent"],
                 len(client["session"])), end="", flush=True)
        for side, info in (("server", server), ("client", client)):
            with self.subTest(side=side, resumed=resumed):
                self.assertEqual(info["resumed"], resumed, "%s: is_session_resumed" % side)
                self.assertEqual(info["version"], self.VERSION, "%s: protocol version" % side)
                self.assertIn("NEGOTIATED", info["handshake"])
                if resumed:
                    self.assertNotIn("FULL_HANDSHAKE", info["handshake"])
                else:
                    self.assertIn("FULL_HANDSHAKE", info["handshake"])
                self.assertNotEqual(info["cipher"], "TLS_NULL_WITH_NULL_NULL")
                self.assertGreater(info["wire_in"], 0)
                self.assertGreater(info["wire_out"], 0)
        self.assertEqual(server["cipher"], client["cipher"])
        self.assertEqual(server["handshake"], client["handshake"])
        self.assertEqual(server["received"], CLIENT_PING)
        self.assertEqual(client["received"], SERVER_HELLO)
        self.assertGreater(client["lifetime_hint"], 0)

    def test_full_then_resumed(self):
        # 1. Full handshake; the client keeps the session it was given.
        server, client = self.connect()
        self.check_pair(server, client, resumed=0)
        self.assertGreaterEqual(server["tickets_sent"], 1)
        self.assertGreaterEqual(len(self.tickets), 1, "ticket callback not called")
        self.assertGreater(self.tickets[-1][1], 0, "ticket lifetime")

        # 2. Resumed, with the bytes from s2n_connection_get_session().
        tickets_before = len(self.tickets)
        server2, client2 = self.connect(client["session"])
        self.check_pair(server2, client2, resumed=1)
        if self.VERSION == s2n.S2N_TLS13:
            # TLS1.3 tickets are single-use: a resumption brings fresh ones.
            self.assertGreaterEqual(server2["tickets_sent"], 1)
            self.assertGreater(len(self.tickets), tickets_before)
        # A resumed handshake skips the certificate: fewer bytes on the wire.
        self.assertLess(client2["wire_in"], client["wire_in"])

        # 3. Resumed again, with the newest ticket the callback was handed.
        server3, client3 = self.connect(self.tickets[-1][0])
        self.check_pair(server3, client3, resumed=1)
        print(flush=True)


class TLS13Threads(Resumption, unittest.TestCase):
    POLICY, VERSION, DRIVER = "default_tls13", s2n.S2N_TLS13, "threads"


class TLS13NonBlocking(Resumption, unittest.TestCase):
    POLICY, VERSION, DRIVER = "default_tls13", s2n.S2N_TLS13, "nonblocking"


class TLS12Threads(Resumption, unittest.TestCase):
    POLICY, VERSION, DRIVER = "20240501", s2n.S2N_TLS12, "threads"


class TLS12NonBlocking(Resumption, unittest.TestCase):
    POLICY, VERSION, DRIVER = "20240501", s2n.S2N_TLS12, "nonblocking"


class Errors(unittest.TestCase):
    def expect_usage_error(self, rc, name=None):
        self.assertEqual(rc, s2n.S2N_FAILURE)
        err = lib.s2n_errno_location()[0]
        self.assertNotEqual(err, 0)
        self.assertEqual(lib.s2n_error_get_type(err), s2n.S2N_ERR_T_USAGE)
        self.assertTrue(lib.s2n_strerror(err, b"EN").decode("utf-8"), "empty description")
        message = lib.s2n_strerror_debug(err, b"EN")
        self.assertIsInstance(message, bytes)
        self.assertTrue(message.decode("utf-8"), "empty message")
        err_name = lib.s2n_strerror_name(err).decode()
        self.assertTrue(err_name.startswith("S2N_ERR_"), err_name)
        if name is not None:
            self.assertEqual(err_name, name)
        return message.decode("utf-8")

    def test_null_config(self):
        self.expect_usage_error(lib.s2n_config_set_session_tickets_onoff(None, 1), "S2N_ERR_NULL")
        self.expect_usage_error(lib.s2n_config_set_cipher_preferences(None, b"default"),
                                "S2N_ERR_NULL")
        self.expect_usage_error(lib.s2n_connection_set_config(None, None))

    def test_unknown_policy(self):
        cfg = lib.s2n_config_new_minimal()
        self.assertIsNotNone(cfg)
        try:
            message = self.expect_usage_error(
                lib.s2n_config_set_cipher_preferences(cfg, b"no-such-policy"),
                "S2N_ERR_INVALID_SECURITY_POLICY")
            self.assertIn("no-such-policy", message)
        finally:
            self.assertEqual(lib.s2n_config_free(cfg), 0)

    def test_bad_mode_gives_null(self):
        self.assertIsNone(lib.s2n_connection_new(42))
        self.assertEqual(lib.s2n_error_get_type(s2n.errno(lib)), s2n.S2N_ERR_T_USAGE)

    def test_second_init(self):
        # rs2n_ctypes.load() called s2n_init() once already.
        self.expect_usage_error(lib.s2n_init())

    def test_bad_session_bytes(self):
        conn = lib.s2n_connection_new(s2n.S2N_CLIENT)
        self.assertIsNotNone(conn)
        try:
            junk = b"not an rs2n session"
            self.expect_usage_error(
                lib.s2n_connection_set_session(conn, s2n.u8_buffer(junk), len(junk)),
                "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE")
        finally:
            self.assertEqual(lib.s2n_connection_free(conn), 0)

    def test_errno_is_per_thread(self):
        self.assertEqual(lib.s2n_config_free(None), s2n.S2N_FAILURE)
        here = s2n.errno(lib)
        self.assertNotEqual(here, 0)
        seen = []
        t = threading.Thread(target=lambda: seen.append(s2n.errno(lib)))
        t.start()
        t.join(10)
        self.assertEqual(seen, [0], "a fresh thread has no s2n error")
        self.assertEqual(s2n.errno(lib), here)
        # Resetting it, as `s2n_errno = S2N_ERR_T_OK` does in C.
        lib.s2n_errno_location()[0] = 0
        self.assertEqual(s2n.errno(lib), 0)

    def test_s2n_errno_is_the_exported_thread_local(self):
        # dlsym of a thread-local symbol gives the calling thread's instance: the
        # variable s2n_errno_location() points at.
        var = ctypes.c_int.in_dll(lib, "s2n_errno")
        self.assertEqual(ctypes.addressof(var),
                         ctypes.cast(lib.s2n_errno_location(), ctypes.c_void_p).value)
        self.assertEqual(lib.s2n_config_free(None), s2n.S2N_FAILURE)
        self.assertEqual(var.value, s2n.errno(lib))
        self.assertNotEqual(var.value, 0)
        var.value = 0
        self.assertEqual(s2n.errno(lib), 0)


# C type (as spelled in include/s2n.h) -> ctypes type, for the declarations check.
C_TYPES = {
    "int": c_int, "s2n_mode": c_int, "s2n_blinding": c_int, "bool": ctypes.c_bool,
    "s2n_peer_key_update": c_int, "s2n_max_frag_len": c_int, "s2n_alert_behavior": c_int,
    "const struct iovec *": POINTER(s2n.iovec),
    "uint8_t": ctypes.c_uint8, "uint16_t": c_uint16, "uint32_t": c_uint32,
    "uint64_t": ctypes.c_uint64,
    "size_t": c_size_t, "ssize_t": ctypes.c_ssize_t,
    "const char *": ctypes.c_char_p, "void *": ctypes.c_void_p, "const void *": ctypes.c_void_p,
    "void **": POINTER(ctypes.c_void_p), "int *": POINTER(c_int),
    "s2n_blocked_status *": POINTER(c_int),
    "uint8_t *": POINTER(ctypes.c_uint8), "const uint8_t *": POINTER(ctypes.c_uint8),
    "uint16_t *": POINTER(c_uint16), "uint32_t *": POINTER(c_uint32),
    "size_t *": POINTER(c_size_t), "uint16_t": c_uint16,
    "const char *const *": POINTER(ctypes.c_char_p), "uint8_t **": POINTER(POINTER(ctypes.c_uint8)),
    "s2n_cert_auth_type": c_int, "s2n_cert_auth_type *": POINTER(c_int),
    "s2n_tls_signature_algorithm *": POINTER(c_int), "s2n_tls_hash_algorithm *": POINTER(c_int),
    "s2n_verify_host_fn": s2n.s2n_verify_host_fn,
    "s2n_cache_store_callback": s2n.s2n_cache_store_callback,
    "s2n_cache_retrieve_callback": s2n.s2n_cache_retrieve_callback,
    "s2n_cache_delete_callback": s2n.s2n_cache_delete_callback,
    "s2n_clock_time_nanoseconds": s2n.s2n_clock_time_nanoseconds,
    "s2n_recv_fn": s2n.s2n_recv_fn, "s2n_send_fn": s2n.s2n_send_fn,
    "s2n_session_ticket_fn": s2n.s2n_session_ticket_fn,
    "unsigned long": ctypes.c_ulong, "s2n_fips_mode *": POINTER(c_int),
    "FILE *": ctypes.c_void_p, "struct s2n_stacktrace *": ctypes.c_void_p,
    "s2n_mem_init_callback": s2n.s2n_mem_init_callback,
    "s2n_mem_cleanup_callback": s2n.s2n_mem_cleanup_callback,
    "s2n_mem_malloc_callback": s2n.s2n_mem_malloc_callback,
    "s2n_mem_free_callback": s2n.s2n_mem_free_callback,
    "s2n_rand_init_callback": s2n.s2n_rand_init_callback,
    "s2n_rand_cleanup_callback": s2n.s2n_rand_cleanup_callback,
    "s2n_rand_seed_callback": s2n.s2n_rand_seed_callback,
    "s2n_rand_mix_callback": s2n.s2n_rand_mix_callback,
    "s2n_cert_tiebreak_callback": s2n.s2n_cert_tiebreak_callback,
    "s2n_renegotiate_request_cb": s2n.s2n_renegotiate_request_cb,
    "ssize_t *": POINTER(ctypes.c_ssize_t),
    "s2n_psk_hmac": c_int, "s2n_psk_mode": c_int, "s2n_serialization_version": c_int,
    "s2n_psk_selection_callback": s2n.s2n_psk_selection_callback,
    "struct s2n_psk **": POINTER(ctypes.c_void_p),
    "struct s2n_offered_psk **": POINTER(ctypes.c_void_p),
    "uint16_t": ctypes.c_uint16, "bool *": POINTER(ctypes.c_bool),
    "const char **": POINTER(ctypes.c_char_p),
    "const uint8_t **": POINTER(POINTER(ctypes.c_uint8)),
    "s2n_cert_sni_match *": POINTER(c_int),
    "s2n_tls_signature_algorithm *": POINTER(c_int),
    "s2n_tls_hash_algorithm *": POINTER(c_int),
    "s2n_cert_private_key *": ctypes.c_void_p,
    "struct s2n_cert **": POINTER(ctypes.c_void_p),
    "struct s2n_cert_chain_and_key **": POINTER(ctypes.c_void_p),
    "s2n_early_data_cb": s2n.s2n_early_data_cb,
    "s2n_early_data_status_t *": POINTER(c_int),
    "s2n_client_hello_fn": s2n.s2n_client_hello_fn, "s2n_client_hello_cb_mode": c_int,
    "s2n_tls_extension_type": c_int, "struct s2n_client_hello **": POINTER(ctypes.c_void_p),
    "s2n_fingerprint_type": c_int, "struct s2n_fingerprint **": POINTER(ctypes.c_void_p),
    "s2n_async_pkey_fn": s2n.s2n_async_pkey_fn,
    "s2n_async_pkey_validation_mode": c_int, "s2n_verify_after_sign": c_int,
    "s2n_async_pkey_op_type *": POINTER(c_int), "char *": ctypes.c_char_p,
    "s2n_status_request_type": c_int, "s2n_ct_support_level": c_int,
    "s2n_tls_extension_type": c_int, "s2n_key_log_fn": s2n.s2n_key_log_fn,
}
PROTOTYPE = re.compile(r"^([A-Za-z_][\w \*]*?[\s\*])(s2n_\w+)\((.*)\);$")


def c_to_ctypes(c_type):
    c_type = re.sub(r"\s*\*", " *", c_type.strip()).replace("* *", "**")
    if re.fullmatch(r"(const )?struct s2n_\w+ \*", c_type):
        return ctypes.c_void_p
    if c_type not in C_TYPES:
        raise KeyError("no ctypes mapping for C type %r" % c_type)
    return C_TYPES[c_type]


def same_type(a, b):
    if a is b:
        return True
    # POINTER(x) is cached per x, but compare structurally to be safe.
    return (hasattr(a, "_type_") and hasattr(b, "_type_") and issubclass(a, ctypes._Pointer)
            and issubclass(b, ctypes._Pointer) and same_type(a._type_, b._type_))


class Declarations(unittest.TestCase):
    @unittest.skipUnless(os.path.exists(HEADER), "include/s2n.h not found (set RS2N_HEADER)")
    def test_every_header_function_declared_with_its_types(self):
        # s2n.h and the unstable headers beside it (s2n/unstable/*.h).
        unstable = os.path.join(os.path.dirname(HEADER), "s2n", "unstable")
        lines = []
        for path in [HEADER] + sorted(glob.glob(os.path.join(unstable, "*.h"))):
            with open(path) as f:
                lines.extend(f)
        prototypes = {}
        for line in lines:
            # Declarations start with S2N_API (empty unless defined), as in s2n.
            m = PROTOTYPE.match(re.sub(r"^S2N_API\s+", "", line.strip()))
            if m and not line.startswith("typedef"):
                prototypes[m.group(2)] = (m.group(1), m.group(3))
        self.assertGreater(len(prototypes), 50)
        self.assertEqual(sorted(prototypes), sorted(s2n.FUNCTIONS),
                         "rs2n_ctypes.FUNCTIONS differs from the headers' functions")
        for name, (ret, params) in prototypes.items():
            with self.subTest(function=name):
                restype, argtypes = s2n.FUNCTIONS[name]
                want_ret = None if ret.strip() == "void" else c_to_ctypes(ret)
                self.assertTrue(same_type(restype, want_ret), "%s returns %s" % (name, ret))
                want_args = [] if params.strip() == "void" else [
                    c_to_ctypes(re.sub(r"\w+$", "", p.strip())) for p in params.split(",")]
                self.assertEqual(len(argtypes), len(want_args), "%s: argument count" % name)
                for i, (have, want) in enumerate(zip(argtypes, want_args)):
                    self.assertTrue(same_type(have, want), "%s: argument %d" % (name, i))
                # And the library really exports it with those declarations set.
                fn = getattr(lib, name)
                self.assertEqual(fn.argtypes, argtypes)


if __name__ == "__main__":
    faulthandler.enable()
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    print("rs2n: %s" % s2n._lib_path, flush=True)
    unittest.main(verbosity=2)
