#!/usr/bin/env bats
# The protective defaults, without any option: a fork bomb, a memory bomb and
# a /tmp filler each end the sandbox with a verdict, while a probe outside
# keeps answering.
load ../lib/common
bats_require_minimum_version 1.5.0

# Runs a probe outside in the background: every 0.1 s it starts /bin/true and
# records how long that took, in ms. Started a moment before the sandbox.
start_probe() {
    bash -c 'while :; do
        t0=${EPOCHREALTIME/./}
        /bin/true
        echo $(((${EPOCHREALTIME/./} - t0) / 1000))
        read -rt 0.1 <> <(:) || :
    done' >"$BATS_TEST_TMPDIR/probe" &
    PROBE_PID=$!
    sleep 0.3
}

stop_probe() {
    kill "$PROBE_PID"
    wait "$PROBE_PID" 2>/dev/null || true
    n=$(wc -l <"$BATS_TEST_TMPDIR/probe")
    worst=$(sort -n "$BATS_TEST_TMPDIR/probe" | tail -1)
    echo "# outside probe: $n answers, worst ${worst} ms" >&3
    [ "$n" -ge 2 ] || fail "the probe outside answered only $n times"
    # Generous: this is about the machine staying usable, not about speed.
    [ "$worst" -lt 5000 ] || fail "the probe outside once waited ${worst} ms"
}

verdict() { sed -E 's/.*"status": "([A-Z]+)".*/\1/' "$BATS_TEST_TMPDIR/r.json"; }

@test "a fork bomb ends with PL and the machine keeps answering" {
    start_probe
    run --separate-stderr timeout 120 $(iso_cmd) --report "$BATS_TEST_TMPDIR/r.json" \
        bash -c 'f() { f | f; }; f'
    stop_probe
    [ "$status" -eq 137 ]
    [ "$(verdict)" = PL ]
    ! running "^bash -c f()"
}

@test "a memory bomb ends with ML and the machine keeps answering" {
    start_probe
    run --separate-stderr timeout 120 $(iso_cmd) --report "$BATS_TEST_TMPDIR/r.json" \
        "$ISOLATE_ROOT/tests/membomb"
    stop_probe
    [ "$(verdict)" = ML ]
    # Stopped by the watchdog (137), or refused first by the kernel's backstop.
    [ "$status" -eq 137 ] || [ "$status" -eq 3 ]
}

@test "filling the private /tmp ends with OL and the machine keeps answering" {
    start_probe
    run --separate-stderr timeout 120 $(iso_cmd) --report "$BATS_TEST_TMPDIR/r.json" \
        sh -c 'cat /dev/zero > /tmp/fill; sleep 60'
    stop_probe
    [ "$status" -eq 137 ]
    [ "$(verdict)" = OL ]
}
