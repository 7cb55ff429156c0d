/* Reading MNIST-format data sets (MNIST, Fashion-MNIST) from their gzip-compressed IDX files.
 *
 * An IDX file is a 4-byte magic number (0x00000801 for a 1-D array of unsigned bytes, the
 * labels; 0x00000803 for a 3-D one, the images), one big-endian 32-bit size per dimension,
 * then the bytes.  Debian's dataset-fashion-mnist package installs them gzip-compressed in
 * /usr/share/datasets/fashion-mnist as <split>-images-idx3-ubyte.gz and
 * <split>-labels-idx1-ubyte.gz, with split "train" (60000 images) or "t10k" (10000). */
#ifndef MNIST_IDX_H
#define MNIST_IDX_H

#include <stddef.h>
#include <stdint.h>

#define FASHION_MNIST_DIR     "/usr/share/datasets/fashion-mnist"
#define FASHION_MNIST_PACKAGE "dataset-fashion-mnist"

#define MNIST_SIDE    28                        /* images are MNIST_SIDE x MNIST_SIDE */
#define MNIST_PIXELS  (MNIST_SIDE * MNIST_SIDE) /* 784 */
#define MNIST_CLASSES 10

typedef struct mnist_set {
    size_t   count;  /* number of images */
    float   *images; /* count x MNIST_PIXELS, row-major, pixels scaled to [0, 1] */
    int32_t *labels; /* count labels, each in [0, MNIST_CLASSES) */
} mnist_set;

typedef enum mnist_status {
    MNIST_OK      = 0,
    MNIST_MISSING = 1, /* a file does not exist: the data set is not installed */
    MNIST_BAD     = 2  /* a file exists but cannot be read, is malformed or truncated,
                          or memory ran out */
} mnist_status;

/* Loads <dir>/<split>-images-idx3-ubyte.gz and <dir>/<split>-labels-idx1-ubyte.gz.  Checks the
 * magic numbers, that images are 28 x 28, that both files hold the same number of items, that
 * every label is a class, and that each file holds exactly what its header says.  Keeps only
 * the first max_count images when max_count > 0 (the rest is then not read).  On failure
 * *set is empty and err (err_size bytes) holds one line naming the file and the package. */
mnist_status mnist_load(const char *dir, const char *split, size_t max_count, mnist_set *set,
                        char *err, size_t err_size);

void mnist_free(mnist_set *set);

#endif
