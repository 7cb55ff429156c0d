#!/usr/bin/env bash
# The unit suites under valgrind memcheck: invalid reads and writes, uninitialised values
# reaching a branch or an output, and leaks, in every kernel valgrind can execute.
#
# valgrind 3.19 cannot run AVX-512 and hides it from CPUID, so under valgrind the dispatcher
# must pick AVX2 (asserted: SMX_EXPECT_ISA) and each suite's ISA loop covers scalar, SSE2
# and AVX2; AVX-512 is covered by .ci/sanitize.sh (clang ASan) instead.
# Check forks every test; a forked child stays under valgrind (fork is not exec), reports
# its own errors and leaks at exit, and exits 1 if it found any (--error-exitcode), which
# Check turns into a failure of that very test ("Early exit with return value 1").
#
#   bash .ci/valgrind.sh                 install what is missing, build, test
#   SMX_VALGRIND_BUILD=dir               build directory (default build-valgrind)
#   SMX_VALGRIND_ARGS="..."              extra valgrind options (e.g. --track-origins=yes)
#   SMX_NO_INSTALL=1                     skip apt (the packages are known to be there)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${SMX_VALGRIND_BUILD:-build-valgrind}
start=$(date +%s)

# ---- packages: apt only when something is missing ----
. .ci/common.sh
ensure_packages valgrind.sh valgrind meson ninja-build pkg-config gcc check

# ---- the ISA the dispatcher must pick under valgrind ----
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { [[ " $flags " == *" $1 "* ]]; }
if has avx2 && has fma; then expect=avx2; else expect=sse2; fi
echo "valgrind.sh: under valgrind the dispatcher must pick $expect"

# ---- build: gcc -O2 with debug info, so that reports name lines ----
if [ ! -f "$build/build.ninja" ]; then
    echo "valgrind.sh: configuring $build"
    CC=${CC:-gcc} meson setup "$build" --buildtype=debugoptimized \
        -Dbench=disabled -Dexamples=disabled -Dfuzz=false -Dtests=true
fi
ninja -C "$build" -j2

# ---- run ----
export SMX_EXPECT_ISA=$expect
# valgrind runs float code ~20-50x slower: the suites shrink their large and near-exhaustive
# cases, and every timeout grows.
export SMX_TEST_QUICK=1
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-30}
unset SMX_ISA
mapfile -t tests < <(quick_suites "$build")
wrapper="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible ${SMX_VALGRIND_ARGS:-}"
echo "valgrind.sh: meson test --wrapper '$wrapper' ${tests[*]}"
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 30 --num-processes 2 \
    --wrapper "$wrapper" "${tests[@]}"

echo "valgrind.sh: OK in $(( $(date +%s) - start )) s"
