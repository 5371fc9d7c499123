/*
 * s2n_connection_get_session after a TLS1.2 full handshake with a server that
 * cannot resume (no tickets, no session it keeps).
 *
 * s2n-tls's client returns a session-ID session (no ticket) exactly when the
 * ServerHello carried a session ID (s2n_server_hello.c keeps the server's ID;
 * s2n_connection_get_session_length is 0 with neither a ticket nor an ID).
 * rs2n's client does the same, from what rustls keeps:
 *   - a server that sends a session ID and keeps nothing (s2n-tls's server
 *     without a cache always sends one; here an rs2n server whose cache store
 *     fails): the client has a session-ID session (no ticket; the ID first,
 *     as s2n-tls lays it out);
 *     s2n_connection_set_session accepts it, the client offers the ID, and the
 *     next handshake is a full one that succeeds;
 *   - a server that sends an empty session ID (rustls and rs2n without tickets
 *     or a cache, OpenSSL with its cache off): no session (0), as s2n-tls's
 *     client gives.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };

#define POLICY "20240501" /* TLS1.2 */

static void test_server_sends_an_id_it_does_not_keep(void)
{
    printf("a session ID the server does not keep\n");
    struct rs2n_test_cache cache;
    rs2n_test_cache_init(&cache, &tk_clock);
    cache.store_rc = 1; /* keeps nothing */
    struct s2n_config *server = rs2n_cache_server_config(POLICY, &cache, &tk_clock);
    struct s2n_config *client = rs2n_resume_client_config(POLICY, &tk_clock, 0, NULL);

    struct rs2n_conn r;
    rs2n_connect(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake", &r, NULL, S2N_TLS12, 0, 0);
    EXPECT_EQUAL(r.session_id_len, 32);
    EXPECT_TRUE(cache.stores >= 1);
    EXPECT_EQUAL(rs2n_test_cache_size(&cache), 0);
    /* The session state, without a ticket: kind 0 (with a session ID), the
     * ID, s2n-tls's state (12), rs2n's reference (77). */
    EXPECT_EQUAL(r.session_len_before_recv, 2 + 32 + 12 + 77);
    EXPECT_EQUAL(r.session.len, 2 + 32 + 12 + 77);
    EXPECT_EQUAL(r.session.data[0], 0);
    EXPECT_EQUAL(r.session.data[1], 32);
    EXPECT_TRUE(memcmp(r.session.data + 2, r.session_id, 32) == 0);
    EXPECT_EQUAL(r.lifetime_hint, -1);

    /* Offered: accepted, the ID offered, a full handshake. */
    struct rs2n_session s = r.session;
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.offer = &s;
    rs2n_connect(server, client, &opts, &r);
    EXPECT_EQUAL(r.set_session_rc, 0);
    RS2N_TK_CHECK("the session offered", &r, NULL, S2N_TLS12, 0, 0);
    EXPECT_TRUE(cache.retrieves >= 1);
    EXPECT_EQUAL(cache.hits, 0);
    EXPECT_EQUAL(r.session.len, 2 + 32 + 12 + 77);

    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(&cache);
}

static void test_server_sends_no_id(void)
{
    printf("no session ID, no ticket\n");
    struct s2n_config *server = rs2n_resume_server_config(POLICY, &tk_clock, 0);
    struct s2n_config *client = rs2n_resume_client_config(POLICY, &tk_clock, 1, NULL);

    struct rs2n_conn r;
    rs2n_connect(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake", &r, NULL, S2N_TLS12, 0, 0);
    EXPECT_EQUAL(r.session_id_len, 0);
    /* Nothing to resume from: no session, as s2n-tls's client. */
    EXPECT_EQUAL(r.session_len_before_recv, 0);
    EXPECT_EQUAL(r.session.len, 0);

    s2n_config_free(client);
    s2n_config_free(server);
}

int main(void)
{
    rs2n_test_begin("test_session_state_no_resumption", 60);
    test_server_sends_an_id_it_does_not_keep();
    test_server_sends_no_id();
    return rs2n_test_finish();
}
