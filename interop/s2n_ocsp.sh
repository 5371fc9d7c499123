#!/usr/bin/env bash
# interop/s2n_ocsp.sh: OCSP stapling between rs2n's example programs and the
# real s2n-tls (interop/s2n-peer), which validates stapled responses with its
# libcrypto, both ways, TLS1.3 and TLS1.2.
#
#   bash interop/s2n_ocsp.sh CELL | all | --list
#
# CMake registers each cell as the CTest test interop_s2n_ocsp_<cell> (label
# "interop"), after the s2n_peer fixture builds the peer. The responses are the
# committed ones of c-tests/certs/ocsp/ (made by its generate.sh).
#
# Cells: each of the committed responses (good, from the CA or its delegated
# responder; revoked; unknown; signed by a certificate that is no responder, by
# another CA; for another certificate; with a SHA-256 CertID) is stapled, and
# s2n-tls and rs2n must give the same verdict (VERDICTS below):
#   ocsp_server   rs2nd --ocsp: s2n-peer client --ocsp (s2n-tls asks and validates)
#   ocsp_client   s2n-peer server --ocsp: rs2nc --ocsp-out validates (and receives
#                 an accepted response byte for byte)
set -u

CELLS="ocsp_server ocsp_client"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OCSP="$CERTS/ocsp"

# end_server: waits (EXIT_TIMEOUT) for the server to exit, whatever its status.
end_server() {
    local i
    for ((i = 0; i < EXIT_TIMEOUT * 10; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
}

# The committed responses and the verdict s2n-tls and rs2n both give each ("ok"
# or the client's error).
VERDICTS="good:ok delegated:ok revoked:S2N_ERR_CERT_REVOKED unknown:S2N_ERR_CERT_UNTRUSTED
not_responder:S2N_ERR_CERT_UNTRUSTED other_ca:S2N_ERR_CERT_UNTRUSTED
other_cert:S2N_ERR_CERT_UNTRUSTED sha256_id:S2N_ERR_CERT_UNTRUSTED"

# verdict_of RC ERRFILE: "ok", or the first S2N_ERR_ name in ERRFILE.
verdict_of() {
    if [ "$1" -eq 0 ]; then
        echo ok
    else
        grep -o 'S2N_ERR_[A-Z_]*' "$2" | head -1
    fi
}

cell_ocsp_server() {
    local pair response want policy rc got
    for policy in default_tls13 20240501; do
        for pair in $VERDICTS; do
            response="${pair%%:*}"
            want="${pair#*:}"
            start_rs2nd "srv_${policy}_$response" --policy "$policy" --ocsp "$OCSP/$response.der" --max-conns 1
            s2n_client --ocsp --policy "$policy" --no-tickets >"$T/c.out" 2>"$T/c.err"
            rc=$?
            got="$(verdict_of "$rc" "$T/c.err")"
            end_server
            if [ "$want" = ok ]; then
                grep -q '^conn 1: OCSP stapled: yes$' "$T/srv_${policy}_$response.out" \
                    || fail "$policy $response: rs2nd did not staple"
            fi
            expect "$policy $response: s2n-tls client" "$got" "$want"
        done
    done
}

cell_ocsp_client() {
    local pair response want policy rc got
    for policy in default_tls13 20240501; do
        for pair in $VERDICTS; do
            response="${pair%%:*}"
            want="${pair#*:}"
            rm -f "$T/got.der"
            start_s2n_server "srv_${policy}_$response" --policy "$policy" --ocsp "$OCSP/$response.der" --max-conns 1
            rs2nc --no-tickets --policy "$policy" --ocsp-out "$T/got.der" >"$T/c.out" 2>"$T/c.err"
            rc=$?
            got="$(verdict_of "$rc" "$T/c.err")"
            # A refused handshake fails the peer's side too: it then exits non-zero.
            end_server
            expect "$policy $response: rs2nc" "$got" "$want"
            if [ "$want" = ok ]; then
                cmp -s "$T/got.der" "$OCSP/$response.der" || fail "$policy $response: rs2nc did not receive s2n-tls's staple"
            fi
        done
    done
}

parse_args "$@"
[ -x "$S2N_PEER" ] || skip "s2n-peer not built ($S2N_PEER): cargo build --release in interop/s2n-peer"
require_programs "$RS2ND" "$RS2NC"
run_cells rs2n-s2n-ocsp "$1"
