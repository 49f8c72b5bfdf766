#!/usr/bin/env bats
# Where the kernel refuses user namespaces, isolate fails closed: 125, a
# message naming the cause and the fix, and nothing run, never a weaker
# sandbox. Each refusal is recreated for real: a seccomp filter as a
# container's profile sets one (tests/nouserns), and user.max_user_namespaces
# lowered to 0 in a user namespace made for the test (the sysctl is per user
# namespace). A refusal that binds the shell but not the isolate program
# (AppArmor's, on Ubuntu) makes the builtin and the module run the program.
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    NOUSERNS=$ISOLATE_ROOT/tests/nouserns
    SCRATCH=$(mktemp -d "$BATS_TEST_TMPDIR/scratch.XXXXXX")
    chmod 755 "$SCRATCH"
    cd /
}

@test "a container's seccomp profile blocks user namespaces: 125, the cause, the fix, nothing run" {
    run --separate-stderr "$NOUSERNS" $(iso_cmd) -w "$SCRATCH" touch "$SCRATCH/ran"
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"cannot create the sandbox's namespaces: Operation not permitted"* ]]
    [[ "$stderr" == *"seccomp filter (Seccomp: 2 in /proc/self/status)"* ]]
    [[ "$stderr" == *"fix: run isolate outside the container"* ]]
    [ ! -e "$SCRATCH/ran" ]
}

@test "user.max_user_namespaces = 0: 125, the sysctl named, nothing run" {
    run --separate-stderr unshare --user --map-root-user sh -c \
        'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh \
        $(iso_cmd) -w "$SCRATCH" touch "$SCRATCH/ran"
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"user namespaces are disabled here: user.max_user_namespaces = 0"* ]]
    [[ "$stderr" == *"sysctl -w user.max_user_namespaces="* ]]
    [[ "$stderr" != *"running"*"instead"* ]] # no fallback: the limit binds every program
    [ ! -e "$SCRATCH/ran" ]
}

@test "refused to the shell but not to the program: the builtin and the module run the program" {
    # Only clone(CLONE_NEWUSER) is refused, which the builtin and the module
    # use; the program unshares, and is allowed, as AppArmor allows a program
    # with a profile.
    run --separate-stderr "$NOUSERNS" --clone-only $(iso_cmd) -c 'hostname; echo "$0"; exit 7'
    [ "$status" -eq 7 ]
    [ "${lines[0]}" = isolate ]
    case $ISOLATE_FRONTEND in
    cli) [[ "$stderr" != *"instead"* ]] ;;
    *)
        [[ "${lines[1]}" == */"$ISOLATE_FRONTEND" ]] # -c runs with the calling shell
        [[ "$stderr" == *"the kernel refused this shell a user namespace (Operation not permitted); running "*"/isolate instead"* ]]
        ;;
    esac
    # The same sandbox: the same notes once, the same policy.
    run --separate-stderr "$NOUSERNS" --clone-only $(iso_cmd) -w "$SCRATCH" sh -c \
        'echo made > "$1/made"; cat /proc/self/uid_map' sh "$SCRATCH"
    [ "$status" -eq 0 ]
    [ "$(cat "$SCRATCH/made")" = made ]
    [ "$(echo "$stderr" | grep -c "current directory")" -eq 1 ]
    # The home is private there too: written inside, absent outside.
    run --separate-stderr "$NOUSERNS" --clone-only $(iso_cmd) -q "$PROBE" write "$HOME/x"
    [ "$output" = "write=ok" ]
    [ ! -e "$HOME/x" ]
}

@test "refused to the shell and to the program: the program's refusal, 125" {
    run --separate-stderr "$NOUSERNS" $(iso_cmd) -q true
    [ "$status" -eq 125 ]
    [ "$(echo "$stderr" | grep -c "cannot create the sandbox's namespaces")" -eq 1 ]
}

@test "make install-apparmor installs a profile that allows the program user namespaces" {
    dest=$BATS_TEST_TMPDIR/dest
    run make -s -C "$ISOLATE_ROOT" install-apparmor DESTDIR="$dest" BINDIR=/opt/x/bin
    [ "$status" -eq 0 ]
    profile=$dest/etc/apparmor.d/isolate
    grep -qx 'profile isolate /opt/x/bin/isolate flags=(unconfined) {' "$profile"
    grep -qx '  userns,' "$profile"
    grep -qx 'abi <abi/4.0>,' "$profile"
}
