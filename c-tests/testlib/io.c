/* testlib/io.c: socket pair helpers and the in-memory pipe's queues and
 * s2n I/O callbacks. */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

int rs2n_socketpair(int fds[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        perror("socketpair");
        return -1;
    }
    return 0;
}

static int set_flag(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags) < 0 ? -1 : 0;
}

int rs2n_set_nonblocking(int fd)
{
    return set_flag(fd, 1);
}

int rs2n_set_blocking(int fd)
{
    return set_flag(fd, 0);
}

void rs2n_close(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int rs2n_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* In-memory pipe                                                            */
/* ------------------------------------------------------------------------- */

void rs2n_mem_pipe_init(struct rs2n_mem_pipe *p)
{
    memset(p, 0, sizeof(*p));
    p->a.in = &p->b_to_a;
    p->a.out = &p->a_to_b;
    p->b.in = &p->a_to_b;
    p->b.out = &p->b_to_a;
}

void rs2n_mem_pipe_free(struct rs2n_mem_pipe *p)
{
    free(p->a_to_b.data);
    free(p->b_to_a.data);
    p->a_to_b.data = NULL;
    p->b_to_a.data = NULL;
}

size_t rs2n_mem_queue_pending(const struct rs2n_mem_queue *q)
{
    return q->len - q->off;
}

void rs2n_mem_queue_push(struct rs2n_mem_queue *q, const void *buf, size_t len)
{
    if (q->off > 0 && q->off == q->len) {
        q->off = q->len = 0;
    }
    if (q->len + len > q->cap) {
        size_t cap = q->cap ? q->cap : 1024;
        while (cap < q->len + len) {
            cap *= 2;
        }
        uint8_t *bigger = realloc(q->data, cap);
        if (bigger == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        q->data = bigger;
        q->cap = cap;
    }
    if (len) {
        memcpy(q->data + q->len, buf, len);
    }
    q->len += len;
    q->total += len;
}

int rs2n_mem_recv(void *ctx, uint8_t *buf, uint32_t len)
{
    struct rs2n_mem_end *end = ctx;
    end->recv_calls++;
    size_t avail = rs2n_mem_queue_pending(end->in);
    if (avail == 0) {
        if (end->in->closed) {
            return 0;
        }
        end->would_block++;
        errno = EAGAIN;
        return -1;
    }
    size_t n = len < avail ? len : avail;
    if (end->max_io && n > end->max_io) {
        n = end->max_io;
    }
    memcpy(buf, end->in->data + end->in->off, n);
    end->in->off += n;
    return (int) n;
}

int rs2n_mem_send(void *ctx, const uint8_t *buf, uint32_t len)
{
    struct rs2n_mem_end *end = ctx;
    end->send_calls++;
    if (end->out->closed) {
        errno = EPIPE;
        return -1;
    }
    size_t n = len;
    if (end->max_io && n > end->max_io) {
        n = end->max_io;
    }
    if (end->out_limit) {
        size_t held = rs2n_mem_queue_pending(end->out);
        size_t room = held >= end->out_limit ? 0 : end->out_limit - held;
        if (room == 0) {
            end->would_block++;
            errno = EAGAIN;
            return -1;
        }
        if (n > room) {
            n = room;
        }
    }
    rs2n_mem_queue_push(end->out, buf, n);
    return (int) n;
}

int rs2n_connection_set_mem_io(struct s2n_connection *conn, struct rs2n_mem_end *end)
{
    if (s2n_connection_set_recv_cb(conn, rs2n_mem_recv) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_send_cb(conn, rs2n_mem_send) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_recv_ctx(conn, end) != S2N_SUCCESS) {
        return -1;
    }
    if (s2n_connection_set_send_ctx(conn, end) != S2N_SUCCESS) {
        return -1;
    }
    return 0;
}
