/* smx_ab: two builds of libsmx (before and after a change), or two operations of one build,
 * timed alternately in one process.
 *
 *   smx_ab LIB_A LIB_B OP N ROWS     e.g. smx_ab base/libsmx.so.0.1.0 build/libsmx.so.0.1.0 sm 128 1
 *   smx_ab LIB - OPA/OPB N ROWS      e.g. smx_ab build/libsmx.so.0.1.0 - sm/ce 64 1
 *
 * OP: sm (softmax), lsm (log-softmax), ce (cross-entropy with gradient), cel (loss only),
 * lse (logsumexp), sum, max, argmax (row by row), exp (n * rows floats); with one library
 * also sleef (the benchmark's SLEEF u10 three-pass softmax, row by row, on the ISA SMX_ISA
 * names or else the best this CPU runs) and memcpy (of the same n * rows floats): the
 * benchmark's two yardsticks, e.g. smx_ab LIB - sleef/sm 4096 1 (B/A below 1: ours faster).  ROWS == 1 calls smx_softmax_f32 and
 * smx_log_softmax_f32, as the benchmark's single rows do; more rows call the _rows
 * functions.  A shared VM's speed drifts over seconds, which a before/after pair of
 * benchmark runs minutes apart cannot tell from a change: here each of 21 rounds times A
 * and B back to back (the best of three timings each, ~2e5 elements a timing, the order
 * swapped every round), and the median of the 21 ratios B/A is printed with the 3rd and
 * 19th (the spread), beside each side's median ns/element.
 *
 * Inputs: uniform logits of standard deviation SD (env, default 4), labels uniform in
 * [0, N) or LAB (env); OFF (env) floats of misalignment from a 64-byte boundary.  SMX_ISA
 * caps both libraries' dispatch, as in any process.  Both builds export the same symbols;
 * each is opened with RTLD_LOCAL and its functions taken from its own handle. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef AB_HAVE_SLEEF
#include "peers/peers.h"
#endif

#define ROUNDS 21

typedef void (*vec_fn)(const float *, float *, size_t);
typedef int (*rows_fn)(const float *, size_t, float *, size_t, size_t, size_t);
typedef int (*ce_fn)(const float *, size_t, const int32_t *, size_t, size_t, float *, float *,
                     size_t);
typedef float (*red_fn)(const float *, size_t);
typedef int64_t (*arg_fn)(const float *, size_t);

struct lib {
    vec_fn sm, lsm, ex;
    rows_fn smr, lsmr;
    ce_fn ce;
    red_fn lse, sum, max;
    arg_fn argmax;
};

enum op { OP_SM, OP_LSM, OP_CE, OP_CEL, OP_LSE, OP_SUM, OP_MAX, OP_ARGMAX, OP_EXP, OP_SLEEF,
           OP_MEMCPY };
#define N_OPS 11

/* The SLEEF three-pass softmax for op sleef (NULL: none in this build or for this CPU). */
static void (*sleef_softmax)(const float *x, float *y, size_t n);
static const char *sleef_isa = "none";

static void pick_sleef(void)
{
#ifdef AB_HAVE_SLEEF
    const struct peer_sleef *s[8];
    size_t k = peer_sleef_isas(s, 8);
    const char *want = getenv("SMX_ISA");
    for (size_t i = 0; i < k; i++)
        if (!want || !*want || !strcmp(want, s[i]->isa)) { /* the last: the best it runs */
            sleef_softmax = s[i]->softmax;
            sleef_isa = s[i]->isa;
        }
#endif
}

static float *X, *Y;
static int32_t *L;
static size_t N, R;
static volatile float sink;

static void *sym(void *h, const char *name)
{
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "smx_ab: %s: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

static void *load(const char *path, struct lib *l)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "smx_ab: %s\n", dlerror());
        exit(2);
    }
    l->sm = (vec_fn)sym(h, "smx_softmax_f32");
    l->lsm = (vec_fn)sym(h, "smx_log_softmax_f32");
    l->ex = (vec_fn)sym(h, "smx_exp_f32");
    l->smr = (rows_fn)sym(h, "smx_softmax_rows_f32");
    l->lsmr = (rows_fn)sym(h, "smx_log_softmax_rows_f32");
    l->ce = (ce_fn)sym(h, "smx_cross_entropy_f32");
    l->lse = (red_fn)sym(h, "smx_logsumexp_f32");
    l->sum = (red_fn)sym(h, "smx_sum_f32");
    l->max = (red_fn)sym(h, "smx_max_f32");
    l->argmax = (arg_fn)sym(h, "smx_argmax_f32");
    return h;
}

static enum op parse_op(const char *s)
{
    static const char *const names[N_OPS] = { "sm",     "lsm", "ce",  "cel",   "lse",   "sum",
                                              "max",    "argmax", "exp", "sleef", "memcpy" };
    for (int i = 0; i < N_OPS; i++)
        if (!strcmp(s, names[i])) {
            if (i == OP_SLEEF && !sleef_softmax) {
                fprintf(stderr, "smx_ab: no SLEEF softmax in this build for this CPU (SMX_ISA)\n");
                exit(2);
            }
            return (enum op)i;
        }
    fprintf(stderr, "smx_ab: unknown operation '%s' (sm lsm ce cel lse sum max argmax exp; "
                    "with one library also sleef memcpy)\n", s);
    exit(2);
}

/* f over each of the R rows, the results kept from being optimised away. */
static void rowwise(red_fn f)
{
    float s = 0.0f;
    for (size_t r = 0; r < R; r++)
        s += f(X + r * N, N);
    sink = s;
}

static void run(const struct lib *l, enum op op)
{
    float loss, s = 0.0f;
    switch (op) {
    case OP_SM:
        if (R == 1)
            l->sm(X, Y, N);
        else
            l->smr(X, N, Y, N, R, N);
        break;
    case OP_LSM:
        if (R == 1)
            l->lsm(X, Y, N);
        else
            l->lsmr(X, N, Y, N, R, N);
        break;
    case OP_CE:
        l->ce(X, N, L, R, N, &loss, Y, N);
        sink = loss;
        break;
    case OP_CEL:
        l->ce(X, N, L, R, N, &loss, NULL, 0);
        sink = loss;
        break;
    case OP_LSE:
        rowwise(l->lse);
        break;
    case OP_SUM:
        rowwise(l->sum);
        break;
    case OP_MAX:
        rowwise(l->max);
        break;
    case OP_ARGMAX:
        for (size_t r = 0; r < R; r++)
            s += (float)l->argmax(X + r * N, N);
        sink = s;
        break;
    case OP_EXP:
        l->ex(X, Y, N * R);
        break;
    case OP_SLEEF:
        for (size_t r = 0; r < R; r++)
            sleef_softmax(X + r * N, Y + r * N, N);
        break;
    case OP_MEMCPY:
        memcpy(Y, X, N * R * sizeof *X);
        break;
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The best of three timings of k calls, per call. */
static double timeit(const struct lib *l, enum op op, long k)
{
    double best = 1e30;
    for (int s = 0; s < 3; s++) {
        double t0 = now();
        for (long i = 0; i < k; i++)
            run(l, op);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return best / (double)k;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: smx_ab LIB_A LIB_B OP N ROWS\n"
                        "       smx_ab LIB - OPA/OPB N ROWS\n"
                        "OP: sm lsm ce cel lse sum max argmax exp (one library: also sleef memcpy);\n"
                        "env SD, LAB, OFF, SMX_ISA (see bench/ab.c)\n");
        return 2;
    }
    struct lib a, b;
    enum op opa, opb;
    void *ha = load(argv[1], &a);
    pick_sleef();
    if (!strcmp(argv[2], "-")) {
        char buf[32];
        const char *slash = strchr(argv[3], '/');
        if (!slash || (size_t)(slash - argv[3]) >= sizeof buf) {
            fprintf(stderr, "smx_ab: with one library, OP is OPA/OPB\n");
            return 2;
        }
        memcpy(buf, argv[3], (size_t)(slash - argv[3]));
        buf[slash - argv[3]] = 0;
        opa = parse_op(buf);
        opb = parse_op(slash + 1);
        b = a;
    } else {
        if (load(argv[2], &b) == ha) {
            fprintf(stderr, "smx_ab: %s and %s are one library\n", argv[1], argv[2]);
            return 2;
        }
        opa = opb = parse_op(argv[3]);
        if (opa == OP_SLEEF || opa == OP_MEMCPY) {
            fprintf(stderr, "smx_ab: sleef and memcpy are for one library (LIB - OPA/OPB)\n");
            return 2;
        }
    }
    N = strtoull(argv[4], NULL, 10);
    R = strtoull(argv[5], NULL, 10);
    if (N == 0 || R == 0 || N > ((size_t)1 << 28) / R) {
        fprintf(stderr, "smx_ab: N and ROWS must be positive, N * ROWS at most 2^28\n");
        return 2;
    }
    const char *e;
    size_t off = (e = getenv("OFF")) ? strtoull(e, NULL, 10) % 16 : 0;
    double sd = (e = getenv("SD")) ? atof(e) : 4.0;
    size_t bytes = ((N * R + off) * sizeof(float) + 63) / 64 * 64;
    float *xb = aligned_alloc(64, bytes), *yb = aligned_alloc(64, bytes);
    L = malloc(R * sizeof *L);
    if (!xb || !yb || !L) {
        fprintf(stderr, "smx_ab: out of memory\n");
        return 2;
    }
    X = xb + off;
    Y = yb + off;
    /* uniform on [-sd sqrt(3), sd sqrt(3)): standard deviation sd */
    for (size_t i = 0; i < N * R; i++)
        X[i] = (float)(((double)(next() >> 11) * 0x1p-53 - 0.5) * sd * 3.4641016151377544);
    for (size_t r = 0; r < R; r++) {
        long lab = (e = getenv("LAB")) ? atol(e) : (long)(next() % N);
        L[r] = (int32_t)(lab < (long)N ? lab : (long)N - 1);
    }
    double el = (double)N * (double)R;
    long k = (long)(2e5 / el) + 1;
    run(&a, opa);
    run(&b, opb);
    double ta[ROUNDS], tb[ROUNDS], rt[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        if (i & 1) {
            tb[i] = timeit(&b, opb, k);
            ta[i] = timeit(&a, opa, k);
        } else {
            ta[i] = timeit(&a, opa, k);
            tb[i] = timeit(&b, opb, k);
        }
        rt[i] = tb[i] / ta[i];
    }
    qsort(ta, ROUNDS, sizeof *ta, cmp);
    qsort(tb, ROUNDS, sizeof *tb, cmp);
    qsort(rt, ROUNDS, sizeof *rt, cmp);
    printf("%s n=%zu rows=%zu  A %.4f ns/el  B %.4f ns/el  B/A median %.3f [%.3f..%.3f]%s%s\n",
           argv[3], N, R, ta[ROUNDS / 2] * 1e9 / el, tb[ROUNDS / 2] * 1e9 / el, rt[ROUNDS / 2],
           rt[2], rt[ROUNDS - 3], opa == OP_SLEEF || opb == OP_SLEEF ? "  sleef " : "",
           opa == OP_SLEEF || opb == OP_SLEEF ? sleef_isa : "");
    free(xb);
    free(yb);
    free(L);
    return 0;
}
