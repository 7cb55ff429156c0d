/* SSE2's softmax-internal exp core (smx_row_reduce in kernels/sse2/vec.h: float, no FMA) on
 * every float softmax can feed it, x in [-366, 256] (x clamped to max - 110, |max| < 256, or
 * x - max in [-110, 0]): p with e^x = p 2^n, checked against e^x 2^-n in double (exp's error,
 * ~2^-53, is far below a float ULP).  Also: NaN in, NaN out, for every NaN bit pattern's
 * sign and a spread of payloads.  Bound ULP_BOUND (the header gives what was measured).
 *
 *   SMX_EXP_STRIDE=64   check every 64th input (with a varying low part)
 *   SMX_EXP_THREADS=n   worker threads (default 2)
 *
 * Exit 77 (skip) on a CPU without SSE2 (never, on x86-64). */
#include "sse2/vec.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ULP_BOUND 1.05

static uint64_t stride = 1;
static int nthreads = 2;
static uint32_t seg_lo[2], seg_hi[2]; /* bit patterns of [0, 256] and [-366, -0] */

struct result {
    double max_err;
    float worst_x;
    uint64_t checked;
};

static float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

static uint64_t count(void) { return (uint64_t)seg_hi[0] - seg_lo[0] + 1 + seg_hi[1] - seg_lo[1] + 1; }

static float input(uint64_t k)
{
    uint64_t i = k, total = count();
    if (stride > 1) {
        i = k * stride + (k * 0x9e3779b97f4a7c15u >> 40) % stride;
        if (i >= total)
            i = total - 1;
    }
    uint64_t len0 = (uint64_t)seg_hi[0] - seg_lo[0] + 1;
    return i < len0 ? float_of(seg_lo[0] + (uint32_t)i) : float_of(seg_lo[1] + (uint32_t)(i - len0));
}

static void check4(const float *xs, struct result *res)
{
    vf n;
    vf p = smx_row_reduce(_mm_loadu_ps(xs), &n);
    float ps[4], ns[4];
    _mm_storeu_ps(ps, p);
    _mm_storeu_ps(ns, n);
    for (int k = 0; k < 4; k++) {
        double want = exp((double)xs[k]) / ldexp(1.0, (int)ns[k]); /* the exact p, to ~2^-53 */
        int e;
        frexp(want, &e);
        double err = fabs(((double)ps[k] - want) / ldexp(1.0, e - 24));
        if (!(err <= res->max_err)) {
            res->max_err = err;
            res->worst_x = xs[k];
        }
    }
    res->checked += 4;
}

struct job {
    int id;
    struct result res;
};

static void *run(void *arg)
{
    struct job *job = arg;
    uint64_t samples = stride > 1 ? (count() + stride - 1) / stride : count();
    float xs[4];
    int fill = 0;
    for (uint64_t k = (uint64_t)job->id; k < samples; k += (uint64_t)nthreads) {
        xs[fill++] = input(k);
        if (fill == 4) {
            check4(xs, &job->res);
            fill = 0;
        }
    }
    while (fill > 0 && fill < 4)
        xs[fill++] = xs[0];
    if (fill == 4)
        check4(xs, &job->res);
    return NULL;
}

int main(void)
{
    const char *s = getenv("SMX_EXP_STRIDE");
    if (s && atoll(s) > 1)
        stride = (uint64_t)atoll(s);
    const char *t = getenv("SMX_EXP_THREADS");
    if (t && atoi(t) > 0 && atoi(t) <= 64)
        nthreads = atoi(t);
    seg_lo[0] = 0;
    seg_hi[0] = bits_of(256.0f);
    seg_lo[1] = 0x80000000u;
    seg_hi[1] = bits_of(-366.0f);

    pthread_t tid[64];
    struct job jobs[64];
    for (int i = 0; i < nthreads; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].id = i;
        pthread_create(&tid[i], NULL, run, &jobs[i]);
    }
    struct result all = { 0 };
    for (int i = 0; i < nthreads; i++) {
        pthread_join(tid[i], NULL);
        all.checked += jobs[i].res.checked;
        if (jobs[i].res.max_err > all.max_err) {
            all.max_err = jobs[i].res.max_err;
            all.worst_x = jobs[i].res.worst_x;
        }
    }

    /* NaN in, NaN out: both signs, payloads spread over the mantissa. */
    uint64_t bad_nan = 0;
    for (uint32_t sign = 0; sign < 2; sign++)
        for (uint32_t m = 1; m < 0x800000u; m = m * 3 + 1) {
            float xs[4];
            for (int k = 0; k < 4; k++)
            {
                uint32_t payload = (m + (uint32_t)k) & 0x7fffffu;
                xs[k] = float_of((sign << 31) | 0x7f800000u | (payload ? payload : 1u));
            }
            vf n;
            float ps[4];
            _mm_storeu_ps(ps, smx_row_reduce(_mm_loadu_ps(xs), &n));
            for (int k = 0; k < 4; k++)
                bad_nan += ps[k] == ps[k];
        }

    int ok = all.max_err <= ULP_BOUND && bad_nan == 0 && all.checked > 0;
    printf("row_reduce_exhaustive_sse2: stride %llu, %d threads: %llu inputs in [-366, 256], "
           "max %.4f ULP at x=%a (bound %.2f); NaN inputs not giving NaN: %llu\n",
           (unsigned long long)stride, nthreads, (unsigned long long)all.checked, all.max_err,
           (double)all.worst_x, ULP_BOUND, (unsigned long long)bad_nan);
    printf("%s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}
