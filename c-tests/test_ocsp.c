/*
 * OCSP stapling and certificate transparency, TLS1.3 and TLS1.2:
 *   - a server staples the response set on its chain (before or after the chain
 *     was added to the config; cleared: none); a client that asked for it
 *     (S2N_STATUS_REQUEST_OCSP, check off) gets exactly those bytes, and both
 *     report the connection as stapled;
 *   - a client that did not ask reports nothing (rustls asked anyway: the server
 *     did staple);
 *   - the check (on by default) with real responses made by openssl
 *     (certs/ocsp/generate.sh): good from the CA or its delegated responder
 *     passes; revoked, signed by another CA or by a certificate that is no
 *     responder, and garbage fail with s2n's errors; off, or with verification
 *     off, the response is kept unchecked;
 *   - a CA location makes a client ask, as in s2n, until NONE is set;
 *   - a resumed handshake staples nothing;
 *   - s2n_config_set_extension_data on config-owned chains, and its errors;
 *   - CT: lists and requests refused (S2N_ERR_UNIMPLEMENTED), clearing and NONE
 *     accepted, the received SCT list always none;
 *   - NULL and unknown arguments.
 */
#include <time.h>

#include "testlib.h"

static const char *policy = "default_tls13";
static const uint8_t response[] = "a stapled response: rs2n hands it over as it is";
#define RESPONSE_LEN ((uint32_t) sizeof(response))

struct outcome {
    int rc;
    char client_err[64];
    int server_stapled, client_stapled;
    char server_type[128], client_type[128]; /* handshake type names */
    uint32_t len;
    uint8_t got[4096];
};

static void handshake(struct s2n_config *sc, struct s2n_config *cc, struct outcome *o)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    memset(o, 0, sizeof(*o));
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    o->rc = rs2n_negotiate_pair(p.server, p.client, &res);
    snprintf(o->client_err, sizeof(o->client_err), "%s", o->rc == 0 ? "" : res.client.name);
    if (o->rc == 0) {
        o->server_stapled = s2n_connection_is_ocsp_stapled(p.server);
        o->client_stapled = s2n_connection_is_ocsp_stapled(p.client);
        snprintf(o->server_type, sizeof(o->server_type), "%s", s2n_connection_get_handshake_type_name(p.server));
        snprintf(o->client_type, sizeof(o->client_type), "%s", s2n_connection_get_handshake_type_name(p.client));
        const uint8_t *r = s2n_connection_get_ocsp_response(p.client, &o->len);
        if (r != NULL && o->len <= sizeof(o->got)) {
            memcpy(o->got, r, o->len);
        }
        EXPECT_TRUE((r == NULL) == (o->len == 0));
        uint32_t len = 99;
        EXPECT_NULL(s2n_connection_get_ocsp_response(p.server, &len));
        EXPECT_EQUAL(len, 0);
        len = 99;
        EXPECT_NULL(s2n_connection_get_sct_list(p.client, &len));
        EXPECT_EQUAL(len, 0);
        EXPECT_NULL_WITH_TYPE(s2n_connection_get_ocsp_response(p.client, NULL), S2N_ERR_T_USAGE);
        EXPECT_NULL_WITH_TYPE(s2n_connection_get_sct_list(p.client, NULL), S2N_ERR_T_USAGE);
    }
    rs2n_pair_close(&p);
}

/* A DER file of certs/ocsp/ (at most 4 KiB) into `buf`; its length. */
static uint32_t read_response(const char *name, uint8_t *buf)
{
    char path[512];
    snprintf(path, sizeof(path), "ocsp/%s.der", name);
    FILE *f = fopen(rs2n_cert_path(path), "rb");
    REQUIRE(f != NULL);
    size_t n = fread(buf, 1, 4096, f);
    fclose(f);
    REQUIRE(n > 0 && n < 4096);
    return (uint32_t) n;
}

/* A wall clock two hours ahead of the system's. */
static int two_hours_on(void *ctx, uint64_t *nanos)
{
    (void) ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *nanos = ((uint64_t) ts.tv_sec + 7200) * 1000000000ull + (uint64_t) ts.tv_nsec;
    return 0;
}

static struct s2n_cert_chain_and_key *load_chain(void)
{
    struct s2n_cert_chain_and_key *chain = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(chain);
    char *cert = rs2n_read_cert("ecdsa_p256_cert.pem");
    char *key = rs2n_read_cert("ecdsa_p256_key.pem");
    REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_pem(chain, cert, key));
    free(cert);
    free(key);
    return chain;
}

static struct s2n_config *server_with(struct s2n_cert_chain_and_key *chain)
{
    struct s2n_config *sc = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(sc);
    REQUIRE_SUCCESS(s2n_config_set_cipher_preferences(sc, policy));
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(sc, chain));
    return sc;
}

static void stapling(void)
{
    struct s2n_cert_chain_and_key *chain = load_chain();
    /* Set before the chain is added. */
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, response, RESPONSE_LEN));
    struct s2n_config *sc = server_with(chain);
    struct s2n_config *asking = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(asking, S2N_STATUS_REQUEST_OCSP));
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(asking, 0));
    struct outcome o;

    handshake(sc, asking, &o);
    EXPECT_EQUAL(o.rc, 0);
    EXPECT_EQUAL(o.server_stapled, 1);
    EXPECT_EQUAL(o.client_stapled, 1);
    EXPECT_EQUAL(o.len, RESPONSE_LEN);
    EXPECT_EQUAL(memcmp(o.got, response, RESPONSE_LEN), 0);
    /* TLS1.2 names the stapled handshake as s2n does. */
    int tls12 = strcmp(policy, "20240501") == 0;
    EXPECT_EQUAL(strstr(o.server_type, "|OCSP_STATUS") != NULL, tls12);
    EXPECT_EQUAL(strstr(o.client_type, "|OCSP_STATUS") != NULL, tls12);

    /* A client that did not ask: nothing to report (the server staples for rustls). */
    struct s2n_config *plain = rs2n_client_config("ca_cert.pem", policy);
    handshake(sc, plain, &o);
    EXPECT_EQUAL(o.rc, 0);
    EXPECT_EQUAL(o.client_stapled, 0);
    EXPECT_EQUAL(o.len, 0);
    EXPECT_EQUAL(o.server_stapled, 1);
    /* Asked, then not any more. */
    EXPECT_SUCCESS(s2n_config_set_status_request_type(asking, S2N_STATUS_REQUEST_NONE));
    handshake(sc, asking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == 0 && o.client_stapled == 0);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(asking, S2N_STATUS_REQUEST_OCSP));

    /* Changed after the chain was added: the config staples the new one. */
    static const uint8_t other[] = "another response";
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, other, sizeof(other)));
    handshake(sc, asking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == sizeof(other) && memcmp(o.got, other, sizeof(other)) == 0);
    /* Cleared (NULL, or a length of 0): none. */
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, NULL, 0));
    handshake(sc, asking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == 0 && o.client_stapled == 0 && o.server_stapled == 0);
    EXPECT_TRUE(strstr(o.server_type, "OCSP_STATUS") == NULL);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, response, RESPONSE_LEN));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, response, 0));
    handshake(sc, asking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == 0);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, response, RESPONSE_LEN));

    /* The check, on by default: garbage is refused. */
    struct s2n_config *checking = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(checking, S2N_STATUS_REQUEST_OCSP));
    handshake(sc, checking, &o);
    EXPECT_EQUAL(o.rc, -1);
    EXPECT_STRING_EQUAL(o.client_err, "S2N_ERR_INVALID_OCSP_RESPONSE");
    /* Real responses. */
    struct {
        const char *name, *err;
    } cases[] = {
        { "good", "" },
        { "delegated", "" },
        { "revoked", "S2N_ERR_CERT_REVOKED" },
        { "unknown", "S2N_ERR_CERT_UNTRUSTED" },
        { "other_ca", "S2N_ERR_CERT_UNTRUSTED" },
        { "not_responder", "S2N_ERR_CERT_UNTRUSTED" },
        { "other_cert", "S2N_ERR_CERT_UNTRUSTED" },
    };
    uint8_t der[4096];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t len = read_response(cases[i].name, der);
        EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, der, len));
        handshake(sc, checking, &o);
        if (strcmp(o.client_err, cases[i].err) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s (%s): expected \"%s\", got \"%s\"", cases[i].name,
                           policy, cases[i].err, o.client_err);
        }
        if (o.rc == 0) {
            EXPECT_TRUE(o.len == len && memcmp(o.got, der, len) == 0 && o.client_stapled == 1);
        }
    }
    /* Without nextUpdate a response is good for an hour from thisUpdate: two
     * hours from now it has expired, whenever it was made. */
    struct s2n_config *later = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(later, S2N_STATUS_REQUEST_OCSP));
    EXPECT_SUCCESS(s2n_config_set_wall_clock(later, two_hours_on, NULL));
    uint32_t bare_len = read_response("no_next_update", der);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, der, bare_len));
    handshake(sc, later, &o);
    EXPECT_STRING_EQUAL(o.client_err, "S2N_ERR_CERT_EXPIRED");
    s2n_config_free(later);

    /* Off: a revoked response passes, reported unchecked. */
    uint32_t revoked_len = read_response("revoked", der);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, der, revoked_len));
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(checking, 0));
    handshake(sc, checking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == revoked_len && o.client_stapled == 1);
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(checking, 1));
    handshake(sc, checking, &o);
    EXPECT_STRING_EQUAL(o.client_err, "S2N_ERR_CERT_REVOKED");
    /* Verification off: nothing is checked, the response is kept. */
    EXPECT_SUCCESS(s2n_config_disable_x509_verification(checking));
    handshake(sc, checking, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == revoked_len && o.client_stapled == 1);

    /* A CA location asks, as in s2n (and validates), until NONE. */
    struct s2n_config *located = s2n_config_new_minimal();
    REQUIRE_SUCCESS(s2n_config_set_cipher_preferences(located, policy));
    REQUIRE_SUCCESS(s2n_config_set_verification_ca_location(located, rs2n_cert_path("ca_cert.pem"), NULL));
    handshake(sc, located, &o);
    EXPECT_STRING_EQUAL(o.client_err, "S2N_ERR_CERT_REVOKED");
    uint32_t good_len = read_response("good", der);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, der, good_len));
    handshake(sc, located, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == good_len && o.client_stapled == 1);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(located, S2N_STATUS_REQUEST_NONE));
    handshake(sc, located, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == 0 && o.client_stapled == 0);
    s2n_config_free(located);

    s2n_config_free(checking);
    s2n_config_free(plain);
    s2n_config_free(asking);
    s2n_config_free(sc);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
}

/* A resumed handshake sends no certificate, so nothing is stapled. */
static void resumed(void)
{
    struct s2n_cert_chain_and_key *chain = load_chain();
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_ocsp_data(chain, response, RESPONSE_LEN));
    struct s2n_config *sc = server_with(chain);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(sc, 1));
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(cc, 1));
    rs2n_add_ticket_key(sc, "ocsp");
    EXPECT_SUCCESS(s2n_config_set_status_request_type(cc, S2N_STATUS_REQUEST_OCSP));
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(cc, 0));
    struct rs2n_connect_opts opts = { 0 };
    struct rs2n_conn first;
    REQUIRE(rs2n_connect(sc, cc, &opts, &first) == 0);
    REQUIRE(first.session.len > 0);

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    REQUIRE_SUCCESS(rs2n_offer_session(p.client, &first.session));
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.client));
    EXPECT_EQUAL(s2n_connection_is_ocsp_stapled(p.server), 0);
    EXPECT_EQUAL(s2n_connection_is_ocsp_stapled(p.client), 0);
    uint32_t len = 99;
    EXPECT_NULL(s2n_connection_get_ocsp_response(p.client, &len));
    EXPECT_EQUAL(len, 0);
    rs2n_pair_close(&p);
    s2n_config_free(cc);
    s2n_config_free(sc);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
}

static void extension_data(void)
{
    /* Config-owned chains (s2n_config_add_cert_chain_and_key). */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_status_request_type(cc, S2N_STATUS_REQUEST_OCSP));
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(cc, 0));
    EXPECT_SUCCESS(s2n_config_set_extension_data(sc, S2N_EXTENSION_OCSP_STAPLING, response, RESPONSE_LEN));
    struct outcome o;
    handshake(sc, cc, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == RESPONSE_LEN && memcmp(o.got, response, RESPONSE_LEN) == 0);
    EXPECT_SUCCESS(s2n_config_set_extension_data(sc, S2N_EXTENSION_OCSP_STAPLING, NULL, 0));
    handshake(sc, cc, &o);
    EXPECT_TRUE(o.rc == 0 && o.len == 0);

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_extension_data(sc, S2N_EXTENSION_CERTIFICATE_TRANSPARENCY, response, RESPONSE_LEN),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNIMPLEMENTED");
    EXPECT_SUCCESS(s2n_config_set_extension_data(sc, S2N_EXTENSION_CERTIFICATE_TRANSPARENCY, NULL, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_extension_data(sc, S2N_EXTENSION_ALPN, response, RESPONSE_LEN),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNRECOGNIZED_EXTENSION");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_extension_data(NULL, S2N_EXTENSION_OCSP_STAPLING, response, 1),
                             S2N_ERR_T_USAGE);

    /* No certificate; chains the application owns. */
    struct s2n_config *empty = s2n_config_new_minimal();
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_extension_data(empty, S2N_EXTENSION_OCSP_STAPLING, response, 1),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UPDATING_EXTENSION");
    struct s2n_cert_chain_and_key *chain = load_chain();
    struct s2n_config *app = server_with(chain);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_extension_data(app, S2N_EXTENSION_OCSP_STAPLING, response, 1),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CERT_OWNERSHIP");

    s2n_config_free(app);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    s2n_config_free(empty);
    s2n_config_free(cc);
    s2n_config_free(sc);
}

static void arguments(void)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    struct s2n_cert_chain_and_key *chain = load_chain();

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_status_request_type(config, 7), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_status_request_type(NULL, S2N_STATUS_REQUEST_OCSP), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_check_stapled_ocsp_response(NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(config, 0));
    EXPECT_SUCCESS(s2n_config_set_check_stapled_ocsp_response(config, 1));
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_set_ocsp_data(NULL, response, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_is_ocsp_stapled(NULL), S2N_ERR_T_USAGE);
    uint32_t len = 0;
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_ocsp_response(NULL, &len), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_sct_list(NULL, &len), S2N_ERR_T_USAGE);

    /* Before any handshake: nothing stapled. */
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    EXPECT_EQUAL(s2n_connection_is_ocsp_stapled(conn), 0);
    len = 5;
    EXPECT_NULL(s2n_connection_get_ocsp_response(conn, &len));
    EXPECT_EQUAL(len, 0);
    s2n_connection_free(conn);

    /* Certificate transparency. */
    EXPECT_SUCCESS(s2n_config_set_ct_support_level(config, S2N_CT_SUPPORT_NONE));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_ct_support_level(config, S2N_CT_SUPPORT_REQUEST), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNIMPLEMENTED");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_ct_support_level(config, 5), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_ct_support_level(NULL, S2N_CT_SUPPORT_NONE), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_set_sct_list(chain, response, RESPONSE_LEN), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNIMPLEMENTED");
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_sct_list(chain, NULL, 0));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_set_sct_list(chain, response, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_cert_chain_and_key_set_sct_list(NULL, NULL, 0), S2N_ERR_T_USAGE);

    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    s2n_config_free(config);
}

int main(void)
{
    rs2n_test_begin("ocsp", 60);
    arguments();
    const char *policies[] = { "default_tls13", "20240501" };
    for (int i = 0; i < 2; i++) {
        policy = policies[i];
        stapling();
        resumed();
        extension_data();
        printf("%s: OCSP stapling and CT checked\n", policy);
    }
    return rs2n_test_finish();
}
