/*
 * s2n_mem_set_callbacks, as an application that tracks its TLS library's memory
 * uses it:
 *   - NULL callbacks and calls after s2n_init are refused (S2N_ERR_T_USAGE);
 *   - a failing init callback fails s2n_init (S2N_ERR_CANCELLED), nothing
 *     initialized; the callbacks can then be set again;
 *   - from s2n_init on, rs2n's memory comes from the malloc callback: a full TLS
 *     handshake and data exchange allocate through it, every block is freed with
 *     the size the callback reported, and the callback's blocks, deliberately
 *     misaligned and larger than asked, are used within bounds at the alignment
 *     Rust needs (the block's guard bytes are checked at free);
 *   - freeing the configs and connections gives memory back through the free
 *     callback, and after s2n_cleanup_final fewer than 5 blocks are still
 *     out; s2n_cleanup_final runs the cleanup callback once, after which
 *     no block comes from the malloc callback any more, while the blocks still
 *     held are freed through the free callback; s2n_init again calls the init
 *     callback again.
 */
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Each block: [raw: 16 bytes: reported size, guard] [1 byte] [the memory handed
 * out: `allocated` bytes] [8 guard bytes]. Handed-out memory is 1 byte past a
 * 16-aligned address: misaligned on purpose. */
#define PREFIX 17
#define GUARD 0x5Au
#define GUARD_LEN 8
#define EXTRA 7 /* reported beyond what was asked */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long mallocs, frees, outstanding, bad_frees, init_calls, cleanup_calls;
static int fail_init;

static int mem_init(void)
{
    init_calls++;
    return fail_init ? S2N_FAILURE : S2N_SUCCESS;
}

static int mem_cleanup(void)
{
    cleanup_calls++;
    return S2N_SUCCESS;
}

static int mem_malloc(void **ptr, uint32_t requested, uint32_t *allocated)
{
    uint32_t size = requested + EXTRA;
    unsigned char *raw = malloc((size_t) PREFIX + size + GUARD_LEN);
    if (raw == NULL) {
        return S2N_FAILURE;
    }
    memcpy(raw, &size, sizeof(size));
    memset(raw + PREFIX + size, GUARD, GUARD_LEN);
    *ptr = raw + PREFIX;
    *allocated = size;
    pthread_mutex_lock(&lock);
    mallocs++;
    outstanding++;
    pthread_mutex_unlock(&lock);
    return S2N_SUCCESS;
}

static int mem_free(void *ptr, uint32_t size)
{
    unsigned char *raw = (unsigned char *) ptr - PREFIX;
    uint32_t recorded;
    memcpy(&recorded, raw, sizeof(recorded));
    int ok = recorded == size;
    for (int i = 0; i < GUARD_LEN; i++) {
        ok = ok && raw[PREFIX + size + i] == GUARD;
    }
    pthread_mutex_lock(&lock);
    frees++;
    outstanding--;
    if (!ok) {
        bad_frees++;
    }
    pthread_mutex_unlock(&lock);
    free(raw);
    return S2N_SUCCESS;
}

static long get(long *counter)
{
    pthread_mutex_lock(&lock);
    long v = *counter;
    pthread_mutex_unlock(&lock);
    return v;
}

static int handshake_and_data(void)
{
    struct s2n_config *sc = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *cc = rs2n_client_config("ca_cert.pem", "default_tls13");
    struct rs2n_pair p;
    int ok = rs2n_pair_handshake(&p, sc, cc, "localhost", NULL) == 0;
    if (ok) {
        s2n_blocked_status blocked;
        const char msg[] = "hello through the application's allocator";
        char buf[sizeof(msg)];
        ok = s2n_send(p.client, msg, sizeof(msg), &blocked) == (ssize_t) sizeof(msg);
        ssize_t n = 0;
        while (ok && n < (ssize_t) sizeof(msg)) {
            ssize_t r = s2n_recv(p.server, buf + n, sizeof(msg) - (size_t) n, &blocked);
            ok = r > 0;
            n += r > 0 ? r : 0;
        }
        ok = ok && memcmp(buf, msg, sizeof(msg)) == 0;
    }
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(sc));
    EXPECT_SUCCESS(s2n_config_free(cc));
    return ok;
}

int main(void)
{
    /* NULL callbacks: S2N_ERR_NULL, each. */
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(NULL, mem_cleanup, mem_malloc, mem_free),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_NULL");
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(mem_init, NULL, mem_malloc, mem_free),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(mem_init, mem_cleanup, NULL, mem_free),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(mem_init, mem_cleanup, mem_malloc, NULL),
                             S2N_ERR_T_USAGE);

    /* An init callback that fails: s2n_init fails, the library stays uninitialized. */
    fail_init = 1;
    EXPECT_SUCCESS(s2n_mem_set_callbacks(mem_init, mem_cleanup, mem_malloc, mem_free));
    EXPECT_FAILURE_WITH_TYPE(s2n_init(), S2N_ERR_T_PROTO);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CANCELLED");
    EXPECT_EQUAL(init_calls, 1);
    s2n_fips_mode mode;
    EXPECT_FAILURE_WITH_TYPE(s2n_get_fips_mode(&mode), S2N_ERR_T_USAGE); /* not initialized */
    EXPECT_EQUAL(get(&mallocs), 0);
    fail_init = 0;
    EXPECT_SUCCESS(s2n_mem_set_callbacks(mem_init, mem_cleanup, mem_malloc, mem_free));

    rs2n_test_begin("test_mem_callbacks", 60); /* s2n_init */
    EXPECT_EQUAL(init_calls, 2);
    EXPECT_FAILURE_WITH_TYPE(s2n_mem_set_callbacks(mem_init, mem_cleanup, mem_malloc, mem_free),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INITIALIZED");

    /* Work: everything rs2n allocates for it comes from the callbacks. */
    long before = get(&mallocs);
    EXPECT_TRUE(handshake_and_data());
    long during = get(&mallocs) - before;
    printf("a handshake and a record: %ld blocks from the malloc callback, %ld freed, "
           "%ld outstanding\n", during, get(&frees), get(&outstanding));
    EXPECT_TRUE(during > 100);
    EXPECT_TRUE(get(&frees) > during / 2);
    EXPECT_EQUAL(get(&bad_frees), 0);

    /* Deinitialize: the cleanup callback runs once; then no more blocks from the
     * malloc callback, but blocks held are still freed through the free one. */
    EXPECT_SUCCESS(s2n_cleanup_final());
    EXPECT_EQUAL(cleanup_calls, 1);
    /* What stays is not rs2n's to release: a leak checker sees next to nothing
     * (process-lifetime tables come from the system allocator, and the caches of
     * client sessions and verifiers are emptied). */
    printf("outstanding after s2n_cleanup_final: %ld\n", get(&outstanding));
    EXPECT_TRUE(get(&outstanding) < 5);
    long after_cleanup = get(&mallocs);
    long frees_before = get(&frees);
    EXPECT_TRUE(handshake_and_data()); /* rs2n works without s2n_init, on system memory */
    EXPECT_EQUAL(get(&mallocs), after_cleanup);
    printf("after s2n_cleanup_final: %ld more frees through the callback, %ld outstanding\n",
           get(&frees) - frees_before, get(&outstanding));
    EXPECT_EQUAL(get(&bad_frees), 0);

    /* And again: s2n_init calls the init callback, blocks come from it again. */
    EXPECT_SUCCESS(s2n_init());
    EXPECT_EQUAL(init_calls, 3);
    EXPECT_TRUE(handshake_and_data());
    EXPECT_TRUE(get(&mallocs) > after_cleanup);
    EXPECT_SUCCESS(s2n_cleanup_final());
    EXPECT_EQUAL(cleanup_calls, 2);
    EXPECT_EQUAL(get(&bad_frees), 0);
    return rs2n_test_finish();
}
