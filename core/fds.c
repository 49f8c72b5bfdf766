/*
 * fds.c - file descriptors: 0, 1 and 2, and nothing else unless asked.
 *
 * Runs in each of the two sandbox-building children just before its exec, on
 * the child's own copy of the descriptor table (the clones do not share it
 * with the shell). Every inherited descriptor from 3 up is marked
 * close-on-exec in one call, so a shell's `exec 7<secret`, its history file,
 * coprocess pipes or a leaked socket never reach the sandbox. Then the few
 * descriptors isolate-init needs are placed above every --keep-fd, and for
 * PID 1 (whose exec leads to the command) the --keep-fd descriptors are
 * re-opened to exec. The command itself never sees isolate's descriptors:
 * they are close-on-exec in isolate-init.
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

int iso_fds_prepare(const struct iso_plan *plan, int events, int for_pid1, struct isolate_error *e)
{
    /* Sources for the supervisor's numbers, in the order of ISO_FD_*. */
    int src[ISO_FD_COUNT] = {events, -1, -1, -1, -1, -1}, moved[ISO_FD_COUNT], high, helper;

    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        iso_err(e, errno, "cannot close inherited file descriptors");
        if (errno == ENOSYS || errno == EINVAL)
            iso_err_hint(e, "isolate needs Linux 5.11 or later (close_range)");
        return -1;
    }
    if (for_pid1)
        for (size_t i = 0; i < plan->nkeep_fds; i++)
            if (plan->keep_fds[i] > 2 && fcntl(plan->keep_fds[i], F_SETFD, 0) < 0) {
                iso_err(e, errno, "--keep-fd %d", plan->keep_fds[i]);
                return -1;
            }
    if (!for_pid1) {
        src[1] = plan->fg ? plan->tty_src : -1;
        src[2] = plan->report_fd;
        src[3] = plan->meta_fd;
        src[4] = plan->cg_dir;
        src[5] = plan->cg_root;
    }
    /* Move the sources out of the way first: any may sit on a target. */
    high = plan->fd_base + ISO_FD_COUNT;
    helper = fcntl(plan->helper_fd, F_DUPFD_CLOEXEC, high);
    if (helper < 0) goto fail;
    for (int i = 0; i < ISO_FD_COUNT; i++)
        if (src[i] >= 0 && (moved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, high)) < 0) goto fail;
    for (int i = 0; i < ISO_FD_COUNT; i++)
        if (src[i] >= 0 && place(moved[i], plan->fd_base + i) < 0) goto fail;
    if (for_pid1)
        iso_log(plan->verbose, "file descriptors: 0 1 2%s passed, all others closed",
                plan->nkeep_fds ? " and --keep-fd ones" : "");
    return helper;
fail:
    iso_err(e, errno, "cannot pass descriptors to isolate-init");
    return -1;
}
