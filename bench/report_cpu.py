"""What CPU the report ran on: model, vendor, cores, caches and the features smx cares
about, from /proc/cpuinfo and /sys/devices/system/cpu/cpu0/cache (getconf when a
hypervisor hides the sysfs cache folders)."""
import os
import platform
import subprocess

# The features that decide which kernels run: (name shown, cpuinfo flag).
X86_FEATURES = [("SSE2", "sse2"), ("AVX2", "avx2"), ("FMA", "fma"), ("AVX-512F", "avx512f"),
                ("AVX-512BW", "avx512bw"), ("AVX-512DQ", "avx512dq"), ("AVX-512VL", "avx512vl")]
ARM_FEATURES = [("NEON", "asimd"), ("SVE", "sve")]


def _cpuinfo():
    """The first processor's fields, plus the count of processors."""
    fields, count = {}, 0
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "processor":
                    count += 1
                if key and key not in fields:
                    fields[key] = value
    except OSError:
        pass
    return fields, count


def _size(text):
    """'48K' / '1024 KB' / '32768' (bytes) -> bytes."""
    text = text.strip().upper().replace("B", "").replace(" ", "")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text and text[-1] in scale:
        return int(float(text[:-1]) * scale[text[-1]])
    return int(text) if text.isdigit() else 0


def _caches():
    """{'L1d': bytes, 'L1i': ..., 'L2': ..., 'L3': ...} and where the numbers came from."""
    caches, base = {}, "/sys/devices/system/cpu/cpu0/cache"
    if os.path.isdir(base):
        for index in sorted(os.listdir(base)):
            try:
                d = os.path.join(base, index)
                level = open(os.path.join(d, "level")).read().strip()
                kind = open(os.path.join(d, "type")).read().strip()
                size = _size(open(os.path.join(d, "size")).read())
            except OSError:
                continue
            name = "L" + level + {"Data": "d", "Instruction": "i"}.get(kind, "")
            caches[name] = size
    if caches:
        return caches, "sysfs"
    try:
        out = subprocess.run(["getconf", "-a"], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    names = {"LEVEL1_DCACHE_SIZE": "L1d", "LEVEL1_ICACHE_SIZE": "L1i",
             "LEVEL2_CACHE_SIZE": "L2", "LEVEL3_CACHE_SIZE": "L3"}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in names and parts[1].isdigit() and int(parts[1]) > 0:
            caches[names[parts[0]]] = int(parts[1])
    return caches, "getconf (no sysfs cache info)"


def _human(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << (shift - 4)) == 0:
            return "%g %s" % (n / (1 << shift), unit)
    return "%d B" % n


def info():
    fields, count = _cpuinfo()
    arch = platform.machine()
    flags = set((fields.get("flags") or fields.get("Features") or "").split())
    model = fields.get("model name") or fields.get("Model name")
    if not model and "CPU part" in fields:  # AArch64 kernels give only the part numbers
        model = "implementer %s part %s" % (fields.get("CPU implementer", "?"), fields["CPU part"])
    table = ARM_FEATURES if arch in ("aarch64", "arm64") else X86_FEATURES
    caches, source = _caches()
    return {
        "arch": arch,
        "model": model or platform.processor() or "unknown",
        "vendor": fields.get("vendor_id") or fields.get("CPU implementer") or "unknown",
        "logical_cpus": count or os.cpu_count() or 0,
        "cores_per_socket": fields.get("cpu cores", "?"),
        "caches": caches,
        "cache_source": source,
        "features": [(name, flag in flags) for name, flag in table],
        "kernel": platform.release(),
    }


def context(cpu):
    """Key/value strings for --benchmark_context (they end up in the JSON).  Google Benchmark
    splits that flag at commas, so none may appear in a value; smx_bench adds cpu_model."""
    return {
        "cpu_vendor": cpu["vendor"],
        "cpu_arch": cpu["arch"],
        "cpu_cores": "%d logical; %s per socket" % (cpu["logical_cpus"], cpu["cores_per_socket"]),
        "cpu_caches": "; ".join("%s %s" % (k, _human(v)) for k, v in sorted(cpu["caches"].items())),
        "cpu_features": " ".join(name + ("+" if on else "-") for name, on in cpu["features"]),
    }


def describe(cpu):
    caches = ", ".join("%s %s" % (k, _human(v)) for k, v in sorted(cpu["caches"].items())) or "unknown"
    feats = "  ".join(("%s yes" if on else "%s no") % name for name, on in cpu["features"])
    return ("CPU:      %s (%s, %s)\n"
            "Cores:    %d logical CPUs, %s cores per socket\n"
            "Caches:   %s  [from %s]\n"
            "Features: %s\n" % (cpu["model"], cpu["vendor"], cpu["arch"], cpu["logical_cpus"],
                                cpu["cores_per_socket"], caches, cpu["cache_source"], feats))


def pick_cpu():
    """The last CPU this process may run on (CPU 0 usually takes the most interrupts);
    None where affinity is not supported."""
    try:
        return max(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None
