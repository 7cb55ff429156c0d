/* The vector vocabulary (contract in scalar/vec.h) for AVX2 + FMA, 8 lanes.
 * Tails use vmaskmovps, which neither reads nor faults on masked-off lanes. */
#ifndef SMX_AVX2_VEC_H
#define SMX_AVX2_VEC_H

#include <immintrin.h>
#include <stddef.h>

#define VL 8
typedef __m256 vf;
typedef __m256 vm;

static inline __m256i smx_first_k(size_t k)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline vf vf_set1(float a) { return _mm256_set1_ps(a); }
static inline vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf vf_load_part(const float *p, size_t k, float fill)
{
    __m256i m = smx_first_k(k);
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
static inline void vf_store_part(float *p, vf v, size_t k) { _mm256_maskstore_ps(p, smx_first_k(k), v); }
#define SMX_HAVE_STORE_NT
static inline void vf_store_nt(float *p, vf v) { _mm256_stream_ps(p, v); }
static inline void vf_store_nt_fence(void) { _mm_sfence(); }

static inline vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); } /* NaN: returns b */
static inline vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }

/* 2^e as float bits, for e in [-126, 127]. */
static inline __m256 smx_pow2i(__m256i e)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(e, _mm256_set1_epi32(127)), 23));
}
/* n clamped to [-252, 254] and split in two halves so both factors are normal: p * 2^n1 is
 * exact and the second product rounds once, as vscalefps would. */
static inline vf vf_ldexp(vf p, vf n)
{
    n = _mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-252.0f)), _mm256_set1_ps(254.0f));
    __m256i e = _mm256_cvtps_epi32(n);
    __m256i e1 = _mm256_srai_epi32(e, 1);
    return _mm256_mul_ps(_mm256_mul_ps(p, smx_pow2i(e1)), smx_pow2i(_mm256_sub_epi32(e, e1)));
}

/* Softmax's cheaper 2^n (generic/softmax.inc): n <= 1, and results below 2^-126 become +0,
 * which only softmax outputs below FLT_MIN can notice.  One factor instead of two. */
#define SMX_HAVE_LDEXP_FLUSH
static inline vf vf_ldexp_flush(vf p, vf n)
{
    __m256i e = _mm256_cvtps_epi32(_mm256_max_ps(n, _mm256_set1_ps(-127.0f)));
    return _mm256_mul_ps(p, smx_pow2i(e)); /* 2^-127 encodes as +0 */
}

static inline float vf_first(vf v) { return _mm256_cvtss_f32(v); }
static inline float vf_hmax(vf v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}
static inline vf vf_bmax(vf v)
{
    v = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
    v = _mm256_max_ps(v, _mm256_permute_ps(v, 0x4e));
    return _mm256_max_ps(v, _mm256_permute_ps(v, 0xb1));
}
static inline double vf_hsum_d(vf v)
{
    __m256d s = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                              _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
}
static inline vm vm_none(void) { return _mm256_setzero_ps(); }
static inline vm vm_or_nan(vm m, vf v) { return _mm256_or_ps(m, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)); }
static inline vm vm_or_nan2(vm m, vf a, vf b) { return _mm256_or_ps(m, _mm256_cmp_ps(a, b, _CMP_UNORD_Q)); }
static inline int vm_any(vm m) { return _mm256_movemask_ps(m) != 0; }
static inline unsigned vf_eq_bits(vf a, vf b) { return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ)); }
static inline vf vf_sel_eq(vf a, vf b, vf v, vf w) { return _mm256_blendv_ps(v, w, _mm256_cmp_ps(a, b, _CMP_EQ_OQ)); }
static inline vf vf_iota(void) { return _mm256_set_ps(7, 6, 5, 4, 3, 2, 1, 0); }

/* A vector of VL doubles, for sums of exponentials carried in double lane by lane. */
typedef struct { __m256d lo, hi; } vd;
static inline vd vd_zero(void) { vd z = { _mm256_set1_pd(-0.0), _mm256_set1_pd(-0.0) }; return z; }
static inline vd vd_add_f(vd acc, vf v)
{
    acc.lo = _mm256_add_pd(acc.lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    acc.hi = _mm256_add_pd(acc.hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    return acc;
}
static inline double vd_hsum(vd acc)
{
    __m256d s = _mm256_add_pd(acc.lo, acc.hi);
    __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
}

#endif
