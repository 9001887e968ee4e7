"""The kernel driver (lib/nl, through tests/tools/hgw-nl) against the host kernel.

Everything happens in one network namespace this test makes, named with its PID, with two
veth pairs inside it (the host has no dummy, VTI or XFRM interfaces): APIPA addresses of
both styles, an ECMP route in our protocol next to a route of zebra's protocol, the
monitor's view of each change with its timestamp, link down (what the kernel does to the
nexthops), link-down-to-view-change timings, and an ENOBUFS re-dump under a flood of route
changes.  Only what it started is stopped (by PID); the namespace is deleted at the end.
Addresses: 169.254.x.y, 198.18.0.0/15.  Exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import statistics
import subprocess
import sys
import time

TOOL = os.path.join(os.environ.get("HGW_BUILDDIR", "."), "tests/tools/hgw-nl")
NS = "hgwnl%d" % os.getpid()
PREFIX = "198.19.10.0/24"
RTPROT = 240
failures = []


def sh(*argv, check=True, stdin=None):
    r = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stdout))
    return r


def tool(*args, check=True):
    return sh("ip", "netns", "exec", NS, TOOL, *args, check=check)


def lines(out):
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def check(cond, what, detail=""):
    print("%s - %s%s" % ("ok" if cond else "not ok", what, (": " + str(detail)) if detail and not cond else ""))
    if not cond:
        failures.append(what)


def routes():
    """Every route of PREFIX as the tool reads it, by protocol."""
    return [l for l in lines(tool("route-show", PREFIX).stdout) if l["event"] == "route"]


def lookup():
    return lines(tool("lookup", PREFIX).stdout)[0]


class Watcher:
    """hgw-nl watch in the background; lines are read as they come."""

    def __init__(self, *opts):
        self.p = subprocess.Popen(["ip", "netns", "exec", NS, TOOL, *opts, "watch", PREFIX],
                                  stdout=subprocess.PIPE, text=True)
        self.seen = []
        self.until(lambda l: l["event"] == "ready", 10)

    def until(self, pred, timeout):
        end = time.monotonic() + timeout
        for l in self.seen:
            if pred(l):
                return l
        while time.monotonic() < end:
            raw = self.p.stdout.readline()
            if not raw:
                break
            l = json.loads(raw)
            self.seen.append(l)
            if pred(l):
                return l
        return None

    def finish(self, timeout=30):
        try:
            out, _ = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()  # our own child, by PID
            out, _ = self.p.communicate()
        self.seen += lines(out)
        return self.seen


def views_of(seen):
    return [l for l in seen if l["event"] == "view"]


def nh_flags(view):
    return {n["dev"]: n["flags"] for n in view.get("nexthops", [])}


def ecmp_route(metric=100):
    tool("route-replace", PREFIX, "metric", str(metric), "via", "169.254.30.2", "dev", "va0",
         "via", "169.254.30.6", "dev", "va1")


def links_up():
    for d in ("va0", "vb0", "va1", "vb1"):
        tool("link-set", d, "up")


def setup():
    sh("ip", "netns", "add", NS)
    for a, b in (("va0", "vb0"), ("va1", "vb1"), ("va2", "vb2")):
        sh("ip", "-n", NS, "link", "add", a, "type", "veth", "peer", "name", b)
    for d in ("lo", "va0", "vb0", "va1", "vb1", "va2", "vb2"):
        tool("link-set", d, "up")


def test_addresses():
    # AWS style: a /30 shared with the peer; adding twice is not an error
    tool("addr-add", "va0", "169.254.30.1/30")
    tool("addr-add", "va1", "169.254.30.5/30")
    tool("addr-add", "va1", "169.254.30.5/30")
    # Azure style: the peer's speaker (169.254.21.2) is not in our subnet: a /32 to it
    tool("addr-add", "va2", "169.254.21.5/30")
    tool("peer-route", "va2", "169.254.21.2")
    r = json.loads(sh("ip", "-n", NS, "-j", "route", "show", "169.254.21.2/32").stdout)
    check(len(r) == 1 and r[0].get("dev") == "va2" and r[0].get("protocol") in (RTPROT, str(RTPROT))
          and r[0].get("scope") == "link", "Azure-style /32 peer route through the tunnel", r)
    a = json.loads(sh("ip", "-n", NS, "-j", "addr", "show", "dev", "va1").stdout)
    have = [(x["local"], x["prefixlen"]) for x in a[0]["addr_info"] if x["family"] == "inet"]
    check(have == [("169.254.30.5", 30)], "AWS-style /30 added once", have)
    tool("addr-del", "va2", "169.254.21.5/30")
    a = json.loads(sh("ip", "-n", NS, "-j", "addr", "show", "dev", "va2").stdout)
    check(not [x for x in a[0]["addr_info"] if x["family"] == "inet"], "address deleted", a)


def test_routes_and_watch():
    # zebra's route (protocol bgp, metric 20 as zebra installs it) comes first
    sh("ip", "-n", NS, "route", "add", PREFIX, "proto", "bgp", "metric", "20", "via",
       "169.254.30.2")
    w = Watcher()
    first = views_of(w.seen)
    check(first and first[0]["protocol"] == 186, "first view: zebra's route", first)

    ecmp_route()
    rs = routes()
    ours = [r for r in rs if r["protocol"] == RTPROT]
    theirs = [r for r in rs if r["protocol"] == 186]
    check(len(ours) == 1 and [n["dev"] for n in ours[0]["nexthops"]] == ["va0", "va1"]
          and ours[0]["metric"] == 100, "ECMP route in protocol 240 read back", rs)
    check(len(theirs) == 1, "zebra's route untouched by our replace", rs)
    r = tool("route-replace", PREFIX, "metric", "20", "via", "169.254.30.6", "dev", "va1",
             check=False)
    check(r.returncode == 1 and "protocol 186" in r.stdout, "replace refused on zebra's key",
          r.stdout)
    check(len([x for x in routes() if x["protocol"] == 186]) == 1, "zebra's route still there")

    # zebra withdraws: ours carries the prefix; the watcher says so, with a timestamp
    t0 = time.time()
    sh("ip", "-n", NS, "route", "del", PREFIX, "proto", "bgp", "metric", "20")
    v = w.until(lambda l: l["event"] == "view" and l.get("protocol") == RTPROT, 5)
    check(v is not None and v["usable"] == 2, "watch: ECMP route of ours, 2 nexthops", v)
    if v:
        check(abs(v["ts"] - t0) < 2.0, "watch: timestamp of the change", v["ts"] - t0)

    # admin down of one tunnel link: its nexthop turns dead,linkdown (no route message)
    tool("link-set", "va1", "down")
    v = w.until(lambda l: l["event"] == "view" and "dead" in nh_flags(l).get("va1", ""), 5)
    check(v is not None and v["usable"] == 1, "link down: nexthop va1 dead", v)
    # carrier loss only (the peer end down): linkdown, not dead; still used by default
    tool("link-set", "vb0", "down")
    v = w.until(lambda l: l["event"] == "view" and nh_flags(l).get("va0") == "linkdown", 5)
    check(v is not None, "carrier loss: nexthop va0 linkdown but not dead", v)
    print("# kernel: admin down -> %s; carrier loss -> %s (ignore_routes_with_linkdown=%s)" % (
        nh_flags(v or {}).get("va1"), nh_flags(v or {}).get("va0"),
        sh("ip", "netns", "exec", NS, "sysctl", "-n",
           "net.ipv4.conf.va0.ignore_routes_with_linkdown").stdout.strip()))
    # with ignore_routes_with_linkdown=1, does the kernel's lookup skip it?
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv4.conf.va0.ignore_routes_with_linkdown=1")
    r = sh("ip", "-n", NS, "route", "get", "198.19.10.1", check=False).stdout.strip()
    print("# kernel: route get with va0 linkdown and ignore_routes_with_linkdown=1: %r" % r)
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv4.conf.va0.ignore_routes_with_linkdown=0")
    # the last one down: the kernel deletes the IPv4 route and does not bring it back
    tool("link-set", "va0", "down")
    v = w.until(lambda l: l["event"] == "view" and not l["present"], 5)
    check(v is not None, "all nexthops down: the route is gone", v)
    links_up()
    time.sleep(0.2)
    gone = not [x for x in routes() if x["protocol"] == RTPROT]
    print("# kernel: after the links came back, our route is %s" % (
        "still gone (IPv4 flushed it; the driver must re-install)" if gone else "back"))
    w.p.terminate()  # our own child, by PID
    w.finish()


def test_down_time(runs=7):
    times = []
    acks = []
    for _ in range(runs):
        links_up()
        ecmp_route()
        out = lines(tool("--for", "5", "down-time", "va1", PREFIX).stdout)
        d = [l for l in out if l["event"] == "down-time"]
        if d and d[0]["usable"] == 1:
            times.append(d[0]["request_to_event_ms"])
            acks.append(d[0]["request_to_ack_ms"])
    links_up()
    check(len(times) == runs, "down-time: every link down changed the view", times)
    if times:
        print("# link-down request -> view change: median %.2f ms (min %.2f, max %.2f, n=%d); "
              "request -> ACK median %.2f ms" % (statistics.median(times), min(times), max(times),
                                                 len(times), statistics.median(acks)))


def test_enobufs():
    links_up()
    ecmp_route()
    w = Watcher("--rcvbuf", "4096", "--stall-ms", "1500", "--for", "4")
    batch = []
    for i in range(4000):
        batch.append("route replace 198.18.%d.%d/32 via 169.254.30.2 proto 240" % (
            100 + i // 250, i % 250))
    # the watched prefix changes in the middle of the flood and once more at its end
    batch.insert(2000, "route replace %s via 169.254.30.6 proto 240 metric 100" % PREFIX)
    batch.append("route replace %s proto 240 metric 100 nexthop via 169.254.30.2 dev va0 "
                 "weight 3 nexthop via 169.254.30.6 dev va1" % PREFIX)
    t0 = time.monotonic()
    sh("ip", "-n", NS, "-batch", "-", stdin="\n".join(batch) + "\n")
    flood_s = time.monotonic() - t0
    seen = w.finish()
    resyncs = [l for l in seen if l["event"] == "resync"]
    final = [l for l in seen if l["event"] == "final"]
    stats = [l for l in seen if l["event"] == "stats"]
    check(any(r["reason"] == "ENOBUFS" for r in resyncs), "ENOBUFS seen and re-dumped", resyncs)
    kernel = lookup()
    keys = ("present", "match", "protocol", "metric", "nexthops")
    check(final and all(final[0].get(k) == kernel.get(k) for k in keys),
          "after the re-dump the view equals the kernel's", (final, kernel))
    check(final and [n["weight"] for n in final[0]["nexthops"]] == [3, 1],
          "the final view has the last change (weights 3/1)", final)
    print("# flood: %d route changes in %.2f s; watcher: %s" % (len(batch), flood_s, stats))


def main():
    if os.geteuid() != 0:
        print("# SKIP: needs root (network namespaces)")
        return 77
    if not os.access(TOOL, os.X_OK):
        print("# SKIP: %s not built" % TOOL)
        return 77
    if sh("ip", "netns", "add", NS + "p", check=False).returncode != 0:
        print("# SKIP: cannot make network namespaces")
        return 77
    sh("ip", "netns", "del", NS + "p")
    try:
        setup()
        test_addresses()
        test_routes_and_watch()
        test_down_time()
        test_enobufs()
    finally:
        sh("ip", "netns", "del", NS, check=False)
    print("# %d failed" % len(failures) if failures else "# all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
