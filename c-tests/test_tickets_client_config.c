/*
 * Client sessions do not belong to the client config that got them,
 * TLS1.3 and TLS1.2.
 *
 * In s2n-tls a session is the bytes s2n_connection_get_session returns (or
 * the ticket callback gets): s2n_connection_set_session takes them on any
 * client connection, whatever its config, and the client offers them. Client
 * applications rely on that when they make a new config (a reload of their
 * settings, a config per connection or per thread) or change a setting of the
 * one they have: sessions saved before must keep resuming. The rs2n header
 * says sessions resume "in the process that obtained them", nothing about the
 * config.
 *
 * Each case: a full handshake with client config A gives a session; then the
 * session is offered on a connection using:
 *   - config A itself (control);
 *   - config B, made the same way as A;
 *   - config B after A was freed (a reload);
 *   - config A after a setter was called on it with the value it already had
 *     (session ticket callback, wall clock, session tickets on, cipher
 *     preferences).
 * The client must offer the ticket (it is in its ClientHello) and resume.
 *
 * A documented difference from s2n-tls: rustls resumes a client session only
 * under the certificate verifier that accepted it, and rs2n keeps one verifier
 * per distinct trust settings; so after the trust store changes, a session from
 * before gives a full handshake (which must still succeed), never an error.
 *
 * Also: a client config with s2n_config_require_ticket_forward_secrecy neither
 * asks for TLS1.2 tickets (no session_ticket extension, as s2n's client) nor
 * gets one, while its TLS1.3 tickets still come and resume.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

#define KEY "client-cfg-key"

static struct rs2n_session get_session(struct s2n_config *server, struct s2n_config *client,
                                          int version)
{
    struct rs2n_conn r;
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake with config A", &r, &tk_log, version, 0, 1);
    return r.session;
}

static void expect_resumes(const char *what, struct s2n_config *server, struct s2n_config *client,
                           const struct rs2n_session *s, int version)
{
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.offer = s;
    struct rs2n_conn r;
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, &opts, &r);
    char label[160];
    snprintf(label, sizeof(label), "%s, %s", version == S2N_TLS13 ? "TLS1.3" : "TLS1.2", what);
    if (rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY) < 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the client did not offer the session's ticket", label);
    }
    RS2N_TK_CHECK(label, &r, &tk_log, version, 1, version == S2N_TLS13 ? 1 : 0);
}

static void test_configs(const char *policy, int version)
{
    printf("%s\n", version == S2N_TLS13 ? "TLS1.3" : "TLS1.2");
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY, "material of the client config tests", 0));
    struct s2n_config *a = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct s2n_config *b = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_session s;

    s = get_session(server, a, version);
    expect_resumes("config A (control)", server, a, &s, version);

    s = get_session(server, a, version);
    expect_resumes("config B, made like A", server, b, &s, version);

    s = get_session(server, a, version);
    EXPECT_SUCCESS(s2n_config_set_session_ticket_cb(a, rs2n_tk_ticket_cb, &tk_log));
    expect_resumes("config A after s2n_config_set_session_ticket_cb (same callback)", server, a, &s,
                   version);

    s = get_session(server, a, version);
    EXPECT_SUCCESS(s2n_config_set_wall_clock(a, rs2n_fake_clock_fn, &tk_clock));
    expect_resumes("config A after s2n_config_set_wall_clock (same clock)", server, a, &s, version);

    s = get_session(server, a, version);
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(a, 1));
    expect_resumes("config A after s2n_config_set_session_tickets_onoff(1) (already on)", server, a,
                   &s, version);

    s = get_session(server, a, version);
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(a, policy));
    expect_resumes("config A after s2n_config_set_cipher_preferences (same policy)", server, a, &s,
                   version);

    /* A reload: the old config freed, a new one made the same way. */
    s = get_session(server, a, version);
    s2n_config_free(a);
    struct s2n_config *reloaded = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    expect_resumes("a new config after the old one was freed", server, reloaded, &s, version);

    /* Other trust settings: a full handshake, not an error (documented). */
    s = get_session(server, reloaded, version);
    char *other_ca = rs2n_read_cert("other_ca_cert.pem");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(reloaded, other_ca));
    free(other_ca);
    {
        struct rs2n_connect_opts opts;
        memset(&opts, 0, sizeof(opts));
        opts.offer = &s;
        struct rs2n_conn r;
        rs2n_tk_log_reset(&tk_log);
        rs2n_connect(server, reloaded, &opts, &r);
        RS2N_TK_CHECK("config after adding another CA: full handshake", &r, &tk_log, version, 0, 1);
    }

    s2n_config_free(reloaded);
    s2n_config_free(b);
    s2n_config_free(server);
}

/* Whether the client's first flight (one record) offers the session_ticket extension. */
static int offers_ticket_extension(const struct rs2n_conn *r)
{
    REQUIRE(r->client_hello_len > 5);
    struct s2n_client_hello *ch =
        s2n_client_hello_parse_message(r->client_hello + 5, (uint32_t) (r->client_hello_len - 5));
    REQUIRE(ch != NULL);
    bool exists = true;
    EXPECT_SUCCESS(s2n_client_hello_has_extension(ch, 35 /* session_ticket */, &exists));
    EXPECT_SUCCESS(s2n_client_hello_free(&ch));
    return exists;
}

static void test_forward_secrecy(const char *policy, int version)
{
    printf("%s, client requiring ticket forward secrecy\n",
           version == S2N_TLS13 ? "TLS1.3" : "TLS1.2");
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY, "material of the client config tests", 0));
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    /* Control: without the flag, the client asks for a TLS1.2 ticket (both
     * policies allow TLS1.2) and gets a ticket. */
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, NULL, &r);
    RS2N_TK_CHECK("without the flag", &r, &tk_log, version, 0, 1);
    EXPECT_TRUE(offers_ticket_extension(&r));

    EXPECT_SUCCESS(s2n_config_require_ticket_forward_secrecy(client, true));
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, NULL, &r);
    EXPECT_FALSE(offers_ticket_extension(&r));
    if (version == S2N_TLS12) {
        /* Not asked, none sent, none reported. */
        RS2N_TK_CHECK("TLS1.2 with the flag: no ticket", &r, &tk_log, version, 0, 0);
        EXPECT_EQUAL(tk_log.count, 0);
        EXPECT_EQUAL(r.lifetime_hint, -1);
    } else {
        /* TLS1.3 resumption is forward secret ((EC)DHE): tickets come and resume. */
        RS2N_TK_CHECK("TLS1.3 with the flag: a ticket", &r, &tk_log, version, 0, 1);
        struct rs2n_session s = r.session;
        struct rs2n_connect_opts opts;
        memset(&opts, 0, sizeof(opts));
        opts.offer = &s;
        rs2n_tk_log_reset(&tk_log);
        rs2n_connect(server, client, &opts, &r);
        RS2N_TK_CHECK("TLS1.3 with the flag: resumes", &r, &tk_log, version, 1, 1);
    }
    s2n_config_free(client);
    s2n_config_free(server);
}

int main(void)
{
    rs2n_test_begin("test_tickets_client_config", 60);
    test_configs("default_tls13", S2N_TLS13);
    test_configs("20240501", S2N_TLS12);
    test_forward_secrecy("default_tls13", S2N_TLS13);
    test_forward_secrecy("20240501", S2N_TLS12);
    return rs2n_test_finish();
}
