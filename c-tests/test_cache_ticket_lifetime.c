/*
 * The lifetime hint of the TLS1.3 tickets a server sends when they are keys
 * into the session cache ("default_tls13", server tickets off, cache on).
 *
 * The header promises that s2n_config_set_session_state_lifetime "bounds the
 * ticket lifetime hint" (TLS1.2 and TLS1.3), and the server refuses cached
 * sessions older than that lifetime: a hint beyond it makes clients keep
 * offering tickets that can only give a full handshake. rs2n's stateless
 * TLS1.3 tickets are bounded (hint = the lifetime, 15 hours by default), and so
 * are s2n-tls' TLS1.3 tickets (s2n_generate_ticket_lifetime). Checked for the
 * default lifetime, 1 hour and 60 seconds: the client's
 * s2n_connection_get_session_ticket_lifetime_hint must be in (0, lifetime].
 */
#include "testlib.h"

static void test_hint(uint64_t lifetime)
{
    fprintf(stderr, "-- session state lifetime %llu s%s\n", (unsigned long long) lifetime,
            lifetime == 15 * 3600 ? " (the default)" : "");
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2065) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config("default_tls13", &cache, &clock);
    if (lifetime != 15 * 3600) {
        EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(server, lifetime));
    }
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &clock, 1, NULL);
    struct rs2n_session s;
    struct rs2n_conn c;
    int rc = rs2n_connect(server, client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c);
    s = c.session;
    if (rc != 0) {
        rs2n_print_pair_result("handshake", &c.res);
    }
    REQUIRE(rc == 0);
    EXPECT_EQUAL(c.version, S2N_TLS13);
    EXPECT_EQUAL(cache.stores, 1);
    EXPECT_TRUE(s.len > 0);
    EXPECT_TRUE(c.lifetime_hint > 0);
    if (c.lifetime_hint <= 0 || (uint64_t) c.lifetime_hint > lifetime) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "the cache ticket's lifetime hint is %d s; the session state lifetime "
                       "is %llu s",
                       c.lifetime_hint, (unsigned long long) lifetime);
    }
    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

int main(void)
{
    rs2n_test_begin("test_cache_ticket_lifetime", 60);
    test_hint(15 * 3600);
    test_hint(3600);
    test_hint(60);
    return rs2n_test_finish();
}
