/*
 * desktop.c - what of the user's desktop a sandbox may share, on request:
 * --x11, --wayland, --audio, --gpu. Each one weakens the isolation, so each
 * prints a warning (unless -q) and --explain names its risk.
 *
 * The plan (caller's process) finds the host's socket or device directory,
 * checks it is the user's or the system's (a socket another user placed could
 * be a fake server collecting what the command sends), and adds a read-only
 * bind of it inside: the X socket at /tmp/.X11-unix/XN in the private /tmp,
 * the others in a private XDG_RUNTIME_DIR, /run/user/UID, /dev/dri in the
 * minimal /dev. The sandbox-building child looks each source up again without
 * following any link and binds it only if it is still the file the plan saw
 * (resolve.c). connect() on a socket needs no writable mount, and a device
 * node opens read-write on a read-only one.
 *
 * X11 also needs the display's cookie: the matching entries of the user's
 * Xauthority file, and only those, are written to a fresh file in the private
 * runtime directory, with their family made "wild" because the sandbox has a
 * host name of its own (Flatpak does the same). The X server's abstract
 * socket stays out of reach: the sandbox has its own network namespace.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct iso_share {
    unsigned what;
    char display[64];    /* DISPLAY, as given */
    char runtime[64];    /* XDG_RUNTIME_DIR inside */
    char xauth_path[96]; /* the cookie file inside */
    unsigned char *xauth;
    size_t xauth_len;
    int cookies;
    char found[128]; /* what --audio found, for --explain */
};

static const struct {
    unsigned bit;
    const char *opt, *risk;
} risks[] = {
    {ISOLATE_SHARE_X11, "--x11",
     "shares your X display: the command can see every window, read keystrokes and the "
     "clipboard, and type into other windows"},
    {ISOLATE_SHARE_WAYLAND, "--wayland",
     "shares your Wayland compositor: the command can open windows and use whatever the "
     "compositor grants its clients (clipboard, screen capture on some)"},
    {ISOLATE_SHARE_AUDIO, "--audio",
     "shares your sound server: the command can play sound and record from the microphone"},
    {ISOLATE_SHARE_GPU, "--gpu",
     "shares the GPU (/dev/dri): the command reaches a large kernel driver directly, and may "
     "read what other programs leave in GPU memory"},
};

/* Binds host (a path without links) at inside. Returns 1 when host does not
 * exist, so that the caller can say what is missing. */
static int share(struct iso_plan *plan, const char *opt, const char *host, const char *inside,
                 mode_t type, struct isolate_error *e)
{
    struct iso_mount *m;
    struct stat st;
    int fd = iso_openat2(AT_FDCWD, host, O_PATH, 0, ISO_RESOLVE_NOLINKS);

    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return 1;
        if (errno == ELOOP)
            iso_err(e, 0,
                    "%s: %s: a component is a symbolic link; isolate shares only paths "
                    "without links",
                    opt, host);
        else
            iso_err(e, errno, "%s: %s", opt, host);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        iso_err(e, errno, "%s: %s", opt, host);
        goto fail;
    }
    if ((st.st_mode & S_IFMT) != type) {
        iso_err(e, 0, "%s: %s is not a %s", opt, host, type == S_IFSOCK ? "socket" : "directory");
        goto fail;
    }
    if (st.st_uid != getuid() && st.st_uid != 0) {
        iso_err(e, 0,
                "%s: %s belongs to another user (uid %lu); isolate shares only your own "
                "or the system's",
                opt, host, (unsigned long)st.st_uid);
        goto fail;
    }
    if (iso_plan_add_mount(plan, ISO_M_BIND, inside, opt, 0, type == S_IFDIR, 0) < 0) goto oom;
    /* The child reaches host again without following a link, and binds it
     * only if it is still this very object (hostpath.c). */
    m = &plan->mounts[plan->nmounts - 1];
    m->pin = fd;
    if (strcmp(host, inside) && !(m->src = strdup(host))) {
        iso_err(e, 0, "out of memory");
        return -1;
    }
    return 0;
oom:
    iso_err(e, 0, "out of memory");
fail:
    close(fd);
    return -1;
}

/* dir, canonical, and the user's or root's: where the sockets are. */
static int trusted_dir(const char *opt, const char *dir, char *out, struct isolate_error *e)
{
    struct stat st;
    if (!realpath(dir, out) || stat(out, &st) < 0) {
        iso_err(e, errno, "%s: %s", opt, dir);
        return -1;
    }
    if (st.st_uid != getuid() && st.st_uid != 0) {
        iso_err(e, 0,
                "%s: %s belongs to another user; isolate shares only your own sockets or "
                "the system's",
                opt, dir);
        return -1;
    }
    return 0;
}

static int runtime_dir(const char *opt, char *const *env, char *out, struct isolate_error *e)
{
    const char *rt = iso_env_get(env, "XDG_RUNTIME_DIR");
    if (!rt || rt[0] != '/') {
        iso_err(e, 0, "%s: XDG_RUNTIME_DIR is not set, so there is no %s socket to share", opt,
                !strcmp(opt, "--wayland") ? "Wayland" : "sound server");
        return -1;
    }
    return trusted_dir(opt, rt, out, e);
}

/* Reads the entries of the Xauthority file for display number num. */
static int read_xauth(struct iso_share *s, char *const *env, const char *num)
{
    const char *f = iso_env_get(env, "XAUTHORITY"), *home = iso_env_get(env, "HOME");
    char path[PATH_MAX], host[256];
    unsigned char buf[65536];
    size_t len = 0, hlen;
    ssize_t n;
    int fd;

    if (f && *f)
        snprintf(path, sizeof path, "%s", f);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.Xauthority", home);
    else
        return 0;
    if (gethostname(host, sizeof host) < 0) host[0] = '\0';
    host[sizeof host - 1] = '\0';
    hlen = strlen(host);
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return 0;
    while (len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) > 0) len += (size_t)n;
    close(fd);
    if (!(s->xauth = malloc(len ? len : 1))) return -1;
    for (size_t i = 0; i + 2 <= len;) {
        size_t start = i, field[4][2];
        unsigned family = (unsigned)buf[i] << 8 | buf[i + 1];
        int ok = 1;
        i += 2;
        for (int k = 0; k < 4; k++) {
            size_t flen;
            if (i + 2 > len) return 0; /* truncated: keep what came before */
            flen = (size_t)buf[i] << 8 | buf[i + 1];
            field[k][0] = i + 2;
            field[k][1] = flen;
            i += 2 + flen;
            if (i > len) return 0;
        }
        /* FamilyLocal (256) of this host, or FamilyWild (65535); this display. */
        if (family == 256)
            ok = field[0][1] == hlen && !memcmp(buf + field[0][0], host, hlen);
        else if (family != 65535)
            ok = 0;
        if (!ok || field[1][1] != strlen(num) || memcmp(buf + field[1][0], num, field[1][1]))
            continue;
        memcpy(s->xauth + s->xauth_len, buf + start, i - start);
        s->xauth[s->xauth_len] = 0xff; /* FamilyWild: any host name matches */
        s->xauth[s->xauth_len + 1] = 0xff;
        s->xauth_len += i - start;
        s->cookies++;
    }
    return 0;
}

static int plan_x11(struct iso_plan *plan, struct iso_share *s, char *const *env,
                    struct isolate_error *e)
{
    const char *d = iso_env_get(env, "DISPLAY"), *p;
    char num[16], dir[PATH_MAX], host[PATH_MAX + 32], inside[64];
    size_t n;
    int r;

    if (!d || !*d) {
        iso_err(e, 0, "--x11: DISPLAY is not set: there is no X display to share");
        return -1;
    }
    p = !strncmp(d, "unix:", 5) ? d + 4 : d;
    n = p[0] == ':' ? strspn(p + 1, "0123456789") : 0;
    if (n == 0 || n > 6 ||
        (p[1 + n] &&
         (p[1 + n] != '.' || !p[2 + n] || strspn(p + 2 + n, "0123456789") != strlen(p + 2 + n)))) {
        iso_err(e, 0,
                "--x11: DISPLAY=%.60s is not a local display (an X server over the "
                "network, or ssh -X forwarding?); --x11 shares a local display (:N) only",
                d);
        return -1;
    }
    snprintf(num, sizeof num, "%.*s", (int)n, p + 1);
    snprintf(s->display, sizeof s->display, "%s", d);
    if (trusted_dir("--x11", "/tmp/.X11-unix", dir, e) < 0) {
        if (e->errnum == ENOENT)
            iso_err(e, 0,
                    "--x11: no X server socket for DISPLAY=%s (/tmp/.X11-unix does not "
                    "exist)",
                    d);
        return -1;
    }
    snprintf(host, sizeof host, "%s/X%s", dir, num);
    snprintf(inside, sizeof inside, "/tmp/.X11-unix/X%s", num);
    if ((r = share(plan, "--x11", host, inside, S_IFSOCK, e)) < 0) return -1;
    if (r) {
        iso_err(e, 0, "--x11: no X server socket %s for DISPLAY=%s", host, d);
        return -1;
    }
    if (read_xauth(s, env, num) < 0) return iso_err(e, 0, "out of memory"), -1;
    if (iso_plan_setenv(plan, "DISPLAY", d) < 0) return iso_err(e, 0, "out of memory"), -1;
    if (s->cookies) {
        snprintf(s->xauth_path, sizeof s->xauth_path, "%s/Xauthority", s->runtime);
        if (iso_plan_setenv(plan, "XAUTHORITY", s->xauth_path) < 0)
            return iso_err(e, 0, "out of memory"), -1;
    }
    return 0;
}

static int plan_wayland(struct iso_plan *plan, struct iso_share *s, char *const *env,
                        struct isolate_error *e)
{
    const char *w = iso_env_get(env, "WAYLAND_DISPLAY"), *name;
    char rt[PATH_MAX], host[PATH_MAX * 2 + 2], inside[PATH_MAX + 80];
    int r;

    if (!w || !*w) w = "wayland-0"; /* libwayland's default */
    if (w[0] == '/') {
        name = strrchr(w, '/') + 1;
        snprintf(rt, sizeof rt, "%.*s", (int)(name - w - 1), w);
        if (trusted_dir("--wayland", rt[0] ? rt : "/", rt, e) < 0) return -1;
    } else {
        name = w;
        if (runtime_dir("--wayland", env, rt, e) < 0) return -1;
    }
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
        iso_err(e, 0, "--wayland: WAYLAND_DISPLAY=%.60s is not a socket name", w);
        return -1;
    }
    snprintf(host, sizeof host, "%s/%s", rt, name);
    snprintf(inside, sizeof inside, "%s/%s", s->runtime, name);
    if ((r = share(plan, "--wayland", host, inside, S_IFSOCK, e)) < 0) return -1;
    if (r) {
        iso_err(e, 0, "--wayland: no Wayland socket at %s (WAYLAND_DISPLAY=%s)", host, w);
        return -1;
    }
    if (iso_plan_setenv(plan, "WAYLAND_DISPLAY", name) < 0 ||
        iso_plan_setenv(plan, "XDG_RUNTIME_DIR", s->runtime) < 0)
        return iso_err(e, 0, "out of memory"), -1;
    return 0;
}

static int plan_audio(struct iso_plan *plan, struct iso_share *s, char *const *env,
                      struct isolate_error *e)
{
    const char *ps = iso_env_get(env, "PULSE_SERVER");
    char rt[PATH_MAX], host[PATH_MAX + 16], inside[PATH_MAX];
    int pulse, pipewire;

    if (runtime_dir("--audio", env, rt, e) < 0) return -1;
    /* PULSE_SERVER=unix:PATH names the socket; otherwise the usual place. */
    if (ps && !strncmp(ps, "unix:/", 6))
        snprintf(host, sizeof host, "%s", ps + 5);
    else
        snprintf(host, sizeof host, "%s/pulse/native", rt);
    snprintf(inside, sizeof inside, "%s/pulse/native", s->runtime);
    if ((pulse = share(plan, "--audio", host, inside, S_IFSOCK, e)) < 0) return -1;
    snprintf(host, sizeof host, "%s/pipewire-0", rt);
    snprintf(inside, sizeof inside, "%s/pipewire-0", s->runtime);
    if ((pipewire = share(plan, "--audio", host, inside, S_IFSOCK, e)) < 0) return -1;
    if (pulse && pipewire) {
        iso_err(e, 0,
                "--audio: no PulseAudio or PipeWire socket in %s (looked for pulse/native "
                "and pipewire-0)",
                rt);
        return -1;
    }
    snprintf(s->found, sizeof s->found, "%s%s%s", pulse ? "" : "PulseAudio",
             !pulse && !pipewire ? " and " : "", pipewire ? "" : "PipeWire");
    snprintf(inside, sizeof inside, "unix:%s/pulse/native", s->runtime);
    if (iso_plan_setenv(plan, "XDG_RUNTIME_DIR", s->runtime) < 0 ||
        (!pulse && iso_plan_setenv(plan, "PULSE_SERVER", inside) < 0))
        return iso_err(e, 0, "out of memory"), -1;
    return 0;
}

int iso_share_plan(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, struct isolate_error *err)
{
    struct iso_share *s;
    int r;

    if (!p->share) return 0;
    if (!(s = calloc(1, sizeof *s))) return iso_err(err, 0, "out of memory"), -1;
    plan->share = s;
    s->what = p->share;
    snprintf(s->runtime, sizeof s->runtime, "/run/user/%lu", (unsigned long)plan->uid);
    if ((s->what & ~ISOLATE_SHARE_GPU) && access("/run", F_OK) < 0) {
        iso_err(err, errno,
                "the desktop sockets go to /run/user inside, and this machine has no "
                "/run");
        return -1;
    }
    if ((s->what & ISOLATE_SHARE_X11) && plan_x11(plan, s, c->environ, err) < 0) return -1;
    if ((s->what & ISOLATE_SHARE_WAYLAND) && plan_wayland(plan, s, c->environ, err) < 0) return -1;
    if ((s->what & ISOLATE_SHARE_AUDIO) && plan_audio(plan, s, c->environ, err) < 0) return -1;
    if (s->what & ISOLATE_SHARE_GPU) {
        if ((r = share(plan, "--gpu", "/dev/dri", "/dev/dri", S_IFDIR, err)) < 0) return -1;
        if (r) {
            iso_err(err, 0,
                    "--gpu: /dev/dri does not exist: this machine has no GPU device nodes "
                    "to share");
            return -1;
        }
    }
    return 0;
}

void iso_share_warn(const struct iso_plan *plan)
{
    if (!plan->share || plan->quiet) return;
    for (size_t i = 0; i < sizeof risks / sizeof *risks; i++)
        if (plan->share->what & risks[i].bit)
            iso_say("warning: %s %s", risks[i].opt, risks[i].risk);
}

void iso_share_describe(const struct iso_plan *plan, FILE *out)
{
    const struct iso_share *s = plan->share;
    if (!s) return;
    fprintf(out, "  shared with the host, weakening the isolation:\n");
    for (size_t i = 0; i < sizeof risks / sizeof *risks; i++) {
        if (!(s->what & risks[i].bit)) continue;
        fprintf(out, "    %-10s %s\n", risks[i].opt, risks[i].risk);
        if (risks[i].bit == ISOLATE_SHARE_X11)
            fprintf(out, "               DISPLAY=%s, %d cookie%s of that display\n", s->display,
                    s->cookies, s->cookies == 1 ? "" : "s");
        if (risks[i].bit == ISOLATE_SHARE_AUDIO) fprintf(out, "               %s\n", s->found);
    }
}

/* Child: the private runtime directory and the cookie file, in the sandbox's
 * fresh /run (nothing untrusted has run yet, so paths there are safe). */
int iso_share_setup(const struct iso_plan *plan, struct isolate_error *e)
{
    const struct iso_share *s = plan->share;
    size_t done = 0;
    int fd;

    if (!s || !(s->what & ~ISOLATE_SHARE_GPU)) return 0;
    if ((mkdir("/run/user", 0755) < 0 && errno != EEXIST) ||
        (mkdir(s->runtime, 0700) < 0 && errno != EEXIST) || chmod(s->runtime, 0700) < 0) {
        iso_err(e, errno, "cannot make %s inside the sandbox", s->runtime);
        return -1;
    }
    if (!s->xauth_len) return 0;
    fd = open(s->xauth_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    while (fd >= 0 && done < s->xauth_len) {
        ssize_t n = write(fd, s->xauth + done, s->xauth_len - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
    if (fd < 0 || done < s->xauth_len) {
        iso_err(e, errno, "cannot write %s inside the sandbox", s->xauth_path);
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

void iso_share_free(struct iso_plan *plan)
{
    if (!plan->share) return;
    free(plan->share->xauth);
    free(plan->share);
    plan->share = NULL;
}
