#!/usr/bin/env bash
# bench/overlay.sh [RUNS] - what --overlay and --home=overlay add to the
# start-up of a sandboxed /bin/true, from one bash, and what a commit costs.
#
# Start-up: every variant runs RUNS times, interleaved round-robin (bare,
# builtin, builtin --overlay, ...) so that drift on a noisy machine hits all
# alike; each run is timed on its own with $EPOCHREALTIME; the report gives the
# median, the 10th and 90th percentiles and the ratios of the medians to the
# bare /bin/true and to the default sandbox measured in the same run. An
# --overlay run creates a run directory (metadata, upper and work directories,
# a lock), mounts overlayfs, and the next run removes it (it changed nothing).
#
# Commit: a run that adds FILES files and modifies as many, then --diff and
# --commit of it, each timed once (median of 5).
set -u
RUNS=${1:-300}
FILES=${FILES:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
enable -f "$here/builtin/isolate.so" isolate || exit 1
. "$here/bench/lib.bash"
work=$(mktemp -d "$HOME/isolate-bench.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$work"; rm -rf "$work"' EXIT
export XDG_STATE_HOME=$work/state
mkdir -p "$work/tree" "$work/home"
echo x >"$work/tree/file"

variants=(bare builtin overlay home cli cli-overlay)
run_one() {
    case $1 in
    bare) /bin/true ;;
    builtin) isolate -q /bin/true ;;
    overlay) isolate -q --overlay="$work/tree" /bin/true ;;
    home) HOME=$work/home isolate -q --home=overlay /bin/true ;;
    cli) "$here/cli/isolate" -q /bin/true ;;
    cli-overlay) "$here/cli/isolate" -q --overlay="$work/tree" /bin/true ;;
    esac
}

for v in "${variants[@]}"; do run_one "$v" >/dev/null 2>&1 || { echo "$v fails" >&2; exit 1; }; done
time_variants "$RUNS"
report_variants "${variants[@]}"
echo
echo "builtin / bare              = $(ratio "${med[builtin]}" "${med[bare]}")"
echo "builtin --overlay / bare    = $(ratio "${med[overlay]}" "${med[bare]}")"
echo "builtin --overlay / builtin = $(ratio "${med[overlay]}" "${med[builtin]}")"
echo "--home=overlay / builtin    = $(ratio "${med[home]}" "${med[builtin]}")"
echo "cli --overlay / cli         = $(ratio "${med[cli-overlay]}" "${med[cli]}")"
echo "runs per variant: $RUNS; $(nproc) CPUs; $(uname -r)"

# The review side: a run of FILES new and FILES modified files.
echo
for ((i = 0; i < FILES; i++)); do echo "$i" >"$work/tree/m$i"; done
declare -a tdiff tcommit
for round in 1 2 3 4 5; do
    isolate -q --overlay="$work/tree" sh -c 'cd "$1" && for f in m*; do echo y >>"$f"; done &&
        i=0; while [ $i -lt "$2" ]; do echo $i >"n$i"; i=$((i + 1)); done' sh "$work/tree" "$FILES"
    t0=$EPOCHREALTIME; isolate --diff >/dev/null; t1=$EPOCHREALTIME
    tdiff+=($(( (${t1/./} - ${t0/./}) / 1000 )))
    t0=$EPOCHREALTIME; isolate --commit 2>/dev/null; t1=$EPOCHREALTIME
    tcommit+=($(( (${t1/./} - ${t0/./}) / 1000 )))
    rm -f "$work"/tree/n*
done
echo "--diff of $FILES new and $FILES modified files:   median $(pct 50 "${tdiff[@]}") ms (of 5)"
echo "--commit of $FILES new and $FILES modified files: median $(pct 50 "${tcommit[@]}") ms (of 5)"
