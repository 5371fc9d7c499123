#!/usr/bin/env bash
# Regenerates the test PKI in this directory with the openssl CLI.
#
#   ca_cert.pem / ca_key.pem             test CA, ECDSA P-256, self-signed
#   ecdsa_p256_cert.pem / _key.pem       leaf, ECDSA P-256, signed by the test CA
#   ecdsa_p384_cert.pem / _key.pem       leaf, ECDSA P-384, signed by the test CA
#   rsa2048_cert.pem / _key.pem          leaf, RSA 2048,    signed by the test CA
#   wrong_name_cert.pem / _key.pem       leaf, ECDSA P-256, SAN only DNS:wrong.example
#   other_ca_cert.pem / other_ca_key.pem an unrelated CA (for "untrusted" tests)
#   client_cert.pem / _key.pem           client leaf, ECDSA P-256, signed by the test CA,
#                                        SAN DNS:client.example, URI:spiffe://rs2n/client
#   untrusted_client_cert.pem / _key.pem client leaf, ECDSA P-256, signed by the other CA
#   client_auth_only_cert.pem / _key.pem leaf for localhost whose EKU is clientAuth only
#                                        (a server certificate that fails the intent check)
#
# Leaves have SAN DNS:localhost, IP:127.0.0.1 (except wrong_name), EKU
# serverAuth+clientAuth, and each leaf's *_cert.pem holds the chain: leaf
# first, then the test CA. Private keys are PKCS#8 (genpkey).
# Validity: from 2000-01-01 (so a machine whose clock lags still accepts
# them) for 100 years from now, so tests never see an expired certificate.
# `openssl ca` is used instead of `x509 -req` because OpenSSL 3.0's x509
# cannot set a start date.
set -euo pipefail
cd "$(dirname "$0")"

START=20000101000000Z
END=$(( $(date -u +%Y) + 100 ))1231235959Z
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
database        = $tmp/index.txt
new_certs_dir   = $tmp
serial          = $tmp/serial
default_md      = sha256
policy          = anything
unique_subject  = no
copy_extensions = none
[ anything ]
organizationName = optional
commonName       = supplied
[ ca_ext ]
basicConstraints     = critical,CA:TRUE
keyUsage             = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ leaf_ext ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth,clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::SAN}
[ client_only_ext ]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::SAN}
CNF

# sign CSR CA_CERT CA_KEY EXT OUT [extra openssl-ca args...]
sign() {
    local csr=$1 cacert=$2 cakey=$3 ext=$4 out=$5; shift 5
    : > "$tmp/index.txt"
    openssl rand -hex 16 > "$tmp/serial"
    SAN=${SAN:-none} openssl ca -batch -notext -config "$tmp/ca.cnf" \
        -startdate "$START" -enddate "$END" -extensions "$ext" \
        -in "$csr" -cert "$cacert" -keyfile "$cakey" -out "$out" "$@" 2>/dev/null
}

ca() { # name subject keyalg-opts...
    local name=$1 subj=$2; shift 2
    openssl genpkey -quiet "$@" -out "${name}_key.pem"
    openssl req -new -key "${name}_key.pem" -subj "$subj" -out "$tmp/$name.csr"
    sign "$tmp/$name.csr" /dev/null "${name}_key.pem" ca_ext "${name}_cert.pem" -selfsign
}

leaf() { # name CN SAN keyalg-opts... (signed by the CA named in $CA, default the test CA;
         # extensions $EXT, default leaf_ext)
    local name=$1 cn=$2 san=$3 ca=${CA:-ca} ext=${EXT:-leaf_ext}; shift 3
    openssl genpkey -quiet "$@" -out "${name}_key.pem"
    openssl req -new -key "${name}_key.pem" -subj "/O=rs2n tests/CN=$cn" -out "$tmp/$name.csr"
    SAN=$san sign "$tmp/$name.csr" "${ca}_cert.pem" "${ca}_key.pem" "$ext" "$tmp/$name.pem"
    cat "$tmp/$name.pem" "${ca}_cert.pem" > "${name}_cert.pem"
}

P256=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve)
P384=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve)
RSA2048=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
GOOD_SAN="DNS:localhost,IP:127.0.0.1"

ca ca "/O=rs2n tests/CN=rs2n test CA" "${P256[@]}"
ca other_ca "/O=rs2n other/CN=rs2n unrelated CA" "${P256[@]}"
leaf ecdsa_p256 localhost "$GOOD_SAN" "${P256[@]}"
leaf ecdsa_p384 localhost "$GOOD_SAN" "${P384[@]}"
leaf rsa2048 localhost "$GOOD_SAN" "${RSA2048[@]}"
leaf wrong_name wrong.example "DNS:wrong.example" "${P256[@]}"
leaf client "rs2n test client" "DNS:client.example,URI:spiffe://rs2n/client" "${P256[@]}"
EXT=client_only_ext leaf client_auth_only localhost "$GOOD_SAN" "${P256[@]}"
CA=other_ca leaf untrusted_client "rs2n untrusted client" "DNS:client.example" "${P256[@]}"

# The same keys in the older formats s2n also reads (SEC1, PKCS#1).
openssl pkey -in ecdsa_p256_key.pem -traditional -out ecdsa_p256_key_sec1.pem
openssl pkey -in rsa2048_key.pem -traditional -out rsa2048_key_pkcs1.pem

# Sanity: every leaf chains to the test CA and not to the other CA.
for n in ecdsa_p256 ecdsa_p384 rsa2048 wrong_name client client_auth_only; do
    openssl verify -CAfile ca_cert.pem "${n}_cert.pem" >/dev/null
    if openssl verify -CAfile other_ca_cert.pem "${n}_cert.pem" >/dev/null 2>&1; then
        echo "error: ${n}_cert.pem verifies against other_ca_cert.pem" >&2
        exit 1
    fi
done
openssl verify -CAfile other_ca_cert.pem untrusted_client_cert.pem >/dev/null
if openssl verify -CAfile ca_cert.pem untrusted_client_cert.pem >/dev/null 2>&1; then
    echo "error: untrusted_client_cert.pem verifies against ca_cert.pem" >&2
    exit 1
fi
# DH parameters (s2n_config_add_dhparams): one of the 2048 bits s2n needs, one too small.
openssl dhparam -out dhparams_2048.pem 2048 2>/dev/null
openssl dhparam -out dhparams_1024.pem 1024 2>/dev/null
echo "certificates regenerated in $(pwd)"
