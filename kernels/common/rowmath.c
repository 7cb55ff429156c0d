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
    struct smx_row_plan plan = { SMX_ROW_NAN, 0.0f, 0.0f, 0.0f, 0.0, m };
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
