#!/usr/bin/env bash
# interop/openssl_secrets.sh: OCSP stapling, the TLS exporter and key logging
# between rs2n's example programs and the OpenSSL command line tool, both ways.
#
#   bash interop/openssl_secrets.sh CELL | all | --list
#
# CMake registers each cell as the CTest test interop_openssl_secrets_<cell>
# (label "interop"); the environment is lib.sh's (RS2ND, RS2NC, RS2N_CERTS, OPENSSL).
# The OCSP response is made for each run by `openssl ocsp`, signed by the test CA
# for the test server certificate (status good, valid for a day).
#
# Cells: rs2nd as the server, openssl s_client as the client
#   ocsp_server      rs2nd --ocsp RESP: s_client -status sees the response
#                    (successful, Cert Status: good) in TLS1.3 and TLS1.2, and
#                    rs2nd reports it stapled; without -status: nothing stapled
#   export_server    rs2nd --export and s_client -keymatexport get the same bytes
#                    (TLS1.3); on TLS1.2 rs2nd refuses, as s2n-tls does
#                    (S2N_ERR_INVALID_STATE)
#   keylog_server    rs2nd --keylog and s_client -keylogfile write the same
#                    secrets for the same connections, TLS1.3 then TLS1.2
# Cells: rs2nc as the client, openssl s_server as the server
#   ocsp_client      s_server -status_file RESP: rs2nc --ocsp-out validates and
#                    receives the same bytes, TLS1.3 and TLS1.2; a revoked
#                    response fails rs2nc (S2N_ERR_CERT_REVOKED), and passes
#                    unchecked with --no-ocsp-check
#   export_client    rs2nc --export and s_server -keymatexport get the same bytes
#   keylog_client    rs2nc --keylog and s_server -keylogfile write the same
#                    secrets, TLS1.3 then TLS1.2
set -u

CELLS="ocsp_server export_server keylog_server ocsp_client export_client keylog_client"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LABEL="EXPORTER-rs2n-interop"

# make_ocsp_response OUT [R]: a DER OCSP response (good; R: revoked) for $CERT,
# signed by the CA.
make_ocsp_response() {
    local out="$1" serial end
    serial="$("$OPENSSL" x509 -in "$CERT" -noout -serial | cut -d= -f2)"
    end="$(date -u -d '+1 year' +%y%m%d%H%M%SZ)"
    if [ "${2:-V}" = R ]; then
        printf 'R\t%s\t200101000000Z\t%s\tunknown\t/CN=localhost\n' "$end" "$serial" >"$T/index.txt"
    else
        printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$end" "$serial" >"$T/index.txt"
    fi
    "$OPENSSL" ocsp -issuer "$CA" -cert "$CERT" -reqout "$T/req.der" -no_nonce >/dev/null 2>&1 \
        && "$OPENSSL" ocsp -index "$T/index.txt" -rsigner "$CA" -rkey "$CERTS/ca_key.pem" -CA "$CA" \
            -reqin "$T/req.der" -respout "$out" -ndays 1 >/dev/null 2>&1
    [ -s "$out" ] || { echo "FAIL: openssl ocsp made no response" >&2; exit 1; }
}

# s_server_www NAME ARGS...: openssl s_server -www with the test certificate.
s_server_www() {
    local name="$1"
    shift
    spawn_server "$name" "$OPENSSL" s_server -www -accept 127.0.0.1:0 -cert "$CERT" -key "$KEY" "$@" </dev/null
    wait_port "$name" "openssl s_server" ACCEPT
}

# same_secrets WHAT RS2N_FILE OPENSSL_FILE: the same lines, in any order
# (OpenSSL's comment lines aside), and not none.
same_secrets() {
    local ours theirs
    ours="$(sort "$2" 2>/dev/null)"
    theirs="$(grep -v '^#' "$3" 2>/dev/null | sort)"
    note "$1: $(cut -d' ' -f1 <<<"$ours" | tr '\n' ' ')"
    [ -n "$ours" ] || { fail "$1: rs2n logged nothing"; return; }
    [ "$ours" = "$theirs" ] || {
        show "$2"
        show "$3"
        fail "$1: rs2n and OpenSSL logged different secrets"
    }
}

# material_of FILE: the hex of the first "Keying material: HEX" line.
material_of() {
    sed -n 's/^ *\(conn [0-9]*: \)\{0,1\}Keying material: \([0-9A-F]*\)$/\2/p' "$1" | head -1
}

cell_ocsp_server() {
    make_ocsp_response "$T/resp.der"
    start_rs2nd srv --ocsp "$T/resp.der" --max-conns 3
    s_client -status -tls1_3 </dev/null >"$T/c13.out" 2>&1
    s_client -status -tls1_2 </dev/null >"$T/c12.out" 2>&1
    s_client -tls1_3 </dev/null >"$T/none.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    local f
    for f in c13 c12; do
        grep -E 'OCSP Response Status|Cert Status' "$T/$f.out" | sed "s/^/   s_client $f: /"
        grep -q 'OCSP Response Status: successful' "$T/$f.out" || fail "$f: s_client saw no stapled response"
        grep -q 'Cert Status: good' "$T/$f.out" || fail "$f: s_client saw no good status"
    done
    expect "rs2nd stapled" "$(sed -n 's/^conn [0-9]*: OCSP stapled: //p' "$T/srv.out" | tr '\n' ' ' | sed 's/ $//')" \
        "yes yes no"
}

cell_export_server() {
    start_rs2nd srv --export "$LABEL:48" --max-conns 2
    s_client -tls1_3 -keymatexport "$LABEL" -keymatexportlen 48 </dev/null >"$T/c13.out" 2>&1
    s_client -tls1_2 -keymatexport "$LABEL" -keymatexportlen 48 </dev/null >"$T/c12.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    local ours theirs
    ours="$(material_of "$T/srv.out")"
    theirs="$(material_of "$T/c13.out")"
    [ "${#ours}" -eq 96 ] || fail "rs2nd exported no 48 bytes"
    expect "TLS1.3 keying material (rs2nd = s_client)" "$ours" "$theirs"
    grep -q '^conn 2: Keying material: error: .*(S2N_ERR_INVALID_STATE)$' "$T/srv.out" \
        || fail "rs2nd exported on TLS1.2 (s2n-tls refuses)"
}

cell_keylog_server() {
    start_rs2nd srv --keylog "$T/rs2n13.keys" --max-conns 1
    s_client -tls1_3 -keylogfile "$T/openssl13.keys" </dev/null >"$T/c13.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    same_secrets "TLS1.3" "$T/rs2n13.keys" "$T/openssl13.keys"
    [ "$(wc -l <"$T/rs2n13.keys")" -eq 5 ] || fail "TLS1.3: rs2nd logged $(wc -l <"$T/rs2n13.keys") lines, not 5"
    start_rs2nd srv --keylog "$T/rs2n12.keys" --max-conns 1
    s_client -tls1_2 -keylogfile "$T/openssl12.keys" </dev/null >"$T/c12.out" 2>&1
    wait_exit "$SERVER_PID" rs2nd
    same_secrets "TLS1.2" "$T/rs2n12.keys" "$T/openssl12.keys"
    grep -q '^CLIENT_RANDOM [0-9a-f]\{64\} [0-9a-f]\{96\}$' "$T/rs2n12.keys" || fail "TLS1.2: no CLIENT_RANDOM line"
}

cell_ocsp_client() {
    make_ocsp_response "$T/resp.der"
    local v
    for v in tls1_3 tls1_2; do
        rm -f "$T/got.der"
        s_server_www "srv_$v" -naccept 1 -status_file "$T/resp.der" "-$v"
        rs2nc --no-tickets --ocsp-out "$T/got.der" >"$T/c_$v.out" 2>"$T/c_$v.err"
        local rc=$?
        wait_exit "$SERVER_PID" "s_server"
        show "$T/c_$v.out"
        [ "$rc" -eq 0 ] || { show "$T/c_$v.err"; fail "$v: rs2nc exited with $rc"; }
        cmp -s "$T/got.der" "$T/resp.der" || fail "$v: rs2nc did not receive the stapled response"
        grep -q '^OCSP response: [0-9]* bytes, stapled 1$' "$T/c_$v.out" || fail "$v: rs2nc reports no staple"
    done
    make_ocsp_response "$T/revoked.der" R
    s_server_www srv_revoked -naccept 2 -status_file "$T/revoked.der"
    rs2nc --no-tickets --ocsp-out "$T/got.der" >"$T/r.out" 2>"$T/r.err"
    local rc=$?
    rm -f "$T/got.der"
    rs2nc --no-tickets --ocsp-out "$T/got.der" --no-ocsp-check >"$T/r2.out" 2>"$T/r2.err"
    local rc2=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/r.err"
    [ "$rc" -ne 0 ] || fail "rs2nc accepted a revoked certificate"
    grep -q '(S2N_ERR_CERT_REVOKED)$' "$T/r.err" || fail "rs2nc did not report S2N_ERR_CERT_REVOKED"
    [ "$rc2" -eq 0 ] || { show "$T/r2.err"; fail "rs2nc --no-ocsp-check exited with $rc2"; }
    cmp -s "$T/got.der" "$T/revoked.der" || fail "rs2nc --no-ocsp-check did not receive the revoked response"
}

cell_export_client() {
    # s_server prints the keying material when it serves its stdin (not with -www).
    spawn_server srv bash -c "sleep 5 | exec \"$OPENSSL\" s_server -accept 127.0.0.1:0 -cert \"$CERT\" -key \"$KEY\" -naccept 1 -tls1_3 -keymatexport \"$LABEL\" -keymatexportlen 32"
    wait_port srv "openssl s_server" ACCEPT
    rs2nc --no-tickets --export "$LABEL:32" >"$T/c.out" 2>"$T/c.err"
    local rc=$?
    wait_exit "$SERVER_PID" "s_server"
    show "$T/c.out"
    [ "$rc" -eq 0 ] || { show "$T/c.err"; fail "rs2nc exited with $rc"; }
    local ours theirs
    ours="$(material_of "$T/c.out")"
    theirs="$(material_of "$T/srv.out")"
    [ "${#ours}" -eq 64 ] || fail "rs2nc exported no 32 bytes"
    expect "TLS1.3 keying material (rs2nc = s_server)" "$ours" "$theirs"
}

cell_keylog_client() {
    local v
    for v in tls1_3 tls1_2; do
        s_server_www "srv_$v" -naccept 1 -keylogfile "$T/openssl_$v.keys" "-$v"
        rs2nc --no-tickets --keylog "$T/rs2n_$v.keys" >"$T/c_$v.out" 2>"$T/c_$v.err"
        local rc=$?
        wait_exit "$SERVER_PID" "s_server"
        [ "$rc" -eq 0 ] || { show "$T/c_$v.err"; fail "$v: rs2nc exited with $rc"; }
        same_secrets "$v" "$T/rs2n_$v.keys" "$T/openssl_$v.keys"
    done
}

parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "$OPENSSL not found"
require_programs "$RS2ND" "$RS2NC"
run_cells rs2n-openssl-secrets "$1"
