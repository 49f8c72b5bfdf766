#!/usr/bin/env bats
# --net in a real terminal: Ctrl-C ends the sandbox and its NAT helper; Ctrl-Z
# suspends the job and fg resumes it with its network. Needs the test network
# (tools/test-net, built by tests/run as root).
load ../lib/tmux

setup() {
    [ -n "${ISOLATE_TEST_NET:-}" ] ||
        fail "needs the test network: run tests/run as root (it builds it with tools/test-net)"
}
teardown() { tmux_stop; }

# The NAT helper: the child of the supervisor (the shell's child) that is not
# isolate-init. (Not from -v's report: bash prints a job's "Stopped" on the
# builtin's stderr, which a 2> would take away from the screen.)
helper_pid() {
    local shell sup pid
    shell=$(tmux_cmd display-message -p -t t '#{pane_pid}')
    for sup in $(pgrep -P "$shell"); do
        for pid in $(pgrep -P "$sup"); do
            [ "$(cat "/proc/$pid/comm")" != isolate-init ] && echo "$pid" && return 0
        done
    done
    return 1
}

alive() {
    local st
    st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$st" != Z ]
}

ctrl_c() {
    tmux_start "$1"
    tmux_type "isolate --net '$PROBE' sleep 100"
    wait_until running "^$PROBE sleep 100" >/dev/null
    pid=$(helper_pid)
    alive "$pid"
    tmux_keys C-c
    tmux_run 'echo "status=$?"'
    tmux_screen | grep -q "^status=130$"
    ! running "^$PROBE sleep 100"
    ! alive "$pid"
}

@test "bash: Ctrl-C ends a --net sandbox, and its helper is gone" { ctrl_c bash; }
@test "zsh: Ctrl-C ends a --net sandbox, and its helper is gone" { ctrl_c zsh; }

ctrl_z() {
    local stopped=$2
    tmux_start "$1"
    # The name is looked up after fg: the network works after the pause.
    tmux_type "isolate --net sh -c '\"$PROBE\" sleep 2; getent hosts $ISOLATE_TEST_INET_NAME'"
    wait_until running "^$PROBE sleep 2" >/dev/null
    tmux_keys C-z
    tmux_wait "$stopped"
    pid=$(helper_pid)
    alive "$pid"
    tmux_run "fg"
    tmux_screen | grep -q "^$ISOLATE_TEST_INET_ADDR .*$ISOLATE_TEST_INET_NAME"
    [ "$(tmux_rc)" = 0 ]
    ! alive "$pid"
}

@test "bash: a --net sandbox suspended with Ctrl-Z resumes with its network" { ctrl_z bash Stopped; }
@test "zsh: a --net sandbox suspended with Ctrl-Z resumes with its network" { ctrl_z zsh suspended; }
