/*
 * Full handshakes, TLS1.3 and TLS1.2, with ECDSA P-256, P-384 and RSA-2048
 * server certificates, over every kind of transport the API offers:
 *   - one socket per side (s2n_connection_set_fd), blocking, one thread per side;
 *   - the same, non-blocking, both sides driven from one thread;
 *   - the application's I/O callbacks over an in-memory pipe (unlimited, and
 *     7 bytes per call with a 100-byte send window so both directions block);
 *   - two pipes (s2n_connection_set_read_fd / s2n_connection_set_write_fd).
 * After each: what both sides report about the handshake (versions, cipher
 * suite, handshake type, server name, wire byte counts, contexts), and a few
 * bytes each way to show both sides derived the same keys.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

struct hs_case {
    const char *policy;
    enum rs2n_cert_kind kind;
    int version;        /* negotiated */
    int max_version;    /* the highest version the policy offers */
    const char *cipher; /* s2n's name of the suite the server picks */
};

static const struct hs_case cases[] = {
    { "default_tls13", RS2N_CERT_ECDSA_P256, S2N_TLS13, S2N_TLS13, "TLS_AES_128_GCM_SHA256" },
    { "default_tls13", RS2N_CERT_ECDSA_P384, S2N_TLS13, S2N_TLS13, "TLS_AES_128_GCM_SHA256" },
    { "default_tls13", RS2N_CERT_RSA2048, S2N_TLS13, S2N_TLS13, "TLS_AES_128_GCM_SHA256" },
    { "20240501", RS2N_CERT_ECDSA_P256, S2N_TLS12, S2N_TLS12, "ECDHE-ECDSA-AES128-GCM-SHA256" },
    { "20240501", RS2N_CERT_ECDSA_P384, S2N_TLS12, S2N_TLS12, "ECDHE-ECDSA-AES128-GCM-SHA256" },
    { "20240501", RS2N_CERT_RSA2048, S2N_TLS12, S2N_TLS12, "ECDHE-RSA-AES128-GCM-SHA256" },
    { "20170210", RS2N_CERT_RSA2048, S2N_TLS12, S2N_TLS12, "ECDHE-RSA-AES128-GCM-SHA256" },
};

enum transport {
    T_FD_BLOCKING_THREADS,
    T_FD_NONBLOCKING,
    T_CALLBACKS,
    T_CALLBACKS_SMALL,
    T_PIPES,
    T_COUNT
};

static const char *transport_name(enum transport t)
{
    switch (t) {
    case T_FD_BLOCKING_THREADS: return "socketpair, blocking, two threads";
    case T_FD_NONBLOCKING: return "socketpair, non-blocking, one thread";
    case T_CALLBACKS: return "I/O callbacks, in-memory";
    case T_CALLBACKS_SMALL: return "I/O callbacks, 7 bytes per call, 100-byte window";
    case T_PIPES: return "two pipes, read_fd/write_fd, non-blocking";
    case T_COUNT: break;
    }
    return "?";
}

static const char *expected_type_name(int version)
{
    return version == S2N_TLS13 ? "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT"
                                : "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY";
}

/* Sends `msg` from one side and receives it on the other. Non-blocking safe:
 * retries while blocked (the peer is not driven, so only tiny messages). */
static void exchange(struct s2n_connection *from, struct s2n_connection *to, const char *msg)
{
    s2n_blocked_status blocked;
    size_t len = strlen(msg);
    ssize_t sent = -1;
    for (int i = 0; i < 1000 && sent < 0; i++) {
        sent = s2n_send(from, msg, (ssize_t) len, &blocked);
        if (sent < 0 && s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            break;
        }
    }
    if (sent != (ssize_t) len) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_send(\"%s\") returned %zd", msg, sent);
        rs2n_print_s2n_error("  s2n error");
        return;
    }
    char buf[256] = { 0 };
    size_t got = 0;
    for (int i = 0; i < 100000 && got < len; i++) {
        ssize_t n = s2n_recv(to, buf + got, (ssize_t) (sizeof(buf) - 1 - got), &blocked);
        if (n > 0) {
            got += (size_t) n;
        } else if (n == 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_test_fail(__FILE__, __LINE__, "s2n_recv returned %zd", n);
            rs2n_print_s2n_error("  s2n error");
            return;
        }
    }
    EXPECT_EQUAL(got, len);
    EXPECT_STRING_EQUAL(buf, msg);
}

static void check_before(struct s2n_connection *server, struct s2n_connection *client)
{
    EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(server), "INITIAL");
    EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(client), "INITIAL");
    EXPECT_STRING_EQUAL(s2n_connection_get_cipher(server), "TLS_NULL_WITH_NULL_NULL");
    EXPECT_STRING_EQUAL(s2n_connection_get_cipher(client), "TLS_NULL_WITH_NULL_NULL");
    /* The server has not seen a ClientHello yet. */
    EXPECT_EQUAL(s2n_connection_get_client_protocol_version(server), S2N_UNKNOWN_PROTOCOL_VERSION);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(server), S2N_UNKNOWN_PROTOCOL_VERSION);
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(server), 0);
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(client), 0);
}

static void check_after(const struct hs_case *c, struct s2n_connection *server,
                        struct s2n_connection *client)
{
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(server), c->version);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(client), c->version);
    /* Client version: the highest the client offers, on both sides. */
    EXPECT_EQUAL(s2n_connection_get_client_protocol_version(client), c->max_version);
    EXPECT_EQUAL(s2n_connection_get_client_protocol_version(server), c->max_version);
    /* Server version: the server's highest on the server; what it chose on the client. */
    EXPECT_EQUAL(s2n_connection_get_server_protocol_version(server), c->max_version);
    EXPECT_EQUAL(s2n_connection_get_server_protocol_version(client), c->version);

    EXPECT_STRING_EQUAL(s2n_connection_get_cipher(server), c->cipher);
    EXPECT_STRING_EQUAL(s2n_connection_get_cipher(client), c->cipher);
    EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(server), expected_type_name(c->version));
    EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(client), expected_type_name(c->version));

    EXPECT_STRING_EQUAL(s2n_get_server_name(server), "localhost");
    EXPECT_STRING_EQUAL(s2n_get_server_name(client), "localhost");

    uint64_t s_in = s2n_connection_get_wire_bytes_in(server);
    uint64_t s_out = s2n_connection_get_wire_bytes_out(server);
    uint64_t c_in = s2n_connection_get_wire_bytes_in(client);
    uint64_t c_out = s2n_connection_get_wire_bytes_out(client);
    EXPECT_EQUAL(s_in, c_out);
    EXPECT_EQUAL(c_in, s_out);
    /* A ClientHello is more than 100 bytes; a server flight with a
     * certificate chain is more than 500. */
    EXPECT_TRUE(c_out > 100);
    EXPECT_TRUE(s_out > 500);

    /* s2n_negotiate on a finished handshake: success again, nothing sent. */
    s2n_blocked_status blocked = 99;
    EXPECT_SUCCESS(s2n_negotiate(server, &blocked));
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    EXPECT_SUCCESS(s2n_negotiate(client, &blocked));
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(server), s_out);
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(client), c_out);

    /* No alert was involved. */
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_alert(server), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_alert(client), S2N_ERR_T_USAGE);

    /* The keys agree both ways, and the byte counts keep adding up. */
    exchange(client, server, "ping from the client");
    exchange(server, client, "pong from the server");
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(server), s2n_connection_get_wire_bytes_out(client));
    EXPECT_EQUAL(s2n_connection_get_wire_bytes_in(client), s2n_connection_get_wire_bytes_out(server));
    EXPECT_TRUE(s2n_connection_get_wire_bytes_out(client) > c_out);
    EXPECT_TRUE(s2n_connection_get_wire_bytes_out(server) > s_out);
}

static int fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void run_case(const struct hs_case *c, struct s2n_config *server_config,
                     struct s2n_config *client_config, enum transport t)
{
    int before = rs2n_test_failures;
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(server);
    REQUIRE_NOT_NULL(client);
    EXPECT_SUCCESS(s2n_connection_set_config(server, server_config));
    EXPECT_SUCCESS(s2n_connection_set_config(client, client_config));
    EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));

    /* Connection contexts: NULL until set, then what was set, kept through the handshake. */
    int server_marker = 1, client_marker = 2;
    EXPECT_NULL(s2n_connection_get_ctx(server));
    EXPECT_SUCCESS(s2n_connection_set_ctx(server, &server_marker));
    EXPECT_SUCCESS(s2n_connection_set_ctx(client, &client_marker));
    EXPECT_TRUE(s2n_connection_get_ctx(server) == &server_marker);
    EXPECT_TRUE(s2n_connection_get_ctx(client) == &client_marker);

    int fds[2] = { -1, -1 };
    int c2s[2] = { -1, -1 }, s2c[2] = { -1, -1 };
    struct rs2n_mem_pipe pipe_mem;
    rs2n_mem_pipe_init(&pipe_mem);
    struct rs2n_pair_result res;
    int rc = -1;

    switch (t) {
    case T_FD_BLOCKING_THREADS:
    case T_FD_NONBLOCKING:
        REQUIRE(rs2n_socketpair(fds) == 0);
        if (t == T_FD_NONBLOCKING) {
            REQUIRE(rs2n_set_nonblocking(fds[0]) == 0 && rs2n_set_nonblocking(fds[1]) == 0);
        }
        EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
        EXPECT_SUCCESS(s2n_connection_set_fd(client, fds[1]));
        check_before(server, client);
        if (t == T_FD_BLOCKING_THREADS) {
            rc = rs2n_negotiate_pair_threaded(server, fds[0], client, fds[1], &res);
            /* Blocking sockets never report blocked. */
            EXPECT_EQUAL(res.server.blocked_read + res.server.blocked_write, 0);
            EXPECT_EQUAL(res.client.blocked_read + res.client.blocked_write, 0);
            EXPECT_EQUAL(res.client.calls, 1);
            EXPECT_EQUAL(res.server.calls, 1);
        } else {
            rc = rs2n_negotiate_pair(server, client, &res);
            /* In one thread the client must wait for the server's answer. */
            EXPECT_TRUE(res.client.blocked_read > 0);
            EXPECT_TRUE(res.server.blocked_read > 0);
        }
        break;
    case T_CALLBACKS:
    case T_CALLBACKS_SMALL:
        if (t == T_CALLBACKS_SMALL) {
            pipe_mem.a.max_io = pipe_mem.b.max_io = 7;
            pipe_mem.a.out_limit = pipe_mem.b.out_limit = 100;
        }
        EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &pipe_mem.a));
        EXPECT_SUCCESS(rs2n_connection_set_mem_io(client, &pipe_mem.b));
        check_before(server, client);
        rc = rs2n_negotiate_pair(server, client, &res);
        /* The callbacks were used, and their EAGAIN became "blocked on read". */
        EXPECT_TRUE(pipe_mem.a.recv_calls > 0 && pipe_mem.a.send_calls > 0);
        EXPECT_TRUE(pipe_mem.b.recv_calls > 0 && pipe_mem.b.send_calls > 0);
        EXPECT_TRUE(res.client.blocked_read > 0);
        if (t == T_CALLBACKS_SMALL) {
            /* A full send window became "blocked on write", and the handshake
             * still went through. */
            EXPECT_TRUE(res.server.blocked_write > 0);
            EXPECT_TRUE(pipe_mem.a.would_block > 0);
        }
        /* Every byte sent through the callbacks was counted, and consumed
         * (the server uses end a, which writes a_to_b). */
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(client), pipe_mem.b_to_a.total);
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(server), pipe_mem.a_to_b.total);
        EXPECT_EQUAL(rs2n_mem_queue_pending(&pipe_mem.a_to_b), 0);
        EXPECT_EQUAL(rs2n_mem_queue_pending(&pipe_mem.b_to_a), 0);
        break;
    case T_PIPES:
        REQUIRE(pipe(c2s) == 0 && pipe(s2c) == 0);
        REQUIRE(rs2n_set_nonblocking(c2s[0]) == 0 && rs2n_set_nonblocking(c2s[1]) == 0);
        REQUIRE(rs2n_set_nonblocking(s2c[0]) == 0 && rs2n_set_nonblocking(s2c[1]) == 0);
        EXPECT_SUCCESS(s2n_connection_set_read_fd(server, c2s[0]));
        EXPECT_SUCCESS(s2n_connection_set_write_fd(server, s2c[1]));
        EXPECT_SUCCESS(s2n_connection_set_read_fd(client, s2c[0]));
        EXPECT_SUCCESS(s2n_connection_set_write_fd(client, c2s[1]));
        check_before(server, client);
        rc = rs2n_negotiate_pair(server, client, &res);
        break;
    case T_COUNT:
        break;
    }

    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        check_after(c, server, client);
    }
    EXPECT_TRUE(s2n_connection_get_ctx(server) == &server_marker);
    EXPECT_TRUE(s2n_connection_get_ctx(client) == &client_marker);

    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(client));
    /* Freeing a connection does not close the file descriptors it was given. */
    if (fds[0] >= 0) {
        EXPECT_TRUE(fd_is_open(fds[0]));
        EXPECT_TRUE(fd_is_open(fds[1]));
    }
    if (c2s[0] >= 0) {
        EXPECT_TRUE(fd_is_open(c2s[0]) && fd_is_open(c2s[1]));
        EXPECT_TRUE(fd_is_open(s2c[0]) && fd_is_open(s2c[1]));
    }
    rs2n_close(&fds[0]);
    rs2n_close(&fds[1]);
    rs2n_close(&c2s[0]);
    rs2n_close(&c2s[1]);
    rs2n_close(&s2c[0]);
    rs2n_close(&s2c[1]);
    rs2n_mem_pipe_free(&pipe_mem);

    printf("%-14s %-12s %-50s %s\n", c->policy, rs2n_cert_kind_name(c->kind), transport_name(t),
           rs2n_test_failures == before ? "ok" : "FAILED");
}

/* ------------------------------------------------------------------------- */
/* Lifetimes documented by rs2n, and configs shared between threads          */
/* ------------------------------------------------------------------------- */

static void test_early_free(void)
{
    /* rs2n: a connection keeps its own reference to its config, and a config
     * to its certificates, so freeing them early is safe (s2n-tls forbids it;
     * rs2n documents it as allowed). Under ASan a use after free shows. */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P384, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake after freeing the configs failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        exchange(p.client, p.server, "configs freed early");
    }
    rs2n_pair_close(&p);
    printf("configs freed while their connections live: ok\n");
}

struct worker {
    struct s2n_config *sc, *cc;
    int ok, failed;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 8; i++) {
        struct rs2n_pair p;
        if (rs2n_pair_handshake(&p, w->sc, w->cc, "localhost", NULL) == 0 &&
            s2n_connection_get_actual_protocol_version(p.client) == S2N_TLS13) {
            w->ok++;
        } else {
            w->failed++;
        }
        rs2n_pair_close(&p);
    }
    return NULL;
}

static void test_shared_configs_threads(void)
{
    /* Fresh configs: their rustls configs are first built while the threads
     * race for them. */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_RSA2048, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct worker workers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        workers[i].sc = sc;
        workers[i].cc = cc;
        workers[i].ok = workers[i].failed = 0;
        REQUIRE(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        EXPECT_EQUAL(workers[i].failed, 0);
        ok += workers[i].ok;
    }
    EXPECT_EQUAL(ok, 32);
    printf("4 threads x 8 handshakes on shared configs: %d ok\n", ok);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

int main(void)
{
    rs2n_test_begin("test_handshake", 60);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct hs_case *c = &cases[i];
        struct s2n_config *server_config = rs2n_server_config(c->kind, c->policy);
        struct s2n_config *client_config = rs2n_client_config("ca_cert.pem", c->policy);

        /* Config contexts: NULL until set, then what was set. */
        void *ctx = &ctx;
        EXPECT_SUCCESS(s2n_config_get_ctx(server_config, &ctx));
        EXPECT_NULL(ctx);
        int marker = 0;
        EXPECT_SUCCESS(s2n_config_set_ctx(server_config, &marker));
        EXPECT_SUCCESS(s2n_config_get_ctx(server_config, &ctx));
        EXPECT_TRUE(ctx == &marker);

        /* One pair of configs serves every connection of the case. */
        for (int t = 0; t < T_COUNT; t++) {
            run_case(c, server_config, client_config, (enum transport) t);
        }

        EXPECT_SUCCESS(s2n_config_get_ctx(server_config, &ctx));
        EXPECT_TRUE(ctx == &marker);
        EXPECT_SUCCESS(s2n_config_set_ctx(server_config, NULL));
        EXPECT_SUCCESS(s2n_config_get_ctx(server_config, &ctx));
        EXPECT_NULL(ctx);

        EXPECT_SUCCESS(s2n_config_free(server_config));
        EXPECT_SUCCESS(s2n_config_free(client_config));
    }

    test_early_free();
    test_shared_configs_threads();

    return rs2n_test_finish();
}
