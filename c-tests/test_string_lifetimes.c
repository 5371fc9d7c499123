/*
 * Strings rs2n hands to C live as long as their documentation says, held
 * across the calls that used to free them (AddressSanitizer reports a read of
 * freed memory; without it, freed memory is overwritten, see main):
 *   - s2n_strerror and s2n_strerror_name: static, the same text after any
 *     number of later errors, on any thread;
 *   - s2n_strerror_debug: the detailed message of the thread's last error;
 *     after later errors its pointer is still readable (and shows the latest);
 *   - s2n_get_server_name (client): valid until the connection is wiped or
 *     freed, across s2n_set_server_name calls;
 *   - s2n_connection_get_cipher and s2n_connection_get_handshake_type_name:
 *     valid across later calls, and the cipher name after the connection is
 *     freed (it is static).
 */
#include "testlib.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>

static void cause_errors(int n)
{
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    for (int i = 0; i < n; i++) {
        char name[300];
        memset(name, 'a' + i % 26, sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        EXPECT_FAILURE_WITH_TYPE(s2n_set_server_name(conn, name), S2N_ERR_T_USAGE);
        EXPECT_FAILURE_WITH_TYPE(s2n_config_free(NULL), S2N_ERR_T_USAGE);
        EXPECT_NULL_WITH_TYPE(s2n_connection_new(1000 + i), S2N_ERR_T_USAGE);
    }
    EXPECT_SUCCESS(s2n_connection_free(conn));
}

static void *errors_on_another_thread(void *arg)
{
    (void) arg;
    cause_errors(10);
    return NULL;
}

static void test_error_strings(void)
{
    EXPECT_FAILURE_WITH_TYPE(s2n_config_free(NULL), S2N_ERR_T_USAGE);
    int err = s2n_errno;
    const char *message = s2n_strerror(err, "EN");
    const char *name = s2n_strerror_name(err);
    const char *debug = s2n_strerror_debug(err, "EN");
    EXPECT_STRING_EQUAL(message, "NULL pointer encountered");
    EXPECT_STRING_EQUAL(name, "S2N_ERR_NULL");
    EXPECT_STRING_EQUAL(debug, "config must not be NULL");

    cause_errors(20);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, errors_on_another_thread, NULL) == 0);
    REQUIRE(pthread_join(t, NULL) == 0);

    /* Static: unchanged, and the same pointer for the same error. */
    EXPECT_STRING_EQUAL(message, "NULL pointer encountered");
    EXPECT_STRING_EQUAL(name, "S2N_ERR_NULL");
    EXPECT_TRUE(s2n_strerror(err, NULL) == message);
    /* Rewritten by the thread's later errors, never freed. */
    EXPECT_TRUE(debug != NULL && strlen(debug) > 0);
    EXPECT_TRUE(strstr(debug, "mode 1019") != NULL);
    printf("  held s2n_strerror: \"%s\"; held s2n_strerror_debug now: \"%s\"\n", message, debug);
}

static void test_server_name(void)
{
    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    EXPECT_SUCCESS(s2n_set_server_name(conn, "first.example"));
    const char *first = s2n_get_server_name(conn);
    EXPECT_STRING_EQUAL(first, "first.example");
    EXPECT_SUCCESS(s2n_set_server_name(conn, "second.example"));
    const char *second = s2n_get_server_name(conn);
    EXPECT_SUCCESS(s2n_set_server_name(conn, "third.example"));
    for (int i = 0; i < 100; i++) {
        EXPECT_SUCCESS(s2n_set_server_name(conn, "again.example"));
        EXPECT_STRING_EQUAL(s2n_get_server_name(conn), "again.example");
    }
    /* Still readable: valid until the connection is wiped or freed. */
    EXPECT_STRING_EQUAL(first, "first.example");
    EXPECT_STRING_EQUAL(second, "second.example");
    EXPECT_SUCCESS(s2n_connection_free(conn));
}

static void test_connection_strings(void)
{
    struct s2n_config *server_config = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client_config = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server_config, client_config, "localhost");
    const char *initial_cipher = s2n_connection_get_cipher(p.server);
    const char *initial_type = s2n_connection_get_handshake_type_name(p.server);
    EXPECT_STRING_EQUAL(initial_cipher, "TLS_NULL_WITH_NULL_NULL");
    EXPECT_STRING_EQUAL(initial_type, "INITIAL");
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, NULL) == 0);
    const char *cipher = s2n_connection_get_cipher(p.server);
    const char *type = s2n_connection_get_handshake_type_name(p.server);
    const char *sni = s2n_get_server_name(p.server);
    EXPECT_STRING_EQUAL(sni, "localhost");
    char type_copy[160];
    snprintf(type_copy, sizeof(type_copy), "%s", type ? type : "");
    EXPECT_TRUE(rs2n_shutdown_pair(p.server, p.client) == 0);
    EXPECT_STRING_EQUAL(initial_cipher, "TLS_NULL_WITH_NULL_NULL");
    EXPECT_STRING_EQUAL(initial_type, "INITIAL");
    EXPECT_STRING_EQUAL(s2n_connection_get_handshake_type_name(p.server), type_copy);
    EXPECT_STRING_EQUAL(type, type_copy);
    EXPECT_STRING_EQUAL(sni, "localhost");
    char cipher_copy[64];
    snprintf(cipher_copy, sizeof(cipher_copy), "%s", cipher ? cipher : "");
    rs2n_pair_close(&p);
    /* Static: outlives the connection. */
    EXPECT_STRING_EQUAL(cipher, cipher_copy);
    s2n_config_free(server_config);
    s2n_config_free(client_config);
}

int main(void)
{
    rs2n_test_begin("test_string_lifetimes", 30);
#ifdef __GLIBC__
    /* Freed memory is overwritten, so reading a freed string fails without
     * AddressSanitizer too (ASan does not see reads inside the Rust library). */
    mallopt(M_PERTURB, 0xa5);
#endif
    test_error_strings();
    test_server_name();
    test_connection_strings();
    return rs2n_test_finish();
}
