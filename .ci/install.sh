#!/usr/bin/env bash
# Installs smx into a temporary prefix and checks it the way a user meets it:
#   - tests/install/consumer.c built with nothing but `pkg-config --cflags --libs smx`,
#     against the shared library (run with LD_LIBRARY_PATH) and against the static one
#     (`pkg-config --static`, libsmx.a forced, no libsmx.so in the result), both run;
#   - libsmx.so exports exactly the functions include/smx.h declares (all smx_*);
#   - its SONAME is versioned (libsmx.so.0).
#
#   bash .ci/install.sh                  install what is missing, build, install, check
#   SMX_INSTALL_BUILD=dir                build directory (default build-install)
#   SMX_NO_INSTALL=1                     skip apt (the packages are known to be there)
#   CC=clang bash .ci/install.sh         another compiler for the library and the consumer
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
build=${SMX_INSTALL_BUILD:-build-install}
cc=${CC:-cc}
start=$(date +%s)
say() { echo "install.sh: $*"; }
die() { echo "install.sh: FAIL: $*" >&2; exit 1; }

# ---- packages: apt only when something is missing ----
. .ci/common.sh
ensure_packages install.sh meson ninja-build pkg-config gcc libc6-dev binutils

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smx-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# ---- build and install (tests, benchmarks and examples are not part of an install) ----
say "building $build, installing into $prefix"
rm -rf "$build"
CC=$cc meson setup "$build" --prefix="$prefix" --buildtype=release \
    -Dtests=false -Dbench=disabled -Dexamples=disabled -Dfuzz=false >/dev/null
ninja -C "$build" -j2 >/dev/null
meson install -C "$build" --no-rebuild --quiet
(cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/  /')

# ---- find what was installed (lib/ or lib/<multiarch>/, whichever meson chose) ----
pc=$(find "$prefix" -name smx.pc -path '*/pkgconfig/*' | head -n1)
[ -n "$pc" ] || die "no smx.pc installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
[ -f "$libdir/libsmx.a" ] || die "no libsmx.a next to $pcdir"
so=$(find "$libdir" -maxdepth 1 -name 'libsmx.so.*.*' -type f | head -n1)
[ -n "$so" ] || die "no versioned libsmx.so.X.Y.Z in $libdir"
[ -f "$prefix/include/smx.h" ] || die "no include/smx.h"
export PKG_CONFIG_PATH=$pcdir
# Only the temporary prefix: a system-wide smx must not satisfy the checks below.
export PKG_CONFIG_LIBDIR=$pcdir
say "smx.pc:"
sed 's/^/  /' "$pc"
[ "$(pkg-config --modversion smx)" = "$(sed -n "s/^ *version: '\(.*\)',/\1/p" meson.build | head -n1)" ] ||
    die "pkg-config --modversion smx does not match meson.build's version"

# ---- the shared library: exports and SONAME ----
say "checking $so"
# (grep reads captured output: `cmd | grep -q` under pipefail fails when cmd gets SIGPIPE)
dyn=$(readelf -d "$so")
grep -q 'Library soname: \[libsmx\.so\.0\]' <<<"$dyn" ||
    die "SONAME is not libsmx.so.0: $(grep -i soname <<<"$dyn" || echo none)"
[ "$(readlink "$libdir/libsmx.so.0")" = "$(basename "$so")" ] || die "libsmx.so.0 does not point at $so"
[ -e "$libdir/libsmx.so" ] || die "no libsmx.so development link"
nm -D --defined-only "$so" | awk '{print $NF}' | sort >"$tmp/exported"
grep -v '^smx_' "$tmp/exported" >"$tmp/foreign" || true
if [ -s "$tmp/foreign" ]; then
    die "libsmx.so exports symbols outside the smx_ namespace: $(tr '\n' ' ' <"$tmp/foreign")"
fi
# The public functions are the identifiers followed by '(' on SMX_API lines of smx.h.
grep -o 'SMX_API[^(]*(' "$prefix/include/smx.h" | sed 's/ *($//' | grep -o 'smx_[a-z0-9_]*$' |
    sort -u >"$tmp/declared"
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
    cat "$tmp/diff" >&2
    die "libsmx.so exports differ from the functions include/smx.h declares (- declared, + exported)"
fi
say "exports: $(wc -l <"$tmp/exported") symbols, all smx_*, exactly the declared API; SONAME libsmx.so.0"

# ---- the consumer, against the shared library ----
src=$root/tests/install/consumer.c
say "consumer, shared: $cc consumer.c $(pkg-config --cflags --libs smx)"
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -O2 -o "$tmp/consumer_shared" "$src" \
    $(pkg-config --cflags smx) $(pkg-config --libs smx)
grep -q 'Shared library: \[libsmx\.so\.0\]' <<<"$(readelf -d "$tmp/consumer_shared")" ||
    die "consumer_shared does not need libsmx.so.0"
grep -q "libsmx.so.0 => $libdir/" <<<"$(LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer_shared")" ||
    die "consumer_shared does not resolve libsmx.so.0 in the prefix"
LD_LIBRARY_PATH=$libdir "$tmp/consumer_shared" || die "consumer_shared failed"

# ---- the consumer, against the static library ----
# pkg-config --static gives -lsmx plus Libs.private; -Bstatic around -lsmx alone makes the
# linker take libsmx.a although libsmx.so sits in the same directory.
static_libs=$(pkg-config --static --libs smx)
static_libs=${static_libs/-lsmx/-Wl,-Bstatic -lsmx -Wl,-Bdynamic}
say "consumer, static: $cc consumer.c $(pkg-config --cflags smx) $static_libs"
# shellcheck disable=SC2046,SC2086
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -O2 -o "$tmp/consumer_static" "$src" \
    $(pkg-config --cflags smx) $static_libs
if grep -q 'libsmx' <<<"$(readelf -d "$tmp/consumer_static")"; then
    die "consumer_static still needs libsmx.so"
fi
grep -q ' T smx_softmax_f32$' <<<"$(nm "$tmp/consumer_static")" ||
    die "consumer_static does not contain smx_softmax_f32"
env -u LD_LIBRARY_PATH "$tmp/consumer_static" || die "consumer_static failed"

# ---- and linked with nothing but `pkg-config --static --libs smx` plus the .a path ----
# (what a build system that passes the archive by path does)
# shellcheck disable=SC2046
"$cc" -std=c11 -O2 -o "$tmp/consumer_archive" "$src" $(pkg-config --cflags smx) \
    "$libdir/libsmx.a" $(pkg-config --static --libs-only-other smx) \
    $(pkg-config --static --libs-only-l smx | sed 's/-lsmx//')
env -u LD_LIBRARY_PATH "$tmp/consumer_archive" >/dev/null || die "consumer_archive failed"

say "OK in $(( $(date +%s) - start )) s"
