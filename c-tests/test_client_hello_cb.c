/*
 * The client hello callback, as an application uses it:
 *   - SNI-based selection: the callback swaps the connection's config for one
 *     whose certificate names what the client asked for ("wrong.example"), so
 *     the client's hostname check passes (without the swap it fails: the
 *     default certificate names "localhost");
 *   - inside the callback the connection is usable (s2n_get_server_name,
 *     s2n_connection_get_ctx, s2n_connection_get_client_hello,
 *     s2n_connection_set_config, s2n_connection_server_name_extension_used)
 *     but s2n_negotiate, s2n_shutdown, s2n_connection_wipe and
 *     s2n_connection_free are refused with S2N_ERR_CONNECTION_IN_USE (a usage
 *     error: *blocked is S2N_NOT_BLOCKED);
 *   - a connection setting changed inside the callback (client authentication
 *     required) applies to the handshake;
 *   - a negative return rejects the handshake (S2N_ERR_CANCELLED on the server,
 *     an alert on the client); the connection can be wiped and used again;
 *   - non-blocking mode: s2n_negotiate blocks on application input (without
 *     running the callback again) until s2n_client_hello_cb_done, then
 *     completes; done called from inside the callback does not block;
 *   - the callback runs once per handshake, a HelloRetryRequest included;
 *   - bad arguments and states: NULL config or conn, an unknown mode,
 *     s2n_client_hello_cb_done in blocking mode or before the callback ran,
 *     s2n_connection_server_name_extension_used on a client or afterwards.
 */
#include "testlib.h"

enum action { GO_ON, SWAP_BY_SNI, REJECT, LATER, DONE_INSIDE, REQUIRE_CLIENT_CERT };

static struct {
    enum action action;
    struct s2n_config *sni_config;
    unsigned calls;
    char name[64];
    struct s2n_connection *conn;
    void *ctx_seen;
} cb;

static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    EXPECT_EQUAL(ctx, &cb);
    cb.calls++;
    cb.conn = conn;
    const char *name = s2n_get_server_name(conn);
    snprintf(cb.name, sizeof(cb.name), "%s", name ? name : "");
    EXPECT_NOT_NULL(s2n_connection_get_client_hello(conn));
    cb.ctx_seen = s2n_connection_get_ctx(conn);
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(conn, &blocked), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE");
    /* A usage error, not blocked. */
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_shutdown(conn, &blocked), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE");
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_wipe(conn), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_free(conn), S2N_ERR_T_USAGE);
    switch (cb.action) {
    case GO_ON:
        return 0;
    case SWAP_BY_SNI:
        if (name && strcmp(name, "wrong.example") == 0) {
            EXPECT_SUCCESS(s2n_connection_set_config(conn, cb.sni_config));
            EXPECT_SUCCESS(s2n_connection_server_name_extension_used(conn));
        }
        return 0;
    case REJECT:
        return -1;
    case LATER:
        return 0;
    case DONE_INSIDE:
        EXPECT_SUCCESS(s2n_client_hello_cb_done(conn));
        return 0;
    case REQUIRE_CLIENT_CERT:
        EXPECT_SUCCESS(s2n_connection_set_client_auth_type(conn, S2N_CERT_AUTH_REQUIRED));
        return 0;
    }
    return 0;
}

static void reset(enum action action)
{
    cb.action = action;
    cb.calls = 0;
    cb.name[0] = 0;
    cb.conn = NULL;
    cb.ctx_seen = NULL;
}

static void sni_selection(struct s2n_config *server, struct s2n_config *client)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;

    /* Control: no swap, the client refuses the "localhost" certificate. */
    reset(GO_ON);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "wrong.example", &res), -1);
    EXPECT_EQUAL(res.client.type, S2N_ERR_T_PROTO);
    EXPECT_EQUAL(cb.calls, 1);
    rs2n_pair_close(&p);

    reset(SWAP_BY_SNI);
    rs2n_pair_open(&p, server, client, "wrong.example", 1);
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &cb));
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_print_pair_result("SNI swap", &res);
        rs2n_test_fail(__FILE__, __LINE__, "the handshake with the swapped config failed");
    }
    EXPECT_EQUAL(cb.calls, 1);
    EXPECT_STRING_EQUAL(cb.name, "wrong.example");
    EXPECT_EQUAL(cb.conn, p.server);
    EXPECT_EQUAL(cb.ctx_seen, &cb);
    /* Too late now. */
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_server_name_extension_used(p.server), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_server_name_extension_used(p.client), S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);

    /* A client naming "localhost" keeps the default config. */
    reset(SWAP_BY_SNI);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", &res), 0);
    EXPECT_STRING_EQUAL(cb.name, "localhost");
    rs2n_pair_close(&p);
}

/* A setting changed on the connection inside the callback applies to the
 * handshake: client authentication required, and the client has no certificate. */
static void connection_setting(struct s2n_config *server, struct s2n_config *client)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    reset(REQUIRE_CLIENT_CERT);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", &res), -1);
    EXPECT_EQUAL(cb.calls, 1);
    EXPECT_STRING_EQUAL(res.server.name, "S2N_ERR_MISSING_CLIENT_CERT");
    rs2n_pair_close(&p);
}

static void rejection(struct s2n_config *server, struct s2n_config *client)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    reset(REJECT);
    rs2n_pair_open(&p, server, client, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &cb));
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), -1);
    EXPECT_EQUAL(cb.calls, 1);
    EXPECT_STRING_EQUAL(res.server.name, "S2N_ERR_CANCELLED");
    EXPECT_EQUAL(res.server.type, S2N_ERR_T_PROTO);
    EXPECT_EQUAL(res.client.type, S2N_ERR_T_ALERT);
    /* The failure stands; the connection wipes and frees. */
    s2n_blocked_status blocked;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_PROTO);
    EXPECT_SUCCESS(s2n_connection_wipe(p.server));
    rs2n_pair_close(&p);
}

static void non_blocking(struct s2n_config *server, struct s2n_config *client)
{
    EXPECT_SUCCESS(s2n_config_set_client_hello_cb_mode(server, S2N_CLIENT_HELLO_CB_NONBLOCKING));
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    reset(LATER);
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &cb));
    /* Before the ClientHello: the callback has not run. */
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_cb_done(p.server), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_ASYNC_NOT_PERFORMED");
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    for (int i = 0; i < 3; i++) {
        blocked = S2N_NOT_BLOCKED;
        EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_BLOCKED);
        EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_ASYNC_BLOCKED");
    }
    EXPECT_EQUAL(cb.calls, 1);
    /* Nothing was sent while waiting. */
    EXPECT_EQUAL(rs2n_mem_queue_pending(p.pipe.a.out), 0);
    EXPECT_SUCCESS(s2n_client_hello_cb_done(p.server));
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), 0);
    EXPECT_EQUAL(cb.calls, 1);
    rs2n_pair_close(&p);

    reset(DONE_INSIDE);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", &res), 0);
    EXPECT_EQUAL(cb.calls, 1);
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_set_client_hello_cb_mode(server, S2N_CLIENT_HELLO_CB_BLOCKING));
}

static void retry(void)
{
    /* The client's one key share is x25519 ("20240603" prefers it), which the
     * server's groups ("20230317": NIST curves) exclude: a HelloRetryRequest,
     * then a second ClientHello; the callback runs once. */
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "20240603");
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20230317");
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(server, hello_cb, &cb));
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    reset(GO_ON);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", &res), 0);
    EXPECT_EQUAL(cb.calls, 1);
    const char *type = s2n_connection_get_handshake_type_name(p.server);
    EXPECT_TRUE(type != NULL && strstr(type, "HELLO_RETRY_REQUEST") != NULL);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
}

static void bad_arguments(struct s2n_config *server)
{
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_client_hello_cb(NULL, hello_cb, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_client_hello_cb_mode(NULL, S2N_CLIENT_HELLO_CB_BLOCKING),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_client_hello_cb_mode(server, (s2n_client_hello_cb_mode) 7),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_cb_done(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_server_name_extension_used(NULL), S2N_ERR_T_USAGE);
    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(conn);
    EXPECT_SUCCESS(s2n_connection_set_config(conn, server));
    /* Blocking mode: nothing to mark done. */
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_cb_done(conn), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    /* Before the ClientHello, a server may say it used the name. */
    EXPECT_SUCCESS(s2n_connection_server_name_extension_used(conn));
    EXPECT_SUCCESS(s2n_connection_free(conn));
}

int main(void)
{
    rs2n_test_begin("client_hello_cb", 60);
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *wrong = rs2n_server_config(RS2N_CERT_WRONG_NAME, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(server, hello_cb, &cb));
    cb.sni_config = wrong;

    sni_selection(server, client);
    rejection(server, client);
    connection_setting(server, client);
    non_blocking(server, client);
    retry();
    bad_arguments(server);

    /* NULL removes the callback. */
    EXPECT_SUCCESS(s2n_config_set_client_hello_cb(server, NULL, NULL));
    struct rs2n_pair p;
    reset(REJECT);
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", NULL), 0);
    EXPECT_EQUAL(cb.calls, 0);
    rs2n_pair_close(&p);

    s2n_config_free(server);
    s2n_config_free(wrong);
    s2n_config_free(client);
    return rs2n_test_finish();
}
