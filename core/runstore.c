/*
 * runstore.c - the runs kept in the state directory for review.
 *
 * Runs in the caller's process (creating a run, --runs, the review commands)
 * and in the supervisor (reading a run's metadata for the summary).
 *
 * A run is a directory runs/N holding "meta" (when it started, where, what),
 * one L<i>/upper and L<i>/work per overlay layer, and while a commit is under
 * way its "journal". A run is created under a temporary name, locked with
 * flock() and only then renamed to its number, so that nobody sees a run half
 * made; the supervisor holds that lock while the sandbox lives, and --commit,
 * --discard and --rollback take it, so none of them touches a live run.
 * Everything in it is reached relative to the state directory's descriptor,
 * never following a symlink (state.c).
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

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

static long long now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
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
    long long start = now();
    char tmp[64];
    int fd, n;

    if (take_over(st, ov, cwd, command, start, run_fd, id, idlen) == 0) return 0;
    snprintf(tmp, sizeof tmp, ".new-%ld-%lld", (long)getpid(), start);
    if (mkdirat(st->runs, tmp, 0700) < 0) {
        iso_err(e, errno, "cannot create a run in %s/runs", st->path);
        return -1;
    }
    fd = (int)iso_openat2(st->runs, tmp, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
    if (fd < 0 || flock(fd, LOCK_EX) < 0 || write_meta(fd, ov, cwd, command, start) < 0 ||
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
    iso_tree_remove(st->runs, tmp, NULL);
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
    if (!keep) iso_tree_remove(st->runs, name, NULL);
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
