/*
 * doctor.c - `isolate --doctor`: what this machine lets isolate do, and what
 * that means for the user.
 *
 * Runs in the caller's process (possibly the user's shell) and changes
 * nothing there. Everything that needs a namespace is tried for real in a
 * forked child that reports on a pipe and exits: user and mount namespaces,
 * the mount API, openat2, rootless overlayfs, the other namespaces. The
 * child is forked with every signal blocked, and SIGCHLD stays blocked until
 * it is reaped, so that no handler of the shell runs in it and the shell's
 * own SIGCHLD handler cannot take its status. The rest is read from /proc,
 * /sys and PATH. Last, the default sandbox itself is started, running
 * `true`, through the same isolate_spawn() a run uses (and so through the
 * shells' fallback to the isolate program where that applies): the verdict
 * is what a run would do, not an inference from the parts.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the probe child found: 0, or the errno of the step (-1: not reached). */
struct probe {
    int userns, map, private_mount, open_tree, mount_setattr, fsopen, openat2;
    int overlay, overlay_userxattr, other_ns;
};

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;
    int saved = errno;
    if (fd >= 0) close(fd);
    return n == (ssize_t)strlen(text) ? 0 : (errno = saved, -1);
}

#define STEP(field, call) (pr->field = (call) < 0 ? errno : 0)

/* In the probe child: each mechanism, in the order a run needs them. */
static void probe_child(struct probe *pr)
{
    char map[64];
    struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    uid_t uid = getuid();
    gid_t gid = getgid();
    int fd, fs, mnt;

    if (STEP(userns, unshare(CLONE_NEWUSER | CLONE_NEWNS))) return;
    snprintf(map, sizeof map, "%lu %lu 1", (unsigned long)uid, (unsigned long)uid);
    if (STEP(map, write_text("/proc/self/setgroups", "deny")) ||
        STEP(map, write_text("/proc/self/uid_map", map)))
        return;
    snprintf(map, sizeof map, "%lu %lu 1", (unsigned long)gid, (unsigned long)gid);
    if (STEP(map, write_text("/proc/self/gid_map", map))) return;
    if (STEP(private_mount, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))) return;
    STEP(openat2, fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how));
    if (fd >= 0) close(fd);
    /* A tmpfs of the new API, attached on /tmp of this namespace only: then
     * a copy of it (a copy of "/" alone would reveal the mounts the host
     * locked under it, which the kernel refuses), and an overlay mounted the
     * way a rootless program can. */
    STEP(fsopen, fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC));
    if (fs >= 0) {
        mnt = -1;
        if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
            (mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0)) < 0 ||
            syscall(SYS_move_mount, mnt, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH) < 0)
            pr->fsopen = errno;
        if (mnt >= 0) close(mnt);
        close(fs);
    }
    if (pr->fsopen) return;
    STEP(open_tree, fd = (int)syscall(SYS_open_tree, AT_FDCWD, "/tmp", OPEN_TREE_CLONE));
    if (fd >= 0) {
        STEP(mount_setattr, syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr));
        close(fd);
    }
    if (!mkdir("/tmp/l", 0755) && !mkdir("/tmp/u", 0755) && !mkdir("/tmp/w", 0755) &&
        !mkdir("/tmp/m", 0755)) {
        STEP(overlay, mount("overlay", "/tmp/m", "overlay", 0,
                            "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w"));
        STEP(overlay_userxattr, mount("overlay", "/tmp/m", "overlay", 0,
                                      "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w,userxattr"));
    }
    STEP(other_ns,
         unshare(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP));
}

static int run_probe(struct probe *pr)
{
    sigset_t all, old;
    int fds[2], st;
    pid_t pid;

    memset(pr, 0xff, sizeof *pr); /* -1: not reached */
    if (pipe2(fds, O_CLOEXEC) < 0) return -1;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = fork();
    if (pid == 0) {
        probe_child(pr);
        _exit(write(fds[1], pr, sizeof *pr) == (ssize_t)sizeof *pr ? 0 : 1);
    }
    close(fds[1]);
    if (pid > 0 && read(fds[0], pr, sizeof *pr) != (ssize_t)sizeof *pr) pid = -1;
    close(fds[0]);
    if (pid > 0) waitpid(pid, &st, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return pid > 0 ? 0 : -1;
}

static void line(FILE *out, const char *mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line(FILE *out, const char *mark, const char *fmt, ...)
{
    va_list ap;
    fprintf(out, "  %-5s ", mark);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static const char *err_text(int e)
{
    return e < 0 ? "not tried (it needs a user namespace)" : iso_strerror(e);
}

/* Prints an error's message as indented lines (its hints included). */
static void say_error(FILE *out, const struct isolate_error *e)
{
    const char *p = e->msg;
    while (*p) {
        size_t n = strcspn(p, "\n");
        while (*p == ' ') p++, n--;
        fprintf(out, "        %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

static int on_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; p && *p;) {
        size_t n = strcspn(p, ":");
        if (n) {
            snprintf(out, size, "%.*s/%s", (int)n, p, name);
            if (access(out, X_OK) == 0) return 1;
        }
        p += n + (p[n] == ':');
    }
    return 0;
}

static void section_kernel(FILE *out)
{
    struct utsname u;
    int major = 0, minor = 0;

    uname(&u);
    sscanf(u.release, "%d.%d", &major, &minor);
    fprintf(out, "Kernel\n");
    line(out, major > 5 || (major == 5 && minor >= 12) ? "ok" : "FAIL", "Linux %s on %s%s",
         u.release, u.machine,
         major > 5 || (major == 5 && minor >= 12) ? "" : " (isolate needs 5.12 or later)");
}

static int section_userns(FILE *out, const struct probe *pr)
{
    struct iso_userns_facts f;
    struct isolate_error e;
    int err = pr->userns ? pr->userns : pr->map ? pr->map : pr->private_mount;

    iso_userns_facts(&f);
    fprintf(out, "User namespaces\n");
    if (err == 0) {
        line(out, "ok", "unprivileged user namespaces: created one, uid %lu mapped to itself",
             (unsigned long)getuid());
    } else {
        iso_err(&e, err > 0 ? err : 0, "%s",
                pr->userns ? "unshare(CLONE_NEWUSER)"
                : pr->map  ? "writing uid_map"
                           : "mount()");
        iso_userns_diagnose(&e, err, &f);
        line(out, "FAIL", "%s", "unprivileged user namespaces: refused to this process");
        say_error(out, &e);
    }
    line(out, f.max_userns > 0 ? "ok" : "FAIL", "user.max_user_namespaces = %ld", f.max_userns);
    if (f.unpriv_clone < 0)
        line(out, "ok",
             "kernel.unprivileged_userns_clone: not in this kernel (Debian's patch only)");
    else
        line(out, f.unpriv_clone ? "ok" : "FAIL", "kernel.unprivileged_userns_clone = %d",
             f.unpriv_clone);
    if (f.apparmor < 0)
        line(out, "ok", "AppArmor's restriction of user namespaces: not in this kernel or off");
    else
        line(out, f.apparmor ? "note" : "ok", "kernel.apparmor_restrict_unprivileged_userns = %d%s",
             f.apparmor, f.apparmor ? " (make install-apparmor: a profile for the program)" : "");
    line(out, f.seccomp == 2 ? "note" : "ok", "this process %s",
         f.seccomp == 2 ? "runs under a seccomp filter already (a container's?)"
                        : "runs under no seccomp filter");
    line(out,
         pr->other_ns == 0  ? "ok"
         : pr->other_ns < 0 ? "--"
                            : "FAIL",
         "PID, network, IPC, UTS and cgroup namespaces: %s",
         pr->other_ns == 0 ? "created" : err_text(pr->other_ns));
    return err == 0 && pr->other_ns == 0;
}

static int section_mounts(FILE *out, const struct probe *pr)
{
    int api = !pr->open_tree && !pr->mount_setattr && !pr->fsopen;

    fprintf(out, "Mounts\n");
    line(out,
         api                 ? "ok"
         : pr->open_tree < 0 ? "--"
                             : "FAIL",
         "mount API (open_tree, mount_setattr, fsopen, move_mount): %s",
         api ? "works"
             : err_text(pr->open_tree       ? pr->open_tree
                        : pr->mount_setattr ? pr->mount_setattr
                                            : pr->fsopen));
    line(out,
         pr->openat2 == 0  ? "ok"
         : pr->openat2 < 0 ? "--"
                           : "FAIL",
         "openat2 (symlink-safe paths): %s", pr->openat2 == 0 ? "works" : err_text(pr->openat2));
    if (pr->overlay == 0 || pr->overlay_userxattr == 0)
        line(out, "ok", "rootless overlayfs: mounted one%s",
             pr->overlay ? " (with userxattr)" : "");
    else
        line(out, "--", "rootless overlayfs: %s (what needs it is unavailable)",
             err_text(pr->overlay_userxattr));
    return api && pr->openat2 == 0;
}

static void section_cgroup(FILE *out, unsigned *by_cgroup)
{
    char mnt[PATH_MAX], root[PATH_MAX];
    int mem, pids;

    fprintf(out, "Cgroup v2\n");
    *by_cgroup = 0;
    if (iso_cgroup_mount(mnt, sizeof mnt) < 0) {
        line(out, "--", "no cgroup2 file system mounted: limits by rlimits and a watchdog");
        return;
    }
    if (iso_cgroup_root(root, sizeof root) < 0) {
        line(out, "--",
             "cgroup2 at %s, but no cgroup delegated to you: limits by rlimits and a "
             "watchdog",
             mnt);
        line(out, "",
             "(systemd delegates one in a user session; see ISOLATE_CGROUP in the manual)");
        return;
    }
    line(out, "ok", "delegated to you: %s (each sandbox gets a cgroup there; cgroup.kill ends it)",
         root);
    mem = iso_cgroup_offers(root, "memory");
    pids = iso_cgroup_offers(root, "pids");
    line(out, mem && pids ? "ok" : "--", "controllers: memory %s, pids %s",
         mem ? "delegated" : "not delegated", pids ? "delegated" : "not delegated");
    *by_cgroup = ISO_LIMIT_TIME | (mem ? ISO_LIMIT_MEM : 0) | (pids ? ISO_LIMIT_PIDS : 0);
}

static void section_limits(FILE *out, unsigned by_cgroup)
{
    struct iso_limits_plan l;
    struct isolate_limits none = {0};
    char mem[32], tmp[32];

    iso_limits_defaults(&l, &none);
    iso_format_size(mem, sizeof mem, l.v.mem);
    iso_format_size(tmp, sizeof tmp, l.v.tmp_size);
    fprintf(out, "Limits\n");
    line(out, "",
         "protective defaults here: --mem %s, --pids %ld, --tmp-size %s (--no-limits "
         "removes them); each is enforced by",
         mem, l.v.pids, tmp);
    line(out, "", "--mem       %s",
         by_cgroup & ISO_LIMIT_MEM ? "memory.max of the sandbox's cgroup"
                                   : "RLIMIT_DATA per process, and a watchdog summing them");
    line(out, "", "--pids      %s",
         by_cgroup & ISO_LIMIT_PIDS ? "pids.max of the sandbox's cgroup"
                                    : "RLIMIT_NPROC of the sandbox's user, and a watchdog");
    line(out, "", "--time      %s",
         by_cgroup & ISO_LIMIT_TIME ? "the cgroup's cpu.stat: exact, killed processes included"
                                    : "RLIMIT_CPU per process, and a watchdog summing them");
    line(out, "", "--wall      a timer of the supervisor");
    line(out, "", "--tmp-size  the size of the private tmpfs (home, /tmp, /run, /dev/shm)");
    line(out, "", "--fsize, --nofile  RLIMIT_FSIZE, RLIMIT_NOFILE");
}

static void section_seccomp(FILE *out)
{
    unsigned action = SECCOMP_RET_USER_NOTIF;
    int filters = prctl(PR_GET_SECCOMP) >= 0 || errno != EINVAL;
    int notify = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;

    fprintf(out, "Seccomp\n");
    line(out, filters ? "ok" : "FAIL", "seccomp filters: %s",
         filters ? "available (the sandbox's filter)" : "not in this kernel");
    line(out, notify ? "ok" : "--", "user notification (SECCOMP_RET_USER_NOTIF): %s",
         notify ? "available" : "not available");
}

static void section_network(FILE *out)
{
    char path[PATH_MAX];
    int pasta = on_path("pasta", path, sizeof path);

    fprintf(out, "Network\n");
    line(out, "ok", "the default sandbox: loopback only, in a network namespace of its own");
    if (pasta) line(out, "ok", "pasta: %s", path);
    if (on_path("slirp4netns", path, sizeof path))
        line(out, "ok", "slirp4netns: %s", path);
    else if (!pasta)
        line(out, "--",
             "neither pasta nor slirp4netns: no user-mode network for a sandbox that "
             "asks for one (apt-get install passt)");
}

/* The default sandbox, for real. Returns 1 if it ran `true`. */
static int run_default(FILE *out, const struct isolate_caller *c)
{
    char *argv[] = {"isolate", "true", NULL};
    struct isolate_caller quiet = *c;
    struct isolate_policy p;
    struct isolate_error e;
    sigset_t chld, old;
    int st = 0, ok = 0;
    pid_t pid;

    /* No terminal, no process group: nothing to hand back to the shell. No
     * note on the current directory; a note on a fallback, yes. */
    quiet.may_take_terminal = 0;
    quiet.new_pgrp = 0;
    quiet.notes_said = 1;
    fprintf(out, "Verdict\n");
    fflush(out);
    if (isolate_parse(&p, 2, argv, &e) < 0) goto said;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid = isolate_spawn(&p, &quiet, &e);
    if (pid > 0 && waitpid(pid, &st, 0) == pid) ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    isolate_policy_free(&p);
    if (pid > 0 && !ok)
        iso_err(&e, 0, "the sandbox ran, but `true` ended with status %d",
                isolate_status_from_wait(st));
said:
    if (ok) {
        line(out, "ok", "the default sandbox works here: `isolate true` ran");
        return 1;
    }
    line(out, "FAIL", "the default sandbox cannot be built here:");
    say_error(out, &e);
    return 0;
}

ISO_PUBLIC int isolate_doctor(const struct isolate_caller *c, FILE *out)
{
    struct probe pr;
    unsigned by_cgroup;

    fprintf(out, "isolate %s: what this machine allows\n", ISOLATE_VERSION);
    section_kernel(out);
    if (run_probe(&pr) < 0) memset(&pr, 0xff, sizeof pr);
    section_userns(out, &pr);
    section_mounts(out, &pr);
    section_cgroup(out, &by_cgroup);
    section_seccomp(out);
    section_network(out);
    section_limits(out, by_cgroup);
    return run_default(out, c) ? 0 : ISOLATE_EXIT_FAILURE;
}
