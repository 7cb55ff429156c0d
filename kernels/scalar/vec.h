/* The vector vocabulary for the scalar reference: one lane, plain C, no ISA flags.
 *
 * Every ISA folder has a vec.h with exactly these names; kernels/generic/ writes each
 * algorithm once against them.  The contract each vec.h implements:
 *   VL                       lanes per vector
 *   vf, vm                   float vector; mask (one bit or lane per float)
 *   vf_set1(a)               broadcast
 *   vf_load(p)/vf_store(p,v) VL floats, any alignment
 *   vf_load_part(p,k,fill)   lanes [0,k) from p, the rest = fill; 0 < k < VL; reads only p[0..k)
 *   vf_store_part(p,v,k)     writes only p[0..k); 0 < k < VL
 *   vf_add/sub/mul           IEEE, round to nearest
 *   vf_fma(a,b,c)            a*b+c with one rounding (SSE2 has none: it brings its own exp core)
 *   vf_max(a,b)/vf_min(a,b)  if either is NaN the result is b (x86 semantics); else max/min
 *   vf_ldexp(p,n)            p * 2^n rounded once, for p in [0.5, 2] and n an integral value of
 *                            any magnitude: correct overflow to inf and gradual underflow
 *   vf_hmax(v)               max of the lanes (no NaN in v)
 *   vf_bmax(v)               max of the lanes in every lane (no NaN in v; a zero max may
 *                            come out +0 in some lanes and -0 in others)
 *   vf_first(v)              lane 0
 *   vf_hsum_d(v)             sum of the lanes, in double
 *   vd, vd_zero(), vd_add_f(acc,v), vd_hsum(acc)   VL double lanes: acc + (double)v; vd_zero
 *                            is -0.0 in every lane (adding to it is exact: compilers drop it)
 *   vm_none(), vm_or_nan(m,v), vm_any(m)      collect "some lane was NaN"
 *   vm_or_nan2(m,a,b)        the same for two vectors (one unordered compare on x86)
 *   vf_eq_bits(a,b)          bit i set where lane i has a == b (bits VL and up clear)
 *   vf_sel_eq(a,b,v,w)       lanes where a == b from w, the others from v
 *   vf_iota()                lane i holds i
 */
#ifndef SMX_SCALAR_VEC_H
#define SMX_SCALAR_VEC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define VL 1
typedef float vf;
typedef int vm;

static inline vf vf_set1(float a) { return a; }
static inline vf vf_load(const float *p) { return *p; }
static inline void vf_store(float *p, vf v) { *p = v; }
/* With one lane there is never a partial vector. */
static inline vf vf_load_part(const float *p, size_t k, float fill) { (void)k; (void)fill; return *p; }
static inline void vf_store_part(float *p, vf v, size_t k) { (void)k; *p = v; }

static inline vf vf_add(vf a, vf b) { return a + b; }
static inline vf vf_sub(vf a, vf b) { return a - b; }
static inline vf vf_mul(vf a, vf b) { return a * b; }
/* fmaf is exact (one rounding) on every libm; glibc binds the FMA instruction when the CPU
 * has one.  Using it keeps the scalar exp bit-identical to the FMA ISAs. */
static inline vf vf_fma(vf a, vf b, vf c) { return fmaf(a, b, c); }
static inline vf vf_max(vf a, vf b) { return a > b ? a : b; }
static inline vf vf_min(vf a, vf b) { return a < b ? a : b; }

static inline float smx_scalar_pow2(int e) /* 2^e for e in [-126, 127] */
{
    uint32_t bits = (uint32_t)(e + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Two steps so that both factors are normal: p * 2^n1 is exact, the second product rounds
 * once (to a subnormal, or to inf), as AVX-512's vscalefps does in one instruction. */
static inline vf vf_ldexp(vf p, vf n)
{
    if (n != n)
        return p + n;
    float c = n < -252.0f ? -252.0f : (n > 254.0f ? 254.0f : n);
    int e = (int)c;
    int e1 = e >> 1; /* floor(e/2): arithmetic shift on every compiler we support */
    return (p * smx_scalar_pow2(e1)) * smx_scalar_pow2(e - e1);
}

/* Softmax rows' 2^n (generic/softmax.inc, SMX_HAVE_LDEXP_FLUSH): n <= 1 there, and a num
 * below 2^-126 may come out +0, so one product, with 2^-127 (bits 0) standing for +0.  The
 * exact two-step vf_ldexp made every clamped element (cross-entropy's label, each element
 * 110 below the max) a product that underflows, which Intel cores run as a microcode assist
 * unless the caller set FTZ (tests/test_underflow.c). */
#define SMX_HAVE_LDEXP_FLUSH
static inline vf vf_ldexp_flush(vf p, vf n)
{
    if (n != n || n > 1.0f) /* NaN, or outside softmax's range (an infinite row's n) */
        return vf_ldexp(p, n);
    return p * smx_scalar_pow2(n < -127.0f ? -127 : (int)n);
}

static inline float vf_hmax(vf v) { return v; }
static inline vf vf_bmax(vf v) { return v; }
static inline float vf_first(vf v) { return v; }
static inline double vf_hsum_d(vf v) { return (double)v; }
static inline vm vm_none(void) { return 0; }
static inline vm vm_or_nan(vm m, vf v) { return m | (v != v); }
static inline vm vm_or_nan2(vm m, vf a, vf b) { return m | __builtin_isunordered(a, b); }
static inline int vm_any(vm m) { return m; }
static inline unsigned vf_eq_bits(vf a, vf b) { return a == b; }
static inline vf vf_sel_eq(vf a, vf b, vf v, vf w) { return a == b ? w : v; }
static inline vf vf_iota(void) { return 0.0f; }

/* A vector of VL doubles, for sums of exponentials carried in double lane by lane. */
typedef double vd;
static inline vd vd_zero(void) { return -0.0; }
static inline vd vd_add_f(vd acc, vf v) { return acc + (double)v; }
static inline double vd_hsum(vd acc) { return acc; }

#endif
