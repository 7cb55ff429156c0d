/* The SLEEF yardstick on SSE2: Sleef_expf4_u10sse2, 4 lanes; tails go through a 4-float
 * stack copy (SSE2 has no masked loads).  Compiled with -msse2 (the x86-64 baseline). */
#include <emmintrin.h>
#include <math.h>
#include <sleef.h>
#include <string.h>

#include "peers.h"

/* Lanes [0, k) from x, the others = fill; reads only x[0..k). */
static __m128 load_part(const float *x, size_t k, float fill) {
    float t[4] = {fill, fill, fill, fill};
    memcpy(t, x, k * sizeof(float));
    return _mm_loadu_ps(t);
}

static void store_part(float *y, __m128 v, size_t k) {
    float t[4];
    _mm_storeu_ps(t, v);
    memcpy(y, t, k * sizeof(float));
}

static float hmax(__m128 h) {
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

static float hsum(__m128 h) {
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

static float max_sse2(const float *x, size_t n) {
    __m128 m0 = _mm_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm_max_ps(m0, _mm_loadu_ps(x + i));
        m1 = _mm_max_ps(m1, _mm_loadu_ps(x + i + 4));
        m2 = _mm_max_ps(m2, _mm_loadu_ps(x + i + 8));
        m3 = _mm_max_ps(m3, _mm_loadu_ps(x + i + 12));
    }
    for (; i + 4 <= n; i += 4) m0 = _mm_max_ps(m0, _mm_loadu_ps(x + i));
    if (i < n) m1 = _mm_max_ps(m1, load_part(x + i, n - i, -INFINITY));
    return hmax(_mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3)));
}

static float sum_exp_sse2(const float *x, float *y, size_t n, float m) {
    const __m128 vm = _mm_set1_ps(m);
    __m128 s = _mm_setzero_ps();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 e = Sleef_expf4_u10sse2(_mm_sub_ps(_mm_loadu_ps(x + i), vm));
        if (y) _mm_storeu_ps(y + i, e);
        s = _mm_add_ps(s, e);
    }
    if (i < n) {
        __m128 e = Sleef_expf4_u10sse2(_mm_sub_ps(load_part(x + i, n - i, -INFINITY), vm));
        if (y) store_part(y + i, e, n - i);
        s = _mm_add_ps(s, e);
    }
    return hsum(s);
}

void sleef_softmax_f32_sse2(const float *x, float *y, size_t n) {
    float m = max_sse2(x, n);
    const __m128 inv = _mm_set1_ps(1.0f / sum_exp_sse2(x, y, n, m));
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), inv));
    for (; i < n; i++) y[i] *= _mm_cvtss_f32(inv);
}

void sleef_log_softmax_f32_sse2(const float *x, float *y, size_t n) {
    float m = max_sse2(x, n);
    float shift = m + Sleef_logf_u10(sum_exp_sse2(x, NULL, n, m));
    const __m128 vshift = _mm_set1_ps(shift);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _mm_sub_ps(_mm_loadu_ps(x + i), vshift));
    for (; i < n; i++) y[i] = x[i] - shift;
}

void sleef_exp_f32_sse2(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, Sleef_expf4_u10sse2(_mm_loadu_ps(x + i)));
    if (i < n) store_part(y + i, Sleef_expf4_u10sse2(load_part(x + i, n - i, 0.0f)), n - i);
}
