"""pytest wiring for lab scenarios (runs inside UML; started by tests/lab/run).

One lab per topology per run (building azure-aa takes ~2 minutes in UML), shared by the
scenarios. Each scenario states its own preconditions and waits for them, so any one of them
can run alone. A failing scenario leaves the state of every node and every daemon log in
OUT/failed/<scenario>/.
"""

import os
import re
from pathlib import Path

import pytest

from hgwlab import azure_aa
from hgwlab.proc import log

OUT = Path(os.environ.get("HGW_OUT", "/tmp"))
_labs = {}


def pytest_addoption(parser):
    parser.addoption("--target", default="baseline", help="who configures onprem (baseline)")


@pytest.fixture(scope="session")
def azure(request):
    """(lab, target) for topology azure-aa, configured and up."""
    target = request.config.getoption("--target")
    try:
        lab, tgt = azure_aa.start(OUT, target)
    except BaseException:
        log("lab set-up failed; see %s" % OUT)
        raise
    _labs["azure-aa"] = lab
    yield lab, tgt
    _labs.pop("azure-aa", None)
    lab.teardown()


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
