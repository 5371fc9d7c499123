#!/usr/bin/env bash
# interop/sni.sh: certificate selection by the client's server name through the
# client hello callback: rs2nd --sni wrong.example --sni-cert/--sni-key (a second
# config whose certificate names only wrong.example) next to its default config
# (a certificate for localhost). The callback reads the name from the
# ClientHello and swaps the connection's config.
#
#   bash interop/sni.sh CELL | all | --list
#
# CMake registers each cell as interop_sni_<cell> (label "interop").
#
# Cells:
#   openssl_tls13, openssl_tls12  openssl s_client -servername wrong.example, then
#                     -servername localhost, each verifying that name
#                     (-verify_hostname): the first gets the wrong.example
#                     certificate, the second the localhost one; rs2nd says
#                     "config sni" then "config default"
#   openssl_async_pkey  openssl_tls13 with rs2nd --async-pkey 20 too: both
#                     configs sign asynchronously, each with its own chain's key
#   node_tls13, node_tls12  the same with Node's client.js --server-name (Node
#                     checks the certificate against the name it sent)
#   s2n_tls13, s2n_tls12  the same with the real s2n-tls client (interop/s2n-peer
#                     client --server-name: s2n-tls checks the certificate
#                     against the name it sent); these need the CTest fixture
#                     s2n_peer (see interop/CMakeLists.txt), a skip without it
set -u

CELLS="openssl_tls13 openssl_tls12 openssl_async_pkey node_tls13 node_tls12 s2n_tls13 s2n_tls12"

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SNI_CERT="$CERTS/wrong_name_cert.pem"
SNI_KEY="$CERTS/wrong_name_key.pem"

start_sni_rs2nd() {
    start_rs2nd srv --sni wrong.example --sni-cert "$SNI_CERT" --sni-key "$SNI_KEY" \
        --max-conns 2 "$@"
}

# The ", config X" ends of rs2nd's lines, as "X X ..." ("failed" for a failure).
configs_of() {
    sed -n -e 's/^conn [0-9]*: TLSv.*, config \(sni\|default\)$/\1/p' \
        -e 's/^conn [0-9]*: handshake failed: .*$/failed/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# openssl_for NAME VERSION_FLAG: s_client naming and verifying NAME.
openssl_for() {
    timeout "$CLIENT_TIMEOUT" "$OPENSSL" s_client -connect "127.0.0.1:$PORT" -CAfile "$CA" \
        -servername "$1" -verify_hostname "$1" -verify_return_error "$2" </dev/null
}

openssl_cell() {
    local flag="$1" version="$2"
    shift 2
    start_sni_rs2nd "$@"
    openssl_for wrong.example "$flag" >"$T/c1.out" 2>&1
    local rc1=$?
    openssl_for localhost "$flag" >"$T/c2.out" 2>&1
    local rc2=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    grep -h -E '^subject=|^(New|Reused), ' "$T/c1.out" "$T/c2.out" | sed 's/^/   s_client: /'
    [ "$rc1" -eq 0 ] || fail "s_client -servername wrong.example exited with $rc1"
    [ "$rc2" -eq 0 ] || fail "s_client -servername localhost exited with $rc2"
    grep -q '^subject=.*CN *= *wrong\.example' "$T/c1.out" || fail "wrong.example did not get its certificate"
    grep -q '^subject=.*CN *= *localhost' "$T/c2.out" || fail "localhost did not get the default certificate"
    expect "versions" "$(resumption_of "$T/c1.out") $(resumption_of "$T/c2.out")" "New/$version New/$version"
    expect "rs2nd" "$(configs_of "$T/srv.out")" "sni default"
}

cell_openssl_tls13() { openssl_cell -tls1_3 TLSv1.3; }
cell_openssl_tls12() { openssl_cell -tls1_2 TLSv1.2; }
cell_openssl_async_pkey() { openssl_cell -tls1_3 TLSv1.3 --async-pkey 20; }

node_cell() {
    local flag="$1" version="$2"
    start_sni_rs2nd
    timeout "$CLIENT_TIMEOUT" "$NODE" "$ROOT/interop/node/client.js" --port "$PORT" --ca "$CA" \
        --server-name wrong.example "$flag" </dev/null >"$T/c1.out" 2>"$T/c1.err"
    local rc1=$?
    timeout "$CLIENT_TIMEOUT" "$NODE" "$ROOT/interop/node/client.js" --port "$PORT" --ca "$CA" \
        --server-name localhost "$flag" </dev/null >"$T/c2.out" 2>"$T/c2.err"
    local rc2=$?
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    show "$T/c1.out"
    show_nonempty "$T/c1.err"
    show "$T/c2.out"
    show_nonempty "$T/c2.err"
    [ "$rc1" -eq 0 ] || fail "client.js --server-name wrong.example exited with $rc1"
    [ "$rc2" -eq 0 ] || fail "client.js --server-name localhost exited with $rc2"
    expect "versions" "$(resumption_of "$T/c1.out") $(resumption_of "$T/c2.out")" "New/$version New/$version"
    expect "rs2nd" "$(configs_of "$T/srv.out")" "sni default"
}

cell_node_tls13() { node_cell --tls13 TLSv1.3; }
cell_node_tls12() { node_cell --tls12 TLSv1.2; }

# s2n-peer's lines "New TLSv1.3 CIPHER" as "New/TLSv1.3".
s2n_lines_of() {
    sed -n 's/^\(New\|Reused\) \(TLSv1\.[0-9]\) .*$/\1\/\2/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

s2n_cell() {
    local policy="$1" version="$2" name rc
    start_sni_rs2nd
    for name in wrong.example localhost; do
        timeout "$CLIENT_TIMEOUT" "$S2N_PEER" client --connect "127.0.0.1:$PORT" --ca "$CA" \
            --server-name "$name" --policy "$policy" --no-tickets --io-timeout 5 </dev/null \
            >"$T/$name.out" 2>"$T/$name.err"
        rc=$?
        show "$T/$name.out"
        show_nonempty "$T/$name.err"
        [ "$rc" -eq 0 ] || fail "s2n-peer client --server-name $name exited with $rc"
    done
    wait_exit "$SERVER_PID" rs2nd
    show_server srv
    expect "versions" "$(s2n_lines_of "$T/wrong.example.out") $(s2n_lines_of "$T/localhost.out")" \
        "New/$version New/$version"
    expect "rs2nd" "$(configs_of "$T/srv.out")" "sni default"
}

cell_s2n_tls13() { s2n_cell default_tls13 TLSv1.3; }
cell_s2n_tls12() { s2n_cell 20240501 TLSv1.2; }

parse_args "$@"
command -v "$OPENSSL" >/dev/null 2>&1 || skip "no $OPENSSL"
require_programs "$RS2ND"
case "$1" in
    node_*) command -v "$NODE" >/dev/null 2>&1 || skip "no $NODE" ;;
    s2n_*) [ -x "$S2N_PEER" ] || skip "no s2n-peer at $S2N_PEER (build interop/s2n-peer)" ;;
esac
run_cells rs2n-sni "$1"
