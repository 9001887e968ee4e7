"""The kernel driver (lib/nl, through tests/tools/hgw-nl) against the host kernel.

Everything happens in one network namespace this test makes, named with its PID, with two
veth pairs inside it (the host has no dummy, VTI or XFRM interfaces): APIPA addresses of
both styles, an ECMP route in our protocol next to a route of zebra's protocol, the
monitor's view of each change with its timestamp, link down (what the kernel does to the
nexthops), link-down-to-view-change timings, an ENOBUFS re-dump under a flood of route
changes, adoption by a restarted process (no link, address or route event while it adopts),
the FRR #13288 guard (address deleted and added again when zebra's RIB lacks its connected
route), the IPv6 link-local kept across link down/up (VyOS T5769), and the XFRM read-out of policies (the host kernel has XFRM netlink but no ESP, AH or IPComp,
so no SA can be added here: SAs are tested in the UML lab, tests/lab/scenarios/test_nl_xfrm.py).  Only what it started is stopped (by PID); the namespace is deleted at the end.
Addresses: 169.254.x.y, 198.18.0.0/15, fe80::/10, 2001:db8::/32.  Exit 0 pass, 1 fail, 77 skip.
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


def test_xfrm():
    """Policies with a VTI mark and an XFRM-interface if_id, read back as ip added them."""
    sh("ip", "-n", NS, "xfrm", "policy", "add", "src", "198.18.1.0/24", "dst", "198.19.1.0/24",
       "dir", "out", "priority", "100", "mark", "0x11", "mask", "0xffffffff", "tmpl", "src",
       "198.18.0.1", "dst", "198.18.0.6", "proto", "esp", "reqid", "7", "mode", "tunnel")
    sh("ip", "-n", NS, "xfrm", "policy", "add", "src", "0.0.0.0/0", "dst", "0.0.0.0/0", "dir",
       "in", "if_id", "5", "tmpl", "src", "198.18.0.6", "dst", "198.18.0.1", "proto", "esp",
       "reqid", "8", "mode", "tunnel")
    pols = lines(tool("xfrm-policy", "--json").stdout)
    got = sorted((p["dir"], p["priority"], p["mark"], p["if_id"], p["sel"]["src"],
                  p["sel"]["dst"], p["tmpl"][0]["reqid"], p["tmpl"][0]["dst"]) for p in pols)
    want = [("in", 0, 0, 5, "0.0.0.0/0", "0.0.0.0/0", 8, "198.18.0.1"),
            ("out", 100, 0x11, 0, "198.18.1.0/24", "198.19.1.0/24", 7, "198.18.0.6")]
    check(got == want, "xfrm-policy: selector, dir, priority, mark, if_id, template", got)
    r = sh("ip", "-n", NS, "xfrm", "state", "add", "src", "198.18.0.1", "dst", "198.18.0.6",
           "proto", "esp", "spi", "0x100", "reqid", "7", "mode", "tunnel", "enc", "cbc(aes)",
           "0x" + "00" * 16, check=False)
    print("# host kernel: ip xfrm state add proto esp -> exit %d: %s" % (
        r.returncode, r.stdout.strip()))
    sas = tool("xfrm-sa", "--json")
    check(sas.returncode == 0 and not lines(sas.stdout) if r.returncode != 0 else True,
          "xfrm-sa on a kernel without SAs: none, exit 0", sas.stdout)
    sh("ip", "-n", NS, "xfrm", "policy", "flush")


def snapshot():
    """What adoption must leave exactly as it was."""
    return [sh("ip", "-n", NS, "-d", *what).stdout for what in (
        ("link", "show"), ("addr", "show"), ("route", "show", "table", "all"))]


def monitor():
    return subprocess.Popen(["ip", "-n", NS, "monitor", "link", "address", "route"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(p):
    time.sleep(0.5)
    p.terminate()  # our own child, by PID
    out, _ = p.communicate(timeout=5)
    return out.strip()


def test_adopt():
    """A restarted process finds its interface (by name), addresses and routes (protocol 240)
    and keeps them: no change event while it adopts and re-asserts them."""
    links_up()
    sh("ip", "-n", NS, "link", "add", "hv-adopt-0", "type", "veth", "peer", "name", "adoptp0")
    # no IPv6 autoconf: its DAD would finish (and be announced) while we watch
    for d in ("hv-adopt-0", "adoptp0"):
        sh("ip", "-n", NS, "link", "set", d, "addrgenmode", "none")
    for d in ("hv-adopt-0", "adoptp0"):
        tool("link-set", d, "up")
    tool("addr-add", "hv-adopt-0", "169.254.21.9/30")
    tool("peer-route", "hv-adopt-0", "169.254.21.14")
    tool("route-replace", "198.19.30.0/24", "metric", "50", "via", "169.254.21.10", "dev",
         "hv-adopt-0", "via", "169.254.30.2", "dev", "va0", "weight", "2")
    before = snapshot()
    m = monitor()
    time.sleep(0.3)
    out = lines(tool("adopt").stdout)
    events = stop(m)
    check(snapshot() == before, "adopt: links, addresses and routes unchanged")
    check(events == "", "adopt: no link, address or route event while adopting", events)
    done = [l for l in out if l["event"] == "adopted"]
    links = [l for l in out if l["event"] == "owned-link"]
    addrs = [l for l in out if l["event"] == "owned-addr"]
    routes = {l["prefix"]: l for l in out if l["event"] == "route"}
    check([l["dev"] for l in links] == ["hv-adopt-0"] and not links[0]["kind_matches"],
          "adopt: our interface found by name (a veth here: kind does not match)", links)
    check([a["addr"] for a in addrs] == ["169.254.21.9/30"], "adopt: its address", addrs)
    check(set(routes) >= {"198.19.30.0/24", "169.254.21.14/32"} and
          [n["weight"] for n in routes["198.19.30.0/24"]["nexthops"]] == [2, 1],
          "adopt: our routes with their weights", routes)
    check(done and done[0]["writes"] == 0, "adopt: re-asserting the same intent writes nothing",
          done)
    # why the ensure calls: the kernel announces an address added again with NLM_F_REPLACE
    # (what the plain hgw_nl_addr_add does), and drops an identical route replace silently
    m = monitor()
    time.sleep(0.3)
    tool("addr-add", "hv-adopt-0", "169.254.21.9/30")
    tool("route-replace", "198.19.30.0/24", "metric", "50", "via", "169.254.21.10", "dev",
         "hv-adopt-0", "via", "169.254.30.2", "dev", "va0", "weight", "2")
    events = stop(m)
    check("169.254.21.9/30" in events, "control: re-adding the same address is announced",
          events)
    print("# kernel: identical address re-added -> %s; identical route replaced -> %s" % (
        "announced" if "169.254.21.9/30" in events else "silent",
        "announced" if "198.19.30.0/24" in events else "silent"))
    sh("ip", "-n", NS, "link", "del", "hv-adopt-0")


def test_zebra_guard():
    """The FRR #13288 guard from the command line: zebra's RIB (a file, as `show ip route
    json` prints it) without the tunnel's connected route makes the driver delete and add
    the address again; with it, nothing happens."""
    rib_ok = {"169.254.21.8/30": [{"prefix": "169.254.21.8/30", "protocol": "connected",
                                   "selected": True,
                                   "nexthops": [{"directlyConnected": True,
                                                 "interfaceName": "hv-zeb-0"}]}]}
    rib_missed = {"198.19.10.0/24": [{"protocol": "bgp", "nexthops": [
        {"ip": "169.254.21.10", "interfaceName": "hv-zeb-0"}]}]}
    sh("ip", "-n", NS, "link", "add", "hv-zeb-0", "type", "veth", "peer", "name", "zebp0")
    for d in ("hv-zeb-0", "zebp0"):
        sh("ip", "-n", NS, "link", "set", d, "addrgenmode", "none")
        tool("link-set", d, "up")
    tool("addr-add", "hv-zeb-0", "169.254.21.9/30")
    time.sleep(0.2)
    path = "/tmp/%s-rib.json" % NS
    try:
        for rib, want in ((rib_ok, False), (rib_missed, True)):
            with open(path, "w") as f:
                json.dump(rib, f)
            m = monitor()
            time.sleep(0.3)
            out = lines(tool("zebra-check", "hv-zeb-0", "169.254.21.9/30", path,
                             "reassert").stdout)
            events = stop(m)
            check(out and out[0]["connected"] != want and out[0]["reasserted"] == want,
                  "zebra guard: %s -> reasserted %s" % ("missed" if want else "has it", want),
                  out)
            seen = ("Deleted" in events, "169.254.21.9/30" in events)
            check(seen == ((True, True) if want else (False, False)),
                  "zebra guard: the kernel saw %s" % ("delete + add" if want else "nothing"),
                  events)
    finally:
        os.unlink(path)
    a = json.loads(sh("ip", "-n", NS, "-j", "addr", "show", "dev", "hv-zeb-0").stdout)
    check([(x["local"], x["prefixlen"]) for x in a[0]["addr_info"]] == [("169.254.21.9", 30)],
          "zebra guard: the address is back", a)
    sh("ip", "-n", NS, "link", "del", "hv-zeb-0")


def lls(dev):
    """The IPv6 link-local addresses of dev: {address/len: the kernel's flags for it}."""
    a = json.loads(sh("ip", "-n", NS, "-j", "-6", "addr", "show", "dev", dev).stdout)
    return {"%s/%d" % (x["local"], x["prefixlen"]): {k for k in ("nodad", "tentative",
                                                              "dadfailed") if x.get(k)}
            for x in (a[0]["addr_info"] if a else []) if x["local"].startswith("fe80:")}


def ll_routes(dev):
    """(the fe80::/64 route in main, the local routes of table local) of dev."""
    main = json.loads(sh("ip", "-n", NS, "-j", "-6", "route", "show", "dev", dev).stdout)
    local = json.loads(sh("ip", "-n", NS, "-j", "-6", "route", "show", "table", "local", "dev",
                          dev).stdout)
    return (any(r["dst"] == "fe80::/64" for r in main),
            sorted(r["dst"] for r in local if r.get("type") == "local"))


def wait_for(pred, timeout=3.0):
    end = time.monotonic() + timeout
    while not pred() and time.monotonic() < end:
        time.sleep(0.05)
    return pred()


def test_link_local():
    """IPv6 link-local on a tunnel across down/up (VyOS T5769): the kernel deletes every
    link-local on admin down, with keep_addr_on_down 0 (the default) and 1 alike, and with
    addrgenmode none makes none on up; hgw_nl_link_ipv6_ll() makes ours and the driver adds
    it again when the link comes up.  Veths named as ours: adopt must list our link-local
    and not the kernel's."""
    ours, LL = "hv-ll-0", "fe80::a9fe:1509"
    bare = "hv-llk-0"
    for a, b in ((ours, "llp0"), (bare, "llkp0")):
        sh("ip", "-n", NS, "link", "add", a, "type", "veth", "peer", "name", b)
        for d in (a, b):
            tool("link-set", d, "up")
    # the bug: the kernel default (keep_addr_on_down 0) loses the link-local on down ...
    check(wait_for(lambda: lls(bare)), "kernel default: a link-local of the kernel's", lls(bare))
    kernel_ll = sorted(lls(bare))
    tool("link-set", bare, "down")
    check(not lls(bare), "kernel default: link down deletes the link-local", lls(bare))
    tool("link-set", bare, "up")
    # ... and so does keep_addr_on_down 1 (it keeps static global addresses only); with
    # addrgenmode none, as on a tunnel whose link-local is set by hand, nothing comes back
    sh("ip", "-n", NS, "link", "set", bare, "addrgenmode", "none")
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.%s.keep_addr_on_down=1" % bare)
    for a in lls(bare):
        sh("ip", "-n", NS, "addr", "del", a, "dev", bare)
    sh("ip", "-n", NS, "addr", "add", "fe80::a9fe:150d/64", "dev", bare, "nodad")
    sh("ip", "-n", NS, "addr", "add", "2001:db8:1::d/64", "dev", bare, "nodad")
    tool("link-set", bare, "down")
    g = json.loads(sh("ip", "-n", NS, "-j", "-6", "addr", "show", "dev", bare).stdout)
    kept = [x["local"] for x in g[0]["addr_info"]]
    check(kept == ["2001:db8:1::d"], "keep_addr_on_down=1: link down keeps the global address "
          "and deletes the link-local", kept)
    tool("link-set", bare, "up")
    check(not lls(bare), "addrgenmode none: the link-local does not come back on up", lls(bare))
    sh("ip", "-n", NS, "addr", "del", "2001:db8:1::d/64", "dev", bare)
    print("# kernel: link-local before down %s; after down/up with keep_addr_on_down=1 and "
          "addrgenmode none: %s" % (kernel_ll, sorted(lls(bare)) or "none"))

    # ours: the kernel's link-local (EUI-64 of the veth) replaced by the one we give
    check(wait_for(lambda: lls(ours)), "a link-local of the kernel's before ll-set", lls(ours))
    tool("ll-set", ours, LL)
    d = json.loads(sh("ip", "-n", NS, "-j", "-d", "link", "show", "dev", ours).stdout)[0]
    keep = sh("ip", "netns", "exec", NS, "sysctl", "-n",
              "net.ipv6.conf.%s.keep_addr_on_down" % ours).stdout.strip()
    check(d.get("inet6_addr_gen_mode") == "none" and keep == "1",
          "ll-set: addrgenmode none, keep_addr_on_down 1", (d.get("inet6_addr_gen_mode"), keep))
    check(lls(ours) == {LL + "/64": {"nodad"}}, "ll-set: exactly one link-local, ours, nodad",
          lls(ours))
    check(ll_routes(ours) == (True, [LL]), "ll-set: fe80::/64 and the local route", ll_routes(ours))
    r = tool("ll-set", ours, "2001:db8::9", check=False)
    check(r.returncode == 1, "ll-set: an address outside fe80::/10 is refused", r.stdout)

    # again: nothing to write, so no event (as on adopt after a restart)
    m = monitor()
    time.sleep(0.3)
    tool("ll-set", ours, LL)
    events = stop(m)
    check(events == "", "ll-set again: no link, address or route event", events)

    # the daemon's failover: down and up through the driver; the kernel deletes ours on down
    m = monitor()
    time.sleep(0.3)
    tool("ll-set", ours, LL, "down-up")
    events = stop(m)
    deleted = [l for l in events.splitlines() if l.startswith("Deleted") and LL + "/64" in l]
    check(deleted, "down-up: the kernel deleted our link-local on down", events)
    check(lls(ours) == {LL + "/64": {"nodad"}},
          "down-up: after up exactly one link-local, ours, not tentative", lls(ours))
    check(ll_routes(ours) == (True, [LL]), "down-up: fe80::/64 and the local route again",
          ll_routes(ours))

    # someone else's down/up, and a flush, while the monitor runs: repaired
    w = subprocess.Popen(["ip", "netns", "exec", NS, TOOL, "ll-set", ours, LL, "watch", "8"],
                         stdout=subprocess.PIPE, text=True)
    ready = False
    for raw in w.stdout:
        if '"ready"' in raw:
            ready = True
            break
    check(ready, "monitor: ready")
    sh("ip", "-n", NS, "link", "set", ours, "down")
    gone = not lls(ours)
    sh("ip", "-n", NS, "link", "set", ours, "up")
    back = wait_for(lambda: lls(ours) == {LL + "/64": {"nodad"}})
    check(gone and back, "monitor: ip link set down/up -> ours back", (gone, lls(ours)))
    sh("ip", "-n", NS, "-6", "addr", "flush", "dev", ours, "scope", "link")
    back = wait_for(lambda: lls(ours) == {LL + "/64": {"nodad"}})
    check(back and ll_routes(ours) == (True, [LL]), "monitor: after a flush ours is back",
          (lls(ours), ll_routes(ours)))
    w.terminate()  # our own child, by PID
    w.communicate(timeout=10)

    # a restarted daemon: our link-local is ours (nodad), the kernel's is not; nothing flaps
    sh("ip", "-n", NS, "link", "set", bare, "addrgenmode", "eui64")
    tool("link-set", bare, "down")
    tool("link-set", bare, "up")
    # DAD of the kernel's link-local done, so that it is not announced while adopt runs
    wait_for(lambda: lls(bare) and not any(f for f in lls(bare).values()), 10)
    before = snapshot()
    m = monitor()
    time.sleep(0.3)
    out = lines(tool("adopt").stdout)
    events = stop(m)
    addrs = sorted((l["dev"], l["addr"]) for l in out if l["event"] == "owned-addr"
                   and l["dev"] in (ours, bare))
    done = [l for l in out if l["event"] == "adopted"]
    check(addrs == [(ours, LL + "/64")], "adopt: our link-local listed, the kernel's not",
          (addrs, lls(bare)))
    check(done and done[0]["writes"] == 0 and events == "" and snapshot() == before,
          "adopt: our link-local re-asserted without a write or an event", (done, events))
    for d in (ours, bare):
        sh("ip", "-n", NS, "link", "del", d)


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
        test_adopt()
        test_xfrm()
        test_zebra_guard()
        test_link_local()
    finally:
        sh("ip", "netns", "del", NS, check=False)
    print("# %d failed" % len(failures) if failures else "# all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
