/*
 * The server's pre-parse of the ClientHello (src/hello/parse.rs), which runs
 * before rustls and before the application's cache callbacks see anything,
 * asserted through the public API. Hellos are real rs2n clients' first flights
 * (captured from the send callback), re-encoded with a change, and fed to a
 * server through its recv callback:
 *   1. TLS1.2 server, cache on: a 255-byte session ID is refused: -1,
 *      S2N_ERR_T_PROTO, S2N_ERR_BAD_MESSAGE, "session ID of 255 bytes", no
 *      retrieve call, and exactly a decode_error alert `15 03 03 00 02 02 32`
 *      sent. (Catches a pre-parse that lets an over-long ID through to the
 *      callback, which s2n-written callbacks copy into 32-byte buffers, or
 *      an error of another class, or a missing/garbled alert.)
 *   2. The same for a duplicate extension, pre_shared_key not last, and 2 PSK
 *      identities with 1 binder, on TLS1.2 and TLS1.3 cache servers.
 *   3. TLS1.3 cache-only server: a 33-byte and a 40,000-byte PSK identity are
 *      not looked up, and the handshake goes on as a full one (the server
 *      sends its flight and waits for the client). (Catches a lookup of keys
 *      other than rs2n's 48-byte cache keys, and a refusal of a valid hello.)
 *   4. A server reading the client's ClientHello one byte per recv call
 *      completes the handshake, and resumes from the cache, so the pre-parse
 *      assembled the session ID / PSK identity right. (Catches an incremental
 *      reader that loses or misreads bytes split across calls.)
 * Each malformed case has a control: the same hello without the defect is
 * looked up once, so the "never called" checks can fail.
 */
#include "testlib.h"

#include <errno.h>

/* ------------------------------------------------------------------------- */
/* A ClientHello, decoded into its parts and re-encoded                      */
/* ------------------------------------------------------------------------- */

#define MAX_EXTS 64

struct ext {
    uint16_t type;
    size_t len;
    uint8_t *data; /* malloc'd */
};

struct hello {
    uint8_t record_version[2];
    uint8_t head[34]; /* legacy_version + random */
    uint8_t sid[255];
    size_t sid_len;
    uint8_t *middle; /* cipher_suites + compression_methods, as sent */
    size_t middle_len;
    struct ext exts[MAX_EXTS];
    size_t nexts;
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    REQUIRE_NOT_NULL(d);
    if (n) {
        memcpy(d, p, n);
    }
    return d;
}

/* Decodes one record holding one ClientHello (what rs2n clients send). */
static void hello_parse(struct hello *h, const uint8_t *rec, size_t len)
{
    memset(h, 0, sizeof(*h));
    REQUIRE(len > 9 && rec[0] == 0x16 && (size_t) get16(rec + 3) == len - 5 && rec[5] == 0x01);
    memcpy(h->record_version, rec + 1, 2);
    const uint8_t *b = rec + 9;
    size_t body_len = ((size_t) rec[6] << 16) | ((size_t) rec[7] << 8) | rec[8];
    REQUIRE(body_len == len - 9);
    const uint8_t *end = b + body_len;
    memcpy(h->head, b, 34);
    b += 34;
    h->sid_len = *b++;
    memcpy(h->sid, b, h->sid_len);
    b += h->sid_len;
    const uint8_t *mid = b;
    b += 2 + get16(b);
    b += 1 + *b;
    h->middle_len = (size_t) (b - mid);
    h->middle = dup_bytes(mid, h->middle_len);
    size_t ext_len = get16(b);
    b += 2;
    REQUIRE(b + ext_len == end);
    while (b < end) {
        REQUIRE(h->nexts < MAX_EXTS);
        struct ext *e = &h->exts[h->nexts++];
        e->type = get16(b);
        e->len = get16(b + 2);
        e->data = dup_bytes(b + 4, e->len);
        b += 4 + e->len;
    }
    REQUIRE(b == end);
}

static void hello_free(struct hello *h)
{
    free(h->middle);
    for (size_t i = 0; i < h->nexts; i++) {
        free(h->exts[i].data);
    }
    memset(h, 0, sizeof(*h));
}

static void hello_copy(struct hello *dst, const struct hello *src)
{
    *dst = *src;
    dst->middle = dup_bytes(src->middle, src->middle_len);
    for (size_t i = 0; i < src->nexts; i++) {
        dst->exts[i].data = dup_bytes(src->exts[i].data, src->exts[i].len);
    }
}

static int hello_find(const struct hello *h, uint16_t type)
{
    for (size_t i = 0; i < h->nexts; i++) {
        if (h->exts[i].type == type) {
            return (int) i;
        }
    }
    return -1;
}

static void hello_remove(struct hello *h, size_t i)
{
    free(h->exts[i].data);
    memmove(&h->exts[i], &h->exts[i + 1], (h->nexts - i - 1) * sizeof(h->exts[0]));
    h->nexts--;
}

/* Appends an extension (a copy of data). */
static void hello_append(struct hello *h, uint16_t type, const uint8_t *data, size_t len)
{
    REQUIRE(h->nexts < MAX_EXTS);
    h->exts[h->nexts].type = type;
    h->exts[h->nexts].len = len;
    h->exts[h->nexts].data = dup_bytes(data, len);
    h->nexts++;
}

/* The wire bytes: the handshake message in records of at most 16384 bytes.
 * Returns a malloc'd buffer and its length. */
static uint8_t *hello_wire(const struct hello *h, size_t *out_len)
{
    size_t ext_total = 0;
    for (size_t i = 0; i < h->nexts; i++) {
        ext_total += 4 + h->exts[i].len;
    }
    REQUIRE(ext_total <= 0xffff);
    size_t body = 34 + 1 + h->sid_len + h->middle_len + 2 + ext_total;
    size_t msg_len = 4 + body;
    uint8_t *msg = malloc(msg_len);
    REQUIRE_NOT_NULL(msg);
    uint8_t *p = msg;
    *p++ = 0x01;
    *p++ = (uint8_t) (body >> 16);
    *p++ = (uint8_t) (body >> 8);
    *p++ = (uint8_t) body;
    memcpy(p, h->head, 34);
    p += 34;
    *p++ = (uint8_t) h->sid_len;
    memcpy(p, h->sid, h->sid_len);
    p += h->sid_len;
    memcpy(p, h->middle, h->middle_len);
    p += h->middle_len;
    *p++ = (uint8_t) (ext_total >> 8);
    *p++ = (uint8_t) ext_total;
    for (size_t i = 0; i < h->nexts; i++) {
        const struct ext *e = &h->exts[i];
        *p++ = (uint8_t) (e->type >> 8);
        *p++ = (uint8_t) e->type;
        *p++ = (uint8_t) (e->len >> 8);
        *p++ = (uint8_t) e->len;
        memcpy(p, e->data, e->len);
        p += e->len;
    }
    REQUIRE((size_t) (p - msg) == msg_len);

    size_t nrec = (msg_len + 16383) / 16384;
    uint8_t *wire = malloc(msg_len + 5 * nrec);
    REQUIRE_NOT_NULL(wire);
    size_t w = 0;
    for (size_t off = 0; off < msg_len; off += 16384) {
        size_t n = msg_len - off < 16384 ? msg_len - off : 16384;
        wire[w++] = 0x16;
        wire[w++] = h->record_version[0];
        wire[w++] = h->record_version[1];
        wire[w++] = (uint8_t) (n >> 8);
        wire[w++] = (uint8_t) n;
        memcpy(wire + w, msg + off, n);
        w += n;
    }
    free(msg);
    *out_len = w;
    return wire;
}

/* pre_shared_key (41): `nids` identities of `id_len` bytes (byte `fill`), each
 * with ticket age 0, then `nbinders` 32-byte binders. malloc'd; its length in
 * *out_len. */
static uint8_t *psk_ext(size_t nids, size_t id_len, uint8_t fill, size_t nbinders, size_t *out_len)
{
    size_t ids_len = nids * (2 + id_len + 4);
    size_t binders_len = nbinders * 33;
    size_t len = 2 + ids_len + 2 + binders_len;
    uint8_t *d = malloc(len);
    REQUIRE_NOT_NULL(d);
    uint8_t *p = d;
    *p++ = (uint8_t) (ids_len >> 8);
    *p++ = (uint8_t) ids_len;
    for (size_t i = 0; i < nids; i++) {
        *p++ = (uint8_t) (id_len >> 8);
        *p++ = (uint8_t) id_len;
        memset(p, fill, id_len);
        p += id_len;
        memset(p, 0, 4);
        p += 4;
    }
    *p++ = (uint8_t) (binders_len >> 8);
    *p++ = (uint8_t) binders_len;
    for (size_t i = 0; i < nbinders; i++) {
        *p++ = 32;
        memset(p, 0xb1, 32);
        p += 32;
    }
    *out_len = len;
    return d;
}

#define EXT_PSK_MODES 45
#define EXT_PSK 41

/* Sets the hello's pre_shared_key (last) to `nids` identities of id_len bytes
 * and `nbinders` binders, with psk_key_exchange_modes (psk_dhe_ke) if absent. */
static void hello_set_psk(struct hello *h, size_t nids, size_t id_len, size_t nbinders)
{
    int i = hello_find(h, EXT_PSK);
    if (i >= 0) {
        hello_remove(h, (size_t) i);
    }
    if (hello_find(h, EXT_PSK_MODES) < 0) {
        static const uint8_t modes[] = { 0x01, 0x01 };
        hello_append(h, EXT_PSK_MODES, modes, sizeof(modes));
    }
    size_t len;
    uint8_t *d = psk_ext(nids, id_len, 0x5a, nbinders, &len);
    hello_append(h, EXT_PSK, d, len);
    free(d);
}

/* ------------------------------------------------------------------------- */
/* Capturing a client's hello, feeding a server                              */
/* ------------------------------------------------------------------------- */

/* The first flight of a client with `client_config` (one record). */
static void capture_hello(struct s2n_config *client_config, struct hello *h)
{
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    struct s2n_connection *client = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(client);
    REQUIRE_SUCCESS(s2n_connection_set_config(client, client_config));
    REQUIRE_SUCCESS(s2n_set_server_name(client, "localhost"));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(client, &m.b));
    s2n_blocked_status blocked;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(client, &blocked), S2N_ERR_T_BLOCKED);
    size_t n = rs2n_mem_queue_pending(&m.b_to_a);
    hello_parse(h, m.b_to_a.data + m.b_to_a.off, n);
    EXPECT_SUCCESS(s2n_connection_free(client));
    rs2n_mem_pipe_free(&m);
}

/* What a server did with the bytes it was fed. */
struct fed {
    struct rs2n_side_result r;
    s2n_blocked_status blocked;
    uint8_t out[1 << 14]; /* the first bytes it sent */
    size_t out_len;       /* all bytes it sent */
    unsigned long retrieves;
};

/* A new server connection (server_config) reads `wire` through its recv
 * callback; s2n_negotiate is called until it fails or blocks on reading. */
static void feed_server(struct s2n_config *server_config, struct rs2n_test_cache *cache,
                        const uint8_t *wire, size_t len, struct fed *f)
{
    memset(f, 0, sizeof(*f));
    rs2n_test_cache_clear_calls(cache);
    struct rs2n_mem_pipe m;
    rs2n_mem_pipe_init(&m);
    rs2n_mem_queue_push(&m.b_to_a, wire, len);
    struct s2n_connection *server = s2n_connection_new(S2N_SERVER);
    REQUIRE_NOT_NULL(server);
    REQUIRE_SUCCESS(s2n_connection_set_config(server, server_config));
    REQUIRE_SUCCESS(rs2n_connection_set_mem_io(server, &m.a));
    for (int i = 0; i < 20; i++) {
        f->blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        f->r.rc = s2n_negotiate(server, &f->blocked);
        f->r.calls++;
        if (f->r.rc == 0) {
            break;
        }
        rs2n_record_error(&f->r);
        if (f->r.type != S2N_ERR_T_BLOCKED || f->blocked == S2N_BLOCKED_ON_READ) {
            break;
        }
    }
    f->out_len = rs2n_mem_queue_pending(&m.a_to_b);
    memcpy(f->out, m.a_to_b.data + m.a_to_b.off, f->out_len < sizeof(f->out) ? f->out_len : sizeof(f->out));
    f->retrieves = cache->retrieves;
    EXPECT_SUCCESS(s2n_connection_free(server));
    rs2n_mem_pipe_free(&m);
}

static void feed_hello(struct s2n_config *server_config, struct rs2n_test_cache *cache,
                       const struct hello *h, struct fed *f)
{
    size_t len;
    uint8_t *wire = hello_wire(h, &len);
    feed_server(server_config, cache, wire, len, f);
    free(wire);
}

static const uint8_t decode_error_alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32 };

/* The hello was refused before anything used it: BAD_MESSAGE (PROTO) naming
 * `reason`, no retrieve, and exactly a decode_error alert sent. */
static void expect_refused(const char *what, const struct fed *f, const char *reason)
{
    printf("  %-52s %s: %s\n", what, f->r.name, f->r.msg);
    if (f->r.rc != -1 || f->r.type != S2N_ERR_T_PROTO) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: rc %d, class %s (%s: %s), expected PROTO", what,
                       f->r.rc, rs2n_error_type_name(f->r.type), f->r.name, f->r.msg);
    }
    if (strcmp(f->r.name, "S2N_ERR_BAD_MESSAGE") != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: error %s, expected S2N_ERR_BAD_MESSAGE", what,
                       f->r.name);
    }
    if (strstr(f->r.msg, reason) == NULL) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: message \"%s\" does not say \"%s\"", what,
                       f->r.msg, reason);
    }
    EXPECT_EQUAL(f->blocked, S2N_NOT_BLOCKED);
    if (f->retrieves != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the retrieve callback was called %lu times",
                       what, f->retrieves);
    }
    if (f->out_len != sizeof(decode_error_alert) ||
        memcmp(f->out, decode_error_alert, sizeof(decode_error_alert)) != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the server sent %zu bytes, not a decode_error alert",
                       what, f->out_len);
        for (size_t i = 0; i < f->out_len && i < 16; i++) {
            fprintf(stderr, " %02x", f->out[i]);
        }
        fprintf(stderr, "\n");
    }
}

/* The hello was valid: the server sent a ServerHello and waits for the client
 * (a full handshake; nothing failed), after `retrieves` retrieve calls. */
static void expect_full_goes_on(const char *what, const struct fed *f, unsigned long retrieves)
{
    printf("  %-52s retrieves %lu, sent %zu bytes\n", what, f->retrieves, f->out_len);
    if (f->r.rc != -1 || f->r.type != S2N_ERR_T_BLOCKED || f->blocked != S2N_BLOCKED_ON_READ) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: rc %d, class %s (%s: %s), blocked %d; expected "
                       "blocked on read", what, f->r.rc, rs2n_error_type_name(f->r.type),
                       f->r.name, f->r.msg, (int) f->blocked);
    }
    if (f->retrieves != retrieves) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: %lu retrieve calls, expected %lu", what,
                       f->retrieves, retrieves);
    }
    /* A handshake record (TLS1.2 record version) starting with a ServerHello. */
    if (f->out_len < 6 || f->out[0] != 0x16 || f->out[1] != 0x03 || f->out[2] != 0x03 ||
        f->out[5] != 0x02) {
        rs2n_test_fail(__FILE__, __LINE__, "%s: the server did not send a ServerHello (%zu bytes)",
                       what, f->out_len);
    }
}

/* ------------------------------------------------------------------------- */

/* A cache server and client of one version, and the client's hello with a
 * 32-byte session ID: the cache key TLS1.2 looks up. */
struct env {
    const struct rs2n_version_case *v;
    struct rs2n_fake_clock clock;
    struct rs2n_test_cache cache;
    struct s2n_config *server, *client;
    struct hello base;
};

static void env_open(struct env *e, const struct rs2n_version_case *v)
{
    memset(e, 0, sizeof(*e));
    e->v = v;
    rs2n_cache_fixture_open(v, 2045, &e->clock, &e->cache, &e->server, &e->client);
    capture_hello(e->client, &e->base);
    e->base.sid_len = 32;
    memset(e->base.sid, 0x1d, 32);
}

static void env_close(struct env *e)
{
    hello_free(&e->base);
    rs2n_cache_fixture_close(&e->cache, e->server, e->client);
}

/* 1. A 255-byte session ID to a TLS1.2 cache server. */
static void test_long_session_id(void)
{
    printf("TLS1.2 server, 255-byte session ID:\n");
    struct env e;
    env_open(&e, &rs2n_versions[0]);
    struct fed f;

    /* Control: a 32-byte session ID is looked up (a miss), the handshake goes on. */
    feed_hello(e.server, &e.cache, &e.base, &f);
    expect_full_goes_on("32-byte session ID (control)", &f, 1);
    const struct rs2n_cache_call *call = rs2n_test_cache_last(&e.cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(call != NULL && rs2n_cache_call_key_is(call, e.base.sid, 32));

    struct hello h;
    hello_copy(&h, &e.base);
    h.sid_len = 255;
    memset(h.sid, 0x1d, 255);
    feed_hello(e.server, &e.cache, &h, &f);
    expect_refused("255-byte session ID", &f, "session ID of 255 bytes");
    EXPECT_EQUAL(rs2n_test_cache_count(&e.cache, RS2N_CACHE_RETRIEVE), 0);
    hello_free(&h);

    /* 33 bytes: one past RFC 5246's limit is refused too. */
    hello_copy(&h, &e.base);
    h.sid_len = 33;
    memset(h.sid, 0x1d, 33);
    feed_hello(e.server, &e.cache, &h, &f);
    expect_refused("33-byte session ID", &f, "session ID of 33 bytes");
    hello_free(&h);
    env_close(&e);
}

/* 2. Malformed extension blocks, on TLS1.2 and TLS1.3 cache servers. The base
 * hello offers a 48-byte PSK identity (an rs2n TLS1.3 cache key's length) with
 * one binder, so that, but for the defect, TLS1.3 looks it up (TLS1.2 looks
 * up the session ID). */
static void test_malformed_extensions(const struct rs2n_version_case *v)
{
    printf("%s server, malformed extensions:\n", v->name);
    struct env e;
    env_open(&e, v);
    struct fed f;
    struct hello base, h;
    hello_copy(&base, &e.base);
    hello_set_psk(&base, 1, 48, 1);

    feed_hello(e.server, &e.cache, &base, &f);
    expect_full_goes_on("well-formed, 1 PSK identity, 1 binder (control)", &f, 1);
    const struct rs2n_cache_call *call = rs2n_test_cache_last(&e.cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(call != NULL && call->key_len == (v->tls13 ? 48u : 32u));

    /* The first extension twice (the copy before pre_shared_key). */
    hello_copy(&h, &base);
    REQUIRE(h.nexts >= 2 && h.exts[0].type != EXT_PSK);
    struct ext last = h.exts[h.nexts - 1];
    h.exts[h.nexts - 1] = (struct ext){ h.exts[0].type, h.exts[0].len,
                                        dup_bytes(h.exts[0].data, h.exts[0].len) };
    h.exts[h.nexts++] = last;
    char reason[64];
    snprintf(reason, sizeof(reason), "extension %u appears twice", (unsigned) h.exts[0].type);
    feed_hello(e.server, &e.cache, &h, &f);
    expect_refused("duplicate extension", &f, reason);
    hello_free(&h);

    /* pre_shared_key, then the first extension moved after it. */
    hello_copy(&h, &base);
    struct ext first = h.exts[0];
    memmove(&h.exts[0], &h.exts[1], (h.nexts - 1) * sizeof(h.exts[0]));
    h.exts[h.nexts - 1] = first;
    feed_hello(e.server, &e.cache, &h, &f);
    expect_refused("pre_shared_key not last", &f, "pre_shared_key is not the last extension");
    hello_free(&h);

    /* 2 identities, 1 binder. */
    hello_copy(&h, &base);
    hello_set_psk(&h, 2, 48, 1);
    feed_hello(e.server, &e.cache, &h, &f);
    expect_refused("2 PSK identities, 1 binder", &f, "2 PSK identities with 1 binders");
    hello_free(&h);

    hello_free(&base);
    env_close(&e);
}

/* 3. A TLS1.3 cache-only server: PSK identities that cannot be rs2n cache keys
 * are not looked up; the hello is valid, so a full handshake goes on. */
static void test_psk_identity_lengths(void)
{
    printf("TLS1.3 cache server, PSK identity lengths:\n");
    struct env e;
    env_open(&e, &rs2n_versions[1]);
    static const struct {
        size_t len;
        unsigned long retrieves;
    } cases[] = {
        { 48, 1 },     /* control: an rs2n cache key's length is looked up (a miss) */
        { 33, 0 },     /* just past s2n's 32-byte key bound */
        { 40000, 0 },  /* a hello spread over 3 records */
        { 47, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hello h;
        hello_copy(&h, &e.base);
        hello_set_psk(&h, 1, cases[i].len, 1);
        struct fed f;
        feed_hello(e.server, &e.cache, &h, &f);
        char what[64];
        snprintf(what, sizeof(what), "%zu-byte PSK identity", cases[i].len);
        expect_full_goes_on(what, &f, cases[i].retrieves);
        hello_free(&h);
    }
    env_close(&e);
}

/* ------------------------------------------------------------------------- */
/* 4. One byte per recv call                                                 */
/* ------------------------------------------------------------------------- */

struct trickle {
    struct rs2n_mem_end *end;
    unsigned long calls, bytes, over;
};

static int trickle_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct trickle *t = ctx;
    t->calls++;
    int n = rs2n_mem_recv(t->end, buf, len < 1 ? len : 1);
    if (n > 1) {
        t->over++;
    }
    if (n > 0) {
        t->bytes += (unsigned long) n;
    }
    return n;
}

/* One connection whose server reads one byte per call; the client offers
 * `offer` (NULL: nothing). Returns 1 if both sides resumed, 0 if neither. */
static int trickled_handshake(struct env *e, const char *what, const struct rs2n_session *offer,
                              struct rs2n_session *saved)
{
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, e->server, e->client, "localhost");
    struct trickle t = { &p.pipe.a, 0, 0, 0 };
    REQUIRE_SUCCESS(s2n_connection_set_recv_cb(p.server, trickle_recv));
    REQUIRE_SUCCESS(s2n_connection_set_recv_ctx(p.server, &t));
    if (offer) {
        REQUIRE(rs2n_offer_session(p.client, offer) == 0);
    }
    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    printf("  %s %-40s rc %d, server recv calls %lu for %lu bytes\n", e->v->name, what, rc,
           t.calls, t.bytes);
    if (rc != 0) {
        rs2n_test_fail(__FILE__, __LINE__, "%s %s: the handshake failed", e->v->name, what);
        rs2n_print_pair_result(what, &res);
    }
    /* Every byte came alone: at least as many calls as bytes (a ClientHello
     * is well over 100 bytes). */
    EXPECT_EQUAL(t.over, 0);
    EXPECT_TRUE(t.bytes > 100);
    EXPECT_TRUE(t.calls >= t.bytes);
    int resumed = s2n_connection_is_session_resumed(p.server);
    EXPECT_EQUAL(resumed, s2n_connection_is_session_resumed(p.client));
    if (rc == 0 && saved) {
        EXPECT_EQUAL(rs2n_read_tickets(p.client), 0);
        EXPECT_EQUAL(rs2n_save_session(p.client, saved), 0);
    }
    rs2n_pair_close(&p);
    return resumed;
}

static void test_one_byte_reads(const struct rs2n_version_case *v)
{
    struct env e;
    env_open(&e, v);
    struct rs2n_session s;
    memset(&s, 0, sizeof(s));
    rs2n_test_cache_clear_calls(&e.cache);
    EXPECT_EQUAL(trickled_handshake(&e, "full handshake", NULL, &s), 0);
    EXPECT_EQUAL(e.cache.stores, 1);
    const struct rs2n_cache_call *store = rs2n_test_cache_last(&e.cache, RS2N_CACHE_STORE, 0);
    struct rs2n_cache_call stored;
    memset(&stored, 0, sizeof(stored));
    if (store) {
        stored = *store;
    }
    REQUIRE(s.len > 0);
    /* The key the pre-parse read from the trickled hello found the session. */
    rs2n_test_cache_clear_calls(&e.cache);
    EXPECT_EQUAL(trickled_handshake(&e, "resumption from the cache", &s, NULL), 1);
    EXPECT_EQUAL(e.cache.retrieves, 1);
    EXPECT_EQUAL(e.cache.hits, 1);
    const struct rs2n_cache_call *r = rs2n_test_cache_last(&e.cache, RS2N_CACHE_RETRIEVE, 0);
    EXPECT_TRUE(r != NULL && stored.key_len > 0 && r->key_len == stored.key_len &&
                memcmp(r->key, stored.key, (size_t) stored.key_len) == 0);
    env_close(&e);
}

int main(void)
{
    rs2n_test_begin("test_hello_preparse", 120);
    test_long_session_id();
    test_malformed_extensions(&rs2n_versions[0]);
    test_malformed_extensions(&rs2n_versions[1]);
    test_psk_identity_lengths();
    printf("one byte per recv call:\n");
    test_one_byte_reads(&rs2n_versions[0]);
    test_one_byte_reads(&rs2n_versions[1]);
    return rs2n_test_finish();
}
