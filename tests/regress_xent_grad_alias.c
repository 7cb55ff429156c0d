/* Regression (found by fuzz/fuzz_smx in the working tree just before 7953175, which has the
 * fix): cross-entropy with the gradient written over the logits (grad == logits,
 * ldg == ldl, which include/smx.h allows) must give the same loss and gradient as with a
 * separate gradient buffer.  The confident-row path (others < 2^-80 * the label's term)
 * formed the other terms a second time from z after the first pass had already stored
 * e^(z - shift) into g == z: on the row {-0, -inf} with label 0 (p = {1, 0}, gradient 0)
 * it read the stored 0 back as a logit and returned grad[label] = -0.5 / rows, not -0.
 *
 * Standalone: exits 0 when every ISA this CPU runs gets every case right. */
#include "smx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { N = 12, ROWS = 4 };

int main(void)
{
    int failures = 0;
    /* Rows whose other terms are tiny beside the label's, or zero. */
    static float logits[ROWS][N];
    for (int k = 0; k < N; k++) {
        logits[0][k] = k == 0 ? -0.0f : -INFINITY;   /* the fuzzer's row, padded with -inf */
        logits[1][k] = k == 3 ? 0.0f : -100.0f;
        logits[2][k] = k == 5 ? 10.0f : -95.0f + (float)k;
        logits[3][k] = (float)k * 0.25f;              /* an ordinary row */
    }
    const int32_t labels[ROWS] = { 0, 3, 5, 7 };
    for (int isa = SMX_ISA_SCALAR; isa <= SMX_ISA_NEON; isa++) {
        if (smx_use_isa((smx_isa)isa) != SMX_OK)
            continue;
        float grad[ROWS][N], inplace[ROWS][N], loss_sep, loss_in;
        memcpy(inplace, logits, sizeof inplace);
        if (smx_cross_entropy_f32(&logits[0][0], N, labels, ROWS, N, &loss_sep, &grad[0][0], N) != SMX_OK ||
            smx_cross_entropy_f32(&inplace[0][0], N, labels, ROWS, N, &loss_in, &inplace[0][0], N) != SMX_OK) {
            printf("FAIL %s: cross_entropy did not return SMX_OK\n", smx_isa_name((smx_isa)isa));
            failures++;
            continue;
        }
        if (memcmp(&loss_sep, &loss_in, sizeof loss_sep) != 0) {
            printf("FAIL %s: loss %a with a separate gradient, %a with grad == logits\n",
                   smx_isa_name((smx_isa)isa), loss_sep, loss_in);
            failures++;
        }
        for (int r = 0; r < ROWS; r++)
            for (int k = 0; k < N; k++)
                if (memcmp(&grad[r][k], &inplace[r][k], sizeof(float)) != 0) {
                    printf("FAIL %s: row %d grad[%d] = %a separately, %a over the logits\n",
                           smx_isa_name((smx_isa)isa), r, k, grad[r][k], inplace[r][k]);
                    failures++;
                }
        /* Row 0 exactly: p = {1, 0, ...}, so the gradient is 0 everywhere. */
        for (int k = 0; k < N; k++)
            if (inplace[0][k] != 0.0f) {
                printf("FAIL %s: row {-0, -inf...} grad[%d] = %a, expected 0\n",
                       smx_isa_name((smx_isa)isa), k, inplace[0][k]);
                failures++;
            }
    }
    if (!failures)
        printf("regress_xent_grad_alias: OK\n");
    return failures ? 1 : 0;
}
