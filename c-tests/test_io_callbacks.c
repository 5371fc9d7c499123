/*
 * The application's I/O callbacks (s2n_connection_set_recv_cb/send_cb and
 * their contexts), as s2n-tls defines them:
 *   - each callback gets its own context, whether set before or after it;
 *   - -1 with errno EAGAIN is "blocked" (covered in test_handshake/test_data);
 *   - -1 with errno EINTR is retried by s2n-tls (S2N_IO_RETRY_EINTR around the
 *     callback in s2n_connection_recv_stuffer/send_stuffer): an interrupted
 *     call is not an error;
 *   - -1 with another errno is S2N_ERR_T_IO, and errno still holds the
 *     callback's value afterwards (s2n's advice for S2N_ERR_T_IO: "check
 *     system errno"); likewise for file descriptors;
 *   - 0 from the recv callback is end of stream: S2N_ERR_T_CLOSED;
 *   - a callback that reports more bytes than it was given room for is an
 *     error, not a crash;
 *   - a recv callback may itself call s2n_recv on another connection (two reads
 *     nested on one thread, each with its own buffer): both get their data.
 */
#include "testlib.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

static struct s2n_config *server_config, *client_config;

/* A callback context that wraps an in-memory end and can misbehave. */
struct wrapped {
    struct rs2n_mem_end *end;
    unsigned long calls;
    int eintr_every;       /* > 0: every n-th call fails with EINTR first */
    unsigned long eintr_count;
    int fail_errno;        /* != 0: fail with this errno once armed */
    int armed;
    int return_zero;       /* recv: report end of stream once armed */
    int overreport;        /* report len + 1 once armed */
    const void *expected_self;
    int wrong_ctx;
};

static int wrapped_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct wrapped *w = ctx;
    if (w->expected_self && ctx != w->expected_self) {
        w->wrong_ctx = 1;
    }
    w->calls++;
    if (w->armed) {
        if (w->fail_errno) {
            errno = w->fail_errno;
            return -1;
        }
        if (w->return_zero) {
            return 0;
        }
        if (w->overreport && len > 0) {
            return (int) len + 1;
        }
    }
    if (w->eintr_every > 0 && w->calls % (unsigned long) w->eintr_every == 0) {
        w->eintr_count++;
        errno = EINTR;
        return -1;
    }
    return rs2n_mem_recv(w->end, buf, len);
}

static int wrapped_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct wrapped *w = ctx;
    w->calls++;
    if (w->armed) {
        if (w->fail_errno) {
            errno = w->fail_errno;
            return -1;
        }
        if (w->overreport) {
            return (int) len + 1;
        }
    }
    if (w->eintr_every > 0 && w->calls % (unsigned long) w->eintr_every == 0) {
        w->eintr_count++;
        errno = EINTR;
        return -1;
    }
    return rs2n_mem_send(w->end, buf, len);
}

struct cb_pair {
    struct rs2n_mem_pipe m;
    struct wrapped s_recv, s_send, c_recv, c_send;
    struct s2n_connection *server, *client;
};

/* Server and client over wrapped callbacks. With ctx_first, the contexts are
 * set before the callbacks. */
static void cb_pair_open(struct cb_pair *p, int ctx_first)
{
    memset(p, 0, sizeof(*p));
    rs2n_mem_pipe_init(&p->m);
    p->s_recv.end = p->s_send.end = &p->m.a;
    p->c_recv.end = p->c_send.end = &p->m.b;
    p->s_recv.expected_self = &p->s_recv;
    p->c_recv.expected_self = &p->c_recv;
    p->server = s2n_connection_new(S2N_SERVER);
    p->client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(p->server && p->client);
    REQUIRE_SUCCESS(s2n_connection_set_config(p->server, server_config));
    REQUIRE_SUCCESS(s2n_connection_set_config(p->client, client_config));
    REQUIRE_SUCCESS(s2n_set_server_name(p->client, "localhost"));
    if (ctx_first) {
        EXPECT_SUCCESS(s2n_connection_set_recv_ctx(p->server, &p->s_recv));
        EXPECT_SUCCESS(s2n_connection_set_send_ctx(p->server, &p->s_send));
        EXPECT_SUCCESS(s2n_connection_set_recv_ctx(p->client, &p->c_recv));
        EXPECT_SUCCESS(s2n_connection_set_send_ctx(p->client, &p->c_send));
    }
    EXPECT_SUCCESS(s2n_connection_set_recv_cb(p->server, wrapped_recv));
    EXPECT_SUCCESS(s2n_connection_set_send_cb(p->server, wrapped_send));
    EXPECT_SUCCESS(s2n_connection_set_recv_cb(p->client, wrapped_recv));
    EXPECT_SUCCESS(s2n_connection_set_send_cb(p->client, wrapped_send));
    if (!ctx_first) {
        EXPECT_SUCCESS(s2n_connection_set_recv_ctx(p->server, &p->s_recv));
        EXPECT_SUCCESS(s2n_connection_set_send_ctx(p->server, &p->s_send));
        EXPECT_SUCCESS(s2n_connection_set_recv_ctx(p->client, &p->c_recv));
        EXPECT_SUCCESS(s2n_connection_set_send_ctx(p->client, &p->c_send));
    }
}

static void cb_pair_close(struct cb_pair *p)
{
    EXPECT_SUCCESS(s2n_connection_free(p->server));
    EXPECT_SUCCESS(s2n_connection_free(p->client));
    rs2n_mem_pipe_free(&p->m);
}

static void test_contexts(void)
{
    for (int ctx_first = 0; ctx_first < 2; ctx_first++) {
        struct cb_pair p;
        struct rs2n_pair_result res;
        cb_pair_open(&p, ctx_first);
        if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "handshake over callbacks failed (contexts set %s)",
                           ctx_first ? "first" : "last");
            rs2n_print_pair_result("handshake", &res);
        }
        /* Each callback was called, with its own context. */
        EXPECT_TRUE(p.s_recv.calls > 0 && p.s_send.calls > 0);
        EXPECT_TRUE(p.c_recv.calls > 0 && p.c_send.calls > 0);
        EXPECT_FALSE(p.s_recv.wrong_ctx);
        EXPECT_FALSE(p.c_recv.wrong_ctx);
        cb_pair_close(&p);
    }
    printf("contexts: ok\n");
}

static void test_eintr(void)
{
    /* Every 3rd call of the recv callbacks, then of the send callbacks, fails
     * with EINTR (once: the retry goes through). */
    for (int which = 0; which < 2; which++) {
        const char *what = which == 0 ? "recv" : "send";
        struct cb_pair p;
        struct rs2n_pair_result res;
        cb_pair_open(&p, 1);
        if (which == 0) {
            p.s_recv.eintr_every = p.c_recv.eintr_every = 3;
        } else {
            p.s_send.eintr_every = p.c_send.eintr_every = 2;
        }
        int rc = rs2n_negotiate_pair(p.server, p.client, &res);
        unsigned long interrupted = p.s_recv.eintr_count + p.s_send.eintr_count +
                                    p.c_recv.eintr_count + p.c_send.eintr_count;
        EXPECT_TRUE(interrupted > 0);
        if (rc != 0) {
            /* s2n-tls retries a callback that fails with EINTR; an interrupted
             * system call is not a broken connection. */
            rs2n_test_fail(__FILE__, __LINE__,
                           "handshake failed when the %s callbacks were interrupted (EINTR) %lu time(s)",
                           what, interrupted);
            rs2n_print_pair_result("handshake with EINTR", &res);
        } else {
            printf("EINTR from the %s callbacks (%lu times): retried, handshake ok\n", what, interrupted);
        }
        cb_pair_close(&p);
    }
}

static void test_callback_errors(void)
{
    printf("callback failures:\n");
    struct cb_pair p;
    struct rs2n_side_result r;
    s2n_blocked_status blocked;

    /* recv fails with ECONNRESET: S2N_ERR_T_IO, errno kept. */
    cb_pair_open(&p, 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    p.c_recv.armed = 1;
    p.c_recv.fail_errno = ECONNRESET;
    errno = 0;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(p.client, &blocked);
    int saved_errno = errno;
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_EQUAL(r.type, S2N_ERR_T_IO);
    EXPECT_EQUAL(saved_errno, ECONNRESET);
    printf("  recv callback ECONNRESET: %s: %s (errno afterwards: %s)\n", r.name, r.msg,
           strerror(saved_errno));
    cb_pair_close(&p);

    /* send fails with EPIPE. */
    cb_pair_open(&p, 1);
    p.c_send.armed = 1;
    p.c_send.fail_errno = EPIPE;
    errno = 0;
    s2n_errno = S2N_ERR_T_OK;
    rc = s2n_negotiate(p.client, &blocked);
    saved_errno = errno;
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_EQUAL(r.type, S2N_ERR_T_IO);
    EXPECT_EQUAL(saved_errno, EPIPE);
    printf("  send callback EPIPE: %s: %s (errno afterwards: %s)\n", r.name, r.msg, strerror(saved_errno));
    cb_pair_close(&p);

    /* recv reports end of stream. */
    cb_pair_open(&p, 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    p.c_recv.armed = 1;
    p.c_recv.return_zero = 1;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_CLOSED);
    printf("  recv callback returns 0: %s: %s\n", s2n_strerror_name(s2n_errno), s2n_strerror(s2n_errno, "EN"));
    cb_pair_close(&p);

    /* recv claims one byte more than the room it was given. */
    cb_pair_open(&p, 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    p.c_recv.armed = 1;
    p.c_recv.overreport = 1;
    s2n_errno = S2N_ERR_T_OK;
    rc = s2n_negotiate(p.client, &blocked);
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_TRUE(r.type != S2N_ERR_T_OK && r.type != S2N_ERR_T_BLOCKED);
    printf("  recv callback over-reports: %s (%s): %s\n", r.name, rs2n_error_type_name(r.type), r.msg);
    cb_pair_close(&p);

    /* send claims one byte more than it was given. */
    cb_pair_open(&p, 1);
    p.c_send.armed = 1;
    p.c_send.overreport = 1;
    s2n_errno = S2N_ERR_T_OK;
    rc = s2n_negotiate(p.client, &blocked);
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_TRUE(r.type != S2N_ERR_T_OK && r.type != S2N_ERR_T_BLOCKED);
    printf("  send callback over-reports: %s (%s): %s\n", r.name, rs2n_error_type_name(r.type), r.msg);
    cb_pair_close(&p);
}

static void test_fd_errno(void)
{
    printf("file descriptor failures:\n");
    s2n_blocked_status blocked;
    struct rs2n_side_result r;

    /* Writing to a socket whose peer is gone: EPIPE, and no SIGPIPE. The
     * test's SIGPIPE handler is SIG_IGN; s2n-tls itself uses MSG_NOSIGNAL. */
    int fds[2];
    REQUIRE(rs2n_socketpair(fds) == 0);
    rs2n_close(&fds[1]);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(client);
    EXPECT_SUCCESS(s2n_connection_set_config(client, client_config));
    EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));
    EXPECT_SUCCESS(s2n_connection_set_fd(client, fds[0]));
    errno = 0;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(client, &blocked);
    int saved_errno = errno;
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_EQUAL(r.type, S2N_ERR_T_IO);
    EXPECT_EQUAL(saved_errno, EPIPE);
    printf("  socket peer closed: %s: %s (errno afterwards: %s)\n", r.name, r.msg, strerror(saved_errno));
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_close(&fds[0]);

    /* A descriptor that is not open: EBADF. */
    REQUIRE(rs2n_socketpair(fds) == 0);
    int dead = fds[0];
    rs2n_close(&fds[0]);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(server);
    EXPECT_SUCCESS(s2n_connection_set_config(server, server_config));
    EXPECT_SUCCESS(s2n_connection_set_fd(server, dead));
    errno = 0;
    s2n_errno = S2N_ERR_T_OK;
    rc = s2n_negotiate(server, &blocked);
    saved_errno = errno;
    rs2n_record_error(&r);
    EXPECT_EQUAL(rc, -1);
    EXPECT_EQUAL(r.type, S2N_ERR_T_IO);
    EXPECT_EQUAL(saved_errno, EBADF);
    printf("  closed descriptor: %s: %s (errno afterwards: %s)\n", r.name, r.msg, strerror(saved_errno));
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[1]);
}

/* A recv callback that first receives on another connection. */
struct nesting {
    struct rs2n_mem_end *end;
    struct s2n_connection *other;
    char got[16];
    ssize_t got_len;
    int calls;
};

static int nesting_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct nesting *n = ctx;
    if (n->calls++ == 0) {
        s2n_blocked_status blocked;
        n->got_len = s2n_recv(n->other, n->got, sizeof(n->got), &blocked);
    }
    return rs2n_mem_recv(n->end, buf, len);
}

static void test_nested_recv(void)
{
    struct rs2n_pair outer, inner;
    struct rs2n_pair_result res;
    rs2n_pair_open_mem(&outer, server_config, client_config, "localhost");
    rs2n_pair_open_mem(&inner, server_config, client_config, "localhost");
    REQUIRE(rs2n_negotiate_pair(outer.server, outer.client, &res) == 0);
    REQUIRE(rs2n_negotiate_pair(inner.server, inner.client, &res) == 0);
    EXPECT_SUCCESS(rs2n_read_tickets(outer.client));
    EXPECT_SUCCESS(rs2n_read_tickets(inner.client));
    s2n_blocked_status blocked;
    struct nesting n = { &outer.pipe.b, inner.client, { 0 }, 0, 0 };
    EXPECT_SUCCESS(s2n_connection_set_recv_cb(outer.client, nesting_recv));
    EXPECT_SUCCESS(s2n_connection_set_recv_ctx(outer.client, &n));
    for (int round = 0; round < 2; round++) {
        EXPECT_EQUAL(s2n_send(outer.server, "outer", 5, &blocked), 5);
        EXPECT_EQUAL(s2n_send(inner.server, "inner", 5, &blocked), 5);
        char buf[16];
        /* Round 0 nests; round 1 reads both one after the other. */
        EXPECT_EQUAL(s2n_recv(outer.client, buf, sizeof(buf), &blocked), 5);
        EXPECT_TRUE(memcmp(buf, "outer", 5) == 0);
        if (round == 1) {
            n.got_len = s2n_recv(inner.client, n.got, sizeof(n.got), &blocked);
        }
        EXPECT_EQUAL(n.got_len, 5);
        EXPECT_TRUE(memcmp(n.got, "inner", 5) == 0);
    }
    printf("nested s2n_recv: both connections read their data\n");
    rs2n_pair_close(&outer);
    rs2n_pair_close(&inner);
}

int main(void)
{
    rs2n_test_begin("test_io_callbacks", 60);
    server_config = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    client_config = rs2n_client_config("ca_cert.pem", "default_tls13");

    test_contexts();
    test_callback_errors();
    test_fd_errno();
    test_eintr();
    test_nested_recv();

    EXPECT_SUCCESS(s2n_config_free(server_config));
    EXPECT_SUCCESS(s2n_config_free(client_config));
    return rs2n_test_finish();
}
