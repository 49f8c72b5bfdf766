/*
 * tree.c - walking a box's files by descriptor: removing them (--rm-box, a
 * failed --setup) and adding up their size (--boxes).
 *
 * Runs in the caller's process and in the supervisor (isolate-init, which
 * removes a new box whose --setup failed). Everything in a box was written by
 * untrusted code, so the walk trusts no name in it: each directory is opened
 * relative to its parent's descriptor with O_NOFOLLOW, links and other files
 * are unlinked (unlinkat never follows a link), nothing is looked up by a path
 * string, and the walk never crosses into another file system. Directories
 * left without read, write or search permission are made the owner's again
 * first (fchmodat2 with AT_SYMLINK_NOFOLLOW), since the sandbox may chmod 000
 * its own directories. Going back up uses "..", and checks that it is the
 * directory the walk came from: a sandbox still running in the box could move
 * a directory while --boxes measures it, and the walk must not leave the box.
 * Depth costs no descriptors: only the current directory is open.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* the same number on every architecture */
#endif

struct dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

struct frame {
    char *name;   /* this directory's name in its parent */
    ino_t ino;    /* this directory */
    off_t resume; /* where the parent's listing goes on once this one is done */
};

struct walk {
    int remove;
    unsigned long long size;
    dev_t dev;
    struct frame *f;
    size_t depth, cap;
    struct isolate_error *e;
};

/* The directory name in dir, for the walk. To remove it, it is made the
 * owner's first: the mode of a link is never changed (AT_SYMLINK_NOFOLLOW). */
static int open_dir(int dir, const char *name, int remove)
{
    if (remove && syscall(SYS_fchmodat2, dir, name, 0700, AT_SYMLINK_NOFOLLOW) < 0 &&
        errno == ENOSYS) {
        /* Before Linux 6.6: the directory itself, by descriptor. */
        int fd = iso_openat2(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0, ISO_RESOLVE_BENEATH);
        char path[64];
        if (fd >= 0) {
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            chmod(path, 0700);
            close(fd);
        }
    }
    return iso_openat2(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, ISO_RESOLVE_BENEATH);
}

/* "a/b/c": where the walk is, for messages. */
static void where(const struct walk *w, const char *leaf, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i <= w->depth; i++) {
        const char *s = i < w->depth ? w->f[i].name : leaf;
        if (!s) break;
        n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", i ? "/" : "", s);
        if (n >= size) break;
    }
}

static int fail(struct walk *w, int errnum, const char *what, const char *leaf)
{
    char path[PATH_MAX];
    if (!w->remove) return -1;
    where(w, leaf, path, sizeof path);
    iso_err(w->e, errnum, "cannot remove %s (%s)", path, what);
    return -1;
}

static int push(struct walk *w, const char *name, ino_t ino)
{
    if (w->depth == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        struct frame *f = realloc(w->f, cap * sizeof *f);
        if (!f) return -1;
        w->f = f;
        w->cap = cap;
    }
    if (!(w->f[w->depth].name = strdup(name))) return -1;
    w->f[w->depth].ino = ino;
    w->f[w->depth].resume = 0;
    w->depth++;
    return 0;
}

/* One entry of the current directory. Returns 1 when it is a directory to go
 * into (*child open), 0 when done with it, -1 on failure. */
static int visit(struct walk *w, int cur, const char *name, int *child)
{
    struct stat st;

    if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : fail(w, errno, "stat", name);
    w->size += (unsigned long long)st.st_blocks * 512;
    if (!S_ISDIR(st.st_mode)) {
        if (w->remove && unlinkat(cur, name, 0) < 0 && errno != ENOENT)
            return fail(w, errno, "unlink", name);
        return 0;
    }
    if (st.st_dev != w->dev)
        return w->remove ? fail(w, 0, "a file system is mounted there", name) : 0;
    /* An empty directory goes at once, without a walk into it and back. */
    if (w->remove && unlinkat(cur, name, AT_REMOVEDIR) == 0) return 0;
    *child = open_dir(cur, name, w->remove);
    if (*child < 0) return w->remove ? fail(w, errno, "open", name) : 0;
    if (push(w, name, st.st_ino) < 0) {
        close(*child);
        iso_err(w->e, 0, "out of memory");
        return -1;
    }
    return 1;
}

static int walk(struct walk *w, int top_dir, const char *top_name)
{
    char buf[8192] __attribute__((aligned(8)));
    struct stat st;
    off_t off = 0;
    int cur, rc = -1, retries = 0;

    cur = open_dir(top_dir, top_name, w->remove);
    if (cur < 0) {
        /* Not a directory (a link, a file): remove that entry, never its target. */
        if (!w->remove || (errno != ELOOP && errno != ENOTDIR)) return fail(w, errno, "open", NULL);
        if (unlinkat(top_dir, top_name, 0) < 0) return fail(w, errno, "unlink", NULL);
        return 0;
    }
    if (fstat(cur, &st) < 0 || push(w, top_name, st.st_ino) < 0) goto out;
    w->dev = st.st_dev;
    for (;;) {
        long n;
        int child = -1, into = 0;

        if (lseek(cur, off, SEEK_SET) < 0 ||
            (n = syscall(SYS_getdents64, cur, buf, sizeof buf)) < 0) {
            fail(w, errno, "read", NULL);
            goto out;
        }
        for (long i = 0; i < n && !into;) {
            struct dirent64 *d = (struct dirent64 *)(buf + i);
            i += d->d_reclen;
            if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) {
                off = d->d_off;
                continue;
            }
            into = visit(w, cur, d->d_name, &child);
            if (into < 0) goto out;
            if (into)
                w->f[w->depth - 2].resume = d->d_off;
            else
                off = d->d_off;
        }
        if (into) {
            close(cur);
            cur = child;
            off = 0;
            continue;
        }
        if (n > 0) continue;
        /* The end of this directory: back up, removing it. */
        if (w->depth == 1) {
            close(cur);
            cur = -1;
            if (w->remove && unlinkat(top_dir, top_name, AT_REMOVEDIR) < 0)
                return fail(w, errno, "rmdir", NULL);
            rc = 0;
            goto out;
        }
        {
            int up = iso_openat2(cur, "..", O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_NOLINKS);
            struct frame *done = &w->f[w->depth - 1];
            if (up < 0 || fstat(up, &st) < 0 || st.st_dev != w->dev ||
                st.st_ino != w->f[w->depth - 2].ino) {
                if (up >= 0) close(up);
                fail(w, 0, "it was moved during the walk", NULL);
                goto out;
            }
            close(cur);
            cur = up;
            off = w->f[w->depth - 2].resume;
            if (w->remove && unlinkat(cur, done->name, AT_REMOVEDIR) < 0) {
                /* Something the listing skipped: list the parent again. */
                if (errno != ENOTEMPTY || ++retries > 1000) {
                    fail(w, errno, "rmdir", done->name);
                    goto out;
                }
                off = 0;
            }
            free(done->name);
            w->depth--;
        }
    }
out:
    if (cur >= 0) close(cur);
    return rc;
}

static void walk_free(struct walk *w)
{
    for (size_t i = 0; i < w->depth; i++) free(w->f[i].name);
    free(w->f);
}

int iso_tree_remove(int dirfd, const char *name, struct isolate_error *e)
{
    struct isolate_error ignored;
    struct walk w = {.remove = 1, .e = e ? e : &ignored};
    int rc = walk(&w, dirfd, name);
    walk_free(&w);
    return rc;
}

unsigned long long iso_tree_size(int dirfd, const char *name)
{
    struct isolate_error e;
    struct walk w = {.remove = 0, .e = &e};
    walk(&w, dirfd, name);
    walk_free(&w);
    return w.size;
}
