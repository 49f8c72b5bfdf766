/*
 * limits.c - resource limits: parsing their values, the protective defaults,
 * and the kernel's share of enforcing them (rlimits).
 *
 * Parsing runs in the caller's process (pure functions); the defaults are
 * resolved into the plan there too, from /proc/meminfo. iso_limits_apply()
 * runs in PID 1 (pid1.c) before it starts the command, so the rlimits bind
 * PID 1, the command and everything it starts, never the shell.
 *
 * Each limit has two layers. The supervisor's watchdog (watchdog.c), or a
 * cgroup where one is delegated (cgroup.c), stops the sandbox at the limit
 * and names it in the verdict. The rlimit set here sits slightly above it, as
 * a kernel backstop for what a watchdog polling every few milliseconds could
 * miss (one process allocating or spinning faster than it looks).
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#define MAX_SIZE (1ULL << 60)

ISO_PUBLIC int isolate_parse_size(const char *s, unsigned long long *out)
{
    unsigned long long v = 0, mult = 1;
    const char *p = s;

    if (!s || *s < '0' || *s > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > MAX_SIZE / 10) return -1;
        v = v * 10 + (unsigned)(*p - '0');
    }
    switch (*p) {
    case 'k':
    case 'K':
        mult = 1ULL << 10;
        p++;
        break;
    case 'm':
    case 'M':
        mult = 1ULL << 20;
        p++;
        break;
    case 'g':
    case 'G':
        mult = 1ULL << 30;
        p++;
        break;
    case 't':
    case 'T':
        mult = 1ULL << 40;
        p++;
        break;
    }
    if (mult > 1 && (*p == 'i' || *p == 'I') && (p[1] == 'B' || p[1] == 'b'))
        p += 2;
    else if (*p == 'B' || *p == 'b')
        p++;
    /* Below 2^60, as documented: 1T times 2^20 is not a size. */
    if (*p || v == 0 || v > (MAX_SIZE - 1) / mult) return -1;
    *out = v * mult;
    return 0;
}

ISO_PUBLIC int isolate_parse_seconds(const char *s, double *out)
{
    char *end;
    double v;

    if (!s || !((*s >= '0' && *s <= '9') || *s == '.')) return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v <= 0 || v > 366.0 * 86400) return -1;
    *out = v;
    return 0;
}

ISO_PUBLIC int isolate_parse_count(const char *s, long *out)
{
    char *end;
    long v;

    if (!s || *s < '0' || *s > '9') return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 0x7fffffffL) return -1;
    *out = v;
    return 0;
}

/* The machine's RAM: MemTotal of /proc/meminfo, which sysinfo() gives in
 * one call (reading /proc/meminfo made the kernel compute all of it). */
static unsigned long long mem_total(void)
{
    struct sysinfo si;

    if (sysinfo(&si) < 0 || !si.totalram) return 4ULL << 30;
    return (unsigned long long)si.totalram * (si.mem_unit ? si.mem_unit : 1);
}

/* The protective defaults: far above what a build or a test suite uses, low
 * enough that a fork bomb, a memory bomb or a /tmp filler ends with a
 * verdict while the machine stays responsive. */
void iso_limits_defaults(struct iso_limits_plan *l, const struct isolate_limits *asked)
{
    unsigned long long ram = mem_total();

    memset(l, 0, sizeof *l);
    l->v = *asked;
    if (!asked->no_defaults) {
        if (!l->v.mem) l->v.mem = ram / 2, l->deflt |= ISO_LIMIT_MEM;
        if (!l->v.pids) l->v.pids = 1024, l->deflt |= ISO_LIMIT_PIDS;
        if (!l->v.tmp_size) l->v.tmp_size = ram / 4, l->deflt |= ISO_LIMIT_TMP;
    }
}

/* The kernel backstop a little above a watchdog's limit. */
static rlim_t above(double v)
{
    double margin = v * 0.1;
    return (rlim_t)ceil(v + (margin < 1 ? 1 : margin));
}

static int set(int res, rlim_t soft, rlim_t hard, const char *what, struct isolate_error *e)
{
    struct rlimit r, cur;

    /* Never raise: a limit the caller already has stays as strict. */
    if (getrlimit(res, &cur) == 0) {
        if (cur.rlim_max != RLIM_INFINITY && hard > cur.rlim_max) hard = cur.rlim_max;
        if (soft > hard) soft = hard;
    }
    r.rlim_cur = soft;
    r.rlim_max = hard;
    if (setrlimit(res, &r) < 0) {
        iso_err(e, errno, "cannot set the %s limit", what);
        return -1;
    }
    return 0;
}

int iso_limits_apply(const struct iso_limits_plan *l, struct isolate_error *e)
{
    const struct isolate_limits *v = &l->v;

    /* CPU time is per process for the kernel: the watchdog sums the tree. */
    if (v->time_s && set(RLIMIT_CPU, above(v->time_s), above(v->time_s), "CPU time", e) < 0)
        return -1;
    /* RLIMIT_DATA counts private writable memory (heap, anonymous maps), not
     * address space reserved without access: Go, Java and sanitizers run. */
    if (v->mem && !(l->by_cgroup & ISO_LIMIT_MEM)) {
        rlim_t m = (rlim_t)(v->mem + v->mem / 10 + (16ULL << 20));
        if (set(RLIMIT_DATA, m, m, "memory", e) < 0) return -1;
    }
    /* Counted per user namespace (Linux 5.14+), so per sandbox, threads
     * included; the supervisor and PID 1 count too. Above the limit by a
     * margin (8 tasks, or a sixteenth), so that a fork bomb the kernel holds
     * back stays over the limit long enough for PID 1 to count it there
     * (taskcount.c): with 4, one storm of dash subshells in a hundred ended
     * unseen. Not enforced by the kernel for root. */
    if (v->pids && !(l->by_cgroup & ISO_LIMIT_PIDS)) {
        rlim_t n = (rlim_t)(v->pids + 2 + (v->pids / 16 < 8 ? 8 : v->pids / 16));
        if (set(RLIMIT_NPROC, n, n, "process", e) < 0) return -1;
    }
    if (v->fsize && set(RLIMIT_FSIZE, v->fsize, v->fsize, "file size", e) < 0) return -1;
    if (v->nofile && set(RLIMIT_NOFILE, (rlim_t)v->nofile, (rlim_t)v->nofile, "open files", e) < 0)
        return -1;
    return 0;
}

int iso_format_size(char *buf, size_t len, unsigned long long bytes)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) return snprintf(buf, len, "%llu bytes", bytes);
    return snprintf(buf, len, v == (double)(long long)v ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

void iso_limits_describe(const struct iso_limits_plan *l, FILE *out)
{
    const struct isolate_limits *v = &l->v;
    char a[32];

#define DEFAULT(bit) ((l->deflt & (bit)) ? " (protective default)" : "")
    fprintf(out, "  limits:");
    if (!iso_limits_set(v)) fprintf(out, " none");
    fprintf(out, "\n");
    if (v->time_s) fprintf(out, "    CPU time       %g s for the whole sandbox\n", v->time_s);
    if (v->wall_s) fprintf(out, "    wall clock     %g s (exit status 124)\n", v->wall_s);
    if (v->mem) {
        iso_format_size(a, sizeof a, v->mem);
        fprintf(out, "    memory         %s for the whole sandbox%s\n", a, DEFAULT(ISO_LIMIT_MEM));
    }
    if (v->pids)
        fprintf(out, "    processes      %ld, threads included%s\n", v->pids,
                DEFAULT(ISO_LIMIT_PIDS));
    if (v->fsize) {
        iso_format_size(a, sizeof a, v->fsize);
        fprintf(out, "    file size      %s\n", a);
    }
    if (v->nofile) fprintf(out, "    open files     %ld per process\n", v->nofile);
    if (v->tmp_size) {
        iso_format_size(a, sizeof a, v->tmp_size);
        fprintf(out,
                "    private space  %s for home, /tmp, /var/tmp, /run and /dev/shm together%s\n", a,
                DEFAULT(ISO_LIMIT_TMP));
    }
    if (l->deflt) fprintf(out, "    (--no-limits removes the protective defaults)\n");
#undef DEFAULT
}
