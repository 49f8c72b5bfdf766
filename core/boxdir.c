/*
 * boxdir.c - the directory of boxes: where it is, opening it and a box in it
 * without following links, its lock; and --boxes (the list) and --rm-box.
 *
 * Runs in the caller's process. See box.c for what a box is and why nothing
 * in it is looked up through a link. Listing and removal trust nothing in a
 * box either: a box's size is added up by descriptor (tree.c), and removal
 * renames the box out of the way under the directory's lock, then removes it
 * by descriptor, never following a link out of it.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int iso_box_err(struct isolate_error *e, const char *name, int errnum, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    iso_err(e, errnum, "box '%s': %s", name, msg);
    return -1;
}

/* $XDG_DATA_HOME/isolate/boxes; a relative XDG_DATA_HOME is ignored (XDG). */
int iso_boxes_locate(char *const *env, char *out, size_t size, char *dh, size_t dhsize,
                     struct isolate_error *e)
{
    const char *x = iso_env_get(env, "XDG_DATA_HOME"), *home = iso_env_get(env, "HOME");
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (x && x[0] == '/') {
        snprintf(dh, dhsize, "%s", x);
    } else {
        if ((!home || home[0] != '/') && getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 &&
            res)
            home = res->pw_dir;
        if (!home || home[0] != '/') {
            iso_err(e, 0,
                    "cannot tell where boxes are kept: neither XDG_DATA_HOME nor HOME is set");
            return -1;
        }
        snprintf(dh, dhsize, "%s/.local/share", home);
    }
    if ((size_t)snprintf(out, size, "%s/isolate/boxes", dh) >= size) {
        iso_err(e, ENAMETOOLONG, "%s", dh);
        return -1;
    }
    return 0;
}

/* Only the caller's own directories, writable by nobody else, hold boxes:
 * another user who could write there could plant links and swap boxes. */
static int owned(int fd, const char *what, struct isolate_error *e)
{
    struct stat st;
    if (fstat(fd, &st) < 0) return iso_err(e, errno, "%s", what), -1;
    if (st.st_uid != getuid() || (S_ISDIR(st.st_mode) && (st.st_mode & 022))) {
        iso_err(e, 0,
                "%s belongs to another user or is writable by others; isolate keeps boxes "
                "only in a directory of yours",
                what);
        return -1;
    }
    return 0;
}

/* The boxes directory, made (mode 0700) when create is set. *fd is -1 when
 * it does not exist. Above it is the user's own data directory, where links
 * are the user's (a ~/.local on another disk); from it down none is followed. */
int iso_boxes_open(const char *dh, const char *root, int create, int *fd, struct isolate_error *e)
{
    static const char *const part[] = {"isolate", "boxes"};
    int cur;

    *fd = -1;
    if (create) {
        char buf[PATH_MAX];
        snprintf(buf, sizeof buf, "%s", dh);
        for (char *p = buf + 1;; p++)
            if (*p == '/' || !*p) {
                char ch = *p;
                *p = '\0';
                if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                    return iso_err(e, errno, "%s", buf), -1;
                *p = ch;
                if (!ch) break;
            }
    }
    cur = open(dh, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0) return errno == ENOENT && !create ? 0 : (iso_err(e, errno, "%s", dh), -1);
    for (int i = 0; i < 2; i++) {
        int next = iso_openat2(cur, part[i], O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
        if (next < 0 && errno == ENOENT && create) {
            if (mkdirat(cur, part[i], 0700) < 0 && errno != EEXIST) goto fail;
            next = iso_openat2(cur, part[i], O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
        }
        if (next < 0) {
            if (errno == ENOENT && !create) {
                close(cur);
                return 0;
            }
            goto fail;
        }
        close(cur);
        cur = next;
        if (owned(cur, i ? root : "the directory isolate in your data directory", e) < 0) {
            close(cur);
            return -1;
        }
    }
    *fd = cur;
    return 0;
fail:
    if (errno == ELOOP)
        iso_err(e, 0,
                "%s: a symbolic link where isolate keeps its boxes; isolate follows none "
                "there",
                root);
    else
        iso_err(e, errno, "%s", root);
    close(cur);
    return -1;
}

/* Held for moments by every process of the user's that opens, makes or
 * removes a box; one that keeps it (stopped with SIGSTOP) is waited for 5 s. */
int iso_boxes_lock(int fd, const char *root, struct isolate_error *e)
{
    for (int i = 0; i < 500; i++) {
        struct timespec t = {0, 10 * 1000 * 1000};
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
        if (errno != EWOULDBLOCK && errno != EINTR) break;
        nanosleep(&t, NULL);
    }
    iso_err(e, errno, "%s is locked by another isolate", root);
    return -1;
}

/* Opens the box name: its directory and its home. Returns 1 if there is no
 * such entry, 0 if opened, -1 if it is not a usable box. */
int iso_box_open(int root, const char *rootpath, const char *name, int *dir, int *home,
                 struct isolate_error *e)
{
    int fd, info;
    struct stat st;

    *dir = *home = -1;
    fd = iso_openat2(root, name, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
    if (fd < 0) {
        if (errno == ENOENT) return 1;
        if (errno == ELOOP)
            return iso_box_err(
                e, name, 0,
                "%s/%s is a symbolic link, not a box; isolate never follows a link in its "
                "boxes directory (isolate --rm-box removes the link, not its target)",
                rootpath, name);
        if (errno == ENOTDIR)
            return iso_box_err(e, name, 0, "the entry in %s is not a directory", rootpath);
        return iso_box_err(e, name, errno, "%s", rootpath);
    }
    if (owned(fd, "the box's directory", e) < 0) goto fail;
    /* O_NONBLOCK: whatever is there, opening it must not wait (a FIFO). */
    info = iso_openat2(fd, "info", O_RDONLY | O_NONBLOCK, 0, ISO_RESOLVE_BENEATH);
    if (info < 0) {
        int saved = errno;
        if (saved == ELOOP)
            iso_box_err(e, name, 0, "%s",
                        "its file info is a symbolic link: someone tampered with the box "
                        "(isolate --rm-box removes it, and not what the link points to)");
        else if (saved == ENOENT)
            iso_box_err(e, name, 0, "%s",
                        "it is damaged: it has no file info (isolate --rm-box removes it)");
        else
            iso_box_err(e, name, saved, "%s", "cannot read its file info");
        goto fail;
    }
    if (fstat(info, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(info);
        iso_box_err(e, name, 0, "%s",
                    "it is damaged: its info is not a file (isolate --rm-box "
                    "removes it)");
        goto fail;
    }
    close(info);
    *home = iso_openat2(fd, "home", O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
    if (*home < 0) {
        int saved = errno;
        if (saved == ELOOP)
            iso_box_err(e, name, 0, "%s",
                        "its home has been replaced by a symbolic link; isolate never follows a "
                        "link in a box, so it will not run in it (isolate --rm-box removes the "
                        "box and the link, and not what the link points to)");
        else if (saved == ENOENT || saved == ENOTDIR)
            iso_box_err(e, name, 0, "%s",
                        "it is damaged: its home is missing or not a directory (isolate "
                        "--rm-box removes it)");
        else
            iso_box_err(e, name, saved, "%s", "cannot open its home");
        goto fail;
    }
    /* Its mode is the sandbox's to change; box.c sets it back to 0700. */
    if (fstat(*home, &st) < 0 || st.st_uid != getuid()) {
        iso_box_err(e, name, 0, "%s", "its home belongs to another user");
        goto fail;
    }
    *dir = fd;
    return 0;
fail:
    if (*home >= 0) close(*home);
    *home = -1;
    close(fd);
    return -1;
}

/* --boxes --------------------------------------------------------------- */

struct listed {
    char *name;
    char *problem; /* why it is not a usable box, or NULL */
    int in_use;
    long long made, used;
};

static long long made_at(int dir)
{
    char buf[64];
    long long t = 0;
    int fd = iso_openat2(dir, "info", O_RDONLY | O_NONBLOCK, 0, ISO_RESOLVE_BENEATH);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

    if (fd >= 0) close(fd);
    if (n > 0) {
        buf[n] = '\0';
        if (sscanf(buf, "created=%lld", &t) != 1) t = 0;
    }
    return t;
}

static void when(long long t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%d %H:%M", &tm))
        snprintf(out, size, "-");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* What is there, under the lock; sizes afterwards, without it. */
static int collect(int root, const char *rootpath, struct listed **out, size_t *count,
                   struct isolate_error *e)
{
    struct listed *v = NULL;
    size_t n = 0;
    int fd = dup(root);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;

    if (!d) {
        if (fd >= 0) close(fd);
        return iso_err(e, errno, "%s", rootpath), -1;
    }
    while ((de = readdir(d))) {
        struct isolate_error why;
        struct listed *g, *x;
        int dir, home;

        if (de->d_name[0] == '.') continue; /* ., .., and isolate's own entries */
        if (!(g = realloc(v, (n + 1) * sizeof *v))) break;
        v = g;
        x = &v[n++];
        memset(x, 0, sizeof *x);
        if (!(x->name = strdup(de->d_name))) break;
        if (iso_box_open(root, rootpath, de->d_name, &dir, &home, &why) != 0) {
            const char *m = strstr(why.msg, "': ");
            x->problem = strdup(m ? m + 3 : why.msg);
            continue;
        }
        close(home);
        if (flock(dir, LOCK_EX | LOCK_NB) < 0)
            x->in_use = 1;
        else
            flock(dir, LOCK_UN);
        x->made = made_at(dir);
        {
            struct stat st;
            if (fstat(dir, &st) == 0) x->used = (long long)st.st_mtime;
        }
        close(dir);
    }
    closedir(d);
    *out = v;
    *count = n;
    return 0;
}

static int list_boxes(char *const *env, FILE *out, struct isolate_error *e)
{
    char dh[PATH_MAX], root[PATH_MAX];
    struct listed *v = NULL;
    size_t n = 0;
    int fd, rc;

    if (iso_boxes_locate(env, root, sizeof root, dh, sizeof dh, e) < 0 ||
        iso_boxes_open(dh, root, 0, &fd, e) < 0)
        return -1;
    if (fd < 0) {
        fprintf(out, "no boxes (isolate keeps them in %s)\n", root);
        return 0;
    }
    if (iso_boxes_lock(fd, root, e) < 0) {
        close(fd);
        return -1;
    }
    rc = collect(fd, root, &v, &n, e);
    flock(fd, LOCK_UN);
    if (rc == 0 && n == 0) fprintf(out, "no boxes (isolate keeps them in %s)\n", root);
    if (rc == 0 && n) {
        qsort(v, n, sizeof *v, by_name);
        fprintf(out, "%-20s %10s  %-16s  %s\n", "NAME", "SIZE", "CREATED", "LAST USED");
        for (size_t i = 0; i < n; i++) {
            char size[32], made[32], used[32];
            if (v[i].problem) {
                fprintf(out, "%-20s %10s  %-16s  %-16s  not usable: %s\n", v[i].name, "-", "-", "-",
                        v[i].problem);
                continue;
            }
            iso_format_size(size, sizeof size, iso_tree_size(fd, v[i].name));
            when(v[i].made, made, sizeof made);
            when(v[i].used, used, sizeof used);
            fprintf(out, "%-20s %10s  %-16s  %-16s%s\n", v[i].name, size, made, used,
                    v[i].in_use ? "  in use" : "");
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].problem);
    }
    free(v);
    close(fd);
    return rc;
}

/* --rm-box ---------------------------------------------------------------- */

static int remove_box(char *const *env, const char *name, int quiet, struct isolate_error *e)
{
    char dh[PATH_MAX], root[PATH_MAX], trash[ISO_BOX_NAME_MAX + 8];
    int fd, dir, rc = -1;

    if (iso_boxes_locate(env, root, sizeof root, dh, sizeof dh, e) < 0 ||
        iso_boxes_open(dh, root, 0, &fd, e) < 0)
        return -1;
    if (fd < 0)
        return iso_box_err(e, name, 0, "there is no such box in %s (isolate --boxes lists them)",
                           root);
    if (iso_boxes_lock(fd, root, e) < 0) goto out;
    dir = iso_openat2(fd, name, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
    if (dir < 0) {
        int saved = errno;
        if (saved == ENOENT)
            iso_box_err(e, name, 0, "there is no such box in %s (isolate --boxes lists them)",
                        root);
        else if ((saved == ELOOP || saved == ENOTDIR) && unlinkat(fd, name, 0) == 0) {
            /* A link or a file where a box should be: that entry goes, never its target. */
            if (!quiet)
                iso_say("removed '%s' from %s: it was not a box but a %s (what it pointed to "
                        "is untouched)",
                        name, root, saved == ELOOP ? "symbolic link" : "file");
            rc = 0;
        } else {
            iso_box_err(e, name, errno, "cannot remove it from %s", root);
        }
        flock(fd, LOCK_UN);
        goto out;
    }
    if (flock(dir, LOCK_EX | LOCK_NB) < 0) {
        iso_box_err(e, name, 0, "%s", "it is in use by a running sandbox; end that first");
        flock(fd, LOCK_UN);
        close(dir);
        goto out;
    }
    /* Out of the way at once, so that no run opens it while it goes. */
    snprintf(trash, sizeof trash, ".%s.rm", name);
    {
        struct stat st;
        /* A leftover of an earlier removal that failed half-way. */
        if (fstatat(fd, trash, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            iso_tree_remove(fd, trash, e) < 0) {
            flock(fd, LOCK_UN);
            close(dir);
            goto out;
        }
    }
    if (syscall(SYS_renameat2, fd, name, fd, trash, 1 /* RENAME_NOREPLACE */) < 0) {
        iso_box_err(e, name, errno, "cannot remove it from %s", root);
        flock(fd, LOCK_UN);
        close(dir);
        goto out;
    }
    flock(fd, LOCK_UN);
    if (iso_tree_remove(fd, trash, e) < 0) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        iso_box_err(e, name, 0, "only partly removed: %s (what is left is in %s/%s)", why, root,
                    trash);
    } else {
        if (!quiet) iso_say("removed box '%s'", name);
        rc = 0;
    }
    close(dir);
out:
    close(fd);
    return rc;
}

ISO_PUBLIC int isolate_boxes(const struct isolate_policy *p, const struct isolate_caller *c,
                             FILE *out, struct isolate_error *err)
{
    if (p->mode == ISOLATE_MODE_RM_BOX) return remove_box(c->environ, p->box, p->quiet, err);
    return list_boxes(c->environ, out, err);
}
