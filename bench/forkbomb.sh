#!/usr/bin/env bash
# bench/forkbomb.sh [RUNS] [PIDS] - how often the process limit's verdict is
# right for a dash fork bomb, without a cgroup (the rlimit and watchdog path).
#
#   isolate --pids PIDS --report R sh -c 'f() { f | f & }; f; sleep 30'
#
# dash gives up a fork that fails, so the kernel's limit alone makes the storm
# collapse within milliseconds and the run end "OK" 30 s later; the verdict
# must be PL all the same. Prints how many runs ended with each exit status
# and verdict. Run it as an unprivileged user: the kernel does not enforce
# RLIMIT_NPROC for root.
set -u
RUNS=${1:-100}
PIDS=${2:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
report=$(mktemp)
trap 'rm -f "$report"' EXIT

for ((i = 0; i < RUNS; i++)); do
    : >"$report"
    ISOLATE_CGROUP=none timeout 60 "$here/cli/isolate" -q --pids "$PIDS" --report "$report" \
        sh -c 'f() { f | f & }; f; sleep 30' >/dev/null 2>&1
    rc=$?
    verdict=$(sed -nE 's/.*"status": "([A-Z]+)".*/\1/p' "$report")
    echo "exit $rc, verdict ${verdict:-none}"
done 2>/dev/null | sort | uniq -c
echo "$RUNS runs, --pids $PIDS, no cgroup; $(nproc) CPUs; $(uname -r)"
