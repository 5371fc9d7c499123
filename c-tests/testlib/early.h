/*
 * testlib/early.h: early data (0-RTT) as the s2n usage guide's loops drive it,
 * shared by the early-data tests.
 */
#ifndef RS2N_TESTLIB_EARLY_H
#define RS2N_TESTLIB_EARLY_H

#include <stdint.h>
#include <sys/types.h>

#include "pair.h"

/* A session from a full handshake of `server` and `client`, saved once the
 * client has read the server's tickets; `ctx` (may be NULL) is the server's
 * early data context for it. */
void rs2n_early_full_session(struct s2n_config *server, struct s2n_config *client, const char *ctx,
                             struct rs2n_session *out);

/* A pair in memory whose client offers `session` (as saved by
 * rs2n_early_full_session), ready for early data. */
void rs2n_early_pair_open(struct rs2n_pair *p, struct s2n_config *server, struct s2n_config *client,
                          const struct rs2n_session *session);

/* The client's s2n_send_early_data loop for `data`: the bytes sent. */
ssize_t rs2n_send_early(struct s2n_connection *client, const char *data);

/* One round of the server's s2n_recv_early_data into buf + *total, the
 * client's handshake step beside it: its result; `*total` grows by what it read. */
int rs2n_recv_early_round(struct s2n_connection *server, struct s2n_connection *client,
                          uint8_t *buf, ssize_t size, ssize_t *total, s2n_blocked_status *blocked);

/* The server's s2n_recv_early_data loop until it succeeds: the bytes read, -1
 * on an error that is not blocking (printed) or after 100 rounds. */
ssize_t rs2n_recv_early(struct s2n_connection *server, struct s2n_connection *client, uint8_t *buf,
                        ssize_t size);

/* s2n_connection_get_early_data_status, _get_max_early_data_size and
 * _get_remaining_early_data_size, each checked to succeed. */
int rs2n_early_status(struct s2n_connection *conn);
uint32_t rs2n_early_max(struct s2n_connection *conn);
uint32_t rs2n_early_remaining(struct s2n_connection *conn);

#endif
