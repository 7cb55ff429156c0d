/* Softmax regression by mini-batch SGD; see train.h for the math. */
#include "train.h"

#include <cblas.h>
#include <smx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int model_init(softmax_regression *model, size_t inputs, size_t classes, size_t max_rows)
{
    memset(model, 0, sizeof *model);
    model->inputs = inputs;
    model->classes = classes;
    model->max_rows = max_rows;
    model->weights = calloc(classes * inputs, sizeof(float));
    model->bias = calloc(classes, sizeof(float));
    model->grad_weights = calloc(classes * inputs, sizeof(float));
    model->grad_bias = calloc(classes, sizeof(float));
    model->logits = calloc(max_rows * classes, sizeof(float));
    model->ones = malloc(max_rows * sizeof(float));
    model->batch_images = malloc(max_rows * inputs * sizeof(float));
    model->batch_labels = malloc(max_rows * sizeof(int32_t));
    if (!model->weights || !model->bias || !model->grad_weights || !model->grad_bias ||
        !model->logits || !model->ones || !model->batch_images || !model->batch_labels) {
        model_free(model);
        return -1;
    }
    for (size_t i = 0; i < max_rows; i++)
        model->ones[i] = 1.0f;
    return 0;
}

void model_free(softmax_regression *model)
{
    free(model->weights);
    free(model->bias);
    free(model->grad_weights);
    free(model->grad_bias);
    free(model->logits);
    free(model->ones);
    free(model->batch_images);
    free(model->batch_labels);
    memset(model, 0, sizeof *model);
}

void model_forward(softmax_regression *model, const float *images, size_t rows,
                   train_timers *timers)
{
    const int m = (int)rows, k = (int)model->inputs, n = (int)model->classes;

    /* Start every row of the logits at b, then add X W^T to it (beta = 1). */
    for (size_t r = 0; r < rows; r++)
        memcpy(model->logits + r * model->classes, model->bias, model->classes * sizeof(float));

    double t0 = seconds_now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k,
                1.0f, images, k, model->weights, k,
                1.0f, model->logits, n);
    timers->blas += seconds_now() - t0;
}

float model_gradient(softmax_regression *model, const float *images, const int32_t *labels,
                     size_t rows, train_timers *timers)
{
    const int m = (int)rows, k = (int)model->inputs, n = (int)model->classes;
    model_forward(model, images, rows, timers);

    /* Loss and G = dJ/dZ in one fused call.  Passing the logits as the gradient buffer too
     * (allowed when ldg == ldl) overwrites Z with G: the logits are not needed afterwards,
     * so no second rows x classes buffer is needed. */
    float loss;
    double t0 = seconds_now();
    smx_status status = smx_cross_entropy_f32(model->logits, model->classes, labels, rows,
                                              model->classes, &loss, model->logits,
                                              model->classes);
    timers->smx += seconds_now() - t0;
    if (status != SMX_OK) {
        /* Only a label >= classes can cause this here; the IDX reader rules that out. */
        fprintf(stderr, "smx_cross_entropy_f32 failed (%d): a label is out of range\n",
                (int)status);
        abort();
    }
    const float *grad_logits = model->logits;

    t0 = seconds_now();
    /* dJ/dW = G^T X: (classes x rows) times (rows x inputs). */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, m,
                1.0f, grad_logits, n, images, k,
                0.0f, model->grad_weights, k);
    /* dJ/db = G^T 1: the sum of G's rows. */
    cblas_sgemv(CblasRowMajor, CblasTrans, m, n,
                1.0f, grad_logits, n, model->ones, 1,
                0.0f, model->grad_bias, 1);
    timers->blas += seconds_now() - t0;
    return loss;
}

float model_sgd_step(softmax_regression *model, const float *images, const int32_t *labels,
                     size_t rows, float learning_rate, train_timers *timers)
{
    float loss = model_gradient(model, images, labels, rows, timers);

    double t0 = seconds_now();
    cblas_saxpy((int)(model->classes * model->inputs), -learning_rate, model->grad_weights, 1,
                model->weights, 1);
    cblas_saxpy((int)model->classes, -learning_rate, model->grad_bias, 1, model->bias, 1);
    timers->blas += seconds_now() - t0;
    return loss;
}

void model_evaluate(softmax_regression *model, const mnist_set *set, train_timers *timers,
                    double *loss, double *accuracy)
{
    double loss_sum = 0.0;
    size_t correct = 0;
    for (size_t start = 0; start < set->count; start += model->max_rows) {
        size_t rows = set->count - start < model->max_rows ? set->count - start
                                                            : model->max_rows;
        const float *images = set->images + start * model->inputs;
        const int32_t *labels = set->labels + start;
        model_forward(model, images, rows, timers);

        double t0 = seconds_now();
        float batch_loss; /* loss only (grad NULL): one pass over the logits */
        smx_cross_entropy_f32(model->logits, model->classes, labels, rows, model->classes,
                              &batch_loss, NULL, 0);
        for (size_t r = 0; r < rows; r++) {
            int64_t predicted = smx_argmax_f32(model->logits + r * model->classes,
                                               model->classes);
            correct += predicted == labels[r];
        }
        timers->smx += seconds_now() - t0;
        loss_sum += (double)batch_loss * (double)rows;
    }
    *loss = set->count ? loss_sum / (double)set->count : 0.0;
    *accuracy = set->count ? (double)correct / (double)set->count : 0.0;
}

uint64_t random_next(uint64_t *state)
{
    /* splitmix64 (Steele, Lea, Flood 2014). */
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void shuffle_indices(size_t *order, size_t n, uint64_t *rng_state)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        /* The modulo's bias is below n / 2^64: irrelevant here. */
        size_t j = (size_t)(random_next(rng_state) % i);
        size_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
}

double train_epoch(softmax_regression *model, const mnist_set *set, const size_t *order,
                   size_t batch_size, float learning_rate, train_timers *timers)
{
    if (batch_size > model->max_rows)
        batch_size = model->max_rows;
    double loss_sum = 0.0;
    for (size_t start = 0; start < set->count; start += batch_size) {
        size_t rows = set->count - start < batch_size ? set->count - start : batch_size;
        /* Gather the shuffled images into one contiguous block for the matrix products. */
        for (size_t r = 0; r < rows; r++) {
            size_t item = order[start + r];
            memcpy(model->batch_images + r * model->inputs,
                   set->images + item * model->inputs, model->inputs * sizeof(float));
            model->batch_labels[r] = set->labels[item];
        }
        float loss = model_sgd_step(model, model->batch_images, model->batch_labels, rows,
                                    learning_rate, timers);
        loss_sum += (double)loss * (double)rows;
    }
    return set->count ? loss_sum / (double)set->count : 0.0;
}
