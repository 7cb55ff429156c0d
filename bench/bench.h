// The benchmark program's internal interface.  Benchmarks are named op/impl/shape:
//   softmax/smx_avx512/1000, softmax/onednn_avx2/4096x128, exp/sleef_avx2/32000, ...
// Every implementation of one op runs on the same inputs and shapes, registered side by
// side (shape by shape), so that medians and ratios come from one run of one process.
#ifndef SMX_BENCH_BENCH_H
#define SMX_BENCH_BENCH_H

#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "common.h"

namespace bench {

// One contestant for one op: runs the whole benchmark (setup, timed loop, counters).
struct Impl {
    std::string name;
    std::function<void(benchmark::State &, const Shape &)> run;
};

// The ops, in report order.  Single-row-only ops get no batch shapes.
struct Op {
    const char *name;
    bool batches;           // also run the batch shapes (rows x n)
    double bytes_per_elem;  // bytes read + written per element (minimum traffic)
    double bytes_per_row;   // labels for cross-entropy
    // The inputs every contestant of this op reads: a prefix of n floats of a cached buffer.
    const float *(*inputs)(size_t n) = logits;
};
const std::vector<Op> &ops();

std::vector<Impl> smx_impls(const std::string &op);
std::vector<Impl> peer_impls(const std::string &op);
// Key/value lines for the JSON context (versions, ISAs the peers use).
std::vector<std::pair<std::string, std::string>> peer_context();

// A zeroed output buffer of at least n floats, shared by all benchmarks (one thread).
float *scratch(size_t n);

// The timed loop and the counters every benchmark reports: items (elements) per second,
// bytes (read + written) per second and ns per element.
template <class Call>
void timed(benchmark::State &st, const Shape &s, const Op &op, Call &&call) {
    for (auto _ : st) {
        call();
        benchmark::ClobberMemory();
    }
    const double elems = (double)s.elems();
    const double bytes = op.bytes_per_elem * elems + op.bytes_per_row * (double)s.rows;
    st.SetItemsProcessed((int64_t)(st.iterations() * elems));
    st.SetBytesProcessed((int64_t)(st.iterations() * bytes));
    // A rate of elems * 1e-9 per iteration, inverted: nanoseconds per element.
    st.counters["ns_per_elem"] = benchmark::Counter(
        elems * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

const Op &op_by_name(const std::string &name);

} // namespace bench

#endif
