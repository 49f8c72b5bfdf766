#!/usr/bin/env bash
# bench/memory.sh [RUNS] - what the builtin costs a bash that loads it, and
# whether that grows over many runs (it must not).
#
# Reports, for one bash: RSS before `enable -f`, after it, after a first run,
# and after RUNS further runs of `isolate /bin/true`; and the open file
# descriptors before and after. The same bash also runs RUNS bare /bin/true
# first, so that its own growth from forking is measured apart.
set -u
RUNS=${1:-10000}
here=$(cd "$(dirname "$0")/.." && pwd)
exec bash --norc --noprofile -s "$here" "$RUNS" <<'SCRIPT'
here=$1 runs=$2
rss() { awk '/^VmRSS/ { print $2 }' /proc/$$/status; }
fds() { ls /proc/$$/fd | wc -l; }
for ((i = 0; i < 100; i++)); do /bin/true; done
r0=$(rss)
for ((i = 0; i < runs; i++)); do /bin/true; done
r0b=$(rss)
enable -f "$here/builtin/isolate.so" isolate
r1=$(rss)
isolate -q /bin/true
r2=$(rss); f2=$(fds)
for ((i = 0; i < runs; i++)); do isolate -q /bin/true || { echo "run $i failed"; exit 1; }; done
r3=$(rss); f3=$(fds)
echo "bash RSS before enable:           ${r0} KiB (after $runs bare runs: ${r0b} KiB)"
echo "after enable -f isolate.so:       ${r1} KiB (+$((r1 - r0b)) KiB)"
echo "after the first isolate run:      ${r2} KiB (+$((r2 - r1)) KiB)"
echo "after $runs more isolate runs:  ${r3} KiB (growth $((r3 - r2)) KiB)"
echo "open descriptors: $f2 before, $f3 after"
SCRIPT
