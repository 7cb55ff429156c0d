# Sourced by the .ci/ scripts.

# ensure_packages NAME PKG... installs (apt-get, as root or via sudo) the packages that are
# not installed yet; SMX_NO_INSTALL=1 skips it.
ensure_packages() {
    local who=$1 p
    shift
    local need=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
    done
    if [ "${SMX_NO_INSTALL:-0}" != 1 ] && [ ${#need[@]} -gt 0 ]; then
        echo "$who: installing ${need[*]}"
        local sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
            "${need[@]}" >/dev/null
    fi
}

# quick_suites BUILD prints the tests of BUILD's default setup for the slow runners (qemu,
# ASan, valgrind): every suite already loops over every ISA in one process, so of the
# "-env-scalar" reruns (the same suite with SMX_ISA=scalar at load time) only
# api-env-scalar, which checks that load-time choice, is kept; the "-chunk-min-" reruns (an
# AVX-512 form forced on and off: emulators and valgrind run no AVX-512) are left out too.
quick_suites() {
    meson test -C "$1" --no-rebuild --list 2>/dev/null |
        sed -n 's|^[^ ]* / ||p' | awk '(!/-env-scalar$/ || $0 == "api-env-scalar") && !/-chunk-min-/'
}
