/*
 * args.c - libFuzzer target for the option parser (core/args.c) and the value
 * parsers behind --mem, --time, --pids and --keep-fd (core/limits.c).
 *
 * The input is split on NUL bytes into argv words after "isolate". The parser
 * runs inside the user's shell, so besides not crashing it must keep its
 * contract on any input: on error a non-empty, terminated message and an empty
 * policy; on success every string it keeps borrowed from argv, the command
 * where the words end; the value parsers' results within their documented
 * ranges. A broken invariant aborts, which libFuzzer reports as a crash.
 *
 *   make fuzz            (every target, FUZZ_TIME seconds each)
 */
#include "isolate.h"
#include "fuzz.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

static int borrowed(const char *s, char *const *argv, int argc)
{
    for (int i = 1; i < argc; i++)
        if (s >= argv[i] && s <= argv[i] + strlen(argv[i])) return 1;
    return 0;
}

static int policy_empty(const struct isolate_policy *p)
{
    static const struct isolate_policy zero;
    return !memcmp(p, &zero, sizeof zero);
}

static void check_values(const char *w)
{
    unsigned long long size;
    double sec;
    long count;
    int fd;

    if (isolate_parse_size(w, &size) == 0) REQUIRE(size >= 1 && size < (1ULL << 60));
    if (isolate_parse_seconds(w, &sec) == 0)
        REQUIRE(isfinite(sec) && sec > 0 && sec <= 366.0 * 86400);
    if (isolate_parse_count(w, &count) == 0) REQUIRE(count >= 1 && count <= INT_MAX);
    if (isolate_parse_fd(w, &fd) == 0) REQUIRE(fd >= 0);
    /* Digits alone are bytes, seconds and counts as written. */
    if (*w && strspn(w, "0123456789") == strlen(w) && strlen(w) < 15) {
        unsigned long long v = strtoull(w, NULL, 10);
        if (v >= 1 && isolate_parse_size(w, &size) == 0) REQUIRE(size == v);
        if (v >= 1 && v <= INT_MAX)
            REQUIRE(isolate_parse_count(w, &count) == 0 && count == (long)v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[MAX_WORDS + 2];
    struct isolate_policy p;
    struct isolate_error err;
    int argc = 1, r;

    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    argv[0] = "isolate";
    for (size_t i = 0; i <= size && argc <= MAX_WORDS; i += strlen(buf + i) + 1)
        argv[argc++] = buf + i;
    argv[argc] = NULL;

    memset(&p, 0xa5, sizeof p); /* the parser must not read what it did not set */
    memset(&err, 0x5a, sizeof err);
    r = isolate_parse(&p, argc, argv, &err);
    if (r < 0) {
        REQUIRE(r == -1);
        REQUIRE(memchr(err.msg, 0, sizeof err.msg) && err.msg[0]);
        REQUIRE(policy_empty(&p));
    } else {
        REQUIRE(r == 0);
        /* --help, --version and --doctor end the parse where they stand. */
        if (p.mode != ISOLATE_MODE_HELP && p.mode != ISOLATE_MODE_VERSION &&
            p.mode != ISOLATE_MODE_DOCTOR)
            REQUIRE(p.argv >= argv + 1 && p.argc >= 0 && p.argv + p.argc == argv + argc);
        for (size_t i = 0; i < p.npaths; i++) {
            REQUIRE(p.paths[i].kind <= ISOLATE_PATH_HIDE);
            REQUIRE(borrowed(p.paths[i].arg, argv, argc) && p.paths[i].arg[0]);
        }
        for (size_t i = 0; i < p.nenv; i++) REQUIRE(borrowed(p.env[i], argv, argc));
        for (size_t i = 0; i < p.nkeep_fds; i++) REQUIRE(p.keep_fds[i] >= 0);
        if (p.command) REQUIRE(borrowed(p.command, argv, argc));
        switch (p.mode) {
        case ISOLATE_MODE_RUN:
            REQUIRE(p.command || p.argc > 0);
            break;
        case ISOLATE_MODE_CHECK:
            REQUIRE(p.argc == 1 && p.check_text == p.argv[0]);
            break;
        case ISOLATE_MODE_HELP:
        case ISOLATE_MODE_VERSION:
        case ISOLATE_MODE_EXPLAIN:
        case ISOLATE_MODE_DOCTOR:
            break;
        default:
            REQUIRE(!"a mode of its own");
        }
        REQUIRE(p.limits.mem == 0 || p.limits.mem < (1ULL << 60));
        REQUIRE(p.limits.time_s >= 0 && p.limits.wall_s >= 0);
        REQUIRE(p.args == argv && p.nargs == argc);
    }
    isolate_policy_free(&p);
    REQUIRE(!p.paths && !p.env && !p.keep_fds && !p.npaths && !p.nenv && !p.nkeep_fds);
    isolate_policy_free(&p); /* twice: safe */

    for (int i = 1; i < argc; i++) {
        check_values(argv[i]);
        /* After "--opt=": what apply() hands to the value parsers. */
        if (strchr(argv[i], '=')) check_values(strchr(argv[i], '=') + 1);
    }
    free(buf);
    return 0;
}
