/* SMX_FN(op) names the kernel for the ISA being compiled: smx_f32_<op>__<SMX_ISA>. */
#ifndef SMX_NAME_H
#define SMX_NAME_H
#define SMX_NAME_(op, isa) smx_f32_##op##__##isa
#define SMX_NAME(op, isa) SMX_NAME_(op, isa)
#define SMX_FN(op) SMX_NAME(op, SMX_ISA)

/* Unrolled loops keep SMX_UNROLL independent accumulators; every SMX_FLUSH iterations their
 * lanes are added into a double.  A lane so sees at most SMX_FLUSH additions (plus two to
 * combine the accumulators) before its partial sum reaches double: DESIGN.md's short blocks,
 * which keep a sum of 2^20 terms within (4 + 2 log2 n) 2^-24 of exact. */
#define SMX_UNROLL 4
#define SMX_FLUSH 4
#endif
