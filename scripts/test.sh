#!/usr/bin/env bash
# Builds everything and runs every test; exits non-zero on any failure.
#   1. cargo test                  (Rust unit/integration tests, header freshness),
#                                  then again with the aws-lc-rs provider
#   2. build/       Release        (C/C++ tests, header check, exported symbols,
#                                   downstream find_package/pkg-config tests,
#                                   interop)
#   3. build/       load test      (ctest -L load: 100000 handshakes, Redis
#                                   stopped and restarted, keys rotating)
#   4. build/       valgrind       (the C tests under memcheck, which sees the
#                                   Rust library too: scripts/memcheck.sh)
#   5. build-sanitize/ ASan+UBSan  (C tests, examples/interop and the load test
#                                   again, our C built with
#                                   -fsanitize=address,undefined; same Rust
#                                   build, not instrumented)
#   6. fuzz/        fuzzing        (every cargo-fuzz target for FUZZ_SECONDS,
#                                   default 20, from its committed corpus:
#                                   scripts/fuzz.sh; needs the nightly toolchain)
# Prints the time of each stage at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

bash scripts/deps.sh

times=()
stage_start=$SECONDS
stage_done() { # stage_done NAME: records the time since the last stage ended
    times+=("$(printf '%-42s %4d s' "$1" $((SECONDS - stage_start)))")
    stage_start=$SECONDS
}

echo "== cargo test"
cargo test
stage_done "cargo test"

echo "== cargo test, aws-lc-rs provider (--features aws-lc-rs)"
cargo test --features aws-lc-rs
stage_done "cargo test (aws-lc-rs)"

echo "== CMake build (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
stage_done "build (Release)"

echo "== CTest (build/), all but the load test"
ctest --test-dir build --output-on-failure -j"$jobs" -LE load
stage_done "ctest (Release, incl. interop)"

echo "== load and faults test (build/, ctest -L load)"
ctest --test-dir build --output-on-failure -L load
stage_done "load test (Release)"

echo "== C tests under valgrind memcheck (build/)"
bash scripts/memcheck.sh build
stage_done "valgrind memcheck (C tests)"

echo "== under AddressSanitizer + UndefinedBehaviorSanitizer (build-sanitize/)"
# Reuses build/'s cargo output: the Rust library is not instrumented anyway.
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Release -DRS2N_SANITIZE=address,undefined \
    -DRS2N_CARGO_TARGET_DIR="$PWD/build/cargo"
cmake --build build-sanitize -j"$jobs"
stage_done "build (ASan+UBSan)"
ctest --test-dir build-sanitize --output-on-failure -j"$jobs" -LE downstream
stage_done "ctest (ASan+UBSan, incl. interop, load)"

echo "== fuzz targets, ${FUZZ_SECONDS:-20} s each (scripts/fuzz.sh)"
bash scripts/fuzz.sh
stage_done "fuzzing (every target)"

echo "== all tests passed"
printf '   %s\n' "${times[@]}"
