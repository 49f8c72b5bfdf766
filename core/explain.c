/*
 * explain.c - `isolate --explain`: the resolved plan, in plain words.
 *
 * Runs in the caller's process and creates nothing: it builds the same plan a
 * run would use (so what it says is what would happen) and prints it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void list_env(const struct iso_plan *plan, const struct isolate_caller *c, FILE *out)
{
    size_t dropped = 0, shown = 0;

    fprintf(out, "  environment: only");
    for (char **e = plan->envp; *e; e++) fprintf(out, " %.*s", (int)strcspn(*e, "="), *e);
    fprintf(out, "\n");
    for (char *const *e = c->environ; e && *e; e++) {
        size_t len = strcspn(*e, "=");
        int kept = 0;
        for (char **k = plan->envp; *k; k++)
            if (!strncmp(*k, *e, len) && (*k)[len] == '=') kept = 1;
        if (kept) continue;
        if (!dropped++) fprintf(out, "    dropped:");
        if (shown < 60) {
            fprintf(out, " %.*s", (int)len, *e);
            shown++;
        }
    }
    if (dropped > shown) fprintf(out, " ... (%zu in all)", dropped);
    if (dropped) fprintf(out, "\n");
}

int iso_plan_describe(const struct iso_plan *plan, const struct isolate_policy *p,
                      const struct isolate_caller *c, FILE *out)
{
    fprintf(out, "isolate would run: ");
    if (p->command) fprintf(out, "%s -c '%s'", c->shell ? c->shell : "/bin/sh", p->command);
    for (int i = 0; i < p->argc; i++) fprintf(out, "%s%s", i || p->command ? " " : "", p->argv[i]);
    if (!p->command && !p->argc)
        fprintf(out, p->box ? "%s (interactive)" : "(no command given)",
                c->shell && *c->shell ? c->shell : "/bin/sh");
    fprintf(out, "\n");

    fprintf(out,
            "  identity: your own uid %lu and gid %lu, no capabilities, no new privileges "
            "(setuid programs do not elevate)\n",
            (unsigned long)plan->uid, (unsigned long)plan->gid);
    fprintf(out, "  files: the host's file system, read-only\n");
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        switch (m->kind) {
        case ISO_M_TMPFS:
            fprintf(out, "    %-24s %s: empty, writable, gone at exit\n", m->path, m->label);
            break;
        case ISO_M_BIND:
            if (m->persistent)
                fprintf(out, "    %-24s WRITABLE: %s\n", m->path, m->label);
            else if (m->source)
                fprintf(out, "    %-24s WRITABLE: your directory %s (%s)\n", m->path, m->source,
                        m->label);
            else
                fprintf(out, "    %-24s %s (%s)\n", m->path, m->writable ? "WRITABLE" : "read-only",
                        m->label);
            break;
        case ISO_M_OVERLAY:
            fprintf(out, "    %-24s writable through an overlay, writes kept for review (%s)\n",
                    m->path, m->label);
            break;
        case ISO_M_HIDE:
            fprintf(out, "    %-24s hidden (empty)\n", m->path);
            break;
        case ISO_M_LINK:
            if (m->under_private) fprintf(out, "    %-24s -> %s\n", m->path, m->link_to);
            break;
        }
    }
    fprintf(out, "    %-24s minimal: null zero full random urandom tty, private pts and shm\n",
            "/dev");
    fprintf(out, "    %-24s the sandbox's own processes only\n", "/proc");
    iso_overlay_describe(plan, out);
    fprintf(out, "  starts in: %s", plan->cwd_inside);
    if (plan->cwd_note)
        fprintf(out, " (the current directory %s %s, so it is not exposed)", plan->cwd_host,
                plan->cwd_note);
    fprintf(out, "\n");
    iso_netmode_describe(plan, out);
    fprintf(out, "  processes: its own PID namespace; own process group; everything is killed "
                 "when the command ends or the calling shell dies\n");
    fprintf(out, "  also private: IPC, host name '%s', cgroup view\n",
            plan->hostname ? plan->hostname : ISO_HOSTNAME);
    iso_box_describe(plan, out);
    iso_share_describe(plan, out);
    iso_limits_describe(&plan->limits, out);
    list_env(plan, c, out);
    fprintf(out, "  file descriptors: 0 1 2");
    for (size_t i = 0; i < p->nkeep_fds; i++) fprintf(out, " %d", p->keep_fds[i]);
    fprintf(out, "; all others closed\n");
    fprintf(out, "  system calls denied (seccomp):\n");
    for (size_t i = 0; i < iso_seccomp_nrules; i++) {
        const struct iso_seccomp_rule *r = &iso_seccomp_rules[i];
        if (i && !strcmp(r->threat, iso_seccomp_rules[i - 1].threat)) continue;
        fprintf(out, "    %s", r->syscall);
        for (size_t j = i + 1; j < iso_seccomp_nrules; j++) {
            if (strcmp(iso_seccomp_rules[j].threat, r->threat)) break;
            fprintf(out, ", %s", iso_seccomp_rules[j].syscall);
        }
        fprintf(out, ": %s\n", r->threat);
    }
    fprintf(out, "    %s\n", iso_seccomp_abi_note);
    return 0;
}

ISO_PUBLIC int isolate_explain(const struct isolate_policy *p, const struct isolate_caller *c,
                               FILE *out, struct isolate_error *err)
{
    struct iso_plan plan;

    if (iso_plan_build(&plan, p, c, err) < 0) return -1;
    iso_plan_describe(&plan, p, c, out);
    iso_plan_free(&plan);
    return 0;
}
