/* AVX-512's softmax-internal exponential: num = e^x * 2^-N for one row, 16-entry table.
 *
 *   t   = x log2(e) + (1.5 * 2^19 - N)    rounds x/ln2 to a multiple of 1/16: k + j/16
 *   n16 = t - (1.5 * 2^19 - N)            = k + j/16 exactly (N is an integer)
 *   r   = x - n16 ln2                     two-constant split, exact first step (FMA), |r| <= ln2/32
 *   e^x 2^-N = 2^(j/16) * 2^(k-N) * e^r
 *
 * j is t's low four bits, which vpermps reads directly, so nothing masks them.  The table
 * holds Th_j = 2^(j/16) rounded to float, stored as bits(Th_j) - (j << 19): adding t's bits
 * shifted left by 19 then yields Th_j * 2^(k-N) exactly, j cancelled, for results >= 2^-126.
 * Th_j's rounding error is folded into the polynomial's constant term c0_j = (2^(j/16) -
 * Th_j) / Th_j, so e^r - 1 + c0 ~ r + c0 + A2 r^2 + A3 r^3 (Remez on the relative error,
 * 2^-29.2 on |r| <= 0.02175) and the result Th 2^(k-N) (1 + p) rounds once, in the last FMA.
 * Lanes whose n16 is below N - 126 (whose k - N would leave the normal range) come out +0
 * through a zero-masked FMA: this covers -inf (masked elements), and the mask's compare
 * keeps NaN.  (The threshold is an integer, so no per-row rounding is needed.)
 * Constants: tools/fit_exp_table.py.  Measured on every float x of [-110, 0] with N = 0 and on
 * every x of the row's range with N = 100, -50, 369, -370: at most 0.557 ULP of e^x 2^-N
 * (results >= 2^-126; the generic degree-6 code: 0.909), every result below 2^-126 in [0,
 * 2^-125].  Per 16 elements: 7 FMA-pipe operations (the generic code: 9 and a vscalefps);
 * exp-store-sum measured 1.27x faster on Zen 5. */
#ifndef SMX_AVX512_ROW_EXP_H
#define SMX_AVX512_ROW_EXP_H

#include "generic/exp_core.h"
#include "common/rowmath.h"

#include <stdint.h>

#define SMX_HAVE_ROW_EXP

#define SMX_TEXP_A2 0x1.000222p-1f
#define SMX_TEXP_A3 0x1.55559cp-3f

/* bits(Th_j) - (j << 19), Th_j = 2^(j/16) rounded to float. */
static const uint32_t smx_texp_thb[16] __attribute__((aligned(64))) = {
    0x3f800000, 0x3f7daac3, 0x3f7b95c2, 0x3f79c3d3, 0x3f7837f0, 0x3f76f532, 0x3f75fed7, 0x3f75583f,
    0x3f7504f3, 0x3f7508a4, 0x3f75672a, 0x3f76248c, 0x3f7744fd, 0x3f78ccdf, 0x3f7ac0c7, 0x3f7d257d,
};
/* (2^(j/16) - Th_j) / Th_j rounded to float. */
static const float smx_texp_c0[16] __attribute__((aligned(64))) = {
    0x0p+0f,          0x1.8d96d4p-25f,  -0x1.9c0c22p-27f, 0x1.964904p-25f,
    0x1.125002p-25f,  0x1.370be4p-25f,  -0x1.0a3550p-25f, -0x1.00d8acp-27f,
    0x1.26055cp-26f,  -0x1.05cb44p-25f, 0x1.67a1cap-28f,  0x1.a3b5e4p-28f,
    -0x1.f9c304p-27f, -0x1.6961b4p-28f, -0x1.a5217cp-28f, 0x1.61428ep-28f,
};

struct smx_rowc {
    vf shift, magic, low; /* low = N - 126 */
    __m512i thb;
    vf c0;
};

/* N = -plan->neg_n (an integer, |N| < 500). */
static inline struct smx_rowc smx_rowc_make(const struct smx_row_plan *plan)
{
    struct smx_rowc c = {
        vf_set1(plan->shift), vf_set1(0x1.8p19f + plan->neg_n), vf_set1(-plan->neg_n - 126.0f),
        _mm512_load_si512(smx_texp_thb), _mm512_load_ps(smx_texp_c0),
    };
    return c;
}

static inline vf smx_row_exp(vf x, const struct smx_rowc *c)
{
    vf t = vf_fma(x, vf_set1(SMX_LOG2E), c->magic);
    vf n16 = vf_sub(t, c->magic);
    /* k - N >= -126 (a normal result) exactly when n16 >= N - 126; NaN is kept. */
    __mmask16 keep = _mm512_cmp_ps_mask(n16, c->low, _CMP_NLT_UQ);
    vf r = vf_fma(n16, vf_set1(-SMX_LN2_HI), x);
    r = vf_fma(n16, vf_set1(-SMX_LN2_LO), r);
    __m512i ti = _mm512_castps_si512(t);
    vf ths = _mm512_castsi512_ps(
        _mm512_add_epi32(_mm512_permutexvar_epi32(ti, c->thb), _mm512_slli_epi32(ti, 19)));
    vf c0 = _mm512_permutexvar_ps(ti, c->c0);
    vf q = vf_fma(vf_set1(SMX_TEXP_A3), r, vf_set1(SMX_TEXP_A2));
    vf p = vf_fma(q, vf_mul(r, r), vf_add(r, c0));
    return _mm512_maskz_fmadd_ps(keep, ths, p, ths);
}

#endif
