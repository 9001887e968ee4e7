"""pytest wiring for lab scenarios (runs inside UML; started by tests/lab/run).

One lab per topology and target per run (building azure-aa takes ~2 minutes in UML), shared
by the scenarios. Each scenario states its own preconditions and waits for them, so any one of
them can run alone. A failing scenario leaves the state of every node and every daemon log in
OUT/failed/<scenario>/.
"""

import os
import re
from pathlib import Path

import pytest

from hgwlab import azure_aa
from hgwlab.proc import LabError, log

OUT = Path(os.environ.get("HGW_OUT", "/tmp"))
_labs = {}
_current = {}    # topology -> (target name, lab, target): the one lab of that topology up now
_failed = {}     # (topology, target name) -> why its set-up failed (not tried again)


def pytest_addoption(parser):
    parser.addoption("--target", default="baseline",
                     help="who configures onprem (baseline, hybridgwd)")


def _azure(target):
    """(lab, target) for azure-aa configured by `target`, built once and shared. Labs of one
    topology use the same namespaces, so one of them is up at a time: asking for another
    target tears the current one down (the scenarios are ordered so this happens once)."""
    cur = _current.get("azure-aa")
    if cur and cur[0] == target:
        return cur[1], cur[2]
    if ("azure-aa", target) in _failed:
        raise LabError("lab set-up with target %s failed before: %s"
                       % (target, _failed["azure-aa", target]))
    _end("azure-aa", keep_logs=True)
    try:
        lab, tgt = azure_aa.start(OUT, target)
    except BaseException as e:
        _failed["azure-aa", target] = e
        log("lab set-up failed; see %s" % OUT)
        raise
    _labs["azure-aa"] = lab
    _current["azure-aa"] = (target, lab, tgt)
    return lab, tgt


def _end(topology, keep_logs=False):
    """Tear the topology's lab down; keep_logs: move its daemon logs to OUT/logs-<target>/
    first, as the next lab's daemons write to OUT/logs/ again (charon starts its log anew)."""
    cur = _current.pop(topology, None)
    _labs.pop(topology, None)
    if cur:
        target, lab, _ = cur
        lab.teardown()
        if keep_logs and lab.logs.is_dir():
            dest = lab.logs.with_name("logs-%s" % target)
            n = 1
            while dest.exists():
                n += 1
                dest = lab.logs.with_name("logs-%s-%d" % (target, n))
            lab.logs.rename(dest)
            log("the %s lab's daemon logs are in %s" % (target, dest))


@pytest.fixture
def azure(request):
    """(lab, target) for topology azure-aa, configured by --target and up."""
    return _azure(request.config.getoption("--target"))


@pytest.fixture
def azure_hybridgwd():
    """(lab, target) for topology azure-aa configured by hybridgwd, whatever --target says."""
    return _azure("hybridgwd")


def pytest_collection_modifyitems(session, config, items):
    """Scenarios that need another target than --target run last, so a run builds each lab
    once."""
    other = {"azure_hybridgwd"} if config.getoption("--target") != "hybridgwd" else set()
    items.sort(key=lambda item: bool(other & set(getattr(item, "fixturenames", ()))))


def pytest_sessionfinish(session, exitstatus):
    for topology in list(_current):
        _end(topology)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", item.name)
        for lab in _labs.values():
            try:
                lab.collect(OUT / "failed" / name)
            except Exception as e:  # a post-mortem must not hide the failure itself
                log("collecting state failed: %s" % e)
