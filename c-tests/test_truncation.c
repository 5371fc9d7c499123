/*
 * How s2n_recv ends, as s2n documents it (TLS1.3 and TLS1.2, over sockets):
 *   - the peer sends data, then close_notify (s2n_shutdown_send): the data, then
 *     0, and 0 again;
 *   - the peer sends data, then closes its socket without close_notify (a
 *     possible truncation attack): the data, then -1 with S2N_ERR_CLOSED
 *     (S2N_ERR_T_CLOSED), on every later call too; s2n_shutdown then fails;
 *   - the same with s2n_config_set_recv_multi_record: the data already read is
 *     returned first, the error on the next call.
 * (That the abruptly closed session leaves the session cache is checked by
 * test_cache_delete.)
 */
#include "testlib.h"

#include <sys/socket.h>
#include <unistd.h>

/* s2n_recv until it does not block; returns its result. */
static ssize_t recv_unblocked(struct s2n_connection *conn, uint8_t *buf, ssize_t size)
{
    s2n_blocked_status blocked;
    for (int i = 0; i < 10000; i++) {
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(conn, buf, size, &blocked);
        if (n >= 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            return n;
        }
        usleep(100);
    }
    return -2;
}

static void check_end(struct s2n_config *sc, struct s2n_config *cc, const char *label,
                      int graceful, int multi)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_print_pair_result(label, &res);
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    s2n_blocked_status blocked;
    EXPECT_EQUAL(s2n_send(p.client, "last words", 10, &blocked), 10);
    if (graceful) {
        EXPECT_SUCCESS(s2n_shutdown_send(p.client, &blocked));
    }
    rs2n_close(&p.client_fd);

    uint8_t buf[64];
    ssize_t n = recv_unblocked(p.server, buf, multi ? (ssize_t) sizeof(buf) : 10);
    EXPECT_EQUAL(n, 10);
    EXPECT_EQUAL(memcmp(buf, "last words", 10), 0);
    for (int i = 0; i < 2; i++) {
        n = recv_unblocked(p.server, buf, sizeof(buf));
        if (graceful) {
            EXPECT_EQUAL(n, 0);
        } else {
            EXPECT_EQUAL(n, -1);
            EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_CLOSED);
            EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CLOSED");
        }
    }
    if (!graceful) {
        /* No close_notify will ever come: a graceful close cannot complete. */
        EXPECT_EQUAL(s2n_shutdown(p.server, &blocked), S2N_FAILURE);
    }
    printf("%s, %s%s: ok\n", label, graceful ? "close_notify" : "abrupt close",
           multi ? ", multi-record" : "");
    rs2n_pair_close(&p);
}

int main(void)
{
    rs2n_test_begin("test_truncation", 60);
    struct s2n_config *sc13 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc13 = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct s2n_config *sc12 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *cc12 = rs2n_client_config("ca_cert.pem", "20240501");

    for (int graceful = 0; graceful < 2; graceful++) {
        check_end(sc13, cc13, "TLS1.3", graceful, 0);
        check_end(sc12, cc12, "TLS1.2", graceful, 0);
    }
    EXPECT_SUCCESS(s2n_config_set_recv_multi_record(sc13, true));
    EXPECT_SUCCESS(s2n_config_set_recv_multi_record(sc12, true));
    for (int graceful = 0; graceful < 2; graceful++) {
        check_end(sc13, cc13, "TLS1.3", graceful, 1);
        check_end(sc12, cc12, "TLS1.2", graceful, 1);
    }

    EXPECT_SUCCESS(s2n_config_free(sc13));
    EXPECT_SUCCESS(s2n_config_free(cc13));
    EXPECT_SUCCESS(s2n_config_free(sc12));
    EXPECT_SUCCESS(s2n_config_free(cc12));
    return rs2n_test_finish();
}
