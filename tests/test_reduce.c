/* Reductions on every ISA: sum (blocked error bound), max and argmax (exact, NaN and tie
 * rules), logsumexp (4 ULP of max(1, |result|)).  Inputs sit between NaNs that a correct
 * kernel never reads. */
#include "common.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_all(const float *x, size_t n)
{
    chk_sum(x, n, smx_sum_f32(x, n));
    chk_max(x, n, smx_max_f32(x, n));
    chk_argmax(x, n, smx_argmax_f32(x, n));
    chk_logsumexp(x, n, smx_logsumexp_f32(x, n));
}

/* Every n up to 300, every misalignment, every distribution. */
START_TEST(test_reduce_sizes)
{
    TST_BEGIN_ISA();
    enum { MAXN = 300, PAD = 32 };
    float *buf = tst_alloc(MAXN + 2 * PAD);
    for (size_t n = 0; n <= MAXN; n++)
        for (int off = 0; off < 4; off++)
            for (int d = 0; d < TST_NDIST; d++) {
                float *x = buf + PAD + off;
                tst_fill_bits(buf, MAXN + 2 * PAD, 0x7fc00000u); /* NaN around x */
                tst_fill(x, n, (enum tst_dist)d);
                tst_ctx("%s, offset %d", tst_dist_name((enum tst_dist)d), off);
                check_all(x, n);
            }
    free(buf);
}
END_TEST

START_TEST(test_reduce_large)
{
    TST_BEGIN_ISA();
    const size_t *sizes;
    size_t count = tst_large_sizes(&sizes);
    for (size_t s = 0; s < count; s++) {
        float *x = tst_alloc(sizes[s]);
        for (int d = 0; d < TST_NDIST; d++) {
            tst_fill(x, sizes[s], (enum tst_dist)d);
            tst_ctx("n=%zu, %s", sizes[s], tst_dist_name((enum tst_dist)d));
            check_all(x, sizes[s]);
        }
        for (size_t i = 0; i < sizes[s]; i++) /* all positive: no cancellation to hide in */
            x[i] = (float)(1.0 + tst_uniform());
        tst_ctx("n=%zu, uniform in [1, 2)", sizes[s]);
        check_all(x, sizes[s]);
        free(x);
    }
}
END_TEST

/* NaN, +inf, -inf and ties at every position of every length up to 70. */
START_TEST(test_reduce_specials)
{
    TST_BEGIN_ISA();
    float x[70];
    for (size_t n = 1; n <= 70; n++)
        for (size_t pos = 0; pos < n; pos++) {
            size_t second = (pos * 7 + 3) % n; /* another position, maybe before pos */
            static const char *const what[] = { "NaN", "two NaNs", "+inf", "+inf and -inf",
                                                "-inf", "tie", "zeros -0/+0", "all -inf" };
            for (int k = 0; k < 8; k++) {
                tst_fill(x, n, TST_N10);
                switch (k) {
                case 0: x[pos] = NAN; break;
                case 1: x[pos] = NAN; x[second] = -NAN; break;
                case 2: x[pos] = INFINITY; break;
                case 3: x[pos] = INFINITY; x[second] = pos == second ? x[second] : -INFINITY; break;
                case 4: x[pos] = -INFINITY; break;
                case 5: x[pos] = 100.0f; x[second] = 100.0f; break;
                case 6: memset(x, 0, n * sizeof *x); x[pos] = -0.0f; break;
                case 7: tst_fill_bits(x, n, tst_bits(-INFINITY)); break;
                }
                tst_ctx("%s at %zu (second %zu)", what[k], pos, second);
                check_all(x, n);
            }
        }
}
END_TEST

/* Sums past FLT_MAX give +-inf; sums that stay finite must not overflow on the way (runs
 * of 1..128 equal signs put two +-0.75 FLT_MAX into one lane of any kernel); n == 0 gives
 * +0 (checked in test_api). */
START_TEST(test_sum_overflow)
{
    TST_BEGIN_ISA();
    float x[300];
    for (size_t n = 3; n <= 300; n++) {
        for (int sign = -1; sign <= 1; sign += 2) {
            for (size_t i = 0; i < n; i++)
                x[i] = (float)sign * FLT_MAX / 2;
            float got = smx_sum_f32(x, n);
            TST_ASSERT(got == (float)sign * INFINITY, "%s: sum of %zu x %a = %a, expected %cinf",
                       tst_isa_str(), n, (double)x[0], (double)got, sign < 0 ? '-' : '+');
        }
        for (size_t run = 1; run <= 128; run *= 2) {
            for (size_t i = 0; i < n; i++)
                x[i] = (i / run) % 2 ? -0.75f * FLT_MAX : 0.75f * FLT_MAX;
            tst_ctx("runs of %zu values +-0.75 FLT_MAX", run);
            chk_sum(x, n, smx_sum_f32(x, n));
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reduce");
    TCase *tc = tst_tcase(s, "reduce");
    tst_add_isa_test(tc, test_reduce_sizes);
    tst_add_isa_test(tc, test_reduce_large);
    tst_add_isa_test(tc, test_reduce_specials);
    tst_add_isa_test(tc, test_sum_overflow);
    return tst_run(s);
}
