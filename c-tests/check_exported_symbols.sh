#!/usr/bin/env bash
# Checks that the shared library exports s2n_* symbols (and s2n's S2N_*
# constants, such as S2N_BLOCKED_ON_APPLICATION_DATA of renegotiate.h) and
# nothing else (no Rust internals, no rustls/ring symbols, no stray helpers), and that
# s2n_errno is among them as a global thread-local variable, as s2n-tls
# exports it (programs built against s2n's own s2n.h reference it).
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
bad=$(printf '%s\n' "$syms" | grep -v -e '^s2n_' -e '^S2N_' | grep . || true)

if [ "$total" -eq 0 ]; then
    echo "FAIL: $lib exports no symbols at all" >&2
    exit 1
fi
if [ -n "$bad" ]; then
    echo "FAIL: $lib exports symbols without the s2n_ or S2N_ prefix:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
# nm's type letter for a defined thread-local (TLS) symbol is "B"/"D" for
# data; readelf says TLS outright, so ask it when it is there.
errno_line=$("$nm" -D --defined-only "$lib" | awk '$NF == "s2n_errno" || $NF ~ /^s2n_errno@/' || true)
if [ -z "$errno_line" ]; then
    echo "FAIL: $lib does not export s2n_errno (programs built against s2n's s2n.h need it)" >&2
    exit 1
fi
if command -v readelf >/dev/null 2>&1; then
    if ! readelf --dyn-syms -W "$lib" | awk '$NF == "s2n_errno" && $4 == "TLS" && $5 == "GLOBAL" { ok = 1 } END { exit !ok }'; then
        echo "FAIL: $lib exports s2n_errno, but not as a global thread-local (TLS) symbol:" >&2
        readelf --dyn-syms -W "$lib" | grep -w s2n_errno >&2 || true
        exit 1
    fi
fi
echo "OK: $lib exports $total symbols, all s2n_* or S2N_*, s2n_errno a thread-local"
