/*
 * seccomp.c - loading the system call filter, in PID 1, before the command.
 *
 * The program was compiled from seccomp_rules.c with libseccomp at build time
 * (tools/gen-seccomp.c); here it is only installed. PID 1 has set
 * no_new_privs and dropped its capabilities, and loads the filter before it
 * starts the command, so every process of the sandbox runs under it, PID 1
 * included. The supervisor, which runs no untrusted code, does not.
 */
#include "internal.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_bpf.h"

int iso_seccomp_load(int verbose, struct isolate_error *e)
{
    struct sock_fprog prog = {
        .len = (unsigned short)(sizeof iso_seccomp_program / sizeof *iso_seccomp_program),
        .filter = (struct sock_filter *)iso_seccomp_program,
    };

    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        iso_err(e, errno, "cannot load the seccomp filter");
        if (errno == EINVAL)
            iso_err_hint(e, "this kernel lacks seccomp filtering (CONFIG_SECCOMP_FILTER)");
        return -1;
    }
    iso_log(verbose, "seccomp: %zu rules loaded (%u BPF instructions)", iso_seccomp_nrules,
            (unsigned)prog.len);
    return 0;
}
