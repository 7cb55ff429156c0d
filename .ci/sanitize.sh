#!/usr/bin/env bash
# clang AddressSanitizer + UndefinedBehaviorSanitizer build of smx running the unit suites
# (`meson test`, the slow exhaustive suite excluded) with the best ISA the CPU has active,
# AVX-512 included.  Only clang's ASan sees an out-of-bounds *masked* load or store
# (AVX-512 opmasks, AVX2 vmaskmov); gcc's does not, so this job is clang only.
# LeakSanitizer is on: Check forks every test and each child reports its own leaks at exit.
#
#   bash .ci/sanitize.sh                 install what is missing, build, test
#   SMX_SANITIZE_BUILD=dir               build directory (default build-sanitize)
#   SMX_NO_INSTALL=1                     skip apt (the packages are known to be there)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${SMX_SANITIZE_BUILD:-build-sanitize}
start=$(date +%s)

# ---- packages: apt only when something is missing ----
. .ci/common.sh
ensure_packages sanitize.sh clang-14 libclang-rt-14-dev meson ninja-build pkg-config check
cc=$(command -v clang || command -v clang-14)

# ---- which ISA the dispatcher must pick here (every test asserts it: SMX_EXPECT_ISA) ----
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { [[ " $flags " == *" $1 "* ]]; }
if has avx512f && has avx512dq && has avx512bw && has avx512vl; then
    expect=avx512
elif has avx2 && has fma; then
    expect=avx2
else
    expect=sse2
fi
echo "sanitize.sh: CPU flags say the dispatcher must pick $expect"

# ---- build ----
if [ ! -f "$build/build.ninja" ]; then
    echo "sanitize.sh: configuring $build with $cc, -Db_sanitize=address,undefined"
    CC=$cc meson setup "$build" --buildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fno-omit-frame-pointer \
        -Dbench=disabled -Dexamples=disabled -Dfuzz=false -Dtests=true
fi
ninja -C "$build" -j2

# ---- run ----
# halt_on_error: a UBSan report fails the test instead of scrolling past.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export SMX_EXPECT_ISA=$expect
# ASan costs 2-3x: the suites shrink their large and near-exhaustive cases (every size and
# alignment path still runs), and Check's per-test timeouts grow.
export SMX_TEST_QUICK=1
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
unset SMX_ISA
mapfile -t tests < <(quick_suites "$build")
echo "sanitize.sh: meson test ${tests[*]} (SMX_EXPECT_ISA=$expect, SMX_TEST_QUICK=1)"
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 --num-processes 2 \
    "${tests[@]}"

echo "sanitize.sh: OK in $(( $(date +%s) - start )) s"
