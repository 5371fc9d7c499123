/* The driver over OpenSSL's libssl (the system's, 3.x), over the same
 * in-memory transport (a custom BIO) and the same scenarios: TLS1.3 with
 * TLS_AES_128_GCM_SHA256 and TLS1.2 with ECDHE-ECDSA/RSA-AES128-GCM-SHA256 over
 * P-256, as s2n's policies negotiate them; the server's own internal session
 * cache for TLS1.2 session IDs, OpenSSL's tickets otherwise. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static SSL_CTX *server_ctx, *client_ctx;
static BIO_METHOD *pipe_method;

const char *impl_name(void) { return "openssl"; }

static int bio_write(BIO *b, const char *buf, int len)
{
    BIO_clear_retry_flags(b);
    int n = end_write(BIO_get_data(b), (const unsigned char *)buf, (size_t)len);
    if (n < 0)
        BIO_set_retry_write(b);
    return n;
}

static int bio_read(BIO *b, char *buf, int len)
{
    BIO_clear_retry_flags(b);
    int n = end_read(BIO_get_data(b), (unsigned char *)buf, (size_t)len);
    if (n < 0)
        BIO_set_retry_read(b);
    return n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

int impl_init(void)
{
    pipe_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench pipe");
    if (!pipe_method || !BIO_meth_set_write(pipe_method, bio_write) ||
        !BIO_meth_set_read(pipe_method, bio_read) || !BIO_meth_set_ctrl(pipe_method, bio_ctrl) ||
        !BIO_meth_set_create(pipe_method, bio_create))
        return -1;
    server_ctx = SSL_CTX_new(TLS_server_method());
    client_ctx = SSL_CTX_new(TLS_client_method());
    if (!server_ctx || !client_ctx)
        return -1;
    int v = SC->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX *ctxs[2] = {server_ctx, client_ctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX *c = ctxs[i];
        if (!SSL_CTX_set_min_proto_version(c, v) || !SSL_CTX_set_max_proto_version(c, v) ||
            !SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256") ||
            !SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256") ||
            !SSL_CTX_set1_groups_list(c, "P-256"))
            return -1;
    }
    if (SSL_CTX_use_certificate_chain_file(server_ctx, CERT) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, KEY, SSL_FILETYPE_PEM) != 1)
        return -1;
    if (SSL_CTX_load_verify_locations(client_ctx, CA, NULL) != 1)
        return -1;
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
    switch (SC->resume) {
    case RESUME_NONE:
        SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(server_ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(server_ctx, 0);
        SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_OFF);
        break;
    case RESUME_TICKET:
        SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(server_ctx, 1);
        SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_CLIENT);
        break;
    case RESUME_SESSION_ID:
        SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_SERVER);
        SSL_CTX_set_options(server_ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_id_context(server_ctx, (const unsigned char *)"bench", 5);
        SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_CLIENT);
        SSL_CTX_set_options(client_ctx, SSL_OP_NO_TICKET);
        break;
    }
    return 0;
}

struct client_state {
    SSL_SESSION *session;
};

struct client_state *impl_client_state_new(void) { return calloc(1, sizeof(struct client_state)); }

struct held {
    SSL *server, *client;
    struct end cend, send;
};

static SSL *ssl_new(SSL_CTX *ctx, struct end *e)
{
    SSL *s = SSL_new(ctx);
    BIO *b = BIO_new(pipe_method);
    if (!s || !b) {
        SSL_free(s);
        BIO_free(b);
        return NULL;
    }
    BIO_set_data(b, e);
    SSL_set_bio(s, b, b);
    return s;
}

/* Frees a connection as one closed cleanly: OpenSSL makes the session of a
 * connection freed without a shutdown unresumable. */
static void ssl_free(SSL *s)
{
    if (s)
        SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(s);
}

static int blocked(SSL *s, int rc)
{
    int e = SSL_get_error(s, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

int impl_pair(struct client_state *cs, struct pipe_pair *p, int *resumed, char *desc,
              struct held **hold)
{
    struct held local, *h = hold ? malloc(sizeof *h) : &local;
    if (!h)
        return -1;
    pipe_reset(p, &h->cend, &h->send);
    h->server = ssl_new(server_ctx, &h->send);
    h->client = ssl_new(client_ctx, &h->cend);
    int rc = -1;
    if (!h->server || !h->client)
        goto out;
    SSL_set_accept_state(h->server);
    SSL_set_connect_state(h->client);
    if (SSL_set_tlsext_host_name(h->client, "localhost") != 1 ||
        SSL_set1_host(h->client, "localhost") != 1)
        goto out;
    if (cs->session && SSL_set_session(h->client, cs->session) != 1)
        goto out;
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 100 && !(cdone && sdone); round++) {
        int r;
        if (!cdone) {
            r = SSL_do_handshake(h->client);
            if (r == 1)
                cdone = 1;
            else if (!blocked(h->client, r))
                goto out;
        }
        if (!sdone) {
            r = SSL_do_handshake(h->server);
            if (r == 1)
                sdone = 1;
            else if (!blocked(h->server, r))
                goto out;
        }
    }
    if (!(cdone && sdone))
        goto out;
    /* what the server sent after the handshake (a TLS1.3 ticket) */
    unsigned char byte;
    int r = SSL_read(h->client, &byte, 1);
    if (r > 0 || !blocked(h->client, r))
        goto out;
    *resumed = SSL_session_reused(h->client);
    if (SC->resume != RESUME_NONE) {
        SSL_SESSION *s = SSL_get1_session(h->client);
        if (s && SSL_SESSION_is_resumable(s)) {
            SSL_SESSION_free(cs->session);
            cs->session = s;
        } else {
            SSL_SESSION_free(s);
        }
    }
    if (desc)
        snprintf(desc, 200, "%s %s group=%s", SSL_get_version(h->client),
                 SSL_get_cipher_name(h->client),
                 SSL_group_to_name(h->client, SSL_get_negotiated_group(h->client)));
    rc = 0;
out:
    if (rc != 0)
        ERR_print_errors_fp(stderr);
    if (hold && rc == 0) {
        *hold = h;
        return 0;
    }
    ssl_free(h->client);
    ssl_free(h->server);
    if (hold)
        free(h);
    return rc;
}

void impl_free_client(struct held *h) { ssl_free(h->client); }
void impl_release_server_buffers(struct held *h) { SSL_free_buffers(h->server); }
void impl_free_server(struct held *h)
{
    ssl_free(h->server);
    free(h);
}

int main(int argc, char **argv) { return harness_main(argc, argv); }
