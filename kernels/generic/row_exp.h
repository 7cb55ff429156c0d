/* The table-based softmax-internal exponential, written once for the ISAs that have a lane
 * permute (AVX-512: 16 entries, AVX2: 8); each brings, in <isa>/row_exp.h, SMX_TEXP_BITS
 * (log2 of the table size), its table vocabulary and its polynomial (the wider the table,
 * the narrower r and the shorter the polynomial):
 *
 *   vtab                       a table of 2^SMX_TEXP_BITS 32-bit entries in a register
 *   vtab_load(p)               load one
 *   vtab_rebase(thb, t)        each entry minus t's bits shifted left by 23 (mod 2^32)
 *   vtab_pow2(thb, t)          Th_j * 2^(k-N) from t's bits, every lane
 *   vtab_pow2_keep(k, thb, t)  Th_j * 2^(k-N) from t's bits (the entry picked by t's low
 *                              SMX_TEXP_BITS bits plus t's bits shifted left by 23 - BITS)
 *                              in the lanes k keeps; elsewhere +0, or anything where
 *                              vf_fma_keep forms nothing in the dropped lanes (AVX-512)
 *   vtab_pick(c0, t)           the float entry picked by t's low bits
 *   vkeep, vf_keep_ge(a, b)    lanes where !(a < b) (NaN kept)
 *   vf_fma_keep(k, a, b, c)    a * b + c in the kept lanes, +0 elsewhere
 *   vf_keep(k, v)              v in the kept lanes, +0 elsewhere
 *   vf_mul_keep(k, a, b)       a * b in the kept lanes, +0 elsewhere
 *   vf_min_keep(acc, k, v)     min(acc, v) in the kept lanes, acc elsewhere
 *   vf_any_lt(a, b)            whether a < b in any lane
 *   vkeep_all()                every lane
 *   vf_keep_ge_in(in, a, b)    vf_keep_ge(a, b) within `in`
 * and an ISA where the last costs no more than vf_keep_ge (AVX-512: the compare takes a
 * mask) defines SMX_HAVE_KEEP_IN and vkeep_but(lane), every lane but `lane` (all of them for
 * lane >= VL), for cross-entropy to leave the label out that way.
 *   smx_texp_poly(r, c0)       p ~ e^r - 1 + c0 on |r| <= ln2 / 2^(BITS+1)
 *
 * The algorithm, for num = e^x * 2^-N (N = -plan->neg_n, an integer, |N| < 500):
 *   t   = x log2(e) + (1.5 * 2^(23-BITS) - N)   rounds x/ln2 to a multiple of 2^-BITS: k + j/2^BITS
 *   n   = t - (1.5 * 2^(23-BITS) - N)           = k + j/2^BITS exactly
 *   r   = x - n ln2                             two-constant split, exact first step (FMA)
 *   e^x 2^-N = 2^(j/2^BITS) * 2^(k-N) * e^r
 * The lane permutes read j from t's low bits directly.  The table holds Th_j = 2^(j/2^BITS)
 * rounded to float, stored as bits(Th_j) - (j << (23-BITS)): adding t's bits shifted left by
 * 23 - BITS yields Th_j * 2^(k-N) exactly, j cancelled, for results >= 2^-126.  Th_j's
 * rounding error is folded into the polynomial's constant term c0_j = (2^(j/2^BITS) - Th_j) /
 * Th_j, and the result Th 2^(k-N) (1 + p) rounds once, in the last FMA.  Lanes whose n is
 * below N - 126 (k - N below the normal range: e^x 2^-N < 2^-126; for plans with shift = 0,
 * below N - 126 + 2^-BITS: smx_rowc_make) come out +0, -inf (masked
 * elements) included; the unordered compare keeps NaN.  Constants: tools/fit_exp_table.py
 * (16 entries, degree 3: defaults; 8 entries, degree 4: arguments 8 4).  Exhaustive check:
 * tests/row_exp_exhaustive.c. */
#ifndef SMX_GENERIC_ROW_EXP_H
#define SMX_GENERIC_ROW_EXP_H

#include "generic/exp_core.h"
#include "common/rowmath.h"

#include <stdint.h>

#define SMX_HAVE_ROW_EXP

#if SMX_TEXP_BITS == 4
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
#elif SMX_TEXP_BITS == 3
/* bits(Th_j) - (j << 20), Th_j = 2^(j/8) rounded to float. */
static const uint32_t smx_texp_thb[8] __attribute__((aligned(32))) = {
    0x3f800000, 0x3f7b95c2, 0x3f7837f0, 0x3f75fed7, 0x3f7504f3, 0x3f75672a, 0x3f7744fd, 0x3f7ac0c7,
};
/* (2^(j/8) - Th_j) / Th_j rounded to float. */
static const float smx_texp_c0[8] __attribute__((aligned(32))) = {
    0x0p+0f,         -0x1.9c0c22p-27f, 0x1.125002p-25f,  -0x1.0a3550p-25f,
    0x1.26055cp-26f, 0x1.67a1cap-28f,  -0x1.f9c304p-27f, -0x1.a5217cp-28f,
};
#else
#error "SMX_TEXP_BITS must be 3 or 4"
#endif

/* 1.5 * 2^(23 - BITS): t then carries BITS fraction bits. */
#define SMX_TEXP_MAGIC ((float)(3 << (22 - SMX_TEXP_BITS)))

struct smx_rowc {
    vf shift, magic, low; /* low = N - 126 (+ 2^-BITS where shift = 0: smx_rowc_make) */
    vf xlo;               /* low ln2: smx_row_exp_clamp's clamp */
    vtab thb, c0;
};

/* The flush's threshold: lanes whose n is below low come out +0.  N - 126 makes every kept
 * num at least 2^-126 but one: n = N - 126 exactly (j = 0) with r < 0 gives a num a hair
 * below 2^-126, a subnormal, which costs an assist on Intel cores.  Where the plan has
 * shift = 0, the row max's num is at least 2^0.5 and so is the sum: a num below 2^-125.9
 * belongs to an output below 2^-126, and low is N - 126 + 2^-BITS, which flushes that n too.
 * (A plan with shift != 0 has N = 0 and a sum of at least 1 only: N - 126 there.) */
#define SMX_TEXP_STEP (1.0f / (1 << SMX_TEXP_BITS))
#define SMX_TEXP_LN2F 0x1.62e43p-1f /* ln 2 rounded to float */

static inline struct smx_rowc smx_rowc_make(const struct smx_row_plan *plan)
{
    float low = -plan->neg_n - 126.0f + (plan->shift == 0.0f ? SMX_TEXP_STEP : 0.0f);
    struct smx_rowc c = {
        vf_set1(plan->shift), vf_set1(SMX_TEXP_MAGIC + plan->neg_n), vf_set1(low),
        vf_set1(low * SMX_TEXP_LN2F),
        vtab_load(smx_texp_thb), vtab_load(smx_texp_c0),
    };
    return c;
}

/* The same constants for a row with shift = 0, from t = N + 1 + 1.5 * 2^23 (every lane; m,
 * the row max, unused here), with N moved out of magic and into the table: magic is the
 * constant SMX_TEXP_MAGIC and every entry's exponent field is lowered by N (vtab_rebase; t - 1
 * is exact and its bits shifted left by 23 are N's, mod 2^32).  Then t (the row's elements'),
 * n, r and the polynomial do not wait for the row max: only the table lookup, the flush
 * compare and the last FMA do, so a short row's exps overlap its max reduction.  Every value
 * is the same as smx_rowc_make's constants give: t is the same plus N (the same grid, within
 * one binade), n the same, and Th_j 2^(k-N) the same bits (the integer adds wrap alike). */
static inline struct smx_rowc smx_rowc_from_t(vf t, vf m)
{
    (void)m;
    vf low = vf_add(vf_sub(t, vf_set1(0x1.8p23f + 127.0f)), vf_set1(SMX_TEXP_STEP));
    struct smx_rowc c = {
        vf_set1(0.0f), vf_set1(SMX_TEXP_MAGIC), low,
        vf_mul(low, vf_set1(SMX_TEXP_LN2F)),
        vtab_rebase(vtab_load(smx_texp_thb), vf_sub(t, vf_set1(1.0f))), vtab_load(smx_texp_c0),
    };
    return c;
}

/* smx_rowc_make's constants for a plan with shift = 0, in smx_rowc_from_t's form (N in the
 * table, magic the constant): the long-row passes then form t, n, r and the polynomial of
 * their first vectors while the plan's N is still on its way from the max (the table's
 * rebase and low wait for it).  The same bits as smx_rowc_make's. */
static inline struct smx_rowc smx_rowc_make_n(const struct smx_row_plan *plan)
{
    return smx_rowc_from_t(vf_set1(0x1.8p23f + 1.0f - plan->neg_n), vf_set1(0.0f));
}

/* r = x - n ln2 of the algorithm above, in two steps (the first exact).  (smx_row_exp_m and
 * smx_row_exp_clamp differ only in how the lanes below the range are kept out.) */
static inline __attribute__((always_inline)) vf smx_texp_r(vf x, vf n)
{
    return vf_fma(n, vf_set1(-SMX_LN2_LO), vf_fma(n, vf_set1(-SMX_LN2_HI), x));
}

/* With `masked` (a constant after inlining), the lanes outside `in` come out +0 too: the
 * flush compare takes the mask (on AVX-512 at no cost, SMX_HAVE_KEEP_IN).  With nmin (NULL
 * or not, a constant after inlining), *nmin becomes its minimum with the n (x / ln2 to
 * 1/2^BITS, num >= 2^(n - N - 2^-(BITS+1))) of the lanes not flushed: a short row's scale step
 * learns from it whether any of its outputs can be near FLT_MIN (generic/softmax.inc). */
static inline __attribute__((always_inline)) vf smx_row_exp_m(vf x, const struct smx_rowc *c,
                                                              vkeep in, const int masked,
                                                              vf *nmin)
{
    vf t = vf_fma(x, vf_set1(SMX_LOG2E), c->magic);
    vf n = vf_sub(t, c->magic);
    /* k - N >= -126 exactly when n >= N - 126 (low: that, or a step above) */
    vkeep keep = masked ? vf_keep_ge_in(in, n, c->low) : vf_keep_ge(n, c->low);
    if (nmin)
        *nmin = vf_min_keep(*nmin, keep, n);
    vf r = smx_texp_r(x, n);
    /* No dropped lane may form a subnormal (an assist on Intel): vtab_pow2_keep zeroes
     * their 2^(k-N) where the ISA's FMA forms every lane (AVX2). */
    vf ths = vtab_pow2_keep(keep, c->thb, t);
    vf p = smx_texp_poly(r, vtab_pick(c->c0, t));
    return vf_fma_keep(keep, ths, p, ths);
}

static inline __attribute__((always_inline)) vf smx_row_exp(vf x, const struct smx_rowc *c)
{
    return smx_row_exp_m(x, c, vkeep_all(), 0, NULL);
}

/* smx_row_exp for the long rows' passes with a plan of shift = 0 (SMX_ADD_N), x clamped below
 * at xlo = low ln2 instead of the flush: every lane's n is then at least low (the grid point
 * nearest xlo / ln2 is low itself, half a step away from the next), so no num is below
 * 2^(low - N - 2^-(BITS+1)) = 2^(-126 + 2^-(BITS+1)), and the lanes clamped there (x below
 * xlo, num below 2^(-126 + 1.5 2^-BITS) <= 2^-125.8) get that tiny normal num where
 * smx_row_exp gives +0 (or, just below xlo, the exact one).  That is the same output, as
 * every such num goes on into a sum >= 2^0.5 (moved in double by less than n 2^-125.8, far
 * below its last bit) or through vf_scale, whose flush drops every v below 2^-126 / s with
 * s <= 1 / sum <= 2^-0.5, so every v below 2^-125.5: one max in place of the flush compare
 * and the flush's two ANDs (AVX2; AVX-512's flush is free, and the max measured slower
 * there: generic/softmax.inc).  A NaN x stays NaN (vf_max returns its second operand).
 * Plans with shift != 0 have a sum of 1 only, and take smx_row_exp.  Checked on every float
 * of a row's range: tests/row_exp_exhaustive.c. */
static inline __attribute__((always_inline)) vf smx_row_exp_all(vf x, const struct smx_rowc *c);
static inline __attribute__((always_inline)) vf smx_row_exp_clamp(vf x, const struct smx_rowc *c)
{
    return smx_row_exp_all(vf_max(c->xlo, x), c);
}

/* smx_row_exp with neither flush nor clamp: every lane formed.  For x known to be at least
 * xlo (the caller has the min of the row or chunk: generic/softmax.inc, SMX_ALL_LANES), where
 * it gives the same bits as smx_row_exp and smx_row_exp_clamp with one operation less. */
static inline __attribute__((always_inline)) vf smx_row_exp_all(vf x, const struct smx_rowc *c)
{
    vf t = vf_fma(x, vf_set1(SMX_LOG2E), c->magic);
    vf n = vf_sub(t, c->magic);
    vf r = smx_texp_r(x, n);
    vf ths = vtab_pow2(c->thb, t);
    vf p = smx_texp_poly(r, vtab_pick(c->c0, t));
    return vf_fma(ths, p, ths);
}

#endif
