/* AVX2's vocabulary for the table-based softmax exp (generic/row_exp.h): 8 entries
 * (vpermd/vpermps read t's low three bits), |r| <= ln2/16, so degree 4: e^r - 1 + c0 ~
 * c0 + r (1 + r (A2 + r (A3 + r A4))) in Horner's form, all FMAs (Remez on the relative
 * error, 2^-32.3 on |r| <= 0.0435; degree 3 would give 2^-25.2, about 0.3 ULP more).  No
 * opmasks: the flush is an AND-NOT with the compare's mask (vkeep, below).  Measured on
 * every float x of a row's range for N = 0, 100, -50, 369, -370: at most 0.595 ULP of
 * e^x 2^-N (results >= 2^-126; the generic degree-6 exp: 0.909), every result below 2^-126
 * in [0, 2^-125].
 * (An Estrin-style polynomial, a multiply and an add more, measured no faster.)  Per 8
 * elements: 8 FMA-pipe operations against the generic code's 10; softmax of 4096 to 128256
 * floats measured 1.2x faster on Zen 5. */
#ifndef SMX_AVX2_ROW_EXP_H
#define SMX_AVX2_ROW_EXP_H

#define SMX_TEXP_BITS 3

typedef __m256i vtab;
/* AVX2 has no opmasks: a vkeep is a vector mask, carried as its complement (all ones in the
 * lanes dropped), so that the kept lanes' min is an OR and a min (a dropped lane becomes a
 * NaN, which vminps passes over) where the mask itself took a blend (vblendvps) and a
 * min: short rows 3-9% faster on Emerald Rapids, the same bits.  The flush ANDs with its
 * complement (vandnps, the same cost). */
typedef __m256 vkeep;

static inline vtab vtab_load(const void *p) { return _mm256_load_si256((const __m256i *)p); }
static inline vtab vtab_rebase(vtab thb, vf t)
{
    return _mm256_sub_epi32(thb, _mm256_slli_epi32(_mm256_castps_si256(t), 23));
}
static inline vf vtab_pow2(vtab thb, vf t)
{
    __m256i ti = _mm256_castps_si256(t);
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_permutevar8x32_epi32(thb, ti),
                                                _mm256_slli_epi32(ti, 23 - SMX_TEXP_BITS)));
}
/* Zeroed in the dropped lanes: their wrapped bits may be a subnormal, and the FMA after
 * forms every lane (the flush's AND comes after it), a subnormal product there costing an
 * assist on Intel: 4096 rows of 128 N(0,30) logits 1.5x slower without this AND. */
static inline vf vtab_pow2_keep(vkeep k, vtab thb, vf t) { return _mm256_andnot_ps(k, vtab_pow2(thb, t)); }
static inline vf vtab_pick(vtab c0, vf t)
{
    return _mm256_castsi256_ps(_mm256_permutevar8x32_epi32(c0, _mm256_castps_si256(t)));
}
/* dropped where a < b (ordered: NaN kept) */
static inline vkeep vf_keep_ge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vf vf_fma_keep(vkeep k, vf a, vf b, vf c) { return _mm256_andnot_ps(k, vf_fma(a, b, c)); }
/* The mask goes on the input: the product of a dropped lane could be a subnormal, which
 * costs an assist even though the AND would drop it. */
static inline vf vf_mul_keep(vkeep k, vf a, vf b) { return vf_mul(_mm256_andnot_ps(k, a), b); }
/* vminps gives its second operand where either is NaN: acc in the dropped lanes (and where
 * v itself is NaN, a NaN row's, which the plan or the sum catches). */
static inline vf vf_min_keep(vf acc, vkeep k, vf v) { return _mm256_min_ps(_mm256_or_ps(v, k), acc); }
static inline int vf_any_lt(vf a, vf b) { return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ)) != 0; }
static inline vf vf_keep(vkeep k, vf v) { return _mm256_andnot_ps(k, v); }
static inline vkeep vkeep_all(void) { return _mm256_setzero_ps(); }
static inline vkeep vf_keep_ge_in(vkeep in, vf a, vf b) { return _mm256_or_ps(in, vf_keep_ge(a, b)); }

#define SMX_TEXP_A2 0x1p-1f
#define SMX_TEXP_A3 0x1.555c84p-3f
#define SMX_TEXP_A4 0x1.554826p-5f
static inline vf smx_texp_poly(vf r, vf c0)
{
    vf q = vf_fma(vf_set1(SMX_TEXP_A4), r, vf_set1(SMX_TEXP_A3));
    q = vf_fma(q, r, vf_set1(SMX_TEXP_A2));
    q = vf_fma(q, r, vf_set1(1.0f));
    return vf_fma(q, r, c0);
}

#include "generic/row_exp.h"

#endif
