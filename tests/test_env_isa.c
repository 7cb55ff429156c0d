/* SMX_ISA at load time: an unknown value or an ISA this CPU does not run prints one line to
 * stderr and uses the best ISA allowed (never crashes); a supported value is used quietly.
 * SMX_STREAM likewise: 0 or 1 quietly, anything else one line.
 * The parent runs this program again as a child with SMX_ISA set, stderr to a file; the
 * child checks which ISA is active (with its own view of the CPU, so that it also holds
 * under an emulator wrapper) and the parent counts the stderr lines. */
#include "smx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static smx_isa best(void)
{
    static const smx_isa order[] = { SMX_ISA_NEON, SMX_ISA_AVX512, SMX_ISA_AVX2, SMX_ISA_SSE2 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (smx_isa_supported(order[i]))
            return order[i];
    return SMX_ISA_SCALAR;
}

/* The child works out, from its own view of the CPU, which ISA SMX_ISA=value must give and
 * whether the library must have said so on stderr; it prints that line count. */
static int child(const char *value)
{
    static const char *const names[] = { "scalar", "sse2", "avx2", "avx512", "neon" };
    int named = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(value, names[i]) == 0)
            named = i;
    smx_isa want = best();
    int lines = *value != 0; /* unknown (non-empty) or unsupported: one line */
    if (named >= 0 && smx_isa_supported((smx_isa)named)) {
        want = (smx_isa)named;
        lines = 0;
    } else if (named >= SMX_ISA_SSE2 && named <= SMX_ISA_AVX512 &&
               !smx_isa_supported(SMX_ISA_NEON)) {
        while (named > SMX_ISA_SCALAR && !smx_isa_supported((smx_isa)named))
            named--; /* an x86 ISA above this CPU's caps the choice */
        want = (smx_isa)named;
    }
    printf("%d\n", lines);
    if (smx_active_isa() != want) {
        fprintf(stderr, "FAIL: SMX_ISA=%s gave %s, want %s\n", value,
                smx_isa_name(smx_active_isa()), smx_isa_name(want));
        return 1;
    }
    return 0;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int lines = 0, c;
    if (!f)
        return -1;
    while ((c = fgetc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    return lines;
}

/* SMX_STREAM=value: anything but "", "0" and "1" gets one line on stderr (and the vendor's
 * default); nothing else is observable from outside (the results are the same bits). */
static int child_stream(const char *value)
{
    int ok = !*value || strcmp(value, "0") == 0 || strcmp(value, "1") == 0;
    printf("%d\n", !ok);
    (void)smx_active_isa();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--child") == 0)
        return strcmp(argv[2], "SMX_STREAM") == 0 ? child_stream(argv[3]) : child(argv[3]);

    static const char *const values[][2] = {
        { "SMX_ISA", "bogus" },  { "SMX_ISA", "neon" },   { "SMX_ISA", "avx512" },
        { "SMX_ISA", "avx2" },   { "SMX_ISA", "scalar" }, { "SMX_ISA", "" },
        { "SMX_STREAM", "0" },   { "SMX_STREAM", "1" },   { "SMX_STREAM", "" },
        { "SMX_STREAM", "yes" }, { "SMX_STREAM", "10" },
    };
    char err[] = "/tmp/smx_env_isa_XXXXXX", out[] = "/tmp/smx_env_out_XXXXXX";
    int fd1 = mkstemp(err), fd2 = mkstemp(out);
    if (fd1 < 0 || fd2 < 0)
        return 2;
    int failures = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char cmd[4096];
        /* Under a cross build's exe_wrapper (qemu-aarch64), meson names it here. */
        const char *wrapper = getenv("MESON_EXE_WRAPPER");
        snprintf(cmd, sizeof cmd, "%s='%s' %s '%s' --child %s '%s' >'%s' 2>'%s'", values[i][0],
                 values[i][1], wrapper ? wrapper : "", argv[0], values[i][0], values[i][1], out,
                 err);
        int rc = system(cmd);
        if (rc == 126 << 8 || rc == 127 << 8) {
            /* An emulator without binfmt_misc cannot start a second copy of this program. */
            printf("SKIP: cannot run this program as a child here (exit status %d)\n", rc);
            remove(err);
            remove(out);
            return 77;
        }
        FILE *f = fopen(out, "r");
        int want_lines = -1;
        if (!f || fscanf(f, "%d", &want_lines) != 1)
            want_lines = -1;
        if (f)
            fclose(f);
        int lines = count_lines(err);
        if (rc != 0 || lines != want_lines) {
            printf("FAIL %s=%s: exit status %d, %d stderr lines (want 0 and %d)\n",
                   values[i][0], values[i][1], rc, lines, want_lines);
            failures++;
        }
    }
    remove(out);
    remove(err);
    if (!failures)
        printf("test_env_isa: OK\n");
    return failures ? 1 : 0;
}
