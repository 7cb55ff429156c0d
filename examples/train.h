/* Softmax regression trained by mini-batch SGD: smx for the loss and its gradient, BLAS for
 * the two matrix products.
 *
 * For a batch X (rows x inputs) with labels y, the model's logits are Z = X W^T + b, with
 * W (classes x inputs) and b (classes).  The loss is the mean cross-entropy
 *     J = -(1/rows) sum_i log softmax(Z_i)[y_i],
 * and with G = dJ/dZ = (softmax(Z) - onehot(y)) / rows, which smx_cross_entropy_f32 returns
 * together with J, the chain rule gives
 *     dJ/dW = G^T X   (a matrix product: cblas_sgemm)
 *     dJ/db = G^T 1   (the column sums of G: cblas_sgemv with a vector of ones). */
#ifndef TRAIN_H
#define TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "mnist_idx.h"

/* Where the time goes, in seconds: in smx calls, and in BLAS calls. */
typedef struct train_timers {
    double smx;
    double blas;
} train_timers;

typedef struct softmax_regression {
    size_t inputs, classes, max_rows;

    float *weights; /* classes x inputs, row-major: row k holds class k's weights */
    float *bias;    /* classes */

    float *grad_weights; /* dJ/dW and dJ/db of the last batch, shaped like the parameters */
    float *grad_bias;

    /* Workspace for batches of up to max_rows rows. */
    float   *logits;       /* max_rows x classes; after the loss, the gradient G (in place) */
    float   *ones;         /* max_rows ones, to sum G's columns with a matrix-vector product */
    float   *batch_images; /* max_rows x inputs: the gathered mini-batch */
    int32_t *batch_labels; /* max_rows */
} softmax_regression;

/* Parameters start at zero (the loss is convex, so no symmetry needs breaking).
 * Returns 0, or -1 if memory ran out. */
int  model_init(softmax_regression *model, size_t inputs, size_t classes, size_t max_rows);
void model_free(softmax_regression *model);

/* model->logits = images W^T + b for rows <= max_rows images (row-major, inputs floats each). */
void model_forward(softmax_regression *model, const float *images, size_t rows,
                   train_timers *timers);

/* Mean loss of the batch; leaves dJ/dW and dJ/db in grad_weights and grad_bias. */
float model_gradient(softmax_regression *model, const float *images, const int32_t *labels,
                     size_t rows, train_timers *timers);

/* One SGD step on a batch: W -= lr dJ/dW, b -= lr dJ/db.  Returns the batch's loss before
 * the step. */
float model_sgd_step(softmax_regression *model, const float *images, const int32_t *labels,
                     size_t rows, float learning_rate, train_timers *timers);

/* Mean loss and accuracy (fraction of argmax(logits) == label) over a whole set. */
void model_evaluate(softmax_regression *model, const mnist_set *set, train_timers *timers,
                    double *loss, double *accuracy);

/* A tiny seeded random generator (splitmix64), so that runs are reproducible. */
uint64_t random_next(uint64_t *state);

/* order[0..n) = a uniformly random permutation of 0..n-1 (Fisher-Yates). */
void shuffle_indices(size_t *order, size_t n, uint64_t *rng_state);

/* One pass over set in mini-batches of batch_size images (the last one may be smaller),
 * taken in the given order.  Returns the mean of the batches' losses. */
double train_epoch(softmax_regression *model, const mnist_set *set, const size_t *order,
                   size_t batch_size, float learning_rate, train_timers *timers);

/* Seconds on CLOCK_MONOTONIC. */
double seconds_now(void);

#endif
