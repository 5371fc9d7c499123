/*
 * tls_extras.h: key logging, the TLS exporter and OCSP stapling for rs2nd.c and
 * rs2nc.c (header-only, like example_util.h, which must be included first).
 *
 *   --keylog FILE        append the connection's secrets to FILE in the NSS key
 *                        log format (s2n_config_set_key_log_cb): for debugging only.
 *   --export LABEL:LEN   after each TLS1.3 handshake, print LEN bytes of keying
 *                        material for LABEL (s2n_connection_tls_exporter, empty
 *                        context) as "Keying material: HEX", as OpenSSL does.
 */
#ifndef RS2N_EXAMPLES_TLS_EXTRAS_H
#define RS2N_EXAMPLES_TLS_EXTRAS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <s2n.h>

/* The key log callback: one line per secret, appended to the FILE * in ctx. */
static inline int extras_key_log(void *ctx, struct s2n_connection *conn, uint8_t *line, size_t len)
{
    FILE *f = ctx;
    (void)conn;
    fwrite(line, 1, len, f);
    fputc('\n', f);
    fflush(f);
    return 0;
}

/* Opens FILE for --keylog and sets the callback; 0 or -1 (a message printed). */
static inline int extras_set_keylog(struct s2n_config *config, const char *path, FILE **out)
{
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        msg("cannot open --keylog %s: %s", path, strerror(errno));
        return -1;
    }
    if (s2n_config_set_key_log_cb(config, extras_key_log, f) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_key_log_cb");
        fclose(f);
        return -1;
    }
    *out = f;
    return 0;
}

/* Checks an --export LABEL:LEN value (LEN 1 to 1024); 0 or -1. */
static inline int extras_check_export(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    long len = colon ? strtol(colon + 1, NULL, 10) : 0;
    if (colon == NULL || colon == spec || len < 1 || len > 1024) {
        msg("bad --export %s: LABEL:LEN with LEN from 1 to 1024", spec);
        return -1;
    }
    return 0;
}

/* Prints "Keying material: HEX" (uppercase, as OpenSSL) for --export, or the error. */
static inline void extras_print_export(struct s2n_connection *conn, const char *spec, FILE *out)
{
    const char *colon = strrchr(spec, ':');
    uint32_t len = (uint32_t)strtol(colon + 1, NULL, 10);
    uint8_t material[1024];
    if (s2n_connection_tls_exporter(conn, (const uint8_t *)spec, (uint32_t)(colon - spec),
                                    (const uint8_t *)"", 0, material, len) != S2N_SUCCESS) {
        fprintf(out, "Keying material: error: %s (%s)\n", s2n_strerror_debug(s2n_errno, "EN"),
                s2n_strerror_name(s2n_errno));
        return;
    }
    fprintf(out, "Keying material: ");
    for (uint32_t i = 0; i < len; i++) {
        fprintf(out, "%02X", material[i]);
    }
    fprintf(out, "\n");
}

/* Reads a whole binary file (at most 1 MiB) into a malloc'd buffer; NULL on error. */
static inline uint8_t *extras_read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = f ? malloc(1 << 20) : NULL;
    size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
    if (f) {
        fclose(f);
    }
    if (buf == NULL || n == 0 || n == (1 << 20)) {
        msg("cannot read %s", path);
        free(buf);
        return NULL;
    }
    *len = (uint32_t)n;
    return buf;
}

#endif /* RS2N_EXAMPLES_TLS_EXTRAS_H */
