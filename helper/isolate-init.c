/*
 * isolate-init - the small static helper the sandbox-building child execs.
 * It becomes the supervisor (core/supervise.c), which clones PID 1 of the
 * sandbox (core/pid1.c, core/init.c). Being a fresh exec, it holds nothing of
 * the shell that started it.
 *
 * Its command line is private to isolate and may change between versions:
 *   isolate-init --supervise --parent PID --fd-base N [--ctty FD --fg]
 *                [--verbose] [--quiet] [LIMITS] [--report-fd FD] [--meta-fd FD]
 *                [--cgroup-fd FD --cgroup-root-fd FD --cgroup-name NAME --cgroup-enforces MASK]
 *                [--hostname NAME] [--box-name NAME [--box-root-fd FD --box-stage ENTRY
 *                 --setup SHELL SCRIPT]]
 *                [--run-fd FD --run ID] [--ns-pid PID]
 *                --cwd DIR [--net host|pasta|slirp4netns] --keep-ignored MASK
 *                -- COMMAND [ARGS...]
 */
#include "../core/internal.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    iso_say("isolate-init is started by isolate; it is not meant to be run by hand");
    return ISOLATE_EXIT_FAILURE;
}

static int number(const char *v, long long *out)
{
    char *end;
    *out = strtoll(v, &end, 10);
    return *v && !*end && *out >= 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct iso_init_opts o;
    int i, supervise = 0;

    memset(&o, 0, sizeof o);
    o.ctty = o.fd_base = o.report_fd = o.meta_fd = o.cg_dir = o.cg_root = o.box_root_fd = -1;
    o.run_fd = -1;
    sigemptyset(&o.keep_ignored);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long n = 0;

        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "--supervise")) {
            supervise = 1;
            continue;
        }
        if (!strcmp(a, "--fg")) {
            o.fg = 1;
            continue;
        }
        if (!strcmp(a, "--verbose")) {
            o.verbose = 1;
            continue;
        }
        if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (!strcmp(a, "--setup")) {
            /* SHELL SCRIPT: the box's setup, run as SHELL -c SCRIPT */
            if (i + 2 >= argc) return usage();
            o.setup_argv[0] = argv[++i];
            o.setup_argv[1] = "-c";
            o.setup_argv[2] = argv[++i];
            continue;
        }
        if (!v) return usage();
        i++;
        if (!strcmp(a, "--time")) {
            if (isolate_parse_seconds(v, &o.limits.time_s)) return usage();
        } else if (!strcmp(a, "--wall")) {
            if (isolate_parse_seconds(v, &o.limits.wall_s)) return usage();
        } else if (!strcmp(a, "--tmp-path")) {
            o.tmp_path = v;
        } else if (!strcmp(a, "--cgroup-name")) {
            o.cg_name = v;
        } else if (!strcmp(a, "--cwd")) {
            o.cwd = v;
        } else if (!strcmp(a, "--hostname")) {
            o.hostname = v;
        } else if (!strcmp(a, "--box-name")) {
            o.box_name = v;
        } else if (!strcmp(a, "--box-stage")) {
            o.box_stage = v;
        } else if (!strcmp(a, "--net")) {
            if ((o.net = iso_net_mode_parse(v)) < 0) return usage();
        } else if (!strcmp(a, "--run")) {
            o.run_id = v;
        } else if (!strcmp(a, "--keep-ignored")) {
            char *end;
            unsigned long long m = strtoull(v, &end, 16);
            if (!*v || *end) return usage();
            for (int sig = 1; sig <= 64 && sig < _NSIG; sig++)
                if (m & (1ULL << (sig - 1))) sigaddset(&o.keep_ignored, sig);
        } else if (number(v, &n) < 0) {
            return usage();
        } else if (!strcmp(a, "--fd-base"))
            o.fd_base = (int)n;
        else if (!strcmp(a, "--ctty"))
            o.ctty = (int)n;
        else if (!strcmp(a, "--report-fd"))
            o.report_fd = (int)n;
        else if (!strcmp(a, "--meta-fd"))
            o.meta_fd = (int)n;
        else if (!strcmp(a, "--parent"))
            o.parent = (pid_t)n;
        else if (!strcmp(a, "--mem"))
            o.limits.mem = (unsigned long long)n;
        else if (!strcmp(a, "--fsize"))
            o.limits.fsize = (unsigned long long)n;
        else if (!strcmp(a, "--tmp-size"))
            o.limits.tmp_size = (unsigned long long)n;
        else if (!strcmp(a, "--pids"))
            o.limits.pids = (long)n;
        else if (!strcmp(a, "--nofile"))
            o.limits.nofile = (long)n;
        else if (!strcmp(a, "--defaults"))
            o.deflt = (unsigned)n;
        else if (!strcmp(a, "--cgroup-fd"))
            o.cg_dir = (int)n;
        else if (!strcmp(a, "--cgroup-root-fd"))
            o.cg_root = (int)n;
        else if (!strcmp(a, "--cgroup-enforces"))
            o.by_cgroup = (unsigned)n;
        else if (!strcmp(a, "--box-root-fd"))
            o.box_root_fd = (int)n;
        else if (!strcmp(a, "--run-fd"))
            o.run_fd = (int)n;
        else if (!strcmp(a, "--ns-pid"))
            o.ns_pid = (pid_t)n;
        else
            return usage();
    }
    if (!supervise || o.fd_base < 3 || o.parent <= 0 || !o.cwd || (o.fg && o.ctty < 0) ||
        i >= argc || (o.box_stage && (!o.box_name || o.box_root_fd < 0 || !o.setup_argv[0])))
        return usage();
    o.argv = argv + i;
    iso_supervise(&o);
}
