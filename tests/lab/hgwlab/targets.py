"""Targets: who configures the device under test (the `onprem` node).

Every scenario and benchmark runs against a target, so the same cases measure the hand-written
baseline and hybridgwd side by side in the same run:
- `baseline`: the way Linux users do it today: swanctl.conf, frr.conf, VTIs and sysctls made
  by hand (files in tests/lab/baseline/<topology>/), applied with swanctl, vtysh, ip and sysctl.
- `hybridgwd`: the daemon in the node, configured only through NETCONF (python3-ncclient over
  its unix socket): the example etc/examples/<topology>-lab.xml, committed whole.
A target provisions the node, sets the private circuit's failure detection on its side, and
names what it made for each of the lab's tunnels: the interface and the CHILD_SA.
"""

import re
from pathlib import Path

from . import tools
from .proc import LabError, ip_batch, log, now_ms, run, sysctl

BASELINE_DIR = Path(__file__).resolve().parent.parent / "baseline"
EXAMPLES_DIR = tools.TOP / "etc" / "examples"
NS = "urn:hybridgw:params:xml:ns:yang:hybridgw"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


class Baseline:
    name = "baseline"

    def __init__(self, lab, node="onprem"):
        self.lab = lab
        self.node = node
        self.dir = BASELINE_DIR / lab.topo.name

    def provision(self):
        links = self.dir / "links.ip"
        ip_batch(self.node, [l for l in links.read_text().splitlines()
                             if l.strip() and not l.startswith("#")])
        run(["sysctl", "-q", "-p", str(self.dir / "sysctl.conf")], ns=self.node)
        # as at boot: interfaces first, then the daemons
        self.lab.start_daemons(self.node)
        self.lab.charon[self.node].load(self.dir / "swanctl.conf")
        self.lab.frr[self.node].load_file(self.dir / "frr.conf")
        log("baseline: %s configured by hand from %s" % (self.node, self.dir))

    def set_bfd(self, peer, asn, profile):
        """BFD with `profile` to peer, or none; as an operator would type it."""
        lines = ["router bgp %d" % asn]
        lines.append("neighbor %s bfd profile %s" % (peer, profile) if profile
                     else "no neighbor %s bfd" % peer)
        self.lab.frr[self.node].configure(lines)

    def tunnel_ifname(self, tunnel):
        """The interface of the lab's tunnel `tunnel` ("a0"): links.ip names it vti-<tunnel>."""
        return "vti-" + tunnel

    def child_name(self, tunnel):
        """The CHILD_SA of the lab's tunnel: swanctl.conf names it as the tunnel."""
        return tunnel


class HybridgwdTarget:
    """hybridgwd configures the node: the lab starts the node's charon and FRR (empty), then
    the daemon, and commits etc/examples/<topology>-lab.xml over NETCONF."""
    name = "hybridgwd"
    # the lab's tunnel -> (connection, gateway) in the example; the daemon derives the rest
    GATEWAYS = {"azure-aa": {"a0": ("azure", "in0"), "a1": ("azure", "in1")}}

    def __init__(self, lab, node="onprem"):
        from . import hgwd      # ncclient only where this target runs
        self.lab = lab
        self.node = node
        self.example = EXAMPLES_DIR / ("%s-lab.xml" % lab.topo.name)
        self.config = self.example.read_text()
        self.daemon = hgwd.Hybridgwd(lab, node)
        self.commit_ms = None     # when the example's commit was sent (for commit -> ready)

    def provision(self):
        # The host's part, as the operator's system has it: forwarding on (hybridgwd
        # configures tunnels and routing, not the kernel's role as a router).
        sysctl(self.node, {"net.ipv4.ip_forward": 1})
        # charon and FRR first, with nothing loaded: the daemon drives them
        self.lab.start_daemons(self.node)
        self.daemon.start(self.lab.charon[self.node].vici, self.lab.frr[self.node].rundir)
        self.daemon.wait_ready()
        self.commit_ms = now_ms()
        ok, err = self.daemon.commit(self.config)
        if not ok:
            raise LabError("hybridgwd rejected %s: %s" % (self.example, err))
        log("hybridgwd: %s configured over NETCONF from %s" % (self.node, self.example))

    def set_bfd(self, peer, asn, profile):
        """BFD with `profile` to peer, or none: the private path's bfd-profile leaf, edited
        and committed over NETCONF (asn is the baseline's business: the daemon knows it)."""
        running = self.daemon.get_config()
        path = self._private_path(running, peer)
        if profile:
            leaf = "<bfd-profile>%s</bfd-profile>" % profile
        else:
            leaf = '<bfd-profile nc:operation="remove"/>'
        ok, err = self.daemon.commit(
            '<hybridgw xmlns="%s" xmlns:nc="%s"><private-paths><private-path><name>%s</name>%s'
            '</private-path></private-paths></hybridgw>' % (NS, NC, path, leaf),
            operation=None)
        if not ok:
            raise LabError("hybridgwd: BFD profile %s for %s rejected: %s" % (profile, peer, err))

    @staticmethod
    def _private_path(running, peer):
        for m in re.finditer(r"<private-path>(.*?)</private-path>", running, re.S):
            if "<neighbor-address>%s</neighbor-address>" % peer in m.group(1):
                return re.search(r"<name>([^<]+)</name>", m.group(1)).group(1)
        raise LabError("hybridgwd: no private path with neighbor %s in running" % peer)

    def _gateway(self, tunnel):
        return self.GATEWAYS[self.lab.topo.name][tunnel]

    def tunnel_ifname(self, tunnel):
        """hv-<connection>-<instance>: the VTI the daemon makes for the gateway (lib/nl)."""
        conn, gw = self._gateway(tunnel)
        return "hv-%s-%d" % (conn, int(re.sub(r"\D", "", gw)))

    def child_name(self, tunnel):
        """hgw/<connection>/<gateway>: the daemon's charon connection and CHILD_SA."""
        return "hgw/%s/%s" % self._gateway(tunnel)


TARGETS = {"baseline": Baseline, "hybridgwd": HybridgwdTarget}


def make(name, lab):
    try:
        return TARGETS[name](lab)
    except KeyError:
        raise LabError("unknown target %r (known: %s)" % (name, ", ".join(sorted(TARGETS))))
