/* The SLEEF files this build has (PEER_HAVE_SLEEF_<ISA>, set by meson) and this CPU runs.
 * GCC's __builtin_cpu_supports checks the OS's XSAVE state (XCR0) too, not just CPUID. */
#include <string.h>

#include "peers.h"

static int cpu_runs(const char *isa) {
    if (strcmp(isa, "scalar") == 0) return 1;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (strcmp(isa, "sse2") == 0) return __builtin_cpu_supports("sse2");
    if (strcmp(isa, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
#endif
#if defined(__aarch64__)
    if (strcmp(isa, "neon") == 0) return 1; /* Advanced SIMD is baseline on AArch64 */
#endif
    return 0;
}

#define ROW(isa) {#isa, sleef_softmax_f32_##isa, sleef_log_softmax_f32_##isa, sleef_exp_f32_##isa}

static const struct peer_sleef all[] = {
#ifdef PEER_HAVE_SLEEF_SCALAR
    ROW(scalar),
#endif
#ifdef PEER_HAVE_SLEEF_SSE2
    ROW(sse2),
#endif
#ifdef PEER_HAVE_SLEEF_AVX2
    ROW(avx2),
#endif
#ifdef PEER_HAVE_SLEEF_AVX512
    ROW(avx512),
#endif
#ifdef PEER_HAVE_SLEEF_NEON
    ROW(neon),
#endif
    {NULL, NULL, NULL, NULL},
};

size_t peer_sleef_isas(const struct peer_sleef **out, size_t max) {
    size_t k = 0;
    for (const struct peer_sleef *s = all; s->isa && k < max; s++)
        if (cpu_runs(s->isa)) out[k++] = s;
    return k;
}
