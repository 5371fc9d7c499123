/*
 * Ticket lifetimes on a fake wall clock:
 *   - the lifetime hint (s2n_connection_get_session_ticket_lifetime_hint on the
 *     client, s2n_session_ticket_get_lifetime in its callback) is the least of
 *     the key's remaining life, the session state lifetime, (TLS1.3) the
 *     keying material left, and 7 days: each bound in turn is the smallest;
 *   - a ticket older than the session state lifetime gives a full handshake
 *     (TLS1.2 and TLS1.3), also when the client's clock lags and it still
 *     offers the ticket;
 *   - TLS1.3 keying material: a chain of resumptions, each getting fresh
 *     tickets, stops resuming when the first full handshake's keying material
 *     lifetime runs out; TLS1.2 sessions are not bound by it (as in s2n-tls).
 */
#include "testlib.h"

#define DAY (24ull * 3600)
#define WEEK (7 * DAY)

static struct rs2n_fake_clock tk_clock;     /* the server's, and usually the client's */
static struct rs2n_fake_clock client_clock; /* a client clock that lags */
static struct rs2n_tk_log tk_log;

static void at(uint64_t secs_after_t0)
{
    tk_clock.seconds = RS2N_TK_T0 + secs_after_t0;
}

static void connect_opts(struct s2n_config *server, struct s2n_config *client,
                         const struct rs2n_session *offer, uint32_t km, struct rs2n_conn *r)
{
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.offer = offer;
    opts.keying_material_lifetime = km;
    rs2n_tk_log_reset(&tk_log);
    rs2n_connect(server, client, &opts, r);
}

/* A server with one key introduced at T0 and these lifetimes (0: default). */
static struct s2n_config *server_with(const char *policy, uint64_t ed, uint64_t dec, uint64_t state)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    if (ed) {
        EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, ed));
    }
    if (dec) {
        EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, dec));
    }
    if (state) {
        EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(server, state));
    }
    uint64_t saved = tk_clock.seconds;
    at(0);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "hint-key", "material of the hint key", 0));
    tk_clock.seconds = saved;
    return server;
}

/* One full handshake at T0+`when`; checks the hint (client API and callback). */
static void expect_hint(const char *what, struct s2n_config *server, struct s2n_config *client,
                        int version, uint64_t when, uint32_t km, long expected)
{
    struct rs2n_conn r;
    at(when);
    connect_opts(server, client, NULL, km, &r);
    if (RS2N_TK_CHECK(what, &r, &tk_log, version, 0, 1)) {
        if (r.lifetime_hint != expected || tk_log.lifetimes[0] != expected) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "%s, %s: lifetime hint %d, callback lifetime %u, expected %ld", what,
                           rs2n_tk_version_name(version), r.lifetime_hint, tk_log.lifetimes[0], expected);
        }
    }
}

static void test_hint(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("lifetime hint, %s\n", rs2n_tk_version_name(version));
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);

    /* Defaults: 2 h + 13 h of key life, 15 h of session state, 1 week of
     * keying material: 15 h for a key introduced now. */
    struct s2n_config *server = server_with(policy, 0, 0, 0);
    expect_hint("defaults", server, client, version, 0, 0, 15 * 3600);
    expect_hint("defaults, key 1 h old", server, client, version, 3600, 0, 14 * 3600);
    s2n_config_free(server);

    /* The key's remaining life is the smallest: 1000 + 500 - 200. */
    server = server_with(policy, 1000, 500, 0);
    expect_hint("key's remaining life", server, client, version, 200, 0, 1300);
    /* The same key in its decrypt-only window with a new key added: the new
     * key seals it, and its life counts. */
    at(1100);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "second", "material of the second key", 0));
    expect_hint("the current key's remaining life", server, client, version, 1200, 0, 1400);
    s2n_config_free(server);

    /* The session state lifetime is the smallest. */
    server = server_with(policy, 1000, 500, 600);
    expect_hint("session state lifetime", server, client, version, 200, 0, 600);
    s2n_config_free(server);

    /* The keying material lifetime is the smallest (TLS1.3 only: TLS1.2 is
     * bounded by the key, as in s2n-tls). */
    server = server_with(policy, 1000, 500, 0);
    expect_hint("keying material lifetime", server, client, version, 200, 300, tls13 ? 300 : 1300);
    s2n_config_free(server);

    /* 7 days is the smallest: a month of key life and session state, 8 days
     * of keying material. */
    server = server_with(policy, 30 * DAY, 30 * DAY, 30 * DAY);
    expect_hint("7 day cap", server, client, version, 0, 8 * DAY, WEEK);
    expect_hint("7 day cap, default keying material", server, client, version, 0, 0, WEEK);
    s2n_config_free(server);

    /* Several tickets on one connection: each carries the hint. */
    server = server_with(policy, 1000, 500, 0);
    if (tls13) {
        EXPECT_SUCCESS(s2n_config_set_initial_ticket_count(server, 3));
        struct rs2n_conn r;
        at(100);
        connect_opts(server, client, NULL, 0, &r);
        RS2N_TK_CHECK("three tickets", &r, &tk_log, version, 0, 3);
        for (unsigned i = 0; i < 3; i++) {
            EXPECT_EQUAL(tk_log.lifetimes[i], 1400);
        }
    }
    s2n_config_free(server);

    if (tls13) {
        /* A resumption's tickets inherit what is left of the first full
         * handshake's keying material, and honour the resumed connection's own
         * setting if smaller. */
        server = server_with(policy, 30 * DAY, 30 * DAY, 30 * DAY);
        struct rs2n_conn r;
        at(0);
        connect_opts(server, client, NULL, 1000, &r);
        RS2N_TK_CHECK("keying material 1000 s", &r, &tk_log, version, 0, 1);
        EXPECT_EQUAL(r.lifetime_hint, 1000);
        struct rs2n_session s = r.session;
        connect_opts(server, client, NULL, 1000, &r);
        struct rs2n_session s2 = r.session;
        at(400);
        connect_opts(server, client, &s, 0, &r);
        RS2N_TK_CHECK("resumed 400 s later", &r, &tk_log, version, 1, 1);
        EXPECT_EQUAL(r.lifetime_hint, 600);
        connect_opts(server, client, &s2, 100, &r);
        RS2N_TK_CHECK("resumed 400 s later, keying material 100 s", &r, &tk_log, version, 1, 1);
        EXPECT_EQUAL(r.lifetime_hint, 100);
        s2n_config_free(server);
    }
    s2n_config_free(client);
}

/* A ticket older than the session state lifetime gives a full handshake. */
static void test_session_state(const char *policy, int version, int lagging_client)
{
    const int tls13 = version == S2N_TLS13;
    printf("session state lifetime, %s%s\n", rs2n_tk_version_name(version),
           lagging_client ? ", the client's clock stuck at T0" : "");
    client_clock.seconds = RS2N_TK_T0;
    struct s2n_config *server = server_with(policy, 0, 0, 600);
    struct s2n_config *client =
        rs2n_resume_client_config(policy, lagging_client ? &client_clock : &tk_clock, 1, &tk_log);
    struct rs2n_conn r;
    struct rs2n_session s[3];
    at(0);
    for (int i = 0; i < 3; i++) {
        connect_opts(server, client, NULL, 0, &r);
        RS2N_TK_CHECK("full handshake at T0", &r, &tk_log, version, 0, 1);
        EXPECT_EQUAL(r.lifetime_hint, 600);
        s[i] = r.session;
    }
    at(599);
    connect_opts(server, client, &s[0], 0, &r);
    RS2N_TK_CHECK("599 s old", &r, &tk_log, version, 1, tls13 ? 1 : 0);
    at(600);
    connect_opts(server, client, &s[1], 0, &r);
    RS2N_TK_CHECK("600 s old (not older than the lifetime)", &r, &tk_log, version, 1,
                  tls13 ? 1 : 0);
    at(601);
    connect_opts(server, client, &s[2], 0, &r);
    RS2N_TK_CHECK("601 s old", &r, &tk_log, version, 0, 1);
    if (lagging_client) {
        /* The client believed the ticket valid and offered it: the server
         * itself refused it. */
        EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, "hint-key") >= 0);
    }
    if (!tls13) {
        /* TLS1.2: the session resumed at 600 s is just as old. */
        connect_opts(server, client, &s[1], 0, &r);
        RS2N_TK_CHECK("601 s old, offered again", &r, &tk_log, version, 0, 1);
    }
    s2n_config_free(server);
    s2n_config_free(client);
}

/* A chain of TLS1.3 resumptions ends with the first handshake's keying material. */
static void test_keying_material_chain(int lagging_client)
{
    printf("keying material through resumptions, TLS1.3%s\n",
           lagging_client ? ", the client's clock stuck at T0" : "");
    client_clock.seconds = RS2N_TK_T0;
    struct s2n_config *server = server_with("default_tls13", 0, 0, 0);
    struct s2n_config *client = rs2n_resume_client_config(
        "default_tls13", lagging_client ? &client_clock : &tk_clock, 1, &tk_log);
    struct rs2n_conn r;
    at(0);
    connect_opts(server, client, NULL, 300, &r);
    RS2N_TK_CHECK("full handshake, keying material 300 s", &r, &tk_log, S2N_TLS13, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, 300);

    static const uint64_t steps[] = { 100, 200, 290, 299 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        at(steps[i]);
        /* Each resumed connection gets the default (one week) for itself. */
        connect_opts(server, client, &r.session, 0, &r);
        char what[96];
        snprintf(what, sizeof(what), "resumption at T0+%llu", (unsigned long long) steps[i]);
        RS2N_TK_CHECK(what, &r, &tk_log, S2N_TLS13, 1, 1);
        EXPECT_EQUAL(r.lifetime_hint, 300 - steps[i]);
    }
    /* The ticket from T0+299 is 1 s old, far within the session state
     * lifetime, and its key is fine: only the keying material has run out. */
    at(lagging_client ? 400 : 300);
    connect_opts(server, client, &r.session, 0, &r);
    RS2N_TK_CHECK("the keying material has run out", &r, &tk_log, S2N_TLS13, 0, 1);
    /* The client offered it (by its clock the ticket was still valid). */
    EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, "hint-key") >= 0);
    /* The full handshake starts a new chain. */
    EXPECT_EQUAL(r.lifetime_hint, 15 * 3600 - (lagging_client ? 400 : 300));
    connect_opts(server, client, &r.session, 0, &r);
    RS2N_TK_CHECK("the new chain", &r, &tk_log, S2N_TLS13, 1, 1);

    s2n_config_free(server);
    s2n_config_free(client);
}

/* TLS1.2 sessions are not bound by the keying material lifetime (s2n-tls:
 * "TLS1.2 ... is limited by the lifetime of the session ticket encryption key"). */
static void test_keying_material_tls12(void)
{
    printf("keying material lifetime and TLS1.2\n");
    struct s2n_config *server = server_with("20240501", 0, 0, 0);
    struct s2n_config *client = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    struct rs2n_conn r;
    at(0);
    connect_opts(server, client, NULL, 300, &r);
    RS2N_TK_CHECK("TLS1.2 full handshake, keying material 300 s", &r, &tk_log, S2N_TLS12, 0, 1);
    struct rs2n_session s = r.session;
    at(1000);
    connect_opts(server, client, &s, 300, &r);
    RS2N_TK_CHECK("TLS1.2 resumption after 1000 s", &r, &tk_log, S2N_TLS12, 1, 0);
    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_lifetimes", 120);
    test_hint("default_tls13", S2N_TLS13);
    test_hint("20240501", S2N_TLS12);
    test_session_state("default_tls13", S2N_TLS13, 0);
    test_session_state("20240501", S2N_TLS12, 0);
    test_session_state("default_tls13", S2N_TLS13, 1);
    test_session_state("20240501", S2N_TLS12, 1);
    test_keying_material_chain(0);
    test_keying_material_chain(1);
    test_keying_material_tls12();
    return rs2n_test_finish();
}
