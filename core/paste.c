/*
 * paste.c - the paste classifier behind `isolate --check` and the shells'
 * paste guard: reading the text, memory, findings and their output.
 *
 * Runs inside the user's shell (bash builtin, zsh module) as well as in the
 * CLI, so it keeps nothing between calls, never exits and runs nothing. The
 * text is read as a shell would read it (paste_lex.c), each command is judged
 * by what it does with what flows into it (paste_rules.c, paste_code.c), and
 * the characters themselves are checked for what a terminal would not show
 * (paste_text.c).
 *
 * Memory comes from a chain of blocks freed before returning, capped at a
 * multiple of the paste's length. Running out stops the analysis and reports
 * the paste as "incomplete", which warns: a paste is never clean by accident.
 */
#include "internal.h"
#include "paste_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct iso_pz_block {
    struct iso_pz_block *next;
    size_t size;
    max_align_t data[];
};

void *iso_pz_alloc(struct iso_pz_ctx *c, size_t n)
{
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (n > c->left) {
        /* the first block fits a typical paste whole; then each doubles */
        size_t size = c->blocks ? c->blocks->size * 2 : 2 * c->topn + 16384;
        struct iso_pz_block *b;

        if (size > ((size_t)1 << 20)) size = (size_t)1 << 20;
        if (size < n) size = n;
        if (c->oom || c->total + size > c->limit || !(b = malloc(sizeof *b + size))) {
            c->oom = 1;
            return NULL;
        }
        b->next = c->blocks;
        b->size = size;
        c->blocks = b;
        c->cur = (char *)b->data;
        c->left = size;
        c->total += size;
    }
    p = c->cur;
    c->cur += n;
    c->left -= n;
    return p;
}

unsigned iso_pz_line_of(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *p)
{
    const char *q = c->top;
    unsigned line = 1;

    if (!p || p < c->top || p > c->top + c->topn) return tx->line;
    /* asked mostly in order: count on from the last answer */
    if (c->line_at && c->line_at <= p) q = c->line_at, line = c->line_no;
    for (; (q = memchr(q, '\n', (size_t)(p - q))); q++) line++;
    c->line_at = p;
    c->line_no = line;
    return line;
}

/* Copies at most cap-1 bytes, not cutting a UTF-8 sequence in two. */
static size_t clip(char *dst, size_t cap, const char *src, size_t n, unsigned char *cut)
{
    size_t k = n < cap - 1 ? n : cap - 1;

    if (k < n)
        while (k > 0 && ((unsigned char)src[k] & 0xc0) == 0x80) k--;
    memcpy(dst, src, k);
    dst[k] = 0;
    *cut = k < n;
    return k;
}

static int contains(const char *h, size_t hn, const char *s, size_t sn)
{
    if (sn == 0 || sn > hn) return sn == 0;
    for (size_t i = 0; i + sn <= hn; i++)
        if (h[i] == s[0] && !memcmp(h + i, s, sn)) return 1;
    return 0;
}

void iso_pz_report(struct iso_pz_ctx *c, const struct iso_pz_text *tx, const char *rule,
                   const char *why, const char *m, size_t mn, const char *dec, size_t dn)
{
    struct iso_paste_result *res = c->res;
    struct iso_finding *f;
    unsigned line;

    while (mn && (*m == ' ' || *m == '\t' || *m == '\n' || *m == ';')) m++, mn--;
    while (mn && (m[mn - 1] == ' ' || m[mn - 1] == '\t' || m[mn - 1] == '\n')) mn--;
    /* The same thing seen again on the same line, from a string that holds it
     * or inside one already reported (sh -c "$(curl ...)" is one finding). */
    line = tx ? iso_pz_line_of(c, tx, m) : 1;
    for (unsigned i = 0; i < res->nfindings; i++) {
        f = &res->findings[i];
        if (strcmp(f->rule, rule) || f->line != line) continue;
        if (contains(f->match, f->nmatch, m, mn) || contains(m, mn, f->match, f->nmatch)) return;
    }
    if (res->nfindings >= ISO_PASTE_FINDINGS) {
        res->ndropped++;
        return;
    }
    f = &res->findings[res->nfindings++];
    f->rule = rule;
    f->why = why;
    f->where = tx ? tx->where : NULL;
    f->line = line;
    f->nmatch = (unsigned short)clip(f->match, sizeof f->match, m, mn, &f->nmatch_cut);
    f->ndecoded = (unsigned short)clip(f->decoded, sizeof f->decoded, dec ? dec : "", dec ? dn : 0,
                                       &f->ndecoded_cut);
}

ISO_PUBLIC int iso_paste_classify(const char *text, size_t len, struct iso_paste_result *res)
{
    struct iso_paste_result local;
    struct iso_pz_ctx *c;
    struct iso_pz_text tx;
    size_t full = len;

    if (!res) res = &local;
    res->verdict = ISO_PASTE_WARN;
    res->nfindings = res->ndropped = 0;
    res->lines = 1;
    if (len > ISO_PASTE_MAX) len = ISO_PASTE_MAX;
    for (const char *q = text; (q = memchr(q, '\n', len - (size_t)(q - text))); q++)
        if ((size_t)(q - text) + 1 < len) res->lines++;

    /* The context holds the paste's variables and files: on the heap, as the
     * caller may be a shell with a modest stack. */
    c = calloc(1, sizeof *c);
    if (!c) {
        iso_pz_report(&(struct iso_pz_ctx){.res = res}, NULL, "incomplete",
                      "out of memory: the text could not be checked", "", 0, NULL, 0);
        return ISO_PASTE_WARN;
    }
    c->res = res;
    c->top = text;
    c->topn = len;
    c->limit = 32 * len + ((size_t)8 << 20);
#ifdef ISO_PZ_TEST_LIMIT /* fuzzing the out-of-memory paths */
    c->limit = ISO_PZ_TEST_LIMIT;
#endif

    iso_pz_scan_hidden(c);
    tx = (struct iso_pz_text){.s = text, .n = len, .depth = 0, .line = 1, .where = NULL};
    iso_pz_parse(c, &tx, (struct iso_pz_flow){0});
    iso_pz_files_end(c);
    if (c->oom)
        iso_pz_report(c, NULL, "incomplete", "too large or complex to check completely", text,
                      len < 60 ? len : 60, NULL, 0);
    if (full > len)
        iso_pz_report(c, NULL, "oversized", "longer than 1 MiB: only the first 1 MiB was checked",
                      text, len < 60 ? len : 60, NULL, 0);
    while (c->blocks) {
        struct iso_pz_block *b = c->blocks;
        c->blocks = b->next;
        free(b);
    }
    free(c);
    res->verdict = res->nfindings || res->ndropped ? ISO_PASTE_WARN : ISO_PASTE_CLEAN;
    return res->verdict;
}

ISO_PUBLIC size_t iso_paste_escape(char *dst, size_t cap, const char *src, size_t n)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;

    if (cap == 0) return 0;
    while (i < n) {
        char tmp[16];
        size_t k = 1, tl;
        unsigned cp;

        if (s[i] == '\\')
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\\\");
        else if (s[i] == '\t')
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\t");
        else if (s[i] == '\n')
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\n");
        else if (s[i] == '\r')
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\r");
        else if (s[i] >= 0x20 && s[i] < 0x7f)
            tmp[0] = (char)s[i], tl = 1;
        else if (s[i] >= 0x80 && (k = iso_pz_utf8(s + i, n - i, &cp)) > 0 && cp >= 0x80)
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\u{%X}", cp);
        else
            k = 1, tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02X", s[i]);
        if (o + tl + 1 > cap) break;
        memcpy(dst + o, tmp, tl);
        o += tl;
        i += k;
    }
    dst[o] = 0;
    return i;
}

ISO_PUBLIC int iso_paste_write(const struct iso_paste_result *res, FILE *out)
{
    char m[sizeof res->findings[0].match * 9 + 8], d[sizeof res->findings[0].decoded * 9 + 8];

    for (unsigned i = 0; i < res->nfindings; i++) {
        const struct iso_finding *f = &res->findings[i];

        iso_paste_escape(m, sizeof m, f->match, f->nmatch);
        /* never an empty field: read(1) with IFS=$'\t' would merge it away */
        fprintf(out, "%s\t%s%s\t%s", f->rule, f->nmatch ? m : "-", f->nmatch_cut ? "..." : "",
                f->why);
        if (f->where) fprintf(out, " (in %s)", f->where);
        if (res->lines > 1) fprintf(out, " (line %u)", f->line);
        if (f->ndecoded) {
            iso_paste_escape(d, sizeof d, f->decoded, f->ndecoded);
            fprintf(out, "\tdecoded: %s%s", d, f->ndecoded_cut ? "..." : "");
        }
        fputc('\n', out);
    }
    if (res->ndropped)
        fprintf(out, "more\t+%u\t%u more findings not shown\n", res->ndropped, res->ndropped);
    return ferror(out) ? -1 : 0;
}

/* Reads standard input with read(2): in a shell builtin, stdio's stdin may
 * hold state of its own. Reads one byte past the cap to know it was passed. */
static char *read_stdin(size_t *len, int *errnum)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap), *nb;

    if (!buf) return *errnum = ENOMEM, NULL;
    for (;;) {
        ssize_t r;

        if (n == cap) {
            if (cap > ISO_PASTE_MAX) break;
            cap *= 2;
            if (!(nb = realloc(buf, cap))) {
                free(buf);
                return *errnum = ENOMEM, NULL;
            }
            buf = nb;
        }
        r = read(0, buf + n, cap - n > ISO_PASTE_MAX + 1 - n ? ISO_PASTE_MAX + 1 - n : cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            *errnum = errno;
            free(buf);
            return NULL;
        }
        if (r == 0 || (n += (size_t)r) > ISO_PASTE_MAX) break;
    }
    *len = n;
    return buf;
}

ISO_PUBLIC int isolate_check_run(const struct isolate_policy *p, FILE *out)
{
    struct iso_paste_result *res;
    const char *text;
    char *buf = NULL;
    size_t len;
    int errnum = 0, v;

    if (!p || !p->check_text) {
        fprintf(stderr, "isolate: --check needs TEXT (or - for standard input)\n");
        return ISOLATE_EXIT_FAILURE;
    }
    if (!strcmp(p->check_text, "-")) {
        if (!(buf = read_stdin(&len, &errnum))) {
            fprintf(stderr, "isolate: --check: cannot read standard input: %s\n",
                    iso_strerror(errnum));
            return ISOLATE_EXIT_FAILURE;
        }
        text = buf;
    } else {
        text = p->check_text;
        len = strlen(text);
    }
    if (!(res = malloc(sizeof *res))) {
        free(buf);
        fprintf(stderr, "isolate: --check: out of memory\n");
        return ISOLATE_EXIT_FAILURE;
    }
    if (len > ISO_PASTE_MAX)
        fprintf(stderr, "isolate: --check: the text is longer than 1 MiB; only its first "
                        "1 MiB was checked\n");
    v = iso_paste_classify(text, len, res);
    iso_paste_write(res, out);
    fflush(out);
    free(res);
    free(buf);
    return v;
}
