#!/usr/bin/env bash
# Installs the system tools the build and tests need that a fresh machine may
# lack. Only installs what is missing; quiet and quick when all is there.
# Safe to run any number of times. Add new tools to `need` below, and libraries
# (found with pkg-config) to `need_pc`.
set -euo pipefail

# command name -> Debian package
declare -A need=(
    [cmake]=cmake
    [pkg-config]=pkg-config
    [redis-server]=redis-server   # interop/redis.sh: a real Redis
    [redis-cli]=redis-tools
    [openssl]=openssl             # interop/openssl.sh (on the image already)
    [node]=nodejs                 # interop/node.sh (the image has Node 20)
    [valgrind]=valgrind           # scripts/memcheck.sh: the C tests under memcheck
)
# pkg-config module -> Debian package
declare -A need_pc=(
    [hiredis]=libhiredis-dev      # rs2nd --cache redis://
    [openssl]=libssl-dev          # benches/compare: the OpenSSL driver
)

has_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }

missing=()
for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
for mod in "${!need_pc[@]}"; do
    has_pc "$mod" || missing+=("${need_pc[$mod]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: missing ${missing[*]}, and no apt-get to install them" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "deps.sh: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    }
    sudo=(sudo)
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || { echo "deps.sh: $cmd still missing" >&2; exit 1; }
done
for mod in "${!need_pc[@]}"; do
    has_pc "$mod" || { echo "deps.sh: $mod (pkg-config) still missing" >&2; exit 1; }
done
