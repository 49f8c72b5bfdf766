/*
 * fallback.c - the bash builtin and the zsh module run the isolate program
 * when the kernel refuses the shell a user namespace.
 *
 * Some refusals are per program: Ubuntu's AppArmor policy
 * (kernel.apparmor_restrict_unprivileged_userns = 1) refuses user namespaces
 * to unconfined programs such as bash and zsh, and grants them to programs
 * whose profile says `userns,` (make install-apparmor installs one for the
 * isolate program). So when isolate_spawn() is refused, it starts the
 * program with the same words instead, and the program is the job the shell
 * waits for: the same policy, parsed by the same parser, and the same status.
 * If the program is refused too, it says so itself and exits 125; nothing
 * runs outside a sandbox either way.
 *
 * Runs in the caller's process (the shell). The program is started the way
 * the supervisor is: a clone that shares the shell's memory while the shell
 * waits (no copy of its page tables), all signals blocked meanwhile, the
 * child resetting every disposition before exec so that no handler of the
 * shell runs in it. With job control the child makes its own process group
 * and, when the shell owns the terminal, hands the terminal to it, as bash
 * and zsh do for any foreground job.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef ISOLATE_BINDIR
#define ISOLATE_BINDIR "/usr/local/bin"
#endif

#define STACK_SIZE (64 * 1024)

struct start {
    const char *path;
    char **argv, **envp;
    const struct isolate_caller *c;
    int tty; /* the terminal to take, or -1 */
    volatile int exec_errno;
};

/* The program: $ISOLATE_CLI, then next to this library as built (cli/ beside
 * builtin/ and zsh-module/), then where `make install` puts it. */
static int find_program(char *out, size_t size)
{
    const char *env = getenv("ISOLATE_CLI");
    Dl_info info;
    char self[PATH_MAX], *slash;

    if (env && *env == '/') {
        snprintf(out, size, "%s", env);
        return access(out, X_OK);
    }
    if (dladdr((void *)find_program, &info) && info.dli_fname && realpath(info.dli_fname, self) &&
        (slash = strrchr(self, '/'))) {
        *slash = '\0';
        snprintf(out, size, "%s/../cli/isolate", self);
        if (access(out, X_OK) == 0) return 0;
    }
    snprintf(out, size, "%s/isolate", ISOLATE_BINDIR);
    return access(out, X_OK);
}

static int child(void *arg)
{
    struct start *s = arg;
    struct sigaction sa;
    sigset_t none;

    if (s->c->new_pgrp) setpgid(0, 0);
    if (s->tty >= 0) tcsetpgrp(s->tty, getpgrp()); /* SIGTTOU is blocked here */
    memset(&sa, 0, sizeof sa);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        sa.sa_handler = sigismember(&s->c->keep_ignored, sig) == 1 ? SIG_IGN : SIG_DFL;
        sigaction(sig, &sa, NULL);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(s->path, s->argv, s->envp);
    s->exec_errno = errno;
    _exit(ISOLATE_EXIT_FAILURE);
}

/* The caller's environment, and for the program: the shell that runs -c
 * strings (it would take $SHELL), and whether the notes were said already
 * (ISOLATE_FALLBACK=1; 0 when the refusal came before the plan was made).
 * The sandbox's allowlist drops both. */
static char **program_env(const struct isolate_caller *c, int said)
{
    size_t n = 0, k = 0;
    char **env, *shell;

    for (char *const *e = c->environ; e && *e; e++) n++;
    if (!(env = calloc(n + 3, sizeof *env))) return NULL;
    for (char *const *e = c->environ; e && *e; e++)
        if (strncmp(*e, "ISOLATE_SHELL=", 14) && strncmp(*e, "ISOLATE_FALLBACK=", 17))
            env[k++] = *e;
    env[k++] = said ? "ISOLATE_FALLBACK=1" : "ISOLATE_FALLBACK=0";
    if (c->shell && (shell = malloc(strlen(c->shell) + 15))) {
        strcpy(shell, "ISOLATE_SHELL=");
        strcat(shell, c->shell);
        env[k++] = shell;
    }
    return env;
}

/* Worth trying for a per-program refusal only: a sysctl that disables user
 * namespaces, or a limit, binds the program as well. */
int iso_fallback_worth(int errnum)
{
    struct iso_userns_facts f;

    if (errnum != EPERM && errnum != EACCES) return 0;
    iso_userns_facts(&f);
    return f.unpriv_clone != 0 && f.max_userns != 0;
}

pid_t iso_fallback_spawn(const struct isolate_policy *p, const struct isolate_caller *c, int said,
                         const struct isolate_error *why, struct isolate_error *err)
{
    char stack[STACK_SIZE] __attribute__((aligned(64))), path[PATH_MAX];
    struct start s = {.path = path, .c = c, .tty = -1};
    size_t n = 0;
    sigset_t all, old;
    pid_t pid;
    int st;

    if (!p->args || p->nargs < 1 || find_program(path, sizeof path) < 0) return -1;
    if (!(s.argv = calloc((size_t)p->nargs + 1, sizeof *s.argv))) return -1;
    s.argv[n++] = path;
    for (int i = 1; i < p->nargs; i++) s.argv[n++] = p->args[i];
    if (!(s.envp = program_env(c, said))) {
        free(s.argv);
        return -1;
    }
    if (!p->quiet)
        iso_say("note: the kernel refused this shell a user namespace (%s); running %s instead",
                iso_strerror(why->errnum), path);
    if (c->new_pgrp && c->may_take_terminal &&
        (s.tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) >= 0 &&
        tcgetpgrp(s.tty) != getpgrp()) {
        close(s.tty);
        s.tty = -1;
    }
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = clone(child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
    if (pid > 0 && s.exec_errno) {
        waitpid(pid, &st, 0); /* before the shell's SIGCHLD handler can */
        iso_err(err, s.exec_errno, "cannot run %s", path);
        pid = -1;
    } else if (pid < 0) {
        iso_err(err, errno, "cannot run %s", path);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (s.tty >= 0) close(s.tty);
    for (char **e = s.envp; *e; e++)
        if (!strncmp(*e, "ISOLATE_SHELL=", 14)) free(*e);
    free(s.envp);
    free(s.argv);
    return pid;
}
