/*
 * testlib/testlib.h: the one header the C tests include. It pulls in every
 * part of the test library, each with its own header and source file:
 *
 *   harness.h  assertion macros (EXPECT_*, REQUIRE*), test begin/finish,
 *              s2n error printing
 *   certs.h    the test PKI in RS2N_CERTS_DIR, minimal server/client configs
 *   io.h       socket pairs and the in-memory pipe behind the I/O callbacks
 *   pair.h     a server+client pair, the handshake loop rs2n_negotiate_pair,
 *              client sessions (struct rs2n_session) and the connection
 *              driver rs2n_connect
 *   tickets.h  the fake wall clock, ticket keys, resumption configs, the ticket
 *              callback's log and RS2N_TK_CHECK
 *   cache.h    the in-memory session cache and the cache tests' fixture
 */
#ifndef RS2N_TESTLIB_H
#define RS2N_TESTLIB_H

#include "harness.h"
#include "certs.h"
#include "io.h"
#include "pair.h"
#include "tickets.h"
#include "cache.h"
#include "early.h"

#endif /* RS2N_TESTLIB_H */
