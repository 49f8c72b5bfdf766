#!/usr/bin/env bats
# The seccomp filter: each denied call gets the errno the filter promises.
load ../lib/common

denied() { # denied OP ERRNO
    run iso "$PROBE" try "$1"
    [ "$output" = "$1=$2" ] || fail "try $1: got '$output', expected $1=$2"
}

@test "keystroke injection into the terminal (TIOCSTI, TIOCLINUX), high bits too" {
    denied tiocsti EPERM
    denied tiocsti-high EPERM
    denied tioclinux EPERM
}

@test "the kernel keyrings" {
    denied keyctl EPERM
    denied add_key EPERM
    denied request_key EPERM
}

@test "bpf, perf_event_open, userfaultfd, io_uring" {
    denied bpf EPERM
    denied perf_event_open EPERM
    denied userfaultfd EPERM
    denied io_uring_setup EPERM
}

@test "kexec and kernel modules" {
    denied kexec_load EPERM
    denied init_module EPERM
    denied finit_module EPERM
    denied delete_module EPERM
}

@test "the mount API" {
    for op in mount umount pivot_root open_tree move_mount fsopen mount_setattr; do
        denied "$op" EPERM
    done
}

@test "new user namespaces (unshare, clone; clone3 falls back)" {
    denied unshare-user EPERM
    denied clone-user EPERM
    denied clone3 ENOSYS
    denied setns EPERM
    denied open_by_handle_at EPERM
}

@test "other namespaces need capabilities the sandbox lacks" {
    denied unshare-net EPERM
    denied unshare-mount EPERM
}

@test "x32 system calls kill the process (SIGSYS)" {
    run "$PROBE" try x32
    [ "$output" = "x32=ENOSYS" ] # outside: an ordinary unimplemented call
    run iso "$PROBE" try x32
    [ "$status" -eq 159 ]
}

@test "i386 system calls (int 0x80) never reach the kernel's i386 table" {
    # Where the kernel runs 32-bit calls, the filter kills the process with
    # SIGSYS; where it does not (IA-32 emulation off), the call faults. Both
    # are checked; the exact program is checked in tests/unit/test-core.
    run "$PROBE" try i386
    outside=$status
    run iso "$PROBE" try i386
    if [ "$outside" -eq 0 ]; then
        [ "$status" -eq 159 ]
    else
        [ "$status" -eq 159 ] || [ "$status" -eq 139 ]
    fi
    [[ "$output" != *"i386=ok"* ]]
}

@test "ordinary programs are unaffected" {
    run iso sh -c 'ls / >/dev/null && sort </dev/null && echo fine'
    [ "$output" = fine ]
}
