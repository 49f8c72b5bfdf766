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
    OPT_NET,
    OPT_HELP,
    OPT_VERSION,
    OPT_BOX,
    OPT_SETUP,
    OPT_BOXES,
    OPT_RM_BOX,
    OPT_X11,
    OPT_WAYLAND,
    OPT_AUDIO,
    OPT_GPU,
    OPT_OVERLAY,
    OPT_HOME,
    OPT_DIFF,
    OPT_COMMIT,
    OPT_ROLLBACK,
    OPT_DISCARD,
    OPT_RUNS,
    OPT_FORCE,
};

struct opt {
    enum opt_id id;
    char short_name;        /* 0 if none */
    const char *long_name;  /* NULL if none */
    const char *value_name; /* NULL if the option takes no value */
    int optional;           /* the value is optional, and only given as --name=VALUE */
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
    /* --net alone is the NAT, so --net=MODE names another: "isolate --net
     * host" runs host. */
    {OPT_NET, 0, "net", "MODE", 1},
    {OPT_HELP, 'h', "help", NULL},
    {OPT_VERSION, 0, "version", NULL},
    {OPT_BOX, 0, "box", "NAME"},
    {OPT_SETUP, 0, "setup", "SCRIPT"},
    {OPT_BOXES, 0, "boxes", NULL},
    {OPT_RM_BOX, 0, "rm-box", "NAME"},
    {OPT_X11, 0, "x11", NULL},
    {OPT_WAYLAND, 0, "wayland", NULL},
    {OPT_AUDIO, 0, "audio", NULL},
    {OPT_GPU, 0, "gpu", NULL},
    /* --overlay alone is the current directory, so --overlay=PATH names
     * another: "isolate --overlay make" runs make. */
    {OPT_OVERLAY, 0, "overlay", "PATH", 1},
    {OPT_HOME, 0, "home", "WHERE"},
    {OPT_DIFF, 0, "diff", "RUN", 1},
    {OPT_COMMIT, 0, "commit", "RUN", 1},
    {OPT_ROLLBACK, 0, "rollback", "RUN", 1},
    {OPT_DISCARD, 0, "discard", "RUN", 1},
    {OPT_RUNS, 0, "runs", NULL},
    {OPT_FORCE, 0, "force", NULL},
};

/* The review options, by enum isolate_review. */
static const char *const review_names[] = {NULL,         "--diff",    "--commit",
                                           "--rollback", "--discard", "--runs"};

ISO_PUBLIC const char isolate_usage_text[] =
    "usage: isolate [OPTIONS] COMMAND [ARGS...]\n"
    "       isolate [OPTIONS] -c STRING [NAME [ARGS...]]\n"
    "       isolate --box NAME [OPTIONS] [COMMAND [ARGS...]]\n"
    "       isolate --boxes | --rm-box NAME\n"
    "\n"
    "Run COMMAND in a throw-away sandbox: a private, read-only view of the file\n"
    "system with an empty home, no network (unless --net), no secrets from the\n"
    "environment, and nothing left running afterwards.\n"
    "\n"
    "  -c STRING          run STRING with the calling shell, inside the sandbox\n"
    "  -w, --write PATH   let the command write to PATH (-w . for the current directory)\n"
    "      --ro PATH      show PATH read-only (for paths under $HOME, /tmp or /run)\n"
    "      --hide PATH    replace PATH with an empty file or directory\n"
    "      --env NAME[=VALUE]\n"
    "                     pass variable NAME from the environment, or set it to VALUE\n"
    "      --keep-fd N    pass open file descriptor N to the command\n"
    "      --net          a network of its own behind a user-mode NAT (pasta or\n"
    "                     slirp4netns): the internet and your LAN, not the host's\n"
    "                     loopback services or abstract sockets\n"
    "      --net=host     the host's network, loopback services included (warns)\n"
    "      --net=MODE     none (the default: no network), pasta or slirp4netns\n"
    "\n"
    "Review, then commit (the host is untouched until you commit):\n"
    "      --overlay[=PATH]  let the command write to PATH (default: the current\n"
    "                     directory) through an overlay; the writes are kept as a run\n"
    "      --home WHERE   the home: empty (default, private and empty), overlay (yours,\n"
    "                     secrets hidden, writes kept as a run) or a directory of yours\n"
    "      --diff [RUN]   show what a run changed (default: the latest run)\n"
    "      --commit [RUN] apply a run's changes; refuses files changed on the host after\n"
    "                     the sandbox saw them, unless --force; resumes an interrupted commit\n"
    "      --rollback [RUN]  undo an interrupted commit\n"
    "      --discard [RUN]   drop a run\n"
    "      --runs         list the kept runs\n"
    "\n"
    "Limits (sizes take K, M, G; times take decimals):\n"
    "      --time SEC     CPU time of the whole sandbox\n"
    "      --wall SEC     wall-clock time (exit status 124 when reached)\n"
    "      --mem SIZE     memory of the whole sandbox\n"
    "      --pids N       processes and threads\n"
    "      --fsize SIZE   size of any file written\n"
    "      --nofile N     open files per process\n"
    "      --tmp-size SIZE  private home, /tmp and other private writable space, and\n"
    "                     what overlays keep\n"
    "      --no-limits    no protective defaults (see --explain for them)\n"
    "      --report FILE  write how the run ended as JSON\n"
    "      --meta FILE    the same, in ioi/isolate's meta-file format\n"
    "\n"
    "Named sandboxes (persistent; see --explain for what is kept):\n"
    "      --box NAME     run in the box NAME, whose home is kept between runs (made\n"
    "                     on first use); without COMMAND, an interactive shell inside\n"
    "      --setup SCRIPT run SCRIPT (a shell command) once, inside, when the box is made\n"
    "      --boxes        list the boxes: size, when created, when last used\n"
    "      --rm-box NAME  remove the box NAME and everything in it\n"
    "\n"
    "Sharing that weakens the isolation (each prints a warning; -q silences it):\n"
    "      --x11          the X display: the command can see every window, read\n"
    "                     keystrokes and the clipboard, and type into other windows\n"
    "      --wayland      the Wayland compositor: windows of its own, and whatever else\n"
    "                     the compositor grants its clients\n"
    "      --audio        the sound server (PulseAudio, PipeWire): speakers and microphone\n"
    "      --gpu          the GPU (/dev/dri): a large kernel driver within direct reach\n"
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

static int fail(struct isolate_policy *p, struct isolate_error *err, const char *fmt, const char *a,
                const char *b)
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

static int bad_box_name(struct isolate_policy *p, struct isolate_error *err, const char *name,
                        const char *val)
{
    const char *why = iso_box_name_problem(val);
    char shown[80], msg[200];

    if (!why) return 0;
    iso_box_name_shown(val, shown, sizeof shown);
    snprintf(msg, sizeof msg, "'%s' is not a valid box name: %s", shown, why);
    fail(p, err,
         "option '%s': %s (a name is 1 to 48 letters, digits, '.', '_' or '-', not starting "
         "with '.' or '-')",
         name, msg);
    return -1;
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
    int *k, fd, mode;
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
    case OPT_CHECK:
        if (p->review)
            return fail(p, err, "options '%s' and '%s' cannot be combined", review_names[p->review],
                        name);
        p->mode = o->id == OPT_EXPLAIN ? ISOLATE_MODE_EXPLAIN : ISOLATE_MODE_CHECK;
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
    case OPT_NET:
        /* The value only attached: after --net comes the command. */
        if ((mode = iso_net_mode_parse(val)) < 0)
            return fail(p, err,
                        "option '%s' takes no value, or =host, =none, =pasta or =slirp4netns; "
                        "not '%s'",
                        name, val);
        p->net = (enum isolate_net)mode;
        return 0;
    case OPT_OVERLAY:
        if (val && !*val) return fail(p, err, "option '%s' needs a non-empty PATH", name, NULL);
        if (add_path(p, ISOLATE_PATH_OVERLAY, val ? val : ".") < 0)
            return fail(p, err, "out of memory", NULL, NULL);
        return 0;
    case OPT_HOME:
        if (!*val)
            return fail(p, err, "option '%s' needs empty, overlay or a directory", name, NULL);
        p->home = val;
        return 0;
    case OPT_DIFF:
    case OPT_COMMIT:
    case OPT_ROLLBACK:
    case OPT_DISCARD:
    case OPT_RUNS: {
        enum isolate_review r = (enum isolate_review)(ISOLATE_REVIEW_DIFF + (o->id - OPT_DIFF));
        if (p->review && p->review != r)
            return fail(p, err, "options '%s' and '%s' cannot be combined", review_names[p->review],
                        name);
        if (p->mode == ISOLATE_MODE_EXPLAIN)
            return fail(p, err, "options '--explain' and '%s' cannot be combined", name, NULL);
        if (val && !*val) return fail(p, err, "option '%s' needs a non-empty RUN", name, NULL);
        p->mode = ISOLATE_MODE_REVIEW;
        p->review = r;
        if (val) p->run = val;
        return 0;
    }
    case OPT_FORCE:
        p->force = 1;
        return 0;
    case OPT_HELP:
        p->mode = ISOLATE_MODE_HELP;
        return 1;
    case OPT_VERSION:
        p->mode = ISOLATE_MODE_VERSION;
        return 1;
    case OPT_BOX:
    case OPT_RM_BOX:
        if (p->mode == ISOLATE_MODE_RM_BOX || (o->id == OPT_RM_BOX && p->box))
            return fail(p, err, "options '--box' and '--rm-box' cannot be combined", NULL, NULL);
        if (bad_box_name(p, err, name, val)) return -1;
        p->box = val;
        if (o->id == OPT_RM_BOX) p->mode = ISOLATE_MODE_RM_BOX;
        return 0;
    case OPT_SETUP:
        if (!*val) return fail(p, err, "option '%s' needs a non-empty SCRIPT", name, NULL);
        p->setup = val;
        return 0;
    case OPT_BOXES:
        p->mode = ISOLATE_MODE_BOXES;
        return 0;
    case OPT_X11:
    case OPT_WAYLAND:
    case OPT_AUDIO:
    case OPT_GPU:
        p->share |= o->id == OPT_X11       ? ISOLATE_SHARE_X11
                    : o->id == OPT_WAYLAND ? ISOLATE_SHARE_WAYLAND
                    : o->id == OPT_AUDIO   ? ISOLATE_SHARE_AUDIO
                                           : ISOLATE_SHARE_GPU;
        return 0;
    }
    return 0;
}

/* The review options act on kept runs and run nothing: a RUN at most, and
 * none of the options that shape a sandbox. */
static int check_review(struct isolate_policy *p, struct isolate_error *err)
{
    const char *name = review_names[p->review], *other = NULL;

    if (p->force && p->review != ISOLATE_REVIEW_COMMIT)
        return fail(p, err, "option '--force' goes with --commit only", NULL, NULL);
    if (p->command)
        other = "-c";
    else if (p->npaths)
        other = p->paths[0].kind == ISOLATE_PATH_OVERLAY ? "--overlay"
                : p->paths[0].kind == ISOLATE_PATH_WRITE ? "--write"
                : p->paths[0].kind == ISOLATE_PATH_RO    ? "--ro"
                                                         : "--hide";
    else if (p->home)
        other = "--home";
    else if (p->nenv)
        other = "--env";
    else if (p->nkeep_fds)
        other = "--keep-fd";
    else if (p->report_path || p->meta_path)
        other = p->report_path ? "--report" : "--meta";
    if (other) return fail(p, err, "options '%s' and '%s' cannot be combined", name, other);
    if (p->argc > 1 || (p->argc == 1 && p->run))
        return fail(p, err, "option '%s' takes at most one RUN (options go before it)", name, NULL);
    if (p->argc == 1) p->run = p->argv[0];
    if (p->run && p->review == ISOLATE_REVIEW_RUNS)
        return fail(p, err, "option '--runs' takes no RUN", NULL, NULL);
    if (p->run && !iso_run_is_id(p->run))
        return fail(p, err, "'%s' is not a run number (isolate --runs lists the runs)", p->run,
                    NULL);
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
            if (o->optional) {
                val = eq ? eq + 1 : NULL;
            } else if (o->value_name) {
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
    if (p->mode == ISOLATE_MODE_REVIEW || p->force) return check_review(p, err);
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
    if (p->mode == ISOLATE_MODE_BOXES || p->mode == ISOLATE_MODE_RM_BOX) {
        if (p->argc)
            return fail(p, err, "option '%s' takes no command",
                        p->mode == ISOLATE_MODE_BOXES ? "--boxes" : "--rm-box", NULL);
        return 0;
    }
    if (p->box && p->home)
        return fail(p, err,
                    "options '--box' and '--home' cannot be combined: a box has a home of its own",
                    NULL, NULL);
    if (p->setup && !p->box)
        return fail(p, err, "option '--setup' needs --box NAME (the box it sets up)", NULL, NULL);
    /* A box without a command opens an interactive shell in it. */
    if (p->mode == ISOLATE_MODE_RUN && !p->command && p->argc == 0 && !p->box)
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
