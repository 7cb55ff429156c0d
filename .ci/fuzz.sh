#!/usr/bin/env bash
# Builds fuzz/fuzz_smx (libFuzzer, clang, ASan + UBSan on the library too) and fuzzes for a
# bounded time, starting from a copy of fuzz/corpus/ in a temporary directory (the tree is
# never modified).  A crash, a sanitizer report, a leak or a mismatch against the reference
# fails the job; the input is kept under $build/fuzz-artifacts/ and the command that
# replays it is printed.
#
#   bash .ci/fuzz.sh                     install what is missing, build, fuzz 180 s
#   SMX_FUZZ_TIME=600                    seconds of fuzzing (default 180)
#   SMX_FUZZ_BUILD=dir                   build directory (default build-fuzz)
#   SMX_FUZZ_KEEP=dir                    also copy the grown corpus there (to refresh
#                                        fuzz/corpus with -merge=1 by hand)
#   SMX_NO_INSTALL=1                     skip apt (the packages are known to be there)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${SMX_FUZZ_BUILD:-build-fuzz}
seconds=${SMX_FUZZ_TIME:-180}
start=$(date +%s)

# ---- packages: apt only when something is missing ----
. .ci/common.sh
ensure_packages fuzz.sh clang-14 libclang-rt-14-dev meson ninja-build pkg-config
cc=$(command -v clang || command -v clang-14)

# ---- build: the library with ASan + UBSan and coverage for libFuzzer's feedback; the
# fuzz target adds -fsanitize=fuzzer itself (fuzz/meson.build) ----
if [ ! -f "$build/build.ninja" ]; then
    echo "fuzz.sh: configuring $build with $cc"
    CC=$cc meson setup "$build" --buildtype=debugoptimized -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fsanitize=fuzzer-no-link \
        -Dtests=false -Dbench=disabled -Dexamples=disabled
fi
ninja -C "$build" -j2 fuzz/fuzz_smx

# ---- fuzz ----
work=$(mktemp -d "${TMPDIR:-/tmp}/smx-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp fuzz/corpus/* "$work/corpus/"
artifacts=$(cd "$build/fuzz-artifacts" && pwd)
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1
echo "fuzz.sh: fuzzing ${seconds} s from $(find "$work/corpus" -type f | wc -l) seed inputs (fuzz/corpus)"
set +e
SMX_FUZZ_STATS=1 "$build/fuzz/fuzz_smx" "$work/corpus" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=60 \
    -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    >"$work/log" 2>&1
rc=$?
set -e
# The progress lines are many; show the start, the end and anything that went wrong.
{ grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$work/log" | grep -v -E '^ *"' |
    tail -n 80; } || true
if [ -n "${SMX_FUZZ_KEEP:-}" ]; then
    mkdir -p "$SMX_FUZZ_KEEP" && cp "$work/corpus"/* "$SMX_FUZZ_KEEP/"
    echo "fuzz.sh: corpus ($(find "$work/corpus" -type f | wc -l) inputs) copied to $SMX_FUZZ_KEEP"
fi
if [ "$rc" -ne 0 ]; then
    echo "fuzz.sh: FAIL (libFuzzer exit $rc); the input is in $artifacts:" >&2
    # shellcheck disable=SC2012  # newest first
    { ls -t "$artifacts" | head -n 3 | sed 's/^/  /' >&2; } || true
    echo "fuzz.sh: replay with: SMX_FUZZ_VERBOSE=1 $build/fuzz/fuzz_smx $artifacts/<file>" >&2
    exit "$rc"
fi
echo "fuzz.sh: OK in $(( $(date +%s) - start )) s"
