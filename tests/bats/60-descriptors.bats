#!/usr/bin/env bats
# File descriptors: 0, 1 and 2 only, unless --keep-fd.
load ../lib/common

@test "a shell's open descriptors do not leak in" {
    echo secret >"$BATS_TEST_TMPDIR/secret"
    run in_shell "exec 7<'$BATS_TEST_TMPDIR/secret'; exec 9>/dev/null; isolate '$PROBE' fds"
    [ "$status" -eq 0 ]
    [ "$output" = "fds=0 1 2 " ]
}

@test "--keep-fd N passes N" {
    echo shared >"$BATS_TEST_TMPDIR/shared"
    run in_shell "exec 7<'$BATS_TEST_TMPDIR/shared'; isolate --keep-fd 7 sh -c 'cat <&7; $PROBE fds'"
    [ "$status" -eq 0 ]
    has_line shared
    has_line "fds=0 1 2 7 "
}

@test "stdin, stdout and stderr are the caller's" {
    run iso sh -c 'read x; echo "out:$x"; echo err >&2' <<<"in"
    [ "$status" -eq 0 ]
    has_line "out:in"
    has_line err
}
