/*
 * Certificate objects and their inspection: loading from bytes (with and without
 * a key), the context pointer, the private key token, the chain's certificates and
 * their DER, extensions by OID and UTF8String data; on a connection, the server's
 * selected certificate, how the SNI matched, and the peer's chain; config-owned
 * chains, default certificates and the tiebreak callback.
 */
#include "testlib.h"

static struct s2n_cert_chain_and_key *load(enum rs2n_cert_kind kind)
{
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    char *cert = rs2n_read_cert(rs2n_cert_file(kind));
    char *key = rs2n_read_cert(rs2n_key_file(kind));
    REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_pem_bytes(ck, (uint8_t *) cert, (uint32_t) strlen(cert),
                                                          (uint8_t *) key, (uint32_t) strlen(key)));
    free(cert);
    free(key);
    return ck;
}

/* The DER of certificate `idx` of `ck`. */
static const uint8_t *der_of(struct s2n_cert_chain_and_key *ck, uint32_t idx, uint32_t *len)
{
    struct s2n_cert *cert = NULL;
    const uint8_t *der = NULL;
    *len = 0;
    EXPECT_SUCCESS(s2n_cert_chain_get_cert(ck, &cert, idx));
    EXPECT_SUCCESS(s2n_cert_get_der(cert, &der, len));
    return der;
}

static void test_chain_object(void)
{
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    uint32_t n = 99;
    EXPECT_SUCCESS(s2n_cert_chain_get_length(ck, &n));
    EXPECT_EQUAL(n, 0);
    EXPECT_NULL_WITH_TYPE(s2n_cert_chain_and_key_get_private_key(ck), S2N_ERR_T_USAGE);

    int marker = 0;
    EXPECT_NULL(s2n_cert_chain_and_key_get_ctx(ck));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ctx(ck, &marker));
    EXPECT_TRUE(s2n_cert_chain_and_key_get_ctx(ck) == &marker);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_set_ctx(NULL, &marker), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_cert_chain_and_key_get_ctx(NULL), S2N_ERR_T_USAGE);

    /* Public only: a chain to inspect, which serves only with an async private key
     * callback (test_async_pkey.c). */
    char *pem = rs2n_read_cert("ecdsa_p256_cert.pem");
    EXPECT_SUCCESS(s2n_cert_chain_and_key_load_public_pem_bytes(ck, (uint8_t *) pem, (uint32_t) strlen(pem)));
    EXPECT_SUCCESS(s2n_cert_chain_get_length(ck, &n));
    EXPECT_EQUAL(n, 2);
    EXPECT_NULL_WITH_TYPE(s2n_cert_chain_and_key_get_private_key(ck), S2N_ERR_T_USAGE);
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(config, ck));
    EXPECT_SUCCESS(s2n_config_free(config));
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_public_pem_bytes(ck, (uint8_t *) "junk", 4),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_public_pem_bytes(ck, NULL, 10), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_cert_chain_get_length(ck, &n));
    EXPECT_EQUAL(n, 2);

    /* The certificates and their DER, owned by the chain. */
    struct s2n_cert *leaf = NULL, *again = NULL;
    EXPECT_SUCCESS(s2n_cert_chain_get_cert(ck, &leaf, 0));
    EXPECT_SUCCESS(s2n_cert_chain_get_cert(ck, &again, 0));
    EXPECT_TRUE(leaf != NULL && leaf == again);
    const uint8_t *der = NULL;
    uint32_t der_len = 0;
    EXPECT_SUCCESS(s2n_cert_get_der(leaf, &der, &der_len));
    EXPECT_TRUE(der_len > 100 && der[0] == 0x30);
    uint32_t ca_len = 0;
    const uint8_t *ca = der_of(ck, 1, &ca_len);
    EXPECT_TRUE(ca != NULL && ca != der && ca_len > 100);
    struct s2n_cert *none = NULL;
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_get_cert(ck, &none, 2), S2N_ERR_T_USAGE);
    EXPECT_NULL(none);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_get_cert(ck, NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_get_cert(NULL, &none, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_get_length(ck, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_der(leaf, NULL, &der_len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_der(NULL, &der, &der_len), S2N_ERR_T_USAGE);

    /* subjectAltName (2.5.29.17): a non-critical SEQUENCE naming localhost. */
    uint32_t ext_len = 0;
    EXPECT_SUCCESS(s2n_cert_get_x509_extension_value_length(leaf, (const uint8_t *) "2.5.29.17", &ext_len));
    EXPECT_TRUE(ext_len > 9);
    uint8_t ext[512];
    uint32_t cap = sizeof(ext);
    bool critical = true;
    EXPECT_SUCCESS(s2n_cert_get_x509_extension_value(leaf, (const uint8_t *) "2.5.29.17", ext, &cap, &critical));
    EXPECT_EQUAL(cap, ext_len);
    EXPECT_FALSE(critical);
    EXPECT_EQUAL(ext[0], 0x30);
    int found = 0;
    for (uint32_t i = 0; i + 9 <= cap; i++) {
        found |= memcmp(ext + i, "localhost", 9) == 0;
    }
    EXPECT_TRUE(found);
    cap = ext_len - 1;
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_x509_extension_value(leaf, (const uint8_t *) "2.5.29.17", ext, &cap, &critical),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_x509_extension_value_length(leaf, (const uint8_t *) "1.2.3.4", &ext_len),
                             S2N_ERR_T_USAGE);
    uint32_t by_name = 0;
    EXPECT_SUCCESS(s2n_cert_get_x509_extension_value_length(leaf, (const uint8_t *) "subjectAltName", &by_name));
    EXPECT_EQUAL(by_name, ext_len);
    EXPECT_FAILURE_WITH_TYPE(
        s2n_cert_get_x509_extension_value_length(leaf, (const uint8_t *) "noSuchExtension", &by_name), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_x509_extension_value_length(leaf, NULL, &ext_len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_x509_extension_value(leaf, (const uint8_t *) "2.5.29.17", ext, &cap, NULL),
                             S2N_ERR_T_USAGE);

    /* A full load replaces the public chain; the key is there now. */
    char *key = rs2n_read_cert("ecdsa_p256_key.pem");
    EXPECT_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, pem, key));
    EXPECT_NOT_NULL(s2n_cert_chain_and_key_get_private_key(ck));
    EXPECT_TRUE(s2n_cert_chain_and_key_get_private_key(ck) == s2n_cert_chain_and_key_get_private_key(ck));
    /* The s2n_cert taken before is still valid. */
    EXPECT_SUCCESS(s2n_cert_get_der(leaf, &der, &der_len));
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem_bytes(ck, NULL, 5, (uint8_t *) key, 5), S2N_ERR_T_USAGE);
    free(pem);
    free(key);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(ck));
}

static void test_utf8_strings(void)
{
    const uint8_t hello[] = { 0x0c, 0x05, 'h', 'e', 'l', 'l', 'o' };
    const uint8_t printable[] = { 0x13, 0x02, 'h', 'i' };
    uint32_t len = 0;
    EXPECT_SUCCESS(s2n_cert_get_utf8_string_from_extension_data_length(hello, sizeof(hello), &len));
    EXPECT_EQUAL(len, 5);
    uint8_t out[8] = { 0 };
    uint32_t cap = sizeof(out);
    EXPECT_SUCCESS(s2n_cert_get_utf8_string_from_extension_data(hello, sizeof(hello), out, &cap));
    EXPECT_EQUAL(cap, 5);
    EXPECT_TRUE(memcmp(out, "hello", 5) == 0);
    cap = 4;
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data(hello, sizeof(hello), out, &cap),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data_length(printable, sizeof(printable), &len),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data_length(hello, 3, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data_length(hello, 0, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data_length(NULL, 7, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_get_utf8_string_from_extension_data(hello, sizeof(hello), NULL, &cap),
                             S2N_ERR_T_USAGE);
}

/* A client that checks signatures but not names, to reach any certificate. */
static struct s2n_config *lenient_client(void)
{
    struct s2n_config *cc = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(cc);
    REQUIRE_SUCCESS(s2n_config_disable_x509_verification(cc));
    return cc;
}

static void expect_selection(struct s2n_config *sc, const char *sni, struct s2n_cert_chain_and_key *want,
                             s2n_cert_sni_match want_match, const char *what)
{
    struct s2n_config *cc = lenient_client();
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, sni, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", what);
        rs2n_print_pair_result(what, &res);
    } else {
        if (s2n_connection_get_selected_cert(p.server) != want) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: another certificate was selected", what);
        }
        s2n_cert_sni_match m = 0;
        EXPECT_SUCCESS(s2n_connection_get_certificate_match(p.server, &m));
        EXPECT_EQUAL(m, want_match);
        /* The client's view of the server's chain is the selected one. */
        struct s2n_cert_chain_and_key *peer = s2n_cert_chain_and_key_new();
        REQUIRE_NOT_NULL(peer);
        EXPECT_SUCCESS(s2n_connection_get_peer_cert_chain(p.client, peer));
        uint32_t a = 0, b = 0;
        const uint8_t *x = der_of(peer, 0, &a), *y = der_of(want, 0, &b);
        EXPECT_TRUE(a == b && a > 0 && memcmp(x, y, a) == 0);
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(peer));
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_selection_and_match(void)
{
    struct s2n_cert_chain_and_key *localhost = load(RS2N_CERT_ECDSA_P256);
    struct s2n_cert_chain_and_key *wrong = load(RS2N_CERT_WRONG_NAME);
    struct s2n_config *sc = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(sc);
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(sc, localhost));
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(sc, wrong));

    expect_selection(sc, "localhost", localhost, S2N_SNI_EXACT_MATCH, "SNI localhost");
    expect_selection(sc, "WRONG.example", wrong, S2N_SNI_EXACT_MATCH, "SNI WRONG.example");
    expect_selection(sc, "nothing.example", localhost, S2N_SNI_NO_MATCH, "no match: the first");
    expect_selection(sc, NULL, localhost, S2N_SNI_NONE, "no SNI: the first");

    /* Defaults: used when nothing matches. */
    struct s2n_cert_chain_and_key *defaults[2] = { wrong, localhost };
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_chain_and_key_defaults(sc, defaults, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_chain_and_key_defaults(sc, defaults, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_chain_and_key_defaults(sc, NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_cert_chain_and_key_defaults(sc, defaults, 1));
    expect_selection(sc, "nothing.example", wrong, S2N_SNI_NO_MATCH, "no match: the default");
    expect_selection(sc, "localhost", localhost, S2N_SNI_EXACT_MATCH, "a match beats the default");

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_tiebreak_callback(NULL, NULL), S2N_ERR_T_USAGE);

    /* Before a handshake; on a client. */
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    s2n_cert_sni_match m = 0;
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_selected_cert(server), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_certificate_match(server, &m), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_certificate_match(client, &m), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_certificate_match(server, NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_selected_cert(NULL), S2N_ERR_T_USAGE);
    struct s2n_cert_chain_and_key *peer = s2n_cert_chain_and_key_new();
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_peer_cert_chain(client, peer), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_peer_cert_chain(client, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_peer_cert_chain(NULL, peer), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(peer));
    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(client));

    /* After a handshake: the peer chain must go into an empty object; the server
     * has no client chain; a freed chain is no longer reported as selected. */
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", NULL);
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "verified handshake failed");
    } else {
        struct s2n_cert_chain_and_key *full = load(RS2N_CERT_ECDSA_P256);
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_peer_cert_chain(p.client, full), S2N_ERR_T_USAGE);
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(full));
        peer = s2n_cert_chain_and_key_new();
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_peer_cert_chain(p.server, peer), S2N_ERR_T_USAGE);
        EXPECT_SUCCESS(s2n_connection_get_peer_cert_chain(p.client, peer));
        uint32_t n = 0;
        EXPECT_SUCCESS(s2n_cert_chain_get_length(peer, &n));
        EXPECT_EQUAL(n, 2);
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(peer));
        EXPECT_NULL(s2n_connection_get_selected_cert(p.client));
        EXPECT_TRUE(s2n_connection_get_selected_cert(p.server) == localhost);
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(localhost));
        localhost = NULL;
        EXPECT_NULL_WITH_TYPE(s2n_connection_get_selected_cert(p.server), S2N_ERR_T_USAGE);
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(cc));
    EXPECT_SUCCESS(s2n_config_free(sc));
    if (localhost) {
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(localhost));
    }
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(wrong));
}

static int tiebreak_calls;
static int tiebreak_saw_localhost;

static struct s2n_cert_chain_and_key *prefer_second(struct s2n_cert_chain_and_key *cert1,
                                                    struct s2n_cert_chain_and_key *cert2, uint8_t *name,
                                                    uint32_t name_len)
{
    (void) cert1;
    tiebreak_calls++;
    tiebreak_saw_localhost |= name_len == 9 && memcmp(name, "localhost", 9) == 0;
    return cert2;
}

/* Two ECDSA certificates for localhost: the first added serves it, unless the
 * tiebreak callback, asked when the second is added, picks the second. */
static void test_tiebreak(void)
{
    for (int with_cb = 0; with_cb < 2; with_cb++) {
        struct s2n_cert_chain_and_key *p256 = load(RS2N_CERT_ECDSA_P256);
        struct s2n_cert_chain_and_key *p384 = load(RS2N_CERT_ECDSA_P384);
        struct s2n_config *sc = s2n_config_new_minimal();
        REQUIRE_NOT_NULL(sc);
        tiebreak_calls = tiebreak_saw_localhost = 0;
        if (with_cb) {
            EXPECT_SUCCESS(s2n_config_set_cert_tiebreak_callback(sc, prefer_second));
        }
        REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(sc, p256));
        EXPECT_EQUAL(tiebreak_calls, 0);
        REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(sc, p384));
        EXPECT_EQUAL(tiebreak_calls > 0, with_cb);
        EXPECT_EQUAL(tiebreak_saw_localhost, with_cb);
        expect_selection(sc, "localhost", with_cb ? p384 : p256, S2N_SNI_EXACT_MATCH,
                         with_cb ? "tiebreak picks the second" : "no tiebreak: the first");
        EXPECT_SUCCESS(s2n_config_free(sc));
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(p256));
        EXPECT_SUCCESS(s2n_cert_chain_and_key_free(p384));
    }
}

/* Chains made by s2n_config_add_cert_chain_and_key belong to the config. */
static void test_config_owned_chains(void)
{
    char *cert = rs2n_read_cert("ecdsa_p256_cert.pem");
    char *key = rs2n_read_cert("ecdsa_p256_key.pem");
    struct s2n_config *sc = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(sc);
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key(sc, cert, key));
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", NULL);
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake with a config-owned chain failed");
    } else {
        struct s2n_cert_chain_and_key *selected = s2n_connection_get_selected_cert(p.server);
        EXPECT_NOT_NULL(selected);
        uint32_t n = 0;
        EXPECT_SUCCESS(s2n_cert_chain_get_length(selected, &n));
        EXPECT_EQUAL(n, 2);
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free_cert_chain_and_key(sc));
    /* No certificate left: the server cannot handshake. */
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) == 0) {
        rs2n_test_fail(__FILE__, __LINE__, "a server without certificates completed a handshake");
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free_cert_chain_and_key(sc));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_free_cert_chain_and_key(NULL), S2N_ERR_T_USAGE);
    /* Owned chains still in the config are freed with it. */
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key(sc, cert, key));
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
    free(cert);
    free(key);
}

int main(void)
{
    rs2n_test_begin("test_cert_inspect", 60);
    test_chain_object();
    test_utf8_strings();
    test_selection_and_match();
    test_tiebreak();
    test_config_owned_chains();
    return rs2n_test_finish();
}
