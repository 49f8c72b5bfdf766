/*
 * supervise.c - the supervisor: isolate-init's first role.
 *
 * Runs as the process the shell waits for (the shell's job; for the CLI, the
 * CLI process itself), freshly exec'd, in the sandbox's user and mount
 * namespaces but outside its PID and network namespaces. It creates PID 1,
 * its child, which shares its memory (pid1.c).
 * Keeping the supervisor outside the PID namespace is what lets job control
 * work: a PID 1 cannot be stopped, the supervisor can, so Ctrl-Z stops the
 * command and then the supervisor, and the shell sees a stopped job that `fg`
 * resumes. The sandbox cannot signal the supervisor (it is neither visible in
 * the sandbox's PID namespace nor in its process group).
 *
 * It forwards the signals it receives to PID 1, relays stop and continue,
 * hands the terminal back and forth, and enforces the limits: a timer for the
 * wall clock and a watchdog (watchdog.c) for the sandbox's CPU time, memory,
 * tasks and private space. A limit reached kills PID 1, and with it the whole
 * PID namespace. PID 1 watches the process limit too (taskcount.c), and with
 * a cgroup the kernel says at once when it refused a fork (pids.events).
 * Finally it writes the reports and ends the way the command ended (same exit
 * code, or death by the same signal) so that the shell reports it as it would
 * report the command itself; a limit gives its own status (124 for the wall
 * clock, as timeout(1) does).
 * On the first run of a new box with a --setup, it puts the box in place once
 * the setup has succeeded, or removes it (boxsetup.c, init.c).
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
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often the watchdog looks: well within --time's 0.5 s of accuracy. */
#define WATCH_NS (50 * 1000 * 1000)

static const int forwarded[] = {SIGINT,   SIGTERM, SIGHUP,  SIGQUIT, SIGUSR1, SIGUSR2,
                                SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, 0};

struct sup {
    const struct iso_init_opts *o;
    pid_t init;
    int init_done, init_status;
    pid_t ns_pid; /* the namespace helper, until reaped (or 0) */
    struct rusage ru;
    int have_result, result; /* the command's wait status, from PID 1 */
    unsigned killed_by;      /* the limit that stopped the sandbox */
    struct timespec start;
    long max_tasks;
    unsigned long long max_mem;
    double max_cpu;              /* the watchdog's last look: the tree's CPU time */
    double next_sample;          /* when the next full look is due, in seconds */
    int grace;                   /* timer: PID 1's time to end the sandbox itself */
    int events;                  /* PID 1's events */
    int setup_failed, committed; /* a new box's --setup (boxsetup.c) */
    struct isolate_error setup_err;
};

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

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

static int arm(int fd, long long first_ns, long long every_ns);

static void stop_sandbox(struct sup *s, unsigned limit)
{
    if (s->killed_by || s->init_done) return;
    s->killed_by = limit;
    iso_log(s->o->verbose, "watchdog: the %s limit is reached after %.3f s; ending the sandbox",
            iso_limit_name(limit), since(&s->start));
    /* The cgroup kills every process at once and keeps counting their CPU. */
    if (s->o->cg_dir >= 0 && iso_cgroup_kill(s->o->cg_dir) == 0) return;
    /* PID 1 kills and reaps everything, so that it is all accounted for; a
     * PID 1 that does not within the grace period is killed, and the kernel
     * then kills the whole PID namespace. */
    kill(s->init, ISO_SIG_END);
    if (s->grace >= 0) arm(s->grace, ISO_END_GRACE_NS, 0);
}

/* The watchdog's look at the sandbox. */
static void watch(struct sup *s)
{
    const struct isolate_limits *l = &s->o->limits;
    unsigned long long slack = l->tmp_size / 16 < 65536 ? l->tmp_size / 16 : 65536;
    struct timespec t0;
    struct iso_usage u;
    unsigned long long tmp;
    double cost;
    long procs;

    if (s->killed_by) return;
    /* With a cgroup: its counters are exact, and cheap to read. */
    if (s->o->cg_dir >= 0) {
        long long usec = iso_cgroup_stat(s->o->cg_dir, "cpu.stat", "usage_usec");
        if (usec >= 0 && (double)usec / 1e6 > s->max_cpu) s->max_cpu = (double)usec / 1e6;
        if (l->time_s && s->max_cpu >= l->time_s) return stop_sandbox(s, ISO_LIMIT_TIME);
        if ((s->o->by_cgroup & ISO_LIMIT_MEM) &&
            iso_cgroup_stat(s->o->cg_dir, "memory.events", "oom_kill") > 0)
            return stop_sandbox(s, ISO_LIMIT_MEM);
        if ((s->o->by_cgroup & ISO_LIMIT_PIDS) &&
            iso_cgroup_stat(s->o->cg_dir, "pids.events", "max") > 0)
            return stop_sandbox(s, ISO_LIMIT_PIDS);
    }
    /* Every tick: what is cheap to know. */
    procs = iso_count_processes() - 1; /* isolate's own PID 1 is not the command's */
    if (procs > s->max_tasks) s->max_tasks = procs;
    if (l->pids && !(s->o->by_cgroup & ISO_LIMIT_PIDS) && procs > l->pids)
        return stop_sandbox(s, ISO_LIMIT_PIDS);
    /* Full: what is left is less than a write could use (tmpfs refuses the
     * write that does not fit, so the last few pages may stay free). */
    tmp = l->tmp_size ? iso_tmp_used(s->o->tmp_path) : 0;
    if (l->tmp_size && tmp + iso_overlay_used(s->o, tmp) + slack >= l->tmp_size)
        return stop_sandbox(s, ISO_LIMIT_TMP);
    /* Now and then: every process's figures, at most a twentieth of the time. */
    if (!(l->time_s || l->mem || l->pids) || since(&s->start) < s->next_sample) return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (iso_usage_sample(&u, NULL) < 0) return;
    cost = since(&t0);
    s->next_sample = since(&s->start) + cost * 20;
    u.tasks -= 1;
    if (u.tasks > s->max_tasks) s->max_tasks = u.tasks;
    if (u.mem_bytes > s->max_mem) s->max_mem = u.mem_bytes;
    if (u.cpu_s > s->max_cpu) s->max_cpu = u.cpu_s;
    if (l->time_s && u.cpu_s >= l->time_s)
        stop_sandbox(s, ISO_LIMIT_TIME);
    else if (l->mem && !(s->o->by_cgroup & ISO_LIMIT_MEM) && u.mem_bytes >= l->mem)
        stop_sandbox(s, ISO_LIMIT_MEM);
    else if (l->pids && !(s->o->by_cgroup & ISO_LIMIT_PIDS) && u.tasks > l->pids)
        stop_sandbox(s, ISO_LIMIT_PIDS);
}

static void reap(struct sup *s, int options)
{
    if (!s->init_done && wait4(s->init, &s->init_status, options, &s->ru) == s->init)
        s->init_done = 1;
    /* The namespace helper, when the isolate program started it (nsahead.c):
     * it exits once PID 1 has joined its namespaces. */
    if (s->ns_pid > 0 && wait4(s->ns_pid, NULL, options | __WALL, NULL) != 0) s->ns_pid = 0;
}

static void on_event(struct sup *s, const struct iso_event *ev);

/* A new box's --setup ended. Success: the box is put in place, and PID 1
 * starts the command, with libc, while this process waits in a raw read for
 * it to have started (they share memory, see pid1.c). Failure: no box, and
 * the run ends with 125. */
static void setup_done(struct sup *s, int wstatus)
{
    struct iso_event next;
    long n;

    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        char how[64];
        if (WIFSIGNALED(wstatus))
            snprintf(how, sizeof how, "was killed by SIG%s", iso_signame(WTERMSIG(wstatus)));
        else
            snprintf(how, sizeof how, "failed (exit status %d)", WEXITSTATUS(wstatus));
        iso_err(&s->setup_err, 0, "box '%s': its --setup %s, so the box was not made",
                s->o->box_name, how);
        s->setup_failed = 1;
    } else if (iso_box_commit(s->o, &s->setup_err) < 0) {
        s->setup_failed = 1;
    }
    if (s->setup_failed) {
        kill(s->init, SIGKILL);
        return;
    }
    s->committed = 1;
    iso_raw_syscall(SYS_kill, s->init, ISO_SIG_GO, 0);
    while ((n = iso_raw_syscall(SYS_read, s->events, (long)&next, sizeof next)) == -EINTR) {
    }
    if (n == (long)sizeof next && next.type != ISO_EV_STARTED) on_event(s, &next);
}

static void on_event(struct sup *s, const struct iso_event *ev)
{
    if (ev->tasks > s->max_tasks) s->max_tasks = ev->tasks;
    if (ev->type == ISO_EV_SETUP) {
        setup_done(s, ev->wstatus);
    } else if (ev->type == ISO_EV_STOPPED) {
        stop_like(s, ev->sig);
    } else if (ev->type == ISO_EV_LIMIT) {
        /* PID 1 ends the sandbox itself: the limit is known for certain. */
        if (!s->killed_by) s->killed_by = (unsigned)ev->sig;
        iso_log(s->o->verbose, "PID 1: the %s limit is reached after %.3f s; ending the sandbox",
                iso_limit_name((unsigned)ev->sig), since(&s->start));
    } else if (ev->type == ISO_EV_EXITED) {
        s->have_result = 1;
        s->result = ev->wstatus;
    }
}

static void on_signal(struct sup *s, const struct signalfd_siginfo *si)
{
    switch (si->ssi_signo) {
    case SIGCHLD:
        reap(s, WNOHANG);
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

static int arm(int fd, long long first_ns, long long every_ns)
{
    struct itimerspec t = {
        .it_value = {first_ns / 1000000000, first_ns % 1000000000},
        .it_interval = {every_ns / 1000000000, every_ns % 1000000000},
    };
    return timerfd_settime(fd, 0, &t, NULL);
}

static int make_timer(double seconds, long long every_ns)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    long long ns = seconds ? (long long)(seconds * 1e9) : every_ns;
    if (fd >= 0 && arm(fd, ns > 0 ? ns : 1, every_ns) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* PID 1 could not set the sandbox up: it said why; the reports say it too. */
static void __attribute__((noreturn))
setup_failed(const struct iso_init_opts *o, pid_t pid1, const struct isolate_error *why)
{
    struct isolate_error e = *why;

    if (pid1 > 0) waitpid(pid1, NULL, __WALL);
    iso_net_stop(o);
    if (!e.msg[0]) {
        iso_err(&e, 0, "the sandbox's PID 1 ended during its setup");
        isolate_perror(&e);
    }
    iso_report_failure(o->report_fd, o->meta_fd, &o->limits, &e);
    if (o->cg_dir >= 0) iso_cgroup_remove(o->cg_root, o->cg_name);
    _exit(ISOLATE_EXIT_FAILURE);
}

/* Starts PID 1 and waits, without libc, for its first event: the command has
 * started, or could not. End of file means PID 1 failed before that. */
static pid_t start_pid1(const struct iso_init_opts *o, int *events, struct iso_event *first)
{
    struct isolate_error e;
    pid_t pid = iso_pid1_start(o, events, &e);
    long n;

    if (pid < 0) {
        isolate_perror(&e);
        setup_failed(o, -1, &e);
    }
    while ((n = iso_raw_syscall(SYS_read, *events, (long)first, sizeof *first)) == -EINTR) {
    }
    if (n != (long)sizeof *first) setup_failed(o, pid, &iso_pid1_error);
    return pid;
}

int iso_supervise(const struct iso_init_opts *o)
{
    const struct isolate_limits *l = &o->limits;
    struct sup s = {.o = o, .grace = -1, .ns_pid = o->ns_pid};
    struct isolate_error e;
    struct iso_result r;
    struct iso_event first;
    sigset_t all, handled;
    int sfd, wall = -1, tick = -1, status, events;
    struct pollfd pf[6];

    clock_gettime(CLOCK_MONOTONIC, &s.start);
    iso_overlay_used(o, 0); /* the disk's free space before the command writes */
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    /* The caller may have died before the death signal was inherited. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != o->parent) _exit(ISOLATE_EXIT_FAILURE);
    s.init = start_pid1(o, &events, &first);
    s.events = events;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGCONT);
    for (const int *f = forwarded; *f; f++) sigaddset(&handled, *f);
    sfd = signalfd(-1, &handled, SFD_CLOEXEC);
    if (l->wall_s) wall = make_timer(l->wall_s, 0);
    if (l->time_s || l->mem || l->pids || l->tmp_size) tick = make_timer(0, WATCH_NS);
    if (wall >= 0 || tick >= 0) s.grace = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (sfd < 0 || (l->wall_s && wall < 0) || ((l->time_s || l->mem || l->pids) && tick < 0)) {
        iso_err(&e, errno, "cannot set up the supervisor");
        isolate_perror(&e);
        kill(s.init, SIGKILL);
        _exit(ISOLATE_EXIT_FAILURE);
    }
    /* PID 1 has what it needed of the capabilities passed to this process. */
    if (iso_caps_drop_held(&e) < 0) {
        isolate_perror(&e);
        kill(s.init, SIGKILL);
        _exit(ISOLATE_EXIT_FAILURE);
    }
    on_event(&s, &first); /* STARTED, or EXITED: the command could not start */

    pf[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
    pf[1] = (struct pollfd){.fd = events, .events = POLLIN};
    pf[2] = (struct pollfd){.fd = wall, .events = POLLIN};
    pf[3] = (struct pollfd){.fd = tick, .events = POLLIN};
    pf[4] = (struct pollfd){.fd = s.grace, .events = POLLIN};
    /* The kernel notifies pids.events when it refuses a fork at pids.max:
     * the limit is known at once, not at the next tick. */
    pf[5] = (struct pollfd){.fd = -1, .events = POLLPRI};
    if (o->by_cgroup & ISO_LIMIT_PIDS) pf[5].fd = iso_cgroup_watch(o->cg_dir, "pids.events");
    /* Until PID 1 closes the event pipe: it alone holds the write end, so
     * end of file means it is exiting (a SIGCHLD may have come and gone
     * before this process existed, so it is not waited for here). */
    while (pf[1].fd >= 0) {
        uint64_t ticks;
        if (poll(pf, 6, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pf[1].revents) {
            struct iso_event event;
            ssize_t n = read(events, &event, sizeof event);
            if (n == (ssize_t)sizeof event)
                on_event(&s, &event);
            else if (n == 0 || (n < 0 && errno != EINTR))
                pf[1].fd = -1; /* PID 1 is gone */
        }
        if (pf[0].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) on_signal(&s, &si);
        }
        if (pf[2].revents && read(wall, &ticks, sizeof ticks) > 0) stop_sandbox(&s, ISO_LIMIT_WALL);
        if (pf[3].revents && read(tick, &ticks, sizeof ticks) > 0) watch(&s);
        if (pf[5].revents && iso_cgroup_value(pf[5].fd, "max") > 0)
            stop_sandbox(&s, ISO_LIMIT_PIDS);
        if (pf[4].revents && read(s.grace, &ticks, sizeof ticks) > 0) {
            iso_log(o->verbose, "PID 1 did not end the sandbox in time: killing it");
            kill(s.init, SIGKILL);
        }
    }
    iso_log(o->verbose, "PID 1 closed its events after %.3f s", since(&s.start));
    reap(&s, 0);
    iso_log(o->verbose, "PID 1 reaped after %.3f s", since(&s.start));
    if (o->fg && iso_tty_owner(o->ctty) == s.init) iso_tty_give(o->ctty, getpgrp());
    if (o->box_stage && !s.committed) {
        /* The run ended before a new box's --setup succeeded: no box. */
        iso_box_discard(o);
        if (s.setup_failed) {
            isolate_perror(&s.setup_err);
            iso_report_failure(o->report_fd, o->meta_fd, &o->limits, &s.setup_err);
            if (o->cg_dir >= 0) iso_cgroup_remove(o->cg_root, o->cg_name);
            _exit(ISOLATE_EXIT_FAILURE);
        }
        if (!o->quiet)
            iso_say("box '%s' was not made: the run ended before its --setup did", o->box_name);
    }

    iso_conclude(&r, o, s.have_result ? &s.result : NULL, s.init_status, &s.ru, since(&s.start),
                 s.killed_by, s.max_tasks, s.max_mem, s.max_cpu);
    if (o->cg_dir >= 0) {
        iso_conclude_cgroup(&r, o);
        iso_cgroup_remove(o->cg_root, o->cg_name);
    }
    iso_report_json(o->report_fd, &r);
    iso_report_meta(o->meta_fd, &r);
    if (r.killed_by && !o->quiet) iso_say("stopped: %s", r.message);
    iso_net_stop(o);
    iso_overlay_summary(o);
    status = iso_result_status(&r);
    end_like(status);
}
