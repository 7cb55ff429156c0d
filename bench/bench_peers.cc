// The peers: oneDNN, XNNPACK, the SLEEF three-pass per ISA, naive libm loops, and memcpy
// of the same bytes.  Each is present only if this build found it (PEER_HAVE_*) and, for
// the SLEEF files, only if this CPU runs them.
#include <cstring>
#include <memory>

#include "bench.h"
#include "peers/peers.h"

#ifdef PEER_HAVE_SLEEF
#include <sleef.h>
#endif

namespace bench {
namespace {

// Rows one at a time through a single-row function.
template <class RowFn>
void per_row(RowFn fn, const float *x, float *y, const Shape &s) {
    for (size_t r = 0; r < s.rows; r++) fn(x + r * s.n, y + r * s.n, s.n);
}

#ifdef PEER_HAVE_ONEDNN
Impl onednn_impl(bool log_softmax, const char *opname) {
    // Named by the ISA oneDNN's JIT uses in this process (ONEDNN_MAX_CPU_ISA caps it).
    return {std::string("onednn_") + onednn_isa(), [log_softmax, opname](benchmark::State &st, const Shape &s) {
                // Created for each run of the benchmark, outside the timing; oneDNN's
                // primitive cache makes every creation after the first cheap.
                std::unique_ptr<onednn_softmax, void (*)(onednn_softmax *)> op(
                    onednn_softmax_create(s.rows, s.n, log_softmax), onednn_softmax_destroy);
                if (!op) {
                    st.SkipWithError("oneDNN primitive creation failed");
                    return;
                }
                const Op &o = op_by_name(opname);
                const float *x = o.inputs(s.elems());
                float *y = scratch(s.elems());
                onednn_softmax_run(op.get(), x, y); // first execution outside the timing
                timed(st, s, o, [&] { onednn_softmax_run(op.get(), x, y); });
            }};
}
#endif

#ifdef PEER_HAVE_XNNPACK
Impl xnnpack_impl(const char *opname) {
    return {"xnnpack", [opname](benchmark::State &st, const Shape &s) {
                std::unique_ptr<xnnpack_softmax, void (*)(xnnpack_softmax *)> op(
                    xnnpack_softmax_create(s.rows, s.n), xnnpack_softmax_destroy);
                const Op &o = op_by_name(opname);
                const float *x = o.inputs(s.elems());
                float *y = scratch(s.elems());
                if (!op || xnnpack_softmax_run(op.get(), x, y) != 0) {
                    st.SkipWithError("XNNPACK softmax failed");
                    return;
                }
                timed(st, s, o, [&] { xnnpack_softmax_run(op.get(), x, y); });
            }};
}
#endif

std::vector<const peer_sleef *> sleef_isas() {
    const peer_sleef *v[8];
    size_t k = peer_sleef_isas(v, 8);
    return std::vector<const peer_sleef *>(v, v + k);
}

// A row function (x, y, n) as a contestant: batches go row by row.
Impl row_impl(const std::string &name, const char *opname, void (*fn)(const float *, float *, size_t)) {
    return {name, [fn, opname](benchmark::State &st, const Shape &s) {
                const Op &op = op_by_name(opname);
                const float *x = op.inputs(s.elems());
                float *y = scratch(s.elems());
                timed(st, s, op, [&] { per_row(fn, x, y, s); });
            }};
}

// A reduction (x, n) -> T as a contestant (single rows only).
template <class T>
Impl reduce_impl(const std::string &name, const char *opname, T (*fn)(const float *, size_t)) {
    return {name, [fn, opname](benchmark::State &st, const Shape &s) {
                const Op &op = op_by_name(opname);
                const float *x = op.inputs(s.elems());
                timed(st, s, op, [&] { benchmark::DoNotOptimize(fn(x, s.n)); });
            }};
}

Impl naive_cross_entropy(bool with_grad) {
    const char *opname = with_grad ? "cross_entropy" : "cross_entropy_loss";
    return {"naive", [with_grad, opname](benchmark::State &st, const Shape &s) {
                const Op &op = op_by_name(opname);
                const float *x = op.inputs(s.elems());
                float *grad = with_grad ? scratch(s.elems()) : nullptr;
                const std::vector<int32_t> lab = labels(s.rows, s.n);
                timed(st, s, op, [&] {
                    benchmark::DoNotOptimize(naive_cross_entropy_f32(x, lab.data(), s.rows, s.n, grad));
                });
            }};
}

Impl memcpy_impl() {
    return {"memcpy", [](benchmark::State &st, const Shape &s) {
                const Op &op = op_by_name("memcpy");
                const float *x = op.inputs(s.elems());
                float *y = scratch(s.elems());
                timed(st, s, op, [&] { std::memcpy(y, x, s.elems() * sizeof(float)); });
            }};
}

} // namespace

std::vector<Impl> peer_impls(const std::string &op) {
    std::vector<Impl> v;
    if (op == "memcpy") {
        v.push_back(memcpy_impl());
    } else if (op == "softmax" || op == "softmax_sharp") { // the same code, other inputs
        const char *name = op_by_name(op).name; // the table's: outlives the benchmarks
#ifdef PEER_HAVE_ONEDNN
        v.push_back(onednn_impl(false, name));
#endif
#ifdef PEER_HAVE_XNNPACK
        v.push_back(xnnpack_impl(name));
#endif
        for (const peer_sleef *s : sleef_isas()) v.push_back(row_impl(std::string("sleef_") + s->isa, name, s->softmax));
        v.push_back(row_impl("naive", name, naive_softmax_f32));
    } else if (op == "log_softmax") {
#ifdef PEER_HAVE_ONEDNN
        v.push_back(onednn_impl(true, "log_softmax"));
#endif
        for (const peer_sleef *s : sleef_isas())
            if (std::strcmp(s->isa, "scalar") != 0)
                v.push_back(row_impl(std::string("sleef_") + s->isa, "log_softmax", s->log_softmax));
        v.push_back(row_impl("naive", "log_softmax", naive_log_softmax_f32));
    } else if (op == "cross_entropy") {
        v.push_back(naive_cross_entropy(true));
    } else if (op == "cross_entropy_loss") {
        v.push_back(naive_cross_entropy(false));
    } else if (op == "exp") {
        for (const peer_sleef *s : sleef_isas()) v.push_back(row_impl(std::string("sleef_") + s->isa, "exp", s->exp));
        v.push_back(row_impl("naive", "exp", naive_exp_f32));
    } else if (op == "sum") {
        v.push_back(reduce_impl("naive", "sum", naive_sum_f32));
    } else if (op == "max") {
        v.push_back(reduce_impl("naive", "max", naive_max_f32));
    } else if (op == "argmax") {
        v.push_back(reduce_impl("naive", "argmax", naive_argmax_f32));
    } else if (op == "logsumexp") {
        v.push_back(reduce_impl("naive", "logsumexp", naive_logsumexp_f32));
    }
    return v;
}

std::vector<std::pair<std::string, std::string>> peer_context() {
    std::vector<std::pair<std::string, std::string>> c;
#ifdef PEER_HAVE_ONEDNN
    c.push_back({"onednn", std::string(onednn_version()) + " isa " + onednn_isa()});
#endif
#ifdef PEER_HAVE_XNNPACK
    c.push_back({"xnnpack", "yes (system package, no thread pool)"});
#endif
#ifdef PEER_HAVE_SLEEF
    std::string isas;
    for (const peer_sleef *s : sleef_isas()) isas += std::string(isas.empty() ? "" : " ") + s->isa;
    c.push_back({"sleef", std::to_string(SLEEF_VERSION_MAJOR) + "." + std::to_string(SLEEF_VERSION_MINOR) +
                              "." + std::to_string(SLEEF_VERSION_PATCHLEVEL) + " u10, isas " + isas});
#endif
    return c;
}

} // namespace bench
