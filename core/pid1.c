/*
 * pid1.c - PID 1 of the sandbox: its creation and its setup (isolate-init).
 *
 * The supervisor, a fresh exec of isolate-init (supervise.c), clones PID 1
 * with CLONE_VM into new PID and UTS namespaces; PID 1 joins the IPC and
 * network namespaces that the namespace helper made (nsahead.c). PID 1 shares
 * the supervisor's small address space instead of exec'ing a program of its
 * own: creating and tearing down an address space is the dearest step of a
 * sandbox's life on virtual machines, and this saves one per run.
 *
 * Sharing memory means sharing libc's per-thread state (errno, the stdio
 * locks), so the two never run libc at the same time. The supervisor waits
 * in a raw read() of the event pipe until PID 1 has started the command (or
 * failed to); from then on PID 1 makes raw system calls only (init.c).
 *
 * PID 1's setup, in order: into the sandbox's cgroup and a cgroup namespace
 * rooted there; the host name; loopback up (with a NAT helper); a process
 * group of its own and the terminal; a fresh /proc (a proc mount shows its
 * mounter's PID namespace); the rlimits; the working directory; signal
 * dispositions; the IPC and network namespaces joined; isolate's
 * descriptors closed but the event pipe; death with the
 * supervisor; not dumpable (the command runs as the same uid and must not
 * ptrace PID 1 or read its memory); every capability dropped; the seccomp
 * filter. The command inherits all of it through a vfork-style clone.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What went wrong in PID 1's setup, for the supervisor's report: the two
 * share this memory, and the supervisor reads it once PID 1 has exited. */
struct isolate_error iso_pid1_error;

struct pid1_arg {
    const struct iso_init_opts *o;
    int ev_read, ev_write;
    int ns_sock, ns_pidfd; /* the namespace helper's reports, and the helper */
};

static int enter_cgroup(const struct iso_init_opts *o, struct isolate_error *e)
{
    int fd;

    if (o->cg_dir < 0) return 0;
    fd = openat(o->cg_dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) {
        iso_err(e, errno, "cannot enter the sandbox's cgroup");
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Only PID 1's end of the event pipe stays, at the number the plan gave it,
 * and the namespace helper's reports (keep, or -1) just above it; the
 * supervisor's descriptors (terminal, reports, cgroup) are closed. */
static int keep_only_events(const struct pid1_arg *a, int keep, struct isolate_error *e)
{
    int base = a->o->fd_base;

    close(a->ev_read);
    if ((a->ev_write != base && dup3(a->ev_write, base, O_CLOEXEC) < 0) ||
        (keep >= 0 && dup3(keep, base + 1, O_CLOEXEC) < 0)) {
        iso_err(e, errno, "cannot place the event pipe");
        return -1;
    }
    if (syscall(SYS_close_range, (unsigned)base + (keep >= 0 ? 2 : 1), ~0U, 0) < 0) {
        iso_err(e, errno, "cannot close isolate's descriptors");
        return -1;
    }
    if (a->ev_write < base) close(a->ev_write);
    return base;
}

static int setup(const struct pid1_arg *a, struct isolate_error *e)
{
    const struct iso_init_opts *o = a->o;
    struct iso_limits_plan limits = {.v = o->limits, .deflt = o->deflt, .by_cgroup = o->by_cgroup};
    struct pollfd pf = {.events = 0};
    const char *host = o->hostname ? o->hostname : ISO_HOSTNAME;
    int ev, net = o->net == ISOLATE_NET_NONE; /* the helper made the network namespace */

    /* The cgroup first: a cgroup namespace is rooted where it is created. */
    if (enter_cgroup(o, e) < 0) return -1;
    if (unshare(CLONE_NEWCGROUP) < 0) {
        iso_err(e, errno, "cannot create the cgroup namespace");
        return -1;
    }
    if (sethostname(host, strlen(host)) < 0) {
        iso_err(e, errno, "cannot set the host name");
        return -1;
    }
    if (iso_net_pid1(o, e) < 0) return -1;
    /* A process group of its own, never the shell's: `kill 0` inside cannot
     * reach the caller; with the terminal, Ctrl-C and Ctrl-Z reach the sandbox. */
    if (setpgid(0, 0) < 0) {
        iso_err(e, errno, "cannot create the sandbox's process group");
        return -1;
    }
    if (o->fg && iso_tty_give(o->ctty, getpgrp()) < 0) {
        iso_err(e, errno, "cannot hand the terminal to the sandbox");
        return -1;
    }
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        iso_err(e, errno, "cannot mount /proc for the sandbox");
        return -1;
    }
    iso_log(o->verbose, "mount: fresh /proc (sandbox processes only)");
    if (iso_limits_apply(&limits, e) < 0) return -1;
    if (chdir(o->cwd) < 0) {
        iso_err(e, errno, "cannot enter %s inside the sandbox", o->cwd);
        return -1;
    }
    iso_signals_reset(&o->keep_ignored);
    /* --net: the command never starts before its network is up. */
    if (iso_net_wait(o, e) < 0) return -1;
    /* The IPC and network namespaces the namespace helper made meanwhile
     * (nsahead.c), joined as late as possible: they are usually ready. The
     * loopback comes up meanwhile: its report is read last. */
    if (iso_caps_drop_bounding(e) < 0 || iso_nsahead_join(a->ns_sock, a->ns_pidfd, net, e) < 0)
        return -1;
    if ((ev = keep_only_events(a, net ? a->ns_sock : -1, e)) < 0) return -1;
    /* PID 1 dies with the supervisor; the kernel then kills the namespace.
     * The supervisor may have died before that was armed: then the read end
     * of the event pipe is gone (its pid is not visible from here). */
    pf.fd = ev;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (poll(&pf, 1, 0) > 0 && pf.revents & POLLERR)) {
        iso_err(e, errno, "the supervisor is gone");
        return -1;
    }
    if (prctl(PR_SET_DUMPABLE, 0) < 0) {
        iso_err(e, errno, "cannot make PID 1 non-dumpable");
        return -1;
    }
    if (iso_caps_drop_all(e) < 0 || iso_seccomp_load(o->verbose, e) < 0) return -1;
    return net ? iso_nsahead_loopback(ev + 1, e) : 0;
}

static int pid1_entry(void *arg)
{
    const struct pid1_arg *a = arg;

    if (setup(a, &iso_pid1_error) < 0) {
        isolate_perror(&iso_pid1_error);
        _exit(ISOLATE_EXIT_FAILURE);
    }
    iso_init_main(a->o, a->o->fd_base);
}

pid_t iso_pid1_start(const struct iso_init_opts *o, int *events, struct isolate_error *e)
{
    static char stack[64 * 1024] __attribute__((aligned(64)));
    static struct pid1_arg a;
    int ev[2];
    pid_t pid;

    if (pipe2(ev, O_CLOEXEC) < 0) {
        iso_err(e, errno, "cannot create a pipe");
        return -1;
    }
    a = (struct pid1_arg){.o = o,
                          .ev_read = ev[0],
                          .ev_write = ev[1],
                          .ns_sock = ISO_FD_NS(o),
                          .ns_pidfd = ISO_FD_NSPID(o)};
    iso_pid1_error.msg[0] = '\0';
    /* The IPC and network namespaces are the namespace helper's, which PID 1
     * joins (with --net the supervisor already is in the sandbox's network
     * namespace, nethelper.c, or in the host's, --net=host). */
    pid = clone(pid1_entry, stack + sizeof stack, CLONE_VM | CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD,
                &a);
    if (pid < 0) {
        iso_err(e, errno, "cannot create the sandbox's PID and UTS namespaces");
        close(ev[0]);
        close(ev[1]);
        return -1;
    }
    close(ev[1]);
    close(ISO_FD_NS(o)); /* PID 1's now */
    close(ISO_FD_NSPID(o));
    *events = ev[0];
    return pid;
}
