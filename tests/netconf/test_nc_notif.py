#!/usr/bin/python3
"""test_nc_notif.py drive SOCKET HOOK | listen SOCKET ROLE - notifications (RFC 5277, the
NETCONF stream) through ncclient over hybridgwd's unix socket: netconf-config-change on a
commit and on a confirmed commit's rollback, and the model's tunnel-state-change,
bgp-peer-state-change and path-switch, raised through the daemon's test hook (the C API
the coordinator will call).  "drive" runs as root (admin); with $OPERATOR_CMD (a setpriv
command line) it also starts "listen" as the operator, which must receive everything but
the edit of the pre-shared key.  Prints TAP."""
import os
import socket
import subprocess
import sys
import time

import ncclient_unix
from nctest import KEY, NS, cfg, check, describe, description, done, has, rpc_error

NOTIF_CAP = "urn:ietf:params:netconf:capability:notification:1.0"
INTERLEAVE_CAP = "urn:ietf:params:netconf:capability:interleave:1.0"
NEW_KEY = "Zq7-second-key-also-hidden"


def receive(m, until, limit=8.0):
    """Notifications (as XML) until one contains `until`."""
    got = []
    end = time.monotonic() + limit
    while time.monotonic() < end:
        n = m.take_notification(block=True, timeout=max(0.1, end - time.monotonic()))
        if n is None:
            continue
        got.append(n.notification_xml)
        if until in got[-1]:
            break
    return got


def find(got, text):
    return [x for x in got if text in x]


def listen(sock, role):
    record = bytearray()
    m = ncclient_unix.connect(sock, record=record)
    m.create_subscription()
    print("ready", flush=True)
    got = receive(m, "path-switch", 15)
    changes = find(got, "netconf-config-change")
    check("%s: netconf-config-change received" % role, len(changes) >= 2, got)
    check("%s: the description's edit is reported" % role,
          any("description" in x for x in changes), changes)
    if role == "operator":
        check("operator: the key's edit is not reported",
              not any("pre-shared-key" in x for x in changes), changes)
    else:
        check("admin: the key's edit is reported (its path, not its value)",
              any("pre-shared-key" in x for x in changes), changes)
    check("%s: tunnel, bgp and path-switch received" % role,
          find(got, "tunnel-state-change") and find(got, "bgp-peer-state-change") and
          find(got, "path-switch"), got)
    m.close_session()
    check("%s: no key in the %d bytes received" % (role, len(record)),
          KEY.encode() not in record and NEW_KEY.encode() not in record and b"Zq7" not in record)


def drive(sock, hook):
    listener = None
    if os.environ.get("OPERATOR_CMD"):
        listener = subprocess.Popen(
            os.environ["OPERATOR_CMD"].split() + [sys.executable, __file__, "listen", sock,
                                                  "operator"],
            stdout=subprocess.PIPE, text=True)
        line = listener.stdout.readline()
        check("the operator subscribed", line.strip() == "ready", line)

    m = ncclient_unix.connect(sock)
    caps = list(m.server_capabilities)
    check(":notification:1.0 and :interleave:1.0 advertised",
          NOTIF_CAP in caps and INTERLEAVE_CAP in caps, caps)
    e = rpc_error(m.create_subscription, stream_name="OTHER")
    check("another stream: invalid-value", has(e, "invalid-value"), describe(e))
    e = rpc_error(m.create_subscription, start_time="2026-01-01T00:00:00Z")
    check("replay: operation-not-supported", has(e, "operation-not-supported"), describe(e))
    m.create_subscription()
    e = rpc_error(m.create_subscription)
    check("a second subscription: refused", e is not None, describe(e))

    # a commit, by root in this session (interleave: RPCs go on)
    m.edit_config(target="candidate", config=cfg(
        "<connections><connection><name>azure</name><description>n1</description>"
        "<pre-shared-key>%s</pre-shared-key></connection></connections>" % NEW_KEY))
    t0 = time.monotonic()
    m.commit()
    got = receive(m, "netconf-config-change", 3)
    dt = time.monotonic() - t0
    c = find(got, "netconf-config-change")
    check("commit: netconf-config-change (%.0f ms)" % (dt * 1000),
          bool(c) and "<username>root</username>" in c[0] and
          "<session-id>%s</session-id>" % m.session_id in c[0] and
          "connection[name='azure']/description" in c[0].replace("hgw:", "") and
          ("<operation>replace</operation>" in c[0] or "<operation>create</operation>" in c[0]),
          got)

    # a confirmed commit that is not confirmed: the rollback is reported, by the server
    m.edit_config(target="candidate", config=description("n2"))
    m.commit(confirmed=True, timeout="1")
    got = receive(m, "<server", 4)
    c = find(got, "<server")
    check("rollback on timeout: netconf-config-change by the server",
          len(c) == 1 and "description" in c[0], got)

    # the model's notifications, through the C API
    h = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    h.sendto(b"tunnel azure in0 down DPD timeout", hook)
    got = receive(m, "tunnel-state-change", 3)
    t = find(got, "tunnel-state-change")
    check("tunnel-state-change with its values",
          t and all(x in t[0] for x in ("<connection>azure</connection>", "<gateway>in0<",
                                        "<state>down</state>", "<reason>DPD timeout<")),
          got)
    h.sendto(b"bgp 169.254.21.1 tunnel azure/in0 established idle", hook)
    got = receive(m, "bgp-peer-state-change", 3)
    t = find(got, "bgp-peer-state-change")
    check("bgp-peer-state-change with its values",
          t and all(x in t[0] for x in ("<peer-address>169.254.21.1<", "<path-class>tunnel<",
                                        "<old-state>established<", "<new-state>idle<")),
          got)
    h.sendto(b"path-switch azure/in0 private0 412345 BFD down", hook)
    got = receive(m, "path-switch", 3)
    t = find(got, "path-switch")
    check("path-switch with its values",
          t and all(x in t[0] for x in ("<from-path>azure/in0<", "<to-path>private0<",
                                        "<duration>412345<", "<reason>BFD down<")), got)
    check("eventTime on every notification", t and "<eventTime>" in t[0], got)
    h.close()
    m.close_session()
    if listener is not None:
        out, _ = listener.communicate(timeout=20)
        for line in out.splitlines():
            if line.startswith("ok ") or line.startswith("not ok "):
                check("(operator listener) " + line.split(" - ", 1)[-1],
                      line.startswith("ok "), line)
        check("the operator listener passed", listener.returncode == 0, listener.returncode)


if sys.argv[1] == "listen":
    listen(sys.argv[2], sys.argv[3])
else:
    drive(sys.argv[2], sys.argv[3])
done()
