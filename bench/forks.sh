#!/usr/bin/env bash
# bench/forks.sh [RUNS] [FORKS] - a fork-heavy command inside the sandbox:
# sh -c 'for i in $(seq FORKS); do /bin/true; done', against the same command
# run bare, from one bash.
#
# Whatever the sandbox adds to each fork and exec inside it (PID 1's watch
# over the process limit, the seccomp filter) shows here, multiplied by
# FORKS; the sandbox's start-up is paid once. The variants take turns (bare,
# builtin, CLI, bare, ...) so that drift on a noisy machine hits all alike;
# the report gives medians and their ratios to the bare run.
set -u
RUNS=${1:-20}
FORKS=${2:-500}
here=$(cd "$(dirname "$0")/.." && pwd)
enable -f "$here/builtin/isolate.so" isolate || exit 1
script="for i in \$(seq $FORKS); do /bin/true; done"

run_one() {
    case $1 in
    bare) sh -c "$script" ;;
    builtin) isolate -q sh -c "$script" ;;
    cli) "$here/cli/isolate" -q sh -c "$script" ;;
    esac
}

variants=(bare builtin cli)
declare -A samples
for v in "${variants[@]}"; do run_one "$v" >/dev/null 2>&1; done # warm caches
for ((i = 0; i < RUNS; i++)); do
    for v in "${variants[@]}"; do
        t0=$EPOCHREALTIME
        run_one "$v" >/dev/null 2>&1 || echo "bench/forks.sh: $v failed" >&2
        t1=$EPOCHREALTIME
        samples[$v]+="$(((${t1/./} - ${t0/./}) / 1000)) "
    done
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A med
printf '%-10s %10s   %s\n' variant "median_ms" "all runs (ms)"
for v in "${variants[@]}"; do
    med[$v]=$(median ${samples[$v]})
    printf '%-10s %10s   %s\n' "$v" "${med[$v]}" "${samples[$v]}"
done
echo
for v in builtin cli; do
    awk -v v="$v" -v a="${med[$v]}" -v b="${med[bare]}" -v n="$FORKS" \
        'BEGIN { printf "%-8s / bare = %.3f  (%+.0f us per fork+exec)\n", v, a / b, (a - b) * 1000 / n }'
done
echo "$FORKS forks per run, $RUNS runs per variant; $(nproc) CPUs; $(uname -r)"
