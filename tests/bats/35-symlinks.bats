#!/usr/bin/env bats
# Host paths isolate binds, mounts over or writes, and the symlinks that may
# be put in their way: raced against the setup, planted before it, owned by
# another user. The setup itself, swapped deterministically between the plan
# and the mounts, is tested in tests/unit/test-resolve.c.
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    SCRATCH=$(mktemp -d "$HOME/isolate-test.XXXXXX")
    SWAP=$ISOLATE_ROOT/tests/swap
}

teardown() {
    rm -rf "$SCRATCH"
    [ -z "${TAG:-}" ] || rm -f "$HOME/.ssh/$TAG"-*
}

@test "a directory raced against a symlink to ~/.ssh: nothing lands there unannounced" {
    TAG=race-$$-$RANDOM
    mkdir -p "$HOME/.ssh" "$SCRATCH/dir"
    chmod 700 "$HOME/.ssh"
    ln -s "$HOME/.ssh" "$SCRATCH/evil"
    "$SWAP" "$SCRATCH/dir" "$SCRATCH/evil" 4 >"$BATS_TEST_TMPDIR/swaps" &
    swapper=$!
    runs=0 good=0 refused=0 announced=0 end=$((SECONDS + 4))
    while [ "$SECONDS" -lt "$end" ]; do
        runs=$((runs + 1))
        err=$BATS_TEST_TMPDIR/err-$runs
        st=0
        iso -w "$SCRATCH/dir" sh -c 'echo "$2" > "$1/$3-$2"' _ "$SCRATCH/dir" "$runs" "$TAG" \
            2>"$err" || st=$?
        if grep -q "is a symbolic link: $HOME/.ssh is what the command can write" "$err"; then
            announced=$((announced + 1))
        elif [ "$st" -eq 125 ] && grep -q "changed while the sandbox was being set up" "$err"; then
            refused=$((refused + 1))
        elif [ "$st" -eq 0 ]; then
            good=$((good + 1))
        else
            cat "$err" >&2
            fail "run $runs ended with status $st"
        fi
    done
    wait "$swapper" || fail "the swapper failed"
    echo "# $runs runs, $(cat "$BATS_TEST_TMPDIR/swaps") swaps: $good into the directory," \
        "$refused refused, $announced through the symlink, announced" >&3
    [ -d "$SCRATCH/dir" ] && [ ! -L "$SCRATCH/dir" ]
    # Every file in ~/.ssh comes from a run that said beforehand that it
    # would write there; no other run wrote anywhere but the directory.
    for f in "$HOME/.ssh/$TAG"-*; do
        [ -e "$f" ] || continue
        n=${f##*-}
        grep -q "is a symbolic link" "$BATS_TEST_TMPDIR/err-$n" ||
            fail "run $n wrote $f without saying it would"
    done
    [ "$good" -gt 0 ]
}

@test "a symlink planted in a writable directory: isolate says where it leads" {
    mkdir "$SCRATCH/proj" "$SCRATCH/secret"
    ln -s "$SCRATCH/secret" "$SCRATCH/proj/build"
    run --separate-stderr iso -w "$SCRATCH/proj/build" sh -c "echo x > '$SCRATCH/proj/build/f'"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"--write $SCRATCH/proj/build is a symbolic link: $SCRATCH/secret is what the command can write"* ]]
    run --separate-stderr iso --ro "$SCRATCH/proj/build" true
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"--ro $SCRATCH/proj/build is a symbolic link: $SCRATCH/secret is what the command can read"* ]]
    run --separate-stderr iso -q -w "$SCRATCH/proj/build" true
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "--report and --meta do not write through a symlink left in their place" {
    echo keep >"$SCRATCH/victim"
    ln -s "$SCRATCH/victim" "$SCRATCH/report.json"
    ln -s "$SCRATCH/victim" "$SCRATCH/meta.txt"
    run --separate-stderr iso --report "$SCRATCH/report.json" -w "$SCRATCH" touch "$SCRATCH/ran"
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"--report $SCRATCH/report.json: is a symbolic link"* ]]
    run --separate-stderr iso --meta "$SCRATCH/meta.txt" -w "$SCRATCH" touch "$SCRATCH/ran"
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"--meta $SCRATCH/meta.txt: is a symbolic link"* ]]
    [ "$(cat "$SCRATCH/victim")" = keep ]
    [ ! -e "$SCRATCH/ran" ]
}

@test "--report /dev/stderr works: root's own symlinks are followed" {
    run --separate-stderr iso --report /dev/stderr true
    [ "$status" -eq 0 ]
    [[ "$stderr" == *'"status": "OK"'* ]]
}

@test "a symlink owned by another user is not followed" {
    # Seen from a user namespace where root is not mapped, root's symlinks
    # belong to the overflow uid: to isolate, another user.
    link=
    for c in /bin /sbin /lib /lib64; do
        if [ -L "$c" ] && [ "$(stat -c %u "$c")" = 0 ]; then link=$c; break; fi
    done
    [ -n "$link" ] || fail "no symlink owned by root found to test with"
    run --separate-stderr unshare --user --map-current-user $(iso_cmd) --ro "$link" true
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"--ro $link: a symbolic link owned by another user (uid 65534), which isolate does not follow"* ]]
    # The real directory, named directly, is fine there.
    run --separate-stderr unshare --user --map-current-user $(iso_cmd) --ro "$(readlink -f "$link")" true
    [ "$status" -eq 0 ]
}
