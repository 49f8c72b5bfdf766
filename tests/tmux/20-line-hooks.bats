#!/usr/bin/env bats
# The line hook of shell/isolate.bash and shell/isolate.zsh in real interactive
# bash and zsh sessions: a typed line that starts with isolate and goes on with
# a pipeline or a list runs entirely inside one sandbox. Every test asserts on
# where things ran: the sandbox's host name is "isolate", and it sees the
# current directory only where -w . lets it write.
load ../lib/tmux

teardown() { tmux_stop; }

# Waits until FILE (in the test's directory) exists and is not empty.
wait_file() { wait_until test -s "$BATS_TEST_TMPDIR/$1"; }
content() { cat "$BATS_TEST_TMPDIR/$1"; }

# The shell's history, one entry a line (bash numbers them), in hist.txt.
dump_history() {
    case $1 in
    bash) tmux_run 'history > hist.txt' ;;
    zsh) tmux_run 'fc -ln 1 > hist.txt' ;;
    esac
}

pipeline() {
    local line="isolate -w . echo piped | sh -c 'cat > data.txt; hostname > host.txt'"
    tmux_start_hooked "$1"
    tmux_type "$line"
    wait_file host.txt
    [ "$(content host.txt)" = isolate ]
    [ "$(content data.txt)" = piped ]
    # The rewrite is shown; history keeps the line as typed, not the rewrite.
    tmux_wait "isolate -w \. -c 'echo piped \| sh -c"
    dump_history "$1"
    grep -qF -- "$line" "$BATS_TEST_TMPDIR/hist.txt"
    ! grep -qF -- "-c 'echo piped" "$BATS_TEST_TMPDIR/hist.txt"
}

@test "bash: isolate CMD | CMD runs the whole pipeline inside; history keeps the typed line" {
    pipeline bash
}
@test "zsh: isolate CMD | CMD runs the whole pipeline inside; history keeps the typed line" {
    pipeline zsh
}

without_hooks() {
    # The control: with the builtin alone, the rest of the pipeline runs on
    # the host (and isolate says so), which the tests above would catch.
    tmux_start "$1"
    tmux_type "isolate -w . echo piped | sh -c 'cat > data.txt; hostname > host.txt'"
    wait_file host.txt
    [ "$(content host.txt)" = "$(hostname)" ]
    tmux_wait "only this element of the pipeline is isolated"
}

@test "bash without the hooks: only the isolate element is inside (the control)" {
    without_hooks bash
}
@test "zsh without the hooks: only the isolate element is inside (the control)" {
    without_hooks zsh
}

lists() {
    tmux_start_hooked "$1"
    tmux_type "isolate -w . true && hostname > and.txt; hostname > semi.txt || true"
    wait_file semi.txt
    [ "$(content and.txt)" = isolate ]
    [ "$(content semi.txt)" = isolate ]
    # A final & puts the whole sandbox in the background.
    tmux_type "isolate -w . sleep 0.3 | hostname > bg.txt &"
    tmux_run "wait"
    [ "$(content bg.txt)" = isolate ]
    tmux_wait "-c 'sleep 0.3 \| hostname > bg.txt' &"
    # An assignment in front of isolate, and isolate as an argument.
    tmux_type "FOO=1 isolate -w . true | hostname > assign.txt"
    wait_file assign.txt
    [ "$(content assign.txt)" = isolate ]
    tmux_type "echo isolate | sh -c 'cat > arg.txt; hostname >> arg.txt'"
    wait_file arg.txt
    [ "$(content arg.txt)" = "isolate
$(hostname)" ]
}

@test "bash: && ; || and a final & run inside; isolate as an argument is left alone" { lists bash; }
@test "zsh: && ; || and a final & run inside; isolate as an argument is left alone" { lists zsh; }

alone() {
    tmux_start_hooked "$1"
    # A lone isolate command is not rewritten: the builtin runs it as it is.
    tmux_type "isolate -w . sh -c 'hostname > alone.txt; echo \"a | b\"'"
    wait_file alone.txt
    [ "$(content alone.txt)" = isolate ]
    tmux_run "true"
    ! tmux_screen | grep -q -- "-c 'sh -c"
}

@test "bash: a lone isolate command is left as typed" { alone bash; }
@test "zsh: a lone isolate command is left as typed" { alone zsh; }

# Commands typed after "isolate -w .", compared with what they print when
# the shell under test runs them directly: quotes, escapes, substitutions and
# here-strings must reach the shell inside as they were typed.
AWKWARD=$(
    cat <<'EOF'
printf '[%s]\n' 'it'\''s | one' "two \"$HOME\" \\ three" four\ five $'tab\there' "$((6 * 7))" `echo back|tr a-z A-Z` "$(echo 'sub|x')"
EOF
)
HERESTRING=$(
    cat <<'EOF'
cat <<<"here 'q' \"d\" $((1+2)) | x"
EOF
)

quoting() {
    local cmd expected n=0
    tmux_start_hooked "$1"
    for cmd in "$AWKWARD" "$HERESTRING"; do
        n=$((n + 1))
        expected=$("$1" -c "$cmd")
        tmux_type "isolate -w . $cmd | sh -c 'cat > q$n.txt; hostname > h$n.txt'"
        wait_file h$n.txt
        [ "$(content h$n.txt)" = isolate ]
        [ "$(content q$n.txt)" = "$expected" ] || fail "got: $(content q$n.txt)
expected: $expected"
    done
}

@test "bash: single and double quotes, backslashes, \$'...', substitutions and here-strings survive the rewrite" {
    quoting bash
}
@test "zsh: single and double quotes, backslashes, \$'...', substitutions and here-strings survive the rewrite" {
    quoting zsh
}

multiline() {
    tmux_start_hooked "$1"
    # A here-document typed line by line: the lines join the same buffer
    # until the end line, then the whole runs inside.
    tmux_type "isolate -w . cat <<'EOF' | sh -c 'cat; hostname' > up.txt"
    tmux_type 'line one $HOME | not a pipe'
    tmux_type 'EOF'
    wait_file up.txt
    [ "$(content up.txt)" = 'line one $HOME | not a pipe
isolate' ]
    # An open quote goes on to the next line in the same way.
    tmux_type 'isolate -w . echo "first'
    tmux_type "second\" | sh -c 'cat; hostname' > mq.txt"
    wait_file mq.txt
    [ "$(content mq.txt)" = "first
second
isolate" ]
    # So does a trailing pipe.
    tmux_type 'isolate -w . echo piped |'
    tmux_type "sh -c 'cat; hostname' > tp.txt"
    wait_file tp.txt
    [ "$(content tp.txt)" = "piped
isolate" ]
    dump_history "$1"
    grep -qF 'line one $HOME | not a pipe' "$BATS_TEST_TMPDIR/hist.txt"
}

@test "bash: multi-line input (here-document, open quote, trailing |) runs inside as one line" {
    multiline bash
}
@test "zsh: multi-line input (here-document, open quote, trailing |) runs inside as one line" {
    multiline zsh
}

vi_mode() {
    tmux_start_hooked "$1"
    tmux_run "$2"
    # Enter in vi command mode, then in insert mode.
    tmux_cmd send-keys -t t -l "isolate -w . true | hostname > vicmd.txt"
    tmux_keys Escape
    sleep 0.7
    tmux_keys Enter
    wait_file vicmd.txt
    [ "$(content vicmd.txt)" = isolate ]
    tmux_type "isolate -w . true | hostname > viins.txt"
    wait_file viins.txt
    [ "$(content viins.txt)" = isolate ]
}

@test "bash: vi editing mode, Enter in command and in insert mode" { vi_mode bash 'set -o vi'; }
@test "zsh: vi editing mode, Enter in command and in insert mode" { vi_mode zsh 'bindkey -v'; }

ignorespace() {
    tmux_start_hooked "$1"
    tmux_run "$2"
    tmux_type " isolate -w . true | hostname > spaced.txt"
    wait_file spaced.txt
    [ "$(content spaced.txt)" = isolate ]
    tmux_type "isolate -w . true | hostname > plain.txt"
    wait_file plain.txt
    [ "$(content plain.txt)" = isolate ]
    dump_history "$1"
    # Neither the line typed with a leading space nor its rewrite is kept.
    grep -qF "hostname > plain.txt" "$BATS_TEST_TMPDIR/hist.txt"
    ! grep -qF "spaced.txt" "$BATS_TEST_TMPDIR/hist.txt"
    ! grep -qF -- "-c '" "$BATS_TEST_TMPDIR/hist.txt"
}

@test "bash: HISTCONTROL=ignorespace keeps a line typed with a leading space out of history" {
    ignorespace bash 'HISTCONTROL=ignorespace'
}
@test "zsh: hist_ignore_space keeps a line typed with a leading space out of history" {
    ignorespace zsh 'setopt hist_ignore_space'
}

ctrl_c_multiline() {
    tmux_start_hooked "$1"
    tmux_type "isolate -w . cat <<EOF | hostname > never.txt"
    tmux_type "a line"
    tmux_keys C-c
    tmux_run "echo alive"
    sleep 0.3
    [ ! -e "$BATS_TEST_TMPDIR/never.txt" ]
    # The next line is read afresh.
    tmux_type "isolate -w . true | hostname > next.txt"
    wait_file next.txt
    [ "$(content next.txt)" = isolate ]
}

@test "bash: Ctrl-C abandons an unfinished multi-line isolate line" { ctrl_c_multiline bash; }
@test "zsh: Ctrl-C abandons an unfinished multi-line isolate line" { ctrl_c_multiline zsh; }

zsh_plugins() {
    local plugins="source /usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh
        source /usr/share/zsh-syntax-highlighting/zsh-syntax-highlighting.zsh"
    [ -f /usr/share/zsh-autosuggestions/zsh-autosuggestions.zsh ] || fail "zsh-autosuggestions missing"
    [ -f /usr/share/zsh-syntax-highlighting/zsh-syntax-highlighting.zsh ] ||
        fail "zsh-syntax-highlighting missing"
    plugins=${plugins//$'\n'        /; }
    if [ "$1" = before ]; then
        tmux_start_hooked zsh "$plugins"
    else
        tmux_start_hooked zsh "" "$plugins"
    fi
    tmux_type "isolate -w . true | hostname > plug.txt"
    wait_file plug.txt
    [ "$(content plug.txt)" = isolate ]
    # Both plugins are still at work on the same widgets.
    tmux_run 'print -r -- $widgets[accept-line] ${+ZSH_HIGHLIGHT_VERSION} > w.txt'
    grep -q '^user:_zsh_autosuggest_.* 1$' "$BATS_TEST_TMPDIR/w.txt"
    # An autosuggestion from history shows up, and Enter does not take it.
    tmux_cmd send-keys -t t -l "isolate -w . tr"
    tmux_wait 'isolate -w \. true \| hostname > plug\.txt'
    tmux_keys C-u
    tmux_type "isolate -w . true | hostname > plug2.txt"
    wait_file plug2.txt
    [ "$(content plug2.txt)" = isolate ]
}

@test "zsh with zsh-autosuggestions and zsh-syntax-highlighting loaded before" { zsh_plugins before; }
@test "zsh with zsh-autosuggestions and zsh-syntax-highlighting loaded after" { zsh_plugins after; }

@test "bash with a preexec plugin (DEBUG trap, PROMPT_COMMAND) loaded before" {
    export PREEXEC_LOG=$BATS_TEST_TMPDIR/preexec.log
    tmux_start_hooked bash "source '$ISOLATE_ROOT/tests/lib/preexec.bash'"
    : >"$PREEXEC_LOG"
    tmux_type "isolate -w . true | hostname > pe.txt"
    wait_file pe.txt
    [ "$(content pe.txt)" = isolate ]
    tmux_run "true"
    # preexec ran once for the line, with the line as typed; the hook, a
    # bind -x command, did not count as a command of its own.
    [ "$(grep -c '^preexec ' "$PREEXEC_LOG")" = 2 ]
    grep -qxF "preexec isolate -w . true | hostname > pe.txt" "$PREEXEC_LOG"
    ! grep -q '__isolate' "$PREEXEC_LOG"
    grep -q '^precmd$' "$PREEXEC_LOG"
}

@test "bash with a tool that binds Enter itself: both run, once per Enter" {
    tmux_start_hooked bash \
        "bind -x '\"\\C-x\\C-t\": echo tool >> tool.log'; bind '\"\\C-m\": \"\\C-x\\C-t\\C-j\"'"
    rm -f "$BATS_TEST_TMPDIR/tool.log"
    tmux_type "isolate -w . true | hostname > tool.txt"
    wait_file tool.txt
    [ "$(content tool.txt)" = isolate ]
    tmux_run "true"
    [ "$(grep -c '^tool$' "$BATS_TEST_TMPDIR/tool.log")" = 2 ]
}

@test "scripts are not affected: no hooks without an interactive shell" {
    run bash --norc -c "source '$ISOLATE_ROOT/shell/isolate.bash'; bind -X 2>&1; echo \$PROMPT_COMMAND;
        isolate true | cat"
    [ "$status" -eq 0 ]
    [[ $output != *__isolate* ]]
    [[ $output == *"only this element of the pipeline is isolated"* ]]
    run zsh -f -c "source '$ISOLATE_ROOT/shell/isolate.zsh'; print -r -- \${widgets[accept-line]-none}"
    [ "$status" -eq 0 ]
    [[ $output != *__isolate* ]]
}

@test "the hooks know isolate's options that take a value (isolate --help)" {
    local help opts
    help=$("$ISOLATE_ROOT/cli/isolate" --help)
    # Options followed by an upper-case value, but --check: its word is the
    # paste, and a line with --check is never rewritten.
    opts=$(sed -nE 's/^ +(-([a-z]), )?-?-([a-z-]+) [A-Z].*/\2 \3/p' <<<"$help" |
        tr ' ' '\n' | grep -v '^check$' | grep . | sort | tr '\n' ' ')
    for sh in bash zsh; do
        got=$($sh -c "source '$ISOLATE_ROOT/shell/isolate.$sh' 2>/dev/null
            echo \$__isolate_value_long; echo \$__isolate_value_short | sed 's/./& /g'" |
            tr ' ' '\n' | grep . | sort | tr '\n' ' ')
        [ "$got" = "$opts" ] || fail "$sh: $got, --help: $opts"
    done
}

# Lines that the hook rewrites, run with isolate standing in as "run it here":
# the rewrite must do exactly what the line did (same words, same output).
REWRITTEN=(
    "isolate echo 'a|b' | tr a-z A-Z"
    "isolate -w . echo \"it's\" \$((1|2)) | cat"
    "isolate printf '%s\\n' a\\ b \$'c\\td' | sort -r"
    "isolate echo \"\$(echo 'x|y')\" \`echo z\` \${HOME:+set} && echo two; echo three"
    "isolate --env FOO -- echo one || echo never"
    "isolate cat <<<\"here | string\" | wc -c"
    $'isolate cat <<EOF | tr a-z A-Z\nheredoc | body $((1+1))\nEOF'
    $'isolate cat <<-\'E\' | wc -l\n\tone\n\ttwo\n\tE'
    "isolate true; for i in 1 2; do echo \$i; done | tac"
    "isolate true; case x in x|y) echo case;; esac | cat"
    "isolate echo a \\
| cat"
    "FOO=1 isolate echo pre | cat"
    "isolate -q -v echo flags | cat # a comment | not a pipe"
)

# Run by the shell under test, after $1 (which loads the hooks' functions),
# with a line as $1.
EQUIVALENT=$(
    cat <<'EOF'
isolate() {
    while [ $# -gt 0 ]; do
        case $1 in
        -c) eval "$2"; return ;;
        -w|--env) shift 2 ;;
        --) shift; break ;;
        -*) shift ;;
        *) break ;;
        esac
    done
    "$@"
}
line=$1
__isolate_rewrite "$line" || { echo "not rewritten: $line"; exit 1; }
new=${__isolate_line:-$REPLY}
[[ $new == *" -c '"* ]] || { echo "no -c: $new"; exit 1; }
a=$(eval "$line" 2>&1)
b=$(eval "$new" 2>&1)
[[ $a == "$b" ]] || { printf '%s\n=> %s\n%s\n-- vs --\n%s\n' "$line" "$new" "$a" "$b"; exit 1; }
EOF
)

equivalent() {
    local sh=$1 line
    for line in "${REWRITTEN[@]}"; do
        run "$sh" -c "$2
$EQUIVALENT" "$sh" "$line"
        [ "$status" -eq 0 ] || fail "$sh: $output"
    done
}

@test "bash: rewritten lines do what they did (quotes, substitutions, here-documents, lists)" {
    equivalent bash "source '$ISOLATE_ROOT/shell/isolate.bash'; shopt -s interactive_comments"
}
@test "zsh: rewritten lines do what they did (quotes, substitutions, here-documents, lists)" {
    equivalent zsh "source '$ISOLATE_ROOT/shell/isolate.zsh'; setopt interactive_comments"
}
