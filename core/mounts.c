/*
 * mounts.c - the mount namespace: the host's file system read-only, with
 * private, empty, writable replacements for $HOME, /tmp, /var/tmp, /run and
 * /dev/shm, a minimal /dev, and the binds the user asked for.
 *
 * Runs in the sandbox-building child (holding every capability of the new user
 * namespace, which owns the new mount namespace). /proc is PID 1's to mount
 * (pid1.c): a proc mount shows the PID namespace of its mounter.
 *
 * Order matters and is the whole design:
 *  1. make every mount private, so nothing done here reaches the host and no
 *     host mount appears later inside (it would not be read-only);
 *  2. take detached copies (open_tree OPEN_TREE_CLONE) of every source that is
 *     about to be covered (device nodes, the current directory under $HOME,
 *     --write/--ro paths), so no path is looked up again once the tree changes;
 *  3. make the whole tree read-only and nosuid in one recursive mount_setattr:
 *     no mount is missed, and flags the host locked stay as they are;
 *  4. mount the private directories and /dev, then attach the copies.
 * All private writable space (home, /tmp, /var/tmp, /run, /dev with its shm)
 * lives in ONE tmpfs, created detached (fsopen/fsmount) and bound into place
 * directory by directory, so that --tmp-size bounds all of it together and
 * a /tmp filler cannot go on in $HOME. Its root is finally attached, read-only,
 * under the /proc that PID 1 mounts: closing a detached mount tears it down,
 * and that waits for an RCU grace period (up to a millisecond on a virtual
 * machine), where an attached one goes with the namespace.
 * A box's home (box.c) is bound from the child's working directory, and mount
 * points inside it are made without following any link (resolve.c): earlier
 * sandboxes wrote it.
 * New mounts made here are owned by the sandbox's user namespace, but the
 * command runs without capabilities and seccomp denies the mount API, so it
 * can neither unmount them nor reach what they cover.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const iso_dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};
#define NDEV 6

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from, const char *to)
{
    return (int)syscall(SYS_move_mount, from, "", AT_FDCWD, to, MOVE_MOUNT_F_EMPTY_PATH);
}

/* Onto the descriptor at when there is one (a mount point made in a box's
 * home, never looked up again by name), else onto the path. */
static int move_to(int from, int at, const char *to)
{
    if (at < 0) return sys_move_mount(from, to);
    return (int)syscall(SYS_move_mount, from, "", at, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, unsigned long set,
                             unsigned long clr)
{
    struct mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_set = set;
    a.attr_clr = clr;
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, &a, sizeof a);
}

/* mkdir -p inside a tmpfs this child created (nobody else can have planted
 * anything there yet). */
static int make_dirs(const char *path, struct isolate_error *e)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);

    if (len >= sizeof buf) {
        iso_err(e, ENAMETOOLONG, "%s", path);
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
                iso_err(e, errno, "cannot create %s inside the sandbox", buf);
                return -1;
            }
            *p = c;
            if (!c) break;
        }
    }
    return 0;
}

static int make_mountpoint(const char *path, int is_dir, struct isolate_error *e)
{
    char parent[PATH_MAX];
    const char *slash;
    int fd;

    if (is_dir) return make_dirs(path, e);
    slash = strrchr(path, '/');
    if (slash && slash != path) {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof parent) n = sizeof parent - 1;
        memcpy(parent, path, n);
        parent[n] = '\0';
        if (make_dirs(parent, e) < 0) return -1;
    }
    /* A file there already is the mountpoint (one in a read-only bind of
     * the current directory, say), whatever it is; iso_attach_at() checks. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) return 0;
    if (fd < 0) {
        iso_err(e, errno, "cannot create %s inside the sandbox", path);
        return -1;
    }
    close(fd);
    return 0;
}

static int clone_sources(struct iso_plan *plan, int *dev, struct isolate_error *e)
{
    char path[64];

    for (int i = 0; i < NDEV; i++) {
        snprintf(path, sizeof path, "/dev/%s", iso_dev_nodes[i]);
        dev[i] = sys_open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (dev[i] < 0) {
            iso_err(e, errno, "cannot share %s", path);
            if (errno == ENOSYS)
                iso_err_hint(e, "isolate needs Linux 5.12 or later (open_tree, mount_setattr)");
            return -1;
        }
    }
    for (size_t i = 0; i < plan->nmounts; i++) {
        struct iso_mount *m = &plan->mounts[i];
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->is_dir ? AT_RECURSIVE : 0);
        if (m->kind == ISO_M_OVERLAY || (m->kind == ISO_M_BIND && m->source)) {
            /* overlay.c: made now, while the host is still writable, and
             * from the very directories that were planned. */
            m->clone_fd =
                m->source ? iso_overlay_bind_source(plan, m, e) : iso_overlay_create(plan, m, e);
            if (m->clone_fd < 0) return -1;
            continue;
        }
        if (m->kind == ISO_M_BIND && m->pinned) { /* a box's home: see child.c */
            m->clone_fd = sys_open_tree(AT_FDCWD, ".", flags);
        } else if (m->kind == ISO_M_BIND) {
            /* The object the caller resolved, reached without a symlink. */
            int src = iso_reopen(m->src ? m->src : m->path, m->pin, e);
            if (src < 0) return -1;
            m->clone_fd = sys_open_tree(src, "", AT_EMPTY_PATH | flags);
            close(src);
        } else if (m->kind == ISO_M_HIDE && !m->is_dir)
            m->clone_fd = sys_open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        else
            continue;
        if (m->clone_fd < 0) {
            iso_err(e, errno, "cannot share %s (%s)", m->path, m->label);
            return -1;
        }
    }
    return 0;
}

/* The mount fd onto its target: at (a mount point made beneath a box's home)
 * when there is one, else path, which must still be the host object pin
 * (-1: a mountpoint made here). */
static int place(int fd, int at, const char *path, int pin, struct isolate_error *e)
{
    if (at < 0) return iso_attach_at(fd, path, pin, e);
    if (move_to(fd, at, path) < 0) {
        iso_err(e, errno, "cannot mount %s", path);
        return -1;
    }
    return 0;
}

static int attach(int fd, int at, const char *path, int pin, int writable, struct isolate_error *e)
{
    unsigned long set = MOUNT_ATTR_NOSUID | (writable ? 0 : MOUNT_ATTR_RDONLY);
    unsigned long clr = writable ? MOUNT_ATTR_RDONLY : 0;

    if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, set, clr) < 0) {
        iso_err(e, errno, "cannot make %s %s", path, writable ? "writable" : "read-only");
        if (errno == EPERM && writable)
            iso_err_hint(e, "it lies on a file system the host mounted read-only");
        return -1;
    }
    return place(fd, at, path, pin, e);
}

/* A directory of the shared tmpfs, bound at path (or at) with extra attributes. */
static int private_dir(int tmpfs, const char *name, unsigned mode, int at, const char *path,
                       int pin, unsigned long attrs, struct isolate_error *e)
{
    int fd;

    if (mkdirat(tmpfs, name, mode) < 0 || fchmodat(tmpfs, name, mode, 0) < 0) {
        iso_err(e, errno, "cannot prepare the private directory for %s", path);
        return -1;
    }
    fd = sys_open_tree(tmpfs, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0 || (attrs && sys_mount_setattr(fd, "", AT_EMPTY_PATH, attrs, 0) < 0)) {
        iso_err(e, errno, "cannot mount a private directory on %s", path);
        if (fd >= 0) close(fd);
        return -1;
    }
    if (place(fd, at, path, pin, e) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The tmpfs behind every private directory, not attached anywhere itself. */
static int shared_tmpfs(const struct iso_plan *plan, struct isolate_error *e)
{
    unsigned long long size = plan->limits.v.tmp_size;
    char num[32];
    int fs, mnt;

    fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0) {
        iso_err(e, errno, "cannot create the private tmpfs");
        if (errno == ENOSYS) iso_err_hint(e, "isolate needs Linux 5.12 or later (fsopen)");
        return -1;
    }
    if (size) {
        /* Inodes are memory too: bound them with the size (a page apiece). */
        unsigned long long inodes = size / 4096 < 16384 ? 16384 : size / 4096;
        snprintf(num, sizeof num, "%llu", size);
        if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", num, 0) < 0) goto fail;
        snprintf(num, sizeof num, "%llu", inodes);
        if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "nr_inodes", num, 0) < 0) goto fail;
    }
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        goto fail;
    mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    if (mnt < 0) goto fail;
    close(fs);
    return mnt;
fail:
    iso_err(e, errno, "cannot create the private tmpfs");
    close(fs);
    return -1;
}

static int symlink_dev(const char *target, const char *path, struct isolate_error *e)
{
    if (symlink(target, path) < 0) {
        iso_err(e, errno, "cannot create %s", path);
        return -1;
    }
    return 0;
}

/* A minimal /dev: the harmless character devices, the controlling terminal,
 * a private devpts instance (ptys made inside are not the host's) and a
 * private /dev/shm. No disks, no /dev/kmsg, no /dev/input. */
/* A minimal /dev: the harmless character devices, the controlling terminal,
 * a private devpts instance (ptys made inside are not the host's) and a
 * private /dev/shm. No disks, no /dev/kmsg, no /dev/input. */
static int setup_dev(const struct iso_plan *plan, int tmpfs, const int *dev,
                     struct isolate_error *e)
{
    char path[64];

    if (private_dir(tmpfs, "dev", 0755, -1, "/dev", -1, MOUNT_ATTR_NOEXEC, e) < 0) return -1;
    for (int i = 0; i < NDEV; i++) {
        snprintf(path, sizeof path, "/dev/%s", iso_dev_nodes[i]);
        if (make_mountpoint(path, 0, e) < 0) return -1;
        if (sys_move_mount(dev[i], path) < 0) {
            iso_err(e, errno, "cannot mount %s", path);
            return -1;
        }
    }
    if (symlink_dev("/proc/self/fd", "/dev/fd", e) < 0 ||
        symlink_dev("/proc/self/fd/0", "/dev/stdin", e) < 0 ||
        symlink_dev("/proc/self/fd/1", "/dev/stdout", e) < 0 ||
        symlink_dev("/proc/self/fd/2", "/dev/stderr", e) < 0 ||
        symlink_dev("pts/ptmx", "/dev/ptmx", e) < 0)
        return -1;
    /* /dev/shm is a directory of the shared tmpfs too. mkdir applies the umask. */
    if (mkdir("/dev/pts", 0755) < 0 || mkdir("/dev/shm", 01777) < 0 ||
        chmod("/dev/shm", 01777) < 0) {
        iso_err(e, errno, "cannot populate /dev");
        return -1;
    }
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=620") < 0) {
        iso_err(e, errno, "cannot mount a private devpts on /dev/pts");
        return -1;
    }
    iso_log(plan->verbose, "mount: minimal /dev (null zero full random urandom tty, private pts "
                           "and shm)");
    return 0;
}

static int apply_step(struct iso_mount *m, size_t index, int tmpfs, int verbose,
                      const struct iso_mount *box, struct isolate_error *e)
{
    if (m->kind == ISO_M_LINK) {
        char parent[PATH_MAX];
        const char *slash = strrchr(m->path, '/');
        size_t n = slash ? (size_t)(slash - m->path) : 0;

        /* Only inside a private area: elsewhere the host's symlink is seen,
         * and a box's home is not isolate's to write. */
        if (!m->under_private || m->in_box || n == 0 || n >= sizeof parent) return 0;
        memcpy(parent, m->path, n);
        parent[n] = '\0';
        if (make_dirs(parent, e) < 0) return -1;
        if (symlink(m->link_to, m->path) < 0 && errno != EEXIST) {
            iso_err(e, errno, "cannot create the symlink %s", m->path);
            return -1;
        }
        iso_log(verbose, "symlink: %s -> %s", m->path, m->link_to);
        return 0;
    }
    int pin = m->under_private ? -1 : m->pin; /* on the host tree: still what was resolved */

    if (m->in_box) {
        /* In a box's home, which earlier sandboxes wrote: the mount point is
         * made and reached without following any link there, and mounted on
         * by descriptor (bubblewrap's CVE-2026-87766: a parent directory
         * swapped for a link put the mount point on the host). */
        m->at_fd = iso_mountpoint_beneath(box->clone_fd, m->path + strlen(box->path) + 1, m->path,
                                          m->is_dir || m->kind == ISO_M_TMPFS, e);
        if (m->at_fd < 0) return -1;
    } else if (m->under_private &&
               make_mountpoint(m->path, m->is_dir || m->kind == ISO_M_TMPFS, e) < 0)
        return -1;
    switch (m->kind) {
    case ISO_M_TMPFS: {
        char name[32];
        snprintf(name, sizeof name, "d%zu", index);
        if (private_dir(tmpfs, name, m->mode, m->at_fd, m->path, pin, 0, e) < 0) return -1;
        iso_log(verbose, "mount: %s on %s (empty, writable, gone at exit)", m->label, m->path);
        return 0;
    }
    case ISO_M_BIND:
        if (attach(m->clone_fd, m->at_fd, m->path, pin, m->writable, e) < 0) return -1;
        iso_log(verbose, "mount: %s %s (%s)", m->path, m->writable ? "writable" : "read-only",
                m->label);
        return 0;
    case ISO_M_HIDE:
        if (m->is_dir) {
            /* An empty, read-only directory of the shared tmpfs. */
            char name[32];
            snprintf(name, sizeof name, "h%zu", index);
            if (private_dir(tmpfs, name, 0555, m->at_fd, m->path, pin,
                            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC, e) < 0)
                return -1;
        } else if (attach(m->clone_fd, m->at_fd, m->path, pin, 0, e) < 0) {
            return -1;
        }
        iso_log(verbose, "mount: %s hidden (empty)", m->path);
        return 0;
    case ISO_M_OVERLAY:
        if (attach(m->clone_fd, m->at_fd, m->path, pin, 1, e) < 0) return -1;
        iso_log(verbose, "mount: %s through an overlay, writes kept aside (%s)", m->path, m->label);
        return 0;
    case ISO_M_LINK:
        return 0; /* handled above */
    }
    return 0;
}

int iso_mounts_setup(struct iso_plan *plan, struct isolate_error *e)
{
    int dev[NDEV], rc = -1, tmpfs = -1;

    for (int i = 0; i < NDEV; i++) dev[i] = -1;
    /* A mount namespace the namespace helper made is private already. */
    if (!plan->ns_mntns && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
        iso_err(e, errno, "cannot make the mount namespace private");
        /* The first use of the namespace's capabilities: AppArmor's
         * restriction lets the namespace be made but denies them. */
        if ((plan->userns_refused = iso_userns_refused(e->errnum))) iso_userns_hint(e, e->errnum);
        goto out;
    }
    if (clone_sources(plan, dev, e) < 0) goto out;
    if (sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0) <
        0) {
        iso_err(e, errno, "cannot make the file system read-only");
        goto out;
    }
    iso_log(plan->verbose, "mount: host file system read-only and nosuid, private to the sandbox");
    if ((tmpfs = shared_tmpfs(plan, e)) < 0) goto out;
    if (setup_dev(plan, tmpfs, dev, e) < 0) goto out;
    for (size_t i = 0; i < plan->nmounts; i++)
        if (apply_step(&plan->mounts[i], i, tmpfs, plan->verbose,
                       plan->box ? &plan->mounts[plan->box_mount] : NULL, e) < 0)
            goto out;
    if (iso_net_resolv(plan, tmpfs, e) < 0) goto out;
    rc = 0;
    if (sys_mount_setattr(tmpfs, "", AT_EMPTY_PATH, MOUNT_ATTR_RDONLY, 0) < 0 ||
        sys_move_mount(tmpfs, "/proc") < 0) {
        iso_err(e, errno, "cannot put the private tmpfs away");
        rc = -1;
    }
out:
    if (tmpfs >= 0) close(tmpfs);
    for (int i = 0; i < NDEV; i++)
        if (dev[i] >= 0) close(dev[i]);
    for (size_t i = 0; i < plan->nmounts; i++) {
        if (plan->mounts[i].clone_fd >= 0) {
            close(plan->mounts[i].clone_fd);
            plan->mounts[i].clone_fd = -1;
        }
        if (plan->mounts[i].at_fd >= 0) {
            close(plan->mounts[i].at_fd);
            plan->mounts[i].at_fd = -1;
        }
    }
    return rc;
}
