/* The portable reference: kernels/generic/exp.inc over the one-lane vocabulary. */
#define SMX_ISA scalar
#include "scalar/vec.h"
#include "generic/exp.inc"
