/* testlib/harness.c: the check counters, test begin/finish and s2n error
 * printing behind the macros of harness.h. */
#include "harness.h"

#include <signal.h>
#include <stdarg.h>
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
    const char *msg = s2n_strerror_debug(err, "EN");
    fprintf(stderr, "%s: s2n_errno=%d %s (%s): %s\n", prefix, err, name ? name : "(NULL)",
            rs2n_error_type_name(s2n_error_get_type(err)), msg ? msg : "(NULL)");
}

int rs2n_check_error_type(const char *file, int line, const char *expr, int expected_type)
{
    int err = s2n_errno;
    int type = s2n_error_get_type(err);
    const char *msg = s2n_strerror_debug(err, "EN");
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

void rs2n_die_s2n(const char *what)
{
    fprintf(stderr, "%s failed\n", what);
    rs2n_print_s2n_error("  s2n error");
    exit(1);
}
