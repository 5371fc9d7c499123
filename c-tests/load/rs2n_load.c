/*
 * rs2n_load.c: the two halves of the load and faults test (c-tests/load/run.sh
 * starts Redis, one server and one client, takes Redis down and up again in the
 * middle of the run, and checks the figures).
 *
 *   rs2n_load server --redis HOST:PORT [--threads N] [--rotate-ms MS]
 *                    [--key-lifetime S] [--decrypt-lifetime S]
 *   rs2n_load client --ports STATEFUL,TICKETS --handshakes N [--threads M]
 *                    [--progress K] [--stale-ms MS]
 *
 * Everything is on 127.0.0.1.
 *
 * The server listens on two ephemeral ports and prints "ports P1 P2" on stdout
 * once it accepts connections. Port P1 is served with the "stateful" config:
 * the session cache in Redis (the callbacks of examples/redis_cache.h; each
 * worker thread has its own Redis connection, found through the connection's
 * context), session tickets off: TLS1.2 resumes by session ID, TLS1.3 by
 * single-use tickets that are keys into the cache. Port P2 is served with the
 * "tickets" config: stateless session tickets, no cache. One config each, shared
 * by every worker. N worker threads (default 4) each accept on both ports and
 * serve one connection at a time to its end: handshake, one byte of application
 * data ("x"), s2n_shutdown, close. Odd workers reuse one s2n_connection
 * (s2n_connection_wipe), even ones make a new one each time. A rotation thread
 * adds a ticket key (32 random bytes, s2n_config_add_ticket_crypto_key with
 * intro time 0) to both configs every --rotate-ms (default 1000); keys encrypt
 * for --key-lifetime seconds (default 2) then only decrypt for
 * --decrypt-lifetime more (default 2). The server runs until SIGTERM or SIGINT,
 * then prints its figures ("server ..." lines) and exits 0.
 *
 * The client runs M threads (default 8). Thread i has the kind i % 4:
 * tls12-stateful (TLS1.2 client, no tickets: session IDs, to P1),
 * tls13-stateful (TLS1.3 to P1), tls12-tickets and tls13-tickets (to P2). Each
 * thread connects again and again, offering the session of its last connection
 * (s2n_connection_set_session), reads the server's byte (which also brings
 * TLS1.3's tickets), keeps the new session (s2n_connection_get_session), shuts
 * down, and waits for the server to close first (so that TIME_WAIT stays on the
 * server's side). Threads 4 to 7 (i / 4 odd) reuse their connection with
 * s2n_connection_wipe. Once in a while a thread offers a session it kept for
 * more than --stale-ms (default 6000: older than any ticket key it could have
 * been sealed with): a TLS1.2 ticket then must be a full handshake. The client stops after N
 * handshakes in all, printing "progress DONE MS" every --progress (default
 * 1000) handshakes and its figures at the end; it exits 0 if they meet the
 * expectations below, 1 if not.
 *
 * Phases: both programs count everything by phase; each SIGUSR1 moves them to
 * the next one: 0 "before" (Redis up), 1 "outage" (run.sh stopped Redis),
 * 2 "recovery" (Redis is back, the first seconds: workers reconnect at most
 * once a second, Redis is empty), 3 "after". A handshake that started in one
 * phase and ended in another is counted under "transition".
 *
 * Expectations checked by the client (run.sh checks the server's):
 *   - no failed handshake, in any phase: a cache that does not answer is a
 *     miss, a full handshake;
 *   - before and after: at least 90% of the sessions offered resume, for every
 *     kind;
 *   - outage: no stateful resumption (the cache is gone), full handshakes
 *     instead; tickets still resume (at least 90%);
 *   - a stale TLS1.2 ticket offered never resumes (a TLS1.2 session ID is
 *     shown but not checked: its cache entry may have been stored again since;
 *     TLS1.3 bytes are shown but not checked either: they name the thread's
 *     session line, which every later connection refilled with fresh tickets,
 *     so they resume like the newest bytes).
 */
#if !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <s2n.h>

#define EXAMPLE_UTIL_PROG "rs2n_load"
#include "example_util.h"
#include "redis_cache.h"

#ifndef RS2N_HAVE_HIREDIS
#error "rs2n_load needs hiredis (RS2N_HAVE_HIREDIS)"
#endif

#define IO_TIMEOUT_MS 20000 /* any one connection: generous, a loaded machine */
#define SESSION_MAX 8192
#define MAX_THREADS 64
#define FAIL_LOG_MAX 20 /* failures printed one by one, per program */

enum { PH_BEFORE, PH_OUTAGE, PH_RECOVERY, PH_AFTER, PH_TRANSITION, NPHASES };
static const char *const phase_names[NPHASES] = { "before", "outage", "recovery", "after",
                                                  "transition" };

enum { CFG_STATEFUL, CFG_TICKETS, NCFGS };
static const char *const cfg_names[NCFGS] = { "stateful", "tickets" };

static volatile sig_atomic_t g_phase; /* PH_BEFORE .. PH_AFTER; SIGUSR1 moves it on */
static volatile sig_atomic_t g_stop;  /* server: SIGTERM / SIGINT */
static unsigned long g_failures_logged;

static void on_usr1(int sig)
{
    (void) sig;
    if (g_phase < PH_AFTER) {
        g_phase = g_phase + 1;
    }
}

static void on_stop(int sig)
{
    (void) sig;
    g_stop = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* The phase a handshake is counted in: where it started, if it also ended there. */
static int phase_of(int start)
{
    int end = g_phase;
    return start == end ? start : PH_TRANSITION;
}

/* Prints one failure (the first FAIL_LOG_MAX of this program) on stderr. */
static void log_failure(const char *fmt, ...) EXAMPLE_UTIL_PRINTF(1, 2);
static void log_failure(const char *fmt, ...)
{
    va_list ap;
    if (__atomic_fetch_add(&g_failures_logged, 1, __ATOMIC_RELAXED) >= FAIL_LOG_MAX) {
        return;
    }
    fputs(EXAMPLE_UTIL_PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (f == NULL) {
        msg("cannot open %s: %s", path, strerror(errno));
        exit(1);
    }
    buf = malloc(1024 * 1024);
    if (buf == NULL) {
        msg("out of memory");
        exit(1);
    }
    n = fread(buf, 1, 1024 * 1024 - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void set_nodelay(int fd)
{
    int one = 1;
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void die_s2n(const char *what)
{
    msg_s2n(what);
    exit(1);
}

/* ------------------------------------------------------------------------- */
/* Server                                                                     */
/* ------------------------------------------------------------------------- */

struct tally {
    unsigned long ok, resumed, full, failed;
    unsigned long stores, store_failures, hits, misses, deletes;
};

struct worker {
    pthread_t thread;
    int index;
    struct redis_cache redis; /* this worker's own connection to Redis */
    struct s2n_connection *conn; /* odd workers: reused with s2n_connection_wipe */
    struct tally t[NCFGS][NPHASES];
    unsigned long redis_errors[NPHASES];
    unsigned long shutdown_errors, setup_errors;
};

/* What a connection's context (s2n_connection_set_ctx) points at. */
struct conn_ctx {
    struct worker *w;
    int start_phase;
};

static struct s2n_config *g_cfg[NCFGS];
static int g_lfd[NCFGS];
static unsigned long g_keys_added, g_keys_failed;

/* The cache callbacks: the worker, hence its Redis connection, comes from the
 * connection's context (on `conn`, only s2n_connection_get_ctx is called). A
 * Redis that does not answer is a failed store or a miss; s2n goes on. */
static int cache_store_cb(struct s2n_connection *conn, void *ctx, uint64_t ttl, const void *key,
                          uint64_t key_size, const void *value, uint64_t value_size)
{
    struct conn_ctx *cc = s2n_connection_get_ctx(conn);
    struct worker *w = cc->w;
    int ph = g_phase;
    unsigned long errors = w->redis.errors;
    int rc = redis_cache_store(&w->redis, ttl, key, key_size, value, value_size);
    (void) ctx;
    w->redis_errors[ph] += w->redis.errors - errors;
    if (rc == 0) {
        w->t[CFG_STATEFUL][ph].stores++;
    } else {
        w->t[CFG_STATEFUL][ph].store_failures++;
    }
    return rc == 0 ? 0 : -1;
}

static int cache_retrieve_cb(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size)
{
    struct conn_ctx *cc = s2n_connection_get_ctx(conn);
    struct worker *w = cc->w;
    int ph = g_phase;
    unsigned long errors = w->redis.errors;
    int rc = redis_cache_retrieve(&w->redis, key, key_size, value, value_size);
    (void) ctx;
    w->redis_errors[ph] += w->redis.errors - errors;
    if (rc == 0) {
        w->t[CFG_STATEFUL][ph].hits++;
    } else {
        w->t[CFG_STATEFUL][ph].misses++;
    }
    return rc == 0 ? 0 : -1;
}

static int cache_delete_cb(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size)
{
    struct conn_ctx *cc = s2n_connection_get_ctx(conn);
    struct worker *w = cc->w;
    int ph = g_phase;
    unsigned long errors = w->redis.errors;
    int rc = redis_cache_delete(&w->redis, key, key_size);
    (void) ctx;
    w->redis_errors[ph] += w->redis.errors - errors;
    w->t[CFG_STATEFUL][ph].deletes++;
    return rc == 0 ? 0 : -1;
}

static int random_bytes(uint8_t *out, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n;
    if (f == NULL) {
        return -1;
    }
    n = fread(out, 1, len, f);
    fclose(f);
    return n == len ? 0 : -1;
}

/* Adds the key "k<n>" (32 random bytes, encrypting from now) to both configs. */
static void add_key(unsigned long n)
{
    char name[16];
    uint8_t material[32];
    int i;
    snprintf(name, sizeof(name), "k%06lu", n);
    if (random_bytes(material, sizeof(material)) != 0) {
        msg("cannot read /dev/urandom");
        g_keys_failed++;
        return;
    }
    for (i = 0; i < NCFGS; i++) {
        if (s2n_config_add_ticket_crypto_key(g_cfg[i], (const uint8_t *) name,
                                             (uint32_t) strlen(name), material,
                                             sizeof(material), 0)
            != S2N_SUCCESS) {
            msg("adding ticket key %s to the %s config: %s (%s)", name, cfg_names[i],
                s2n_strerror(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
            g_keys_failed++;
        } else {
            g_keys_added++;
        }
    }
    memset(material, 0, sizeof(material));
}

struct rotation {
    pthread_t thread;
    long period_ms;
};

static void *rotation_main(void *arg)
{
    struct rotation *r = arg;
    unsigned long n = 1;
    long long next = now_ms() + r->period_ms;
    while (!g_stop) {
        long long now = now_ms();
        if (now >= next) {
            add_key(n++);
            next += r->period_ms;
            continue;
        }
        poll(NULL, 0, (int) (next - now > 100 ? 100 : next - now));
    }
    return NULL;
}

/* Serves one accepted connection to its end. */
static void serve(struct worker *w, int which, int fd)
{
    struct conn_ctx cc;
    struct s2n_connection *conn;
    long long deadline = now_ms() + IO_TIMEOUT_MS;
    int rc, ph;

    cc.w = w;
    cc.start_phase = g_phase;
    conn = (w->conn != NULL) ? w->conn : s2n_connection_new(S2N_SERVER);
    if (conn == NULL || s2n_connection_set_config(conn, g_cfg[which]) != S2N_SUCCESS
        || s2n_connection_set_ctx(conn, &cc) != S2N_SUCCESS
        || s2n_connection_set_fd(conn, fd) != S2N_SUCCESS) {
        w->setup_errors++;
        w->t[which][phase_of(cc.start_phase)].failed++;
        log_failure("server: worker %d: connection set-up: %s (%s)", w->index,
                    s2n_strerror(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        if (conn != NULL && conn != w->conn) {
            s2n_connection_free(conn);
        }
        return;
    }

    rc = drive_s2n_call(s2n_negotiate, conn, fd, deadline);
    if (rc == 0) {
        int resumed = s2n_connection_is_session_resumed(conn);
        int r2 = send_all(conn, fd, "x", 1, deadline);
        if (r2 == 0) {
            r2 = drive_s2n_call(s2n_shutdown, conn, fd, deadline);
        }
        if (r2 != 0) {
            w->shutdown_errors++;
        }
        ph = phase_of(cc.start_phase);
        w->t[which][ph].ok++;
        if (resumed) {
            w->t[which][ph].resumed++;
        } else {
            w->t[which][ph].full++;
        }
    } else {
        int err = s2n_errno;
        ph = phase_of(cc.start_phase);
        w->t[which][ph].failed++;
        log_failure("server: worker %d, %s config, phase %s: handshake %s: %s (%s)", w->index,
                    cfg_names[which], phase_names[ph], rc > 0 ? "timed out" : "failed",
                    s2n_strerror(err, "EN"), s2n_strerror_name(err));
    }

    if (w->conn != NULL) {
        if (s2n_connection_wipe(conn) != S2N_SUCCESS) {
            msg_s2n("s2n_connection_wipe");
            s2n_connection_free(conn);
            w->conn = s2n_connection_new(S2N_SERVER);
            if (w->conn == NULL) {
                die_s2n("s2n_connection_new");
            }
        }
    } else {
        s2n_connection_free(conn);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    while (!g_stop) {
        struct pollfd p[NCFGS];
        int i, n;
        for (i = 0; i < NCFGS; i++) {
            p[i].fd = g_lfd[i];
            p[i].events = POLLIN;
            p[i].revents = 0;
        }
        n = poll(p, NCFGS, 100);
        if (n <= 0) {
            continue;
        }
        for (i = 0; i < NCFGS; i++) {
            int fd;
            if (!(p[i].revents & POLLIN)) {
                continue;
            }
            fd = accept4(g_lfd[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                continue; /* another worker took it, or it went away */
            }
            set_nodelay(fd);
            serve(w, i, fd);
            close(fd);
        }
    }
    return NULL;
}

static int listen_loopback(void)
{
    struct sockaddr_in addr;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        msg("socket: %s", strerror(errno));
        exit(1);
    }
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 || listen(fd, 4096) != 0) {
        msg("cannot listen on 127.0.0.1: %s", strerror(errno));
        exit(1);
    }
    return fd;
}

static int port_of(int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    if (getsockname(fd, (struct sockaddr *) &addr, &len) != 0) {
        msg("getsockname: %s", strerror(errno));
        exit(1);
    }
    return ntohs(addr.sin_port);
}

static struct s2n_config *server_config(int which, const char *cert, const char *key,
                                        long key_lifetime, long decrypt_lifetime)
{
    struct s2n_config *c = s2n_config_new_minimal();
    if (c == NULL) {
        die_s2n("s2n_config_new_minimal");
    }
    if (s2n_config_set_cipher_preferences(c, "default_tls13") != S2N_SUCCESS) {
        die_s2n("s2n_config_set_cipher_preferences");
    }
    if (s2n_config_add_cert_chain_and_key(c, cert, key) != S2N_SUCCESS) {
        die_s2n("s2n_config_add_cert_chain_and_key");
    }
    if (s2n_config_set_ticket_encrypt_decrypt_key_lifetime(c, (uint64_t) key_lifetime)
            != S2N_SUCCESS
        || s2n_config_set_ticket_decrypt_key_lifetime(c, (uint64_t) decrypt_lifetime)
               != S2N_SUCCESS) {
        die_s2n("s2n_config_set_ticket_*_key_lifetime");
    }
    if (which == CFG_STATEFUL) {
        /* The cache before any key: s2n ignores keys while tickets and the
         * cache are both off. */
        if (s2n_config_set_cache_store_callback(c, cache_store_cb, NULL) != S2N_SUCCESS
            || s2n_config_set_cache_retrieve_callback(c, cache_retrieve_cb, NULL) != S2N_SUCCESS
            || s2n_config_set_cache_delete_callback(c, cache_delete_cb, NULL) != S2N_SUCCESS
            || s2n_config_set_session_cache_onoff(c, 1) != S2N_SUCCESS
            || s2n_config_set_session_tickets_onoff(c, 0) != S2N_SUCCESS) {
            die_s2n("session cache set-up");
        }
    } else if (s2n_config_set_session_tickets_onoff(c, 1) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_tickets_onoff");
    }
    return c;
}

static int parse_host_port(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(s, ':');
    long v;
    if (colon == NULL || (size_t) (colon - s) >= hostlen || colon == s
        || parse_long(colon + 1, 1, 65535, &v) != 0) {
        return -1;
    }
    memcpy(host, s, (size_t) (colon - s));
    host[colon - s] = '\0';
    *port = (int) v;
    return 0;
}

static int server_main(int argc, char **argv)
{
    const char *redis = NULL;
    long threads = 4, rotate_ms = 1000, key_lifetime = 2, decrypt_lifetime = 2;
    char cert_path[4096], key_path[4096];
    char *cert, *key;
    char url[300], host[256], err[512];
    int redis_port;
    struct worker *workers;
    struct rotation rot;
    int i, j, k;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(a, "--redis") == 0) {
            NEED_VALUE();
            redis = val;
        } else if (strcmp(a, "--threads") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, MAX_THREADS, &threads) != 0) {
                msg("bad --threads");
                return -1;
            }
        } else if (strcmp(a, "--rotate-ms") == 0) {
            NEED_VALUE();
            if (parse_long(val, 10, 3600000, &rotate_ms) != 0) {
                msg("bad --rotate-ms");
                return -1;
            }
        } else if (strcmp(a, "--key-lifetime") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 3600, &key_lifetime) != 0) {
                msg("bad --key-lifetime");
                return -1;
            }
        } else if (strcmp(a, "--decrypt-lifetime") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 3600, &decrypt_lifetime) != 0) {
                msg("bad --decrypt-lifetime");
                return -1;
            }
        } else {
            msg("server: unknown option %s", a);
            return -1;
        }
    }
    if (redis == NULL || parse_host_port(redis, host, sizeof(host), &redis_port) != 0) {
        msg("server: --redis HOST:PORT is required");
        return -1;
    }
    snprintf(url, sizeof(url), "redis://%s:%d", host, redis_port);

    snprintf(cert_path, sizeof(cert_path), "%s/ecdsa_p256_cert.pem", RS2N_CERTS_DIR);
    snprintf(key_path, sizeof(key_path), "%s/ecdsa_p256_key.pem", RS2N_CERTS_DIR);
    cert = read_pem(cert_path);
    key = read_pem(key_path);
    for (i = 0; i < NCFGS; i++) {
        g_cfg[i] = server_config(i, cert, key, key_lifetime, decrypt_lifetime);
    }
    free(cert);
    free(key);
    add_key(0);
    if (g_keys_failed != 0) {
        return 1;
    }

    workers = calloc((size_t) threads, sizeof(*workers));
    if (workers == NULL) {
        msg("out of memory");
        return 1;
    }
    for (i = 0; i < threads; i++) {
        workers[i].index = i;
        if (redis_cache_init(&workers[i].redis, url, "rs2n-load:", err, sizeof(err)) != 0) {
            msg("redis: %s", err);
            return 1;
        }
        if (i % 2 == 1) {
            workers[i].conn = s2n_connection_new(S2N_SERVER);
            if (workers[i].conn == NULL) {
                die_s2n("s2n_connection_new");
            }
        }
    }
    for (i = 0; i < NCFGS; i++) {
        g_lfd[i] = listen_loopback();
    }
    for (i = 0; i < threads; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            msg("pthread_create failed");
            return 1;
        }
    }
    rot.period_ms = rotate_ms;
    if (pthread_create(&rot.thread, NULL, rotation_main, &rot) != 0) {
        msg("pthread_create failed");
        return 1;
    }
    printf("ports %d %d\n", port_of(g_lfd[CFG_STATEFUL]), port_of(g_lfd[CFG_TICKETS]));
    fflush(stdout);

    while (!g_stop) {
        poll(NULL, 0, 100);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    pthread_join(rot.thread, NULL);

    /* The figures: one line per config and phase, summed over the workers. */
    for (k = 0; k < NCFGS; k++) {
        for (j = 0; j < NPHASES; j++) {
            struct tally s;
            unsigned long redis_errors = 0;
            memset(&s, 0, sizeof(s));
            for (i = 0; i < threads; i++) {
                struct tally *t = &workers[i].t[k][j];
                s.ok += t->ok;
                s.resumed += t->resumed;
                s.full += t->full;
                s.failed += t->failed;
                s.stores += t->stores;
                s.store_failures += t->store_failures;
                s.hits += t->hits;
                s.misses += t->misses;
                s.deletes += t->deletes;
                if (k == CFG_STATEFUL) {
                    redis_errors += workers[i].redis_errors[j];
                }
            }
            printf("server config=%s phase=%s ok=%lu resumed=%lu full=%lu failed=%lu",
                   cfg_names[k], phase_names[j], s.ok, s.resumed, s.full, s.failed);
            if (k == CFG_STATEFUL) {
                printf(" stores=%lu store_failures=%lu hits=%lu misses=%lu deletes=%lu "
                       "redis_errors=%lu",
                       s.stores, s.store_failures, s.hits, s.misses, s.deletes, redis_errors);
            }
            printf("\n");
        }
    }
    {
        unsigned long shutdown_errors = 0, setup_errors = 0;
        for (i = 0; i < threads; i++) {
            shutdown_errors += workers[i].shutdown_errors;
            setup_errors += workers[i].setup_errors;
        }
        printf("server keys_added=%lu keys_failed=%lu shutdown_errors=%lu setup_errors=%lu\n",
               g_keys_added, g_keys_failed, shutdown_errors, setup_errors);
    }
    fflush(stdout);

    for (i = 0; i < threads; i++) {
        if (workers[i].conn != NULL) {
            s2n_connection_free(workers[i].conn);
        }
        redis_cache_free(&workers[i].redis);
    }
    free(workers);
    for (i = 0; i < NCFGS; i++) {
        close(g_lfd[i]);
        s2n_config_free(g_cfg[i]);
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Client                                                                     */
/* ------------------------------------------------------------------------- */

enum { K_TLS12_STATEFUL, K_TLS13_STATEFUL, K_TLS12_TICKETS, K_TLS13_TICKETS, NKINDS };
static const char *const kind_names[NKINDS] = { "tls12-stateful", "tls13-stateful",
                                                "tls12-tickets", "tls13-tickets" };

struct ctally {
    unsigned long ok, failed;
    unsigned long offered, resumed; /* sessions offered, and of those resumed */
    unsigned long fresh;            /* no session to offer: a full handshake */
    unsigned long no_session;       /* a good connection without a session after */
    unsigned long stale_offered, stale_resumed;
};

struct client {
    pthread_t thread;
    int index, kind, port, reuse;
    struct s2n_config *config;
    struct s2n_connection *conn; /* threads that reuse theirs (s2n_connection_wipe) */
    uint8_t session[SESSION_MAX];
    int session_len;
    uint8_t old[SESSION_MAX]; /* kept to be offered once stale */
    int old_len;
    long long old_ms;
    struct ctally t[NPHASES];
};

static unsigned long g_claimed, g_done, g_target, g_progress;
static long long g_start_ms, g_stale_ms;

static int client_connect(int port)
{
    struct sockaddr_in addr;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t) port);
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 || set_nonblocking(fd) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    set_nodelay(fd);
    return fd;
}

/* Reads the server's one byte (for TLS1.3, its tickets come first). */
static int read_byte(struct s2n_connection *conn, int fd, long long deadline)
{
    for (;;) {
        char c;
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = s2n_recv(conn, &c, 1, &blocked);
        if (n == 1) {
            return c == 'x' ? 0 : -1;
        }
        if (n == 0 || !s2n_would_block()) {
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            return 1;
        }
    }
}

/* After s2n_shutdown: waits (briefly) for the server to close first. */
static void wait_server_close(int fd)
{
    struct pollfd p;
    char buf[64];
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 1000) > 0) {
        ssize_t n = read(fd, buf, sizeof(buf));
        (void) n;
    }
}

/* Done with a connection: wiped for the next one (threads that reuse), or freed. */
static void release_conn(struct client *c, struct s2n_connection *conn)
{
    if (!c->reuse) {
        s2n_connection_free(conn);
    } else if (s2n_connection_wipe(conn) != S2N_SUCCESS) {
        msg_s2n("s2n_connection_wipe");
        s2n_connection_free(conn);
        c->conn = NULL;
    }
}

static void one_handshake(struct client *c)
{
    struct s2n_connection *conn;
    long long deadline = now_ms() + IO_TIMEOUT_MS;
    int start = g_phase, ph, fd, rc, offered = 0, stale = 0;
    const char *stage = "set-up";

    if (c->reuse && c->conn == NULL) {
        c->conn = s2n_connection_new(S2N_CLIENT);
    }
    conn = c->reuse ? c->conn : s2n_connection_new(S2N_CLIENT);
    if (conn == NULL || s2n_connection_set_config(conn, c->config) != S2N_SUCCESS
        || s2n_set_server_name(conn, "localhost") != S2N_SUCCESS) {
        goto failed_s2n;
    }
    if (c->old_len > 0 && now_ms() - c->old_ms >= g_stale_ms) {
        stale = 1;
        offered = 1;
        if (s2n_connection_set_session(conn, c->old, (size_t) c->old_len) != S2N_SUCCESS) {
            stage = "s2n_connection_set_session (stale)";
            goto failed_s2n;
        }
        c->old_len = 0;
    } else if (c->session_len > 0) {
        offered = 1;
        if (s2n_connection_set_session(conn, c->session, (size_t) c->session_len)
            != S2N_SUCCESS) {
            stage = "s2n_connection_set_session";
            goto failed_s2n;
        }
    }
    fd = client_connect(c->port);
    if (fd < 0) {
        ph = phase_of(start);
        c->t[ph].failed++;
        log_failure("client %d (%s), phase %s: connect: %s", c->index, kind_names[c->kind],
                    phase_names[ph], strerror(errno));
        release_conn(c, conn);
        c->session_len = 0;
        return;
    }
    if (s2n_connection_set_fd(conn, fd) != S2N_SUCCESS) {
        close(fd);
        goto failed_s2n;
    }
    stage = "handshake";
    rc = drive_s2n_call(s2n_negotiate, conn, fd, deadline);
    if (rc == 0) {
        stage = "reading the server's byte";
        rc = read_byte(conn, fd, deadline);
    }
    if (rc == 0) {
        int resumed = s2n_connection_is_session_resumed(conn);
        int len = s2n_connection_get_session_length(conn);
        ph = phase_of(start);
        c->t[ph].ok++;
        if (offered) {
            c->t[ph].offered++;
            c->t[ph].resumed += resumed ? 1 : 0;
        } else {
            c->t[ph].fresh++;
        }
        if (stale) {
            c->t[ph].stale_offered++;
            c->t[ph].stale_resumed += resumed ? 1 : 0;
        }
        if (len > 0 && len <= SESSION_MAX
            && s2n_connection_get_session(conn, c->session, (size_t) len) == len) {
            c->session_len = len;
            if (c->old_len == 0) {
                memcpy(c->old, c->session, (size_t) len);
                c->old_len = len;
                c->old_ms = now_ms();
            }
        } else {
            c->session_len = 0;
            c->t[ph].no_session++;
        }
        (void) drive_s2n_call(s2n_shutdown, conn, fd, deadline);
        wait_server_close(fd);
    } else {
        int err = s2n_errno;
        ph = phase_of(start);
        c->t[ph].failed++;
        c->session_len = 0;
        log_failure("client %d (%s), phase %s: %s %s: %s (%s)", c->index, kind_names[c->kind],
                    phase_names[ph], stage, rc > 0 ? "timed out" : "failed",
                    s2n_strerror(err, "EN"), s2n_strerror_name(err));
    }
    close(fd);
    release_conn(c, conn);
    return;

failed_s2n:
    ph = phase_of(start);
    c->t[ph].failed++;
    c->session_len = 0;
    log_failure("client %d (%s): %s: %s (%s)", c->index, kind_names[c->kind], stage,
                s2n_strerror(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
    if (conn != NULL) {
        release_conn(c, conn);
    }
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    while (__atomic_fetch_add(&g_claimed, 1, __ATOMIC_RELAXED) < g_target) {
        unsigned long done;
        one_handshake(c);
        done = __atomic_add_fetch(&g_done, 1, __ATOMIC_RELAXED);
        if (done % g_progress == 0) {
            printf("progress %lu %lld\n", done, now_ms() - g_start_ms);
            fflush(stdout);
        }
    }
    return NULL;
}

static struct s2n_config *client_config(int kind, const char *ca)
{
    int tls13 = (kind == K_TLS13_STATEFUL || kind == K_TLS13_TICKETS);
    int tickets = (kind != K_TLS12_STATEFUL); /* TLS1.3 gets its session as a ticket */
    struct s2n_config *c = s2n_config_new();
    if (c == NULL) {
        die_s2n("s2n_config_new");
    }
    /* "20240501": TLS1.2 at most; "default_tls13": TLS1.3 preferred. */
    if (s2n_config_set_cipher_preferences(c, tls13 ? "default_tls13" : "20240501")
            != S2N_SUCCESS
        || s2n_config_set_verification_ca_location(c, ca, NULL) != S2N_SUCCESS
        || s2n_config_set_session_tickets_onoff(c, tickets) != S2N_SUCCESS) {
        die_s2n("client config");
    }
    return c;
}

static int client_main_entry(int argc, char **argv)
{
    long threads = 8, handshakes = 0, progress = 1000, stale_ms = 6000;
    int ports[2] = { 0, 0 };
    char ca[4096];
    struct s2n_config *configs[NKINDS];
    struct client *clients;
    struct ctally sum[NKINDS][NPHASES];
    int i, j, k, bad = 0;
    long long elapsed;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(a, "--ports") == 0) {
            NEED_VALUE();
            if (sscanf(val, "%d,%d", &ports[0], &ports[1]) != 2 || ports[0] <= 0
                || ports[1] <= 0 || ports[0] > 65535 || ports[1] > 65535) {
                msg("bad --ports (STATEFUL,TICKETS)");
                return -1;
            }
        } else if (strcmp(a, "--threads") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, MAX_THREADS, &threads) != 0) {
                msg("bad --threads");
                return -1;
            }
        } else if (strcmp(a, "--handshakes") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 100000000L, &handshakes) != 0) {
                msg("bad --handshakes");
                return -1;
            }
        } else if (strcmp(a, "--progress") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 100000000L, &progress) != 0) {
                msg("bad --progress");
                return -1;
            }
        } else if (strcmp(a, "--stale-ms") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 3600000L, &stale_ms) != 0) {
                msg("bad --stale-ms");
                return -1;
            }
        } else {
            msg("client: unknown option %s", a);
            return -1;
        }
    }
    if (ports[0] == 0 || handshakes == 0) {
        msg("client: --ports and --handshakes are required");
        return -1;
    }
    g_target = (unsigned long) handshakes;
    g_progress = (unsigned long) progress;
    g_stale_ms = stale_ms;

    snprintf(ca, sizeof(ca), "%s/ca_cert.pem", RS2N_CERTS_DIR);
    for (k = 0; k < NKINDS; k++) {
        configs[k] = client_config(k, ca);
    }
    clients = calloc((size_t) threads, sizeof(*clients));
    if (clients == NULL) {
        msg("out of memory");
        return 1;
    }
    g_start_ms = now_ms();
    for (i = 0; i < threads; i++) {
        struct client *c = &clients[i];
        c->index = i;
        c->kind = i % NKINDS;
        c->reuse = (i / NKINDS) % 2;
        c->config = configs[c->kind];
        c->port = (c->kind == K_TLS12_STATEFUL || c->kind == K_TLS13_STATEFUL) ? ports[0]
                                                                                : ports[1];
        if (pthread_create(&c->thread, NULL, client_main, c) != 0) {
            msg("pthread_create failed");
            return 1;
        }
    }
    for (i = 0; i < threads; i++) {
        pthread_join(clients[i].thread, NULL);
    }
    elapsed = now_ms() - g_start_ms;

    memset(sum, 0, sizeof(sum));
    for (i = 0; i < threads; i++) {
        for (j = 0; j < NPHASES; j++) {
            struct ctally *s = &sum[clients[i].kind][j], *t = &clients[i].t[j];
            s->ok += t->ok;
            s->failed += t->failed;
            s->offered += t->offered;
            s->resumed += t->resumed;
            s->fresh += t->fresh;
            s->no_session += t->no_session;
            s->stale_offered += t->stale_offered;
            s->stale_resumed += t->stale_resumed;
        }
    }

    {
        unsigned long ok = 0, failed = 0, offered = 0, resumed = 0, outage_full = 0;
        for (k = 0; k < NKINDS; k++) {
            for (j = 0; j < NPHASES; j++) {
                struct ctally *s = &sum[k][j];
                printf("client kind=%s phase=%s ok=%lu failed=%lu offered=%lu resumed=%lu "
                       "fresh=%lu no_session=%lu stale_offered=%lu stale_resumed=%lu\n",
                       kind_names[k], phase_names[j], s->ok, s->failed, s->offered, s->resumed,
                       s->fresh, s->no_session, s->stale_offered, s->stale_resumed);
                ok += s->ok;
                failed += s->failed;
                offered += s->offered;
                resumed += s->resumed;
                if (j == PH_OUTAGE && k <= K_TLS13_STATEFUL) {
                    outage_full += s->ok - s->resumed;
                }
            }
        }
        printf("client total handshakes=%lu ok=%lu failed=%lu resumed=%lu resumption_rate=%.4f "
               "outage_stateful_full=%lu elapsed_ms=%lld rate_per_s=%.0f\n",
               ok + failed, ok, failed, resumed, ok ? (double) resumed / (double) ok : 0.0,
               outage_full, elapsed, elapsed > 0 ? (double) (ok + failed) * 1000.0 / elapsed : 0.0);
    }

    /* The expectations (see the top of the file). */
    for (k = 0; k < NKINDS; k++) {
        int stateful = (k == K_TLS12_STATEFUL || k == K_TLS13_STATEFUL);
        for (j = 0; j < NPHASES; j++) {
            struct ctally *s = &sum[k][j];
            if (s->failed != 0) {
                printf("client CHECK FAILED: %s, %s: %lu failed handshakes\n", kind_names[k],
                       phase_names[j], s->failed);
                bad = 1;
            }
            if (s->stale_resumed != 0 && k == K_TLS12_TICKETS) {
                printf("client CHECK FAILED: %s, %s: %lu of %lu stale sessions resumed\n",
                       kind_names[k], phase_names[j], s->stale_resumed, s->stale_offered);
                bad = 1;
            }
        }
        for (j = PH_BEFORE; j <= PH_AFTER; j++) {
            struct ctally *s = &sum[k][j];
            if (j == PH_RECOVERY) {
                continue;
            }
            if (j == PH_OUTAGE && stateful) {
                if (s->resumed != 0) {
                    printf("client CHECK FAILED: %s, outage: %lu resumed without the cache\n",
                           kind_names[k], s->resumed);
                    bad = 1;
                }
                if (s->ok == 0) {
                    printf("client CHECK FAILED: %s, outage: no handshake during the outage\n",
                           kind_names[k]);
                    bad = 1;
                }
                continue;
            }
            if (s->offered < 20) {
                printf("client CHECK FAILED: %s, %s: only %lu sessions offered (run too short?)\n",
                       kind_names[k], phase_names[j], s->offered);
                bad = 1;
            } else if (s->resumed * 10 < s->offered * 9) {
                printf("client CHECK FAILED: %s, %s: %lu of %lu offered sessions resumed (< 90%%)\n",
                       kind_names[k], phase_names[j], s->resumed, s->offered);
                bad = 1;
            }
        }
    }
    fflush(stdout);

    for (i = 0; i < threads; i++) {
        if (clients[i].conn != NULL) {
            s2n_connection_free(clients[i].conn);
        }
    }
    free(clients);
    for (k = 0; k < NKINDS; k++) {
        s2n_config_free(configs[k]);
    }
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    int rc;
    install_signals();
    if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
        fprintf(stderr, "usage: rs2n_load server --redis HOST:PORT [...]\n"
                        "       rs2n_load client --ports P1,P2 --handshakes N [...]\n"
                        "(see the top of c-tests/load/rs2n_load.c)\n");
        return 2;
    }
    if (s2n_init() != S2N_SUCCESS) {
        die_s2n("s2n_init");
    }
    rc = strcmp(argv[1], "server") == 0 ? server_main(argc - 2, argv + 2)
                                         : client_main_entry(argc - 2, argv + 2);
    s2n_cleanup();
    return rc < 0 ? 2 : rc;
}
