/*
 * One thread in s2n_recv and another in s2n_send on the same connection, as
 * s2n allows after the handshake (full-duplex proxies and stream libraries):
 *   - over blocking sockets, TLS1.3 and TLS1.2, four threads (a reader and a
 *     writer on each of the two connections) stream 4 MiB each way at once;
 *     every byte is checked, no call fails (no S2N_ERR_CONNECTION_IN_USE), and
 *     each side ends with s2n_shutdown_send while its reader still reads, then
 *     reads s2n_recv's 0 after the peer's close_notify;
 *   - while a thread is inside s2n_recv (held in its recv callback), s2n_send
 *     and s2n_shutdown_send work from another thread; a second s2n_recv,
 *     s2n_negotiate, s2n_shutdown, s2n_peek, s2n_connection_wipe and
 *     s2n_connection_free are refused with S2N_ERR_CONNECTION_IN_USE;
 *   - while a thread is inside s2n_send (held in its send callback), s2n_recv,
 *     s2n_peek and s2n_peek_buffered work from another thread; a second s2n_send
 *     and s2n_shutdown_send are refused.
 */
#include "testlib.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define STREAM_LEN (4 * 1024 * 1024)

static uint8_t pattern_byte(unsigned seed, size_t i)
{
    uint32_t x = (uint32_t) i * 2654435761u + seed * 40503u;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return (uint8_t) x;
}

#define EXPECT_IN_USE(call)                                                       \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE"); \
    } while (0)

/* ------------------------------------------------------------------------- */
/* Streaming both ways at once                                               */
/* ------------------------------------------------------------------------- */

struct direction {
    struct s2n_connection *conn;
    unsigned seed;
    size_t done;
    int failed;
    int in_use; /* S2N_ERR_CONNECTION_IN_USE seen */
};

static void note_failure(struct direction *d, const char *what, ssize_t n)
{
    d->failed = 1;
    if (s2n_errno && strcmp(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE") == 0) {
        d->in_use = 1;
    }
    rs2n_test_fail(__FILE__, __LINE__, "%s returned %zd after %zu bytes", what, n, d->done);
    rs2n_print_s2n_error("  s2n error");
}

static void *writer(void *arg)
{
    struct direction *d = arg;
    uint8_t chunk[20011]; /* more than a record, and prime */
    s2n_blocked_status blocked;
    while (d->done < STREAM_LEN) {
        size_t want = STREAM_LEN - d->done;
        if (want > sizeof(chunk)) {
            want = sizeof(chunk);
        }
        for (size_t i = 0; i < want; i++) {
            chunk[i] = pattern_byte(d->seed, d->done + i);
        }
        size_t off = 0;
        while (off < want) {
            ssize_t n = s2n_send(d->conn, chunk + off, (ssize_t) (want - off), &blocked);
            if (n <= 0) {
                note_failure(d, "s2n_send", n);
                return NULL;
            }
            off += (size_t) n;
        }
        d->done += want;
    }
    if (s2n_shutdown_send(d->conn, &blocked) != S2N_SUCCESS) {
        note_failure(d, "s2n_shutdown_send", -1);
    }
    return NULL;
}

static void *reader(void *arg)
{
    struct direction *d = arg;
    uint8_t buf[7919];
    s2n_blocked_status blocked;
    for (;;) {
        ssize_t n = s2n_recv(d->conn, buf, sizeof(buf), &blocked);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            note_failure(d, "s2n_recv", n);
            return NULL;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != pattern_byte(d->seed, d->done + (size_t) i)) {
                rs2n_test_fail(__FILE__, __LINE__, "byte %zu differs", d->done + (size_t) i);
                d->failed = 1;
                return NULL;
            }
        }
        d->done += (size_t) n;
    }
    if (d->done != STREAM_LEN) {
        rs2n_test_fail(__FILE__, __LINE__, "end of data after %zu of %d bytes", d->done, STREAM_LEN);
        d->failed = 1;
    }
    return NULL;
}

static void test_streaming(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 0);
    if (rs2n_negotiate_pair_threaded(p.server, p.server_fd, p.client, p.client_fd, &res) != 0) {
        rs2n_print_pair_result(label, &res);
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    struct direction d[4] = {
        { .conn = p.client, .seed = 1 }, /* client writes */
        { .conn = p.server, .seed = 1 }, /* server reads it */
        { .conn = p.server, .seed = 2 }, /* server writes */
        { .conn = p.client, .seed = 2 }, /* client reads it */
    };
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        REQUIRE(pthread_create(&t[i], NULL, i % 2 == 0 ? writer : reader, &d[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    for (int i = 0; i < 4; i++) {
        EXPECT_FALSE(d[i].failed);
        EXPECT_FALSE(d[i].in_use);
        EXPECT_EQUAL(d[i].done, (size_t) STREAM_LEN);
    }
    /* Both closed cleanly: s2n_shutdown completes at once. */
    s2n_blocked_status blocked;
    EXPECT_SUCCESS(s2n_shutdown(p.server, &blocked));
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
    printf("%s: 4 MiB each way at once: %s\n", label,
           d[0].failed || d[1].failed || d[2].failed || d[3].failed ? "FAILED" : "ok");
    rs2n_pair_close(&p);
}

/* ------------------------------------------------------------------------- */
/* Which calls may overlap a call held inside its transport callback         */
/* ------------------------------------------------------------------------- */

struct gate {
    int fd;
    pthread_mutex_t m;
    pthread_cond_t c;
    int inside; /* a callback is waiting at the gate */
    int hold;   /* callbacks wait until this is 0 */
};

static void gate_wait(struct gate *g)
{
    pthread_mutex_lock(&g->m);
    if (g->hold) {
        g->inside = 1;
        pthread_cond_broadcast(&g->c);
        while (g->hold) {
            pthread_cond_wait(&g->c, &g->m);
        }
        g->inside = 0;
    }
    pthread_mutex_unlock(&g->m);
}

static void gate_await_inside(struct gate *g)
{
    pthread_mutex_lock(&g->m);
    while (!g->inside) {
        pthread_cond_wait(&g->c, &g->m);
    }
    pthread_mutex_unlock(&g->m);
}

static void gate_set(struct gate *g, int hold)
{
    pthread_mutex_lock(&g->m);
    g->hold = hold;
    pthread_cond_broadcast(&g->c);
    pthread_mutex_unlock(&g->m);
}

static int gated_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct gate *g = ctx;
    gate_wait(g);
    return (int) read(g->fd, buf, len);
}

static int gated_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct gate *g = ctx;
    gate_wait(g);
    return (int) send(g->fd, buf, len, MSG_NOSIGNAL);
}

struct call {
    struct s2n_connection *conn;
    uint8_t buf[64];
    ssize_t n;
};

static void *call_recv(void *arg)
{
    struct call *c = arg;
    s2n_blocked_status blocked;
    c->n = s2n_recv(c->conn, c->buf, sizeof(c->buf), &blocked);
    return NULL;
}

static void *call_send(void *arg)
{
    struct call *c = arg;
    s2n_blocked_status blocked;
    memset(c->buf, 'S', sizeof(c->buf));
    c->n = s2n_send(c->conn, c->buf, sizeof(c->buf), &blocked);
    return NULL;
}

/* The server over gated callbacks, the client over its plain blocking fd. */
static void test_refused(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 0);
    struct gate rg = { .fd = p.server_fd }, sg = { .fd = p.server_fd };
    pthread_mutex_init(&rg.m, NULL);
    pthread_cond_init(&rg.c, NULL);
    pthread_mutex_init(&sg.m, NULL);
    pthread_cond_init(&sg.c, NULL);
    EXPECT_SUCCESS(s2n_connection_set_recv_cb(p.server, gated_recv));
    EXPECT_SUCCESS(s2n_connection_set_recv_ctx(p.server, &rg));
    EXPECT_SUCCESS(s2n_connection_set_send_cb(p.server, gated_send));
    EXPECT_SUCCESS(s2n_connection_set_send_ctx(p.server, &sg));
    if (rs2n_negotiate_pair_threaded(p.server, p.server_fd, p.client, p.client_fd, &res) != 0) {
        rs2n_print_pair_result(label, &res);
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    s2n_blocked_status blocked;
    uint8_t buf[64];
    struct s2n_connection *s = p.server;

    /* A thread inside s2n_recv. */
    struct call inside = { .conn = s };
    pthread_t t;
    gate_set(&rg, 1);
    REQUIRE(pthread_create(&t, NULL, call_recv, &inside) == 0);
    gate_await_inside(&rg);
    EXPECT_IN_USE(s2n_recv(s, buf, sizeof(buf), &blocked));
    EXPECT_IN_USE(s2n_negotiate(s, &blocked));
    EXPECT_IN_USE(s2n_shutdown(s, &blocked));
    EXPECT_IN_USE(s2n_connection_wipe(s));
    EXPECT_IN_USE(s2n_connection_free(s));
    EXPECT_EQUAL(s2n_peek(s), 0);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE");
    /* The other direction works meanwhile. */
    EXPECT_EQUAL(s2n_send(s, "to client", 9, &blocked), 9);
    EXPECT_EQUAL(s2n_recv(p.client, buf, sizeof(buf), &blocked), 9);
    EXPECT_EQUAL(memcmp(buf, "to client", 9), 0);
    /* The held s2n_recv gets what the client sends. */
    EXPECT_EQUAL(s2n_send(p.client, "to server", 9, &blocked), 9);
    gate_set(&rg, 0);
    pthread_join(t, NULL);
    EXPECT_EQUAL(inside.n, 9);
    EXPECT_EQUAL(memcmp(inside.buf, "to server", 9), 0);

    /* A thread inside s2n_send. */
    struct call sending = { .conn = s };
    gate_set(&sg, 1);
    REQUIRE(pthread_create(&t, NULL, call_send, &sending) == 0);
    gate_await_inside(&sg);
    EXPECT_IN_USE(s2n_send(s, buf, sizeof(buf), &blocked));
    EXPECT_IN_USE(s2n_shutdown_send(s, &blocked));
    EXPECT_IN_USE(s2n_negotiate(s, &blocked));
    /* The receiving side works meanwhile, s2n_peek included. */
    EXPECT_EQUAL(s2n_send(p.client, "again", 5, &blocked), 5);
    EXPECT_EQUAL(s2n_recv(s, buf, 2, &blocked), 2);
    EXPECT_EQUAL(s2n_peek(s), 3);
    EXPECT_EQUAL(s2n_peek_buffered(s), 0);
    EXPECT_EQUAL(s2n_recv(s, buf + 2, sizeof(buf) - 2, &blocked), 3);
    EXPECT_EQUAL(memcmp(buf, "again", 5), 0);
    gate_set(&sg, 0);
    pthread_join(t, NULL);
    EXPECT_EQUAL(sending.n, (ssize_t) sizeof(sending.buf));
    EXPECT_EQUAL(s2n_recv(p.client, buf, sizeof(buf), &blocked), (ssize_t) sizeof(buf));

    /* s2n_shutdown_send while a thread waits in s2n_recv: the client answers
     * with its own close_notify, which ends that s2n_recv with 0. */
    gate_set(&rg, 1);
    REQUIRE(pthread_create(&t, NULL, call_recv, &inside) == 0);
    gate_await_inside(&rg);
    gate_set(&rg, 0);
    EXPECT_SUCCESS(s2n_shutdown_send(s, &blocked));
    EXPECT_SUCCESS(s2n_shutdown(p.client, &blocked));
    pthread_join(t, NULL);
    EXPECT_EQUAL(inside.n, 0);
    EXPECT_SUCCESS(s2n_shutdown(s, &blocked));
    printf("%s: refused and allowed overlaps checked\n", label);

    rs2n_pair_close(&p);
    pthread_mutex_destroy(&rg.m);
    pthread_cond_destroy(&rg.c);
    pthread_mutex_destroy(&sg.m);
    pthread_cond_destroy(&sg.c);
}

int main(void)
{
    rs2n_test_begin("test_full_duplex", 120);
    struct s2n_config *sc13 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc13 = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct s2n_config *sc12 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *cc12 = rs2n_client_config("ca_cert.pem", "20240501");

    test_streaming(sc13, cc13, "TLS1.3");
    test_streaming(sc12, cc12, "TLS1.2");
    test_refused(sc13, cc13, "TLS1.3");
    test_refused(sc12, cc12, "TLS1.2");

    EXPECT_SUCCESS(s2n_config_free(sc13));
    EXPECT_SUCCESS(s2n_config_free(cc13));
    EXPECT_SUCCESS(s2n_config_free(sc12));
    EXPECT_SUCCESS(s2n_config_free(cc12));
    return rs2n_test_finish();
}
