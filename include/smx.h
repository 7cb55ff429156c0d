/*
 * smx — fast, accurate softmax-family kernels for float32 on CPUs.
 *
 * Every function below has a portable scalar reference and SSE2, AVX2+FMA, AVX-512 and
 * AArch64 NEON versions.  At load time the library reads the CPU once and binds the best
 * version the CPU and OS run; the environment variable SMX_ISA (scalar|sse2|avx2|avx512|neon)
 * caps that choice, and smx_use_isa() pins it later.  All functions are thread-safe and
 * reentrant, never allocate, never change MXCSR/FPCR, and never read or write outside
 * [x, x+n) and [y, y+n) (or the row ranges of the _rows functions), whatever the alignment.
 *
 * Accuracy (round-to-nearest assumed; "ULP" is the spacing of floats at the exact result):
 *   exp          error < 1 ULP (faithful) for every float input, subnormal results included.
 *   softmax      every output within 4 ULP of the exact softmax of the float inputs
 *                (outputs below FLT_MIN aside); |sum(y) - 1| <= 1e-6 for n <= 2^20.
 *   log-softmax  absolute error <= 4 ULP of max(1, |y_k|); logsumexp the same.
 *   sum          error <= (4 + 2 log2 n) * 2^-24 * sum|x_i| (blocked, then double).
 *   cross-entropy loss relative error <= 1e-6, also for confident rows; gradient as softmax.
 * Results are deterministic: the same inputs on the same ISA give the same bits.  Different
 * ISAs may differ, within these bounds.  If the caller sets FTZ/DAZ, results that would be
 * subnormal may be flushed to zero; nothing else changes.
 *
 * Subnormals and speed: Intel x86 cores take a microcode assist (~150 cycles) for every
 * instruction whose result is subnormal, unless the caller set FTZ.  The softmax-family
 * kernels form no value below FLT_MIN that the result does not need: a row none of whose
 * outputs is below FLT_MIN raises no underflow.  The AVX2 and AVX-512 kernels (those an
 * Intel core with the assist runs) go further: softmax outputs, and the gradient's terms
 * but the label's, whose exact value is below FLT_MIN come out +0 without being formed, so
 * sharp rows (logits spread over more than ~80: low temperature, large attention scores)
 * keep their speed (rows whose max is 256 or more in magnitude may still form one value a
 * hair below FLT_MIN now and then).  The scalar, SSE2 and NEON kernels form subnormal
 * outputs; AMD and Arm cores do not slow down for them.
 *
 * Outputs beyond the cache: softmax of more than 2^21 floats in one call (log-softmax: 2^23;
 * the cross-entropy gradient: 2^21 on AVX-512, 2^23 or more on AVX2, in rows over 2^14) is
 * written with streaming (non-temporal) stores on Intel CPUs (AVX2 and AVX-512 kernels),
 * which send it to memory without reading it into the cache first; the call ends with a
 * store fence.  A caller who reads the output at once may prefer it cached: SMX_STREAM=0 in
 * the environment turns streaming off, SMX_STREAM=1 turns it on for other vendors' CPUs
 * (read at load time).  The results are the same bits either way, and a row's outputs are
 * the same bits in a batch of any size as alone (below FLT_MIN aside: +0 or a subnormal).
 * Likewise SMX_CHUNK_MIN=0|1 picks one of two forms of AVX-512 softmax's single rows in
 * cache (the one faster on AMD's cores is on for CPUs other than Intel's): the same bits.
 *
 * Row semantics, the same on every ISA (softmax, log-softmax, logsumexp, cross-entropy):
 *   - a row of all -inf (fully masked): softmax all +0, log-softmax all -inf, logsumexp -inf;
 *   - a NaN anywhere in a row: the whole softmax / log-softmax row is NaN, logsumexp NaN;
 *   - a +inf in a row (and no NaN): softmax / log-softmax row NaN (inf - inf), logsumexp +inf;
 *   - n == 0: nothing is read or written, and NULL pointers are fine.
 * "y may equal x" means exact aliasing; partially overlapping arrays are not supported.
 */
#ifndef SMX_H
#define SMX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SMX_BUILDING_LIBRARY) && defined(__GNUC__)
#define SMX_API __attribute__((visibility("default")))
#else
#define SMX_API
#endif

#define SMX_VERSION_MAJOR 0
#define SMX_VERSION_MINOR 1
#define SMX_VERSION_PATCH 0

typedef enum smx_isa {
    SMX_ISA_SCALAR = 0, /* portable C, the reference                           */
    SMX_ISA_SSE2   = 1, /* x86-64 baseline                                      */
    SMX_ISA_AVX2   = 2, /* AVX2 + FMA (needs OS support for YMM state)          */
    SMX_ISA_AVX512 = 3, /* AVX-512 F/BW/DQ/VL (needs OS support for ZMM state)  */
    SMX_ISA_NEON   = 4  /* AArch64 Advanced SIMD                                */
} smx_isa;

typedef enum smx_status {
    SMX_OK           = 0,
    SMX_EINVAL       = -1, /* bad argument; nothing was written                */
    SMX_EUNSUPPORTED = -2  /* ISA not in this build or not run by this CPU/OS  */
} smx_status;

/* ---- Dispatch ------------------------------------------------------------------------- */

/* The ISA whose kernels the functions below use now. */
SMX_API smx_isa smx_active_isa(void);

/* "scalar" "sse2" "avx2" "avx512" "neon"; NULL if isa is out of range. */
SMX_API const char *smx_isa_name(smx_isa isa);

/* 1 if this build has kernels for isa AND the CPU and OS run them; else 0.
 * SMX_ISA_SCALAR is always supported. */
SMX_API int smx_isa_supported(smx_isa isa);

/* Process-wide pin, for tests and benchmarks: from now on every call uses isa's kernels
 * (operations that isa lacks fall back to the tier below).  Returns SMX_EUNSUPPORTED and
 * changes nothing if isa is out of range or not supported.  Not meant to be called while
 * other threads are inside smx calls (each call is still safe, but may use either ISA). */
SMX_API smx_status smx_use_isa(smx_isa isa);

/* ---- Element-wise and reductions over one array of n floats ----------------------------- */

/* y[i] = e^x[i].  y may equal x.  Error < 1 ULP for every input, subnormal results included;
 * x <= -104 gives +0 (e^x is below half the smallest subnormal); x > 88.7228394 gives +inf;
 * exp(-inf) = +0, exp(+inf) = +inf, exp(NaN) = NaN, exp(+-0) = 1.  n == 0: nothing touched. */
SMX_API void smx_exp_f32(const float *x, float *y, size_t n);

/* Sum of x[0..n).  Summed in blocks of at most 16 additions per lane, block sums added in
 * double: error <= (4 + 2 log2 n) * 2^-24 * sum|x_i|.  NaN in, or +inf and -inf both in:
 * NaN.  Overflow past FLT_MAX: +-inf.  n == 0 -> +0. */
SMX_API float smx_sum_f32(const float *x, size_t n);

/* Largest element, exact.  NaN anywhere -> NaN.  max(-0, +0) may be either zero.
 * n == 0 -> -inf. */
SMX_API float smx_max_f32(const float *x, size_t n);

/* Index of the first element equal to the maximum; if any element is NaN, the index of the
 * first NaN.  -0 and +0 compare equal.  n == 0 -> -1. */
SMX_API int64_t smx_argmax_f32(const float *x, size_t n);

/* log(sum e^x[i]), computed as m + log(sum e^(x[i]-m)) without overflow.  Absolute error
 * <= 4 ULP of max(1, |result|).  n == 0 or all -inf -> -inf; any +inf (no NaN) -> +inf;
 * any NaN -> NaN. */
SMX_API float smx_logsumexp_f32(const float *x, size_t n);

/* y = softmax(x) over the n elements (one row).  y may equal x.  Row semantics above.
 * Outputs below FLT_MIN are outside the 4-ULP bound: the AVX2 and AVX-512 kernels give +0
 * for an output whose exact value is below FLT_MIN, the others +0 or a subnormal within
 * 2 FLT_MIN.  Rows of 2^21 or more elements take two passes over memory on AVX-512 (same
 * accuracy). */
SMX_API void smx_softmax_f32(const float *x, float *y, size_t n);

/* y = log(softmax(x)) = x - logsumexp(x).  y may equal x.  Row semantics above. */
SMX_API void smx_log_softmax_f32(const float *x, float *y, size_t n);

/* ---- Batches of rows ------------------------------------------------------------------ */

/* rows x n matrices, row-major; ldx and ldy are the distances between row starts, in
 * elements.  Row r is read from x[r*ldx .. r*ldx+n) and written to y[r*ldy .. r*ldy+n);
 * the padding between rows is neither read nor written.  y may equal x when ldy == ldx.
 * SMX_EINVAL, with nothing written, if x or y is NULL while rows*n > 0, if ldx < n or
 * ldy < n (whatever rows is), or if the last row's end does not fit in size_t (counted in
 * bytes).  Otherwise rows == 0 or n == 0 gives SMX_OK with nothing read or written. */
SMX_API smx_status smx_softmax_rows_f32(const float *x, size_t ldx, float *y, size_t ldy,
                                        size_t rows, size_t n);
SMX_API smx_status smx_log_softmax_rows_f32(const float *x, size_t ldx, float *y, size_t ldy,
                                            size_t rows, size_t n);

/* Softmax cross-entropy with integer labels, for softmax regression and classifier heads.
 *   logits: rows x n, leading dimension ldl.  labels[i] in [0, n) is row i's class;
 *   labels[i] < 0 means row i is ignored (does not count, gradient row zero).
 *   *loss = mean over counted rows of -log softmax(row)[label]; 0 if no row counts.
 *     Relative error <= 1e-6, also when the loss is tiny (confident rows use log1p of the
 *     other classes' sum, formed 2^100 larger when those terms are near FLT_MIN); a loss
 *     below FLT_MIN (a label above the rest by ~90 or more) is a subnormal float, within
 *     2^-149 of the exact loss.  A NaN or
 *     +inf logit in a counted row gives a NaN loss (its log-softmax row is NaN); a -inf
 *     logit at the label, or a fully masked row, gives +inf.
 *   grad, if not NULL (leading dimension ldg): row i = (softmax(row i) - onehot(label i))
 *     / counted, zero for ignored rows; accuracy as softmax, and the label's entry
 *     p - 1 is formed as -(others' sum)/sum, accurate even when p is within 2^-24 of 1.
 *     A fully masked row's gradient is 0 except -1/counted at the label.  grad may equal
 *     logits when ldg == ldl: the gradient then overwrites the logits (saves memory), the
 *     same bits as a separate gradient's (below FLT_MIN aside, as above).
 * rows == 0: SMX_OK, *loss = 0 (when loss is not NULL).  SMX_EINVAL and nothing written
 * (not even *loss) if any label >= n, if labels or loss is NULL (rows > 0), if logits is
 * NULL while rows*n > 0, if ldl < n, if grad != NULL and ldg < n, or if a matrix's end does
 * not fit in size_t.  Validation covers every row before anything is written.  With
 * n == 0 every label must be negative (ignored), and then *loss = 0. */
SMX_API smx_status smx_cross_entropy_f32(const float *logits, size_t ldl,
                                         const int32_t *labels, size_t rows, size_t n,
                                         float *loss, float *grad, size_t ldg);

#ifdef __cplusplus
}
#endif

#endif /* SMX_H */
