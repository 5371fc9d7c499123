/*
 * Inside the early-data callback the connection is usable, as in s2n-tls: the
 * callback reads it (s2n_connection_get_ctx, s2n_get_server_name,
 * s2n_connection_get_client_hello, the negotiated PSK identity, the offered
 * context, s2n_get_application_protocol: the protocol the server will choose,
 * the early data status and maximum) and decides with
 * s2n_offered_early_data_accept / _reject. Calls that drive or end the
 * connection fail cleanly with S2N_ERR_CONNECTION_IN_USE, from inside the
 * callback and from another thread meanwhile: s2n_negotiate,
 * s2n_recv_early_data, s2n_shutdown, s2n_connection_wipe, s2n_connection_free.
 *   - synchronous: the callback accepts (or rejects) and the handshake goes on
 *     in the same s2n_recv_early_data call;
 *   - deferred: the callback returns without deciding; s2n_recv_early_data
 *     blocks on application input (the application may read the connection
 *     meanwhile) until another thread accepts or rejects;
 *   - a failing callback fails the handshake with S2N_ERR_CANCELLED, and the
 *     connection, no longer pinned, can be wiped.
 */
#include "testlib.h"

#include <pthread.h>

#define MAX_EARLY 1024
#define CONTEXT "tenant-42"

struct env {
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

static const char *const protocols[] = { "h2", "http/1.1" };

static void env_open(struct env *e)
{
    rs2n_cache_fixture_open(&rs2n_versions[1], 2031, &e->clock, &e->cache, &e->server, &e->client);
    e->cache.take_long_keys = 1;
    REQUIRE_SUCCESS(s2n_config_set_server_max_early_data_size(e->server, MAX_EARLY));
    REQUIRE_SUCCESS(s2n_config_set_protocol_preferences(e->server, protocols, 2));
    REQUIRE_SUCCESS(s2n_config_set_protocol_preferences(e->client, protocols + 1, 1));
}

static void env_close(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

/* A session from a full handshake, stored with the early data context. */
static void full_session(struct env *e, struct rs2n_session *out)
{
    rs2n_early_full_session(e->server, e->client, CONTEXT, out);
}

enum answer { ACCEPT, REJECT, LATER_ACCEPT, LATER_REJECT, FAIL };

/* What the callback saw. */
static struct {
    enum answer answer;
    int calls;
    struct s2n_connection *conn;
    struct s2n_offered_early_data *offered;
    void *ctx;
    char server_name[64];
    int has_client_hello;
    uint8_t identity[512];
    uint16_t identity_len;
    char context[32];
    char protocol[32];
    int status;
    uint32_t max;
    /* The error names of the calls refused inside the callback, in order:
     * s2n_negotiate, s2n_recv_early_data, s2n_shutdown, s2n_connection_wipe,
     * s2n_connection_free, and s2n_negotiate from another thread. */
    const char *refused[6];
} cb;

static const char *error_name_of(int rc)
{
    return rc == S2N_SUCCESS ? "success" : s2n_strerror_name(s2n_errno);
}

static void *negotiate_elsewhere(void *conn)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    return (void *) error_name_of(s2n_negotiate(conn, &blocked));
}

static int early_cb(struct s2n_connection *conn, struct s2n_offered_early_data *early_data)
{
    cb.calls++;
    cb.conn = conn;
    cb.offered = early_data;
    cb.ctx = s2n_connection_get_ctx(conn);
    const char *name = s2n_get_server_name(conn);
    snprintf(cb.server_name, sizeof(cb.server_name), "%s", name ? name : "(null)");
    cb.has_client_hello = s2n_connection_get_client_hello(conn) != NULL;
    if (s2n_connection_get_negotiated_psk_identity_length(conn, &cb.identity_len) != 0
        || s2n_connection_get_negotiated_psk_identity(conn, cb.identity, sizeof(cb.identity)) != 0) {
        cb.identity_len = 0;
    }
    uint16_t len = 0;
    if (s2n_offered_early_data_get_context_length(early_data, &len) == 0 && len < sizeof(cb.context)) {
        (void) s2n_offered_early_data_get_context(early_data, (uint8_t *) cb.context, len);
    }
    const char *protocol = s2n_get_application_protocol(conn);
    snprintf(cb.protocol, sizeof(cb.protocol), "%s", protocol ? protocol : "(null)");
    s2n_early_data_status_t status = -1;
    cb.status = s2n_connection_get_early_data_status(conn, &status) == 0 ? (int) status : -1;
    if (s2n_connection_get_max_early_data_size(conn, &cb.max) != 0) {
        cb.max = 0;
    }

    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    uint8_t buf[16];
    ssize_t got = 0;
    cb.refused[0] = error_name_of(s2n_negotiate(conn, &blocked));
    cb.refused[1] = error_name_of(s2n_recv_early_data(conn, buf, sizeof(buf), &got, &blocked));
    cb.refused[2] = error_name_of(s2n_shutdown(conn, &blocked));
    cb.refused[3] = error_name_of(s2n_connection_wipe(conn));
    cb.refused[4] = error_name_of(s2n_connection_free(conn));
    pthread_t t;
    void *elsewhere = NULL;
    REQUIRE(pthread_create(&t, NULL, negotiate_elsewhere, conn) == 0);
    pthread_join(t, &elsewhere);
    cb.refused[5] = elsewhere;

    switch (cb.answer) {
    case ACCEPT:
        return s2n_offered_early_data_accept(early_data);
    case REJECT:
        return s2n_offered_early_data_reject(early_data);
    case LATER_ACCEPT:
    case LATER_REJECT:
        return S2N_SUCCESS;
    case FAIL:
        return S2N_FAILURE;
    }
    return S2N_FAILURE;
}

static void check_inside(struct s2n_connection *server, struct env *e)
{
    (void) e;
    EXPECT_EQUAL(cb.calls, 1);
    EXPECT_EQUAL(cb.conn, server);
    EXPECT_EQUAL(cb.ctx, &cb);
    EXPECT_STRING_EQUAL(cb.server_name, "localhost");
    EXPECT_TRUE(cb.has_client_hello);
    EXPECT_TRUE(cb.identity_len > 0);
    EXPECT_STRING_EQUAL(cb.context, CONTEXT);
    /* The server's first protocol the client offers. */
    EXPECT_STRING_EQUAL(cb.protocol, "http/1.1");
    EXPECT_EQUAL(cb.status, S2N_EARLY_DATA_STATUS_OK);
    EXPECT_EQUAL(cb.max, MAX_EARLY);
    for (int i = 0; i < 6; i++) {
        EXPECT_STRING_EQUAL(cb.refused[i], "S2N_ERR_CONNECTION_IN_USE");
    }
}

/* After the handshake: the identity the callback read is the one negotiated. */
static void check_identity(struct s2n_connection *server)
{
    uint16_t len = 0;
    uint8_t id[512];
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity_length(server, &len));
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity(server, id, sizeof(id)));
    EXPECT_EQUAL(len, cb.identity_len);
    EXPECT_TRUE(memcmp(id, cb.identity, len) == 0);
}

struct decision {
    struct s2n_offered_early_data *offered;
    int accept;
    int rc, again_rc;
};

static void *decide_elsewhere(void *arg)
{
    struct decision *d = arg;
    d->rc = d->accept ? s2n_offered_early_data_accept(d->offered)
                      : s2n_offered_early_data_reject(d->offered);
    /* The first answer stands. */
    d->again_rc = s2n_offered_early_data_accept(d->offered);
    return NULL;
}

static void test_answer(enum answer answer)
{
    struct env e;
    env_open(&e);
    REQUIRE_SUCCESS(s2n_config_set_early_data_cb(e.server, early_cb));
    struct rs2n_session s;
    full_session(&e, &s);
    memset(&cb, 0, sizeof(cb));
    cb.answer = answer;

    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, e.server, e.client, "localhost");
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &cb));
    REQUIRE(rs2n_offer_session(p.client, &s) == 0);
    EXPECT_EQUAL(rs2n_send_early(p.client, "GET /0rtt"), 9);
    uint8_t buf[64] = { 0 };
    ssize_t got;

    if (answer == LATER_ACCEPT || answer == LATER_REJECT) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t total = 0;
        int pending_seen = 0;
        for (int i = 0; i < 10 && !pending_seen; i++) {
            if (rs2n_recv_early_round(p.server, p.client, buf, sizeof(buf), &total, &blocked) == 0) {
                break;
            }
            EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
            pending_seen = blocked == S2N_BLOCKED_ON_APPLICATION_INPUT;
        }
        EXPECT_TRUE(pending_seen);
        EXPECT_EQUAL(total, 0);
        EXPECT_EQUAL(cb.calls, 1);
        /* Still waiting, the callback not run again; the connection is readable. */
        EXPECT_FAILURE_WITH_TYPE(rs2n_recv_early_round(p.server, p.client, buf, sizeof(buf), &total, &blocked),
                                 S2N_ERR_T_BLOCKED);
        EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
        EXPECT_EQUAL(cb.calls, 1);
        EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_OK);
        EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.server), "http/1.1");

        struct decision d = { .offered = cb.offered, .accept = answer == LATER_ACCEPT };
        pthread_t t;
        REQUIRE(pthread_create(&t, NULL, decide_elsewhere, &d) == 0);
        pthread_join(t, NULL);
        EXPECT_EQUAL(d.rc, S2N_SUCCESS);
        EXPECT_EQUAL(d.again_rc, S2N_FAILURE);
    }
    got = rs2n_recv_early(p.server, p.client, buf, sizeof(buf));
    check_inside(p.server, &e);
    if (answer == FAIL) {
        EXPECT_EQUAL(got, -1);
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CANCELLED");
        /* No longer pinned: it can be wiped and used again. */
        EXPECT_SUCCESS(s2n_connection_wipe(p.server));
        rs2n_pair_close(&p);
        env_close(&e);
        return;
    }
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.server), "http/1.1");
    check_identity(p.server);
    if (answer == ACCEPT || answer == LATER_ACCEPT) {
        EXPECT_EQUAL(got, 9);
        EXPECT_TRUE(memcmp(buf, "GET /0rtt", 9) == 0);
        EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
        EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_END);
    } else {
        EXPECT_EQUAL(got, 0);
        EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_REJECTED);
        EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_REJECTED);
    }
    rs2n_pair_close(&p);
    env_close(&e);
}

int main(void)
{
    rs2n_test_begin("test_early_data_callback", 60);
    test_answer(ACCEPT);
    test_answer(REJECT);
    test_answer(LATER_ACCEPT);
    test_answer(LATER_REJECT);
    test_answer(FAIL);
    return rs2n_test_finish();
}
