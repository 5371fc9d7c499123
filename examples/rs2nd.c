/*
 * rs2nd.c: an s2n-style TLS server over rs2n's public header (s2n.h) only.
 *
 *   rs2nd [--port N] [--cert FILE --key FILE] [--policy NAME]
 *         [--tickets | --no-tickets] [--ticket-key-file FILE [--ticket-key-name NAME]]
 *         [--max-conns N] [--echo] [--timeout SECONDS]
 *
 *   --port N              port to listen on, on 127.0.0.1 only; 0 (the default)
 *                         picks a free ephemeral port. Once listening, rs2nd prints
 *                         "listening on 127.0.0.1:PORT" on stdout (and flushes it),
 *                         so that scripts can read the port.
 *   --cert F --key F      PEM certificate chain (leaf first) and its private key.
 *                         Default: the test PKI's ECDSA P-256 pair (c-tests/certs).
 *   --policy NAME         s2n security policy (s2n_config_set_cipher_preferences),
 *                         default "default".
 *   --tickets             session tickets on (the default, as in s2n's s2nd).
 *   --no-tickets          session tickets off: every handshake is a full one
 *                         (until the session cache options arrive).
 *   --ticket-key-file F   ticket key material: the raw bytes of F. The key name is
 *                         F's basename (its first 16 bytes), or --ticket-key-name.
 *                         Servers given the same file accept each other's tickets.
 *                         Without it a random 32-byte key is generated at start.
 *   --ticket-key-name N   the ticket key's name (1 to 16 bytes).
 *   --max-conns N         exit (status 0) after N connections, successful or not.
 *                         Default: serve forever.
 *   --echo                after the handshake, send back everything received until
 *                         the peer closes; without it the server closes right after
 *                         the handshake (s2n_shutdown: close_notify both ways).
 *   --timeout S           give up on a connection that makes no progress for S
 *                         seconds (default 10), so that a silent peer cannot hang
 *                         the server.
 *
 * One connection at a time: accept, handshake, (echo), s2n_shutdown, next. The
 * socket is non-blocking and every wait is a poll() bounded by --timeout.
 *
 * Output: one line per connection on stdout, e.g.
 *
 *   conn 1: TLSv1.3, TLS_AES_128_GCM_SHA256, New, full, NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT
 *   conn 2: TLSv1.3, TLS_AES_128_GCM_SHA256, Reused, psk, NEGOTIATED|MIDDLEBOX_COMPAT
 *   conn 3: TLSv1.2, ECDHE-ECDSA-AES128-GCM-SHA256, Reused, ticket, NEGOTIATED|...
 *   conn 4: handshake failed: <s2n_strerror> (<s2n_strerror_name>)
 *
 * "New" or "Reused" is s2n_connection_is_session_resumed(); then how it resumed:
 * "full" (not resumed), "ticket" (TLS1.2, a session ticket), "session-id" (TLS1.2,
 * from the session cache: reserved for the session cache options), "psk"
 * (TLS1.3); then s2n_connection_get_handshake_type_name(). Problems after the
 * handshake (echo, shutdown) go to stderr and do not change the line.
 *
 * Exit status: 0 after --max-conns connections; 1 on a set-up error.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <s2n.h>

#define MAX_KEY_FILE (64 * 1024)
#define TICKET_KEY_NAME_MAX 16

/* ------------------------------------------------------------------------- */
/* Options                                                                    */
/* ------------------------------------------------------------------------- */

struct options {
    int port;
    const char *cert;
    const char *key;
    const char *policy;
    int tickets;
    const char *ticket_key_file;
    const char *ticket_key_name;
    long max_conns; /* 0: forever */
    int echo;
    int timeout_s;
    /* The session cache options (--cache ...) will go here; see setup_cache(). */
};

/* What rs2nd learns about one connection while it runs (s2n_connection_set_ctx).
 * The session cache's retrieve callback will set `cache_hit`, which tells a
 * TLS1.2 session-ID resumption from a ticket one. */
struct conn_state {
    int cache_hit;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rs2nd [--port N] [--cert FILE --key FILE] [--policy NAME]\n"
            "             [--tickets | --no-tickets] [--ticket-key-file FILE]\n"
            "             [--ticket-key-name NAME] [--max-conns N] [--echo] [--timeout S]\n");
}

static void msg(const char *fmt, ...)
{
    va_list ap;
    fputs("rs2nd: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void msg_s2n(const char *what)
{
    int err = s2n_errno;
    msg("%s: %s (%s)", what, s2n_strerror(err, "EN"), s2n_strerror_name(err));
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int i;
    long v;
    memset(o, 0, sizeof(*o));
    o->policy = "default";
    o->tickets = 1;
    o->timeout_s = 10;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
#define NEED_VALUE()                                  \
    do {                                              \
        if (val == NULL) {                            \
            msg("%s needs a value", a);               \
            return -1;                                \
        }                                             \
        i++;                                          \
    } while (0)
        if (strcmp(a, "--port") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 65535, &v) != 0) {
                msg("bad port: %s", val);
                return -1;
            }
            o->port = (int)v;
        } else if (strcmp(a, "--cert") == 0) {
            NEED_VALUE();
            o->cert = val;
        } else if (strcmp(a, "--key") == 0) {
            NEED_VALUE();
            o->key = val;
        } else if (strcmp(a, "--policy") == 0) {
            NEED_VALUE();
            o->policy = val;
        } else if (strcmp(a, "--tickets") == 0) {
            o->tickets = 1;
        } else if (strcmp(a, "--no-tickets") == 0) {
            o->tickets = 0;
        } else if (strcmp(a, "--ticket-key-file") == 0) {
            NEED_VALUE();
            o->ticket_key_file = val;
        } else if (strcmp(a, "--ticket-key-name") == 0) {
            NEED_VALUE();
            o->ticket_key_name = val;
        } else if (strcmp(a, "--max-conns") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 1000000000L, &v) != 0) {
                msg("bad --max-conns: %s", val);
                return -1;
            }
            o->max_conns = v;
        } else if (strcmp(a, "--echo") == 0) {
            o->echo = 1;
        } else if (strcmp(a, "--timeout") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 3600, &v) != 0) {
                msg("bad --timeout: %s", val);
                return -1;
            }
            o->timeout_s = (int)v;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            msg("unknown option: %s", a);
            usage(stderr);
            return -1;
        }
#undef NEED_VALUE
    }
    if ((o->cert == NULL) != (o->key == NULL)) {
        msg("--cert and --key go together");
        return -1;
    }
    if (o->ticket_key_name != NULL
        && (o->ticket_key_name[0] == '\0' || strlen(o->ticket_key_name) > TICKET_KEY_NAME_MAX)) {
        msg("--ticket-key-name must be 1 to %d bytes", TICKET_KEY_NAME_MAX);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Files                                                                      */
/* ------------------------------------------------------------------------- */

/* Reads a whole file (at most `max` bytes) into a NUL-terminated heap buffer. */
static char *read_file(const char *path, size_t max, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t len = 0;
    if (f == NULL) {
        msg("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    len = fread(buf, 1, max + 1, f);
    if (ferror(f) || len > max) {
        msg("cannot read %s (error, or larger than %zu bytes)", path, max);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out != NULL) {
        *len_out = len;
    }
    return buf;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ------------------------------------------------------------------------- */
/* Config                                                                     */
/* ------------------------------------------------------------------------- */

static int add_cert(struct s2n_config *config, const struct options *o)
{
    char cert_path[4096], key_path[4096];
    char *cert = NULL, *key = NULL;
    int rc = -1;

    if (o->cert != NULL) {
        snprintf(cert_path, sizeof(cert_path), "%s", o->cert);
        snprintf(key_path, sizeof(key_path), "%s", o->key);
    } else {
#ifdef RS2N_CERTS_DIR
        snprintf(cert_path, sizeof(cert_path), "%s/ecdsa_p256_cert.pem", RS2N_CERTS_DIR);
        snprintf(key_path, sizeof(key_path), "%s/ecdsa_p256_key.pem", RS2N_CERTS_DIR);
#else
        snprintf(cert_path, sizeof(cert_path), "c-tests/certs/ecdsa_p256_cert.pem");
        snprintf(key_path, sizeof(key_path), "c-tests/certs/ecdsa_p256_key.pem");
#endif
        if (!file_exists(cert_path)) {
            msg("no --cert/--key given and no test certificate at %s", cert_path);
            return -1;
        }
    }
    cert = read_file(cert_path, 1024 * 1024, NULL);
    key = read_file(key_path, 1024 * 1024, NULL);
    if (cert == NULL || key == NULL) {
        goto out;
    }
    if (s2n_config_add_cert_chain_and_key(config, cert, key) != S2N_SUCCESS) {
        msg_s2n("s2n_config_add_cert_chain_and_key");
        goto out;
    }
    rc = 0;
out:
    free(cert);
    if (key != NULL) {
        memset(key, 0, strlen(key));
    }
    free(key);
    return rc;
}

static int random_bytes(uint8_t *out, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n;
    if (f == NULL) {
        msg("cannot open /dev/urandom: %s", strerror(errno));
        return -1;
    }
    n = fread(out, 1, len, f);
    fclose(f);
    return n == len ? 0 : -1;
}

static int setup_tickets(struct s2n_config *config, const struct options *o)
{
    uint8_t *material = NULL;
    size_t material_len = 0;
    uint8_t generated[32];
    char name[TICKET_KEY_NAME_MAX + 1];
    int rc = -1;

    if (!o->tickets) {
        return s2n_config_set_session_tickets_onoff(config, 0) == S2N_SUCCESS ? 0 : -1;
    }

    if (o->ticket_key_file != NULL) {
        const char *base = strrchr(o->ticket_key_file, '/');
        base = (base != NULL) ? base + 1 : o->ticket_key_file;
        material = (uint8_t *)read_file(o->ticket_key_file, MAX_KEY_FILE, &material_len);
        if (material == NULL) {
            return -1;
        }
        if (material_len == 0) {
            msg("%s is empty", o->ticket_key_file);
            goto out;
        }
        snprintf(name, sizeof(name), "%s", o->ticket_key_name ? o->ticket_key_name : base);
        if (name[0] == '\0') {
            snprintf(name, sizeof(name), "rs2nd");
        }
    } else {
        if (random_bytes(generated, sizeof(generated)) != 0) {
            msg("cannot generate a ticket key");
            return -1;
        }
        material = generated;
        material_len = sizeof(generated);
        snprintf(name, sizeof(name), "%s", o->ticket_key_name ? o->ticket_key_name : "rs2nd-random");
    }

    if (s2n_config_set_session_tickets_onoff(config, 1) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_tickets_onoff");
        goto out;
    }
    if (s2n_config_add_ticket_crypto_key(config, (const uint8_t *)name, (uint32_t)strlen(name),
                                         material, (uint32_t)material_len, 0)
        != S2N_SUCCESS) {
        msg_s2n("s2n_config_add_ticket_crypto_key");
        goto out;
    }
    rc = 0;
out:
    if (material != NULL) {
        memset(material, 0, material_len);
        if (material != generated) {
            free(material);
        }
    }
    return rc;
}

/* The session cache (--cache ...) will be set up here: the store, retrieve and
 * delete callbacks, then s2n_config_set_session_cache_onoff. The retrieve
 * callback sets conn_state.cache_hit (through s2n_connection_get_ctx) so that
 * the connection's line says "session-id". */
static int setup_cache(struct s2n_config *config, const struct options *o)
{
    (void)config;
    (void)o;
    return 0;
}

static struct s2n_config *make_config(const struct options *o)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        msg_s2n("s2n_config_new_minimal");
        return NULL;
    }
    if (s2n_config_set_cipher_preferences(config, o->policy) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_cipher_preferences");
        goto fail;
    }
    if (add_cert(config, o) != 0 || setup_tickets(config, o) != 0 || setup_cache(config, o) != 0) {
        goto fail;
    }
    return config;
fail:
    s2n_config_free(config);
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* I/O                                                                        */
/* ------------------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until `fd` is ready for what `blocked` says, at most until `deadline`
 * (monotonic ms). Returns 0 when ready, -1 on timeout or error. */
static int wait_fd(int fd, s2n_blocked_status blocked, long long deadline)
{
    for (;;) {
        struct pollfd p;
        long long left = deadline - now_ms();
        int n;
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        p.fd = fd;
        p.events = (blocked == S2N_BLOCKED_ON_WRITE) ? POLLOUT : POLLIN;
        p.revents = 0;
        n = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (n > 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return -1;
        }
    }
}

/* True if the last s2n call failed only because the socket would block. */
static int s2n_would_block(void)
{
    return s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED;
}

static const char *protocol_name(int v)
{
    switch (v) {
    case S2N_TLS13:
        return "TLSv1.3";
    case S2N_TLS12:
        return "TLSv1.2";
    case S2N_TLS11:
        return "TLSv1.1";
    case S2N_TLS10:
        return "TLSv1";
    default:
        return "unknown";
    }
}

/* Echoes until the peer closes. Returns 0 on a clean end. */
static int echo_loop(struct s2n_connection *conn, int fd, int timeout_s)
{
    uint8_t buf[16384];
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = s2n_recv(conn, buf, sizeof(buf), &blocked);
        ssize_t off = 0;
        if (n == 0) {
            return 0; /* the peer closed */
        }
        if (n < 0) {
            if (s2n_would_block()) {
                if (wait_fd(fd, blocked, deadline) != 0) {
                    msg("echo: peer idle for %d s", timeout_s);
                    return -1;
                }
                continue;
            }
            msg_s2n("s2n_recv");
            return -1;
        }
        while (off < n) {
            ssize_t w = s2n_send(conn, buf + off, n - off, &blocked);
            if (w < 0) {
                if (s2n_would_block()) {
                    if (wait_fd(fd, blocked, deadline) != 0) {
                        msg("echo: peer not reading for %d s", timeout_s);
                        return -1;
                    }
                    continue;
                }
                msg_s2n("s2n_send");
                return -1;
            }
            off += w;
        }
        deadline = now_ms() + (long long)timeout_s * 1000;
    }
}

static int shutdown_conn(struct s2n_connection *conn, int fd, int timeout_s)
{
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        if (s2n_shutdown(conn, &blocked) == S2N_SUCCESS) {
            return 0;
        }
        if (!s2n_would_block()) {
            msg_s2n("s2n_shutdown");
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            msg("s2n_shutdown: no close_notify from the peer within %d s", timeout_s);
            return -1;
        }
    }
}

/* Serves one accepted connection and prints its line. */
static void serve(struct s2n_config *config, const struct options *o, int fd, long index)
{
    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    struct conn_state state;
    long long deadline = now_ms() + (long long)o->timeout_s * 1000;
    int negotiated = 0;

    memset(&state, 0, sizeof(state));
    if (conn == NULL) {
        printf("conn %ld: handshake failed: s2n_connection_new: %s (%s)\n", index,
               s2n_strerror(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        fflush(stdout);
        return;
    }
    if (s2n_connection_set_config(conn, config) != S2N_SUCCESS
        || s2n_connection_set_ctx(conn, &state) != S2N_SUCCESS
        || s2n_connection_set_fd(conn, fd) != S2N_SUCCESS) {
        printf("conn %ld: handshake failed: set-up: %s (%s)\n", index,
               s2n_strerror(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        fflush(stdout);
        s2n_connection_free(conn);
        return;
    }

    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        if (s2n_negotiate(conn, &blocked) == S2N_SUCCESS) {
            negotiated = 1;
            break;
        }
        if (!s2n_would_block()) {
            int err = s2n_errno;
            printf("conn %ld: handshake failed: %s (%s)\n", index, s2n_strerror(err, "EN"),
                   s2n_strerror_name(err));
            break;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            printf("conn %ld: handshake failed: timed out after %d s\n", index, o->timeout_s);
            break;
        }
    }

    if (negotiated) {
        int version = s2n_connection_get_actual_protocol_version(conn);
        int resumed = s2n_connection_is_session_resumed(conn);
        const char *how = "full";
        if (resumed) {
            if (version >= S2N_TLS13) {
                how = "psk";
            } else {
                how = state.cache_hit ? "session-id" : "ticket";
            }
        }
        printf("conn %ld: %s, %s, %s, %s, %s\n", index, protocol_name(version),
               s2n_connection_get_cipher(conn), resumed ? "Reused" : "New", how,
               s2n_connection_get_handshake_type_name(conn));
        fflush(stdout);
        if (o->echo) {
            (void)echo_loop(conn, fd, o->timeout_s);
        }
        (void)shutdown_conn(conn, fd, o->timeout_s);
    }
    fflush(stdout);
    s2n_connection_free(conn);
}

/* ------------------------------------------------------------------------- */
/* Main                                                                       */
/* ------------------------------------------------------------------------- */

static int listen_loopback(int port, int *bound_port)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        msg("socket: %s", strerror(errno));
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 16) != 0
        || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        msg("cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

int main(int argc, char **argv)
{
    struct options o;
    struct s2n_config *config = NULL;
    int lfd, port = 0;
    long served = 0;

    signal(SIGPIPE, SIG_IGN);
    if (parse_options(argc, argv, &o) != 0) {
        return 2;
    }
    if (s2n_init() != S2N_SUCCESS) {
        msg_s2n("s2n_init");
        return 1;
    }
    config = make_config(&o);
    if (config == NULL) {
        return 1;
    }
    lfd = listen_loopback(o.port, &port);
    if (lfd < 0) {
        s2n_config_free(config);
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    while (o.max_conns == 0 || served < o.max_conns) {
        int fd = accept(lfd, NULL, NULL);
        int flags;
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            msg("accept: %s", strerror(errno));
            break;
        }
        served++;
        flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
            msg("fcntl: %s", strerror(errno));
            close(fd);
            continue;
        }
        serve(config, &o, fd, served);
        close(fd);
    }

    close(lfd);
    s2n_config_free(config);
    s2n_cleanup();
    return (o.max_conns != 0 && served == o.max_conns) ? 0 : 1;
}
