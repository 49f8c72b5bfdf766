#!/usr/bin/env bats
# Nothing outlives the sandbox, even when the calling shell dies.
load ../lib/common

# Other test runs may share this user: only this test's sandboxes are looked
# at or killed, by the mark in their command lines.

# The supervisor of the sandbox running sleep MARK: the isolate-init whose
# parent is not an isolate-init (PID 1 shares its command line).
supervisor_of() {
    local p pp
    for p in $(running "^isolate-init .* sleep $1\$"); do
        pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || continue
        [ "$(cat "/proc/$pp/comm" 2>/dev/null)" = isolate-init ] || echo "$p"
    done
}

# A process whose parent dies is reparented; its zombie is reaped by the
# machine's init, not by the sandbox, so zombies are not counted here.
@test "when the calling shell is killed, the sandbox goes with it" {
    mark=$((40000 + RANDOM))
    in_shell "echo \$\$ > '$BATS_TEST_TMPDIR/shellpid'; isolate sh -c 'sleep $mark & sleep $mark'" &
    wait_until running "^sleep $mark" >/dev/null
    kill -9 "$(cat "$BATS_TEST_TMPDIR/shellpid")"
    wait_while running "^sleep $mark"
    ! running "^sleep $mark"
    ! running "^isolate-init .* sleep $mark\$"
}

@test "when the supervisor is killed, the sandbox goes with it" {
    mark=$((40000 + RANDOM))
    in_shell "isolate sleep $mark; echo rc=\$? > '$BATS_TEST_TMPDIR/rc'" &
    wait_until running "^sleep $mark" >/dev/null
    sup=$(supervisor_of "$mark")
    [ -n "$sup" ]
    kill -9 $sup
    wait_while running "^sleep $mark"
    wait
    [ "$(cat "$BATS_TEST_TMPDIR/rc")" = "rc=137" ]
}

@test "nothing is left when isolate returns, run after run" {
    for i in 1 2 3; do iso "$PROBE" daemon 33333 >/dev/null; done
    ! running "probe daemon 33333"
    ! running "^isolate-init .*probe daemon 33333"
}
