#!/usr/bin/env bash
# bench/box.sh [RUNS] - start-up of a named sandbox (--box) next to the
# default sandbox and a bare /bin/true, from one bash.
#
# Variants, interleaved round-robin so that drift hits all alike: a bare
# /bin/true; the builtin's default sandbox; the builtin in a box that exists
# (the run opens and locks the box, binds its home by descriptor); the same
# from a directory under the home (its mount point is then made inside the
# box's home, one component at a time, without following links); and the CLI,
# default and in a box. Each run is timed on its own with $EPOCHREALTIME; the
# report gives the median and the 10th and 90th percentiles, and the ratios of
# medians measured in the same run. Making a box (first use) is timed apart:
# it happens once per box.
set -u
RUNS=${1:-300}
here=$(cd "$(dirname "$0")/.." && pwd)
enable -f "$here/builtin/isolate.so" isolate || exit 1
. "$here/bench/lib.bash"
XDG_DATA_HOME=$(mktemp -d "$HOME/isolate-bench.XXXXXX") || exit 1
export XDG_DATA_HOME
project=$(mktemp -d "$HOME/isolate-bench-project.XXXXXX") || exit 1
trap 'rm -rf "$XDG_DATA_HOME" "$project"' EXIT
cd /var/tmp 2>/dev/null || cd / # a current directory outside the home
start=$PWD

variants=(bare builtin box box-cwd cli cli-box)
isolate -q --box bench /bin/true || exit 1

run_one() {
    case $1 in
    bare) /bin/true ;;
    builtin) isolate -q /bin/true ;;
    box) isolate -q --box bench /bin/true ;;
    box-cwd) cd "$project" && isolate -q --box bench /bin/true; cd "$start" ;;
    cli) "$here/cli/isolate" -q /bin/true ;;
    cli-box) "$here/cli/isolate" -q --box bench /bin/true ;;
    esac
}

time_variants "$RUNS"

# First use: a new box each time (made, run, then removed outside the timing).
MAKES=$((RUNS / 10 > 0 ? RUNS / 10 : 1))
for ((i = 0; i < MAKES; i++)); do
    t0=$EPOCHREALTIME
    isolate -q --box "new$i" /bin/true
    t1=$EPOCHREALTIME
    samples[make]+="$(((${t1/./} - ${t0/./}))) "
    isolate -q --rm-box "new$i"
done

report_variants "${variants[@]}" make
echo
echo "builtin / bare     = $(ratio "${med[builtin]}" "${med[bare]}")"
echo "box / bare         = $(ratio "${med[box]}" "${med[bare]}")"
echo "box / builtin      = $(ratio "${med[box]}" "${med[builtin]}")"
echo "box-cwd / builtin  = $(ratio "${med[box-cwd]}" "${med[builtin]}")"
echo "cli-box / cli      = $(ratio "${med[cli-box]}" "${med[cli]}")"
echo "make / box         = $(ratio "${med[make]}" "${med[box]}")"
echo "runs per variant: $RUNS (make: $MAKES); $(nproc) CPUs; $(uname -r)"
