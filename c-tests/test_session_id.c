/*
 * s2n_connection_get_session_id and s2n_connection_get_session_id_length:
 * 0 before the handshake; after a TLS1.2 handshake with the session cache on,
 * the ServerHello's session ID (the same bytes on both sides, the key the store
 * callback got); 0 for TLS1.3 without the cache; a buffer too small is a usage
 * error (S2N_ERR_SESSION_ID_TOO_LONG); NULL arguments are usage errors.
 */
#include "testlib.h"

static void test_tls12_cache(void)
{
    struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2030) };
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &clock);
    struct s2n_config *server = rs2n_cache_server_config("20240501", &cache, &clock);
    struct s2n_config *client = rs2n_resume_client_config("20240501", &clock, 0, NULL);

    struct rs2n_pair p;
    rs2n_pair_open(&p, server, client, "localhost", 1);
    EXPECT_EQUAL(s2n_connection_get_session_id_length(p.server), 0);
    EXPECT_EQUAL(s2n_connection_get_session_id_length(p.client), 0);
    struct rs2n_pair_result res;
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);

    int len = s2n_connection_get_session_id_length(p.server);
    EXPECT_EQUAL(len, 32);
    EXPECT_EQUAL(s2n_connection_get_session_id_length(p.client), len);
    uint8_t server_id[64], client_id[64];
    EXPECT_EQUAL(s2n_connection_get_session_id(p.server, server_id, sizeof(server_id)), len);
    EXPECT_EQUAL(s2n_connection_get_session_id(p.client, client_id, sizeof(client_id)), len);
    EXPECT_TRUE(len > 0 && memcmp(server_id, client_id, (size_t) len) == 0);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&cache, RS2N_CACHE_STORE, 0);
    REQUIRE(store != NULL);
    EXPECT_TRUE(rs2n_cache_call_key_is(store, server_id, (size_t) len));

    /* Exactly the length fits; one byte less does not. */
    EXPECT_EQUAL(s2n_connection_get_session_id(p.server, server_id, (size_t) len), len);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_id(p.server, server_id, (size_t) len - 1),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_SESSION_ID_TOO_LONG");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_id(p.server, NULL, 64), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_id(NULL, server_id, 64), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_id_length(NULL), S2N_ERR_T_USAGE);

    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
    rs2n_test_cache_free(&cache);
}

static void test_tls13_without_cache(void)
{
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    REQUIRE(rs2n_pair_handshake(&p, server, client, "localhost", &res) == 0);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS13);
    /* As in s2n-tls: TLS1.3's legacy session ID is a compatibility echo, not an ID. */
    EXPECT_EQUAL(s2n_connection_get_session_id_length(p.server), 0);
    EXPECT_EQUAL(s2n_connection_get_session_id_length(p.client), 0);
    uint8_t id[32];
    EXPECT_EQUAL(s2n_connection_get_session_id(p.client, id, sizeof(id)), 0);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_session_id", 60);
    test_tls12_cache();
    test_tls13_without_cache();
    return rs2n_test_finish();
}
