#!/usr/bin/env bats
# The environment: an allowlist; secrets, agent sockets and display dropped.
load ../lib/common

@test "secrets, agent sockets and the display are dropped" {
    export GITHUB_TOKEN=ghp_secret AWS_SECRET_ACCESS_KEY=aws_secret SSH_AUTH_SOCK=/tmp/agent \
        DISPLAY=:0 WAYLAND_DISPLAY=wayland-0 LD_PRELOAD= BASH_ENV=/x MY_VAR=1
    run iso "$PROBE" env
    [ "$status" -eq 0 ]
    [[ "$output" != *secret* ]]
    for v in GITHUB_TOKEN AWS_SECRET_ACCESS_KEY SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY LD_PRELOAD BASH_ENV MY_VAR; do
        [[ "$output" != *"$v="* ]] || fail "$v passed"
    done
}

@test "the allowlist passes, HOME is the private home" {
    export TERM=xterm-test LANG=C.UTF-8 LC_TIME=C TZ=UTC COLORTERM=truecolor NO_COLOR=1
    run iso "$PROBE" env
    has_line "TERM=xterm-test"
    has_line "LANG=C.UTF-8"
    has_line "LC_TIME=C"
    has_line "TZ=UTC"
    has_line "COLORTERM=truecolor"
    has_line "NO_COLOR=1"
    has_line "HOME=$HOME"
    has_line "USER=$USER"
    has_line "PATH=$PATH"
}

@test "--env NAME passes one variable, --env NAME=VALUE sets one" {
    export MY_TOKEN=abc
    run iso --env MY_TOKEN --env OTHER=x=y --env UNSET_VARIABLE_XYZ "$PROBE" env
    has_line "MY_TOKEN=abc"
    has_line "OTHER=x=y"
    [[ "$output" != *UNSET_VARIABLE_XYZ* ]]
}
