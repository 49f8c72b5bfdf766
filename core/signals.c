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

#include <signal.h>
#include <string.h>

void iso_signals_reset(const sigset_t *keep_ignored)
{
    struct sigaction old, dfl;

    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, NULL, &old) < 0) continue; /* reserved by libc, or invalid */
        if (old.sa_handler == SIG_IGN && !sigismember(keep_ignored, sig))
            sigaction(sig, &dfl, NULL);
    }
}
