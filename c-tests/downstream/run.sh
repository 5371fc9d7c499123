#!/usr/bin/env bash
# Downstream tests of an installed rs2n, run by CTest (see
# c-tests/CMakeLists.txt, which sets the environment below).
#   run.sh install       install the build into $RS2N_PREFIX (fresh)
#   run.sh find_package  build main.c with find_package(rs2n), shared + static
#   run.sh pkg_config    build main.c with `cc $(pkg-config ...)`, shared + static
# Environment: CMAKE RS2N_BUILD_DIR RS2N_PREFIX RS2N_LIBDIR RS2N_WORK
#              RS2N_GENERATOR RS2N_CONFIG CC
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
step=${1:?usage: $0 install|find_package|pkg_config}
: "${CMAKE:=cmake}" "${CC:=cc}" "${RS2N_CONFIG:=Release}"
: "${RS2N_BUILD_DIR:?}" "${RS2N_PREFIX:?}" "${RS2N_LIBDIR:?}" "${RS2N_WORK:?}"

# The binary must (not) depend on librs2n.so, depending on how it was linked.
needs_shared() { readelf -d "$1" | grep -q 'NEEDED.*\[librs2n\.so\]'; }
expect_shared() {
    needs_shared "$1" || { echo "FAIL: $1 does not load librs2n.so" >&2; exit 1; }
}
expect_static() {
    if needs_shared "$1"; then echo "FAIL: $1 loads librs2n.so" >&2; exit 1; fi
}

case $step in
install)
    rm -rf "$RS2N_PREFIX"
    "$CMAKE" --install "$RS2N_BUILD_DIR" --prefix "$RS2N_PREFIX" --config "$RS2N_CONFIG"
    for f in "$RS2N_LIBDIR/librs2n.so" "$RS2N_LIBDIR/librs2n.a" \
             "$RS2N_LIBDIR/cmake/rs2n/rs2nConfig.cmake" \
             "$RS2N_LIBDIR/cmake/rs2n/rs2nConfigVersion.cmake" \
             "$RS2N_LIBDIR/pkgconfig/rs2n.pc" "$RS2N_PREFIX/include/s2n.h"; do
        [ -f "$f" ] || { echo "FAIL: $f was not installed" >&2; exit 1; }
    done
    ;;
find_package)
    for kind in shared static; do
        echo "== find_package(rs2n), linking the $kind library"
        b="$RS2N_WORK/find_package_$kind"
        rm -rf "$b"
        static=OFF; [ $kind = static ] && static=ON
        gen=(); [ -n "${RS2N_GENERATOR:-}" ] && gen=(-G "$RS2N_GENERATOR")
        "$CMAKE" -S "$here" -B "$b" "${gen[@]}" -DCMAKE_BUILD_TYPE="$RS2N_CONFIG" \
            -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$RS2N_PREFIX" \
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DRS2N_STATIC=$static
        "$CMAKE" --build "$b" --config "$RS2N_CONFIG"
        exe="$b/downstream"
        [ -x "$exe" ] || exe="$b/$RS2N_CONFIG/downstream"
        if [ $kind = shared ]; then expect_shared "$exe"; else expect_static "$exe"; fi
        "$exe"
    done
    ;;
pkg_config)
    if ! command -v pkg-config >/dev/null; then
        echo "SKIP: pkg-config is not installed (scripts/deps.sh installs it)"
        exit 77
    fi
    export PKG_CONFIG_PATH="$RS2N_LIBDIR/pkgconfig"
    mkdir -p "$RS2N_WORK/pkg_config"
    cflags=(-std=c99 -Wall -Wextra -Werror -pedantic)
    echo "== pkg-config, shared: cc main.c \$(pkg-config --cflags --libs rs2n)"
    exe="$RS2N_WORK/pkg_config/downstream_shared"
    # shellcheck disable=SC2046
    "$CC" "${cflags[@]}" -o "$exe" "$here/main.c" $(pkg-config --cflags --libs rs2n)
    expect_shared "$exe"
    LD_LIBRARY_PATH="$RS2N_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$exe"
    echo "== pkg-config, static: cc main.c \$(pkg-config --cflags --static --libs rs2n)"
    # --static adds Libs.private; -l:librs2n.a picks the archive even
    # though librs2n.so sits beside it.
    exe="$RS2N_WORK/pkg_config/downstream_static"
    libs=$(pkg-config --static --libs rs2n | sed 's/-lrs2n\b/-l:librs2n.a/')
    # shellcheck disable=SC2086
    "$CC" "${cflags[@]}" -o "$exe" "$here/main.c" $(pkg-config --cflags rs2n) $libs
    expect_static "$exe"
    "$exe"
    ;;
*)
    echo "unknown step: $step" >&2
    exit 2
    ;;
esac
