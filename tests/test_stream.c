/* Batches and rows beyond the cache.  On Intel CPUs (or with SMX_STREAM=1) the AVX-512 and
 * AVX2 kernels store such outputs with streaming stores, from the first vector boundary of
 * each row on, and take the two-pass form for batches of long rows; meson runs this suite
 * with SMX_STREAM=1 and again with SMX_STREAM=0.  Either way: every row of a batch has the
 * same bits as the row computed alone (a single row of that length is cached and takes the
 * chunked form; outputs below FLT_MIN may differ, as +0 or a subnormal), rows at every
 * alignment (the leading dimensions are odd), rows of every class in one batch (the masked,
 * NaN and +inf rows and the rows whose max is beyond the online pass's range fall back to
 * other code), and nothing is written outside the rows: the gaps between rows and the
 * floats around the output are canaries.
 * With SMX_TEST_QUICK=1 (emulators, sanitizers) only AVX-512 gets the large batches. */
#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef smx_status (*rows_fn)(const float *, size_t, float *, size_t, size_t, size_t);
static const rows_fn fns[2] = { smx_softmax_rows_f32, smx_log_softmax_rows_f32 };
static const char *const fn_names[2] = { "softmax_rows", "log_softmax_rows" };

#define PAD 16 /* canary floats before and after the output */

/* rows x n, leading dimensions n + 3 (x) and n + 5 (y), y starting `off` floats past a
 * 64-byte boundary. */
static void run_batch(int f, size_t rows, size_t n, size_t off)
{
    size_t ldx = n + 3, ldy = n + 5, ylen = (rows - 1) * ldy + n;
    float *x = tst_alloc(rows * ldx), *buf = tst_alloc(ylen + 2 * PAD + off), *y1 = tst_alloc(n);
    float *y = buf + PAD + off;
    tst_fill_bits(x, rows * ldx, 0x7fc00000u);
    for (size_t r = 0; r < rows; r++)
        tst_fill(x + r * ldx, n, r % 4 == 3 ? (enum tst_dist)(r / 4 % TST_NDIST) : TST_N10);
    if (rows > 6) {
        tst_fill_bits(x + 5 * ldx, n, tst_bits(-INFINITY));
        x[6 * ldx + n / 2] = NAN;
    }
    x[(rows - 1) * ldx + n - 1] = INFINITY;
    tst_fill_bits(buf, ylen + 2 * PAD + off, TST_CANARY);
    for (size_t r = 0; r + 1 < rows; r++)
        tst_fill_bits(y + r * ldy + n, ldy - n, TST_CANARY);
    tst_ctx("%s rows=%zu n=%zu y off %zu, SMX_STREAM=%s", fn_names[f], rows, n, off,
            getenv("SMX_STREAM") ? getenv("SMX_STREAM") : "(unset)");
    ck_assert_int_eq(fns[f](x, ldx, y, ldy, rows, n), SMX_OK);
    tst_check_canary(buf, PAD + off, "before the output");
    tst_check_canary(y + ylen, PAD, "after the output");
    for (size_t r = 0; r < rows; r++) {
        if (r + 1 < rows)
            tst_check_canary(y + r * ldy + n, ldy - n, "between rows");
        ck_assert_int_eq(fns[f](x + r * ldx, n, y1, n, 1, n), SMX_OK);
        chk_same_row(y + r * ldy, y1, n, r);
    }
    free(x);
    free(buf);
    free(y1);
}

/* Softmax batches stream beyond 2^21 floats, log-softmax beyond 2^23; rows longer than
 * 2^14 floats. */
START_TEST(test_stream_batches)
{
    TST_BEGIN_ISA();
    const size_t n = 16411;
    static const size_t offs[] = { 0, 1, 15 };
    /* Under SMX_TEST_QUICK AVX-512 still gets batches large enough to stream, for the
     * sanitizers (AVX2's streaming runs natively; under qemu and valgrind, where AVX2 is the
     * best ISA, the large batches took 50-100 s a run). */
    int big = !tst_quick() || smx_active_isa() == SMX_ISA_AVX512;
    /* quick: one alignment of each (valgrind took 100 s for all of them) */
    for (size_t o = tst_quick() ? 1 : 0; o < (tst_quick() ? 2 : sizeof offs / sizeof offs[0]); o++) {
        run_batch(0, big ? 130 : 7, n, offs[o]);
        if (o < 2)
            run_batch(1, big ? 520 : 7, n, offs[o]);
    }
    /* Rows alone that long are stored in chunks of 4096 floats, not 2048 (the sums' grid
     * must be the same). */
    if (!tst_quick())
        run_batch(0, 16, 140001, 3);
}
END_TEST

/* Cross-entropy's gradient streams like softmax's output.  A batch with few counted rows
 * (the rest labelled -1) against the counted rows as a batch of their own, small enough to
 * stay cached: the same count, so the same scale, and the same loss and gradient bits;
 * the ignored rows' gradients all +0; nothing written outside the rows. */
static void run_xent(size_t rows, size_t n, size_t off, size_t every)
{
    size_t ld = n + 3, ldg = n + 5, glen = (rows - 1) * ldg + n;
    size_t counted = (rows + every - 1) / every;
    float *z = tst_alloc(rows * ld), *buf = tst_alloc(glen + 2 * PAD + off);
    float *zs = tst_alloc(counted * n), *gs = tst_alloc(counted * n), loss, loss_s;
    float *g = buf + PAD + off;
    int32_t *labels = malloc(rows * sizeof *labels), *labels_s = malloc(counted * sizeof *labels);
    for (size_t r = 0; r < rows; r++) {
        tst_fill(z + r * ld, n, r / every % 4 == 3 ? TST_OFF1000 : TST_N10);
        labels[r] = r % every ? -1 : (int32_t)((r * 7919) % n);
        if (r % every == 0) {
            memcpy(zs + r / every * n, z + r * ld, n * sizeof *zs);
            labels_s[r / every] = labels[r];
        }
    }
    z[ld + 5] = NAN; /* an ignored row's NaN changes nothing */
    tst_fill_bits(buf, glen + 2 * PAD + off, TST_CANARY);
    for (size_t r = 0; r + 1 < rows; r++)
        tst_fill_bits(g + r * ldg + n, ldg - n, TST_CANARY);
    tst_ctx("cross_entropy rows=%zu (every %zu counted) n=%zu grad off %zu, SMX_STREAM=%s", rows,
            every, n, off, getenv("SMX_STREAM") ? getenv("SMX_STREAM") : "(unset)");
    ck_assert_int_eq(smx_cross_entropy_f32(z, ld, labels, rows, n, &loss, g, ldg), SMX_OK);
    ck_assert_int_eq(smx_cross_entropy_f32(zs, n, labels_s, counted, n, &loss_s, gs, n), SMX_OK);
    TST_ASSERT(tst_bits(loss) == tst_bits(loss_s), "%s: loss %a, the counted rows alone %a [%s]",
               tst_isa_str(), (double)loss, (double)loss_s, tst_ctx_str());
    tst_check_canary(buf, PAD + off, "before the gradient");
    tst_check_canary(g + glen, PAD, "after the gradient");
    for (size_t r = 0; r < rows; r++) {
        if (r + 1 < rows)
            tst_check_canary(g + r * ldg + n, ldg - n, "between rows");
        if (r % every == 0) {
            chk_same_row(g + r * ldg, gs + r / every * n, n, r);
            continue;
        }
        for (size_t k = 0; k < n; k++)
            TST_ASSERT(tst_bits(g[r * ldg + k]) == 0, "%s: ignored row %zu's gradient at %zu: %a [%s]",
                       tst_isa_str(), r, k, (double)g[r * ldg + k], tst_ctx_str());
    }
    free(z);
    free(buf);
    free(zs);
    free(gs);
    free(labels);
    free(labels_s);
}

START_TEST(test_stream_xent)
{
    TST_BEGIN_ISA();
    int big = !tst_quick() || smx_active_isa() == SMX_ISA_AVX512;
    run_xent(big ? 130 : 7, 16411, 5, 29);
    if (!tst_quick()) {
        run_xent(130, 16411, 0, 13);
        run_xent(520, 16411, 3, 29); /* over 2^23 floats: AVX2 streams too */
    }
}
END_TEST

/* Single rows long enough to stream (softmax from 2^21 floats, log-softmax beyond 2^23),
 * in place and not, y at several misalignments: the documented accuracy, and no write
 * outside y. */
START_TEST(test_stream_long_rows)
{
    TST_BEGIN_ISA();
    if (tst_quick())
        return; /* ~100 MiB of rows: too slow under emulators and sanitizers */
    static const size_t ns[2] = { ((size_t)1 << 21) + 37, ((size_t)1 << 23) + 21 };
    static const size_t offs[] = { 0, 7 };
    for (int f = 0; f < 2; f++)
        for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++)
            for (int in_place = 0; in_place < 2; in_place++) {
                size_t n = ns[f], off = offs[o];
                float *x = tst_alloc(n), *buf = tst_alloc(n + 2 * PAD + off);
                float *y = buf + PAD + off;
                tst_fill(x, n, TST_N10);
                tst_fill_bits(buf, n + 2 * PAD + off, TST_CANARY);
                tst_ctx("%s n=%zu y off %zu%s, SMX_STREAM=%s", fn_names[f], n, off,
                        in_place ? " in place" : "",
                        getenv("SMX_STREAM") ? getenv("SMX_STREAM") : "(unset)");
                if (in_place)
                    memcpy(y, x, n * sizeof *y);
                ck_assert_int_eq(fns[f](in_place ? y : x, n, y, n, 1, n), SMX_OK);
                tst_check_canary(buf, PAD + off, "before the output");
                tst_check_canary(y + n, PAD, "after the output");
                if (f == 0)
                    chk_softmax(x, y, n);
                else
                    chk_log_softmax(x, y, n);
                free(x);
                free(buf);
            }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tst_tcase(s, "stream");
    tst_add_isa_test(tc, test_stream_batches);
    tst_add_isa_test(tc, test_stream_xent);
    tst_add_isa_test(tc, test_stream_long_rows);
    return tst_run(s);
}
