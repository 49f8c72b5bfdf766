#!/usr/bin/env bats
# --explain: what the sandbox would allow, in plain words; runs nothing.
load ../lib/common

@test "--explain describes the default sandbox and runs nothing" {
    d=$BATS_TEST_TMPDIR/x
    mkdir "$d"
    run iso --explain -w "$d" touch "$d/ran"
    [ "$status" -eq 0 ]
    [ ! -e "$d/ran" ]
    [[ "$output" == *"isolate would run: touch $d/ran"* ]]
    [[ "$output" == *"read-only"* ]]
    [[ "$output" == *"$HOME"*"private home"* ]]
    [[ "$output" == *"$d"*"WRITABLE"* ]]
    [[ "$output" == *"network: none"* ]]
    [[ "$output" == *"TIOCSTI"* ]]
}

@test "--explain names dropped variables" {
    export GITHUB_TOKEN=x
    run iso --explain true
    [[ "$output" == *"dropped:"*"GITHUB_TOKEN"* ]]
}

@test "--explain reports bad paths like a run would" {
    run iso --explain -w /no/such true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--write /no/such"* ]]
}
