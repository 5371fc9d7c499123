/*
 * The library's lifecycle and what it reports about itself:
 *   - s2n_crypto_disable_init and s2n_disable_atexit succeed before s2n_init and
 *     are refused after it (S2N_ERR_INITIALIZED);
 *   - s2n_get_fips_mode: NULL refused; before s2n_init S2N_ERR_NOT_INITIALIZED
 *     with the mode set to DISABLED; after it, DISABLED (ring is no FIPS module);
 *   - s2n_get_openssl_version is 0 (rs2n has no OpenSSL);
 *   - s2n_rand_set_callbacks accepts anything (NULL too) and never calls them,
 *     as in s2n-tls, where it is a deprecated no-op;
 *   - s2n_cleanup is a no-op; s2n_cleanup_final deinitializes (a second one is
 *     S2N_ERR_NOT_INITIALIZED), after which s2n_init works again, the settings
 *     made before the first s2n_init still refused only while initialized;
 *   - s2n_mem_set_callbacks after s2n_init: S2N_ERR_INITIALIZED.
 */
#include "testlib.h"

static int rand_calls;

static int rand_init(void)
{
    rand_calls++;
    return S2N_SUCCESS;
}

static int rand_cleanup(void)
{
    rand_calls++;
    return S2N_SUCCESS;
}

static int rand_seed(void *data, uint32_t size)
{
    (void) data;
    (void) size;
    rand_calls++;
    return S2N_SUCCESS;
}

static int mem_hook(void)
{
    return S2N_SUCCESS;
}

static int mem_malloc(void **ptr, uint32_t requested, uint32_t *allocated)
{
    (void) ptr;
    (void) requested;
    (void) allocated;
    return S2N_FAILURE;
}

static int mem_free(void *ptr, uint32_t size)
{
    (void) ptr;
    (void) size;
    return S2N_FAILURE;
}

static void expect_error_name(const char *name)
{
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), name);
}

int main(void)
{
    /* Before s2n_init. */
    EXPECT_SUCCESS(s2n_crypto_disable_init());
    EXPECT_SUCCESS(s2n_disable_atexit());
    EXPECT_SUCCESS(s2n_crypto_disable_init()); /* twice is fine */
    s2n_fips_mode mode = S2N_FIPS_MODE_ENABLED;
    EXPECT_FAILURE_WITH_TYPE(s2n_get_fips_mode(&mode), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_NOT_INITIALIZED");
    EXPECT_EQUAL(mode, S2N_FIPS_MODE_DISABLED);
    EXPECT_FAILURE_WITH_TYPE(s2n_get_fips_mode(NULL), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_cleanup_final(), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_NOT_INITIALIZED");

    rs2n_test_begin("test_library_lifecycle", 60); /* s2n_init */

    EXPECT_FAILURE_WITH_TYPE(s2n_crypto_disable_init(), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_INITIALIZED");
    EXPECT_FAILURE_WITH_TYPE(s2n_disable_atexit(), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_INITIALIZED");
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(mem_hook, mem_hook, mem_malloc, mem_free),
                             S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_INITIALIZED");

    mode = S2N_FIPS_MODE_ENABLED;
    EXPECT_SUCCESS(s2n_get_fips_mode(&mode));
    EXPECT_EQUAL(mode, S2N_FIPS_MODE_DISABLED);
    EXPECT_EQUAL(s2n_get_openssl_version(), 0UL);

    EXPECT_SUCCESS(s2n_rand_set_callbacks(rand_init, rand_cleanup, rand_seed, rand_seed));
    EXPECT_SUCCESS(s2n_rand_set_callbacks(NULL, NULL, NULL, NULL));

    /* A handshake: the random callbacks are not used. */
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    EXPECT_SUCCESS(s2n_rand_set_callbacks(rand_init, rand_cleanup, rand_seed, rand_seed));
    struct rs2n_pair p;
    EXPECT_EQUAL(rs2n_pair_handshake(&p, sc, cc, "localhost", NULL), 0);
    rs2n_pair_close(&p);
    EXPECT_EQUAL(rand_calls, 0);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));

    EXPECT_SUCCESS(s2n_cleanup()); /* a no-op: still initialized */
    EXPECT_FAILURE_WITH_TYPE(s2n_init(), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_INITIALIZED");

    /* Deinitialize, and again. */
    EXPECT_SUCCESS(s2n_cleanup_final());
    EXPECT_FAILURE_WITH_TYPE(s2n_cleanup_final(), S2N_ERR_T_USAGE);
    expect_error_name("S2N_ERR_NOT_INITIALIZED");
    EXPECT_FAILURE_WITH_TYPE(s2n_get_fips_mode(&mode), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_disable_atexit()); /* allowed again while uninitialized */
    EXPECT_SUCCESS(s2n_init());
    EXPECT_SUCCESS(s2n_get_fips_mode(&mode));
    EXPECT_EQUAL(mode, S2N_FIPS_MODE_DISABLED);
    EXPECT_FAILURE_WITH_TYPE(s2n_disable_atexit(), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_cleanup_final());
    return rs2n_test_finish();
}
