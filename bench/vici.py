"""VICI latency benchmark, run inside UML by `bench/run vici`.

Builds azure-aa with the baseline, then takes tunnel a0 down and up again N times each way,
alternating, in the same boot:
- hgw-vici:  `hgw-vici load-conn ...` + `hgw-vici initiate a0 a0` (lib/vici)
- swanctl:   `swanctl --load-all` + `swanctl --initiate --child a0` (the baseline)
Both load the same connection (the baseline's a0 with start_action = none, so that only the
initiate starts it; swanctl also reloads the unchanged a1 and the secrets, as --load-all does) and are timed the same way: from just before the first command to the
child-updown (up) event for a0, stamped by one `hgw-vici events` watcher that runs
throughout. Between runs a0 is terminated and unloaded, so each run is a first load. a1 and
BGP are left alone. Raw runs in results.json.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from hgwlab import azure_aa as aa
from hgwlab.proc import log
from hgwlab.targets import BASELINE_DIR
from hgwlab.tools import Vici, parse_events
from hgwlab.wait import wait_until

# the baseline's a0 (tests/lab/baseline/azure-aa/swanctl.conf), started by the initiate only
CONN = {
    "name": "a0", "child": "a0", "version": "2", "local_addrs": "198.18.0.1",
    "remote_addrs": "198.18.0.6", "local_id": "198.18.0.1", "remote_id": "198.18.0.6",
    "proposals": "aes256-sha256-modp2048", "esp_proposals": "aes256gcm16", "dpd_delay": "10",
    "keyingtries": "0", "mark_in": "11", "mark_out": "11", "local_ts": "0.0.0.0/0",
    "remote_ts": "0.0.0.0/0", "start_action": "none", "dpd_action": "restart",
    "close_action": "start",
}


def swanctl_conf():
    """The baseline's swanctl.conf with a0 not started on load: swanctl --load-all unloads
    whatever the file does not have, so a1 stays in it, unchanged (charon keeps it as is)."""
    text = (BASELINE_DIR / "azure-aa" / "swanctl.conf").read_text()
    a0 = text.index("a0 {")
    assert text.index("start_action = start", a0) < text.index("a1 {")
    return text[:a0] + text[a0:].replace("start_action = start", "start_action = none", 1)


def a0_up_events(evlog):
    """Timestamps (s) of child-updown up events for a0 so far."""
    return [float(h["t"]) for k, up, h, c in parse_events(evlog.read_text())
            if k == "child-updown" and up and c and c.get("name") == "a0"]


def take_down(vici, charon):
    """a0 terminated and unloaded on onprem, nothing of it left in charon."""
    vici("terminate", "a0", timeout=30)
    wait_until(lambda: "a0" not in charon.child_states(), 30, "a0's CHILD_SA gone")
    wait_until(lambda: json.loads(vici("list-sas", "--json", "a0")) == [], 30, "a0's IKE_SA gone")
    vici("unload-conn", "a0")


# each is (load, initiate): the split shows what the tool costs apart from IKE itself
METHODS = {
    "hgw-vici": (lambda vici, charon, conf: vici("load-conn", *["%s=%s" % kv
                                                               for kv in CONN.items()]),
                 lambda vici, charon, conf: vici("initiate", "a0", "a0")),
    "swanctl": (lambda vici, charon, conf: charon.swanctl("--load-all", "--noprompt", "--file",
                                                          str(conf)),
                lambda vici, charon, conf: charon.swanctl("--initiate", "--child", "a0",
                                                          "--timeout", "30", timeout=35)),
}


def measure(method, vici, charon, conf, evlog):
    """(load + initiate -> CHILD_SA installed, load alone) in ms."""
    load, initiate = METHODS[method]
    before = len(a0_up_events(evlog))
    t0 = time.time()
    load(vici, charon, conf)
    t_load = time.time()
    initiate(vici, charon, conf)
    ups = wait_until(lambda: a0_up_events(evlog)[before:], 60, "child-updown up for a0 (%s)"
                     % method)
    ms, load_ms = (ups[0] - t0) * 1000, (t_load - t0) * 1000
    log("vici bench: %s load + initiate -> CHILD_SA installed: %.0f ms (load %.0f ms)"
        % (method, ms, load_ms))
    return ms, load_ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    out = Path(os.environ["HGW_OUT"])
    results = {m: [] for m in METHODS}
    with aa.running(out, "baseline") as (lab, _):
        charon = lab.charon[aa.ONPREM]
        vici = Vici(charon.vici)
        conf = lab.state / "bench-vici-swanctl.conf"
        conf.write_text(swanctl_conf())
        os.chmod(conf, 0o600)
        evlog = out / "vici-bench-events.log"
        ev = vici.events(evlog, 3600)
        try:
            wait_until(lambda: "connected" in evlog.read_text(), 10, "hgw-vici events connected")
            for i in range(a.runs):
                for method in METHODS:
                    log("=== vici %s run %d/%d" % (method, i + 1, a.runs))
                    take_down(vici, charon)
                    results[method].append(measure(method, vici, charon, conf, evlog))
                    (out / "results.json").write_text(json.dumps(results, indent=1))
        finally:
            ev.terminate()
            ev.wait(timeout=5)
    table = summary(results, a.runs)
    (out / "summary.md").write_text(table)
    print(table)


def summary(results, runs):
    lines = ["| path | runs | load + initiate -> CHILD_SA installed, ms median (min-max) "
             "| of which the load command, ms median (min-max) |", "|---|---|---|---|"]
    med = {}
    for method, rs in results.items():
        cells = [aa.median_range((r[i] for r in rs), "%.0f") for i in (0, 1)]
        med[method] = statistics.median(r[0] for r in rs)
        lines.append("| %s | %d | %s |" % (method, len(rs), " | ".join(cells)))
    lines.append("")
    lines.append("ratio swanctl / hgw-vici (medians): %.2f" % (med["swanctl"] / med["hgw-vici"]))
    lines.append("%s, %d runs per path, alternating" % (time.strftime("%Y-%m-%d %H:%M"), runs))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
