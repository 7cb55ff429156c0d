/* Shared helpers for the smx Check suites: the ISA loop, exact references in double,
 * ULP distances, the checkers every suite uses, input distributions, a fixed-seed RNG and
 * a guard-page allocator.
 *
 * The ISA loop, dav1d-checkasm style: every test added with tst_add_isa_test() runs once
 * per value of the smx_isa enum; its body starts with TST_BEGIN_ISA(), which returns early
 * for an ISA this CPU does not run and otherwise pins it with smx_use_isa().  Check forks
 * each test, so a SIGILL or SIGSEGV in a kernel is a failure of that test and that ISA. */
#ifndef SMX_TESTS_COMMON_H
#define SMX_TESTS_COMMON_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "smx.h"
#include "ulp.h"

/* ck_assert_msg() reports every passing check to the parent process (a syscall each);
 * this one only acts when the check fails, so it can sit in per-element loops. */
#define TST_ASSERT(cond, ...)            \
    do {                                 \
        if (!(cond))                     \
            ck_abort_msg(__VA_ARGS__);   \
    } while (0)

/* One past the last smx_isa value: a new ISA is tested by raising this alone. */
#define TST_ISA_END (SMX_ISA_NEON + 1)

/* 0 if this CPU does not run isa (the iteration is skipped); else pins it and asserts it
 * is active. */
int tst_begin_isa(int isa);
#define TST_BEGIN_ISA()            \
    do {                           \
        if (!tst_begin_isa(_i))    \
            return;                \
    } while (0)

/* A test case with a generous timeout (scaled by CK_TIMEOUT_MULTIPLIER by Check itself).
 * Before each test the RNG is reseeded, so every ISA sees the same inputs; after it, with
 * SMX_TEST_VERBOSE=1, the largest errors the checkers measured are printed. */
TCase *tst_tcase(Suite *s, const char *name);
#define tst_add_isa_test(tc, fn) tcase_add_loop_test(tc, fn, SMX_ISA_SCALAR, TST_ISA_END)

/* Prints once which ISAs this process tests, runs the suite, returns the exit status. */
int tst_run(Suite *s);

/* SMX_TEST_QUICK=1 (set for emulated runs) shrinks the large and exhaustive-ish cases. */
int tst_quick(void);

/* Context appended to every failure message (distribution, offsets, layout...). */
void tst_ctx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *tst_ctx_str(void);
const char *tst_isa_str(void); /* name of the active ISA */

/* ---- numbers ---- */

uint32_t tst_bits(float f);
float tst_from_bits(uint32_t u);

/* Row classes, as include/smx.h defines them. */
enum tst_row { TST_ROW_FINITE, TST_ROW_MASKED, TST_ROW_NAN, TST_ROW_POSINF };
enum tst_row tst_row_class(const float *x, size_t n);

/* Exact softmax of one row of float inputs, in double: p[k] (NULL: not wanted),
 * lsm[k] = x_k - m - log s (NULL: not wanted); returns logsumexp.  Row semantics follow
 * include/smx.h (masked: p = 0, lsm = -inf, lse = -inf; NaN or +inf: NaN, lse +inf). */
double tst_ref_softmax(const float *x, size_t n, double *p, double *lsm);

/* ---- checkers: each asserts the documented bound for every element ---- */

void chk_exp(const float *x, const float *y, size_t n);
void chk_sum(const float *x, size_t n, float got);
void chk_max(const float *x, size_t n, float got);
void chk_argmax(const float *x, size_t n, int64_t got);
void chk_logsumexp(const float *x, size_t n, float got);
void chk_softmax(const float *x, const float *y, size_t n);
void chk_log_softmax(const float *x, const float *y, size_t n);
/* x: the inputs (a copy when the call ran in place). */
void chk_cross_entropy(const float *x, size_t ldl, const int32_t *labels, size_t rows,
                       size_t n, float loss, const float *grad, size_t ldg);

/* Row r of a batch (got) against the same row computed alone: the same bits, except that
 * outputs below FLT_MIN may be +0 in one and a subnormal in the other (include/smx.h). */
void chk_same_row(const float *got, const float *alone, size_t n, size_t r);

/* Largest error seen by the checkers in this test (reset before each test), by function. */
enum tst_fn { TST_EXP, TST_SUM, TST_LSE, TST_SOFTMAX, TST_LOG_SOFTMAX, TST_CE_LOSS,
              TST_CE_GRAD, TST_NFN };
extern double tst_max_err[TST_NFN];

/* ---- inputs ---- */

void tst_seed(uint64_t seed);
uint64_t tst_rand_u64(void);
double tst_uniform(void);                 /* [0, 1) */
double tst_normal(void);                  /* N(0, 1) */

/* ... TST_HUGE: a row at +-2^24..2^127, half of it equal to its max and the rest 1..3 ULP
 * below (ties and log(k) beside a huge max). */
enum tst_dist { TST_N01, TST_N10, TST_N40, TST_MASKED50, TST_EQUAL, TST_SPIKE,
                TST_OFF1000, TST_OFF1E6, TST_HUGE, TST_NDIST };
const char *tst_dist_name(enum tst_dist d);
void tst_fill(float *x, size_t n, enum tst_dist d);

/* Large row sizes: 32000, 128256, 2^20 (fewer with SMX_TEST_QUICK). */
size_t tst_large_sizes(const size_t **sizes);

/* 64-byte aligned allocation; aborts on failure. */
float *tst_alloc(size_t nfloats);
void tst_fill_bits(float *x, size_t n, uint32_t bits);
#define TST_CANARY 0x7fa5c3e1u /* a quiet NaN with a payload no kernel produces */
void tst_check_canary(const float *x, size_t n, const char *where);

/* Memory with PROT_NONE pages on both sides of `floats` usable floats. */
struct tst_guard {
    unsigned char *map;
    size_t map_len;
    float *lo, *hi; /* first usable float; one past the last (hi is the guard page) */
};
void tst_guard_init(struct tst_guard *g, size_t floats);
void tst_guard_free(struct tst_guard *g);
/* An array of n floats that ends `gap` floats before the trailing guard page. */
float *tst_guard_end(struct tst_guard *g, size_t n, size_t gap);

#endif
