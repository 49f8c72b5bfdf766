#!/usr/bin/env bats
# isolate --doctor: what this machine allows, what it means, and whether the
# default sandbox works (exit 0) or not (125), through every front end.
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    cd /
}

@test "--doctor here: every section, the facts of this machine, exit 0" {
    run --separate-stderr iso --doctor
    [ "$status" -eq 0 ]
    for s in Kernel "User namespaces" Mounts "Cgroup v2" Seccomp Network Limits Verdict; do
        has_line "$s"
    done
    has_line "  ok    Linux $(uname -r) on $(uname -m)"
    has_line "  ok    unprivileged user namespaces: created one, uid $(id -u) mapped to itself"
    has_line "  ok    user.max_user_namespaces = $(cat /proc/sys/user/max_user_namespaces)"
    has_line "  ok    PID, network, IPC, UTS and cgroup namespaces: created"
    has_line "  ok    mount API (open_tree, mount_setattr, fsopen, move_mount): works"
    has_line "  ok    openat2 (symlink-safe paths): works"
    has_line "  ok    the default sandbox works here: \`isolate true\` ran"
    if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
        has_line "  ok    kernel.unprivileged_userns_clone = 1"
    else
        has_line "  ok    kernel.unprivileged_userns_clone: not in this kernel (Debian's patch only)"
    fi
    if p=$(command -v pasta); then has_line "  ok    pasta: $p"; fi
    if p=$(command -v slirp4netns); then has_line "  ok    slirp4netns: $p"; fi
    [[ "$output" != *FAIL* ]]
}

@test "--doctor says how limits are enforced, with and without a delegated cgroup" {
    run env ISOLATE_CGROUP=none $(iso_cmd) --doctor
    [ "$status" -eq 0 ]
    [[ "$output" == *"no cgroup delegated to you: limits by rlimits and a watchdog"* ]]
    [[ "$output" == *"--mem       RLIMIT_DATA per process, and a watchdog summing them"* ]]
    [[ "$output" == *"--time      RLIMIT_CPU per process, and a watchdog summing them"* ]]
    # tests/run gives the test user a delegated cgroup (without controllers).
    cg=/sys/fs/cgroup/unified$(sed -n 's/^0:://p' /proc/self/cgroup)
    [ -O "$cg" ] || fail "tests/run should run this in a delegated cgroup ($cg)"
    run $(iso_cmd) --doctor
    [ "$status" -eq 0 ]
    [[ "$output" == *"ok    delegated to you: "* ]]
    [[ "$output" == *"--time      the cgroup's cpu.stat: exact, killed processes included"* ]]
}

@test "--doctor where user namespaces are refused: 125, the cause and the fix" {
    run --separate-stderr "$ISOLATE_ROOT/tests/nouserns" $(iso_cmd) --doctor
    [ "$status" -eq 125 ]
    has_line "  FAIL  unprivileged user namespaces: refused to this process"
    [[ "$output" == *"seccomp filter (Seccomp: 2 in /proc/self/status)"* ]]
    has_line "  FAIL  the default sandbox cannot be built here:"
    run --separate-stderr unshare --user --map-root-user sh -c \
        'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh $(iso_cmd) --doctor
    [ "$status" -eq 125 ]
    has_line "  FAIL  user.max_user_namespaces = 0"
    [[ "$output" == *"user namespaces are disabled here: user.max_user_namespaces = 0"* ]]
}

@test "--doctor leaves the shell as it was: descriptors, a background job's status" {
    # The descriptors listed by the shell itself (not in a racy $( )).
    run in_shell 'fds() { FDS=; for f in /proc/$$/fd/*; do FDS="$FDS ${f##*/}"; done; }
        (sleep 0.5; exit 3) & bg=$!
        fds; before=$FDS
        isolate --doctor >/dev/null; echo "doctor=$?"
        fds; after=$FDS
        wait $bg; echo "bg=$?"; [ "$before" = "$after" ] && echo same-fds'
    [ "$status" -eq 0 ]
    has_line doctor=0
    has_line bg=3
    has_line same-fds
}

@test "--doctor takes no value and ends the options" {
    run iso --doctor=yes
    [ "$status" -eq 125 ]
    [[ "$output" == *"option '--doctor' takes no value"* ]]
    run iso --doctor --no-such-option
    [ "$status" -eq 0 ]
}
