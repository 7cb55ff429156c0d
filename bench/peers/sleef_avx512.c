/* The SLEEF yardstick on AVX-512F: Sleef_expf16_u10avx512f, 16 lanes, opmask tails.
 * Compiled with -mavx512f only; called only when peer_cpu_runs("avx512"). */
#include <immintrin.h>
#include <math.h>
#include <sleef.h>

#include "peers.h"

static __mmask16 tail_mask(size_t k) { return (__mmask16)((1u << k) - 1u); }

static float max_avx512(const float *x, size_t n) {
    __m512 m0 = _mm512_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
        m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + i + 16));
        m2 = _mm512_max_ps(m2, _mm512_loadu_ps(x + i + 32));
        m3 = _mm512_max_ps(m3, _mm512_loadu_ps(x + i + 48));
    }
    for (; i + 16 <= n; i += 16) m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
    if (i < n)
        m1 = _mm512_max_ps(m1, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY),
                                                     tail_mask(n - i), x + i));
    return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3)));
}

/* Sum of exp(x - m); y, if not NULL, receives the exponentials. */
static float sum_exp_avx512(const float *x, float *y, size_t n, float m) {
    const __m512 vm = _mm512_set1_ps(m);
    __m512 s = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_loadu_ps(x + i), vm));
        if (y) _mm512_storeu_ps(y + i, e);
        s = _mm512_add_ps(s, e);
    }
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), k, x + i);
        __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(v, vm)); /* exp(-inf) = 0 */
        if (y) _mm512_mask_storeu_ps(y + i, k, e);
        s = _mm512_add_ps(s, e);
    }
    return _mm512_reduce_add_ps(s);
}

void sleef_softmax_f32_avx512(const float *x, float *y, size_t n) {
    float m = max_avx512(x, n);
    const __m512 inv = _mm512_set1_ps(1.0f / sum_exp_avx512(x, y, n, m));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(y + i), inv));
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + i), inv));
    }
}

void sleef_log_softmax_f32_avx512(const float *x, float *y, size_t n) {
    float m = max_avx512(x, n);
    const __m512 shift = _mm512_set1_ps(m + Sleef_logf_u10(sum_exp_avx512(x, NULL, n, m)));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_sub_ps(_mm512_loadu_ps(x + i), shift));
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), shift));
    }
}

void sleef_exp_f32_avx512(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, Sleef_expf16_u10avx512f(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, k, Sleef_expf16_u10avx512f(_mm512_maskz_loadu_ps(k, x + i)));
    }
}
