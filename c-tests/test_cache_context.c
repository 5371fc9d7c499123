/*
 * What the cache callbacks are given, and where they run, TLS1.2 ("20240501")
 * and TLS1.3 ("default_tls13"):
 *   - `ctx` is the pointer given when that callback was set (three different
 *     pointers for store, retrieve and delete);
 *   - `conn` is the server connection being served, and the pointer the
 *     application set on it with s2n_connection_set_ctx can be read from the
 *     callback with s2n_connection_get_ctx;
 *   - they run on the thread that drives the connection: a server connection
 *     in a second thread (blocking socket) stores from that thread; another
 *     one, in another thread, retrieves (and deletes, after an abrupt close)
 *     from it; a connection driven by the main thread calls back on the main
 *     thread; and a connection whose retrieve blocked on the main thread and
 *     is then driven by a second thread retrieves again from that thread.
 */
#include "testlib.h"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

struct env {
    const struct rs2n_version_case *v;
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

/* Checks every recorded call: its ctx is its own callback's, its conn is
 * `conn` (whose s2n_connection_get_ctx gave `conn_ctx` in the callback), and
 * it ran on `thread`. Returns the number of calls checked. */
static size_t check_calls(struct env *e, const char *what, struct s2n_connection *conn,
                          void *conn_ctx, pthread_t thread)
{
    struct rs2n_test_cache *c = &e->cache;
    for (size_t i = 0; i < c->ncalls; i++) {
        const struct rs2n_cache_call *call = &c->calls[i];
        void *expected_ctx = call->op == RS2N_CACHE_STORE      ? (void *) &c->store_ctx
                             : call->op == RS2N_CACHE_RETRIEVE ? (void *) &c->retrieve_ctx
                                                               : (void *) &c->delete_ctx;
        const char *op = call->op == RS2N_CACHE_STORE      ? "store"
                         : call->op == RS2N_CACHE_RETRIEVE ? "retrieve"
                                                           : "delete";
        if (call->ctx != expected_ctx) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: %s: %s got ctx %p, expected %p", e->v->name,
                           what, op, call->ctx, expected_ctx);
        }
        if (call->conn != conn) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: %s: %s got conn %p, expected %p",
                           e->v->name, what, op, (void *) call->conn, (void *) conn);
        }
        /* The application's per-connection pointer is readable from there. */
        if (call->conn_ctx != conn_ctx) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "%s: %s: s2n_connection_get_ctx(conn) in %s gave %p, expected %p",
                           e->v->name, what, op, call->conn_ctx, conn_ctx);
        }
        if (!pthread_equal(call->thread, thread)) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "%s: %s: %s ran on another thread than the one driving the "
                           "connection",
                           e->v->name, what, op);
        }
    }
    return c->ncalls;
}

/* ------------------------------------------------------------------------- */
/* A server connection in its own thread, over a blocking socket.            */
/* ------------------------------------------------------------------------- */

enum server_end { END_GRACEFUL, END_WAIT_EOF };

struct server_job {
    struct s2n_connection *conn;
    enum server_end end;
    pthread_t self;
    int negotiate_rc, end_rc;
    char error[256];
};

static void job_error(struct server_job *job, const char *what)
{
    snprintf(job->error, sizeof(job->error), "%s: %s (%s)", what,
             s2n_strerror_name(s2n_errno), s2n_strerror(s2n_errno, "EN"));
}

static void *server_main(void *arg)
{
    struct server_job *job = arg;
    job->self = pthread_self();
    s2n_blocked_status blocked;
    job->negotiate_rc = -1;
    job->end_rc = -1;
    for (int i = 0; i < 100; i++) {
        s2n_errno = S2N_ERR_T_OK;
        if (s2n_negotiate(job->conn, &blocked) == 0) {
            job->negotiate_rc = 0;
            break;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            job_error(job, "server s2n_negotiate");
            return NULL;
        }
    }
    if (job->negotiate_rc != 0) {
        return NULL;
    }
    if (job->end == END_GRACEFUL) {
        for (int i = 0; i < 100; i++) {
            s2n_errno = S2N_ERR_T_OK;
            if (s2n_shutdown(job->conn, &blocked) == 0) {
                job->end_rc = 0;
                break;
            }
            if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                job_error(job, "server s2n_shutdown");
                break;
            }
        }
    } else {
        uint8_t buf[64];
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(job->conn, buf, sizeof(buf), &blocked);
        /* No close_notify: S2N_ERR_T_CLOSED, as s2n (the data may be truncated). */
        if (n == -1 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_CLOSED) {
            job->end_rc = 0;
        } else {
            job_error(job, "server s2n_recv did not fail with S2N_ERR_T_CLOSED");
        }
    }
    return NULL;
}

static void wait_fd(int fd, short events)
{
    struct pollfd pfd = { fd, events, 0 };
    poll(&pfd, 1, 2000);
}

/* The client side, non-blocking, in the calling thread. */
static int client_negotiate(struct s2n_connection *client, int fd)
{
    for (int i = 0; i < 1000; i++) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        if (s2n_negotiate(client, &blocked) == 0) {
            return 0;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_print_s2n_error("client s2n_negotiate");
            return -1;
        }
        wait_fd(fd, blocked == S2N_BLOCKED_ON_WRITE ? POLLOUT : POLLIN);
    }
    return -1;
}

/* Reads until the client has a session to save (a TLS1.3 ticket comes after
 * the handshake). */
static void client_wait_session(struct s2n_connection *client, int fd,
                                struct rs2n_session *save)
{
    for (int i = 0; i < 50 && s2n_connection_get_session_length(client) == 0; i++) {
        wait_fd(fd, POLLIN);
        uint8_t buf[64];
        s2n_blocked_status blocked;
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(client, buf, sizeof(buf), &blocked);
        if (n >= 0 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            break;
        }
    }
    EXPECT_EQUAL(rs2n_save_session(client, save), 0);
}

static int client_shutdown(struct s2n_connection *client, int fd)
{
    for (int i = 0; i < 1000; i++) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        if (s2n_shutdown(client, &blocked) == 0) {
            return 0;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_print_s2n_error("client s2n_shutdown");
            return -1;
        }
        wait_fd(fd, blocked == S2N_BLOCKED_ON_WRITE ? POLLOUT : POLLIN);
    }
    return -1;
}

/* One connection with the server in a new thread. Checks the callbacks made
 * during it; returns the number of calls made. */
static size_t threaded_connection(struct env *e, const char *what,
                                  const struct rs2n_session *offer,
                                  struct rs2n_session *save, enum server_end end,
                                  int *resumed)
{
    fprintf(stderr, "   %s: %s\n", e->v->name, what);
    rs2n_test_cache_clear_calls(&e->cache);
    struct rs2n_pair p;
    rs2n_pair_open(&p, e->server, e->client, "localhost", 0);
    REQUIRE(rs2n_set_nonblocking(p.client_fd) == 0);
    EXPECT_EQUAL(rs2n_offer_session(p.client, offer), 0);

    struct server_job job;
    memset(&job, 0, sizeof(job));
    job.conn = p.server;
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &job));
    job.end = end;
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, server_main, &job) == 0);

    int rc = client_negotiate(p.client, p.client_fd);
    EXPECT_EQUAL(rc, 0);
    if (rc == 0) {
        *resumed = s2n_connection_is_session_resumed(p.client);
        client_wait_session(p.client, p.client_fd, save);
        if (end == END_GRACEFUL) {
            EXPECT_EQUAL(client_shutdown(p.client, p.client_fd), 0);
        } else {
            rs2n_close(&p.client_fd);
        }
    } else {
        rs2n_close(&p.client_fd);
    }
    pthread_join(thread, NULL);
    if (job.negotiate_rc != 0 || job.end_rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: server thread: %s", e->v->name, what,
                       job.error);
    }
    EXPECT_FALSE(pthread_equal(job.self, pthread_self()));
    EXPECT_EQUAL(*resumed, s2n_connection_is_session_resumed(p.server));
    size_t n = check_calls(e, what, p.server, &job, job.self);
    rs2n_pair_close(&p);
    return n;
}

/* A connection whose retrieve blocks on the main thread and goes on in a
 * second thread. */
struct negotiate_once_job {
    struct s2n_connection *conn;
    pthread_t self;
    int rc, type;
    s2n_blocked_status blocked;
};

static void *negotiate_once_main(void *arg)
{
    struct negotiate_once_job *job = arg;
    job->self = pthread_self();
    s2n_errno = S2N_ERR_T_OK;
    job->rc = s2n_negotiate(job->conn, &job->blocked);
    job->type = job->rc == 0 ? S2N_ERR_T_OK : s2n_error_get_type(s2n_errno);
    return NULL;
}

static void test_moved_between_threads(struct env *e, const struct rs2n_session *offer)
{
    fprintf(stderr, "   %s: retrieve blocked on the main thread, continued in another\n",
            e->v->name);
    rs2n_test_cache_clear_calls(&e->cache);
    struct rs2n_pair p;
    rs2n_pair_open(&p, e->server, e->client, "localhost", 1);
    EXPECT_EQUAL(rs2n_offer_session(p.client, offer), 0);
    EXPECT_SUCCESS(s2n_connection_set_ctx(p.server, &p));
    s2n_blocked_status blocked;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    e->cache.block_retrieves = 1;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
    EXPECT_EQUAL(e->cache.retrieves, 1);

    struct negotiate_once_job job;
    memset(&job, 0, sizeof(job));
    job.conn = p.server;
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, negotiate_once_main, &job) == 0);
    pthread_join(thread, NULL);
    /* The server answered and now waits for the client. */
    EXPECT_EQUAL(job.rc, -1);
    EXPECT_EQUAL(job.type, S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(job.blocked, S2N_BLOCKED_ON_READ);
    EXPECT_EQUAL(e->cache.retrieves, 2);
    const struct rs2n_cache_call *first = rs2n_test_cache_last(&e->cache, RS2N_CACHE_RETRIEVE, 1);
    const struct rs2n_cache_call *second = rs2n_test_cache_last(&e->cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(first != NULL && pthread_equal(first->thread, pthread_self()));
    EXPECT_TRUE(second != NULL && pthread_equal(second->thread, job.self));
    EXPECT_TRUE(second != NULL && second->rc == 0);
    EXPECT_TRUE(first != NULL && first->conn == p.server && first->ctx == &e->cache.retrieve_ctx);
    EXPECT_TRUE(second != NULL && second->conn == p.server &&
                second->ctx == &e->cache.retrieve_ctx);
    EXPECT_TRUE(first != NULL && first->conn_ctx == (void *) &p);
    EXPECT_TRUE(second != NULL && second->conn_ctx == (void *) &p);

    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    if (rc != 0) {
        rs2n_print_pair_result("after the move", &res);
    }
    EXPECT_EQUAL(rc, 0);
    EXPECT_TRUE(s2n_connection_is_session_resumed(p.server));
    rs2n_pair_close(&p);
}

static void test_context(const struct rs2n_version_case *v)
{
    struct env e;
    memset(&e, 0, sizeof(e));
    e.v = v;
    e.clock.seconds = RS2N_YEAR_SECONDS(2060);
    rs2n_test_cache_init(&e.cache, &e.clock);
    e.server = rs2n_cache_server_config(v->policy, &e.cache, &e.clock);
    e.client = rs2n_resume_client_config(v->policy, &e.clock, v->tls13, NULL);
    /* Three different context pointers. */
    REQUIRE((void *) &e.cache.store_ctx != (void *) &e.cache.retrieve_ctx);
    REQUIRE((void *) &e.cache.retrieve_ctx != (void *) &e.cache.delete_ctx);
    REQUIRE((void *) &e.cache.store_ctx != (void *) &e.cache.delete_ctx);

    /* Thread 1: a full handshake stores. */
    struct rs2n_session s1, s2, s3, s4;
    int resumed = -1;
    threaded_connection(&e, "full handshake in a server thread", NULL, &s1, END_GRACEFUL,
                        &resumed);
    EXPECT_FALSE(resumed);
    EXPECT_EQUAL(e.cache.stores, 1);
    EXPECT_TRUE(s1.len > 0);

    /* Thread 2: resumed; then the client closes abruptly: retrieve, delete
     * (TLS1.3: also the store of the fresh ticket and the delete of the used
     * entry), all from that thread. */
    threaded_connection(&e, "resumed in another server thread, abrupt close", &s1, &s2,
                        END_WAIT_EOF, &resumed);
    EXPECT_TRUE(resumed);
    EXPECT_EQUAL(e.cache.retrieves, 1);
    EXPECT_EQUAL(e.cache.deletes, v->tls13 ? 2 : 1);
    EXPECT_EQUAL(e.cache.stores, v->tls13 ? 1 : 0);

    /* The main thread: a full handshake, then one resumed from it. */
    fprintf(stderr, "   %s: in the main thread\n", v->name);
    struct rs2n_conn c;
    rs2n_test_cache_clear_calls(&e.cache);
    EXPECT_EQUAL(rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c), 0);
    s3 = c.session;
    EXPECT_EQUAL(check_calls(&e, "full handshake in the main thread", c.server, NULL,
                             pthread_self()),
                 1);
    rs2n_test_cache_clear_calls(&e.cache);
    EXPECT_EQUAL(rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(&s3, RS2N_CLOSE_ABRUPT), &c), 0);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(check_calls(&e, "resumed in the main thread", c.server, NULL, pthread_self()) >= 2);

    /* Blocked on the main thread, answered in another. */
    EXPECT_EQUAL(rs2n_connect(e.server, e.client, RS2N_CACHE_OPTS(NULL, RS2N_CLOSE_GRACEFUL), &c), 0);
    s4 = c.session;
    test_moved_between_threads(&e, &s4);

    s2n_config_free(e.client);
    s2n_config_free(e.server);
    rs2n_test_cache_free(&e.cache);
}

int main(void)
{
    rs2n_test_begin("test_cache_context", 120);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        fprintf(stderr, "-- %s\n", rs2n_versions[i].name);
        test_context(&rs2n_versions[i]);
    }
    return rs2n_test_finish();
}
