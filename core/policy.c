/*
 * policy.c - defaults, validation, and the plan: the policy resolved against
 * this machine (home, current directory, user paths, helper, environment).
 *
 * Runs in the caller's process before anything is created, so every bad input
 * is reported here with nothing executed or changed. The plan is what the
 * sandbox-building child consumes without allocating, and what --explain reads
 * to describe the sandbox in plain words.
 */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ISOLATE_LIBEXECDIR
#define ISOLATE_LIBEXECDIR "/usr/local/libexec/isolate"
#endif

/* Directories replaced by private, empty, writable tmpfs: where agent, D-Bus,
 * X11, Wayland and daemon sockets live, and where other users' files meet. */
const char *const iso_private_dirs[] = {"/tmp", "/var/tmp", "/run", NULL};

static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (!strcmp(dir, "/")) return 1;
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static int depth(const char *path)
{
    int d = 0;
    if (!strcmp(path, "/")) return 0;
    for (; *path; path++) d += *path == '/';
    return d;
}

static const char *env_get(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (char *const *e = env; e && *e; e++)
        if (!strncmp(*e, name, len) && (*e)[len] == '=') return *e + len + 1;
    return NULL;
}

/* Inside one of the directories every sandbox makes private (/tmp, ...). */
static int private_dir(const char *path)
{
    for (const char *const *d = iso_private_dirs; *d; d++)
        if (is_under(path, *d)) return 1;
    return 0;
}

static int add_mount(struct iso_plan *plan, enum iso_mount_kind kind, const char *path,
                     const char *label, int writable, int is_dir, unsigned mode)
{
    struct iso_mount *m = realloc(plan->mounts, (plan->nmounts + 1) * sizeof *m);
    if (!m) return -1;
    plan->mounts = m;
    m += plan->nmounts;
    memset(m, 0, sizeof *m);
    m->path = strdup(path);
    if (!m->path) return -1;
    m->kind = kind;
    m->label = label;
    m->writable = writable;
    m->is_dir = is_dir;
    m->mode = mode;
    m->clone_fd = m->at_fd = -1;
    m->pin = -1;
    m->order = plan->nmounts;
    plan->nmounts++;
    return 0;
}

int iso_plan_add_mount(struct iso_plan *plan, enum iso_mount_kind kind, const char *path,
                       const char *label, int writable, int is_dir, unsigned mode)
{
    return add_mount(plan, kind, path, label, writable, is_dir, mode);
}

/* NAME=VALUE for the command, before the user's --env (which wins). */
int iso_plan_setenv(struct iso_plan *plan, const char *name, const char *value)
{
    char **v = realloc(plan->more_env, (plan->nmore_env + 2) * sizeof *v);
    size_t len = strlen(name) + strlen(value) + 2;
    if (!v) return -1;
    plan->more_env = v;
    if (!(v[plan->nmore_env] = malloc(len))) return -1;
    snprintf(v[plan->nmore_env], len, "%s=%s", name, value);
    v[++plan->nmore_env] = NULL;
    return 0;
}

/* A private area is a tmpfs of the plan, or a box's home: targets inside it
 * need a mountpoint. */
static const struct iso_mount *private_area_of(const struct iso_plan *plan, const char *path)
{
    const struct iso_mount *best = NULL;
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if ((m->kind == ISO_M_TMPFS || m->persistent) && is_under(path, m->path) &&
            (!best || strlen(m->path) > strlen(best->path)))
            best = m;
    }
    return best;
}

static int cmp_depth(const void *a, const void *b)
{
    const struct iso_mount *x = a, *y = b;
    int dx = depth(x->path), dy = depth(y->path);
    if (dx != dy) return dx - dy;
    /* Equal depth: keep plan order (tmpfs defaults, user paths, cwd); qsort
     * itself need not be stable. */
    return (x->order > y->order) - (x->order < y->order);
}

/* The home is $HOME, or the passwd entry's when $HOME is unset. The passwd
 * home is where ~/.ssh and the rest live whatever $HOME says, so when $HOME
 * points elsewhere it is made private as well (*login_home). */
/* A home that does not exist is not made private (there is nothing to hide);
 * one that cannot be resolved safely stops the run: it would stay visible. */
static int resolve_dir(const char *path, const char *what, struct iso_resolved *r,
                       struct isolate_error *err)
{
    if (iso_resolve(NULL, path, ISO_RESOLVE_FOLLOW, r, what, err) == 0) {
        if (strcmp(r->path, "/")) return 1;
        close(r->fd); /* "/" cannot be covered: it holds everything */
        r->fd = -1;
        return 0;
    }
    return err->errnum == ENOENT || err->errnum == ENOTDIR || err->errnum == EACCES ? 0 : -1;
}

static int resolve_home(struct iso_plan *plan, const struct isolate_caller *c, const char **envhome,
                        struct iso_resolved *home, struct iso_resolved *login,
                        struct isolate_error *err)
{
    const char *h = env_get(c->environ, "HOME");
    const char *pwdir = NULL;
    struct passwd pw, *res = NULL;
    char pwbuf[4096];
    int found;

    home->fd = login->fd = -1;
    if (getpwuid_r(plan->uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res) pwdir = res->pw_dir;
    if (!h || !*h) h = pwdir;
    *envhome = h;
    if (h && (found = resolve_dir(h, "HOME", home, err)) != 0) {
        if (found < 0) return -1;
        if (!(plan->home = strdup(home->path))) return -1;
    }
    /* The same path as $HOME resolves the same way: nothing more to cover. */
    if (pwdir && (!h || strcmp(pwdir, h)) &&
        (found = resolve_dir(pwdir, "the login home", login, err)) != 0) {
        if (found < 0) return -1;
        if (plan->home && is_under(login->path, plan->home)) {
            close(login->fd);
            login->fd = -1;
        }
    }
    return 0;
}

/* The mount just added stands for the object fd pins (resolve.c). */
static void pin_last(struct iso_plan *plan, int *fd)
{
    plan->mounts[plan->nmounts - 1].pin = *fd;
    *fd = -1;
}

/* The absolute path the user wrote, with ., .. and // resolved lexically
 * (symlinks kept): where they expect to find it inside. */
static int lexical_path(const char *cwd, const char *arg, char *out, size_t size)
{
    char joined[PATH_MAX * 2];
    size_t n = 0;
    char *save = NULL, *tok;

    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", arg[0] == '/' ? "" : cwd, arg) >=
        sizeof joined)
        return -1;
    for (tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, ".")) continue;
        if (!strcmp(tok, "..")) {
            while (n > 0 && out[n - 1] != '/') n--;
            if (n > 0) n--;
            continue;
        }
        if (n + 1 + strlen(tok) + 1 > size) return -1;
        out[n++] = '/';
        memcpy(out + n, tok, strlen(tok));
        n += strlen(tok);
    }
    if (n == 0) out[n++] = '/';
    out[n] = '\0';
    return 0;
}

static const char *kind_option(enum isolate_path_kind k)
{
    return k == ISOLATE_PATH_WRITE ? "--write" : k == ISOLATE_PATH_RO ? "--ro" : "--hide";
}

static int add_user_paths(struct iso_plan *plan, const struct isolate_policy *p,
                          struct isolate_error *err)
{
    for (size_t i = 0; i < p->npaths; i++) {
        const struct isolate_path *up = &p->paths[i];
        const char *opt = kind_option(up->kind);
        char lex[PATH_MAX];
        struct iso_resolved r;
        const char *buf = r.path;
        struct stat st;

        if (up->kind == ISOLATE_PATH_OVERLAY) continue; /* overlay.c */
        if (iso_resolve(plan->cwd_host, up->arg, ISO_RESOLVE_FOLLOW, &r, opt, err) < 0) return -1;
        st = r.st;
        if (!strcmp(buf, "/")) {
            iso_err(err, 0,
                    "%s %s: the root directory cannot be shared this way; name the "
                    "directories the command needs",
                    opt, up->arg);
            close(r.fd);
            return -1;
        }
        if (is_under(buf, "/proc")) {
            iso_err(err, 0, "%s %s: paths under /proc cannot be shared", opt, up->arg);
            close(r.fd);
            return -1;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && up->kind == ISOLATE_PATH_HIDE) {
            iso_err(err, 0, "%s %s: only files and directories can be hidden", opt, up->arg);
            close(r.fd);
            return -1;
        }
        if (add_mount(plan, up->kind == ISOLATE_PATH_HIDE ? ISO_M_HIDE : ISO_M_BIND, buf, opt,
                      up->kind == ISOLATE_PATH_WRITE, S_ISDIR(st.st_mode), 0) < 0) {
            close(r.fd);
            goto oom;
        }
        pin_last(plan, &r.fd);
        /* Named through a symlink: keep that name working inside too. */
        if (up->kind != ISOLATE_PATH_HIDE &&
            lexical_path(plan->cwd_host, up->arg, lex, sizeof lex) == 0 && strcmp(lex, buf)) {
            if (add_mount(plan, ISO_M_LINK, lex, "symlink", 0, 0, 0) < 0 ||
                !(plan->mounts[plan->nmounts - 1].link_to = strdup(buf)))
                goto oom;
        }
    }
    return 0;
oom:
    iso_err(err, 0, "out of memory");
    return -1;
}

/* Where the command starts, and whether the current directory must be bound. */
static int place_cwd(struct iso_plan *plan, struct isolate_error *err)
{
    const char *cwd = plan->cwd_host, *start_home = plan->home ? plan->home : "/";
    const struct iso_mount *area;

    if (cwd[0] != '/') {
        plan->cwd_note = "no longer exists";
        goto not_exposed;
    }
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if (((m->kind == ISO_M_BIND && !m->persistent && !m->source) || m->kind == ISO_M_OVERLAY) &&
            is_under(cwd, m->path))
            goto visible;
    }
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if (m->kind == ISO_M_HIDE && is_under(cwd, m->path)) {
            plan->cwd_note = "is hidden by --hide";
            goto not_exposed;
        }
    }
    if (plan->home && !strcmp(cwd, plan->home)) {
        /* In a box, its home is where the user expects to start. */
        plan->cwd_note = plan->box ? NULL : "is your home directory";
        goto not_exposed;
    }
    if (plan->ov.home == ISO_HOME_PATH && is_under(cwd, plan->home)) {
        plan->cwd_note = "is in your home, which --home replaces";
        goto not_exposed;
    }
    if (!strcmp(cwd, "/")) {
        plan->cwd_note = "is the root directory";
        goto not_exposed;
    }
    if (plan->home && is_under(plan->home, cwd)) {
        plan->cwd_note = "contains your home directory";
        goto not_exposed;
    }
    if (is_under(cwd, "/proc") || (is_under(cwd, "/dev") && !is_under(cwd, "/dev/shm"))) {
        plan->cwd_note = "is a kernel file system that the sandbox replaces";
        goto not_exposed;
    }
    for (size_t i = 0; i < plan->nmounts; i++)
        if (plan->mounts[i].kind == ISO_M_TMPFS && !strcmp(plan->mounts[i].path, cwd)) {
            plan->cwd_note = "is replaced by a private, empty directory";
            goto visible;
        }
    area = private_area_of(plan, cwd);
    if (area || is_under(cwd, "/dev/shm")) {
        if (add_mount(plan, ISO_M_BIND, cwd, "current directory", 0, 1, 0) < 0) {
            iso_err(err, 0, "out of memory");
            return -1;
        }
        /* The directory the caller is in, whatever its path says meanwhile. */
        plan->mounts[plan->nmounts - 1].pin = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
visible:
    plan->cwd_inside = strdup(cwd);
    return plan->cwd_inside ? 0 : -1;
not_exposed:
    plan->cwd_inside = strdup(start_home);
    return plan->cwd_inside ? 0 : -1;
}

int iso_find_helper(struct isolate_error *err)
{
    char self[PATH_MAX], path[PATH_MAX + 64];
    const char *dir_of = NULL;
    Dl_info info;
    ssize_t n;
    char *slash;
    int fd;

    if (dladdr((void *)iso_find_helper, &info) && info.dli_fname && strchr(info.dli_fname, '/') &&
        realpath(info.dli_fname, self))
        dir_of = self;
    else if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
        self[n] = 0;
        dir_of = self;
    }
    if (dir_of && (slash = strrchr(self, '/'))) {
        *slash = 0;
        snprintf(path, sizeof path, "%s/../libexec/isolate-init", self);
        if ((fd = open(path, O_PATH | O_CLOEXEC)) >= 0) return fd;
    }
    snprintf(path, sizeof path, "%s/isolate-init", ISOLATE_LIBEXECDIR);
    if ((fd = open(path, O_PATH | O_CLOEXEC)) >= 0) return fd;
    iso_err(err, errno, "cannot find the isolate-init helper (looked next to %s and in %s)",
            dir_of ? self : "the program", ISOLATE_LIBEXECDIR);
    iso_err_hint(err, "reinstall isolate, or run 'make' in its source tree");
    return -1;
}

static int check_keep_fds(struct iso_plan *plan, const struct isolate_policy *p,
                          struct isolate_error *err)
{
    plan->keep_fds = p->keep_fds;
    plan->nkeep_fds = p->nkeep_fds;
    for (size_t i = 0; i < p->nkeep_fds; i++)
        if (fcntl(p->keep_fds[i], F_GETFD) < 0) {
            iso_err(err, errno, "--keep-fd %d", p->keep_fds[i]);
            return -1;
        }
    return 0;
}

static char **new_argv(size_t max)
{
    return calloc(max, sizeof(char *));
}

static int push(char **v, size_t *n, const char *s)
{
    if (!(v[*n] = strdup(s))) return -1;
    (*n)++;
    return 0;
}

int iso_argv_push(char **v, size_t *n, const char *s)
{
    return push(v, n, s);
}

/* What the supervisor's watchdog and reports need to know of the limits. */
static int push_limits(const struct iso_plan *plan, char **v, size_t *n)
{
    const struct isolate_limits *l = &plan->limits.v;
    char num[48];

#define PUSH_NUM(opt, fmt, val)                                                                    \
    do {                                                                                           \
        snprintf(num, sizeof num, fmt, val);                                                       \
        if (push(v, n, opt) || push(v, n, num)) return -1;                                         \
    } while (0)
    if (l->time_s) PUSH_NUM("--time", "%.6f", l->time_s);
    if (l->wall_s) PUSH_NUM("--wall", "%.6f", l->wall_s);
    if (l->mem) PUSH_NUM("--mem", "%llu", l->mem);
    if (l->pids) PUSH_NUM("--pids", "%ld", l->pids);
    if (l->fsize) PUSH_NUM("--fsize", "%llu", l->fsize);
    if (l->nofile) PUSH_NUM("--nofile", "%ld", l->nofile);
    if (l->tmp_size) PUSH_NUM("--tmp-size", "%llu", l->tmp_size);
    PUSH_NUM("--defaults", "%u", plan->limits.deflt);
    if (plan->report_fd >= 0) PUSH_NUM("--report-fd", "%d", ISO_FD_REPORT(plan));
    if (plan->meta_fd >= 0) PUSH_NUM("--meta-fd", "%d", ISO_FD_META(plan));
    if (plan->cg_dir >= 0) {
        PUSH_NUM("--cgroup-fd", "%d", ISO_FD_CGROUP(plan));
        PUSH_NUM("--cgroup-root-fd", "%d", ISO_FD_CGROOT(plan));
        PUSH_NUM("--cgroup-enforces", "%u", plan->limits.by_cgroup);
        if (push(v, n, "--cgroup-name") || push(v, n, plan->cg_name)) return -1;
    }
#undef PUSH_NUM
    /* A private directory of the shared tmpfs, to see how full it is. */
    for (size_t i = 0; i < plan->nmounts; i++)
        if (plan->mounts[i].kind == ISO_M_TMPFS)
            return push(v, n, "--tmp-path") || push(v, n, plan->mounts[i].path) ? -1 : 0;
    return 0;
}

static int open_report(const char *path, const char *opt, int *fd, struct isolate_error *err)
{
    *fd = -1;
    if (!path) return 0;
    *fd = iso_open_output(path, opt, err);
    return *fd < 0 ? -1 : 0;
}

/* isolate-init's private command lines: the supervisor's and PID 1's. */
/* Signals ignored for the command to inherit, as a mask of bits 1..64. */
static unsigned long long ignored_mask(const sigset_t *set)
{
    unsigned long long m = 0;
    for (int sig = 1; sig < 65 && sig < NSIG; sig++)
        if (sigismember(set, sig) == 1) m |= 1ULL << (sig - 1);
    return m;
}

static int build_helper_argv(struct iso_plan *plan, const struct isolate_policy *p,
                             const struct isolate_caller *c, struct isolate_error *err)
{
    size_t n = 0;
    char num[32];
    char **v = new_argv(96 + (size_t)p->argc);

    plan->helper_argv = v;
    if (!v) goto oom;
    snprintf(num, sizeof num, "%ld", (long)plan->parent_pid);
    if (push(v, &n, "isolate-init") || push(v, &n, "--supervise") || push(v, &n, "--parent") ||
        push(v, &n, num))
        goto oom;
    snprintf(num, sizeof num, "%d", plan->fd_base);
    if (push(v, &n, "--fd-base") || push(v, &n, num)) goto oom;
    if (plan->fg) {
        snprintf(num, sizeof num, "%d", ISO_FD_CTTY(plan));
        if (push(v, &n, "--ctty") || push(v, &n, num) || push(v, &n, "--fg")) goto oom;
    }
    if (plan->verbose && push(v, &n, "--verbose")) goto oom;
    if (plan->quiet && push(v, &n, "--quiet")) goto oom;
    if (push_limits(plan, v, &n) < 0 || iso_overlay_push_args(plan, v, &n) < 0) goto oom;
    if (push(v, &n, "--cwd") || push(v, &n, plan->cwd_inside)) goto oom;
    if (plan->ns_pid > 0) {
        snprintf(num, sizeof num, "%ld", (long)plan->ns_pid);
        if (push(v, &n, "--ns-pid") || push(v, &n, num)) goto oom;
    }
    if (iso_box_helper_args(plan, p, c, v, &n) < 0) goto oom;
    if (iso_netmode_args(plan, v, &n) < 0) goto oom;
    snprintf(num, sizeof num, "%llx", ignored_mask(&plan->keep_ignored));
    if (push(v, &n, "--keep-ignored") || push(v, &n, num) || push(v, &n, "--")) goto oom;
    if (p->command && (push(v, &n, c->shell && *c->shell ? c->shell : "/bin/sh") ||
                       push(v, &n, "-c") || push(v, &n, p->command)))
        goto oom;
    for (int i = 0; i < p->argc; i++)
        if (push(v, &n, p->argv[i])) goto oom;
    /* A box without a command: the caller's shell, interactive on a terminal. */
    if (!p->command && !p->argc && push(v, &n, c->shell && *c->shell ? c->shell : "/bin/sh"))
        goto oom;
    return 0;
oom:
    iso_err(err, 0, "out of memory");
    return -1;
}

static void decide_terminal(struct iso_plan *plan, const struct isolate_caller *c)
{
    plan->tty_src = -1;
    if (!c->may_take_terminal) return;
    plan->tty_src = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (plan->tty_src < 0) return;
    if (tcgetpgrp(plan->tty_src) != getpgrp()) {
        close(plan->tty_src);
        plan->tty_src = -1;
        return;
    }
    plan->fg = 1;
}

int iso_plan_build(struct iso_plan *plan, const struct isolate_policy *p,
                   const struct isolate_caller *c, struct isolate_error *err)
{
    const char *envhome = NULL;
    char buf[PATH_MAX];
    struct iso_resolved home = {.fd = -1}, login = {.fd = -1};

    memset(plan, 0, sizeof *plan);
    plan->helper_fd = -1;
    plan->tty_src = -1;
    plan->report_fd = plan->meta_fd = -1;
    plan->cg_dir = plan->cg_root = -1;
    plan->pin_fd = plan->box_fd = plan->box_root_fd = -1;
    plan->ns_pidfd = plan->ns_sock = -1;
    iso_overlay_init(plan);
    iso_limits_defaults(&plan->limits, &p->limits);
    plan->uid = getuid();
    plan->gid = getgid();
    plan->verbose = p->verbose;
    plan->quiet = p->quiet;

    err->msg[0] = '\0';
    if (resolve_home(plan, c, &envhome, &home, &login, err) < 0) {
        if (!err->msg[0]) iso_err(err, 0, "out of memory");
        goto fail;
    }
    /* A directory removed under the shell has no path: start in the home. */
    if (!getcwd(buf, sizeof buf)) snprintf(buf, sizeof buf, "%s", "(deleted)");
    if (!(plan->cwd_host = strdup(buf))) goto oom;

    if (home.fd >= 0) {
        if (add_mount(plan, ISO_M_TMPFS, plan->home, "private home", 1, 1, 0700) < 0) goto oom;
        pin_last(plan, &home.fd);
    }
    if (login.fd >= 0 && !private_dir(login.path)) {
        if (add_mount(plan, ISO_M_TMPFS, login.path, "private login home", 1, 1, 0700) < 0)
            goto oom;
        pin_last(plan, &login.fd);
    }
    for (const char *const *d = iso_private_dirs; *d; d++) {
        struct iso_resolved r;
        if (plan->home && !strcmp(plan->home, *d)) continue;
        /* Only a real directory: a symlink there is not made private. */
        if (iso_resolve(NULL, *d, 0, &r, "private", err) < 0 || !S_ISDIR(r.st.st_mode)) {
            if (r.fd >= 0) close(r.fd);
            continue;
        }
        if (add_mount(plan, ISO_M_TMPFS, *d, "private", 1, 1, !strcmp(*d, "/run") ? 0755 : 01777) <
            0) {
            close(r.fd);
            goto oom;
        }
        pin_last(plan, &r.fd);
    }
    if (iso_box_plan(plan, p, c, err) < 0 || iso_share_plan(plan, p, c, err) < 0) goto fail;
    if (add_user_paths(plan, p, err) < 0) goto fail;
    if (iso_overlay_plan(plan, p, c, err) < 0) goto fail;
    if (place_cwd(plan, err) < 0) goto fail;
    qsort(plan->mounts, plan->nmounts, sizeof *plan->mounts, cmp_depth);
    for (size_t i = 0; i < plan->nmounts; i++) {
        struct iso_mount *m = &plan->mounts[i];
        /* Any tmpfs strictly above the target, not only the innermost area: a
         * home under /tmp is itself a tmpfs, but its mountpoint must still be
         * made in the private /tmp mounted before it. */
        m->under_private = is_under(m->path, "/dev");
        for (size_t j = 0; j < plan->nmounts; j++)
            if (plan->mounts[j].kind == ISO_M_TMPFS && strcmp(plan->mounts[j].path, m->path) &&
                is_under(m->path, plan->mounts[j].path))
                m->under_private = 1;
        /* ... but not inside an overlay or a --home directory: creating a
         * mountpoint there would write to it (and copy a hidden file up). */
        for (size_t j = 0; j < plan->nmounts; j++)
            if ((plan->mounts[j].kind == ISO_M_OVERLAY || plan->mounts[j].source) &&
                strcmp(plan->mounts[j].path, m->path) && is_under(m->path, plan->mounts[j].path))
                m->under_private = 0;
        if (m->persistent) plan->box_mount = i;
    }
    /* Mount points inside a box's home are made without following any link
     * there (mounts.c), unless a fresh tmpfs lies between. */
    for (size_t i = 0; plan->box && i < plan->nmounts; i++) {
        const struct iso_mount *inner = NULL;
        for (size_t j = 0; j < plan->nmounts; j++) {
            const struct iso_mount *a = &plan->mounts[j];
            if (j != i && strcmp(a->path, plan->mounts[i].path) &&
                is_under(plan->mounts[i].path, a->path) && a->kind != ISO_M_LINK &&
                (!inner || strlen(a->path) > strlen(inner->path)))
                inner = a;
        }
        plan->mounts[i].in_box = inner && inner->persistent;
    }
    if (check_keep_fds(plan, p, err) < 0) goto fail;
    if (iso_netmode_plan(plan, p, c, err) < 0) goto fail;
    {
        /* isolate's own variables (a box's, a shared display's), then --env. */
        size_t nx = plan->nmore_env + p->nenv;
        const char **x = calloc(nx + 1, sizeof *x);
        if (!x) goto oom;
        for (size_t i = 0; i < plan->nmore_env; i++) x[i] = plan->more_env[i];
        for (size_t i = 0; i < p->nenv; i++) x[plan->nmore_env + i] = p->env[i];
        plan->envp = iso_env_build(c->environ, envhome, x, nx, err);
        free(x);
        if (!plan->envp) goto fail;
    }
    return 0;
oom:
    iso_err(err, 0, "out of memory");
fail:
    if (home.fd >= 0) close(home.fd);
    if (login.fd >= 0) close(login.fd);
    iso_plan_free(plan);
    return -1;
}

/* The parts of the plan needed only to run (not to explain). */
int iso_plan_prepare_run(struct iso_plan *plan, const struct isolate_policy *p,
                         const struct isolate_caller *c, struct isolate_error *err)
{
    plan->fd_base = 3;
    for (size_t i = 0; i < plan->nkeep_fds; i++)
        if (plan->keep_fds[i] >= plan->fd_base) plan->fd_base = plan->keep_fds[i] + 1;
    plan->new_pgrp = c->new_pgrp;
    plan->keep_ignored = c->keep_ignored;
    if (open_report(p->report_path, "--report", &plan->report_fd, err) < 0 ||
        open_report(p->meta_path, "--meta", &plan->meta_fd, err) < 0)
        return -1;
    if (iso_box_prepare(plan, p, err) < 0) return -1;
    if (iso_overlay_prepare_run(plan, p, c, err) < 0) return -1;
    iso_cgroup_prepare(plan);
    decide_terminal(plan, c);
    return build_helper_argv(plan, p, c, err);
}

void iso_plan_free(struct iso_plan *plan)
{
    iso_netmode_free(plan);
    for (size_t i = 0; i < plan->nmounts; i++) {
        free(plan->mounts[i].path);
        free(plan->mounts[i].link_to);
        free(plan->mounts[i].src);
        free(plan->mounts[i].source);
        if (plan->mounts[i].pin >= 0) close(plan->mounts[i].pin);
    }
    iso_box_free(plan);
    iso_share_free(plan);
    iso_strv_free(plan->more_env);
    free(plan->mounts);
    free(plan->home);
    free(plan->cwd_host);
    free(plan->cwd_inside);
    iso_strv_free(plan->helper_argv);
    iso_strv_free(plan->envp);
    if (plan->helper_fd >= 0) close(plan->helper_fd);
    if (plan->tty_src >= 0) close(plan->tty_src);
    if (plan->report_fd >= 0) close(plan->report_fd);
    if (plan->meta_fd >= 0) close(plan->meta_fd);
    if (plan->cg_dir >= 0) close(plan->cg_dir);
    if (plan->cg_root >= 0) close(plan->cg_root);
    if (plan->ns_pidfd >= 0) close(plan->ns_pidfd);
    if (plan->ns_sock >= 0) close(plan->ns_sock);
    iso_overlay_free(plan);
    memset(plan, 0, sizeof *plan);
    plan->helper_fd = plan->tty_src = plan->report_fd = plan->meta_fd = -1;
    plan->cg_dir = plan->cg_root = -1;
    plan->pin_fd = plan->box_fd = plan->box_root_fd = -1;
    plan->ns_pidfd = plan->ns_sock = -1;
    iso_overlay_init(plan);
}
