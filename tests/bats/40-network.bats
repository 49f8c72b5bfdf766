#!/usr/bin/env bats
# The network namespace: loopback only, up; nothing of the host's reachable.
load ../lib/common

@test "only a loopback interface, and it is up" {
    run iso sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
    [ "$output" = lo ]
    run iso "$PROBE" loopback
    [ "$output" = "loopback=ok" ]
}

@test "a service on the host's loopback is unreachable" {
    port=$(free_port)
    "$PROBE" listen-tcp "$port" 10 >"$BATS_TEST_TMPDIR/srv" &
    srv=$!
    wait_until grep -q listening "$BATS_TEST_TMPDIR/srv"
    run "$PROBE" connect-tcp 127.0.0.1 "$port"
    [ "$output" = "connect=ok" ] || { kill $srv; fail "host server not reachable from the host"; }
    run iso "$PROBE" connect-tcp 127.0.0.1 "$port"
    kill $srv
    [ "$output" = "connect=ECONNREFUSED" ]
}

@test "the host's abstract unix sockets are unreachable" {
    name=isolate-test-$RANDOM
    "$PROBE" listen-abstract "$name" 10 >"$BATS_TEST_TMPDIR/srv" &
    srv=$!
    wait_until grep -q listening "$BATS_TEST_TMPDIR/srv"
    run "$PROBE" connect-abstract "$name"
    [ "$output" = "connect=ok" ] || { kill $srv; fail "host socket not reachable from the host"; }
    run iso "$PROBE" connect-abstract "$name"
    kill $srv
    [ "$output" = "connect=ECONNREFUSED" ]
}

@test "no route anywhere" {
    run iso "$PROBE" connect-tcp 192.0.2.1 80
    [ "$output" = "connect=ENETUNREACH" ]
}
