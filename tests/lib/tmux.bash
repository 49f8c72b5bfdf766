# tests/lib/tmux.bash - drive a real interactive bash or zsh through tmux.
#
#   tmux_start bash|zsh     start the shell in a private tmux server, load isolate
#   tmux_start_hooked SH [BEFORE] [AFTER]
#                           start SH with shell/isolate.SH sourced (the line hook
#                           and the paste guard); BEFORE and AFTER are shell code
#                           run before and after it (other plugins)
#   tmux_paste TEXT         paste TEXT as a terminal does (bracketed paste)
#   tmux_prompt             wait until the shell shows an empty prompt again
#   tmux_type TEXT          type TEXT (literally), then Enter
#   tmux_keys KEY...        send keys (C-c, C-z, ...)
#   tmux_wait REGEX [SECS]  wait until the screen matches REGEX (extended)
#   tmux_screen             print the screen
#   tmux_stop               kill the server

load ../lib/common

TMUX_SOCK=isolate-test-$$-$BATS_TEST_NUMBER

tmux_cmd() { tmux -L "$TMUX_SOCK" "$@"; }

tmux_screen() { tmux_cmd capture-pane -p -t t; }

tmux_wait() {
    local re=$1 secs=${2:-5} i
    for ((i = 0; i < secs * 20; i++)); do
        tmux_screen | grep -Eq -- "$re" && return 0
        sleep 0.05
    done
    echo "screen never matched /$re/:" >&2
    tmux_screen | grep -v "^$" >&2
    return 1
}

tmux_type() {
    tmux_cmd send-keys -t t -l -- "$1"
    tmux_cmd send-keys -t t Enter
}

tmux_keys() { tmux_cmd send-keys -t t "$@"; }

# Runs TEXT and waits for its end, marked on screen by "done-N rc=STATUS".
TMUX_N=0
tmux_run() {
    TMUX_N=$((TMUX_N + 1))
    tmux_type "$1; echo done-$TMUX_N rc=\$?"
    tmux_wait "^done-$TMUX_N rc=" "${2:-10}"
}

# The status printed by the last tmux_run.
tmux_rc() {
    tmux_screen | sed -nE "s/^done-$TMUX_N rc=([0-9]+).*/\1/p" | tail -1
}

tmux_start() {
    local sh=$1
    case $sh in
    bash)
        tmux_cmd new-session -d -s t -x 160 -y 50 "env PS1='$ ' bash --norc --noprofile -i"
        tmux_wait '^\$ ?$'
        tmux_type "enable -f '$ISOLATE_ROOT/builtin/isolate.so' isolate && echo loaded"
        ;;
    zsh)
        tmux_cmd new-session -d -s t -x 160 -y 50 "env PS1='$ ' zsh -f -i"
        tmux_wait '^\$ ?$'
        tmux_type "module_path=('$ISOLATE_ROOT/zsh-module' \$module_path); zmodload isolate && echo loaded"
        ;;
    esac
    tmux_wait '^loaded$'
    tmux_type "cd '$BATS_TEST_TMPDIR'; clear"
    sleep 0.2
}

tmux_start_hooked() {
    local sh=$1 before=${2:-} after=${3:-}
    case $sh in
    bash)
        tmux_cmd new-session -d -s t -x 160 -y 50 \
            "env PS1='$ ' HISTFILE='$BATS_TEST_TMPDIR/.history' bash --norc --noprofile -i"
        ;;
    zsh)
        tmux_cmd new-session -d -s t -x 160 -y 50 \
            "env PS1='$ ' HISTFILE='$BATS_TEST_TMPDIR/.history' HISTSIZE=100 zsh -f -i"
        ;;
    esac
    tmux_wait '^\$ ?$'
    tmux_type "${before:+$before; }source '$ISOLATE_ROOT/shell/isolate.$sh'${after:+; $after}; echo loaded"
    tmux_wait '^loaded$'
    tmux_type "cd '$BATS_TEST_TMPDIR'; clear"
    sleep 0.2
}

# tmux sends the buffer between the terminal's paste markers (\e[200~ ...
# \e[201~), newlines as carriage returns, as terminals do.
tmux_paste() {
    tmux_cmd set-buffer -b paste -- "$1"
    tmux_cmd paste-buffer -p -d -b paste -t t
}

# A terminal brackets a paste only while the shell's line editor asks for it:
# a paste that comes while a command or the prompt hooks still run is typed.
tmux_prompt() {
    local i
    for ((i = 0; i < 100; i++)); do
        if [[ $(tmux_screen | grep -v '^$' | tail -1) =~ ^\$\ ?$ ]]; then
            sleep 0.1
            return 0
        fi
        sleep 0.05
    done
    echo "no prompt:" >&2
    tmux_screen | grep -v "^$" >&2
    return 1
}

tmux_stop() { tmux_cmd kill-server 2>/dev/null || true; }
