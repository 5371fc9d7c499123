/*
 * A TLS1.3 server's post-handshake flight of hundreds of session tickets, and
 * an rs2n client reading it:
 *   - 200 tickets (s2n_config_set_initial_ticket_count(config, 200)): the
 *     client completes, reads them all (s2n_recv until blocked), its session
 *     ticket callback runs 200 times, and the server's
 *     s2n_connection_get_tickets_sent says 200. (Catches tickets lost or
 *     miscounted on either side, or a client that fails on a large flight it
 *     can hold.)
 *   - 400 tickets (255 from the config + 145 from
 *     s2n_connection_add_new_tickets_to_send): more than the client's 64 KiB
 *     handshake buffer holds. The client fails as a protocol error
 *     (S2N_ERR_T_PROTO, not S2N_ERR_T_IO: the transport did nothing wrong),
 *     with a message naming the 64 KiB bound. (Catches the overflow surfacing
 *     as an I/O error, which tells the application to look at errno, or as a
 *     hang or a crash.)
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static struct s2n_config *flight_server(uint8_t initial)
{
    struct s2n_config *server = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "flight-key", "material of the flight key", 0));
    REQUIRE_SUCCESS(s2n_config_set_initial_ticket_count(server, initial));
    return server;
}

static void test_200_tickets(struct s2n_config *client)
{
    printf("200 tickets:\n");
    struct s2n_config *server = flight_server(200);
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.close = RS2N_CLOSE_GRACEFUL;
    struct rs2n_conn r;
    rs2n_tk_log_reset(&tk_log);
    int rc = rs2n_connect(server, client, &opts, &r);
    if (rc != 0) {
        rs2n_print_pair_result("200 tickets", &r.res);
    }
    EXPECT_EQUAL(rc, 0);
    EXPECT_EQUAL(r.version, S2N_TLS13);
    EXPECT_TRUE(r.recv_ok);   /* s2n_recv read the flight and blocked on read */
    EXPECT_TRUE(r.after_ok);
    EXPECT_EQUAL(r.tickets_sent, 200);
    EXPECT_EQUAL(tk_log.count, 200);
    EXPECT_EQUAL(tk_log.errors, 0);
    printf("  server sent %d, client callback ran %u times\n", r.tickets_sent, tk_log.count);
    /* The last ticket resumes: the flight was read whole and intact. */
    EXPECT_TRUE(r.session.len > 0);
    struct rs2n_conn again;
    memset(&opts, 0, sizeof(opts));
    opts.offer = &r.session;
    opts.close = RS2N_CLOSE_GRACEFUL;
    EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 1));
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, &opts, &again);
    RS2N_TK_CHECK("the last of 200 tickets resumes", &again, &tk_log, S2N_TLS13, 1, 1);
    s2n_config_free(server);
}

static void test_400_tickets(struct s2n_config *client)
{
    printf("400 tickets:\n");
    struct s2n_config *server = flight_server(255);
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_SUCCESS(s2n_connection_add_new_tickets_to_send(p.server, 145));
    rs2n_tk_log_reset(&tk_log);

    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    /* The server's side always completes; the client may fail already in
     * s2n_negotiate (if it reads the tickets there) or later in s2n_recv. */
    EXPECT_EQUAL(res.server.rc, 0);
    struct rs2n_side_result r = res.client;
    if (rc == 0) {
        uint16_t sent = 0;
        EXPECT_SUCCESS(s2n_connection_get_tickets_sent(p.server, &sent));
        printf("  server says it sent %u tickets\n", (unsigned) sent);
        EXPECT_EQUAL(sent, 400);
        memset(&r, 0, sizeof(r));
        uint8_t buf[64];
        for (int i = 0; i < 1000; i++) {
            s2n_blocked_status blocked = S2N_NOT_BLOCKED;
            s2n_errno = S2N_ERR_T_OK;
            ssize_t n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
            r.calls++;
            if (n >= 0) {
                r.rc = (int) n;
                break;
            }
            r.rc = -1;
            rs2n_record_error(&r);
            if (r.type != S2N_ERR_T_BLOCKED) {
                break;
            }
            if (rs2n_mem_queue_pending(&p.pipe.a_to_b) == 0) {
                break; /* blocked with nothing left to read */
            }
        }
    }
    printf("  client: rc %d, %s (%s): %s; callback ran %u times\n", r.rc,
           rs2n_error_type_name(r.type), r.name, r.msg, tk_log.count);
    EXPECT_EQUAL(r.rc, -1);
    EXPECT_EQUAL(r.type, S2N_ERR_T_PROTO);
    EXPECT_NOT_EQUAL(r.type, S2N_ERR_T_IO);
    EXPECT_TRUE(strstr(r.msg, "64 KiB") != NULL);
    /* The connection stays failed with the same class. */
    s2n_blocked_status blocked;
    uint8_t b;
    EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.client, &b, 1, &blocked), S2N_ERR_T_PROTO);
    rs2n_pair_close(&p);
    s2n_config_free(server);
}

int main(void)
{
    rs2n_test_begin("test_ticket_flight", 120);
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    test_200_tickets(client);
    test_400_tickets(client);
    s2n_config_free(client);
    return rs2n_test_finish();
}
