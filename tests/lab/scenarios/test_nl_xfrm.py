"""The kernel driver's XFRM read-out (hgw-nl xfrm-sa / xfrm-policy over lib/nl/nl_xfrm.c) on
the on-prem router of azure-aa, against iproute2's `ip -s xfrm state` in the same namespace.

The baseline's tunnels a0 and a1 are up (charon installed their CHILD_SAs, VTI marks 11 and
12): every SA the driver reads must be one `ip` lists, with the same SPI, reqid, mark and
algorithm; its counters lie between two reads of the driver around `ip`'s, and grow with
traffic through the tunnels.  `ip` prints the keys; the driver's output must hold none of
them, in any form.
"""

import json
import re

from hgwlab import azure_aa as aa
from hgwlab import tools
from hgwlab.nltool import nl
from hgwlab.proc import log, run
from hgwlab.wait import wait_until

ONPREM = aa.ONPREM


def ip_states():
    """`ip -s xfrm state` as {spi: {...}} with the keys it shows, for the comparison only."""
    out = run(["ip", "-s", "xfrm", "state"], ns=ONPREM)
    states = {}
    for block in re.split(r"\n(?=src )", out.strip()):
        # -s adds the decimal SPI and the hex reqid in parentheses
        m = re.search(r"proto (\w+) spi (0x[0-9a-f]+)(?:\(\d+\))? reqid (\d+)(?:\(0x[0-9a-f]+\))? "
                      r"mode (\w+)", block)
        if not m:
            continue
        s = {"proto": m.group(1), "spi": m.group(2), "reqid": int(m.group(3)),
             "mode": m.group(4), "keys": re.findall(r"\b0x([0-9a-f]{16,})\b", block)}
        mk = re.search(r"mark (0x[0-9a-f]+)/(0x[0-9a-f]+)", block)
        s["mark"] = int(mk.group(1), 16) if mk else 0
        al = re.search(r"\taead (\S+) ", block)
        s["aead"] = al.group(1) if al else None
        cur = re.search(r"(\d+)\(bytes\), (\d+)\(packets\)", block)
        s["bytes"], s["packets"] = int(cur.group(1)), int(cur.group(2))
        st = re.search(r"replay-window (\d+) replay (\d+) failed (\d+)", block)
        s["stats"] = tuple(int(x) for x in st.groups())
        ar = re.search(r"anti-replay context: seq (0x[0-9a-f]+), oseq (0x[0-9a-f]+)", block)
        s["seq"], s["oseq"] = (int(ar.group(1), 16), int(ar.group(2), 16)) if ar else (None, None)
        states[s["spi"]] = s
    return states


def tool_sas():
    return {s["spi"]: s for s in nl(ONPREM, "xfrm-sa", "--json")}


def key_forms(hexkey):
    """A key as hex (either case) and each 8-hex-digit piece of it: none may appear."""
    forms = {hexkey.lower(), hexkey.upper()}
    forms |= {hexkey[i:i + 8] for i in range(0, len(hexkey) - 7, 2)}
    return forms


def test_nl_xfrm_sa_matches_ip(azure):
    lab, target = azure
    aa.wait_ready(lab)
    before = tool_sas()
    theirs = ip_states()
    after = tool_sas()
    log("xfrm SAs on onprem: driver %d, ip %d" % (len(after), len(theirs)))
    assert set(after) == set(theirs) == set(before), (sorted(after), sorted(theirs))
    marks = sorted({s["mark"] for s in after.values()})
    assert {11, 12} <= set(marks), marks
    for spi, t in theirs.items():
        s = after[spi]
        assert (s["proto"], s["mode"], s["reqid"], s["mark"]) == (
            t["proto"], t["mode"], t["reqid"], t["mark"]), (s, t)
        if t["aead"]:
            assert s["aead"]["name"] == t["aead"], (s, t)
        assert (s["fail_replay_window"], s["fail_replay"], s["fail_integrity"]) == t["stats"]
        assert before[spi]["packets"] <= t["packets"] <= s["packets"], (before[spi], t, s)
        assert before[spi]["bytes"] <= t["bytes"] <= s["bytes"], (before[spi], t, s)
        assert s["add_time"] > 0 and s["lifetime"]["hard_add_s"] > 0, s
        if t["oseq"] is not None:
            assert before[spi]["oseq"] <= t["oseq"] <= s["oseq"], (before[spi], t, s)
    pols = nl(ONPREM, "xfrm-policy", "--json")
    log("xfrm policies on onprem: %d; marks %s" % (
        len(pols), sorted({p["mark"] for p in pols})))
    assert {11, 12} <= {p["mark"] for p in pols}, pols

    # no key of any SA in any form, in either output format or the debug log
    exe = tools.path("tests/tools/hgw-nl")
    raw = run(["sh", "-c", "%s -v xfrm-sa --json 2>&1; %s -v xfrm-sa 2>&1; %s xfrm-policy 2>&1"
               % (exe, exe, exe)], ns=ONPREM)
    keys = [k for t in theirs.values() for k in t["keys"]]
    assert keys, "ip showed no keys to look for"
    leaked = [f for k in keys for f in key_forms(k) if f in raw]
    assert not leaked, leaked


def out_sas(sas):
    """Outbound SAs (source is onprem's underlay address) by mark."""
    return {s["mark"]: s for s in sas.values() if s["src"] == "198.18.0.1"}


def test_nl_xfrm_counters_grow(azure):
    lab, target = azure
    aa.wait_ready(lab)
    aa.er_session(lab, up=False)
    try:
        wait_until(lambda: aa.via_tunnels(lab, 2), 60, "%s via both tunnels" % aa.CLOUD_PREFIX)
        before = out_sas(tool_sas())
        answered, sent = aa.traffic(lab, 16)
        after = out_sas(tool_sas())
    finally:
        aa.er_session(lab, up=True, timeout=120)
    log("traffic: %d answered, sent per device %s; outbound SA packets %s -> %s" % (
        answered, sent, {m: s["packets"] for m, s in before.items()},
        {m: s["packets"] for m, s in after.items()}))
    for mark, dev in ((11, "vti-a0"), (12, "vti-a1")):
        if sent[dev] > 0:
            assert after[mark]["packets"] - before[mark]["packets"] >= sent[dev], (mark, sent)
            assert after[mark]["bytes"] > before[mark]["bytes"]
            assert after[mark]["oseq"] > before[mark]["oseq"]
    assert sum(sent[d] for d in ("vti-a0", "vti-a1")) >= 16
    print(json.dumps({m: s["packets"] for m, s in after.items()}))
