#!/usr/bin/env bash
# Builds the library and the examples, then runs the demo (examples/demo.c).
# Arguments are passed on to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-$(nproc 2>/dev/null || echo 2)}"

demo=build/examples/demo
if [ ! -x "$demo" ]; then
    echo "demo.sh: $demo was not built (is there an examples/demo.c?)" >&2
    exit 1
fi
exec "$demo" "$@"
