/* The dispatch API (names, support, pinning, SMX_ISA), n == 0, and the SMX_EINVAL rules
 * of the _rows functions and cross-entropy: nothing may be written when they fail. */
#include "common.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* First in the suite: no test before it has pinned an ISA in this process. */
START_TEST(test_startup_isa)
{
    const char *expect = getenv("SMX_EXPECT_ISA"), *env = getenv("SMX_ISA");
    smx_isa active = smx_active_isa();
    TST_ASSERT(smx_isa_supported(active), "active ISA %s not supported", tst_isa_str());
    if (expect && *expect) {
        TST_ASSERT(strcmp(smx_isa_name(active), expect) == 0,
                   "SMX_EXPECT_ISA=%s but %s is active (SMX_ISA=%s)", expect,
                   tst_isa_str(), env ? env : "(unset)");
    } else if (!env || !*env) {
        int best = SMX_ISA_SCALAR; /* tiers grow with the enum on each architecture */
        for (int isa = SMX_ISA_SCALAR; isa < TST_ISA_END; isa++)
            if (smx_isa_supported((smx_isa)isa))
                best = isa;
        TST_ASSERT(active == (smx_isa)best, "default ISA %s, but %s is supported",
                   tst_isa_str(), smx_isa_name((smx_isa)best));
    }
}
END_TEST

START_TEST(test_isa_names)
{
    static const char *const names[] = { "scalar", "sse2", "avx2", "avx512", "neon" };
    for (int isa = SMX_ISA_SCALAR; isa < TST_ISA_END; isa++)
        ck_assert_str_eq(smx_isa_name((smx_isa)isa), names[isa]);
    static const int bad[] = { -1, TST_ISA_END, 1000, INT32_MIN };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        ck_assert_ptr_null(smx_isa_name((smx_isa)bad[k]));
        ck_assert_int_eq(smx_isa_supported((smx_isa)bad[k]), 0);
    }
    ck_assert_int_eq(smx_isa_supported(SMX_ISA_SCALAR), 1);
#if defined(__x86_64__)
    ck_assert_int_eq(smx_isa_supported(SMX_ISA_SSE2), 1); /* x86-64 baseline */
    ck_assert_int_eq(smx_isa_supported(SMX_ISA_NEON), 0);
#elif defined(__aarch64__)
    ck_assert_int_eq(smx_isa_supported(SMX_ISA_NEON), 1);
    for (int isa = SMX_ISA_SSE2; isa <= SMX_ISA_AVX512; isa++)
        ck_assert_int_eq(smx_isa_supported((smx_isa)isa), 0);
#endif
}
END_TEST

START_TEST(test_use_isa_edges)
{
    static const int bad[] = { -1, TST_ISA_END, 77 };
    for (int start = SMX_ISA_SCALAR; start < TST_ISA_END; start++) {
        if (!smx_isa_supported((smx_isa)start))
            continue;
        ck_assert_int_eq(smx_use_isa((smx_isa)start), SMX_OK);
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            ck_assert_int_eq(smx_use_isa((smx_isa)bad[k]), SMX_EUNSUPPORTED);
            ck_assert_int_eq(smx_active_isa(), start);
        }
        for (int isa = SMX_ISA_SCALAR; isa < TST_ISA_END; isa++)
            if (!smx_isa_supported((smx_isa)isa)) {
                ck_assert_int_eq(smx_use_isa((smx_isa)isa), SMX_EUNSUPPORTED);
                ck_assert_int_eq(smx_active_isa(), start);
            }
    }
}
END_TEST

/* n == 0 (or rows == 0): nothing read or written, NULL pointers fine. */
START_TEST(test_zero_sizes)
{
    TST_BEGIN_ISA();
    float y[4], loss = tst_from_bits(TST_CANARY);
    tst_fill_bits(y, 4, TST_CANARY);
    smx_exp_f32(NULL, NULL, 0);
    smx_exp_f32(y, y, 0);
    smx_softmax_f32(NULL, NULL, 0);
    smx_log_softmax_f32(y, y, 0);
    ck_assert_int_eq(tst_bits(smx_sum_f32(NULL, 0)), 0);
    ck_assert_float_eq(smx_max_f32(NULL, 0), -INFINITY);
    ck_assert_int_eq(smx_argmax_f32(NULL, 0), -1);
    ck_assert_float_eq(smx_logsumexp_f32(NULL, 0), -INFINITY);
    ck_assert_int_eq(smx_softmax_rows_f32(NULL, 0, NULL, 0, 0, 0), SMX_OK);
    ck_assert_int_eq(smx_softmax_rows_f32(NULL, 3, NULL, 3, 0, 3), SMX_OK);
    ck_assert_int_eq(smx_log_softmax_rows_f32(NULL, 0, NULL, 0, 5, 0), SMX_OK);
    ck_assert_int_eq(smx_log_softmax_rows_f32(y, 4, y, 4, 0, 4), SMX_OK);
    tst_check_canary(y, 4, "n == 0 wrote");
    ck_assert_int_eq(smx_cross_entropy_f32(NULL, 0, NULL, 0, 5, &loss, NULL, 0), SMX_OK);
    ck_assert_int_eq(tst_bits(loss), 0); /* rows == 0: loss 0 */
    ck_assert_int_eq(smx_cross_entropy_f32(NULL, 0, NULL, 0, 5, NULL, NULL, 0), SMX_OK);
    /* n == 0 with rows: every label must be < 0 (ignored); loss 0 */
    const int32_t ignored[2] = { -1, -7 };
    loss = tst_from_bits(TST_CANARY);
    ck_assert_int_eq(smx_cross_entropy_f32(y, 0, ignored, 2, 0, &loss, y, 0), SMX_OK);
    ck_assert_int_eq(tst_bits(loss), 0);
    tst_check_canary(y, 4, "cross_entropy n == 0 wrote");
}
END_TEST

typedef smx_status (*rows_fn)(const float *, size_t, float *, size_t, size_t, size_t);

/* Each bad call must return SMX_EINVAL and leave the output canaries alone. */
START_TEST(test_rows_einval)
{
    TST_BEGIN_ISA();
    static const rows_fn fns[2] = { smx_softmax_rows_f32, smx_log_softmax_rows_f32 };
    float x[64], y[64];
    tst_fill(x, 64, TST_N01);
    const size_t huge = SIZE_MAX / 2;
    for (int f = 0; f < 2; f++) {
        tst_ctx("%s", f ? "log_softmax_rows" : "softmax_rows");
        tst_fill_bits(y, 64, TST_CANARY);
        ck_assert_int_eq(fns[f](NULL, 8, y, 8, 2, 5), SMX_EINVAL);
        ck_assert_int_eq(fns[f](x, 8, NULL, 8, 2, 5), SMX_EINVAL);
        ck_assert_int_eq(fns[f](x, 4, y, 8, 2, 5), SMX_EINVAL); /* ldx < n */
        ck_assert_int_eq(fns[f](x, 8, y, 4, 2, 5), SMX_EINVAL); /* ldy < n */
        ck_assert_int_eq(fns[f](x, 0, y, 8, 1, 5), SMX_EINVAL); /* ldx < n, one row */
        ck_assert_int_eq(fns[f](x, huge, y, 8, 4, 5), SMX_EINVAL); /* x's end overflows */
        ck_assert_int_eq(fns[f](x, 8, y, huge, 4, 5), SMX_EINVAL); /* y's end overflows */
        tst_check_canary(y, 64, "failed _rows call wrote");
        ck_assert_int_eq(fns[f](x, 8, y, 8, 3, 5), SMX_OK); /* ld > n is fine */
        ck_assert_int_eq(fns[f](x, 5, y, 5, 3, 5), SMX_OK); /* ld == n is fine */
    }
}
END_TEST

START_TEST(test_cross_entropy_einval)
{
    TST_BEGIN_ISA();
    enum { ROWS = 4, N = 5, LD = 7 };
    float x[ROWS * LD], grad[ROWS * LD], loss;
    int32_t labels[ROWS] = { 0, -1, 4, 2 };
    tst_fill(x, ROWS * LD, TST_N01);
    const size_t huge = SIZE_MAX / 2;
    struct { int32_t last_label; const float *x; const int32_t *lab; float *loss;
             size_t ldl; float *grad; size_t ldg; const char *what; } bad[] = {
        { N, x, labels, &loss, LD, grad, LD, "label == n in the last row" },
        { INT32_MAX, x, labels, &loss, LD, NULL, 0, "label INT32_MAX in the last row" },
        { 2, NULL, labels, &loss, LD, grad, LD, "logits NULL" },
        { 2, x, NULL, &loss, LD, grad, LD, "labels NULL" },
        { 2, x, labels, NULL, LD, grad, LD, "loss NULL" },
        { 2, x, labels, &loss, N - 1, grad, LD, "ldl < n" },
        { 2, x, labels, &loss, LD, grad, N - 1, "grad with ldg < n" },
        { 2, x, labels, &loss, huge, grad, LD, "logits' end overflows" },
        { 2, x, labels, &loss, LD, grad, huge, "grad's end overflows" },
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        tst_ctx("%s", bad[c].what);
        labels[ROWS - 1] = bad[c].last_label;
        loss = tst_from_bits(TST_CANARY);
        tst_fill_bits(grad, ROWS * LD, TST_CANARY);
        smx_status st = smx_cross_entropy_f32(bad[c].x, bad[c].ldl, bad[c].lab, ROWS, N,
                                              bad[c].loss, bad[c].grad, bad[c].ldg);
        TST_ASSERT(st == SMX_EINVAL, "%s: cross_entropy %s: returned %d, not SMX_EINVAL",
                   tst_isa_str(), bad[c].what, (int)st);
        TST_ASSERT(tst_bits(loss) == TST_CANARY, "%s: %s: loss written", tst_isa_str(),
                   bad[c].what);
        tst_check_canary(grad, ROWS * LD, "failed cross_entropy wrote grad");
    }
    labels[ROWS - 1] = N - 1; /* the same call with valid labels works */
    ck_assert_int_eq(smx_cross_entropy_f32(x, LD, labels, ROWS, N, &loss, grad, LD), SMX_OK);
    tst_ctx("valid call after the EINVAL cases");
    chk_cross_entropy(x, LD, labels, ROWS, N, loss, grad, LD);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tst_tcase(s, "dispatch");
    tcase_add_test(tc, test_startup_isa);
    tcase_add_test(tc, test_isa_names);
    tcase_add_test(tc, test_use_isa_edges);
    tc = tst_tcase(s, "arguments");
    tst_add_isa_test(tc, test_zero_sizes);
    tst_add_isa_test(tc, test_rows_einval);
    tst_add_isa_test(tc, test_cross_entropy_einval);
    return tst_run(s);
}
