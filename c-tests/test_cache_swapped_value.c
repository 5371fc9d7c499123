/*
 * A cache that answers with the value stored under ANOTHER key, TLS1.2
 * ("20240501") and TLS1.3 ("default_tls13"): both sessions are real ones from
 * this server, sealed with its ticket key; the client offers session A and the
 * retrieve callback returns session B's value (a mixed-up cache, a key
 * collision, a bug in the application's cache). rs2n documents that a value
 * the cache got wrong is a miss, so the handshake must be a full one that
 * succeeds, store the new session, and leave the cache working.
 *
 * (s2n-tls seals cached values without the session ID either, and its TLS1.2
 * handshake fails in this case; rs2n promises better: see the header's
 * s2n_config_set_cache_retrieve_callback and docs "Session cache".)
 */
#include "testlib.h"

struct key_copy {
    uint8_t bytes[RS2N_CACHE_MAX_KEY];
    size_t len;
};

/* A full handshake that stores a session: the client's session and its key. */
static void stored_session(struct s2n_config *server, struct s2n_config *client,
                           struct rs2n_test_cache *cache, struct rs2n_session *s,
                           struct key_copy *key)
{
    struct rs2n_conn c;
    rs2n_test_cache_clear_calls(cache);
    int rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    *s = c.session;
    if (rc != 0) {
        rs2n_print_pair_result("full handshake", &c.res);
    }
    REQUIRE(rc == 0);
    EXPECT_TRUE(c.after_ok);
    EXPECT_TRUE(s->len > 0);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(cache, RS2N_CACHE_STORE, 0);
    REQUIRE(store != NULL && store->key_len <= RS2N_CACHE_MAX_KEY);
    memcpy(key->bytes, store->key, store->key_len);
    key->len = store->key_len;
}

static void test_swapped(const struct rs2n_version_case *v)
{
    fprintf(stderr, "-- %s: retrieve returns the value stored under another key\n", v->name);
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2047) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config(v->policy, &cache, &clock);
    struct s2n_config *client = rs2n_resume_client_config(v->policy, &clock, v->tls13, NULL);

    struct rs2n_session sa, sb, next;
    struct key_copy ka, kb;
    stored_session(server, client, &cache, &sa, &ka);
    stored_session(server, client, &cache, &sb, &kb);
    EXPECT_FALSE(ka.len == kb.len && memcmp(ka.bytes, kb.bytes, ka.len) == 0);

    /* Asked for A, the cache answers with B's value. */
    cache.retrieve_mode = RS2N_RETRIEVE_OTHER_KEY;
    memcpy(cache.other_key, kb.bytes, kb.len);
    cache.other_key_len = kb.len;
    rs2n_test_cache_clear_calls(&cache);
    struct rs2n_conn c;
    int rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(&sa, RS2N_CLOSE_GRACEFUL), &c);
    next = c.session;
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "%s: a value stored under another key failed the handshake instead of "
                       "being a miss",
                       v->name);
        rs2n_print_pair_result("swapped value", &c.res);
    } else {
        EXPECT_TRUE(c.after_ok);
        EXPECT_FALSE(c.server_resumed);
        EXPECT_FALSE(c.client_resumed);
        EXPECT_EQUAL(cache.stores, 1);
        EXPECT_TRUE(next.len > 0);
    }
    EXPECT_EQUAL(cache.retrieves, 1);
    EXPECT_EQUAL(cache.hits, 1);
    const struct rs2n_cache_call *r = rs2n_test_cache_last(&cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(r, ka.bytes, ka.len));

    /* B itself, asked for under its own key, still resumes. */
    cache.retrieve_mode = RS2N_RETRIEVE_NORMAL;
    rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(&sb, RS2N_CLOSE_GRACEFUL), &c);
    EXPECT_EQUAL(rc, 0);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);

    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

int main(void)
{
    rs2n_test_begin("test_cache_swapped_value", 60);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        test_swapped(&rs2n_versions[i]);
    }
    return rs2n_test_finish();
}
