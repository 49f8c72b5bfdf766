/*
 * report.c - how a run ended, for people and for programs.
 *
 * Written by the supervisor when the sandbox is gone (or by the caller when
 * isolate failed before there was a supervisor): a JSON object for --report,
 * ioi/isolate's key:value meta file for --meta (so contest judges that speak
 * it can use isolate), and the one line on stderr when a limit stopped the
 * command. The files were opened by the caller, outside the sandbox's file
 * system, and handed over as descriptors.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const struct {
    unsigned bit;
    const char *name;
} limit_names[] = {
    {ISO_LIMIT_TIME, "time"},    {ISO_LIMIT_WALL, "wall"},   {ISO_LIMIT_MEM, "mem"},
    {ISO_LIMIT_PIDS, "pids"},    {ISO_LIMIT_FSIZE, "fsize"}, {ISO_LIMIT_NOFILE, "nofile"},
    {ISO_LIMIT_TMP, "tmp-size"},
};

const char *iso_limit_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof limit_names / sizeof *limit_names; i++)
        if (limit_names[i].bit == bit) return limit_names[i].name;
    return NULL;
}

unsigned iso_limits_set(const struct isolate_limits *l)
{
    return (l->time_s ? ISO_LIMIT_TIME : 0) | (l->wall_s ? ISO_LIMIT_WALL : 0) |
           (l->mem ? ISO_LIMIT_MEM : 0) | (l->pids ? ISO_LIMIT_PIDS : 0) |
           (l->fsize ? ISO_LIMIT_FSIZE : 0) | (l->nofile ? ISO_LIMIT_NOFILE : 0) |
           (l->tmp_size ? ISO_LIMIT_TMP : 0);
}

/* Which mechanism stops the sandbox at each limit: the kernel's, then the
 * one that names the limit where the kernel alone would not. CPU time has no
 * cgroup limit, but with a cgroup the watchdog reads the cgroup's exact
 * count (cpu.stat) and kills with cgroup.kill. */
static const char *enforcer(unsigned bit, const struct iso_result *r)
{
    if (r->by_cgroup & bit) return "cgroup";
    switch (bit) {
    case ISO_LIMIT_TIME:
        return r->cgroup ? "cgroup/watchdog" : "rlimit/watchdog";
    case ISO_LIMIT_WALL:
        return "watchdog";
    case ISO_LIMIT_FSIZE:
    case ISO_LIMIT_NOFILE:
        return "rlimit";
    case ISO_LIMIT_TMP:
        return "tmpfs/watchdog";
    default:
        return "rlimit/watchdog";
    }
}

struct out {
    char buf[4096];
    size_t len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (o->len >= sizeof o->buf) return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
    if (o->len > sizeof o->buf) o->len = sizeof o->buf;
}

static void put_json_string(struct out *o, const char *s)
{
    put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(o, "\\%c", c);
        else if (c < 0x20)
            put(o, "\\u%04x", c);
        else
            put(o, "%c", c);
    }
    put(o, "\"");
}

static void flush(int fd, const struct out *o)
{
    size_t off = 0;
    if (fd < 0) return;
    while (off < o->len) {
        ssize_t w = write(fd, o->buf + off, o->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        off += (size_t)w;
    }
}

void iso_report_json(int fd, const struct iso_result *r)
{
    struct out o = {.len = 0};
    unsigned set = iso_limits_set(&r->limits);
    int first = 1;

    if (fd < 0) return;
    put(&o, "{\"status\": \"%s\", ", r->status);
    if (r->exited)
        put(&o, "\"exit_code\": %d, \"signal\": null, ", r->exit_code);
    else if (r->signaled)
        put(&o, "\"exit_code\": null, \"signal\": %d, ", r->signal);
    else
        put(&o, "\"exit_code\": null, \"signal\": null, ");
    put(&o, "\"cpu_s\": %.3f, \"wall_s\": %.3f, \"max_rss_kib\": %ld, \"max_pids\": %ld, ",
        r->cpu_s, r->wall_s, r->max_rss_kib, r->max_pids);
    put(&o, "\"killed_by\": ");
    if (r->killed_by)
        put_json_string(&o, r->killed_by);
    else
        put(&o, "null");
    put(&o, ", \"enforced_by\": {");
    for (size_t i = 0; i < sizeof limit_names / sizeof *limit_names; i++) {
        if (!(set & limit_names[i].bit)) continue;
        put(&o, "%s\"%s\": \"%s\"", first ? "" : ", ", limit_names[i].name,
            enforcer(limit_names[i].bit, r));
        first = 0;
    }
    put(&o, "}, \"cgroup\": %s, \"message\": ", r->cgroup ? "true" : "false");
    put_json_string(&o, r->message);
    put(&o, "}\n");
    flush(fd, &o);
}

void iso_report_meta(int fd, const struct iso_result *r)
{
    struct out o = {.len = 0};

    if (fd < 0) return;
    put(&o, "time:%.3f\ntime-wall:%.3f\nmax-rss:%ld\n", r->cpu_s, r->wall_s, r->max_rss_kib);
    put(&o, "csw-voluntary:%ld\ncsw-forced:%ld\n", r->csw_voluntary, r->csw_forced);
    if (r->exited) put(&o, "exitcode:%d\n", r->exit_code);
    if (r->signaled) put(&o, "exitsig:%d\n", r->signal);
    if (r->killed_by) put(&o, "killed:1\n");
    if (r->cg_mem_kib >= 0) put(&o, "cg-mem:%lld\n", r->cg_mem_kib);
    if (r->killed_by && !strcmp(r->killed_by, "mem") && (r->by_cgroup & ISO_LIMIT_MEM))
        put(&o, "cg-oom-killed:1\n");
    if (strcmp(r->status, "OK")) put(&o, "status:%s\n", r->status);
    /* One line: the format has no escaping. */
    put(&o, "message:");
    for (const char *m = r->message; *m; m++) put(&o, "%c", *m == '\n' ? ' ' : *m);
    put(&o, "\n");
    flush(fd, &o);
}

/* isolate failed before a supervisor existed: the reports still say so. */
void iso_report_failure(int json_fd, int meta_fd, const struct isolate_limits *l,
                        const struct isolate_error *err)
{
    struct iso_result r;

    memset(&r, 0, sizeof r);
    r.status = "XX";
    r.limits = *l;
    r.cg_mem_kib = -1;
    snprintf(r.message, sizeof r.message, "%s", err->msg);
    iso_report_json(json_fd, &r);
    iso_report_meta(meta_fd, &r);
}
