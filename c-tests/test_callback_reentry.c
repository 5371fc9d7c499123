/*
 * What an application callback may do, as a careless or hostile application
 * would: from inside each kind of callback (the send and recv callbacks of
 * both sides, the session cache's store, retrieve and delete callbacks, the
 * client's session ticket callback, and the wall clock of both configs):
 *   - s2n_connection_free and s2n_connection_wipe on the connection the
 *     callback runs for are refused with S2N_ERR_CONNECTION_IN_USE, as is any
 *     other call on it (s2n_negotiate, s2n_connection_set_config); the outer
 *     call completes, and the connection is freed normally afterwards (under
 *     AddressSanitizer: no use after free);
 *   - the callback's configs can be changed (s2n_config_set_*, a new ticket key,
 *     the cache callbacks set again) and other connections used (a whole
 *     handshake on the same configs): no lock is held while a callback runs,
 *     so nothing hangs (the harness's alarm fails a hang);
 *   - a wall clock called by s2n_config_add_ticket_crypto_key that frees the
 *     config: the call completes safely.
 * The scenario is a TLS1.3 full handshake with the session cache on (its
 * ticket is a cache key: store), the client reading the ticket (ticket
 * callback), then a resumption from it (retrieve, delete).
 */
#include "testlib.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define POLICY "default_tls13"

enum where { IN_SEND, IN_RECV, IN_STORE, IN_RETRIEVE, IN_DELETE, IN_TICKET, IN_CLOCK, N_WHERE };
static const char *const where_name[N_WHERE] = { "send", "recv", "cache store", "cache retrieve",
                                                "cache delete", "session ticket", "wall clock" };

static struct rs2n_fake_clock fake_clock = { RS2N_TK_T0 };
static struct rs2n_test_cache cache;
static struct rs2n_tk_log ticket_log;
static struct s2n_config *server_config, *client_config;
/* > 0 while a callback misbehaves: the callbacks of what it does (a nested
 * handshake, a clock read by s2n_config_add_ticket_crypto_key) only do their job. */
static int depth;
static unsigned visits[N_WHERE];
static unsigned keys_added;

static int hostile_clock(void *ctx, uint64_t *nanoseconds);
static int hostile_store(struct s2n_connection *conn, void *ctx, uint64_t ttl, const void *key,
                         uint64_t key_size, const void *value, uint64_t value_size);
static int hostile_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                            uint64_t key_size, void *value, uint64_t *value_size);
static int hostile_delete(struct s2n_connection *conn, void *ctx, const void *key,
                          uint64_t key_size);

#define EXPECT_IN_USE(call)                                                       \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE"); \
    } while (0)

/* Calls on the connection a callback runs for: refused, free and wipe included. */
static void call_busy_connection(struct s2n_connection *busy, struct s2n_config *config)
{
    int marker;
    void *ctx = s2n_connection_get_ctx(busy);
    EXPECT_IN_USE(s2n_connection_free(busy));
    EXPECT_IN_USE(s2n_connection_wipe(busy));
    s2n_blocked_status blocked;
    EXPECT_IN_USE(s2n_negotiate(busy, &blocked));
    EXPECT_IN_USE(s2n_connection_set_config(busy, config));
    /* Documented as safe from the connection's own callbacks. */
    EXPECT_SUCCESS(s2n_connection_set_ctx(busy, &marker));
    EXPECT_TRUE(s2n_connection_get_ctx(busy) == &marker);
    EXPECT_SUCCESS(s2n_connection_set_ctx(busy, ctx));
}

/* Changes both configs the way an application might from any thread. */
static void change_configs(void)
{
    struct s2n_config *both[2] = { server_config, client_config };
    for (int i = 0; i < 2; i++) {
        EXPECT_SUCCESS(s2n_config_set_cipher_preferences(both[i], POLICY));
        EXPECT_SUCCESS(s2n_config_set_wall_clock(both[i], hostile_clock, &fake_clock));
        EXPECT_SUCCESS(s2n_config_set_session_state_lifetime(both[i], 15 * 3600));
        EXPECT_SUCCESS(s2n_config_set_ctx(both[i], &fake_clock));
    }
    EXPECT_SUCCESS(s2n_config_set_cache_store_callback(server_config, hostile_store, &cache.store_ctx));
    EXPECT_SUCCESS(s2n_config_set_cache_retrieve_callback(server_config, hostile_retrieve,
                                                          &cache.retrieve_ctx));
    EXPECT_SUCCESS(s2n_config_set_cache_delete_callback(server_config, hostile_delete, &cache.delete_ctx));
    EXPECT_SUCCESS(s2n_config_set_session_cache_onoff(server_config, 1));
    /* A new ticket key: its intro time is read from the (hostile) wall clock. */
    char name[16];
    snprintf(name, sizeof(name), "reentry-%u", ++keys_added);
    rs2n_add_ticket_key(server_config, name);
}

/* What a misbehaving callback does; `busy` is the connection it runs for (NULL
 * for a clock). Each kind misbehaves on its first two calls only. */
static void misbehave(enum where w, struct s2n_connection *busy)
{
    if (depth > 0 || visits[w] >= 2) {
        return;
    }
    depth++;
    visits[w]++;
    if (busy != NULL) {
        call_busy_connection(busy, server_config);
    }
    change_configs();
    /* Another connection on the same configs: a whole handshake. */
    struct rs2n_conn c;
    if (rs2n_connect(server_config, client_config, NULL, &c) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "a handshake from inside the %s callback failed",
                       where_name[w]);
        rs2n_print_pair_result("nested", &c.res);
    }
    depth--;
}

static int hostile_clock(void *ctx, uint64_t *nanoseconds)
{
    misbehave(IN_CLOCK, NULL);
    return rs2n_fake_clock_fn(ctx, nanoseconds);
}

static int hostile_store(struct s2n_connection *conn, void *ctx, uint64_t ttl, const void *key,
                         uint64_t key_size, const void *value, uint64_t value_size)
{
    misbehave(IN_STORE, conn);
    return rs2n_test_cache_store(conn, ctx, ttl, key, key_size, value, value_size);
}

static int hostile_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                            uint64_t key_size, void *value, uint64_t *value_size)
{
    misbehave(IN_RETRIEVE, conn);
    return rs2n_test_cache_retrieve(conn, ctx, key, key_size, value, value_size);
}

static int hostile_delete(struct s2n_connection *conn, void *ctx, const void *key,
                          uint64_t key_size)
{
    misbehave(IN_DELETE, conn);
    return rs2n_test_cache_delete(conn, ctx, key, key_size);
}

static int hostile_ticket(struct s2n_connection *conn, void *ctx, struct s2n_session_ticket *ticket)
{
    misbehave(IN_TICKET, conn);
    return rs2n_tk_ticket_cb(conn, ctx, ticket);
}

/* The I/O callbacks' context: the in-memory end, and the connection. */
struct io_ctx {
    struct rs2n_mem_end *end;
    struct s2n_connection *conn;
};

static int hostile_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct io_ctx *io = ctx;
    misbehave(IN_RECV, io->conn);
    return rs2n_mem_recv(io->end, buf, len);
}

static int hostile_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct io_ctx *io = ctx;
    misbehave(IN_SEND, io->conn);
    return rs2n_mem_send(io->end, buf, len);
}

static void set_hostile_io(struct s2n_connection *conn, struct io_ctx *io)
{
    REQUIRE_SUCCESS(s2n_connection_set_recv_cb(conn, hostile_recv));
    REQUIRE_SUCCESS(s2n_connection_set_send_cb(conn, hostile_send));
    REQUIRE_SUCCESS(s2n_connection_set_recv_ctx(conn, io));
    REQUIRE_SUCCESS(s2n_connection_set_send_ctx(conn, io));
}

/* One connection over hostile I/O, offering `offer` (len 0: nothing); the
 * client's session is saved into `save`. Returns 1 if the server resumed. */
static int hostile_connection(const char *what, const struct rs2n_session *offer,
                              struct rs2n_session *save)
{
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server_config, client_config, "localhost");
    struct io_ctx server_io = { &p.pipe.a, p.server }, client_io = { &p.pipe.b, p.client };
    set_hostile_io(p.server, &server_io);
    set_hostile_io(p.client, &client_io);
    EXPECT_SUCCESS(rs2n_offer_session(p.client, offer));
    struct rs2n_pair_result res;
    if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the handshake failed", what);
        rs2n_print_pair_result(what, &res);
    }
    EXPECT_SUCCESS(rs2n_read_tickets(p.client));
    EXPECT_SUCCESS(rs2n_save_session(p.client, save));
    int resumed = s2n_connection_is_session_resumed(p.server);
    EXPECT_EQUAL(s2n_connection_is_session_resumed(p.client), resumed);
    EXPECT_SUCCESS(rs2n_shutdown_pair(p.server, p.client));
    /* Refused inside the callbacks, freed now (rs2n_pair_close checks nothing). */
    EXPECT_SUCCESS(s2n_connection_free(p.server));
    EXPECT_SUCCESS(s2n_connection_free(p.client));
    p.server = p.client = NULL;
    rs2n_pair_close(&p);
    return resumed;
}

static void test_every_callback(void)
{
    rs2n_test_cache_init(&cache, &fake_clock);
    rs2n_tk_log_reset(&ticket_log);
    server_config = rs2n_resume_server_config(POLICY, &fake_clock, 0);
    client_config = rs2n_resume_client_config(POLICY, &fake_clock, 1, NULL);
    rs2n_add_ticket_key(server_config, "reentry-0");
    REQUIRE_SUCCESS(s2n_config_set_session_ticket_cb(client_config, hostile_ticket, &ticket_log));
    change_configs(); /* the hostile callbacks and clocks, and the cache on */

    struct rs2n_session first = { .len = 0 }, second = { .len = 0 };
    EXPECT_FALSE(hostile_connection("full handshake", &first, &first));
    EXPECT_TRUE(first.len > 0);
    EXPECT_TRUE(hostile_connection("resumed from the cache", &first, &second));
    for (int w = 0; w < N_WHERE; w++) {
        if (visits[w] == 0) {
            rs2n_test_fail(__FILE__, __LINE__, "the %s callback never ran", where_name[w]);
        }
        printf("  %-15s callback: misbehaved %u time(s)\n", where_name[w], visits[w]);
    }
    EXPECT_TRUE(ticket_log.count > 0);
    EXPECT_SUCCESS(s2n_config_free(server_config));
    EXPECT_SUCCESS(s2n_config_free(client_config));
    rs2n_test_cache_free(&cache);
}

/* A wall clock that frees the config it belongs to. */
struct freeing_clock {
    struct s2n_config *config;
    int freed;
};

static int freeing_clock_fn(void *ctx, uint64_t *nanoseconds)
{
    struct freeing_clock *f = ctx;
    if (!f->freed) {
        f->freed = 1;
        EXPECT_SUCCESS(s2n_config_free(f->config));
    }
    *nanoseconds = RS2N_TK_T0 * 1000000000ull;
    return 0;
}

static void test_clock_frees_its_config(void)
{
    struct freeing_clock f = { s2n_config_new_minimal(), 0 };
    REQUIRE_NOT_NULL(f.config);
    REQUIRE_SUCCESS(s2n_config_set_wall_clock(f.config, freeing_clock_fn, &f));
    uint8_t key[32] = { 1, 2, 3 };
    /* The config is gone when the clock returns; the call still completes. */
    EXPECT_SUCCESS(s2n_config_add_ticket_crypto_key(f.config, (const uint8_t *) "gone", 4, key,
                                                    sizeof(key), 0));
    EXPECT_TRUE(f.freed);
}

int main(void)
{
    rs2n_test_begin("test_callback_reentry", 30);
#ifdef __GLIBC__
    /* Freed memory is overwritten, so a use after free fails here too, not only
     * under AddressSanitizer (which does not instrument the Rust library). */
    mallopt(M_PERTURB, 0xa5);
#endif
    test_every_callback();
    test_clock_frees_its_config();
    return rs2n_test_finish();
}
