/*
 * The unstable API rs2n ships (include/s2n/unstable/, as s2n-tls installs it):
 *   - cleanup.h: s2n_cleanup_thread frees the thread's stack trace, keeps the
 *     last error, and may be called any number of times, on any thread, before
 *     s2n_init too;
 *   - npn.h: s2n_config_set_npn(false) succeeds, true is refused (rustls has no
 *     NPN) and the config still works;
 *   - renegotiate.h: the request callback is accepted (never called: rustls
 *     rejects every HelloRequest); s2n_renegotiate_wipe and s2n_renegotiate are
 *     refused, on client and server, after a TLS1.2 handshake, and the
 *     connection still carries data; S2N_BLOCKED_ON_APPLICATION_DATA is s2n's
 *     value; NULL arguments are usage errors.
 */
#include <pthread.h>

#include <s2n/unstable/cleanup.h>
#include <s2n/unstable/npn.h>
#include <s2n/unstable/renegotiate.h>

#include "testlib.h"
#include "refused.h"

/* s2n-tls's layout of the (opaque in s2n.h) struct s2n_stacktrace. */
struct s2n_stacktrace {
    char **trace;
    int trace_size;
};

static void *cleanup_on_thread(void *arg)
{
    (void) arg;
    /* A thread that never called rs2n before, twice. */
    EXPECT_SUCCESS(s2n_cleanup_thread());
    EXPECT_SUCCESS(s2n_cleanup_thread());
    return NULL;
}

static void cleanup_thread(void)
{
    /* With a stack trace to free: s2n_get_stacktrace has one, then none. */
    EXPECT_SUCCESS(s2n_stack_traces_enabled_set(true));
    EXPECT_SUCCESS(s2n_calculate_stacktrace());
    struct s2n_stacktrace trace = { NULL, -1 };
    EXPECT_SUCCESS(s2n_get_stacktrace(&trace));
    EXPECT_TRUE(trace.trace_size > 0);
    EXPECT_SUCCESS(s2n_cleanup_thread());
    EXPECT_SUCCESS(s2n_get_stacktrace(&trace));
    EXPECT_EQUAL(trace.trace_size, 0);
    EXPECT_SUCCESS(s2n_stack_traces_enabled_set(false));

    /* The last error stays readable. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_npn(NULL, false), S2N_ERR_T_USAGE);
    int err = s2n_errno;
    EXPECT_EQUAL(s2n_cleanup_thread(), S2N_SUCCESS);
    EXPECT_EQUAL(s2n_errno, err);
    EXPECT_STRING_EQUAL(s2n_strerror_name(err), "S2N_ERR_NULL");

    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, cleanup_on_thread, NULL) == 0);
    REQUIRE(pthread_join(t, NULL) == 0);
}

static void npn(void)
{
    struct s2n_config *config = s2n_config_new();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_set_npn(config, false));
    EXPECT_REFUSED(s2n_config_set_npn(config, true), "NPN");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_npn(NULL, true), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_SUCCESS(s2n_config_free(config));
}

static int callback_calls;

static int renegotiate_cb(struct s2n_connection *conn, void *ctx, s2n_renegotiate_response *response)
{
    (void) conn;
    (void) ctx;
    callback_calls++;
    *response = S2N_RENEGOTIATE_ACCEPT;
    return S2N_SUCCESS;
}

static void expect_data(struct s2n_connection *from, struct s2n_connection *to)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_EQUAL(s2n_send(from, "ping", 4, &blocked), 4);
    char buf[8] = { 0 };
    ssize_t n = -1;
    for (int i = 0; i < 100 && n < 0; i++) {
        n = s2n_recv(to, buf, sizeof(buf), &blocked);
    }
    EXPECT_EQUAL(n, 4);
    EXPECT_EQUAL(memcmp(buf, "ping", 4), 0);
}

static void renegotiate(void)
{
    EXPECT_EQUAL(S2N_BLOCKED_ON_APPLICATION_DATA, S2N_BLOCKED_ON_EARLY_DATA);
    EXPECT_EQUAL(S2N_RENEGOTIATE_IGNORE, 0);
    EXPECT_EQUAL(S2N_RENEGOTIATE_REJECT, 1);
    EXPECT_EQUAL(S2N_RENEGOTIATE_ACCEPT, 2);

    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "20240501");
    REQUIRE_NOT_NULL(server);
    REQUIRE_NOT_NULL(client);
    EXPECT_SUCCESS(s2n_config_set_renegotiate_request_cb(client, renegotiate_cb, &callback_calls));
    EXPECT_SUCCESS(s2n_config_set_renegotiate_request_cb(client, NULL, NULL));
    EXPECT_SUCCESS(s2n_config_set_renegotiate_request_cb(client, renegotiate_cb, NULL));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_renegotiate_request_cb(NULL, renegotiate_cb, NULL),
                             S2N_ERR_T_USAGE);

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    REQUIRE(rs2n_pair_handshake(&p, server, client, "localhost", &res) == 0);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), S2N_TLS12);

    uint8_t buf[16];
    ssize_t size = 99;
    s2n_blocked_status blocked = S2N_BLOCKED_ON_READ;
    struct s2n_connection *both[] = { p.client, p.server };
    for (int i = 0; i < 2; i++) {
        EXPECT_REFUSED(s2n_renegotiate_wipe(both[i]), "renegotiat");
        size = 99;
        blocked = S2N_BLOCKED_ON_READ;
        EXPECT_REFUSED(s2n_renegotiate(both[i], buf, sizeof(buf), &size, &blocked), "renegotiat");
        EXPECT_EQUAL(size, 0);
        EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    }
    /* The connection goes on with its keys. */
    expect_data(p.client, p.server);
    expect_data(p.server, p.client);
    EXPECT_EQUAL(callback_calls, 0);

    /* NULL arguments. */
    EXPECT_FAILURE_WITH_TYPE(s2n_renegotiate_wipe(NULL), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_renegotiate(NULL, buf, sizeof(buf), &size, &blocked), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_renegotiate(p.client, buf, sizeof(buf), NULL, &blocked), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_renegotiate(p.client, buf, sizeof(buf), &size, NULL), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");

    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
}

int main(void)
{
    /* Before s2n_init, as s2n-tls allows. */
    EXPECT_SUCCESS(s2n_cleanup_thread());
    rs2n_test_begin("unstable", 60);
    cleanup_thread();
    npn();
    renegotiate();
    return rs2n_test_finish();
}
