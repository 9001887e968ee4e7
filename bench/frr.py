#!/usr/bin/python3
"""bench/frr.py [--runs N] [--sizes 1,10,100] [--out DIR]: time to apply a BGP config for N
neighbors through FRR's vty sockets (lib/frr: hgw-frr apply) next to the same config loaded
with `vtysh -f`, in the same run, alternating, from the same clean state.

Runs on the host (started by `bench/run frr`): zebra and bgpd in a network namespace of
its own, no peer (the sessions stay in Active: this times configuration, not BGP).  The
config is hgw-frr's rendering of an intent with one path class (route-maps, prefix-lists,
peer group) and N neighbors; vtysh loads that rendering as an frr.conf.

  vty apply: hgw-frr apply wall time (process start, read running config, delta, send in
             one session, read back and compare), and apply's own send_us (sending only);
  vtysh -f:  vtysh -N NS -f FILE wall time (vtysh parses the file and sends line by line).

After each measurement, everything is removed through the driver (not timed).  Median (min
- max) of --runs.  Needs root, FRR, and the build ($HGW_BUILD or build/).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "proto"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lab"))
from frr_ns import Router, sh  # noqa: E402
from hgwlab import tools  # noqa: E402


def intent(n):
    return {
        "asn": 65010, "router_id": "198.19.20.1", "maximum_paths": 4,
        "networks": ["198.19.20.0/24"],
        "classes": [{"name": "VPN", "remote_as": 65515, "keepalive": 60, "hold": 180,
                     "connect": 5, "local_pref": 150, "weight": 100, "max_prefix": 4000,
                     "deny_in_asns": [12076], "accept": ["198.19.0.0/16 le 24"]}],
        "neighbors": [{"address": "198.18.%d.%d" % (200 + i // 250, 1 + i % 250),
                       "class": "VPN", "description": "bench-%d" % i} for i in range(n)],
    }


class Bench:
    def __init__(self, workdir):
        self.ns = "hgwbench%d" % os.getpid()
        self.work = workdir
        self.router = Router(self.ns, workdir, ["zebra", "bgpd"])
        self.tool = tools.path("tests/tools/hgw-frr")
        self.vtyconf = os.path.join(workdir, "vtysh")
        os.makedirs(os.path.join(self.vtyconf, self.ns), exist_ok=True)
        open(os.path.join(self.vtyconf, self.ns, "vtysh.conf"), "w").close()
        self.empty = self.file("empty.json", "{}")

    def file(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def hgw(self, *args):
        r = subprocess.run([self.tool, "-d", self.router.rundir] + list(args),
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("hgw-frr %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
        return r.stdout

    def clean(self, prev):
        self.hgw("-p", prev, "apply", self.empty)
        if "HGW-" in self.router.show("bgpd", "show running-config"):
            raise RuntimeError("config left over after the clean-up")

    def vty_apply(self, path):
        t = time.monotonic()
        res = json.loads(self.hgw("apply", path))
        wall = time.monotonic() - t
        if res["result"] != "ok":
            raise RuntimeError("apply: %s" % res)
        return wall * 1000, res["send_us"] / 1000.0, res["sent_bgpd"]

    def vtysh_load(self, conf):
        t = time.monotonic()
        r = subprocess.run(["vtysh", "-N", self.ns, "--config_dir", self.vtyconf, "-f", conf],
                           capture_output=True, text=True, timeout=300)
        wall = time.monotonic() - t
        if r.returncode != 0 or "% " in r.stdout:
            raise RuntimeError("vtysh -f: %s%s" % (r.stdout, r.stderr))
        return wall * 1000

    def same_result(self, path):
        """Rendered lines missing from the running config after vtysh -f."""
        def lines(text):
            return {l.strip() for l in text.splitlines()
                    if l.strip() not in ("!", "exit", "exit-address-family")}
        want = lines(self.hgw("render", path))
        return want - lines(self.router.show("bgpd", "show running-config"))


def fmt(xs):
    return "%.1f (%.1f-%.1f)" % (statistics.median(xs), min(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1,10,100")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/frr.py: needs root (network namespace, FRR daemons)")
    work = tempfile.mkdtemp(prefix="hgw-bench-frr-")
    os.chmod(work, 0o755)
    b = Bench(work)
    sh("ip", "netns", "add", b.ns)
    rows = []
    try:
        sh("ip", "-n", b.ns, "link", "set", "lo", "up")
        b.router.start()
        for n in [int(x) for x in a.sizes.split(",")]:
            path = b.file("intent-%d.json" % n, json.dumps(intent(n)))
            conf = b.file("frr-%d.conf" % n, b.hgw("render", path))
            lines = sum(1 for l in open(conf) if l.strip() and l.strip() != "!")
            vty, send, vtysh = [], [], []
            for _ in range(a.runs):
                w, s, sent = b.vty_apply(path)
                vty.append(w)
                send.append(s)
                b.clean(path)
                vtysh.append(b.vtysh_load(conf))
                diff = b.same_result(path)
                if diff:
                    raise RuntimeError("vtysh -f did not produce the rendering for %d: %s" %
                                       (n, diff))
                b.clean(path)
            rows.append((n, lines, sent, vty, send, vtysh))
            print("neighbors=%d lines=%d vty_ms=%s vty_send_ms=%s vtysh_f_ms=%s" % (
                n, lines, fmt(vty), fmt(send), fmt(vtysh)), flush=True)
    finally:
        b.router.stop()
        sh("ip", "netns", "del", b.ns, check=False)
        subprocess.run(["rm", "-rf", work])
    table = ["| neighbors | config lines | vty lines sent | hgw-frr apply, ms | of which sending, "
             "ms | vtysh -f, ms | vtysh -f / apply |", "|---|---|---|---|---|---|---|"]
    for n, lines, sent, vty, send, vtysh in rows:
        table.append("| %d | %d | %d | %s | %s | %s | %.1fx |" % (
            n, lines, sent, fmt(vty), fmt(send), fmt(vtysh),
            statistics.median(vtysh) / statistics.median(vty)))
    table.append("")
    table.append("%s, median (min-max) of %d runs, %s, FRR %s" % (
        time.strftime("%Y-%m-%d %H:%M"), a.runs, os.uname().nodename,
        subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "frr"], capture_output=True,
                       text=True).stdout))
    text = "\n".join(table) + "\n"
    print(text)
    if a.out:
        with open(os.path.join(a.out, "frr.md"), "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
