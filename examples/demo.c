/*
 * demo.c: an rs2n TLS echo server and client talking over real TCP sockets on
 * 127.0.0.1, once with TLS1.3 (policy "default_tls13") and once with TLS1.2
 * (policy "20240501"): per protocol one full handshake, then resumed ones.
 *
 *   demo [CERTS_DIR]
 *
 * For each protocol the demo binds a listening socket to 127.0.0.1 on an
 * ephemeral port, then fork()s: the child is the server (ECDSA P-256 test
 * certificate), the parent is the client. The client trusts only the test CA,
 * verifies the server as "localhost", sends a line, checks that it comes back,
 * and shuts the connection down with close_notify on both sides. The listening
 * socket exists before the fork, so the client never has to wait for the server.
 *
 * fork() rather than a thread: CMake links the examples against librs2n only,
 * not against Threads::Threads, and a separate process also keeps the server's
 * and the client's state apart the way two real programs would.
 *
 * Session resumption: the server turns session tickets on and adds a ticket key
 * (32 random bytes from /dev/urandom, made by each server process); the client
 * turns tickets on too. After the echo (which also lets a TLS1.3 client read the
 * tickets the server sends after the handshake) the client saves the connection's
 * session with s2n_connection_get_session, and hands it to the next connection
 * with s2n_connection_set_session. The last full handshake's session is saved
 * once and offered by every resumed connection, as s2n programs do: in TLS1.3
 * those bytes name a session line, and each resumed connection takes a ticket
 * no connection used before (the one the previous resumption brought back).
 *
 * Early data (0-RTT): a third round, TLS1.3 again, resumes through a session
 * cache instead of tickets (a small table in the server process; tickets off):
 * the only way rs2n accepts early data, each session being taken from the cache
 * once, so a replayed first flight gets nothing. Its resumed connections send
 * their line as early data (s2n_send_early_data before s2n_negotiate), which the
 * server reads with s2n_recv_early_data and echoes once the handshake is done:
 * the request travels in the client's first flight. Their handshake type says
 * WITH_EARLY_DATA.
 *
 * One line is printed per connection: its index, the protocol, the cipher, s2n's
 * handshake type, "New" (a full handshake) or "Reused" (a resumed one, as
 * s2n_connection_is_session_resumed says; the type then lacks FULL_HANDSHAKE),
 * and the client's handshake time (monotonic clock around its s2n_negotiate
 * loop). Then per protocol the median full and the median resumed handshake time
 * and how many times faster resuming is. Each protocol starts with FULL_PER_PROTOCOL
 * full handshakes: the first also pays for building the configs' rustls state
 * (once per config, on both sides); the median of the full handshakes is not
 * skewed by it.
 *
 * Certificates: CERTS_DIR if given; else the source tree's c-tests/certs, whose
 * path CMake compiles in as RS2N_CERTS_DIR; else c-tests/certs found relative to
 * the executable (build/examples/demo -> ../../c-tests/certs) or to the current
 * directory.
 *
 * Exits 0 if every connection succeeded and every connection after the full ones
 * resumed its session, 1 otherwise (with s2n_strerror_debug's text).
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <s2n.h>

/* FULL_PER_PROTOCOL full handshakes, then RESUMED_PER_PROTOCOL resumed ones. */
#define FULL_PER_PROTOCOL 3
#define RESUMED_PER_PROTOCOL 5
#define CONNECTIONS_PER_PROTOCOL (FULL_PER_PROTOCOL + RESUMED_PER_PROTOCOL)
#define MAX_SESSION 1024
#define TICKET_KEY_LEN 32
#define SERVER_NAME "localhost"
#define MAX_LINE 256

/* ------------------------------------------------------------------------- */
/* Error reporting                                                            */
/* ------------------------------------------------------------------------- */

static const char *g_role = "demo";

static void fail_msg(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", g_role);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Reports the calling thread's last s2n error after `what` failed. */
static void fail_s2n(const char *what)
{
    int err = s2n_errno;
    fail_msg("%s failed: %s (%s)", what, s2n_strerror_debug(err, "EN"), s2n_strerror_name(err));
}

/* Runs an s2n call that returns S2N_SUCCESS/S2N_FAILURE; on failure reports it
 * and jumps to the function's `out` label. */
#define S2N_CHECK(call)                 \
    do {                                \
        if ((call) != S2N_SUCCESS) {    \
            fail_s2n(#call);            \
            goto out;                   \
        }                               \
    } while (0)

/* ------------------------------------------------------------------------- */
/* Small helpers                                                              */
/* ------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Fills buf with len bytes from /dev/urandom; returns -1 (and reports) on failure. */
static int random_bytes(uint8_t *buf, size_t len)
{
    size_t done = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0) {
        fail_msg("cannot open /dev/urandom: %s", strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail_msg("cannot read /dev/urandom: %s", n < 0 ? strerror(errno) : "end of file");
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Reads a whole file into a NUL-terminated heap buffer, or returns NULL. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;
    if (f == NULL) {
        fail_msg("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fail_msg("cannot read %s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)len + 1);
    if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fail_msg("cannot read %s", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* out = dir "/" name; returns -1 (and reports) if it does not fit. */
static int join_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        fail_msg("path too long: %s/%s", dir, name);
        return -1;
    }
    return 0;
}

static int is_certs_dir(const char *dir)
{
    char path[4096];
    struct stat st;
    if (dir == NULL || dir[0] == '\0') {
        return 0;
    }
    if (join_path(path, sizeof(path), dir, "ecdsa_p256_cert.pem") != 0) {
        return 0;
    }
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the test certificates; see the comment at the top. */
static int find_certs_dir(const char *arg, const char *argv0, char *out, size_t out_len)
{
    char exe[4096];
    ssize_t n;
    char *slash;
    const char *rel[] = { "../../c-tests/certs", "../c-tests/certs", "c-tests/certs" };
    size_t i;

    if (arg != NULL) {
        if (!is_certs_dir(arg)) {
            fail_msg("%s has no ecdsa_p256_cert.pem", arg);
            return -1;
        }
        snprintf(out, out_len, "%s", arg);
        return 0;
    }
#ifdef RS2N_CERTS_DIR
    if (is_certs_dir(RS2N_CERTS_DIR)) {
        snprintf(out, out_len, "%s", RS2N_CERTS_DIR);
        return 0;
    }
#endif
    /* Next to the executable: /proc/self/exe, else argv[0]. */
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
    } else {
        snprintf(exe, sizeof(exe), "%s", argv0 != NULL ? argv0 : "");
    }
    slash = strrchr(exe, '/');
    if (slash != NULL) {
        *slash = '\0';
        for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
            if (join_path(out, out_len, exe, rel[i]) == 0 && is_certs_dir(out)) {
                return 0;
            }
        }
    }
    /* Relative to the current directory. */
    if (is_certs_dir("c-tests/certs")) {
        snprintf(out, out_len, "c-tests/certs");
        return 0;
    }
    fail_msg("cannot find the test certificates (c-tests/certs); pass their directory as "
             "the first argument");
    return -1;
}

static const char *protocol_name(int version)
{
    switch (version) {
    case S2N_TLS13: return "TLSv1.3";
    case S2N_TLS12: return "TLSv1.2";
    case S2N_TLS11: return "TLSv1.1";
    case S2N_TLS10: return "TLSv1.0";
    case S2N_SSLv3: return "SSLv3";
    default: return "unknown";
    }
}

static void set_nodelay(int fd)
{
    /* Handshake flights are small writes: without this, Nagle's algorithm and
     * delayed ACKs could add tens of milliseconds to the times measured. */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Sends all of buf. */
static int send_all(struct s2n_connection *conn, const char *buf, size_t len)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    size_t done = 0;
    while (done < len) {
        ssize_t n = s2n_send(conn, buf + done, (ssize_t)(len - done), &blocked);
        if (n < 0) {
            if (s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED) {
                continue;
            }
            fail_s2n("s2n_send");
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

/* Receives up to and including a '\n' (at most cap-1 bytes); NUL-terminates.
 * Returns the length, or -1. */
static ssize_t recv_line(struct s2n_connection *conn, char *buf, size_t cap)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = s2n_recv(conn, buf + len, 1, &blocked);
        if (n < 0) {
            if (s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED) {
                continue;
            }
            fail_s2n("s2n_recv");
            return -1;
        }
        if (n == 0) {
            fail_msg("the peer closed the connection before a full line arrived");
            return -1;
        }
        len += (size_t)n;
        if (buf[len - 1] == '\n') {
            buf[len] = '\0';
            return (ssize_t)len;
        }
    }
    fail_msg("line longer than %zu bytes", cap - 1);
    return -1;
}

static int negotiate(struct s2n_connection *conn)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    while (s2n_negotiate(conn, &blocked) != S2N_SUCCESS) {
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            fail_s2n("s2n_negotiate");
            return -1;
        }
    }
    return 0;
}

static int shutdown_tls(struct s2n_connection *conn)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    while (s2n_shutdown(conn, &blocked) != S2N_SUCCESS) {
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            fail_s2n("s2n_shutdown");
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Server (child process)                                                     */
/* ------------------------------------------------------------------------- */

/* Serves `count` connections on listen_fd, echoing one line on each. With
 * session tickets on: every connection after the full ones must resume. */
/* The early-data round's session cache: a table in the server process. A key
 * over 32 bytes (a TLS1.3 ticket) is taken by retrieve: read and deleted. */
#define CACHE_SLOTS 16
#define CACHE_VALUE_MAX 4096
static struct cache_slot {
    int used;
    uint8_t key[64];
    uint64_t key_len;
    uint8_t value[CACHE_VALUE_MAX];
    uint64_t value_len;
} g_cache[CACHE_SLOTS];

static struct cache_slot *cache_find(const void *key, uint64_t key_size)
{
    int i;
    for (i = 0; i < CACHE_SLOTS; i++) {
        if (g_cache[i].used && g_cache[i].key_len == key_size &&
            memcmp(g_cache[i].key, key, (size_t)key_size) == 0) {
            return &g_cache[i];
        }
    }
    return NULL;
}

static int cache_store(struct s2n_connection *conn, void *ctx, uint64_t ttl, const void *key,
                       uint64_t key_size, const void *value, uint64_t value_size)
{
    static int next;
    struct cache_slot *slot;
    (void)conn;
    (void)ctx;
    (void)ttl;
    if (key_size > sizeof(slot->key) || value_size > CACHE_VALUE_MAX) {
        return S2N_FAILURE;
    }
    slot = cache_find(key, key_size);
    if (slot == NULL) {
        slot = &g_cache[next];
        next = (next + 1) % CACHE_SLOTS;
    }
    slot->used = 1;
    memcpy(slot->key, key, (size_t)key_size);
    slot->key_len = key_size;
    memcpy(slot->value, value, (size_t)value_size);
    slot->value_len = value_size;
    return S2N_SUCCESS;
}

static int cache_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                          uint64_t key_size, void *value, uint64_t *value_size)
{
    struct cache_slot *slot = cache_find(key, key_size);
    (void)conn;
    (void)ctx;
    if (slot == NULL || slot->value_len > *value_size) {
        return S2N_FAILURE;
    }
    memcpy(value, slot->value, (size_t)slot->value_len);
    *value_size = slot->value_len;
    if (key_size > 32) {
        slot->used = 0; /* taken: single-use */
    }
    return S2N_SUCCESS;
}

static int cache_delete(struct s2n_connection *conn, void *ctx, const void *key, uint64_t key_size)
{
    struct cache_slot *slot = cache_find(key, key_size);
    (void)conn;
    (void)ctx;
    if (slot != NULL) {
        slot->used = 0;
    }
    return S2N_SUCCESS;
}

/* s2n_recv_early_data until the early data is over (a blocking socket): the
 * bytes read into buf, or -1. */
static ssize_t recv_early(struct s2n_connection *conn, char *buf, size_t cap)
{
    ssize_t total = 0;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t got = 0;
        int r = s2n_recv_early_data(conn, (uint8_t *)buf + total, (ssize_t)cap - total, &got,
                                    &blocked);
        total += got;
        if (r == S2N_SUCCESS) {
            return total;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            fail_s2n("s2n_recv_early_data");
            return -1;
        }
    }
}

static int serve(int listen_fd, const char *policy, const char *chain_pem, const char *key_pem,
                 int count, int early)
{
    static const char ticket_key_name[] = "demo key 1";
    uint8_t ticket_key[TICKET_KEY_LEN];
    struct s2n_config *config = NULL;
    struct s2n_connection *conn = NULL;
    int fd = -1;
    int ok = -1;
    int i;

    config = s2n_config_new_minimal();
    if (config == NULL) {
        fail_s2n("s2n_config_new_minimal");
        goto out;
    }
    S2N_CHECK(s2n_config_set_cipher_preferences(config, policy));
    S2N_CHECK(s2n_config_add_cert_chain_and_key(config, chain_pem, key_pem));
    /* Stateless resumption: tickets sealed with a key only this server knows. */
    if (random_bytes(ticket_key, sizeof(ticket_key)) != 0) {
        goto out;
    }
    if (early) {
        /* Stateful resumption (tickets off, the cache on; the ticket key seals
         * the cached sessions) and early data up to a line. */
        S2N_CHECK(s2n_config_set_session_tickets_onoff(config, 0));
        S2N_CHECK(s2n_config_set_cache_store_callback(config, cache_store, NULL));
        S2N_CHECK(s2n_config_set_cache_retrieve_callback(config, cache_retrieve, NULL));
        S2N_CHECK(s2n_config_set_cache_delete_callback(config, cache_delete, NULL));
        S2N_CHECK(s2n_config_set_session_cache_onoff(config, 1));
        S2N_CHECK(s2n_config_set_server_max_early_data_size(config, MAX_LINE));
    } else {
        S2N_CHECK(s2n_config_set_session_tickets_onoff(config, 1));
    }
    S2N_CHECK(s2n_config_add_ticket_crypto_key(config, (const uint8_t *)ticket_key_name,
                                               (uint32_t)strlen(ticket_key_name), ticket_key,
                                               sizeof(ticket_key), 0));
    memset(ticket_key, 0, sizeof(ticket_key));

    for (i = 0; i < count; i++) {
        char line[MAX_LINE];
        ssize_t len;

        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            fail_msg("accept: %s", strerror(errno));
            goto out;
        }
        set_nodelay(fd);
        conn = s2n_connection_new(S2N_SERVER);
        if (conn == NULL) {
            fail_s2n("s2n_connection_new(S2N_SERVER)");
            goto out;
        }
        S2N_CHECK(s2n_connection_set_config(conn, config));
        S2N_CHECK(s2n_connection_set_fd(conn, fd));
        len = 0;
        if (early && (len = recv_early(conn, line, sizeof(line))) < 0) {
            goto out;
        }
        if (negotiate(conn) != 0) {
            goto out;
        }
        if (i >= FULL_PER_PROTOCOL && !s2n_connection_is_session_resumed(conn)) {
            fail_msg("connection %d of %d did not resume its session (handshake %s)", i + 1,
                     count, s2n_connection_get_handshake_type_name(conn));
            goto out;
        }
        if ((len == 0 && (len = recv_line(conn, line, sizeof(line))) < 0) ||
            send_all(conn, line, (size_t)len) != 0 || shutdown_tls(conn) != 0) {
            goto out;
        }
        s2n_connection_free(conn);
        conn = NULL;
        close(fd);
        fd = -1;
    }
    ok = 0;
out:
    if (conn != NULL) {
        s2n_connection_free(conn);
    }
    if (fd >= 0) {
        close(fd);
    }
    if (config != NULL) {
        s2n_config_free(config);
    }
    return ok;
}

/* ------------------------------------------------------------------------- */
/* Client (parent process)                                                    */
/* ------------------------------------------------------------------------- */

/* A saved TLS session to resume from: the bytes of s2n_connection_get_session,
 * for s2n_connection_set_session. */
struct saved_session {
    int valid;
    size_t len;
    uint8_t data[MAX_SESSION];
};

struct conn_result {
    int index;
    int version;            /* S2N_TLS12, S2N_TLS13 */
    const char *cipher;     /* static string */
    char handshake[128];    /* s2n's handshake type name */
    int reused;             /* s2n_connection_is_session_resumed: 0 "New", 1 "Reused" */
    uint64_t handshake_us;  /* client's s2n_negotiate loop */
    int session_len;        /* bytes of the session saved after it; 0: none */
};

/* One client connection to 127.0.0.1:port: handshake (timed), echo a line,
 * shut down. `resume` (may be NULL) is the session to resume; `save` (may be
 * NULL) receives this connection's session for a later resumption. */
static int client_connection(struct s2n_config *config, uint16_t port, int index,
                             const struct saved_session *resume, struct saved_session *save,
                             int early, struct conn_result *res)
{
    ssize_t early_sent = 0;
    struct s2n_connection *conn = NULL;
    struct sockaddr_in addr;
    char msg[MAX_LINE];
    char echo[MAX_LINE];
    const char *type;
    uint64_t t0;
    int msg_len = 0;
    int session_len;
    int fd = -1;
    int ok = -1;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        fail_msg("socket: %s", strerror(errno));
        goto out;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        fail_msg("connect to 127.0.0.1:%u: %s", (unsigned)port, strerror(errno));
        goto out;
    }
    set_nodelay(fd);

    conn = s2n_connection_new(S2N_CLIENT);
    if (conn == NULL) {
        fail_s2n("s2n_connection_new(S2N_CLIENT)");
        goto out;
    }
    S2N_CHECK(s2n_connection_set_config(conn, config));
    S2N_CHECK(s2n_set_server_name(conn, SERVER_NAME));
    S2N_CHECK(s2n_connection_set_fd(conn, fd));
    if (resume != NULL && resume->valid) {
        S2N_CHECK(s2n_connection_set_session(conn, resume->data, resume->len));
    }

    t0 = now_ns();
    if (early && resume != NULL && resume->valid) {
        /* The line goes in the first flight, as early data. */
        msg_len = snprintf(msg, sizeof(msg), "hello %d as early data\n", index);
        while (early_sent < msg_len) {
            s2n_blocked_status blocked = S2N_NOT_BLOCKED;
            ssize_t n = 0;
            int r = s2n_send_early_data(conn, (const uint8_t *)msg + early_sent,
                                        msg_len - early_sent, &n, &blocked);
            early_sent += n;
            if (r == S2N_SUCCESS) {
                break;
            }
            if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                fail_s2n("s2n_send_early_data");
                goto out;
            }
        }
        if (early_sent != msg_len) {
            fail_msg("connection %d: the session allowed %zd bytes of early data, not %d",
                     index, early_sent, msg_len);
            goto out;
        }
    }
    if (negotiate(conn) != 0) {
        goto out;
    }
    res->handshake_us = (now_ns() - t0 + 500) / 1000;

    res->index = index;
    res->version = s2n_connection_get_actual_protocol_version(conn);
    res->cipher = s2n_connection_get_cipher(conn);
    type = s2n_connection_get_handshake_type_name(conn);
    if (res->cipher == NULL || type == NULL) {
        fail_s2n("s2n_connection_get_cipher/handshake_type_name");
        goto out;
    }
    snprintf(res->handshake, sizeof(res->handshake), "%s", type);
    res->reused = s2n_connection_is_session_resumed(conn);
    if (res->reused != (strstr(type, "FULL_HANDSHAKE") == NULL)) {
        fail_msg("connection %d: s2n_connection_is_session_resumed says %d, but the "
                 "handshake type is %s", index, res->reused, type);
        goto out;
    }
    if (res->reused != (resume != NULL && resume->valid)) {
        fail_msg("connection %d: %s, but the handshake was %s (%s)", index,
                 res->reused ? "no session was offered" : "a saved session was offered",
                 res->reused ? "resumed" : "a full one", type);
        goto out;
    }

    if (early_sent > 0) {
        s2n_early_data_status_t status = S2N_EARLY_DATA_STATUS_NOT_REQUESTED;
        S2N_CHECK(s2n_connection_get_early_data_status(conn, &status));
        if (status != S2N_EARLY_DATA_STATUS_END) {
            fail_msg("connection %d: the server did not accept the early data (status %d)",
                     index, (int)status);
            goto out;
        }
    } else {
        msg_len = snprintf(msg, sizeof(msg), "hello %d over %s\n", index,
                           protocol_name(res->version));
        if (send_all(conn, msg, (size_t)msg_len) != 0) {
            goto out;
        }
    }
    if (recv_line(conn, echo, sizeof(echo)) < 0) {
        goto out;
    }
    if (strcmp(msg, echo) != 0) {
        fail_msg("connection %d: sent \"%.*s\", got back \"%s\"", index, msg_len - 1, msg, echo);
        goto out;
    }
    /* Session tickets that arrived after the handshake have been read by now:
     * save the newest session for the next connection. */
    if (save != NULL) {
        session_len = s2n_connection_get_session_length(conn);
        if (session_len < 0) {
            fail_s2n("s2n_connection_get_session_length");
            goto out;
        }
        if ((size_t)session_len > sizeof(save->data)) {
            fail_msg("connection %d: the session is %d bytes, more than %zu", index,
                     session_len, sizeof(save->data));
            goto out;
        }
        if (session_len > 0) {
            session_len = s2n_connection_get_session(conn, save->data, sizeof(save->data));
            if (session_len < 0) {
                fail_s2n("s2n_connection_get_session");
                goto out;
            }
            save->len = (size_t)session_len;
            save->valid = 1;
        }
        res->session_len = session_len;
    }
    if (shutdown_tls(conn) != 0) {
        goto out;
    }
    ok = 0;
out:
    if (conn != NULL) {
        s2n_connection_free(conn);
    }
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* ------------------------------------------------------------------------- */
/* One protocol round: a server process, N client connections                 */
/* ------------------------------------------------------------------------- */

struct round {
    const char *policy;
    int expected_version;
    /* Filled in by run_round(). */
    struct conn_result results[CONNECTIONS_PER_PROTOCOL];
    int done;
    int early; /* stateful resumption, requests sent as early data */
};

static void print_result(const struct conn_result *r)
{
    printf("%3d  %-8s %-30s %-75s %-7s %7llu us\n", r->index, protocol_name(r->version),
           r->cipher, r->handshake, r->reused ? "Reused" : "New",
           (unsigned long long)r->handshake_us);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int run_round(struct round *rd, const char *certs, int *next_index)
{
    char path[4096];
    char *chain_pem = NULL;
    char *key_pem = NULL;
    struct s2n_config *config = NULL;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof(addr);
    struct saved_session session;
    int listen_fd = -1;
    pid_t child = -1;
    int ok = -1;
    int i;

    memset(&session, 0, sizeof(session));

    /* Client config: only the test CA is trusted. */
    config = s2n_config_new_minimal();
    if (config == NULL) {
        fail_s2n("s2n_config_new_minimal");
        goto out;
    }
    S2N_CHECK(s2n_config_set_cipher_preferences(config, rd->policy));
    if (join_path(path, sizeof(path), certs, "ca_cert.pem") != 0) {
        goto out;
    }
    S2N_CHECK(s2n_config_set_verification_ca_location(config, path, NULL));
    /* Ask for session tickets, to resume later connections. */
    S2N_CHECK(s2n_config_set_session_tickets_onoff(config, 1));

    /* Server material, read before the fork so a missing file fails here. */
    if (join_path(path, sizeof(path), certs, "ecdsa_p256_cert.pem") != 0) {
        goto out;
    }
    if ((chain_pem = read_file(path)) == NULL) {
        goto out;
    }
    if (join_path(path, sizeof(path), certs, "ecdsa_p256_key.pem") != 0) {
        goto out;
    }
    if ((key_pem = read_file(path)) == NULL) {
        goto out;
    }

    /* Listening before the server process starts: no wait needed. */
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0) {
        fail_msg("socket: %s", strerror(errno));
        goto out;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(listen_fd, CONNECTIONS_PER_PROTOCOL) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&addr, &addr_len) != 0) {
        fail_msg("listening on 127.0.0.1: %s", strerror(errno));
        goto out;
    }

    printf("%s (policy \"%s\")%s: server on 127.0.0.1:%u\n", protocol_name(rd->expected_version),
           rd->policy, rd->early ? ", session cache, early data" : "",
           (unsigned)ntohs(addr.sin_port));
    fflush(stdout);
    fflush(stderr);
    child = fork();
    if (child < 0) {
        fail_msg("fork: %s", strerror(errno));
        goto out;
    }
    if (child == 0) {
        g_role = "demo server";
        _exit(serve(listen_fd, rd->policy, chain_pem, key_pem, CONNECTIONS_PER_PROTOCOL,
                    rd->early) == 0
                  ? 0 : 1);
    }
    /* The parent does not accept: if the server dies, connect() is refused
     * instead of hanging in the backlog. */
    close(listen_fd);
    listen_fd = -1;

    for (i = 0; i < CONNECTIONS_PER_PROTOCOL; i++) {
        struct conn_result *r = &rd->results[i];
        /* The first connections are full handshakes, each saving its session;
         * every later one offers the same bytes, the last full handshake's. */
        if (client_connection(config, ntohs(addr.sin_port), (*next_index)++,
                              i < FULL_PER_PROTOCOL ? NULL : &session,
                              i < FULL_PER_PROTOCOL ? &session : NULL, rd->early, r) != 0) {
            goto out;
        }
        if (r->version != rd->expected_version) {
            fail_msg("connection %d: negotiated %s, expected %s", r->index,
                     protocol_name(r->version), protocol_name(rd->expected_version));
            goto out;
        }
        rd->done++;
        print_result(r);
        fflush(stdout);
        if (i + 1 == FULL_PER_PROTOCOL && r->session_len == 0) {
            fail_msg("connection %d left no session to resume (s2n_connection_get_session "
                     "returned 0 bytes)", r->index);
            goto out;
        }
    }
    ok = 0;
out:
    if (child > 0) {
        int status = 0;
        if (ok != 0) {
            kill(child, SIGTERM); /* it may be waiting in accept() */
        }
        if (waitpid(child, &status, 0) != child) {
            fail_msg("waitpid: %s", strerror(errno));
            ok = -1;
        } else if (ok == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            fail_msg("the server process failed (status %d)", status);
            ok = -1;
        }
    }
    if (listen_fd >= 0) {
        close(listen_fd);
    }
    if (config != NULL) {
        s2n_config_free(config);
    }
    free(chain_pem);
    free(key_pem);
    return ok;
}

/* The median handshake time of the round's full (reused 0) or resumed (reused
 * 1) connections; *count is how many there were (0: no median). */
static uint64_t median_us(const struct round *rd, int reused, int *count)
{
    uint64_t t[CONNECTIONS_PER_PROTOCOL];
    int n = 0, i;
    for (i = 0; i < rd->done; i++) {
        if (rd->results[i].reused == reused) {
            t[n++] = rd->results[i].handshake_us;
        }
    }
    *count = n;
    if (n == 0) {
        return 0;
    }
    qsort(t, (size_t)n, sizeof(t[0]), cmp_u64);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void print_summary(const struct round *rd)
{
    int nfull, nres;
    uint64_t full = median_us(rd, 0, &nfull);
    uint64_t resumed = median_us(rd, 1, &nres);
    printf("%s%s: median full handshake %6llu us (%d), median resumed %6llu us (%d)",
           protocol_name(rd->expected_version), rd->early ? " (cache, early data)" : "",
           (unsigned long long)full, nfull,
           (unsigned long long)resumed, nres);
    if (nfull > 0 && nres > 0 && resumed > 0) {
        printf(": resuming is %.1fx faster\n", (double)full / (double)resumed);
    } else {
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    struct round rounds[] = {
        { "default_tls13", S2N_TLS13, { { 0, 0, NULL, "", 0, 0, 0 } }, 0, 0 },
        { "20240501", S2N_TLS12, { { 0, 0, NULL, "", 0, 0, 0 } }, 0, 0 },
        { "default_tls13", S2N_TLS13, { { 0, 0, NULL, "", 0, 0, 0 } }, 0, 1 },
    };
    const size_t nrounds = sizeof(rounds) / sizeof(rounds[0]);
    char certs[4096];
    int next_index = 1;
    size_t i;

    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(stderr, "usage: %s [CERTS_DIR]\n", argv[0]);
        return argc > 2 ? 2 : 0;
    }
    if (find_certs_dir(argc == 2 ? argv[1] : NULL, argv[0], certs, sizeof(certs)) != 0) {
        return 1;
    }
    if (s2n_init() != S2N_SUCCESS) {
        fail_s2n("s2n_init");
        return 1;
    }
    printf("rs2n demo: TLS echo over TCP loopback, certificates from %s\n\n", certs);
    printf("%3s  %-8s %-30s %-75s %-7s %10s\n", "#", "protocol", "cipher", "handshake type",
           "session", "handshake");
    for (i = 0; i < nrounds; i++) {
        if (run_round(&rounds[i], certs, &next_index) != 0) {
            fprintf(stderr, "demo: FAILED\n");
            return 1;
        }
    }
    printf("\n");
    for (i = 0; i < nrounds; i++) {
        print_summary(&rounds[i]);
    }
    printf("(The first full handshake of each protocol includes one-time set-up; the\n"
           " median of three full handshakes keeps it from skewing the figure.)\n");
    s2n_cleanup();
    return 0;
}
