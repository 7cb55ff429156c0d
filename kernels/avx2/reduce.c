/* kernels/generic/reduce.inc over the avx2 vocabulary. */
#define SMX_ISA avx2
#include "avx2/vec.h"
#include "generic/reduce.inc"
