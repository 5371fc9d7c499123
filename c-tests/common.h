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
