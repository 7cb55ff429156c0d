/* Regression (found by fuzz/fuzz_smx at 968eba5; fixed in 7953175): log-softmax lost
 * log(sum) for rows whose max is large.  The row's logsumexp was formed in double as
 * m + log(sum) and then subtracted as a float pair, but for |m| above ~2^33 the double
 * m + log(sum) has already rounded log(sum) away: five equal logits of 3.75e38 gave 0
 * instead of -log 5 = -1.609, and 3.3e10 gave an error of 16 ULP.  include/smx.h: absolute
 * error <= 4 ULP of max(1, |y|).
 *
 * Standalone: exits 0 when every ISA this CPU runs gets every case right. */
#include "smx.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

static int failures;

/* ULP of max(1, |v|) for floats. */
static long double ulp1(long double v)
{
    v = fabsl(v);
    if (v < 1.0L)
        v = 1.0L;
    return ldexpl(1.0L, ilogbl(v) - 23);
}

static void check(const float *x, size_t n)
{
    long double m = -INFINITY, s = 0.0L;
    for (size_t k = 0; k < n; k++)
        m = x[k] > m ? x[k] : m;
    for (size_t k = 0; k < n; k++)
        s += expl((long double)x[k] - m);
    float y[64];
    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
        if (smx_use_isa((smx_isa)isa) != SMX_OK)
            continue;
        smx_log_softmax_f32(x, y, n);
        for (size_t k = 0; k < n; k++) {
            long double want = ((long double)x[k] - m) - logl(s);
            long double err = fabsl((long double)y[k] - want) / ulp1(want);
            if (!(err <= 4)) {
                printf("FAIL log_softmax on %s, max %a, n %zu: y[%zu] = %.9g, want %.9Lg "
                       "(%.3Lg ULP)\n", smx_isa_name((smx_isa)isa), (double)m, n, k, y[k],
                       want, err);
                failures++;
                break;
            }
        }
    }
}

int main(void)
{
    float x[64];
    /* Equal logits at growing magnitudes: y = -log n exactly. */
    for (float m = 1e6f; m < 3e38f; m *= 32.0f) {
        for (int k = 0; k < 5; k++)
            x[k] = m;
        check(x, 5);
        for (int k = 0; k < 5; k++)
            x[k] = -m;
        check(x, 5);
    }
    /* A spread row near 2^40 (differences representable: ULP there is 2^17). */
    for (int k = 0; k < 40; k++)
        x[k] = 0x1p40f + (float)(k % 7) * 0x1p17f;
    check(x, 40);
    if (!failures)
        printf("regress_log_softmax_big_max: OK\n");
    return failures ? 1 : 0;
}
