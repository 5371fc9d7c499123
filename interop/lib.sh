# interop/lib.sh: the plumbing shared by the interop scripts
# interop/{openssl,redis,node,s2n}.sh. Not run by itself (no CELLS line,
# no test): each script sources it, right after `set -u` and its CELLS line,
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# then sets its peer's defaults, defines its cells (functions cell_<name>) and
# ends with
#
#   parse_args "$@"                          # --list, usage
#   <skip (exit 77) if the peer is missing>
#   require_programs "$RS2ND" "$RS2NC"
#   run_cells TMPNAME "$1"                   # one cell or all; exits
#
# What it sets: HERE (interop/), ROOT, RS2ND, RS2NC, CERTS, CA, CERT, KEY, the
# peers (OPENSSL, S2N_PEER, NODE, and the functions that start them), the
# timeouts, and per run TOP (the temporary directory, removed on exit) and T
# (the running cell's directory inside it). Every process started with
# spawn_server (or added to PIDS) is killed by the EXIT trap. A cell records
# failures with fail (or expect) and goes on; a failure to start a server ends
# the script (exit 1).

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
RS2ND="${RS2ND:-$ROOT/build/examples/rs2nd}"
RS2NC="${RS2NC:-$ROOT/build/examples/rs2nc}"
CERTS="${RS2N_CERTS:-$ROOT/c-tests/certs}"
CA="$CERTS/ca_cert.pem"
CERT="$CERTS/ecdsa_p256_cert.pem"
KEY="$CERTS/ecdsa_p256_key.pem"

CLIENT_TIMEOUT=20   # seconds for any one client run
START_TIMEOUT=10    # seconds for a server to print its port (or be ready)
EXIT_TIMEOUT=15     # seconds for a server to finish its connections and exit

# ---------------------------------------------------------------------------
# Processes, temporary files, cleanup
# ---------------------------------------------------------------------------
PIDS=()  # every background process started; killed and reaped on exit
TOP=""   # the temporary directory of this run
T=""     # the running cell's directory (inside TOP)

# cleanup: the EXIT trap: kills every process in PIDS, waits for them, and
# removes the temporary directory.
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    [ -n "$TOP" ] && rm -rf "$TOP"
}
trap cleanup EXIT

# spawn_server NAME CMD ARGS...: runs CMD in the background with its stdout in
# $T/NAME.out and stderr in $T/NAME.err (the .out file exists on return);
# sets SERVER_PID and adds it to PIDS. Give a redirection (</dev/null) on the
# call to set the server's stdin.
spawn_server() {
    local name="$1"
    shift
    : >"$T/$name.out"
    "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
}

# wait_port NAME WHAT [PREFIX]: waits (START_TIMEOUT, while SERVER_PID lives)
# for the line "PREFIX 127.0.0.1:PORT" in $T/NAME.out (PREFIX: a sed regex,
# default "listening on"); sets PORT. If none comes, shows the server's output
# and ends the script: "FAIL: WHAT NAME did not start", exit 1.
wait_port() {
    local name="$1" what="$2" prefix="${3:-listening on}" i
    PORT=""
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        PORT="$(sed -n "s/^$prefix 127\\.0\\.0\\.1:\\([0-9][0-9]*\\)\$/\\1/p" "$T/$name.out")"
        [ -n "$PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    show "$T/$name.out"
    show "$T/$name.err"
    echo "FAIL: $what $name did not start" >&2
    exit 1
}

# start_rs2nd NAME ARGS...: rs2nd with the test certificate (ECDSA P-256) and
# ARGS, on the ephemeral port it prints ("listening on 127.0.0.1:PORT"); output
# in $T/NAME.out, .err; sets PORT and SERVER_PID.
start_rs2nd() {
    local name="$1"
    shift
    spawn_server "$name" "$RS2ND" --cert "$CERT" --key "$KEY" "$@"
    wait_port "$name" rs2nd
}

# start_echo_rs2nd NAME ARGS...: start_rs2nd with --echo --timeout 10: rs2nd
# echoing what the client sends (for peers whose client exchanges a line on each
# connection), with an idle limit of 10 s.
start_echo_rs2nd() {
    local name="$1"
    shift
    start_rs2nd "$name" --echo --timeout 10 "$@"
}

# wait_exit PID WHAT: the server must exit by itself (its connection limit
# reached) within EXIT_TIMEOUT seconds, with status 0; otherwise a failure (a
# server still running is killed).
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

# port_in_use PORT: true if some TCP socket (v4 or v6, any state) uses local or
# remote port PORT.
port_in_use() {
    local hex
    hex="$(printf '%04X' "$1")"
    grep -qE ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# free_port: prints a random port in [20000, 60000) that no TCP socket uses
# (port_in_use), for a server that cannot bind port 0; up to 100 tries (the
# last one tried if all are in use). Free now: a caller must still cope with
# losing it to someone else.
free_port() {
    local i p
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        port_in_use "$p" || break
    done
    echo "$p"
}

# ---------------------------------------------------------------------------
# The peers: openssl, the real s2n-tls (interop/s2n-peer), Node.js
# ---------------------------------------------------------------------------
OPENSSL="${OPENSSL:-openssl}"
S2N_PEER="${S2N_PEER:-$ROOT/interop/s2n-peer/target/release/s2n-peer}"
NODE="${NODE:-node}"
NODE_DIR="$ROOT/interop/node"

# start_s2n_server NAME ARGS...: s2n-peer server on an ephemeral port (it
# echoes one line per connection); sets PORT and SERVER_PID.
start_s2n_server() {
    local name="$1"
    shift
    spawn_server "$name" "$S2N_PEER" server --port 0 --cert "$CERT" --key "$KEY" --idle-timeout 15 \
        --io-timeout 5 "$@" </dev/null
    wait_port "$name" "s2n-peer server"
}

# s2n_client ARGS...: s2n-peer client against 127.0.0.1:$PORT, verifying the
# server as "localhost" against the test CA.
s2n_client() {
    timeout "$CLIENT_TIMEOUT" "$S2N_PEER" client --connect "127.0.0.1:$PORT" --ca "$CA" \
        --server-name localhost --io-timeout 5 "$@" </dev/null
}

# start_s_server NAME ARGS...: openssl s_server on 127.0.0.1, ephemeral port
# ("ACCEPT 127.0.0.1:PORT"), ECDSA P-256 test certificate, stdin closed; output
# in $T/NAME.out, .err; sets PORT and SERVER_PID.
start_s_server() {
    local name="$1"
    shift
    spawn_server "$name" "$OPENSSL" s_server -accept 127.0.0.1:0 -cert "$CERT" -key "$KEY" "$@" </dev/null
    wait_port "$name" "openssl s_server" ACCEPT
}

# start_node_server NAME ARGS...: interop/node/server.js on an ephemeral port;
# sets PORT and SERVER_PID.
start_node_server() {
    local name="$1"
    shift
    spawn_server "$name" "$NODE" "$NODE_DIR/server.js" --cert "$CERT" --key "$KEY" --idle-timeout 15 "$@" \
        </dev/null
    wait_port "$name" "node server.js"
}

# node_client ARGS...: interop/node/client.js against 127.0.0.1:$PORT, verifying
# the server as "localhost" against the test CA.
node_client() {
    timeout "$CLIENT_TIMEOUT" "$NODE" "$NODE_DIR/client.js" --port "$PORT" --ca "$CA" \
        --server-name localhost "$@" </dev/null
}

# ---------------------------------------------------------------------------
# Clients (against 127.0.0.1:$PORT, under timeout CLIENT_TIMEOUT)
# ---------------------------------------------------------------------------

# s_client ARGS...: openssl s_client ($OPENSSL), verifying the server as
# "localhost" against the test CA; stdin must be given by the caller.
s_client() {
    timeout "$CLIENT_TIMEOUT" "$OPENSSL" s_client -connect "127.0.0.1:$PORT" \
        -CAfile "$CA" -servername localhost -verify_return_error "$@"
}

# rs2nc ARGS...: rs2nc trusting the test CA, the server as "localhost". After a
# TLS1.3 handshake rs2nc reads until the server's first ticket has arrived (plus
# 20 ms): --ticket-wait only bounds that wait, so a generous bound costs nothing
# when tickets come, and keeps a loaded machine from turning a late ticket into
# a spurious "New" (the default, 200 ms, is for interactive use).
rs2nc() {
    timeout "$CLIENT_TIMEOUT" "$RS2NC" --connect "127.0.0.1:$PORT" --ca "$CA" \
        --server-name localhost --ticket-wait 3000 "$@"
}

# rs2nc_ping ARGS...: rs2nc sending the line "ping" on each connection (an
# echoing server answers it; for TLS1.3 the tickets arrive while rs2nc reads the
# reply), --verbose, stdin closed. check_rs2nc checks such a run.
rs2nc_ping() {
    rs2nc --send ping --verbose "$@" </dev/null
}

# ---------------------------------------------------------------------------
# Reading the programs' output
# ---------------------------------------------------------------------------

# resumption_of FILE: the "New, TLSv1.x, Cipher is ..." / "Reused, ..." lines
# of s_client, rs2nc or client.js output, as "New/TLSv1.2 Reused/TLSv1.2 ...".
resumption_of() {
    sed -n 's/^\(New\|Reused\), \(TLSv1\.[0-9]\), Cipher is .*$/\1\/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# rs2nd_lines_of FILE: rs2nd's connection lines, as
# "New/TLSv1.2/full Reused/TLSv1.2/ticket ..." (how: full, ticket, psk,
# session-id); a failed handshake is "failed".
rs2nd_lines_of() {
    sed -n -e 's/^conn [0-9]*: \(TLSv1\.[0-9]\), [^,]*, \(New\|Reused\), \([a-z-]*\), .*$/\2\/\1\/\3/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------------------
# Reporting and assertions
# ---------------------------------------------------------------------------
FAILED=0

# fail MESSAGE: records a failure of the running cell (it goes on).
fail() {
    echo "FAIL: $*" >&2
    FAILED=1
}

# note MESSAGE: a line of the log.
note() { echo "-- $*"; }

# skip MESSAGE: ends the script as skipped (exit 77, CTest: skipped, never
# passed), loudly.
skip() {
    echo "======================================================================" >&2
    echo "SKIPPED: $*" >&2
    echo "======================================================================" >&2
    exit 77
}

# show FILE: shows a file in the log, indented.
show() {
    echo "   [$1]"
    sed 's/^/   | /' "$1"
}

# show_nonempty FILE: shows a file only if it is not empty.
show_nonempty() {
    if [ -s "$1" ]; then show "$1"; fi
}

# show_server NAME: a server's stdout ($T/NAME.out), and its stderr if it said
# anything (e.g. a peer that reset the connection instead of answering
# close_notify).
show_server() {
    show "$T/$1.out"
    show_nonempty "$T/$1.err"
}

# expect WHAT GOT WANT: GOT must be WANT (a note if so, a failure if not).
expect() {
    if [ "$2" = "$3" ]; then
        note "$1: $2"
    else
        fail "$1: got \"$2\", expected \"$3\""
    fi
}

# check_rs2nc RC OUT ERR N: an rs2nc run with --send ping --verbose (exit
# status RC, stdout in OUT, stderr in ERR) succeeded, got N echoes of "ping"
# (one per connection) and closed cleanly (s2n_shutdown succeeded).
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

# need_rs2nd_option OPTION: true if `rs2nd --help` lists OPTION; otherwise says
# SKIP and returns 77 (a cell then does `|| return 77`: skipped, not passed).
need_rs2nd_option() {
    "$RS2ND" --help 2>&1 | grep -q -- "$1" && return 0
    echo "SKIP: this rs2nd has no $1 option (rs2nd --help: $("$RS2ND" --help 2>&1 | tr '\n' ' ' | tr -s ' '))" >&2
    return 77
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

# parse_args "$@": --list prints CELLS and exits 0; anything but one argument
# is a usage error (exit 2).
parse_args() {
    if [ "${1:-}" = "--list" ]; then
        echo "$CELLS"
        exit 0
    fi
    if [ $# -ne 1 ]; then
        echo "usage: $0 CELL|all|--list   (cells: $CELLS)" >&2
        exit 2
    fi
}

# require_programs PROG...: each must be an executable file, or the script
# fails (exit 1: not built is an error, not a skip).
require_programs() {
    local prog
    for prog in "$@"; do
        if [ ! -x "$prog" ]; then
            echo "FAIL: $prog not built" >&2
            exit 1
        fi
    done
}

# run_cell CELL: runs cell_CELL in its own directory $T/CELL; returns 0 if it
# recorded no failure, 1 if it did, 77 if the cell returned 77 (skipped), 2 for
# a cell not in CELLS.
run_cell() {
    local cell="$1" rc saved
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
    saved="$T"
    T="$T/$cell"
    "cell_$cell"
    rc=$?
    T="$saved"
    [ "$rc" -eq 77 ] && return 77
    return "$FAILED"
}

# run_cells TMPNAME CELL|all: makes the temporary directory
# ${TMPDIR:-/tmp}/TMPNAME.XXXXXX, runs one cell (exit status: run_cell's) or
# every cell in CELLS (exit 1 if any failed, skipped cells noted), and exits.
run_cells() {
    local tmpname="$1" which="$2" c rc status=0
    TOP="$(mktemp -d "${TMPDIR:-/tmp}/$tmpname.XXXXXX")"
    T="$TOP"
    if [ "$which" = all ]; then
        for c in $CELLS; do
            run_cell "$c"
            rc=$?
            case "$rc" in
                0) ;;
                77) echo "-- $c: skipped" ;;
                *) status=1 ;;
            esac
        done
    else
        run_cell "$which"
        status=$?
    fi
    case "$status" in
        0) echo "== ok" ;;
        77) ;;
        *) echo "== FAILED" >&2 ;;
    esac
    exit "$status"
}

# ---------------------------------------------------------------------------
# Replaying a first flight (early data)
# ---------------------------------------------------------------------------
# relay_and_replay PORT_FILE SERVER_PORT FLIGHT_FILE [REPLAY_PORT]: a relay (its
# port written to PORT_FILE) between one client and the server on SERVER_PORT
# that keeps what the client sent before the server's first bytes (its first
# flight: ClientHello and TLS1.3 early data) in FLIGHT_FILE, then sends that
# flight again on a new connection to REPLAY_PORT (default: the same server), as
# an attacker would. Needs python3.
relay_and_replay() {
    python3 - "$1" "$2" "$3" "${4:-$2}" <<'PY'
import select, socket, sys, time
listen_port_file, server_port, flight_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
replay_port = int(sys.argv[4])
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
open(listen_port_file, "w").write(str(ls.getsockname()[1]))
ls.settimeout(15)
c, _ = ls.accept()
s = socket.create_connection(("127.0.0.1", server_port))
flight, server_spoke = b"", False
deadline = time.time() + 15
while time.time() < deadline:
    r, _, _ = select.select([c, s], [], [], 1)
    done = False
    for sock in r:
        data = sock.recv(65536)
        if not data:
            done = True
            break
        if sock is c:
            if not server_spoke:
                flight += data
            s.sendall(data)
        else:
            server_spoke = True
            c.sendall(data)
    if done:
        break
c.close()
s.close()
open(flight_file, "wb").write(flight)
# The replay: the same first flight, on a new connection.
r = socket.create_connection(("127.0.0.1", replay_port))
r.sendall(flight)
r.settimeout(2)
try:
    while r.recv(65536):
        pass
except OSError:
    pass
r.close()
PY
}

# start_relay PORT_FILE SERVER_PORT FLIGHT_FILE [REPLAY_PORT]: relay_and_replay in
# the background (RELAY_PID, in PIDS); sets PORT to the relay's port.
start_relay() {
    local i
    relay_and_replay "$@" &
    RELAY_PID=$!
    PIDS+=("$RELAY_PID")
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        [ -s "$1" ] && break
        sleep 0.1
    done
    PORT="$(cat "$1" 2>/dev/null)"
}
