/*
 * net.c - the network namespace: loopback only, and up.
 *
 * Runs in the sandbox-building child. A new network namespace has no route to
 * the host's interfaces, its loopback services or its abstract unix sockets
 * (X11's @/tmp/.X11-unix, D-Bus), which are per network namespace. Loopback is
 * brought up so that programs talking to themselves (test servers) work.
 */
#include "internal.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int iso_net_loopback_up(const struct iso_plan *plan, struct isolate_error *e)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        iso_err(e, errno, "cannot open a socket to configure loopback");
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) goto fail;
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) goto fail;
    close(fd);
    iso_log(plan->verbose, "network namespace: only loopback, up");
    return 0;
fail:
    iso_err(e, errno, "cannot bring up loopback");
    close(fd);
    return -1;
}
