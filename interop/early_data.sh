#!/usr/bin/env bash
# interop/early_data.sh: TLS1.3 early data (0-RTT) between rs2n's example
# programs (rs2nd --early-data, rs2nc --early-data), the OpenSSL command line
# tool, and each other; and replay protection.
#
#   bash interop/early_data.sh CELL     # one cell
#   bash interop/early_data.sh all      # every cell
#   bash interop/early_data.sh --list   # the cells
#
# rs2n accepts early data only with stateful resumption (the session cache on,
# tickets off): each session is taken from the cache once, so early data is
# accepted at most once per session. With stateless tickets it is never offered.
#
# Cells:
#   s_client          rs2nd --cache memory --early-data: s_client -sess_out, then
#                     -sess_in -early_data FILE: "Early data was accepted", rs2nd
#                     read the file's bytes (status end); the same session offered
#                     again: "Early data was rejected", a full handshake
#   s_client_tickets  rs2nd with tickets (no cache) --early-data: the session
#                     resumes, s_client sends no early data (its ticket allows
#                     none), rs2nd says not-requested
#   replay            a first flight with early data captured between s_client and
#                     rs2nd (a relay) and sent again to rs2nd: its early data is
#                     read once, never for the replay
#   rs2nc_s_server    rs2nc --reconnect 2 --early-data against s_server
#                     -early_data: each resumption's early data is accepted (end)
#                     and s_server prints it
#   rs2n_rs2n         rs2nc --reconnect 2 --early-data against rs2nd --cache
#                     memory --early-data: accepted both times, on both sides
set -u

CELLS="s_client s_client_tickets replay rs2nc_s_server rs2n_rs2n"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # RS2ND, RS2NC, certs, plumbing

EARLY="GET /early"

# rs2nd's ", early data STATUS N" of each connection, space separated.
early_of() {
    sed -n 's/^conn [0-9]*: TLSv1\.3, .*, early data \([a-z-]*\) \([0-9]*\)$/\1\/\2/p' "$1" |
        tr '\n' ' ' | sed 's/ $//'
}

# s_client's "Early data was ..." lines, one word each.
s_client_early_of() {
    sed -n 's/^Early data was \([a-z ]*\)$/\1/p' "$@" | tr ' \n' '_ ' | sed 's/ $//'
}

cell_s_client() {
    printf '%s' "$EARLY" >"$T/early.txt"
    start_rs2nd srv --cache memory --early-data 16384 --max-conns 3
    s_client -tls1_3 -ign_eof -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" -early_data "$T/early.txt" \
        </dev/null >"$T/c2.out" 2>&1
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" -early_data "$T/early.txt" \
        </dev/null >"$T/c3.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    [ -s "$T/sess.pem" ] || fail "s_client -sess_out wrote no session"
    expect "s_client" "$(resumption_of "$T/c2.out") $(resumption_of "$T/c3.out")" \
        "Reused/TLSv1.3 New/TLSv1.3"
    expect "s_client early data" "$(s_client_early_of "$T/c1.out" "$T/c2.out" "$T/c3.out")" \
        "not_sent accepted rejected"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.3/full Reused/TLSv1.3/psk New/TLSv1.3/full"
    expect "rs2nd early data" "$(early_of "$T/srv.out")" \
        "not-requested/0 end/${#EARLY} rejected/0"
}

cell_s_client_tickets() {
    printf '%s' "$EARLY" >"$T/early.txt"
    start_rs2nd srv --tickets --early-data 16384 --max-conns 2
    s_client -tls1_3 -ign_eof -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" -early_data "$T/early.txt" \
        </dev/null >"$T/c2.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    expect "s_client" "$(resumption_of "$T/c2.out")" "Reused/TLSv1.3"
    expect "s_client early data" "$(s_client_early_of "$T/c2.out")" "not_sent"
    expect "rs2nd early data" "$(early_of "$T/srv.out")" "not-requested/0 not-requested/0"
}

cell_replay() {
    local sport
    printf '%s' "$EARLY" >"$T/early.txt"
    start_rs2nd srv --cache memory --early-data 16384 --max-conns 3 --timeout 3
    sport=$PORT
    s_client -tls1_3 -ign_eof -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    start_relay "$T/relay.port" "$sport" "$T/flight.bin"
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" -early_data "$T/early.txt" \
        </dev/null >"$T/c2.out" 2>&1
    wait "$RELAY_PID"
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    [ -s "$T/flight.bin" ] || fail "the relay captured no first flight"
    expect "s_client early data" "$(s_client_early_of "$T/c2.out")" "accepted"
    expect "rs2nd early data reads" "$(grep -c 'early data read' "$T/srv.out")" "1"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.3/full Reused/TLSv1.3/psk failed"
}

cell_rs2nc_s_server() {
    (sleep 15) | "$OPENSSL" s_server -accept 127.0.0.1:0 -cert "$CERT" -key "$KEY" \
        -tls1_3 -early_data -num_tickets 1 >"$T/s.out" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_port s "s_server" ACCEPT
    rs2nc --reconnect 2 --early-data "$EARLY" --timeout 2 </dev/null >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    sed 's/^/   rs2nc: /' "$T/c.out"
    [ "$rc" -eq 0 ] || { fail "rs2nc exited with $rc"; show "$T/c.err"; }
    expect "rs2nc" "$(sed -n 's/^\(New\|Reused\), TLSv1.3, .*, early data: \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/c.out" | tr '\n' ' ' | sed 's/ $//')" \
        "New/not-requested/0 Reused/end/${#EARLY} Reused/end/${#EARLY}"
    expect "s_server early data" "$(grep -c '^Early data received' "$T/s.out")" "2"
    grep -q "$EARLY" "$T/s.out" || fail "s_server did not print the early data"
}

cell_rs2n_rs2n() {
    start_rs2nd srv --cache memory --early-data 16384 --max-conns 3
    rs2nc --tls13 --reconnect 2 --early-data "$EARLY" </dev/null >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    sed 's/^/   rs2nc: /' "$T/c.out"
    [ "$rc" -eq 0 ] || { fail "rs2nc exited with $rc"; show "$T/c.err"; }
    expect "rs2nc" "$(sed -n 's/^\(New\|Reused\), TLSv1.3, .*, early data: \([a-z-]*\) \([0-9]*\)$/\1\/\2\/\3/p' "$T/c.out" | tr '\n' ' ' | sed 's/ $//')" \
        "New/not-requested/0 Reused/end/${#EARLY} Reused/end/${#EARLY}"
    expect "rs2nd early data" "$(early_of "$T/srv.out")" \
        "not-requested/0 end/${#EARLY} end/${#EARLY}"
}

parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "$OPENSSL not found"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"
require_programs "$RS2ND" "$RS2NC"
run_cells early_data "$1"
