"""Traffic probes, kernel route monitoring, path breakers, and the failover measurement.

An outage is measured twice, independently:
- by a probe stream (ping -D at 10 ms; UML's HZ=100 clock gives ~50 pps, so the gap is exact to
  about +-20 ms): the largest gap between two consecutive replies;
- by the kernel: `ip -ts monitor route` timestamps the moment the route changed, taken from
  the last good reply before the gap.
"""

import re
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from .proc import LabError, log, now_ms, run, tc_batch
from .wait import wait_until


class PingProbe:
    """A ping stream from a namespace, read back as per-reply epoch timestamps.

    Its output goes to an unlinked temporary file, not a pipe: nothing reads it before stop(),
    and a pipe would block ping (so stop sending) once ~800 replies filled it."""

    def __init__(self, ns, dst, interval=0.01, path=None):
        self.ns, self.dst = ns, dst
        self.path = path
        self._out = tempfile.TemporaryFile("w+")
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "ping", "-D", "-n", "-i",
                                   str(interval), "-W", "1", dst],
                                  stdout=self._out, stderr=subprocess.STDOUT, text=True)

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=10)
        self._out.seek(0)
        out = self._out.read()
        self._out.close()
        self.text = out
        if self.path:
            with open(self.path, "w") as f:
                f.write(out)
        return PingStats.parse(out)


def ping_lost(text):
    """(lost, sent, [lost icmp_seq]) of a stopped ping stream's output: every probe but the
    last one (it may have been in flight when the stream was stopped) that got no reply."""
    m = re.search(r"(\d+) packets transmitted", text)
    if not m:
        raise LabError("ping gave no statistics: %.300s" % text)
    sent = int(m.group(1))
    got = {int(x) for x in re.findall(r"^\[\d+\.\d+\] \d+ bytes from .*icmp_seq=(\d+)",
                                      text, re.M)}
    lost = [q for q in range(1, sent) if q not in got]
    return len(lost), sent - 1, lost


@dataclass
class PingStats:
    tx: int
    rx: int
    max_gap_ms: float
    gap_start_ms: float      # epoch ms of the last reply before the largest gap
    pps: float

    @classmethod
    def parse(cls, text):
        replies = [float(m.group(1)) * 1000.0
                   for m in re.finditer(r"^\[(\d+\.\d+)\] \d+ bytes from", text, re.M)]
        m = re.search(r"(\d+) packets transmitted, (\d+) received.*time (\d+)ms", text)
        if not m or len(replies) < 2:
            raise LabError("ping gave no usable output: %.300s" % text)
        tx, rx, dur = int(m.group(1)), int(m.group(2)), int(m.group(3))
        gap, start = 0.0, replies[0]
        for a, b in zip(replies, replies[1:]):
            if b - a > gap:
                gap, start = b - a, a
        return cls(tx, rx, round(gap), start, round(tx * 1000.0 / dur, 1) if dur else 0.0)


class RouteMonitor:
    """`ip -ts monitor route` in a namespace; events for one prefix with their kernel time."""

    def __init__(self, ns, path=None, prefix=None):
        self.path = path
        self.p = subprocess.Popen(["ip", "-ts", "-n", ns, "monitor", "route"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # the routes of prefix already there (a backup route waiting behind the best one):
        # the events alone would not say what the kernel falls to when the best one goes
        self.initial = run(["ip", "-n", ns, "route", "show", prefix]) if prefix else ""

    def stop(self):
        self.p.terminate()
        out, _ = self.p.communicate(timeout=10)
        if self.path:
            with open(self.path, "w") as f:
                f.write("# routes at start\n%s# events\n%s" % (self.initial, out))
        first = "".join("[1970-01-01T00:00:00.000000] " + l + "\n" if not l[:1].isspace()
                        else l + "\n" for l in self.initial.splitlines())
        return RouteEvents.parse(first + out)


class RouteEvents:
    def __init__(self, events):
        self.events = events   # [(epoch ms, text of the whole message incl. nexthop lines)]

    @classmethod
    def parse(cls, text):
        events = []
        for line in text.splitlines():
            m = re.match(r"^\[([0-9T:.\-]+)\] (.*)$", line)
            if m:
                ts = datetime.fromisoformat(m.group(1)).timestamp() * 1000.0
                events.append([ts, m.group(2)])
            elif events and line[:1] in (" ", "\t"):
                events[-1][1] += "\n" + line.strip()
        return cls([tuple(e) for e in events])

    def first(self, prefix, after_ms, devs_present=(), devs_absent=()):
        """Epoch ms of the first event for prefix after after_ms after which the route the
        kernel forwards by (the lowest metric of the prefix's routes, replayed from the
        routes at start and every event) has nexthops including every dev in devs_present
        and none in devs_absent; None if there is none."""
        routes = {}     # metric -> text of the route
        for ts, text in self.events:
            body = text[len("Deleted "):] if text.startswith("Deleted ") else text
            if not body.startswith(prefix + " "):
                continue
            m = re.search(r"\bmetric (\d+)", body)
            metric = int(m.group(1)) if m else 0
            if text.startswith("Deleted"):
                routes.pop(metric, None)
            else:
                routes[metric] = body
            if ts < after_ms or not routes:
                continue
            best = routes[min(routes)]
            if all("dev %s " % d in best + " " for d in devs_present) and \
                    not any("dev %s " % d in best + " " for d in devs_absent):
                return ts
        return None


# ---- breakers: how a path fails
def carrier_loss(ns, ifname):
    """The link goes down where the router sees it (zebra gets the link event)."""
    return (lambda: run(["ip", "-n", ns, "link", "set", ifname, "down"]),
            lambda: run(["ip", "-n", ns, "link", "set", ifname, "up"]))


def silent_loss(ns, ifname):
    """Every packet lost in both directions while the links stay up: one tc batch, so both
    directions fail at the same instant (two commands make a one-way failure for a moment)."""
    return (lambda: tc_batch(ns, ["qdisc add dev %s root netem loss 100%%" % ifname,
                                  "qdisc add dev %s ingress" % ifname,
                                  "filter add dev %s parent ffff: matchall action drop" % ifname]),
            lambda: tc_batch(ns, ["qdisc del dev %s root" % ifname,
                                  "qdisc del dev %s ingress" % ifname]))


@dataclass
class Failover:
    case: str
    outage_ms: float          # largest gap between probe replies
    lost: int
    sent: int
    pps: float
    switch_ms: float          # kernel route change, from the last good reply before the outage
    failback_ms: float        # kernel route back on the preferred path, from the repair
    detect_poll_ms: float     # from the break command until the lab saw the new route

    def as_dict(self):
        return asdict(self)

    def line(self):
        return ("%s: outage %d ms (%d/%d probes lost at %.0f pps), kernel switch %s ms after the "
                "last good reply, fail-back %s ms after repair"
                % (self.case, self.outage_ms, self.lost, self.sent, self.pps,
                   _ms(self.switch_ms), _ms(self.failback_ms)))


def _ms(v):
    return "n/a" if v is None else "%d" % v


def measure_failover(lab, case, probe_ns, dst, breaker, route_ns, prefix, switched,
                     new_devs, restored, old_devs, max_wait=30, restore_wait=240, during=None):
    """Break a path under a probe stream and measure the outage and the route switch.

    switched()/restored() say when the kernel has moved to the backup / back to the preferred
    path; new_devs/old_devs are the devices of those paths, to find the switch in the monitor.
    during(), if given, runs once the route has switched, while the path is still broken (a
    scenario's checks of that state; an exception from it repairs the path and propagates)."""
    brk, rst = breaker
    base = lab.out / "failover" / case
    base.parent.mkdir(parents=True, exist_ok=True)
    mon = RouteMonitor(route_ns, path="%s-%d.monitor" % (base, time.time()), prefix=prefix)
    ping = PingProbe(probe_ns, dst, path="%s-%d.ping" % (base, time.time()))
    time.sleep(2)
    t_break = now_ms()
    try:
        brk()
        wait_until(switched, max_wait, "%s: route on the backup path" % case, interval=0.02)
        t_seen = now_ms()
        if during is not None:
            during()
        time.sleep(2)
    except Exception:
        ping.stop()
        mon.stop()
        rst()
        raise
    stats = ping.stop()
    t_restore = now_ms()
    rst()
    wait_until(restored, restore_wait, "%s: route back on the preferred path" % case, interval=0.05)
    time.sleep(0.3)
    ev = mon.stop()
    t_switch = ev.first(prefix, stats.gap_start_ms, devs_present=new_devs, devs_absent=old_devs)
    t_back = ev.first(prefix, t_restore, devs_present=old_devs)
    r = Failover(case=case, outage_ms=stats.max_gap_ms, lost=stats.tx - stats.rx, sent=stats.tx,
                 pps=stats.pps,
                 switch_ms=None if t_switch is None else round(t_switch - stats.gap_start_ms),
                 failback_ms=None if t_back is None else round(t_back - t_restore),
                 detect_poll_ms=round(t_seen - t_break))
    log("failover " + r.line())
    return r
