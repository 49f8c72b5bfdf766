#!/usr/bin/env bash
# bench/soak.sh [RUNS] - RUNS sandboxed runs (default 10,000) in one bash,
# through the builtin, then RUNS in one zsh, through the module: successes,
# failures, commands killed by signals, --wall timeouts, Ctrl-C (SIGINT sent
# to the sandbox's supervisor, as the terminal sends it to the foreground
# job), sandboxes that leave processes behind inside. Each shell prints its
# descriptors and RSS before and after (after a warm-up, and at the end),
# and what is left on the machine that was not there before:
#   processes  of this user that did not exist before (a sandbox's leftover
#              would be one, wherever it was reparented)
#   namespaces held by this user's processes, as their own or through a
#              descriptor (the sandbox's mounts live in its mount namespace:
#              none left means no mount left)
#   cgroups    isolate-* directories under the delegated cgroup
#   temporary  entries of this user in /tmp, /var/tmp and /dev/shm
# and every run whose status was not the one expected. Exit 0 only if
# nothing grew and every status was right. Run it as a user of its own, so
# that nobody else's processes come and go meanwhile (as root it runs itself
# as ISOLATE_TEST_USER, in a delegated cgroup, through tools/as-user).
#
#   bench/soak.sh --state FILE   (internal) snapshot of the machine into FILE
set -u
here=$(cd "$(dirname "$0")/.." && pwd)

# ---- the machine's state, seen from outside the soaking shell --------------

# The pids of this process and of its ancestors up to the soaking shell: the
# snapshot must not count itself.
own_tree() {
    local p=$$
    while [ "$p" -gt 1 ]; do
        echo "$p"
        [ "$p" = "$1" ] && break
        p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || break
    done
}

# The delegated cgroup the sandboxes' cgroups go under (core/cgroup.c's rule).
cgroup_root() {
    local mnt dir root=
    mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    [ -n "$mnt" ] || return
    dir=$mnt$(sed -n 's/^0:://p' /proc/self/cgroup)
    while [ "${#dir}" -gt "${#mnt}" ] && [ -O "$dir" ]; do
        root=$dir
        dir=${dir%/*}
    done
    echo "$root"
}

state() {
    local out=$1 shell=$2 skip p ns uid
    uid=$(id -u)
    {
        skip=" $(own_tree "$shell" | tr '\n' ' ') "
        # and this script's own children: this pipeline
        for p in /proc/[0-9]*; do
            [ "$(awk '{ print $4 }' "$p/stat" 2>/dev/null)" = $$ ] && skip="$skip${p#/proc/} "
        done
        for p in /proc/[0-9]*; do
            p=${p#/proc/}
            [ -O "/proc/$p" ] || continue
            [[ $skip == *" $p "* ]] && continue
            # pid and start time: a pid reused meanwhile is another process
            echo "proc $p $(awk '{ print $22 }' "/proc/$p/stat" 2>/dev/null) $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80)"
            for ns in /proc/"$p"/ns/* /proc/"$p"/fd/*; do
                ns=$(readlink "$ns" 2>/dev/null) || continue
                case $ns in
                cgroup:* | ipc:* | mnt:* | net:* | pid:* | time:* | user:* | uts:*) echo "ns $ns" ;;
                esac
            done
        done
        root=$(cgroup_root)
        [ -n "$root" ] && find "$root" -mindepth 1 -type d -name 'isolate-*' -printf 'cgroup %P\n'
        find /tmp /var/tmp /dev/shm -mindepth 1 -maxdepth 1 -uid "$uid" -printf 'tmp %p\n' 2>/dev/null
    } | sort -u >"$out"
}

if [ "${1:-}" = --state ]; then
    state "$2" "$3"
    exit 0
fi

if [ "$(id -u)" = 0 ] && [ -z "${ISOLATE_TEST_AS_USER:-}" ]; then
    exec "$here/tools/as-user" --cgroup bench/soak.sh "$@"
fi

RUNS=${1:-10000}
cd "$here" || exit 1
work=$(mktemp -d "$here/build/soak.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# ---- the loop, the same in bash and in zsh -------------------------------

# One run of kind $((i % 20)): what it runs, and the status it must end with.
read -r -d '' LOOP <<'EOF'
W=$1 PROBE=$2 RUNS=$3 SOAK=$4
rss() { awk '/^VmRSS/ { print $2 }' /proc/$$/status; }
fds() { FDS=; for f in /proc/$$/fd/*; do FDS="$FDS ${f##*/}"; done; }
ctrl_c() {
    # The terminal's Ctrl-C, for a shell without one: SIGINT to the job.
    k=0
    sleep 0.02
    while [ $k -lt 300 ]; do
        pkill -INT -P $$ -f '^isolate-init --supervise' && return 0
        sleep 0.01
        k=$((k + 1))
    done
}
bad=0 bad_list=
"$SOAK" --state "$W/before" $$
fds; fd0=$FDS; rss0=$(rss); fd1=$fd0; rss1=$rss0
t0=$(date +%s%N)
i=0
while [ $i -lt $RUNS ]; do
    case $((i % 20)) in
    0|1|2|3|4|5|6) isolate -q true; st=$?; want=0 ;;
    7) isolate -q -c 'echo hi' >/dev/null; st=$?; want=0 ;;
    8) isolate -q -w "$W" --report "$W/r.json" true; st=$?; want=0 ;;
    9) isolate -q "$PROBE" exit 5; st=$?; want=5 ;;
    10) isolate -q -c 'exit 3'; st=$?; want=3 ;;
    11) isolate -q no-such-command-here; st=$?; want=127 ;;
    12) isolate --no-such-option true; st=$?; want=125 ;;
    13) isolate -q -w /no/such/dir true; st=$?; want=125 ;;
    14) isolate -q "$PROBE" signal 15; st=$?; want=143 ;;
    15) isolate -q "$PROBE" signal 9; st=$?; want=137 ;;
    16) isolate -q --wall 0.05 "$PROBE" sleep 5; st=$?; want=124 ;;
    17) ctrl_c & isolate -q "$PROBE" sleep 5; st=$?; want=130; wait $! ;;
    18) isolate -q sh -c 'sleep 30 & exit 0'; st=$?; want=0 ;;
    19) isolate -q "$PROBE" daemon 30 >/dev/null; st=$?; want=0 ;;
    esac
    if [ "$st" != "$want" ]; then
        bad=$((bad + 1))
        [ $bad -le 10 ] && bad_list="$bad_list run $i (kind $((i % 20))): $st, not $want;"
    fi
    i=$((i + 1))
    [ $i = 1000 ] && { fds; fd1=$FDS; rss1=$(rss); }
done
t1=$(date +%s%N)
fds; fd2=$FDS; rss2=$(rss)
"$SOAK" --state "$W/after" $$
echo "runs:        $RUNS in $(((t1 - t0) / 1000000)) ms; statuses not as expected: $bad${bad_list:+ ($bad_list)}"
echo "descriptors: [$fd0 ] before, [$fd1 ] after 1,000 runs, [$fd2 ] after $RUNS"
echo "RSS:         $rss0 KiB before, $rss1 KiB after 1,000 runs, $rss2 KiB after $RUNS (growth after warm-up: $((rss2 - rss1)) KiB)"
[ "$fd0" = "$fd2" ] && [ $bad -eq 0 ]
EOF

shell_result=0
soak_in() {
    local shell=$1 load=$2 w=$work/$1 rc
    mkdir -p "$w"
    echo "== $shell: $RUNS runs (${shell} $($shell --version 2>&1 | head -1 | grep -oE '[0-9]+\.[0-9.]+' | head -1)), delegated cgroup: $(cgroup_root)"
    # Started in the background, a shell has SIGINT ignored, and so would the
    # sandboxes (as any command): Ctrl-C must find it at its default.
    case $shell in
    bash) env --default-signal=INT,QUIT bash --norc --noprofile -c "$load
$LOOP" bash "$w" "$here/tests/probe" "$RUNS" "$here/bench/soak.sh" 2>"$w/stderr" ;;
    zsh) env --default-signal=INT,QUIT zsh -f -c "$load
$LOOP" zsh "$w" "$here/tests/probe" "$RUNS" "$here/bench/soak.sh" 2>"$w/stderr" ;;
    esac
    rc=$?
    # What is there now that was not before, the shell itself apart.
    local new
    new=$(comm -13 "$w/before" "$w/after")
    printf 'left behind: %s processes, %s namespaces, %s cgroups, %s temporary entries\n' \
        "$(grep -c '^proc ' <<<"$new")" "$(grep -c '^ns ' <<<"$new")" \
        "$(grep -c '^cgroup ' <<<"$new")" "$(grep -c '^tmp ' <<<"$new")"
    printf 'before/after: %s/%s processes, %s/%s namespaces, %s/%s cgroups, %s/%s temporary entries\n' \
        "$(grep -c '^proc ' "$w/before")" "$(grep -c '^proc ' "$w/after")" \
        "$(grep -c '^ns ' "$w/before")" "$(grep -c '^ns ' "$w/after")" \
        "$(grep -c '^cgroup ' "$w/before")" "$(grep -c '^cgroup ' "$w/after")" \
        "$(grep -c '^tmp ' "$w/before")" "$(grep -c '^tmp ' "$w/after")"
    [ -n "$new" ] && { echo "$new" | head -20; rc=1; }
    echo "stderr:      $(wc -l <"$w/stderr") lines (isolate on the failing runs, the shell on jobs killed by signals):"
    sort "$w/stderr" | sed -E 's/[0-9]+/N/g' | uniq -c | sort -rn | head -5 | sed 's/^/    /'
    [ "$rc" -eq 0 ] && echo "result:      ok" || { echo "result:      FAILED"; shell_result=1; }
    echo
}

soak_in bash 'enable -f "'"$here"'/builtin/isolate.so" isolate || exit 99'
soak_in zsh 'module_path=("'"$here"'/zsh-module" $module_path); zmodload isolate || exit 99'
exit $shell_result
