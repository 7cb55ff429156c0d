#!/usr/bin/env bash
# Build smx and run every test: the Check suites on every ISA this CPU runs (and again
# under SMX_ISA=scalar), then the exhaustive checks ('slow' suite: exp on all 2^32 inputs,
# softmax's table exp on every float of a row's range).
# On a fresh Debian 12 machine run it as root: it installs what is missing.
#   scripts/test.sh            all tests, slow suite included
#   scripts/test.sh --quick    skip the slow suite
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(meson ninja-build pkg-config gcc check libsleef-dev zlib1g-dev libopenblas-dev dataset-fashion-mnist)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

build=${SMX_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dbench=disabled
fi
ninja -C "$build"
meson test -C "$build" --no-suite slow --print-errorlogs
if [ "${1:-}" != "--quick" ]; then
  meson test -C "$build" --suite slow --print-errorlogs --timeout-multiplier 4
fi
