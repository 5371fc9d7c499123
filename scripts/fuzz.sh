#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a short time, seeded with its committed
# corpus (fuzz/corpus/TARGET). Fails on any crash, leak or timeout libFuzzer reports.
#   FUZZ_SECONDS   seconds per target (default 20)
#   bash scripts/fuzz.sh [TARGET...]   (default: every target)
# Needs the nightly toolchain (on these machines); installs cargo-fuzz if missing.
# New inputs go to a scratch directory, so the committed corpus is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-20}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz.sh: no fuzz targets in fuzz/" >&2
    exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz build
passed=0
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t" "fuzz/corpus/$t"
    echo "== fuzz $t (${secs}s)"
    log="$scratch/$t.log"
    if ! cargo +nightly fuzz run "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz.sh: $t failed (the crashing input is under fuzz/artifacts/$t)" >&2
        exit 1
    fi
    grep -E "stat::number_of_executed_units|DONE" "$log" || true
    passed=$((passed + 1))
done
echo "fuzz: ${passed} passed, 0 failed"
