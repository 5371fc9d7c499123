/*
 * Helpers shared by the C tests in c-tests/: assertion macros in the style of
 * s2n-tls's own tests, test certificates and configs, socket pairs, in-memory
 * I/O callbacks, and drivers that run a handshake on both ends of a pair.
 *
 * C99 + POSIX. CMake compiles the tests with _GNU_SOURCE and links pthreads;
 * the #ifndef below keeps this file usable without it.
 *
 * Failed EXPECT_* checks print where and why and are counted; the test goes on
 * so one broken function does not hide the others. A test's main ends with
 * `return rs2n_test_finish();`, which fails the test if any check failed.
 * REQUIRE_* checks stop the test at once (for things the rest cannot do without).
 */
#ifndef RS2N_TEST_COMMON_H
#define RS2N_TEST_COMMON_H

#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <s2n.h>

#ifndef RS2N_CERTS_DIR
#error "RS2N_CERTS_DIR must name the directory of the test certificates"
#endif

/* ------------------------------------------------------------------------- */
/* Checks                                                                    */
/* ------------------------------------------------------------------------- */

/* Number of failed checks so far. */
extern int rs2n_test_failures;

/* Prints a failure ("file:line: message") and counts it. */
void rs2n_test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prints the calling thread's s2n error (value, name, class, message). */
void rs2n_print_s2n_error(const char *prefix);

/* Starts a test: alarm(seconds) so that a hang fails instead of blocking CI,
 * unbuffered output, SIGPIPE ignored, and s2n_init(). */
void rs2n_test_begin(const char *name, unsigned seconds);

/* Ends a test: prints a summary; returns the exit status for main. */
int rs2n_test_finish(void);

/* Checks that a failure of `type` was recorded: s2n_errno is of that class and
 * its message is non-empty. Reports on mismatch; returns 1 if it matched. */
int rs2n_check_error_type(const char *file, int line, const char *expr, int expected_type);

/* Name of an S2N_ERR_T_* class, for messages. */
const char *rs2n_error_type_name(int type);

#define EXPECT_TRUE(cond)                                                         \
    do {                                                                          \
        if (!(cond)) {                                                            \
            rs2n_test_fail(__FILE__, __LINE__, "expected true: %s", #cond);       \
        }                                                                         \
    } while (0)

#define EXPECT_FALSE(cond) EXPECT_TRUE(!(cond))

#define EXPECT_EQUAL(a, b)                                                        \
    do {                                                                          \
        long long rs2n_a_ = (long long) (a);                                      \
        long long rs2n_b_ = (long long) (b);                                      \
        if (rs2n_a_ != rs2n_b_) {                                                 \
            rs2n_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,  \
                           rs2n_a_, rs2n_b_);                                     \
        }                                                                         \
    } while (0)

#define EXPECT_NOT_EQUAL(a, b)                                                    \
    do {                                                                          \
        long long rs2n_a_ = (long long) (a);                                      \
        long long rs2n_b_ = (long long) (b);                                      \
        if (rs2n_a_ == rs2n_b_) {                                                 \
            rs2n_test_fail(__FILE__, __LINE__, "%s != %s: both are %lld", #a, #b, \
                           rs2n_a_);                                              \
        }                                                                         \
    } while (0)

/* Both strings non-NULL and equal. */
#define EXPECT_STRING_EQUAL(actual, expected)                                     \
    do {                                                                          \
        const char *rs2n_s_ = (actual);                                           \
        const char *rs2n_e_ = (expected);                                         \
        if (rs2n_s_ == NULL || rs2n_e_ == NULL || strcmp(rs2n_s_, rs2n_e_) != 0) { \
            rs2n_test_fail(__FILE__, __LINE__, "%s: got \"%s\", expected \"%s\"", \
                           #actual, rs2n_s_ ? rs2n_s_ : "(NULL)",                 \
                           rs2n_e_ ? rs2n_e_ : "(NULL)");                         \
        }                                                                         \
    } while (0)

#define EXPECT_NULL(p)                                                            \
    do {                                                                          \
        if ((p) != NULL) {                                                        \
            rs2n_test_fail(__FILE__, __LINE__, "expected NULL: %s", #p);          \
        }                                                                         \
    } while (0)

#define EXPECT_NOT_NULL(p)                                                        \
    do {                                                                          \
        if ((p) == NULL) {                                                        \
            rs2n_test_fail(__FILE__, __LINE__, "expected non-NULL: %s", #p);      \
            rs2n_print_s2n_error("  s2n error");                                  \
        }                                                                         \
    } while (0)

/* x returns S2N_SUCCESS (0). On failure prints the s2n error. */
#define EXPECT_SUCCESS(x)                                                         \
    do {                                                                          \
        s2n_errno = S2N_ERR_T_OK;                                                 \
        long long rs2n_r_ = (long long) (x);                                      \
        if (rs2n_r_ != S2N_SUCCESS) {                                             \
            rs2n_test_fail(__FILE__, __LINE__, "%s returned %lld, expected 0",    \
                           #x, rs2n_r_);                                          \
            rs2n_print_s2n_error("  s2n error");                                  \
        }                                                                         \
    } while (0)

/* x returns -1 and records an error of class `type` with a non-empty message.
 * s2n_errno is reset first, so a stale error cannot satisfy the check. */
#define EXPECT_FAILURE_WITH_TYPE(x, type)                                         \
    do {                                                                          \
        s2n_errno = S2N_ERR_T_OK;                                                 \
        long long rs2n_r_ = (long long) (x);                                      \
        if (rs2n_r_ != -1) {                                                      \
            rs2n_test_fail(__FILE__, __LINE__, "%s returned %lld, expected -1",   \
                           #x, rs2n_r_);                                          \
        } else {                                                                  \
            rs2n_check_error_type(__FILE__, __LINE__, #x, (type));                \
        }                                                                         \
    } while (0)

/* x returns NULL and records an error of class `type`. */
#define EXPECT_NULL_WITH_TYPE(x, type)                                            \
    do {                                                                          \
        s2n_errno = S2N_ERR_T_OK;                                                 \
        const void *rs2n_p_ = (const void *) (x);                                 \
        if (rs2n_p_ != NULL) {                                                    \
            rs2n_test_fail(__FILE__, __LINE__, "%s returned %p, expected NULL",   \
                           #x, rs2n_p_);                                          \
        } else {                                                                  \
            rs2n_check_error_type(__FILE__, __LINE__, #x, (type));                \
        }                                                                         \
    } while (0)

/* x (an unsigned count) returns 0 and records an error of class `type`. */
#define EXPECT_ZERO_WITH_TYPE(x, type)                                            \
    do {                                                                          \
        s2n_errno = S2N_ERR_T_OK;                                                 \
        unsigned long long rs2n_u_ = (unsigned long long) (x);                    \
        if (rs2n_u_ != 0) {                                                       \
            rs2n_test_fail(__FILE__, __LINE__, "%s returned %llu, expected 0",    \
                           #x, rs2n_u_);                                          \
        } else {                                                                  \
            rs2n_check_error_type(__FILE__, __LINE__, #x, (type));                \
        }                                                                         \
    } while (0)

/* Fatal: the rest of the test cannot go on without it. */
#define REQUIRE(cond)                                                             \
    do {                                                                          \
        if (!(cond)) {                                                            \
            rs2n_test_fail(__FILE__, __LINE__, "required: %s", #cond);            \
            rs2n_print_s2n_error("  s2n error");                                  \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

#define REQUIRE_SUCCESS(x) REQUIRE((x) == S2N_SUCCESS)
#define REQUIRE_NOT_NULL(p) REQUIRE((p) != NULL)

/* ------------------------------------------------------------------------- */
/* Certificates and configs                                                  */
/* ------------------------------------------------------------------------- */

/* A whole file as a malloc'd NUL-terminated string; NULL (with a message) if
 * it cannot be read. */
char *rs2n_read_file(const char *path);

/* RS2N_CERTS_DIR "/" name, read with rs2n_read_file; exits if unreadable. */
char *rs2n_read_cert(const char *name);

/* The full path of a file in RS2N_CERTS_DIR. The string lives in one of 8
 * static buffers used in turn (not thread-safe: call from the main thread). */
const char *rs2n_cert_path(const char *name);

/* The server certificates of the test PKI (chain files: leaf + CA). */
enum rs2n_cert_kind {
    RS2N_CERT_ECDSA_P256,
    RS2N_CERT_ECDSA_P384,
    RS2N_CERT_RSA2048,
    RS2N_CERT_WRONG_NAME, /* SAN DNS:wrong.example only */
};

const char *rs2n_cert_kind_name(enum rs2n_cert_kind kind);
/* "ecdsa_p256_cert.pem" etc. and the matching key file. */
const char *rs2n_cert_file(enum rs2n_cert_kind kind);
const char *rs2n_key_file(enum rs2n_cert_kind kind);

/* s2n_config_new_minimal() with `policy` (NULL: keep the default) and the
 * certificate `kind` added. Exits on failure. */
struct s2n_config *rs2n_server_config(enum rs2n_cert_kind kind, const char *policy);

/* s2n_config_new_minimal() with `policy` (NULL: default) trusting the CA in
 * RS2N_CERTS_DIR/`ca_file` (NULL: trusting nothing). Verification stays on.
 * Exits on failure. */
struct s2n_config *rs2n_client_config(const char *ca_file, const char *policy);

/* ------------------------------------------------------------------------- */
/* Sockets                                                                   */
/* ------------------------------------------------------------------------- */

/* A connected AF_UNIX stream socket pair, blocking. Returns 0 or -1. */
int rs2n_socketpair(int fds[2]);

/* O_NONBLOCK on or off. Return 0 or -1. */
int rs2n_set_nonblocking(int fd);
int rs2n_set_blocking(int fd);

/* Closes an fd if >= 0 and sets it to -1. */
void rs2n_close(int *fd);

/* Writes all of buf to a (blocking) fd. Returns 0 or -1. */
int rs2n_write_all(int fd, const void *buf, size_t len);

/* ------------------------------------------------------------------------- */
/* In-memory transport for the I/O callbacks                                 */
/* ------------------------------------------------------------------------- */

/* A one-way byte queue. */
struct rs2n_mem_queue {
    uint8_t *data;
    size_t len; /* bytes held */
    size_t cap;
    size_t off; /* bytes already read from data */
    int closed; /* the writer has closed: an empty queue reads as end of stream */
    unsigned long long total; /* bytes ever pushed */
};

/* One end of an in-memory duplex pipe: reads `in`, writes `out`. */
struct rs2n_mem_end {
    struct rs2n_mem_queue *in;
    struct rs2n_mem_queue *out;
    size_t max_io;        /* 0: unlimited; else at most this many bytes per call */
    size_t out_limit;     /* 0: unlimited; else `out` holds at most this many bytes */
    unsigned long recv_calls, send_calls, would_block;
};

struct rs2n_mem_pipe {
    struct rs2n_mem_queue a_to_b, b_to_a;
    struct rs2n_mem_end a, b;
};

void rs2n_mem_pipe_init(struct rs2n_mem_pipe *p);
void rs2n_mem_pipe_free(struct rs2n_mem_pipe *p);
/* Appends bytes to a queue (as if the peer had sent them). */
void rs2n_mem_queue_push(struct rs2n_mem_queue *q, const void *buf, size_t len);
/* Bytes waiting in a queue. */
size_t rs2n_mem_queue_pending(const struct rs2n_mem_queue *q);

/* s2n_recv_fn / s2n_send_fn over a struct rs2n_mem_end. An empty queue returns
 * -1 with errno = EAGAIN (or 0 if closed); a full one (out_limit) -1/EAGAIN. */
int rs2n_mem_recv(void *ctx, uint8_t *buf, uint32_t len);
int rs2n_mem_send(void *ctx, const uint8_t *buf, uint32_t len);

/* Sets the callbacks and contexts of conn to `end`. Returns 0 or -1. */
int rs2n_connection_set_mem_io(struct s2n_connection *conn, struct rs2n_mem_end *end);

/* ------------------------------------------------------------------------- */
/* Handshake drivers                                                         */
/* ------------------------------------------------------------------------- */

/* How one side's last call ended. */
struct rs2n_side_result {
    int rc;            /* 0 or -1 */
    int err;           /* s2n_errno after a failure, else 0 */
    int type;          /* s2n_error_get_type(err) */
    char name[64];     /* s2n_strerror_name(err) */
    char msg[512];     /* s2n_strerror(err, "EN") */
    unsigned long calls;
    unsigned long blocked_read, blocked_write;
};

struct rs2n_pair_result {
    struct rs2n_side_result server, client;
};

/* Records the calling thread's s2n error into r (for rc = -1). */
void rs2n_record_error(struct rs2n_side_result *r);

/* Runs s2n_negotiate on both connections, in this thread, alternately, for
 * non-blocking I/O: until both succeed, or one fails with a non-BLOCKED error.
 * After a failure the other side is still driven until it completes, fails, or
 * is blocked with nothing more to come from the failed side, so callers can see
 * what it got (an alert, say). `res` may be NULL.
 * Returns 0 if both succeeded, else -1. A pair that keeps blocking without
 * progress for many rounds is reported as a failure with rc = -1 and type
 * S2N_ERR_T_BLOCKED. */
int rs2n_negotiate_pair(struct s2n_connection *server, struct s2n_connection *client,
                        struct rs2n_pair_result *res);

/* Runs s2n_negotiate on the server in a new thread and on the client in this
 * one, for blocking I/O. When a side fails and its fd (server_fd/client_fd,
 * -1 for none) is given, that fd is shut down for writing so that the peer
 * sees end of stream instead of waiting forever. Returns 0 if both succeeded. */
int rs2n_negotiate_pair_threaded(struct s2n_connection *server, int server_fd,
                                 struct s2n_connection *client, int client_fd,
                                 struct rs2n_pair_result *res);

/* Prints a pair result (for failures and for information). */
void rs2n_print_pair_result(const char *what, const struct rs2n_pair_result *res);

/* Everything for one test connection over a socket pair. */
struct rs2n_pair {
    struct s2n_connection *server, *client;
    int server_fd, client_fd;
};

/* New server and client connections with these configs, over a fresh socket
 * pair (non-blocking if `nonblocking`), the client's server name set to
 * `server_name` unless NULL. Exits on failure. */
void rs2n_pair_open(struct rs2n_pair *p, struct s2n_config *server_config,
                    struct s2n_config *client_config, const char *server_name,
                    int nonblocking);
/* Frees both connections and closes both fds. */
void rs2n_pair_close(struct rs2n_pair *p);

/* rs2n_pair_open + rs2n_negotiate_pair (non-blocking). Returns its result. */
int rs2n_pair_handshake(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name,
                        struct rs2n_pair_result *res);

#endif /* RS2N_TEST_COMMON_H */

#ifndef RS2N_TEST_COMMON_CACHE_H
#define RS2N_TEST_COMMON_CACHE_H

/* ------------------------------------------------------------------------- */
/* Session cache tests (test_cache*.c): a fake wall clock, an in-memory       */
/* session cache whose callbacks record their calls and can misbehave, and a  */
/* driver for one connection that offers and saves the client's session.      */
/* ------------------------------------------------------------------------- */

#include <pthread.h>

/* A settable wall clock: pass rs2n_fake_clock_fn and a struct rs2n_fake_clock
 * to s2n_config_set_wall_clock. Tests move `seconds` instead of sleeping. */
struct rs2n_fake_clock {
    uint64_t seconds; /* since the Unix epoch */
};
int rs2n_fake_clock_fn(void *ctx, uint64_t *nanoseconds);

/* Roughly the start of year y (the test certificates are valid 2000-2126;
 * tests keep to 2001-2090). */
#define RS2N_YEAR_SECONDS(y) ((uint64_t) ((y) - 1970) * 31556952ull)

#define RS2N_CACHE_CAPACITY 64
#define RS2N_CACHE_MAX_KEY 256
#define RS2N_CACHE_MAX_CALLS 512

enum rs2n_cache_op {
    RS2N_CACHE_STORE = 1,
    RS2N_CACHE_RETRIEVE,
    RS2N_CACHE_DELETE,
};

/* One callback call, as the callback saw it. */
struct rs2n_cache_call {
    enum rs2n_cache_op op;
    struct s2n_connection *conn;
    void *ctx;
    pthread_t thread;   /* pthread_self() in the callback */
    void *conn_ctx;     /* s2n_connection_get_ctx(conn) in the callback */
    uint64_t ttl;       /* store: ttl_in_seconds */
    uint8_t key[RS2N_CACHE_MAX_KEY];
    uint64_t key_len;   /* key_size (only the first RS2N_CACHE_MAX_KEY bytes are kept) */
    uint64_t size;      /* store: value_size; retrieve: *value_size on entry (the capacity) */
    uint64_t size_out;  /* retrieve: *value_size on return */
    int rc;             /* what the callback returned */
};

/* What the retrieve callback does. */
enum rs2n_retrieve_mode {
    RS2N_RETRIEVE_NORMAL,    /* the stored value (0), or -1 for a miss */
    RS2N_RETRIEVE_FAIL,      /* -1, whatever is stored */
    RS2N_RETRIEVE_GARBAGE,   /* 0 with `garbage_len` pseudo-random bytes */
    RS2N_RETRIEVE_OTHER_KEY, /* 0 with the value stored under `other_key` */
    RS2N_RETRIEVE_OVERSIZE,  /* copies the value, sets *value_size to capacity + `oversize_by` */
    RS2N_RETRIEVE_TAMPER,    /* the stored value with its middle byte flipped */
    RS2N_RETRIEVE_TRUNCATE,  /* the first `truncate_to` bytes of the stored value */
};

struct rs2n_test_cache;

/* The ctx given for one callback: three distinct pointers into the cache. */
struct rs2n_cache_handle {
    struct rs2n_test_cache *cache;
};

struct rs2n_cache_entry {
    int used;
    uint8_t key[RS2N_CACHE_MAX_KEY];
    size_t key_len;
    uint8_t *value;
    size_t value_len;
    uint64_t expires; /* clock seconds; the entry is gone from then on */
};

/* An in-memory cache with ttl expiry on a fake clock. All fields but the lock
 * may be read and set by tests between connections. */
struct rs2n_test_cache {
    pthread_mutex_t lock;
    const struct rs2n_fake_clock *clock; /* NULL: entries never expire */
    struct rs2n_cache_handle store_ctx, retrieve_ctx, delete_ctx;
    struct rs2n_cache_entry entries[RS2N_CACHE_CAPACITY];
    struct rs2n_cache_call calls[RS2N_CACHE_MAX_CALLS];
    size_t ncalls;              /* calls recorded (at most RS2N_CACHE_MAX_CALLS) */
    unsigned long stores, retrieves, deletes, hits; /* hits: retrieves that returned 0 */
    /* Misbehaviour, off when 0. */
    int store_rc;               /* non-zero: store returns it and keeps nothing */
    int ignore_ttl;             /* entries never expire (a cache with a sloppy clock) */
    int ignore_deletes;         /* delete returns 0 and keeps the entry */
    unsigned block_retrieves;   /* the next N retrieves return S2N_CALLBACK_BLOCKED */
    enum rs2n_retrieve_mode retrieve_mode;
    size_t garbage_len;
    uint8_t other_key[RS2N_CACHE_MAX_KEY];
    size_t other_key_len;
    uint64_t oversize_by;
    size_t truncate_to;
};

void rs2n_test_cache_init(struct rs2n_test_cache *c, const struct rs2n_fake_clock *clock);
/* Frees the entries and the lock. */
void rs2n_test_cache_free(struct rs2n_test_cache *c);
/* Forgets the recorded calls and counters (keeps entries and misbehaviour). */
void rs2n_test_cache_clear_calls(struct rs2n_test_cache *c);

/* The callbacks; ctx is one of the cache's struct rs2n_cache_handle. */
int rs2n_test_cache_store(struct s2n_connection *conn, void *ctx, uint64_t ttl_in_seconds,
                          const void *key, uint64_t key_size, const void *value,
                          uint64_t value_size);
int rs2n_test_cache_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size);
int rs2n_test_cache_delete(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size);

/* Sets the three callbacks (contexts &c->store_ctx, &c->retrieve_ctx,
 * &c->delete_ctx) and turns the cache on. Returns 0 or -1. */
int rs2n_test_cache_attach(struct s2n_config *config, struct rs2n_test_cache *c);

/* Calls of `op` recorded so far. */
size_t rs2n_test_cache_count(const struct rs2n_test_cache *c, enum rs2n_cache_op op);
/* The last (n = 0), or n-th from last, call of `op`; NULL if none. */
const struct rs2n_cache_call *rs2n_test_cache_last(const struct rs2n_test_cache *c,
                                                   enum rs2n_cache_op op, size_t n);
/* 1 if the cache holds an unexpired entry for key. */
int rs2n_test_cache_has(struct rs2n_test_cache *c, const void *key, size_t key_len);
/* Unexpired entries. */
size_t rs2n_test_cache_size(struct rs2n_test_cache *c);
/* 1 if the call's key equals key/key_len. */
int rs2n_cache_call_key_is(const struct rs2n_cache_call *call, const void *key, size_t key_len);

/* Adds ticket key `name` (material derived from the name, so distinct names
 * get distinct keys) with intro time 0: now on the config's wall clock. Exits
 * on failure. */
void rs2n_add_ticket_key(struct s2n_config *config, const char *name);

/* A server config for cache tests: ECDSA P-256, `policy`, the wall clock
 * `clock`, session tickets off, the cache's callbacks, the cache on, and
 * ticket key "cache-key-1" (added after the cache is on, as s2n-tls needs).
 * Exits on failure. */
struct s2n_config *rs2n_cache_server_config(const char *policy, struct rs2n_test_cache *cache,
                                            struct rs2n_fake_clock *clock);
/* A client config trusting the test CA, with `policy` and the wall clock
 * `clock`; session tickets on if `tickets` (needed to receive TLS1.3 tickets).
 * Exits on failure. */
struct s2n_config *rs2n_cache_client_config(const char *policy, struct rs2n_fake_clock *clock,
                                            int tickets);

/* The protocol versions the cache tests run under. */
struct rs2n_version_case {
    const char *name;   /* "TLS1.2" */
    const char *policy; /* an s2n policy that negotiates it */
    int tls13;
};
extern const struct rs2n_version_case rs2n_versions[2];

/* A cache test's fixture: `clock` set to the start of `year`, `cache`
 * initialised, and the server and client configs of rs2n_cache_server_config and
 * rs2n_cache_client_config for `v` (client tickets on for TLS1.3). */
void rs2n_cache_fixture_open(const struct rs2n_version_case *v, int year,
                             struct rs2n_fake_clock *clock, struct rs2n_test_cache *cache,
                             struct s2n_config **server, struct s2n_config **client);
/* Frees what rs2n_cache_fixture_open made. */
void rs2n_cache_fixture_close(struct rs2n_test_cache *cache, struct s2n_config *server,
                              struct s2n_config *client);

/* A client's saved session (s2n_connection_get_session). */
struct rs2n_saved_session {
    uint8_t data[4096];
    int len; /* 0: none */
};

/* How a test connection ends after its handshake. */
enum rs2n_close_how {
    RS2N_CLOSE_GRACEFUL, /* s2n_shutdown on both sides */
    RS2N_CLOSE_ABRUPT,   /* the client closes its socket without s2n_shutdown, and
                          * the server's s2n_recv must return 0 */
    RS2N_CLOSE_NONE,     /* both connections are freed as they are */
};

/* What one connection did. */
struct rs2n_cache_conn {
    struct rs2n_pair_result res;
    int rc;                /* the handshake: 0 or -1 */
    int version;           /* s2n_connection_get_actual_protocol_version (server) */
    int server_resumed, client_resumed;
    uint8_t session_id[64];
    int session_id_len;    /* the server's s2n_connection_get_session_id, -1 on error */
    int lifetime_hint;     /* client's s2n_connection_get_session_ticket_lifetime_hint, -1 if none */
    struct s2n_connection *server; /* the server connection's pointer (freed on return) */
    int close_ok;          /* the close went as asked */
};

/* Sets both connections' and the pair's state up, runs the handshake over a
 * non-blocking socket pair with the client offering `offer` (NULL or len 0:
 * none), lets a TLS1.3 client read the server's ticket (one s2n_recv, which
 * must block on read), saves the client's session into `save` (if not NULL;
 * len 0 if none), closes as `how`, and frees everything. Failures of the
 * close steps are reported as test failures. Returns the handshake's rc. */
int rs2n_cache_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                       const struct rs2n_saved_session *offer, struct rs2n_saved_session *save,
                       enum rs2n_close_how how, struct rs2n_cache_conn *out);

/* Offers `offer` (if any), reads a TLS1.3 ticket and saves the session, as
 * rs2n_cache_connect does, for callers that drive a pair themselves. */
int rs2n_offer_session(struct s2n_connection *client, const struct rs2n_saved_session *offer);
int rs2n_save_session(struct s2n_connection *client, struct rs2n_saved_session *save);
/* One client s2n_recv that reads what the server sent after the handshake
 * (a TLS1.3 ticket); returns 0 if it blocked on read as expected, else -1. */
int rs2n_read_ticket(struct s2n_connection *client);

/* s2n_shutdown on both non-blocking connections, client first, alternately,
 * until both succeed. Returns 0, or -1 (after printing the error) on failure. */
int rs2n_shutdown_pair(struct s2n_connection *server, struct s2n_connection *client);

#endif /* RS2N_TEST_COMMON_CACHE_H */

#ifndef RS2N_TEST_COMMON_TICKETS_H
#define RS2N_TEST_COMMON_TICKETS_H

/* ------------------------------------------------------------------------- */
/* Session ticket tests (test_tickets*.c): a fake wall clock in nanoseconds,  */
/* ticket configs, a session ticket callback that records what it gets, and a */
/* driver for one connection over an in-memory pipe that offers a session,    */
/* can see (and change) the client's first flight, lets the client read its   */
/* TLS1.3 tickets and reports what both sides did.                            */
/* ------------------------------------------------------------------------- */

#define RS2N_TK_NS 1000000000ull
/* A fake "now" (seconds; November 2023) well inside the test certificates'
 * validity, for tests to start their clocks at. */
#define RS2N_TK_T0 1700000000ull
/* Room for one saved session (rs2n's are 42 bytes; s2n-tls's a few hundred). */
#define RS2N_TK_SESSION_MAX 2048
/* Tickets a struct rs2n_tk_log keeps. */
#define RS2N_TK_LOG_MAX 16

/* A wall clock for s2n_config_set_wall_clock whose ctx is a uint64_t holding
 * nanoseconds since the epoch: tests move time by changing the variable. Give
 * the server and the client config the same variable. */
int rs2n_tk_clock(void *ctx, uint64_t *nanoseconds);

/* s2n_config_add_ticket_crypto_key with a NUL-terminated name and material.
 * Returns what it returns. */
int rs2n_tk_add_key(struct s2n_config *config, const char *name, const char *material,
                    uint64_t intro_secs);

/* Saved session bytes. */
struct rs2n_tk_session {
    uint8_t data[RS2N_TK_SESSION_MAX];
    int len; /* 0: none */
};

/* What a client's session ticket callback was given (rs2n_tk_ticket_cb with a
 * struct rs2n_tk_log as ctx). Reset it with memset or rs2n_tk_log_reset. */
struct rs2n_tk_log {
    unsigned count;  /* calls */
    unsigned errors; /* calls in which a s2n_session_ticket_* function failed */
    struct rs2n_tk_session tickets[RS2N_TK_LOG_MAX]; /* the first tickets' data */
    uint32_t lifetimes[RS2N_TK_LOG_MAX];             /* and lifetimes */
};
void rs2n_tk_log_reset(struct rs2n_tk_log *log);
int rs2n_tk_ticket_cb(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket);

/* A server config: ECDSA P-256 certificate, `policy` (NULL: default), session
 * tickets on, wall clock rs2n_tk_clock over `clock_ns` (if not NULL). No ticket
 * key. Exits on failure. */
struct s2n_config *rs2n_tk_server_config(const char *policy, uint64_t *clock_ns);
/* A client config trusting the test CA: `policy`, session tickets on, the wall
 * clock over `clock_ns` (if not NULL), rs2n_tk_ticket_cb with `log` (if not
 * NULL). Exits on failure. */
struct s2n_config *rs2n_tk_client_config(const char *policy, uint64_t *clock_ns,
                                         struct rs2n_tk_log *log);

/* How to run one connection (all optional: zero means "don't"). */
struct rs2n_tk_opts {
    const struct rs2n_tk_session *offer; /* s2n_connection_set_session on the client */
    uint32_t keying_material_lifetime;   /* ..._set_server_keying_material_lifetime */
    uint8_t add_tickets;                 /* s2n_connection_add_new_tickets_to_send (server),
                                          * before the handshake */
    /* Called with the client's first flight (its ClientHello records) before
     * the server reads it; it may change the bytes in place. */
    void (*on_client_hello)(uint8_t *bytes, size_t len, void *ctx);
    void *hook_ctx;
};

/* What one connection did. */
struct rs2n_tk_result {
    int rc;                      /* the handshake: 0 if both sides succeeded */
    struct rs2n_pair_result res; /* how each side's last s2n_negotiate ended */
    int set_session_rc;          /* s2n_connection_set_session's rc (0 if no offer) */
    int set_session_err;         /* s2n_errno after it failed */
    int version;                 /* the server's actual protocol version */
    int client_resumed, server_resumed;
    char client_type[160], server_type[160]; /* handshake type names */
    int tickets_sent;            /* the server's s2n_connection_get_tickets_sent; -1 on error */
    int session_len_before_recv; /* client's s2n_connection_get_session_length after
                                  * the handshake, before s2n_recv */
    int recv_ok;                 /* the client's s2n_recv ended blocked on read */
    struct rs2n_tk_session session; /* client's s2n_connection_get_session after s2n_recv */
    int lifetime_hint;           /* client's s2n_connection_get_session_ticket_lifetime_hint,
                                  * -1 if it failed */
    uint8_t client_hello[RS2N_TK_SESSION_MAX * 2]; /* the client's first flight, as sent */
    size_t client_hello_len;
};

/* Runs one client+server connection with these configs over an in-memory pipe
 * (server name "localhost"): sets the options, runs the handshake, then lets
 * the client read what the server sent after it (s2n_recv until it blocks on
 * read: TLS1.3 tickets) and fills `out`. Frees everything. Returns out->rc. */
int rs2n_tk_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                    const struct rs2n_tk_opts *opts, struct rs2n_tk_result *out);

/* The offset of `needle` in `hay`, or -1. */
long rs2n_tk_find(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t needle_len);
/* The offset of an rs2n ticket sealed by key `name` in `bytes` (its version
 * byte 0x01, then the name zero-padded to 16 bytes), or -1. */
long rs2n_tk_find_ticket(const uint8_t *bytes, size_t len, const char *name);

/* For rs2n_tk_check's `tickets`: don't check, or "at least one". */
#define RS2N_TK_ANY (-1)
#define RS2N_TK_SOME (-2)

/* s2n's handshake type name for a TLS1.3 or TLS1.2 handshake, full or
 * resumed, with or without a TLS1.2 ticket. */
const char *rs2n_tk_type_name(int version, int resumed, int tls12_ticket);

/* Checks one connection (see rs2n_tk_connect): both sides succeeded at
 * `version`; both say resumed (1) or full (0), with s2n's handshake type
 * names; the server sent `tickets` tickets (or RS2N_TK_ANY / RS2N_TK_SOME);
 * the client's callback (if `log`) got as many as the server sent, each with
 * data, and the client's lifetime hint is the last one's; a TLS1.3 client has
 * no session before s2n_recv, and one after it if tickets came. Failures are
 * reported at file:line with `what`. Returns 1 if everything held. */
int rs2n_tk_check(const char *file, int line, const char *what, const struct rs2n_tk_result *r,
                  const struct rs2n_tk_log *log, int version, int resumed, int tickets);
#define RS2N_TK_CHECK(what, r, log, version, resumed, tickets) \
    rs2n_tk_check(__FILE__, __LINE__, (what), (r), (log), (version), (resumed), (tickets))

#endif /* RS2N_TEST_COMMON_TICKETS_H */
