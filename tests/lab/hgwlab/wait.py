"""Waiting for conditions, with hard timeouts and a message that says what did not happen."""

import time

from .proc import LabError


class LabTimeout(LabError):
    pass


def wait_until(pred, timeout, what, interval=0.05):
    """Poll pred() until it returns something true; return that value.

    On timeout raise LabTimeout naming `what` and the last value seen (or the last exception
    pred raised), so a failed scenario says what state it was stuck in."""
    end = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
            last = v
        except LabError as e:
            last = "error: %s" % e
        if time.monotonic() >= end:
            raise LabTimeout("timed out after %.0fs waiting for %s (last seen: %r)"
                             % (timeout, what, last))
        time.sleep(interval)
