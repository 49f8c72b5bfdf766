#!/usr/bin/env bats
# Real interactive bash and zsh sessions: the sandbox owns the terminal while
# it runs, Ctrl-C and Ctrl-Z reach it and not the shell, jobs/fg/bg work, and
# the shell gets the terminal back.
load ../lib/tmux

teardown() { tmux_stop; }

ctrl_c() {
    tmux_start "$1"
    tmux_type "isolate '$PROBE' sleep 100"
    wait_until running "^$PROBE sleep 100" >/dev/null
    tmux_keys C-c
    # The status is the command's (SIGINT: 130), and the prompt is back.
    tmux_run 'echo "status=$?"'
    tmux_screen | grep -q "^status=130$"
    ! running "^$PROBE sleep 100"
    # As for any command, the shell abandons the rest of the line.
    tmux_type "isolate '$PROBE' sleep 100; echo not-reached"
    wait_until running "^$PROBE sleep 100" >/dev/null
    tmux_keys C-c
    tmux_run "echo alive"
    ! tmux_screen | grep -q "^not-reached"
}

@test "bash: Ctrl-C ends the sandboxed command with 130, the shell lives on" { ctrl_c bash; }
@test "zsh: Ctrl-C ends the sandboxed command with 130, the shell lives on" { ctrl_c zsh; }

ctrl_z() {
    local stopped=$2
    tmux_start "$1"
    tmux_type "isolate '$PROBE' sleep 100"
    wait_until running "^$PROBE sleep 100" >/dev/null
    tmux_keys C-z
    tmux_wait "$stopped"
    tmux_run "jobs"
    tmux_screen | grep -Eq "\[1\].*(Stopped|suspended).*isolate"
    # The command really is stopped (state T), not merely the supervisor.
    pid=$(running "^$PROBE sleep 100")
    [ "$(sed -E 's/^.*\) (.).*$/\1/' /proc/$pid/stat)" = T ]
    tmux_type "fg"
    sleep 0.5
    pid=$(running "^$PROBE sleep 100")
    [ "$(sed -E 's/^.*\) (.).*$/\1/' /proc/$pid/stat)" = S ]
    tmux_keys C-c
    tmux_run "echo back"
    ! running "^$PROBE sleep 100"
}

@test "bash: Ctrl-Z stops the sandbox as a job; jobs and fg work" { ctrl_z bash "Stopped"; }
@test "zsh: Ctrl-Z stops the sandbox as a job; jobs and fg work" { ctrl_z zsh "suspended"; }

bg_then_finish() {
    tmux_start "$1"
    tmux_type "isolate -w . sh -c 'sleep 1; echo finished > out'"
    sleep 0.3
    tmux_keys C-z
    tmux_wait "$2"
    tmux_run "bg"
    tmux_run "wait"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = finished ]
}

@test "bash: a stopped sandbox resumes in the background with bg" { bg_then_finish bash Stopped; }
@test "zsh: a stopped sandbox resumes in the background with bg" { bg_then_finish zsh suspended; }

terminal() {
    tmux_start "$1"
    tmux_run "isolate '$PROBE' tty"
    tmux_screen | grep -q "^foreground=1"
    # Terminal input reaches the sandboxed command, and the shell gets it back.
    tmux_type "isolate sh -c 'read x; echo \"got=\$x\"'"
    sleep 0.5
    tmux_type "typed-into-sandbox"
    tmux_wait "^got=typed-into-sandbox$"
    tmux_type "read y"
    tmux_type "typed-into-shell"
    tmux_run 'echo "y=$y"'
    tmux_screen | grep -q "^y=typed-into-shell$"
}

@test "bash: the sandbox owns the terminal while it runs, the shell afterwards" { terminal bash; }
@test "zsh: the sandbox owns the terminal while it runs, the shell afterwards" { terminal zsh; }

quit_and_kill() {
    tmux_start "$1"
    tmux_type "isolate '$PROBE' sleep 100"
    wait_until running "^$PROBE sleep 100" >/dev/null
    tmux_keys 'C-\'
    tmux_run 'true'
    ! running "^$PROBE sleep 100"
    # kill 0 inside reaches the sandbox's own process group only.
    tmux_run "isolate sh -c 'kill -TERM 0; sleep 5'"
    [ "$(tmux_rc)" = 143 ]
    tmux_run "echo still-here"
}

@test "bash: Ctrl-\\ and kill 0 inside end only the sandbox" { quit_and_kill bash; }
@test "zsh: Ctrl-\\ and kill 0 inside end only the sandbox" { quit_and_kill zsh; }

script_terminal() {
    tmux_start "$1"
    cat >"$BATS_TEST_TMPDIR/script" <<'SCRIPT'
enable -f "$ISOLATE_ROOT/builtin/isolate.so" isolate
isolate sh -c 'read x; echo "got=$x"'
read y
echo "script-got=$y"
SCRIPT
    # A script has no job control: isolate still hands the terminal over and back.
    tmux_type "ISOLATE_ROOT='$ISOLATE_ROOT' bash '$BATS_TEST_TMPDIR/script'"
    sleep 0.5
    tmux_type "to-sandbox"
    tmux_wait "^got=to-sandbox$"
    tmux_type "to-script"
    tmux_wait "^script-got=to-script$"
    tmux_run "echo prompt-back"
}

@test "bash script: isolate gets the terminal and gives it back" { script_terminal bash; }

@test "zsh script: isolate gets the terminal and gives it back" {
    tmux_start bash
    cat >"$BATS_TEST_TMPDIR/script" <<'SCRIPT'
module_path=("$ISOLATE_ROOT/zsh-module" $module_path); zmodload isolate
isolate sh -c 'read x; echo "got=$x"'
read y
echo "script-got=$y"
SCRIPT
    tmux_type "ISOLATE_ROOT='$ISOLATE_ROOT' zsh -f '$BATS_TEST_TMPDIR/script'"
    sleep 0.5
    tmux_type "to-sandbox"
    tmux_wait "^got=to-sandbox$"
    tmux_type "to-script"
    tmux_wait "^script-got=to-script$"
    tmux_run "echo prompt-back"
}
