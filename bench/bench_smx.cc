// Our kernels, once per ISA this build has and this CPU runs.  Each benchmark pins its ISA
// with smx_use_isa() when it starts, so any order of benchmarks measures the right code.
#include <smx.h>

#include "bench.h"

namespace bench {
namespace {

// The body of one op on one shape, for the ISA pinned just before.
void run_op(benchmark::State &st, const std::string &name, const Shape &s) {
    const Op &op = op_by_name(name);
    const size_t n = s.n, rows = s.rows;
    const float *x = op.inputs(s.elems());
    float *y = scratch(s.elems());

    if (name == "softmax" || name == "softmax_sharp") {
        if (rows == 1) timed(st, s, op, [&] { smx_softmax_f32(x, y, n); });
        else timed(st, s, op, [&] { smx_softmax_rows_f32(x, n, y, n, rows, n); });
    } else if (name == "log_softmax") {
        if (rows == 1) timed(st, s, op, [&] { smx_log_softmax_f32(x, y, n); });
        else timed(st, s, op, [&] { smx_log_softmax_rows_f32(x, n, y, n, rows, n); });
    } else if (name == "cross_entropy" || name == "cross_entropy_loss") {
        const std::vector<int32_t> lab = labels(rows, n);
        float *grad = name == "cross_entropy" ? y : nullptr;
        float loss = 0.0f;
        timed(st, s, op, [&] {
            smx_cross_entropy_f32(x, n, lab.data(), rows, n, &loss, grad, n);
            benchmark::DoNotOptimize(loss);
        });
    } else if (name == "exp") {
        timed(st, s, op, [&] { smx_exp_f32(x, y, n); });
    } else if (name == "sum") {
        timed(st, s, op, [&] { benchmark::DoNotOptimize(smx_sum_f32(x, n)); });
    } else if (name == "max") {
        timed(st, s, op, [&] { benchmark::DoNotOptimize(smx_max_f32(x, n)); });
    } else if (name == "argmax") {
        timed(st, s, op, [&] { benchmark::DoNotOptimize(smx_argmax_f32(x, n)); });
    } else if (name == "logsumexp") {
        timed(st, s, op, [&] { benchmark::DoNotOptimize(smx_logsumexp_f32(x, n)); });
    }
}

} // namespace

std::vector<Impl> smx_impls(const std::string &op) {
    std::vector<Impl> impls;
    if (op == "memcpy") return impls;
    for (int i = SMX_ISA_SCALAR; i <= SMX_ISA_NEON; i++) {
        smx_isa isa = (smx_isa)i;
        if (!smx_isa_supported(isa)) continue;
        impls.push_back({std::string("smx_") + smx_isa_name(isa),
                         [isa, op](benchmark::State &st, const Shape &s) {
                             if (smx_use_isa(isa) != SMX_OK) {
                                 st.SkipWithError("smx_use_isa failed");
                                 return;
                             }
                             run_op(st, op, s);
                         }});
    }
    return impls;
}

} // namespace bench
