/* The driver over s2n-tls's public C API (api/s2n.h), compiled twice from this
 * one source: linked with librs2n (driver_rs2n) and with the real s2n-tls's
 * libs2n (driver_s2n). Both export the same s2n_* names, hence two programs. */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s2n.h>

#ifndef DRIVER_NAME
#define DRIVER_NAME "s2n"
#endif

static struct s2n_config *server_cfg, *client_cfg;

const char *impl_name(void) { return DRIVER_NAME; }

static int io_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    return end_write(ctx, buf, len);
}

static int io_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    return end_read(ctx, buf, len);
}

/* The server's session-ID cache, as an application keeps one: slots by a hash
 * of the key, behind a mutex. */
#define CACHE_SLOTS 4096
struct slot {
    uint8_t key[64];
    uint64_t key_len;
    uint8_t *val;
    uint64_t val_len;
};
static struct slot cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *slot_of(const void *key, uint64_t len)
{
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < len; i++)
        h = (h ^ ((const uint8_t *)key)[i]) * 16777619u;
    return &cache[h % CACHE_SLOTS];
}

static int cache_store(struct s2n_connection *c, void *ctx, uint64_t ttl, const void *key,
                       uint64_t key_len, const void *val, uint64_t val_len)
{
    (void)c, (void)ctx, (void)ttl;
    if (key_len > 64)
        return -1;
    uint8_t *copy = malloc(val_len);
    if (!copy)
        return -1;
    memcpy(copy, val, val_len);
    pthread_mutex_lock(&cache_lock);
    struct slot *s = slot_of(key, key_len);
    free(s->val);
    memcpy(s->key, key, key_len);
    s->key_len = key_len;
    s->val = copy;
    s->val_len = val_len;
    pthread_mutex_unlock(&cache_lock);
    return 0;
}

static int cache_retrieve(struct s2n_connection *c, void *ctx, const void *key, uint64_t key_len,
                          void *val, uint64_t *val_len)
{
    (void)c, (void)ctx;
    int rc = -1;
    pthread_mutex_lock(&cache_lock);
    struct slot *s = slot_of(key, key_len);
    if (s->val && s->key_len == key_len && memcmp(s->key, key, key_len) == 0 &&
        s->val_len <= *val_len) {
        memcpy(val, s->val, s->val_len);
        *val_len = s->val_len;
        rc = 0;
    }
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

static int cache_delete(struct s2n_connection *c, void *ctx, const void *key, uint64_t key_len)
{
    (void)c, (void)ctx;
    pthread_mutex_lock(&cache_lock);
    struct slot *s = slot_of(key, key_len);
    if (s->val && s->key_len == key_len && memcmp(s->key, key, key_len) == 0) {
        free(s->val);
        s->val = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, buf, n);
        out[n] = 0;
    }
    return out;
}

#define CHECK(x)                                                                                  \
    do {                                                                                          \
        if ((x) != 0) {                                                                           \
            fprintf(stderr, "%s: %s: %s\n", DRIVER_NAME, #x, s2n_strerror(s2n_errno, "EN"));     \
            return -1;                                                                            \
        }                                                                                         \
    } while (0)

int impl_init(void)
{
    const char *policy = SC->tls13 ? "default_tls13" : "20240501";
    CHECK(s2n_init());
    char *cert = slurp(CERT), *key = slurp(KEY);
    if (!cert || !key)
        return -1;
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    if (!ck)
        return -1;
    CHECK(s2n_cert_chain_and_key_load_pem(ck, cert, key));

    server_cfg = s2n_config_new();
    client_cfg = s2n_config_new();
    if (!server_cfg || !client_cfg)
        return -1;
    CHECK(s2n_config_set_cipher_preferences(server_cfg, policy));
    CHECK(s2n_config_add_cert_chain_and_key_to_store(server_cfg, ck));
    CHECK(s2n_config_set_cipher_preferences(client_cfg, policy));
    CHECK(s2n_config_wipe_trust_store(client_cfg));
    CHECK(s2n_config_set_verification_ca_location(client_cfg, CA, NULL));

    uint8_t tkey[32];
    for (int i = 0; i < 32; i++)
        tkey[i] = (uint8_t)(rand() & 0xff);
    switch (SC->resume) {
    case RESUME_NONE:
        CHECK(s2n_config_set_session_tickets_onoff(server_cfg, 0));
        CHECK(s2n_config_set_session_tickets_onoff(client_cfg, 0));
        break;
    case RESUME_TICKET:
        CHECK(s2n_config_set_session_tickets_onoff(server_cfg, 1));
        CHECK(s2n_config_add_ticket_crypto_key(server_cfg, (const uint8_t *)"bench", 5, tkey,
                                               sizeof tkey, 0));
        CHECK(s2n_config_set_initial_ticket_count(server_cfg, 1));
        CHECK(s2n_config_set_session_tickets_onoff(client_cfg, 1));
        break;
    case RESUME_SESSION_ID:
        CHECK(s2n_config_set_session_tickets_onoff(server_cfg, 0));
        CHECK(s2n_config_set_cache_store_callback(server_cfg, cache_store, NULL));
        CHECK(s2n_config_set_cache_retrieve_callback(server_cfg, cache_retrieve, NULL));
        CHECK(s2n_config_set_cache_delete_callback(server_cfg, cache_delete, NULL));
        CHECK(s2n_config_set_session_cache_onoff(server_cfg, 1));
        /* s2n seals the cached state with the ticket key (added once the
         * cache is on); tickets stay off */
        CHECK(s2n_config_add_ticket_crypto_key(server_cfg, (const uint8_t *)"bench", 5, tkey,
                                               sizeof tkey, 0));
        CHECK(s2n_config_set_session_tickets_onoff(client_cfg, 0));
        break;
    }
    return 0;
}

struct client_state {
    uint8_t session[4096];
    int len;
};

struct client_state *impl_client_state_new(void) { return calloc(1, sizeof(struct client_state)); }

struct held {
    struct s2n_connection *server, *client;
    struct end cend, send;
};

static struct s2n_connection *conn_new(s2n_mode mode, struct end *e)
{
    struct s2n_connection *c = s2n_connection_new(mode);
    if (!c)
        return NULL;
    if (s2n_connection_set_config(c, mode == S2N_SERVER ? server_cfg : client_cfg) != 0 ||
        s2n_connection_set_blinding(c, S2N_SELF_SERVICE_BLINDING) != 0 ||
        s2n_connection_set_send_cb(c, io_send) != 0 || s2n_connection_set_recv_cb(c, io_recv) != 0 ||
        s2n_connection_set_send_ctx(c, e) != 0 || s2n_connection_set_recv_ctx(c, e) != 0) {
        s2n_connection_free(c);
        return NULL;
    }
    return c;
}

static int blocked_err(void) { return s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED; }

int impl_pair(struct client_state *cs, struct pipe_pair *p, int *resumed, char *desc,
              struct held **hold)
{
    struct held local, *h = hold ? malloc(sizeof *h) : &local;
    if (!h)
        return -1;
    pipe_reset(p, &h->cend, &h->send);
    h->server = conn_new(S2N_SERVER, &h->send);
    h->client = conn_new(S2N_CLIENT, &h->cend);
    int rc = -1;
    if (!h->server || !h->client)
        goto out;
    if (s2n_set_server_name(h->client, "localhost") != 0)
        goto out;
    if (cs->len > 0 && s2n_connection_set_session(h->client, cs->session, (size_t)cs->len) != 0)
        goto out;
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 100 && !(cdone && sdone); round++) {
        s2n_blocked_status b;
        if (!cdone) {
            if (s2n_negotiate(h->client, &b) == 0)
                cdone = 1;
            else if (!blocked_err())
                goto out;
        }
        if (!sdone) {
            if (s2n_negotiate(h->server, &b) == 0)
                sdone = 1;
            else if (!blocked_err())
                goto out;
        }
    }
    if (!(cdone && sdone))
        goto out;
    /* what the server sent after the handshake (a TLS1.3 ticket) */
    uint8_t byte;
    s2n_blocked_status b;
    if (s2n_recv(h->client, &byte, 1, &b) >= 0 || !blocked_err())
        goto out;
    *resumed = s2n_connection_is_session_resumed(h->client);
    if (SC->resume != RESUME_NONE) {
        int len = s2n_connection_get_session(h->client, cs->session, sizeof cs->session);
        if (len > 0)
            cs->len = len;
    }
    if (desc) {
        int group_ok = 0;
        const char *g = NULL;
        group_ok = s2n_connection_get_key_exchange_group(h->client, &g) == 0;
        snprintf(desc, 200, "proto=%d %s group=%s", s2n_connection_get_actual_protocol_version(h->client),
                 s2n_connection_get_cipher(h->client), group_ok && g ? g : "?");
    }
    rc = 0;
out:
    if (rc != 0 && s2n_errno)
        fprintf(stderr, "%s: %s\n", DRIVER_NAME, s2n_strerror(s2n_errno, "EN"));
    if (hold && rc == 0) {
        *hold = h;
        return 0;
    }
    if (h->client)
        s2n_connection_free(h->client);
    if (h->server)
        s2n_connection_free(h->server);
    if (hold)
        free(h);
    return rc;
}

void impl_free_client(struct held *h) { s2n_connection_free(h->client); }
void impl_release_server_buffers(struct held *h) { s2n_connection_release_buffers(h->server); }
void impl_free_server(struct held *h)
{
    s2n_connection_free(h->server);
    free(h);
}

int main(int argc, char **argv) { return harness_main(argc, argv); }
