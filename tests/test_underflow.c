/* No subnormal intermediate where no output is subnormal.  Without FTZ (the library never
 * sets it), an Intel core takes a microcode assist of ~150 cycles for every instruction with
 * a subnormal result: a kernel whose internal products underflow runs several times slower
 * there on ordinary logits (softmax of 2^20 N(0,10) logits: 7.5x on an Emerald Rapids Xeon,
 * from the 1/sum scale's low part), while AMD cores hardly notice.  Timing is not a unit
 * test's business, but underflow is observable: the IEEE underflow flag.  Rows whose every
 * element lies within 60 of the max have no output below 2^-110 (long rows within 80: none
 * below 2^-126), so a softmax, a gradient or a log-softmax of them that raises FE_UNDERFLOW
 * formed a tiny value it did not need.
 * (Outputs that are themselves subnormal may raise it; they are excluded by construction.)
 * The flag is read and cleared here, in the test, never by the library. */
#include "common.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* n elements uniform in [base - width, base], one of them base exactly. */
static void fill_band(float *x, size_t n, float base, double width)
{
    for (size_t i = 0; i < n; i++)
        x[i] = base - (float)(width * tst_uniform());
    x[n / 3] = base;
}

static void assert_no_underflow(const char *what, size_t rows, size_t n)
{
    TST_ASSERT(!fetestexcept(FE_UNDERFLOW),
               "%s: %s raised FE_UNDERFLOW on rows x n = %zu x %zu (no output is subnormal: "
               "an intermediate went subnormal)",
               tst_isa_str(), what, rows, n);
}

/* Rows of ns[0..count) whose elements lie within `width` of the max: every output must be
 * at least `floor` (checked), and no call may raise FE_UNDERFLOW. */
static void run_bands(const size_t *ns, size_t count, double width, float floor)
{
    static const float bases[] = { 0.0f, 30.0f, -200.0f, 1000.0f };
    for (size_t i = 0; i < count; i++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            size_t n = ns[i], rows = n <= 4096 ? 6 : 1;
            float *x = tst_alloc(rows * n), *y = tst_alloc(rows * n), loss;
            int32_t *labels = malloc(rows * sizeof *labels);
            for (size_t r = 0; r < rows; r++) {
                fill_band(x + r * n, n, bases[b], width);
                labels[r] = (int32_t)((r * 7919) % n);
            }
            feclearexcept(FE_ALL_EXCEPT);
            smx_softmax_f32(x, y, n);
            assert_no_underflow("softmax", 1, n);
            ck_assert_int_eq(smx_softmax_rows_f32(x, n, y, n, rows, n), SMX_OK);
            assert_no_underflow("softmax_rows", rows, n);
            ck_assert_int_eq(smx_log_softmax_rows_f32(x, n, y, n, rows, n), SMX_OK);
            assert_no_underflow("log_softmax_rows", rows, n);
            ck_assert_int_eq(smx_cross_entropy_f32(x, n, labels, rows, n, &loss, y, n), SMX_OK);
            assert_no_underflow("cross_entropy (gradient)", rows, n);
            /* and the inputs were what they claim: every output at least floor */
            smx_softmax_f32(x, y, n);
            for (size_t k = 0; k < n; k++)
                TST_ASSERT(y[k] >= floor, "%s: test input gives output %a at %zu (n %zu)",
                           tst_isa_str(), (double)y[k], k, n);
            free(labels);
            free(x);
            free(y);
        }
}

/* Within 60 of the max: no output below 2^-110, every path (short rows too). */
START_TEST(test_underflow_rows)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 16, 100, 128, 1000, 4096, 32000, 100000, (size_t)1 << 21 };
    run_bands(ns, sizeof ns / sizeof ns[0] - (tst_quick() ? 2 : 0), 60.0, 0x1p-110f);
}
END_TEST

/* Long rows within 80 of the max: outputs down to ~2^-125.7 but none subnormal.  The long-row
 * passes bring the scale's product down by 2^-64 only at the end (generic/softmax.inc,
 * vf_scale), so nothing below 2^-126 is formed; short rows' cheaper scale may form one for
 * outputs below 2^-118 and are not run here. */
START_TEST(test_underflow_long_rows)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 1000, 4096, 32000, 100000 };
    run_bands(ns, sizeof ns / sizeof ns[0] - (tst_quick() ? 1 : 0), 80.0, 0x1p-126f);
}
END_TEST

/* Sharp rows (logits spread over 200, uniformly: a fifth to a half of the outputs below
 * FLT_MIN, many of them in the range where a product would be subnormal).  On the ISAs
 * whose Intel cores take the assist (AVX2, AVX-512), every output whose exact value is below
 * FLT_MIN is +0 and none is formed: no call raises FE_UNDERFLOW, on every path (short rows
 * alone and in pairs, the chunked and long-row passes, the gradient), for rows whose max
 * lies within 256 of zero.  Every ISA: outputs at
 * or above FLT_MIN within 4 ULP (chk_softmax), and the same bits for a row alone and in a
 * batch.  (SSE2, NEON and the scalar code form subnormal outputs; the assist is Intel's, and
 * their cores are either not Intel's or never chosen on one with AVX2.) */
START_TEST(test_underflow_sharp_rows)
{
    TST_BEGIN_ISA();
    const char *isa = tst_isa_str();
    int flushes = !strcmp(isa, "avx2") || !strcmp(isa, "avx512");
    static const size_t ns[] = { 7, 16, 64, 100, 128, 129, 200, 256, 1000, 4096, 32000, 100000 };
    static const float bases[] = { 0.0f, 100.0f, -300.0f, 1000.0f };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0] - (tst_quick() ? 1 : 0); i++)
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++) {
            size_t n = ns[i], rows = n <= 4096 ? 5 : 1;
            float *x = tst_alloc(rows * n), *y = tst_alloc(rows * n), *g = tst_alloc(rows * n);
            float *one = tst_alloc(n), loss;
            int32_t *labels = malloc(rows * sizeof *labels);
            for (size_t r = 0; r < rows; r++) {
                fill_band(x + r * n, n, bases[b], 200.0);
                labels[r] = (int32_t)((r * 7919) % n);
            }
            /* the last row rises along its length, so that the chunked and online passes
             * meet chunks whose max lies far below the row's (stored at a much smaller N,
             * rescaled by a tiny factor) */
            float *last = x + (rows - 1) * n;
            for (size_t k = 0; k < n; k++)
                last[k] = bases[b] - 200.0f + (float)(200.0 * (double)k / (double)n) -
                          (float)(30.0 * tst_uniform());
            last[n - 1] = bases[b];
            tst_ctx("n %zu base %g", n, (double)bases[b]);
            feclearexcept(FE_ALL_EXCEPT);
            smx_softmax_f32(x, one, n);
            ck_assert_int_eq(smx_softmax_rows_f32(x, n, y, n, rows, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(x, n, labels, rows, n, &loss, g, n), SMX_OK);
            int raised = fetestexcept(FE_UNDERFLOW) != 0;
            /* rows whose max is 256 or more in magnitude (shift != 0 plans) may form one num
             * a hair below 2^-126 now and then (generic/row_exp.h, smx_rowc_make) */
            if (flushes && fabsf(bases[b]) < 256.0f)
                TST_ASSERT(!raised, "%s: a sharp row formed a subnormal (FE_UNDERFLOW), n %zu",
                           isa, n);
            size_t tiny = 0;
            for (size_t r = 0; r < rows; r++) {
                chk_softmax(x + r * n, y + r * n, n);
                for (size_t k = 0; k < n; k++) {
                    float v = y[r * n + k];
                    tiny += v < FLT_MIN;
                    float d = g[r * n + k];
                    if (flushes) {
                        TST_ASSERT(!(v < FLT_MIN) || tst_bits(v) == 0,
                                   "%s: output %a below FLT_MIN is not +0 (n %zu, row %zu)",
                                   isa, (double)v, n, r);
                        TST_ASSERT(!(d >= 0.0f && d < FLT_MIN) || tst_bits(d) == 0,
                                   "%s: gradient %a below FLT_MIN is not +0 (n %zu, row %zu)",
                                   isa, (double)d, n, r);
                    }
                }
            }
            chk_same_row(y, one, n, 0);
            TST_ASSERT(n < 64 || tiny > 0, "test input has no output below FLT_MIN (n %zu)", n);
            free(labels);
            free(x);
            free(y);
            free(g);
            free(one);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("underflow");
    TCase *tc = tst_tcase(s, "underflow");
    tst_add_isa_test(tc, test_underflow_rows);
    tst_add_isa_test(tc, test_underflow_long_rows);
    tst_add_isa_test(tc, test_underflow_sharp_rows);
    return tst_run(s);
}
