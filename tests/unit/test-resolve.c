/*
 * test-resolve.c - symlink-safe resolution of host paths (core/resolve.c)
 * and the setup's re-check, on a scratch tree and real namespaces.
 *
 *  - iso_resolve() agrees with realpath() where it follows, pins the object it
 *    names, refuses what it must (loops, a file used as a directory, symlinks
 *    when asked not to follow, symlinks of other users);
 *  - a path swapped between the plan (the caller) and the mounts (the
 *    sandbox-building child) fails the setup instead of binding what was put
 *    there: the child's side runs for real, in a user and mount namespace of
 *    its own, with the swap made deterministically in between.
 *
 * The scratch tree lives in the repository's build/ directory (not in /tmp,
 * which the sandbox makes private). Prints TAP.
 */
#include "internal.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Paths here are short scratch paths: a cut one would fail its test anyway. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static char scratch[PATH_MAX];

static const char *at(const char *rel)
{
    static char buf[4][PATH_MAX];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch, rel);
    return buf[k];
}

/* A message on one line, for a TAP test name (hints follow a newline). */
static const char *one_line(const char *msg)
{
    static char buf[4][600];
    static int k;
    char *o;
    k = (k + 1) % 4;
    o = buf[k];
    for (; *msg && o < buf[k] + sizeof buf[k] - 4; msg++)
        if (*msg == '\n') {
            *o++ = ' ', *o++ = '/';
        } else {
            *o++ = *msg;
        }
    *o = '\0';
    return buf[k];
}

/* In the tree's build/ directory ($ISOLATE_ROOT, set by tests/run, or the
 * current directory): not in /tmp, which the plan makes private. */
static int make_scratch(void)
{
    const char *root = getenv("ISOLATE_ROOT");
    char base[PATH_MAX];

    snprintf(scratch, sizeof scratch, "%s%sbuild/unit-resolve-XXXXXX", root ? root : "",
             root ? "/" : "");
    if (!mkdtemp(scratch) || !realpath(scratch, base)) return -1;
    snprintf(scratch, sizeof scratch, "%s", base);
    if (mkdir(at("home"), 0755) || mkdir(at("a"), 0755) || mkdir(at("a/b"), 0755) ||
        mkdir(at("secret"), 0700) || mkdir(at("dir"), 0755) || mkdir(at("p"), 0755) ||
        mkdir(at("p/q"), 0755) || mkdir(at("p/q/hidden"), 0755))
        return -1;
    if (close(open(at("a/file"), O_CREAT | O_WRONLY, 0644)) < 0) return -1;
    if (symlink("a/b", at("rel")) || symlink(at("a"), at("abs")) || symlink("loop2", at("loop1")) ||
        symlink("loop1", at("loop2")) || symlink("../../a/b/..", at("a/b/up")) ||
        symlink("rel", at("chain")))
        return -1;
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)f;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* ------------------------------------------------------------ iso_resolve */

static void expect_same(const char *arg, int via_link)
{
    struct iso_resolved r;
    struct isolate_error e = {0};
    char real[PATH_MAX];
    struct stat st, pinned;
    int rc = iso_resolve(scratch, arg, ISO_RESOLVE_FOLLOW, &r, "--ro", &e);

    if (!realpath(arg[0] == '/' ? arg : at(arg), real) || stat(real, &st) < 0) {
        ok(0, "realpath(%s) for comparison: %s", arg, strerror(errno));
        return;
    }
    ok(rc == 0 && !strcmp(r.path, real) && r.via_link == via_link,
       "%s -> %s, as realpath says (%s)", arg, rc ? "(failed)" : r.path,
       rc ? one_line(e.msg) : "ok");
    ok(rc == 0 && fstat(r.fd, &pinned) == 0 && pinned.st_ino == st.st_ino &&
           pinned.st_dev == st.st_dev && r.st.st_ino == st.st_ino,
       "  and the descriptor pins that object");
    if (rc == 0) close(r.fd);
}

static void expect_refused(const char *arg, unsigned flags, int errnum, const char *says)
{
    struct iso_resolved r;
    struct isolate_error e = {0};
    int rc = iso_resolve(scratch, arg, flags, &r, "--write", &e);

    ok(rc == -1 && r.fd == -1 && e.errnum == errnum && strstr(e.msg, "--write") &&
           (!says || strstr(e.msg, says)),
       "refused: %s (errno %d, \"%s\")", arg, e.errnum, one_line(e.msg));
    if (rc == 0) close(r.fd);
}

static void test_resolve(void)
{
    char buf[PATH_MAX];

    if (chdir(scratch) < 0) {
        ok(0, "chdir scratch");
        return;
    }
    expect_same("a/b", 0);
    expect_same(at("a/b"), 0);
    expect_same("a/./b//", 0);
    expect_same("a/b/../file", 0);
    expect_same("..", 0);
    expect_same("rel", 1);
    expect_same("abs/b", 1);
    expect_same("chain/", 1);
    expect_same("a/b/up/file", 1);
    expect_same("/", 0);
    snprintf(buf, sizeof buf, "%s/../../../../../../../../../..", scratch);
    expect_same(buf, 0);

    expect_refused("nope", ISO_RESOLVE_FOLLOW, ENOENT, "nope");
    expect_refused("a/nope/x", ISO_RESOLVE_FOLLOW, ENOENT, "a/nope");
    expect_refused("a/file/x", ISO_RESOLVE_FOLLOW, ENOTDIR, NULL);
    expect_refused("a/file/", ISO_RESOLVE_FOLLOW, ENOTDIR, NULL);
    expect_refused("loop1", ISO_RESOLVE_FOLLOW, ELOOP, NULL);
    expect_refused("rel", 0, ELOOP, "symbolic link");
    expect_refused("a/b/up/file", 0, ELOOP, "a/b/up");
    {
        struct iso_resolved r;
        struct isolate_error e = {0};
        ok(iso_resolve(NULL, "a", 0, &r, "--ro", &e) == -1 && strstr(e.msg, "current directory"),
           "a relative path with no current directory is refused (\"%s\")", one_line(e.msg));
    }
}

/* A symlink root owns, seen from a user namespace where root is not mapped:
 * its owner is then the overflow uid, i.e. someone else. */
static const char *root_link(void)
{
    static const char *const candidates[] = {"/bin",        "/sbin",   "/lib",      "/lib64",
                                             "/dev/stdout", "/dev/fd", "/etc/mtab", NULL};
    struct stat st;
    for (const char *const *c = candidates; *c; c++)
        if (lstat(*c, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid == 0) return *c;
    return NULL;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;
    if (fd >= 0) close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Enters a new user (and, if asked, mount) namespace mapping only the
 * caller's ids, as the sandbox does. */
static int enter_userns(int flags)
{
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();

    if (unshare(CLONE_NEWUSER | flags) < 0) return -1;
    snprintf(map, sizeof map, "%lu %lu 1", (unsigned long)uid, (unsigned long)uid);
    if (write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", map))
        return -1;
    snprintf(map, sizeof map, "%lu %lu 1", (unsigned long)gid, (unsigned long)gid);
    return write_file("/proc/self/gid_map", map);
}

/* Runs fn in a child; its message comes back on a pipe. */
static int in_child(int (*fn)(void *, struct isolate_error *), void *arg, struct isolate_error *e)
{
    int fds[2], st = 0;
    pid_t pid;

    memset(e, 0, sizeof *e);
    if (pipe(fds) < 0) return -2;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct isolate_error ce = {0};
        int rc = fn(arg, &ce);
        if (write(fds[1], &ce, sizeof ce) != (ssize_t)sizeof ce) _exit(3);
        _exit(rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], e, sizeof *e) != (ssize_t)sizeof *e) {
        close(fds[0]);
        if (pid > 0) waitpid(pid, &st, 0);
        snprintf(e->msg, sizeof e->msg, "child died (status %d)", st);
        return -2;
    }
    close(fds[0]);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int resolve_in_userns(void *arg, struct isolate_error *e)
{
    struct iso_resolved r;
    if (enter_userns(0) < 0) {
        iso_err(e, errno, "cannot enter a user namespace");
        return -2;
    }
    return iso_resolve(NULL, arg, ISO_RESOLVE_FOLLOW, &r, "--ro", e);
}

static void test_foreign_owner(void)
{
    const char *link = root_link();
    struct isolate_error e;
    struct iso_resolved r;
    int rc;

    if (!link) {
        ok(0, "no symlink owned by root found to test with");
        return;
    }
    rc = iso_resolve(NULL, link, ISO_RESOLVE_FOLLOW, &r, "--ro", &e);
    ok(rc == 0, "%s (root's symlink) is followed", link);
    if (rc == 0) close(r.fd);
    rc = in_child(resolve_in_userns, (void *)link, &e);
    ok(rc == -1 && e.errnum == EPERM && strstr(e.msg, "owned by another user (uid 65534)") &&
           strstr(e.msg, link),
       "%s seen as another user's symlink (root unmapped) is not followed (\"%s\")", link,
       one_line(e.msg));
}

/* ------------------------------------------- swapped between plan and mount */

struct swap_case {
    const char *what;
    char *opts[6];
    void (*swap)(void);
    const char *says; /* what the setup's message must contain; NULL: setup must succeed */
};

static void swap_dir_for_link(void)
{
    /* dir -> a symlink to the secret directory (~/.ssh, say) */
    if (rename(at("dir"), at("dir.real")) || symlink(at("secret"), at("dir")))
        diag("swap failed: %s", strerror(errno));
}

static void swap_dir_for_dir(void)
{
    /* the same name, another real directory: no symlink to catch */
    if (rename(at("dir"), at("dir.real")) || mkdir(at("dir"), 0755))
        diag("swap failed: %s", strerror(errno));
}

static void swap_parent_for_link(void)
{
    if (rename(at("p"), at("p.real")) || mkdir(at("p"), 0755) || symlink(at("secret"), at("p/q")))
        diag("swap failed: %s", strerror(errno));
}

static void swap_hidden(void)
{
    /* the directory to hide moves away; an empty one takes its name */
    if (rename(at("p/q/hidden"), at("p/q/moved")) || mkdir(at("p/q/hidden"), 0755))
        diag("swap failed: %s", strerror(errno));
}

static void no_swap(void) {}

/* Undoes whichever swap was made. */
static void restore(void)
{
    struct stat st;

    if (lstat(at("dir.real"), &st) == 0) {
        if (unlink(at("dir")) < 0) rmdir(at("dir"));
        rename(at("dir.real"), at("dir"));
    }
    if (lstat(at("p.real"), &st) == 0) {
        unlink(at("p/q"));
        rmdir(at("p"));
        rename(at("p.real"), at("p"));
    }
    if (lstat(at("p/q/moved"), &st) == 0) {
        rmdir(at("p/q/hidden"));
        rename(at("p/q/moved"), at("p/q/hidden"));
    }
    unlink(at("dir/written"));
}

struct setup_arg {
    struct iso_plan *plan;
    const char *write_to;
};

/* The sandbox-building child's part, for real: new user and mount
 * namespaces, then the mounts. Writes a file where -w points if it can. */
static int setup_in_child(void *arg, struct isolate_error *e)
{
    struct setup_arg *a = arg;
    int fd;

    if (enter_userns(CLONE_NEWNS) < 0) {
        iso_err(e, errno, "cannot enter user and mount namespaces");
        return -2;
    }
    if (iso_mounts_setup(a->plan, e) < 0) return -1;
    fd = open(a->write_to, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        iso_err(e, errno, "set up, but %s cannot be written", a->write_to);
        return -1;
    }
    close(fd);
    return 0;
}

static void run_swap(const struct swap_case *c)
{
    char *env[] = {NULL, "PATH=/usr/bin:/bin", NULL};
    char homevar[PATH_MAX + 8], *argv[10];
    struct isolate_policy p;
    struct isolate_caller caller;
    struct iso_plan plan;
    struct isolate_error e;
    struct setup_arg a;
    struct stat st;
    int argc = 0, rc;

    snprintf(homevar, sizeof homevar, "HOME=%s", at("home"));
    env[0] = homevar;
    argv[argc++] = "isolate";
    for (char *const *o = c->opts; *o; o++) argv[argc++] = *o;
    argv[argc++] = "true";
    argv[argc] = NULL;
    memset(&caller, 0, sizeof caller);
    caller.shell = "/bin/sh";
    caller.environ = env;
    if (isolate_parse(&p, argc, argv, &e) < 0 || iso_plan_build(&plan, &p, &caller, &e) < 0) {
        ok(0, "%s: plan (%s)", c->what, one_line(e.msg));
        isolate_policy_free(&p);
        return;
    }
    c->swap();
    a.plan = &plan;
    a.write_to = at("dir/written");
    rc = in_child(setup_in_child, &a, &e);
    if (!c->says) {
        ok(rc == 0 && stat(at("dir/written"), &st) == 0, "%s: set up, and -w writes there (%s)",
           c->what, rc ? one_line(e.msg) : "ok");
    } else {
        ok(rc == -1 && strstr(e.msg, c->says), "%s: the setup fails (\"%s\")", c->what,
           one_line(e.msg));
        ok(stat(at("secret/pwned"), &st) < 0 && stat(at("secret/written"), &st) < 0,
           "%s: nothing reached the secret directory", c->what);
    }
    iso_plan_free(&plan);
    isolate_policy_free(&p);
    restore();
}

static void test_swaps(void)
{
    static char w_dir[PATH_MAX], ro_dir[PATH_MAX], w_pq[PATH_MAX], hide[PATH_MAX], w_p[PATH_MAX];
    snprintf(w_dir, sizeof w_dir, "%s", at("dir"));
    snprintf(ro_dir, sizeof ro_dir, "%s", at("dir"));
    snprintf(w_pq, sizeof w_pq, "%s", at("p/q"));
    snprintf(hide, sizeof hide, "%s", at("p/q/hidden"));
    snprintf(w_p, sizeof w_p, "%s", at("p"));
    const struct swap_case cases[] = {
        {"no swap (control)", {"-w", w_dir, NULL}, no_swap, NULL},
        {"-w DIR swapped for a symlink to a secret directory",
         {"-w", w_dir, NULL},
         swap_dir_for_link,
         "changed while the sandbox was being set up"},
        {"--ro DIR swapped for a symlink", {"--ro", ro_dir, NULL}, swap_dir_for_link, "changed"},
        {"-w DIR swapped for another directory of the same name",
         {"-w", w_dir, NULL},
         swap_dir_for_dir,
         "changed while the sandbox was being set up"},
        {"-w DIR/SUB with DIR/SUB swapped for a symlink",
         {"-w", w_pq, NULL},
         swap_parent_for_link,
         "changed"},
        {"--hide DIR swapped for an empty directory",
         {"-w", w_p, "--hide", hide, NULL},
         swap_hidden,
         "changed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_swap(&cases[i]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (make_scratch() < 0) {
        ok(0, "scratch tree (%s)", strerror(errno));
        return done_testing();
    }
    diag("scratch tree: %s", scratch);
    test_resolve();
    test_foreign_owner();
    test_swaps();
    if (chdir("/") == 0) nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return done_testing();
}
