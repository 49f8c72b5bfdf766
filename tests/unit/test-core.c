/*
 * test-core.c - unit tests of the pure parts of the core: the option parser,
 * the environment allowlist, the plan (the policy resolved against a scratch
 * directory tree; no sandbox is started), the generated seccomp program (run
 * through a small classic-BPF interpreter) and the wait-status mapping.
 *
 * Linked statically against libisolate.a, so the hidden iso_* functions are
 * reachable. Prints TAP; exit status 1 if anything failed.
 */
#include "internal.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp_bpf.h"

/* ---------------------------------------------------------------- helpers */

static int contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

static int streq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

/* s with control characters escaped, for test names (a newline would break
 * the TAP stream). One static buffer: use once per call of ok(). */
static const char *esc(const char *s)
{
    static char buf[256];
    size_t n = 0;
    for (; *s && n + 5 < sizeof buf; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != 0x7f) {
            buf[n++] = (char)ch;
            continue;
        }
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\\x%02x", ch);
    }
    buf[n] = '\0';
    return buf;
}

static int count_argv(char **argv)
{
    int n = 0;
    while (argv[n]) n++;
    return n;
}

/* Parses a NULL-terminated argv (argv[0] included). */
static int parse(struct isolate_policy *p, char **argv, struct isolate_error *err)
{
    memset(err, 0, sizeof *err);
    return isolate_parse(p, count_argv(argv), argv, err);
}

#define ARGV(...) ((char *[]){"isolate", __VA_ARGS__, NULL})

static int policy_is_empty(const struct isolate_policy *p)
{
    static const struct isolate_policy zero;
    return !memcmp(p, &zero, sizeof zero);
}

/* ------------------------------------------------- isolate_parse: accepted */

static void test_parse_valid(void)
{
    struct isolate_policy p;
    struct isolate_error e;
    int r;

    /* -c STRING: the string and the words after it ($0 $1 ...). */
    r = parse(&p, ARGV("-c", "echo $1", "name", "arg"), &e);
    ok(r == 0 && streq(p.command, "echo $1") && p.argc == 2 && streq(p.argv[0], "name") &&
           streq(p.argv[1], "arg") && p.mode == ISOLATE_MODE_RUN,
       "-c STRING NAME ARG: command and $0 $1 (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-c", "true"), &e);
    ok(r == 0 && streq(p.command, "true") && p.argc == 0, "-c STRING alone is a command");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-ctrue"), &e);
    ok(r == 0 && streq(p.command, "true"), "-cSTRING (attached)");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-c", ""), &e);
    ok(r == 0 && streq(p.command, ""), "-c '' is an (empty) command string");
    isolate_policy_free(&p);

    /* -w in all four spellings, --ro and --hide: kinds and args in order. */
    r = parse(&p,
              ARGV("-w", "a", "-wb", "--write", "c", "--write=d", "--ro", "e", "--ro=f", "--hide",
                   "g", "--hide=h", "ls"),
              &e);
    ok(r == 0 && p.npaths == 8, "eight paths parsed (%s)", r ? e.msg : "ok");
    if (r == 0 && p.npaths == 8) {
        static const char *const args[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
        static const enum isolate_path_kind kinds[] = {
            ISOLATE_PATH_WRITE, ISOLATE_PATH_WRITE, ISOLATE_PATH_WRITE, ISOLATE_PATH_WRITE,
            ISOLATE_PATH_RO,    ISOLATE_PATH_RO,    ISOLATE_PATH_HIDE,  ISOLATE_PATH_HIDE,
        };
        int good = 1;
        for (size_t i = 0; i < 8; i++)
            good &= p.paths[i].kind == kinds[i] && streq(p.paths[i].arg, args[i]);
        ok(good, "-w PATH, -wPATH, --write PATH, --write=PATH, --ro, --hide: kinds and order");
        ok(p.argc == 1 && streq(p.argv[0], "ls"), "command after the paths");
    }
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--write=a=b", "-w", "--not-an-option", "true"), &e);
    ok(r == 0 && p.npaths == 2 && streq(p.paths[0].arg, "a=b") &&
           streq(p.paths[1].arg, "--not-an-option"),
       "a value is taken verbatim ('=' inside, leading dashes)");
    isolate_policy_free(&p);

    /* --env NAME and NAME=VALUE, in order, '=' in the value kept. */
    r = parse(&p, ARGV("--env", "FOO", "--env=BAR=1", "--env", "X=a=b", "--env", "_y2=", "true"),
              &e);
    ok(r == 0 && p.nenv == 4 && streq(p.env[0], "FOO") && streq(p.env[1], "BAR=1") &&
           streq(p.env[2], "X=a=b") && streq(p.env[3], "_y2="),
       "--env NAME, --env=NAME=VALUE, values with '=' and empty values, in order (%s)",
       r ? e.msg : "ok");
    isolate_policy_free(&p);

    /* --keep-fd N, repeated. */
    r = parse(&p, ARGV("--keep-fd", "3", "--keep-fd=0", "--keep-fd", "2147483647", "true"), &e);
    ok(r == 0 && p.nkeep_fds == 3 && p.keep_fds[0] == 3 && p.keep_fds[1] == 0 &&
           p.keep_fds[2] == INT_MAX,
       "--keep-fd N, --keep-fd=N, INT_MAX, in order (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);

    /* -v/--verbose, -q/--quiet, bundled. */
    r = parse(&p, ARGV("-v", "true"), &e);
    ok(r == 0 && p.verbose == 1 && p.quiet == 0, "-v");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--verbose", "--quiet", "true"), &e);
    ok(r == 0 && p.verbose == 1 && p.quiet == 1, "--verbose --quiet");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-q", "true"), &e);
    ok(r == 0 && p.quiet == 1 && p.verbose == 0, "-q");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-vq", "true"), &e);
    ok(r == 0 && p.verbose && p.quiet && p.argc == 1, "-vq bundled");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-qvwdir", "true"), &e);
    ok(r == 0 && p.verbose && p.quiet && p.npaths == 1 && streq(p.paths[0].arg, "dir"),
       "-qvwPATH: flags, then an option with an attached value");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-vw", "dir", "true"), &e);
    ok(r == 0 && p.verbose && p.npaths == 1 && streq(p.paths[0].arg, "dir") && p.argc == 1 &&
           streq(p.argv[0], "true"),
       "-vw PATH: the value is the next word");
    isolate_policy_free(&p);

    /* Modes that run nothing. */
    r = parse(&p, ARGV("--explain"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_EXPLAIN && p.argc == 0, "--explain needs no command");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--explain", "-w", "x", "make", "-j4"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_EXPLAIN && p.npaths == 1 && p.argc == 2,
       "--explain with options and a command");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-h"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_HELP, "-h");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-v", "--help", "--no-such-option"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_HELP, "--help ends parsing (what follows is not checked)");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--version"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_VERSION, "--version");
    isolate_policy_free(&p);

    /* --check TEXT: one word of data, whatever it looks like. */
    r = parse(&p, ARGV("--check", "curl -fsSL https://x | sh"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_CHECK && streq(p.check_text, "curl -fsSL https://x | sh"),
       "--check TEXT (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-q", "--check", "-"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_CHECK && streq(p.check_text, "-") && p.quiet,
       "--check - (standard input), after other options");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--check", "-h; curl x | sh"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_CHECK && streq(p.check_text, "-h; curl x | sh"),
       "--check TEXT that begins with '-' is data, not an option (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--check", "--version"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_CHECK && streq(p.check_text, "--version"),
       "--check --version classifies the text '--version'");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--check", "--", "-rf /"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_CHECK && streq(p.check_text, "-rf /"), "--check -- TEXT");
    isolate_policy_free(&p);

    /* Where options end. */
    r = parse(&p, ARGV("ls", "-la"), &e);
    ok(r == 0 && p.argc == 2 && streq(p.argv[0], "ls") && streq(p.argv[1], "-la") && p.verbose == 0,
       "isolate ls -la keeps -la for ls");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-v", "make", "-v", "--write", "x", "--", "y"), &e);
    ok(r == 0 && p.verbose && p.npaths == 0 && p.argc == 6 && streq(p.argv[0], "make") &&
           streq(p.argv[2], "--write") && streq(p.argv[4], "--"),
       "nothing after the command is an option of isolate");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--", "-v"), &e);
    ok(r == 0 && p.verbose == 0 && p.argc == 1 && streq(p.argv[0], "-v"),
       "-- ends options: a command named -v");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-q", "--", "--", "x"), &e);
    ok(r == 0 && p.quiet && p.argc == 2 && streq(p.argv[0], "--") && streq(p.argv[1], "x"),
       "only the first -- is consumed");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-", "x"), &e);
    ok(r == 0 && p.argc == 2 && streq(p.argv[0], "-"), "a lone - is a command word");
    isolate_policy_free(&p);
    {
        char *v[] = {"isolate", "-v", "cmd", NULL};
        r = parse(&p, v, &e);
        ok(r == 0 && p.argv == v + 2, "argv points into the caller's array (borrowed)");
        isolate_policy_free(&p);
    }

    /* isolate_policy_free leaves a zeroed, reusable policy. */
    r = parse(&p, ARGV("-w", "a", "--env", "A", "--keep-fd", "1", "true"), &e);
    isolate_policy_free(&p);
    ok(r == 0 && !p.paths && !p.env && !p.keep_fds && !p.npaths && !p.nenv && !p.nkeep_fds,
       "isolate_policy_free releases and clears the arrays");
    isolate_policy_free(&p);
    ok(1, "isolate_policy_free twice is safe");
}

/* ------------------------------------------------- isolate_parse: refused */

struct bad_case {
    char *argv[8];
    const char *names[2]; /* what the message must name */
};

static void test_parse_invalid(void)
{
    /* Every refusal must name the offending option (and value when there is
     * one), since the user sees only this line and status 125. */
    static const struct bad_case cases[] = {
        {{"isolate", "--bogus", "ls"}, {"--bogus"}},
        {{"isolate", "--bogus=1", "ls"}, {"--bogus"}},
        {{"isolate", "-x", "ls"}, {"-x"}},
        {{"isolate", "-vx", "ls"}, {"-x"}},
        {{"isolate", "--writ", "a", "ls"}, {"--writ"}}, /* no abbreviations */
        {{"isolate", "-w"}, {"-w", "PATH"}},
        {{"isolate", "--write"}, {"--write", "PATH"}},
        {{"isolate", "--ro"}, {"--ro", "PATH"}},
        {{"isolate", "--hide"}, {"--hide", "PATH"}},
        {{"isolate", "-c"}, {"-c", "STRING"}},
        {{"isolate", "-vc"}, {"-c"}},
        {{"isolate", "--env"}, {"--env", "NAME"}},
        {{"isolate", "--keep-fd"}, {"--keep-fd", "N"}},
        {{"isolate", "--verbose=x", "ls"}, {"--verbose", "no value"}},
        {{"isolate", "--quiet=", "ls"}, {"--quiet", "no value"}},
        {{"isolate", "--help=1"}, {"--help", "no value"}},
        {{"isolate", "--explain=yes"}, {"--explain", "no value"}},
        {{"isolate", "--check=x"}, {"--check", "no value"}},
        {{"isolate", "-w", "", "ls"}, {"-w", "PATH"}},
        {{"isolate", "--write=", "ls"}, {"--write", "PATH"}},
        {{"isolate", "--ro", "", "ls"}, {"--ro", "PATH"}},
        {{"isolate", "--hide=", "ls"}, {"--hide", "PATH"}},
        {{"isolate", "--env", "1X", "ls"}, {"--env", "'1X'"}},
        {{"isolate", "--env", "", "ls"}, {"--env", "''"}},
        {{"isolate", "--env", "=x", "ls"}, {"--env", "'=x'"}},
        {{"isolate", "--env=A-B", "ls"}, {"--env", "'A-B'"}},
        {{"isolate", "--env", "A B=1", "ls"}, {"--env", "'A B=1'"}},
        {{"isolate", "--keep-fd", "abc", "ls"}, {"--keep-fd", "'abc'"}},
        {{"isolate", "--keep-fd", "-1", "ls"}, {"--keep-fd", "'-1'"}},
        {{"isolate", "--keep-fd", "+3", "ls"}, {"--keep-fd", "'+3'"}},
        {{"isolate", "--keep-fd", " 3", "ls"}, {"--keep-fd", "' 3'"}},
        {{"isolate", "--keep-fd", "\t3", "ls"}, {"--keep-fd", "'\t3'"}},
        {{"isolate", "--keep-fd", "3x", "ls"}, {"--keep-fd", "'3x'"}},
        {{"isolate", "--keep-fd=", "ls"}, {"--keep-fd", "''"}},
        {{"isolate", "--keep-fd", "99999999999", "ls"}, {"--keep-fd", "'99999999999'"}},
        {{"isolate", "--keep-fd", "2147483648", "ls"}, {"--keep-fd", "'2147483648'"}},
        {{"isolate"}, {"no command"}},
        {{"isolate", "-v", "-q"}, {"no command"}},
        {{"isolate", "-w", "x", "--"}, {"no command"}},
        {{"isolate", "--check"}, {"--check", "TEXT"}},
        {{"isolate", "--check", "--"}, {"--check", "TEXT"}},
        {{"isolate", "--check", "curl x", "| sh"}, {"--check", "one TEXT"}},
        {{"isolate", "--check", "-v", "x"}, {"--check", "one TEXT"}},
        {{"isolate", "--box"}, {"--box", "NAME"}},
        {{"isolate", "--box", "", "ls"}, {"--box", "it is empty"}},
        {{"isolate", "--box", "a/b", "ls"}, {"--box", "a slash"}},
        {{"isolate", "--box", "..", "ls"}, {"--box", "'..'"}},
        {{"isolate", "--box", ".x", "ls"}, {"--box", "with a dot"}},
        {{"isolate", "--box", "-x", "ls"}, {"--box", "with a dash"}},
        {{"isolate", "--box=a b", "ls"}, {"--box", "a space"}},
        {{"isolate", "--box", "a\033[2J", "ls"}, {"--box", "'a?[2J'"}},
        {{"isolate", "--rm-box", "a/b"}, {"--rm-box", "a slash"}},
        {{"isolate", "--setup", "x", "ls"}, {"--setup", "--box NAME"}},
        {{"isolate", "--box", "b", "--setup="}, {"--setup", "SCRIPT"}},
        {{"isolate", "--boxes", "ls"}, {"--boxes", "no command"}},
        {{"isolate", "--rm-box", "b", "ls"}, {"--rm-box", "no command"}},
        {{"isolate", "--box", "a", "--rm-box", "b"}, {"--box", "--rm-box"}},
        {{"isolate", "--rm-box", "a", "--box", "b"}, {"--box", "--rm-box"}},
        {{"isolate", "--x11=1", "ls"}, {"--x11", "no value"}},
        {{"isolate", "--gpu=", "ls"}, {"--gpu", "no value"}},
        {{"isolate", "--net=foo", "ls"}, {"--net", "'foo'"}},
        {{"isolate", "--net=", "ls"}, {"--net", "''"}},
        {{"isolate", "--net=HOST", "ls"}, {"--net", "'HOST'"}},
        {{"isolate", "--net=nat", "ls"}, {"--net", "'nat'"}},
        {{"isolate", "--net"}, {"no command"}},
    };
    struct isolate_policy p;
    struct isolate_error e;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct bad_case *c = &cases[i];
        char **argv = (char **)c->argv;
        char shown[128] = "";
        int r, named = 1;

        for (int k = 1; argv[k]; k++) {
            size_t n = strlen(shown);
            snprintf(shown + n, sizeof shown - n, "%s'%s'", k > 1 ? " " : "", esc(argv[k]));
        }
        /* Fill the policy with garbage: the parser must not rely on it. */
        memset(&p, 0xa5, sizeof p);
        r = parse(&p, argv, &e);
        for (int k = 0; k < 2; k++)
            if (c->names[k] && !contains(e.msg, c->names[k])) named = 0;
        ok(r == -1 && named, "refused: %s -> \"%s\"", shown, e.msg);
        ok(policy_is_empty(&p), "  and the policy is left empty");
        isolate_policy_free(&p); /* must be harmless on it */
    }

    /* Failure after arrays were filled: nothing leaks (valgrind checks), the
     * struct is zeroed, not merely its arrays. */
    memset(&p, 0, sizeof p);
    ok(parse(&p, ARGV("-v", "-c", "x", "-w", "a", "--env", "A", "--keep-fd", "1", "--bogus"), &e) ==
               -1 &&
           policy_is_empty(&p) && contains(e.msg, "--bogus"),
       "a late error releases the earlier arrays and empties the policy");
    ok(e.errnum == 0, "a usage error carries no errno");

    /* An absurdly long unknown option is cut, and the message stays bounded. */
    {
        char longopt[600];
        memset(longopt, 'z', sizeof longopt - 1);
        longopt[0] = longopt[1] = '-';
        longopt[sizeof longopt - 1] = '\0';
        char *v[] = {"isolate", longopt, "ls", NULL};
        ok(parse(&p, v, &e) == -1 && contains(e.msg, "--zzzz") && strlen(e.msg) < sizeof e.msg - 1,
           "a long unknown option is named, cut to a bounded message");
    }
}

/* ------------------------------------ isolate_parse: boxes and sharing */

static void test_parse_boxes(void)
{
    struct isolate_policy p;
    struct isolate_error e;
    char name[64];
    int r;

    r = parse(&p, ARGV("--box", "dev"), &e);
    ok(r == 0 && streq(p.box, "dev") && p.argc == 0 && !p.command && p.mode == ISOLATE_MODE_RUN,
       "--box NAME without a command: the shell in the box (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--box=a.b_c-1", "--setup", "make deps", "ls"), &e);
    ok(r == 0 && streq(p.box, "a.b_c-1") && streq(p.setup, "make deps") && p.argc == 1,
       "--box=NAME --setup SCRIPT COMMAND (%s)", r ? e.msg : "ok");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("-q", "--boxes"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_BOXES && p.quiet, "--boxes needs no command");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--rm-box", "dev"), &e);
    ok(r == 0 && p.mode == ISOLATE_MODE_RM_BOX && streq(p.box, "dev"), "--rm-box NAME");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--x11", "--wayland", "--audio", "--gpu", "ls"), &e);
    ok(r == 0 && p.share == (ISOLATE_SHARE_X11 | ISOLATE_SHARE_WAYLAND | ISOLATE_SHARE_AUDIO |
                             ISOLATE_SHARE_GPU),
       "--x11 --wayland --audio --gpu: each its own bit");
    isolate_policy_free(&p);
    r = parse(&p, ARGV("--audio", "ls"), &e);
    ok(r == 0 && p.share == ISOLATE_SHARE_AUDIO, "--audio alone shares only the sound server");
    isolate_policy_free(&p);
    memset(name, 'n', 48);
    name[48] = '\0';
    r = parse(&p, ARGV("--box", name, "ls"), &e);
    ok(r == 0, "a box name of 48 characters is taken");
    isolate_policy_free(&p);
    name[48] = 'n';
    name[49] = '\0';
    r = parse(&p, ARGV("--box", name, "ls"), &e);
    ok(r == -1 && contains(e.msg, "longer than 48"), "one of 49 is refused: %s", e.msg);
    ok(iso_box_name_problem("x..y") && iso_box_name_problem("été") && !iso_box_name_problem("0") &&
           !iso_box_name_problem("a.b"),
       "'..' inside and non-ASCII letters are refused; digits and single dots are not");
}

/* ----------------------------------------------------------- --net */

static void test_net(void)
{
    static const struct {
        char *argv[5];
        enum isolate_net net;
        const char *cmd;
    } cases[] = {
        {{"isolate", "true"}, ISOLATE_NET_NONE, "true"},
        {{"isolate", "--net", "true"}, ISOLATE_NET_NAT, "true"},
        /* no value word: "host" is the command */
        {{"isolate", "--net", "host", "x"}, ISOLATE_NET_NAT, "host"},
        {{"isolate", "--net=host", "true"}, ISOLATE_NET_HOST, "true"},
        {{"isolate", "--net=none", "true"}, ISOLATE_NET_NONE, "true"},
        {{"isolate", "--net=pasta", "true"}, ISOLATE_NET_PASTA, "true"},
        {{"isolate", "--net=slirp4netns", "true"}, ISOLATE_NET_SLIRP4NETNS, "true"},
        {{"isolate", "--net=host", "--net", "true"}, ISOLATE_NET_NAT, "true"}, /* the last wins */
        {{"isolate", "--", "--net", "x"}, ISOLATE_NET_NONE, "--net"},
    };
    struct isolate_policy p;
    struct isolate_error e;
    char out[1024], first[64];
    int r;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        r = parse(&p, (char **)cases[i].argv, &e);
        ok(r == 0 && p.net == cases[i].net && p.argc > 0 && streq(p.argv[0], cases[i].cmd),
           "%s %s %s: net mode %d, command %s (%s)", cases[i].argv[1], cases[i].argv[2],
           cases[i].argv[3] ? cases[i].argv[3] : "", (int)p.net, r ? "-" : p.argv[0],
           r ? e.msg : "ok");
        isolate_policy_free(&p);
    }
    ok(iso_net_mode_parse("slirp4netns") == ISOLATE_NET_SLIRP4NETNS &&
           iso_net_mode_parse(NULL) == ISOLATE_NET_NAT && iso_net_mode_parse("nat") == -1 &&
           streq(iso_net_mode_name(ISOLATE_NET_PASTA), "pasta"),
       "mode names, as isolate-init receives them");

    /* systemd-resolved: the forwarder replaces the loopback resolver, the
     * other lines stay. */
    r = iso_resolv_for_sandbox("# managed\nnameserver 127.0.0.53\noptions edns0 trust-ad\n"
                               "search example.org\n",
                               "169.254.1.53", out, sizeof out, first, sizeof first);
    ok(r == 1 && contains(out, "\nnameserver 169.254.1.53\n") && !contains(out, "127.0.0.53") &&
           contains(out, "\noptions edns0 trust-ad\n") && contains(out, "\nsearch example.org\n") &&
           streq(first, "127.0.0.53"),
       "a loopback resolver: a resolv.conf naming the forwarder");
    r = iso_resolv_for_sandbox("nameserver 127.0.0.1\nnameserver 10.1.1.1\nnameserver ::1\n",
                               "10.0.2.3", out, sizeof out, first, sizeof first);
    ok(r == 1 && contains(out, "nameserver 10.0.2.3\nnameserver 10.1.1.1\n") &&
           !contains(out, "127.0.0.1") && !contains(out, "::1"),
       "dnsmasq on 127.0.0.1 and ::1: the forwarder first, the host's others after it");
    r = iso_resolv_for_sandbox("nameserver 192.168.1.1\nnameserver fe80::1%eth0\n", "169.254.1.53",
                               out, sizeof out, first, sizeof first);
    ok(r == 0 && streq(first, "192.168.1.1"), "a resolver on the network: the host's file serves");
    r = iso_resolv_for_sandbox("", "10.0.2.3", out, sizeof out, first, sizeof first);
    ok(r == 0 && first[0] == '\0', "no resolver at all: nothing to forward to");
    r = iso_resolv_for_sandbox("nameserver 127.0.0.53\n", "169.254.1.53", out, 40, first,
                               sizeof first);
    ok(r == -1, "a file that does not fit is refused, not cut");
}

/* ----------------------------------------- isolate_parse: pure, reentrant */

static void test_parse_pure(void)
{
    /* Writable copies, so that a parser writing into argv would be seen. */
    char a0[] = "isolate", a1[] = "-vq", a2[] = "--write=dir", a3[] = "--env", a4[] = "X=1",
         a5[] = "--keep-fd", a6[] = "5", a7[] = "cmd", a8[] = "-x";
    char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, NULL};
    char *saved_ptr[10];
    char saved_str[9][16];
    struct isolate_policy p1, p2;
    struct isolate_error e1, e2;
    int r1, r2, same, untouched = 1;

    memcpy(saved_ptr, argv, sizeof argv);
    for (int i = 0; i < 9; i++) snprintf(saved_str[i], sizeof saved_str[i], "%s", argv[i]);

    r1 = isolate_parse(&p1, 9, argv, &e1);
    r2 = isolate_parse(&p2, 9, argv, &e2);
    same = r1 == 0 && r2 == 0 && p1.mode == p2.mode && p1.verbose == p2.verbose &&
           p1.quiet == p2.quiet && p1.npaths == p2.npaths && p1.nenv == p2.nenv &&
           p1.nkeep_fds == p2.nkeep_fds && p1.argc == p2.argc && p1.argv == p2.argv &&
           p1.command == p2.command && p1.npaths == 1 && p1.paths[0].kind == p2.paths[0].kind &&
           p1.paths[0].arg == p2.paths[0].arg && p1.env[0] == p2.env[0] &&
           p1.keep_fds[0] == p2.keep_fds[0];
    ok(same, "parsing the same argv twice gives the same policy");
    ok(p1.paths != p2.paths && p1.env != p2.env && p1.keep_fds != p2.keep_fds,
       "each parse owns its arrays");
    ok(p1.argc == 2 && streq(p1.argv[0], "cmd") && streq(p1.argv[1], "-x") &&
           p1.paths[0].arg == a2 + 8 && p1.env[0] == a4,
       "values are borrowed from argv, not copied");
    for (int i = 0; i < 9; i++)
        untouched &= argv[i] == saved_ptr[i] && !strcmp(argv[i], saved_str[i]);
    ok(untouched && argv[9] == NULL, "argv is neither permuted nor written");
    isolate_policy_free(&p1);

    /* A failure in between leaves no state behind for the next parse. */
    {
        char *bad[] = {"isolate", "--bogus", NULL};
        struct isolate_policy p3;
        ok(isolate_parse(&p3, 2, bad, &e1) == -1, "a failing parse in between");
        r1 = isolate_parse(&p1, 9, argv, &e1);
        ok(r1 == 0 && p1.verbose && p1.npaths == 1 && p1.argc == 2,
           "then the same argv parses as before");
        isolate_policy_free(&p1);
    }
    /* argc, not a NULL terminator, bounds the parse. */
    r1 = isolate_parse(&p1, 2, argv, &e1);
    ok(r1 == -1 && contains(e1.msg, "no command"), "argc bounds the parse (\"%s\")", e1.msg);
    r1 = isolate_parse(&p1, 8, argv, &e1);
    ok(r1 == 0 && p1.argc == 1 && streq(p1.argv[0], "cmd"), "argc cuts the command's arguments");
    isolate_policy_free(&p1);
    isolate_policy_free(&p2);
}

/* -------------------------------------------------------- isolate_parse_fd */

static void test_parse_fd(void)
{
    static const struct {
        const char *s;
        int ok, v;
    } cases[] = {
        {"0", 1, 0},
        {"3", 1, 3},
        {"42", 1, 42},
        {"007", 1, 7},
        {"010", 1, 10},
        {"2147483647", 1, INT_MAX},
        {"", 0, 0},
        {"-1", 0, 0},
        {"-0", 0, 0},
        {"+3", 0, 0},
        {" 3", 0, 0},
        {"\t3", 0, 0},
        {"\n3", 0, 0},
        {"3 ", 0, 0},
        {"3x", 0, 0},
        {"0x3", 0, 0},
        {"abc", 0, 0},
        {"2147483648", 0, 0},
        {"99999999999", 0, 0},
        {"99999999999999999999999", 0, 0},
        {"1e3", 0, 0},
        {"3.0", 0, 0},
    };

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int v = -7, r = isolate_parse_fd(cases[i].s, &v);
        if (cases[i].ok)
            ok(r == 0 && v == cases[i].v, "parse_fd \"%s\" -> %d", esc(cases[i].s), cases[i].v);
        else
            ok(r == -1 && v == -7, "parse_fd refuses \"%s\" and leaves *out alone",
               esc(cases[i].s));
    }
    {
        int v = -7;
        ok(isolate_parse_fd(NULL, &v) == -1 && v == -7, "parse_fd refuses NULL");
    }
}

/* ------------------------------------------------------------------- env */

static void test_env_names(void)
{
    static const char *const allowed[] = {"PATH",     "TERM",      "LANG",    "LC_ALL", "LC_CTYPE",
                                          "TZ",       "USER",      "LOGNAME", "SHELL",  "COLORTERM",
                                          "NO_COLOR", "PATH=/bin", "LC_ALL=C"};
    static const char *const refused[] = {"LC_",
                                          "LC_=x",
                                          "LC_A-B",
                                          "SSH_AUTH_SOCK",
                                          "GITHUB_TOKEN",
                                          "AWS_SECRET_ACCESS_KEY",
                                          "DISPLAY",
                                          "WAYLAND_DISPLAY",
                                          "LD_PRELOAD",
                                          "LD_LIBRARY_PATH",
                                          "GLIBC_TUNABLES",
                                          "BASH_ENV",
                                          "ENV",
                                          "HOME",
                                          "HOMEx",
                                          "PATHX",
                                          "PAT",
                                          "path",
                                          "",
                                          "=PATH",
                                          "GPG_AGENT_INFO",
                                          "XDG_RUNTIME_DIR",
                                          "DBUS_SESSION_BUS_ADDRESS",
                                          "PATH_X=1",
                                          "TERMX"};

    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        ok(iso_env_allowed(allowed[i]), "allowlisted: %s", allowed[i]);
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        ok(!iso_env_allowed(refused[i]), "not allowlisted: '%s'", refused[i]);

    ok(iso_env_name_valid("A", 1) && iso_env_name_valid("_", 1) && iso_env_name_valid("a1_B", 4) &&
           iso_env_name_valid("_9", 2),
       "valid names: A _ a1_B _9");
    ok(!iso_env_name_valid("1X", 2) && !iso_env_name_valid("", 0) && !iso_env_name_valid("=x", 0) &&
           !iso_env_name_valid("A-B", 3) && !iso_env_name_valid("A B", 3) &&
           !iso_env_name_valid("A.B", 3) && !iso_env_name_valid("\xc3\xa9", 2),
       "invalid names: 1X, empty, =x, A-B, 'A B', A.B, non-ASCII");
    ok(iso_env_name_valid("ABC=1", 3) && iso_env_name_valid("A-B", 1) &&
           !iso_env_name_valid("AB-", 3),
       "only the first len bytes are judged");
}

static const char *env_value(char **v, const char *name)
{
    size_t len = strlen(name);
    for (; v && *v; v++)
        if (!strncmp(*v, name, len) && (*v)[len] == '=') return *v + len + 1;
    return NULL;
}

static int env_count(char **v, const char *name)
{
    size_t len = strlen(name);
    int n = 0;
    for (; v && *v; v++) n += !strncmp(*v, name, len) && (*v)[len] == '=';
    return n;
}

/* No name appears twice in the built environment. */
static int env_no_duplicates(char **v)
{
    for (char **a = v; a && *a; a++)
        for (char **b = a + 1; *b; b++) {
            size_t la = strcspn(*a, "="), lb = strcspn(*b, "=");
            if (la == lb && !strncmp(*a, *b, la)) return 0;
        }
    return 1;
}

static void test_env_build(void)
{
    char *caller[] = {"PATH=/opt/bin:/usr/bin",
                      "TERM=xterm",
                      "LANG=C.UTF-8",
                      "LC_ALL=C",
                      "LC_CTYPE=en_US.UTF-8",
                      "LC_=x",
                      "SSH_AUTH_SOCK=/run/user/1000/agent",
                      "GITHUB_TOKEN=ghp_secret",
                      "AWS_SECRET_ACCESS_KEY=secret",
                      "DISPLAY=:0",
                      "LD_PRELOAD=/evil.so",
                      "BASH_ENV=/evil.sh",
                      "HOME=/home/caller",
                      "NOEQUALS",
                      "FOO=a=b=c",
                      "TZ=",
                      NULL};
    struct isolate_error e;
    char **v;

    v = iso_env_build(caller, "/home/u", NULL, 0, &e);
    ok(v != NULL, "iso_env_build succeeds");
    if (!v) return;
    ok(streq(env_value(v, "PATH"), "/opt/bin:/usr/bin") && streq(env_value(v, "TERM"), "xterm") &&
           streq(env_value(v, "LANG"), "C.UTF-8") && streq(env_value(v, "LC_ALL"), "C") &&
           streq(env_value(v, "LC_CTYPE"), "en_US.UTF-8") && streq(env_value(v, "TZ"), ""),
       "allowlisted variables pass with their values (empty ones too)");
    ok(!env_value(v, "SSH_AUTH_SOCK") && !env_value(v, "GITHUB_TOKEN") &&
           !env_value(v, "AWS_SECRET_ACCESS_KEY") && !env_value(v, "DISPLAY") &&
           !env_value(v, "LD_PRELOAD") && !env_value(v, "BASH_ENV") && !env_value(v, "LC_") &&
           !env_value(v, "FOO"),
       "secrets, sockets, loader and shell start-up variables are dropped");
    ok(streq(env_value(v, "HOME"), "/home/u") && env_count(v, "HOME") == 1,
       "HOME comes from the argument, not from the caller");
    {
        int n = 0, bare = 0;
        for (char **x = v; *x; x++, n++) bare += !strchr(*x, '=');
        ok(n == 7 && bare == 0 && env_no_duplicates(v),
           "exactly PATH TERM LANG LC_ALL LC_CTYPE TZ HOME, no bare words (%d entries)", n);
    }
    iso_strv_free(v);

    /* Default PATH; no HOME when none is given. */
    {
        char *noPath[] = {"TERM=dumb", "HOME=/h", NULL};
        v = iso_env_build(noPath, NULL, NULL, 0, &e);
        ok(v && streq(env_value(v, "PATH"), "/usr/local/bin:/usr/bin:/bin") &&
               !env_value(v, "HOME") && streq(env_value(v, "TERM"), "dumb"),
           "PATH defaults to /usr/local/bin:/usr/bin:/bin; no home, no HOME");
        iso_strv_free(v);
        v = iso_env_build(NULL, "/h", NULL, 0, &e);
        ok(v && streq(env_value(v, "PATH"), "/usr/local/bin:/usr/bin:/bin") &&
               streq(env_value(v, "HOME"), "/h") && v[2] == NULL,
           "a NULL caller environment gives PATH and HOME only");
        iso_strv_free(v);
    }

    /* --env NAME copies, --env NAME=VALUE sets; later wins; '=' survives. */
    {
        const char *extra[] = {"GITHUB_TOKEN", "FOO",    "UNSET_VAR", "TERM=dumb",   "X=1",
                               "X=2",          "EMPTY=", "V=a=b",     "HOME=/other", "PATH=/only"};
        v = iso_env_build(caller, "/home/u", extra, sizeof extra / sizeof *extra, &e);
        ok(v && streq(env_value(v, "GITHUB_TOKEN"), "ghp_secret"),
           "--env NAME brings a dropped variable back from the caller");
        ok(streq(env_value(v, "FOO"), "a=b=c"), "--env NAME copies a value containing '='");
        ok(!env_value(v, "UNSET_VAR"), "--env NAME of an unset variable passes nothing");
        ok(streq(env_value(v, "TERM"), "dumb") && env_count(v, "TERM") == 1,
           "--env NAME=VALUE overrides an allowlisted variable, once");
        ok(streq(env_value(v, "X"), "2") && env_count(v, "X") == 1, "the later --env wins");
        ok(streq(env_value(v, "EMPTY"), "") && streq(env_value(v, "V"), "a=b"),
           "--env NAME= sets an empty value; '=' inside VALUE survives");
        ok(streq(env_value(v, "HOME"), "/other") && streq(env_value(v, "PATH"), "/only"),
           "--env overrides HOME and PATH too");
        ok(env_no_duplicates(v) && !env_value(v, "SSH_AUTH_SOCK"),
           "no duplicates, and nothing else came back");
        iso_strv_free(v);
    }
    {
        /* The caller's environment may name a variable twice (execve allows it). */
        char *twice[] = {"PATH=/a", "LANG=x", "PATH=/b", NULL};
        const char *extra[] = {"LANG"};
        v = iso_env_build(twice, NULL, extra, 1, &e);
        ok(v && env_count(v, "PATH") == 1 && env_count(v, "LANG") == 1 && env_no_duplicates(v),
           "a variable named twice by the caller appears once");
        iso_strv_free(v);
    }
    iso_strv_free(NULL);
    ok(1, "iso_strv_free(NULL) is safe");
}

/* ------------------------------------------------------------------ plan */

static char scratch[PATH_MAX]; /* S: the scratch tree, removed at the end */
static char home[PATH_MAX];    /* H = S/home, the fake $HOME */
static int scratch_private;    /* S lies in a private area (/tmp, /var/tmp, /run) */

static char *sub(char *buf, const char *base, const char *rel)
{
    if (snprintf(buf, PATH_MAX, "%s/%s", base, rel) >= PATH_MAX) buf[0] = '\0';
    return buf;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static int path_depth(const char *path)
{
    int d = 0;
    if (!strcmp(path, "/")) return 0;
    for (; *path; path++) d += *path == '/';
    return d;
}

/* The scratch tree lives in the repository's build/ directory (found from
 * this executable), not in /tmp: /tmp is a private area of the plan, which
 * would change what is expected. Expectations still follow scratch_private
 * when the repository itself lies in one. */
static int make_scratch(void)
{
    char exe[PATH_MAX], base[PATH_MAX + 32], buf[PATH_MAX], *slash;
    static const char *const dirs[] = {"home",    "home/proj",  "home/proj/sub", "home/proj/cache",
                                       "outside", "outside/dir"};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (n <= 0) return -1;
    exe[n] = 0;
    if ((slash = strrchr(exe, '/'))) *slash = 0;
    snprintf(base, sizeof base, "%s/../../build", exe);
    if (!realpath(base, buf)) snprintf(buf, sizeof buf, "%s", exe);
    if (snprintf(scratch, sizeof scratch, "%s/unit-plan-XXXXXX", buf) >= (int)sizeof scratch ||
        !mkdtemp(scratch))
        return -1;
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        if (mkdir(sub(buf, scratch, dirs[i]), 0755) < 0) return -1;
    if (close(open(sub(buf, scratch, "home/proj/secret.txt"), O_CREAT | O_WRONLY, 0600)) < 0)
        return -1;
    if (symlink("home", sub(buf, scratch, "homelink")) < 0) return -1;
    if (!realpath(sub(buf, scratch, "home"), home)) return -1;
    /* The scratch path as the plan sees it (canonical). */
    if (!realpath(scratch, buf)) return -1;
    snprintf(scratch, sizeof scratch, "%s", buf);
    for (const char *const *d = iso_private_dirs; *d; d++) {
        struct stat st;
        if (lstat(*d, &st) == 0 && S_ISDIR(st.st_mode) && is_under(scratch, *d))
            scratch_private = 1;
    }
    return 0;
}

struct planned {
    struct isolate_policy p;
    struct iso_plan plan;
    struct isolate_error err;
    int rc;
};

/* Parses opts + "true", chdirs to cwd and builds the plan with HOME=home_env. */
static int plan_for(struct planned *x, const char *cwd, const char *home_env, char **opts)
{
    char homevar[PATH_MAX + 8];
    char *env[] = {homevar, "PATH=/usr/bin:/bin", "TERM=xterm", "SSH_AUTH_SOCK=/x", NULL};
    char *argv[24];
    int argc = 0;
    struct isolate_caller c;

    memset(x, 0, sizeof *x);
    /* iso_plan_free() of a plan never built must not close descriptor 0. */
    x->plan.helper_fd = x->plan.tty_src = -1;
    snprintf(homevar, sizeof homevar, "HOME=%s", home_env);
    argv[argc++] = "isolate";
    for (; opts && *opts && argc < 22; opts++) argv[argc++] = *opts;
    argv[argc++] = "true";
    argv[argc] = NULL;
    if (isolate_parse(&x->p, argc, argv, &x->err) < 0) {
        diag("parse failed: %s", x->err.msg);
        return x->rc = -2;
    }
    /* The policy borrows argv; argv[] lives on this stack frame, but only
     * the plan (which copies what it keeps) is used after returning. */
    memset(&c, 0, sizeof c);
    c.shell = "/bin/sh";
    c.environ = env;
    sigemptyset(&c.keep_ignored);
    if (chdir(cwd) < 0) {
        diag("chdir %s: %s", cwd, strerror(errno));
        return x->rc = -2;
    }
    x->rc = iso_plan_build(&x->plan, &x->p, &c, &x->err);
    /* Nothing of the policy but keep_fds is referenced by the plan: drop the
     * borrowed pointers now, so no test can read a dead argv by mistake. */
    x->p.argv = NULL;
    x->p.command = NULL;
    for (size_t i = 0; i < x->p.npaths; i++) x->p.paths[i].arg = NULL;
    for (size_t i = 0; i < x->p.nenv; i++) x->p.env[i] = NULL;
    return x->rc;
}

static void plan_done(struct planned *x)
{
    iso_plan_free(&x->plan);
    isolate_policy_free(&x->p);
}

static const struct iso_mount *find_mount(const struct iso_plan *plan, const char *path, int kind)
{
    for (size_t i = 0; i < plan->nmounts; i++)
        if (!strcmp(plan->mounts[i].path, path) && (kind < 0 || (int)plan->mounts[i].kind == kind))
            return &plan->mounts[i];
    return NULL;
}

static int count_kind(const struct iso_plan *plan, int kind)
{
    int n = 0;
    for (size_t i = 0; i < plan->nmounts; i++) n += (int)plan->mounts[i].kind == kind;
    return n;
}

static long index_of(const struct iso_plan *plan, const struct iso_mount *m)
{
    return m ? (long)(m - plan->mounts) : -1;
}

/* Parents before children, and at one path a tmpfs before what goes on it. */
static int mounts_ordered(const struct iso_plan *plan)
{
    for (size_t i = 0; i + 1 < plan->nmounts; i++) {
        const struct iso_mount *a = &plan->mounts[i], *b = &plan->mounts[i + 1];
        if (path_depth(a->path) > path_depth(b->path)) return 0;
    }
    for (size_t i = 0; i < plan->nmounts; i++)
        for (size_t j = 0; j < plan->nmounts; j++)
            if (i != j && is_under(plan->mounts[j].path, plan->mounts[i].path) &&
                strcmp(plan->mounts[i].path, plan->mounts[j].path) && j < i)
                return 0;
    return 1;
}

/* Checks shared by every successful plan. */
static void check_common(const struct planned *x, const char *what)
{
    const struct iso_plan *pl = &x->plan;
    const struct iso_mount *h = find_mount(pl, home, ISO_M_TMPFS);
    int priv_ok = 1;

    ok(x->rc == 0, "%s: plan built (%s)", what, x->rc ? x->err.msg : "ok");
    if (x->rc) return;
    ok(streq(pl->home, home) && h && h->writable && h->is_dir && h->mode == 0700 &&
           streq(h->label, "private home") && h->under_private == scratch_private,
       "%s: private home tmpfs on H (0700, under_private %d)", what, scratch_private);
    for (const char *const *d = iso_private_dirs; *d; d++) {
        struct stat st;
        const struct iso_mount *m = find_mount(pl, *d, ISO_M_TMPFS);
        if (lstat(*d, &st) < 0 || !S_ISDIR(st.st_mode)) {
            priv_ok &= m == NULL;
            continue;
        }
        priv_ok &= m && m->writable && !m->under_private &&
                   m->mode == (!strcmp(*d, "/run") ? 0755u : 01777u);
    }
    ok(priv_ok, "%s: /tmp /var/tmp /run are private tmpfs where they exist", what);
    ok(mounts_ordered(pl), "%s: mounts ordered parents before children", what);
    ok(streq(env_value(pl->envp, "HOME"), home) &&
           streq(env_value(pl->envp, "PATH"), "/usr/bin:/bin") &&
           !env_value(pl->envp, "SSH_AUTH_SOCK"),
       "%s: the command's environment is filtered, HOME set", what);
}

static void test_plan(void)
{
    char origin[PATH_MAX], proj[PATH_MAX], buf[PATH_MAX], buf2[PATH_MAX];
    struct planned x;

    if (!getcwd(origin, sizeof origin) || make_scratch() < 0) {
        ok(0, "scratch tree for the plan tests (%s)", strerror(errno));
        return;
    }
    diag("plan scratch tree: %s (in a private area: %d)", scratch, scratch_private);
    sub(proj, home, "proj");

    /* cwd == H: the real home is never shown; start in the private one. */
    plan_for(&x, home, home, NULL);
    check_common(&x, "cwd=H");
    ok(x.rc == 0 && contains(x.plan.cwd_note, "home") && streq(x.plan.cwd_inside, home) &&
           count_kind(&x.plan, ISO_M_BIND) == 0,
       "cwd=H: not exposed, starts in H, the note names the home (\"%s\")",
       x.rc ? "" : x.plan.cwd_note);
    ok(x.rc == 0 && streq(x.plan.cwd_host, home), "cwd=H: cwd_host recorded");
    plan_done(&x);

    /* cwd == H/proj: bound read-only on the private home. */
    plan_for(&x, proj, home, NULL);
    check_common(&x, "cwd=H/proj");
    if (x.rc == 0) {
        const struct iso_mount *m = find_mount(&x.plan, proj, ISO_M_BIND);
        ok(m && !m->writable && m->is_dir && m->under_private &&
               streq(m->label, "current directory"),
           "cwd=H/proj: read-only bind of H/proj, under a private area");
        ok(x.plan.cwd_note == NULL && streq(x.plan.cwd_inside, proj),
           "cwd=H/proj: no note, starts in H/proj");
        ok(index_of(&x.plan, find_mount(&x.plan, home, ISO_M_TMPFS)) < index_of(&x.plan, m),
           "cwd=H/proj: the home tmpfs comes before the bind on it");
        ok(count_kind(&x.plan, ISO_M_BIND) == 1 && count_kind(&x.plan, ISO_M_HIDE) == 0,
           "cwd=H/proj: nothing else bound");
    }
    plan_done(&x);

    /* cwd == S, the parent of H: binding it would show the home. */
    plan_for(&x, scratch, home, NULL);
    check_common(&x, "cwd=parent of H");
    ok(x.rc == 0 && streq(x.plan.cwd_note, "contains your home directory") &&
           streq(x.plan.cwd_inside, home) && count_kind(&x.plan, ISO_M_BIND) == 0,
       "cwd=parent of H: \"contains your home directory\", starts in H, nothing bound");
    plan_done(&x);

    /* cwd == "/": never exposed (it holds everything), and said plainly. */
    plan_for(&x, "/", home, NULL);
    check_common(&x, "cwd=/");
    ok(x.rc == 0 && streq(x.plan.cwd_note, "is the root directory") &&
           streq(x.plan.cwd_inside, home) && count_kind(&x.plan, ISO_M_BIND) == 0,
       "cwd=/: not exposed, \"is the root directory\", starts in H");
    plan_done(&x);

    /* A current directory removed under the caller: no path, start in H. */
    sub(buf, scratch, "gone");
    if (mkdir(buf, 0755) == 0 && chdir(buf) == 0 && rmdir(buf) == 0) {
        plan_for(&x, ".", home, NULL);
        check_common(&x, "cwd removed");
        ok(x.rc == 0 && contains(x.plan.cwd_note, "no longer exists") &&
               streq(x.plan.cwd_inside, home) && count_kind(&x.plan, ISO_M_BIND) == 0,
           "cwd removed: not exposed, \"no longer exists\", starts in H");
        plan_done(&x);
    } else {
        ok(0, "cwd removed: set up (%s)", strerror(errno));
    }

    /* cwd outside the home: visible through the read-only host tree, bound
     * only when it lies in a private area. */
    sub(buf, scratch, "outside");
    plan_for(&x, buf, home, NULL);
    check_common(&x, "cwd=S/outside");
    if (x.rc == 0) {
        const struct iso_mount *m = find_mount(&x.plan, buf, ISO_M_BIND);
        ok(x.plan.cwd_note == NULL && streq(x.plan.cwd_inside, buf),
           "cwd=S/outside: no note, starts there");
        ok(scratch_private ? (m && !m->writable && m->under_private) : m == NULL,
           "cwd=S/outside: bound only if in a private area (%d)", scratch_private);
    }
    plan_done(&x);

    /* -w . from H/proj, cwd below it: one writable bind, no extra one. */
    {
        char *opts[] = {"-w", "..", NULL};
        sub(buf, proj, "sub");
        plan_for(&x, buf, home, opts);
        check_common(&x, "-w H/proj");
        if (x.rc == 0) {
            const struct iso_mount *m = find_mount(&x.plan, proj, ISO_M_BIND);
            ok(m && m->writable && m->is_dir && m->under_private && streq(m->label, "--write"),
               "-w (relative) H/proj: writable bind at the canonical path, under a private area");
            ok(count_kind(&x.plan, ISO_M_BIND) == 1 && !find_mount(&x.plan, buf, -1),
               "cwd inside a --write path needs no extra bind");
            ok(x.plan.cwd_note == NULL && streq(x.plan.cwd_inside, buf),
               "cwd inside --write: starts there, no note");
        }
        plan_done(&x);
    }

    /* --write H itself: the bind must be applied after the home tmpfs, at
     * the same path, or the empty tmpfs would cover it. */
    {
        char *opts[] = {"--write", home, NULL};
        plan_for(&x, home, home, opts);
        check_common(&x, "--write H");
        if (x.rc == 0) {
            const struct iso_mount *t = find_mount(&x.plan, home, ISO_M_TMPFS);
            const struct iso_mount *b = find_mount(&x.plan, home, ISO_M_BIND);
            ok(b && b->writable && index_of(&x.plan, t) < index_of(&x.plan, b),
               "--write H: writable bind at H, after the home tmpfs");
            ok(x.plan.cwd_note == NULL && streq(x.plan.cwd_inside, home),
               "--write H with cwd=H: exposed, no note");
        }
        plan_done(&x);
    }

    /* --ro and --hide of a file and of a directory. */
    {
        char secret[PATH_MAX], cache[PATH_MAX];
        char *opts[] = {"--hide", sub(secret, proj, "secret.txt"), "--ro", proj,
                        "--hide", sub(cache, proj, "cache"),       NULL};
        sub(buf, scratch, "outside");
        plan_for(&x, buf, home, opts);
        check_common(&x, "--ro/--hide");
        if (x.rc == 0) {
            const struct iso_mount *f = find_mount(&x.plan, secret, ISO_M_HIDE);
            const struct iso_mount *d = find_mount(&x.plan, cache, ISO_M_HIDE);
            const struct iso_mount *r = find_mount(&x.plan, proj, ISO_M_BIND);
            ok(f && !f->is_dir && !f->writable && f->under_private && streq(f->label, "--hide"),
               "--hide of a file: a file hide, under a private area");
            ok(d && d->is_dir && !d->writable && d->under_private, "--hide of a directory");
            ok(r && !r->writable && r->is_dir && streq(r->label, "--ro"), "--ro: read-only bind");
            ok(index_of(&x.plan, r) < index_of(&x.plan, f) &&
                   index_of(&x.plan, r) < index_of(&x.plan, d),
               "hides inside a --ro path come after it, though given before");
        }
        plan_done(&x);
    }

    /* A --ro path named through a symlink: the bind is at the real path,
     * and the name used is recorded as a symlink to it. */
    {
        char *opts[] = {"--ro", sub(buf2, scratch, "homelink/proj"), NULL};
        plan_for(&x, scratch, home, opts);
        check_common(&x, "--ro via symlink");
        if (x.rc == 0) {
            const struct iso_mount *b = find_mount(&x.plan, proj, ISO_M_BIND);
            const struct iso_mount *l = find_mount(&x.plan, buf2, ISO_M_LINK);
            ok(b && !b->writable && b->under_private, "--ro via a symlink: bind at the real path");
            ok(l && streq(l->link_to, proj) && l->under_private == scratch_private,
               "--ro via a symlink: the name is kept as a symlink to it");
        }
        plan_done(&x);
    }

    /* The current directory under a --hide: not exposed. */
    {
        sub(buf, scratch, "outside/dir");
        char *opts[] = {"--hide", buf, NULL};
        plan_for(&x, buf, home, opts);
        check_common(&x, "cwd hidden");
        ok(x.rc == 0 && contains(x.plan.cwd_note, "--hide") && streq(x.plan.cwd_inside, home),
           "cwd under --hide: not exposed, starts in H");
        plan_done(&x);
    }

    /* HOME given through a symlink with a trailing slash: canonical home. */
    sub(buf2, scratch, "homelink/");
    plan_for(&x, scratch, buf2, NULL);
    ok(x.rc == 0 && streq(x.plan.home, home) && find_mount(&x.plan, home, ISO_M_TMPFS) &&
           streq(env_value(x.plan.envp, "HOME"), buf2),
       "HOME through a symlink: the tmpfs goes on the canonical path; $HOME is kept as given");
    plan_done(&x);

    /* HOME=/ is unusable: no home tmpfs (it would cover everything). */
    plan_for(&x, "/", "/", NULL);
    ok(x.rc == 0 && x.plan.home == NULL && find_mount(&x.plan, "/", -1) == NULL &&
           contains(x.plan.cwd_note, "root") && streq(x.plan.cwd_inside, "/"),
       "HOME=/: no private home; cwd=/ not exposed, starts in / (\"%s\")",
       x.rc ? x.err.msg : x.plan.cwd_note);
    plan_done(&x);

    /* --keep-fd: an open descriptor is accepted, a closed one refused. */
    {
        char *opts[] = {"--keep-fd", "1", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == 0 && x.plan.nkeep_fds == 1 && x.plan.keep_fds[0] == 1,
           "--keep-fd 1 (open) is accepted");
        plan_done(&x);
    }
    {
        char *opts[] = {"--keep-fd", "987654", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--keep-fd 987654") && x.err.errnum == EBADF,
           "--keep-fd of a closed descriptor: \"%s\"", x.err.msg);
        plan_done(&x);
    }

    /* Errors: each names the option and the path, and leaves an empty plan. */
    {
        char *opts[] = {"--write", sub(buf, scratch, "missing"), NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--write") && contains(x.err.msg, buf) &&
               x.err.errnum == ENOENT,
           "a missing --write path: \"%s\"", esc(x.err.msg));
        ok(x.plan.nmounts == 0 && !x.plan.mounts && !x.plan.home && !x.plan.envp &&
               x.plan.helper_fd == -1,
           "a failed plan is left empty");
        plan_done(&x); /* a second free must be harmless */
    }
    {
        char *opts[] = {"--ro", sub(buf, scratch, "outside/missing/deeper"), NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--ro") && contains(x.err.msg, buf),
           "a missing --ro path: \"%s\"", esc(x.err.msg));
        plan_done(&x);
    }
    {
        char *opts[] = {"--write", "/", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--write /") && contains(x.err.msg, "root"),
           "--write /: \"%s\"", x.err.msg);
        plan_done(&x);
    }
    {
        char *opts[] = {"--ro", "/proc/self", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--ro /proc/self") && contains(x.err.msg, "/proc"),
           "--ro /proc/self: \"%s\"", x.err.msg);
        plan_done(&x);
    }
    {
        char *opts[] = {"--hide", "/proc/cpuinfo", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--hide /proc/cpuinfo"), "--hide under /proc: \"%s\"",
           x.err.msg);
        plan_done(&x);
    }
    {
        char *opts[] = {"--hide", "/dev/null", NULL};
        plan_for(&x, scratch, home, opts);
        ok(x.rc == -1 && contains(x.err.msg, "--hide /dev/null") &&
               contains(x.err.msg, "files and directories"),
           "--hide of a device: \"%s\"", x.err.msg);
        plan_done(&x);
    }

    /* A home inside a private area (HOME under /tmp): its tmpfs goes inside
     * the private /tmp, so its mountpoint must be made there first. */
    {
        struct stat st;
        char tmp[] = "/tmp/isolate-unit-XXXXXX", th[PATH_MAX], thr[PATH_MAX];
        if (lstat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && mkdtemp(tmp)) {
            sub(th, tmp, "h");
            if (mkdir(th, 0700) == 0 && realpath(th, thr)) {
                char *opts[] = {"--ro", thr, NULL};
                plan_for(&x, scratch, th, opts);
                if (x.rc == 0) {
                    const struct iso_mount *t = find_mount(&x.plan, thr, ISO_M_TMPFS);
                    const struct iso_mount *b = find_mount(&x.plan, thr, ISO_M_BIND);
                    ok(t && t->under_private,
                       "a home under /tmp: its tmpfs needs a mountpoint in the private /tmp");
                    ok(b && index_of(&x.plan, t) < index_of(&x.plan, b),
                       "a bind at that home goes after its tmpfs");
                    ok(mounts_ordered(&x.plan), "a home under /tmp: mounts ordered");
                } else {
                    ok(0, "plan with a home under /tmp: %s", x.err.msg);
                }
                plan_done(&x);
            }
            rmdir(th);
            rmdir(tmp);
        } else {
            diag("no /tmp directory: skipping the home-under-/tmp case");
        }
    }

    /* A box: its home replaces the private home, bound from a descriptor;
     * what is mounted below the home is made without following links; the
     * plan makes nothing (the box is made when it runs). */
    {
        char *opts[] = {"--box", "dev", "--ro", proj, NULL};
        char boxes[PATH_MAX + 32];
        sub(buf, proj, "sub");
        plan_for(&x, buf, home, opts);
        ok(x.rc == 0, "--box: plan built (%s)", x.rc ? x.err.msg : "ok");
        if (x.rc == 0) {
            const struct iso_mount *h = find_mount(&x.plan, home, ISO_M_BIND);
            const struct iso_mount *r = find_mount(&x.plan, proj, ISO_M_BIND);
            const struct iso_mount *c = find_mount(&x.plan, buf, -1);
            ok(h && h->persistent && h->pinned && h->writable && !h->in_box &&
                   !find_mount(&x.plan, home, ISO_M_TMPFS),
               "--box: the box's home is a writable bind at H, from a descriptor, not a tmpfs");
            ok(r && r->in_box && !r->writable && c == NULL,
               "--box: --ro below the home is made in the box's home without links; the cwd "
               "below it needs no mount of its own");
            ok(x.plan.box && &x.plan.mounts[x.plan.box_mount] == h, "--box: box_mount is the home");
            ok(streq(x.plan.hostname, "isolate-dev") &&
                   streq(env_value(x.plan.envp, "ISOLATE_BOX"), "dev"),
               "--box: host name isolate-dev, ISOLATE_BOX=dev");
            ok(x.plan.pin_fd < 0 && x.plan.box_fd < 0, "--box: the plan holds no descriptor");
        }
        plan_done(&x);
        snprintf(boxes, sizeof boxes, "%s/.local/share/isolate", home);
        ok(access(boxes, F_OK) < 0, "--box: the plan made nothing (%s)", boxes);
    }

    if (chdir(origin) < 0) diag("chdir back: %s", strerror(errno));
    nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    ok(access(scratch, F_OK) < 0, "scratch tree removed");
}

/* --------------------------------------------------------------- seccomp */

/* A classic-BPF interpreter for just the instructions the generated program
 * uses. Any other opcode, an out-of-bounds load or jump, or running off the
 * end is an error: the test then fails rather than guessing. */
static int bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
                   uint32_t *verdict, char *why, size_t whylen)
{
    unsigned char data[sizeof *d];
    uint32_t A = 0;
    size_t pc = 0;

    memcpy(data, d, sizeof data);
    while (pc < len) {
        const struct sock_filter *f = &prog[pc];
        size_t next;
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k % 4 || f->k > sizeof data - 4) {
                snprintf(why, whylen, "load at offset %u, pc %zu", f->k, pc);
                return -1;
            }
            memcpy(&A, data + f->k, 4);
            pc++;
            continue;
        case BPF_ALU | BPF_AND | BPF_K:
            A &= f->k;
            pc++;
            continue;
        case BPF_JMP | BPF_JEQ | BPF_K:
            next = pc + 1 + (A == f->k ? f->jt : f->jf);
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            next = pc + 1 + (A >= f->k ? f->jt : f->jf);
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            next = pc + 1 + (A > f->k ? f->jt : f->jf);
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            next = pc + 1 + ((A & f->k) ? f->jt : f->jf);
            break;
        case BPF_RET | BPF_K:
            *verdict = f->k;
            return 0;
        default:
            snprintf(why, whylen, "unsupported opcode 0x%04x at pc %zu", f->code, pc);
            return -1;
        }
        if (next >= len) {
            snprintf(why, whylen, "jump out of the program at pc %zu", pc);
            return -1;
        }
        pc = next;
    }
    snprintf(why, whylen, "ran off the end of the program");
    return -1;
}

#define PROG_LEN (sizeof iso_seccomp_program / sizeof *iso_seccomp_program)
#define NOT_A_VERDICT 0xffffffffu

/* The verdict of the generated filter for one system call. */
static uint32_t filter(uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct seccomp_data d;
    uint32_t v = NOT_A_VERDICT;
    char why[128];

    memset(&d, 0, sizeof d);
    d.arch = arch;
    d.nr = nr;
    d.instruction_pointer = 0x401000;
    d.args[0] = a0;
    d.args[1] = a1;
    d.args[2] = a2;
    d.args[3] = d.args[4] = d.args[5] = 0x5a5a5a5a5a5a5a5aULL;
    if (bpf_run(iso_seccomp_program, PROG_LEN, &d, &v, why, sizeof why) < 0) {
        ok(0, "interpreter: nr %d: %s", nr, why);
        return NOT_A_VERDICT;
    }
    return v;
}

#define ERRNO_OF(e) (SECCOMP_RET_ERRNO | ((uint32_t)(e)&SECCOMP_RET_DATA))

/* The interpreter itself: a wrong interpreter would make the rest vacuous. */
static void test_bpf_interpreter(void)
{
    const struct sock_filter probe[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 10, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 1), /* nr > 10 and odd */
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 6),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 4, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 2), /* (nr & 6) >= 4 */
        BPF_STMT(BPF_RET | BPF_K, 3),
    };
    const struct sock_filter bad_op[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    const struct sock_filter off_end[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
    };
    const struct sock_filter far_load[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)),
        BPF_STMT(BPF_RET | BPF_K, 0),
    };
    struct seccomp_data d;
    uint32_t v;
    char why[128];
    int r11, r12, r5, r2;

    memset(&d, 0, sizeof d);
    d.nr = 11, r11 = bpf_run(probe, 8, &d, &v, why, sizeof why) == 0 && v == 1;
    d.nr = 12, r12 = bpf_run(probe, 8, &d, &v, why, sizeof why) == 0 && v == 2; /* 12&6 = 4 */
    d.nr = 5, r5 = bpf_run(probe, 8, &d, &v, why, sizeof why) == 0 && v == 2;   /* 5&6 = 4 */
    d.nr = 2, r2 = bpf_run(probe, 8, &d, &v, why, sizeof why) == 0 && v == 3;
    ok(r11 && r12 && r5 && r2, "interpreter: JGT, JSET, AND, JGE, RET behave as the kernel's");
    ok(bpf_run(bad_op, 2, &d, &v, why, sizeof why) < 0 && contains(why, "opcode"),
       "interpreter: an unknown opcode is an error");
    ok(bpf_run(off_end, 1, &d, &v, why, sizeof why) < 0, "interpreter: no RET is an error");
    ok(bpf_run(far_load, 2, &d, &v, why, sizeof why) < 0,
       "interpreter: a load past seccomp_data is an error");
}

struct named_nr {
    const char *name;
    int nr;
};

#define NR(n)                                                                                      \
    {                                                                                              \
#n, SYS_##n                                                                                \
    }
/* Every system call the rule table names; a new rule must be added here. */
static const struct named_nr rule_nrs[] = {
    NR(ioctl),
    NR(keyctl),
    NR(add_key),
    NR(request_key),
    NR(bpf),
    NR(perf_event_open),
    NR(userfaultfd),
    NR(io_uring_setup),
    NR(io_uring_enter),
    NR(io_uring_register),
    NR(kexec_load),
    NR(kexec_file_load),
    NR(init_module),
    NR(finit_module),
    NR(delete_module),
    NR(mount),
    NR(umount2),
    NR(pivot_root),
    NR(move_mount),
    NR(open_tree),
    NR(fsopen),
    NR(fsconfig),
    NR(fsmount),
    NR(fspick),
    NR(mount_setattr),
    NR(unshare),
    NR(clone),
    NR(clone3),
    NR(setns),
    NR(open_by_handle_at),
};

static int nr_of(const char *name)
{
    for (size_t i = 0; i < sizeof rule_nrs / sizeof *rule_nrs; i++)
        if (!strcmp(rule_nrs[i].name, name)) return rule_nrs[i].nr;
    return -1;
}

static void test_seccomp(void)
{
#if defined(__x86_64__)
    const uint32_t arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    const uint32_t arch = AUDIT_ARCH_AARCH64;
#else
    diag("seccomp: no native audit arch known for this machine; skipped");
    return;
#endif
    const uint32_t allow = SECCOMP_RET_ALLOW, eperm = ERRNO_OF(EPERM);

    test_bpf_interpreter();
    ok(PROG_LEN > 0 && PROG_LEN <= BPF_MAXINSNS &&
           iso_seccomp_program[PROG_LEN - 1].code == (BPF_RET | BPF_K),
       "the program has %zu instructions and ends with RET", (size_t)PROG_LEN);

    /* Ordinary system calls pass. */
    ok(filter(arch, SYS_read, 0, 0, 0) == allow && filter(arch, SYS_write, 1, 0, 0) == allow &&
           filter(arch, SYS_openat, (uint64_t)AT_FDCWD, 0, O_RDONLY) == allow &&
           filter(arch, SYS_execve, 0, 0, 0) == allow &&
           filter(arch, SYS_exit_group, 0, 0, 0) == allow,
       "read, write, openat, execve, exit_group are allowed");
    ok(filter(arch, SYS_clone, SIGCHLD, 0, 0) == allow &&
           filter(arch, SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD,
                  0, 0) == allow &&
           filter(arch, SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, 0, 0) == allow,
       "clone without CLONE_NEWUSER (fork, threads, other namespaces) is allowed");

    /* Every rule of the table: denied with its errno when it applies, and
     * allowed when its argument does not match. */
    for (size_t i = 0; i < iso_seccomp_nrules; i++) {
        const struct iso_seccomp_rule *r = &iso_seccomp_rules[i];
        int nr = nr_of(r->syscall);
        uint64_t args[3] = {0, 0, 0};
        uint32_t want = ERRNO_OF(r->errnum);

        if (nr < 0) {
            ok(0, "rule %s: system call number known to the test", r->syscall);
            continue;
        }
        if (r->arg < 0) {
            ok(filter(arch, nr, 0, 0, 0) == want &&
                   filter(arch, nr, 0xffffffffffffffffULL, 3, 0x1234) == want,
               "%s -> errno %d whatever its arguments (%s)", r->syscall, r->errnum, r->threat);
            continue;
        }
        if (r->arg > 2) {
            ok(0, "rule %s: argument %d not covered by the test", r->syscall, r->arg);
            continue;
        }
        args[r->arg] = r->value;
        ok(filter(arch, nr, args[0], args[1], args[2]) == want,
           "%s with arg%d = %#lx -> errno %d (%s)", r->syscall, r->arg, r->value, r->errnum,
           r->threat);
        /* Bits outside the mask do not change the verdict. */
        args[r->arg] = r->value | (~(uint64_t)r->mask & 0xffffffff00000000ULL);
        ok(filter(arch, nr, args[0], args[1], args[2]) == want,
           "%s with arg%d = %#llx (bits outside the mask) -> still errno %d", r->syscall, r->arg,
           (unsigned long long)args[r->arg], r->errnum);
        /* Flip the lowest bit of the mask: no longer the denied value. */
        args[r->arg] = r->value ^ (r->mask & -r->mask);
        ok(filter(arch, nr, args[0], args[1], args[2]) == allow, "%s with arg%d = %#llx is allowed",
           r->syscall, r->arg, (unsigned long long)args[r->arg]);
    }

    /* The specific threats, spelled out. */
    ok(filter(arch, SYS_ioctl, 0, TIOCSTI, 0) == eperm, "ioctl(TIOCSTI) -> EPERM");
    ok(filter(arch, SYS_ioctl, 0, 0xdeadbeef00000000ULL | TIOCSTI, 0) == eperm,
       "ioctl(TIOCSTI with garbage in the high 32 bits) -> EPERM (CVE-2019-10063)");
    ok(filter(arch, SYS_ioctl, 0, TIOCLINUX, 0) == eperm, "ioctl(TIOCLINUX) -> EPERM");
    ok(filter(arch, SYS_ioctl, 1, TIOCGWINSZ, 0) == allow &&
           filter(arch, SYS_ioctl, 0, TCGETS, 0) == allow,
       "ioctl(TIOCGWINSZ), ioctl(TCGETS) are allowed");
    ok(filter(arch, SYS_ioctl, TIOCSTI, TIOCGWINSZ, 0) == allow,
       "the ioctl rule tests the request (arg1), not the descriptor");
    ok(filter(arch, SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS, 0, 0) == eperm &&
           filter(arch, SYS_unshare, CLONE_NEWUSER, 0, 0) == eperm,
       "unshare(CLONE_NEWUSER[|CLONE_NEWNS]) -> EPERM");
    ok(filter(arch, SYS_unshare, CLONE_NEWNS, 0, 0) == allow &&
           filter(arch, SYS_unshare, CLONE_NEWNET | CLONE_NEWIPC, 0, 0) == allow,
       "unshare(CLONE_NEWNS), unshare(CLONE_NEWNET|CLONE_NEWIPC) are allowed");
    ok(filter(arch, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0) == eperm &&
           filter(arch, SYS_clone, 0xffffffff00000000ULL | CLONE_NEWUSER, 0, 0) == eperm,
       "clone(CLONE_NEWUSER ...) -> EPERM, high bits or not");
    ok(filter(arch, SYS_clone3, 0, 0, 0) == ERRNO_OF(ENOSYS),
       "clone3 -> ENOSYS (so that libc falls back to clone)");

#ifdef __x86_64__
    /* Other ABIs than the native one would slip past every rule. */
    ok(filter(AUDIT_ARCH_I386, 0, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS &&
           filter(AUDIT_ARCH_I386, 3 /* i386 read */, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS &&
           filter(AUDIT_ARCH_I386, 11 /* i386 execve */, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS &&
           filter(AUDIT_ARCH_I386, 54 /* i386 ioctl */, 0, TIOCSTI, 0) == SECCOMP_RET_KILL_PROCESS,
       "i386 system calls (int 0x80) kill the process");
    ok(filter(AUDIT_ARCH_AARCH64, SYS_read, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS,
       "a foreign architecture kills the process");
    ok(filter(arch, SYS_read | 0x40000000, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS &&
           filter(arch, SYS_ioctl | 0x40000000, 0, TIOCSTI, 0) == SECCOMP_RET_KILL_PROCESS &&
           filter(arch, 0x40000000 + 520 /* x32 execve */, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS,
       "x32 system calls (nr | 0x40000000) kill the process");
#endif
}

/* ---------------------------------------------------------- wait status */

static void test_status(void)
{
    ok(isolate_status_from_wait(W_EXITCODE(0, 0)) == 0, "exit 0 -> 0");
    ok(isolate_status_from_wait(W_EXITCODE(1, 0)) == 1, "exit 1 -> 1");
    ok(isolate_status_from_wait(W_EXITCODE(42, 0)) == 42, "exit 42 -> 42");
    ok(isolate_status_from_wait(W_EXITCODE(255, 0)) == 255, "exit 255 -> 255");
    ok(isolate_status_from_wait(W_EXITCODE(125, 0)) == 125 &&
           isolate_status_from_wait(W_EXITCODE(127, 0)) == 127,
       "the command's own 125 and 127 pass through");
    ok(isolate_status_from_wait(W_EXITCODE(0, SIGKILL)) == 128 + SIGKILL, "SIGKILL -> 137");
    ok(isolate_status_from_wait(W_EXITCODE(0, SIGINT)) == 130, "SIGINT -> 130");
    ok(isolate_status_from_wait(W_EXITCODE(0, SIGTERM)) == 143, "SIGTERM -> 143");
    ok(isolate_status_from_wait(W_EXITCODE(0, SIGSEGV) | 0x80) == 128 + SIGSEGV,
       "SIGSEGV with a core dump -> 139");
    ok(isolate_status_from_wait(W_EXITCODE(0, SIGRTMAX)) == 128 + SIGRTMAX,
       "a real-time signal -> 128+n");
    ok(isolate_status_from_wait(W_STOPCODE(SIGTSTP)) == 128 + SIGTSTP, "stopped by SIGTSTP -> 148");
    ok(isolate_status_from_wait(0xffff) == ISOLATE_EXIT_FAILURE,
       "a 'continued' status is no end: 125");

    /* The same from real processes, as waitpid() reports them. */
    {
        int st = 0;
        pid_t pid = fork();
        if (pid == 0) _exit(7);
        ok(pid > 0 && waitpid(pid, &st, 0) == pid && isolate_status_from_wait(st) == 7,
           "a real child's exit 7 -> 7");
        pid = fork();
        if (pid == 0) {
            signal(SIGUSR1, SIG_DFL);
            raise(SIGUSR1);
            _exit(0);
        }
        ok(pid > 0 && waitpid(pid, &st, 0) == pid && isolate_status_from_wait(st) == 128 + SIGUSR1,
           "a real child killed by SIGUSR1 -> %d", 128 + SIGUSR1);
    }
}

int main(void)
{
    /* TAP lines must not interleave with a forked child's buffered output. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    test_parse_valid();
    test_parse_invalid();
    test_parse_boxes();
    test_parse_pure();
    test_parse_fd();
    test_net();
    test_env_names();
    test_env_build();
    test_plan();
    test_seccomp();
    test_status();
    return done_testing();
}
