#!/usr/bin/env bats
# Exit statuses, -c, help, and the parser's refusals (nothing runs on a bad option).
load ../lib/common
bats_require_minimum_version 1.5.0

@test "the command's own exit status is returned" {
    run iso "$PROBE" exit 0
    [ "$status" -eq 0 ]
    run iso "$PROBE" exit 7
    [ "$status" -eq 7 ]
    run iso "$PROBE" exit 255
    [ "$status" -eq 255 ]
}

@test "a command killed by signal N gives 128+N" {
    run iso "$PROBE" signal 15
    [ "$status" -eq 143 ]
    run iso "$PROBE" signal 9
    [ "$status" -eq 137 ]
}

@test "a command that is not found gives 127 and says so" {
    run -127 iso no-such-command-for-isolate
    [[ "$output" == *"no-such-command-for-isolate: command not found"* ]]
    run -127 iso /no/such/path
}

@test "a file that is not executable gives 126" {
    f=$BATS_TEST_TMPDIR/plain
    echo 'echo hi' >"$f"
    chmod 644 "$f"
    run iso --ro "$f" "$f"
    [ "$status" -eq 126 ]
    [[ "$output" == *"Permission denied"* ]]
}

@test "a script without #! runs with /bin/sh, as in a shell" {
    f=$BATS_TEST_TMPDIR/script
    echo 'echo ran-by-sh' >"$f"
    chmod 755 "$f"
    run iso --ro "$f" "$f"
    [ "$status" -eq 0 ]
    [ "$output" = "ran-by-sh" ]
}

@test "-c runs a string with the calling shell, with \$0 and arguments" {
    run iso -c 'echo "$0:$1"; exit 3' name arg
    [ "$status" -eq 3 ]
    [ "$output" = "name:arg" ]
    run iso -c 'echo ${BASH_VERSION:+bash}${ZSH_VERSION:+zsh}'
    [ "$status" -eq 0 ]
    case $ISOLATE_FRONTEND in
    zsh) [ "$output" = zsh ] ;;
    *) [ "$output" = bash ] ;; # the builtin's bash; the CLI's $SHELL (bash here)
    esac
}

@test "--help and --version" {
    run iso --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"usage: isolate [OPTIONS] COMMAND"* ]]
    [[ "$output" == *"--write PATH"* ]]
    run iso --version
    [ "$status" -eq 0 ]
    [[ "$output" == "isolate "[0-9]* ]]
}

@test "options end at the first word: the command keeps its own" {
    run iso sh -c 'echo "$*"' x -v --bogus -w
    [ "$status" -eq 0 ]
    [ "$output" = "-v --bogus -w" ]
}

@test "-- ends the options" {
    run -127 iso -- -q
    [[ "$output" == *"-q: command not found"* ]]
}

@test "an invalid option is refused with 125, and nothing runs" {
    d=$BATS_TEST_TMPDIR/w
    mkdir "$d"
    run iso -w "$d" --bogus touch "$d/ran"
    [ "$status" -eq 125 ]
    [[ "$output" == *"unknown option '--bogus'"* ]]
    [ ! -e "$d/ran" ]
    run iso -w "$d" -Z touch "$d/ran"
    [ "$status" -eq 125 ]
    [[ "$output" == *"unknown option '-Z'"* ]]
    [ ! -e "$d/ran" ]
}

@test "every bad value gives 125 and a message naming the option" {
    check() {
        local want=$1
        shift
        run iso "$@"
        [ "$status" -eq 125 ] || fail "isolate $*: status $status, expected 125"
        [[ "$output" == *"$want"* ]] || fail "isolate $*: '$output' does not say '$want'"
    }
    check "option '-w' needs a value" -w
    check "option '--write' needs a value" --write
    check "option '--ro' needs a value" --ro
    check "option '--hide' needs a value" --hide
    check "option '--env' needs a value" --env
    check "option '-c' needs a value" -c
    check "option '--keep-fd' needs a file descriptor number, not 'abc'" --keep-fd abc true
    check "option '--keep-fd' needs a file descriptor number, not '-1'" --keep-fd -1 true
    check "option '--env': '1X' is not a valid variable name" --env 1X true
    check "option '--env': '=v' is not a valid variable name" --env =v true
    check "option '--verbose' takes no value" --verbose=1 true
    check "option '--write' needs a non-empty PATH" --write= true
    check "no command given" -v
    check "--write /no/such/dir: No such file or directory" --write /no/such/dir true
    check "--ro /no/such/file: No such file or directory" --ro /no/such/file true
    check "--hide /: the root directory cannot be shared" --hide / true
    check "--write /proc/self: paths under /proc cannot be shared" --write /proc/self true
    check "--keep-fd 57: Bad file descriptor" --keep-fd 57 true
    check "option '--check' needs TEXT" --check
}

@test "an empty environment does not break isolate" {
    if [ "$ISOLATE_FRONTEND" = cli ]; then
        run env -i "$ISOLATE_ROOT/cli/isolate" "$PROBE" env
    else
        run env -i "$(command -v "$(shell_name)")" -c true # the shell itself is fine
        run env -i PATH=/usr/bin:/bin ISOLATE_ROOT="$ISOLATE_ROOT" ISOLATE_FRONTEND="$ISOLATE_FRONTEND" \
            bash -c ". '$ISOLATE_ROOT/tests/lib/common.bash'; iso '$PROBE' env"
    fi
    [ "$status" -eq 0 ]
    has_line "PATH=/usr/local/bin:/usr/bin:/bin" || has_line "PATH=/usr/bin:/bin"
}
