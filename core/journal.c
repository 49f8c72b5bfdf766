/*
 * journal.c - applying a run to the host so that an interruption at any
 * point (kill -9, a full disk, a power cut) loses nothing: the commit can be
 * finished (isolate --commit RUN) or undone (isolate --rollback RUN).
 *
 * Runs in the caller's process. commit.c plans a list of operations, each on
 * one name: put a file, symlink or fifo (P), delete (D), make a directory
 * (M), change a mode (C). The list is written to the run's "journal" and
 * made durable before the host is touched. Every operation is then done so
 * that it is atomic and can be told done or not from the file system alone:
 * the new content is made in a backup directory at the root of the target
 * tree (.isolate-commit-RUN, same file system, so rename(2) is atomic) and
 * renamed into place; what it replaces is renamed into the backup directory,
 * never deleted, until the whole commit is done. The run's "progress" file
 * records the inode of each new entry (so an undo removes only what the
 * commit put there) and the operations finished (so a resume skips them).
 *
 * Host paths are never rebuilt as strings and opened: each parent directory
 * is opened below the tree's root descriptor with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), and every change is an *at() call
 * on that descriptor, so a directory swapped for a symlink (the pattern of
 * Flatpak's CVE-2024-42472) stops the commit instead of redirecting it.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#define NOREPLACE 1 /* RENAME_NOREPLACE */

struct jx {
    const struct iso_run *r;
    struct iso_ops *ops;
    int root[ISO_OV_MAX], bk[ISO_OV_MAX], upper[ISO_OV_MAX];
    int run, progress, restored;
    ino_t *ino;          /* per op: inode of what the commit made, 0 if unknown */
    unsigned char *done; /* per op */
    int complete;
    struct isolate_error *e;
};

static int ren(int fd1, const char *n1, int fd2, const char *n2, unsigned flags)
{
    return (int)syscall(SYS_renameat2, fd1, n1, fd2, n2, flags);
}

void iso_bk_name(const struct iso_run *r, char *buf, size_t size)
{
    snprintf(buf, size, ".isolate-commit-%s", r->id);
}

/* The directory holding rel, below the layer's root; *name is rel's last part. */
static int parent_of(struct jx *x, const struct iso_op *op, const char **name)
{
    const char *slash = strrchr(op->rel, '/');
    char dir[PATH_MAX];

    if (!op->rel[0]) {
        *name = ".";
        return dup(x->root[op->layer]);
    }
    if (!slash) {
        *name = op->rel;
        return dup(x->root[op->layer]);
    }
    *name = slash + 1;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - op->rel), op->rel);
    return (int)iso_openat2(x->root[op->layer], dir, O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
}

static void record(struct jx *x, char what, size_t i, ino_t ino)
{
    if (what == 'd')
        x->done[i] = 1;
    else
        x->ino[i] = ino;
    dprintf(x->progress, "%c %zu %llu\n", what, i, (unsigned long long)ino);
}

static int copy_data(int from, int to)
{
    char buf[65536];
    ssize_t n;
    for (;;) {
        n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
        if (n == 0) return 0;
        if (n < 0) break;
    }
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) return -1;
    while ((n = read(from, buf, sizeof buf)) > 0)
        for (ssize_t w = 0, k; w < n; w += k)
            if ((k = write(to, buf + w, (size_t)(n - w))) < 0) return -1;
    return n < 0 ? -1 : 0;
}

/* BK/<i>.put: the entry as the run has it, complete. Setuid and setgid bits
 * are not carried over: a sandbox does not hand out such programs. */
static int prepare(struct jx *x, size_t i)
{
    const struct iso_op *op = &x->ops->v[i];
    int bk = x->bk[op->layer], up = -1, src = -1, dst = -1, rc = -1;
    char nnew[32], nput[32], target[PATH_MAX + 1];
    const char *slash = strrchr(op->rel, '/'), *name = slash ? slash + 1 : op->rel;
    struct timespec ts[2];
    struct stat st;
    ssize_t n;

    snprintf(nnew, sizeof nnew, "%zu.new", i);
    snprintf(nput, sizeof nput, "%zu.put", i);
    if (fstatat(bk, nput, &st, AT_SYMLINK_NOFOLLOW) == 0) return 0;
    unlinkat(bk, nnew, 0);
    if (slash) {
        snprintf(target, sizeof target, "%.*s", (int)(slash - op->rel), op->rel);
        up = (int)iso_openat2(x->upper[op->layer], target, O_PATH | O_DIRECTORY, 0,
                              ISO_RESOLVE_SAFE);
    } else {
        up = dup(x->upper[op->layer]);
    }
    if (up < 0 || fstatat(up, name, &st, AT_SYMLINK_NOFOLLOW) < 0) goto out;
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    if (S_ISREG(st.st_mode)) {
        if ((src = iso_up_open_file(up, name)) < 0 ||
            (dst = openat(bk, nnew, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) <
                0 ||
            copy_data(src, dst) < 0 || fchmod(dst, st.st_mode & 01777) < 0 || futimens(dst, ts) < 0)
            goto out;
    } else if (S_ISLNK(st.st_mode)) {
        /* A symlink stays a symlink, whatever it points to: never followed. */
        if ((n = readlinkat(up, name, target, sizeof target - 1)) < 0) goto out;
        target[n] = '\0';
        if (symlinkat(target, bk, nnew) < 0) goto out;
        utimensat(bk, nnew, ts, AT_SYMLINK_NOFOLLOW);
    } else if (S_ISFIFO(st.st_mode)) {
        if (mknodat(bk, nnew, S_IFIFO | 0600, 0) < 0 ||
            iso_chmod_at(bk, nnew, st.st_mode & 01777) < 0)
            goto out;
        utimensat(bk, nnew, ts, AT_SYMLINK_NOFOLLOW);
    } else {
        errno = EINVAL;
        goto out;
    }
    rc = renameat(bk, nnew, bk, nput);
out:
    if (up >= 0) close(up);
    if (src >= 0) close(src);
    if (dst >= 0) close(dst);
    return rc;
}

static int exists(int dir, const char *name, struct stat *st)
{
    return fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int do_op(struct jx *x, size_t i)
{
    const struct iso_op *op = &x->ops->v[i];
    int bk = x->bk[op->layer], p, rc = -1;
    char nold[32], nput[32], ndir[32];
    const char *name;
    struct stat st, sb;

    snprintf(nold, sizeof nold, "%zu.old", i);
    snprintf(nput, sizeof nput, "%zu.put", i);
    snprintf(ndir, sizeof ndir, "%zu.dir", i);
    if ((p = parent_of(x, op, &name)) < 0) return -1;
    switch (op->type) {
    case ISO_OP_PUT:
        if (exists(p, name, &st) && x->ino[i] && st.st_ino == x->ino[i]) {
            rc = 0; /* done before an interruption */
            break;
        }
        if (prepare(x, i) < 0 || !exists(bk, nput, &sb)) break;
        record(x, 'p', i, sb.st_ino);
        if (exists(p, name, &st) && !exists(bk, nold, &sb)) {
            if (!op->had_old) {
                errno = EEXIST; /* created on the host after the plan */
                break;
            }
            if (renameat(p, name, bk, nold) < 0) break;
        }
        rc = ren(bk, nput, p, name, NOREPLACE);
        break;
    case ISO_OP_DEL:
        rc = (exists(p, name, &st) && !exists(bk, nold, &sb)) ? renameat(p, name, bk, nold) : 0;
        break;
    case ISO_OP_MKDIR:
        if (exists(p, name, &st)) {
            rc = S_ISDIR(st.st_mode) && x->ino[i] == st.st_ino ? 0 : (errno = EEXIST, -1);
            break;
        }
        if (!exists(bk, ndir, &sb) && mkdirat(bk, ndir, 0700) < 0) break;
        if (iso_chmod_at(bk, ndir, op->newmode | 0700) < 0 || !exists(bk, ndir, &sb)) break;
        record(x, 'p', i, sb.st_ino);
        rc = ren(bk, ndir, p, name, NOREPLACE);
        break;
    case ISO_OP_CHMOD:
        rc = iso_chmod_at(p, name, op->newmode);
        break;
    }
    close(p);
    if (rc == 0) record(x, 'd', i, 0);
    return rc;
}

/* A rollback puts entries back with rename(2), which sets their ctime (and
 * their directory's): remembered, so that the next commit of the run does
 * not take them for changes made on the host since the sandbox saw them. */
static void note_restored(struct jx *x, int p, const char *name)
{
    struct stat st;
    if (fstatat(p, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        dprintf(x->restored, "%llu %llu %lld\n", (unsigned long long)st.st_dev,
                (unsigned long long)st.st_ino,
                (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
    if (fstat(p, &st) == 0)
        dprintf(x->restored, "%llu %llu %lld\n", (unsigned long long)st.st_dev,
                (unsigned long long)st.st_ino,
                (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec);
}

/* Undoes op i whatever point it reached; what is not the commit's is left. */
static int undo_op(struct jx *x, size_t i)
{
    const struct iso_op *op = &x->ops->v[i];
    int bk = x->bk[op->layer], p, rc = 0, ours, touched = 0;
    char nold[32], nundone[32];
    const char *name;
    struct stat st, sb;

    snprintf(nold, sizeof nold, "%zu.old", i);
    snprintf(nundone, sizeof nundone, "%zu.undone", i);
    if ((p = parent_of(x, op, &name)) < 0) return errno == ENOENT ? 0 : -1;
    ours = exists(p, name, &st) && x->ino[i] && st.st_ino == x->ino[i];
    switch (op->type) {
    case ISO_OP_PUT:
    case ISO_OP_DEL:
        if (ours && renameat(p, name, bk, nundone) < 0) rc = -1;
        touched = ours;
        if (rc == 0 && exists(bk, nold, &sb)) rc = ren(bk, nold, p, name, NOREPLACE), touched = 1;
        break;
    case ISO_OP_MKDIR:
        if (ours && unlinkat(p, name, AT_REMOVEDIR) < 0) rc = -1;
        touched = ours;
        break;
    case ISO_OP_CHMOD:
        if (exists(p, name, &st) && (st.st_mode & 07777) == op->newmode)
            rc = iso_chmod_at(p, name, op->oldmode), touched = 1;
        break;
    }
    if (rc == 0 && touched) note_restored(x, p, name);
    close(p);
    return rc;
}

static int load_progress(struct jx *x)
{
    char buf[256];
    size_t len = 0;
    ssize_t n;
    int fd = (int)iso_openat2(x->run, "progress", O_RDONLY, 0, ISO_RESOLVE_SAFE);

    if (fd < 0) return errno == ENOENT ? 0 : -1;
    /* Line by line: the file may be long; a torn last line is ignored. */
    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
        char *line = buf, *nl;
        len += (size_t)n;
        buf[len] = '\0';
        while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
            char c;
            size_t i;
            unsigned long long ino;
            *nl = '\0';
            if (sscanf(line, "%c %zu %llu", &c, &i, &ino) == 3 && i < x->ops->n) {
                if (c == 'd') x->done[i] = 1;
                if (c == 'p') x->ino[i] = (ino_t)ino;
            } else if (!strcmp(line, "complete")) {
                x->complete = 1;
            }
            line = nl + 1;
        }
        len -= (size_t)(line - buf);
        memmove(buf, line, len);
    }
    close(fd);
    return 0;
}

static void fail_at(struct jx *x, size_t i, const char *doing)
{
    char q[PATH_MAX * 4], bk[64];
    const struct iso_op *op = &x->ops->v[i];
    int saved = errno;

    iso_quote(op->rel[0] ? op->rel : ".", q, sizeof q);
    iso_bk_name(x->r, bk, sizeof bk);
    iso_err(x->e, saved, "the %s of run %s stopped at %s/%s", doing, x->r->id,
            x->r->l[op->layer].host, q);
    if (saved == ELOOP || saved == EXDEV)
        iso_err_hint(x->e, "a symlink or a mount point is in the way on the host: isolate writes "
                           "through neither");
    iso_err_hint(x->e, "nothing is lost: what it replaced is kept in .isolate-commit-* at the root "
                       "of the tree;");
    snprintf(q, sizeof q, "'isolate --commit %s' finishes it, 'isolate --rollback %s' undoes it",
             x->r->id, x->r->id);
    iso_err_hint(x->e, q);
}

static int open_all(struct jx *x, int create, struct isolate_error *e)
{
    char bk[64];

    iso_bk_name(x->r, bk, sizeof bk);
    for (size_t l = 0; l < x->r->n; l++) {
        x->root[l] = iso_host_root(x->r, l, e);
        x->upper[l] = iso_up_open_layer(x->run, l, "upper");
        if (x->root[l] < 0) return -1;
        if (create && mkdirat(x->root[l], bk, 0700) < 0 && errno != EEXIST) goto fail;
        x->bk[l] = (int)iso_openat2(x->root[l], bk, O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
        if ((x->bk[l] < 0 && (create || errno != ENOENT)) || x->upper[l] < 0) {
        fail:
            iso_err(e, errno, "cannot prepare the commit in %s", x->r->l[l].host);
            return -1;
        }
    }
    return 0;
}

static void close_all(struct jx *x, int remove_bk)
{
    char bk[64];
    iso_bk_name(x->r, bk, sizeof bk);
    for (size_t l = 0; l < ISO_OV_MAX; l++) {
        if (remove_bk && l < x->r->n && x->root[l] >= 0) iso_tree_remove(x->root[l], bk, NULL);
        if (x->root[l] >= 0) close(x->root[l]);
        if (x->bk[l] >= 0) close(x->bk[l]);
        if (x->upper[l] >= 0) close(x->upper[l]);
    }
    if (x->progress >= 0) close(x->progress);
    if (x->restored >= 0) close(x->restored);
    free(x->ino);
    free(x->done);
}

static int init(struct jx *x, int run_fd, const struct iso_run *r, struct iso_ops *ops,
                struct isolate_error *e)
{
    memset(x, 0, sizeof *x);
    for (size_t l = 0; l < ISO_OV_MAX; l++) x->root[l] = x->bk[l] = x->upper[l] = -1;
    x->r = r;
    x->ops = ops;
    x->run = run_fd;
    x->e = e;
    x->restored = -1;
    x->progress =
        (int)iso_openat2(run_fd, "progress", O_WRONLY | O_CREAT | O_APPEND, 0600, ISO_RESOLVE_SAFE);
    x->ino = calloc(ops->n + 1, sizeof *x->ino);
    x->done = calloc(ops->n + 1, 1);
    if (x->progress < 0 || !x->ino || !x->done || load_progress(x) < 0) {
        iso_err(e, errno, "cannot read the progress of run %s's commit", r->id);
        return -1;
    }
    return 0;
}

/* Applies the journal's operations (all, or the rest after an interruption). */
int iso_journal_apply(int run_fd, const struct iso_run *r, struct iso_ops *ops,
                      struct isolate_error *e)
{
    struct jx x;
    int rc = -1;

    if (init(&x, run_fd, r, ops, e) < 0 || open_all(&x, 1, e) < 0) goto out;
    for (size_t i = 0; i < ops->n; i++)
        if (!x.done[i] && do_op(&x, i) < 0) {
            fail_at(&x, i, "commit");
            goto out;
        }
    /* Durable before the originals go: then nothing can be lost. */
    for (size_t l = 0; l < r->n; l++) {
        int fd = openat(x.root[l], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) syncfs(fd), close(fd);
    }
    dprintf(x.progress, "complete\n");
    rc = 0;
out:
    close_all(&x, rc == 0);
    return rc;
}

/* Undoes an interrupted commit, last operation first. */
int iso_journal_rollback(int run_fd, const struct iso_run *r, struct iso_ops *ops,
                         struct isolate_error *e)
{
    struct jx x;
    int rc = -1;

    if (init(&x, run_fd, r, ops, e) < 0) goto out;
    x.restored =
        (int)iso_openat2(run_fd, "restored", O_WRONLY | O_CREAT | O_APPEND, 0600, ISO_RESOLVE_SAFE);
    if (x.complete) {
        iso_err(e, 0,
                "the commit of run %s was complete; only its clean-up was interrupted "
                "('isolate --commit %s' finishes it)",
                r->id, r->id);
        goto out;
    }
    if (open_all(&x, 0, e) < 0) goto out;
    for (size_t i = ops->n; i-- > 0;)
        if (x.bk[ops->v[i].layer] >= 0 && undo_op(&x, i) < 0) {
            fail_at(&x, i, "rollback");
            goto out;
        }
    rc = 0;
out:
    close_all(&x, rc == 0);
    return rc;
}
