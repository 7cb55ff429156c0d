/* The portable reference: kernels/generic/softmax.inc over the one-lane vocabulary. */
#define SMX_ISA scalar
#include "scalar/vec.h"
#include "generic/softmax.inc"
