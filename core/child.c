/*
 * child.c - the setup sequence of the sandbox-building child.
 *
 * The child is cloned by isolate_spawn() with CLONE_VM (or is the CLI process
 * itself). It joins the sandbox's user namespace, which the namespace helper
 * created and mapped (nsahead.c), and the mount namespace the helper made too
 * (or, for a box or a NAT helper, creates it), builds the file system,
 * arranges the descriptors and execs isolate-init as the supervisor, which
 * creates PID 1 with the PID and UTS namespaces (pid1.c). The caller waits
 * until the exec; no address space is copied.
 *
 * A non-root uid loses its capabilities at exec, so the three the supervisor
 * needs to create PID 1 and its namespaces (CAP_SYS_ADMIN, CAP_NET_ADMIN for
 * loopback, CAP_SETPCAP to empty the bounding set) are made ambient: they are
 * capabilities over the sandbox's own user namespace only, PID 1 drops every
 * one before the command runs, and the supervisor drops its own once PID 1
 * exists.
 *
 * For a box, the child creates its mount namespace itself: the box's home
 * (box.c) is then its working directory, which unshare carries
 * over to the new namespace's copy of that mount. open_tree() refuses to copy
 * a mount of another namespace, so this is how a directory the caller opened
 * (without following links) is bound without ever being looked up again by
 * name, where a link could have been planted meanwhile.
 *
 * The child runs on a stack the caller provides, on data it prepared.
 * Failures are written into plan->err for the caller to report.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int helper_caps[] = {CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SETPCAP};

static int keep_caps_across_exec(struct isolate_error *e)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d) < 0) goto fail;
    /* Ambient needs the capability inheritable as well as permitted. */
    for (size_t i = 0; i < sizeof helper_caps / sizeof *helper_caps; i++)
        d[helper_caps[i] / 32].inheritable |= 1U << (helper_caps[i] % 32);
    if (syscall(SYS_capset, &h, d) < 0) goto fail;
    for (size_t i = 0; i < sizeof helper_caps / sizeof *helper_caps; i++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, helper_caps[i], 0, 0) < 0) goto fail;
    return 0;
fail:
    iso_err(e, errno, "cannot pass capabilities to isolate-init");
    return -1;
}

int iso_child_setup(struct iso_plan *plan)
{
    struct isolate_error *e = &plan->err;
    int helper;

    /* The sandbox's user namespace, made by the namespace helper (nsahead.c),
     * its ids mapped: joining it gives every capability inside it, as
     * creating it would; and for the default sandbox, the mount namespace the
     * helper made (a private copy of the caller's, as unshare would make). */
    if (setns(plan->ns_pidfd, CLONE_NEWUSER | (plan->ns_mntns ? CLONE_NEWNS : 0)) < 0) {
        iso_err(e, errno, "cannot enter the sandbox's user and mount namespaces");
        return -1;
    }
    iso_log(plan->verbose,
            "user namespace: uid %lu and gid %lu mapped to themselves, setgroups denied",
            (unsigned long)plan->uid, (unsigned long)plan->gid);
    /* With job control the supervisor leads the job's process group. */
    if (plan->new_pgrp && setpgid(0, 0) < 0) {
        iso_err(e, errno, "cannot create a process group");
        return -1;
    }
    /* --net's helper starts from the caller's view of the mounts (nethelper.c). */
    if (iso_net_start(plan, e) < 0) return -1;
    if (plan->pin_fd >= 0 && fchdir(plan->pin_fd) < 0) {
        iso_err(e, errno, "cannot enter the box's home");
        return -1;
    }
    if (!plan->ns_mntns && unshare(CLONE_NEWNS) < 0) {
        iso_err(e, errno, "cannot create the sandbox's mount namespace");
        return -1;
    }
    if (iso_mounts_setup(plan, e) < 0 || iso_share_setup(plan, e) < 0) return -1;
    if ((helper = iso_fds_prepare(plan, e)) < 0 || keep_caps_across_exec(e) < 0) return -1;
    /* The supervisor dies with the caller; PID 1 dies with the supervisor. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        iso_err(e, errno, "prctl(PR_SET_PDEATHSIG)");
        return -1;
    }
    iso_log(plan->verbose, "exec isolate-init as the supervisor");
    execveat(helper, "", plan->helper_argv, plan->envp, AT_EMPTY_PATH);
    iso_err(e, errno, "cannot start the isolate-init helper");
    return -1;
}
