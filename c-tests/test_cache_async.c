/*
 * An asynchronous cache: the retrieve callback returns S2N_CALLBACK_BLOCKED
 * until its answer is ready, TLS1.2 ("20240501") and TLS1.3 ("default_tls13"):
 *   - blocked once, then 3 times, then the value: each server s2n_negotiate
 *     returns -1 with an S2N_ERR_T_BLOCKED error and *blocked ==
 *     S2N_BLOCKED_ON_APPLICATION_INPUT, calls retrieve again (same key, same
 *     connection), and sends nothing yet; then the handshake completes,
 *     resumed on both sides;
 *   - blocked, then a miss: a full handshake that succeeds;
 *   - blocked, then the connection is freed: no crash, nothing deleted, and
 *     the session still resumes on a new connection.
 */
#include "testlib.h"

struct env {
    const struct rs2n_version_case *v;
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
    struct rs2n_session session; /* stored in the cache */
    uint8_t key[RS2N_CACHE_MAX_KEY];
    size_t key_len;
};

static void env_init(struct env *e, const struct rs2n_version_case *v)
{
    memset(e, 0, sizeof(*e));
    e->v = v;
    rs2n_cache_fixture_open(v, 2055, &e->clock, &e->cache, &e->server, &e->client);
    struct rs2n_conn c;
    int rc = rs2n_connect(e->server, e->client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    e->session = c.session;
    if (rc != 0) {
        rs2n_print_pair_result("full handshake", &c.res);
    }
    REQUIRE(rc == 0);
    REQUIRE(e->session.len > 0);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&e->cache, RS2N_CACHE_STORE, 0);
    REQUIRE(store != NULL && store->key_len <= RS2N_CACHE_MAX_KEY);
    memcpy(e->key, store->key, store->key_len);
    e->key_len = store->key_len;
    rs2n_test_cache_clear_calls(&e->cache);
}

static void env_free(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

/* Opens a pair offering the stored session and sends the ClientHello; then
 * calls the server's s2n_negotiate `blocks` times, each of which must block
 * on application input after asking the cache again. */
static void start_blocked(struct env *e, struct rs2n_pair *p, unsigned blocks)
{
    rs2n_pair_open(p, e->server, e->client, "localhost", 1);
    EXPECT_EQUAL(rs2n_offer_session(p->client, &e->session), 0);
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p->client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);

    e->cache.block_retrieves = blocks;
    for (unsigned i = 1; i <= blocks; i++) {
        blocked = S2N_NOT_BLOCKED;
        EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p->server, &blocked), S2N_ERR_T_BLOCKED);
        EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
        EXPECT_EQUAL(e->cache.retrieves, i);
        const struct rs2n_cache_call *r = rs2n_test_cache_last(&e->cache, RS2N_CACHE_RETRIEVE, 0);
        EXPECT_TRUE(r != NULL && r->rc == S2N_CALLBACK_BLOCKED);
        EXPECT_TRUE(rs2n_cache_call_key_is(r, e->key, e->key_len));
        EXPECT_TRUE(r != NULL && r->conn == p->server);
        /* Nothing answered while the cache has not. */
        EXPECT_EQUAL(s2n_connection_get_wire_bytes_out(p->server), 0);
    }
    EXPECT_EQUAL(e->cache.deletes, 0);
}

/* Finishes the handshake and closes gracefully. Returns the handshake's rc. */
static int finish(struct env *e, struct rs2n_pair *p, int *server_resumed, int *client_resumed)
{
    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p->server, p->client, &res);
    if (rc != 0) {
        rs2n_print_pair_result("after the cache answered", &res);
        return rc;
    }
    *server_resumed = s2n_connection_is_session_resumed(p->server);
    *client_resumed = s2n_connection_is_session_resumed(p->client);
    if (e->v->tls13) {
        rs2n_read_tickets(p->client);
    }
    EXPECT_EQUAL(rs2n_shutdown_pair(p->server, p->client), 0);
    return 0;
}

static void test_blocked_then_value(const struct rs2n_version_case *v, unsigned blocks)
{
    fprintf(stderr, "   %s: retrieve blocked %u time(s), then the value\n", v->name, blocks);
    struct env e;
    env_init(&e, v);
    struct rs2n_pair p;
    start_blocked(&e, &p, blocks);
    int sr = 0, cr = 0;
    EXPECT_EQUAL(finish(&e, &p, &sr, &cr), 0);
    EXPECT_TRUE(sr);
    EXPECT_TRUE(cr);
    /* Asked once more, and answered. */
    EXPECT_EQUAL(e.cache.retrieves, blocks + 1);
    EXPECT_EQUAL(e.cache.hits, 1);
    const struct rs2n_cache_call *r = rs2n_test_cache_last(&e.cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(r != NULL && r->rc == 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(r, e.key, e.key_len));
    rs2n_pair_close(&p);
    env_free(&e);
}

static void test_blocked_then_miss(const struct rs2n_version_case *v)
{
    fprintf(stderr, "   %s: retrieve blocked twice, then a miss\n", v->name);
    struct env e;
    env_init(&e, v);
    struct rs2n_pair p;
    start_blocked(&e, &p, 2);
    e.cache.retrieve_mode = RS2N_RETRIEVE_FAIL;
    int sr = 1, cr = 1;
    EXPECT_EQUAL(finish(&e, &p, &sr, &cr), 0);
    EXPECT_FALSE(sr);
    EXPECT_FALSE(cr);
    EXPECT_EQUAL(e.cache.retrieves, 3);
    EXPECT_EQUAL(e.cache.hits, 0);
    EXPECT_EQUAL(e.cache.stores, 1); /* the full handshake's session */
    rs2n_pair_close(&p);
    env_free(&e);
}

static void test_blocked_then_freed(const struct rs2n_version_case *v)
{
    fprintf(stderr, "   %s: retrieve blocked, then the connection is freed\n", v->name);
    struct env e;
    env_init(&e, v);
    struct rs2n_pair p;
    start_blocked(&e, &p, 1);
    rs2n_pair_close(&p);
    EXPECT_EQUAL(e.cache.deletes, 0);
    EXPECT_TRUE(rs2n_test_cache_has(&e.cache, e.key, e.key_len));

    /* The session is still there for a new connection (the client's session
     * was not used up: the first attempt never got an answer). */
    rs2n_test_cache_clear_calls(&e.cache);
    struct rs2n_conn c;
    EXPECT_EQUAL(rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(&e.session, RS2N_CLOSE_GRACEFUL), &c),
                 0);
    if (!v->tls13) {
        /* (A TLS1.3 client session resumes once: rs2n's client counts the
         * abandoned attempt as its use, so only TLS1.2 is checked here.) */
        EXPECT_EQUAL(e.cache.hits, 1);
        EXPECT_TRUE(c.server_resumed);
        EXPECT_TRUE(c.client_resumed);
    }
    env_free(&e);
}

int main(void)
{
    rs2n_test_begin("test_cache_async", 120);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        const struct rs2n_version_case *v = &rs2n_versions[i];
        fprintf(stderr, "-- %s\n", v->name);
        test_blocked_then_value(v, 1);
        test_blocked_then_value(v, 3);
        test_blocked_then_miss(v);
        test_blocked_then_freed(v);
    }
    return rs2n_test_finish();
}
