/* A downstream program built against an *installed* rs2n, found either with
 * find_package(rs2n) or with pkg-config. It only checks that the library
 * links, loads and answers the most basic calls, s2n_errno (the exported
 * thread-local variable) included. */
#include <s2n.h>

#include <stdio.h>

int main(void)
{
    struct s2n_config *config;

    if (s2n_init() != 0) {
        fprintf(stderr, "downstream: s2n_init failed\n");
        return 1;
    }
    config = s2n_config_new();
    if (config == NULL) {
        fprintf(stderr, "downstream: s2n_config_new returned NULL\n");
        return 1;
    }
    if (s2n_config_free(config) != 0) {
        fprintf(stderr, "downstream: s2n_config_free failed\n");
        return 1;
    }
    /* An error, read straight from s2n_errno. */
    if (s2n_config_free(NULL) != S2N_FAILURE || s2n_errno == 0
        || s2n_errno != *s2n_errno_location()
        || s2n_error_get_type(s2n_errno) != S2N_ERR_T_USAGE) {
        fprintf(stderr, "downstream: s2n_errno does not hold the error\n");
        return 1;
    }
    s2n_errno = S2N_ERR_T_OK;
    if (s2n_cleanup() != 0) {
        fprintf(stderr, "downstream: s2n_cleanup failed\n");
        return 1;
    }
    printf("downstream: ok\n");
    return 0;
}
