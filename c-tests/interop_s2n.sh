#!/usr/bin/env bash
# interop_s2n.sh: session resumption between rs2n's example programs
# (examples/rs2nd.c, examples/rs2nc.c) and the REAL s2n-tls: interop/s2n-peer,
# a separate program built on the crates.io s2n-tls crate (the s2n-tls C
# library over aws-lc), run as a separate process and never linked with rs2n.
# Every cell is a full handshake and then resumptions, and asserts "Reused" on
# both sides: on the rs2n program's own report and on s2n-tls's
# (s2n_connection_is_session_resumed in s2n-peer).
#
#   bash c-tests/interop_s2n.sh CELL     # one cell, e.g. rs2nd_tls13
#   bash c-tests/interop_s2n.sh all      # every cell
#   bash c-tests/interop_s2n.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_s2n_<cell> (label
# "interop"); they require the CTest fixture s2n_peer, whose setup test
# build_s2n_peer runs `cargo build --release` for interop/s2n-peer (see the end
# of CMakeLists.txt). Environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs next to this script)
#   S2N_PEER       the s2n-peer binary (default:
#                  interop/s2n-peer/target/release/s2n-peer)
# Without the s2n-peer binary the script exits 77 (CTest: skipped). The
# session-ID cell with rs2nd as the server needs rs2nd's session cache option
# (--cache memory); an rs2nd without it is a skip (77) with a message.
#
# Everything runs on 127.0.0.1 with ephemeral ports: both servers bind port 0
# and print "listening on 127.0.0.1:PORT". Every server has a connection limit
# (--max-conns) and an idle limit (rs2nd --timeout, s2n-peer --idle-timeout),
# and is also killed by the EXIT trap; every client runs under `timeout`;
# every wait loop is bounded.
#
# Cells: rs2nd as the server, the s2n-tls client (s2n-peer client
# --reconnect 2 --expect-resume: one `ping` line echoed per connection)
#   rs2nd_tls13       TLS1.3 tickets (--tickets, policy default_tls13):
#                     New, Reused, Reused (rs2nd: full, psk, psk)
#   rs2nd_tls12       TLS1.2 tickets (--tickets, policy 20240501):
#                     New, Reused, Reused (rs2nd: full, ticket, ticket)
#   rs2nd_session_id  TLS1.2 session IDs: rs2nd --cache memory --no-tickets, the
#                     client --no-tickets (s2n's session-ID state):
#                     rs2nd: full, session-id, session-id
# Cells: the s2n-tls server (s2n-peer server), rs2nc as the client
# (--reconnect 3 --send ping)
#   rs2nc_tls13       --tickets, policy default_tls13: New, Reused x3
#   rs2nc_tls12       --tickets, policy 20240501: New, Reused x3
#   rs2nc_session_id  --cache (tickets off), policy 20240501: New, Reused x3,
#                     and rs2nc received no ticket
set -u

CELLS="rs2nd_tls13 rs2nd_tls12 rs2nd_session_id rs2nc_tls13 rs2nc_tls12 rs2nc_session_id"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
RS2ND="${RS2ND:-$ROOT/build/examples/rs2nd}"
RS2NC="${RS2NC:-$ROOT/build/examples/rs2nc}"
CERTS="${RS2N_CERTS:-$HERE/certs}"
S2N_PEER="${S2N_PEER:-$ROOT/interop/s2n-peer/target/release/s2n-peer}"
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

# start_rs2nd NAME ARGS...: rs2nd on an ephemeral port, echoing (the s2n-tls
# client exchanges a line on each connection); sets PORT and SERVER_PID.
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

# start_s2n_server NAME ARGS...: s2n-peer server on an ephemeral port (it
# echoes one line per connection); sets PORT and SERVER_PID.
start_s2n_server() {
    local name="$1"
    shift
    : >"$T/$name.out"
    "$S2N_PEER" server --port 0 --cert "$CERT" --key "$KEY" --idle-timeout 15 \
        --io-timeout 5 "$@" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_port "$name" "s2n-peer server"
}

# s2n_client ARGS...: s2n-peer client against 127.0.0.1:$PORT, verifying the
# server as "localhost" against the test CA.
s2n_client() {
    timeout "$CLIENT_TIMEOUT" "$S2N_PEER" client --connect "127.0.0.1:$PORT" --ca "$CA" \
        --server-name localhost --io-timeout 5 "$@" </dev/null
}

# s2n-peer's lines ("New TLSv1.3 TLS_AES_128_GCM_SHA256"), as
# "New/TLSv1.3 Reused/TLSv1.3 ...".
s2n_lines_of() {
    sed -n 's/^\(New\|Reused\) \(TLSv1\.[0-9]\) [^ ]*$/\1\/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
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

# rs2nc ARGS...: rs2nc against 127.0.0.1:$PORT, trusting the test CA, sending a
# line on each connection (the s2n-tls server echoes it; for TLS1.3 the ticket
# arrives while rs2nc reads the reply).
rs2nc() {
    timeout "$CLIENT_TIMEOUT" "$RS2NC" --connect "127.0.0.1:$PORT" --ca "$CA" \
        --server-name localhost --ticket-wait 3000 --send ping --verbose "$@" </dev/null
}

# rs2nc's "New, TLSv1.x, Cipher is ..." / "Reused, ..." lines,
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
# Cells: rs2nd + the s2n-tls client
# ---------------------------------------------------------------------------

# rs2nd_cell POLICY RS2ND_ARGS CLIENT_ARGS PROTO HOW: rs2nd serving 3
# connections, the s2n-tls client connecting 1 + 2 times with POLICY; both must
# report New, Reused, Reused, and rs2nd must say how it resumed (HOW: psk,
# ticket, session-id).
rs2nd_cell() {
    local policy="$1" sargs="$2" cargs="$3" proto="$4" how="$5" rc
    # shellcheck disable=SC2086
    start_rs2nd srv --max-conns 3 $sargs
    # shellcheck disable=SC2086
    s2n_client --policy "$policy" --reconnect 2 --expect-resume $cargs >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show "$T/srv.out"
    show_nonempty "$T/srv.err"
    show "$T/c.out"
    show_nonempty "$T/c.err"
    [ "$rc" -eq 0 ] || fail "s2n-peer client exited with $rc"
    expect "s2n-tls client" "$(s2n_lines_of "$T/c.out")" "New/$proto Reused/$proto Reused/$proto"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/$proto/full Reused/$proto/$how Reused/$proto/$how"
}

cell_rs2nd_tls13() {
    rs2nd_cell default_tls13 "" --tickets TLSv1.3 psk
}

cell_rs2nd_tls12() {
    rs2nd_cell 20240501 "" --tickets TLSv1.2 ticket
}

# Stateful TLS1.2 resumption: rs2nd's in-memory session cache, tickets off; the
# s2n-tls client does not ask for tickets and saves s2n's session-ID state.
cell_rs2nd_session_id() {
    if ! "$RS2ND" --help 2>&1 | grep -q -- '--cache'; then
        echo "SKIP: this rs2nd has no --cache option (rs2nd --help: $("$RS2ND" --help 2>&1 | tr '\n' ' ' | tr -s ' '))" >&2
        return 77
    fi
    rs2nd_cell 20240501 "--cache memory --no-tickets" --no-tickets TLSv1.2 session-id
}

# ---------------------------------------------------------------------------
# Cells: the s2n-tls server + rs2nc
# ---------------------------------------------------------------------------

# s2n_cell SERVER_ARGS RS2NC_ARGS PROTO: the s2n-tls server serving 4
# connections, rs2nc connecting 1 + 3 times; both sides must report New, then
# Reused three times.
s2n_cell() {
    local sargs="$1" cargs="$2" proto="$3" rc want
    want="New/$proto Reused/$proto Reused/$proto Reused/$proto"
    # shellcheck disable=SC2086
    start_s2n_server srv --max-conns 4 $sargs
    # shellcheck disable=SC2086
    rs2nc $cargs --reconnect 3 >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s2n-peer server"
    show "$T/srv.out"
    show_nonempty "$T/srv.err"
    check_rs2nc "$rc" "$T/c.out" "$T/c.err" 4
    expect "rs2nc" "$(resumption_of "$T/c.out")" "$want"
    expect "s2n-tls server" "$(s2n_lines_of "$T/srv.out")" "$want"
}

cell_rs2nc_tls13() {
    s2n_cell "--tickets --policy default_tls13" --tls13 TLSv1.3
}

cell_rs2nc_tls12() {
    s2n_cell "--tickets --policy 20240501" --tls12 TLSv1.2
}

# Stateful TLS1.2 resumption: s2n's session cache (its store / retrieve
# callbacks over an in-memory map), tickets off: rs2nc must get no ticket.
cell_rs2nc_session_id() {
    s2n_cell "--cache --policy 20240501" --tls12 TLSv1.2
    expect "rs2nc tickets received" "$(grep -c '[1-9][0-9]* ticket(s) received' "$T/c.err")" "0"
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

if [ ! -x "$S2N_PEER" ]; then
    echo "SKIP: $S2N_PEER not built (cargo build --release --manifest-path interop/s2n-peer/Cargo.toml)" >&2
    exit 77
fi
for prog in "$RS2ND" "$RS2NC"; do
    if [ ! -x "$prog" ]; then
        echo "FAIL: $prog not built" >&2
        exit 1
    fi
done
echo "-- s2n-peer: $(sed -n '/^name = "s2n-tls"$/{n;s/^version = "\(.*\)"$/s2n-tls crate \1/p}' "$ROOT/interop/s2n-peer/Cargo.lock"), $(sed -n '/^name = "aws-lc-sys"$/{n;s/^version = "\(.*\)"$/aws-lc-sys \1/p}' "$ROOT/interop/s2n-peer/Cargo.lock") ($S2N_PEER)"

T="$(mktemp -d "${TMPDIR:-/tmp}/rs2n-interop-s2n.XXXXXX")"
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
