/*
 * resolve.c - path lookups that never follow a symbolic link: openat2(2) with
 * RESOLVE_NO_SYMLINKS and RESOLVE_NO_MAGICLINKS, and RESOLVE_BENEATH below a
 * directory descriptor.
 *
 * Used in three processes. The caller's, to open a box's directory, its home
 * and its files (box.c), the runs of --overlay (state.c) and the sockets a
 * sandbox shares (desktop.c). The sandbox-building child, to make the mount
 * points that lie inside a box's home. And the supervisor, through tree.c.
 *
 * Why: a box's home is written by untrusted code, which may leave a symbolic
 * link where isolate later creates a mount point. Followed by the child, that
 * link leads out of the box: to a writable --write directory, or through
 * /proc/PID/root of the caller (still the host's /proc at that point) to any
 * file of the user's. That is bubblewrap's CVE-2026-87766 (a mount point made
 * through a parent symlink onto the host) and Flatpak's CVE-2024-42472 (a
 * persistent directory replaced by a symlink between runs). Every component is
 * therefore opened on its own, relative to the one before, with links refused
 * (ELOOP) rather than followed, and the last one is handed on as a descriptor
 * so that nothing is looked up by name again.
 *
 * The child's functions make system calls only: it shares the caller's memory.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int iso_openat2(int dirfd, const char *path, int flags, unsigned mode, unsigned long long resolve)
{
    struct open_how how;
    int fd = -1;

    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)flags | O_CLOEXEC;
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = resolve;
    /* EAGAIN: a rename raced with a RESOLVE_BENEATH lookup; try again. */
    for (int i = 0; i < 16; i++) {
        fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) break;
    }
    return fd;
}

/* The message for a lookup refused at component [0, end) of full. */
static void refused(struct isolate_error *e, int errnum, const char *full, size_t end)
{
    char part[PATH_MAX];

    if (end >= sizeof part) end = sizeof part - 1;
    memcpy(part, full, end);
    part[end] = '\0';
    if (errnum == ELOOP || errnum == EXDEV)
        iso_err(e, 0,
                "cannot make the mount point %s in the box's home: %s is a symbolic link, "
                "and isolate never follows a link it finds in a box (remove it from inside "
                "the box)",
                full, part);
    else
        iso_err(e, errnum, "cannot make the mount point %s in the box's home (at %s)", full, part);
}

/*
 * rel (components separated by '/', no "." or "..") below the directory root,
 * made if missing: directories for the path, and the last component as a
 * directory (is_dir) or an empty file. full is the same path as seen inside,
 * for messages. Returns an O_PATH descriptor of the last component.
 */
int iso_mountpoint_beneath(int root, const char *rel, const char *full, int is_dir,
                           struct isolate_error *e)
{
    size_t off = strlen(full) - strlen(rel); /* where rel starts in full */
    char name[NAME_MAX + 1];
    const char *p = rel;
    int cur = iso_openat2(root, ".", O_PATH | O_DIRECTORY, 0, ISO_RESOLVE_BENEATH);

    if (cur < 0) {
        iso_err(e, errno, "cannot open the box's home");
        return -1;
    }
    while (*p) {
        size_t len = strcspn(p, "/");
        int last = p[len] == '\0', fd, dir = !last || is_dir;

        if (len == 0 || len > NAME_MAX) {
            refused(e, ENAMETOOLONG, full, off + (size_t)(p - rel) + len);
            goto fail;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        fd = iso_openat2(cur, name, O_PATH | (dir ? O_DIRECTORY : 0), 0, ISO_RESOLVE_BENEATH);
        if (fd < 0 && errno == ENOENT) {
            /* mkdirat and O_CREAT|O_EXCL never follow a link in the last
             * component: a link planted meanwhile makes them fail (EEXIST). */
            if (dir && mkdirat(cur, name, 0755) < 0 && errno != EEXIST) goto refuse;
            if (!dir) {
                fd = iso_openat2(cur, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644,
                                 ISO_RESOLVE_BENEATH);
                if (fd < 0 && errno != EEXIST) goto refuse;
                if (fd >= 0) close(fd);
            }
            fd = iso_openat2(cur, name, O_PATH | (dir ? O_DIRECTORY : 0), 0, ISO_RESOLVE_BENEATH);
        }
        if (fd < 0) goto refuse;
        close(cur);
        cur = fd;
        p += len;
        if (*p == '/') p++;
        continue;
    refuse:
        refused(e, errno, full, off + (size_t)(p - rel) + len);
        goto fail;
    }
    return cur;
fail:
    close(cur);
    return -1;
}
