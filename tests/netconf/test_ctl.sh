#!/bin/sh
# test_ctl.sh - hybridgwctl as the NETCONF client of a real hybridgwd.
#
# Starts `hybridgwd --config-only` in temporary directories with the lab's configuration
# (etc/examples/azure-aa-lab.xml) as its startup configuration, then checks from the
# outside: every show view in text and JSON (the JSON's facts against the configuration;
# --config-only has no state provider, so every state fact is null), the exit statuses (3
# and which socket when no daemon runs or a stale socket is left, 2 for usage errors), the
# config commands (set, delete, diff, commit, a confirmed commit rolled back and one
# confirmed, discard; the server's messages for what it refuses), and, as root, the
# operator role (it may show, it may not configure) and a user without a role.  The daemon
# is stopped by its PID and must exit cleanly.
#
# Needs /usr/bin/python3 (JSON checks, a stale socket).
set -u
: "${HYBRIDGWD:?run this test through make check}"
: "${HYBRIDGWCTL:?run this test through make check}"
: "${HYBRIDGWD_YANG_DIR:?run this test through make check}"
here=$(cd "$(dirname "$0")" && pwd)
config="$here/../../etc/examples/azure-aa-lab.xml"
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/test_ctl.XXXXXX) || exit 99
pid=
user=
log=
n=0

cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	[ -z "$user" ] || userdel "$user" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

fail() {
	echo "not ok - $*" >&2
	if [ -n "$log" ] && [ -f "$log" ]; then
		echo "--- $log" >&2
		cat "$log" >&2
	fi
	exit 1
}

ctl() {
	"$HYBRIDGWCTL" --state-dir "$tmp/state" "$@"
}

# expect_rc RC OUTFILE COMMAND...: run COMMAND, stdout to OUTFILE, stderr to OUTFILE.err.
expect_rc() {
	want=$1
	out=$2
	shift 2
	"$@" >"$out" 2>"$out.err"
	rc=$?
	[ "$rc" = "$want" ] || {
		cat "$out" "$out.err" >&2
		fail "'$*' exited with $rc, expected $want"
	}
}

# expect_text FILE TEXT: a line of FILE matches TEXT (grep, basic regular expression).
expect_text() {
	grep -q -- "$2" "$1" || {
		cat "$1" >&2
		fail "expected '$2' in $1 (above)"
	}
}

# json_check FILE PYTHON: run PYTHON with `doc` (FILE's JSON) and `cfg` (the configuration's
# facts) defined; it raises (assert) when something is wrong.
json_check() {
	"$py" - "$1" "$config" "$2" <<'EOF' || fail "JSON check failed on $1"
import json, sys
import xml.etree.ElementTree as ET
ns = {"h": "urn:hybridgw:params:xml:ns:yang:hybridgw"}
doc = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
cfg = {"gateways": [], "privates": [], "watch": []}
for c in root.findall("h:connections/h:connection", ns):
    for g in c.findall("h:gateway", ns):
        cfg["gateways"].append({
            "connection": c.findtext("h:name", namespaces=ns),
            "gateway": g.findtext("h:name", namespaces=ns),
            "remote_address": g.findtext("h:remote-address", namespaces=ns),
            "peer": g.findtext("h:bgp/h:peer-address", namespaces=ns),
            "asn": int(g.findtext("h:bgp/h:peer-asn", namespaces=ns)),
        })
for p in root.findall("h:private-paths/h:private-path", ns):
    cfg["privates"].append({
        "name": p.findtext("h:name", namespaces=ns),
        "neighbor": p.findtext("h:neighbor-address", namespaces=ns),
        "asn": int(p.findtext("h:peer-asn", namespaces=ns)),
    })
cfg["watch"] = [w.text for w in root.findall("h:failover/h:watch-prefix", ns)]
try:
    exec(sys.argv[3])
except AssertionError as e:
    print("assertion failed:", e, "\n", json.dumps(doc, indent=1), file=sys.stderr)
    sys.exit(1)
EOF
}

mkdir -p "$tmp/state" "$tmp/conf"
[ -f "$config" ] || fail "$config not found"

# --- usage errors: exit 2 --------------------------------------------------------------
expect_rc 2 "$tmp/out" ctl frobnicate
expect_text "$tmp/out.err" "unknown command 'frobnicate'"
expect_rc 2 "$tmp/out" ctl show
expect_text "$tmp/out.err" "show what? one of 'connections'"
expect_rc 2 "$tmp/out" ctl show bgp neighbours
expect_text "$tmp/out.err" "unknown view 'bgp neighbours'"
expect_rc 2 "$tmp/out" "$HYBRIDGWCTL" --state-dir "$tmp/state" --netconf-socket "$tmp/x" show connections
expect_rc 2 "$tmp/out" ctl config
expect_rc 2 "$tmp/out" ctl config set /global/local-asn
expect_text "$tmp/out.err" "config set: missing argument"
expect_rc 2 "$tmp/out" ctl config set global/local-asn 1
expect_text "$tmp/out.err" "is not a path"
expect_rc 2 "$tmp/out" ctl config commit --confirm soon
expect_text "$tmp/out.err" "'soon' is not a number of seconds"
expect_rc 2 "$tmp/out" ctl config show --confirm 5
expect_rc 2 "$tmp/out" ctl --netconf-socket
expect_text "$tmp/out.err" "option -n/--netconf-socket needs an argument"
ok "usage errors exit 2 with a message"

# --- no daemon: exit 3, naming the socket ---------------------------------------------
sock="$tmp/state/netconf.sock"
expect_rc 3 "$tmp/out" ctl show connections
expect_text "$tmp/out.err" "hybridgwd is not running (no socket at $sock): start it with 'hybridgwd --state-dir $tmp/state'"
expect_rc 3 "$tmp/out" "$HYBRIDGWCTL" --netconf-socket "$tmp/other.sock" --json show bgp peers
expect_text "$tmp/out.err" "hybridgwd is not running (no socket at $tmp/other.sock)"
expect_rc 3 "$tmp/out" ctl config show
"$py" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$tmp/stale.sock" ||
	fail "cannot make a stale socket"
expect_rc 3 "$tmp/out" "$HYBRIDGWCTL" --netconf-socket "$tmp/stale.sock" show failover
expect_text "$tmp/out.err" "hybridgwd is not running (nothing listens on $tmp/stale.sock)"
ok "no daemon: exit 3 and the socket named"

# --- the daemon ------------------------------------------------------------------------
cp "$config" "$tmp/conf/startup.xml"
log="$tmp/daemon.log"
# no metrics listener: a fixed port would collide with the daemons of tests running alongside
HYBRIDGWD_METRICS_LISTEN=none "$HYBRIDGWD" --foreground --verbose --config-only \
	--state-dir "$tmp/state" --config-dir "$tmp/conf" 2>"$log" &
pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1))
	{ [ $i -le 100 ] && kill -0 "$pid" 2>/dev/null; } || fail "hybridgwd did not open $sock"
	sleep 0.1
done
ok "hybridgwd --config-only started with the lab's configuration"

# --- show: text ------------------------------------------------------------------------
expect_rc 0 "$tmp/out" ctl show connections
expect_text "$tmp/out" "^Connection  *Gateway  *Remote  *Interface  *Tunnel  *Liveness  *BGP peer  *BGP state  *Uptime  *PfxRcd$"
expect_text "$tmp/out" "^azure  *in0  *198.18.0.6  *-  *-  *-  *169.254.21.2  *-  *-  *-$"
expect_text "$tmp/out" "^azure  *in1  *198.18.0.10  *-  *-  *-  *169.254.21.6  *-  *-  *-$"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "show connections: not a header and two rows"
expect_rc 0 "$tmp/out" ctl show bgp peers
expect_text "$tmp/out" "^Neighbor  *ASN  *State  *ConnectedDuration  *RoutesReceived  *RoutesSent  *MessagesSent  *MessagesReceived  *Class  *Path  *BFD$"
expect_text "$tmp/out" "^169.254.21.2  *65515  *-  .*  tunnel  *azure/in0  *-$"
expect_text "$tmp/out" "^169.254.21.6  *65515  *-  .*  tunnel  *azure/in1  *-$"
expect_text "$tmp/out" "^198.18.1.2  *12076  *-  .*  private  *er  *-$"
expect_rc 0 "$tmp/out" ctl show ike-sa
expect_text "$tmp/out" "^azure/in0: no IKE SA$"
expect_rc 0 "$tmp/out" ctl show ipsec-sa
expect_text "$tmp/out" "^azure/in1: interface -, peer 198.18.0.10$"
expect_text "$tmp/out" "^  no CHILD SA$"
expect_rc 0 "$tmp/out" ctl show routes learned
expect_text "$tmp/out" "^no learned routes$"
expect_rc 0 "$tmp/out" ctl show routes effective
expect_text "$tmp/out" "^198.19.10.0/24  *-  *-  *-  *-  *-  *-  *-$"
expect_rc 0 "$tmp/out" ctl show failover
expect_text "$tmp/out" "^no failover events$"
ok "every view as text; state absent is '-', empty tables say so"

# --- show: JSON ------------------------------------------------------------------------
expect_rc 0 "$tmp/c.json" ctl --json show connections
json_check "$tmp/c.json" '
rows = doc["connections"]
assert len(rows) == len(cfg["gateways"]), "one row per gateway"
for r, g in zip(rows, cfg["gateways"]):
    for k in ("connection", "gateway", "remote_address"):
        assert r[k] == g[k], (k, r[k], g[k])
    assert r["bgp_peer"] == g["peer"]
    for k in ("interface", "tunnel_state", "liveness", "bgp_state", "up_since", "uptime_s",
              "prefixes_received"):
        assert k in r and r[k] is None, k
'
expect_rc 0 "$tmp/b.json" ctl show bgp peers --json
json_check "$tmp/b.json" '
rows = doc["bgp_peers"]
want = [(g["peer"], g["asn"], "tunnel", g["connection"] + "/" + g["gateway"]) for g in cfg["gateways"]]
want += [(p["neighbor"], p["asn"], "private", p["name"]) for p in cfg["privates"]]
assert [(r["neighbor"], r["asn"], r["path_class"], r["path"]) for r in rows] == want
assert all(type(r["asn"]) is int for r in rows), "numbers as numbers"
assert all(r["state"] is None and r["messages_sent"] is None for r in rows)
'
expect_rc 0 "$tmp/e.json" ctl --json show routes effective
json_check "$tmp/e.json" '
assert [r["prefix"] for r in doc["effective_routes"]] == cfg["watch"]
assert all(r["path"] is None and r["nexthops"] == [] for r in doc["effective_routes"])
'
for v in "ike-sa:tunnels" "ipsec-sa:tunnels" "routes learned:learned_routes" "failover:failover_events"; do
	# shellcheck disable=SC2086 # the view's words are split on purpose
	expect_rc 0 "$tmp/v.json" ctl --json show ${v%%:*}
	json_check "$tmp/v.json" "assert isinstance(doc[\"${v#*:}\"], list)"
done
ok "every view as JSON; the facts are the configuration's, state null"

# --- config ----------------------------------------------------------------------------
expect_rc 0 "$tmp/out" ctl config show
expect_text "$tmp/out" "<local-asn>65010</local-asn>"
expect_rc 0 "$tmp/out" ctl config show /global/router-id
expect_text "$tmp/out" "<router-id>198.19.20.1</router-id>"
if grep -q "<underlay>" "$tmp/out"; then
	fail "config show PATH printed more than PATH"
fi
expect_rc 0 "$tmp/out" ctl --json config show /global
expect_text "$tmp/out" '"local-asn": 65010'
expect_rc 0 "$tmp/out" ctl config diff
expect_text "$tmp/out" "^no changes: the candidate is the running configuration$"
ok "config show (all, a path, JSON) and an empty diff"

gw0=/connections/connection[name=azure]/gateway[name=in0]
expect_rc 0 "$tmp/out" ctl config set /global/router-id 198.19.20.2
expect_rc 0 "$tmp/out" ctl config set "$gw0/bgp/peer-address" 169.254.21.10
expect_rc 0 "$tmp/out" ctl config set /policy/originate 198.19.21.0/24
expect_rc 0 "$tmp/out" ctl config diff
expect_text "$tmp/out" "^~ /global/router-id: 198.19.20.1 -> 198.19.20.2$"
expect_text "$tmp/out" "^~ /connections/connection\[name='azure'\]/gateway\[name='in0'\]/bgp/peer-address: 169.254.21.2 -> 169.254.21.10$"
expect_text "$tmp/out" "^+ /policy/originate\[.='198.19.21.0/24'\] = 198.19.21.0/24$"
expect_rc 0 "$tmp/out" ctl config show /global/router-id
expect_text "$tmp/out" "<router-id>198.19.20.1</router-id>"
expect_rc 0 "$tmp/out" ctl config show --candidate /global/router-id
expect_text "$tmp/out" "<router-id>198.19.20.2</router-id>"
expect_rc 0 "$tmp/out" ctl config commit
expect_text "$tmp/out" "^committed$"
expect_rc 0 "$tmp/out" ctl config show /global/router-id
expect_text "$tmp/out" "<router-id>198.19.20.2</router-id>"
expect_rc 0 "$tmp/out" ctl show bgp peers
expect_text "$tmp/out" "^169.254.21.10  *65515  .*  azure/in0  "
ok "config set, diff, commit: running has the change, show bgp peers too"

expect_rc 0 "$tmp/out" ctl config delete /connections/connection[name=azure]/gateway[name=in1]
expect_rc 0 "$tmp/out" ctl config delete "/policy/originate[.=198.19.21.0/24]"
expect_rc 0 "$tmp/out" ctl config diff
expect_text "$tmp/out" "^- /connections/connection\[name='azure'\]/gateway\[name='in1'\]/remote-address = 198.18.0.10$"
expect_rc 0 "$tmp/out" ctl config commit
expect_rc 0 "$tmp/out" ctl show connections
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "show connections after deleting in1: not one row"
expect_text "$tmp/out" "^azure  *in0  "
ok "config delete of a list entry and a leaf-list value, committed"

# refused by the server: its messages, exit 1, running unchanged
expect_rc 1 "$tmp/out" ctl config set /global/local-asn not-a-number
expect_text "$tmp/out.err" "^hybridgwctl: hybridgwd: .*not-a-number.*local-asn"
expect_rc 1 "$tmp/out" ctl config set /connections/connection[name=azure]/pre-shared-key short
expect_text "$tmp/out.err" "^hybridgwctl: hybridgwd: The pre-shared key must be 8 to 128 characters long."
if grep -q short "$tmp/out.err"; then
	fail "the refused key is in the message"
fi
expect_rc 0 "$tmp/out" ctl config set /global/local-asn 65515
expect_rc 1 "$tmp/out" ctl config commit
expect_text "$tmp/out.err" "^hybridgwctl: hybridgwd: Azure reserves ASNs 8074, 8075, 12076, 65515 and"
expect_rc 0 "$tmp/out" ctl config discard
expect_rc 0 "$tmp/out" ctl config diff
expect_text "$tmp/out" "^no changes"
expect_rc 0 "$tmp/out" ctl config show /global/local-asn
expect_text "$tmp/out" "<local-asn>65010</local-asn>"
expect_rc 1 "$tmp/out" ctl config delete /connections/connection[name=nosuch]
expect_text "$tmp/out.err" "^hybridgwctl: hybridgwd: "
expect_rc 1 "$tmp/out" ctl config set /connections/connection[name=azure]/gateway[name=in0] x
expect_text "$tmp/out.err" "is not a leaf"
expect_rc 1 "$tmp/out" ctl config set /global/no-such-leaf 1
ok "refused edits and commits: exit 1 with the server's message, running unchanged"

expect_rc 0 "$tmp/out" ctl config set /connections/connection[name=azure]/description rollback-me
expect_rc 0 "$tmp/out" ctl config commit --confirm 1
expect_text "$tmp/out" "rolled back in 1 s unless confirmed with 'hybridgwctl config confirm'"
expect_rc 0 "$tmp/out" ctl config show /connections/connection[name=azure]/description
expect_text "$tmp/out" "rollback-me"
i=0
while ctl config show /connections/connection[name=azure]/description | grep -q rollback-me; do
	i=$((i + 1))
	[ $i -le 50 ] || fail "the confirmed commit was not rolled back after 1 s"
	sleep 0.1
done
expect_rc 0 "$tmp/out" ctl config set /connections/connection[name=azure]/description keep-me
expect_rc 0 "$tmp/out" ctl config commit --confirm 30
expect_rc 0 "$tmp/out" ctl config confirm
expect_text "$tmp/out" "^confirmed$"
expect_rc 1 "$tmp/out" ctl config confirm
expect_rc 0 "$tmp/out" ctl config show /connections/connection[name=azure]/description
expect_text "$tmp/out" "keep-me"
ok "a confirmed commit is rolled back without 'config confirm', kept with it"

# --- roles (root only) -----------------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v setpriv >/dev/null; then
	user="hgwctl$$"
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$user" || user=
fi
if [ -n "$user" ]; then
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	chmod 711 "$tmp"
	chgrp "$gid" "$tmp/state" "$sock"
	chmod g+x "$tmp/state"
	as_user() {
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$HYBRIDGWCTL" \
			--state-dir "$tmp/state" "$@"
	}
	expect_rc 1 "$tmp/out" as_user show connections
	expect_text "$tmp/out.err" "no NETCONF session on $sock"
	printf '%s operator\n' "$user" >"$tmp/conf/netconf-users"
	chmod 600 "$tmp/conf/netconf-users"
	expect_rc 0 "$tmp/out" as_user show connections
	expect_text "$tmp/out" "^azure  *in0  "
	expect_rc 1 "$tmp/out" as_user config set /global/router-id 198.19.20.3
	expect_text "$tmp/out.err" "^hybridgwctl: hybridgwd: "
	ok "the operator role shows and may not configure; no role, no session"
else
	echo "ok # SKIP the roles need root, useradd and setpriv"
fi

kill -TERM "$pid"
wait "$pid"
drc=$?
pid=
[ "$drc" -eq 0 ] || fail "hybridgwd exited with status $drc"
expect_rc 3 "$tmp/out" ctl show connections
ok "hybridgwd stopped cleanly; hybridgwctl says it is not running"
echo "all $n checks passed"
exit 0
