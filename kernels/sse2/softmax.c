/* kernels/generic/softmax.inc over the sse2 vocabulary. */
#define SMX_ISA sse2
#include "sse2/vec.h"
#include "generic/softmax.inc"
