"""hgw-nl (tests/tools/hgw-nl, the kernel driver's test tool) from lab scenarios: one exec in
the node's namespace per call, one JSON object per output line."""

import json

from . import tools
from .proc import run


def nl(ns, *args, timeout=60):
    """Run hgw-nl ARGS in ns; return its JSON lines."""
    out = run([tools.path("tests/tools/hgw-nl")] + [str(a) for a in args], ns=ns,
              timeout=timeout)
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]
