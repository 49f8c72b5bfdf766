/*
 * isolate.so - the bash loadable builtin:  enable -f ./builtin/isolate.so isolate
 *
 * A thin adapter: words in, status out. It tells the core what only bash
 * knows (its exported environment, its path, whether this is a background job
 * or a pipeline element, which signals bash was started with ignored) and
 * registers the sandbox's supervisor in bash's own job table, as make_child()
 * would for an external command: bash's SIGCHLD handler reaps every child with
 * waitpid(-1), so a child bash does not know about would lose its status, and
 * a job bash knows about gets Ctrl-Z, `jobs`, `fg` and `bg` for free.
 * The supervisor is created without copying bash's address space (see
 * core/run.c), which is why this is not simply make_child().
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtins.h"
#include "shell.h"
#include "jobs.h"
#include "sig.h"
#include "variables.h"
#include "common.h"

#include "../core/isolate.h"

#define VISIBLE __attribute__((visibility("default")))

/* Not in bash's installed headers (trap.h), but exported by bash. */
extern SigHandler *original_signals[];
extern int signal_is_ignored(int);

extern PROCESS *the_pipeline;

static char **words_to_argv(WORD_LIST *list, int *argc)
{
    int n = 1;
    char **argv;

    for (WORD_LIST *l = list; l; l = l->next) n++;
    argv = malloc((size_t)(n + 1) * sizeof *argv);
    if (!argv) return NULL;
    argv[0] = "isolate";
    n = 1;
    for (WORD_LIST *l = list; l; l = l->next) argv[n++] = l->word->word;
    argv[n] = NULL;
    *argc = n;
    return argv;
}

/* The text `jobs` shows for this job. */
static char *job_text(char **argv, int argc)
{
    size_t len = 1;
    char *s;

    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
    s = xmalloc(len);
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i) strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* What make_child() does in the parent after fork(), for a pid bash did not
 * fork itself (add_process() is static in bash, so it is repeated here). */
static void register_child(pid_t pid, char *text)
{
    PROCESS *t;

    if (job_control) {
        if (pipeline_pgrp == 0) pipeline_pgrp = pid;
        setpgid(pid, pipeline_pgrp);
    } else if (pipeline_pgrp == 0) {
        pipeline_pgrp = shell_pgrp;
    }
    t = (PROCESS *)xmalloc(sizeof(PROCESS));
    t->next = the_pipeline;
    t->pid = pid;
    WSTATUS(t->status) = 0;
    t->running = PS_RUNNING;
    t->command = text;
    the_pipeline = t;
    if (t->next == 0) {
        t->next = t;
    } else {
        PROCESS *p = t->next;
        while (p->next != t->next) p = p->next;
        p->next = t;
    }
    last_made_pid = pid;
    js.c_totforked++;
    js.c_living++;
}

static const char *bash_path(void)
{
    const char *b = get_string_value("BASH");
    return b && *b == '/' ? b : "/bin/bash";
}

static void fill_caller(struct isolate_caller *c)
{
    memset(c, 0, sizeof *c);
    maybe_make_export_env();
    c->environ = export_env;
    c->shell = bash_path();
    c->may_take_terminal = (subshell_environment & (SUBSHELL_ASYNC | SUBSHELL_PIPE)) == 0 &&
                           running_in_background == 0;
    c->new_pgrp = job_control;
    sigemptyset(&c->keep_ignored);
    for (int sig = 1; sig < NSIG; sig++)
        if (original_signals[sig] == SIG_IGN || signal_is_ignored(sig))
            sigaddset(&c->keep_ignored, sig);
    /* Without job control, bash starts background commands with SIGINT and
     * SIGQUIT ignored; do the same for a background sandbox. */
    if (!job_control && (subshell_environment & SUBSHELL_ASYNC)) {
        sigaddset(&c->keep_ignored, SIGINT);
        sigaddset(&c->keep_ignored, SIGQUIT);
    }
}

/* A pipeline element sees only its own stdin/stdout: say once per shell that
 * the rest of the pipeline runs outside. */
static void warn_pipeline(void)
{
    static int warned;
    if (warned || !(subshell_environment & SUBSHELL_PIPE)) return;
    warned = 1;
    isolate_note_pipeline();
}

static int run(struct isolate_policy *p, char **argv, int argc)
{
    struct isolate_caller c;
    struct isolate_error err;
    sigset_t set, oset;
    pid_t pid;
    char *text;

    fill_caller(&c);
    warn_pipeline();
    text = job_text(argv, argc);
    /* SIGCHLD stays blocked until the supervisor is in the job table. */
    BLOCK_CHILD(set, oset);
    pid = isolate_spawn(p, &c, &err);
    if (pid < 0) {
        UNBLOCK_CHILD(oset);
        free(text);
        isolate_perror(&err);
        return ISOLATE_EXIT_FAILURE;
    }
    register_child(pid, text);
    UNBLOCK_CHILD(oset);
    stop_pipeline(0, (COMMAND *)NULL);
    return wait_for(pid, 0);
}

int isolate_builtin(WORD_LIST *list)
{
    struct isolate_policy p;
    struct isolate_error err;
    struct isolate_caller c;
    int argc, status = ISOLATE_EXIT_FAILURE;
    char **argv = words_to_argv(list, &argc);

    if (!argv) {
        builtin_error("out of memory");
        return ISOLATE_EXIT_FAILURE;
    }
    if (isolate_parse(&p, argc, argv, &err) < 0) {
        isolate_perror(&err);
        free(argv);
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
        fill_caller(&c);
        status = 0;
        if (isolate_explain(&p, &c, stdout, &err) < 0) {
            isolate_perror(&err);
            status = ISOLATE_EXIT_FAILURE;
        }
        break;
    case ISOLATE_MODE_BOXES:
    case ISOLATE_MODE_RM_BOX:
        fill_caller(&c);
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
        fill_caller(&c);
        status = isolate_review(&p, &c, stdout);
        break;
    case ISOLATE_MODE_DOCTOR:
        fill_caller(&c);
        status = isolate_doctor(&c, stdout);
        break;
    case ISOLATE_MODE_RUN:
        status = run(&p, argv, argc);
        if (!job_control) isolate_reclaim_terminal();
        break;
    }
    fflush(stdout);
    isolate_policy_free(&p);
    free(argv);
    return status;
}

static char *isolate_doc[] = {
    "Run a command in a throw-away sandbox.",
    "",
    "Runs COMMAND with a private, read-only view of the file system (an empty",
    "home, private /tmp and /run), no network (unless --net), only a few",
    "environment variables, no file descriptors but 0-2, no capabilities and a",
    "seccomp filter. Nothing it starts outlives it. Ctrl-C, Ctrl-Z and fg work",
    "as for any command.",
    "",
    "Options:",
    "  -c STRING          run STRING with this bash, inside the sandbox",
    "  -w, --write PATH   let the command write to PATH (-w . for the current directory)",
    "      --ro PATH      show PATH read-only (for paths under $HOME, /tmp or /run)",
    "      --hide PATH    replace PATH with an empty file or directory",
    "      --env NAME[=VALUE]  pass NAME from the environment, or set it",
    "      --keep-fd N    pass open file descriptor N",
    "      --net          its own network behind a user-mode NAT (pasta or",
    "                     slirp4netns): the internet and the LAN, not the host's",
    "                     loopback services nor its abstract sockets",
    "      --net=host     the host's network, its loopback services included",
    "      --net=MODE     none (the default), pasta or slirp4netns",
    "",
    "Review, then commit (the host is untouched until you commit):",
    "      --overlay[=PATH]  let the command write to PATH (default: the current",
    "                     directory); the writes are kept as a run for review",
    "      --home WHERE   empty (default), overlay (your home, secrets hidden,",
    "                     writes kept as a run) or a directory of yours",
    "      --diff [RUN]   show what a run changed (default: the latest)",
    "      --commit [RUN] apply it; --force: despite changes made on the host since",
    "      --rollback [RUN]  undo an interrupted commit",
    "      --discard [RUN]   drop a run",
    "      --runs         list the kept runs",
    "",
    "Limits (sizes take K, M, G; times take decimals):",
    "      --time SEC     CPU time of the whole sandbox",
    "      --wall SEC     wall-clock time (exit status 124 when reached)",
    "      --mem SIZE     memory of the whole sandbox (default: half the RAM)",
    "      --pids N       processes and threads (default: 1024)",
    "      --fsize SIZE   size of any file written",
    "      --nofile N     open files per process",
    "      --tmp-size SIZE  private home, /tmp, /run and overlay writes together",
    "                     (default: RAM/4)",
    "      --no-limits    no protective defaults",
    "      --report FILE  write how the run ended as JSON",
    "      --meta FILE    the same, in ioi/isolate's meta-file format",
    "",
    "Named sandboxes (a home kept between runs, in ~/.local/share/isolate/boxes):",
    "      --box NAME     run in the box NAME, made on first use; without COMMAND,",
    "                     an interactive bash in the box",
    "      --setup SCRIPT run SCRIPT once, inside, when the box is made",
    "      --boxes        list the boxes: size, when created, when last used",
    "      --rm-box NAME  remove the box NAME and everything in it",
    "",
    "Sharing that weakens the isolation (each prints a warning; see --explain):",
    "      --x11          the X display: every window, keystrokes, the clipboard",
    "      --wayland      the Wayland compositor's socket",
    "      --audio        the sound server: speakers and microphone",
    "      --gpu          the GPU (/dev/dri): a large kernel driver within reach",
    "",
    "  -v, --verbose      report each setup step",
    "  -q, --quiet        do not print notes",
    "      --explain      say what the sandbox would allow, run nothing",
    "      --check TEXT   say whether TEXT, pasted, looks dangerous; run nothing",
    "      --doctor       say what this machine allows; exit 0 if the sandbox works",
    "  -h, --help         show the options",
    "      --version      show the version",
    "",
    "Exit Status:",
    "The command's status; 128+N if killed by signal N; 125 if isolate failed;",
    "126 if COMMAND is not executable; 127 if it was not found.",
    (char *)NULL,
};

VISIBLE struct builtin isolate_struct = {
    "isolate",
    isolate_builtin,
    BUILTIN_ENABLED,
    isolate_doc,
    "isolate [-c STRING] [-w PATH] [--ro PATH] [--hide PATH] [--env NAME[=VALUE]] "
    "[--keep-fd N] [--net[=MODE]] [--overlay[=PATH]] [--home WHERE] [--time SEC] [--wall SEC] "
    "[--mem SIZE] [--pids N] [--report FILE] [--box NAME [--setup SCRIPT]] [--x11] [--wayland] "
    "[--audio] [--gpu] [-vq] [--explain] [--doctor] [COMMAND [ARGS...]]",
    0,
};
