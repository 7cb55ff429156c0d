/* fuzz_smx: a libFuzzer target for the whole public API of smx.
 *
 * Each input decodes into one case: an operation, n (0..600), rows (0..4), leading
 * dimensions (sometimes below n, sometimes so large that the matrix end overflows size_t),
 * pointer misalignment, NULL pointers, labels (valid, negative, >= n) and float data in
 * which NaN, +-inf, subnormals, huge values and +-0 are common.  Bytes past the end of the
 * input come from a generator seeded by the input, so a short input can describe a long row.
 *
 * The case then runs on every ISA this CPU runs (smx_use_isa), into buffers surrounded by
 * canaries, with each input array ending exactly at the end of its allocation (ASan watches
 * the byte after it), and every result is checked against
 *   - a long double reference of the float inputs, within include/smx.h's bounds;
 *   - the row semantics (NaN / +inf / fully masked rows), exactly;
 *   - the SMX_EINVAL rules, with canaries proving nothing was written;
 *   - the other ISAs: max and argmax exactly, exp bit-identical on scalar and FMA ISAs;
 *   - itself: in place == out of place, gradient over the logits == separate gradient,
 *     loss with gradient == loss without, bit for bit (same inputs, same ISA, same bits).
 * A violation prints what, where and the values, then abort()s; libFuzzer keeps the input.
 *
 * Reproduce one input:  build-fuzz/fuzz/fuzz_smx crash-<sha1>   (SMX_FUZZ_VERBOSE=1 prints
 * the decoded case; SMX_FUZZ_STATS=1 prints the largest error seen per ISA at exit). */
#include "smx.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N    600
#define MAX_ROWS 4
#define GUARD    16          /* canary floats on each side of every output (64 bytes) */
#define CANARY   0x7fcadeadu /* a quiet NaN: a kernel that reads a canary gets NaN    */

/* ---- failure reporting -------------------------------------------------------------- */

static char ctx[192];
static int verbose;

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\nfuzz_smx: MISMATCH [%s]\n  ", ctx);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- decoding the input ------------------------------------------------------------- */

struct src {
    const uint8_t *p;
    size_t left;
    uint64_t state; /* once the input is used up: a 64-bit LCG seeded by the input */
};

static uint8_t take8(struct src *s)
{
    if (s->left) {
        s->left--;
        return *s->p++;
    }
    s->state = s->state * 6364136223846793005u + 1442695040888963407u;
    return (uint8_t)(s->state >> 56);
}

static uint32_t take16(struct src *s)
{
    uint32_t lo = take8(s);
    return lo | (uint32_t)take8(s) << 8;
}

static uint32_t take32(struct src *s)
{
    uint32_t lo = take16(s);
    return lo | take16(s) << 16;
}

/* Where the values of one case come from. */
struct gen {
    unsigned special; /* out of 256: how often an element is a special value */
    float base;       /* typical values: base + spread * [-8, 8) */
    float spread;
};

/* Inputs where exp and the softmax paths change behaviour. */
static const float edges[] = {
    -104.0f, -103.972077f, -103.278931f, -87.3365479f, -87.3365402f, -88.7228394f,
    88.7228394f, 88.7228470f, 89.0f, -89.0f, 0x1p-25f, -0x1p-25f, 255.9999f, 256.0f,
    -256.0f, 0x1.8p23f, 0x1p22f, -0x1p22f, 1e-45f, 0.3465736f, -0.3465736f, 0.6931472f,
};

static float gen_special(struct src *s)
{
    uint32_t sign = (take8(s) & 1u) << 31;
    switch (take8(s) % 8) {
    case 0:  return from_bits(sign | 0x7fc00000u | (take32(s) & 0x3fffffu)); /* qNaN */
    case 1:  return from_bits(sign | 0x7f800001u | (take32(s) & 0x3fffffu)); /* sNaN */
    case 2:  return sign ? -INFINITY : INFINITY;
    case 3:  return from_bits(sign | (take32(s) & 0x7fffffu));    /* subnormal or 0 */
    case 4:  return from_bits(sign | (uint32_t)(240 + take8(s) % 15) << 23 |
                              (take32(s) & 0x7fffffu));          /* 2^113 .. FLT_MAX */
    case 5:  return from_bits(sign);                              /* +-0 */
    case 6:  return from_bits(take32(s));                         /* anything */
    default: {                                                    /* an edge, +-k ULP */
        float e = edges[take8(s) % (sizeof edges / sizeof edges[0])];
        int steps = (int)(take8(s) % 9) - 4;
        uint32_t u = bits_of(e);
        return from_bits(e == 0.0f ? u : u + (uint32_t)steps);
    }
    }
}

static float gen_value(struct src *s, const struct gen *g)
{
    if (take8(s) < g->special)
        return gen_special(s);
    int16_t t = (int16_t)take16(s);
    return g->base + g->spread * ((float)t * 0x1p-12f);
}

static void gen_setup(struct src *s, struct gen *g)
{
    static const unsigned special[8] = { 0, 0, 0, 1, 4, 16, 64, 255 };
    static const float base[16] = { 0, 1, -1, 20, -50, 100, -100, 255.5f, -255.5f, 256,
                                    -300, 1e4f, -1e6f, 3e38f, -90, 88 };
    static const float spread[16] = { 0, 1e-6f, 1e-3f, 0.1f, 1, 2, 4, 8, 16, 32, 64, 128,
                                      1000, 1e6f, 1e20f, 1e37f };
    g->special = special[take8(s) % 8];
    g->base = base[take8(s) % 16];
    g->spread = spread[take8(s) % 16];
}

enum op { OP_EXP, OP_SUM, OP_MAX, OP_ARGMAX, OP_LOGSUMEXP, OP_SOFTMAX, OP_LOG_SOFTMAX,
          OP_ALL_1D, OP_SOFTMAX_ROWS, OP_LOG_SOFTMAX_ROWS, OP_XENT, OP_COUNT };

static const char *const op_names[OP_COUNT] = {
    "exp", "sum", "max", "argmax", "logsumexp", "softmax", "log_softmax", "all_1d",
    "softmax_rows", "log_softmax_rows", "cross_entropy",
};

/* NULL pointers passed instead of the buffers. */
enum { NULL_X = 1, NULL_Y = 2, NULL_LABELS = 4, NULL_LOSS = 8 };

struct fcase {
    int op;
    size_t n, rows;
    size_t ldx, ldy;          /* ldy is ldg for cross-entropy */
    unsigned mis_x, mis_y;    /* misalignment in floats from a 64-byte boundary */
    unsigned nulls;
    int32_t labels[MAX_ROWS];
    float *x;                 /* the input, laid out with ldx; padding holds CANARY NaNs */
    size_t x_len;
};

/* Leading dimension: dense, padded, too small (EINVAL), or huge (rows * ld overflows). */
static size_t gen_ld(struct src *s, size_t n, size_t rows)
{
    uint8_t c = take8(s);
    if (c < 150)
        return n;
    if (c < 220)
        return n + 1 + c % 17;
    if (c < 240)
        return n ? n - 1 - (c % 3) % n : 0;
    size_t lim = SIZE_MAX / sizeof(float);
    switch (c % 4) {
    case 0:  return SIZE_MAX;
    case 1:  return lim;
    case 2:  return lim - n + 1;
    default: return (lim - n) / (rows > 1 ? rows - 1 : 1) + 1; /* just past the limit */
    }
}

static int32_t gen_label(struct src *s, size_t n)
{
    uint8_t c = take8(s);
    if (c < 212)
        return n ? (int32_t)(take16(s) % n) : -1;
    switch (c % 8) {
    case 0:  return -1;
    case 1:  return -(int32_t)(2 + take8(s));
    case 2:  return INT32_MIN;
    case 3:  return (int32_t)n;                      /* EINVAL */
    case 4:  return (int32_t)n + 1 + take8(s);       /* EINVAL */
    case 5:  return INT32_MAX;                       /* EINVAL */
    case 6:  return n ? (int32_t)n - 1 : -1;
    default: return 0;                               /* EINVAL when n == 0 */
    }
}

/* rows x n with leading dimension ld: does the end fit (in bytes, as the library checks),
 * and how many floats span it.  0 when it does not fit. */
static int extent(size_t rows, size_t n, size_t ld, size_t *len)
{
    if (rows == 0) {
        *len = 0;
        return 1;
    }
    unsigned __int128 e = (unsigned __int128)(rows - 1) * ld + n;
    if (e > SIZE_MAX / sizeof(float))
        return 0;
    *len = (size_t)e;
    return 1;
}

/* ---- guarded buffers ---------------------------------------------------------------- */

/* [lead floats][len floats: the array][tail floats], 64-byte aligned base, everything
 * outside the array CANARY.  snap keeps the whole allocation as it was before the call. */
struct region {
    float *base, *snap;
    size_t lead, len, total;
};

static float *region_new(struct region *r, size_t lead, size_t len, size_t tail)
{
    r->lead = lead;
    r->len = len;
    r->total = lead + len + tail;
    void *p = NULL;
    if (posix_memalign(&p, 64, (r->total ? r->total : 1) * sizeof(float)) != 0)
        abort();
    r->base = p;
    r->snap = malloc((r->total ? r->total : 1) * sizeof(float));
    if (!r->snap)
        abort();
    for (size_t i = 0; i < r->total; i++)
        r->base[i] = from_bits(CANARY);
    return r->base + lead;
}

static void region_snap(struct region *r)
{
    memcpy(r->snap, r->base, r->total * sizeof(float));
}

/* Every float outside the rows [r*ld, r*ld + n) (all of them unless written) must be as
 * it was before the call. */
static void region_check(const struct region *r, const char *what, size_t n, size_t ld,
                         int written)
{
    for (size_t i = 0; i < r->total; i++) {
        int inside = written && n && i >= r->lead && i < r->lead + r->len &&
                     (i - r->lead) % ld < n;
        if (!inside && bits_of(r->base[i]) != bits_of(r->snap[i]))
            fail("%s: float %td (relative to the array) changed from 0x%08x to 0x%08x, outside "
                 "what the call may write (n=%zu ld=%zu written=%d)",
                 what, (ptrdiff_t)i - (ptrdiff_t)r->lead, bits_of(r->snap[i]),
                 bits_of(r->base[i]), n, ld, written);
    }
}

static void region_free(struct region *r)
{
    free(r->base);
    free(r->snap);
}

/* An input array: tight on the right, so ASan sees any read past the end. */
static float *input_new(struct region *r, unsigned mis, const float *src, size_t len)
{
    float *p = region_new(r, mis, len, 0);
    if (len)
        memcpy(p, src, len * sizeof(float));
    region_snap(r);
    return p;
}

/* An output array (or an in-place one): guarded both sides, initialised from src or CANARY. */
static float *output_new(struct region *r, unsigned mis, const float *src, size_t len)
{
    float *p = region_new(r, GUARD + mis, len, GUARD);
    if (src && len)
        memcpy(p, src, len * sizeof(float));
    region_snap(r);
    return p;
}

/* ---- the long double reference ------------------------------------------------------ */

/* Spacing of floats at |v|: 2^-149 below FLT_MIN, and above FLT_MAX as if the exponent
 * went on (so that +-inf can stand for +-2^128, the float after FLT_MAX). */
static long double ulp_of(long double v)
{
    v = fabsl(v);
    if (v < FLT_MIN)
        return 0x1p-149L;
    return ldexpl(1.0L, ilogbl(v) - 23);
}

/* |got - ref| in ULP of max(floor, |ref|); 0 when NaN and infinities match exactly, and
 * +inf when they do not. */
static long double ulp_err(float got, long double ref, long double floor)
{
    if (isnan(ref))
        return isnan(got) ? 0.0L : INFINITY;
    if (isinf(ref))
        return isinf(got) && (got > 0) == (ref > 0) ? 0.0L : INFINITY;
    if (isnan(got))
        return INFINITY;
    if (fabsl(ref) > FLT_MAX && isinf(got) && (got > 0) == (ref > 0))
        return 0.0L; /* overflowed as the reference does */
    long double g = isinf(got) ? copysignl(0x1p128L, got) : (long double)got;
    return fabsl(g - ref) / ulp_of(fmaxl(fabsl(ref), floor));
}

/* Softmax-type outputs (softmax, the gradient): 4 ULP of the exact value; an exact value
 * below FLT_MIN is outside the contract, and may come out as 0 (flushed, as the SSE2 and
 * AVX2 softmax do) or as a subnormal within 4 steps of 2^-149. */
static long double prob_err(float got, long double want)
{
    if (fabsl(want) < FLT_MIN && got == 0.0f)
        return 0.0L;
    return ulp_err(got, want, 0);
}

enum row_class { ROW_FINITE, ROW_MASKED, ROW_NAN, ROW_POSINF };
static const char *const class_names[] = { "finite", "masked", "NaN", "+inf" };

struct row_ref {
    int cls;
    long double m, s, lse; /* max, sum of e^(x - m), logsumexp */
};

/* The reference of the current case, computed once and shared by every ISA: per row its
 * class, max, sum and each e^(x_k - m); for the one-row operations also e^x_k's two
 * neighbouring floats (a faithful exp must return one of them). */
static struct {
    struct row_ref row[MAX_ROWS];
    long double e[MAX_ROWS][MAX_N];
    float exp_lo[MAX_N], exp_hi[MAX_N];
} ref;

static void ref_row(const float *x, size_t n, struct row_ref *r, long double *e)
{
    *r = (struct row_ref){ ROW_MASKED, -INFINITY, 0.0L, -INFINITY };
    int nan = 0, pinf = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            nan = 1;
        else if (x[k] == INFINITY)
            pinf = 1;
        else if (x[k] > r->m)
            r->m = x[k];
    }
    if (nan || pinf) {
        r->cls = nan ? ROW_NAN : ROW_POSINF;
        r->lse = nan ? NAN : INFINITY;
        return;
    }
    if (r->m == -INFINITY)
        return; /* fully masked (or n == 0) */
    r->cls = ROW_FINITE;
    for (size_t k = 0; k < n; k++)
        r->s += e[k] = expl((long double)x[k] - r->m);
    r->lse = r->m + logl(r->s);
}

static void ref_exp(const float *x, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        long double e = expl((long double)x[k]);
        float f = (float)e, lo = f, hi = f;
        if ((long double)f > e)
            lo = nextafterf(f, -INFINITY);
        else if ((long double)f < e)
            hi = nextafterf(f, INFINITY);
        ref.exp_lo[k] = lo;
        ref.exp_hi[k] = hi;
    }
}

/* ---- error statistics (SMX_FUZZ_STATS=1 prints them at exit) ----------------------- */

enum stat { ST_SUM, ST_LSE, ST_SOFTMAX, ST_SOFTMAX_SUM, ST_LOG_SOFTMAX, ST_CE_LOSS,
            ST_CE_GRAD, ST_COUNT };
static const char *const stat_names[ST_COUNT] = {
    "sum (fraction of bound)", "logsumexp (ULP of max(1,|y|))", "softmax (ULP)",
    "softmax |sum - 1|", "log_softmax (ULP of max(1,|y|))", "cross-entropy loss (relative)",
    "cross-entropy grad (ULP)",
};
static long double max_err[SMX_ISA_NEON + 1][ST_COUNT];
static unsigned long long case_count[SMX_ISA_NEON + 1];
static smx_isa cur_isa;

static void note(enum stat st, long double err)
{
    if (err > max_err[cur_isa][st])
        max_err[cur_isa][st] = err;
}

static void print_stats(void)
{
    for (int isa = 0; isa <= SMX_ISA_NEON; isa++) {
        if (!case_count[isa])
            continue;
        fprintf(stderr, "fuzz_smx: %s, %llu cases, largest error seen:\n", smx_isa_name(isa),
                case_count[isa]);
        for (int st = 0; st < ST_COUNT; st++)
            fprintf(stderr, "  %-34s %.3Lg\n", stat_names[st], max_err[isa][st]);
    }
}

/* ---- checks of one result against the reference ------------------------------------ */

static void check_exp(const float *x, const float *y, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        float xv = x[k], got = y[k];
        int ok;
        if (isnan(xv))
            ok = isnan(got);
        else if (xv <= -104.0f)
            ok = bits_of(got) == 0; /* +0 */
        else if (xv > 88.7228394f)
            ok = got == INFINITY;
        else /* faithful: one of the two floats around e^x */
            ok = !signbit(got) && (got == ref.exp_lo[k] || got == ref.exp_hi[k]);
        if (!ok)
            fail("exp: y[%zu] = %a (0x%08x) for x = %a (0x%08x); exp(x) = %.21Lg", k, got,
                 bits_of(got), xv, bits_of(xv), expl((long double)xv));
    }
}

static void check_sum(const float *x, size_t n, float got)
{
    int nan = 0, pinf = 0, ninf = 0;
    long double s = 0.0L, a = 0.0L;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            nan = 1;
        else if (isinf(x[k]))
            *(x[k] > 0 ? &pinf : &ninf) = 1;
        else {
            s += x[k];
            a += fabsl(x[k]);
        }
    }
    int ok;
    long double bound = 0.0L;
    if (nan || (pinf && ninf))
        ok = isnan(got);
    else if (pinf || ninf)
        ok = got == (pinf ? INFINITY : -INFINITY);
    else if (n == 0)
        ok = bits_of(got) == 0;
    else if (isnan(got))
        ok = 0;
    else if (fabsl(s) > FLT_MAX && isinf(got) && (got > 0) == (s > 0))
        ok = 1; /* the exact sum overflows too */
    else {
        bound = (4.0L + 2.0L * log2l((long double)n)) * 0x1p-24L * a;
        long double g = isinf(got) ? copysignl(0x1p128L, got) : (long double)got;
        ok = fabsl(g - s) <= bound;
        if (bound > 0)
            note(ST_SUM, fabsl(g - s) / bound);
    }
    if (!ok)
        fail("sum: got %a (%.9g), exact %.21Lg, bound %.3Lg (sum|x| %.9Lg), nan=%d +inf=%d "
             "-inf=%d", got, got, s, bound, a, nan, pinf, ninf);
}

static void check_max(const float *x, size_t n, float got)
{
    int nan = 0;
    float m = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            nan = 1;
        else if (x[k] > m)
            m = x[k];
    }
    if (nan ? !isnan(got) : (isnan(got) || got != m))
        fail("max: got %a, expected %a (NaN in row: %d)", got, m, nan);
}

static void check_argmax(const float *x, size_t n, int64_t got)
{
    int64_t want = -1;
    float m = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k])) {
            want = (int64_t)k;
            break;
        }
        if (want < 0 || x[k] > m) {
            want = (int64_t)k;
            m = x[k];
        }
    }
    if (got != want)
        fail("argmax: got %lld, expected %lld (x[got] = %a)", (long long)got, (long long)want,
             got >= 0 && (size_t)got < n ? x[got] : 0.0f);
}

static void check_logsumexp(float got)
{
    const struct row_ref *r = &ref.row[0];
    long double err = ulp_err(got, r->lse, 1);
    note(ST_LSE, err);
    if (!(err <= 4))
        fail("logsumexp: got %a (%.9g), reference %.21Lg, row %s, error %.3Lg ULP", got, got,
             r->lse, class_names[r->cls], err);
}

/* One softmax row: 4 ULP of the exact value per output, sum within 1e-6 of 1. */
static void check_softmax_row(const float *x, const float *y, size_t n, size_t row)
{
    const struct row_ref *r = &ref.row[row];
    long double total = 0.0L;
    for (size_t k = 0; k < n; k++) {
        long double want, err;
        switch (r->cls) {
        case ROW_FINITE:
            want = ref.e[row][k] / r->s;
            err = prob_err(y[k], want);
            total += y[k];
            break;
        case ROW_MASKED:
            want = 0.0L;
            err = bits_of(y[k]) == 0 ? 0.0L : INFINITY;
            break;
        default:
            want = NAN;
            err = isnan(y[k]) ? 0.0L : INFINITY;
        }
        note(ST_SOFTMAX, err);
        if (!(err <= 4))
            fail("softmax: row %zu y[%zu] = %a (%.9g), reference %.21Lg (%.3Lg ULP), x = %a, "
                 "row %s, max %a", row, k, y[k], y[k], want, err, x[k], class_names[r->cls],
                 (float)r->m);
    }
    if (r->cls == ROW_FINITE) {
        note(ST_SOFTMAX_SUM, fabsl(total - 1.0L));
        if (fabsl(total - 1.0L) > 1e-6L)
            fail("softmax: row %zu sums to 1 + %.3Lg", row, total - 1.0L);
    }
}

static void check_log_softmax_row(const float *x, const float *y, size_t n, size_t row)
{
    const struct row_ref *r = &ref.row[row];
    for (size_t k = 0; k < n; k++) {
        long double want, err;
        switch (r->cls) {
        case ROW_FINITE:
            want = ((long double)x[k] - r->m) - logl(r->s);
            err = ulp_err(y[k], want, 1);
            break;
        case ROW_MASKED:
            want = -INFINITY;
            err = y[k] == -INFINITY ? 0.0L : INFINITY;
            break;
        default:
            want = NAN;
            err = isnan(y[k]) ? 0.0L : INFINITY;
        }
        note(ST_LOG_SOFTMAX, err);
        if (!(err <= 4))
            fail("log_softmax: row %zu y[%zu] = %a (%.9g), reference %.21Lg (%.3Lg ULP of "
                 "max(1,|y|)), x = %a, row %s, max %a", row, k, y[k], y[k], want, err, x[k],
                 class_names[r->cls], (float)r->m);
    }
}

/* Cross-entropy: loss relative error <= 1e-6 (plus a few subnormal steps: a loss below
 * FLT_MIN cannot be relative-accurate in float), gradient 4 ULP as softmax.  z is the
 * original input (the case's copy), laid out with ldl. */
static void check_xent(const float *z, size_t ldl, const int32_t *labels, size_t rows,
                       size_t n, float loss, const float *g, size_t ldg)
{
    size_t counted = 0;
    for (size_t i = 0; i < rows; i++)
        counted += labels[i] >= 0;
    long double total = 0.0L;
    for (size_t i = 0; i < rows; i++) {
        const float *x = z + i * ldl;
        const float *gr = g ? g + i * ldg : NULL;
        if (labels[i] < 0) {
            for (size_t k = 0; gr && k < n; k++)
                if (gr[k] != 0.0f)
                    fail("cross_entropy: ignored row %zu grad[%zu] = %a, expected 0", i, k, gr[k]);
            continue;
        }
        size_t label = (size_t)labels[i];
        const struct row_ref *r = &ref.row[i];
        const long double *e = ref.e[i];
        long double row_loss, others = 0.0L;
        if (r->cls == ROW_FINITE) {
            /* Confident rows: loss = log1p(others / e_label), p_label - 1 = -others / s,
             * with the label's term kept out of `others` (no cancellation). */
            for (size_t k = 0; k < n; k++)
                others += k == label ? 0.0L : e[k];
            row_loss = e[label] > 0x1p-1000L ? log1pl(others / e[label])
                                             : r->lse - (long double)x[label];
        } else {
            row_loss = r->cls == ROW_MASKED ? INFINITY : NAN;
        }
        total += row_loss;
        for (size_t k = 0; gr && k < n; k++) {
            long double want, err;
            switch (r->cls) {
            case ROW_FINITE:
                want = k == label ? -others / (e[label] + others) : e[k] / r->s;
                break;
            case ROW_MASKED:
                want = k == label ? -1.0L : 0.0L;
                break;
            default:
                want = NAN;
            }
            want /= (long double)counted;
            if (r->cls == ROW_MASKED && k != label)
                err = gr[k] == 0.0f ? 0.0L : INFINITY;
            else
                err = prob_err(gr[k], want);
            note(ST_CE_GRAD, err);
            if (!(err <= 4))
                fail("cross_entropy: row %zu (label %zu, %s) grad[%zu] = %a (%.9g), reference "
                     "%.21Lg (%.3Lg ULP), x = %a", i, label, class_names[r->cls], k, gr[k],
                     gr[k], want, err, x[k]);
        }
    }
    long double want = counted ? total / (long double)counted : 0.0L;
    int ok;
    if (counted == 0)
        ok = bits_of(loss) == 0;
    else if (isnan(want) || isinf(want))
        ok = ulp_err(loss, want, 0) == 0;
    else if (isnan(loss))
        ok = 0;
    else if (want > FLT_MAX)
        ok = loss == INFINITY || fabsl((long double)loss - want) <= 1e-6L * want;
    else {
        long double rel = want > 0 ? fabsl((long double)loss - want) / want : 0.0L;
        if (want >= FLT_MIN)
            note(ST_CE_LOSS, rel);
        ok = fabsl((long double)loss - want) <= 1e-6L * want + 0x1p-147L;
    }
    if (!ok)
        fail("cross_entropy: loss %a (%.9g), reference %.21Lg (relative error %.3Lg), "
             "counted %zu of %zu rows", loss, loss, want,
             fabsl((long double)loss - want) / want, counted, rows);
}

/* ---- running one case on one ISA ---------------------------------------------------- */

static int isa_has_fma(smx_isa isa)
{
    return isa == SMX_ISA_AVX2 || isa == SMX_ISA_AVX512;
}

/* What the scalar reference ISA produced, for the cross-ISA checks. */
static struct {
    float exp[MAX_N];
    float max;
} scalar_out;

typedef void (*map_fn)(const float *x, float *y, size_t n);

/* exp, softmax, log-softmax: out of place, then in place; same bits. */
static void run_map(const struct fcase *c, int op, smx_isa isa)
{
    static const map_fn fns[] = { [OP_EXP] = smx_exp_f32, [OP_SOFTMAX] = smx_softmax_f32,
                                  [OP_LOG_SOFTMAX] = smx_log_softmax_f32 };
    size_t n = c->n;
    struct region rx, ry, rz;
    float *x = input_new(&rx, c->mis_x, c->x, n);
    float *y = output_new(&ry, c->mis_y, NULL, n);
    float *z = output_new(&rz, c->mis_x, c->x, n);
    int nulls = n == 0 && c->nulls; /* n == 0: NULL pointers are fine */

    fns[op](nulls ? NULL : x, nulls ? NULL : y, n);
    region_check(&rx, "x (input)", n, n, 0);
    region_check(&ry, "y", n, n, 1);
    if (op == OP_EXP)
        check_exp(c->x, y, n);
    else if (op == OP_SOFTMAX)
        check_softmax_row(c->x, y, n, 0);
    else
        check_log_softmax_row(c->x, y, n, 0);

    fns[op](z, z, n);
    region_check(&rz, "y (in place)", n, n, 1);
    for (size_t k = 0; k < n; k++)
        if (bits_of(z[k]) != bits_of(y[k]))
            fail("%s: in place y[%zu] = %a, out of place %a (x = %a)", op_names[op], k, z[k],
                 y[k], c->x[k]);

    if (op == OP_EXP) {
        if (isa == SMX_ISA_SCALAR)
            memcpy(scalar_out.exp, y, n * sizeof(float));
        else if (isa_has_fma(isa))
            for (size_t k = 0; k < n; k++)
                if (bits_of(y[k]) != bits_of(scalar_out.exp[k]))
                    fail("exp: y[%zu] = %a here, %a on scalar (x = %a): the FMA ISAs must match "
                         "scalar bit for bit", k, y[k], scalar_out.exp[k], c->x[k]);
    }
    region_free(&rx);
    region_free(&ry);
    region_free(&rz);
}

static void run_reduce(const struct fcase *c, int op, smx_isa isa)
{
    size_t n = c->n;
    struct region rx;
    float *x = input_new(&rx, c->mis_x, c->x, n);
    if (n == 0 && c->nulls)
        x = NULL;
    switch (op) {
    case OP_SUM:
        check_sum(c->x, n, smx_sum_f32(x, n));
        break;
    case OP_MAX: {
        float m = smx_max_f32(x, n);
        check_max(c->x, n, m);
        if (isa == SMX_ISA_SCALAR)
            scalar_out.max = m;
        else if (bits_of(m) != bits_of(scalar_out.max) && !(m == 0.0f && scalar_out.max == 0.0f)
                 && !(isnan(m) && isnan(scalar_out.max)))
            fail("max: %a here, %a on scalar", m, scalar_out.max);
        break;
    }
    case OP_ARGMAX:
        check_argmax(c->x, n, smx_argmax_f32(x, n)); /* exact, so equal on every ISA */
        break;
    default:
        check_logsumexp(smx_logsumexp_f32(x, n));
    }
    region_check(&rx, "x (input)", n, n, 0);
    region_free(&rx);
}

/* softmax_rows / log_softmax_rows, out of place (ldx, ldy) and in place (ldx, ldx). */
static smx_status rows_expected(const struct fcase *c, size_t ldy, int null_x, int null_y)
{
    size_t len;
    if (c->ldx < c->n || ldy < c->n)
        return SMX_EINVAL;
    if (c->rows && c->n && (null_x || null_y))
        return SMX_EINVAL;
    if (!extent(c->rows, c->n, c->ldx, &len) || !extent(c->rows, c->n, ldy, &len))
        return SMX_EINVAL;
    return SMX_OK;
}

static void run_rows(const struct fcase *c, int op, size_t y_len)
{
    smx_status (*fn)(const float *, size_t, float *, size_t, size_t, size_t) =
        op == OP_SOFTMAX_ROWS ? smx_softmax_rows_f32 : smx_log_softmax_rows_f32;
    size_t n = c->n, rows = c->rows;
    int null_x = !!(c->nulls & NULL_X), null_y = !!(c->nulls & NULL_Y);
    struct region rx, ry, rz;
    float *x = input_new(&rx, c->mis_x, c->x, c->x_len);
    float *y = output_new(&ry, c->mis_y, NULL, y_len);
    float *z = output_new(&rz, c->mis_x, c->x, c->x_len);

    smx_status want = rows_expected(c, c->ldy, null_x, null_y);
    smx_status got = fn(null_x ? NULL : x, c->ldx, null_y ? NULL : y, c->ldy, rows, n);
    if (got != want)
        fail("%s: returned %d, expected %d", op_names[op], got, want);
    region_check(&rx, "x (input)", n, c->ldx, 0);
    region_check(&ry, "y", n, c->ldy, got == SMX_OK);
    if (got == SMX_OK)
        for (size_t r = 0; r < rows && n; r++) {
            if (op == OP_SOFTMAX_ROWS)
                check_softmax_row(c->x + r * c->ldx, y + r * c->ldy, n, r);
            else
                check_log_softmax_row(c->x + r * c->ldx, y + r * c->ldy, n, r);
        }

    smx_status want_z = rows_expected(c, c->ldx, null_x, null_x);
    smx_status got_z = fn(null_x ? NULL : z, c->ldx, null_x ? NULL : z, c->ldx, rows, n);
    if (got_z != want_z)
        fail("%s in place: returned %d, expected %d", op_names[op], got_z, want_z);
    region_check(&rz, "x = y (in place)", n, c->ldx, got_z == SMX_OK);
    if (got == SMX_OK && got_z == SMX_OK)
        for (size_t r = 0; r < rows; r++)
            for (size_t k = 0; k < n; k++)
                if (bits_of(z[r * c->ldx + k]) != bits_of(y[r * c->ldy + k]))
                    fail("%s: row %zu in place y[%zu] = %a, out of place %a", op_names[op], r, k,
                         z[r * c->ldx + k], y[r * c->ldy + k]);
    region_free(&rx);
    region_free(&ry);
    region_free(&rz);
}

enum { XENT_NOGRAD, XENT_GRAD, XENT_ALIAS };

/* 1: SMX_OK expected, 0: SMX_EINVAL, 2: either (NULL logits with n == 0, rows > 0: the
 * header says EINVAL, DESIGN.md says NULL is fine when n == 0). */
static int xent_expected(const struct fcase *c, int have_grad, size_t ldg)
{
    size_t len;
    if (c->rows == 0)
        return 1;
    if ((c->nulls & (NULL_LABELS | NULL_LOSS)) || c->ldx < c->n || !extent(c->rows, c->n, c->ldx, &len))
        return 0;
    if (have_grad && (ldg < c->n || !extent(c->rows, c->n, ldg, &len)))
        return 0;
    for (size_t i = 0; i < c->rows; i++)
        if (c->labels[i] >= 0 && (size_t)c->labels[i] >= c->n)
            return 0;
    if (c->nulls & NULL_X)
        return c->n ? 0 : 2;
    return 1;
}

struct xent_out {
    smx_status status;
    float loss;
};

static struct xent_out run_xent_variant(const struct fcase *c, int variant, size_t g_len,
                                        float *grad_copy)
{
    size_t n = c->n, rows = c->rows;
    int null_logits = !!(c->nulls & NULL_X);
    struct region rz, rl, rg;
    float *z = variant == XENT_ALIAS ? output_new(&rz, c->mis_x, c->x, c->x_len)
                                     : input_new(&rz, c->mis_x, c->x, c->x_len);
    float *loss = output_new(&rl, 0, NULL, 1);
    float *g = NULL;
    size_t ldg = c->ldx;
    if (variant == XENT_GRAD) {
        g = output_new(&rg, c->mis_y, NULL, g_len);
        ldg = c->ldy;
    } else if (variant == XENT_ALIAS && !null_logits) {
        g = z;
    }
    /* Labels: tight on the right like every input. */
    int32_t *labels = NULL;
    if (rows) {
        void *p = NULL;
        if (posix_memalign(&p, 64, rows * sizeof(int32_t)) != 0)
            abort();
        labels = p;
        memcpy(labels, c->labels, rows * sizeof(int32_t));
    }

    int want = xent_expected(c, g != NULL, ldg);
    smx_status st = smx_cross_entropy_f32(null_logits ? NULL : z, c->ldx,
                                          (c->nulls & NULL_LABELS) ? NULL : labels, rows, n,
                                          (c->nulls & NULL_LOSS) ? NULL : loss, g, ldg);
    static const char *const vname[] = { "no grad", "grad", "grad = logits" };
    if ((want == 1 && st != SMX_OK) || (want == 0 && st != SMX_EINVAL) ||
        (st != SMX_OK && st != SMX_EINVAL))
        fail("cross_entropy (%s): returned %d, expected %s", vname[variant], st,
             want == 1 ? "SMX_OK" : want == 0 ? "SMX_EINVAL" : "SMX_OK or SMX_EINVAL");
    int ok = st == SMX_OK;
    if (rows && memcmp(labels, c->labels, rows * sizeof(int32_t)) != 0)
        fail("cross_entropy (%s): labels changed", vname[variant]);
    region_check(&rz, variant == XENT_ALIAS ? "logits = grad" : "logits (input)", n, c->ldx,
                 ok && g == z);
    region_check(&rl, "loss", 1, 1, ok && !(c->nulls & NULL_LOSS));
    if (variant == XENT_GRAD)
        region_check(&rg, "grad", n, ldg, ok);
    if (ok && !(c->nulls & NULL_LOSS))
        check_xent(c->x, c->ldx, c->labels, rows, n, *loss, g, ldg);
    if (ok && g && grad_copy)
        for (size_t r = 0; r < rows; r++)
            memcpy(grad_copy + r * n, g + r * ldg, n * sizeof(float));

    struct xent_out out = { st, *loss };
    region_free(&rz);
    region_free(&rl);
    if (variant == XENT_GRAD)
        region_free(&rg);
    free(labels);
    return out;
}

static void run_xent(const struct fcase *c, size_t g_len)
{
    static float g1[MAX_ROWS * MAX_N], g2[MAX_ROWS * MAX_N];
    struct xent_out a = run_xent_variant(c, XENT_NOGRAD, 0, NULL);
    struct xent_out b = run_xent_variant(c, XENT_GRAD, g_len, g1);
    struct xent_out d = run_xent_variant(c, XENT_ALIAS, 0, g2);
    if (c->nulls & NULL_LOSS)
        return;
    /* Same inputs, same ISA: the same loss whether or not a gradient is asked for. */
    if (a.status == SMX_OK && b.status == SMX_OK && bits_of(a.loss) != bits_of(b.loss))
        fail("cross_entropy: loss %a without grad, %a with grad", a.loss, b.loss);
    if (a.status == SMX_OK && d.status == SMX_OK && bits_of(a.loss) != bits_of(d.loss))
        fail("cross_entropy: loss %a without grad, %a with grad = logits", a.loss, d.loss);
    if (b.status == SMX_OK && d.status == SMX_OK && !(c->nulls & NULL_X))
        for (size_t k = 0; k < c->rows * c->n; k++)
            if (bits_of(g1[k]) != bits_of(g2[k]))
                fail("cross_entropy: grad row %zu [%zu] = %a into logits, %a separately",
                     k / c->n, k % c->n, g2[k], g1[k]);
}

/* ---- decoding a case and running it everywhere -------------------------------------- */

static void dump_case(const struct fcase *c)
{
    fprintf(stderr, "case: op=%s n=%zu rows=%zu ldx=%zu ldy=%zu mis=%u/%u nulls=%#x labels=",
            op_names[c->op], c->n, c->rows, c->ldx, c->ldy, c->mis_x, c->mis_y, c->nulls);
    for (size_t i = 0; i < c->rows && c->op == OP_XENT; i++)
        fprintf(stderr, "%d%s", c->labels[i], i + 1 < c->rows ? "," : "");
    fprintf(stderr, "\nx (%zu floats):", c->x_len);
    for (size_t i = 0; i < c->x_len; i++)
        fprintf(stderr, "%s%a", i % 8 ? " " : "\n  ", c->x[i]);
    fputc('\n', stderr);
}

/* Once: the dispatch API itself. */
static void check_dispatch_api(void)
{
    smx_isa active = smx_active_isa();
    if (!smx_isa_supported(SMX_ISA_SCALAR) || !smx_isa_supported(active))
        fail("scalar or the active ISA (%d) reported unsupported", active);
    for (int isa = -1; isa <= SMX_ISA_NEON + 1; isa++) {
        const char *name = smx_isa_name((smx_isa)isa);
        int in_range = isa >= 0 && isa <= SMX_ISA_NEON;
        if (!in_range != !name)
            fail("smx_isa_name(%d) = %s", isa, name ? name : "NULL");
        if (!smx_isa_supported((smx_isa)isa)) {
            if (smx_use_isa((smx_isa)isa) != SMX_EUNSUPPORTED || smx_active_isa() != active)
                fail("smx_use_isa(unsupported %d) did not return SMX_EUNSUPPORTED unchanged", isa);
        }
    }
}

static smx_isa best_isa;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *v = getenv("SMX_FUZZ_VERBOSE");
    verbose = v && *v == '1';
    const char *st = getenv("SMX_FUZZ_STATS");
    if (st && *st == '1')
        atexit(print_stats);
    best_isa = smx_active_isa();
    snprintf(ctx, sizeof ctx, "init");
    check_dispatch_api();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Seed for the bytes past the end: FNV-1a over the whole input. */
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3u;
    struct src s = { data, size, h };

    struct fcase c;
    memset(&c, 0, sizeof c);
    c.op = take8(&s) % OP_COUNT;
    uint8_t nk = take8(&s);
    static const size_t sizes[] = { 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255,
                                    256, 257, 511, 512, 513, 600, 1 };
    if (nk < 128)
        c.n = nk % 40;
    else if (nk < 192)
        c.n = take16(&s) % (MAX_N + 1);
    else
        c.n = sizes[nk % (sizeof sizes / sizeof sizes[0])];
    int rows_op = c.op >= OP_SOFTMAX_ROWS;
    c.rows = rows_op ? take8(&s) % (MAX_ROWS + 1) : 1;
    c.ldx = rows_op ? gen_ld(&s, c.n, c.rows) : c.n;
    c.ldy = rows_op ? gen_ld(&s, c.n, c.rows) : c.n;
    c.mis_x = take8(&s) % 16;
    c.mis_y = take8(&s) % 16;
    uint8_t nb = take8(&s);
    c.nulls = nb >= 236 ? (nb & 15u) : 0;
    if (!rows_op && c.n && c.nulls)
        c.nulls = 0; /* the single-row functions take no NULL with n > 0 */
    for (size_t i = 0; i < c.rows && rows_op; i++)
        c.labels[i] = gen_label(&s, c.n);
    struct gen g;
    gen_setup(&s, &g);

    /* Layouts: an extent past the limit is an EINVAL case; it gets n floats, which the
     * library must not touch.  A fitting extent too large to allocate is skipped. */
    size_t x_len, y_len;
    int x_fits = extent(c.rows, c.n, c.ldx, &x_len);
    int y_fits = extent(c.rows, c.n, c.ldy, &y_len);
    if (!x_fits)
        x_len = c.n;
    if (!y_fits)
        y_len = c.n;
    if (x_len > MAX_ROWS * (size_t)(MAX_N + 20) || y_len > MAX_ROWS * (size_t)(MAX_N + 20))
        return 0;
    c.x_len = x_len;
    c.x = malloc((x_len ? x_len : 1) * sizeof(float));
    if (!c.x)
        abort();
    for (size_t i = 0; i < x_len; i++) {
        size_t col = c.ldx ? i % c.ldx : i;
        c.x[i] = col < c.n ? gen_value(&s, &g) : from_bits(CANARY);
    }
    if (verbose)
        dump_case(&c);
    if (x_fits)
        for (size_t r = 0; r < c.rows; r++)
            ref_row(c.x + r * c.ldx, c.n, &ref.row[r], ref.e[r]);
    if (!rows_op)
        ref_exp(c.x, c.n);

    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
        if (!smx_isa_supported((smx_isa)isa))
            continue;
        if (smx_use_isa((smx_isa)isa) != SMX_OK || smx_active_isa() != (smx_isa)isa)
            fail("smx_use_isa(%d) did not pin it", isa);
        cur_isa = (smx_isa)isa;
        case_count[isa]++;
        snprintf(ctx, sizeof ctx, "op=%s isa=%s n=%zu rows=%zu ldx=%zu ldy=%zu mis=%u/%u nulls=%#x",
                 op_names[c.op], smx_isa_name((smx_isa)isa), c.n, c.rows, c.ldx, c.ldy,
                 c.mis_x, c.mis_y, c.nulls);
        switch (c.op) {
        case OP_EXP: case OP_SOFTMAX: case OP_LOG_SOFTMAX:
            run_map(&c, c.op, (smx_isa)isa);
            break;
        case OP_SUM: case OP_MAX: case OP_ARGMAX: case OP_LOGSUMEXP:
            run_reduce(&c, c.op, (smx_isa)isa);
            break;
        case OP_ALL_1D:
            for (int op = OP_EXP; op < OP_ALL_1D; op++) {
                if (op == OP_EXP || op == OP_SOFTMAX || op == OP_LOG_SOFTMAX)
                    run_map(&c, op, (smx_isa)isa);
                else
                    run_reduce(&c, op, (smx_isa)isa);
            }
            break;
        case OP_SOFTMAX_ROWS: case OP_LOG_SOFTMAX_ROWS:
            run_rows(&c, c.op, y_len);
            break;
        default:
            run_xent(&c, y_len);
        }
    }
    smx_use_isa(best_isa);
    free(c.x);
    return 0;
}
