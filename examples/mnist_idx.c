/* Reading gzip-compressed IDX files with zlib; see mnist_idx.h. */
#include "mnist_idx.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_MAGIC_LABELS 0x00000801u /* unsigned bytes, 1 dimension */
#define IDX_MAGIC_IMAGES 0x00000803u /* unsigned bytes, 3 dimensions */

static void say(char *err, size_t err_size, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, err_size, fmt, args);
    va_end(args);
}

/* Reads exactly n bytes; gzread takes an unsigned count, so large reads go in pieces.
 * Returns 1 on success, 0 if the file ended early or could not be decompressed. */
static int read_exact(gzFile file, void *buffer, size_t n)
{
    unsigned char *p = buffer;
    while (n > 0) {
        unsigned piece = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(file, p, piece);
        if (got <= 0)
            return 0;
        p += got;
        n -= (size_t)got;
    }
    return 1;
}

static uint32_t big_endian_u32(const unsigned char b[4])
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Opens path and reads its header: the magic number must be `magic`, whose low byte is the
 * number of dimensions, stored into dims[0..ndims). */
static mnist_status open_idx(const char *path, uint32_t magic, uint32_t *dims, gzFile *file,
                             char *err, size_t err_size)
{
    *file = gzopen(path, "rb");
    if (*file == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) {
            say(err, err_size, "%s: not found; install the Debian package %s", path,
                FASHION_MNIST_PACKAGE);
            return MNIST_MISSING;
        }
        say(err, err_size, "%s: cannot open (%s)", path, strerror(errno));
        return MNIST_BAD;
    }
    unsigned ndims = magic & 0xffu;
    unsigned char header[4 * 4];
    if (!read_exact(*file, header, 4 * (1 + ndims))) {
        say(err, err_size, "%s: shorter than an IDX header; reinstall %s", path,
            FASHION_MNIST_PACKAGE);
        gzclose(*file);
        return MNIST_BAD;
    }
    uint32_t found = big_endian_u32(header);
    if (found != magic) {
        say(err, err_size, "%s: magic number 0x%08x, expected 0x%08x; not an IDX file of "
            "%s", path, (unsigned)found, (unsigned)magic, FASHION_MNIST_PACKAGE);
        gzclose(*file);
        return MNIST_BAD;
    }
    for (unsigned d = 0; d < ndims; d++)
        dims[d] = big_endian_u32(header + 4 * (1 + d));
    return MNIST_OK;
}

/* After the last expected byte, the file must end (unless we stopped early on purpose). */
static mnist_status expect_end(gzFile file, const char *path, char *err, size_t err_size)
{
    unsigned char extra;
    if (gzread(file, &extra, 1) != 0) {
        say(err, err_size, "%s: longer than its header says, or corrupt; reinstall %s", path,
            FASHION_MNIST_PACKAGE);
        return MNIST_BAD;
    }
    return MNIST_OK;
}

static mnist_status read_labels(const char *path, size_t max_count, size_t *total,
                                size_t *count, int32_t **labels, char *err, size_t err_size)
{
    gzFile file;
    uint32_t dims[1];
    mnist_status status = open_idx(path, IDX_MAGIC_LABELS, dims, &file, err, err_size);
    if (status != MNIST_OK)
        return status;

    size_t n = *total = dims[0];
    int read_all = max_count == 0 || max_count >= n;
    if (!read_all)
        n = max_count;
    unsigned char *bytes = malloc(n ? n : 1);
    *labels = malloc((n ? n : 1) * sizeof **labels);
    status = MNIST_BAD;
    if (bytes == NULL || *labels == NULL) {
        say(err, err_size, "%s: out of memory", path);
    } else if (!read_exact(file, bytes, n)) {
        say(err, err_size, "%s: truncated or corrupt (header says %zu labels); reinstall %s",
            path, (size_t)dims[0], FASHION_MNIST_PACKAGE);
    } else if (!read_all || expect_end(file, path, err, err_size) == MNIST_OK) {
        status = MNIST_OK;
        for (size_t i = 0; i < n && status == MNIST_OK; i++) {
            if (bytes[i] >= MNIST_CLASSES) {
                say(err, err_size, "%s: label %u at item %zu is not a class 0..%d", path,
                    (unsigned)bytes[i], i, MNIST_CLASSES - 1);
                status = MNIST_BAD;
            }
            (*labels)[i] = bytes[i];
        }
    }
    free(bytes);
    gzclose(file);
    if (status != MNIST_OK) {
        free(*labels);
        *labels = NULL;
    }
    *count = n;
    return status;
}

static mnist_status read_images(const char *path, size_t max_count, size_t *total,
                                size_t *count, float **images, char *err, size_t err_size)
{
    gzFile file;
    uint32_t dims[3];
    mnist_status status = open_idx(path, IDX_MAGIC_IMAGES, dims, &file, err, err_size);
    if (status != MNIST_OK)
        return status;
    if (dims[1] != MNIST_SIDE || dims[2] != MNIST_SIDE) {
        say(err, err_size, "%s: images are %ux%u, expected %dx%d", path, (unsigned)dims[1],
            (unsigned)dims[2], MNIST_SIDE, MNIST_SIDE);
        gzclose(file);
        return MNIST_BAD;
    }

    size_t n = *total = dims[0];
    int read_all = max_count == 0 || max_count >= n;
    if (!read_all)
        n = max_count;
    unsigned char bytes[MNIST_PIXELS];
    *images = malloc((n ? n : 1) * MNIST_PIXELS * sizeof **images);
    status = MNIST_BAD;
    if (*images == NULL) {
        say(err, err_size, "%s: out of memory", path);
    } else {
        size_t i = 0;
        for (; i < n; i++) {
            if (!read_exact(file, bytes, MNIST_PIXELS))
                break;
            for (size_t j = 0; j < MNIST_PIXELS; j++)
                (*images)[i * MNIST_PIXELS + j] = (float)bytes[j] / 255.0f;
        }
        if (i < n)
            say(err, err_size, "%s: truncated or corrupt after %zu of %zu images; "
                "reinstall %s", path, i, (size_t)dims[0], FASHION_MNIST_PACKAGE);
        else if (!read_all || expect_end(file, path, err, err_size) == MNIST_OK)
            status = MNIST_OK;
    }
    gzclose(file);
    if (status != MNIST_OK) {
        free(*images);
        *images = NULL;
    }
    *count = n;
    return status;
}

mnist_status mnist_load(const char *dir, const char *split, size_t max_count, mnist_set *set,
                        char *err, size_t err_size)
{
    char images_path[PATH_MAX], labels_path[PATH_MAX];
    snprintf(images_path, sizeof images_path, "%s/%s-images-idx3-ubyte.gz", dir, split);
    snprintf(labels_path, sizeof labels_path, "%s/%s-labels-idx1-ubyte.gz", dir, split);
    memset(set, 0, sizeof *set);

    size_t total_labels, total_images, n_labels, n_images;
    mnist_status status = read_labels(labels_path, max_count, &total_labels, &n_labels,
                                      &set->labels, err, err_size);
    if (status != MNIST_OK)
        return status;
    status = read_images(images_path, max_count, &total_images, &n_images, &set->images, err,
                         err_size);
    if (status == MNIST_OK && total_images != total_labels) {
        say(err, err_size, "%s holds %zu images but %s holds %zu labels", images_path,
            total_images, labels_path, total_labels);
        status = MNIST_BAD;
    }
    if (status != MNIST_OK) {
        mnist_free(set);
        return status;
    }
    set->count = n_images;
    return MNIST_OK;
}

void mnist_free(mnist_set *set)
{
    free(set->images);
    free(set->labels);
    memset(set, 0, sizeof *set);
}
