/*
 * child.c - the setup sequence, in the sandbox-building child.
 *
 * Runs in the new user, mount, network, IPC, UTS and cgroup namespaces, either
 * in a clone child that shares the calling shell's memory while the shell is
 * suspended (CLONE_VM|CLONE_VFORK), or in the CLI process itself after
 * unshare(). It therefore only makes system calls on data the parent prepared,
 * and ends by exec'ing isolate-init, which releases the shell and becomes the
 * supervisor. Any failure is written into plan->err for the parent to report.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int iso_child_setup(struct iso_plan *plan)
{
    struct isolate_error *e = &plan->err;

    /* With job control the supervisor leads the job's process group; the
     * sandbox itself gets another one, so `kill 0` inside never reaches it. */
    if (plan->new_pgrp && setpgid(0, 0) < 0) {
        iso_err(e, errno, "cannot create a process group");
        return -1;
    }
    if (iso_userns_map(plan, e) < 0) return -1;
    if (iso_uts_setup(plan, e) < 0) return -1;
    if (iso_net_loopback_up(plan, e) < 0) return -1;
    if (iso_mounts_setup(plan, e) < 0) return -1;
    if (chdir(plan->cwd_inside) < 0) {
        iso_err(e, errno, "cannot enter %s inside the sandbox", plan->cwd_inside);
        return -1;
    }
    if (iso_fds_prepare(plan, e) < 0) return -1;
    iso_signals_reset(&plan->keep_ignored);
    /* The supervisor dies with the shell; PID 1 dies with the supervisor, and
     * the kernel kills every process of a PID namespace whose init dies. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        iso_err(e, errno, "prctl(PR_SET_PDEATHSIG)");
        return -1;
    }
    if (iso_caps_keep_for_init(e) < 0) return -1;
    if (unshare(CLONE_NEWPID) < 0) {
        iso_err(e, errno, "cannot create a PID namespace");
        return -1;
    }
    iso_log(plan->verbose, "exec isolate-init (supervisor), PID namespace ready");
    execveat(plan->helper_fd, "", plan->helper_argv, plan->envp, AT_EMPTY_PATH);
    iso_err(e, errno, "cannot start the isolate-init helper");
    return -1;
}
