#!/usr/bin/env bash
# rs2n next to the real s2n-tls, bare rustls and OpenSSL, side by side in one
# run, through each one's public API (README "Speed").
#
#   bash benches/compare/run.sh [--iters N] [--only SUBSTR] [--mem N] [--mt-ms MS] [--cachegrind N]
#
# Builds (incrementally, in target/compare/):
#   driver_rs2n     driver_s2n.c + harness.c linked with librs2n.a (cargo build --release)
#   driver_rs2n_aws the same with rs2n's aws-lc-rs provider (--features aws-lc-rs,
#                   in target/compare/cargo-aws-lc-rs)
#   driver_s2n      the same source linked with the real s2n-tls 0.3.47's libs2n
#                   and aws-lc, as built by interop/s2n-peer (cargo, its own workspace;
#                   a few minutes the first time)
#   driver_openssl  driver_openssl.c + harness.c on the system's libssl (libssl-dev)
#   compare_bare    the bare rustls driver (cargo example, benches/compare/bare.rs;
#                   also times rs2n's per-ticket key: command keycost), built
#                   twice: as rs2n with ring builds (run with ring), and with
#                   the aws-lc-rs feature (run with aws-lc-rs)
# then runs compare.py over them (RS2N_COMPARE_NICE=0 to run without nice).
# benches/compare/footprint.py, on the drivers built here, counts the code each
# runs per pair (README "Code run per pair").
# s2n-tls runs with S2N_DONT_MLOCK=1: its default mlock()s every connection's
# memory, which adds a system call per allocation (about 250 µs per pair here).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/target/compare
mkdir -p "$out"
cflags=(-O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE)
src=benches/compare

echo "== building rs2n (release) and the bare rustls driver" >&2
nice cargo build --release --lib --example compare_bare -q
# rs2n with the aws-lc-rs provider, in its own target dir (so the two builds
# do not undo each other); the bare driver built there offers both providers
# (and times rs2n's sealing with aws-lc, as that build of rs2n seals)
aws=$out/cargo-aws-lc-rs
nice cargo build --release --lib --example compare_bare --features aws-lc-rs -q --target-dir "$aws"

echo "== building the real s2n-tls (interop/s2n-peer)" >&2
nice cargo build --release -q --manifest-path interop/s2n-peer/Cargo.toml
build=interop/s2n-peer/target/release/build
libs2n=$(ls -t $build/s2n-tls-sys-*/out/libs2n-tls.a | head -1)
libcrypto=$(ls -t $build/aws-lc-sys-*/out/libaws_lc_*_crypto.a | head -1)
s2n_include=$(dirname "$libs2n")/include

echo "== building the C drivers" >&2
nice cc "${cflags[@]}" -DDRIVER_NAME='"rs2n"' -I"$s2n_include" -o "$out/driver_rs2n" \
    $src/driver_s2n.c $src/harness.c target/release/librs2n.a -lpthread -ldl -lm -lgcc_s
nice cc "${cflags[@]}" -DDRIVER_NAME='"rs2n-aws-lc-rs"' -I"$s2n_include" -o "$out/driver_rs2n_aws" \
    $src/driver_s2n.c $src/harness.c "$aws/release/librs2n.a" -lpthread -ldl -lm -lgcc_s
nice cc "${cflags[@]}" -DDRIVER_NAME='"s2n-tls"' -I"$s2n_include" -o "$out/driver_s2n" \
    $src/driver_s2n.c $src/harness.c "$libs2n" "$libcrypto" -lpthread -ldl -lm \
    2> >(grep -v -e lto-wrapper -e 'flto' >&2)
nice cc "${cflags[@]}" -o "$out/driver_openssl" $src/driver_openssl.c $src/harness.c \
    -lssl -lcrypto -lpthread

drivers=(
    "rs2n=$out/driver_rs2n"
    "s2n-tls=env S2N_DONT_MLOCK=1 $out/driver_s2n"
    "bare-rustls=target/release/examples/compare_bare --provider ring"
    "openssl=$out/driver_openssl"
    "rs2n-aws-lc-rs=$out/driver_rs2n_aws"
    "bare-aws-lc-rs=$aws/release/examples/compare_bare --provider aws-lc-rs"
)
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
nicecmd=(nice)
[ "${RS2N_COMPARE_NICE:-1}" = 0 ] && nicecmd=()
"${nicecmd[@]}" python3 $src/compare.py "$@" "${drivers[@]}"
