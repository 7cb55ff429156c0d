// oneDNN's softmax_v2 primitive behind peers.h's C interface.  The primitive (and its JIT
// code) is created once per shape; a call only rebinds the data pointers and executes,
// which still costs oneDNN's fixed ~200 ns of dispatch per call.
#include <cstdio>
#include <new>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>
#ifdef PEER_HAVE_OPENMP
#include <omp.h>
#endif

#include "peers.h"

struct onednn_softmax {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    dnnl::memory src, dst;
    dnnl::softmax_v2_forward prim;
    std::unordered_map<int, dnnl::memory> args;
};

extern "C" onednn_softmax *onednn_softmax_create(size_t rows, size_t n, int log_softmax) {
#ifdef PEER_HAVE_OPENMP
    omp_set_num_threads(1); // every other contestant runs on one thread
#endif
    try {
        auto *op = new onednn_softmax;
        dnnl::memory::desc md({(dnnl::memory::dim)rows, (dnnl::memory::dim)n},
                              dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
        auto alg = log_softmax ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
        dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, md, md, 1);
        dnnl::softmax_v2_forward::primitive_desc pd(d, op->engine);
        op->prim = dnnl::softmax_v2_forward(pd);
        op->src = dnnl::memory(md, op->engine, DNNL_MEMORY_NONE);
        op->dst = dnnl::memory(md, op->engine, DNNL_MEMORY_NONE);
        op->args = {{DNNL_ARG_SRC, op->src}, {DNNL_ARG_DST, op->dst}};
        return op;
    } catch (const dnnl::error &e) {
        std::fprintf(stderr, "oneDNN softmax %zux%zu: %s\n", rows, n, e.what());
        return nullptr;
    } catch (const std::bad_alloc &) {
        return nullptr;
    }
}

extern "C" void onednn_softmax_run(onednn_softmax *op, const float *x, float *y) {
    // The memory objects in op->args share their handles with op->src and op->dst.
    op->src.set_data_handle(const_cast<float *>(x));
    op->dst.set_data_handle(y);
    op->prim.execute(op->stream, op->args);
    op->stream.wait();
}

extern "C" void onednn_softmax_destroy(onednn_softmax *op) { delete op; }

extern "C" const char *onednn_isa(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2:
    case dnnl_cpu_isa_avx2_vnni: return "avx2";
    case dnnl_cpu_isa_avx512_mic:
    case dnnl_cpu_isa_avx512_mic_4ops:
    case dnnl_cpu_isa_avx512_core:
    case dnnl_cpu_isa_avx512_core_vnni:
    case dnnl_cpu_isa_avx512_core_bf16:
    case dnnl_cpu_isa_avx512_core_amx: return "avx512";
    default: return "any";
    }
}

extern "C" const char *onednn_version(void) {
    static char buf[32];
    const dnnl_version_t *v = dnnl_version();
    std::snprintf(buf, sizeof buf, "%d.%d.%d", v->major, v->minor, v->patch);
    return buf;
}
