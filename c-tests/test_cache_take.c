/*
 * The rule the cache callbacks' docs give applications: a key longer than 32
 * bytes is a TLS1.3 ticket, single-use: the retrieve callback takes it (reads
 * and deletes it atomically); a key of at most 32 bytes is a TLS1.2 session ID:
 * read and left. Over the in-memory test cache with that take on, and with its
 * delete callback doing nothing (so only the take removes entries):
 *   - TLS1.2: the session ID (32 bytes) resumes again and again, its entry stays;
 *   - TLS1.3: the ticket (48 bytes) resumes once, and its entry is gone at once;
 *     the resumed connection's ClientHello replayed to another server connection
 *     is a cache miss (no resumption), as it would be on another server sharing
 *     the cache; the fresh ticket the resumption got resumes in turn, once.
 */
#include "testlib.h"

#define RULE_MAX_SESSION_ID 32

struct key_copy {
    uint8_t bytes[RS2N_CACHE_MAX_KEY];
    size_t len;
};

static void last_stored_key(struct rs2n_test_cache *cache, struct key_copy *k)
{
    const struct rs2n_cache_call *store = rs2n_test_cache_last(cache, RS2N_CACHE_STORE, 0);
    memset(k, 0, sizeof(*k));
    REQUIRE(store != NULL && store->key_len <= RS2N_CACHE_MAX_KEY);
    memcpy(k->bytes, store->key, store->key_len);
    k->len = store->key_len;
}

static void connect_ok(const char *what, struct s2n_config *server, struct s2n_config *client,
                       const struct rs2n_session *offer, struct rs2n_conn *c)
{
    const struct rs2n_connect_opts opts = { .transport = RS2N_OVER_MEMORY,
                                            .offer = offer,
                                            .close = RS2N_CLOSE_GRACEFUL };
    if (rs2n_connect(server, client, &opts, c) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the handshake failed", what);
        rs2n_print_pair_result(what, &c->res);
    }
    EXPECT_TRUE(c->after_ok);
}

/* The fixture of version `v`, its cache taking long keys and ignoring deletes. */
struct env {
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

static void env_open(struct env *e, const struct rs2n_version_case *v)
{
    rs2n_cache_fixture_open(v, 2031, &e->clock, &e->cache, &e->server, &e->client);
    e->cache.take_long_keys = 1;
    e->cache.ignore_deletes = 1;
}

static void test_tls12(void)
{
    struct env e;
    env_open(&e, &rs2n_versions[0]);
    struct s2n_config *server = e.server, *client = e.client;
    struct rs2n_test_cache *cache = &e.cache;
    struct rs2n_conn c;
    struct key_copy key;

    connect_ok("TLS1.2 full handshake", server, client, NULL, &c);
    EXPECT_EQUAL(c.version, S2N_TLS12);
    last_stored_key(cache, &key);
    EXPECT_TRUE(key.len > 0 && key.len <= RULE_MAX_SESSION_ID);
    struct rs2n_session s = c.session;
    for (int i = 1; i <= 3; i++) {
        connect_ok("TLS1.2 resumption", server, client, &s, &c);
        EXPECT_TRUE(c.server_resumed);
        EXPECT_TRUE(c.client_resumed);
        EXPECT_EQUAL(cache->hits, (unsigned long) i);
        EXPECT_TRUE(rs2n_test_cache_has(cache, key.bytes, key.len));
    }
    rs2n_cache_fixture_close(cache, server, client);
}

/* Feeds a recorded ClientHello to a new server connection: the cache lookup it
 * makes must be a miss. */
static void replay_is_a_miss(struct s2n_config *server, struct rs2n_test_cache *cache,
                             const struct rs2n_conn *resumed, const struct key_copy *key)
{
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(conn);
    REQUIRE_SUCCESS(s2n_connection_set_config(conn, server));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(conn, &m.a));
    REQUIRE(resumed->client_hello_len > 0);
    rs2n_mem_queue_push(&m.b_to_a, resumed->client_hello, resumed->client_hello_len);
    unsigned long hits = cache->hits;
    rs2n_test_cache_clear_calls(cache);
    s2n_blocked_status blocked;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(conn, &blocked), S2N_ERR_T_BLOCKED);
    const struct rs2n_cache_call *retrieve = rs2n_test_cache_last(cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(retrieve, key->bytes, key->len));
    EXPECT_TRUE(retrieve != NULL && retrieve->rc == -1);
    EXPECT_EQUAL(cache->hits, 0);
    cache->hits = hits;
    EXPECT_SUCCESS(s2n_connection_free(conn));
    rs2n_mem_pipe_free(&m);
}

static void test_tls13(void)
{
    struct env e;
    env_open(&e, &rs2n_versions[1]);
    struct s2n_config *server = e.server, *client = e.client;
    struct rs2n_test_cache *cache = &e.cache;
    struct rs2n_conn c;
    struct key_copy first, second;

    connect_ok("TLS1.3 full handshake", server, client, NULL, &c);
    EXPECT_EQUAL(c.version, S2N_TLS13);
    last_stored_key(cache, &first);
    EXPECT_TRUE(first.len > RULE_MAX_SESSION_ID);
    struct rs2n_session s1 = c.session;

    connect_ok("TLS1.3 resumption", server, client, &s1, &c);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);
    last_stored_key(cache, &second);
    /* Taken by the lookup: gone although the delete callback keeps entries. */
    EXPECT_FALSE(rs2n_test_cache_has(cache, first.bytes, first.len));
    replay_is_a_miss(server, cache, &c, &first);

    /* The fresh ticket resumes, once too. */
    EXPECT_TRUE(second.len > RULE_MAX_SESSION_ID);
    EXPECT_TRUE(rs2n_test_cache_has(cache, second.bytes, second.len));
    struct rs2n_session s2 = c.session;
    connect_ok("TLS1.3 resumption from the fresh ticket", server, client, &s2, &c);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_FALSE(rs2n_test_cache_has(cache, second.bytes, second.len));
    replay_is_a_miss(server, cache, &c, &second);
    rs2n_cache_fixture_close(cache, server, client);
}

int main(void)
{
    rs2n_test_begin("test_cache_take", 60);
    test_tls12();
    test_tls13();
    return rs2n_test_finish();
}
