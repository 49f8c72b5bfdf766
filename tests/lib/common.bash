# tests/lib/common.bash - shared by the bats suites.
#
# ISOLATE_FRONTEND (cli, bash or zsh) selects the front end every behavioural
# test goes through; tests/run runs each suite once per front end.
#   iso ARGS...        run isolate ARGS through the front end (use with `run`)
#   in_shell SCRIPT    run SCRIPT in the front end's shell, where `isolate` is
#                      the builtin (bash), the module (zsh) or the CLI (cli:
#                      in bash, through a function)
#   probe              path of the static probe binary, run inside the sandbox

#
# ISOLATE_BIN names the directory holding cli/, builtin/ and zsh-module/ (by
# default the tree itself; tests/run asan points it at the ASan build), and
# ISOLATE_PRELOAD a library that the shells loading the builtin or the module
# need preloaded (ASan's runtime); they do not pass it on to what they run.

export ISOLATE_ROOT=${ISOLATE_ROOT:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export ISOLATE_BIN=${ISOLATE_BIN:-$ISOLATE_ROOT}
: "${ISOLATE_FRONTEND:=cli}"
PROBE=$ISOLATE_ROOT/tests/probe

iso() {
    case $ISOLATE_FRONTEND in
    cli) "$ISOLATE_BIN/cli/isolate" "$@" ;;
    bash) ${ISOLATE_PRELOAD:+env LD_PRELOAD=$ISOLATE_PRELOAD} bash --norc --noprofile -c \
        '[ -z "$ISOLATE_PRELOAD" ] || unset LD_PRELOAD; enable -f "$0" isolate || exit 99
         isolate "$@"' "$ISOLATE_BIN/builtin/isolate.so" "$@" ;;
    zsh) ${ISOLATE_PRELOAD:+env LD_PRELOAD=$ISOLATE_PRELOAD} zsh -f -c \
        '[[ -z $ISOLATE_PRELOAD ]] || unset LD_PRELOAD
         module_path=("$1" $module_path); shift; zmodload isolate || exit 99
         isolate "$@"' zsh "$ISOLATE_BIN/zsh-module" "$@" ;;
    *) echo "unknown ISOLATE_FRONTEND=$ISOLATE_FRONTEND" >&2; return 99 ;;
    esac
}

# The words that run isolate through the front end, for commands such as
# timeout that take a program: $(iso_cmd) ARGS...
iso_cmd() {
    case $ISOLATE_FRONTEND in
    cli) echo "$ISOLATE_BIN/cli/isolate" ;;
    bash) echo "$ISOLATE_ROOT/tests/lib/with-builtin bash" ;;
    zsh) echo "$ISOLATE_ROOT/tests/lib/with-builtin zsh" ;;
    esac
}

# The shell that runs in_shell scripts, with isolate available in it.
shell_name() {
    case $ISOLATE_FRONTEND in zsh) echo zsh ;; *) echo bash ;; esac
}

in_shell() {
    case $ISOLATE_FRONTEND in
    cli) bash --norc --noprofile -c 'isolate() { "$ISOLATE_BIN/cli/isolate" "$@"; }
        '"$1" ;;
    bash) ${ISOLATE_PRELOAD:+env LD_PRELOAD=$ISOLATE_PRELOAD} bash --norc --noprofile -c \
        '[ -z "$ISOLATE_PRELOAD" ] || unset LD_PRELOAD
        enable -f "$ISOLATE_BIN/builtin/isolate.so" isolate || exit 99
        '"$1" ;;
    zsh) ${ISOLATE_PRELOAD:+env LD_PRELOAD=$ISOLATE_PRELOAD} zsh -f -c \
        '[[ -z $ISOLATE_PRELOAD ]] || unset LD_PRELOAD
        module_path=("$ISOLATE_BIN/zsh-module" $module_path); zmodload isolate || exit 99
        '"$1" ;;
    esac
}

# Fails the test with a message (bats 1.8 has no fail helper).
fail() {
    echo "$*" >&2
    return 1
}

# assert_line_equal EXPECTED: some line of $output equals EXPECTED.
has_line() {
    local l
    for l in "${lines[@]}"; do [ "$l" = "$1" ] && return 0; done
    echo "no line '$1' in output:" >&2
    printf '  %s\n' "${lines[@]}" >&2
    return 1
}

# Waits (up to ~5 s) until a command succeeds.
wait_until() {
    local i
    for i in $(seq 50); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# Lists the caller's live processes (zombies excluded: a zombie has ended)
# whose command line matches the extended regex $1 (pgrep -f); fails if none.
running() {
    local pid st found=
    for pid in $(pgrep -u "$(id -u)" -f "$1"); do
        st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || continue
        [ "$st" = Z ] && continue
        echo "$pid"
        found=1
    done
    [ -n "$found" ]
}

# Waits (up to ~5 s) until a command fails.
wait_while() {
    local i
    for i in $(seq 50); do
        "$@" >/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# The top of the delegated cgroup v2 subtree this test runs in (the highest
# directory above its own cgroup that it owns), as isolate finds it; fails if
# there is none.
delegated_root() {
    local mnt rel dir root=
    [ "${ISOLATE_CGROUP:-}" = none ] && return 1
    mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
    dir=$mnt${rel%/}
    while [ "${#dir}" -gt "${#mnt}" ] && [ -O "$dir" ] && [ -w "$dir/cgroup.procs" ]; do
        root=$dir
        dir=${dir%/*}
    done
    [ -n "$root" ] && echo "$root"
}

# What the report's enforced_by should say for the process limit and for CPU
# time here: the cgroup's where the delegated cgroup has the pids controller
# (tests/run provides one when run as root), the rlimit and watchdog's without
# a cgroup (ISOLATE_CGROUP=none).
pids_enforcer() {
    local root
    if root=$(delegated_root) && grep -qw pids "$root/cgroup.controllers"; then
        echo cgroup
    else
        echo rlimit/watchdog
    fi
}
time_enforcer() {
    if delegated_root >/dev/null; then echo cgroup/watchdog; else echo rlimit/watchdog; fi
}

# A free TCP port on 127.0.0.1 (best effort).
free_port() {
    echo $(( 20000 + (RANDOM % 20000) ))
}
