#!/usr/bin/env bats
# The calling shell is never changed, and isolate works wherever a command does.
load ../lib/common
bats_require_minimum_version 1.5.0

# Prints the state of the shell that runs it: umask, limits, traps,
# dispositions, directory, jobs, $$.
state='umask; ulimit -a | md5sum; trap -p | md5sum
       grep -E "Sig(Blk|Ign|Cgt)" /proc/$$/status; pwd; jobs | wc -l'
# Sets FDS to the shell's descriptors, listed by the shell itself: inside a
# command substitution the listing would race with the shell closing its
# end of the substitution's pipe.
fds='fds() { FDS=; for f in /proc/$$/fd/*; do FDS="$FDS ${f##*/}"; done; }'

@test "the shell's fds, umask, limits, traps, signals, directory and jobs stay as they were" {
    # stderr apart: bash reports the job killed by SIGTERM there.
    run --separate-stderr in_shell "$fds
        trap 'echo trapped' USR2
        exec 7</dev/null
        fds; before=\$( $state )\$FDS
        for i in 1 2 3 4 5; do isolate true; done
        isolate false
        isolate '$PROBE' signal 15
        isolate no-such-command 2>/dev/null
        isolate --bogus 2>/dev/null
        isolate -c 'exit 3'
        isolate -w /nonexistent true 2>/dev/null
        fds; after=\$( $state )\$FDS
        [ \"\$before\" = \"\$after\" ] && echo same || { echo \"\$before\"; echo ---; echo \"\$after\"; }"
    [ "$status" -eq 0 ]
    [ "$output" = same ]
}

@test "a background job's status is not stolen" {
    run in_shell '(sleep 1; exit 3) & pid=$!; isolate true; isolate false; wait $pid; echo "bg=$?"'
    [ "$output" = "bg=3" ]
}

@test "works in a pipeline, in \$( ), in a background job and in a script" {
    run in_shell "isolate echo piped 2>/dev/null | tr a-z A-Z"
    [ "$output" = PIPED ]
    run in_shell 'x=$(isolate echo substituted); echo "[$x]"'
    [ "$output" = "[substituted]" ]
    run in_shell "isolate '$PROBE' exit 5 & wait \$!; echo bg=\$?"
    has_line "bg=5"
    run --separate-stderr in_shell "echo in | isolate cat"
    [ "$output" = in ]
}

@test "a pipeline element says that only it is isolated (builtin and module)" {
    [ "$ISOLATE_FRONTEND" != cli ] || return 0 # a separate program cannot know
    run in_shell "isolate true | cat"
    [[ "$output" == *"only this element of the pipeline is isolated"* ]]
    run in_shell "echo x | isolate cat"
    [[ "$output" == *"only this element of the pipeline is isolated"* ]]
    run in_shell "isolate true"
    [[ "$output" != *"pipeline"* ]]
}

@test "many runs in one shell leave no descriptor or process behind" {
    run in_shell "$fds
        fds; n0=\$FDS
        for i in \$(seq 50); do isolate true; done
        fds; n1=\$FDS
        echo \"\$(pgrep -c -P \$\$ || true)\"; echo \"\$n0\"; echo \"\$n1\""
    kids=${lines[0]}
    [ "${lines[1]}" = "${lines[2]}" ]
    [ "$kids" -le 1 ]
}

@test "bash: help isolate, and enable -d unloads it" {
    [ "$ISOLATE_FRONTEND" = bash ] || return 0
    run in_shell 'help isolate'
    [ "$status" -eq 0 ]
    [[ "$output" == *"Run a command in a throw-away sandbox"* ]]
    # Every long option of --help is in help isolate too.
    local helptext=$output opt
    for opt in $("$ISOLATE_ROOT/cli/isolate" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        [[ "$helptext" == *"$opt"* ]] || fail "help isolate does not mention $opt"
    done
    run in_shell 'enable -d isolate && type isolate'
    [ "$status" -ne 0 ]
    [[ "$output" == *"not found"* ]]
    run in_shell 'enable -d isolate; enable -f "$ISOLATE_ROOT/builtin/isolate.so" isolate && isolate true && echo reloaded'
    [ "$output" = reloaded ]
}

@test "zsh: the module unloads and reloads" {
    [ "$ISOLATE_FRONTEND" = zsh ] || return 0
    run in_shell 'zmodload -u isolate && ! whence -w isolate >/dev/null && zmodload isolate && isolate true && echo reloaded'
    [ "$output" = reloaded ]
}

@test "metafied arguments reach the command intact (zsh) and any byte passes" {
    run iso printf '%s|' $'\xe9t\xe9' $'a\x83b' 'spa ce' ''
    [ "$status" -eq 0 ]
    [ "$output" = $'\xe9t\xe9|a\x83b|spa ce||' ]
}
