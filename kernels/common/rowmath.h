/* Internal: the per-row scalar decisions shared by every ISA's softmax-family kernels.
 * Compiled once, without ISA flags; called once per row.
 *
 * How a row's exponentials are formed (DESIGN.md: "the rounding error of z - m"):
 * softmax is unchanged by any shift, so instead of rounding z - m we compute
 *     num_k = e^(z_k - shift) * 2^-N
 * where z_k - shift is exact for every element that matters:
 *   |m| <  256: shift = 0 (nothing to round) and N = (m / ln2 rounded to an integer) - 1, so
 *               e^m 2^-N lies in [2^0.5, 2^1.5): every num is below 2^1.5, and the sum is
 *               above 1, so a num below 2^-126 (flushed to +0 by some exps) belongs to an
 *               output below FLT_MIN;
 *   |m| >= 256: shift = m and N = 0; an element with e^(z - m) above 2^-150 has
 *               z >= m - 104, within a factor of two of m, so z - m is exact (Sterbenz).
 * Elements below `lo` are clamped to it, which gives num = +0 (and keeps n finite). */
#ifndef SMX_ROWMATH_H
#define SMX_ROWMATH_H

#include <stddef.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "generic/exp_const.h"

enum smx_row_kind {
    SMX_ROW_FINITE = 0, /* m finite: the normal path                            */
    SMX_ROW_MASKED,     /* every element -inf, none NaN                         */
    SMX_ROW_NAN,        /* a NaN in the row                                     */
    SMX_ROW_POSINF      /* a +inf in the row, no NaN                            */
};

struct smx_row_plan {
    int   kind;
    float shift;   /* subtracted from every element (exactly where it matters)   */
    float lo;      /* clamp: (m - shift) - 110, whose num is +0                   */
    float neg_n;   /* -N, added to the exponent n                                */
    double log_scale; /* shift + N ln2, so that logsumexp = log_scale + log(sum num) */
    float max;        /* the row max the plan was made from                           */
};

/* a * b + c: one rounding where the kernel's ISA has FMA (AVX2, AVX-512, AArch64), which
 * rowmath's scalar steps use on the short rows' latency chain (C11 mode contracts nothing
 * itself: each product and sum rounded and waited for apart); two elsewhere.  Every path of
 * one ISA inlines the same steps, so its rows keep the same bits alone and in batches. */
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
#define SMX_DFMA(a, b, c) __builtin_fma((a), (b), (c))
#else
#define SMX_DFMA(a, b, c) ((a) * (b) + (c))
#endif

/* {1/c_j, log c_j} for c_j = 1 + j/64, j = 0..64 (1/c_j as stored; rowmath.c). */
extern const double smx_log_tab[65][2];

/* log1p(r) for |r| <= 2^-7 (a little more is fine): with full, the series to r^6 in
 * Estrin's form (three FMA steps after r); without, to r^3 (two), |error| <= r^4 / 4 <=
 * 2^-30, for log-softmax, where that is below a hundredth of an ULP of max(1, |y|). */
static inline double smx_log1p_series(double r, const int full)
{
    double r2 = r * r;
    if (!full)
        return SMX_DFMA(r2, SMX_DFMA(r, 1.0 / 3, -0.5), r);
    double r4 = r2 * r2;
    double a = SMX_DFMA(r, 1.0 / 3, -0.5), b = SMX_DFMA(SMX_DFMA(r, -1.0 / 6, 0.2), r, -0.25);
    return SMX_DFMA(r4, b, SMX_DFMA(r2, a, r));
}

/* log(w) without a division or a call (glibc's log is a call, which costs the vector code
 * around it its registers; short rows feel it): w = 2^k m, m in [1, 2); c_j = 1 + j/64 the
 * nearest to m; r = m / c_j - 1 (|r| <= 2^-7; exact for j = 0, so log w stays accurate
 * relative to a tiny log w), and log m = log c_j + log1p(r), the series to r^6.  Measured
 * against logl: 4e-14 relative for w >= 1 (below 1 and near it, k ln2 cancels: ~1e-16
 * absolute).  *inv_w gets 1/w to ~1% (for a correction term), 0 for w >= 2^1023.  NaN,
 * infinities, zero, negative and subnormal w (never on the hot path) go to libm's log in
 * smx_log_w_parts (and so smx_log_w); smx_log_w_split is the rest, for positive, normal,
 * finite w only.  It gives log w as c + p: it returns p, the series of r (|p| < 2^-7), and
 * sets *c = k ln2 + log c_j, the table step, which waits on w's exponent and the table read
 * only, so it is formed while the series is: callers add p last (smx_row_lse_split,
 * smx_log1p).  All of w >= 1 (every caller's) gives terms of one sign; for w just below 1,
 * k ln2 + log 2 is exactly 0. */
static inline double smx_log_w_split(double w, double *c, double *inv_w, const int full)
{
    uint64_t bits;
    memcpy(&bits, &w, sizeof bits);
    int64_t k = (int64_t)(bits >> 52) - 1023;
    uint64_t frac = bits & 0x000fffffffffffffull, j = (frac + (1ull << 45)) >> 46;
    double t0 = smx_log_tab[j][0], t1 = smx_log_tab[j][1];
    uint64_t mb = frac | 0x3ff0000000000000ull, sb = (uint64_t)(1023 - k) << 52;
    double m, s;
    memcpy(&m, &mb, sizeof m);
    memcpy(&s, &sb, sizeof s);
    *inv_w = t0 * s;
    *c = (double)k * 0x1.62e42fefa39efp-1 + t1;
    return smx_log1p_series(SMX_DFMA(m, t0, -1.0), full);
}

/* smx_log_w_split for any w: the non-normal ones (p = 0, *c = libm's log, *inv_w = 0). */
static inline double smx_log_w_parts(double w, double *c, double *inv_w, const int full)
{
    if (!(w >= 0x1p-1022 && w < INFINITY)) {
        *inv_w = 0.0;
        *c = log(w);
        return 0.0;
    }
    return smx_log_w_split(w, c, inv_w, full);
}

static inline double smx_log_w(double w, double *inv_w)
{
    double c, p = smx_log_w_parts(w, &c, inv_w, 1);
    return c + p;
}

/* smx_log_w_split of SMX_LOG_BATCH values at once, each positive, normal and finite: its
 * operations lane by lane, so the same bits, as a loop without branches that the compiler
 * vectorizes (AVX-512: 8 doubles, the table read lane by lane).  Log-softmax's batches of
 * short rows form their rows' logs so. */
#define SMX_LOG_BATCH 8
static inline void smx_log_w_split_batch(const double *w, double *c, double *p)
{
    for (int k = 0; k < SMX_LOG_BATCH; k++) {
        double inv_w;
        p[k] = smx_log_w_split(w[k], &c[k], &inv_w, 0);
    }
}

/* v as a float pair hi + lo (v to ~48 bits): hi = v rounded, lo = the rest rounded. */
static inline void smx_f2(double v, float *hi, float *lo)
{
    float h = (float)v;
    *hi = h;
    *lo = (float)(v - (double)h);
}

/* v as a float pair hi + lo for log-softmax's subtraction: hi is v cut to 24 significant
 * bits (toward zero; exact as a float), lo = v - hi (exact in double) rounded.  One AND
 * where smx_f2 rounds twice (hi, then hi back to double for lo): the pair is on a short
 * row's latency chain between its log(sum) and its first store.  |lo| < one unit of hi's
 * last place instead of half of one; y = ((x - shift) - hi) - lo keeps the accuracy of
 * smx_f2's pair (the subtraction of hi is exact where y is small, Sterbenz). */
static inline void smx_f2_cut(double v, float *hi, float *lo)
{
    double h;
#ifdef __SSE2__
    h = _mm_cvtsd_f64(_mm_and_pd(_mm_set_sd(v),
                                 _mm_castsi128_pd(_mm_set1_epi64x(~((INT64_C(1) << 29) - 1)))));
#else
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    bits &= ~((UINT64_C(1) << 29) - 1);
    memcpy(&h, &bits, sizeof h);
#endif
    *hi = (float)h;
    *lo = (float)(v - h);
}

/* logsumexp: lse = log_scale + log(sum) as a float pair hi + lo (hi rounded: the result). */
static inline void smx_row_lse(const struct smx_row_plan *plan, double sum, float *hi, float *lo)
{
    double inv;
    smx_f2(plan->log_scale + smx_log_w(sum, &inv), hi, lo);
}

/* log-softmax: lse - shift = ((log_scale - shift) + c) + p as a float pair hi + lo
 * (smx_f2_cut), from log(sum)'s two parts c + p (smx_log_w_split; log-softmax's blocks form
 * eight at once): (log_scale - shift) + c waits on sum's exponent and table read only, so
 * it is there when the series is, and p is added last.  The kernel subtracts shift from x
 * first, so a huge shift cannot swallow log(sum).  (Subtracting hi = that early part before
 * p was there, and lo = the rest + p after, was faster still, but lo up to 2^-7 put x - hi
 * in another binade than y near powers of two: log-softmax 1.48 ULP at 2^20 floats instead
 * of 0.76.) */
static inline void smx_row_lse_split(const struct smx_row_plan *plan, double c, double p,
                                     float *hi, float *lo)
{
    smx_f2_cut(((plan->log_scale - (double)plan->shift) + c) + p, hi, lo);
}

static inline void smx_row_lse_shifted(const struct smx_row_plan *plan, double sum, float *hi,
                                       float *lo)
{
    double c, inv, p = smx_log_w_parts(sum, &c, &inv, 0);
    smx_row_lse_split(plan, c, p, hi, lo);
}

/* log1p(u) for u >= 0 (NaN and +inf pass through), to ~1e-14 relative: log(w) of w = 1 + u
 * rounded, plus (u - (w - 1)) / w for that rounding (the quotient from smx_log_w's 1/w; the
 * term is below 2^-53 w).  Inline and division-free: a cross-entropy batch of short rows
 * forms a loss per row, and libm's log1p there (a call from vector code) cost 4096 rows of
 * 128 a third of their time on Zen 5; an atanh series with a division, a sixth. */
static inline double smx_log1p(double u)
{
    if (!(u < INFINITY))
        return u;
    double w = 1.0 + u;
    double c = u - (w - 1.0); /* w's rounding error: log1p(u) = log(w) + c / w */
    double inv_w, t;
    double p = smx_log_w_split(w, &t, &inv_w, 1); /* w in [1, 2^801): normal */
    return (t + c * inv_w) + p;
}

/* -log softmax[label] from the row plan's log_scale, the label's num, the others' sum and the
 * label's logit.  Inline: called from vector code, where a call costs the caller its vector
 * registers. */
static inline double smx_row_ce_loss(double log_scale, double num_label, double others,
                                     float z_label)
{
    /* -log(num_label / (num_label + others)) = log1p(others / num_label): each num carries
     * about 1 ULP, so the loss is accurate to a few 2^-24 relative even when it is tiny
     * (label holds the max; plain log(sum) would lose everything there).  A label whose
     * num underflowed (or is 0 for a -inf logit) takes logsumexp - z instead; that loss is
     * large (> 60), so the absolute error of log(sum) is negligible beside it. */
    if (num_label >= 0x1p-100)
        return smx_log1p(others / num_label);
    return (log_scale - (double)z_label) + log(num_label + others);
}

/* N for |m| < 256, as smx_row_plan computes it: m * SMX_LOG2E (1/ln2 rounded to float; the
 * product is exact in double) rounded to the nearest integer (ties to even), minus 1.
 * Vector code gets the same integer from one FMA, m * that constant + 1.5 * 2^23 rounded to
 * float (short rows form N that way without leaving vector registers: generic/softmax.inc). */
static inline double smx_row_big_n(float m)
{
    double v = (double)m * (double)SMX_LOG2E;
    return ((v + 0x1.8p52) - 0x1.8p52) - 1.0; /* no branch: m's sign may change row to row */
}

/* 2^k in double for k in [-1022, 1023]. */
static inline double smx_pow2d(int k)
{
    uint64_t bits = (uint64_t)(k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* m NaN or infinite: which kind of row (NaN, +inf, fully masked), scanning x for NaN. */
struct smx_row_plan smx_row_plan_nonfinite(const float *x, size_t n, float m);

/* m: the row maximum as an ISA's max pass found it (NaN, or a max that may have skipped
 * NaNs).  Inline: it runs once per row, and short rows feel every call. */
static inline __attribute__((always_inline)) struct smx_row_plan smx_row_plan(const float *x,
                                                                          size_t n, float m)
{
    struct smx_row_plan plan = { SMX_ROW_FINITE, 0.0f, 0.0f, 0.0f, 0.0, m };
    if (!(fabsf(m) <= FLT_MAX))
        return smx_row_plan_nonfinite(x, n, m);
    if (fabsf(m) < 256.0f) {
        double big_n = smx_row_big_n(m);
        plan.neg_n = (float)-big_n;
        plan.lo = m - 110.0f;
        plan.log_scale = big_n * 0x1.62e42fefa39efp-1; /* N ln2 */
    } else {
        plan.shift = m;
        plan.lo = -110.0f;
        plan.log_scale = (double)m;
    }
    return plan;
}

/* Plain sum in double (the slow, exact-range path of smx_sum_f32). */
float smx_sum_double(const float *x, size_t n);

/* Fill n floats with value (rows whose result does not depend on the data). */
void smx_fill(float *y, size_t n, float value);

#endif
