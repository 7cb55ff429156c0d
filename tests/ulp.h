/* ULP distance for the tests (also used by exp_exhaustive.c, which does not link Check). */
#ifndef SMX_TESTS_ULP_H
#define SMX_TESTS_ULP_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* The spacing of floats at |e|: 2^(floor(log2 |e|) - 23), or 2^-149 below FLT_MIN. */
static inline double tst_ulp(double e)
{
    e = fabs(e);
    if (!(e >= FLT_MIN))
        return 0x1p-149;
    if (e >= 0x1p128)
        return 0x1p104;
    uint64_t u;
    memcpy(&u, &e, sizeof u);
    u &= 0x7ff0000000000000u; /* 2^floor(log2 e) */
    double p;
    memcpy(&p, &u, sizeof p);
    return p * 0x1p-23;
}

/* |y - e| in ULP of the exact value e.  NaN matches NaN and infinities match themselves
 * (0 or +inf); a float +-inf stands for +-2^128, the first value past FLT_MAX. */
static inline double tst_ulp_err(float y, double e)
{
    if (isnan(e) || isnan(y))
        return isnan(e) && isnan(y) ? 0.0 : INFINITY;
    if (isinf(e))
        return (double)y == e ? 0.0 : INFINITY;
    double yd = y;
    if (isinf(y)) {
        if (fabs(e) >= 0x1p128 && (y > 0) == (e > 0))
            return 0.0;
        yd = copysign(0x1p128, y);
    }
    return fabs(yd - e) / tst_ulp(e);
}

#endif
