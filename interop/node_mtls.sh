#!/usr/bin/env bash
# interop/node_mtls.sh: application protocols (ALPN) and client certificates
# (mutual TLS) between rs2n's example programs and Node.js's `tls` module
# (interop/node/server.js, client.js: ALPNProtocols, requestCert), both ways,
# with resumption on.
#
#   bash interop/node_mtls.sh CELL | all | --list
#
# CMake registers each cell as interop_node_mtls_<cell> (label "interop").
# Without node the script exits 77 (skipped).
#
# Cells: rs2nd (--alpn h2,http/1.1 --ca CA) and client.js (--alpn http/1.1,h2
# --cert client --reconnect 2): as s2n-tls, a server with client authentication
# on resumes nothing: New three times on both sides, the certificate verified
# each time, h2 each time
#   rs2nd_tls13, rs2nd_tls12
#   rs2nd_rejected    client.js with a certificate from another CA: rs2nd fails
#                     with S2N_ERR_CERT_UNTRUSTED, client.js gets the alert
# Cells: server.js (--alpn h2 --ca CA: requestCert + rejectUnauthorized) and
# rs2nc (--alpn http/1.1,h2 --cert client --send ping --reconnect 2): New then
# Reused twice (Node resumes under client authentication), h2 each time;
# server.js verified "rs2n test client"
#   rs2nc_tls13, rs2nc_tls12
#   rs2nc_rejected    server.js trusting another CA: the handshake (TLS1.2) fails
#                     on both sides (Node drops the connection without an alert:
#                     rs2nc reports S2N_ERR_CLOSED, or S2N_ERR_ALERT if one came)
# (TLS1.3 runs reconnect once: Node's server sends no ticket after a resumption,
# and an rs2n TLS1.3 session resumes once; see node.sh's rs2nc_tls13.)
set -u

CELLS="rs2nd_tls13 rs2nd_tls12 rs2nd_rejected rs2nc_tls13 rs2nc_tls12 rs2nc_rejected"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CLIENT_CERT="$CERTS/client_cert.pem"
CLIENT_KEY="$CERTS/client_key.pem"

# "alpn P, client cert C" ends of rs2nd's lines as "P/C ..."; failures by name.
rs2nd_extras_of() {
    sed -n -e 's/^conn [0-9]*: TLSv.*, alpn \([^,]*\), client cert \(yes\|no\)$/\1\/\2/p' \
        -e 's/^conn [0-9]*: handshake failed: .*(\(S2N_ERR_[A-Z_]*\))$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# ", ALPN protocol: P" of client.js / rs2nc lines, as "P P ...".
alpn_of() {
    sed -n 's/^\(New\|Reused\), .*, ALPN protocol: \([^,]*\)\(, .*\)\?$/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# server.js's lines as "New/P/CN Reused/P/CN ..."; "failed" for a failed handshake.
node_extras_of() {
    sed -n -e 's/^conn [0-9]*: TLSv1\.[0-9], [^,]*, \(New\|Reused\), alpn \([^,]*\), client cert \(.*\)$/\1\/\2\/\3/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

rs2nd_cell() {
    local vflag="$1" rc proto
    proto="TLSv1.${vflag#--tls1}"
    start_echo_rs2nd srv --max-conns 3 --alpn h2,http/1.1 --ca "$CA"
    node_client "$vflag" --reconnect 2 --alpn http/1.1,h2 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" \
        >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "node client.js exited with $rc"; }
    expect "node client" "$(resumption_of "$T/c.out")" "New/$proto New/$proto New/$proto"
    expect "node client alpn" "$(alpn_of "$T/c.out")" "h2 h2 h2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" "New/$proto/full New/$proto/full New/$proto/full"
    expect "rs2nd alpn/cert" "$(rs2nd_extras_of "$T/srv.out")" "h2/yes h2/yes h2/yes"
}

cell_rs2nd_tls13() { rs2nd_cell --tls13; }
cell_rs2nd_tls12() { rs2nd_cell --tls12; }

cell_rs2nd_rejected() {
    local rc
    start_echo_rs2nd srv --max-conns 1 --alpn h2 --ca "$CA"
    node_client --tls12 --alpn h2 --cert "$CERTS/untrusted_client_cert.pem" \
        --key "$CERTS/untrusted_client_key.pem" >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.err"
    [ "$rc" -ne 0 ] || fail "node client.js succeeded with an untrusted certificate"
    grep -qi 'unknown ca' "$T/c.err" || fail "node client.js got no unknown_ca alert"
    expect "rs2nd" "$(rs2nd_extras_of "$T/srv.out")" "S2N_ERR_CERT_UNTRUSTED"
}

# rs2nc_cell VERSION_FLAG RECONNECTS
rs2nc_cell() {
    local vflag="$1" n="$2" rc proto want_c="" want_alpn="" want_s="" i
    proto="TLSv1.${vflag#--tls1}"
    start_node_server srv "$vflag" --max-conns $((n + 1)) --alpn h2 --ca "$CA"
    rs2nc "$vflag" --alpn http/1.1,h2 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" --reconnect "$n" \
        --send ping --verbose </dev/null >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" "node server.js"
    show_server srv
    check_rs2nc "$rc" "$T/c.out" "$T/c.err" $((n + 1))
    for ((i = 0; i <= n; i++)); do
        local how=Reused
        [ "$i" -eq 0 ] && how=New
        want_c="$want_c $how/$proto"
        want_alpn="$want_alpn h2"
        # OpenSSL keeps the client certificate in the session it resumes.
        want_s="$want_s $how/h2/rs2n test client"
    done
    expect "rs2nc" "$(resumption_of "$T/c.out")" "${want_c# }"
    expect "rs2nc alpn" "$(alpn_of "$T/c.out")" "${want_alpn# }"
    expect "node server" "$(node_extras_of "$T/srv.out")" "${want_s# }"
}

cell_rs2nc_tls13() { rs2nc_cell --tls13 1; }
cell_rs2nc_tls12() { rs2nc_cell --tls12 2; }

cell_rs2nc_rejected() {
    local rc
    start_node_server srv --tls12 --max-conns 1 --ca "$CERTS/other_ca_cert.pem"
    rs2nc --tls12 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" --send ping </dev/null >"$T/c.out" 2>"$T/c.err"
    rc=$?
    # server.js exits 1 after a failed handshake.
    wait "$SERVER_PID"
    [ $? -eq 1 ] || fail "node server.js did not exit with status 1"
    show_server srv
    show "$T/c.err"
    [ "$rc" -ne 0 ] || fail "rs2nc succeeded with a certificate the server does not trust"
    grep -qE 'S2N_ERR_(ALERT|CLOSED)' "$T/c.err" || fail "rs2nc did not report the refusal"
    expect "node server" "$(node_extras_of "$T/srv.out")" "failed"
}

parse_args "$@"
command -v "$NODE" >/dev/null 2>&1 || skip "$NODE not found"
require_programs "$RS2ND" "$RS2NC"
echo "-- node $("$NODE" --version), OpenSSL $("$NODE" -p process.versions.openssl)"
run_cells rs2n-interop-node-mtls "$1"
