/* Internal: CPU feature detection as pure functions of register values, so tests can feed
 * the CPUID leaves and XCR0 of CPUs we do not have. */
#ifndef SMX_CPU_H
#define SMX_CPU_H

#include <stdint.h>
#include "smx.h"

/* The registers that decide x86 ISA support. */
struct smx_x86_cpuid {
    uint32_t max_leaf;   /* CPUID.0:EAX                                             */
    uint32_t leaf1_ecx;  /* CPUID.1:ECX   (FMA bit 12, OSXSAVE bit 27, AVX bit 28)   */
    uint32_t leaf1_edx;  /* CPUID.1:EDX   (SSE2 bit 26)                              */
    uint32_t leaf7_ebx;  /* CPUID.7.0:EBX (AVX2 bit 5, AVX512F 16, DQ 17, BW 30, VL 31) */
    uint64_t xcr0;       /* XGETBV(0); only meaningful when OSXSAVE is set           */
};

/* Bit (1u << isa) set for every ISA whose kernels these registers allow (scalar always). */
unsigned smx_x86_isa_mask(const struct smx_x86_cpuid *regs);

/* Same for AArch64 from AT_HWCAP (HWCAP_ASIMD = bit 1; FP = bit 0). */
unsigned smx_arm_isa_mask(uint64_t hwcap);

/* The registers of the CPU we run on (x86) and the mask for it (any architecture), limited
 * to the ISAs this build has kernels for. */
unsigned smx_host_isa_mask(void);

/* Whether the CPU's vendor string (CPUID.0: EBX, EDX, ECX) is "GenuineIntel"; and the same
 * for the CPU we run on (0 on other architectures). */
int smx_x86_is_intel(uint32_t ebx, uint32_t edx, uint32_t ecx);
int smx_host_is_intel(void);

/* Highest ISA in mask, in tier order scalar < sse2 < avx2 < avx512 and scalar < neon. */
smx_isa smx_best_isa(unsigned mask);

#endif
