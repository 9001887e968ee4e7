#!/bin/sh
# test_netconf.sh - start hybridgwd in temporary directories and run test_ncclient.py against
# its NETCONF unix socket; then the daemon must stop cleanly, with no error or warning logged.
# Prints the server-side handling time of each RPC kind (from the daemon's debug log).
set -u
: "${HYBRIDGWD:?run this test through make check}"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/test_netconf.XXXXXX)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/state" "$tmp/conf"

"$HYBRIDGWD" --foreground --verbose --state-dir "$tmp/state" --config-dir "$tmp/conf" \
	2>"$tmp/daemon.log" &
pid=$!
i=0
while [ ! -S "$tmp/state/netconf.sock" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$tmp/daemon.log" >&2
		echo "not ok - hybridgwd did not open its NETCONF socket" >&2
		exit 1
	fi
	sleep 0.1
done

/usr/bin/python3 "$here/test_ncclient.py" "$tmp/state/netconf.sock" "$tmp/conf/startup.xml"
rc=$?

kill -TERM "$pid"
wait "$pid"
drc=$?
pid=
if [ $drc -ne 0 ] || grep -q ': \(error\|warning\): ' "$tmp/daemon.log"; then
	cat "$tmp/daemon.log" >&2
	echo "not ok - hybridgwd exited $drc or logged errors" >&2
	rc=1
fi
echo "# server-side handling time per RPC (us): name count median max"
sed -n 's/.*NETCONF session [0-9]*: \([a-z-]*\) handled in \([0-9]*\) us/\1 \2/p' \
	"$tmp/daemon.log" | sort -k1,1 -k2n | awk '
	{ v[$1, ++n[$1]] = $2 }
	END { for (k in n) printf "#   %-16s %3d %6d %6d\n", k, n[k], v[k, int((n[k] + 1) / 2)], v[k, n[k]] }' |
	sort
exit $rc
