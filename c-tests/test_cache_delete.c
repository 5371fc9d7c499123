/*
 * When the server deletes a session from the cache, TLS1.2 ("20240501") and
 * TLS1.3 ("default_tls13"):
 *   - the client closes its socket without s2n_shutdown after a full
 *     handshake: the server's s2n_recv returns 0 and the delete callback gets
 *     the session's key (the store callback's key, the server's session ID)
 *     and the server connection, once; the session no longer resumes;
 *   - the same after a resumed handshake (TLS1.3: the used entry was deleted
 *     when used, and now the fresh ticket's entry is);
 *   - a graceful shutdown on both sides deletes nothing and the session
 *     resumes (TLS1.3 deletes only the used entry);
 *   - a handshake that fails after a cache hit (the client drops its socket,
 *     or sends garbage, after the server's flight) deletes the hit's key;
 *   - a connection whose s2n_recv fails (garbage after the handshake) deletes
 *     its session.
 */
#include "testlib.h"

#include <sys/socket.h>
#include <unistd.h>

struct key_copy {
    uint8_t bytes[RS2N_CACHE_MAX_KEY];
    size_t len;
};

struct env {
    const struct rs2n_version_case *v;
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
};

static void env_init(struct env *e, const struct rs2n_version_case *v)
{
    memset(e, 0, sizeof(*e));
    e->v = v;
    rs2n_cache_fixture_open(v, 2050, &e->clock, &e->cache, &e->server, &e->client);
}

static void env_free(struct env *e)
{
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

static int key_equal(const struct key_copy *a, const struct key_copy *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void last_key(struct env *e, enum rs2n_cache_op op, struct key_copy *k)
{
    const struct rs2n_cache_call *call = rs2n_test_cache_last(&e->cache, op, 0);
    memset(k, 0, sizeof(*k));
    REQUIRE(call != NULL && call->key_len <= RS2N_CACHE_MAX_KEY);
    memcpy(k->bytes, call->key, call->key_len);
    k->len = call->key_len;
}

/* One connection; fails the test if the handshake or the close went wrong. */
static void connect_ok(struct env *e, const char *what, const struct rs2n_session *offer,
                       struct rs2n_session *save, enum rs2n_close_how how,
                       struct rs2n_conn *c)
{
    fprintf(stderr, "   %s: %s\n", e->v->name, what);
    int rc = rs2n_connect(e->server, e->client, RS2N_CACHE_OPTS(offer, how), c);
    if (save) {
        *save = c->session;
    }
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %s: the handshake failed", e->v->name, what);
        rs2n_print_pair_result(what, &c->res);
    }
    EXPECT_TRUE(c->after_ok);
}

static void test_abrupt_after_full(const struct rs2n_version_case *v)
{
    struct env e;
    env_init(&e, v);
    struct rs2n_session s;
    struct rs2n_conn c;
    struct key_copy stored, deleted;

    connect_ok(&e, "full handshake, then the client closes abruptly", NULL, &s,
               RS2N_CLOSE_ABRUPT, &c);
    EXPECT_EQUAL(e.cache.stores, 1);
    last_key(&e, RS2N_CACHE_STORE, &stored);
    EXPECT_EQUAL(e.cache.deletes, 1);
    last_key(&e, RS2N_CACHE_DELETE, &deleted);
    EXPECT_TRUE(key_equal(&stored, &deleted));
    EXPECT_TRUE(c.session_id_len == (int) stored.len &&
                memcmp(c.session_id, stored.bytes, stored.len) == 0);
    const struct rs2n_cache_call *del = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 0);
    EXPECT_TRUE(del != NULL && del->conn == c.server);
    EXPECT_FALSE(rs2n_test_cache_has(&e.cache, stored.bytes, stored.len));

    /* The session no longer resumes. */
    rs2n_test_cache_clear_calls(&e.cache);
    connect_ok(&e, "the abruptly closed session offered", &s, NULL, RS2N_CLOSE_GRACEFUL, &c);
    EXPECT_FALSE(c.server_resumed);
    EXPECT_FALSE(c.client_resumed);
    EXPECT_EQUAL(e.cache.hits, 0);
    env_free(&e);
}

static void test_abrupt_after_resumed(const struct rs2n_version_case *v)
{
    struct env e;
    env_init(&e, v);
    struct rs2n_session s1, s2;
    struct rs2n_conn c;
    struct key_copy k1, k2, deleted;

    connect_ok(&e, "full handshake", NULL, &s1, RS2N_CLOSE_GRACEFUL, &c);
    last_key(&e, RS2N_CACHE_STORE, &k1);
    EXPECT_EQUAL(e.cache.deletes, 0);

    rs2n_test_cache_clear_calls(&e.cache);
    connect_ok(&e, "resumed, then the client closes abruptly", &s1, &s2, RS2N_CLOSE_ABRUPT, &c);
    EXPECT_TRUE(c.server_resumed);
    if (!v->tls13) {
        EXPECT_EQUAL(e.cache.deletes, 1);
        last_key(&e, RS2N_CACHE_DELETE, &deleted);
        EXPECT_TRUE(key_equal(&deleted, &k1));
        EXPECT_FALSE(rs2n_test_cache_has(&e.cache, k1.bytes, k1.len));
        rs2n_test_cache_clear_calls(&e.cache);
        connect_ok(&e, "the abruptly closed session offered", &s1, NULL, RS2N_CLOSE_GRACEFUL,
                   &c);
        EXPECT_FALSE(c.server_resumed);
        EXPECT_FALSE(c.client_resumed);
    } else {
        /* The used entry when used, then the fresh ticket's at the abrupt close. */
        EXPECT_EQUAL(e.cache.deletes, 2);
        EXPECT_EQUAL(e.cache.stores, 1);
        last_key(&e, RS2N_CACHE_STORE, &k2);
        const struct rs2n_cache_call *first = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 1);
        const struct rs2n_cache_call *second = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 0);
        EXPECT_TRUE(rs2n_cache_call_key_is(first, k1.bytes, k1.len));
        EXPECT_TRUE(rs2n_cache_call_key_is(second, k2.bytes, k2.len));
        EXPECT_EQUAL(rs2n_test_cache_size(&e.cache), 0);
        rs2n_test_cache_clear_calls(&e.cache);
        connect_ok(&e, "the abruptly closed session's ticket offered", &s2, NULL,
                   RS2N_CLOSE_GRACEFUL, &c);
        EXPECT_FALSE(c.server_resumed);
        EXPECT_FALSE(c.client_resumed);
    }
    env_free(&e);
}

static void test_graceful(const struct rs2n_version_case *v)
{
    struct env e;
    env_init(&e, v);
    struct rs2n_session s1, s2;
    struct rs2n_conn c;
    struct key_copy k1;

    connect_ok(&e, "full handshake, graceful shutdown", NULL, &s1, RS2N_CLOSE_GRACEFUL, &c);
    last_key(&e, RS2N_CACHE_STORE, &k1);
    EXPECT_EQUAL(e.cache.deletes, 0);
    EXPECT_TRUE(rs2n_test_cache_has(&e.cache, k1.bytes, k1.len));

    rs2n_test_cache_clear_calls(&e.cache);
    connect_ok(&e, "resumed, graceful shutdown", &s1, &s2, RS2N_CLOSE_GRACEFUL, &c);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);
    /* TLS1.3 deletes the entry it used, and nothing else. */
    EXPECT_EQUAL(e.cache.deletes, v->tls13 ? 1 : 0);
    if (v->tls13) {
        const struct rs2n_cache_call *del = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 0);
        EXPECT_TRUE(rs2n_cache_call_key_is(del, k1.bytes, k1.len));
    }

    /* And resumes again (TLS1.3: from the fresh ticket). */
    rs2n_test_cache_clear_calls(&e.cache);
    connect_ok(&e, "resumed again", v->tls13 ? &s2 : &s1, NULL, RS2N_CLOSE_GRACEFUL, &c);
    EXPECT_TRUE(c.server_resumed);
    EXPECT_TRUE(c.client_resumed);
    EXPECT_EQUAL(e.cache.deletes, v->tls13 ? 1 : 0);
    env_free(&e);
}

/* s2n_negotiate once; returns its rc and leaves the error in *type. */
static int negotiate_once(struct s2n_connection *conn, int *type, s2n_blocked_status *blocked)
{
    *blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(conn, blocked);
    *type = rc == 0 ? S2N_ERR_T_OK : s2n_error_get_type(s2n_errno);
    return rc;
}

enum drop_how { DROP_SOCKET, SEND_GARBAGE };

static void test_failed_after_hit(const struct rs2n_version_case *v, enum drop_how how)
{
    const char *what = how == DROP_SOCKET ? "the client drops its socket after a cache hit"
                                          : "the client sends garbage after a cache hit";
    fprintf(stderr, "   %s: %s\n", v->name, what);
    struct env e;
    env_init(&e, v);
    struct rs2n_session s;
    struct rs2n_conn c;
    struct key_copy k;
    connect_ok(&e, "full handshake", NULL, &s, RS2N_CLOSE_GRACEFUL, &c);
    last_key(&e, RS2N_CACHE_STORE, &k);
    REQUIRE(s.len > 0);

    rs2n_test_cache_clear_calls(&e.cache);
    struct rs2n_pair p;
    rs2n_pair_open(&p, e.server, e.client, "localhost", 1);
    EXPECT_EQUAL(rs2n_offer_session(p.client, &s), 0);
    int type;
    s2n_blocked_status blocked;
    /* ClientHello out; the server reads it, finds the session, answers. */
    EXPECT_EQUAL(negotiate_once(p.client, &type, &blocked), -1);
    EXPECT_EQUAL(type, S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(negotiate_once(p.server, &type, &blocked), -1);
    EXPECT_EQUAL(type, S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_READ);
    EXPECT_EQUAL(e.cache.retrieves, 1);
    EXPECT_EQUAL(e.cache.hits, 1);

    if (how == DROP_SOCKET) {
        rs2n_close(&p.client_fd);
    } else {
        /* An application data record where the client's Finished belongs. */
        static const uint8_t junk[] = { 0x17, 0x03, 0x03, 0x00, 0x08, 'g', 'a', 'r',
                                        'b', 'a', 'g', 'e', '!' };
        EXPECT_EQUAL(rs2n_write_all(p.client_fd, junk, sizeof(junk)), 0);
    }
    int rc = -1;
    for (int i = 0; i < 10; i++) {
        rc = negotiate_once(p.server, &type, &blocked);
        if (!(rc == -1 && type == S2N_ERR_T_BLOCKED)) {
            break;
        }
    }
    EXPECT_EQUAL(rc, -1);
    EXPECT_NOT_EQUAL(type, S2N_ERR_T_BLOCKED);
    EXPECT_NOT_EQUAL(type, S2N_ERR_T_OK);
    /* The hit's key was deleted (TLS1.3 already did when it used the entry),
     * once. */
    EXPECT_EQUAL(e.cache.deletes, 1);
    const struct rs2n_cache_call *del = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(del, k.bytes, k.len));
    EXPECT_TRUE(del != NULL && del->conn == p.server);
    EXPECT_FALSE(rs2n_test_cache_has(&e.cache, k.bytes, k.len));
    rs2n_pair_close(&p);
    EXPECT_EQUAL(e.cache.deletes, 1);
    env_free(&e);
}

static void test_recv_fails(const struct rs2n_version_case *v)
{
    fprintf(stderr, "   %s: s2n_recv fails after the handshake\n", v->name);
    struct env e;
    env_init(&e, v);
    struct rs2n_pair p;
    rs2n_pair_open(&p, e.server, e.client, "localhost", 1);
    struct rs2n_pair_result res;
    REQUIRE(rs2n_negotiate_pair(p.server, p.client, &res) == 0);
    if (v->tls13) {
        rs2n_read_tickets(p.client);
    }
    EXPECT_EQUAL(e.cache.stores, 1);
    struct key_copy k;
    last_key(&e, RS2N_CACHE_STORE, &k);
    EXPECT_EQUAL(e.cache.deletes, 0);

    static const uint8_t junk[] = { 0x17, 0x03, 0x03, 0x00, 0x08, 'g', 'a', 'r',
                                    'b', 'a', 'g', 'e', '!' };
    EXPECT_EQUAL(rs2n_write_all(p.client_fd, junk, sizeof(junk)), 0);
    uint8_t buf[64];
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_recv(p.server, buf, sizeof(buf), &blocked), S2N_ERR_T_PROTO);
    EXPECT_EQUAL(e.cache.deletes, 1);
    const struct rs2n_cache_call *del = rs2n_test_cache_last(&e.cache, RS2N_CACHE_DELETE, 0);
    EXPECT_TRUE(rs2n_cache_call_key_is(del, k.bytes, k.len));
    EXPECT_FALSE(rs2n_test_cache_has(&e.cache, k.bytes, k.len));
    rs2n_pair_close(&p);
    EXPECT_EQUAL(e.cache.deletes, 1);
    env_free(&e);
}

int main(void)
{
    rs2n_test_begin("test_cache_delete", 120);
    for (size_t i = 0; i < sizeof(rs2n_versions) / sizeof(rs2n_versions[0]); i++) {
        const struct rs2n_version_case *v = &rs2n_versions[i];
        fprintf(stderr, "-- %s\n", v->name);
        test_abrupt_after_full(v);
        test_abrupt_after_resumed(v);
        test_graceful(v);
        test_failed_after_hit(v, DROP_SOCKET);
        test_failed_after_hit(v, SEND_GARBAGE);
        test_recv_fails(v);
    }
    return rs2n_test_finish();
}
