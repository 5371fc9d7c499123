/*
 * Key rotation under load: one server config serves connections on 4 threads
 * while another thread keeps adding ticket keys to it.
 *
 * Each worker runs client+server pairs over non-blocking socket pairs (both
 * ends driven by the worker), for about 2 seconds (10 under valgrind); every other connection
 * offers the session of the worker's previous connection. Two workers use a
 * TLS1.3 client config, two a TLS1.2-only one (the server offers both).
 *
 * The key thread adds a key with a new name (intro time 0: now) every 5 ms and
 * moves the shared fake clock on by 1 s each time; keys encrypt for 20 s and
 * decrypt for 20 s more, so about 40 keys are alive at once (the limit is 48)
 * and each is gone about 200 ms (real time) after it was added.
 *
 * Every handshake must succeed, every key must be added, and at least 90% of
 * the resumption attempts must resume.
 */
#include "testlib.h"

#include <pthread.h>
#include <time.h>

#define WORKERS 4
#define RUN_NS (2000ull * 1000 * 1000)
/* Under valgrind (RS2N_UNDER_VALGRIND=1: scripts/memcheck.sh) everything runs
 * tens of times slower and one thread at a time: the run lasts 5 times longer,
 * so that the counts checked at the end are still reached. */
#define RUN_NS_VALGRIND (5 * RUN_NS)

static uint64_t run_ns(void)
{
    const char *v = getenv("RS2N_UNDER_VALGRIND");
    return (v != NULL && strcmp(v, "1") == 0) ? RUN_NS_VALGRIND : RUN_NS;
}

/* The fake clock behind a lock: the key thread moves it while the workers'
 * connections read it. */
struct locked_clock {
    pthread_mutex_t lock;
    struct rs2n_fake_clock now;
};

static struct locked_clock fake = { PTHREAD_MUTEX_INITIALIZER, { RS2N_TK_T0 } };

static int locked_clock_fn(void *ctx, uint64_t *nanoseconds)
{
    struct locked_clock *c = ctx;
    pthread_mutex_lock(&c->lock);
    int rc = rs2n_fake_clock_fn(&c->now, nanoseconds);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static struct s2n_config *server_config;
static struct s2n_config *client_configs[2]; /* TLS1.3, TLS1.2 */
static volatile int stop;

struct worker {
    pthread_t thread;
    int index;
    int version;
    unsigned long handshakes, failures, attempts, resumed, wrong_version, no_session;
    unsigned long resumed_mismatch;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct s2n_config *client_config = client_configs[w->version == S2N_TLS13 ? 0 : 1];
    uint8_t session[RS2N_SESSION_MAX];
    int session_len = 0;
    for (unsigned long i = 0; !stop; i++) {
        struct rs2n_pair p;
        rs2n_pair_open(&p, server_config, client_config, "localhost", 1);
        int offer = (i % 2 == 1) && session_len > 0;
        if (offer) {
            w->attempts++;
            if (s2n_connection_set_session(p.client, session, (size_t) session_len) != S2N_SUCCESS) {
                w->failures++;
            }
        }
        struct rs2n_pair_result res;
        w->handshakes++;
        if (rs2n_negotiate_pair(p.server, p.client, &res) != 0) {
            w->failures++;
            if (w->failures <= 3) {
                rs2n_print_pair_result("worker handshake failed", &res);
            }
            session_len = 0;
            rs2n_pair_close(&p);
            continue;
        }
        if (s2n_connection_get_actual_protocol_version(p.server) != w->version) {
            w->wrong_version++;
        }
        int resumed = s2n_connection_is_session_resumed(p.client);
        if (resumed != s2n_connection_is_session_resumed(p.server)) {
            w->resumed_mismatch++;
        }
        if (offer && resumed) {
            w->resumed++;
        }
        /* Read what came after the handshake (TLS1.3 tickets). */
        for (int k = 0; k < 16; k++) {
            uint8_t buf[64];
            s2n_blocked_status blocked = S2N_NOT_BLOCKED;
            ssize_t n = s2n_recv(p.client, buf, sizeof(buf), &blocked);
            if (n < 0 && s2n_error_get_type(s2n_errno) == S2N_ERR_T_BLOCKED) {
                break;
            }
            if (n <= 0) {
                w->failures++;
                break;
            }
        }
        int len = s2n_connection_get_session_length(p.client);
        if (len > 0 && len <= (int) sizeof(session) &&
            s2n_connection_get_session(p.client, session, sizeof(session)) == len) {
            session_len = len;
        } else {
            w->no_session++;
            session_len = 0;
        }
        rs2n_pair_close(&p);
    }
    return NULL;
}

struct rotator {
    pthread_t thread;
    unsigned long added, failed;
};

static void *rotator_main(void *arg)
{
    struct rotator *r = arg;
    while (!stop) {
        struct timespec pause = { 0, 5 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&fake.lock);
        fake.now.seconds += 1;
        pthread_mutex_unlock(&fake.lock);
        char name[17], material[48];
        snprintf(name, sizeof(name), "rot-%06lu", r->added + r->failed + 1);
        snprintf(material, sizeof(material), "rotating key material number %06lu",
                 r->added + r->failed + 1);
        if (rs2n_tk_add_key(server_config, name, material, 0) == S2N_SUCCESS) {
            r->added++;
        } else {
            if (r->failed++ < 3) {
                rs2n_print_s2n_error("adding a key");
            }
        }
    }
    return NULL;
}

int main(void)
{
    rs2n_test_begin("test_tickets_threads", 120);

    server_config = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    REQUIRE_SUCCESS(s2n_config_set_wall_clock(server_config, locked_clock_fn, &fake));
    REQUIRE_SUCCESS(s2n_config_set_session_tickets_onoff(server_config, 1));
    REQUIRE_SUCCESS(s2n_config_set_ticket_encrypt_decrypt_key_lifetime(server_config, 20));
    REQUIRE_SUCCESS(s2n_config_set_ticket_decrypt_key_lifetime(server_config, 20));
    REQUIRE_SUCCESS(rs2n_tk_add_key(server_config, "rot-000000", "the first rotating key", 0));
    static const char *policies[2] = { "default_tls13", "20240501" };
    for (int i = 0; i < 2; i++) {
        client_configs[i] = rs2n_client_config("ca_cert.pem", policies[i]);
        REQUIRE_SUCCESS(s2n_config_set_wall_clock(client_configs[i], locked_clock_fn, &fake));
        REQUIRE_SUCCESS(s2n_config_set_session_tickets_onoff(client_configs[i], 1));
    }

    struct worker workers[WORKERS];
    struct rotator rot;
    memset(workers, 0, sizeof(workers));
    memset(&rot, 0, sizeof(rot));
    for (int i = 0; i < WORKERS; i++) {
        workers[i].index = i;
        workers[i].version = i < WORKERS / 2 ? S2N_TLS13 : S2N_TLS12;
        REQUIRE(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0);
    }
    REQUIRE(pthread_create(&rot.thread, NULL, rotator_main, &rot) == 0);

    uint64_t start = monotonic_ns();
    uint64_t run = run_ns();
    while (monotonic_ns() - start < run) {
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    stop = 1;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i].thread, NULL);
    }
    pthread_join(rot.thread, NULL);

    unsigned long attempts = 0, resumed = 0;
    for (int i = 0; i < WORKERS; i++) {
        struct worker *w = &workers[i];
        printf("worker %d (%s): %lu handshakes, %lu failures, %lu/%lu resumed, %lu without a session\n",
               i, w->version == S2N_TLS13 ? "TLS1.3" : "TLS1.2", w->handshakes, w->failures,
               w->resumed, w->attempts, w->no_session);
        EXPECT_EQUAL(w->failures, 0);
        EXPECT_EQUAL(w->wrong_version, 0);
        EXPECT_EQUAL(w->resumed_mismatch, 0);
        EXPECT_EQUAL(w->no_session, 0);
        EXPECT_TRUE(w->handshakes >= 10);
        EXPECT_TRUE(w->attempts >= 4);
        /* Most resumption attempts resume, on every worker. */
        EXPECT_TRUE(w->resumed * 10 >= w->attempts * 9);
        attempts += w->attempts;
        resumed += w->resumed;
    }
    printf("keys: %lu added, %lu failed; %lu/%lu resumption attempts resumed\n", rot.added,
           rot.failed, resumed, attempts);
    EXPECT_EQUAL(rot.failed, 0);
    EXPECT_TRUE(rot.added >= 50);

    s2n_config_free(server_config);
    s2n_config_free(client_configs[0]);
    s2n_config_free(client_configs[1]);
    return rs2n_test_finish();
}
