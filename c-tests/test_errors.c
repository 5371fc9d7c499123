/*
 * Misuse of the API and the error model:
 *   - every function of s2n.h with NULL for each pointer argument: -1, NULL or
 *     0 as documented, S2N_ERR_T_USAGE (S2N_ERR_NULL) and a non-empty message;
 *   - bad values: negative sizes, an unknown mode or blinding, negative fds,
 *     unknown security policies (the config keeps its previous one), PEM that
 *     does not parse, PEM without a certificate, a key that does not match its
 *     certificate, unreadable CA locations, a 300-byte server name;
 *   - calls in the wrong state: negotiate without I/O (the connection stays
 *     usable), a server config without certificate (adding one makes the
 *     config usable), settings changed after the handshake started, sending
 *     before the handshake, a call re-entering its own connection;
 *   - s2n_init twice; s2n_strerror in another language, s2n_strerror_name and
 *     s2n_error_get_type for real errors of each class; s2n_errno reset and
 *     per thread.
 */
#include "testlib.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

/* The last error is S2N_ERR_NULL: the name s2n gives a NULL argument. */
#define EXPECT_LAST_ERROR_NAME(expected)                                          \
    do {                                                                          \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), (expected));            \
    } while (0)

#define EXPECT_NULL_ARG(x)                                                        \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE(x, S2N_ERR_T_USAGE);                             \
        EXPECT_LAST_ERROR_NAME("S2N_ERR_NULL");                                   \
    } while (0)

#define EXPECT_NULL_ARG_PTR(x)                                                    \
    do {                                                                          \
        EXPECT_NULL_WITH_TYPE(x, S2N_ERR_T_USAGE);                                \
        EXPECT_LAST_ERROR_NAME("S2N_ERR_NULL");                                   \
    } while (0)

#define EXPECT_NULL_ARG_ZERO(x)                                                   \
    do {                                                                          \
        EXPECT_ZERO_WITH_TYPE(x, S2N_ERR_T_USAGE);                                \
        EXPECT_LAST_ERROR_NAME("S2N_ERR_NULL");                                   \
    } while (0)

/* The last error's detailed message contains `needle`. */
#define EXPECT_MESSAGE_CONTAINS(needle)                                           \
    do {                                                                          \
        const char *rs2n_m_ = s2n_strerror_debug(s2n_errno, "EN");                \
        if (rs2n_m_ == NULL || strstr(rs2n_m_, (needle)) == NULL) {               \
            rs2n_test_fail(__FILE__, __LINE__, "error message \"%s\" does not mention \"%s\"", \
                           rs2n_m_ ? rs2n_m_ : "(NULL)", (needle));               \
        }                                                                         \
    } while (0)

static void print_last(const char *what)
{
    printf("  %-58s -> %s: %s\n", what, s2n_strerror_name(s2n_errno), s2n_strerror_debug(s2n_errno, "EN"));
}

static int clock_fn(void *ctx, uint64_t *nanos)
{
    (void) ctx;
    *nanos = 0;
    return 0;
}

static int dummy_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    (void) ctx;
    (void) buf;
    (void) len;
    return -1;
}

static int dummy_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    (void) ctx;
    (void) buf;
    return (int) len;
}

static char *cert_p256, *key_p256, *key_p384, *cert_rsa, *key_rsa, *ca_pem;
static struct s2n_config *server_config, *client_config;

static int handshake_ok(struct s2n_config *sc, struct s2n_config *cc)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    int rc = rs2n_pair_handshake(&p, sc, cc, "localhost", &res);
    if (rc != 0) {
        rs2n_print_pair_result("handshake", &res);
    }
    rs2n_pair_close(&p);
    return rc == 0;
}

/* ------------------------------------------------------------------------- */

static void test_null_arguments(void)
{
    struct s2n_config *cfg = s2n_config_new_minimal();
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE(cfg && conn && ck);
    REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, cert_p256, key_p256));
    s2n_blocked_status blocked;
    void *ctx = NULL;
    char buf[16] = { 0 };

    /* Certificates. */
    EXPECT_NULL_ARG(s2n_cert_chain_and_key_load_pem(NULL, cert_p256, key_p256));
    EXPECT_NULL_ARG(s2n_cert_chain_and_key_load_pem(ck, NULL, key_p256));
    EXPECT_NULL_ARG(s2n_cert_chain_and_key_load_pem(ck, cert_p256, NULL));
    EXPECT_NULL_ARG(s2n_cert_chain_and_key_free(NULL));

    /* Configs. */
    EXPECT_NULL_ARG(s2n_config_free(NULL));
    EXPECT_NULL_ARG(s2n_config_set_cipher_preferences(NULL, "default"));
    EXPECT_NULL_ARG(s2n_config_set_cipher_preferences(cfg, NULL));
    EXPECT_NULL_ARG(s2n_config_set_ctx(NULL, &ctx));
    EXPECT_NULL_ARG(s2n_config_get_ctx(NULL, &ctx));
    EXPECT_NULL_ARG(s2n_config_get_ctx(cfg, NULL));
    EXPECT_NULL_ARG(s2n_config_set_wall_clock(NULL, clock_fn, NULL));
    EXPECT_NULL_ARG(s2n_config_set_wall_clock(cfg, NULL, NULL));
    EXPECT_NULL_ARG(s2n_config_set_monotonic_clock(NULL, clock_fn, NULL));
    EXPECT_NULL_ARG(s2n_config_set_monotonic_clock(cfg, NULL, NULL));
    EXPECT_NULL_ARG(s2n_config_add_cert_chain_and_key_to_store(NULL, ck));
    EXPECT_NULL_ARG(s2n_config_add_cert_chain_and_key_to_store(cfg, NULL));
    EXPECT_NULL_ARG(s2n_config_add_cert_chain_and_key(NULL, cert_p256, key_p256));
    EXPECT_NULL_ARG(s2n_config_add_cert_chain_and_key(cfg, NULL, key_p256));
    EXPECT_NULL_ARG(s2n_config_add_cert_chain_and_key(cfg, cert_p256, NULL));
    EXPECT_NULL_ARG(s2n_config_add_pem_to_trust_store(NULL, ca_pem));
    EXPECT_NULL_ARG(s2n_config_add_pem_to_trust_store(cfg, NULL));
    EXPECT_NULL_ARG(s2n_config_set_verification_ca_location(NULL, rs2n_cert_path("ca_cert.pem"), NULL));
    EXPECT_NULL_ARG(s2n_config_set_verification_ca_location(cfg, NULL, NULL));
    EXPECT_NULL_ARG(s2n_config_wipe_trust_store(NULL));
    EXPECT_NULL_ARG(s2n_config_disable_x509_verification(NULL));

    /* Connections. */
    EXPECT_NULL_ARG(s2n_connection_set_config(NULL, cfg));
    EXPECT_NULL_ARG(s2n_connection_set_config(conn, NULL));
    EXPECT_NULL_ARG(s2n_connection_free(NULL));
    EXPECT_NULL_ARG(s2n_connection_wipe(NULL));
    EXPECT_NULL_ARG(s2n_connection_set_ctx(NULL, &ctx));
    EXPECT_NULL_ARG_PTR(s2n_connection_get_ctx(NULL));
    EXPECT_NULL_ARG(s2n_connection_set_blinding(NULL, S2N_BUILT_IN_BLINDING));
    EXPECT_NULL_ARG_ZERO(s2n_connection_get_delay(NULL));
    EXPECT_NULL_ARG(s2n_set_server_name(NULL, "localhost"));
    EXPECT_NULL_ARG(s2n_set_server_name(conn, NULL));
    EXPECT_NULL_ARG_PTR(s2n_get_server_name(NULL));
    EXPECT_NULL_ARG(s2n_connection_get_actual_protocol_version(NULL));
    EXPECT_NULL_ARG(s2n_connection_get_client_protocol_version(NULL));
    EXPECT_NULL_ARG(s2n_connection_get_server_protocol_version(NULL));
    EXPECT_NULL_ARG_PTR(s2n_connection_get_cipher(NULL));
    EXPECT_NULL_ARG_PTR(s2n_connection_get_handshake_type_name(NULL));
    EXPECT_NULL_ARG_ZERO(s2n_connection_get_wire_bytes_in(NULL));
    EXPECT_NULL_ARG_ZERO(s2n_connection_get_wire_bytes_out(NULL));
    EXPECT_NULL_ARG(s2n_connection_get_alert(NULL));

    /* I/O set-up. */
    EXPECT_NULL_ARG(s2n_connection_set_fd(NULL, 0));
    EXPECT_NULL_ARG(s2n_connection_set_read_fd(NULL, 0));
    EXPECT_NULL_ARG(s2n_connection_set_write_fd(NULL, 0));
    EXPECT_NULL_ARG(s2n_connection_set_recv_cb(NULL, dummy_recv));
    EXPECT_NULL_ARG(s2n_connection_set_recv_cb(conn, NULL));
    EXPECT_NULL_ARG(s2n_connection_set_send_cb(NULL, dummy_send));
    EXPECT_NULL_ARG(s2n_connection_set_send_cb(conn, NULL));
    EXPECT_NULL_ARG(s2n_connection_set_recv_ctx(NULL, &ctx));
    EXPECT_NULL_ARG(s2n_connection_set_send_ctx(NULL, &ctx));

    /* I/O calls. */
    EXPECT_NULL_ARG(s2n_negotiate(NULL, &blocked));
    EXPECT_NULL_ARG(s2n_negotiate(conn, NULL));
    EXPECT_NULL_ARG(s2n_send(NULL, buf, 1, &blocked));
    EXPECT_NULL_ARG(s2n_send(conn, buf, 1, NULL));
    EXPECT_NULL_ARG(s2n_recv(NULL, buf, 1, &blocked));
    EXPECT_NULL_ARG(s2n_recv(conn, buf, 1, NULL));
    EXPECT_NULL_ARG_ZERO(s2n_peek(NULL));
    EXPECT_NULL_ARG(s2n_shutdown(NULL, &blocked));
    EXPECT_NULL_ARG(s2n_shutdown(conn, NULL));
    EXPECT_NULL_ARG(s2n_shutdown_send(NULL, &blocked));
    EXPECT_NULL_ARG(s2n_shutdown_send(conn, NULL));

    /* NULL buffers on a connected pair, where the buffer is the only problem. */
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        EXPECT_NULL_ARG(s2n_send(p.client, NULL, 5, &blocked));
        EXPECT_NULL_ARG(s2n_recv(p.server, NULL, 5, &blocked));
        /* Negative sizes. */
        EXPECT_FAILURE_WITH_TYPE(s2n_send(p.client, buf, -1, &blocked), S2N_ERR_T_USAGE);
        print_last("s2n_send(size -1)");
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, -1, &blocked), S2N_ERR_T_USAGE);
        print_last("s2n_recv(size -1)");
        EXPECT_FAILURE_WITH_TYPE(s2n_send(p.client, buf, -100000, &blocked), S2N_ERR_T_USAGE);
        /* Bad arguments do not break the connection. */
        EXPECT_EQUAL(s2n_send(p.client, "hello", 5, &blocked), 5);
        ssize_t n = -1;
        for (int i = 0; i < 10000 && n < 0; i++) {
            n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 5);
        EXPECT_TRUE(memcmp(buf, "hello", 5) == 0);
    }
    rs2n_pair_close(&p);

    /* The objects used above are intact. */
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(cfg, ck));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(ck));
    EXPECT_SUCCESS(s2n_connection_free(conn));
    EXPECT_SUCCESS(s2n_config_free(cfg));
    printf("NULL arguments: done\n");
}

/* ------------------------------------------------------------------------- */

static void test_bad_values(void)
{
    printf("bad values:\n");
    EXPECT_NULL_WITH_TYPE(s2n_connection_new(42), S2N_ERR_T_USAGE);
    print_last("s2n_connection_new(42)");
    EXPECT_NULL_WITH_TYPE(s2n_connection_new(-1), S2N_ERR_T_USAGE);

    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_blinding(conn, 99), S2N_ERR_T_USAGE);
    print_last("s2n_connection_set_blinding(conn, 99)");
    EXPECT_SUCCESS(s2n_connection_set_blinding(conn, S2N_SELF_SERVICE_BLINDING));
    EXPECT_SUCCESS(s2n_connection_set_blinding(conn, S2N_BUILT_IN_BLINDING));
    EXPECT_EQUAL(s2n_connection_get_delay(conn), 0);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_fd(conn, -1), S2N_ERR_T_USAGE);
    print_last("s2n_connection_set_fd(conn, -1)");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_read_fd(conn, -5), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_write_fd(conn, -5), S2N_ERR_T_USAGE);

    /* No alert on a fresh connection. */
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_alert(conn), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_NO_ALERT");

    /* Server names: 255 bytes is the limit. */
    char name[301];
    memset(name, 'a', 300);
    for (int i = 63; i < 300; i += 64) {
        name[i] = '.';
    }
    name[300] = '\0';
    EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(conn, name), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_SERVER_NAME_TOO_LONG");
    print_last("s2n_set_server_name(300 bytes)");
    name[256] = '\0';
    EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(conn, name), S2N_ERR_T_USAGE);
    name[255] = '\0';
    EXPECT_SUCCESS(s2n_set_server_name(conn, name));
    EXPECT_EQUAL(strlen(s2n_get_server_name(conn) ? s2n_get_server_name(conn) : ""), 255);
    /* A failed call leaves the previous name in place. */
    name[255] = 'a';
    EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(conn, name), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(strlen(s2n_get_server_name(conn) ? s2n_get_server_name(conn) : ""), 255);

    /* A server does not set a server name. */
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(server);
    EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(server, "localhost"), S2N_ERR_T_USAGE);
    print_last("s2n_set_server_name(server connection)");
    /* Before any ClientHello there is no name. */
    EXPECT_NULL(s2n_get_server_name(server));

    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(conn));
}

/* ------------------------------------------------------------------------- */

static void test_security_policies(void)
{
    printf("security policies:\n");
    /* Both sides TLS1.2-only; "nope" must not change that. */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cipher_preferences(sc, "nope"), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_INVALID_SECURITY_POLICY");
    EXPECT_MESSAGE_CONTAINS("nope");
    print_last("s2n_config_set_cipher_preferences(\"nope\")");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cipher_preferences(sc, ""), S2N_ERR_T_USAGE);
    /* Known to s2n, refused by rs2n (post-quantum only): the message says so. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cipher_preferences(sc, "test_pq_only"), S2N_ERR_T_USAGE);
    EXPECT_MESSAGE_CONTAINS("test_pq_only");
    print_last("s2n_config_set_cipher_preferences(\"test_pq_only\")");

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake after a refused policy failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        /* Still 20240501: TLS1.2 only, although the client offers TLS1.3. */
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS12);
        EXPECT_EQUAL(s2n_connection_get_server_protocol_version(p.server), S2N_TLS12);
        EXPECT_STRING_EQUAL(s2n_connection_get_cipher(p.client), "ECDHE-ECDSA-AES128-GCM-SHA256");
        /* The server saw a client able to do TLS1.3; the client learnt the
         * server's version. */
        EXPECT_EQUAL(s2n_connection_get_client_protocol_version(p.server), S2N_TLS13);
        EXPECT_EQUAL(s2n_connection_get_client_protocol_version(p.client), S2N_TLS13);
        EXPECT_EQUAL(s2n_connection_get_server_protocol_version(p.client), S2N_TLS12);
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), S2N_TLS12);
    }
    rs2n_pair_close(&p);

    /* Names ignore ASCII case, as in s2n. */
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(sc, "DEFAULT_TLS13"));
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake with DEFAULT_TLS13 failed");
    } else {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS13);
    }
    rs2n_pair_close(&p);

    /* TLS1.3-only client against the TLS1.2-only server: no common version. */
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(sc, "20240501"));
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(cc, "20200207"));
    EXPECT_EQUAL(rs2n_pair_handshake(&p, sc, cc, "localhost", &res), -1);
    EXPECT_TRUE(res.client.rc == -1 && res.server.rc == -1);
    EXPECT_NOT_EQUAL(res.client.type, S2N_ERR_T_BLOCKED);
    EXPECT_NOT_EQUAL(res.server.type, S2N_ERR_T_BLOCKED);
    rs2n_print_pair_result("TLS1.3-only client vs TLS1.2-only server (expected to fail)", &res);
    rs2n_pair_close(&p);

    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

/* ------------------------------------------------------------------------- */

static void test_bad_pem(void)
{
    printf("bad PEM:\n");
    const char *garbage_cert = "-----BEGIN CERTIFICATE-----\n"
                               "bm90IGEgY2VydGlmaWNhdGUgYXQgYWxsLCBqdXN0IHRleHQ=\n"
                               "-----END CERTIFICATE-----\n";
    const char *broken_base64 = "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n"
                                "-----END CERTIFICATE-----\n";
    const char *not_pem = "this is not PEM";
    const char *garbage_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    /* Nothing loaded yet: a config refuses it. */
    struct s2n_config *cfg = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(cfg);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key_to_store(cfg, ck), S2N_ERR_T_USAGE);
    print_last("add_cert_chain_and_key_to_store(empty object)");

    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, garbage_cert, key_p256), S2N_ERR_T_USAGE);
    print_last("load_pem(DER garbage in a CERTIFICATE block)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, broken_base64, key_p256), S2N_ERR_T_USAGE);
    print_last("load_pem(broken base64)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, not_pem, key_p256), S2N_ERR_T_USAGE);
    print_last("load_pem(\"this is not PEM\")");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, "", key_p256), S2N_ERR_T_USAGE);
    /* A PEM with a key and no certificate. */
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, key_p256, key_p256), S2N_ERR_T_USAGE);
    print_last("load_pem(chain = a key)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_p256, garbage_key), S2N_ERR_T_USAGE);
    print_last("load_pem(key = garbage)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_p256, cert_p256), S2N_ERR_T_USAGE);
    print_last("load_pem(key = a certificate)");
    /* Keys that do not match the certificate. */
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_p256, key_p384), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_KEY_MISMATCH");
    print_last("load_pem(P-256 cert, P-384 key)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_rsa, key_p256), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_KEY_MISMATCH");
    print_last("load_pem(RSA cert, P-256 key)");
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_p256, key_rsa), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_KEY_MISMATCH");
    /* Still empty after all those failures. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key_to_store(cfg, ck), S2N_ERR_T_USAGE);

    /* Load a good pair, then fail to load a bad one: the good one stays. */
    EXPECT_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, cert_p256, key_p256));
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_load_pem(ck, cert_p256, key_p384), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(cfg, ck));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(ck));
    EXPECT_TRUE(handshake_ok(cfg, client_config));

    /* The same through s2n_config_add_cert_chain_and_key. */
    struct s2n_config *cfg2 = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(cfg2);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key(cfg2, garbage_cert, key_p256), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key(cfg2, key_p256, key_p256), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_cert_chain_and_key(cfg2, cert_p256, key_p384), S2N_ERR_T_USAGE);
    EXPECT_LAST_ERROR_NAME("S2N_ERR_KEY_MISMATCH");
    print_last("config_add_cert_chain_and_key(P-256 cert, P-384 key)");
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key(cfg2, cert_p256, key_p256));
    EXPECT_TRUE(handshake_ok(cfg2, client_config));

    /* Trust store: garbage, no certificate, and a good CA followed by garbage
     * (nothing is added when any of it fails). */
    struct s2n_config *trust = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(trust);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_pem_to_trust_store(trust, garbage_cert), S2N_ERR_T_USAGE);
    print_last("add_pem_to_trust_store(garbage)");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_pem_to_trust_store(trust, key_p256), S2N_ERR_T_USAGE);
    print_last("add_pem_to_trust_store(a key)");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_pem_to_trust_store(trust, ""), S2N_ERR_T_USAGE);
    size_t la = strlen(ca_pem), lb = strlen(garbage_cert);
    char *ca_then_garbage = malloc(la + lb + 1);
    REQUIRE_NOT_NULL(ca_then_garbage);
    memcpy(ca_then_garbage, ca_pem, la);
    memcpy(ca_then_garbage + la, garbage_cert, lb + 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_pem_to_trust_store(trust, ca_then_garbage), S2N_ERR_T_USAGE);
    print_last("add_pem_to_trust_store(CA + garbage)");
    free(ca_then_garbage);
    {
        struct rs2n_pair p;
        struct rs2n_pair_result res;
        EXPECT_EQUAL(rs2n_pair_handshake(&p, server_config, trust, "localhost", &res), -1);
        EXPECT_EQUAL(res.client.type, S2N_ERR_T_PROTO);
        rs2n_pair_close(&p);
    }
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(trust, ca_pem));
    EXPECT_TRUE(handshake_ok(server_config, trust));

    /* CA locations that cannot be used. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verification_ca_location(trust, "/nonexistent/ca.pem", NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_MESSAGE_CONTAINS("/nonexistent/ca.pem");
    print_last("set_verification_ca_location(missing file)");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verification_ca_location(trust, rs2n_cert_path("ca_key.pem"), NULL),
                             S2N_ERR_T_USAGE);
    print_last("set_verification_ca_location(a key file)");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verification_ca_location(trust, NULL, "/nonexistent-dir"),
                             S2N_ERR_T_USAGE);
    print_last("set_verification_ca_location(missing directory)");
    char empty_dir[] = "/tmp/rs2n_test_empty_XXXXXX";
    REQUIRE(mkdtemp(empty_dir) != NULL);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verification_ca_location(trust, NULL, empty_dir), S2N_ERR_T_USAGE);
    print_last("set_verification_ca_location(empty directory)");
    rmdir(empty_dir);
    /* The config still works. */
    EXPECT_TRUE(handshake_ok(server_config, trust));

    EXPECT_SUCCESS(s2n_config_free(cfg));
    EXPECT_SUCCESS(s2n_config_free(cfg2));
    EXPECT_SUCCESS(s2n_config_free(trust));
}

/* ------------------------------------------------------------------------- */

static void test_wrong_state(void)
{
    printf("wrong state:\n");
    s2n_blocked_status blocked;
    struct rs2n_pair_result res;

    /* s2n_negotiate with no I/O: a usage error, and the connection stays usable. */
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    REQUIRE(client && server);
    EXPECT_SUCCESS(s2n_connection_set_config(client, client_config));
    EXPECT_SUCCESS(s2n_connection_set_config(server, server_config));
    EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    print_last("s2n_negotiate(no fd set)");
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(server, &blocked), S2N_ERR_T_USAGE);
    /* Only a receive side is not enough either. */
    int fds[2];
    REQUIRE(rs2n_socketpair(fds) == 0);
    REQUIRE(rs2n_set_nonblocking(fds[0]) == 0 && rs2n_set_nonblocking(fds[1]) == 0);
    EXPECT_SUCCESS(s2n_connection_set_read_fd(client, fds[1]));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_USAGE);
    /* Sending before the handshake. */
    EXPECT_FAILURE_WITH_TYPE(s2n_send(client, "x", 1, &blocked), S2N_ERR_T_USAGE);
    print_last("s2n_send(before the handshake)");
    EXPECT_SUCCESS(s2n_connection_set_fd(client, fds[1]));
    EXPECT_SUCCESS(s2n_connection_set_fd(server, fds[0]));
    /* Once started, the config and the server name cannot change. */
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_config(client, client_config), S2N_ERR_T_USAGE);
    print_last("s2n_connection_set_config(handshake started)");
    EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(client, "other.example"), S2N_ERR_T_USAGE);
    print_last("s2n_set_server_name(handshake started)");
    if (rs2n_negotiate_pair(server, client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake after the no-I/O error failed");
        rs2n_print_pair_result("handshake", &res);
    } else {
        EXPECT_STRING_EQUAL(s2n_get_server_name(server), "localhost");
    }
    EXPECT_SUCCESS(s2n_connection_free(client));
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_close(&fds[0]);
    rs2n_close(&fds[1]);

    /* A server config without a certificate. */
    struct s2n_config *no_cert = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(no_cert);
    struct rs2n_pair p;
    rs2n_pair_open(&p, no_cert, client_config, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_USAGE);
    print_last("s2n_negotiate(server config without certificate)");
    /* Adding a certificate makes the config usable... */
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key(no_cert, cert_p256, key_p256));
    /* ...for the same connection (rs2n documents it stays usable)... */
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "retry on the same connection after adding a certificate failed");
        rs2n_print_pair_result("retry", &res);
    }
    rs2n_pair_close(&p);
    /* ...and for a fresh one. */
    EXPECT_TRUE(handshake_ok(no_cert, client_config));
    EXPECT_SUCCESS(s2n_config_free(no_cert));
}

/* A recv callback that calls back into its own connection. */
struct reentry {
    struct rs2n_mem_end *end;
    struct s2n_connection *conn;
    int checked;
    void *ctx_seen;
    ssize_t send_rc;
    int send_type;
};

static int reentrant_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct reentry *r = ctx;
    if (!r->checked) {
        r->checked = 1;
        /* Documented as safe from the connection's own callbacks. */
        r->ctx_seen = s2n_connection_get_ctx(r->conn);
        /* Anything else on the same connection is refused, not a deadlock. */
        s2n_blocked_status blocked;
        r->send_rc = s2n_send(r->conn, "x", 1, &blocked);
        r->send_type = s2n_error_get_type(s2n_errno);
    }
    return rs2n_mem_recv(r->end, buf, len);
}

static void test_reentry(void)
{
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(server && client);
    struct reentry r = { &m.a, server, 0, NULL, 0, 0 };
    int marker;
    EXPECT_SUCCESS(s2n_connection_set_ctx(server, &marker));
    EXPECT_SUCCESS(s2n_connection_set_config(server, server_config));
    EXPECT_SUCCESS(s2n_connection_set_config(client, client_config));
    EXPECT_SUCCESS(s2n_set_server_name(client, "localhost"));
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
    EXPECT_SUCCESS(s2n_connection_set_recv_cb(server, reentrant_recv));
    EXPECT_SUCCESS(s2n_connection_set_recv_ctx(server, &r));
    EXPECT_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(server, client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "handshake with a re-entering callback failed");
        rs2n_print_pair_result("handshake", &res);
    }
    EXPECT_TRUE(r.checked);
    EXPECT_TRUE(r.ctx_seen == &marker);
    EXPECT_EQUAL(r.send_rc, -1);
    EXPECT_EQUAL(r.send_type, S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_mem_pipe_free(&m);
}

/* ------------------------------------------------------------------------- */

struct errno_thread {
    int seen_at_start;
    int own_error_type;
};

static void *errno_thread_main(void *arg)
{
    struct errno_thread *t = arg;
    t->seen_at_start = s2n_errno;
    s2n_config_free(NULL);
    t->own_error_type = s2n_error_get_type(s2n_errno);
    return NULL;
}

/* Checks the current error's class, name and messages. */
static void check_class(int expected_type, const char *expected_name, const char *what)
{
    int err = s2n_errno;
    EXPECT_EQUAL(s2n_error_get_type(err), expected_type);
    EXPECT_STRING_EQUAL(s2n_strerror_name(err), expected_name);
    const char *en = s2n_strerror(err, "EN");
    const char *def = s2n_strerror(err, NULL);
    EXPECT_TRUE(en && en[0]);
    EXPECT_STRING_EQUAL(def, en);
    /* The details, in another language too: not supported. */
    const char *debug = s2n_strerror_debug(err, "EN");
    EXPECT_TRUE(debug && debug[0]);
    EXPECT_STRING_EQUAL(s2n_strerror_debug(err, "FR"), s2n_strerror(err, "FR"));
    /* Another language: a non-empty message, not the English one. */
    const char *fr = s2n_strerror(err, "FR");
    EXPECT_TRUE(fr && fr[0]);
    if (fr && en) {
        EXPECT_TRUE(strcmp(fr, en) != 0);
    }
    printf("  %-16s %-22s %-36s %s | FR: %s\n", rs2n_error_type_name(s2n_error_get_type(err)), what,
           s2n_strerror_name(err), debug ? debug : "(NULL)", fr ? fr : "(NULL)");
}

static void test_error_model(void)
{
    printf("error classes:\n");
    s2n_blocked_status blocked;
    struct rs2n_pair p;
    struct rs2n_pair_result res;

    /* s2n_init a second time fails. */
    EXPECT_FAILURE_WITH_TYPE(s2n_init(), S2N_ERR_T_USAGE);
    print_last("s2n_init() again");
    EXPECT_SUCCESS(s2n_cleanup());

    /* USAGE */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_free(NULL), S2N_ERR_T_USAGE);
    check_class(S2N_ERR_T_USAGE, "S2N_ERR_NULL", "NULL config");

    /* BLOCKED: a non-blocking client waiting for a server that says nothing. */
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    check_class(S2N_ERR_T_BLOCKED, "S2N_ERR_IO_BLOCKED", "waiting for the server");
    rs2n_pair_close(&p);

    /* PROTO on the client and ALERT on the server: an untrusted certificate. */
    struct s2n_config *untrusting = rs2n_client_config(NULL, NULL);
    rs2n_pair_open(&p, server_config, untrusting, "localhost", 1);
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), -1);
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_PROTO);
    check_class(S2N_ERR_T_PROTO, "S2N_ERR_CERT_UNTRUSTED", "untrusted certificate");
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_ALERT);
    check_class(S2N_ERR_T_ALERT, "S2N_ERR_ALERT", "alert from the client");
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(untrusting));

    /* CLOSED: sending after s2n_shutdown_send. */
    if (rs2n_pair_handshake(&p, server_config, client_config, "localhost", &res) == 0) {
        EXPECT_SUCCESS(s2n_shutdown_send(p.client, &blocked));
        EXPECT_FAILURE_WITH_TYPE(s2n_send(p.client, "x", 1, &blocked), S2N_ERR_T_CLOSED);
        check_class(S2N_ERR_T_CLOSED, "S2N_ERR_CLOSED", "send after shutdown_send");
    } else {
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
    }
    rs2n_pair_close(&p);

    /* IO: a file descriptor that is not open. */
    int fds[2];
    REQUIRE(rs2n_socketpair(fds) == 0);
    int dead_fd = fds[0];
    rs2n_close(&fds[0]);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(client);
    EXPECT_SUCCESS(s2n_connection_set_config(client, client_config));
    EXPECT_SUCCESS(s2n_connection_set_fd(client, dead_fd));
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_IO);
    check_class(S2N_ERR_T_IO, "S2N_ERR_IO", "closed file descriptor");
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_close(&fds[1]);

    /* Names and classes of values that are not this thread's last error. */
    EXPECT_STRING_EQUAL(s2n_strerror_name(S2N_ERR_T_OK), "S2N_ERR_OK");
    EXPECT_EQUAL(s2n_error_get_type(S2N_ERR_T_OK), S2N_ERR_T_OK);
    const char *unknown = s2n_strerror(123456, "EN");
    EXPECT_TRUE(unknown && unknown[0]);
    EXPECT_NOT_NULL(s2n_strerror_name(123456));

    /* s2n_errno can be reset, and is per thread. */
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_free(NULL), S2N_ERR_T_USAGE);
    EXPECT_NOT_EQUAL(s2n_errno, S2N_ERR_T_OK);
    s2n_errno = S2N_ERR_T_OK;
    EXPECT_EQUAL(s2n_errno, S2N_ERR_T_OK);
    EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_OK);
    EXPECT_TRUE(s2n_errno_location() == s2n_errno_location());

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cipher_preferences(server_config, "nope"), S2N_ERR_T_USAGE);
    int mine = s2n_errno;
    struct errno_thread t = { -1, -1 };
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, errno_thread_main, &t) == 0);
    pthread_join(thread, NULL);
    EXPECT_EQUAL(t.seen_at_start, S2N_ERR_T_OK);
    EXPECT_EQUAL(t.own_error_type, S2N_ERR_T_USAGE);
    /* The other thread's error left this thread's alone, message included. */
    EXPECT_EQUAL(s2n_errno, mine);
    EXPECT_MESSAGE_CONTAINS("nope");
}

int main(void)
{
    rs2n_test_begin("test_errors", 60);
    cert_p256 = rs2n_read_cert("ecdsa_p256_cert.pem");
    key_p256 = rs2n_read_cert("ecdsa_p256_key.pem");
    key_p384 = rs2n_read_cert("ecdsa_p384_key.pem");
    cert_rsa = rs2n_read_cert("rsa2048_cert.pem");
    key_rsa = rs2n_read_cert("rsa2048_key.pem");
    ca_pem = rs2n_read_cert("ca_cert.pem");
    server_config = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    client_config = rs2n_client_config("ca_cert.pem", "default_tls13");

    test_null_arguments();
    test_bad_values();
    test_security_policies();
    test_bad_pem();
    test_wrong_state();
    test_reentry();
    test_error_model();

    EXPECT_SUCCESS(s2n_config_free(server_config));
    EXPECT_SUCCESS(s2n_config_free(client_config));
    free(cert_p256);
    free(key_p256);
    free(key_p384);
    free(cert_rsa);
    free(key_rsa);
    free(ca_pem);
    return rs2n_test_finish();
}
