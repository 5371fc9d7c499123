/*
 * A connection's secrets, TLS1.3 and TLS1.2:
 *   - s2n_config_set_key_log_cb: both sides log the same NSS key log lines for
 *     the same handshake, as s2n writes them (TLS1.3: the handshake and first
 *     traffic secrets and the exporter secret; TLS1.2: one CLIENT_RANDOM line),
 *     with the connection that logs them; the connection is busy while the
 *     callback runs; NULL turns logging off;
 *   - s2n_connection_get_master_secret: TLS1.2 only, equal on both sides and to
 *     the logged CLIENT_RANDOM secret, the same again on a resumed handshake
 *     (which logs nothing, as in s2n); refused on TLS1.3, before the handshake,
 *     with a small buffer, after a wipe;
 *   - s2n_connection_tls_exporter: TLS1.3 only, equal on both sides, differs
 *     with the label and the context; refused on TLS1.2, before the handshake,
 *     with NULL arguments or a label over 249 bytes;
 *   - NULL arguments.
 */
#include "testlib.h"

#define MAX_LINES 16

struct key_log {
    struct s2n_connection *conn; /* the connection every line must come with */
    int lines;
    char line[MAX_LINES][256];
    int reentry_refused; /* a call on the connection from the callback failed in use */
};

static int log_line(void *ctx, struct s2n_connection *conn, uint8_t *line, size_t len)
{
    struct key_log *log = ctx;
    if (log->conn != NULL && conn != log->conn) {
        rs2n_test_fail(__FILE__, __LINE__, "key log line for another connection");
    }
    if (log->lines < MAX_LINES && len < sizeof(log->line[0])) {
        memcpy(log->line[log->lines], line, len);
        log->line[log->lines][len] = '\0';
        log->lines++;
    }
    uint8_t secret[48];
    if (s2n_connection_get_master_secret(conn, secret, sizeof(secret)) != S2N_SUCCESS &&
        strcmp(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE") == 0) {
        log->reentry_refused++;
    }
    return S2N_SUCCESS;
}

/* The line of `log` that starts with `label` and a space, or NULL. */
static const char *find_line(const struct key_log *log, const char *label)
{
    size_t n = strlen(label);
    for (int i = 0; i < log->lines; i++) {
        if (strncmp(log->line[i], label, n) == 0 && log->line[i][n] == ' ') {
            return log->line[i];
        }
    }
    return NULL;
}

/* Checks "LABEL <64 hex> <hex of secret_len bytes>" in lowercase. */
static int well_formed(const char *line, const char *label, size_t secret_len)
{
    size_t n = strlen(label);
    if (strlen(line) != n + 1 + 64 + 1 + 2 * secret_len || line[n + 65] != ' ') {
        return 0;
    }
    for (const char *c = line + n + 1; *c; c++) {
        if (c == line + n + 65) {
            continue;
        }
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", b[i]);
    }
}

static const char *labels13[] = {
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET",
};

static void tls13(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct key_log slog = { 0 }, clog = { 0 };
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(sc, log_line, &slog));
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(cc, log_line, &clog));

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    slog.conn = p.server;
    clog.conn = p.client;
    uint8_t out[32], out2[32];
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, (const uint8_t *) "x", 1,
                                                         (const uint8_t *) "", 0, out, 32),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_HANDSHAKE_NOT_COMPLETE");
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), S2N_TLS13);

    /* The same lines on both sides, all of them, well formed. */
    EXPECT_EQUAL(clog.lines, 5);
    EXPECT_EQUAL(slog.lines, 5);
    for (size_t i = 0; i < sizeof(labels13) / sizeof(labels13[0]); i++) {
        const char *c = find_line(&clog, labels13[i]);
        const char *s = find_line(&slog, labels13[i]);
        REQUIRE(c != NULL && s != NULL);
        EXPECT_STRING_EQUAL(c, s);
        EXPECT_TRUE(well_formed(c, labels13[i], 32)); /* TLS_AES_128_GCM_SHA256 */
        /* One client random for the handshake. */
        EXPECT_EQUAL(memcmp(c + strlen(labels13[i]), clog.line[0] + strcspn(clog.line[0], " "), 66), 0);
    }
    EXPECT_TRUE(clog.reentry_refused == clog.lines && slog.reentry_refused == slog.lines);

    /* The exporter: the same bytes on both sides; label and context matter. */
    const uint8_t *label = (const uint8_t *) "EXPORTER-test";
    const uint8_t *ctx = (const uint8_t *) "context";
    memset(out, 0, sizeof(out));
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.client, label, 13, ctx, 7, out, sizeof(out)));
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.server, label, 13, ctx, 7, out2, sizeof(out2)));
    EXPECT_EQUAL(memcmp(out, out2, sizeof(out)), 0);
    uint8_t zero[32] = { 0 };
    EXPECT_NOT_EQUAL(memcmp(out, zero, sizeof(out)), 0);
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.server, label, 12, ctx, 7, out2, sizeof(out2)));
    EXPECT_NOT_EQUAL(memcmp(out, out2, sizeof(out)), 0);
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.server, label, 13, ctx, 0, out2, sizeof(out2)));
    EXPECT_NOT_EQUAL(memcmp(out, out2, sizeof(out)), 0);
    /* A longer output starts differently (the length is part of the derivation). */
    uint8_t longer[100];
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.client, label, 13, ctx, 7, longer, sizeof(longer)));
    EXPECT_NOT_EQUAL(memcmp(out, longer, sizeof(out)), 0);

    /* Refused: NULLs, a long label, the master secret of TLS1.3. */
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, label, 13, NULL, 0, out, 32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, NULL, 0, ctx, 7, out, 32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, label, 13, ctx, 7, NULL, 32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(NULL, label, 13, ctx, 7, out, 32), S2N_ERR_T_USAGE);
    uint8_t long_label[250];
    memset(long_label, 'a', sizeof(long_label));
    EXPECT_SUCCESS(s2n_connection_tls_exporter(p.client, long_label, 249, ctx, 7, out, 32));
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, long_label, 250, ctx, 7, out, 32), S2N_ERR_T_USAGE);
    uint8_t secret[48];
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(p.client, secret, sizeof(secret)), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    rs2n_pair_close(&p);

    /* Logging off: nothing more. */
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(cc, NULL, NULL));
    clog.lines = 0;
    slog.conn = NULL;
    REQUIRE(rs2n_pair_handshake(&p, sc, cc, "localhost", &res) == 0);
    EXPECT_EQUAL(clog.lines, 0);
    rs2n_pair_close(&p);
    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void tls12(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "20240501");
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(sc, 1));
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(cc, 1));
    rs2n_add_ticket_key(sc, "secrets");
    struct key_log slog = { 0 }, clog = { 0 };
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(sc, log_line, &slog));
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(cc, log_line, &clog));

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    uint8_t secret[48], secret2[48];
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(p.client, secret, sizeof(secret)), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_HANDSHAKE_NOT_COMPLETE");
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), S2N_TLS12);

    EXPECT_EQUAL(clog.lines, 1);
    EXPECT_EQUAL(slog.lines, 1);
    EXPECT_STRING_EQUAL(clog.line[0], slog.line[0]);
    EXPECT_TRUE(well_formed(clog.line[0], "CLIENT_RANDOM", 48));

    EXPECT_SUCCESS(s2n_connection_get_master_secret(p.client, secret, sizeof(secret)));
    EXPECT_SUCCESS(s2n_connection_get_master_secret(p.server, secret2, sizeof(secret2)));
    EXPECT_EQUAL(memcmp(secret, secret2, sizeof(secret)), 0);
    char text[97];
    hex(secret, sizeof(secret), text);
    EXPECT_STRING_EQUAL(clog.line[0] + strlen("CLIENT_RANDOM ") + 65, text);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(p.client, secret, 47), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(p.client, NULL, 48), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(NULL, secret, 48), S2N_ERR_T_USAGE);

    uint8_t out[16];
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_tls_exporter(p.client, (const uint8_t *) "x", 1,
                                                         (const uint8_t *) "", 0, out, sizeof(out)),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");

    /* Resumed: the same master secret, and no line (as s2n). */
    struct rs2n_session session;
    REQUIRE_SUCCESS(rs2n_save_session(p.client, &session));
    /* Wiped: the secret is gone with the handshake. */
    EXPECT_SUCCESS(s2n_connection_wipe(p.client));
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_master_secret(p.client, secret, sizeof(secret)), S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);

    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    REQUIRE_SUCCESS(rs2n_offer_session(p.client, &session));
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.client));
    EXPECT_EQUAL(clog.lines, 1);
    EXPECT_EQUAL(slog.lines, 1);
    memset(secret2, 0, sizeof(secret2));
    EXPECT_SUCCESS(s2n_connection_get_master_secret(p.client, secret2, sizeof(secret2)));
    EXPECT_EQUAL(memcmp(secret, secret2, sizeof(secret)), 0);
    EXPECT_SUCCESS(s2n_connection_get_master_secret(p.server, secret2, sizeof(secret2)));
    EXPECT_EQUAL(memcmp(secret, secret2, sizeof(secret)), 0);
    rs2n_pair_close(&p);
    s2n_config_free(sc);
    s2n_config_free(cc);
}

static void null_arguments(void)
{
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_key_log_cb(NULL, log_line, NULL), S2N_ERR_T_USAGE);
    struct s2n_config *config = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_set_key_log_cb(config, NULL, NULL));
    s2n_config_free(config);
}

int main(void)
{
    rs2n_test_begin("secrets", 60);
    null_arguments();
    tls13();
    tls12();
    printf("key log, exporter and master secret checked\n");
    return rs2n_test_finish();
}
