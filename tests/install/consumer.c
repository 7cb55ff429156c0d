/* A program that uses smx the way a user would: built only with `pkg-config --cflags --libs
 * smx` (or --static) against an installed copy, so it uses nothing but smx and libc (no
 * libm of its own).  Prints the ISA the library chose, runs a softmax and a cross-entropy,
 * and exits non-zero if the results are not what they must be. */
#include <smx.h>

#include <stdio.h>

static double distance(double a, double b)
{
    return a > b ? a - b : b - a;
}

int main(void)
{
    smx_isa isa = smx_active_isa();
    const char *name = smx_isa_name(isa);
    printf("smx %d.%d.%d, active ISA: %s\n", SMX_VERSION_MAJOR, SMX_VERSION_MINOR,
           SMX_VERSION_PATCH, name ? name : "(null)");
    if (!name || !smx_isa_supported(isa))
        return 1;

    enum { N = 37 }; /* not a multiple of any vector width: the tails run too */
    float x[N], p[N];
    for (int k = 0; k < N; k++)
        x[k] = (float)((k * 7) % 11) - 3.5f;
    smx_softmax_f32(x, p, N);
    double sum = 0.0;
    for (int k = 0; k < N; k++) {
        if (!(p[k] > 0.0f && p[k] < 1.0f))
            return printf("softmax: p[%d] = %g\n", k, p[k]), 1;
        sum += p[k];
    }
    printf("softmax over %d logits sums to 1 %+.3g\n", N, sum - 1.0);
    if (distance(sum, 1.0) > 1e-6)
        return 1;

    /* Cross-entropy of the same row with label 3 (one of the largest logits: 21 % 11 = 10):
     * the loss is -log p[label], so e^-loss (by smx itself) must give p[label] back. */
    int32_t label = 3;
    float loss, back;
    if (smx_cross_entropy_f32(x, N, &label, 1, N, &loss, NULL, 0) != SMX_OK)
        return printf("cross_entropy failed\n"), 1;
    float neg = -loss;
    smx_exp_f32(&neg, &back, 1);
    printf("cross-entropy loss %.7g, e^-loss %.7g, p[label] %.7g\n", loss, back, p[label]);
    return loss > 0.0f && distance(back, p[label]) <= 1e-6 * p[label] ? 0 : 1;
}
