/* The vector vocabulary (contract in scalar/vec.h) for SSE2, 4 lanes.
 * SSE2 has no FMA, so this ISA brings its own exp core (a reduction that stays exact without
 * FMA, and compensated last steps: smx_sse2_exp_core), and softmax scales in double
 * (vf_scale).  It has no masked loads either: tails go through a small stack buffer,
 * touching only the caller's first k elements. */
#ifndef SMX_SSE2_VEC_H
#define SMX_SSE2_VEC_H

#include <emmintrin.h>
#include "generic/exp_const.h"
#include <stddef.h>
#include <string.h>

#define VL 4
typedef __m128 vf;
typedef __m128 vm;

static inline vf vf_set1(float a) { return _mm_set1_ps(a); }
static inline vf vf_load(const float *p) { return _mm_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm_storeu_ps(p, v); }
static inline vf vf_load_part(const float *p, size_t k, float fill)
{
    float buf[4] = { fill, fill, fill, fill };
    memcpy(buf, p, k * sizeof(float));
    return _mm_loadu_ps(buf);
}
static inline void vf_store_part(float *p, vf v, size_t k)
{
    float buf[4];
    _mm_storeu_ps(buf, v);
    memcpy(p, buf, k * sizeof(float));
}

static inline vf vf_add(vf a, vf b) { return _mm_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm_mul_ps(a, b); }
static inline vf vf_max(vf a, vf b) { return _mm_max_ps(a, b); } /* NaN: returns b */
static inline vf vf_min(vf a, vf b) { return _mm_min_ps(a, b); }
/* Adding and removing 1.5 * 2^23 rounds to nearest-even for |a| < 2^22 (no roundps in SSE2). */
static inline vf vf_round(vf a)
{
    const __m128 big = _mm_set1_ps(0x1.8p23f);
    return _mm_sub_ps(_mm_add_ps(a, big), big);
}

static inline __m128 smx_pow2i(__m128i e)
{
    return _mm_castsi128_ps(_mm_slli_epi32(_mm_add_epi32(e, _mm_set1_epi32(127)), 23));
}
/* As in avx2/vec.h: two normal factors, one rounding. */
static inline vf vf_ldexp(vf p, vf n)
{
    n = _mm_min_ps(_mm_max_ps(n, _mm_set1_ps(-252.0f)), _mm_set1_ps(254.0f));
    __m128i e = _mm_cvtps_epi32(n);
    __m128i e1 = _mm_srai_epi32(e, 1);
    return _mm_mul_ps(_mm_mul_ps(p, smx_pow2i(e1)), smx_pow2i(_mm_sub_epi32(e, e1)));
}

/* Softmax's cheaper 2^n (generic/softmax.inc): n <= 1, and results below 2^-126 become +0,
 * which only softmax outputs below FLT_MIN can notice.  One factor instead of two. */
#define SMX_HAVE_LDEXP_FLUSH
static inline vf vf_ldexp_flush(vf p, vf n)
{
    __m128i e = _mm_cvtps_epi32(_mm_max_ps(n, _mm_set1_ps(-127.0f)));
    return _mm_mul_ps(p, smx_pow2i(e)); /* 2^-127 encodes as +0 */
}

static inline float vf_first(vf v) { return _mm_cvtss_f32(v); }
static inline float vf_hmax(vf v)
{
    __m128 m = _mm_max_ps(v, _mm_movehl_ps(v, v));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}
static inline vf vf_bmax(vf v)
{
    v = _mm_max_ps(v, _mm_shuffle_ps(v, v, 0x4e));
    return _mm_max_ps(v, _mm_shuffle_ps(v, v, 0xb1));
}
static inline double vf_hsum_d(vf v)
{
    __m128d s = _mm_add_pd(_mm_cvtps_pd(v), _mm_cvtps_pd(_mm_movehl_ps(v, v)));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
static inline vm vm_none(void) { return _mm_setzero_ps(); }
static inline vm vm_or_nan(vm m, vf v) { return _mm_or_ps(m, _mm_cmpunord_ps(v, v)); }
static inline vm vm_or_nan2(vm m, vf a, vf b) { return _mm_or_ps(m, _mm_cmpunord_ps(a, b)); }
static inline int vm_any(vm m) { return _mm_movemask_ps(m) != 0; }
static inline unsigned vf_eq_bits(vf a, vf b) { return (unsigned)_mm_movemask_ps(_mm_cmpeq_ps(a, b)); }
static inline vf vf_sel_eq(vf a, vf b, vf v, vf w)
{
    __m128 eq = _mm_cmpeq_ps(a, b);
    return _mm_or_ps(_mm_and_ps(eq, w), _mm_andnot_ps(eq, v));
}
static inline vf vf_iota(void) { return _mm_set_ps(3, 2, 1, 0); }

/* ---- exp core in float, without FMA (generic/exp_core.h has the algorithm) ---- */
#define SMX_OWN_EXP_REDUCE
#define SMX_NO_FMA /* generic code must not use vf_fma */

/* p ~ e^r with r = x - n ln2, n = x/ln2 rounded (sets *n): Cody-Waite reduction with
 * ln2 = C1 + C2, C1 = 355/512 (9 significant bits), so n C1 is exact for |n| < 2^15 and so is
 * x - n C1 (both multiples of ulp(x), the difference below 0.5); only r = (x - n C1) - n C2
 * rounds.  exp_core.h's degree-6 coefficients in Horner's form, in float.  The last additions
 * decide the error: `careful` (a constant after inlining) forms 1 + r with its rounding error
 * (a fast two-sum) and adds that error back with r^2 q, so only the final addition rounds at
 * full weight.
 *   careful = 1, smx_exp_f32: max 0.787 ULP over every float (tests/exp_exhaustive.c; the
 *     double-precision core this replaced: 0.773, 1.6x slower; SLEEF's expf4_u10sse2
 *     measured 0.945 on a spread of inputs, at about the same speed);
 *   careful = 0, softmax rows (SMX_HAVE_ROW_REDUCE): (r^2 q + r) + 1, three instructions fewer
 *     (softmax 1.3-1.6x faster than with the double core), max 1.02 ULP on every float in
 *     [-366, 256], what softmax feeds it (tests/row_reduce_exhaustive_sse2.c), which the
 *     softmax budget takes: the search in tests/test_softmax.c measures 3.37 ULP with
 *     vf_scale below (3.73 with the double core and a float factor). */
static inline vf smx_sse2_exp_core(vf x, vf *n_out, const int careful)
{
    vf n = vf_round(_mm_mul_ps(x, _mm_set1_ps(SMX_LOG2E)));
    vf r = _mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(0x1.63p-1f)));
    r = _mm_add_ps(r, _mm_mul_ps(n, _mm_set1_ps(0x1.bd0106p-13f))); /* - n C2 */
    vf q = _mm_add_ps(_mm_mul_ps(_mm_set1_ps(SMX_EXP_C6), r), _mm_set1_ps(SMX_EXP_C5));
    q = _mm_add_ps(_mm_mul_ps(q, r), _mm_set1_ps(SMX_EXP_C4));
    q = _mm_add_ps(_mm_mul_ps(q, r), _mm_set1_ps(SMX_EXP_C3));
    q = _mm_add_ps(_mm_mul_ps(q, r), _mm_set1_ps(SMX_EXP_C2));
    vf r2q = _mm_mul_ps(_mm_mul_ps(r, r), q);
    *n_out = n;
    if (!careful)
        return _mm_add_ps(_mm_add_ps(r2q, r), _mm_set1_ps(1.0f));
    vf h = _mm_add_ps(_mm_set1_ps(1.0f), r);
    vf h_lo = _mm_add_ps(_mm_sub_ps(_mm_set1_ps(1.0f), h), r); /* exact: |r| < 1 */
    return _mm_add_ps(h, _mm_add_ps(r2q, h_lo));
}

static inline vf smx_exp_reduce(vf x, vf *n_out) { return smx_sse2_exp_core(x, n_out, 1); }
#define SMX_HAVE_ROW_REDUCE
static inline vf smx_row_reduce(vf x, vf *n_out) { return smx_sse2_exp_core(x, n_out, 0); }

/* Softmax's final scale (generic/softmax.inc, SMX_HAVE_VSCALE): without FMA the float pair
 * hi + lo cannot be applied with one rounding, so the product is formed in double and
 * rounded once (a single float factor would add up to 1 ULP to every output). */
#define SMX_HAVE_VSCALE
typedef __m128d vscale;
static inline vscale vscale_make(double s) { return _mm_set1_pd(s); }
static inline vscale vscale_make_inv(double s, double inv) { (void)inv; return _mm_set1_pd(s); }
static inline vf vf_scale(vf v, vscale s)
{
    __m128 lo = _mm_cvtpd_ps(_mm_mul_pd(_mm_cvtps_pd(v), s));
    __m128 hi = _mm_cvtpd_ps(_mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(v, v)), s));
    return _mm_movelh_ps(lo, hi);
}

/* A vector of VL doubles, for sums of exponentials carried in double lane by lane. */
typedef struct { __m128d lo, hi; } vd;
static inline vd vd_zero(void) { vd z = { _mm_set1_pd(-0.0), _mm_set1_pd(-0.0) }; return z; }
static inline vd vd_add_f(vd acc, vf v)
{
    acc.lo = _mm_add_pd(acc.lo, _mm_cvtps_pd(v));
    acc.hi = _mm_add_pd(acc.hi, _mm_cvtps_pd(_mm_movehl_ps(v, v)));
    return acc;
}
static inline double vd_hsum(vd acc)
{
    __m128d s = _mm_add_pd(acc.lo, acc.hi);
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif
