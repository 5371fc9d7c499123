/*
 * What a connection reports it negotiated, under s2n's names and values: key
 * exchange group, KEM (none), signature scheme and its algorithm and hash, the
 * suite's IANA value, the ClientHello version, the last message; its mode and file
 * descriptors; a per-connection security policy; the config's supported groups.
 */
#include "testlib.h"

static int handshake(struct rs2n_pair *p, struct s2n_config *server, struct s2n_config *client)
{
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(p, server, client, "localhost", &res) != 0) {
        rs2n_print_pair_result("handshake", &res);
        return -1;
    }
    return 0;
}

static void expect_negotiated(enum rs2n_cert_kind kind, const char *policy, int version,
                              const char *scheme, int sig_alg, int first, int second)
{
    struct s2n_config *sc = rs2n_server_config(kind, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    struct rs2n_pair p;
    if (handshake(&p, sc, cc) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", policy);
    } else {
        struct s2n_connection *both[2] = { p.server, p.client };
        const char *client_curve = s2n_connection_get_curve(p.client);
        for (int i = 0; i < 2; i++) {
            struct s2n_connection *c = both[i];
            EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(c), version);
            const char *curve = s2n_connection_get_curve(c);
            EXPECT_TRUE(strcmp(curve, "x25519") == 0 || strcmp(curve, "secp256r1") == 0
                        || strcmp(curve, "secp384r1") == 0);
            EXPECT_STRING_EQUAL(curve, client_curve);
            const char *group = NULL;
            EXPECT_SUCCESS(s2n_connection_get_key_exchange_group(c, &group));
            EXPECT_STRING_EQUAL(group, curve);
            EXPECT_STRING_EQUAL(s2n_connection_get_kem_name(c), "NONE");
            EXPECT_STRING_EQUAL(s2n_connection_get_kem_group_name(c), "NONE");
            const char *name = NULL;
            EXPECT_SUCCESS(s2n_connection_get_signature_scheme(c, &name));
            EXPECT_STRING_EQUAL(name, scheme);
            s2n_tls_signature_algorithm alg = -1;
            EXPECT_SUCCESS(s2n_connection_get_selected_signature_algorithm(c, &alg));
            EXPECT_EQUAL(alg, sig_alg);
            s2n_tls_hash_algorithm hash = -1;
            EXPECT_SUCCESS(s2n_connection_get_selected_digest_algorithm(c, &hash));
            EXPECT_EQUAL(hash, S2N_TLS_HASH_SHA256);
            uint8_t a = 0, b = 0;
            EXPECT_SUCCESS(s2n_connection_get_cipher_iana_value(c, &a, &b));
            EXPECT_EQUAL(a, first);
            EXPECT_EQUAL(b, second);
            EXPECT_EQUAL(s2n_connection_get_client_hello_version(c), S2N_TLS12);
            EXPECT_STRING_EQUAL(s2n_connection_get_last_message_name(c), "APPLICATION_DATA");
            EXPECT_EQUAL(s2n_connection_is_valid_for_cipher_preferences(c, policy), 1);
            /* An RSA-only TLS1.2 policy allows neither suite negotiated here. */
            EXPECT_EQUAL(s2n_connection_is_valid_for_cipher_preferences(c, "20170210"), 0);
            EXPECT_FAILURE_WITH_TYPE(s2n_connection_is_valid_for_cipher_preferences(c, "no-such"),
                                     S2N_ERR_T_USAGE);
            EXPECT_FAILURE_WITH_TYPE(s2n_connection_is_valid_for_cipher_preferences(c, NULL),
                                     S2N_ERR_T_USAGE);
            /* Too late for a connection policy. */
            EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_cipher_preferences(c, "default"),
                                     S2N_ERR_T_USAGE);
        }
        EXPECT_EQUAL(s2n_connection_get_mode(p.server), S2N_SERVER);
        EXPECT_EQUAL(s2n_connection_get_mode(p.client), S2N_CLIENT);
        int fd = -1;
        EXPECT_SUCCESS(s2n_connection_get_read_fd(p.client, &fd));
        EXPECT_EQUAL(fd, p.client_fd);
        EXPECT_SUCCESS(s2n_connection_get_write_fd(p.server, &fd));
        EXPECT_EQUAL(fd, p.server_fd);
        printf("%-14s %-10s %s %s 0x%02x,0x%02x ok\n", policy, rs2n_cert_kind_name(kind),
               client_curve, scheme, first, second);
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_after_handshake(void)
{
    expect_negotiated(RS2N_CERT_ECDSA_P256, "default_tls13", S2N_TLS13, "ecdsa_secp256r1_sha256",
                      S2N_TLS_SIGNATURE_ECDSA, 0x13, 0x01);
    expect_negotiated(RS2N_CERT_ECDSA_P256, "20240501", S2N_TLS12, "legacy_ecdsa_sha256",
                      S2N_TLS_SIGNATURE_ECDSA, 0xc0, 0x2b);
    expect_negotiated(RS2N_CERT_RSA2048, "default_tls13", S2N_TLS13, "rsa_pss_rsae_sha256",
                      S2N_TLS_SIGNATURE_RSA_PSS_RSAE, 0x13, 0x01);
}

static void test_before_handshake_and_bad_arguments(void)
{
    struct s2n_connection *c = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(c);
    EXPECT_STRING_EQUAL(s2n_connection_get_curve(c), "NONE");
    EXPECT_STRING_EQUAL(s2n_connection_get_last_message_name(c), "CLIENT_HELLO");
    const char *name = NULL;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_key_exchange_group(c, &name), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_signature_scheme(c, &name), S2N_ERR_T_USAGE);
    uint8_t a, b;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_cipher_iana_value(c, &a, &b), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_cipher_iana_value(c, NULL, &b), S2N_ERR_T_USAGE);
    s2n_tls_signature_algorithm alg = -1;
    EXPECT_SUCCESS(s2n_connection_get_selected_signature_algorithm(c, &alg));
    EXPECT_EQUAL(alg, S2N_TLS_SIGNATURE_ANONYMOUS);
    s2n_tls_hash_algorithm hash = -1;
    EXPECT_SUCCESS(s2n_connection_get_selected_digest_algorithm(c, &hash));
    EXPECT_EQUAL(hash, S2N_TLS_HASH_NONE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_signature_algorithm(c, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_digest_algorithm(NULL, &hash), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(s2n_connection_is_valid_for_cipher_preferences(c, "default"), 0);

    /* File descriptors: none until set, the one set, none once a callback replaces it. */
    int fd = -1;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_read_fd(c, &fd), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_write_fd(c, &fd), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_set_read_fd(c, 7));
    EXPECT_SUCCESS(s2n_connection_set_write_fd(c, 8));
    EXPECT_SUCCESS(s2n_connection_get_read_fd(c, &fd));
    EXPECT_EQUAL(fd, 7);
    EXPECT_SUCCESS(s2n_connection_get_write_fd(c, &fd));
    EXPECT_EQUAL(fd, 8);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_read_fd(c, NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_set_fd(c, 9));
    EXPECT_SUCCESS(s2n_connection_get_write_fd(c, &fd));
    EXPECT_EQUAL(fd, 9);
    EXPECT_SUCCESS(s2n_connection_wipe(c));
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_read_fd(c, &fd), S2N_ERR_T_USAGE);

    /* The mode, NULL included (s2n-tls answers S2N_SERVER). */
    EXPECT_EQUAL(s2n_connection_get_mode(c), S2N_CLIENT);
    EXPECT_EQUAL(s2n_connection_get_mode(NULL), S2N_SERVER);

    /* NULL connections. */
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_curve(NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_kem_name(NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_kem_group_name(NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_last_message_name(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_hello_version(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_cipher_preferences(NULL, "default"), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_cipher_preferences(c, "no-such-policy"), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_cipher_preferences(c, NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_free(c));
}

/* A connection's own policy overrides its config's: a TLS1.2-only client. */
static void test_connection_policy(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default");
    struct rs2n_pair p;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_set_cipher_preferences(p.client, "20240501"));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake with a connection policy failed");
        rs2n_print_pair_result("connection policy", &res);
    } else {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), S2N_TLS12);
        EXPECT_EQUAL(s2n_connection_is_valid_for_cipher_preferences(p.client, "20240501"), 1);
    }
    rs2n_pair_close(&p);

    /* The same on the server side. */
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_set_cipher_preferences(p.server, "20240501"));
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake with a server connection policy failed");
    } else {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS12);
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_supported_groups(void)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    uint16_t groups[8] = { 0 };
    uint16_t count = 99;
    EXPECT_SUCCESS(s2n_config_get_supported_groups(config, groups, 8, &count));
    EXPECT_TRUE(count >= 2 && count <= 8);
    int x25519 = 0, p256 = 0;
    for (uint16_t i = 0; i < count; i++) {
        x25519 |= groups[i] == 0x001d;
        p256 |= groups[i] == 0x0017;
    }
    EXPECT_TRUE(x25519 && p256);
    /* A policy with P-256 and P-384 only. */
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(config, "20230317"));
    EXPECT_SUCCESS(s2n_config_get_supported_groups(config, groups, 8, &count));
    EXPECT_EQUAL(count, 2);
    EXPECT_EQUAL(groups[0], 0x0017);
    EXPECT_EQUAL(groups[1], 0x0018);
    count = 99;
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_supported_groups(config, groups, 1, &count), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(count, 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_supported_groups(config, NULL, 8, &count), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_supported_groups(config, groups, 8, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_supported_groups(NULL, groups, 8, &count), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free(config));
}

int main(void)
{
    rs2n_test_begin("test_negotiated", 60);
    test_after_handshake();
    test_before_handshake_and_bad_arguments();
    test_connection_policy();
    test_supported_groups();
    return rs2n_test_finish();
}
