/*
 * redis_cache.h: a TLS session cache in Redis for rs2nd, over hiredis.
 *
 * Header-only (static functions): CMake builds every .c file in examples/ as a
 * program of its own, so this is included by rs2nd.c rather than compiled on its
 * own. It is only compiled with RS2N_HAVE_HIREDIS (CMake defines it when
 * pkg-config finds hiredis); without it this header declares nothing.
 *
 * What rs2n hands to the cache callbacks is already sealed with the server's
 * ticket key (an AEAD, bound to its key): Redis only ever holds opaque bytes, and
 * servers sharing a Redis must also share the ticket key to resume each other's
 * sessions.
 *
 *   store     SET <prefix><hex key> <value> EX <ttl>
 *   retrieve  GET <prefix><hex key>      a TLS1.2 session ID (key of at most 32
 *                                        bytes): it resumes again and again
 *             GETDEL <prefix><hex key>   a TLS1.3 ticket (key over 32 bytes):
 *                                        single-use, so taken atomically and no
 *                                        two servers can resume it (Redis >= 6.2)
 *   delete    DEL <prefix><hex key>
 *
 * Every command is blocking with a timeout (REDIS_CACHE_TIMEOUT_MS, for connect
 * and for each reply). Any Redis problem (no server, a timeout, an error reply, a
 * value too big) is a cache miss or a store not done, reported on stderr, never
 * a crash and never a failed handshake. A broken connection is dropped and
 * re-made on a later call, at most once per REDIS_CACHE_RETRY_MS, so that a
 * Redis that is down costs at most one connect timeout per second rather than
 * one per handshake.
 */
#ifndef RS2N_EXAMPLES_REDIS_CACHE_H
#define RS2N_EXAMPLES_REDIS_CACHE_H

#ifdef RS2N_HAVE_HIREDIS

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis.h>

#define REDIS_CACHE_TIMEOUT_MS 1000
#define REDIS_CACHE_RETRY_MS 1000
#define REDIS_CACHE_DEFAULT_PORT 6379
#define REDIS_CACHE_PREFIX_MAX 64
#define REDIS_CACHE_KEY_MAX 128 /* bytes of a cache key (rs2n's are 32 or 48) */
/* The longest TLS1.2 session ID: a longer key is an rs2n TLS1.3 ticket. */
#define REDIS_CACHE_SESSION_ID_MAX 32

struct redis_cache {
    char host[256];
    int port;
    char prefix[REDIS_CACHE_PREFIX_MAX + 1];
    redisContext *ctx;          /* NULL: not connected */
    long long retry_after_ms;   /* monotonic; no connect attempt before this */
    unsigned long errors;       /* Redis problems so far */
};

static long long redis_cache_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void redis_cache_warn(struct redis_cache *rc, const char *what, const char *detail)
{
    rc->errors++;
    fprintf(stderr, "redis_cache: %s:%d: %s: %s\n", rc->host, rc->port, what,
            detail != NULL ? detail : "unknown error");
}

/* Parses "redis://HOST[:PORT][/]" into rc->host and rc->port. HOST is a name or
 * an IPv4 address (no credentials, no database number). Returns 0, or -1 with
 * a message in err. */
static int redis_cache_parse_url(struct redis_cache *rc, const char *url, char *err, size_t errlen)
{
    const char *p;
    const char *colon;
    const char *end;
    size_t hlen;

    if (strncmp(url, "redis://", 8) != 0) {
        snprintf(err, errlen, "not a redis:// URL: %s", url);
        return -1;
    }
    p = url + 8;
    end = p + strlen(p);
    if (end > p && end[-1] == '/') {
        end--;
    }
    colon = memchr(p, ':', (size_t)(end - p));
    hlen = (size_t)((colon != NULL ? colon : end) - p);
    if (hlen == 0 || hlen >= sizeof(rc->host) || memchr(p, '@', (size_t)(end - p)) != NULL
        || memchr(p, '/', (size_t)(end - p)) != NULL) {
        snprintf(err, errlen, "bad Redis URL (want redis://HOST[:PORT]): %s", url);
        return -1;
    }
    memcpy(rc->host, p, hlen);
    rc->host[hlen] = '\0';
    rc->port = REDIS_CACHE_DEFAULT_PORT;
    if (colon != NULL) {
        char digits[8];
        char *stop = NULL;
        long v;
        size_t dlen = (size_t)(end - colon - 1);
        if (dlen == 0 || dlen >= sizeof(digits)) {
            snprintf(err, errlen, "bad port in Redis URL: %s", url);
            return -1;
        }
        memcpy(digits, colon + 1, dlen);
        digits[dlen] = '\0';
        errno = 0;
        v = strtol(digits, &stop, 10);
        if (errno != 0 || *stop != '\0' || v < 1 || v > 65535) {
            snprintf(err, errlen, "bad port in Redis URL: %s", url);
            return -1;
        }
        rc->port = (int)v;
    }
    return 0;
}

static void redis_cache_disconnect(struct redis_cache *rc)
{
    if (rc->ctx != NULL) {
        redisFree(rc->ctx);
        rc->ctx = NULL;
    }
}

/* Connects if not connected (and not within the retry pause). Returns 0 when
 * connected. */
static int redis_cache_connect(struct redis_cache *rc)
{
    struct timeval tv;
    long long now;

    if (rc->ctx != NULL && rc->ctx->err == 0) {
        return 0;
    }
    redis_cache_disconnect(rc);
    now = redis_cache_now_ms();
    if (now < rc->retry_after_ms) {
        return -1;
    }
    tv.tv_sec = REDIS_CACHE_TIMEOUT_MS / 1000;
    tv.tv_usec = (REDIS_CACHE_TIMEOUT_MS % 1000) * 1000;
    rc->ctx = redisConnectWithTimeout(rc->host, rc->port, tv);
    if (rc->ctx == NULL || rc->ctx->err != 0) {
        redis_cache_warn(rc, "connect", rc->ctx != NULL ? rc->ctx->errstr : "out of memory");
        redis_cache_disconnect(rc);
        rc->retry_after_ms = now + REDIS_CACHE_RETRY_MS;
        return -1;
    }
    if (redisSetTimeout(rc->ctx, tv) != REDIS_OK) {
        redis_cache_warn(rc, "set timeout", rc->ctx->errstr);
        redis_cache_disconnect(rc);
        rc->retry_after_ms = now + REDIS_CACHE_RETRY_MS;
        return -1;
    }
    return 0;
}

/* Sets up the cache for `url` with key prefix `prefix`, and tries to connect
 * (a Redis that is not up yet is only a warning). Returns -1 on a bad URL. */
static int redis_cache_init(struct redis_cache *rc, const char *url, const char *prefix, char *err,
                            size_t errlen)
{
    memset(rc, 0, sizeof(*rc));
    if (strlen(prefix) > REDIS_CACHE_PREFIX_MAX) {
        snprintf(err, errlen, "cache key prefix longer than %d bytes", REDIS_CACHE_PREFIX_MAX);
        return -1;
    }
    snprintf(rc->prefix, sizeof(rc->prefix), "%s", prefix);
    if (redis_cache_parse_url(rc, url, err, errlen) != 0) {
        return -1;
    }
    (void)redis_cache_connect(rc);
    return 0;
}

static void redis_cache_free(struct redis_cache *rc)
{
    redis_cache_disconnect(rc);
}

/* Writes prefix + lowercase hex of key into out. Returns the length, or -1 if
 * the key is empty or too long. */
static int redis_cache_key(const struct redis_cache *rc, const void *key, uint64_t key_size,
                           char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *k = key;
    size_t plen = strlen(rc->prefix);
    size_t i;

    if (key_size == 0 || key_size > REDIS_CACHE_KEY_MAX || plen + 2 * key_size + 1 > outlen) {
        return -1;
    }
    memcpy(out, rc->prefix, plen);
    for (i = 0; i < key_size; i++) {
        out[plen + 2 * i] = hex[k[i] >> 4];
        out[plen + 2 * i + 1] = hex[k[i] & 0x0f];
    }
    out[plen + 2 * key_size] = '\0';
    return (int)(plen + 2 * key_size);
}

/* Runs one command (binary-safe arguments). Returns the reply (free it with
 * freeReplyObject), or NULL after a connection problem (reported; the
 * connection is dropped) or an error reply (reported and freed). */
static redisReply *redis_cache_command(struct redis_cache *rc, const char *what, int argc,
                                       const char **argv, const size_t *argvlen)
{
    redisReply *reply;
    if (redis_cache_connect(rc) != 0) {
        return NULL;
    }
    reply = redisCommandArgv(rc->ctx, argc, argv, argvlen);
    if (reply == NULL) {
        redis_cache_warn(rc, what, rc->ctx->errstr);
        redis_cache_disconnect(rc);
        rc->retry_after_ms = redis_cache_now_ms() + REDIS_CACHE_RETRY_MS;
        return NULL;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        redis_cache_warn(rc, what, reply->str);
        freeReplyObject(reply);
        return NULL;
    }
    return reply;
}

/* SET key value EX ttl. Returns 0 if Redis stored it. */
static int redis_cache_store(struct redis_cache *rc, uint64_t ttl_s, const void *key,
                             uint64_t key_size, const void *value, uint64_t value_size)
{
    char k[REDIS_CACHE_PREFIX_MAX + 2 * REDIS_CACHE_KEY_MAX + 1];
    char ttl[24];
    const char *argv[5];
    size_t argvlen[5];
    redisReply *reply;
    int klen = redis_cache_key(rc, key, key_size, k, sizeof(k));
    int ok;

    if (klen < 0 || ttl_s == 0 || value_size == 0 || value_size > (uint64_t)SIZE_MAX) {
        return -1;
    }
    snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)ttl_s);
    argv[0] = "SET";
    argv[1] = k;
    argv[2] = value;
    argv[3] = "EX";
    argv[4] = ttl;
    argvlen[0] = 3;
    argvlen[1] = (size_t)klen;
    argvlen[2] = (size_t)value_size;
    argvlen[3] = 2;
    argvlen[4] = strlen(ttl);
    reply = redis_cache_command(rc, "SET", 5, argv, argvlen);
    if (reply == NULL) {
        return -1;
    }
    ok = reply->type == REDIS_REPLY_STATUS && reply->str != NULL && strcmp(reply->str, "OK") == 0;
    freeReplyObject(reply);
    return ok ? 0 : -1;
}

/* GET key into value (which holds *value_size bytes); GETDEL for a TLS1.3
 * ticket, which is single-use (rs2n's rule: a key over 32 bytes). Returns 0 on a
 * hit (and sets *value_size), -1 on a miss: absent, too big, or any Redis
 * problem. */
static int redis_cache_retrieve(struct redis_cache *rc, const void *key, uint64_t key_size,
                                void *value, uint64_t *value_size)
{
    char k[REDIS_CACHE_PREFIX_MAX + 2 * REDIS_CACHE_KEY_MAX + 1];
    const char *argv[2];
    size_t argvlen[2];
    redisReply *reply;
    int klen = redis_cache_key(rc, key, key_size, k, sizeof(k));
    int rc_out = -1;

    if (klen < 0) {
        return -1;
    }
    argv[0] = key_size > REDIS_CACHE_SESSION_ID_MAX ? "GETDEL" : "GET";
    argv[1] = k;
    argvlen[0] = strlen(argv[0]);
    argvlen[1] = (size_t)klen;
    reply = redis_cache_command(rc, argv[0], 2, argv, argvlen);
    if (reply == NULL) {
        return -1;
    }
    if (reply->type == REDIS_REPLY_STRING && reply->len > 0 && (uint64_t)reply->len <= *value_size) {
        memcpy(value, reply->str, reply->len);
        *value_size = (uint64_t)reply->len;
        rc_out = 0;
    } else if (reply->type == REDIS_REPLY_STRING && (uint64_t)reply->len > *value_size) {
        fprintf(stderr, "redis_cache: value of %s is %zu bytes, more than %llu: a miss\n", k,
                (size_t)reply->len, (unsigned long long)*value_size);
    }
    freeReplyObject(reply);
    return rc_out;
}

/* DEL key. Returns 0 unless Redis could not be asked. */
static int redis_cache_delete(struct redis_cache *rc, const void *key, uint64_t key_size)
{
    char k[REDIS_CACHE_PREFIX_MAX + 2 * REDIS_CACHE_KEY_MAX + 1];
    const char *argv[2];
    size_t argvlen[2];
    redisReply *reply;
    int klen = redis_cache_key(rc, key, key_size, k, sizeof(k));

    if (klen < 0) {
        return -1;
    }
    argv[0] = "DEL";
    argv[1] = k;
    argvlen[0] = 3;
    argvlen[1] = (size_t)klen;
    reply = redis_cache_command(rc, "DEL", 2, argv, argvlen);
    if (reply == NULL) {
        return -1;
    }
    freeReplyObject(reply);
    return 0;
}

#endif /* RS2N_HAVE_HIREDIS */

#endif /* RS2N_EXAMPLES_REDIS_CACHE_H */
