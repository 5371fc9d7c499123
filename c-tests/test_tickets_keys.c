/*
 * Session ticket keys on a fake wall clock, TLS1.3 and TLS1.2:
 *   - a key encrypts only inside its encrypt-decrypt window and decrypts inside
 *     either window; a ticket sealed by a key now in decrypt-only state
 *     resumes and is replaced by a ticket sealed with the current key, which
 *     resumes even after the first key has fully expired; after both windows
 *     the old ticket gives a full handshake;
 *   - with no key able to encrypt no ticket is issued and handshakes (full and
 *     resumed) still succeed;
 *   - a key whose intro time is in the future is not used before it, and is
 *     used from then on;
 *   - a key with encrypt-decrypt lifetime 0 never encrypts.
 *
 * Lifetimes are set small (1000 s encrypt-decrypt, 500 s decrypt-only) so the
 * numbers stay readable. Server and client configs share one clock.
 */
#include "testlib.h"

#define ED 1000 /* encrypt-decrypt lifetime, seconds */
#define DO 500  /* decrypt-only lifetime, seconds */

static struct rs2n_fake_clock tk_clock;
static struct rs2n_tk_log tk_log;

static void at(uint64_t secs_after_t0)
{
    tk_clock.seconds = RS2N_TK_T0 + secs_after_t0;
}

/* One connection, the client offering `offer` (NULL: none). */
static void connect(struct s2n_config *server, struct s2n_config *client,
                    const struct rs2n_session *offer, struct rs2n_conn *r)
{
    rs2n_tk_connect(server, client, offer, 0, &tk_log, r);
}

static struct s2n_config *small_window_server(const char *policy)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, ED));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, DO));
    return server;
}

static void test_windows(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("key windows, %s\n", tls13 ? "TLS1.3" : "TLS1.2");
    at(0);
    struct s2n_config *server = small_window_server(policy);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "key-A", "material of key A, 32 bytes long", 0));

    /* The key encrypts from its intro time... */
    struct rs2n_conn r;
    struct rs2n_session s1, a1, a2, a3;
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("T0: full handshake", &r, &tk_log, version, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, ED + DO);
    s1 = r.session;
    connect(server, client, NULL, &r);
    struct rs2n_session s0 = r.session; /* kept for after key A expires */
    EXPECT_TRUE(s0.len > 0);

    /* ...and decrypts inside its encrypt-decrypt window. */
    at(500);
    connect(server, client, &s1, &r);
    RS2N_TK_CHECK("T0+500: resumed with the T0 ticket", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    /* It still encrypts in the last second of its encrypt-decrypt window. */
    at(ED - 1);
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("last second of key A's encrypt window", &r, &tk_log, version, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, DO + 1);
    a1 = r.session;
    connect(server, client, NULL, &r);
    a2 = r.session;
    connect(server, client, NULL, &r);
    a3 = r.session;
    EXPECT_TRUE(a1.len > 0 && a2.len > 0 && a3.len > 0);

    /* At ED key A only decrypts: no ticket for a full handshake, which succeeds. */
    at(ED);
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("key A decrypt-only, no other key: full handshake", &r, &tk_log, version, 0, 0);
    if (tls13) {
        EXPECT_EQUAL(r.session.len, 0);
    }
    /* A ticket it sealed still resumes; nothing can seal a new one. */
    connect(server, client, &a1, &r);
    RS2N_TK_CHECK("key A decrypt-only, no other key: resumed", &r, &tk_log, version, 1, 0);

    /* A new key B: a ticket sealed by A (decrypt-only) resumes and the client
     * gets a new ticket, sealed by B. s2n-tls issues one in TLS1.2 too when the
     * ticket's key is decrypt-only. */
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "key-B", "material of key B, 32 bytes long", 0));
    connect(server, client, &a2, &r);
    RS2N_TK_CHECK("ticket of decrypt-only key A, key B current: resumed, new ticket", &r, &tk_log,
                  version, 1, 1);
    /* Key B was introduced at ED: its ticket's hint is B's whole life. */
    EXPECT_EQUAL(r.lifetime_hint, ED + DO);
    struct rs2n_session b1 = r.session;
    /* Full handshakes now get tickets from B. */
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("key B current: full handshake", &r, &tk_log, version, 0, 1);
    struct rs2n_session b2 = r.session;

    /* The last second of key A's decrypt-only window. */
    at(ED + DO - 1);
    connect(server, client, &a3, &r);
    RS2N_TK_CHECK("last second of key A's decrypt-only window: resumed", &r, &tk_log, version, 1,
                  1);

    /* Key A has expired. The ticket from the resumption above was sealed by B:
     * it resumes. */
    at(ED + DO);
    connect(server, client, &b1, &r);
    RS2N_TK_CHECK("key A expired: the ticket a resumption got resumes (sealed by B)", &r, &tk_log,
                  version, 1, tls13 ? 1 : 0);
    if (!tls13) {
        /* TLS1.2 sessions can be offered again: a1 (key A) no longer resumes. */
        connect(server, client, &a1, &r);
        RS2N_TK_CHECK("key A expired: its TLS1.2 ticket gives a full handshake", &r, &tk_log,
                      version, 0, 1);
        connect(server, client, &b2, &r);
        RS2N_TK_CHECK("TLS1.2 ticket of key B, again", &r, &tk_log, version, 1, 0);
        connect(server, client, &b2, &r);
        RS2N_TK_CHECK("TLS1.2 ticket of key B, a third time", &r, &tk_log, version, 1, 0);
    } else {
        connect(server, client, &b2, &r);
        RS2N_TK_CHECK("key B's ticket from a full handshake", &r, &tk_log, version, 1, 1);
    }

    /* Long after both of key A's windows: its ticket gives a full handshake
     * (key B still decrypts, and a new key C encrypts). */
    at(2 * ED + 10);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "key-C", "material of key C, 32 bytes long", 0));
    connect(server, client, &s0, &r);
    RS2N_TK_CHECK("T0 ticket after both windows of its key", &r, &tk_log, version, 0, 1);
    connect(server, client, &r.session, &r);
    RS2N_TK_CHECK("the ticket that full handshake got", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    s2n_config_free(server);
    s2n_config_free(client);
}

/* A key introduced in the future is not used before its intro time. */
static void test_future_key(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("future intro time, %s\n", tls13 ? "TLS1.3" : "TLS1.2");
    at(0);
    struct s2n_config *server = small_window_server(policy);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "future", "material of the future key", RS2N_TK_T0 + 100));

    struct rs2n_conn r;
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("T0, key introduced at T0+100", &r, &tk_log, version, 0, 0);
    at(99);
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("T0+99, key introduced at T0+100", &r, &tk_log, version, 0, 0);
    at(100);
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("T0+100: the key's intro time", &r, &tk_log, version, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, ED + DO);
    at(101);
    connect(server, client, &r.session, &r);
    RS2N_TK_CHECK("T0+101: its ticket", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    /* The same with a key already in use: the future key is not used early.
     * The current key's hint shows which key sealed the ticket. */
    at(0);
    struct s2n_config *server2 = small_window_server(policy);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server2, "now", "material of the current key", 0));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server2, "later", "material of the later key", RS2N_TK_T0 + 600));
    at(300);
    for (int i = 0; i < 8; i++) {
        connect(server2, client, NULL, &r);
        RS2N_TK_CHECK("current key and a future key", &r, &tk_log, version, 0, 1);
        EXPECT_EQUAL(r.lifetime_hint, ED + DO - 300); /* "now" sealed it */
    }
    /* After its intro time the later key takes part (and is the only one
     * left once "now" stops encrypting). */
    at(ED);
    connect(server2, client, NULL, &r);
    RS2N_TK_CHECK("later key, current key decrypt-only", &r, &tk_log, version, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, 600 + ED + DO - ED); /* "later" sealed it */

    s2n_config_free(server2);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* Encrypt-decrypt lifetime 0 (accepted, as by s2n-tls): no key ever encrypts. */
static void test_zero_encrypt_lifetime(const char *policy, int version)
{
    printf("encrypt-decrypt lifetime 0, %s\n", version == S2N_TLS13 ? "TLS1.3" : "TLS1.2");
    at(0);
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 0));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "k0", "material of key k0", 0));
    struct rs2n_conn r;
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("encrypt-decrypt lifetime 0", &r, &tk_log, version, 0, 0);
    at(1);
    connect(server, client, NULL, &r);
    RS2N_TK_CHECK("encrypt-decrypt lifetime 0, a second later", &r, &tk_log, version, 0, 0);
    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_keys", 120);
    test_windows("default_tls13", S2N_TLS13);
    test_windows("20240501", S2N_TLS12);
    test_future_key("default_tls13", S2N_TLS13);
    test_future_key("20240501", S2N_TLS12);
    test_zero_encrypt_lifetime("default_tls13", S2N_TLS13);
    test_zero_encrypt_lifetime("20240501", S2N_TLS12);
    return rs2n_test_finish();
}
