/*
 * taskcount.c - the sandbox's tasks, counted by PID 1 for the process limit.
 *
 * Without a cgroup, the kernel's only process limit is RLIMIT_NPROC, and it
 * ends nothing: the fork that would pass it fails with EAGAIN and the program
 * decides what that means. A fork bomb made of dash, which does not retry,
 * reaches the limit within a few milliseconds and collapses within fifteen,
 * between two looks of the supervisor's watchdog, and the run would end "OK".
 *
 * So PID 1 looks too, each time a process of the sandbox ends and PID 1 is
 * woken to reap it. A bomb's subshells are orphaned as the pipelines that
 * started them end, and PID 1 inherits them: it is woken all through the
 * storm, and counts before it reaps, so the zombies it has yet to reap still
 * count (as they do for the kernel's RLIMIT_NPROC). The limit is set a little
 * above the watched one (limits.c), so the count stays at or over the watched
 * limit for as long as the kernel is refusing forks.
 *
 * What this cannot do is stop each fork before it happens. A seccomp user
 * notification on fork, vfork and clone would, but on this kernel a signal
 * that reaches the forking task before PID 1 has received the notification
 * makes the fork fail with EINTR wherever the handler lacks SA_RESTART: dash
 * and zsh catch SIGCHLD that way and report "Cannot fork" in ordinary scripts
 * with background jobs. (Linux is gaining an opt-in flag that restarts such
 * calls instead, SECCOMP_FILTER_FLAG_RESTART_BEFORE_RECV.)
 *
 * Runs in PID 1 once the command has started: raw system calls only (init.c).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

struct dirent64 {
    unsigned long long ino;
    long long off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* The command's tasks, zombies included, as the kernel counts them for
 * RLIMIT_NPROC: every process in PROC (the sandbox's /proc) but PID 1, each
 * with its threads if THREADS (the link count of /proc/N/task is two plus its
 * threads; one more system call per process). -1 if /proc cannot be read. */
long iso_count_tasks(int proc, int threads)
{
    char buf[4096];
    long n = 0, got;

    if (iso_raw_syscall(SYS_lseek, proc, 0, SEEK_SET) < 0) return -1;
    while ((got = iso_raw_syscall(SYS_getdents64, proc, (long)buf, sizeof buf)) != 0) {
        if (got == -EINTR) continue;
        if (got < 0) return -1;
        for (long off = 0; off < got;) {
            const struct dirent64 *d = (const struct dirent64 *)(buf + off);
            char path[32];
            struct stat st;
            int len = 0;

            off += d->reclen;
            if (d->name[0] < '1' || d->name[0] > '9' || (d->name[0] == '1' && !d->name[1]))
                continue;
            if (!threads) {
                n++;
                continue;
            }
            while (d->name[len] && len < 20) path[len] = d->name[len], len++;
            __builtin_memcpy(path + len, "/task", 6);
            if (iso_raw_syscall5(SYS_newfstatat, proc, (long)path, (long)&st, 0, 0) == 0)
                n += st.st_nlink > 2 ? (long)st.st_nlink - 2 : 1;
        }
    }
    return n;
}
