/* testlib/pair.c: connection pairs, the handshake loop (rs2n_negotiate_pair
 * and its threaded twin for blocking I/O) and the connection driver
 * rs2n_connect: see pair.h. */
#include "pair.h"

#include <pthread.h>
#include <sys/socket.h>

/* ------------------------------------------------------------------------- */
/* Pairs and the handshake loop                                              */
/* ------------------------------------------------------------------------- */

void rs2n_record_error(struct rs2n_side_result *r)
{
    int err = s2n_errno;
    const char *name = s2n_strerror_name(err);
    const char *msg = s2n_strerror_debug(err, "EN");
    r->err = err;
    r->type = s2n_error_get_type(err);
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "(NULL)");
    snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "(NULL)");
}

enum { SIDE_RUNNING, SIDE_DONE, SIDE_FAILED };

/* One s2n_negotiate call; updates state and r. */
static void negotiate_step(struct s2n_connection *conn, int *state, struct rs2n_side_result *r)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    int rc = s2n_negotiate(conn, &blocked);
    r->calls++;
    r->rc = rc;
    if (rc == S2N_SUCCESS) {
        r->err = 0;
        r->type = S2N_ERR_T_OK;
        r->name[0] = r->msg[0] = '\0';
        *state = SIDE_DONE;
        return;
    }
    rs2n_record_error(r);
    if (r->type == S2N_ERR_T_BLOCKED) {
        if (blocked == S2N_BLOCKED_ON_READ) {
            r->blocked_read++;
        } else if (blocked == S2N_BLOCKED_ON_WRITE) {
            r->blocked_write++;
        } else {
            rs2n_test_fail(__FILE__, __LINE__,
                           "s2n_negotiate failed with S2N_ERR_T_BLOCKED but *blocked = %d", blocked);
        }
        return;
    }
    if (blocked != S2N_NOT_BLOCKED) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "s2n_negotiate failed with %s (%s) but *blocked = %d, not S2N_NOT_BLOCKED",
                       rs2n_error_type_name(r->type), r->name, blocked);
    }
    *state = SIDE_FAILED;
}

static uint64_t wire_total(struct s2n_connection *conn)
{
    return s2n_connection_get_wire_bytes_in(conn) + s2n_connection_get_wire_bytes_out(conn);
}

int rs2n_negotiate_pair(struct s2n_connection *server, struct s2n_connection *client,
                        struct rs2n_pair_result *res)
{
    struct rs2n_pair_result local;
    if (res == NULL) {
        res = &local;
    }
    memset(res, 0, sizeof(*res));
    int cstate = SIDE_RUNNING, sstate = SIDE_RUNNING;
    for (unsigned round = 0; round < 100000; round++) {
        int before_c = cstate, before_s = sstate;
        uint64_t wire_before = wire_total(server) + wire_total(client);
        if (cstate == SIDE_RUNNING) {
            negotiate_step(client, &cstate, &res->client);
        }
        if (sstate == SIDE_RUNNING) {
            negotiate_step(server, &sstate, &res->server);
        }
        if (cstate == SIDE_DONE && sstate == SIDE_DONE) {
            return 0;
        }
        if (cstate != SIDE_RUNNING && sstate != SIDE_RUNNING) {
            return -1;
        }
        uint64_t wire_after = wire_total(server) + wire_total(client);
        if (before_c == cstate && before_s == sstate && wire_before == wire_after) {
            /* Nothing moved in a whole round: nothing ever will. */
            if (cstate == SIDE_RUNNING && sstate == SIDE_RUNNING) {
                fprintf(stderr, "rs2n_negotiate_pair: both sides blocked with no progress\n");
            }
            return -1;
        }
    }
    fprintf(stderr, "rs2n_negotiate_pair: no result after 100000 rounds\n");
    return -1;
}

struct thread_args {
    struct s2n_connection *conn;
    int fd;
    struct rs2n_side_result *r;
};

static void run_blocking_negotiate(struct thread_args *a)
{
    int state = SIDE_RUNNING;
    /* With blocking I/O s2n_negotiate should not report BLOCKED; if it does,
     * calling again is what an application would do. */
    while (state == SIDE_RUNNING && a->r->calls < 1000) {
        negotiate_step(a->conn, &state, a->r);
    }
    if (state != SIDE_DONE && a->fd >= 0) {
        shutdown(a->fd, SHUT_WR);
    }
}

static void *server_thread(void *arg)
{
    run_blocking_negotiate(arg);
    return NULL;
}

int rs2n_negotiate_pair_threaded(struct s2n_connection *server, int server_fd,
                                 struct s2n_connection *client, int client_fd,
                                 struct rs2n_pair_result *res)
{
    struct rs2n_pair_result local;
    if (res == NULL) {
        res = &local;
    }
    memset(res, 0, sizeof(*res));
    struct thread_args sargs = { server, server_fd, &res->server };
    struct thread_args cargs = { client, client_fd, &res->client };
    pthread_t thread;
    if (pthread_create(&thread, NULL, server_thread, &sargs) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return -1;
    }
    run_blocking_negotiate(&cargs);
    pthread_join(thread, NULL);
    return (res->server.rc == 0 && res->client.rc == 0) ? 0 : -1;
}

static void print_side(const char *side, const struct rs2n_side_result *r)
{
    if (r->rc == 0) {
        fprintf(stderr, "  %s: succeeded after %lu call(s) (%lu blocked on read, %lu on write)\n",
                side, r->calls, r->blocked_read, r->blocked_write);
    } else {
        fprintf(stderr, "  %s: failed after %lu call(s): %s %s: %s\n", side, r->calls,
                rs2n_error_type_name(r->type), r->name, r->msg);
    }
}

void rs2n_print_pair_result(const char *what, const struct rs2n_pair_result *res)
{
    fprintf(stderr, "%s:\n", what);
    print_side("server", &res->server);
    print_side("client", &res->client);
}

/* New server and client connections with these configs. Exits on failure. */
static void pair_new(struct rs2n_pair *p, struct s2n_config *server_config,
                     struct s2n_config *client_config)
{
    p->server = s2n_connection_new(S2N_SERVER);
    p->client = s2n_connection_new(S2N_CLIENT);
    if (p->server == NULL || p->client == NULL) {
        rs2n_die_s2n("s2n_connection_new");
    }
    if (s2n_connection_set_config(p->server, server_config) != S2N_SUCCESS ||
        s2n_connection_set_config(p->client, client_config) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_connection_set_config");
    }
}

static void pair_set_server_name(struct rs2n_pair *p, const char *server_name)
{
    if (server_name && s2n_set_server_name(p->client, server_name) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_set_server_name");
    }
}

void rs2n_pair_open(struct rs2n_pair *p, struct s2n_config *server_config,
                    struct s2n_config *client_config, const char *server_name, int nonblocking)
{
    int fds[2];
    memset(p, 0, sizeof(*p));
    p->server_fd = p->client_fd = -1;
    if (rs2n_socketpair(fds) != 0) {
        exit(1);
    }
    p->server_fd = fds[0];
    p->client_fd = fds[1];
    if (nonblocking && (rs2n_set_nonblocking(fds[0]) || rs2n_set_nonblocking(fds[1]))) {
        perror("fcntl");
        exit(1);
    }
    pair_new(p, server_config, client_config);
    if (s2n_connection_set_fd(p->server, p->server_fd) != S2N_SUCCESS ||
        s2n_connection_set_fd(p->client, p->client_fd) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_connection_set_fd");
    }
    pair_set_server_name(p, server_name);
}

void rs2n_pair_open_mem(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name)
{
    memset(p, 0, sizeof(*p));
    p->server_fd = p->client_fd = -1;
    rs2n_mem_pipe_init(&p->pipe);
    pair_new(p, server_config, client_config);
    if (rs2n_connection_set_mem_io(p->server, &p->pipe.a) != 0 ||
        rs2n_connection_set_mem_io(p->client, &p->pipe.b) != 0) {
        rs2n_die_s2n("rs2n_connection_set_mem_io");
    }
    pair_set_server_name(p, server_name);
}

void rs2n_pair_close(struct rs2n_pair *p)
{
    if (p->server) {
        s2n_connection_free(p->server);
        p->server = NULL;
    }
    if (p->client) {
        s2n_connection_free(p->client);
        p->client = NULL;
    }
    rs2n_close(&p->server_fd);
    rs2n_close(&p->client_fd);
    rs2n_mem_pipe_free(&p->pipe);
}

int rs2n_pair_handshake(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name,
                        struct rs2n_pair_result *res)
{
    rs2n_pair_open(p, server_config, client_config, server_name, 1);
    return rs2n_negotiate_pair(p->server, p->client, res);
}

int rs2n_shutdown_pair(struct s2n_connection *server, struct s2n_connection *client)
{
    int cdone = 0, sdone = 0;
    for (int round = 0; round < 100 && !(cdone && sdone); round++) {
        struct s2n_connection *conns[2] = { client, server };
        int *done[2] = { &cdone, &sdone };
        for (int i = 0; i < 2; i++) {
            if (*done[i]) {
                continue;
            }
            s2n_blocked_status blocked = S2N_NOT_BLOCKED;
            s2n_errno = S2N_ERR_T_OK;
            if (s2n_shutdown(conns[i], &blocked) == S2N_SUCCESS) {
                *done[i] = 1;
            } else if (s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                fprintf(stderr, "s2n_shutdown (%s) failed\n", i ? "server" : "client");
                rs2n_print_s2n_error("  s2n error");
                return -1;
            }
        }
    }
    return (cdone && sdone) ? 0 : -1;
}

/* ------------------------------------------------------------------------- */
/* Client sessions                                                           */
/* ------------------------------------------------------------------------- */

int rs2n_offer_session(struct s2n_connection *client, const struct rs2n_session *offer)
{
    if (offer == NULL || offer->len <= 0) {
        return 0;
    }
    if (s2n_connection_set_session(client, offer->data, (size_t) offer->len) != S2N_SUCCESS) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_set_session(%d bytes) failed",
                       offer->len);
        rs2n_print_s2n_error("  s2n error");
        return -1;
    }
    return 0;
}

int rs2n_read_tickets(struct s2n_connection *client)
{
    for (int i = 0; i < 32; i++) {
        uint8_t buf[256];
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        s2n_errno = S2N_ERR_T_OK;
        ssize_t n = s2n_recv(client, buf, sizeof(buf), &blocked);
        if (n < 0 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED &&
            blocked == S2N_BLOCKED_ON_READ) {
            return 0;
        }
        if (n <= 0) {
            rs2n_test_fail(__FILE__, __LINE__,
                           "client s2n_recv after the handshake returned %zd (blocked %d), "
                           "expected -1 blocked on read",
                           n, (int) blocked);
            rs2n_print_s2n_error("  s2n error");
            return -1;
        }
        fprintf(stderr, "rs2n_read_tickets: client s2n_recv got %zd bytes of unexpected data\n", n);
    }
    rs2n_test_fail(__FILE__, __LINE__, "client s2n_recv after the handshake never blocked on read");
    return -1;
}

int rs2n_save_session(struct s2n_connection *client, struct rs2n_session *save)
{
    save->len = 0;
    int len = s2n_connection_get_session_length(client);
    if (len < 0 || (size_t) len > sizeof(save->data)) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_get_session_length returned %d", len);
        return -1;
    }
    if (len == 0) {
        return 0;
    }
    int n = s2n_connection_get_session(client, save->data, sizeof(save->data));
    if (n != len) {
        rs2n_test_fail(__FILE__, __LINE__, "s2n_connection_get_session returned %d, expected %d",
                       n, len);
        rs2n_print_s2n_error("  s2n error");
        return -1;
    }
    save->len = n;
    return 0;
}

/* ------------------------------------------------------------------------- */
/* The connection driver                                                     */
/* ------------------------------------------------------------------------- */

/* The client's first flight over memory: one client s2n_negotiate, then the
 * records it wrote are copied to out->client_hello and given to the hook.
 * Returns 0, or -1 (recorded in out->res.client) if the client failed. */
static int first_flight(struct rs2n_pair *p, const struct rs2n_connect_opts *opts,
                        struct rs2n_conn *out)
{
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    s2n_errno = S2N_ERR_T_OK;
    if (s2n_negotiate(p->client, &blocked) != S2N_SUCCESS &&
        s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
        rs2n_record_error(&out->res.client);
        out->res.client.rc = -1;
        return -1;
    }
    struct rs2n_mem_queue *to_server = p->pipe.b.out;
    size_t pending = rs2n_mem_queue_pending(to_server);
    out->client_hello_len = pending < sizeof(out->client_hello) ? pending : sizeof(out->client_hello);
    memcpy(out->client_hello, to_server->data + to_server->off, out->client_hello_len);
    if (opts->on_client_hello) {
        opts->on_client_hello(to_server->data + to_server->off, pending, opts->hook_ctx);
    }
    return 0;
}

/* The client goes away without s2n_shutdown; the server's s2n_recv must see
 * the end of the stream without close_notify (S2N_ERR_T_CLOSED, as s2n: the
 * data may be truncated). Returns 0 if it did. */
static int close_abruptly(struct rs2n_pair *p)
{
    rs2n_close(&p->client_fd);
    p->pipe.b_to_a.closed = 1; /* over memory: both directions */
    p->pipe.a_to_b.closed = 1;
    uint8_t buf[64];
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    ssize_t n = -1;
    for (int i = 0; i < 100; i++) {
        s2n_errno = S2N_ERR_T_OK;
        n = s2n_recv(p->server, buf, sizeof(buf), &blocked);
        if (!(n == -1 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED)) {
            break;
        }
    }
    if (n != -1 || s2n_error_get_type(s2n_errno) != S2N_ERR_T_CLOSED) {
        rs2n_test_fail(__FILE__, __LINE__,
                       "server s2n_recv after the client closed its socket returned %zd, "
                       "expected -1 with S2N_ERR_T_CLOSED",
                       n);
        rs2n_print_s2n_error("  s2n error");
        return -1;
    }
    return 0;
}

int rs2n_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                 const struct rs2n_connect_opts *opts, struct rs2n_conn *out)
{
    static const struct rs2n_connect_opts none;
    struct rs2n_conn local;
    if (opts == NULL) {
        opts = &none;
    }
    if (out == NULL) {
        out = &local;
    }
    /* The offer may be out->session (resuming what the last call got). */
    struct rs2n_session offer;
    const int offering = opts->offer != NULL && opts->offer->len > 0;
    if (offering) {
        offer = *opts->offer;
    }
    memset(out, 0, sizeof(*out));
    out->rc = -1;
    out->tickets_sent = -1;
    out->session_id_len = -1;
    out->lifetime_hint = -1;
    out->session_len_before_recv = -1;

    struct rs2n_pair p;
    if (opts->transport == RS2N_OVER_SOCKETS) {
        rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
    } else {
        rs2n_pair_open_mem(&p, server_config, client_config, "localhost");
    }
    out->server = p.server;
    if (offering) {
        if (opts->offer_may_fail) {
            s2n_errno = S2N_ERR_T_OK;
            out->set_session_rc = s2n_connection_set_session(p.client, offer.data, (size_t) offer.len);
            out->set_session_err = out->set_session_rc ? s2n_errno : 0;
        } else if (rs2n_offer_session(p.client, &offer) != 0) {
            out->set_session_rc = -1;
            out->set_session_err = s2n_errno;
        }
    }
    if (opts->keying_material_lifetime &&
        s2n_connection_set_server_keying_material_lifetime(p.server, opts->keying_material_lifetime) !=
            S2N_SUCCESS) {
        rs2n_die_s2n("s2n_connection_set_server_keying_material_lifetime");
    }
    if (opts->add_tickets &&
        s2n_connection_add_new_tickets_to_send(p.server, opts->add_tickets) != S2N_SUCCESS) {
        rs2n_die_s2n("s2n_connection_add_new_tickets_to_send");
    }
    if (opts->transport == RS2N_OVER_MEMORY && first_flight(&p, opts, out) != 0) {
        rs2n_pair_close(&p);
        return out->rc;
    }

    out->rc = rs2n_negotiate_pair(p.server, p.client, &out->res);
    if (out->rc != 0) {
        rs2n_pair_close(&p);
        return out->rc;
    }
    out->version = s2n_connection_get_actual_protocol_version(p.server);
    out->client_resumed = s2n_connection_is_session_resumed(p.client);
    out->server_resumed = s2n_connection_is_session_resumed(p.server);
    const char *ct = s2n_connection_get_handshake_type_name(p.client);
    const char *st = s2n_connection_get_handshake_type_name(p.server);
    snprintf(out->client_type, sizeof(out->client_type), "%s", ct ? ct : "(NULL)");
    snprintf(out->server_type, sizeof(out->server_type), "%s", st ? st : "(NULL)");
    uint16_t sent = 0;
    if (s2n_connection_get_tickets_sent(p.server, &sent) == S2N_SUCCESS) {
        out->tickets_sent = sent;
    }
    out->session_id_len =
        s2n_connection_get_session_id(p.server, out->session_id, sizeof(out->session_id));
    out->session_len_before_recv = s2n_connection_get_session_length(p.client);

    out->recv_ok = rs2n_read_tickets(p.client) == 0;
    int ok = out->recv_ok;
    ok &= rs2n_save_session(p.client, &out->session) == 0;
    s2n_errno = S2N_ERR_T_OK;
    out->lifetime_hint = s2n_connection_get_session_ticket_lifetime_hint(p.client);
    switch (opts->close) {
    case RS2N_CLOSE_GRACEFUL:
        if (rs2n_shutdown_pair(p.server, p.client) != 0) {
            rs2n_test_fail(__FILE__, __LINE__, "graceful shutdown failed");
            ok = 0;
        }
        break;
    case RS2N_CLOSE_ABRUPT:
        ok &= close_abruptly(&p) == 0;
        break;
    case RS2N_CLOSE_NONE:
        break;
    }
    out->after_ok = ok;
    rs2n_pair_close(&p);
    return out->rc;
}
