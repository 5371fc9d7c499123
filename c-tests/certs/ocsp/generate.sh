#!/usr/bin/env bash
# Makes the OCSP responses the tests staple, with the openssl CLI, for the test
# PKI one directory up (it does not change that PKI). Every response is about
# ecdsa_p256_cert.pem unless said otherwise, valid for 100 years (nextUpdate),
# without a nonce (stapled responses have none), with a SHA-1 CertID:
#
#   responder_cert.pem / _key.pem  a delegated responder: ECDSA P-256, issued by
#                                  the test CA, EKU OCSPSigning
#   good.der            status good, signed by the test CA
#   revoked.der         status revoked, signed by the test CA
#   unknown.der         status unknown (the CA's index does not list the certificate)
#   delegated.der       status good, signed by responder_cert.pem (included)
#   not_responder.der   status good, signed by client_cert.pem (issued by the CA,
#                       but without the OCSPSigning purpose; included)
#   other_ca.der        status good, signed by the unrelated other CA
#   other_cert.der      status good for rsa2048_cert.pem (no entry for ours)
#   no_next_update.der  status good, no nextUpdate (valid an hour from thisUpdate)
#   sha256_id.der       status good, with a SHA-256 CertID (s2n reads SHA-1 only)
#
#   bash c-tests/certs/ocsp/generate.sh
set -euo pipefail
cd "$(dirname "$0")"
C=..
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
END=$(( $(date -u +%Y) + 100 ))1231235959Z
SHORT_END=$(( $(date -u +%y) + 50 ))1231235959Z
LEAF="$C/ecdsa_p256_cert.pem"

# The responder certificate.
cat > "$tmp/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
database        = $tmp/ca_index.txt
new_certs_dir   = $tmp
serial          = $tmp/ca_serial
default_md      = sha256
policy          = anything
unique_subject  = no
copy_extensions = none
[ anything ]
organizationName = optional
commonName       = supplied
[ responder_ext ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = OCSPSigning
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF
: > "$tmp/ca_index.txt"
openssl rand -hex 16 > "$tmp/ca_serial"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out responder_key.pem
openssl req -new -key responder_key.pem -subj "/O=rs2n tests/CN=rs2n test OCSP responder" -out "$tmp/responder.csr"
openssl ca -batch -config "$tmp/ca.cnf" -cert "$C/ca_cert.pem" -keyfile "$C/ca_key.pem" \
    -startdate 20000101000000Z -enddate "$END" -extensions responder_ext \
    -in "$tmp/responder.csr" -out "$tmp/responder.pem" -notext 2>/dev/null
openssl x509 -in "$tmp/responder.pem" -out responder_cert.pem

# index FILE STATUS CERT: an `openssl ca` index listing CERT (V good, R revoked).
index() {
    if [ "$2" = R ]; then
        printf 'R\t%s\t%s\t%s\tunknown\t/CN=localhost\n' "$SHORT_END" 200101000000Z "$(serial "$3")" > "$1"
    else
        printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$SHORT_END" "$(serial "$3")" > "$1"
    fi
}

# respond OUT INDEX SIGNER_CERT SIGNER_KEY CA CERT [more openssl ocsp options]
respond() {
    local out="$1" idx="$2" rcert="$3" rkey="$4" ca="$5" cert="$6"
    shift 6
    openssl ocsp -issuer "$C/ca_cert.pem" "${REQ_OPTS[@]}" -cert "$cert" -no_nonce -reqout "$tmp/req.der" >/dev/null
    openssl ocsp -index "$idx" -rsigner "$rcert" -rkey "$rkey" -CA "$ca" \
        -reqin "$tmp/req.der" -respout "$out" "$@" >/dev/null 2>&1
    [ -s "$out" ]
}

REQ_OPTS=()
DAYS=(-ndays 36500)
index "$tmp/good.idx" V "$LEAF"
index "$tmp/revoked.idx" R "$LEAF"
: > "$tmp/empty.idx"
index "$tmp/other.idx" V "$C/rsa2048_cert.pem"

respond good.der "$tmp/good.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond revoked.der "$tmp/revoked.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond unknown.der "$tmp/empty.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond delegated.der "$tmp/good.idx" responder_cert.pem responder_key.pem "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond not_responder.der "$tmp/good.idx" "$C/client_cert.pem" "$C/client_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond other_ca.der "$tmp/good.idx" "$C/other_ca_cert.pem" "$C/other_ca_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"
respond other_cert.der "$tmp/other.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$C/rsa2048_cert.pem" "${DAYS[@]}"
respond no_next_update.der "$tmp/good.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$LEAF"
REQ_OPTS=(-sha256)
respond sha256_id.der "$tmp/good.idx" "$C/ca_cert.pem" "$C/ca_key.pem" "$C/ca_cert.pem" "$LEAF" "${DAYS[@]}"

for r in good revoked unknown delegated; do
    openssl ocsp -respin "$r.der" -CAfile "$C/ca_cert.pem" -issuer "$C/ca_cert.pem" -cert "$LEAF" >/dev/null 2>&1 \
        || { echo "error: $r.der does not verify with openssl" >&2; exit 1; }
done
echo "OCSP responses made in $(pwd)"
