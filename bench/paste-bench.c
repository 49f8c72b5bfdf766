/*
 * paste-bench - measures the paste classifier on the development corpora:
 * detection and warning rates per file and category, time per line, and the
 * time for one 64 KiB paste (CPU time of the thread, best of several runs).
 *
 *   bench/paste-bench [--corpus DIR] [rates|time|all]
 *   bench/paste-bench [--corpus DIR] list FILE warn|clean [CATEGORY]
 *
 * DIR defaults to $ISOLATE_CORPUS, then ../shared/corpus. The tldr lines are
 * split into three categories by plain text tests that do not use the
 * classifier: real installers (a download piped or substituted into a shell
 * or interpreter), privilege lines (sudo, doas, pkexec, run0, gksudo or su as
 * a command), and the
 * rest, on which every warning counts as a false positive.
 */
#include "paste.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct corpus {
    char *buf;
    char **line;
    size_t *len;
    size_t n;
};

static int load(const char *dir, const char *name, struct corpus *c)
{
    char path[4096];
    FILE *f;
    long size;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "rb"))) {
        fprintf(stderr, "paste-bench: cannot open %s\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    c->buf = malloc((size_t)size + 1);
    c->line = malloc(((size_t)size + 1) * sizeof *c->line);
    c->len = malloc(((size_t)size + 1) * sizeof *c->len);
    if (!c->buf || !c->line || !c->len || fread(c->buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return -1;
    }
    fclose(f);
    c->buf[size] = 0;
    c->n = 0;
    for (char *p = c->buf; p < c->buf + size;) {
        char *nl = memchr(p, '\n', (size_t)(c->buf + size - p));
        size_t k = nl ? (size_t)(nl - p) : (size_t)(c->buf + size - p);
        if (k) {
            c->line[c->n] = p;
            c->len[c->n++] = k;
        }
        p += k + 1;
    }
    return 0;
}

static int word_at(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, w, k) && (i == 0 || strchr(" \t;&|(`'\"", s[i - 1])) &&
            (i + k == n || strchr(" \t;&|)`'\"", s[i + k])))
            return 1;
    return 0;
}

/* w as a command: first on the line, or after | ; & ( ` (spaces aside). */
static int command_at(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++) {
        size_t j = i;
        if (memcmp(s + i, w, k) || (i + k < n && !strchr(" \t;&|)`", s[i + k]))) continue;
        while (j > 0 && s[j - 1] == ' ') j--;
        if (j == 0 || strchr(";&|(`", s[j - 1])) return 1;
    }
    return 0;
}

static int has(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, w, k)) return 1;
    return 0;
}

enum { C_INSTALLER, C_PRIV, C_REST, C_N };
static const char *const cat_name[C_N] = {"installers", "privilege", "rest"};

static int category(const char *s, size_t n)
{
    static const char *const into[] = {"| sh",     "|sh",   "| bash",
                                       "|bash",    "| zsh", "| sudo",
                                       "| python", "| iex", "| Invoke-Expression",
                                       NULL};
    int dl = word_at(s, n, "curl") || word_at(s, n, "wget") || word_at(s, n, "iwr") ||
             word_at(s, n, "irm") || has(s, n, "Invoke-WebRequest") ||
             has(s, n, "Invoke-RestMethod");
    if (dl) {
        for (int i = 0; into[i]; i++)
            if (has(s, n, into[i])) return C_INSTALLER;
        if (has(s, n, "$(curl") || has(s, n, "$(wget") || has(s, n, "<(curl") ||
            has(s, n, "<(wget"))
            return C_INSTALLER;
    }
    if (command_at(s, n, "sudo") || command_at(s, n, "doas") || command_at(s, n, "pkexec") ||
        command_at(s, n, "run0") || command_at(s, n, "gksudo") || command_at(s, n, "su"))
        return C_PRIV;
    return C_REST;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread: the machine may be shared with builds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void rates(const char *dir)
{
    static const char *const files[] = {"clickfix-patterns-malicious.txt",
                                        "clickfix-patterns-benign.txt", NULL};
    struct iso_paste_result res;
    struct corpus c;
    size_t warn[C_N] = {0}, total[C_N] = {0};
    unsigned long rule_hits[64] = {0};
    const char *rule_name[64] = {0};

    printf("%-34s %8s %8s %8s\n", "file / category", "lines", "warned", "rate");
    for (int f = 0; files[f]; f++) {
        size_t w = 0;
        if (load(dir, files[f], &c) < 0) exit(125);
        for (size_t i = 0; i < c.n; i++) w += iso_paste_classify(c.line[i], c.len[i], NULL);
        printf("%-34s %8zu %8zu %7.2f%%\n", files[f], c.n, w, 100.0 * w / c.n);
        free(c.buf), free(c.line), free(c.len);
    }
    if (load(dir, "tldr-commands.txt", &c) < 0) exit(125);
    for (size_t i = 0; i < c.n; i++) {
        int k = category(c.line[i], c.len[i]);
        int v = iso_paste_classify(c.line[i], c.len[i], &res);
        total[k]++;
        warn[k] += (size_t)v;
        if (k == C_REST)
            for (unsigned j = 0; j < res.nfindings; j++)
                for (int r = 0; r < 64; r++) {
                    if (!rule_name[r]) rule_name[r] = res.findings[j].rule;
                    if (!strcmp(rule_name[r], res.findings[j].rule)) {
                        rule_hits[r]++;
                        break;
                    }
                }
    }
    for (int k = 0; k < C_N; k++)
        printf("tldr-commands.txt: %-15s %8zu %8zu %7.2f%%\n", cat_name[k], total[k], warn[k],
               100.0 * warn[k] / (total[k] ? total[k] : 1));
    printf("\nfindings on tldr 'rest' lines, by rule:\n");
    for (int r = 0; r < 64 && rule_name[r]; r++)
        printf("  %-26s %lu\n", rule_name[r], rule_hits[r]);
    free(c.buf), free(c.line), free(c.len);
}

/* One paste of 64 KiB made of the corpus' lines, repeated as needed. */
static void paste64(const struct corpus *c, const char *label)
{
    struct iso_paste_result res;
    char *paste = malloc(65536);
    size_t pn = 0;
    double best = 1e9, t0, t;

    for (size_t i = 0; pn < 65536; i = (i + 1) % c->n) {
        size_t k = c->len[i] < 65536 - pn ? c->len[i] : 65536 - pn;
        memcpy(paste + pn, c->line[i], k);
        pn += k;
        if (pn < 65536) paste[pn++] = '\n';
    }
    for (int rep = 0; rep < 50; rep++) {
        t0 = now();
        iso_paste_classify(paste, pn, &res);
        t = now() - t0;
        if (t < best) best = t;
    }
    printf("  one 64 KiB paste of %-14s %u lines: %7.3f ms (best of 50), %u findings\n", label,
           res.lines, best * 1e3, res.nfindings + res.ndropped);
    free(paste);
}

static void timing(const char *dir)
{
    static const char *const files[] = {"tldr-commands.txt", "clickfix-patterns-malicious.txt",
                                        "clickfix-patterns-benign.txt", NULL};
    static const char *const labels[] = {"tldr lines", "malicious", "benign", NULL};
    struct iso_paste_result res;
    struct corpus c;

    for (int f = 0; files[f]; f++) {
        double t0, t, bestpass = 1e9, *line_best;
        size_t bytes = 0, worst = 0;
        if (load(dir, files[f], &c) < 0) exit(125);
        line_best = malloc(c.n * sizeof *line_best);
        for (size_t i = 0; i < c.n; i++) bytes += c.len[i], line_best[i] = 1e9;
        for (int pass = 0; pass < 5; pass++) {
            t0 = now();
            for (size_t i = 0; i < c.n; i++) iso_paste_classify(c.line[i], c.len[i], &res);
            t = now() - t0;
            if (t < bestpass) bestpass = t;
        }
        /* each line timed alone with the (cheaper) monotonic clock, best of 5 */
        for (int pass = 0; pass < 5; pass++)
            for (size_t i = 0; i < c.n; i++) {
                t0 = mono();
                iso_paste_classify(c.line[i], c.len[i], &res);
                t = mono() - t0;
                if (t < line_best[i]) line_best[i] = t;
            }
        for (size_t i = 1; i < c.n; i++)
            if (line_best[i] > line_best[worst]) worst = i;
        printf("%s: %zu lines, mean %.0f bytes\n", files[f], c.n, (double)bytes / c.n);
        printf("  per line: mean %.2f us (best of 5 passes); slowest line %.1f us (%zu bytes)\n",
               bestpass * 1e6 / c.n, line_best[worst] * 1e6, c.len[worst]);
        paste64(&c, labels[f]);
        free(line_best);
        free(c.buf), free(c.line), free(c.len);
    }
}

static void list(const char *dir, const char *file, int want, int cat)
{
    struct iso_paste_result res;
    struct corpus c;

    if (load(dir, file, &c) < 0) exit(125);
    for (size_t i = 0; i < c.n; i++) {
        if (cat >= 0 && category(c.line[i], c.len[i]) != cat) continue;
        if (iso_paste_classify(c.line[i], c.len[i], &res) != want) continue;
        printf("%.*s\n", (int)c.len[i], c.line[i]);
        if (want) iso_paste_write(&res, stdout);
    }
}

int main(int argc, char **argv)
{
    const char *dir = getenv("ISOLATE_CORPUS");
    int i = 1;

    if (!dir || !*dir) dir = "../shared/corpus";
    if (i + 1 < argc && !strcmp(argv[i], "--corpus")) dir = argv[i + 1], i += 2;
    if (i < argc && !strcmp(argv[i], "list") && i + 2 < argc) {
        int cat = -1;
        if (i + 3 < argc)
            for (int k = 0; k < C_N; k++)
                if (!strcmp(argv[i + 3], cat_name[k])) cat = k;
        list(dir, argv[i + 1], !strcmp(argv[i + 2], "warn"), cat);
        return 0;
    }
    if (i >= argc || !strcmp(argv[i], "rates") || !strcmp(argv[i], "all")) rates(dir);
    if (i >= argc || !strcmp(argv[i], "time") || !strcmp(argv[i], "all")) {
        printf("\n");
        timing(dir);
    }
    return 0;
}
