/* AVX2's softmax-internal exponential: num = e^x * 2^-N for one row, 8-entry table.
 *
 *   t  = x log2(e) + (1.5 * 2^20 - N)    rounds x/ln2 to a multiple of 1/8: k + j/8
 *   n8 = t - (1.5 * 2^20 - N)            = k + j/8 exactly (N is an integer)
 *   r  = x - n8 ln2                      two-constant split, exact first step (FMA), |r| <= ln2/16
 *   e^x 2^-N = 2^(j/8) * 2^(k-N) * e^r
 *
 * As in avx512/row_exp.h, but with vpermd/vpermps, which read the low three bits of t: the
 * table holds bits(Th_j) - (j << 20), Th_j = 2^(j/8) rounded to float, so that adding t's bits
 * shifted left by 20 yields Th_j * 2^(k-N) exactly for results >= 2^-126, and Th_j's rounding
 * error is folded into the polynomial's constant term c0_j = (2^(j/8) - Th_j) / Th_j.  With
 * |r| twice as wide, degree 4 (Remez on the relative error, 2^-32.3 on |r| <= 0.0435) keeps
 * the result near the 16-entry degree-3 code's accuracy; degree 3 (2^-25.2) would not.  The
 * polynomial is Horner's, all in FMAs: p = c0 + r (1 + r (A2 + r (A3 + r A4))), and the
 * result Th 2^(k-N) (1 + p) rounds once, in the last FMA.
 * Lanes whose n8 is below N - 126 (k - N below the normal range: e^x 2^-N < 2^-126) are
 * cleared by an AND with the compare's mask; -inf (masked elements) lands there, and the
 * unordered compare keeps NaN.
 * Constants: python3 tools/fit_exp_table.py 8 4.  Measured on every float x of each row's
 * range with N = 0, 100, -50, 369, -370 (tests/row_exp_exhaustive.c): at most 0.595 ULP of
 * e^x 2^-N (results >= 2^-126; the generic degree-6 code: 0.909), every result below 2^-126
 * in [0, 2^-125].  (An Estrin-style polynomial, a multiply and an add more, measured no
 * faster.)  Per 8 elements: 8 FMA-pipe operations, a subtraction, a compare and an AND, two
 * permutes, a shift and an integer add (the generic code: 10 FMA-pipe operations, a
 * subtraction, three max/add operations, a conversion, a shift and an integer add); softmax
 * of 4096 to 128256 floats measured 1.2x faster on Zen 5. */
#ifndef SMX_AVX2_ROW_EXP_H
#define SMX_AVX2_ROW_EXP_H

#include "generic/exp_core.h"
#include "common/rowmath.h"

#include <stdint.h>

#define SMX_HAVE_ROW_EXP

#define SMX_TEXP8_A2 0x1p-1f
#define SMX_TEXP8_A3 0x1.555c84p-3f
#define SMX_TEXP8_A4 0x1.554826p-5f

/* bits(Th_j) - (j << 20), Th_j = 2^(j/8) rounded to float. */
static const uint32_t smx_texp8_thb[8] __attribute__((aligned(32))) = {
    0x3f800000, 0x3f7b95c2, 0x3f7837f0, 0x3f75fed7, 0x3f7504f3, 0x3f75672a, 0x3f7744fd, 0x3f7ac0c7,
};
/* (2^(j/8) - Th_j) / Th_j rounded to float. */
static const float smx_texp8_c0[8] __attribute__((aligned(32))) = {
    0x0p+0f,         -0x1.9c0c22p-27f, 0x1.125002p-25f,  -0x1.0a3550p-25f,
    0x1.26055cp-26f, 0x1.67a1cap-28f,  -0x1.f9c304p-27f, -0x1.a5217cp-28f,
};

struct smx_rowc {
    vf shift, magic, low; /* low = N - 126 */
    __m256i thb;
    vf c0;
};

/* N = -plan->neg_n (an integer, |N| < 500). */
static inline struct smx_rowc smx_rowc_make(const struct smx_row_plan *plan)
{
    struct smx_rowc c = {
        vf_set1(plan->shift), vf_set1(0x1.8p20f + plan->neg_n), vf_set1(-plan->neg_n - 126.0f),
        _mm256_load_si256((const __m256i *)smx_texp8_thb), _mm256_load_ps(smx_texp8_c0),
    };
    return c;
}

static inline vf smx_row_exp(vf x, const struct smx_rowc *c)
{
    vf t = vf_fma(x, vf_set1(SMX_LOG2E), c->magic);
    vf n8 = vf_sub(t, c->magic);
    /* k - N >= -126 (a normal result) exactly when n8 >= N - 126; NaN is kept. */
    vf keep = _mm256_cmp_ps(n8, c->low, _CMP_NLT_UQ);
    vf r = vf_fma(n8, vf_set1(-SMX_LN2_HI), x);
    r = vf_fma(n8, vf_set1(-SMX_LN2_LO), r);
    __m256i ti = _mm256_castps_si256(t);
    vf ths = _mm256_castsi256_ps(
        _mm256_add_epi32(_mm256_permutevar8x32_epi32(c->thb, ti), _mm256_slli_epi32(ti, 20)));
    vf c0 = _mm256_permutevar8x32_ps(c->c0, ti);
    vf q = vf_fma(vf_set1(SMX_TEXP8_A4), r, vf_set1(SMX_TEXP8_A3));
    q = vf_fma(q, r, vf_set1(SMX_TEXP8_A2));
    q = vf_fma(q, r, vf_set1(1.0f));
    vf p = vf_fma(q, r, c0);
    return _mm256_and_ps(vf_fma(ths, p, ths), keep);
}

#endif
