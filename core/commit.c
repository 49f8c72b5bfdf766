/*
 * commit.c - isolate --commit and --rollback: from a run's upper layers to
 * the list of operations that applies them to the host (journal.c does them),
 * refusing what changed on the host after the sandbox saw it.
 *
 * Runs in the caller's process, the run locked (no sandbox writes to it).
 *
 * What the host had when the run started is not copied anywhere (that would
 * cost a copy of every tree laid under an overlay). Instead: the kernel sets
 * a file's ctime on every change to it, and nobody can set it back. The host
 * stays visible under the overlay while the sandbox runs, so what matters is
 * not the run's start but when the sandbox made its version of an entry: the
 * birth time of the entry in the upper layer (its copy-up, its creation, the
 * whiteout of a deletion). A host entry changed after that was not seen by
 * the sandbox, and a commit over it would lose the change. File times are
 * taken from a clock that ticks every few milliseconds: a change in the same
 * tick as the sandbox's is taken as seen (either order was possible), so
 * that a script that writes a file and then runs the sandbox over it is not
 * refused. Without birth times, the run's start is the reference. A deletion
 * checks the whole subtree it would remove. A file the sandbox copied up
 * (user.overlay.origin) that is no longer on the host was either renamed by
 * the sandbox (a whiteout is then elsewhere) or deleted on the host since:
 * the second is told apart by its parent directory, whose ctime changes when
 * an entry goes.
 *
 * --force commits despite such changes; nothing makes it write through a
 * symlink, across a mount point, or into a tree that is no longer the one the
 * run was laid over (checked by device and inode).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cplan {
    struct iso_ops ops;
    char **why; /* conflicts: refused unless --force */
    size_t nwhy;
    char **never; /* refused even with --force */
    size_t nnever;
    int force, layer, host;
    const struct iso_run *r;
    long long start, ref;  /* the run's start; the sandbox's version of this entry */
    struct restored *rest; /* put back by a rollback (journal.c) */
    size_t nrest;
    unsigned long long added, modified, deleted;
};

struct restored {
    unsigned long long dev, ino;
    long long ctime;
    size_t order; /* a later record of the same entry wins */
};

static int cmp_restored(const void *a, const void *b)
{
    const struct restored *x = a, *y = b;
    if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static long long ctime_ns(const struct stat *st)
{
    return (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
}

/* Changed on the host after the sandbox made its version of the entry: its
 * ctime says so, unless a rollback of this run set it (and nothing since). */
static int since(const struct cplan *c, const struct stat *st)
{
    long long t = ctime_ns(st);
    struct restored key = {(unsigned long long)st->st_dev, (unsigned long long)st->st_ino, 0,
                           (size_t)-1};
    size_t lo = 0, hi = c->nrest;

    if (t <= c->ref) return 0;
    /* The last record of this entry: the first one above key, minus one. */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_restored(&c->rest[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || c->rest[lo - 1].dev != key.dev || c->rest[lo - 1].ino != key.ino) return 1;
    return c->rest[lo - 1].ctime != t;
}

static void load_restored(struct cplan *c, int run_fd)
{
    int fd = (int)iso_openat2(run_fd, "restored", O_RDONLY, 0, ISO_RESOLVE_SAFE);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    struct restored r, *nv;

    if (!f) {
        if (fd >= 0) close(fd);
        return;
    }
    while (fscanf(f, "%llu %llu %lld", &r.dev, &r.ino, &r.ctime) == 3) {
        if (!(nv = realloc(c->rest, (c->nrest + 1) * sizeof *nv))) break;
        c->rest = nv;
        r.order = c->nrest;
        c->rest[c->nrest++] = r;
    }
    fclose(f);
    if (c->rest) qsort(c->rest, c->nrest, sizeof *c->rest, cmp_restored);
}

static void say(char ***v, size_t *n, const struct cplan *c, const char *rel, const char *what)
{
    char q[PATH_MAX * 4], line[PATH_MAX * 8 + 256], **nv;
    snprintf(line, sizeof line, "%s%s%s", c->r->l[c->layer].host, rel[0] ? "/" : "", rel);
    iso_quote(line, q, sizeof q);
    snprintf(line, sizeof line, "%s: %s", q, what);
    if (!(nv = realloc(*v, (*n + 1) * sizeof *nv))) return;
    *v = nv;
    if ((nv[*n] = strdup(line))) (*n)++;
}

static void conflict(struct cplan *c, const char *rel, const char *what)
{
    say(&c->why, &c->nwhy, c, rel, what);
}

static void refuse(struct cplan *c, const char *rel, const char *what)
{
    say(&c->never, &c->nnever, c, rel, what);
}

static int add_op(struct cplan *c, char type, const char *rel, int had_old, unsigned oldmode,
                  unsigned newmode)
{
    struct iso_ops *o = &c->ops;
    if (o->n == o->cap) {
        struct iso_op *nv = realloc(o->v, (o->cap = o->cap ? o->cap * 2 : 64) * sizeof *nv);
        if (!nv) return -1;
        o->v = nv;
    }
    o->v[o->n] = (struct iso_op){
        type,       (unsigned char)c->layer, (char)had_old, oldmode & 07777, newmode & 07777,
        strdup(rel)};
    if (!o->v[o->n].rel) return -1;
    o->n++;
    return 0;
}

static void changed(struct cplan *c, const struct iso_up *e)
{
    if (since(c, &e->hs)) conflict(c, e->rel, "changed on the host since the sandbox saw it");
}

struct subtree {
    const struct cplan *c;
    char found[PATH_MAX];
};

static int newer(void *ctx, const char *rel, const struct stat *st, int dir, const char *name)
{
    struct subtree *s = ctx;
    (void)dir, (void)name;
    if (!since(s->c, st)) return 0;
    snprintf(s->found, sizeof s->found, "%s", rel);
    return -1;
}

/* A deletion: the entry, and all it holds when it is a directory. */
static void changed_below(struct cplan *c, const struct iso_up *e)
{
    struct subtree s = {c, ""};
    char what[PATH_MAX + 64], q[PATH_MAX * 4];

    changed(c, e);
    if (!S_ISDIR(e->hs.st_mode)) return;
    if (iso_host_each(e, newer, &s) < 0) {
        iso_quote(s.found, q, sizeof q);
        snprintf(what, sizeof what,
                 s.found[0] ? "%s changed on the host since the sandbox saw it"
                            : "the host directory cannot be read entirely",
                 q);
        if (s.found[0])
            conflict(c, e->rel, what);
        else
            refuse(c, e->rel, what);
    }
}

/* A copied-up entry the host no longer has: renamed by the sandbox, unless
 * its directory changed on the host since (then it may have been deleted). */
static void vanished(struct cplan *c, const struct iso_up *e)
{
    struct stat st;
    if (!e->origin || e->hdir < 0 || fstat(e->hdir, &st) < 0) return;
    if (since(c, &st))
        conflict(c, e->rel,
                 "its directory changed on the host since the sandbox saw it (was it "
                 "deleted there?)");
}

static int same_entry(const struct iso_up *e)
{
    char a[PATH_MAX], b[PATH_MAX];
    ssize_t n, m;

    if ((e->us.st_mode & S_IFMT) != (e->hs.st_mode & S_IFMT)) return 0;
    if (e->kind == ISO_UP_FIFO) return 1;
    if (e->kind == ISO_UP_LNK) {
        n = readlinkat(e->udir, e->name, a, sizeof a);
        m = readlinkat(e->hdir, e->name, b, sizeof b);
        return n >= 0 && n == m && !memcmp(a, b, (size_t)n);
    }
    return e->us.st_size == e->hs.st_size &&
           iso_up_same_content(e->udir, e->name, e->hdir, e->name, e->us.st_size);
}

static int new_dir(const struct iso_up *e)
{
    return !e->host || e->opaque || !S_ISDIR(e->hs.st_mode);
}

/* When the sandbox made its version of e: the upper entry's birth time. */
static long long made(const struct cplan *c, const struct iso_up *e)
{
    struct statx sx;
    if (statx(e->udir, e->name, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) == 0 &&
        (sx.stx_mask & STATX_BTIME))
        return (long long)sx.stx_btime.tv_sec * 1000000000LL + sx.stx_btime.tv_nsec;
    return c->start;
}

static int plan_entry(void *ctx, const struct iso_up *e)
{
    struct cplan *c = ctx;
    unsigned um = e->us.st_mode & 07777;

    if (!e->post) c->ref = made(c, e);
    if (e->post) {
        /* A new directory was made writable for its contents: now its mode. */
        if (new_dir(e) && (um & 0700) != 0700)
            return add_op(c, ISO_OP_CHMOD, e->rel, 0, um | 0700, um);
        return 0;
    }
    if (e->host_xdev) {
        refuse(c, e->rel, "a mount point on the host: isolate does not commit across mounts");
        return 1;
    }
    switch (e->kind) {
    case ISO_UP_WHITEOUT:
        if (!e->host) return 0;
        changed_below(c, e);
        c->deleted++;
        return add_op(c, ISO_OP_DEL, e->rel, 1, 0, 0);
    case ISO_UP_DIR:
        if (e->redirect) {
            refuse(c, e->rel, "a renamed directory (overlayfs redirect) cannot be committed");
            return 1;
        }
        if (!new_dir(e)) {
            if ((e->hs.st_mode & 07777) == um) return 0;
            changed(c, e);
            return add_op(c, ISO_OP_CHMOD, e->rel, 0, e->hs.st_mode, um) < 0 ? -1 : 0;
        }
        if (e->host) {
            /* A directory in the run where the host now has no directory:
             * the host changed (a symlink put there, the CVE-2024-42472
             * pattern) unless the sandbox replaced it (opaque). */
            if (!e->opaque && !S_ISDIR(e->hs.st_mode))
                conflict(c, e->rel,
                         S_ISLNK(e->hs.st_mode) ? "is a symlink on the host now, not a directory"
                                                : "is no longer a directory on the host");
            changed_below(c, e);
            if (add_op(c, ISO_OP_DEL, e->rel, 1, 0, 0) < 0) return -1;
        } else {
            vanished(c, e);
        }
        return add_op(c, ISO_OP_MKDIR, e->rel, 0, 0, um) < 0 ? -1 : 0;
    case ISO_UP_REG:
    case ISO_UP_LNK:
    case ISO_UP_FIFO:
        if (!e->host) {
            vanished(c, e);
            c->added++;
            return add_op(c, ISO_OP_PUT, e->rel, 0, 0, 0);
        }
        if (S_ISDIR(e->hs.st_mode)) {
            changed_below(c, e);
        } else {
            changed(c, e);
            if (same_entry(e)) {
                if (e->kind == ISO_UP_LNK || (e->hs.st_mode & 07777) == um) return 0;
                c->modified++;
                return add_op(c, ISO_OP_CHMOD, e->rel, 0, e->hs.st_mode, um);
            }
        }
        c->modified++;
        return add_op(c, ISO_OP_PUT, e->rel, 1, 0, 0);
    default:
        refuse(c, e->rel, "a socket or device: isolate does not commit those");
        return 0;
    }
}

static void free_plan(struct cplan *c)
{
    for (size_t i = 0; i < c->ops.n; i++) free(c->ops.v[i].rel);
    for (size_t i = 0; i < c->nwhy; i++) free(c->why[i]);
    for (size_t i = 0; i < c->nnever; i++) free(c->never[i]);
    free(c->ops.v);
    free(c->why);
    free(c->never);
    free(c->rest);
}

static void list(const char *head, char **v, size_t n)
{
    iso_say("%s", head);
    for (size_t i = 0; i < n && i < 50; i++) fprintf(stderr, "  %s\n", v[i]);
    if (n > 50) fprintf(stderr, "  ... and %zu more\n", n - 50);
    fflush(stderr);
}

static int plan(int run_fd, const struct iso_run *r, struct cplan *c, struct isolate_error *e)
{
    char bk[64];
    struct stat st;

    iso_bk_name(r, bk, sizeof bk);
    for (size_t l = 0; l < r->n; l++) {
        int upper = iso_up_open_layer(run_fd, l, "upper"), rc;
        struct stat us, hs;
        c->layer = (int)l;
        c->host = iso_host_root(r, l, e);
        if (c->host < 0 || upper < 0) {
            if (upper < 0) iso_err(e, errno, "cannot read run %s", r->id);
            if (c->host >= 0) close(c->host);
            if (upper >= 0) close(upper);
            return -1;
        }
        if (fstatat(c->host, bk, &st, AT_SYMLINK_NOFOLLOW) == 0)
            refuse(c, bk, "is in the way (left by another commit? remove it first)");
        /* The root: only its mode can change. */
        if (fstat(upper, &us) == 0 && fstat(c->host, &hs) == 0 &&
            (us.st_mode & 07777) != (hs.st_mode & 07777)) {
            c->ref = c->start;
            if (since(c, &hs)) conflict(c, "", "changed on the host since the sandbox saw it");
            add_op(c, ISO_OP_CHMOD, "", 0, hs.st_mode, us.st_mode);
        }
        rc = iso_up_walk(upper, c->host, plan_entry, c, e);
        close(upper);
        close(c->host);
        if (rc < 0) return -1;
    }
    return 0;
}

static int write_journal(int run_fd, const struct iso_run *r, const struct iso_ops *ops,
                         struct isolate_error *e)
{
    char esc[PATH_MAX * 3 + 8];
    int fd = (int)iso_openat2(run_fd, "journal.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0600,
                              ISO_RESOLVE_SAFE);
    int ok = fd >= 0 && dprintf(fd, "isolate-journal 1\nrun %s\n", r->id) > 0;

    for (size_t i = 0; ok && i < ops->n; i++) {
        const struct iso_op *o = &ops->v[i];
        iso_esc(o->rel, esc, sizeof esc);
        ok = dprintf(fd, "op %c %u %d %o %o %s\n", o->type, o->layer, o->had_old, o->oldmode,
                     o->newmode, esc[0] ? esc : ".") > 0;
    }
    ok = ok && dprintf(fd, "end\n") > 0 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    /* Renamed into place, then the directory synced: the journal exists
     * whole, or not at all. */
    if (!ok || renameat(run_fd, "journal.tmp", run_fd, "journal") < 0 ||
        (fd = openat(run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        iso_err(e, errno, "cannot write the journal of run %s", r->id);
        return -1;
    }
    fsync(fd);
    close(fd);
    return 0;
}

static int read_journal(int run_fd, const struct iso_run *r, struct iso_ops *ops,
                        struct isolate_error *e)
{
    int fd = (int)iso_openat2(run_fd, "journal", O_RDONLY, 0, ISO_RESOLVE_SAFE), end = 0;
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    /* esc holds the %12300s field and its NUL: never less than the line. */
    char line[PATH_MAX * 3 + 64], esc[sizeof line];

    memset(ops, 0, sizeof *ops);
    if (!f) {
        if (fd >= 0) close(fd);
        return errno == ENOENT ? 1 : (iso_err(e, errno, "cannot read run %s's journal", r->id), -1);
    }
    while (fgets(line, sizeof line, f)) {
        struct iso_op o;
        unsigned layer;
        int had;
        char type;
        if (!strcmp(line, "end\n")) end = 1;
        if (sscanf(line, "op %c %u %d %o %o %12300s", &type, &layer, &had, &o.oldmode, &o.newmode,
                   esc) != 6)
            continue;
        if (iso_unesc(esc) < 0 || layer >= r->n) break;
        if (ops->n == ops->cap) {
            struct iso_op *nv =
                realloc(ops->v, (ops->cap = ops->cap ? ops->cap * 2 : 64) * sizeof *nv);
            if (!nv) break;
            ops->v = nv;
        }
        o.type = type;
        o.layer = (unsigned char)layer;
        o.had_old = (char)had;
        o.rel = strdup(strcmp(esc, ".") ? esc : "");
        if (!o.rel) break;
        ops->v[ops->n++] = o;
    }
    fclose(f);
    if (!end) {
        iso_err(e, 0, "the journal of run %s is damaged", r->id);
        return -1;
    }
    return 0;
}

static void free_ops(struct iso_ops *ops)
{
    for (size_t i = 0; i < ops->n; i++) free(ops->v[i].rel);
    free(ops->v);
    memset(ops, 0, sizeof *ops);
}

static void finished(struct iso_state *st, const struct iso_run *r, const char *how)
{
    char q[PATH_MAX * 4];
    iso_quote(r->l[0].host, q, sizeof q);
    iso_tree_remove(st->runs, r->id, NULL);
    iso_say("run %s %s %s%s", r->id, how, q, r->n > 1 ? " and the other overlays" : "");
}

int iso_commit_run(struct iso_state *st, int run_fd, const struct iso_run *r, int force,
                   struct isolate_error *e)
{
    struct cplan c;
    char what[128];
    int rc;

    memset(&c, 0, sizeof c);
    c.r = r;
    rc = read_journal(run_fd, r, &c.ops, e);
    if (rc < 0) return -1;
    if (rc == 0) {
        /* A journal: an earlier commit did not finish. Finish it. */
        iso_say("resuming the interrupted commit of run %s", r->id);
        rc = iso_journal_apply(run_fd, r, &c.ops, e);
        free_ops(&c.ops);
        if (rc == 0) finished(st, r, "committed to");
        return rc;
    }
    c.force = force;
    /* File times come from a clock that lags the one the start was read
     * from by up to a tick: a margin, so that a change made just after the
     * start is not taken for one made before. */
    c.start = r->start_ns;
    load_restored(&c, run_fd);
    if (plan(run_fd, r, &c, e) < 0) goto fail;
    rc = -1;
    if (c.nnever) {
        list("these changes cannot be applied safely (nothing was changed):", c.never, c.nnever);
        iso_err(e, 0, "run %s not committed", r->id);
    } else if (c.nwhy && !force) {
        list("changed on the host since the sandbox saw it (nothing was changed):", c.why, c.nwhy);
        iso_err(e, 0,
                "run %s not committed; 'isolate --diff %s' shows it, 'isolate --commit "
                "--force %s' applies it over those changes",
                r->id, r->id, r->id);
    } else if (!c.ops.n) {
        iso_err(e, 0, "run %s has nothing to commit ('isolate --discard %s' drops it)", r->id,
                r->id);
    } else if (write_journal(run_fd, r, &c.ops, e) == 0 &&
               iso_journal_apply(run_fd, r, &c.ops, e) == 0) {
        struct iso_up_count n = {c.added, c.modified, c.deleted, 0, 0, 0};
        char counts[96];
        iso_up_format(&n, counts, sizeof counts);
        /* "2 added (0 bytes), ...": the sizes are the summary's business. */
        for (char *q = strstr(counts, " ("); q; q = strstr(q, " ("))
            memmove(q, strchr(q, ')') + 1, strlen(strchr(q, ')') + 1) + 1);
        snprintf(what, sizeof what, "committed (%s) to", counts);
        finished(st, r, what);
        rc = 0;
    }
    free_plan(&c);
    return rc;
fail:
    free_plan(&c);
    return -1;
}

int iso_rollback_run(struct iso_state *st, int run_fd, const struct iso_run *r,
                     struct isolate_error *e)
{
    struct iso_ops ops;
    int rc = read_journal(run_fd, r, &ops, e);

    (void)st;
    if (rc > 0) {
        iso_err(e, 0, "run %s has no interrupted commit to roll back", r->id);
        return -1;
    }
    if (rc < 0 || iso_journal_rollback(run_fd, r, &ops, e) < 0) {
        free_ops(&ops);
        return -1;
    }
    free_ops(&ops);
    unlinkat(run_fd, "progress", 0);
    unlinkat(run_fd, "journal", 0);
    iso_say("rolled back the interrupted commit of run %s: the host is as it was; the run is kept "
            "('isolate --commit %s' applies it again, 'isolate --discard %s' drops it)",
            r->id, r->id, r->id);
    return 0;
}
