/*
 * testlib/harness.h: the test harness: assertion macros in the style of
 * s2n-tls's own tests, the begin/finish of a test, and s2n error printing.
 * Every other testlib header includes this one first.
 *
 * Failed EXPECT_* checks print where and why and are counted; the test goes on
 * so one broken function does not hide the others. A test's main ends with
 * `return rs2n_test_finish();`, which fails the test if any check failed.
 * REQUIRE_* checks stop the test at once (for things the rest cannot do without).
 *
 * C99 + POSIX. CMake compiles the tests with _GNU_SOURCE and links pthreads;
 * the #ifndef below keeps the library usable without it.
 */
#ifndef RS2N_TESTLIB_HARNESS_H
#define RS2N_TESTLIB_HARNESS_H

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

/* Prints "<what> failed" and the calling thread's s2n error, and exits: for
 * set-up steps that the test cannot go on without. */
void rs2n_die_s2n(const char *what)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

#endif /* RS2N_TESTLIB_HARNESS_H */
