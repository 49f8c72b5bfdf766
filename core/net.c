/*
 * net.c - the network namespace: loopback only, and up.
 *
 * Runs in PID 1's clone, which created the network namespace, while the
 * setup child builds the file system at the same time (a new network
 * namespace is the most expensive part of a sandbox, and the two do not
 * depend on each other): raw system calls only (see iso_raw_syscall).
 * A new network namespace has no route to the host's interfaces, its loopback
 * services or its abstract unix sockets (X11's @/tmp/.X11-unix, D-Bus), which
 * are per network namespace. Loopback is brought up so that programs talking
 * to themselves (test servers) work. The supervisor stays outside: it opens
 * no socket.
 */
#include "internal.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* Returns 0 or -errno. */
long iso_net_loopback_raw(void)
{
    struct ifreq ifr;
    long fd, rc;

    fd = iso_raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fd;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    rc = iso_raw_syscall(SYS_ioctl, fd, SIOCGIFFLAGS, (long)&ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = iso_raw_syscall(SYS_ioctl, fd, SIOCSIFFLAGS, (long)&ifr);
    }
    iso_raw_syscall(SYS_close, fd, 0, 0);
    return rc;
}
