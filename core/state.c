/*
 * state.c - isolate's state directory ($XDG_STATE_HOME/isolate, by default
 * ~/.local/state/isolate), reached without following symlinks; the escaping
 * of what runs record; the removal of a tree. runstore.c keeps the runs in it.
 *
 * Runs in the caller's process (creating a run, --diff, --commit, --runs) and
 * in the supervisor (reading a run's metadata for the summary).
 *
 * Every path below the home (or below / when the state lives elsewhere) is
 * resolved with openat2(RESOLVE_NO_SYMLINKS): a sandbox given a writable
 * home (--home=PATH, -w) could otherwise plant a symlink there that leads a
 * later isolate to create, read or delete runs somewhere else. Everything
 * inside the state directory is then reached relative to directory
 * descriptors, never by a path rebuilt from strings.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
/* chmod without following a symlink (fchmodat2, Linux 6.6). */
int iso_chmod_at(int dirfd, const char *name, unsigned mode)
{
    return (int)syscall(SYS_fchmodat2, dirfd, name, mode & 07777, AT_SYMLINK_NOFOLLOW);
}

static const char *env_value(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (char *const *e = env; e && *e; e++)
        if (!strncmp(*e, name, len) && (*e)[len] == '=') return *e + len + 1;
    return NULL;
}

/* One directory below fd, made (0700) if asked and missing; never a symlink. */
static int step(int fd, const char *name, int create)
{
    int n =
        (int)iso_openat2(fd, name, O_PATH | O_DIRECTORY, 0, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    if (n < 0 && errno == ENOENT && create) {
        if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) return -1;
        n = (int)iso_openat2(fd, name, O_PATH | O_DIRECTORY, 0,
                             RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    }
    return n;
}

/* The state directory must be the user's alone: runs hold what sandboxes
 * wrote, and a commit writes them into the user's files. */
static int check_owner(int fd, const char *path, struct isolate_error *e)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        iso_err(e, errno, "%s", path);
        return -1;
    }
    if (st.st_uid != getuid() || (st.st_mode & 022)) {
        iso_err(e, 0,
                "%s is %s; isolate keeps runs only in a directory of yours that nobody "
                "else can write (chmod 700 it, or set XDG_STATE_HOME)",
                path, st.st_uid != getuid() ? "owned by another user" : "writable by others");
        return -1;
    }
    return 0;
}

/* $XDG_STATE_HOME/isolate, or ~/.local/state/isolate: the XDG base directory
 * specification ignores a relative XDG_STATE_HOME. */
int iso_state_path(char *const *env, char *out, size_t size)
{
    const char *xdg = env_value(env, "XDG_STATE_HOME"), *home = env_value(env, "HOME");
    if (xdg && xdg[0] == '/')
        snprintf(out, size, "%s/isolate", xdg);
    else if (home && home[0] == '/')
        snprintf(out, size, "%s/.local/state/isolate", home);
    else
        return -1;
    return 0;
}

/* Returns 0, 1 when the state does not exist and create is 0, -1 on error. */
int iso_state_open(struct iso_state *st, char *const *env, int create, struct isolate_error *e)
{
    const char *home = env_value(env, "HOME");
    const char *rest, *trusted = "/";
    char buf[4096], *save = NULL, *tok;
    size_t hl;
    int fd;

    st->root = st->runs = -1;
    if (iso_state_path(env, st->path, sizeof st->path) < 0) {
        iso_err(e, 0, "no place for isolate's runs: neither XDG_STATE_HOME nor HOME is set");
        return -1;
    }
    /* The home itself is taken as the account has it (it may be reached
     * through a symlink, /home -> /var/home); below it, no symlink. */
    rest = st->path + 1;
    hl = home ? strlen(home) : 0;
    while (hl > 1 && home[hl - 1] == '/') hl--;
    if (home && home[0] == '/' && hl > 1 && !strncmp(st->path, home, hl) && st->path[hl] == '/') {
        trusted = home;
        rest = st->path + hl + 1;
    }
    fd = open(trusted, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        iso_err(e, errno, "%s", trusted);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", rest);
    for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        int n;
        if (!strcmp(tok, ".")) continue;
        n = !strcmp(tok, "..") ? (errno = EINVAL, -1) : step(fd, tok, create);
        close(fd);
        if (n < 0) {
            if (errno == ENOENT && !create) return 1;
            iso_err(e, errno, "cannot open isolate's state directory %s (at '%s')", st->path, tok);
            if (errno == ELOOP)
                iso_err_hint(e, "a symlink is in the way; isolate follows none there. Set "
                                "XDG_STATE_HOME to a real directory of yours");
            return -1;
        }
        fd = n;
    }
    if (check_owner(fd, st->path, e) < 0) {
        close(fd);
        return -1;
    }
    st->root = fd;
    st->runs = step(fd, "runs", create);
    if (st->runs < 0) {
        int saved = errno;
        iso_state_close(st);
        if (saved == ENOENT && !create) return 1;
        iso_err(e, saved, "cannot open %s/runs", st->path);
        return -1;
    }
    return 0;
}

void iso_state_close(struct iso_state *st)
{
    if (st->runs >= 0) close(st->runs);
    if (st->root >= 0) close(st->root);
    st->runs = st->root = -1;
}

/* Paths and commands in metadata and journals: one line each, whatever bytes
 * they hold. */
void iso_esc(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s && n + 4 < size; s++) {
        if (*s <= ' ' || *s == '%' || *s == 0x7f) {
            out[n++] = '%';
            out[n++] = hex[*s >> 4];
            out[n++] = hex[*s & 15];
        } else {
            out[n++] = (char)*s;
        }
    }
    out[n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int iso_unesc(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%') {
            int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);
            if (b < 0) return -1;
            *o++ = (char)(a * 16 + b);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return 0;
}

/* A name as it may be shown on a terminal: the sandbox chose it, and control
 * characters in it would reach the user's terminal (escape sequences). */
void iso_quote(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s && n + 8 < size; s++) {
        int c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f; /* C1 controls in UTF-8 */
        if (*s < ' ' || *s == 0x7f || c1 || *s == '\\') {
            out[n++] = '\\';
            if (*s == '\\') {
                out[n++] = '\\';
                continue;
            }
            out[n++] = 'x';
            out[n++] = hex[*s >> 4];
            out[n++] = hex[*s & 15];
            if (c1) { /* both bytes */
                s++;
                out[n++] = '\\';
                out[n++] = 'x';
                out[n++] = hex[*s >> 4];
                out[n++] = hex[*s & 15];
            }
        } else {
            out[n++] = (char)*s;
        }
    }
    out[n] = '\0';
}

int iso_run_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9 || s[0] == '0') return 0;
    return strspn(s, "0123456789") == n;
}
