/*
 * box.c - named sandboxes (--box NAME): a private home that persists between
 * runs, kept in $XDG_DATA_HOME/isolate/boxes/NAME (default
 * ~/.local/share/isolate/boxes/NAME); and --boxes, --rm-box.
 *
 * Runs in the caller's process, possibly the user's shell: the plan (what
 * --explain shows, every check, nothing created), then just before the clone
 * the box itself is opened, or made, and locked. A box is a directory of the
 * user's with two entries, both written by isolate only:
 *     home/   bound at $HOME, writable: the one thing that persists
 *     info    "created=SECONDS"
 * /tmp, /var/tmp, /run and /dev/shm stay fresh each run, as in the default
 * sandbox: programs expect them emptied at boot (stale locks and sockets there
 * break later runs), X11 and other rendezvous sockets live there, and what
 * lies there is where isolate creates mount points, which must never be
 * territory an earlier sandbox wrote. Everything else of the default sandbox
 * holds: read-only host, no secrets, no network unless asked, nothing left.
 *
 * The home is written by untrusted code, the box's directory by isolate only
 * (the sandbox never sees it: it is behind the box's home at $HOME, and hidden
 * when it lies elsewhere). Still, nothing in either is looked up by following
 * a link (resolve.c): a link where a box, its home or its info should be means
 * someone tampered with it, and the run stops with 125. The home reaches the
 * sandbox-building child as a descriptor, made its working directory before it
 * creates its mount namespace (child.c), so it is never looked up again.
 *
 * Locks (flock): every run holds a shared lock on its box's directory for as
 * long as its supervisor lives, so runs of one box may overlap (like two
 * logins of one user in one home) while --rm-box, which needs the exclusive
 * lock, refuses to remove a box in use. Making a box, opening one and removing
 * one happen under an exclusive lock of the boxes directory, held for moments.
 * A box whose --setup must run is made as ".NAME.new" and renamed to NAME by
 * the supervisor once the setup has succeeded (boxsetup.c): a failed, killed
 * or interrupted setup leaves no box.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* the same number on every architecture */
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

struct iso_box {
    const char *name;
    char dh[PATH_MAX];   /* the user's data directory */
    char root[PATH_MAX]; /* the boxes directory in it */
    int root_fd;         /* the boxes directory (O_RDONLY), or -1 */
    int dir_fd;          /* the box's directory, holding the shared lock, or -1 */
    int home_fd;         /* its home (O_PATH), or -1 */
    int exists;          /* when the plan was made */
    int staged;          /* made as stage; the supervisor commits it after --setup */
    int created_now;     /* made by this process (no --setup) */
    int setup_skipped;   /* --setup given, but the box exists */
    char stage[ISO_BOX_NAME_MAX + 8];
    char hostname[ISO_BOX_NAME_MAX + 16];
};

/* The private home of the plan, which a box's home replaces. */
static struct iso_mount *home_mount(struct iso_plan *plan)
{
    for (size_t i = 0; i < plan->nmounts; i++)
        if (plan->mounts[i].kind == ISO_M_TMPFS && !strcmp(plan->mounts[i].path, plan->home))
            return &plan->mounts[i];
    return NULL;
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* Boxes kept outside the home (XDG_DATA_HOME elsewhere) would be readable by
 * every sandbox, other boxes included: they are hidden. Inside the home, the
 * private home already covers them. */
static int hide_boxes(struct iso_plan *plan, const char *dh, int made_by_this_run)
{
    char canon[PATH_MAX + 16], real[PATH_MAX];

    /* A box run makes the directory before the sandbox exists. */
    if (realpath(dh, real))
        snprintf(canon, sizeof canon, "%s/isolate/boxes", real);
    else if (made_by_this_run)
        snprintf(canon, sizeof canon, "%s/isolate/boxes", dh);
    else
        return 0;
    if (!made_by_this_run && access(canon, F_OK) < 0) return 0;
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if ((m->kind == ISO_M_TMPFS || m->persistent) && under(canon, m->path)) return 0;
    }
    return iso_plan_add_mount(plan, ISO_M_HIDE, canon, "boxes", 0, 1, 0);
}

int iso_box_plan(struct iso_plan *plan, const struct isolate_policy *p,
                 const struct isolate_caller *c, struct isolate_error *err)
{
    char dh[PATH_MAX], root[PATH_MAX];
    struct iso_mount *m;
    struct iso_box *b;
    int rfd, dir, home, r;

    if (!p->box) {
        /* The default sandbox: only a boxes directory outside the home needs hiding. */
        const char *x = iso_env_get(c->environ, "XDG_DATA_HOME");
        if (!x || x[0] != '/' ||
            iso_boxes_locate(c->environ, root, sizeof root, dh, sizeof dh, err) < 0)
            return 0;
        return hide_boxes(plan, dh, 0) < 0 ? (iso_err(err, 0, "out of memory"), -1) : 0;
    }
    if (!plan->home || !(m = home_mount(plan))) {
        iso_err(err, 0,
                "--box %s: there is no home directory to put the box's home on (HOME is "
                "unset or /)",
                p->box);
        return -1;
    }
    if (!(b = calloc(1, sizeof *b))) return iso_err(err, 0, "out of memory"), -1;
    plan->box = b;
    b->name = p->box;
    b->root_fd = b->dir_fd = b->home_fd = -1;
    if (iso_boxes_locate(c->environ, b->root, sizeof b->root, b->dh, sizeof b->dh, err) < 0)
        return -1;
    /* Every check now, nothing made: the run opens the box again under the
     * lock (iso_box_prepare). */
    if (iso_boxes_open(b->dh, b->root, 0, &rfd, err) < 0) return -1;
    if (rfd >= 0) {
        r = iso_box_open(rfd, b->root, b->name, &dir, &home, err);
        close(rfd);
        if (r < 0) return -1;
        b->exists = r == 0;
        if (r == 0) {
            close(dir);
            close(home);
        }
    }
    m->kind = ISO_M_BIND;
    m->writable = 1;
    m->is_dir = 1;
    m->persistent = 1;
    m->pinned = 1;
    m->label = "the box's home, kept between runs";
    snprintf(b->hostname, sizeof b->hostname, "isolate-%s", b->name);
    plan->hostname = b->hostname;
    if (iso_plan_setenv(plan, "ISOLATE_BOX", b->name) < 0 || hide_boxes(plan, b->dh, 1) < 0) {
        iso_err(err, 0, "out of memory");
        return -1;
    }
    return 0;
}

/* A new box: made as .NAME.new, with its home and info, under the root lock. */
static int make_box(struct iso_box *b, int commit, struct isolate_error *e)
{
    char line[64];
    int fd, n;

    snprintf(b->stage, sizeof b->stage, ".%s.new", b->name);
    fd = iso_openat2(b->root_fd, b->stage, O_RDONLY | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);
    if (fd >= 0 || errno == ELOOP || errno == ENOTDIR) {
        /* Another run's --setup, or what a killed one left. */
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
            close(fd);
            return iso_box_err(e, b->name, 0, "%s",
                               "another isolate is making it (running its --setup); try again when "
                               "that is done");
        }
        if (fd >= 0) close(fd);
        if (iso_tree_remove(b->root_fd, b->stage, e) < 0) return -1;
    }
    if (mkdirat(b->root_fd, b->stage, 0700) < 0 ||
        (b->dir_fd = iso_openat2(b->root_fd, b->stage, O_RDONLY | O_DIRECTORY, 0,
                                 ISO_RESOLVE_BENEATH)) < 0 ||
        flock(b->dir_fd, LOCK_SH | LOCK_NB) < 0 || mkdirat(b->dir_fd, "home", 0700) < 0 ||
        (fd = iso_openat2(b->dir_fd, "info", O_WRONLY | O_CREAT | O_EXCL, 0600,
                          ISO_RESOLVE_BENEATH)) < 0)
        goto fail;
    n = snprintf(line, sizeof line, "created=%lld\n", (long long)time(NULL));
    if (write(fd, line, (size_t)n) != n) {
        close(fd);
        goto fail;
    }
    close(fd);
    if ((b->home_fd =
             iso_openat2(b->dir_fd, "home", O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH)) < 0)
        goto fail;
    if (!commit) {
        b->staged = 1;
        return 0;
    }
    if (syscall(SYS_renameat2, b->root_fd, b->stage, b->root_fd, b->name, RENAME_NOREPLACE) < 0)
        goto fail;
    b->created_now = 1;
    return 0;
fail:
    iso_box_err(e, b->name, errno, "cannot make it in %s", b->root);
    {
        struct isolate_error ignored;
        iso_tree_remove(b->root_fd, b->stage, &ignored);
    }
    return -1;
}

int iso_box_prepare(struct iso_plan *plan, const struct isolate_policy *p,
                    struct isolate_error *err)
{
    struct iso_box *b = plan->box;
    int r;

    if (!b) return 0;
    if (iso_boxes_open(b->dh, b->root, 1, &b->root_fd, err) < 0 ||
        iso_boxes_lock(b->root_fd, b->root, err) < 0)
        return -1;
    r = iso_box_open(b->root_fd, b->root, b->name, &b->dir_fd, &b->home_fd, err);
    if (r == 0) {
        if (flock(b->dir_fd, LOCK_SH | LOCK_NB) < 0) {
            iso_box_err(err, b->name, 0, "%s", "it is being removed");
            r = -1;
        } else {
            futimens(b->dir_fd, NULL); /* "last used", for --boxes */
            /* The home is the user's alone, whatever mode a sandbox left it in
             * (chmod 777 ~ inside would open it to other users of the host;
             * chmod 000 ~ would lock the next run out). Never a link's mode:
             * AT_SYMLINK_NOFOLLOW (and "home" was just opened without links). */
            syscall(SYS_fchmodat2, b->dir_fd, "home", 0700, AT_SYMLINK_NOFOLLOW);
            b->setup_skipped = p->setup != NULL;
        }
    } else if (r == 1) {
        r = make_box(b, !p->setup, err);
    }
    flock(b->root_fd, LOCK_UN);
    if (r < 0) return -1;
    plan->pin_fd = b->home_fd;
    plan->box_fd = b->dir_fd;
    plan->box_root_fd = b->staged ? b->root_fd : -1;
    return 0;
}

int iso_box_helper_args(const struct iso_plan *plan, const struct isolate_policy *p,
                        const struct isolate_caller *c, char **v, size_t *n)
{
    const struct iso_box *b = plan->box;
    char num[16];

    if (!b) return 0;
    if (iso_argv_push(v, n, "--hostname") || iso_argv_push(v, n, b->hostname) ||
        iso_argv_push(v, n, "--box-name") || iso_argv_push(v, n, b->name))
        return -1;
    if (!b->staged) return 0;
    snprintf(num, sizeof num, "%d", ISO_FD_BOXROOT(plan));
    return iso_argv_push(v, n, "--box-root-fd") || iso_argv_push(v, n, num) ||
                   iso_argv_push(v, n, "--box-stage") || iso_argv_push(v, n, b->stage) ||
                   iso_argv_push(v, n, "--setup") ||
                   iso_argv_push(v, n, c->shell && *c->shell ? c->shell : "/bin/sh") ||
                   iso_argv_push(v, n, p->setup)
               ? -1
               : 0;
}

void iso_box_notes(const struct iso_plan *plan)
{
    const struct iso_box *b = plan->box;

    if (!b || plan->quiet) return;
    if (b->created_now) iso_say("box '%s' made in %s/%s", b->name, b->root, b->name);
    if (b->staged)
        iso_say("box '%s': making it in %s/%s; its --setup runs first", b->name, b->root, b->name);
    if (b->setup_skipped)
        iso_say("note: box '%s' exists, and --setup runs only when a box is made "
                "(isolate --rm-box %s starts it again)",
                b->name, b->name);
}

/* The run could not start: a box made for it goes too (nothing ran in it). */
void iso_box_abort(struct iso_plan *plan)
{
    struct iso_box *b = plan->box;
    struct isolate_error e;

    if (!b || b->root_fd < 0 || !(b->staged || b->created_now)) return;
    if (iso_boxes_lock(b->root_fd, b->root, &e) < 0) return;
    if (b->staged)
        iso_tree_remove(b->root_fd, b->stage, &e);
    else if (flock(b->dir_fd, LOCK_EX | LOCK_NB) == 0) /* no other run found it meanwhile */
        iso_tree_remove(b->root_fd, b->name, &e);
    flock(b->root_fd, LOCK_UN);
    b->staged = b->created_now = 0;
}

void iso_box_free(struct iso_plan *plan)
{
    struct iso_box *b = plan->box;
    if (!b) return;
    if (b->root_fd >= 0) close(b->root_fd);
    if (b->dir_fd >= 0) close(b->dir_fd);
    if (b->home_fd >= 0) close(b->home_fd);
    free(b);
    plan->box = NULL;
}

void iso_box_describe(const struct iso_plan *plan, FILE *out)
{
    const struct iso_box *b = plan->box;
    if (!b) return;
    fprintf(out, "  box: '%s', kept in %s/%s (%s)\n", b->name, b->root, b->name,
            b->exists ? "exists" : "made on first use");
    fprintf(out, "    its home persists between runs; /tmp, /var/tmp, /run and /dev/shm are "
                 "fresh each run\n");
    fprintf(out, "    host name '%s'; ISOLATE_BOX=%s; runs of one box may overlap\n", b->hostname,
            b->name);
}
