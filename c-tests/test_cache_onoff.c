/*
 * s2n_config_set_session_cache_onoff, TLS1.2 ("20240501") and TLS1.3
 * ("default_tls13"), for each of the three callbacks left unset:
 *   - onoff(1) with only two callbacks set returns success, but the cache
 *     stays off: no callback is called, no session resumes;
 *   - setting the third callback alone does not turn it on (s2n-tls decides at
 *     onoff time);
 *   - onoff(1) again turns it on: the session is stored and resumes;
 *   - onoff(0) turns it off: nothing is stored or looked up, and a session
 *     whose entry is still in the cache gives a full handshake;
 *   - onoff(1) once more turns it back on.
 */
#include "testlib.h"

static const char *callback_names[3] = { "store", "retrieve", "delete" };

static void set_callback(struct s2n_config *config, struct rs2n_test_cache *cache, int which)
{
    switch (which) {
    case 0:
        EXPECT_SUCCESS(s2n_config_set_cache_store_callback(config, rs2n_test_cache_store,
                                                           &cache->store_ctx));
        break;
    case 1:
        EXPECT_SUCCESS(s2n_config_set_cache_retrieve_callback(config, rs2n_test_cache_retrieve,
                                                              &cache->retrieve_ctx));
        break;
    case 2:
        EXPECT_SUCCESS(s2n_config_set_cache_delete_callback(config, rs2n_test_cache_delete,
                                                            &cache->delete_ctx));
        break;
    }
}

/* Two connections, the second offering the first's session. Checks whether the
 * cache was used, by the callbacks and by resumption. */
static void check_cache(const struct rs2n_version_case *v, const char *what,
                        struct s2n_config *server, struct s2n_config *client,
                        struct rs2n_test_cache *cache, int expect_on)
{
    fprintf(stderr, "   %s %s: cache expected %s\n", v->name, what, expect_on ? "on" : "off");
    struct rs2n_session s;
    struct rs2n_conn c;
    rs2n_test_cache_clear_calls(cache);

    int rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    s = c.session;
    if (rc != 0) {
        rs2n_print_pair_result(what, &c.res);
    }
    EXPECT_EQUAL(rc, 0);
    EXPECT_TRUE(c.after_ok);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_EQUAL(cache->stores, expect_on ? 1 : 0);
    EXPECT_EQUAL(cache->retrieves, 0);

    rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(&s, RS2N_CLOSE_GRACEFUL), &c);
    if (rc != 0) {
        rs2n_print_pair_result(what, &c.res);
    }
    EXPECT_EQUAL(rc, 0);
    EXPECT_TRUE(c.after_ok);
    EXPECT_EQUAL(c.server_resumed, expect_on);
    EXPECT_EQUAL(c.client_resumed, expect_on);
    if (!expect_on) {
        EXPECT_EQUAL(cache->stores, 0);
        EXPECT_EQUAL(cache->retrieves, 0);
        EXPECT_EQUAL(cache->deletes, 0);
    } else {
        EXPECT_EQUAL(cache->retrieves, 1);
        EXPECT_EQUAL(cache->hits, 1);
    }
}

static void test_onoff(const struct rs2n_version_case *v, int missing)
{
    fprintf(stderr, "-- %s: onoff(1) without the %s callback\n", v->name,
            callback_names[missing]);
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2040) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, v->policy);
    EXPECT_SUCCESS(s2n_config_set_wall_clock(server, rs2n_fake_clock_fn, &clock));
    struct s2n_config *client = rs2n_resume_client_config(v->policy, &clock, v->tls13, NULL);

    for (int i = 0; i < 3; i++) {
        if (i != missing) {
            set_callback(server, &cache, i);
        }
    }
    EXPECT_SUCCESS(s2n_config_set_session_cache_onoff(server, 1));
    /* rs2n keeps ticket keys added while the cache is off (s2n-tls would
     * ignore this one): so only the missing callback keeps the cache off. */
    rs2n_add_ticket_key(server, "onoff-key-1");
    check_cache(v, "two callbacks, onoff(1)", server, client, &cache, 0);

    set_callback(server, &cache, missing);
    check_cache(v, "third callback set, no onoff(1) since", server, client, &cache, 0);

    EXPECT_SUCCESS(s2n_config_set_session_cache_onoff(server, 1));
    check_cache(v, "all three, onoff(1)", server, client, &cache, 1);

    /* An entry stored now stays in the cache while the cache is off. */
    struct rs2n_session s;
    struct rs2n_conn c;
    EXPECT_SUCCESS(rs2n_connect(server, client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c));
    s = c.session;
    EXPECT_TRUE(s.len > 0);

    EXPECT_SUCCESS(s2n_config_set_session_cache_onoff(server, 0));
    check_cache(v, "onoff(0)", server, client, &cache, 0);
    rs2n_test_cache_clear_calls(&cache);
    size_t entries = rs2n_test_cache_size(&cache);
    EXPECT_TRUE(entries > 0);
    EXPECT_EQUAL(rs2n_connect(server, client, RS2N_CACHE_OPTS(&s, RS2N_CLOSE_GRACEFUL), &c), 0);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    EXPECT_EQUAL(cache.retrieves + cache.stores + cache.deletes, 0);

    /* Back on (s2n-tls drops its ticket keys at onoff(0) with tickets off, so
     * a portable application adds one again). */
    EXPECT_SUCCESS(s2n_config_set_session_cache_onoff(server, 1));
    rs2n_add_ticket_key(server, "onoff-key-2");
    check_cache(v, "onoff(1) again", server, client, &cache, 1);

    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

int main(void)
{
    rs2n_test_begin("test_cache_onoff", 120);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        for (int missing = 0; missing < 3; missing++) {
            test_onoff(&rs2n_versions[i], missing);
        }
    }
    return rs2n_test_finish();
}
