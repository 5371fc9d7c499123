/*
 * The client's session ticket callback, TLS1.3 and TLS1.2:
 *   - it gets the client connection and the ctx it was set with; the ticket's
 *     s2n_session_ticket_get_data_len / _get_data / _get_lifetime work, a
 *     buffer one byte short fails with S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG
 *     (S2N_ERR_T_USAGE), NULL arguments fail;
 *   - its return value: s2n-tls accepts any value >= S2N_SUCCESS
 *     (tls/s2n_server_new_session_ticket.c: `session_ticket_cb(...) >=
 *     S2N_SUCCESS`, else S2N_ERR_CANCELLED); a negative value fails the call
 *     that read the ticket (TLS1.3: s2n_recv; TLS1.2: s2n_negotiate) with
 *     S2N_ERR_CANCELLED, an S2N_ERR_T_PROTO error in s2n-tls.
 *   - s2n_config_set_session_ticket_cb with a NULL callback unsets it (as in
 *     s2n-tls); with a NULL config it fails.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };

struct cb_state {
    int ret;                     /* what the callback returns */
    struct s2n_connection *expected_conn;
    unsigned calls;
    unsigned wrong_conn;
    unsigned errors;             /* checks inside the callback that failed */
    size_t len;
    uint32_t lifetime;
};

static int ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    struct cb_state *st = ctx;
    st->calls++;
    if (conn != st->expected_conn) {
        st->wrong_conn++;
    }
    size_t len = 0;
    uint8_t data[RS2N_SESSION_MAX];
    if (s2n_session_ticket_get_data_len(ticket, &len) != S2N_SUCCESS || len == 0 || len > sizeof(data)) {
        st->errors++;
        return st->ret;
    }
    st->len = len;
    s2n_errno = S2N_ERR_T_OK;
    if (s2n_session_ticket_get_data(ticket, len - 1, data) != -1 ||
        s2n_error_get_type(s2n_errno) != S2N_ERR_T_USAGE ||
        strcmp(s2n_strerror_name(s2n_errno), "S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG") != 0) {
        fprintf(stderr, "callback: get_data into a buffer one byte short: %s\n",
                s2n_strerror_name(s2n_errno));
        st->errors++;
    }
    if (s2n_session_ticket_get_data(ticket, len, data) != S2N_SUCCESS) {
        st->errors++;
    }
    if (s2n_session_ticket_get_data(ticket, len, NULL) != -1 ||
        s2n_session_ticket_get_data(NULL, len, data) != -1 ||
        s2n_session_ticket_get_data_len(ticket, NULL) != -1 ||
        s2n_session_ticket_get_data_len(NULL, &len) != -1 ||
        s2n_session_ticket_get_lifetime(ticket, NULL) != -1 ||
        s2n_session_ticket_get_lifetime(NULL, &st->lifetime) != -1) {
        fprintf(stderr, "callback: a NULL argument was accepted\n");
        st->errors++;
    }
    if (s2n_session_ticket_get_lifetime(ticket, &st->lifetime) != S2N_SUCCESS || st->lifetime == 0) {
        st->errors++;
    }
    return st->ret;
}

/* One handshake with the callback returning `ret`; returns 0 if the ticket
 * was read without error. Reports the error of the failing call in *err. */
static int run(const char *policy, int version, int ret, struct cb_state *st, int *err)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "cb-key", "material of the callback key", 0));
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, NULL);
    memset(st, 0, sizeof(*st));
    st->ret = ret;
    REQUIRE_SUCCESS(s2n_config_set_session_ticket_cb(client, ticket_cb, st));

    struct rs2n_pair p;
    rs2n_pair_open(&p, server, client, "localhost", 1);
    st->expected_conn = p.client;
    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    *err = 0;
    if (rc != 0) {
        *err = res.client.err;
        if (version == S2N_TLS13 || ret >= 0) {
            rs2n_print_pair_result("handshake", &res);
        }
    } else {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(p.client), version);
        uint8_t buf[16];
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
        if (!(n == -1 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED)) {
            rc = -1;
            *err = s2n_errno;
        }
    }
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
    return rc;
}

static void test_callback(const char *policy, int version)
{
    const char *v = version == S2N_TLS13 ? "TLS1.3" : "TLS1.2";
    struct cb_state st;
    int err = 0;

    printf("%s: callback returning 0\n", v);
    EXPECT_EQUAL(run(policy, version, 0, &st, &err), 0);
    EXPECT_EQUAL(st.calls, 1);
    EXPECT_EQUAL(st.wrong_conn, 0);
    EXPECT_EQUAL(st.errors, 0);
    EXPECT_TRUE(st.len > 0);
    EXPECT_EQUAL(st.lifetime, 15 * 3600);

    printf("%s: callback returning -1\n", v);
    EXPECT_EQUAL(run(policy, version, -1, &st, &err), -1);
    EXPECT_EQUAL(st.calls, 1);
    EXPECT_STRING_EQUAL(s2n_strerror_name(err), "S2N_ERR_CANCELLED");
    /* s2n-tls's error table puts S2N_ERR_CANCELLED among the S2N_ERR_T_PROTO
     * errors (error/s2n_errno.h). */
    if (s2n_error_get_type(err) != S2N_ERR_T_PROTO) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_error_get_type(S2N_ERR_CANCELLED) is %s, s2n-tls's is S2N_ERR_T_PROTO",
                       v, rs2n_error_type_name(s2n_error_get_type(err)));
    }

    printf("%s: callback returning 1\n", v);
    int rc = run(policy, version, 1, &st, &err);
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "%s: a session ticket callback returning 1 failed the connection with %s; "
                       "s2n-tls accepts any return value >= S2N_SUCCESS",
                       v, s2n_strerror_name(err));
    }
    EXPECT_EQUAL(st.calls, 1);
}

int main(void)
{
    rs2n_test_begin("test_tickets_callback", 60);
    test_callback("default_tls13", S2N_TLS13);
    test_callback("20240501", S2N_TLS12);

    /* s2n-tls (tls/s2n_resume.c) takes a NULL callback: it unsets the
     * callback. Tickets then still arrive (s2n_connection_get_session) and
     * nothing is called. */
    printf("unsetting the callback with NULL\n");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_session_ticket_cb(NULL, ticket_cb, NULL), S2N_ERR_T_USAGE);
    struct s2n_config *server = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "cb-key", "material of the callback key", 0));
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, NULL);
    struct cb_state st;
    memset(&st, 0, sizeof(st));
    EXPECT_SUCCESS(s2n_config_set_session_ticket_cb(client, ticket_cb, &st));
    EXPECT_SUCCESS(s2n_config_set_session_ticket_cb(client, NULL, NULL));
    struct rs2n_conn r;
    rs2n_connect(server, client, NULL, &r);
    RS2N_TK_CHECK("callback unset", &r, NULL, S2N_TLS13, 0, 1);
    EXPECT_EQUAL(st.calls, 0);
    s2n_config_free(server);
    s2n_config_free(client);
    return rs2n_test_finish();
}
