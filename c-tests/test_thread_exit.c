/*
 * Calls made while a thread exits, from a pthread key destructor (which runs
 * after the thread's own thread-local values are destroyed): failing rs2n
 * calls record their error as at any other time; s2n_errno, s2n_error_get_type,
 * s2n_strerror, s2n_strerror_debug and s2n_strerror_name work; a config can
 * still be made, used and freed. The process goes on and exits 0.
 */
#include "testlib.h"

#include <pthread.h>

/* What the destructor saw, checked by the main thread after the join. */
static struct {
    int ran;
    int free_null_rc, free_null_type;
    char free_null_name[64], free_null_message[128], free_null_debug[128];
    int new_conn_null, new_conn_type;
    char policy_debug[256];
    int policy_rc;
    int unknown_nonempty;
} seen;

static pthread_key_t key;

static void copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "(NULL)");
}

static void at_thread_exit(void *value)
{
    (void) value;
    seen.ran = 1;
    seen.free_null_rc = s2n_config_free(NULL);
    seen.free_null_type = s2n_error_get_type(s2n_errno);
    copy(seen.free_null_name, sizeof(seen.free_null_name), s2n_strerror_name(s2n_errno));
    copy(seen.free_null_message, sizeof(seen.free_null_message), s2n_strerror(s2n_errno, "EN"));
    copy(seen.free_null_debug, sizeof(seen.free_null_debug), s2n_strerror_debug(s2n_errno, NULL));

    seen.new_conn_null = s2n_connection_new(12345) == NULL;
    seen.new_conn_type = s2n_error_get_type(s2n_errno);

    struct s2n_config *config = s2n_config_new_minimal();
    if (config != NULL) {
        seen.policy_rc = s2n_config_set_cipher_preferences(config, "no-such-policy");
        copy(seen.policy_debug, sizeof(seen.policy_debug), s2n_strerror_debug(s2n_errno, "EN"));
        s2n_config_free(config);
    }
    const char *unknown = s2n_strerror(-5, NULL);
    seen.unknown_nonempty = unknown != NULL && unknown[0] != '\0';
}

static void *thread_main(void *arg)
{
    (void) arg;
    /* An error recorded before the thread exits, too. */
    s2n_config_free(NULL);
    pthread_setspecific(key, &seen);
    return NULL;
}

int main(void)
{
    rs2n_test_begin("test_thread_exit", 30);
    REQUIRE(pthread_key_create(&key, at_thread_exit) == 0);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, thread_main, NULL) == 0);
    REQUIRE(pthread_join(t, NULL) == 0);

    EXPECT_TRUE(seen.ran);
    EXPECT_EQUAL(seen.free_null_rc, S2N_FAILURE);
    EXPECT_EQUAL(seen.free_null_type, S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(seen.free_null_name, "S2N_ERR_NULL");
    EXPECT_STRING_EQUAL(seen.free_null_message, "NULL pointer encountered");
    EXPECT_STRING_EQUAL(seen.free_null_debug, "config must not be NULL");
    EXPECT_TRUE(seen.new_conn_null);
    EXPECT_EQUAL(seen.new_conn_type, S2N_ERR_T_USAGE);
    EXPECT_EQUAL(seen.policy_rc, S2N_FAILURE);
    EXPECT_TRUE(strstr(seen.policy_debug, "no-such-policy") != NULL);
    EXPECT_TRUE(seen.unknown_nonempty);
    printf("  at thread exit: %s: %s | %s\n", seen.free_null_name, seen.free_null_message,
           seen.free_null_debug);
    REQUIRE(pthread_key_delete(key) == 0);
    return rs2n_test_finish();
}
