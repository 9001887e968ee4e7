"""Declarative topologies and the running lab built from one.

A Topology lists nodes (each a network namespace, optionally with a charon and FRR daemons)
and point-to-point veth links with their addresses. Lab.build() makes it real inside UML:
modules, namespaces, links, per-node `ip` batches and sysctls, daemons started, and each
node's static configuration files (<conf_dir>/<node>/swanctl.conf and frr.conf) loaded.
Nodes marked `dut` are left to a target (tests/lab/hgwlab/targets.py), which makes their
interfaces, starts their daemons (start_daemons) and configures them: by hand-written files for
the baseline, through hybridgwd later.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .charon import Charon
from .frr import Frr
from .proc import LabError, Processes, ip_batch, log, now_ms, run, sysctl

MODULES = ("veth dummy xfrm_user esp4 ip_vti sch_netem sch_ingress cls_matchall act_gact "
           "iptable_filter").split()


@dataclass
class Node:
    name: str
    setup: list = field(default_factory=list)    # `ip -batch` lines, run after links exist
    sysctl: dict = field(default_factory=dict)
    charon: bool = False
    frr: tuple = ()                               # FRR daemons, zebra first
    dut: bool = False                             # configured by a target, not by static files
    doc: str = ""


@dataclass
class Link:
    a: str
    a_if: str
    a_addr: str
    b: str
    b_if: str
    b_addr: str


@dataclass
class Topology:
    name: str
    nodes: list
    links: list
    conf_dir: Path

    def node(self, name):
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)


class Lab:
    """A topology made real. Use as a context manager or call teardown()."""

    def __init__(self, topo, out):
        self.topo = topo
        self.out = Path(out)
        self.state = Path(os.environ.get("HGW_STATE", "/run/hgwlab")) / topo.name
        self.logs = self.out / "logs"
        self.procs = Processes()
        self.charon = {}
        self.frr = {}
        self.timings = []
        self._netns = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.teardown()

    def timing(self, name, ms):
        self.timings.append((name, round(ms, 1)))
        with open(self.out / "timings.txt", "a") as f:
            f.write("%s %.1f\n" % (name, ms))
        log("timing %s = %.1f ms" % (name, ms))

    # ---- build
    def build(self):
        t0 = now_ms()
        self.state.mkdir(parents=True, exist_ok=True)
        self._modules()
        self._namespaces()
        self.timing("topology_built", now_ms() - t0)
        t = now_ms()
        for n in self.topo.nodes:
            if not n.dut:
                self.start_daemons(n.name)
        self.timing("daemons_started_and_loaded", now_ms() - t)
        self.timing("lab_built", now_ms() - t0)

    def start_daemons(self, name):
        """Start the node's charon and FRR and, unless it is the device under test, load its
        static configuration files. FRR starts after the node's interfaces exist: zebra 8.4
        can miss an address added right after its interface was created (FRR issue #13288),
        so a tunnel interface made while zebra runs may never become a connected route."""
        n = self.topo.node(name)
        if n.charon:
            self.charon[name] = Charon(self, name)
            self.charon[name].start()
            self.charon[name].wait_ready()
            conf = self.topo.conf_dir / name / "swanctl.conf"
            if not n.dut and conf.exists():
                self.charon[name].load(conf)
        if n.frr:
            self.frr[name] = Frr(self, name, n.frr)
            self.frr[name].start()
            conf = self.topo.conf_dir / name / "frr.conf"
            if not n.dut and conf.exists():
                self.frr[name].load_file(conf)

    def _modules(self):
        t = now_ms()
        run(["modprobe", "-a", "-d", os.environ["HGW_MODROOT"]] + MODULES)
        # The first rfc4106(gcm(aes)) SA makes the kernel load ~20 crypto modules (~4-6 s in
        # UML); instantiate it once in a throw-away namespace so no measurement pays for it.
        run(["ip", "netns", "add", "hgw-warmup"])
        try:
            run(["ip", "-n", "hgw-warmup", "xfrm", "state", "add", "src", "198.18.255.1", "dst",
                 "198.18.255.2", "proto", "esp", "spi", "0x1", "mode", "tunnel", "aead",
                 "rfc4106(gcm(aes))", "0x" + "11" * 36, "128"])
        finally:
            run(["ip", "netns", "del", "hgw-warmup"])
        self.timing("modules_and_crypto_warmup", now_ms() - t)

    def _namespaces(self):
        for n in self.topo.nodes:
            run(["ip", "netns", "add", n.name])
            self._netns.append(n.name)
        ip_batch(None, ["link add %s netns %s type veth peer name %s netns %s"
                        % (l.a_if, l.a, l.b_if, l.b) for l in self.topo.links])
        per_node = {n.name: ["link set lo up"] for n in self.topo.nodes}
        for l in self.topo.links:
            for ns, ifname, addr in ((l.a, l.a_if, l.a_addr), (l.b, l.b_if, l.b_addr)):
                if addr:
                    per_node[ns].append("addr add %s dev %s" % (addr, ifname))
                per_node[ns].append("link set %s up" % ifname)
        for n in self.topo.nodes:
            ip_batch(n.name, per_node[n.name] + list(n.setup))
            sysctl(n.name, n.sysctl)

    # ---- observing
    def run_in(self, ns, argv, **kw):
        return run(argv, ns=ns, **kw)

    def routes(self, ns, prefix):
        """The kernel's route for prefix in ns as [(gateway, device), ...], [] if none."""
        out = run(["ip", "-j", "-n", ns, "route", "show", prefix])
        hops = []
        routes = [r for r in json.loads(out or "[]") if r.get("dst") == prefix]
        # the kernel forwards by the route of the lowest metric; others (hybridgwd's backup
        # route, metric 250 << 24 | 4000) wait behind it
        best = min((r.get("metric", 0) for r in routes), default=0)
        for r in routes:
            if r.get("metric", 0) != best:
                continue
            if "nexthops" in r:
                hops += [(h.get("gateway"), h.get("dev")) for h in r["nexthops"]]
            else:
                hops.append((r.get("gateway"), r.get("dev")))
        return sorted(hops)

    def link_counter(self, ns, ifname, what="tx_packets"):
        return int(run(["cat", "/sys/class/net/%s/statistics/%s" % (ifname, what)], ns=ns))

    # ---- post-mortem and teardown
    def collect(self, dest):
        """Write every node's state into dest (on the host); the daemons log to self.logs."""
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        for ns in self._netns:
            with open(dest / ("%s-kernel.txt" % ns), "w") as f:
                for argv in (["ip", "-d", "addr"], ["ip", "route", "show", "table", "all"],
                             ["ip", "-s", "link"], ["ip", "xfrm", "policy"]):
                    f.write("### %s\n%s\n" % (" ".join(argv), run(argv, ns=ns, check=False)))
                # SAs without their keys: the lab's keys are throw-away, but logs carry none
                xs = run(["ip", "-s", "xfrm", "state"], ns=ns, check=False)
                f.write("### ip -s xfrm state (keys removed)\n%s\n" % "\n".join(
                    l for l in xs.splitlines() if not l.strip().startswith(("enc ", "auth", "aead"))))
        for ns, c in self.charon.items():
            (dest / ("%s-swanctl.txt" % ns)).write_text(
                c.swanctl("--list-sas", check=False) + c.swanctl("--list-conns", check=False))
        for ns, f in self.frr.items():
            f.dump(dest / ("%s-frr.txt" % ns))
        log("state collected in %s; daemon logs are in %s" % (dest, self.logs))

    def teardown(self):
        for f in self.frr.values():
            try:
                f.stop()
            except OSError:
                pass
        for c in self.charon.values():
            c.stop()
        self.procs.stop_all()
        for ns in reversed(self._netns):
            try:
                run(["ip", "netns", "del", ns])
            except LabError as e:
                log("teardown: %s" % e)
        self._netns.clear()
