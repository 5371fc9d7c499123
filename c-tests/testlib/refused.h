/*
 * testlib/refused.h: EXPECT_REFUSED, for the functions rs2n exports but cannot
 * support: the call fails with -1 (or NULL), S2N_ERR_UNIMPLEMENTED of class
 * S2N_ERR_T_USAGE, and a message that names what is unsupported (`word`).
 */
#ifndef RS2N_TESTLIB_REFUSED_H
#define RS2N_TESTLIB_REFUSED_H

#include <string.h>

#include "harness.h"

/* x returns -1 (an int call) with S2N_ERR_UNIMPLEMENTED, a usage error whose
 * message contains `word`. */
#define EXPECT_REFUSED(x, word)                                                   \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE(x, S2N_ERR_T_USAGE);                             \
        rs2n_expect_unimplemented(__FILE__, __LINE__, #x, (word));                \
    } while (0)

/* The same for a call that returns a pointer (NULL when refused). */
#define EXPECT_REFUSED_NULL(x, word)                                              \
    do {                                                                          \
        EXPECT_NULL_WITH_TYPE(x, S2N_ERR_T_USAGE);                                \
        rs2n_expect_unimplemented(__FILE__, __LINE__, #x, (word));                \
    } while (0)

static inline void rs2n_expect_unimplemented(const char *file, int line, const char *expr,
                                             const char *word)
{
    const char *name = s2n_strerror_name(s2n_errno);
    const char *msg = s2n_strerror_debug(s2n_errno, "EN");
    if (name == NULL || strcmp(name, "S2N_ERR_UNIMPLEMENTED") != 0) {
        rs2n_test_fail(file, line, "%s: error %s, expected S2N_ERR_UNIMPLEMENTED", expr,
                       name ? name : "(NULL)");
    }
    if (msg == NULL || strstr(msg, word) == NULL) {
        rs2n_test_fail(file, line, "%s: message \"%s\" does not mention \"%s\"", expr,
                       msg ? msg : "(NULL)", word);
    }
}

#endif /* RS2N_TESTLIB_REFUSED_H */
