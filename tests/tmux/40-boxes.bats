#!/usr/bin/env bats
# A box without a command: the user's own shell, interactive, in the box, with
# a prompt that shows it (the sandbox's host name is isolate-NAME); what is
# done there stays in the box's home; leaving it gives the prompt back.
load ../lib/tmux

setup() {
    SCRATCH=$(mktemp -d "$HOME/isolate-box.XXXXXX")
    export XDG_DATA_HOME=$SCRATCH/data
}

teardown() {
    tmux_stop
    rm -rf "$SCRATCH"
}

@test "bash: isolate --box opens an interactive bash in the box, its prompt naming it" {
    tmux_start bash
    tmux_type "cd; clear; isolate --box dev"
    # Debian's /etc/bash.bashrc prompt: user@host:dir$
    tmux_wait "^$(id -un)@isolate-dev:~\\$ ?$"
    tmux_type 'echo "in=$ISOLATE_BOX"; echo kept > ~/kept; sleep 100 & jobs'
    tmux_wait "^in=dev$"
    tmux_wait "^\[1\]\+ +Running +sleep 100"
    tmux_type "exit"
    tmux_wait '^\$ ?$'
    tmux_run 'echo "back rc=$? $HOSTNAME"'
    tmux_screen | grep -q "^back rc=0 $(hostname)$"
    [ "$(cat "$XDG_DATA_HOME/isolate/boxes/dev/home/kept")" = kept ]
    ! running "^sleep 100$"
    # The next session finds the box as it was left.
    tmux_type "isolate --box dev"
    tmux_wait "^$(id -un)@isolate-dev:~\\$ ?$"
    tmux_type "cat ~/kept"
    tmux_wait "^kept$"
    tmux_type "exit"
    tmux_wait '^\$ ?$'
}

@test "zsh: isolate --box opens an interactive zsh in the box; its new-user setup is kept" {
    tmux_start zsh
    tmux_type "cd; clear; isolate --box z"
    # A fresh home: zsh offers its new-user configuration, as to a new user.
    tmux_wait "zsh-newuser-install"
    tmux_keys 0
    tmux_wait "^isolate-z% ?$"
    tmux_type 'echo "in=$ISOLATE_BOX"'
    tmux_wait "^in=z$"
    tmux_type "exit"
    tmux_wait '^\$ ?$'
    [ -f "$XDG_DATA_HOME/isolate/boxes/z/home/.zshrc" ]
    tmux_type "clear; isolate --box z"
    tmux_wait "^isolate-z% ?$"
    ! tmux_screen | grep -q "zsh-newuser-install"
    tmux_type "exit"
    tmux_wait '^\$ ?$'
}

completion() {
    local sh=$1 before=$2
    "$ISOLATE_ROOT/cli/isolate" -q --box alpha true
    "$ISOLATE_ROOT/cli/isolate" -q --box beta true
    tmux_start_hooked "$sh" "$before"
    tmux_prompt
    tmux_cmd send-keys -t t -l "isolate --rm-box al"
    tmux_keys Tab
    tmux_wait '^\$ isolate --rm-box alpha ?$'
    tmux_keys C-u
    tmux_cmd send-keys -t t -l "isolate -q --box b"
    tmux_keys Tab
    tmux_wait '^\$ isolate -q --box beta ?$'
    tmux_cmd send-keys -t t -l -- "--x1"
    tmux_keys Tab
    tmux_wait '^\$ isolate -q --box beta --x11 ?$'
    tmux_keys C-u
}

@test "bash: completion offers the boxes for --box and --rm-box" { completion bash ""; }
@test "zsh: completion offers the boxes for --box and --rm-box" {
    completion zsh "autoload -Uz compinit && compinit -u -d $BATS_TEST_TMPDIR/zcompdump"
}
