#!/bin/sh
# test_ssh.sh - NETCONF over SSH (RFC 6242) the production way: a real OpenSSH sshd runs the
# "netconf" subsystem, hybridgw-netconf, which relays the channel to hybridgwd's unix socket;
# a real NETCONF client (python3-ncclient, paramiko underneath) talks to it.
#
# Starts `hybridgwd --foreground --config-only` in a temporary directory, then a test-owned
# sshd (/usr/sbin/sshd -D -e -f <tmp>/sshd_config) on 127.0.0.1 and two free ports (the
# second stands for port 830: `Match LocalPort` forces the subsystem there, as
# etc/sshd-netconf.conf.example does), with fresh Ed25519 and ECDSA host keys, public keys
# only, and per-user authorized_keys files in the temporary directory.  test_ssh.py then
# checks the session (hello, get-config, edit-config + commit, notifications, admin role),
# host key checking, refused keys and passwords, the bridge's half-close, a message larger
# than its buffers, its framing (only whole messages reach hybridgwd: a client stalled in
# half a message holds nobody else and is closed after --message-timeout, here 3 s; bad
# framing closes the session, exit 5), and measures the latency of <get-config> over SSH and over the socket.
# Last, with hybridgwd stopped, the subsystem exits 3 and the client sees why.
#
# Non-root roles without creating system users: when libnss-wrapper is installed, sshd and
# hybridgwd run with LD_PRELOAD=libnss_wrapper.so and a passwd/group copy that adds three
# users with unused uids (an operator, a user without a role, a user who may not reach the
# socket); nothing on the system changes.  hybridgwd runs with the operator's group (setpriv
# --regid, as systemd's Group= would), which owns the state directory, so the socket is that
# group's.  Without libnss-wrapper or setpriv, those checks are skipped.
#
# The temporary directory is made in /run, not /tmp: sshd's StrictModes checks every
# directory above an authorized_keys file, and /tmp is world-writable (StrictModes stays on).
# /run/sshd (sshd's privilege separation directory) is created if missing.
#
# Needs root (sshd switches to the logged-in user), /usr/sbin/sshd (openssh-server),
# ssh and ssh-keygen (openssh-client) and python3-ncclient; skipped (77) without them.
# VALGRIND=1 runs every hybridgw-netconf under valgrind (errors and leaks fail the test).
# Only processes started here are signalled, by their PID.
set -u
: "${HYBRIDGWD:?run this test through make check}"
: "${HYBRIDGW_NETCONF:?run this test through make check}"
here=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
SSHD=${SSHD:-/usr/sbin/sshd}

skip() {
	echo "1..0 # SKIP $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root: sshd must switch to the logged-in user"
[ -x "$SSHD" ] || skip "no $SSHD: apt-get install openssh-server"
if ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
	skip "no ssh or ssh-keygen: apt-get install openssh-client"
fi
"$PYTHON" -c 'import ncclient, paramiko' 2>/dev/null ||
	skip "no ncclient for $PYTHON: apt-get install python3-ncclient"

tmp=$(mktemp -d /run/hgw-test-ssh.XXXXXX) || exit 99
daemon_pid=
sshd_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null
	[ -z "$daemon_pid" ] || kill "$daemon_pid" 2>/dev/null
	[ -z "$sshd_pid" ] || wait "$sshd_pid" 2>/dev/null
	[ -z "$daemon_pid" ] || wait "$daemon_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
export PYTHONDONTWRITEBYTECODE=1

fail() {
	echo "Bail out! $*"
	for f in "$tmp/daemon.log" "$tmp/sshd.log"; do
		[ ! -s "$f" ] || { echo "--- $f" >&2; cat "$f" >&2; }
	done
	exit 1
}

# sshd's privilege separation directory (Debian's ssh.service makes it, a bare system may not)
[ -d /run/sshd ] || mkdir -m 0755 /run/sshd || fail "cannot create /run/sshd"

mkdir -m 0755 "$tmp/keys" "$tmp/home"
mkdir "$tmp/state" "$tmp/conf" "$tmp/client"
chmod 0711 "$tmp"
sock="$tmp/state/netconf.sock"

# Host keys: one of each type the doc recommends.  Client keys: one per user, plus a stranger.
ssh-keygen -q -t ed25519 -N '' -C hgw-test-host -f "$tmp/ssh_host_ed25519_key" || exit 99
ssh-keygen -q -t ecdsa -b 256 -N '' -C hgw-test-host -f "$tmp/ssh_host_ecdsa_key" || exit 99
for k in root hgwop hgwnone hgwout stranger; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$tmp/client/$k" || exit 99
done
for k in root hgwop hgwnone hgwout; do
	cp "$tmp/client/$k.pub" "$tmp/keys/$k"
	chmod 0644 "$tmp/keys/$k"
done

# Users for the other roles, visible only to sshd and hybridgwd (nss_wrapper).
nsswrap=
for f in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
	[ -e "$f" ] && nsswrap=$f && break
done
users=
if [ -n "$nsswrap" ] && command -v setpriv >/dev/null; then
	uid=61000
	while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null ||
		getent passwd $((uid + 1)) >/dev/null || getent passwd $((uid + 2)) >/dev/null; do
		uid=$((uid + 3))
	done
	gid=$uid
	cp /etc/passwd "$tmp/passwd"
	cp /etc/group "$tmp/group"
	# hgwop and hgwnone are in the socket's group; hgwout is not
	cat >>"$tmp/passwd" <<-EOF
		hgwop:x:$uid:$gid:hybridgw operator:$tmp/home:/bin/sh
		hgwnone:x:$((uid + 1)):$gid:no role:$tmp/home:/bin/sh
		hgwout:x:$((uid + 2)):$((uid + 2)):not in the group:$tmp/home:/bin/sh
	EOF
	echo "hgwnc:x:$gid:" >>"$tmp/group"
	echo "hgwout:x:$((uid + 2)):" >>"$tmp/group"
	users="hgwop hgwnone hgwout"
	printf '# user role\nhgwop operator\nhgwout operator\n' >"$tmp/conf/netconf-users"
	chmod 0600 "$tmp/conf/netconf-users"
	# an ASan build (make check in build-asan/) wants its runtime first in the list: let
	# it come after nss_wrapper instead
	wrap="LD_PRELOAD=$nsswrap NSS_WRAPPER_PASSWD=$tmp/passwd NSS_WRAPPER_GROUP=$tmp/group
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	# as systemd does for RuntimeDirectory= with Group= (docs/NETCONF.md): the group may
	# enter the state directory, and the daemon, running with that group, makes the socket its
	chgrp "$gid" "$tmp/state"
	chmod 0750 "$tmp/state"
	asgroup="setpriv --regid=$gid --clear-groups"
else
	echo "# libnss-wrapper (or setpriv) is missing: the operator and refused users are not tested"
	wrap=
	asgroup=
fi

# hybridgwd (no metrics endpoint: its default port may be taken by another daemon)
# shellcheck disable=SC2086 # $wrap is a list of NAME=VALUE words
env $wrap HYBRIDGWD_METRICS_LISTEN=none HYBRIDGWD_NETCONF_TEST_HOOK="$tmp/hook.sock" \
	$asgroup "$HYBRIDGWD" --foreground --verbose --config-only \
	--state-dir "$tmp/state" --config-dir "$tmp/conf" 2>"$tmp/daemon.log" &
daemon_pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
		fail "hybridgwd did not start"
	fi
	sleep 0.1
done
if [ -n "$users" ] && [ "$(stat -c %g "$sock")" != "$gid" ]; then
	echo "not ok - the socket's group is not the daemon's group $gid: $(stat -c '%A %U:%G' "$sock")"
	exit 1
fi

# The subsystem, under valgrind with VALGRIND=1 (one log per process).
# --message-timeout: a client stalled in a message is closed after 3 s, not 30 (test_ssh.py)
export HGW_MESSAGE_TIMEOUT=3
bridge="$HYBRIDGW_NETCONF --socket $sock --message-timeout $HGW_MESSAGE_TIMEOUT"
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || fail "VALGRIND=1: apt-get install valgrind"
	mkdir -m 1777 "$tmp/vg"
	bridge="$(command -v valgrind) --quiet --leak-check=full --show-leak-kinds=all \
--errors-for-leak-kinds=all --error-exitcode=99 --log-file=$tmp/vg/%p.log $bridge"
fi

# sshd on two free ports with etc/sshd-netconf.conf.example, its ports, path and users
# replaced; the second port stands for 830.  The settings only a test needs come after it.
example="$here/../../etc/sshd-netconf.conf.example"
[ -f "$example" ] || fail "no $example"
start_sshd() {
	port=$("$PYTHON" "$here/test_ssh.py" free-port) || return 1
	ncport=$("$PYTHON" "$here/test_ssh.py" free-port) || return 1
	sed -e "s|^Port 22\$|Port $port|" -e "s|^Port 830\$|Port $ncport|" \
		-e "s|^Match LocalPort 830\$|Match LocalPort $ncport|" \
		-e "s|/usr/libexec/hybridgw/hybridgw-netconf|$bridge|" \
		-e "s|^\tAllowUsers root alice bob\$|\tAllowUsers root $users|" \
		"$example" >"$tmp/sshd-netconf.conf"
	for want in "Port $port" "Port $ncport" "Match LocalPort $ncport" "AllowUsers root $users" \
		"Subsystem netconf $bridge" "ForceCommand $bridge"; do
		grep -qF "$want" "$tmp/sshd-netconf.conf" || fail "the example has no '$want' any more"
	done
	cat >"$tmp/sshd_config" <<-EOF
		Include $tmp/sshd-netconf.conf
		ListenAddress 127.0.0.1
		HostKey $tmp/ssh_host_ed25519_key
		HostKey $tmp/ssh_host_ecdsa_key
		PidFile $tmp/sshd.pid
		LogLevel VERBOSE
		UsePAM no
		StrictModes yes
		PermitRootLogin prohibit-password
		AllowUsers root $users
		AuthenticationMethods publickey
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		AuthorizedKeysFile $tmp/keys/%u
		PrintMotd no
	EOF
	"$SSHD" -t -f "$tmp/sshd_config" || return 1
	# shellcheck disable=SC2086
	env $wrap "$SSHD" -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
	sshd_pid=$!
	"$PYTHON" "$here/test_ssh.py" wait-port "$port" "$ncport" && return 0
	kill "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	sshd_pid=
	return 1
}
started=0
for try in 1 2 3; do
	start_sshd && started=1 && break
	echo "# sshd did not start (try $try): $(tail -1 "$tmp/sshd.log" 2>/dev/null)"
done
[ $started = 1 ] || fail "sshd did not start"

rc=0
# the bridge's own command line
v=$("$HYBRIDGW_NETCONF" --version)
if [ "$v" = "hybridgw-netconf ${HGW_VERSION:-$v}" ]; then
	echo "ok - --version: $v"
else
	echo "not ok - --version: $v"
	rc=1
fi
for args in "--bogus" "--socket" "--socket $sock --state-dir $tmp/state" "$sock"; do
	# shellcheck disable=SC2086 # word lists
	"$HYBRIDGW_NETCONF" $args </dev/null >/dev/null 2>"$tmp/usage.err"
	r=$?
	if [ $r -eq 2 ] && grep -q "Try 'hybridgw-netconf --help'" "$tmp/usage.err"; then
		echo "ok - '$args' is a usage error (exit 2)"
	else
		echo "not ok - '$args' exited $r: $(cat "$tmp/usage.err")"
		rc=1
	fi
done

# shellcheck disable=SC2086 # $users is a list of names
"$PYTHON" "$here/test_ssh.py" up "$tmp" "$port" "$ncport" "$sock" "$HYBRIDGW_NETCONF" \
	"$tmp/hook.sock" $users || rc=1

# Every subsystem has ended with its session (abrupt client exits included).
i=0
while pgrep -f "hybridgw-netconf --socket $sock" >/dev/null; do
	i=$((i + 1))
	[ $i -le 50 ] || break
	sleep 0.1
done
left=$(pgrep -c -f "hybridgw-netconf --socket $sock")
if [ "$left" -eq 0 ]; then
	echo "ok - no hybridgw-netconf left running after its session"
else
	pgrep -a -f "hybridgw-netconf --socket $sock"
	echo "not ok - $left hybridgw-netconf still running"
	rc=1
fi
if [ -n "$users" ]; then
	if grep -q "hgwnone (uid $((uid + 1))) has no role" "$tmp/daemon.log"; then
		echo "ok - hybridgwd refused hgwnone for its missing role (its log says so)"
	else
		echo "not ok - no refusal of hgwnone in hybridgwd's log"
		rc=1
	fi
fi
[ -z "${HGW_TEST_KEEP_LOGS:-}" ] || cp "$tmp/daemon.log" "$tmp/sshd.log" "$HGW_TEST_KEEP_LOGS"

# The operations suite that test_netconf.sh runs over the unix socket, here over SSH: running
# emptied and startup removed first, as the suite expects a fresh daemon.
"$PYTHON" "$here/test_ssh.py" reset "$sock" "$tmp/conf/startup.xml" || rc=1
echo "# the ncclient suite (test_ncclient.py) over SSH:"
HGW_NC_SSH="$port:$tmp/client/root:$(cut -d' ' -f2 "$tmp/ssh_host_ed25519_key.pub")" \
	"$PYTHON" "$here/test_ncclient.py" "$sock" "$tmp/conf/startup.xml" || rc=1

# With hybridgwd stopped, the subsystem says so and exits 3.
kill -TERM "$daemon_pid"
wait "$daemon_pid"
drc=$?
daemon_pid=
"$PYTHON" "$here/test_ssh.py" down "$tmp" "$port" "$ncport" "$sock" || rc=1

kill -TERM "$sshd_pid"
wait "$sshd_pid"
sshd_pid=

if [ $drc -ne 0 ] || grep ': \(error\|warning\): ' "$tmp/daemon.log"; then
	echo "not ok - hybridgwd exited $drc or logged errors (above)"
	rc=1
else
	echo "ok - hybridgwd stopped cleanly, nothing logged as an error"
fi
echo "# sessions in hybridgwd's log: $(grep -c 'NETCONF session [0-9]* of [a-z]* opened' "$tmp/daemon.log")," \
	"as root: $(grep -c 'NETCONF session [0-9]* of root opened' "$tmp/daemon.log")," \
	"as hgwop: $(grep -c 'NETCONF session [0-9]* of hgwop opened' "$tmp/daemon.log")"
if [ "${VALGRIND:-0}" = 1 ]; then
	n=$(find "$tmp/vg" -name '*.log' | wc -l)
	bad=$(find "$tmp/vg" -name '*.log' -size +0 | wc -l)
	if [ "$n" -eq 0 ] || [ "$bad" -ne 0 ]; then
		find "$tmp/vg" -name '*.log' -size +0 -exec cat {} +
		echo "not ok - valgrind: $bad of $n hybridgw-netconf runs reported errors or leaks"
		rc=1
	else
		echo "ok - valgrind: $n hybridgw-netconf runs, no error, no leak"
	fi
fi
[ $rc -eq 0 ] || fail "see the failures above"
exit 0
