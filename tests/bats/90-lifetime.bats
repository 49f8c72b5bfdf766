#!/usr/bin/env bats
# Nothing outlives the sandbox, even when the calling shell dies.
load ../lib/common

# A process whose parent dies is reparented; its zombie is reaped by the
# machine's init, not by the sandbox, so zombies are not counted here.
@test "when the calling shell is killed, the sandbox goes with it" {
    mark=$((40000 + RANDOM))
    in_shell "echo \$\$ > '$BATS_TEST_TMPDIR/shellpid'; isolate sh -c 'sleep $mark & sleep $mark'" &
    wait_until running "^sleep $mark" >/dev/null
    kill -9 "$(cat "$BATS_TEST_TMPDIR/shellpid")"
    wait_while running "^sleep $mark"
    ! running "^sleep $mark"
    ! running "^isolate-init"
}

@test "when the supervisor is killed, the sandbox goes with it" {
    mark=$((40000 + RANDOM))
    in_shell "isolate sleep $mark; echo rc=\$? > '$BATS_TEST_TMPDIR/rc'" &
    wait_until running "^sleep $mark" >/dev/null
    pkill -9 -u "$(id -u)" -x isolate-init
    wait_while running "^sleep $mark"
    wait
    [ "$(cat "$BATS_TEST_TMPDIR/rc")" = "rc=137" ]
}

@test "nothing is left when isolate returns, run after run" {
    for i in 1 2 3; do iso "$PROBE" daemon 33333 >/dev/null; done
    ! running "probe daemon 33333"
    ! running "^isolate-init"
}
