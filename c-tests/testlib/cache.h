/*
 * testlib/cache.h: the session cache tests' fixture (test_cache_*.c): an
 * in-memory session cache on the fake clock whose callbacks record their calls
 * and can misbehave, a server config that uses it, and the protocol versions
 * the tests run under.
 */
#ifndef RS2N_TESTLIB_CACHE_H
#define RS2N_TESTLIB_CACHE_H

#include <pthread.h>

#include "harness.h"
#include "tickets.h"

#define RS2N_CACHE_CAPACITY 64
#define RS2N_CACHE_MAX_KEY 256
#define RS2N_CACHE_MAX_CALLS 512

enum rs2n_cache_op {
    RS2N_CACHE_STORE = 1,
    RS2N_CACHE_RETRIEVE,
    RS2N_CACHE_DELETE,
};

/* One callback call, as the callback saw it. */
struct rs2n_cache_call {
    enum rs2n_cache_op op;
    struct s2n_connection *conn;
    void *ctx;
    pthread_t thread;   /* pthread_self() in the callback */
    void *conn_ctx;     /* s2n_connection_get_ctx(conn) in the callback */
    uint64_t ttl;       /* store: ttl_in_seconds */
    uint8_t key[RS2N_CACHE_MAX_KEY];
    uint64_t key_len;   /* key_size (only the first RS2N_CACHE_MAX_KEY bytes are kept) */
    uint64_t size;      /* store: value_size; retrieve: *value_size on entry (the capacity) */
    uint64_t size_out;  /* retrieve: *value_size on return */
    int rc;             /* what the callback returned */
};

/* What the retrieve callback does. */
enum rs2n_retrieve_mode {
    RS2N_RETRIEVE_NORMAL,    /* the stored value (0), or -1 for a miss */
    RS2N_RETRIEVE_FAIL,      /* -1, whatever is stored */
    RS2N_RETRIEVE_GARBAGE,   /* 0 with `garbage_len` pseudo-random bytes */
    RS2N_RETRIEVE_OTHER_KEY, /* 0 with the value stored under `other_key` */
    RS2N_RETRIEVE_OVERSIZE,  /* copies the value, sets *value_size to capacity + `oversize_by` */
    RS2N_RETRIEVE_TAMPER,    /* the stored value with its middle byte flipped */
    RS2N_RETRIEVE_TRUNCATE,  /* the first `truncate_to` bytes of the stored value */
};

struct rs2n_test_cache;

/* The ctx given for one callback: three distinct pointers into the cache. */
struct rs2n_cache_handle {
    struct rs2n_test_cache *cache;
};

struct rs2n_cache_entry {
    int used;
    uint8_t key[RS2N_CACHE_MAX_KEY];
    size_t key_len;
    uint8_t *value;
    size_t value_len;
    uint64_t expires; /* clock seconds; the entry is gone from then on */
};

/* An in-memory cache with ttl expiry on a fake clock. All fields but the lock
 * may be read and set by tests between connections. */
struct rs2n_test_cache {
    pthread_mutex_t lock;
    const struct rs2n_fake_clock *clock; /* NULL: entries never expire */
    struct rs2n_cache_handle store_ctx, retrieve_ctx, delete_ctx;
    struct rs2n_cache_entry entries[RS2N_CACHE_CAPACITY];
    struct rs2n_cache_call calls[RS2N_CACHE_MAX_CALLS];
    size_t ncalls;              /* calls recorded (at most RS2N_CACHE_MAX_CALLS) */
    unsigned long stores, retrieves, deletes, hits; /* hits: retrieves that returned 0 */
    /* Misbehaviour, off when 0. */
    int store_rc;               /* non-zero: store returns it and keeps nothing */
    int ignore_ttl;             /* entries never expire (a cache with a sloppy clock) */
    int ignore_deletes;         /* delete returns 0 and keeps the entry */
    int take_long_keys;         /* a hit on a key over 32 bytes (an rs2n TLS1.3 ticket)
                                 * removes the entry: the take the retrieve callback's
                                 * docs ask for */
    unsigned block_retrieves;   /* the next N retrieves return S2N_CALLBACK_BLOCKED */
    enum rs2n_retrieve_mode retrieve_mode;
    size_t garbage_len;
    uint8_t other_key[RS2N_CACHE_MAX_KEY];
    size_t other_key_len;
    uint64_t oversize_by;
    size_t truncate_to;
};

void rs2n_test_cache_init(struct rs2n_test_cache *c, const struct rs2n_fake_clock *clock);
/* Frees the entries and the lock. */
void rs2n_test_cache_free(struct rs2n_test_cache *c);
/* Forgets the recorded calls and counters (keeps entries and misbehaviour). */
void rs2n_test_cache_clear_calls(struct rs2n_test_cache *c);

/* The callbacks; ctx is one of the cache's struct rs2n_cache_handle. */
int rs2n_test_cache_store(struct s2n_connection *conn, void *ctx, uint64_t ttl_in_seconds,
                          const void *key, uint64_t key_size, const void *value,
                          uint64_t value_size);
int rs2n_test_cache_retrieve(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size);
int rs2n_test_cache_delete(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size);

/* Sets the three callbacks (contexts &c->store_ctx, &c->retrieve_ctx,
 * &c->delete_ctx) and turns the cache on. Returns 0 or -1. */
int rs2n_test_cache_attach(struct s2n_config *config, struct rs2n_test_cache *c);

/* Calls of `op` recorded so far. */
size_t rs2n_test_cache_count(const struct rs2n_test_cache *c, enum rs2n_cache_op op);
/* The last (n = 0), or n-th from last, call of `op`; NULL if none. */
const struct rs2n_cache_call *rs2n_test_cache_last(const struct rs2n_test_cache *c,
                                                   enum rs2n_cache_op op, size_t n);
/* 1 if the cache holds an unexpired entry for key. */
int rs2n_test_cache_has(struct rs2n_test_cache *c, const void *key, size_t key_len);
/* Unexpired entries. */
size_t rs2n_test_cache_size(struct rs2n_test_cache *c);
/* 1 if the call's key equals key/key_len. */
int rs2n_cache_call_key_is(const struct rs2n_cache_call *call, const void *key, size_t key_len);

/* A server config for cache tests: ECDSA P-256, `policy`, the wall clock
 * `clock`, session tickets off, the cache's callbacks, the cache on, and
 * ticket key "cache-key-1" (added after the cache is on, as s2n-tls needs).
 * Exits on failure. */
struct s2n_config *rs2n_cache_server_config(const char *policy, struct rs2n_test_cache *cache,
                                            struct rs2n_fake_clock *clock);

/* rs2n_connect's options for a cache test's connection: over a socket pair,
 * the client offering `offer_` (NULL: nothing), closed as `how_`. */
#define RS2N_CACHE_OPTS(offer_, how_)                                                  \
    (&(struct rs2n_connect_opts){ .transport = RS2N_OVER_SOCKETS, .offer = (offer_), \
                                  .close = (how_) })

/* The protocol versions the cache tests run under. */
struct rs2n_version_case {
    const char *name;   /* "TLS1.2" */
    const char *policy; /* an s2n policy that negotiates it */
    int tls13;
};
extern const struct rs2n_version_case rs2n_versions[2];

/* A cache test's fixture: `clock` set to the start of `year`, `cache`
 * initialised, and the server and client configs of rs2n_cache_server_config and
 * rs2n_resume_client_config for `v` (client tickets on for TLS1.3). */
void rs2n_cache_fixture_open(const struct rs2n_version_case *v, int year,
                             struct rs2n_fake_clock *clock, struct rs2n_test_cache *cache,
                             struct s2n_config **server, struct s2n_config **client);
/* Frees what rs2n_cache_fixture_open made. */
void rs2n_cache_fixture_close(struct rs2n_test_cache *cache, struct s2n_config *server,
                              struct s2n_config *client);

#endif /* RS2N_TESTLIB_CACHE_H */
