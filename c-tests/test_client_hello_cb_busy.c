/*
 * The client hello callback ends while another thread is in a call on its
 * connection (an application thread reading the connection, here with
 * s2n_get_server_name, while the handshake runs):
 *   - blocking mode: the callback's return is not lost. s2n_negotiate fails
 *     with S2N_ERR_CONNECTION_IN_USE (not blocked) while the other call runs,
 *     then goes on and completes the handshake without running the callback
 *     again (rs2n used to refuse every later s2n_negotiate as in use);
 *   - non-blocking mode: s2n_client_hello_cb_done from the callback succeeds
 *     while the other call runs (it used to fail as in use), and the handshake
 *     completes with no other call to it.
 * To keep the other call inside the connection until released, the memory
 * callbacks (s2n_mem_set_callbacks, set before s2n_init) hold that thread's
 * next allocation once it is armed: s2n_get_server_name makes the copy it
 * hands out while it has the connection. The callback checks that the
 * connection is busy (another getter fails as in use) before it returns.
 */
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
/* Under lock: set by the other thread just before its call, its next
 * allocation waits (armed, holder); the other thread waits inside its call; it
 * may go on; it is back. */
static int armed;
static pthread_t holder;
static int holding, released, finished;

static int mem_init(void)
{
    return S2N_SUCCESS;
}

static int mem_cleanup(void)
{
    return S2N_SUCCESS;
}

static int mem_malloc(void **ptr, uint32_t requested, uint32_t *allocated)
{
    pthread_mutex_lock(&lock);
    if (armed && pthread_equal(holder, pthread_self())) {
        armed = 0;
        holding = 1;
        pthread_cond_broadcast(&cond);
        while (!released) {
            pthread_cond_wait(&cond, &lock);
        }
    }
    pthread_mutex_unlock(&lock);
    *ptr = malloc(requested ? requested : 1);
    *allocated = requested;
    return *ptr ? S2N_SUCCESS : S2N_FAILURE;
}

static int mem_free(void *ptr, uint32_t size)
{
    (void) size;
    free(ptr);
    return S2N_SUCCESS;
}

static struct {
    int done_inside;
    unsigned calls;
    pthread_t other;
    int other_started;
    int done_rc;
    const char *other_name; /* what the other thread's s2n_get_server_name returned */
} cb;

static void *get_name_elsewhere(void *arg)
{
    struct s2n_connection *conn = arg;
    pthread_mutex_lock(&lock);
    holder = pthread_self();
    armed = 1;
    pthread_mutex_unlock(&lock);
    const char *name = s2n_get_server_name(conn);
    pthread_mutex_lock(&lock);
    armed = 0;
    cb.other_name = name;
    finished = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    (void) ctx;
    cb.calls++;
    if (pthread_create(&cb.other, NULL, get_name_elsewhere, conn) != 0) {
        return -1;
    }
    cb.other_started = 1;
    pthread_mutex_lock(&lock);
    while (!holding && !finished) {
        pthread_cond_wait(&cond, &lock);
    }
    int held = holding;
    pthread_mutex_unlock(&lock);
    /* The other thread is inside its call: the connection is busy. */
    EXPECT_TRUE(held);
    EXPECT_FAILURE_WITH_TYPE(s2n_connection_get_client_hello_version(conn), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE");
    if (cb.done_inside) {
        cb.done_rc = s2n_client_hello_cb_done(conn);
    }
    return 0;
}

static void release_other(void)
{
    pthread_mutex_lock(&lock);
    released = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    if (cb.other_started) {
        pthread_join(cb.other, NULL);
    }
}

static void busy_as_it_ends(struct s2n_config *server, struct s2n_config *client, int nonblocking)
{
    EXPECT_SUCCESS(s2n_config_set_client_hello_cb_mode(
        server, nonblocking ? S2N_CLIENT_HELLO_CB_NONBLOCKING : S2N_CLIENT_HELLO_CB_BLOCKING));
    memset(&cb, 0, sizeof(cb));
    cb.done_inside = nonblocking;
    cb.done_rc = -2;
    pthread_mutex_lock(&lock);
    holding = released = finished = 0;
    pthread_mutex_unlock(&lock);

    struct rs2n_pair p;
    struct rs2n_pair_result res;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    /* The callback runs and returns; the other call still has the connection. */
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE");
    EXPECT_EQUAL(blocked, S2N_NOT_BLOCKED);
    EXPECT_EQUAL(cb.calls, 1);
    release_other();
    EXPECT_NOT_NULL(cb.other_name);
    if (cb.other_name) {
        EXPECT_STRING_EQUAL(cb.other_name, "localhost");
    }
    if (nonblocking) {
        EXPECT_EQUAL(cb.done_rc, S2N_SUCCESS);
    }
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_print_pair_result(nonblocking ? "non-blocking" : "blocking", &res);
        rs2n_test_fail(__FILE__, __LINE__, "the handshake did not complete after the other call");
    }
    EXPECT_EQUAL(cb.calls, 1);
    rs2n_pair_close(&p);
}

int main(void)
{
    REQUIRE_SUCCESS(s2n_mem_set_callbacks(mem_init, mem_cleanup, mem_malloc, mem_free));
    rs2n_test_begin("client_hello_cb_busy", 60); /* s2n_init */
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(server, hello_cb, NULL));

    busy_as_it_ends(server, client, 0);
    busy_as_it_ends(server, client, 1);

    s2n_config_free(server);
    s2n_config_free(client);
    return rs2n_test_finish();
}
