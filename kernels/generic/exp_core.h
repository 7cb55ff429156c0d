/* The exp algorithm every ISA shares, written against its vec.h.
 *
 *   n = round(x / ln2),  r = x - n*ln2  (|r| <= ln2/2),  e^x = 2^n * p(r)
 *
 * r is computed with a two-constant split of ln2: with FMA, x - n*LN2_HI is exact (n*LN2_HI is
 * a multiple of 2^-24, so is x when n != 0, and the result is below 0.5), and only the
 * second step, which subtracts the tiny n*LN2_LO, rounds.  p is a degree-6 polynomial with
 * c0 = c1 = 1, fitted by tools/fit_exp_poly.py (Remez on the relative error, coefficients
 * rounded to float and refitted): max relative error 2^-27.96 on |r| <= ln2/2, about
 * 0.06 ULP.  Evaluation adds at most ~0.7 ULP, so e^x is faithful (< 1 ULP), which the
 * exhaustive test checks for all 2^32 inputs.  vf_ldexp applies 2^n with a single rounding,
 * so subnormal results and overflow to +inf come out right.
 *
 * Rounding ties of x/ln2 may go either way (n off by one, |r| a hair above ln2/2): the
 * polynomial holds there too, and every FMA ISA rounds them identically.
 *
 * An ISA without FMA (SSE2) defines SMX_OWN_EXP_REDUCE and its own smx_exp_reduce. */
#ifndef SMX_EXP_CORE_H
#define SMX_EXP_CORE_H

#include "generic/exp_const.h"

#ifndef SMX_OWN_EXP_REDUCE
/* p = e^r * (1 + error) with r = x - n ln2; sets *n.  Valid for |x| < 2^21 * ln2. */
static inline vf smx_exp_reduce(vf x, vf *n_out)
{
    /* n = x/ln2 rounded to nearest: adding 1.5 * 2^23 inside the FMA leaves no fraction
     * bits (|x/ln2| < 2^22), so one FMA and one subtraction replace a multiply and a round,
     * moving an op from the FMA pipes to the adders. */
    vf t = vf_fma(x, vf_set1(SMX_LOG2E), vf_set1(0x1.8p23f));
    vf n = vf_sub(t, vf_set1(0x1.8p23f));
    vf r = vf_fma(n, vf_set1(-SMX_LN2_HI), x);
    r = vf_fma(n, vf_set1(-SMX_LN2_LO), r);
    vf q = vf_fma(vf_set1(SMX_EXP_C6), r, vf_set1(SMX_EXP_C5));
    q = vf_fma(q, r, vf_set1(SMX_EXP_C4));
    q = vf_fma(q, r, vf_set1(SMX_EXP_C3));
    q = vf_fma(q, r, vf_set1(SMX_EXP_C2));
    q = vf_fma(q, r, vf_set1(1.0f));
    *n_out = n;
    return vf_fma(q, r, vf_set1(1.0f));
}
#endif

/* e^x for every float x, NaN propagated (vf_max/vf_min pass a NaN in their second operand). */
static inline vf smx_exp_full(vf x)
{
    x = vf_min(vf_set1(SMX_EXP_HI), vf_max(vf_set1(SMX_EXP_LO), x));
    vf n;
    vf p = smx_exp_reduce(x, &n);
    return vf_ldexp(p, n);
}

#endif
