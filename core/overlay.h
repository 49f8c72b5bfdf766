/*
 * overlay.h - declarations shared by the review-then-commit files:
 *   overlay.c  the plan and the mounts of --overlay and --home (caller, setup child)
 *   state.c    the state directory, escaping, removal of a tree (caller, supervisor)
 *   runstore.c the runs and their metadata (caller, supervisor)
 *   upper.c    reading an upper layer against the host (caller, supervisor)
 *   summary.c  the summary printed when a run ends (supervisor)
 *   diff.c     isolate --diff
 *   commit.c   isolate --commit and --rollback, with their journal
 *   runs.c     isolate --runs, --discard, and choosing a run
 * Included by internal.h.
 */
#ifndef ISOLATE_OVERLAY_H
#define ISOLATE_OVERLAY_H

#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ISO_OV_MAX 8 /* overlay layers per run (--overlay paths and the home) */

/* Kinds of the home (--home). */
enum iso_home_mode { ISO_HOME_EMPTY = 0, ISO_HOME_OVERLAY, ISO_HOME_PATH };

struct iso_ov_layer {
    char *host;  /* canonical host path: the lower layer, and where it is mounted */
    int is_home; /* the home (--home=overlay) */
    int host_fd; /* caller: O_PATH descriptor of host, or -1 */
    dev_t dev;   /* of host, checked again by the setup child and by --commit */
    ino_t ino;
    unsigned mode; /* of host: the upper layer's root gets it (it is the merged root's) */
};

/* The overlay part of the plan. */
struct iso_ov {
    size_t n;
    struct iso_ov_layer l[ISO_OV_MAX];
    enum iso_home_mode home;
    char *home_src; /* --home=PATH, canonical */
    dev_t home_dev; /* of home_src */
    ino_t home_ino;
    int runs_fd;    /* caller: the state directory's runs/ */
    int run_fd;     /* caller: the run's directory, locked (flock) while the run lives */
    char *run_path; /* its canonical path, for the setup child to find it again */
    dev_t run_dev;
    ino_t run_ino;
    char run_id[24];
};

/* Descriptors of the supervisor: the run's directory, then each layer's host
 * directory, from ISO_FD_RUN(plan). */
#define ISO_FD_RUN(plan) ((plan)->fd_base + 13)

/* ---- state.c, runstore.c: the state directory ($XDG_STATE_HOME/isolate), its runs ---- */

struct iso_state {
    int root;        /* .../isolate */
    int runs;        /* .../isolate/runs */
    char path[4096]; /* for messages */
};

/* What a run's "meta" file holds. */
struct iso_run {
    char id[24];
    long long start_ns; /* wall clock when the run was created */
    char *cwd;
    char *command;
    size_t n;
    struct {
        char *host;
        int is_home;
        dev_t dev;
        ino_t ino;
    } l[ISO_OV_MAX];
};

/* Below dirfd, never through a symlink, never across a mount point. */
#define ISO_RESOLVE_SAFE (RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)
int iso_chmod_at(int dirfd, const char *name, unsigned mode);
int iso_state_open(struct iso_state *st, char *const *env, int create, struct isolate_error *e);
void iso_state_close(struct iso_state *st);
int iso_run_create(struct iso_state *st, const struct iso_ov *ov, const char *cwd,
                   const char *command, int *run_fd, char *id, size_t idlen,
                   struct isolate_error *e);
int iso_run_read(int run_fd, const char *id, struct iso_run *r, struct isolate_error *e);
void iso_run_free(struct iso_run *r);
void iso_esc(const char *in, char *out, size_t size);
int iso_unesc(char *s);
void iso_quote(const char *in, char *out, size_t size); /* for a terminal: no control bytes */
int iso_run_sweep(struct iso_state *st);
int iso_run_is_id(const char *s);

/* ---- upper.c: an upper layer and its host counterpart ---- */

enum iso_up_kind { ISO_UP_WHITEOUT, ISO_UP_DIR, ISO_UP_REG, ISO_UP_LNK, ISO_UP_FIFO, ISO_UP_OTHER };

struct iso_up {
    const char *rel;  /* path from the layer's root */
    const char *name; /* last component */
    int udir, hdir;   /* parent directories: upper, host (-1: not on the host as a directory) */
    struct stat us;   /* the upper entry */
    enum iso_up_kind kind;
    int opaque, origin, redirect; /* overlayfs' user.overlay.* marks */
    int host;                     /* the host has an entry of this name; hs describes it */
    int host_xdev;                /* ... and it is a mount point (never committed into) */
    struct stat hs;
    int post; /* directories: called again after their contents */
};

/* Returns < 0 to stop, 0 to go on, 1 (before a directory) not to enter it. */
typedef int (*iso_up_fn)(void *ctx, const struct iso_up *e);
int iso_up_walk(int upper, int host, iso_up_fn fn, void *ctx, struct isolate_error *e);
/* Host subtree (a directory fd): calls fn for every entry, pre-order. */
typedef int (*iso_host_fn)(void *ctx, const char *rel, const struct stat *st, int dir,
                           const char *name);
int iso_host_walk(int dirfd, const char *rel, iso_host_fn fn, void *ctx, int depth);
int iso_host_each(const struct iso_up *e, iso_host_fn fn, void *ctx);
char **iso_list_dir(int dirfd, size_t *count);
void iso_free_list(char **v);
int iso_up_open_file(int dirfd, const char *name);
int iso_up_same_content(int a_dir, const char *a, int b_dir, const char *b, off_t size);
int iso_up_open_layer(int run_fd, size_t i, const char *what);

struct iso_up_count {
    unsigned long long added, modified, deleted;
    unsigned long long added_b, modified_b, deleted_b;
};
int iso_up_count(int upper, int host, struct iso_up_count *c, struct isolate_error *e);
int iso_up_format(const struct iso_up_count *c, char *buf, size_t size);

/* ---- summary.c (supervisor) ---- */
struct iso_init_opts;
void iso_overlay_summary(const struct iso_init_opts *o);
unsigned long long iso_overlay_used(const struct iso_init_opts *o, unsigned long long other);

/* ---- overlay.c ---- */
struct iso_plan;
struct iso_mount;
void iso_overlay_init(struct iso_plan *plan);
int iso_overlay_plan(struct iso_plan *plan, const struct isolate_policy *p,
                     const struct isolate_caller *c, struct isolate_error *err);
int iso_overlay_prepare_run(struct iso_plan *plan, const struct isolate_policy *p,
                            const struct isolate_caller *c, struct isolate_error *err);
int iso_overlay_push_args(const struct iso_plan *plan, char **v, size_t *n);
int iso_overlay_create(struct iso_plan *plan, const struct iso_mount *m, struct isolate_error *e);
void iso_overlay_discard(struct iso_plan *plan);
void iso_overlay_free(struct iso_plan *plan);
void iso_overlay_describe(const struct iso_plan *plan, FILE *out);
void iso_overlay_fd_sources(const struct iso_plan *plan, int *src);
int iso_overlay_bind_source(const struct iso_plan *plan, const struct iso_mount *m,
                            struct isolate_error *e);
int iso_state_path(char *const *env, char *out, size_t size);
extern const char *const iso_home_secrets[];

/* ---- commit.c, journal.c ---- */
enum { ISO_OP_PUT = 'P', ISO_OP_DEL = 'D', ISO_OP_MKDIR = 'M', ISO_OP_CHMOD = 'C' };
struct iso_op {
    char type;
    unsigned char layer;
    char had_old;     /* PUT: something is there to be replaced */
    unsigned oldmode; /* CHMOD */
    unsigned newmode; /* CHMOD, MKDIR */
    char *rel;        /* path from the layer's root ("" for the root) */
};
struct iso_ops {
    struct iso_op *v;
    size_t n, cap;
};
void iso_bk_name(const struct iso_run *r, char *buf, size_t size);
int iso_journal_apply(int run_fd, const struct iso_run *r, struct iso_ops *ops,
                      struct isolate_error *e);
int iso_journal_rollback(int run_fd, const struct iso_run *r, struct iso_ops *ops,
                         struct isolate_error *e);

/* ---- diff.c, commit.c, runs.c ---- */
int iso_diff_run(int run_fd, const struct iso_run *r, FILE *out, struct isolate_error *e);
int iso_diff_text(const char *a, size_t alen, const char *b, size_t blen, FILE *out, int tty);
int iso_commit_run(struct iso_state *st, int run_fd, const struct iso_run *r, int force,
                   struct isolate_error *e);
int iso_rollback_run(struct iso_state *st, int run_fd, const struct iso_run *r,
                     struct isolate_error *e);
int iso_host_root(const struct iso_run *r, size_t i, struct isolate_error *e);

#endif
