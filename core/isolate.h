/*
 * isolate.h - the one public header of libisolate.
 *
 * Every front end (the bash builtin, the zsh module, the standalone CLI) does the
 * same four things with this header: parse argv into a policy, act on the mode
 * (help, version, explain, run), start the sandbox, and turn its end into a
 * status. Front ends never make sandbox syscalls or choose defaults themselves.
 *
 * Contract of every function that can fail: it returns -1 (or a negative pid)
 * and fills the caller's struct isolate_error; it never exits, never aborts and
 * never changes the calling process (which may be the user's interactive shell)
 * beyond what its documentation says.
 */
#ifndef ISOLATE_H
#define ISOLATE_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define ISOLATE_VERSION "0.1.0"

/* Exit statuses, as env(1), timeout(1) and chroot(1) use them. */
enum {
    ISOLATE_EXIT_TIMEOUT = 124,  /* killed by the wall-clock limit */
    ISOLATE_EXIT_FAILURE = 125,  /* isolate itself failed; message on stderr */
    ISOLATE_EXIT_NOEXEC = 126,   /* command found but not executable */
    ISOLATE_EXIT_NOTFOUND = 127, /* command not found */
};

/* An error, fixed-size so that it can be filled in a vfork-style child and read
 * by the parent, or written whole on a pipe. errnum is 0 when no errno applies. */
struct isolate_error {
    int errnum;
    char msg[512];
};

enum isolate_mode {
    ISOLATE_MODE_RUN = 0,
    ISOLATE_MODE_HELP,
    ISOLATE_MODE_VERSION,
    ISOLATE_MODE_EXPLAIN,
    ISOLATE_MODE_CHECK,  /* --check TEXT: classify a paste, run nothing */
    ISOLATE_MODE_BOXES,  /* --boxes: list the named sandboxes */
    ISOLATE_MODE_RM_BOX, /* --rm-box NAME: remove one */
    ISOLATE_MODE_REVIEW, /* --diff, --commit, --rollback, --discard, --runs: see review */
    ISOLATE_MODE_DOCTOR, /* --doctor: what this machine allows */
};

/* What of the user's desktop a sandbox may share, on request only: each one
 * weakens the isolation (see --explain and the README for the risk). */
enum {
    ISOLATE_SHARE_X11 = 1 << 0,     /* --x11: the X display's socket and cookie */
    ISOLATE_SHARE_WAYLAND = 1 << 1, /* --wayland: the compositor's socket */
    ISOLATE_SHARE_AUDIO = 1 << 2,   /* --audio: PulseAudio / PipeWire sockets */
    ISOLATE_SHARE_GPU = 1 << 3,     /* --gpu: /dev/dri */
};

/* What to do with the runs --overlay keeps (ISOLATE_MODE_REVIEW). */
enum isolate_review {
    ISOLATE_REVIEW_NONE = 0,
    ISOLATE_REVIEW_DIFF,     /* --diff [RUN]: show the changes */
    ISOLATE_REVIEW_COMMIT,   /* --commit [RUN]: apply them (or finish an interrupted commit) */
    ISOLATE_REVIEW_ROLLBACK, /* --rollback [RUN]: undo an interrupted commit */
    ISOLATE_REVIEW_DISCARD,  /* --discard [RUN]: drop them */
    ISOLATE_REVIEW_RUNS,     /* --runs: list the kept runs */
};

enum isolate_path_kind {
    ISOLATE_PATH_WRITE,   /* -w, --write: host path bound writable at the same place */
    ISOLATE_PATH_RO,      /* --ro: host path bound read-only (e.g. below $HOME or /tmp) */
    ISOLATE_PATH_HIDE,    /* --hide: path replaced by something empty */
    ISOLATE_PATH_OVERLAY, /* --overlay: writable through an overlay, writes kept for review */
};

struct isolate_path {
    enum isolate_path_kind kind;
    const char *arg; /* as the user gave it; borrowed from argv */
};

/* The sandbox's network (--net). */
enum isolate_net {
    ISOLATE_NET_NONE = 0,    /* default: a network namespace of its own, loopback only */
    ISOLATE_NET_NAT,         /* --net: its own namespace behind user-mode NAT (pasta, or
                              * slirp4netns when pasta is not installed) */
    ISOLATE_NET_PASTA,       /* --net=pasta: the same, through pasta only */
    ISOLATE_NET_SLIRP4NETNS, /* --net=slirp4netns: the same, through slirp4netns only */
    ISOLATE_NET_HOST,        /* --net=host: the host's network namespace, shared */
};

/* Resource limits. 0 means "not set". */
struct isolate_limits {
    double time_s;               /* --time: CPU seconds of the whole sandbox */
    double wall_s;               /* --wall: wall-clock seconds */
    unsigned long long mem;      /* --mem: bytes of memory of the whole sandbox */
    unsigned long long fsize;    /* --fsize: bytes per written file */
    unsigned long long tmp_size; /* --tmp-size: bytes of private writable space */
    long pids;                   /* --pids: processes and threads */
    long nofile;                 /* --nofile: open files per process */
    int no_defaults;             /* --no-limits: no protective defaults */
};

/* What the user asked for. Strings are borrowed from the argv given to
 * isolate_parse(); arrays are owned and released by isolate_policy_free(). */
struct isolate_policy {
    enum isolate_mode mode;
    int verbose;
    int quiet;
    struct isolate_path *paths;
    size_t npaths;
    const char **env; /* --env NAME or NAME=VALUE, in order */
    size_t nenv;
    int *keep_fds;
    size_t nkeep_fds;
    const char *command;    /* -c STRING, or NULL */
    const char *check_text; /* --check TEXT ("-": standard input) */
    struct isolate_limits limits;
    const char *report_path; /* --report FILE: one JSON object */
    const char *meta_path;   /* --meta FILE: ioi/isolate's key:value format */
    char *const *argv;       /* the command and its arguments (with -c: $0 $1 ...) */
    int argc;
    const char *box;      /* --box NAME (or --rm-box NAME): a named, persistent sandbox */
    const char *setup;    /* --setup SCRIPT: run once, inside, when the box is created */
    unsigned share;       /* ISOLATE_SHARE_*: --x11, --wayland, --audio, --gpu */
    enum isolate_net net; /* --net[=MODE] */
    const char *home;     /* --home: "empty", "overlay" or a directory; NULL: empty */
    enum isolate_review review;
    const char *run;   /* the RUN of --diff, --commit ...; NULL: the latest */
    int force;         /* --force: commit despite changes made on the host since */
    char *const *args; /* every word given to isolate_parse(), argv[0] included */
    int nargs;
};

/* Parses argv[0..argc) (argv[0] is the program name). Options stop at the first
 * non-option or at "--". On error returns -1 with a message that names the
 * option; *p is then empty and needs no free. Pure: no I/O, no globals. */
int isolate_parse(struct isolate_policy *p, int argc, char *const argv[],
                  struct isolate_error *err);

/* Releases what isolate_parse() allocated. Safe on a zeroed policy. */
void isolate_policy_free(struct isolate_policy *p);

/* Parses a file descriptor number as --keep-fd takes it. */
int isolate_parse_fd(const char *s, int *out);

/* Parses a size: digits with an optional K, M, G or T suffix (powers of 1024,
 * optionally followed by "B" or "iB"). Returns -1 unless 1 <= size < 2^60. */
int isolate_parse_size(const char *s, unsigned long long *out);

/* Parses a positive duration in seconds, with decimals ("1.5"), up to a year. */
int isolate_parse_seconds(const char *s, double *out);

/* Parses a count from 1 to 2^31-1. */
int isolate_parse_count(const char *s, long *out);

/* The usage text of --help and of bash's `help isolate`. */
extern const char isolate_usage_text[];

/* Facts about the caller that only the front end knows. */
struct isolate_caller {
    const char *shell;     /* shell that runs -c strings (the caller's own) */
    char *const *environ;  /* the caller's exported environment */
    int may_take_terminal; /* not a background job and not one element of a pipeline */
    int new_pgrp;          /* put the supervisor in a process group of its own (job control) */
    sigset_t keep_ignored; /* signals the command inherits as ignored; others are reset */
    int notes_said;        /* the notes on stderr were given already (a shell's fallback) */
    int is_program;        /* the caller is the isolate program: nothing to fall back to */
};

/* Resolves the policy against the machine (paths, home, current directory) and
 * prints in plain words what the sandbox would allow. Runs nothing. */
int isolate_explain(const struct isolate_policy *p, const struct isolate_caller *c, FILE *out,
                    struct isolate_error *err);

/* --diff, --commit, --rollback, --discard, --runs (p->review): acts on the
 * runs kept by --overlay in $XDG_STATE_HOME/isolate (found through
 * c->environ). Writes the diff or the list on out, messages on fd 2. Returns
 * the exit status: 0, or 125 with a message when nothing was done (an
 * unknown run, a conflict, nothing to commit). Defined in runs.c. */
int isolate_review(const struct isolate_policy *p, const struct isolate_caller *c, FILE *out);

/* Starts the sandbox from a long-lived process such as a shell. The child that
 * builds the sandbox shares the caller's memory while the caller is suspended
 * (no copy of the shell's page tables) and execs the small isolate-init helper
 * before anything untrusted runs. Returns the pid of the supervisor, a direct
 * child with exit signal SIGCHLD whose wait status is the command's own (exit
 * code, or death by the same signal); the caller must reap it (a shell through
 * its job table). Returns -1 with *err filled when nothing could be started.
 * All signals are blocked only for the duration of the clone; the caller's mask
 * is restored before returning. */
pid_t isolate_spawn(const struct isolate_policy *p, const struct isolate_caller *c,
                    struct isolate_error *err);

/* Turns the calling process itself into the supervisor (for the CLI): builds
 * the sandbox in place and execs isolate-init. Returns only on failure. */
int isolate_exec(const struct isolate_policy *p, const struct isolate_caller *c,
                 struct isolate_error *err);

/* $? for a wait status: the exit code, or 128+n when killed by signal n. */
int isolate_status_from_wait(int wstatus);

/* --check: classifies p->check_text (or standard input for "-") as one paste
 * and prints one line per finding on out. Returns 0 when the text is clean, 1
 * when it deserves a warning, 125 (message on stderr) when it cannot be read.
 * Runs nothing. Defined in paste.c. */
int isolate_check_run(const struct isolate_policy *p, FILE *out);

/* --boxes and --rm-box NAME: lists the caller's named sandboxes on out, or
 * removes one (never following a symbolic link found in it, never while a
 * sandbox runs in it). Returns 0, or -1 with *err filled. Defined in boxdir.c. */
int isolate_boxes(const struct isolate_policy *p, const struct isolate_caller *c, FILE *out,
                  struct isolate_error *err);

/* --doctor: reports on out what this machine supports (namespaces, mounts,
 * cgroup delegation, seccomp, network helpers), how each limit would be
 * enforced, and whether the default sandbox works, which it finds out by
 * starting one that runs `true`. Returns 0 when it works, 125 when it does
 * not. Tries namespaces in a forked child; changes nothing in the caller.
 * Defined in doctor.c. */
int isolate_doctor(const struct isolate_caller *c, FILE *out);

/* Says on fd 2 that only this element of a pipeline is isolated, and how to
 * isolate the whole (the shell adapters call it when they detect a pipeline). */
void isolate_note_pipeline(void);

/* Prints "isolate: MESSAGE" on fd 2. */
void isolate_perror(const struct isolate_error *err);

/* If the terminal on the caller's standard streams is left in another process
 * group of the caller's session (a supervisor was killed while the sandbox held
 * it), hands it back to the caller's process group. For callers without job
 * control; blocks SIGTTOU only for the duration of the call. */
void isolate_reclaim_terminal(void);

#endif
