#!/bin/bash
# A harmless stand-in for a malicious installer, run by demo/run-demo.
#
# It really tries what a hostile "curl ... | sh" installer might do, and
# reports each attempt on standard output, one line each:
#
#     ATTEMPT <name>: <BLOCKED|SUCCEEDED|SKIPPED> (<detail>)
#
# It reports what it can see from where it runs; demo/run-demo then checks
# from outside whether what it did outlived it.
#
# It is harmless by construction: it runs only in the scratch directory that
# demo/run-demo prepares, with HOME set to the fake home next to it, so the
# files it reads, appends to and deletes are the demo's own; the space it
# types into the terminal is flushed away at once; the process it leaves
# behind ends by itself after ten minutes.
#
# usage: ./install.sh [PORT]     PORT: a TCP service on 127.0.0.1 to reach

set -u
port=${1-}

if [ ! -e .isolate-demo-scratch ] || [ "$HOME" != "${PWD%/*}/home" ]; then
    echo "installer.sh: not in a scratch directory of demo/run-demo; doing nothing" >&2
    exit 2
fi

report() { printf 'ATTEMPT %s: %s (%s)\n' "$1" "$2" "$3"; }
# The reason in an error message: "rm: cannot remove 'x': Read-only file system"
reason() { local last=${1##*$'\n'}; printf '%s' "${last##*: }"; }

# 1. Steal the SSH private keys.
if ! list=$(ls -A ~/.ssh 2>&1); then
    report ssh-key BLOCKED "~/.ssh: $(reason "$list")"
elif key=$(cat ~/.ssh/id_* 2>&1); then
    report ssh-key SUCCEEDED "read ~/.ssh/$(echo $list | tr ' ' ,): $(sed -n 2p <<<"$key")"
else
    report ssh-key BLOCKED "$(reason "$key")"
fi

# 2. Steal a cloud secret from the environment.
if [ -n "${AWS_SECRET_ACCESS_KEY-}" ]; then
    report env-secret SUCCEEDED "AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY"
else
    report env-secret BLOCKED "not set; the only variables are $(env | cut -d= -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
fi

# 3. Persist: run something in every future shell.
if [ -e ~/.bashrc ]; then had="which had $(wc -l <~/.bashrc) lines"; else had="a new file"; fi
if out=$({ echo 'echo "installer.sh was here"  # added by the isolate demo' >>~/.bashrc; } 2>&1); then
    report bashrc SUCCEEDED "appended a line to ~/.bashrc, $had"
else
    report bashrc BLOCKED "$(reason "$out")"
fi

# 4. Wipe the project it was started in.
before=$(ls | wc -l)
out=$(rm -f -- * 2>&1)
after=$(ls | wc -l)
if [ "$after" = 0 ]; then
    report delete-files SUCCEEDED "deleted all $before files of $PWD"
else
    report delete-files BLOCKED "$((before - after)) of the $before files deleted: $(reason "$out")"
fi

# 5. Talk to a service that trusts local connections (a database, an agent).
if [ -z "$port" ]; then
    report local-service SKIPPED "no local service to try: the demo could not start one (it uses perl or python3)"
elif out=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && read -r -t 5 line <&3 && echo "$line") 2>&1) \
    && [ -n "$out" ]; then
    report local-service SUCCEEDED "127.0.0.1:$port answered: $out"
else
    report local-service BLOCKED "127.0.0.1:$port: $(reason "${out:-no answer}")"
fi

# 6. Leave a process running after the installer is gone (a miner, a backdoor).
#    Its own session, no terminal, no output; "timeout" ends it after ten minutes.
setsid nohup timeout 600 sleep 31337 </dev/null >/dev/null 2>&1 &
sleep 0.2
if kill -0 $! 2>/dev/null; then
    report daemon SUCCEEDED "'sleep 31337' left running in the background"
else
    report daemon BLOCKED "could not start it"
fi

# 7. Type a command into the user's terminal, to be run after the installer
#    exits (TIOCSTI). It types one space, then flushes the terminal's input so
#    that nothing is left behind. With no terminal (CI) it makes a private one,
#    a pseudo-terminal, and types into that: the same system call.
#    The ioctl numbers are those of x86 and ARM.
if ! command -v perl >/dev/null; then
    report tiocsti SKIPPED "no perl to make the ioctl call"
else
    out=$(perl -MPOSIX -e '
        my ($TIOCSTI, $c, $zero, $n) = (0x5412, " ", pack("i", 0), pack("i", 0));
        if (open(my $tty, "+<", "/dev/tty")) {
            ioctl($tty, $TIOCSTI, $c) or die "BLOCKED TIOCSTI on your terminal: $!\n";
            $SIG{TTOU} = "IGNORE";    # flushing from the background would stop it
            tcflush(fileno($tty), TCIFLUSH);
            die "SUCCEEDED typed into your terminal, then flushed it\n";
        }
        sysopen(my $ptmx, "/dev/ptmx", O_RDWR | O_NOCTTY) or die "BLOCKED /dev/ptmx: $!\n";
        ioctl($ptmx, 0x40045431, $zero) and ioctl($ptmx, 0x80045430, $n)  # unlock; number
            or die "BLOCKED pseudo-terminal: $!\n";
        my $pid = fork // die "BLOCKED fork: $!\n";
        if ($pid == 0) {  # its session leader, so that it is our terminal
            setsid();
            open(my $pts, "+<", "/dev/pts/" . unpack("i", $n)) or _exit(255);
            _exit(ioctl($pts, $TIOCSTI, $c) ? 0 : $! + 0);
        }
        waitpid($pid, 0);
        $? == 0 and die "SUCCEEDED typed into a new pty, there being no terminal\n";
        $? >> 8 == 255 and die "BLOCKED cannot open the new terminal\n";
        $! = $? >> 8;
        die "BLOCKED TIOCSTI on a new pty, there being no terminal: $!\n";
        ' 2>&1)
    report tiocsti "${out%% *}" "${out#* }"
fi

# Allowed: write in the home directory (under isolate, a private one that is
# thrown away at the end).
if out=$({ echo "written by installer.sh" >~/installer-was-here; } 2>&1); then
    report write-home SUCCEEDED "wrote ~/installer-was-here"
else
    report write-home BLOCKED "$(reason "$out")"
fi
exit 0
