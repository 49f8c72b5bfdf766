/*
 * isolate-init - the small static helper that the sandbox-building child
 * execs. It becomes the supervisor, whose first child is PID 1 of the sandbox
 * (core/supervise.c, core/init.c). Being a fresh exec, neither process holds
 * anything of the shell that started it.
 *
 * Its command line is private to isolate and may change between versions:
 *   isolate-init --parent PID [--ctty FD --fg] [--verbose] -- COMMAND [ARGS...]
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
    struct iso_init_opts o = {.ctty = -1};
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--parent") && i + 1 < argc) {
            o.parent = (pid_t)atol(argv[++i]);
        } else if (!strcmp(argv[i], "--ctty") && i + 1 < argc) {
            if (isolate_parse_fd(argv[++i], &o.ctty) < 0) return usage();
        } else if (!strcmp(argv[i], "--fg")) {
            o.fg = 1;
        } else if (!strcmp(argv[i], "--verbose")) {
            o.verbose = 1;
        } else {
            return usage();
        }
    }
    if (i >= argc || o.parent <= 0 || (o.fg && o.ctty < 0)) return usage();
    o.argv = argv + i;
    return iso_supervise(&o);
}
