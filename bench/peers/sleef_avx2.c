/* The SLEEF yardstick on AVX2+FMA: Sleef_expf8_u10avx2, 8 lanes, maskload/maskstore tails.
 * Compiled with -mavx2 -mfma only; called only when peer_cpu_runs("avx2"). */
#include <immintrin.h>
#include <math.h>
#include <sleef.h>

#include "peers.h"

/* All-ones in lanes [0, k): what maskload/maskstore read and write. */
static __m256i tail_mask(size_t k) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Lanes [0, k) from x, the others = fill; reads only x[0..k). */
static __m256 load_part(const float *x, size_t k, float fill) {
    __m256i mask = tail_mask(k);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(x, mask),
                            _mm256_castsi256_ps(mask));
}

static float hmax(__m256 v) {
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

static float hsum(__m256 v) {
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    return _mm_cvtss_f32(h);
}

static float max_avx2(const float *x, size_t n) {
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
        m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
        m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
    }
    for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    if (i < n) m1 = _mm256_max_ps(m1, load_part(x + i, n - i, -INFINITY));
    return hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
}

static float sum_exp_avx2(const float *x, float *y, size_t n, float m) {
    const __m256 vm = _mm256_set1_ps(m);
    __m256 s = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
        if (y) _mm256_storeu_ps(y + i, e);
        s = _mm256_add_ps(s, e);
    }
    if (i < n) {
        __m256 e = Sleef_expf8_u10avx2(_mm256_sub_ps(load_part(x + i, n - i, -INFINITY), vm));
        if (y) _mm256_maskstore_ps(y + i, tail_mask(n - i), e);
        s = _mm256_add_ps(s, e);
    }
    return hsum(s);
}

void sleef_softmax_f32_avx2(const float *x, float *y, size_t n) {
    float m = max_avx2(x, n);
    const __m256 inv = _mm256_set1_ps(1.0f / sum_exp_avx2(x, y, n, m));
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), inv));
    if (i < n) {
        __m256i k = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, k, _mm256_mul_ps(_mm256_maskload_ps(y + i, k), inv));
    }
}

void sleef_log_softmax_f32_avx2(const float *x, float *y, size_t n) {
    float m = max_avx2(x, n);
    const __m256 shift = _mm256_set1_ps(m + Sleef_logf_u10(sum_exp_avx2(x, NULL, n, m)));
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_sub_ps(_mm256_loadu_ps(x + i), shift));
    if (i < n) {
        __m256i k = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, k, _mm256_sub_ps(_mm256_maskload_ps(x + i, k), shift));
    }
}

void sleef_exp_f32_avx2(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, Sleef_expf8_u10avx2(_mm256_loadu_ps(x + i)));
    if (i < n) {
        __m256i k = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, k, Sleef_expf8_u10avx2(_mm256_maskload_ps(x + i, k)));
    }
}
