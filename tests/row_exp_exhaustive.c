/* A softmax-internal exponential, kernels/<isa>/row_exp.h, on every float input a softmax row
 * feeds it, for N in {0, 100, -50, 368, -370}: the row plan of a row whose max m
 * lies in [(N + 1/2) ln2, (N + 3/2) ln2) (smx_row_plan builds it), and every float x in
 * [(N - 127) ln2 - 1, N ln2 + 1.1], a little past the row's max and a little below the cutoff
 * (N - 126) ln2.  Checks, against e^x 2^-N in double (long double near the bound):
 *   - results whose exact value is >= 2^-126 (2^(-126 + 2^-(BITS+1)): the lanes at
 *     n = N - 126 are flushed too, generic/row_exp.h): error < ULP_BOUND (0.6 ULP; the
 *     headers give what was measured);
 *   - exact values below that: the result lies in [0, 2^-125];
 *   - every float below that range, -inf included: +0 (bits 0);
 *   - every NaN bit pattern (either sign, every payload): NaN;
 *   - a fixed list of specials (NaN payloads with mantissa bits 4..12 set, -inf, -FLT_MAX,
 *     the range's ends and the cutoff's neighbours), whatever the stride.
 * N = 0 and N = 100 hold the 2^31 floats of magnitude below 1 and dominate the run time.
 * Then the same sweeps for smx_row_exp_clamp, which the long rows' passes take on AVX2 (the
 * AVX2 build only): x below the clamp (rowc.xlo), -inf included, gives a normal result in
 * [2^-126, 2^-125.5] where smx_row_exp gives +0; every x at or above it the error bound.
 *
 *   SMX_EXP_STRIDE=64   check every 64th input of each sweep (with a varying low part)
 *   SMX_EXP_THREADS=n   worker threads (default 2)
 *
 * The ISA is the one the compiler flags allow: AVX-512 (avx512/row_exp.h, 16-entry table) with
 * __AVX512F__, else AVX2 + FMA (avx2/row_exp.h, 8-entry table); meson builds it twice, with
 * isa_table's avx512 and avx2 flags.  Exit 77 (skip) when the CPU lacks that ISA.
 * -DSMX_TEST_BREAK adds 1 ULP to one normal result in 256, to show that the check fails (not
 * built by meson). */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#include "avx512/vec.h"
#include "avx512/row_exp.h"
#define TEST_NAME "row_exp_exhaustive"
#define TEST_ISA_DESC "AVX-512 F/BW/DQ/VL"
#define vt_load _mm512_load_ps
#define vt_store _mm512_store_ps
#elif defined(__AVX2__) && defined(__FMA__)
#include "avx2/vec.h"
#include "avx2/row_exp.h"
#define TEST_NAME "row_exp_exhaustive_avx2"
#define TEST_ISA_DESC "AVX2 and FMA"
#define vt_load _mm256_load_ps
#define vt_store _mm256_store_ps
#else
#error "row_exp_exhaustive.c needs AVX-512 F/BW/DQ/VL or AVX2 + FMA compiler flags"
#endif
#include "ulp.h"

#define LN2 0x1.62e42fefa39efp-1
#define ULP_BOUND 0.6
/* Exact values below this may be flushed: 2^(-126 + 2^-(BITS+1)), a hair above. */
#define TINY_BOUND (0x1p-126 * exp2(1.0 / (2 << SMX_TEXP_BITS)) * (1 + 0x1p-14))

enum { BLOCK = 4096, MAX_THREADS = 64, NCASES = 5 };
enum { SW_RANGE, SW_ZERO, SW_NAN, NSWEEPS };
static const char *const sweep_names[NSWEEPS] = { "range", "below range", "NaN" };

static const int cases[NCASES] = { 0, 100, -50, 368, -370 };

/* Bit patterns lo..hi (inclusive), up to two runs. */
struct sweep {
    uint32_t lo[2], hi[2];
    int nseg;
    uint64_t count;   /* floats in the runs     */
    uint64_t samples; /* of them, checked       */
};

struct stats {
    double max_err;
    float worst_x;
    uint64_t checked, normal, tiny, fails;
    float first_fail_x, first_fail_y;
};

/* The case under test: read-only while the workers run. */
static struct smx_rowc rowc;
static int cur_n, cur_sweep, nthreads, clamp_mode;
static float clamp_x; /* rowc.xlo's lanes */
static struct sweep sweeps[NSWEEPS];
static uint64_t stride;

static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

static void sweep_add(struct sweep *s, uint32_t lo, uint32_t hi)
{
    s->lo[s->nseg] = lo;
    s->hi[s->nseg] = hi;
    s->nseg++;
    s->count += (uint64_t)hi - lo + 1;
    s->samples = stride > 1 ? (s->count + stride - 1) / stride : s->count;
}

/* Input number k (k < samples) of a sweep. */
static float sample(const struct sweep *s, uint64_t k)
{
    uint64_t i = k;
    if (stride > 1) {
        i = k * stride + (k * 0x9e3779b97f4a7c15u >> 40) % stride;
        if (i >= s->count)
            i = s->count - 1;
    }
    uint64_t len0 = (uint64_t)s->hi[0] - s->lo[0] + 1;
    return i < len0 ? float_of(s->lo[0] + (uint32_t)i) : float_of(s->lo[1] + (uint32_t)(i - len0));
}

static vf exp_under_test(vf x)
{
    vf y = clamp_mode ? smx_row_exp_clamp(x, &rowc) : smx_row_exp(x, &rowc);
#if defined(SMX_TEST_BREAK) && defined(__AVX512F__)
    __m512i b = _mm512_castps_si512(y);
    __mmask16 normal = _mm512_cmp_ps_mask(y, vf_set1(0x1p-126f), _CMP_GE_OQ);
    __mmask16 some = _mm512_cmpeq_epi32_mask(_mm512_and_si512(b, _mm512_set1_epi32(0xff)),
                                             _mm512_set1_epi32(0x5a));
    y = _mm512_castsi512_ps(_mm512_mask_add_epi32(b, normal & some, b, _mm512_set1_epi32(1)));
#elif defined(SMX_TEST_BREAK)
    __m256i b = _mm256_castps_si256(y);
    __m256i normal = _mm256_castps_si256(_mm256_cmp_ps(y, vf_set1(0x1p-126f), _CMP_GE_OQ));
    __m256i some = _mm256_cmpeq_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0xff)),
                                      _mm256_set1_epi32(0x5a));
    y = _mm256_castsi256_ps(
        _mm256_add_epi32(b, _mm256_and_si256(_mm256_and_si256(normal, some), _mm256_set1_epi32(1))));
#endif
    return y;
}

static void fail(struct stats *s, float x, float y)
{
    if (s->fails++ == 0) {
        s->first_fail_x = x;
        s->first_fail_y = y;
    }
}

/* The check of one input for the current case and sweep. */
static void check(struct stats *s, float x, float y)
{
    s->checked++;
    if (cur_sweep == SW_NAN) {
        if (!isnan(y))
            fail(s, x, y);
        return;
    }
    if (clamp_mode && (cur_sweep == SW_ZERO || x < clamp_x)) {
        s->tiny++;
        if (!(y >= 0x1p-126f && y <= 0x1.6a09e6p-126f)) /* 2^-125.5 rounded down */
            fail(s, x, y);
        return;
    }
    if (cur_sweep == SW_ZERO) {
        if (bits_of(y) != 0)
            fail(s, x, y);
        return;
    }
    double e = ldexp(exp((double)x), -cur_n); /* normal in double: no rounding but exp's */
    if (!(e >= TINY_BOUND)) {
        s->tiny++;
        if (!(y >= 0.0f && y <= 0x1p-125f))
            fail(s, x, y);
        return;
    }
    s->normal++;
    double err = fabs((double)y - e) / tst_ulp(e);
    if (err > ULP_BOUND - 0.01 && err < ULP_BOUND + 0.01) { /* exp's 2^-28 ULP could matter */
        long double el = ldexpl(expl((long double)x), -cur_n);
        err = (double)(fabsl((long double)y - el) / (long double)tst_ulp((double)el));
    }
    if (!(err < ULP_BOUND))
        fail(s, x, y);
    if (!(err <= s->max_err)) {
        s->max_err = err;
        s->worst_x = x;
    }
}

struct worker {
    int id;
    struct stats st;
    float in[BLOCK] __attribute__((aligned(64)));
    float out[BLOCK] __attribute__((aligned(64)));
};

static void *work(void *arg)
{
    struct worker *w = arg;
    const struct sweep *s = &sweeps[cur_sweep];
    uint64_t nblocks = (s->samples + BLOCK - 1) / BLOCK;
    for (uint64_t b = (uint64_t)w->id; b < nblocks; b += (uint64_t)nthreads) {
        uint64_t lo = b * BLOCK;
        size_t cnt = s->samples - lo < BLOCK ? (size_t)(s->samples - lo) : BLOCK;
        for (size_t j = 0; j < cnt; j++)
            w->in[j] = sample(s, lo + j);
        for (size_t j = cnt; j < BLOCK; j++)
            w->in[j] = 0.0f;
        for (size_t j = 0; j < cnt; j += VL)
            vt_store(w->out + j, exp_under_test(vt_load(w->in + j)));
        for (size_t j = 0; j < cnt; j++)
            check(&w->st, w->in[j], w->out[j]);
    }
    return NULL;
}

static void merge(struct stats *all, const struct stats *p)
{
    if (!(p->max_err <= all->max_err)) {
        all->max_err = p->max_err;
        all->worst_x = p->worst_x;
    }
    if (p->fails && !all->fails) {
        all->first_fail_x = p->first_fail_x;
        all->first_fail_y = p->first_fail_y;
    }
    all->checked += p->checked;
    all->normal += p->normal;
    all->tiny += p->tiny;
    all->fails += p->fails;
}

/* Runs the current sweep on every thread; returns the merged figures. */
static struct stats run_sweep(void)
{
    static struct worker w[MAX_THREADS] __attribute__((aligned(64)));
    pthread_t tid[MAX_THREADS];
    struct stats all = { 0 };
    for (int k = 0; k < nthreads; k++) {
        memset(&w[k].st, 0, sizeof w[k].st);
        w[k].id = k;
        if (pthread_create(&tid[k], NULL, work, &w[k]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(2);
        }
    }
    for (int k = 0; k < nthreads; k++) {
        pthread_join(tid[k], NULL);
        merge(&all, &w[k].st);
    }
    return all;
}

/* The fixed list, checked whatever the stride; 1 on a failure. */
static int check_specials(float xlo, float cutoff)
{
    static const uint32_t nans[] = {
        0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fffffffu, 0xffffffffu,
        0x7fbfffffu, 0x7fc01ff0u, 0x7f801ff0u, 0xff801ff0u, 0x7fc01230u, 0xffbfe00fu,
    };
    float x[32] __attribute__((aligned(64)));
    float y[32] __attribute__((aligned(64)));
    int n = 0;
    for (size_t i = 0; i < sizeof nans / sizeof nans[0]; i++)
        x[n++] = float_of(nans[i]);
    int first_zero = n;
    const float zeros[] = { -INFINITY, -FLT_MAX, -1e30f, -1e10f, -1000.0f,
                            xlo, float_of(bits_of(xlo) + (xlo < 0 ? 1 : -1)) };
    for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++)
        x[n++] = zeros[i];
    int below_cut = n;
    x[n++] = cutoff - 0.05f; /* e^x 2^-N < 2^-126.07: +0 */
    int at_cut = n;
    x[n++] = cutoff + 0.1f; /* n = N - 126 + 2^-BITS or more: kept */
    while (n < 32)
        x[n++] = 0.0f;
    for (int j = 0; j < 32; j += VL)
        vt_store(y + j, exp_under_test(vt_load(x + j)));
    int bad = 0;
    for (int i = 0; i <= at_cut; i++) {
        int ok = i < first_zero ? isnan(y[i])
               : i > below_cut  ? y[i] >= 0x1p-126f
               : clamp_mode     ? y[i] >= 0x1p-126f && y[i] <= 0x1.6a09e6p-126f
                                : bits_of(y[i]) == 0;
        if (!ok) {
            printf("          FAIL: special x=%a (bits 0x%08x) gave %a (bits 0x%08x)\n",
                   (double)x[i], bits_of(x[i]), (double)y[i], bits_of(y[i]));
            bad = 1;
        }
    }
    return bad;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One N; 1 if anything failed. */
static int run_case(int n)
{
    double t0 = now();
    /* A row max with N = (m / ln2 rounded) - 1 and |m| < 256 (else the plan shifts instead):
     * (N + 1) ln2, or +-255.9 for N = 368 and -370, whose band crosses 256. */
    float m = (float)((n + 1) * LN2);
    if (fabsf(m) >= 256.0f)
        m = copysignf(255.9f, m);
    struct smx_row_plan plan = smx_row_plan(&m, 1, m);
    if (plan.kind != SMX_ROW_FINITE || plan.shift != 0.0f || plan.neg_n != (float)-n) {
        printf("N=%d: smx_row_plan(m=%a) gave shift %a, -N %g\n", n, (double)m,
               (double)plan.shift, (double)plan.neg_n);
        return 1;
    }
    rowc = smx_rowc_make(&plan);
    clamp_x = vf_first(rowc.xlo);
    cur_n = n;
    float cutoff = (float)((n - 126) * LN2); /* where e^x 2^-N = 2^-126 */
    float xlo = (float)((n - 127) * LN2 - 1.0), xhi = (float)(n * LN2 + 1.1);

    memset(sweeps, 0, sizeof sweeps);
    struct sweep *r = &sweeps[SW_RANGE], *z = &sweeps[SW_ZERO];
    if (xhi < 0.0f) {
        sweep_add(r, bits_of(xhi), bits_of(xlo));
    } else if (xlo > 0.0f) {
        sweep_add(r, bits_of(xlo), bits_of(xhi));
    } else {
        sweep_add(r, 0x80000000u, bits_of(xlo)); /* -0 down to xlo */
        sweep_add(r, 0x00000000u, bits_of(xhi));
    }
    if (xlo > 0.0f) {
        sweep_add(z, 0x00000000u, bits_of(xlo) - 1);
        sweep_add(z, 0x80000000u, 0xff800000u);
    } else {
        sweep_add(z, bits_of(xlo) + 1, 0xff800000u); /* through -inf */
    }
    sweep_add(&sweeps[SW_NAN], 0x7f800001u, 0x7fffffffu);
    sweep_add(&sweeps[SW_NAN], 0xff800001u, 0xffffffffu);

    printf("N=%d%s: m=%a, cutoff %a (%.9g), x in [%a, %a] (%.9g, %.9g)\n", n,
           clamp_mode ? " (clamped)" : "", (double)m, (double)cutoff, (double)cutoff,
           (double)xlo, (double)xhi, (double)xlo, (double)xhi);
    int bad = check_specials(xlo, cutoff);
    for (cur_sweep = 0; cur_sweep < NSWEEPS; cur_sweep++) {
        struct stats s = run_sweep();
        if (cur_sweep == SW_RANGE)
            printf("  %-11s %llu inputs: max %.6f ULP at x=%a (%.9g), %llu below 2^-126\n",
                   sweep_names[cur_sweep], (unsigned long long)s.checked, s.max_err,
                   (double)s.worst_x, (double)s.worst_x, (unsigned long long)s.tiny);
        else
            printf("  %-11s %llu inputs\n", sweep_names[cur_sweep],
                   (unsigned long long)s.checked);
        if (s.checked != sweeps[cur_sweep].samples) {
            printf("          FAIL: %llu inputs expected\n",
                   (unsigned long long)sweeps[cur_sweep].samples);
            bad = 1;
        }
        if (s.fails) {
            printf("          FAIL: %llu inputs, e.g. x=%a (%.9g) gave %a\n",
                   (unsigned long long)s.fails, (double)s.first_fail_x,
                   (double)s.first_fail_x, (double)s.first_fail_y);
            bad = 1;
        }
    }
    printf("  %s in %.1f s\n", bad ? "FAILED" : "passed", now() - t0);
    fflush(stdout);
    return bad;
}

/* Everything that touches AVX-512 or AVX2 lives below main, which is built without AVX (and so
 * without AVX2, FMA and AVX-512), so that any x86-64 CPU reaches the skip. */
__attribute__((noinline)) static int run_all(void)
{
    int failed = 0;
    for (int c = 0; c < NCASES; c++)
        failed |= run_case(cases[c]);
#ifndef SMX_HAVE_KEEP_IN /* AVX2: its long rows take the clamp */
    clamp_mode = 1;
    for (int c = 0; c < NCASES; c++)
        failed |= run_case(cases[c]);
#endif
    return failed;
}

__attribute__((target("no-avx"))) int main(void)
{
    __builtin_cpu_init();
#if defined(__AVX512F__)
    int have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    int have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    if (!have) {
        printf(TEST_NAME ": SKIP (the CPU lacks " TEST_ISA_DESC ")\n");
        return 77;
    }
    const char *s = getenv("SMX_EXP_STRIDE"), *t = getenv("SMX_EXP_THREADS");
    stride = s && atoll(s) > 0 ? (uint64_t)atoll(s) : 1;
    nthreads = t && atoi(t) > 0 ? atoi(t) : 2;
    nthreads = nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
    printf(TEST_NAME ": stride %llu, %d threads, bound %.2f ULP%s\n",
           (unsigned long long)stride, nthreads, ULP_BOUND,
#ifdef SMX_TEST_BREAK
           " (SMX_TEST_BREAK: 1 ULP added to some results, this run must fail)"
#else
           ""
#endif
    );
    fflush(stdout);
    double t0 = now();
    int failed = run_all();
    printf(TEST_NAME ": %s in %.1f s\n", failed ? "FAILED" : "passed", now() - t0);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
