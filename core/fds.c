/*
 * fds.c - file descriptors: 0, 1 and 2, and nothing else unless asked.
 *
 * Runs in the sandbox-building child just before it execs the supervisor, on
 * the child's own copy of the descriptor table (the clone does not share it
 * with the shell). Every inherited descriptor from 3 up is marked
 * close-on-exec in one call, so a shell's `exec 7<secret`, its history file,
 * coprocess pipes or a leaked socket never reach the sandbox; the --keep-fd
 * ones are re-opened to exec. Then the few descriptors the supervisor needs
 * are placed above every --keep-fd. PID 1 closes those again (pid1.c), and the
 * command never sees isolate's descriptors.
 *
 * Returns the descriptor of isolate-init to exec (moved out of the way too).
 * Nothing else inherited may sit on the target numbers: isolate_spawn() keeps
 * its "released" pipe above them.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

/* src to dst, open across exec. */
static int place(int src, int dst)
{
    if (src == dst) return fcntl(dst, F_SETFD, 0);
    return dup2(src, dst) < 0 ? -1 : 0;
}

int iso_fds_prepare(const struct iso_plan *plan, struct isolate_error *e)
{
    /* Sources for the supervisor's numbers, in the order of ISO_FD_*; the
     * first, the event pipe, is the supervisor's to create. */
    int src[ISO_FD_COUNT] = {-1,
                             plan->fg ? plan->tty_src : -1,
                             plan->report_fd,
                             plan->meta_fd,
                             plan->cg_dir,
                             plan->cg_root,
                             plan->box_fd,
                             plan->box_root_fd};
    int moved[ISO_FD_COUNT], high, helper;

    for (int i = 8; i < ISO_FD_COUNT; i++) src[i] = -1;
    /* --net's helper (nethelper.c): its readiness, its messages, its pidfd. */
    src[ISO_FD_NETREADY(plan) - plan->fd_base] = plan->net.ready_fd;
    src[ISO_FD_NETLOG(plan) - plan->fd_base] = plan->net.log_fd;
    src[ISO_FD_NETPID(plan) - plan->fd_base] = plan->net.pid_fd;
    /* The namespace helper's reports and pidfd (nsahead.c), for PID 1. */
    src[ISO_FD_NS(plan) - plan->fd_base] = plan->ns_sock;
    src[ISO_FD_NSPID(plan) - plan->fd_base] = plan->ns_pidfd;
    /* --overlay (overlay.c): the run's directory and the layers' host directories. */
    iso_overlay_fd_sources(plan, src + (ISO_FD_RUN(plan) - plan->fd_base));

    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        iso_err(e, errno, "cannot close inherited file descriptors");
        if (errno == ENOSYS || errno == EINVAL)
            iso_err_hint(e, "isolate needs Linux 5.11 or later (close_range)");
        return -1;
    }
    for (size_t i = 0; i < plan->nkeep_fds; i++)
        if (plan->keep_fds[i] > 2 && fcntl(plan->keep_fds[i], F_SETFD, 0) < 0) {
            iso_err(e, errno, "--keep-fd %d", plan->keep_fds[i]);
            return -1;
        }
    /* Move the sources out of the way first: any may sit on a target. */
    high = plan->fd_base + ISO_FD_COUNT;
    helper = fcntl(plan->helper_fd, F_DUPFD_CLOEXEC, high);
    if (helper < 0) goto fail;
    for (int i = 0; i < ISO_FD_COUNT; i++)
        if (src[i] >= 0 && (moved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, high)) < 0) goto fail;
    for (int i = 0; i < ISO_FD_COUNT; i++)
        if (src[i] >= 0 && place(moved[i], plan->fd_base + i) < 0) goto fail;
    iso_log(plan->verbose, "file descriptors: 0 1 2%s passed, all others closed",
            plan->nkeep_fds ? " and --keep-fd ones" : "");
    return helper;
fail:
    iso_err(e, errno, "cannot pass descriptors to isolate-init");
    return -1;
}
