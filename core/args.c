/*
 * args.c - the single option parser, shared by the bash builtin, the zsh module
 * and the CLI, so that the three cannot drift apart.
 *
 * Runs in the caller's process (possibly the user's shell), so it is pure: no
 * getopt (hidden state between calls, argv permutation), no globals, no I/O.
 * Options stop at the first non-option word or at "--"; everything after is
 * the command, never reinterpreted.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum opt_id {
    OPT_COMMAND,
    OPT_WRITE,
    OPT_RO,
    OPT_HIDE,
    OPT_ENV,
    OPT_KEEP_FD,
    OPT_VERBOSE,
    OPT_QUIET,
    OPT_EXPLAIN,
    OPT_CHECK,
    OPT_DOCTOR,
    OPT_TIME,
    OPT_WALL,
    OPT_MEM,
    OPT_PIDS,
    OPT_FSIZE,
    OPT_NOFILE,
    OPT_TMP_SIZE,
    OPT_NO_LIMITS,
    OPT_REPORT,
    OPT_META,
    OPT_HELP,
    OPT_VERSION,
};

struct opt {
    enum opt_id id;
    char short_name;        /* 0 if none */
    const char *long_name;  /* NULL if none */
    const char *value_name; /* NULL if the option takes no value */
};

static const struct opt options[] = {
    {OPT_COMMAND, 'c', NULL, "STRING"},
    {OPT_WRITE, 'w', "write", "PATH"},
    {OPT_RO, 0, "ro", "PATH"},
    {OPT_HIDE, 0, "hide", "PATH"},
    {OPT_ENV, 0, "env", "NAME[=VALUE]"},
    {OPT_KEEP_FD, 0, "keep-fd", "N"},
    {OPT_VERBOSE, 'v', "verbose", NULL},
    {OPT_QUIET, 'q', "quiet", NULL},
    {OPT_EXPLAIN, 0, "explain", NULL},
    {OPT_CHECK, 0, "check", NULL},
    {OPT_DOCTOR, 0, "doctor", NULL},
    {OPT_TIME, 0, "time", "SEC"},
    {OPT_WALL, 0, "wall", "SEC"},
    {OPT_MEM, 0, "mem", "SIZE"},
    {OPT_PIDS, 0, "pids", "N"},
    {OPT_FSIZE, 0, "fsize", "SIZE"},
    {OPT_NOFILE, 0, "nofile", "N"},
    {OPT_TMP_SIZE, 0, "tmp-size", "SIZE"},
    {OPT_NO_LIMITS, 0, "no-limits", NULL},
    {OPT_REPORT, 0, "report", "FILE"},
    {OPT_META, 0, "meta", "FILE"},
    {OPT_HELP, 'h', "help", NULL},
    {OPT_VERSION, 0, "version", NULL},
};

ISO_PUBLIC const char isolate_usage_text[] =
    "usage: isolate [OPTIONS] COMMAND [ARGS...]\n"
    "       isolate [OPTIONS] -c STRING [NAME [ARGS...]]\n"
    "\n"
    "Run COMMAND in a throw-away sandbox: a private, read-only view of the file\n"
    "system with an empty home, no network, no secrets from the environment, and\n"
    "nothing left running afterwards.\n"
    "\n"
    "  -c STRING          run STRING with the calling shell, inside the sandbox\n"
    "  -w, --write PATH   let the command write to PATH (-w . for the current directory)\n"
    "      --ro PATH      show PATH read-only (for paths under $HOME, /tmp or /run)\n"
    "      --hide PATH    replace PATH with an empty file or directory\n"
    "      --env NAME[=VALUE]\n"
    "                     pass variable NAME from the environment, or set it to VALUE\n"
    "      --keep-fd N    pass open file descriptor N to the command\n"
    "\n"
    "Limits (sizes take K, M, G; times take decimals):\n"
    "      --time SEC     CPU time of the whole sandbox\n"
    "      --wall SEC     wall-clock time (exit status 124 when reached)\n"
    "      --mem SIZE     memory of the whole sandbox\n"
    "      --pids N       processes and threads\n"
    "      --fsize SIZE   size of any file written\n"
    "      --nofile N     open files per process\n"
    "      --tmp-size SIZE  private home, /tmp and other private writable space\n"
    "      --no-limits    no protective defaults (see --explain for them)\n"
    "      --report FILE  write how the run ended as JSON\n"
    "      --meta FILE    the same, in ioi/isolate's meta-file format\n"
    "\n"
    "  -v, --verbose      report each setup step on stderr\n"
    "  -q, --quiet        do not print notes\n"
    "      --explain      say what the sandbox would allow, and run nothing\n"
    "      --check TEXT   say whether TEXT, pasted, looks dangerous (- reads standard\n"
    "                     input); exit 1 if it does, 0 if not; run nothing\n"
    "      --doctor       say what this machine allows and how limits are enforced;\n"
    "                     exit 0 if the default sandbox works here, 125 if not\n"
    "  -h, --help         show this help\n"
    "      --version      show the version\n"
    "\n"
    "Exit status: the command's own; 128+N if it was killed by signal N; 125 if\n"
    "isolate failed; 126 if COMMAND is not executable; 127 if it was not found.\n";

static int fail(struct isolate_policy *p, struct isolate_error *err, const char *fmt,
                const char *a, const char *b)
{
    /* The contract: after an error *p is empty, not half-filled. */
    isolate_policy_free(p);
    memset(p, 0, sizeof *p);
    iso_err(err, 0, fmt, a, b);
    return -1;
}

static void *grow(void *arr, size_t n, size_t size)
{
    /* Arrays grow one element at a time: option lists are short. */
    return realloc(arr, (n + 1) * size);
}

ISO_PUBLIC int isolate_parse_fd(const char *s, int *out)
{
    char *end;
    long v;

    /* Digits only: strtol would also take a sign and any leading white space. */
    if (!s || *s < '0' || *s > '9') return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

static int add_path(struct isolate_policy *p, enum isolate_path_kind kind, const char *arg)
{
    struct isolate_path *n = grow(p->paths, p->npaths, sizeof *n);
    if (!n) return -1;
    p->paths = n;
    p->paths[p->npaths].kind = kind;
    p->paths[p->npaths].arg = arg;
    p->npaths++;
    return 0;
}

static int apply(struct isolate_policy *p, const struct opt *o, const char *name, const char *val,
                 struct isolate_error *err)
{
    const char **e;
    int *k, fd;
    size_t len;

    switch (o->id) {
    case OPT_COMMAND:
        p->command = val;
        return 0;
    case OPT_WRITE:
    case OPT_RO:
    case OPT_HIDE:
        if (!*val) return fail(p, err, "option '%s' needs a non-empty PATH", name, NULL);
        if (add_path(p,
                     o->id == OPT_WRITE ? ISOLATE_PATH_WRITE
                     : o->id == OPT_RO  ? ISOLATE_PATH_RO
                                        : ISOLATE_PATH_HIDE,
                     val) < 0)
            return fail(p, err, "out of memory", NULL, NULL);
        return 0;
    case OPT_ENV:
        len = strcspn(val, "=");
        if (!iso_env_name_valid(val, len))
            return fail(p, err, "option '%s': '%s' is not a valid variable name", name, val);
        e = grow(p->env, p->nenv, sizeof *e);
        if (!e) return fail(p, err, "out of memory", NULL, NULL);
        p->env = e;
        p->env[p->nenv++] = val;
        return 0;
    case OPT_KEEP_FD:
        if (isolate_parse_fd(val, &fd) < 0)
            return fail(p, err, "option '%s' needs a file descriptor number, not '%s'", name, val);
        k = grow(p->keep_fds, p->nkeep_fds, sizeof *k);
        if (!k) return fail(p, err, "out of memory", NULL, NULL);
        p->keep_fds = k;
        p->keep_fds[p->nkeep_fds++] = fd;
        return 0;
    case OPT_VERBOSE:
        p->verbose = 1;
        return 0;
    case OPT_QUIET:
        p->quiet = 1;
        return 0;
    case OPT_EXPLAIN:
        p->mode = ISOLATE_MODE_EXPLAIN;
        return 0;
    case OPT_CHECK:
        p->mode = ISOLATE_MODE_CHECK;
        return 0;
    case OPT_DOCTOR:
        p->mode = ISOLATE_MODE_DOCTOR;
        return 1; /* ends the options, as --help does */
    case OPT_TIME:
    case OPT_WALL:
        if (isolate_parse_seconds(val, o->id == OPT_TIME ? &p->limits.time_s : &p->limits.wall_s))
            return fail(p, err, "option '%s' needs a number of seconds, not '%s'", name, val);
        return 0;
    case OPT_MEM:
    case OPT_FSIZE:
    case OPT_TMP_SIZE:
        if (isolate_parse_size(val, o->id == OPT_MEM     ? &p->limits.mem
                                    : o->id == OPT_FSIZE ? &p->limits.fsize
                                                         : &p->limits.tmp_size))
            return fail(p, err, "option '%s' needs a size such as 512M or 2G, not '%s'", name, val);
        return 0;
    case OPT_PIDS:
    case OPT_NOFILE:
        if (isolate_parse_count(val, o->id == OPT_PIDS ? &p->limits.pids : &p->limits.nofile))
            return fail(p, err, "option '%s' needs a positive number, not '%s'", name, val);
        return 0;
    case OPT_NO_LIMITS:
        p->limits.no_defaults = 1;
        return 0;
    case OPT_REPORT:
    case OPT_META:
        if (!*val) return fail(p, err, "option '%s' needs a non-empty FILE", name, NULL);
        if (o->id == OPT_REPORT)
            p->report_path = val;
        else
            p->meta_path = val;
        return 0;
    case OPT_HELP:
        p->mode = ISOLATE_MODE_HELP;
        return 1;
    case OPT_VERSION:
        p->mode = ISOLATE_MODE_VERSION;
        return 1;
    }
    return 0;
}

static const struct opt *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (options[i].long_name && strlen(options[i].long_name) == len &&
            !strncmp(options[i].long_name, name, len))
            return &options[i];
    return NULL;
}

static const struct opt *find_short(char c)
{
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (options[i].short_name == c) return &options[i];
    return NULL;
}

ISO_PUBLIC int isolate_parse(struct isolate_policy *p, int argc, char *const argv[],
                             struct isolate_error *err)
{
    int i = 1, r;

    memset(p, 0, sizeof *p);
    p->args = argv;
    p->nargs = argc;
    while (i < argc) {
        const char *arg = argv[i];

        if (!strcmp(arg, "--")) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') break;

        if (arg[1] == '-') {
            const char *name = arg + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt *o = find_long(name, len);
            const char *val = NULL;
            char shown[64];

            if (!o) {
                snprintf(shown, sizeof shown, "--%.*s", (int)(len > 40 ? 40 : len), name);
                return fail(p, err, "unknown option '%s' (see 'isolate --help')", shown, NULL);
            }
            snprintf(shown, sizeof shown, "--%s", o->long_name);
            if (o->value_name) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return fail(p, err, "option '%s' needs a value (%s)", shown, o->value_name);
            } else if (eq) {
                return fail(p, err, "option '%s' takes no value", shown, NULL);
            }
            i++;
            if ((r = apply(p, o, shown, val, err)) != 0) return r < 0 ? -1 : 0;
            if (o->id == OPT_CHECK) {
                /* The next word is the paste even when it looks like an option:
                 * "-h; curl ... | sh" must be classified, not taken for --help. */
                if (i < argc && !strcmp(argv[i], "--")) i++;
                break;
            }
            continue;
        }

        /* One or more bundled short options: -vq, -w PATH, -wPATH. */
        for (const char *s = arg + 1; *s; s++) {
            const struct opt *o = find_short(*s);
            char shown[3] = {'-', *s, 0};
            const char *val = NULL;

            if (!o) return fail(p, err, "unknown option '%s' (see 'isolate --help')", shown, NULL);
            if (o->value_name) {
                if (s[1])
                    val = s + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else
                    return fail(p, err, "option '%s' needs a value (%s)", shown, o->value_name);
            }
            if ((r = apply(p, o, shown, val, err)) != 0) return r < 0 ? -1 : 0;
            if (val) break;
        }
        i++;
    }

    p->argv = argv + i;
    p->argc = argc - i;
    if (p->mode == ISOLATE_MODE_CHECK) {
        /* The paste is one word: what follows --check is data, never options. */
        if (p->argc != 1)
            return fail(p, err,
                        p->argc ? "option '--check' takes one TEXT; quote the pasted text"
                                : "option '--check' needs TEXT (or - for standard input)",
                        NULL, NULL);
        p->check_text = p->argv[0];
        return 0;
    }
    if (p->mode == ISOLATE_MODE_RUN && !p->command && p->argc == 0)
        return fail(p, err, "no command given (usage: isolate [OPTIONS] COMMAND [ARGS...])", NULL,
                    NULL);
    return 0;
}

ISO_PUBLIC void isolate_policy_free(struct isolate_policy *p)
{
    free(p->paths);
    free(p->env);
    free(p->keep_fds);
    p->paths = NULL;
    p->env = NULL;
    p->keep_fds = NULL;
    p->npaths = p->nenv = p->nkeep_fds = 0;
}
