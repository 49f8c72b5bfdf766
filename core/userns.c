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
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
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

int iso_userns_map(const struct iso_plan *plan, struct isolate_error *e)
{
    if (write_file("/proc/self/setgroups", "deny", e) < 0) return -1;
    if (write_file("/proc/self/uid_map", plan->uid_map, e) < 0) return -1;
    if (write_file("/proc/self/gid_map", plan->gid_map, e) < 0) return -1;
    iso_log(plan->verbose, "user namespace: uid %lu and gid %lu mapped to themselves, setgroups denied",
            (unsigned long)plan->uid, (unsigned long)plan->gid);
    return 0;
}

/* Why the kernel refused to create a user namespace, and how to fix it. */
void iso_userns_hint(struct isolate_error *e, int errnum)
{
    if (errnum == EPERM || errnum == EACCES)
        iso_err_hint(e, "unprivileged user namespaces are disabled here: check "
                        "'sysctl kernel.unprivileged_userns_clone' (must be 1) and, on Ubuntu, "
                        "'sysctl kernel.apparmor_restrict_unprivileged_userns' (AppArmor "
                        "profile needed); inside a container, its seccomp profile may block "
                        "unshare/clone");
    else if (errnum == ENOSPC || errnum == EUSERS)
        iso_err_hint(e, "the user namespace limit is reached: check 'sysctl "
                        "user.max_user_namespaces' (0 disables them)");
    else if (errnum == EINVAL)
        iso_err_hint(e, "this kernel lacks a namespace isolate needs (CONFIG_USER_NS, "
                        "CONFIG_PID_NS, CONFIG_NET_NS ...)");
    else if (errnum == ENOMEM)
        iso_err_hint(e, "out of memory, or a namespace nesting limit was reached");
}
