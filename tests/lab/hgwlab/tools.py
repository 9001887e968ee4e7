"""hybridgw's own programs, as built (not installed): the lab drives the real code.

The build directory is $HGW_BUILD, or build/ at the top of the tree (what ./quickstart builds).
"""

import os
import re
import subprocess
from pathlib import Path

from .proc import LabError, run

TOP = Path(__file__).resolve().parent.parent.parent.parent


def build_dir():
    return Path(os.environ.get("HGW_BUILD", TOP / "build"))


def path(relpath):
    p = build_dir() / relpath
    if not os.access(p, os.X_OK):
        raise LabError("%s is not built (looked in %s; run ./quickstart build or set HGW_BUILD)"
                       % (relpath, build_dir()))
    return str(p)


def kv(text):
    """KEY=VALUE words of one line as a dict (later keys win)."""
    return dict(m.groups() for m in re.finditer(r"([\w-]+)=(\S*)", text))


class Vici:
    """tests/tools/hgw-vici against one charon's VICI socket."""

    def __init__(self, socket):
        self.socket = str(socket)
        self.exe = path("tests/tools/hgw-vici")

    def __call__(self, *args, timeout=30):
        return run([self.exe, "--socket", self.socket] + [str(a) for a in args], timeout=timeout)

    def events(self, logfile, seconds):
        """Start `hgw-vici events` for `seconds`; returns the Popen (output in logfile)."""
        f = open(logfile, "w")
        p = subprocess.Popen([self.exe, "--socket", self.socket, "events", "--for",
                              str(seconds)], stdout=f, stderr=subprocess.STDOUT)
        f.close()
        return p


def parse_events(text):
    """hgw-vici event lines -> [(kind, up, ike dict, child dict or None)]."""
    out = []
    for line in text.splitlines():
        if " event=" not in line:
            continue
        head, _, child = line.partition(" child=1 ")
        h = kv(head)
        out.append((h["event"], h.get("up") == "1", h, kv(child) if child else None))
    return out
