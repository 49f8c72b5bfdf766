/*
 * verdict.c - why a run ended, named by the supervisor once PID 1 is gone.
 *
 * A limit the supervisor enforced itself is known for certain. Where the
 * kernel's backstop acted first (limits.c), the command ends the way the
 * kernel ends it (SIGKILL or SIGXCPU past RLIMIT_CPU, SIGXFSZ past
 * RLIMIT_FSIZE, a failed allocation past RLIMIT_DATA), and the figures
 * measured show which limit it was, so the verdict still names the real
 * cause rather than "killed by signal".
 */
#include "internal.h"

#include <string.h>
#include <sys/wait.h>

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static void verdict(struct iso_result *r, const char *status, unsigned limit, const char *fmt,
                    const char *value)
{
    r->status = status;
    r->killed_by = limit ? iso_limit_name(limit) : NULL;
    snprintf(r->message, sizeof r->message, fmt, value);
}

void iso_conclude(struct iso_result *r, const struct iso_init_opts *o, const int *cmd,
                  int init_status, const struct rusage *ru, double wall, unsigned killed_by,
                  long max_tasks, unsigned long long max_mem, double max_cpu)
{
    const struct isolate_limits *l = &o->limits;
    int failed;
    char v[48];

    memset(r, 0, sizeof *r);
    r->limits = *l;
    r->wall_s = wall;
    r->cpu_s = tv(ru->ru_utime) + tv(ru->ru_stime);
    /* Processes the kernel killed after PID 1 are reaped unaccounted. */
    if (max_cpu > r->cpu_s) r->cpu_s = max_cpu;
    r->max_rss_kib = ru->ru_maxrss;
    r->csw_voluntary = ru->ru_nvcsw;
    r->csw_forced = ru->ru_nivcsw;
    r->max_pids = max_tasks > 0 ? max_tasks : (cmd ? 1 : 0);
    r->cg_mem_kib = -1;
    r->by_cgroup = o->by_cgroup;

    /* What ended the command: its own status from PID 1, or PID 1's death. */
    if (cmd && WIFEXITED(*cmd))
        r->exited = 1, r->exit_code = WEXITSTATUS(*cmd);
    else if (cmd && WIFSIGNALED(*cmd))
        r->signaled = 1, r->signal = WTERMSIG(*cmd);
    else if (WIFSIGNALED(init_status))
        r->signaled = 1, r->signal = WTERMSIG(init_status);
    failed = r->signaled || (r->exited && r->exit_code);

    switch (killed_by) {
    case ISO_LIMIT_WALL:
        snprintf(v, sizeof v, "%g s", l->wall_s);
        return verdict(r, "TO", killed_by, "wall-clock limit (%s) exceeded", v);
    case ISO_LIMIT_TIME:
        snprintf(v, sizeof v, "%g s", l->time_s);
        return verdict(r, "TO", killed_by, "CPU time limit (%s) exceeded", v);
    case ISO_LIMIT_MEM:
        iso_format_size(v, sizeof v, l->mem);
        return verdict(r, "ML", killed_by, "memory limit (%s) exceeded", v);
    case ISO_LIMIT_PIDS:
        snprintf(v, sizeof v, "%ld", l->pids);
        return verdict(r, "PL", killed_by, "process limit (%s) reached", v);
    case ISO_LIMIT_TMP:
        iso_format_size(v, sizeof v, l->tmp_size);
        return verdict(r, "OL", killed_by, "private space limit (%s) filled", v);
    }
    /* The kernel's backstops, recognised by their effect. */
    if (l->fsize && r->signaled && r->signal == SIGXFSZ) {
        iso_format_size(v, sizeof v, l->fsize);
        return verdict(r, "OL", ISO_LIMIT_FSIZE, "file size limit (%s) exceeded", v);
    }
    if (l->time_s && failed && r->cpu_s >= l->time_s) {
        snprintf(v, sizeof v, "%g s", l->time_s);
        return verdict(r, "TO", ISO_LIMIT_TIME, "CPU time limit (%s) exceeded", v);
    }
    if (l->mem && failed &&
        (max_mem >= l->mem / 10 * 9 ||
         (unsigned long long)r->max_rss_kib * 1024 >= l->mem / 10 * 9)) {
        iso_format_size(v, sizeof v, l->mem);
        return verdict(r, "ML", ISO_LIMIT_MEM, "memory limit (%s) exceeded", v);
    }
    if (l->pids && failed && max_tasks > l->pids) {
        snprintf(v, sizeof v, "%ld", l->pids);
        return verdict(r, "PL", ISO_LIMIT_PIDS, "process limit (%s) reached", v);
    }
    if (!cmd && !r->signaled) return verdict(r, "XX", 0, "%s", "the sandbox ended unexpectedly");
    if (r->signaled) {
        snprintf(v, sizeof v, "%d (SIG%s)", r->signal, iso_signame(r->signal));
        return verdict(r, "SG", 0, "killed by signal %s", v);
    }
    if (r->exit_code == ISOLATE_EXIT_FAILURE && !cmd)
        return verdict(r, "XX", 0, "%s", "isolate failed");
    snprintf(v, sizeof v, "%d", r->exit_code);
    if (r->exit_code) return verdict(r, "RE", 0, "exited with status %s", v);
    verdict(r, "OK", 0, "%s", "exited normally");
}

/* With a cgroup: exact CPU time, peak memory, and its own word on limits. */
void iso_conclude_cgroup(struct iso_result *r, const struct iso_init_opts *o)
{
    long long usec = iso_cgroup_stat(o->cg_dir, "cpu.stat", "usage_usec");
    long long peak = iso_cgroup_stat(o->cg_dir, "memory.peak", "");
    int failed = r->signaled || (r->exited && r->exit_code);
    char v[48];

    r->by_cgroup = o->by_cgroup;
    r->cgroup = 1;
    if (usec >= 0 && (double)usec / 1e6 > r->cpu_s) r->cpu_s = (double)usec / 1e6;
    r->cg_mem_kib = peak >= 0 ? peak / 1024 : -1;
    /* The most tasks at once, exactly (Linux 6.1); PID 1 is in the cgroup too. */
    peak = iso_cgroup_stat(o->cg_dir, "pids.peak", "");
    if (peak - 1 > r->max_pids) r->max_pids = (long)(peak - 1);
    if (r->killed_by) return;
    if (failed && (o->by_cgroup & ISO_LIMIT_MEM) &&
        iso_cgroup_stat(o->cg_dir, "memory.events", "oom_kill") > 0) {
        iso_format_size(v, sizeof v, o->limits.mem);
        verdict(r, "ML", ISO_LIMIT_MEM, "memory limit (%s) exceeded", v);
    } else if ((o->by_cgroup & ISO_LIMIT_PIDS) &&
               iso_cgroup_stat(o->cg_dir, "pids.events", "max") > 0) {
        /* A fork refused at pids.max, whatever the program made of it. */
        snprintf(v, sizeof v, "%ld", o->limits.pids);
        verdict(r, "PL", ISO_LIMIT_PIDS, "process limit (%s) reached", v);
    }
}

/* The wait status the supervisor mirrors: the command's, or the limit's. */
int iso_result_status(const struct iso_result *r)
{
    if (r->killed_by && !strcmp(r->killed_by, "wall")) return ISOLATE_EXIT_TIMEOUT << 8;
    if (!strcmp(r->status, "XX")) return ISOLATE_EXIT_FAILURE << 8;
    if (r->signaled) return r->signal & 0x7f;
    return (r->exit_code & 0xff) << 8;
}
