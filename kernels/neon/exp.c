/* kernels/generic/exp.inc over the neon vocabulary. */
#define SMX_ISA neon
#include "neon/vec.h"
#include "generic/exp.inc"
