/* kernels/generic/softmax.inc over the avx2 vocabulary, with the table-based row exp. */
#define SMX_ISA avx2
#include "avx2/vec.h"
#include "avx2/row_exp.h"
#include "generic/softmax.inc"
