"""Failover benchmark, run inside UML by `bench/run failover`.

For each target (baseline now; hybridgwd once it exists) build azure-aa, let the target
configure onprem, then run every case N times: a probe stream from the LAN host to the cloud,
the kernel's route monitor on onprem, a break, the switch to the backup path, the repair and
the fail-back. Reports medians and ranges per case and target; raw runs in results.json.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from hgwlab import azure_aa as aa
from hgwlab.proc import log

CASES = {
    "er-carrier": lambda lab, t: aa.failover_er(lab, t, "er-carrier"),
    "er-silent-bfd100": lambda lab, t: aa.failover_er(lab, t, "er-silent-bfd100"),
    "er-silent-bfd50": lambda lab, t: aa.failover_er(lab, t, "er-silent-bfd50"),
    "tunnel-silent": lambda lab, t: aa.failover_tunnel(lab, t, "a0"),
}
METRICS = ("outage_ms", "switch_ms", "failback_ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", default="baseline")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cases", default=",".join(CASES))
    a = ap.parse_args()
    out = Path(os.environ["HGW_OUT"])
    cases = a.cases.split(",")
    for c in cases:
        if c not in CASES:
            sys.exit("unknown case %r (known: %s)" % (c, ", ".join(CASES)))
    results = {}
    for target in a.targets.split(","):
        with aa.running(out, target) as (lab, tgt):
            for case in cases:
                runs = []
                for i in range(a.runs):
                    log("=== %s %s run %d/%d" % (target, case, i + 1, a.runs))
                    runs.append(CASES[case](lab, tgt).as_dict())
                results.setdefault(target, {})[case] = runs
                (out / "results.json").write_text(json.dumps(results, indent=1))
    table = summary(results, a.runs)
    (out / "summary.md").write_text(table)
    print(table)


def summary(results, runs):
    lines = ["| target | case | runs | outage ms median (min-max) | kernel switch ms median "
             "(min-max) | fail-back ms median (min-max) | probes lost median |",
             "|---|---|---|---|---|---|---|"]
    for target, cases in results.items():
        for case, rs in cases.items():
            cells = [aa.median_range(r[m] for r in rs) for m in METRICS]
            lost = statistics.median(r["lost"] for r in rs)
            lines.append("| %s | %s | %d | %s | %d |" % (target, case, len(rs), " | ".join(cells),
                                                          lost))
    lines.append("")
    lines.append("%s, %d runs per case" % (time.strftime("%Y-%m-%d %H:%M"), runs))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
