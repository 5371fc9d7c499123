/*
 * PEM as s2n-tls reads it: certificates and keys written on one line (as s2n's
 * own s2nc/s2nd embed them), CRLF line ends, SEC1 and PKCS#1 keys; and for bad
 * PEM, a short message that says what is wrong (never a dump of the input).
 */
#include "testlib.h"

/* `pem` with every line break removed: each block on one line. */
static char *one_line(const char *pem)
{
    char *out = malloc(strlen(pem) + 1);
    REQUIRE_NOT_NULL(out);
    size_t n = 0;
    for (const char *p = pem; *p; p++) {
        if (*p != '\n' && *p != '\r') {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

/* `pem` with LF line ends turned to CRLF. */
static char *crlf(const char *pem)
{
    char *out = malloc(2 * strlen(pem) + 1);
    REQUIRE_NOT_NULL(out);
    size_t n = 0;
    for (const char *p = pem; *p; p++) {
        if (*p == '\n') {
            out[n++] = '\r';
        }
        out[n++] = *p;
    }
    out[n] = '\0';
    return out;
}

/* A server config with this chain and key, used for a verified handshake. */
static void expect_handshake_with(const char *chain, const char *key, const char *what)
{
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, chain, key));
    struct s2n_config *server = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(server);
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(server, ck));
    struct s2n_config *client = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(client);
    char *ca_file = rs2n_read_cert("ca_cert.pem");
    char *ca = one_line(ca_file);
    free(ca_file);
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(client, ca));
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, server, client, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", what);
        rs2n_print_pair_result(what, &res);
    }
    rs2n_pair_close(&p);
    free(ca);
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(ck));
}

static void test_variants(void)
{
    char *chain = rs2n_read_cert("ecdsa_p256_cert.pem");
    char *key = rs2n_read_cert("ecdsa_p256_key.pem");
    char *sec1 = rs2n_read_cert("ecdsa_p256_key_sec1.pem");
    char *rsa_chain = rs2n_read_cert("rsa2048_cert.pem");
    char *pkcs1 = rs2n_read_cert("rsa2048_key_pkcs1.pem");
    char *chain1 = one_line(chain), *key1 = one_line(key), *sec1_1 = one_line(sec1);
    char *chain_crlf = crlf(chain), *key_crlf = crlf(key);

    expect_handshake_with(chain1, key1, "one-line chain and PKCS#8 key");
    expect_handshake_with(chain_crlf, key_crlf, "CRLF chain and key");
    expect_handshake_with(chain1, sec1_1, "one-line chain and SEC1 key");
    expect_handshake_with(rsa_chain, pkcs1, "RSA chain and PKCS#1 key");

    /* s2n_config_add_cert_chain_and_key takes the same PEM. */
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key(config, chain1, key1));
    EXPECT_SUCCESS(s2n_config_free(config));

    free(chain), free(key), free(sec1), free(rsa_chain), free(pkcs1);
    free(chain1), free(key1), free(sec1_1), free(chain_crlf), free(key_crlf);
}

/* The call fails with a usage error whose message is short and contains `says`. */
static void expect_short_message(int rc, const char *says, const char *what)
{
    EXPECT_EQUAL(rc, S2N_FAILURE);
    EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_USAGE);
    const char *msg = s2n_strerror_debug(s2n_errno, "EN");
    if (msg == NULL || strlen(msg) >= 200 || strstr(msg, says) == NULL) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: message \"%s\" (%zu bytes) should be short and say \"%s\"",
                       what, msg ? msg : "(NULL)", msg ? strlen(msg) : 0, says);
    }
}

static void test_bad_pem(void)
{
    char *chain = rs2n_read_cert("ecdsa_p256_cert.pem");
    char *key = rs2n_read_cert("ecdsa_p256_key.pem");
    char *chain1 = one_line(chain);
    /* One long line cut before its END marker. */
    chain1[strlen(chain1) - 26] = '\0';
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);

    expect_short_message(s2n_cert_chain_and_key_load_pem(ck, chain1, key),
                         "no -----END CERTIFICATE-----", "truncated one-line chain");
    expect_short_message(s2n_cert_chain_and_key_load_pem(ck, "hello", key), "no PEM certificate",
                         "no PEM at all");
    expect_short_message(s2n_cert_chain_and_key_load_pem(ck, chain, "hello"), "no usable PEM key",
                         "no key");
    expect_short_message(s2n_cert_chain_and_key_load_pem(ck, chain, chain), "no usable PEM key",
                         "a certificate as the key");
    expect_short_message(
        s2n_cert_chain_and_key_load_pem(ck, "-----BEGIN CERTIFICATE-----\nQUFBQUFB\n-----END CERTIFICATE-----\n", key),
        "not a valid X.509", "base64 that is no certificate");

    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    expect_short_message(s2n_config_add_pem_to_trust_store(config, chain1), "trust store",
                         "truncated trust store PEM");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_pem_to_trust_store(config, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, NULL, key), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(NULL, chain, key), S2N_ERR_T_USAGE);
    /* Nothing was loaded by the failures. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key_to_store(config, ck), S2N_ERR_T_USAGE);

    EXPECT_SUCCESS(s2n_config_free(config));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(ck));
    free(chain), free(key), free(chain1);
}

int main(void)
{
    rs2n_test_begin("test_pem", 60);
    test_variants();
    test_bad_pem();
    return rs2n_test_finish();
}
