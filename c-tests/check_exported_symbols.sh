#!/usr/bin/env bash
# Checks that the shared library exports s2n_* symbols and nothing else
# (no Rust internals, no rustls/ring symbols, no stray helpers).
#   usage: check_exported_symbols.sh path/to/librs2n.so [nm]
set -euo pipefail
lib=${1:?usage: $0 librs2n.so [nm]}
nm=${2:-nm}
[ -n "$nm" ] || nm=nm

if [ ! -f "$lib" ]; then
    echo "FAIL: $lib does not exist" >&2
    exit 1
fi

# Defined dynamic symbols; the name is the last field (an undefined-free
# list, so every line is "address type name").
syms=$("$nm" -D --defined-only "$lib" | awk 'NF >= 3 { print $NF }' | sed 's/@.*//' | sort -u)
total=$(printf '%s\n' "$syms" | grep -c . || true)
bad=$(printf '%s\n' "$syms" | grep -v '^s2n_' | grep . || true)

if [ "$total" -eq 0 ]; then
    echo "FAIL: $lib exports no symbols at all" >&2
    exit 1
fi
if [ -n "$bad" ]; then
    echo "FAIL: $lib exports symbols without the s2n_ prefix:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
echo "OK: $lib exports $total symbols, all s2n_*"
