/* Shared helpers for the smx Check suites; see common.h. */
#include "common.h"

#include <float.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

double tst_max_err[TST_NFN];
static char ctx_buf[256];

/* ---- the ISA loop ---- */

int tst_begin_isa(int isa)
{
    if (!smx_isa_supported((smx_isa)isa))
        return 0;
    TST_ASSERT(smx_use_isa((smx_isa)isa) == SMX_OK, "smx_use_isa(%s) failed",
               smx_isa_name((smx_isa)isa));
    TST_ASSERT(smx_active_isa() == (smx_isa)isa, "smx_use_isa(%s) left %s active",
               smx_isa_name((smx_isa)isa), tst_isa_str());
    return 1;
}

static void reset_stats(void)
{
    memset(tst_max_err, 0, sizeof tst_max_err);
    ctx_buf[0] = '\0';
    tst_seed(0x5eed5eedu); /* the same inputs for every ISA */
}

static void print_stats(void)
{
    static const char *const names[TST_NFN] = { "exp_ulp", "sum_err/(2^-24*sum|x|)", "lse_ulp",
                                                "softmax_ulp", "log_softmax_ulp",
                                                "ce_loss_relerr", "ce_grad_ulp" };
    const char *v = getenv("SMX_TEST_VERBOSE");
    if (!v || !*v || *v == '0')
        return;
    char line[512];
    int len = snprintf(line, sizeof line, "stats %-24s %-7s", tcase_name(), tst_isa_str());
    int any = 0;
    for (int f = 0; f < TST_NFN; f++)
        if (tst_max_err[f] > 0 && len < (int)sizeof line - 64) {
            len += snprintf(line + len, sizeof line - (size_t)len, " %s=%.4g", names[f],
                            tst_max_err[f]);
            any = 1;
        }
    if (any)
        printf("%s\n", line);
    fflush(stdout);
}

TCase *tst_tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, reset_stats, print_stats);
    suite_add_tcase(s, tc);
    return tc;
}

int tst_run(Suite *s)
{
    char tested[128] = "", skipped[128] = "";
    for (int isa = SMX_ISA_SCALAR; isa < TST_ISA_END; isa++) {
        char *dst = smx_isa_supported((smx_isa)isa) ? tested : skipped;
        strncat(dst, " ", sizeof tested - strlen(dst) - 1);
        strncat(dst, smx_isa_name((smx_isa)isa), sizeof tested - strlen(dst) - 1);
    }
    printf("%s: ISAs tested:%s; not run by this CPU or build:%s%s\n",
           program_invocation_short_name, tested, skipped[0] ? skipped : " none",
           tst_quick() ? " (SMX_TEST_QUICK)" : "");
    fflush(stdout);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int tst_quick(void)
{
    const char *v = getenv("SMX_TEST_QUICK");
    return v && *v && *v != '0';
}

void tst_ctx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx_buf, sizeof ctx_buf, fmt, ap);
    va_end(ap);
}

const char *tst_ctx_str(void) { return ctx_buf; }
const char *tst_isa_str(void) { return smx_isa_name(smx_active_isa()); }

/* ---- numbers ---- */

uint32_t tst_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float tst_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

enum tst_row tst_row_class(const float *x, size_t n)
{
    int posinf = 0, finite = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            return TST_ROW_NAN;
        if (x[i] == INFINITY)
            posinf = 1;
        else if (x[i] != -INFINITY)
            finite = 1;
    }
    return posinf ? TST_ROW_POSINF : finite ? TST_ROW_FINITE : TST_ROW_MASKED;
}


/* ---- inputs ---- */

static uint64_t rng_state;
static int have_spare;
static double spare;

void tst_seed(uint64_t seed)
{
    rng_state = seed;
    have_spare = 0;
}

uint64_t tst_rand_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double tst_uniform(void) { return (double)(tst_rand_u64() >> 11) * 0x1p-53; }

double tst_normal(void) /* Box-Muller, both values used */
{
    if (have_spare) {
        have_spare = 0;
        return spare;
    }
    double u = 1.0 - tst_uniform(), v = tst_uniform();
    double r = sqrt(-2.0 * log(u)), a = 6.283185307179586 * v;
    spare = r * sin(a);
    have_spare = 1;
    return r * cos(a);
}

const char *tst_dist_name(enum tst_dist d)
{
    static const char *const names[TST_NDIST] = { "N(0,1)", "N(0,10)", "N(0,40)",
                                                  "50%-masked", "all-equal", "spike",
                                                  "offset+-1000", "offset+-1e6", "huge" };
    return (unsigned)d < TST_NDIST ? names[d] : "?";
}

void tst_fill(float *x, size_t n, enum tst_dist d)
{
    double offset = tst_uniform() < 0.5 ? -1.0 : 1.0;
    offset *= d == TST_OFF1000 ? 1000.0 : d == TST_OFF1E6 ? 1e6 : 0.0;
    float equal = (float)(5.0 * tst_normal());
    float huge = (float)ldexp((tst_uniform() < 0.5 ? -1.0 : 1.0) * (1.0 + 0.99 * tst_uniform()),
                              24 + (int)(tst_rand_u64() % 104));
    for (size_t i = 0; i < n; i++) {
        double z = tst_normal();
        switch (d) {
        case TST_N10: z *= 10; break;
        case TST_N40: z *= 40; break;
        case TST_MASKED50: z = tst_uniform() < 0.5 ? -INFINITY : 3 * z; break;
        case TST_EQUAL: z = equal; break;
        case TST_OFF1000: case TST_OFF1E6: z = offset + 10 * z; break;
        case TST_HUGE: { /* 1..3 ULP below the max, half of the time */
            uint32_t k = tst_uniform() < 0.5 ? 0 : 1 + (uint32_t)(tst_rand_u64() % 3);
            z = tst_from_bits(huge > 0 ? tst_bits(huge) - k : tst_bits(huge) + k);
            break;
        }
        default: break;
        }
        x[i] = (float)z;
    }
    if (d == TST_SPIKE && n) /* one logit 30..90 above the rest: tiny but normal outputs */
        x[tst_rand_u64() % n] = (float)(30.0 + 60.0 * tst_uniform());
}

size_t tst_large_sizes(const size_t **sizes)
{
    static const size_t all[] = { 32000, 128256, (size_t)1 << 20 };
    *sizes = all;
    return tst_quick() ? 1 : sizeof all / sizeof all[0];
}

/* ---- memory ---- */

float *tst_alloc(size_t nfloats)
{
    size_t bytes = (nfloats * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        fprintf(stderr, "out of memory (%zu floats)\n", nfloats);
        abort();
    }
    return p;
}

void tst_fill_bits(float *x, size_t n, uint32_t bits)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tst_from_bits(bits);
}

void tst_check_canary(const float *x, size_t n, const char *where)
{
    for (size_t i = 0; i < n; i++)
        TST_ASSERT(tst_bits(x[i]) == TST_CANARY, "%s: %s: canary %zu overwritten with %a [%s]",
                   tst_isa_str(), where, i, (double)x[i], tst_ctx_str());
}

void tst_guard_init(struct tst_guard *g, size_t floats)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data = (floats * sizeof(float) + page - 1) / page * page;
    if (!data)
        data = page;
    g->map_len = data + 2 * page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TST_ASSERT(g->map != MAP_FAILED, "mmap failed");
    ck_assert_int_eq(mprotect(g->map, page, PROT_NONE), 0);
    ck_assert_int_eq(mprotect(g->map + page + data, page, PROT_NONE), 0);
    g->lo = (float *)(g->map + page);
    g->hi = (float *)(g->map + page + data);
}

void tst_guard_free(struct tst_guard *g)
{
    munmap(g->map, g->map_len);
    g->map = NULL;
}

float *tst_guard_end(struct tst_guard *g, size_t n, size_t gap)
{
    TST_ASSERT((size_t)(g->hi - g->lo) >= n + gap, "guard region too small");
    return g->hi - gap - n;
}
