#!/usr/bin/env bats
# Review, then commit: --overlay and --home=overlay keep what the command
# writes in a run; --diff shows it, --commit applies it (refusing what changed
# on the host since, never writing through a symlink), --rollback and a
# resumed --commit recover from a commit killed halfway, --discard drops a
# run, --runs lists them. --home=PATH gives a directory of the user's as the
# home.
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    # The tree laid under the overlay, in the home as a project would be.
    P=$(mktemp -d "$HOME/isolate-ov.XXXXXX")
    OUT=$(mktemp -d "$BATS_TEST_TMPDIR/outside.XXXXXX")
    export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
    RUNS=$XDG_STATE_HOME/isolate/runs
    cd "$P" || return 1
}

teardown() {
    cd / || return 1
    [ -L "$P" ] && rm -f "$P" && [ -d "$P.real" ] && mv "$P.real" "$P"
    chmod -R u+rwX "$P" "$BATS_TEST_TMPDIR" 2>/dev/null
    rm -rf "$P"
}

# The state of a tree: every entry's type, mode, size, target, and content.
tree_state() {
    (cd "$1" && find . -path ./.isolate-commit-\* -prune -o -printf '%p %y %m %l\n' | sort &&
        find . -type f -exec md5sum {} + | sort -k2)
}

@test "--overlay: the command writes, the host stays untouched, a summary says what changed" {
    echo hello >a.txt
    echo bye >gone.txt
    run iso --overlay sh -c 'echo world >>a.txt && rm gone.txt && printf 12345 >new.txt && cat a.txt'
    [ "$status" -eq 0 ]
    has_line hello
    has_line world
    [ "$(cat a.txt)" = hello ] && [ -f gone.txt ] && [ ! -e new.txt ]
    has_line "isolate: run 1 kept: 1 added (5 bytes), 1 modified (12 bytes), 1 deleted (4 bytes) in $P"
    has_line "isolate: review it: isolate --diff 1; apply it: isolate --commit 1; drop it: isolate --discard 1"
    # What a later review needs: where, when, what.
    grep -qx "layer dir [0-9]* [0-9]* $P" "$RUNS/1/meta"
    grep -qE '^started [0-9]{19}$' "$RUNS/1/meta"
    grep -qx "command sh%20-c%20'echo%20world%20>>a.txt%20&&%20rm%20gone.txt%20&&%20printf%2012345%20>new.txt%20&&%20cat%20a.txt'" "$RUNS/1/meta"
    [ "$(stat -c %a "$XDG_STATE_HOME/isolate")" = 700 ]
}

@test "--overlay keeps the default sandbox's promises" {
    echo x >a
    run iso --overlay sh -c '"$1" write /etc/isolate-test; "$1" write "$2/isolate-test"
        echo "tmp $(ls -A /tmp | wc -l)"; echo "home $(ls -A "$HOME")"; echo changed >a
        "$1" read "$3"; "$1" fds' sh "$PROBE" "$ISOLATE_ROOT" /etc/shadow
    has_line "write=EROFS"
    [ "$(grep -c 'write=EROFS' <<<"$output")" = 2 ]
    has_line "tmp 0"
    has_line "home ${P##*/}"
    has_line "read=EACCES"
    # The run's directory and the host directories the supervisor holds
    # never reach the command.
    has_line "fds=0 1 2 "
    [ "$(cat a)" = x ]
}

@test "bare --overlay is the current directory (isolate --overlay CMD), --overlay=PATH another, both repeat" {
    run iso --overlay --overlay="$OUT" touch here "$OUT/there"
    [ "$status" -eq 0 ]
    [ ! -e here ] && [ ! -e "$OUT/there" ]
    has_line "isolate: run 1 kept: 1 added (0 bytes) in $P"
    has_line "isolate: run 1 kept: 1 added (0 bytes) in $OUT"
    run iso --commit
    [ "$status" -eq 0 ]
    [ -f here ] && [ -f "$OUT/there" ]
    # Nothing written: nothing kept.
    run iso --overlay true
    [ "$status" -eq 0 ]
    has_line "isolate: no changes in $P; nothing kept"
    run iso --runs
    has_line "no runs kept (in $XDG_STATE_HOME/isolate)"
}

@test "--diff: unified diff for text, a note for binary files; renames, modes, symlinks, deletions" {
    printf 'one\ntwo\nthree\n' >text
    printf 'bin\0ary' >blob
    echo same >moved
    echo x >tool
    mkdir d && echo in >d/f
    iso --overlay sh -c 'printf "one\nTWO\nthree\n" >text; printf "bin\0ARY" >blob; mv moved renamed
        chmod +x tool; ln -s ../elsewhere link; rm -r d; mkdir empty' 2>/dev/null
    run iso --diff 1
    [ "$status" -eq 0 ]
    has_line "# isolate run 1: $P"
    has_line "diff --git a/text b/text"
    has_line "--- a/text"
    has_line "+++ b/text"
    has_line "@@ -1,3 +1,3 @@"
    has_line " one"
    has_line "-two"
    has_line "+TWO"
    has_line "Binary files a/blob and b/blob differ"
    has_line "diff --git a/moved b/renamed"
    has_line "rename from moved"
    has_line "rename to renamed"
    has_line "old mode 100644"
    has_line "new mode 100755"
    has_line "new file mode 120000"
    has_line "+../elsewhere"
    has_line "diff --git a/d/f b/d/f"
    has_line "deleted file mode 100644"
    has_line "-in"
    has_line "# empty: new empty directory"
    # The latest run by default.
    local one=$output
    run iso --diff
    [ "$output" = "$one" ]
}

# A tree and a script that changes it in every way a commit must apply.
make_tree() {
    mkdir -p "$1" && chmod 755 "$1" && cd "$1" || return 1
    printf 'one\ntwo\n' >text
    echo old >old
    echo a >a
    mkdir -p repl/y && echo x >repl/x && echo z >repl/y/z
    mkdir priv && echo p >priv/p
    echo '#!/bin/sh' >tool
    mkdir -p tree/sub && echo 1 >tree/1 && echo 2 >tree/sub/2
    echo f >filetodir
    mkdir dirtofile && echo d >dirtofile/d
    ln -s text oldlink
    cd - >/dev/null
}
CHANGES='printf "one\nTWO\n" >text; rm old; mv a b; mkdir -p new/deep; echo n >new/deep/f
    rm -r repl; mkdir repl; echo fresh >repl/only; chmod 700 priv; chmod +x tool; ln -s target symlink
    rm -r tree; : >empty; rm filetodir; mkdir filetodir; echo in >filetodir/x
    rm -r dirtofile; echo now >dirtofile; ln -sfn old oldlink; mkdir -m 500 locked
    mkfifo pipe'

@test "--commit applies new, modified, deleted, renamed files, replaced directories, modes, symlinks" {
    make_tree "$P"
    make_tree "$BATS_TEST_TMPDIR/ref"
    (cd "$BATS_TEST_TMPDIR/ref" && sh -c "$CHANGES")
    run iso --overlay sh -c "$CHANGES"
    [ "$status" -eq 0 ]
    run iso --commit
    [ "$status" -eq 0 ]
    has_line "isolate: run 1 committed (7 added, 4 modified, 3 deleted) to $P"
    diff <(tree_state "$BATS_TEST_TMPDIR/ref") <(tree_state "$P")
    [ ! -e .isolate-commit-1 ]
    [ ! -e "$RUNS/1" ]
}

@test "a symlink the run made is committed as a symlink, never followed" {
    echo precious >"$OUT/target"
    mkdir d && echo mine >d/mine
    iso --overlay sh -c 'ln -s "$1/target" link; rm -r d; ln -s "$1" d' sh "$OUT" 2>/dev/null
    run iso --commit
    [ "$status" -eq 0 ]
    [ -L link ] && [ "$(readlink link)" = "$OUT/target" ]
    [ -L d ] && [ "$(readlink d)" = "$OUT" ]
    [ "$(cat "$OUT/target")" = precious ]
    [ "$(ls -A "$OUT")" = target ]
}

@test "a host directory swapped for a symlink after the run is refused; --force replaces it, writing nothing outside" {
    mkdir sub && echo a >sub/a
    iso --overlay sh -c 'echo new >sub/new' 2>/dev/null
    # CVE-2024-42472's pattern: the directory becomes a symlink out of the tree.
    mv sub sub.moved && ln -s "$OUT" sub
    run iso --commit
    [ "$status" -eq 125 ]
    has_line "  $P/sub: is a symlink on the host now, not a directory"
    [ -z "$(ls -A "$OUT")" ] && [ -L sub ]
    run iso --commit --force
    [ "$status" -eq 0 ]
    [ -d sub ] && [ ! -L sub ] && [ "$(cat sub/new)" = new ]
    [ -z "$(ls -A "$OUT")" ]
}

@test "the tree itself swapped for a symlink or another directory is refused, even with --force" {
    iso --overlay sh -c 'echo x >f' 2>/dev/null
    mv "$P" "$P.real" && ln -s "$OUT" "$P"
    run iso --commit --force
    [ "$status" -eq 125 ]
    [[ $output == *"$P, where run 1 was laid, is reached through a symlink now"* ]]
    [ -z "$(ls -A "$OUT")" ]
    rm "$P" && mkdir "$P"
    run iso --commit --force
    [ "$status" -eq 125 ]
    [[ $output == *"$P is not the directory run 1 was laid over: it was replaced since"* ]]
    [ -z "$(ls -A "$P")" ]
    rmdir "$P" && mv "$P.real" "$P"
    run iso --commit
    [ "$status" -eq 0 ]
    [ "$(cat "$P/f")" = x ]
}

@test "--commit refuses, naming them, files changed on the host since the run started; --force applies" {
    echo v1 >a.txt
    mkdir dir && echo k >dir/keep
    iso --overlay sh -c 'echo run >a.txt; rm -r dir; echo add >added' 2>/dev/null
    echo host >a.txt
    echo more >dir/new
    run iso --commit
    [ "$status" -eq 125 ]
    has_line "  $P/a.txt: changed on the host since the sandbox saw it"
    has_line "  $P/dir: dir/new changed on the host since the sandbox saw it"
    [[ $output == *"'isolate --commit --force 1' applies it"* ]]
    [ "$(cat a.txt)" = host ] && [ -f dir/new ] && [ ! -e added ]
    run iso --commit --force
    [ "$status" -eq 0 ]
    [ "$(cat a.txt)" = run ] && [ ! -e dir ] && [ "$(cat added)" = add ]
}

@test "a file written just before the run, then changed by it, commits without a conflict" {
    # As a script does: the host's write and the sandbox's copy of the file
    # may fall in the same tick of the file system's clock.
    for i in $(seq 10); do
        echo "host $i" >f
        iso --overlay sh -c 'echo sandbox >>f' 2>/dev/null
        run iso --commit
        [ "$status" -eq 0 ] || fail "round $i: $output"
        [ "$(cat f)" = "host $i"$'\n'sandbox ]
    done
}

@test "--runs lists the kept runs; --discard drops one, by default the latest" {
    iso --overlay sh -c 'echo 1 >one' 2>/dev/null
    iso --overlay sh -c 'echo 22 >two; rm -f nothing' 2>/dev/null
    run iso --runs
    [ "$status" -eq 0 ]
    [[ ${lines[0]} =~ ^"run 1  started "[0-9-]+" "[0-9:]+"  kept"$ ]]
    has_line "  $P: 1 added (2 bytes)"
    has_line "  command: sh -c 'echo 1 >one'"
    has_line "  $P: 1 added (3 bytes)"
    run iso --discard
    [ "$status" -eq 0 ]
    has_line "isolate: run 2 discarded"
    [ ! -e "$RUNS/2" ] && [ -d "$RUNS/1" ]
    run iso --discard 1
    [ "$status" -eq 0 ]
    run iso --runs
    has_line "no runs kept (in $XDG_STATE_HOME/isolate)"
    [ ! -e one ] && [ ! -e two ]
}

@test "bad input: 125, a message naming the problem, and nothing changed" {
    echo keep >a.txt
    run iso --diff 7
    [ "$status" -eq 125 ] && [ "$output" = "isolate: no run 7 (isolate --runs lists the runs)" ]
    iso --overlay sh -c 'echo x >f' 2>/dev/null
    check() {
        run iso "$@"
        [ "$status" -eq 125 ] || fail "isolate $*: status $status: $output"
        [[ $output == "isolate: $expect"* ]] || fail "isolate $*: '$output', not '$expect'"
    }
    expect="no run 9 (isolate --runs lists the runs)" check --commit 9
    expect="'abc' is not a run number" check --commit abc
    expect="option '--commit' takes at most one RUN" check --commit 1 2
    expect="option '--runs' takes no RUN" check --runs 1
    expect="options '--diff' and '--commit' cannot be combined" check --diff --commit
    expect="options '--commit' and '--overlay' cannot be combined" check --overlay --commit
    expect="options '--explain' and '--commit' cannot be combined" check --explain --commit
    expect="option '--force' goes with --commit only" check --force true
    expect="option '--force' goes with --commit only" check --discard --force
    expect="--overlay /nonexistent/dir: No such file or directory" check --overlay=/nonexistent/dir true
    expect="--overlay $P/a.txt: not a directory" check --overlay="$P/a.txt" true
    expect="option '--overlay' needs a non-empty PATH" check --overlay= true
    expect="--overlay (the current directory, $HOME): is your home directory" check_in_home
    expect="--overlay $P: the same directory is given to --write" check -w . --overlay="$P" true
    mkdir sub
    expect="--overlay $P/sub: overlaps the overlay on $P" check --overlay --overlay="$P/sub" true
    expect="--home=$P/a.txt: not a directory" check --home="$P/a.txt" true
    expect="--home=/nonexistent: No such file or directory" check --home=/nonexistent true
    expect="--home=$HOME: this is your real home" check --home="$HOME" true
    expect="option '--home' needs empty, overlay or a directory" check --home= true
    mkdir -p "$BATS_TEST_TMPDIR/h"
    XDG_STATE_HOME=$BATS_TEST_TMPDIR/h/state expect="--home=$BATS_TEST_TMPDIR/h: it contains isolate's state directory $BATS_TEST_TMPDIR/h/state/isolate" check --home="$BATS_TEST_TMPDIR/h" true
    # Nothing to commit: the file was only touched.
    iso --overlay touch a.txt 2>/dev/null
    expect="run 2 has nothing to commit ('isolate --discard 2' drops it)" check --commit 2
    # Nothing changed by any of these.
    [ "$(cat a.txt)" = keep ] && [ ! -e f ]
    [ "$(ls "$RUNS" | sort | tr '\n' ' ')" = "1 2 " ]
    rmdir sub
}

check_in_home() {
    run bash -c 'cd "$HOME" && "$@"' sh $(iso_cmd) --overlay true
    [ "$status" -eq 125 ] || fail "status $status: $output"
    [[ $output == "isolate: $expect"* ]] || fail "'$output', not '$expect'"
}

# Makes a commit of many files and kills it with SIGKILL halfway.
interrupted_commit() {
    for i in $(seq 300); do echo "orig $i" >"a$i"; done
    echo gone >zz-deleted
    BEFORE=$(tree_state "$P")
    run iso --report "$BATS_TEST_TMPDIR/report" --overlay sh -c 'for f in a*; do echo "new" >"$f"; done
        rm zz-deleted; i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); echo $i >"n$i"; done'
    [ "$status" -eq 0 ] || fail "the run failed ($status): $output $(cat "$BATS_TEST_TMPDIR/report")"
    AFTER_OPS=20302
    $(iso_cmd) --commit 2>"$BATS_TEST_TMPDIR/commit.err" &
    local pid=$! n=0
    for _ in $(seq 3000); do
        n=$(grep -c '^d ' "$RUNS/1/progress" 2>/dev/null || true)
        [ "${n:-0}" -gt 1000 ] && break
        sleep 0.005
    done
    kill -9 "$pid"
    wait "$pid" || true
    n=$(grep -c '^d ' "$RUNS/1/progress" || true)
    [ "$n" -gt 1000 ] && [ "$n" -lt "$AFTER_OPS" ] || fail "the commit was not interrupted halfway ($n operations done)"
    # Halfway: part of the files are there, the originals are kept aside.
    [ -d .isolate-commit-1 ] && [ -f "$RUNS/1/journal" ]
    [ "$(cat a1)" = new ] && [ ! -e n9999 ]
}

@test "a commit killed halfway (kill -9) is said so, and --commit resumes it" {
    interrupted_commit
    run iso --runs
    [[ ${lines[0]} == *"COMMIT INTERRUPTED" ]]
    has_line "an interrupted commit: isolate --commit RUN finishes it, isolate --rollback RUN undoes it"
    run iso --discard 1
    [ "$status" -eq 125 ]
    [[ $output == *"run 1 has an interrupted commit: 'isolate --commit 1' finishes it, 'isolate --rollback 1' undoes it"* ]]
    run iso --commit
    [ "$status" -eq 0 ]
    has_line "isolate: resuming the interrupted commit of run 1"
    has_line "isolate: run 1 committed to $P"
    [ "$(ls | wc -l)" = 20300 ]
    [ "$(cat a* | sort -u)" = new ] && [ "$(cat n20000)" = 20000 ] && [ ! -e zz-deleted ]
    [ ! -e .isolate-commit-1 ] && [ ! -e "$RUNS/1" ]
}

@test "a commit killed halfway (kill -9) is undone by --rollback, and can be made again" {
    interrupted_commit
    run iso --rollback
    [ "$status" -eq 0 ]
    has_line "isolate: rolled back the interrupted commit of run 1: the host is as it was; the run is kept ('isolate --commit 1' applies it again, 'isolate --discard 1' drops it)"
    diff <(echo "$BEFORE") <(tree_state "$P")
    [ ! -e .isolate-commit-1 ] && [ ! -e "$RUNS/1/journal" ]
    run iso --rollback
    [ "$status" -eq 125 ] && [ "$output" = "isolate: no interrupted commit to roll back" ]
    run iso --commit 1
    [ "$status" -eq 0 ]
    [ "$(cat a7)" = new ] && [ "$(cat n123)" = 123 ]
}

@test "--home=overlay: the real home with each secret hidden; writes kept for review" {
    H=$P/home
    mkdir -p "$H"
    local secrets=(.ssh .gnupg .aws .config/gh .docker .kube .password-store .mozilla
        .config/google-chrome .config/chromium .local/share/keyrings)
    local files=(.netrc .git-credentials .bash_history .zsh_history .python_history)
    for s in "${secrets[@]}"; do mkdir -p "$H/$s" && echo SECRET >"$H/$s/key"; done
    for f in "${files[@]}"; do echo SECRET >"$H/$f"; done
    echo 'export A=1' >"$H/.bashrc"
    cd "$BATS_TEST_TMPDIR" || return 1
    HOME=$H XDG_STATE_HOME=$H/.local/state run iso --home=overlay sh -c '
        cat ~/.bashrc; echo "seen: $(grep -rl SECRET ~ 2>/dev/null | wc -l)"
        for s in "$@"; do echo "$s: $(ls -A ~/"$s" 2>&1 | wc -l) $(cat ~/"$s" 2>/dev/null | wc -c)"; done
        echo x >~/.ssh/authorized_keys || echo "ssh: read-only"
        echo "state: $(ls -A ~/.local/state/isolate | wc -l)"
        echo installer >>~/.bashrc; mkdir -p ~/.config/tool && echo cfg >~/.config/tool/rc' \
        sh "${secrets[@]}" "${files[@]}"
    [ "$status" -eq 0 ]
    has_line "export A=1"
    has_line "seen: 0"
    for s in "${secrets[@]}"; do has_line "$s: 0 0"; done
    for f in "${files[@]}"; do has_line "$f: 1 0"; done
    has_line "ssh: read-only"
    has_line "state: 0"
    has_line "isolate: run 1 kept: 1 added (4 bytes), 1 modified (21 bytes) in $H"
    [ "$(cat "$H/.bashrc")" = 'export A=1' ] && [ ! -e "$H/.config/tool" ] && [ ! -e "$H/.ssh/authorized_keys" ]
    HOME=$H XDG_STATE_HOME=$H/.local/state run iso --diff
    has_line "# isolate run 1: $H (the home)"
    has_line "+installer"
    has_line "diff --git a/.config/tool/rc b/.config/tool/rc"
    HOME=$H XDG_STATE_HOME=$H/.local/state run iso --commit
    [ "$status" -eq 0 ]
    [ "$(tail -1 "$H/.bashrc")" = installer ] && [ "$(cat "$H/.config/tool/rc")" = cfg ]
    for s in "${secrets[@]}"; do [ "$(ls -A "$H/$s")" = key ]; done
}

@test "--home=PATH: a directory of the user's is the home, writable" {
    D=$(mktemp -d "$BATS_TEST_TMPDIR/myhome.XXXXXX")
    echo kept >"$D/kept"
    echo secret >"$P/secret"
    run iso --home="$D" sh -c 'echo "HOME=$HOME $(pwd)"; cat ~/kept; echo made >~/made; cat "$0" 2>&1; true' "$P/secret"
    [ "$status" -eq 0 ]
    has_line "HOME=$HOME $HOME"
    has_line kept
    [[ $output == *"$P/secret: No such file or directory"* ]]
    [[ $output == *"the current directory $P is in your home, which --home replaces"* ]]
    [ "$(cat "$D/made")" = made ]
    [ ! -e "$HOME/made" ]
    run iso --explain --home="$D" true
    [[ $output == *"$HOME"*"WRITABLE: your directory $D (--home)"* ]]
}

@test "a symlink planted in the state directory is refused, never followed" {
    mkdir -p "$XDG_STATE_HOME" && ln -s "$OUT" "$XDG_STATE_HOME/isolate"
    run iso --overlay sh -c 'echo x >f'
    [ "$status" -eq 125 ]
    [[ $output == *"cannot open isolate's state directory $XDG_STATE_HOME/isolate (at 'isolate'): Too many levels of symbolic links"* ]]
    [ -z "$(ls -A "$OUT")" ] && [ ! -e f ]
    rm "$XDG_STATE_HOME/isolate"
    iso --overlay sh -c 'echo x >f' 2>/dev/null
    mv "$RUNS/1/L0" "$OUT/L0" && ln -s "$OUT/L0" "$RUNS/1/L0"
    for op in --diff --commit --discard; do
        run iso $op 1
        [ "$status" -eq 125 ] || [ "$op" = --discard ] || fail "$op: $status $output"
    done
    # Discarding removed the planted link, not what it points to.
    [ -f "$OUT/L0/upper/f" ] && [ ! -e "$RUNS/1" ] && [ ! -e f ]
}

@test "isolate's state directory is hidden from a sandbox that could reach it" {
    mkdir -p "$P/w"
    XDG_STATE_HOME=$P/w/state iso --overlay="$OUT" true 2>/dev/null
    XDG_STATE_HOME=$P/w/state run iso -w "$P/w" --overlay="$OUT" sh -c 'ls -A "$1"; touch "$1/x" || echo read-only' sh "$P/w/state/isolate"
    [ "$status" -eq 0 ]
    has_line read-only
    [[ $output != *"isolate-test"*x* ]] || [[ $output == *"cannot touch"* ]]
    [ ! -e "$P/w/state/isolate/x" ]
}

@test "--diff escapes control characters the sandbox put in names and text" {
    command -v script >/dev/null || fail "script(1) is needed (util-linux)"
    iso --overlay sh -c 'printf "\033]0;owned\007\n" >"$(printf "x\033[31mred")"' 2>/dev/null
    run iso --diff
    has_line 'diff --git a/x\x1b[31mred b/x\x1b[31mred'
    [[ $output != *$'\e'"[31m"* ]]
    run script -qec "$(iso_cmd) --diff" /dev/null
    [[ $output == *'+\x1b]0;owned\x07'* ]]
    [[ $output != *$'\e'* ]]
}

@test "--explain describes the overlays and the home" {
    run iso --explain --overlay true
    [ "$status" -eq 0 ]
    [[ $output == *"$P"*"writable through an overlay, writes kept for review (--overlay)"* ]]
    has_line "  overlays: what the command writes in $P is kept aside, the host copy untouched;"
    H=$P/home
    mkdir -p "$H/.ssh"
    HOME=$H run iso --explain --home=overlay true
    [[ $output == *"$H"*"writable through an overlay, writes kept for review (your home, through an overlay)"* ]]
    [[ $output == *"$H/.ssh"*"hidden (empty)"* ]]
    [ ! -e "$RUNS" ]
}

@test "--tmp-size bounds what an overlay keeps: a disk filler is stopped" {
    run iso --tmp-size 20M --overlay sh -c 'dd if=/dev/zero of=big bs=1M count=4000 2>/dev/null; echo finished'
    [ "$status" -eq 137 ]
    has_line "isolate: stopped: private space limit (20 MiB) filled"
    [ "$(stat -c %s "$RUNS/1/L0/upper/big")" -lt $((1500 << 20)) ]
    iso --discard 2>/dev/null
    # What others write on the same disk meanwhile is not the sandbox's.
    iso --tmp-size 20M --overlay sh -c 'echo small >f; sleep 1.5; echo finished' \
        >"$BATS_TEST_TMPDIR/out" 2>&1 &
    local pid=$!
    sleep 0.3
    dd if=/dev/zero of="$BATS_TEST_TMPDIR/host-big" bs=1M count=200 2>/dev/null
    wait "$pid" || fail "stopped: $(cat "$BATS_TEST_TMPDIR/out")"
    rm -f "$BATS_TEST_TMPDIR/host-big"
    grep -qx finished "$BATS_TEST_TMPDIR/out"
}

@test "completion and the line hook know the review options (bash)" {
    [ "$ISOLATE_FRONTEND" = bash ] || return 0
    iso --overlay touch a 2>/dev/null
    iso --overlay touch b 2>/dev/null
    run bash --norc --noprofile -c 'source "$ISOLATE_ROOT/shell/isolate.bash" >/dev/null 2>&1
        complete() { :; }; compopt() { :; }
        c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _isolate
              echo "$*: ${COMPREPLY[*]}"; }
        c isolate --home ""; c isolate --commit ""; c isolate --ov
        for l in "isolate --overlay make | tee log" "isolate --overlay=sub make | tee log" \
            "isolate --home overlay ./install.sh | sh" "isolate --diff | less"; do
            __isolate_rewrite "$l" && echo "rewritten: $__isolate_line" || echo "kept: $l"; done'
    [ "$status" -eq 0 ]
    [[ $output == *"isolate --home : empty overlay"* ]]
    has_line "isolate --commit : 1 2"
    has_line "isolate --ov: --overlay --overlay="
    has_line "rewritten: isolate --overlay -c 'make | tee log'"
    has_line "rewritten: isolate --overlay=sub -c 'make | tee log'"
    has_line "rewritten: isolate --home overlay -c './install.sh | sh'"
    has_line "kept: isolate --diff | less"
}
