#!/usr/bin/env python3
"""The smx benchmark report: runs smx_bench and smx_accuracy, prints readable tables, writes
the raw JSON and gnuplot plots.  Python 3 standard library only (gnuplot for the plots).

  bench/report.sh                         the usual entry point: installs, builds, runs this
  bench/report.py run --build DIR [...]   run and report (see --help)
  bench/report.py show results.json       print the tables of an earlier run again
  bench/report.py compare A.json B.json   two or more runs side by side, with ratios

Times are the CPU time of the one benchmark thread (every contestant runs on one thread),
the median of the repetitions; CV is the coefficient of variation over those repetitions.
Medians, spreads and ratios all come from the same run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import report_cpu
import report_tables

HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """One status line (a TTY) or a line per op and every 10% (a log): which benchmark,
    how many are done, how long it should take."""

    def __init__(self, label, total):
        self.label, self.total, self.done = label, total, 0
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()
        self.last_op, self.last_decile = None, -1

    def step(self, name):
        self.done += 1
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        text = "  %s [%3d/%d] %-36s %4.0fs elapsed, ~%.0fs left" % (
            self.label, self.done, self.total, name[:36], elapsed, left)
        if self.tty:
            sys.stderr.write("\r" + text[:110].ljust(110))
            sys.stderr.flush()
            return
        op, decile = name.split("/")[0], self.done * 10 // max(self.total, 1)
        if op != self.last_op or decile != self.last_decile:
            log(text)
            self.last_op, self.last_decile = op, decile

    def finish(self):
        if self.tty:
            sys.stderr.write("\n")
        log("  %s: %d benchmarks in %.0f s" % (self.label, self.done, time.monotonic() - self.start))


def pinned(cpu):
    """preexec_fn for Popen: run the child on one CPU (noise from migrations, and a fair
    field for libraries that would otherwise start threads)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def list_benchmarks(exe, bench_filter, env):
    listed = subprocess.run([exe, "--benchmark_list_tests", "--benchmark_filter=" + bench_filter],
                            env=env, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def op_groups(names):
    """The benchmark names grouped by op (the part before the first '/'), in list order."""
    groups = {}
    for n in names:
        groups.setdefault(n.split("/")[0], []).append(n)
    return list(groups.items())


def run_bench(exe, label, bench_filter, out_json, args, cpu, env_extra, context, only=None,
              names=None):
    """Runs smx_bench over the benchmarks that match bench_filter (and contain `only`), or
    over `names`, writing Google Benchmark's JSON to out_json; shows progress as the console
    output streams in.  With args.interleave the repetitions of all of them run in a random
    order (Google Benchmark prints them only at the end)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", **env_extra)
    if names is None:
        names = [n for n in list_benchmarks(exe, bench_filter, env) if only is None or only in n]
    if not names:
        return False
    # the names are [a-z0-9_/x]: an alternation of them is a safe regex
    bench_filter = "^(%s)$" % "|".join(names)
    total = len(names)
    cmd = [exe, "--benchmark_filter=" + bench_filter,
           "--benchmark_repetitions=%d" % args.repetitions,
           "--benchmark_report_aggregates_only=true",
           "--benchmark_min_time=%g" % args.min_time,
           "--benchmark_out=" + out_json, "--benchmark_out_format=json"]
    if args.interleave:
        cmd.append("--benchmark_enable_random_interleaving=true")
    cmd += ["--benchmark_context=%s=%s" % (k, v.replace(",", ";")) for k, v in sorted(context.items())]
    progress = Progress(label, total)
    seen, errors, console = set(), [], []
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1, preexec_fn=pinned(cpu))
    for line in proc.stdout:
        console.append(line)
        m = re.match(r"^(\S+?)(_median)?\s", line)
        if not m or "/" not in m.group(1):
            continue
        name = m.group(1)
        if "ERROR OCCURRED" in line:
            errors.append(line.strip())
        elif not m.group(2):
            continue
        if name not in seen:
            seen.add(name)
            progress.step(name)
    proc.wait()
    progress.finish()
    for e in errors:
        log("  skipped: " + e)
    if proc.returncode != 0:
        sys.stderr.write("".join(console[-30:]))
        sys.exit("smx_bench failed (exit %d): %s" % (proc.returncode, " ".join(cmd)))
    return True


def cmd_run(args):
    build = os.path.abspath(args.build)
    exe = os.path.join(build, "bench", "smx_bench")
    acc_exe = os.path.join(build, "bench", "smx_accuracy")
    if not os.access(exe, os.X_OK):
        sys.exit("%s not found: build first (bench/report.sh does)" % exe)
    out = os.path.abspath(args.out or os.path.join(build, "report"))
    os.makedirs(out, exist_ok=True)
    t0 = time.monotonic()

    cpu = report_cpu.info()
    pin = None if args.no_pin else report_cpu.pick_cpu()
    context = report_cpu.context(cpu)
    context["pinned_cpu"] = "none" if pin is None else str(pin)
    context["repetitions"] = str(args.repetitions)
    context["min_time_s"] = "%g" % args.min_time
    context["time_measured"] = "CPU time of the benchmark thread; median of the repetitions"
    context["interleaved"] = ("each op's repetitions in a random order" if args.interleave
                              else "no: each benchmark's repetitions back to back")
    print(report_cpu.describe(cpu))
    print("Pinned to CPU %s; %d repetitions of >= %g s each; OMP_NUM_THREADS=1.\n"
          % (pin, args.repetitions, args.min_time))

    main_json = os.path.join(out, "raw-main.json")
    log("Running smx_bench (%s) ..." % args.filter)
    if args.interleave:
        # One op at a time, its contestants' repetitions in a random order: this machine's
        # speed drifts over minutes (a shared host), and a contestant measured only in a slow
        # spell would look slower than it is against one measured in a fast spell.
        log("  (repetitions interleaved within each op: each op's times arrive at its end)")
        results = None
        groups = op_groups(list_benchmarks(exe, args.filter, dict(os.environ)))
        if not groups:
            sys.exit("no benchmark matches %r" % args.filter)
        for op, names in groups:
            op_json = os.path.join(out, "raw-%s.json" % op)
            run_bench(exe, op, args.filter, op_json, args, pin, {}, context, names=names)
            with open(op_json) as f:
                part = json.load(f)
            os.remove(op_json)
            if results is None:
                results = part
            else:
                results["benchmarks"] += part["benchmarks"]
        with open(main_json, "w") as f:
            json.dump(results, f, indent=1)
    else:
        run_bench(exe, "bench", args.filter, main_json, args, pin, {}, context)
        with open(main_json) as f:
            results = json.load(f)

    # oneDNN picks its JIT ISA once per process: its AVX2 code needs a second process with
    # ONEDNN_MAX_CPU_ISA=AVX2.  Only worth it when the first process ran something better.
    if "avx512" in results["context"].get("onednn", "") and not args.no_onednn_avx2:
        avx2_json = os.path.join(out, "raw-onednn-avx2.json")
        log("Running oneDNN again with ONEDNN_MAX_CPU_ISA=AVX2 ...")
        if run_bench(exe, "onednn-avx2", args.filter, avx2_json, args, pin,
                     {"ONEDNN_MAX_CPU_ISA": "AVX2"}, context, only="/onednn_"):
            with open(avx2_json) as f:
                extra = json.load(f)
            have = {b["name"] for b in results["benchmarks"]}
            results["benchmarks"] += [b for b in extra["benchmarks"] if b["name"] not in have]
            results["context"]["onednn_avx2"] = ("a second process, ONEDNN_MAX_CPU_ISA=AVX2: "
                                                 + extra["context"].get("onednn", "?"))

    if not args.no_accuracy and os.access(acc_exe, os.X_OK):
        log("Running smx_accuracy ...")
        acc_json = os.path.join(out, "accuracy.json")
        acc = subprocess.run([acc_exe, "--json", acc_json] + (["--quick"] if args.quick_accuracy else []),
                             capture_output=True, text=True, preexec_fn=pinned(pin),
                             env=dict(os.environ, OMP_NUM_THREADS="1"))
        if acc.returncode == 0:
            with open(acc_json) as f:
                results["smx_accuracy"] = json.load(f)
            results["smx_accuracy"]["text"] = acc.stdout
        else:
            log("smx_accuracy failed (exit %d):\n%s" % (acc.returncode, acc.stderr))

    results_json = os.path.join(out, "results.json")
    with open(results_json, "w") as f:
        json.dump(results, f, indent=1)
    report = report_tables.full_report(results)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(report_cpu.describe(cpu) + "\n" + report)
    print(report)
    plots = report_tables.plots(results, out)
    print("Raw results (Google Benchmark JSON + context + accuracy): %s" % results_json)
    print("Tables as text: %s" % os.path.join(out, "report.txt"))
    if plots:
        print("Plots: " + ", ".join(plots))
    print("Compare with another run: bench/report.py compare %s OTHER.json" % results_json)
    log("Report done in %.0f s." % (time.monotonic() - t0))


def cmd_show(args):
    with open(args.json) as f:
        results = json.load(f)
    ctx = results.get("context", {})
    for key in ("cpu_model", "cpu_vendor", "cpu_cores", "cpu_caches", "cpu_features",
                "smx_version", "smx_dispatch_isa", "date"):
        if key in ctx:
            print("%-18s %s" % (key, ctx[key]))
    print(report_tables.full_report(results, only=args.op))


def cmd_compare(args):
    runs = []
    for path in args.json:
        with open(path) as f:
            runs.append((path, json.load(f)))
    print(report_tables.compare(runs, only=args.op, show_all=args.all))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the benchmark and the accuracy program, print the report")
    r.add_argument("--build", default="build-report", help="meson build dir with bench/smx_bench")
    r.add_argument("--out", help="where to write results.json, report.txt, plots (default BUILD/report)")
    r.add_argument("--filter", default=".", help="Google Benchmark regex over op/impl/shape names")
    r.add_argument("--repetitions", type=int, default=5)
    r.add_argument("--min-time", type=float, default=0.02, help="seconds per repetition (at least one iteration)")
    r.add_argument("--no-pin", action="store_true", help="do not pin the benchmark to one CPU")
    r.add_argument("--no-interleave", dest="interleave", action="store_false",
                   help="run each benchmark's repetitions back to back (progress as they go) "
                        "instead of interleaving an op's repetitions in a random order")
    r.add_argument("--no-onednn-avx2", action="store_true", help="skip the second oneDNN process")
    r.add_argument("--no-accuracy", action="store_true")
    r.add_argument("--quick-accuracy", action="store_true", help="accuracy at n = 1000, 32000 only")
    r.set_defaults(fn=cmd_run)
    s = sub.add_parser("show", help="print the tables of a results.json again")
    s.add_argument("json")
    s.add_argument("--op", help="only this op (softmax, exp, ...)")
    s.set_defaults(fn=cmd_show)
    c = sub.add_parser("compare", help="two or more results side by side, with ratios to the first")
    c.add_argument("json", nargs="+")
    c.add_argument("--op", help="only this op (softmax, exp, ...)")
    c.add_argument("--all", action="store_true", help="also rows that only one run has")
    c.set_defaults(fn=cmd_compare)
    args = p.parse_args()
    if args.cmd == "compare" and len(args.json) < 2:
        p.error("compare needs two or more JSON files")
    args.fn(args)


if __name__ == "__main__":
    main()
