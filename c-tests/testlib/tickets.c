/* testlib/tickets.c: the fake clock, ticket keys and configs, the ticket
 * callback's log and RS2N_TK_CHECK: see tickets.h. */
#include "tickets.h"

#include "certs.h"

int rs2n_fake_clock_fn(void *ctx, uint64_t *nanoseconds)
{
    const struct rs2n_fake_clock *clock = ctx;
    *nanoseconds = clock->seconds * 1000000000ull;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Ticket keys and configs                                                   */
/* ------------------------------------------------------------------------- */

int rs2n_tk_add_key(struct s2n_config *config, const char *name, const char *material,
                    uint64_t intro_secs)
{
    return s2n_config_add_ticket_crypto_key(config, (const uint8_t *) name,
                                            (uint32_t) strlen(name), (uint8_t *) material,
                                            (uint32_t) strlen(material), intro_secs);
}

void rs2n_add_ticket_key(struct s2n_config *config, const char *name)
{
    uint8_t material[32];
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof(material); i++) {
        material[i] = (uint8_t) (name[i % len] * 31u + i * 7u + len);
    }
    if (s2n_config_add_ticket_crypto_key(config, (const uint8_t *) name, (uint32_t) len, material,
                                         sizeof(material), 0) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_add_ticket_crypto_key");
    }
}

void rs2n_tk_log_reset(struct rs2n_tk_log *log)
{
    memset(log, 0, sizeof(*log));
}

void rs2n_tk_connect(struct s2n_config *server, struct s2n_config *client,
                     const struct rs2n_session *offer, int offer_may_fail,
                     struct rs2n_tk_log *log, struct rs2n_conn *r)
{
    struct rs2n_connect_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.offer = offer;
    opts.offer_may_fail = offer_may_fail;
    rs2n_tk_log_reset(log);
    rs2n_connect(server, client, &opts, r);
}

const char *rs2n_tk_version_name(int version)
{
    return version == S2N_TLS13 ? "TLS1.3" : "TLS1.2";
}

int rs2n_tk_ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    struct rs2n_tk_log *log = ctx;
    (void) conn;
    unsigned i = log->count++;
    size_t len = 0;
    uint32_t lifetime = 0;
    struct rs2n_session scratch;
    struct rs2n_session *slot = i < RS2N_TK_LOG_MAX ? &log->tickets[i] : &scratch;
    slot->len = 0;
    if (s2n_session_ticket_get_data_len(ticket, &len) != S2N_SUCCESS || len == 0 ||
        len > sizeof(slot->data) ||
        s2n_session_ticket_get_data(ticket, sizeof(slot->data), slot->data) != S2N_SUCCESS ||
        s2n_session_ticket_get_lifetime(ticket, &lifetime) != S2N_SUCCESS) {
        log->errors++;
        return S2N_SUCCESS;
    }
    slot->len = (int) len;
    if (i < RS2N_TK_LOG_MAX) {
        log->lifetimes[i] = lifetime;
    }
    return S2N_SUCCESS;
}

/* The wall clock (if any) and session tickets on or off, on either side. */
static void set_clock_and_tickets(struct s2n_config *config, struct rs2n_fake_clock *clock,
                                  int tickets)
{
    if (clock && s2n_config_set_wall_clock(config, rs2n_fake_clock_fn, clock) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_set_wall_clock");
    }
    if (s2n_config_set_session_tickets_onoff(config, tickets ? 1 : 0) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_set_session_tickets_onoff");
    }
}

struct s2n_config *rs2n_resume_server_config(const char *policy, struct rs2n_fake_clock *clock,
                                             int tickets)
{
    struct s2n_config *config = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    set_clock_and_tickets(config, clock, tickets);
    return config;
}

struct s2n_config *rs2n_resume_client_config(const char *policy, struct rs2n_fake_clock *clock,
                                             int tickets, struct rs2n_tk_log *log)
{
    struct s2n_config *config = rs2n_client_config("ca_cert.pem", policy);
    set_clock_and_tickets(config, clock, tickets);
    if (log && s2n_config_set_session_ticket_cb(config, rs2n_tk_ticket_cb, log) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_set_session_ticket_cb");
    }
    return config;
}

/* ------------------------------------------------------------------------- */
/* Looking at tickets and connections                                        */
/* ------------------------------------------------------------------------- */

long rs2n_tk_find(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len)
{
    if (needle_len == 0 || hay_len < needle_len) {
        return -1;
    }
    for (size_t i = 0; i + needle_len <= hay_len; i++) {
        if (memcmp(hay + i, needle, needle_len) == 0) {
            return (long) i;
        }
    }
    return -1;
}

long rs2n_tk_find_ticket(const uint8_t *bytes, size_t len, const char *name)
{
    uint8_t header[17] = { 0x02 };
    size_t n = strlen(name);
    memcpy(header + 1, name, n < 16 ? n : 16);
    return rs2n_tk_find(bytes, len, header, sizeof(header));
}

const char *rs2n_tk_type_name(int version, int resumed, int tls12_ticket)
{
    if (version == S2N_TLS13) {
        return resumed ? "NEGOTIATED|MIDDLEBOX_COMPAT" : "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT";
    }
    if (resumed) {
        return tls12_ticket ? "NEGOTIATED|WITH_SESSION_TICKET" : "NEGOTIATED";
    }
    return tls12_ticket
               ? "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY|WITH_SESSION_TICKET"
               : "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY";
}

int rs2n_tk_check(const char *file, int line, const char *what, const struct rs2n_conn *r,
                  const struct rs2n_tk_log *log, int version, int resumed, int tickets)
{
    int before = rs2n_test_failures;
    if (r->set_session_rc != 0) {
        rs2n_test_fail(file, line, "%s: s2n_connection_set_session failed (%s)", what,
                       s2n_strerror_name(r->set_session_err));
    }
    if (r->rc != 0) {
        rs2n_test_fail(file, line, "%s: the handshake failed", what);
        rs2n_print_pair_result("  handshake", &r->res);
        return 0;
    }
    if (r->version != version) {
        rs2n_test_fail(file, line, "%s: protocol version %d, expected %d", what, r->version, version);
    }
    const char *how = resumed ? "resumed" : "a full handshake";
    if (r->client_resumed != resumed || r->server_resumed != resumed) {
        rs2n_test_fail(file, line, "%s: expected %s; s2n_connection_is_session_resumed: client %d, server %d",
                       what, how, r->client_resumed, r->server_resumed);
    }
    int sent = r->tickets_sent;
    if (sent < 0) {
        rs2n_test_fail(file, line, "%s: s2n_connection_get_tickets_sent failed", what);
        sent = 0;
    } else if ((tickets >= 0 && sent != tickets) || (tickets == RS2N_TK_SOME && sent < 1)) {
        rs2n_test_fail(file, line, "%s: the server sent %d ticket(s), expected %s%d", what, sent,
                       tickets == RS2N_TK_SOME ? "at least " : "", tickets == RS2N_TK_SOME ? 1 : tickets);
    }
    const char *type = rs2n_tk_type_name(version, resumed, sent > 0);
    if (strcmp(r->client_type, type) != 0 || strcmp(r->server_type, type) != 0) {
        rs2n_test_fail(file, line, "%s: handshake type names: client \"%s\", server \"%s\", expected \"%s\"",
                       what, r->client_type, r->server_type, type);
    }
    if (!r->recv_ok) {
        rs2n_test_fail(file, line, "%s: the client's s2n_recv after the handshake did not end blocked on read",
                       what);
    }
    if (log) {
        if (log->count != (unsigned) sent) {
            rs2n_test_fail(file, line, "%s: the session ticket callback was called %u time(s); the server sent %d",
                           what, log->count, sent);
        }
        if (log->errors) {
            rs2n_test_fail(file, line, "%s: s2n_session_ticket_* failed in %u callback call(s)", what,
                           log->errors);
        }
        unsigned kept = log->count < RS2N_TK_LOG_MAX ? log->count : RS2N_TK_LOG_MAX;
        for (unsigned i = 0; i < kept; i++) {
            if (log->tickets[i].len <= 0) {
                rs2n_test_fail(file, line, "%s: ticket %u has no data", what, i);
            }
        }
        if (kept > 0 && log->count <= RS2N_TK_LOG_MAX &&
            r->lifetime_hint != (long long) log->lifetimes[kept - 1]) {
            rs2n_test_fail(file, line,
                           "%s: s2n_connection_get_session_ticket_lifetime_hint is %d; the callback's last "
                           "ticket said %u", what, r->lifetime_hint, log->lifetimes[kept - 1]);
        }
    }
    if (sent > 0) {
        if (r->session.len <= 0) {
            rs2n_test_fail(file, line, "%s: %d ticket(s) sent but the client has no session (length %d)",
                           what, sent, r->session.len);
        }
        if (r->lifetime_hint <= 0) {
            rs2n_test_fail(file, line, "%s: lifetime hint %d after receiving a ticket", what,
                           r->lifetime_hint);
        }
    }
    if (version == S2N_TLS13) {
        if (r->session_len_before_recv != 0) {
            rs2n_test_fail(file, line,
                           "%s: TLS1.3 client's s2n_connection_get_session_length is %d before s2n_recv, "
                           "expected 0", what, r->session_len_before_recv);
        }
        if (sent == 0 && !resumed && r->session.len != 0) {
            rs2n_test_fail(file, line, "%s: no ticket sent but the client's session length is %d", what,
                           r->session.len);
        }
        if (sent == 0 && !resumed && r->lifetime_hint != -1) {
            rs2n_test_fail(file, line, "%s: no ticket sent but the lifetime hint is %d", what,
                           r->lifetime_hint);
        }
    } else if (sent > 0 && r->session_len_before_recv != r->session.len) {
        rs2n_test_fail(file, line,
                       "%s: TLS1.2 client's session length %d right after the handshake, %d after s2n_recv",
                       what, r->session_len_before_recv, r->session.len);
    }
    if (rs2n_test_failures != before) {
        fprintf(stderr, "  (%s: client \"%s\", server \"%s\", tickets sent %d, hint %d, session %d bytes)\n",
                what, r->client_type, r->server_type, r->tickets_sent, r->lifetime_hint, r->session.len);
        return 0;
    }
    return 1;
}
