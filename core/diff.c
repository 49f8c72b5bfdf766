/*
 * diff.c - isolate --diff: what a run changed, as a unified diff (git's
 * extended headers for new, deleted, renamed files and modes; a note for
 * binary files and for what a diff cannot show).
 *
 * Runs in the caller's process, the sandbox gone; reads the run's upper
 * layers against the host through upper.c, so nothing on either side is
 * reached through a symlink. The text is the sandbox's: on a terminal its
 * control characters are shown escaped, never sent (a file could otherwise
 * hold escape sequences that retitle, recolour or type into the terminal).
 *
 * The line diff is Myers' O(ND) algorithm on what remains after the common
 * head and tail; past MAX_D differing lines it gives up on a minimal script
 * and shows the middle as removed and added, which is still a correct diff.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_D 1500
#define MAX_FILE (64 << 20)
#define CONTEXT 3

/* A line with its newline, if it has one: "x" at the end of a file that
 * lacks one differs from "x\n". */
struct line {
    const char *p;
    size_t len;
    unsigned long h;
};

struct text {
    struct line *l;
    size_t n;
};

static int split(const char *buf, size_t len, struct text *t)
{
    size_t n = 0, cap = 0;

    memset(t, 0, sizeof t[0]);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        unsigned long h = 5381;
        if (n == cap) {
            struct line *nlines = realloc(t->l, (cap = cap ? cap * 2 : 64) * sizeof *nlines);
            if (!nlines) return -1;
            t->l = nlines;
        }
        if (nl) end++;
        for (size_t k = i; k < end; k++) h = h * 33 + (unsigned char)buf[k];
        t->l[n++] = (struct line){buf + i, end - i, h};
        i = end;
    }
    t->n = n;
    return 0;
}

static int same(const struct line *a, const struct line *b)
{
    return a->h == b->h && a->len == b->len && !memcmp(a->p, b->p, a->len);
}

/* Edit script of a[0..n) into b[0..m): 'k' keep, 'd' delete, 'i' insert,
 * written backwards from ops + n + m; returns its length, -1 when the
 * difference is over MAX_D (or memory is short). */
static long myers(const struct line *a, long n, const struct line *b, long m, char *end)
{
    long max = n + m < MAX_D ? n + m : MAX_D, d, k, x, y, found = -1;
    int *v = calloc((size_t)(2 * max + 3), sizeof *v), *trace, *vv = v + max + 1;
    char *o = end;

    trace = malloc((size_t)(max + 1) * (size_t)(max + 1) * sizeof *trace);
    if (!v || !trace) goto out;
    for (d = 0; d <= max && found < 0; d++) {
        for (k = -d; k <= d; k += 2) {
            x = (k == -d || (k != d && vv[k - 1] < vv[k + 1])) ? vv[k + 1] : vv[k - 1] + 1;
            y = x - k;
            while (x < n && y < m && same(&a[x], &b[y])) x++, y++;
            vv[k] = (int)x;
            if (x >= n && y >= m) found = d;
        }
        memcpy(trace + d * d, vv - d, (size_t)(2 * d + 1) * sizeof *trace);
    }
    if (found < 0) goto out;
    x = n, y = m;
    for (d = found; d > 0; d--) {
        const int *pv = trace + (d - 1) * (d - 1) + (d - 1); /* index 0 is k = 0 */
        long pk, px, py;
        k = x - y;
        pk = (k == -d || (k != d && pv[k - 1] < pv[k + 1])) ? k + 1 : k - 1;
        px = pv[pk];
        py = px - pk;
        while (x > px && y > py) *--o = 'k', x--, y--;
        *--o = pk == k + 1 ? 'i' : 'd';
        x = px, y = py;
    }
    while (x > 0) *--o = 'k', x--;
out:
    free(v);
    free(trace);
    return found < 0 ? -1 : end - o;
}

static void put_text(FILE *out, const char *p, size_t len, int tty)
{
    if (!tty) {
        fwrite(p, 1, len, out);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        int c1 = c == 0xc2 && i + 1 < len && (unsigned char)p[i + 1] >= 0x80 &&
                 (unsigned char)p[i + 1] <= 0x9f;
        if ((c < ' ' && c != '\t') || c == 0x7f || c1) {
            fprintf(out, "\\x%02x", c);
            if (c1) fprintf(out, "\\x%02x", (unsigned char)p[++i]);
        } else {
            fputc(c, out);
        }
    }
}

static void put_line(FILE *out, char sign, const struct text *t, size_t i, int tty)
{
    const struct line *l = &t->l[i];
    int eol = l->len && l->p[l->len - 1] == '\n';

    fputc(sign, out);
    put_text(out, l->p, l->len - (size_t)eol, tty);
    fputc('\n', out);
    if (!eol) fputs("\\ No newline at end of file\n", out);
}

static void hunks(FILE *out, const char *ops, size_t nops, const struct text *a,
                  const struct text *b, int tty)
{
    size_t i = 0;
    while (i < nops) {
        size_t start, end, ai = 0, bi = 0, an = 0, bn = 0, j;
        while (i < nops && ops[i] == 'k') i++;
        if (i == nops) break;
        start = i > CONTEXT ? i - CONTEXT : 0;
        /* Extend while the next change is within two contexts. */
        for (end = i;;) {
            size_t keep = 0;
            while (end < nops && ops[end] != 'k') end++;
            while (end + keep < nops && ops[end + keep] == 'k') keep++;
            if (end + keep == nops || keep > 2 * CONTEXT) {
                end += keep < CONTEXT ? keep : CONTEXT;
                break;
            }
            end += keep;
        }
        for (j = 0; j < start; j++) ai += ops[j] != 'i', bi += ops[j] != 'd';
        for (j = start; j < end; j++) an += ops[j] != 'i', bn += ops[j] != 'd';
        /* diff -u and git leave out a count of 1. */
        fprintf(out, "@@ -%zu", ai + (an ? 1 : 0));
        if (an != 1) fprintf(out, ",%zu", an);
        fprintf(out, " +%zu", bi + (bn ? 1 : 0));
        if (bn != 1) fprintf(out, ",%zu", bn);
        fprintf(out, " @@\n");
        for (j = start; j < end; j++) {
            if (ops[j] == 'k')
                put_line(out, ' ', a, ai, tty), ai++, bi++;
            else if (ops[j] == 'd')
                put_line(out, '-', a, ai++, tty);
            else
                put_line(out, '+', b, bi++, tty);
        }
        i = end;
    }
}

/* A unified diff of two texts (the hunks only). */
int iso_diff_text(const char *abuf, size_t alen, const char *bbuf, size_t blen, FILE *out, int tty)
{
    struct text a, b;
    size_t pre = 0, suf = 0, nops = 0;
    char *ops = NULL;
    long mid;
    int rc = -1;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (split(abuf, alen, &a) < 0 || split(bbuf, blen, &b) < 0) goto out;
    while (pre < a.n && pre < b.n && same(&a.l[pre], &b.l[pre])) pre++;
    while (suf < a.n - pre && suf < b.n - pre && same(&a.l[a.n - 1 - suf], &b.l[b.n - 1 - suf]))
        suf++;
    if (!(ops = malloc(a.n + b.n + 1))) goto out;
    memset(ops, 'k', pre);
    /* An empty text has no lines at all (a.l NULL): no pointer arithmetic on it. */
    mid = myers(a.l ? a.l + pre : NULL, (long)(a.n - pre - suf), b.l ? b.l + pre : NULL,
                (long)(b.n - pre - suf), ops + a.n + b.n);
    if (mid >= 0) {
        memmove(ops + pre, ops + a.n + b.n - mid, (size_t)mid);
        nops = pre + (size_t)mid;
    } else {
        nops = pre;
        for (size_t i = pre; i < a.n - suf; i++) ops[nops++] = 'd';
        for (size_t i = pre; i < b.n - suf; i++) ops[nops++] = 'i';
    }
    memset(ops + nops, 'k', suf);
    nops += suf;
    hunks(out, ops, nops, &a, &b, tty);
    rc = 0;
out:
    free(ops);
    free(a.l);
    free(b.l);
    return rc;
}

/* ---- the files of a run ---- */

struct side {
    int dir; /* directory descriptor (or a root, with a path in name) */
    const char *name;
    const struct stat *st; /* NULL: absent on this side */
};

/* The content of a regular file or the target of a symlink. */
static char *load(const struct side *s, size_t *len)
{
    char *buf;
    ssize_t n;
    size_t got = 0;
    int fd;

    if (S_ISLNK(s->st->st_mode)) {
        if (!(buf = malloc(PATH_MAX + 1))) return NULL;
        n = readlinkat(s->dir, s->name, buf, PATH_MAX);
        *len = n > 0 ? (size_t)n : 0;
        return buf;
    }
    if (s->st->st_size > MAX_FILE || (fd = iso_up_open_file(s->dir, s->name)) < 0) return NULL;
    if (!(buf = malloc((size_t)s->st->st_size + 1))) {
        close(fd);
        return NULL;
    }
    while (got < (size_t)s->st->st_size &&
           (n = read(fd, buf + got, (size_t)s->st->st_size - got)) > 0)
        got += (size_t)n;
    close(fd);
    *len = got;
    return buf;
}

static unsigned git_mode(const struct stat *st)
{
    return S_ISLNK(st->st_mode) ? 0120000 : 0100000 | (st->st_mode & 07777);
}

static void file_diff(FILE *out, const char *rel, const char *from, const struct side *a,
                      const struct side *b, int tty)
{
    char qa[PATH_MAX * 4 + 8], qb[PATH_MAX * 4 + 8], *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;
    int unread, same_mode = a->st && b->st && git_mode(a->st) == git_mode(b->st), same_text;

    unread = (a->st && !(ta = load(a, &la))) || (b->st && !(tb = load(b, &lb)));
    same_text = !unread && a->st && b->st && la == lb && (!la || !memcmp(ta, tb, la));
    /* Copied up but not changed (touch, a rewrite of the same bytes). */
    if (same_text && same_mode && !from) goto out;
    iso_quote(from ? from : rel, qa, sizeof qa);
    iso_quote(rel, qb, sizeof qb);
    fprintf(out, "diff --git a/%s b/%s\n", qa, qb);
    if (!a->st)
        fprintf(out, "new file mode %06o\n", git_mode(b->st));
    else if (!b->st)
        fprintf(out, "deleted file mode %06o\n", git_mode(a->st));
    else if (!same_mode)
        fprintf(out, "old mode %06o\nnew mode %06o\n", git_mode(a->st), git_mode(b->st));
    if (from) fprintf(out, "similarity index 100%%\nrename from %s\nrename to %s\n", qa, qb);
    if (unread) {
        fprintf(out, "# %s: cannot be read, or is over %d MiB: not shown\n", qb, MAX_FILE >> 20);
    } else if (same_text) {
        /* mode or name only */
    } else if ((ta && memchr(ta, 0, la < 8000 ? la : 8000)) ||
               (tb && memchr(tb, 0, lb < 8000 ? lb : 8000))) {
        fprintf(out, "Binary files %s%s and %s%s differ\n", a->st ? "a/" : "",
                a->st ? qa : "/dev/null", b->st ? "b/" : "", b->st ? qb : "/dev/null");
    } else {
        fprintf(out, "--- %s%s\n+++ %s%s\n", a->st ? "a/" : "", a->st ? qa : "/dev/null",
                b->st ? "b/" : "", b->st ? qb : "/dev/null");
        iso_diff_text(ta ? ta : "", la, tb ? tb : "", lb, out, tty);
    }
out:
    free(ta);
    free(tb);
}

struct moved {
    char *rel;
    off_t size;
    int match; /* index + 1 of the other side */
};

struct dctx {
    FILE *out;
    int tty, upper, host;
    struct moved *del, *add;
    size_t ndel, nadd;
};

static void note(struct dctx *c, const char *rel, const char *what)
{
    char q[PATH_MAX * 4 + 8];
    iso_quote(rel, q, sizeof q);
    fprintf(c->out, "# %s: %s\n", q, what);
}

static int show_deleted(void *ctx, const char *rel, const struct stat *st, int dir,
                        const char *name)
{
    struct dctx *c = ctx;
    struct side a = {dir, name, st}, b = {-1, NULL, NULL};
    if (S_ISDIR(st->st_mode)) return 0;
    if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
        file_diff(c->out, rel[0] == '/' ? rel + 1 : rel, NULL, &a, &b, c->tty);
    else
        note(c, rel[0] == '/' ? rel + 1 : rel, "deleted (not a regular file)");
    return 0;
}

/* Everything of the host's at e, shown as deleted. */
static void host_gone(struct dctx *c, const struct iso_up *e)
{
    if (iso_host_each(e, show_deleted, c) < 0)
        note(c, e->rel, "a directory that cannot be read entirely");
}

static struct moved *find(struct moved *v, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].rel, rel)) return &v[i];
    return NULL;
}

static int collect(void *ctx, const struct iso_up *e)
{
    struct dctx *c = ctx;
    struct moved **v;
    size_t *n;

    if (e->post) return 0;
    if (e->kind == ISO_UP_WHITEOUT && e->host && S_ISREG(e->hs.st_mode) && e->hs.st_size > 0)
        v = &c->del, n = &c->ndel;
    else if (e->kind == ISO_UP_REG && e->origin && !e->host && e->us.st_size > 0)
        v = &c->add, n = &c->nadd;
    else
        return 0;
    struct moved *nv = realloc(*v, (*n + 1) * sizeof **v);
    if (!nv) return 0;
    *v = nv;
    nv[*n] = (struct moved){strdup(e->rel),
                            e->kind == ISO_UP_WHITEOUT ? e->hs.st_size : e->us.st_size, 0};
    if (nv[*n].rel) (*n)++;
    return 0;
}

/* A file copied up (origin) to a new name, and a deleted file of the same
 * bytes: the sandbox renamed it. */
static void match_renames(struct dctx *c)
{
    for (size_t i = 0; i < c->nadd; i++)
        for (size_t j = 0; j < c->ndel; j++)
            if (!c->del[j].match && c->del[j].size == c->add[i].size &&
                iso_up_same_content(c->upper, c->add[i].rel, c->host, c->del[j].rel,
                                    c->add[i].size)) {
                c->add[i].match = (int)j + 1;
                c->del[j].match = (int)i + 1;
                break;
            }
}

static int dir_empty(int dir, const char *name)
{
    int fd = iso_up_open_file(dir, name);
    char buf[4096];
    long n = fd < 0 ? -1 : syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (fd >= 0) close(fd);
    return n > 0 && n <= 48; /* "." and ".." only: two short records */
}

static int show(void *ctx, const struct iso_up *e)
{
    struct dctx *c = ctx;
    struct side a = {e->hdir, e->name, e->host ? &e->hs : NULL}, b = {e->udir, e->name, &e->us};
    struct moved *mv;
    char buf[64];

    if (e->post) return 0;
    switch (e->kind) {
    case ISO_UP_WHITEOUT:
        if (!e->host) return 0;
        if ((mv = find(c->del, c->ndel, e->rel)) && mv->match) return 0; /* shown as a rename */
        host_gone(c, e);
        return 0;
    case ISO_UP_DIR:
        if (e->redirect) {
            note(c, e->rel, "a renamed directory (overlayfs redirect), not shown");
            return 1;
        }
        if (e->host && (e->opaque || !S_ISDIR(e->hs.st_mode))) {
            note(c, e->rel,
                 S_ISDIR(e->hs.st_mode) ? "directory replaced whole: all it held is "
                                          "deleted, what follows is new"
                                        : "a directory replaces the file");
            host_gone(c, e);
        } else if (!e->host && dir_empty(e->udir, e->name)) {
            note(c, e->rel, "new empty directory");
        } else if (e->host && (e->hs.st_mode & 07777) != (e->us.st_mode & 07777)) {
            snprintf(buf, sizeof buf, "directory mode %04o -> %04o", e->hs.st_mode & 07777,
                     e->us.st_mode & 07777);
            note(c, e->rel, buf);
        }
        return 0;
    case ISO_UP_REG:
    case ISO_UP_LNK:
        if (e->host && S_ISDIR(e->hs.st_mode)) {
            host_gone(c, e);
            a.st = NULL;
        } else if (e->host && !S_ISREG(e->hs.st_mode) && !S_ISLNK(e->hs.st_mode)) {
            note(c, e->rel, "replaces something that is not a regular file");
            a.st = NULL;
        } else if (e->host && (e->hs.st_mode & S_IFMT) != (e->us.st_mode & S_IFMT)) {
            struct side none = {-1, NULL, NULL};
            file_diff(c->out, e->rel, NULL, &a, &none, c->tty);
            a.st = NULL;
        }
        if (!e->host && (mv = find(c->add, c->nadd, e->rel)) && mv->match) {
            const struct moved *from = &c->del[mv->match - 1];
            struct stat hs;
            struct side old = {c->host, from->rel, &hs};
            if (fstatat(c->host, from->rel, &hs, AT_SYMLINK_NOFOLLOW) == 0) {
                file_diff(c->out, e->rel, from->rel, &old, &b, c->tty);
                return 0;
            }
        }
        file_diff(c->out, e->rel, NULL, &a, &b, c->tty);
        return 0;
    case ISO_UP_FIFO:
        note(c, e->rel, e->host ? "a named pipe replaces what was there" : "new named pipe");
        return 0;
    default:
        note(c, e->rel, "a socket or device, not shown (a commit leaves it out)");
        return 0;
    }
}

int iso_diff_run(int run_fd, const struct iso_run *r, FILE *out, struct isolate_error *e)
{
    int tty = isatty(fileno(out)), rc = 0;
    char q[PATH_MAX * 4];

    for (size_t i = 0; i < r->n && rc == 0; i++) {
        struct dctx c = {.out = out, .tty = tty};
        struct isolate_error he;
        c.upper = iso_up_open_layer(run_fd, i, "upper");
        c.host = iso_host_root(r, i, &he);
        iso_quote(r->l[i].host, q, sizeof q);
        fprintf(out, "# isolate run %s: %s%s\n", r->id, q, r->l[i].is_home ? " (the home)" : "");
        if (c.host < 0) fprintf(out, "# note: %s\n", he.msg);
        if (c.upper < 0) {
            iso_err(e, errno, "cannot read run %s", r->id);
            rc = -1;
        } else if (iso_up_walk(c.upper, c.host, collect, &c, e) < 0) {
            rc = -1;
        } else {
            match_renames(&c);
            rc = iso_up_walk(c.upper, c.host, show, &c, e);
        }
        for (size_t k = 0; k < c.ndel; k++) free(c.del[k].rel);
        for (size_t k = 0; k < c.nadd; k++) free(c.add[k].rel);
        free(c.del);
        free(c.add);
        if (c.upper >= 0) close(c.upper);
        if (c.host >= 0) close(c.host);
    }
    fflush(out);
    return rc;
}
