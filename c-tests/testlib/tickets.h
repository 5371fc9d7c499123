/*
 * testlib/tickets.h: what resumption tests (test_tickets_*.c, test_cache_*.c)
 * share: the one fake wall clock, ticket keys, server and client configs on
 * that clock, a session ticket callback that records what it gets, and
 * RS2N_TK_CHECK, which checks a connection made by rs2n_connect (pair.h).
 */
#ifndef RS2N_TESTLIB_TICKETS_H
#define RS2N_TESTLIB_TICKETS_H

#include "harness.h"
#include "pair.h"

/* ------------------------------------------------------------------------- */
/* The fake wall clock                                                       */
/* ------------------------------------------------------------------------- */

/* A settable wall clock: pass rs2n_fake_clock_fn and a struct rs2n_fake_clock
 * to s2n_config_set_wall_clock (give the server and the client config the
 * same one, unless a test wants them apart). Tests move `seconds` instead of
 * sleeping. */
struct rs2n_fake_clock {
    uint64_t seconds; /* since the Unix epoch */
};
int rs2n_fake_clock_fn(void *ctx, uint64_t *nanoseconds);

/* Roughly the start of year y (the test certificates are valid 2000-2126;
 * tests keep to 2001-2090). */
#define RS2N_YEAR_SECONDS(y) ((uint64_t) ((y) - 1970) * 31556952ull)

/* A fake "now" (seconds; November 2023) well inside the test certificates'
 * validity, for the ticket tests to start their clocks at. */
#define RS2N_TK_T0 1700000000ull

/* ------------------------------------------------------------------------- */
/* Ticket keys and configs                                                   */
/* ------------------------------------------------------------------------- */

/* s2n_config_add_ticket_crypto_key with a NUL-terminated name and material.
 * Returns what it returns. */
int rs2n_tk_add_key(struct s2n_config *config, const char *name, const char *material,
                    uint64_t intro_secs);

/* Adds ticket key `name` (32 bytes of material derived from the name, so
 * distinct names get distinct keys) with intro time 0: now on the config's
 * wall clock. Exits on failure. */
void rs2n_add_ticket_key(struct s2n_config *config, const char *name);

/* Tickets a struct rs2n_tk_log keeps. */
#define RS2N_TK_LOG_MAX 16

/* What a client's session ticket callback was given (rs2n_tk_ticket_cb with a
 * struct rs2n_tk_log as ctx). Reset it with memset or rs2n_tk_log_reset. */
struct rs2n_tk_log {
    unsigned count;  /* calls */
    unsigned errors; /* calls in which a s2n_session_ticket_* function failed */
    struct rs2n_session tickets[RS2N_TK_LOG_MAX]; /* the first tickets' data */
    uint32_t lifetimes[RS2N_TK_LOG_MAX];          /* and lifetimes */
};
void rs2n_tk_log_reset(struct rs2n_tk_log *log);

/* One connection through rs2n_connect with `log` reset first: the client offers
 * `offer` (NULL: none). With `offer_may_fail`, a failing
 * s2n_connection_set_session is left for the caller to check. */
void rs2n_tk_connect(struct s2n_config *server, struct s2n_config *client,
                     const struct rs2n_session *offer, int offer_may_fail,
                     struct rs2n_tk_log *log, struct rs2n_conn *r);

/* "TLS1.3" or "TLS1.2", for messages. */
const char *rs2n_tk_version_name(int version);
int rs2n_tk_ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket);

/* A server config: ECDSA P-256 certificate, `policy` (NULL: default), the
 * wall clock `clock` (NULL: the real one), session tickets on if `tickets`.
 * No ticket key. Exits on failure. */
struct s2n_config *rs2n_resume_server_config(const char *policy, struct rs2n_fake_clock *clock,
                                             int tickets);
/* A client config trusting the test CA: `policy`, the wall clock `clock`
 * (NULL: the real one), session tickets on if `tickets` (needed to receive
 * TLS1.3 tickets), rs2n_tk_ticket_cb with `log` (NULL: no callback). Exits on
 * failure. */
struct s2n_config *rs2n_resume_client_config(const char *policy, struct rs2n_fake_clock *clock,
                                             int tickets, struct rs2n_tk_log *log);

/* ------------------------------------------------------------------------- */
/* Looking at tickets and connections                                        */
/* ------------------------------------------------------------------------- */

/* The offset of `needle` in `hay`, or -1. */
long rs2n_tk_find(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len);
/* The offset of an rs2n ticket sealed by key `name` in `bytes` (its version
 * byte 0x02, the sealed format version, then the name zero-padded to 16 bytes), or -1. */
long rs2n_tk_find_ticket(const uint8_t *bytes, size_t len, const char *name);

/* For rs2n_tk_check's `tickets`: don't check, or "at least one". */
#define RS2N_TK_ANY (-1)
#define RS2N_TK_SOME (-2)

/* s2n's handshake type name for a TLS1.3 or TLS1.2 handshake, full or
 * resumed, with or without a TLS1.2 ticket. */
const char *rs2n_tk_type_name(int version, int resumed, int tls12_ticket);

/* Checks one connection (see rs2n_connect): both sides succeeded at
 * `version`; both say resumed (1) or full (0), with s2n's handshake type
 * names; the server sent `tickets` tickets (or RS2N_TK_ANY / RS2N_TK_SOME);
 * the client's callback (if `log`) got as many as the server sent, each with
 * data, and the client's lifetime hint is the last one's; a TLS1.3 client has
 * no session before s2n_recv, and one after it if tickets came. Failures are
 * reported at file:line with `what`. Returns 1 if everything held. */
int rs2n_tk_check(const char *file, int line, const char *what, const struct rs2n_conn *r,
                  const struct rs2n_tk_log *log, int version, int resumed, int tickets);
#define RS2N_TK_CHECK(what, r, log, version, resumed, tickets) \
    rs2n_tk_check(__FILE__, __LINE__, (what), (r), (log), (version), (resumed), (tickets))

#endif /* RS2N_TESTLIB_TICKETS_H */
