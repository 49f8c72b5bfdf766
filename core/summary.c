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

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* What the overlays' writes have taken of the disk that keeps them, counted
 * with the private space (--tmp-size): a sandbox filling an overlay must not
 * fill the user's disk. Walking the upper layers at every tick would cost too
 * much; the drop in the file system's free space since the start is cheap,
 * and errs on the safe side (it counts what others write meanwhile). */
unsigned long long iso_overlay_used(const struct iso_init_opts *o)
{
    static unsigned long long start; /* the supervisor is single-threaded */
    struct statfs sf;
    unsigned long long now;

    if (o->run_fd < 0 || fstatfs(o->run_fd, &sf) < 0) return 0;
    now = (unsigned long long)sf.f_bavail * (unsigned long long)sf.f_bsize;
    if (!start) start = now ? now : 1;
    return start > now ? start - now : 0;
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
