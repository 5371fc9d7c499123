/*
 * rs2nc.c: a TLS client over rs2n's public header (s2n.h) only, in the manner of
 * `openssl s_client -reconnect`.
 *
 *   rs2nc --connect HOST:PORT [--ca FILE | --insecure] [--server-name NAME]
 *         [--policy NAME | --tls12 | --tls13] [--no-tickets] [--reconnect N]
 *         [--sess-in FILE] [--sess-out FILE] [--send TEXT] [--ticket-wait MS]
 *         [--timeout S] [--verbose] [--alpn LIST] [--cert FILE --key FILE]
 *         [--early-data TEXT]
 *
 *   --connect HOST:PORT   the server; loopback only: 127.0.0.1 (any 127/8), ::1
 *                         (written [::1]:PORT) or localhost.
 *   --ca FILE             trust only the CAs in FILE (PEM). Without it: the system's
 *                         trusted CAs.
 *   --insecure            no certificate verification (tests only).
 *   --server-name NAME    SNI and the name the certificate is verified against;
 *                         default "localhost".
 *   --policy NAME         s2n security policy; default "default".
 *   --tls12               policy "20240501" (TLS1.2 only), unless --policy is given.
 *   --tls13               policy "default_tls13", unless --policy is given.
 *   --no-tickets          do not ask for session tickets (no resumption).
 *   --reconnect N         after the first connection, connect N more times, each
 *                         offering the newest session saved so far.
 *   --keep-session        offer the first session saved on every reconnect
 *                         instead of the newest (as a program that saves one
 *                         session does).
 *   --sess-in FILE        offer the session in FILE on the first connection.
 *   --sess-out FILE       after each connection, write the newest session to FILE.
 *   --send TEXT           send TEXT and a newline after each handshake, then read
 *                         the reply (until a newline, the peer's close, or
 *                         --timeout) and copy it to stderr.
 *   --ticket-wait MS      after a TLS1.3 handshake (without --send), read for up
 *                         to MS milliseconds (default 200) so that the server's
 *                         tickets arrive; reading stops 20 ms after the first.
 *   --timeout S           limit, in seconds, for each step of a connection
 *                         (connect, handshake, reply, shutdown); default 5.
 *   --verbose             more detail on stderr (handshake type, session sizes).
 *   --alpn LIST           offer these application protocols (comma separated, most
 *                         preferred first, e.g. h2,http/1.1).
 *   --cert F --key F      a client certificate chain (PEM, leaf first) and its key,
 *                         sent when the server asks for one (mutual TLS).
 *   --early-data TEXT     on connections that offer a session, send TEXT as TLS1.3
 *                         early data (s2n_send_early_data, before s2n_negotiate),
 *                         as much as the session allows; if the server rejects it,
 *                         send it again with s2n_send after the handshake, as s2n
 *                         documents. The line then ends with ", early data: STATUS
 *                         N" (ok, not-requested, rejected or end; N bytes sent early).
 *   --ocsp-out FILE       ask for the server's stapled OCSP response, validated as
 *                         s2n does (--no-ocsp-check: not), print "OCSP response:
 *                         N bytes, stapled 1" (or "none") and write it to FILE.
 *                         (With --ca a client asks anyway, as in s2n, and checks.)
 *   --keylog FILE         append the secrets to FILE (NSS key log format).
 *   --export LABEL:LEN    print "Keying material: HEX" after each handshake
 *                         (TLS1.3; see tls_extras.h).
 *
 * Output: one line per connection on stdout, as s_client prints it:
 *
 *   New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
 *   Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
 *
 * "Reused" is s2n_connection_is_session_resumed(). With --alpn or --cert the line
 * goes on with ", ALPN protocol: P" (or "none") and ", client cert: yes|no"
 * (s2n_connection_client_cert_used).
 *
 * Sessions. TLS1.2 tickets arrive inside the handshake. TLS1.3 tickets arrive
 * after it, as post-handshake messages that only s2n_recv processes; so after a
 * TLS1.3 handshake without --send, rs2nc reads for up to 200 ms (--ticket-wait;
 * the socket is non-blocking, each wait a poll()), stopping 20 ms after the
 * first ticket. A server that sends no ticket costs the whole wait. The
 * session kept is s2n_connection_get_session() at the end of the connection, or
 * else the newest one the session ticket callback saw. Each reconnect offers the
 * newest session, or with --keep-session the first one again: rs2n's TLS1.3
 * bytes name a session line, so they resume again as long as the server sends a
 * fresh ticket on each resumed connection (each resumption uses a new ticket).
 *
 * rs2n differs from s2n-tls here: session bytes resume only in the process that
 * received them (rustls cannot import a client session). Bytes from --sess-in
 * written by another rs2nc process are accepted but give a full handshake ("New").
 *
 * Exit status: 0 if every connection completed its handshake; 1 otherwise.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <s2n.h>

#define EXAMPLE_UTIL_PROG "rs2nc"
#include "example_util.h"
#include "tls_extras.h"

#define MAX_SESSION (64 * 1024)
#define TICKET_WAIT_MS_DEFAULT 200
#define TICKET_SETTLE_MS 20

/* ------------------------------------------------------------------------- */
/* Options                                                                    */
/* ------------------------------------------------------------------------- */

struct options {
    char host[256];
    char port[16];
    const char *ca;
    int insecure;
    const char *server_name;
    const char *policy;
    int tickets;
    int keep_session;
    long reconnect;
    const char *sess_in;
    const char *sess_out;
    const char *send;
    int timeout_s;
    int ticket_wait_ms;
    int verbose;
    const char *alpn;
    const char *cert;
    const char *key;
    const char *early_data;
    const char *ocsp_out;
    int no_ocsp_check;
    const char *keylog;
    const char *export_spec;
};

/* The newest session: what the next connection offers. */
struct session {
    uint8_t data[MAX_SESSION];
    size_t len;
};

/* Filled by the session ticket callback during one connection. */
struct ticket_state {
    struct session latest;
    int count;
    int overflow;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rs2nc --connect HOST:PORT [--ca FILE | --insecure] [--server-name NAME]\n"
            "             [--policy NAME | --tls12 | --tls13] [--no-tickets] [--reconnect N]\n"
            "             [--sess-in FILE] [--sess-out FILE] [--send TEXT]\n"
            "             [--ticket-wait MS] [--timeout S] [--verbose]\n"
            "             [--alpn LIST] [--cert FILE --key FILE]\n"
            "             [--ocsp-out FILE [--no-ocsp-check]] [--keylog FILE]\n"
            "             [--export LABEL:LEN] [--early-data TEXT]\n");
}

/* HOST:PORT, [V6]:PORT */
static int split_host_port(const char *s, struct options *o)
{
    const char *colon;
    size_t hlen;
    long port;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':') {
            return -1;
        }
        hlen = (size_t)(close - s - 1);
        if (hlen == 0 || hlen >= sizeof(o->host)) {
            return -1;
        }
        memcpy(o->host, s + 1, hlen);
        o->host[hlen] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL) {
            return -1;
        }
        hlen = (size_t)(colon - s);
        if (hlen == 0 || hlen >= sizeof(o->host)) {
            return -1;
        }
        memcpy(o->host, s, hlen);
        o->host[hlen] = '\0';
    }
    if (parse_long(colon + 1, 1, 65535, &port) != 0) {
        return -1;
    }
    snprintf(o->port, sizeof(o->port), "%ld", port);
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int i, tls12 = 0, tls13 = 0, have_connect = 0;
    long v;
    memset(o, 0, sizeof(*o));
    o->server_name = "localhost";
    o->tickets = 1;
    o->timeout_s = 5;
    o->ticket_wait_ms = TICKET_WAIT_MS_DEFAULT;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(a, "--connect") == 0) {
            NEED_VALUE();
            if (split_host_port(val, o) != 0) {
                msg("bad --connect (HOST:PORT or [V6]:PORT): %s", val);
                return -1;
            }
            have_connect = 1;
        } else if (strcmp(a, "--ca") == 0) {
            NEED_VALUE();
            o->ca = val;
        } else if (strcmp(a, "--insecure") == 0) {
            o->insecure = 1;
        } else if (strcmp(a, "--server-name") == 0) {
            NEED_VALUE();
            o->server_name = val;
        } else if (strcmp(a, "--policy") == 0) {
            NEED_VALUE();
            o->policy = val;
        } else if (strcmp(a, "--tls12") == 0) {
            tls12 = 1;
        } else if (strcmp(a, "--tls13") == 0) {
            tls13 = 1;
        } else if (strcmp(a, "--no-tickets") == 0) {
            o->tickets = 0;
        } else if (strcmp(a, "--keep-session") == 0) {
            o->keep_session = 1;
        } else if (strcmp(a, "--reconnect") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 10000, &v) != 0) {
                msg("bad --reconnect: %s", val);
                return -1;
            }
            o->reconnect = v;
        } else if (strcmp(a, "--sess-in") == 0) {
            NEED_VALUE();
            o->sess_in = val;
        } else if (strcmp(a, "--sess-out") == 0) {
            NEED_VALUE();
            o->sess_out = val;
        } else if (strcmp(a, "--early-data") == 0) {
            NEED_VALUE();
            o->early_data = val;
        } else if (strcmp(a, "--send") == 0) {
            NEED_VALUE();
            o->send = val;
        } else if (strcmp(a, "--timeout") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 3600, &v) != 0) {
                msg("bad --timeout: %s", val);
                return -1;
            }
            o->timeout_s = (int)v;
        } else if (strcmp(a, "--ticket-wait") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 60000, &v) != 0) {
                msg("bad --ticket-wait: %s", val);
                return -1;
            }
            o->ticket_wait_ms = (int)v;
        } else if (strcmp(a, "--alpn") == 0) {
            NEED_VALUE();
            o->alpn = val;
        } else if (strcmp(a, "--cert") == 0) {
            NEED_VALUE();
            o->cert = val;
        } else if (strcmp(a, "--key") == 0) {
            NEED_VALUE();
            o->key = val;
        } else if (strcmp(a, "--ocsp-out") == 0) {
            NEED_VALUE();
            o->ocsp_out = val;
        } else if (strcmp(a, "--no-ocsp-check") == 0) {
            o->no_ocsp_check = 1;
        } else if (strcmp(a, "--keylog") == 0) {
            NEED_VALUE();
            o->keylog = val;
        } else if (strcmp(a, "--export") == 0) {
            NEED_VALUE();
            if (extras_check_export(val) != 0) {
                return -1;
            }
            o->export_spec = val;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            msg("unknown option: %s", a);
            usage(stderr);
            return -1;
        }
    }
    if (!have_connect) {
        msg("--connect HOST:PORT is required");
        usage(stderr);
        return -1;
    }
    if (tls12 && tls13) {
        msg("--tls12 and --tls13 exclude each other");
        return -1;
    }
    if (o->policy == NULL) {
        o->policy = tls12 ? "20240501" : tls13 ? "default_tls13" : "default";
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Small helpers                                                              */
/* ------------------------------------------------------------------------- */

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

/* Connects (non-blocking, bounded by the timeout) to the first loopback address
 * HOST resolves to; refuses any other address. Returns the socket, or -1. */
static int connect_loopback(const struct options *o)
{
    struct addrinfo hints, *res = NULL, *ai;
    int rc, fd = -1, saw_other = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        msg("cannot resolve %s: %s", o->host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int err = 0;
        socklen_t elen = sizeof(err);
        long long deadline;
        if (!is_loopback(ai->ai_addr)) {
            saw_other = 1;
            continue;
        }
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (set_nonblocking(fd) != 0) {
            close(fd);
            fd = -1;
            continue;
        }
        deadline = now_ms() + (long long)o->timeout_s * 1000;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS || wait_fd(fd, S2N_BLOCKED_ON_WRITE, deadline) != 0
                || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
                msg("cannot connect to %s port %s: %s", o->host, o->port,
                    strerror(err != 0 ? err : errno));
                close(fd);
                fd = -1;
                continue;
            }
        }
        break;
    }
    freeaddrinfo(res);
    if (fd < 0 && saw_other) {
        msg("%s: only loopback addresses (127.0.0.0/8, ::1) are allowed", o->host);
    }
    return fd;
}

static int read_session_file(const char *path, struct session *s)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL) {
        msg("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    n = fread(s->data, 1, sizeof(s->data), f);
    if (ferror(f) || !feof(f)) {
        msg("cannot read %s (error, or larger than %zu bytes)", path, sizeof(s->data));
        fclose(f);
        return -1;
    }
    fclose(f);
    s->len = n;
    return 0;
}

static int write_session_file(const char *path, const struct session *s)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        msg("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    if (fwrite(s->data, 1, s->len, f) != s->len || fclose(f) != 0) {
        msg("cannot write %s", path);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Session tickets                                                            */
/* ------------------------------------------------------------------------- */

static int on_ticket(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    struct ticket_state *ts = (struct ticket_state *)s2n_connection_get_ctx(conn);
    size_t len = 0;
    (void)ctx;
    if (ts == NULL) {
        return 0;
    }
    if (s2n_session_ticket_get_data_len(ticket, &len) != S2N_SUCCESS) {
        return -1;
    }
    if (len > sizeof(ts->latest.data)) {
        ts->overflow = 1;
        return 0;
    }
    if (s2n_session_ticket_get_data(ticket, sizeof(ts->latest.data), ts->latest.data) != S2N_SUCCESS) {
        return -1;
    }
    ts->latest.len = len;
    ts->count++;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* One connection                                                             */
/* ------------------------------------------------------------------------- */

/* After a TLS1.3 handshake: reads for up to `wait_ms` so that the server's
 * NewSessionTicket messages get processed, stopping TICKET_SETTLE_MS after the
 * first one. Application data that arrives is discarded. Returns 0, or -1 if the
 * connection failed. */
static int read_tickets(struct s2n_connection *conn, int fd, const struct ticket_state *ts,
                        int wait_ms)
{
    uint8_t buf[4096];
    long long deadline = now_ms() + wait_ms;
    int settled = 0;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = s2n_recv(conn, buf, sizeof(buf), &blocked);
        if (n > 0) {
            continue;
        }
        if (n == 0) {
            return 0; /* the peer closed */
        }
        if (s2n_error_get_type(s2n_errno) == S2N_ERR_T_CLOSED) {
            /* Closed without close_notify: nothing more will come. */
            msg("the server closed the connection without close_notify");
            return 0;
        }
        if (!s2n_would_block()) {
            msg_s2n("s2n_recv (waiting for session tickets)");
            return -1;
        }
        if (ts->count > 0 && !settled) {
            /* A ticket came: wait only a little longer for more. */
            long long d = now_ms() + TICKET_SETTLE_MS;
            if (d < deadline) {
                deadline = d;
            }
            settled = 1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            return 0; /* waited long enough */
        }
    }
}

/* Sends `text` and a newline, then copies the reply to stderr until a newline,
 * the peer's close or the timeout. Returns 0, or -1 on failure. */
static int send_and_read(struct s2n_connection *conn, int fd, const char *text, int timeout_s)
{
    size_t tlen = strlen(text);
    char *line = malloc(tlen + 1);
    uint8_t buf[4096];
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    int got_newline = 0;

    if (line == NULL) {
        return -1;
    }
    memcpy(line, text, tlen);
    line[tlen] = '\n';
    if (send_all(conn, fd, line, tlen + 1, deadline) != 0) {
        msg_s2n("s2n_send"); /* after a timeout too: the blocked error */
        free(line);
        return -1;
    }
    free(line);

    while (!got_newline) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = s2n_recv(conn, buf, sizeof(buf), &blocked);
        if (n > 0) {
            fputs("rs2nc: received: ", stderr);
            fwrite(buf, 1, (size_t)n, stderr);
            if (buf[n - 1] != '\n') {
                fputc('\n', stderr);
            }
            got_newline = memchr(buf, '\n', (size_t)n) != NULL;
            continue;
        }
        if (n == 0) {
            return 0;
        }
        if (s2n_error_get_type(s2n_errno) == S2N_ERR_T_CLOSED) {
            /* s2n_recv reports an end without close_notify as an error: the
             * reply may be cut short. */
            msg("the server closed the connection without close_notify");
            return 0;
        }
        if (!s2n_would_block()) {
            msg_s2n("s2n_recv");
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            msg("no reply within %d s", timeout_s);
            return 0;
        }
    }
    return 0;
}

static void shutdown_conn(struct s2n_connection *conn, int fd, int timeout_s)
{
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    int r = drive_s2n_call(s2n_shutdown, conn, fd, deadline);
    if (r < 0) {
        /* A server that just closes the socket: worth a note, not a failure. */
        msg_s2n("s2n_shutdown");
    } else if (r > 0) {
        msg("s2n_shutdown: no close_notify from the server within %d s", timeout_s);
    }
}

/* s2n_send_early_data until it succeeds, as s2n's guide shows: 0, -1 failed
 * (s2n_errno says why), 1 deadline passed. `*sent`: the bytes sent early. */
static int send_early(struct s2n_connection *conn, int fd, const char *text, ssize_t *sent,
                      long long deadline)
{
    ssize_t len = (ssize_t)strlen(text);
    *sent = 0;
    while (*sent < len) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = 0;
        int r = s2n_send_early_data(conn, (const uint8_t *)text + *sent, len - *sent, &n, &blocked);
        *sent += n;
        if (r == S2N_SUCCESS) {
            return 0;
        }
        if (!s2n_would_block()) {
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            return 1;
        }
    }
    return 0;
}

/* One connection: offers `sess` (if any), and on return `sess` holds the newest
 * session. Prints the connection's line. Returns 0 if the handshake completed. */
static int run_connection(struct s2n_config *config, const struct options *o, struct session *sess,
                          long index)
{
    struct s2n_connection *conn = NULL;
    struct ticket_state *ts = calloc(1, sizeof(*ts));
    int fd = -1, rc = -1, version, resumed, n, hs;

    if (ts == NULL) {
        return -1;
    }
    conn = s2n_connection_new(S2N_CLIENT);
    if (conn == NULL) {
        msg_s2n("s2n_connection_new");
        goto out;
    }
    if (s2n_connection_set_config(conn, config) != S2N_SUCCESS
        || s2n_connection_set_ctx(conn, ts) != S2N_SUCCESS
        || s2n_set_server_name(conn, o->server_name) != S2N_SUCCESS) {
        msg_s2n("connection set-up");
        goto out;
    }
    /* The session first: bytes it refuses fail before anything is sent. */
    if (sess->len > 0) {
        if (s2n_connection_set_session(conn, sess->data, sess->len) != S2N_SUCCESS) {
            msg_s2n("s2n_connection_set_session");
            goto out;
        }
    }
    fd = connect_loopback(o);
    if (fd < 0) {
        goto out;
    }
    if (s2n_connection_set_fd(conn, fd) != S2N_SUCCESS) {
        msg_s2n("s2n_connection_set_fd");
        goto out;
    }

    long long deadline = now_ms() + (long long)o->timeout_s * 1000;
    ssize_t early_sent = 0;
    hs = 0;
    if (o->early_data != NULL && sess->len > 0) {
        hs = send_early(conn, fd, o->early_data, &early_sent, deadline);
    }
    if (hs == 0) {
        hs = drive_s2n_call(s2n_negotiate, conn, fd, deadline);
    }
    if (hs < 0) {
        int err = s2n_errno;
        msg("connection %ld: handshake failed: %s (%s)", index, s2n_strerror_debug(err, "EN"),
            s2n_strerror_name(err));
        goto out;
    }
    if (hs > 0) {
        msg("connection %ld: handshake timed out after %d s", index, o->timeout_s);
        goto out;
    }

    version = s2n_connection_get_actual_protocol_version(conn);
    resumed = s2n_connection_is_session_resumed(conn);
    printf("%s, %s, Cipher is %s", resumed ? "Reused" : "New", protocol_name(version),
           s2n_connection_get_cipher(conn));
    if (o->alpn != NULL || o->cert != NULL) {
        const char *alpn = s2n_get_application_protocol(conn);
        printf(", ALPN protocol: %s, client cert: %s", alpn ? alpn : "none",
               s2n_connection_client_cert_used(conn) == 1 ? "yes" : "no");
    }
    if (o->early_data != NULL) {
        s2n_early_data_status_t status = S2N_EARLY_DATA_STATUS_NOT_REQUESTED;
        (void)s2n_connection_get_early_data_status(conn, &status);
        printf(", early data: %s %ld", early_status_name(conn), (long)early_sent);
        if (status != S2N_EARLY_DATA_STATUS_END && early_sent > 0
            && send_all(conn, fd, (const uint8_t *)o->early_data, strlen(o->early_data), deadline) != 0) {
            msg_s2n("s2n_send (early data again)");
        }
    }
    printf("\n");
    if (o->export_spec != NULL) {
        extras_print_export(conn, o->export_spec, stdout);
    }
    if (o->ocsp_out != NULL) {
        uint32_t len = 0;
        const uint8_t *ocsp = s2n_connection_get_ocsp_response(conn, &len);
        FILE *f = ocsp ? fopen(o->ocsp_out, "wb") : NULL;
        if (ocsp == NULL) {
            printf("OCSP response: none\n");
        } else if (f == NULL || fwrite(ocsp, 1, len, f) != len) {
            msg("cannot write --ocsp-out %s", o->ocsp_out);
        } else {
            printf("OCSP response: %u bytes, stapled %d\n", (unsigned)len,
                   s2n_connection_is_ocsp_stapled(conn));
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    fflush(stdout);
    if (o->verbose) {
        uint8_t iana[2] = { 0, 0 };
        const char *scheme = "?";
        s2n_connection_get_cipher_iana_value(conn, &iana[0], &iana[1]);
        s2n_connection_get_signature_scheme(conn, &scheme);
        msg("connection %ld: handshake %s", index, s2n_connection_get_handshake_type_name(conn));
        msg("connection %ld: group %s, suite 0x%02x,0x%02x, signature %s", index,
            s2n_connection_get_curve(conn), iana[0], iana[1], scheme);
    }
    rc = 0;

    if (o->send != NULL) {
        if (send_and_read(conn, fd, o->send, o->timeout_s) != 0) {
            rc = -1;
        }
    } else if (o->tickets && version >= S2N_TLS13) {
        if (read_tickets(conn, fd, ts, o->ticket_wait_ms) != 0) {
            rc = -1;
        }
    }

    /* The newest session: the connection's own, else the last ticket's (with
     * --keep-session, only if none was saved yet). */
    n = s2n_connection_get_session_length(conn);
    if (o->keep_session && sess->len > 0) {
        /* keep the first */
    } else if (n > 0 && (size_t)n <= sizeof(sess->data)) {
        int got = s2n_connection_get_session(conn, sess->data, sizeof(sess->data));
        if (got > 0) {
            sess->len = (size_t)got;
        } else if (got < 0) {
            msg_s2n("s2n_connection_get_session");
        }
    } else if (ts->count > 0) {
        memcpy(sess->data, ts->latest.data, ts->latest.len);
        sess->len = ts->latest.len;
    }
    if (o->verbose) {
        msg("connection %ld: %d ticket(s) received, session %zu bytes", index, ts->count, sess->len);
    }
    if (o->sess_out != NULL && sess->len > 0) {
        if (write_session_file(o->sess_out, sess) != 0) {
            rc = -1;
        }
    }

    shutdown_conn(conn, fd, o->timeout_s);

out:
    if (conn != NULL) {
        s2n_connection_free(conn);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(ts);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Main                                                                       */
/* ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    struct options o;
    struct s2n_config *config = NULL;
    struct session *sess = NULL;
    FILE *keylog = NULL; /* --keylog */
    long i;
    int failures = 0;

    signal(SIGPIPE, SIG_IGN);
    if (parse_options(argc, argv, &o) != 0) {
        return 2;
    }
    if (s2n_init() != S2N_SUCCESS) {
        msg_s2n("s2n_init");
        return 1;
    }
    config = (o.ca != NULL || o.insecure) ? s2n_config_new_minimal() : s2n_config_new();
    sess = calloc(1, sizeof(*sess));
    if (config == NULL || sess == NULL) {
        msg_s2n("s2n_config_new");
        goto fail;
    }
    if (s2n_config_set_cipher_preferences(config, o.policy) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_cipher_preferences");
        goto fail;
    }
    if (o.ca != NULL && s2n_config_set_verification_ca_location(config, o.ca, NULL) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_verification_ca_location");
        goto fail;
    }
    if (o.alpn != NULL && set_alpn_list(config, o.alpn) != 0) {
        goto fail;
    }
    if (o.cert != NULL || o.key != NULL) {
        char *chain = o.cert ? read_pem_file(o.cert) : NULL;
        char *key = o.key ? read_pem_file(o.key) : NULL;
        int rc = (chain && key) ? s2n_config_add_cert_chain_and_key(config, chain, key) : -1;
        free(chain);
        free(key);
        if (rc != S2N_SUCCESS) {
            if (o.cert == NULL || o.key == NULL) {
                msg("--cert and --key go together");
            } else {
                msg_s2n("s2n_config_add_cert_chain_and_key");
            }
            goto fail;
        }
    }
    if (o.ocsp_out != NULL
        && (s2n_config_set_status_request_type(config, S2N_STATUS_REQUEST_OCSP) != S2N_SUCCESS
            || s2n_config_set_check_stapled_ocsp_response(config, !o.no_ocsp_check) != S2N_SUCCESS)) {
        msg_s2n("s2n_config_set_status_request_type");
        goto fail;
    }
    if (o.keylog != NULL && extras_set_keylog(config, o.keylog, &keylog) != 0) {
        goto fail;
    }
    if (o.insecure && s2n_config_disable_x509_verification(config) != S2N_SUCCESS) {
        msg_s2n("s2n_config_disable_x509_verification");
        goto fail;
    }
    if (s2n_config_set_session_tickets_onoff(config, o.tickets ? 1 : 0) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_tickets_onoff");
        goto fail;
    }
    if (o.tickets && s2n_config_set_session_ticket_cb(config, on_ticket, NULL) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_ticket_cb");
        goto fail;
    }
    if (o.sess_in != NULL && read_session_file(o.sess_in, sess) != 0) {
        goto fail;
    }

    for (i = 0; i <= o.reconnect; i++) {
        if (run_connection(config, &o, sess, i + 1) != 0) {
            failures++;
        }
    }

    s2n_config_free(config);
    free(sess);
    if (keylog != NULL) {
        fclose(keylog);
    }
    s2n_cleanup();
    return failures == 0 ? 0 : 1;

fail:
    if (config != NULL) {
        s2n_config_free(config);
    }
    if (keylog != NULL) {
        fclose(keylog);
    }
    free(sess);
    return 1;
}
