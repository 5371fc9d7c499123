/*
 * Stack traces and error sources:
 *   - off by default: s2n_calculate_stacktrace succeeds and records nothing,
 *     s2n_print_stacktrace prints a note saying how to turn them on;
 *   - on (s2n_stack_traces_enabled_set): an error records the failing thread's
 *     stack, s2n_get_stacktrace hands it out (in s2n-tls's layout, char **trace
 *     and int trace_size), s2n_print_stacktrace writes it; another thread has its
 *     own; s2n_free_stacktrace drops it;
 *   - NULL arguments: S2N_ERR_NULL;
 *   - s2n_strerror_source: "src/FILE.rs:LINE" for the thread's last error, the
 *     "no error" text for 0.
 */
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* s2n-tls's layout of the (opaque in s2n.h) struct s2n_stacktrace. */
struct s2n_stacktrace {
    char **trace;
    int trace_size;
};

/* What s2n_print_stacktrace writes, read back from a temporary file. */
static char *printed(void)
{
    FILE *f = tmpfile();
    REQUIRE(f != NULL);
    EXPECT_SUCCESS(s2n_print_stacktrace(f));
    long n = ftell(f);
    REQUIRE(n >= 0);
    char *text = calloc((size_t) n + 1, 1);
    REQUIRE(text != NULL);
    rewind(f);
    REQUIRE(fread(text, 1, (size_t) n, f) == (size_t) n);
    fclose(f);
    return text;
}

static void *other_thread(void *arg)
{
    struct s2n_stacktrace *t = arg;
    /* A fresh thread has no trace, even though the main thread has one. */
    EXPECT_SUCCESS(s2n_get_stacktrace(t));
    return NULL;
}

int main(void)
{
    rs2n_test_begin("test_stacktrace", 60);
    struct s2n_stacktrace t = { NULL, -1 };

    /* Off by default. */
    EXPECT_FALSE(s2n_stack_traces_enabled());
    EXPECT_SUCCESS(s2n_calculate_stacktrace());
    EXPECT_SUCCESS(s2n_get_stacktrace(&t));
    EXPECT_NULL(t.trace);
    EXPECT_EQUAL(t.trace_size, 0);
    char *text = printed();
    EXPECT_TRUE(strstr(text, "s2n_stack_traces_enabled_set") != NULL);
    free(text);

    /* NULL arguments. */
    EXPECT_FAILURE_WITH_TYPE(s2n_print_stacktrace(NULL), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_get_stacktrace(NULL), S2N_ERR_T_USAGE);

    /* The source of the last error: rs2n's Rust file and line. */
    const char *source = s2n_strerror_source(s2n_errno);
    EXPECT_NOT_NULL(source);
    EXPECT_TRUE(strncmp(source, "src/", 4) == 0 && strstr(source, ".rs:") != NULL);
    printf("source of the last error: %s\n", source);
    EXPECT_STRING_EQUAL(s2n_strerror_source(S2N_ERR_T_OK), s2n_strerror(S2N_ERR_T_OK, "EN"));

    /* On: an error records the stack. */
    EXPECT_SUCCESS(s2n_stack_traces_enabled_set(true));
    EXPECT_TRUE(s2n_stack_traces_enabled());
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_cipher_preferences(NULL, "default"), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_get_stacktrace(&t));
    EXPECT_NOT_NULL(t.trace);
    EXPECT_TRUE(t.trace_size > 0);
    for (int i = 0; t.trace && i < t.trace_size; i++) {
        EXPECT_NOT_NULL(t.trace[i]);
    }
    text = printed();
    EXPECT_TRUE(strstr(text, "Stack trace:") != NULL);
    EXPECT_TRUE(t.trace_size > 0 && t.trace && strstr(text, t.trace[0]) != NULL);
    free(text);

    /* Another thread's trace is its own. */
    struct s2n_stacktrace other = { NULL, -1 };
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, other_thread, &other) == 0);
    REQUIRE(pthread_join(thread, NULL) == 0);
    EXPECT_NULL(other.trace);
    EXPECT_EQUAL(other.trace_size, 0);

    /* Calculated on demand, then freed. */
    EXPECT_SUCCESS(s2n_free_stacktrace());
    EXPECT_SUCCESS(s2n_get_stacktrace(&t));
    EXPECT_NULL(t.trace);
    EXPECT_EQUAL(t.trace_size, 0);
    EXPECT_SUCCESS(s2n_calculate_stacktrace());
    EXPECT_SUCCESS(s2n_get_stacktrace(&t));
    EXPECT_TRUE(t.trace_size > 0);
    EXPECT_SUCCESS(s2n_free_stacktrace());
    EXPECT_SUCCESS(s2n_free_stacktrace()); /* twice is fine */

    EXPECT_SUCCESS(s2n_stack_traces_enabled_set(false));
    EXPECT_FALSE(s2n_stack_traces_enabled());
    return rs2n_test_finish();
}
