/* Thread safety and determinism on every ISA: four threads call every operation at once
 * on shared read-only inputs, again and again, and every result must have the same bits
 * as a single-threaded run. */
#include "common.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, ROWS = 4, NSIZES = 7 };
static const size_t sizes[NSIZES] = { 1, 7, 16, 33, 300, 4099, 70000 };

/* Everything one pass produces for one size n: exp, softmax, log-softmax (n each), the two
 * _rows results and the gradient (ROWS * n each), then sum, max, logsumexp, loss and the
 * argmax (as raw bytes). */
static size_t out_len(size_t n) { return 3 * n + 3 * ROWS * n + 8; }

struct shared {
    float *x[NSIZES];       /* ROWS * n logits; the first row is the 1-D input */
    int32_t labels[NSIZES][ROWS];
    float *want[NSIZES];    /* single-threaded results */
    int iterations;
};

static void run_all(const struct shared *s, int k, float *out)
{
    size_t n = sizes[k];
    const float *x = s->x[k];
    float *o = out;
    smx_exp_f32(x, o, n), o += n;
    smx_softmax_f32(x, o, n), o += n;
    smx_log_softmax_f32(x, o, n), o += n;
    smx_softmax_rows_f32(x, n, o, n, ROWS, n), o += ROWS * n;
    smx_log_softmax_rows_f32(x, n, o, n, ROWS, n), o += ROWS * n;
    float *grad = o;
    o += ROWS * n;
    smx_cross_entropy_f32(x, n, s->labels[k], ROWS, n, o + 3, grad, n);
    o[0] = smx_sum_f32(x, n);
    o[1] = smx_max_f32(x, n);
    o[2] = smx_logsumexp_f32(x, n);
    int64_t am = smx_argmax_f32(x, n);
    memcpy(o + 4, &am, sizeof am);
}

struct worker { const struct shared *s; int mismatches; int first_size; };

static void *work(void *arg)
{
    struct worker *w = arg;
    float *out = tst_alloc(out_len(sizes[NSIZES - 1]));
    w->mismatches = 0;
    w->first_size = -1;
    for (int it = 0; it < w->s->iterations; it++)
        for (int k = 0; k < NSIZES; k++) {
            int kk = (k + it) % NSIZES; /* threads work on different sizes at once */
            memset(out, 0, out_len(sizes[kk]) * sizeof *out);
            run_all(w->s, kk, out);
            if (memcmp(out, w->s->want[kk], out_len(sizes[kk]) * sizeof *out) != 0) {
                if (w->first_size < 0)
                    w->first_size = kk;
                w->mismatches++;
            }
        }
    free(out);
    return NULL;
}

START_TEST(test_threads_bit_identical)
{
    TST_BEGIN_ISA();
    struct shared s = { .iterations = tst_quick() ? 2 : 6 };
    for (int k = 0; k < NSIZES; k++) {
        s.x[k] = tst_alloc(ROWS * sizes[k]);
        for (int r = 0; r < ROWS; r++)
            tst_fill(s.x[k] + (size_t)r * sizes[k], sizes[k], (enum tst_dist)(r * 2));
        int32_t last = (int32_t)sizes[k] - 1;
        s.labels[k][0] = 0;
        s.labels[k][1] = last < 1 ? last : 1;
        s.labels[k][2] = -1;
        s.labels[k][3] = last;
        s.want[k] = tst_alloc(out_len(sizes[k]));
        memset(s.want[k], 0, out_len(sizes[k]) * sizeof(float));
        run_all(&s, k, s.want[k]);
        chk_softmax(s.x[k], s.want[k] + sizes[k], sizes[k]); /* and they are right */
    }
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t].s = &s;
        ck_assert_int_eq(pthread_create(&tid[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_join(tid[t], NULL), 0);
    for (int t = 0; t < THREADS; t++)
        TST_ASSERT(w[t].mismatches == 0,
                   "%s: thread %d: %d results differ from the single-threaded run (first at "
                   "n=%zu)",
                   tst_isa_str(), t, w[t].mismatches, 
                   sizes[w[t].first_size < 0 ? 0 : w[t].first_size]);
    for (int k = 0; k < NSIZES; k++) {
        free(s.x[k]);
        free(s.want[k]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tst_tcase(s, "threads");
    tst_add_isa_test(tc, test_threads_bit_identical);
    return tst_run(s);
}
