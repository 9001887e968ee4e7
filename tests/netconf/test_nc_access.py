#!/usr/bin/python3
"""test_nc_access.py MODE SOCKET [STARTUP] - the admin and operator roles (RFC 8341 in the
small, lib/nc/nc_acm.h) through ncclient over hybridgwd's unix socket.  MODE:
  admin     configure a pre-shared key into running, candidate and startup; root sees it
  operator  run as a user the users file makes operator: every read works but the key is in
            none of the bytes the server sends; every change is access-denied
  refused   run as a user with no role: the server closes the connection
  admin-again  after the operator: root still sees the key
Prints TAP."""
import sys

import ncclient_unix
from ncclient.xml_ import to_ele
from nctest import (AZURE, GLOBAL, KEY, NC, NS, UNDERLAY, cfg, check, describe, description, done,
                    has, rpc_error, xml)

mode, sock = sys.argv[1], sys.argv[2]
HGW = {"hgw": NS}


def admin():
    m = ncclient_unix.connect(sock)
    m.edit_config(target="candidate", config=cfg(GLOBAL + UNDERLAY + AZURE))
    m.commit()
    m.copy_config(source="running", target="startup")
    for ds in ("running", "candidate", "startup"):
        check("admin: get-config %s shows the key" % ds, KEY in xml(m, ds))
    check("admin: get shows the key", KEY in m.get().data_xml)
    m.close_session()


def operator():
    record = bytearray()
    m = ncclient_unix.connect(sock, record=record)
    for ds in ("running", "candidate", "startup"):
        x = xml(m, ds)
        check("operator: get-config %s: the rest is there, the key is not" % ds,
              "169.254.21.1" in x and "<name>azure</name>" in x and
              "pre-shared-key" not in x and KEY not in x, x[:400])
    g = m.get().data_xml
    check("operator: get: no key", "169.254.21.1" in g and "pre-shared-key" not in g)
    f = xml(m, "running", ("xpath", (HGW, "//hgw:pre-shared-key")))
    check("operator: xpath filter for the key: nothing", "pre-shared-key" not in f, f)
    f = xml(m, "running", ("xpath", (HGW, "/hgw:hybridgw/hgw:connections/hgw:connection"
                                           "[hgw:pre-shared-key='%s']/hgw:name" % KEY)))
    check("operator: xpath probe of the key's value: no match", "azure" not in f, f)
    f = xml(m, "running", ("xpath", (HGW, "/hgw:hybridgw/hgw:connections/hgw:connection"
                                           "[starts-with(hgw:pre-shared-key, 'Zq7')]")))
    check("operator: xpath prefix probe: no match", "azure" not in f, f)
    e = rpc_error(m.validate, source="candidate")
    check("operator: validate is a read: allowed", e is None, describe(e))
    check("operator: get-schema is a read: allowed",
          "module hybridgw" in m.get_schema("hybridgw").data)

    denied = [
        ("edit-config candidate", m.edit_config, (),
         dict(target="candidate", config=description("op"))),
        ("edit-config running", m.edit_config, (),
         dict(target="running", config=description("op"))),
        ("commit", m.commit, (), {}),
        ("confirmed commit", m.commit, (), dict(confirmed=True, timeout="5")),
        ("cancel-commit", m.cancel_commit, (), {}),
        ("discard-changes", m.discard_changes, (), {}),
        ("lock running", m.lock, ("running",), {}),
        ("lock candidate", m.lock, ("candidate",), {}),
        ("unlock candidate", m.unlock, ("candidate",), {}),
        ("copy-config running to startup", m.copy_config, (),
         dict(source="running", target="startup")),
        ("copy-config inline to candidate", m.copy_config, (),
         dict(source=to_ele('<source xmlns="%s">%s</source>' % (NC, cfg(GLOBAL))),
              target="candidate")),
        ("delete-config startup", m.delete_config, ("startup",), {}),
        ("kill-session", m.kill_session, ("65000",), {}),
        ("reset-connection", m.dispatch,
         (to_ele('<reset-connection xmlns="%s"><connection>azure</connection>'
                 '</reset-connection>' % NS),), {}),
    ]
    for name, fn, args, kwargs in denied:
        e = rpc_error(fn, *args, **kwargs)
        check("operator: %s: access-denied" % name,
              has(e, "access-denied") and all(x.type == "protocol" for x in e), describe(e))
    x = xml(m, "candidate")
    check("operator: nothing changed", "<description>" not in x, x[:300])
    # subtree filters see what the role sees: neither a selection of the key nor a probe on it
    f = xml(m, "running", ("subtree", '<hybridgw xmlns="%s"><connections><connection>'
                           '<pre-shared-key/></connection></connections></hybridgw>' % NS))
    check("operator: a subtree filter selecting the key gets no key",
          KEY not in f and "pre-shared-key" not in f, f[:300])
    f = xml(m, "running", ("subtree", '<hybridgw xmlns="%s"><connections><connection>'
                           '<pre-shared-key>%s</pre-shared-key><name/></connection>'
                           '</connections></hybridgw>' % (NS, KEY)))
    check("operator: a subtree probe on the key's value matches nothing",
          "azure" not in f, f[:300])
    m.close_session()
    check("operator: the key is in none of the %d bytes received" % len(record),
          KEY.encode() not in record and b"Zq7" not in record and len(record) > 1000)


def refused():
    try:
        m = ncclient_unix.connect(sock, timeout=5)
        m.get_config("running")
        ok = False
    except Exception as e:  # the transport closes before or right after <hello>
        ok = True
        detail = e
    check("a user with no role cannot open a session", ok, locals().get("detail"))


def admin_again():
    m = ncclient_unix.connect(sock)
    check("admin after the operator: still sees the key", KEY in xml(m))
    e = rpc_error(m.edit_config, target="candidate", config=description("admin"))
    check("admin after the operator: may edit", e is None, describe(e))
    m.discard_changes()
    # --config-only has no coordinator: the model's RPC is refused, saying why
    e = rpc_error(m.dispatch, to_ele('<reset-connection xmlns="%s"><connection>azure'
                                     '</connection></reset-connection>' % NS))
    check("admin: reset-connection without the coordinator: operation-not-supported",
          has(e, "operation-not-supported", "--config-only"), describe(e))
    m.close_session()


{"admin": admin, "operator": operator, "refused": refused, "admin-again": admin_again}[mode]()
done()
