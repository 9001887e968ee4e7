"""The demo, run inside UML by tests/lab/demo: the azure-aa lab with the hand-configured
baseline, narrated: tunnels, BGP over APIPA, the ECMP route, the circuit preferred, and two
failovers with their measured outages."""

import os
import sys
from pathlib import Path

from . import azure_aa as aa
from .proc import run


def say(title, body=""):
    print("\n== %s" % title)
    if body:
        print("\n".join("   " + l for l in body.rstrip().splitlines()))
    sys.stdout.flush()


def main():
    out = Path(os.environ["HGW_OUT"])
    say("Building topology azure-aa in User-Mode Linux",
        "\n".join("%-8s %s" % (n.name, n.doc) for n in aa.TOPOLOGY.nodes))
    with aa.running(out, "baseline") as (lab, target):
        t = dict(lab.timings)
        say("Lab up in %.1f s; onprem configured by hand (tests/lab/baseline/azure-aa/) and ready "
            "%.1f s later" % (t["lab_built"] / 1000, t["baseline_config_to_ready"] / 1000))
        say("IPsec: one route-based IKEv2 tunnel per Azure instance (swanctl --list-sas on onprem)",
            lab.charon[aa.ONPREM].swanctl("--list-sas"))
        say("BGP over the tunnels' APIPA addresses, plus the private circuit (show bgp summary)",
            lab.frr[aa.ONPREM].cmd("show bgp ipv4 unicast summary"))
        aa.er_session(lab, up=False)
        answered, sent = aa.traffic(lab, 16)
        say("Circuit down: the cloud prefix over both tunnels (ip route show %s)" % aa.CLOUD_PREFIX,
            run(["ip", "-n", aa.ONPREM, "route", "show", aa.CLOUD_PREFIX]) +
            "16 pings from the LAN host to 16 cloud addresses: %d answered; packets out "
            "vti-a0=%d vti-a1=%d" % (answered, sent["vti-a0"], sent["vti-a1"]))
        aa.er_session(lab, up=True)
        say("Circuit up: preferred (local-preference 200) over the VPN",
            run(["ip", "-n", aa.ONPREM, "route", "show", aa.CLOUD_PREFIX]))
        results = [aa.failover_er(lab, target, "er-carrier"),
                   aa.failover_er(lab, target, "er-silent-bfd100")]
        say("Failover from the circuit to the tunnels, measured",
            "\n".join(r.line() for r in results))
        say("Done. Every step's timing is in %s/timings.txt; bench/run failover repeats these "
            "measurements N times (docs/BENCHMARKS.md)." % out)


if __name__ == "__main__":
    main()
