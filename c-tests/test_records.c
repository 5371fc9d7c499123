/*
 * Record sizes and the other record and buffer tuning calls, as an application
 * makes them (TLS1.3 over an in-memory pipe; a TLS1.3 record adds 22 bytes to
 * the wire: header, content type, tag, so the wire count tells the records):
 *   - by default 40000 bytes go in 3 records of up to 16 KiB;
 *     s2n_connection_prefer_low_latency: records of 1435 bytes (28);
 *     s2n_connection_prefer_throughput: 3 again;
 *     s2n_config_set_max_fragment_length(1000): 40; the connection's preference
 *     overrides it;
 *   - s2n_connection_set_dynamic_record_threshold(5000, 0): 4 small records then
 *     full ones (7 in all);
 *   - s2n_config_set_recv_multi_record: with the transport handing over 50 bytes
 *     at a time, s2n_recv returns after one record without it, fills the buffer
 *     from both records with it;
 *   - s2n_connection_request_key_update: the next send carries a KeyUpdate, the
 *     peer follows and answers; data flows both ways after it; TLS1.2 accepts it
 *     with nothing to do; S2N_KEY_UPDATE_REQUESTED and other values are refused;
 *   - the knobs accepted as documented (send buffer size, corked I/O only with a
 *     file descriptor, recv buffering, free_handshake, dynamic buffers, release
 *     buffers, the max fragment length extension, alert behavior, blinding delay)
 *     and their bad arguments, NULL included.
 */
#include "testlib.h"

#define DATA_LEN 40000
#define OVERHEAD 22

static uint8_t data[DATA_LEN];

static int open_pair(struct rs2n_pair *p, struct s2n_config *sc, struct s2n_config *cc)
{
    struct rs2n_pair_result res;
    rs2n_pair_open_mem(p, sc, cc, "localhost");
    if (rs2n_negotiate_pair(p->server, p->client, &res) != 0) {
        rs2n_print_pair_result("handshake", &res);
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
        return -1;
    }
    return 0;
}

/* Sends DATA_LEN bytes client -> server; returns the records they took. */
static long records_for(struct rs2n_pair *p)
{
    s2n_blocked_status blocked;
    uint64_t before = s2n_connection_get_wire_bytes_out(p->client);
    size_t sent = 0;
    while (sent < DATA_LEN) {
        ssize_t n = s2n_send(p->client, data + sent, (ssize_t) (DATA_LEN - sent), &blocked);
        if (n <= 0) {
            rs2n_print_s2n_error("s2n_send");
            rs2n_test_fail(__FILE__, __LINE__, "s2n_send failed");
            return -1;
        }
        sent += (size_t) n;
    }
    uint8_t buf[DATA_LEN];
    size_t got = 0;
    while (got < DATA_LEN) {
        ssize_t n = s2n_recv(p->server, buf, sizeof(buf), &blocked);
        if (n <= 0) {
            rs2n_test_fail(__FILE__, __LINE__, "s2n_recv failed");
            return -1;
        }
        got += (size_t) n;
    }
    uint64_t wire = s2n_connection_get_wire_bytes_out(p->client) - before - DATA_LEN;
    EXPECT_EQUAL(wire % OVERHEAD, 0);
    return (long) (wire / OVERHEAD);
}

static void test_sizes(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    if (open_pair(&p, sc, cc) == 0) {
        EXPECT_EQUAL(records_for(&p), 3);
        EXPECT_SUCCESS(s2n_connection_prefer_low_latency(p.client));
        EXPECT_EQUAL(records_for(&p), 28);
        EXPECT_SUCCESS(s2n_connection_prefer_throughput(p.client));
        EXPECT_EQUAL(records_for(&p), 3);
    }
    rs2n_pair_close(&p);

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_fragment_length(cc, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_fragment_length(cc, 16385), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_fragment_length(NULL, 1000), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_max_fragment_length(cc, 1000));
    if (open_pair(&p, sc, cc) == 0) {
        EXPECT_EQUAL(records_for(&p), 40);
        EXPECT_SUCCESS(s2n_connection_prefer_throughput(p.client));
        EXPECT_EQUAL(records_for(&p), 3);
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_set_max_fragment_length(cc, 16384));

    if (open_pair(&p, sc, cc) == 0) {
        EXPECT_FAILURE_WITH_TYPE(
            s2n_connection_set_dynamic_record_threshold(p.client, 8 * 1024 * 1024 + 1, 1),
            S2N_ERR_T_USAGE);
        EXPECT_SUCCESS(s2n_connection_set_dynamic_record_threshold(p.client, 5000, 0));
        /* 4 records of 1435 bytes pass the threshold, then 16 KiB records. */
        EXPECT_EQUAL(records_for(&p), 7);
        /* Past the threshold for good (no timeout): full records only. */
        EXPECT_EQUAL(records_for(&p), 3);
    }
    rs2n_pair_close(&p);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_prefer_low_latency(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_prefer_throughput(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_dynamic_record_threshold(NULL, 1, 1),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_multi_record(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    for (int multi = 0; multi < 2; multi++) {
        EXPECT_SUCCESS(s2n_config_set_recv_multi_record(sc, multi));
        struct rs2n_pair p;
        if (open_pair(&p, sc, cc) == 0) {
            s2n_blocked_status blocked;
            EXPECT_EQUAL(s2n_send(p.client, data, 100, &blocked), 100);
            EXPECT_EQUAL(s2n_send(p.client, data + 100, 100, &blocked), 100);
            p.pipe.a.max_io = 50; /* the server's transport hands over 50 bytes a call */
            uint8_t buf[200];
            EXPECT_EQUAL(s2n_recv(p.server, buf, sizeof(buf), &blocked), multi ? 200 : 100);
            EXPECT_EQUAL(memcmp(buf, data, multi ? 200 : 100), 0);
        }
        rs2n_pair_close(&p);
    }
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_recv_multi_record(NULL, true), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_key_update(const char *policy, int tls13)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", policy);
    struct rs2n_pair p;
    if (open_pair(&p, sc, cc) == 0) {
        s2n_blocked_status blocked;
        uint8_t buf[16];
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_request_key_update(p.client, S2N_KEY_UPDATE_REQUESTED),
                                 S2N_ERR_T_USAGE);
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_request_key_update(p.client, 7), S2N_ERR_T_USAGE);
        EXPECT_FAILURE_WITH_TYPE(s2n_connection_request_key_update(NULL, S2N_KEY_UPDATE_NOT_REQUESTED),
                                 S2N_ERR_T_USAGE);
        EXPECT_SUCCESS(s2n_connection_request_key_update(p.client, S2N_KEY_UPDATE_NOT_REQUESTED));
        uint64_t before = s2n_connection_get_wire_bytes_out(p.client);
        EXPECT_EQUAL(s2n_send(p.client, "hi", 2, &blocked), 2);
        uint64_t wire = s2n_connection_get_wire_bytes_out(p.client) - before;
        /* TLS1.3: a KeyUpdate record (22 + 5 bytes) before the data's (22 + 2). */
        EXPECT_EQUAL(wire, tls13 ? 27 + 24 : 2 + 5 + 8 + 16);
        for (int i = 0; i < 3; i++) {
            if (s2n_recv(p.server, buf, sizeof(buf), &blocked) == 2) {
                break;
            }
        }
        EXPECT_EQUAL(memcmp(buf, "hi", 2), 0);
        /* The server answers (under new keys of its own) and the client reads it. */
        EXPECT_EQUAL(s2n_send(p.server, "ho", 2, &blocked), 2);
        ssize_t n = -1;
        for (int i = 0; i < 5 && n != 2; i++) {
            n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 2);
        EXPECT_EQUAL(memcmp(buf, "ho", 2), 0);
        EXPECT_SUCCESS(rs2n_shutdown_pair(p.server, p.client));
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

static void test_knobs(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");

    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_send_buffer_size(cc, 1033), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_send_buffer_size(NULL, 4096), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_send_buffer_size(cc, 1034));
    EXPECT_SUCCESS(s2n_config_set_send_buffer_size(cc, 64 * 1024));
    /* 0 asks for nothing (s2n's default; s2n's tools pass it); a request is refused:
     * rustls cannot send the extension. */
    EXPECT_SUCCESS(s2n_config_send_max_fragment_length(cc, 0));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_send_max_fragment_length(cc, 5), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_send_max_fragment_length(NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_send_max_fragment_length(cc, S2N_TLS_MAX_FRAG_LEN_512),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_UNIMPLEMENTED");
    EXPECT_NOT_NULL(strstr(s2n_strerror_debug(s2n_errno, "EN"), "not supported"));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_send_max_fragment_length(cc, S2N_TLS_MAX_FRAG_LEN_4096),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_accept_max_fragment_length(sc));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_accept_max_fragment_length(NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_alert_behavior(cc, S2N_ALERT_IGNORE_WARNINGS));
    EXPECT_SUCCESS(s2n_config_set_alert_behavior(cc, S2N_ALERT_FAIL_ON_WARNINGS));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_alert_behavior(cc, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_alert_behavior(NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_max_blinding_delay(sc, 0));
    EXPECT_SUCCESS(s2n_config_set_max_blinding_delay(sc, 30));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_max_blinding_delay(NULL, 30), S2N_ERR_T_USAGE);

    /* Corked I/O needs a file descriptor, not a send callback. */
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, sc, cc, "localhost");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_use_corked_io(p.client), S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_use_corked_io(NULL), S2N_ERR_T_USAGE);

    /* A handshake with all of them set works, over sockets with a corked client. */
    rs2n_pair_open(&p, sc, cc, "localhost", 1);
    EXPECT_SUCCESS(s2n_connection_use_corked_io(p.client));
    EXPECT_SUCCESS(s2n_connection_set_recv_buffering(p.server, true));
    EXPECT_SUCCESS(s2n_connection_set_dynamic_buffers(p.server, true));
    EXPECT_SUCCESS(s2n_connection_set_dynamic_buffers(p.client, false));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(p.server, p.client, &res) == 0) {
        s2n_blocked_status blocked;
        EXPECT_SUCCESS(s2n_connection_free_handshake(p.server));
        EXPECT_SUCCESS(s2n_connection_free_handshake(p.client));
        EXPECT_EQUAL(s2n_send(p.client, "ok", 2, &blocked), 2);
        uint8_t buf[8];
        ssize_t n = -1;
        for (int i = 0; i < 1000 && n != 2; i++) {
            n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 2);
        EXPECT_SUCCESS(s2n_connection_release_buffers(p.server));
        EXPECT_SUCCESS(s2n_connection_release_buffers(p.client));
        /* Released buffers come back when needed. */
        EXPECT_EQUAL(s2n_send(p.server, "ko", 2, &blocked), 2);
        n = -1;
        for (int i = 0; i < 1000 && n != 2; i++) {
            n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
        }
        EXPECT_EQUAL(n, 2);
        EXPECT_SUCCESS(rs2n_shutdown_pair(p.server, p.client));
    } else {
        rs2n_print_pair_result("knobs", &res);
        rs2n_test_fail(__FILE__, __LINE__, "handshake failed");
    }
    rs2n_pair_close(&p);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_recv_buffering(NULL, true), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_dynamic_buffers(NULL, true), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_free_handshake(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_release_buffers(NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
}

int main(void)
{
    rs2n_test_begin("test_records", 60);
    for (size_t i = 0; i < DATA_LEN; i++) {
        data[i] = (uint8_t) (i * 7 + 3);
    }
    test_sizes();
    test_multi_record();
    test_key_update("default_tls13", 1);
    test_key_update("20240501", 0);
    test_knobs();
    return rs2n_test_finish();
}
