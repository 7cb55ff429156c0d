/* The portable reference: kernels/generic/reduce.inc over the one-lane vocabulary. */
#define SMX_ISA scalar
#include "scalar/vec.h"
#include "generic/reduce.inc"
