/* The naive baselines: plain loops over libm, float accumulators, no vectors by hand.
 * Compiled with the build's default flags only (SSE2 on x86-64). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "peers.h"

static float max_of(const float *x, size_t n) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (x[i] > m) m = x[i];
    return m;
}

static float sum_exp_minus(const float *x, size_t n, float m) {
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) s += expf(x[i] - m);
    return s;
}

void naive_softmax_f32(const float *x, float *y, size_t n) {
    float m = max_of(x, n);
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) {
        y[i] = expf(x[i] - m);
        s += y[i];
    }
    float inv = 1.0f / s;
    for (size_t i = 0; i < n; i++) y[i] *= inv;
}

void naive_log_softmax_f32(const float *x, float *y, size_t n) {
    float m = max_of(x, n);
    float shift = m + logf(sum_exp_minus(x, n, m));
    for (size_t i = 0; i < n; i++) y[i] = x[i] - shift;
}

void naive_exp_f32(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

float naive_sum_f32(const float *x, size_t n) {
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) s += x[i];
    return s;
}

float naive_max_f32(const float *x, size_t n) { return max_of(x, n); }

int64_t naive_argmax_f32(const float *x, size_t n) {
    if (n == 0) return -1;
    int64_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = (int64_t)i;
    return best;
}

float naive_logsumexp_f32(const float *x, size_t n) {
    float m = max_of(x, n);
    return m + logf(sum_exp_minus(x, n, m));
}

float naive_cross_entropy_f32(const float *logits, const int32_t *labels, size_t rows,
                              size_t n, float *grad) {
    float loss = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        const float *z = logits + r * n;
        float m = max_of(z, n);
        float s = sum_exp_minus(z, n, m);
        loss += m + logf(s) - z[labels[r]];
        if (grad) {
            float *g = grad + r * n;
            float scale = 1.0f / (s * (float)rows);
            for (size_t i = 0; i < n; i++) g[i] = expf(z[i] - m) * scale;
            g[labels[r]] -= 1.0f / (float)rows;
        }
    }
    return loss / (float)rows;
}
