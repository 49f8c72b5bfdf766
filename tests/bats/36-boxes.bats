#!/usr/bin/env bats
# Named sandboxes (--box): made on first use, a home that persists, --setup
# once, the interactive shell, --boxes and --rm-box, name checks, links
# planted in a box between runs (bubblewrap's CVE-2026-87766, Flatpak's
# CVE-2024-42472), runs that overlap; and what a sandbox may share of the
# desktop on request (--x11, --wayland, --audio, --gpu).
load ../lib/common
bats_require_minimum_version 1.5.0

setup() {
    # In the caller's home, which no sandbox shows: a box's home covers it.
    SCRATCH=$(mktemp -d "$HOME/isolate-box.XXXXXX")
    export XDG_DATA_HOME=$SCRATCH/data
    BOXES=$XDG_DATA_HOME/isolate/boxes
    SERVERS=()
}

teardown() {
    local pid
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    chmod -R u+rwX "$SCRATCH" 2>/dev/null || true
    rm -rf "$SCRATCH"
}

# The entries of the boxes directory, isolate's own (dot) ones included.
entries() { ls -A "$BOXES" 2>/dev/null | tr '\n' ' '; }

# --- Made on first use; what persists ---------------------------------------

@test "a box is made on first use; its home persists between runs" {
    run --separate-stderr iso --box dev sh -c 'echo one > ~/state; echo "$ISOLATE_BOX $(hostname)"'
    [ "$status" -eq 0 ]
    [ "$output" = "dev isolate-dev" ]
    [[ "$stderr" == *"box 'dev' made in $BOXES/dev"* ]]
    [ "$(cat "$BOXES/dev/home/state")" = one ]
    [ "$(stat -c %a "$BOXES/dev")" = 700 ]
    [ "$(stat -c %a "$BOXES/dev/home")" = 700 ]
    grep -Eq '^created=[0-9]+$' "$BOXES/dev/info"
    [ ! -e "$HOME/state" ]
    run --separate-stderr iso --box dev sh -c 'cat ~/state; echo two >> ~/state'
    [ "$status" -eq 0 ]
    [ "$output" = one ]
    [ -z "$stderr" ]
    run iso -q --box dev cat "$HOME/state"
    [ "${lines[1]}" = two ]
    [ "$(entries)" = "dev " ]
}

@test "without XDG_DATA_HOME, boxes live in ~/.local/share/isolate/boxes" {
    name=t$$-$RANDOM
    run env -u XDG_DATA_HOME $(iso_cmd) -q --box "$name" sh -c 'echo kept > ~/f'
    [ "$status" -eq 0 ]
    [ "$(cat "$HOME/.local/share/isolate/boxes/$name/home/f")" = kept ]
    run env -u XDG_DATA_HOME $(iso_cmd) -q --rm-box "$name"
    [ "$status" -eq 0 ]
    [ ! -e "$HOME/.local/share/isolate/boxes/$name" ]
    # A relative XDG_DATA_HOME is not a valid one (XDG): the default is used.
    run env XDG_DATA_HOME=relative/dir $(iso_cmd) -q --box "$name" true
    [ -d "$HOME/.local/share/isolate/boxes/$name/home" ]
    [ ! -e relative ]
    env -u XDG_DATA_HOME $(iso_cmd) -q --rm-box "$name"
}

@test "only the home persists: /tmp, /var/tmp and /dev/shm are fresh each run" {
    run iso -q --box b sh -c 'echo h > ~/h; echo t > /tmp/t; echo v > /var/tmp/v; echo s > /dev/shm/s'
    [ "$status" -eq 0 ]
    run iso -q --box b sh -c 'cat ~/h; for d in /tmp /var/tmp /dev/shm; do ls -A $d; done | wc -l'
    [ "${lines[0]}" = h ]
    [ "${lines[1]}" = 0 ]
}

@test "the rest of the default sandbox holds in a box" {
    echo secret >"$SCRATCH/secret.txt"
    port=$(free_port)
    "$PROBE" listen-tcp "$port" 20 >"$BATS_TEST_TMPDIR/srv" &
    SERVERS+=($!)
    wait_until grep -q listening "$BATS_TEST_TMPDIR/srv"
    run env SECRET_TOKEN=hunter2 $(iso_cmd) -q --box b sh -c '
        '"$PROBE"' write /etc/isolate-box-test; '"$PROBE"' read "$1"
        '"$PROBE"' connect-tcp 127.0.0.1 '"$port"'; echo "token=${SECRET_TOKEN-unset}"
        '"$PROBE"' daemon 33334' _ "$SCRATCH/secret.txt"
    [ "${lines[0]}" = "write=EROFS" ]
    [ "${lines[1]}" = "read=ENOENT" ]
    [ "${lines[2]}" = "connect=ECONNREFUSED" ]
    [ "${lines[3]}" = "token=unset" ]
    ! running "probe daemon 33334"
}

@test "a sandbox cannot reach its box's directory, nor other boxes, even outside the home" {
    # The boxes directory on a path every sandbox would see read-only.
    export XDG_DATA_HOME=$ISOLATE_ROOT/boxes-test.$$.$RANDOM
    BOXES=$XDG_DATA_HOME/isolate/boxes
    run iso -q --box a sh -c 'echo private > ~/secret; ls -A "$1" | wc -l' _ "$BOXES"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
    run iso -q --box b sh -c 'ls -A "$1" | wc -l; cat "$1/a/home/secret"' _ "$BOXES"
    [ "${lines[0]}" = 0 ]
    [[ "$output" == *"No such file"* ]]
    run iso -q sh -c 'ls -A "$1" | wc -l' _ "$BOXES"
    [ "$output" = 0 ]
    # Nor can it move its home away to put something else there.
    run iso -q --box a sh -c 'mv "$HOME" "$HOME.moved" 2>&1 || echo refused'
    [[ "$output" == *refused* ]]
    [ "$(cat "$BOXES/a/home/secret")" = private ]
    rm -rf "$XDG_DATA_HOME"
}

@test "a box's home is the user's alone, whatever mode a sandbox left it in" {
    iso -q --box m sh -c 'chmod 777 ~'
    [ "$(stat -c %a "$BOXES/m/home")" = 777 ]
    run iso -q --box m sh -c 'stat -c %a ~; chmod 000 ~'
    [ "$output" = 700 ]
    run iso -q --box m sh -c 'stat -c %a ~'
    [ "$status" -eq 0 ]
    [ "$output" = 700 ]
}

@test "the current directory is shown in a box as in the default sandbox" {
    mkdir -p "$SCRATCH/proj"
    echo code >"$SCRATCH/proj/main.c"
    cd "$SCRATCH/proj"
    run iso -q --box b sh -c 'pwd; cat main.c; touch new 2>/dev/null || echo read-only'
    [ "${lines[0]}" = "$SCRATCH/proj" ]
    [ "${lines[1]}" = code ]
    [ "${lines[2]}" = read-only ]
    run iso -q --box b -w . sh -c 'echo made > made.txt'
    [ "$(cat "$SCRATCH/proj/made.txt")" = made ]
    # From the home itself, a box starts in its own home, without a note.
    cd "$HOME"
    run --separate-stderr iso --box b pwd
    [ "$output" = "$HOME" ]
    [ -z "$stderr" ]
}

# --- --setup ---------------------------------------------------------------------

@test "--setup runs once, inside, when the box is made" {
    run --separate-stderr iso --box s --setup 'echo "setup in $ISOLATE_BOX on $(hostname)"; echo 1 >> ~/count' cat "$HOME/count"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "setup in s on isolate-s" ]
    [ "${lines[1]}" = 1 ]
    [[ "$stderr" == *"box 's': making it in $BOXES/s; its --setup runs first"* ]]
    run --separate-stderr iso --box s --setup 'echo 1 >> ~/count' cat "$HOME/count"
    [ "$output" = 1 ]
    [[ "$stderr" == *"box 's' exists, and --setup runs only when a box is made"* ]]
    [ "$(entries)" = "s " ]
}

@test "--setup runs in the current directory with the caller's shell; what it starts does not survive" {
    mkdir -p "$SCRATCH/proj"
    printf '#!/bin/sh\necho from-script > "$HOME/made"\n' >"$SCRATCH/proj/setup.sh"
    chmod +x "$SCRATCH/proj/setup.sh"
    cd "$SCRATCH/proj"
    run iso -q --box s --setup './setup.sh; '"$PROBE"' daemon 33335 >/dev/null' sh -c 'cat ~/made; ps -e -o comm= | grep -c probe; true'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = from-script ]
    [ "${lines[1]}" = 0 ]
}

@test "a failing --setup: 125, it says so, and no box is left, half-made or not" {
    run --separate-stderr iso --box f --setup 'echo partial > ~/partial; exit 3' echo never
    [ "$status" -eq 125 ]
    [ -z "$output" ]
    [[ "$stderr" == *"box 'f': its --setup failed (exit status 3), so the box was not made"* ]]
    [ ! -e "$BOXES/f" ]
    [ -z "$(entries)" ]
    run iso -q --box f --setup 'kill -KILL $$' true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--setup was killed by SIGKILL"* ]]
    [ -z "$(entries)" ]
    # The next run makes the box afresh: nothing of the failed setup is in it.
    run iso -q --box f ls -A "$HOME"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "a --setup ended by a limit leaves no box" {
    run iso -q --box w --wall 1 --setup 'sleep 10' echo never
    [ "$status" -eq 124 ]
    [ -z "$(entries)" ]
}

@test "what a killed run left while making its box is removed by the next run" {
    in_shell "isolate -q --box k --setup 'sleep 33336' true" 3>&- &
    wait_until running "^sleep 33336" >/dev/null
    [ -d "$BOXES/.k.new/home" ]
    kill -9 $(running "box-stage \.k\.new")
    wait_while running "^sleep 33336"
    wait || true
    [ -d "$BOXES/.k.new" ]
    run iso -q --box k sh -c 'ls -A ~ | wc -l'
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
    [ "$(entries)" = "k " ]
}

# --- The interactive shell ------------------------------------------------------

@test "without a command, a box runs the caller's shell, here fed through a pipe" {
    echo 'echo "in $ISOLATE_BOX on $(hostname) with ${BASH_VERSION:+bash}${ZSH_VERSION:+zsh}"; echo state > ~/kept' >"$SCRATCH/script"
    run iso -q --box sh <"$SCRATCH/script"
    [ "$status" -eq 0 ]
    case $ISOLATE_FRONTEND in
    zsh) [ "$output" = "in sh on isolate-sh with zsh" ] ;;
    *) [ "$output" = "in sh on isolate-sh with bash" ] ;;
    esac
    [ "$(cat "$BOXES/sh/home/kept")" = state ]
    run iso --explain --box sh
    [[ "${lines[0]}" == "isolate would run: "*" (interactive)" ]]
    has_line "  box: 'sh', kept in $BOXES/sh (exists)"
}

# --- Runs that overlap --------------------------------------------------------

@test "runs of one box may overlap, and share its home" {
    iso -q --box c sh -c 'echo a > ~/a; while [ ! -e ~/b ]; do sleep 0.05; done; echo saw-b' >"$BATS_TEST_TMPDIR/first" &
    wait_until test -e "$BOXES/c/home/a"
    run iso -q --box c sh -c 'cat ~/a; echo b > ~/b'
    [ "$status" -eq 0 ]
    [ "$output" = a ]
    wait
    [ "$(cat "$BATS_TEST_TMPDIR/first")" = saw-b ]
    run iso -q --rm-box c
    [ "$status" -eq 0 ]
    [ -z "$(entries)" ]
}

@test "--rm-box refuses a box in use and says so" {
    iso -q --box u sh -c 'touch ~/up; sleep 33337' &
    wait_until test -e "$BOXES/u/home/up"
    run --separate-stderr iso --rm-box u
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"box 'u': it is in use by a running sandbox; end that first"* ]]
    [ -d "$BOXES/u/home" ]
    run iso --boxes
    [[ "$output" == *"  in use"* ]]
    kill $(running "^sleep 33337")
    wait || true
    run iso -q --rm-box u
    [ "$status" -eq 0 ]
}

@test "a box being made by another run is refused, not made twice" {
    iso -q --box m --setup 'echo once >> ~/made; sleep 2' true &
    wait_until test -d "$BOXES/.m.new/home"
    run --separate-stderr iso --box m --setup 'echo twice >> ~/made' true
    [ "$status" -eq 125 ]
    [[ "$stderr" == *"another isolate is making it (running its --setup)"* ]]
    wait
    [ "$(cat "$BOXES/m/home/made")" = once ]
}

# --- --boxes and --rm-box ------------------------------------------------------

@test "--boxes lists each box: name, size, when created, when last used" {
    run iso --boxes
    [ "$status" -eq 0 ]
    [ "$output" = "no boxes (isolate keeps them in $BOXES)" ]
    iso -q --box alpha true
    iso -q --box beta sh -c 'head -c 300000 /dev/urandom > ~/blob'
    touch -d '2020-01-02 03:04' "$BOXES/alpha"
    run iso --boxes
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^NAME\ +SIZE\ +CREATED\ +LAST\ USED ]]
    [ "${#lines[@]}" -eq 3 ]
    [[ "${lines[1]}" =~ ^alpha\ +[0-9.]+\ KiB\ +[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}\ +2020-01-02\ 03:04$ ]]
    [[ "${lines[2]}" =~ ^beta\ +[0-9]{3}(\.[0-9])?\ KiB\ + ]]
    # Using a box is what "last used" says.
    iso -q --box alpha true
    run iso --boxes
    [[ "${lines[1]}" != *2020-01-02* ]]
}

@test "--rm-box removes a box and all in it, never following a link out of it" {
    mkdir -p "$SCRATCH/keepdir"
    echo keep >"$SCRATCH/keepdir/file"
    echo keep >"$SCRATCH/keepfile"
    run iso -q --box r sh -c '
        mkdir -p ~/locked/inner ~/ro/sub; echo x > ~/locked/inner/f; echo y > ~/ro/sub/g
        ln -s "$1/keepdir" ~/dirlink; ln -s "$1/keepfile" ~/filelink; ln -s "$1/keepdir" ~/ro/sub/link
        mkfifo ~/fifo; d=~/deep; for i in $(seq 300); do d=$d/d; done; mkdir -p "$d"
        chmod 000 ~/locked/inner ~/locked; chmod 500 ~/ro/sub ~/ro' _ "$SCRATCH"
    [ "$status" -eq 0 ]
    run --separate-stderr iso --rm-box r
    [ "$status" -eq 0 ]
    [ "$stderr" = "isolate: removed box 'r'" ]
    [ -z "$(entries)" ]
    [ "$(cat "$SCRATCH/keepdir/file")" = keep ]
    [ "$(cat "$SCRATCH/keepfile")" = keep ]
    run iso -q --rm-box r
    [ "$status" -eq 125 ]
    [[ "$output" == *"box 'r': there is no such box in $BOXES"* ]]
}

# --- Names and bad input -------------------------------------------------------

@test "box names are checked: 125, the problem named, nothing made" {
    long=$(printf 'a%.0s' $(seq 49))
    for bad in "" "a/b" ".." "../x" ".hidden" "-x" "has space" 'a$b' "$long" "été" $'a\nb'; do
        for opt in --box --rm-box; do
            run iso "$opt" "$bad" true
            [ "$status" -eq 125 ] || fail "$opt '$bad': status $status"
            [[ "$output" == *"option '$opt': '"*"' is not a valid box name: it "* ]] || fail "$opt '$bad': $output"
        done
    done
    run iso --box "a/b" true
    [[ "$output" == *"it contains a slash"* ]]
    run iso --box "x..y" true
    [[ "$output" == *"it contains '..'"* ]]
    run iso --box ".x" true
    [[ "$output" == *"it starts with a dot"* ]]
    run iso --box "-x" true
    [[ "$output" == *"it starts with a dash"* ]]
    run iso --box "$long" true
    [[ "$output" == *"it is longer than 48 characters"* ]]
    run iso --box $'a\033]0;x' true
    [[ "$output" == *"'a?]0;x' is not a valid box name"* ]]
    [ ! -e "$XDG_DATA_HOME" ]
    run iso -q --box "$(printf 'b%.0s' $(seq 48))" true
    [ "$status" -eq 0 ]
}

@test "every bad input with a box: 125, a message naming it, nothing made" {
    run iso --box ok --write "$SCRATCH/nonexistent" true
    [ "$status" -eq 125 ] && [[ "$output" == *"--write $SCRATCH/nonexistent"* ]]
    run iso --setup 'echo x' true
    [ "$status" -eq 125 ] && [[ "$output" == *"option '--setup' needs --box NAME"* ]]
    run iso --box ok --setup '' true
    [ "$status" -eq 125 ] && [[ "$output" == *"option '--setup' needs a non-empty SCRIPT"* ]]
    run env -u DISPLAY $(iso_cmd) --box ok --x11 true
    [ "$status" -eq 125 ] && [[ "$output" == *"--x11: DISPLAY is not set"* ]]
    run iso --boxes extra
    [ "$status" -eq 125 ] && [[ "$output" == *"option '--boxes' takes no command"* ]]
    run iso --rm-box ok extra
    [ "$status" -eq 125 ] && [[ "$output" == *"option '--rm-box' takes no command"* ]]
    run iso --box ok --rm-box ok
    [ "$status" -eq 125 ] && [[ "$output" == *"options '--box' and '--rm-box' cannot be combined"* ]]
    run iso --box ok --explain
    [ "$status" -eq 0 ] && [[ "$output" == *"(made on first use)"* ]]
    [ ! -e "$XDG_DATA_HOME" ]
}

# --- Links planted between runs ------------------------------------------------
# Everything isolate binds or creates from a box is opened without following a
# link (openat2 RESOLVE_NO_SYMLINKS), the home is carried into the sandbox by
# descriptor, and mount points in the home are made beneath it, by descriptor.

@test "a box whose home was swapped for a link (to a ~/.ssh) is refused; the target is untouched" {
    iso -q --box v true
    mkdir -p "$SCRATCH/.ssh"
    echo private-key >"$SCRATCH/.ssh/id_ed25519"
    mv "$BOXES/v/home" "$BOXES/v/home.old"
    ln -s "$SCRATCH/.ssh" "$BOXES/v/home"
    run --separate-stderr iso --box v sh -c 'cat ~/id_ed25519; touch ~/pwned; echo ran'
    [ "$status" -eq 125 ]
    [ -z "$output" ]
    [[ "$stderr" == *"box 'v': its home has been replaced by a symbolic link; isolate never follows a link in a box"* ]]
    [ "$(ls -A "$SCRATCH/.ssh")" = id_ed25519 ]
    # The same when the link appears between the plan and the run's own open:
    # that open is the one that counts, and it does not follow either.
    run iso -q --rm-box v
    [ "$status" -eq 0 ]
    [ "$(cat "$SCRATCH/.ssh/id_ed25519")" = private-key ]
    [ -z "$(entries)" ]
}

@test "a box directory, its info or the boxes directory swapped for a link is refused" {
    mkdir -p "$SCRATCH/elsewhere/home"
    echo created=1 >"$SCRATCH/elsewhere/info"
    mkdir -p "$BOXES"
    ln -s "$SCRATCH/elsewhere" "$BOXES/l"
    run iso --box l touch "$HOME/pwned"
    [ "$status" -eq 125 ]
    [[ "$output" == *"$BOXES/l is a symbolic link, not a box"* ]]
    [ ! -e "$SCRATCH/elsewhere/home/pwned" ]
    run iso --boxes
    [[ "$output" == *"not usable: $BOXES/l is a symbolic link"* ]]
    run --separate-stderr iso --rm-box l
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"it was not a box but a symbolic link (what it pointed to is untouched)"* ]]
    [ -d "$SCRATCH/elsewhere/home" ]

    iso -q --box i true
    echo precious >"$SCRATCH/file"
    rm "$BOXES/i/info"
    ln -s "$SCRATCH/file" "$BOXES/i/info"
    run iso --box i true
    [ "$status" -eq 125 ]
    [[ "$output" == *"its file info is a symbolic link"* ]]
    [ "$(cat "$SCRATCH/file")" = precious ]
    iso -q --rm-box i
    [ "$(cat "$SCRATCH/file")" = precious ]

    mv "$BOXES" "$SCRATCH/real-boxes"
    ln -s "$SCRATCH/real-boxes" "$BOXES"
    for args in "--box x true" "--boxes" "--rm-box x"; do
        run iso $args
        [ "$status" -eq 125 ] || fail "$args: $status"
        [[ "$output" == *"$BOXES: a symbolic link where isolate keeps its boxes"* ]] || fail "$args: $output"
    done
    [ -z "$(ls -A "$SCRATCH/real-boxes")" ]
}

@test "a link the sandbox planted in its home is not followed to make a mount point (CVE-2026-87766)" {
    # The next run binds a file of the project below a directory the sandbox
    # replaced with a link to a writable place: isolate must not create the
    # mount point (an empty notes.txt) there, nor mount anything there.
    mkdir -p "$SCRATCH/proj/docs" "$SCRATCH/victim"
    echo notes >"$SCRATCH/proj/docs/notes.txt"
    run iso -q --box p sh -c 'mkdir -p "$1/proj" && ln -s "$1/victim" "$1/proj/docs"' _ "$SCRATCH"
    [ "$status" -eq 0 ]
    run iso -q --box p -w "$SCRATCH/victim" --ro "$SCRATCH/proj/docs/notes.txt" cat "$SCRATCH/proj/docs/notes.txt"
    [ "$status" -eq 125 ]
    [[ "$output" == *"cannot make the mount point $SCRATCH/proj/docs/notes.txt in the box's home: $SCRATCH/proj/docs is a symbolic link"* ]]
    [ -z "$(ls -A "$SCRATCH/victim")" ]
    # The current directory's mount point is made the same way.
    mkdir -p "$SCRATCH/work/src"
    run iso -q --box p sh -c 'rm -rf "$1/work"; ln -s "$1/victim" "$1/work"' _ "$SCRATCH"
    cd "$SCRATCH/work/src"
    run iso -q --box p -w "$SCRATCH/victim" pwd
    [ "$status" -eq 125 ]
    [[ "$output" == *"$SCRATCH/work is a symbolic link"* ]]
    [ -z "$(ls -A "$SCRATCH/victim")" ]
    # Once the link is gone, the same run works, and the mount point is a
    # plain directory in the box's home.
    cd /
    iso -q --box p rm "$SCRATCH/work" "$SCRATCH/proj/docs"
    cd "$SCRATCH/work/src"
    run iso -q --box p -w "$SCRATCH/victim" --ro "$SCRATCH/proj/docs/notes.txt" sh -c 'pwd; cat "$1"' _ "$SCRATCH/proj/docs/notes.txt"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$SCRATCH/work/src" ]
    [ "${lines[1]}" = notes ]
    [ -d "$BOXES/p/home/${SCRATCH#"$HOME"/}/work/src" ]
    [ ! -L "$BOXES/p/home/${SCRATCH#"$HOME"/}/proj/docs" ]
    [ -z "$(ls -A "$SCRATCH/victim")" ]
}

# --- Sharing the desktop: --x11, --wayland, --audio, --gpu ---------------------

# Starts Xvfb on a free display with a cookie; sets DISPLAY and XAUTHORITY.
start_xvfb() {
    command -v Xvfb >/dev/null || fail "Xvfb is needed (apt-get install xvfb; tools/deps test)"
    local n
    for n in $(shuf -i 100-899 -n 20); do [ -e "/tmp/.X11-unix/X$n" ] || break; done
    export DISPLAY=:$n XAUTHORITY=$SCRATCH/Xauthority
    xauth -q -f "$XAUTHORITY" add "$DISPLAY" . "$(mcookie)"
    # A cookie of another display, which the sandbox must not get.
    xauth -q -f "$XAUTHORITY" add ":$((n + 1))" . "$(mcookie)"
    Xvfb "$DISPLAY" -auth "$XAUTHORITY" -nolisten tcp >/dev/null 2>&1 &
    SERVERS+=($!)
    wait_until test -S "/tmp/.X11-unix/X$n"
    xdpyinfo >/dev/null
}

@test "--x11: the display's socket and its cookie only; without it, no display" {
    start_xvfb
    run --separate-stderr iso --x11 sh -c 'xdpyinfo >/dev/null && echo "connected to $DISPLAY"; xauth list | wc -l'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "connected to $DISPLAY" ]
    [ "${lines[1]}" = 1 ]
    [ "$stderr" = "isolate: warning: --x11 shares your X display: the command can see every window, read keystrokes and the clipboard, and type into other windows" ]
    run --separate-stderr iso -q --x11 true
    [ -z "$stderr" ]
    # The cookie is what lets it in.
    run iso -q --x11 sh -c 'XAUTHORITY=/dev/null xdpyinfo'
    [ "$status" -ne 0 ]
    # Without --x11: no DISPLAY, and none reachable by naming it.
    run iso -q sh -c 'echo "DISPLAY=${DISPLAY-unset}"; DISPLAY='"$DISPLAY"' XAUTHORITY=/dev/null xdpyinfo 2>&1; ls /tmp/.X11-unix 2>&1'
    [ "${lines[0]}" = "DISPLAY=unset" ]
    [[ "$output" == *"unable to open display"* ]]
    [[ "$output" == *"No such file"* ]]
    # In a box too, and nothing of it is kept in the box.
    run iso -q --box x --x11 xdpyinfo
    [ "$status" -eq 0 ]
    [ -z "$(ls -A "$BOXES/x/home")" ]
}

@test "--x11 without a display to share: 125, naming what is missing" {
    run env -u DISPLAY $(iso_cmd) --x11 true
    [ "$status" -eq 125 ]
    [ "$output" = "isolate: --x11: DISPLAY is not set: there is no X display to share" ]
    for n in $(shuf -i 100-899 -n 20); do [ -e "/tmp/.X11-unix/X$n" ] || break; done
    run env DISPLAY=:$n $(iso_cmd) --x11 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--x11: no X server socket"*"DISPLAY=:$n"* ]]
    run env DISPLAY=localhost:10.0 $(iso_cmd) --x11 true
    [ "$status" -eq 125 ]
    [[ "$output" == *"--x11: DISPLAY=localhost:10.0 is not a local display"* ]]
}

# A real server on a unix socket at path; its log says when a client came.
serve_unix() {
    mkdir -p "$(dirname "$1")"
    "$PROBE" listen-unix "$1" 30 >"$1.log" &
    SERVERS+=($!)
    wait_until test -S "$1"
}

@test "--wayland: the compositor's socket; without it, none" {
    export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run WAYLAND_DISPLAY=wayland-test
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    serve_unix "$XDG_RUNTIME_DIR/wayland-test"
    run --separate-stderr iso --wayland sh -c 'echo "$XDG_RUNTIME_DIR $WAYLAND_DISPLAY"; '"$PROBE"' connect-unix "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "/run/user/$(id -u) wayland-test" ]
    [ "${lines[1]}" = "connect=ok" ]
    [[ "$stderr" == "isolate: warning: --wayland shares your Wayland compositor"* ]]
    grep -q accepted "$XDG_RUNTIME_DIR/wayland-test.log"
    run iso -q sh -c 'echo "${WAYLAND_DISPLAY-unset}"; '"$PROBE"' connect-unix "$1"; '"$PROBE"' connect-unix "/run/user/$(id -u)/wayland-test"' _ "$XDG_RUNTIME_DIR/wayland-test"
    [ "${lines[0]}" = unset ]
    [ "${lines[1]}" = "connect=ENOENT" ]
    [ "${lines[2]}" = "connect=ENOENT" ]
    [ "$(grep -c accepted "$XDG_RUNTIME_DIR/wayland-test.log")" = 1 ]
}

@test "--wayland without a socket: 125, naming what is missing" {
    run env -u XDG_RUNTIME_DIR $(iso_cmd) --wayland true
    [ "$status" -eq 125 ]
    [ "$output" = "isolate: --wayland: XDG_RUNTIME_DIR is not set, so there is no Wayland socket to share" ]
    mkdir -m 700 "$BATS_TEST_TMPDIR/run"
    run env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run" WAYLAND_DISPLAY=wayland-9 $(iso_cmd) --wayland true
    [ "$status" -eq 125 ]
    [ "$output" = "isolate: --wayland: no Wayland socket at $BATS_TEST_TMPDIR/run/wayland-9 (WAYLAND_DISPLAY=wayland-9)" ]
    ln -s /nonexistent "$BATS_TEST_TMPDIR/run/wayland-0"
    run env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run" $(iso_cmd) --wayland true
    [ "$status" -eq 125 ]
    [[ "$output" == *"a component is a symbolic link"* ]]
}

@test "--audio: the PulseAudio and PipeWire sockets; without it, none" {
    export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    serve_unix "$XDG_RUNTIME_DIR/pulse/native"
    serve_unix "$XDG_RUNTIME_DIR/pipewire-0"
    run --separate-stderr iso --audio sh -c 'echo "$PULSE_SERVER"; for s in pulse/native pipewire-0; do '"$PROBE"' connect-unix "$XDG_RUNTIME_DIR/$s"; done'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "unix:/run/user/$(id -u)/pulse/native" ]
    [ "${lines[1]}" = "connect=ok" ]
    [ "${lines[2]}" = "connect=ok" ]
    [[ "$stderr" == "isolate: warning: --audio shares your sound server: the command can play sound and record from the microphone" ]]
    grep -q accepted "$XDG_RUNTIME_DIR/pulse/native.log"
    grep -q accepted "$XDG_RUNTIME_DIR/pipewire-0.log"
    run iso -q sh -c 'for s in pulse/native pipewire-0; do '"$PROBE"' connect-unix "$1/$s"; '"$PROBE"' connect-unix "/run/user/$(id -u)/$s"; done' _ "$XDG_RUNTIME_DIR"
    [ "$output" = "$(printf 'connect=ENOENT\n%.0s' 1 2 3 4)" ]
    run env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR" $(iso_cmd) --audio true
    [ "$status" -eq 125 ]
    [ "$output" = "isolate: --audio: no PulseAudio or PipeWire socket in $BATS_TEST_TMPDIR (looked for pulse/native and pipewire-0)" ]
}

# Runs isolate ARGS in a user and mount namespace of the test's own whose /dev
# is a copy of the real one's harmless nodes, plus, when the first argument is
# "with-dri", a /dev/dri holding a real character device as renderD128 (this
# machine may have no GPU; what --gpu does is bind /dev/dri, and that is what
# is checked). isolate runs there with the test user's own uid.
in_fake_dev() {
    local dri=$1 d=$BATS_TEST_TMPDIR/dev
    shift
    mkdir -p "$d"
    unshare -r -m --propagation private sh -c '
        d=$1 dri=$2 uid=$3 gid=$4
        shift 4
        mount -t tmpfs -o mode=755 tmpfs "$d" || exit 97
        for n in null zero full random urandom tty; do
            touch "$d/$n" && mount --bind "/dev/$n" "$d/$n" || exit 97
        done
        if [ "$dri" = with-dri ]; then
            mkdir "$d/dri" && touch "$d/dri/renderD128" &&
                mount --bind /dev/zero "$d/dri/renderD128" || exit 97
        fi
        mount --rbind "$d" /dev || exit 97
        exec unshare -U --map-user="$uid" --map-group="$gid" "$@"
    ' sh "$d" "$dri" "$(id -u)" "$(id -g)" $(iso_cmd) "$@"
}

@test "--gpu: /dev/dri, its device nodes usable; without it, none" {
    run --separate-stderr in_fake_dev with-dri --gpu sh -c 'stat -c "%F %t:%T" /dev/dri/renderD128; head -c 4 /dev/dri/renderD128 | wc -c; echo x > /dev/dri/renderD128 && echo written'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "character special file 1:5" ]
    [ "${lines[1]}" = 4 ]
    [ "${lines[2]}" = written ]
    [[ "$stderr" == "isolate: warning: --gpu shares the GPU (/dev/dri)"* ]]
    run in_fake_dev with-dri sh -c 'ls /dev/dri 2>&1; ls /dev'
    [[ "${lines[0]}" == *"No such file"* ]]
    run in_fake_dev without-dri --gpu true
    [ "$status" -eq 125 ]
    [ "$output" = "isolate: --gpu: /dev/dri does not exist: this machine has no GPU device nodes to share" ]
}

@test "--explain names what each opt-in shares and its risk" {
    export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    serve_unix "$XDG_RUNTIME_DIR/pipewire-0"
    run iso --explain --audio true
    [ "$status" -eq 0 ]
    has_line "  shared with the host, weakening the isolation:"
    has_line "    --audio    shares your sound server: the command can play sound and record from the microphone"
    has_line "               PipeWire"
    [[ "$output" == *"/run/user/$(id -u)/pipewire-0"*"read-only (--audio)"* ]]
}
