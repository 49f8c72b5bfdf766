/*
 * isolate - the standalone executable, for scripts, CI and shells other than
 * bash and zsh. A thin front end: it parses with the shared parser and lets
 * the core turn this very process into the sandbox's supervisor, so the shell
 * that started it sees an ordinary job (Ctrl-C, Ctrl-Z and fg work).
 */
#include "../core/isolate.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int is_pipe(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

int main(int argc, char **argv)
{
    struct isolate_policy p;
    struct isolate_error err;
    struct isolate_caller c;
    /* ISOLATE_SHELL: set by the bash builtin or the zsh module when they run
     * this program in their stead (core/fallback.c). */
    const char *shell = getenv("ISOLATE_SHELL") ? getenv("ISOLATE_SHELL") : getenv("SHELL");
    int status = ISOLATE_EXIT_FAILURE;

    if (isolate_parse(&p, argc, argv, &err) < 0) {
        isolate_perror(&err);
        return ISOLATE_EXIT_FAILURE;
    }
    memset(&c, 0, sizeof c);
    c.shell = shell && *shell == '/' ? shell : "/bin/sh";
    c.environ = environ;
    /* One element of a pipeline shares the terminal with the others. */
    c.may_take_terminal = !is_pipe(0) && !is_pipe(1);
    c.new_pgrp = 0;
    /* A shell's fallback (fallback.c): 1 when the shell said them already. */
    c.notes_said = getenv("ISOLATE_FALLBACK") && strcmp(getenv("ISOLATE_FALLBACK"), "0");
    c.is_program = 1;
    sigemptyset(&c.keep_ignored);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
            sigaddset(&c.keep_ignored, sig); /* nohup isolate ... keeps SIGHUP ignored */
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
        status = 0;
        if (isolate_explain(&p, &c, stdout, &err) < 0) {
            isolate_perror(&err);
            status = ISOLATE_EXIT_FAILURE;
        }
        break;
    case ISOLATE_MODE_BOXES:
    case ISOLATE_MODE_RM_BOX:
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
        status = isolate_review(&p, &c, stdout);
        break;
    case ISOLATE_MODE_DOCTOR:
        status = isolate_doctor(&c, stdout);
        break;
    case ISOLATE_MODE_RUN:
        isolate_exec(&p, &c, &err); /* returns only on failure */
        isolate_perror(&err);
        status = ISOLATE_EXIT_FAILURE;
        break;
    }
    /* Released on every way out: make test-asan checks for leaks. */
    isolate_policy_free(&p);
    return status;
}
