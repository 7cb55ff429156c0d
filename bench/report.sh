#!/bin/sh
# The smx benchmark report in one command.  On a fresh Debian 12 machine, as root: installs
# what is missing (apt-get), configures a release build in build-report/, builds smx_bench
# and smx_accuracy, runs them (pinned to one CPU, progress shown) and prints the CPU, the
# dispatcher's ISA, the tables and the accuracy table; writes results.json and plots.
#
#   bench/report.sh                          the full report (4-5 minutes on 2 cores)
#   bench/report.sh --filter '^softmax/'     any option of `bench/report.py run --help`
#   bench/report.sh compare A.json B.json    two or more runs side by side (no build)
#   bench/report.sh show results.json        the tables of an earlier run again
#
# SMX_REPORT_BUILD names the build directory (default build-report).
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in
compare | show) exec python3 bench/report.py "$@" ;;
esac

# Everything the report uses.  The peers (SLEEF, oneDNN, XNNPACK) are optional: a package
# that this architecture lacks only drops that peer from the tables.
packages="meson ninja-build pkg-config g++ libbenchmark-dev libsleef-dev libdnnl-dev
          libxnnpack-dev libpthreadpool-dev gnuplot-nox"
# Installed for this machine's architecture (or for all): another architecture's copy,
# installed for cross builds, does not count.
arch=$(dpkg --print-architecture 2>/dev/null || echo none)
missing=""
for p in $packages; do
    dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$p" 2>/dev/null |
        grep -Eq "^($arch|all) installed$" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
            for p in $missing; do # one at a time: install what this architecture has
                apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
                    echo "warning: could not install $p; going on without it"
            done
        fi
    else
        echo "warning: missing packages:$missing (run as root to install them); going on"
    fi
fi

build="${SMX_REPORT_BUILD:-build-report}"
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" --buildtype=release -Dtests=false -Dexamples=disabled -Dbench=enabled
fi
echo "Building smx_bench and smx_accuracy in $build ..."
ninja -C "$build" bench/smx_bench bench/smx_accuracy
exec python3 bench/report.py run --build "$build" "$@"
