/*
 * Application protocols (ALPN), under TLS1.3 and TLS1.2:
 *   - the server picks its first protocol the client also offers, whatever the
 *     client's order; both sides report it with s2n_get_application_protocol;
 *   - no protocol in common: as in s2n-tls, the handshake succeeds and neither
 *     side reports a protocol; the same when only one side has a list;
 *   - a connection's own list (set or appended) replaces its config's;
 *   - bad arguments: NULL config/connection, a negative count, an empty or
 *     256-byte name, protocol_len 0, a list past 65535 bytes, a change after
 *     the handshake started: each fails with S2N_ERR_T_USAGE and keeps the list;
 *     NULL or a count of 0 clears the list.
 */
#include "testlib.h"

static const char *policy = "default_tls13";

/* A handshake between the configs; the connections' own lists first if given.
 * Checks both sides report `expected` (NULL: no protocol). */
static void expect_protocol(struct s2n_config *sc, struct s2n_config *cc,
                            const char *const *server_list, int server_count,
                            const char *const *client_list, int client_count,
                            const char *expected, const char *what)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    if (server_list) {
        EXPECT_SUCCESS(s2n_connection_set_protocol_preferences(p.server, server_list, server_count));
    }
    if (client_list) {
        EXPECT_SUCCESS(s2n_connection_set_protocol_preferences(p.client, client_list, client_count));
    }
    EXPECT_NULL(s2n_get_application_protocol(p.server));
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: handshake failed", policy, what);
        rs2n_print_pair_result(what, &res);
    } else if (expected == NULL) {
        EXPECT_NULL(s2n_get_application_protocol(p.server));
        EXPECT_NULL(s2n_get_application_protocol(p.client));
        printf("%s: %-50s no protocol\n", policy, what);
    } else {
        const char *s = s2n_get_application_protocol(p.server);
        const char *c = s2n_get_application_protocol(p.client);
        EXPECT_NOT_NULL(s);
        EXPECT_NOT_NULL(c);
        if (s && c) {
            EXPECT_STRING_EQUAL(s, expected);
            EXPECT_STRING_EQUAL(c, expected);
            printf("%s (version %d): %-50s %s\n", policy,
                   s2n_connection_get_actual_protocol_version(p.server), what, s);
        }
        /* Changing the list after the handshake started is refused. */
        EXPECT_FAILURE_WITH_TYPE(
            s2n_connection_append_protocol_preference(p.client, (const uint8_t *) "x", 1),
            S2N_ERR_T_USAGE);
    }
    rs2n_pair_close(&p);
}

static void negotiation(void)
{
    const char *server_prefs[] = { "h2", "http/1.1" };
    const char *client_prefs[] = { "http/1.1", "h2" };
    const char *client_old[] = { "spdy/3", "http/1.1" };
    const char *client_none[] = { "spdy/3", "imap" };

    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);

    /* Only one side with a list: nothing negotiated. */
    expect_protocol(sc, cc, NULL, 0, NULL, 0, NULL, "neither side has protocols");
    EXPECT_SUCCESS(s2n_config_set_protocol_preferences(cc, client_prefs, 2));
    expect_protocol(sc, cc, NULL, 0, NULL, 0, NULL, "only the client offers");
    EXPECT_SUCCESS(s2n_config_set_protocol_preferences(sc, server_prefs, 2));

    expect_protocol(sc, cc, NULL, 0, NULL, 0, "h2", "server's order wins");
    expect_protocol(sc, cc, NULL, 0, client_old, 2, "http/1.1", "client's own list");
    expect_protocol(sc, cc, NULL, 0, client_none, 2, NULL, "no protocol in common");

    /* The server connection's own list replaces the config's. */
    const char *server_conn[] = { "http/1.1" };
    expect_protocol(sc, cc, server_conn, 1, NULL, 0, "http/1.1", "server connection's list");

    /* Appending: to the config, and to a connection (its own list from then). */
    EXPECT_SUCCESS(s2n_config_set_protocol_preferences(cc, NULL, 0));
    expect_protocol(sc, cc, NULL, 0, NULL, 0, NULL, "client list cleared");
    EXPECT_SUCCESS(s2n_config_append_protocol_preference(cc, (const uint8_t *) "imap", 4));
    EXPECT_SUCCESS(s2n_config_append_protocol_preference(cc, (const uint8_t *) "http/1.1", 8));
    expect_protocol(sc, cc, NULL, 0, NULL, 0, "http/1.1", "appended to the config");

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_append_protocol_preference(p.client, (const uint8_t *) "h2", 2));
    EXPECT_SUCCESS(rs2n_negotiate_pair(p.server, p.client, &res));
    EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.client), "h2");
    EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.server), "h2");
    rs2n_pair_close(&p);

    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void bad_arguments(void)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    const char *ok[] = { "h2" };
    const char *empty[] = { "h2", "" };
    char long_name[257];
    memset(long_name, 'a', 256);
    long_name[256] = '\0';
    const char *too_long[] = { long_name };
    uint8_t name255[255];
    memset(name255, 'p', sizeof(name255));

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_protocol_preferences(NULL, ok, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_protocol_preferences(NULL, ok, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_append_protocol_preference(NULL, name255, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_append_protocol_preference(NULL, name255, 2),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_append_protocol_preference(config, NULL, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_append_protocol_preference(conn, NULL, 2),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_append_protocol_preference(config, name255, 0), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_APPLICATION_PROTOCOL");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_protocol_preferences(config, ok, -1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_protocol_preferences(config, empty, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_protocol_preferences(config, too_long, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_protocol_preferences(conn, empty, 2), S2N_ERR_T_USAGE);
    EXPECT_NULL(s2n_get_application_protocol(NULL));
    EXPECT_NULL(s2n_get_application_protocol(conn));

    /* 255-byte names: 256 bytes each on the wire; 255 of them fill 65280 of the
     * 65535 bytes, one more does not fit. */
    for (int i = 0; i < 255; i++) {
        EXPECT_SUCCESS(s2n_config_append_protocol_preference(config, name255, 255));
    }
    EXPECT_FAILURE_WITH_TYPE(s2n_config_append_protocol_preference(config, name255, 255),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_append_protocol_preference(config, name255, 254));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_append_protocol_preference(config, name255, 1), S2N_ERR_T_USAGE);
    /* Replacing and clearing still work. */
    EXPECT_SUCCESS(s2n_config_set_protocol_preferences(config, ok, 1));
    EXPECT_SUCCESS(s2n_config_set_protocol_preferences(config, ok, 0));
    EXPECT_SUCCESS(s2n_connection_set_protocol_preferences(conn, NULL, 3));

    EXPECT_SUCCESS(s2n_connection_free(conn));
    EXPECT_SUCCESS(s2n_config_free(config));
}

int main(void)
{
    rs2n_test_begin("alpn", 60);
    bad_arguments();
    negotiation();
    policy = "20240501";
    negotiation();
    return rs2n_test_finish();
}
