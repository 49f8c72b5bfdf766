#!/usr/bin/env bats
# Limits and verdicts: every limit stops the sandbox with its verdict, the
# report and meta files say why, and the exit status follows the contract.
load ../lib/common
bats_require_minimum_version 1.5.0

setup_file() {
    export MEMBOMB=$ISOLATE_ROOT/tests/membomb
}

setup() {
    R=$BATS_TEST_TMPDIR/report.json
    M=$BATS_TEST_TMPDIR/meta.txt
}

json() { # json KEY: the value of KEY in $R (flat object)
    sed -E 's/.*"'"$1"'": ("[^"]*"|[^,}]*).*/\1/' "$R"
}

@test "every limit option rejects a bad value with 125, naming the option" {
    for bad in "--time 0" "--time -1" "--time x" "--time 1e" "--wall abc" "--mem 0" "--mem 12Q" \
        "--mem -5M" "--pids 0" "--pids x" "--fsize 1.5G" "--nofile 0" "--tmp-size k" "--report="; do
        run iso $bad true
        [ "$status" -eq 125 ] || fail "$bad: status $status"
        [[ "$output" == *"option '${bad%% *}'"* ]] || [[ "$output" == *"option '${bad%%=*}'"* ]] ||
            fail "$bad: $output"
    done
}

@test "sizes take K, M, G and times take decimals" {
    run iso --mem 64M --fsize 1g --tmp-size 512K --time 0.5 --wall 2.25 --pids 50 --nofile 64 \
        sh -c 'ulimit -n'
    [ "$status" -eq 0 ]
    [ "$output" = 64 ]
}

@test "a normal run: status OK, figures present, meta in ioi's format" {
    run iso --report "$R" --meta "$M" "$PROBE" exit 0
    [ "$status" -eq 0 ]
    [ "$(json status)" = '"OK"' ]
    [ "$(json exit_code)" = 0 ]
    [ "$(json killed_by)" = null ]
    grep -q '"enforced_by": {.*"mem": ".*", "pids": ".*", "tmp-size": ".*"}' "$R"
    grep -qx 'exitcode:0' "$M"
    grep -q '^time:[0-9.]*$' "$M"
    grep -q '^time-wall:[0-9.]*$' "$M"
    grep -q '^max-rss:[0-9]*$' "$M"
    ! grep -q '^status:' "$M"
}

@test "a failing command: RE; a command killed by a signal: SG" {
    run iso --report "$R" --meta "$M" "$PROBE" exit 3
    [ "$status" -eq 3 ]
    [ "$(json status)" = '"RE"' ]
    grep -qx 'status:RE' "$M"
    run iso --report "$R" --meta "$M" "$PROBE" signal 11
    [ "$status" -eq 139 ]
    [ "$(json status)" = '"SG"' ]
    [ "$(json signal)" = 11 ]
    grep -qx 'exitsig:11' "$M"
}

@test "--wall stops a sleeping command with 124 and TO, within its bound" {
    t0=$(date +%s%N)
    run --separate-stderr iso --wall 1 --report "$R" --meta "$M" sleep 20
    t1=$(date +%s%N)
    [ "$status" -eq 124 ]
    [ $(((t1 - t0) / 1000000)) -lt 1500 ]
    [ "$(json status)" = '"TO"' ]
    [ "$(json killed_by)" = '"wall"' ]
    grep -qx 'killed:1' "$M"
    [[ "$stderr" == *"wall-clock limit (1 s) exceeded"* ]]
}

@test "--time stops a CPU burner within 0.5 s of its limit: TO, 137" {
    run --separate-stderr iso --time 1 --report "$R" sh -c 'while :; do :; done'
    [ "$status" -eq 137 ]
    [ "$(json status)" = '"TO"' ]
    [ "$(json killed_by)" = '"time"' ]
    cpu=$(json cpu_s)
    awk -v c="$cpu" 'BEGIN { exit !(c >= 1.0 && c <= 1.5) }' || fail "cpu_s $cpu"
    [[ "$stderr" == *"CPU time limit (1 s) exceeded"* ]]
    grep -q "\"time\": \"$(time_enforcer)\"" "$R" || fail "enforced_by: $(cat "$R")"
}

@test "--time counts the whole tree, not one process" {
    # Three burners: per process, they would have used 3 s in all by then.
    run iso --time 1 --report "$R" sh -c '(while :; do :; done) & (while :; do :; done) &
                                          (while :; do :; done) & wait'
    [ "$(json status)" = '"TO"' ]
    cpu=$(json cpu_s)
    awk -v c="$cpu" 'BEGIN { exit !(c >= 1.0 && c < 1.6) }' || fail "cpu_s $cpu"
}

@test "--mem stops a memory bomb: ML; under the limit it runs" {
    run --separate-stderr iso --mem 128M --report "$R" --meta "$M" "$MEMBOMB"
    # Stopped by the watchdog (137), or refused first by the kernel's backstop.
    [ "$status" -eq 137 ] || [ "$status" -eq 3 ]
    [ "$(json status)" = '"ML"' ]
    grep -qx 'status:ML' "$M"
    [[ "$stderr" == *"memory limit (128 MiB) exceeded"* ]]
    run iso --mem 128M --report "$R" "$MEMBOMB" 48
    [ "$status" -eq 0 ]
    [ "$(json status)" = '"OK"' ]
}

@test "--pids stops a fork bomb: PL" {
    # dash gives up a fork that fails: the kernel's limit alone would make this
    # storm collapse within milliseconds, and the run end "OK" 30 s later.
    t0=$(date +%s%N)
    run --separate-stderr iso --pids 40 --report "$R" sh -c 'f() { f | f & }; f; sleep 30'
    t1=$(date +%s%N)
    # Killed at the limit; or the shell ended itself (status 2) when the
    # kernel refused its own fork first, which the verdict names all the same.
    [ "$status" -eq 137 ] || [ "$status" -eq 2 ] || fail "status $status"
    [ "$(json status)" = '"PL"' ]
    [ "$(json killed_by)" = '"pids"' ]
    grep -q "\"pids\": \"$(pids_enforcer)\"" "$R" || fail "enforced_by: $(cat "$R")"
    [[ "$stderr" == *"process limit (40) reached"* ]]
    [ $(((t1 - t0) / 1000000)) -lt 5000 ]
}

@test "--pids N lets N processes run; one more is PL" {
    run iso --pids 5 --report "$R" sh -c 'sleep 1 & sleep 1 & sleep 1 & sleep 1 & wait'
    [ "$status" -eq 0 ]
    [ "$(json status)" = '"OK"' ]
    [ "$(json max_pids)" -le 5 ]
    run --separate-stderr iso --pids 5 --report "$R" sh -c 'sleep 3 & sleep 3 & sleep 3 & sleep 3 & sleep 3 & wait'
    [ "$status" -ne 0 ]
    [ "$(json status)" = '"PL"' ]
    [ "$(json killed_by)" = '"pids"' ]
}

@test "--pids counts threads" {
    run iso --pids 4 --report "$R" "$PROBE" threads 3 1
    [ "$status" -eq 0 ]
    [ "$(json status)" = '"OK"' ]
    run iso --pids 4 --report "$R" "$PROBE" threads 4 3
    [ "$status" -eq 137 ]
    [ "$(json status)" = '"PL"' ]
}

@test "--fsize: SIGXFSZ, OL" {
    run iso --fsize 1M --report "$R" -w "$BATS_TEST_TMPDIR" dd if=/dev/zero \
        of="$BATS_TEST_TMPDIR/big" bs=1M count=5
    [ "$status" -eq 153 ]
    [ "$(json status)" = '"OL"' ]
    [ "$(json killed_by)" = '"fsize"' ]
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/big")" -eq 1048576 ]
}

@test "--tmp-size bounds home, /tmp and the rest together; filling it: OL" {
    run iso --tmp-size 32M sh -c 'head -c 20M /dev/zero > /tmp/a; head -c 20M /dev/zero > "$HOME/b"; echo "rc=$?"'
    [[ "$output" == *"No space left"* ]]
    run --separate-stderr iso --tmp-size 32M --report "$R" sh -c 'cat /dev/zero > /tmp/fill; sleep 30'
    [ "$status" -eq 137 ]
    [ "$(json status)" = '"OL"' ]
    [ "$(json killed_by)" = '"tmp-size"' ]
}

@test "--nofile sets the open-file limit" {
    run iso --nofile 17 sh -c 'ulimit -n'
    [ "$output" = 17 ]
}

@test "protective defaults are on, said by --explain, and --no-limits removes them" {
    run iso --explain true
    [[ "$output" == *"memory"*"(protective default)"* ]]
    [[ "$output" == *"processes      1024"*"(protective default)"* ]]
    [[ "$output" == *"private space"*"(protective default)"* ]]
    run iso --no-limits --explain true
    [[ "$output" == *"limits: none"* ]]
    run iso --no-limits --report "$R" true
    grep -q '"enforced_by": {}' "$R"
}

@test "isolate failing writes an XX report" {
    run iso --report "$R" --meta "$M" -w /no/such/dir true
    [ "$status" -eq 125 ]
    [ "$(json status)" = '"XX"' ]
    grep -qx 'status:XX' "$M"
    grep -q '^message:--write /no/such/dir' "$M"
}

@test "CPU time and memory agree with /usr/bin/time -v within 10%" {
    [ -x /usr/bin/time ] || fail "/usr/bin/time is needed (Debian package time)"
    # About a second of CPU, and 64 MiB touched in one process, measured in the
    # same run by both: time -v runs inside the sandbox, around the program
    # (two runs of one program differ by more than 10% on a busy machine).
    prog='i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec "$1" 64'
    iso --report "$R" /usr/bin/time -v bash -c "$prog" _ "$MEMBOMB" 2>"$BATS_TEST_TMPDIR/time.txt"
    t_cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' \
        "$BATS_TEST_TMPDIR/time.txt")
    t_rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$BATS_TEST_TMPDIR/time.txt")
    i_cpu=$(json cpu_s)
    i_rss=$(json max_rss_kib)
    awk -v a="$t_cpu" -v b="$i_cpu" 'BEGIN { exit !(a > 0.3) }' || fail "too little CPU time: $t_cpu s"
    awk -v a="$t_cpu" -v b="$i_cpu" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1 * a) }' ||
        fail "CPU: time -v $t_cpu s, isolate $i_cpu s"
    awk -v a="$t_rss" -v b="$i_rss" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1 * a) }' ||
        fail "RSS: time -v $t_rss KiB, isolate $i_rss KiB"
}
