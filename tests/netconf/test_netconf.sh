#!/bin/sh
# test_netconf.sh - start hybridgwd in temporary directories and run the ncclient tests against
# its NETCONF unix socket: the operations (test_ncclient.py), the roles (test_nc_access.py: as
# root, and as a throw-away system user made operator; skipped unless run as root), confirmed
# commit (test_nc_confirmed.py), notifications (test_nc_notif.py, through the daemon's test
# hook, and to the operator too), clients that stall or do not read (test_nc_shield.py).
# Then the daemon must stop cleanly, with no error or warning logged and no pre-shared key
# in its log.  Prints the server-side handling time of each RPC
# kind (from the daemon's debug log).
# VALGRIND=1 runs the daemon under valgrind --leak-check=full: any error or definite leak over
# the whole suite fails it (the sanitizer build checks leaks the same way with LeakSanitizer).
set -u
: "${HYBRIDGWD:?run this test through make check}"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/test_netconf.XXXXXX)
py="/usr/bin/python3"
key="Zq7-hybridgw" # nctest.KEY's start
user=
pid=
rc=0
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	[ -z "$user" ] || userdel "$user" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export PYTHONDONTWRITEBYTECODE=1
mkdir -p "$tmp/state" "$tmp/conf"

vg=
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || { echo "VALGRIND=1: apt-get install valgrind" >&2; exit 99; }
	vg="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1"
fi

# start_daemon DIR: hybridgwd with DIR/state, DIR/conf and DIR/daemon.log; sets $pid
start_daemon() {
	# shellcheck disable=SC2086 # $vg is a command and its options
	HYBRIDGWD_NETCONF_TEST_HOOK="$1/hook.sock" $vg "$HYBRIDGWD" --foreground --verbose --config-only \
		--state-dir "$1/state" --config-dir "$1/conf" 2>"$1/daemon.log" &
	pid=$!
	i=0
	while [ ! -S "$1/state/netconf.sock" ]; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}

# A users file that others may read is refused at start, with what to do; the daemon runs.
mkdir -p "$tmp/bad/state" "$tmp/bad/conf"
echo "nobody operator" >"$tmp/bad/conf/netconf-users"
chmod 644 "$tmp/bad/conf/netconf-users"
if ! start_daemon "$tmp/bad"; then
	cat "$tmp/bad/daemon.log"
	echo "not ok - hybridgwd did not start with a users file others can read"
	rc=1
elif ! grep -q "chmod 600 $tmp/bad/conf/netconf-users" "$tmp/bad/daemon.log"; then
	cat "$tmp/bad/daemon.log"
	echo "not ok - no message telling to chmod 600 the users file"
	rc=1
else
	echo "ok - a users file others can read is refused: $(grep -o 'error: .*' "$tmp/bad/daemon.log" | head -1 | cut -c1-100)..."
fi
[ -z "$pid" ] || kill "$pid"
[ -z "$pid" ] || wait "$pid"
pid=

if ! start_daemon "$tmp"; then
	cat "$tmp/daemon.log" >&2
	echo "not ok - hybridgwd did not open its NETCONF socket" >&2
	exit 1
fi
sock="$tmp/state/netconf.sock"

$py "$here/test_ncclient.py" "$sock" "$tmp/conf/startup.xml" || rc=1
$py "$here/test_nc_access.py" admin "$sock" || rc=1

if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v setpriv >/dev/null; then
	user="hgwnc$$"
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$user" || user=
fi
if [ -n "$user" ]; then
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	# the socket is 0660: its group is how a local operator gets to it
	chmod 711 "$tmp"
	chgrp "$gid" "$tmp/state" "$sock"
	chmod g+x "$tmp/state"
	printf '# user role\n%s operator # read-only\n' "$user" >"$tmp/conf/netconf-users"
	chmod 600 "$tmp/conf/netconf-users"
	as_user() {
		setpriv --reuid="$1" --regid="$gid" --clear-groups "$py" "$here/test_nc_access.py" "$2" "$sock"
	}
	as_user "$uid" operator || rc=1
	nobody=61000
	while getent passwd "$nobody" >/dev/null; do
		nobody=$((nobody + 1))
	done
	as_user "$nobody" refused || rc=1
	$py "$here/test_nc_access.py" admin-again "$sock" || rc=1
	# made readable by others while running: refused from the next connection on
	chmod 640 "$tmp/conf/netconf-users"
	as_user "$uid" refused || rc=1
	chmod 600 "$tmp/conf/netconf-users"
else
	echo "ok # SKIP the operator role needs root, useradd and setpriv"
fi

$py "$here/test_nc_confirmed.py" "$sock" "$tmp/daemon.log" || rc=1
if [ -n "$user" ]; then
	OPERATOR_CMD="setpriv --reuid=$uid --regid=$gid --clear-groups" \
		$py "$here/test_nc_notif.py" drive "$sock" "$tmp/hook.sock" || rc=1
else
	$py "$here/test_nc_notif.py" drive "$sock" "$tmp/hook.sock" || rc=1
fi

$py "$here/test_nc_shield.py" "$sock" "$tmp/hook.sock" "$tmp/daemon.log" || rc=1

kill -TERM "$pid"
wait "$pid"
drc=$?
pid=
# the runtime chmod 640 above is expected to be refused, loudly
if [ $drc -ne 0 ] ||
	grep ': \(error\|warning\): ' "$tmp/daemon.log" | grep -qv 'netconf-users decides who'; then
	cat "$tmp/daemon.log" >&2
	echo "not ok - hybridgwd exited $drc or logged errors" >&2
	rc=1
fi
if grep -q "$key" "$tmp/daemon.log"; then
	echo "not ok - the pre-shared key is in the daemon's log" >&2
	rc=1
fi
echo "# server-side handling time per RPC (us): name count median max"
sed -n 's/.*NETCONF session [0-9]*: \([a-z-]*\) handled in \([0-9]*\) us/\1 \2/p' \
	"$tmp/daemon.log" | sort -k1,1 -k2n | awk '
	{ v[$1, ++n[$1]] = $2 }
	END { for (k in n) printf "#   %-16s %3d %6d %6d\n", k, n[k], v[k, int((n[k] + 1) / 2)], v[k, n[k]] }' |
	sort
exit $rc
