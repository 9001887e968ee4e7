#!/usr/bin/python3
"""test_nc_confirmed.py SOCKET DAEMON_LOG - confirmed commit (RFC 6241 8.4,
:confirmed-commit:1.1) through ncclient over hybridgwd's unix socket: rollback on timeout,
confirming commit, cancel-commit, rollback when the issuing session goes, persist and
persist-id across sessions, follow-up confirmed commits, kill-session; every rollback goes
through the apply callback (the daemon logs each apply).  Expects running to hold the "azure"
connection (test_nc_access.py admin).  Prints TAP."""
import sys
import time

import ncclient_unix
from nctest import check, describe, description, done, has, rpc_error, xml

sock, log = sys.argv[1], sys.argv[2]
CAP = "urn:ietf:params:netconf:capability:confirmed-commit:1.1"


def applies():
    with open(log) as f:
        return f.read().count("configuration committed")


def rollbacks():
    with open(log) as f:
        return f.read().count("running rolled back")


def wait_for(cond, limit=3.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def stage(m, text):
    m.edit_config(target="candidate", config=description(text))


def desc(m, ds="running"):
    x = xml(m, ds)
    return x[x.find("<description>") + 13:x.find("</description>")] if "<description>" in x else ""


a = ncclient_unix.connect(sock)
check(":confirmed-commit:1.1 advertised", CAP in a.server_capabilities)

# timeout
stage(a, "t1")
n, rb = applies(), rollbacks()
t0 = time.monotonic()
a.commit(confirmed=True, timeout="1")
check("confirmed commit: running has it", desc(a) == "t1")
ok = wait_for(lambda: desc(a) != "t1", 3)
dt = time.monotonic() - t0
check("not confirmed within 1 s: rolled back (after %.2f s)" % dt, ok and 0.9 < dt < 2.5)
check("the rollback went through the apply callback",
      applies() == n + 2 and rollbacks() == rb + 1, (applies() - n, rollbacks() - rb))
check("the candidate follows running back", desc(a, "candidate") == "")

# confirming commit
stage(a, "c1")
a.commit(confirmed=True, timeout="1")
a.commit()
time.sleep(1.5)
check("confirming commit: the change stays past the timeout", desc(a) == "c1")

# cancel-commit
stage(a, "x1")
a.commit(confirmed=True, timeout="30")
a.cancel_commit()
check("cancel-commit: rolled back at once", desc(a) == "c1")
e = rpc_error(a.cancel_commit)
check("cancel-commit with nothing pending: operation-failed", has(e, "operation-failed"),
      describe(e))

# follow-up confirmed commits keep the first rollback point and re-arm the timer
stage(a, "f1")
a.commit(confirmed=True, timeout="1")
stage(a, "f2")
time.sleep(0.6)
a.commit(confirmed=True, timeout="3")
time.sleep(0.8)
check("follow-up confirmed commit re-armed the timeout", desc(a) == "f2")
a.cancel_commit()
check("cancel after a follow-up: back to before the first", desc(a) == "c1")

# session loss, and other sessions
b = ncclient_unix.connect(sock)
stage(b, "s1")
b.commit(confirmed=True, timeout="60")
e = rpc_error(a.commit)
check("another session cannot confirm it: in-use", has(e, "in-use"), describe(e))
e = rpc_error(a.cancel_commit)
check("another session cannot cancel it: in-use", has(e, "in-use"), describe(e))
e = rpc_error(a.commit, persist_id="nope")
check("persist-id for one without persist: invalid-value", has(e, "invalid-value"),
      describe(e))
b.close_session()
check("issuing session closed without persist: rolled back",
      wait_for(lambda: desc(a) == "c1"), desc(a))

# persist: outlives its session; confirmed or cancelled by persist-id from any session
b = ncclient_unix.connect(sock)
stage(b, "p1")
b.commit(confirmed=True, timeout="60", persist="token-1")
b.close_session()
time.sleep(0.3)
check("persist: survives the session's end", desc(a) == "p1")
e = rpc_error(a.commit)
check("persist: commit without persist-id: invalid-value", has(e, "invalid-value"), describe(e))
e = rpc_error(a.commit, persist_id="token-2")
check("persist: wrong persist-id: invalid-value", has(e, "invalid-value"), describe(e))
e = rpc_error(a.cancel_commit)
check("persist: cancel-commit without persist-id: invalid-value", has(e, "invalid-value"),
      describe(e))
a.commit(persist_id="token-1")
check("persist: confirmed by persist-id from another session", desc(a) == "p1")

b = ncclient_unix.connect(sock)
stage(b, "p2")
b.commit(confirmed=True, timeout="60", persist="token-3")
b.close_session()
a.cancel_commit(persist_id="token-3")
check("persist: cancelled by persist-id from another session", desc(a) == "p1")

b = ncclient_unix.connect(sock)
stage(b, "p3")
b.commit(confirmed=True, timeout="1", persist="token-4")
b.close_session()
check("persist: still rolled back on timeout", wait_for(lambda: desc(a) == "p1", 3), desc(a))
e = rpc_error(a.commit, persist_id="token-4")
check("persist-id after the rollback: invalid-value", has(e, "invalid-value"), describe(e))

e = rpc_error(a.commit, confirmed=True, timeout="0")
check("confirm-timeout 0: refused", e is not None, describe(e))
# kill-session ends the other session as a lost transport would
b = ncclient_unix.connect(sock)
b.lock("candidate")
stage(b, "k1")
b.commit(confirmed=True, timeout="60")
e = rpc_error(a.kill_session, a.session_id)
check("kill-session of itself: invalid-value", has(e, "invalid-value"), describe(e))
e = rpc_error(a.kill_session, "65000")
check("kill-session of no session: invalid-value", has(e, "invalid-value"), describe(e))
a.kill_session(b.session_id)
check("kill-session: the victim's confirmed commit rolled back", desc(a) == "p1", desc(a))
e = rpc_error(a.lock, "candidate")
check("kill-session: the victim's lock released", e is None, describe(e))
a.unlock("candidate")
try:
    b.get_config("running")
    gone = False
except Exception:
    gone = True
check("kill-session: the victim's transport is closed", gone)
a.close_session()
done()
