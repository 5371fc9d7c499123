/* testlib/certs.c: reading the test PKI and building configs from it. */
#include "certs.h"

#include <errno.h>

char *rs2n_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

const char *rs2n_cert_path(const char *name)
{
    static char paths[8][1024];
    static unsigned next = 0;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", RS2N_CERTS_DIR, name);
    return p;
}

char *rs2n_read_cert(const char *name)
{
    char *s = rs2n_read_file(rs2n_cert_path(name));
    if (s == NULL) {
        fprintf(stderr, "test certificate %s is missing\n", name);
        exit(1);
    }
    return s;
}

const char *rs2n_cert_kind_name(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ECDSA P-256";
    case RS2N_CERT_ECDSA_P384: return "ECDSA P-384";
    case RS2N_CERT_RSA2048: return "RSA-2048";
    case RS2N_CERT_WRONG_NAME: return "wrong.example";
    }
    return "?";
}

const char *rs2n_cert_file(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ecdsa_p256_cert.pem";
    case RS2N_CERT_ECDSA_P384: return "ecdsa_p384_cert.pem";
    case RS2N_CERT_RSA2048: return "rsa2048_cert.pem";
    case RS2N_CERT_WRONG_NAME: return "wrong_name_cert.pem";
    }
    return "?";
}

const char *rs2n_key_file(enum rs2n_cert_kind kind)
{
    switch (kind) {
    case RS2N_CERT_ECDSA_P256: return "ecdsa_p256_key.pem";
    case RS2N_CERT_ECDSA_P384: return "ecdsa_p384_key.pem";
    case RS2N_CERT_RSA2048: return "rsa2048_key.pem";
    case RS2N_CERT_WRONG_NAME: return "wrong_name_key.pem";
    }
    return "?";
}

struct s2n_config *rs2n_server_config(enum rs2n_cert_kind kind, const char *policy)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        rs2n_die_s2n("s2n_config_new_minimal");
    }
    if (policy && s2n_config_set_cipher_preferences(config, policy) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_set_cipher_preferences");
    }
    char *cert = rs2n_read_cert(rs2n_cert_file(kind));
    char *key = rs2n_read_cert(rs2n_key_file(kind));
    if (s2n_config_add_cert_chain_and_key(config, cert, key) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_add_cert_chain_and_key");
    }
    free(cert);
    free(key);
    return config;
}

struct s2n_config *rs2n_client_config(const char *ca_file, const char *policy)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        rs2n_die_s2n("s2n_config_new_minimal");
    }
    if (policy && s2n_config_set_cipher_preferences(config, policy) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_config_set_cipher_preferences");
    }
    if (ca_file) {
        char *ca = rs2n_read_cert(ca_file);
        if (s2n_config_add_pem_to_trust_store(config, ca) != S2N_SUCCESS) {
            rs2n_die_s2n("s2n_config_add_pem_to_trust_store");
        }
        free(ca);
    }
    return config;
}
