// smx_bench: every op x shape x implementation (our kernels on each ISA, then the peers),
// registered shape by shape so that contestants run side by side in one process.
//
//   smx_bench [Google Benchmark flags]       e.g. --benchmark_filter=^softmax/
//   smx_bench --benchmark_list_tests         the names, op/impl/shape
//
// bench/report.py runs it with repetitions, pinned to one CPU, and prints the tables.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <smx.h>

#include "bench.h"

namespace bench {

const std::vector<Op> &ops() {
    static const std::vector<Op> table = {
        // name                 batches  bytes/elem bytes/row
        {"softmax",             true,    8, 0},
        {"softmax_sharp",       true,    8, 0, logits_sharp}, // softmax of N(0, 30) logits
        {"log_softmax",         true,    8, 0},
        {"cross_entropy",       true,    8, 4}, // logits in, gradient out, labels in
        {"cross_entropy_loss",  true,    4, 4},
        {"exp",                 false,   8, 0},
        {"sum",                 false,   4, 0},
        {"max",                 false,   4, 0},
        {"argmax",              false,   4, 0},
        {"logsumexp",           false,   4, 0},
        {"memcpy",              true,    8, 0}, // the floor: the same bytes, read and written
    };
    return table;
}

const Op &op_by_name(const std::string &name) {
    for (const Op &op : ops())
        if (name == op.name) return op;
    throw std::invalid_argument("unknown op " + name);
}

float *scratch(size_t n) {
    static Buffer buf;
    if (buf.size() < n) buf = Buffer(n);
    return buf.data();
}

} // namespace bench

namespace {

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        // "model name" on x86; AArch64 kernels print no model name, only "CPU part".
        if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
            size_t colon = line.find(':');
            if (colon != std::string::npos) return line.substr(std::min(colon + 2, line.size()));
        }
    }
    return "unknown";
}

void add_context() {
    benchmark::AddCustomContext("smx_version", std::to_string(SMX_VERSION_MAJOR) + "." +
                                                   std::to_string(SMX_VERSION_MINOR) + "." +
                                                   std::to_string(SMX_VERSION_PATCH));
    // Read before any benchmark pins an ISA: what the dispatcher chose on its own.
    benchmark::AddCustomContext("smx_dispatch_isa", smx_isa_name(smx_active_isa()));
    std::string isas;
    for (int i = SMX_ISA_SCALAR; i <= SMX_ISA_NEON; i++)
        if (smx_isa_supported((smx_isa)i)) isas += std::string(isas.empty() ? "" : " ") + smx_isa_name((smx_isa)i);
    benchmark::AddCustomContext("smx_isas", isas);
    if (const char *env = std::getenv("SMX_ISA")) benchmark::AddCustomContext("SMX_ISA", env);
    benchmark::AddCustomContext("cpu_model", cpu_model());
    benchmark::AddCustomContext("inputs", "N(0," + std::to_string((int)bench::kSigma) +
                                              ") logits (softmax_sharp: N(0," +
                                              std::to_string((int)bench::kSigmaSharp) + ")), seed " +
                                              std::to_string(bench::kSeed));
    for (const auto &kv : bench::peer_context()) benchmark::AddCustomContext(kv.first, kv.second);
}

double min_of(const std::vector<double> &v) { return *std::min_element(v.begin(), v.end()); }
double max_of(const std::vector<double> &v) { return *std::max_element(v.begin(), v.end()); }

void register_all() {
    for (const bench::Op &op : bench::ops()) {
        std::vector<bench::Shape> shapes = bench::single_rows();
        if (op.batches)
            for (const auto &b : bench::batches()) shapes.push_back(b);
        std::vector<bench::Impl> impls = bench::smx_impls(op.name);
        for (auto &p : bench::peer_impls(op.name)) impls.push_back(std::move(p));
        for (const bench::Shape &s : shapes) {
            for (const bench::Impl &impl : impls) {
                std::string name = std::string(op.name) + "/" + impl.name + "/" + s.name();
                auto run = impl.run;
                benchmark::RegisterBenchmark(name.c_str(), [run, s](benchmark::State &st) { run(st, s); })
                    ->Unit(benchmark::kMicrosecond)
                    ->ComputeStatistics("min", min_of)
                    ->ComputeStatistics("max", max_of);
            }
        }
    }
}

} // namespace

int main(int argc, char **argv) {
    // Line-buffered even into a pipe: bench/report.py shows progress as lines arrive.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    add_context();
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
