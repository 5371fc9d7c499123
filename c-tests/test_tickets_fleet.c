/*
 * A fleet of servers sharing ticket keys, TLS1.3 and TLS1.2:
 *   - two server configs given the same key name and material accept each
 *     other's tickets (also when one added the key with another intro time,
 *     and when it holds other keys as well); a server with other material
 *     under that name gives a full handshake with a ticket of its own;
 *   - two server processes: a child process (fork) runs a server with the same
 *     key on one end of a socket pair; a session the parent got from its own
 *     server resumes against the child's server, and the fresh TLS1.3 ticket
 *     the child issues resumes against the parent's server. The client stays
 *     in the parent (rs2n client sessions resume in the process that got them).
 *     A child with other key material gives a full handshake.
 */
#include "testlib.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };
static struct rs2n_tk_log tk_log;

#define FLEET_NAME "fleet-key-2024"
#define FLEET_MATERIAL "the fleet's shared ticket key material"

static void connect_offer(struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *offer, struct rs2n_conn *r)
{
    rs2n_tk_connect(server, client, offer, 0, &tk_log, r);
}

static struct s2n_config *fleet_server(const char *policy, const char *material, uint64_t intro)
{
    struct s2n_config *server = rs2n_resume_server_config(policy, &tk_clock, 1);
    REQUIRE_SUCCESS(rs2n_tk_add_key(server, FLEET_NAME, material, intro));
    return server;
}

static void test_two_configs(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("two server configs with the same key, %s\n", rs2n_tk_version_name(version));
    struct s2n_config *a = fleet_server(policy, FLEET_MATERIAL, 0);
    /* b got the key with an explicit intro time, and has another key too
     * (introduced later, so a's key is the one b encrypts with for now). */
    struct s2n_config *b = fleet_server(policy, FLEET_MATERIAL, RS2N_TK_T0 - 60);
    REQUIRE_SUCCESS(rs2n_tk_add_key(b, "b-only", "b's own other key material", RS2N_TK_T0 + 3600));
    struct s2n_config *other = fleet_server(policy, "not the fleet's material", 0);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    connect_offer(a, client, NULL, &r);
    RS2N_TK_CHECK("server a", &r, &tk_log, version, 0, 1);
    connect_offer(b, client, &r.session, &r);
    RS2N_TK_CHECK("a's ticket on server b", &r, &tk_log, version, 1, tls13 ? 1 : 0);

    connect_offer(b, client, NULL, &r);
    RS2N_TK_CHECK("server b", &r, &tk_log, version, 0, 1);
    struct rs2n_session from_b = r.session;
    connect_offer(a, client, &from_b, &r);
    RS2N_TK_CHECK("b's ticket on server a", &r, &tk_log, version, 1, tls13 ? 1 : 0);
    if (tls13) {
        /* The fresh ticket a issued on that resumption resumes on b. */
        connect_offer(b, client, &r.session, &r);
        RS2N_TK_CHECK("the ticket a issued on a resumption, on b", &r, &tk_log, version, 1, 1);
    }

    connect_offer(a, client, NULL, &r);
    struct rs2n_session from_a = r.session;
    connect_offer(other, client, &from_a, &r);
    RS2N_TK_CHECK("a's ticket on a server with other material", &r, &tk_log, version, 0, 1);
    EXPECT_TRUE(rs2n_tk_find_ticket(r.client_hello, r.client_hello_len, FLEET_NAME) >= 0);
    /* And that server's ticket does not resume on a. */
    connect_offer(a, client, &r.session, &r);
    RS2N_TK_CHECK("the other server's ticket on a", &r, &tk_log, version, 0, 1);

    s2n_config_free(a);
    s2n_config_free(b);
    s2n_config_free(other);
    s2n_config_free(client);
}

/* ------------------------------------------------------------------------- */
/* Two processes                                                             */
/* ------------------------------------------------------------------------- */

enum child_status {
    CHILD_RESUMED = 10,
    CHILD_FULL = 11,
    CHILD_FAILED = 12,
    CHILD_BAD_TICKETS = 13,
};

/* The child: a server of its own, configured from scratch, on fd. */
static void run_child(int fd, const char *policy, const char *material, int version)
{
    alarm(30);
    struct s2n_config *config = fleet_server(policy, material, 0);
    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    int status = CHILD_FAILED;
    if (conn && s2n_connection_set_config(conn, config) == S2N_SUCCESS &&
        s2n_connection_set_fd(conn, fd) == S2N_SUCCESS) {
        s2n_blocked_status blocked;
        int rc = -1;
        for (int i = 0; i < 100 && rc != 0; i++) {
            s2n_errno = S2N_ERR_T_OK;
            rc = s2n_negotiate(conn, &blocked);
            if (rc != 0 && s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
                break;
            }
        }
        if (rc == 0) {
            uint16_t sent = 0;
            s2n_connection_get_tickets_sent(conn, &sent);
            int resumed = s2n_connection_is_session_resumed(conn);
            int want = (version == S2N_TLS13 || !resumed) ? 1 : 0;
            if (s2n_connection_get_actual_protocol_version(conn) != version || sent != want) {
                status = CHILD_BAD_TICKETS;
            } else {
                status = resumed ? CHILD_RESUMED : CHILD_FULL;
            }
            /* Wait for the parent's close_notify. */
            s2n_shutdown(conn, &blocked);
        } else {
            rs2n_print_s2n_error("child server s2n_negotiate");
        }
    }
    s2n_connection_free(conn);
    s2n_config_free(config);
    close(fd);
    _exit(status);
}

/* Connects the parent's client, offering `offer`, to a child process's server. */
static void connect_to_child(struct s2n_config *client, const struct rs2n_session *offer,
                             const char *policy, const char *material, int version,
                             int expect_resumed, struct rs2n_session *got)
{
    int fds[2];
    REQUIRE(rs2n_socketpair(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[1]);
        run_child(fds[0], policy, material, version);
    }
    close(fds[0]);

    struct s2n_connection *conn = s2n_connection_new(S2N_CLIENT);
    REQUIRE_NOT_NULL(conn);
    EXPECT_SUCCESS(s2n_connection_set_config(conn, client));
    EXPECT_SUCCESS(s2n_connection_set_fd(conn, fds[1]));
    EXPECT_SUCCESS(s2n_set_server_name(conn, "localhost"));
    EXPECT_SUCCESS(s2n_connection_set_session(conn, offer->data, (size_t) offer->len));
    rs2n_tk_log_reset(&tk_log);
    s2n_blocked_status blocked;
    int rc = -1;
    for (int i = 0; i < 100 && rc != 0; i++) {
        s2n_errno = S2N_ERR_T_OK;
        rc = s2n_negotiate(conn, &blocked);
        if (rc != 0 && s2n_error_get_type(s2n_errno) != S2N_ERR_T_BLOCKED) {
            rs2n_print_s2n_error("parent client s2n_negotiate");
            break;
        }
    }
    EXPECT_EQUAL(rc, 0);
    if (rc == 0) {
        EXPECT_EQUAL(s2n_connection_get_actual_protocol_version(conn), version);
        EXPECT_EQUAL(s2n_connection_is_session_resumed(conn), expect_resumed);
        /* s2n_shutdown reads what the server sent (TLS1.3 tickets), then its
         * close_notify. */
        EXPECT_SUCCESS(s2n_shutdown(conn, &blocked));
        int want = (version == S2N_TLS13 || !expect_resumed) ? 1 : 0;
        EXPECT_EQUAL(tk_log.count, want);
        got->len = 0;
        if (tk_log.count > 0) {
            *got = tk_log.tickets[0];
        }
    }
    s2n_connection_free(conn);
    close(fds[1]);

    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    EXPECT_TRUE(WIFEXITED(status));
    if (WIFEXITED(status)) {
        int want = expect_resumed ? CHILD_RESUMED : CHILD_FULL;
        if (WEXITSTATUS(status) != want) {
            rs2n_test_fail(__FILE__, __LINE__, "%s: the child server exited with %d, expected %d (%s)",
                           rs2n_tk_version_name(version), WEXITSTATUS(status), want,
                           expect_resumed ? "resumed" : "full handshake");
        }
    }
}

static void test_two_processes(const char *policy, int version)
{
    const int tls13 = version == S2N_TLS13;
    printf("two server processes with the same key, %s\n", rs2n_tk_version_name(version));
    struct s2n_config *parent_server = fleet_server(policy, FLEET_MATERIAL, 0);
    struct s2n_config *client = rs2n_resume_client_config(policy, &tk_clock, 1, &tk_log);
    struct rs2n_conn r;

    connect_offer(parent_server, client, NULL, &r);
    RS2N_TK_CHECK("the parent's server", &r, &tk_log, version, 0, 1);
    struct rs2n_session from_parent = r.session;

    /* Resumes on the child's server. */
    struct rs2n_session from_child;
    memset(&from_child, 0, sizeof(from_child));
    connect_to_child(client, &from_parent, policy, FLEET_MATERIAL, version, 1, &from_child);

    if (tls13) {
        /* The child's fresh ticket resumes on the parent's server. */
        EXPECT_TRUE(from_child.len > 0);
        connect_offer(parent_server, client, &from_child, &r);
        RS2N_TK_CHECK("the child's ticket on the parent's server", &r, &tk_log, version, 1, 1);
    } else {
        /* TLS1.2: the same session resumes on the parent's server again. */
        connect_offer(parent_server, client, &from_parent, &r);
        RS2N_TK_CHECK("the session again on the parent's server", &r, &tk_log, version, 1, 0);
    }

    /* A child with other material: a full handshake, and its ticket is useless
     * to the parent's server. */
    connect_offer(parent_server, client, NULL, &r);
    struct rs2n_session fresh = r.session;
    struct rs2n_session from_stranger;
    memset(&from_stranger, 0, sizeof(from_stranger));
    connect_to_child(client, &fresh, policy, "a stranger's material", version, 0, &from_stranger);
    EXPECT_TRUE(from_stranger.len > 0);
    if (from_stranger.len > 0) {
        connect_offer(parent_server, client, &from_stranger, &r);
        RS2N_TK_CHECK("a stranger's ticket on the parent's server", &r, &tk_log, version, 0, 1);
    }

    s2n_config_free(parent_server);
    s2n_config_free(client);
}

int main(void)
{
    rs2n_test_begin("test_tickets_fleet", 120);
    test_two_configs("default_tls13", S2N_TLS13);
    test_two_configs("20240501", S2N_TLS12);
    test_two_processes("default_tls13", S2N_TLS13);
    test_two_processes("20240501", S2N_TLS12);
    return rs2n_test_finish();
}
