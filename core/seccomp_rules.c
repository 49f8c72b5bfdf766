/*
 * seccomp_rules.c - what the seccomp filter denies, and why; one entry per rule.
 *
 * This table is the single source of the filter: tools/gen-seccomp compiles it
 * with libseccomp at build time into the BPF program that PID 1 loads (so no
 * run pays for compiling it, and libseccomp is never loaded into the user's
 * shell), and --explain prints it. Denied calls fail with EPERM, like a call
 * the kernel refuses for lack of privilege; clone3 fails with ENOSYS so libc
 * falls back to clone. The filter's default is to allow: the sandbox's real
 * walls are the namespaces and the lack of capabilities, and this list removes
 * the kernel surface that is reachable without privilege or that would undo
 * those walls.
 */
#include "seccomp_rules.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>

#define ALWAYS -1, 0, 0
#define NEWUSER 0, CLONE_NEWUSER, CLONE_NEWUSER

const struct iso_seccomp_rule iso_seccomp_rules[] = {
    /* Keystroke injection into the caller's terminal: the command could queue
     * input that the shell reads and runs after isolate returns
     * (CVE-2017-5226). The request is compared on its low 32 bits, because the
     * kernel ignores the high bits of the ioctl number (CVE-2019-10063). */
    {"ioctl", EPERM, 1, 0xffffffffUL, TIOCSTI, "TIOCSTI: typing into the caller's terminal"},
    /* TIOCLINUX on a virtual console pastes the selection (keystroke injection
     * again) and reads the screen. */
    {"ioctl", EPERM, 1, 0xffffffffUL, TIOCLINUX, "TIOCLINUX: pasting into a console"},
    /* The kernel keyrings are not namespaced: the user's session and user
     * keyrings (Kerberos tickets, ecryptfs and disk keys) would be readable. */
    {"keyctl", EPERM, ALWAYS, "the kernel keyrings of the user's session"},
    {"add_key", EPERM, ALWAYS, "the kernel keyrings of the user's session"},
    {"request_key", EPERM, ALWAYS, "the kernel keyrings of the user's session"},
    /* eBPF: a large attack surface (verifier bugs are a steady source of
     * privilege escalations) and a way to observe the kernel. */
    {"bpf", EPERM, ALWAYS, "eBPF programs and maps"},
    /* Performance events leak kernel addresses and other processes' activity,
     * and are a repeated source of kernel exploits. */
    {"perf_event_open", EPERM, ALWAYS, "performance counters"},
    /* userfaultfd lets an exploit stall the kernel at a chosen page fault to
     * win a race (a standard step in kernel exploits). */
    {"userfaultfd", EPERM, ALWAYS, "userfaultfd (exploit race control)"},
    /* io_uring performs I/O on the process's behalf without the system calls
     * this filter sees, and has been a major source of kernel exploits. */
    {"io_uring_setup", EPERM, ALWAYS, "io_uring (bypasses syscall filtering)"},
    {"io_uring_enter", EPERM, ALWAYS, "io_uring (bypasses syscall filtering)"},
    {"io_uring_register", EPERM, ALWAYS, "io_uring (bypasses syscall filtering)"},
    /* Replacing the running kernel. */
    {"kexec_load", EPERM, ALWAYS, "loading another kernel"},
    {"kexec_file_load", EPERM, ALWAYS, "loading another kernel"},
    /* Loading code into the kernel. */
    {"init_module", EPERM, ALWAYS, "loading kernel modules"},
    {"finit_module", EPERM, ALWAYS, "loading kernel modules"},
    {"delete_module", EPERM, ALWAYS, "unloading kernel modules"},
    /* The mount API: mounts made by the sandbox's own namespace could be moved
     * or removed to uncover what they hide (home, /tmp, /run). */
    {"mount", EPERM, ALWAYS, "mounting (uncovering hidden paths)"},
    {"umount2", EPERM, ALWAYS, "unmounting (uncovering hidden paths)"},
    {"pivot_root", EPERM, ALWAYS, "changing the root mount"},
    {"move_mount", EPERM, ALWAYS, "moving mounts"},
    {"open_tree", EPERM, ALWAYS, "copying mount trees"},
    {"fsopen", EPERM, ALWAYS, "mounting (new mount API)"},
    {"fsconfig", EPERM, ALWAYS, "mounting (new mount API)"},
    {"fsmount", EPERM, ALWAYS, "mounting (new mount API)"},
    {"fspick", EPERM, ALWAYS, "remounting (new mount API)"},
    {"mount_setattr", EPERM, ALWAYS, "making read-only mounts writable"},
    /* A new user namespace gives back every capability inside it, and with them
     * the kernel surface of namespaced file systems, netfilter and more. */
    {"unshare", EPERM, NEWUSER, "new user namespaces (regaining capabilities)"},
    {"clone", EPERM, NEWUSER, "new user namespaces (regaining capabilities)"},
    /* clone3 passes its flags in memory, which seccomp cannot read: refuse it
     * as unimplemented so that libc falls back to clone, checked above. */
    {"clone3", ENOSYS, ALWAYS, "clone3 (flags hidden from the filter)"},
    /* Entering other namespaces (those of processes outside, via /proc files
     * the sandbox should not see, or pidfds). */
    {"setns", EPERM, ALWAYS, "entering other namespaces"},
    /* Opening files by handle walks around the mount view (the "Shocker"
     * container escape). */
    {"open_by_handle_at", EPERM, ALWAYS, "opening files by handle (escapes the mount view)"},
};

const size_t iso_seccomp_nrules = sizeof iso_seccomp_rules / sizeof *iso_seccomp_rules;

/* Not a rule of the table but the filter's architecture check: system calls of
 * any ABI other than the native one (i386 through int 0x80, x32) kill the
 * process, since their numbers differ and would slip past every rule above. */
const char iso_seccomp_abi_note[] =
    "system calls of other ABIs (i386 int 0x80, x32) kill the process";
