/* Regression (found by fuzz/fuzz_smx at 968eba5; fixed in 7953175): smx_sum_f32 returned
 * +inf or NaN for finite inputs whose exact sum is finite, because a float lane's partial
 * sum overflowed before the block sums reached double.  include/smx.h promises an error
 * <= (4 + 2 log2 n) 2^-24 sum|x|; and with one -inf among finite inputs the sum is -inf,
 * not NaN.
 *
 * Standalone: exits 0 when every ISA this CPU runs gets every case right. */
#include "smx.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void check(const char *name, const float *x, size_t n)
{
    long double exact = 0.0L, abs_sum = 0.0L;
    int pinf = 0, ninf = 0;
    for (size_t k = 0; k < n; k++) {
        if (isinf(x[k]))
            *(x[k] > 0 ? &pinf : &ninf) = 1;
        else {
            exact += x[k];
            abs_sum += fabsl(x[k]);
        }
    }
    long double bound = (4.0L + 2.0L * log2l((long double)n)) * 0x1p-24L * abs_sum;
    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
        if (smx_use_isa((smx_isa)isa) != SMX_OK)
            continue;
        float got = smx_sum_f32(x, n);
        int ok;
        if (pinf || ninf)
            ok = pinf && ninf ? isnan(got) : got == (pinf ? INFINITY : -INFINITY);
        else
            ok = isfinite(got) && fabsl((long double)got - exact) <= bound;
        if (!ok) {
            printf("FAIL %s on %s: got %a, exact %.9Lg (bound %.3Lg)\n", name,
                   smx_isa_name((smx_isa)isa), got, exact, bound);
            failures++;
        }
    }
}

int main(void)
{
    /* The fuzzer's input: 19 floats near 2^125, exact sum 3.276e38 < FLT_MAX. */
    static const float fuzz_case[19] = {
        0x1.219542p+123f, 0x1.787b4p+125f, 0x1.bf60e2p+125f, 0x1.b98404p+123f, 0x1.350212p+125f,
        0x1.39811cp+123f, -0x1.eab5cap+123f, 0x1.71934ep+119f, 0x1.67dce6p+125f, 0x1.25a374p+125f,
        0x1.6d8ca2p+125f, 0x1.41d9bp+125f, 0x1.99b06ep+124f, 0x1.596b44p+123f, -0x1.189ebp+125f,
        0x1.73cf12p+124f, -0x1.953caap+125f, -0x1.c77984p+124f, -0x1.a39036p+124f,
    };
    check("19 floats near 2^125 (fuzz input)", fuzz_case, 19);

    /* +3e38 and -3e38 placed so that two positives (and two negatives) share a lane and an
     * accumulator within one block on every vector width (1, 4, 8, 16 lanes): exact sum 0. */
    static float cancel[256];
    static const int pos[] = { 0, 4, 16, 32, 64 }, neg[] = { 1, 5, 17, 33, 65 };
    for (int i = 0; i < 5; i++) {
        cancel[pos[i]] = 3e38f;
        cancel[neg[i]] = -3e38f;
    }
    check("+-3e38 cancelling, n = 256", cancel, 256);

    /* The same positives and one -inf: the sum is -inf (no +inf in the input). */
    static float with_ninf[256];
    for (int i = 0; i < 5; i++)
        with_ninf[pos[i]] = 3e38f;
    with_ninf[255] = -INFINITY;
    check("3e38 x5 and one -inf", with_ninf, 256);

    if (!failures)
        printf("regress_sum_overflow: OK\n");
    return failures ? 1 : 0;
}
