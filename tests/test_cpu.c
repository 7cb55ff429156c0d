/* CPU detection as pure functions (dispatch/cpu.h): the CPUID leaves and XCR0 of CPUs we
 * do not have, HWCAP on AArch64, and the tier order.  No ISA loop: nothing here runs a
 * kernel.  The functions are pure, so they are tested on every architecture. */
#include <check.h>
#include <stdlib.h>

#include "cpu.h"

#define BIT(n) (1u << (n))
#define SCALAR BIT(SMX_ISA_SCALAR)
#define SSE2   BIT(SMX_ISA_SSE2)
#define AVX2   BIT(SMX_ISA_AVX2)
#define AVX512 BIT(SMX_ISA_AVX512)
#define NEON   BIT(SMX_ISA_NEON)

/* CPUID.1:EDX of every x86-64 CPU since 2008 below: 0xbfebfbff (Intel) / 0x178bfbff (AMD);
 * both have FPU(0) ... SSE(25) SSE2(26). */
#define EDX1_INTEL 0xbfebfbffu
#define EDX1_AMD   0x178bfbffu

struct cpu_case {
    const char *name;
    struct smx_x86_cpuid regs;
    unsigned want;
};

static const struct cpu_case cases[] = {
    /* Nehalem (Core i7-920).  ECX 0x0098e3bd: SSE3(0) ... SSSE3(9) CX16(13) SSE4.1(19)
     * SSE4.2(20) POPCNT(23); no XSAVE(26), OSXSAVE(27), AVX(28).  XCR0 cannot be read, so
     * whatever is in the field must be ignored: here a value that would allow AVX-512. */
    { "Nehalem (SSE2 only, no OSXSAVE)", { 0xb, 0x0098e3bdu, EDX1_INTEL, 0, 0xe7 },
      SCALAR | SSE2 },
    /* Sandy Bridge (i7-2600): AVX(28) + OSXSAVE(27) + XSAVE(26), no FMA(12); leaf 7 EBX
     * 0x0: no AVX2.  XCR0 0x7 = x87|SSE|AVX. */
    { "Sandy Bridge (AVX, no AVX2/FMA)", { 0xd, 0x1fbae3ffu, EDX1_INTEL, 0x0, 0x7 },
      SCALAR | SSE2 },
    /* Haswell (i7-4770).  ECX 0x7ffafbff: FMA(12) MOVBE(22) XSAVE(26) OSXSAVE(27) AVX(28)
     * F16C(29) RDRAND(30).  Leaf 7 EBX 0x000027ab: FSGSBASE(0) BMI1(3) AVX2(5) SMEP(7)
     * BMI2(8) ERMS(9) INVPCID(10).  XCR0 0x7: x87(0) SSE(1) AVX(2). */
    { "Haswell", { 0xd, 0x7ffafbffu, EDX1_INTEL, 0x000027abu, 0x7 }, SCALAR | SSE2 | AVX2 },
    /* Skylake-X (i9-7900X).  Leaf 7 EBX 0xd39ffffb: AVX2(5) AVX512F(16) DQ(17) RDSEED(18)
     * ADX(19) SMAP(20) CLFLUSHOPT(23) CLWB(24) PT(25) CD(28) BW(30) VL(31).  XCR0 0xe7 adds
     * opmask(5) ZMM_Hi256(6) Hi16_ZMM(7). */
    { "Skylake-X", { 0x16, 0x7ffefbffu, EDX1_INTEL, 0xd39ffffbu, 0xe7 },
      SCALAR | SSE2 | AVX2 | AVX512 },
    /* The same under Linux, which also enables MPX BNDREGS/BNDCSR(3,4) and PKRU(9): 0x2ff. */
    { "Skylake-X, Linux XCR0 0x2ff", { 0x16, 0x7ffefbffu, EDX1_INTEL, 0xd39ffffbu, 0x2ff },
      SCALAR | SSE2 | AVX2 | AVX512 },
    /* A hypervisor that passes AVX-512 through CPUID but clears XCR0 bits 5-7. */
    { "Skylake-X, XCR0 without ZMM state", { 0x16, 0x7ffefbffu, EDX1_INTEL, 0xd39ffffbu, 0x7 },
      SCALAR | SSE2 | AVX2 },
    /* Only two of the three AVX-512 state components: still no AVX-512 (0xa7 lacks bit 6). */
    { "Skylake-X, XCR0 without ZMM_Hi256", { 0x16, 0x7ffefbffu, EDX1_INTEL, 0xd39ffffbu, 0xa7 },
      SCALAR | SSE2 | AVX2 },
    /* Knights Landing (Xeon Phi 7210): AVX512F(16) ER(27) PF(26) CD(28) but no DQ, BW, VL,
     * which our AVX-512 kernels use.  Leaf 7 EBX 0x1c0d23ab. */
    { "Knights Landing (AVX-512F without BW/DQ/VL)",
      { 0xd, 0x7ff8f3bfu, EDX1_INTEL, 0x1c0d23abu, 0xe7 }, SCALAR | SSE2 | AVX2 },
    /* A VM that hides FMA(12) but passes AVX2 through (Haswell with ECX bit 12 cleared). */
    { "AVX2 without FMA", { 0xd, 0x7ffaebffu, EDX1_INTEL, 0x000027abu, 0x7 }, SCALAR | SSE2 },
    /* An OS that enables XSAVE but not AVX state: OSXSAVE(27) set, XCR0 0x3 = x87|SSE. */
    { "OSXSAVE, XCR0 without YMM state", { 0xd, 0x7ffafbffu, EDX1_INTEL, 0x000027abu, 0x3 },
      SCALAR | SSE2 },
    /* BIOS "Limit CPUID Maxval": max leaf 3, so leaf 7 is not valid (Intel CPUs then return
     * the highest basic leaf's data for it: garbage that must not be trusted). */
    { "Haswell with CPUID max leaf 3", { 0x3, 0x7ffafbffu, EDX1_INTEL, 0xffffffffu, 0x7 },
      SCALAR | SSE2 },
    /* Zen 5 (EPYC 9005 / Ryzen 9000; CPUID.1:EAX 0xb00f21).  ECX 0x7ed83203: SSE3(0)
     * PCLMUL(1) SSSE3(9) FMA(12) CX16(13) SSE4.1(19) SSE4.2(20) MOVBE(22) POPCNT(23) AES(25)
     * XSAVE(26) OSXSAVE(27) AVX(28) F16C(29) RDRAND(30).  Leaf 7 EBX 0xf1bb03a9: AVX2(5)
     * AVX512F(16) DQ(17) IFMA(21) CD(28) SHA(29) BW(30) VL(31).  XCR0 0x2e7: x87 SSE AVX
     * opmask ZMM_Hi256 Hi16_ZMM PKRU(9). */
    { "Zen 5", { 0x10, 0x7ed83203u, EDX1_AMD, 0xf1bb03a9u, 0x2e7 },
      SCALAR | SSE2 | AVX2 | AVX512 },
    /* Not even SSE2 (a 32-bit-era CPUID: EDX without bit 26): scalar only. */
    { "Pentium III (no SSE2)", { 0x2, 0x0, 0x0383f9ffu, 0x0, 0x0 }, SCALAR },
};

START_TEST(test_x86_isa_mask)
{
    const struct cpu_case *c = &cases[_i];
    unsigned got = smx_x86_isa_mask(&c->regs);
    ck_assert_msg(got == c->want, "%s: smx_x86_isa_mask = %#x, expected %#x", c->name, got,
                  c->want);
}
END_TEST

START_TEST(test_arm_isa_mask)
{
    /* Cortex-A72: fp(0) asimd(1) evtstrm(2) aes(3) pmull(4) sha1(5) sha2(6) crc32(7). */
    ck_assert_uint_eq(smx_arm_isa_mask(0xff), SCALAR | NEON);
    /* Neoverse N1: adds atomics(8) fphp(9) asimdhp(10) cpuid(11) asimdrdm(12) ... */
    ck_assert_uint_eq(smx_arm_isa_mask(0x1fffffu), SCALAR | NEON);
    ck_assert_uint_eq(smx_arm_isa_mask(0x3), SCALAR | NEON);
    /* No HWCAP_ASIMD (bit 1): no NEON, whatever else is set. */
    ck_assert_uint_eq(smx_arm_isa_mask(0x0), SCALAR);
    ck_assert_uint_eq(smx_arm_isa_mask(0x1), SCALAR);
    ck_assert_uint_eq(smx_arm_isa_mask(0xfdu), SCALAR);
}
END_TEST

START_TEST(test_best_isa)
{
    ck_assert_int_eq(smx_best_isa(SCALAR), SMX_ISA_SCALAR);
    ck_assert_int_eq(smx_best_isa(SCALAR | SSE2), SMX_ISA_SSE2);
    ck_assert_int_eq(smx_best_isa(SCALAR | SSE2 | AVX2), SMX_ISA_AVX2);
    ck_assert_int_eq(smx_best_isa(SCALAR | SSE2 | AVX2 | AVX512), SMX_ISA_AVX512);
    ck_assert_int_eq(smx_best_isa(SCALAR | NEON), SMX_ISA_NEON);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) /* the order of the tiers */
        ck_assert_int_eq(smx_best_isa(cases[c].want),
                         cases[c].want & AVX512 ? SMX_ISA_AVX512
                         : cases[c].want & AVX2 ? SMX_ISA_AVX2
                         : cases[c].want & SSE2 ? SMX_ISA_SSE2 : SMX_ISA_SCALAR);
}
END_TEST

/* The host mask agrees with the public API, and the active ISA is one of them. */
START_TEST(test_host_mask)
{
    unsigned host = smx_host_isa_mask();
    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++)
        ck_assert_msg(((host >> isa) & 1u) == (unsigned)smx_isa_supported((smx_isa)isa),
                      "host mask %#x disagrees with smx_isa_supported(%s)", host,
                      smx_isa_name((smx_isa)isa));
    ck_assert(host & SCALAR);
    if (!getenv("SMX_ISA"))
        ck_assert_int_eq(smx_active_isa(), smx_best_isa(host));
}
END_TEST

/* The vendor test behind the streaming-store default (dispatch.c): CPUID.0's EBX, EDX, ECX
 * spell the vendor in that order, four bytes each, little-endian. */
static void vendor_regs(const char *v, uint32_t *ebx, uint32_t *edx, uint32_t *ecx)
{
    uint32_t r[3] = { 0, 0, 0 };
    for (int i = 0; i < 12; i++)
        r[i / 4] |= (uint32_t)(unsigned char)v[i] << (8 * (i % 4));
    *ebx = r[0];
    *edx = r[1];
    *ecx = r[2];
}

START_TEST(test_vendor)
{
    uint32_t b, d, c;
    vendor_regs("GenuineIntel", &b, &d, &c);
    ck_assert(smx_x86_is_intel(b, d, c));
    ck_assert(!smx_x86_is_intel(b, c, d)); /* the order matters */
    vendor_regs("AuthenticAMD", &b, &d, &c);
    ck_assert(!smx_x86_is_intel(b, d, c));
    vendor_regs("HygonGenuine", &b, &d, &c);
    ck_assert(!smx_x86_is_intel(b, d, c));
    vendor_regs("GenuineIotel", &b, &d, &c); /* one byte off */
    ck_assert(!smx_x86_is_intel(b, d, c));
#if !defined(__x86_64__) && !defined(__i386__)
    ck_assert(!smx_host_is_intel());
#endif
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("detection");
    tcase_add_loop_test(tc, test_x86_isa_mask, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_arm_isa_mask);
    tcase_add_test(tc, test_best_isa);
    tcase_add_test(tc, test_host_mask);
    tcase_add_test(tc, test_vendor);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
