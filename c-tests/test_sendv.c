/*
 * s2n_sendv and s2n_sendv_with_offset, as s2n's examples/s2n_send.c uses them:
 *   - 3 MiB in five buffers (one empty) over non-blocking sockets, TLS1.3 and
 *     TLS1.2: partial writes advance the offset, a blocked call is retried with
 *     the same offset once the peer has read; every byte arrives in order;
 *   - s2n_sendv sends a whole small vector; count 0 sends nothing;
 *   - bad arguments: NULL conn, blocked or bufs (with count > 0), a NULL buffer
 *     with a length, a negative count or offset, an offset past the data
 *     (S2N_ERR_INVALID_ARGUMENT), before the handshake;
 *   - s2n_peek_buffered: 0 for NULL and for a connection with nothing held.
 */
#include "testlib.h"

#include <sys/uio.h>

#define PART (600 * 1024 + 7)

static uint8_t expected(size_t i)
{
    return (uint8_t) ((i * 31 + i / 251) & 0xff);
}

/* Reads what the server has; checks it against the expected stream. */
static void drain(struct s2n_connection *server, size_t *got)
{
    uint8_t buf[16384];
    s2n_blocked_status blocked;
    for (;;) {
        ssize_t n = s2n_recv(server, buf, sizeof(buf), &blocked);
        if (n <= 0) {
            if (n < 0) {
                EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
            }
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != expected(*got + (size_t) i)) {
                rs2n_test_fail(__FILE__, __LINE__, "byte %zu differs", *got + (size_t) i);
                return;
            }
        }
        *got += (size_t) n;
    }
}

static void check_stream(struct s2n_config *sc, struct s2n_config *cc, const char *label)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_print_pair_result(label, &res);
        rs2n_test_fail(__FILE__, __LINE__, "%s: handshake failed", label);
        rs2n_pair_close(&p);
        return;
    }
    size_t sizes[5] = { PART, 0, 1, PART * 2, PART + 100 };
    struct iovec iov[5];
    size_t total = 0;
    for (int i = 0; i < 5; i++) {
        uint8_t *b = malloc(sizes[i] ? sizes[i] : 1);
        REQUIRE_NOT_NULL(b);
        for (size_t j = 0; j < sizes[i]; j++) {
            b[j] = expected(total + j);
        }
        iov[i].iov_base = b;
        iov[i].iov_len = sizes[i];
        total += sizes[i];
    }
    size_t offs = 0, got = 0;
    unsigned long partial = 0, blocked_calls = 0;
    s2n_blocked_status blocked;
    while (offs < total && rs2n_test_failures == 0) {
        ssize_t n = s2n_sendv_with_offset(p.client, iov, 5, (ssize_t) offs, &blocked);
        if (n < 0) {
            EXPECT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
            EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_WRITE);
            blocked_calls++;
        } else {
            if ((size_t) n < total - offs) {
                partial++;
            }
            offs += (size_t) n;
        }
        drain(p.server, &got);
    }
    while (got < total && rs2n_test_failures == 0) {
        drain(p.server, &got);
    }
    EXPECT_EQUAL(offs, total);
    EXPECT_EQUAL(got, total);
    /* The socket buffers are far smaller than 3 MiB. */
    EXPECT_TRUE(partial + blocked_calls > 0);
    printf("%s: %zu bytes in %lu partial and %lu blocked calls\n", label, total, partial,
           blocked_calls);
    for (int i = 0; i < 5; i++) {
        free(iov[i].iov_base);
    }
    rs2n_pair_close(&p);
}

static void check_small_and_bad(struct s2n_config *sc, struct s2n_config *cc)
{
    struct rs2n_pair p;
    s2n_blocked_status blocked;
    char a[] = "vec", b[] = "tored";
    struct iovec iov[2] = { { a, 3 }, { b, 5 } };
    struct iovec null_base[1] = { { NULL, 4 } };

    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(p.client, iov, 2, &blocked), S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);

    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, "localhost", &res) != 0) {
        rs2n_print_pair_result("small", &res);
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
        rs2n_pair_close(&p);
        return;
    }
    EXPECT_EQUAL(s2n_sendv(p.client, iov, 2, &blocked), 8);
    EXPECT_EQUAL(s2n_sendv_with_offset(p.client, iov, 2, 5, &blocked), 3);
    EXPECT_EQUAL(s2n_sendv(p.client, iov, 0, &blocked), 0);
    EXPECT_EQUAL(s2n_sendv(p.client, NULL, 0, &blocked), 0);
    uint8_t buf[32];
    size_t got = 0;
    for (int i = 0; i < 1000 && got < 11; i++) {
        ssize_t n = s2n_recv(p.server, buf + got, (ssize_t) (sizeof(buf) - got), &blocked);
        if (n > 0) {
            got += (size_t) n;
        }
    }
    EXPECT_EQUAL(got, 11);
    EXPECT_EQUAL(memcmp(buf, "vectoredred", 11), 0);
    EXPECT_EQUAL(s2n_peek_buffered(p.server), 0);
    EXPECT_EQUAL(s2n_peek_buffered(NULL), 0);

    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(NULL, iov, 2, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(p.client, iov, 2, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(p.client, NULL, 2, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(p.client, iov, -1, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv(p.client, null_base, 1, &blocked), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv_with_offset(p.client, iov, 2, -1, &blocked),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv_with_offset(p.client, iov, 2, 9, &blocked),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILURE_WITH_TYPE(s2n_sendv_with_offset(NULL, iov, 2, 0, &blocked), S2N_ERR_T_USAGE);
    /* After all that, the connection still works. */
    EXPECT_EQUAL(s2n_sendv_with_offset(p.client, iov, 2, 8, &blocked), 0);
    EXPECT_EQUAL(s2n_sendv(p.client, iov, 1, &blocked), 3);
    rs2n_pair_close(&p);
}

int main(void)
{
    rs2n_test_begin("test_sendv", 60);
    struct s2n_config *sc13 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc13 = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct s2n_config *sc12 = rs2n_server_config(RS2N_CERT_ECDSA_P256, "20240501");
    struct s2n_config *cc12 = rs2n_client_config("ca_cert.pem", "20240501");

    check_stream(sc13, cc13, "TLS1.3");
    check_stream(sc12, cc12, "TLS1.2");
    check_small_and_bad(sc13, cc13);

    EXPECT_SUCCESS(s2n_config_free(sc13));
    EXPECT_SUCCESS(s2n_config_free(cc13));
    EXPECT_SUCCESS(s2n_config_free(sc12));
    EXPECT_SUCCESS(s2n_config_free(cc12));
    return rs2n_test_finish();
}
