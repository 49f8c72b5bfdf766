#!/usr/bin/env bats
# The user namespace: same ids, no capabilities, no new privileges.
load ../lib/common

@test "the caller is mapped to itself" {
    run iso "$PROBE" ids
    [ "$status" -eq 0 ]
    has_line "uid=$(id -u)"
    has_line "euid=$(id -u)"
    has_line "gid=$(id -g)"
}

@test "no capabilities at all, bounding set included" {
    run iso "$PROBE" caps
    [ "$status" -eq 0 ]
    for set in CapInh CapPrm CapEff CapBnd CapAmb; do
        has_line "$set=0000000000000000"
    done
}

@test "no new privileges and a seccomp filter" {
    run iso "$PROBE" caps
    has_line "NoNewPrivs=1"
    has_line "Seccomp=2"
}

@test "setuid programs do not elevate" {
    su=$(command -v su)
    [ -u "$su" ] || fail "expected a setuid su on this machine"
    run iso "$su" -c 'id -u' root </dev/null
    [ "$status" -ne 0 ]
    [[ "$output" != *"0"$'\n'* ]]
    run iso sh -c 'grep -E " / / " /proc/self/mountinfo'
    [[ "$output" == *nosuid* ]]
}

@test "ids other than the caller's are unmapped" {
    run iso sh -c 'cat /proc/self/uid_map /proc/self/gid_map'
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    read -r inside outside count <<<"${lines[0]}"
    [ "$inside" = "$(id -u)" ] && [ "$outside" = "$(id -u)" ] && [ "$count" = 1 ]
    run iso cat /proc/self/setgroups
    [ "$output" = deny ]
}

@test "the host name is 'isolate'" {
    run iso "$PROBE" hostname
    [ "$output" = "hostname=isolate" ]
}

@test "every namespace is new" {
    run "$PROBE" ns
    outside=("${lines[@]}")
    run iso "$PROBE" ns
    [ "$status" -eq 0 ]
    for i in "${!lines[@]}"; do
        [ "${lines[$i]}" != "${outside[$i]}" ] || fail "same namespace: ${lines[$i]}"
    done
    [ "${#lines[@]}" -eq 7 ]
}
