/* testlib/early.c: see early.h. */
#include "testlib.h"

void rs2n_early_full_session(struct s2n_config *server, struct s2n_config *client, const char *ctx,
                             struct rs2n_session *out)
{
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    if (ctx) {
        EXPECT_SUCCESS(s2n_connection_set_server_early_data_context(p.server, (const uint8_t *) ctx,
                                                                    (uint16_t) strlen(ctx)));
    }
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, NULL) == 0);
    REQUIRE(rs2n_read_tickets(p.client) == 0);
    REQUIRE(rs2n_save_session(p.client, out) == 0 && out->len > 0);
    rs2n_pair_close(&p);
}

void rs2n_early_pair_open(struct rs2n_pair *p, struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *session)
{
    rs2n_pair_open_mem(p, server, client, "localhost");
    REQUIRE(rs2n_offer_session(p->client, session) == 0);
}

ssize_t rs2n_send_early(struct s2n_connection *client, const char *data)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    ssize_t total = 0, len = (ssize_t) strlen(data);
    while (total < len) {
        ssize_t sent = 0;
        int r = s2n_send_early_data(client, (const uint8_t *) data + total, len - total, &sent,
                                    &blocked);
        total += sent;
        if (r == S2N_SUCCESS) {
            break;
        }
        REQUIRE(s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED);
    }
    return total;
}

int rs2n_recv_early_round(struct s2n_connection *server, struct s2n_connection *client,
                          uint8_t *buf, ssize_t size, ssize_t *total, s2n_blocked_status *blocked)
{
    s2n_blocked_status cblocked = S2N_NOT_BLOCKED;
    (void) s2n_negotiate(client, &cblocked);
    ssize_t got = 0;
    int r = s2n_recv_early_data(server, buf + *total, size - *total, &got, blocked);
    *total += got;
    return r;
}

ssize_t rs2n_recv_early(struct s2n_connection *server, struct s2n_connection *client, uint8_t *buf,
                        ssize_t size)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    ssize_t total = 0;
    for (int i = 0; i < 100; i++) {
        if (rs2n_recv_early_round(server, client, buf, size, &total, &blocked) == S2N_SUCCESS) {
            return total;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_print_s2n_error("s2n_recv_early_data");
            return -1;
        }
    }
    return -1;
}

int rs2n_early_status(struct s2n_connection *conn)
{
    s2n_early_data_status_t status = -1;
    EXPECT_SUCCESS(s2n_connection_get_early_data_status(conn, &status));
    return (int) status;
}

uint32_t rs2n_early_max(struct s2n_connection *conn)
{
    uint32_t n = 12345;
    EXPECT_SUCCESS(s2n_connection_get_max_early_data_size(conn, &n));
    return n;
}

uint32_t rs2n_early_remaining(struct s2n_connection *conn)
{
    uint32_t n = 12345;
    EXPECT_SUCCESS(s2n_connection_get_remaining_early_data_size(conn, &n));
    return n;
}
