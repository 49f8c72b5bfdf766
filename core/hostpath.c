/*
 * hostpath.c - host paths, resolved without trusting the file system to stay
 * put: the paths isolate binds into the sandbox, mounts over, or writes.
 *
 * realpath() followed by a mount of the resulting string resolves the path
 * twice; a directory swapped for a symlink in between (by another process of
 * the user, another sandbox writing to a shared directory, or another user)
 * gets the symlink's target bound instead, e.g. ~/.ssh made writable.
 *
 * In the caller's process, iso_resolve() walks the path one component at a
 * time with openat2(RESOLVE_NO_SYMLINKS) on O_PATH descriptors. A symlink met
 * on the way is followed only by reading it (readlinkat) and walking its text,
 * and only when the caller or root owns it, so its text was chosen by one of
 * them: another user's symlink (a plant in a shared directory; this kernel
 * does not set fs.protected_symlinks) is refused. The walk ends with an O_PATH
 * descriptor of the object and its canonical path. The descriptor pins the
 * object: it stays what the plan describes, and its inode number cannot be
 * reused while it is open.
 *
 * In the sandbox-building child, iso_reopen() opens the canonical path again,
 * in the child's own mount namespace (open_tree(OPEN_TREE_CLONE) refuses a
 * descriptor of another mount namespace with EINVAL, so the parent's cannot be
 * cloned directly), following no symlink at all, and checks that it reaches
 * the very object the parent pinned. The mount is made from that descriptor
 * and onto a descriptor, so no string is resolved between the check and the
 * use. Any change in between fails the setup (125), never a different bind.
 * The child shares the caller's memory: no allocation there, stack only.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's own resolution */

static int open_beneath(int dir, const char *name, unsigned flags, unsigned long long resolve)
{
    return iso_openat2(dir, name, (int)(flags | O_PATH | O_NOFOLLOW), 0, resolve);
}

/* Who may have chosen where a symlink points: its owner. */
static int trusted_link(const struct stat *st)
{
    return st->st_uid == getuid() || st->st_uid == 0;
}

/* Takes the next component of *rest into name; 0 at the end. */
static int next_component(const char **rest, char *name, size_t size)
{
    const char *s = *rest, *e;

    while (*s == '/') s++;
    if (!*s) return 0;
    e = strchrnul(s, '/');
    if ((size_t)(e - s) >= size) return -1;
    memcpy(name, s, (size_t)(e - s));
    name[e - s] = '\0';
    *rest = e;
    return 1;
}

static int fail(struct isolate_error *e, int errnum, const char *what, const char *arg,
                const char *why, const char *at)
{
    char hint[PATH_MAX + 48];

    if (at && !strcmp(at, arg)) at = NULL;
    if (why) {
        iso_err(e, 0, "%s %s: %s%s%s", what, arg, at ? at : "", at ? " is " : "", why);
    } else {
        iso_err(e, errnum, "%s %s", what, arg);
        if (at) {
            snprintf(hint, sizeof hint,
                     errnum == ENOENT    ? "%s does not exist"
                     : errnum == ENOTDIR ? "%s is not a directory"
                     : errnum == EACCES  ? "%s cannot be searched"
                                         : "at %s",
                     at);
            iso_err_hint(e, hint);
        }
    }
    e->errnum = errnum;
    return -1;
}

int iso_resolve(const char *cwd, const char *arg, unsigned flags, struct iso_resolved *r,
                const char *what, struct isolate_error *e)
{
    char rest[PATH_MAX * 2], name[NAME_MAX + 1], link[PATH_MAX];
    const char *p;
    size_t len;
    int cur, next, links = 0, must_dir;

    r->fd = -1;
    r->via_link = 0;
    len = strlen(arg);
    if (len >= PATH_MAX) return fail(e, ENAMETOOLONG, what, arg, NULL, NULL);
    /* "dir/" and "dir/." name a directory, as for the kernel. */
    must_dir = len && (arg[len - 1] == '/' || (len > 1 && !strcmp(arg + len - 2, "/.")));
    if (arg[0] == '/') {
        r->path[0] = '\0';
    } else if (!cwd || cwd[0] != '/' || strlen(cwd) >= sizeof r->path) {
        return fail(e, ENOENT, what, arg, "the current directory has no path", NULL);
    } else {
        snprintf(r->path, sizeof r->path, "%s", strcmp(cwd, "/") ? cwd : "");
    }
    cur = open(arg[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0) return fail(e, errno, what, arg, NULL, NULL);
    memcpy(rest, arg, len + 1);
    p = rest;

    for (;;) {
        struct stat st;
        int got = next_component(&p, name, sizeof name);
        size_t n;

        if (got < 0) {
            fail(e, ENAMETOOLONG, what, arg, NULL, NULL);
            goto out;
        }
        if (!got) break;
        if (!strcmp(name, ".")) continue;
        if (!strcmp(name, "..")) {
            char *slash = strrchr(r->path, '/');
            if (!slash) continue; /* at the root: stays there */
            next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (next < 0) {
                fail(e, errno, what, arg, NULL, r->path);
                goto out;
            }
            *slash = '\0';
            close(cur);
            cur = next;
            continue;
        }
        next = open_beneath(cur, name, 0,
                            RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
        if (next < 0 || fstat(next, &st) < 0) {
            int saved = errno;
            size_t at = strlen(r->path);
            if (next >= 0) close(next);
            snprintf(r->path + at, sizeof r->path - at, "/%s", name);
            fail(e, saved, what, arg, NULL, strcmp(r->path, arg) ? r->path : NULL);
            goto out;
        }
        if (S_ISLNK(st.st_mode)) {
            ssize_t k;
            size_t at = strlen(r->path);
            snprintf(r->path + at, sizeof r->path - at, "/%s", name);
            if (!(flags & ISO_RESOLVE_FOLLOW)) {
                close(next);
                fail(e, ELOOP, what, arg, "a symbolic link, which isolate does not follow here",
                     r->path);
                goto out;
            }
            if (!trusted_link(&st)) {
                char why[96];
                close(next);
                snprintf(why, sizeof why,
                         "a symbolic link owned by another user (uid %lu), which isolate does "
                         "not follow",
                         (unsigned long)st.st_uid);
                fail(e, EPERM, what, arg, why, r->path);
                goto out;
            }
            k = readlinkat(next, "", link, sizeof link);
            close(next);
            if (k < 0 || (size_t)k >= sizeof link || ++links > MAX_LINKS) {
                fail(e,
                     k < 0               ? errno
                     : links > MAX_LINKS ? ELOOP
                                         : ENAMETOOLONG,
                     what, arg, NULL, r->path);
                goto out;
            }
            r->path[at] = '\0';
            /* The rest of the walk: the link's text, then what followed it. */
            n = strlen(p);
            if ((size_t)k + 1 + n >= sizeof rest) {
                fail(e, ENAMETOOLONG, what, arg, NULL, NULL);
                goto out;
            }
            memmove(rest + k + 1, p, n + 1);
            memcpy(rest, link, (size_t)k);
            rest[k] = '/';
            p = rest;
            r->via_link = 1;
            if (link[0] == '/') {
                next = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (next < 0) {
                    fail(e, errno, what, arg, NULL, NULL);
                    goto out;
                }
                close(cur);
                cur = next;
                r->path[0] = '\0';
            }
            continue;
        }
        n = strlen(r->path);
        if (n + 1 + strlen(name) >= sizeof r->path) {
            close(next);
            fail(e, ENAMETOOLONG, what, arg, NULL, NULL);
            goto out;
        }
        snprintf(r->path + n, sizeof r->path - n, "/%s", name);
        close(cur);
        cur = next;
        /* More to walk below a file: as the kernel says. */
        while (*p == '/') p++;
        if (*p && !S_ISDIR(st.st_mode)) {
            fail(e, ENOTDIR, what, arg, NULL, r->path);
            goto out;
        }
    }
    if (!r->path[0]) snprintf(r->path, sizeof r->path, "/");
    if (fstat(cur, &r->st) < 0 || (must_dir && !S_ISDIR(r->st.st_mode))) {
        fail(e, must_dir ? ENOTDIR : errno, what, arg, NULL, NULL);
        goto out;
    }
    r->fd = cur;
    return 0;
out:
    close(cur);
    return -1;
}

/* ---- the sandbox-building child: no allocation, no string followed ---- */

int iso_reopen(const char *path, int pin, struct isolate_error *e)
{
    struct stat now, then;
    int fd = open_beneath(AT_FDCWD, path, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

    if (fd < 0) {
        iso_err(e, errno, "%s changed while the sandbox was being set up", path);
        if (errno == ELOOP)
            iso_err_hint(e, "a symbolic link was put in its way; nothing was shared");
        else if (errno == ENOSYS)
            iso_err_hint(e,
                         "isolate needs Linux 5.12 or later (openat2, open_tree, mount_setattr)");
        return -1;
    }
    if (fstat(fd, &now) < 0 || S_ISLNK(now.st_mode) ||
        (pin >= 0 &&
         (fstat(pin, &then) < 0 || now.st_dev != then.st_dev || now.st_ino != then.st_ino))) {
        iso_err(e, S_ISLNK(now.st_mode) ? ELOOP : 0,
                "%s changed while the sandbox was being set up", path);
        iso_err_hint(e, "it is no longer what isolate checked; nothing was shared");
        close(fd);
        return -1;
    }
    return fd;
}

int iso_attach_at(int mnt, const char *path, int pin, struct isolate_error *e)
{
    int to = iso_reopen(path, pin, e), rc;

    if (to < 0) return -1;
    rc = (int)syscall(SYS_move_mount, mnt, "", to, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    if (rc < 0) iso_err(e, errno, "cannot mount %s", path);
    close(to);
    return rc;
}

/* ---- files isolate writes: --report, --meta (the caller) ---- */

int iso_open_output(const char *path, const char *what, struct isolate_error *e)
{
    char cwd[PATH_MAX], dir[PATH_MAX], link[PATH_MAX];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    struct iso_resolved r;
    struct stat st;
    int fd, lfd;
    ssize_t k;

    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        iso_err(e, EISDIR, "%s %s", what, path);
        return -1;
    }
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (!dir[0]) snprintf(dir, sizeof dir, "/");
    if (iso_resolve(getcwd(cwd, sizeof cwd), dir, ISO_RESOLVE_FOLLOW, &r, what, e) < 0) return -1;
    fd = openat(r.fd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd >= 0 || errno != ELOOP) goto out;
    /* A symlink where the report goes: one a sandbox or another user left
     * there would have the report overwrite what it points to. Only root's
     * are followed (/dev/stdout, /dev/stderr). */
    lfd = openat(r.fd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (lfd < 0 || fstat(lfd, &st) < 0 || st.st_uid != 0 ||
        (k = readlinkat(lfd, "", link, sizeof link - 1)) < 0) {
        if (lfd >= 0) close(lfd);
        close(r.fd);
        iso_err(e, 0,
                "%s %s: is a symbolic link; isolate writes its reports only to a file "
                "named directly",
                what, path);
        e->errnum = ELOOP;
        return -1;
    }
    close(lfd);
    link[k] = '\0';
    fd = openat(r.fd, link, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
out:
    if (fd < 0) iso_err(e, errno, "%s %s", what, path);
    close(r.fd);
    return fd;
}
