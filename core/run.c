/*
 * run.c - the parent side: plan, create the namespaces, report.
 *
 * isolate_spawn() runs in the caller's process, typically the user's
 * interactive shell. It must not copy the shell's address space (that is most
 * of the cost of starting anything from a shell), and must not change the
 * shell: so the sandbox-building child is a clone with CLONE_VM|CLONE_VFORK
 * into the new namespaces. The shell is suspended while the child works on
 * data prepared here, on a stack that is a local array of this function, and
 * resumes when the child has exec'd isolate-init (or has failed, leaving its
 * error in the plan). All signals are blocked around the clone so that no
 * shell signal handler can run on the child's stack; the child unblocks
 * nothing before its exec.
 *
 * isolate_exec() is the same sequence for the CLI, which builds the sandbox
 * in its own process with unshare() and becomes the supervisor by exec.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STACK (96 * 1024)

static int child_entry(void *arg)
{
    struct iso_plan *plan = arg;
    iso_child_setup(plan);
    _exit(ISOLATE_EXIT_FAILURE);
}

static void say_notes(const struct iso_plan *plan)
{
    if (plan->cwd_note && !plan->quiet)
        iso_say("note: the current directory %s %s; it is not exposed (starting in %s; "
                "-w . or --ro . exposes it)",
                plan->cwd_host, plan->cwd_note, plan->cwd_inside);
}

static int prepare(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, pid_t parent, struct isolate_error *err)
{
    if (iso_plan_build(plan, p, c, err) < 0) return -1;
    plan->parent_pid = parent;
    if (iso_plan_prepare_run(plan, p, c, err) < 0) {
        iso_plan_free(plan);
        return -1;
    }
    say_notes(plan);
    return 0;
}

ISO_PUBLIC pid_t isolate_spawn(const struct isolate_policy *p, const struct isolate_caller *c,
                               struct isolate_error *err)
{
    char stack[CHILD_STACK] __attribute__((aligned(64)));
    struct iso_plan plan;
    sigset_t all, old;
    pid_t pid;
    int saved;

    if (prepare(&plan, p, c, getpid(), err) < 0) return -1;
    plan.err.msg[0] = '\0';

    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = clone(child_entry, stack + sizeof stack, CLONE_VM | CLONE_VFORK | ISO_CLONE_FLAGS | SIGCHLD,
                &plan);
    saved = errno;
    if (pid > 0 && plan.err.msg[0]) {
        /* The child failed and exited: reap it while SIGCHLD is still blocked,
         * before the shell's own handler could see an unknown child. */
        waitpid(pid, NULL, 0);
        *err = plan.err;
        pid = -1;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0 && !plan.err.msg[0]) {
        iso_err(err, saved, "cannot create the sandbox's namespaces");
        iso_userns_hint(err, saved);
    }
    iso_plan_free(&plan);
    return pid;
}

ISO_PUBLIC int isolate_exec(const struct isolate_policy *p, const struct isolate_caller *c,
                            struct isolate_error *err)
{
    struct iso_plan plan;

    if (prepare(&plan, p, c, getppid(), err) < 0) return -1;
    if (unshare(ISO_CLONE_FLAGS) < 0) {
        int saved = errno;
        iso_err(err, saved, "cannot create the sandbox's namespaces");
        iso_userns_hint(err, saved);
    } else {
        iso_child_setup(&plan); /* returns only on failure */
        *err = plan.err;
    }
    iso_plan_free(&plan);
    return -1;
}
