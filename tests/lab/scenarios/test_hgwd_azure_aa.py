"""hybridgwd on azure-aa: onprem configured only through NETCONF (etc/examples/azure-aa-lab.xml,
committed by the lab's hybridgwd target), whatever --target the run has.

The daemon must turn one commit into both tunnels, all three BGP sessions and the circuit
preferred; refuse a commit YANG or its own checks reject with an rpc-error and change nothing,
in its datastore, the kernel, charon or bgpd; and roll a confirmed commit that nobody confirms
back to where it was, tunnels and sessions included."""

import difflib
import json
import re
import time

from hgwlab import azure_aa as aa
from hgwlab.hgwd import pretty
from hgwlab.probe import carrier_loss
from hgwlab.proc import log, now_ms, run
from hgwlab.wait import wait_until

PEERS = [t["peer"] for t in aa.TUNNELS.values()] + [aa.ER_PEER]
CONFIRM_TIMEOUT = 6     # s: a confirmed commit nobody confirms is rolled back after this


def snapshot(lab, target):
    """What a rejected commit must leave as it was: the daemon's running datastore, the
    node's interfaces, charon's connections and bgpd's configuration."""
    return {
        "running datastore": pretty(target.daemon.get_config()),
        "ip -d link": run(["ip", "-d", "-n", aa.ONPREM, "link", "show"]),
        "swanctl --list-conns": lab.charon[aa.ONPREM].swanctl("--list-conns"),
        "bgpd running-config": lab.frr[aa.ONPREM].cmd("show running-config"),
    }


def changes(before, after):
    """What differs between two snapshots, as unified diffs (empty: nothing)."""
    out = []
    for what in before:
        if before[what] != after[what]:
            diff = "".join(difflib.unified_diff(before[what].splitlines(True),
                                                after[what].splitlines(True), "before", "after",
                                                n=1))
            out.append("%s changed:\n%s" % (what, diff[:3000]))
    return out


def assert_rejected(lab, target, config, expect, what):
    """Commit config: it must be refused with an rpc-error saying expect, and nothing may
    change in the datastore, the kernel, charon or bgpd."""
    before = snapshot(lab, target)
    ok, err = target.daemon.commit(config)
    assert not ok, what + " was accepted"
    assert expect in err, err
    diff = changes(before, snapshot(lab, target))
    assert not diff, "a rejected commit changed things:\n" + "\n".join(diff)


def link_exists(ifname):
    return run(["ip", "-n", aa.ONPREM, "link", "show", ifname], check=False).strip() != ""


def link_info(ifname):
    """`ip -d` facts of an interface: kind, remote, addresses, up."""
    out = run(["ip", "-d", "-n", aa.ONPREM, "addr", "show", ifname], check=False)
    return {"kind": "vti" if re.search(r"^\s+vti ", out, re.M) else out[:300],
            "remote": (re.search(r"remote (\S+)", out) or [None, None])[1],
            "addrs": re.findall(r"inet (\S+)", out),
            "up": ",UP" in out or "<UP" in out}


def test_hgwd_commit_brings_up_both_paths(azure_hybridgwd):
    """One NETCONF commit of the example: both CHILD_SAs installed, BGP over both tunnels and
    over the circuit, the cloud prefix via the circuit; with the circuit's carrier gone, the
    kernel has ECMP over both of the daemon's tunnels and the LAN's traffic takes both."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    timings = dict(lab.timings)
    assert "hybridgwd_commit_to_ready" in timings, timings
    log("hybridgwd: commit -> both tunnels, three sessions, circuit preferred: %.0f ms"
        % timings["hybridgwd_commit_to_ready"])
    states = lab.charon[aa.ONPREM].child_states()
    for t, want in (("a0", ("198.18.0.6", "169.254.21.1/32")),
                    ("a1", ("198.18.0.10", "169.254.21.5/32"))):
        child, ifname = aa.child_name(lab, t), aa.ifname(lab, t)
        assert states.get(child) == "INSTALLED", "CHILD_SA %s: %s" % (child, states)
        info = link_info(ifname)
        assert info["kind"] == "vti" and info["remote"] == want[0] and \
            want[1] in info["addrs"] and info["up"], "%s: %s" % (ifname, info)
    # IPv6: each tunnel's one link-local is the daemon's, fe80:: + its inside IPv4, no DAD
    for t, ll in (("a0", "fe80::a9fe:1501/64"), ("a1", "fe80::a9fe:1505/64")):
        got = json.loads(run(["ip", "-n", aa.ONPREM, "-j", "-6", "addr", "show", "dev",
                              aa.ifname(lab, t)]))
        lls = [("%s/%d" % (a["local"], a["prefixlen"]), bool(a.get("nodad")))
               for a in (got[0]["addr_info"] if got else []) if a["local"].startswith("fe80:")]
        assert lls == [(ll, True)], "%s: link-locals %s, want only %s" % (t, lls, ll)
    # the lab kernel has no nf_tables inet family (LAB-FACTS.md): said once, commits go on
    said = re.findall(r"TCP MSS clamping is not available.*", target.daemon.log_since(0))
    assert len(said) == 1, said
    peers = lab.frr[aa.ONPREM].bgp_peers()
    for p in PEERS:
        assert peers.get(p, {}).get("state") == "Established", (p, peers.get(p))
    assert aa.cloud_route(lab) == [(aa.ER_PEER, aa.ER_IF)], aa.cloud_route(lab)

    down, up = carrier_loss(aa.ONPREM, aa.ER_IF)
    down()
    try:
        wait_until(lambda: aa.via_tunnels(lab, 2), 30,
                   "%s via both tunnels after the circuit's carrier loss" % aa.CLOUD_PREFIX)
        hops = aa.cloud_route(lab)
        want = [("169.254.21.2", aa.ifname(lab, "a0")), ("169.254.21.6", aa.ifname(lab, "a1"))]
        assert hops == want, hops
        answered, sent = aa.traffic(lab, 16)
        a0, a1 = aa.ifname(lab, "a0"), aa.ifname(lab, "a1")
        assert answered == 16, (answered, sent)
        assert sent[a0] > 0 and sent[a1] > 0 and sent[a0] + sent[a1] >= 16, sent
    finally:
        up()
        wait_until(lambda: lab.frr[aa.ONPREM].bgp_established(aa.ER_PEER), 120,
                   "ER BGP Established after the carrier is back")
        wait_until(lambda: aa.via_er(lab), 60, "%s via the circuit again" % aa.CLOUD_PREFIX)


def test_hgwd_rejects_invalid_apipa(azure_hybridgwd):
    """An Azure gateway with a local APIPA address outside 169.254.21.0-169.254.22.255: the
    commit fails with an rpc-error naming the rule, and nothing changes anywhere."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    bad = target.config.replace("<local-address>169.254.21.5</local-address>",
                                "<local-address>169.254.30.1</local-address>")
    assert bad != target.config, "the example has no gateway with local-address 169.254.21.5"
    assert_rejected(lab, target, bad, "azure-apipa-range",
                    "a commit with local-address 169.254.30.1 on an azure gateway")


def test_hgwd_rejects_unknown_reference(azure_hybridgwd):
    """A connection-policy for a connection that does not exist: rejected, nothing changes."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    bad = target.config.replace(
        "</policy>", "<connection-policy><connection>nosuch</connection><export-prefix-list>"
        "onprem</export-prefix-list></connection-policy></policy>")
    assert_rejected(lab, target, bad, "nosuch",
                    "a commit with a connection-policy for connection 'nosuch'")


def test_hgwd_confirmed_commit_rolls_back(azure_hybridgwd):
    """A confirmed commit (gateway in1 removed, maximum-paths 2) that is never confirmed: the
    daemon applies it, and after the timeout rolls everything back: the running datastore as
    before, in1's interface and CHILD_SA back, its BGP session Established again."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    a1_if, a1_child, a1_peer = aa.ifname(lab, "a1"), aa.child_name(lab, "a1"), \
        aa.TUNNELS["a1"]["peer"]
    changed = re.sub(r"<gateway>\s*<name>in1</name>.*?</gateway>", "", target.config,
                     flags=re.S)
    changed = changed.replace("<maximum-paths>4</maximum-paths>",
                              "<maximum-paths>2</maximum-paths>")
    assert "<name>in1</name>" not in changed and "<maximum-paths>2<" in changed
    running = pretty(target.daemon.get_config())
    t0 = time.monotonic()
    ok, err = target.daemon.confirmed_commit(changed, CONFIRM_TIMEOUT)
    assert ok, err
    try:
        now = target.daemon.get_config()
        assert "<name>in1</name>" not in now and "<maximum-paths>2<" in now, now
        # applied: in1's tunnel goes (before the rollback brings it back)
        wait_until(lambda: not link_exists(a1_if), CONFIRM_TIMEOUT - 1.5,
                   "%s removed by the confirmed commit" % a1_if)
        wait_until(lambda: pretty(target.daemon.get_config()) == running,
                   CONFIRM_TIMEOUT + 5, "the running datastore rolled back", interval=0.2)
    finally:
        pending = pretty(target.daemon.get_config()) != running
        if pending:     # leave the lab as found even when an assert failed
            target.daemon.cancel()
    rolled = time.monotonic() - t0
    assert rolled >= CONFIRM_TIMEOUT - 0.5, "rolled back after %.1f s, before the %d s timeout" \
        % (rolled, CONFIRM_TIMEOUT)
    log("confirmed commit not confirmed: running rolled back %.1f s after the commit" % rolled)
    t = now_ms()
    wait_until(lambda: link_exists(a1_if), 30, "%s back after the rollback" % a1_if)
    wait_until(lambda: lab.charon[aa.ONPREM].installed(a1_child), 60,
               "CHILD_SA %s INSTALLED after the rollback" % a1_child)
    # 90 s: far less than the cloud's 180 s hold time, so a stale session on the cloud side
    # (the tunnel torn down before bgpd said goodbye through it) shows up as a failure here
    wait_until(lambda: lab.frr[aa.ONPREM].bgp_established(a1_peer), 90,
               "BGP with %s Established after the rollback" % a1_peer)
    lab.timing("hybridgwd_rollback_to_bgp_established", now_ms() - t)
    aa.wait_ready(lab, timeout=60)


def test_hgwd_deleted_interface_is_made_again(azure_hybridgwd):
    """Drift: someone deletes a tunnel interface by hand. The daemon makes it again with its
    address, brings it up (its CHILD_SA is still installed), and BGP and ECMP come back."""
    lab, target = azure_hybridgwd
    aa.wait_ready(lab)
    a0 = aa.ifname(lab, "a0")
    logf = lab.logs / aa.ONPREM / "hybridgwd.log"
    mark = logf.stat().st_size
    aa.er_session(lab, up=False)
    try:
        wait_until(lambda: aa.via_tunnels(lab, 2), 60, "ECMP over both tunnels, circuit down")
        run(["ip", "-n", aa.ONPREM, "link", "del", a0])
        wait_until(lambda: link_exists(a0) and link_info(a0)["up"], 10,
                   "%s made again and up" % a0)
        info = link_info(a0)
        assert info["kind"] == "vti" and "169.254.21.1/32" in info["addrs"], info
        said = logf.read_text(errors="replace")[mark:]
        assert "interface %s was deleted from outside: making it again" % a0 in said, said[-2000:]
        wait_until(lambda: lab.frr[aa.ONPREM].bgp_established(aa.TUNNELS["a0"]["peer"]), 90,
                   "BGP over %s Established again" % a0)
        wait_until(lambda: aa.via_tunnels(lab, 2), 60, "ECMP over both tunnels again")
        answered, sent = aa.traffic(lab, 16)
        assert answered == 16 and sent[a0] > 0, (answered, sent)
    finally:
        aa.er_session(lab, up=True, timeout=120)
