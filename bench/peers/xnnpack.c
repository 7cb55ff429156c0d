/* XNNPACK's softmax_nc_f32 operator behind peers.h's C interface, run on the calling thread
 * (no pthreadpool).  The operator is created once per shape; xnn_setup_softmax_nc_f32 is
 * called again only when the pointers change, so a timed call is xnn_run_operator alone. */
#include <stdio.h>
#include <stdlib.h>

#include <xnnpack.h>

#include "peers.h"

struct xnnpack_softmax {
    xnn_operator_t op;
    size_t rows;
    const float *x;
    float *y;
};

xnnpack_softmax *xnnpack_softmax_create(size_t rows, size_t n) {
    static int initialized; /* xnn_initialize is idempotent, but cheap to skip */
    if (!initialized) {
        if (xnn_initialize(NULL) != xnn_status_success) return NULL;
        initialized = 1;
    }
    xnnpack_softmax *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->rows = rows;
    if (xnn_create_softmax_nc_f32(n, n, n, 0, &s->op) != xnn_status_success) {
        fprintf(stderr, "XNNPACK softmax %zux%zu: create failed\n", rows, n);
        free(s);
        return NULL;
    }
    return s;
}

int xnnpack_softmax_run(xnnpack_softmax *s, const float *x, float *y) {
    if (x != s->x || y != s->y) {
        if (xnn_setup_softmax_nc_f32(s->op, s->rows, x, y, NULL) != xnn_status_success) return -1;
        s->x = x;
        s->y = y;
    }
    return xnn_run_operator(s->op, NULL) == xnn_status_success ? 0 : -1;
}

void xnnpack_softmax_destroy(xnnpack_softmax *s) {
    if (!s) return;
    xnn_delete_operator(s->op);
    free(s);
}
