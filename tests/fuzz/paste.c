/*
 * paste.c - libFuzzer target for the paste classifier (core/paste*.c, entry
 * points in core/paste.h), which reads untrusted text inside the user's shell.
 *
 * Beyond not crashing, leaking or hanging, the classifier must keep what
 * paste.h promises on any bytes: a verdict that agrees with the findings, at
 * most ISO_PASTE_FINDINGS of them with terminated, bounded texts, the same
 * verdict with or without a result, and output lines with exactly the fields
 * the shell hooks split on and no control character a terminal would act on.
 * Built a second time with ISO_PZ_TEST_LIMIT (fuzz-paste-oom), the memory
 * cap is tiny, so the out-of-memory paths are fuzzed too.
 */
#include "fuzz.h"
#include "paste.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_output(const char *out, size_t n, const struct iso_paste_result *res)
{
    size_t lines = 0;

    for (const char *l = out; l < out + n;) {
        const char *end = memchr(l, '\n', (size_t)(out + n - l));
        size_t tabs = 0;
        REQUIRE(end); /* every line ends with a newline */
        for (const char *q = l; q < end; q++) {
            unsigned char ch = (unsigned char)*q;
            REQUIRE(ch == '\t' || (ch >= 0x20 && ch != 0x7f)); /* nothing a terminal obeys */
            tabs += ch == '\t';
        }
        REQUIRE(tabs == 2 || tabs == 3); /* RULE, MATCHED, WHY [, decoded] */
        REQUIRE(l[0] != '\t' && end[-1] != '\t' && !memmem(l, (size_t)(end - l), "\t\t", 2));
        lines++;
        l = end + 1;
    }
    REQUIRE(lines == res->nfindings + (res->ndropped ? 1 : 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct iso_paste_result *res = malloc(sizeof *res);
    const char *text = (const char *)data;
    char esc[96], *out = NULL;
    size_t outn = 0, used;
    FILE *f;
    int v;

    if (!res) return 0;
    memset(res, 0xa5, sizeof *res);
    v = iso_paste_classify(text, size, res);
    REQUIRE(v == ISO_PASTE_CLEAN || v == ISO_PASTE_WARN);
    REQUIRE(v == res->verdict);
    REQUIRE(res->nfindings <= ISO_PASTE_FINDINGS);
    REQUIRE((v == ISO_PASTE_CLEAN) == (res->nfindings == 0 && res->ndropped == 0));
    REQUIRE(res->lines >= 1 && res->lines <= size + 1);
    for (unsigned i = 0; i < res->nfindings; i++) {
        const struct iso_finding *fd = &res->findings[i];
        REQUIRE(fd->rule && *fd->rule && fd->why && *fd->why);
        REQUIRE(fd->nmatch < sizeof fd->match && fd->match[fd->nmatch] == '\0');
        REQUIRE(fd->ndecoded < sizeof fd->decoded && fd->decoded[fd->ndecoded] == '\0');
        REQUIRE(fd->line >= 1 && fd->line <= res->lines);
        REQUIRE(!strpbrk(fd->rule, "\t\n") && !strpbrk(fd->why, "\t\n"));
    }
    /* No state between calls: without a result, the same verdict. */
    REQUIRE(iso_paste_classify(text, size, NULL) == v);

    f = open_memstream(&out, &outn);
    REQUIRE(f);
    REQUIRE(iso_paste_write(res, f) == 0);
    REQUIRE(fclose(f) == 0);
    check_output(out, outn, res);
    free(out);

    used = iso_paste_escape(esc, sizeof esc, text, size);
    REQUIRE(used <= size && strlen(esc) < sizeof esc);
    for (const char *q = esc; *q; q++)
        REQUIRE((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f);
    if (used < size) REQUIRE(strlen(esc) + 12 >= sizeof esc - 1); /* stopped only when full */
    free(res);
    return 0;
}
