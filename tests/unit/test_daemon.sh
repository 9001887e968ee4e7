#!/bin/sh
# test_daemon.sh - the built hybridgwd and hybridgwctl against each other.
#
# Starts real daemons on temporary state directories (never the system's /run/hybridgw)
# and checks from the outside: command lines and exit statuses of both programs,
# hybridgwctl against a stand-in daemon that answers errors and garbage, the control
# socket and its permissions, `hybridgwctl status` in text and JSON, error replies to bad
# requests, a silent client that must not block others and is dropped after its timeout,
# SIGHUP counting, refusal of a second daemon, clean exit on SIGTERM/SIGINT with the
# socket removed, a stale socket being replaced, the sd_notify protocol (READY=1,
# STATUS=, WATCHDOG=1, STOPPING=1) and the detached mode.
#
# VALGRIND=1 runs the foreground daemons under valgrind --leak-check=full; any error or
# leak fails the test through the exit status.  (Detached daemons are not: their stderr
# is /dev/null.)  Only processes started here are signalled, by their PID.
#
# Needs /usr/bin/python3 for what a shell cannot do with unix sockets (sockhelper.py).

set -u

: "${HYBRIDGWD:?run this test through make check}"
: "${HYBRIDGWCTL:?run this test through make check}"
: "${HGW_VERSION:?run this test through make check}"
: "${HGW_TEST_SRCDIR:?run this test through make check}"
PYTHON=${PYTHON:-/usr/bin/python3}
HELPER=$HGW_TEST_SRCDIR/sockhelper.py

if [ ! -x "$PYTHON" ]; then
	echo "$PYTHON not found: apt-get install python3" >&2
	exit 99
fi

vg=
slow=1
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || { echo "VALGRIND=1: apt-get install valgrind" >&2; exit 99; }
	vg="valgrind --quiet --leak-check=full --error-exitcode=1"
	slow=10
fi

tmp=$(mktemp -d) || exit 99
pids=
log=

cleanup() {
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

fail() {
	echo "FAIL: $*" >&2
	if [ -n "$log" ] && [ -f "$log" ]; then
		echo "--- $log" >&2
		cat "$log" >&2
	fi
	exit 1
}

forget() {
	rest=
	for p in $pids; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	pids=$rest
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s (longer under valgrind).
wait_until() {
	limit=$(($1 * 10 * slow))
	shift
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -lt "$limit" ] || return 1
		sleep 0.1
	done
}

# A process that has exited, or a zombie nobody reaps (init may not).
gone() {
	[ ! -d "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

ctl() {
	"$HYBRIDGWCTL" "$@"
}

status_ok() {
	ctl --state-dir "$state" status >/dev/null 2>&1
}

# json_get FILE KEY
json_get() {
	"$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# start_daemon NAME ARGS...: a foreground daemon, stderr in $tmp/NAME.log; sets $pid.
# $daemon_env (NAME=VALUE words) goes into its environment.
start_daemon() {
	log=$tmp/$1.log
	shift
	# shellcheck disable=SC2086 # $vg and $daemon_env are word lists
	env ${daemon_env:-} $vg "$HYBRIDGWD" --foreground --verbose "$@" 2>"$log" &
	pid=$!
	pids="$pids $pid"
}

wait_ready() {
	i=0
	while ! status_ok; do
		kill -0 "$pid" 2>/dev/null || fail "hybridgwd exited during startup"
		i=$((i + 1))
		[ "$i" -lt $((100 * slow)) ] || fail "hybridgwd did not answer within $((10 * slow)) s"
		sleep 0.1
	done
}

# stop_daemon SIGNAL: the daemon must exit with status 0 and remove its socket.
stop_daemon() {
	kill "-$1" "$pid"
	wait "$pid"
	rc=$?
	forget "$pid"
	[ "$rc" = 0 ] || fail "hybridgwd exited with status $rc after SIG$1"
	[ ! -e "$sock" ] || fail "hybridgwd left its socket behind after SIG$1"
	grep -q "SIG$1 received, shutting down" "$log" || fail "no shutdown message after SIG$1"
}

# expect_rc RC OUTFILE COMMAND...: run COMMAND, stdout+stderr to OUTFILE, check the status.
expect_rc() {
	want=$1
	out=$2
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || { cat "$out" >&2; fail "'$*' exited with $rc, expected $want"; }
}

expect_text() {
	grep -q -- "$2" "$1" || { cat "$1" >&2; fail "expected '$2' in the output above"; }
}

mkdir "$tmp/run" "$tmp/etc"
state=$tmp/run/hybridgw
sock=$state/hybridgwd.sock

# --- command lines -----------------------------------------------------------------
expect_rc 0 "$tmp/out" ctl --version
expect_text "$tmp/out" "^hybridgwctl $HGW_VERSION\$"
expect_rc 0 "$tmp/out" "$HYBRIDGWD" --version
expect_text "$tmp/out" "^hybridgwd $HGW_VERSION\$"
expect_rc 0 "$tmp/out" ctl --help
expect_rc 0 "$tmp/out" "$HYBRIDGWD" --help
ok "--version and --help"

expect_rc 2 "$tmp/out" ctl
expect_text "$tmp/out" "no command given"
expect_rc 2 "$tmp/out" ctl frobnicate
expect_text "$tmp/out" "unknown command 'frobnicate'"
expect_rc 2 "$tmp/out" ctl --state-dir "$state" --socket "$sock" status
expect_rc 2 "$tmp/out" ctl --bogus status
expect_rc 2 "$tmp/out" "$HYBRIDGWD" --bogus
expect_text "$tmp/out" "unknown option '--bogus'"
expect_rc 2 "$tmp/out" "$HYBRIDGWD" --state-dir relative/dir
expect_text "$tmp/out" "must be an absolute path"
ok "usage errors exit 2"

# --- no daemon ---------------------------------------------------------------------
expect_rc 3 "$tmp/out" ctl --state-dir "$state" status
expect_text "$tmp/out" "hybridgwd is not running (no socket at $sock): start it with 'hybridgwd --state-dir $state'"
expect_rc 3 "$tmp/out" ctl --socket "$sock" --json status
expect_text "$tmp/out" "hybridgwd is not running (no socket at $sock): start it with 'systemctl start hybridgwd'"
ok "hybridgwctl exits 3 when no daemon runs"

# --- replies from a stand-in daemon -------------------------------------------------
# fake_reply BYTES RC TEXT: hybridgwctl must exit RC and say TEXT when the daemon answers BYTES.
fake_reply() {
	fake=$tmp/fake.sock
	"$PYTHON" "$HELPER" serve "$fake" "$1" &
	server=$!
	pids="$pids $server"
	wait_until 5 test -S "$fake" || fail "the stand-in daemon did not start"
	expect_rc "$2" "$tmp/out" ctl --socket "$fake" status
	expect_text "$tmp/out" "$3"
	wait "$server" || fail "hybridgwctl did not send 'status\\n'"
	forget "$server"
}
fake_reply 'error=cannot collect the status\n\n' 1 "^hybridgwctl: hybridgwd: cannot collect the status\$"
fake_reply 'version=1\npid=1\n\n' 1 "malformed reply from $tmp/fake.sock: status reply lacks a required field"
fake_reply 'garbage' 1 "malformed reply from $tmp/fake.sock: reply truncated"
ok "hybridgwctl exits 1 on error replies and malformed replies"

# --- a daemon in the foreground ----------------------------------------------------
start_daemon main --state-dir "$state" --config-dir "$tmp/etc"
wait_ready
[ "$(stat -c %a "$state")" = 750 ] || fail "state dir mode $(stat -c %a "$state"), expected 750"
[ -S "$sock" ] || fail "$sock is not a socket"
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), expected 660"
ok "daemon started; state dir 0750, socket 0660"

expect_rc 0 "$tmp/out" ctl --state-dir "$state" status
expect_text "$tmp/out" "^state: *running\$"
expect_text "$tmp/out" "^version: *$HGW_VERSION\$"
expect_text "$tmp/out" "^pid: *$pid\$"
expect_text "$tmp/out" "^uptime: *[0-9]"
expect_text "$tmp/out" "^reloads: *0\$"
expect_text "$tmp/out" "^config dir: *$tmp/etc\$"
expect_text "$tmp/out" "^state dir: *$state\$"
ok "status as text"

expect_rc 0 "$tmp/status.json" ctl --socket "$sock" --json status
[ "$(json_get "$tmp/status.json" pid)" = "$pid" ] || fail "JSON pid is not $pid"
[ "$(json_get "$tmp/status.json" state)" = running ] || fail "JSON state is not running"
[ "$(json_get "$tmp/status.json" reloads)" = 0 ] || fail "JSON reloads is not 0"
[ "$(json_get "$tmp/status.json" version)" = "$HGW_VERSION" ] || fail "JSON version"
[ "$(json_get "$tmp/status.json" config_dir)" = "$tmp/etc" ] || fail "JSON config_dir"
[ "$(json_get "$tmp/status.json" state_dir)" = "$state" ] || fail "JSON state_dir"
json_get "$tmp/status.json" uptime_s | grep -qx '[0-9][0-9]*' || fail "JSON uptime_s"
ok "status as JSON"

# Bad requests get an error reply, and the daemon carries on.
"$PYTHON" "$HELPER" request "$sock" 'bogus\n' >"$tmp/out" || fail "request failed"
expect_text "$tmp/out" "^error=unknown request"
"$PYTHON" "$HELPER" request "$sock" 'sta\0tus\n' >"$tmp/out" || fail "request failed"
expect_text "$tmp/out" "^error=control character or NUL byte in request\$"
"$PYTHON" "$HELPER" request "$sock" "$(printf '%0100d' 0)" >"$tmp/out" || fail "request failed"
expect_text "$tmp/out" "^error=request line too long\$"
"$PYTHON" "$HELPER" request "$sock" 'status' >"$tmp/out" || fail "request failed"
expect_text "$tmp/out" "^error=request not terminated by a newline\$"
status_ok || fail "the daemon stopped answering after bad requests"
ok "malformed requests get error replies"

# A client that sends nothing must not block anybody, and is dropped after 3 s.
"$PYTHON" "$HELPER" idle "$sock" >"$tmp/idle.out" &
idle=$!
pids="$pids $idle"
sleep 0.5
status_ok || fail "an idle client blocked the daemon"
wait "$idle" || fail "the idle client was not disconnected"
forget "$idle"
secs=$(cat "$tmp/idle.out")
[ "$secs" -ge 2 ] && [ "$secs" -le $((8 * slow)) ] || fail "idle client dropped after ${secs}s"
ok "an idle client does not block others and is dropped after its timeout"

kill -HUP "$pid"
reloads_is() {
	ctl --state-dir "$state" --json status >"$tmp/status.json" 2>/dev/null &&
		[ "$(json_get "$tmp/status.json" reloads)" = "$1" ]
}
wait_until 5 reloads_is 1 || fail "reloads did not go to 1 after SIGHUP"
expect_text "$log" "SIGHUP received (reload request 1)"
ok "SIGHUP counted as a reload request"

expect_rc 1 "$tmp/second.log" timeout 10 "$HYBRIDGWD" --foreground --state-dir "$state"
expect_text "$tmp/second.log" "another hybridgwd is already running (it listens on $sock)"
expect_rc 0 "$tmp/out" ctl --state-dir "$state" status
expect_text "$tmp/out" "^pid: *$pid\$"
ok "a second daemon refuses to start and leaves the first alone"

if grep -q ': \(error\|warning\): ' "$log"; then
	fail "the daemon logged errors or warnings"
fi
stop_daemon TERM
expect_rc 3 "$tmp/out" ctl --state-dir "$state" status
ok "SIGTERM: exit status 0, socket removed"

# --- stale socket, sd_notify and the watchdog --------------------------------------
"$PYTHON" "$HELPER" stale "$sock" || fail "cannot create a stale socket"
expect_rc 3 "$tmp/out" ctl --state-dir "$state" status
expect_text "$tmp/out" "hybridgwd is not running (nothing listens on $sock)"

notify=$tmp/notify.sock
"$PYTHON" "$HELPER" notify-listen "$notify" "$tmp/notify.out" &
listener=$!
pids="$pids $listener"
wait_until 5 test -S "$notify" || fail "the notify listener did not start"

daemon_env="NOTIFY_SOCKET=$notify WATCHDOG_USEC=200000"
start_daemon notify --state-dir "$state" --config-dir "$tmp/etc"
daemon_env=
wait_until 10 grep -qx READY=1 "$tmp/notify.out" || fail "no READY=1"
expect_text "$tmp/notify.out" "^STATUS=Listening on $sock\$"
expect_rc 0 "$tmp/out" ctl --state-dir "$state" status
expect_text "$log" "removing stale socket $sock"
ok "a stale socket is replaced; READY=1 and STATUS= sent once listening"

wait_until 5 grep -qx WATCHDOG=1 "$tmp/notify.out" || fail "no WATCHDOG=1 with WATCHDOG_USEC"
ok "WATCHDOG=1 sent when WATCHDOG_USEC is set"

stop_daemon INT
wait_until 5 grep -qx STOPPING=1 "$tmp/notify.out" || fail "no STOPPING=1"
kill "$listener"
wait "$listener"
forget "$listener"
ok "SIGINT: STOPPING=1, exit status 0, socket removed"

# --- detached ----------------------------------------------------------------------
# The invoker returns once the daemon is ready: no waiting needed before asking it.
bg=$tmp/run/detached
log=$tmp/detached.log
expect_rc 0 "$log" timeout 10 "$HYBRIDGWD" --state-dir "$bg"
expect_rc 0 "$tmp/status.json" ctl --state-dir "$bg" --json status
bgpid=$(json_get "$tmp/status.json" pid)
pids="$pids $bgpid"
kill -0 "$bgpid" 2>/dev/null || fail "the detached daemon is not running"
ok "detached: the invoker returns when the daemon is ready"

expect_rc 1 "$tmp/out" timeout 10 "$HYBRIDGWD" --state-dir "$bg"
expect_text "$tmp/out" "another hybridgwd is already running"
ok "detached: startup errors reach the invoker, exit status 1"

kill -TERM "$bgpid"
wait_until 10 gone "$bgpid" || fail "the detached daemon did not stop"
forget "$bgpid"
[ ! -e "$bg/hybridgwd.sock" ] || fail "the detached daemon left its socket behind"
ok "detached: SIGTERM stops it and removes the socket"

echo "all $n checks passed${vg:+ (under valgrind)}"
exit 0
