/* Regression (found by fuzz/fuzz_smx; fixed in 7953175): cross-entropy of a confident row,
 * label logit 0 and the 599 other logits all at -gap, gap in 87..93.  The exact loss
 * log1p(599 e^-gap) lies between 2.4e-38 and 9.9e-36 (normal floats), so include/smx.h's
 * "relative error <= 1e-6, also for confident rows where the loss is tiny" applies, and so
 * does the gradient's 4 ULP at the label (-others / sum).  Two failures before the fix:
 *   - SSE2 and AVX2 (a working tree with vf_ldexp_flush in the softmax family): every
 *     other term is below 2^-126 and flushed to +0, so `others` is 0: loss 0 and
 *     grad[label] -0 (relative error 1) from gap ~88.4 on;
 *   - every ISA (968eba5): the other terms are formed as floats in the subnormal range
 *     (the row is scaled so that its max is in [1, 2)), each rounded to a multiple of
 *     2^-149, which at gap 93 (e^-93 = 4e-41) is up to 2e-5 relative per term, all in the
 *     same direction here: loss relative error 1e-5, grad[label] off by 89 ULP.
 *
 * Standalone: exits 0 when every ISA this CPU runs gets every case right. */
#include "smx.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    enum { N = 600 };
    int failures = 0;
    static const float gaps[] = { 87.0f, 88.5f, 90.0f, 91.0f, 92.0f, 93.0f };
    for (size_t t = 0; t < sizeof gaps / sizeof gaps[0]; t++) {
        static float z[N], grad[N];
        float loss;
        int32_t label = 0;
        z[0] = 0.0f;
        for (int k = 1; k < N; k++)
            z[k] = -gaps[t];
        long double others = (N - 1) * expl(-(long double)gaps[t]);
        long double want_loss = log1pl(others);           /* -log(1 / (1 + others)) */
        long double want_g0 = -others / (1.0L + others);  /* p_label - 1 */
        long double ulp_g0 = ldexpl(1.0L, ilogbl(want_g0) - 23);
        for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
            if (smx_use_isa((smx_isa)isa) != SMX_OK)
                continue;
            if (smx_cross_entropy_f32(z, N, &label, 1, N, &loss, grad, N) != SMX_OK) {
                printf("FAIL %s: cross_entropy did not return SMX_OK\n",
                       smx_isa_name((smx_isa)isa));
                failures++;
                continue;
            }
            long double rel = fabsl((long double)loss - want_loss) / want_loss;
            long double g_err = fabsl((long double)grad[0] - want_g0) / ulp_g0;
            if (!(rel <= 1e-6L) || !(g_err <= 4)) {
                printf("FAIL %s, others at -%g: loss %a (want %.6Lg, relative error %.3Lg), "
                       "grad[label] %a (want %.6Lg, %.3Lg ULP)\n", smx_isa_name((smx_isa)isa),
                       gaps[t], loss, want_loss, rel, grad[0], want_g0, g_err);
                failures++;
            }
        }
    }
    if (!failures)
        printf("regress_xent_confident_tiny: OK\n");
    return failures ? 1 : 0;
}
