#!/usr/bin/env bash
# bench/startup.sh [RUNS] - start-up cost of a sandboxed /bin/true, from one bash.
#
# Every variant runs RUNS times, interleaved round-robin (bare, builtin, CLI,
# bwrap, firejail, bare, ...) so that drift on a noisy machine hits all of them
# alike. Each run is timed on its own with $EPOCHREALTIME; the report gives the
# median, the 10th and 90th percentiles, and the ratios of the medians to the
# bare /bin/true and to bwrap measured in the same run.
#
# bwrap gets the policy isolate's default sandbox is equivalent to; firejail
# runs with --noprofile (no profile, its lightest mode).
set -u
RUNS=${1:-300}
here=$(cd "$(dirname "$0")/.." && pwd)
enable -f "$here/builtin/isolate.so" isolate || exit 1
source "$here/bench/lib.bash"

variants=(bare builtin cli)
command -v bwrap >/dev/null && variants+=(bwrap)
command -v firejail >/dev/null && variants+=(firejail)

run_one() {
    case $1 in
    bare) /bin/true ;;
    builtin) isolate -q /bin/true ;;
    cli) "$here/cli/isolate" -q /bin/true ;;
    bwrap) bwrap --unshare-all --die-with-parent --new-session --ro-bind / / --dev /dev \
        --proc /proc --tmpfs "$HOME" --tmpfs /tmp --tmpfs /run /bin/true ;;
    firejail) firejail --quiet --noprofile /bin/true ;;
    esac
}

for v in "${variants[@]}"; do run_one "$v" >/dev/null 2>&1; done # warm caches
sample "$RUNS" "${variants[@]}"

declare -A med
printf '%-10s %10s %10s %10s\n' variant "median_us" "p10_us" "p90_us"
for v in "${variants[@]}"; do
    vals=(${samples[$v]})
    med[$v]=$(pct 50 "${vals[@]}")
    printf '%-10s %10s %10s %10s\n' "$v" "${med[$v]}" "$(pct 10 "${vals[@]}")" "$(pct 90 "${vals[@]}")"
done
echo
echo "builtin / bare     = $(ratio "${med[builtin]}" "${med[bare]}")   (target <= 1.5)"
[ -n "${med[bwrap]:-}" ] &&
    echo "bwrap / builtin    = $(ratio "${med[bwrap]}" "${med[builtin]}")   (target >= 2)"
echo "cli / bare         = $(ratio "${med[cli]}" "${med[bare]}")"
[ -n "${med[firejail]:-}" ] && echo "firejail / builtin = $(ratio "${med[firejail]}" "${med[builtin]}")"
echo "runs per variant: $RUNS; $(nproc) CPUs; $(uname -r)"
