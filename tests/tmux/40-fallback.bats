#!/usr/bin/env bats
# The fallback to the isolate program (core/fallback.c), in real interactive
# bash and zsh sessions refused clone(CLONE_NEWUSER) by a seccomp filter
# (tests/nouserns --clone-only; the program, which unshares, is allowed, as
# AppArmor allows a program with a profile): the program is the job, so the
# terminal, Ctrl-C, Ctrl-Z and fg work as for the builtin itself.
load ../lib/tmux

teardown() { tmux_stop; }

start_refused() {
    local sh=$1 opts
    case $sh in bash) opts="--norc --noprofile -i" ;; zsh) opts="-f -i" ;; esac
    tmux_cmd new-session -d -s t -x 160 -y 50 \
        "env PS1='$ ' '$ISOLATE_ROOT/tests/nouserns' --clone-only $sh $opts"
    tmux_wait '^\$ ?$'
    case $sh in
    bash) tmux_type "enable -f '$ISOLATE_ROOT/builtin/isolate.so' isolate && echo loaded" ;;
    zsh) tmux_type "module_path=('$ISOLATE_ROOT/zsh-module' \$module_path); zmodload isolate && echo loaded" ;;
    esac
    tmux_wait '^loaded$'
    tmux_type "cd '$BATS_TEST_TMPDIR'; clear"
    sleep 0.2
}

fallback_job() {
    local stopped=$2
    start_refused "$1"
    tmux_type "isolate '$PROBE' sleep 107"
    wait_until running "^$PROBE sleep 107" >/dev/null
    tmux_wait "running .*/isolate instead"
    # The sandboxed command holds the terminal: Ctrl-Z stops it as a job.
    tmux_keys C-z
    tmux_wait "$stopped"
    pid=$(running "^$PROBE sleep 107")
    [ "$(sed -E 's/^.*\) (.).*$/\1/' /proc/$pid/stat)" = T ]
    tmux_type "fg"
    sleep 0.5
    [ "$(sed -E 's/^.*\) (.).*$/\1/' /proc/$pid/stat)" = S ]
    # Ctrl-C ends it with 130, and the shell lives on with its terminal.
    tmux_keys C-c
    tmux_run 'echo "status=$?"'
    tmux_screen | grep -q "^status=130$"
    ! running "^$PROBE sleep 107"
    tmux_run "isolate -q hostname"
    tmux_screen | grep -q "^isolate$"
}

@test "bash refused a user namespace: the program runs as the job; Ctrl-Z, fg, Ctrl-C" {
    fallback_job bash "Stopped"
}
@test "zsh refused a user namespace: the program runs as the job; Ctrl-Z, fg, Ctrl-C" {
    fallback_job zsh "suspended"
}
