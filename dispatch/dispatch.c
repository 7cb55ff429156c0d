/* Load-time dispatch and the public entry points.  Compiled without ISA flags.
 *
 * Shaped after dav1d: for every ISA the CPU runs, a table of kernels is filled with the
 * scalar reference first and then upgraded tier by tier up to that ISA, so an ISA that
 * lacks an operation falls through to the tier below.  A constructor binds the best table
 * (capped by SMX_ISA) into an atomic pointer; a call that comes before the constructor ran
 * initializes lazily.  The tables never change after initialization. */
#include "smx.h"
#include "kernels.h"
#include "cpu.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ISA_COUNT 5

static const char *const isa_names[ISA_COUNT] = { "scalar", "sse2", "avx2", "avx512", "neon" };

static struct smx_kernels tables[ISA_COUNT];
static unsigned supported_mask; /* ISAs built and run by this CPU/OS */
static _Atomic(int) active_isa = -1;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

#define HAS(mask, isa) (((mask) >> (isa)) & 1u)

/* Scalar everywhere, then each tier up to `cap` that the CPU runs. */
static void fill_table(struct smx_kernels *t, smx_isa cap, unsigned mask)
{
    *t = SMX_KERNEL_TABLE(scalar);
#if defined(SMX_HAVE_SSE2)
    if (cap == SMX_ISA_NEON || cap < SMX_ISA_SSE2 || !HAS(mask, SMX_ISA_SSE2))
        return;
    *t = SMX_KERNEL_TABLE(sse2);
#endif
#if defined(SMX_HAVE_AVX2)
    if (cap < SMX_ISA_AVX2 || !HAS(mask, SMX_ISA_AVX2))
        return;
    *t = SMX_KERNEL_TABLE(avx2);
#endif
#if defined(SMX_HAVE_AVX512)
    if (cap < SMX_ISA_AVX512 || !HAS(mask, SMX_ISA_AVX512))
        return;
    *t = SMX_KERNEL_TABLE(avx512);
#endif
#if defined(SMX_HAVE_NEON)
    if (cap != SMX_ISA_NEON || !HAS(mask, SMX_ISA_NEON))
        return;
    *t = SMX_KERNEL_TABLE(neon);
#endif
    (void)cap;
    (void)mask;
}

/* The best supported ISA not above cap in its tier order (scalar < sse2 < avx2 < avx512;
 * scalar < neon), for SMX_ISA naming an ISA this CPU or build does not run. */
static smx_isa best_at_most(smx_isa cap)
{
    /* An ISA of the other architecture caps nothing: use the best this CPU has. */
    if (cap == SMX_ISA_NEON || HAS(supported_mask, SMX_ISA_NEON))
        return smx_best_isa(supported_mask);
    for (int isa = cap; isa > SMX_ISA_SCALAR; isa--)
        if (HAS(supported_mask, isa))
            return (smx_isa)isa;
    return SMX_ISA_SCALAR;
}

/* Streaming stores for outputs beyond the cache (kernels.h): measured on Intel (Emerald
 * Rapids: softmax of 256 x 128256 1.3x faster, 2^24 1.1x), while on AMD Zen 5 streaming the
 * 2^24 row's output measured 1.9x slower.  SMX_STREAM=0 or 1 overrides. */
int smx_stream_stores;

/* Softmax's chunked single rows on AVX-512 take their min in the exp pass and scale in two
 * operations where the row qualifies (kernels/generic/softmax.inc, smx_softmax_chunked):
 * measured on AMD Zen 5, whose FMA pipes (two of four) bound those loops; not on Intel,
 * where it measured 1.00-1.04x slower.  The same bits either way.  SMX_CHUNK_MIN=0 or 1
 * overrides. */
int smx_chunk_min;

/* A tuning flag from the host (`dflt`), unless the environment variable `name` says 0 or 1. */
static int tune_flag(const char *name, int dflt)
{
    const char *env = getenv(name);
    if (!env || !*env)
        return dflt;
    if (strcmp(env, "0") == 0 || strcmp(env, "1") == 0)
        return *env == '1';
    fprintf(stderr, "smx: %s=%s is not 0 or 1; using %d\n", name, env, dflt);
    return dflt;
}

static void init_tuning(void)
{
    int intel = smx_host_is_intel();
    smx_stream_stores = tune_flag("SMX_STREAM", intel);
    smx_chunk_min = tune_flag("SMX_CHUNK_MIN", !intel);
}

static void init(void)
{
    init_tuning();
    supported_mask = smx_host_isa_mask();
    for (int isa = 0; isa < ISA_COUNT; isa++)
        if (HAS(supported_mask, isa))
            fill_table(&tables[isa], (smx_isa)isa, supported_mask);

    smx_isa chosen = smx_best_isa(supported_mask);
    const char *env = getenv("SMX_ISA");
    if (env && *env) {
        int wanted = -1;
        for (int isa = 0; isa < ISA_COUNT; isa++)
            if (strcmp(env, isa_names[isa]) == 0)
                wanted = isa;
        if (wanted < 0) {
            fprintf(stderr, "smx: SMX_ISA=%s is not one of scalar|sse2|avx2|avx512|neon; using %s\n",
                    env, isa_names[chosen]);
        } else if (!HAS(supported_mask, wanted)) {
            chosen = best_at_most((smx_isa)wanted);
            fprintf(stderr, "smx: SMX_ISA=%s is not supported by this CPU or build; using %s\n",
                    env, isa_names[chosen]);
        } else {
            chosen = (smx_isa)wanted;
        }
    }
    atomic_store_explicit(&active_isa, (int)chosen, memory_order_release);
}

/* Bind at load time; kept in this file so that a static link keeps it. */
__attribute__((constructor)) static void smx_load(void)
{
    pthread_once(&init_once, init);
}

static const struct smx_kernels *kernels(void)
{
    int isa = atomic_load_explicit(&active_isa, memory_order_acquire);
    if (isa < 0) {
        pthread_once(&init_once, init);
        isa = atomic_load_explicit(&active_isa, memory_order_acquire);
    }
    return &tables[isa];
}

/* ---- dispatch API ---- */

smx_isa smx_active_isa(void)
{
    (void)kernels();
    return (smx_isa)atomic_load_explicit(&active_isa, memory_order_acquire);
}

const char *smx_isa_name(smx_isa isa)
{
    return (unsigned)isa < ISA_COUNT ? isa_names[isa] : NULL;
}

int smx_isa_supported(smx_isa isa)
{
    (void)kernels();
    return (unsigned)isa < ISA_COUNT && HAS(supported_mask, isa);
}

smx_status smx_use_isa(smx_isa isa)
{
    if (!smx_isa_supported(isa))
        return SMX_EUNSUPPORTED;
    atomic_store_explicit(&active_isa, (int)isa, memory_order_release);
    return SMX_OK;
}

/* ---- operations ---- */

void smx_exp_f32(const float *x, float *y, size_t n)
{
    if (n)
        kernels()->exp(x, y, n);
}

float smx_sum_f32(const float *x, size_t n)
{
    return n ? kernels()->sum(x, n) : 0.0f;
}

float smx_max_f32(const float *x, size_t n)
{
    return n ? kernels()->max(x, n) : -__builtin_inff();
}

int64_t smx_argmax_f32(const float *x, size_t n)
{
    return n ? kernels()->argmax(x, n) : -1;
}

float smx_logsumexp_f32(const float *x, size_t n)
{
    return n ? kernels()->logsumexp(x, n) : -__builtin_inff();
}

void smx_softmax_f32(const float *x, float *y, size_t n)
{
    if (n)
        kernels()->softmax_rows(x, n, y, n, 1, n);
}

void smx_log_softmax_f32(const float *x, float *y, size_t n)
{
    if (n)
        kernels()->log_softmax_rows(x, n, y, n, 1, n);
}

/* rows x n with leading dimension ld fits in size_t (as an element count). */
static int extent_ok(size_t rows, size_t n, size_t ld)
{
    /* (a single row fits: n floats at x are the caller's; no division on that path) */
    return rows <= 1 || ld == 0 || rows - 1 <= (SIZE_MAX / sizeof(float) - n) / ld;
}

static int rows_args_ok(const float *x, size_t ldx, const float *y, size_t ldy, size_t rows,
                        size_t n)
{
    if (ldx < n || ldy < n)
        return 0;
    if (rows && n && (!x || !y))
        return 0;
    return extent_ok(rows, n, ldx) && extent_ok(rows, n, ldy);
}

smx_status smx_softmax_rows_f32(const float *x, size_t ldx, float *y, size_t ldy, size_t rows,
                                size_t n)
{
    if (!rows_args_ok(x, ldx, y, ldy, rows, n))
        return SMX_EINVAL;
    if (rows && n)
        kernels()->softmax_rows(x, ldx, y, ldy, rows, n);
    return SMX_OK;
}

smx_status smx_log_softmax_rows_f32(const float *x, size_t ldx, float *y, size_t ldy,
                                    size_t rows, size_t n)
{
    if (!rows_args_ok(x, ldx, y, ldy, rows, n))
        return SMX_EINVAL;
    if (rows && n)
        kernels()->log_softmax_rows(x, ldx, y, ldy, rows, n);
    return SMX_OK;
}

smx_status smx_cross_entropy_f32(const float *logits, size_t ldl, const int32_t *labels,
                                 size_t rows, size_t n, float *loss, float *grad, size_t ldg)
{
    if (rows == 0) {
        if (loss)
            *loss = 0.0f;
        return SMX_OK;
    }
    /* Validate everything before writing anything. */
    if (!labels || !loss || (n && !logits) || ldl < n || !extent_ok(rows, n, ldl))
        return SMX_EINVAL;
    if (grad && (ldg < n || !extent_ok(rows, n, ldg)))
        return SMX_EINVAL;
    size_t counted = 0;
    for (size_t r = 0; r < rows; r++) {
        if (labels[r] < 0)
            continue;
        if ((size_t)labels[r] >= n)
            return SMX_EINVAL;
        counted++;
    }
    /* (1 / 1 without a division: a single row's call has little else to do) */
    double scale = counted > 1 ? 1.0 / (double)counted : (double)counted;
    double total = 0.0;
    if (n)
        total = kernels()->cross_entropy_rows(logits, ldl, labels, rows, n, grad, ldg, scale);
    /* total * (1/counted): one division fewer on a short call's critical path; the double
     * product differs from the quotient by ~2^-53, far below the float loss's rounding. */
    *loss = (float)(total * scale);
    return SMX_OK;
}
