/* Checks of the softmax-regression example, on every ISA this CPU runs:
 *   - smx's gradient of the mean loss with respect to the logits, against central
 *     differences of a double-precision loss;
 *   - the example's dJ/dW and dJ/db (BLAS products of that gradient) the same way;
 *   - the IDX reader's answers to missing, malformed and truncated files;
 *   - a short deterministic training on 5000 Fashion-MNIST images: the loss falls each epoch,
 *     accuracy passes a floor, and a second run gives the same weights bit for bit.
 * Without the Debian package dataset-fashion-mnist the training check cannot run: the rest
 * still runs, and the program then exits with 77, which meson reports as SKIP.
 * FASHION_MNIST_DIR overrides where the data set is looked for. */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <smx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mnist_idx.h"
#include "train.h"

#define ISA_FIRST SMX_ISA_SCALAR
#define ISA_END   (SMX_ISA_NEON + 1)

static mnist_set train_subset, test_set; /* loaded once in main, before Check forks */

/* Pins smx to the loop's ISA; returns 0 if this CPU does not run it (nothing to check). */
static int use_isa(int isa)
{
    if (!smx_isa_supported((smx_isa)isa))
        return 0;
    ck_assert_int_eq(smx_use_isa((smx_isa)isa), SMX_OK);
    return 1;
}

static double uniform(uint64_t *rng, double low, double high)
{
    return low + (high - low) * (double)(random_next(rng) >> 11) * 0x1p-53;
}

/* Mean over rows with label >= 0 of logsumexp(z_i) - z_i[label], in double. */
static double reference_loss(const double *logits, const int32_t *labels, size_t rows,
                             size_t n)
{
    double total = 0.0;
    size_t counted = 0;
    for (size_t i = 0; i < rows; i++) {
        if (labels[i] < 0)
            continue;
        const double *z = logits + i * n;
        double m = z[0], s = 0.0;
        for (size_t k = 1; k < n; k++)
            m = z[k] > m ? z[k] : m;
        for (size_t k = 0; k < n; k++)
            s += exp(z[k] - m);
        total += m + log(s) - z[labels[i]];
        counted++;
    }
    return counted ? total / (double)counted : 0.0;
}

/* ---- dJ/dZ from smx against central differences ------------------------------------------ */

START_TEST(logits_gradient_matches_finite_differences)
{
    if (!use_isa(_i))
        return;
    enum { ROWS = 6, N = 10 };
    uint64_t rng = 7;
    float logits[ROWS * N], grad[ROWS * N], in_place[ROWS * N];
    double z[ROWS * N];
    int32_t labels[ROWS];
    for (size_t i = 0; i < ROWS * N; i++)
        z[i] = logits[i] = (float)uniform(&rng, -5.0, 5.0);
    for (size_t i = 0; i < ROWS; i++)
        labels[i] = (int32_t)(random_next(&rng) % N);
    labels[3] = -1; /* an ignored row: no loss, zero gradient */

    float loss;
    ck_assert_int_eq(smx_cross_entropy_f32(logits, N, labels, ROWS, N, &loss, grad, N), SMX_OK);
    double exact = reference_loss(z, labels, ROWS, N);
    ck_assert_msg(fabs(loss - exact) <= 1e-6 * exact, "loss %.9g, reference %.9g", loss, exact);

    /* J is smooth with third derivatives below 1, so with h = 1e-4 the central difference is
     * within h^2 of the derivative, and double rounding adds ~1e-12: far below float's
     * resolution of a gradient entry (at most 1/5 here, so ~1e-8 per ULP). */
    const double h = 1e-4;
    for (size_t e = 0; e < ROWS * N; e++) {
        double saved = z[e];
        z[e] = saved + h;
        double up = reference_loss(z, labels, ROWS, N);
        z[e] = saved - h;
        double down = reference_loss(z, labels, ROWS, N);
        z[e] = saved;
        double numeric = (up - down) / (2.0 * h);
        ck_assert_msg(fabs(grad[e] - numeric) <= 1e-6, "row %zu class %zu: smx %.9g, "
                      "finite difference %.9g", e / N, e % N, grad[e], numeric);
    }
    for (size_t k = 0; k < N; k++)
        ck_assert(grad[3 * N + k] == 0.0f);

    /* The example lets the gradient overwrite the logits; that must give the same bits. */
    float loss_in_place;
    memcpy(in_place, logits, sizeof logits);
    ck_assert_int_eq(smx_cross_entropy_f32(in_place, N, labels, ROWS, N, &loss_in_place,
                                           in_place, N), SMX_OK);
    ck_assert(loss_in_place == loss);
    ck_assert(memcmp(in_place, grad, sizeof grad) == 0);
}
END_TEST

/* ---- dJ/dW and dJ/db of the model, by the chain rule, against central differences --------- */

/* The model's loss in double for parameters (w, b). */
static double reference_model_loss(const double *w, const double *b, const float *images,
                                   const int32_t *labels, size_t rows, size_t inputs,
                                   size_t classes)
{
    double logits[8 * MNIST_CLASSES];
    for (size_t i = 0; i < rows; i++)
        for (size_t k = 0; k < classes; k++) {
            double z = b[k];
            for (size_t j = 0; j < inputs; j++)
                z += w[k * inputs + j] * (double)images[i * inputs + j];
            logits[i * classes + k] = z;
        }
    return reference_loss(logits, labels, rows, classes);
}

START_TEST(weight_gradient_matches_finite_differences)
{
    if (!use_isa(_i))
        return;
    enum { ROWS = 5, MAX_ROWS = 8, IN = MNIST_PIXELS, N = MNIST_CLASSES };
    softmax_regression model;
    ck_assert_int_eq(model_init(&model, IN, N, MAX_ROWS), 0);

    static float images[ROWS * IN];
    static double w[N * IN];
    double b[N];
    int32_t labels[ROWS];
    uint64_t rng = 11;
    for (size_t i = 0; i < ROWS * IN; i++)
        images[i] = (float)uniform(&rng, 0.0, 1.0);
    for (size_t i = 0; i < N * IN; i++)
        w[i] = model.weights[i] = (float)uniform(&rng, -0.05, 0.05);
    for (size_t k = 0; k < N; k++)
        b[k] = model.bias[k] = (float)uniform(&rng, -0.5, 0.5);
    for (size_t i = 0; i < ROWS; i++)
        labels[i] = (int32_t)(random_next(&rng) % N);

    train_timers timers = {0.0, 0.0};
    float loss = model_gradient(&model, images, labels, ROWS, &timers);
    double exact = reference_model_loss(w, b, images, labels, ROWS, IN, N);
    ck_assert_msg(fabs(loss - exact) <= 1e-5 * exact, "loss %.9g, reference %.9g", loss, exact);

    /* Float logits are sums of 784 products (error ~1e-6 at worst), which moves a gradient
     * entry by ~1e-7; entries themselves are ~0.1, so 5e-6 still catches any wrong index,
     * transpose or scale. */
    const double h = 1e-4, tolerance = 5e-6;
    for (size_t k = 0; k < N; k++) {
        double saved = b[k];
        b[k] = saved + h;
        double up = reference_model_loss(w, b, images, labels, ROWS, IN, N);
        b[k] = saved - h;
        double down = reference_model_loss(w, b, images, labels, ROWS, IN, N);
        b[k] = saved;
        double numeric = (up - down) / (2.0 * h);
        ck_assert_msg(fabs(model.grad_bias[k] - numeric) <= tolerance,
                      "db[%zu]: %.9g, finite difference %.9g", k, model.grad_bias[k], numeric);
    }
    for (int sample = 0; sample < 60; sample++) {
        size_t e = (size_t)(random_next(&rng) % (N * IN));
        double saved = w[e];
        w[e] = saved + h;
        double up = reference_model_loss(w, b, images, labels, ROWS, IN, N);
        w[e] = saved - h;
        double down = reference_model_loss(w, b, images, labels, ROWS, IN, N);
        w[e] = saved;
        double numeric = (up - down) / (2.0 * h);
        ck_assert_msg(fabs(model.grad_weights[e] - numeric) <= tolerance,
                      "dW[%zu][%zu]: %.9g, finite difference %.9g", e / IN, e % IN,
                      model.grad_weights[e], numeric);
    }
    model_free(&model);
}
END_TEST

/* ---- The IDX reader ------------------------------------------------------------------------ */

static char scratch_dir[] = "/tmp/smx-idx-XXXXXX";

static void write_gz(const char *name, const void *bytes, size_t size)
{
    char path[sizeof scratch_dir + 64];
    snprintf(path, sizeof path, "%s/%s", scratch_dir, name);
    gzFile file = gzopen(path, "wb");
    ck_assert_ptr_nonnull(file);
    ck_assert_int_eq(gzwrite(file, bytes, (unsigned)size), (int)size);
    ck_assert_int_eq(gzclose(file), Z_OK);
}

/* An IDX header: magic, then ndims dimensions, big-endian. */
static size_t put_header(unsigned char *out, uint32_t magic, const uint32_t *dims,
                         size_t ndims)
{
    size_t at = 0;
    for (size_t d = 0; d <= ndims; d++) {
        uint32_t v = d == 0 ? magic : dims[d - 1];
        out[at++] = (unsigned char)(v >> 24);
        out[at++] = (unsigned char)(v >> 16);
        out[at++] = (unsigned char)(v >> 8);
        out[at++] = (unsigned char)v;
    }
    return at;
}

/* Writes test-labels-idx1-ubyte.gz and test-images-idx3-ubyte.gz: `count` items claimed in
 * each header, `labels_present` / `images_present` actually there, label i = labels[i], image
 * i filled with the byte 80 * i (image 3 and on: 255). */
static void write_set(uint32_t label_magic, uint32_t label_count, const unsigned char *labels,
                      size_t labels_present, uint32_t image_count, size_t images_present)
{
    static unsigned char buffer[16 + 8 * MNIST_PIXELS];
    uint32_t label_dims[1] = {label_count};
    size_t at = put_header(buffer, label_magic, label_dims, 1);
    memcpy(buffer + at, labels, labels_present);
    write_gz("test-labels-idx1-ubyte.gz", buffer, at + labels_present);

    uint32_t image_dims[3] = {image_count, MNIST_SIDE, MNIST_SIDE};
    at = put_header(buffer, 0x00000803u, image_dims, 3);
    for (size_t i = 0; i < images_present; i++)
        memset(buffer + at + i * MNIST_PIXELS, i < 3 ? (int)(80 * i) : 255, MNIST_PIXELS);
    write_gz("test-images-idx3-ubyte.gz", buffer, at + images_present * MNIST_PIXELS);
}

static mnist_status load_scratch(size_t max_count, mnist_set *set, char *err, size_t size)
{
    return mnist_load(scratch_dir, "test", max_count, set, err, size);
}

START_TEST(idx_reader_accepts_good_and_rejects_bad_files)
{
    ck_assert_ptr_nonnull(mkdtemp(scratch_dir));
    mnist_set set;
    char err[8192];
    const unsigned char labels[4] = {3, 0, 9, 10};

    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_MISSING);
    ck_assert_msg(strstr(err, FASHION_MNIST_PACKAGE) != NULL, "message: %s", err);

    write_set(0x00000801u, 3, labels, 3, 3, 3);
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_OK);
    ck_assert_uint_eq(set.count, 3);
    ck_assert_int_eq(set.labels[0], 3);
    ck_assert_int_eq(set.labels[2], 9);
    ck_assert(set.images[0] == 0.0f);
    ck_assert(set.images[MNIST_PIXELS + 5] == 80.0f / 255.0f);
    ck_assert(set.images[2 * MNIST_PIXELS + MNIST_PIXELS - 1] == 160.0f / 255.0f);
    mnist_free(&set);

    ck_assert_int_eq(load_scratch(2, &set, err, sizeof err), MNIST_OK);
    ck_assert_uint_eq(set.count, 2);
    mnist_free(&set);

    write_set(0x00000803u, 3, labels, 3, 3, 3); /* labels file with the images' magic */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);
    ck_assert_msg(strstr(err, "magic") != NULL, "message: %s", err);
    ck_assert_ptr_null(set.images);

    write_set(0x00000801u, 3, labels, 3, 3, 2); /* an image missing */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);
    ck_assert_msg(strstr(err, "truncated") != NULL, "message: %s", err);

    write_set(0x00000801u, 3, labels, 2, 3, 3); /* a label missing */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);

    write_set(0x00000801u, 3, labels, 3, 3, 4); /* one image more than the header says */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);
    ck_assert_msg(strstr(err, "longer") != NULL, "message: %s", err);

    write_set(0x00000801u, 3, labels, 3, 2, 2); /* 3 labels, 2 images */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);
    ck_assert_int_eq(load_scratch(1, &set, err, sizeof err), MNIST_BAD);

    write_set(0x00000801u, 4, labels, 4, 4, 4); /* label 10 is not a class */
    ck_assert_int_eq(load_scratch(0, &set, err, sizeof err), MNIST_BAD);
    ck_assert_msg(strstr(err, "label 10") != NULL, "message: %s", err);

    char path[sizeof scratch_dir + 64];
    snprintf(path, sizeof path, "%s/test-labels-idx1-ubyte.gz", scratch_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/test-images-idx3-ubyte.gz", scratch_dir);
    unlink(path);
    rmdir(scratch_dir);
}
END_TEST

/* ---- Training on a subset of Fashion-MNIST ----------------------------------------------- */

/* Small steps on small batches: with a larger rate the loss after an epoch depends too much
 * on the last few batches to fall reliably from one epoch to the next. */
enum { EPOCHS = 2, BATCH = 20 };
#define LEARNING_RATE 0.05f

/* Trains a fresh model for EPOCHS epochs.  losses[0] is the subset's loss before training,
 * losses[e] after epoch e; epoch_means[e - 1] is the mean of epoch e's batch losses. */
static void train_small(softmax_regression *model, double *losses, double *epoch_means,
                        double *train_accuracy)
{
    ck_assert_int_eq(model_init(model, MNIST_PIXELS, MNIST_CLASSES, BATCH), 0);
    size_t *order = malloc(train_subset.count * sizeof *order);
    ck_assert_ptr_nonnull(order);
    train_timers timers = {0.0, 0.0};
    uint64_t rng = 2024;
    model_evaluate(model, &train_subset, &timers, &losses[0], train_accuracy);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        shuffle_indices(order, train_subset.count, &rng);
        epoch_means[epoch] = train_epoch(model, &train_subset, order, BATCH, LEARNING_RATE,
                                         &timers);
        model_evaluate(model, &train_subset, &timers, &losses[epoch + 1], train_accuracy);
    }
    free(order);
}

START_TEST(short_training_learns)
{
    if (!use_isa(_i))
        return;
    softmax_regression model, again;
    double losses[EPOCHS + 1], means[EPOCHS], train_accuracy, test_loss, test_accuracy;
    double losses_again[EPOCHS + 1], means_again[EPOCHS], accuracy_again;
    train_small(&model, losses, means, &train_accuracy);
    model_evaluate(&model, &test_set, &(train_timers){0.0, 0.0}, &test_loss, &test_accuracy);

    /* All-zero parameters predict 1/10 for every class. */
    ck_assert_msg(fabs(losses[0] - log(10.0)) < 1e-6, "initial loss %.9g", losses[0]);
    for (int e = 1; e <= EPOCHS; e++)
        ck_assert_msg(losses[e] < losses[e - 1], "epoch %d: loss %.4f, before %.4f", e,
                      losses[e], losses[e - 1]);
    for (int e = 1; e < EPOCHS; e++)
        ck_assert_msg(means[e] < means[e - 1], "epoch %d: mean batch loss %.4f, before %.4f",
                      e + 1, means[e], means[e - 1]);
    /* Measured (every ISA): loss 2.303 -> 0.707 -> 0.576, train 0.813, test 0.782. */
    ck_assert_msg(losses[EPOCHS] < 0.70, "final loss %.4f", losses[EPOCHS]);
    ck_assert_msg(train_accuracy > 0.76, "train accuracy %.4f", train_accuracy);
    ck_assert_msg(test_accuracy > 0.73, "test accuracy %.4f", test_accuracy);

    /* Same seed, same ISA, one BLAS thread: the same weights, bit for bit. */
    train_small(&again, losses_again, means_again, &accuracy_again);
    ck_assert(memcmp(model.weights, again.weights,
                     MNIST_PIXELS * MNIST_CLASSES * sizeof(float)) == 0);
    ck_assert(memcmp(model.bias, again.bias, MNIST_CLASSES * sizeof(float)) == 0);
    model_free(&model);
    model_free(&again);
}
END_TEST

static Suite *make_suite(int have_data)
{
    Suite *suite = suite_create("softmax_regression");
    TCase *gradients = tcase_create("gradients");
    tcase_add_loop_test(gradients, logits_gradient_matches_finite_differences, ISA_FIRST,
                        ISA_END);
    tcase_add_loop_test(gradients, weight_gradient_matches_finite_differences, ISA_FIRST,
                        ISA_END);
    tcase_set_timeout(gradients, 60);
    suite_add_tcase(suite, gradients);

    TCase *reader = tcase_create("idx_reader");
    tcase_add_test(reader, idx_reader_accepts_good_and_rejects_bad_files);
    suite_add_tcase(suite, reader);

    if (have_data) {
        TCase *training = tcase_create("training");
        tcase_add_loop_test(training, short_training_learns, ISA_FIRST, ISA_END);
        tcase_set_timeout(training, 120);
        suite_add_tcase(suite, training);
    }
    return suite;
}

int main(void)
{
    openblas_set_num_threads(1);
    const char *dir = getenv("FASHION_MNIST_DIR");
    if (dir == NULL || *dir == '\0')
        dir = FASHION_MNIST_DIR;

    char err[8192];
    mnist_status status = mnist_load(dir, "train", 5000, &train_subset, err, sizeof err);
    if (status == MNIST_OK)
        status = mnist_load(dir, "t10k", 0, &test_set, err, sizeof err);
    if (status == MNIST_BAD) { /* installed but unreadable: a failure, not a skip */
        fprintf(stderr, "test_softmax_regression: %s\n", err);
        return 1;
    }

    SRunner *runner = srunner_create(make_suite(status == MNIST_OK));
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    mnist_free(&train_subset);
    mnist_free(&test_set);
    if (failed != 0)
        return 1;
    if (status == MNIST_MISSING) {
        printf("SKIP: training check not run: %s\n", err);
        return 77;
    }
    return 0;
}
