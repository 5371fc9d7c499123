/*
 * Application data after the handshake, and closing:
 *   - 1 MiB each way over blocking sockets, one thread per side;
 *   - 1 MiB each way over non-blocking sockets, both sides in one thread, with
 *     s2n's send contract: a -1/BLOCKED s2n_send is retried with the same
 *     buffer and size; a short count means the rest is sent next;
 *   - the same over I/O callbacks with a small send window;
 *   - s2n_peek: decrypted bytes waiting after a short s2n_recv;
 *   - s2n_shutdown from the client then the server, and the other way round;
 *     s2n_recv returns 0 after the peer's close_notify;
 *   - s2n_shutdown_send, the peer still sending data that is received, then
 *     closing; s2n_send after s2n_shutdown_send fails with S2N_ERR_T_CLOSED;
 *   - s2n_connection_wipe, then a second full handshake on the same objects.
 * Every byte is checked against a position-dependent pattern.
 */
#include "testlib.h"

#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static uint8_t pattern_byte(unsigned seed, size_t i)
{
    /* Not periodic in 256 or in a record size: a lost, repeated or reordered
     * chunk shows up. */
    uint32_t x = (uint32_t) i * 2654435761u + seed * 40503u;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (uint8_t) x;
}

static uint8_t *make_pattern(unsigned seed, size_t len)
{
    uint8_t *p = malloc(len);
    REQUIRE_NOT_NULL(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = pattern_byte(seed, i);
    }
    return p;
}

/* Checks received bytes [off, off+n) against the pattern; reports the first
 * mismatch only. Returns 1 if they match. */
static int check_pattern(const char *what, unsigned seed, size_t off, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != pattern_byte(seed, off + i)) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: byte %zu is 0x%02x, expected 0x%02x", what,
                           off + i, buf[i], pattern_byte(seed, off + i));
            return 0;
        }
    }
    return 1;
}

static struct s2n_config *server_config_13, *client_config_13;
static struct s2n_config *server_config_12, *client_config_12;

/* ------------------------------------------------------------------------- */
/* 1 MiB each way, blocking sockets, one thread per side                      */
/* ------------------------------------------------------------------------- */

struct blocking_side {
    struct s2n_connection *conn;
    int send_first;
    unsigned send_seed, recv_seed;
    size_t len;
    /* results */
    size_t sent, received;
    int failed;
    unsigned long send_calls, recv_calls;
};

static void blocking_send_all(struct blocking_side *s)
{
    uint8_t *data = make_pattern(s->send_seed, s->len);
    s2n_blocked_status blocked;
    while (s->sent < s->len) {
        size_t want = s->len - s->sent;
        ssize_t n = s2n_send(s->conn, data + s->sent, (ssize_t) want, &blocked);
        s->send_calls++;
        if (n <= 0 || (size_t) n > want) {
            rs2n_test_fail(__FILE__, __LINE__, "blocking s2n_send returned %zd for %zu bytes", n, want);
            rs2n_print_s2n_error("  s2n error");
            s->failed = 1;
            break;
        }
        s->sent += (size_t) n;
    }
    free(data);
}

static void blocking_recv_all(struct blocking_side *s)
{
    uint8_t buf[7919]; /* a prime: reads straddle records */
    s2n_blocked_status blocked;
    while (s->received < s->len) {
        size_t want = s->len - s->received;
        if (want > sizeof(buf)) {
            want = sizeof(buf);
        }
        ssize_t n = s2n_recv(s->conn, buf, (ssize_t) want, &blocked);
        s->recv_calls++;
        if (n <= 0) {
            rs2n_test_fail(__FILE__, __LINE__, "blocking s2n_recv returned %zd after %zu bytes", n,
                           s->received);
            rs2n_print_s2n_error("  s2n error");
            s->failed = 1;
            break;
        }
        if (!check_pattern("blocking recv", s->recv_seed, s->received, buf, (size_t) n)) {
            s->failed = 1;
            break;
        }
        s->received += (size_t) n;
    }
}

static void *blocking_side_run(void *arg)
{
    struct blocking_side *s = arg;
    if (s->send_first) {
        blocking_send_all(s);
        if (!s->failed) {
            blocking_recv_all(s);
        }
    } else {
        blocking_recv_all(s);
        if (!s->failed) {
            blocking_send_all(s);
        }
    }
    return NULL;
}

static void test_blocking_mib(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 0);
    if (rs2n_negotiate_pair_threaded(p.server, p.server_fd, p.client, p.client_fd, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_print_pair_result("handshake", &res);
        rs2n_pair_close(&p);
        return;
    }
    struct blocking_side server = { p.server, 0, 2, 1, MIB, 0, 0, 0, 0, 0 };
    struct blocking_side client = { p.client, 1, 1, 2, MIB, 0, 0, 0, 0, 0 };
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, blocking_side_run, &server) == 0);
    blocking_side_run(&client);
    if (client.failed) {
        /* Unblock the server if it is still waiting for data. */
        shutdown(p.client_fd, SHUT_RDWR);
    }
    pthread_join(thread, NULL);
    EXPECT_EQUAL(client.sent, MIB);
    EXPECT_EQUAL(server.received, MIB);
    EXPECT_EQUAL(server.sent, MIB);
    EXPECT_EQUAL(client.received, MIB);
    EXPECT_FALSE(client.failed);
    EXPECT_FALSE(server.failed);
    /* The counters keep adding up after a lot of data. */
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.server), s2n_connection_get_wire_bytes_out(p.client));
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.client), s2n_connection_get_wire_bytes_out(p.server));
    EXPECT_TRUE(s2n_connection_get_wire_bytes_out(p.client) > MIB);
    EXPECT_TRUE(s2n_connection_get_wire_bytes_out(p.server) > MIB);
    printf("%s: blocking 1 MiB each way: client %lu send / %lu recv calls\n", label,
           client.send_calls, client.recv_calls);

    /* Closing with blocking sockets: the server's s2n_shutdown waits for the
     * client's close_notify; the client reads the server's with s2n_recv. */
    s2n_blocked_status blocked;
    uint8_t byte;
    EXPECT_SUCCESS(s2n_shutdown_send(p.server, &blocked));
    EXPECT_EQUAL(s2n_recv(p.client, &byte, 1, &blocked), 0);
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
    EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */
/* Non-blocking, both directions at once in one thread                        */
/* ------------------------------------------------------------------------- */

struct nb_sender {
    const uint8_t *data;
    size_t len, off;
    size_t chunk;        /* most bytes asked for per s2n_send */
    size_t pending_size; /* != 0: the last call blocked; retry with exactly this */
    unsigned long calls, blocked, partial;
};

struct nb_receiver {
    unsigned seed;
    size_t len, off;
    unsigned long calls, blocked;
    int failed;
};

/* One s2n_send step. Returns -1 on a real error. */
static int nb_send_step(struct s2n_connection *conn, struct nb_sender *s, const char *what)
{
    if (s->off == s->len) {
        return 0;
    }
    size_t want = s->pending_size;
    if (want == 0) {
        want = s->len - s->off;
        if (want > s->chunk) {
            want = s->chunk;
        }
    }
    s2n_blocked_status blocked = 99;
    s2n_errno = S2N_ERR_T_OK;
    ssize_t n = s2n_send(conn, s->data + s->off, (ssize_t) want, &blocked);
    s->calls++;
    if (n < 0) {
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_send failed after %zu bytes", what, s->off);
            rs2n_print_s2n_error("  s2n error");
            return -1;
        }
        if (blocked != S2N_BLOCKED_ON_WRITE) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_send blocked with *blocked=%d, expected ON_WRITE",
                           what, blocked);
        }
        s->blocked++;
        s->pending_size = want; /* the same buffer and size next time */
        return 0;
    }
    if (blocked != S2N_NOT_BLOCKED) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_send returned %zd with *blocked=%d", what, n, blocked);
    }
    if (n == 0 || (size_t) n > want) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_send returned %zd for %zu bytes", what, n, want);
        return -1;
    }
    if ((size_t) n < want) {
        s->partial++;
    }
    s->off += (size_t) n;
    s->pending_size = 0;
    return 0;
}

/* Receives everything available. Returns -1 on a real error. */
static int nb_recv_step(struct s2n_connection *conn, struct nb_receiver *r, const char *what)
{
    uint8_t buf[5003];
    while (r->off < r->len) {
        size_t want = r->len - r->off;
        if (want > sizeof(buf)) {
            want = sizeof(buf);
        }
        s2n_blocked_status blocked = 99;
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(conn, buf, (ssize_t) want, &blocked);
        r->calls++;
        if (n < 0) {
            if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_recv failed after %zu bytes", what, r->off);
                rs2n_print_s2n_error("  s2n error");
                return -1;
            }
            if (blocked != S2N_BLOCKED_ON_READ) {
                rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_recv blocked with *blocked=%d, expected ON_READ",
                               what, blocked);
            }
            r->blocked++;
            return 0;
        }
        if (n == 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_recv returned 0 (closed) after %zu bytes", what, r->off);
            return -1;
        }
        if (!check_pattern(what, r->seed, r->off, buf, (size_t) n)) {
            return -1;
        }
        r->off += (size_t) n;
    }
    return 0;
}

/* Moves `len` bytes each way, both connections driven from this thread. */
static void nb_transfer(struct s2n_connection *server, struct s2n_connection *client, size_t len,
                        size_t chunk, const char *label, int expect_partial)
{
    uint8_t *c2s = make_pattern(11, len);
    uint8_t *s2c = make_pattern(12, len);
    struct nb_sender cs = { c2s, len, 0, chunk, 0, 0, 0, 0 };
    struct nb_sender ss = { s2c, len, 0, chunk, 0, 0, 0, 0 };
    struct nb_receiver sr = { 11, len, 0, 0, 0, 0 };
    struct nb_receiver cr = { 12, len, 0, 0, 0, 0 };
    unsigned long rounds = 0;
    while (cs.off < len || ss.off < len || sr.off < len || cr.off < len) {
        if (++rounds > 1000000) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: no progress", label);
            break;
        }
        /* Each sender goes on right after a short count, before the peer
         * reads: the transport is still full, so that call blocks. */
        if (nb_send_step(client, &cs, "client send") || nb_send_step(client, &cs, "client send") ||
            nb_send_step(server, &ss, "server send") || nb_send_step(server, &ss, "server send") ||
            nb_recv_step(server, &sr, "server recv") || nb_recv_step(client, &cr, "client recv")) {
            break;
        }
    }
    EXPECT_EQUAL(cs.off, len);
    EXPECT_EQUAL(ss.off, len);
    EXPECT_EQUAL(sr.off, len);
    EXPECT_EQUAL(cr.off, len);
    printf("%s: %zu bytes each way, non-blocking: client send %lu calls (%lu blocked, %lu partial), "
           "server send %lu calls (%lu blocked, %lu partial)\n",
           label, len, cs.calls, cs.blocked, cs.partial, ss.calls, ss.blocked, ss.partial);
    if (expect_partial) {
        /* The transport filled up: both kinds of incomplete s2n_send happened
         * and were handled by the retry contract. */
        EXPECT_TRUE(cs.blocked + ss.blocked > 0);
        EXPECT_TRUE(cs.partial + ss.partial > 0);
        EXPECT_TRUE(sr.blocked + cr.blocked > 0);
    }
    free(c2s);
    free(s2c);
}

static void test_nonblocking_mib(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_print_pair_result("handshake", &res);
        rs2n_pair_close(&p);
        return;
    }
    /* 256 KiB per s2n_send: more than a socket pair buffers. */
    nb_transfer(p.server, p.client, MIB, 256 * 1024, label, 1);
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.server), s2n_connection_get_wire_bytes_out(p.client));
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.client), s2n_connection_get_wire_bytes_out(p.server));
    rs2n_pair_close(&p);
}

static void test_callbacks_transfer(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(server && client);
    EXPECT_SUCCESS(s2n_connection_set_config(server, sc));
    EXPECT_SUCCESS(s2n_connection_set_config(client, cc));
    EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(server, client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_print_pair_result("handshake", &res);
    } else {
        /* A 20000-byte window, 3000 bytes per callback call. */
        m.a.out_limit = m.b.out_limit = 20000;
        m.a.max_io = m.b.max_io = 3000;
        nb_transfer(server, client, 300 * 1000, 64 * 1024, label, 1);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(client), m.b_to_a.total);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(server), m.a_to_b.total);
    }
    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_mem_pipe_free(&m);
}

/* ------------------------------------------------------------------------- */
/* s2n_peek                                                                   */
/* ------------------------------------------------------------------------- */

static ssize_t recv_retry(struct s2n_connection *conn, void *buf, ssize_t len)
{
    s2n_blocked_status blocked;
    for (int i = 0; i < 100000; i++) {
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(conn, buf, len, &blocked);
        if (n >= 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            return n;
        }
    }
    return -1;
}

static void test_peek(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    s2n_blocked_status blocked;
    uint8_t *msg = make_pattern(5, 1000);
    uint8_t buf[1000];

    EXPECT_EQUAL(s2n_peek(p.server), 0);
    EXPECT_EQUAL(s2n_send(p.client, msg, 1000, &blocked), 1000);
    /* Sent, but not decrypted yet. */
    EXPECT_EQUAL(s2n_peek(p.server), 0);
    EXPECT_EQUAL(recv_retry(p.server, buf, 100), 100);
    check_pattern("peek: first 100", 5, 0, buf, 100);
    /* The rest of the record is decrypted and waiting. */
    EXPECT_EQUAL(s2n_peek(p.server), 900);
    EXPECT_EQUAL(s2n_recv(p.server, buf, 400, &blocked), 400);
    check_pattern("peek: next 400", 5, 100, buf, 400);
    EXPECT_EQUAL(s2n_peek(p.server), 500);
    EXPECT_EQUAL(s2n_recv(p.server, buf, sizeof(buf), &blocked), 500);
    check_pattern("peek: last 500", 5, 500, buf, 500);
    EXPECT_EQUAL(s2n_peek(p.server), 0);
    /* Nothing more: blocked on read. */
    EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    /* A zero-length receive is not an end of stream... nor an error. */
    EXPECT_EQUAL(s2n_recv(p.server, buf, 0, &blocked), 0);
    /* The client never received anything. */
    EXPECT_EQUAL(s2n_peek(p.client), 0);
    free(msg);
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */
/* Closing                                                                    */
/* ------------------------------------------------------------------------- */

static void test_shutdown_order(struct s2n_config *sc, struct s2n_config *cc, const char *label,
                                int client_first, int second_reads_first)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    struct s2n_connection *first = client_first ? p.client : p.server;
    struct s2n_connection *second = client_first ? p.server : p.client;
    s2n_blocked_status blocked = 99;
    uint8_t buf[64];

    /* Data in flight before the close is still delivered. */
    EXPECT_EQUAL(s2n_send(first, "last words", 10, &blocked), 10);

    /* The first closer sends close_notify and waits for the peer's. */
    EXPECT_FAILURE_WITH_TYPE(s2n_shutdown(first, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);

    if (second_reads_first) {
        EXPECT_EQUAL(recv_retry(second, buf, sizeof(buf)), 10);
        EXPECT_TRUE(memcmp(buf, "last words", 10) == 0);
        /* Then the close_notify: end of stream. */
        EXPECT_EQUAL(s2n_recv(second, buf, sizeof(buf), &blocked), 0);
        EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
        /* And again: still closed. */
        EXPECT_EQUAL(s2n_recv(second, buf, sizeof(buf), &blocked), 0);
    }
    /* The second closes too (reading, and discarding, whatever is left). */
    EXPECT_SUCCESS(s2n_shutdown(second, &blocked));
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    /* Now the first one's close completes. */
    EXPECT_SUCCESS(s2n_shutdown(first, &blocked));
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    /* Neither can send any more. */
    EXPECT_FAILURE_WITH_TYPE(s2n_send(first, "x", 1, &blocked), S2N_ERR_T_CLOSED);
    EXPECT_FAILURE_WITH_TYPE(s2n_send(second, "x", 1, &blocked), S2N_ERR_T_CLOSED);
    rs2n_pair_close(&p);
}

static void test_shutdown_send(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    s2n_blocked_status blocked = 99;
    uint8_t buf[4096];

    /* The client closes its sending side only: it does not wait. */
    EXPECT_SUCCESS(s2n_shutdown_send(p.client, &blocked));
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    /* Sending afterwards is refused as closed. */
    EXPECT_FAILURE_WITH_TYPE(s2n_send(p.client, "late", 4, &blocked), S2N_ERR_T_CLOSED);
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    /* A second shutdown_send is harmless. */
    EXPECT_SUCCESS(s2n_shutdown_send(p.client, &blocked));

    /* The server can still send, 64 KiB of it, and the client receives it all. */
    size_t len = 64 * 1024;
    uint8_t *data = make_pattern(21, len);
    struct nb_sender ss = { data, len, 0, len, 0, 0, 0, 0 };
    struct nb_receiver cr = { 21, len, 0, 0, 0, 0 };
    for (int i = 0; i < 100000 && (ss.off < len || cr.off < len); i++) {
        if (nb_send_step(p.server, &ss, "server send after client shutdown_send") ||
            nb_recv_step(p.client, &cr, "client recv after its shutdown_send")) {
            break;
        }
    }
    EXPECT_EQUAL(cr.off, len);
    free(data);

    /* The server sees the client's close_notify as end of stream... */
    EXPECT_EQUAL(recv_retry(p.server, buf, sizeof(buf)), 0);
    /* ...which closes only the client's direction (s2n-tls: read_closed):
     * the server can still send, and the half-closed client receive. */
    EXPECT_EQUAL(s2n_send(p.server, "after close_notify", 18, &blocked), 18);
    EXPECT_EQUAL(recv_retry(p.client, buf, sizeof(buf)), 18);
    EXPECT_TRUE(memcmp(buf, "after close_notify", 18) == 0);
    /* The server closes in turn; the client then sees end of stream too. */
    EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    EXPECT_EQUAL(recv_retry(p.client, buf, sizeof(buf)), 0);
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.server), s2n_connection_get_wire_bytes_out(p.client));
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(p.client), s2n_connection_get_wire_bytes_out(p.server));
    printf("%s: shutdown_send then 64 KiB from the peer: ok\n", label);
    rs2n_pair_close(&p);
}

/* A close_notify that cannot be written yet: s2n_shutdown reports blocked on
 * write, then on read, and completes once the peer has read everything. */
static void test_shutdown_blocked_on_write(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    s2n_blocked_status blocked = 99;
    size_t cap = 4 * MIB;
    uint8_t *data = make_pattern(31, cap);
    /* Fill the transport: send until s2n_send blocks. */
    struct nb_sender cs = { data, cap, 0, 64 * 1024, 0, 0, 0, 0 };
    while (cs.blocked == 0 && cs.off < cap) {
        if (nb_send_step(p.client, &cs, "filling the transport")) {
            break;
        }
    }
    EXPECT_TRUE(cs.blocked > 0);
    size_t sent = cs.off;

    EXPECT_FAILURE_WITH_TYPE(s2n_shutdown(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_WRITE);

    /* The server reads what s2n_send reported sent (and possibly the rest of
     * a record that was under way), then the close_notify. */
    struct nb_receiver sr = { 31, sent, 0, 0, 0, 0 };
    int closed = 0;
    for (int i = 0; i < 100000 && !closed; i++) {
        if (sr.off < sr.len) {
            if (nb_recv_step(p.server, &sr, "server draining")) {
                break;
            }
        } else {
            uint8_t buf[4096];
            s2n_errno = S2N_ERR_T_OK;
            ssize_t n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
            if (n == 0) {
                closed = 1;
            } else if (n > 0) {
                check_pattern("server draining tail", 31, sr.off, buf, (size_t) n);
                sr.off += (size_t) n;
                sr.len = sr.off;
            } else if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                rs2n_test_fail(__FILE__, __LINE__, "server s2n_recv failed while draining");
                rs2n_print_s2n_error("  s2n error");
                break;
            }
        }
        /* The client's shutdown goes on as the transport empties. */
        s2n_errno = S2N_ERR_T_OK;
        if (s2n_shutdown(p.client, &blocked) == 0) {
            rs2n_test_fail(__FILE__, __LINE__, "client shutdown completed before the server closed");
            break;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_test_fail(__FILE__, __LINE__, "client s2n_shutdown failed while blocked");
            rs2n_print_s2n_error("  s2n error");
            break;
        }
    }
    EXPECT_TRUE(closed);
    EXPECT_TRUE(sr.off >= sent);
    /* Once its close_notify is out, the client waits for the server's. */
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
    printf("%s: shutdown blocked on write after %zu bytes: ok\n", label, sent);
    free(data);
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */
/* Wipe and reuse                                                             */
/* ------------------------------------------------------------------------- */

static void small_exchange(struct s2n_connection *a, struct s2n_connection *b)
{
    s2n_blocked_status blocked;
    uint8_t buf[16];
    EXPECT_EQUAL(s2n_send(a, "0123456789", 10, &blocked), 10);
    EXPECT_EQUAL(recv_retry(b, buf, sizeof(buf)), 10);
    EXPECT_TRUE(memcmp(buf, "0123456789", 10) == 0);
}

static void test_wipe_and_reuse(void)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    int marker = 7;
    s2n_blocked_status blocked;

    rs2n_pair_open(&p, server_config_13, client_config_13, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &marker));
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_print_pair_result("first handshake", &res);
        rs2n_test_fail(__FILE__, __LINE__, "first handshake failed");
    }
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS13);
    small_exchange(p.client, p.server);
    EXPECT_FAILURE_WITH_TYPE(s2n_shutdown(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));

    for (int round = 0; round < 2; round++) {
        struct s2n_connection *server = p.server, *client = p.client;
        EXPECT_SUCCESS(s2n_connection_wipe(server));
        EXPECT_SUCCESS(s2n_connection_wipe(client));
        /* Everything negotiated is forgotten. */
        EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(server), "INITIAL");
        EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(client), "INITIAL");
        EXPECT_STRING_EQUAL(s2n_connection_get_cipher(server), "TLS_NULL_WITH_NULL_NULL");
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(server), 0);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(server), 0);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(client), 0);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(client), 0);
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(server), S2N_UNKNOWN_PROTOCOL_VERSION);
        EXPECT_NULL(s2n_get_server_name(server));
        EXPECT_NULL(s2n_connection_get_ctx(server));
        EXPECT_EQUAL(s2n_peek(server), 0);
        /* Not connected any more: no sending before a new handshake. */
        EXPECT_FAILURE_WITH_TYPE(s2n_send(client, "x", 1, &blocked), S2N_ERR_T_USAGE);

        rs2n_close(&p.server_fd);
        rs2n_close(&p.client_fd);
        int fds[2];
        REQUIRE(rs2n_socketpair(fds) == 0);
        REQUIRE(rs2n_set_nonblocking(fds[0]) == 0 && rs2n_set_nonblocking(fds[1]) == 0);
        p.server_fd = fds[0];
        p.client_fd = fds[1];
        EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
        EXPECT_SUCCESS(s2n_connection_set_fd(client, fds[1]));
        EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));
        int expect_version = S2N_TLS13;
        if (round == 1) {
            /* A different config after a wipe: now TLS1.2. */
            EXPECT_SUCCESS(s2n_connection_set_config(server, server_config_12));
            EXPECT_SUCCESS(s2n_connection_set_config(client, client_config_12));
            expect_version = S2N_TLS12;
        }
        /* Round 0 keeps the configs across the wipe (rs2n documents that wipe
         * keeps mode and config). */
        if (rs2n_negotiate_pair(server, client, &res) != 0) {
            rs2n_print_pair_result("handshake after wipe", &res);
            rs2n_test_fail(__FILE__, __LINE__, "handshake %d after wipe failed", round + 2);
            continue;
        }
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(server), expect_version);
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(client), expect_version);
        EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(client),
                            expect_version == S2N_TLS13
                                ? "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT"
                                : "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY");
        EXPECT_STRING_EQUAL(s2n_get_server_name(server), "localhost");
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(server), s2n_connection_get_wire_bytes_out(client));
        small_exchange(client, server);
        small_exchange(server, client);
        if (round == 0) {
            /* Wipe without closing first: allowed. */
            continue;
        }
        EXPECT_FAILURE_WITH_TYPE(s2n_shutdown(p.server, &blocked), S2N_ERR_T_BLOCKED);
        EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
        EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    }
    rs2n_pair_close(&p);
    printf("wipe and reuse: ok\n");
}

int main(void)
{
    rs2n_test_begin("test_data", 60);

    server_config_13 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    client_config_13 = rs2n_client_config("ca_cert.pem", "default_tls13");
    server_config_12 = rs2n_server_config(RS2N_CERT_RSA2048, "20240501");
    client_config_12 = rs2n_client_config("ca_cert.pem", "20240501");

    struct {
        const char *label;
        struct s2n_config *sc, *cc;
    } versions[] = {
        { "TLS1.3", server_config_13, client_config_13 },
        { "TLS1.2", server_config_12, client_config_12 },
    };
    for (size_t i = 0; i < 2; i++) {
        const char *l = versions[i].label;
        struct s2n_config *sc = versions[i].sc, *cc = versions[i].cc;
        int before = rs2n_test_failures;
        test_blocking_mib(sc, cc, l);
        test_nonblocking_mib(sc, cc, l);
        test_callbacks_transfer(sc, cc, l);
        test_peek(sc, cc, l);
        test_shutdown_order(sc, cc, l, 1, 1);
        test_shutdown_order(sc, cc, l, 0, 1);
        test_shutdown_order(sc, cc, l, 1, 0);
        test_shutdown_order(sc, cc, l, 0, 0);
        test_shutdown_send(sc, cc, l);
        test_shutdown_blocked_on_write(sc, cc, l);
        printf("%s: %s\n", l, rs2n_test_failures == before ? "ok" : "FAILED");
    }
    test_wipe_and_reuse();

    EXPECT_SUCCESS(s2n_config_free(server_config_13));
    EXPECT_SUCCESS(s2n_config_free(client_config_13));
    EXPECT_SUCCESS(s2n_config_free(server_config_12));
    EXPECT_SUCCESS(s2n_config_free(client_config_12));
    return rs2n_test_finish();
}
