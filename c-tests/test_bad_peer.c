/*
 * Peers that misbehave. Each must give a clean error of the right class, never
 * a crash or a hang:
 *   - an HTTP request instead of a ClientHello (server: S2N_ERR_T_PROTO), an
 *     HTTP answer instead of a ServerHello (client: S2N_ERR_T_PROTO);
 *   - a peer that goes away mid-handshake: the client after sending its
 *     ClientHello (server: S2N_ERR_T_CLOSED after a half-close; CLOSED or IO
 *     after a full close), the server before answering (client: CLOSED or IO);
 *   - truncated records followed by end of stream (S2N_ERR_T_CLOSED), to the
 *     server and to the client;
 *   - after the handshake: end of stream without close_notify (s2n_recv
 *     returns 0, s2n_shutdown fails with S2N_ERR_T_CLOSED), garbage and forged
 *     records (S2N_ERR_T_PROTO);
 *   - a fuzz loop (fixed seed): random bytes, random records, and mutated real
 *     ClientHellos fed to servers, and random answers fed to clients. Every
 *     call must return -1 with a class in {PROTO, CLOSED, IO, ALERT}.
 * Afterwards the same configs still make normal handshakes.
 */
#include "testlib.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

static struct s2n_config *server_config, *client_config;

/* A bad peer's victim must fail with one of these. */
static int is_peer_error(int type)
{
    return type == S2N_ERR_T_PROTO || type == S2N_ERR_T_CLOSED || type == S2N_ERR_T_IO ||
           type == S2N_ERR_T_ALERT;
}

/* Calls s2n_negotiate until it stops being blocked (or `max` calls). */
static int negotiate_until_done(struct s2n_connection *conn, struct rs2n_side_result *r, int max)
{
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < max; i++) {
        s2n_blocked_status blocked = 99;
        s2n_errno = S2N_ERR_T_OK;
        r->rc = s2n_negotiate(conn, &blocked);
        r->calls++;
        if (r->rc == 0) {
            return 0;
        }
        rs2n_record_error(r);
        if (r->type != S2N_ERR_T_BLOCKED) {
            EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
            return -1;
        }
    }
    return -1;
}

static struct s2n_connection *new_conn(s2n_mode mode)
{
    struct s2n_connection *c = s2n_connection_new(mode);
    REQUIRE_NOT_NULL(c);
    REQUIRE_SUCCESS(s2n_connection_set_config(c, mode == S2N_SERVER ? server_config : client_config));
    if (mode == S2N_CLIENT) {
        REQUIRE_SUCCESS(s2n_set_server_name(c, "localhost"));
    }
    return c;
}

#define EXPECT_SIDE_TYPE(r, expected, what)                                               \
    do {                                                                                  \
        if ((r).rc != -1 || (r).type != (expected)) {                                     \
            rs2n_test_fail(__FILE__, __LINE__, "%s: rc %d, %s (%s: %s), expected %s", what, \
                           (r).rc, rs2n_error_type_name((r).type), (r).name, (r).msg,       \
                           rs2n_error_type_name(expected));                               \
        } else {                                                                          \
            printf("  %-58s %s: %s\n", what, (r).name, (r).msg);                          \
        }                                                                                 \
    } while (0)

#define EXPECT_SIDE_TYPE2(r, t1, t2, what)                                                \
    do {                                                                                  \
        if ((r).rc != -1 || ((r).type != (t1) && (r).type != (t2))) {                     \
            rs2n_test_fail(__FILE__, __LINE__, "%s: rc %d, %s (%s: %s), expected %s or %s", \
                           what, (r).rc, rs2n_error_type_name((r).type), (r).name, (r).msg, \
                           rs2n_error_type_name(t1), rs2n_error_type_name(t2));           \
        } else {                                                                          \
            printf("  %-58s %s: %s\n", what, (r).name, (r).msg);                          \
        }                                                                                 \
    } while (0)

/* The ClientHello a client sends, captured through the I/O callbacks. */
static uint8_t client_hello[4096];
static size_t client_hello_len;

static void capture_client_hello(void)
{
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *client = new_conn(S2N_CLIENT);
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
    s2n_blocked_status blocked;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    client_hello_len = rs2n_mem_queue_pending(&m.b_to_a);
    REQUIRE(client_hello_len > 50 && client_hello_len <= sizeof(client_hello));
    memcpy(client_hello, m.b_to_a.data + m.b_to_a.off, client_hello_len);
    /* A handshake record holding a ClientHello. */
    EXPECT_EQUAL(client_hello[0], 0x16);
    EXPECT_EQUAL(client_hello[5], 0x01);
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_mem_pipe_free(&m);
}

/* ------------------------------------------------------------------------- */

static void test_garbage(void)
{
    printf("garbage instead of a handshake:\n");
    static const char http_request[] = "GET / HTTP/1.1\r\n\r\n";
    static const char http_answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    struct rs2n_side_result r;
    s2n_blocked_status blocked;
    int fds[2];

    /* To a non-blocking server. */
    REQUIRE(rs2n_socketpair(fds) == 0);
    REQUIRE(rs2n_set_nonblocking(fds[0]) == 0);
    struct s2n_connection *server = new_conn(S2N_SERVER);
    EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_BLOCKED);
    REQUIRE(rs2n_write_all(fds[1], http_request, strlen(http_request)) == 0);
    negotiate_until_done(server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_PROTO, "server, HTTP request, non-blocking");
    /* The connection stays failed, with the same class. */
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_PROTO);
    EXPECT_FAILURE_WITH_TYPE(s2n_send(server, "x", 1, &blocked), S2N_ERR_T_PROTO);
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[0]);
    rs2n_close(&fds[1]);

    /* To a blocking server (the request is all the peer ever sends). */
    REQUIRE(rs2n_socketpair(fds) == 0);
    server = new_conn(S2N_SERVER);
    EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
    REQUIRE(rs2n_write_all(fds[1], http_request, strlen(http_request)) == 0);
    negotiate_until_done(server, &r, 1);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_PROTO, "server, HTTP request, blocking");
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[0]);
    rs2n_close(&fds[1]);

    /* To a client, in answer to its ClientHello. */
    REQUIRE(rs2n_socketpair(fds) == 0);
    REQUIRE(rs2n_set_nonblocking(fds[1]) == 0);
    struct s2n_connection *client = new_conn(S2N_CLIENT);
    EXPECT_SUCCESS(s2n_connection_set_fd(client, fds[1]));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    REQUIRE(rs2n_write_all(fds[0], http_answer, strlen(http_answer)) == 0);
    negotiate_until_done(client, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_PROTO, "client, HTTP answer");
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_close(&fds[0]);
    rs2n_close(&fds[1]);
}

/* ------------------------------------------------------------------------- */

static void test_peer_goes_away(void)
{
    printf("peer goes away mid-handshake:\n");
    struct rs2n_pair p;
    struct rs2n_side_result r;
    s2n_blocked_status blocked;

    /* The server's end is closed after the client sent its ClientHello. */
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    rs2n_close(&p.server_fd);
    negotiate_until_done(p.client, &r, 100);
    EXPECT_SIDE_TYPE2(r, S2N_ERR_T_CLOSED, S2N_ERR_T_IO, "client, server end closed");
    rs2n_pair_close(&p);

    /* The client sends its ClientHello and half-closes: the server reads it,
     * answers, then finds end of stream. */
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    REQUIRE(shutdown(p.client_fd, SHUT_WR) == 0);
    negotiate_until_done(p.server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "server, client half-closed after ClientHello");
    /* The server's answer reached the client, which then sees end of stream
     * only if the server's end goes too. */
    rs2n_close(&p.server_fd);
    negotiate_until_done(p.client, &r, 100);
    EXPECT_TRUE(r.rc == -1 && is_peer_error(r.type));
    rs2n_pair_close(&p);

    /* The client closes its socket entirely after its ClientHello: writing the
     * answer may fail (IO) before end of stream is seen (CLOSED). */
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    rs2n_close(&p.client_fd);
    negotiate_until_done(p.server, &r, 100);
    EXPECT_SIDE_TYPE2(r, S2N_ERR_T_CLOSED, S2N_ERR_T_IO, "server, client closed after ClientHello");
    rs2n_pair_close(&p);

    /* The client closes before sending anything. */
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    rs2n_close(&p.client_fd);
    negotiate_until_done(p.server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "server, client closed without a word");
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */

static void test_truncated(void)
{
    printf("truncated records:\n");
    struct rs2n_side_result r;
    s2n_blocked_status blocked;

    /* Half of a real ClientHello, then end of stream: through callbacks ... */
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *server = new_conn(S2N_SERVER);
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
    rs2n_mem_queue_push(&m.b_to_a, client_hello, client_hello_len / 2);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_BLOCKED);
    m.b_to_a.closed = 1;
    negotiate_until_done(server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "server, half a ClientHello (callbacks)");
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_mem_pipe_free(&m);

    /* ... and through a socket. */
    int fds[2];
    REQUIRE(rs2n_socketpair(fds) == 0);
    REQUIRE(rs2n_set_nonblocking(fds[0]) == 0);
    server = new_conn(S2N_SERVER);
    EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
    REQUIRE(rs2n_write_all(fds[1], client_hello, client_hello_len - 1) == 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    rs2n_close(&fds[1]);
    negotiate_until_done(server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "server, ClientHello less one byte (socket)");
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[0]);

    /* Only a record header that promises 512 bytes, then 10 of them. */
    static const uint8_t header[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc,
                                      0x03, 0x03, 0, 0, 0, 0 };
    REQUIRE(rs2n_socketpair(fds) == 0);
    REQUIRE(rs2n_set_nonblocking(fds[0]) == 0);
    server = new_conn(S2N_SERVER);
    EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
    REQUIRE(rs2n_write_all(fds[1], header, sizeof(header)) == 0);
    rs2n_close(&fds[1]);
    negotiate_until_done(server, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "server, record header + 10 bytes");
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[0]);

    /* To a client: the server's first flight cut short, then end of stream. */
    rs2n_mem_pipe_init(&m);
    server = new_conn(S2N_SERVER);
    struct s2n_connection *client = new_conn(S2N_CLIENT);
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_BLOCKED);
    size_t flight = rs2n_mem_queue_pending(&m.a_to_b);
    EXPECT_TRUE(flight > 200);
    /* Keep the first 100 bytes of the server's answer. */
    m.a_to_b.len = m.a_to_b.off + 100;
    m.a_to_b.closed = 1;
    negotiate_until_done(client, &r, 100);
    EXPECT_SIDE_TYPE(r, S2N_ERR_T_CLOSED, "client, server's flight cut at 100 bytes");
    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_mem_pipe_free(&m);
}

/* ------------------------------------------------------------------------- */

static void test_after_handshake(void)
{
    printf("bad peers after the handshake:\n");
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    s2n_blocked_status blocked;
    uint8_t buf[256];

    /* End of stream without close_notify: the client half-closes (it can
     * still read, so the server's close_notify can be sent) or closes. */
    for (int full_close = 0; full_close < 2; full_close++) {
        if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
            rs2n_print_pair_result("handshake", &res);
            rs2n_pair_close(&p);
            continue;
        }
        EXPECT_EQUAL(s2n_send(p.client, "bye", 3, &blocked), 3);
        if (full_close) {
            rs2n_close(&p.client_fd);
        } else {
            REQUIRE(shutdown(p.client_fd, SHUT_WR) == 0);
        }
        ssize_t n = -1;
        for (int i = 0; i < 1000 && n < 0; i++) {
            n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 3);
        /* Then end of stream without close_notify: maybe a truncation attack, so
         * S2N_ERR_CLOSED (as s2n), not the 0 of a clean end, every time. */
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_CLOSED);
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CLOSED");
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_CLOSED);
        /* Closing cannot complete properly: the peer never sent close_notify.
         * With the peer's socket gone entirely, sending our close_notify may
         * fail first (EPIPE: S2N_ERR_T_IO). */
        s2n_errno = S2N_ERR_T_OK;
        int rc = s2n_shutdown(p.server, &blocked);
        int type = s2n_error_get_type(s2n_errno);
        EXPECT_EQUAL(rc, -1);
        if (full_close) {
            EXPECT_TRUE(type == S2N_ERR_T_CLOSED || type == S2N_ERR_T_IO);
        } else {
            EXPECT_EQUAL(type, S2N_ERR_T_CLOSED);
        }
        printf("  %-58s %s: %s\n",
               full_close ? "server s2n_shutdown after the client closed"
                          : "server s2n_shutdown after the client half-closed",
               s2n_strerror_name(s2n_errno), s2n_strerror(s2n_errno, "EN"));
        rs2n_pair_close(&p);
    }

    /* Plain-text garbage where records should be. */
    if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) == 0) {
        static const char junk[] = "GET / HTTP/1.1\r\n\r\n";
        REQUIRE(rs2n_write_all(p.client_fd, junk, strlen(junk)) == 0);
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_PROTO);
        printf("  %-58s %s: %s\n", "server s2n_recv of plain text", s2n_strerror_name(s2n_errno),
               s2n_strerror(s2n_errno, "EN"));
        /* And it stays failed. */
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_PROTO);
    } else {
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
    }
    rs2n_pair_close(&p);

    /* A well-formed application_data record that does not decrypt. */
    if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) == 0) {
        uint8_t forged[5 + 64];
        forged[0] = 0x17;
        forged[1] = 0x03;
        forged[2] = 0x03;
        forged[3] = 0x00;
        forged[4] = 64;
        for (size_t i = 5; i < sizeof(forged); i++) {
            forged[i] = (uint8_t) (i * 37);
        }
        REQUIRE(rs2n_write_all(p.server_fd, forged, sizeof(forged)) == 0);
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.client, buf, sizeof(buf), &blocked), S2N_ERR_T_PROTO);
        printf("  %-58s %s: %s\n", "client s2n_recv of a forged record", s2n_strerror_name(s2n_errno),
               s2n_strerror(s2n_errno, "EN"));
    } else {
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
    }
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */
/* Fuzz                                                                       */
/* ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
    /* xorshift64*: the same sequence on every platform. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) ((rng_state * 2685821657736338717ull) >> 32);
}

/* Fills buf with one fuzz input of kind `kind`; returns its length. */
static size_t make_input(int kind, uint8_t *buf, size_t cap)
{
    size_t len;
    switch (kind) {
    case 0: /* random bytes */
        len = 1 + rng() % 1500;
        for (size_t i = 0; i < len; i++) {
            buf[i] = (uint8_t) rng();
        }
        return len;
    case 1: /* a handshake record header with a random length, random body */
        len = 5 + rng() % 1500;
        for (size_t i = 0; i < len; i++) {
            buf[i] = (uint8_t) rng();
        }
        buf[0] = 0x16;
        buf[1] = 0x03;
        buf[2] = 0x01;
        return len;
    case 2: /* a consistent record holding a "ClientHello" of random bytes */
        len = 9 + rng() % 1000;
        for (size_t i = 0; i < len; i++) {
            buf[i] = (uint8_t) rng();
        }
        buf[0] = 0x16;
        buf[1] = 0x03;
        buf[2] = 0x01;
        buf[3] = (uint8_t) ((len - 5) >> 8);
        buf[4] = (uint8_t) (len - 5);
        buf[5] = 0x01;
        buf[6] = 0;
        buf[7] = (uint8_t) ((len - 9) >> 8);
        buf[8] = (uint8_t) (len - 9);
        return len;
    default: { /* a real ClientHello with a few bytes changed, maybe cut short */
        len = client_hello_len;
        memcpy(buf, client_hello, len);
        int flips = 1 + (int) (rng() % 8);
        for (int i = 0; i < flips; i++) {
            buf[rng() % len] = (uint8_t) rng();
        }
        if (rng() % 4 == 0) {
            len = 1 + rng() % len;
        }
        return len;
    }
    }
    (void) cap;
}

struct fuzz_stats {
    unsigned long by_type[8];
    unsigned long runs;
};

static void record_outcome(struct fuzz_stats *st, const struct rs2n_side_result *r, int iteration,
                           const char *who)
{
    st->runs++;
    if (r->rc != -1 || !is_peer_error(r->type)) {
        rs2n_test_fail(__FILE__, __LINE__, "fuzz %s iteration %d: rc %d, %s (%s: %s)", who,
                       iteration, r->rc, rs2n_error_type_name(r->type), r->name, r->msg);
    }
    if (r->msg[0] == '\0') {
        rs2n_test_fail(__FILE__, __LINE__, "fuzz %s iteration %d: empty message", who, iteration);
    }
    if (r->type >= 0 && r->type < 8) {
        st->by_type[r->type]++;
    }
}

static void test_fuzz_server(void)
{
    static uint8_t input[4096];
    struct fuzz_stats st;
    memset(&st, 0, sizeof(st));
    struct s2n_connection *reused = new_conn(S2N_SERVER);

    for (int i = 0; i < 200; i++) {
        size_t len = make_input(i % 4, input, sizeof(input));
        struct rs2n_side_result r;
        if (i % 10 == 9) {
            /* Over a socket: the bytes, then end of stream. */
            int fds[2];
            REQUIRE(rs2n_socketpair(fds) == 0);
            REQUIRE(rs2n_set_nonblocking(fds[0]) == 0);
            struct s2n_connection *server = new_conn(S2N_SERVER);
            EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
            REQUIRE(rs2n_write_all(fds[1], input, len) == 0);
            REQUIRE(shutdown(fds[1], SHUT_WR) == 0);
            negotiate_until_done(server, &r, 100);
            record_outcome(&st, &r, i, "server (socket)");
            EXPECT_SUCCESS(s2n_connection_free(server));
            rs2n_close(&fds[0]);
            rs2n_close(&fds[1]);
            continue;
        }
        /* Through callbacks; every other input on one connection, wiped in
         * between (wipe must work after any failure). */
        struct rs2n_mem_pipe m;
        rs2n_mem_pipe_init(&m);
        rs2n_mem_queue_push(&m.b_to_a, input, len);
        m.b_to_a.closed = 1;
        struct s2n_connection *server;
        if (i % 2) {
            server = reused;
            EXPECT_SUCCESS(s2n_connection_wipe(server));
        } else {
            server = new_conn(S2N_SERVER);
        }
        EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
        negotiate_until_done(server, &r, 100);
        record_outcome(&st, &r, i, "server");
        /* The failure is final. */
        s2n_blocked_status blocked;
        EXPECT_EQUAL(s2n_negotiate(server, &blocked), -1);
        EXPECT_TRUE(is_peer_error(s2n_error_get_type(s2n_errno)));
        if (server != reused) {
            EXPECT_SUCCESS(s2n_connection_free(server));
        }
        rs2n_mem_pipe_free(&m);
    }
    EXPECT_SUCCESS(s2n_connection_free(reused));
    printf("fuzz, servers: %lu inputs: PROTO %lu, CLOSED %lu, IO %lu, ALERT %lu\n", st.runs,
           st.by_type[S2N_ERR_T_PROTO], st.by_type[S2N_ERR_T_CLOSED], st.by_type[S2N_ERR_T_IO],
           st.by_type[S2N_ERR_T_ALERT]);
    /* The inputs were varied enough to reach more than one kind of failure. */
    EXPECT_TRUE(st.by_type[S2N_ERR_T_PROTO] > 0);
    EXPECT_TRUE(st.by_type[S2N_ERR_T_CLOSED] > 0);
}

static void test_fuzz_client(void)
{
    static uint8_t input[4096];
    struct fuzz_stats st;
    memset(&st, 0, sizeof(st));
    for (int i = 0; i < 60; i++) {
        size_t len = make_input(i % 3, input, sizeof(input));
        if (i % 3 == 2) {
            input[5] = 0x02; /* a "ServerHello" */
        }
        struct rs2n_mem_pipe m;
        rs2n_mem_pipe_init(&m);
        struct s2n_connection *client = new_conn(S2N_CLIENT);
        EXPECT_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
        s2n_blocked_status blocked;
        EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
        rs2n_mem_queue_push(&m.a_to_b, input, len);
        m.a_to_b.closed = 1;
        struct rs2n_side_result r;
        negotiate_until_done(client, &r, 100);
        record_outcome(&st, &r, i, "client");
        EXPECT_SUCCESS(s2n_connection_free(client));
        rs2n_mem_pipe_free(&m);
    }
    printf("fuzz, clients: %lu inputs: PROTO %lu, CLOSED %lu, IO %lu, ALERT %lu\n", st.runs,
           st.by_type[S2N_ERR_T_PROTO], st.by_type[S2N_ERR_T_CLOSED], st.by_type[S2N_ERR_T_IO],
           st.by_type[S2N_ERR_T_ALERT]);
}

static void test_still_works(void)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "normal handshake after the bad peers failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        s2n_blocked_status blocked;
        char buf[8];
        EXPECT_EQUAL(s2n_send(p.client, "fine", 4, &blocked), 4);
        ssize_t n = -1;
        for (int i = 0; i < 1000 && n < 0; i++) {
            n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 4);
        printf("normal handshake with the same configs afterwards: ok\n");
    }
    rs2n_pair_close(&p);
}

int main(void)
{
    rs2n_test_begin("test_bad_peer", 60);
    server_config = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default");
    client_config = rs2n_client_config("ca_cert.pem", "default");

    capture_client_hello();
    test_garbage();
    test_peer_goes_away();
    test_truncated();
    test_after_handshake();
    test_fuzz_server();
    test_fuzz_client();
    test_still_works();

    EXPECT_SUCCESS(s2n_config_free(server_config));
    EXPECT_SUCCESS(s2n_config_free(client_config));
    return rs2n_test_finish();
}
