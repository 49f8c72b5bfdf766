/*
 * userns.c - the user namespace: the caller mapped to itself, nothing else.
 *
 * The map is written by the namespace helper (nsahead.c), which created the
 * namespace and so holds every capability inside it. Only the caller's
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
#include <sys/syscall.h>
#include <unistd.h>

/* The caller's own uid and gid mapped to themselves, written by the
 * namespace helper (nsahead.c), which created the namespace: on the
 * caller's memory, so raw system calls only. 0 or -errno. */
static long write_raw(const char *path, const char *text)
{
    long fd = iso_raw_syscall5(SYS_openat, AT_FDCWD, (long)path, O_WRONLY | O_CLOEXEC, 0, 0), n;
    size_t len = 0;

    if (fd < 0) return fd;
    while (text[len]) len++;
    n = iso_raw_syscall(SYS_write, fd, (long)text, (long)len);
    iso_raw_syscall(SYS_close, fd, 0, 0);
    return n < 0 ? n : 0;
}

long iso_userns_map_raw(const char *uid_map, const char *gid_map)
{
    long rc;
    if ((rc = write_raw("/proc/thread-self/setgroups", "deny")) < 0 ||
        (rc = write_raw("/proc/thread-self/uid_map", uid_map)) < 0)
        return rc;
    return write_raw("/proc/thread-self/gid_map", gid_map);
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
