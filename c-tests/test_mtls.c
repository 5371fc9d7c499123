/*
 * Client authentication (mutual TLS), under TLS1.3 and TLS1.2:
 *   - a server requiring a certificate and a client presenting one signed by the
 *     trusted CA: both report s2n_connection_client_cert_used, the server gets
 *     the chain in s2n's format (3-byte length + DER, client then CA), both report
 *     ECDSA/SHA256 as the client's signature; the verify host callback sees the
 *     certificate's names;
 *   - refusals: no certificate with REQUIRED (server S2N_ERR_MISSING_CLIENT_CERT,
 *     client an alert), an untrusted certificate (server S2N_ERR_CERT_UNTRUSTED,
 *     client an alert), the server's default host check (names against the
 *     client's SNI), a client with auth NONE that is asked, a client with
 *     REQUIRED that is not asked; OPTIONAL without a certificate succeeds;
 *   - resumption with tickets, as in s2n-tls: a server with client
 *     authentication on resumes nothing (each connection shows the client's
 *     certificate); with it off the client resumes, reports no client
 *     certificate used, and keeps its ALPN protocol;
 *   - the auth type getters' defaults, s2n_config_set_cert_authorities_from_trust_store's
 *     conditions, the DSS legacy refusal, NULL and bad values.
 */
#include "testlib.h"

static const char *policy = "default_tls13";

struct host_log {
    int calls;
    int saw_dns;
    int saw_uri;
    int answer;
};

static uint8_t verify_host(const char *name, size_t len, void *data)
{
    struct host_log *log = data;
    log->calls++;
    if (len == strlen("client.example") && memcmp(name, "client.example", len) == 0) {
        log->saw_dns = 1;
    }
    if (len == strlen("spiffe://rs2n/client") && memcmp(name, "spiffe://rs2n/client", len) == 0) {
        log->saw_uri = 1;
    }
    return (uint8_t) log->answer;
}

static struct host_log host = { 0, 0, 0, 1 };

/* Adds the test CA to a config's trust store (the PEM read, added, freed). */
static int add_test_ca(struct s2n_config *config)
{
    char *pem = rs2n_read_cert("ca_cert.pem");
    int rc = s2n_config_add_pem_to_trust_store(config, pem);
    free(pem);
    return rc;
}

static struct s2n_config *server_config(s2n_cert_auth_type auth, int callback)
{
    struct s2n_config *c = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    REQUIRE_SUCCESS(add_test_ca(c));
    REQUIRE_SUCCESS(s2n_config_set_client_auth_type(c, auth));
    if (callback) {
        REQUIRE_SUCCESS(s2n_config_set_verify_host_callback(c, verify_host, &host));
    }
    return c;
}

static struct s2n_config *client_config(const char *cert)
{
    struct s2n_config *c = rs2n_client_config("ca_cert.pem", policy);
    if (cert) {
        char file[64];
        snprintf(file, sizeof(file), "%s_cert.pem", cert);
        char *chain = rs2n_read_cert(file);
        snprintf(file, sizeof(file), "%s_key.pem", cert);
        char *key = rs2n_read_cert(file);
        REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key(c, chain, key));
        free(chain);
        free(key);
    }
    return c;
}

/* Checks the chain bytes: certificates of 3-byte length + DER SEQUENCE. */
static int chain_certs(const uint8_t *chain, uint32_t len)
{
    uint32_t at = 0;
    int count = 0;
    while (at + 3 <= len) {
        uint32_t n = ((uint32_t) chain[at] << 16) | ((uint32_t) chain[at + 1] << 8) | chain[at + 2];
        if (n == 0 || at + 3 + n > len || chain[at + 3] != 0x30) {
            return -1;
        }
        at += 3 + n;
        count++;
    }
    return at == len ? count : -1;
}

static void mutual_auth(void)
{
    struct s2n_config *sc = server_config(S2N_CERT_AUTH_REQUIRED, 1);
    struct s2n_config *cc = client_config("client");
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    memset(&host, 0, sizeof(host));
    host.answer = 1;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: mutual auth failed", policy);
        rs2n_print_pair_result("mutual auth", &res);
    } else {
        EXPECT_EQUAL(s2n_connection_client_cert_used(p.server), 1);
        EXPECT_EQUAL(s2n_connection_client_cert_used(p.client), 1);
        /* The client's own chain is the one it sent. */
        struct s2n_cert_chain_and_key *sent = s2n_connection_get_selected_cert(p.client);
        EXPECT_NOT_NULL(sent);
        uint32_t sent_len = 0;
        EXPECT_SUCCESS(s2n_cert_chain_get_length(sent, &sent_len));
        EXPECT_EQUAL(sent_len, 2);
        uint8_t *chain = NULL;
        uint32_t len = 0;
        EXPECT_SUCCESS(s2n_connection_get_client_cert_chain(p.server, &chain, &len));
        EXPECT_EQUAL(chain_certs(chain, len), 2);
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(p.client, &chain, &len),
                                 S2N_ERR_T_USAGE);
        s2n_tls_signature_algorithm sig = -1;
        s2n_tls_hash_algorithm hash = -1;
        struct s2n_connection *sides[] = { p.server, p.client };
        for (int i = 0; i < 2; i++) {
            EXPECT_SUCCESS(s2n_connection_get_selected_client_cert_signature_algorithm(sides[i], &sig));
            EXPECT_SUCCESS(s2n_connection_get_selected_client_cert_digest_algorithm(sides[i], &hash));
            EXPECT_EQUAL(sig, S2N_TLS_SIGNATURE_ECDSA);
            EXPECT_EQUAL(hash, S2N_TLS_HASH_SHA256);
        }
        EXPECT_TRUE(host.saw_dns);
        EXPECT_TRUE(host.calls >= 1);
        printf("%s: mutual auth ok: chain %u bytes, host callback called %d times\n", policy,
               len, host.calls);
    }
    rs2n_pair_close(&p);

    /* The callback refusing every name fails the handshake on the server. */
    memset(&host, 0, sizeof(host));
    host.answer = 0;
    EXPECT_EQUAL(rs2n_pair_handshake(&p, sc, cc, "localhost", &res), -1);
    EXPECT_EQUAL(res.server.type, S2N_ERR_T_PROTO);
    EXPECT_STRING_EQUAL(res.server.name, "S2N_ERR_CERT_INVALID_HOSTNAME");
    EXPECT_TRUE(host.saw_dns && host.saw_uri);
    rs2n_pair_close(&p);
    host.answer = 1;

    s2n_config_free(sc);
    s2n_config_free(cc);
}

/* A handshake that fails: `side` ("server"/"client") with `name`, the other with
 * an alert or a close. */
static void expect_refused(struct s2n_config *sc, struct s2n_config *cc, const char *failing,
                           const char *name, const char *what, int line)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) == 0) {
        rs2n_test_fail(__FILE__, line, "%s: %s: handshake succeeded", policy, what);
        rs2n_pair_close(&p);
        return;
    }
    const struct rs2n_side_result *f = strcmp(failing, "server") == 0 ? &res.server : &res.client;
    const struct rs2n_side_result *o = strcmp(failing, "server") == 0 ? &res.client : &res.server;
    if (f->rc != -1 || f->type != S2N_ERR_T_PROTO || strcmp(f->name, name) != 0) {
        rs2n_test_fail(__FILE__, line, "%s: %s: %s: expected %s", policy, what, failing, name);
        rs2n_print_pair_result(what, &res);
    }
    const char *peer = o->name;
    if (o->rc == 0 && strcmp(failing, "server") == 0) {
        /* TLS1.3: the client's handshake is done before the server verifies its
         * certificate; the server's alert comes with the client's first read. */
        char buf[8];
        s2n_blocked_status blocked;
        EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.client, buf, sizeof(buf), &blocked), S2N_ERR_T_ALERT);
        peer = "alert on its first s2n_recv";
    } else if (o->rc == 0) {
        rs2n_test_fail(__FILE__, line, "%s: %s: the server succeeded", policy, what);
    } else if (strcmp(failing, "server") == 0 && o->type != S2N_ERR_T_ALERT) {
        rs2n_test_fail(__FILE__, line, "%s: %s: the client got no alert", policy, what);
    }
    printf("%s: %-45s %s: %s (%s); peer: %s\n", policy, what, failing, f->name, f->msg, peer);
    rs2n_pair_close(&p);
}

static void refusals(void)
{
    struct s2n_config *required = server_config(S2N_CERT_AUTH_REQUIRED, 1);
    struct s2n_config *optional = server_config(S2N_CERT_AUTH_OPTIONAL, 1);
    struct s2n_config *no_auth = server_config(S2N_CERT_AUTH_NONE, 1);
    struct s2n_config *default_host = server_config(S2N_CERT_AUTH_REQUIRED, 0);
    struct s2n_config *with_cert = client_config("client");
    struct s2n_config *untrusted = client_config("untrusted_client");
    struct s2n_config *no_cert = client_config(NULL);

    expect_refused(required, no_cert, "server", "S2N_ERR_MISSING_CLIENT_CERT",
                   "no client certificate, required", __LINE__);
    expect_refused(required, untrusted, "server", "S2N_ERR_CERT_UNTRUSTED",
                   "untrusted client certificate", __LINE__);
    expect_refused(optional, untrusted, "server", "S2N_ERR_CERT_UNTRUSTED",
                   "untrusted client certificate, optional", __LINE__);
    expect_refused(default_host, with_cert, "server", "S2N_ERR_CERT_INVALID_HOSTNAME",
                   "default host check: name vs SNI", __LINE__);

    /* The client's own settings. */
    EXPECT_SUCCESS(s2n_config_set_client_auth_type(with_cert, S2N_CERT_AUTH_NONE));
    expect_refused(required, with_cert, "client", "S2N_ERR_UNEXPECTED_CERT_REQUEST",
                   "client auth NONE, asked", __LINE__);
    EXPECT_SUCCESS(s2n_config_set_client_auth_type(with_cert, S2N_CERT_AUTH_REQUIRED));
    expect_refused(no_auth, with_cert, "client", "S2N_ERR_MISSING_CERT_REQUEST",
                   "client auth REQUIRED, not asked", __LINE__);
    EXPECT_SUCCESS(s2n_config_set_client_auth_type(with_cert, S2N_CERT_AUTH_OPTIONAL));

    /* OPTIONAL without a certificate: no client authentication. */
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    EXPECT_SUCCESS(rs2n_pair_handshake(&p, optional, no_cert, "localhost", &res));
    EXPECT_EQUAL(s2n_connection_client_cert_used(p.server), 0);
    EXPECT_EQUAL(s2n_connection_client_cert_used(p.client), 0);
    EXPECT_NULL(s2n_connection_get_selected_cert(p.client));
    uint8_t *chain = NULL;
    uint32_t len = 0;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(p.server, &chain, &len),
                             S2N_ERR_T_USAGE);
    s2n_tls_signature_algorithm sig = -1;
    EXPECT_SUCCESS(s2n_connection_get_selected_client_cert_signature_algorithm(p.server, &sig));
    EXPECT_EQUAL(sig, S2N_TLS_SIGNATURE_ANONYMOUS);
    rs2n_pair_close(&p);

    /* A connection's own setting wins over its config's. */
    rs2n_pair_open(&p, no_auth, with_cert, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_set_client_auth_type(p.server, S2N_CERT_AUTH_REQUIRED));
    EXPECT_SUCCESS(rs2n_negotiate_pair(p.server, p.client, &res));
    EXPECT_EQUAL(s2n_connection_client_cert_used(p.server), 1);
    rs2n_pair_close(&p);

    struct s2n_config *all[] = { required, optional, no_auth, default_host, with_cert, untrusted, no_cert };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        s2n_config_free(all[i]);
    }
}

/* Two connections, the second offering the first's session. As in s2n-tls, a
 * server with client authentication on resumes nothing (each connection shows
 * its certificate); with it off, the client (which has a certificate) resumes. */
static void resumption(s2n_cert_auth_type server_auth)
{
    struct s2n_config *sc = rs2n_resume_server_config(policy, NULL, 1);
    rs2n_add_ticket_key(sc, "mtls-key");
    REQUIRE_SUCCESS(add_test_ca(sc));
    REQUIRE_SUCCESS(s2n_config_set_client_auth_type(sc, server_auth));
    REQUIRE_SUCCESS(s2n_config_set_verify_host_callback(sc, verify_host, &host));
    const char *protocols[] = { "h2", "http/1.1" };
    REQUIRE_SUCCESS(s2n_config_set_protocol_preferences(sc, protocols, 2));
    struct s2n_config *cc = rs2n_resume_client_config(policy, NULL, 1, NULL);
    char *chain_pem = rs2n_read_cert("client_cert.pem");
    char *key_pem = rs2n_read_cert("client_key.pem");
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key(cc, chain_pem, key_pem));
    free(chain_pem);
    free(key_pem);
    REQUIRE_SUCCESS(s2n_config_set_protocol_preferences(cc, protocols + 1, 1));
    host.answer = 1;
    int auth_on = server_auth != S2N_CERT_AUTH_NONE;

    struct rs2n_session session = { { 0 }, 0 };
    for (int round = 0; round < 2; round++) {
        struct rs2n_pair p;
        struct rs2n_pair_result res;
        rs2n_pair_open(&p, sc, cc, "localhost", 1);
        EXPECT_SUCCESS(rs2n_offer_session(p.client, &session));
        if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: resumption round %d failed", policy, round);
            rs2n_print_pair_result("resumption", &res);
            rs2n_pair_close(&p);
            break;
        }
        int want_resumed = round == 1 && !auth_on;
        EXPECT_EQUAL(s2n_connection_is_session_resumed(p.server), want_resumed);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(p.client), want_resumed);
        EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.server), "http/1.1");
        EXPECT_STRING_EQUAL(s2n_get_application_protocol(p.client), "http/1.1");
        EXPECT_EQUAL(s2n_connection_client_cert_used(p.server), auth_on);
        EXPECT_EQUAL(s2n_connection_client_cert_used(p.client), auth_on);
        uint8_t *chain = NULL;
        uint32_t len = 0;
        if (auth_on) {
            EXPECT_SUCCESS(s2n_connection_get_client_cert_chain(p.server, &chain, &len));
        } else {
            EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(p.server, &chain, &len),
                                     S2N_ERR_T_USAGE);
        }
        printf("%s: server auth %d, round %d: %s, ALPN %s, client cert used %d\n", policy,
               server_auth, round, s2n_connection_get_handshake_type_name(p.server),
               s2n_get_application_protocol(p.server), s2n_connection_client_cert_used(p.server));
        if (!auth_on) {
            rs2n_read_tickets(p.client);
            rs2n_save_session(p.client, &session);
            EXPECT_TRUE(session.len > 0);
        } else {
            /* No ticket from a server with client authentication on. */
            uint16_t sent = 99;
            EXPECT_SUCCESS(s2n_connection_get_tickets_sent(p.server, &sent));
            EXPECT_EQUAL(sent, 0);
            EXPECT_NULL(strstr(s2n_connection_get_handshake_type_name(p.server), "WITH_SESSION_TICKET"));
            if (round == 0) {
                rs2n_read_tickets(p.client);
                rs2n_save_session(p.client, &session);
            }
        }
        rs2n_pair_close(&p);
    }
    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void settings_and_bad_arguments(void)
{
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(client);
    REQUIRE_NOT_NULL(server);
    s2n_cert_auth_type auth = -1;

    EXPECT_SUCCESS(s2n_config_get_client_auth_type(config, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_NONE);
    EXPECT_SUCCESS(s2n_connection_set_config(client, config));
    EXPECT_SUCCESS(s2n_connection_set_config(server, config));
    EXPECT_SUCCESS(s2n_connection_get_client_auth_type(client, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_OPTIONAL);
    EXPECT_SUCCESS(s2n_connection_get_client_auth_type(server, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_NONE);
    EXPECT_SUCCESS(s2n_config_set_client_auth_type(config, S2N_CERT_AUTH_REQUIRED));
    EXPECT_SUCCESS(s2n_connection_get_client_auth_type(client, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_REQUIRED);
    EXPECT_SUCCESS(s2n_connection_set_client_auth_type(client, S2N_CERT_AUTH_NONE));
    EXPECT_SUCCESS(s2n_connection_get_client_auth_type(client, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_NONE);
    EXPECT_SUCCESS(s2n_config_get_client_auth_type(config, &auth));
    EXPECT_EQUAL(auth, S2N_CERT_AUTH_REQUIRED);

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_client_auth_type(config, 3), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_client_auth_type(client, -1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_client_auth_type(NULL, S2N_CERT_AUTH_NONE), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_client_auth_type(NULL, &auth), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_get_client_auth_type(config, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_client_auth_type(NULL, S2N_CERT_AUTH_NONE),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_auth_type(NULL, &auth), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_auth_type(client, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_client_cert_used(NULL), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(s2n_connection_client_cert_used(server), 0);
    uint8_t *chain = NULL;
    uint32_t len = 0;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(NULL, &chain, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(server, NULL, &len), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(server, &chain, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_cert_chain(server, &chain, &len), S2N_ERR_T_USAGE);
    s2n_tls_signature_algorithm sig = -1;
    s2n_tls_hash_algorithm hash = -1;
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_client_cert_signature_algorithm(NULL, &sig),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_client_cert_signature_algorithm(server, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_client_cert_digest_algorithm(NULL, &hash),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_selected_client_cert_digest_algorithm(server, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_get_selected_client_cert_digest_algorithm(server, &hash));
    EXPECT_EQUAL(hash, S2N_TLS_HASH_NONE);

    /* CA names: not from an empty store, nor one holding the system CAs. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_authorities_from_trust_store(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_authorities_from_trust_store(config), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(add_test_ca(config));
    EXPECT_SUCCESS(s2n_config_set_cert_authorities_from_trust_store(config));
    struct s2n_config *system = s2n_config_new();
    REQUIRE_NOT_NULL(system);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cert_authorities_from_trust_store(system), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_wipe_trust_store(system));
    EXPECT_SUCCESS(add_test_ca(system));
    EXPECT_SUCCESS(s2n_config_set_cert_authorities_from_trust_store(system));

    /* DSS legacy compatibility: refused, rustls fixes the certificate types. */
    EXPECT_FAILURE_WITH_TYPE(s2n_config_enable_cert_req_dss_legacy_compat(config), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNIMPLEMENTED");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_enable_cert_req_dss_legacy_compat(NULL), S2N_ERR_T_USAGE);

    EXPECT_SUCCESS(s2n_connection_free(client));
    EXPECT_SUCCESS(s2n_connection_free(server));
    EXPECT_SUCCESS(s2n_config_free(config));
    EXPECT_SUCCESS(s2n_config_free(system));
}

int main(void)
{
    rs2n_test_begin("mtls", 120);
    settings_and_bad_arguments();
    const char *policies[] = { "default_tls13", "20240501" };
    for (int i = 0; i < 2; i++) {
        policy = policies[i];
        mutual_auth();
        refusals();
        resumption(S2N_CERT_AUTH_NONE);
        resumption(S2N_CERT_AUTH_REQUIRED);
        resumption(S2N_CERT_AUTH_OPTIONAL);
    }
    return rs2n_test_finish();
}
