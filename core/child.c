/*
 * child.c - the setup sequence, in two clones that share the caller's memory.
 *
 * The setup child is cloned by isolate_spawn() with CLONE_VM into new user and
 * mount namespaces (or is the CLI process itself, after unshare()). It first
 * clones PID 1, with CLONE_VM, into a new PID namespace, then maps the ids and
 * builds the file system while PID 1's clone creates the network, IPC, UTS and
 * cgroup namespaces (the supervisor needs none of them). Then it lets PID 1 go on and execs isolate-init as
 * the supervisor, while PID 1 takes the terminal, mounts /proc, drops every
 * capability, loads the seccomp filter and execs isolate-init as the
 * sandbox's init. The caller waits until both have exec'd. No address space
 * is copied, and no fork is needed later.
 *
 * Both clones run on stacks the caller provides, on data it prepared. They
 * share one memory and one thread pointer, hence one errno, so at any moment
 * only one of them uses libc: PID 1 makes raw system calls (iso_raw_syscall)
 * until the go byte, and the setup child makes only raw calls after sending
 * it. Failures are written into plan->err and plan->pid1_err.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* PID 1's first steps, concurrent with the setup child: raw calls only, and
 * the outcome is left in the plan to be reported afterwards. */
static void pid1_namespaces(struct iso_plan *plan)
{
    long rc;

    /* Into the sandbox's cgroup first: the cgroup namespace is rooted there. */
    plan->ns_step = "cannot enter the sandbox's cgroup";
    if ((rc = iso_cgroup_enter_raw(plan)) < 0) goto fail;
    plan->ns_step = "cannot create the network, IPC, UTS and cgroup namespaces";
    if ((rc = iso_raw_syscall(SYS_unshare, ISO_PID1_FLAGS, 0, 0)) < 0) goto fail;
    plan->ns_step = "cannot set the host name";
    if ((rc = iso_uts_setup_raw()) < 0) goto fail;
    plan->ns_step = "cannot bring up loopback";
    if ((rc = iso_net_loopback_raw()) < 0) goto fail;
    plan->ns_step = NULL;
    return;
fail:
    plan->ns_errno = (int)-rc;
}

static int pid1_entry(void *arg)
{
    struct iso_plan *plan = arg;
    struct isolate_error *e = &plan->pid1_err;
    char go;
    int helper;

    /* Raw system calls only, until the go byte. End of file instead means
     * the setup child failed; it reports. The clone copied the descriptor
     * table, write end of the go pipe included: without closing that copy,
     * end of file never comes and a failed setup hangs the caller. */
    iso_raw_syscall(SYS_close, plan->go_write, 0, 0);
    pid1_namespaces(plan);
    if (iso_raw_syscall(SYS_read, plan->go_read, (long)&go, 1) != 1)
        iso_raw_syscall(SYS_exit, ISOLATE_EXIT_FAILURE, 0, 0);

    if (plan->ns_step) {
        iso_err(e, plan->ns_errno, "%s", plan->ns_step);
        goto fail;
    }
    iso_log(plan->verbose, "network, IPC, UTS ('%s') and cgroup namespaces: private; "
            "network: loopback only, up", ISO_HOSTNAME);
    /* A process group of its own, never the shell's: `kill 0` inside cannot
     * reach the caller; with the terminal, Ctrl-C and Ctrl-Z reach the sandbox. */
    if (setpgid(0, 0) < 0) {
        iso_err(e, errno, "cannot create the sandbox's process group");
        goto fail;
    }
    if (plan->fg && iso_tty_give(plan->tty_src, getpgrp()) < 0) {
        iso_err(e, errno, "cannot hand the terminal to the sandbox");
        goto fail;
    }
    if (iso_mount_proc(plan->verbose, e) < 0) goto fail;
    if (iso_limits_apply(&plan->limits, e) < 0) goto fail;
    /* This clone's working directory was taken before the mounts: it still
     * points into what they now cover (the real home, say). Enter it anew. */
    if (chdir(plan->cwd_inside) < 0) {
        iso_err(e, errno, "cannot enter %s inside the sandbox", plan->cwd_inside);
        goto fail;
    }
    iso_signals_reset(&plan->keep_ignored);
    if ((helper = iso_fds_prepare(plan, plan->ev_write, 1, e)) < 0) goto fail;
    /* PID 1 dies with the supervisor; the kernel then kills the namespace. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        iso_err(e, errno, "prctl(PR_SET_PDEATHSIG)");
        goto fail;
    }
    if (iso_caps_drop_all(e) < 0) goto fail;
    if (iso_seccomp_load(plan->verbose, e) < 0) goto fail;
    execveat(helper, "", plan->init_argv, plan->envp, AT_EMPTY_PATH);
    iso_err(e, errno, "cannot start the isolate-init helper");
fail:
    _exit(ISOLATE_EXIT_FAILURE);
}

struct pid1 {
    pid_t pid;
    int go, events;
};

/* Starts PID 1, which begins with the network namespace. */
static int start_pid1(struct iso_plan *plan, struct pid1 *p)
{
    struct isolate_error *e = &plan->err;
    int ev[2], go[2];

    if (pipe2(ev, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
        iso_err(e, errno, "cannot create pipes");
        return -1;
    }
    plan->ev_write = ev[1];
    plan->go_read = go[0];
    plan->go_write = go[1];
    plan->pid1_err.msg[0] = '\0';
    p->pid = clone(pid1_entry, plan->pid1_stack + plan->pid1_stack_size,
                   CLONE_VM | CLONE_NEWPID | SIGCHLD, plan);
    if (p->pid < 0) {
        iso_err(e, errno, "cannot create the PID namespace");
        return -1;
    }
    /* PID 1 holds the only copies of these ends now. */
    close(ev[1]);
    close(go[0]);
    p->events = ev[0];
    p->go = go[1];
    snprintf(plan->pid1_arg, 24, "%d", (int)p->pid);
    return 0;
}

/* Setup failed while PID 1 still waits for its go: it exits on end of file. */
static int abort_pid1(struct pid1 *p)
{
    close(p->go);
    waitpid(p->pid, NULL, 0);
    return -1;
}

int iso_child_setup(struct iso_plan *plan)
{
    struct isolate_error *e = &plan->err;
    struct pid1 p1;
    char go = 1;
    long rc;
    int helper;

    /* With job control the supervisor leads the job's process group. */
    if (plan->new_pgrp && setpgid(0, 0) < 0) {
        iso_err(e, errno, "cannot create a process group");
        return -1;
    }
    /* PID 1 first: its namespaces take longest, and need no id map. */
    if (start_pid1(plan, &p1) < 0) return -1;
    if (iso_userns_map(plan, e) < 0 || iso_mounts_setup(plan, e) < 0) return abort_pid1(&p1);
    if ((helper = iso_fds_prepare(plan, p1.events, 0, e)) < 0) return abort_pid1(&p1);
    /* The supervisor dies with the caller; PID 1 dies with the supervisor. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        iso_err(e, errno, "prctl(PR_SET_PDEATHSIG)");
        return abort_pid1(&p1);
    }
    iso_log(plan->verbose, "exec isolate-init as the supervisor; PID 1 goes on");

    /* From the go byte on, PID 1 uses libc: raw system calls only here. */
    rc = iso_raw_syscall(SYS_write, p1.go, (long)&go, 1);
    if (rc == 1)
        rc = iso_raw_syscall5(SYS_execveat, helper, (long)"", (long)plan->sup_argv,
                              (long)plan->envp, AT_EMPTY_PATH);
    /* Still here: PID 1 may be running; stop it before touching libc again. */
    iso_raw_syscall(SYS_kill, p1.pid, SIGKILL, 0);
    iso_raw_syscall5(SYS_wait4, p1.pid, 0, 0, 0, 0);
    iso_err(e, (int)-rc, "cannot start the isolate-init helper");
    return -1;
}
