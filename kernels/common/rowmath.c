#include "common/rowmath.h"

#include <math.h>


static int has_nan(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (x[i] != x[i])
            return 1;
    return 0;
}

struct smx_row_plan smx_row_plan_nonfinite(const float *x, size_t n, float m)
{
    struct smx_row_plan plan = { SMX_ROW_NAN, 0.0f, 0.0f, 0.0f, 0.0 };
    /* The max pass may have stepped over a NaN; such rows are rare, look again. */
    if (m == m && !has_nan(x, n))
        plan.kind = m > 0 ? SMX_ROW_POSINF : SMX_ROW_MASKED;
    return plan;
}

void smx_row_lse(const struct smx_row_plan *plan, double sum, float *hi, float *lo)
{
    double lse = plan->log_scale + log(sum);
    float h = (float)lse;
    *hi = h;
    *lo = (float)(lse - (double)h);
}

void smx_row_lse_shifted(const struct smx_row_plan *plan, double sum, float *hi, float *lo)
{
    double rest = (plan->log_scale - (double)plan->shift) + log(sum);
    float h = (float)rest;
    *hi = h;
    *lo = (float)(rest - (double)h);
}

double smx_row_ce_loss(const struct smx_row_plan *plan, double num_label, double others,
                       float z_label)
{
    /* -log(num_label / (num_label + others)) = log1p(others / num_label): each num carries
     * about 1 ULP, so the loss is accurate to a few 2^-24 relative even when it is tiny
     * (label holds the max; plain log(sum) would lose everything there).  A label whose
     * num underflowed (or is 0 for a -inf logit) takes logsumexp - z instead; that loss is
     * large (> 60), so the absolute error of log(sum) is negligible beside it. */
    if (num_label >= 0x1p-100)
        return log1p(others / num_label);
    return (plan->log_scale - (double)z_label) + log(num_label + others);
}

void smx_fill(float *y, size_t n, float value)
{
    for (size_t i = 0; i < n; i++)
        y[i] = value;
}

float smx_sum_double(const float *x, size_t n)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        total += (double)x[i];
    return (float)total;
}
