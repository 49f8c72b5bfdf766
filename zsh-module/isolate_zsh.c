/*
 * isolate.so - the zsh module:  module_path+=(./zsh-module); zmodload isolate
 *
 * A thin adapter: words in, status out. zsh passes metafied strings, which
 * are unmetafied before anything reaches the core. The sandbox's supervisor
 * is added to the job zsh created for this command line, and the job is
 * marked as an external command's: zsh's SIGCHLD handler reaps every child
 * with waitpid(-1), so only a process in its job table keeps its status, and
 * as a normal job it gets Ctrl-Z, `jobs`, `fg` and `bg`. zsh then waits for
 * the job itself after this builtin returns, and $? becomes the command's.
 */
#include <zsh/zsh.mdh>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../core/isolate.h"

#define VISIBLE __attribute__((visibility("default")))

static int is_pipe(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static void fill_caller(struct isolate_caller *c, char *shellbuf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", shellbuf, len - 1);

    memset(c, 0, sizeof *c);
    shellbuf[n > 0 ? n : 0] = '\0';
    c->shell = n > 0 ? shellbuf : "/bin/zsh";
    c->environ = environ;
    c->may_take_terminal = simple_pline && !is_pipe(0) && !is_pipe(1);
    c->new_pgrp = jobbing ? 1 : 0;
    sigemptyset(&c->keep_ignored);
    for (int sig = 1; sig < NSIG && sig < VSIGCOUNT; sig++)
        if (sigtrapped[sig] & ZSIG_IGNORED) sigaddset(&c->keep_ignored, sig);
    /* A background subshell without job control ignores SIGINT and SIGQUIT,
     * and passes that on to what it runs. */
    if (subsh && !jobbing) {
        struct sigaction sa;
        if (sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
            sigaddset(&c->keep_ignored, SIGINT);
        if (sigaction(SIGQUIT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
            sigaddset(&c->keep_ignored, SIGQUIT);
    }
}

static int warned_pipeline;

static char *job_text(char **argv, int argc)
{
    static char text[JOBTEXTSIZE];
    size_t used = 0;

    text[0] = '\0';
    for (int i = 0; i < argc && used + 2 < sizeof text; i++) {
        int n = snprintf(text + used, sizeof text - used, "%s%s", i ? " " : "", argv[i]);
        if (n < 0) break;
        used += (size_t)n;
        if (used >= sizeof text) used = sizeof text - 1;
    }
    return text;
}

static int run(struct isolate_policy *p, char **argv, int argc, char *nam)
{
    struct isolate_caller c;
    struct isolate_error err;
    struct timeval bgtime;
    char shell[4096];
    sigset_t chld, old;
    pid_t pid;

    if (thisjob < 0) {
        zwarnnam(nam, "cannot run here: no job to attach the sandbox to");
        return ISOLATE_EXIT_FAILURE;
    }
    fill_caller(&c, shell, sizeof shell);
    /* simple_pline: zsh's "this pipeline is a single command"; in a pipeline
     * element's subshell it is inherited from the whole pipeline. */
    if (!warned_pipeline && !simple_pline) {
        warned_pipeline = 1;
        isolate_note_pipeline();
    }
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid = isolate_spawn(p, &c, &err);
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        isolate_perror(&err);
        return ISOLATE_EXIT_FAILURE;
    }
    gettimeofday(&bgtime, NULL);
    addproc(pid, job_text(argv, argc), 0, &bgtime, -1, -1);
    /* From here on this job is an external command's, not a builtin's: zsh
     * waits for it, lets Ctrl-Z suspend it, and takes $? from it. */
    jobtab[thisjob].stat &= ~(STAT_CURSH | STAT_BUILTIN | STAT_NOPRINT);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

static int bin_isolate(char *nam, char **args, UNUSED(Options ops), UNUSED(int func))
{
    struct isolate_policy p;
    struct isolate_error err;
    struct isolate_caller c;
    char shell[4096];
    int argc = 1, status = ISOLATE_EXIT_FAILURE;
    char **argv;

    for (char **a = args; *a; a++) argc++;
    argv = (char **)zhalloc((size_t)(argc + 1) * sizeof *argv);
    argv[0] = "isolate";
    for (int i = 1; i < argc; i++) argv[i] = unmetafy(dupstring(args[i - 1]), NULL);
    argv[argc] = NULL;

    if (isolate_parse(&p, argc, argv, &err) < 0) {
        isolate_perror(&err);
        return ISOLATE_EXIT_FAILURE;
    }
    switch (p.mode) {
    case ISOLATE_MODE_HELP:
        fputs(isolate_usage_text, stdout);
        status = 0;
        break;
    case ISOLATE_MODE_VERSION:
        printf("isolate %s\n", ISOLATE_VERSION);
        status = 0;
        break;
    case ISOLATE_MODE_EXPLAIN:
        fill_caller(&c, shell, sizeof shell);
        status = 0;
        if (isolate_explain(&p, &c, stdout, &err) < 0) {
            isolate_perror(&err);
            status = ISOLATE_EXIT_FAILURE;
        }
        break;
    case ISOLATE_MODE_BOXES:
    case ISOLATE_MODE_RM_BOX:
        fill_caller(&c, shell, sizeof shell);
        status = 0;
        if (isolate_boxes(&p, &c, stdout, &err) < 0) {
            isolate_perror(&err);
            status = ISOLATE_EXIT_FAILURE;
        }
        break;
    case ISOLATE_MODE_CHECK:
        status = isolate_check_run(&p, stdout);
        break;
    case ISOLATE_MODE_REVIEW:
        fill_caller(&c, shell, sizeof shell);
        status = isolate_review(&p, &c, stdout);
        break;
    case ISOLATE_MODE_DOCTOR:
        fill_caller(&c, shell, sizeof shell);
        status = isolate_doctor(&c, stdout);
        break;
    case ISOLATE_MODE_RUN:
        status = run(&p, argv, argc, nam);
        break;
    }
    fflush(stdout);
    isolate_policy_free(&p);
    return status;
}

static struct builtin bintab[] = {
    /* BINF_HANDLES_OPTS: zsh would otherwise drop a leading "--" itself. */
    BUILTIN("isolate", BINF_HANDLES_OPTS, bin_isolate, 0, -1, 0, NULL, NULL),
};

static struct features module_features = {
    bintab, sizeof(bintab) / sizeof(*bintab), NULL, 0, NULL, 0, NULL, 0, 0,
};

VISIBLE int setup_(UNUSED(Module m))
{
    return 0;
}

VISIBLE int features_(Module m, char ***features)
{
    *features = featuresarray(m, &module_features);
    return 0;
}

VISIBLE int enables_(Module m, int **enables)
{
    return handlefeatures(m, &module_features, enables);
}

VISIBLE int boot_(UNUSED(Module m))
{
    return 0;
}

VISIBLE int cleanup_(Module m)
{
    return setfeatureenables(m, &module_features, NULL);
}

VISIBLE int finish_(UNUSED(Module m))
{
    return 0;
}
