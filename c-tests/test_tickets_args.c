/*
 * Argument errors of the ticket key and lifetime functions, as s2n-tls
 * (tls/s2n_config.c, s2n_config_add_ticket_crypto_key) reports them:
 *   - an empty key: S2N_ERR_INVALID_TICKET_KEY_LENGTH;
 *   - a name of 0 or 17 bytes, or one already used (names are zero-padded to
 *     16 bytes, so "k" and "k\0" are the same): S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH;
 *   - the same material under another name: S2N_ERR_TICKET_KEY_NOT_UNIQUE;
 *   - 48 keys are fine, the 49th fails with S2N_ERR_TICKET_KEY_LIMIT (s2n-tls
 *     checks the limit after the key length, before duplicate names and
 *     material); once keys have expired there is room again;
 *   - NULL config, name or key: S2N_ERR_NULL;
 *   all S2N_ERR_T_USAGE (rs2n classes S2N_ERR_NULL as usage too), and a failed
 *   call changes nothing;
 *   - lifetimes of 0 are accepted (as s2n-tls): encrypt-decrypt 0 issues no
 *     ticket, decrypt-only 0 resumes only while the key encrypts, session
 *     state 0 issues no TLS1.3 ticket.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static void at(uint64_t secs_after_t0)
{
    tk_clock.seconds = RS2N_TK_T0 + secs_after_t0;
}

#define EXPECT_ADD_FAILS(call, err_name)                                          \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), (err_name));            \
    } while (0)

static int add(struct s2n_config *config, const char *name, uint32_t name_len, const char *material,
               uint32_t key_len)
{
    return s2n_config_add_ticket_crypto_key(config, (const uint8_t *) name, name_len,
                                            (uint8_t *) material, key_len, 0);
}

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    rs2n_tk_connect(server, client, offer, 0, &tk_log, r);
}

static void test_add_errors(void)
{
    printf("s2n_config_add_ticket_crypto_key errors\n");
    at(0);
    struct s2n_config *config = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    static const char m[] = "0123456789abcdef0123456789abcdef";

    EXPECT_ADD_FAILS(add(config, "k", 1, m, 0), "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    EXPECT_ADD_FAILS(add(config, "k", 0, m, 32), "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    EXPECT_ADD_FAILS(add(config, "seventeen-bytes-x", 17, m, 32),
                     "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    /* Both wrong: the key length is checked first. */
    EXPECT_ADD_FAILS(add(config, "k", 0, m, 0), "S2N_ERR_INVALID_TICKET_KEY_LENGTH");

    EXPECT_FAILURE_WITH_TYPE(add(NULL, "k", 1, m, 32), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_ticket_crypto_key(config, NULL, 1, (uint8_t *) m, 32, 0),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_ticket_crypto_key(config, (const uint8_t *) "k", 1, NULL, 32, 0),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");

    /* None of that added a key: no ticket. */
    struct rs2n_conn r;
    connect_offer(config, client, NULL, &r);
    RS2N_TK_CHECK("after failed adds only", &r, &tk_log, S2N_TLS13, 0, 0);

    /* 16 bytes is fine; a 1-byte key and a long one too. */
    EXPECT_SUCCESS(add(config, "sixteen-bytes-xy", 16, m, 32));
    EXPECT_SUCCESS(add(config, "short", 5, "x", 1));
    static char longkey[1000];
    memset(longkey, 'L', sizeof(longkey));
    EXPECT_SUCCESS(add(config, "long", 4, longkey, sizeof(longkey)));
    connect_offer(config, client, NULL, &r);
    RS2N_TK_CHECK("with keys", &r, &tk_log, S2N_TLS13, 0, 1);

    /* A name already used, also after zero padding. */
    EXPECT_ADD_FAILS(add(config, "short", 5, "other material", 14),
                     "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    EXPECT_ADD_FAILS(add(config, "short\0", 6, "other material", 14),
                     "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    /* The same material under another name. */
    EXPECT_ADD_FAILS(add(config, "other-name", 10, m, 32), "S2N_ERR_TICKET_KEY_NOT_UNIQUE");
    EXPECT_ADD_FAILS(add(config, "other-name", 10, "x", 1), "S2N_ERR_TICKET_KEY_NOT_UNIQUE");

    /* Up to 48 keys (3 so far). */
    for (int i = 3; i < 48; i++) {
        char name[16], material[32];
        snprintf(name, sizeof(name), "key-%02d", i);
        snprintf(material, sizeof(material), "material of key %02d", i);
        if (rs2n_tk_add_key(config, name, material, 0) != S2N_SUCCESS) {
            rs2n_test_fail(__FILE__, __LINE__, "adding key %d of 48 failed", i + 1);
            rs2n_print_s2n_error("  s2n error");
        }
    }
    EXPECT_ADD_FAILS(rs2n_tk_add_key(config, "key-48", "material of key 48", 0),
                     "S2N_ERR_TICKET_KEY_LIMIT");
    /* At the limit s2n-tls checks the key length, then the limit, then the
     * names: a full config reports the limit for a duplicate name. (For a bad
     * name length, see test_tickets_args_order.c.) */
    EXPECT_ADD_FAILS(add(config, "k", 1, m, 0), "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    EXPECT_ADD_FAILS(add(config, "key-03", 6, "new material", 12), "S2N_ERR_TICKET_KEY_LIMIT");
    EXPECT_ADD_FAILS(add(config, "new-name", 8, m, 32), "S2N_ERR_TICKET_KEY_LIMIT");

    connect_offer(config, client, NULL, &r);
    RS2N_TK_CHECK("48 keys", &r, &tk_log, S2N_TLS13, 0, 1);
    struct rs2n_session s = r.session;
    connect_offer(config, client, &s, &r);
    RS2N_TK_CHECK("48 keys, resumed", &r, &tk_log, S2N_TLS13, 1, 1);

    /* Keys that are past both windows (2 h + 13 h by default) are dropped
     * when a key is added: room again. */
    at(15 * 3600 - 1);
    EXPECT_ADD_FAILS(rs2n_tk_add_key(config, "key-48", "material of key 48", 0),
                     "S2N_ERR_TICKET_KEY_LIMIT");
    at(15 * 3600);
    EXPECT_SUCCESS(rs2n_tk_add_key(config, "key-48", "material of key 48", 0));
    /* The expired keys' names and material are free again. */
    EXPECT_SUCCESS(add(config, "short", 5, "x", 1));
    connect_offer(config, client, NULL, &r);
    RS2N_TK_CHECK("after the old keys expired", &r, &tk_log, S2N_TLS13, 0, 1);

    s2n_config_free(config);
    s2n_config_free(client);
}

static void test_lifetime_setters(void)
{
    printf("lifetime setters\n");
    struct s2n_config *config = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(config, 0));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(config, 0));
    EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(config, 0));
    /* rs2n bounds both key windows at 30 days (s2n-tls takes any value). */
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(config, 30 * 24 * 3600));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(config, 30 * 24 * 3600));
    EXPECT_ADD_FAILS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(config, 30 * 24 * 3600 + 1),
                     "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_ADD_FAILS(s2n_config_set_ticket_decrypt_key_lifetime(config, UINT64_MAX / 2000000000u),
                     "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(NULL, 10), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_ticket_decrypt_key_lifetime(NULL, 10), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_session_state_lifetime(NULL, 10), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_session_tickets_onoff(NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_session_ticket_cb(NULL, rs2n_tk_ticket_cb, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_server_keying_material_lifetime(NULL, 10), S2N_ERR_T_USAGE);
    s2n_config_free(config);
}

static void test_zero_lifetimes(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("lifetimes of 0, %s\n", tls13 ? "TLS1.3" : "TLS1.2");
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    /* Encrypt-decrypt 0: keys never encrypt. */
    at(0);
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 0));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "zero-ed", "material zero ed", 0));
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("encrypt-decrypt lifetime 0", &r, &tk_log, version, 0, 0);
    s2n_config_free(server);

    /* Decrypt-only 0: a ticket resumes while its key encrypts, not after. */
    server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 100));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, 0));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "zero-do", "material zero do", 0));
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("decrypt-only lifetime 0", &r, &tk_log, version, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, 100);
    struct rs2n_session s1 = r.session;
    connect_offer(server, client, NULL, &r);
    struct rs2n_session s2 = r.session;
    at(99);
    connect_offer(server, client, &s1, &r);
    RS2N_TK_CHECK("decrypt-only lifetime 0, key still encrypting", &r, &tk_log, version, 1,
                  tls13 ? 1 : 0);
    at(100);
    connect_offer(server, client, &s2, &r);
    RS2N_TK_CHECK("decrypt-only lifetime 0, key past encrypting", &r, &tk_log, version, 0, 0);
    s2n_config_free(server);

    /* Session state 0: a ticket would be useless at once. s2n-tls sends no
     * TLS1.3 ticket with a zero lifetime (S2N_ERR_ZERO_LIFETIME_TICKET is
     * swallowed); the handshake succeeds. */
    at(0);
    server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(server, 0));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "zero-state", "material zero state", 0));
    connect_offer(server, client, NULL, &r);
    if (tls13) {
        RS2N_TK_CHECK("session state lifetime 0", &r, &tk_log, version, 0, 0);
    } else {
        RS2N_TK_CHECK("session state lifetime 0", &r, &tk_log, version, 0, RS2N_TK_ANY);
    }
    s2n_config_free(server);

    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_args", 120);
    test_add_errors();
    test_lifetime_setters();
    test_zero_lifetimes("default_tls13", S2N_TLS13);
    test_zero_lifetimes("20240501", S2N_TLS12);
    return rs2n_test_finish();
}
