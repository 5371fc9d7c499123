// test_cpp_header.cpp: s2n.h is usable from C++ (written as C++11; must compile
// under -Wall -Wextra -Werror), and the basic calls behave through it:
// s2n_init, configs and connections held by RAII wrappers, the error value of a
// NULL argument (type S2N_ERR_T_USAGE, a non-empty message), the constants
// and enums, s2n_errno (the exported thread-local) read and cleared.
#include <s2n.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <type_traits>

namespace {

int failures = 0;

void check(bool ok, const std::string &what, int line)
{
    if (!ok) {
        std::fprintf(stderr, "test_cpp_header.cpp:%d: FAILED: %s\n", line, what.c_str());
        ++failures;
    }
}

#define CHECK(expr) check((expr), #expr, __LINE__)

// RAII: the s2n objects are freed by their own s2n_*_free function.
struct ConfigDeleter {
    void operator()(s2n_config *config) const
    {
        if (s2n_config_free(config) != S2N_SUCCESS) {
            std::fprintf(stderr, "s2n_config_free failed\n");
            std::abort();
        }
    }
};
struct ConnectionDeleter {
    void operator()(s2n_connection *conn) const
    {
        if (s2n_connection_free(conn) != S2N_SUCCESS) {
            std::fprintf(stderr, "s2n_connection_free failed\n");
            std::abort();
        }
    }
};
typedef std::unique_ptr<s2n_config, ConfigDeleter> Config;
typedef std::unique_ptr<s2n_connection, ConnectionDeleter> Connection;

// The last error as a C++ string: "S2N_ERR_NAME: message".
std::string last_error()
{
    const int err = s2n_errno;
    const char *name = s2n_strerror_name(err);
    const char *msg = s2n_strerror(err, "EN");
    return std::string(name ? name : "(null)") + ": " + (msg ? msg : "(null)");
}

}  // namespace

int main()
{
    // The header's types and constants as C++ sees them.
    // s2n's enums are C enums (int-sized), as in s2n-tls's header.
    static_assert(std::is_enum<s2n_mode>::value, "s2n_mode is an enum");
    static_assert(std::is_enum<s2n_blocked_status>::value, "s2n_blocked_status is an enum");
    static_assert(std::is_enum<s2n_error_type>::value, "s2n_error_type is an enum");
    static_assert(sizeof(s2n_mode) == sizeof(int), "C enums are int-sized");
    static_assert(S2N_SUCCESS == 0 && S2N_FAILURE == -1, "s2n return values");
    static_assert(S2N_SERVER != S2N_CLIENT, "modes differ");
    static_assert(S2N_TLS13 == 34 && S2N_TLS12 == 33, "s2n protocol numbers");

    CHECK(s2n_init() == S2N_SUCCESS);

    {
        Config config(s2n_config_new());
        CHECK(config != nullptr);
        if (config) {
            CHECK(s2n_config_set_cipher_preferences(config.get(), "default_tls13") == S2N_SUCCESS);
        }

        // A NULL argument: a usage error with a message.
        s2n_errno = S2N_ERR_T_OK;
        CHECK(s2n_config_set_cipher_preferences(nullptr, "default") == S2N_FAILURE);
        const int err = s2n_errno;
        CHECK(err != S2N_ERR_T_OK);
        CHECK(s2n_error_get_type(err) == S2N_ERR_T_USAGE);
        const char *msg = s2n_strerror(err, "EN");
        CHECK(msg != nullptr);
        const std::string message(msg ? msg : "");
        CHECK(!message.empty());
        const std::string name(s2n_strerror_name(err) ? s2n_strerror_name(err) : "");
        CHECK(name.compare(0, 8, "S2N_ERR_") == 0);
        std::printf("NULL config: %s\n", last_error().c_str());

        // A client connection using the config, freed before the config is.
        Connection conn(s2n_connection_new(S2N_CLIENT));
        CHECK(conn != nullptr);
        if (conn && config) {
            CHECK(s2n_connection_set_config(conn.get(), config.get()) == S2N_SUCCESS);
            CHECK(s2n_set_server_name(conn.get(), "localhost") == S2N_SUCCESS);
            const char *sni = s2n_get_server_name(conn.get());
            CHECK(sni != nullptr && std::string(sni) == "localhost");
            CHECK(std::string(s2n_connection_get_cipher(conn.get())) == "TLS_NULL_WITH_NULL_NULL");
            CHECK(std::string(s2n_connection_get_handshake_type_name(conn.get())) == "INITIAL");
        }
        conn.reset();  // explicit: the connection goes first

        // An unknown mode fails cleanly.
        Connection bad(s2n_connection_new(static_cast<s2n_mode>(42)));
        CHECK(bad == nullptr);
        CHECK(s2n_error_get_type(s2n_errno) == S2N_ERR_T_USAGE);
    }  // config freed here

    CHECK(s2n_cleanup() == S2N_SUCCESS);

    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("test_cpp_header: OK\n");
    return 0;
}
