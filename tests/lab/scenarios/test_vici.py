"""hybridgw's VICI client (lib/vici, through tests/tools/hgw-vici) drives the on-prem charon:
it takes over the tunnels from the hand-loaded baseline, brings both up, and reports what the
kernel really has: CHILD_SA events with the SPIs of the kernel's SAs, counters that grow with
traffic, and a rekey (make-before-break) that the tunnels' traffic does not notice."""

import json
import os
import re
import time

from hgwlab import azure_aa as aa
from hgwlab.probe import PingProbe
from hgwlab.proc import run
from hgwlab.tools import Vici, parse_events
from hgwlab.wait import wait_until

CLOUD = {"a0": ("198.18.0.6", 11), "a1": ("198.18.0.10", 12)}
# Azure uses one pre-shared key for both instances of a gateway
PSK = {"a0": "lab-psk-azure-not-a-secret", "a1": "lab-psk-azure-not-a-secret"}


def kernel_spis(lab):
    out = run(["ip", "-n", aa.ONPREM, "xfrm", "state"])
    return {int(s, 16) for s in re.findall(r"spi (0x[0-9a-f]+)", out)}


def child_sas(vici):
    sas = json.loads(vici("list-sas", "--json"))
    return {c["name"]: c for sa in sas for c in sa["children"]}


def load(lab, vici, name, rekey=0):
    remote, mark = CLOUD[name]
    secret = lab.state / ("psk-%s" % name)
    secret.write_text(PSK[name])
    os.chmod(secret, 0o600)
    vici("load-psk", "id=ike-%s" % name, "secret-file=%s" % secret,
         "owners=198.18.0.1,%s" % remote)
    args = ["name=%s" % name, "child=%s" % name, "version=2", "local_addrs=198.18.0.1",
            "remote_addrs=%s" % remote, "local_id=198.18.0.1", "remote_id=%s" % remote,
            "proposals=aes256-sha256-modp2048", "esp_proposals=aes256gcm16",
            "mark_in=%d" % mark, "mark_out=%d" % mark, "local_ts=0.0.0.0/0",
            "remote_ts=0.0.0.0/0", "dpd_delay=10", "dpd_action=restart", "start_action=none",
            "keyingtries=0"]
    if rekey:
        # charon's default jitter is life - rekey: keep it 3 s so the new SA does not rekey
        # again at once
        args += ["child_rekey_time=%d" % rekey, "child_life_time=%d" % (rekey + 3)]
    vici("load-conn", *args)


def test_vici_client_drives_the_tunnels(azure):
    lab, _ = azure
    charon = lab.charon[aa.ONPREM]
    vici = Vici(charon.vici)
    evlog = lab.out / "vici-events.log"
    ev = vici.events(evlog, 120)
    try:
        # take the tunnels over from the baseline's swanctl-loaded connections
        for name in CLOUD:
            vici("terminate", name)
            vici("unload-conn", name)
        wait_until(lambda: not charon.child_states(), 30, "no CHILD_SA left on onprem")
        load(lab, vici, "a0", rekey=12)
        load(lab, vici, "a1")
        t0 = time.time()
        for name in CLOUD:
            vici("initiate", name, name)

        def ups():
            evs = parse_events(evlog.read_text())
            return {c["name"]: c for k, up, _, c in evs if k == "child-updown" and up and c}
        up = wait_until(lambda: len(ups()) == 2 and ups(), 30, "child-updown up for a0 and a1")
        took = time.time() - t0
        kernel = kernel_spis(lab)
        for name, c in up.items():
            assert int(c["spi-in"], 16) in kernel and int(c["spi-out"], 16) in kernel, (c, kernel)
            assert int(c["mark-in"], 16) == CLOUD[name][1]

        # counters from charon grow with traffic through each tunnel
        before = child_sas(vici)
        for t in aa.TUNNELS.values():
            out = run(["ping", "-n", "-c5", "-i0.2", "-W2", t["peer"]], ns=aa.ONPREM)
            assert " 0% packet loss" in out
        after = child_sas(vici)
        for name in CLOUD:
            b, a = before[name], after[name]
            assert a["spi-in"] == b["spi-in"], (b, a)     # a0 rekeys 9 s after up at the earliest
            assert a["packets-out"] >= b["packets-out"] + 5, (b, a)
            assert a["packets-in"] >= b["packets-in"] + 5, (b, a)

        # a0 rekeys after 9-12 s: new SPIs in the kernel, the old ones gone, no ping lost
        probe = PingProbe(aa.ONPREM, "169.254.21.2", interval=0.05)

        def rekeyed():
            evs = parse_events(evlog.read_text())
            return [c for k, _, _, c in evs if k == "child-rekey" and c and c["name"] == "a0"]
        try:
            wait_until(rekeyed, 60, "child-rekey event for a0")
            time.sleep(1)
        finally:
            stats = probe.stop()
        line = [l for l in evlog.read_text().splitlines() if "event=child-rekey" in l][0]
        new_in = int(line.split("new-spi-in=")[1].split()[0], 16)
        new_out = int(line.split("new-spi-out=")[1].split()[0], 16)
        old = rekeyed()[0]
        wait_until(lambda: int(old["spi-in"], 16) not in kernel_spis(lab), 30,
                   "old a0 SAs removed from the kernel")
        kernel = kernel_spis(lab)
        assert new_in in kernel and new_out in kernel, (line, kernel)
        assert stats.tx - stats.rx <= 1, stats            # make-before-break: no outage
        lab.timing("vici_initiate_to_both_child_updown", took * 1000)
    finally:
        ev.terminate()
        ev.wait(timeout=5)
    # BGP comes back over the tunnels the client made, and the lab is as the others expect
    aa.wait_ready(lab)
