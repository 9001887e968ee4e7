#!/usr/bin/python3
"""hybridgw's BMP station against real FRR 8.4 bgpd (run by `make check` via frr_bmp.sh).

Two namespaces of our own (frr_ns.Pair): hgwA<pid> runs bgpd with the bmp module
(-M bmp) and is configured through lib/frr (tests/tools/hgw-frr apply) with a
"bmp targets HGW-STATION" block that connects to the station (hgw-frr bmp) listening on
127.0.0.1 inside hgwA<pid>; hgwB<pid> is its BGP peer (frr_peer.conf).

Checks: bgpd connects and sends initiation; the session coming up is seen as peer up
(with both OPENs decoded) and the peer's routes, IPv4 and IPv6, as route monitoring, pre-
and post-policy, and withdrawn when the peer withdraws them; the peer shutting the session down and bringing it back is seen as peer down
and peer up within 100 ms of bgpd's own %ADJCHANGE log line (log timestamp precision 3);
removing the BMP target from the intent closes the connection.

HGW_BMP_CAPTURE=DIR saves every raw message there (the fuzz target's seeds came from
this).  Exit 77 without root, FRR or its bmp module.  Everything started here is stopped by
PID; the namespaces are deleted.  HGW_KEEP=1 keeps the logs directory; HGW_DEBUG=1 prints
both routers' BGP state when a check throws.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frr_ns import Pair, check, failures, sh, skip_reason, wait_until  # noqa: E402

SRCDIR = os.path.dirname(os.path.abspath(__file__))
TOOL = os.environ.get("HGW_FRR_TOOL", os.path.abspath("tests/tools/hgw-frr"))
# Debian's FRR 8.4 loads "-M bmp" from its module directory
BMP_MODULE = "/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_bmp.so"
LATENCY_MAX = 0.100
V6_PREFIX = "2001:db8:10::/48"



class Station:
    """hgw-frr bmp in the router's namespace; its events collected by a reader thread."""

    def __init__(self, ns, capture):
        argv = ["ip", "netns", "exec", ns, TOOL, "bmp", "127.0.0.1", "0"]
        if capture:
            argv.append(capture)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.events = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        wait_until(lambda: self.find("listening"), 10, "the station listening")
        self.port = self.find("listening")[0]["port"]

    def _read(self):
        for line in self.proc.stdout:
            ev = json.loads(line)
            with self.lock:
                self.events.append(ev)

    def find(self, event, since=0.0, **match):
        with self.lock:
            return [e for e in self.events if e["event"] == event and e["t"] >= since and
                    all(e.get(k) == v for k, v in match.items())]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def tool(rundir, *args):
    r = subprocess.run([TOOL, "-d", rundir] + list(args), capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError("hgw-frr %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


def adjchange(logpath, peer, state, since):
    """Wall-clock time of bgpd's first "%ADJCHANGE: neighbor PEER ... STATE" after since."""
    with open(logpath) as f:
        for line in f:
            if "%ADJCHANGE" not in line or ("neighbor %s(" % peer) not in line:
                continue
            if (" %s" % state) not in line.split("%ADJCHANGE", 1)[1]:
                continue
            # "2026/11/23 14:50:01.123 BGP: ..." in local time, milliseconds
            stamp = line[:23]
            t = time.mktime(time.strptime(stamp[:19], "%Y/%m/%d %H:%M:%S")) + float(stamp[19:])
            if t >= since - 0.001:
                return t
    return None


def ms_log(pair):
    return os.path.join(pair.a.logdir, "bgpd-ms.log")


def latency(pair, st, peer, event, state, since):
    wait_until(lambda: st.find(event, since, peer=peer), 30, "%s of %s" % (event, peer))
    log = ms_log(pair)
    wait_until(lambda: adjchange(log, peer, state, since) is not None, 10,
               "bgpd logging %s %s" % (peer, state))
    return st.find(event, since, peer=peer)[0]["t"] - adjchange(log, peer, state, since)


def shutdown_on_b(pair, on):
    pair.b.configure("bgpd", ["router bgp 65515",
                              ("" if on else "no ") + "neighbor %s shutdown" % pair.addr_a,
                              "exit"])


def run(pair, st):
    rundir = pair.a.rundir
    with open(os.path.join(SRCDIR, "frr_peer.conf")) as f:
        peer = [l.replace("{local}", pair.addr_a).replace("{peer}", pair.addr_b)
                for l in f.read().splitlines() if not l.startswith("!")]
    pair.b.configure("bgpd", peer)
    # an IPv6 prefix over the IPv4 session: MP_REACH_NLRI / MP_UNREACH_NLRI in the updates
    # (a global IPv6 address on the link for the next hop; policy: ebgp-requires-policy)
    for ns, host in ((pair.ns_a, 1), (pair.ns_b, 2)):
        sh("ip", "-n", ns, "addr", "add", "2001:db8:ff::%d/64" % host, "dev", "hgw0", "nodad")
    pair.b.configure("bgpd", ["router bgp 65515", "address-family ipv6 unicast",
                              "network %s" % V6_PREFIX, "neighbor %s activate" % pair.addr_a,
                              "neighbor %s route-map PEER-IN in" % pair.addr_a,
                              "neighbor %s route-map PEER-OUT out" % pair.addr_a,
                              "exit-address-family", "exit"])
    # the operator's: millisecond log stamps and the %ADJCHANGE lines to compare with
    # (the precision does not reach the --log startup target: a log file of its own)
    pair.a.configure("bgpd", ["log timestamp precision 3",
                              "log file %s informational" % ms_log(pair),
                              "router bgp 65010", "bgp log-neighbor-changes", "exit"])

    intent = {
        "asn": 65010, "router_id": pair.addr_a,
        "classes": [{"name": "VPN", "remote_as": 65515, "connect": 1, "local_pref": 150}],
        "neighbors": [{"address": pair.addr_b, "class": "VPN", "description": "peer-b",
                       "ipv6": True}],
        "bmp": {"name": "STATION", "address": "127.0.0.1", "port": st.port, "ipv6": True,
                "pre_policy": True, "post_policy": True, "stats_ms": 1000,
                "min_retry": 100, "max_retry": 1000},
    }
    path = os.path.join(pair.workdir, "bmp.json")
    with open(path, "w") as f:
        json.dump(intent, f)
    out = json.loads(tool(rundir, "apply", path))
    check(out["result"] == "ok", "apply with a BMP target")
    check("bmp targets HGW-STATION" in tool(rundir, "owned", "bgpd"),
          "the BMP target is owned (read back)")

    wait_until(lambda: st.find("initiation"), 30, "BMP initiation")
    check(True, "bgpd connected to the station and sent initiation")
    wait_until(lambda: st.find("peer-up", peer=pair.addr_b), 60, "peer up")
    up = st.find("peer-up", peer=pair.addr_b)[0]
    check(up["asn"] == 65515 and up["as4"] and up["hold_received"] == 180 and
          up["local"] == pair.addr_a, "peer up with both OPENs decoded: %s" % up)
    wait_until(lambda: st.find("route", prefix="198.19.10.0/24", post_policy=True), 30,
               "198.19.10.0/24 post-policy")
    pre = st.find("route", prefix="198.19.10.0/24", post_policy=False, announced=True)
    post = st.find("route", prefix="198.19.10.0/24", post_policy=True, announced=True)
    # FRR 8.4 encodes the AS_PATH as if sending to the peer: the local ASN comes first
    check(pre and pre[0]["as_path"].endswith("65515") and pre[0]["next_hop"] == pair.addr_b,
          "learned route as pre-policy route monitoring: %s" % (pre[:1],))
    check(post and post[0]["peer"] == pair.addr_b, "and as post-policy route monitoring")
    via12076 = st.find("route", prefix="198.19.11.0/24", announced=True)
    check(via12076 and via12076[0]["as_path"].endswith("65515 12076"),
          "AS path with several ASNs decoded: %s" % (via12076[:1],))
    wait_until(lambda: st.find("stats-report"), 10, "a statistics report")
    check(True, "statistics reports arrive")

    wait_until(lambda: st.find("route", prefix=V6_PREFIX, announced=True), 30, V6_PREFIX)
    v6 = st.find("route", prefix=V6_PREFIX, announced=True)[0]
    check(v6["as_path"].endswith("65515") and ":" in v6["next_hop"],
          "IPv6 route from MP_REACH_NLRI: %s" % v6)
    mark = time.time()
    pair.b.configure("bgpd", ["router bgp 65515", "no network 198.19.12.0/24",
                              "address-family ipv6 unicast", "no network %s" % V6_PREFIX,
                              "exit-address-family", "exit"])
    for prefix in ("198.19.12.0/24", V6_PREFIX):
        for post in (False, True):
            wait_until(lambda p=prefix, q=post: st.find("route", mark, prefix=p, post_policy=q,
                                                        announced=False), 30,
                       "withdrawal of %s (%s-policy)" % (prefix, "post" if post else "pre"))
    check(True, "withdrawals (IPv4 withdrawn routes, MP_UNREACH_NLRI) pre- and post-policy")
    pair.b.configure("bgpd", ["router bgp 65515", "network 198.19.12.0/24",
                              "address-family ipv6 unicast", "network %s" % V6_PREFIX,
                              "exit-address-family", "exit"])

    lat = []
    for cycle in range(3):
        mark = time.time()
        shutdown_on_b(pair, True)
        d = latency(pair, st, pair.addr_b, "peer-down", "Down", mark)
        down = st.find("peer-down", mark, peer=pair.addr_b)[0]
        check(down["reason"] == 3 and down["code"] == 6,
              "peer down: the peer's NOTIFICATION (cease): %s" % down)
        check(d < LATENCY_MAX, "peer down seen %.1f ms after bgpd logged it" % (d * 1000))
        mark = time.time()
        shutdown_on_b(pair, False)
        u = latency(pair, st, pair.addr_b, "peer-up", "Up", mark)
        check(u < LATENCY_MAX, "peer up seen %.1f ms after bgpd logged it" % (u * 1000))
        lat += [d, u]
        wait_until(lambda: st.find("route", mark, prefix="198.19.10.0/24"), 30,
                   "routes again after the session came back")
    print("bmp latency ms: %s (max %.1f)" % (" ".join("%.1f" % (x * 1000) for x in lat),
                                            max(lat) * 1000))

    mark = time.time()
    del intent["bmp"]
    with open(path, "w") as f:
        json.dump(intent, f)
    out = json.loads(tool(rundir, "apply", path))
    check(out["result"] == "ok", "apply without the BMP target")
    check("bmp targets" not in tool(rundir, "owned", "bgpd"), "BMP target removed")
    wait_until(lambda: st.find("closed", mark), 10, "the BMP connection closed")
    check(True, "bgpd closed the BMP connection")


def main():
    reason = skip_reason(TOOL, BMP_MODULE)
    if reason:
        print("SKIP: " + reason)
        return 77
    pair = Pair(args_a={"bgpd": ["-M", "bmp"]})
    print("namespaces %s %s, logs in %s" % (pair.ns_a, pair.ns_b, pair.workdir), flush=True)
    st = None
    try:
        pair.setup()
        st = Station(pair.ns_a, os.environ.get("HGW_BMP_CAPTURE"))
        run(pair, st)
    except Exception as e:  # report, then clean up
        failures.append("exception: %s" % e)
        print("FAIL exception: %s" % e, flush=True)
        if os.environ.get("HGW_DEBUG"):
            for r in (pair.a, pair.b):
                for c in ("show bgp ipv6 unicast", "show bgp neighbors", "show running-config"):
                    print(r.ns, c, r.show("bgpd", c))
    finally:
        if st is not None:
            st.stop()
        pair.teardown()
        if not failures and not os.environ.get("HGW_KEEP"):
            shutil.rmtree(pair.workdir, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
