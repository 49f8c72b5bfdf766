#!/usr/bin/env bash
# bench/net.sh [RUNS] - start-up cost of --net next to the default sandbox,
# from one bash, with the builtin.
#
# Variants, interleaved round-robin so that drift hits all alike: a bare
# /bin/true, the default sandbox (loopback only), --net=host, --net through
# pasta and through slirp4netns. Each run is timed on its own with
# $EPOCHREALTIME; the report gives the median, the 10th and 90th
# percentiles, and the ratios of the medians to the default sandbox and to
# the bare run measured in the same run. Then, from RUNS/4 verbose runs of
# each helper, how long PID 1 waited for it (its start overlaps with the
# building of the file system, so that is the part its start adds) and how
# long its end took (the supervisor waits for it).
#
# --net needs a network with a default route and a usable /dev/net/tun:
# bench/run runs this in the test network (tools/test-net), where nothing
# leaves the machine.
set -u
RUNS=${1:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
enable -f "$here/builtin/isolate.so" isolate || exit 1
source "$here/bench/lib.bash"

variants=(bare default host pasta slirp4netns)

run_one() {
    case $1 in
    bare) /bin/true ;;
    default) isolate -q /bin/true ;;
    host) isolate -q --net=host /bin/true ;;
    pasta) isolate -q --net=pasta /bin/true ;;
    slirp4netns) isolate -q --net=slirp4netns /bin/true ;;
    esac
}

for v in "${variants[@]}"; do
    run_one "$v" >/dev/null || { echo "bench/net.sh: $v does not run" >&2; exit 1; }
done
time_variants "$RUNS"

printf '%-12s %10s %10s %10s %10s %10s\n' variant median_us p10_us p90_us /default /bare
for v in "${variants[@]}"; do
    vals=(${samples[$v]})
    med[$v]=$(pct 50 "${vals[@]}")
done
for v in "${variants[@]}"; do
    vals=(${samples[$v]})
    printf '%-12s %10s %10s %10s %10s %10s\n' "$v" "${med[$v]}" "$(pct 10 "${vals[@]}")" \
        "$(pct 90 "${vals[@]}")" "$(ratio "${med[$v]}" "${med[default]}")" \
        "$(ratio "${med[$v]}" "${med[bare]}")"
done
echo
ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t / 10 }'; }
for v in pasta slirp4netns; do
    waits=() ends=()
    for ((i = 0; i < RUNS / 4; i++)); do
        log=$(isolate -v --net=$v /bin/true 2>&1)
        w=$(sed -nE 's/.*configured the sandbox.s network after ([0-9]+\.[0-9]) ms/\1/p' <<<"$log")
        e=$(sed -nE 's/.*stopped; its exit took ([0-9]+\.[0-9]) ms/\1/p' <<<"$log")
        waits+=("${w/./}") ends+=("${e/./}")
    done
    printf '%-12s PID 1 waited for it: median %s ms; its end took: median %s ms (%d runs)\n' \
        "$v" "$(ms "$(pct 50 "${waits[@]}")")" "$(ms "$(pct 50 "${ends[@]}")")" "${#waits[@]}"
done
echo "runs per variant: $RUNS; $(nproc) CPUs; $(uname -r); $(pasta --version 2>&1 | head -1 | cut -c1-40), $(slirp4netns --version | head -1)"
