/*
 * caps.c - capabilities and no_new_privs.
 *
 * The supervisor comes with three capabilities over the sandbox's user
 * namespace (made ambient by the setup child, child.c), and PID 1, its clone,
 * with the same. PID 1 empties the bounding set, then drops all of them,
 * permitted, effective, inheritable and ambient, after setting no_new_privs
 * and before the command starts: neither a setuid nor a file-capability
 * binary can give any back to the command. The supervisor, which execs
 * nothing, drops its own once PID 1 exists.
 */
#include "internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int capset_none(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    return (int)syscall(SYS_capset, &h, d);
}

/* The bounding set first (PID 1 does it before it waits for anything):
 * emptying it needs CAP_SETPCAP, which iso_caps_drop_all() drops last. */
int iso_caps_drop_bounding(struct isolate_error *e)
{
    for (int cap = 0;; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) return 0; /* past the kernel's last capability */
            iso_err(e, errno, "cannot drop capabilities");
            return -1;
        }
}

/* The rest, once the bounding set is empty. */
int iso_caps_drop_all(struct isolate_error *e)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        iso_err(e, errno, "cannot set no_new_privs");
        return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || capset_none() < 0) {
        iso_err(e, errno, "cannot drop capabilities");
        return -1;
    }
    return 0;
}

/* The supervisor's: it never execs, so the sets it holds are all there is. */
int iso_caps_drop_held(struct isolate_error *e)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 || capset_none() < 0) {
        iso_err(e, errno, "cannot drop capabilities");
        return -1;
    }
    return 0;
}
