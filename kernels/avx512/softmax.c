/* kernels/generic/softmax.inc over the avx512 vocabulary, with the table-based row exp. */
#define SMX_ISA avx512
#include "avx512/vec.h"
#include "avx512/row_exp.h"
#include "generic/softmax.inc"
