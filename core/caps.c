/*
 * caps.c - capabilities and no_new_privs.
 *
 * The sandbox-building child holds every capability of its new user namespace.
 * It keeps two across its exec of isolate-init, as ambient capabilities:
 * CAP_SYS_ADMIN, because PID 1 must mount /proc from inside the new PID
 * namespace, and CAP_SETPCAP, to empty the bounding set afterwards; PID 1 then drops every capability (permitted, effective,
 * inheritable, ambient and the bounding set) before the command exists, and
 * the supervisor drops its copy right after forking PID 1. no_new_privs is set
 * first, so no setuid or file-capability binary can give anything back.
 */
#include "internal.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int capset_all(__u32 eff, __u32 prm, __u32 inh)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    d[0].effective = eff;
    d[0].permitted = prm;
    d[0].inheritable = inh;
    return (int)syscall(SYS_capset, &h, d);
}

int iso_caps_keep_for_init(struct isolate_error *e)
{
    /* SYS_ADMIN to mount /proc; SETPCAP to empty the bounding set after. */
    const __u32 keep = (1u << CAP_SYS_ADMIN) | (1u << CAP_SETPCAP);

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        iso_err(e, errno, "cannot set no_new_privs");
        return -1;
    }
    if (capset_all(keep, keep, keep) < 0 ||
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) < 0 ||
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETPCAP, 0, 0) < 0) {
        iso_err(e, errno, "cannot prepare capabilities for isolate-init");
        return -1;
    }
    return 0;
}

int iso_caps_drop_all(struct isolate_error *e)
{
    /* The bounding set first: emptying it needs CAP_SETPCAP, dropped last. */
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) goto fail;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) goto fail;
    if (capset_all(0, 0, 0) < 0) goto fail;
    return 0;
fail:
    iso_err(e, errno, "cannot drop capabilities");
    return -1;
}
