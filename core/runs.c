/*
 * runs.c - the review commands: --runs, --diff, --commit, --rollback,
 * --discard. Chooses the run, takes its lock, and hands it to diff.c or
 * commit.c.
 *
 * Runs in the caller's process (for the builtin and the module: the user's
 * shell). Everything is reached through descriptors (state.c); every fd and
 * allocation is released before returning, and nothing process-wide changes.
 * The lock is flock() on the run's directory: the supervisor of a live
 * sandbox holds it, as does a commit in progress in another shell, so a run
 * is never committed, rolled back or discarded while something uses it.
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
#include <time.h>
#include <unistd.h>

/* The host directory of layer i, as the run saw it: never through a symlink,
 * and the same directory (device and inode), not one put in its place. */
int iso_host_root(const struct iso_run *r, size_t i, struct isolate_error *e)
{
    char q[PATH_MAX * 4];
    struct stat st;
    int fd = (int)iso_openat2(AT_FDCWD, r->l[i].host, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);

    iso_quote(r->l[i].host, q, sizeof q);
    if (fd < 0) {
        iso_err(e, errno, "%s, where run %s was laid, %s", q, r->id,
                errno == ELOOP ? "is reached through a symlink now" : "cannot be opened");
        return -1;
    }
    if (fstat(fd, &st) < 0 || st.st_dev != r->l[i].dev || st.st_ino != r->l[i].ino) {
        iso_err(e, 0, "%s is not the directory run %s was laid over: it was replaced since", q,
                r->id);
        close(fd);
        return -1;
    }
    return fd;
}

static int cmp_ids(const void *a, const void *b)
{
    return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

/* The runs' numbers, in order (other names in runs/ are left out). */
static char **run_ids(struct iso_state *st, size_t *n)
{
    size_t all = 0;
    char **v = iso_list_dir(st->runs, &all);

    *n = 0;
    for (size_t i = 0; v && i < all; i++) {
        if (iso_run_is_id(v[i]))
            v[(*n)++] = v[i];
        else
            free(v[i]);
    }
    if (v) {
        v[*n] = NULL;
        qsort(v, *n, sizeof *v, cmp_ids);
    }
    return v;
}

static int open_run(struct iso_state *st, const char *id)
{
    return (int)iso_openat2(st->runs, id, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_SAFE);
}

static int has_journal(int run)
{
    return faccessat(run, "journal", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int list_runs(struct iso_state *st, FILE *out)
{
    size_t n;
    char **ids = run_ids(st, &n), q[PATH_MAX * 4], when[64], line[512];
    int interrupted = 0;

    if (!n) fprintf(out, "no runs kept (in %s)\n", st->path);
    for (size_t k = 0; k < n; k++) {
        struct isolate_error e;
        struct iso_run r;
        int fd = open_run(st, ids[k]), busy;
        time_t t;
        struct tm tm;

        if (fd < 0 || iso_run_read(fd, ids[k], &r, &e) < 0) {
            if (fd >= 0) close(fd);
            fprintf(out, "run %s: unreadable\n", ids[k]);
            continue;
        }
        busy = flock(fd, LOCK_SH | LOCK_NB) < 0;
        t = (time_t)(r.start_ns / 1000000000LL);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
        fprintf(out, "run %s  started %s  %s\n", r.id, when,
                busy              ? "running (or being committed)"
                : has_journal(fd) ? "COMMIT INTERRUPTED"
                                  : "kept");
        interrupted |= !busy && has_journal(fd);
        for (size_t i = 0; i < r.n; i++) {
            struct iso_up_count c;
            struct isolate_error he;
            int upper = iso_up_open_layer(fd, i, "upper"), host = iso_host_root(&r, i, &he);
            memset(&c, 0, sizeof c);
            if (upper < 0 || iso_up_count(upper, host, &c, &e) < 0)
                snprintf(line, sizeof line, "?");
            else
                iso_up_format(&c, line, sizeof line);
            iso_quote(r.l[i].host, q, sizeof q);
            fprintf(out, "  %s%s: %s\n", q, r.l[i].is_home ? " (home)" : "", line);
            if (upper >= 0) close(upper);
            if (host >= 0) close(host);
        }
        iso_quote(r.command, q, sizeof q);
        fprintf(out, "  command: %s\n", q);
        iso_run_free(&r);
        close(fd);
    }
    if (n)
        fprintf(out, "review: isolate --diff RUN; apply: isolate --commit RUN; drop: isolate "
                     "--discard RUN\n");
    if (interrupted)
        fprintf(out, "an interrupted commit: isolate --commit RUN finishes it, isolate --rollback "
                     "RUN undoes it\n");
    iso_free_list(ids);
    return 0;
}

/* The run named, or the latest (for --rollback: the latest with a journal). */
static int choose(struct iso_state *st, const struct isolate_policy *p, char *id, size_t size,
                  struct isolate_error *e)
{
    size_t n;
    char **ids;
    int fd = -1;

    if (p->run) {
        snprintf(id, size, "%s", p->run);
        fd = open_run(st, id);
        if (fd < 0) iso_err(e, 0, "no run %s (isolate --runs lists the runs)", p->run);
        return fd;
    }
    ids = run_ids(st, &n);
    for (size_t k = n; k-- > 0 && fd < 0;) {
        fd = open_run(st, ids[k]);
        if (fd >= 0 && p->review == ISOLATE_REVIEW_ROLLBACK && !has_journal(fd)) {
            close(fd);
            fd = -1;
            continue;
        }
        snprintf(id, size, "%s", ids[k]);
    }
    iso_free_list(ids);
    if (fd < 0)
        iso_err(e, 0,
                p->review == ISOLATE_REVIEW_ROLLBACK ? "no interrupted commit to roll back"
                                                     : "no runs kept");
    return fd;
}

static int act(struct iso_state *st, const struct isolate_policy *p, FILE *out,
               struct isolate_error *e)
{
    char id[24];
    struct iso_run r;
    int fd = choose(st, p, id, sizeof id, e), rc = -1;

    if (fd < 0) return -1;
    if (iso_run_read(fd, id, &r, e) < 0) {
        close(fd);
        return -1;
    }
    if (p->review != ISOLATE_REVIEW_DIFF && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        iso_err(e, 0,
                "run %s is in use: its sandbox is still running, or another isolate is "
                "committing it",
                id);
    } else if (p->review == ISOLATE_REVIEW_DIFF) {
        rc = iso_diff_run(fd, &r, out, e);
        if (rc == 0 && has_journal(fd))
            iso_say("note: a commit of run %s was interrupted: 'isolate --commit %s' finishes it, "
                    "'isolate --rollback %s' undoes it",
                    id, id, id);
    } else if (p->review == ISOLATE_REVIEW_COMMIT) {
        rc = iso_commit_run(st, fd, &r, p->force, e);
    } else if (p->review == ISOLATE_REVIEW_ROLLBACK) {
        rc = iso_rollback_run(st, fd, &r, e);
    } else if (has_journal(fd)) {
        iso_err(e, 0,
                "run %s has an interrupted commit: 'isolate --commit %s' finishes it, "
                "'isolate --rollback %s' undoes it; then discard it",
                id, id, id);
    } else if (iso_tree_remove(st->runs, id, e) < 0) {
        iso_err_hint(e, "the run was not discarded");
    } else {
        iso_say("run %s discarded", id);
        rc = 0;
    }
    iso_run_free(&r);
    close(fd);
    return rc;
}

ISO_PUBLIC int isolate_review(const struct isolate_policy *p, const struct isolate_caller *c,
                              FILE *out)
{
    struct isolate_error e;
    struct iso_state st;
    int rc = iso_state_open(&st, c->environ, 0, &e);

    if (rc > 0) {
        if (p->review == ISOLATE_REVIEW_RUNS) {
            fprintf(out, "no runs kept (in %s)\n", st.path);
            fflush(out);
            return 0;
        }
        iso_err(&e, 0, p->run ? "no run %s (isolate --runs lists the runs)" : "no runs kept%s",
                p->run ? p->run : "");
        rc = -1;
    }
    if (rc == 0) {
        iso_run_sweep(&st);
        rc = p->review == ISOLATE_REVIEW_RUNS ? list_runs(&st, out) : act(&st, p, out, &e);
        iso_state_close(&st);
    }
    fflush(out);
    if (rc < 0) {
        isolate_perror(&e);
        return ISOLATE_EXIT_FAILURE;
    }
    return 0;
}
