/* The exp constants every core shares (generic/exp_core.h describes the algorithm; SSE2's
 * own core in sse2/vec.h, included before exp_core.h, uses the same polynomial). */
#ifndef SMX_EXP_CONST_H
#define SMX_EXP_CONST_H

#define SMX_LOG2E   0x1.715476p+0f   /* 1/ln2 rounded to float                   */
#define SMX_LN2_HI  0x1.62e430p-1f   /* ln2 rounded to float                     */
#define SMX_LN2_LO -0x1.05c610p-29f  /* ln2 - SMX_LN2_HI rounded; |rest| < 1e-16 */
#define SMX_EXP_C2  0x1.fffffcp-2f
#define SMX_EXP_C3  0x1.555492p-3f
#define SMX_EXP_C4  0x1.5558f2p-5f
#define SMX_EXP_C5  0x1.1239d4p-7f
#define SMX_EXP_C6  0x1.6a244cp-10f

/* Inputs below this give +0: e^-104 < 2^-150, half the smallest subnormal. */
#define SMX_EXP_LO -104.0f
/* Inputs above this give +inf (e^89 > FLT_MAX); the clamp keeps n within vf_ldexp's reach. */
#define SMX_EXP_HI 89.0f

#endif
