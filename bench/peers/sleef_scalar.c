/* The SLEEF yardstick, one lane at a time: Sleef_expf_u10 (SLEEF's scalar entry point),
 * float accumulators.  No ISA flags. */
#include <math.h>
#include <sleef.h>

#include "peers.h"

static float max_scalar(const float *x, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

static float sum_exp_scalar(const float *x, float *y, size_t n, float m) {
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float e = Sleef_expf_u10(x[i] - m);
        if (y) y[i] = e;
        s += e;
    }
    return s;
}

void sleef_softmax_f32_scalar(const float *x, float *y, size_t n) {
    float m = max_scalar(x, n);
    float inv = 1.0f / sum_exp_scalar(x, y, n, m);
    for (size_t i = 0; i < n; i++) y[i] *= inv;
}

void sleef_log_softmax_f32_scalar(const float *x, float *y, size_t n) {
    float m = max_scalar(x, n);
    float shift = m + Sleef_logf_u10(sum_exp_scalar(x, NULL, n, m));
    for (size_t i = 0; i < n; i++) y[i] = x[i] - shift;
}

void sleef_exp_f32_scalar(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = Sleef_expf_u10(x[i]);
}
