/* Helpers shared by the C tests: see common.h. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <unistd.h>

int rs2n_test_failures = 0;
static const char *test_name = "test";

void rs2n_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAILED %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    rs2n_test_failures++;
}

const char *rs2n_error_type_name(int type)
{
    switch (type) {
    case S2N_ERR_T_OK: return "S2N_ERR_T_OK";
    case S2N_ERR_T_IO: return "S2N_ERR_T_IO";
    case S2N_ERR_T_CLOSED: return "S2N_ERR_T_CLOSED";
    case S2N_ERR_T_BLOCKED: return "S2N_ERR_T_BLOCKED";
    case S2N_ERR_T_ALERT: return "S2N_ERR_T_ALERT";
    case S2N_ERR_T_PROTO: return "S2N_ERR_T_PROTO";
    case S2N_ERR_T_INTERNAL: return "S2N_ERR_T_INTERNAL";
    case S2N_ERR_T_USAGE: return "S2N_ERR_T_USAGE";
    default: return "(not an S2N_ERR_T_* value)";
    }
}

void rs2n_print_s2n_error(const char *prefix)
{
    int err = s2n_errno;
    const char *name = s2n_strerror_name(err);
    const char *msg = s2n_strerror(err, "EN");
    fprintf(stderr, "%s: s2n_errno=%d %s (%s): %s\n", prefix, err, name ? name : "(NULL)",
            rs2n_error_type_name(s2n_error_get_type(err)), msg ? msg : "(NULL)");
}

int rs2n_check_error_type(const char *file, int line, const char *expr, int expected_type)
{
    int err = s2n_errno;
    int type = s2n_error_get_type(err);
    const char *msg = s2n_strerror(err, "EN");
    const char *name = s2n_strerror_name(err);
    int ok = 1;
    if (type != expected_type) {
        rs2n_test_fail(file, line, "%s: error class %s, expected %s", expr,
                       rs2n_error_type_name(type), rs2n_error_type_name(expected_type));
        ok = 0;
    }
    if (msg == NULL || msg[0] == '\0') {
        rs2n_test_fail(file, line, "%s: empty error message (s2n_errno=%d)", expr, err);
        ok = 0;
    }
    if (name == NULL || strncmp(name, "S2N_ERR_", 8) != 0) {
        rs2n_test_fail(file, line, "%s: error name \"%s\" does not start with S2N_ERR_", expr,
                       name ? name : "(NULL)");
        ok = 0;
    }
    if (!ok) {
        fprintf(stderr, "  s2n_errno=%d %s: %s\n", err, name ? name : "(NULL)",
                msg ? msg : "(NULL)");
    }
    return ok;
}

void rs2n_test_begin(const char *name, unsigned seconds)
{
    test_name = name;
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
    /* Writing to a closed socket or pipe must be an error, not a dead test. */
    signal(SIGPIPE, SIG_IGN);
    alarm(seconds);
    if (s2n_init() != S2N_SUCCESS) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_init failed");
        rs2n_print_s2n_error("  s2n error");
    }
}

int rs2n_test_finish(void)
{
    if (rs2n_test_failures) {
        fprintf(stderr, "%s: %d check(s) FAILED\n", test_name, rs2n_test_failures);
        return 1;
    }
    printf("%s: all checks passed\n", test_name);
    return 0;
}

/* ------------------------------------------------------------------------- */

char *rs2n_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

const char *rs2n_cert_path(const char *name)
{
    static char paths[8][1024];
    static unsigned next = 0;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", RS2N_CERTS_DIR, name);
    return p;
}

char *rs2n_read_cert(const char *name)
{
    char *s = rs2n_read_file(rs2n_cert_path(name));
    if (s == NULL) {
        fprintf(stderr, "test certificate %s is missing\n", name);
        exit(1);
    }
    return s;
}

const char *rs2n_cert_kind_name(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ECDSA P-256";
    case RS2N_CERT_ECDSA_P384: return "ECDSA P-384";
    case RS2N_CERT_RSA2048: return "RSA-2048";
    case RS2N_CERT_WRONG_NAME: return "wrong.example";
    }
    return "?";
}

const char *rs2n_cert_file(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ecdsa_p256_cert.pem";
    case RS2N_CERT_ECDSA_P384: return "ecdsa_p384_cert.pem";
    case RS2N_CERT_RSA2048: return "rsa2048_cert.pem";
    case RS2N_CERT_WRONG_NAME: return "wrong_name_cert.pem";
    }
    return "?";
}

const char *rs2n_key_file(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ecdsa_p256_key.pem";
    case RS2N_CERT_ECDSA_P384: return "ecdsa_p384_key.pem";
    case RS2N_CERT_RSA2048: return "rsa2048_key.pem";
    case RS2N_CERT_WRONG_NAME: return "wrong_name_key.pem";
    }
    return "?";
}

static void die_s2n(const char *what)
{
    fprintf(stderr, "%s failed\n", what);
    rs2n_print_s2n_error("  s2n error");
    exit(1);
}

struct s2n_config *rs2n_server_config(enum rs2n_cert_kind kind, const char *policy)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        die_s2n("s2n_config_new_minimal");
    }
    if (policy && s2n_config_set_cipher_preferences(config, policy) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_cipher_preferences");
    }
    char *cert = rs2n_read_cert(rs2n_cert_file(kind));
    char *key = rs2n_read_cert(rs2n_key_file(kind));
    if (s2n_config_add_cert_chain_and_key(config, cert, key) != S2N_SUCCESS) {
        die_s2n("s2n_config_add_cert_chain_and_key");
    }
    free(cert);
    free(key);
    return config;
}

struct s2n_config *rs2n_client_config(const char *ca_file, const char *policy)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        die_s2n("s2n_config_new_minimal");
    }
    if (policy && s2n_config_set_cipher_preferences(config, policy) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_cipher_preferences");
    }
    if (ca_file) {
        char *ca = rs2n_read_cert(ca_file);
        if (s2n_config_add_pem_to_trust_store(config, ca) != S2N_SUCCESS) {
            die_s2n("s2n_config_add_pem_to_trust_store");
        }
        free(ca);
    }
    return config;
}

/* ------------------------------------------------------------------------- */

int rs2n_socketpair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        perror("socketpair");
        return -1;
    }
    return 0;
}

static int set_flag(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags) < 0 ? -1 : 0;
}

int rs2n_set_nonblocking(int fd)
{
    return set_flag(fd, 1);
}

int rs2n_set_blocking(int fd)
{
    return set_flag(fd, 0);
}

void rs2n_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int rs2n_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */

void rs2n_mem_pipe_init(struct rs2n_mem_pipe *p)
{
    memset(p, 0, sizeof(*p));
    p->a.in = &p->b_to_a;
    p->a.out = &p->a_to_b;
    p->b.in = &p->a_to_b;
    p->b.out = &p->b_to_a;
}

void rs2n_mem_pipe_free(struct rs2n_mem_pipe *p)
{
    free(p->a_to_b.data);
    free(p->b_to_a.data);
    p->a_to_b.data = NULL;
    p->b_to_a.data = NULL;
}

size_t rs2n_mem_queue_pending(const struct rs2n_mem_queue *q)
{
    return q->len - q->off;
}

void rs2n_mem_queue_push(struct rs2n_mem_queue *q, const void *buf, size_t len)
{
    if (q->off > 0 && q->off == q->len) {
        q->off = q->len = 0;
    }
    if (q->len + len > q->cap) {
        size_t cap = q->cap ? q->cap : 1024;
        while (cap < q->len + len) {
            cap *= 2;
        }
        uint8_t *bigger = realloc(q->data, cap);
        if (bigger == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        q->data = bigger;
        q->cap = cap;
    }
    if (len) {
        memcpy(q->data + q->len, buf, len);
    }
    q->len += len;
    q->total += len;
}

int rs2n_mem_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct rs2n_mem_end *end = ctx;
    end->recv_calls++;
    size_t avail = rs2n_mem_queue_pending(end->in);
    if (avail == 0) {
        if (end->in->closed) {
            return 0;
        }
        end->would_block++;
        errno = EAGAIN;
        return -1;
    }
    size_t n = len < avail ? len : avail;
    if (end->max_io && n > end->max_io) {
        n = end->max_io;
    }
    memcpy(buf, end->in->data + end->in->off, n);
    end->in->off += n;
    return (int) n;
}

int rs2n_mem_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct rs2n_mem_end *end = ctx;
    end->send_calls++;
    if (end->out->closed) {
        errno = EPIPE;
        return -1;
    }
    size_t n = len;
    if (end->max_io && n > end->max_io) {
        n = end->max_io;
    }
    if (end->out_limit) {
        size_t held = rs2n_mem_queue_pending(end->out);
        size_t room = held >= end->out_limit ? 0 : end->out_limit - held;
        if (room == 0) {
            end->would_block++;
            errno = EAGAIN;
            return -1;
        }
        if (n > room) {
            n = room;
        }
    }
    rs2n_mem_queue_push(end->out, buf, n);
    return (int) n;
}

int rs2n_connection_set_mem_io(struct s2n_connection *conn, struct rs2n_mem_end *end)
{
    if (s2n_connection_set_recv_cb(conn, rs2n_mem_recv) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_send_cb(conn, rs2n_mem_send) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_recv_ctx(conn, end) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_send_ctx(conn, end) != S2N_SUCCESS) {
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */

void rs2n_record_error(struct rs2n_side_result *r)
{
    int err = s2n_errno;
    const char *name = s2n_strerror_name(err);
    const char *msg = s2n_strerror(err, "EN");
    r->err = err;
    r->type = s2n_error_get_type(err);
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "(NULL)");
    snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "(NULL)");
}

enum { SIDE_RUNNING, SIDE_DONE, SIDE_FAILED };

/* One s2n_negotiate call; updates state and r. */
static void negotiate_step(struct s2n_connection *conn, int *state, struct rs2n_side_result *r)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(conn, &blocked);
    r->calls++;
    r->rc = rc;
    if (rc == S2N_SUCCESS) {
        r->err = 0;
        r->type = S2N_ERR_T_OK;
        r->name[0] = r->msg[0] = '\0';
        *state = SIDE_DONE;
        return;
    }
    rs2n_record_error(r);
    if (r->type == S2N_ERR_T_BLOCKED) {
        if (blocked == S2N_BLOCKED_ON_READ) {
            r->blocked_read++;
        } else if (blocked == S2N_BLOCKED_ON_WRITE) {
            r->blocked_write++;
        } else {
            rs2n_test_fail(__FILE__, __LINE__,
                           "s2n_negotiate failed with S2N_ERR_T_BLOCKED but *blocked = %d", blocked);
        }
        return;
    }
    if (blocked != S2N_NOT_BLOCKED) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "s2n_negotiate failed with %s (%s) but *blocked = %d, not S2N_NOT_BLOCKED",
                       rs2n_error_type_name(r->type), r->name, blocked);
    }
    *state = SIDE_FAILED;
}

static uint64_t wire_total(struct s2n_connection *conn)
{
    return s2n_connection_get_wire_bytes_in(conn) + s2n_connection_get_wire_bytes_out(conn);
}

int rs2n_negotiate_pair(struct s2n_connection *server, struct s2n_connection *client,
                        struct rs2n_pair_result *res)
{
    struct rs2n_pair_result local;
    if (res == NULL) {
        res = &local;
    }
    memset(res, 0, sizeof(*res));
    int cstate = SIDE_RUNNING, sstate = SIDE_RUNNING;
    for (unsigned round = 0; round < 100000; round++) {
        int before_c = cstate, before_s = sstate;
        uint64_t wire_before = wire_total(server) + wire_total(client);
        if (cstate == SIDE_RUNNING) {
            negotiate_step(client, &cstate, &res->client);
        }
        if (sstate == SIDE_RUNNING) {
            negotiate_step(server, &sstate, &res->server);
        }
        if (cstate == SIDE_DONE && sstate == SIDE_DONE) {
            return 0;
        }
        if (cstate != SIDE_RUNNING && sstate != SIDE_RUNNING) {
            return -1;
        }
        uint64_t wire_after = wire_total(server) + wire_total(client);
        if (before_c == cstate && before_s == sstate && wire_before == wire_after) {
            /* Nothing moved in a whole round: nothing ever will. */
            if (cstate == SIDE_RUNNING && sstate == SIDE_RUNNING) {
                fprintf(stderr, "rs2n_negotiate_pair: both sides blocked with no progress\n");
            }
            return -1;
        }
    }
    fprintf(stderr, "rs2n_negotiate_pair: no result after 100000 rounds\n");
    return -1;
}

struct thread_args {
    struct s2n_connection *conn;
    int fd;
    struct rs2n_side_result *r;
};

static void run_blocking_negotiate(struct thread_args *a)
{
    int state = SIDE_RUNNING;
    /* With blocking I/O s2n_negotiate should not report BLOCKED; if it does,
     * calling again is what an application would do. */
    while (state == SIDE_RUNNING && a->r->calls < 1000) {
        negotiate_step(a->conn, &state, a->r);
    }
    if (state != SIDE_DONE && a->fd >= 0) {
        shutdown(a->fd, SHUT_WR);
    }
}

static void *server_thread(void *arg)
{
    run_blocking_negotiate(arg);
    return NULL;
}

int rs2n_negotiate_pair_threaded(struct s2n_connection *server, int server_fd,
                                 struct s2n_connection *client, int client_fd,
                                 struct rs2n_pair_result *res)
{
    struct rs2n_pair_result local;
    if (res == NULL) {
        res = &local;
    }
    memset(res, 0, sizeof(*res));
    struct thread_args sargs = { server, server_fd, &res->server };
    struct thread_args cargs = { client, client_fd, &res->client };
    pthread_t thread;
    if (pthread_create(&thread, NULL, server_thread, &sargs) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return -1;
    }
    run_blocking_negotiate(&cargs);
    pthread_join(thread, NULL);
    return (res->server.rc == 0 && res->client.rc == 0) ? 0 : -1;
}

static void print_side(const char *side, const struct rs2n_side_result *r)
{
    if (r->rc == 0) {
        fprintf(stderr, "  %s: succeeded after %lu call(s) (%lu blocked on read, %lu on write)\n",
                side, r->calls, r->blocked_read, r->blocked_write);
    } else {
        fprintf(stderr, "  %s: failed after %lu call(s): %s %s: %s\n", side, r->calls,
                rs2n_error_type_name(r->type), r->name, r->msg);
    }
}

void rs2n_print_pair_result(const char *what, const struct rs2n_pair_result *res)
{
    fprintf(stderr, "%s:\n", what);
    print_side("server", &res->server);
    print_side("client", &res->client);
}

void rs2n_pair_open(struct rs2n_pair *p, struct s2n_config *server_config,
                    struct s2n_config *client_config, const char *server_name, int nonblocking)
{
    int fds[2];
    memset(p, 0, sizeof(*p));
    p->server_fd = p->client_fd = -1;
    if (rs2n_socketpair(fds) != 0) {
        exit(1);
    }
    p->server_fd = fds[0];
    p->client_fd = fds[1];
    if (nonblocking && (rs2n_set_nonblocking(fds[0]) || rs2n_set_nonblocking(fds[1]))) {
        perror("fcntl");
        exit(1);
    }
    p->server = s2n_connection_new(S2N_SERVER);
    p->client = s2n_connection_new(S2N_CLIENT);
    if (p->server == NULL || p->client == NULL) {
        die_s2n("s2n_connection_new");
    }
    if (s2n_connection_set_config(p->server, server_config) != S2N_SUCCESS ||
        s2n_connection_set_config(p->client, client_config) != S2N_SUCCESS) {
        die_s2n("s2n_connection_set_config");
    }
    if (s2n_connection_set_fd(p->server, p->server_fd) != S2N_SUCCESS ||
        s2n_connection_set_fd(p->client, p->client_fd) != S2N_SUCCESS) {
        die_s2n("s2n_connection_set_fd");
    }
    if (server_name && s2n_set_server_name(p->client, server_name) != S2N_SUCCESS) {
        die_s2n("s2n_set_server_name");
    }
}

void rs2n_pair_close(struct rs2n_pair *p)
{
    if (p->server) {
        s2n_connection_free(p->server);
        p->server = NULL;
    }
    if (p->client) {
        s2n_connection_free(p->client);
        p->client = NULL;
    }
    rs2n_close(&p->server_fd);
    rs2n_close(&p->client_fd);
}

int rs2n_pair_handshake(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name,
                        struct rs2n_pair_result *res)
{
    rs2n_pair_open(p, server_config, client_config, server_name, 1);
    return rs2n_negotiate_pair(p->server, p->client, res);
}

/* ------------------------------------------------------------------------- */
/* Session cache tests: see the end of common.h.                             */
/* ------------------------------------------------------------------------- */

int rs2n_fake_clock_fn(void *ctx, uint64_t *nanoseconds)
{
    const struct rs2n_fake_clock *clock = ctx;
    *nanoseconds = clock->seconds * 1000000000ull;
    return 0;
}

void rs2n_test_cache_init(struct rs2n_test_cache *c, const struct rs2n_fake_clock *clock)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->clock = clock;
    c->store_ctx.cache = c;
    c->retrieve_ctx.cache = c;
    c->delete_ctx.cache = c;
}

static void cache_entry_free(struct rs2n_cache_entry *e)
{
    free(e->value);
    memset(e, 0, sizeof(*e));
}

void rs2n_test_cache_free(struct rs2n_test_cache *c)
{
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        cache_entry_free(&c->entries[i]);
    }
    pthread_mutex_destroy(&c->lock);
}

void rs2n_test_cache_clear_calls(struct rs2n_test_cache *c)
{
    pthread_mutex_lock(&c->lock);
    c->ncalls = 0;
    c->stores = c->retrieves = c->deletes = c->hits = 0;
    pthread_mutex_unlock(&c->lock);
}

static uint64_t cache_now(const struct rs2n_test_cache *c)
{
    return c->clock ? c->clock->seconds : 0;
}

/* The live entry for key, or NULL; drops expired entries. Lock held. */
static struct rs2n_cache_entry *cache_find(struct rs2n_test_cache *c, const void *key,
                                           size_t key_len)
{
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        struct rs2n_cache_entry *e = &c->entries[i];
        if (!e->used) {
            continue;
        }
        if (c->clock && !c->ignore_ttl && cache_now(c) >= e->expires) {
            cache_entry_free(e);
            continue;
        }
        if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Records a call; returns it (or NULL when the log is full). Lock held. */
static struct rs2n_cache_call *cache_record(struct rs2n_test_cache *c, enum rs2n_cache_op op,
                                            struct s2n_connection *conn, void *ctx,
                                            const void *key, uint64_t key_size)
{
    if (c->ncalls >= RS2N_CACHE_MAX_CALLS) {
        return NULL;
    }
    struct rs2n_cache_call *call = &c->calls[c->ncalls++];
    memset(call, 0, sizeof(*call));
    call->op = op;
    call->conn = conn;
    call->ctx = ctx;
    call->thread = pthread_self();
    call->conn_ctx = conn ? s2n_connection_get_ctx(conn) : NULL;
    call->key_len = key_size;
    if (key != NULL) {
        memcpy(call->key, key, key_size < RS2N_CACHE_MAX_KEY ? key_size : RS2N_CACHE_MAX_KEY);
    }
    return call;
}

int rs2n_test_cache_store(struct s2n_connection *conn, void *ctx, uint64_t ttl_in_seconds,
                          const void *key, uint64_t key_size, const void *value,
                          uint64_t value_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->stores++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_STORE, conn, ctx, key, key_size);
    int rc = 0;
    if (call) {
        call->ttl = ttl_in_seconds;
        call->size = value_size;
    }
    if (c->store_rc != 0) {
        rc = c->store_rc;
    } else if (key == NULL || value == NULL || key_size == 0 || key_size > RS2N_CACHE_MAX_KEY) {
        rc = -1;
    } else {
        struct rs2n_cache_entry *e = cache_find(c, key, key_size);
        if (e == NULL) {
            for (size_t i = 0; i < RS2N_CACHE_CAPACITY && e == NULL; i++) {
                if (!c->entries[i].used) {
                    e = &c->entries[i];
                }
            }
        }
        uint8_t *copy = malloc(value_size ? value_size : 1);
        if (e == NULL || copy == NULL) {
            free(copy);
            rc = -1;
        } else {
            free(e->value);
            memcpy(copy, value, value_size);
            e->used = 1;
            memcpy(e->key, key, key_size);
            e->key_len = key_size;
            e->value = copy;
            e->value_len = value_size;
            e->expires = cache_now(c) + ttl_in_seconds;
        }
    }
    if (call) {
        call->rc = rc;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int rs2n_test_cache_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->retrieves++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_RETRIEVE, conn, ctx, key, key_size);
    uint64_t cap = value_size ? *value_size : 0;
    if (call) {
        call->size = cap;
    }
    int rc = -1;
    if (c->block_retrieves > 0) {
        c->block_retrieves--;
        rc = S2N_CALLBACK_BLOCKED;
    } else if (value == NULL || value_size == NULL) {
        rc = -1;
    } else {
        struct rs2n_cache_entry *e = NULL;
        if (c->retrieve_mode == RS2N_RETRIEVE_OTHER_KEY) {
            e = cache_find(c, c->other_key, c->other_key_len);
        } else if (key != NULL && key_size <= RS2N_CACHE_MAX_KEY) {
            e = cache_find(c, key, key_size);
        }
        switch (c->retrieve_mode) {
        case RS2N_RETRIEVE_FAIL:
            rc = -1;
            break;
        case RS2N_RETRIEVE_GARBAGE: {
            size_t n = c->garbage_len < cap ? c->garbage_len : (size_t) cap;
            uint32_t x = 0x9e3779b9u;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                ((uint8_t *) value)[i] = (uint8_t) x;
            }
            *value_size = n;
            rc = 0;
            break;
        }
        case RS2N_RETRIEVE_NORMAL:
        case RS2N_RETRIEVE_OTHER_KEY:
        case RS2N_RETRIEVE_OVERSIZE:
        case RS2N_RETRIEVE_TAMPER:
        case RS2N_RETRIEVE_TRUNCATE:
            if (e == NULL || e->value_len > cap) {
                rc = -1;
                break;
            }
            memcpy(value, e->value, e->value_len);
            *value_size = e->value_len;
            if (c->retrieve_mode == RS2N_RETRIEVE_OVERSIZE) {
                *value_size = cap + c->oversize_by;
            } else if (c->retrieve_mode == RS2N_RETRIEVE_TAMPER && e->value_len > 0) {
                ((uint8_t *) value)[e->value_len / 2] ^= 0x01;
            } else if (c->retrieve_mode == RS2N_RETRIEVE_TRUNCATE &&
                       c->truncate_to < e->value_len) {
                *value_size = c->truncate_to;
            }
            rc = 0;
            break;
        }
    }
    if (rc == 0) {
        c->hits++;
    }
    if (call) {
        call->rc = rc;
        call->size_out = value_size ? *value_size : 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int rs2n_test_cache_delete(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->deletes++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_DELETE, conn, ctx, key, key_size);
    if (!c->ignore_deletes && key != NULL && key_size <= RS2N_CACHE_MAX_KEY) {
        struct rs2n_cache_entry *e = cache_find(c, key, key_size);
        if (e) {
            cache_entry_free(e);
        }
    }
    if (call) {
        call->rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int rs2n_test_cache_attach(struct s2n_config *config, struct rs2n_test_cache *c)
{
    if (s2n_config_set_cache_store_callback(config, rs2n_test_cache_store, &c->store_ctx) ||
        s2n_config_set_cache_retrieve_callback(config, rs2n_test_cache_retrieve,
                                               &c->retrieve_ctx) ||
        s2n_config_set_cache_delete_callback(config, rs2n_test_cache_delete, &c->delete_ctx) ||
        s2n_config_set_session_cache_onoff(config, 1)) {
        return -1;
    }
    return 0;
}

size_t rs2n_test_cache_count(const struct rs2n_test_cache *c, enum rs2n_cache_op op)
{
    size_t n = 0;
    for (size_t i = 0; i < c->ncalls; i++) {
        n += c->calls[i].op == op;
    }
    return n;
}

const struct rs2n_cache_call *rs2n_test_cache_last(const struct rs2n_test_cache *c,
                                                   enum rs2n_cache_op op, size_t n)
{
    for (size_t i = c->ncalls; i > 0; i--) {
        if (c->calls[i - 1].op == op) {
            if (n == 0) {
                return &c->calls[i - 1];
            }
            n--;
        }
    }
    return NULL;
}

int rs2n_test_cache_has(struct rs2n_test_cache *c, const void *key, size_t key_len)
{
    pthread_mutex_lock(&c->lock);
    int has = cache_find(c, key, key_len) != NULL;
    pthread_mutex_unlock(&c->lock);
    return has;
}

size_t rs2n_test_cache_size(struct rs2n_test_cache *c)
{
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        struct rs2n_cache_entry *e = &c->entries[i];
        if (e->used && cache_find(c, e->key, e->key_len) == e) {
            n++;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

int rs2n_cache_call_key_is(const struct rs2n_cache_call *call, const void *key, size_t key_len)
{
    return call != NULL && call->key_len == key_len && key_len <= RS2N_CACHE_MAX_KEY &&
           memcmp(call->key, key, key_len) == 0;
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
        die_s2n("s2n_config_add_ticket_crypto_key");
    }
}

struct s2n_config *rs2n_cache_server_config(const char *policy, struct rs2n_test_cache *cache,
                                            struct rs2n_fake_clock *clock)
{
    struct s2n_config *config = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    if (s2n_config_set_wall_clock(config, rs2n_fake_clock_fn, clock) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_wall_clock");
    }
    if (s2n_config_set_session_tickets_onoff(config, 0) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_tickets_onoff");
    }
    if (rs2n_test_cache_attach(config, cache) != 0) {
        die_s2n("rs2n_test_cache_attach");
    }
    rs2n_add_ticket_key(config, "cache-key-1");
    return config;
}

struct s2n_config *rs2n_cache_client_config(const char *policy, struct rs2n_fake_clock *clock,
                                            int tickets)
{
    struct s2n_config *config = rs2n_client_config("ca_cert.pem", policy);
    if (s2n_config_set_wall_clock(config, rs2n_fake_clock_fn, clock) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_wall_clock");
    }
    if (s2n_config_set_session_tickets_onoff(config, tickets ? 1 : 0) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_tickets_onoff");
    }
    return config;
}

int rs2n_offer_session(struct s2n_connection *client, const struct rs2n_saved_session *offer)
{
    if (offer == NULL || offer->len <= 0) {
        return 0;
    }
    if (s2n_connection_set_session(client, offer->data, (size_t) offer->len) != S2N_SUCCESS) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_set_session(%d bytes) failed",
                       offer->len);
        rs2n_print_s2n_error("  s2n error");
        return -1;
    }
    return 0;
}

int rs2n_read_ticket(struct s2n_connection *client)
{
    uint8_t buf[64];
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    ssize_t n = s2n_recv(client, buf, sizeof(buf), &blocked);
    if (n == -1 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED &&
        blocked == S2N_BLOCKED_ON_READ) {
        return 0;
    }
    rs2n_test_fail(__FILE__, __LINE__,
                   "client s2n_recv after the handshake returned %zd (blocked %d), expected "
                   "-1 blocked on read",
                   n, (int) blocked);
    rs2n_print_s2n_error("  s2n error");
    return -1;
}

int rs2n_save_session(struct s2n_connection *client, struct rs2n_saved_session *save)
{
    save->len = 0;
    int len = s2n_connection_get_session_length(client);
    if (len < 0 || (size_t) len > sizeof(save->data)) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_get_session_length returned %d", len);
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    int n = s2n_connection_get_session(client, save->data, sizeof(save->data));
    if (n != len) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_get_session returned %d, expected %d",
                       n, len);
        rs2n_print_s2n_error("  s2n error");
        return -1;
    }
    save->len = n;
    return 0;
}

int rs2n_shutdown_pair(struct s2n_connection *server, struct s2n_connection *client)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 100 && !(cdone && sdone); round++) {
        struct s2n_connection *conns[2] = { client, server };
        int *done[2] = { &cdone, &sdone };
        for (int i = 0; i < 2; i++) {
            if (*done[i]) {
                continue;
            }
            s2n_blocked_status blocked = S2N_NOT_BLOCKED;
            s2n_errno = S2N_ERR_T_OK;
            if (s2n_shutdown(conns[i], &blocked) == S2N_SUCCESS) {
                *done[i] = 1;
            } else if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                fprintf(stderr, "s2n_shutdown (%s) failed\n", i ? "server" : "client");
                rs2n_print_s2n_error("  s2n error");
                return -1;
            }
        }
    }
    return (cdone && sdone) ? 0 : -1;
}

int rs2n_cache_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                       const struct rs2n_saved_session *offer, struct rs2n_saved_session *save,
                       enum rs2n_close_how how, struct rs2n_cache_conn *out)
{
    struct rs2n_cache_conn local;
    if (out == NULL) {
        out = &local;
    }
    memset(out, 0, sizeof(*out));
    out->lifetime_hint = -1;
    out->session_id_len = -1;
    if (save) {
        save->len = 0;
    }
    struct rs2n_pair p;
    rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    out->server = p.server;
    rs2n_offer_session(p.client, offer);
    out->rc = rs2n_negotiate_pair(p.server, p.client, &out->res);
    if (out->rc != 0) {
        rs2n_pair_close(&p);
        return out->rc;
    }
    out->version = s2n_connection_get_actual_protocol_version(p.server);
    out->server_resumed = s2n_connection_is_session_resumed(p.server);
    out->client_resumed = s2n_connection_is_session_resumed(p.client);
    out->session_id_len =
        s2n_connection_get_session_id(p.server, out->session_id, sizeof(out->session_id));
    int ok = 1;
    if (out->version >= S2N_TLS13) {
        ok &= rs2n_read_ticket(p.client) == 0;
    }
    if (save) {
        ok &= rs2n_save_session(p.client, save) == 0;
    }
    s2n_errno = S2N_ERR_T_OK;
    out->lifetime_hint = s2n_connection_get_session_ticket_lifetime_hint(p.client);
    switch (how) {
    case RS2N_CLOSE_GRACEFUL:
        if (rs2n_shutdown_pair(p.server, p.client) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "graceful shutdown failed");
            ok = 0;
        }
        break;
    case RS2N_CLOSE_ABRUPT: {
        rs2n_close(&p.client_fd);
        uint8_t buf[64];
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = -1;
        for (int i = 0; i < 100; i++) {
            s2n_errno = S2N_ERR_T_OK;
            n = s2n_recv(p.server, buf, sizeof(buf), &blocked);
            if (!(n == -1 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED)) {
                break;
            }
        }
        if (n != 0) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "server s2n_recv after the client closed its socket returned %zd, "
                           "expected 0",
                           n);
            rs2n_print_s2n_error("  s2n error");
            ok = 0;
        }
        break;
    }
    case RS2N_CLOSE_NONE:
        break;
    }
    out->close_ok = ok;
    rs2n_pair_close(&p);
    return out->rc;
}

/* ------------------------------------------------------------------------- */
/* Session ticket tests: see the end of common.h.                            */
/* ------------------------------------------------------------------------- */

int rs2n_tk_clock(void *ctx, uint64_t *nanoseconds)
{
    *nanoseconds = *(const uint64_t *) ctx;
    return 0;
}

int rs2n_tk_add_key(struct s2n_config *config, const char *name, const char *material,
                    uint64_t intro_secs)
{
    return s2n_config_add_ticket_crypto_key(config, (const uint8_t *) name,
                                            (uint32_t) strlen(name), (uint8_t *) material,
                                            (uint32_t) strlen(material), intro_secs);
}

void rs2n_tk_log_reset(struct rs2n_tk_log *log)
{
    memset(log, 0, sizeof(*log));
}

int rs2n_tk_ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    struct rs2n_tk_log *log = ctx;
    (void) conn;
    unsigned i = log->count++;
    size_t len = 0;
    uint32_t lifetime = 0;
    struct rs2n_tk_session scratch;
    struct rs2n_tk_session *slot = i < RS2N_TK_LOG_MAX ? &log->tickets[i] : &scratch;
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

struct s2n_config *rs2n_tk_server_config(const char *policy, uint64_t *clock_ns)
{
    struct s2n_config *config = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    if (clock_ns && s2n_config_set_wall_clock(config, rs2n_tk_clock, clock_ns) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_wall_clock");
    }
    if (s2n_config_set_session_tickets_onoff(config, 1) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_tickets_onoff");
    }
    return config;
}

struct s2n_config *rs2n_tk_client_config(const char *policy, uint64_t *clock_ns,
                                         struct rs2n_tk_log *log)
{
    struct s2n_config *config = rs2n_client_config("ca_cert.pem", policy);
    if (clock_ns && s2n_config_set_wall_clock(config, rs2n_tk_clock, clock_ns) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_wall_clock");
    }
    if (s2n_config_set_session_tickets_onoff(config, 1) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_tickets_onoff");
    }
    if (log && s2n_config_set_session_ticket_cb(config, rs2n_tk_ticket_cb, log) != S2N_SUCCESS) {
        die_s2n("s2n_config_set_session_ticket_cb");
    }
    return config;
}

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
    uint8_t header[17] = { 0x01 };
    size_t n = strlen(name);
    memcpy(header + 1, name, n < 16 ? n : 16);
    return rs2n_tk_find(bytes, len, header, sizeof(header));
}

int rs2n_tk_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                    const struct rs2n_tk_opts *opts, struct rs2n_tk_result *out)
{
    static const struct rs2n_tk_opts none;
    if (opts == NULL) {
        opts = &none;
    }
    /* The offer may be out->session (resuming what the last call got). */
    struct rs2n_tk_session offer;
    if (opts->offer) {
        offer = *opts->offer;
    }
    memset(out, 0, sizeof(*out));
    out->rc = -1;
    out->tickets_sent = -1;
    out->lifetime_hint = -1;
    out->session_len_before_recv = -1;

    struct rs2n_mem_pipe pipe;
    rs2n_mem_pipe_init(&pipe);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    if (server == NULL || client == NULL) {
        die_s2n("s2n_connection_new");
    }
    if (s2n_connection_set_config(server, server_config) != S2N_SUCCESS ||
        s2n_connection_set_config(client, client_config) != S2N_SUCCESS ||
        rs2n_connection_set_mem_io(server, &pipe.a) != 0 ||
        rs2n_connection_set_mem_io(client, &pipe.b) != 0 ||
        s2n_set_server_name(client, "localhost") != S2N_SUCCESS) {
        die_s2n("rs2n_tk_connect set-up");
    }
    if (opts->offer) {
        s2n_errno = S2N_ERR_T_OK;
        out->set_session_rc = s2n_connection_set_session(client, offer.data, (size_t) offer.len);
        out->set_session_err = out->set_session_rc ? s2n_errno : 0;
    }
    if (opts->keying_material_lifetime &&
        s2n_connection_set_server_keying_material_lifetime(server, opts->keying_material_lifetime) !=
            S2N_SUCCESS) {
        die_s2n("s2n_connection_set_server_keying_material_lifetime");
    }
    if (opts->add_tickets &&
        s2n_connection_add_new_tickets_to_send(server, opts->add_tickets) != S2N_SUCCESS) {
        die_s2n("s2n_connection_add_new_tickets_to_send");
    }

    /* The client's first flight, seen (and maybe changed) before the server reads it. */
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int first = s2n_negotiate(client, &blocked);
    if (first != S2N_SUCCESS && s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
        rs2n_record_error(&out->res.client);
        out->res.client.rc = -1;
        goto done;
    }
    struct rs2n_mem_queue *to_server = pipe.b.out;
    size_t pending = rs2n_mem_queue_pending(to_server);
    out->client_hello_len = pending < sizeof(out->client_hello) ? pending : sizeof(out->client_hello);
    memcpy(out->client_hello, to_server->data + to_server->off, out->client_hello_len);
    if (opts->on_client_hello) {
        opts->on_client_hello(to_server->data + to_server->off, pending, opts->hook_ctx);
    }

    out->rc = rs2n_negotiate_pair(server, client, &out->res);
    if (out->rc != 0) {
        goto done;
    }
    out->version = s2n_connection_get_actual_protocol_version(server);
    out->client_resumed = s2n_connection_is_session_resumed(client);
    out->server_resumed = s2n_connection_is_session_resumed(server);
    const char *ct = s2n_connection_get_handshake_type_name(client);
    const char *st = s2n_connection_get_handshake_type_name(server);
    snprintf(out->client_type, sizeof(out->client_type), "%s", ct ? ct : "(NULL)");
    snprintf(out->server_type, sizeof(out->server_type), "%s", st ? st : "(NULL)");
    uint16_t sent = 0;
    if (s2n_connection_get_tickets_sent(server, &sent) == S2N_SUCCESS) {
        out->tickets_sent = sent;
    }
    out->session_len_before_recv = s2n_connection_get_session_length(client);

    /* What the server sent after the handshake (TLS1.3 tickets): read until blocked. */
    for (int i = 0; i < 32; i++) {
        uint8_t buf[256];
        blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(client, buf, sizeof(buf), &blocked);
        if (n < 0 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED &&
            blocked == S2N_BLOCKED_ON_READ) {
            out->recv_ok = 1;
            break;
        }
        if (n <= 0) {
            fprintf(stderr, "rs2n_tk_connect: client s2n_recv after the handshake returned %zd\n", n);
            rs2n_print_s2n_error("  s2n error");
            break;
        }
        fprintf(stderr, "rs2n_tk_connect: client s2n_recv got %zd bytes of unexpected data\n", n);
    }

    int len = s2n_connection_get_session_length(client);
    if (len > 0 && len <= (int) sizeof(out->session.data)) {
        int n = s2n_connection_get_session(client, out->session.data, sizeof(out->session.data));
        out->session.len = n == len ? n : -1;
    } else {
        out->session.len = len;
    }
    s2n_errno = S2N_ERR_T_OK;
    out->lifetime_hint = s2n_connection_get_session_ticket_lifetime_hint(client);

done:
    s2n_connection_free(server);
    s2n_connection_free(client);
    rs2n_mem_pipe_free(&pipe);
    return out->rc;
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

int rs2n_tk_check(const char *file, int line, const char *what, const struct rs2n_tk_result *r,
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

const struct rs2n_version_case rs2n_versions[2] = {
    { "TLS1.2", "20240501", 0 },
    { "TLS1.3", "default_tls13", 1 },
};

void rs2n_cache_fixture_open(const struct rs2n_version_case *v, int year,
                             struct rs2n_fake_clock *clock, struct rs2n_test_cache *cache,
                             struct s2n_config **server, struct s2n_config **client)
{
    clock->seconds = RS2N_YEAR_SECONDS(year);
    rs2n_test_cache_init(cache, clock);
    *server = rs2n_cache_server_config(v->policy, cache, clock);
    *client = rs2n_cache_client_config(v->policy, clock, v->tls13);
}

void rs2n_cache_fixture_close(struct rs2n_test_cache *cache, struct s2n_config *server,
                              struct s2n_config *client)
{
    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(cache);
}
