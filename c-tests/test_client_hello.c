/*
 * The ClientHello a server received, read through every accessor, against the
 * bytes the client actually sent (captured from the in-memory pipe and parsed
 * with s2n_client_hello_parse_message): a TLS1.3-only client ("20250211", whose
 * one suite is TLS_AES_256_GCM_SHA384) naming "localhost".
 *   - inside the client hello callback and after the handshake the connection's
 *     hello reports the same fields as the parsed message: raw message (random
 *     zeroed), random, cipher suites, extensions, session ID, compression
 *     methods, versions, server name, supported groups;
 *   - short buffers: copies are cut to the buffer (raw message, suites,
 *     extensions, session ID) or refused with S2N_ERR_INSUFFICIENT_MEM_SIZE
 *     (random, compression methods, server name, supported groups);
 *   - NULL and bad arguments fail with usage errors; parse_message refuses cut
 *     and wrong messages (S2N_ERR_T_PROTO); s2n_client_hello_free refuses the
 *     connection's hello and frees an application's one;
 *   - no hello before the ClientHello, on a client, or after wipe.
 */
#include "testlib.h"

#include <stdbool.h>

static struct s2n_client_hello *seen_in_callback;
static unsigned callbacks;

static int hello_cb(struct s2n_connection *conn, void *ctx)
{
    EXPECT_EQUAL(ctx, &callbacks);
    callbacks++;
    seen_in_callback = s2n_connection_get_client_hello(conn);
    EXPECT_NOT_NULL(seen_in_callback);
    return 0;
}

/* Every field of `a` equals that of `b`. */
static void expect_same_hello(struct s2n_client_hello *a, struct s2n_client_hello *b)
{
    uint8_t x[4096], y[4096];
    ssize_t n = s2n_client_hello_get_raw_message_length(a);
    EXPECT_TRUE(n > 0 && n <= (ssize_t) sizeof(x));
    EXPECT_EQUAL(s2n_client_hello_get_raw_message_length(b), n);
    EXPECT_EQUAL(s2n_client_hello_get_raw_message(a, x, sizeof(x)), n);
    EXPECT_EQUAL(s2n_client_hello_get_raw_message(b, y, sizeof(y)), n);
    EXPECT_TRUE(memcmp(x, y, (size_t) n) == 0);
    n = s2n_client_hello_get_extensions_length(a);
    EXPECT_EQUAL(s2n_client_hello_get_extensions_length(b), n);
    EXPECT_EQUAL(s2n_client_hello_get_extensions(a, x, sizeof(x)), n);
    EXPECT_EQUAL(s2n_client_hello_get_extensions(b, y, sizeof(y)), n);
    EXPECT_TRUE(memcmp(x, y, (size_t) n) == 0);
    EXPECT_SUCCESS(s2n_client_hello_get_random(a, x, 32));
    EXPECT_SUCCESS(s2n_client_hello_get_random(b, y, 32));
    EXPECT_TRUE(memcmp(x, y, 32) == 0);
    uint32_t la = 0, lb = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_session_id(a, x, &la, sizeof(x)));
    EXPECT_SUCCESS(s2n_client_hello_get_session_id(b, y, &lb, sizeof(y)));
    EXPECT_EQUAL(la, lb);
    EXPECT_TRUE(memcmp(x, y, la) == 0);
}

static void check_fields(struct s2n_client_hello *ch, const uint8_t *message, size_t message_len,
                         int from_record)
{
    const uint8_t *body = message + 4;
    uint8_t buf[4096];

    /* Raw message: the body, the random zeroed. */
    ssize_t raw_len = s2n_client_hello_get_raw_message_length(ch);
    EXPECT_EQUAL(raw_len, (ssize_t) (message_len - 4));
    EXPECT_EQUAL(s2n_client_hello_get_raw_message(ch, buf, sizeof(buf)), raw_len);
    EXPECT_TRUE(memcmp(buf, body, 2) == 0);
    static const uint8_t zeros[32] = { 0 };
    EXPECT_TRUE(memcmp(buf + 2, zeros, 32) == 0);
    EXPECT_TRUE(memcmp(buf + 34, body + 34, (size_t) raw_len - 34) == 0);
    EXPECT_EQUAL(s2n_client_hello_get_raw_message(ch, buf, 10), 10);

    uint8_t random[32];
    EXPECT_SUCCESS(s2n_client_hello_get_random(ch, random, sizeof(random)));
    EXPECT_TRUE(memcmp(random, body + 2, 32) == 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_random(ch, random, 31), S2N_ERR_T_USAGE);

    /* Session ID: rustls sends 32 random bytes in TLS1.3 (middlebox compatibility). */
    uint32_t sid_len = 99;
    EXPECT_SUCCESS(s2n_client_hello_get_session_id_length(ch, &sid_len));
    EXPECT_EQUAL(sid_len, body[34]);
    uint32_t copied = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_session_id(ch, buf, &copied, sizeof(buf)));
    EXPECT_EQUAL(copied, sid_len);
    EXPECT_TRUE(memcmp(buf, body + 35, sid_len) == 0);
    EXPECT_SUCCESS(s2n_client_hello_get_session_id(ch, buf, &copied, 5));
    EXPECT_EQUAL(copied, sid_len < 5 ? sid_len : 5);

    /* Cipher suites: the policy's one TLS1.3 suite first, as sent. */
    size_t at = 35 + sid_len;
    size_t suites_len = ((size_t) body[at] << 8) | body[at + 1];
    EXPECT_EQUAL(s2n_client_hello_get_cipher_suites_length(ch), (ssize_t) suites_len);
    EXPECT_EQUAL(s2n_client_hello_get_cipher_suites(ch, buf, sizeof(buf)), (ssize_t) suites_len);
    EXPECT_TRUE(memcmp(buf, body + at + 2, suites_len) == 0);
    EXPECT_TRUE(suites_len >= 2 && buf[0] == 0x13 && buf[1] == 0x02);
    for (size_t i = 0; i < suites_len; i += 2) {
        /* No other TLS1.3 suite than the policy's (0x00ff, the SCSV, may follow). */
        EXPECT_TRUE(buf[i] != 0x13 || buf[i + 1] == 0x02);
    }
    EXPECT_EQUAL(s2n_client_hello_get_cipher_suites(ch, buf, 1), 1);

    /* Compression methods: null only. */
    uint32_t methods_len = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_compression_methods_length(ch, &methods_len));
    EXPECT_EQUAL(methods_len, 1);
    uint8_t methods[4] = { 9, 9, 9, 9 };
    uint32_t out_len = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_compression_methods(ch, methods, sizeof(methods), &out_len));
    EXPECT_EQUAL(out_len, 1);
    EXPECT_EQUAL(methods[0], 0);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_compression_methods(ch, methods, 0, &out_len),
                             S2N_ERR_T_USAGE);
    EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), "S2N_ERR_INSUFFICIENT_MEM_SIZE");

    /* Versions: legacy 0x0303 (33); the record of a first ClientHello says TLS1.0 (31). */
    uint8_t v = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_legacy_protocol_version(ch, &v));
    EXPECT_EQUAL(v, S2N_TLS12);
    if (from_record) {
        EXPECT_SUCCESS(s2n_client_hello_get_legacy_record_version(ch, &v));
        EXPECT_EQUAL(v, S2N_TLS10);
    } else {
        EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_legacy_record_version(ch, &v), S2N_ERR_T_USAGE);
    }

    /* Extensions: the block as sent, after its 2-byte length. */
    at += 2 + suites_len;
    at += 1 + body[at];
    size_t ext_len = ((size_t) body[at] << 8) | body[at + 1];
    EXPECT_EQUAL(at + 2 + ext_len, message_len - 4);
    EXPECT_EQUAL(s2n_client_hello_get_extensions_length(ch), (ssize_t) ext_len);
    EXPECT_EQUAL(s2n_client_hello_get_extensions(ch, buf, sizeof(buf)), (ssize_t) ext_len);
    EXPECT_TRUE(memcmp(buf, body + at + 2, ext_len) == 0);

    /* server_name: "localhost". */
    EXPECT_EQUAL(s2n_client_hello_get_extension_length(ch, S2N_EXTENSION_SERVER_NAME), 5 + 9);
    EXPECT_EQUAL(s2n_client_hello_get_extension_by_id(ch, S2N_EXTENSION_SERVER_NAME, buf, sizeof(buf)), 14);
    EXPECT_TRUE(memcmp(buf + 5, "localhost", 9) == 0);
    EXPECT_EQUAL(s2n_client_hello_get_extension_by_id(ch, S2N_EXTENSION_SERVER_NAME, buf, 3), 3);
    uint16_t name_len = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_server_name_length(ch, &name_len));
    EXPECT_EQUAL(name_len, 9);
    char name[16] = { 0 };
    uint16_t name_out = 0;
    EXPECT_SUCCESS(s2n_client_hello_get_server_name(ch, (uint8_t *) name, sizeof(name), &name_out));
    EXPECT_EQUAL(name_out, 9);
    EXPECT_STRING_EQUAL(name, "localhost");
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_server_name(ch, (uint8_t *) name, 8, &name_out),
                             S2N_ERR_T_USAGE);
    EXPECT_EQUAL(name_out, 0);

    /* Supported groups: the extension's list, in order. */
    ssize_t groups_ext = s2n_client_hello_get_extension_length(ch, S2N_EXTENSION_SUPPORTED_GROUPS);
    EXPECT_TRUE(groups_ext >= 4);
    uint16_t groups[64] = { 0 }, count = 99;
    EXPECT_SUCCESS(s2n_client_hello_get_supported_groups(ch, groups, 64, &count));
    EXPECT_EQUAL(count, (groups_ext - 2) / 2);
    EXPECT_EQUAL(s2n_client_hello_get_extension_by_id(ch, S2N_EXTENSION_SUPPORTED_GROUPS, buf, sizeof(buf)),
                 groups_ext);
    for (uint16_t i = 0; i < count; i++) {
        EXPECT_EQUAL(groups[i], (buf[2 + 2 * i] << 8) | buf[3 + 2 * i]);
    }
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_supported_groups(ch, groups, (uint16_t) (count - 1), &count),
                             S2N_ERR_T_USAGE);
    EXPECT_EQUAL(count, 0);

    /* Presence: known and unknown types. */
    bool exists = false;
    EXPECT_SUCCESS(s2n_client_hello_has_extension(ch, 43 /* supported_versions */, &exists));
    EXPECT_TRUE(exists);
    EXPECT_SUCCESS(s2n_client_hello_has_extension(ch, 0xfafa, &exists));
    EXPECT_FALSE(exists);
    EXPECT_SUCCESS(s2n_client_hello_has_extension(ch, S2N_EXTENSION_RENEGOTIATION_INFO, &exists));
    EXPECT_EQUAL(s2n_client_hello_get_extension_length(ch, 0xfafa), 0);
    EXPECT_EQUAL(s2n_client_hello_get_extension_by_id(ch, 0xfafa, buf, sizeof(buf)), 0);
    EXPECT_EQUAL(s2n_client_hello_get_extension_length(ch, -1), 0);
}

static void null_arguments(struct s2n_client_hello *ch)
{
    uint8_t buf[64];
    uint32_t u32 = 0;
    uint16_t u16 = 0;
    uint8_t u8 = 0;
    bool b = false;
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_raw_message_length(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_raw_message(NULL, buf, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_raw_message(ch, NULL, 1), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_cipher_suites_length(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_cipher_suites(ch, NULL, 0), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_extensions_length(NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_extensions(ch, NULL, 4), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_extension_length(NULL, S2N_EXTENSION_ALPN), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_extension_by_id(ch, S2N_EXTENSION_SERVER_NAME, NULL, 4),
                             S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_has_extension(NULL, 0, &b), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_has_extension(ch, 0, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_session_id_length(ch, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_session_id(ch, NULL, &u32, 4), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_session_id(ch, buf, NULL, 4), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_compression_methods_length(NULL, &u32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_compression_methods(ch, NULL, 4, &u32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_legacy_protocol_version(ch, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_legacy_record_version(NULL, &u8), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_random(ch, NULL, 32), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_supported_groups(ch, NULL, 4, &u16), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_supported_groups(ch, &u16, 4, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_server_name_length(ch, NULL), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_server_name(ch, NULL, 4, &u16), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_server_name(ch, buf, 4, NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_connection_get_client_hello(NULL), S2N_ERR_T_USAGE);
    EXPECT_NULL_WITH_TYPE(s2n_client_hello_parse_message(NULL, 4), S2N_ERR_T_USAGE);
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_free(NULL), S2N_ERR_T_USAGE);
    struct s2n_client_hello *none = NULL;
    EXPECT_SUCCESS(s2n_client_hello_free(&none));
}

static void parsed_messages(const uint8_t *message, size_t len)
{
    /* Cut anywhere, or with a wrong type or length: refused. */
    for (size_t n = 0; n < len; n += 7) {
        EXPECT_NULL_WITH_TYPE(s2n_client_hello_parse_message(message, (uint32_t) n), S2N_ERR_T_PROTO);
    }
    uint8_t *copy = malloc(len + 1);
    REQUIRE_NOT_NULL(copy);
    memcpy(copy, message, len);
    copy[0] = 2;
    EXPECT_NULL_WITH_TYPE(s2n_client_hello_parse_message(copy, (uint32_t) len), S2N_ERR_T_PROTO);
    copy[0] = 1;
    copy[len] = 0;
    EXPECT_NULL_WITH_TYPE(s2n_client_hello_parse_message(copy, (uint32_t) len + 1), S2N_ERR_T_PROTO);
    struct s2n_client_hello *ch = s2n_client_hello_parse_message(copy, (uint32_t) len);
    /* The application's copy: the input buffer can go. */
    memset(copy, 0, len);
    free(copy);
    REQUIRE_NOT_NULL(ch);
    uint8_t v = 0;
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_get_legacy_record_version(ch, &v), S2N_ERR_T_USAGE);
    EXPECT_SUCCESS(s2n_client_hello_get_legacy_protocol_version(ch, &v));
    EXPECT_EQUAL(v, S2N_TLS12);
    EXPECT_SUCCESS(s2n_client_hello_free(&ch));
    EXPECT_NULL(ch);
}

int main(void)
{
    rs2n_test_begin("client_hello", 60);
    struct s2n_config *server = rs2n_server_config(RS2N_CERT_ECDSA_P256, "default_tls13");
    struct s2n_config *client = rs2n_client_config("ca_cert.pem", "20250211");
    REQUIRE_SUCCESS(s2n_config_set_client_hello_cb(server, hello_cb, &callbacks));

    struct rs2n_pair p;
    rs2n_pair_open_mem(&p, server, client, "localhost");
    EXPECT_NULL(s2n_connection_get_client_hello(p.server));
    s2n_blocked_status blocked = S2N_NOT_BLOCKED;
    EXPECT_FAILURE_WITH_TYPE(s2n_negotiate(p.client, &blocked), S2N_ERR_T_BLOCKED);
    EXPECT_NULL(s2n_connection_get_client_hello(p.client));

    /* The client's first flight: one handshake record holding the ClientHello. */
    struct rs2n_mem_queue *q = p.pipe.b.out;
    size_t flight = rs2n_mem_queue_pending(q);
    REQUIRE(flight > 9);
    uint8_t *record = malloc(flight);
    REQUIRE_NOT_NULL(record);
    memcpy(record, q->data + q->off, flight);
    REQUIRE(record[0] == 22);
    size_t record_len = ((size_t) record[3] << 8) | record[4];
    REQUIRE(record_len + 5 == flight);
    const uint8_t *message = record + 5;
    size_t message_len = record_len;

    struct s2n_client_hello *parsed = s2n_client_hello_parse_message(message, (uint32_t) message_len);
    REQUIRE_NOT_NULL(parsed);
    check_fields(parsed, message, message_len, 0);

    struct rs2n_pair_result res;
    EXPECT_EQUAL(rs2n_negotiate_pair(p.server, p.client, &res), 0);
    EXPECT_EQUAL(callbacks, 1);
    struct s2n_client_hello *ch = s2n_connection_get_client_hello(p.server);
    REQUIRE_NOT_NULL(ch);
    EXPECT_EQUAL(ch, seen_in_callback);
    check_fields(ch, message, message_len, 1);
    expect_same_hello(ch, parsed);
    null_arguments(ch);

    /* The connection's hello is not the application's to free. */
    struct s2n_client_hello *owned = ch;
    EXPECT_FAILURE_WITH_TYPE(s2n_client_hello_free(&owned), S2N_ERR_T_USAGE);
    EXPECT_EQUAL(owned, ch);
    EXPECT_SUCCESS(s2n_client_hello_free(&parsed));

    parsed_messages(message, message_len);
    EXPECT_SUCCESS(s2n_connection_wipe(p.server));
    EXPECT_NULL(s2n_connection_get_client_hello(p.server));

    free(record);
    rs2n_pair_close(&p);
    s2n_config_free(server);
    s2n_config_free(client);
    return rs2n_test_finish();
}
