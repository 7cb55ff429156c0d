#!/usr/bin/env bash
# Cross-builds smx for AArch64 and runs the whole test suite under qemu-aarch64 with the
# NEON kernels active, plus a sampled exp check (2^26 inputs spread over all 2^32 bit
# patterns, specials included).  Exits non-zero on any failure.  About 2-3 minutes on a
# 2-core x86 machine.  See docs/neon.md.
#
#   bash .ci/neon.sh              install what is missing, build, test
#   SMX_NEON_BUILD=dir            build directory (default build-aarch64)
#   SMX_EXP_STRIDE=n              stride of the sampled exp check (default 64: 2^26 inputs;
#                                 1 is the full 2^32, 15-30 min under qemu)
#   SMX_NEON_NO_INSTALL=1         skip apt (the packages are known to be there)
set -euo pipefail

cd "$(dirname "$0")/.."
build=${SMX_NEON_BUILD:-build-aarch64}
stride=${SMX_EXP_STRIDE:-64}

# ---- packages (idempotent: apt only when something is missing) ----
arm_pkgs=(check:arm64 libsubunit-dev:arm64 libsleef-dev:arm64)
host_pkgs=(meson ninja-build pkg-config gcc-aarch64-linux-gnu libc6-dev-arm64-cross
           binutils-aarch64-linux-gnu qemu-user)
missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            echo "$p"
    done
}
if [ "${SMX_NEON_NO_INSTALL:-0}" != 1 ]; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    need_arch=0
    dpkg --print-foreign-architectures | grep -qx arm64 || need_arch=1
    todo=$(missing "${host_pkgs[@]}" "${arm_pkgs[@]}")
    if [ "$need_arch" = 1 ] || [ -n "$todo" ]; then
        echo "neon.sh: installing: ${todo//$'\n'/ }"
        [ "$need_arch" = 1 ] && "${as_root[@]}" dpkg --add-architecture arm64
        "${as_root[@]}" apt-get update -qq
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${host_pkgs[@]}" "${arm_pkgs[@]}" >/dev/null
    fi
fi

# ---- build ----
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --cross-file cross/aarch64-linux-gnu.txt \
        -Dbench=disabled -Dexamples=disabled
fi
ninja -C "$build" -j2

# ---- the whole suite under qemu, NEON active ----
# qemu runs float code ~50x slower than native: the tests shrink their large cases
# (SMX_TEST_QUICK) and Check's per-test timeouts are multiplied.  No SMX_ISA here:
# dispatch must pick neon by itself, and every test asserts it did (SMX_EXPECT_ISA).
# Of the "-env-scalar" reruns only api-env-scalar runs (quick_suites, .ci/common.sh).
export SMX_EXPECT_ISA=neon
export SMX_TEST_QUICK=1
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-20}
. .ci/common.sh
mapfile -t tests < <(quick_suites "$build")
if [ "${#tests[@]}" -lt 2 ]; then
    echo "neon.sh: no tests found in $build" >&2
    exit 1
fi
start=$(date +%s)
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 20 \
    --num-processes 2 "${tests[@]}"
echo "neon.sh: ${#tests[@]} suites under qemu: $(( $(date +%s) - start )) s"

# ---- sampled exp check: every stride-th bit pattern, against scalar and the reference ----
start=$(date +%s)
SMX_EXP_STRIDE=$stride meson test -C "$build" --no-rebuild --verbose \
    --suite slow --timeout-multiplier 40 --num-processes 1
echo "neon.sh: exp check (stride $stride) under qemu: $(( $(date +%s) - start )) s"
echo "neon.sh: all passed"
