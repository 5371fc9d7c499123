/*
 * Ticket state and s2n_connection_wipe, TLS1.3 and TLS1.2: the same two
 * connection objects are used for several handshakes, wiped in between.
 * After a wipe (as in s2n-tls, tls/s2n_connection.c: s2n_connection_wipe):
 *   - the server has sent no tickets, tickets added with
 *     s2n_connection_add_new_tickets_to_send are gone (the config's count
 *     again) and the keying material lifetime is back to one week;
 *   - the client has no session and no lifetime hint, and a session saved
 *     before the wipe resumes on the wiped connection.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

struct round {
    int rc;
    int resumed;
    uint16_t tickets_sent;
    int hint;
    struct rs2n_session session;
};

/* One handshake on the (fresh or wiped) connections over a new pipe. */
static void run_round(struct s2n_connection *server, struct s2n_connection *client,
                      uint32_t km, uint8_t add, const struct rs2n_session *offer,
                      struct round *out)
{
    memset(out, 0, sizeof(*out));
    struct rs2n_mem_pipe pipe;
    rs2n_mem_pipe_init(&pipe);
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(server, &pipe.a));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(client, &pipe.b));
    REQUIRE_SUCCESS(s2n_set_server_name(client, "localhost"));
    if (km) {
        EXPECT_SUCCESS(s2n_connection_set_server_keying_material_lifetime(server, km));
    }
    if (add) {
        EXPECT_SUCCESS(s2n_connection_add_new_tickets_to_send(server, add));
    }
    if (offer) {
        EXPECT_SUCCESS(s2n_connection_set_session(client, offer->data, (size_t) offer->len));
    }
    rs2n_tk_log_reset(&tk_log);
    struct rs2n_pair_result res;
    out->rc = rs2n_negotiate_pair(server, client, &res);
    if (out->rc != 0) {
        rs2n_print_pair_result("handshake", &res);
    } else {
        uint8_t buf[16];
        s2n_blocked_status blocked;
        s2n_errno = S2N_ERR_T_OK;
        EXPECT_EQUAL(s2n_recv(client, buf, sizeof(buf), &blocked), -1);
        EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
        out->resumed = s2n_connection_is_session_resumed(client);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(server), out->resumed);
        EXPECT_SUCCESS(s2n_connection_get_tickets_sent(server, &out->tickets_sent));
        out->hint = s2n_connection_get_session_ticket_lifetime_hint(client);
        out->session.len = s2n_connection_get_session(client, out->session.data, sizeof(out->session.data));
    }
    /* The pipe goes away: wipe before the next round (which sets new I/O). */
    EXPECT_SUCCESS(s2n_connection_wipe(server));
    EXPECT_SUCCESS(s2n_connection_wipe(client));
    rs2n_mem_pipe_free(&pipe);
}

static void expect_wiped(struct s2n_connection *server, struct s2n_connection *client)
{
    uint16_t sent = 99;
    EXPECT_SUCCESS(s2n_connection_get_tickets_sent(server, &sent));
    EXPECT_EQUAL(sent, 0);
    EXPECT_EQUAL(s2n_connection_get_session_length(client), 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session_ticket_lifetime_hint(client), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(s2n_connection_is_session_resumed(client), 0);
    EXPECT_EQUAL(s2n_connection_is_session_resumed(server), 0);
}

static void test_wipe(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("wiped connections, %s\n", tls13 ? "TLS1.3" : "TLS1.2");
    struct s2n_config *server_config = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server_config, "wipe-key", "material of the wipe key", 0));
    struct s2n_config *client_config = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(server && client);
    REQUIRE_SUCCESS(s2n_connection_set_config(server, server_config));
    REQUIRE_SUCCESS(s2n_connection_set_config(client, client_config));

    struct round r1, r2, r3, r4;
    run_round(server, client, 300, 2, NULL, &r1);
    EXPECT_EQUAL(r1.rc, 0);
    EXPECT_EQUAL(r1.resumed, 0);
    EXPECT_EQUAL(r1.tickets_sent, tls13 ? 3 : 1);
    EXPECT_EQUAL(r1.hint, tls13 ? 300 : 15 * 3600);
    EXPECT_TRUE(r1.session.len > 0);
    expect_wiped(server, client);

    /* No keying material setting, no added tickets: the defaults again. */
    run_round(server, client, 0, 0, NULL, &r2);
    EXPECT_EQUAL(r2.rc, 0);
    EXPECT_EQUAL(r2.resumed, 0);
    EXPECT_EQUAL(r2.tickets_sent, 1);
    EXPECT_EQUAL(r2.hint, 15 * 3600);
    EXPECT_EQUAL(tk_log.count, 1);
    expect_wiped(server, client);

    /* A session saved before a wipe resumes on the wiped connection. */
    run_round(server, client, 0, 0, &r1.session, &r3);
    EXPECT_EQUAL(r3.rc, 0);
    EXPECT_EQUAL(r3.resumed, 1);
    EXPECT_EQUAL(r3.tickets_sent, tls13 ? 1 : 0);
    expect_wiped(server, client);

    /* The wiped client offers nothing by itself: a full handshake. */
    run_round(server, client, 0, 0, NULL, &r4);
    EXPECT_EQUAL(r4.rc, 0);
    EXPECT_EQUAL(r4.resumed, 0);

    s2n_connection_free(server);
    s2n_connection_free(client);
    s2n_config_free(server_config);
    s2n_config_free(client_config);
}

int main(void)
{
    rs2n_test_begin("test_tickets_wipe", 60);
    test_wipe("default_tls13", S2N_TLS13);
    test_wipe("20240501", S2N_TLS12);
    return rs2n_test_finish();
}
