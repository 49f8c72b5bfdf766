/*
 * nouserns [--clone-only] COMMAND [ARGS...] - runs COMMAND under a seccomp
 * filter that refuses new user namespaces, as a container's profile does
 * (Docker's default: clone and unshare with CLONE_NEWUSER fail with EPERM,
 * clone3, whose flags a filter cannot see, with ENOSYS so that libc falls
 * back to clone). With --clone-only, unshare stays allowed: a refusal that
 * the isolate program escapes (it uses unshare) but the shell builtins do
 * not (they clone), to test their fallback to the program.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "nouserns: add this architecture"
#endif

#define LD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

int main(int argc, char **argv)
{
    int clone_only = argc > 1 && !strcmp(argv[1], "--clone-only");
    struct sock_filter f[] = {
        LD(arch),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
        RET(SECCOMP_RET_KILL_PROCESS),
        LD(nr),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
        RET(SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, clone_only ? ~0U : __NR_unshare, 1, 0),
        RET(SECCOMP_RET_ALLOW),
        /* the flags: the first argument of both, low 32 bits */
        LD(args[0]),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
        RET(SECCOMP_RET_ERRNO | EPERM),
        RET(SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof *f, f};
    char **cmd = argv + 1 + clone_only;

    if (!*cmd) {
        fprintf(stderr, "usage: nouserns [--clone-only] COMMAND [ARGS...]\n");
        return 2;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        perror("nouserns: seccomp");
        return 1;
    }
    execvp(cmd[0], cmd);
    perror(cmd[0]);
    return 127;
}
