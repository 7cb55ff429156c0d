/* kernels/generic/exp.inc over the avx512 vocabulary. */
#define SMX_ISA avx512
#include "avx512/vec.h"
#include "generic/exp.inc"
