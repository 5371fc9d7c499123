/*
 * The client's session bytes (s2n_connection_get_session, the ticket
 * callback's s2n_session_ticket_get_data), TLS1.3 and TLS1.2. Big-endian
 * numbers. First what s2n-tls's own client bytes start with:
 *
 *   0       kind: 1 = with a ticket, 0 = with a session ID
 *   1..2    the ticket's length (kind 1; kind 0: one byte of ID length)
 *   ..      the ticket (or the session ID); a TLS1.3 ticket is left out
 *           (length 0): rustls does not expose it
 *   +0      s2n's state format: 2 for TLS1.3, 4 for TLS1.2
 *   +1      protocol (S2N_TLS13 = 34, S2N_TLS12 = 33)
 *   +2..3   cipher suite (IANA)
 *   +4..11  saved at, the client config's wall clock, nanoseconds
 *
 * then, where s2n-tls puts the session's secrets, rs2n's reference, the last
 * 77 bytes:
 *
 *   0..3    "RS2N"
 *   4       format, 3
 *   5..20   process tag (the same in all of this process's sessions)
 *   21..36  handle (random, one per session line)
 *   37..40  lifetime hint, seconds (TLS1.3: 0, rustls does not expose it;
 *           s2n_session_ticket_get_lifetime reads it)
 *   41..44  maximum early data
 *   45..76  HMAC-SHA256 of everything before, under a key random per process
 *
 * What applications rely on:
 *   - the length: s2n_connection_get_session_length ==
 *     s2n_session_ticket_get_data_len, and a buffer one byte short is refused
 *     (S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG) without writing past it;
 *   - what they may read: the suite is the one negotiated, the time the
 *     config's clock; a TLS1.2 ticket is the one the next ClientHello offers
 *     and the lifetime s2n_connection_get_session_ticket_lifetime_hint's;
 *   - s2n_connection_set_session authenticates this process's bytes: any
 *     byte altered is refused with S2N_ERR_INVALID_SERIALIZED_SESSION_STATE,
 *     except the process tag, which makes them another process's bytes:
 *     accepted, and nothing offered. Either way the connection then completes
 *     a full handshake, and the refused bytes use up nothing: the original
 *     bytes still resume;
 *   - a reload: a session saved on a client config that is then freed (the
 *     only config with that trust store) resumes on a new config with the
 *     same trust settings.
 */
#include "testlib.h"

/* rs2n's reference: the last 77 bytes; positions from its start. */
#define REF_LEN 77
#define TAG_AT 5
#define HANDLE_AT 21
#define LIFETIME_AT 37
#define EARLY_AT 41
#define MAC_AT 45
/* s2n-tls's state before it: format, protocol, suite, time. */
#define STATE_LEN 12

#define KEY_NAME "sess-bytes-key"
#define KEY_MATERIAL "material of the session bytes key"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

static const char *policy_of(int version)
{
    return version == S2N_TLS13 ? "default_tls13" : "20240501";
}

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    /* offer may fail: the callers check s2n_connection_set_session */
    rs2n_tk_connect(server, client, offer, 1, &tk_log, r);
}

/* A fresh session from a full handshake. */
static struct rs2n_session get_session(struct s2n_config *server, struct s2n_config *client,
                                       int version)
{
    struct rs2n_conn r;
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake for a session", &r, &tk_log, version, 0, 1);
    REQUIRE(r.session.len > 0);
    return r.session;
}

static struct s2n_config *server_config(int version)
{
    struct s2n_config *server = rs2n_resume_server_config(policy_of(version), &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY_NAME, KEY_MATERIAL, 0));
    return server;
}

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* ------------------------------------------------------------------------- */
/* Length and layout                                                         */
/* ------------------------------------------------------------------------- */

/* The ticket callback: rs2n_tk_ticket_cb's log, and s2n_session_ticket_get_data
 * into a heap buffer one byte too small (valgrind sees a write past it). */
static int short_rc = 1;
static char short_err[64];

static int ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    size_t len = 0;
    if (s2n_session_ticket_get_data_len(ticket, &len) == S2N_SUCCESS && len > 0) {
        uint8_t *small = malloc(len - 1);
        REQUIRE_NOT_NULL(small);
        s2n_errno = S2N_ERR_T_OK;
        short_rc = s2n_session_ticket_get_data(ticket, len - 1, small);
        snprintf(short_err, sizeof(short_err), "%s", short_rc ? s2n_strerror_name(s2n_errno) : "");
        free(small);
    }
    return rs2n_tk_ticket_cb(conn, ctx, ticket);
}

/* Where the state (format byte) starts: after the kind and ticket or ID. */
static size_t state_at(const uint8_t *b)
{
    return b[0] == 1 ? 3 + (size_t) be(b + 1, 2) : 2 + (size_t) b[1];
}

/* Would catch: the two ways to get the bytes disagreeing on the length, a
 * too-small buffer filled (or written past) instead of refused, the fields
 * moving or saying something else than the connection (a ticket that is not
 * the one offered next, another suite, time or lifetime), a tag that is not per
 * process or a handle that is not per session, a saved-at from another clock. */
static void test_layout(int version)
{
    printf("%s: length and layout\n", rs2n_tk_version_name(version));
    struct s2n_config *server = server_config(version);
    struct s2n_config *client = rs2n_resume_client_config(policy_of(version), &tk_clock, 1, NULL);
    EXPECT_SUCCESS(s2n_config_set_session_ticket_cb(client, ticket_cb, &tk_log));

    struct rs2n_pair p;
    rs2n_tk_log_reset(&tk_log);
    short_rc = 1;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_print_pair_result("handshake", &res);
        REQUIRE(0);
    }
    REQUIRE(rs2n_read_tickets(p.client) == 0);
    EXPECT_EQUAL(tk_log.count, 1);
    EXPECT_EQUAL(tk_log.errors, 0);
    EXPECT_EQUAL(short_rc, -1);
    EXPECT_STRING_EQUAL(short_err, "S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG");

    const int len = s2n_connection_get_session_length(p.client);
    REQUIRE(len >= REF_LEN + STATE_LEN + 3 && len < RS2N_SESSION_MAX - 16);
    EXPECT_EQUAL(tk_log.tickets[0].len, len);
    uint8_t *small = malloc((size_t) len - 1);
    REQUIRE_NOT_NULL(small);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_session(p.client, small, (size_t) len - 1),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG");
    free(small);
    uint8_t b[RS2N_SESSION_MAX];
    memset(b, 0xa5, sizeof(b));
    EXPECT_EQUAL(s2n_connection_get_session(p.client, b, sizeof(b)), len);
    EXPECT_EQUAL(b[len], 0xa5); /* nothing written after the session */
    const int hint = s2n_connection_get_session_ticket_lifetime_hint(p.client);
    uint8_t suite[2] = { 0 };
    EXPECT_SUCCESS(s2n_connection_get_cipher_iana_value(p.client, &suite[0], &suite[1]));
    rs2n_pair_close(&p);

    /* s2n-tls's part: a ticket, then format, protocol, suite, time. */
    EXPECT_EQUAL(b[0], 1);
    const size_t st = state_at(b);
    EXPECT_EQUAL(st + STATE_LEN + REF_LEN, (size_t) len);
    EXPECT_EQUAL(b[st], version == S2N_TLS13 ? 2 : 4);
    EXPECT_EQUAL(b[st + 1], version);
    EXPECT_TRUE(b[st + 2] == suite[0] && b[st + 3] == suite[1]);
    EXPECT_EQUAL(be(b + st + 4, 8), tk_clock.seconds * 1000000000ull);
    /* rs2n's part. */
    const uint8_t *ref = b + st + STATE_LEN;
    EXPECT_TRUE(memcmp(ref, "RS2N", 4) == 0);
    EXPECT_EQUAL(ref[4], 3);
    EXPECT_TRUE(hint > 0);
    EXPECT_EQUAL(be(ref + LIFETIME_AT, 4), version == S2N_TLS13 ? 0 : (uint64_t) hint);
    EXPECT_EQUAL(be(ref + EARLY_AT, 4), 0);
    /* The callback's bytes name the same session, in the same form. */
    EXPECT_TRUE(memcmp(tk_log.tickets[0].data, b, (size_t) len) == 0);

    /* TLS1.2: the ticket is the one the next ClientHello offers; TLS1.3: left
     * out (rustls shows it only through its Debug form, too slow for every
     * connection). */
    if (version == S2N_TLS13) {
        EXPECT_EQUAL(st, 3);
    }
    struct rs2n_session saved;
    memcpy(saved.data, b, (size_t) len);
    saved.len = len;
    struct rs2n_conn r;
    connect_offer(server, client, &saved, &r);
    RS2N_TK_CHECK("the saved bytes", &r, &tk_log, version, 1, version == S2N_TLS13 ? 1 : 0);
    const long at = rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME);
    const size_t ticket_len = st - 3;
    REQUIRE(at >= 0 && (size_t) at + ticket_len <= r.client_hello_len);
    if (version == S2N_TLS12) {
        EXPECT_TRUE(ticket_len > 17);
        EXPECT_TRUE(memcmp(r.client_hello + at, b + 3, ticket_len) == 0);
    }

    /* Another session of this process: the same tag, another handle. */
    tk_clock.seconds += 10;
    struct rs2n_session other = get_session(server, client, version);
    tk_clock.seconds -= 10;
    const uint8_t *oref = other.data + state_at(other.data) + STATE_LEN;
    EXPECT_TRUE(memcmp(oref + TAG_AT, ref + TAG_AT, 16) == 0);
    EXPECT_FALSE(memcmp(oref + HANDLE_AT, ref + HANDLE_AT, 16) == 0);
    EXPECT_EQUAL(be(other.data + state_at(other.data) + 4, 8), (tk_clock.seconds + 10) * 1000000000ull);
    EXPECT_FALSE(memcmp(oref + MAC_AT, ref + MAC_AT, 32) == 0);

    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* Every byte altered                                                        */
/* ------------------------------------------------------------------------- */

/* Offers `s` altered at byte `i` (xor `mask`, or set to `value` if mask is 0):
 * refused with S2N_ERR_INVALID_SERIALIZED_SESSION_STATE, or accepted if
 * `accepted`; nothing offered, a full handshake. */
static void offer_altered(struct s2n_config *server, struct s2n_config *client, int version,
                          const struct rs2n_session *s, size_t i, uint8_t mask, uint8_t value,
                          int accepted)
{
    struct rs2n_session bad = *s;
    bad.data[i] = mask ? (uint8_t) (bad.data[i] ^ mask) : value;
    char what[96];
    snprintf(what, sizeof(what), "%s, byte %zu %s 0x%02x", rs2n_tk_version_name(version), i,
             mask ? "xor" : "set to", mask ? mask : value);
    struct rs2n_conn r;
    connect_offer(server, client, &bad, &r);
    if (accepted) {
        if (r.set_session_rc != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_connection_set_session failed with %s, expected success",
                           what, s2n_strerror_name(r.set_session_err));
        }
    } else if (r.set_session_rc != -1) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: s2n_connection_set_session returned %d, expected -1",
                       what, r.set_session_rc);
    } else {
        if (s2n_error_get_type(r.set_session_err) != S2N_ERR_T_USAGE ||
            strcmp(s2n_strerror_name(r.set_session_err), "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE") != 0) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "%s: s2n_connection_set_session failed with %s (%s), expected "
                           "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE (S2N_ERR_T_USAGE)",
                           what, s2n_strerror_name(r.set_session_err),
                           rs2n_error_type_name(s2n_error_get_type(r.set_session_err)));
        }
        r.set_session_rc = 0; /* checked: now the handshake */
    }
    if (rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME) >= 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the client offered a ticket", what);
    }
    RS2N_TK_CHECK(what, &r, &tk_log, version, 0, 1);
}

/* Would catch: bytes that do not authenticate every field (a flipped byte
 * accepted: the client would offer another session than the one saved, or a
 * forged one), the tag check too strict (another process's bytes refused:
 * applications that share sessions across processes would get errors) or too
 * lax, a refused or foreign offer that breaks the connection, consumes the
 * session, or offers something; TLS1.3 sessions resuming twice. */
static void test_flips(int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("%s: every byte altered\n", rs2n_tk_version_name(version));
    struct s2n_config *server = server_config(version);
    struct s2n_config *client = rs2n_resume_client_config(policy_of(version), &tk_clock, 1, &tk_log);
    struct rs2n_session good = get_session(server, client, version);
    const size_t st = state_at(good.data), ref = st + STATE_LEN;
    REQUIRE(good.len == (int) (ref + REF_LEN));

    static const uint8_t masks[] = { 0x01, 0x80 };
    for (size_t m = 0; m < sizeof(masks); m++) {
        for (size_t i = 0; i < (size_t) good.len; i++) {
            /* Of the ticket, its first, middle and last bytes. */
            if (i > 3 && i < st - 1 && i != (st + 3) / 2) {
                continue;
            }
            const int tag = i >= ref + TAG_AT && i < ref + HANDLE_AT;
            offer_altered(server, client, version, &good, i, masks[m], 0, tag);
        }
    }
    /* The other known protocol: well formed, but it does not authenticate. */
    offer_altered(server, client, version, &good, st + 1, 0, tls13 ? S2N_TLS12 : S2N_TLS13, 0);

    /* Nothing was used up: the original bytes resume. */
    struct rs2n_conn r;
    connect_offer(server, client, &good, &r);
    RS2N_TK_CHECK("the original bytes after all that", &r, &tk_log, version, 1, tls13 ? 1 : 0);
    EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME) >= 0);
    /* And again (TLS1.3: with the ticket the resumption brought). */
    connect_offer(server, client, &good, &r);
    RS2N_TK_CHECK("the original bytes a second time", &r, &tk_log, version, 1, tls13 ? 1 : 0);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* A reload                                                                  */
/* ------------------------------------------------------------------------- */

/* A client config trusting the test CA, and `extra_ca` too if not NULL. */
static struct s2n_config *client_trusting(int version, const char *extra_ca)
{
    struct s2n_config *client = rs2n_resume_client_config(policy_of(version), &tk_clock, 1, &tk_log);
    if (extra_ca) {
        char *pem = rs2n_read_cert(extra_ca);
        REQUIRE_SUCCESS(s2n_config_add_pem_to_trust_store(client, pem));
        free(pem);
    }
    return client;
}

/* Runs first, before any other session of that trust store exists in the
 * process (each version uses a trust store of its own), so nothing else keeps
 * what the session needs alive.
 *
 * Would catch: a session that depends on the config that got it (freeing it
 * drops what resuming needs: the session is lost, or worse, used after free:
 * valgrind), as a client that reloads its settings would see. */
static void test_reload(int version, const char *extra_ca)
{
    printf("%s: a session outlives its client config (trust: test CA%s)\n", rs2n_tk_version_name(version),
           extra_ca ? " + another CA" : "");
    struct s2n_config *server = server_config(version);
    struct s2n_config *client = client_trusting(version, extra_ca);
    struct rs2n_session s = get_session(server, client, version);
    s2n_config_free(client);

    client = client_trusting(version, extra_ca);
    struct rs2n_conn r;
    connect_offer(server, client, &s, &r);
    RS2N_TK_CHECK("the session on a new config with the same trust", &r, &tk_log, version, 1,
                  version == S2N_TLS13 ? 1 : 0);
    EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME) >= 0);
    s2n_config_free(client);
    s2n_config_free(server);
}

int main(void)
{
    rs2n_test_begin("test_session_bytes", 280);
    /* First: no session of these trust stores exists yet. */
    test_reload(S2N_TLS13, NULL);
    test_reload(S2N_TLS12, "other_ca_cert.pem");
    test_layout(S2N_TLS13);
    test_layout(S2N_TLS12);
    test_flips(S2N_TLS13);
    test_flips(S2N_TLS12);
    return rs2n_test_finish();
}
