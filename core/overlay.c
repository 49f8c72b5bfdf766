/*
 * overlay.c - --overlay and --home: overlayfs over host directories, so that
 * the command may write there while the host stays untouched until the user
 * has reviewed the writes and commits them (diff.c, commit.c).
 *
 * Runs in the caller's process to plan (every bad path is reported here, with
 * nothing created), then to create the run that will keep the writes
 * (state.c); and in the sandbox-building child, in the new user and mount
 * namespaces, to create each overlay: rootless overlayfs, "userxattr" (the
 * user.overlay.* xattrs an unprivileged mounter may write), layers given as
 * descriptors (fsconfig FSCONFIG_SET_FD, Linux 6.13) rather than paths.
 *
 * The overlay is created before the host tree is made read-only (mounts.c):
 * overlayfs takes a private clone of the upper layer's mount at creation, and
 * that clone must still be writable. The layers must be mounts of the
 * child's own namespace, so the child opens them again by path, with
 * RESOLVE_NO_SYMLINKS, and checks that they are the very directories (device
 * and inode) the caller planned with: a directory swapped for a symlink or
 * another directory in between is refused, never followed.
 *
 * --home=overlay lays the real home under an overlay with the secrets hidden
 * (empty and read-only, as --hide does); --home=PATH binds a directory of the
 * user's, writable, as the home. isolate's own state directory is hidden
 * whenever the sandbox could otherwise see it: the runs of other sandboxes
 * are not its business, and it must not plant anything there.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Hidden in --home=overlay: keys, tokens, credentials, browser profiles,
 * keyrings and histories (a history holds the passwords typed by mistake). */
const char *const iso_home_secrets[] = {
    ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".config/gh", ".config/hub", ".netrc",
    ".git-credentials", ".config/git/credentials", ".docker", ".kube", ".password-store", ".pgpass",
    ".npmrc", ".pypirc", ".cargo/credentials", ".cargo/credentials.toml", ".vault-token",
    ".terraform.d",
    /* browser and mail profiles */
    ".mozilla", ".librewolf", ".waterfox", ".thunderbird", ".config/google-chrome",
    ".config/chromium", ".config/BraveSoftware", ".config/microsoft-edge", ".config/vivaldi",
    ".config/opera", ".var/app",
    /* keyrings and wallets */
    ".local/share/keyrings", ".local/share/kwalletd", ".kde/share/apps/kwallet",
    /* histories */
    ".bash_history", ".zsh_history", ".zhistory", ".histfile", ".local/share/fish/fish_history",
    ".python_history", ".node_repl_history", ".psql_history", ".mysql_history", ".sqlite_history",
    ".lesshst", ".viminfo", NULL};

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (!strcmp(dir, "/")) return 1;
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

void iso_overlay_init(struct iso_plan *plan)
{
    memset(&plan->ov, 0, sizeof plan->ov);
    plan->ov.run_fd = plan->ov.runs_fd = -1;
    for (size_t i = 0; i < ISO_OV_MAX; i++) plan->ov.l[i].host_fd = -1;
}

static int add_layer(struct iso_plan *plan, const char *host, int is_home, const char *label,
                     struct isolate_error *err)
{
    struct iso_ov *ov = &plan->ov;
    if (ov->n == ISO_OV_MAX) {
        iso_err(err, 0, "at most %d overlays per run", ISO_OV_MAX);
        return -1;
    }
    if (!(ov->l[ov->n].host = strdup(host)) ||
        (!is_home && iso_plan_add_mount(plan, ISO_M_OVERLAY, host, label, 1, 1, 0) < 0)) {
        iso_err(err, 0, "out of memory");
        return -1;
    }
    ov->l[ov->n].is_home = is_home;
    if (!is_home) plan->mounts[plan->nmounts - 1].layer = (int)ov->n;
    return (int)ov->n++;
}

/* Hides what exists of a path (through symlinks: what they lead to). */
static int hide(struct iso_plan *plan, const char *path, const char *label)
{
    char real[PATH_MAX];
    struct stat st;

    if (!realpath(path, real) || stat(real, &st) < 0) return 0;
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return 0;
    return iso_plan_add_mount(plan, ISO_M_HIDE, real, label, 0, S_ISDIR(st.st_mode), 0);
}

static int plan_home(struct iso_plan *plan, const struct isolate_policy *p, const char *state,
                     struct isolate_error *err)
{
    struct iso_ov *ov = &plan->ov;
    struct iso_mount *m = NULL;
    char real[PATH_MAX], path[PATH_MAX];
    struct stat st;

    if (!p->home || !strcmp(p->home, "empty")) return 0;
    if (!plan->home) {
        iso_err(err, 0, "--home=%s: there is no home directory (HOME is unset)", p->home);
        return -1;
    }
    for (size_t i = 0; i < plan->nmounts; i++)
        if (plan->mounts[i].kind == ISO_M_TMPFS && !strcmp(plan->mounts[i].path, plan->home))
            m = &plan->mounts[i];
    if (!m) {
        iso_err(err, 0, "--home=%s: the home %s cannot be replaced", p->home, plan->home);
        return -1;
    }
    if (!strcmp(p->home, "overlay")) {
        int layer = add_layer(plan, plan->home, 1, NULL, err); /* adds no mount: m stays */
        if (layer < 0) return -1;
        m->kind = ISO_M_OVERLAY;
        m->layer = layer;
        m->label = "your home, through an overlay";
        ov->home = ISO_HOME_OVERLAY;
        for (const char *const *s = iso_home_secrets; *s; s++) {
            snprintf(path, sizeof path, "%s/%s", plan->home, *s);
            if (hide(plan, path, "secret") < 0) goto oom;
        }
        return 0;
    }
    if (!realpath(p->home, real) || stat(real, &st) < 0) {
        iso_err(err, errno, "--home=%s", p->home);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        iso_err(err, 0, "--home=%s: not a directory (--home takes empty, overlay or a directory)",
                p->home);
        return -1;
    }
    if (st.st_uid != plan->uid) {
        iso_err(err, 0, "--home=%s: the directory belongs to another user", p->home);
        return -1;
    }
    if (under(plan->home, real) || under(real, "/proc") || under(real, "/dev")) {
        iso_err(err, 0,
                "--home=%s: %s; --home=overlay shows your home and keeps what is "
                "written for review",
                p->home,
                !strcmp(real, plan->home) ? "this is your real home"
                : under(plan->home, real) ? "it contains your real home"
                                          : "not a directory of yours");
        return -1;
    }
    /* Bound at $HOME, the state directory would be writable inside under
     * another name, which hiding it at its own path would not cover. */
    if (state[0] && under(state, real)) {
        iso_err(err, 0, "--home=%s: it contains isolate's state directory %s", p->home, state);
        return -1;
    }
    if (!(m->source = strdup(real))) goto oom;
    m->kind = ISO_M_BIND;
    m->writable = 1;
    m->label = "--home";
    ov->home = ISO_HOME_PATH;
    ov->home_src = m->source;
    ov->home_dev = st.st_dev;
    ov->home_ino = st.st_ino;
    return 0;
oom:
    iso_err(err, 0, "out of memory");
    return -1;
}

static int check_overlay(const struct iso_plan *plan, const char *arg, const char *real,
                         const char *state, struct isolate_error *err)
{
    char shown[PATH_MAX + 64];
    struct stat st;

    if (!strcmp(arg, "."))
        snprintf(shown, sizeof shown, "--overlay (the current directory, %s)", real);
    else
        snprintf(shown, sizeof shown, "--overlay %s", arg);
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
        iso_err(err, 0, "%s: not a directory (an overlay is laid over a directory)", shown);
        return -1;
    }
    if (!strcmp(real, "/") || under(real, "/proc") || under(real, "/dev") || under(real, "/sys")) {
        iso_err(err, 0, "%s: overlays are for your own directories, not %s", shown, real);
        return -1;
    }
    if (plan->home && under(plan->home, real)) {
        iso_err(err, 0, "%s: %s your home directory; --home=overlay lays one over the home", shown,
                strcmp(real, plan->home) ? "contains" : "is");
        return -1;
    }
    if (plan->home && plan->ov.home != ISO_HOME_EMPTY && under(real, plan->home)) {
        iso_err(err, 0, "%s: it is in the home, which --home=%s already replaces", shown,
                plan->ov.home == ISO_HOME_OVERLAY ? "overlay" : "PATH");
        return -1;
    }
    if (state[0] && (under(state, real) || under(real, state))) {
        iso_err(err, 0, "%s: it %s isolate's state directory %s, where the writes are kept", shown,
                under(state, real) ? "contains" : "is inside", state);
        return -1;
    }
    for (size_t i = 0; i < plan->ov.n; i++)
        if (under(real, plan->ov.l[i].host) || under(plan->ov.l[i].host, real)) {
            iso_err(err, 0, "%s: overlaps the overlay on %s (overlays cannot be nested)", shown,
                    plan->ov.l[i].host);
            return -1;
        }
    for (size_t i = 0; i < plan->nmounts; i++)
        if (!strcmp(plan->mounts[i].path, real) &&
            (plan->mounts[i].kind == ISO_M_BIND || plan->mounts[i].kind == ISO_M_HIDE)) {
            iso_err(err, 0, "%s: the same directory is given to %s", shown, plan->mounts[i].label);
            return -1;
        }
    return 0;
}

static int has_overlay(const struct isolate_policy *p)
{
    for (size_t i = 0; i < p->npaths; i++)
        if (p->paths[i].kind == ISOLATE_PATH_OVERLAY) return 1;
    return 0;
}

int iso_overlay_plan(struct iso_plan *plan, const struct isolate_policy *p,
                     const struct isolate_caller *c, struct isolate_error *err)
{
    char state[PATH_MAX], real[PATH_MAX];
    int visible = 0;

    state[0] = '\0';
    /* Without overlays or --home, only a state directory that exists matters
     * (to hide it): most runs need not resolve its path. */
    if (iso_state_path(c->environ, real, sizeof real) == 0 &&
        (p->home || has_overlay(p) || access(real, F_OK) == 0) && !realpath(real, state))
        snprintf(state, sizeof state, "%s", real);
    if (plan_home(plan, p, state, err) < 0) return -1;
    for (size_t i = 0; i < p->npaths; i++) {
        const char *arg = p->paths[i].arg;
        if (p->paths[i].kind != ISOLATE_PATH_OVERLAY) continue;
        if (!realpath(arg, real)) {
            iso_err(err, errno, "--overlay %s", arg);
            return -1;
        }
        if (check_overlay(plan, arg, real, state, err) < 0 ||
            add_layer(plan, real, 0, "--overlay", err) < 0)
            return -1;
    }
    /* The state directory, where the sandbox could see or write it (it will
     * exist by then if this run keeps writes). */
    if (!state[0] || (access(state, F_OK) < 0 && !plan->ov.n)) return 0;
    for (size_t i = 0; i < plan->nmounts; i++) {
        const struct iso_mount *m = &plan->mounts[i];
        if (((m->kind == ISO_M_BIND && !m->source) || m->kind == ISO_M_OVERLAY) &&
            under(state, m->path))
            visible = 1;
    }
    if (visible && iso_plan_add_mount(plan, ISO_M_HIDE, state, "isolate's runs", 0, 1, 0) < 0) {
        iso_err(err, 0, "out of memory");
        return -1;
    }
    return 0;
}

/* The command line, as the list of runs shows it. */
static char *command_text(const struct isolate_policy *p)
{
    size_t len = 1;
    char *s;

    if (p->command) return strdup(p->command);
    for (int i = 0; i < p->argc; i++) len += strlen(p->argv[i]) * 4 + 3;
    if (!(s = malloc(len))) return NULL;
    s[0] = '\0';
    for (int i = 0; i < p->argc; i++) {
        const char *a = p->argv[i];
        int plain = *a && strcspn(a, " \t\n'\"\\$`;&|<>()*?[]{}~!#") == strlen(a);
        if (i) strcat(s, " ");
        if (plain) {
            strcat(s, a);
            continue;
        }
        strcat(s, "'");
        for (; *a; a++) strcat(s, *a == '\'' ? "'\\''" : (char[]){*a, 0});
        strcat(s, "'");
    }
    return s;
}

int iso_overlay_prepare_run(struct iso_plan *plan, const struct isolate_policy *p,
                            const struct isolate_caller *c, struct isolate_error *err)
{
    struct iso_ov *ov = &plan->ov;
    struct iso_state st;
    char path[PATH_MAX + 64], proc[64], *cmd;
    struct stat sb;
    ssize_t n;
    int rc;

    if (!ov->n) return 0;
    for (size_t i = 0; i < ov->n; i++) {
        struct iso_ov_layer *l = &ov->l[i];
        /* The path is canonical: a symlink on it now was put there since. */
        l->host_fd =
            (int)iso_openat2(AT_FDCWD, l->host, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);
        if (l->host_fd < 0 || fstat(l->host_fd, &sb) < 0) {
            iso_err(err, errno, "%s %s", l->is_home ? "--home=overlay" : "--overlay", l->host);
            return -1;
        }
        l->dev = sb.st_dev;
        l->ino = sb.st_ino;
        l->mode = sb.st_mode & 07777;
    }
    if (iso_state_open(&st, c->environ, 1, err) < 0) return -1;
    cmd = command_text(p);
    rc = cmd ? iso_run_create(&st, ov, plan->cwd_host, cmd, &ov->run_fd, ov->run_id,
                              sizeof ov->run_id, err)
             : (iso_err(err, 0, "out of memory"), -1);
    free(cmd);
    if (rc == 0) ov->runs_fd = fcntl(st.runs, F_DUPFD_CLOEXEC, 0);
    if (rc == 0 && ov->runs_fd < 0) {
        iso_err(err, errno, "cannot keep %s/runs open", st.path);
        rc = -1;
    }
    snprintf(path, sizeof path, "%s/runs/%s", st.path, ov->run_id);
    iso_state_close(&st);
    if (rc < 0) return -1;
    /* Its canonical path, for the setup child: /proc names it. */
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", ov->run_fd);
    if ((n = readlink(proc, path, sizeof path - 1)) > 0) path[n] = '\0';
    if (fstat(ov->run_fd, &sb) < 0 || !(ov->run_path = strdup(path))) {
        iso_err(err, errno, "cannot prepare run %s", ov->run_id);
        iso_overlay_discard(plan);
        return -1;
    }
    ov->run_dev = sb.st_dev;
    ov->run_ino = sb.st_ino;
    return 0;
}

int iso_overlay_push_args(const struct iso_plan *plan, char **v, size_t *n)
{
    char num[32];
    if (plan->ov.run_fd < 0) return 0;
    snprintf(num, sizeof num, "%d", ISO_FD_RUN(plan));
    if (!(v[*n] = strdup("--run-fd")) || !(v[*n + 1] = strdup(num)) ||
        !(v[*n + 2] = strdup("--run")) || !(v[*n + 3] = strdup(plan->ov.run_id)))
        return -1;
    *n += 4;
    return 0;
}

void iso_overlay_fd_sources(const struct iso_plan *plan, int *src)
{
    if (plan->ov.run_fd < 0) return;
    src[0] = plan->ov.run_fd;
    for (size_t i = 0; i < plan->ov.n; i++) src[1 + i] = plan->ov.l[i].host_fd;
}

/* Setup child: a directory again, by its path in this namespace, checked to
 * be the one planned. */
static int reopen(const char *path, dev_t dev, ino_t ino, struct isolate_error *e)
{
    struct stat st;
    int fd = (int)iso_openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS);
    if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino) return fd;
    iso_err(e, fd < 0 ? errno : 0, "%s changed while the sandbox was being set up", path);
    if (fd >= 0) close(fd);
    return -1;
}

static int set_fd(int fs, const char *key, int fd)
{
    return (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_FD, key, NULL, fd);
}

int iso_overlay_create(struct iso_plan *plan, const struct iso_mount *m, struct isolate_error *e)
{
    const struct iso_ov_layer *l = &plan->ov.l[m->layer];
    int lower = -1, run = -1, upper = -1, work = -1, fs = -1, mnt = -1;
    char msg[256];
    ssize_t n;

    if ((lower = reopen(l->host, l->dev, l->ino, e)) < 0 ||
        (run = reopen(plan->ov.run_path, plan->ov.run_dev, plan->ov.run_ino, e)) < 0)
        goto out;
    upper = iso_up_open_layer(run, (size_t)m->layer, "upper");
    work = iso_up_open_layer(run, (size_t)m->layer, "work");
    fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (upper < 0 || work < 0 || fs < 0) {
        iso_err(e, errno, "cannot prepare the overlay on %s", m->path);
        goto out;
    }
    if (set_fd(fs, "lowerdir+", lower) < 0 || set_fd(fs, "upperdir", upper) < 0 ||
        set_fd(fs, "workdir", work) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
        (mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0) {
        int saved = errno;
        /* The kernel says why in the context's log ("e overlayfs: ..."). */
        n = read(fs, msg, sizeof msg - 1);
        msg[n > 0 ? n : 0] = '\0';
        if (n > 0 && msg[n - 1] == '\n') msg[n - 1] = '\0';
        iso_err(e, saved, "cannot create the overlay on %s%s%s%s", m->path, n > 0 ? " (" : "",
                n > 0 ? msg : "", n > 0 ? ")" : "");
        if (saved == ENODEV || saved == EPERM || saved == EINVAL)
            iso_err_hint(e, "isolate needs rootless overlayfs (Linux 6.13 or later) and a "
                            "state directory on a file system with user xattrs (ext4, xfs, "
                            "btrfs, tmpfs)");
        mnt = -1;
    }
out:
    if (lower >= 0) close(lower);
    if (run >= 0) close(run);
    if (upper >= 0) close(upper);
    if (work >= 0) close(work);
    if (fs >= 0) close(fs);
    return mnt;
}

int iso_overlay_bind_source(const struct iso_plan *plan, const struct iso_mount *m,
                            struct isolate_error *e)
{
    int fd = reopen(m->source, plan->ov.home_dev, plan->ov.home_ino, e), tree;
    if (fd < 0) return -1;
    tree = (int)syscall(SYS_open_tree, fd, "",
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (tree < 0) iso_err(e, errno, "cannot share %s (%s)", m->source, m->label);
    close(fd);
    return tree;
}

/* The run never started: nothing to keep. */
void iso_overlay_discard(struct iso_plan *plan)
{
    if (plan->ov.run_fd >= 0 && plan->ov.runs_fd >= 0)
        iso_tree_remove(plan->ov.runs_fd, plan->ov.run_id, NULL);
}

void iso_overlay_free(struct iso_plan *plan)
{
    struct iso_ov *ov = &plan->ov;
    for (size_t i = 0; i < ov->n; i++) {
        free(ov->l[i].host);
        if (ov->l[i].host_fd >= 0) close(ov->l[i].host_fd);
    }
    if (ov->run_fd >= 0) close(ov->run_fd);
    if (ov->runs_fd >= 0) close(ov->runs_fd);
    free(ov->run_path);
    iso_overlay_init(plan);
}

void iso_overlay_describe(const struct iso_plan *plan, FILE *out)
{
    const struct iso_ov *ov = &plan->ov;
    if (ov->home == ISO_HOME_PATH)
        fprintf(out, "  home: your directory %s, writable, at %s\n", ov->home_src, plan->home);
    if (!ov->n) return;
    fprintf(out, "  overlays: what the command writes in");
    for (size_t i = 0; i < ov->n; i++) fprintf(out, " %s", ov->l[i].host);
    fprintf(out, " is kept aside, the host copy untouched;\n"
                 "    at exit isolate says what changed; review it with isolate --diff, apply it "
                 "with isolate --commit, drop it with isolate --discard;\n"
                 "    what the overlays keep counts toward the private space (--tmp-size)\n");
    if (ov->home == ISO_HOME_OVERLAY)
        fprintf(out, "    the home's secrets that exist are hidden (above): keys, tokens, "
                     "credentials, browser profiles, keyrings, histories\n");
}
