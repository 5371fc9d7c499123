#!/usr/bin/env bash
# interop/s2n.sh: session resumption between rs2n's example programs
# (examples/rs2nd.c, examples/rs2nc.c) and the REAL s2n-tls: interop/s2n-peer,
# a separate program built on the crates.io s2n-tls crate (the s2n-tls C
# library over aws-lc), run as a separate process and never linked with rs2n.
# Every cell is a full handshake and then resumptions, and asserts "Reused" on
# both sides: on the rs2n program's own report and on s2n-tls's
# (s2n_connection_is_session_resumed in s2n-peer).
#
#   bash interop/s2n.sh CELL     # one cell, e.g. rs2nd_tls13
#   bash interop/s2n.sh all      # every cell
#   bash interop/s2n.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_s2n_<cell> (label
# "interop"); they require the CTest fixture s2n_peer, whose setup test
# build_s2n_peer runs `cargo build --release` for interop/s2n-peer (see
# interop/CMakeLists.txt). Environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs)
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
#   rs2nd_async_tls13 rs2nd --async-pkey 50 (its ECDSA chain served without the key,
#                     another thread signing after 50 ms), TLS1.3 tickets: the
#                     s2n-tls client verifies the signature; New, Reused, Reused
#   rs2nd_async_tls12 the same with an RSA certificate and TLS1.2 tickets
#   rs2nd_session_id  TLS1.2 session IDs: rs2nd --cache memory --no-tickets, the
#                     client --no-tickets (s2n's session-ID state):
#                     rs2nd: full, session-id, session-id
#   rs2nd_early_data  the s2n-tls client sending early data (s2n-peer early-client
#                     --reconnect 2: s2n_send_early_data on each resumption) to
#                     rs2nd --cache memory --early-data: accepted (end) on both
#                     sides; to rs2nd with tickets: resumed, none sent
# Cells: the s2n-tls server (s2n-peer server), rs2nc as the client
# (--reconnect 3 --send ping)
#   rs2nc_tls13       --tickets, policy default_tls13: New, Reused x3; again with
#                     rs2nc --keep-session (the first session offered each time)
#   rs2nc_tls12       --tickets, policy 20240501: New, Reused x3
#   rs2nc_session_id  --cache (tickets off), policy 20240501: New, Reused x3,
#                     and rs2nc received no ticket
#   rs2nc_negotiated  rs2nc --verbose reports the group, suite and signature scheme
#                     the s2n-tls server reports (default_tls13, 20240501)
#   rs2nc_early_data  s2n-peer server --tickets --early-data 16384 (s2n-tls accepts
#                     early data on stateless tickets), rs2nc --reconnect 2
#                     --early-data TEXT: each resumption's early data accepted,
#                     "end" on both sides with the same byte count
set -u

CELLS="rs2nd_tls13 rs2nd_tls12 rs2nd_session_id rs2nd_async_tls13 rs2nd_async_tls12 rs2nd_early_data rs2nc_tls13 rs2nc_tls12 rs2nc_session_id rs2nc_negotiated rs2nc_early_data"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # RS2ND, RS2NC, certs, plumbing

# ---------------------------------------------------------------------------
# The s2n-tls peer (the rest is in lib.sh)
# ---------------------------------------------------------------------------

# s2n-peer's lines ("New TLSv1.3 TLS_AES_128_GCM_SHA256"), as
# "New/TLSv1.3 Reused/TLSv1.3 ...".
s2n_lines_of() {
    sed -n 's/^\(New\|Reused\) \(TLSv1\.[0-9]\) [^ ]*$/\1\/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
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
    start_echo_rs2nd srv --max-conns 3 $sargs
    # shellcheck disable=SC2086
    s2n_client --policy "$policy" --reconnect 2 --expect-resume $cargs >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
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

# The server's handshake signature made asynchronously (rs2nd --async-pkey).
cell_rs2nd_async_tls13() {
    need_rs2nd_option --async-pkey || return 77
    rs2nd_cell default_tls13 "--async-pkey 50" --tickets TLSv1.3 psk
}

cell_rs2nd_async_tls12() {
    need_rs2nd_option --async-pkey || return 77
    rs2nd_cell 20240501 "--async-pkey 50 --cert $CERTS/rsa2048_cert.pem --key $CERTS/rsa2048_key.pem" \
        --tickets TLSv1.2 ticket
}

# Stateful TLS1.2 resumption: rs2nd's in-memory session cache, tickets off; the
# s2n-tls client does not ask for tickets and saves s2n's session-ID state.
cell_rs2nd_session_id() {
    need_rs2nd_option --cache || return 77
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
    rs2nc_ping $cargs --reconnect 3 >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s2n-peer server"
    show_server srv
    check_rs2nc "$rc" "$T/c.out" "$T/c.err" 4
    expect "rs2nc" "$(resumption_of "$T/c.out")" "$want"
    expect "s2n-tls server" "$(s2n_lines_of "$T/srv.out")" "$want"
}

cell_rs2nc_tls13() {
    s2n_cell "--tickets --policy default_tls13" --tls13 TLSv1.3
    # One session saved and offered on every reconnect, as s2n programs do: the
    # s2n-tls server sends a ticket on each resumed connection, which joins the
    # session line the bytes name, so each reconnect resumes with a new ticket.
    s2n_cell "--tickets --policy default_tls13" "--tls13 --keep-session" TLSv1.3
}

cell_rs2nc_tls12() {
    s2n_cell "--tickets --policy 20240501" --tls12 TLSv1.2
}

# The names rs2n reports for what was negotiated (group, suite IANA value,
# signature scheme) are s2n's: rs2nc --verbose and the s2n-tls server, each
# asking its own library, must print the same, in TLS1.3 and TLS1.2.
cell_rs2nc_negotiated() {
    local policy args rc got want
    for policy in default_tls13 20240501; do
        start_s2n_server "srv_$policy" --max-conns 1 --policy "$policy"
        rs2nc --policy "$policy" --no-tickets --verbose >"$T/c_$policy.out" 2>"$T/c_$policy.err" </dev/null
        rc=$?
        wait_exit "$SERVER_PID" "s2n-peer server"
        [ "$rc" -eq 0 ] || { show "$T/c_$policy.err"; fail "$policy: rs2nc exited with $rc"; }
        want="$(sed -n 's/^negotiated: //p' "$T/srv_$policy.out")"
        got="$(sed -n 's/^rs2nc: connection 1: group /group /p' "$T/c_$policy.err")"
        [ -n "$want" ] || { show_server "srv_$policy"; fail "$policy: the s2n-tls server printed nothing"; }
        expect "$policy: rs2nc as s2n-tls reports it" "$got" "$want"
    done
}

# Stateful TLS1.2 resumption: s2n's session cache (its store / retrieve
# callbacks over an in-memory map), tickets off: rs2nc must get no ticket.
cell_rs2nc_session_id() {
    s2n_cell "--cache --policy 20240501" --tls12 TLSv1.2
    expect "rs2nc tickets received" "$(grep -c '[1-9][0-9]* ticket(s) received' "$T/c.err")" "0"
}

# TLS1.3 early data from the real s2n-tls client to rs2nd: accepted with the
# session cache; with stateless tickets rs2n's tickets allow none.
cell_rs2nd_early_data() {
    local rc early="GET /early" n mode st
    for mode in cache tickets; do
        if [ "$mode" = cache ]; then
            start_rs2nd "srv_$mode" --max-conns 3 --cache memory --early-data 16384
        else
            start_rs2nd "srv_$mode" --max-conns 3 --tickets --early-data 16384
        fi
        timeout "$CLIENT_TIMEOUT" "$S2N_PEER" early-client --connect "127.0.0.1:$PORT" --ca "$CA" \
            --reconnect 2 --early-data "$early" </dev/null >"$T/c_$mode.out" 2>"$T/c_$mode.err"
        rc=$?
        wait_exit "$SERVER_PID" rs2nd
        show_server "srv_$mode"
        sed 's/^/   s2n-tls client: /' "$T/c_$mode.out"
        [ "$rc" -eq 0 ] || { show "$T/c_$mode.err"; fail "$mode: s2n-peer early-client exited with $rc"; }
        n=${#early}
        [ "$mode" = tickets ] && n=0
        st=end
        [ "$mode" = tickets ] && st=not-requested
        expect "$mode: s2n-tls client" "$(sed -n 's/^\(New\|Reused\) TLSv1.3 .*, early data \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/c_$mode.out" | tr '\n' ' ' | sed 's/ $//')" \
            "New/not-requested/0 Reused/$st/$n Reused/$st/$n"
        expect "$mode: rs2nd" "$(sed -n 's/^conn [0-9]*: TLSv1\.3, [^,]*, \(New\|Reused\), .*, early data \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/srv_$mode.out" | tr '\n' ' ' | sed 's/ $//')" \
            "New/not-requested/0 Reused/$st/$n Reused/$st/$n"
    done
}

# TLS1.3 early data from rs2nc to the real s2n-tls server (s2n_recv_early_data).
cell_rs2nc_early_data() {
    local rc early="GET /early"
    start_s2n_server srv --max-conns 3 --tickets --early-data 16384
    rs2nc --tls13 --reconnect 2 --early-data "$early" </dev/null >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s2n-peer server"
    show_server srv
    sed 's/^/   rs2nc: /' "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    expect "rs2nc" "$(sed -n 's/^\(New\|Reused\), TLSv1.3, .*, early data: \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/c.out" | tr '\n' ' ' | sed 's/ $//')" \
        "New/not-requested/0 Reused/end/${#early} Reused/end/${#early}"
    expect "s2n-tls server" "$(sed -n 's/^\(New\|Reused\) TLSv1.3 .*, early data \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/srv.out" | tr '\n' ' ' | sed 's/ $//')" \
        "New/not-requested/0 Reused/end/${#early} Reused/end/${#early}"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
parse_args "$@"
[ -x "$S2N_PEER" ] \
    || skip "$S2N_PEER not built (cargo build --release --manifest-path interop/s2n-peer/Cargo.toml)"
require_programs "$RS2ND" "$RS2NC"
echo "-- s2n-peer: $(sed -n '/^name = "s2n-tls"$/{n;s/^version = "\(.*\)"$/s2n-tls crate \1/p}' "$ROOT/interop/s2n-peer/Cargo.lock"), $(sed -n '/^name = "aws-lc-sys"$/{n;s/^version = "\(.*\)"$/aws-lc-sys \1/p}' "$ROOT/interop/s2n-peer/Cargo.lock") ($S2N_PEER)"
run_cells rs2n-interop-s2n "$1"
