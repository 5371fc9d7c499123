/* testlib/cache.c: the in-memory test cache, its callbacks, and the cache
 * tests' configs and fixture: see cache.h. */
#include "cache.h"

void rs2n_test_cache_init(struct rs2n_test_cache *c, const struct rs2n_fake_clock *clock)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->clock = clock;
    c->store_ctx.cache = c;
    c->retrieve_ctx.cache = c;
    c->delete_ctx.cache = c;
}

static void cache_entry_free(struct rs2n_cache_entry *e)
{
    free(e->value);
    memset(e, 0, sizeof(*e));
}

void rs2n_test_cache_free(struct rs2n_test_cache *c)
{
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        cache_entry_free(&c->entries[i]);
    }
    pthread_mutex_destroy(&c->lock);
}

void rs2n_test_cache_clear_calls(struct rs2n_test_cache *c)
{
    pthread_mutex_lock(&c->lock);
    c->ncalls = 0;
    c->stores = c->retrieves = c->deletes = c->hits = 0;
    pthread_mutex_unlock(&c->lock);
}

static uint64_t cache_now(const struct rs2n_test_cache *c)
{
    return c->clock ? c->clock->seconds : 0;
}

/* The live entry for key, or NULL; drops expired entries. Lock held. */
static struct rs2n_cache_entry *cache_find(struct rs2n_test_cache *c, const void *key,
                                           size_t key_len)
{
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        struct rs2n_cache_entry *e = &c->entries[i];
        if (!e->used) {
            continue;
        }
        if (c->clock && !c->ignore_ttl && cache_now(c) >= e->expires) {
            cache_entry_free(e);
            continue;
        }
        if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Records a call; returns it (or NULL when the log is full). Lock held. */
static struct rs2n_cache_call *cache_record(struct rs2n_test_cache *c, enum rs2n_cache_op op,
                                            struct s2n_connection *conn, void *ctx,
                                            const void *key, uint64_t key_size)
{
    if (c->ncalls >= RS2N_CACHE_MAX_CALLS) {
        return NULL;
    }
    struct rs2n_cache_call *call = &c->calls[c->ncalls++];
    memset(call, 0, sizeof(*call));
    call->op = op;
    call->conn = conn;
    call->ctx = ctx;
    call->thread = pthread_self();
    call->conn_ctx = conn ? s2n_connection_get_ctx(conn) : NULL;
    call->key_len = key_size;
    if (key != NULL) {
        memcpy(call->key, key, key_size < RS2N_CACHE_MAX_KEY ? key_size : RS2N_CACHE_MAX_KEY);
    }
    return call;
}

int rs2n_test_cache_store(struct s2n_connection *conn, void *ctx, uint64_t ttl_in_seconds,
                          const void *key, uint64_t key_size, const void *value,
                          uint64_t value_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->stores++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_STORE, conn, ctx, key, key_size);
    int rc = 0;
    if (call) {
        call->ttl = ttl_in_seconds;
        call->size = value_size;
    }
    if (c->store_rc != 0) {
        rc = c->store_rc;
    } else if (key == NULL || value == NULL || key_size == 0 || key_size > RS2N_CACHE_MAX_KEY) {
        rc = -1;
    } else {
        struct rs2n_cache_entry *e = cache_find(c, key, key_size);
        if (e == NULL) {
            for (size_t i = 0; i < RS2N_CACHE_CAPACITY && e == NULL; i++) {
                if (!c->entries[i].used) {
                    e = &c->entries[i];
                }
            }
        }
        uint8_t *copy = malloc(value_size ? value_size : 1);
        if (e == NULL || copy == NULL) {
            free(copy);
            rc = -1;
        } else {
            free(e->value);
            memcpy(copy, value, value_size);
            e->used = 1;
            memcpy(e->key, key, key_size);
            e->key_len = key_size;
            e->value = copy;
            e->value_len = value_size;
            e->expires = cache_now(c) + ttl_in_seconds;
        }
    }
    if (call) {
        call->rc = rc;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int rs2n_test_cache_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->retrieves++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_RETRIEVE, conn, ctx, key, key_size);
    uint64_t cap = value_size ? *value_size : 0;
    if (call) {
        call->size = cap;
    }
    int rc = -1;
    if (c->block_retrieves > 0) {
        c->block_retrieves--;
        rc = S2N_CALLBACK_BLOCKED;
    } else if (value == NULL || value_size == NULL) {
        rc = -1;
    } else {
        struct rs2n_cache_entry *e = NULL;
        if (c->retrieve_mode == RS2N_RETRIEVE_OTHER_KEY) {
            e = cache_find(c, c->other_key, c->other_key_len);
        } else if (key != NULL && key_size <= RS2N_CACHE_MAX_KEY) {
            e = cache_find(c, key, key_size);
        }
        switch (c->retrieve_mode) {
        case RS2N_RETRIEVE_FAIL:
            rc = -1;
            break;
        case RS2N_RETRIEVE_GARBAGE: {
            size_t n = c->garbage_len < cap ? c->garbage_len : (size_t) cap;
            uint32_t x = 0x9e3779b9u;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                ((uint8_t *) value)[i] = (uint8_t) x;
            }
            *value_size = n;
            rc = 0;
            break;
        }
        case RS2N_RETRIEVE_NORMAL:
        case RS2N_RETRIEVE_OTHER_KEY:
        case RS2N_RETRIEVE_OVERSIZE:
        case RS2N_RETRIEVE_TAMPER:
        case RS2N_RETRIEVE_TRUNCATE:
            if (e == NULL || e->value_len > cap) {
                rc = -1;
                break;
            }
            memcpy(value, e->value, e->value_len);
            *value_size = e->value_len;
            if (c->retrieve_mode == RS2N_RETRIEVE_OVERSIZE) {
                *value_size = cap + c->oversize_by;
            } else if (c->retrieve_mode == RS2N_RETRIEVE_TAMPER && e->value_len > 0) {
                ((uint8_t *) value)[e->value_len / 2] ^= 0x01;
            } else if (c->retrieve_mode == RS2N_RETRIEVE_TRUNCATE &&
                       c->truncate_to < e->value_len) {
                *value_size = c->truncate_to;
            }
            if (c->take_long_keys && key_size > 32) {
                cache_entry_free(e);
            }
            rc = 0;
            break;
        }
    }
    if (rc == 0) {
        c->hits++;
    }
    if (call) {
        call->rc = rc;
        call->size_out = value_size ? *value_size : 0;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int rs2n_test_cache_delete(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size)
{
    struct rs2n_test_cache *c = ((struct rs2n_cache_handle *) ctx)->cache;
    pthread_mutex_lock(&c->lock);
    c->deletes++;
    struct rs2n_cache_call *call = cache_record(c, RS2N_CACHE_DELETE, conn, ctx, key, key_size);
    if (!c->ignore_deletes && key != NULL && key_size <= RS2N_CACHE_MAX_KEY) {
        struct rs2n_cache_entry *e = cache_find(c, key, key_size);
        if (e) {
            cache_entry_free(e);
        }
    }
    if (call) {
        call->rc = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int rs2n_test_cache_attach(struct s2n_config *config, struct rs2n_test_cache *c)
{
    if (s2n_config_set_cache_store_callback(config, rs2n_test_cache_store, &c->store_ctx) ||
        s2n_config_set_cache_retrieve_callback(config, rs2n_test_cache_retrieve,
                                               &c->retrieve_ctx) ||
        s2n_config_set_cache_delete_callback(config, rs2n_test_cache_delete, &c->delete_ctx) ||
        s2n_config_set_session_cache_onoff(config, 1)) {
        return -1;
    }
    return 0;
}

size_t rs2n_test_cache_count(const struct rs2n_test_cache *c, enum rs2n_cache_op op)
{
    size_t n = 0;
    for (size_t i = 0; i < c->ncalls; i++) {
        n += c->calls[i].op == op;
    }
    return n;
}

const struct rs2n_cache_call *rs2n_test_cache_last(const struct rs2n_test_cache *c,
                                                   enum rs2n_cache_op op, size_t n)
{
    for (size_t i = c->ncalls; i > 0; i--) {
        if (c->calls[i - 1].op == op) {
            if (n == 0) {
                return &c->calls[i - 1];
            }
            n--;
        }
    }
    return NULL;
}

int rs2n_test_cache_has(struct rs2n_test_cache *c, const void *key, size_t key_len)
{
    pthread_mutex_lock(&c->lock);
    int has = cache_find(c, key, key_len) != NULL;
    pthread_mutex_unlock(&c->lock);
    return has;
}

size_t rs2n_test_cache_size(struct rs2n_test_cache *c)
{
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < RS2N_CACHE_CAPACITY; i++) {
        struct rs2n_cache_entry *e = &c->entries[i];
        if (e->used && cache_find(c, e->key, e->key_len) == e) {
            n++;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

int rs2n_cache_call_key_is(const struct rs2n_cache_call *call, const void *key, size_t key_len)
{
    return call != NULL && call->key_len == key_len && key_len <= RS2N_CACHE_MAX_KEY &&
           memcmp(call->key, key, key_len) == 0;
}

struct s2n_config *rs2n_cache_server_config(const char *policy, struct rs2n_test_cache *cache,
                                            struct rs2n_fake_clock *clock)
{
    struct s2n_config *config = rs2n_resume_server_config(policy, clock, 0);
    if (rs2n_test_cache_attach(config, cache) != 0) {
        rs2n_die_s2n("rs2n_test_cache_attach");
    }
    rs2n_add_ticket_key(config, "cache-key-1");
    return config;
}

const struct rs2n_version_case rs2n_versions[2] = {
    { "TLS1.2", "20240501", 0 },
    { "TLS1.3", "default_tls13", 1 },
};

void rs2n_cache_fixture_open(const struct rs2n_version_case *v, int year,
                             struct rs2n_fake_clock *clock, struct rs2n_test_cache *cache,
                             struct s2n_config **server, struct s2n_config **client)
{
    clock->seconds = RS2N_YEAR_SECONDS(year);
    rs2n_test_cache_init(cache, clock);
    *server = rs2n_cache_server_config(v->policy, cache, clock);
    *client = rs2n_resume_client_config(v->policy, clock, v->tls13, NULL);
}

void rs2n_cache_fixture_close(struct rs2n_test_cache *cache, struct s2n_config *server,
                              struct s2n_config *client)
{
    s2n_config_free(client);
    s2n_config_free(server);
    rs2n_test_cache_free(cache);
}
