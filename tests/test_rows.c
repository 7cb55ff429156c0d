/* smx_softmax_rows_f32 and smx_log_softmax_rows_f32 on every ISA: leading dimensions
 * larger than n (the padding is neither read, it holds NaN, nor written, it holds
 * canaries), in place with ldx == ldy, and rows of every class side by side.  The SMX_EINVAL
 * rules are in test_api.c. */
#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef smx_status (*rows_fn)(const float *, size_t, float *, size_t, size_t, size_t);
static const rows_fn fns[2] = { smx_softmax_rows_f32, smx_log_softmax_rows_f32 };
static const char *const fn_names[2] = { "softmax_rows", "log_softmax_rows" };

static void check_row(int f, const float *x, const float *y, size_t n)
{
    if (f == 0)
        chk_softmax(x, y, n);
    else
        chk_log_softmax(x, y, n);
}

/* rows x n with padding: x (and y when in place) padding NaN, y padding canaries. */
static void run_rows(int f, size_t rows, size_t n, size_t ldx, size_t ldy, int in_place)
{
    size_t cap = rows * (ldx > ldy ? ldx : ldy) + 16;
    float *x = tst_alloc(cap), *y = in_place ? x : tst_alloc(cap), *x0 = tst_alloc(cap);
    tst_fill_bits(x0, cap, in_place ? TST_CANARY : 0x7fc00000u);
    for (size_t r = 0; r < rows; r++)
        tst_fill(x0 + r * ldx, n, (enum tst_dist)((r + n) % TST_NDIST));
    memcpy(x, x0, cap * sizeof *x);
    if (!in_place)
        tst_fill_bits(y, cap, TST_CANARY);
    tst_ctx("%s rows=%zu n=%zu ldx=%zu ldy=%zu%s", fn_names[f], rows, n, ldx, ldy,
            in_place ? " in place" : "");
    smx_status st = fns[f](x, ldx, y, ldy, rows, n);
    TST_ASSERT(st == SMX_OK, "%s: error %d [%s]", tst_isa_str(), st, tst_ctx_str());
    for (size_t r = 0; r < rows; r++) {
        check_row(f, x0 + r * ldx, y + r * ldy, n);
        tst_check_canary(y + r * ldy + n, r + 1 < rows ? ldy - n : cap - r * ldy - n,
                         "padding after a row written");
    }
    if (!in_place) {
        TST_ASSERT(memcmp(x, x0, cap * sizeof *x) == 0, "%s: %s modified its input",
                   tst_isa_str(), fn_names[f]);
        free(y);
    }
    free(x);
    free(x0);
}

START_TEST(test_rows_layouts)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64,
                                 65, 127, 128, 129, 255, 256, 257, 300, 1000, 4099 };
    static const size_t pads[] = { 0, 1, 3, 16, 37 };
    static const size_t row_counts[] = { 1, 2, 3, 7 };
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            for (size_t p = 0; p < sizeof pads / sizeof pads[0]; p++)
                for (size_t r = 0; r < sizeof row_counts / sizeof row_counts[0]; r++) {
                    size_t n = ns[i], ld = n + pads[p], ld2 = n + pads[(p + r) % 5];
                    run_rows(f, row_counts[r], n, ld, ld2, 0);
                    run_rows(f, row_counts[r], n, ld, ld, 1);
                }
}
END_TEST

/* A masked row, a NaN row, a +inf row, rows around +-1000 (shifted exponentials) and finite
 * rows side by side: no row's class or scale leaks into its neighbours (each row's exp pass
 * also reads the next row's max, and long rows take another path). */
START_TEST(test_rows_mixed_classes)
{
    TST_BEGIN_ISA();
    enum { ROWS = 9 };
    static const size_t ns[] = { 1, 5, 16, 17, 100, 1000, 20000 };
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
            size_t n = ns[i], ld = n + 3;
            float *x = tst_alloc(ROWS * ld), *y = tst_alloc(ROWS * ld);
            tst_fill_bits(x, ROWS * ld, 0x7fc00000u);
            tst_fill_bits(y, ROWS * ld, TST_CANARY);
            for (size_t r = 0; r < ROWS; r++)
                tst_fill(x + r * ld, n, TST_N10);
            tst_fill_bits(x + 1 * ld, n, tst_bits(-INFINITY)); /* masked */
            x[2 * ld + n / 2] = NAN;
            x[4 * ld + n - 1] = INFINITY;
            for (size_t k = 0; k < n; k++) {
                x[5 * ld + k] += 1000.0f;
                x[6 * ld + k] -= 1000.0f;
            }
            x[8 * ld] = NAN; /* last row: NaN first */
            tst_ctx("%s mixed row classes n=%zu", fn_names[f], n);
            ck_assert_int_eq(fns[f](x, ld, y, ld, ROWS, n), SMX_OK);
            for (size_t r = 0; r < ROWS; r++) {
                check_row(f, x + r * ld, y + r * ld, n);
                tst_check_canary(y + r * ld + n, 3, "padding written");
            }
            free(x);
            free(y);
        }
}
END_TEST

/* Many short rows of one large batch (the classifier-head shape), and one large row. */
START_TEST(test_rows_batches)
{
    TST_BEGIN_ISA();
    static const size_t shapes[][2] = { { 1000, 10 }, { 256, 1000 }, { 3, 32000 } };
    size_t count = tst_quick() ? 2 : 3;
    for (int f = 0; f < 2; f++)
        for (size_t s = 0; s < count; s++)
            run_rows(f, shapes[s][0], shapes[s][1], shapes[s][1] + 1, shapes[s][1], 0);
}
END_TEST

/* A batch gives each row the same bits as a call for that row alone: batches of short rows
 * go two (softmax) or eight (log-softmax on AVX-512) rows at a time through other code than
 * a single row, and must not round differently.  Rows of every class, counts that leave a
 * partial block. */
START_TEST(test_rows_same_bits_as_single)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 1, 7, 16, 33, 64, 100, 128, 129, 200, 256, 257, 3000, 4500, 9000 };
    static const size_t row_counts[] = { 2, 8, 9, 19 };
    for (int f = 0; f < 2; f++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            for (size_t c = 0; c < sizeof row_counts / sizeof row_counts[0]; c++) {
                size_t n = ns[i], rows = row_counts[c], ld = n + 5;
                float *x = tst_alloc(rows * ld), *y = tst_alloc(rows * ld), *y1 = tst_alloc(n);
                tst_fill_bits(x, rows * ld, 0x7fc00000u);
                for (size_t r = 0; r < rows; r++)
                    tst_fill(x + r * ld, n, (enum tst_dist)((r + c) % TST_NDIST));
                tst_fill_bits(x + (3 % rows) * ld, n, tst_bits(-INFINITY));
                x[(5 % rows) * ld + n / 2] = NAN;
                x[(6 % rows) * ld + n - 1] = INFINITY;
                for (size_t k = 0; k < n; k++)
                    x[(rows - 1) * ld + k] += 1000.0f;
                tst_ctx("%s rows=%zu n=%zu: batch vs single rows", fn_names[f], rows, n);
                ck_assert_int_eq(fns[f](x, ld, y, ld, rows, n), SMX_OK);
                for (size_t r = 0; r < rows; r++) {
                    ck_assert_int_eq(fns[f](x + r * ld, n, y1, n, 1, n), SMX_OK);
                    chk_same_row(y + r * ld, y1, n, r);
                }
                free(x);
                free(y);
                free(y1);
            }
}
END_TEST

/* Softmax's long rows scale in two operations where every v*lo is normal, else in vf_scale's
 * four or five, and the two must give the same bits: a batch (three passes, the short scale
 * where the row qualifies), a row alone (the chunked form: the short scale on AVX2, not on
 * AVX-512) and a row alone in place (three passes, always vf_scale).  Rows spread uniformly
 * over widths 60 to 100 below their max, where the choice flips (a spread of ~80), some with
 * one element at -inf, each row also checked against the exact softmax. */
START_TEST(test_rows_fast_scale_same_bits)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 300, 1000, 2053, 4096 };
    const size_t rows = 4;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int wq = 0; wq <= (tst_quick() ? 40 : 160); wq++) {
            size_t n = ns[i];
            double w = 60.0 + (tst_quick() ? 1.0 : 0.25) * wq;
            float *x = tst_alloc(rows * n), *y = tst_alloc(rows * n), *y1 = tst_alloc(n),
                  *y2 = tst_alloc(n);
            for (size_t r = 0; r < rows; r++) {
                double m = 100.0 * tst_uniform() - 50.0;
                for (size_t k = 0; k < n; k++)
                    x[r * n + k] = (float)(m - w * tst_uniform());
                x[r * n + (r * 37) % n] = (float)m;
                x[r * n + (r * 91 + 5) % n] = (float)(m - w);
            }
            x[3 * n + n / 2] = -INFINITY;
            tst_ctx("softmax n=%zu spread %g: batch, alone, in place", n, w);
            ck_assert_int_eq(smx_softmax_rows_f32(x, n, y, n, rows, n), SMX_OK);
            for (size_t r = 0; r < rows; r++) {
                smx_softmax_f32(x + r * n, y1, n);
                memcpy(y2, x + r * n, n * sizeof *y2);
                smx_softmax_f32(y2, y2, n);
                chk_same_row(y + r * n, y1, n, r);
                chk_same_row(y2, y1, n, r);
                chk_softmax(x + r * n, y1, n);
            }
            free(x);
            free(y);
            free(y1);
            free(y2);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rows");
    TCase *tc = tst_tcase(s, "rows");
    tst_add_isa_test(tc, test_rows_layouts);
    tst_add_isa_test(tc, test_rows_mixed_classes);
    tst_add_isa_test(tc, test_rows_batches);
    tst_add_isa_test(tc, test_rows_same_bits_as_single);
    tst_add_isa_test(tc, test_rows_fast_scale_same_bits);
    return tst_run(s);
}
