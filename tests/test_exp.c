/* smx_exp_f32 on every ISA: error < 1 ULP against double exp (long double when it is
 * that close), special values at every position of every tail, the overflow and
 * underflow thresholds, subnormal outputs, misaligned and in-place calls, large n. */
#include "common.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const float specials[] = {
    -INFINITY, INFINITY, NAN, -NAN, 0.0f, -0.0f, 1.0f, -1.0f, 0x1p-149f, -0x1p-149f,
    FLT_MIN, -FLT_MIN, 1e-10f, -1e-10f, 0.34657359f /* ln2/2 */, -0.34657359f,
    -87.3365479f /* exp = FLT_MIN */, -87.5f, -100.0f, -103.278931f /* exp = 2^-149 */,
    -103.972084f /* exp = 2^-150 */, -103.99999f, -104.0f, -104.00001f, -105.0f, -200.0f,
    -1e10f, -FLT_MAX, 88.0f, 88.7228317f /* last finite */, 88.7228394f, 89.0f, 1000.0f,
    FLT_MAX,
};
#define NSPECIAL (sizeof specials / sizeof specials[0])

/* Every special at the start, middle and end of every length up to 70: vector bodies and
 * tails of every length see each of them. */
START_TEST(test_exp_specials)
{
    TST_BEGIN_ISA();
    float x[70], y[70 + 16];
    for (size_t n = 1; n <= 70; n++)
        for (size_t s = 0; s < NSPECIAL; s++)
            for (int where = 0; where < 3; where++) {
                size_t pos = where == 0 ? 0 : where == 1 ? n / 2 : n - 1;
                tst_fill(x, n, TST_N10);
                x[pos] = specials[s];
                tst_ctx("special %a at %zu of %zu", (double)specials[s], pos, n);
                tst_fill_bits(y, n + 16, TST_CANARY);
                smx_exp_f32(x, y, n);
                chk_exp(x, y, n);
                tst_check_canary(y + n, 16, "exp wrote past y + n");
                memcpy(y, x, n * sizeof *x); /* in place */
                smx_exp_f32(y, y, n);
                chk_exp(x, y, n);
            }
}
END_TEST

/* The last float with a finite e^x, its neighbours, and everything above it. */
START_TEST(test_exp_overflow)
{
    TST_BEGIN_ISA();
    float last = 89.0f;
    while (exp((double)last) > FLT_MAX) /* no float has e^x in (FLT_MAX, 2^128) */
        last = nextafterf(last, 0.0f);
    enum { N = 8192 };
    float *x = tst_alloc(N), *y = tst_alloc(N);
    x[0] = last;
    for (int i = 1; i < N / 2; i++)
        x[i] = nextafterf(x[i - 1], 0.0f);
    x[N / 2] = nextafterf(last, INFINITY);
    for (int i = N / 2 + 1; i < N; i++)
        x[i] = nextafterf(x[i - 1], INFINITY);
    tst_ctx("around the last finite input %a", (double)last);
    smx_exp_f32(x, y, N);
    chk_exp(x, y, N);
    TST_ASSERT(isfinite(y[0]), "%s: exp(%a) (last finite) = %a", tst_isa_str(), (double)last,
               (double)y[0]);
    TST_ASSERT(y[N / 2] == INFINITY, "%s: exp(%a) = %a, expected +inf", tst_isa_str(),
               (double)x[N / 2], (double)y[N / 2]);
    const uint32_t above = tst_bits(last) + 1, span = tst_bits(FLT_MAX) - above;
    for (int i = 0; i < N; i++) /* evenly spread bit patterns up to FLT_MAX */
        x[i] = tst_from_bits(above + (uint32_t)((double)i / (N - 1) * span));
    tst_ctx("above the last finite input");
    smx_exp_f32(x, y, N);
    for (int i = 0; i < N; i++)
        TST_ASSERT(y[i] == INFINITY, "%s: exp(%a) = %a, expected +inf", tst_isa_str(),
                   (double)x[i], (double)y[i]);
    free(x);
    free(y);
}
END_TEST

/* Subnormal and underflowing results: every 16th float from -87.2 down to -104.5. */
START_TEST(test_exp_subnormal)
{
    TST_BEGIN_ISA();
    const uint32_t step = tst_quick() ? 509 : 16;
    const uint32_t from = tst_bits(-87.2f), to = tst_bits(-104.5f);
    size_t n = (to - from) / step + 1;
    float *x = tst_alloc(n), *y = tst_alloc(n);
    for (size_t i = 0; i < n; i++)
        x[i] = tst_from_bits(from + (uint32_t)i * step);
    tst_ctx("subnormal sweep");
    smx_exp_f32(x, y, n);
    chk_exp(x, y, n);
    free(x);
    free(y);
}
END_TEST

/* Every n up to 300, every misalignment of x and y (0..3 floats), and in place; nothing
 * written before y or after y + n. */
START_TEST(test_exp_sizes)
{
    TST_BEGIN_ISA();
    enum { MAXN = 300, PAD = 32 };
    float *xb = tst_alloc(MAXN + 2 * PAD), *yb = tst_alloc(MAXN + 2 * PAD);
    float *x0 = tst_alloc(MAXN);
    for (size_t n = 0; n <= MAXN; n++)
        for (int ox = 0; ox < 4; ox++)
            for (int oy = -1; oy < 4; oy++) { /* oy == -1: in place at x's offset */
                float *x = xb + PAD + ox, *y = oy < 0 ? yb + PAD + ox : yb + PAD + oy;
                for (size_t i = 0; i < n; i++)
                    x0[i] = (float)(-110.0 + 205.0 * tst_uniform());
                memcpy(x, x0, n * sizeof *x);
                tst_fill_bits(yb, MAXN + 2 * PAD, TST_CANARY);
                if (oy < 0)
                    memcpy(y, x0, n * sizeof *x);
                tst_ctx("x offset %d, y offset %d%s", ox, oy < 0 ? ox : oy,
                        oy < 0 ? " (in place)" : "");
                smx_exp_f32(oy < 0 ? y : x, y, n);
                chk_exp(x0, y, n);
                tst_check_canary(yb, (size_t)(y - yb), "exp wrote before y");
                tst_check_canary(y + n, (size_t)(yb + MAXN + 2 * PAD - (y + n)),
                                 "exp wrote after y + n");
            }
    free(xb);
    free(yb);
    free(x0);
}
END_TEST

/* Large n: random bit patterns (every class of float) and uniform inputs in the range
 * where results are finite and nonzero. */
START_TEST(test_exp_large)
{
    TST_BEGIN_ISA();
    const size_t *sizes;
    size_t count = tst_large_sizes(&sizes);
    for (size_t s = 0; s < count; s++) {
        size_t n = sizes[s];
        float *x = tst_alloc(n), *y = tst_alloc(n);
        for (int kind = 0; kind < 2; kind++) {
            for (size_t i = 0; i < n; i++)
                x[i] = kind ? (float)(-104.0 + 193.0 * tst_uniform())
                            : tst_from_bits((uint32_t)tst_rand_u64());
            tst_ctx("n=%zu, %s", n, kind ? "uniform in [-104, 89]" : "random bit patterns");
            smx_exp_f32(x, y, n);
            chk_exp(x, y, n);
        }
        free(x);
        free(y);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exp");
    TCase *tc = tst_tcase(s, "exp");
    tst_add_isa_test(tc, test_exp_specials);
    tst_add_isa_test(tc, test_exp_overflow);
    tst_add_isa_test(tc, test_exp_subnormal);
    tst_add_isa_test(tc, test_exp_sizes);
    tst_add_isa_test(tc, test_exp_large);
    return tst_run(s);
}
