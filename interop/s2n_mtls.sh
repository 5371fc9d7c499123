#!/usr/bin/env bash
# interop/s2n_mtls.sh: application protocols (ALPN) and client certificates
# (mutual TLS) between rs2n's example programs and the REAL s2n-tls
# (interop/s2n-peer, the crates.io s2n-tls in its own process), both ways, with
# resumption on.
#
#   bash interop/s2n_mtls.sh CELL | all | --list
#
# CMake registers each cell as interop_s2n_mtls_<cell> (label "interop"),
# requiring the s2n_peer fixture (see interop/CMakeLists.txt). Without the
# s2n-peer binary the script exits 77 (skipped).
#
# s2n-tls 0.3.47 servers with client authentication on resume nothing (no
# tickets, no cache, offered sessions refused: s2n_select_resumption_psk,
# s2n_allowed_to_cache_connection), and rs2n's do the same: every connection
# below is New and shows the client certificate, on both sides. Resumption with
# a client certificate (client auth off on the server) is the *_resume cells.
# Cells: rs2nd --alpn h2,http/1.1 --ca CA and the s2n-tls client (--alpn
# http/1.1,h2 --cert client --reconnect 2 --tickets): New x3, h2 and the client
# certificate each time, on both sides
#   rs2nd_tls13, rs2nd_tls12
#   rs2nd_resume      rs2nd --alpn only, the s2n-tls client with its certificate:
#                     New then Reused x2, h2, no certificate asked
#   rs2nd_no_overlap  s2n-tls client offering spdy/3 only: no protocol on either
#                     side, the handshake succeeds (s2n-tls's own behaviour)
#   rs2nd_rejected    s2n-tls client with a certificate from another CA: rs2nd
#                     fails with S2N_ERR_CERT_UNTRUSTED, the client gets the alert
# Cells: the s2n-tls server (--alpn h2 --ca CA: client certificates required)
# and rs2nc (--alpn http/1.1,h2 --cert client --reconnect 2 --send ping): New x3
#   rs2nc_tls13, rs2nc_tls12
#   rs2nc_resume      the s2n-tls server with --alpn only: New then Reused x2
#   rs2nc_rejected    the s2n-tls server trusting another CA: it refuses rs2nc's
#                     certificate (TLS1.2) and closes (s2n sends no alert here:
#                     rs2nc reports S2N_ERR_IO or S2N_ERR_CLOSED, or the alert)
set -u

CELLS="rs2nd_tls13 rs2nd_tls12 rs2nd_resume rs2nd_no_overlap rs2nd_rejected rs2nc_tls13 rs2nc_tls12 rs2nc_resume rs2nc_rejected"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CLIENT_CERT="$CERTS/client_cert.pem"
CLIENT_KEY="$CERTS/client_key.pem"

# s2n-peer's lines "New TLSv1.3 CIPHER, alpn P, client cert C" as "New/TLSv1.3/P/C ...".
s2n_extras_of() {
    sed -n 's/^\(New\|Reused\) \(TLSv1\.[0-9]\) [^ ,]*, alpn \([^,]*\), client cert \(yes\|no\)$/\1\/\2\/\3\/\4/p' "$1" \
        | tr '\n' ' ' | sed 's/ $//'
}

# rs2nd's lines as "New/TLSv1.3/P/C ..."; failures by error name.
rs2nd_extras_of() {
    sed -n -e 's/^conn [0-9]*: \(TLSv1\.[0-9]\), [^,]*, \(New\|Reused\), .*, alpn \([^,]*\), client cert \(yes\|no\)$/\2\/\1\/\3\/\4/p' \
        -e 's/^conn [0-9]*: handshake failed: .*(\(S2N_ERR_[A-Z_]*\))$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# rs2nc's lines as "New/TLSv1.3/P/C ...".
rs2nc_extras_of() {
    sed -n 's/^\(New\|Reused\), \(TLSv1\.[0-9]\), .*, ALPN protocol: \([^,]*\), client cert: \(yes\|no\)$/\1\/\2\/\3\/\4/p' "$1" \
        | tr '\n' ' ' | sed 's/ $//'
}

# want_of PROTO MTLS: with client authentication on (MTLS 1) New x3 with the
# certificate; off, New then Reused x2 without.
want_of() {
    if [ "$2" -eq 1 ]; then
        echo "New/$1/h2/yes New/$1/h2/yes New/$1/h2/yes"
    else
        echo "New/$1/h2/no Reused/$1/h2/no Reused/$1/h2/no"
    fi
}

# rs2nd_cell POLICY PROTO MTLS
rs2nd_cell() {
    local policy="$1" proto="$2" mtls="$3" rc ca=()
    [ "$mtls" -eq 1 ] && ca=(--ca "$CA")
    start_echo_rs2nd srv --max-conns 3 --alpn h2,http/1.1 "${ca[@]}"
    s2n_client --policy "$policy" --tickets --reconnect 2 --alpn http/1.1,h2 \
        --cert "$CLIENT_CERT" --key "$CLIENT_KEY" >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    show_nonempty "$T/c.err"
    [ "$rc" -eq 0 ] || fail "s2n-peer client exited with $rc"
    expect "s2n-tls client" "$(s2n_extras_of "$T/c.out")" "$(want_of "$proto" "$mtls")"
    expect "rs2nd" "$(rs2nd_extras_of "$T/srv.out")" "$(want_of "$proto" "$mtls")"
}

cell_rs2nd_tls13() { rs2nd_cell default_tls13 TLSv1.3 1; }
cell_rs2nd_tls12() { rs2nd_cell 20240501 TLSv1.2 1; }
cell_rs2nd_resume() {
    rs2nd_cell default_tls13 TLSv1.3 0
    rs2nd_cell 20240501 TLSv1.2 0
}

cell_rs2nd_no_overlap() {
    local rc
    start_echo_rs2nd srv --max-conns 1 --alpn h2,http/1.1
    s2n_client --alpn spdy/3 >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "s2n-peer client exited with $rc"; }
    expect "s2n-tls client" "$(s2n_extras_of "$T/c.out")" "New/TLSv1.3/none/no"
    expect "rs2nd" "$(rs2nd_extras_of "$T/srv.out")" "New/TLSv1.3/none/no"
}

cell_rs2nd_rejected() {
    local rc
    start_echo_rs2nd srv --max-conns 1 --ca "$CA" --policy 20240501
    s2n_client --policy 20240501 --cert "$CERTS/untrusted_client_cert.pem" \
        --key "$CERTS/untrusted_client_key.pem" >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.err"
    [ "$rc" -ne 0 ] || fail "the s2n-tls client succeeded with an untrusted certificate"
    grep -qi 'alert' "$T/c.err" || fail "the s2n-tls client reported no alert"
    expect "rs2nd" "$(rs2nd_extras_of "$T/srv.out")" "S2N_ERR_CERT_UNTRUSTED"
}

# rs2nc_cell POLICY PROTO MTLS
rs2nc_cell() {
    local policy="$1" proto="$2" mtls="$3" rc ca=()
    [ "$mtls" -eq 1 ] && ca=(--ca "$CA")
    start_s2n_server srv --policy "$policy" --tickets --max-conns 3 --alpn h2 "${ca[@]}"
    rs2nc --policy "$policy" --alpn http/1.1,h2 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" \
        --reconnect 2 --send ping --verbose </dev/null >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "s2n-peer server"
    show_server srv
    check_rs2nc "$rc" "$T/c.out" "$T/c.err" 3
    expect "rs2nc" "$(rs2nc_extras_of "$T/c.out")" "$(want_of "$proto" "$mtls")"
    expect "s2n-tls server" "$(s2n_extras_of "$T/srv.out")" "$(want_of "$proto" "$mtls")"
}

cell_rs2nc_tls13() { rs2nc_cell default_tls13 TLSv1.3 1; }
cell_rs2nc_tls12() { rs2nc_cell 20240501 TLSv1.2 1; }
cell_rs2nc_resume() {
    rs2nc_cell default_tls13 TLSv1.3 0
    rs2nc_cell 20240501 TLSv1.2 0
}

cell_rs2nc_rejected() {
    local rc
    start_s2n_server srv --policy 20240501 --max-conns 1 --ca "$CERTS/other_ca_cert.pem"
    rs2nc --policy 20240501 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" --send ping </dev/null \
        >"$T/c.out" 2>"$T/c.err"
    rc=$?
    # s2n-peer exits 1 after a failed connection.
    wait "$SERVER_PID"
    [ $? -eq 1 ] || fail "s2n-peer server did not exit with status 1"
    show_server srv
    show "$T/c.err"
    [ "$rc" -ne 0 ] || fail "rs2nc succeeded with a certificate the server does not trust"
    grep -qE 'S2N_ERR_(ALERT|IO|CLOSED)' "$T/c.err" || fail "rs2nc did not report the refusal"
    grep -q 'S2N_ERR_CERT_UNTRUSTED' "$T/srv.err" || fail "the s2n-tls server did not report an untrusted certificate"
}

parse_args "$@"
[ -x "$S2N_PEER" ] || skip "no s2n-peer binary at $S2N_PEER (cargo build --release in interop/s2n-peer)"
require_programs "$RS2ND" "$RS2NC"
run_cells rs2n-interop-s2n-mtls "$1"
