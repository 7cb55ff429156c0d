/* Rows of 2^21 floats and more take the two-pass path on AVX-512 (online max and sum per
 * 2048-element chunk, then exp-and-scale; log-softmax and logsumexp take the online pass
 * at any length and on every ISA); rows of 129 to 2^21 floats (not in place) the chunked
 * form (nums stored per chunk at the running max's scale, rescaled chunk by chunk): run at
 * n = 2^21 + 5 and at n = 100003.  Its special cases fall back to the
 * three-pass path; this checks that every ISA gives the row semantics of include/smx.h and
 * the 4-ULP bound there: a NaN late in the row, a +inf, a fully masked row, masked chunks,
 * a large max (shift = m), and a max that grows chunk after chunk (the running sum is
 * rescaled).  SMX_TEST_QUICK=1 (emulators, valgrind) keeps three of the cases.
 *
 * Standalone: exits 0 when every ISA this CPU runs gets every case right. */
#include "smx.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static long double ulp_float(long double e)
{
    e = fabsl(e);
    return e < 0x1p-126L ? 0x1p-149L : ldexpl(1.0L, ilogbl(e) - 23);
}

static int run(size_t n)
{
    const int quick = getenv("SMX_TEST_QUICK") != NULL;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    int failures = 0;
    if (!x || !y)
        return 2;
    for (int c = 0; c < 6; c++) {
        if (quick && c != 0 && c != 3 && c != 5)
            continue;
        srand(c + 1);
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(10.0 * rand() / RAND_MAX - 5.0);
        const char *name = "";
        switch (c) {
        case 0: name = "NaN late"; x[n - 3] = NAN; break;
        case 1: name = "+inf"; x[77777] = INFINITY; break;
        case 2: name = "all -inf"; for (size_t i = 0; i < n; i++) x[i] = -INFINITY; break;
        case 3: name = "masked chunks";
            for (size_t i = 0; i < n; i++) if ((i / 5000) % 2) x[i] = -INFINITY;
            break;
        case 4: name = "max 1000"; for (size_t i = 0; i < n; i++) x[i] += 1000.0f; break;
        case 5: name = "growing max";
            for (size_t i = 0; i < n; i++) x[i] = (float)i * 1e-4f - 100.0f; /* up to ~110 */
            break;
        }
        int nan_row = 0;
        long double m = -INFINITY, s = 0.0L;
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i]) || x[i] == INFINITY)
                nan_row = 1;
            else if (x[i] > m)
                m = x[i];
        }
        if (!nan_row && m != -INFINITY)
            for (size_t i = 0; i < n; i++)
                s += expl((long double)x[i] - m);
        for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
            if (smx_use_isa((smx_isa)isa) != SMX_OK)
                continue;
            smx_softmax_f32(x, y, n);
            size_t bad = n;
            for (size_t i = 0; i < n && bad == n; i++) {
                if (nan_row)
                    bad = isnan(y[i]) ? n : i;
                else if (m == -INFINITY)
                    bad = y[i] == 0.0f ? n : i;
                else {
                    long double e = expl((long double)x[i] - m) / s;
                    if (e >= FLT_MIN && fabsl((long double)y[i] - e) > 4 * ulp_float(e))
                        bad = i;
                }
            }
            if (bad != n) {
                printf("FAIL n=%zu %s, %s: y[%zu] = %a\n", n, name, smx_isa_name((smx_isa)isa),
                       bad, y[bad]);
                failures++;
            }
        }
    }
    free(x);
    free(y);
    return failures;
}

int main(void)
{
    int failures = run(((size_t)1 << 21) + 5) + run(100003);
    if (!failures)
        printf("regress_two_pass_specials: OK\n");
    return failures ? 1 : 0;
}
