/*
 * Tickets and session bytes that must not resume, TLS1.3 and TLS1.2.
 *
 * On the wire: the client's ClientHello is changed on its way to the server
 * (a bit of the ticket's sealed part, or of its key name, which rs2n sends in
 * the clear after a version byte 0x01). The server must not fail on such a
 * ticket: its s2n_negotiate goes on (blocked on read, waiting for the client)
 * and its reply is a full handshake (TLS1.3: no pre_shared_key in the
 * ServerHello; TLS1.2: a Certificate message, and the session_ticket
 * extension, i.e. a new ticket). The handshake itself cannot complete: the
 * client's transcript holds the ClientHello it sent, the server's the changed
 * one, so the Finished messages (and TLS1.3 handshake keys) differ, as TLS
 * requires. The same path without a change resumes and completes (control).
 *
 * Whole handshakes with tickets the server cannot use: a server whose key has
 * the same name but other material, a server with another key name, a server
 * with no key, a server with tickets off: each gives a full handshake (with a
 * new ticket when it has a key and tickets on), never an error.
 *
 * s2n_connection_set_session: garbage, truncated, oversized bytes and bytes
 * with a wrong magic, format or protocol, and this process's bytes altered in
 * any byte (they are authenticated), fail with S2N_ERR_T_USAGE and the
 * connection then completes a full handshake; bytes from another process
 * (another process tag) are accepted and give a full handshake.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

#define KEY_NAME "bad-tests-key"
#define KEY_MATERIAL "material of the key of the bad tests"

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    /* offer may fail: the callers check s2n_connection_set_session */
    rs2n_tk_connect(server, client, offer, 1, &tk_log, r);
}

/* A fresh session from a full handshake with `server`. */
static struct rs2n_session get_session(struct s2n_config *server, struct s2n_config *client,
                                          int version)
{
    struct rs2n_conn r;
    connect_offer(server, client, NULL, &r);
    RS2N_TK_CHECK("full handshake for a session", &r, &tk_log, version, 0, 1);
    REQUIRE(r.session.len > 0);
    return r.session;
}

/* ------------------------------------------------------------------------- */
/* The server's first flight                                                 */
/* ------------------------------------------------------------------------- */

struct flight {
    int has_server_hello;
    int psk_ext;            /* ServerHello has pre_shared_key (41) */
    int ticket_ext;         /* ServerHello has session_ticket (35) */
    int certificate;        /* a plaintext Certificate (11) message followed */
    int new_session_ticket; /* a plaintext NewSessionTicket (4) followed */
};

/* Parses the plaintext handshake records at the start of a server flight. */
static void parse_flight(const uint8_t *b, size_t len, struct flight *f)
{
    memset(f, 0, sizeof(*f));
    size_t pos = 0;
    while (pos + 5 <= len && b[pos] == 22) {
        size_t rlen = ((size_t) b[pos + 3] << 8) | b[pos + 4];
        size_t body = pos + 5, end = body + rlen;
        if (end > len) {
            break;
        }
        while (body + 4 <= end) {
            uint8_t type = b[body];
            size_t mlen = ((size_t) b[body + 1] << 16) | ((size_t) b[body + 2] << 8) | b[body + 3];
            size_t m = body + 4, mend = m + mlen;
            if (mend > end) {
                break;
            }
            if (type == 2 && mend - m >= 38) {
                f->has_server_hello = 1;
                size_t p = m + 2 + 32;
                p += 1 + b[p]; /* session id */
                p += 2 + 1;    /* cipher suite, compression */
                if (p + 2 <= mend) {
                    size_t elen = ((size_t) b[p] << 8) | b[p + 1];
                    size_t e = p + 2, eend = e + elen;
                    while (e + 4 <= eend && eend <= mend) {
                        unsigned etype = ((unsigned) b[e] << 8) | b[e + 1];
                        size_t l = ((size_t) b[e + 2] << 8) | b[e + 3];
                        f->psk_ext |= etype == 41;
                        f->ticket_ext |= etype == 35;
                        e += 4 + l;
                    }
                }
            } else if (type == 11) {
                f->certificate = 1;
            } else if (type == 4) {
                f->new_session_ticket = 1;
            }
            body = mend;
        }
        pos = end;
    }
}

enum tamper_mode { TAMPER_NONE, TAMPER_SEALED, TAMPER_NAME };

struct tamper {
    enum tamper_mode mode;
    long found; /* offset of the ticket in the ClientHello, -1 if absent */
};

static void tamper_hook(uint8_t *bytes, size_t len, void *ctx)
{
    struct tamper *t = ctx;
    t->found = rs2n_tk_find_ticket(bytes, len, KEY_NAME);
    if (t->found < 0) {
        return;
    }
    size_t at = (size_t) t->found;
    if (t->mode == TAMPER_NAME && at + 2 < len) {
        bytes[at + 2] ^= 0x01; /* the key name's second byte */
    } else if (t->mode == TAMPER_SEALED && at + 1 + 16 + 12 + 5 < len) {
        bytes[at + 1 + 16 + 12 + 5] ^= 0x10; /* a byte of the ciphertext */
    }
}

/* Runs a handshake with the ClientHello changed on its way; checks the
 * server's reaction. */
static void test_wire(struct s2n_config *server_config, struct s2n_config *client_config,
                      int version, enum tamper_mode mode)
{
    static const char *names[] = { "unchanged (control)", "a bit of the sealed part flipped",
                                   "a bit of the key name flipped" };
    printf("  %s, ticket in the ClientHello: %s\n", rs2n_tk_version_name(version), names[mode]);
    struct rs2n_session session = get_session(server_config, client_config, version);

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
    EXPECT_SUCCESS(s2n_connection_set_session(client, session.data, (size_t) session.len));

    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    struct tamper t = { mode, -1 };
    struct rs2n_mem_queue *to_server = pipe.b.out;
    tamper_hook(to_server->data + to_server->off, rs2n_mem_queue_pending(to_server), &t);
    EXPECT_TRUE(t.found >= 0);

    /* The server reads the ClientHello, answers, and waits for the client. */
    blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(server, &blocked);
    if (rc == 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED || blocked != S2N_BLOCKED_ON_READ) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "%s, %s: the server's s2n_negotiate after the ClientHello returned %d "
                       "(blocked %d), expected to block on read",
                       rs2n_tk_version_name(version), names[mode], rc, (int) blocked);
        rs2n_print_s2n_error("  s2n error");
    }
    struct rs2n_mem_queue *to_client = pipe.a.out;
    struct flight f;
    parse_flight(to_client->data + to_client->off, rs2n_mem_queue_pending(to_client), &f);
    EXPECT_TRUE(f.has_server_hello);
    const int resume = mode == TAMPER_NONE;
    if (version == S2N_TLS13) {
        /* Resuming: the server accepts the PSK; else it ignores it. */
        EXPECT_EQUAL(f.psk_ext, resume);
    } else {
        /* Resuming: no Certificate; the key still encrypts, so no new ticket:
         * as s2n-tls, no session_ticket extension and no NewSessionTicket.
         * Full handshake: a Certificate, and a new ticket announced (it comes
         * after the client's Finished). */
        EXPECT_EQUAL(f.certificate, !resume);
        EXPECT_EQUAL(f.ticket_ext, !resume);
        EXPECT_FALSE(f.new_session_ticket);
    }

    struct rs2n_pair_result res;
    rc = rs2n_negotiate_pair(server, client, &res);
    if (resume) {
        if (rc != 0) {
            rs2n_print_pair_result("control handshake", &res);
        }
        EXPECT_EQUAL(rc, 0);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(client), 1);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(server), 1);
    } else {
        /* A changed ClientHello must never give a working connection. */
        EXPECT_NOT_EQUAL(rc, 0);
    }
    s2n_connection_free(server);
    s2n_connection_free(client);
    rs2n_mem_pipe_free(&pipe);
}

/* ------------------------------------------------------------------------- */
/* Servers that cannot use the ticket                                        */
/* ------------------------------------------------------------------------- */

static void test_other_servers(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("  %s, servers that cannot use the ticket\n", rs2n_tk_version_name(version));
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY_NAME, KEY_MATERIAL, 0));
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);

    struct s2n_config *same_name = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(same_name, KEY_NAME, "other material under the same name", 0));
    struct s2n_config *other_name = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(other_name, "another-name", KEY_MATERIAL, 0));
    struct s2n_config *no_key = rs2n_resume_server_config(policy, &tk_clock, 1);
    struct s2n_config *tickets_off = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(tickets_off, KEY_NAME, KEY_MATERIAL, 0));
    EXPECT_SUCCESS(s2n_config_set_session_tickets_onoff(tickets_off, 0));

    struct {
        const char *what;
        struct s2n_config *config;
        int tickets;
    } cases[] = {
        { "same key name, other material", same_name, 1 },
        { "other key name, same material", other_name, 1 },
        { "no ticket key", no_key, 0 },
        { "session tickets off", tickets_off, 0 },
    };
    struct rs2n_conn r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rs2n_session s = get_session(server, client, version);
        connect_offer(cases[i].config, client, &s, &r);
        RS2N_TK_CHECK(cases[i].what, &r, &tk_log, version, 0, cases[i].tickets);
        /* The client did offer the ticket. */
        EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME) >= 0);
        if (cases[i].tickets) {
            /* The new ticket is that server's own: it resumes there. */
            connect_offer(cases[i].config, client, &r.session, &r);
            RS2N_TK_CHECK(cases[i].what, &r, &tk_log, version, 1, tls13 ? 1 : 0);
        }
        if (!tls13) {
            /* The TLS1.2 ticket still works where it came from. */
            connect_offer(server, client, &s, &r);
            RS2N_TK_CHECK("back on the server that issued it", &r, &tk_log, version, 1, 0);
        }
    }
    s2n_config_free(same_name);
    s2n_config_free(other_name);
    s2n_config_free(no_key);
    s2n_config_free(tickets_off);
    s2n_config_free(server);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* s2n_connection_set_session with bad bytes                                 */
/* ------------------------------------------------------------------------- */

/* Offers `bytes`; expects s2n_connection_set_session to fail with USAGE (or
 * succeed, if `accepted`), then a full handshake with a ticket. */
static void offer_bad(struct s2n_config *server, struct s2n_config *client, int version,
                      const char *what, const uint8_t *bytes, size_t len, int accepted)
{
    struct rs2n_session s;
    memset(&s, 0, sizeof(s));
    REQUIRE(len <= sizeof(s.data));
    memcpy(s.data, bytes, len);
    s.len = (int) len;
    struct rs2n_conn r;
    connect_offer(server, client, &s, &r);
    if (accepted) {
        if (r.set_session_rc != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s, %s: s2n_connection_set_session failed with %s",
                           rs2n_tk_version_name(version), what, s2n_strerror_name(r.set_session_err));
        }
        /* Nothing was offered. */
        EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, KEY_NAME) < 0);
    } else {
        if (r.set_session_rc != -1) {
            rs2n_test_fail(__FILE__, __LINE__, "%s, %s: s2n_connection_set_session returned %d, expected -1",
                           rs2n_tk_version_name(version), what, r.set_session_rc);
        } else if (s2n_error_get_type(r.set_session_err) != S2N_ERR_T_USAGE) {
            rs2n_test_fail(__FILE__, __LINE__, "%s, %s: s2n_connection_set_session failed with %s (%s), expected S2N_ERR_T_USAGE",
                           rs2n_tk_version_name(version), what, s2n_strerror_name(r.set_session_err),
                           rs2n_error_type_name(s2n_error_get_type(r.set_session_err)));
        } else if (strcmp(s2n_strerror_name(r.set_session_err), "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE") != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "%s, %s: error %s, expected S2N_ERR_INVALID_SERIALIZED_SESSION_STATE",
                           rs2n_tk_version_name(version), what, s2n_strerror_name(r.set_session_err));
        }
        r.set_session_rc = 0; /* checked: now the handshake */
    }
    char label[128];
    snprintf(label, sizeof(label), "after set_session(%s)", what);
    RS2N_TK_CHECK(label, &r, &tk_log, version, 0, 1);
}

static void test_set_session(const char *policy, int version)
{
    printf("  %s, s2n_connection_set_session with bad bytes\n", rs2n_tk_version_name(version));
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY_NAME, KEY_MATERIAL, 0));
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);

    struct rs2n_session good = get_session(server, client, version);
    const size_t n = (size_t) good.len;
    uint8_t buf[RS2N_SESSION_MAX];

    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t) x;
    }
    offer_bad(server, client, version, "garbage of the right length", buf, n, 0);
    offer_bad(server, client, version, "1 KiB of garbage", buf, 1024, 0);
    offer_bad(server, client, version, "one byte", good.data, 1, 0);
    offer_bad(server, client, version, "truncated by one byte", good.data, n - 1, 0);
    offer_bad(server, client, version, "half a session", good.data, n / 2, 0);
    memcpy(buf, good.data, n);
    buf[n] = 0;
    offer_bad(server, client, version, "one byte too many", buf, n + 1, 0);
    memcpy(buf + n, good.data, n);
    offer_bad(server, client, version, "the session twice", buf, 2 * n, 0);

    /* The layout (see test_session_bytes.c): s2n-tls's kind, ticket and state
     * (format, protocol, suite, time), then rs2n's reference, 77 bytes from the
     * end: "RS2N", format, tag (16), handle (16), lifetime, early data, MAC (32). */
    REQUIRE(n >= 92);
    const size_t ref = n - 77, tag = ref + 5, handle = tag + 16, protocol = ref - 11;
    memcpy(buf, good.data, n);
    buf[0] = 7;
    offer_bad(server, client, version, "unknown kind", buf, n, 0);
    memcpy(buf, good.data, n);
    buf[3] ^= 0x01;
    offer_bad(server, client, version, "byte 3 altered (a TLS1.2 ticket, the TLS1.3 state format)", buf, n, 0);
    memcpy(buf, good.data, n);
    buf[ref] ^= 0x20;
    offer_bad(server, client, version, "wrong magic", buf, n, 0);
    memcpy(buf, good.data, n);
    buf[ref + 4] ^= 0x80;
    offer_bad(server, client, version, "unknown format", buf, n, 0);
    memcpy(buf, good.data, n);
    buf[protocol] = 0x99;
    offer_bad(server, client, version, "unknown protocol version", buf, n, 0);

    /* A valid session from another process: only the process tag differs. */
    memcpy(buf, good.data, n);
    buf[tag] ^= 0x01;
    offer_bad(server, client, version, "another process's tag (first byte)", buf, n, 1);
    memcpy(buf, good.data, n);
    buf[tag + 15] ^= 0x80;
    offer_bad(server, client, version, "another process's tag (last byte)", buf, n, 1);
    /* This process's tag with another handle, or any byte altered: the bytes no
     * longer authenticate, so they are rejected and consume nothing. */
    memcpy(buf, good.data, n);
    buf[handle + 15] ^= 0x40;
    buf[handle] ^= 0x40;
    offer_bad(server, client, version, "an unknown session handle", buf, n, 0);
    memcpy(buf, good.data, n);
    buf[n - 1] ^= 0x01;
    offer_bad(server, client, version, "an altered MAC", buf, n, 0);

    /* The good session was not harmed by all this. */
    struct rs2n_conn r;
    connect_offer(server, client, &good, &r);
    RS2N_TK_CHECK("the good session", &r, &tk_log, version, 1, version == S2N_TLS13 ? 1 : 0);

    /* Argument errors. */
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    struct s2n_connection *sconn = s2n_connection_new(S2N_SERVER);
    REQUIRE(conn && sconn);
    EXPECT_SUCCESS(s2n_connection_set_config(conn, client));
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_session(conn, NULL, n), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_session(NULL, good.data, n), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_session(sconn, good.data, n), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_set_session(conn, good.data, 0), S2N_ERR_T_USAGE);
    s2n_connection_free(conn);
    s2n_connection_free(sconn);

    s2n_config_free(server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_bad", 120);
    static const struct {
        const char *policy;
        int version;
    } versions[] = { { "default_tls13", S2N_TLS13 }, { "20240501", S2N_TLS12 } };
    for (size_t v = 0; v < 2; v++) {
        printf("%s\n", rs2n_tk_version_name(versions[v].version));
        struct s2n_config *server = rs2n_resume_server_config(versions[v].policy, &tk_clock, 1);
        REQUIRE_SUCCESS(rs2n_tk_add_key(server, KEY_NAME, KEY_MATERIAL, 0));
        struct s2n_config *client = rs2n_resume_client_config(versions[v].policy, &tk_clock, 1, &tk_log);
        test_wire(server, client, versions[v].version, TAMPER_NONE);
        test_wire(server, client, versions[v].version, TAMPER_SEALED);
        test_wire(server, client, versions[v].version, TAMPER_NAME);
        s2n_config_free(server);
        s2n_config_free(client);

        test_other_servers(versions[v].policy, versions[v].version);
        test_set_session(versions[v].policy, versions[v].version);
    }
    return rs2n_test_finish();
}
