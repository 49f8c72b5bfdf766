/*
 * run.c - the parent side: plan, create the namespaces, report.
 *
 * isolate_spawn() runs in the caller's process, typically the user's
 * interactive shell. It must not copy the shell's address space (that is most
 * of the cost of starting anything from a shell), and must not change the
 * shell: so the sandbox-building child is a clone with CLONE_VM into the new
 * namespaces (see child.c). The shell waits in read() on a close-on-exec pipe
 * while that child works on data prepared here, on a stack that is a local
 * array of this function; the pipe reaches end of file when the child has
 * exec'd isolate-init (or exited after a failure, leaving its error in the
 * plan): CLONE_VFORK's guarantee, with the write end kept where the child's
 * dup2()s cannot close it early. All signals are blocked meanwhile, so that
 * no shell signal handler can run on that stack; the child unblocks nothing
 * before its exec.
 *
 * Before all that, the namespace helper is started (nsahead.c): it creates
 * the sandbox's user namespace and maps the caller's ids in it, makes the
 * mount namespace, which the setup child joins, and then the IPC and
 * network namespaces, for PID 1, while the plan is made and the file system
 * built.
 *
 * isolate_exec() is the same sequence for the CLI, which builds the sandbox
 * in its own process and becomes the supervisor by exec.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
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
    iso_share_warn(plan);
    iso_box_notes(plan);
    iso_netmode_notes(plan);
    if (plan->quiet) return;
    if (plan->cwd_note)
        iso_say("note: the current directory %s %s; it is not exposed (starting in %s; "
                "-w . or --ro . exposes it)",
                plan->cwd_host, plan->cwd_note, plan->cwd_inside);
    /* A path named through a symlink: say what is shared in fact, since a
     * symlink left in a writable directory may point anywhere. */
    for (size_t i = 0; i < plan->nmounts; i++)
        for (size_t j = 0; plan->mounts[i].kind == ISO_M_LINK && j < plan->nmounts; j++)
            if (plan->mounts[j].kind == ISO_M_BIND &&
                !strcmp(plan->mounts[j].path, plan->mounts[i].link_to))
                iso_say("note: %s %s is a symbolic link: %s is what the command can %s",
                        plan->mounts[j].label, plan->mounts[i].path, plan->mounts[j].path,
                        plan->mounts[j].writable ? "write" : "read");
}

/* A run that failed before its report files were open still reports. */
static void report_early(const struct isolate_policy *p, const struct isolate_error *err)
{
    struct isolate_error ignored;
    int json = p->report_path ? iso_open_output(p->report_path, "--report", &ignored) : -1;
    int meta = p->meta_path ? iso_open_output(p->meta_path, "--meta", &ignored) : -1;
    iso_report_failure(json, meta, &p->limits, err);
    if (json >= 0) close(json);
    if (meta >= 0) close(meta);
}

/* Refused a user namespace in effect: the isolate program, run in the
 * builtin's place, may be allowed one (fallback.c). */
static int worth_falling_back(const struct isolate_caller *c, int refused, int errnum)
{
    return refused && !c->is_program && iso_fallback_worth(errnum);
}

/* The isolate program in the builtin's place; when it cannot start either,
 * the early report of the first failure. */
static pid_t fall_back(const struct isolate_policy *p, const struct isolate_caller *c, int said,
                       struct isolate_error *err)
{
    struct isolate_error ferr;
    pid_t pid = iso_fallback_spawn(p, c, said, err, &ferr);

    if (pid > 0) return pid;
    report_early(p, err);
    return -1;
}

/* The namespace helper first (nsahead.c): it makes the namespaces while the
 * plan is made. A box's home and the NAT helpers need the setup child to
 * make its mount namespace itself (child.c). */
static int start_namespaces(struct iso_nsahead *ns, int *helper, const struct isolate_policy *p,
                            int program, struct isolate_error *err)
{
    struct iso_nsahead_args a = {.net = p->net == ISOLATE_NET_NONE,
                                 .unshare_user = program,
                                 .mntns = !p->box && !iso_net_is_nat(p->net)};
    uid_t uid = getuid();
    gid_t gid = getgid();

    snprintf(a.uid_map, sizeof a.uid_map, "%lu %lu 1\n", (unsigned long)uid, (unsigned long)uid);
    snprintf(a.gid_map, sizeof a.gid_map, "%lu %lu 1\n", (unsigned long)gid, (unsigned long)gid);
    ns->mntns = a.mntns;
    if (iso_nsahead_start(ns, &a, err) < 0) {
        if (ns->pid < 0) iso_userns_hint(err, err->errnum);
        return -1;
    }
    if ((*helper = iso_find_helper(err)) < 0) {
        iso_nsahead_close(ns);
        return -1;
    }
    return 0;
}

/* The plan takes the helper and the namespace helper's socket over. own: the
 * supervisor will be the namespace helper's parent, and reaps it. */
static int prepare(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, pid_t parent, int helper, struct iso_nsahead *ns,
                   int own, struct isolate_error *err)
{
    if (iso_plan_build(plan, p, c, err) < 0) {
        close(helper);
        iso_nsahead_close(ns);
        report_early(p, err);
        return -1;
    }
    plan->parent_pid = parent;
    plan->helper_fd = helper;
    plan->ns_sock = ns->sock;
    plan->ns_pidfd = ns->pidfd;
    plan->ns_mntns = ns->mntns;
    ns->sock = ns->pidfd = -1;
    plan->ns_pid = own ? ns->pid : 0;
    if (iso_plan_prepare_run(plan, p, c, err) < 0) {
        iso_box_abort(plan);
        iso_plan_free(plan);
        report_early(p, err);
        return -1;
    }
    if (iso_nsahead_user(plan->ns_sock, err) < 0) {
        /* A namespace that cannot even map its creator, or whose first
         * mount is denied (AppArmor's restriction): refused in effect. */
        int refused = iso_userns_refused(err->errnum);
        if (refused) iso_userns_hint(err, err->errnum);
        iso_box_abort(plan);
        iso_cgroup_discard(plan);
        iso_overlay_discard(plan);
        iso_plan_free(plan);
        if (worth_falling_back(c, refused, err->errnum)) return -2;
        report_early(p, err);
        return -1;
    }
    if (!c->notes_said) say_notes(plan);
    return 0;
}

static pid_t spawn(const struct isolate_policy *p, const struct isolate_caller *c, int helper,
                   struct iso_nsahead *ns, struct isolate_error *err)
{
    char stack[CHILD_STACK] __attribute__((aligned(64)));
    struct iso_plan plan;
    sigset_t all, old;
    int released[2], saved = 0, fd, rc;
    pid_t pid;
    char byte;

    if ((rc = prepare(&plan, p, c, getpid(), helper, ns, 0, err)) < 0)
        return rc == -2 ? fall_back(p, c, c->notes_said, err) : -1;
    /* The write end must survive until the clone's exec: keep it above the
     * descriptor numbers the clone dup2()s onto (fds.c), which would close it
     * and let the shell resume while the clone still runs in its memory. */
    if (pipe2(released, O_CLOEXEC) < 0 ||
        (fd = fcntl(released[1], F_DUPFD_CLOEXEC, plan.fd_base + ISO_FD_COUNT)) < 0) {
        iso_err(err, errno, "cannot create a pipe");
        iso_box_abort(&plan);
        iso_plan_free(&plan);
        return -1;
    }
    close(released[1]);
    released[1] = fd;
    plan.err.msg[0] = '\0';

    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = clone(child_entry, stack + sizeof stack, CLONE_VM | SIGCHLD, &plan);
    saved = errno;
    close(released[1]);
    if (pid > 0)
        while (read(released[0], &byte, 1) < 0 && errno == EINTR) {
        }
    close(released[0]);
    if (pid > 0 && plan.err.msg[0]) {
        /* Reap the supervisor (or the failed setup child) while SIGCHLD is
         * still blocked, before the shell's own handler could see it. */
        waitpid(pid, NULL, 0);
        *err = plan.err;
        pid = -1;
    } else if (pid < 0) {
        iso_err(err, saved, "cannot start the sandbox");
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0 && worth_falling_back(c, plan.userns_refused, err->errnum)) {
        iso_cgroup_discard(&plan);
        iso_plan_free(&plan);
        return fall_back(p, c, 1, err);
    }
    if (pid < 0) {
        iso_report_failure(plan.report_fd, plan.meta_fd, &plan.limits.v, err);
        iso_cgroup_discard(&plan);
        iso_box_abort(&plan);
        iso_overlay_discard(&plan);
    }
    iso_plan_free(&plan);
    return pid;
}

ISO_PUBLIC pid_t isolate_spawn(const struct isolate_policy *p, const struct isolate_caller *c,
                               struct isolate_error *err)
{
    struct iso_nsahead ns;
    int helper;
    pid_t pid;

    if (start_namespaces(&ns, &helper, p, 0, err) < 0) {
        iso_nsahead_released();
        if (worth_falling_back(c, ns.pid < 0 && iso_userns_refused(err->errnum), err->errnum))
            return fall_back(p, c, c->notes_said, err);
        report_early(p, err);
        return -1;
    }
    pid = spawn(p, c, helper, &ns, err);
    iso_nsahead_released(); /* the helper has left this process's memory */
    return pid;
}

ISO_PUBLIC int isolate_exec(const struct isolate_policy *p, const struct isolate_caller *c,
                            struct isolate_error *err)
{
    struct iso_plan plan;
    struct iso_nsahead ns;
    sigset_t all, old;
    int helper;

    if (start_namespaces(&ns, &helper, p, 1, err) < 0) {
        report_early(p, err);
        return -1;
    }
    if (prepare(&plan, p, c, getppid(), helper, &ns, 1, err) < 0) return -1;
    /* As in isolate_spawn(): the supervisor starts with every signal blocked,
     * so that one arriving before it is ready stays pending. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    iso_child_setup(&plan); /* returns only on failure */
    *err = plan.err;
    sigprocmask(SIG_SETMASK, &old, NULL);
    iso_report_failure(plan.report_fd, plan.meta_fd, &plan.limits.v, err);
    iso_cgroup_discard(&plan);
    iso_box_abort(&plan);
    iso_overlay_discard(&plan);
    iso_plan_free(&plan);
    return -1;
}
