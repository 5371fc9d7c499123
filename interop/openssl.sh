#!/usr/bin/env bash
# interop/openssl.sh: session resumption between rs2n's example programs
# (examples/rs2nd.c, examples/rs2nc.c) and the OpenSSL command line tool, the way
# the s2n usage guide and `openssl s_client -reconnect` check it: the first
# connection says "New", the following ones "Reused".
#
#   bash interop/openssl.sh CELL     # one cell, e.g. tls12
#   bash interop/openssl.sh all      # every cell
#   bash interop/openssl.sh --list   # the cells
#
# CMake registers each cell as the CTest test interop_openssl_<cell> (label
# "interop"), passing the programs' paths in the environment:
#   RS2ND, RS2NC   the example programs (default: build/examples/rs2nd, rs2nc)
#   RS2N_CERTS     the test PKI (default: c-tests/certs)
#   OPENSSL        the openssl binary (default: openssl on PATH)
# Without openssl the script exits 77 (CTest: skipped, never passed).
#
# Everything runs on 127.0.0.1 with ephemeral ports: rs2nd binds port 0 and
# prints "listening on 127.0.0.1:PORT"; `openssl s_server -accept 127.0.0.1:0`
# prints "ACCEPT 127.0.0.1:PORT". Every server is started with a connection limit
# (rs2nd --max-conns, s_server -naccept) and is also killed by the EXIT trap;
# every client runs under `timeout`; every wait loop is bounded.
#
# Cells: rs2nd as the server, openssl s_client as the client
#   tls12             s_client -reconnect -tls1_2: New then 5 x Reused (tickets)
#   tls13             s_client -sess_out then -sess_in, -tls1_3: New then Reused
#   no_tickets        rs2nd --no-tickets: s_client -reconnect is New every time
#   async_pkey        rs2nd --async-pkey 50 (the chain served without its key,
#                     another thread signs each handshake after 50 ms), ECDSA and
#                     RSA certificates: s_client -tls1_3 and -tls1_2 verify
#                     and complete each handshake
#   ticket_key_file   two rs2nd processes sharing --ticket-key-file accept each
#                     other's tickets (TLS1.2, TLS1.3); one with another key does
#                     a full handshake instead, with no error
#   failed_handshake  rs2nd reports a failed handshake and keeps serving
#   rotation          rs2nd --rotate-keys 2 --ticket-key-file F: F is replaced,
#                     rs2nd adds it as a new key named after its content, and a
#                     TLS1.2 session sealed under the old key still resumes once
#                     that key only decrypts (about 2.5 s, real time)
# Cells: openssl s_server as the server, rs2nc as the client
#   rs2nc_tls12       s_server -www -tls1_2: rs2nc --reconnect 2: New, Reused, Reused
#   rs2nc_tls13       s_server -www -tls1_3 -num_tickets 1: rs2nc --reconnect 3:
#                     New, then Reused three times (each reconnect offers the
#                     newest ticket: a TLS1.3 ticket resumes once); and with
#                     --send (the ticket arrives while reading the reply); and
#                     with --keep-session (one session saved, offered on every
#                     reconnect: its line gets each resumption's new ticket)
#   rs2nc_session_id  s_server -no_ticket -tls1_2: resumption by session ID
#   rs2nc_sess_file   --sess-out then --sess-in in another rs2nc process: a full
#                     handshake ("New"), as rs2n documents (rustls cannot import
#                     a client session); bytes that are no session are refused
#   rs2nc_negotiated  s_server restricted to one group and one suite: rs2nc
#                     reports them (s2n_connection_get_curve,
#                     s2n_connection_get_cipher_iana_value, _get_signature_scheme)
set -u

CELLS="tls12 tls13 no_tickets async_pkey ticket_key_file failed_handshake rotation rs2nc_tls12 rs2nc_tls13 rs2nc_session_id rs2nc_sess_file rs2nc_negotiated"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # RS2ND, RS2NC, certs, plumbing

# ---------------------------------------------------------------------------
# The OpenSSL peer (the rest is in lib.sh)
# ---------------------------------------------------------------------------

# clean_close FILE WHAT: rs2nc's stderr shows no trouble closing (s_server
# answers close_notify with close_notify, so s2n_shutdown must succeed).
clean_close() {
    if grep -q 's2n_shutdown' "$1"; then
        show "$1"
        fail "$2: s2n_shutdown did not complete cleanly"
    fi
}

# now_ms: wall-clock milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fnv1a64_hex FILE: 16 hex digits of the 64-bit FNV-1a hash of FILE's bytes, the
# name rs2nd --rotate-keys gives a key read from --ticket-key-file (bash's
# arithmetic wraps modulo 2^64, as the C code's uint64_t does).
fnv1a64_hex() {
    local h=$((0xcbf29ce484222325)) b
    for b in $(od -An -v -tu1 "$1"); do
        h=$(((h ^ b) * 0x100000001b3))
    done
    printf '%016x\n' "$h"
}

# ticket_key_of FILE NAME...: which of the NAMEs (ticket key names, which s2n
# sends in the clear in each ticket) is in the session ticket that FILE shows: an
# OpenSSL session as text (s_client's output, or `openssl sess_id -text`), whose
# "TLS session ticket:" is a hex dump ("0010 - 33 9e ...-d5 60 ...   3..."). Says
# "none" if no NAME is, or there is no ticket. Bytes are compared whole, as
# " 61 62 ... " strings.
ticket_key_of() {
    local file="$1" ticket n pat
    shift
    ticket=" $(sed -n '/^ *TLS session ticket:$/,/^ *$/s/^ *[0-9a-f]\{4\} - //p' "$file" \
        | sed 's/   .*$//' | tr '-' ' ' | tr -s ' \n' ' ')"
    for n in "$@"; do
        pat="$(printf '%s' "$n" | od -An -v -tx1 | tr -s ' \n' ' ')"
        case "$ticket" in
        *"$pat"*) echo "$n"; return 0 ;;
        esac
    done
    echo none
}

# ---------------------------------------------------------------------------
# Cells: rs2nd + openssl s_client
# ---------------------------------------------------------------------------

# s_client -reconnect makes 1 connection and 5 reconnections, each offering the
# session of the one before. TLS1.2 tickets arrive inside the handshake, so the
# reconnections resume.
cell_tls12() {
    start_rs2nd srv --max-conns 6
    s_client -reconnect -tls1_2 </dev/null >"$T/c.out" 2>&1
    local rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -E '^(New|Reused),|Verify return code' "$T/c.out" | sed 's/^/   s_client: /'
    [ "$rc" -eq 0 ] || fail "s_client exited with $rc"
    expect "s_client" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket"
}

# TLS1.3 with s_client: OpenSSL 3.0's -reconnect drops each connection right
# after the handshake, before the NewSessionTicket (a post-handshake message)
# is read, so it never has a ticket to offer: every connection is "New" there.
# Instead: one s_client run saves the session (-sess_out), a second offers it
# (-sess_in).
#
# The first run must read the ticket before it quits. s_client writes -sess_out
# from its new-session callback, i.e. only once it has read a NewSessionTicket.
# With stdin at EOF (</dev/null) and no -ign_eof it quits as soon as it sees the
# EOF, racing the ticket (measured: the file was missing in 3 runs of 10).
# With -ign_eof it ignores stdin's EOF and reads until the server closes; rs2nd
# without --echo closes (close_notify) right after the handshake, and rustls has
# already sent the ticket before it, so s_client always reads the ticket and
# then the close_notify, and exits: deterministic, no sleep.
cell_tls13() {
    local rc1 rc2
    start_rs2nd srv --max-conns 2
    s_client -tls1_3 -ign_eof -sess_out "$T/sess.pem" </dev/null >"$T/c1.out" 2>&1
    rc1=$?
    s_client -tls1_3 -ign_eof -sess_in "$T/sess.pem" </dev/null >"$T/c2.out" 2>&1
    rc2=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -hE '^(New|Reused),' "$T/c1.out" "$T/c2.out" | sed 's/^/   s_client: /'
    [ "$rc1" -eq 0 ] || fail "first s_client exited with $rc1"
    [ "$rc2" -eq 0 ] || fail "second s_client exited with $rc2"
    [ -s "$T/sess.pem" ] || fail "s_client -sess_out wrote no session (no NewSessionTicket read)"
    expect "s_client 1" "$(resumption_of "$T/c1.out")" "New/TLSv1.3"
    expect "s_client 2" "$(resumption_of "$T/c2.out")" "Reused/TLSv1.3"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" "New/TLSv1.3/full Reused/TLSv1.3/psk"
}

# With tickets off (and no session cache) every handshake is a full one: the
# server must not resume by session ID from some default in-memory cache.
cell_no_tickets() {
    start_rs2nd srv --max-conns 6 --no-tickets
    s_client -reconnect -tls1_2 </dev/null >"$T/c.out" 2>&1
    local rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    [ "$rc" -eq 0 ] || fail "s_client exited with $rc"
    expect "s_client" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full"
}

# The server's signature made asynchronously (rs2nd --async-pkey): s_client
# verifies the chain and the signature in TLS1.3 (CertificateVerify) and TLS1.2
# (ServerKeyExchange), with an ECDSA and an RSA certificate.
cell_async_pkey() {
    local kind rc
    for kind in ecdsa_p256 rsa2048; do
        start_rs2nd "srv_$kind" --max-conns 2 --no-tickets --async-pkey 50 \
            --cert "$CERTS/${kind}_cert.pem" --key "$CERTS/${kind}_key.pem"
        for v in tls1_3 tls1_2; do
            s_client "-$v" </dev/null >"$T/c_${kind}_$v.out" 2>&1
            rc=$?
            [ "$rc" -eq 0 ] || { show "$T/c_${kind}_$v.out"; fail "$kind: s_client -$v exited with $rc"; }
            grep -q 'Verify return code: 0 (ok)' "$T/c_${kind}_$v.out" \
                || fail "$kind -$v: s_client did not verify the server"
        done
        wait_exit "$SERVER_PID" rs2nd
        show_server "srv_$kind"
        expect "rs2nd ($kind)" "$(rs2nd_lines_of "$T/srv_$kind.out")" "New/TLSv1.3/full New/TLSv1.2/full"
    done
}

# A fleet: servers A and B were given the same ticket key file (same name, same
# material), server C another key. A session from A resumes on B; on C the
# ticket does not open, which is a full handshake, never an error.
cell_ticket_key_file() {
    local v proto pa pb pc apid bpid cpid rc
    head -c 32 /dev/urandom >"$T/fleet.key"
    head -c 32 /dev/urandom >"$T/other.key"
    for v in 1_2 1_3; do
        proto="TLSv${v/_/.}"
        start_rs2nd "a$v" --max-conns 1 --ticket-key-file "$T/fleet.key"
        pa=$PORT apid=$SERVER_PID
        start_rs2nd "b$v" --max-conns 1 --ticket-key-file "$T/fleet.key"
        pb=$PORT bpid=$SERVER_PID
        # Same file name (so the same key name), other material: C must not
        # accept A's tickets.
        mkdir -p "$T/other"
        cp "$T/other.key" "$T/other/fleet.key"
        start_rs2nd "c$v" --max-conns 1 --ticket-key-file "$T/other/fleet.key"
        pc=$PORT cpid=$SERVER_PID

        PORT=$pa s_client "-tls$v" -ign_eof -sess_out "$T/sess$v.pem" </dev/null >"$T/ca$v.out" 2>&1
        rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to A exited with $rc"
        [ -s "$T/sess$v.pem" ] || fail "$proto: s_client -sess_out wrote no session"
        PORT=$pb s_client "-tls$v" -ign_eof -sess_in "$T/sess$v.pem" </dev/null >"$T/cb$v.out" 2>&1
        rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to B exited with $rc"
        PORT=$pc s_client "-tls$v" -ign_eof -sess_in "$T/sess$v.pem" </dev/null >"$T/cc$v.out" 2>&1
        rc=$?; [ "$rc" -eq 0 ] || fail "$proto: s_client to C exited with $rc"
        wait_exit "$apid" "rs2nd A"
        wait_exit "$bpid" "rs2nd B"
        wait_exit "$cpid" "rs2nd C"
        show_server "a$v"; show_server "b$v"; show_server "c$v"
        local how=ticket
        [ "$v" = 1_3 ] && how=psk
        expect "$proto s_client A (full)" "$(resumption_of "$T/ca$v.out")" "New/$proto"
        expect "$proto s_client B (same key)" "$(resumption_of "$T/cb$v.out")" "Reused/$proto"
        expect "$proto s_client C (other key)" "$(resumption_of "$T/cc$v.out")" "New/$proto"
        expect "$proto rs2nd A" "$(rs2nd_lines_of "$T/a$v.out")" "New/$proto/full"
        expect "$proto rs2nd B" "$(rs2nd_lines_of "$T/b$v.out")" "Reused/$proto/$how"
        expect "$proto rs2nd C" "$(rs2nd_lines_of "$T/c$v.out")" "New/$proto/full"
    done
}

# Clients rs2nd cannot serve (a TLS1.2 suite and a TLS1.3 suite rustls does not
# implement): each handshake fails, rs2nd prints why and serves the next client.
cell_failed_handshake() {
    local rc
    start_rs2nd srv --max-conns 3
    s_client -tls1_2 -cipher AES128-SHA </dev/null >"$T/c1.out" 2>&1
    rc=$?; [ "$rc" -ne 0 ] || fail "s_client with AES128-SHA succeeded"
    s_client -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 </dev/null >"$T/c2.out" 2>&1
    rc=$?; [ "$rc" -ne 0 ] || fail "s_client with TLS_AES_128_CCM_SHA256 succeeded"
    s_client -tls1_2 </dev/null >"$T/c3.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client after the failures exited with $rc"
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -hE 'alert|error' "$T/c1.out" "$T/c2.out" | head -4 | sed 's/^/   s_client: /'
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" "failed failed New/TLSv1.2/full"
    expect "s_client 3" "$(resumption_of "$T/c3.out")" "New/TLSv1.2"
}

# Ticket key rotation, real time. rs2nd --rotate-keys 2: every key encrypts for
# 2 s (then decrypts for --key-decrypt-lifetime 30 s more), and every 1 s rs2nd
# re-reads --ticket-key-file and adds its content as a new key if it changed,
# named by the 64-bit FNV-1a of the bytes (fnv1a64_hex: the same name on every
# server of a fleet). Key A (the file at start) has intro time t0, before rs2nd
# listened; s_client's session S1 is sealed under A (the only key). The file is
# replaced by B; rs2nd's next check (t0+1) adds B and says so. S2, a fresh session
# taken right then, is sealed under A or B (s2n's weighting picks between keys
# that can both encrypt; B is the only one in [t0+2, t0+3)). Once A has stopped
# encrypting (t0+2, waited for from when rs2nd was seen listening), S1 must still
# resume: A is in its decrypt-only window. S2 resumes too.
#
# Timing: the waits are bounded (the rotation line: 3 s; then until t0+2.2 s);
# the cell takes about 2.5 s. The only upper bound is loose: S2 must be sealed
# before B stops encrypting at t0+3, i.e. within ~1.9 s of the rotation line.
# Which key sealed a ticket is read from outside: s2n sends the key name in the
# clear in each ticket, and s_client shows the ticket (ticket_key_of).
cell_rotation() {
    local key="$T/fleet.key" name_a name_b t_listen left i rc s2_key s3_key
    head -c 32 /dev/urandom >"$key"
    name_a="$(fnv1a64_hex "$key")"
    start_rs2nd srv --max-conns 4 --rotate-keys 2 --key-decrypt-lifetime 30 \
        --ticket-key-file "$key"
    t_listen="$(now_ms)"

    s_client -tls1_2 -ign_eof -sess_out "$T/s1.pem" </dev/null >"$T/c1.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client S1 exited with $rc"
    [ -s "$T/s1.pem" ] || fail "s_client -sess_out wrote no session S1"

    # Replace the key file the way a fleet's distributor should: write, rename.
    head -c 32 /dev/urandom >"$key.new"
    mv "$key.new" "$key"
    name_b="$(fnv1a64_hex "$key")"
    for ((i = 0; i < 30; i++)); do
        grep -q "^rs2nd: added ticket key $name_b\$" "$T/srv.err" && break
        sleep 0.1
    done
    grep -q "^rs2nd: added ticket key $name_b\$" "$T/srv.err" \
        || fail "rs2nd did not add the new key $name_b within 3 s of the key file change"

    s_client -tls1_2 -ign_eof -sess_out "$T/s2.pem" </dev/null >"$T/c2.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client S2 exited with $rc"
    [ -s "$T/s2.pem" ] || fail "s_client -sess_out wrote no session S2"

    # Until key A (intro <= t_listen) is past its 2 s of encrypting.
    left=$((t_listen + 2200 - $(now_ms)))
    if [ "$left" -gt 0 ]; then
        sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
    fi
    s_client -tls1_2 -ign_eof -sess_in "$T/s1.pem" </dev/null >"$T/c3.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client -sess_in S1 exited with $rc"
    s_client -tls1_2 -ign_eof -sess_in "$T/s2.pem" </dev/null >"$T/c4.out" 2>&1
    rc=$?; [ "$rc" -eq 0 ] || fail "s_client -sess_in S2 exited with $rc"
    wait_exit "$SERVER_PID" rs2nd
    show_server srv

    expect "first key named after the file's content" \
        "$(sed -n 's/^rs2nd: ticket key rotation: .*; first key \([0-9a-f]*\)$/\1/p' "$T/srv.err")" \
        "$name_a"
    expect "rotations" "$(sed -n 's/^rs2nd: added ticket key //p' "$T/srv.err" | tr '\n' ' ' | sed 's/ $//')" \
        "$name_b"
    grep -q '^rs2nd: warning: a key every' "$T/srv.err" \
        && fail "rs2nd warned about the key limit with --key-decrypt-lifetime 30"
    "$OPENSSL" sess_id -in "$T/s1.pem" -text -noout >"$T/s1.txt" 2>&1
    "$OPENSSL" sess_id -in "$T/s2.pem" -text -noout >"$T/s2.txt" 2>&1
    expect "S1 sealed under" "$(ticket_key_of "$T/s1.txt" "$name_a" "$name_b")" "$name_a"
    s2_key="$(ticket_key_of "$T/s2.txt" "$name_a" "$name_b")"
    case "$s2_key" in
    "$name_a" | "$name_b") note "S2 (fresh, after the rotation) sealed under: $s2_key" ;;
    *) fail "S2's ticket is under neither $name_a nor $name_b: $s2_key" ;;
    esac
    # Informational (it depends on timing): a TLS1.2 resumption under a key that
    # only decrypts gets a new ticket, under B if before t0+3 (then the only key
    # that encrypts); s_client shows the session's ticket after the handshake.
    s3_key="$(ticket_key_of "$T/c3.out" "$name_a" "$name_b")"
    note "S1 resumed on the decrypt-only key A; its new ticket is under: $s3_key"
    expect "s_client" "$(resumption_of "$T/c1.out") $(resumption_of "$T/c2.out") $(resumption_of "$T/c3.out") $(resumption_of "$T/c4.out")" \
        "New/TLSv1.2 New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full New/TLSv1.2/full Reused/TLSv1.2/ticket Reused/TLSv1.2/ticket"
}

# ---------------------------------------------------------------------------
# Cells: openssl s_server + rs2nc
# ---------------------------------------------------------------------------

# s_server -www answers an HTTP GET with a status page; a client that sends
# nothing and closes (rs2nc without --send) is fine too. -naccept N makes it
# exit after N connections, printing its session cache statistics.
cell_rs2nc_tls12() {
    start_s_server srv -www -tls1_2 -naccept 3
    rs2nc --tls12 --reconnect 2 --verbose >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    clean_close "$T/c.err" rs2nc
    grep '^rs2nc: ' "$T/c.err" | sed 's/^/   /'
    expect "rs2nc" "$(resumption_of "$T/c.out")" "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    grep -E 'session cache hits' "$T/srv.out" | sed 's/^/   s_server: /'
}

# OpenSSL sends its TLS1.3 tickets after the handshake; rs2nc reads them (until
# the first has come, see rs2nc(); or while reading the reply to --send). With -num_tickets 1 each
# connection gets exactly one ticket, so reconnect 2 and 3 only resume if rs2nc
# offers the ticket received on the resumed connection before (a TLS1.3 ticket
# is single-use).
cell_rs2nc_tls13() {
    local rc
    start_s_server srv -www -tls1_3 -num_tickets 1 -naccept 4
    rs2nc --tls13 --reconnect 3 --verbose >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    clean_close "$T/c.err" rs2nc
    grep '^rs2nc: ' "$T/c.err" | sed 's/^/   /'
    expect "rs2nc" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3"
    grep -E 'session cache hits' "$T/srv.out" | sed 's/^/   s_server: /'

    # The same with a request: the tickets arrive while rs2nc reads the reply.
    start_s_server srv2 -www -tls1_3 -naccept 3
    rs2nc --tls13 --reconnect 2 --send "GET / HTTP/1.0" >"$T/c2.out" 2>"$T/c2.err"
    rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c2.out"
    [ "$rc" -eq 0 ] || { show "$T/c2.err"; fail "rs2nc --send exited with $rc"; }
    clean_close "$T/c2.err" "rs2nc --send"
    grep -q 'received: HTTP/1.0 200 ok' "$T/c2.err" || { show "$T/c2.err"; fail "rs2nc --send: no HTTP reply"; }
    expect "rs2nc --send" "$(resumption_of "$T/c2.out")" "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3"

    # One session saved, offered again on every reconnect.
    start_s_server srv3 -www -tls1_3 -num_tickets 1 -naccept 4
    rs2nc --tls13 --reconnect 3 --keep-session >"$T/c3.out" 2>"$T/c3.err"
    rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c3.out"
    [ "$rc" -eq 0 ] || { show "$T/c3.err"; fail "rs2nc --keep-session exited with $rc"; }
    expect "rs2nc --keep-session" "$(resumption_of "$T/c3.out")" \
        "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3"
}

# Stateful resumption: s_server -no_ticket resumes TLS1.2 sessions from its
# session cache by session ID; its statistics must show the 2 hits.
cell_rs2nc_session_id() {
    start_s_server srv -www -tls1_2 -no_ticket -naccept 3
    rs2nc --tls12 --reconnect 2 --verbose >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    clean_close "$T/c.err" rs2nc
    grep '^rs2nc: ' "$T/c.err" | sed 's/^/   /'
    expect "rs2nc" "$(resumption_of "$T/c.out")" "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
    expect "s_server cache hits" "$(sed -n 's/^ *\([0-9]*\) session cache hits$/\1/p' "$T/srv.out")" "2"
}

# rs2nc --sess-out / --sess-in across two processes. rs2n documents (README,
# s2n_connection_set_session in s2n.h) that client session bytes resume only in
# the process that received them, because rustls 0.23 cannot import a client
# session (rustls issue 2287): bytes from another process are accepted and give
# a full handshake. s2n-tls would resume here ("Reused"): this cell pins rs2n's
# documented behaviour; if rs2n ever gains cross-process client sessions, it
# fails, and the expectation below becomes "Reused".
# What rs2nc reports it negotiated, against an s_server that allows one group and
# one suite: TLS1.3 with P-384 (a HelloRetryRequest: rs2n offers x25519 first)
# and AES-256-GCM, then TLS1.2 with X25519, ECDHE-ECDSA-AES256-GCM-SHA384 and ECDSA
# with SHA-256 (OpenSSL would sign with SHA-384 for this suite otherwise).
cell_rs2nc_negotiated() {
    local rc
    start_s_server srv -www -tls1_3 -groups P-384 -ciphersuites TLS_AES_256_GCM_SHA384 -naccept 1
    rs2nc --tls13 --no-tickets --verbose >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s_server"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    grep 'group ' "$T/c.err" | sed 's/^/   /'
    expect "rs2nc TLS1.3" "$(sed -n 's/^rs2nc: connection 1: group //p' "$T/c.err")" \
        "secp384r1, suite 0x13,0x02, signature ecdsa_secp256r1_sha256"

    start_s_server srv2 -www -tls1_2 -groups X25519 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 -sigalgs ECDSA+SHA256 -naccept 1
    rs2nc --policy default --no-tickets --verbose >"$T/c2.out" 2>"$T/c2.err"
    rc=$?
    wait_exit "$SERVER_PID" "s_server"
    [ "$rc" -eq 0 ] || { show "$T/c2.err"; fail "rs2nc exited with $rc"; }
    grep 'group ' "$T/c2.err" | sed 's/^/   /'
    expect "rs2nc TLS1.2" "$(sed -n 's/^rs2nc: connection 1: group //p' "$T/c2.err")" \
        "x25519, suite 0xc0,0x2c, signature legacy_ecdsa_sha256"
}

cell_rs2nc_sess_file() {
    local v rc
    for v in 12 13; do
        start_s_server "srv$v" -www "-tls1_${v#1}" -naccept 2
        rs2nc "--tls$v" --sess-out "$T/sess$v" >"$T/c1_$v.out" 2>"$T/c1_$v.err"
        rc=$?; [ "$rc" -eq 0 ] || { show "$T/c1_$v.err"; fail "TLS1.${v#1}: rs2nc --sess-out exited with $rc"; }
        [ -s "$T/sess$v" ] || fail "TLS1.${v#1}: rs2nc --sess-out wrote no session"
        rs2nc "--tls$v" --sess-in "$T/sess$v" >"$T/c2_$v.out" 2>"$T/c2_$v.err"
        rc=$?; [ "$rc" -eq 0 ] || { show "$T/c2_$v.err"; fail "TLS1.${v#1}: rs2nc --sess-in exited with $rc"; }
        # Bytes that are no rs2n session: refused before connecting, exit 1.
        printf 'not a session\n' >"$T/garbage"
        rs2nc "--tls$v" --sess-in "$T/garbage" >"$T/c3_$v.out" 2>"$T/c3_$v.err"
        rc=$?; [ "$rc" -ne 0 ] || fail "TLS1.${v#1}: rs2nc accepted garbage session bytes"
        grep -q S2N_ERR_INVALID_SERIALIZED_SESSION_STATE "$T/c3_$v.err" \
            || { show "$T/c3_$v.err"; fail "TLS1.${v#1}: garbage session: not S2N_ERR_INVALID_SERIALIZED_SESSION_STATE"; }
        wait_exit "$SERVER_PID" "s_server"
        expect "TLS1.${v#1} rs2nc --sess-out" "$(resumption_of "$T/c1_$v.out")" "New/TLSv1.${v#1}"
        expect "TLS1.${v#1} rs2nc --sess-in (other process)" "$(resumption_of "$T/c2_$v.out")" "New/TLSv1.${v#1}"
    done
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "$OPENSSL not found"
require_programs "$RS2ND" "$RS2NC"
echo "-- $("$OPENSSL" version)"
run_cells rs2n-interop "$1"
