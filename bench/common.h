/* What every benchmark and the accuracy program share: the inputs, the shapes, aligned
 * buffers.  Everybody (our kernels and every peer) reads the same logits: N(0, sigma)
 * from a fixed seed, so two runs, two ISAs and two libraries measure the same thing. */
#ifndef SMX_BENCH_COMMON_H
#define SMX_BENCH_COMMON_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace bench {

/* splitmix64: tiny, fast, and the same numbers on every platform and compiler. */
struct Rng {
    uint64_t state;
    explicit Rng(uint64_t seed) : state(seed) {}
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    /* Uniform in (0, 1): 53 random bits, never 0 (log(0) in Box-Muller). */
    double uniform() { return (double)((next() >> 11) + 1) * 0x1p-53; }
};

/* n samples of N(0, sigma) rounded to float (Box-Muller in double). */
inline void fill_normal(float *x, size_t n, double sigma, uint64_t seed) {
    Rng rng(seed);
    for (size_t i = 0; i < n; i += 2) {
        double r = std::sqrt(-2.0 * std::log(rng.uniform()));
        double t = 0x1.921fb54442d18p+2 * rng.uniform(); // 2 pi
        x[i] = (float)(sigma * r * std::cos(t));
        if (i + 1 < n) x[i + 1] = (float)(sigma * r * std::sin(t));
    }
}

/* Every other element (chosen at random, about half) set to -inf: attention masks. */
inline void mask_half(float *x, size_t n, uint64_t seed) {
    Rng rng(seed);
    for (size_t i = 0; i < n; i++)
        if (rng.next() >> 63) x[i] = -std::numeric_limits<float>::infinity();
}

/* A float buffer aligned to 64 bytes (a cache line; a full zmm), filled with zeros so that
 * every page is touched before any timing starts. */
class Buffer {
public:
    Buffer() = default;
    explicit Buffer(size_t n) : n_(n) {
        size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
        p_ = static_cast<float *>(std::aligned_alloc(64, bytes ? bytes : 64));
        if (!p_) std::abort();
        std::memset(p_, 0, bytes);
    }
    ~Buffer() { std::free(p_); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;
    Buffer(Buffer &&o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr; o.n_ = 0; }
    Buffer &operator=(Buffer &&o) noexcept {
        std::swap(p_, o.p_);
        std::swap(n_, o.n_);
        return *this;
    }
    float *data() const { return p_; }
    size_t size() const { return n_; }

private:
    float *p_ = nullptr;
    size_t n_ = 0;
};

/* One benchmark shape: rows x n, row-major, rows packed (ld == n). */
struct Shape {
    size_t rows, n;
    size_t elems() const { return rows * n; }
    std::string name() const {
        return rows == 1 ? std::to_string(n) : std::to_string(rows) + "x" + std::to_string(n);
    }
};

/* Single rows: the sizes of small heads and attention rows (64 to 256), ImageNet (1000),
 * vocabularies (32000 for Llama 2, 128256 for Llama 3), then L2-sized and memory-sized rows.
 * Batches: many short rows (attention), ImageNet batches, a language-model batch. */
inline std::vector<Shape> single_rows() {
    return {{1, 64},       {1, 128},    {1, 256},    {1, 1000},     {1, 4096},
            {1, 32000},    {1, 128256}, {1, 1u << 20}, {1, 1u << 24}};
}
inline std::vector<Shape> batches() { return {{4096, 128}, {1024, 1000}, {256, 128256}}; }

/* A buffer of N(0, sigma) floats from kSeed, generated once per process and grown on
 * demand; every benchmark reads a prefix of it (call again after another benchmark ran). */
constexpr uint64_t kSeed = 42;
inline const float *grown_normal(Buffer &buf, size_t n, double sigma) {
    if (buf.size() < n) {
        Buffer b(n);
        fill_normal(b.data(), n, sigma, kSeed); /* same seed: the same prefix at any n */
        buf = std::move(b);
    }
    return buf.data();
}

/* The benchmark's logits: N(0, 10), seed 42. */
constexpr double kSigma = 10.0;
inline const float *logits(size_t n) {
    static Buffer buf;
    return grown_normal(buf, n, kSigma);
}

/* Low-temperature ("sharp") logits for softmax_sharp: N(0, 30), seed 42.  A large share of
 * their softmax outputs are near or below FLT_MIN, where Intel cores without FTZ take a
 * microcode assist for every instruction that produces a subnormal: this op shows what
 * that costs each implementation. */
constexpr double kSigmaSharp = 30.0;
inline const float *logits_sharp(size_t n) {
    static Buffer buf;
    return grown_normal(buf, n, kSigmaSharp);
}

/* Labels for cross-entropy: uniform in [0, n), fixed seed. */
inline std::vector<int32_t> labels(size_t rows, size_t n) {
    Rng rng(kSeed + 1);
    std::vector<int32_t> l(rows);
    for (auto &v : l) v = (int32_t)(rng.next() % n);
    return l;
}

} // namespace bench

#endif
