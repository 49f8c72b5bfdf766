/*
 * probe - a static program the tests run inside the sandbox. It reports
 * facts (ids, capabilities, namespaces, descriptors, the errno a system call
 * gets) as "key=value" lines, so tests assert on facts rather than on the
 * sandbox's own account of itself.
 *
 *   probe ids | caps | proc | fds | env | hostname | ns | sigs | tty | mounts
 *   probe try NAME        attempt a denied operation; prints NAME=ok or NAME=EPERM
 *   probe write PATH      create/append PATH       probe read PATH
 *   probe connect-tcp HOST PORT | connect-unix PATH | connect-abstract NAME
 *   probe http ADDRESS PORT   GET /; prints http=FIRST LINE OF THE BODY
 *   probe dns SERVER NAME     asks SERVER (UDP) for NAME's address; prints dns=ADDRESS
 *   probe kill-group SIG  kill(0, SIG)              probe daemon SECONDS
 *   probe sleep SECONDS   probe exit N             probe signal SIG (raise)
 *   probe loopback        listen on 127.0.0.1, connect to itself, exchange a byte
 *   probe listen-tcp PORT SECONDS | listen-abstract NAME SECONDS | listen-unix PATH SECONDS
 *                                             serve, for tests
 *   probe sigwait SIG     block SIG, wait for it, print its name and exit 0
 *   probe threads N SECONDS   start N threads that sleep SECONDS; prints threads=STARTED
 *                         and, if one could not start, error=ERRNO; waits for them
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int report(const char *name, long rc, int err)
{
    if (rc >= 0)
        printf("%s=ok\n", name);
    else
        printf("%s=%s\n", name, strerrorname_np(err) ? strerrorname_np(err) : "E?");
    return rc >= 0 ? 0 : 1;
}

/* Evaluates EXPR (a call) and reports its outcome; EXPR must be the call
 * itself, not a value computed earlier, since errno is read right after. */
#define TRY(name, expr)                                                                            \
    do {                                                                                           \
        long rc_;                                                                                  \
        errno = 0;                                                                                 \
        rc_ = (long)(expr);                                                                        \
        return report(name, rc_, errno);                                                           \
    } while (0)

static void status_lines(const char *const *keys)
{
    char line[512];
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return;
    while (fgets(line, sizeof line, f))
        for (const char *const *k = keys; *k; k++)
            if (!strncmp(line, *k, strlen(*k)) && line[strlen(*k)] == ':') {
                char *v = line + strlen(*k) + 1;
                while (*v == ' ' || *v == '\t') v++;
                printf("%s=%s", *k, v);
            }
    fclose(f);
}

static int i386_getpid(void)
{
#if defined(__x86_64__)
    long ret;
    /* int 0x80 with eax=20 (getpid in the i386 table) */
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
    return (int)ret;
#else
    return -1;
#endif
}

static long x32_getpid(void)
{
#if defined(__x86_64__)
    return syscall(0x40000000 | 39);
#else
    return -1;
#endif
}

static int try_op(const char *what)
{
    int fd;
    if (!strcmp(what, "tiocsti")) {
        char c = 'x';
        TRY(what, ioctl(0, TIOCSTI, &c));
    }
    if (!strcmp(what, "tiocsti-high")) {
        char c = 'x';
        TRY(what, syscall(SYS_ioctl, 0, 0xffffffff00000000UL | TIOCSTI, &c));
    }
    if (!strcmp(what, "tioclinux")) {
        char sub = 6;
        TRY(what, ioctl(0, TIOCLINUX, &sub));
    }
    if (!strcmp(what, "keyctl")) TRY(what, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, -3, 0));
    if (!strcmp(what, "add_key"))
        TRY(what, syscall(SYS_add_key, "user", "isolate", "x", 1, KEY_SPEC_PROCESS_KEYRING));
    if (!strcmp(what, "request_key"))
        TRY(what, syscall(SYS_request_key, "user", "isolate", NULL, KEY_SPEC_PROCESS_KEYRING));
    if (!strcmp(what, "bpf")) TRY(what, syscall(SYS_bpf, 0, NULL, 0));
    if (!strcmp(what, "perf_event_open")) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_TASK_CLOCK;
        TRY(what, syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
    }
    if (!strcmp(what, "userfaultfd")) TRY(what, syscall(SYS_userfaultfd, 0));
    if (!strcmp(what, "io_uring_setup")) {
        char params[120];
        memset(params, 0, sizeof params);
        TRY(what, syscall(SYS_io_uring_setup, 1, params));
    }
    if (!strcmp(what, "kexec_load")) TRY(what, syscall(SYS_kexec_load, 0, 0, NULL, 0));
    if (!strcmp(what, "init_module")) TRY(what, syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(what, "finit_module")) TRY(what, syscall(SYS_finit_module, -1, "", 0));
    if (!strcmp(what, "delete_module")) TRY(what, syscall(SYS_delete_module, "nothing", 0));
    if (!strcmp(what, "mount")) TRY(what, mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(what, "umount")) TRY(what, umount2("/tmp", MNT_DETACH));
    if (!strcmp(what, "pivot_root")) TRY(what, syscall(SYS_pivot_root, "/tmp", "/tmp"));
    if (!strcmp(what, "open_tree")) TRY(what, syscall(SYS_open_tree, AT_FDCWD, "/tmp", 1));
    if (!strcmp(what, "move_mount"))
        TRY(what, syscall(SYS_move_mount, -1, "", AT_FDCWD, "/tmp", 4));
    if (!strcmp(what, "fsopen")) TRY(what, syscall(SYS_fsopen, "tmpfs", 0));
    if (!strcmp(what, "mount_setattr"))
        TRY(what, syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, NULL, 0));
    if (!strcmp(what, "unshare-user")) TRY(what, unshare(CLONE_NEWUSER));
    if (!strcmp(what, "unshare-net")) TRY(what, unshare(CLONE_NEWNET));
    if (!strcmp(what, "unshare-mount")) TRY(what, unshare(CLONE_NEWNS));
    if (!strcmp(what, "clone-user")) {
        long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        int err = errno;
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid((pid_t)pid, NULL, 0);
        return report(what, pid, err);
    }
    if (!strcmp(what, "clone3")) {
        uint64_t args[11];
        memset(args, 0, sizeof args);
        args[0] = CLONE_NEWUSER;
        args[4] = SIGCHLD;
        long pid = syscall(SYS_clone3, args, sizeof args);
        int err = errno;
        if (pid == 0) _exit(0);
        if (pid > 0) waitpid((pid_t)pid, NULL, 0);
        return report(what, pid, err);
    }
    if (!strcmp(what, "setns")) {
        fd = open("/proc/self/ns/net", O_RDONLY);
        TRY(what, setns(fd, 0));
    }
    if (!strcmp(what, "open_by_handle_at")) TRY(what, syscall(SYS_open_by_handle_at, -1, NULL, 0));
    if (!strcmp(what, "ptrace-init")) TRY(what, ptrace(PTRACE_ATTACH, 1, 0, 0));
    if (!strcmp(what, "init-mem")) TRY(what, open("/proc/1/mem", O_RDONLY));
    if (!strcmp(what, "init-environ")) TRY(what, open("/proc/1/environ", O_RDONLY));
    if (!strcmp(what, "init-fd")) TRY(what, opendir("/proc/1/fd") ? 0 : -1);
    if (!strcmp(what, "init-kill")) TRY(what, kill(1, SIGKILL));
    if (!strcmp(what, "i386")) TRY(what, i386_getpid());
    if (!strcmp(what, "x32")) TRY(what, x32_getpid());
    if (!strcmp(what, "setuid-root")) TRY(what, setuid(0));
    if (!strcmp(what, "chroot")) TRY(what, chroot("/tmp"));
    if (!strcmp(what, "mknod")) TRY(what, mknod("/tmp/probe-dev", S_IFCHR | 0666, makedev(1, 3)));
    if (!strcmp(what, "sethostname")) TRY(what, sethostname("x", 1));
    if (!strcmp(what, "raw-socket")) TRY(what, socket(AF_INET, SOCK_RAW, 1));
    fprintf(stderr, "probe: unknown operation %s\n", what);
    return 2;
}

/* A connection, or -1 with errno; gives up after 3 s (ETIMEDOUT) rather than
 * the kernel's two minutes: a NAT may drop what it cannot connect. */
static int tcp_to(const char *host, int port)
{
    struct sockaddr_in a;
    struct timeval t = {3, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (errno == EINPROGRESS) errno = ETIMEDOUT;
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_tcp(const char *host, int port)
{
    TRY("connect", tcp_to(host, port));
}

/* GET / over HTTP/1.0; prints the first line of the body. */
static int http_get(const char *host, int port)
{
    char buf[4096], req[256], *body;
    size_t len = 0;
    ssize_t n;
    int fd = tcp_to(host, port);

    if (fd < 0) return report("http", -1, errno);
    snprintf(req, sizeof req, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) return report("http", -1, errno);
    while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    body = strstr(buf, "\r\n\r\n");
    if (!body) return report("http", -1, n < 0 ? errno : EPROTO);
    body += 4;
    body[strcspn(body, "\n")] = '\0';
    printf("http=%s\n", body);
    return 0;
}

/* One DNS query for NAME's A record over UDP to SERVER:53, 3 s at most;
 * prints dns=ADDRESS, dns=NXDOMAIN or dns=ERRNO. */
static int dns_query(const char *server, const char *name)
{
    unsigned char q[512], r[512];
    struct sockaddr_in a;
    struct timeval t = {3, 0};
    size_t len = 12;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(q, 0, sizeof q);
    q[0] = 0x15, q[1] = 0x23, q[2] = 0x01, q[5] = 1; /* id, recursion desired, one question */
    for (const char *l = name; *l && len < 400;) {
        size_t ll = strcspn(l, ".");
        q[len++] = (unsigned char)ll;
        memcpy(q + len, l, ll);
        len += ll;
        l += ll + (l[ll] == '.');
    }
    q[len++] = 0, q[len++] = 0, q[len++] = 1, q[len++] = 0, q[len++] = 1; /* A, IN */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    inet_pton(AF_INET, server, &a.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    if (sendto(fd, q, len, 0, (struct sockaddr *)&a, sizeof a) < 0) return report("dns", -1, errno);
    n = recv(fd, r, sizeof r, 0);
    if (n < 0) return report("dns", -1, errno == EAGAIN ? ETIMEDOUT : errno);
    if (n < 16 || (r[3] & 15)) {
        printf("dns=%s\n", n >= 16 && (r[3] & 15) == 3 ? "NXDOMAIN" : "ERROR");
        return 1;
    }
    if (!r[7]) {
        printf("dns=NOANSWER\n");
        return 1;
    }
    printf("dns=%u.%u.%u.%u\n", r[n - 4], r[n - 3], r[n - 2], r[n - 1]);
    return 0;
}

static int connect_unix(const char *path, int abstract)
{
    struct sockaddr_un a;
    socklen_t len;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (abstract) {
        strncpy(a.sun_path + 1, path, sizeof a.sun_path - 2);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
    } else {
        strncpy(a.sun_path, path, sizeof a.sun_path - 1);
        len = sizeof a;
    }
    TRY("connect", connect(fd, (struct sockaddr *)&a, len));
}

static void list_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int self = d ? dirfd(d) : -1;
    printf("fds=");
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != self) printf("%s ", e->d_name);
    printf("\n");
    if (d) closedir(d);
}

static void print_ns(void)
{
    const char *ns[] = {"user", "mnt", "net", "ipc", "uts", "pid", "cgroup", NULL};
    char path[64], buf[64];
    for (int i = 0; ns[i]; i++) {
        ssize_t n;
        snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i]);
        n = readlink(path, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        printf("ns_%s=%s\n", ns[i], buf);
    }
}

static int daemonize(int seconds)
{
    pid_t p = fork();
    if (p < 0) return 1;
    if (p == 0) {
        setsid();
        if (fork() == 0) {
            for (int fd = 0; fd < 3; fd++) close(fd);
            sleep((unsigned)seconds);
            _exit(0);
        }
        _exit(0);
    }
    waitpid(p, NULL, 0);
    printf("daemon=started\n");
    return 0;
}

static int loopback(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), c, x;
    char b = 'x';
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        return report("loopback", -1, errno);
    c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) return report("loopback", -1, errno);
    x = accept(s, NULL, NULL);
    if (x < 0 || write(c, &b, 1) != 1 || read(x, &b, 1) != 1) return report("loopback", -1, errno);
    return report("loopback", 0, 0);
}

/* Accepts connections until SECONDS pass; prints "listening" once ready, then
 * "accepted" for each connection. */
static int serve(int fd, int seconds)
{
    alarm((unsigned)seconds);
    if (listen(fd, 8) < 0) return report("listen", -1, errno);
    printf("listening\n");
    fflush(stdout);
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) continue;
        /* A test sees that a client reached this very server. */
        printf("accepted\n");
        fflush(stdout);
        close(c);
    }
}

static int listen_tcp(int port, int seconds)
{
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) return report("bind", -1, errno);
    return serve(fd, seconds);
}

static int listen_abstract(const char *name, int seconds)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path + 1, name, sizeof a.sun_path - 2);
    if (bind(fd, (struct sockaddr *)&a,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) < 0)
        return report("bind", -1, errno);
    return serve(fd, seconds);
}

static int listen_unix(const char *path, int seconds)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) return report("bind", -1, errno);
    return serve(fd, seconds);
}

static int sig_wait(int sig)
{
    sigset_t set;
    int got;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("waiting\n");
    fflush(stdout);
    if (sigwait(&set, &got) != 0) return 2;
    printf("got=%s\n", sigabbrev_np(got) ? sigabbrev_np(got) : "?");
    return 0;
}

static void *sleeper(void *arg)
{
    sleep((unsigned)(uintptr_t)arg);
    return NULL;
}

static int threads(int n, int seconds)
{
    pthread_t t[256];
    int started = 0, err = 0;

    while (started < n && started < 256 &&
           !(err = pthread_create(&t[started], NULL, sleeper, (void *)(uintptr_t)seconds)))
        started++;
    printf("threads=%d\n", started);
    if (err) printf("error=%s\n", strerrorname_np(err));
    while (started--) pthread_join(t[started], NULL);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "ids";
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (!strcmp(cmd, "ids")) {
        gid_t groups[64];
        int n = getgroups(64, groups);
        printf("uid=%d\neuid=%d\ngid=%d\nngroups=%d\n", getuid(), geteuid(), getgid(), n);
        return 0;
    }
    if (!strcmp(cmd, "caps")) {
        const char *keys[] = {"CapInh", "CapPrm",     "CapEff",  "CapBnd",
                              "CapAmb", "NoNewPrivs", "Seccomp", NULL};
        status_lines(keys);
        return 0;
    }
    if (!strcmp(cmd, "sigs")) {
        const char *keys[] = {"SigBlk", "SigIgn", NULL};
        status_lines(keys);
        return 0;
    }
    if (!strcmp(cmd, "proc")) {
        printf("pid=%d\nppid=%d\npgid=%d\nsid=%d\nown_pgrp=%d\n", getpid(), getppid(), getpgrp(),
               getsid(0), getpgrp() == getpid());
        return 0;
    }
    if (!strcmp(cmd, "fds")) {
        list_fds();
        return 0;
    }
    if (!strcmp(cmd, "env")) {
        extern char **environ;
        for (char **e = environ; *e; e++) printf("%s\n", *e);
        return 0;
    }
    if (!strcmp(cmd, "hostname")) {
        char h[256];
        gethostname(h, sizeof h);
        printf("hostname=%s\n", h);
        return 0;
    }
    if (!strcmp(cmd, "ns")) {
        print_ns();
        return 0;
    }
    if (!strcmp(cmd, "tty")) {
        int t = isatty(0);
        printf("isatty0=%d\nforeground=%d\n", t, t && tcgetpgrp(0) == getpgrp());
        return 0;
    }
    if (!strcmp(cmd, "mounts")) {
        char line[4096];
        FILE *f = fopen("/proc/self/mountinfo", "r");
        while (f && fgets(line, sizeof line, f)) fputs(line, stdout);
        return 0;
    }
    if (!strcmp(cmd, "try") && argc > 2) return try_op(argv[2]);
    if (!strcmp(cmd, "write") && argc > 2) {
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0) return report("write", -1, errno);
        if (write(fd, "probe\n", 6) < 0) return report("write", -1, errno);
        return report("write", 0, 0);
    }
    if (!strcmp(cmd, "read") && argc > 2) {
        char buf[256];
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) return report("read", -1, errno);
        if (read(fd, buf, sizeof buf) < 0) return report("read", -1, errno);
        return report("read", 0, 0);
    }
    if (!strcmp(cmd, "unlink") && argc > 2) TRY("unlink", unlink(argv[2]));
    if (!strcmp(cmd, "connect-tcp") && argc > 3) return connect_tcp(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "http") && argc > 3) return http_get(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "dns") && argc > 3) return dns_query(argv[2], argv[3]);
    if (!strcmp(cmd, "connect-unix") && argc > 2) return connect_unix(argv[2], 0);
    if (!strcmp(cmd, "connect-abstract") && argc > 2) return connect_unix(argv[2], 1);
    if (!strcmp(cmd, "kill-group") && argc > 2) TRY("kill", kill(0, atoi(argv[2])));
    if (!strcmp(cmd, "daemon") && argc > 2) return daemonize(atoi(argv[2]));
    if (!strcmp(cmd, "sleep") && argc > 2) {
        sleep((unsigned)atoi(argv[2]));
        return 0;
    }
    if (!strcmp(cmd, "exit") && argc > 2) return atoi(argv[2]);
    if (!strcmp(cmd, "loopback")) return loopback();
    if (!strcmp(cmd, "listen-tcp") && argc > 3) return listen_tcp(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(cmd, "listen-abstract") && argc > 3) return listen_abstract(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "listen-unix") && argc > 3) return listen_unix(argv[2], atoi(argv[3]));
    if (!strcmp(cmd, "sigwait") && argc > 2) return sig_wait(atoi(argv[2]));
    if (!strcmp(cmd, "threads") && argc > 3) return threads(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(cmd, "signal") && argc > 2) {
        signal(atoi(argv[2]), SIG_DFL);
        raise(atoi(argv[2]));
        return 99;
    }
    fprintf(stderr, "probe: unknown command %s\n", cmd);
    return 2;
}
