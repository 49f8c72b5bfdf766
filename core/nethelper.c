/*
 * nethelper.c - the user-mode NAT helper of --net (pasta or slirp4netns): its
 * start, and the sandbox's resolv.conf. (PID 1's wait for it and its end are
 * in netready.c.)
 *
 * Runs in the setup child, before it changes any mount. The helper must
 * live outside the sandbox (the host's network namespace for its sockets, the
 * host's view of /proc and /dev/net/tun, no seccomp filter of the sandbox) and
 * must gain nothing the caller does not have. So:
 *  1. a short-lived child made with CLONE_NEWNET opens its new namespace
 *     into the setup child's descriptor table (CLONE_FILES), and exits: that
 *     descriptor is the sandbox's network namespace;
 *  2. a launcher, cloned into a copy of the caller's mount namespace, execs
 *     the helper on that namespace (/proc/self/fd/3). It runs with the
 *     caller's uid, in the sandbox's user namespace, holding only
 *     CAP_SYS_ADMIN and CAP_NET_ADMIN of that namespace (to join the network
 *     namespace and configure its tap device): powers over the sandbox's
 *     namespaces, none over the host's. It has its own process group (the
 *     terminal's signals for the job do not reach it), dies with the
 *     supervisor (PR_SET_PDEATHSIG), writes its messages into a memfd, and
 *     sees the caller's files read-only, their home and sockets hidden;
 *  3. the setup child joins the namespace: the supervisor and PID 1 live in
 *     it (PID 1 then makes no namespace of its own).
 * The helper's start thus overlaps with the building of the file system.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* --- Start (setup child) ----------------------------------------------------- */

static int netns_entry(void *arg)
{
    struct iso_netplan *n = arg;
    /* The descriptor table is the setup child's (CLONE_FILES). */
    n->netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    _exit(n->netns_fd < 0 ? 1 : 0);
}

/* Ambient, so that they survive the exec of a program run by a non-root uid;
 * held in the sandbox's user namespace, which owns the network namespace. */
static int keep_net_caps(void)
{
    static const int caps[] = {CAP_SYS_ADMIN, CAP_NET_ADMIN};
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d) < 0) return -1;
    for (size_t i = 0; i < 2; i++) d[caps[i] / 32].inheritable |= 1U << (caps[i] % 32);
    if (syscall(SYS_capset, &h, d) < 0) return -1;
    for (size_t i = 0; i < 2; i++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0) < 0) return -1;
    return 0;
}

static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static int hide(const char *dir, const char *helper)
{
    struct stat st;
    if (is_under(helper, dir) || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
    return mount("tmpfs", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "size=4k,mode=0555");
}

/* The helper parses what the sandbox sends. Should that ever subvert it, it
 * finds the caller's files read-only, and the home, the temporary directories,
 * shared memory and the session's sockets (/run/user: agents, D-Bus) gone, in
 * this copy of the mount namespace that only it uses. /run stays:
 * /etc/resolv.conf often leads there. */
static int confine(const struct iso_plan *plan)
{
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID};

    if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) < 0) return -1;
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if (m->kind != ISO_M_TMPFS || m->under_private || !strcmp(m->path, "/run")) continue;
        if (hide(m->path, plan->net.helper) < 0) return -1;
    }
    if (hide("/run/user", plan->net.helper) < 0) return -1;
    return hide("/dev/shm", plan->net.helper);
}

struct launch {
    struct iso_plan *plan;
    int ready_w;
};

static int launcher_entry(void *arg)
{
    struct launch *l = arg;
    struct iso_netplan *n = &l->plan->net;
    int src[5], moved[5];
    sigset_t none;

    n->failed_step = "cannot confine";
    /* The working directory is the caller's, perhaps in the home just hidden. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || setpgid(0, 0) < 0 || confine(l->plan) < 0 ||
        chdir("/") < 0)
        goto fail;
    n->failed_step = "cannot pass descriptors to";
    src[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    src[1] = src[2] = n->log_fd;
    src[3] = n->netns_fd;
    src[4] = l->ready_w;
    if (src[0] < 0) goto fail;
    /* Out of the way first, then into place (dup2 clears close-on-exec). */
    for (int i = 0; i < 5; i++)
        if ((moved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10)) < 0) goto fail;
    for (int i = 0; i < 5; i++)
        if (dup2(moved[i], i) < 0) goto fail;
    if (syscall(SYS_close_range, 5U, ~0U, 0) < 0 || keep_net_caps() < 0) goto fail;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    n->failed_step = "cannot start";
    execve(n->helper, n->argv, l->plan->envp);
fail:
    n->exec_errno = errno ? errno : EINVAL;
    _exit(127);
}

int iso_net_start(struct iso_plan *plan, struct isolate_error *e)
{
    struct iso_netplan *n = &plan->net;
    char stack[16 * 1024] __attribute__((aligned(64)));
    struct launch l = {.plan = plan, .ready_w = -1};
    int ready[2], st;
    pid_t pid;

    if (!iso_net_is_nat(n->mode)) return 0;
    /* The children below run on this stack while this process waits
     * (CLONE_VFORK): neither outlives this frame. */
    pid = clone(netns_entry, stack + sizeof stack,
                CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_NEWNET | SIGCHLD, n);
    if (pid < 0 || waitpid(pid, &st, __WALL) < 0 || n->netns_fd < 0) {
        iso_err(e, errno, "cannot create the sandbox's network namespace");
        return -1;
    }
    n->log_fd = memfd_create("isolate-net", MFD_CLOEXEC);
    if (n->log_fd < 0 || pipe2(ready, O_CLOEXEC) < 0) {
        iso_err(e, errno, "cannot prepare the network helper");
        return -1;
    }
    l.ready_w = ready[1];
    n->exec_errno = 0;
    pid = clone(launcher_entry, stack + sizeof stack,
                CLONE_VM | CLONE_VFORK | CLONE_NEWNS | CLONE_PIDFD | SIGCHLD, &l, &n->pid_fd);
    close(ready[1]);
    n->ready_fd = ready[0];
    if (pid < 0 || n->exec_errno) {
        iso_err(e, pid < 0 ? errno : n->exec_errno, "--net: %s %s",
                pid < 0 ? "cannot start" : n->failed_step, n->helper);
        if (pid > 0) waitpid(pid, NULL, __WALL);
        return -1;
    }
    n->pid = pid;
    iso_log(plan->verbose, "network: %s started (pid %d), outside the sandbox, with your rights",
            n->helper, (int)pid);
    if (setns(n->netns_fd, CLONE_NEWNET) < 0) {
        iso_err(e, errno, "cannot enter the sandbox's network namespace");
        return -1;
    }
    close(n->netns_fd);
    n->netns_fd = -1;
    return 0;
}

/* --- resolv.conf (setup child, while it builds the file system) --------------- */

static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

static int write_file(int dir, const char *path, const char *text)
{
    size_t len = strlen(text);
    int fd = openat(dir, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (write(fd, text, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* In a private directory the file is simply written where /etc/resolv.conf
 * leads (nobody else sees that directory); elsewhere a read-only copy from the
 * private tmpfs is mounted over the host's file, which stays untouched. */
int iso_net_resolv(const struct iso_plan *plan, int tmpfs, struct isolate_error *e)
{
    const struct iso_netplan *n = &plan->net;
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                        MOUNT_ATTR_NOEXEC};
    char path[PATH_MAX];
    int fd;

    if (!n->resolv) return 0;
    if (n->resolv_private) {
        snprintf(path, sizeof path, "%s", n->resolv_at);
        if (make_parents(path) < 0 || write_file(AT_FDCWD, path, n->resolv) < 0) goto fail;
    } else {
        if (write_file(tmpfs, "resolv.conf", n->resolv) < 0) goto fail;
        fd = (int)syscall(SYS_open_tree, tmpfs, "resolv.conf", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0) goto fail;
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0 ||
            syscall(SYS_move_mount, fd, "", AT_FDCWD, n->resolv_at, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            close(fd);
            goto fail;
        }
        close(fd);
    }
    iso_log(plan->verbose, "mount: %s for the sandbox's DNS%s%s", n->resolv_at,
            n->fwd ? " through " : "", n->fwd ? n->fwd : "");
    return 0;
fail:
    iso_err(e, errno, "cannot give the sandbox its resolv.conf (%s)", n->resolv_at);
    return -1;
}
