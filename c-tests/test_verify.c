/*
 * Certificate verification by the client, under TLS1.3 and TLS1.2:
 *   - trusting the test CA through s2n_config_add_pem_to_trust_store, through
 *     s2n_config_set_verification_ca_location with the file, and with a
 *     directory: the handshake succeeds for server name "localhost" (and its
 *     upper-case spelling, and the certificate's IP address);
 *   - a name the certificate does not carry ("wrong.example", "127.0.0.2"), no
 *     server name at all, a certificate issued for another name: the client
 *     fails with S2N_ERR_T_PROTO and the server with S2N_ERR_T_ALERT;
 *   - an untrusted issuer (client trusting only another CA, a minimal config,
 *     s2n_config_new()'s system store, a wiped trust store): client
 *     S2N_ERR_T_PROTO, server S2N_ERR_T_ALERT with the alert code it received;
 *   - s2n_config_disable_x509_verification: succeeds whatever the name or CA.
 * After every failure the same configs make a successful connection (after the
 * client config is given the CA when that was what was missing).
 */
#include "testlib.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *label = "";

/* A handshake that must succeed. */
static void expect_ok(struct s2n_config *sc, struct s2n_config *cc, const char *name,
                      const char *what, int line)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    if (rs2n_pair_handshake(&p, sc, cc, name, &res) != 0) {
        rs2n_test_fail(__FILE__, line, "%s: %s: handshake failed", label, what);
        rs2n_print_pair_result(what, &res);
    } else {
        if (name) {
            EXPECT_STRING_EQUAL(s2n_get_server_name(p.client), name);
        }
        printf("%s: %-60s ok\n", label, what);
    }
    rs2n_pair_close(&p);
}

/* A handshake the client must refuse (PROTO); the server must get its alert. */
static void expect_refused(struct s2n_config *sc, struct s2n_config *cc, const char *name,
                           const char *what, int line)
{
    struct rs2n_pair p;
    struct rs2n_pair_result res;
    int before = rs2n_test_failures;
    if (rs2n_pair_handshake(&p, sc, cc, name, &res) == 0) {
        rs2n_test_fail(__FILE__, line, "%s: %s: handshake succeeded, expected the client to refuse",
                       label, what);
        rs2n_pair_close(&p);
        return;
    }
    if (res.client.rc != -1 || res.client.type != S2N_ERR_T_PROTO) {
        rs2n_test_fail(__FILE__, line, "%s: %s: client: expected S2N_ERR_T_PROTO", label, what);
    }
    if (res.client.msg[0] == '\0') {
        rs2n_test_fail(__FILE__, line, "%s: %s: client: empty error message", label, what);
    }
    if (res.server.rc != -1 || res.server.type != S2N_ERR_T_ALERT) {
        rs2n_test_fail(__FILE__, line, "%s: %s: server: expected S2N_ERR_T_ALERT", label, what);
    }
    int alert = -1;
    if (res.server.type == S2N_ERR_T_ALERT) {
        alert = s2n_connection_get_alert(p.server);
        if (alert <= 0) {
            rs2n_test_fail(__FILE__, line, "%s: %s: s2n_connection_get_alert returned %d", label,
                           what, alert);
            rs2n_print_s2n_error("  s2n error");
        }
    }
    /* A failed connection stays failed: no data can be sent. */
    s2n_blocked_status blocked;
    EXPECT_EQUAL(s2n_send(p.client, "x", 1, &blocked), -1);
    EXPECT_NOT_EQUAL(s2n_error_get_type(s2n_errno), S2N_ERR_T_BLOCKED);
    if (rs2n_test_failures != before) {
        rs2n_print_pair_result(what, &res);
    } else {
        printf("%s: %-60s refused: client %s (%s); server got alert %d\n", label, what,
               res.client.name, res.client.msg, alert);
    }
    rs2n_pair_close(&p);
}

#define EXPECT_OK(sc, cc, name, what) expect_ok(sc, cc, name, what, __LINE__)
#define EXPECT_REFUSED(sc, cc, name, what) expect_refused(sc, cc, name, what, __LINE__)

/* A temporary directory holding a copy of one certificate file. */
static char *make_ca_dir(const char *cert_name, char *file_out, size_t file_out_len)
{
    static char dir[2][64];
    static int next = 0;
    char *d = dir[next++ % 2];
    snprintf(d, sizeof(dir[0]), "/tmp/rs2n_test_ca_XXXXXX");
    REQUIRE(mkdtemp(d) != NULL);
    char *pem = rs2n_read_cert(cert_name);
    snprintf(file_out, file_out_len, "%s/%s", d, cert_name);
    FILE *f = fopen(file_out, "w");
    REQUIRE(f != NULL);
    REQUIRE(fputs(pem, f) >= 0);
    REQUIRE(fclose(f) == 0);
    free(pem);
    return d;
}

/* The fake clock, counting its calls, or failing. */
struct counting_clock {
    struct rs2n_fake_clock now;
    int fail;
    unsigned long calls;
};

static int fake_wall_clock(void *ctx, uint64_t *nanoseconds)
{
    struct counting_clock *c = ctx;
    c->calls++;
    if (c->fail) {
        return -1;
    }
    return rs2n_fake_clock_fn(&c->now, nanoseconds);
}

/* The test certificates are valid from 2000 to 2126. */
static void test_validity_period(const char *policy, struct s2n_config *server)
{
    struct counting_clock clock = { { RS2N_YEAR_SECONDS(2050) }, 0, 0 };
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_set_wall_clock(client, fake_wall_clock, &clock));
    EXPECT_OK(server, client, "localhost", "client clock in 2050");
    /* The client read its clock (with its context) to check the dates. */
    EXPECT_TRUE(clock.calls > 0);

    clock.now.seconds = RS2N_YEAR_SECONDS(2200);
    EXPECT_REFUSED(server, client, "localhost", "client clock in 2200 (certificates expired)");
    clock.now.seconds = RS2N_YEAR_SECONDS(1990);
    EXPECT_REFUSED(server, client, "localhost", "client clock in 1990 (not yet valid)");
    clock.now.seconds = RS2N_YEAR_SECONDS(2050);
    EXPECT_OK(server, client, "localhost", "same config, clock back in 2050");

    /* A clock that fails makes the handshake fail; it is not ignored. */
    clock.fail = 1;
    {
        struct rs2n_pair p;
        struct rs2n_pair_result res;
        EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", &res), -1);
        EXPECT_EQUAL(res.client.rc, -1);
        EXPECT_NOT_EQUAL(res.client.type, S2N_ERR_T_BLOCKED);
        printf("%s: %-60s refused: client %s (%s)\n", label, "client clock fails", res.client.name,
               res.client.msg);
        rs2n_pair_close(&p);
    }
    clock.fail = 0;

    /* Without verification the dates do not matter either. */
    struct s2n_config *insecure = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_disable_x509_verification(insecure));
    clock.now.seconds = RS2N_YEAR_SECONDS(2200);
    EXPECT_SUCCESS(s2n_config_set_wall_clock(insecure, fake_wall_clock, &clock));
    EXPECT_OK(server, insecure, "localhost", "verification off, clock in 2200");

    EXPECT_SUCCESS(s2n_config_free(client));
    EXPECT_SUCCESS(s2n_config_free(insecure));
}

static void run(const char *policy)
{
    label = policy;
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, policy);
    struct s2n_config *server_rsa = rs2n_server_config(RS2N_CERT_RSA2048, policy);
    struct s2n_config *server_wrong = rs2n_server_config(RS2N_CERT_WRONG_NAME, policy);

    /* Trust through s2n_config_add_pem_to_trust_store. */
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", policy);
    EXPECT_OK(server, client, "localhost", "CA added as PEM, localhost");
    EXPECT_OK(server_rsa, client, "localhost", "CA added as PEM, localhost, RSA");
    EXPECT_OK(server, client, "LOCALHOST", "CA added as PEM, LOCALHOST (names ignore case)");
    EXPECT_OK(server, client, "127.0.0.1", "CA added as PEM, IP 127.0.0.1 (IP SAN)");

    /* Wrong names, then the same configs with the right name. */
    EXPECT_REFUSED(server, client, "wrong.example", "name wrong.example vs localhost cert");
    EXPECT_OK(server, client, "localhost", "same configs afterwards, localhost");
    EXPECT_REFUSED(server, client, "127.0.0.2", "IP 127.0.0.2 vs cert for 127.0.0.1");
    EXPECT_REFUSED(server, client, NULL, "no server name set");
    EXPECT_OK(server, client, "localhost", "same configs afterwards, localhost");
    /* A certificate from the trusted CA, for another name. */
    EXPECT_REFUSED(server_wrong, client, "localhost", "cert for wrong.example, name localhost");
    EXPECT_OK(server_wrong, client, "wrong.example", "cert for wrong.example, name wrong.example");

    /* Trusting only an unrelated CA. */
    struct s2n_config *other = rs2n_client_config("other_ca_cert.pem", policy);
    EXPECT_REFUSED(server, other, "localhost", "client trusts only other_ca");
    char *ca = rs2n_read_cert("ca_cert.pem");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(other, ca));
    EXPECT_OK(server, other, "localhost", "same client config after adding the CA");

    /* A minimal config trusts nothing. */
    struct s2n_config *minimal = rs2n_client_config(NULL, policy);
    EXPECT_REFUSED(server, minimal, "localhost", "s2n_config_new_minimal (no CA)");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(minimal, ca));
    EXPECT_OK(server, minimal, "localhost", "same minimal config after adding the CA");

    /* s2n_config_new trusts the system's CAs, not the test CA. */
    struct s2n_config *system = s2n_config_new();
    REQUIRE_NOT_NULL(system);
    EXPECT_SUCCESS(s2n_config_set_cipher_preferences(system, policy));
    EXPECT_REFUSED(server, system, "localhost", "s2n_config_new (system CAs only)");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(system, ca));
    EXPECT_OK(server, system, "localhost", "s2n_config_new plus the CA");

    /* A wiped trust store trusts nothing, and can be filled again. */
    EXPECT_SUCCESS(s2n_config_wipe_trust_store(client));
    EXPECT_REFUSED(server, client, "localhost", "after s2n_config_wipe_trust_store");
    EXPECT_SUCCESS(s2n_config_add_pem_to_trust_store(client, ca));
    EXPECT_OK(server, client, "localhost", "wiped store refilled with the CA");
    EXPECT_SUCCESS(s2n_config_wipe_trust_store(system));
    EXPECT_REFUSED(server, system, "localhost", "s2n_config_new, trust store wiped");

    /* Trust through s2n_config_set_verification_ca_location: file. */
    struct s2n_config *by_file = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_set_verification_ca_location(by_file, rs2n_cert_path("ca_cert.pem"), NULL));
    EXPECT_OK(server, by_file, "localhost", "CA location: file");
    EXPECT_REFUSED(server, by_file, "wrong.example", "CA location: file, wrong name");

    /* ... a directory holding only the CA ... */
    char file[256], other_file[256];
    char *dir = make_ca_dir("ca_cert.pem", file, sizeof(file));
    struct s2n_config *by_dir = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_set_verification_ca_location(by_dir, NULL, dir));
    EXPECT_OK(server, by_dir, "localhost", "CA location: directory");
    EXPECT_OK(server_rsa, by_dir, "localhost", "CA location: directory, RSA");

    /* ... a directory holding only the other CA ... */
    char *other_dir = make_ca_dir("other_ca_cert.pem", other_file, sizeof(other_file));
    struct s2n_config *by_other_dir = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_set_verification_ca_location(by_other_dir, NULL, other_dir));
    EXPECT_REFUSED(server, by_other_dir, "localhost", "CA location: directory with other CA");
    EXPECT_SUCCESS(s2n_config_set_verification_ca_location(by_other_dir, rs2n_cert_path("ca_cert.pem"), NULL));
    EXPECT_OK(server, by_other_dir, "localhost", "same config plus the CA file");

    /* ... and the test certificate directory itself (keys and leaves in it too). */
    struct s2n_config *by_certs_dir = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_set_verification_ca_location(by_certs_dir, NULL, RS2N_CERTS_DIR));
    EXPECT_OK(server, by_certs_dir, "localhost", "CA location: the certs directory");

    unlink(file);
    rmdir(dir);
    unlink(other_file);
    rmdir(other_dir);

    /* Verification off: any name, any CA, or none. */
    struct s2n_config *insecure = rs2n_client_config(NULL, policy);
    EXPECT_SUCCESS(s2n_config_disable_x509_verification(insecure));
    EXPECT_OK(server_wrong, insecure, "localhost", "verification off: wrong-name cert, no CA");
    EXPECT_OK(server, insecure, "wrong.example", "verification off: wrong name, no CA");
    EXPECT_OK(server, insecure, NULL, "verification off: no server name");
    struct s2n_config *insecure_other = rs2n_client_config("other_ca_cert.pem", policy);
    EXPECT_SUCCESS(s2n_config_disable_x509_verification(insecure_other));
    EXPECT_OK(server_rsa, insecure_other, "wrong.example", "verification off: other CA, wrong name, RSA");

    test_validity_period(policy, server);

    free(ca);
    struct s2n_config *all[] = { server, server_rsa, server_wrong, client, other, minimal, system,
                                 by_file, by_dir, by_other_dir, by_certs_dir, insecure,
                                 insecure_other };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        EXPECT_SUCCESS(s2n_config_free(all[i]));
    }
}

int main(void)
{
    rs2n_test_begin("test_verify", 60);
    run("default_tls13");
    run("20240501");
    return rs2n_test_finish();
}
