/* Internal: the kernel table that dispatch/ fills, and the names of every ISA's kernels.
 * Arguments reaching a kernel are already validated by dispatch/dispatch.c. */
#ifndef SMX_KERNELS_H
#define SMX_KERNELS_H

#include <stddef.h>
#include <stdint.h>

struct smx_kernels {
    void    (*exp)(const float *x, float *y, size_t n);
    float   (*sum)(const float *x, size_t n);
    float   (*max)(const float *x, size_t n);
    int64_t (*argmax)(const float *x, size_t n);
    float   (*logsumexp)(const float *x, size_t n);
    void    (*softmax_rows)(const float *x, size_t ldx, float *y, size_t ldy,
                            size_t rows, size_t n);
    void    (*log_softmax_rows)(const float *x, size_t ldx, float *y, size_t ldy,
                                size_t rows, size_t n);
    /* Returns the sum of -log softmax(row)[label] over rows with label >= 0 (labels are
     * already checked < n).  If grad != NULL, writes (softmax - onehot) * grad_scale to
     * counted rows and zeros to ignored ones. */
    double  (*cross_entropy_rows)(const float *logits, size_t ldl, const int32_t *labels,
                                  size_t rows, size_t n, float *grad, size_t ldg,
                                  double grad_scale);
};

/* Whether kernels may use streaming (non-temporal) stores for outputs beyond the cache's
 * reach: set by dispatch/ before any kernel runs (on for Intel CPUs, SMX_STREAM=0|1
 * overrides), read-only after that (tests set it between calls). */
extern int smx_stream_stores;

/* Whether AVX-512 softmax's chunked single rows take their min in the exp pass (for the
 * two-operation scale): set by dispatch/ as smx_stream_stores (on for AMD and other non-Intel
 * CPUs, SMX_CHUNK_MIN=0|1 overrides); the same bits either way. */
extern int smx_chunk_min;

/* smx_f32_<op>__<isa>: one set per ISA folder, all built from kernels/generic/. */
#define SMX_DECLARE_KERNELS(isa)                                                           \
    void    smx_f32_exp__##isa(const float *x, float *y, size_t n);                        \
    float   smx_f32_sum__##isa(const float *x, size_t n);                                  \
    float   smx_f32_max__##isa(const float *x, size_t n);                                  \
    int64_t smx_f32_argmax__##isa(const float *x, size_t n);                               \
    float   smx_f32_logsumexp__##isa(const float *x, size_t n);                            \
    void    smx_f32_softmax_rows__##isa(const float *x, size_t ldx, float *y, size_t ldy,  \
                                        size_t rows, size_t n);                            \
    void    smx_f32_log_softmax_rows__##isa(const float *x, size_t ldx, float *y,          \
                                            size_t ldy, size_t rows, size_t n);            \
    double  smx_f32_cross_entropy_rows__##isa(const float *logits, size_t ldl,             \
                                              const int32_t *labels, size_t rows, size_t n,\
                                              float *grad, size_t ldg, double grad_scale);

SMX_DECLARE_KERNELS(scalar)
SMX_DECLARE_KERNELS(sse2)
SMX_DECLARE_KERNELS(avx2)
SMX_DECLARE_KERNELS(avx512)
SMX_DECLARE_KERNELS(neon)

#define SMX_KERNEL_TABLE(isa)                                                              \
    (struct smx_kernels){ smx_f32_exp__##isa, smx_f32_sum__##isa, smx_f32_max__##isa,      \
                          smx_f32_argmax__##isa, smx_f32_logsumexp__##isa,                 \
                          smx_f32_softmax_rows__##isa, smx_f32_log_softmax_rows__##isa,    \
                          smx_f32_cross_entropy_rows__##isa }

#endif
