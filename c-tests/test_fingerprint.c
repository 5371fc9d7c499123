/*
 * ClientHello fingerprints (s2n/unstable/fingerprint.h), against the published
 * examples:
 *   - JA3: the JA3 README's example hello gives its string
 *     "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"
 *     and MD5 ada70206e40642a3e4461f35503241d5, GREASE values left out (through
 *     s2n_fingerprint_* and s2n_client_hello_get_fingerprint_hash/_string);
 *   - JA4: the JA4 technical details' example lists give
 *     t13d1516h2_8daaf6152771_e5627efa2ab1, and the raw form is those lists;
 *   - a real ClientHello (an rs2n client's, from the connection in the client
 *     hello callback) fingerprints with both methods, the hash sizes as
 *     s2n_fingerprint_get_hash_size says, the raw size once computed;
 *   - errors: unknown types, NULL arguments, short buffers, no ClientHello yet,
 *     JA4 refused by the JA3-only functions.
 */
#include <s2n/unstable/fingerprint.h>

#include "testlib.h"

/* A ClientHello message from its parts (extensions: type, length, data...). */
struct builder {
    uint8_t buf[2048];
    size_t len;
};

static void put(struct builder *b, const void *p, size_t n)
{
    REQUIRE(b->len + n <= sizeof(b->buf));
    if (n > 0) {
        memcpy(b->buf + b->len, p, n);
    }
    b->len += n;
}
static void put8(struct builder *b, uint8_t v) { put(b, &v, 1); }
static void put16(struct builder *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t) (v >> 8), (uint8_t) v };
    put(b, x, 2);
}

static void begin(struct builder *b, uint16_t version, const uint16_t *suites, size_t n)
{
    memset(b, 0, sizeof(*b));
    put8(b, 1);
    put8(b, 0);
    put16(b, 0); /* length, set by end() */
    put16(b, version);
    for (int i = 0; i < 32; i++) {
        put8(b, (uint8_t) i);
    }
    put8(b, 0); /* session id */
    put16(b, (uint16_t) (2 * n));
    for (size_t i = 0; i < n; i++) {
        put16(b, suites[i]);
    }
    put8(b, 1);
    put8(b, 0);
    put16(b, 0); /* extensions length, set by end() */
}
static void ext(struct builder *b, uint16_t type, const uint8_t *data, size_t n)
{
    put16(b, type);
    put16(b, (uint16_t) n);
    put(b, data, n);
}
static size_t ext_start(size_t suites)
{
    return 4 + 2 + 32 + 1 + 2 + 2 * suites + 2 + 2;
}
static struct s2n_client_hello *end(struct builder *b, size_t suites)
{
    size_t body = b->len - 4, exts = b->len - ext_start(suites);
    b->buf[2] = (uint8_t) (body >> 8);
    b->buf[3] = (uint8_t) body;
    b->buf[ext_start(suites) - 2] = (uint8_t) (exts >> 8);
    b->buf[ext_start(suites) - 1] = (uint8_t) exts;
    return s2n_client_hello_parse_message(b->buf, (uint32_t) b->len);
}

static const uint8_t sni[] = { 0, 6, 0, 0, 3, 'a', '.', 'b' };

static void expect_fp(struct s2n_client_hello *ch, s2n_fingerprint_type type, const char *hash,
                      const char *raw)
{
    struct s2n_fingerprint *fp = s2n_fingerprint_new(type);
    REQUIRE_NOT_NULL(fp);
    uint8_t out[1024];
    uint32_t size = 0;
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash(fp, sizeof(out), out, &size), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INVALID_STATE");
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw_size(fp, &size), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_fingerprint_set_client_hello(fp, ch));
    uint32_t hash_size = 0;
    EXPECT_SUCCESS(s2n_fingerprint_get_hash_size(fp, &hash_size));
    EXPECT_EQUAL(hash_size, strlen(hash));
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash(fp, hash_size - 1, out, &size), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_fingerprint_get_hash(fp, sizeof(out), out, &size));
    EXPECT_EQUAL(size, hash_size);
    out[size] = 0;
    EXPECT_STRING_EQUAL((char *) out, hash);
    uint32_t raw_size = 0;
    EXPECT_SUCCESS(s2n_fingerprint_get_raw_size(fp, &raw_size));
    EXPECT_EQUAL(raw_size, strlen(raw));
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw(fp, raw_size - 1, out, &size), S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");
    EXPECT_SUCCESS(s2n_fingerprint_get_raw(fp, sizeof(out), out, &size));
    EXPECT_EQUAL(size, raw_size);
    out[size] = 0;
    EXPECT_STRING_EQUAL((char *) out, raw);
    EXPECT_SUCCESS(s2n_fingerprint_wipe(fp));
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw(fp, sizeof(out), out, &size), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_fingerprint_free(&fp));
    EXPECT_NULL(fp);
}

static void ja3_example(void)
{
    const uint16_t suites[] = { 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4, 0x0a0a };
    const size_t n = sizeof(suites) / sizeof(suites[0]);
    const uint8_t groups[] = { 0, 8, 0x1a, 0x1a, 0, 23, 0, 24, 0, 25 };
    const uint8_t formats[] = { 1, 0 };
    struct builder b;
    begin(&b, 0x0301, suites, n);
    ext(&b, 0, sni, sizeof(sni));
    ext(&b, 10, groups, sizeof(groups));
    ext(&b, 11, formats, sizeof(formats));
    struct s2n_client_hello *ch = end(&b, n);
    REQUIRE_NOT_NULL(ch);
    const char *str = "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0";
    expect_fp(ch, S2N_FINGERPRINT_JA3, "ada70206e40642a3e4461f35503241d5", str);

    static const uint8_t md5[16] = { 0xad, 0xa7, 0x02, 0x06, 0xe4, 0x06, 0x42, 0xa3,
                                     0xe4, 0x46, 0x1f, 0x35, 0x50, 0x32, 0x41, 0xd5 };
    uint8_t hash[16];
    uint32_t hash_size = 0, str_size = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_fingerprint_hash(ch, S2N_FINGERPRINT_JA3, sizeof(hash), hash,
                                                         &hash_size, &str_size));
    EXPECT_EQUAL(hash_size, 16);
    EXPECT_TRUE(memcmp(hash, md5, 16) == 0);
    EXPECT_EQUAL(str_size, strlen(str));
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_fingerprint_hash(ch, S2N_FINGERPRINT_JA3, 15, hash,
                                                                   &hash_size, &str_size),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_fingerprint_hash(ch, S2N_FINGERPRINT_JA4, 16, hash,
                                                                   &hash_size, &str_size),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_fingerprint_hash(ch, S2N_FINGERPRINT_JA3, 16, hash,
                                                                   &hash_size, NULL),
                             S2N_ERR_T_USAGE);
    char text[128] = { 0 };
    uint32_t text_size = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_fingerprint_string(ch, S2N_FINGERPRINT_JA3, sizeof(text) - 1,
                                                           (uint8_t *) text, &text_size));
    EXPECT_EQUAL(text_size, strlen(str));
    EXPECT_STRING_EQUAL(text, str);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_fingerprint_string(ch, S2N_FINGERPRINT_JA3, 10,
                                                                     (uint8_t *) text, &text_size),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_fingerprint_string(NULL, S2N_FINGERPRINT_JA3, 10,
                                                                     (uint8_t *) text, &text_size),
                             S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_client_hello_free(&ch));
}

static void ja4_example(void)
{
    const uint16_t suites[] = { 0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
    const size_t n = sizeof(suites) / sizeof(suites[0]);
    const uint8_t sigs[] = { 0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1 };
    const uint8_t versions[] = { 6, 0x3a, 0x3a, 3, 4, 3, 3 };
    const uint8_t alpn[] = { 0, 9, 2, 'h', '2', 6, 'h', 't', 't', 'p', '/', '1' };
    const uint8_t z2[] = { 0, 0 }, one[] = { 0 }, groups[] = { 0, 2, 0, 29 }, formats[] = { 1, 0 };
    const uint8_t status[] = { 1, 0, 0, 0, 0 }, modes[] = { 1, 1 }, cert[] = { 2, 0, 2 };
    struct builder b;
    begin(&b, 0x0303, suites, n);
    ext(&b, 0xdada, NULL, 0);
    ext(&b, 0x0000, sni, sizeof(sni));
    ext(&b, 0x0017, NULL, 0);
    ext(&b, 0xff01, one, 1);
    ext(&b, 0x000a, groups, sizeof(groups));
    ext(&b, 0x000b, formats, sizeof(formats));
    ext(&b, 0x0023, NULL, 0);
    ext(&b, 0x0010, alpn, sizeof(alpn));
    ext(&b, 0x0005, status, sizeof(status));
    ext(&b, 0x000d, sigs, sizeof(sigs));
    ext(&b, 0x0012, NULL, 0);
    ext(&b, 0x0033, z2, 2);
    ext(&b, 0x002d, modes, 2);
    ext(&b, 0x002b, versions, sizeof(versions));
    ext(&b, 0x001b, cert, sizeof(cert));
    ext(&b, 0x4469, NULL, 0);
    ext(&b, 0x0015, z2, 2);
    struct s2n_client_hello *ch = end(&b, n);
    REQUIRE_NOT_NULL(ch);
    expect_fp(ch, S2N_FINGERPRINT_JA4, "t13d1516h2_8daaf6152771_e5627efa2ab1",
              "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
              "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
              "0403,0804,0401,0503,0805,0501,0806,0601");
    EXPECT_SUCCESS(s2n_client_hello_free(&ch));
}

static unsigned real_fingerprints;

static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    (void) ctx;
    struct s2n_client_hello *ch = s2n_connection_get_client_hello(conn);
    EXPECT_NOT_NULL(ch);
    const s2n_fingerprint_type types[] = { S2N_FINGERPRINT_JA3, S2N_FINGERPRINT_JA4 };
    for (int i = 0; i < 2; i++) {
        struct s2n_fingerprint *fp = s2n_fingerprint_new(types[i]);
        uint8_t out[2048];
        uint32_t size = 0, want = 0, raw = 0;
        EXPECT_SUCCESS(s2n_fingerprint_set_client_hello(fp, ch));
        EXPECT_SUCCESS(s2n_fingerprint_get_hash_size(fp, &want));
        EXPECT_SUCCESS(s2n_fingerprint_get_hash(fp, sizeof(out), out, &size));
        EXPECT_EQUAL(size, want);
        EXPECT_SUCCESS(s2n_fingerprint_get_raw_size(fp, &raw));
        EXPECT_SUCCESS(s2n_fingerprint_get_raw(fp, sizeof(out), out, &size));
        EXPECT_EQUAL(size, raw);
        /* JA3 starts with the legacy version (771), JA4 with "t13d" (TLS1.3, SNI). */
        EXPECT_TRUE(memcmp(out, i == 0 ? "771," : "t13d", 4) == 0);
        EXPECT_SUCCESS(s2n_fingerprint_free(&fp));
        real_fingerprints++;
    }
    return 0;
}

static void real_hello(void)
{
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "default_tls13");
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(server, hello_cb, NULL));
    struct rs2n_pair p;
    EXPECT_EQUAL(rs2n_pair_handshake(&p, server, client, "localhost", NULL), 0);
    EXPECT_EQUAL(real_fingerprints, 2);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
}

static void bad_arguments(void)
{
    EXPECT_NULL_WITH_TYPE(s2n_fingerprint_new((s2n_fingerprint_type) 9), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_fingerprint_free(NULL));
    struct s2n_fingerprint *none = NULL;
    EXPECT_SUCCESS(s2n_fingerprint_free(&none));
    uint32_t size = 0;
    uint8_t out[64];
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_wipe(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash_size(NULL, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash(NULL, 64, out, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw(NULL, 64, out, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw_size(NULL, &size), S2N_ERR_T_USAGE);
    struct s2n_fingerprint *fp = s2n_fingerprint_new(S2N_FINGERPRINT_JA4);
    REQUIRE_NOT_NULL(fp);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_set_client_hello(fp, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_set_client_hello(NULL, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash_size(fp, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash(fp, 64, NULL, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_hash(fp, 64, out, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw(fp, 0, out, &size), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_fingerprint_get_raw(fp, 64, NULL, &size), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_fingerprint_free(&fp));
}

int main(void)
{
    rs2n_test_begin("fingerprint", 60);
    ja3_example();
    ja4_example();
    real_hello();
    bad_arguments();
    return rs2n_test_finish();
}
