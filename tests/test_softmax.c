/* smx_softmax_f32 and smx_log_softmax_f32 on every ISA: 4 ULP of the exact softmax of the
 * float inputs (sum within 1e-6 of 1), log-softmax within 4 ULP of max(1, |y|), every n
 * up to 300 and large n, every distribution, misaligned and in place, and the row
 * semantics of NaN, +inf and -inf. */
#include "common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*row_fn)(const float *, float *, size_t);
static const row_fn fns[2] = { smx_softmax_f32, smx_log_softmax_f32 };
static const char *const fn_names[2] = { "softmax", "log_softmax" };

static void check(int f, const float *x, const float *y, size_t n)
{
    if (f == 0)
        chk_softmax(x, y, n);
    else
        chk_log_softmax(x, y, n);
}

enum { PAD = 32 };

/* Runs fns[f] on x0 (n floats) with x at offset ox and y at offset oy (oy < 0: in place),
 * NaN around x, canaries around y. */
static void run_one(int f, const float *x0, size_t n, int ox, int oy, float *xb, float *yb,
                    size_t cap)
{
    float *x = xb + PAD + ox, *y = oy < 0 ? yb + PAD + ox : yb + PAD + oy;
    tst_fill_bits(xb, cap + 2 * PAD, 0x7fc00000u);
    tst_fill_bits(yb, cap + 2 * PAD, TST_CANARY);
    memcpy(oy < 0 ? y : x, x0, n * sizeof *x0);
    fns[f](oy < 0 ? y : x, y, n);
    check(f, x0, y, n);
    tst_check_canary(yb, (size_t)(y - yb), "wrote before y");
    tst_check_canary(y + n, (size_t)(yb + cap + 2 * PAD - (y + n)), "wrote after y + n");
}

START_TEST(test_softmax_sizes)
{
    TST_BEGIN_ISA();
    enum { MAXN = 300 };
    float *xb = tst_alloc(MAXN + 2 * PAD), *yb = tst_alloc(MAXN + 2 * PAD), x0[MAXN];
    for (int f = 0; f < 2; f++)
        for (size_t n = 0; n <= MAXN; n++)
            for (int d = 0; d < TST_NDIST; d++) {
                int ox = (int)(n + (size_t)d) % 4, oy = (int)(n / 4 + (size_t)d) % 4;
                tst_fill(x0, n, (enum tst_dist)d);
                tst_ctx("%s, %s, x offset %d, y offset %d", fn_names[f],
                        tst_dist_name((enum tst_dist)d), ox, oy);
                run_one(f, x0, n, ox, oy, xb, yb, MAXN);
                tst_ctx("%s, %s, in place at offset %d", fn_names[f],
                        tst_dist_name((enum tst_dist)d), ox);
                run_one(f, x0, n, ox, -1, xb, yb, MAXN);
            }
    free(xb);
    free(yb);
}
END_TEST

START_TEST(test_softmax_large)
{
    TST_BEGIN_ISA();
    const size_t *sizes;
    size_t count = tst_large_sizes(&sizes);
    for (size_t s = 0; s < count; s++) {
        size_t n = sizes[s];
        float *x = tst_alloc(n), *y = tst_alloc(n);
        for (int d = 0; d < TST_NDIST; d++) {
            tst_fill(x, n, (enum tst_dist)d);
            for (int f = 0; f < 2; f++) {
                tst_ctx("%s, n=%zu, %s", fn_names[f], n, tst_dist_name((enum tst_dist)d));
                fns[f](x, y, n);
                check(f, x, y, n);
            }
        }
        free(x);
        free(y);
    }
}
END_TEST

/* Many random rows (random n up to 300, random distribution): the error tails.
 * SMX_TEST_ROWS=200000 searches harder. */
START_TEST(test_softmax_random_rows)
{
    TST_BEGIN_ISA();
    float x[300], y[300];
    const char *env = getenv("SMX_TEST_ROWS");
    int rows = env && atoi(env) > 0 ? atoi(env) : tst_quick() ? 2000 : 20000;
    for (int r = 0; r < rows; r++) {
        size_t n = 1 + tst_rand_u64() % 300;
        enum tst_dist d = (enum tst_dist)(tst_rand_u64() % TST_NDIST);
        tst_fill(x, n, d);
        for (int f = 0; f < 2; f++) {
            tst_ctx("%s, random row %d, n=%zu, %s", fn_names[f], r, n, tst_dist_name(d));
            fns[f](x, y, n);
            check(f, x, y, n);
        }
        tst_ctx("logsumexp, random row %d, n=%zu, %s", r, n, tst_dist_name(d));
        chk_logsumexp(x, n, smx_logsumexp_f32(x, n));
    }
}
END_TEST

/* Rows that some ISA once got wrong (tests/data/softmax_hard_rows.txt), on every ISA, also
 * as cross-entropy rows labelled at their max. */
START_TEST(test_softmax_hard_rows)
{
    TST_BEGIN_ISA();
    FILE *f = fopen(SMX_TEST_DATA "/softmax_hard_rows.txt", "r");
    ck_assert_msg(f != NULL, "cannot open %s", SMX_TEST_DATA "/softmax_hard_rows.txt");
    char line[128];
    float *x = NULL, *y = NULL, loss;
    size_t n = 0, have = 0;
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (strncmp(line, "row ", 4) == 0) {
            n = strtoul(line + 4, NULL, 10);
            have = 0;
            free(x);
            free(y);
            x = tst_alloc(n);
            y = tst_alloc(n);
            continue;
        }
        x[have++] = strtof(line, NULL);
        if (have < n)
            continue;
        int32_t label = (int32_t)smx_argmax_f32(x, n);
        tst_ctx("hard row %d (n=%zu)", ++count, n);
        smx_softmax_f32(x, y, n);
        chk_softmax(x, y, n);
        smx_log_softmax_f32(x, y, n);
        chk_log_softmax(x, y, n);
        chk_logsumexp(x, n, smx_logsumexp_f32(x, n));
        ck_assert_int_eq(smx_cross_entropy_f32(x, n, &label, 1, n, &loss, y, n), SMX_OK);
        chk_cross_entropy(x, n, &label, 1, n, loss, y, n);
    }
    fclose(f);
    free(x);
    free(y);
    ck_assert_msg(count > 0, "no rows in softmax_hard_rows.txt");
}
END_TEST

/* NaN, +inf, -inf, and all -inf, at every position of every length up to 70. */
START_TEST(test_softmax_specials)
{
    TST_BEGIN_ISA();
    static const char *const what[] = { "NaN", "+inf", "-inf", "+inf and NaN",
                                        "+inf and -inf", "all -inf but one", "all -inf" };
    float x[70], y[70];
    for (int f = 0; f < 2; f++)
        for (size_t n = 1; n <= 70; n++)
            for (size_t pos = 0; pos < n; pos++)
                for (int k = 0; k < 7; k++) {
                    size_t other = (pos * 5 + 1) % n;
                    tst_fill(x, n, TST_N10);
                    switch (k) {
                    case 0: x[pos] = NAN; break;
                    case 1: x[pos] = INFINITY; break;
                    case 2: x[pos] = -INFINITY; break;
                    case 3: x[pos] = INFINITY; x[other] = NAN; break;
                    case 4: x[other] = -INFINITY; x[pos] = INFINITY; break;
                    case 5: case 6:
                        tst_fill_bits(x, n, tst_bits(-INFINITY));
                        x[pos] = k == 5 ? -1e30f : -INFINITY;
                        break;
                    }
                    tst_ctx("%s, %s at %zu (other %zu)", fn_names[f], what[k], pos, other);
                    fns[f](x, y, n);
                    check(f, x, y, n);
                }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("softmax");
    TCase *tc = tst_tcase(s, "softmax");
    tst_add_isa_test(tc, test_softmax_sizes);
    tst_add_isa_test(tc, test_softmax_large);
    tst_add_isa_test(tc, test_softmax_specials);
    tst_add_isa_test(tc, test_softmax_random_rows);
    tst_add_isa_test(tc, test_softmax_hard_rows);
    return tst_run(s);
}
