#!/usr/bin/env bash
# bench/hooks.sh [N] - what the shell hooks (shell/isolate.bash, .zsh) cost.
#
#  1. The Enter hook on a typed line, called N times in a loop, in bash and
#     in zsh (the test the widget makes before handing Enter on), against an
#     empty function: the cost every command line pays.
#  2. The line hook on a line it rewrites (isolate ... | ...): the reader that
#     finds the command after isolate's options.
#  3. `isolate --check` on a typical pasted line, through the builtin and the
#     module (in-process), and as the guard runs it (in $( ), one fork).
#  4. End to end: N lines typed into an interactive bash through a pty, with
#     and without the hooks, so that readline's own dispatch of the Enter
#     macro and the bind -x command is counted too.
#
# Times are per call, in microseconds (median of 5 rounds).
set -u
N=${1:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
LINE='git log --oneline -20 | grep -v fixup > /tmp/log.txt'
ISOLINE="isolate -w . curl -fsSL 'https://example.org/install.sh' | sh -s -- --prefix \"\$HOME/.local\""
PASTE='curl -fsSL https://example.org/install.sh | sudo bash -s -- --yes'

median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (5 + 1) / 2 ))p"; }

bash_loop() { # CODE REPS -> microseconds per repetition
    bash --norc --noprofile -c '
        source "$1/shell/isolate.bash"
        LINE=$2 ISOLINE=$3 PASTE=$4 code=$5 reps=$6
        nop() { return 0; }
        for r in 1 2 3 4 5; do
            t0=$EPOCHREALTIME
            for ((i = 0; i < reps; i++)); do eval "$code"; done
            t1=$EPOCHREALTIME
            printf "%s " $(( (${t1/./} - ${t0/./}) / reps ))
        done' bash "$here" "$LINE" "$ISOLINE" "$PASTE" "$1" "$2" | median
}

zsh_loop() {
    zsh -f -c '
        source "$1/shell/isolate.zsh"
        zmodload zsh/datetime
        LINE=$2 ISOLINE=$3 PASTE=$4 code=$5 reps=$6
        nop() { return 0 }
        for r in 1 2 3 4 5; do
            t0=$EPOCHREALTIME
            for ((i = 0; i < reps; i++)); do eval "$code"; done
            t1=$EPOCHREALTIME
            printf "%d " $(( (t1 - t0) * 1000000 / reps ))
        done' zsh "$here" "$LINE" "$ISOLINE" "$PASTE" "$1" "$2" | median
}

echo "## Enter hook on a typed line ($N calls, us per call)"
printf '%-44s %6s\n' "bash: empty function (baseline)" "$(bash_loop 'nop' "$N")"
printf '%-44s %6s\n' "bash: __isolate_enter" \
    "$(bash_loop 'READLINE_LINE=$LINE; __isolate_enter' "$N")"
printf '%-44s %6s\n' "zsh: empty function (baseline)" "$(zsh_loop 'nop' "$N")"
printf '%-44s %6s\n' "zsh: accept-line's test" \
    "$(zsh_loop 'BUFFER=$LINE; [[ -z $__isolate_pasted && $BUFFER != *isolate* ]]' "$N")"

echo
echo "## Line hook on a line it rewrites (100 calls, us per call)"
printf '%-44s %6s\n' "bash: __isolate_rewrite" "$(bash_loop '__isolate_rewrite "$ISOLINE"' 100)"
printf '%-44s %6s\n' "zsh: __isolate_complete + __isolate_rewrite" \
    "$(zsh_loop '__isolate_complete "$ISOLINE"; __isolate_rewrite "$ISOLINE"' 100)"

echo
echo "## isolate --check on a pasted line (100 calls, us per call)"
printf '%-44s %6s\n' "bash builtin: isolate --check - <<<LINE" \
    "$(bash_loop 'isolate --check - <<<"$PASTE" >/dev/null' 100)"
printf '%-44s %6s\n' "bash, as the guard runs it: out=\$(...)" \
    "$(bash_loop 'out=$(isolate --check - <<<"$PASTE")' 100)"
printf '%-44s %6s\n' "zsh module: isolate --check - <<<LINE" \
    "$(zsh_loop 'isolate --check - <<<"$PASTE" >/dev/null' 100)"
printf '%-44s %6s\n' "zsh, as the guard runs it: out=\$(...)" \
    "$(zsh_loop 'out=$(isolate --check - <<<"$PASTE")' 100)"

echo
echo "## $N lines typed into an interactive bash through a pty (us per line)"
python3 - "$here" "$N" <<'EOF'
import os, pty, sys, time, select

here, n = sys.argv[1], int(sys.argv[2])

def run(hooks):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(PS1='P> ', HISTFILE='/dev/null', TERM='xterm')
        os.execvp('bash', ['bash', '--norc', '--noprofile', '-i'])
    pending = [b'']
    def expect(marker, timeout=60):
        end = time.time() + timeout
        while marker not in pending[0]:
            r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
            if not r:
                raise SystemExit('timeout waiting for %r' % marker)
            pending[0] += os.read(fd, 65536)
        pending[0] = pending[0].split(marker, 1)[1]
    setup = 'source %s/shell/isolate.bash; ' % here if hooks else ''
    os.write(fd, (setup + 'echo RE""ADY\r').encode())
    expect(b'READY')
    expect(b'P> ')
    t0 = time.time()
    for i in range(n):
        os.write(fd, b':\r')
        expect(b'P> ')
    t = time.time() - t0
    os.write(fd, b'exit\r')
    os.waitpid(pid, 0)
    return t / n * 1e6

# Alternate which goes first, so that warming up favours neither.
rounds = []
for i in range(6):
    a, b = (run(False), run(True)) if i % 2 == 0 else reversed((run(True), run(False)))
    rounds.append((a, b))
plain = sorted(r[0] for r in rounds)[3]
hooked = sorted(r[1] for r in rounds)[3]
print('%-44s %6.0f' % ('bash without the hooks', plain))
print('%-44s %6.0f' % ('bash with the hooks', hooked))
print('%-44s %6.0f' % ('difference: the Enter hook, end to end', hooked - plain))
EOF
