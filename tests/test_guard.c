/* No kernel reads or writes outside its arrays: every operation on arrays that end flush
 * against a PROT_NONE page (every n up to 130, so every start alignment, and the other
 * array 0..3 floats short of its guard) or start right after one.  A fault is a failure
 * (Check forks each test); the results are checked too. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { MAXN = 130, ROWS = 3 };

/* Real CPUs suppress faults on the masked-off lanes of AVX2 vmaskmov and AVX-512 masked
 * loads and stores; QEMU 7.2 (the CI's emulated Haswell) does not, so there every AVX2
 * kernel would fault at a guard page for the emulator's sake.  main() probes that once, in
 * a child process, and the guard tests then skip the ISAs that rely on it. */
static int masked_lanes_fault;

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void masked_load_at(const float *last)
{
    __m256i first_lane = _mm256_setr_epi32(-1, 0, 0, 0, 0, 0, 0, 0);
    volatile float sink = _mm256_cvtss_f32(_mm256_maskload_ps(last, first_lane));
    (void)sink;
}

static int probe_masked_lanes_fault(void)
{
    if (!smx_isa_supported(SMX_ISA_AVX2))
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED || mprotect(m + page, (size_t)page, PROT_NONE) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }); /* an emulator's fault: no core */
        masked_load_at((const float *)(m + page) - 1);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    munmap(m, 2 * (size_t)page);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
#else
static int probe_masked_lanes_fault(void) { return 0; }
#endif

/* TST_BEGIN_ISA, and skip the masked-tail ISAs where the probe faulted. */
#define GUARD_BEGIN_ISA()                                                                  \
    do {                                                                                   \
        TST_BEGIN_ISA();                                                                   \
        if (masked_lanes_fault && (_i == SMX_ISA_AVX2 || _i == SMX_ISA_AVX512))            \
            return;                                                                        \
    } while (0)

typedef void (*vec_fn)(const float *, float *, size_t);
static const vec_fn vec_fns[3] = { smx_exp_f32, smx_softmax_f32, smx_log_softmax_f32 };
static const char *const vec_names[3] = { "exp", "softmax", "log_softmax" };

static void check_vec(int f, const float *x, const float *y, size_t n)
{
    if (f == 0)
        chk_exp(x, y, n);
    else if (f == 1)
        chk_softmax(x, y, n);
    else
        chk_log_softmax(x, y, n);
}

/* n floats ending `gap` floats before the trailing guard; gap < 0: right after the
 * leading guard. */
static float *place(struct tst_guard *g, size_t n, int gap)
{
    return gap < 0 ? g->lo : tst_guard_end(g, n, (size_t)gap);
}

START_TEST(test_guard_vectors)
{
    GUARD_BEGIN_ISA();
    struct tst_guard gx, gy;
    tst_guard_init(&gx, MAXN + 8);
    tst_guard_init(&gy, MAXN + 8);
    float x0[MAXN];
    /* {x gap, y gap, in place}: flush/short, short/flush, both at the start, in place */
    static const int layouts[][3] = { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 2, 0 }, { 0, 3, 0 },
                                      { 1, 0, 0 }, { 2, 0, 0 }, { 3, 0, 0 }, { -1, -1, 0 },
                                      { 0, 0, 1 }, { -1, -1, 1 } };
    for (int f = 0; f < 3; f++)
        for (size_t n = 0; n <= MAXN; n++)
            for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
                float *x = place(&gx, n, layouts[l][0]);
                float *y = layouts[l][2] ? x : place(&gy, n, layouts[l][1]);
                tst_fill(x0, n, f == 0 ? TST_N10 : TST_N01);
                memcpy(x, x0, n * sizeof *x);
                tst_ctx("guard: %s n=%zu x gap %d y gap %d%s", vec_names[f], n, layouts[l][0],
                        layouts[l][1], layouts[l][2] ? " in place" : "");
                vec_fns[f](x, y, n);
                check_vec(f, x0, y, n);
            }
    tst_guard_free(&gx);
    tst_guard_free(&gy);
}
END_TEST

START_TEST(test_guard_reductions)
{
    GUARD_BEGIN_ISA();
    struct tst_guard g;
    tst_guard_init(&g, MAXN + 8);
    for (size_t n = 0; n <= MAXN; n++)
        for (int gap = -1; gap < 4; gap++) {
            float *x = place(&g, n, gap);
            tst_fill(x, n, TST_N10);
            tst_ctx("guard: reductions n=%zu gap %d", n, gap);
            chk_sum(x, n, smx_sum_f32(x, n));
            chk_max(x, n, smx_max_f32(x, n));
            chk_argmax(x, n, smx_argmax_f32(x, n));
            chk_logsumexp(x, n, smx_logsumexp_f32(x, n));
        }
    tst_guard_free(&g);
}
END_TEST

typedef smx_status (*rows_fn)(const float *, size_t, float *, size_t, size_t, size_t);

/* softmax_rows, log_softmax_rows and cross-entropy with grad: rows x n with ld = n + pad,
 * the last row flush against the guard (or the first row right after it). */
START_TEST(test_guard_rows)
{
    GUARD_BEGIN_ISA();
    static const rows_fn fns[2] = { smx_softmax_rows_f32, smx_log_softmax_rows_f32 };
    struct tst_guard gx, gy, gl;
    tst_guard_init(&gx, ROWS * (MAXN + 4));
    tst_guard_init(&gy, ROWS * (MAXN + 4));
    tst_guard_init(&gl, ROWS);
    float x0[ROWS * (MAXN + 4)];
    tst_fill_bits(x0, ROWS * (MAXN + 4), 0x7fc00000u); /* the padding between rows */
    for (size_t n = 0; n <= MAXN; n++)
        for (size_t pad = 0; pad < 4; pad++)
            for (int start = 0; start < 2; start++) {
                size_t ld = n + pad, ldg = n + 3 - pad, len = (ROWS - 1) * ld + n;
                size_t leng = (ROWS - 1) * ldg + n;
                float *x = start ? gx.lo : tst_guard_end(&gx, len, 0);
                float *y = start ? gy.lo : tst_guard_end(&gy, len, 0);
                for (size_t r = 0; r < ROWS; r++)
                    tst_fill(x0 + r * ld, n, TST_N10);
                for (int f = 0; f < 2; f++) {
                    tst_ctx("guard: %s n=%zu ld=%zu %s", f ? "log_softmax_rows" : "softmax_rows",
                            n, ld, start ? "at the start" : "flush at the end");
                    memcpy(x, x0, len * sizeof *x);
                    smx_status st = fns[f](x, ld, y, ld, ROWS, n);
                    st |= fns[f](x, ld, x, ld, ROWS, n); /* in place */
                    TST_ASSERT(st == SMX_OK, "%s: error %d [%s]", tst_isa_str(), st, tst_ctx_str());
                    for (size_t r = 0; r < ROWS; r++) {
                        if (f) {
                            chk_log_softmax(x0 + r * ld, y + r * ld, n);
                            chk_log_softmax(x0 + r * ld, x + r * ld, n);
                        } else {
                            chk_softmax(x0 + r * ld, y + r * ld, n);
                            chk_softmax(x0 + r * ld, x + r * ld, n);
                        }
                    }
                }
                int32_t *labels = start ? (int32_t *)gl.lo : (int32_t *)tst_guard_end(&gl, ROWS, 0);
                for (size_t r = 0; r < ROWS; r++)
                    labels[r] = n == 0 || r == 1 ? -1 : (int32_t)((r * 7 + n) % n);
                float *grad = start ? gy.lo : tst_guard_end(&gy, leng, 0), loss;
                tst_ctx("guard: cross_entropy n=%zu ld=%zu ldg=%zu %s", n, ld, ldg,
                        start ? "at the start" : "flush at the end");
                memcpy(x, x0, len * sizeof *x);
                smx_status st = smx_cross_entropy_f32(x, ld, labels, ROWS, n, &loss, grad, ldg);
                TST_ASSERT(st == SMX_OK, "%s: error %d [%s]", tst_isa_str(), st, tst_ctx_str());
                chk_cross_entropy(x0, ld, labels, ROWS, n, loss, grad, ldg);
                /* grad == logits */
                st = smx_cross_entropy_f32(x, ld, labels, ROWS, n, &loss, x, ld);
                TST_ASSERT(st == SMX_OK, "%s: error %d [%s]", tst_isa_str(), st, tst_ctx_str());
                chk_cross_entropy(x0, ld, labels, ROWS, n, loss, x, ld);
            }
    tst_guard_free(&gx);
    tst_guard_free(&gy);
    tst_guard_free(&gl);
}
END_TEST

int main(void)
{
    masked_lanes_fault = probe_masked_lanes_fault();
    if (masked_lanes_fault)
        printf("test_guard: this CPU (an emulator?) faults on masked-off lanes: "
               "avx2 and avx512 are not guard-tested here\n");
    Suite *s = suite_create("guard");
    TCase *tc = tst_tcase(s, "guard");
    tst_add_isa_test(tc, test_guard_vectors);
    tst_add_isa_test(tc, test_guard_reductions);
    tst_add_isa_test(tc, test_guard_rows);
    return tst_run(s);
}
