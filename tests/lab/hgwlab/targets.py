"""Targets: who configures the device under test (the `onprem` node).

Every scenario and benchmark runs against a target, so the same cases measure the hand-written
baseline now and hybridgwd later, side by side in the same run:
- `baseline`: the way Linux users do it today: swanctl.conf, frr.conf, VTIs and sysctls made
  by hand (files in tests/lab/baseline/<topology>/), applied with swanctl, vtysh, ip and sysctl.
A target provisions the node and sets the private circuit's failure detection on its side.
"""

from pathlib import Path

from .proc import LabError, ip_batch, log, run

BASELINE_DIR = Path(__file__).resolve().parent.parent / "baseline"


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


TARGETS = {"baseline": Baseline}


def make(name, lab):
    try:
        return TARGETS[name](lab)
    except KeyError:
        raise LabError("unknown target %r (known: %s)" % (name, ", ".join(sorted(TARGETS))))
