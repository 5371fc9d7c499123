#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ seeded with its committed corpus
# (fuzz/corpus/TARGET). Fails on any crash, leak or timeout libFuzzer reports.
#   FUZZ_SECONDS    seconds per target (default 20)
#   FUZZ_RUNS       stop each target after this many executions instead (the long
#                   runs behind the counts in the README: FUZZ_RUNS=10000000)
#   FUZZ_SANITIZER  cargo fuzz's -s (default address; `none` runs the safe-Rust
#                   targets several times faster)
#   FUZZ_KEEP=1     add the new inputs that reach new coverage to the committed
#                   corpus (libFuzzer -merge=1: only those, so it stays small)
#   bash scripts/fuzz.sh [TARGET...]   (default: every target)
# Needs the nightly toolchain (on these machines); installs cargo-fuzz if missing.
# Without FUZZ_KEEP new inputs go to a scratch directory and the corpus is left as is.
set -euo pipefail
cd "$(dirname "$0")/.."

# One function, so bash has read all of it before it runs (the script may be edited
# during a long run).
main() {
    secs=${FUZZ_SECONDS:-20}
    runs=${FUZZ_RUNS:-}
    sanitizer=${FUZZ_SANITIZER:-address}
    command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

    targets=("$@")
    if [ ${#targets[@]} -eq 0 ]; then
        mapfile -t targets < <(cargo +nightly fuzz list)
    fi
    if [ ${#targets[@]} -eq 0 ]; then
        echo "fuzz.sh: no fuzz targets in fuzz/" >&2
        exit 1
    fi

    if [ -n "$runs" ]; then
        limit=(-runs="$runs")
    else
        limit=(-max_total_time="$secs")
    fi
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    cargo +nightly fuzz build -s "$sanitizer"
    passed=0
    for t in "${targets[@]}"; do
        mkdir -p "$scratch/$t" "fuzz/corpus/$t"
        if [ -n "$runs" ]; then what="$runs runs"; else what="${secs}s"; fi
        echo "== fuzz $t ($what, sanitizer $sanitizer)"
        log="$scratch/$t.log"
        start=$SECONDS
        if ! cargo +nightly fuzz run -s "$sanitizer" "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
            "${limit[@]}" -print_final_stats=1 >"$log" 2>&1; then
            tail -n 60 "$log" >&2
            echo "fuzz.sh: $t failed (the crashing input is under fuzz/artifacts/$t)" >&2
            exit 1
        fi
        units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "$t: ${units:-?} executions in $((SECONDS - start)) s, no crash"
        if [ "${FUZZ_KEEP:-}" = 1 ]; then
            # Adds only the new inputs that reach coverage the corpus does not.
            before=$(find "fuzz/corpus/$t" -type f | wc -l)
            cargo +nightly fuzz run -s "$sanitizer" "$t" "fuzz/corpus/$t" "$scratch/$t" \
                -- -merge=1 >>"$log" 2>&1
            echo "$t: corpus $before -> $(find "fuzz/corpus/$t" -type f | wc -l) inputs"
        fi
        passed=$((passed + 1))
    done
    echo "fuzz: ${passed} passed, 0 failed"
}

main "$@"
