/* AVX-512's vocabulary for the table-based softmax exp (generic/row_exp.h): 16 entries
 * (vpermps reads t's low four bits), |r| <= ln2/32, so a degree-3 polynomial suffices:
 * e^r - 1 + c0 ~ c0 + r (1 + r (A2 + A3 r)) (Remez on the relative error, 2^-29.2 on
 * |r| <= 0.02175), in Horner's form, three FMAs.  The flush is a zero-masked FMA.
 * Measured on every float x of a row's range for N = 0, 100, -50, 368, -370: at most
 * 0.566 ULP of e^x 2^-N (results >= 2^-126; the generic degree-6 exp: 0.909), every result
 * below 2^-126 in [0, 2^-125].  Per 16 elements: 7 FMA-pipe operations and 6 others (the
 * generic exp: 9 and a vscalefps); exp-store-sum measured 1.27x faster on Zen 5.  The
 * earlier form (r + c0) + r^2 (A2 + A3 r) had an add more and a shorter chain: 0.557 ULP,
 * softmax 3-5% slower in cache.  A vscalefps for 2^k in place of the integer add and the
 * masked flush (an op fewer, all on the FMA pipes) measured 3-7% slower. */
#ifndef SMX_AVX512_ROW_EXP_H
#define SMX_AVX512_ROW_EXP_H

#define SMX_TEXP_BITS 4

typedef __m512i vtab;
typedef __mmask16 vkeep;

static inline vtab vtab_load(const void *p) { return _mm512_load_si512(p); }
static inline vtab vtab_rebase(vtab thb, vf t)
{
    return _mm512_sub_epi32(thb, _mm512_slli_epi32(_mm512_castps_si512(t), 23));
}
/* The dropped lanes need no zeroing here: vf_fma_keep's zero-masking keeps them from forming
 * anything (a zeroing add measured the same, sharp rows included). */
static inline vf vtab_pow2(vtab thb, vf t)
{
    __m512i ti = _mm512_castps_si512(t);
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_permutexvar_epi32(ti, thb),
                                                _mm512_slli_epi32(ti, 23 - SMX_TEXP_BITS)));
}
static inline vf vtab_pow2_keep(vkeep k, vtab thb, vf t)
{
    (void)k;
    return vtab_pow2(thb, t);
}
static inline vf vtab_pick(vtab c0, vf t)
{
    return _mm512_castsi512_ps(_mm512_permutexvar_epi32(_mm512_castps_si512(t), c0));
}
static inline vkeep vf_keep_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_NLT_UQ); }
static inline vf vf_fma_keep(vkeep k, vf a, vf b, vf c) { return _mm512_maskz_fmadd_ps(k, a, b, c); }
static inline vf vf_mul_keep(vkeep k, vf a, vf b) { return _mm512_maskz_mul_ps(k, a, b); }
static inline vf vf_min_keep(vf acc, vkeep k, vf v) { return _mm512_mask_min_ps(acc, k, acc, v); }
static inline int vf_any_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ) != 0; }
static inline vf vf_keep(vkeep k, vf v) { return _mm512_maskz_mov_ps(k, v); }
/* Cross-entropy's label left out by the flush compare itself (generic/row_exp.h,
 * smx_row_exp_m): every lane but `lane` (all of them for lane >= 16), the compare masked. */
#define SMX_HAVE_KEEP_IN
static inline vkeep vkeep_all(void) { return (vkeep)0xffff; }
static inline vkeep vkeep_but(size_t lane) { return (vkeep)~(lane < 16 ? 1u << lane : 0u); }
static inline vkeep vf_keep_ge_in(vkeep in, vf a, vf b) { return _mm512_mask_cmp_ps_mask(in, a, b, _CMP_NLT_UQ); }

#define SMX_TEXP_A2 0x1.000222p-1f
#define SMX_TEXP_A3 0x1.55559cp-3f
static inline vf smx_texp_poly(vf r, vf c0)
{
    vf q = vf_fma(vf_set1(SMX_TEXP_A3), r, vf_set1(SMX_TEXP_A2));
    q = vf_fma(q, r, vf_set1(1.0f));
    return vf_fma(q, r, c0);
}

#include "generic/row_exp.h"

#endif
