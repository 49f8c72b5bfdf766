#!/usr/bin/env bats
# The mount namespace: read-only host, private home and temporary
# directories, minimal /dev, fresh /proc, the current directory, and the
# user's opt-ins (-w, --ro, --hide).
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    # A scratch tree in the caller's home, which the sandbox must not show.
    SCRATCH=$(mktemp -d "$HOME/isolate-test.XXXXXX")
    echo secret >"$SCRATCH/secret.txt"
}

teardown() {
    rm -rf "$SCRATCH"
}

@test "the host file system is read-only" {
    run iso "$PROBE" write /etc/isolate-test
    [ "$output" = "write=EROFS" ]
    run iso "$PROBE" write /usr/isolate-test
    [ "$output" = "write=EROFS" ]
    run iso "$PROBE" write "$ISOLATE_ROOT/isolate-test"
    [ "$output" = "write=EROFS" ]
    [ ! -e "$ISOLATE_ROOT/isolate-test" ]
}

@test "the home directory is private, empty, writable and gone at exit" {
    run iso sh -c 'ls -A "$HOME" | wc -l; echo hi > "$HOME/new" && cat "$HOME/new"; echo "HOME=$HOME"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = hi ]
    [ "${lines[2]}" = "HOME=$HOME" ]
    [ ! -e "$HOME/new" ]
    run iso "$PROBE" read "$SCRATCH/secret.txt"
    [ "$output" = "read=ENOENT" ]
}

@test "with HOME pointed elsewhere, the login home is private too" {
    alt=$(mktemp -d /tmp/althome.XXXXXX)
    login=$(getent passwd "$(id -un)" | cut -d: -f6)
    HOME=$alt run iso -q sh -c 'echo "HOME=$HOME"; ls -A "$0" | wc -l; cat "$1"' "$login" "$SCRATCH/secret.txt"
    rmdir "$alt"
    [ "${lines[0]}" = "HOME=$alt" ]
    [ "${lines[1]}" = 0 ]
    [[ "${lines[2]}" == *"No such file"* ]]
    [ "$status" -ne 0 ]
}

@test "/tmp, /var/tmp, /run and /dev/shm are private and empty" {
    host=$(mktemp /tmp/isolate-host.XXXXXX)
    run iso sh -c 'for d in /tmp /var/tmp /run /dev/shm; do echo "$d $(ls -A $d | wc -l)"; touch $d/x || echo "cannot write $d"; done'
    rm -f "$host"
    [ "$status" -eq 0 ]
    has_line "/tmp 0"
    has_line "/var/tmp 0"
    has_line "/run 0"
    has_line "/dev/shm 0"
    [[ "$output" != *"cannot write"* ]]
}

@test "sockets in /run and /tmp are out of reach" {
    run iso sh -c 'ls /run/user /tmp/.X11-unix 2>&1; echo done'
    has_line done
    [[ "$output" == *"No such file"* ]]
}

@test "/dev is minimal: null zero full random urandom tty, pts and shm" {
    run iso sh -c 'ls -A /dev | tr "\n" " "'
    [ "$output" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
    run iso sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4 ] && [ "${lines[1]}" = 4 ]
}

@test "ptys can be created inside (private devpts)" {
    command -v script >/dev/null || fail "script(1) is needed (util-linux)"
    run iso script -qec 'tty' /dev/null </dev/null
    [ "$status" -eq 0 ]
    [[ "$output" == */dev/pts/0* ]]
}

@test "the current directory stays visible, read-only, at its own path" {
    mkdir "$SCRATCH/proj"
    echo content >"$SCRATCH/proj/file"
    cd "$SCRATCH/proj"
    run iso sh -c 'pwd; cat file; touch new 2>&1 || true'
    [ "${lines[0]}" = "$SCRATCH/proj" ]
    [ "${lines[1]}" = content ]
    [[ "${lines[2]}" == *"Read-only file system"* ]]
    # ...while the rest of the home stays hidden.
    run iso "$PROBE" read "$SCRATCH/secret.txt"
    [ "$output" = "read=ENOENT" ]
}

@test "the home directory as current directory is not exposed, and isolate says so" {
    cd "$HOME"
    run --separate-stderr iso sh -c 'pwd; ls -A | wc -l'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$HOME" ]
    [ "${lines[1]}" = 0 ]
    [[ "$stderr" == *"is your home directory; it is not exposed"* ]]
    cd /
    run --separate-stderr iso pwd
    [ "$output" = "$HOME" ]
    [[ "$stderr" == *"is the root directory"* ]]
    cd "$(dirname "$HOME")"
    run --separate-stderr iso pwd
    [ "$output" = "$HOME" ]
    [[ "$stderr" == *"contains your home directory"* ]]
    run --separate-stderr iso -q pwd
    [ -z "$stderr" ]
}

@test "-w . makes the current directory writable" {
    mkdir "$SCRATCH/proj"
    cd "$SCRATCH/proj"
    run iso -w . sh -c 'echo made > made.txt'
    [ "$status" -eq 0 ]
    [ "$(cat "$SCRATCH/proj/made.txt")" = made ]
}

@test "-w PATH, --ro PATH and --hide PATH" {
    mkdir -p "$SCRATCH/w" "$SCRATCH/r" "$SCRATCH/w/hidden"
    echo visible >"$SCRATCH/r/f"
    echo data >"$SCRATCH/w/hidden/x"
    run iso -w "$SCRATCH/w" --ro "$SCRATCH/r" --hide "$SCRATCH/w/hidden" sh -c "
        echo out > '$SCRATCH/w/out'; cat '$SCRATCH/r/f'; touch '$SCRATCH/r/g' 2>/dev/null || echo ro
        ls -A '$SCRATCH/w/hidden' | wc -l"
    [ "$status" -eq 0 ]
    [ "$(cat "$SCRATCH/w/out")" = out ]
    has_line visible
    has_line ro
    has_line 0
    [ -e "$SCRATCH/w/hidden/x" ]
}

@test "--hide of a file shows it empty" {
    run iso --hide /etc/hostname cat /etc/hostname
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "a path given through a symlink works by both names" {
    mkdir "$SCRATCH/target"
    ln -s "$SCRATCH/target" "$SCRATCH/link"
    cd /
    run iso -q -w "$SCRATCH/link" sh -c "echo via-link > '$SCRATCH/link/f'; cat '$SCRATCH/target/f'"
    [ "$status" -eq 0 ]
    [ "$output" = via-link ]
    [ "$(cat "$SCRATCH/target/f")" = via-link ]
}

@test "a current directory that no longer exists: start in the home, and say so" {
    mkdir "$SCRATCH/gone"
    cd "$SCRATCH/gone"
    rmdir "$SCRATCH/gone"
    run --separate-stderr iso pwd
    [ "$status" -eq 0 ]
    [ "$output" = "$HOME" ]
    [[ "$stderr" == *"no longer exists"* ]]
}

@test "--hide of a file and a directory in the current directory under the home" {
    # The current directory is bound read-only on the private home: the
    # hidden file is its own mountpoint, not one to create there.
    mkdir -p "$SCRATCH/proj/sec"
    echo secret >"$SCRATCH/proj/.env"
    echo x >"$SCRATCH/proj/sec/f"
    cd "$SCRATCH/proj"
    run iso --hide "$SCRATCH/proj/.env" --hide "$SCRATCH/proj/sec" sh -c 'cat .env; ls -A sec | wc -l; cat f 2>/dev/null; echo done'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = done ]
    [ "$(cat "$SCRATCH/proj/.env")" = secret ]
}
