/*
 * Which error s2n_config_add_ticket_crypto_key reports when a config already
 * holds 48 keys and the new key's name length is also wrong.
 *
 * s2n-tls (tls/s2n_config.c) checks, in this order: NULL arguments, the key
 * length (S2N_ERR_INVALID_TICKET_KEY_LENGTH), the number of keys
 * (S2N_ERR_TICKET_KEY_LIMIT), then the name length
 * (S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH), then duplicates. So with
 * 48 keys, a name of 0 or 17 bytes gets S2N_ERR_TICKET_KEY_LIMIT.
 */
#include "testlib.h"

static struct rs2n_fake_clock tk_clock = { RS2N_TK_T0 };

#define EXPECT_ADD_FAILS(call, err_name)                                          \
    do {                                                                          \
        EXPECT_FAILURE_WITH_TYPE((call), S2N_ERR_T_USAGE);                        \
        EXPECT_STRING_EQUAL(s2n_strerror_name(s2n_errno), (err_name));            \
    } while (0)

int main(void)
{
    rs2n_test_begin("test_tickets_args_order", 60);
    struct s2n_config *config = rs2n_resume_server_config("default_tls13", &tk_clock, 1);
    for (int i = 0; i < 48; i++) {
        char name[16], material[32];
        snprintf(name, sizeof(name), "key-%02d", i);
        snprintf(material, sizeof(material), "material of key %02d", i);
        REQUIRE_SUCCESS(rs2n_tk_add_key(config, name, material, 0));
    }
    uint8_t material[] = "material of a 49th key";
    EXPECT_ADD_FAILS(s2n_config_add_ticket_crypto_key(config, (const uint8_t *) "key-48", 6, material,
                                                      sizeof(material), 0),
                     "S2N_ERR_TICKET_KEY_LIMIT");
    EXPECT_ADD_FAILS(s2n_config_add_ticket_crypto_key(config, (const uint8_t *) "seventeen-bytes-x", 17,
                                                      material, sizeof(material), 0),
                     "S2N_ERR_TICKET_KEY_LIMIT");
    EXPECT_ADD_FAILS(s2n_config_add_ticket_crypto_key(config, (const uint8_t *) "k", 0, material,
                                                      sizeof(material), 0),
                     "S2N_ERR_TICKET_KEY_LIMIT");
    /* The key length comes first, at the limit too. */
    EXPECT_ADD_FAILS(s2n_config_add_ticket_crypto_key(config, (const uint8_t *) "k", 0, material, 0, 0),
                     "S2N_ERR_INVALID_TICKET_KEY_LENGTH");
    s2n_config_free(config);
    return rs2n_test_finish();
}
