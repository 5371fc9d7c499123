/*
 * Async private keys (s2n_config_set_async_pkey_callback and s2n_async_pkey_op_*),
 * under TLS1.3 and TLS1.2, with ECDSA and RSA certificates:
 *   - completed inside the callback: the callback finds the selected certificate
 *     and its key through the connection (usable inside the callback), performs
 *     and applies; the handshake never reports blocked on application input;
 *   - completed later from another thread, as with a remote key service: the
 *     server's chain is loaded public only, s2n_negotiate reports
 *     S2N_BLOCKED_ON_APPLICATION_INPUT (S2N_ERR_T_BLOCKED) until the op is
 *     applied, the callback runs once, and the signature comes from a chain
 *     holding the key (perform), or from get_input + set_output: the digest
 *     signed by `openssl pkeyutl` (ECDSA, RSA-PSS) as a key service would, and
 *     accepted by strict validation and by the client (skipped without openssl);
 *   - strict validation catches a wrong signature at apply, and the handshake
 *     fails cleanly once the op is freed; without strict validation the client
 *     refuses it; an op freed without apply fails the handshake; a callback that
 *     fails fails the handshake; a connection freed with an op pending does not
 *     hang, and the op can be freed afterwards;
 *   - a client's certificate signed asynchronously (mutual TLS);
 *   - verify-after-sign; s2n_connection_handshake_complete;
 *     s2n_conn_get_signature_public_key_type; DH parameters; NULL and bad
 *     arguments everywhere.
 */
#include <pthread.h>
#include <unistd.h>

#include "testlib.h"

enum cb_mode {
    CB_INLINE,   /* perform with the selected certificate's key, apply, free */
    CB_KEEP,     /* keep the op for later */
    CB_FAIL,     /* free the op and return -1 */
};

static enum cb_mode cb_mode;
static struct s2n_async_pkey_op *kept_op;
static struct s2n_connection *kept_conn;
static int cb_calls;
static int cb_checks_ok;

static int pkey_cb(struct s2n_connection *conn, struct s2n_async_pkey_op *op)
{
    cb_calls++;
    s2n_async_pkey_op_type type = S2N_ASYNC_DECRYPT;
    uint32_t size = 0;
    uint8_t digest[64];
    cb_checks_ok = s2n_async_pkey_op_get_op_type(op, &type) == S2N_SUCCESS && type == S2N_ASYNC_SIGN
                   && s2n_async_pkey_op_get_input_size(op, &size) == S2N_SUCCESS
                   && (size == 32 || size == 48 || size == 64)
                   && s2n_async_pkey_op_get_input(op, digest, sizeof(digest)) == S2N_SUCCESS;
    switch (cb_mode) {
        case CB_INLINE: {
            /* The connection is usable inside the callback, but cannot be freed
             * or wiped there. */
            if (s2n_connection_free(conn) == 0 || s2n_connection_wipe(conn) == 0
                || strcmp(s2n_strerror_name(s2n_errno), "S2N_ERR_CONNECTION_IN_USE") != 0) {
                cb_checks_ok = 0;
            }
            struct s2n_cert_chain_and_key *chain = s2n_connection_get_selected_cert(conn);
            s2n_tls_signature_algorithm sig = S2N_TLS_SIGNATURE_ANONYMOUS;
            if (s2n_connection_get_selected_signature_algorithm(conn, &sig) != S2N_SUCCESS
                || sig == S2N_TLS_SIGNATURE_ANONYMOUS) {
                cb_checks_ok = 0;
            }
            if (chain == NULL || s2n_async_pkey_op_perform(op, s2n_cert_chain_and_key_get_private_key(chain)) != 0
                || s2n_async_pkey_op_apply(op, conn) != 0) {
                rs2n_print_s2n_error("inline");
                cb_checks_ok = 0;
            }
            /* Applied already: a second apply is refused. */
            if (s2n_async_pkey_op_apply(op, conn) == 0) {
                cb_checks_ok = 0;
            }
            s2n_async_pkey_op_free(op);
            return S2N_SUCCESS;
        }
        case CB_KEEP:
            kept_op = op;
            kept_conn = conn;
            return S2N_SUCCESS;
        case CB_FAIL:
            s2n_async_pkey_op_free(op);
            return -1;
    }
    return -1;
}

/* The application's key service: a chain holding the private key. */
static struct s2n_cert_chain_and_key *key_service(const char *cert, const char *key)
{
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    char *c = rs2n_read_cert(cert), *k = rs2n_read_cert(key);
    REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_pem(ck, c, k));
    free(c);
    free(k);
    return ck;
}

static struct s2n_cert_chain_and_key *public_only(const char *cert)
{
    struct s2n_cert_chain_and_key *ck = s2n_cert_chain_and_key_new();
    REQUIRE_NOT_NULL(ck);
    char *c = rs2n_read_cert(cert);
    REQUIRE_SUCCESS(s2n_cert_chain_and_key_load_public_pem_bytes(ck, (uint8_t *) c, (uint32_t) strlen(c)));
    free(c);
    return ck;
}

/* A server config serving `chain` (app-owned) with the callback. */
static struct s2n_config *async_server(struct s2n_cert_chain_and_key *chain, const char *policy)
{
    struct s2n_config *c = s2n_config_new_minimal();
    REQUIRE_NOT_NULL(c);
    REQUIRE_SUCCESS(s2n_config_set_cipher_preferences(c, policy));
    REQUIRE_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(c, chain));
    REQUIRE_SUCCESS(s2n_config_set_async_pkey_callback(c, pkey_cb));
    return c;
}

/* Negotiates both sides until the server blocks on application input. Returns
 * 0 then, -1 if it never did. */
static int until_application_input(struct rs2n_pair *p)
{
    for (int i = 0; i < 20; i++) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_negotiate(p->client, &blocked);
        s2n_errno = S2N_ERR_T_OK;
        int rc = s2n_negotiate(p->server, &blocked);
        if (rc == 0) {
            return -1;
        }
        if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_print_s2n_error("server");
            return -1;
        }
        if (blocked == S2N_BLOCKED_ON_APPLICATION_INPUT) {
            return 0;
        }
    }
    return -1;
}

struct later_job {
    struct s2n_async_pkey_op *op;
    struct s2n_connection *conn;
    struct s2n_cert_chain_and_key *service;
    int rc;
};

static void *complete_later(void *arg)
{
    struct later_job *job = arg;
    job->rc = s2n_async_pkey_op_perform(job->op, s2n_cert_chain_and_key_get_private_key(job->service));
    if (job->rc == 0) {
        job->rc = s2n_async_pkey_op_apply(job->op, job->conn);
    }
    return NULL;
}

static void inline_completion(const char *policy, enum rs2n_cert_kind kind)
{
    struct s2n_cert_chain_and_key *chain = key_service(rs2n_cert_file(kind), rs2n_key_file(kind));
    struct s2n_config *server = async_server(chain, policy);
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    cb_mode = CB_INLINE;
    cb_calls = 0;
    cb_checks_ok = 0;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    struct rs2n_pair_result res;
    EXPECT_FALSE(s2n_connection_handshake_complete(p.server));
    EXPECT_SUCCESS(rs2n_negotiate_pair(p.server, p.client, &res));
    EXPECT_EQUAL(cb_calls, 1);
    EXPECT_TRUE(cb_checks_ok);
    EXPECT_TRUE(s2n_connection_handshake_complete(p.server));
    EXPECT_TRUE(s2n_connection_handshake_complete(p.client));

    /* The key types, both sides. */
    char name[32];
    uint32_t size = sizeof(name);
    const char *expected = kind == RS2N_CERT_RSA2048 ? "rsa2048" : "ecdsa_secp256r1";
    EXPECT_SUCCESS(s2n_conn_get_signature_public_key_type(p.server, S2N_SERVER, name, &size));
    EXPECT_STRING_EQUAL(name, expected);
    EXPECT_EQUAL(size, strlen(expected) + 1);
    size = sizeof(name);
    EXPECT_SUCCESS(s2n_conn_get_signature_public_key_type(p.client, S2N_SERVER, name, &size));
    EXPECT_STRING_EQUAL(name, expected);
    size = 3;
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(p.client, S2N_SERVER, name, &size),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");
    EXPECT_EQUAL(size, strlen(expected) + 1);
    /* No client certificate. */
    size = sizeof(name);
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(p.server, S2N_CLIENT, name, &size),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(p.server, 7, name, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(p.server, S2N_SERVER, NULL, &size),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(p.server, S2N_SERVER, name, NULL),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_conn_get_signature_public_key_type(NULL, S2N_SERVER, name, &size),
                             S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
}

static void later_completion(const char *policy, enum rs2n_cert_kind kind, int strict)
{
    struct s2n_cert_chain_and_key *chain = public_only(rs2n_cert_file(kind));
    struct s2n_cert_chain_and_key *service = key_service(rs2n_cert_file(kind), rs2n_key_file(kind));
    struct s2n_config *server = async_server(chain, policy);
    if (strict) {
        EXPECT_SUCCESS(s2n_config_set_async_pkey_validation_mode(server, S2N_ASYNC_PKEY_VALIDATION_STRICT));
    }
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    cb_mode = CB_KEEP;
    cb_calls = 0;
    kept_op = NULL;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_SUCCESS(until_application_input(&p));
    EXPECT_EQUAL(cb_calls, 1);
    EXPECT_TRUE(cb_checks_ok);
    EXPECT_TRUE(kept_op != NULL && kept_conn == p.server);
    /* Still waiting: blocked again, the callback not called again. */
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.server, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_EQUAL(blocked, S2N_BLOCKED_ON_APPLICATION_INPUT);
    EXPECT_EQUAL(cb_calls, 1);
    EXPECT_FALSE(s2n_connection_handshake_complete(p.server));
    /* Not performed yet; not this connection. */
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(kept_op, p.server), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_ASYNC_NOT_PERFORMED");

    struct later_job job = { kept_op, p.server, service, -1 };
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, complete_later, &job) == 0);
    pthread_join(t, NULL);
    EXPECT_EQUAL(job.rc, 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_perform(kept_op, s2n_cert_chain_and_key_get_private_key(service)),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_ASYNC_ALREADY_PERFORMED");
    EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
    struct rs2n_pair_result res;
    int rc = rs2n_negotiate_pair(p.server, p.client, &res);
    if (rc != 0) {
        rs2n_print_pair_result(policy, &res);
    }
    EXPECT_EQUAL(rc, 0);
    EXPECT_TRUE(s2n_connection_handshake_complete(p.client));
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(service));
}

/* Signs `digest` with `openssl pkeyutl`, as an external key service would, for
 * the algorithm the server chose. Returns the signature's length, 0 if openssl
 * cannot be run, -1 on other errors. */
static int openssl_sign(const char *key, s2n_tls_signature_algorithm sig, s2n_tls_hash_algorithm hash,
                        const uint8_t *digest, uint32_t len, uint8_t *out, size_t out_len)
{
    if (system("openssl version >/dev/null 2>&1") != 0) {
        return 0;
    }
    char in_path[] = "/tmp/rs2n-digest-XXXXXX", out_path[] = "/tmp/rs2n-sig-XXXXXX";
    int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path);
    if (in_fd < 0 || out_fd < 0) {
        return -1;
    }
    int ok = write(in_fd, digest, len) == (ssize_t) len;
    close(in_fd);
    close(out_fd);
    const char *md = hash == S2N_TLS_HASH_SHA384 ? "sha384" : hash == S2N_TLS_HASH_SHA512 ? "sha512" : "sha256";
    char opts[256] = "";
    if (sig == S2N_TLS_SIGNATURE_RSA_PSS_RSAE) {
        snprintf(opts, sizeof(opts), "-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest -pkeyopt digest:%s", md);
    } else if (sig == S2N_TLS_SIGNATURE_RSA) {
        snprintf(opts, sizeof(opts), "-pkeyopt digest:%s", md);
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "openssl pkeyutl -sign -inkey %s -in %s -out %s %s", rs2n_cert_path(key), in_path,
             out_path, opts);
    ok = ok && system(cmd) == 0;
    int n = -1;
    FILE *f = fopen(out_path, "rb");
    if (ok && f != NULL) {
        n = (int) fread(out, 1, out_len, f);
    }
    if (f != NULL) {
        fclose(f);
    }
    unlink(in_path);
    unlink(out_path);
    return n;
}

/* The digest, signed outside rs2n: get_input, sign, set_output, apply. */
static void digest_signed_elsewhere(const char *policy, enum rs2n_cert_kind kind)
{
    struct s2n_cert_chain_and_key *chain = public_only(rs2n_cert_file(kind));
    struct s2n_config *server = async_server(chain, policy);
    EXPECT_SUCCESS(s2n_config_set_async_pkey_validation_mode(server, S2N_ASYNC_PKEY_VALIDATION_STRICT));
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    cb_mode = CB_KEEP;
    kept_op = NULL;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_SUCCESS(until_application_input(&p));
    REQUIRE(kept_op != NULL);
    s2n_tls_signature_algorithm sig = S2N_TLS_SIGNATURE_ANONYMOUS;
    s2n_tls_hash_algorithm hash = S2N_TLS_HASH_NONE;
    EXPECT_SUCCESS(s2n_connection_get_selected_signature_algorithm(p.server, &sig));
    EXPECT_SUCCESS(s2n_connection_get_selected_digest_algorithm(p.server, &hash));
    uint8_t digest[64], signature[1024];
    uint32_t len = 0;
    EXPECT_SUCCESS(s2n_async_pkey_op_get_input_size(kept_op, &len));
    EXPECT_SUCCESS(s2n_async_pkey_op_get_input(kept_op, digest, sizeof(digest)));
    int n = openssl_sign(rs2n_key_file(kind), sig, hash, digest, len, signature, sizeof(signature));
    if (n == 0) {
        printf("(openssl not found: the digest is not signed outside rs2n)\n");
    } else {
        EXPECT_TRUE(n > 0);
        EXPECT_SUCCESS(s2n_async_pkey_op_set_output(kept_op, signature, (uint32_t) n));
        EXPECT_SUCCESS(s2n_async_pkey_op_apply(kept_op, p.server));
        struct rs2n_pair_result res;
        EXPECT_SUCCESS(rs2n_negotiate_pair(p.server, p.client, &res));
    }
    EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
}

/* The handshake after an op went wrong (`how`): 0 wrong output with strict
 * validation, 1 wrong output without, 2 freed unapplied, 3 callback fails, 4
 * connection freed while the op waits. */
static void failures(int how)
{
    const char *policy = "default_tls13";
    struct s2n_cert_chain_and_key *chain = public_only("ecdsa_p256_cert.pem");
    struct s2n_config *server = async_server(chain, policy);
    if (how == 0) {
        EXPECT_SUCCESS(s2n_config_set_async_pkey_validation_mode(server, S2N_ASYNC_PKEY_VALIDATION_STRICT));
    }
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    cb_mode = how == 3 ? CB_FAIL : CB_KEEP;
    kept_op = NULL;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    struct rs2n_pair_result res;
    if (how == 3) {
        EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), -1);
        EXPECT_EQUAL(res.server.type, S2N_ERR_T_INTERNAL);
        EXPECT_STRING_EQUAL(res.server.name, "S2N_ERR_ASYNC_CALLBACK_FAILED");
        rs2n_pair_close(&p);
    } else {
        EXPECT_SUCCESS(until_application_input(&p));
        REQUIRE(kept_op != NULL);
        uint8_t garbage[72] = { 0x30, 0x45 };
        if (how == 0 || how == 1) {
            EXPECT_SUCCESS(s2n_async_pkey_op_set_output(kept_op, garbage, sizeof(garbage)));
        }
        if (how == 0) {
            EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(kept_op, p.server), S2N_ERR_T_PROTO);
            EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_VERIFY_SIGNATURE");
        }
        if (how == 1) {
            EXPECT_SUCCESS(s2n_async_pkey_op_apply(kept_op, p.server));
        }
        if (how == 4) {
            /* Freed while the op waits: no hang; the op can be freed after. */
            rs2n_pair_close(&p);
            EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_set_output(kept_op, NULL, 4), S2N_ERR_T_USAGE);
            EXPECT_SUCCESS(s2n_async_pkey_op_set_output(kept_op, garbage, sizeof(garbage)));
            EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(kept_op, kept_conn), S2N_ERR_T_USAGE);
            EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_ASYNC_WRONG_CONNECTION");
            EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
        } else {
            EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
            EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), -1);
            if (how == 1) {
                /* The client refuses the signature and tells the server. */
                EXPECT_NOT_EQUAL(res.client.type, S2N_ERR_T_OK);
            } else {
                EXPECT_STRING_EQUAL(res.server.name, "S2N_ERR_ASYNC_CALLBACK_FAILED");
            }
            rs2n_pair_close(&p);
        }
    }
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
}

static uint8_t any_name(const char *name, size_t len, void *data)
{
    (void) name;
    (void) len;
    (void) data;
    return 1;
}

/* A client whose certificate's key is offloaded, for a server requiring one. */
static void client_certificate(const char *policy)
{
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    char *ca = rs2n_read_cert("ca_cert.pem");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(server, ca));
    free(ca);
    EXPECT_SUCCESS(s2n_config_set_client_auth_type(server, S2N_CERT_AUTH_REQUIRED));
    EXPECT_SUCCESS(s2n_config_set_verify_host_callback(server, any_name, NULL));
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    struct s2n_cert_chain_and_key *chain = public_only("client_cert.pem");
    struct s2n_cert_chain_and_key *service = key_service("client_cert.pem", "client_key.pem");
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(client, chain));
    EXPECT_SUCCESS(s2n_config_set_async_pkey_callback(client, pkey_cb));
    cb_mode = CB_KEEP;
    kept_op = NULL;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    int waited = 0;
    struct rs2n_pair_result res;
    for (int i = 0; i < 20 && !waited; i++) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_negotiate(p.server, &blocked);
        if (s2n_negotiate(p.client, &blocked) != 0 && blocked == S2N_BLOCKED_ON_APPLICATION_INPUT) {
            waited = 1;
        }
    }
    EXPECT_TRUE(waited);
    REQUIRE(kept_op != NULL);
    EXPECT_TRUE(kept_conn == p.client);
    EXPECT_SUCCESS(s2n_async_pkey_op_perform(kept_op, s2n_cert_chain_and_key_get_private_key(service)));
    EXPECT_SUCCESS(s2n_async_pkey_op_apply(kept_op, p.client));
    EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
    EXPECT_SUCCESS(rs2n_negotiate_pair(p.server, p.client, &res));
    EXPECT_TRUE(s2n_connection_client_cert_used(p.server) == 1);
    char name[32];
    uint32_t size = sizeof(name);
    EXPECT_SUCCESS(s2n_conn_get_signature_public_key_type(p.client, S2N_CLIENT, name, &size));
    EXPECT_STRING_EQUAL(name, "ecdsa_secp256r1");
    size = sizeof(name);
    EXPECT_SUCCESS(s2n_conn_get_signature_public_key_type(p.server, S2N_CLIENT, name, &size));
    EXPECT_STRING_EQUAL(name, "ecdsa_secp256r1");
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(service));
}

static void verify_after_sign(void)
{
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_RSA2048, "default");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default");
    EXPECT_SUCCESS(s2n_config_set_verify_after_sign(server, S2N_VERIFY_AFTER_SIGN_ENABLED));
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    EXPECT_SUCCESS(rs2n_pair_handshake(&p, server, client, "localhost", &res));
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_set_verify_after_sign(server, S2N_VERIFY_AFTER_SIGN_DISABLED));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verify_after_sign(server, 2), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_verify_after_sign(NULL, S2N_VERIFY_AFTER_SIGN_ENABLED),
                             S2N_ERR_T_USAGE);
    /* A public-only chain with no callback cannot sign. */
    struct s2n_cert_chain_and_key *chain = public_only("ecdsa_p256_cert.pem");
    struct s2n_config *bare = s2n_config_new_minimal();
    EXPECT_SUCCESS(s2n_config_add_cert_chain_and_key_to_store(bare, chain));
    EXPECT_EQUAL(rs2n_pair_handshake(&p, bare, client, "localhost", &res), -1);
    EXPECT_EQUAL(res.server.type, S2N_ERR_T_USAGE);
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_config_free(bare));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
}

static void bad_arguments(void)
{
    struct s2n_config *c = s2n_config_new_minimal();
    EXPECT_SUCCESS(s2n_config_set_async_pkey_callback(c, pkey_cb));
    EXPECT_SUCCESS(s2n_config_set_async_pkey_callback(c, NULL));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_async_pkey_callback(NULL, pkey_cb), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_set_async_pkey_validation_mode(c, S2N_ASYNC_PKEY_VALIDATION_FAST));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_async_pkey_validation_mode(c, 5), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_set_async_pkey_validation_mode(NULL, S2N_ASYNC_PKEY_VALIDATION_FAST),
                             S2N_ERR_T_USAGE);
    s2n_async_pkey_op_type type;
    uint32_t size;
    uint8_t buf[8];
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_perform(NULL, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(NULL, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_free(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_op_type(NULL, &type), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_input_size(NULL, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_input(NULL, buf, sizeof(buf)), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_set_output(NULL, buf, sizeof(buf)), S2N_ERR_T_USAGE);
    EXPECT_FALSE(s2n_connection_handshake_complete(NULL));

    /* On a live op: NULL outputs, a short buffer, NULL key and connection. */
    struct s2n_cert_chain_and_key *chain = public_only("ecdsa_p384_cert.pem");
    struct s2n_config *server = async_server(chain, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    cb_mode = CB_KEEP;
    kept_op = NULL;
    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_SUCCESS(until_application_input(&p));
    REQUIRE(kept_op != NULL);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_op_type(kept_op, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_input_size(kept_op, NULL), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_async_pkey_op_get_input_size(kept_op, &size));
    EXPECT_EQUAL(size, 48); /* P-384: SHA-384 */
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_input(kept_op, buf, sizeof(buf)), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_get_input(kept_op, NULL, 64), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_perform(kept_op, NULL), S2N_ERR_T_USAGE);
    /* A chain without its key cannot perform. */
    EXPECT_NULL_WITH_TYPE(s2n_cert_chain_and_key_get_private_key(chain), S2N_ERR_T_USAGE);
    /* The key of another kind of certificate cannot sign this op. */
    struct s2n_cert_chain_and_key *rsa = key_service("rsa2048_cert.pem", "rsa2048_key.pem");
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_perform(kept_op, s2n_cert_chain_and_key_get_private_key(rsa)),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(kept_op, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_async_pkey_op_apply(kept_op, p.client), S2N_ERR_T_USAGE);
    /* Wiping the connection while the op waits is refused from nowhere else than
     * the callback; done here, it ends the wait. */
    EXPECT_SUCCESS(s2n_connection_wipe(p.server));
    EXPECT_SUCCESS(s2n_async_pkey_op_free(kept_op));
    rs2n_pair_close(&p);
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(rsa));
    EXPECT_SUCCESS(s2n_cert_chain_and_key_free(chain));
    EXPECT_SUCCESS(s2n_config_free(server));
    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_config_free(c));
}

static void dh_parameters(void)
{
    struct s2n_config *c = s2n_config_new_minimal();
    char *good = rs2n_read_cert("dhparams_2048.pem");
    char *small = rs2n_read_cert("dhparams_1024.pem");
    EXPECT_SUCCESS(s2n_config_add_dhparams(c, good));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_dhparams(c, small), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_DH_TOO_SMALL");
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_dhparams(c, "junk"), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_dhparams(c, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_config_add_dhparams(NULL, good), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_config_free_dhparams(c));
    EXPECT_SUCCESS(s2n_config_free_dhparams(c));
    EXPECT_FAILURE_WITH_TYPE(s2n_config_free_dhparams(NULL), S2N_ERR_T_USAGE);
    free(good);
    free(small);
    EXPECT_SUCCESS(s2n_config_free(c));
}

int main(void)
{
    rs2n_test_begin("async_pkey", 120);
    bad_arguments();
    dh_parameters();
    verify_after_sign();
    const char *policies[] = { "default_tls13", "20240501" };
    for (int i = 0; i < 2; i++) {
        inline_completion(policies[i], RS2N_CERT_ECDSA_P256);
        inline_completion(policies[i], RS2N_CERT_RSA2048);
        later_completion(policies[i], RS2N_CERT_ECDSA_P256, 0);
        later_completion(policies[i], RS2N_CERT_RSA2048, 1);
        client_certificate(policies[i]);
        digest_signed_elsewhere(policies[i], RS2N_CERT_ECDSA_P256);
        digest_signed_elsewhere(policies[i], RS2N_CERT_RSA2048);
    }
    digest_signed_elsewhere("default_tls13", RS2N_CERT_ECDSA_P384);
    for (int how = 0; how <= 4; how++) {
        failures(how);
    }
    return rs2n_test_finish();
}
