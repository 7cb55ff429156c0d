/* smx_cross_entropy_f32 on every ISA: loss within 1e-6 relative (confident rows whose loss
 * is 1e-9..1e-17 included), gradient within 4 ULP of (softmax - onehot) / counted, ignored
 * rows, grad NULL, grad == logits, padding neither read nor written, and the special
 * rows.  The SMX_EINVAL rules are in test_api.c. */
#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum grad_mode { GRAD_NONE, GRAD_SEPARATE, GRAD_IN_PLACE };
static const char *const grad_names[] = { "grad NULL", "grad separate", "grad == logits" };

/* One call on logits x0 (rows x n, leading dimension ld; padding NaN or canaries) and
 * labels; checks the loss, the gradient, and the padding. */
static void run_ce(const float *x0, size_t ld, const int32_t *labels, size_t rows, size_t n,
                   enum grad_mode mode, size_t ldg)
{
    size_t cap = rows * (ld > ldg ? ld : ldg) + 8;
    float *x = tst_alloc(cap), *g = mode == GRAD_SEPARATE ? tst_alloc(cap) : NULL;
    memcpy(x, x0, rows * ld * sizeof *x);
    if (mode == GRAD_SEPARATE)
        tst_fill_bits(g, cap, TST_CANARY);
    if (mode == GRAD_IN_PLACE) {
        g = x;
        ldg = ld;
    }
    float loss = tst_from_bits(TST_CANARY);
    smx_status st = smx_cross_entropy_f32(x, ld, labels, rows, n, &loss, g, ldg);
    TST_ASSERT(st == SMX_OK, "%s: cross_entropy returned %d [%s]", tst_isa_str(), (int)st,
               tst_ctx_str());
    chk_cross_entropy(x0, ld, labels, rows, n, loss, g, ldg);
    if (mode == GRAD_SEPARATE)
        for (size_t r = 0; r < rows; r++)
            tst_check_canary(g + r * ldg + n, ldg - n, "grad padding written");
    if (mode != GRAD_IN_PLACE) /* logits untouched, their padding too */
        TST_ASSERT(memcmp(x, x0, rows * ld * sizeof *x) == 0,
                   "%s: cross_entropy modified the logits [%s]", tst_isa_str(), tst_ctx_str());
    else
        for (size_t r = 0; r < rows; r++)
            tst_check_canary(x + r * ld + n, ld - n, "in place: padding written");
    free(x);
    if (mode == GRAD_SEPARATE)
        free(g);
}

/* rows x n logits of one distribution; about one row in five ignored. */
static void make_batch(float *x, size_t ld, int32_t *labels, size_t rows, size_t n,
                       enum tst_dist d, uint32_t pad_bits)
{
    tst_fill_bits(x, rows * ld, pad_bits);
    for (size_t r = 0; r < rows; r++) {
        tst_fill(x + r * ld, n, d);
        labels[r] = tst_uniform() < 0.2 ? -1 : (int32_t)(tst_rand_u64() % n);
        if (d == TST_MASKED50 && labels[r] >= 0) /* keep the label's logit finite here */
            x[r * ld + (size_t)labels[r]] = (float)tst_normal();
    }
}

START_TEST(test_ce_shapes)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 1, 2, 3, 5, 8, 15, 16, 17, 31, 32, 33, 64, 100, 129, 200, 255, 256, 257, 300, 1001 };
    enum { ROWS = 9 };
    int32_t labels[ROWS];
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int d = 0; d < TST_NDIST; d++)
            for (int mode = 0; mode < 3; mode++) {
                size_t n = ns[i], ld = n + (size_t)(d % 3) * 2, ldg = n + (size_t)mode;
                float *x0 = tst_alloc(ROWS * ld);
                int in_place = mode == GRAD_IN_PLACE;
                make_batch(x0, ld, labels, ROWS, n, (enum tst_dist)d,
                           in_place ? TST_CANARY : 0x7fc00000u);
                tst_ctx("n=%zu, %s, ld=%zu, %s", n, tst_dist_name((enum tst_dist)d), ld,
                        grad_names[mode]);
                run_ce(x0, ld, labels, ROWS, n, (enum grad_mode)mode, ldg);
                free(x0);
            }
}
END_TEST

/* The label holds the max by 20..40: loss 1e-9..1e-17, still within 1e-6 relative. */
START_TEST(test_ce_confident)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 2, 3, 10, 17, 100, 200, 1000, 32000 };
    enum { ROWS = 8 };
    int32_t labels[ROWS];
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t n = ns[i];
        float *x0 = tst_alloc(ROWS * n);
        for (size_t r = 0; r < ROWS; r++) {
            float *row = x0 + r * n, top = -INFINITY;
            tst_fill(row, n, TST_N01);
            labels[r] = (int32_t)(tst_rand_u64() % n);
            for (size_t k = 0; k < n; k++)
                top = (int32_t)k != labels[r] && row[k] > top ? row[k] : top;
            row[labels[r]] = top + (float)(20.0 + 20.0 * tst_uniform());
        }
        for (int mode = 0; mode < 3; mode++) {
            tst_ctx("confident rows, n=%zu, %s", n, grad_names[mode]);
            run_ce(x0, n, labels, ROWS, n, (enum grad_mode)mode, n);
        }
        free(x0);
    }
}
END_TEST

/* n - 1 others all `gap` below the label, gap 60..93: the other terms are below FLT_MIN but
 * the loss, (n - 1) e^-gap >= 2.4e-38 at n = 600, is still a normal float and held to 1e-6
 * relative (where it is normal).  n = 600 takes the long-row path, 100 and 20 the short-row
 * path (rows in registers, two at a time), whose rescue falls back to the long-row code. */
START_TEST(test_ce_very_confident)
{
    TST_BEGIN_ISA();
    enum { ROWS = 8, WIDE = 600 };
    static const size_t widths[] = { WIDE, 100, 20, 100, 20 };
    int32_t labels[ROWS];
    float *x0 = tst_alloc(ROWS * WIDE);
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        size_t n = widths[w];
        for (size_t r = 0; r < ROWS; r++) {
            /* the last two widths: every row 90 below (others' terms below FLT_MIN beside the
             * label's; loss (n - 1) e^-90 >= 1.5e-38, a normal float) */
            float gap = w >= 3 ? 90.0f : (float)(60.0 + 33.0 * tst_uniform());
            float z = (float)tst_normal();
            for (size_t k = 0; k < n; k++)
                x0[r * n + k] = z - gap;
            labels[r] = (int32_t)(tst_rand_u64() % n);
            x0[r * n + (size_t)labels[r]] = z;
        }
        for (int mode = 0; mode < 3; mode++) {
            tst_ctx("confident rows, n=%zu, others 60..93 below, %s", n, grad_names[mode]);
            run_ce(x0, n, labels, ROWS, n, (enum grad_mode)mode, n);
        }
    }
    free(x0);
}
END_TEST

/* All rows ignored, -inf at the label, NaN or +inf in a counted or an ignored row, a
 * masked counted row. */
START_TEST(test_ce_specials)
{
    TST_BEGIN_ISA();
    static const char *const what[] = { "all rows ignored", "-inf at a label",
                                        "NaN in a counted row", "NaN in an ignored row",
                                        "+inf in a counted row", "masked counted row",
                                        "-inf elsewhere in a counted row" };
    static const size_t ns[] = { 1, 4, 16, 19, 64, 77, 130, 256 };
    enum { ROWS = 5 };
    int32_t labels[ROWS];
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int k = 0; k < 7; k++)
            for (int mode = 0; mode < 3; mode++) {
                size_t n = ns[i], ld = n + 1;
                float x0[ROWS * 257];
                make_batch(x0, ld, labels, ROWS, n, TST_N10,
                           mode == GRAD_IN_PLACE ? TST_CANARY : 0x7fc00000u);
                labels[1] = (int32_t)(n - 1);
                labels[3] = -1;
                float *r1 = x0 + ld, *r3 = x0 + 3 * ld;
                switch (k) {
                case 0: for (size_t r = 0; r < ROWS; r++) labels[r] = -1 - (int32_t)r; break;
                case 1: r1[n - 1] = -INFINITY; break;
                case 2: r1[0] = NAN; break;
                case 3: r3[n / 2] = NAN; break;
                case 4: r1[n / 2] = INFINITY; break;
                case 5: tst_fill_bits(r1, n, tst_bits(-INFINITY)); break;
                case 6: r1[0] = n > 1 ? -INFINITY : r1[0]; break;
                }
                tst_ctx("%s, n=%zu, %s", what[k], n, grad_names[mode]);
                run_ce(x0, ld, labels, ROWS, n, (enum grad_mode)mode, ld);
            }
}
END_TEST

START_TEST(test_ce_large)
{
    TST_BEGIN_ISA();
    const size_t *sizes;
    size_t count = tst_large_sizes(&sizes);
    int32_t labels[2];
    for (size_t s = 0; s < count; s++) {
        size_t n = sizes[s];
        float *x0 = tst_alloc(2 * n);
        for (int d = 0; d < TST_NDIST; d += 3) {
            make_batch(x0, n, labels, 2, n, (enum tst_dist)d, 0x7fc00000u);
            labels[0] = labels[0] < 0 ? 0 : labels[0];
            tst_ctx("n=%zu, %s", n, tst_dist_name((enum tst_dist)d));
            run_ce(x0, n, labels, 2, n, GRAD_SEPARATE, n);
        }
        free(x0);
    }
}
END_TEST

/* The loss of a batch is formed without a logarithm per row (the product of the rows'
 * 1 + others/label, its logarithm taken when it nears 2^400 and at the end): batches of many
 * rows whose losses are large (the label the row's least logit: ~30-60 each, so the product
 * is taken down every few rows), tiny (the label above the rest by 25..40), or both in
 * turn, short and long rows, every gradient mode, against the reference to 1e-6; and a row's
 * place in the batch (ignored rows between) does not change the loss's bits. */
START_TEST(test_ce_many_rows)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 7, 100, 200, 1000 };
    enum { ROWS = 300 };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int kind = 0; kind < 3; kind++) {
            size_t n = ns[i];
            float *x0 = tst_alloc(ROWS * n), *xs = tst_alloc(2 * ROWS * n);
            int32_t labels[ROWS], spread[2 * ROWS];
            for (size_t r = 0; r < ROWS; r++) {
                float *row = x0 + r * n;
                tst_fill(row, n, TST_N10);
                int confident = kind == 1 || (kind == 2 && r % 3 == 0);
                size_t lo = 0, hi = 0;
                for (size_t k = 1; k < n; k++) {
                    lo = row[k] < row[lo] ? k : lo;
                    hi = row[k] > row[hi] ? k : hi;
                }
                labels[r] = (int32_t)(confident ? hi : lo);
                if (confident)
                    row[hi] += (float)(25.0 + 15.0 * tst_uniform());
                /* the same rows with an ignored row after each */
                memcpy(xs + 2 * r * n, row, n * sizeof *row);
                tst_fill(xs + (2 * r + 1) * n, n, TST_N10);
                spread[2 * r] = labels[r];
                spread[2 * r + 1] = -1;
            }
            for (int mode = 0; mode < 3; mode++) {
                tst_ctx("%d rows of %zu, %s losses, %s", ROWS, n,
                        kind == 0 ? "large" : kind == 1 ? "tiny" : "large and tiny", grad_names[mode]);
                run_ce(x0, n, labels, ROWS, n, (enum grad_mode)mode, n);
            }
            float a, b;
            ck_assert_int_eq(smx_cross_entropy_f32(x0, n, labels, ROWS, n, &a, NULL, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(xs, n, spread, 2 * ROWS, n, &b, NULL, n), SMX_OK);
            TST_ASSERT(tst_bits(a) == tst_bits(b), "%s: n=%zu: loss %a, %a with ignored rows "
                       "between (the mean over the same counted rows)", tst_isa_str(), n,
                       (double)a, (double)b);
            free(x0);
            free(xs);
        }
}
END_TEST

/* Rows longer than 2^14 floats take the two-pass forms (one online pass for the max and the
 * others' sum, the label left out, then the gradient: chunked, or streamed), unless the
 * gradient overwrites the logits, the max is beyond (-256, 256), the row is not finite or
 * needs the rescue; those take three passes.  Every form must give the same bits: the
 * gradient with a separate buffer, over the logits, and each row alone; the loss with and
 * without the gradient.  The rows: N(0,10); a ramp, so that the running max grows chunk by
 * chunk, with the label on a chunk boundary; the label above the rest by 30 and by 100 (the
 * rescue); N(0,10) + 1000; half masked; the label the only finite logit. */
START_TEST(test_ce_long_forms)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 16411, 32000, 140001 };
    enum { ROWS = 7 };
    for (size_t i = 0; i < (tst_quick() ? 1u : sizeof ns / sizeof ns[0]); i++) {
        size_t n = ns[i];
        float *x0 = tst_alloc(ROWS * n), *x = tst_alloc(ROWS * n), *g = tst_alloc(ROWS * n);
        float *g1 = tst_alloc(n);
        int32_t labels[ROWS];
        for (size_t r = 0; r < ROWS; r++) {
            float *row = x0 + r * n;
            tst_fill(row, n, r == 4 ? TST_OFF1000 : r == 5 ? TST_MASKED50 : TST_N10);
            labels[r] = (int32_t)(tst_rand_u64() % n);
            if (r == 1) {
                for (size_t k = 0; k < n; k++)
                    row[k] = -100.0f + 200.0f * (float)k / (float)n + (float)tst_normal();
                labels[r] = 2048;
            }
            if (r == 2 || r == 3) {
                float top = -INFINITY;
                labels[r] = r == 2 ? (int32_t)n - 1 : 0;
                for (size_t k = 0; k < n; k++)
                    top = (int32_t)k != labels[r] && row[k] > top ? row[k] : top;
                row[labels[r]] = top + (r == 2 ? 30.0f : 100.0f);
            }
            if (r == 5)
                row[labels[r]] = (float)tst_normal();
            if (r == 6) {
                for (size_t k = 0; k < n; k++)
                    row[k] = -INFINITY;
                row[labels[r]] = 3.0f;
            }
        }
        float loss, loss_in, loss_only;
        tst_ctx("long rows n=%zu: the forms against each other", n);
        memcpy(x, x0, ROWS * n * sizeof *x);
        ck_assert_int_eq(smx_cross_entropy_f32(x0, n, labels, ROWS, n, &loss, g, n), SMX_OK);
        ck_assert_int_eq(smx_cross_entropy_f32(x, n, labels, ROWS, n, &loss_in, x, n), SMX_OK);
        ck_assert_int_eq(smx_cross_entropy_f32(x0, n, labels, ROWS, n, &loss_only, NULL, n),
                         SMX_OK);
        TST_ASSERT(tst_bits(loss) == tst_bits(loss_in) && tst_bits(loss) == tst_bits(loss_only),
                   "%s: loss %a, %a with grad == logits, %a without the gradient [%s]",
                   tst_isa_str(), (double)loss, (double)loss_in, (double)loss_only,
                   tst_ctx_str());
        for (size_t r = 0; r < ROWS; r++)
            chk_same_row(x + r * n, g + r * n, n, r);
        for (size_t r = 0; r < ROWS; r++) {
            /* the row alone against the batch with only this row counted (the same scale) */
            int32_t only[ROWS];
            float l1, l2;
            for (size_t k = 0; k < ROWS; k++)
                only[k] = k == r ? labels[r] : -1;
            ck_assert_int_eq(smx_cross_entropy_f32(x0 + r * n, n, &labels[r], 1, n, &l1, g1, n),
                             SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(x0, n, only, ROWS, n, &l2, g, n), SMX_OK);
            TST_ASSERT(tst_bits(l1) == tst_bits(l2), "%s: row %zu's loss %a alone, %a in the "
                       "batch [%s]", tst_isa_str(), r, (double)l1, (double)l2, tst_ctx_str());
            chk_same_row(g + r * n, g1, n, r);
        }
        tst_ctx("long rows n=%zu against the reference", n);
        run_ce(x0, n, labels, ROWS, n, GRAD_SEPARATE, n);
        free(x0);
        free(x);
        free(g);
        free(g1);
    }
}
END_TEST

/* The gradient's scale pass takes two operations where every v*lo is normal and vf_scale's
 * four or five elsewhere, with the same bits (generic/softmax.inc, smx_fast_scale).  With
 * the label at the row's max, the gradient over the logits takes the confident rows' path,
 * which always scales with vf_scale, while a separate gradient takes the short form where
 * the row qualifies: rows spread uniformly over widths 60 to 100 below their max, where the
 * choice flips (one of them with a -inf), three passes (n <= 16384) and the chunked form. */
START_TEST(test_ce_fast_scale_same_bits)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 300, 1000, 4096, 20000 };
    enum { ROWS = 3 };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int wq = 0; wq <= (tst_quick() ? 20 : 80); wq++) {
            size_t n = ns[i];
            double w = 60.0 + (tst_quick() ? 2.0 : 0.5) * wq;
            float *x = tst_alloc(ROWS * n), *g = tst_alloc(ROWS * n), *gi = tst_alloc(ROWS * n);
            int32_t labels[ROWS];
            for (size_t r = 0; r < ROWS; r++) {
                double m = 100.0 * tst_uniform() - 50.0;
                for (size_t k = 0; k < n; k++)
                    x[r * n + k] = (float)(m - w * tst_uniform());
                labels[r] = (int32_t)((r * 7919 + 11) % n);
                x[r * n + (size_t)labels[r]] = (float)m;
                x[r * n + (r * 91 + 5) % n] = (float)(m - w);
            }
            x[2 * n + n / 2] = -INFINITY;
            tst_ctx("cross-entropy n=%zu spread %g: separate vs over the logits", n, w);
            memcpy(gi, x, ROWS * n * sizeof *x);
            float loss, loss_in;
            ck_assert_int_eq(smx_cross_entropy_f32(x, n, labels, ROWS, n, &loss, g, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(gi, n, labels, ROWS, n, &loss_in, gi, n),
                             SMX_OK);
            TST_ASSERT(tst_bits(loss) == tst_bits(loss_in), "%s: loss %a, %a over the logits [%s]",
                       tst_isa_str(), (double)loss, (double)loss_in, tst_ctx_str());
            for (size_t r = 0; r < ROWS; r++)
                chk_same_row(gi + r * n, g + r * n, n, r);
            run_ce(x, n, labels, ROWS, n, GRAD_SEPARATE, n);
            free(x);
            free(g);
            free(gi);
        }
}
END_TEST

/* A single counted short or medium row takes a path of its own (no batch loop): its loss and
 * gradient must have the bits the batch path gives the same row when it is the only one
 * counted, with the gradient, over the logits and without one.  Rows of every length class
 * (one vector and less, the four-, eight- and full short forms, the medium halves, the first
 * long length) and kinds: N(0,10), N(0,40), confident (the label above the rest by 20 and by
 * 100: the rescue), +1000 (the shifted plan), half masked, the label masked, a NaN. */
START_TEST(test_ce_single_row_forms)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 1, 7, 16, 33, 64, 100, 128, 129, 200, 256, 257 };
    enum { ROWS = 3, KINDS = 8 };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t n = ns[i];
        float *x = tst_alloc(ROWS * n), *g = tst_alloc(ROWS * n), *g1 = tst_alloc(n);
        float *xi = tst_alloc(n);
        for (int kind = 0; kind < KINDS; kind++) {
            tst_ctx("one row n=%zu kind %d alone and in a batch", n, kind);
            for (size_t r = 0; r < ROWS; r++)
                tst_fill(x + r * n, n, kind == 1 ? TST_N40 : kind == 4 ? TST_OFF1000
                                       : kind == 5 ? TST_MASKED50 : TST_N10);
            float *row = x + n; /* the middle row is the one counted */
            int32_t label = (int32_t)(tst_rand_u64() % n);
            if (kind == 2 || kind == 3) {
                float top = -INFINITY;
                for (size_t k = 0; k < n; k++)
                    top = (int32_t)k != label && row[k] > top ? row[k] : top;
                row[label] = (n == 1 ? 0.0f : top) + (kind == 2 ? 20.0f : 100.0f);
            }
            if (kind == 5)
                row[label] = (float)tst_normal();
            if (kind == 6)
                row[label] = -INFINITY;
            if (kind == 7)
                row[(size_t)label ^ (n > 1)] = NAN;
            int32_t only[ROWS] = { -1, label, -1 };
            float l1, l2, l3, l4;
            ck_assert_int_eq(smx_cross_entropy_f32(row, n, &label, 1, n, &l1, g1, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(x, n, only, ROWS, n, &l2, g, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(row, n, &label, 1, n, &l3, NULL, n), SMX_OK);
            memcpy(xi, row, n * sizeof *xi);
            ck_assert_int_eq(smx_cross_entropy_f32(xi, n, &label, 1, n, &l4, xi, n), SMX_OK);
            TST_ASSERT(tst_bits(l1) == tst_bits(l2) && tst_bits(l1) == tst_bits(l3) &&
                           tst_bits(l1) == tst_bits(l4),
                       "%s: loss %a alone, %a in the batch, %a without the gradient, %a over "
                       "the logits [%s]", tst_isa_str(), (double)l1, (double)l2, (double)l3,
                       (double)l4, tst_ctx_str());
            chk_same_row(g + n, g1, n, 1);
            chk_same_row(xi, g1, n, 1);
            if (kind != 7)
                run_ce(row, n, &label, 1, n, GRAD_SEPARATE, n);
        }
        free(x);
        free(g);
        free(g1);
        free(xi);
    }
}
END_TEST

/* A batch takes two counted short rows side by side (the pair form) and a counted row whose
 * neighbour is ignored alone: each row must keep its bits either way, the loss too.  Rows
 * spread 60-100 below their max, across the point where the scale step's check flips
 * (an output that may fall below ~2^-118 sends the row to the long scale, whose pair rounds
 * apart from the short one's now and then), the label at the row's least element (AVX2's
 * all-lanes form takes the min with the label's element in, the flushed form without it),
 * lengths of every short form. */
START_TEST(test_ce_pair_same_bits)
{
    TST_BEGIN_ISA();
    static const size_t ns[] = { 20, 40, 64, 100, 128, 200 };
    const int trials = tst_quick() ? 10 : 60;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (int t = 0; t < trials; t++) {
            size_t n = ns[i];
            double w = 60.0 + 40.0 * t / trials;
            float *a = tst_alloc(2 * n), *b = tst_alloc(3 * n), *ga = tst_alloc(2 * n),
                  *gb = tst_alloc(3 * n);
            int32_t la[2], lb[3];
            for (size_t r = 0; r < 2; r++) {
                double m = 100.0 * tst_uniform() - 50.0;
                float *row = a + r * n;
                for (size_t k = 0; k < n; k++)
                    row[k] = (float)(m - w * tst_uniform());
                la[r] = (int32_t)(tst_rand_u64() % n);
                row[la[r]] = (float)(m - w);
                row[((size_t)la[r] + 1) % n] = (float)m;
            }
            memcpy(b, a, n * sizeof *a);
            tst_fill(b + n, n, TST_N10);
            memcpy(b + 2 * n, a + n, n * sizeof *a);
            lb[0] = la[0];
            lb[1] = -1;
            lb[2] = la[1];
            tst_ctx("cross-entropy n=%zu spread %g: a pair of rows and the rows apart", n, w);
            float loss_a, loss_b;
            ck_assert_int_eq(smx_cross_entropy_f32(a, n, la, 2, n, &loss_a, ga, n), SMX_OK);
            ck_assert_int_eq(smx_cross_entropy_f32(b, n, lb, 3, n, &loss_b, gb, n), SMX_OK);
            TST_ASSERT(tst_bits(loss_a) == tst_bits(loss_b), "%s: loss %a as a pair, %a apart [%s]",
                       tst_isa_str(), (double)loss_a, (double)loss_b, tst_ctx_str());
            chk_same_row(ga, gb, n, 0);
            chk_same_row(ga + n, gb + 2 * n, n, 1);
            free(a);
            free(b);
            free(ga);
            free(gb);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xent");
    TCase *tc = tst_tcase(s, "cross_entropy");
    tst_add_isa_test(tc, test_ce_shapes);
    tst_add_isa_test(tc, test_ce_confident);
    tst_add_isa_test(tc, test_ce_very_confident);
    tst_add_isa_test(tc, test_ce_specials);
    tst_add_isa_test(tc, test_ce_large);
    tst_add_isa_test(tc, test_ce_long_forms);
    tst_add_isa_test(tc, test_ce_many_rows);
    tst_add_isa_test(tc, test_ce_single_row_forms);
    tst_add_isa_test(tc, test_ce_fast_scale_same_bits);
    tst_add_isa_test(tc, test_ce_pair_same_bits);
    return tst_run(s);
}
