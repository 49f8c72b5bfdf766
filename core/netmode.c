/*
 * netmode.c - --net: the network mode, resolved against this machine.
 *
 * Runs in the caller's process (the user's shell) before anything is created,
 * so that every problem (an unknown mode, no NAT helper installed, a
 * /dev/net/tun the user may not open) is reported with nothing run.
 *
 * The default is a network namespace of its own with loopback only (net.c).
 * --net gives that namespace a way out through a user-mode NAT: pasta
 * (Debian package passt) or, where pasta is missing, slirp4netns. Both turn
 * the sandbox's packets into ordinary sockets of the caller on the host, so
 * the sandbox reaches what the caller reaches over the network, but not the
 * host's loopback: pasta is told not to map its gateway address to the host
 * (--no-map-gw) and to forward no port in either direction (-t/-u/-T/-U
 * none), slirp4netns is started with --disable-host-loopback. Abstract unix
 * sockets belong to a network namespace and stay the host's. The helper is
 * started by the setup child (nethelper.c).
 *
 * DNS: a host whose resolver listens on its own loopback (systemd-resolved's
 * 127.0.0.53, a local dnsmasq) cannot be asked directly from the sandbox; the
 * NAT's forwarder address relays to it, and the sandbox gets a resolv.conf
 * naming that forwarder.
 *
 * --net=host shares the host's network namespace: nothing network-related is
 * isolated, and the user is told so.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where pasta forwards DNS from: an address that no network assigns (link-local
 * space, not the cloud metadata address), routed to pasta like any other. */
#define PASTA_DNS_FORWARDER "169.254.1.53"
/* slirp4netns's built-in forwarder in its 10.0.2.0/24 network. */
#define SLIRP_DNS_FORWARDER "10.0.2.3"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const mode_names[] = {
    [ISOLATE_NET_NONE] = "none",   [ISOLATE_NET_NAT] = "nat",
    [ISOLATE_NET_PASTA] = "pasta", [ISOLATE_NET_SLIRP4NETNS] = "slirp4netns",
    [ISOLATE_NET_HOST] = "host",
};

/* "--net" alone is NULL: the NAT with whichever helper is installed. */
int iso_net_mode_parse(const char *value)
{
    if (!value) return ISOLATE_NET_NAT;
    for (size_t i = 0; i < sizeof mode_names / sizeof *mode_names; i++)
        if (i != ISOLATE_NET_NAT && !strcmp(value, mode_names[i])) return (int)i;
    return -1;
}

const char *iso_net_mode_name(int mode)
{
    return mode >= 0 && (size_t)mode < sizeof mode_names / sizeof *mode_names ? mode_names[mode]
                                                                              : "?";
}

int iso_net_is_nat(int mode)
{
    return mode == ISOLATE_NET_NAT || mode == ISOLATE_NET_PASTA || mode == ISOLATE_NET_SLIRP4NETNS;
}

static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || !strcmp(dir, "/"));
}

static int loopback_address(const char *a)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, a, b) == 1) return b[0] == 127 || !memcmp(b, "\0\0\0\0", 4);
    if (inet_pton(AF_INET6, a, b) == 1)
        return !memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) ||
               (!memcmp(b, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && b[12] == 127);
    return 0;
}

/* The resolv.conf the sandbox needs when the host's names a resolver on the
 * host's loopback: the forwarder first, the host's other resolvers after it,
 * every other line (search, options) as it was. Returns 1 and fills out when
 * a new file is needed, 0 when the host's serves as it is, -1 when out is too
 * small. first receives the host's first nameserver ("" if none). Pure. */
int iso_resolv_for_sandbox(const char *host, const char *fwd, char *out, size_t size, char *first,
                           size_t first_size)
{
    size_t len = 0;
    int loopback = 0, n;
    const char *line, *next;

    if (first_size) first[0] = '\0';
    n = snprintf(out, size,
                 "# isolate --net: the host's resolver is on its loopback, out of the\n"
                 "# sandbox's reach; the user-mode NAT forwards %s to it.\nnameserver %s\n",
                 fwd ? fwd : "-", fwd ? fwd : "-");
    if (n < 0 || (size_t)n >= size) return -1;
    len = (size_t)n;
    for (line = host; line && *line; line = next) {
        char word[16], addr[64];
        size_t ll;
        next = strchr(line, '\n');
        ll = next ? (size_t)(next - line) : strlen(line);
        if (next) next++;
        if (sscanf(line, "%15s %63s", word, addr) == 2 && !strcmp(word, "nameserver")) {
            addr[strcspn(addr, "%")] = '\0'; /* fe80::1%eth0 */
            if (first_size && !first[0]) snprintf(first, first_size, "%s", addr);
            if (loopback_address(addr)) {
                loopback = 1;
                continue;
            }
        }
        if (len + ll + 2 > size) return -1;
        memcpy(out + len, line, ll);
        len += ll;
        out[len++] = '\n';
        out[len] = '\0';
    }
    return loopback && fwd ? 1 : 0;
}

/* The helper as the caller's PATH finds it (it runs with the caller's rights,
 * as if the caller had started it). The name is kept as found: pasta chooses
 * its mode from its name, and /usr/bin/pasta is a link to passt. */
static char *find_program(const char *name, const struct isolate_caller *c)
{
    const char *path = NULL;
    char buf[PATH_MAX];
    struct stat st;

    for (char *const *e = c->environ; e && *e; e++)
        if (!strncmp(*e, "PATH=", 5)) path = *e + 5;
    if (!path) path = DEFAULT_PATH;
    for (const char *p = path; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
        size_t dlen = strcspn(p, ":");
        if (!dlen || *p != '/') continue; /* relative entries: not for a helper */
        if ((size_t)snprintf(buf, sizeof buf, "%.*s/%s", (int)dlen, p, name) >= sizeof buf)
            continue;
        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
            return strdup(buf);
    }
    return NULL;
}

static int choose_helper(struct iso_netplan *n, const struct isolate_caller *c,
                         struct isolate_error *err)
{
    if (n->mode != ISOLATE_NET_SLIRP4NETNS && (n->helper = find_program("pasta", c))) {
        n->mode = ISOLATE_NET_PASTA;
    } else if (n->mode != ISOLATE_NET_PASTA && (n->helper = find_program("slirp4netns", c))) {
        n->mode = ISOLATE_NET_SLIRP4NETNS;
    } else if (n->mode == ISOLATE_NET_PASTA) {
        iso_err(err, 0,
                "--net=pasta: pasta is not installed (Debian package passt: "
                "sudo apt-get install passt)");
        return -1;
    } else if (n->mode == ISOLATE_NET_SLIRP4NETNS) {
        iso_err(err, 0,
                "--net=slirp4netns: slirp4netns is not installed (Debian package "
                "slirp4netns: sudo apt-get install slirp4netns)");
        return -1;
    } else {
        iso_err(err, 0,
                "--net needs a user-mode network helper, and neither pasta nor "
                "slirp4netns is installed: sudo apt-get install passt (or slirp4netns)");
        return -1;
    }
    /* Both create a tap device in the sandbox's namespace; the kernel lets
     * only those who may open /dev/net/tun do that (udev makes it 0666). */
    if (access("/dev/net/tun", R_OK | W_OK) < 0) {
        iso_err(err, errno, "--net: %s needs /dev/net/tun", iso_net_mode_name(n->mode));
        iso_err_hint(err, errno == ENOENT ? "load the tun module (as root: modprobe tun)"
                                          : "as root: chmod 0666 /dev/net/tun, as udev does");
        return -1;
    }
    return 0;
}

static int helper_argv(struct iso_netplan *n)
{
    /* Descriptors 3 (the sandbox's network namespace) and 4 (the readiness
     * pipe) are placed by the launcher (nethelper.c); /proc/self/fd names them
     * in the launcher's own view of /proc, the host's. */
    static const char *const pasta[] = {
        "--foreground", "--quiet", "--config-net",
        /* no port of the host forwarded in, none of the sandbox's out, and no
         * path from the sandbox to the host's loopback: */
        "--tcp-ports", "none", "--udp-ports", "none", "--tcp-ns", "none", "--udp-ns", "none",
        "--no-map-gw",
        /* isolate ends it; the namespace is not bound to a path to watch */
        "--no-netns-quit", "--pid", "/proc/self/fd/4", "--netns", "/proc/self/fd/3", NULL};
    static const char *const slirp[] = {
        "--configure", "--mtu=65520", "--disable-host-loopback",
        /* it parses what the sandbox sends: a seccomp filter confines it
         * (--enable-sandbox would want to be root in its user namespace; it
         * runs in a copy of the caller's mount namespace anyway) */
        "--enable-seccomp", "--netns-type=path", "--ready-fd=4", "/proc/self/fd/3", "tap0", NULL};
    const char *const *extra = n->mode == ISOLATE_NET_PASTA ? pasta : slirp;
    size_t k = 0, count = 4;

    for (const char *const *a = extra; *a; a++) count++;
    if (!(n->argv = calloc(count, sizeof *n->argv))) return -1;
    if (!(n->argv[k++] = strdup(n->helper))) return -1;
    for (const char *const *a = extra; *a; a++)
        if (!(n->argv[k++] = strdup(*a))) return -1;
    if (n->mode == ISOLATE_NET_PASTA && n->resolv && n->fwd) {
        if (!(n->argv[k++] = strdup("--dns-forward")) || !(n->argv[k++] = strdup(n->fwd)))
            return -1;
    }
    return 0;
}

/* Where /etc/resolv.conf leads on the host, and whether the sandbox needs a
 * file of its own there: a new one naming the forwarder, or the host's copied
 * into a private directory that would hide it (systemd-resolved's link into
 * /run). */
static int plan_resolv(struct iso_plan *plan, struct isolate_error *err)
{
    struct iso_netplan *n = &plan->net;
    char at[PATH_MAX], host[8192], gen[8192 + 256];
    ssize_t len;
    int fd, r;

    if (!realpath("/etc/resolv.conf", at)) return 0; /* none: nothing to resolve names with */
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if (m->kind == ISO_M_HIDE &&
            (is_under(at, m->path) || is_under("/etc/resolv.conf", m->path)))
            return 0; /* the user hid it */
        if (m->kind == ISO_M_TMPFS && is_under(at, m->path)) n->resolv_private = 1;
    }
    /* Below a host path shared with --write or --ro: mounted over, never written. */
    for (size_t i = 0; i < plan->nmounts; i++)
        if (plan->mounts[i].kind == ISO_M_BIND && is_under(at, plan->mounts[i].path))
            n->resolv_private = 0;
    fd = open(at, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    len = read(fd, host, sizeof host - 1);
    close(fd);
    if (len < 0) len = 0;
    host[len] = '\0';
    r = iso_resolv_for_sandbox(host, n->fwd, gen, sizeof gen, n->host_dns, sizeof n->host_dns);
    if (r < 0) {
        iso_err(err, 0, "--net: %s is too long", at);
        return -1;
    }
    if (r == 0) n->fwd = NULL;
    if ((r || n->resolv_private) && !(n->resolv = strdup(r ? gen : host))) goto oom;
    if (n->resolv && !(n->resolv_at = strdup(at))) goto oom;
    return 0;
oom:
    iso_err(err, 0, "out of memory");
    return -1;
}

int iso_netmode_plan(struct iso_plan *plan, const struct isolate_policy *p,
                     const struct isolate_caller *c, struct isolate_error *err)
{
    struct iso_netplan *n = &plan->net;

    n->mode = p->net;
    n->netns_fd = n->ready_fd = n->log_fd = n->pid_fd = -1;
    if (n->mode == ISOLATE_NET_NONE) return 0;
    if (iso_net_is_nat(n->mode)) {
        if (choose_helper(n, c, err) < 0) return -1;
        n->fwd = n->mode == ISOLATE_NET_PASTA ? PASTA_DNS_FORWARDER : SLIRP_DNS_FORWARDER;
    }
    if (plan_resolv(plan, err) < 0) return -1;
    if (iso_net_is_nat(n->mode) && helper_argv(n) < 0) {
        iso_err(err, 0, "out of memory");
        return -1;
    }
    return 0;
}

/* isolate-init's "--net MODE": the supervisor and PID 1 need the mode. */
int iso_netmode_args(const struct iso_plan *plan, char **v, size_t *n)
{
    if (plan->net.mode == ISOLATE_NET_NONE) return 0;
    if (!(v[*n] = strdup("--net"))) return -1;
    (*n)++;
    if (!(v[*n] = strdup(iso_net_mode_name(plan->net.mode)))) return -1;
    (*n)++;
    return 0;
}

void iso_netmode_free(struct iso_plan *plan)
{
    struct iso_netplan *n = &plan->net;

    free(n->helper);
    iso_strv_free(n->argv);
    free(n->resolv);
    free(n->resolv_at);
    /* Descriptors exist only once iso_netmode_plan() has set them to -1. */
    if (iso_net_is_nat(n->mode)) {
        if (n->netns_fd >= 0) close(n->netns_fd);
        if (n->ready_fd >= 0) close(n->ready_fd);
        if (n->log_fd >= 0) close(n->log_fd);
        if (n->pid_fd >= 0) close(n->pid_fd);
    }
    memset(n, 0, sizeof *n);
    n->netns_fd = n->ready_fd = n->log_fd = n->pid_fd = -1;
}

void iso_netmode_notes(const struct iso_plan *plan)
{
    if (plan->net.mode == ISOLATE_NET_HOST && !plan->quiet)
        iso_say("warning: --net=host: the sandbox shares your network; services on "
                "127.0.0.1 and abstract unix sockets (X11, D-Bus...) are reachable from it");
}

void iso_netmode_describe(const struct iso_plan *plan, FILE *out)
{
    const struct iso_netplan *n = &plan->net;

    switch (n->mode) {
    case ISOLATE_NET_NONE:
        fprintf(out, "  network: none; only its own loopback (host services and abstract "
                     "sockets unreachable)\n");
        return;
    case ISOLATE_NET_HOST:
        fprintf(out, "  network: the HOST's (--net=host): everything the host reaches, its "
                     "loopback services (127.0.0.1) and abstract unix sockets (X11, D-Bus) "
                     "included\n");
        return;
    case ISOLATE_NET_NAT: /* resolved to one of the helpers by the plan */
    case ISOLATE_NET_PASTA:
    case ISOLATE_NET_SLIRP4NETNS:
        break;
    }
    fprintf(out,
            "  network: its own, behind a user-mode NAT (%s, run as you): outbound TCP, "
            "UDP and DNS reach the internet and your local network; nothing outside can "
            "connect in\n",
            n->helper);
    fprintf(out, "    out of reach: the host's loopback services (127.0.0.1, ::1) and its "
                 "abstract unix sockets\n");
    fprintf(out, "    reachable: any machine your host reaches (LAN, router, cloud metadata "
                 "service), and services the host offers on its network addresses\n");
    if (n->resolv && n->fwd)
        fprintf(out,
                "    DNS: the host's resolver %s, through the NAT's forwarder %s (a %s "
                "naming it replaces %s inside)\n",
                n->host_dns, n->fwd, "resolv.conf", n->resolv_at);
    else if (n->host_dns[0])
        fprintf(out, "    DNS: the host's resolver %s\n", n->host_dns);
    else
        fprintf(out, "    DNS: none (the host's /etc/resolv.conf names no resolver)\n");
}
