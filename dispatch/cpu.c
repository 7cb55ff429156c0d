/* CPU feature detection: pure functions of register values, plus the one place that reads
 * the registers of the CPU we run on.  Compiled without ISA flags. */
#include "cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#define BIT(n) (1u << (n))

/* CPUID.1:EDX */
#define EDX1_SSE2      BIT(26)
/* CPUID.1:ECX */
#define ECX1_FMA       BIT(12)
#define ECX1_OSXSAVE   BIT(27) /* the OS enabled XGETBV/XSAVE: XCR0 can be read   */
#define ECX1_AVX       BIT(28)
/* CPUID.7.0:EBX */
#define EBX7_AVX2      BIT(5)
#define EBX7_AVX512F   BIT(16)
#define EBX7_AVX512DQ  BIT(17)
#define EBX7_AVX512BW  BIT(30)
#define EBX7_AVX512VL  BIT(31)
/* XCR0: which register state the OS saves on a context switch */
#define XCR0_XMM_YMM   0x6ull  /* bits 1 (SSE) and 2 (AVX upper halves)                  */
#define XCR0_AVX512    0xe0ull /* bits 5 (opmask), 6 (ZMM_Hi256), 7 (Hi16_ZMM)            */

unsigned smx_x86_isa_mask(const struct smx_x86_cpuid *r)
{
    unsigned mask = BIT(SMX_ISA_SCALAR);
    if (!(r->leaf1_edx & EDX1_SSE2))
        return mask;
    mask |= BIT(SMX_ISA_SSE2);

    /* AVX2 tier: the OS must save YMM state, the CPU must have AVX, AVX2 and FMA. */
    if (!(r->leaf1_ecx & ECX1_OSXSAVE) || (r->xcr0 & XCR0_XMM_YMM) != XCR0_XMM_YMM)
        return mask;
    if (!(r->leaf1_ecx & ECX1_AVX) || !(r->leaf1_ecx & ECX1_FMA) || r->max_leaf < 7 ||
        !(r->leaf7_ebx & EBX7_AVX2))
        return mask;
    mask |= BIT(SMX_ISA_AVX2);

    /* AVX-512 tier: opmask and ZMM state saved (a hypervisor may clear these while CPUID
     * still reports AVX-512), and the F/DQ/BW/VL subsets our kernels use. */
    const uint32_t avx512 = EBX7_AVX512F | EBX7_AVX512DQ | EBX7_AVX512BW | EBX7_AVX512VL;
    if ((r->xcr0 & XCR0_AVX512) != XCR0_AVX512 || (r->leaf7_ebx & avx512) != avx512)
        return mask;
    return mask | BIT(SMX_ISA_AVX512);
}

#define HWCAP_FP_BIT    BIT(0)
#define HWCAP_ASIMD_BIT BIT(1) /* Advanced SIMD: baseline on AArch64, read anyway */

unsigned smx_arm_isa_mask(uint64_t hwcap)
{
    unsigned mask = BIT(SMX_ISA_SCALAR);
    if ((hwcap & HWCAP_FP_BIT) && (hwcap & HWCAP_ASIMD_BIT))
        mask |= BIT(SMX_ISA_NEON);
    return mask;
}

smx_isa smx_best_isa(unsigned mask)
{
    static const smx_isa order[] = { SMX_ISA_NEON, SMX_ISA_AVX512, SMX_ISA_AVX2, SMX_ISA_SSE2 };
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (mask & BIT(order[i]))
            return order[i];
    return SMX_ISA_SCALAR;
}

/* The ISAs this build has kernels for. */
static unsigned built_mask(void)
{
    unsigned mask = BIT(SMX_ISA_SCALAR);
#ifdef SMX_HAVE_SSE2
    mask |= BIT(SMX_ISA_SSE2);
#endif
#ifdef SMX_HAVE_AVX2
    mask |= BIT(SMX_ISA_AVX2);
#endif
#ifdef SMX_HAVE_AVX512
    mask |= BIT(SMX_ISA_AVX512);
#endif
#ifdef SMX_HAVE_NEON
    mask |= BIT(SMX_ISA_NEON);
#endif
    return mask;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    /* xgetbv with ECX = 0, spelled as bytes so that no -mxsave flag is needed here. */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}
#endif

unsigned smx_host_isa_mask(void)
{
    unsigned mask = BIT(SMX_ISA_SCALAR);
#if defined(__x86_64__) || defined(__i386__)
    struct smx_x86_cpuid r = { 0 };
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d)) {
        r.max_leaf = a;
        __get_cpuid(1, &a, &b, &c, &d);
        r.leaf1_ecx = c;
        r.leaf1_edx = d;
        if (r.max_leaf >= 7) {
            __cpuid_count(7, 0, a, b, c, d);
            r.leaf7_ebx = b;
        }
        if (r.leaf1_ecx & ECX1_OSXSAVE)
            r.xcr0 = read_xcr0();
    }
    mask = smx_x86_isa_mask(&r);
#elif defined(__aarch64__) && defined(__linux__)
    mask = smx_arm_isa_mask(getauxval(AT_HWCAP));
#elif defined(__aarch64__)
    mask = smx_arm_isa_mask(HWCAP_FP_BIT | HWCAP_ASIMD_BIT);
#endif
    return mask & built_mask();
}

int smx_x86_is_intel(uint32_t ebx, uint32_t edx, uint32_t ecx)
{
    /* "Genu" "ineI" "ntel", little-endian. */
    return ebx == 0x756e6547u && edx == 0x49656e69u && ecx == 0x6c65746eu;
}

int smx_host_is_intel(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    return __get_cpuid(0, &a, &b, &c, &d) && smx_x86_is_intel(b, d, c);
#else
    return 0;
#endif
}
