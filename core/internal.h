/*
 * internal.h - declarations shared by the files of libisolate and isolate-init.
 *
 * The core is built with -fvisibility=hidden and every internal name carries the
 * iso_ prefix: it is loaded into bash, which exports thousands of symbols.
 */
#ifndef ISOLATE_INTERNAL_H
#define ISOLATE_INTERNAL_H

#include "isolate.h"
#include "overlay.h"
#include "seccomp_rules.h"

#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ISO_PUBLIC __attribute__((visibility("default")))

/* Kind of one file-system step of the plan. */
enum iso_mount_kind {
    ISO_M_TMPFS,   /* fresh private tmpfs (home, /tmp, /run ...) */
    ISO_M_BIND,    /* host path bound at the same place */
    ISO_M_HIDE,    /* empty read-only tmpfs over a directory, /dev/null over a file */
    ISO_M_LINK,    /* a symlink the user named, recreated in a private area */
    ISO_M_OVERLAY, /* overlayfs over the host path; writes kept in a run (overlay.c) */
};

struct iso_mount {
    enum iso_mount_kind kind;
    char *path;        /* absolute canonical path; target (and source for binds) */
    char *link_to;     /* ISO_M_LINK: where the symlink at path points */
    const char *label; /* why: "private home", "current directory", "--write" */
    int writable;      /* binds: writable; tmpfs: always writable */
    int is_dir;        /* source is a directory (binds, hides) */
    int under_private; /* target lies inside a private tmpfs: mountpoint must be made */
    unsigned mode;     /* tmpfs root mode */
    int clone_fd;      /* child side: detached copy of the source taken before covering */
    int pin;           /* O_PATH descriptor of the host object at path, or -1 (hostpath.c) */
    size_t order;      /* position in the plan before sorting by depth */
    char *src;         /* binds: the host path when it is not path (shared sockets) */
    int pinned;        /* a box's home: bound from the child's working directory (box.c) */
    int persistent;    /* written by earlier sandboxes: no link in it is ever followed */
    int in_box;        /* its mountpoint lies in the persistent mount (plan->box_mount) */
    int at_fd;         /* child side: that mountpoint (O_PATH), made without following links */
    int layer;         /* ISO_M_OVERLAY: index in plan->ov.l */
    char *source;      /* binds: host path bound at path, when not path itself (--home=PATH) */
};

/* Limits as the plan resolves them (limits.c). */
enum {
    ISO_LIMIT_TIME = 1 << 0,
    ISO_LIMIT_WALL = 1 << 1,
    ISO_LIMIT_MEM = 1 << 2,
    ISO_LIMIT_PIDS = 1 << 3,
    ISO_LIMIT_FSIZE = 1 << 4,
    ISO_LIMIT_NOFILE = 1 << 5,
    ISO_LIMIT_TMP = 1 << 6,
};
struct iso_limits_plan {
    struct isolate_limits v; /* effective values, defaults included (0: none) */
    unsigned deflt;          /* which of them are protective defaults */
    unsigned by_cgroup;      /* which a delegated cgroup enforces */
};

/* The network mode as the plan resolves it (netmode.c), and what the setup
 * child leaves for the supervisor and PID 1 (nethelper.c). */
struct iso_netplan {
    enum isolate_net mode; /* NONE, HOST, or the NAT helper chosen: PASTA or SLIRP4NETNS */
    char *helper;          /* NAT: absolute path of pasta or slirp4netns */
    char **argv;           /* NAT: its command line */
    const char *fwd;       /* NAT: the DNS forwarder's address inside, when one is used */
    char host_dns[64];     /* the host's first nameserver, or "" */
    char *resolv;          /* resolv.conf the sandbox sees, when the host's cannot serve */
    char *resolv_at;       /* where it goes: the host file /etc/resolv.conf resolves to */
    int resolv_private;    /* that path lies in a private directory: written there */
    /* Filled by the setup child: */
    int netns_fd; /* the sandbox's network namespace, until joined */
    int ready_fd; /* read end of the helper's readiness pipe, or -1 */
    int log_fd;   /* a memfd holding the helper's messages, or -1 */
    int pid_fd;   /* a pidfd of the helper, or -1 */
    pid_t pid;
    volatile int exec_errno;
    const char *volatile failed_step; /* what the launcher could not do */
};

/*
 * Everything the sandbox-building children need, computed in the parent so
 * that they (which share the shell's memory) only make system calls: no
 * allocation, no stdio, no locale.
 */
struct iso_plan {
    uid_t uid;
    gid_t gid;
    char *home;           /* the caller's $HOME, canonical, or NULL if unusable */
    char *cwd_host;       /* the caller's current directory */
    char *cwd_inside;     /* where the command starts */
    const char *cwd_note; /* why the current directory is not exposed, or NULL */
    struct iso_mount *mounts;
    size_t nmounts;
    int helper_fd;      /* O_PATH descriptor of isolate-init */
    char **helper_argv; /* isolate-init --supervise ... -- COMMAND ... */
    char **envp;        /* the command's environment */
    const int *keep_fds;
    size_t nkeep_fds;
    int fd_base; /* first descriptor number above every --keep-fd */
    int tty_src; /* parent's descriptor of the controlling terminal, or -1 */
    int fg;      /* caller owns the terminal: hand it to the sandbox */
    int new_pgrp;
    sigset_t keep_ignored;
    int verbose;
    int quiet;
    struct iso_limits_plan limits;
    int cg_dir, cg_root; /* the sandbox's cgroup, or -1 (cgroup.c) */
    char cg_name[64];
    int report_fd;            /* --report, opened by the caller, or -1 */
    int meta_fd;              /* --meta, likewise */
    pid_t parent_pid;         /* the supervisor dies with this process */
    struct iso_ov ov;         /* --overlay and --home (overlay.c) */
    int userns_refused;       /* set by the setup child: the kernel refused the namespace */
    struct isolate_error err; /* filled by the setup child when setup fails */
    int pin_fd;               /* a box's home (O_PATH): the child's working directory when it
                               * creates its mount namespace (box.c), or -1 */
    int box_fd;               /* the box's directory, holding its lock, for the supervisor, or -1 */
    int box_root_fd;         /* the boxes directory, when the supervisor commits a new box, or -1 */
    size_t box_mount;        /* index of the persistent mount, once sorted */
    struct iso_box *box;     /* box.c */
    struct iso_share *share; /* desktop.c */
    const char *hostname;    /* the sandbox's host name, or NULL for ISO_HOSTNAME */
    char **more_env;         /* NAME=VALUE for the command, set by box.c and desktop.c */
    size_t nmore_env;
    struct iso_netplan net; /* --net (netmode.c, nethelper.c) */
    int ns_pidfd;           /* the namespace helper (nsahead.c), holding the sandbox's
                             * user, IPC and network namespaces */
    int ns_sock;            /* its reports, for PID 1 */
    int ns_mntns;           /* it made the mount namespace too */
    pid_t ns_pid;           /* the namespace helper, when the supervisor will be its parent */
};

/* Descriptor numbers after exec: above every --keep-fd. */
#define ISO_FD_EVENTS(plan) ((plan)->fd_base)       /* event pipe, PID 1's end */
#define ISO_FD_CTTY(plan) ((plan)->fd_base + 1)     /* terminal, supervisor only */
#define ISO_FD_REPORT(plan) ((plan)->fd_base + 2)   /* --report, supervisor only */
#define ISO_FD_META(plan) ((plan)->fd_base + 3)     /* --meta, supervisor only */
#define ISO_FD_CGROUP(plan) ((plan)->fd_base + 4)   /* the sandbox's cgroup, supervisor */
#define ISO_FD_CGROOT(plan) ((plan)->fd_base + 5)   /* the directory holding it */
#define ISO_FD_BOX(plan) ((plan)->fd_base + 6)      /* a box's directory, its lock: supervisor */
#define ISO_FD_BOXROOT(plan) ((plan)->fd_base + 7)  /* the boxes directory: supervisor */
#define ISO_FD_NETREADY(plan) ((plan)->fd_base + 8) /* NAT helper's readiness, PID 1 */
#define ISO_FD_NETLOG(plan) ((plan)->fd_base + 9)   /* NAT helper's messages, PID 1 */
#define ISO_FD_NETPID(plan) ((plan)->fd_base + 10)  /* NAT helper's pidfd, supervisor */
#define ISO_FD_NS(plan) ((plan)->fd_base + 11)      /* the namespace helper's reports, PID 1 */
#define ISO_FD_NSPID(plan) ((plan)->fd_base + 12)   /* the namespace helper's pidfd, PID 1 */
/* fd_base + 13: the run's directory, then the overlays' host directories (overlay.h) */
#define ISO_FD_COUNT (14 + ISO_OV_MAX) /* numbers reserved from fd_base */

/* error.c */
void iso_err(struct isolate_error *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void iso_err_hint(struct isolate_error *e, const char *hint);
const char *iso_strerror(int errnum);
const char *iso_signame(int sig);
void iso_log(int verbose, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void iso_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* policy.c */
int iso_plan_build(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, struct isolate_error *err);
/* plan->helper_fd already open (iso_find_helper(), run.c) */
int iso_plan_prepare_run(struct iso_plan *plan, const struct isolate_policy *p,
                         const struct isolate_caller *c, struct isolate_error *err);
void iso_plan_free(struct iso_plan *plan);
int iso_plan_add_mount(struct iso_plan *plan, enum iso_mount_kind kind, const char *path,
                       const char *label, int writable, int is_dir, unsigned mode);
int iso_plan_setenv(struct iso_plan *plan, const char *name, const char *value);
int iso_argv_push(char **v, size_t *n, const char *s);
int iso_plan_describe(const struct iso_plan *plan, const struct isolate_policy *p,
                      const struct isolate_caller *c, FILE *out);

/* env.c */
char **iso_env_build(char *const *caller_env, const char *home, const char *const *extra,
                     size_t nextra, struct isolate_error *err);
int iso_env_allowed(const char *name);
const char *iso_env_get(char *const *env, const char *name);
int iso_env_name_valid(const char *s, size_t len);
void iso_strv_free(char **v);

/* child.c: the setup sequence, in the new namespaces, before exec of the helper */
int iso_child_setup(struct iso_plan *plan);
/* The setup child's user namespace; the child itself creates its mount namespace
 * (child.c: so that a box's home is carried into it by descriptor) and PID 1
 * adds the others (see pid1.c). */
#define ISO_CLONE_FLAGS CLONE_NEWUSER

/* resolve.c: lookups that never follow a symbolic link. openat2(2) with the
 * RESOLVE_* flags given (O_CLOEXEC always); -1 and errno on failure. */
int iso_openat2(int dirfd, const char *path, int flags, unsigned mode, unsigned long long resolve);
#define ISO_RESOLVE_NOLINKS (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define ISO_RESOLVE_BENEATH (ISO_RESOLVE_NOLINKS | RESOLVE_BENEATH)
int iso_mountpoint_beneath(int root, const char *rel, const char *full, int is_dir,
                           struct isolate_error *e);

/* tree.c: a box's files, walked by descriptor (parent and supervisor) */
/* Removes dirfd/name and all below it; e may be NULL. */
int iso_tree_remove(int dirfd, const char *name, struct isolate_error *e);
unsigned long long iso_tree_size(int dirfd, const char *name);

/* boxname.c */
#define ISO_BOX_NAME_MAX 48
const char *iso_box_name_problem(const char *name);
void iso_box_name_shown(const char *name, char *out, size_t size);

/* boxdir.c (caller's process): the directory of boxes */
int iso_box_err(struct isolate_error *e, const char *name, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int iso_boxes_locate(char *const *env, char *out, size_t size, char *dh, size_t dhsize,
                     struct isolate_error *e);
int iso_boxes_open(const char *dh, const char *root, int create, int *fd, struct isolate_error *e);
int iso_boxes_lock(int fd, const char *root, struct isolate_error *e);
int iso_box_open(int root, const char *rootpath, const char *name, int *dir, int *home,
                 struct isolate_error *e);

/* box.c (caller's process) */
int iso_box_plan(struct iso_plan *plan, const struct isolate_policy *p,
                 const struct isolate_caller *c, struct isolate_error *err);
int iso_box_prepare(struct iso_plan *plan, const struct isolate_policy *p,
                    struct isolate_error *err);
int iso_box_helper_args(const struct iso_plan *plan, const struct isolate_policy *p,
                        const struct isolate_caller *c, char **v, size_t *n);
void iso_box_notes(const struct iso_plan *plan);
void iso_box_abort(struct iso_plan *plan);
void iso_box_free(struct iso_plan *plan);
void iso_box_describe(const struct iso_plan *plan, FILE *out);

/* desktop.c: --x11, --wayland, --audio, --gpu */
int iso_share_plan(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, struct isolate_error *err);
void iso_share_warn(const struct iso_plan *plan);
void iso_share_describe(const struct iso_plan *plan, FILE *out);
int iso_share_setup(const struct iso_plan *plan, struct isolate_error *e);
void iso_share_free(struct iso_plan *plan);

/* userns.c */
void iso_userns_hint(struct isolate_error *e, int errnum);
/* What may refuse user namespaces here (-1: not present, unreadable). */
struct iso_userns_facts {
    int unpriv_clone; /* kernel.unprivileged_userns_clone (Debian kernels) */
    long max_userns;  /* user.max_user_namespaces, of this user namespace */
    int apparmor;     /* kernel.apparmor_restrict_unprivileged_userns (Ubuntu) */
    int seccomp;      /* Seccomp: of /proc/self/status (2: a filter, e.g. a container's) */
};
void iso_userns_facts(struct iso_userns_facts *f);
void iso_userns_diagnose(struct isolate_error *e, int errnum, const struct iso_userns_facts *f);
int iso_userns_refused(int errnum);

/* The sandbox's host name (its own UTS namespace, set by PID 1): it keeps
 * the real one out of prompts, logs and fingerprints made inside, and tells
 * the user at a glance that a shell is sandboxed. */
#define ISO_HOSTNAME "isolate"

/* net.c */
int iso_net_loopback_up(void);

/* netmode.c: --net, resolved in the caller */
int iso_net_mode_parse(const char *value);
const char *iso_net_mode_name(int mode);
int iso_net_is_nat(int mode);
int iso_netmode_plan(struct iso_plan *plan, const struct isolate_policy *p,
                     const struct isolate_caller *c, struct isolate_error *err);
int iso_netmode_args(const struct iso_plan *plan, char **v, size_t *n);
void iso_netmode_free(struct iso_plan *plan);
void iso_netmode_notes(const struct iso_plan *plan);
void iso_netmode_describe(const struct iso_plan *plan, FILE *out);
int iso_resolv_for_sandbox(const char *host, const char *fwd, char *out, size_t size, char *first,
                           size_t first_size);
#define ISO_NET_READY_TIMEOUT_MS 10000

/* nethelper.c: the NAT helper's life */
int iso_net_start(struct iso_plan *plan, struct isolate_error *e); /* setup child */
int iso_net_resolv(const struct iso_plan *plan, int tmpfs, struct isolate_error *e);
struct iso_init_opts;
int iso_net_pid1(const struct iso_init_opts *o, struct isolate_error *e); /* PID 1 */
int iso_net_wait(const struct iso_init_opts *o, struct isolate_error *e); /* PID 1 */
void iso_net_stop(const struct iso_init_opts *o);                         /* supervisor */

/*
 * A system call that returns -errno and never touches errno. PID 1 shares
 * the supervisor's memory and thread pointer, so its errno: once both run,
 * PID 1 makes only raw calls (see pid1.c).
 */
static inline long iso_raw_syscall5(long n, long a, long b, long c, long d, long e)
{
#if defined(__x86_64__)
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
    return x0;
#else
#error "iso_raw_syscall: add this architecture's system call sequence"
#endif
}
#define iso_raw_syscall(n, a, b, c) iso_raw_syscall5(n, a, b, c, 0, 0)

/* hostpath.c: host paths resolved symlink-safely (caller), re-checked (child) */
#define ISO_RESOLVE_FOLLOW 1u /* follow symlinks that the caller or root owns */
struct iso_resolved {
    int fd;       /* O_PATH, close-on-exec: pins the object; -1 on failure */
    int via_link; /* a symlink was followed on the way */
    struct stat st;
    char path[PATH_MAX]; /* canonical: absolute, no symlink, no . or .. */
};
int iso_resolve(const char *cwd, const char *arg, unsigned flags, struct iso_resolved *r,
                const char *what, struct isolate_error *e);
int iso_reopen(const char *path, int pin, struct isolate_error *e);
int iso_attach_at(int mnt, const char *path, int pin, struct isolate_error *e);
int iso_open_output(const char *path, const char *what, struct isolate_error *e);

/* fallback.c: the isolate program, when the shell is refused a user namespace */
int iso_fallback_worth(int errnum);
pid_t iso_fallback_spawn(const struct isolate_policy *p, const struct isolate_caller *c, int said,
                         const struct isolate_error *why, struct isolate_error *err);

/* mounts.c */
int iso_mounts_setup(struct iso_plan *plan, struct isolate_error *e);
extern const char *const iso_private_dirs[];
extern const char *const iso_dev_nodes[];

/* The end of a run (report.c, supervise.c). */
struct iso_result {
    const char *status; /* OK RE SG TO ML PL OL XX */
    int exited, exit_code, signaled, signal;
    double cpu_s, wall_s;
    long max_rss_kib, max_pids, csw_voluntary, csw_forced;
    const char *killed_by; /* a limit's name, or NULL */
    char message[512];
    struct isolate_limits limits;
    unsigned by_cgroup;
    long long cg_mem_kib; /* the cgroup's peak memory, or -1 */
    int cgroup;           /* the sandbox had a cgroup of its own */
};
void iso_report_json(int fd, const struct iso_result *r);
void iso_report_meta(int fd, const struct iso_result *r);
void iso_report_failure(int json_fd, int meta_fd, const struct isolate_limits *l,
                        const struct isolate_error *err);
const char *iso_limit_name(unsigned bit);
unsigned iso_limits_set(const struct isolate_limits *l);

/* watchdog.c (supervisor) */
struct iso_usage {
    double cpu_s;
    unsigned long long mem_bytes, tmp_used;
    long tasks;
};
int iso_usage_sample(struct iso_usage *u, const char *tmp_path);
long iso_count_processes(void);
unsigned long long iso_tmp_used(const char *tmp_path);

/* verdict.c (supervisor) */
struct iso_init_opts;
struct rusage;
void iso_conclude(struct iso_result *r, const struct iso_init_opts *o, const int *cmd,
                  int init_status, const struct rusage *ru, double wall, unsigned killed_by,
                  long max_tasks, unsigned long long max_mem, double max_cpu);
void iso_conclude_cgroup(struct iso_result *r, const struct iso_init_opts *o);
int iso_result_status(const struct iso_result *r);

/* limits.c */
void iso_limits_defaults(struct iso_limits_plan *l, const struct isolate_limits *asked);
int iso_limits_apply(const struct iso_limits_plan *l, struct isolate_error *e);
void iso_limits_describe(const struct iso_limits_plan *l, FILE *out);
int iso_format_size(char *buf, size_t len, unsigned long long bytes);

/* cgroup.c */
int iso_cgroup_mount(char *out, size_t size);
int iso_cgroup_root(char *out, size_t size);
int iso_cgroup_offers(const char *root, const char *controller);
void iso_cgroup_prepare(struct iso_plan *plan);
void iso_cgroup_discard(struct iso_plan *plan);
long long iso_cgroup_stat(int dir, const char *file, const char *key);
int iso_cgroup_kill(int dir);
int iso_cgroup_watch(int dir, const char *file);
long long iso_cgroup_value(int fd, const char *key);
void iso_cgroup_remove(int root, const char *name);

/* nsahead.c: the user, IPC and network namespaces, made by a helper while
 * the caller plans and the setup child builds the file system */
struct iso_nsahead_args {
    int net;          /* the default network: a network namespace, loopback up */
    int unshare_user; /* the isolate program: unshare, not clone (see nsahead.c) */
    int mntns;        /* a mount namespace for the setup child to join */
    char uid_map[32], gid_map[32];
};
struct iso_nsahead {
    pid_t pid; /* the helper, the caller's child */
    int mntns; /* it made the mount namespace */
    int sock;  /* the caller's end of its socket: its reports, for PID 1 */
    int pidfd; /* the helper: its user namespace for the setup child, the rest for PID 1 */
};
int iso_nsahead_start(struct iso_nsahead *ns, const struct iso_nsahead_args *a,
                      struct isolate_error *e);
long iso_userns_map_raw(const char *uid_map, const char *gid_map); /* the helper */
int iso_nsahead_user(int sock, struct isolate_error *e); /* caller: the user namespace is made */
void iso_nsahead_released(void);                /* caller: waits until the helper is gone */
void iso_nsahead_close(struct iso_nsahead *ns); /* caller: after a failure */
int iso_nsahead_join(int sock, int pidfd, int net, struct isolate_error *e); /* PID 1 */
int iso_nsahead_loopback(int sock, struct isolate_error *e); /* PID 1, before the command */
int iso_find_helper(struct isolate_error *err);              /* policy.c: isolate-init, O_PATH */

/* fds.c */
int iso_fds_prepare(const struct iso_plan *plan, struct isolate_error *e);

/* caps.c */
int iso_caps_drop_bounding(struct isolate_error *e);
int iso_caps_drop_all(struct isolate_error *e); /* after iso_caps_drop_bounding() */
int iso_caps_drop_held(struct isolate_error *e);

/* signals.c */
void iso_signals_reset(const sigset_t *keep_ignored);

/* seccomp.c (the program is generated at build time) */
int iso_seccomp_load(int verbose, struct isolate_error *e);

/* taskcount.c (PID 1): the process limit's count */
long iso_count_tasks(int proc, int threads);

/* tty.c */
int iso_tty_give(int fd, pid_t pgrp);
int iso_tty_owner(int fd);

/* helper side (isolate-init) */
struct iso_init_opts {
    int verbose;
    int quiet;
    struct isolate_limits limits; /* supervisor: what the watchdog enforces */
    unsigned deflt;               /* which limits are protective defaults */
    const char *tmp_path;         /* a private directory of the shared tmpfs */
    int report_fd, meta_fd;       /* supervisor: --report, --meta, or -1 */
    int cg_dir, cg_root;          /* supervisor: the sandbox's cgroup, or -1 */
    const char *cg_name;
    unsigned by_cgroup;    /* which limits the cgroup enforces */
    int fd_base;           /* where PID 1 keeps its end of the event pipe */
    int ctty;              /* controlling terminal descriptor, or -1 */
    int fg;                /* the sandbox's process group holds the terminal */
    pid_t parent;          /* supervisor: die when this process dies */
    const char *cwd;       /* PID 1: where the command starts */
    sigset_t keep_ignored; /* PID 1: ignored signals the command inherits */
    char **argv;           /* PID 1: the command */
    const char *hostname;  /* PID 1: the sandbox's host name */
    char *setup_argv[4];   /* PID 1: a box's --setup, run before the command, or {NULL} */
    const char *box_name;  /* supervisor: the box of this run, or NULL */
    const char *box_stage; /* supervisor: the new box's entry, renamed to box_name once
                            * --setup succeeds, removed otherwise; or NULL */
    int box_root_fd;       /* supervisor: the boxes directory, with box_stage */
    int net;               /* enum isolate_net: NONE, HOST, PASTA or SLIRP4NETNS */
    int run_fd;            /* supervisor: the --overlay run's directory, or -1 */
    const char *run_id;
    pid_t ns_pid; /* supervisor: the namespace helper, its child (the isolate
                   * program's run), or 0 */
};
int iso_supervise(const struct iso_init_opts *o) __attribute__((noreturn));
/* boxsetup.c (supervisor): the end of a new box's --setup */
int iso_box_commit(const struct iso_init_opts *o, struct isolate_error *e);
void iso_box_discard(const struct iso_init_opts *o);
/* pid1.c, init.c */
pid_t iso_pid1_start(const struct iso_init_opts *o, int *events, struct isolate_error *e);
extern struct isolate_error iso_pid1_error;
void iso_init_main(const struct iso_init_opts *o, int evfd) __attribute__((noreturn));

/* Events PID 1 sends to the supervisor. */
struct iso_event {
    int type;    /* ISO_EV_* */
    int wstatus; /* of the command */
    int sig;     /* stop signal; LIMIT: the limit (ISO_LIMIT_*) */
    long tasks;  /* LIMIT, EXITED: the most tasks PID 1 counted */
};
enum {
    ISO_EV_STOPPED = 1,
    ISO_EV_EXITED = 2,
    ISO_EV_STARTED = 3,
    ISO_EV_LIMIT = 4,
    ISO_EV_SETUP = 5,
};
/* ISO_EV_SETUP: a box's --setup ended (wstatus) and everything it started is
 * gone; PID 1 waits for ISO_SIG_GO before it starts the command, and the
 * supervisor, blocked in a raw read until the command has started, leaves
 * libc to PID 1 meanwhile (see pid1.c on their shared memory). */
#define ISO_SIG_GO (SIGRTMIN + 3)

/* The supervisor asks PID 1 to end the sandbox: PID 1 kills and reaps every
 * process itself, so that their CPU time and memory are accounted for (the
 * kernel, killing a PID namespace whose init died, reaps them unaccounted). */
#define ISO_SIG_END (SIGRTMIN + 2)
/* If PID 1 has not done so by then, the supervisor kills it. */
#define ISO_END_GRACE_NS (200 * 1000 * 1000)

#endif
