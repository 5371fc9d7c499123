/*
 * Stateful session resumption through the session cache, TLS1.2 (policy
 * "20240501", by session ID) and TLS1.3 ("default_tls13", the server's tickets
 * are cache keys), over an in-memory cache on a fake wall clock:
 *   - a full handshake stores one value, with ttl 6 hours (the default session
 *     state lifetime is longer), under the key the server reports as its
 *     session ID; the store callback gets the server connection;
 *   - the next connection offering the client's saved session resumes on both
 *     sides: the retrieve callback gets that key and a 16 KiB buffer;
 *   - TLS1.2: the same session resumes again, and the server's session ID is
 *     the cached one; TLS1.3: the used entry is deleted from the cache (single
 *     use), the resumed connection stores a fresh ticket that resumes in turn,
 *     and the used session gives a full handshake;
 *   - with s2n_config_set_session_state_lifetime shorter than 6 hours the ttl
 *     is that lifetime (longer: still 6 hours); an entry resumes just before
 *     it and not after (full handshake, success), both when the cache expires
 *     it and when a sloppy cache still returns it.
 */
#include "testlib.h"

#define HOURS(h) ((uint64_t) (h) * 3600u)

/* A key copied out of a recorded call. */
struct key_copy {
    uint8_t bytes[RS2N_CACHE_MAX_KEY];
    size_t len;
};

static void copy_key(struct key_copy *k, const struct rs2n_cache_call *call)
{
    memset(k, 0, sizeof(*k));
    if (call != NULL && call->key_len <= RS2N_CACHE_MAX_KEY) {
        memcpy(k->bytes, call->key, call->key_len);
        k->len = call->key_len;
    }
}

static int conn_ok(const char *what, int rc, const struct rs2n_conn *c)
{
    if (rc != 0) {
        rs2n_print_pair_result(what, &c->res);
    }
    return rc == 0;
}

/* One connection into `c`: the client offers `offer` (NULL: nothing). */
#define EXPECT_CONNECT(what, server, client, offer, how)                            \
    do {                                                                            \
        int rs2n_rc_ = rs2n_connect(server, client, RS2N_CACHE_OPTS(offer, how), &c); \
        if (!conn_ok(what, rs2n_rc_, &c)) {                                         \
            rs2n_test_fail(__FILE__, __LINE__, "%s: %s: handshake failed", v->name,  \
                           what);                                                   \
        }                                                                           \
        EXPECT_TRUE(c.after_ok);                                                    \
    } while (0)

static void test_resume(const struct rs2n_version_case *v)
{
    fprintf(stderr, "-- %s: resume through the cache\n", v->name);
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2030) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config(v->policy, &cache, &clock);
    struct s2n_config *client = rs2n_resume_client_config(v->policy, &clock, v->tls13, NULL);
    struct rs2n_session s1, s2, s3;
    struct rs2n_conn c;
    struct key_copy key1, key2;
    int expected_version = v->tls13 ? S2N_TLS13 : S2N_TLS12;

    /* A full handshake stores the session. */
    EXPECT_CONNECT("first connection", server, client, NULL, RS2N_CLOSE_GRACEFUL);
    s1 = c.session;
    EXPECT_EQUAL(c.version, expected_version);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    EXPECT_EQUAL(cache.stores, 1);
    EXPECT_EQUAL(cache.deletes, 0);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&cache, RS2N_CACHE_STORE, 0);
    REQUIRE(store != NULL);
    EXPECT_EQUAL(store->ttl, HOURS(6));
    EXPECT_EQUAL(store->rc, 0);
    EXPECT_TRUE(store->size > 0);
    EXPECT_TRUE(store->conn == c.server);
    EXPECT_TRUE(store->key_len > 0);
    /* The server's session ID is the cache key. */
    EXPECT_TRUE(c.session_id_len > 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(store, c.session_id, (size_t) c.session_id_len));
    if (!v->tls13) {
        EXPECT_EQUAL(c.session_id_len, 32);
    }
    copy_key(&key1, store);
    EXPECT_TRUE(rs2n_test_cache_has(&cache, key1.bytes, key1.len));
    EXPECT_TRUE(s1.len > 0);

    /* The next connection resumes it. */
    rs2n_test_cache_clear_calls(&cache);
    EXPECT_CONNECT("resumed connection", server, client, &s1, RS2N_CLOSE_GRACEFUL);
    s2 = c.session;
    EXPECT_EQUAL(c.version, expected_version);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);
    EXPECT_EQUAL(rs2n_test_cache_count(&cache, RS2N_CACHE_RETRIEVE), 1);
    const struct rs2n_cache_call *retrieve = rs2n_test_cache_last(&cache, RS2N_CACHE_RETRIEVE, 0);
    REQUIRE(retrieve != NULL);
    EXPECT_TRUE(rs2n_cache_call_key_is(retrieve, key1.bytes, key1.len));
    EXPECT_EQUAL(retrieve->size, 16 * 1024);
    EXPECT_EQUAL(retrieve->rc, 0);
    EXPECT_TRUE(retrieve->conn == c.server);

    if (!v->tls13) {
        /* The resumed session keeps its ID and its cache entry. */
        EXPECT_TRUE(c.session_id_len == (int) key1.len &&
                    memcmp(c.session_id, key1.bytes, key1.len) == 0);
        EXPECT_EQUAL(cache.deletes, 0);
        EXPECT_TRUE(rs2n_test_cache_has(&cache, key1.bytes, key1.len));

        /* A TLS1.2 session can be offered again: it resumes again. */
        rs2n_test_cache_clear_calls(&cache);
        EXPECT_CONNECT("resumed again", server, client, &s1, RS2N_CLOSE_GRACEFUL);
        EXPECT_TRUE(c.server_resumed);
        EXPECT_TRUE(c.client_resumed);
        retrieve = rs2n_test_cache_last(&cache, RS2N_CACHE_RETRIEVE, 0);
        EXPECT_TRUE(rs2n_cache_call_key_is(retrieve, key1.bytes, key1.len));
    } else {
        /* Single use: the entry is deleted when used... */
        EXPECT_EQUAL(rs2n_test_cache_count(&cache, RS2N_CACHE_DELETE), 1);
        const struct rs2n_cache_call *del = rs2n_test_cache_last(&cache, RS2N_CACHE_DELETE, 0);
        EXPECT_TRUE(rs2n_cache_call_key_is(del, key1.bytes, key1.len));
        EXPECT_TRUE(del != NULL && del->conn == c.server);
        EXPECT_FALSE(rs2n_test_cache_has(&cache, key1.bytes, key1.len));
        /* ...and the resumed connection stores a fresh ticket. */
        EXPECT_EQUAL(rs2n_test_cache_count(&cache, RS2N_CACHE_STORE), 1);
        store = rs2n_test_cache_last(&cache, RS2N_CACHE_STORE, 0);
        REQUIRE(store != NULL);
        copy_key(&key2, store);
        EXPECT_FALSE(key2.len == key1.len && memcmp(key2.bytes, key1.bytes, key1.len) == 0);
        EXPECT_TRUE(rs2n_test_cache_has(&cache, key2.bytes, key2.len));
        EXPECT_TRUE(s2.len > 0);

        /* The first bytes name a session line: offered again, they offer the
         * line's newest ticket, the one the resumed connection stored (key2),
         * never the used one: it resumes, and stores a third. */
        rs2n_test_cache_clear_calls(&cache);
        EXPECT_CONNECT("first bytes offered again", server, client, &s1, RS2N_CLOSE_GRACEFUL);
        EXPECT_TRUE(c.server_resumed);
        EXPECT_TRUE(c.client_resumed);
        EXPECT_EQUAL(rs2n_test_cache_count(&cache, RS2N_CACHE_RETRIEVE), 1);
        retrieve = rs2n_test_cache_last(&cache, RS2N_CACHE_RETRIEVE, 0);
        EXPECT_TRUE(rs2n_cache_call_key_is(retrieve, key2.bytes, key2.len));
        EXPECT_FALSE(rs2n_test_cache_has(&cache, key2.bytes, key2.len));
        EXPECT_EQUAL(rs2n_test_cache_count(&cache, RS2N_CACHE_STORE), 1);

        /* The resumed connection's bytes name the same line: they offer the
         * third ticket, neither key1 nor key2. */
        rs2n_test_cache_clear_calls(&cache);
        EXPECT_CONNECT("the resumed connection's bytes", server, client, &s2, RS2N_CLOSE_GRACEFUL);
        s3 = c.session;
        EXPECT_TRUE(c.server_resumed);
        EXPECT_TRUE(c.client_resumed);
        retrieve = rs2n_test_cache_last(&cache, RS2N_CACHE_RETRIEVE, 0);
        REQUIRE(retrieve != NULL);
        EXPECT_FALSE(rs2n_cache_call_key_is(retrieve, key1.bytes, key1.len));
        EXPECT_FALSE(rs2n_cache_call_key_is(retrieve, key2.bytes, key2.len));
        EXPECT_EQUAL(cache.hits, 1);
        EXPECT_TRUE(s3.len > 0);
    }

    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

/* The ttl given to the store callback follows the session state lifetime. */
static void test_ttl(const struct rs2n_version_case *v, uint64_t lifetime, uint64_t expected_ttl)
{
    fprintf(stderr, "-- %s: session state lifetime %llu s\n", v->name,
            (unsigned long long) lifetime);
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2031) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config(v->policy, &cache, &clock);
    EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(server, lifetime));
    struct s2n_config *client = rs2n_resume_client_config(v->policy, &clock, v->tls13, NULL);
    struct rs2n_conn c;
    EXPECT_CONNECT("full handshake", server, client, NULL, RS2N_CLOSE_GRACEFUL);
    EXPECT_EQUAL(cache.stores, 1);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&cache, RS2N_CACHE_STORE, 0);
    EXPECT_TRUE(store != NULL && store->ttl == expected_ttl);
    if (store != NULL && store->ttl != expected_ttl) {
        fprintf(stderr, "  ttl %llu, expected %llu\n", (unsigned long long) store->ttl,
                (unsigned long long) expected_ttl);
    }
    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

/* Entries resume until the session state lifetime, not after. */
static void test_lifetime_expiry(const struct rs2n_version_case *v)
{
    fprintf(stderr, "-- %s: entries older than the session state lifetime\n", v->name);
    const uint64_t lifetime = HOURS(1);
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2032) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config(v->policy, &cache, &clock);
    EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(server, lifetime));
    struct s2n_config *client = rs2n_resume_client_config(v->policy, &clock, v->tls13, NULL);
    struct rs2n_session s;
    struct rs2n_conn c;

    /* A minute before the lifetime ends: resumed. */
    EXPECT_CONNECT("full handshake", server, client, NULL, RS2N_CLOSE_GRACEFUL);
    s = c.session;
    EXPECT_TRUE(s.len > 0);
    clock.seconds += lifetime - 60;
    EXPECT_CONNECT("just before the lifetime", server, client, &s, RS2N_CLOSE_GRACEFUL);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);

    /* A second after: a full handshake that succeeds (the cache expired it). */
    EXPECT_CONNECT("full handshake", server, client, NULL, RS2N_CLOSE_GRACEFUL);
    s = c.session;
    clock.seconds += lifetime + 1;
    rs2n_test_cache_clear_calls(&cache);
    EXPECT_CONNECT("after the lifetime", server, client, &s, RS2N_CLOSE_GRACEFUL);
    EXPECT_EQUAL(c.rc, 0);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    EXPECT_EQUAL(cache.hits, 0);

    /* The same with a cache that does not expire entries: the server itself
     * refuses the old value. The client's clock stays where the session was
     * saved, so that the client surely offers it. */
    cache.ignore_ttl = 1;
    /* The first ticket key has stopped encrypting (2 hours) by now. */
    rs2n_add_ticket_key(server, "cache-key-2");
    struct rs2n_fake_clock client_clock = clock;
    struct s2n_config *client2 = rs2n_resume_client_config(v->policy, &client_clock, v->tls13, NULL);
    EXPECT_CONNECT("full handshake", server, client2, NULL, RS2N_CLOSE_GRACEFUL);
    s = c.session;
    clock.seconds += lifetime + 1;
    rs2n_test_cache_clear_calls(&cache);
    EXPECT_CONNECT("sloppy cache after the lifetime", server, client2, &s, RS2N_CLOSE_GRACEFUL);
    EXPECT_EQUAL(c.rc, 0);
    EXPECT_EQUAL(cache.hits, 1); /* the cache did return the old value */
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    /* The full handshake stored a new session. */
    EXPECT_EQUAL(cache.stores, 1);

    s2n_config_free(client2);
    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

int main(void)
{
    rs2n_test_begin("test_cache_resume", 120);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        const struct rs2n_version_case *v = &rs2n_versions[i];
        test_resume(v);
        test_ttl(v, HOURS(1), HOURS(1));
        test_ttl(v, 60, 60);
        test_ttl(v, HOURS(10), HOURS(6));
        test_lifetime_expiry(v);
    }
    return rs2n_test_finish();
}
