#!/usr/bin/python3
"""bench/netlink.py [--runs N] [--flood N] OUT: the kernel driver's monitor (lib/nl through
tests/tools/hgw-nl) on the host, in a network namespace of its own (root).

1. link down -> view change: an ECMP route in protocol 240 over two veths; hgw-nl down-time
   sets va1 down and waits until its monitor's view of the prefix changes (the fibmatch
   answer after the link notification).  In the same run `ip -ts monitor link route` watches
   the same namespace: its first line about va1 after the request is the baseline (what an
   iproute2-based watcher sees, with no lookup after it).  Both are wall-clock stamps taken
   when each process read the notification; the request time is hgw-nl's, just before its
   RTM_NEWLINK.
2. flood: hgw-nl watch on the prefix (4 MiB receive buffer, the driver's default) while `ip
   -batch` replaces N routes: once N /32s outside the watched prefix (the classifier drops
   them), once N /32s inside it (each one makes the monitor ask the kernel again).  The
   monitor's messages per CPU-second (its utime + stime from /proc), whether it kept up (no
   ENOBUFS re-dump) and its peak RSS (VmHWM).

Writes OUT/netlink.md and OUT/netlink.json; ends only what it started, by PID, and deletes
its namespace.  Addresses: 169.254.30.0/29, 198.18.0.0/15, 198.19.0.0/16.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lab"))
from hgwlab import tools  # noqa: E402

NS = "hgwnlb%d" % os.getpid()
PREFIX = "198.19.10.0/24"
TOOL = None


def sh(*argv, stdin=None):
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True).stdout


def tool(*args):
    return [json.loads(l) for l in sh("ip", "netns", "exec", NS, TOOL, *args).splitlines()
            if l.startswith("{")]


def setup():
    sh("ip", "netns", "add", NS)
    for a, b in (("va0", "vb0"), ("va1", "vb1")):
        sh("ip", "-n", NS, "link", "add", a, "type", "veth", "peer", "name", b)
    for d in ("lo", "va0", "vb0", "va1", "vb1"):
        sh("ip", "-n", NS, "link", "set", d, "up")
    sh("ip", "-n", NS, "addr", "add", "169.254.30.1/30", "dev", "va0")
    sh("ip", "-n", NS, "addr", "add", "169.254.30.5/30", "dev", "va1")


def ecmp():
    for d in ("va0", "va1"):
        sh("ip", "-n", NS, "link", "set", d, "up")
    tool("route-replace", PREFIX, "metric", "100", "via", "169.254.30.2", "dev", "va0",
         "via", "169.254.30.6", "dev", "va1")


def ip_ts(line):
    """The wall-clock time of an `ip -ts monitor` line: [2026-11-23T14:57:58.540123] ..."""
    m = re.match(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]", line)
    return datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp() if m else None


def one_down():
    ecmp()
    mon = subprocess.Popen(["ip", "-n", NS, "-ts", "monitor", "link", "route"],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)  # subscribed before the request
    try:
        d = [l for l in tool("--for", "5", "down-time", "va1", PREFIX)
             if l["event"] == "down-time"][0]
        time.sleep(0.2)
    finally:
        mon.terminate()  # our own child, by PID
        out, _ = mon.communicate(timeout=5)
    req = float(d["request_ts"])
    ip_times = [ip_ts(l) for l in out.splitlines() if "va1" in l and ip_ts(l) is not None]
    ip_times = [t for t in ip_times if t >= req - 0.001]
    return {"hgw_ms": d["request_to_event_ms"], "ack_ms": d["request_to_ack_ms"],
            "hgw_wall_ms": (float(d["event_ts"]) - req) * 1e3,
            "ip_ms": (ip_times[0] - req) * 1e3 if ip_times else None, "usable": d["usable"]}


def proc_stat(pid):
    """(CPU seconds, VmHWM KiB, VmRSS KiB) of a running process (one thread: schedstat's
    time on the CPU is in ns, /proc/PID/stat's utime + stime only in ticks)."""
    cpu = int(open("/proc/%d/schedstat" % pid).read().split()[0]) / 1e9
    st = open("/proc/%d/status" % pid).read()
    kib = {k: int(v) for k, v in re.findall(r"(VmHWM|VmRSS):\s+(\d+) kB", st)}
    return cpu, kib.get("VmHWM"), kib.get("VmRSS")


def flood(n, inside):
    ecmp()
    # ends by itself after --for, so that it prints its counters
    w = subprocess.Popen(["ip", "netns", "exec", NS, TOOL, "--for", "6", "watch", PREFIX],
                         stdout=subprocess.PIPE, text=True)
    try:
        while json.loads(w.stdout.readline())["event"] != "ready":
            pass
        cpu0, _, _ = proc_stat(w.pid)
        if inside:  # /32s in the watched /24: each one makes the monitor look it up again
            dsts = ["198.19.10.%d/32" % (1 + i % 250) for i in range(n)]
        else:
            dsts = ["198.18.%d.%d/32" % (100 + (i // 250) % 100, i % 250) for i in range(n)]
        # the nexthop alternates per round, so every replace changes the route (the kernel
        # drops an identical replace silently)
        batch = "".join("route replace %s via 169.254.30.%d proto 240\n" % (d, 2 + 4 * (i // 250 % 2))
                        for i, d in enumerate(dsts))
        t0 = time.monotonic()
        sh("ip", "-n", NS, "-batch", "-", stdin=batch)
        flood_s = time.monotonic() - t0
        # until the monitor is idle: its CPU time stops growing
        last, idle_since = proc_stat(w.pid)[0], time.monotonic()
        while time.monotonic() - idle_since < 0.3:
            time.sleep(0.1)
            cpu = proc_stat(w.pid)[0]
            if cpu != last:
                last, idle_since = cpu, time.monotonic()
        cpu1, hwm, rss = proc_stat(w.pid)
        out, _ = w.communicate(timeout=30)
    finally:
        if w.poll() is None:
            w.terminate()  # our own child, by PID
            w.communicate(timeout=10)
    stats = [json.loads(l) for l in out.splitlines() if '"stats"' in l]
    return {"routes": n, "inside": inside, "flood_s": flood_s, "cpu_s": cpu1 - cpu0,
            "hwm_kib": hwm, "rss_kib": rss, "stats": stats[0] if stats else {}, "out": out}


def med(values, fmt="%.2f"):
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(v), min(v), max(v))


def main():
    global TOOL
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--flood", type=int, default=10000)
    ap.add_argument("out")
    a = ap.parse_args()
    TOOL = tools.path("tests/tools/hgw-nl")
    out = Path(a.out)
    res = {"down": [], "flood": []}
    try:
        setup()
        for _ in range(a.runs):
            res["down"].append(one_down())
        for inside in (False, True):
            res["flood"].append(flood(a.flood, inside))
    finally:
        subprocess.run(["ip", "netns", "del", NS])
    down = res["down"]
    lines = ["| watcher | runs | link-down request -> sees the change, ms median (min-max) |",
             "|---|---|---|",
             "| hgw-nl monitor (view change: link event + fibmatch lookup) | %d | %s |" % (
                 len(down), med([d["hgw_ms"] for d in down], "%.3f")),
             "| `ip -ts monitor link route` (first line about va1), same runs | %d | %s |" % (
                 len([d for d in down if d["ip_ms"] is not None]),
                 med([d["ip_ms"] for d in down], "%.3f")),
             "| hgw-nl minus ip, per run | %d | %s |" % (
                 len([d for d in down if d["ip_ms"] is not None]),
                 med([d["hgw_ms"] - d["ip_ms"] for d in down if d["ip_ms"] is not None],
                     "%.3f")),
             "| (request -> the kernel's ACK) | %d | %s |" % (
                 len(down), med([d["ack_ms"] for d in down], "%.3f")),
             "",
             "| flood | route replaces | ip -batch s | messages read | lookups | monitor CPU ms "
             "| messages per CPU-second | kept up | peak RSS KiB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for f in res["flood"]:
        resync = '"resync"' in f["out"]
        msgs = f["stats"].get("messages", 0)
        lines.append("| %s | %d | %.2f | %d | %d | %.1f | %s | %s | %s |" % (
            "inside the watched /24 (lookup each)" if f["inside"] else
            "outside (classified, dropped)", f["routes"], f["flood_s"], msgs,
            f["stats"].get("lookups", 0), f["cpu_s"] * 1e3,
            "{:,.0f}".format(msgs / f["cpu_s"]) if f["cpu_s"] > 0 else "n/a",
            "no (ENOBUFS re-dump)" if resync else "yes", f["hwm_kib"]))
    lines += ["", "%s, %s, %d runs" % (time.strftime("%Y-%m-%d %H:%M"), TOOL, a.runs)]
    table = "\n".join(lines) + "\n"
    (out / "netlink.md").write_text(table)
    for f in res["flood"]:
        f.pop("out")
    (out / "netlink.json").write_text(json.dumps(res, indent=1))
    print(table)
    bad = [d for d in down if d["usable"] != 1]
    return 1 if bad or len(down) < a.runs else 0


if __name__ == "__main__":
    sys.exit(main())
