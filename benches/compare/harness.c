/* See harness.h. Commands (one per line on stdin, one answer line on stdout):
 *   info        one pair; "ok <version cipher group ...>"
 *   run N       N pairs, each timed: "ok t1 t2 ... tN" (ns per pair)
 *   mem N       N pairs established and held: "ok S C R", bytes per
 *               connection held by the server side, the client side, and the
 *               server side after its buffers are released (malloc'd bytes in
 *               use, glibc mallinfo2(), deltas over the N)
 *   mt T MS     T threads making pairs for MS ms: "ok <pairs per second>"
 *   quit
 * Any failure: "error <what>" and exit status 1. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "harness.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct scenario SCENARIOS[] = {
    {"tls13_full", 1, RESUME_NONE, 0},
    {"tls13_resumed", 1, RESUME_TICKET, 0},
    {"tls12_full", 0, RESUME_NONE, 0},
    {"tls12_ticket", 0, RESUME_TICKET, 0},
    {"tls12_session_id", 0, RESUME_SESSION_ID, 0},
    {"tls13_full_rsa", 1, RESUME_NONE, 1},
};
const struct scenario *SC;
const char *CERT, *KEY, *CA;

int end_read(struct end *e, unsigned char *out, size_t len)
{
    struct queue *q = e->rx;
    size_t avail = q->w - q->r;
    if (avail == 0) {
        errno = EAGAIN;
        return -1;
    }
    size_t n = avail < len ? avail : len;
    memcpy(out, q->buf + q->r, n);
    q->r += n;
    if (q->r == q->w)
        q->r = q->w = 0;
    return (int)n;
}

int end_write(struct end *e, const unsigned char *buf, size_t len)
{
    struct queue *q = e->tx;
    if (len > QUEUE_CAP - q->w) {
        errno = ENOBUFS;
        return -1;
    }
    memcpy(q->buf + q->w, buf, len);
    q->w += len;
    return (int)len;
}

int end_readable(const struct end *e) { return e->rx->w > e->rx->r; }

void pipe_reset(struct pipe_pair *p, struct end *client, struct end *server)
{
    p->c2s.r = p->c2s.w = p->s2c.r = p->s2c.w = 0;
    client->rx = &p->s2c;
    client->tx = &p->c2s;
    server->rx = &p->c2s;
    server->tx = &p->s2c;
}

static void fail(const char *what)
{
    printf("error %s: %s\n", impl_name(), what);
    fflush(stdout);
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct client_state *CS;
static struct pipe_pair PIPE;
static int first = 1;

/* One pair; checks it resumed when the scenario resumes (every pair but the
 * process's first) and did not otherwise. */
static void one(struct client_state *cs, struct pipe_pair *p, int *firstp, char *desc,
                struct held **hold)
{
    int resumed = -1;
    if (impl_pair(cs, p, &resumed, desc, hold) != 0)
        fail("handshake failed");
    int want = SC->resume != RESUME_NONE && !*firstp;
    if (resumed != want)
        fail(want ? "not resumed" : "resumed unexpectedly");
    *firstp = 0;
}

static void cmd_mem(int n)
{
    struct held **h = calloc((size_t)n, sizeof *h);
    struct pipe_pair *pipes = calloc((size_t)n, sizeof *pipes);
    if (!h || !pipes)
        fail("out of memory");
    size_t b0 = mallinfo2().uordblks;
    for (int i = 0; i < n; i++) {
        int f = 1; /* held pairs: full handshakes, no session offered */
        struct client_state *cs = impl_client_state_new();
        one(cs, &pipes[i], &f, NULL, &h[i]);
    }
    size_t b1 = mallinfo2().uordblks;
    for (int i = 0; i < n; i++)
        impl_free_client(h[i]);
    size_t b2 = mallinfo2().uordblks;
    for (int i = 0; i < n; i++)
        impl_release_server_buffers(h[i]);
    size_t b3 = mallinfo2().uordblks;
    for (int i = 0; i < n; i++)
        impl_free_server(h[i]);
    free(h);
    free(pipes);
    /* the per-pair client states (a few bytes each) are leaked on purpose:
     * the process is short-lived and they count on the client side */
    printf("ok %ld %ld %ld\n", (long)(b2 - b0) / n, (long)(b1 - b2) / n, (long)(b3 - b0) / n);
}

struct worker {
    pthread_t t;
    long count;
};
static atomic_int go, stop;

static void *work(void *arg)
{
    struct worker *w = arg;
    struct client_state *cs = impl_client_state_new();
    struct pipe_pair *p = malloc(sizeof *p);
    int f = 1;
    if (!cs || !p)
        fail("out of memory");
    one(cs, p, &f, NULL, NULL); /* a session to resume */
    while (!atomic_load(&go))
        ;
    long c = 0;
    while (!atomic_load(&stop)) {
        one(cs, p, &f, NULL, NULL);
        c++;
    }
    w->count = c;
    free(p);
    return NULL;
}

static void cmd_mt(int threads, int ms)
{
    struct worker w[64];
    if (threads < 1 || threads > 64)
        fail("1 to 64 threads");
    atomic_store(&go, 0);
    atomic_store(&stop, 0);
    for (int i = 0; i < threads; i++)
        if (pthread_create(&w[i].t, NULL, work, &w[i]) != 0)
            fail("pthread_create");
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000L};
    uint64_t t0 = now_ns();
    atomic_store(&go, 1);
    nanosleep(&d, NULL);
    atomic_store(&stop, 1);
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].t, NULL);
        total += w[i].count;
    }
    uint64_t t1 = now_ns();
    printf("ok %.1f\n", (double)total * 1e9 / (double)(t1 - t0));
}

int harness_main(int argc, char **argv)
{
    static char cert[4096], key[4096], ca[4096];
    if (argc != 3) {
        fprintf(stderr, "usage: %s SCENARIO CERTS_DIR\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof SCENARIOS / sizeof SCENARIOS[0]; i++)
        if (strcmp(argv[1], SCENARIOS[i].name) == 0)
            SC = &SCENARIOS[i];
    if (!SC) {
        fprintf(stderr, "unknown scenario %s\n", argv[1]);
        return 2;
    }
    const char *kind = SC->rsa ? "rsa2048" : "ecdsa_p256";
    snprintf(cert, sizeof cert, "%s/%s_cert.pem", argv[2], kind);
    snprintf(key, sizeof key, "%s/%s_key.pem", argv[2], kind);
    snprintf(ca, sizeof ca, "%s/ca_cert.pem", argv[2]);
    CERT = cert;
    KEY = key;
    CA = ca;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (impl_init() != 0)
        fail("init");
    CS = impl_client_state_new();
    if (!CS)
        fail("client state");

    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        int a = 0, b = 0;
        if (strncmp(line, "info", 4) == 0) {
            char desc[256] = "";
            one(CS, &PIPE, &first, desc, NULL);
            printf("ok %s\n", desc);
        } else if (sscanf(line, "run %d", &a) == 1) {
            /* a session to resume before timing */
            if (first)
                one(CS, &PIPE, &first, NULL, NULL);
            uint64_t *t = malloc(sizeof *t * (size_t)(a > 0 ? a : 1));
            if (!t)
                fail("out of memory");
            for (int i = 0; i < a; i++) {
                uint64_t t0 = now_ns();
                one(CS, &PIPE, &first, NULL, NULL);
                t[i] = now_ns() - t0;
            }
            fputs("ok", stdout);
            for (int i = 0; i < a; i++)
                printf(" %llu", (unsigned long long)t[i]);
            putchar('\n');
            free(t);
        } else if (sscanf(line, "mem %d", &a) == 1 && a > 0) {
            cmd_mem(a);
        } else if (sscanf(line, "mt %d %d", &a, &b) == 2) {
            cmd_mt(a, b);
        } else if (strncmp(line, "quit", 4) == 0) {
            return 0;
        } else {
            fail("unknown command");
        }
        fflush(stdout);
    }
    return 0;
}
