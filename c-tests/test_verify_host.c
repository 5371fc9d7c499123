/*
 * Verification settings of a client (TLS1.3 and TLS1.2):
 *   - the verify host callback (config and connection): called with the server
 *     certificate's names; it alone decides the name check (any server name, or
 *     none); refusing fails with S2N_ERR_CERT_INVALID_HOSTNAME; the connection's
 *     callback wins over the config's, and NULL on the connection goes back to
 *     the config's;
 *   - s2n_config_set_max_cert_chain_depth: 1 refuses the two-certificate chain
 *     (S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED), 2 accepts it, 0 is refused;
 *   - s2n_config_disable_x509_time_verification: with the client's clock past
 *     the certificates' notAfter the handshake fails, then succeeds once dates
 *     are off (an untrusted chain is still refused);
 *   - s2n_config_disable_x509_intent_verification: a server certificate whose
 *     EKU is clientAuth only is refused, then accepted;
 *   - s2n_config_load_system_certs: once on a minimal config, refused twice and
 *     on s2n_config_new()'s config, allowed again after a wipe;
 *   - NULL arguments.
 */
#include "testlib.h"

static const char *policy = "default_tls13";

struct host_log {
    int calls;
    char last[64];
    const char *accept; /* the name to accept; NULL: none */
};

static uint8_t verify_host(const char *name, size_t len, void *data)
{
    struct host_log *log = data;
    log->calls++;
    snprintf(log->last, sizeof(log->last), "%.*s", (int) len, name);
    return log->accept && strlen(log->accept) == len && memcmp(name, log->accept, len) == 0;
}

/* A verify host callback to set on the client connection. */
struct conn_callback {
    s2n_verify_host_fn fn;
    void *data;
    int set;
};

/* A handshake; returns 0 or the client's error name in `err`. */
static int handshake(struct s2n_config *sc, struct s2n_config *cc, const char *name,
                     struct conn_callback *conn_cb, char *err, size_t err_len)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, name, 1);
    if (conn_cb && conn_cb->set) {
        EXPECT_SUCCESS(s2n_connection_set_verify_host_callback(p.client, conn_cb->fn, conn_cb->data));
    }
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    snprintf(err, err_len, "%s", rc == 0 ? "" : res.client.name);
    if (rc != 0 && res.client.type != S2N_ERR_T_PROTO) {
        rs2n_print_pair_result("handshake", &res);
    }
    rs2n_pair_close(&p);
    return rc;
}

#define EXPECT_HANDSHAKE(sc, cc, name, cb, expected_err)                                      \
    do {                                                                                      \
        char err_[64];                                                                        \
        int rc_ = handshake((sc), (cc), (name), (cb), err_, sizeof(err_));                    \
        if (strcmp(err_, (expected_err)) != 0) {                                              \
            rs2n_test_fail(__FILE__, __LINE__, "%s: expected \"%s\", got rc %d \"%s\"", policy, \
                           (expected_err), rc_, err_);                                        \
        }                                                                                     \
    } while (0)

static void host_callbacks(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    struct host_log config_log = { 0, "", "localhost" };
    struct host_log conn_log = { 0, "", NULL };

    /* Default: the server name must match. */
    EXPECT_HANDSHAKE(sc, cc, "other.example", NULL, "S2N_ERR_CERT_INVALID_HOSTNAME");
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");

    /* The callback decides, whatever the server name. */
    EXPECT_SUCCESS(s2n_config_set_verify_host_callback(cc, verify_host, &config_log));
    EXPECT_HANDSHAKE(sc, cc, "other.example", NULL, "");
    EXPECT_TRUE(config_log.calls >= 1);
    EXPECT_STRING_EQUAL(config_log.last, "localhost");
    EXPECT_HANDSHAKE(sc, cc, NULL, NULL, "");
    config_log.accept = "nothing";
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "S2N_ERR_CERT_INVALID_HOSTNAME");
    config_log.accept = "localhost";

    /* The connection's callback wins; NULL goes back to the config's. */
    struct conn_callback refuse = { verify_host, &conn_log, 1 };
    config_log.calls = 0;
    EXPECT_HANDSHAKE(sc, cc, "localhost", &refuse, "S2N_ERR_CERT_INVALID_HOSTNAME");
    EXPECT_TRUE(conn_log.calls >= 1);
    EXPECT_EQUAL(config_log.calls, 0);
    struct conn_callback back = { NULL, NULL, 1 };
    EXPECT_HANDSHAKE(sc, cc, "other.example", &back, "");
    EXPECT_TRUE(config_log.calls >= 1);

    /* The callback is not asked for an untrusted chain. */
    struct s2n_config *untrusting = rs2n_client_config("other_ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_verify_host_callback(untrusting, verify_host, &config_log));
    config_log.calls = 0;
    EXPECT_HANDSHAKE(sc, untrusting, "localhost", NULL, "S2N_ERR_CERT_UNTRUSTED");
    EXPECT_EQUAL(config_log.calls, 0);

    /* NULL on the config: the default again. */
    EXPECT_SUCCESS(s2n_config_set_verify_host_callback(cc, NULL, NULL));
    EXPECT_HANDSHAKE(sc, cc, "other.example", NULL, "S2N_ERR_CERT_INVALID_HOSTNAME");

    s2n_config_free(sc);
    s2n_config_free(cc);
    s2n_config_free(untrusting);
}

static void chain_depth(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_cert_chain_depth(cc, 0), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_max_cert_chain_depth(cc, 1));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED");
    EXPECT_SUCCESS(s2n_config_set_max_cert_chain_depth(cc, 2));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");
    /* With verification off, the depth is not checked. */
    EXPECT_SUCCESS(s2n_config_set_max_cert_chain_depth(cc, 1));
    EXPECT_SUCCESS(s2n_config_disable_x509_verification(cc));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");
    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void dates(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    struct s2n_config *untrusting = rs2n_client_config("other_ca_cert.pem", policy);
    /* Far past the certificates' notAfter (the end of 2126). */
    static struct rs2n_fake_clock clock = { RS2N_YEAR_SECONDS(2300) };
    EXPECT_SUCCESS(s2n_config_set_wall_clock(cc, rs2n_fake_clock_fn, &clock));
    EXPECT_SUCCESS(s2n_config_set_wall_clock(untrusting, rs2n_fake_clock_fn, &clock));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "S2N_ERR_CERT_INVALID");
    EXPECT_SUCCESS(s2n_config_disable_x509_time_verification(cc));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");
    EXPECT_HANDSHAKE(sc, cc, "wrong.example", NULL, "S2N_ERR_CERT_INVALID_HOSTNAME");
    EXPECT_SUCCESS(s2n_config_disable_x509_time_verification(untrusting));
    EXPECT_HANDSHAKE(sc, untrusting, "localhost", NULL, "S2N_ERR_CERT_UNTRUSTED");
    /* Before notBefore (year 2000) too. */
    clock.seconds = RS2N_YEAR_SECONDS(1990);
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_disable_x509_time_verification(NULL), S2N_ERR_T_USAGE);
    s2n_config_free(sc);
    s2n_config_free(cc);
    s2n_config_free(untrusting);
}

static void intent(void)
{
    struct s2n_config *sc = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(sc);
    REQUIRE_SUCCESS(s2n_config_set_cipher_preferences(sc, policy));
    char *chain = rs2n_read_cert("client_auth_only_cert.pem");
    char *key = rs2n_read_cert("client_auth_only_key.pem");
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key(sc, chain, key));
    free(chain);
    free(key);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "S2N_ERR_CERT_INVALID");
    EXPECT_SUCCESS(s2n_config_disable_x509_intent_verification(cc));
    EXPECT_HANDSHAKE(sc, cc, "localhost", NULL, "");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_disable_x509_intent_verification(NULL), S2N_ERR_T_USAGE);
    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void system_certs(void)
{
    struct s2n_config *minimal = s2n_config_new_minimal();
    struct s2n_config *full = s2n_config_new();
    REQUIRE_NOT_NULL(minimal);
    REQUIRE_NOT_NULL(full);
    EXPECT_SUCCESS(s2n_config_load_system_certs(minimal));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_load_system_certs(minimal), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_X509_TRUST_STORE");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_load_system_certs(full), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_wipe_trust_store(full));
    EXPECT_SUCCESS(s2n_config_load_system_certs(full));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_load_system_certs(NULL), S2N_ERR_T_USAGE);
    /* The system store does not trust the test CA. */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    EXPECT_HANDSHAKE(sc, minimal, "localhost", NULL, "S2N_ERR_CERT_UNTRUSTED");
    s2n_config_free(sc);
    s2n_config_free(minimal);
    s2n_config_free(full);
}

static void null_arguments(void)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verify_host_callback(NULL, verify_host, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_verify_host_callback(NULL, verify_host, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_cert_chain_depth(NULL, 3), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_verify_host_callback(config, NULL, NULL));
    s2n_config_free(config);
}

int main(void)
{
    rs2n_test_begin("verify_host", 60);
    null_arguments();
    system_certs();
    const char *policies[] = { "default_tls13", "20240501" };
    for (int i = 0; i < 2; i++) {
        policy = policies[i];
        host_callbacks();
        chain_depth();
        dates();
        intent();
        printf("%s: verification settings checked\n", policy);
    }
    return rs2n_test_finish();
}
