#!/usr/bin/env bash
# scripts/memcheck.sh [BUILD_DIR]: the C tests (CTest label c-tests) under
# valgrind memcheck, on an already built, uninstrumented build (default:
# build/, the Release build scripts/test.sh makes). Exits non-zero on any
# report.
#
# It runs `ctest -T memcheck -L c-tests` (settings: cmake/memcheck.cmake;
# suppressions: c-tests/valgrind.supp) with RS2N_UNDER_VALGRIND=1 in the
# tests' environment, then fails if
#   - a test failed: its own checks, or valgrind's --error-exitcode=99 (any
#     memcheck error, or a definite leak), or
#   - any memcheck log reports an error: a process that valgrind followed
#     but whose exit status nobody looks at (a forked child) still counts.
# On failure it prints the logs that report something.
#
# Extra arguments after BUILD_DIR go to ctest (e.g. -R test_data).
set -euo pipefail
cd "$(dirname "$0")/.."

build="${1:-build}"
shift || true
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

if ! command -v valgrind >/dev/null 2>&1; then
    echo "memcheck.sh: valgrind not found (scripts/deps.sh installs it)" >&2
    exit 1
fi
if [ ! -f "$build/DartConfiguration.tcl" ]; then
    echo "memcheck.sh: $build/DartConfiguration.tcl missing: configure $build with CMake first" >&2
    exit 1
fi
if grep -q '^MemoryCheckCommand: *$\|NOTFOUND' "$build/DartConfiguration.tcl"; then
    echo "memcheck.sh: CMake did not find valgrind when $build was configured; reconfigure" >&2
    exit 1
fi

logs="$build/Testing/Temporary"
rm -f "$logs"/MemoryChecker.*.log

status=0
RS2N_UNDER_VALGRIND=1 ctest --test-dir "$build" -T memcheck -L c-tests \
    --output-on-failure -j"$jobs" "$@" || status=$?

# Every log with an error: "ERROR SUMMARY: N errors" with N > 0 (definite
# leaks are errors too, --errors-for-leak-kinds=definite).
bad=()
for log in "$logs"/MemoryChecker.*.log; do
    [ -e "$log" ] || continue
    if grep -qE '== ERROR SUMMARY: [1-9]' "$log"; then
        bad+=("$log")
    fi
done
if [ ${#bad[@]} -gt 0 ]; then
    for log in "${bad[@]}"; do
        echo "==================== $log" >&2
        cat "$log" >&2
    done
    echo "memcheck.sh: valgrind reported errors in ${#bad[@]} log(s) above" >&2
    status=1
elif [ "$status" -ne 0 ]; then
    echo "memcheck.sh: ctest -T memcheck failed (exit $status)" >&2
fi
[ "$status" -eq 0 ] && echo "memcheck.sh: no valgrind reports"
exit "$status"
