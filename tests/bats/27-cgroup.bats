#!/usr/bin/env bats
# A delegated cgroup v2: each sandbox gets one of its own next to the
# caller's, which counts and kills the whole tree and is removed afterwards.
# tests/run, run as root, delegates a cgroup to the test user and runs the
# suites inside it; elsewhere a systemd user session provides one.
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    ROOT=$(delegated_root) ||
        fail "no delegated cgroup v2 here: run tests/run as root, or from a systemd user session"
    R=$BATS_TEST_TMPDIR/report.json
}

@test "each sandbox gets a cgroup of its own, inside, and it is removed afterwards" {
    run iso --report "$R" sh -c 'grep "^0::" /proc/self/cgroup'
    [ "$status" -eq 0 ]
    [ "$output" = "0::/" ] # a cgroup namespace rooted at the sandbox's cgroup
    grep -q '"cgroup": true' "$R"
    ! ls -d "$ROOT"/isolate-* 2>/dev/null
}

@test "a cgroup left by a supervisor killed outright is removed by the next run" {
    local pid=$$
    while kill -0 "$pid" 2>/dev/null; do pid=$((pid + 7919)); done # a pid nobody has
    mkdir "$ROOT/isolate-$pid-0" "$ROOT/isolate-$$-9"
    run iso true
    [ "$status" -eq 0 ]
    [ ! -e "$ROOT/isolate-$pid-0" ]
    [ -d "$ROOT/isolate-$$-9" ] # its creator lives: it may be about to be used
    rmdir "$ROOT/isolate-$$-9"
}

@test "the cgroup is there while the sandbox runs, with its processes" {
    iso sh -c 'sleep 2' &
    job=$!
    wait_until compgen -G "$ROOT/isolate-*" >/dev/null
    cg=$(compgen -G "$ROOT/isolate-*" | head -1)
    wait_until grep -q . "$cg/cgroup.procs"
    [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ] # PID 1 and the command
    wait $job
    ! [ -e "$cg" ]
}

@test "the sandbox cannot move itself out of its cgroup" {
    run iso sh -c 'echo $$ > '"$ROOT"'/cgroup.procs; echo $$ > '"${ROOT%/*}"'/cgroup.procs
                   grep "^0::" /proc/self/cgroup'
    [[ "$output" == *"Read-only file system"* ]]
    [ "${lines[-1]}" = "0::/" ]
}

@test "CPU time is the cgroup's: exact, killed processes included" {
    run iso --time 1 --report "$R" sh -c '(while :; do :; done) & (while :; do :; done) & wait'
    grep -q '"status": "TO"' "$R"
    grep -q '"time": "cgroup/watchdog"' "$R"
    cpu=$(sed -E 's/.*"cpu_s": ([0-9.]+).*/\1/' "$R")
    awk -v c="$cpu" 'BEGIN { exit !(c >= 1.0 && c < 1.5) }' || fail "cpu_s $cpu"
}

@test "ISOLATE_CGROUP=none: no cgroup, the watchdog alone" {
    ISOLATE_CGROUP=none run iso --report "$R" true
    grep -q '"cgroup": false' "$R"
}

# tests/run, as root, moves the pids controller to cgroup v2 when its v1
# hierarchy is empty (tools/as-user); a systemd user session delegates it.
@test "the process limit is the cgroup's pids.max, PID 1 included" {
    grep -qw pids "$ROOT/cgroup.controllers" ||
        fail "no pids controller in the delegated cgroup $ROOT (tools/as-user provides one)"
    iso --pids 7 sh -c 'sleep 2' &
    job=$!
    wait_until compgen -G "$ROOT/isolate-*/pids.max" >/dev/null
    cg=$(compgen -G "$ROOT/isolate-*" | head -1)
    [ "$(cat "$cg/pids.max")" = 8 ]
    wait $job
}

@test "pids.max counts threads: N tasks run, the next is refused and the verdict is PL at once" {
    grep -qw pids "$ROOT/cgroup.controllers" || fail "no pids controller in $ROOT"
    run iso --pids 4 --report "$R" "$PROBE" threads 3 1
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = threads=3 ]
    grep -q '"status": "OK"' "$R"
    grep -q '"max_pids": 4,' "$R"
    grep -q '"pids": "cgroup"' "$R"
    t0=$(date +%s%N)
    run --separate-stderr iso --pids 4 --report "$R" "$PROBE" threads 4 5
    t1=$(date +%s%N)
    # Killed as the fifth task is refused: the probe may not have said so yet.
    [ "$status" -eq 137 ]
    [[ $'threads=3\nerror=EAGAIN' == "$output"* ]] || fail "$output"
    grep -q '"status": "PL"' "$R"
    grep -q '"killed_by": "pids"' "$R"
    [[ "$stderr" == *"process limit (4) reached"* ]]
    # The refusal is seen when it happens, not when the threads would end.
    [ $(((t1 - t0) / 1000000)) -lt 2000 ]
}
