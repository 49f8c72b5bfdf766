/*
 * init.c - PID 1 of the sandbox, once set up (pid1.c): tini's loop.
 *
 * It starts the command with a vfork-style clone, then does what a PID 1
 * must: reaps every orphan, forwards to the command the signals the
 * supervisor passes on (a PID 1 ignores signals it has no handler for, so
 * nothing reaches the command otherwise), reports a stopped command so that
 * the supervisor can stop too, and when the command ends, kills whatever is
 * left (nothing outlives the sandbox) and reports the command's status.
 * With a process limit and no cgroup to enforce it, it also counts the
 * sandbox's tasks each time it is woken to reap (taskcount.c), and ends the
 * sandbox at the limit.
 *
 * PID 1 shares the supervisor's memory: once the command has started, and the
 * supervisor with it, every call here is a raw system call.
 *
 * The first run of a new box with a --setup runs two commands: the setup,
 * then, once it succeeded, everything it left running is gone and the
 * supervisor has put the box in place (boxsetup.c), the command. The setup
 * gets what the command gets: signals, job control, the limits.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
    char **argv;
    volatile int exec_errno;
};

/* A script without #! is run by /bin/sh, as shells do. */
static void exec_file(const char *path, char **argv)
{
    execve(path, argv, environ);
    if (errno == ENOEXEC) {
        char *sh[256];
        int n = 0;
        sh[n++] = "/bin/sh";
        sh[n++] = (char *)path;
        for (int i = 1; argv[i] && n < 255; i++) sh[n++] = argv[i];
        sh[n] = NULL;
        execve("/bin/sh", sh, environ);
        errno = ENOEXEC;
    }
}

/* PATH search with a shell's verdicts: "not found" (127) unless a matching
 * file exists but cannot be executed (126). Unreadable directories in PATH
 * are skipped, not reported (glibc's execvpe would report EACCES). */
static int exec_command(char **argv)
{
    const char *path = getenv("PATH"), *p;
    char buf[4096];
    int denied = 0;

    if (strchr(argv[0], '/')) {
        exec_file(argv[0], argv);
        return errno;
    }
    for (p = path ? path : "/usr/bin:/bin"; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
        size_t dlen = strcspn(p, ":");
        struct stat st;
        if ((size_t)snprintf(buf, sizeof buf, "%.*s%s%s", (int)dlen, p, dlen ? "/" : "", argv[0]) >=
            sizeof buf)
            continue;
        exec_file(buf, argv);
        if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) return errno;
        if (errno == EACCES && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) denied = 1;
    }
    return denied ? EACCES : ENOENT;
}

static int cmd_entry(void *arg)
{
    struct cmd *c = arg;
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    c->exec_errno = exec_command(c->argv);
    _exit(127);
}

/* From here on PID 1 shares the running supervisor's memory (pid1.c): raw
 * system calls only, and nothing that touches errno or libc's state. */
static void send_event(int fd, int type, int wstatus, int sig, long tasks)
{
    struct iso_event ev = {.type = type, .wstatus = wstatus, .sig = sig, .tasks = tasks};
    while (iso_raw_syscall(SYS_write, fd, (long)&ev, sizeof ev) == -EINTR) {
    }
}

static void __attribute__((noreturn)) finish(int evfd, int wstatus, long tasks)
{
    /* Nothing outlives the command: kill the rest of the namespace, reap. */
    iso_raw_syscall(SYS_kill, -1, SIGKILL, 0);
    for (;;) {
        long w = iso_raw_syscall5(SYS_wait4, -1, 0, __WALL, 0, 0);
        if (w < 0 && w != -EINTR) break;
    }
    send_event(evfd, ISO_EV_EXITED, wstatus, 0, tasks);
    for (;;) iso_raw_syscall(SYS_exit_group, 0, 0, 0);
}

/* A limit was reached: the command is killed with the rest, and its status
 * is the one reported. */
static void __attribute__((noreturn)) end_sandbox(int evfd, pid_t cmd, long tasks)
{
    long w;
    int st;

    iso_raw_syscall(SYS_kill, -1, SIGKILL, 0);
    while ((w = iso_raw_syscall5(SYS_wait4, -1, (long)&st, __WALL, 0, 0)) > 0 || w == -EINTR)
        if (w == cmd) finish(evfd, st, tasks);
    finish(evfd, SIGKILL, tasks);
}

/* Before the command runs: libc is still PID 1's to use. */
static pid_t start_command(struct cmd *c, int evfd)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    struct isolate_error e;
    pid_t pid;

    pid = clone(cmd_entry, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, c);
    if (pid < 0) {
        iso_err(&e, errno, "cannot start the command");
        isolate_perror(&e);
        finish(evfd, ISOLATE_EXIT_FAILURE << 8, 0);
    }
    if (c->exec_errno) {
        int code = c->exec_errno == ENOENT ? ISOLATE_EXIT_NOTFOUND : ISOLATE_EXIT_NOEXEC;
        if (c->exec_errno == ENOENT && !strchr(c->argv[0], '/'))
            iso_say("%s: command not found", c->argv[0]);
        else
            iso_say("%s: %s", c->argv[0], iso_strerror(c->exec_errno));
        finish(evfd, code << 8, 0);
    }
    return pid;
}

/* A box's --setup ended: nothing it started outlives it, the supervisor is
 * told, and the command starts when the supervisor says so (ISO_SIG_GO; it
 * kills PID 1 instead when the setup failed). The supervisor then waits in a
 * raw read until the command has started, so libc is PID 1's again. */
static pid_t after_setup(const struct iso_init_opts *o, struct cmd *c, int evfd, int st)
{
    unsigned long long all = ~0ULL;
    siginfo_t si;
    pid_t pid;
    long w;

    iso_raw_syscall(SYS_kill, -1, SIGKILL, 0);
    while ((w = iso_raw_syscall5(SYS_wait4, -1, 0, __WALL, 0, 0)) > 0 || w == -EINTR) {
    }
    send_event(evfd, ISO_EV_SETUP, st, 0, 0);
    for (;;) {
        long sig = iso_raw_syscall5(SYS_rt_sigtimedwait, (long)&all, (long)&si, 0, 8, 0);
        if (sig < 0 || si.si_code == SI_KERNEL || si.si_pid != 0) continue;
        if (sig == ISO_SIG_GO) break;
        if (sig == ISO_SIG_END) finish(evfd, SIGKILL, 0);
    }
    c->argv = o->argv;
    c->exec_errno = 0;
    pid = start_command(c, evfd);
    send_event(evfd, ISO_EV_STARTED, 0, 0, 0);
    return pid;
}

struct init {
    const struct iso_init_opts *o;
    struct cmd *c;
    int setup; /* a box's --setup runs, not yet the command */
    int evfd;
    pid_t cmd;
    int proc;        /* the sandbox's /proc, when PID 1 watches the process limit */
    long limit;      /* that limit */
    long max_seen;   /* the most tasks counted */
    long long every; /* ns between looks while many tasks run, or 0 */
    long long next;  /* no look before then */
};

static long long now_ns(void)
{
    struct timespec t;
    iso_raw_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&t, 0);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Counts the sandbox against the process limit, and ends it there. While at
 * least half the limit runs, PID 1 also looks between wake-ups, as often as
 * twenty times what a look costs allows (a storm of forks is over within
 * milliseconds); processes alone then, a lower bound that is cheap to get.
 * However often processes end, looking takes at most a fifth of PID 1's time
 * (a look at a thousand processes costs about a millisecond). */
static void count(struct init *in, int threads)
{
    long long t0 = now_ns(), cost;
    long n;

    if (t0 < in->next) return;
    n = iso_count_tasks(in->proc, threads);
    cost = now_ns() - t0;
    in->next = t0 + cost * 5;

    if (n > in->max_seen) in->max_seen = n;
    if (n > in->limit) {
        send_event(in->evfd, ISO_EV_LIMIT, 0, ISO_LIMIT_PIDS, n);
        end_sandbox(in->evfd, in->cmd, n);
    }
    in->every = n >= 0 && n * 2 >= in->limit ? (cost * 20 > 200000 ? cost * 20 : 200000) : 0;
}

static void on_signal(struct init *in, int sig, int code, int from)
{
    long w;
    int st;

    if (sig == SIGCHLD) {
        /* Before reaping: a zombie still counts for the kernel. */
        if (in->limit) count(in, 1);
        while ((w = iso_raw_syscall5(SYS_wait4, -1, (long)&st, WNOHANG | WUNTRACED, 0, 0)) > 0) {
            if (w != in->cmd) continue;
            if (WIFSTOPPED(st)) {
                send_event(in->evfd, ISO_EV_STOPPED, 0, WSTOPSIG(st), 0);
            } else if (in->setup) {
                in->setup = 0;
                in->cmd = after_setup(in->o, in->c, in->evfd, st);
                break;
            } else {
                finish(in->evfd, st, in->max_seen);
            }
        }
        return;
    }
    /* Signals the terminal sent to the whole process group already reached
     * the command; processes inside the sandbox may not direct PID 1.
     * Forward only what came from outside (the supervisor, or a user
     * signalling this process): those carry no pid in this namespace. */
    if (code == SI_KERNEL || from != 0) return;
    /* A limit the supervisor watches was reached. */
    if (sig == ISO_SIG_END) end_sandbox(in->evfd, in->cmd, in->max_seen);
    if (sig == SIGCONT)
        iso_raw_syscall(SYS_kill, -1, SIGCONT, 0);
    else
        iso_raw_syscall(SYS_kill, in->cmd, sig, 0);
}

void iso_init_main(const struct iso_init_opts *o, int evfd)
{
    int setup = o->setup_argv[0] != NULL;
    struct cmd c = {.argv = setup ? (char **)o->setup_argv : o->argv};
    struct init in = {.o = o, .c = &c, .setup = setup, .evfd = evfd, .proc = -1};
    unsigned long long all = ~0ULL;
    siginfo_t si;

    iso_log(o->verbose, "PID 1: no capabilities, not dumpable, own process group");
    /* The process limit is PID 1's to watch too, unless a cgroup enforces it. */
    if (o->limits.pids && !(o->by_cgroup & ISO_LIMIT_PIDS)) {
        in.proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        in.limit = in.proc >= 0 ? o->limits.pids : 0;
    }
    in.cmd = start_command(&c, evfd);
    /* The supervisor goes on from here, and PID 1 leaves libc to it. */
    send_event(evfd, ISO_EV_STARTED, 0, 0, 0);
    for (;;) {
        struct timespec every = {in.every / 1000000000, in.every % 1000000000};
        long sig = iso_raw_syscall5(SYS_rt_sigtimedwait, (long)&all, (long)&si,
                                    in.every ? (long)&every : 0, 8, 0);
        if (sig > 0)
            on_signal(&in, (int)sig, si.si_code, si.si_pid);
        else if (sig == -EAGAIN)
            count(&in, 0);
    }
}
