/* The peers smx is measured against, behind one small C interface shared by the benchmark
 * and the accuracy program.  Each family lives in its own file; the SLEEF files are
 * compiled with their ISA's flags and nothing else is.  meson defines PEER_HAVE_* for the
 * families this build has (every peer is optional). */
#ifndef SMX_BENCH_PEERS_H
#define SMX_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- naive.c: what one writes with libm and no thought about vectors ------------------- */
void naive_softmax_f32(const float *x, float *y, size_t n);     /* max; expf + float sum; scale */
void naive_log_softmax_f32(const float *x, float *y, size_t n); /* max; float sum; x - m - logf */
void naive_exp_f32(const float *x, float *y, size_t n);
float naive_sum_f32(const float *x, size_t n);
float naive_max_f32(const float *x, size_t n);
int64_t naive_argmax_f32(const float *x, size_t n);
float naive_logsumexp_f32(const float *x, size_t n);
/* Mean loss over rows (all labels counted); grad, if not NULL, gets (softmax - onehot) / rows. */
float naive_cross_entropy_f32(const float *logits, const int32_t *labels, size_t rows,
                              size_t n, float *grad);

/* ---- sleef_<isa>.c: the three-pass softmax written with SLEEF's u10 expf ------------------
 * max (several accumulators); exp(x - m) stored and summed (one vector accumulator);
 * scale by 1/s.  Log-softmax: max; sum of exp(x - m); y = x - (m + logf(s)).
 * The yardstick: what a careful engineer writes with a good vector libm. */
#define PEER_DECLARE_SLEEF(isa)                                                            \
    void sleef_softmax_f32_##isa(const float *x, float *y, size_t n);                      \
    void sleef_log_softmax_f32_##isa(const float *x, float *y, size_t n);                  \
    void sleef_exp_f32_##isa(const float *x, float *y, size_t n);
PEER_DECLARE_SLEEF(scalar)
PEER_DECLARE_SLEEF(sse2)
PEER_DECLARE_SLEEF(avx2)
PEER_DECLARE_SLEEF(avx512)
PEER_DECLARE_SLEEF(neon)

/* ---- onednn.cc: oneDNN's softmax_v2 primitive (softmax_accurate or softmax_log) ----------
 * Created once for rows x n (packed rows, axis 1), then executed on any x, y.
 * Single-threaded: the wrapper asks OpenMP for one thread when it can; run under
 * OMP_NUM_THREADS=1 (the report does) to be sure. */
typedef struct onednn_softmax onednn_softmax;
onednn_softmax *onednn_softmax_create(size_t rows, size_t n, int log_softmax); /* NULL: failed */
void onednn_softmax_run(onednn_softmax *op, const float *x, float *y);
void onednn_softmax_destroy(onednn_softmax *op);
/* The ISA oneDNN's JIT targets now ("avx512", "avx2", "avx", "sse41", "any"), which
 * ONEDNN_MAX_CPU_ISA caps; and its version. */
const char *onednn_isa(void);
const char *onednn_version(void);

/* ---- xnnpack.c: XNNPACK's softmax_nc_f32 operator, no thread pool --------------------------
 * Created once for rows x n; xnn_setup is called again only when x or y changes. */
typedef struct xnnpack_softmax xnnpack_softmax;
xnnpack_softmax *xnnpack_softmax_create(size_t rows, size_t n); /* NULL: failed */
int xnnpack_softmax_run(xnnpack_softmax *op, const float *x, float *y); /* 0: ok */
void xnnpack_softmax_destroy(xnnpack_softmax *op);

/* sleef_table.c: the SLEEF files this build has and this CPU runs, lowest ISA first.
 * Fills out[0..k) and returns k (at most max). */
struct peer_sleef {
    const char *isa; /* "scalar", "sse2", "avx2", "avx512", "neon" */
    void (*softmax)(const float *x, float *y, size_t n);
    void (*log_softmax)(const float *x, float *y, size_t n);
    void (*exp)(const float *x, float *y, size_t n);
};
size_t peer_sleef_isas(const struct peer_sleef **out, size_t max);

#ifdef __cplusplus
}
#endif

#endif
