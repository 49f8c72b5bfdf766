#!/usr/bin/env bash
# bench/throughput.sh [SECONDS] [ROUNDS] - sandboxed runs per second of a tiny
# program (/bin/true) with a report written, two at a time (this machine's
# two cores), against bare fork+exec, bubblewrap and firejail in the same run.
#
# Each round gives every variant SECONDS seconds with two workers looping in
# parallel; the variants take turns within a round, so drift on a noisy
# machine hits all of them alike. The report is the median over ROUNDS of
# each variant's rate, and the ratio to bare fork+exec (target: isolate at
# least half of it).
set -u
SECS=${1:-3}
ROUNDS=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

variants=(bare builtin cli)
command -v bwrap >/dev/null && variants+=(bwrap)
command -v firejail >/dev/null && variants+=(firejail)

# One worker: runs the variant until the deadline, prints how many runs ended.
worker() {
    local v=$1 deadline=$2 n=0 rep=$out/report.$BASHPID.json
    [ "$v" = builtin ] && enable -f "$here/builtin/isolate.so" isolate
    while [ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
        case $v in
        bare) /bin/true ;;
        builtin) isolate -q --report "$rep" /bin/true ;;
        cli) "$here/cli/isolate" -q --report "$rep" /bin/true ;;
        bwrap) bwrap --unshare-all --die-with-parent --new-session --ro-bind / / --dev /dev \
            --proc /proc --tmpfs "$HOME" --tmpfs /tmp --tmpfs /run /bin/true ;;
        firejail) firejail --quiet --noprofile /bin/true ;;
        esac >/dev/null 2>&1 && n=$((n + 1))
    done
    echo "$n"
}

declare -A rates
for ((r = 0; r < ROUNDS; r++)); do
    for v in "${variants[@]}"; do
        deadline=$((${EPOCHREALTIME/./} + SECS * 1000000))
        worker "$v" "$deadline" >"$out/a" &
        worker "$v" "$deadline" >"$out/b" &
        wait
        rates[$v]+="$(awk -v a="$(cat "$out/a")" -v b="$(cat "$out/b")" -v s="$SECS" \
            'BEGIN { printf "%.1f", (a + b) / s }') "
    done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf '%-10s %14s   %s\n' variant "runs/s (median)" "per round"
declare -A med
for v in "${variants[@]}"; do
    med[$v]=$(median ${rates[$v]})
    printf '%-10s %14s   %s\n' "$v" "${med[$v]}" "${rates[$v]}"
done
echo
for v in builtin cli bwrap firejail; do
    [ -n "${med[$v]:-}" ] || continue
    printf '%-9s / bare = %s\n' "$v" "$(awk -v a="${med[$v]}" -v b="${med[bare]}" 'BEGIN { printf "%.2f", a / b }')"
done
echo "two workers per variant, ${SECS} s x ${ROUNDS} rounds; isolate with --report; $(nproc) CPUs"
