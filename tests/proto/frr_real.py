#!/usr/bin/python3
"""The FRR driver against real FRR 8.4 daemons (run by `make check` via frr_real.sh).

Two namespaces of our own, joined by a veth pair with a 198.18.N.0/30: hgwA<pid> runs
zebra, staticd, bgpd and bfdd and is configured through lib/frr (tests/tools/hgw-frr);
hgwB<pid> is its BGP peer, configured from frr_peer.conf.  The operator's own objects on A
(a prefix-list, a route-map, a static route) must survive every apply.

Steps: apply an intent (session Established, routes exchanged with the policy applied,
BFD up), apply it again (nothing sent), change it, remove parts, apply an intent with a
line bgpd rejects (error names the line, owned configuration back to the previous one),
apply the empty intent (everything owned gone, the operator's config intact).

With --async (frr_async.sh) every apply goes through struct frr_applier on an event loop
(hgw-frr apply --async) and must give the same results; then `hgw-frr watch` applies the
first intent again, bgpd (the one this run started, by the PID in its pid file) is killed
and started again, and the watcher must notice and put the owned configuration back
within a few seconds, the session Established again.

Exit 77 (skipped) without root, FRR or network namespaces.  Everything started here is
stopped by PID; the namespaces are deleted.  HGW_KEEP=1 keeps the logs directory.
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frr_ns import Pair, check, failures, skip_reason, wait_until  # noqa: E402

SRCDIR = os.path.dirname(os.path.abspath(__file__))
TOOL = os.environ.get("HGW_FRR_TOOL", os.path.abspath("tests/tools/hgw-frr"))
OPERATOR_BGPD = ["ip prefix-list OPERATOR-X seq 5 permit 203.0.113.0/24",
                 "route-map OPERATOR-RM permit 10",
                 " match ip address prefix-list OPERATOR-X",
                 "exit"]
OPERATOR_STATIC = ["ip route 198.19.20.0/24 blackhole"]
OPERATOR_LINES = {"bgpd": ["ip prefix-list OPERATOR-X seq 5 permit 203.0.113.0/24",
                           "route-map OPERATOR-RM permit 10",
                           " match ip address prefix-list OPERATOR-X"],
                  "staticd": ["ip route 198.19.20.0/24 blackhole"]}

ASYNC = "--async" in sys.argv[1:]
RESTORE_S = 5  # owned configuration back after bgpd restarted (watch polls every 1 s)

timings = []


class Dut:
    """The router under test, driven through hgw-frr."""

    def __init__(self, pair):
        self.pair = pair
        self.rundir = pair.a.rundir
        self.dir = pair.workdir

    def tool(self, *args, check_rc=True):
        r = subprocess.run([TOOL, "-d", self.rundir] + list(args), capture_output=True,
                           text=True, timeout=120)
        if check_rc and r.returncode != 0:
            raise RuntimeError("hgw-frr %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def intent(self, name, doc):
        path = os.path.join(self.dir, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
        return path

    def apply(self, path, prev=None):
        args = (["-p", prev] if prev else []) + ["apply"] + (["--async"] if ASYNC else []) + [path]
        r = self.tool(*args, check_rc=False)
        res = json.loads(r.stdout)
        res["stderr"] = r.stderr.strip()
        timings.append((os.path.basename(path), res))
        return res

    def show(self, view):
        return json.loads(self.tool("show", view).stdout)

    def owned(self, daemon="bgpd"):
        return self.tool("owned", daemon).stdout

    def render(self, path):
        return subprocess.run([TOOL, "render", path], capture_output=True, text=True,
                              check=True).stdout

    def paths(self):
        return {p["prefix"]: p for p in self.show("bgp4") if p["peer"] != "(unspec)"}

    def established(self, peer):
        return any(p["peer"] == peer and p["established"] for p in self.show("summary"))


def intent_full(pair):
    return {
        "asn": 65010, "router_id": pair.addr_a, "maximum_paths": 4, "multipath_relax": True,
        "networks": ["198.19.20.0/24"],
        "bfd_profiles": [{"name": "FAST100", "receive_ms": 100, "transmit_ms": 100}],
        "classes": [{
            "name": "VPN", "remote_as": 65515, "keepalive": 60, "hold": 180, "connect": 1,
            "bfd_profile": "FAST100", "local_pref": 150, "weight": 100, "max_prefix": 4000,
            "deny_in_asns": [12076], "deny_out_asns": [12076], "prepend": 1,
            "accept": ["198.19.0.0/16 le 24"]}],
        "neighbors": [{"address": pair.addr_b, "class": "VPN", "description": "peer-b",
                       "update_source": pair.addr_a}],
    }


def operator_intact(pair, when):
    for daemon, lines in OPERATOR_LINES.items():
        running = pair.a.show(daemon, "show running-config").splitlines()
        for line in lines:
            check(line in running, "%s: operator's %r still in %s" % (when, line.strip(),
                                                                      daemon))


def peer_sees(pair, prefix):
    out = json.loads(pair.b.show("bgpd", "show bgp ipv4 unicast %s json" % prefix) or "{}")
    paths = out.get("paths", [])
    return paths[0]["aspath"]["string"] if paths else None


def run(pair):
    dut = Dut(pair)
    pair.a.configure("bgpd", OPERATOR_BGPD)
    pair.a.configure("staticd", OPERATOR_STATIC)
    with open(os.path.join(SRCDIR, "frr_peer.conf")) as f:
        peer = [l.replace("{local}", pair.addr_a).replace("{peer}", pair.addr_b)
                for l in f.read().splitlines() if not l.startswith("!")]
    pair.b.configure("bgpd", peer)

    # 1. apply: session up, policy visible in the learned routes
    full = intent_full(pair)
    i1 = dut.intent("i1", full)
    r = dut.apply(i1)
    check(r["result"] == "ok", "apply i1: %s" % (r["stderr"] or "ok"))
    check(dut.owned() + dut.owned("bfdd") != "", "owned configuration present after i1")
    wait_until(lambda: dut.established(pair.addr_b), 60, "BGP Established with B")
    check(True, "session Established (parsed show bgp summary json)")
    # bgpd lists a path before its best-path run has marked it: wait for both
    wait_until(lambda: dut.paths().get("198.19.10.0/24", {}).get("best"), 30,
               "198.19.10.0/24 from B, selected")
    paths = dut.paths()
    p = paths["198.19.10.0/24"]
    check(p["weight"] == 100 and p["local_pref"] == 150 and p["best"] and p["as_path"] == "65515"
          and p["next_hop"] == pair.addr_b, "learned route with weight 100, local-pref 150: %s" % p)
    check("198.19.11.0/24" not in paths, "route whose AS path holds 12076 denied")
    wait_until(lambda: peer_sees(pair, "198.19.20.0/24") is not None, 30,
               "B learns 198.19.20.0/24")
    check(peer_sees(pair, "198.19.20.0/24") == "65010 65010", "B sees our prefix prepended once")
    wait_until(lambda: any(b["peer"] == pair.addr_b and b["up"] for b in dut.show("bfd")), 30,
               "BFD up")
    bfd = [b for b in dut.show("bfd") if b["peer"] == pair.addr_b][0]
    check(bfd["receive_ms"] == 100, "BFD up with the profile's 100 ms")
    rib = {rt["prefix"]: rt for rt in dut.show("rib4")}
    check(rib.get("198.19.10.0/24", {}).get("protocol") == "bgp" and
          rib["198.19.10.0/24"]["installed"], "zebra installed the BGP route")
    operator_intact(pair, "after i1")

    # 2. the same again: nothing sent
    r = dut.apply(i1, prev=i1)
    check(r["result"] == "ok" and r["sent_bgpd"] == 0 and r["sent_bfdd"] == 0,
          "re-apply of i1 sends nothing (%d/%d lines)" % (r["sent_bgpd"], r["sent_bfdd"]))

    # 3. change: preference, description, prepend
    full["classes"][0]["local_pref"] = 250
    full["classes"][0]["prepend"] = 0
    full["neighbors"][0]["description"] = "peer-b changed"
    i2 = dut.intent("i2", full)
    r = dut.apply(i2, prev=i1)
    check(r["result"] == "ok" and 0 < r["sent_bgpd"] < 15,
          "apply i2 (change) sends a small delta: %d lines" % r["sent_bgpd"])
    wait_until(lambda: dut.paths().get("198.19.10.0/24", {}).get("local_pref") == 250, 30,
               "local-pref 250 on the learned route")
    check(True, "changed local-pref visible in the learned routes")
    wait_until(lambda: peer_sees(pair, "198.19.20.0/24") == "65010", 30, "B sees no prepend")
    check(True, "B sees the prepend removed")
    nb = [n for n in dut.show("neighbors") if n["peer"] == pair.addr_b][0]
    check(nb["description"] == "peer-b changed", "description changed")
    operator_intact(pair, "after i2")

    # 4. remove parts: the ASN filter, BFD and its profile, ECMP settings
    del full["classes"][0]["deny_in_asns"]
    del full["classes"][0]["bfd_profile"]
    del full["bfd_profiles"]
    del full["maximum_paths"]
    del full["multipath_relax"]
    i3 = dut.intent("i3", full)
    r = dut.apply(i3, prev=i2)
    check(r["result"] == "ok", "apply i3 (removals): %s" % (r["stderr"] or "ok"))
    check("HGW-FAST100" not in dut.owned("bfdd"), "BFD profile removed from bfdd")
    check("multipath-relax" not in dut.owned() and "maximum-paths" not in dut.owned(),
          "ECMP settings removed")
    wait_until(lambda: "198.19.11.0/24" in dut.paths(), 30, "198.19.11.0/24 accepted")
    check(True, "route with 12076 accepted once the AS-path filter is gone")
    operator_intact(pair, "after i3")

    # 5. a line bgpd rejects: the error names it, the previous owned config is restored
    before = dut.owned()
    bad = json.loads(json.dumps(full))
    bad["classes"][0]["local_pref"] = 333
    bad["neighbors"].append({"address": pair.addr_a, "class": "VPN", "description": "self"})
    i4 = dut.intent("i4-rejected", bad)
    r = dut.apply(i4, prev=i3)
    check(r["result"] == "failed" and r["rolled_back"], "apply i4 fails and rolls back")
    check("neighbor %s" % pair.addr_a in r["stderr"] and "local system" in r["stderr"],
          "the error names the rejected line: %s" % r["stderr"])
    check(dut.owned() == before, "owned bgpd configuration equals the previous one")
    r = dut.apply(i3, prev=i3)
    check(r["result"] == "ok" and r["sent_bgpd"] == 0, "after the rollback i3 is in place")
    operator_intact(pair, "after the rejected apply")

    # 6. everything away
    i5 = dut.intent("i5-empty", {})
    r = dut.apply(i5, prev=i3)
    check(r["result"] == "ok", "apply the empty intent: %s" % (r["stderr"] or "ok"))
    check(dut.owned().strip() == "" and dut.owned("bfdd").strip() == "",
          "nothing owned left: %r" % dut.owned())
    operator_intact(pair, "after the empty intent")
    running = pair.a.show("bgpd", "show running-config")
    check("HGW-" not in running, "no HGW- name left in bgpd's running config")
    if ASYNC:
        restart(pair, dut, i1)


def events(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip().endswith("}")]


def restart(pair, dut, i1):
    """7. bgpd restarts under `hgw-frr watch`: the owned configuration comes back."""
    out = os.path.join(dut.dir, "watch.out")
    member = "neighbor %s peer-group HGW-VPN" % pair.addr_b
    with open(out, "w") as f, open(out + ".err", "w") as err:
        w = subprocess.Popen([TOOL, "-d", dut.rundir, "watch", i1, "1000"], stdout=f,
                             stderr=err)
    try:
        wait_until(lambda: any(e.get("event") == "applied" for e in events(out)), 30,
                   "watch applies i1")
        check(events(out)[0]["result"] == "ok", "watch: first apply ok: %s" % events(out)[0])
        wait_until(lambda: dut.established(pair.addr_b), 60, "BGP Established with B")
        before = dut.owned()
        old = pair.a.kill_daemon("bgpd")
        t0 = time.monotonic()
        pair.a.start_daemon("bgpd", old_pid=old)
        wait_until(lambda: os.path.exists(pair.a.vty_path("bgpd")), 30, "bgpd.vty again")
        try:
            wait_until(lambda: member in dut.owned(), RESTORE_S, "owned config back")
            back = time.monotonic() - t0
            check(True, "owned configuration back %.2f s after bgpd restarted" % back)
        except Exception as e:
            check(False, "owned configuration back within %d s: %s" % (RESTORE_S, e))
        # the read-back ends the apply after the lines are in: wait for its report too
        wait_until(lambda: len([e for e in events(out) if e.get("event") == "applied"]) >= 2,
                   RESTORE_S, "watch reports the re-apply")
        evs = events(out)
        check(any(e.get("event") == "restarted" and e.get("daemon") == "bgpd" for e in evs),
              "watch saw bgpd restart")
        applied = [e for e in evs if e.get("event") == "applied"]
        check(len(applied) >= 2 and applied[-1]["result"] == "ok" and
              applied[-1]["sent_bgpd"] > 0, "watch re-applied: %s" % applied[-1])
        check(dut.owned() == before, "owned bgpd configuration equals the one before the kill")
        wait_until(lambda: dut.established(pair.addr_b), 60, "BGP Established after restart")
        check(True, "session Established again after bgpd restarted")
    finally:
        w.terminate()
        rc = w.wait(timeout=30)
    check(rc == 0, "watch ended cleanly on SIGTERM (exit %d)" % rc)


def main():
    reason = skip_reason(TOOL)
    if reason:
        print("SKIP: " + reason)
        return 77
    pair = Pair()
    print("namespaces %s %s, logs in %s" % (pair.ns_a, pair.ns_b, pair.workdir), flush=True)
    try:
        pair.setup()
        run(pair)
    except Exception as e:  # report, then clean up
        failures.append("exception: %s" % e)
        print("FAIL exception: %s" % e, flush=True)
    finally:
        pair.teardown()
        if not failures and not os.environ.get("HGW_KEEP"):
            shutil.rmtree(pair.workdir, ignore_errors=True)
    for name, res in timings:
        print("timing %s: %s sent bgpd=%d bfdd=%d send=%.1f ms total=%.1f ms" % (
            name, res["result"], res["sent_bgpd"], res["sent_bfdd"], res["send_us"] / 1000,
            res["total_us"] / 1000))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
