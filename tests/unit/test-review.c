/*
 * test-review.c - unit tests of the pure parts of review-then-commit: the
 * options (--overlay, --home, --diff, --commit ...), the escaping of names
 * and metadata, and the line diff. The diff is checked by what matters: GNU
 * patch applies it and gets the new text back, and it changes as few lines
 * as GNU diff says are needed.
 *
 * Linked statically against libisolate.a. Prints TAP.
 */
#include "internal.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The policy borrows argv: it lives until the next call. */
static int parse(struct isolate_policy *p, struct isolate_error *e, ...)
{
    static char *argv[32];
    int argc = 0;
    va_list ap;

    argv[argc++] = "isolate";
    va_start(ap, e);
    while (argc < 31 && (argv[argc] = va_arg(ap, char *))) argc++;
    va_end(ap);
    argv[argc] = NULL;
    return isolate_parse(p, argc, argv, e);
}

static void test_parse(void)
{
    struct isolate_policy p;
    struct isolate_error e;

    ok(parse(&p, &e, "--overlay", "make", NULL) == 0 && p.npaths == 1 &&
           p.paths[0].kind == ISOLATE_PATH_OVERLAY && !strcmp(p.paths[0].arg, ".") && p.argc == 1 &&
           !strcmp(p.argv[0], "make") && p.mode == ISOLATE_MODE_RUN,
       "--overlay CMD: the current directory, and CMD runs");
    isolate_policy_free(&p);
    ok(parse(&p, &e, "--overlay=/a", "--overlay", "-w", "/b", "true", NULL) == 0 && p.npaths == 3 &&
           !strcmp(p.paths[0].arg, "/a") && !strcmp(p.paths[1].arg, ".") &&
           p.paths[2].kind == ISOLATE_PATH_WRITE,
       "--overlay repeats, with and without a PATH");
    isolate_policy_free(&p);
    ok(parse(&p, &e, "--home", "overlay", "sh", NULL) == 0 && !strcmp(p.home, "overlay") &&
           p.argc == 1,
       "--home WHERE");
    isolate_policy_free(&p);
    ok(parse(&p, &e, "--home=/d", "sh", NULL) == 0 && !strcmp(p.home, "/d"), "--home=WHERE");
    isolate_policy_free(&p);

    struct {
        const char *args[4];
        enum isolate_review review;
        const char *run;
        int force;
    } review[] = {
        {{"--diff"}, ISOLATE_REVIEW_DIFF, NULL, 0},
        {{"--diff", "3"}, ISOLATE_REVIEW_DIFF, "3", 0},
        {{"--diff=12"}, ISOLATE_REVIEW_DIFF, "12", 0},
        {{"--commit", "--force", "2"}, ISOLATE_REVIEW_COMMIT, "2", 1},
        {{"--force", "--commit"}, ISOLATE_REVIEW_COMMIT, NULL, 1},
        {{"--rollback"}, ISOLATE_REVIEW_ROLLBACK, NULL, 0},
        {{"--discard=4"}, ISOLATE_REVIEW_DISCARD, "4", 0},
        {{"--runs"}, ISOLATE_REVIEW_RUNS, NULL, 0},
        {{"-q", "--commit", "--", "5"}, ISOLATE_REVIEW_COMMIT, "5", 0},
    };
    for (size_t i = 0; i < sizeof review / sizeof *review; i++) {
        const char **a = review[i].args;
        int rc = parse(&p, &e, a[0], a[1], a[2], a[3], NULL);
        ok(rc == 0 && p.mode == ISOLATE_MODE_REVIEW && p.review == review[i].review &&
               (review[i].run ? p.run && !strcmp(p.run, review[i].run) : !p.run) &&
               p.force == review[i].force,
           "%s %s %s: review %d, run %s", a[0], a[1] ? a[1] : "", a[2] ? a[2] : "",
           review[i].review, review[i].run ? review[i].run : "latest");
        isolate_policy_free(&p);
    }

    struct {
        const char *args[4];
        const char *msg;
    } bad[] = {
        {{"--overlay=", "true"}, "option '--overlay' needs a non-empty PATH"},
        {{"--home="}, "option '--home' needs empty, overlay or a directory"},
        {{"--home"}, "option '--home' needs a value (WHERE)"},
        {{"--diff", "--commit"}, "options '--diff' and '--commit' cannot be combined"},
        {{"--commit", "--explain"}, "options '--commit' and '--explain' cannot be combined"},
        {{"--explain", "--runs"}, "options '--explain' and '--runs' cannot be combined"},
        {{"--runs", "--check", "x"}, "options '--runs' and '--check' cannot be combined"},
        {{"--overlay", "--diff"}, "options '--diff' and '--overlay' cannot be combined"},
        {{"-c", "x", "--commit"}, "options '--commit' and '-c' cannot be combined"},
        {{"--home=overlay", "--runs"}, "options '--runs' and '--home' cannot be combined"},
        {{"--commit", "1", "2"}, "option '--commit' takes at most one RUN (options go before it)"},
        {{"--diff=1", "2"}, "option '--diff' takes at most one RUN (options go before it)"},
        {{"--runs", "1"}, "option '--runs' takes no RUN"},
        {{"--runs=1"}, "option '--runs' takes no value"},
        {{"--diff", "latest"}, "'latest' is not a run number (isolate --runs lists the runs)"},
        {{"--discard", "01"}, "'01' is not a run number (isolate --runs lists the runs)"},
        {{"--force", "true"}, "option '--force' goes with --commit only"},
        {{"--diff", "--force"}, "option '--force' goes with --commit only"},
        {{"--commit="}, "option '--commit' needs a non-empty RUN"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char **a = bad[i].args;
        int rc = parse(&p, &e, a[0], a[1], a[2], a[3], NULL);
        ok(rc < 0 && !strcmp(e.msg, bad[i].msg) && !p.npaths && !p.review, "%s %s %s: \"%s\"", a[0],
           a[1] ? a[1] : "", a[2] ? a[2] : "", rc < 0 ? e.msg : "ok");
        if (rc == 0) isolate_policy_free(&p);
    }
}

static void test_escape(void)
{
    char all[256], esc[1024], quoted[1024];
    int same, clean = 1;

    for (int i = 1; i < 256; i++) all[i - 1] = (char)i;
    all[255] = '\0';
    iso_esc(all, esc, sizeof esc);
    ok(!strchr(esc, ' ') && !strchr(esc, '\n') && strlen(esc) > 255,
       "metadata escaping leaves no blank, newline or control byte");
    same = iso_unesc(esc) == 0 && !strcmp(esc, all);
    ok(same, "and every byte comes back");
    iso_quote("a\033[31mb\n\xc2\x9b"
              "c\\",
              quoted, sizeof quoted);
    for (const unsigned char *q = (const unsigned char *)quoted; *q; q++)
        if (*q < ' ' || *q == 0x7f || (q[0] == 0xc2 && q[1] >= 0x80 && q[1] <= 0x9f)) clean = 0;
    ok(clean && !strcmp(quoted, "a\\x1b[31mb\\x0a\\xc2\\x9bc\\\\"),
       "names for the terminal: control characters (C0, DEL, C1) shown escaped: %s", quoted);
    ok(iso_run_is_id("7") && iso_run_is_id("123") && !iso_run_is_id("0") && !iso_run_is_id("07") &&
           !iso_run_is_id("1a") && !iso_run_is_id("") && !iso_run_is_id("1234567890"),
       "run numbers");
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A text of n lines from a small vocabulary (so that lines repeat). */
static size_t make_text(char *buf, int n, int noeol)
{
    static const char *const words[] = {"alpha", "beta", "gamma", "", "delta", "}", "{"};
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len, "%s%s", words[rnd(7)], i + 1 < n || !noeol ? "\n" : "");
    return len;
}

/* Random edits of a text: lines deleted, inserted, changed. */
static size_t mutate(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(in + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - in) + 1 : len;
        unsigned r = rnd(10);
        if (r == 0) {
            o += (size_t)sprintf(out + o, "inserted %u\n", rnd(100));
        } else if (r == 1) {
            i = end;
            continue;
        } else if (r == 2) {
            o += (size_t)sprintf(out + o, "changed %u\n", rnd(3));
            i = end;
            continue;
        }
        memcpy(out + o, in + i, end - i);
        o += end - i;
        i = end;
    }
    return o;
}

static int write_file(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fwrite(buf, 1, len, f);
    return fclose(f);
}

/* The two texts in files a and b, and iso_diff_text's diff of them in d. */
static void write_diff(const char *a, const char *ta, size_t la, const char *b, const char *tb,
                       size_t lb, const char *d)
{
    FILE *out;
    write_file(a, ta, la);
    write_file(b, tb, lb);
    if (!(out = fopen(d, "w"))) return;
    fprintf(out, "--- a\n+++ b\n");
    iso_diff_text(ta, la, tb, lb, out, 0);
    fclose(out);
}

/* Lines a diff removes and adds. */
static int changed_lines(const char *path)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if ((line[0] == '+' || line[0] == '-') && strncmp(line, "+++", 3) &&
            strncmp(line, "---", 3))
            n++;
    if (f) fclose(f);
    return n;
}

static void test_diff(void)
{
    char dir[] = "/tmp/isolate-unit-diff.XXXXXX", a[64], b[64], d[64], g[64], cmd[512];
    static char ta[1 << 16], tb[1 << 16];
    int applied = 0, minimal = 0, rounds = 300;

    if (!mkdtemp(dir)) {
        ok(0, "cannot make a scratch directory");
        return;
    }
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(d, sizeof d, "%s/ours", dir);
    snprintf(g, sizeof g, "%s/gnu", dir);
    for (int round = 0; round < rounds; round++) {
        size_t la = make_text(ta, (int)rnd(60), (int)rnd(5) == 0), lb;
        lb = rnd(8) == 0 ? make_text(tb, (int)rnd(60), 0) : mutate(ta, la, tb);
        if (rnd(6) == 0 && lb && tb[lb - 1] == '\n') lb--; /* no newline at the end */
        write_diff(a, ta, la, b, tb, lb, d);
        /* An empty diff (no hunk) is right only for equal texts. */
        snprintf(cmd, sizeof cmd,
                 "cd %s && { diff -u a b >gnu; true; } && cp a p && "
                 "{ ! grep -q '^@@' ours || patch -s p ours >/dev/null 2>&1; } && cmp -s p b",
                 dir);
        if (system(cmd) == 0)
            applied++;
        else
            diag("round %d: the diff does not turn a into b", round);
        if (changed_lines(d) == changed_lines(g))
            minimal++;
        else
            diag("round %d: %d lines changed, GNU diff: %d", round, changed_lines(d),
                 changed_lines(g));
    }
    ok(applied == rounds, "patch applies every diff and gets the new text (%d of %d)", applied,
       rounds);
    /* Past MAX_D differences: a non-minimal diff, still a correct one. */
    {
        size_t la = make_text(ta, 3000, 0), lb = make_text(tb, 3000, 0);
        write_diff(a, ta, la, b, tb, lb, d);
        snprintf(cmd, sizeof cmd,
                 "cd %s && cp a p && patch -s p ours >/dev/null 2>&1 && cmp -s p b", dir);
        ok(system(cmd) == 0, "two unrelated texts of 3000 lines: the diff still applies");
    }
    ok(minimal == rounds, "every diff changes as few lines as GNU diff's (%d of %d)", minimal,
       rounds);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) diag("cannot remove %s", dir);
}

int main(void)
{
    test_parse();
    test_escape();
    test_diff();
    return done_testing();
}
