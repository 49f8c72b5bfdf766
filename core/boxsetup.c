/*
 * boxsetup.c - the end of a new box's --setup, in the supervisor.
 *
 * A box that has a --setup is made as ".NAME.new" (box.c); its first run
 * runs the setup in the sandbox, then the command. When the setup has
 * succeeded, the supervisor renames the box to NAME: from then on it exists.
 * When the setup fails, or the run ends before the setup is done (a limit,
 * Ctrl-C, the caller's death), the supervisor removes it: a failed setup
 * leaves no half-made box. A supervisor killed outright leaves ".NAME.new"
 * behind, unlocked, and the next run of NAME removes it.
 *
 * The supervisor lives in the sandbox's mount namespace, where the boxes
 * directory is out of sight (behind the box's home, or hidden): it works on
 * the descriptor of that directory the caller opened, which refers to the
 * host's mount. The sandbox never holds it: PID 1 closes it.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

int iso_box_commit(const struct iso_init_opts *o, struct isolate_error *e)
{
    if (syscall(SYS_renameat2, o->box_root_fd, o->box_stage, o->box_root_fd, o->box_name,
                RENAME_NOREPLACE) < 0) {
        iso_err(e, errno, "box '%s': cannot put it in place after its --setup", o->box_name);
        return -1;
    }
    return 0;
}

void iso_box_discard(const struct iso_init_opts *o)
{
    struct isolate_error e;
    if (iso_tree_remove(o->box_root_fd, o->box_stage, &e) < 0)
        iso_say("box '%s' was not made, but not all of it could be removed: %s", o->box_name,
                e.msg);
}
