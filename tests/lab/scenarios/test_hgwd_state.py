"""hybridgwd's state data, read the way a NETCONF client reads it (<get>), the way an operator
reads it (hybridgwctl's views) and the way a monitoring system scrapes it (the metrics
endpoint), against reality in the same node: the SPIs and counters `ip -s xfrm state` shows, the sessions bgpd reports, the
route the kernel forwards by, and a failover that must appear in the history with its gap.
"""

import re
import xml.etree.ElementTree as ET

from hgwlab import azure_aa as aa
from hgwlab.probe import carrier_loss
from hgwlab.proc import log
from hgwlab.wait import wait_until
from test_nl_xfrm import ip_states

NS = {"h": "urn:hybridgw:params:xml:ns:yang:hybridgw"}
GATEWAYS = {"a0": "in0", "a1": "in1"}


def get_state(target):
    return ET.fromstring(target.daemon.get(("xpath", "/hybridgw")))


def gateway(root, name):
    node = root.find(".//h:connection[h:name='azure']/h:gateway[h:name='%s']" % name, NS)
    assert node is not None, "no gateway %s in <get>" % name
    return node


def text(node, path):
    return node.findtext(path, None, NS) if node is not None else None


def installed_children(gw):
    return [c for c in gw.findall("h:tunnel/h:child-sa", NS)
            if text(c, "h:state") in ("INSTALLED", "REKEYED", "REKEYING")]


def spi_hex(yang_hex):
    """yang:hex-string "c1:a2:b3:d4" as `ip xfrm` prints it, "0xc1a2b3d4"."""
    return "0x" + yang_hex.replace(":", "") if yang_hex else None


def effective(root):
    e = root.find(".//h:routes/h:effective[h:prefix='%s']" % aa.CLOUD_PREFIX, NS)
    assert e is not None, "no effective route for %s in <get>" % aa.CLOUD_PREFIX
    hops = sorted((text(n, "h:address"), text(n, "h:interface"), text(n, "h:usable"))
                  for n in e.findall("h:nexthop", NS))
    return text(e, "h:path"), text(e, "h:ecmp-width"), hops


def counters(root):
    """Per tunnel: (charon's packets-out, the kernel's outbound packets) over its CHILD_SAs."""
    out = {}
    for t, g in GATEWAYS.items():
        kids = installed_children(gateway(root, g))
        out[t] = (sum(int(text(c, "h:packets-out") or 0) for c in kids),
                  sum(int(text(c, "h:kernel/h:outbound/h:packets") or 0) for c in kids))
    return out


def metric(samples, name, **labels):
    """The value of one sample, labels matched as given (others ignored); None if absent."""
    for (n, ls), v in samples.items():
        if n == name and all(dict(ls).get(k) == str(w) for k, w in labels.items()):
            return v
    return None


def check_views_before(lab, target, kernel):
    """hybridgwctl's views against the same reality the <get> was checked against."""
    d = target.daemon
    rc, out, err = d.ctl("show", "connections")
    assert rc == 0, err
    log("hybridgwctl show connections:\n" + out)
    rc, ike, err = d.ctl("show", "ike-sa", json_out=True)
    assert rc == 0, err
    listing = lab.charon[aa.ONPREM].swanctl("--list-sas")
    assert sorted(t["gateway"] for t in ike["tunnels"]) == sorted(GATEWAYS.values()), ike
    for t in ike["tunnels"]:
        sa = t["ike_sa"]
        assert (sa["state"], sa["version"], sa["role"], sa["auth_method"]) == \
            ("ESTABLISHED", 2, "initiator", "pre-shared-key"), sa
        # swanctl: "hgw/azure/in0: #1, ESTABLISHED, IKEv2, <spi>_i* <spi>_r"
        spis_text = r"%s_i\*? %s_r" % (sa["initiator_spi"].replace(":", ""),
                                        sa["responder_spi"].replace(":", ""))
        assert re.search(spis_text, listing), (spis_text, listing)
    rc, ipsec, err = d.ctl("show", "ipsec-sa", json_out=True)
    assert rc == 0, err
    for t, g in GATEWAYS.items():
        tun = [x for x in ipsec["tunnels"] if x["gateway"] == g]
        assert tun and tun[0]["interface"] == aa.ifname(lab, t), ipsec
        kids = [c for c in tun[0]["child_sas"] if c["state"] == "INSTALLED"]
        assert kids, tun
        for c in kids:
            assert spi_hex(c["spi_in"]) in kernel and spi_hex(c["spi_out"]) in kernel, \
                (c["spi_in"], c["spi_out"], sorted(kernel))
    rc, peers, err = d.ctl("show", "bgp", "peers", json_out=True)
    assert rc == 0, err
    states = {p["neighbor"]: (p["state"], p["path_class"]) for p in peers["bgp_peers"]}
    want = {aa.TUNNELS[t]["peer"]: ("established", "tunnel") for t in GATEWAYS}
    want[aa.ER_PEER] = ("established", "private")
    assert states == want, states
    rc, eff, err = d.ctl("show", "routes", "effective", json_out=True)
    assert rc == 0, err
    row = [r for r in eff["effective_routes"] if r["prefix"] == aa.CLOUD_PREFIX]
    assert row and row[0]["path"] == "private" and \
        [(n["address"], n["interface"]) for n in row[0]["nexthops"]] == aa.cloud_route(lab), \
        (row, aa.cloud_route(lab))
    rc, learned, err = d.ctl("show", "routes", "learned")
    assert rc == 0 and aa.CLOUD_PREFIX in learned, (rc, learned, err)
    log("hybridgwctl show routes learned:\n" + learned)
    m = d.scrape()
    for t, g in GATEWAYS.items():
        assert metric(m, "hybridgw_tunnel_up", connection="azure", gateway=g) == 1, \
            sorted(k for k in m if k[0] == "hybridgw_tunnel_up")
        assert metric(m, "hybridgw_bgp_peer_up", peer=aa.TUNNELS[t]["peer"]) == 1
    assert metric(m, "hybridgw_bgp_peer_up", peer=aa.ER_PEER) == 1
    assert metric(m, "hybridgw_route_path", prefix=aa.CLOUD_PREFIX, path="private") == 1
    return m


def check_views_after(lab, target, before_metrics):
    """After the circuit's carrier loss: the views and the metrics say VPN over both tunnels,
    the switch is in `show failover`, and the kernel's counters grew."""
    d = target.daemon
    rc, eff, err = d.ctl("show", "routes", "effective", json_out=True)
    assert rc == 0, err
    row = [r for r in eff["effective_routes"] if r["prefix"] == aa.CLOUD_PREFIX][0]
    assert (row["path"], row["ecmp_width"]) == ("vpn", 2), row
    rc, fo, err = d.ctl("show", "failover", json_out=True)
    assert rc == 0, err
    ev = [e for e in fo["failover_events"] if e["prefix"] == aa.CLOUD_PREFIX]
    assert ev and (ev[0]["from"], ev[0]["to"]) == ("private", "vpn x2") and \
        ev[0]["duration_us"] is not None, fo
    rc, out, err = d.ctl("show", "failover")
    assert rc == 0 and "private -> vpn x2" in out, (rc, out, err)
    log("hybridgwctl show failover:\n" + out)
    m = d.scrape()
    assert metric(m, "hybridgw_route_path", prefix=aa.CLOUD_PREFIX, path="vpn") == 1
    assert metric(m, "hybridgw_route_ecmp_width", prefix=aa.CLOUD_PREFIX) == 2
    assert metric(m, "hybridgw_private_path_carrier", private_path="er") == 0
    assert m[("hybridgw_failover_events_total", ())] > \
        before_metrics[("hybridgw_failover_events_total", ())]
    for t, g in GATEWAYS.items():
        def out_bytes(ms):
            return sum(v for (n, ls), v in ms.items()
                       if n == "hybridgw_sa_bytes_total" and dict(ls).get("gateway") == g and
                       dict(ls).get("direction") == "out" and dict(ls).get("source") == "kernel")
        assert out_bytes(m) > 0, (g, [k for k in m if k[0] == "hybridgw_sa_bytes_total"])


def test_hgwd_state_matches_reality(azure_hybridgwd):
    """<get>: tunnels up with the SPIs the kernel has, three sessions established with their
    routes, the cloud prefix forwarded by the circuit; after the circuit's carrier loss, ECMP
    over both tunnels, counters that grew with the traffic, and the switch in the history."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    log_mark = target.daemon.log_size()

    def settled():
        # after an earlier scenario reset a session, its routes take a moment to come back
        root = get_state(target)
        return all(text(gateway(root, g), "h:tunnel/h:liveness") == "alive" and
                   int(text(gateway(root, g), "h:bgp/h:bgp-state/h:prefixes-received") or 0) > 0
                   for g in GATEWAYS.values())
    wait_until(settled, 60, "both tunnels' probes alive and their sessions with routes")
    root = get_state(target)
    kernel = ip_states()
    for t, g in GATEWAYS.items():
        gw = gateway(root, g)
        assert text(gw, "h:tunnel/h:state") == "up", ET.tostring(gw).decode()
        assert text(gw, "h:tunnel/h:interface") == aa.ifname(lab, t)
        assert text(gw, "h:tunnel/h:up-since"), "no up-since"
        ike = gw.find("h:tunnel/h:ike-sa", NS)
        assert text(ike, "h:state") == "ESTABLISHED" and text(ike, "h:role") == "initiator", \
            ET.tostring(ike).decode()
        assert text(ike, "h:remote-address") == text(gw, "h:remote-address")
        assert text(ike, "h:encryption") and text(ike, "h:dh-group"), ET.tostring(ike).decode()
        kids = installed_children(gw)
        assert kids, "no installed CHILD_SA for %s" % g
        for c in kids:
            spi_in, spi_out = spi_hex(text(c, "h:spi-in")), spi_hex(text(c, "h:spi-out"))
            assert spi_in in kernel and spi_out in kernel, (spi_in, spi_out, sorted(kernel))
            assert spi_hex(text(c, "h:kernel/h:inbound/h:spi")) == spi_in
            assert spi_hex(text(c, "h:kernel/h:outbound/h:spi")) == spi_out
            assert text(c, "h:encryption") == "aes256gcm16", ET.tostring(c).decode()
            assert [x.text for x in c.findall("h:local-ts", NS)] == ["0.0.0.0/0"] and \
                [x.text for x in c.findall("h:remote-ts", NS)] == ["0.0.0.0/0"], \
                ET.tostring(c).decode()
        bgp = gw.find("h:bgp/h:bgp-state", NS)
        assert text(bgp, "h:state") == "established", ET.tostring(gw).decode()
        assert int(text(bgp, "h:prefixes-received")) >= 1
        assert int(text(bgp, "h:messages-received")) > 0
    er = root.find(".//h:private-path[h:name='er']", NS)
    assert text(er, "h:bgp-state/h:state") == "established", ET.tostring(er).decode()
    # the circuit's BFD is configured on our side; the ER side runs it only in the BFD
    # scenarios: bgpd's own view is the reference
    nbr = lab.frr[aa.ONPREM].show_json("show bgp neighbors %s json" % aa.ER_PEER)
    bfd = nbr.get(aa.ER_PEER, {}).get("peerBfdInfo", {}).get("status", "")
    assert text(er, "h:bgp-state/h:bfd-state") == bfd.lower(), (bfd, ET.tostring(er).decode())
    assert text(er, "h:carrier") == "true", ET.tostring(er).decode()

    learned = {(text(r, "h:prefix"), text(r, "h:peer")): r
               for r in root.findall(".//h:routes/h:learned", NS)}
    via_er = learned.get((aa.CLOUD_PREFIX, aa.ER_PEER))
    assert via_er is not None, sorted(learned)
    assert text(via_er, "h:best") == "true" and text(via_er, "h:path-class") == "private" and \
        text(via_er, "h:path") == "er", ET.tostring(via_er).decode()
    for t, g in GATEWAYS.items():
        r = learned.get((aa.CLOUD_PREFIX, aa.TUNNELS[t]["peer"]))
        assert r is not None and text(r, "h:path-class") == "tunnel" and \
            text(r, "h:path") == "azure/" + g, sorted(learned)
        assert int(text(r, "h:local-pref")) < int(text(via_er, "h:local-pref"))
    path, width, hops = effective(root)
    assert (path, hops) == ("private", [(aa.ER_PEER, aa.ER_IF, "true")]), (path, hops)
    seqs = {text(e, "h:seq") for e in root.findall(".//h:failover/h:events/h:event", NS)}
    before = counters(root)
    before_metrics = check_views_before(lab, target, kernel)

    down, up = carrier_loss(aa.ONPREM, aa.ER_IF)
    down()
    try:
        wait_until(lambda: aa.via_tunnels(lab, 2), 30,
                   "%s via both tunnels after the circuit's carrier loss" % aa.CLOUD_PREFIX)
        answered, sent = aa.traffic(lab, 32)
        assert answered == 32, (answered, sent)
        root = get_state(target)
        path, width, hops = effective(root)
        want = sorted((aa.TUNNELS[t]["peer"], aa.ifname(lab, t), "true") for t in GATEWAYS)
        assert (path, width) == ("vpn", "2") and hops == want, (path, width, hops)
        assert text(root.find(".//h:private-path[h:name='er']", NS), "h:carrier") == "false"
        new = [e for e in root.findall(".//h:failover/h:events/h:event", NS)
               if text(e, "h:seq") not in seqs and text(e, "h:prefix") == aa.CLOUD_PREFIX]
        assert new, "no new failover event for %s" % aa.CLOUD_PREFIX
        ev = max(new, key=lambda e: int(text(e, "h:seq")))
        assert (text(ev, "h:from-path"), text(ev, "h:to-path")) == ("private", "vpn x2"), \
            ET.tostring(ev).decode()
        gap = text(ev, "h:duration")
        assert gap is not None and int(gap) < 1000000, ET.tostring(ev).decode()
        after = counters(root)
        for t in GATEWAYS:
            if sent[aa.ifname(lab, t)] > 0:
                assert after[t][0] > before[t][0] and after[t][1] > before[t][1], \
                    (t, before[t], after[t], sent)
        check_views_after(lab, target, before_metrics)
        incomplete = [l for l in target.daemon.log_since(log_mark).splitlines()
                      if "state data incomplete" in l]
        assert not incomplete, incomplete[:3]
        log("<get> after the carrier loss: %s %s, event %s -> %s in %s us (%s); packets out "
            "(charon, kernel) %s -> %s" % (path, width, text(ev, "h:from-path"),
                                          text(ev, "h:to-path"), gap, text(ev, "h:reason"),
                                          before, after))
    finally:
        up()
        wait_until(lambda: lab.frr[aa.ONPREM].bgp_established(aa.ER_PEER), 120,
                   "ER BGP Established after the carrier is back")
        wait_until(lambda: aa.via_er(lab), 60, "%s via the circuit again" % aa.CLOUD_PREFIX)


def spis(target, g):
    return {text(c, "h:spi-in") for c in installed_children(gateway(get_state(target), g))}


def established(lab):
    peers = lab.frr[aa.ONPREM].show_json("show bgp summary json").get(
        "ipv4Unicast", {}).get("peers", {})
    return {p: (v.get("state"), v.get("connectionsEstablished")) for p, v in peers.items()}


def reset(target, connection, gateway=None, scope=None):
    """The reset-connection RPC over NETCONF: None on success, else the rpc-error's text."""
    from ncclient.operations import RPCError
    from ncclient.xml_ import to_ele
    body = "<connection>%s</connection>" % connection
    body += "<gateway>%s</gateway>" % gateway if gateway else ""
    body += "<scope>%s</scope>" % scope if scope else ""
    try:
        target.daemon.session().dispatch(to_ele(
            '<reset-connection xmlns="%s">%s</reset-connection>' % (NS["h"], body)))
    except RPCError as e:
        return e.message or str(e)
    return None


def test_hgwd_reset_connection(azure_hybridgwd):
    """reset-connection (the operator's `clear crypto sa peer`): scope tunnel makes new SAs for
    one gateway, whose BGP session comes back; scope bgp resets only that session; the other
    tunnel keeps its SAs and its session; an unknown gateway is an rpc-error that says so."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    a0_peer, a1_peer = aa.TUNNELS["a0"]["peer"], aa.TUNNELS["a1"]["peer"]
    in0, in1, sessions = spis(target, "in0"), spis(target, "in1"), established(lab)

    err = reset(target, "azure", "in0")
    assert err is None, err
    wait_until(lambda: spis(target, "in0") and not (spis(target, "in0") & in0), 30,
               "new CHILD_SAs for azure/in0")
    wait_until(lambda: established(lab).get(a0_peer, (None,))[0] == "Established", 60,
               "BGP with %s back after the reset" % a0_peer)
    assert spis(target, "in1") == in1, "azure/in1's SAs changed on a reset of in0"
    after = established(lab)
    assert after[a1_peer] == sessions[a1_peer], (sessions, after)
    log("reset-connection azure in0: SPIs %s -> %s; in1 kept %s" % (
        sorted(in0), sorted(spis(target, "in0")), sorted(in1)))

    in0, sessions = spis(target, "in0"), established(lab)
    mark = target.daemon.log_size()
    err = reset(target, "azure", "in1", scope="bgp")
    assert err is None, err
    wait_until(lambda: established(lab)[a1_peer] == ("Established", sessions[a1_peer][1] + 1),
               60, "a new BGP session with %s" % a1_peer)
    # bgpd reports the session's end and its new start over BMP: logged with the reason
    want_down = "BGP session with %s (tunnel azure/in1) down" % a1_peer
    want_up = "BGP session with %s (tunnel azure/in1) established" % a1_peer
    wait_until(lambda: want_up in target.daemon.log_since(mark), 10, "the BMP peer-up logged")
    seen = [l for l in target.daemon.log_since(mark).splitlines() if "BGP session with" in l]
    assert any(want_down in l for l in seen) and any(want_up in l for l in seen), seen
    assert not any(aa.TUNNELS["a0"]["peer"] + " " in l for l in seen), seen
    log("BMP: %s" % "; ".join(l.split(": ", 2)[-1] for l in seen))
    assert spis(target, "in1") == in1, "a BGP reset changed azure/in1's SAs"
    assert spis(target, "in0") == in0
    assert established(lab)[a0_peer] == sessions[a0_peer]

    err = reset(target, "azure", "in7")
    assert err is not None and "in7" in err, err
    aa.wait_ready(lab)
