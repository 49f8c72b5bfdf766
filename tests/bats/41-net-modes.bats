#!/usr/bin/env bats
# --net: a network of its own behind a user-mode NAT (pasta, or slirp4netns),
# and --net=host. The suites run in the test network of tools/test-net: the
# "internet" is a server in a network namespace beyond the host's gateway,
# ISOLATE_TEST_INET_ADDR, named ISOLATE_TEST_INET_NAME by a resolver on the
# host's loopback (127.0.0.53, as systemd-resolved). Nothing leaves the machine.
load ../lib/common

setup() {
    [ -n "${ISOLATE_TEST_NET:-}" ] ||
        fail "needs the test network: run tests/run as root (it builds it with tools/test-net)"
}

# The address and gateway as the sandbox sees them through each helper.
gateway_of() {
    case $1 in
    slirp4netns) echo 10.0.2.2 ;;
    *) echo "$ISOLATE_TEST_GATEWAY" ;;
    esac
}
forwarder_of() {
    case $1 in
    slirp4netns) echo 10.0.2.3 ;;
    *) echo 169.254.1.53 ;;
    esac
}

# The pid of the NAT helper a verbose run reported in FILE.
helper_pid() {
    sed -nE 's/.*network: .* started \(pid ([0-9]+)\).*/\1/p' "$1" | head -1
}

# serve KIND ARG SECONDS FILE: a probe server (listen-tcp PORT, listen-abstract
# NAME) on the host, ready; its pid in $served, what it says in FILE.
serve() {
    "$PROBE" "$1" "$2" "$3" >"$4" &
    served=$!
    wait_until grep -q listening "$4"
}

# Alive and not a zombie.
alive() {
    local st
    st=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$st" != Z ]
}

@test "--net takes no value word: the next word is the command" {
    run iso --net echo ran
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
}

@test "a bad --net value is refused, naming the option, and nothing runs" {
    for v in foo "" HOST nat "host "; do
        run iso "--net=$v" touch "$BATS_TEST_TMPDIR/ran"
        [ "$status" -eq 125 ] || fail "--net=$v: status $status"
        [[ $output == *"option '--net'"* ]] || fail "--net=$v: $output"
        [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    done
}

@test "--net reaches a server beyond the host, by name, through each helper" {
    for mode in "" =pasta =slirp4netns; do
        run iso "--net$mode" sh -c 'getent hosts "$1" && "$2" http "$(getent hosts "$1" | cut -d" " -f1)" 80' \
            sh "$ISOLATE_TEST_INET_NAME" "$PROBE"
        [ "$status" -eq 0 ] || fail "--net$mode: $output"
        [[ ${lines[0]} == "$ISOLATE_TEST_INET_ADDR "*"$ISOLATE_TEST_INET_NAME" ]] || fail "$output"
        [[ ${lines[1]} == "http=hello from the test internet"* ]] || fail "$output"
    done
}

@test "--net: outbound UDP to a resolver beyond the host" {
    for mode in pasta slirp4netns; do
        run iso "--net=$mode" "$PROBE" dns "$ISOLATE_TEST_INET_ADDR" "$ISOLATE_TEST_INET_NAME"
        [ "$output" = "dns=$ISOLATE_TEST_INET_ADDR" ] || fail "$mode: $output"
    done
}

@test "--net prefers pasta, and falls back to slirp4netns" {
    mkdir "$BATS_TEST_TMPDIR/bin"
    ln -s /usr/bin/slirp4netns "$BATS_TEST_TMPDIR/bin/slirp4netns"
    run in_shell "PATH='$BATS_TEST_TMPDIR/bin'; isolate -v --net /bin/true"
    [ "$status" -eq 0 ] || fail "$output"
    [[ $output == *"network: $BATS_TEST_TMPDIR/bin/slirp4netns started"* ]] || fail "$output"
    ln -s /usr/bin/pasta "$BATS_TEST_TMPDIR/bin/pasta"
    run in_shell "PATH='$BATS_TEST_TMPDIR/bin'; isolate -v --net /bin/true"
    [ "$status" -eq 0 ] || fail "$output"
    [[ $output == *"network: $BATS_TEST_TMPDIR/bin/pasta started"* ]] || fail "$output"
}

@test "with neither helper installed, --net says what to install, and nothing runs" {
    mkdir "$BATS_TEST_TMPDIR/empty"
    for mode in "" =pasta =slirp4netns; do
        run in_shell "PATH='$BATS_TEST_TMPDIR/empty'; isolate --net$mode /bin/touch '$BATS_TEST_TMPDIR/ran'"
        [ "$status" -eq 125 ] || fail "--net$mode: $status $output"
        case $mode in
        =slirp4netns) [[ $output == *"Debian package slirp4netns"* ]] ;;
        *) [[ $output == *passt* ]] ;;
        esac || fail "$output"
        [ ! -e "$BATS_TEST_TMPDIR/ran" ]
    done
}

@test "--net refuses, naming the fix, when /dev/net/tun cannot be opened" {
    : >"$BATS_TEST_TMPDIR/tun"
    chmod 000 "$BATS_TEST_TMPDIR/tun"
    # mount(8) wants uid 0: bind as root of a user namespace, then run as
    # oneself again in a namespace inside it.
    run unshare --user --map-root-user --mount sh -c \
        'tun=$1 u=$2 g=$3 && shift 3 && mount --bind "$tun" /dev/net/tun &&
         exec unshare --user --map-user="$u" --map-group="$g" "$@"' sh "$BATS_TEST_TMPDIR/tun" \
        "$(id -u)" "$(id -g)" $(iso_cmd) --net /bin/touch "$BATS_TEST_TMPDIR/ran"
    [ "$status" -eq 125 ] || fail "$status $output"
    [[ $output == *"/dev/net/tun"*"chmod 0666 /dev/net/tun"* ]] || fail "$output"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "--net: a helper that fails is reported with its reason, and the command never runs" {
    # A caller in a network without a route: pasta finds no interface to copy.
    run unshare --user --map-current-user --net $(iso_cmd) --net=pasta /bin/touch "$BATS_TEST_TMPDIR/ran"
    [ "$status" -eq 125 ] || fail "$status $output"
    [[ $output == *"pasta could not set up the network: "?* ]] || fail "$output"
    [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "--net: DNS through the NAT's forwarder when the host's resolver is on its loopback" {
    [ "$(cat /etc/resolv.conf)" = "nameserver 127.0.0.53" ]
    for mode in pasta slirp4netns; do
        run iso "--net=$mode" cat /etc/resolv.conf
        has_line "nameserver $(forwarder_of $mode)"
        ! has_line "nameserver 127.0.0.53" 2>/dev/null
        run iso "--net=$mode" "$PROBE" dns 127.0.0.53 "$ISOLATE_TEST_INET_NAME"
        [ "$output" != "dns=$ISOLATE_TEST_INET_ADDR" ] || fail "$mode: the host's loopback resolver answered"
    done
    # The host's own file is as it was.
    [ "$(cat /etc/resolv.conf)" = "nameserver 127.0.0.53" ]
}

@test "--net: a service on the host's loopback is out of reach, directly and through the gateway" {
    port=$(free_port)
    serve listen-tcp "$port" 60 "$BATS_TEST_TMPDIR/srv"
    srv=$served
    for mode in pasta slirp4netns; do
        run iso "--net=$mode" "$PROBE" connect-tcp 127.0.0.1 "$port"
        [ "$output" = "connect=ECONNREFUSED" ] || { kill $srv; fail "$mode, 127.0.0.1: $output"; }
        run iso "--net=$mode" "$PROBE" connect-tcp "$(gateway_of $mode)" "$port"
        [[ $output == connect=E* ]] || { kill $srv; fail "$mode, gateway: status $status: $output"; }
        run iso "--net=$mode" "$PROBE" connect-tcp "$ISOLATE_TEST_HOST_ADDR" "$port"
        [[ $output == connect=E* ]] || { kill $srv; fail "$mode, host address: status $status: $output"; }
    done
    # The server itself works, and saw nothing before this.
    run "$PROBE" connect-tcp 127.0.0.1 "$port"
    sleep 0.2
    kill $srv
    [ "$output" = connect=ok ]
    [ "$(grep -c accepted "$BATS_TEST_TMPDIR/srv")" -eq 1 ]
}

@test "--net: the host's abstract unix sockets are out of reach" {
    name=isolate-test-$RANDOM
    serve listen-abstract "$name" 30 "$BATS_TEST_TMPDIR/srv"
    run iso --net "$PROBE" connect-abstract "$name"
    kill $served
    [ "$output" = "connect=ECONNREFUSED" ]
}

@test "--net: a network namespace of its own, which nothing outside can connect into" {
    host_ns=$(readlink /proc/self/ns/net)
    run iso --net readlink /proc/self/ns/net
    [ "$status" -eq 0 ]
    [ "$output" != "$host_ns" ]
    # No port of the sandbox is forwarded to the host.
    port=$(free_port)
    iso --net "$PROBE" listen-tcp "$port" 3 >"$BATS_TEST_TMPDIR/srv" &
    wait_until grep -q listening "$BATS_TEST_TMPDIR/srv"
    sleep 1.2 # pasta would look for ports to forward every second
    run "$PROBE" connect-tcp 127.0.0.1 "$port"
    wait
    [ "$output" = "connect=ECONNREFUSED" ]
}

@test "--net=host shares the host's network, with a warning that -q silences" {
    port=$(free_port)
    serve listen-tcp "$port" 30 "$BATS_TEST_TMPDIR/srv"
    srv=$served
    name=isolate-test-$RANDOM
    serve listen-abstract "$name" 30 "$BATS_TEST_TMPDIR/srv2"
    srv2=$served
    run iso --net=host sh -c 'readlink /proc/self/ns/net; "$0" connect-tcp 127.0.0.1 "$1"; "$0" connect-abstract "$2"' \
        "$PROBE" "$port" "$name"
    kill $srv $srv2
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "isolate: warning: --net=host: "*"127.0.0.1"*"abstract unix sockets"* ]] || fail "$output"
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[1]}" = "$(readlink /proc/self/ns/net)" ]
    [ "${lines[2]}" = connect=ok ]
    [ "${lines[3]}" = connect=ok ]
    run iso -q --net=host true
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "--net=host: names resolve as on the host" {
    run iso -q --net=host getent hosts "$ISOLATE_TEST_INET_NAME"
    [ "$status" -eq 0 ]
    [[ $output == "$ISOLATE_TEST_INET_ADDR "* ]]
}

@test "without --net, the test internet is out of reach" {
    run iso "$PROBE" http "$ISOLATE_TEST_INET_ADDR" 80
    [ "$output" = "http=ENETUNREACH" ]
}

@test "--explain says what each network mode allows" {
    run iso --explain true
    [[ $output == *"network: none; only its own loopback"* ]]
    run iso --net --explain true
    [ "$status" -eq 0 ]
    [[ $output == *"network: its own, behind a user-mode NAT (/usr/bin/pasta"* ]] || fail "$output"
    [[ $output == *"out of reach: the host's loopback services (127.0.0.1, ::1) and its abstract unix sockets"* ]]
    [[ $output == *"reachable: any machine your host reaches"* ]]
    [[ $output == *"DNS: the host's resolver 127.0.0.53, through the NAT's forwarder 169.254.1.53"* ]]
    run iso --net=slirp4netns --explain true
    [[ $output == *"(/usr/bin/slirp4netns"*"forwarder 10.0.2.3"* ]] || fail "$output"
    run iso --net=host --explain true
    [[ $output == *"network: the HOST's (--net=host)"*"abstract unix sockets"* ]] || fail "$output"
}

@test "-v reports the helper's start, and nothing is left when isolate returns" {
    for mode in pasta slirp4netns; do
        for i in 1 2; do
            iso -v "--net=$mode" true 2>"$BATS_TEST_TMPDIR/log"
            grep -q "network: /usr/bin/$mode started (pid [0-9]*), outside the sandbox" "$BATS_TEST_TMPDIR/log"
            grep -q "network: $mode has configured the sandbox's network after" "$BATS_TEST_TMPDIR/log"
            pid=$(helper_pid "$BATS_TEST_TMPDIR/log")
            ! alive "$pid" || fail "$mode is still running as $pid"
        done
    done
}

# Starts `isolate -v --net sleep 60` in the background from the front end's
# shell; sets helper, supervisor and shellpid once the network is up.
start_long_run() {
    rm -f "$BATS_TEST_TMPDIR/log" "$BATS_TEST_TMPDIR/rc" "$BATS_TEST_TMPDIR/shellpid"
    in_shell "echo \$\$ > '$BATS_TEST_TMPDIR/shellpid'; isolate -v --net=$1 sleep 60 2>'$BATS_TEST_TMPDIR/log'; echo rc=\$? >'$BATS_TEST_TMPDIR/rc'" &
    wait_until grep -q "has configured" "$BATS_TEST_TMPDIR/log" || fail "$(cat "$BATS_TEST_TMPDIR/log")"
    helper=$(helper_pid "$BATS_TEST_TMPDIR/log")
    supervisor=$(awk '/^PPid:/ { print $2 }' "/proc/$helper/status")
    shellpid=$(cat "$BATS_TEST_TMPDIR/shellpid")
    alive "$helper"
}

@test "an interrupted run (SIGINT, as Ctrl-C) leaves nothing running" {
    for mode in pasta slirp4netns; do
        start_long_run $mode
        kill -INT "$supervisor"
        wait
        [ "$(cat "$BATS_TEST_TMPDIR/rc")" = rc=130 ] || fail "$mode: $(cat "$BATS_TEST_TMPDIR/rc")"
        ! alive "$helper" || fail "$mode is still running"
    done
}

@test "when the supervisor is killed, the helper goes with it" {
    for mode in pasta slirp4netns; do
        start_long_run $mode
        kill -9 "$supervisor"
        wait_while alive "$helper" || fail "$mode is still running"
        wait
    done
}

@test "when the calling shell is killed, the helper goes with it" {
    for mode in pasta slirp4netns; do
        start_long_run $mode
        kill -9 "$shellpid"
        wait_while alive "$helper" || fail "$mode is still running"
        wait_while alive "$supervisor"
        wait
    done
}
