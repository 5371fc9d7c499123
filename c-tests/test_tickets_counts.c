/*
 * How many tickets a server sends:
 *   - TLS1.3: 1 by default; s2n_config_set_initial_ticket_count(cfg, n) sends n
 *     (the client's callback is called n times; the tickets join one session
 *     line, so its bytes resume n times, each with another ticket); 0 sends none; s2n_connection_add_new_tickets_to_send before the
 *     handshake adds to it; after the handshake it fails (a documented rs2n
 *     difference: rustls cannot send tickets later); a TLS1.3 resumption issues
 *     fresh tickets (as many as a full handshake);
 *   - TLS1.2: one ticket with a full handshake whatever the TLS1.3 count, none
 *     with a resumption (the callback is not called);
 *   - s2n_config_set_initial_ticket_count turns session tickets on;
 *   - s2n_connection_get_tickets_sent on a client or with NULL fails.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static void connect_with(struct s2n_config *server, struct s2n_config *client,
                         const struct rs2n_session *offer, uint8_t add,
                         struct rs2n_conn *r)
{
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.offer = offer;
    opts.add_tickets = add;
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, &opts, r);
}

static struct s2n_config *keyed_server(const char *policy)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "count-key", "material of the count key", 0));
    return server;
}

static void test_tls13_counts(void)
{
    printf("TLS1.3 ticket counts\n");
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    struct s2n_config *server = keyed_server("default_tls13");
    struct rs2n_conn r;

    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("default count", &r, &tk_log, S2N_TLS13, 0, 1);

    connect_with(server, client, NULL, 2, &r);
    RS2N_TK_CHECK("default count + 2 added before the handshake", &r, &tk_log, S2N_TLS13, 0, 3);

    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 3));
    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("initial count 3", &r, &tk_log, S2N_TLS13, 0, 3);
    EXPECT_EQUAL(tk_log.count, 3);

    /* The three tickets' bytes name the connection's session line: each
     * offer resumes with a ticket no offer used before; each resumption gets 3
     * fresh ones. */
    struct rs2n_tk_log three = tk_log;
    uint8_t offered[3][32];
    for (unsigned i = 0; i < 3 && i < three.count; i++) {
        connect_with(server, client, &three.tickets[i], 0, &r);
        char what[64];
        snprintf(what, sizeof(what), "ticket %u of 3", i + 1);
        RS2N_TK_CHECK(what, &r, &tk_log, S2N_TLS13, 1, 3);
        const long at = rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, "count-key");
        REQUIRE(at >= 0 && (size_t) at + 17 + 32 <= r.client_hello_len);
        memcpy(offered[i], r.client_hello + at + 17, 32);
        for (unsigned j = 0; j < i; j++) {
            EXPECT_TRUE(memcmp(offered[i], offered[j], 32) != 0);
        }
    }

    connect_with(server, client, NULL, 2, &r);
    RS2N_TK_CHECK("initial count 3 + 2 added", &r, &tk_log, S2N_TLS13, 0, 5);

    /* A resumed connection gets the added tickets too. */
    struct rs2n_session s = tk_log.tickets[4];
    connect_with(server, client, &s, 1, &r);
    RS2N_TK_CHECK("resumed, initial count 3 + 1 added", &r, &tk_log, S2N_TLS13, 1, 4);

    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 0));
    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("initial count 0", &r, &tk_log, S2N_TLS13, 0, 0);
    connect_with(server, client, NULL, 1, &r);
    RS2N_TK_CHECK("initial count 0 + 1 added", &r, &tk_log, S2N_TLS13, 0, 1);

    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 1));
    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("initial count back to 1", &r, &tk_log, S2N_TLS13, 0, 1);

    s2n_config_free(server);
    s2n_config_free(client);
}

static void test_tls12_counts(void)
{
    printf("TLS1.2 ticket counts\n");
    struct s2n_config *client = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    struct s2n_config *server = keyed_server("default_tls13"); /* TLS1.2 negotiated: the client's limit */
    struct rs2n_conn r;

    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("TLS1.2 full handshake", &r, &tk_log, S2N_TLS12, 0, 1);
    struct rs2n_session s = r.session;

    /* TLS1.2 sends one ticket, whatever the TLS1.3 ticket counts say. */
    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 3));
    connect_with(server, client, NULL, 2, &r);
    RS2N_TK_CHECK("TLS1.2, initial count 3 + 2 added", &r, &tk_log, S2N_TLS12, 0, 1);

    /* Resumptions issue none: the callback is not called. */
    connect_with(server, client, &s, 0, &r);
    RS2N_TK_CHECK("TLS1.2 resumption", &r, &tk_log, S2N_TLS12, 1, 0);
    EXPECT_EQUAL(tk_log.count, 0);
    connect_with(server, client, &s, 2, &r);
    RS2N_TK_CHECK("TLS1.2 resumption, 2 added", &r, &tk_log, S2N_TLS12, 1, 0);

    s2n_config_free(server);
    s2n_config_free(client);
}

/* s2n_config_set_initial_ticket_count turns tickets on (as in s2n-tls). */
static void test_count_turns_tickets_on(void)
{
    printf("initial ticket count turns tickets on\n");
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    struct s2n_config *server = keyed_server("default_tls13");
    struct rs2n_conn r;
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(server, 0));
    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("tickets off", &r, &tk_log, S2N_TLS13, 0, 0);
    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 2));
    connect_with(server, client, NULL, 0, &r);
    RS2N_TK_CHECK("initial count 2 on a config with tickets off", &r, &tk_log, S2N_TLS13, 0, 2);
    connect_with(server, client, &r.session, 0, &r);
    RS2N_TK_CHECK("and its ticket resumes", &r, &tk_log, S2N_TLS13, 1, 2);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* s2n_connection_add_new_tickets_to_send after the handshake: rs2n fails
 * (documented), and s2n_connection_get_tickets_sent's argument errors. */
static void test_after_handshake_and_errors(void)
{
    printf("adding tickets after the handshake; tickets_sent errors\n");
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    struct s2n_config *server = keyed_server("default_tls13");
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_tk_log_reset(&tk_log);
    if (rs2n_pair_handshake(&p, server, client, "localhost", &res) != 0) {
        rs2n_print_pair_result("handshake", &res);
        REQUIRE(0);
    }
    uint16_t sent = 99;
    EXPECT_SUCCESS(s2n_connection_get_tickets_sent(p.server, &sent));
    EXPECT_EQUAL(sent, 1);

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_add_new_tickets_to_send(p.server, 1), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    /* Nothing changed, and the connection still works. */
    EXPECT_SUCCESS(s2n_connection_get_tickets_sent(p.server, &sent));
    EXPECT_EQUAL(sent, 1);
    s2n_blocked_status blocked;
    EXPECT_EQUAL(s2n_send(p.server, "ping", 4, &blocked), 4);
    char buf[16];
    ssize_t n = -1;
    for (int i = 0; i < 10 && n < 0; i++) {
        n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
    }
    EXPECT_EQUAL(n, 4);
    EXPECT_EQUAL(tk_log.count, 1); /* the handshake's ticket, read with the data */

    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_tickets_sent(p.client, &sent), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CLIENT_MODE");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_tickets_sent(p.server, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_tickets_sent(NULL, &sent), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_add_new_tickets_to_send(NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_initial_ticket_count(NULL, 1), S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);

    /* A server connection that has not negotiated yet has sent nothing. */
    struct s2n_connection *fresh = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(fresh);
    EXPECT_SUCCESS(s2n_connection_set_config(fresh, server));
    EXPECT_SUCCESS(s2n_connection_get_tickets_sent(fresh, &sent));
    EXPECT_EQUAL(sent, 0);
    EXPECT_SUCCESS(s2n_connection_add_new_tickets_to_send(fresh, 3));
    EXPECT_SUCCESS(s2n_connection_get_tickets_sent(fresh, &sent));
    EXPECT_EQUAL(sent, 0);
    s2n_connection_free(fresh);

    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_counts", 120);
    test_tls13_counts();
    test_tls12_counts();
    test_count_turns_tickets_on();
    test_after_handshake_and_errors();
    return rs2n_test_finish();
}
