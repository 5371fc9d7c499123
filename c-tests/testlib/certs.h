/*
 * testlib/certs.h: the test PKI in RS2N_CERTS_DIR (c-tests/certs: a CA, ECDSA
 * P-256/P-384 and RSA server certificates for "localhost", one for another
 * name, and another CA) and minimal server and client configs built from it.
 */
#ifndef RS2N_TESTLIB_CERTS_H
#define RS2N_TESTLIB_CERTS_H

#include "harness.h"

#ifndef RS2N_CERTS_DIR
#error "RS2N_CERTS_DIR must name the directory of the test certificates"
#endif

/* A whole file as a malloc'd NUL-terminated string; NULL (with a message) if
 * it cannot be read. */
char *rs2n_read_file(const char *path);

/* RS2N_CERTS_DIR "/" name, read with rs2n_read_file; exits if unreadable. */
char *rs2n_read_cert(const char *name);

/* The full path of a file in RS2N_CERTS_DIR. The string lives in one of 8
 * static buffers used in turn (not thread-safe: call from the main thread). */
const char *rs2n_cert_path(const char *name);

/* The server certificates of the test PKI (chain files: leaf + CA). */
enum rs2n_cert_kind {
    RS2N_CERT_ECDSA_P256,
    RS2N_CERT_ECDSA_P384,
    RS2N_CERT_RSA2048,
    RS2N_CERT_WRONG_NAME, /* SAN DNS:wrong.example only */
};

const char *rs2n_cert_kind_name(enum rs2n_cert_kind kind);
/* "ecdsa_p256_cert.pem" etc. and the matching key file. */
const char *rs2n_cert_file(enum rs2n_cert_kind kind);
const char *rs2n_key_file(enum rs2n_cert_kind kind);

/* s2n_config_new_minimal() with `policy` (NULL: keep the default) and the
 * certificate `kind` added. Exits on failure. */
struct s2n_config *rs2n_server_config(enum rs2n_cert_kind kind, const char *policy);

/* s2n_config_new_minimal() with `policy` (NULL: default) trusting the CA in
 * RS2N_CERTS_DIR/`ca_file` (NULL: trusting nothing). Verification stays on.
 * Exits on failure. */
struct s2n_config *rs2n_client_config(const char *ca_file, const char *policy);

#endif /* RS2N_TESTLIB_CERTS_H */
