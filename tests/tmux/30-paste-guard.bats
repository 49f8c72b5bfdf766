#!/usr/bin/env bats
# The paste guard of shell/isolate.bash and shell/isolate.zsh in real
# interactive sessions. tmux pastes as a terminal does (between the bracketed
# paste markers). The pasted line decodes and runs
#     hostname; hostname > p.txt
# so where it ran shows: inside, "isolate" on the screen and no p.txt (the
# current directory is read-only there); outside, the real host name in p.txt.
load ../lib/tmux

teardown() { tmux_stop; }

content() { cat "$BATS_TEST_TMPDIR/$1"; }

PAYLOAD=$(printf 'hostname; hostname > p.txt\n' | base64 -w0)
DANGER="echo $PAYLOAD | base64 -d | sh"
FINDINGS='this paste deserves a second look'
QUESTION='\[i\]solate it, \[r\]un it anyway, \[e\]dit, \[c\]ancel\?'

ran_inside() {
    tmux_wait '^isolate$'
    [ ! -e "$BATS_TEST_TMPDIR/p.txt" ]
}
ran_outside() {
    wait_until test -s "$BATS_TEST_TMPDIR/p.txt"
    [ "$(content p.txt)" = "$(hostname)" ]
}
ran_nothing() {
    sleep 0.5
    [ ! -e "$BATS_TEST_TMPDIR/p.txt" ]
    ! tmux_screen | grep -q '^isolate$'
}

# Pastes, waits, and presses Enter: the question comes only then.
paste_enter() {
    tmux_prompt
    tmux_paste "$1"
    sleep 0.4
    ! tmux_screen | grep -q "$FINDINGS"
    tmux_keys Enter
}

ask() {
    local sh=$1
    tmux_start_hooked "$sh"
    # [i]solate: inside; history keeps the pasted line.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_wait 'decode-to-shell'
    ran_nothing
    tmux_keys i
    ran_inside
    tmux_run "clear"
    # Enter at the question is [i]solate too.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys Enter
    ran_inside
    # [r]un anyway: outside.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys r
    ran_outside
    case $sh in
    bash) tmux_run 'history > hist.txt' ;;
    zsh) tmux_run 'fc -ln 1 > hist.txt' ;;
    esac
    [ "$(grep -cF "$DANGER" "$BATS_TEST_TMPDIR/hist.txt")" -ge 3 ]
    ! grep -qF -- "-c 'echo" "$BATS_TEST_TMPDIR/hist.txt"
}

@test "bash: a dangerous paste waits for Enter, then asks; isolate runs it inside, run anyway outside" {
    ask bash
}
@test "zsh: a dangerous paste waits for Enter, then asks; isolate runs it inside, run anyway outside" {
    ask zsh
}

edit_cancel() {
    tmux_start_hooked "$1"
    # [e]dit: nothing runs, the line stays to be edited; Enter asks again.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys e
    ran_nothing
    tmux_wait "^\\$ ${DANGER//|/\\|}"
    tmux_keys Enter
    tmux_wait "$QUESTION"
    # [c]ancel: nothing runs, the line is gone.
    tmux_keys c
    ran_nothing
    tmux_run "echo next"
    # Ctrl-C at the question: nothing runs, the shell lives on.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys C-c
    ran_nothing
    tmux_run "echo alive"
    [ "$(tmux_rc)" = 0 ]
    ran_nothing
}

@test "bash: [e]dit keeps the line, [c]ancel and Ctrl-C drop it; nothing runs" { edit_cancel bash; }
@test "zsh: [e]dit keeps the line, [c]ancel and Ctrl-C drop it; nothing runs" { edit_cancel zsh; }

modes() {
    tmux_start_hooked "$1"
    tmux_run "ISOLATE_PASTE=isolate"
    paste_enter "$DANGER"
    tmux_wait 'running it isolated'
    ran_inside
    tmux_run "clear; ISOLATE_PASTE=warn"
    paste_enter "$DANGER"
    tmux_wait 'running it as pasted'
    ran_outside
    rm "$BATS_TEST_TMPDIR/p.txt"
    tmux_run "clear; ISOLATE_PASTE=off"
    paste_enter "$DANGER"
    ran_outside
    ! tmux_screen | grep -q "$FINDINGS"
}

@test "bash: ISOLATE_PASTE=isolate runs inside without asking, =warn and =off run as pasted" {
    modes bash
}
@test "zsh: ISOLATE_PASTE=isolate runs inside without asking, =warn and =off run as pasted" {
    modes zsh
}

once() {
    tmux_start_hooked "$1"
    # The one-shot bypass: the next paste only.
    tmux_run "ISOLATE_PASTE_ONCE=off"
    paste_enter "$DANGER"
    ran_outside
    ! tmux_screen | grep -q "$FINDINGS"
    rm "$BATS_TEST_TMPDIR/p.txt"
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys c
    ran_nothing
}

@test "bash: ISOLATE_PASTE_ONCE=off lets one paste through unchecked" { once bash; }
@test "zsh: ISOLATE_PASTE_ONCE=off lets one paste through unchecked" { once zsh; }

typed_and_clean() {
    tmux_start_hooked "$1"
    # Typed, the same line is not checked.
    tmux_type "$DANGER"
    ran_outside
    rm "$BATS_TEST_TMPDIR/p.txt"
    # A clean paste runs as pasted, without a word.
    paste_enter "hostname > clean.txt"
    wait_until test -s "$BATS_TEST_TMPDIR/clean.txt"
    [ "$(content clean.txt)" = "$(hostname)" ]
    ! tmux_screen | grep -q "$FINDINGS"
    # Recalled from history, a pasted line is not checked again.
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys i
    ran_inside
    tmux_run "clear"
    tmux_prompt
    tmux_keys Up Up
    tmux_wait "^\\$ ${DANGER//|/\\|}"
    tmux_keys Enter
    ran_outside
    ! tmux_screen | grep -q "$FINDINGS"
}

@test "bash: typed lines, clean pastes and lines from history are not interrogated" {
    typed_and_clean bash
}
@test "zsh: typed lines, clean pastes and lines from history are not interrogated" {
    typed_and_clean zsh
}

multiline() {
    tmux_start_hooked "$1"
    # Its newlines do not run it: nothing before Enter, then one question.
    tmux_prompt
    tmux_paste "hostname > first.txt
$DANGER
"
    sleep 0.6
    [ ! -e "$BATS_TEST_TMPDIR/first.txt" ]
    ran_nothing
    tmux_keys Enter
    tmux_wait "$QUESTION"
    tmux_wait 'line 2'
    tmux_keys i
    ran_inside
    [ ! -e "$BATS_TEST_TMPDIR/first.txt" ]
}

@test "bash: a multi-line paste runs nothing until Enter, then all of it inside" { multiline bash; }
@test "zsh: a multi-line paste runs nothing until Enter, then all of it inside" { multiline zsh; }

injection() {
    tmux_start_hooked "$1"
    # The paste holds the terminal's end marker: without the guard, the rest
    # would be typed, newline and all, and run at once. It is asked about at
    # once instead, without Enter, and nothing runs.
    tmux_prompt
    tmux_paste $'echo "harmless\e[201~"; hostname > inj.txt\n'
    tmux_wait "$QUESTION"
    tmux_wait 'paste-end'
    sleep 0.3
    [ ! -e "$BATS_TEST_TMPDIR/inj.txt" ]
    tmux_keys c
    sleep 0.3
    [ ! -e "$BATS_TEST_TMPDIR/inj.txt" ]
    tmux_run "echo next"
    # [i]solate: inside, where the current directory is read-only.
    tmux_prompt
    tmux_paste $'echo "harmless\e[201~"; hostname; hostname > inj.txt\n'
    tmux_wait "$QUESTION"
    tmux_keys i
    tmux_wait '^isolate$'
    [ ! -e "$BATS_TEST_TMPDIR/inj.txt" ]
}

@test "bash: a paste hiding the end-of-paste marker is held and asked about at once" {
    injection bash
}
@test "zsh: a paste hiding the end-of-paste marker is held and asked about at once" {
    injection zsh
}

vi_paste() {
    tmux_start_hooked "$1"
    tmux_run "$2"
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys i
    ran_inside
    # Enter in vi command mode.
    tmux_run "clear"
    tmux_prompt
    tmux_paste "$DANGER"
    sleep 0.3
    tmux_keys Escape
    sleep 0.7
    tmux_keys Enter
    tmux_wait "$QUESTION"
    tmux_keys r
    ran_outside
}

@test "bash: the guard in vi editing mode" { vi_paste bash 'set -o vi'; }
@test "zsh: the guard in vi editing mode" { vi_paste zsh 'bindkey -v'; }

@test "zsh: the guard with zsh-autosuggestions and zsh-syntax-highlighting loaded" {
    tmux_start_hooked zsh "source /usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh;
        source /usr/share/zsh-syntax-highlighting/zsh-syntax-highlighting.zsh"
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys i
    ran_inside
    tmux_run "clear"
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys r
    ran_outside
}

@test "bash: the guard with a preexec plugin loaded" {
    export PREEXEC_LOG=$BATS_TEST_TMPDIR/preexec.log
    tmux_start_hooked bash "source '$ISOLATE_ROOT/tests/lib/preexec.bash'"
    paste_enter "$DANGER"
    tmux_wait "$QUESTION"
    tmux_keys i
    ran_inside
    tmux_run "true"
    ! grep -q '__isolate' "$PREEXEC_LOG"
    grep -qF "preexec $DANGER" "$PREEXEC_LOG"
}
