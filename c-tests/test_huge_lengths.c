/*
 * Lengths no buffer can have, as a careless caller passes them (a negative
 * value cast to size_t, SIZE_MAX, a garbage uint32_t): each is a usage error
 * that names what was wrong, before rs2n reads the buffer, and nothing is lost:
 *   - s2n_send and s2n_recv with (ssize_t) SIZE_MAX and SSIZE_MIN: refused, and
 *     the connection then carries data both ways;
 *   - s2n_config_add_ticket_crypto_key with name_len or key_len UINT32_MAX, and
 *     key_len just over rs2n's 64 KiB limit: refused (s2n's error names), and
 *     a good key is then added and resumes;
 *   - s2n_connection_set_session with SIZE_MAX, SSIZE_MAX + 1 and 43 bytes:
 *     refused, then the real session is offered and resumes; a huge max_length
 *     for s2n_connection_get_session is only an upper bound.
 */
#include "testlib.h"

#include <limits.h>
#include <stdint.h>

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };

#define EXPECT_USAGE_NAMED(call, err_name)                                        \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), (err_name));            \
        printf("  %-60s %s: %s\n", #call, s2n_strerror_name(s2n_errno),           \
               s2n_strerror_debug(s2n_errno, "EN"));                              \
    } while (0)

static void test_send_recv(void)
{
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    REQUIRE(rs2n_pair_handshake(&p, server, client, "localhost", &res) == 0);

    uint8_t buf[64] = "hello";
    s2n_blocked_status blocked;
    EXPECT_USAGE_NAMED(s2n_send(p.client, buf, (ssize_t) SIZE_MAX, &blocked), "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_USAGE_NAMED(s2n_send(p.client, buf, (ssize_t) (-SSIZE_MAX - 1), &blocked),
                       "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_USAGE_NAMED(s2n_recv(p.server, buf, (ssize_t) SIZE_MAX, &blocked), "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_USAGE_NAMED(s2n_recv(p.server, buf, (ssize_t) (-SSIZE_MAX - 1), &blocked),
                       "S2N_ERR_INVALID_ARGUMENT");

    /* Both connections carry data afterwards. */
    EXPECT_EQUAL(s2n_send(p.client, "hello", 5, &blocked), 5);
    memset(buf, 0, sizeof(buf));
    EXPECT_EQUAL(s2n_recv(p.server, buf, sizeof(buf), &blocked), 5);
    EXPECT_TRUE(memcmp(buf, "hello", 5) == 0);
    EXPECT_EQUAL(s2n_send(p.server, "back", 4, &blocked), 4);
    EXPECT_EQUAL(s2n_recv(p.client, buf, sizeof(buf), &blocked), 4);
    EXPECT_TRUE(rs2n_shutdown_pair(p.server, p.client) == 0);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
}

static void test_ticket_keys_and_sessions(void)
{
    struct s2n_config *server = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, NULL);
    uint8_t key[32] = "thirty-two bytes of key material";
    const uint8_t *name = (const uint8_t *) "huge";

    EXPECT_USAGE_NAMED(s2n_config_add_ticket_crypto_key(server, name, UINT32_MAX, key, sizeof(key), 0),
                       "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    EXPECT_USAGE_NAMED(s2n_config_add_ticket_crypto_key(server, name, 4, key, UINT32_MAX, 0),
                       "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    EXPECT_USAGE_NAMED(s2n_config_add_ticket_crypto_key(server, name, 4, key, 0x80000000u, 0),
                       "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    EXPECT_USAGE_NAMED(s2n_config_add_ticket_crypto_key(server, name, 4, key, 64 * 1024 + 1, 0),
                       "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    /* Nothing was added: the same name is still free. */
    EXPECT_SUCCESS(s2n_config_add_ticket_crypto_key(server, name, 4, key, sizeof(key), 0));

    struct rs2n_conn c;
    REQUIRE(rs2n_connect(server, client, NULL, &c) == 0);
    REQUIRE(c.session.len > 0);
    struct rs2n_session session = c.session;

    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_USAGE_NAMED(s2n_connection_set_session(p.client, session.data, SIZE_MAX),
                       "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE");
    EXPECT_USAGE_NAMED(s2n_connection_set_session(p.client, session.data, (size_t) SSIZE_MAX + 1),
                       "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE");
    EXPECT_USAGE_NAMED(s2n_connection_set_session(p.client, session.data, (size_t) session.len + 1),
                       "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE");
    /* The connection is still usable: the real session is offered and resumes. */
    EXPECT_SUCCESS(s2n_connection_set_session(p.client, session.data, (size_t) session.len));
    struct rs2n_pair_result res;
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.client));
    EXPECT_SUCCESS(rs2n_read_tickets(p.client));
    uint8_t out[RS2N_SESSION_MAX];
    int len = s2n_connection_get_session_length(p.client);
    EXPECT_TRUE(len > 0);
    EXPECT_EQUAL(s2n_connection_get_session(p.client, out, SIZE_MAX), len);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_huge_lengths", 30);
    test_send_recv();
    test_ticket_keys_and_sessions();
    return rs2n_test_finish();
}
