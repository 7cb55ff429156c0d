/* The SLEEF yardstick on AArch64 Advanced SIMD: Sleef_expf4_u10advsimd, 4 lanes; tails go
 * through a 4-float stack copy.  No flags needed (NEON is baseline on AArch64). */
#include <arm_neon.h>
#include <math.h>
#include <sleef.h>
#include <string.h>

#include "peers.h"

static float32x4_t load_part(const float *x, size_t k, float fill) {
    float t[4] = {fill, fill, fill, fill};
    memcpy(t, x, k * sizeof(float));
    return vld1q_f32(t);
}

static void store_part(float *y, float32x4_t v, size_t k) {
    float t[4];
    vst1q_f32(t, v);
    memcpy(y, t, k * sizeof(float));
}

static float max_neon(const float *x, size_t n) {
    float32x4_t m0 = vdupq_n_f32(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = vmaxq_f32(m0, vld1q_f32(x + i));
        m1 = vmaxq_f32(m1, vld1q_f32(x + i + 4));
        m2 = vmaxq_f32(m2, vld1q_f32(x + i + 8));
        m3 = vmaxq_f32(m3, vld1q_f32(x + i + 12));
    }
    for (; i + 4 <= n; i += 4) m0 = vmaxq_f32(m0, vld1q_f32(x + i));
    if (i < n) m1 = vmaxq_f32(m1, load_part(x + i, n - i, -INFINITY));
    return vmaxvq_f32(vmaxq_f32(vmaxq_f32(m0, m1), vmaxq_f32(m2, m3)));
}

static float sum_exp_neon(const float *x, float *y, size_t n, float m) {
    const float32x4_t vm = vdupq_n_f32(m);
    float32x4_t s = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float32x4_t e = Sleef_expf4_u10advsimd(vsubq_f32(vld1q_f32(x + i), vm));
        if (y) vst1q_f32(y + i, e);
        s = vaddq_f32(s, e);
    }
    if (i < n) {
        float32x4_t e = Sleef_expf4_u10advsimd(vsubq_f32(load_part(x + i, n - i, -INFINITY), vm));
        if (y) store_part(y + i, e, n - i);
        s = vaddq_f32(s, e);
    }
    return vaddvq_f32(s);
}

void sleef_softmax_f32_neon(const float *x, float *y, size_t n) {
    float m = max_neon(x, n);
    float inv = 1.0f / sum_exp_neon(x, y, n, m);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(y + i), inv));
    for (; i < n; i++) y[i] *= inv;
}

void sleef_log_softmax_f32_neon(const float *x, float *y, size_t n) {
    float m = max_neon(x, n);
    float shift = m + Sleef_logf_u10(sum_exp_neon(x, NULL, n, m));
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vsubq_f32(vld1q_f32(x + i), vdupq_n_f32(shift)));
    for (; i < n; i++) y[i] = x[i] - shift;
}

void sleef_exp_f32_neon(const float *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, Sleef_expf4_u10advsimd(vld1q_f32(x + i)));
    if (i < n) store_part(y + i, Sleef_expf4_u10advsimd(load_part(x + i, n - i, 0.0f)), n - i);
}
