/* The vector vocabulary (contract in scalar/vec.h) for AVX-512 F/DQ/BW/VL, 16 lanes.
 * Tails use opmasks; vscalefps applies 2^n with one rounding, subnormals and overflow
 * included, in a single instruction. */
#ifndef SMX_AVX512_VEC_H
#define SMX_AVX512_VEC_H

#include <immintrin.h>
#include <stddef.h>

#define VL 16
typedef __m512 vf;
typedef __mmask16 vm;

static inline __mmask16 smx_first_k(size_t k) { return (__mmask16)((1u << k) - 1u); }

static inline vf vf_set1(float a) { return _mm512_set1_ps(a); }
static inline vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf vf_load_part(const float *p, size_t k, float fill)
{
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), smx_first_k(k), p);
}
static inline void vf_store_part(float *p, vf v, size_t k) { _mm512_mask_storeu_ps(p, smx_first_k(k), v); }
#define SMX_HAVE_STORE_NT
static inline void vf_store_nt(float *p, vf v) { _mm512_stream_ps(p, v); }
static inline void vf_store_nt_fence(void) { _mm_sfence(); }

static inline vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); } /* NaN: returns b */
static inline vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vf_ldexp(vf p, vf n) { return _mm512_scalef_ps(p, n); }

static inline float vf_hmax(vf v) { return _mm512_reduce_max_ps(v); }
static inline vf vf_bmax(vf v)
{
    v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, 0x4e));
    v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, 0xb1));
    v = _mm512_max_ps(v, _mm512_permute_ps(v, 0x4e));
    return _mm512_max_ps(v, _mm512_permute_ps(v, 0xb1));
}
static inline float vf_first(vf v) { return _mm512_cvtss_f32(v); }
static inline double vf_hsum_d(vf v)
{
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
    return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
}
static inline vm vm_none(void) { return 0; }
static inline vm vm_or_nan(vm m, vf v) { return m | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q); }
static inline vm vm_or_nan2(vm m, vf a, vf b) { return m | _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
static inline int vm_any(vm m) { return m != 0; }
static inline unsigned vf_eq_bits(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline vf vf_sel_eq(vf a, vf b, vf v, vf w) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ), v, w); }
static inline vf vf_iota(void) { return _mm512_set_ps(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0); }

/* A vector of VL doubles, for sums of exponentials carried in double lane by lane. */
typedef struct { __m512d lo, hi; } vd;
static inline vd vd_zero(void) { vd z = { _mm512_set1_pd(-0.0), _mm512_set1_pd(-0.0) }; return z; }
static inline vd vd_add_f(vd acc, vf v)
{
    acc.lo = _mm512_add_pd(acc.lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    acc.hi = _mm512_add_pd(acc.hi, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
    return acc;
}
static inline double vd_hsum(vd acc) { return _mm512_reduce_add_pd(_mm512_add_pd(acc.lo, acc.hi)); }

#endif
