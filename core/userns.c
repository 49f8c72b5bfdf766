/*
 * userns.c - the user namespace: the caller mapped to itself, nothing else.
 *
 * Runs in the sandbox-building child, which created the namespace and so holds
 * every capability inside it, until its exec of isolate-init. Only the caller's
 * own uid and gid are mapped (what an unprivileged process may write for
 * itself), so files of other users and of root appear as the overflow ids and
 * no id inside can become anyone else outside. setgroups is denied first, as
 * the kernel requires for an unprivileged gid_map (CVE-2014-8989: dropping
 * supplementary groups could otherwise grant access to "negative" permissions).
 *
 * Where the kernel refuses the namespace (a sysctl, a limit, AppArmor, a
 * container's seccomp profile), the setup fails closed and the message says
 * which of these it is, read from /proc, and how to fix it. Never a weaker
 * sandbox instead.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path, const char *text, struct isolate_error *e)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        iso_err(e, errno, "cannot open %s", path);
        return -1;
    }
    n = write(fd, text, strlen(text));
    if (n < 0) {
        int saved = errno;
        close(fd);
        iso_err(e, saved, "cannot write %s", path);
        return -1;
    }
    close(fd);
    return 0;
}

int iso_userns_map(struct iso_plan *plan, struct isolate_error *e)
{
    if (write_file("/proc/self/setgroups", "deny", e) < 0 ||
        write_file("/proc/self/uid_map", plan->uid_map, e) < 0 ||
        write_file("/proc/self/gid_map", plan->gid_map, e) < 0) {
        /* A namespace that cannot even map its creator: refused in effect. */
        if (iso_userns_refused(e->errnum)) {
            plan->userns_refused = 1;
            iso_userns_hint(e, e->errnum);
        }
        return -1;
    }
    iso_log(plan->verbose,
            "user namespace: uid %lu and gid %lu mapped to themselves, setgroups denied",
            (unsigned long)plan->uid, (unsigned long)plan->gid);
    return 0;
}

/* Reads a small number from a /proc file; -1 if absent. No allocation: the
 * sandbox-building child calls this too. */
static long read_number(const char *path, const char *key)
{
    char buf[2048];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    const char *p = buf;

    if (fd >= 0) close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    if (key) {
        size_t k = strlen(key);
        for (p = buf; p && strncmp(p, key, k); p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        }
        if (!p) return -1;
        p += k;
    }
    while (*p == ' ' || *p == '\t') p++;
    return *p >= '0' && *p <= '9' ? strtol(p, NULL, 10) : -1;
}

void iso_userns_facts(struct iso_userns_facts *f)
{
    f->unpriv_clone = (int)read_number("/proc/sys/kernel/unprivileged_userns_clone", NULL);
    f->max_userns = read_number("/proc/sys/user/max_user_namespaces", NULL);
    f->apparmor = (int)read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", NULL);
    f->seccomp = (int)read_number("/proc/self/status", "Seccomp:");
}

/* Why the kernel refused a user namespace, and how to fix it: the sysctls
 * bwrap's clone hints name, read to say which one it is. */
void iso_userns_diagnose(struct isolate_error *e, int errnum, const struct iso_userns_facts *f)
{
    char hint[400];

    if (f->unpriv_clone == 0) {
        iso_err_hint(e, "unprivileged user namespaces are disabled here: "
                        "kernel.unprivileged_userns_clone = 0 (a Debian kernel setting)");
        iso_err_hint(e, "fix, as root: sysctl -w kernel.unprivileged_userns_clone=1, and keep it "
                        "in /etc/sysctl.d/90-isolate.conf");
    } else if (f->max_userns == 0) {
        iso_err_hint(e, "user namespaces are disabled here: user.max_user_namespaces = 0");
        iso_err_hint(e, "fix, as root where it was set (the host, for a container): sysctl -w "
                        "user.max_user_namespaces=10000, and keep it in /etc/sysctl.d/");
    } else if (errnum == ENOSPC || errnum == EUSERS) {
        snprintf(hint, sizeof hint,
                 "the user namespace limit is reached: user.max_user_namespaces = %ld, or "
                 "namespaces nested 32 deep",
                 f->max_userns);
        iso_err_hint(e, hint);
        iso_err_hint(e, "fix: end other sandboxes or containers, or raise the limit as root "
                        "(sysctl -w user.max_user_namespaces=...)");
    } else if ((errnum == EPERM || errnum == EACCES) && f->apparmor == 1) {
        iso_err_hint(e, "AppArmor restricts unprivileged user namespaces here: "
                        "kernel.apparmor_restrict_unprivileged_userns = 1");
        iso_err_hint(e, "fix: install the AppArmor profile of the isolate program (as root, in "
                        "its source tree: make install-apparmor); the bash builtin and the zsh "
                        "module then run the program");
    } else if ((errnum == EPERM || errnum == EACCES || errnum == ENOSYS) && f->seccomp == 2) {
        iso_err_hint(e, "this process runs under a seccomp filter (Seccomp: 2 in "
                        "/proc/self/status) that blocks unshare/clone with CLONE_NEWUSER: a "
                        "container's profile, or a sandbox already");
        iso_err_hint(e, "fix: run isolate outside the container, or start the container with a "
                        "seccomp profile that allows user namespaces (docker, podman: "
                        "--security-opt seccomp=PROFILE)");
    } else if (errnum == EPERM || errnum == EACCES) {
        iso_err_hint(e, "the kernel refused this process a user namespace (a security module's "
                        "policy?); 'isolate --doctor' checks what this machine allows");
    } else if (errnum == EINVAL) {
        iso_err_hint(e, "this kernel lacks a namespace isolate needs (CONFIG_USER_NS, "
                        "CONFIG_PID_NS, CONFIG_NET_NS ...)");
    } else if (errnum == ENOMEM) {
        iso_err_hint(e, "out of memory, or a namespace nesting limit was reached");
    }
}

void iso_userns_hint(struct isolate_error *e, int errnum)
{
    struct iso_userns_facts f;
    iso_userns_facts(&f);
    iso_userns_diagnose(e, errnum, &f);
}

int iso_userns_refused(int errnum)
{
    return errnum == EPERM || errnum == EACCES || errnum == ENOSPC || errnum == EUSERS;
}
