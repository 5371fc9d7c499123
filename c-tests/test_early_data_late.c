/*
 * A server's early data maximum and context set after the handshake started,
 * as s2n-tls allows, with the effect rs2n can give:
 *   - the maximum (s2n_connection_set_server_max_early_data_size) set from the
 *     client hello callback, or after s2n_recv_early_data started the handshake
 *     but before the server read anything, applies to this handshake's early
 *     data and to the tickets it issues (the client's next session allows that
 *     much); once the server has read the ClientHello (from the early-data
 *     callback on, after the handshake) a change is refused with
 *     S2N_ERR_INVALID_STATE (rustls fixed it), the same value is accepted;
 *   - the context (s2n_connection_set_server_early_data_context) set from the
 *     early-data callback, or while the server waits for the client's Finished,
 *     reaches the session stored as the handshake completes: the next early
 *     data offered with it carries that context. After the handshake a change
 *     is refused (S2N_ERR_INVALID_STATE: the sessions are stored), the same
 *     value is accepted, and a client may set it (no effect, as in s2n-tls).
 */
#include "testlib.h"

#define MAX_EARLY 1024
#define LATE_MAX 8

struct env {
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

/* What the callbacks do and saw. */
static struct {
    uint32_t hello_max;     /* the client hello callback sets it, if not 0 */
    const char *set_context; /* the early-data callback sets it, if not NULL */
    int try_max;            /* the early-data callback tries to change the max */
    int try_max_rc, same_max_rc;
    const char *try_max_error;
    char context[32];       /* the context the early-data callback saw */
    int early_calls;
} cb;

static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    (void) ctx;
    if (cb.hello_max) {
        EXPECT_SUCCESS(s2n_connection_set_server_max_early_data_size(conn, cb.hello_max));
    }
    return 0;
}

static int early_cb(struct s2n_connection *conn, struct s2n_offered_early_data *early_data)
{
    cb.early_calls++;
    uint16_t len = 0;
    memset(cb.context, 0, sizeof(cb.context));
    if (s2n_offered_early_data_get_context_length(early_data, &len) == 0 && len < sizeof(cb.context)) {
        (void) s2n_offered_early_data_get_context(early_data, (uint8_t *) cb.context, len);
    }
    if (cb.set_context) {
        EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(
            conn, (const uint8_t *) cb.set_context, (uint16_t) strlen(cb.set_context)));
    }
    if (cb.try_max) {
        cb.try_max_rc = s2n_connection_set_server_max_early_data_size(conn, MAX_EARLY * 2);
        cb.try_max_error = s2n_strerror_name(s2n_errno);
        cb.same_max_rc = s2n_connection_set_server_max_early_data_size(conn, MAX_EARLY);
    }
    return s2n_offered_early_data_accept(early_data);
}

static void env_open(struct env *e)
{
    rs2n_cache_fixture_open(&rs2n_versions[1], 2031, &e->clock, &e->cache, &e->server, &e->client);
    e->cache.take_long_keys = 1;
    REQUIRE_SUCCESS(s2n_config_set_server_max_early_data_size(e->server, MAX_EARLY));
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(e->server, hello_cb, NULL));
    REQUIRE_SUCCESS(s2n_config_set_early_data_cb(e->server, early_cb));
    memset(&cb, 0, sizeof(cb));
}

static void env_close(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

/* The client's session once the handshake is done. */
static void save(struct s2n_connection *client, struct rs2n_session *out)
{
    REQUIRE(rs2n_read_tickets(client) == 0);
    REQUIRE(rs2n_save_session(client, out) == 0 && out->len > 0);
}

static void full_session(struct env *e, struct rs2n_session *out)
{
    rs2n_early_full_session(e->server, e->client, NULL, out);
}

/* A resumption with early data `data`; the server's early data in `got`. */
static ssize_t resume_with_early(struct env *e, const struct rs2n_session *s, const char *data,
                                 struct rs2n_pair *p)
{
    rs2n_pair_open_mem(p, e->server, e->client, "localhost");
    REQUIRE(rs2n_offer_session(p->client, s) == 0);
    EXPECT_EQUAL(rs2n_send_early(p->client, data), (ssize_t) strlen(data));
    uint8_t buf[64];
    return rs2n_recv_early(p->server, p->client, buf, sizeof(buf));
}

/* The client's next session, issued by a server whose maximum became LATE_MAX,
 * allows LATE_MAX bytes. */
static void next_session_allows_late_max(struct env *e, const struct rs2n_session *s)
{
    struct rs2n_pair p;
    rs2n_early_pair_open(&p, e->server, e->client, s);
    EXPECT_EQUAL(rs2n_send_early(p.client, "0123456789abcdef"), LATE_MAX);
    EXPECT_EQUAL(rs2n_early_max(p.client), LATE_MAX);
    rs2n_pair_close(&p);
}

static void test_max_from_hello_callback(void)
{
    struct env e;
    env_open(&e);
    struct rs2n_session s1, s2;
    full_session(&e, &s1);
    cb.hello_max = LATE_MAX;
    struct rs2n_pair p;
    EXPECT_EQUAL(resume_with_early(&e, &s1, "hello", &p), 5);
    EXPECT_EQUAL(rs2n_early_max(p.server), LATE_MAX);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
    save(p.client, &s2);
    rs2n_pair_close(&p);
    cb.hello_max = 0;
    next_session_allows_late_max(&e, &s2);
    env_close(&e);
}

static void test_max_before_the_first_bytes(void)
{
    struct env e;
    env_open(&e);
    struct rs2n_session s1, s2;
    full_session(&e, &s1);
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, e.server, e.client, "localhost");
    /* The server starts the handshake; the client has sent nothing yet. */
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    uint8_t buf[64];
    ssize_t got = 0;
    EXPECT_FAILURE_WITH_TYPE(s2n_recv_early_data(p.server, buf, sizeof(buf), &got, &blocked),
                             S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    EXPECT_SUCCESS(s2n_connection_set_server_max_early_data_size(p.server, LATE_MAX));
    EXPECT_EQUAL(rs2n_early_max(p.server), LATE_MAX);
    REQUIRE(rs2n_offer_session(p.client, &s1) == 0);
    EXPECT_EQUAL(rs2n_send_early(p.client, "hello"), 5);
    EXPECT_EQUAL(rs2n_recv_early(p.server, p.client, buf, sizeof(buf)), 5);
    EXPECT_TRUE(memcmp(buf, "hello", 5) == 0);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_EQUAL(rs2n_early_status(p.server), S2N_EARLY_DATA_STATUS_END);
    save(p.client, &s2);
    rs2n_pair_close(&p);
    next_session_allows_late_max(&e, &s2);
    env_close(&e);
}

static void test_max_too_late(void)
{
    struct env e;
    env_open(&e);
    struct rs2n_session s1;
    full_session(&e, &s1);
    cb.try_max = 1;
    struct rs2n_pair p;
    EXPECT_EQUAL(resume_with_early(&e, &s1, "hello", &p), 5);
    EXPECT_EQUAL(cb.early_calls, 1);
    EXPECT_EQUAL(cb.try_max_rc, S2N_FAILURE);
    EXPECT_STRING_EQUAL(cb.try_max_error, "S2N_ERR_INVALID_STATE");
    EXPECT_EQUAL(cb.same_max_rc, S2N_SUCCESS);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_server_max_early_data_size(p.server, 0),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    EXPECT_EQUAL(rs2n_early_max(p.server), MAX_EARLY);
    /* A client keeps it, with no effect, whenever. */
    EXPECT_SUCCESS(s2n_connection_set_server_max_early_data_size(p.client, 0));
    rs2n_pair_close(&p);
    env_close(&e);
}

/* The context the early-data callback sees when `s` is offered. */
static void context_seen_with(struct env *e, const struct rs2n_session *s, const char *expected)
{
    cb.set_context = NULL;
    struct rs2n_pair p;
    EXPECT_EQUAL(resume_with_early(e, s, "ctx?", &p), 4);
    EXPECT_STRING_EQUAL(cb.context, expected);
    rs2n_pair_close(&p);
}

static void test_context_from_early_data_callback(void)
{
    struct env e;
    env_open(&e);
    struct rs2n_session s1, s2;
    full_session(&e, &s1);
    cb.set_context = "from-callback";
    struct rs2n_pair p;
    EXPECT_EQUAL(resume_with_early(&e, &s1, "hello", &p), 5);
    EXPECT_STRING_EQUAL(cb.context, "");
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    save(p.client, &s2);
    rs2n_pair_close(&p);
    context_seen_with(&e, &s2, "from-callback");
    env_close(&e);
}

static void test_context_mid_handshake_and_after(void)
{
    struct env e;
    env_open(&e);
    struct rs2n_session s;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, e.server, e.client, "localhost");
    EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(p.server, (const uint8_t *) "early", 5));
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    /* The server's flight is out; it waits for the client's Finished. */
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(p.server, (const uint8_t *) "mid", 3));
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, NULL), 0);
    /* The session is stored now. */
    EXPECT_FAILURE_WITH_TYPE(
        s2n_connection_set_server_early_data_context(p.server, (const uint8_t *) "after", 5),
        S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(p.server, (const uint8_t *) "mid", 3));
    EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(p.client, (const uint8_t *) "any", 3));
    save(p.client, &s);
    rs2n_pair_close(&p);
    context_seen_with(&e, &s, "mid");
    env_close(&e);
}

int main(void)
{
    rs2n_test_begin("test_early_data_late", 60);
    test_max_from_hello_callback();
    test_max_before_the_first_bytes();
    test_max_too_late();
    test_context_from_early_data_callback();
    test_context_mid_handshake_and_after();
    return rs2n_test_finish();
}
