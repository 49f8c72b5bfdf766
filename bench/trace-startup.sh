#!/usr/bin/env bash
# bench/trace-startup.sh [ROUNDS] [BUILTIN.so...] - where a start goes, traced.
#
# Run as root. One bash of the test user (isolate-test) runs the start-up
# benchmark's sequence ROUNDS times (bare /bin/true, `isolate -q /bin/true`,
# bwrap, firejail, each redirected to /dev/null as bench/startup.sh does),
# once per builtin given (default: this tree's), the builtins' order
# alternating from round to round. A private tracefs instance records, for
# that bash and everything it starts, every system call's entry and exit and
# the scheduler's switches, wake-ups, forks, execs and exits, on the
# monotonic clock. Before each variant the bash makes a marker call,
# kill(PID, 0): its own pid, or 1, 2, ... before the first, second ...
# builtin. bench/startup-phases.py then splits each builtin's runs into the
# phases of a start and prints their medians:
#
#   bench/trace-startup.sh 40 OLD/builtin/isolate.so builtin/isolate.so
#   bench/startup-phases.py /tmp/isolate-startup.trace
#
# The trace goes to $TRACE (default /tmp/isolate-startup.trace), the bash's
# pid to $TRACE.pid. Tracing costs about a microsecond per system call: the
# phases are longer than untraced, and the ratios between runs are what count.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-40}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$here/builtin/isolate.so"
user=${ISOLATE_TEST_USER:-isolate-test}
out=${TRACE:-/tmp/isolate-startup.trace}
[ "$(id -u)" = 0 ] || { echo "bench/trace-startup.sh: run as root (tracefs)" >&2; exit 2; }
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
T=/sys/kernel/tracing/instances/isolate-startup.$$
work=$(mktemp -d /tmp/isolate-startup.XXXXXX)
chmod 755 "$work"
cleanup() {
    [ -d "$T" ] && { echo 0 >"$T/tracing_on"; echo >"$T/set_event"; rmdir "$T"; }
    rm -rf "$work"
}
trap cleanup EXIT
mkdir "$T"
echo mono >"$T/trace_clock"
echo 65536 >"$T/buffer_size_kb"
for e in raw_syscalls:sys_enter raw_syscalls:sys_exit sched:sched_switch sched:sched_wakeup \
    sched:sched_wakeup_new sched:sched_process_fork sched:sched_process_exec \
    sched:sched_process_exit; do
    echo "$e" >>"$T/set_event"
done
echo 1 >"$T/options/event-fork"
mkfifo "$work/go"
: >"$work/pid"
chmod 666 "$work/go" "$work/pid"
cat >"$work/run.sh" <<'EOF'
# run.sh WORK ROUNDS BUILTIN...: the benchmark's sequence, with markers
work=$1 rounds=$2
shift 2
cd /var/lib || exit 1
echo $$ >"$work/pid"
read -r _ <"$work/go"
one() { # one BUILTIN MARK
    enable -f "$1" isolate || exit 1
    kill -0 $$; /bin/true >/dev/null 2>&1
    kill -0 "$2" 2>/dev/null; isolate -q /bin/true >/dev/null 2>&1
    kill -0 $$; bwrap --unshare-all --die-with-parent --new-session --ro-bind / / --dev /dev \
        --proc /proc --tmpfs "$HOME" --tmpfs /tmp --tmpfs /run /bin/true >/dev/null 2>&1
    kill -0 $$; firejail --quiet --noprofile /bin/true >/dev/null 2>&1
    kill -0 $$
    enable -d isolate
}
n=$#
for ((i = 0; i < rounds; i++)); do
    for ((k = 0; k < n; k++)); do
        j=$(((k + i) % n))
        one "${@:j+1:1}" $((j + 1))
    done
done
EOF
runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" USER="$user" \
    LOGNAME="$user" SHELL=/bin/bash TERM=xterm LANG=C.UTF-8 \
    bash "$work/run.sh" "$work" "$rounds" "$@" &
while [ ! -s "$work/pid" ]; do sleep 0.01; done
cat "$work/pid" >"$T/set_event_pid"
echo 1 >"$T/tracing_on"
echo go >"$work/go"
wait
echo 0 >"$T/tracing_on"
cat "$T/trace" >"$out"
cp "$work/pid" "$out.pid"
echo "$out: $(grep -c . "$out") lines; bench/startup-phases.py $out"
