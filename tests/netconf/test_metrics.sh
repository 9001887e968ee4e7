#!/bin/sh
# test_metrics.sh - hybridgwd's Prometheus endpoint from the outside.
#
# Starts `hybridgwd --config-only` in temporary directories with the lab's configuration
# (etc/examples/azure-aa-lab.xml) as its startup file and --metrics-listen 127.0.0.1:0 (the
# kernel picks a free port; the daemon logs which), then with curl: GET /metrics is 200 with
# the 0.0.4 content type and a body that python3 parses as the text format (HELP and TYPE once
# per family and before its samples, hybridgw_commits_total a number, the configured tunnels
# and peers there, no pre-shared key); HEAD too; another path is 404, POST is 405; silent
# clients hold neither a scrape nor NETCONF up.  A second daemon whose metrics port is taken
# logs an error naming the address, and runs and serves NETCONF all the same.  An address
# that is not ADDRESS:PORT is a usage error.  [::1] when the host has IPv6.  Every daemon
# stops cleanly on SIGTERM.
#
# VALGRIND=1 runs the daemons under valgrind --leak-check=full (errors and leaks fail the
# test).  Only processes started here are signalled, by their PID.
set -u
: "${HYBRIDGWD:?run this test through make check}"
: "${HGW_VERSION:?run this test through make check}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
key="lab-psk-azure-not-a-secret" # the example's pre-shared key

for prog in curl "$PYTHON"; do
	command -v "$prog" >/dev/null || { echo "$prog not found: apt-get install ${prog##*/}" >&2; exit 99; }
done
vg=
slow=1
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || { echo "VALGRIND=1: apt-get install valgrind" >&2; exit 99; }
	vg="valgrind --quiet --leak-check=full --error-exitcode=1"
	slow=10
fi

tmp=$(mktemp -d /tmp/test_metrics.XXXXXX) || exit 99
pids=
holder=
cleanup() {
	for p in $pids $holder; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
export PYTHONDONTWRITEBYTECODE=1

n=0
rc=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $*"
	rc=1
}
# fail MESSAGE [LOG]: the test cannot go on
fail() {
	echo "not ok - $1" >&2
	[ -z "${2:-}" ] || cat "$2" >&2
	exit 1
}

# start DIR LISTEN: a --config-only daemon on DIR/{state,conf}, log DIR/daemon.log; sets $pid
start() {
	mkdir -p "$1/state" "$1/conf"
	[ -f "$1/conf/startup.xml" ] || cp "$top/etc/examples/azure-aa-lab.xml" "$1/conf/startup.xml"
	$vg "$HYBRIDGWD" --foreground --verbose --config-only --state-dir "$1/state" \
		--config-dir "$1/conf" --metrics-listen "$2" 2>"$1/daemon.log" &
	pid=$!
	pids="$pids $pid"
	i=0
	while ! grep -qs ' running, config dir' "$1/daemon.log"; do
		i=$((i + 1))
		if [ $i -gt $((100 * slow)) ] || ! kill -0 "$pid" 2>/dev/null; then
			fail "hybridgwd did not start" "$1/daemon.log"
		fi
		sleep 0.1
	done
}

# stop PID DIR [EXPECTED-ERROR]: SIGTERM, exit 0, nothing but the expected error logged
stop() {
	kill -TERM "$1"
	wait "$1"
	drc=$?
	rest=
	for p in $pids; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	pids=$rest # waited for: its PID may be reused, never signal it again
	if [ $drc -ne 0 ]; then
		cat "$2/daemon.log" >&2
		not_ok "hybridgwd (pid $1) exited $drc"
	elif grep ': \(error\|warning\): ' "$2/daemon.log" | grep -qv "${3:-^$}"; then
		cat "$2/daemon.log" >&2
		not_ok "hybridgwd (pid $1) logged errors or warnings"
	else
		ok "hybridgwd (pid $1) stopped cleanly"
	fi
}

# the address a daemon serves on, from its log: "metrics: serving http://ADDR:PORT/metrics"
served() {
	sed -n 's|.*metrics: serving http://\(.*\)/metrics$|\1|p' "$1/daemon.log"
}

# netconf DIR: running over NETCONF holds the lab's connection
netconf() {
	$PYTHON - "$1/state/netconf.sock" "$here" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
import ncclient_unix
m = ncclient_unix.connect(sys.argv[1], timeout=10)
reply = m.get_config(source="running").data_xml
m.close_session()
sys.exit(0 if "<name>azure</name>" in reply else 1)
EOF
}

# ---- the first daemon
start "$tmp/a" 127.0.0.1:0
pid_a=$pid
addr=$(served "$tmp/a")
case "$addr" in
127.0.0.1:[1-9]*) ok "the daemon logs where it serves metrics: $addr" ;;
*) fail "no 'metrics: serving http://127.0.0.1:PORT/metrics' in the log" "$tmp/a/daemon.log" ;;
esac
url="http://$addr/metrics"

code=$(curl -sS -m $((5 * slow)) -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' "$url")
if [ "$code" = 200 ] && grep -qi '^content-type: text/plain; version=0\.0\.4' "$tmp/headers"; then
	ok "GET /metrics: 200, text/plain; version=0.0.4"
else
	cat "$tmp/headers" >&2
	not_ok "GET /metrics: $code"
fi

if $PYTHON - "$tmp/body" "$HGW_VERSION" <<'EOF'; then
import re, sys

text = open(sys.argv[1], encoding="utf-8").read()
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf"
sample = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (%s)$" % (NAME, LABEL, LABEL, VALUE))
helps, types, values, order = {}, {}, {}, []
errors = []
assert text.endswith("\n"), "no newline at the end"
for line in text[:-1].split("\n"):
    m = re.match(r"^# (HELP|TYPE) (%s) (.+)$" % NAME, line)
    if m:
        kind, name, rest = m.groups()
        table = helps if kind == "HELP" else types
        if name in table:
            errors.append("second %s of %s" % (kind, name))
        if kind == "TYPE" and rest not in ("counter", "gauge"):
            errors.append("%s: type %s" % (name, rest))
        if kind == "TYPE" and rest == "counter" and not name.endswith("_total"):
            errors.append("counter %s without _total" % name)
        if name in values:
            errors.append("%s of %s after its samples" % (kind, name))
        table[name] = rest
        if kind == "HELP":
            order.append(name)
        continue
    m = sample.match(line)
    if not m:
        errors.append("not the text format: %r" % line)
        continue
    name, labels, value = m.groups()
    if name not in types or order[-1] != name:
        errors.append("sample of %s outside its family" % name)
    if not name.startswith("hybridgw_"):
        errors.append("%s: not hybridgw_*" % name)
    values.setdefault(name, {})[labels or ""] = float(value)
if set(helps) != set(types):
    errors.append("HELP without TYPE or the reverse: %s" % (set(helps) ^ set(types)))

def want(name, labels, value=None):
    got = values.get(name, {}).get(labels)
    if got is None or (value is not None and got != value):
        errors.append("%s%s: %r, want %r" % (name, labels, got, value))

want("hybridgw_commits_total", "")
want("hybridgw_commit_failures_total", "", 0)
want("hybridgw_config_only", "", 1)
want("hybridgw_build_info", '{version="%s"}' % sys.argv[2], 1)
want("hybridgw_tunnel_up", '{connection="azure",gateway="in0"}', 0)
want("hybridgw_tunnel_up", '{connection="azure",gateway="in1"}', 0)
want("hybridgw_bgp_peer_up", '{path_class="private",path="er",peer="198.18.1.2"}', 0)
want("hybridgw_failover_events_total", "", 0)
for e in errors:
    print("# " + e)
print("# %d families, %d samples, hybridgw_commits_total %s" % (
    len(types), sum(len(v) for v in values.values()),
    values.get("hybridgw_commits_total", {}).get("")))
sys.exit(1 if errors else 0)
EOF
	ok "the body is the text format 0.0.4, with the configured tunnels and peers"
else
	sed 's/^/# /' "$tmp/body" >&2
	not_ok "the body is not what it should be"
fi
if grep -q "$key" "$tmp/body"; then
	not_ok "the pre-shared key is in the metrics"
else
	ok "no pre-shared key in the metrics"
fi

code=$(curl -sS -m $((5 * slow)) -I -o "$tmp/head" -w '%{http_code}' "$url")
[ "$code" = 200 ] && ok "HEAD /metrics: 200" || not_ok "HEAD /metrics: $code"
code=$(curl -sS -m $((5 * slow)) -o /dev/null -w '%{http_code}' "http://$addr/")
[ "$code" = 404 ] && ok "GET /: 404" || not_ok "GET /: $code"
code=$(curl -sS -m $((5 * slow)) -o /dev/null -w '%{http_code}' "http://$addr/metrics/x")
[ "$code" = 404 ] && ok "GET /metrics/x: 404" || not_ok "GET /metrics/x: $code"
code=$(curl -sS -m $((5 * slow)) -o /dev/null -D "$tmp/h405" -w '%{http_code}' -d 'x=1' "$url")
if [ "$code" = 405 ] && grep -qi '^allow: GET, HEAD' "$tmp/h405"; then
	ok "POST /metrics: 405, Allow: GET, HEAD"
else
	not_ok "POST /metrics: $code"
fi

# Silent clients (one with half a request line): a scrape and NETCONF still answer at once.
$PYTHON - "${addr%:*}" "${addr##*:}" "$tmp/holding" <<'EOF' &
import os, socket, sys, time
socks = [socket.create_connection((sys.argv[1], int(sys.argv[2]))) for _ in range(3)]
socks[0].sendall(b"GET /metr")
open(sys.argv[3], "w").close()
time.sleep(30)
EOF
holder=$!
i=0
while [ ! -f "$tmp/holding" ] && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.1
done
t0=$(date +%s%N)
code=$(curl -sS -m $((3 * slow)) -o /dev/null -w '%{http_code}' "$url")
t1=$(date +%s%N)
if [ "$code" = 200 ] && netconf "$tmp/a"; then
	ok "with three silent clients: scrape in $(((t1 - t0) / 1000000)) ms, NETCONF answers"
else
	not_ok "with three silent clients: scrape $code, or NETCONF did not answer"
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=

# ---- a second daemon, whose port is taken (by the first): runs without metrics
start "$tmp/b" "$addr"
pid_b=$pid
if grep -q "error: metrics: cannot listen on $addr: Address already in use" "$tmp/b/daemon.log" &&
	kill -0 "$pid_b" && netconf "$tmp/b"; then
	ok "port taken: '$(grep -o 'error: metrics: .*' "$tmp/b/daemon.log" | cut -c1-90)...', NETCONF served"
else
	cat "$tmp/b/daemon.log" >&2
	not_ok "port taken: no error naming $addr, or the daemon does not serve NETCONF"
fi
code=$(curl -sS -m $((5 * slow)) -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 200 ] && ok "the first daemon still serves metrics" || not_ok "first daemon: $code"
stop "$pid_b" "$tmp/b" "error: metrics: cannot listen on $addr"

# ---- a usage error
if "$HYBRIDGWD" --config-only --metrics-listen localhost:9474 2>"$tmp/usage"; then
	not_ok "--metrics-listen localhost:9474 accepted"
elif grep -q "must be ADDRESS:PORT" "$tmp/usage"; then
	ok "--metrics-listen localhost:9474 refused: $(head -1 "$tmp/usage")"
else
	cat "$tmp/usage" >&2
	not_ok "--metrics-listen localhost:9474: no usage message"
fi

# ---- IPv6, where the host has it
if $PYTHON -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	start "$tmp/c" "[::1]:0"
	addr6=$(served "$tmp/c")
	code=$(curl -sS -g -m $((5 * slow)) -o /dev/null -w '%{http_code}' "http://$addr6/metrics")
	case "$addr6" in
	"[::1]:"[1-9]*) [ "$code" = 200 ] && ok "GET http://$addr6/metrics: 200" ||
		not_ok "GET http://$addr6/metrics: $code" ;;
	*) not_ok "IPv6: the daemon serves on '$addr6'" ;;
	esac
	stop "$pid" "$tmp/c"
else
	ok "# SKIP no IPv6 on this host"
fi

stop "$pid_a" "$tmp/a"
echo "1..$n"
exit $rc
