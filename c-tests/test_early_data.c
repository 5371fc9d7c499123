/*
 * TLS1.3 early data (0-RTT) as an application uses it, following s2n's usage
 * guide: the client calls s2n_send_early_data before s2n_negotiate, the server
 * s2n_recv_early_data until it succeeds, then both negotiate.
 *   - with the session cache on and tickets off, a resumed client's early data
 *     is accepted up to the server's maximum, both sides report END and the
 *     sizes; the session's context reaches the early-data callback, which
 *     accepts or rejects, now or later (the handshake waits), and reads the PSK
 *     identity it came with;
 *   - a server that does not call s2n_recv_early_data rejects it: the client
 *     sees REJECTED and sends the data again with s2n_send;
 *   - with stateless tickets (rs2n never accepts early data on them), nothing
 *     is offered and the resumption works;
 *   - NULL and bad arguments, the wrong side, are clear errors.
 */
#include "testlib.h"

#define MAX_EARLY 1024

struct env {
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

static void env_open(struct env *e, uint32_t max_early)
{
    rs2n_cache_fixture_open(&rs2n_versions[1], 2031, &e->clock, &e->cache, &e->server, &e->client);
    e->cache.take_long_keys = 1;
    REQUIRE_SUCCESS(s2n_config_set_server_max_early_data_size(e->server, max_early));
}

static void env_close(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

static void test_accepted(void)
{
    struct env e;
    env_open(&e, MAX_EARLY);
    struct rs2n_session s;
    rs2n_early_full_session(e.server, e.client, NULL, &s);

    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, e.server, e.client, "localhost");
    EXPECT_EQUAL(rs2n_early_max(p.client), 0); /* no session yet */
    REQUIRE(rs2n_offer_session(p.client, &s) == 0);
    /* Known from the session, before the handshake starts (as s2n-tls). */
    EXPECT_EQUAL(rs2n_early_max(p.client), MAX_EARLY);
    EXPECT_EQUAL(rs2n_early_remaining(p.client), MAX_EARLY);
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_OK);
    EXPECT_EQUAL(rs2n_early_max(p.server), MAX_EARLY);
    EXPECT_EQUAL(rs2n_send_early(p.client, "GET /early"), 10);
    EXPECT_EQUAL(rs2n_early_max(p.client), MAX_EARLY);
    EXPECT_EQUAL(rs2n_early_remaining(p.client), MAX_EARLY - 10);
    uint8_t buf[64] = { 0 };
    EXPECT_EQUAL(rs2n_recv_early(p.server, p.client, buf, sizeof(buf)), 10);
    EXPECT_TRUE(memcmp(buf, "GET /early", 10) == 0);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
    EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_END);
    EXPECT_EQUAL(rs2n_early_remaining(p.server), MAX_EARLY - 10);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    rs2n_pair_close(&p);
    env_close(&e);
}

static void test_limit_and_small_buffer(void)
{
    struct env e;
    env_open(&e, 8);
    struct rs2n_session s;
    rs2n_early_full_session(e.server, e.client, NULL, &s);
    struct rs2n_pair p;
    rs2n_early_pair_open(&p, e.server, e.client, &s);
    EXPECT_EQUAL(rs2n_send_early(p.client, "0123456789abcdef"), 8);
    EXPECT_EQUAL(rs2n_early_remaining(p.client), 0);

    /* A 3-byte buffer: blocked on early data while it is full. */
    s2n_blocked_status blocked = S2N_NOT_BLOCKED, cblocked = S2N_NOT_BLOCKED;
    uint8_t all[8] = { 0 };
    size_t got_total = 0;
    int full_seen = 0;
    for (int i = 0; i < 50 && got_total <= sizeof(all); i++) {
        (void) s2n_negotiate(p.client, &cblocked);
        uint8_t small[3];
        ssize_t got = 0;
        int r = s2n_recv_early_data(p.server, small, sizeof(small), &got, &blocked);
        REQUIRE(got >= 0 && got_total + (size_t) got <= sizeof(all));
        memcpy(all + got_total, small, (size_t) got);
        got_total += (size_t) got;
        if (r == S2N_SUCCESS) {
            break;
        }
        EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
        full_seen |= blocked == S2N_BLOCKED_ON_EARLY_DATA;
    }
    EXPECT_EQUAL(got_total, 8);
    EXPECT_TRUE(full_seen);
    EXPECT_TRUE(memcmp(all, "01234567", 8) == 0);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    rs2n_pair_close(&p);
    env_close(&e);
}

static void test_not_read_is_rejected_and_resent(void)
{
    struct env e;
    env_open(&e, MAX_EARLY);
    struct rs2n_session s;
    rs2n_early_full_session(e.server, e.client, NULL, &s);
    struct rs2n_pair p;
    rs2n_early_pair_open(&p, e.server, e.client, &s);
    EXPECT_EQUAL(rs2n_send_early(p.client, "hello"), 5);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_REJECTED);
    EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_REJECTED);
    EXPECT_EQUAL(rs2n_early_remaining(p.client), 0);
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_EQUAL(s2n_send(p.client, "hello", 5, &blocked), 5);
    char buf[16];
    EXPECT_EQUAL(s2n_recv(p.server, buf, sizeof(buf), &blocked), 5);
    EXPECT_TRUE(memcmp(buf, "hello", 5) == 0);
    rs2n_pair_close(&p);
    env_close(&e);
}

static void test_stateless_tickets_offer_none(void)
{
    struct rs2n_fake_clock clock = { .seconds = RS2N_YEAR_SECONDS(2031) };
    struct s2n_config *server = rs2n_resume_server_config("default_tls13", &clock, 1);
    rs2n_add_ticket_key(server, "ticket-key-1");
    REQUIRE_SUCCESS(s2n_config_set_server_max_early_data_size(server, MAX_EARLY));
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &clock, 1, NULL);
    struct rs2n_session s;
    rs2n_early_full_session(server, client, NULL, &s);
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    REQUIRE(rs2n_offer_session(p.client, &s) == 0);
    EXPECT_EQUAL(rs2n_send_early(p.client, "data"), 0);
    EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_NOT_REQUESTED);
    uint8_t buf[16];
    EXPECT_EQUAL(rs2n_recv_early(p.server, p.client, buf, sizeof(buf)), 0);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_NOT_REQUESTED);
    rs2n_pair_close(&p);
    s2n_config_free(client);
    s2n_config_free(server);
}

/* The early-data callback: what it saw, what it answers. */
static struct {
    int calls;
    int answer; /* 1 accept, 0 reject, -1 later, -2 fail */
    uint8_t context[64];
    uint16_t context_len;
    uint8_t identity[512];
    uint16_t identity_len;
    int identity_rc;
    struct s2n_offered_early_data *offered;
} cb;

static int early_cb(struct s2n_connection *conn, struct s2n_offered_early_data *early_data)
{
    cb.calls++;
    cb.offered = early_data;
    EXPECT_SUCCESS(s2n_offered_early_data_get_context_length(early_data, &cb.context_len));
    if (cb.context_len > 0) {
        uint8_t tiny[1];
        EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_get_context(early_data, tiny, 0),
                                 S2N_ERR_T_USAGE);
        (void) tiny;
    }
    EXPECT_SUCCESS(s2n_offered_early_data_get_context(early_data, cb.context, sizeof(cb.context)));
    /* The anti-replay example of s2n's guide: the ticket the data came with. */
    cb.identity_rc = s2n_connection_get_negotiated_psk_identity_length(conn, &cb.identity_len);
    if (cb.identity_rc == 0) {
        cb.identity_rc = s2n_connection_get_negotiated_psk_identity(conn, cb.identity,
                                                                    sizeof(cb.identity));
    }
    /* The connection is readable inside the callback (see
     * test_early_data_callback.c for the rest). */
    s2n_early_data_status_t status;
    EXPECT_SUCCESS(s2n_connection_get_early_data_status(conn, &status));
    EXPECT_EQUAL(status, S2N_EARLY_DATA_STATUS_OK);
    switch (cb.answer) {
    case 1:
        return s2n_offered_early_data_accept(early_data);
    case 0:
        return s2n_offered_early_data_reject(early_data);
    case -1:
        return S2N_SUCCESS;
    default:
        return S2N_FAILURE;
    }
}

static void test_callback(int answer)
{
    struct env e;
    env_open(&e, MAX_EARLY);
    REQUIRE_SUCCESS(s2n_config_set_early_data_cb(e.server, early_cb));
    memset(&cb, 0, sizeof(cb));
    cb.answer = answer;
    struct rs2n_session s;
    rs2n_early_full_session(e.server, e.client, "tenant-7", &s);
    EXPECT_EQUAL(cb.calls, 0);

    struct rs2n_pair p;
    rs2n_early_pair_open(&p, e.server, e.client, &s);
    EXPECT_EQUAL(rs2n_send_early(p.client, "early"), 5);
    uint8_t buf[64] = { 0 };
    ssize_t got;
    if (answer == -1) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED, cblocked;
        for (int i = 0; i < 3; i++) {
            (void) s2n_negotiate(p.client, &cblocked);
            ssize_t n = 7;
            EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(p.server, buf, sizeof(buf), &n, &blocked),
                                     S2N_ERR_T_BLOCKED);
            EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
            EXPECT_EQUAL(n, 0);
        }
        EXPECT_EQUAL(cb.calls, 1);
        EXPECT_SUCCESS(s2n_offered_early_data_accept(cb.offered));
        EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_reject(cb.offered), S2N_ERR_T_USAGE);
    }
    got = rs2n_recv_early(p.server, p.client, buf, sizeof(buf));
    if (answer == -2) {
        EXPECT_EQUAL(got, -1);
        EXPECT_EQUAL(cb.calls, 1);
        rs2n_pair_close(&p);
        env_close(&e);
        return;
    }
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_EQUAL(cb.calls, 1);
    EXPECT_EQUAL(cb.context_len, 8);
    EXPECT_TRUE(memcmp(cb.context, "tenant-7", 8) == 0);
    EXPECT_EQUAL(cb.identity_rc, 0);
    uint16_t id_len = 0;
    uint8_t id[512];
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity_length(p.server, &id_len));
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity(p.server, id, sizeof(id)));
    EXPECT_TRUE(id_len > 0 && id_len == cb.identity_len);
    EXPECT_TRUE(memcmp(id, cb.identity, id_len) == 0);
    if (answer == 0) {
        EXPECT_EQUAL(got, 0);
        EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_REJECTED);
        EXPECT_EQUAL(rs2n_early_status(p.client), S2N_EARLY_DATA_STATUS_REJECTED);
    } else {
        EXPECT_EQUAL(got, 5);
        EXPECT_TRUE(memcmp(buf, "early", 5) == 0);
        EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
    }
    rs2n_pair_close(&p);
    env_close(&e);
}

/* The client hello callback runs inside s2n_recv_early_data as inside
 * s2n_negotiate, and may use its connection. */
static int hello_calls;
static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    (void) ctx;
    hello_calls++;
    return s2n_get_server_name(conn) != NULL ? 0 : -1;
}

static void test_with_client_hello_callback(void)
{
    struct env e;
    env_open(&e, MAX_EARLY);
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(e.server, hello_cb, NULL));
    struct rs2n_session s;
    rs2n_early_full_session(e.server, e.client, NULL, &s);
    hello_calls = 0;
    struct rs2n_pair p;
    rs2n_early_pair_open(&p, e.server, e.client, &s);
    EXPECT_EQUAL(rs2n_send_early(p.client, "with hello cb"), 13);
    uint8_t buf[64] = { 0 };
    EXPECT_EQUAL(rs2n_recv_early(p.server, p.client, buf, sizeof(buf)), 13);
    EXPECT_TRUE(memcmp(buf, "with hello cb", 13) == 0);
    EXPECT_EQUAL(hello_calls, 1);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
    rs2n_pair_close(&p);
    env_close(&e);
}

static void test_arguments(void)
{
    struct s2n_config *config = s2n_config_new();
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(config && server && client);
    uint32_t n = 0;
    uint16_t len = 0;
    ssize_t done = 0;
    s2n_blocked_status blocked;
    s2n_early_data_status_t status;
    uint8_t buf[4] = { 0 };

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_server_max_early_data_size(NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_server_max_early_data_size(config, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_server_max_early_data_size(NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_set_server_max_early_data_size(server, 77));
    EXPECT_SUCCESS(s2n_connection_get_max_early_data_size(server, &n));
    EXPECT_EQUAL(n, 77);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_server_early_data_context(NULL, buf, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_server_early_data_context(server, NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(server, NULL, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_early_data_cb(NULL, early_cb), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_early_data_cb(config, early_cb));
    EXPECT_SUCCESS(s2n_config_set_early_data_cb(config, NULL));

    EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_get_context_length(NULL, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_get_context(NULL, buf, 4), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_accept(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_early_data_reject(NULL), S2N_ERR_T_USAGE);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_early_data_status(NULL, &status), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_early_data_status(server, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_remaining_early_data_size(NULL, &n), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_remaining_early_data_size(server, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_max_early_data_size(NULL, &n), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_max_early_data_size(server, NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_get_max_early_data_size(client, &n));
    EXPECT_EQUAL(n, 0);

    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(NULL, buf, 1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(client, buf, 1, NULL, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(client, buf, 1, &done, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(client, NULL, 1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(client, buf, -1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_send_early_data(server, buf, 1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(NULL, buf, 1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(server, buf, 1, NULL, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(server, buf, 1, &done, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(server, NULL, 1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(server, buf, -1, &done, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(client, buf, 1, &done, &blocked), S2N_ERR_T_USAGE);

    s2n_connection_free(client);
    s2n_connection_free(server);
    s2n_config_free(config);
}

int main(void)
{
    rs2n_test_begin("test_early_data", 60);
    test_arguments();
    test_accepted();
    test_limit_and_small_buffer();
    test_not_read_is_rejected_and_resent();
    test_stateless_tickets_offer_none();
    test_callback(1);
    test_callback(0);
    test_callback(-1);
    test_callback(-2);
    test_with_client_hello_callback();
    return rs2n_test_finish();
}
