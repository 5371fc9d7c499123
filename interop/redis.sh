#!/usr/bin/env bash
# interop/redis.sh: stateful session resumption through rs2nd's session cache
# (examples/rs2nd.c --cache memory | redis://HOST:PORT), checked with the OpenSSL
# command line tool and rs2nc, against a real redis-server of the test's own.
# Servers of one fleet share a Redis AND a ticket key file: rs2n seals what it
# hands to the cache with the ticket key.
#
#   bash interop/redis.sh CELL     # one cell, e.g. redis_tls12_fleet
#   bash interop/redis.sh all      # every cell
#   bash interop/redis.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_redis_<cell> (label
# "interop"), passing the programs' paths in the environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs)
#   OPENSSL        the openssl binary (default: openssl on PATH)
#   REDIS_SERVER, REDIS_CLI   (default: redis-server, redis-cli on PATH)
# Exit 77 (CTest: skipped, never passed), with a loud SKIPPED line: openssl
# missing; for the redis_* cells, redis-server/redis-cli missing
# (scripts/deps.sh installs them) or rs2nd built without hiredis.
#
# Everything runs on 127.0.0.1. rs2nd binds port 0 and prints its port. Redis
# cannot bind port 0, so the test picks a port no socket uses (/proc/net/tcp)
# and retries another if redis-server still fails to start (bounded). Each
# redis-server runs in the foreground (--daemonize no) in the background of this
# script, with no persistence (--save '' --appendonly no) and its files in the
# test's temporary directory; it and every rs2nd are killed by the EXIT trap.
# Every client runs under `timeout`; every wait loop is bounded.
#
# Cells
#   memory             rs2nd --cache memory: s_client -reconnect -no_ticket
#                      -tls1_2: New then 5 x Reused, rs2nd says "session-id";
#                      with tickets allowed by the client, still session IDs
#                      (--cache turns tickets off); with --tickets, tickets;
#                      rs2nc --tls13 --reconnect 2: TLS1.3 cache tickets resume
#   options            bad --cache / --cache-prefix values: exit 2, no server
#   expiry             rs2nd --session-lifetime 1 (so the cache ttl is 1 s): a
#                      session 2.5 s old is a miss in the memory cache itself
#                      (its counts: 0 hits, 1 miss) and New; with Redis
#                      (--session-lifetime 2): TTL <= 2, the key gone 3 s later
#                      (skips its Redis half without Redis)
#   redis_tls12_fleet  Redis + servers A, B (same ticket key file) and C (other
#                      key), all --no-tickets: s_client -no_ticket -tls1_2
#                      -sess_out to A; the Redis key is "rs2n:" + hex(Session-ID),
#                      TTL in (0, 21600], its value sealed (no master secret in
#                      it); -sess_in to C: a miss, New, entry kept; -sess_in to B:
#                      Reused (B: session-id)
#   redis_tls13_fleet  the same with -tls1_3 (server tickets off: its TLS1.3
#                      tickets are cache keys, "rs2n:" + 96 hex digits, taken with
#                      GETDEL): C is offered a second session from A: New, and
#                      that key is spent by C's lookup; Reused on B (psk); the
#                      key is single-use: gone after B, offering it again is New
#   redis_rs2nc        rs2nc --no-tickets --tls12 --reconnect 2 against rs2nd
#                      --cache redis://: New, Reused, Reused (session-id)
#   redis_down         no Redis at the URL, then a Redis that dies between two
#                      connections: full handshakes, errors on stderr, rs2nd
#                      serves on and exits 0
#   redis_early_data_replay
#                      Redis + servers A and B of one fleet, --early-data: a
#                      session from A (its key "rs2n:" + 96 hex digits); s_client
#                      -sess_in -early_data through a relay to A: accepted, A reads
#                      the early data, the key is taken (GETDEL); the same first
#                      flight replayed to B: a miss, B reads no early data (needs
#                      python3 for the relay)
set -u

CELLS="memory options expiry redis_tls12_fleet redis_tls13_fleet redis_rs2nc redis_down redis_early_data_replay"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # RS2ND, RS2NC, certs, plumbing
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
REDIS_CLI="${REDIS_CLI:-redis-cli}"

CACHE_TTL_MAX=21600 # S2N_CACHE_TTL_SECS: what rs2n passes as the store ttl

# ---------------------------------------------------------------------------
# The Redis peer (the rest is in lib.sh)
# ---------------------------------------------------------------------------

# start_redis: a redis-server of our own on 127.0.0.1:REDIS_PORT (a free port,
# up to 10 tries), answering PING; sets REDIS_PORT and REDIS_PID.
start_redis() {
    local try i p
    for ((try = 0; try < 10; try++)); do
        p="$(free_port)"
        mkdir -p "$T/redis"
        "$REDIS_SERVER" --port "$p" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize no --dir "$T/redis" --logfile "" --databases 1 \
            >"$T/redis/log.$try" 2>&1 </dev/null &
        REDIS_PID=$!
        PIDS+=("$REDIS_PID")
        for ((i = 0; i < START_TIMEOUT * 10; i++)); do
            if [ "$(timeout 5 "$REDIS_CLI" -h 127.0.0.1 -p "$p" ping 2>/dev/null)" = PONG ]; then
                REDIS_PORT=$p
                note "redis-server $("$REDIS_SERVER" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on 127.0.0.1:$p (pid $REDIS_PID)"
                return 0
            fi
            kill -0 "$REDIS_PID" 2>/dev/null || break
            sleep 0.1
        done
        # Not up: port taken meanwhile, or something else. Stop it, try again.
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    done
    show "$T/redis/log.$((try - 1))"
    echo "FAIL: could not start redis-server" >&2
    exit 1
}

stop_redis() {
    kill "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
}

rcli() {
    timeout 5 "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# The rs2n keys in Redis, sorted, one a line.
redis_keys() {
    rcli --scan --pattern 'rs2n:*' | sort
}

# rs2nd's exit line on stderr: "S stored, F not stored, H hits, M misses, D deletes".
cache_stats_of() {
    sed -n 's/^rs2nd: session cache: \([0-9]* stored, .*\)$/\1/p' "$1"
}

# The lowercase hex after "NAME:" in s_client's session block.
s_client_field() {
    sed -n "s/^ *$2: *\([0-9A-Fa-f]*\)\$/\1/p" "$1" | head -1 | tr 'A-F' 'a-f'
}

# check_ttl KEY: Redis holds KEY with a TTL in (0, CACHE_TTL_MAX].
check_ttl() {
    local ttl
    ttl="$(rcli TTL "$1")"
    if [[ "$ttl" =~ ^[0-9]+$ ]] && [ "$ttl" -gt 0 ] && [ "$ttl" -le "$CACHE_TTL_MAX" ]; then
        note "TTL $1: $ttl (0 < ttl <= $CACHE_TTL_MAX)"
    else
        fail "TTL $1: \"$ttl\", expected 0 < ttl <= $CACHE_TTL_MAX"
    fi
}

need_redis() {
    command -v "$REDIS_SERVER" >/dev/null 2>&1 \
        || skip "redis-server not installed (apt-get install redis-server, or scripts/deps.sh)"
    command -v "$REDIS_CLI" >/dev/null 2>&1 \
        || skip "redis-cli not installed (apt-get install redis-tools, or scripts/deps.sh)"
    # A port rs2nd refuses tells a hiredis build (URL parsed: "bad port") from
    # one without (exits at once saying so); neither starts a server.
    if "$RS2ND" --cache redis://127.0.0.1:0 2>&1 | grep -q 'without Redis support'; then
        skip "rs2nd built without hiredis (install libhiredis-dev and re-run cmake)"
    fi
}

# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------

cell_memory() {
    local rc
    # The issue's check: s_client -reconnect, stateful (no tickets).
    start_rs2nd srv --max-conns 6 --cache memory
    s_client -reconnect -no_ticket -tls1_2 </dev/null >"$T/c.out" 2>&1
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -E '^(New|Reused),' "$T/c.out" | sed 's/^/   s_client: /'
    [ "$rc" -eq 0 ] || fail "s_client exited with $rc"
    expect "s_client -reconnect -no_ticket" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id"
    expect "rs2nd cache counts" "$(cache_stats_of "$T/srv.err")" \
        "1 stored, 0 not stored, 5 hits, 0 misses, 0 deletes"

    # The client asks for tickets, but --cache turned them off: session IDs.
    start_rs2nd srv2 --max-conns 6 --cache memory
    s_client -reconnect -tls1_2 </dev/null >"$T/c2.out" 2>&1
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    [ "$rc" -eq 0 ] || fail "s_client (tickets allowed) exited with $rc"
    expect "rs2nd --cache memory, client wants tickets" "$(rs2nd_lines_of "$T/srv2.out")" \
        "New/TLSv1.2/full Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id"

    # --tickets given explicitly: tickets and the cache; the ticket wins.
    start_rs2nd srv3 --max-conns 6 --cache memory --tickets
    s_client -reconnect -tls1_2 </dev/null >"$T/c3.out" 2>&1
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    [ "$rc" -eq 0 ] || fail "s_client (rs2nd --tickets) exited with $rc"
    expect "rs2nd --cache memory --tickets" "$(rs2nd_lines_of "$T/srv3.out")" \
        "New/TLSv1.2/full Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket"

    # TLS1.3 with the cache and tickets off: the tickets are cache keys.
    start_rs2nd srv4 --max-conns 3 --cache memory
    rs2nc --tls13 --reconnect 2 >"$T/c4.out" 2>"$T/c4.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv4
    [ "$rc" -eq 0 ] || { show "$T/c4.err"; fail "rs2nc --tls13 exited with $rc"; }
    expect "rs2nc --tls13 --reconnect 2" "$(resumption_of "$T/c4.out")" \
        "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3"
    expect "rs2nd (TLS1.3, memory)" "$(rs2nd_lines_of "$T/srv4.out")" \
        "New/TLSv1.3/full Reused/TLSv1.3/psk Reused/TLSv1.3/psk"
}

cell_options() {
    local args rc
    for args in "--cache bogus" "--cache redis://127.0.0.1:99999" "--cache redis://" \
        "--cache redis://user@127.0.0.1:6379" "--cache-prefix ''" "--cache"; do
        eval "timeout 10 \"\$RS2ND\" $args" >"$T/o.out" 2>"$T/o.err" </dev/null
        rc=$?
        if [ "$rc" -eq 2 ] && [ ! -s "$T/o.out" ]; then
            note "rs2nd $args: exit 2: $(head -1 "$T/o.err")"
        else
            show "$T/o.out"; show "$T/o.err"
            fail "rs2nd $args: exit $rc (expected 2, nothing on stdout)"
        fi
    done
}

cell_expiry() {
    local rc ttl
    start_rs2nd mem --max-conns 2 --cache memory --session-lifetime 1
    s_client -no_ticket -tls1_2 -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 1 exited with $rc"
    sleep 2.5
    s_client -no_ticket -tls1_2 -sess_in "$T/sess.pem" </dev/null >"$T/c2.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 2 exited with $rc"
    wait_exit "$SERVER_PID" rs2nd
    show_server mem
    expect "s_client (memory, 2.5 s > ttl 1 s)" "$(resumption_of "$T/c1.out") $(resumption_of "$T/c2.out")" \
        "New/TLSv1.2 New/TLSv1.2"
    # The memory cache dropped the entry itself (rs2n would also refuse a value
    # older than the session lifetime, but then rs2nd would count a hit).
    expect "rs2nd cache counts" "$(cache_stats_of "$T/mem.err")" \
        "2 stored, 0 not stored, 0 hits, 1 misses, 0 deletes"

    if ! command -v "$REDIS_SERVER" >/dev/null 2>&1 \
        || "$RS2ND" --cache redis://127.0.0.1:0 2>&1 | grep -q 'without Redis support'; then
        echo "SKIPPED (Redis half of expiry): redis-server not installed or rs2nd without hiredis" >&2
        return 0
    fi
    start_redis
    start_rs2nd red --max-conns 1 --cache "redis://127.0.0.1:$REDIS_PORT" --session-lifetime 2
    s_client -no_ticket -tls1_2 </dev/null >"$T/c3.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 3 exited with $rc"
    wait_exit "$SERVER_PID" rs2nd
    redis_keys >"$T/keys"
    expect "Redis keys" "$(wc -l <"$T/keys" | tr -d ' ')" 1
    ttl="$(rcli TTL "$(head -1 "$T/keys")")"
    if [[ "$ttl" =~ ^[0-9]+$ ]] && [ "$ttl" -ge 1 ] && [ "$ttl" -le 2 ]; then
        note "TTL with --session-lifetime 2: $ttl"
    else
        fail "TTL with --session-lifetime 2: \"$ttl\", expected 1 or 2"
    fi
    sleep 3
    expect "Redis keys 3 s later" "$(redis_keys | wc -l | tr -d ' ')" 0
    stop_redis
}

# fleet VERSION (1_2 or 1_3): Redis, servers A and B sharing it and the ticket
# key file, C sharing Redis with another key.
fleet() {
    local v="$1" proto="TLSv${1/_/.}" how pa pb pc apid bpid cpid rc key keys_after nconns_a
    local extra=() tls13=0 hex=64 c_sess="$T/sess.pem"
    [ "$v" = 1_3 ] && tls13=1
    if [ $tls13 -eq 1 ]; then
        how=psk
        extra=(-ign_eof)   # read the post-handshake ticket (see openssl.sh)
        nconns_a=3         # A also makes C's session, and sees the replay
        hex=96             # a TLS1.3 cache key is 48 bytes (a session ID is 32)
        c_sess="$T/sess2.pem"
    else
        how=session-id
        extra=(-no_ticket)
        nconns_a=1
    fi
    start_redis
    head -c 32 /dev/urandom >"$T/fleet.key"
    mkdir -p "$T/other"
    head -c 32 /dev/urandom >"$T/other/fleet.key"   # same name, other material
    local url="redis://127.0.0.1:$REDIS_PORT"

    start_rs2nd a --max-conns "$nconns_a" --cache "$url" --ticket-key-file "$T/fleet.key" --no-tickets
    pa=$PORT apid=$SERVER_PID
    start_rs2nd b --max-conns 1 --cache "$url" --ticket-key-file "$T/fleet.key" --no-tickets
    pb=$PORT bpid=$SERVER_PID
    start_rs2nd c --max-conns 1 --cache "$url" --ticket-key-file "$T/other/fleet.key" --no-tickets
    pc=$PORT cpid=$SERVER_PID

    # 1. A: a full handshake; A stores the session in Redis.
    PORT=$pa s_client "-tls$v" "${extra[@]}" -sess_out "$T/sess.pem" </dev/null >"$T/ca.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to A exited with $rc"
    [ -s "$T/sess.pem" ] || fail "$proto: s_client -sess_out wrote no session"
    redis_keys >"$T/keys1"
    show "$T/keys1"
    expect "$proto Redis keys after A" "$(wc -l <"$T/keys1" | tr -d ' ')" 1
    key="$(head -1 "$T/keys1")"
    if [[ "$key" =~ ^rs2n:[0-9a-f]{$hex}$ ]]; then
        note "$proto key: $key"
    else
        fail "$proto key \"$key\" is not rs2n: + $hex hex digits"
    fi
    if [ $tls13 -eq 0 ]; then
        # TLS1.2: the key is the session ID the client got.
        expect "$proto key = rs2n: + hex(Session-ID)" "$key" "rs2n:$(s_client_field "$T/ca.out" Session-ID)"
    fi
    check_ttl "$key"
    # The value is rs2n's sealed blob: the master secret is not in it.
    local master value_hex
    # (TLS1.3: s_client prints the session's secret as "Resumption PSK".)
    master="$(s_client_field "$T/ca.out" "$([ $tls13 -eq 1 ] && echo 'Resumption PSK' || echo Master-Key)")"
    value_hex="$(rcli --raw GET "$key" | od -An -v -tx1 | tr -d ' \n')"
    note "$proto value: $(( ${#value_hex} / 2 - 1 )) bytes"
    if [ -z "$master" ] || [ "${#value_hex}" -lt 64 ]; then
        fail "$proto: no Master-Key from s_client or no value in Redis"
    elif [[ "$value_hex" == *"$master"* ]]; then
        fail "$proto: the master secret is in the Redis value in the clear"
    else
        note "$proto: the master secret is not in the Redis value (sealed)"
    fi

    # 2. C, same Redis, another ticket key: the value does not open: a miss
    # (a full handshake, no error). A TLS1.2 entry stays for the fleet; a TLS1.3
    # ticket is taken by any lookup (GETDEL), so C gets a session of its own.
    local c_key="$key"
    if [ $tls13 -eq 1 ]; then
        PORT=$pa s_client "-tls$v" "${extra[@]}" -sess_out "$c_sess" </dev/null >"$T/ca3.out" 2>&1
        rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to A (C's session) exited with $rc"
        c_key="$(redis_keys | grep -vx "$key" | head -1)"
    fi
    PORT=$pc s_client "-tls$v" "${extra[@]}" -sess_in "$c_sess" </dev/null >"$T/cc.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to C exited with $rc"
    if [ $tls13 -eq 0 ] && redis_keys | grep -qx "$key"; then
        note "$proto: A's key still in Redis after C's miss"
    elif [ $tls13 -eq 0 ]; then
        fail "$proto: A's key gone after C (another ticket key) looked it up"
    elif [ -n "$c_key" ] && ! redis_keys | grep -qx "$c_key" && redis_keys | grep -qx "$key"; then
        note "$proto: C's lookup spent its ticket ($c_key); A's first key is still there"
    else
        fail "$proto: C's lookup did not take exactly its own ticket (\"$c_key\")"
    fi

    # 3. B, same Redis and same ticket key: resumes from A's session.
    PORT=$pb s_client "-tls$v" "${extra[@]}" -sess_in "$T/sess.pem" </dev/null >"$T/cb.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to B exited with $rc"

    if [ $tls13 -eq 1 ]; then
        # Single-use: B deleted A's key (and stored the ticket it issued).
        redis_keys >"$T/keys2"
        show "$T/keys2"
        if grep -qx "$key" "$T/keys2"; then
            fail "$proto: A's key still in Redis after B used it (TLS1.3 cache tickets are single-use)"
        else
            note "$proto: A's key is gone after B used it"
        fi
        # Offering the used ticket again, to A: a miss, a full handshake.
        PORT=$pa s_client "-tls$v" "${extra[@]}" -sess_in "$T/sess.pem" </dev/null >"$T/ca2.out" 2>&1
        rc=$?; [ "$rc" -eq 0 ] || fail "$proto: second s_client to A exited with $rc"
    fi


    wait_exit "$apid" "rs2nd A"
    wait_exit "$bpid" "rs2nd B"
    wait_exit "$cpid" "rs2nd C"
    show_server a; show_server b; show_server c
    grep -hE '^(New|Reused),' "$T/ca.out" "$T/cb.out" "$T/cc.out" | sed 's/^/   s_client: /'
    expect "$proto s_client A" "$(resumption_of "$T/ca.out")" "New/$proto"
    expect "$proto s_client B (shared Redis + key)" "$(resumption_of "$T/cb.out")" "Reused/$proto"
    expect "$proto rs2nd B" "$(rs2nd_lines_of "$T/b.out")" "Reused/$proto/$how"
    expect "$proto s_client C (shared Redis, other key)" "$(resumption_of "$T/cc.out")" "New/$proto"
    expect "$proto rs2nd C" "$(rs2nd_lines_of "$T/c.out")" "New/$proto/full"
    if [ $tls13 -eq 1 ]; then
        expect "$proto s_client A again (used ticket)" "$(resumption_of "$T/ca2.out")" "New/$proto"
        expect "$proto rs2nd A" "$(rs2nd_lines_of "$T/a.out")" \
            "New/$proto/full New/$proto/full New/$proto/full"
    else
        expect "$proto rs2nd A" "$(rs2nd_lines_of "$T/a.out")" "New/$proto/full"
        expect "$proto rs2nd B cache counts" "$(cache_stats_of "$T/b.err")" \
            "0 stored, 0 not stored, 1 hits, 0 misses, 0 deletes"
    fi
    expect "$proto rs2nd C cache hits" "$(cache_stats_of "$T/c.err" | sed 's/.* \([0-9]*\) hits.*/\1/')" 1
    if grep -q 'redis_cache: ' "$T"/a.err "$T"/b.err "$T"/c.err; then
        fail "$proto: Redis errors reported"
    fi
    stop_redis
}

cell_redis_tls12_fleet() {
    need_redis
    fleet 1_2
}

cell_redis_tls13_fleet() {
    need_redis
    fleet 1_3
}

cell_redis_rs2nc() {
    local rc
    need_redis
    start_redis
    start_rs2nd srv --max-conns 3 --cache "redis://127.0.0.1:$REDIS_PORT"
    rs2nc --no-tickets --tls12 --reconnect 2 --verbose >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    expect "rs2nc --no-tickets --tls12 --reconnect 2" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full Reused/TLSv1.2/session-id Reused/TLSv1.2/session-id"
    redis_keys >"$T/keys"
    show "$T/keys"
    expect "Redis keys" "$(wc -l <"$T/keys" | tr -d ' ')" 1
    check_ttl "$(head -1 "$T/keys")"
    stop_redis
}

cell_redis_down() {
    local rc dead
    need_redis
    # Nothing listens at the URL: every lookup is a miss, every store fails.
    dead="$(free_port)"
    start_rs2nd nored --max-conns 6 --cache "redis://127.0.0.1:$dead"
    s_client -reconnect -no_ticket -tls1_2 </dev/null >"$T/c1.out" 2>&1
    rc=$?
    wait_exit "$SERVER_PID" "rs2nd (no Redis)"
    show_server nored
    [ "$rc" -eq 0 ] || fail "s_client -reconnect (no Redis) exited with $rc"
    expect "s_client -reconnect (no Redis)" "$(resumption_of "$T/c1.out")" \
        "New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2"
    expect "rs2nd (no Redis)" "$(rs2nd_lines_of "$T/nored.out")" \
        "New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full"
    grep -q "redis_cache: 127.0.0.1:$dead: connect:" "$T/nored.err" \
        || fail "rs2nd did not report the unreachable Redis"

    # A Redis that dies between two connections.
    start_redis
    start_rs2nd srv --max-conns 3 --cache "redis://127.0.0.1:$REDIS_PORT"
    s_client -no_ticket -tls1_2 -sess_out "$T/sess.pem" </dev/null >"$T/c2.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 1 exited with $rc"
    expect "Redis keys before it dies" "$(redis_keys | wc -l | tr -d ' ')" 1
    stop_redis
    s_client -no_ticket -tls1_2 -sess_in "$T/sess.pem" </dev/null >"$T/c3.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 2 (Redis dead) exited with $rc"
    s_client -no_ticket -tls1_2 -sess_in "$T/sess.pem" </dev/null >"$T/c4.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client 3 (Redis dead) exited with $rc"
    wait_exit "$SERVER_PID" "rs2nd (Redis died)"
    show_server srv
    expect "s_client (Redis died after the first)" \
        "$(resumption_of "$T/c2.out") $(resumption_of "$T/c3.out") $(resumption_of "$T/c4.out")" \
        "New/TLSv1.2 New/TLSv1.2 New/TLSv1.2"
    expect "rs2nd (Redis died after the first)" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full"
    grep -q "redis_cache: 127.0.0.1:$REDIS_PORT: " "$T/srv.err" \
        || fail "rs2nd did not report the Redis failure"
}

cell_redis_early_data_replay() {
    local pa pb apid bpid
    need_redis
    command -v python3 >/dev/null 2>&1 || skip "python3 not found (the relay)"
    start_redis
    head -c 32 /dev/urandom >"$T/fleet.key"
    local url="redis://127.0.0.1:$REDIS_PORT"
    printf 'GET /early' >"$T/early.txt"
    start_rs2nd a --max-conns 2 --cache "$url" --ticket-key-file "$T/fleet.key" --no-tickets \
        --early-data 16384 --timeout 3
    pa=$PORT apid=$SERVER_PID
    start_rs2nd b --max-conns 1 --cache "$url" --ticket-key-file "$T/fleet.key" --no-tickets \
        --early-data 16384 --timeout 3
    pb=$PORT bpid=$SERVER_PID

    PORT=$pa s_client -tls1_3 -ign_eof -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    [ -s "$T/sess.pem" ] || fail "s_client -sess_out wrote no session"
    redis_keys >"$T/keys1"
    show "$T/keys1"
    [[ "$(head -1 "$T/keys1")" =~ ^rs2n:[0-9a-f]{96}$ ]] || fail "the key is not rs2n: + 96 hex digits"

    start_relay "$T/relay.port" "$pa" "$T/flight.bin" "$pb"
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" -early_data "$T/early.txt" \
        </dev/null >"$T/c2.out" 2>&1
    wait "$RELAY_PID"
    wait_exit "$apid" "rs2nd A"
    wait_exit "$bpid" "rs2nd B"
    show_server a
    show_server b
    [ -s "$T/flight.bin" ] || fail "the relay captured no first flight"
    expect "s_client early data" "$(sed -n 's/^Early data was \([a-z]*\)$/\1/p' "$T/c2.out")" "accepted"
    expect "A reads early data" "$(grep -c 'early data read' "$T/a.out")" "1"
    expect "B reads the replayed early data" "$(grep -c 'early data read' "$T/b.out")" "0"
    expect "rs2nd A" "$(rs2nd_lines_of "$T/a.out")" "New/TLSv1.3/full Reused/TLSv1.3/psk"
    redis_keys >"$T/keys2"
    grep -qxF "$(head -1 "$T/keys1")" "$T/keys2" && fail "the resumed session's key is still in Redis"
    stop_redis
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "$OPENSSL not found"
require_programs "$RS2ND" "$RS2NC"
echo "-- $("$OPENSSL" version)"
run_cells rs2n-redis "$1"
