#!/usr/bin/env bash
# Installs the system tools the build and tests need that a fresh machine may
# lack. Only installs what is missing; quiet and quick when all is there.
# Safe to run any number of times. Add new tools to `need` below.
set -euo pipefail

# command name -> Debian package
declare -A need=(
    [cmake]=cmake
    [pkg-config]=pkg-config
)

missing=()
for cmd in "${!need[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
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
