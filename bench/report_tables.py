"""Tables, plots and comparisons from smx_bench's JSON (benchmarks named op/impl/shape)."""
import math
import os
import statistics
import subprocess

# softmax_sharp: softmax of N(0, 30) logits, whose outputs are often subnormal (see common.h).
OPS = [("softmax", "softmax"), ("softmax_sharp", "softmax of sharp logits, N(0, 30)"),
       ("log_softmax", "log-softmax"),
       ("cross_entropy", "cross-entropy, loss + gradient"), ("cross_entropy_loss", "cross-entropy, loss only"),
       ("exp", "exp"), ("sum", "sum"), ("max", "max"), ("argmax", "argmax"), ("logsumexp", "logsumexp")]
NOISY_CV = 0.05  # a CV above 5% gets a '!' and a line in the noise summary
ISA_ORDER = ["scalar", "sse2", "avx2", "avx512", "neon"]
# The ops with a plot (the others are cheap reductions: a plot would add little).
PLOTTED = ("softmax", "softmax_sharp", "log_softmax", "cross_entropy", "cross_entropy_loss", "exp")


def parse(results):
    """{(op, impl, shape): {'ns', 'gbps', 'cv', 'min', 'max', 'busy'}} from a JSON with
    aggregates (median, cv, min, max) or plain iterations (their median is taken)."""
    rows, plain = {}, {}
    for b in results.get("benchmarks", []):
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) != 3:
            continue
        key = tuple(parts)
        e = rows.setdefault(key, {})
        if b.get("error_occurred"):
            e["error"] = b.get("error_message", "error")
            continue
        agg = b.get("aggregate_name") if b.get("run_type") == "aggregate" else None
        if agg is None:
            plain.setdefault(key, []).append(b)
        elif agg == "median":
            e.update(ns=b["ns_per_elem"], gbps=b["bytes_per_second"] / 1e9,
                     busy=b["real_time"] / b["cpu_time"] if b["cpu_time"] else 1.0)
        elif agg in ("cv", "min", "max"):
            e[agg] = b["ns_per_elem"]
    for key, runs in plain.items():
        if "ns" not in rows[key]:
            ns = statistics.median(r["ns_per_elem"] for r in runs)
            rows[key].update(ns=ns, gbps=statistics.median(r["bytes_per_second"] for r in runs) / 1e9,
                             busy=1.0, min=min(r["ns_per_elem"] for r in runs),
                             max=max(r["ns_per_elem"] for r in runs))
            if len(runs) > 1:
                rows[key]["cv"] = statistics.stdev(r["ns_per_elem"] for r in runs) / ns
    return {k: v for k, v in rows.items() if "ns" in v or "error" in v}


def shape_key(shape):
    if "x" in shape:
        rows, n = shape.split("x")
        return (1, int(n), int(rows))
    return (0, int(shape), 1)


def shape_label(shape):
    if "x" not in shape and int(shape) >= 1 << 20 and int(shape) & (int(shape) - 1) == 0:
        return "2^%d" % (int(shape).bit_length() - 1)
    return shape


def impl_key(impl):
    family, _, isa = impl.partition("_")
    order = {"smx": 0, "onednn": 1, "xnnpack": 2, "sleef": 3, "naive": 4, "memcpy": 5}
    return (order.get(family, 4), ISA_ORDER.index(isa) if isa in ISA_ORDER else 9, impl)


def is_peer(impl):
    return not impl.startswith("smx_") and impl != "memcpy"


def fmt(v, width=10):
    if v is None:
        return "-".rjust(width)
    s = "%.3g" % v if v < 1000 else "%.0f" % v
    return s.rjust(width)


def col_width(shape):
    return max(10, len(shape_label(shape)) + 2)


def table(title, shapes, row_names, cell, label_width=16):
    """Rows of impls, one column per shape; cell(impl, shape) -> (value or None, mark)."""
    out = [title, " " * label_width + "".join(shape_label(s).rjust(col_width(s)) for s in shapes)]
    for impl in row_names:
        cells = []
        for s in shapes:
            v, mark = cell(impl, s)
            cells.append(fmt(v, col_width(s) - 1) + (mark or " "))
        if any(c.strip() != "-" for c in cells):
            out.append(impl.ljust(label_width) + "".join(cells))
    return "\n".join(out) + "\n"


def op_report(rows, op, title):
    shapes = sorted({s for (o, _, s) in rows if o == op}, key=shape_key)
    if not shapes:
        return ""
    impls = sorted({i for (o, i, _) in rows if o == op}, key=impl_key)
    ours = [i for i in impls if i.startswith("smx_")]
    peers = [i for i in impls if is_peer(i)]

    def ns(impl, shape, o=op):
        return rows.get((o, impl, shape), {}).get("ns")

    def mem(shape):
        return ns("memcpy", shape, "memcpy")

    def noisy(impl, shape, o=op):
        cv = rows.get((o, impl, shape), {}).get("cv")
        return "!" if cv is not None and cv > NOISY_CV else ""

    def best_peer(shape):
        timed = [(ns(p, shape), p) for p in peers if ns(p, shape)]
        return min(timed) if timed else (None, None)

    def ratio(a, b):
        return a / b if a and b else None

    with_mem = impls + (["memcpy"] if any(mem(s) for s in shapes) else [])
    parts = ["=" * 24 + " %s " % title + "=" * 24 + "\n"]
    parts.append(table("ns per element (median; ! = CV over %d%%)" % (NOISY_CV * 100), shapes, with_mem,
                       lambda i, s: (mem(s), noisy("memcpy", s, "memcpy")) if i == "memcpy"
                       else (ns(i, s), noisy(i, s))))
    parts.append(table("GB/s (bytes read + written / time)", shapes, with_mem,
                       lambda i, s: (rows.get(("memcpy" if i == "memcpy" else op, i, s), {}).get("gbps"), "")))
    if "smx_scalar" in impls:
        parts.append(table("speed-up over smx_scalar (scalar time / time)", shapes, impls,
                           lambda i, s: (ratio(ns("smx_scalar", s), ns(i, s)), "")))
    if any(mem(s) for s in shapes):
        parts.append(table("time / memcpy of the same n floats (1 = as fast as copying)", shapes, impls,
                           lambda i, s: (ratio(ns(i, s), mem(s)), "")))
    if peers and ours:
        rows_vs = []
        for i in ours:
            isa = i.split("_", 1)[1]
            rows_vs.append((i + " vs fastest", lambda s, i=i: ratio(best_peer(s)[0], ns(i, s))))
            if any(ns("sleef_" + isa, s) for s in shapes):
                rows_vs.append((i + " vs sleef", lambda s, i=i, isa=isa: ratio(ns("sleef_" + isa, s), ns(i, s))))
        lines = [table("ours vs peers (peer time / our time: > 1 means smx is faster; "
                       "'sleef' = the SLEEF-based peer on the same ISA)", shapes,
                       [label for label, _ in rows_vs],
                       lambda label, s: (dict(rows_vs)[label](s), ""), label_width=22).rstrip("\n")]
        lines.append("fastest peer: " + ", ".join("%s %s" % (shape_label(s), best_peer(s)[1] or "-")
                                                  for s in shapes))
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def summary(rows, context):
    """The headline: softmax with the dispatcher's ISA against the fastest peer and memcpy."""
    isa = context.get("smx_dispatch_isa")
    ours = "smx_" + isa if isa else None
    shapes = sorted({s for (o, i, s) in rows if o == "softmax" and i == ours}, key=shape_key)
    if not shapes:
        return ""
    out = ["Summary: softmax, smx on %s (the dispatcher's choice) against the fastest peer" % isa,
           "%-12s %10s %14s %10s %10s %10s %10s" % ("shape", "smx ns/el", "fastest peer", "peer ns/el",
                                                    "speed-up", "vs sleef", "x memcpy")]
    for s in shapes:
        me = rows[("softmax", ours, s)].get("ns")
        peers = [(v["ns"], i) for (o, i, sh), v in rows.items()
                 if o == "softmax" and sh == s and is_peer(i) and v.get("ns")]
        best = min(peers) if peers else (None, "-")
        sleef = rows.get(("softmax", "sleef_" + isa, s), {}).get("ns")
        mem = rows.get(("memcpy", "memcpy", s), {}).get("ns")
        out.append("%-12s %10s %14s %10s %10s %10s %10s" % (
            shape_label(s), fmt(me, 10).strip(), best[1], fmt(best[0], 10).strip(),
            fmt(best[0] / me if best[0] and me else None).strip(),
            fmt(sleef / me if sleef and me else None).strip(),
            fmt(me / mem if me and mem else None).strip()))
    return "\n".join(out) + "\n"


def noise(rows):
    noisy = sorted(((v["cv"], k) for k, v in rows.items() if v.get("cv", 0) > NOISY_CV), reverse=True)
    busy = [v["busy"] for v in rows.values() if v.get("busy")]
    out = []
    if busy and statistics.median(busy) > 1.15:
        out.append("WARNING: wall time was %.2fx the CPU time (median): other processes shared this "
                   "CPU.\n  Times below are CPU time and mostly unaffected, but caches and memory "
                   "bandwidth were shared too." % statistics.median(busy))
    if noisy:
        out.append("WARNING: %d of %d results vary by more than %d%% (CV) across repetitions; worst:"
                   % (len(noisy), len(rows), NOISY_CV * 100))
        for cv, k in noisy[:8]:
            v = rows[k]
            out.append("  %-40s CV %5.1f%%  min %.3g  median %.3g  max %.3g ns/elem"
                       % ("/".join(k), cv * 100, v.get("min", 0), v["ns"], v.get("max", 0)))
    else:
        out.append("Noise: every result's CV across repetitions is at most %d%%." % (NOISY_CV * 100))
    errors = [k for k, v in rows.items() if "error" in v]
    for k in errors:
        out.append("skipped: %s (%s)" % ("/".join(k), rows[k]["error"]))
    return "\n".join(out) + "\n"


def full_report(results, only=None):
    rows = parse(results)
    ctx = results.get("context", {})
    head = ["smx %s; the dispatcher chose: %s; ISAs this build runs here: %s"
            % (ctx.get("smx_version", "?"), ctx.get("smx_dispatch_isa", "?"), ctx.get("smx_isas", "?"))]
    for key in ("onednn", "onednn_avx2", "xnnpack", "sleef", "inputs", "time_measured", "interleaved"):
        if key in ctx:
            head.append("%-14s %s" % (key + ":", ctx[key]))
    parts = ["\n".join(head) + "\n", summary(rows, ctx)]
    for op, title in OPS:
        if only in (None, op):
            parts.append(op_report(rows, op, title))
    parts.append(noise(rows))
    acc = results.get("smx_accuracy")
    if acc and acc.get("text") and only is None:
        parts.append("Accuracy (smx_accuracy: every implementation against the exact softmax of the "
                     "same float inputs, in long double)" + acc["text"])
    return "\n".join(p for p in parts if p)


def plots(results, out_dir):
    """ns/element against row length, log-log, one line per implementation; SVG and PNG."""
    if not _has_gnuplot():
        return []
    rows = parse(results)
    made = []
    for op, title in OPS:
        impls = sorted({i for (o, i, s) in rows if o == op and "x" not in s}, key=impl_key)
        if op not in PLOTTED or not impls:
            continue
        series = []
        for impl in impls + ["memcpy"]:
            o = "memcpy" if impl == "memcpy" else op
            pts = sorted((int(s), v["ns"]) for (oo, i, s), v in rows.items()
                         if oo == o and i == impl and "x" not in s and v.get("ns"))
            if pts:
                series.append((impl, pts))
        script = []
        for k, (impl, pts) in enumerate(series):
            script.append("$d%d << EOD\n%s\nEOD" % (k, "\n".join("%d %g" % p for p in pts)))
        ctx = results.get("context", {})
        def style(impl):  # ours bold, peers thin, memcpy a dashed black floor
            if impl == "memcpy":
                return " dashtype 2 lc rgb 'black'"
            return " lw 2.5" if impl.startswith("smx_") else " lw 1 dashtype 4"
        plot = ", ".join("$d%d using 1:2 with linespoints title '%s' noenhanced%s" % (k, impl, style(impl))
                         for k, (impl, _) in enumerate(series))
        for ext, term in (("svg", "svg size 960,600 dynamic font 'sans,11'"),
                          ("png", "pngcairo size 960,600 font 'sans,10'")):
            path = os.path.join(out_dir, "%s.%s" % (op, ext))
            script_all = "\n".join(script) + "\n" + "\n".join([
                "set terminal " + term, "set output '%s'" % path,
                "set title \"%s: ns per element vs row length (%s, smx %s)\"" % (
                    title, ctx.get("cpu_model", "?").replace('"', ""), ctx.get("smx_version", "?")),
                "set logscale xy", "set format x '2^{%L}'", "set logscale x 2",
                "set xlabel 'n (floats per row)'", "set ylabel 'ns per element (CPU time, median)'",
                "set key outside right", "set grid", "plot " + plot, "unset output"])
            r = subprocess.run(["gnuplot"], input=script_all, text=True, capture_output=True)
            if r.returncode == 0:
                made.append(path)
    return made


def _has_gnuplot():
    try:
        return subprocess.run(["gnuplot", "--version"], capture_output=True).returncode == 0
    except OSError:
        return False


def compare(runs, only=None, show_all=False):
    """Two or more results side by side: ns/element of each, and each one's time relative
    to the first (< 1: faster than the first).  Rows only one run has are left out unless
    show_all; each op ends with the geometric mean of the ratios over its common rows."""
    parsed = [(path, res.get("context", {}), parse(res)) for path, res in runs]
    names = "ABCDEFGHIJ"
    out = []
    for k, (path, ctx, _) in enumerate(parsed):
        out.append("%s: %s\n   %s, smx %s (%s), %s" % (names[k], path, ctx.get("cpu_model", "?"),
                                                     ctx.get("smx_version", "?"), ctx.get("smx_dispatch_isa", "?"),
                                                     ctx.get("date", "?")))
    out.append("Cells: median ns per element; X/A = X's time / A's time (< 1: X is faster); ! = CV over %d%%\n"
               % (NOISY_CV * 100))
    keys = set()
    for _, _, rows in parsed:
        keys |= set(rows)

    def label(k):
        return "/".join((k[0], k[1], shape_label(k[2])))
    # Wide enough for every name (softmax_sharp/onednn_avx512/256x128256 is 38 characters).
    width = max([34] + [len(label(k)) + 1 for k in keys])
    head = "%-*s" % (width, "op/impl/shape") + "".join("%10s" % names[k] for k in range(len(parsed))) + \
        "".join("%8s" % (names[k] + "/A") for k in range(1, len(parsed)))
    op_order = [o for o, _ in OPS] + ["memcpy"]
    for op in op_order:
        if only not in (None, op):
            continue
        ks = sorted((k for k in keys if k[0] == op), key=lambda k: (shape_key(k[2]), impl_key(k[1])))
        if not ks:
            continue
        out.append(head)
        logs = [[] for _ in parsed[1:]]
        for k in ks:
            vals = [rows.get(k, {}).get("ns") for _, _, rows in parsed]
            if not show_all and sum(v is not None for v in vals) < 2:
                continue
            for j, v in enumerate(vals[1:]):
                if v and vals[0]:
                    logs[j].append(math.log(v / vals[0]))
            marks = ["!" if rows.get(k, {}).get("cv", 0) > NOISY_CV else " " for _, _, rows in parsed]
            line = "%-*s" % (width, label(k))
            line += "".join(fmt(v, 9) + m for v, m in zip(vals, marks))
            line += "".join(fmt(v / vals[0] if v and vals[0] else None, 8) for v in vals[1:])
            out.append(line)
        out.append("%-*s" % (width, ("geometric mean, " + op)[:width]) + " " * (10 * len(parsed)) +
                   "".join(fmt(math.exp(sum(l) / len(l)) if l else None, 8) for l in logs))
        out.append("")
    return "\n".join(out)
