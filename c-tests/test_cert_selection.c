/*
 * A server with several certificates (s2n_config_add_cert_chain_and_key_to_store
 * more than once): which one it presents, and so which cipher suite it picks.
 *   - a TLS1.2 policy with only ECDHE-RSA suites and an ECDSA and an RSA
 *     certificate, in either order: the RSA one is used;
 *   - a TLS1.2 policy with both kinds of suites: as in s2n-tls, the server
 *     takes the first suite of its own preference order for which it has a
 *     certificate (s2n_set_cipher_as_tls_server skips suites whose
 *     authentication method has no certificate, s2n_is_cipher_suite_valid_for_auth),
 *     whatever order the certificates were added in; a client that only
 *     accepts RSA suites gets the RSA certificate;
 *   - TLS1.3 with both kinds;
 *   - the certificate matching the client's server name (SNI), checked by the
 *     client's verification of that name.
 */
#include "testlib.h"

/* ------------------------------------------------------------------------- */
/* Several certificates on one server                                        */
/* ------------------------------------------------------------------------- */

static struct s2n_config *multi_cert_server(const char *policy, const enum rs2n_cert_kind *kinds,
                                            size_t n)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    REQUIRE_SUCCESS(s2n_config_set_cipher_preferences(config, policy));
    for (size_t i = 0; i < n; i++) {
        struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
        REQUIRE_NOT_NULL(ck);
        char *cert = rs2n_read_cert(rs2n_cert_file(kinds[i]));
        char *key = rs2n_read_cert(rs2n_key_file(kinds[i]));
        REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, cert, key));
        REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(config, ck));
        /* rs2n documents that configs keep their own reference. */
        REQUIRE_SUCCESS(s2n_cert_chain_and_key_free(ck));
        free(cert);
        free(key);
    }
    return config;
}

static void expect_multi(struct s2n_config *server_config, const char *client_policy,
                         const char *server_name, int version, const char *cipher, const char *what)
{
    struct s2n_config *client_config = rs2n_client_config("ca_cert.pem", client_policy);
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, server_config, client_config, server_name, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", what);
        rs2n_print_pair_result(what, &res);
    } else {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), version);
        if (cipher) {
            const char *got = s2n_connection_get_cipher(p.client);
            if (got == NULL || strcmp(got, cipher) != 0) {
                rs2n_test_fail(__FILE__, __LINE__, "%s: cipher suite %s, expected %s", what,
                               got ? got : "(NULL)", cipher);
            }
        }
        printf("%-70s ok: %s\n", what, s2n_connection_get_cipher(p.client));
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(client_config));
}

static void test_cert_selection(void)
{
    const enum rs2n_cert_kind ecdsa_then_rsa[] = { RS2N_CERT_ECDSA_P256, RS2N_CERT_RSA2048 };
    const enum rs2n_cert_kind rsa_then_ecdsa[] = { RS2N_CERT_RSA2048, RS2N_CERT_ECDSA_P256 };
    const enum rs2n_cert_kind by_name[] = { RS2N_CERT_ECDSA_P256, RS2N_CERT_WRONG_NAME };
    struct s2n_config *sc;

    /* The server's policy has only ECDHE-RSA suites: whatever the order the
     * certificates were added in, only the RSA one can be used, and s2n uses it
     * (s2n_set_cipher_as_tls_server skips suites without a certificate for
     * their authentication method). */
    sc = multi_cert_server("20170210", ecdsa_then_rsa, 2);
    expect_multi(sc, "default", "localhost", S2N_TLS12, "ECDHE-RSA-AES128-GCM-SHA256",
                 "RSA-only TLS1.2 server policy, certs ECDSA then RSA");
    EXPECT_SUCCESS(s2n_config_free(sc));
    sc = multi_cert_server("20170210", rsa_then_ecdsa, 2);
    expect_multi(sc, "default", "localhost", S2N_TLS12, "ECDHE-RSA-AES128-GCM-SHA256",
                 "RSA-only TLS1.2 server policy, certs RSA then ECDSA");
    EXPECT_SUCCESS(s2n_config_free(sc));

    /* Both kinds usable: s2n takes the first suite of the server's order for
     * which it has a certificate (20240501 lists ECDHE-ECDSA first). */
    sc = multi_cert_server("20240501", rsa_then_ecdsa, 2);
    expect_multi(sc, "20240501", "localhost", S2N_TLS12, "ECDHE-ECDSA-AES128-GCM-SHA256",
                 "TLS1.2 server with both, certs RSA then ECDSA");
    EXPECT_SUCCESS(s2n_config_free(sc));
    sc = multi_cert_server("20240501", ecdsa_then_rsa, 2);
    expect_multi(sc, "20240501", "localhost", S2N_TLS12, "ECDHE-ECDSA-AES128-GCM-SHA256",
                 "TLS1.2 server with both, certs ECDSA then RSA");
    /* A client that only takes RSA suites gets the RSA certificate. */
    expect_multi(sc, "20170210", "localhost", S2N_TLS12, "ECDHE-RSA-AES128-GCM-SHA256",
                 "TLS1.2 server with both, RSA-only client");
    EXPECT_SUCCESS(s2n_config_free(sc));

    /* TLS1.3, both kinds: any works. */
    sc = multi_cert_server("default_tls13", rsa_then_ecdsa, 2);
    expect_multi(sc, "default_tls13", "localhost", S2N_TLS13, "TLS_AES_128_GCM_SHA256",
                 "TLS1.3 server with both");
    EXPECT_SUCCESS(s2n_config_free(sc));

    /* The certificate is chosen by the client's server name (SNI); the client
     * verifies the name, so a wrong choice fails the handshake. */
    sc = multi_cert_server("default_tls13", by_name, 2);
    expect_multi(sc, "default_tls13", "wrong.example", S2N_TLS13, NULL,
                 "TLS1.3, SNI wrong.example picks the wrong.example cert");
    expect_multi(sc, "default_tls13", "localhost", S2N_TLS13, NULL,
                 "TLS1.3, SNI localhost picks the localhost cert");
    EXPECT_SUCCESS(s2n_config_free(sc));
    sc = multi_cert_server("20240501", by_name, 2);
    expect_multi(sc, "20240501", "wrong.example", S2N_TLS12, NULL,
                 "TLS1.2, SNI wrong.example picks the wrong.example cert");
    EXPECT_SUCCESS(s2n_config_free(sc));
}

int main(void)
{
    rs2n_test_begin("test_cert_selection", 60);
    test_cert_selection();
    return rs2n_test_finish();
}
