/* The vector vocabulary (contract in scalar/vec.h) for AArch64 Advanced SIMD (NEON), 4 lanes.
 *
 * Where NEON differs from x86 and the contract needs care:
 *  - fmax/fmin return NaN whichever operand is NaN; the contract (x86's maxps) wants b.
 *    A compare and a bit-select give exactly (a > b) ? a : b, which is maxps.
 *  - fmla is fused, like fmaf: the shared exp core then rounds exactly as the scalar
 *    reference does, bit for bit.
 *  - fcvtnu saturates (negative and NaN give 0), which makes the clamps in vf_ldexp cheap.
 *  - There are no masked loads or stores: tails go lane by lane, touching only p[0..k).
 * NEON is baseline on AArch64: this folder is compiled with no extra flags.
 * docs/neon.md counts the instructions per element this gives. */
#ifndef SMX_NEON_VEC_H
#define SMX_NEON_VEC_H

#include <arm_neon.h>
#include <stddef.h>

#define VL 4
typedef float32x4_t vf;
typedef uint32x4_t vm;

static inline vf vf_set1(float a) { return vdupq_n_f32(a); }
static inline vf vf_load(const float *p) { return vld1q_f32(p); }
static inline void vf_store(float *p, vf v) { vst1q_f32(p, v); }

/* 0 < k < 4: one 64-bit load and/or one lane load, never past p[k-1]. */
static inline vf vf_load_part(const float *p, size_t k, float fill)
{
    vf v = vdupq_n_f32(fill);
    if (k >= 2) {
        v = vcombine_f32(vld1_f32(p), vget_high_f32(v));
        if (k == 3)
            v = vld1q_lane_f32(p + 2, v, 2);
    } else {
        v = vld1q_lane_f32(p, v, 0);
    }
    return v;
}
static inline void vf_store_part(float *p, vf v, size_t k)
{
    if (k >= 2) {
        vst1_f32(p, vget_low_f32(v));
        if (k == 3)
            vst1q_lane_f32(p + 2, v, 2);
    } else {
        vst1q_lane_f32(p, v, 0);
    }
}

static inline vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
static inline vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
static inline vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
/* vfmaq_f32(c, a, b) = c + a*b, one rounding (fmla). */
static inline vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
/* (a > b) ? a : b lane by lane: a NaN on either side fails the compare and gives b. */
static inline vf vf_max(vf a, vf b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline vf vf_min(vf a, vf b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
/* frintn: to nearest, ties to even, whatever FPCR says. */

/* The float whose biased exponent field is b (1..254): 2^(b - 127). */
static inline vf smx_pow2_biased(uint32x4_t b)
{
    return vreinterpretq_f32_u32(vshlq_n_u32(b, 23));
}
/* The same two factors as avx2/vec.h, in 9 instructions instead of 11.  With t = n + 254,
 * for n in [-252, 254] t >> 1 = floor(n/2) + 127 and t - (t >> 1) = ceil(n/2) + 127 are the
 * biased exponents of two normal factors: p * 2^floor(n/2) is exact and the second product
 * rounds once.  The clamp costs one instruction: fcvtnu saturates below at 0 (and takes
 * NaN to 0) and umin caps t at 508 (n = 254).  A t of 0 or 1 (n <= -253) makes a factor
 * +0.0, so the result is 0, as p * 2^n rounds to for p <= 2; the factors for every other n
 * are those of avx2/vec.h and of the scalar reference, bit for bit.  n + 254 is exact for
 * |n| < 2^24 and keeps its sign (or saturates the right way) beyond. */
static inline vf vf_ldexp(vf p, vf n)
{
    uint32x4_t t = vcvtnq_u32_f32(vaddq_f32(n, vdupq_n_f32(254.0f)));
    t = vminq_u32(t, vdupq_n_u32(508));
    uint32x4_t half = vshrq_n_u32(t, 1);
    return vmulq_f32(vmulq_f32(p, smx_pow2_biased(half)), smx_pow2_biased(vsubq_u32(t, half)));
}

/* Softmax's cheaper 2^n (generic/softmax.inc): n <= 1, and results below 2^-126 may come
 * out +0.  One factor, 4 instructions: fcvtnu saturates n + 127 below at 0 (n <= -127, and
 * NaN), whose factor is +0.0; n <= 1 keeps the biased exponent <= 128, below inf's 255. */
#define SMX_HAVE_LDEXP_FLUSH
static inline vf vf_ldexp_flush(vf p, vf n)
{
    uint32x4_t b = vcvtnq_u32_f32(vaddq_f32(n, vdupq_n_f32(127.0f)));
    return vmulq_f32(p, smx_pow2_biased(b));
}

static inline float vf_hmax(vf v) { return vmaxvq_f32(v); }
static inline vf vf_bmax(vf v) { return vdupq_n_f32(vmaxvq_f32(v)); }
static inline float vf_first(vf v) { return vgetq_lane_f32(v, 0); }
/* Each float is exact in double; the lanes are added pairwise in double. */
static inline double vf_hsum_d(vf v)
{
    float64x2_t s = vaddq_f64(vcvt_f64_f32(vget_low_f32(v)), vcvt_high_f64_f32(v));
    return vaddvq_f64(s);
}
static inline vm vm_none(void) { return vdupq_n_u32(0); }
/* v == v fails exactly in the NaN lanes. */
static inline vm vm_or_nan(vm m, vf v) { return vorrq_u32(m, vmvnq_u32(vceqq_f32(v, v))); }
static inline vm vm_or_nan2(vm m, vf a, vf b)
{
    return vorrq_u32(m, vmvnq_u32(vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b))));
}
static inline int vm_any(vm m) { return vmaxvq_u32(m) != 0; }
static inline unsigned vf_eq_bits(vf a, vf b)
{
    static const uint32_t bit[4] = { 1, 2, 4, 8 };
    return vaddvq_u32(vandq_u32(vceqq_f32(a, b), vld1q_u32(bit)));
}
static inline vf vf_sel_eq(vf a, vf b, vf v, vf w) { return vbslq_f32(vceqq_f32(a, b), w, v); }
static inline vf vf_iota(void)
{
    static const float iota[4] = { 0, 1, 2, 3 };
    return vld1q_f32(iota);
}

/* A vector of VL doubles, for sums of exponentials carried in double lane by lane. */
typedef struct { float64x2_t lo, hi; } vd;
static inline vd vd_zero(void) { vd z = { vdupq_n_f64(-0.0), vdupq_n_f64(-0.0) }; return z; }
static inline vd vd_add_f(vd acc, vf v)
{
    acc.lo = vaddq_f64(acc.lo, vcvt_f64_f32(vget_low_f32(v)));
    acc.hi = vaddq_f64(acc.hi, vcvt_high_f64_f32(v));
    return acc;
}
static inline double vd_hsum(vd acc) { return vaddvq_f64(vaddq_f64(acc.lo, acc.hi)); }

#endif
