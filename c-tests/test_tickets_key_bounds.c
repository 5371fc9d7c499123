/*
 * The bounds on ticket keys, through the public API, on a fake wall clock:
 *
 *   - s2n_config_set_ticket_encrypt_decrypt_key_lifetime and
 *     s2n_config_set_ticket_decrypt_key_lifetime take up to 30 days (2592000 s)
 *     and refuse 2592001 and UINT64_MAX with S2N_ERR_INVALID_ARGUMENT
 *     (S2N_ERR_T_USAGE). 30 days is applied, and a refused value leaves the
 *     setting as it was: both seen in what the keys then do (when a key stops
 *     issuing tickets, the lifetime hint of a TLS1.2 ticket, when its ticket
 *     stops resuming, which intro times count as expired).
 *   - s2n_config_add_ticket_crypto_key refuses an intro time that cannot be
 *     counted in nanoseconds with both windows at their longest: after
 *     (2^64 - 1 - 2 * 30 days in ns) / 10^9 = 18441560073 s. 18441560073 is
 *     taken (a key for the future: it issues nothing now); 18441560074 and
 *     UINT64_MAX are refused with S2N_ERR_INVALID_ARGUMENT and add nothing.
 *   - It refuses a key that has already expired: intro + encrypt-decrypt +
 *     decrypt-only at or before now (S2N_ERR_INVALID_ARGUMENT, the debug
 *     message says "expired"); one second later is taken. Defaults: 2 h + 13 h.
 *     The rule follows the config's lifetimes.
 *   - A TLS1.2 ticket whose sealed-format version byte (its first byte, sent in
 *     the clear) reads 1, rs2n's first format, which is no longer opened: the
 *     server does not fail on it: it reads the ClientHello and answers with
 *     a full handshake (Certificate, ServerKeyExchange, ServerHelloDone), as
 *     it does for versions 0, 3 and 255; unchanged (2), it resumes. (The
 *     handshake cannot then complete: the client's transcript holds the
 *     ClientHello it sent, the server's the changed one.)
 */
#include "testlib.h"

#define HOUR 3600ull
#define DAY (24 * HOUR)
#define MAX_WINDOW 2592000ull          /* 30 days */
#define MAX_INTRO 18441560073ull       /* (UINT64_MAX - 2 * MAX_WINDOW * 1e9) / 1e9 */

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static void at(uint64_t secs_after_t0)
{
    tk_clock.seconds = RS2N_TK_T0 + secs_after_t0;
}

/* The call fails with S2N_ERR_T_USAGE and this error name. */
#define EXPECT_FAILS_WITH(call, err_name)                                         \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), (err_name));            \
    } while (0)

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    rs2n_tk_connect(server, client, offer, 0, &tk_log, r);
}

/* ------------------------------------------------------------------------- */
/* The two key windows: at most 30 days                                      */
/* ------------------------------------------------------------------------- */

/* Would catch: a refused value being applied anyway (even clamped to 30 days);
 * a bound off by one (2592000 refused, or 2592001 taken); UINT64_MAX taken
 * (overflowing when counted in nanoseconds); the wrong error; 30 days accepted
 * but not applied. */
static void test_window_bounds(void)
{
    printf("key windows: at most 30 days, TLS1.2\n");
    const char *policy = "20240501";
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    /* Encrypt-decrypt: 1000 s, then refused values, then what the key does. */
    at(0);
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 1000));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, 500));
    EXPECT_FAILS_WITH(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, MAX_WINDOW + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, UINT64_MAX),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(s2n_config_set_ticket_decrypt_key_lifetime(server, MAX_WINDOW + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(s2n_config_set_ticket_decrypt_key_lifetime(server, UINT64_MAX),
                      "S2N_ERR_INVALID_ARGUMENT");
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "bounds-key", "material of the bounds key", 0));

    /* Still 1000 + 500 s: the hint of a ticket issued at T0+200 is what is
     * left of the key's life, 1300 s (with a refused value applied it would
     * be the session state lifetime, 15 h). */
    at(200);
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("ticket at T0+200 after refused lifetimes", &r, &tk_log, S2N_TLS12, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, 1300);
    EXPECT_EQUAL(tk_log.lifetimes[0], 1300);
    struct rs2n_session s = r.session;
    /* The key issues tickets until T0+1000, not after. */
    at(999);
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("T0+999: the key still encrypts", &r, &tk_log, S2N_TLS12, 0, 1);
    at(1000);
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("T0+1000: the key no longer encrypts", &r, &tk_log, S2N_TLS12, 0, 0);
    /* Its ticket resumes until T0+1500, not after. */
    at(1499);
    connect_offer(server, client, &s, &r);
    RS2N_TK_CHECK("T0+1499: the key still decrypts", &r, &tk_log, S2N_TLS12, 1, 0);
    at(1500);
    connect_offer(server, client, &s, &r);
    RS2N_TK_CHECK("T0+1500: the key is gone", &r, &tk_log, S2N_TLS12, 0, 0);
    /* And the expiry rule of add_ticket_crypto_key counts 1500 s. */
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "k-1500", "material 1500", tk_clock.seconds - 1500),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "k-1499", "material 1499", tk_clock.seconds - 1499));
    s2n_config_free(server);

    /* 30 days, both windows: accepted and applied. */
    at(0);
    server = rs2n_resume_server_config(policy, &tk_clock, 1);
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, MAX_WINDOW));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, MAX_WINDOW));
    /* A refused value after them changes nothing either. */
    EXPECT_FAILS_WITH(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, MAX_WINDOW + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(s2n_config_set_ticket_decrypt_key_lifetime(server, UINT64_MAX),
                      "S2N_ERR_INVALID_ARGUMENT");
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "month-key", "material of the month key", 0));
    at(MAX_WINDOW - 1);
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("30 days - 1 s: the key still encrypts", &r, &tk_log, S2N_TLS12, 0, 1);
    at(MAX_WINDOW);
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("30 days: the key no longer encrypts", &r, &tk_log, S2N_TLS12, 0, 0);
    /* Encrypt-decrypt + decrypt-only = 60 days. */
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "k-60d", "material 60 days",
                                      tk_clock.seconds - 2 * MAX_WINDOW),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "k-60d-1", "material 60 days - 1",
                                   tk_clock.seconds - 2 * MAX_WINDOW + 1));
    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* Intro times                                                               */
/* ------------------------------------------------------------------------- */

/* Would catch: an intro time that overflows when counted in nanoseconds taken
 * (s2n-tls wraps it around: a key that expired long ago, or one that never
 * expires), the bound off by one second, a refused key added anyway, the
 * largest valid intro time refused or taken as "now". */
static void test_intro_bounds(void)
{
    printf("intro times: at most %llu s\n", MAX_INTRO);
    at(0);
    struct s2n_config *server = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    struct s2n_config *client = rs2n_resume_client_config("default_tls13", &tk_clock, 1, &tk_log);
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "far", "material far away", UINT64_MAX),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "far", "material far away", MAX_INTRO + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "far", "material far away", UINT64_MAX / 1000000000ull + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    /* Nothing was added: no ticket. */
    struct rs2n_conn r;
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("after refused intro times only", &r, &tk_log, S2N_TLS13, 0, 0);

    /* The largest is taken, as a key for the future (year 2554): it issues
     * nothing now. Its name and material are now in use. */
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "far", "material far away", MAX_INTRO));
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("a key introduced in 2554", &r, &tk_log, S2N_TLS13, 0, 0);
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "far", "other material", 0),
                      "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH");
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "near", "material far away", 0),
                      "S2N_ERR_TICKET_KEY_NOT_UNIQUE");
    /* The bound does not depend on the config's lifetimes (it leaves room for
     * both at their longest). */
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, MAX_WINDOW));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, MAX_WINDOW));
    EXPECT_FAILS_WITH(rs2n_tk_add_key(server, "far2", "material far away 2", MAX_INTRO + 1),
                      "S2N_ERR_INVALID_ARGUMENT");
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "far2", "material far away 2", MAX_INTRO));
    /* A key for now still works next to them. */
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, "now", "material of now", 0));
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("with a key for now", &r, &tk_log, S2N_TLS13, 0, 1);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* Keys that have already expired                                            */
/* ------------------------------------------------------------------------- */

/* Adding key `name` with intro `intro` fails as expired. */
static void expect_expired(struct s2n_config *config, const char *name, uint64_t intro)
{
    EXPECT_FAILS_WITH(rs2n_tk_add_key(config, name, name, intro), "S2N_ERR_INVALID_ARGUMENT");
    const char *debug = s2n_strerror_debug(s2n_errno, "EN");
    if (debug == NULL || strstr(debug, "expired") == NULL) {
        rs2n_test_fail(__FILE__, __LINE__, "key %s, intro now - %llu s: debug message \"%s\" does not say \"expired\"",
                       name, (unsigned long long) (tk_clock.seconds - intro), debug ? debug : "(NULL)");
    }
}

/* Would catch: an expired key silently kept (as s2n-tls does: it is never
 * used, and the mistake never shows), the boundary off by one second, a rule
 * with fixed windows instead of the config's. */
static void test_expired_keys(void)
{
    printf("keys that expired before they were added\n");
    const uint64_t life = 15 * HOUR; /* defaults: 2 h + 13 h */
    at(0);
    struct s2n_config *server = rs2n_resume_server_config("20240501", &tk_clock, 1);
    struct s2n_config *client = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    expect_expired(server, "expired", tk_clock.seconds - life);
    expect_expired(server, "expired-long", tk_clock.seconds - 2 * life);
    expect_expired(server, "epoch-1", 1);
    /* One second of decrypt-only life left: taken. */
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "expired", "expired", tk_clock.seconds - life + 1));
    /* It cannot encrypt: no ticket. */
    struct rs2n_conn r;
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("only a key in its last second", &r, &tk_log, S2N_TLS12, 0, 0);

    /* The rule follows the config's lifetimes: 100 + 50 s. */
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 100));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, 50));
    expect_expired(server, "short-150", tk_clock.seconds - 150);
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "short-149", "short-149", tk_clock.seconds - 149));
    /* Still in its encrypt-decrypt window (1 s left): it issues a ticket. */
    EXPECT_SUCCESS(rs2n_tk_add_key(server, "short-99", "short-99", tk_clock.seconds - 99));
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("a key with 1 s of encrypt-decrypt left", &r, &tk_log, S2N_TLS12, 0, 1);
    EXPECT_EQUAL(r.lifetime_hint, 51);
    /* Both windows 0: any key is dead on arrival, also one introduced now. */
    EXPECT_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server, 0));
    EXPECT_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server, 0));
    expect_expired(server, "zero", 0);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* A TLS1.2 ticket of sealed format 1                                        */
/* ------------------------------------------------------------------------- */

#define WIRE_KEY "format-key"

/* Which handshake message types (below 32) the plaintext handshake records at
 * the start of a server flight hold, as a bit mask; *ccs set if a
 * ChangeCipherSpec record follows them. */
static uint32_t flight_messages(const uint8_t *b, size_t len, int *ccs)
{
    uint32_t types = 0;
    size_t pos = 0;
    *ccs = 0;
    while (pos + 5 <= len) {
        size_t end = pos + 5 + (((size_t) b[pos + 3] << 8) | b[pos + 4]);
        if (end > len) {
            break;
        }
        if (b[pos] == 20) {
            *ccs = 1;
            break; /* what follows is encrypted */
        }
        if (b[pos] != 22) {
            break;
        }
        for (size_t m = pos + 5; m + 4 <= end;) {
            size_t mlen = ((size_t) b[m + 1] << 16) | ((size_t) b[m + 2] << 8) | b[m + 3];
            if (b[m] < 32) {
                types |= 1u << b[m];
            }
            m += 4 + mlen;
        }
        pos = end;
    }
    return types;
}

/* Offers a fresh TLS1.2 ticket; on its way, its first byte is set to
 * `version` (2: unchanged, the control). Checks the server's answer.
 *
 * Would catch: the server failing on (or alerting about) a ticket of an
 * unknown or old format instead of ignoring it; the server resuming from it;
 * the client not offering the ticket at all (the test would then prove
 * nothing); the control not resuming (the test's path is broken). */
static void test_format_byte(struct s2n_config *server_config, struct s2n_config *client_config,
                             uint8_t version)
{
    const int control = version == 2;
    printf("  TLS1.2 ticket, version byte %u%s\n", version, control ? " (control)" : "");
    struct rs2n_conn r;
    at(0);
    connect_offer(server_config, client_config, NULL, &r);
    RS2N_TK_CHECK("full handshake for a ticket", &r, &tk_log, S2N_TLS12, 0, 1);
    REQUIRE(r.session.len > 0);

    struct rs2n_mem_pipe pipe;
    rs2n_mem_pipe_init(&pipe);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE(server && client);
    REQUIRE_SUCCESS(s2n_connection_set_config(server, server_config));
    REQUIRE_SUCCESS(s2n_connection_set_config(client, client_config));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(server, &pipe.a));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(client, &pipe.b));
    REQUIRE_SUCCESS(s2n_set_server_name(client, "localhost"));
    EXPECT_SUCCESS(s2n_connection_set_session(client, r.session.data, (size_t) r.session.len));

    /* The ClientHello, with the ticket's version byte set. */
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    struct rs2n_mem_queue *to_server = pipe.b.out;
    uint8_t *hello = to_server->data + to_server->off;
    long at_ticket = rs2n_tk_find_ticket(hello, rs2n_mem_queue_pending(to_server), WIRE_KEY);
    REQUIRE(at_ticket >= 0); /* the client offers the ticket */
    EXPECT_EQUAL(hello[at_ticket], 2);
    hello[at_ticket] = version;

    /* The server reads it, answers and waits for the client: no failure. */
    blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(server, &blocked);
    if (rc == 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED || blocked != S2N_BLOCKED_ON_READ) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "version byte %u: the server's s2n_negotiate after the ClientHello returned %d "
                       "(blocked %d), expected to block on read", version, rc, (int) blocked);
        rs2n_print_s2n_error("  s2n error");
    }
    struct rs2n_mem_queue *to_client = pipe.a.out;
    int ccs = 0;
    uint32_t types = flight_messages(to_client->data + to_client->off,
                                     rs2n_mem_queue_pending(to_client), &ccs);
    EXPECT_TRUE(types & (1u << 2)); /* ServerHello */
    if (control) {
        /* Resumed: ServerHello, ChangeCipherSpec, Finished. */
        EXPECT_FALSE(types & (1u << 11));
        EXPECT_TRUE(ccs);
    } else {
        /* Full: Certificate, ServerKeyExchange, ServerHelloDone. */
        EXPECT_TRUE(types & (1u << 11));
        EXPECT_TRUE(types & (1u << 12));
        EXPECT_TRUE(types & (1u << 14));
        EXPECT_FALSE(ccs);
    }

    struct rs2n_pair_result res;
    rc = rs2n_negotiate_pair(server, client, &res);
    if (control) {
        if (rc != 0) {
            rs2n_print_pair_result("control handshake", &res);
        }
        EXPECT_EQUAL(rc, 0);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(server), 1);
    } else {
        /* It cannot complete: the server's transcript holds the changed
         * ClientHello, the client's the one it sent. */
        EXPECT_NOT_EQUAL(rc, 0);
    }
    s2n_connection_free(server);
    s2n_connection_free(client);
    rs2n_mem_pipe_free(&pipe);
}

static void test_format(void)
{
    printf("sealed format versions\n");
    at(0);
    struct s2n_config *server = rs2n_resume_server_config("20240501", &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, WIRE_KEY, "material of the format key", 0));
    struct s2n_config *client = rs2n_resume_client_config("20240501", &tk_clock, 1, &tk_log);
    test_format_byte(server, client, 2);
    test_format_byte(server, client, 1);
    test_format_byte(server, client, 0);
    test_format_byte(server, client, 3);
    test_format_byte(server, client, 0xff);
    /* The server still works after them. */
    struct rs2n_conn r;
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("a handshake afterwards", &r, &tk_log, S2N_TLS12, 0, 1);
    struct rs2n_session s = r.session;
    connect_offer(server, client, &s, &r);
    RS2N_TK_CHECK("its ticket resumes", &r, &tk_log, S2N_TLS12, 1, 0);
    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_key_bounds", 240);
    test_window_bounds();
    test_intro_bounds();
    test_expired_keys();
    test_format();
    return rs2n_test_finish();
}
