/*
 * cgroup.c - a delegated cgroup v2, where the caller has one.
 *
 * A user may own a subtree of the cgroup v2 hierarchy (systemd delegates
 * user@UID.service to the user it runs for; a test or an administrator may
 * delegate any directory by chown). When the caller's own cgroup lies in such
 * a subtree, isolate gives each sandbox a cgroup of its own next to it:
 *  - its processes cannot leave it (the sandbox sees /sys/fs/cgroup
 *    read-only, and a new cgroup namespace rooted there);
 *  - cgroup.kill ends all of them, whatever they did to escape signals;
 *  - cpu.stat counts their CPU time exactly, killed processes included;
 *  - where the memory and pids controllers are delegated too, memory.max and
 *    pids.max are the limits themselves, and memory.events / pids.events say
 *    for certain that they were hit.
 * Otherwise the rlimits and the supervisor's watchdog do the work (limits.c).
 *
 * The caller (possibly the user's shell) finds the subtree and creates the
 * sandbox's cgroup; PID 1 moves itself in before anything else (pid1.c); the
 * supervisor reads it, kills with it and removes it. All of them work
 * through descriptors opened by the caller, because inside the sandbox the
 * cgroup file system is read-only. ISOLATE_CGROUP=none turns this off;
 * ISOLATE_CGROUP=DIR names the delegated directory to use.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a
 * hybrid system): one of those two when it is cgroup2 (a statfs each), else
 * the first in /proc/self/mountinfo (which takes the kernel ~40 us to
 * print on the test machine, every run). */
static int cgroup2_mount(char *out, size_t size)
{
    static const char *const usual[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    char line[4096], mnt[PATH_MAX], *sep;
    struct statfs sf;
    FILE *f;
    int found = 0;

    for (size_t i = 0; i < sizeof usual / sizeof *usual; i++)
        if (statfs(usual[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC &&
            strlen(usual[i]) < size) {
            snprintf(out, size, "%s", usual[i]);
            return 0;
        }
    f = fopen("/proc/self/mountinfo", "re");

    while (f && !found && fgets(line, sizeof line, f)) {
        /* ... mountpoint ... - fstype source options */
        if (!(sep = strstr(line, " - cgroup2 "))) continue;
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && strlen(mnt) < size) {
            snprintf(out, size, "%s", mnt);
            found = 1;
        }
    }
    if (f) fclose(f);
    return found ? 0 : -1;
}

static int own_cgroup(char *out, size_t size)
{
    char line[PATH_MAX];
    FILE *f = fopen("/proc/self/cgroup", "re");
    int found = 0;

    while (f && !found && fgets(line, sizeof line, f))
        if (!strncmp(line, "0::", 3)) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, size, "%s", line + 3);
            found = 1;
        }
    if (f) fclose(f);
    return found ? 0 : -1;
}

static int owned(const char *dir)
{
    struct stat st;
    char procs[PATH_MAX + 16];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
           access(procs, W_OK) == 0;
}

/* The top of the delegated subtree the caller's cgroup lies in, or -1. */
static int delegation_root(char *root, size_t size)
{
    const char *env = getenv("ISOLATE_CGROUP");
    char mnt[PATH_MAX], rel[PATH_MAX], dir[PATH_MAX * 2], *slash;
    int found = 0;

    if (env && !strcmp(env, "none")) return -1;
    if (env && *env) {
        if (!owned(env)) return -1;
        snprintf(root, size, "%s", env);
        return 0;
    }
    /* In the root cgroup (no systemd session, a container's root) nothing is
     * delegated: the climb below would not start. */
    if (own_cgroup(rel, sizeof rel) < 0 || !strcmp(rel, "/") || cgroup2_mount(mnt, sizeof mnt) < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(rel, "/") ? rel : "");
    /* Climb while the directories are ours: the highest one is the root. */
    while (strlen(dir) > strlen(mnt) && owned(dir)) {
        snprintf(root, size, "%s", dir);
        found = 1;
        if (!(slash = strrchr(dir, '/'))) break;
        *slash = '\0';
    }
    return found ? 0 : -1;
}

static int write_at(int dir, const char *file, const char *text)
{
    int fd = openat(dir, file, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0) return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int has_word(int dir, const char *file, const char *word)
{
    char buf[512], *tok, *save;
    int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
        if (!strcmp(tok, word)) return 1;
    return 0;
}

/* Enables a controller for the root's children, if it can (a cgroup holding
 * processes itself cannot give controllers to its children). */
static int controller(int root, const char *name)
{
    char plus[32];
    if (has_word(root, "cgroup.subtree_control", name)) return 1;
    if (!has_word(root, "cgroup.controllers", name)) return 0;
    snprintf(plus, sizeof plus, "+%s", name);
    return write_at(root, "cgroup.subtree_control", plus) == 0;
}

/* A supervisor killed outright (its shell killed with SIGKILL, say) leaves
 * its cgroup behind, empty. The next run removes those whose creator is gone:
 * the name holds the creator's pid, and an empty cgroup of a live creator may
 * be one whose PID 1 is about to move in. */
static void remove_stale(int rootfd)
{
    int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;

    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    while ((de = readdir(d))) {
        long pid;
        int n = 0;
        if (sscanf(de->d_name, "isolate-%ld-%*d%n", &pid, &n) != 1 || de->d_name[n] || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) unlinkat(rootfd, de->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

/* For --doctor (doctor.c): where cgroup2 is, and the delegated directory a
 * run would use. */
int iso_cgroup_mount(char *out, size_t size)
{
    return cgroup2_mount(out, size);
}

int iso_cgroup_root(char *out, size_t size)
{
    return delegation_root(out, size);
}

int iso_cgroup_offers(const char *root, const char *controller)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;
    if (fd < 0) return 0;
    r = has_word(fd, "cgroup.controllers", controller);
    close(fd);
    return r;
}

/* Creates the sandbox's cgroup and sets what it can enforce. Leaves the plan
 * without one (and the watchdog in charge) when anything is missing. */
void iso_cgroup_prepare(struct iso_plan *plan)
{
    struct iso_limits_plan *l = &plan->limits;
    char root[PATH_MAX], num[32];
    int rootfd, dir;

    plan->cg_dir = plan->cg_root = -1;
    if (delegation_root(root, sizeof root) < 0) return;
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return;
    remove_stale(rootfd);
    /* Named after the caller and a counter: several sandboxes may run. */
    for (int i = 0; i < 1000; i++) {
        snprintf(plan->cg_name, sizeof plan->cg_name, "isolate-%ld-%d", (long)getpid(), i);
        if (mkdirat(rootfd, plan->cg_name, 0755) == 0) break;
        if (errno != EEXIST) goto fail;
        plan->cg_name[0] = '\0';
    }
    if (!plan->cg_name[0]) goto fail;
    dir = openat(rootfd, plan->cg_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* PID 1 will write its pid there: the caller must be allowed to. */
    if (dir < 0 || faccessat(dir, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
        if (dir >= 0) close(dir);
        unlinkat(rootfd, plan->cg_name, AT_REMOVEDIR);
        goto fail;
    }
    plan->cg_dir = dir;
    plan->cg_root = rootfd;
    if (l->v.mem && controller(rootfd, "memory")) {
        snprintf(num, sizeof num, "%llu", l->v.mem);
        if (write_at(dir, "memory.max", num) == 0) {
            write_at(dir, "memory.swap.max", "0"); /* absent without swap accounting */
            l->by_cgroup |= ISO_LIMIT_MEM;
        }
    }
    if (l->v.pids && controller(rootfd, "pids")) {
        snprintf(num, sizeof num, "%ld", l->v.pids + 1); /* PID 1 is in it too */
        if (write_at(dir, "pids.max", num) == 0) l->by_cgroup |= ISO_LIMIT_PIDS;
    }
    iso_log(plan->verbose, "cgroup: %s/%s%s%s", root, plan->cg_name,
            l->by_cgroup & ISO_LIMIT_MEM ? ", memory.max" : "",
            l->by_cgroup & ISO_LIMIT_PIDS ? ", pids.max" : "");
    return;
fail:
    close(rootfd);
}

/* The caller could not start the sandbox: its cgroup goes. */
void iso_cgroup_discard(struct iso_plan *plan)
{
    if (plan->cg_root >= 0 && plan->cg_name[0])
        unlinkat(plan->cg_root, plan->cg_name, AT_REMOVEDIR);
}

/* Supervisor side: the value of KEY in a "key value" file open at FD (read
 * from its start; for a watched file, reading rearms the notification), or
 * the number the file holds if KEY is empty; -1 if none. */
long long iso_cgroup_value(int fd, const char *key)
{
    char buf[2048], *line, *save;
    size_t klen = strlen(key);
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

    if (n <= 0) return -1;
    buf[n] = '\0';
    if (!*key) return atoll(buf);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, key, klen) && line[klen] == ' ') return atoll(line + klen + 1);
    return -1;
}

/* The same, for a file of the cgroup opened for one look. */
long long iso_cgroup_stat(int dir, const char *file, const char *key)
{
    int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
    long long v = fd >= 0 ? iso_cgroup_value(fd, key) : -1;

    if (fd >= 0) close(fd);
    return v;
}

/* A file of the cgroup to poll() for POLLPRI, which the kernel raises when
 * the file changes (as pids.events does when a fork is refused), or -1. */
int iso_cgroup_watch(int dir, const char *file)
{
    int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && iso_cgroup_value(fd, "") < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int iso_cgroup_kill(int dir)
{
    return write_at(dir, "cgroup.kill", "1");
}

/* Removes the sandbox's cgroup once it is empty (the kernel takes a moment
 * to release a cgroup whose last process was just reaped). */
void iso_cgroup_remove(int root, const char *name)
{
    for (int i = 0; i < 100; i++) {
        if (unlinkat(root, name, AT_REMOVEDIR) == 0 || errno != EBUSY) return;
        usleep(1000);
    }
}
