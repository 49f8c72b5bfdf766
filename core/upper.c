/*
 * upper.c - reading an overlayfs upper layer against the host directory it
 * was laid over: what the sandbox added, changed and deleted.
 *
 * Runs in the supervisor (the summary at the end of a run) and in the caller
 * (--diff, --commit, --runs), after the sandbox is gone.
 *
 * In an upper layer, overlayfs (mounted with "userxattr", as an unprivileged
 * user must) marks a deleted name with a whiteout, a character device 0/0;
 * a directory that replaces the lower one whole (rm -r d; mkdir d) with the
 * xattr user.overlay.opaque=y; an entry copied up from the lower layer with
 * user.overlay.origin (empty when, as here, the mounter may not decode file
 * handles: it then says only "this existed below"). user.overlay.redirect
 * (a renamed directory) is never written with userxattr, which the kernel
 * forbids together with redirect_dir: a renamed directory is copied whole
 * (mv falls back to copy and delete on EXDEV). The sandbox cannot set these
 * xattrs itself: overlayfs refuses its own xattr names through the mount.
 *
 * Everything the sandbox wrote is untrusted data: the walk never follows a
 * symlink (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, RESOLVE_NO_SYMLINKS), opens
 * host directories below their parent's descriptor only, and stops at host
 * mount points (RESOLVE_NO_XDEV), so a symlink or mount in the way of a name
 * never leads outside the tree.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_DEPTH 256

struct walk {
    iso_up_fn fn;
    void *ctx;
    char rel[PATH_MAX];
    struct isolate_error *e;
};

/* Opens dirfd/name (name may have several components; none a symlink) for
 * reading, even when the sandbox removed the read permission of an entry
 * this user owns (chmod 0): the mode is put back at once. */
int iso_up_open_file(int dirfd, const char *name)
{
    int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
    int fd = (int)iso_openat2(dirfd, name, flags, 0, ISO_RESOLVE_SAFE);
    struct stat st;

    if (fd >= 0 || errno != EACCES) return fd;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != getuid() ||
        S_ISLNK(st.st_mode))
        return -1;
    if (iso_chmod_at(dirfd, name, st.st_mode | (S_ISDIR(st.st_mode) ? 0500 : 0400)) < 0) return -1;
    fd = (int)iso_openat2(dirfd, name, flags, 0, ISO_RESOLVE_SAFE);
    iso_chmod_at(dirfd, name, st.st_mode);
    return fd;
}

static int has_xattr(int fd, const char *name, const char *want)
{
    char v[8];
    ssize_t n = fgetxattr(fd, name, v, sizeof v);
    if (n < 0) return 0;
    return !want || ((size_t)n == strlen(want) && !memcmp(v, want, (size_t)n));
}

static void classify(int udir, const char *name, struct iso_up *e)
{
    int fd;
    const struct stat *s = &e->us;

    if (S_ISCHR(s->st_mode) && s->st_rdev == makedev(0, 0)) {
        e->kind = ISO_UP_WHITEOUT;
        return;
    }
    e->kind = S_ISDIR(s->st_mode)    ? ISO_UP_DIR
              : S_ISREG(s->st_mode)  ? ISO_UP_REG
              : S_ISLNK(s->st_mode)  ? ISO_UP_LNK
              : S_ISFIFO(s->st_mode) ? ISO_UP_FIFO
                                     : ISO_UP_OTHER;
    if (e->kind != ISO_UP_DIR && e->kind != ISO_UP_REG) return;
    if ((fd = iso_up_open_file(udir, name)) < 0) return;
    e->origin = has_xattr(fd, "user.overlay.origin", NULL);
    if (e->kind == ISO_UP_DIR) {
        e->opaque = has_xattr(fd, "user.overlay.opaque", "y");
        e->redirect = has_xattr(fd, "user.overlay.redirect", NULL);
    } else if (has_xattr(fd, "user.overlay.whiteout", NULL)) {
        e->kind = ISO_UP_WHITEOUT; /* the newer form, in a directory marked opaque=x */
    }
    close(fd);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted (the order of a diff or a listing). */
char **iso_list_dir(int dirfd, size_t *count)
{
    /* dirfd may be O_PATH, which cannot be read: open the directory itself. */
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char **v = NULL, **nv;
    size_t n = 0;
    struct dirent *de;
    DIR *d;

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return NULL;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (!(nv = realloc(v, (n + 2) * sizeof *v)) || !(nv[n] = strdup(de->d_name))) {
            if (nv) v = nv;
            goto fail;
        }
        v = nv;
        n++;
    }
    closedir(d);
    if (!v && !(v = calloc(1, sizeof *v))) return NULL;
    v[n] = NULL;
    qsort(v, n, sizeof *v, cmp_names);
    *count = n;
    return v;
fail:
    closedir(d);
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
    errno = ENOMEM;
    return NULL;
}

void iso_free_list(char **v)
{
    for (char **p = v; p && *p; p++) free(*p);
    free(v);
}

static int walk_dir(struct walk *w, int udir, int hdir, int depth)
{
    size_t n = 0, len = strlen(w->rel);
    char **names;
    int rc = 0;

    if (depth > MAX_DEPTH) {
        iso_err(w->e, ELOOP, "%s: directories nested too deep", w->rel);
        return -1;
    }
    if (!(names = iso_list_dir(udir, &n))) {
        iso_err(w->e, errno, "cannot read the run's directory %s", len ? w->rel : ".");
        return -1;
    }
    for (size_t i = 0; i < n && rc >= 0; i++) {
        struct iso_up e;
        int cu = -1, ch = -1, r;

        if (len + strlen(names[i]) + 2 >= sizeof w->rel) {
            iso_err(w->e, ENAMETOOLONG, "%s/%s", w->rel, names[i]);
            rc = -1;
            break;
        }
        snprintf(w->rel + len, sizeof w->rel - len, "%s%s", len ? "/" : "", names[i]);
        memset(&e, 0, sizeof e);
        e.rel = w->rel;
        e.name = names[i];
        e.udir = udir;
        e.hdir = hdir;
        if (fstatat(udir, names[i], &e.us, AT_SYMLINK_NOFOLLOW) < 0) continue;
        classify(udir, names[i], &e);
        if (hdir >= 0 && fstatat(hdir, names[i], &e.hs, AT_SYMLINK_NOFOLLOW) == 0) {
            e.host = 1;
            if (S_ISDIR(e.hs.st_mode)) {
                ch = (int)iso_openat2(hdir, names[i], O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
                if (ch < 0 && errno == EXDEV) e.host_xdev = 1;
                if (e.kind != ISO_UP_DIR || e.opaque) {
                    if (ch >= 0) close(ch);
                    ch = -1;
                }
            }
        }
        r = w->fn(w->ctx, &e);
        if (r < 0) rc = -1;
        if (r == 0 && e.kind == ISO_UP_DIR) {
            /* A directory the sandbox made unreadable (chmod 0) is still the
             * user's: readable for the walk, its mode put back after. */
            int fix = (e.us.st_mode & 0700) != 0700;
            if (fix) iso_chmod_at(udir, names[i], e.us.st_mode | 0700);
            cu = (int)iso_openat2(udir, names[i], O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
            if (cu < 0) {
                iso_err(w->e, errno, "cannot read the run's directory %s", w->rel);
                rc = -1;
            } else if (walk_dir(w, cu, ch, depth + 1) < 0) {
                rc = -1;
            } else {
                snprintf(w->rel + len, sizeof w->rel - len, "%s%s", len ? "/" : "", names[i]);
                e.post = 1;
                if (w->fn(w->ctx, &e) < 0) rc = -1;
            }
            if (fix) iso_chmod_at(udir, names[i], e.us.st_mode);
        }
        if (cu >= 0) close(cu);
        if (ch >= 0) close(ch);
    }
    w->rel[len] = '\0';
    iso_free_list(names);
    return rc;
}

int iso_up_walk(int upper, int host, iso_up_fn fn, void *ctx, struct isolate_error *e)
{
    struct walk w = {.fn = fn, .ctx = ctx, .e = e};
    w.rel[0] = '\0';
    return walk_dir(&w, upper, host, 0);
}

int iso_host_walk(int dirfd, const char *rel, iso_host_fn fn, void *ctx, int depth)
{
    size_t n = 0;
    char **names = iso_list_dir(dirfd, &n), sub[PATH_MAX];
    int rc = 0;

    if (!names) return -1;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        struct stat st;
        int child;
        snprintf(sub, sizeof sub, "%s/%s", rel, names[i]);
        if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        if (fn(ctx, sub, &st, dirfd, names[i]) < 0) {
            rc = -1;
            break;
        }
        if (!S_ISDIR(st.st_mode)) continue;
        if (depth > MAX_DEPTH) {
            errno = ELOOP;
            rc = -1;
            break;
        }
        child = (int)iso_openat2(dirfd, names[i], O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
        if (child < 0) {
            rc = errno == EXDEV ? 0 : -1; /* another file system: not ours to walk */
            continue;
        }
        rc = iso_host_walk(child, sub, fn, ctx, depth + 1);
        close(child);
    }
    iso_free_list(names);
    return rc;
}

/* Same bytes in a_dir/a and b_dir/b, both of the given size. */
int iso_up_same_content(int a_dir, const char *a, int b_dir, const char *b, off_t size)
{
    char x[65536], y[65536];
    int fa = iso_up_open_file(a_dir, a), fb = iso_up_open_file(b_dir, b), same = 1;
    off_t done = 0;

    if (fa < 0 || fb < 0) same = 0;
    while (same && done < size) {
        ssize_t n = read(fa, x, sizeof x), m;
        if (n <= 0) {
            same = 0;
            break;
        }
        for (m = 0; m < n;) {
            ssize_t k = read(fb, y + m, (size_t)(n - m));
            if (k <= 0) break;
            m += k;
        }
        same = m == n && !memcmp(x, y, (size_t)n);
        done += n;
    }
    if (fa >= 0) close(fa);
    if (fb >= 0) close(fb);
    return same;
}

/* L<i>/<what> of a run (upper or work). */
int iso_up_open_layer(int run_fd, size_t i, const char *what)
{
    char path[32];
    snprintf(path, sizeof path, "L%zu/%s", i, what);
    return (int)iso_openat2(run_fd, path, O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
}

/* ---- counting: the summary and the list of runs ---- */

static int count_deleted(void *ctx, const char *rel, const struct stat *st, int dir,
                         const char *name)
{
    struct iso_up_count *c = ctx;
    (void)rel, (void)dir, (void)name;
    if (S_ISDIR(st->st_mode)) return 0;
    c->deleted++;
    c->deleted_b += S_ISREG(st->st_mode) ? (unsigned long long)st->st_size : 0;
    return 0;
}

/* fn on what the host has at e's name: the entry, or all a directory holds. */
int iso_host_each(const struct iso_up *e, iso_host_fn fn, void *ctx)
{
    int fd, rc;
    if (!S_ISDIR(e->hs.st_mode)) return fn(ctx, e->rel, &e->hs, e->hdir, e->name);
    fd = (int)iso_openat2(e->hdir, e->name, O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0) return -1;
    rc = iso_host_walk(fd, e->rel, fn, ctx, 0);
    close(fd);
    return rc;
}

static int count_one(void *ctx, const struct iso_up *e)
{
    struct iso_up_count *c = ctx;
    unsigned long long size = e->kind == ISO_UP_REG ? (unsigned long long)e->us.st_size : 0;

    if (e->post) return 0;
    switch (e->kind) {
    case ISO_UP_WHITEOUT:
        if (e->host) iso_host_each(e, count_deleted, c);
        return 0;
    case ISO_UP_DIR:
        if (e->host && (e->opaque || !S_ISDIR(e->hs.st_mode))) iso_host_each(e, count_deleted, c);
        return 0;
    default:
        if (e->host && S_ISDIR(e->hs.st_mode)) iso_host_each(e, count_deleted, c);
        if (e->host && !S_ISDIR(e->hs.st_mode)) {
            c->modified++;
            c->modified_b += size;
        } else {
            c->added++;
            c->added_b += size;
        }
        return 0;
    }
}

int iso_up_count(int upper, int host, struct iso_up_count *c, struct isolate_error *e)
{
    return iso_up_walk(upper, host, count_one, c, e);
}

int iso_up_format(const struct iso_up_count *c, char *buf, size_t size)
{
    const unsigned long long n[3] = {c->added, c->modified, c->deleted};
    const unsigned long long b[3] = {c->added_b, c->modified_b, c->deleted_b};
    static const char *const what[3] = {"added", "modified", "deleted"};
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < 3; i++) {
        char sz[32];
        if (!n[i]) continue;
        iso_format_size(sz, sizeof sz, b[i]);
        used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%llu %s (%s)",
                                 used ? ", " : "", n[i], what[i], sz);
        if (used >= size) break;
    }
    if (!used) snprintf(buf, size, "no changes");
    return (int)(c->added + c->modified + c->deleted);
}
