#!/usr/bin/env bash
# interop/openssl_mtls.sh: application protocols (ALPN) and client certificates
# (mutual TLS) between rs2n's example programs and the OpenSSL command line tool,
# both ways, with resumption on.
#
#   bash interop/openssl_mtls.sh CELL | all | --list
#
# CMake registers each cell as the CTest test interop_openssl_mtls_<cell> (label
# "interop"); the environment is lib.sh's (RS2ND, RS2NC, RS2N_CERTS, OPENSSL).
#
# Cells: rs2nd as the server, openssl s_client as the client
#   alpn_server       rs2nd --alpn h2,http/1.1: s_client -alpn http/1.1,h2 gets h2
#                     (the server's order); s_client -alpn spdy/3 gets none and the
#                     handshake still succeeds (as s2n-tls)
#   mtls_server       rs2nd --ca (client certificates required) --alpn h2:
#                     s_client -cert -reconnect -tls1_2: as with s2n-tls, a server
#                     with client authentication on resumes nothing, so all 6
#                     connections are New, each with the client certificate, h2
#                     each time; then an untrusted client certificate: rs2nd fails
#                     with S2N_ERR_CERT_UNTRUSTED, s_client gets the alert; no
#                     certificate: S2N_ERR_MISSING_CLIENT_CERT
# Cells: rs2nc as the client, openssl s_server as the server
#   alpn_client       s_server -alpn h2: rs2nc --alpn http/1.1,h2 gets h2, and
#                     s_server saw both offered
#   mtls_client       s_server -Verify 1 -CAfile CA -tls1_2: rs2nc --cert --key
#                     --reconnect 2: the certificate is verified (New), then Reused
#                     twice (OpenSSL resumes under client authentication; rs2nc
#                     reports no certificate used on a resumed handshake)
#   mtls_client_tls13 the same with -tls1_3 (each reconnect offers the newest ticket)
#   mtls_rejected     s_server -Verify 1 trusting another CA: rs2nc's certificate is
#                     refused, rs2nc reports the alert
# Cells: rs2nd and rs2nc
#   rs2n_tls13        rs2nd --alpn with rs2nc --cert --alpn --reconnect 2 --tls13:
#                     New then Reused twice, h2 each time; then rs2nd --ca: New
#                     three times, the certificate used each time, on both sides
set -u

CELLS="alpn_server mtls_server alpn_client mtls_client mtls_client_tls13 mtls_rejected rs2n_tls13"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CLIENT_CERT="$CERTS/client_cert.pem"
CLIENT_KEY="$CERTS/client_key.pem"
UNTRUSTED_CERT="$CERTS/untrusted_client_cert.pem"
UNTRUSTED_KEY="$CERTS/untrusted_client_key.pem"

# rs2nd_extras_of FILE: the ", alpn P, client cert C" ends of rs2nd's lines, as
# "P/C P/C ..." ("failed" for a failed handshake).
rs2nd_extras_of() {
    sed -n -e 's/^conn [0-9]*: TLSv.*, alpn \([^,]*\), client cert \(yes\|no\)$/\1\/\2/p' \
        -e 's/^conn [0-9]*: handshake failed: .*(\(S2N_ERR_[A-Z_]*\))$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# rs2nc_extras_of FILE: rs2nc's ", ALPN protocol: P, client cert: C" as "P/C ...".
rs2nc_extras_of() {
    sed -n 's/^\(New\|Reused\), .*, ALPN protocol: \([^,]*\), client cert: \(yes\|no\)$/\2\/\3/p' "$1" \
        | tr '\n' ' ' | sed 's/ $//'
}

cell_alpn_server() {
    start_rs2nd srv --alpn h2,http/1.1 --max-conns 2
    s_client -alpn http/1.1,h2 </dev/null >"$T/c1.out" 2>&1
    local rc1=$?
    s_client -alpn spdy/3 </dev/null >"$T/c2.out" 2>&1
    local rc2=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -E 'ALPN' "$T/c1.out" "$T/c2.out" | sed 's/^/   s_client: /'
    [ "$rc1" -eq 0 ] || fail "s_client (h2) exited with $rc1"
    [ "$rc2" -eq 0 ] || fail "s_client (no overlap) exited with $rc2"
    grep -q '^ALPN protocol: h2$' "$T/c1.out" || fail "s_client did not get h2"
    grep -q '^No ALPN negotiated$' "$T/c2.out" || fail "s_client negotiated a protocol with no overlap"
    expect "rs2nd" "$(rs2nd_extras_of "$T/srv.out")" "h2/no none/no"
}

cell_mtls_server() {
    start_rs2nd srv --ca "$CA" --alpn h2 --max-conns 8
    s_client -reconnect -tls1_2 -alpn h2 -cert "$CLIENT_CERT" -key "$CLIENT_KEY" </dev/null >"$T/c.out" 2>&1
    local rc=$?
    s_client -tls1_2 -cert "$UNTRUSTED_CERT" -key "$UNTRUSTED_KEY" </dev/null >"$T/u.out" 2>&1
    local rc_untrusted=$?
    s_client -tls1_2 </dev/null >"$T/n.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -E '^(New|Reused),|ALPN protocol' "$T/c.out" | sort | uniq -c | sed 's/^/   s_client: /'
    grep -iE 'alert' "$T/u.out" "$T/n.out" | sed 's/^/   s_client: /'
    [ "$rc" -eq 0 ] || fail "s_client exited with $rc"
    [ "$rc_untrusted" -ne 0 ] || fail "s_client with an untrusted certificate exited with 0"
    grep -qi 'alert unknown ca' "$T/u.out" || fail "s_client got no unknown_ca alert for its untrusted certificate"
    expect "s_client" "$(resumption_of "$T/c.out")" \
        "New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2 New/TLSv1.2"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" \
        "New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full New/TLSv1.2/full failed failed"
    expect "rs2nd alpn/cert" "$(rs2nd_extras_of "$T/srv.out")" \
        "h2/yes h2/yes h2/yes h2/yes h2/yes h2/yes S2N_ERR_CERT_UNTRUSTED S2N_ERR_MISSING_CLIENT_CERT"
}

cell_alpn_client() {
    start_s_server srv -www -alpn h2 -naccept 1
    rs2nc --alpn http/1.1,h2 >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    grep ALPN "$T/srv.out" | sed 's/^/   s_server: /'
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    expect "rs2nc" "$(rs2nc_extras_of "$T/c.out")" "h2/no"
    grep -q '^ALPN protocols advertised by the client: http/1.1, h2$' "$T/srv.out" \
        || fail "s_server did not see rs2nc's protocols in its order"
}

# mtls_client_run TLSFLAG RS2NC_FLAG EXPECTED
mtls_client_run() {
    start_s_server srv -www -Verify 1 -CAfile "$CA" "$1" -alpn h2 -naccept 3
    rs2nc "$2" --alpn h2 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" --reconnect 2 --verbose >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    grep -E 'verify|depth' "$T/srv.err" | sed 's/^/   s_server: /'
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    grep -q 'CN = rs2n test client' "$T/srv.err" || fail "s_server did not verify rs2nc's certificate"
    grep -q 'verify error' "$T/srv.err" && fail "s_server reported a verify error"
    expect "rs2nc" "$(resumption_of "$T/c.out")" "$3"
    expect "rs2nc alpn/cert" "$(rs2nc_extras_of "$T/c.out")" "h2/yes h2/no h2/no"
}

cell_mtls_client() {
    mtls_client_run -tls1_2 --tls12 "New/TLSv1.2 Reused/TLSv1.2 Reused/TLSv1.2"
}

cell_mtls_client_tls13() {
    mtls_client_run -tls1_3 --tls13 "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3"
}

cell_mtls_rejected() {
    start_s_server srv -www -Verify 1 -CAfile "$CERTS/other_ca_cert.pem" -verify_return_error -tls1_2 -naccept 1
    rs2nc --tls12 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.err"
    grep -E 'verify' "$T/srv.err" | sed 's/^/   s_server: /'
    [ "$rc" -ne 0 ] || fail "rs2nc succeeded with a certificate the server does not trust"
    grep -q 'S2N_ERR_ALERT' "$T/c.err" || fail "rs2nc did not report the server's alert"
    grep -q 'verify error' "$T/srv.err" || fail "s_server reported no verify error"
}

# rs2n_pair RS2ND_ARGS WANT_RESUMPTION WANT_RS2ND WANT_EXTRAS
rs2n_pair() {
    local rc
    # shellcheck disable=SC2086
    start_rs2nd srv --alpn h2,http/1.1 --policy default_tls13 --max-conns 3 $1
    rs2nc --tls13 --alpn http/1.1,h2 --cert "$CLIENT_CERT" --key "$CLIENT_KEY" --reconnect 2 >"$T/c.out" 2>"$T/c.err"
    rc=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    expect "rs2nc" "$(resumption_of "$T/c.out")" "$2"
    expect "rs2nc alpn/cert" "$(rs2nc_extras_of "$T/c.out")" "$4"
    expect "rs2nd" "$(rs2nd_lines_of "$T/srv.out")" "$3"
    expect "rs2nd alpn/cert" "$(rs2nd_extras_of "$T/srv.out")" "$4"
}

cell_rs2n_tls13() {
    rs2n_pair "" "New/TLSv1.3 Reused/TLSv1.3 Reused/TLSv1.3" \
        "New/TLSv1.3/full Reused/TLSv1.3/psk Reused/TLSv1.3/psk" "h2/no h2/no h2/no"
    rs2n_pair "--ca $CA" "New/TLSv1.3 New/TLSv1.3 New/TLSv1.3" \
        "New/TLSv1.3/full New/TLSv1.3/full New/TLSv1.3/full" "h2/yes h2/yes h2/yes"
}

parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "$OPENSSL not found"
require_programs "$RS2ND" "$RS2NC"
run_cells rs2n-openssl-mtls "$1"
