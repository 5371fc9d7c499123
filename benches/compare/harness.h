/* The side of each driver that does not depend on the TLS library: the
 * in-memory transport, the scenarios, the timing and the command loop the
 * runner (compare.py) speaks over stdin/stdout. Each driver (driver_s2n.c,
 * built once against rs2n and once against s2n-tls; driver_openssl.c)
 * implements the impl_* functions below for its library. */
#ifndef RS2N_BENCH_HARNESS_H
#define RS2N_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* One direction of the pipe: bytes written and not yet read. */
#define QUEUE_CAP (1u << 16)
struct queue {
    unsigned char buf[QUEUE_CAP];
    size_t r, w;
};
struct pipe_pair {
    struct queue c2s, s2c;
};
struct end {
    struct queue *rx, *tx;
};
/* Reads up to len bytes; -1 (errno EAGAIN) when empty. */
int end_read(struct end *e, unsigned char *out, size_t len);
/* Writes all of buf; -1 (errno ENOBUFS) when full. */
int end_write(struct end *e, const unsigned char *buf, size_t len);
int end_readable(const struct end *e);
void pipe_reset(struct pipe_pair *p, struct end *client, struct end *server);

enum resume { RESUME_NONE, RESUME_TICKET, RESUME_SESSION_ID };
struct scenario {
    const char *name;  /* the runner's key */
    int tls13;         /* 1: TLS1.3 (s2n policy default_tls13), 0: TLS1.2 (20240501) */
    enum resume resume;
    int rsa;           /* 1: RSA-2048 certificate, 0: ECDSA P-256 */
};
extern const struct scenario *SC;
/* Certificate, key and CA file names, from the command line. */
extern const char *CERT, *KEY, *CA;

/* Per-thread client state (the session to resume); opaque to the harness. */
struct client_state;
/* One established pair kept alive (memory figure). */
struct held;

int impl_init(void);                 /* once, after SC/CERT/KEY/CA are set */
const char *impl_name(void);
struct client_state *impl_client_state_new(void);
/* Makes both connections over the pipe, runs the handshake, has the client
 * read what follows it, and, unless hold is non-NULL, frees both. Stores the
 * client's session for the next pair. Returns 0, or -1 on any failure; sets
 * *resumed; fills desc (at most 200 bytes) when non-NULL. */
int impl_pair(struct client_state *cs, struct pipe_pair *p, int *resumed, char *desc,
              struct held **hold);
void impl_free_client(struct held *h);
void impl_release_server_buffers(struct held *h); /* no-op where impossible */
void impl_free_server(struct held *h);

int harness_main(int argc, char **argv);

#endif
