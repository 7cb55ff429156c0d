/* smx_exp_f32 on all 2^32 float inputs, on every ISA this CPU runs: error < 1 ULP against
 * double exp (long double when that close to 1), the documented special values, and bit
 * identity with the scalar kernel for the FMA ISAs (every ISA but sse2).
 *
 *   SMX_EXP_STRIDE=64   check every 64th bit pattern (with a varying low part) plus the
 *                       neighbourhoods of the special inputs: 2^26 inputs, for emulators
 *   SMX_EXP_THREADS=n   worker threads (default: the online CPUs)
 *
 * smx_use_isa is process-wide, so the threads switch ISA together: per block of inputs,
 * thread 0 pins each ISA in turn between two barriers and every thread runs it on its own
 * part; then each thread computes the reference once for its part and checks every ISA. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smx.h"
#include "ulp.h"

enum { MAX_ISA = 8, PART = 1 << 16, MAX_THREADS = 64 };

struct isa_stats {
    double max_err;
    float worst_x;
    uint64_t failures, differ; /* err >= 1 (or a special value wrong); bits != scalar */
    float first_fail_x, first_differ_x;
};

static smx_isa isas[MAX_ISA]; /* isas[0] is scalar */
static int nisa, nthreads;
static uint64_t stride, nblocks;
static float specials[1 << 16];
static size_t nspecials;
static pthread_barrier_t barrier;

static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

/* Error of y = exp(x) in ULP, with the documented special values exact. */
static double exp_error(float x, float y)
{
    if (isnan(x))
        return isnan(y) ? 0.0 : INFINITY;
    if (x == INFINITY)
        return y == INFINITY ? 0.0 : INFINITY;
    if (x <= -104.0f)
        return bits_of(y) == 0 ? 0.0 : INFINITY;
    if (x == 0.0f)
        return y == 1.0f ? 0.0 : INFINITY;
    double err = tst_ulp_err(y, exp((double)x));
    if (err > 1.0 - 0x1p-20 && isfinite(err)) { /* let a more exact reference decide */
        long double e = expl((long double)x), yl = isinf(y) ? 0x1p128L : (long double)y;
        err = (double)(fabsl(yl - e) / (long double)tst_ulp((double)e));
    }
    return err;
}

/* Input number k of the strided walk (k < 2^32 / stride), or of the specials after it. */
static float input(uint64_t k)
{
    uint64_t total = ((uint64_t)1 << 32) / stride;
    if (k >= total)
        return specials[k - total];
    uint64_t jitter = stride > 1 ? (k * 0x9e3779b97f4a7c15u >> 40) % stride : 0;
    return float_of((uint32_t)(k * stride + jitter));
}

struct worker {
    int id;
    float *in, *out[MAX_ISA];
    struct isa_stats st[MAX_ISA];
};

static void check_part(struct worker *w, size_t cnt)
{
    for (size_t j = 0; j < cnt; j++) {
        float x = w->in[j];
        double scalar_err = exp_error(x, w->out[0][j]);
        for (int i = 0; i < nisa; i++) {
            struct isa_stats *s = &w->st[i];
            float y = w->out[i][j];
            int same = bits_of(y) == bits_of(w->out[0][j]);
            double err = same ? scalar_err : exp_error(x, y);
            if (!same && s->differ++ == 0)
                s->first_differ_x = x;
            if (!(err < 1.0) && s->failures++ == 0)
                s->first_fail_x = x;
            if (err > s->max_err || (isinf(err) && !isinf(s->max_err))) {
                s->max_err = err;
                s->worst_x = x;
            }
        }
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    uint64_t total = ((uint64_t)1 << 32) / stride + nspecials;
    for (uint64_t b = 0; b < nblocks; b++) {
        uint64_t lo = (b * (uint64_t)nthreads + (uint64_t)w->id) * PART;
        size_t cnt = lo >= total ? 0 : (size_t)(total - lo < PART ? total - lo : PART);
        for (size_t j = 0; j < cnt; j++)
            w->in[j] = input(lo + j);
        for (int i = 0; i < nisa; i++) {
            pthread_barrier_wait(&barrier); /* nobody is inside smx_exp_f32 now */
            if (w->id == 0 && smx_use_isa(isas[i]) != SMX_OK) {
                fprintf(stderr, "smx_use_isa(%s) failed\n", smx_isa_name(isas[i]));
                exit(2);
            }
            pthread_barrier_wait(&barrier);
            smx_exp_f32(w->in, w->out[i], cnt);
        }
        check_part(w, cnt);
    }
    return NULL;
}

/* +-64 floats around each input where something changes. */
static void make_specials(void)
{
    static const float centers[] = {
        0.0f, -0.0f, INFINITY, -INFINITY, NAN, -NAN, 0x1p-149f, -0x1p-149f, FLT_MIN, -FLT_MIN,
        FLT_MAX, -FLT_MAX, 1.0f, -1.0f, 0.34657359f, -0.34657359f, 0.69314718f, -0.69314718f,
        88.7228317f, 88.7228394f, -87.3365479f, -103.278931f, -103.972084f, -104.0f, -150.0f,
        1e-8f, -1e-8f, 0x1p-24f, -0x1p-25f,
    };
    for (size_t c = 0; c < sizeof centers / sizeof centers[0]; c++) {
        uint32_t u = bits_of(centers[c]);
        for (int d = -64; d <= 64; d++)
            specials[nspecials++] = float_of(u + (uint32_t)d);
    }
}

/* Merges the threads' figures for isas[i], prints them; 1 if the ISA fails. */
static int report(int i, const struct worker *w)
{
    struct isa_stats all = { 0 };
    for (int k = 0; k < nthreads; k++) {
        const struct isa_stats *p = &w[k].st[i];
        if (p->max_err > all.max_err || (isinf(p->max_err) && !isinf(all.max_err))) {
            all.max_err = p->max_err;
            all.worst_x = p->worst_x;
        }
        if (p->failures && !all.failures)
            all.first_fail_x = p->first_fail_x;
        if (p->differ && !all.differ)
            all.first_differ_x = p->first_differ_x;
        all.failures += p->failures;
        all.differ += p->differ;
    }
    printf("  %-7s max error %.6f ULP at x=%a (%.9g)\n", smx_isa_name(isas[i]), all.max_err,
           (double)all.worst_x, (double)all.worst_x);
    if (all.failures)
        printf("          FAIL: %llu inputs >= 1 ULP or a wrong special value, e.g. x=%a\n",
               (unsigned long long)all.failures, (double)all.first_fail_x);
    int must_match = isas[i] != SMX_ISA_SSE2; /* the FMA kernels follow scalar bit for bit */
    if (i > 0 && all.differ)
        printf("          %s: differs from scalar at %llu inputs, e.g. x=%a\n",
               must_match ? "FAIL" : "allowed (no FMA)", (unsigned long long)all.differ,
               (double)all.first_differ_x);
    else if (i > 0)
        printf("          bit-identical to scalar\n");
    return all.failures > 0 || (must_match && all.differ > 0);
}

int main(void)
{
    const char *s = getenv("SMX_EXP_STRIDE"), *t = getenv("SMX_EXP_THREADS");
    stride = s && atoll(s) > 0 ? (uint64_t)atoll(s) : 1;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = t && atoi(t) > 0 ? atoi(t) : online > 0 ? (int)online : 2;
    nthreads = nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
    if (stride > 1)
        make_specials();
    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON && nisa < MAX_ISA; isa++)
        if (smx_isa_supported((smx_isa)isa))
            isas[nisa++] = (smx_isa)isa;
    uint64_t total = ((uint64_t)1 << 32) / stride + nspecials;
    nblocks = (total + (uint64_t)nthreads * PART - 1) / ((uint64_t)nthreads * PART);
    printf("exp_exhaustive: %llu inputs (stride %llu, %zu around special values), "
           "%d threads, ISAs:", (unsigned long long)total, (unsigned long long)stride,
           nspecials, nthreads);
    for (int i = 0; i < nisa; i++)
        printf(" %s", smx_isa_name(isas[i]));
    printf("\n");
    fflush(stdout);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
    static struct worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    for (int k = 0; k < nthreads; k++) {
        w[k].id = k;
        w[k].in = malloc(PART * sizeof(float));
        for (int i = 0; i < nisa; i++)
            w[k].out[i] = malloc(PART * sizeof(float));
        pthread_create(&tid[k], NULL, work, &w[k]);
    }
    for (int k = 0; k < nthreads; k++)
        pthread_join(tid[k], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    int failed = 0;
    for (int i = 0; i < nisa; i++)
        failed |= report(i, w);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("exp_exhaustive: %s in %.1f s\n", failed ? "FAILED" : "passed", secs);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
