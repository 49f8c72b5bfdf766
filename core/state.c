/*
 * state.c - isolate's state directory ($XDG_STATE_HOME/isolate, by default
 * ~/.local/state/isolate) and the runs kept in it for review.
 *
 * Runs in the caller's process (creating a run, --diff, --commit, --runs) and
 * in the supervisor (reading a run's metadata for the summary).
 *
 * A run is a directory runs/N holding "meta" (when it started, where, what),
 * one L<i>/upper and L<i>/work per overlay layer, and while a commit is under
 * way its "journal". A run is created under a temporary name, locked with
 * flock() and only then renamed to its number, so that nobody sees a run half
 * made; the supervisor holds that lock while the sandbox lives, and --commit,
 * --discard and --rollback take it, so none of them touches a live run.
 *
 * Every path below the home (or below / when the state lives elsewhere) is
 * resolved with openat2(RESOLVE_NO_SYMLINKS): a sandbox given a writable
 * home (--home=PATH, -w) could otherwise plant a symlink there that leads a
 * later isolate to create, read or delete runs somewhere else. Everything
 * inside the state directory is then reached relative to directory
 * descriptors, never by a path rebuilt from strings.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

long iso_openat2(int dirfd, const char *path, int flags, unsigned mode, unsigned long long resolve)
{
    struct open_how how;
    long fd;

    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = resolve;
    /* EAGAIN: a rename raced with the lookup (RESOLVE_BENEATH); try again. */
    for (int i = 0; i < 16; i++) {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) break;
    }
    return fd;
}

/* chmod without following a symlink (fchmodat2, Linux 6.6). */
int iso_chmod_at(int dirfd, const char *name, unsigned mode)
{
    return (int)syscall(SYS_fchmodat2, dirfd, name, mode & 07777, AT_SYMLINK_NOFOLLOW);
}

static const char *env_value(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (char *const *e = env; e && *e; e++)
        if (!strncmp(*e, name, len) && (*e)[len] == '=') return *e + len + 1;
    return NULL;
}

/* One directory below fd, made (0700) if asked and missing; never a symlink. */
static int step(int fd, const char *name, int create)
{
    int n =
        (int)iso_openat2(fd, name, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    if (n < 0 && errno == ENOENT && create) {
        if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) return -1;
        n = (int)iso_openat2(fd, name, O_PATH | O_DIRECTORY, 0,
                             RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    }
    return n;
}

/* The state directory must be the user's alone: runs hold what sandboxes
 * wrote, and a commit writes them into the user's files. */
static int check_owner(int fd, const char *path, struct isolate_error *e)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        iso_err(e, errno, "%s", path);
        return -1;
    }
    if (st.st_uid != getuid() || (st.st_mode & 022)) {
        iso_err(e, 0,
                "%s is %s; isolate keeps runs only in a directory of yours that nobody "
                "else can write (chmod 700 it, or set XDG_STATE_HOME)",
                path, st.st_uid != getuid() ? "owned by another user" : "writable by others");
        return -1;
    }
    return 0;
}

/* $XDG_STATE_HOME/isolate, or ~/.local/state/isolate: the XDG base directory
 * specification ignores a relative XDG_STATE_HOME. */
int iso_state_path(char *const *env, char *out, size_t size)
{
    const char *xdg = env_value(env, "XDG_STATE_HOME"), *home = env_value(env, "HOME");
    if (xdg && xdg[0] == '/')
        snprintf(out, size, "%s/isolate", xdg);
    else if (home && home[0] == '/')
        snprintf(out, size, "%s/.local/state/isolate", home);
    else
        return -1;
    return 0;
}

/* Returns 0, 1 when the state does not exist and create is 0, -1 on error. */
int iso_state_open(struct iso_state *st, char *const *env, int create, struct isolate_error *e)
{
    const char *home = env_value(env, "HOME");
    const char *rest, *trusted = "/";
    char buf[4096], *save = NULL, *tok;
    size_t hl;
    int fd;

    st->root = st->runs = -1;
    if (iso_state_path(env, st->path, sizeof st->path) < 0) {
        iso_err(e, 0, "no place for isolate's runs: neither XDG_STATE_HOME nor HOME is set");
        return -1;
    }
    /* The home itself is taken as the account has it (it may be reached
     * through a symlink, /home -> /var/home); below it, no symlink. */
    rest = st->path + 1;
    hl = home ? strlen(home) : 0;
    while (hl > 1 && home[hl - 1] == '/') hl--;
    if (home && home[0] == '/' && hl > 1 && !strncmp(st->path, home, hl) && st->path[hl] == '/') {
        trusted = home;
        rest = st->path + hl + 1;
    }
    fd = open(trusted, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        iso_err(e, errno, "%s", trusted);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", rest);
    for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        int n;
        if (!strcmp(tok, ".")) continue;
        n = !strcmp(tok, "..") ? (errno = EINVAL, -1) : step(fd, tok, create);
        close(fd);
        if (n < 0) {
            if (errno == ENOENT && !create) return 1;
            iso_err(e, errno, "cannot open isolate's state directory %s (at '%s')", st->path, tok);
            if (errno == ELOOP)
                iso_err_hint(e, "a symlink is in the way; isolate follows none there. Set "
                                "XDG_STATE_HOME to a real directory of yours");
            return -1;
        }
        fd = n;
    }
    if (check_owner(fd, st->path, e) < 0) {
        close(fd);
        return -1;
    }
    st->root = fd;
    st->runs = step(fd, "runs", create);
    if (st->runs < 0) {
        int saved = errno;
        iso_state_close(st);
        if (saved == ENOENT && !create) return 1;
        iso_err(e, saved, "cannot open %s/runs", st->path);
        return -1;
    }
    return 0;
}

void iso_state_close(struct iso_state *st)
{
    if (st->runs >= 0) close(st->runs);
    if (st->root >= 0) close(st->root);
    st->runs = st->root = -1;
}

/* Paths and commands in metadata and journals: one line each, whatever bytes
 * they hold. */
void iso_esc(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s && n + 4 < size; s++) {
        if (*s <= ' ' || *s == '%' || *s == 0x7f) {
            out[n++] = '%';
            out[n++] = hex[*s >> 4];
            out[n++] = hex[*s & 15];
        } else {
            out[n++] = (char)*s;
        }
    }
    out[n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int iso_unesc(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%') {
            int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);
            if (b < 0) return -1;
            *o++ = (char)(a * 16 + b);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return 0;
}

/* A name as it may be shown on a terminal: the sandbox chose it, and control
 * characters in it would reach the user's terminal (escape sequences). */
void iso_quote(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s && n + 8 < size; s++) {
        int c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f; /* C1 controls in UTF-8 */
        if (*s < ' ' || *s == 0x7f || c1 || *s == '\\') {
            out[n++] = '\\';
            if (*s == '\\') {
                out[n++] = '\\';
                continue;
            }
            out[n++] = 'x';
            out[n++] = hex[*s >> 4];
            out[n++] = hex[*s & 15];
            if (c1) { /* both bytes */
                s++;
                out[n++] = '\\';
                out[n++] = 'x';
                out[n++] = hex[*s >> 4];
                out[n++] = hex[*s & 15];
            }
        } else {
            out[n++] = (char)*s;
        }
    }
    out[n] = '\0';
}

int iso_run_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9 || s[0] == '0') return 0;
    return strspn(s, "0123456789") == n;
}

/* Removes dirfd/name and everything below it, without following symlinks or
 * leaving the file system; directories are made accessible first (overlayfs
 * leaves work/work with mode 0, a sandbox may chmod 0 what it wrote). */
static int remove_at(int parent, const char *name, int depth)
{
    DIR *d;
    int fd, removed;

    if (unlinkat(parent, name, 0) == 0 || errno == ENOENT) return 0;
    if (errno != EISDIR && errno != EPERM) return -1;
    if (depth > 512) {
        errno = ELOOP;
        return -1;
    }
    iso_chmod_at(parent, name, 0700);
    fd = (int)iso_openat2(parent, name, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return -1;
    }
    /* Entries removed while reading may make readdir skip others: read
     * again until a pass removes nothing. */
    do {
        struct dirent *de;
        removed = 0;
        rewinddir(d);
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
            if (remove_at(dirfd(d), de->d_name, depth + 1) < 0) {
                closedir(d);
                return -1;
            }
            removed++;
        }
    } while (removed);
    closedir(d);
    return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

int iso_tree_remove(int dirfd, const char *name)
{
    return remove_at(dirfd, name, 0);
}

static int next_id(int runs)
{
    int fd = openat(runs, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), max = 0;
    DIR *d;
    struct dirent *de;

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return 1;
    }
    while ((de = readdir(d)))
        if (iso_run_is_id(de->d_name) && atoi(de->d_name) > max) max = atoi(de->d_name);
    closedir(d);
    return max + 1;
}

static int write_meta(int run, const struct iso_ov *ov, const char *cwd, const char *command,
                      long long start)
{
    char esc[3 * PATH_MAX + 8];
    int fd = (int)iso_openat2(run, "meta", O_WRONLY | O_CREAT | O_TRUNC, 0600, ISO_RESOLVE_SAFE);
    int ok;

    if (fd < 0) return -1;
    ok = dprintf(fd, "isolate-run 1\nstarted %lld\n", start) > 0;
    iso_esc(cwd, esc, sizeof esc);
    ok = ok && dprintf(fd, "cwd %s\n", esc) > 0;
    iso_esc(command, esc, sizeof esc);
    ok = ok && dprintf(fd, "command %s\n", esc) > 0;
    for (size_t i = 0; ok && i < ov->n; i++) {
        iso_esc(ov->l[i].host, esc, sizeof esc);
        ok = dprintf(fd, "layer %s %llu %llu %s\n", ov->l[i].is_home ? "home" : "dir",
                     (unsigned long long)ov->l[i].dev, (unsigned long long)ov->l[i].ino, esc) > 0;
    }
    close(fd);
    return ok ? 0 : -1;
}

/* L<i>/upper and L<i>/work for each layer, made or (in a run taken over)
 * found empty. */
static int make_layers(int run, const struct iso_ov *ov)
{
    char name[16];
    struct stat st;

    for (size_t i = 0; i < ov->n; i++) {
        int l, ok;
        snprintf(name, sizeof name, "L%zu", i);
        if (mkdirat(run, name, 0700) < 0 && errno != EEXIST) return -1;
        l = (int)iso_openat2(run, name, O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
        if (l < 0) return -1;
        /* The upper root is the merged root: it gets the host directory's
         * mode, or the sandbox would see (and a commit apply) another. */
        ok = (mkdirat(l, "upper", 0700) == 0 || errno == EEXIST) &&
             fstatat(l, "upper", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
             ((st.st_mode & 07777) == ov->l[i].mode ||
              iso_chmod_at(l, "upper", ov->l[i].mode) == 0) &&
             (mkdirat(l, "work", 0700) == 0 || errno == EEXIST);
        close(l);
        if (!ok) return -1;
    }
    return 0;
}

static int run_empty(int fd);

/* The latest run, when it changed nothing and nobody holds it, is taken over
 * rather than removed and made again: on a busy disk each directory made or
 * removed costs a journal transaction, and a run that changes nothing is the
 * common case. Only the latest: "the latest run" must stay the newest. */
static int take_over(struct iso_state *st, const struct iso_ov *ov, const char *cwd,
                     const char *command, long long start, int *run_fd, char *id, size_t idlen)
{
    int n = next_id(st->runs) - 1, fd;

    if (n < 1) return -1;
    snprintf(id, idlen, "%d", n);
    fd = (int)iso_openat2(st->runs, id, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 || !run_empty(fd) ||
        write_meta(fd, ov, cwd, command, start) < 0 || make_layers(fd, ov) < 0) {
        close(fd);
        return -1;
    }
    unlinkat(fd, "status", 0);
    *run_fd = fd;
    return 0;
}

int iso_run_create(struct iso_state *st, const struct iso_ov *ov, const char *cwd,
                   const char *command, int *run_fd, char *id, size_t idlen,
                   struct isolate_error *e)
{
    struct timespec now;
    char tmp[64];
    int fd, n;

    clock_gettime(CLOCK_REALTIME, &now);
    if (take_over(st, ov, cwd, command, (long long)now.tv_sec * 1000000000LL + now.tv_nsec, run_fd,
                  id, idlen) == 0)
        return 0;
    snprintf(tmp, sizeof tmp, ".new-%ld-%ld", (long)getpid(), (long)now.tv_nsec);
    if (mkdirat(st->runs, tmp, 0700) < 0) {
        iso_err(e, errno, "cannot create a run in %s/runs", st->path);
        return -1;
    }
    fd = (int)iso_openat2(st->runs, tmp, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0 || flock(fd, LOCK_EX) < 0 ||
        write_meta(fd, ov, cwd, command, (long long)now.tv_sec * 1000000000LL + now.tv_nsec) < 0 ||
        make_layers(fd, ov) < 0) {
        iso_err(e, errno, "cannot create a run in %s/runs", st->path);
        goto fail;
    }
    for (n = next_id(st->runs);; n++) {
        snprintf(id, idlen, "%d", n);
        if (syscall(SYS_renameat2, st->runs, tmp, st->runs, id, RENAME_NOREPLACE) == 0) break;
        if (errno != EEXIST) {
            iso_err(e, errno, "cannot create a run in %s/runs", st->path);
            goto fail;
        }
    }
    *run_fd = fd;
    return 0;
fail:
    if (fd >= 0) close(fd);
    iso_tree_remove(st->runs, tmp);
    return -1;
}

void iso_run_free(struct iso_run *r)
{
    free(r->cwd);
    free(r->command);
    for (size_t i = 0; i < r->n; i++) free(r->l[i].host);
    memset(r, 0, sizeof *r);
}

int iso_run_read(int run_fd, const char *id, struct iso_run *r, struct isolate_error *e)
{
    char buf[64 * 1024], *line, *save = NULL;
    int fd = (int)iso_openat2(run_fd, "meta", O_RDONLY, 0, ISO_RESOLVE_SAFE);
    ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", id);
    if (fd >= 0) close(fd);
    if (len <= 0) {
        iso_err(e, len < 0 ? errno : 0, "run %s has no readable metadata", id);
        return -1;
    }
    buf[len] = '\0';
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char kind[8], path[3 * PATH_MAX + 16];
        unsigned long long dev, ino;
        if (!strncmp(line, "started ", 8))
            r->start_ns = atoll(line + 8);
        else if (!strncmp(line, "cwd ", 4) && !r->cwd)
            r->cwd = strdup(line + 4);
        else if (!strncmp(line, "command ", 8) && !r->command)
            r->command = strdup(line + 8);
        else if (sscanf(line, "layer %7s %llu %llu %12300s", kind, &dev, &ino, path) == 4 &&
                 r->n < ISO_OV_MAX) {
            r->l[r->n].is_home = !strcmp(kind, "home");
            r->l[r->n].dev = (dev_t)dev;
            r->l[r->n].ino = (ino_t)ino;
            if (!(r->l[r->n].host = strdup(path)) || iso_unesc(r->l[r->n].host) < 0) {
                r->n++;
                goto bad;
            }
            r->n++;
        }
    }
    if (!r->cwd || !r->command || iso_unesc(r->cwd) < 0 || iso_unesc(r->command) < 0 || r->n == 0 ||
        !r->start_ns)
        goto bad;
    return 0;
bad:
    iso_run_free(r);
    iso_err(e, 0, "run %s has damaged metadata", id);
    return -1;
}

static int layer_empty(int run, const char *lname)
{
    char path[300];
    int fd, empty = 1;
    DIR *d;
    struct dirent *de;

    snprintf(path, sizeof path, "%s/upper", lname);
    fd = (int)iso_openat2(run, path, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return errno == ENOENT;
    }
    while (empty && (de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) empty = 0;
    closedir(d);
    return empty;
}

/* No commit under way, and all upper layers empty. */
static int run_empty(int fd)
{
    int fd2, empty = 1;
    DIR *d;
    struct dirent *de;

    if (faccessat(fd, "journal", F_OK, AT_SYMLINK_NOFOLLOW) == 0) return 0;
    if ((fd2 = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !(d = fdopendir(fd2))) {
        if (fd2 >= 0) close(fd2);
        return 0;
    }
    while (empty && (de = readdir(d)))
        if (de->d_name[0] == 'L' && !layer_empty(fd, de->d_name)) empty = 0;
    closedir(d);
    return empty;
}

/* A run that left nothing to review (all its upper layers empty, no commit
 * under way, nobody holding it) is removed; so is one whose creation died
 * before it got its number. */
static void sweep_one(struct iso_state *st, const char *name)
{
    int fd = (int)iso_openat2(st->runs, name, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    int keep;
    struct stat sb;

    if (fd < 0) return;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return;
    }
    if (name[0] == '.')
        keep = fstat(fd, &sb) < 0 || time(NULL) - sb.st_mtime < 60;
    else
        keep = !run_empty(fd);
    if (!keep) iso_tree_remove(st->runs, name);
    close(fd);
}

int iso_run_sweep(struct iso_state *st)
{
    int fd = openat(st->runs, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char **names = NULL;
    size_t n = 0;
    DIR *d;
    struct dirent *de;

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return -1;
    }
    while ((de = readdir(d))) {
        char **nn;
        if (!iso_run_is_id(de->d_name) && strncmp(de->d_name, ".new-", 5)) continue;
        if (!(nn = realloc(names, (n + 1) * sizeof *names))) break;
        names = nn;
        if (!(names[n] = strdup(de->d_name))) break;
        n++;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        sweep_one(st, names[i]);
        free(names[i]);
    }
    free(names);
    return 0;
}
