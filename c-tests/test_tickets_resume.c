/*
 * Resuming sessions, TLS1.3 and TLS1.2:
 *   - the bytes the session ticket callback gets and the bytes
 *     s2n_connection_get_session returns both resume;
 *   - a TLS1.3 client has no session (length 0) before s2n_recv reads a
 *     ticket, and one after; a TLS1.2 client has it when the handshake ends;
 *   - TLS1.3 bytes name a session line: offered again and again, they resume
 *     each time with a ticket never offered before; a TLS1.2 session resumes
 *     again and again;
 *   - s2n_config_require_ticket_forward_secrecy: TLS1.2 gets no ticket and a
 *     TLS1.2 ticket issued before is refused (the client offers it, the server
 *     does a full handshake); turned off again, that ticket resumes; TLS1.3
 *     keeps working;
 *   - s2n_connection_get_session / _get_session_length / _lifetime_hint on a
 *     client before any handshake, and buffer-size errors;
 *   - a session offered to a server that negotiates another protocol version
 *     gives a full handshake at that version.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    rs2n_tk_connect(server, client, offer, 0, &tk_log, r);
}

static struct s2n_config *keyed_server(const char *policy)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "resume-key", "material of the resume key", 0));
    return server;
}

static void test_sources(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("session bytes from the callback and from s2n_connection_get_session, %s\n",
           tls13 ? "TLS1.3" : "TLS1.2");
    struct s2n_config *server = keyed_server(policy);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    /* From the callback. */
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake", &r, &tk_log, version, 0, 1);
    if (tls13) {
        EXPECT_EQUAL(r.session_len_before_recv, 0);
    } else {
        EXPECT_TRUE(r.session_len_before_recv > 0);
    }
    EXPECT_TRUE(r.session.len > 0);
    struct rs2n_session from_cb = tk_log.tickets[0];
    connect_offer(server, client, &from_cb, &r);
    RS2N_TK_CHECK("the callback's bytes", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    /* From s2n_connection_get_session (of another connection). */
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake", &r, &tk_log, version, 0, 1);
    struct rs2n_session from_get = r.session;
    connect_offer(server, client, &from_get, &r);
    RS2N_TK_CHECK("s2n_connection_get_session's bytes", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    /* A resumed connection's own session resumes too (TLS1.3: its fresh
     * ticket; TLS1.2: the same session). */
    struct rs2n_session again = r.session;
    EXPECT_TRUE(again.len > 0);
    connect_offer(server, client, &again, &r);
    RS2N_TK_CHECK("the resumed connection's session", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    if (tls13) {
        /* TLS1.3 bytes name a session line: offered again, they resume again,
         * each time with a ticket no connection offered before (the line's
         * newest, which the previous resumption brought). */
        uint8_t offered[8][32];
        int n = 0;
        for (int i = 0; i < 4; i++) {
            connect_offer(server, client, i % 2 ? &from_get : &from_cb, &r);
            RS2N_TK_CHECK("bytes used again", &r, &tk_log, version, 1, 1);
            long at = rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, "resume-key");
            REQUIRE(at >= 0 && (size_t) at + 17 + 32 <= r.client_hello_len);
            memcpy(offered[n], r.client_hello + at + 17, 32);
            for (int j = 0; j < n; j++) {
                EXPECT_TRUE(memcmp(offered[j], offered[n], 32) != 0);
            }
            n++;
        }
    } else {
        /* TLS1.2 sessions resume again and again. */
        for (int i = 0; i < 3; i++) {
            connect_offer(server, client, &from_cb, &r);
            RS2N_TK_CHECK("the callback's bytes, used again", &r, &tk_log, version, 1, 0);
            connect_offer(server, client, &from_get, &r);
            RS2N_TK_CHECK("get_session's bytes, used again", &r, &tk_log, version, 1, 0);
        }
    }
    s2n_config_free(server);
    s2n_config_free(client);
}

static void test_forward_secrecy(void)
{
    printf("s2n_config_require_ticket_forward_secrecy\n");
    struct s2n_config *server = keyed_server("default_tls13");
    struct s2n_config *client12 = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    struct s2n_config *client13 = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    connect_offer(server, client12, NULL, &r);
    RS2N_TK_CHECK("TLS1.2 before forward secrecy is required", &r, &tk_log, S2N_TLS12, 0, 1);
    struct rs2n_session before = r.session;
    connect_offer(server, client13, NULL, &r);
    RS2N_TK_CHECK("TLS1.3 before forward secrecy is required", &r, &tk_log, S2N_TLS13, 0, 1);
    struct rs2n_session before13 = r.session;

    EXPECT_SUCCESS(s2n_config_require_ticket_forward_secrecy(server, true));
    connect_offer(server, client12, NULL, &r);
    RS2N_TK_CHECK("TLS1.2, forward secrecy required: no ticket", &r, &tk_log, S2N_TLS12, 0, 0);
    EXPECT_EQUAL(tk_log.count, 0);
    EXPECT_EQUAL(r.lifetime_hint, -1);

    connect_offer(server, client12, &before, &r);
    RS2N_TK_CHECK("TLS1.2 ticket from before, forward secrecy required", &r, &tk_log, S2N_TLS12,
                  0, 0);
    /* The client did offer it. */
    EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, "resume-key") >= 0);

    /* TLS1.3 is forward secret: tickets from before and new ones work. */
    connect_offer(server, client13, &before13, &r);
    RS2N_TK_CHECK("TLS1.3 ticket from before, forward secrecy required", &r, &tk_log, S2N_TLS13,
                  1, 1);
    connect_offer(server, client13, &r.session, &r);
    RS2N_TK_CHECK("TLS1.3 ticket issued with forward secrecy required", &r, &tk_log, S2N_TLS13, 1,
                  1);

    /* Turned off again, the TLS1.2 ticket from before resumes. */
    EXPECT_SUCCESS(s2n_config_require_ticket_forward_secrecy(server, false));
    connect_offer(server, client12, &before, &r);
    RS2N_TK_CHECK("TLS1.2 ticket from before, forward secrecy no longer required", &r, &tk_log,
                  S2N_TLS12, 1, 0);

    EXPECT_FAILURE_WITH_TYPE(s2n_config_require_ticket_forward_secrecy(NULL, true), S2N_ERR_T_USAGE);

    s2n_config_free(server);
    s2n_config_free(client12);
    s2n_config_free(client13);
}

/* The session getters on a client that has not connected, and small buffers. */
static void test_getters(void)
{
    printf("session getters\n");
    struct s2n_config *server = keyed_server("20240501");
    struct s2n_config *client = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    EXPECT_SUCCESS(s2n_connection_set_config(conn, client));
    uint8_t buf[RS2N_SESSION_MAX];
    EXPECT_EQUAL(s2n_connection_get_session_length(conn), 0);
    EXPECT_EQUAL(s2n_connection_get_session(conn, buf, sizeof(buf)), 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_ticket_lifetime_hint(conn), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_SESSION_TICKET_NOT_SUPPORTED");
    EXPECT_EQUAL(s2n_connection_is_session_resumed(conn), 0);
    s2n_connection_free(conn);

    /* After a TLS1.2 handshake: a buffer one byte short fails. */
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_tk_log_reset(&tk_log);
    if (rs2n_pair_handshake(&p, server, client, "localhost", &res) != 0) {
        rs2n_print_pair_result("handshake", &res);
        REQUIRE(0);
    }
    int len = s2n_connection_get_session_length(p.client);
    EXPECT_TRUE(len > 0);
    if (len > 0) {
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session(p.client, buf, (size_t) len - 1),
                                 S2N_ERR_T_USAGE);
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG");
        EXPECT_EQUAL(s2n_connection_get_session(p.client, buf, (size_t) len), len);
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session(p.client, NULL, (size_t) len),
                                 S2N_ERR_T_USAGE);
    }
    EXPECT_TRUE(s2n_connection_get_session_ticket_lifetime_hint(p.client) > 0);
    rs2n_pair_close(&p);

    s2n_config_free(server);
    s2n_config_free(client);
}

/* A session offered where the protocol version changes: a full handshake at
 * the version negotiated, never an error. */
static void test_version_change(void)
{
    printf("sessions across protocol versions\n");
    struct s2n_config *server13 = keyed_server("default_tls13");
    struct s2n_config *server12 = keyed_server("20240501");
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    connect_offer(server12, client, NULL, &r);
    RS2N_TK_CHECK("TLS1.2-only server", &r, &tk_log, S2N_TLS12, 0, 1);
    struct rs2n_session s12 = r.session;

    /* A TLS1.2 session on a TLS1.3 server: a full TLS1.3 handshake and a TLS1.3
     * ticket. (Until s2n_recv reads it, the client's session is still the
     * TLS1.2 one it offered, so no RS2N_TK_CHECK here: s2n-tls too keeps the
     * offered ticket until a new one arrives.) */
    connect_offer(server13, client, &s12, &r);
    EXPECT_EQUAL(r.rc, 0);
    EXPECT_EQUAL(r.version, S2N_TLS13);
    EXPECT_EQUAL(r.client_resumed, 0);
    EXPECT_EQUAL(r.server_resumed, 0);
    EXPECT_EQUAL(r.tickets_sent, 1);
    EXPECT_EQUAL(tk_log.count, 1);
    EXPECT_TRUE(r.session.len > 0);
    EXPECT_STRING_EQUAL(r.client_type, "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT");
    struct rs2n_session s13 = r.session;
    connect_offer(server12, client, &s12, &r);
    RS2N_TK_CHECK("TLS1.2 session, back on the TLS1.2-only server", &r, &tk_log, S2N_TLS12, 1, 0);
    connect_offer(server13, client, &s13, &r);
    RS2N_TK_CHECK("the TLS1.3 ticket that full handshake got", &r, &tk_log, S2N_TLS13, 1, 1);

    /* A TLS1.3 session on a TLS1.2-only server: a full TLS1.2 handshake. The
     * client offered a PSK, so it sent no session_ticket extension and gets
     * no TLS1.2 ticket (s2n-tls's client does the same:
     * s2n_client_session_ticket_should_send is false when a PSK is sent). */
    connect_offer(server13, client, NULL, &r);
    RS2N_TK_CHECK("TLS1.3 server", &r, &tk_log, S2N_TLS13, 0, 1);
    connect_offer(server12, client, &r.session, &r);
    RS2N_TK_CHECK("TLS1.3 session, TLS1.2-only server", &r, &tk_log, S2N_TLS12, 0, 0);

    s2n_config_free(server13);
    s2n_config_free(server12);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_resume", 120);
    test_sources("default_tls13", S2N_TLS13);
    test_sources("20240501", S2N_TLS12);
    test_forward_secrecy();
    test_getters();
    test_version_change();
    return rs2n_test_finish();
}
