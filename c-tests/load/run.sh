#!/usr/bin/env bash
# c-tests/load/run.sh: the load and faults test. A multi-threaded rs2n server
# (rs2n_load server) with its session cache in a real redis-server, and many
# concurrent clients (rs2n_load client), over 127.0.0.1 only, for N handshakes
# (most of them resumed; TLS1.2 and TLS1.3, session IDs, cache tickets and
# stateless tickets) while the server rotates its ticket keys every second and
# this script stops Redis and starts it again in the middle of the run.
# rs2n_load.c (next to this file) says what each half does.
#
#   bash c-tests/load/run.sh [--handshakes N] [--server-threads S] [--client-threads C]
#
# Defaults: 100000 handshakes (about 30 s on 2 cores; CTest's load_redis runs
# RS2N_LOAD_HANDSHAKES, 100000 unless set otherwise), 4 server workers, 8
# client threads. The phases below need some seconds each: a run much shorter
# than 10 s fails ("more handshakes needed").
# Environment: RS2N_LOAD (the program; default build/c-tests/load/rs2n_load),
# REDIS_SERVER, REDIS_CLI (default: on PATH), RS2N_LOAD_RSS_CHECK=0 to report
# the RSS figures without checking them (sanitizer builds). Exit 77 (CTest: skipped): no
# redis-server, or rs2n_load not built (no hiredis when CMake ran).
#
# The run, by the client's progress (handshakes done):
#   30%        Redis stopped (SIGTERM), then phase "outage"
#   50%, and at least 2 s later: phase "recovery", then Redis started again on
#              the same port, empty (workers reconnect within a second)
#   60%, and at least 2 s later: phase "after"
# (each phase change is a SIGUSR1 to the server and the client; the order
# keeps every handshake of the outage phase away from a live Redis).
#
# What must hold (the client checks its part, this script the rest):
#   - no failed handshake anywhere, client or server: a cache that does not
#     answer is a miss (a full handshake), never a failure;
#   - before and after the outage, >= 90% of the sessions offered resume, for
#     each of the four kinds of client; during it, no stateful resumption (full
#     handshakes instead), while tickets still resume;
#   - the server saw the outage as s2n would: Redis errors and no cache hit
#     during it, handshakes going on;
#   - a stale TLS1.2 ticket (older than any ticket key) never resumes (stale
#     TLS1.3 bytes name a session line holding fresh tickets: shown only);
#   - every ticket key added, none refused;
#   - the server's resident memory (VmRSS, /proc/PID/status) is flat once warm:
#     at the end at most 10% above what it was at 25% of the run.
# The last line is the summary: handshakes, resumption rate, failures, full
# handshakes during the outage, RSS at start / 25% / end / peak, time.
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RS2N_LOAD="${RS2N_LOAD-$ROOT/build/c-tests/load/rs2n_load}"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
REDIS_CLI="${REDIS_CLI:-redis-cli}"
RSS_CHECK="${RS2N_LOAD_RSS_CHECK:-1}"

N=100000
SERVER_THREADS=4
CLIENT_THREADS=8
RSS_GROWTH_MAX_PCT=10
OUTAGE_MIN_S=2   # the outage lasts at least this long...
RECOVERY_MIN_S=2 # ...and so does the recovery (workers retry Redis once a second)

while [ $# -gt 0 ]; do
    case "$1" in
    --handshakes) N="$2"; shift 2 ;;
    --server-threads) SERVER_THREADS="$2"; shift 2 ;;
    --client-threads) CLIENT_THREADS="$2"; shift 2 ;;
    *)
        echo "usage: $0 [--handshakes N] [--server-threads S] [--client-threads C]" >&2
        exit 2
        ;;
    esac
done
case "$N$SERVER_THREADS$CLIENT_THREADS" in
*[!0-9]*) echo "$0: numbers only" >&2; exit 2 ;;
esac
if [ "$N" -lt 2000 ]; then
    echo "$0: --handshakes must be at least 2000" >&2
    exit 2
fi

skip() {
    echo "======================================================================" >&2
    echo "SKIPPED: $*" >&2
    echo "======================================================================" >&2
    exit 77
}
[ -n "$RS2N_LOAD" ] || skip "rs2n_load not built: hiredis (libhiredis-dev) was not found when CMake ran"
[ -x "$RS2N_LOAD" ] || { echo "FAIL: $RS2N_LOAD not built" >&2; exit 1; }
command -v "$REDIS_SERVER" >/dev/null 2>&1 || skip "redis-server not installed (scripts/deps.sh)"
command -v "$REDIS_CLI" >/dev/null 2>&1 || skip "redis-cli not installed (scripts/deps.sh)"

TOP="$(mktemp -d "${TMPDIR:-/tmp}/rs2n-load.XXXXXX")"
REDIS_PID=""
SRV_PID=""
CLI_PID=""
cleanup() {
    local pid
    for pid in "$CLI_PID" "$SRV_PID" "$REDIS_PID"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
    done
    for pid in "$CLI_PID" "$SRV_PID" "$REDIS_PID"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null
    done
    rm -rf "$TOP"
}
trap cleanup EXIT

FAILED=0
fail() {
    echo "FAIL: $*" >&2
    FAILED=1
}
note() { echo "-- $*"; }
show() {
    echo "   [$1]"
    sed 's/^/   | /' "$1"
}
now_ms() { date +%s%3N; }

# --- Redis ------------------------------------------------------------------

port_in_use() {
    grep -qE ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# redis_up PORT: a redis-server on 127.0.0.1:PORT, no persistence; sets
# REDIS_PID; returns 1 if it does not answer PING within 10 s.
redis_up() {
    local i
    mkdir -p "$TOP/redis"
    "$REDIS_SERVER" --port "$1" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize no --dir "$TOP/redis" --logfile "" --databases 1 \
        >>"$TOP/redis/log" 2>&1 </dev/null &
    REDIS_PID=$!
    for ((i = 0; i < 100; i++)); do
        if [ "$(timeout 5 "$REDIS_CLI" -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
    REDIS_PID=""
    return 1
}

redis_down() {
    kill "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
    REDIS_PID=""
}

REDIS_PORT=""
for ((try = 0; try < 10; try++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$p" && continue
    if redis_up "$p"; then
        REDIS_PORT=$p
        break
    fi
done
if [ -z "$REDIS_PORT" ]; then
    show "$TOP/redis/log"
    echo "FAIL: could not start redis-server" >&2
    exit 1
fi
note "redis-server $("$REDIS_SERVER" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT"

# --- Server -------------------------------------------------------------------

rss_kb() {
    sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$SRV_PID/status" 2>/dev/null
}

: >"$TOP/srv.out"
"$RS2N_LOAD" server --redis "127.0.0.1:$REDIS_PORT" --threads "$SERVER_THREADS" \
    >"$TOP/srv.out" 2>"$TOP/srv.err" </dev/null &
SRV_PID=$!
PORTS=""
for ((i = 0; i < 100; i++)); do
    PORTS="$(sed -n 's/^ports \([0-9]*\) \([0-9]*\)$/\1,\2/p' "$TOP/srv.out")"
    [ -n "$PORTS" ] && break
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$PORTS" ]; then
    show "$TOP/srv.out"
    show "$TOP/srv.err"
    echo "FAIL: rs2n_load server did not start" >&2
    exit 1
fi
RSS_START="$(rss_kb)"
note "server (pid $SRV_PID, $SERVER_THREADS workers) on 127.0.0.1 ports $PORTS (stateful,tickets); RSS ${RSS_START} kB"

# --- Client, and the faults on its progress -------------------------------------

PROGRESS=$((N / 100))
: >"$TOP/cli.out"
"$RS2N_LOAD" client --ports "$PORTS" --threads "$CLIENT_THREADS" --handshakes "$N" \
    --progress "$PROGRESS" >"$TOP/cli.out" 2>"$TOP/cli.err" </dev/null &
CLI_PID=$!
T0=$(now_ms)
note "client (pid $CLI_PID, $CLIENT_THREADS threads): $N handshakes"

phase=0
done_count=0
last_seen=-1
RSS_25=""
RSS_PEAK=0
: >"$TOP/rss.log"
while kill -0 "$CLI_PID" 2>/dev/null; do
    sleep 0.1
    line="$(grep '^progress ' "$TOP/cli.out" | tail -1)"
    [ -n "$line" ] && done_count="${line#progress }" && done_count="${done_count%% *}"
    if [ "$done_count" != "$last_seen" ]; then
        last_seen="$done_count"
        r="$(rss_kb)"
        if [ -n "$r" ]; then
            echo "$done_count $r" >>"$TOP/rss.log"
            [ "$r" -gt "$RSS_PEAK" ] && RSS_PEAK=$r
            if [ -z "$RSS_25" ] && [ $((done_count * 4)) -ge "$N" ]; then
                RSS_25=$r
                note "25% ($done_count handshakes): server RSS $r kB"
            fi
        fi
    fi
    now=$(now_ms)
    case "$phase" in
    0)
        if [ $((done_count * 10)) -ge $((N * 3)) ]; then
            redis_down
            kill -USR1 "$SRV_PID" "$CLI_PID" 2>/dev/null
            OUTAGE_START=$now
            OUTAGE_AT=$done_count
            phase=1
            note "$done_count handshakes, $(((now - T0) / 1000)) s: Redis stopped (outage)"
        fi
        ;;
    1)
        if [ $((done_count * 2)) -ge "$N" ] && [ $((now - OUTAGE_START)) -ge $((OUTAGE_MIN_S * 1000)) ]; then
            # The outage ends before Redis is back: no handshake of the outage
            # phase can have seen it.
            kill -USR1 "$SRV_PID" "$CLI_PID" 2>/dev/null
            note "$done_count handshakes: starting Redis again after $(((now - OUTAGE_START) / 100))00 ms, $((done_count - OUTAGE_AT)) handshakes (recovery)"
            if ! redis_up "$REDIS_PORT"; then
                show "$TOP/redis/log"
                echo "FAIL: could not start redis-server again on port $REDIS_PORT" >&2
                exit 1
            fi
            RECOVERY_START=$(now_ms)
            phase=2
        fi
        ;;
    2)
        if [ $((done_count * 10)) -ge $((N * 6)) ] && [ $((now - RECOVERY_START)) -ge $((RECOVERY_MIN_S * 1000)) ]; then
            kill -USR1 "$SRV_PID" "$CLI_PID" 2>/dev/null
            phase=3
            note "$done_count handshakes: after"
        fi
        ;;
    esac
done
wait "$CLI_PID"
CLI_RC=$?
CLI_PID=""
T1=$(now_ms)
RSS_END="$(rss_kb)"
[ -n "$RSS_END" ] && [ "$RSS_END" -gt "$RSS_PEAK" ] && RSS_PEAK=$RSS_END

kill -TERM "$SRV_PID" 2>/dev/null
for ((i = 0; i < 150; i++)); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$SRV_PID" 2>/dev/null; then
    fail "the server did not stop within 15 s of SIGTERM"
    kill -KILL "$SRV_PID" 2>/dev/null
fi
wait "$SRV_PID"
SRV_RC=$?
SRV_PID=""

echo "== client"
sed -n '/^client /p' "$TOP/cli.out"
if [ -s "$TOP/cli.err" ]; then show "$TOP/cli.err"; fi
echo "== server"
sed -n '/^server /p' "$TOP/srv.out"
if [ -s "$TOP/srv.err" ]; then
    # Redis errors come one a line per worker and second of outage: the first few.
    echo "   [server stderr: $(wc -l <"$TOP/srv.err") lines, the first 15]"
    head -15 "$TOP/srv.err" | sed 's/^/   | /'
fi

# --- Checks -----------------------------------------------------------------------

[ "$phase" -eq 3 ] || fail "the run ended before the phase \"after\" (phase $phase): more handshakes needed (--handshakes)"
[ "$CLI_RC" -eq 0 ] || fail "the client's checks failed (exit $CLI_RC; its CHECK FAILED lines above)"
[ "$SRV_RC" -eq 0 ] || fail "the server exited with $SRV_RC"

# field FILE PREFIX KEY: the value of KEY= on the line starting with PREFIX.
field() {
    grep "^$2" "$1" | head -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
server_sum() { # server_sum KEY: KEY summed over every "server config=" line
    grep '^server config=' "$TOP/srv.out" | tr ' ' '\n' | sed -n "s/^$1=//p" | awk '{ s += $1 } END { print s + 0 }'
}

srv_failed="$(server_sum failed)"
[ "$srv_failed" = 0 ] || fail "the server counted $srv_failed failed handshakes"
outage="server config=stateful phase=outage "
o_ok="$(field "$TOP/srv.out" "$outage" ok)"
o_hits="$(field "$TOP/srv.out" "$outage" hits)"
o_err="$(field "$TOP/srv.out" "$outage" redis_errors)"
o_resumed="$(field "$TOP/srv.out" "$outage" resumed)"
[ "${o_ok:-0}" -gt 0 ] || fail "the server served no stateful handshake during the outage"
[ "${o_hits:-1}" = 0 ] || fail "the server counted $o_hits cache hits with Redis down"
[ "${o_resumed:-1}" = 0 ] || fail "the server resumed $o_resumed stateful sessions with Redis down"
[ "${o_err:-0}" -gt 0 ] || fail "the server's cache saw no Redis error during the outage"
keys_added="$(field "$TOP/srv.out" "server keys_added" keys_added)"
keys_failed="$(field "$TOP/srv.out" "server keys_added" keys_failed)"
setup_errors="$(field "$TOP/srv.out" "server keys_added" setup_errors)"
shutdown_errors="$(field "$TOP/srv.out" "server keys_added" shutdown_errors)"
[ "${keys_failed:-1}" = 0 ] || fail "$keys_failed ticket keys were refused"
[ "${keys_added:-0}" -gt 2 ] || fail "only ${keys_added:-0} ticket keys added: no rotation"
[ "${setup_errors:-1}" = 0 ] || fail "$setup_errors connection set-up errors in the server"
[ "${shutdown_errors:-1}" = 0 ] || fail "$shutdown_errors connections not shut down cleanly by the server"

if [ -z "$RSS_25" ] || [ -z "$RSS_END" ]; then
    fail "no RSS figures (25%: \"$RSS_25\", end: \"$RSS_END\")"
    growth="?"
else
    growth="$(awk "BEGIN { printf \"%.1f\", ($RSS_END - $RSS_25) * 100.0 / $RSS_25 }")"
    if [ "$RSS_CHECK" != 1 ]; then
        note "RSS not checked (RS2N_LOAD_RSS_CHECK=$RSS_CHECK: a sanitizer's memory, not the server's)"
    elif [ $((RSS_END * 100)) -gt $((RSS_25 * (100 + RSS_GROWTH_MAX_PCT))) ]; then
        fail "server RSS grew by $growth% between 25% of the run and its end (> $RSS_GROWTH_MAX_PCT%)"
        show "$TOP/rss.log"
    fi
fi

total="client total "
elapsed_s="$(awk "BEGIN { printf \"%.1f\", ($T1 - $T0) / 1000.0 }")"
echo "load: handshakes=$(field "$TOP/cli.out" "$total" handshakes)" \
    "resumed=$(field "$TOP/cli.out" "$total" resumed)" \
    "resumption_rate=$(field "$TOP/cli.out" "$total" resumption_rate)" \
    "failed=$(field "$TOP/cli.out" "$total" failed)+server:$srv_failed" \
    "outage_full=$(field "$TOP/cli.out" "$total" outage_stateful_full)" \
    "outage_redis_errors=${o_err:-?} keys_added=${keys_added:-?}" \
    "rss_kb(start/25%/end/peak)=$RSS_START/$RSS_25/$RSS_END/$RSS_PEAK growth=${growth}%" \
    "time=${elapsed_s}s rate=$(field "$TOP/cli.out" "$total" rate_per_s)/s"
if [ "$FAILED" -ne 0 ]; then
    echo "== FAILED" >&2
    exit 1
fi
echo "== ok"
exit 0
