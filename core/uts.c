/*
 * uts.c - the UTS namespace: the sandbox's own host name.
 *
 * Runs in the sandbox-building child (owner of the new UTS namespace). A fixed
 * name keeps the real host name out of prompts, logs and fingerprints made
 * inside, and tells the user at a glance that a shell is sandboxed.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int iso_uts_setup(const struct iso_plan *plan, struct isolate_error *e)
{
    if (sethostname(ISO_HOSTNAME, strlen(ISO_HOSTNAME)) < 0) {
        iso_err(e, errno, "cannot set the host name");
        return -1;
    }
    iso_log(plan->verbose, "UTS namespace: host name '%s'", ISO_HOSTNAME);
    return 0;
}
