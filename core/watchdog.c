/*
 * watchdog.c - measuring the whole sandbox, for the supervisor's limits.
 *
 * Runs in the supervisor while the command runs. Counting processes and
 * looking at the private tmpfs is cheap and done every few tens of
 * milliseconds; reading every process's figures is not (under a fork storm
 * each /proc read contends with the forks), so the supervisor spaces those
 * samples out in proportion to what the last one cost. The supervisor is outside the sandbox's PID
 * namespace but inside its mount namespace, where /proc is the sandbox's own: every entry there is
 * a process of the sandbox, and nothing else. The sums are over the tree, which rlimits (per
 * process) cannot see:
 *  - CPU: utime+stime of every live process plus cutime+cstime, which hold
 *    what each has reaped (PID 1's hold every orphan it reaped), so nothing is
 *    counted twice and nothing that ended is lost;
 *  - memory: resident minus shared (file-backed and shmem) pages, the
 *    anonymous memory a memory bomb grows; tmpfs use is limited by its size;
 *  - tasks: threads included, as the kernel counts them for RLIMIT_NPROC;
 *  - private space: what the shared tmpfs holds.
 */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static ssize_t read_small(int dir, const char *name, char *buf, size_t size)
{
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

static void sample_process(int dir, struct iso_usage *u, long tick, long page)
{
    char buf[1024], *p;
    unsigned long long utime, stime, size, resident, shared;
    long long cutime, cstime, threads;

    if (read_small(dir, "stat", buf, sizeof buf) <= 0 || !(p = strrchr(buf, ')'))) return;
    /* After "pid (comm)": state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime cutime cstime priority nice threads */
    if (sscanf(p + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld %*d %*d %lld",
               &utime, &stime, &cutime, &cstime, &threads) != 5)
        return;
    u->cpu_s += (double)(utime + stime + (unsigned long long)cutime + (unsigned long long)cstime) /
                (double)tick;
    u->tasks += threads > 0 ? threads : 1;
    if (read_small(dir, "statm", buf, sizeof buf) > 0 &&
        sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) == 3 && resident > shared)
        u->mem_bytes += (resident - shared) * (unsigned long long)page;
}

/* The number of processes (not threads) in the sandbox, PID 1 included. */
long iso_count_processes(void)
{
    DIR *proc = opendir("/proc");
    struct dirent *d;
    long n = 0;

    if (!proc) return -1;
    while ((d = readdir(proc)))
        if (isdigit((unsigned char)d->d_name[0])) n++;
    closedir(proc);
    return n;
}

unsigned long long iso_tmp_used(const char *tmp_path)
{
    struct statfs fs;
    if (!tmp_path || statfs(tmp_path, &fs) < 0) return 0;
    return (unsigned long long)(fs.f_blocks - fs.f_bfree) * (unsigned long long)fs.f_bsize;
}

int iso_usage_sample(struct iso_usage *u, const char *tmp_path)
{
    static long tick, page;
    struct dirent *d;
    DIR *proc;

    if (!tick) tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    memset(u, 0, sizeof *u);
    if (!(proc = opendir("/proc"))) return -1;
    while ((d = readdir(proc))) {
        int dir;
        if (!isdigit((unsigned char)d->d_name[0])) continue;
        dir = openat(dirfd(proc), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) continue; /* it has just ended */
        sample_process(dir, u, tick, page);
        close(dir);
    }
    closedir(proc);
    u->tmp_used = iso_tmp_used(tmp_path);
    return 0;
}
