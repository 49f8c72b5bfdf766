/*
 * signals.c - signal dispositions the command starts with.
 *
 * Runs in PID 1 (pid1.c), whose dispositions the command inherits through
 * its exec. exec resets caught signals to their default, but ignored ones
 * stay ignored, and the supervisor's came unchanged from the shell: an
 * interactive shell ignores SIGTERM, SIGQUIT and the tty stop signals for
 * itself, and the command must not inherit that (Ctrl-\ and Ctrl-Z must work,
 * `kill` must kill). Only what the front end names (signals ignored when the
 * shell started, `trap '' SIG`) stays ignored, as a shell would pass it on.
 */
#include "internal.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The ignored signals as the kernel lists them: field 33 of /proc/self/stat
 * (one read instead of a query per signal). Returns -1 if unreadable. */
static int ignored_now(unsigned long long *mask)
{
    char buf[1024], *p;
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC), field = 2;
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;

    if (fd >= 0) close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses. */
    if (!(p = strrchr(buf, ')'))) return -1;
    while (*p && field < 33)
        if (*p++ == ' ') field++;
    if (field != 33 || *p < '0' || *p > '9') return -1;
    *mask = strtoull(p, NULL, 10);
    return 0;
}

void iso_signals_reset(const sigset_t *keep_ignored)
{
    struct sigaction old, dfl;
    unsigned long long mask = ~0ULL;
    int known = ignored_now(&mask) == 0;

    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || !(mask & (1ULL << (sig - 1)))) continue;
        if (sigismember(keep_ignored, sig) == 1) continue;
        if (known || (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN))
            sigaction(sig, &dfl, NULL);
    }
}
