#!/usr/bin/env bash
# Builds everything and runs every test; exits non-zero on any failure.
#   1. cargo test                  (Rust unit/integration tests, header freshness)
#   2. build/       Release        (C/C++ tests, header check, exported symbols,
#                                   downstream find_package/pkg-config tests)
#   3. build-asan/  AddressSanitizer (the C/C++ tests again; same Rust build)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

bash scripts/deps.sh

echo "== cargo test"
cargo test

echo "== CMake build and CTest (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== C tests under AddressSanitizer (build-asan/)"
# Reuses build/'s cargo output: the Rust library is not instrumented anyway.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DRS2N_SANITIZE=address \
    -DRS2N_CARGO_TARGET_DIR="$PWD/build/cargo"
cmake --build build-asan -j"$jobs"
ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE downstream

echo "== all tests passed"
