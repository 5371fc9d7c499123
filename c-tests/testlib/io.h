/*
 * testlib/io.h: the transports the tests put connections on: AF_UNIX socket
 * pairs (s2n_connection_set_fd), and an in-memory duplex pipe behind the I/O
 * callbacks, which tests can inspect, limit, change or close.
 */
#ifndef RS2N_TESTLIB_IO_H
#define RS2N_TESTLIB_IO_H

#include "harness.h"

/* Sockets. */

/* A connected AF_UNIX stream socket pair, blocking. Returns 0 or -1. */
int rs2n_socketpair(int fds[2]);

/* O_NONBLOCK on or off. Return 0 or -1. */
int rs2n_set_nonblocking(int fd);
int rs2n_set_blocking(int fd);

/* Closes an fd if >= 0 and sets it to -1. */
void rs2n_close(int *fd);

/* Writes all of buf to a (blocking) fd. Returns 0 or -1. */
int rs2n_write_all(int fd, const void *buf, size_t len);

/* In-memory transport for the I/O callbacks. */

/* A one-way byte queue. */
struct rs2n_mem_queue {
    uint8_t *data;
    size_t len; /* bytes held */
    size_t cap;
    size_t off; /* bytes already read from data */
    int closed; /* the writer has closed: an empty queue reads as end of stream */
    unsigned long long total; /* bytes ever pushed */
};

/* One end of an in-memory duplex pipe: reads `in`, writes `out`. */
struct rs2n_mem_end {
    struct rs2n_mem_queue *in;
    struct rs2n_mem_queue *out;
    size_t max_io;        /* 0: unlimited; else at most this many bytes per call */
    size_t out_limit;     /* 0: unlimited; else `out` holds at most this many bytes */
    unsigned long recv_calls, send_calls, would_block;
};

struct rs2n_mem_pipe {
    struct rs2n_mem_queue a_to_b, b_to_a;
    struct rs2n_mem_end a, b;
};

void rs2n_mem_pipe_init(struct rs2n_mem_pipe *p);
void rs2n_mem_pipe_free(struct rs2n_mem_pipe *p);
/* Appends bytes to a queue (as if the peer had sent them). */
void rs2n_mem_queue_push(struct rs2n_mem_queue *q, const void *buf, size_t len);
/* Bytes waiting in a queue. */
size_t rs2n_mem_queue_pending(const struct rs2n_mem_queue *q);

/* s2n_recv_fn / s2n_send_fn over a struct rs2n_mem_end. An empty queue returns
 * -1 with errno = EAGAIN (or 0 if closed); a full one (out_limit) -1/EAGAIN. */
int rs2n_mem_recv(void *ctx, uint8_t *buf, uint32_t len);
int rs2n_mem_send(void *ctx, const uint8_t *buf, uint32_t len);

/* Sets the callbacks and contexts of conn to `end`. Returns 0 or -1. */
int rs2n_connection_set_mem_io(struct s2n_connection *conn, struct rs2n_mem_end *end);

#endif /* RS2N_TESTLIB_IO_H */
