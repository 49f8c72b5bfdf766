/*
 * supervise.c - the supervisor: isolate-init's first role.
 *
 * Runs as the process the shell waits for (the shell's job; for the CLI, the
 * CLI process itself), freshly exec'd, in the sandbox's user and mount
 * namespaces but outside its PID and network namespaces; PID 1 is its child.
 * Keeping the supervisor outside the PID namespace is what lets job control
 * work: a PID 1 cannot be stopped, the supervisor can, so Ctrl-Z stops the
 * command and then the supervisor, and the shell sees a stopped job that `fg`
 * resumes. The sandbox cannot signal the supervisor (it is neither visible in
 * the sandbox's PID namespace nor in its process group).
 *
 * It forwards the signals it receives to PID 1, relays stop and continue,
 * hands the terminal back and forth, and finally ends the way the command
 * ended (same exit code, or death by the same signal) so the shell reports it
 * as it would report the command itself.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                                SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, 0};

struct sup {
    const struct iso_init_opts *o;
    pid_t init;
    int init_done, init_status;
    int have_result, result; /* the command's wait status, from PID 1 */
};

/* Stops the supervisor (and the rest of its process group: the job) with the
 * signal that stopped the command, so the shell reports "Stopped" as usual. */
static void stop_like(struct sup *s, int sig)
{
    struct sigaction dfl;
    sigset_t one;

    if (s->o->fg && iso_tty_owner(s->o->ctty) == s->init) iso_tty_give(s->o->ctty, getpgrp());
    if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) sig = SIGTSTP;
    /* An interactive shell ignores the stop signals, and so did this process
     * until now (ignored dispositions survive exec). */
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigemptyset(&one);
    sigaddset(&one, sig);
    kill(0, sig);
    /* The signal is pending on us; unblocking it applies its default action,
     * stop, and execution resumes here on SIGCONT. */
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    sigprocmask(SIG_BLOCK, &one, NULL);
}

static void resume(struct sup *s)
{
    if (s->o->fg && iso_tty_owner(s->o->ctty) == getpgrp()) iso_tty_give(s->o->ctty, s->init);
    kill(s->init, SIGCONT);
}

static void on_event(struct sup *s, const struct iso_event *ev)
{
    if (ev->type == ISO_EV_STOPPED) {
        stop_like(s, ev->sig);
    } else if (ev->type == ISO_EV_EXITED) {
        s->have_result = 1;
        s->result = ev->wstatus;
    }
}

static void on_signal(struct sup *s, const struct signalfd_siginfo *si)
{
    int st;

    switch (si->ssi_signo) {
    case SIGCHLD:
        if (!s->init_done && waitpid(s->init, &st, WNOHANG) == s->init) {
            s->init_done = 1;
            s->init_status = st;
        }
        return;
    case SIGCONT:
        resume(s);
        return;
    default:
        kill(s->init, (int)si->ssi_signo);
    }
}

static void __attribute__((noreturn)) end_like(int wstatus)
{
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        struct rlimit none = {0, 0};
        struct sigaction dfl;
        sigset_t one;

        /* Die the same death, without a core dump of our own. */
        setrlimit(RLIMIT_CORE, &none);
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
        sigemptyset(&one);
        sigaddset(&one, sig);
        kill(getpid(), sig);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : ISOLATE_EXIT_FAILURE);
}

int iso_supervise(const struct iso_init_opts *o)
{
    struct sup s = {.o = o, .init = o->pid1};
    struct isolate_error e;
    sigset_t all, handled;
    int sfd;
    struct pollfd pf[2];

    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    /* The caller may have died before the death signal was inherited. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != o->parent) {
        kill(o->pid1, SIGKILL);
        _exit(ISOLATE_EXIT_FAILURE);
    }
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGCONT);
    for (const int *f = forwarded; *f; f++) sigaddset(&handled, *f);
    sfd = signalfd(-1, &handled, SFD_CLOEXEC);
    if (sfd < 0) {
        iso_err(&e, errno, "cannot set up the supervisor");
        isolate_perror(&e);
        kill(o->pid1, SIGKILL);
        _exit(ISOLATE_EXIT_FAILURE);
    }

    pf[0].fd = sfd;
    pf[0].events = POLLIN;
    pf[1].fd = o->events;
    pf[1].events = POLLIN;
    /* Until PID 1 closes the event pipe: it alone holds the write end, so
     * end of file means it is exiting (a SIGCHLD may have come and gone
     * before this process existed, so it is not waited for here). */
    while (pf[1].fd >= 0) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pf[1].revents) {
            struct iso_event event;
            ssize_t n = read(o->events, &event, sizeof event);
            if (n == (ssize_t)sizeof event)
                on_event(&s, &event);
            else if (n == 0 || (n < 0 && errno != EINTR))
                pf[1].fd = -1; /* PID 1 is gone */
        }
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) on_signal(&s, &si);
        }
    }
    if (!s.init_done && waitpid(s.init, &s.init_status, 0) == s.init) s.init_done = 1;
    if (o->fg && iso_tty_owner(o->ctty) == s.init) iso_tty_give(o->ctty, getpgrp());

    if (s.have_result) end_like(s.result);
    /* PID 1 died without a report: it was killed from outside (or failed and
     * said why). End the same way. */
    if (WIFEXITED(s.init_status) && WEXITSTATUS(s.init_status) == 0)
        end_like(ISOLATE_EXIT_FAILURE << 8);
    end_like(s.init_status);
}
