/*
 * netready.c - the NAT helper of --net (nethelper.c) seen from inside: PID 1
 * waits for it, the supervisor ends it.
 *
 * Wait, in PID 1, just before the command: the helper writes on a pipe when
 * the sandbox's namespace is configured (pasta its pid, slirp4netns "1"); end
 * of file means it died, and its messages, in a memfd, say why. The command
 * never starts without its network. PID 1 uses libc here: the supervisor,
 * which shares its memory, is still waiting in a raw read (pid1.c).
 *
 * End, in the supervisor, once PID 1 has been reaped: the helper is killed and
 * reaped through its pidfd, so that nothing is left when isolate returns. (It
 * also dies with the supervisor, by PR_SET_PDEATHSIG, should that be killed.)
 */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* --- PID 1 -------------------------------------------------------------------- */

/* Loopback, in the NAT helper's namespace (not in the host's); the default
 * network namespace comes with it up (nsahead.c). */
int iso_net_pid1(const struct iso_init_opts *o, struct isolate_error *e)
{
    const char *host = o->hostname ? o->hostname : ISO_HOSTNAME;

    if (iso_net_is_nat(o->net) && iso_net_loopback_up() < 0) {
        iso_err(e, errno, "cannot bring up loopback");
        return -1;
    }
    if (o->net == ISOLATE_NET_HOST)
        iso_log(o->verbose,
                "IPC, UTS ('%s') and cgroup namespaces: private; network: the "
                "host's (--net=host)",
                host);
    else
        iso_log(o->verbose,
                "network, IPC, UTS ('%s') and cgroup namespaces: private; "
                "network: %s",
                host, o->net == ISOLATE_NET_NONE ? "loopback only, up" : "loopback, and the NAT");
    return 0;
}

/* The helper's last message that says something (not its syslog trouble). */
static void helper_said(int fd, int verbose, const char *name, char *last, size_t size)
{
    char buf[4096];
    ssize_t len = pread(fd, buf, sizeof buf - 1, 0);
    char *line, *save = NULL;

    last[0] = '\0';
    if (len <= 0) return;
    buf[len] = '\0';
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        iso_log(verbose, "network: %s: %s", name, line);
        if (strstr(line, "to syslog") || strstr(line, "WARNING: Support for seccomp")) continue;
        snprintf(last, size, "%s", line);
    }
}

int iso_net_wait(const struct iso_init_opts *o, struct isolate_error *e)
{
    const char *name = iso_net_mode_name(o->net);
    struct pollfd pf = {.fd = ISO_FD_NETREADY(o), .events = POLLIN};
    struct timespec t0, t1;
    char byte, said[256];
    int r;

    if (!iso_net_is_nat(o->net)) return 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((r = poll(&pf, 1, ISO_NET_READY_TIMEOUT_MS)) < 0 && errno == EINTR) {
    }
    r = r > 0 ? (int)read(pf.fd, &byte, 1) : -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    helper_said(ISO_FD_NETLOG(o), o->verbose, name, said, sizeof said);
    if (r == 1) {
        iso_log(o->verbose, "network: %s has configured the sandbox's network after %.1f ms", name,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        return 0;
    }
    if (r == 0)
        iso_err(e, 0, "--net: %s could not set up the network%s%s", name, said[0] ? ": " : "",
                said);
    else
        iso_err(e, 0, "--net: %s did not set up the network within %d s", name,
                ISO_NET_READY_TIMEOUT_MS / 1000);
    return -1;
}

/* --- End (supervisor) ------------------------------------------------------------ */

/* The wait is most of a --net run's extra cost: closing the tap device makes
 * the kernel unregister it in the closer's exit (tun_chr_close, then an
 * rcu_barrier), 10-30 ms on a virtual machine. It is paid here, so that the
 * helper is gone, not dying, when isolate returns. */
void iso_net_stop(const struct iso_init_opts *o)
{
    struct timespec t0, t1;
    siginfo_t si;

    if (!iso_net_is_nat(o->net)) return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    syscall(SYS_pidfd_send_signal, ISO_FD_NETPID(o), SIGKILL, NULL, 0);
    while (syscall(SYS_waitid, P_PIDFD, ISO_FD_NETPID(o), &si, WEXITED | __WALL, NULL) < 0 &&
           errno == EINTR) {
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    iso_log(o->verbose, "network: %s stopped; its exit took %.1f ms", iso_net_mode_name(o->net),
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}
