#!/usr/bin/env bash
# interop_node.sh: session resumption between rs2n's example programs
# (examples/rs2nd.c, examples/rs2nc.c) and Node.js's built-in `tls` module
# (interop/node/server.js, interop/node/client.js; OpenSSL inside Node), each a
# separate process. Every cell is a full handshake and then resumptions, and
# asserts "Reused" on both sides: on the rs2n program's own report and on the
# Node peer's (socket.isSessionReused()).
#
#   bash c-tests/interop_node.sh CELL     # one cell, e.g. rs2nd_tls13
#   bash c-tests/interop_node.sh all      # every cell
#   bash c-tests/interop_node.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_node_<cell> (label
# "interop"), passing in the environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs next to this script)
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

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
RS2ND="${RS2ND:-$ROOT/build/examples/rs2nd}"
RS2NC="${RS2NC:-$ROOT/build/examples/rs2nc}"
CERTS="${RS2N_CERTS:-$HERE/certs}"
NODE="${NODE:-node}"
NODE_DIR="$ROOT/interop/node"
CA="$CERTS/ca_cert.pem"
CERT="$CERTS/ecdsa_p256_cert.pem"
KEY="$CERTS/ecdsa_p256_key.pem"

CLIENT_TIMEOUT=20   # seconds for any one client run
START_TIMEOUT=10    # seconds for a server to print its port
EXIT_TIMEOUT=15     # seconds for a server to finish its connections and exit

# ---------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------
PIDS=()
T=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    [ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT

FAILED=0
fail() {
    echo "FAIL: $*" >&2
    FAILED=1
}
note() { echo "-- $*"; }

# Shows a file in the log, indented.
show() {
    echo "   [$1]"
    sed 's/^/   | /' "$1"
}
# Shows a file only if it is not empty.
show_nonempty() {
    if [ -s "$1" ]; then show "$1"; fi
}

# wait_port NAME WHAT: waits for "listening on 127.0.0.1:PORT" in $T/NAME.out;
# sets PORT.
wait_port() {
    local name="$1" what="$2" i
    PORT=""
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        PORT="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$T/$name.out")"
        [ -n "$PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    show "$T/$name.out"
    show "$T/$name.err"
    echo "FAIL: $what $name did not start" >&2
    exit 1
}

# start_rs2nd NAME ARGS...: rs2nd on an ephemeral port, echoing (the Node client
# exchanges a line on each connection); sets PORT and SERVER_PID.
start_rs2nd() {
    local name="$1"
    shift
    : >"$T/$name.out"
    "$RS2ND" --cert "$CERT" --key "$KEY" --echo --timeout 10 "$@" \
        >"$T/$name.out" 2>"$T/$name.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_port "$name" rs2nd
}

# start_node_server NAME ARGS...: interop/node/server.js on an ephemeral port;
# sets PORT and SERVER_PID.
start_node_server() {
    local name="$1"
    shift
    : >"$T/$name.out"
    "$NODE" "$NODE_DIR/server.js" --cert "$CERT" --key "$KEY" --idle-timeout 15 "$@" \
        </dev/null >"$T/$name.out" 2>"$T/$name.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_port "$name" "node server.js"
}

# wait_exit PID WHAT: the server must exit by itself (its connection limit
# reached) within EXIT_TIMEOUT seconds, with status 0.
wait_exit() {
    local pid="$1" what="$2" i rc
    for ((i = 0; i < EXIT_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$what still running after ${EXIT_TIMEOUT}s (did not see all its connections)"
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 1
    fi
    wait "$pid"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$what exited with status $rc"
        return 1
    fi
    return 0
}

# node_client ARGS...: interop/node/client.js against 127.0.0.1:$PORT, verifying
# the server as "localhost" against the test CA.
node_client() {
    timeout "$CLIENT_TIMEOUT" "$NODE" "$NODE_DIR/client.js" --port "$PORT" --ca "$CA" \
        --server-name localhost "$@" </dev/null
}

# rs2nc ARGS...: rs2nc against 127.0.0.1:$PORT, trusting the test CA, sending a
# line on each connection (the Node server echoes it; for TLS1.3 the tickets
# arrive while rs2nc reads the reply).
rs2nc() {
    timeout "$CLIENT_TIMEOUT" "$RS2NC" --connect "127.0.0.1:$PORT" --ca "$CA" \
        --server-name localhost --ticket-wait 3000 --send ping --verbose "$@" </dev/null
}

# "New, TLSv1.x, Cipher is ..." / "Reused, ..." lines (rs2nc and client.js),
# as "New/TLSv1.2 Reused/TLSv1.2 ...".
resumption_of() {
    sed -n 's/^\(New\|Reused\), \(TLSv1\.[0-9]\), Cipher is .*$/\1\/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# rs2nd's connection lines, as "New/TLSv1.2/full Reused/TLSv1.2/ticket ...";
# a failed handshake is "failed".
rs2nd_lines_of() {
    sed -n -e 's/^conn [0-9]*: \(TLSv1\.[0-9]\), [^,]*, \(New\|Reused\), \([a-z-]*\), .*$/\2\/\1\/\3/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# server.js's connection lines ("conn N: TLSv1.3, CIPHER, New"), as
# "New/TLSv1.3 Reused/TLSv1.3 ..."; a failed handshake is "failed".
node_lines_of() {
    sed -n -e 's/^conn [0-9]*: \(TLSv1\.[0-9]\), [^,]*, \(New\|Reused\)$/\2\/\1/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# expect WHAT GOT WANT
expect() {
    if [ "$2" = "$3" ]; then
        note "$1: $2"
    else
        fail "$1: got \"$2\", expected \"$3\""
    fi
}

# check_rs2nc RC OUT ERR N: rs2nc succeeded, got N echoes, closed cleanly.
check_rs2nc() {
    local rc="$1" out="$2" err="$3" n="$4"
    show "$out"
    grep '^rs2nc: ' "$err" | sed 's/^/   /'
    [ "$rc" -eq 0 ] || fail "rs2nc exited with $rc"
    expect "rs2nc echoes" "$(grep -c '^rs2nc: received: ping$' "$err")" "$n"
    if grep -q 's2n_shutdown' "$err"; then
        fail "rs2nc: s2n_shutdown did not complete cleanly"
    fi
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
    start_rs2nd srv --max-conns 3 $sargs
    # shellcheck disable=SC2086
    node_client "$vflag" --reconnect 2 $cargs >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show "$T/srv.out"
    show_nonempty "$T/srv.err"
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
    if ! "$RS2ND" --help 2>&1 | grep -q -- '--cache'; then
        echo "SKIP: this rs2nd has no --cache option (rs2nd --help: $("$RS2ND" --help 2>&1 | tr '\n' ' ' | tr -s ' '))" >&2
        return 77
    fi
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
    rs2nc $cargs --reconnect "$n" >"$T/$name.c.out" 2>"$T/$name.c.err"
    rc=$?
    wait_exit "$SERVER_PID" "node server.js"
    show "$T/$name.out"
    show_nonempty "$T/$name.err"
    check_rs2nc "$rc" "$T/$name.c.out" "$T/$name.c.err" $((n + 1))
    expect "rs2nc" "$(resumption_of "$T/$name.c.out")" "$want"
    expect "node server" "$(node_lines_of "$T/$name.out")" "$want"
}

# TLS1.3 tickets. Node's server (OpenSSL, with Node's own ticket key callback)
# sends 2 tickets after a full handshake and none after a resumption. rs2n's
# client sessions are single-use in TLS1.3 (rustls takes a ticket out when it
# offers it; rs2n README "Client sessions"), and an s2n session holds one
# ticket, so after a resumed connection that got no new ticket rs2nc has
# nothing left to offer: the next connection is a full one, and the one after
# resumes again. s2n-tls itself re-offers the same ticket and resumes every
# time (measured: s2n-tls client 0.3.47 against this server: New, Reused,
# Reused, Reused). The second run pins rs2n's documented behaviour; if rs2n
# ever keeps the offered ticket, it fails and its expectation becomes Reused x3.
cell_rs2nc_tls13() {
    node_cell "--tls13 --mode tickets" --tls13 1 "New/TLSv1.3 Reused/TLSv1.3" srv
    node_cell "--tls13 --mode tickets" --tls13 3 \
        "New/TLSv1.3 Reused/TLSv1.3 New/TLSv1.3 Reused/TLSv1.3" srv4
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
if [ "${1:-}" = "--list" ]; then
    echo "$CELLS"
    exit 0
fi
if [ $# -ne 1 ]; then
    echo "usage: $0 CELL|all|--list   (cells: $CELLS)" >&2
    exit 2
fi

if ! command -v "$NODE" >/dev/null 2>&1; then
    echo "SKIP: $NODE not found" >&2
    exit 77
fi
for prog in "$RS2ND" "$RS2NC"; do
    if [ ! -x "$prog" ]; then
        echo "FAIL: $prog not built" >&2
        exit 1
    fi
done
echo "-- node $("$NODE" --version), OpenSSL $("$NODE" -p process.versions.openssl)"

T="$(mktemp -d "${TMPDIR:-/tmp}/rs2n-interop-node.XXXXXX")"
run_cell() {
    local cell="$1" rc
    case " $CELLS " in
        *" $cell "*) ;;
        *)
            echo "unknown cell: $cell (cells: $CELLS)" >&2
            return 2
            ;;
    esac
    echo "== $cell"
    FAILED=0
    mkdir -p "$T/$cell"
    local saved="$T"
    T="$T/$cell"
    "cell_$cell"
    rc=$?
    T="$saved"
    [ "$rc" -eq 77 ] && return 77
    return "$FAILED"
}

if [ "$1" = "all" ]; then
    status=0
    for c in $CELLS; do
        run_cell "$c"
        rc=$?
        case "$rc" in
            0) ;;
            77) echo "-- $c: skipped" ;;
            *) status=1 ;;
        esac
    done
    exit "$status"
fi
run_cell "$1"
exit $?
