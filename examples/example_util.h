/*
 * example_util.h: helpers shared by rs2nd.c and rs2nc.c.
 *
 * Header-only (static inline functions): CMake builds every .c file in examples/
 * as a program of its own, so this is included rather than compiled on its own.
 * `static inline` keeps -Wunused-function quiet in a program that does not use
 * every helper.
 *
 * The includer defines EXAMPLE_UTIL_PROG, the program's name that starts every
 * message msg() prints, before including this file:
 *
 *   #define EXAMPLE_UTIL_PROG "rs2nd"
 *   #include "example_util.h"
 *
 * The sockets are non-blocking: an s2n call that would block fails with an error
 * of type S2N_ERR_T_BLOCKED, and the program waits in poll() (wait_fd) for what
 * `blocked` says, up to a deadline in monotonic milliseconds (now_ms).
 * drive_s2n_call and send_all return 0 when done, -1 when the s2n call failed
 * (s2n_errno says why), and 1 when the deadline passed first (s2n_errno then still
 * holds the blocked error); each caller words its own messages.
 */
#ifndef RS2N_EXAMPLES_EXAMPLE_UTIL_H
#define RS2N_EXAMPLES_EXAMPLE_UTIL_H

#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <s2n.h>

#ifndef EXAMPLE_UTIL_PROG
#error "define EXAMPLE_UTIL_PROG (the program's name, for messages) before including example_util.h"
#endif

/* Lets GCC and Clang check msg()'s format string against its arguments. */
#if defined(__GNUC__)
#define EXAMPLE_UTIL_PRINTF(fmt_index, first_arg) \
    __attribute__((format(printf, fmt_index, first_arg)))
#else
#define EXAMPLE_UTIL_PRINTF(fmt_index, first_arg)
#endif

/* Prints "PROG: " and the formatted message, then a newline, on stderr. */
static inline EXAMPLE_UTIL_PRINTF(1, 2) void msg(const char *fmt, ...)
{
    va_list ap;
    fputs(EXAMPLE_UTIL_PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Reports the last s2n error after `what` failed: "PROG: what: text (name)". */
static inline void msg_s2n(const char *what)
{
    int err = s2n_errno;
    msg("%s: %s (%s)", what, s2n_strerror_debug(err, "EN"), s2n_strerror_name(err));
}

/* Parses a whole decimal string into *out if it lies in [lo, hi]; returns 0, else -1. */
static inline int parse_long(const char *s, long lo, long hi, long *out)
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

/* In parse_options' loop (option `a`, its value `val` or NULL, index `i`): takes val, else -1. */
#define NEED_VALUE()                      \
    do {                                  \
        if (val == NULL) {                \
            msg("%s needs a value", a);   \
            return -1;                    \
        }                                 \
        i++;                              \
    } while (0)

/* The monotonic clock in milliseconds: what deadlines are measured in. */
static inline long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Puts `fd` in non-blocking mode; returns 0, or -1 with errno set by fcntl. */
static inline int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        return -1;
    }
    return 0;
}

/* Polls `fd` for what `blocked` says until `deadline`: 0 ready, -1 timeout (ETIMEDOUT) or error. */
static inline int wait_fd(int fd, s2n_blocked_status blocked, long long deadline)
{
    for (;;) {
        struct pollfd p;
        long long left = deadline - now_ms();
        int n;
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (blocked == S2N_BLOCKED_ON_APPLICATION_INPUT) {
            /* An async operation (rs2nd --async-pkey) another thread completes:
             * nothing to poll for; look again shortly. */
            poll(NULL, 0, 2);
            return 0;
        }
        p.fd = fd;
        p.events = (blocked == S2N_BLOCKED_ON_WRITE) ? POLLOUT : POLLIN;
        p.revents = 0;
        n = poll(&p, 1, (int)(left > 1000 ? 1000 : left)); /* slices of at most 1 s */
        if (n > 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return -1;
        }
    }
}

/* True if the last s2n call failed only because the socket would block. */
static inline int s2n_would_block(void)
{
    return s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED;
}

/* Repeats `step` (s2n_negotiate, s2n_shutdown) until done: 0, -1 failed, 1 deadline passed. */
static inline int drive_s2n_call(int (*step)(struct s2n_connection *, s2n_blocked_status *),
                                 struct s2n_connection *conn, int fd, long long deadline)
{
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        if (step(conn, &blocked) == S2N_SUCCESS) {
            return 0;
        }
        if (!s2n_would_block()) {
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            return 1;
        }
    }
}

/* s2n_send()s all `len` bytes of `buf`: 0, -1 failed (see s2n_errno), 1 deadline passed. */
static inline int send_all(struct s2n_connection *conn, int fd, const void *buf, size_t len,
                           long long deadline)
{
    size_t off = 0;
    while (off < len) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t w = s2n_send(conn, (const char *)buf + off, (ssize_t)(len - off), &blocked);
        if (w < 0) {
            if (!s2n_would_block()) {
                return -1;
            }
            if (wait_fd(fd, blocked, deadline) != 0) {
                return 1;
            }
            continue;
        }
        off += (size_t)w;
    }
    return 0;
}

/* The name s_client prints for an s2n protocol version (S2N_TLS13: "TLSv1.3"). */
static inline const char *protocol_name(int v)
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

/* The connection's early data status as rs2nc and rs2nd print it. */
static inline const char *early_status_name(struct s2n_connection *conn)
{
    s2n_early_data_status_t status;
    if (s2n_connection_get_early_data_status(conn, &status) != S2N_SUCCESS) {
        return "unknown";
    }
    switch (status) {
    case S2N_EARLY_DATA_STATUS_OK:
        return "ok";
    case S2N_EARLY_DATA_STATUS_NOT_REQUESTED:
        return "not-requested";
    case S2N_EARLY_DATA_STATUS_REJECTED:
        return "rejected";
    case S2N_EARLY_DATA_STATUS_END:
        return "end";
    }
    return "unknown";
}

/* Sets the config's application protocols from a comma-separated list, e.g.
 * "h2,http/1.1" (most preferred first). Returns 0, or -1 after a message. */
static inline int set_alpn_list(struct s2n_config *config, const char *list)
{
    char copy[1024];
    const char *names[64];
    int count = 0;
    if (strlen(list) >= sizeof(copy)) {
        msg("--alpn: list too long");
        return -1;
    }
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        if (count == (int) (sizeof(names) / sizeof(names[0]))) {
            msg("--alpn: more than 64 protocols");
            return -1;
        }
        names[count++] = name;
    }
    if (s2n_config_set_protocol_preferences(config, names, count) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_protocol_preferences");
        return -1;
    }
    return 0;
}

/* Reads a PEM file into a malloc'd NUL-terminated string; NULL after a message. */
static inline char *read_pem_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        msg("cannot open %s", path);
        return NULL;
    }
    char *buf = malloc(1024 * 1024);
    size_t n = buf ? fread(buf, 1, 1024 * 1024 - 1, f) : 0;
    fclose(f);
    if (buf == NULL || n == 0) {
        msg("cannot read %s", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

#endif /* RS2N_EXAMPLES_EXAMPLE_UTIL_H */
