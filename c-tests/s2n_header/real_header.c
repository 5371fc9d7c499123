/*
 * real_header.c: a program built against s2n-tls's OWN api/s2n.h (not rs2n's),
 * linked with librs2n (shared and static: c-tests/s2n_header/CMakeLists.txt). It
 * links only if librs2n exports what s2n's header declares, s2n_errno (a
 * thread-local variable) included, and behaves as s2n documents: s2n_init, a
 * config, a connection, errors read straight from s2n_errno, one per thread.
 */
#include <s2n.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(expr)                                                                 \
    do {                                                                            \
        if (!(expr)) {                                                              \
            fprintf(stderr, "real_header.c:%d: FAILED: %s\n", __LINE__, #expr);     \
            failures++;                                                             \
        }                                                                           \
    } while (0)

struct thread_report {
    int errno_at_start;
    int same_variable;
    int error_seen;
};

/* Another thread has its own s2n_errno: it starts at 0 and its errors stay its own. */
static void *other_thread(void *arg)
{
    struct thread_report *r = arg;
    r->errno_at_start = s2n_errno;
    r->same_variable = s2n_errno_location() == &s2n_errno;
    if (s2n_config_set_cipher_preferences(NULL, "default") == S2N_FAILURE) {
        r->error_seen = s2n_errno;
    }
    return NULL;
}

int main(void)
{
    /* s2n_errno is the variable s2n_errno_location() points at. */
    CHECK(s2n_errno == S2N_ERR_T_OK);
    CHECK(s2n_errno_location() == &s2n_errno);

    CHECK(s2n_init() == S2N_SUCCESS);

    /* An error: the second s2n_init. */
    CHECK(s2n_init() == S2N_FAILURE);
    int err = s2n_errno;
    CHECK(err != 0);
    CHECK(*s2n_errno_location() == err);
    CHECK(s2n_error_get_type(err) == S2N_ERR_T_USAGE);
    const char *text = s2n_strerror(err, "EN");
    CHECK(text != NULL && strlen(text) > 0);
    const char *name = s2n_strerror_name(err);
    CHECK(name != NULL && strncmp(name, "S2N_ERR_", 8) == 0);
    printf("second s2n_init: %s: %s\n", name ? name : "(null)", text ? text : "(null)");
    s2n_errno = S2N_ERR_T_OK; /* cleared as s2n's documentation says */
    CHECK(*s2n_errno_location() == 0);

    struct s2n_config *config = s2n_config_new();
    CHECK(config != NULL);
    CHECK(s2n_config_set_cipher_preferences(config, "default_tls13") == S2N_SUCCESS);
    CHECK(s2n_config_set_cipher_preferences(config, "no such policy") == S2N_FAILURE);
    CHECK(s2n_errno != 0);
    CHECK(s2n_error_get_type(s2n_errno) == S2N_ERR_T_USAGE);
    printf("unknown policy: %s\n", s2n_strerror(s2n_errno, "EN"));
    s2n_errno = S2N_ERR_T_OK;

    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    CHECK(conn != NULL);
    CHECK(s2n_connection_set_config(conn, config) == S2N_SUCCESS);
    CHECK(s2n_set_server_name(conn, "localhost") == S2N_SUCCESS);
    CHECK(s2n_connection_set_blinding(conn, S2N_SELF_SERVICE_BLINDING) == S2N_SUCCESS);
    CHECK(strcmp(s2n_connection_get_cipher(conn), "TLS_NULL_WITH_NULL_NULL") == 0);
    CHECK(s2n_errno == S2N_ERR_T_OK);

    /* A mode that is not in the enum: refused, as a usage error. */
    CHECK(s2n_connection_new((s2n_mode) 42) == NULL);
    CHECK(s2n_error_get_type(s2n_errno) == S2N_ERR_T_USAGE);
    s2n_errno = S2N_ERR_T_OK;

    struct thread_report report = { -1, 0, 0 };
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, other_thread, &report) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(report.errno_at_start == 0);
    CHECK(report.same_variable);
    CHECK(report.error_seen != 0);
    CHECK(s2n_errno == S2N_ERR_T_OK); /* this thread's own is untouched */

    CHECK(s2n_connection_free(conn) == S2N_SUCCESS);
    CHECK(s2n_config_free(config) == S2N_SUCCESS);
    CHECK(s2n_cleanup() == S2N_SUCCESS);

    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("real_header: OK\n");
    return 0;
}
