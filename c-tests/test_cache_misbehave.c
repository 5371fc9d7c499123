/*
 * Caches that misbehave, TLS1.2 ("20240501") and TLS1.3 ("default_tls13"). The
 * client offers a session whose entry is in the cache, and the cache answers
 * badly; each time the handshake must be a full one that succeeds (no error,
 * no crash, nothing resumed on either side), store the new session, and leave
 * the cache working for the next connections:
 *   - retrieve returns -1;
 *   - retrieve returns garbage (1, 100 and 16384 bytes) or 0 bytes;
 *   - retrieve returns the stored value with one byte flipped, or cut short;
 *   - retrieve returns a value sealed by a ticket key that has since expired
 *     (the clock moved past both of its windows and a new key was added);
 *   - retrieve copies the value but sets *value_size beyond the buffer it was
 *     given (capacity + 1, and UINT64_MAX);
 *   - store returns -1 (or S2N_CALLBACK_BLOCKED, which store cannot use): the
 *     handshake succeeds and the next connection is a full handshake.
 * (A value stored under another key: test_cache_swapped_value.c.)
 */
#include "testlib.h"

#define HOURS(h) ((uint64_t) (h) * 3600u)

struct env {
    const struct rs2n_version_case *v;
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

struct key_copy {
    uint8_t bytes[RS2N_CACHE_MAX_KEY];
    size_t len;
};

static void env_init(struct env *e, const struct rs2n_version_case *v)
{
    memset(e, 0, sizeof(*e));
    e->v = v;
    rs2n_cache_fixture_open(v, 2045, &e->clock, &e->cache, &e->server, &e->client);
}

static void env_free(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

static void reset_misbehaviour(struct rs2n_test_cache *c)
{
    c->store_rc = 0;
    c->retrieve_mode = RS2N_RETRIEVE_NORMAL;
    c->block_retrieves = 0;
}

/* A full handshake that stores a session: the client's session and its key. */
static void stored_session(struct env *e, struct rs2n_session *s, struct key_copy *key)
{
    struct rs2n_conn c;
    rs2n_test_cache_clear_calls(&e->cache);
    int rc = rs2n_connect(e->server, e->client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    *s = c.session;
    if (rc != 0) {
        rs2n_print_pair_result("full handshake", &c.res);
    }
    REQUIRE(rc == 0);
    EXPECT_TRUE(c.after_ok);
    EXPECT_EQUAL(e->cache.stores, 1);
    EXPECT_TRUE(s->len > 0);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&e->cache, RS2N_CACHE_STORE, 0);
    REQUIRE(store != NULL && store->key_len <= RS2N_CACHE_MAX_KEY);
    if (key) {
        memcpy(key->bytes, store->key, store->key_len);
        key->len = store->key_len;
        EXPECT_TRUE(rs2n_test_cache_has(&e->cache, key->bytes, key->len));
    }
}

/* The client offers `offer`; the cache misbehaves as set up. A full handshake
 * must succeed after exactly one retrieve returning `retrieve_rc`. */
static void expect_full(struct env *e, const char *what, const struct rs2n_session *offer,
                        int retrieve_rc, int expect_store)
{
    fprintf(stderr, "   %s: %s\n", e->v->name, what);
    struct rs2n_conn c;
    struct rs2n_session next;
    rs2n_test_cache_clear_calls(&e->cache);
    int rc = rs2n_connect(e->server, e->client, RS2N_CACHE_OPTS(offer, RS2N_CLOSE_GRACEFUL), &c);
    next = c.session;
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: the handshake failed", e->v->name, what);
        rs2n_print_pair_result(what, &c.res);
    } else {
        EXPECT_TRUE(c.after_ok);
        EXPECT_FALSE(c.server_resumed);
        EXPECT_FALSE(c.client_resumed);
    }
    EXPECT_EQUAL(e->cache.retrieves, 1);
    const struct rs2n_cache_call *r = rs2n_test_cache_last(&e->cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(r != NULL && r->rc == retrieve_rc);
    if (rc == 0 && expect_store) {
        /* The full handshake stored its own session. */
        EXPECT_EQUAL(e->cache.stores, 1);
        EXPECT_TRUE(next.len > 0);
    }
}

/* The cache works again once it behaves: a new session is stored and resumes. */
static void expect_still_works(struct env *e, const char *what)
{
    reset_misbehaviour(&e->cache);
    struct rs2n_session s;
    struct rs2n_conn c;
    stored_session(e, &s, NULL);
    rs2n_test_cache_clear_calls(&e->cache);
    int rc = rs2n_connect(e->server, e->client, RS2N_CACHE_OPTS(&s, RS2N_CLOSE_GRACEFUL), &c);
    if (rc != 0 || !c.server_resumed || !c.client_resumed) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: after %s: a new session did not resume",
                       e->v->name, what);
        rs2n_print_pair_result(what, &c.res);
    }
}

static void test_retrieve_fails(const struct rs2n_version_case *v)
{
    struct env e;
    env_init(&e, v);
    struct rs2n_session s;
    stored_session(&e, &s, NULL);
    e.cache.retrieve_mode = RS2N_RETRIEVE_FAIL;
    expect_full(&e, "retrieve returns -1", &s, -1, 1);
    expect_still_works(&e, "retrieve returns -1");
    env_free(&e);
}

static void test_garbage(const struct rs2n_version_case *v)
{
    static const size_t lengths[] = { 1, 100, 16 * 1024, 0 };
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        struct env e;
        env_init(&e, v);
        struct rs2n_session s;
        stored_session(&e, &s, NULL);
        char what[64];
        snprintf(what, sizeof(what), "retrieve returns %zu garbage bytes", lengths[i]);
        e.cache.retrieve_mode = RS2N_RETRIEVE_GARBAGE;
        e.cache.garbage_len = lengths[i];
        expect_full(&e, what, &s, 0, 1);
        expect_still_works(&e, what);
        env_free(&e);
    }
}

static void test_tampered(const struct rs2n_version_case *v)
{
    struct env e;
    env_init(&e, v);
    struct rs2n_session s;
    stored_session(&e, &s, NULL);
    e.cache.retrieve_mode = RS2N_RETRIEVE_TAMPER;
    expect_full(&e, "retrieve returns the value with a byte flipped", &s, 0, 1);
    expect_still_works(&e, "a tampered value");
    env_free(&e);

    static const size_t cuts[] = { 10, 1 };
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        env_init(&e, v);
        stored_session(&e, &s, NULL);
        const struct rs2n_cache_call *store = rs2n_test_cache_last(&e.cache, RS2N_CACHE_STORE, 0);
        REQUIRE(store != NULL && store->size > 10);
        e.cache.retrieve_mode = RS2N_RETRIEVE_TRUNCATE;
        /* cuts[i] = 1: all but the last byte. */
        e.cache.truncate_to = cuts[i] == 1 ? (size_t) store->size - 1 : cuts[i];
        char what[128];
        snprintf(what, sizeof(what), "retrieve returns the first %zu of %llu bytes",
                 e.cache.truncate_to, (unsigned long long) store->size);
        expect_full(&e, what, &s, 0, 1);
        expect_still_works(&e, what);
        env_free(&e);
    }
}

static void test_expired_key(const struct rs2n_version_case *v)
{
    struct env e;
    memset(&e, 0, sizeof(e));
    e.v = v;
    e.clock.seconds = RS2N_YEAR_SECONDS(2046);
    rs2n_test_cache_init(&e.cache, &e.clock);
    /* Keys encrypt for 1 hour, then decrypt for 1 more; sessions live 10 hours
     * (so the cache keeps the value 6 hours). */
    e.server = rs2n_server_config(RS2N_CERT_ECDSA_P256, v->policy);
    EXPECT_SUCCESS(s2n_config_set_wall_clock(e.server, rs2n_fake_clock_fn, &e.clock));
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(e.server, HOURS(1)));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(e.server, HOURS(1)));
    EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(e.server, HOURS(10)));
    REQUIRE(rs2n_test_cache_attach(e.server, &e.cache) == 0);
    rs2n_add_ticket_key(e.server, "old-key");
    e.client = rs2n_resume_client_config(v->policy, &e.clock, v->tls13, NULL);

    struct rs2n_session s;
    struct key_copy k;
    stored_session(&e, &s, &k);

    /* Half an hour later (still in the first window) it resumes. */
    e.clock.seconds += 1800;
    if (!v->tls13) {
        struct rs2n_conn c;
        EXPECT_EQUAL(rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(&s, RS2N_CLOSE_GRACEFUL), &c),
                     0);
        EXPECT_TRUE(c.server_resumed);
    }

    /* Past both windows of the key that sealed it; the cache still has it. */
    e.clock.seconds += HOURS(2);
    rs2n_add_ticket_key(e.server, "new-key");
    EXPECT_TRUE(rs2n_test_cache_has(&e.cache, k.bytes, k.len));
    expect_full(&e, "retrieve returns a value sealed by an expired key", &s, 0, 1);
    expect_still_works(&e, "an expired key");
    env_free(&e);
}

static void test_oversize(const struct rs2n_version_case *v)
{
    static const uint64_t by[] = { 1, 0 /* UINT64_MAX */ };
    for (size_t i = 0; i < 2; i++) {
        struct env e;
        env_init(&e, v);
        struct rs2n_session s;
        stored_session(&e, &s, NULL);
        e.cache.retrieve_mode = RS2N_RETRIEVE_OVERSIZE;
        e.cache.oversize_by = by[i] ? by[i] : UINT64_MAX - 16 * 1024;
        const char *what = by[i] ? "retrieve sets *value_size to the capacity + 1"
                                 : "retrieve sets *value_size to UINT64_MAX";
        expect_full(&e, what, &s, 0, 1);
        const struct rs2n_cache_call *r = rs2n_test_cache_last(&e.cache, RS2N_CACHE_RETRIEVE, 0);
        EXPECT_TRUE(r != NULL && r->size == 16 * 1024 && r->size_out > r->size);
        expect_still_works(&e, what);
        env_free(&e);
    }
}

static void test_store_fails(const struct rs2n_version_case *v, int store_rc)
{
    char what[64];
    snprintf(what, sizeof(what), "store returns %d", store_rc);
    fprintf(stderr, "   %s: %s\n", v->name, what);
    struct env e;
    env_init(&e, v);
    e.cache.store_rc = store_rc;
    struct rs2n_session s;
    struct rs2n_conn c;
    int rc = rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    s = c.session;
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: the handshake failed", v->name, what);
        rs2n_print_pair_result(what, &c.res);
    }
    EXPECT_TRUE(c.after_ok);
    EXPECT_EQUAL(e.cache.stores, 1);
    EXPECT_EQUAL(rs2n_test_cache_size(&e.cache), 0);

    /* Nothing was stored: the next connection is a full handshake. */
    rs2n_test_cache_clear_calls(&e.cache);
    rc = rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(&s, RS2N_CLOSE_GRACEFUL), &c);
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: the next handshake failed", v->name, what);
        rs2n_print_pair_result(what, &c.res);
    }
    EXPECT_TRUE(c.after_ok);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    expect_still_works(&e, what);
    env_free(&e);
}

int main(void)
{
    rs2n_test_begin("test_cache_misbehave", 240);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        const struct rs2n_version_case *v = &rs2n_versions[i];
        fprintf(stderr, "-- %s\n", v->name);
        test_retrieve_fails(v);
        test_garbage(v);
        test_tampered(v);
        test_expired_key(v);
        test_oversize(v);
        test_store_fails(v, -1);
        test_store_fails(v, S2N_CALLBACK_BLOCKED);
    }
    return rs2n_test_finish();
}
