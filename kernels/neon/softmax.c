/* kernels/generic/softmax.inc over the neon vocabulary. */
#define SMX_ISA neon
#include "neon/vec.h"
#include "generic/softmax.inc"
