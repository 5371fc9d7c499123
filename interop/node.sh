#!/usr/bin/env bash
# interop/node.sh: session resumption between rs2n's example programs
# (examples/rs2nd.c, examples/rs2nc.c) and Node.js's built-in `tls` module
# (interop/node/server.js, interop/node/client.js; OpenSSL inside Node), each a
# separate process. Every cell is a full handshake and then resumptions, and
# asserts "Reused" on both sides: on the rs2n program's own report and on the
# Node peer's (socket.isSessionReused()).
#
#   bash interop/node.sh CELL     # one cell, e.g. rs2nd_tls13
#   bash interop/node.sh all      # every cell
#   bash interop/node.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_node_<cell> (label
# "interop"), passing in the environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs)
#   NODE           the node binary (default: node on PATH)
# Without node the script exits 77 (CTest: skipped). The session-ID cell with
# rs2nd as the server needs rs2nd's session cache option (--cache memory); an
# rs2nd without it is a skip (77) with a message, not a pass.
#
# Everything runs on 127.0.0.1 with ephemeral ports: both servers bind port 0
# and print "listening on 127.0.0.1:PORT". Every server has a connection limit
# (rs2nd --max-conns, server.js --max-conns) and an idle limit (rs2nd
# --timeout, server.js --idle-timeout), and is also killed by the EXIT trap;
# every client runs under `timeout`; every wait loop is bounded.
#
# Cells: rs2nd as the server, the Node client (client.js --reconnect 2:
# tls.connect with the `session` saved from the 'session' event)
#   rs2nd_tls13       TLS1.3 tickets: New, Reused, Reused (rs2nd: full, psk, psk)
#   rs2nd_tls12       TLS1.2 tickets: New, Reused, Reused (rs2nd: full, ticket, ticket)
#   rs2nd_session_id  TLS1.2 session IDs: rs2nd --cache memory --no-tickets, the
#                     client with SSL_OP_NO_TICKET: rs2nd: full, session-id, session-id
# Cells: the Node server (server.js), rs2nc as the client (--send ping)
#   rs2nc_tls13       TLS1.3 tickets (ticketKeys): --reconnect 1: New, Reused;
#                     then --reconnect 3: New, Reused, New, Reused (see below)
#   rs2nc_tls12       TLS1.2 tickets (ticketKeys): New, Reused, Reused
#   rs2nc_session_id  TLS1.2 session IDs (SSL_OP_NO_TICKET, newSession /
#                     resumeSession over a Map): New, Reused, Reused, 2 cache hits
set -u

CELLS="rs2nd_tls13 rs2nd_tls12 rs2nd_session_id rs2nc_tls13 rs2nc_tls12 rs2nc_session_id"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # RS2ND, RS2NC, certs, plumbing

# ---------------------------------------------------------------------------
# The Node.js peer (the rest is in lib.sh)
# ---------------------------------------------------------------------------

# server.js's connection lines ("conn N: TLSv1.3, CIPHER, New"), as
# "New/TLSv1.3 Reused/TLSv1.3 ..."; a failed handshake is "failed".
node_lines_of() {
    sed -n -e 's/^conn [0-9]*: \(TLSv1\.[0-9]\), [^,]*, \(New\|Reused\)$/\2\/\1/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------------
# Cells: rs2nd + the Node client
# ---------------------------------------------------------------------------

# rs2nd_cell VERSION_FLAG RS2ND_ARGS CLIENT_ARGS HOW: rs2nd serving 3
# connections, the Node client connecting 1 + 2 times; both must report New,
# Reused, Reused, and rs2nd must say how it resumed (HOW: psk, ticket,
# session-id).
rs2nd_cell() {
    local vflag="$1" sargs="$2" cargs="$3" how="$4" proto rc
    proto="TLSv1.${vflag#--tls1}"
    # shellcheck disable=SC2086
    start_echo_rs2nd srv --max-conns 3 $sargs
    # shellcheck disable=SC2086
    node_client "$vflag" --reconnect 2 $cargs >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    show_nonempty "$T/c.err"
    [ "$rc" -eq 0 ] || fail "node client.js exited with $rc"
    expect "node client" "$(resumption_of "$T/c.out")" "New/$proto Reused/$proto Reused/$proto"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/$proto/full Reused/$proto/$how Reused/$proto/$how"
}

cell_rs2nd_tls13() {
    rs2nd_cell --tls13 "" "" psk
}

cell_rs2nd_tls12() {
    rs2nd_cell --tls12 "" "" ticket
}

# Stateful TLS1.2 resumption: rs2nd's in-memory session cache, tickets off; the
# Node client does not ask for tickets (SSL_OP_NO_TICKET), so it can only offer
# the session ID.
cell_rs2nd_session_id() {
    need_rs2nd_option --cache || return 77
    rs2nd_cell --tls12 "--cache memory --no-tickets" "--no-tickets" session-id
}

# ---------------------------------------------------------------------------
# Cells: the Node server + rs2nc
# ---------------------------------------------------------------------------

# node_cell SERVER_ARGS RS2NC_ARGS N WANT: the Node server serving 1 + N
# connections, rs2nc connecting 1 + N times; both sides must report WANT
# ("New/TLSv1.2 Reused/TLSv1.2 ...").
node_cell() {
    local sargs="$1" cargs="$2" n="$3" want="$4" name="${5:-srv}" rc
    # shellcheck disable=SC2086
    start_node_server "$name" --max-conns $((n + 1)) $sargs
    # shellcheck disable=SC2086
    rs2nc_ping $cargs --reconnect "$n" >"$T/$name.c.out" 2>"$T/$name.c.err"
    rc=$?
    wait_exit "$SERVER_PID" "node server.js"
    show_server "$name"
    check_rs2nc "$rc" "$T/$name.c.out" "$T/$name.c.err" $((n + 1))
    expect "rs2nc" "$(resumption_of "$T/$name.c.out")" "$want"
    expect "node server" "$(node_lines_of "$T/$name.out")" "$want"
}

# TLS1.3 tickets. Node's server (OpenSSL, with Node's own ticket key callback)
# sends 2 tickets after a full handshake and none after a resumption. rs2n's
# client offers each TLS1.3 ticket once (rustls takes a ticket out when it
# offers it); the saved bytes name a session line holding both tickets of the
# full handshake (rs2n README "Client sessions"). So two connections resume,
# the line then runs dry (no ticket came back), the next connection is a full
# one whose 2 tickets refill it, and the one after resumes again. s2n-tls itself
# re-offers the same ticket and resumes every time (measured: s2n-tls client
# 0.3.47 against this server: New, Reused, Reused, Reused).
cell_rs2nc_tls13() {
    node_cell "--tls13 --mode tickets" --tls13 1 "New/TLSv1.3 Reused/TLSv1.3" srv
    node_cell "--tls13 --mode tickets" --tls13 4 \
        "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3 New/TLSv1.3 Reused/TLSv1.3" srv5
}

cell_rs2nc_tls12() {
    node_cell "--tls12 --mode tickets" --tls12 2 "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
}

# Stateful TLS1.2 resumption: the Node server has tickets off and keeps sessions
# in a Map through the newSession / resumeSession events; its stderr logs each
# lookup, and both reconnections must be hits.
cell_rs2nc_session_id() {
    node_cell "--tls12 --mode session-id" --tls12 2 "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "node resumeSession hits" "$(grep -c 'resumeSession .* hit$' "$T/srv.err")" "2"
    expect "rs2nc tickets received" "$(grep -c '[1-9][0-9]* ticket(s) received' "$T/srv.c.err")" "0"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
parse_args "$@"
command -v "$NODE" >/dev/null 2>&1 || skip "$NODE not found"
require_programs "$RS2ND" "$RS2NC"
echo "-- node $("$NODE" --version), OpenSSL $("$NODE" -p process.versions.openssl)"
run_cells rs2n-interop-node "$1"
