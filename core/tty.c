/*
 * tty.c - handing the controlling terminal between process groups.
 *
 * Used by PID 1 (to take the terminal for the sandbox's process group before
 * the command starts), by the supervisor (to take it back when the command
 * stops or ends, and to give it again on SIGCONT), and by the front ends (to
 * reclaim it if a supervisor was killed). tcsetpgrp from a background process
 * group raises SIGTTOU unless it is blocked, so it is blocked for the call.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

int iso_tty_give(int fd, pid_t pgrp)
{
    sigset_t block, old;
    int rc, saved;

    sigemptyset(&block);
    sigaddset(&block, SIGTTOU);
    sigprocmask(SIG_BLOCK, &block, &old);
    rc = tcsetpgrp(fd, pgrp);
    saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return rc;
}

int iso_tty_owner(int fd)
{
    return (int)tcgetpgrp(fd);
}

ISO_PUBLIC void isolate_reclaim_terminal(void)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    pid_t owner, me = getpgrp();

    if (fd < 0) return;
    owner = tcgetpgrp(fd);
    /* Only if the terminal sits with a group that no longer exists. */
    if (owner > 0 && owner != me && kill(-owner, 0) < 0 && errno == ESRCH) iso_tty_give(fd, me);
    close(fd);
}
