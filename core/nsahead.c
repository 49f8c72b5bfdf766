/*
 * nsahead.c - the user, mount, IPC and network namespaces, made ahead of
 * need by a helper task, while the caller plans and the sandbox is built.
 *
 * A new network namespace is the dearest step of a start: ~0.3 ms of kernel
 * work on the test machine (the loopback device, every protocol's sysctls),
 * which used to be spent in the clone of PID 1, after everything else, while
 * the machine's second CPU was idle. So the first thing isolate does is
 * start a helper, whose clone creates the sandbox's user namespace, and
 * which maps the caller's ids in it (userns.c), creates the mount namespace
 * the setup child will build (a private copy of the caller's, as unshare
 * would make; not for a box or a NAT helper, see child.c), then the IPC
 * namespace and, for the default network, the network namespace, and brings
 * its loopback up, while the caller resolves the plan and the setup child
 * builds the file system. The others join the helper's namespaces through
 * its pidfd: the setup child its user and mount namespaces first of all
 * (child.c), once the caller has heard they are made; PID 1 its IPC and
 * network namespaces once the helper reports them made, just before it
 * drops its capabilities (pid1.c), and it reads the loopback's report last,
 * before the command starts. Making the private tmpfs there too was
 * measured: the helper's path then became the longer one. The
 * namespaces are the same as if PID 1's clone had created them: new, empty,
 * owned by the sandbox's user namespace. With --net=host no network
 * namespace is made; with a NAT helper (nethelper.c) the setup child makes
 * that one, as before.
 *
 * The helper is a clone that shares the caller's memory (CLONE_VM: no copy
 * of the shell's page tables, and no exec of its own, which would cost a
 * good part of its work), and runs there while the caller goes on: on a
 * stack of this file, with every signal blocked, making raw system calls
 * only (it shares the caller's thread pointer, so its errno) and touching
 * nothing but that stack. It stays until every holder of its socket's other
 * end has closed it (PID 1, once it has joined), so that a pidfd still
 * reaches its namespaces. The caller waits for it to be gone before it
 * returns (the kernel clears a word when it exits: CLONE_CHILD_CLEARTID),
 * which is before the command starts. The isolate program, which becomes
 * the supervisor by exec, need not wait: its old memory stays the helper's
 * until the helper exits.
 *
 * The helper is the caller's child: for the shell, one more child its SIGCHLD
 * handler reaps (bash and zsh reap every child, known or not); for the isolate
 * program, the supervisor's child, which it reaps (supervise.c). It dies with
 * its parent (PR_SET_PDEATHSIG).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The helper's reports: 0 or the errno of what failed. */
struct ns_msg {
    int err;
    int step; /* what it is about: index into steps[] */
};

enum { STEP_USER, STEP_MAPS, STEP_MNTNS, STEP_IPC_NET, STEP_LOOPBACK };
/* The reports, in order: STEP_USER (or a failure of MAPS or MNTNS) for the
 * caller, STEP_IPC_NET and STEP_LOOPBACK for PID 1. */
static const char *const steps[] = {
    "cannot create the sandbox's namespaces",
    "cannot map the caller's ids in the sandbox's user namespace",
    "cannot create the sandbox's mount namespace",
    "cannot create the sandbox's IPC and network namespaces",
    "cannot bring up loopback in the sandbox's network namespace",
};

/* ---- the caller, and the helper on its memory ------------------------------ */

/* The helper's stack and its task. One helper at a time: a run waits for its
 * helper before it returns, and a new run for the last one before it starts
 * (which could matter only after a longjmp out of a run). */
static struct {
    char stack[8192] __attribute__((aligned(64)));
    int sock, net, unshare_user, mntns;
    struct iso_nsahead_args a;
    volatile pid_t alive; /* cleared by the kernel when the helper exits */
} helper;

#define RAW(n, a, b, c) iso_raw_syscall((n), (long)(a), (long)(b), (long)(c))
#define RAW5(n, a, b, c, d, e)                                                                     \
    iso_raw_syscall5((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

static long loopback_up(void)
{
    struct ifreq ifr;
    long fd = RAW(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

    if (fd < 0) return fd;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    rc = RAW(SYS_ioctl, fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = RAW(SYS_ioctl, fd, SIOCSIFFLAGS, &ifr);
    }
    RAW(SYS_close, fd, 0, 0);
    return rc;
}

static void report(long rc, int step)
{
    struct ns_msg m = {.err = rc < 0 ? (int)-rc : 0, .step = step};
    RAW(SYS_write, helper.sock, &m, sizeof m); /* SIGPIPE is blocked here */
}

/* The helper: raw system calls and its own stack only. PID 1 joins its
 * namespaces through its pidfd once told they exist (the first report); the
 * loopback comes up meanwhile (the second report, awaited just before the
 * command starts). It stays until every holder of the socket's other end
 * has closed it, so that the namespaces are still its own when PID 1 joins. */
static int helper_entry(void *arg)
{
    /* The two capabilities it needs, of all those its new user namespace
     * gave it: PID 1, which holds a few more, may then join its namespaces
     * through its pidfd (that needs ptrace access: a permitted set that is a
     * subset of the joiner's). */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};
    long rc;
    int step = STEP_USER;
    char byte;

    (void)arg;
    /* The isolate program's helper makes its user namespace itself, with
     * unshare() rather than clone(), as the program always did (see
     * tests/nouserns --clone-only, which stands for a refusal by program). */
    rc = helper.unshare_user ? RAW(SYS_unshare, CLONE_NEWUSER, 0, 0) : 0;
    /* Its copy of the caller's descriptors: only its end of the socket stays
     * (holding the other end, it would wait for itself; holding a pipe of the
     * caller's, it would delay someone's end of file). */
    if (helper.sock > 0) RAW(SYS_close_range, 0, helper.sock - 1, 0);
    RAW(SYS_close_range, helper.sock + 1, ~0U, 0);
    RAW(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
    /* What the setup child needs first: the ids mapped (userns.c), and for
     * the default sandbox a mount namespace to join. */
    if (rc < 0 ||
        (step = STEP_MAPS, rc = iso_userns_map_raw(helper.a.uid_map, helper.a.gid_map)) < 0 ||
        (step = STEP_MNTNS, helper.mntns && (rc = RAW(SYS_unshare, CLONE_NEWNS, 0, 0)) < 0) ||
        (helper.mntns && (rc = RAW5(SYS_mount, 0, "/", 0, MS_REC | MS_PRIVATE, 0)) < 0)) {
        report(rc, step);
        RAW(SYS_exit, 0, 0, 0);
    }
    report(0, STEP_USER);
    d[0].permitted = d[0].effective = 1U << CAP_SYS_ADMIN | 1U << CAP_NET_ADMIN;
    RAW(SYS_capset, &h, d, 0);
    rc = RAW(SYS_unshare, CLONE_NEWIPC | (helper.net ? CLONE_NEWNET : 0), 0, 0);
    report(rc, STEP_IPC_NET);
    if (rc == 0 && helper.net) report(loopback_up(), STEP_LOOPBACK);
    while (RAW(SYS_read, helper.sock, &byte, 1) > 0) {
    }
    RAW(SYS_exit, 0, 0, 0);
    return 0;
}

void iso_nsahead_released(void)
{
    pid_t v;
    while ((v = helper.alive) != 0)
        syscall(SYS_futex, (void *)&helper.alive, FUTEX_WAIT, v, NULL, NULL, 0);
}

int iso_nsahead_start(struct iso_nsahead *ns, const struct iso_nsahead_args *a,
                      struct isolate_error *e)
{
    sigset_t all, old;
    int sv[2], saved;

    ns->pid = -1;
    ns->sock = ns->pidfd = -1;
    iso_nsahead_released();
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        iso_err(e, errno, "cannot create a socket");
        return -1;
    }
    helper.sock = sv[0];
    helper.net = a->net;
    helper.unshare_user = a->unshare_user;
    helper.mntns = a->mntns;
    helper.a = *a;
    helper.alive = 1;
    /* The helper starts with every signal blocked. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    ns->pid = clone(helper_entry, helper.stack + sizeof helper.stack,
                    CLONE_VM | CLONE_PIDFD | CLONE_CHILD_CLEARTID |
                        (a->unshare_user ? 0 : ISO_CLONE_FLAGS) | SIGCHLD,
                    NULL, &ns->pidfd, NULL, (void *)&helper.alive);
    saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(sv[0]); /* the helper has its own copy of the descriptors */
    if (ns->pid < 0) {
        helper.alive = 0;
        close(sv[1]);
        ns->pidfd = -1;
        iso_err(e, saved, "cannot create the sandbox's namespaces");
        return -1; /* ns->pid < 0: the kernel refused the namespace */
    }
    ns->sock = sv[1];
    return 0;
}

void iso_nsahead_close(struct iso_nsahead *ns)
{
    if (ns->sock >= 0) close(ns->sock);
    if (ns->pidfd >= 0) close(ns->pidfd);
    ns->sock = ns->pidfd = -1;
}

/* ---- the caller and PID 1: the helper's reports ------------------------------ */

static int heard(int sock, int step, struct isolate_error *e)
{
    struct ns_msg m = {0, 0};
    ssize_t n;

    while ((n = read(sock, &m, sizeof m)) < 0 && errno == EINTR) {
    }
    if (n == (ssize_t)sizeof m && m.step == step && !m.err) return 0;
    if (n == (ssize_t)sizeof m && m.err && m.step >= 0 &&
        m.step < (int)(sizeof steps / sizeof *steps))
        step = m.step; /* what failed */
    else
        m.err = n < 0 ? errno : EPIPE; /* or the helper ended without a word */
    iso_err(e, m.err, "%s", steps[step]);
    return -1;
}

/* Caller: the user namespace exists, its ids mapped, the mounts made (the
 * first report). A refusal by the kernel is said as such (userns.c). */
int iso_nsahead_user(int sock, struct isolate_error *e)
{
    return heard(sock, STEP_USER, e);
}

int iso_nsahead_join(int sock, int pidfd, int net, struct isolate_error *e)
{
    int rc = heard(sock, STEP_IPC_NET, e);

    /* Never a sandbox left in the supervisor's namespaces (the host's). */
    if (rc == 0 && setns(pidfd, CLONE_NEWIPC | (net ? CLONE_NEWNET : 0)) < 0) {
        iso_err(e, errno, "cannot enter the sandbox's IPC and network namespaces");
        rc = -1;
    }
    close(pidfd);
    if (rc < 0 || !net) close(sock);
    return rc;
}

int iso_nsahead_loopback(int sock, struct isolate_error *e)
{
    int rc = heard(sock, STEP_LOOPBACK, e);
    close(sock);
    return rc;
}
