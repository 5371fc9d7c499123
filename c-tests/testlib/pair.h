/*
 * testlib/pair.h: a server and a client connection on one transport (io.h),
 * the loop that drives a handshake on both of them, and rs2n_connect, the
 * driver of one whole test connection: set-up, the client's offered session,
 * the handshake, the tickets after it, the session it leaves and the close.
 */
#ifndef RS2N_TESTLIB_PAIR_H
#define RS2N_TESTLIB_PAIR_H

#include "harness.h"
#include "io.h"

/* ------------------------------------------------------------------------- */
/* Pairs and the handshake loop                                              */
/* ------------------------------------------------------------------------- */

/* How one side's last call ended. */
struct rs2n_side_result {
    int rc;            /* 0 or -1 */
    int err;           /* s2n_errno after a failure, else 0 */
    int type;          /* s2n_error_get_type(err) */
    char name[64];     /* s2n_strerror_name(err) */
    char msg[512];     /* s2n_strerror_debug(err, "EN"): what exactly was wrong */
    unsigned long calls;
    unsigned long blocked_read, blocked_write;
};

struct rs2n_pair_result {
    struct rs2n_side_result server, client;
};

/* Records the calling thread's s2n error into r (for rc = -1). */
void rs2n_record_error(struct rs2n_side_result *r);

/* Runs s2n_negotiate on both connections, in this thread, alternately, for
 * non-blocking I/O: until both succeed, or one fails with a non-BLOCKED error.
 * After a failure the other side is still driven until it completes, fails, or
 * is blocked with nothing more to come from the failed side, so callers can see
 * what it got (an alert, say). `res` may be NULL.
 * Returns 0 if both succeeded, else -1. A pair that keeps blocking without
 * progress for many rounds is reported as a failure with rc = -1 and type
 * S2N_ERR_T_BLOCKED. */
int rs2n_negotiate_pair(struct s2n_connection *server, struct s2n_connection *client,
                        struct rs2n_pair_result *res);

/* Runs s2n_negotiate on the server in a new thread and on the client in this
 * one, for blocking I/O. When a side fails and its fd (server_fd/client_fd,
 * -1 for none) is given, that fd is shut down for writing so that the peer
 * sees end of stream instead of waiting forever. Returns 0 if both succeeded. */
int rs2n_negotiate_pair_threaded(struct s2n_connection *server, int server_fd,
                                 struct s2n_connection *client, int client_fd,
                                 struct rs2n_pair_result *res);

/* Prints a pair result (for failures and for information). */
void rs2n_print_pair_result(const char *what, const struct rs2n_pair_result *res);

/* Everything for one test connection: over a socket pair, or over an
 * in-memory pipe (the server on end a, the client on end b). */
struct rs2n_pair {
    struct s2n_connection *server, *client;
    int server_fd, client_fd; /* -1 over memory */
    struct rs2n_mem_pipe pipe;
};

/* New server and client connections with these configs, over a fresh socket
 * pair (non-blocking if `nonblocking`), the client's server name set to
 * `server_name` unless NULL. Exits on failure. */
void rs2n_pair_open(struct rs2n_pair *p, struct s2n_config *server_config,
                    struct s2n_config *client_config, const char *server_name,
                    int nonblocking);
/* The same over an in-memory pipe (p->pipe) instead of sockets. */
void rs2n_pair_open_mem(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name);
/* Frees both connections, closes both fds and frees the pipe. */
void rs2n_pair_close(struct rs2n_pair *p);

/* rs2n_pair_open + rs2n_negotiate_pair (non-blocking). Returns its result. */
int rs2n_pair_handshake(struct rs2n_pair *p, struct s2n_config *server_config,
                        struct s2n_config *client_config, const char *server_name,
                        struct rs2n_pair_result *res);

/* s2n_shutdown on both non-blocking connections, client first, alternately,
 * until both succeed. Returns 0, or -1 (after printing the error) on failure. */
int rs2n_shutdown_pair(struct s2n_connection *server, struct s2n_connection *client);

/* ------------------------------------------------------------------------- */
/* Client sessions                                                           */
/* ------------------------------------------------------------------------- */

/* Room for one saved session (rs2n's are 82 bytes; s2n-tls's a few hundred). */
#define RS2N_SESSION_MAX 4096

/* A client's saved session: s2n_connection_get_session's bytes, or a ticket's
 * (s2n_session_ticket_get_data). */
struct rs2n_session {
    uint8_t data[RS2N_SESSION_MAX];
    int len; /* 0: none */
};

/* s2n_connection_set_session with `offer`, if it holds a session (NULL or len
 * 0: nothing to offer). A failure is reported as a test failure. Returns 0 or
 * -1. */
int rs2n_offer_session(struct s2n_connection *client, const struct rs2n_session *offer);
/* The client's s2n_recv after the handshake, until it blocks on read (what
 * comes is TLS1.3 tickets). Returns 0 if it did; otherwise reports a test
 * failure and returns -1. */
int rs2n_read_tickets(struct s2n_connection *client);
/* The client's s2n_connection_get_session into `save` (len 0 if it has none).
 * Returns 0; -1 (reported as a test failure, save->len 0) if it failed. */
int rs2n_save_session(struct s2n_connection *client, struct rs2n_session *save);

/* ------------------------------------------------------------------------- */
/* The connection driver                                                     */
/* ------------------------------------------------------------------------- */

enum rs2n_transport {
    RS2N_OVER_MEMORY,  /* an in-memory pipe: the client's first flight is captured */
    RS2N_OVER_SOCKETS, /* a non-blocking socket pair */
};

/* How a test connection ends after its handshake. */
enum rs2n_close_how {
    RS2N_CLOSE_NONE,     /* both connections are freed as they are */
    RS2N_CLOSE_GRACEFUL, /* s2n_shutdown on both sides */
    RS2N_CLOSE_ABRUPT,   /* the client drops its transport without s2n_shutdown (closes
                          * its socket), and the server's s2n_recv must return 0 */
};

/* How to run one connection. All optional: zero means "don't" (and memory). */
struct rs2n_connect_opts {
    enum rs2n_transport transport;
    const struct rs2n_session *offer; /* s2n_connection_set_session on the client (NULL
                                       * or len 0: none); may be the result's session */
    int offer_may_fail;                /* a failing s2n_connection_set_session is only
                                        * recorded (set_session_rc/_err), not reported */
    uint32_t keying_material_lifetime; /* ..._set_server_keying_material_lifetime */
    uint8_t add_tickets;               /* s2n_connection_add_new_tickets_to_send (server),
                                        * before the handshake */
    /* Over memory: called with the client's first flight (its ClientHello
     * records) before the server reads it; it may change the bytes in place. */
    void (*on_client_hello)(uint8_t *bytes, size_t len, void *ctx);
    void *hook_ctx;
    enum rs2n_close_how close;
};

/* What one connection did. */
struct rs2n_conn {
    int rc;                      /* the handshake: 0 if both sides succeeded */
    struct rs2n_pair_result res; /* how each side's last s2n_negotiate ended */
    struct s2n_connection *server; /* the server connection's pointer (freed on return) */
    int set_session_rc;          /* s2n_connection_set_session's rc (0 if no offer) */
    int set_session_err;         /* s2n_errno after it failed */
    int version;                 /* the server's actual protocol version */
    int client_resumed, server_resumed;
    char client_type[160], server_type[160]; /* handshake type names */
    int tickets_sent;            /* the server's s2n_connection_get_tickets_sent; -1 on error */
    uint8_t session_id[64];
    int session_id_len;          /* the server's s2n_connection_get_session_id, -1 on error */
    int session_len_before_recv; /* client's s2n_connection_get_session_length after
                                  * the handshake, before s2n_recv */
    int recv_ok;                 /* the client's s2n_recv ended blocked on read */
    struct rs2n_session session; /* client's s2n_connection_get_session after s2n_recv */
    int lifetime_hint;           /* client's s2n_connection_get_session_ticket_lifetime_hint,
                                  * -1 if it failed */
    int after_ok;                /* the steps after the handshake (reading tickets, saving
                                  * the session, the close) went as asked */
    uint8_t client_hello[4096];  /* over memory: the client's first flight, as sent */
    size_t client_hello_len;
};

/* Runs one client+server connection with these configs (server name
 * "localhost"): sets the options, runs the handshake with rs2n_negotiate_pair,
 * then lets the client read what the server sent after it (TLS1.3 tickets),
 * saves the client's session, closes as asked and fills `out` (may be NULL).
 * Frees everything. A step that fails other than the handshake (the offer,
 * unless offer_may_fail; reading tickets; saving the session; the close) is
 * reported as a test failure. Returns out->rc. */
int rs2n_connect(struct s2n_config *server_config, struct s2n_config *client_config,
                 const struct rs2n_connect_opts *opts, struct rs2n_conn *out);

#endif /* RS2N_TESTLIB_PAIR_H */
