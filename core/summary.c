/*
 * summary.c - what an --overlay run changed, said when it ends.
 *
 * Runs in the supervisor, once PID 1 and every process of the sandbox are
 * gone (nothing writes to the upper layers any more), before it ends the way
 * the command ended. It reads the run through descriptors the caller opened
 * and passed (the run's directory, locked for the supervisor's lifetime, and
 * each layer's host directory): the supervisor's own mount namespace shows
 * the overlays, not the host, at those paths.
 */
#include "internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* Bytes held by a directory tree; -1 when part of it cannot be read. */
static long long du(int dir, int depth)
{
    int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long long sum = 0;
    struct dirent *de;
    struct stat st;
    DIR *d;

    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return -1;
    }
    while (sum >= 0 && (de = readdir(d))) {
        int child;
        long long sub;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        sum += (long long)st.st_blocks * 512;
        if (!S_ISDIR(st.st_mode)) continue;
        child = depth < 200
                    ? openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    : -1;
        sub = child < 0 ? -1 : du(child, depth + 1);
        if (child >= 0) close(child);
        sum = sub < 0 ? -1 : sum + sub;
    }
    closedir(d);
    return sum;
}

/* What the overlays' writes have taken of the disk that keeps them, counted
 * with the private space (--tmp-size), so that a sandbox filling an overlay
 * cannot fill the user's disk. Walking the upper layers at every tick would
 * cost too much; the drop of the file system's free space since the start is
 * cheap but counts what other processes write too. So the drop is what is
 * watched, and only when it would reach the limit are the upper layers
 * walked: if they hold less, the difference was someone else's and the
 * reference moves. A layer that cannot be walked entirely (a directory the
 * sandbox made unreadable) leaves the drop as the measure. */
unsigned long long iso_overlay_used(const struct iso_init_opts *o, unsigned long long other)
{
    static unsigned long long base; /* the supervisor is single-threaded */
    unsigned long long now, drop;
    long long walked = 0;
    struct iso_run r;
    struct isolate_error e;
    struct statfs sf;

    if (o->run_fd < 0 || fstatfs(o->run_fd, &sf) < 0) return 0;
    now = (unsigned long long)sf.f_bavail * (unsigned long long)sf.f_bsize;
    if (!base) base = now ? now : 1;
    drop = base > now ? base - now : 0;
    if (!o->limits.tmp_size || other + drop < o->limits.tmp_size || !o->run_id ||
        iso_run_read(o->run_fd, o->run_id, &r, &e) < 0)
        return drop;
    for (size_t i = 0; i < r.n && walked >= 0; i++) {
        int upper = iso_up_open_layer(o->run_fd, i, "upper");
        long long n = upper < 0 ? -1 : du(upper, 0);
        if (upper >= 0) close(upper);
        walked = n < 0 ? -1 : walked + n;
    }
    iso_run_free(&r);
    if (walked < 0 || (unsigned long long)walked >= drop) return drop;
    base = now + (unsigned long long)walked;
    return (unsigned long long)walked;
}

void iso_overlay_summary(const struct iso_init_opts *o)
{
    struct isolate_error e;
    struct iso_run r;
    struct timespec now;
    char line[512], where[PATH_MAX];
    int total = 0, fd;

    if (o->run_fd < 0 || !o->run_id) return;
    if (iso_run_read(o->run_fd, o->run_id, &r, &e) < 0) {
        isolate_perror(&e);
        return;
    }
    for (size_t i = 0; i < r.n; i++) {
        struct iso_up_count c;
        int upper = iso_up_open_layer(o->run_fd, i, "upper"), n;

        memset(&c, 0, sizeof c);
        iso_quote(r.l[i].host, where, sizeof where);
        if (upper < 0 || iso_up_count(upper, o->run_fd + 1 + (int)i, &c, &e) < 0) {
            if (upper < 0) iso_err(&e, 0, "cannot read run %s", r.id);
            isolate_perror(&e);
            total++; /* keep it: better an odd run kept than writes lost */
        } else if ((n = iso_up_format(&c, line, sizeof line)) > 0) {
            total += n;
            if (!o->quiet) iso_say("run %s kept: %s in %s", r.id, line, where);
        }
        if (upper >= 0) close(upper);
        /* overlayfs leaves its work/work with mode 0: an rm -r of the state
         * directory by hand would fail on it. Nothing uses it any more. */
        if ((upper = iso_up_open_layer(o->run_fd, i, "work")) >= 0) {
            iso_chmod_at(upper, "work", 0700);
            close(upper);
        }
    }
    if (!o->quiet) {
        if (total)
            iso_say("review it: isolate --diff %s; apply it: isolate --commit %s; drop it: "
                    "isolate --discard %s",
                    r.id, r.id, r.id);
        else
            iso_say("no changes in %s%s; nothing kept", where, r.n > 1 ? " and the others" : "");
    }
    clock_gettime(CLOCK_REALTIME, &now);
    fd =
        (int)iso_openat2(o->run_fd, "status", O_WRONLY | O_CREAT | O_TRUNC, 0600, ISO_RESOLVE_SAFE);
    if (fd >= 0) {
        dprintf(fd, "ended %lld\nchanges %d\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec,
                total);
        close(fd);
    }
    iso_run_free(&r);
}
