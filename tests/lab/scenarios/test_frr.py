"""The FRR driver (hgw-frr over lib/frr) on the on-prem router of azure-aa.

The driver takes the on-prem BGP over from the baseline's frr.conf: the three hand-made
neighbors (both tunnels' APIPA peers and the private circuit) are deleted and the driver
applies an intent that makes them again as members of its HGW-VPN and HGW-ER peer groups,
with the circuit preferred by local-preference and the tunnels as ECMP.  The learned-route
view (hgw-frr's parse of `show bgp ipv4 unicast json`) must then show the cloud prefix via
the circuit as best, and via both tunnels as best + multipath while the circuit's session
is down.  At the end the driver removes everything it owns and the baseline's frr.conf is
loaded again, so the scenarios after this one find the lab as the baseline made it.
"""

import json

from hgwlab import azure_aa as aa
from hgwlab.proc import log, run
from hgwlab.tools import path
from hgwlab.wait import wait_until

ONPREM = aa.ONPREM
VPN_PEERS = [t["peer"] for t in aa.TUNNELS.values()]
BASELINE_NEIGHBORS = VPN_PEERS + [aa.ER_PEER]

INTENT = {
    "asn": 65010, "router_id": "198.19.20.1", "maximum_paths": 4,
    "networks": ["198.19.20.0/24"],
    "classes": [
        {"name": "ER", "remote_as": 12076, "connect": 5, "local_pref": 200,
         "accept": [aa.CLOUD_PREFIX]},
        {"name": "VPN", "remote_as": 65515, "connect": 5, "deny_in_asns": [12076],
         "accept": [aa.CLOUD_PREFIX]},
    ],
    "neighbors": [
        {"address": VPN_PEERS[0], "class": "VPN", "description": "azure-instance-0"},
        {"address": VPN_PEERS[1], "class": "VPN", "description": "azure-instance-1"},
        {"address": aa.ER_PEER, "class": "ER", "description": "expressroute"},
    ],
}


def hgw_frr(lab, *args):
    return run([path("tests/tools/hgw-frr"), "-d", str(lab.frr[ONPREM].rundir)] +
               [str(a) for a in args], timeout=120)


def cloud_paths(lab):
    """The learned paths of the cloud prefix, by next hop."""
    table = json.loads(hgw_frr(lab, "show", "bgp4"))
    return {p["next_hop"]: p for p in table if p["prefix"] == aa.CLOUD_PREFIX}


def er_best(lab):
    paths = cloud_paths(lab)
    er = paths.get(aa.ER_PEER)
    return er is not None and er["best"] and er["local_pref"] == 200


def tunnels_ecmp(lab):
    paths = cloud_paths(lab)
    vpn = [paths.get(p) for p in VPN_PEERS]
    return (aa.ER_PEER not in paths and all(vpn) and
            sum(p["best"] for p in vpn) == 1 and all(p["best"] or p["multipath"] for p in vpn))


def restore_baseline(lab, prev):
    empty = lab.state / "frr-intent-empty.json"
    empty.write_text("{}")
    # -p: the router-level lines the intent claimed (router-id, network, maximum-paths)
    # go too; the baseline's frr.conf puts them and its own neighbors back
    hgw_frr(lab, "-p", prev, "apply", empty)
    assert "HGW-" not in lab.frr[ONPREM].cmd("show running-config")
    lab.frr[ONPREM].load_file(aa_baseline_conf(lab))
    aa.wait_ready(lab)


def aa_baseline_conf(lab):
    from hgwlab.targets import BASELINE_DIR
    return BASELINE_DIR / lab.topo.name / "frr.conf"


def test_frr_driver_takes_over_bgp(azure):
    lab, _ = azure
    aa.wait_ready(lab)
    frr = lab.frr[ONPREM]
    intent = lab.state / "frr-intent.json"
    intent.write_text(json.dumps(INTENT, indent=1))
    try:
        # take over: the operator's neighbors go, the driver's come
        frr.configure(["router bgp 65010"] + ["no neighbor %s" % n for n in BASELINE_NEIGHBORS])
        res = json.loads(hgw_frr(lab, "apply", intent))
        log("hgw-frr apply on %s: %s" % (ONPREM, res))
        assert res["result"] == "ok", res
        owned = hgw_frr(lab, "owned", "bgpd")
        assert all("neighbor %s peer-group HGW-" % n in owned for n in BASELINE_NEIGHBORS), owned
        lab.timing("frr_apply_azure_aa_ms", res["total_us"] / 1000.0)
        for peer in BASELINE_NEIGHBORS:
            wait_until(lambda p=peer: frr.bgp_established(p), 120,
                       "BGP with %s Established (driver's config)" % peer)

        wait_until(lambda: er_best(lab), 60, "%s via the circuit as best" % aa.CLOUD_PREFIX)
        log("learned-route view, circuit up: %s" % cloud_paths(lab))
        assert aa.via_er(lab)

        aa.er_session(lab, up=False)
        try:
            wait_until(lambda: tunnels_ecmp(lab), 60,
                       "%s via both tunnels as ECMP" % aa.CLOUD_PREFIX)
            log("learned-route view, circuit down: %s" % cloud_paths(lab))
            assert aa.via_tunnels(lab, 2)
        finally:
            aa.er_session(lab, up=True, timeout=120)
        wait_until(lambda: er_best(lab), 60, "%s via the circuit again" % aa.CLOUD_PREFIX)
    finally:
        restore_baseline(lab, intent)
