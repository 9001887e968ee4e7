"""The demo, run inside UML by tests/lab/demo: hybridgwd on the azure-aa lab's onprem,
configured only through NETCONF (etc/examples/azure-aa-lab.xml), narrated with the operator's
own views (hybridgwctl show ...) and the metrics endpoint: the commit, the tunnels, BGP over
APIPA, the ECMP route, the circuit preferred, a broken circuit and a silently
dead tunnel with their measured failovers (the daemon's own timing next to the probes'), and
the repair.  HGW_DEMO_TARGET=baseline shows the hand-configured baseline instead."""

import os
import re
import sys
from pathlib import Path

from . import azure_aa as aa
from .proc import run


def say(title, body=""):
    print("\n== %s" % title)
    if body:
        print("\n".join("   " + l for l in body.rstrip().splitlines()))
    sys.stdout.flush()


def daemon_says(lab, since, pattern):
    """hybridgwd's log lines after offset `since` that match pattern (regex), message only."""
    path = lab.logs / aa.ONPREM / "hybridgwd.log"
    if not path.exists():
        return []
    text = path.read_text(errors="replace")[since:]
    return [l.split(": ", 2)[-1] for l in text.splitlines() if re.search(pattern, l)]


def ctl(target, *view):
    """hybridgwctl show VIEW... in the node, as the operator types it on the router."""
    rc, out, err = target.daemon.ctl("show", *view)
    return out if rc == 0 else "hybridgwctl exited %d: %s" % (rc, err)


def log_size(lab):
    path = lab.logs / aa.ONPREM / "hybridgwd.log"
    return path.stat().st_size if path.exists() else 0


def main():
    out = Path(os.environ["HGW_OUT"])
    target_name = os.environ.get("HGW_DEMO_TARGET", "hybridgwd")
    say("Building topology azure-aa in User-Mode Linux",
        "\n".join("%-8s %s" % (n.name, n.doc) for n in aa.TOPOLOGY.nodes))
    with aa.running(out, target_name) as (lab, target):
        t = dict(lab.timings)
        hgwd = target_name == "hybridgwd"
        if hgwd:
            say("Lab up in %.1f s; onprem configured by ONE NETCONF commit of %s"
                % (t["lab_built"] / 1000, target.example),
                "commit -> both tunnels, three BGP sessions, circuit preferred: %.1f s\n"
                "what hybridgwd did:\n%s" % (
                    t.get("hybridgwd_commit_to_ready", 0) / 1000,
                    "\n".join("  " + l for l in daemon_says(
                        lab, 0, r"interface .* created|connection loaded|configuration "
                        r"applied|CHILD_SA installed"))))
        else:
            say("Lab up in %.1f s; onprem configured by hand (tests/lab/baseline/azure-aa/) "
                "and ready %.1f s later"
                % (t["lab_built"] / 1000, t["baseline_config_to_ready"] / 1000))
        if hgwd:
            say("The operator's view: hybridgwctl show connections", ctl(target, "connections"))
            say("IPsec: one route-based IKEv2 tunnel per Azure instance (hybridgwctl show "
                "ike-sa)", ctl(target, "ike-sa"))
            say("BGP over the tunnels' APIPA addresses, plus the private circuit (hybridgwctl "
                "show bgp peers)", ctl(target, "bgp", "peers"))
            say("What BGP learned (hybridgwctl show routes learned)",
                ctl(target, "routes", "learned"))
        else:
            say("IPsec: one route-based IKEv2 tunnel per Azure instance (swanctl --list-sas)",
                lab.charon[aa.ONPREM].swanctl("--list-sas"))
            say("BGP over the tunnels' APIPA addresses, plus the private circuit (show bgp "
                "summary)", lab.frr[aa.ONPREM].cmd("show bgp ipv4 unicast summary"))
        aa.er_session(lab, up=False)
        answered, sent = aa.traffic(lab, 16)
        say("Circuit down: the cloud prefix over both tunnels (%s)" % (
            "hybridgwctl show routes effective" if hgwd else "ip route show " + aa.CLOUD_PREFIX),
            (ctl(target, "routes", "effective") if hgwd else
             run(["ip", "-n", aa.ONPREM, "route", "show", aa.CLOUD_PREFIX])) +
            "16 pings from the LAN host to 16 cloud addresses: %d answered; packets out %s"
            % (answered, ", ".join("%s=%d" % kv for kv in sorted(sent.items()))))
        if hgwd:
            say("The tunnels carried them: charon's and the kernel's counters (hybridgwctl show "
                "ipsec-sa)", ctl(target, "ipsec-sa"))
        aa.er_session(lab, up=True)
        say("Circuit up: preferred (local-preference 200) over the VPN",
            ctl(target, "routes", "effective") if hgwd else
            run(["ip", "-n", aa.ONPREM, "route", "show", aa.CLOUD_PREFIX]))
        mark = log_size(lab)
        results = [aa.failover_er(lab, target, "er-carrier")]
        body = "\n".join(r.line() for r in results)
        if hgwd:
            body += "\nhybridgwd's own account:\n" + "\n".join(
                "  " + l for l in daemon_says(lab, mark, r"path switch|carrier"))
        say("The circuit's carrier is lost, under traffic: failover to the tunnels and back",
            body)
        if hgwd:
            # (the hand-made baseline loses these flows for ~175 s: Azure's hold time)
            mark = log_size(lab)
            r = aa.failover_tunnel(lab, target, "a0")
            say("One tunnel dies silently (its underlay drops everything), circuit down",
                r.line() + "\n(the hand-made baseline loses these flows for ~175 s: Azure's "
                "hold time; docs/BENCHMARKS.md)\nhybridgwd's own account:\n" + "\n".join(
                    "  " + l for l in daemon_says(
                        lab, mark, r"out of ECMP|back into ECMP|path switch")))
        if hgwd:
            say("Every path switch hybridgwd saw, with its cause and gap (hybridgwctl show "
                "failover)", ctl(target, "failover"))
            m = target.daemon.scrape()
            say("The same facts for a monitoring system: curl http://127.0.0.1:9474/metrics "
                "(a few of %d samples)" % len(m), "\n".join(
                    "%s%s %g" % (n, "{%s}" % ",".join('%s="%s"' % kv for kv in ls) if ls else "", v)
                    for (n, ls), v in sorted(m.items())
                    if n in ("hybridgw_tunnel_up", "hybridgw_bgp_peer_up",
                             "hybridgw_route_ecmp_width", "hybridgw_failover_events_total",
                             "hybridgw_failover_last_gap_seconds")))
        say("Done. Every step's timing is in %s/timings.txt, hybridgwd's log in "
            "%s/logs/onprem/; bench/run failover --targets baseline,hybridgwd repeats these "
            "measurements N times (docs/BENCHMARKS.md)." % (out, out))


if __name__ == "__main__":
    main()
