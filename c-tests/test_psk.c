/*
 * Pre-shared keys and connection serialization:
 *   - the identity of the PSK a TLS1.3 resumption used is the ticket the client
 *     offered (found in the ClientHello it sent), the same on the client and the
 *     server; a full handshake and a TLS1.2 resumption report none (length 0,
 *     nothing written); a too small buffer is S2N_ERR_INSUFFICIENT_MEM_SIZE;
 *   - external PSK objects are built and checked as s2n-tls checks them (NULL,
 *     empty, all-zero secret, unknown HMAC, a suite of another hash), and freed;
 *     using one (s2n_connection_append_psk, S2N_PSK_MODE_EXTERNAL) is refused
 *     with S2N_ERR_UNIMPLEMENTED, a usage error naming external PSKs;
 *   - the selection callback and the offered-PSK list functions are refused
 *     (NULL callback accepted; has_next is false); an offered PSK made by the
 *     application has no identity yet;
 *   - serialization is refused (version NONE accepted), the connection unharmed.
 */
#include "testlib.h"
#include "refused.h"

static void expect_no_identity(struct s2n_connection *conn)
{
    uint16_t len = 99;
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity_length(conn, &len));
    EXPECT_EQUAL(len, 0);
    uint8_t buf[4] = { 7, 7, 7, 7 };
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity(conn, buf, sizeof(buf)));
    EXPECT_EQUAL(buf[0], 7);
}

/* Resumes with `session`, checking the identity both sides report against the
 * ClientHello the client sent. */
static void resume_and_check(struct s2n_config *server, struct s2n_config *client,
                             const struct rs2n_session *session, int tls13)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    expect_no_identity(p.client);
    REQUIRE(rs2n_offer_session(p.client, session) == 0);
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    /* The client's first flight, as it sent it (the client is end b). */
    struct rs2n_mem_queue *q = &p.pipe.b_to_a;
    size_t hello_len = rs2n_mem_queue_pending(q);
    uint8_t hello[8192];
    REQUIRE(hello_len > 0 && hello_len <= sizeof(hello));
    memcpy(hello, q->data + q->off, hello_len);
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_EQUAL(s2n_connection_is_session_resumed(p.server), 1);

    if (!tls13) {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.server), S2N_TLS12);
        expect_no_identity(p.server);
        expect_no_identity(p.client);
        rs2n_pair_close(&p);
        return;
    }
    uint16_t slen = 0, clen = 0;
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity_length(p.server, &slen));
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity_length(p.client, &clen));
    EXPECT_TRUE(slen > 0);
    EXPECT_EQUAL(slen, clen);
    uint8_t sid[4096] = { 0 }, cid[4096] = { 0 };
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity(p.server, sid, sizeof(sid)));
    EXPECT_SUCCESS(s2n_connection_get_negotiated_psk_identity(p.client, cid, slen));
    EXPECT_EQUAL(memcmp(sid, cid, slen), 0);
    /* The identity is the ticket inside the ClientHello's pre_shared_key:
     * identities<2 bytes> then identity<2 bytes> then the ticket. */
    long at = rs2n_tk_find(hello, hello_len, sid, slen);
    EXPECT_TRUE(at >= 4);
    if (at >= 4) {
        EXPECT_EQUAL(((size_t) hello[at - 2] << 8) | hello[at - 1], slen);
    }
    printf("TLS1.3 resumption: PSK identity of %u bytes, found in the ClientHello at %ld\n",
           (unsigned) slen, at);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_negotiated_psk_identity(p.server, sid, slen - 1),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_negotiated_psk_identity(p.server, NULL, 10),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_negotiated_psk_identity_length(p.server, NULL),
                             S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);
}

static void negotiated_identity(const char *policy, int tls13)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, NULL, 1);
    struct s2n_config *client = rs2n_resume_client_config(policy, NULL, 1, NULL);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "psk-key", "material of the psk test key", 0));

    /* A full handshake: no PSK; its session for the resumption. */
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    expect_no_identity(p.server);
    expect_no_identity(p.client);
    REQUIRE(rs2n_read_tickets(p.client) == 0);
    struct rs2n_session session;
    REQUIRE(rs2n_save_session(p.client, &session) == 0);
    REQUIRE(session.len > 0);
    rs2n_pair_close(&p);

    resume_and_check(server, client, &session, tls13);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_negotiated_psk_identity_length(NULL, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
}

static void external_psks(void)
{
    struct s2n_psk *psk = s2n_external_psk_new();
    REQUIRE_NOT_NULL(psk);
    const uint8_t id[] = "client-1";
    const uint8_t secret[] = "a secret shared out of band";
    const uint8_t zeros[16] = { 0 };
    EXPECT_SUCCESS(s2n_psk_set_identity(psk, id, sizeof(id) - 1));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_identity(psk, id, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_identity(psk, NULL, 3), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_identity(NULL, id, 3), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_psk_set_secret(psk, secret, sizeof(secret) - 1));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_secret(psk, zeros, sizeof(zeros)), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_secret(psk, secret, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_secret(psk, NULL, 4), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_psk_set_hmac(psk, S2N_PSK_HMAC_SHA256));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_hmac(psk, (s2n_psk_hmac) 9), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_psk_configure_early_data(psk, 1024, 0x13, 0x01));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_configure_early_data(psk, 1024, 0x13, 0x02), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_configure_early_data(psk, 1024, 0xc0, 0x2b), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_psk_set_hmac(psk, S2N_PSK_HMAC_SHA384));
    EXPECT_SUCCESS(s2n_psk_configure_early_data(psk, 1024, 0x13, 0x02));
    EXPECT_SUCCESS(s2n_psk_set_application_protocol(psk, (const uint8_t *) "h2", 2));
    EXPECT_SUCCESS(s2n_psk_set_application_protocol(psk, NULL, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_application_protocol(psk, NULL, 2), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_psk_set_early_data_context(psk, (const uint8_t *) "ctx", 3));
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_set_early_data_context(NULL, NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_psk_configure_early_data(NULL, 1, 0x13, 0x01), S2N_ERR_T_USAGE);

    /* Using it is refused, and says why. */
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    EXPECT_REFUSED(s2n_connection_append_psk(conn, psk), "external PSKs");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_append_psk(conn, NULL), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_append_psk(NULL, psk), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_connection_set_psk_mode(conn, S2N_PSK_MODE_RESUMPTION));
    EXPECT_REFUSED(s2n_connection_set_psk_mode(conn, S2N_PSK_MODE_EXTERNAL), "external PSKs");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_psk_mode(conn, (s2n_psk_mode) 5), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_ARGUMENT");

    struct s2n_config *config = s2n_config_new();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_set_psk_mode(config, S2N_PSK_MODE_RESUMPTION));
    EXPECT_REFUSED(s2n_config_set_psk_mode(config, S2N_PSK_MODE_EXTERNAL), "external PSKs");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_psk_mode(NULL, S2N_PSK_MODE_RESUMPTION), S2N_ERR_T_USAGE);

    /* Freed, and the pointer cleared; NULL is fine. */
    EXPECT_SUCCESS(s2n_psk_free(&psk));
    EXPECT_NULL(psk);
    EXPECT_SUCCESS(s2n_psk_free(&psk));
    EXPECT_SUCCESS(s2n_psk_free(NULL));
    EXPECT_SUCCESS(s2n_connection_free(conn));
    EXPECT_SUCCESS(s2n_config_free(config));
}

static int select_psk(struct s2n_connection *conn, void *ctx, struct s2n_offered_psk_list *list)
{
    (void) conn;
    (void) ctx;
    (void) list;
    return S2N_SUCCESS;
}

static void selection(void)
{
    struct s2n_config *config = s2n_config_new();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_set_psk_selection_callback(config, NULL, NULL));
    EXPECT_REFUSED(s2n_config_set_psk_selection_callback(config, select_psk, NULL),
                   "selection callback");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_psk_selection_callback(NULL, NULL, NULL), S2N_ERR_T_USAGE);

    struct s2n_offered_psk *offered = s2n_offered_psk_new();
    REQUIRE_NOT_NULL(offered);
    uint8_t *id = NULL;
    uint16_t size = 0;
    /* Nothing read into it yet: no identity, as in s2n-tls. */
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_get_identity(offered, &id, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_get_identity(offered, NULL, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_get_identity(NULL, &id, &size), S2N_ERR_T_USAGE);

    /* No list exists: has_next is false; the others refuse (NULL: S2N_ERR_NULL). */
    EXPECT_FALSE(s2n_offered_psk_list_has_next(NULL));
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_list_next(NULL, offered), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_list_reread(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_offered_psk_list_choose_psk(NULL, offered), S2N_ERR_T_USAGE);
    /* A pointer that is no list of rs2n's is never read. */
    struct s2n_offered_psk_list *bogus = (struct s2n_offered_psk_list *) (void *) &size;
    EXPECT_FALSE(s2n_offered_psk_list_has_next(bogus));
    EXPECT_REFUSED(s2n_offered_psk_list_next(bogus, offered), "offered-PSK list");
    EXPECT_REFUSED(s2n_offered_psk_list_reread(bogus), "offered-PSK list");
    EXPECT_REFUSED(s2n_offered_psk_list_choose_psk(bogus, NULL), "offered-PSK list");

    EXPECT_SUCCESS(s2n_offered_psk_free(&offered));
    EXPECT_NULL(offered);
    EXPECT_SUCCESS(s2n_offered_psk_free(&offered));
    EXPECT_SUCCESS(s2n_offered_psk_free(NULL));
    EXPECT_SUCCESS(s2n_config_free(config));
}

static void serialization(void)
{
    struct s2n_config *config = s2n_config_new();
    REQUIRE_NOT_NULL(config);
    EXPECT_SUCCESS(s2n_config_set_serialization_version(config, S2N_SERIALIZED_CONN_NONE));
    EXPECT_REFUSED(s2n_config_set_serialization_version(config, S2N_SERIALIZED_CONN_V1),
                   "serialization");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_serialization_version(config, (s2n_serialization_version) 7),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_serialization_version(NULL, S2N_SERIALIZED_CONN_NONE),
                             S2N_ERR_T_USAGE);

    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(conn);
    uint32_t len = 5;
    uint8_t buf[64] = { 0 };
    EXPECT_REFUSED(s2n_connection_serialization_length(conn, &len), "serialization");
    EXPECT_EQUAL(len, 5);
    EXPECT_REFUSED(s2n_connection_serialize(conn, buf, sizeof(buf)), "serialization");
    EXPECT_REFUSED(s2n_connection_deserialize(conn, buf, sizeof(buf)), "serialization");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_serialization_length(conn, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_serialize(conn, NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_deserialize(NULL, buf, 1), S2N_ERR_T_USAGE);
    /* The connection is unharmed. */
    EXPECT_SUCCESS(s2n_connection_set_config(conn, config));
    EXPECT_SUCCESS(s2n_connection_free(conn));
    EXPECT_SUCCESS(s2n_config_free(config));
}

int main(void)
{
    rs2n_test_begin("psk", 120);
    negotiated_identity("default_tls13", 1);
    negotiated_identity("20240501", 0);
    external_psks();
    selection();
    serialization();
    return rs2n_test_finish();
}
