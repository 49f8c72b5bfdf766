/*
 * uts.c - the UTS namespace: the sandbox's own host name.
 *
 * Runs in PID 1's clone, which created the UTS namespace, while the setup
 * child builds the file system at the same time: raw system calls only (see
 * iso_raw_syscall). A fixed name keeps the real host name out of prompts,
 * logs and fingerprints made inside, and tells the user at a glance that a
 * shell is sandboxed.
 */
#include "internal.h"

#include <string.h>
#include <sys/syscall.h>

/* Returns 0 or -errno. */
long iso_uts_setup_raw(void)
{
    return iso_raw_syscall(SYS_sethostname, (long)ISO_HOSTNAME, (long)strlen(ISO_HOSTNAME), 0);
}
