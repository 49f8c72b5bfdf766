#!/usr/bin/env bats
# The PID namespace: PID 1, its protection, signals, and nothing that survives.
load ../lib/common

@test "the command runs as PID 2 under a PID 1 of isolate's" {
    run iso "$PROBE" proc
    has_line "pid=2"
    has_line "ppid=1"
}

@test "only the sandbox's own processes are visible" {
    run iso sh -c 'ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\n" " "'
    [ "$status" -eq 0 ]
    # PID 1, sh, and the pipeline's own few processes: small numbers only.
    [[ "$output" =~ ^1\ 2\ [0-9\ ]*$ ]]
    for pid in $output; do [ "$pid" -lt 20 ]; done
}

@test "PID 1 cannot be read, traced or signalled from inside" {
    run iso "$PROBE" try init-mem
    [ "$output" = "init-mem=EACCES" ]
    run iso "$PROBE" try init-environ
    [ "$output" = "init-environ=EACCES" ]
    run iso "$PROBE" try init-fd
    [ "$output" = "init-fd=EACCES" ]
    run iso "$PROBE" try ptrace-init
    [ "$output" = "ptrace-init=EPERM" ]
    # kill(1, SIGKILL) "succeeds" but a PID 1 ignores it: the run goes on.
    run iso sh -c "$PROBE try init-kill; echo still-here"
    has_line still-here
}

# An interactive shell ignores SIGTERM, SIGQUIT and the stop signals for
# itself; the command must not inherit that, only what the user set with
# trap '' (here SIGUSR1, bit 10 of the mask), and what the shell itself
# inherited as ignored.
@test "the command starts with the user's ignored signals, not the interactive shell's" {
    local script='trap "" USR1; isolate -q grep SigIgn /proc/self/status'
    case $ISOLATE_FRONTEND in
    cli) run bash --norc -i -c "isolate() { \"$ISOLATE_ROOT/cli/isolate\" \"\$@\"; }; $script" ;;
    bash) run bash --norc -i -c "enable -f \"$ISOLATE_ROOT/builtin/isolate.so\" isolate; $script" ;;
    zsh) run zsh -f -i -c "module_path=(\"$ISOLATE_ROOT/zsh-module\" \$module_path); zmodload isolate; $script" ;;
    esac
    # Plus whatever the environment running the tests ignores (GNU make
    # starts its recipes with glibc's reserved signals 32 and 33 ignored).
    local base
    base=$(awk '/^SigIgn:/ { print $2 }' /proc/self/status)
    has_line "$(printf 'SigIgn:\t%016x' $((0x$base | 0x200)))"
}

@test "nothing the command leaves running survives it" {
    mark=$((40000 + RANDOM))
    run iso "$PROBE" daemon "$mark"
    [ "$status" -eq 0 ]
    has_line "daemon=started"
    ! running "probe daemon $mark"
}

@test "a forked tree is killed with the command, even detached" {
    mark=$((40000 + RANDOM))
    run iso sh -c "setsid sleep $mark >/dev/null 2>&1 & (sleep $mark &) ; exit 4"
    [ "$status" -eq 4 ]
    ! running "^sleep $mark"
}

@test "signals sent to isolate reach the command" {
    run in_shell "
        isolate '$PROBE' sigwait 10 > '$BATS_TEST_TMPDIR/out' & job=\$!
        for i in \$(seq 50); do grep -q waiting '$BATS_TEST_TMPDIR/out' && break; sleep 0.1; done
        sup=\$(pgrep -P \$job -x isolate-init || echo \$job)
        kill -USR1 \$sup
        wait \$job; echo rc=\$?"
    has_line "rc=0"
    grep -q "got=USR1" "$BATS_TEST_TMPDIR/out"
}

@test "SIGTERM to isolate terminates the command with 143" {
    run in_shell "
        isolate '$PROBE' sleep 30 & job=\$!
        sleep 0.5
        sup=\$(pgrep -P \$job -x isolate-init || echo \$job)
        kill -TERM \$sup
        wait \$job; echo rc=\$?"
    has_line "rc=143"
}
