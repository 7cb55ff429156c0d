/* References in double (long double where it matters) and the checkers that assert the
 * accuracy contract of include/smx.h; see common.h. */
#include "common.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Neumaier's compensated sum: error about 2^-53 relative, whatever n. */
struct tst_acc { double s, c; };
static void acc_add(struct tst_acc *a, double v)
{
    double t = a->s + v;
    a->c += fabs(a->s) >= fabs(v) ? (a->s - t) + v : (v - t) + a->s;
    a->s = t;
}

double tst_ref_softmax(const float *x, size_t n, double *p, double *lsm)
{
    enum tst_row cls = tst_row_class(x, n);
    if (cls != TST_ROW_FINITE) {
        double pv = cls == TST_ROW_MASKED ? 0.0 : NAN;
        double lv = cls == TST_ROW_MASKED ? -INFINITY : NAN;
        for (size_t k = 0; k < n; k++) {
            if (p) p[k] = pv;
            if (lsm) lsm[k] = lv;
        }
        return cls == TST_ROW_MASKED ? -INFINITY : cls == TST_ROW_POSINF ? INFINITY : NAN;
    }
    double m = -INFINITY;
    for (size_t k = 0; k < n; k++)
        m = x[k] > m ? x[k] : m;
    struct tst_acc acc = { 0, 0 };
    for (size_t k = 0; k < n; k++)
        acc_add(&acc, exp((double)x[k] - m)); /* x_k - m is exact in double */
    double s = acc.s + acc.c, log_s = log(s);
    for (size_t k = 0; k < n; k++) {
        if (p) p[k] = exp((double)x[k] - m) / s;
        if (lsm) lsm[k] = ((double)x[k] - m) - log_s;
    }
    return m + log_s;
}

/* ---- checkers ---- */

#define NOTE(f, v) (tst_max_err[f] = (v) > tst_max_err[f] ? (v) : tst_max_err[f])

void chk_exp(const float *x, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float xi = x[i], yi = y[i];
        const char *why = NULL;
        if (isnan(xi) && !isnan(yi)) why = "NaN input must give NaN";
        else if (xi == INFINITY && yi != INFINITY) why = "exp(+inf) must be +inf";
        else if (xi <= -104.0f && tst_bits(yi) != 0) why = "x <= -104 must give +0";
        else if (xi == 0.0f && yi != 1.0f) why = "exp(+-0) must be 1";
        TST_ASSERT(!why, "%s: exp n=%zu i=%zu x=%a: %s, got %a [%s]", tst_isa_str(), n, i,
                   (double)xi, why, (double)yi, tst_ctx_str());
        if (isnan(xi))
            continue;
        double err = tst_ulp_err(yi, exp((double)xi));
        if (err >= 1.0 && isfinite(err)) { /* so close to 1 that double exp may decide it */
            long double el = expl((long double)xi), ul = (long double)tst_ulp((double)el);
            long double yl = isinf(yi) ? 0x1p128L : (long double)yi;
            err = (double)(fabsl(yl - el) / ul);
        }
        NOTE(TST_EXP, err);
        TST_ASSERT(err < 1.0,
                   "%s: exp n=%zu i=%zu x=%a: got %a, exact %a: %.5g ULP (bound < 1) [%s]",
                   tst_isa_str(), n, i, (double)xi, (double)yi, exp((double)xi), err,
                   tst_ctx_str());
    }
}

void chk_sum(const float *x, size_t n, float got)
{
    int nan = 0, pinf = 0, ninf = 0;
    struct tst_acc acc = { 0, 0 };
    double abs_sum = 0;
    for (size_t i = 0; i < n; i++) {
        nan |= isnan(x[i]);
        pinf |= x[i] == INFINITY;
        ninf |= x[i] == -INFINITY;
        if (isfinite(x[i])) {
            acc_add(&acc, x[i]);
            abs_sum += fabs((double)x[i]);
        }
    }
    if (nan || (pinf && ninf)) {
        TST_ASSERT(isnan(got), "%s: sum n=%zu: expected NaN, got %a [%s]", tst_isa_str(), n,
                   (double)got, tst_ctx_str());
        return;
    }
    if (pinf || ninf) {
        TST_ASSERT(got == (pinf ? INFINITY : -INFINITY),
                   "%s: sum n=%zu: expected %cinf, got %a [%s]",
                   tst_isa_str(), n, pinf ? '+' : '-', (double)got, tst_ctx_str());
        return;
    }
    if (n == 0) {
        TST_ASSERT(tst_bits(got) == 0, "%s: sum n=0 must be +0, got %a", tst_isa_str(),
                   (double)got);
        return;
    }
    double ref = acc.s + acc.c;
    double bound = (4.0 + 2.0 * log2((double)n)) * 0x1p-24 * abs_sum;
    const double overflow = 0x1p128 - 0x1p103; /* rounds to +-inf from here on */
    if (fabs(ref) - bound >= overflow) {
        TST_ASSERT(got == copysignf(INFINITY, (float)ref), "%s: sum n=%zu: exact %a overflows, got %a [%s]",
                   tst_isa_str(), n, ref, (double)got, tst_ctx_str());
        return;
    }
    if (isinf(got) && fabs(ref) + bound >= overflow && (got > 0) == (ref > 0))
        return; /* at the edge: rounding may go either way */
    double err = fabs((double)got - ref);
    if (abs_sum > 0)
        NOTE(TST_SUM, err / (0x1p-24 * abs_sum));
    TST_ASSERT(err <= bound, "%s: sum n=%zu: got %a, exact %a, error %g > bound %g [%s]",
               tst_isa_str(), n, (double)got, ref, err, bound, tst_ctx_str());
}

void chk_max(const float *x, size_t n, float got)
{
    float m = -INFINITY;
    int nan = 0;
    for (size_t i = 0; i < n; i++) {
        nan |= isnan(x[i]);
        m = x[i] > m ? x[i] : m;
    }
    if (nan)
        TST_ASSERT(isnan(got), "%s: max n=%zu: NaN in input, got %a [%s]", tst_isa_str(), n,
                   (double)got, tst_ctx_str());
    else
        TST_ASSERT(got == m, "%s: max n=%zu: expected %a, got %a [%s]", tst_isa_str(), n,
                   (double)m, (double)got, tst_ctx_str());
}

void chk_argmax(const float *x, size_t n, int64_t got)
{
    int64_t want = n ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            want = (int64_t)i;
            break;
        }
        if (x[i] > x[want])
            want = (int64_t)i;
    }
    TST_ASSERT(got == want, "%s: argmax n=%zu: expected %lld (x=%a), got %lld [%s]",
               tst_isa_str(), n, (long long)want, n ? (double)x[want] : 0.0, (long long)got,
               tst_ctx_str());
}

/* SMX_TEST_DUMP=1: print a failing row's inputs (hex floats) to recheck them elsewhere. */
static void dump_row(const float *x, size_t n)
{
    const char *v = getenv("SMX_TEST_DUMP");
    if (!v || !*v || *v == '0')
        return;
    printf("row of %zu inputs:\n", n);
    for (size_t j = 0; j < n; j++)
        printf("%a\n", (double)x[j]);
    fflush(stdout);
}

/* |y - e| in units of the float spacing at max(1, |e|): the log-domain bound. */
static double log_err(float y, double e)
{
    if (!isfinite(e) || !isfinite(y))
        return tst_ulp_err(y, e);
    return fabs((double)y - e) / tst_ulp(fmax(1.0, fabs(e)));
}

void chk_logsumexp(const float *x, size_t n, float got)
{
    double e = tst_ref_softmax(x, n, NULL, NULL);
    if (n == 0)
        e = -INFINITY;
    double err = log_err(got, e);
    NOTE(TST_LSE, err);
    if (err > 4.0)
        dump_row(x, n);
    TST_ASSERT(err <= 4.0,
               "%s: logsumexp n=%zu: got %a, exact %a: %.4g ULP of max(1,|ref|) (bound 4) [%s]",
               tst_isa_str(), n, (double)got, e, err, tst_ctx_str());
}

/* A softmax-style output: within 4 ULP of e unless e is below FLT_MIN. */
static double prob_err(float y, double e)
{
    if (isnan(e) || isinf(e))
        return tst_ulp_err(y, e);
    if (fabs(e) < FLT_MIN)
        return fabsf(y) < 2 * FLT_MIN ? 0.0 : INFINITY;
    return tst_ulp_err(y, e);
}

void chk_softmax(const float *x, const float *y, size_t n)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    enum tst_row cls = tst_row_class(x, n);
    tst_ref_softmax(x, n, p, NULL);
    double total = 0;
    for (size_t k = 0; k < n; k++) {
        double err = prob_err(y[k], p[k]);
        if (cls == TST_ROW_MASKED || (cls == TST_ROW_FINITE && x[k] == -INFINITY))
            err = tst_bits(y[k]) == 0 ? 0.0 : INFINITY; /* exactly +0 */
        if (err > 4.0)
            dump_row(x, n);
        if (cls == TST_ROW_FINITE)
            NOTE(TST_SOFTMAX, err);
        TST_ASSERT(err <= 4.0 && !(y[k] < 0),
                   "%s: softmax n=%zu k=%zu x[k]=%a: got %a, exact %a: %.4g ULP (bound 4) [%s]",
                   tst_isa_str(), n, k, (double)x[k], (double)y[k], p[k], err, tst_ctx_str());
        total += y[k];
    }
    free(p);
    if (cls == TST_ROW_FINITE)
        TST_ASSERT(fabs(total - 1.0) <= 1e-6,
                   "%s: softmax n=%zu: sum of outputs %.9f, off by %g > 1e-6 [%s]",
                   tst_isa_str(), n, total, total - 1.0, tst_ctx_str());
}

void chk_log_softmax(const float *x, const float *y, size_t n)
{
    double *l = malloc((n ? n : 1) * sizeof *l);
    enum tst_row cls = tst_row_class(x, n);
    tst_ref_softmax(x, n, NULL, l);
    for (size_t k = 0; k < n; k++) {
        double err = log_err(y[k], l[k]);
        if (cls == TST_ROW_FINITE)
            NOTE(TST_LOG_SOFTMAX, err);
        if (err > 4.0)
            dump_row(x, n);
        TST_ASSERT(err <= 4.0,
                   "%s: log_softmax n=%zu k=%zu x[k]=%a: got %a, exact %a: %.4g ULP of "
                   "max(1,|ref|) (bound 4) [%s]",
                   tst_isa_str(), n, k, (double)x[k], (double)y[k], l[k], err, tst_ctx_str());
    }
    free(l);
}

/* -log softmax(row)[label] for a row with no NaN/+inf and a finite label logit.  When the
 * label is at or near the max the loss is log1p(sum over j != label of e^(x_j - x_label)),
 * the other terms summed directly, so that a loss of 1e-17 keeps all its digits. */
static long double ref_row_loss(const float *x, size_t n, size_t label)
{
    double t = x[label], m = -INFINITY;
    for (size_t j = 0; j < n; j++)
        m = x[j] > m ? x[j] : m;
    long double sum = 0;
    if (m - t <= 700.0) {
        for (size_t j = 0; j < n; j++)
            if (j != label)
                sum += exp((double)x[j] - t);
        return log1pl(sum);
    }
    for (size_t j = 0; j < n; j++) /* label far below the max: no cancellation */
        sum += exp((double)x[j] - m);
    return (long double)(m - t) + logl(sum);
}

/* One counted row's gradient: (softmax - onehot) / counted, with p_label - 1 computed as
 * minus the other classes' probabilities. */
static void chk_grad_row(const float *x, size_t n, size_t label, size_t counted,
                         const float *g, double *p, size_t r)
{
    enum tst_row cls = tst_row_class(x, n);
    tst_ref_softmax(x, n, p, NULL);
    double others = 0;
    for (size_t j = 0; j < n; j++)
        others += j != label ? p[j] : 0.0;
    for (size_t k = 0; k < n; k++) {
        double e = k == label ? (cls == TST_ROW_MASKED ? -1.0 : -others) : p[k];
        e /= (double)counted;
        double err = prob_err(g[k], e);
        if (cls == TST_ROW_FINITE)
            NOTE(TST_CE_GRAD, err);
        if (err > 4.0)
            dump_row(x, n);
        TST_ASSERT(err <= 4.0,
                   "%s: cross_entropy grad row=%zu k=%zu label=%zu n=%zu counted=%zu: got %a, "
                   "exact %a: %.4g ULP (bound 4) [%s]",
                   tst_isa_str(), r, k, label, n, counted, (double)g[k], e, err, tst_ctx_str());
    }
}

void chk_cross_entropy(const float *x, size_t ldl, const int32_t *labels, size_t rows,
                       size_t n, float loss, const float *grad, size_t ldg)
{
    size_t counted = 0;
    for (size_t r = 0; r < rows; r++)
        counted += labels[r] >= 0;
    int nan = 0, inf = 0;
    long double total = 0;
    double *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * ldl;
        const float *g = grad ? grad + r * ldg : NULL;
        if (labels[r] < 0) {
            for (size_t k = 0; g && k < n; k++)
                TST_ASSERT(g[k] == 0.0f,
                           "%s: cross_entropy: ignored row %zu: grad[%zu] = %a, not 0 [%s]",
                           tst_isa_str(), r, k, (double)g[k], tst_ctx_str());
            continue;
        }
        size_t label = (size_t)labels[r];
        enum tst_row cls = tst_row_class(row, n);
        if (cls == TST_ROW_NAN || cls == TST_ROW_POSINF) {
            nan = 1;
            for (size_t k = 0; g && k < n; k++)
                TST_ASSERT(isnan(g[k]),
                           "%s: cross_entropy: row %zu has NaN/+inf: grad[%zu] = %a, not NaN [%s]",
                           tst_isa_str(), r, k, (double)g[k], tst_ctx_str());
            continue;
        }
        if (row[label] == -INFINITY)
            inf = 1;
        else
            total += ref_row_loss(row, n, label);
        if (g)
            chk_grad_row(row, n, label, counted, g, p, r);
    }
    free(p);
    if (counted == 0) {
        TST_ASSERT(tst_bits(loss) == 0, "%s: cross_entropy: no counted row: loss %a, not +0 [%s]",
                   tst_isa_str(), (double)loss, tst_ctx_str());
    } else if (nan || inf) {
        TST_ASSERT(nan ? isnan(loss) : loss == INFINITY,
                   "%s: cross_entropy: expected %s loss, got %a [%s]",
                   tst_isa_str(), nan ? "NaN" : "+inf", (double)loss, tst_ctx_str());
    } else {
        long double ref = total / (long double)counted;
        double rel = ref == 0 ? (loss == 0.0f ? 0.0 : INFINITY)
                              : (double)(fabsl((long double)loss - ref) / ref);
        /* a loss below FLT_MIN is a subnormal float: within one step of that grid (2^-149) */
        if (ref < FLT_MIN && fabsl((long double)loss - ref) <= 0x1p-149L)
            rel = 0.0;
        NOTE(TST_CE_LOSS, rel);
        TST_ASSERT(rel <= 1e-6,
                   "%s: cross_entropy rows=%zu n=%zu counted=%zu: loss %a (%.9g), exact %.12Lg: "
                   "relative error %.3g > 1e-6 [%s]",
                   tst_isa_str(), rows, n, counted, (double)loss, (double)loss, ref, rel,
                   tst_ctx_str());
    }
}

void chk_same_row(const float *got, const float *alone, size_t n, size_t r)
{
    for (size_t k = 0; k < n; k++) {
        float a = got[k], b = alone[k];
        int tiny = a >= 0.0f && a < FLT_MIN && b >= 0.0f && b < FLT_MIN;
        TST_ASSERT(tst_bits(a) == tst_bits(b) || tiny,
                   "%s: row %zu of the batch differs from the row alone at %zu: %a, alone %a "
                   "[%s]", tst_isa_str(), r, k, (double)a, (double)b, tst_ctx_str());
    }
}
