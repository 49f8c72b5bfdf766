/*
 * fds.c - file descriptors: 0, 1 and 2, and nothing else unless asked.
 *
 * Runs in the sandbox-building child just before its exec, on the child's own
 * copy of the descriptor table (the clone does not share it with the shell).
 * Every inherited descriptor from 3 up is marked close-on-exec in one call, so
 * a shell's `exec 7<secret`, its history file, coprocess pipes or a leaked
 * socket never reach the sandbox; --keep-fd descriptors are then re-opened to
 * exec, and the controlling terminal is placed above them for isolate-init's
 * own use (the command does not inherit it).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

int iso_fds_prepare(const struct iso_plan *plan, struct isolate_error *e)
{
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
    if (plan->fg && plan->tty_src >= 0) {
        if (plan->tty_src == plan->ctty_fd) {
            if (fcntl(plan->ctty_fd, F_SETFD, 0) < 0) goto tty;
        } else if (dup2(plan->tty_src, plan->ctty_fd) < 0) {
            goto tty;
        }
    }
    iso_log(plan->verbose, "file descriptors: 0 1 2%s passed, all others closed",
            plan->nkeep_fds ? " and --keep-fd ones" : "");
    return 0;
tty:
    iso_err(e, errno, "cannot pass the terminal to isolate-init");
    return -1;
}
