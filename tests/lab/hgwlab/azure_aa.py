"""Topology azure-aa: an on-prem router with an ExpressRoute-like circuit and two IPsec tunnels
to an Azure-like active/active VPN gateway.

    lanhost 198.19.20.10 --lan0-- onprem --wan0 198.18.0.1-- inet --198.18.0.6-- cloudA0
                                    |                            \\-198.18.0.10- cloudA1
                                    +--er0 198.18.1.1--198.18.1.2-- er

onprem (AS 65010, LAN 198.19.20.0/24) is the device under test: the lab gives it daemons and
links, a target configures it. cloudA0/cloudA1 are the two gateway instances (AS 65515, IKEv2
responders, passive BGP on 169.254.21.2 and .6, 60/180 timers); er is the private circuit's
edge (AS 12076, plain eBGP). All three answer the cloud prefix 198.19.10.0/24 themselves
(anycast, every address of the /24 is local there), so a reply always returns by the path its
request took and an outage seen by a probe is an outage of the path under test. inet is the
underlay router; breaking its link to one instance silently kills that instance's tunnel.
"""

import contextlib
import statistics
from pathlib import Path

from .probe import carrier_loss, measure_failover, silent_loss
from .proc import LabError, now_ms, run
from .topo import Lab, Link, Node, Topology
from .wait import wait_until

CONF = Path(__file__).resolve().parent.parent / "topologies" / "azure-aa"

CLOUD_PREFIX = "198.19.10.0/24"
LAN_PREFIX = "198.19.20.0/24"
LAN_HOST = "198.19.20.10"
ONPREM = "onprem"
# per tunnel: on-prem interface (the baseline's name: a target names its own, see ifname()),
# cloud node, cloud APIPA BGP address, inet's interface to it
TUNNELS = {
    "a0": {"ifname": "vti-a0", "cloud": "cloudA0", "peer": "169.254.21.2", "inet_if": "to-a0"},
    "a1": {"ifname": "vti-a1", "cloud": "cloudA1", "peer": "169.254.21.6", "inet_if": "to-a1"},
}
ER_PEER = "198.18.1.2"
ER_IF = "er0"

FWD = {"net.ipv4.ip_forward": 1}


def _cloud(i, pub, gw, key, apipa):
    return Node("cloudA%d" % i, charon=True, frr=("zebra", "bgpd"), sysctl={
        "net.ipv4.ip_forward": 1, "net.ipv4.conf.vti0.disable_policy": 1}, setup=[
        "route add default via %s" % gw,
        "link add vnet0 type dummy", "addr add 198.19.10.1/24 dev vnet0", "link set vnet0 up",
        "route add local %s dev lo table local" % CLOUD_PREFIX,
        "link add vti0 type vti local %s remote 198.18.0.1 key %d" % (pub, key),
        "addr add %s dev vti0" % apipa, "link set vti0 mtu 1400 up"],
        doc="Azure-like VPN gateway instance %d" % i)


TOPOLOGY = Topology(
    name="azure-aa",
    conf_dir=CONF,
    nodes=[
        Node("onprem", charon=True, frr=("zebra", "bgpd", "bfdd"), dut=True,
             setup=["route add default via 198.18.0.2"], doc="the router under test"),
        Node("inet", sysctl=FWD, doc="underlay router"),
        _cloud(0, "198.18.0.6", "198.18.0.5", 11, "169.254.21.2/30"),
        _cloud(1, "198.18.0.10", "198.18.0.9", 12, "169.254.21.6/30"),
        Node("er", frr=("zebra", "bgpd", "bfdd"), sysctl=FWD, setup=[
            "link add vnet0 type dummy", "addr add 198.19.10.1/24 dev vnet0", "link set vnet0 up",
            "route add local %s dev lo table local" % CLOUD_PREFIX],
            doc="private circuit provider edge"),
        Node("lanhost", setup=["route add default via 198.19.20.1"], doc="on-prem LAN host"),
    ],
    links=[
        Link("onprem", "wan0", "198.18.0.1/30", "inet", "to-onprem", "198.18.0.2/30"),
        Link("cloudA0", "wan0", "198.18.0.6/30", "inet", "to-a0", "198.18.0.5/30"),
        Link("cloudA1", "wan0", "198.18.0.10/30", "inet", "to-a1", "198.18.0.9/30"),
        Link("onprem", ER_IF, "198.18.1.1/30", "er", ER_IF, ER_PEER + "/30"),
        Link("onprem", "lan0", "198.19.20.1/24", "lanhost", "eth0", LAN_HOST + "/24"),
    ],
)


# ---- what the scenarios and the benchmark look at
def cloud_route(lab):
    return lab.routes(ONPREM, CLOUD_PREFIX)


def ifname(lab, tunnel):
    """The on-prem interface of the lab's tunnel ("a0", "a1") as the lab's target names it."""
    target = getattr(lab, "target", None)
    return target.tunnel_ifname(tunnel) if target else TUNNELS[tunnel]["ifname"]


def child_name(lab, tunnel):
    """The on-prem CHILD_SA of the lab's tunnel as the lab's target names it."""
    target = getattr(lab, "target", None)
    return target.child_name(tunnel) if target else tunnel


def via_tunnels(lab, n=2):
    """True when the cloud prefix goes over exactly n tunnels (ECMP when n > 1)."""
    hops = cloud_route(lab)
    tunnels = {ifname(lab, t) for t in TUNNELS}
    return len(hops) == n and all(dev in tunnels for _, dev in hops)


def via_er(lab):
    return cloud_route(lab) == [(ER_PEER, ER_IF)]


def tunnel_of(lab, dst):
    """The tunnel interface the on-prem kernel picks now for LAN_HOST -> dst."""
    out = run(["ip", "-n", ONPREM, "route", "get", dst, "from", LAN_HOST, "iif", "lan0"])
    words = out.split()
    return words[words.index("dev") + 1] if "dev" in words else None


# ---- bringing it up
def start(out, target_name="baseline"):
    """Build the lab, let the target configure onprem, wait until everything is up."""
    from . import targets
    lab = Lab(TOPOLOGY, out)
    try:
        lab.build()
        target = targets.make(target_name, lab)
        lab.target = target        # names the tunnels' interfaces and CHILD_SAs (ifname())
        t = now_ms()
        target.provision()
        wait_ready(lab)
        ready = now_ms()
        lab.timing("%s_config_to_ready" % target_name, ready - t)
        if getattr(target, "commit_ms", None):
            lab.timing("%s_commit_to_ready" % target_name, ready - target.commit_ms)
    except BaseException:
        lab.collect(lab.out / "failed" / "setup")
        lab.teardown()
        raise
    return lab, target


@contextlib.contextmanager
def running(out, target_name="baseline"):
    """start() as a context: on an exception every node's state goes to OUT/failed/, and the
    lab is torn down either way (the scenarios' fixture does the same per scenario)."""
    lab, target = start(out, target_name)
    try:
        yield lab, target
    except BaseException:
        lab.collect(lab.out / "failed")
        raise
    finally:
        lab.teardown()


def wait_ready(lab, timeout=120):
    """Both tunnels installed, all three BGP sessions up and each with the cloud prefix
    received, the cloud prefix via the circuit.  Established alone is not ready: a session's
    first UPDATE comes up to a second later, and a failover started in between finds one
    tunnel without the route (seen once the zebra guard had re-added an address)."""
    onprem = lab.charon[ONPREM]
    for child in [child_name(lab, t) for t in TUNNELS]:
        wait_until(lambda c=child: onprem.installed(c), timeout, "CHILD_SA %s INSTALLED" % child)
    frr = lab.frr[ONPREM]
    for peer in [t["peer"] for t in TUNNELS.values()] + [ER_PEER]:
        wait_until(lambda p=peer: frr.bgp_established(p), timeout, "BGP with %s Established" % peer)
        wait_until(lambda p=peer: frr.bgp_peers().get(p, {}).get("pfxRcd", 0) >= 1, timeout,
                   "a prefix received from %s" % peer)
    wait_until(lambda: via_er(lab), timeout, "%s via the circuit" % CLOUD_PREFIX)


def er_session(lab, up, timeout=60):
    """Take the circuit's BGP session down or up from the provider's side."""
    lab.frr["er"].configure(["router bgp 12076",
                             ("no " if up else "") + "neighbor 198.18.1.1 shutdown"])
    if up:
        wait_until(lambda: lab.frr[ONPREM].bgp_established(ER_PEER), timeout, "ER BGP Established")
        wait_until(lambda: via_er(lab), timeout, "%s via the circuit" % CLOUD_PREFIX)
    else:
        wait_until(lambda: via_tunnels(lab, 2), timeout, "%s via both tunnels" % CLOUD_PREFIX)


def er_bfd(lab, target, profile, timeout=60):
    """BFD on the circuit with `profile` (fast100, fast50) or None, on both sides."""
    lines = ["router bgp 12076", "neighbor 198.18.1.1 bfd profile %s" % profile if profile
             else "no neighbor 198.18.1.1 bfd"]
    lab.frr["er"].configure(lines)
    target.set_bfd(ER_PEER, 65010, profile)
    if profile:
        wait_until(lambda: lab.frr[ONPREM].bfd_up(ER_PEER), timeout, "BFD with the circuit up")
    wait_until(lambda: lab.frr[ONPREM].bgp_established(ER_PEER), timeout, "ER BGP Established")
    wait_until(lambda: via_er(lab), timeout, "%s via the circuit" % CLOUD_PREFIX)


def traffic(lab, count=16):
    """Ping cloud addresses .1..count from the LAN host; return (answered, {dev: packets out})."""
    devs = [ifname(lab, t) for t in TUNNELS] + [ER_IF]
    before = {d: lab.link_counter(ONPREM, d) for d in devs}
    out = run(["sh", "-c", "for i in $(seq 1 %d); do ping -n -c1 -W2 198.19.10.$i >/dev/null "
               "&& echo ok; done" % count], ns="lanhost", timeout=10 + 3 * count)
    after = {d: lab.link_counter(ONPREM, d) for d in devs}
    return out.split().count("ok"), {d: after[d] - before[d] for d in devs}


def median_range(values, fmt="%d"):
    """'median (min-max)' of the values, or 'n/a' when there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    return ("%s (%s-%s)" % (fmt, fmt, fmt)) % (statistics.median(v), min(v), max(v))


# ---- failover cases (shared by the scenarios and bench/run failover)
ER_CASES = {
    "er-carrier": (None, lambda: carrier_loss(ONPREM, ER_IF)),
    "er-silent-bfd100": ("fast100", lambda: silent_loss("er", ER_IF)),
    "er-silent-bfd50": ("fast50", lambda: silent_loss("er", ER_IF)),
}


def failover_er(lab, target, case):
    """The circuit fails under traffic; the tunnels' ECMP route must take over, then give back."""
    profile, breaker = ER_CASES[case]
    er_bfd(lab, target, profile)
    tunnels = tuple(ifname(lab, t) for t in TUNNELS)
    return measure_failover(lab, case, "lanhost", "198.19.10.1", breaker(), ONPREM, CLOUD_PREFIX,
                            switched=lambda: via_tunnels(lab, 2), new_devs=tunnels,
                            restored=lambda: via_er(lab), old_devs=(ER_IF,))


def dst_on(lab, dev):
    """A cloud address (198.19.10.1-32) whose flow from the LAN host the on-prem kernel hashes
    onto dev now."""
    dst = next((d for d in ("198.19.10.%d" % i for i in range(1, 33))
                if tunnel_of(lab, d) == dev), None)
    if dst is None:
        raise LabError("no cloud address 198.19.10.1-32 hashes onto %s" % dev)
    return dst


def failover_tunnel(lab, target, name="a0", during=None, restore_wait=400):
    """One of the two tunnels dies silently (its underlay drops everything), with the circuit
    down: the flows hashed onto it are lost until the route leaves that tunnel. during():
    see measure_failover."""
    er_session(lab, up=False)
    try:
        dead_if = ifname(lab, name)
        alive_if = [ifname(lab, n) for n in TUNNELS if n != name][0]
        dst = dst_on(lab, dead_if)
        return measure_failover(
            lab, "tunnel-silent", "lanhost", dst, silent_loss("inet", TUNNELS[name]["inet_if"]),
            ONPREM, CLOUD_PREFIX, switched=lambda: via_tunnels(lab, 1), new_devs=(alive_if,),
            restored=lambda: via_tunnels(lab, 2), old_devs=(dead_if,),
            max_wait=400, restore_wait=restore_wait, during=during)
    finally:
        er_session(lab, up=True, timeout=120)
