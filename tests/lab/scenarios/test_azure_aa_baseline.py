"""Baseline scenarios on azure-aa: onprem configured by hand (tests/lab/baseline/azure-aa/).

These pin down what the lab and the hand-written recipe do today; every hybridgwd scenario and
benchmark is compared with them."""

from hgwlab import azure_aa as aa
from hgwlab.wait import wait_until


def test_tunnels_up(azure):
    """Both route-based tunnels have an INSTALLED CHILD_SA and carry packets to the APIPA peer."""
    lab, _ = azure
    states = lab.charon[aa.ONPREM].child_states()
    assert states == {"a0": "INSTALLED", "a1": "INSTALLED"}, states
    for t in aa.TUNNELS.values():
        before = lab.link_counter(aa.ONPREM, t["ifname"], "rx_packets")
        out = lab.run_in(aa.ONPREM, ["ping", "-n", "-c3", "-i0.2", "-W2", t["peer"]])
        assert " 0% packet loss" in out, out
        assert lab.link_counter(aa.ONPREM, t["ifname"], "rx_packets") >= before + 3


def test_bgp_over_apipa(azure):
    """BGP is Established with both Azure instances on their APIPA addresses, and each
    instance's cloud prefix is received."""
    lab, _ = azure
    peers = lab.frr[aa.ONPREM].bgp_peers()
    for t in aa.TUNNELS.values():
        p = peers.get(t["peer"], {})
        assert p.get("state") == "Established", (t["peer"], p)
        assert p.get("remoteAs") == 65515
        assert p.get("pfxRcd") == 1, p


def test_ecmp_over_both_tunnels(azure):
    """Without the circuit, the cloud prefix is in the kernel with two nexthops, one per
    tunnel, and traffic to different cloud addresses leaves over both."""
    lab, _ = azure
    aa.er_session(lab, up=False)
    try:
        hops = aa.cloud_route(lab)
        assert hops == [("169.254.21.2", "vti-a0"), ("169.254.21.6", "vti-a1")], hops
        answered, sent = aa.traffic(lab, 16)
        assert answered == 16
        # both legs carry probes (the hash of 16 destinations is fixed, so this is no gamble);
        # er0 sees only BGP's connect attempts to the shut circuit, not the probes
        assert sent["vti-a0"] > 0 and sent["vti-a1"] > 0, sent
        assert sent["vti-a0"] + sent["vti-a1"] >= 16 and sent["er0"] < 16, sent
    finally:
        aa.er_session(lab, up=True)


def test_er_preferred(azure):
    """With the circuit up its route wins (local-preference 200) and traffic takes it."""
    lab, _ = azure
    wait_until(lambda: aa.via_er(lab), 30, "route via the circuit")
    assert aa.cloud_route(lab) == [(aa.ER_PEER, aa.ER_IF)]
    answered, sent = aa.traffic(lab, 8)
    assert answered == 8
    # the tunnels see at most a BGP keepalive meanwhile, never the probes
    assert sent["er0"] >= 8 and sent["vti-a0"] + sent["vti-a1"] < 8, sent


def test_er_failover_carrier_loss(azure):
    """The circuit's link goes down: the route moves to the tunnels within a second, and back."""
    lab, target = azure
    r = aa.failover_er(lab, target, "er-carrier")
    assert r.outage_ms < 3000, r.line()
    assert r.failback_ms is not None, r.line()


def test_er_failover_silent_loss_bfd(azure):
    """The circuit loses everything silently (links stay up); BFD 100 ms x3 sees it."""
    lab, target = azure
    r = aa.failover_er(lab, target, "er-silent-bfd100")
    assert r.outage_ms < 2000, r.line()
    assert r.failback_ms is not None, r.line()
