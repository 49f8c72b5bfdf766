/*
 * isolate-init - the small static helper the sandbox-building clones exec.
 * One exec becomes the supervisor (core/supervise.c), the other PID 1 of the
 * sandbox (core/init.c). Being fresh execs, neither holds anything of the
 * shell that started them.
 *
 * Its command lines are private to isolate and may change between versions:
 *   isolate-init --supervise --events FD --parent PID --pid1 PID [--ctty FD --fg] [--verbose]
 *   isolate-init --init --events FD [--verbose] -- COMMAND [ARGS...]
 */
#include "../core/internal.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    iso_say("isolate-init is started by isolate; it is not meant to be run by hand");
    return ISOLATE_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    struct iso_init_opts o = {.ctty = -1, .events = -1};
    int i, supervise = 0, init = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--supervise")) {
            supervise = 1;
        } else if (!strcmp(a, "--init")) {
            init = 1;
        } else if (!strcmp(a, "--fg")) {
            o.fg = 1;
        } else if (!strcmp(a, "--verbose")) {
            o.verbose = 1;
        } else if (v && !strcmp(a, "--events")) {
            if (isolate_parse_fd(v, &o.events) < 0) return usage();
            i++;
        } else if (v && !strcmp(a, "--ctty")) {
            if (isolate_parse_fd(v, &o.ctty) < 0) return usage();
            i++;
        } else if (v && !strcmp(a, "--parent")) {
            o.parent = (pid_t)atol(v);
            i++;
        } else if (v && !strcmp(a, "--pid1")) {
            o.pid1 = (pid_t)atol(v);
            i++;
        } else {
            return usage();
        }
    }
    if (o.events < 0 || supervise == init) return usage();
    if (supervise) {
        if (o.parent <= 0 || o.pid1 <= 0 || (o.fg && o.ctty < 0)) return usage();
        iso_supervise(&o);
    }
    if (i >= argc) return usage();
    o.argv = argv + i;
    iso_init_main(&o);
}
