/*
 * net.c - the network namespace: loopback only, and up.
 *
 * Runs in PID 1 (pid1.c), which created the network namespace. A new network
 * namespace has no route to the host's interfaces, its loopback services or
 * its abstract unix sockets (X11's @/tmp/.X11-unix, D-Bus), which are per
 * network namespace. Loopback is brought up so that programs talking to
 * themselves (test servers) work. The supervisor stays outside: it opens no
 * socket.
 */
#include "internal.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int iso_net_loopback_up(void)
{
    struct ifreq ifr;
    int fd, rc, saved;

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
