#!/usr/bin/python3
"""test_ncclient.py SOCKET STARTUP - hybridgwd's NETCONF server through python3-ncclient over
its unix socket: get-config, edit-config (operations, options, error tags), validate,
commit, discard-changes, lock/unlock (and release when the holder goes), copy-config and
delete-config of startup, get with the YANG library, xpath and subtree filters,
get-schema.  Prints TAP."""
import os
import sys

from ncclient.xml_ import to_ele

import ncclient_unix
from nctest import (AZURE, GLOBAL, NS, UNDERLAY, cfg, check, describe, done, has, rpc_error, xml)

SOCK, STARTUP = sys.argv[1], sys.argv[2]


a = ncclient_unix.connect(SOCK)
b = ncclient_unix.connect(SOCK)
check("two sessions with distinct ids", a.session_id != b.session_id)
caps = list(a.server_capabilities)
check(":candidate advertised", "urn:ietf:params:netconf:capability:candidate:1.0" in caps)
check(":validate advertised", "urn:ietf:params:netconf:capability:validate:1.1" in caps)
check(":confirmed-commit:1.1 advertised",
      "urn:ietf:params:netconf:capability:confirmed-commit:1.1" in caps)
check("empty running", "hybridgw" not in xml(a))

# edit the candidate, then commit
a.edit_config(target="candidate", config=cfg(GLOBAL + UNDERLAY + AZURE))
check("edit-config candidate: in candidate", "169.254.21.1" in xml(a, "candidate"))
check("edit-config candidate: not in running", "169.254.21.1" not in xml(a))
a.validate(source="candidate")
check("validate candidate ok", True)
a.commit()
check("commit: in running", "169.254.21.1" in xml(a))
check("running seen by the other session", "169.254.21.1" in xml(b))
check("defaults not reported (explicit)", "tunnel-interface-kind" not in xml(a))
caps = [c for c in a.server_capabilities if c.startswith(
    "urn:ietf:params:netconf:capability:with-defaults:1.0")]
check(":with-defaults: explicit, also report-all, report-all-tagged, trim",
      caps == ["urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"
               "&also-supported=report-all,report-all-tagged,trim"], caps)
x = a.get_config("running", with_defaults="report-all").data_xml
check("with-defaults report-all: defaults reported, nacm's not",
      "<tunnel-interface-kind>auto<" in x and "enable-nacm" not in x, x)
x = a.get_config("running", with_defaults="report-all-tagged").data_xml
check("with-defaults report-all-tagged: defaults tagged",
      "tunnel-interface-kind" in x and ':default="true"' in x, x)
x = a.get_config("running", with_defaults="trim").data_xml
check("with-defaults trim", "tunnel-interface-kind" not in x and "65010" in x, x)
x = a.get_config("candidate", with_defaults="report-all").data_xml
check("with-defaults report-all on candidate (not validated)", "<hold-down>10<" in x, x)

# error tags
e = rpc_error(a.edit_config, target="candidate",
              config=cfg('<connections><connection nc:operation="create"><name>azure</name>'
                         '</connection></connections>'))
check("create existing: data-exists", has(e, "data-exists"), describe(e))
e = rpc_error(a.edit_config, target="candidate",
              config=cfg('<underlay><address nc:operation="delete"><name>zz</name></address>'
                         '</underlay>'))
check("delete missing: data-missing", has(e, "data-missing"), describe(e))
a.edit_config(target="candidate",
              config=cfg('<underlay><address nc:operation="remove"><name>zz</name></address>'
                         '</underlay>'))
check("remove missing: ok", True)
e = rpc_error(a.edit_config, target="candidate", config=cfg("<bogus/>"))
check("unknown element: unknown-element", has(e, "unknown-element"), describe(e))
e = rpc_error(a.edit_config, target="candidate",
              config=cfg("<global><local-asn>0</local-asn></global>"))
check("out of range: invalid-value", has(e, "invalid-value"), describe(e))
e = rpc_error(a.edit_config, target="candidate",
              config=cfg('<global nc:operation="frob"/>'))
# RFC 6241 wants bad-attribute; libnetconf2 2.0.24 refuses the RPC itself while parsing the
# <config> anyxml (an invalid "operation" value), with operation-failed, before our callback.
check("bad operation value: refused", has(e, "bad-attribute") or
      has(e, "operation-failed", 'Invalid enumeration value "frob"'), describe(e))
e = rpc_error(a.edit_config, target="candidate",
              config=cfg("<connections><connection><name>azure</name>"
                         "<pre-shared-key>s3cr</pre-shared-key></connection></connections>"))
check("short psk: invalid-value, key not echoed",
      has(e, "invalid-value", "8 to 128") and "s3cr" not in describe(e), describe(e))

# a configuration YANG accepts but the C checks refuse
a.edit_config(target="candidate",
              config=cfg("<connections><connection><name>azure</name><esp>"
                         "<pfs-group>ecp384</pfs-group></esp></connection></connections>"))
e = rpc_error(a.validate, source="candidate")
check("validate: Azure GCM with PFS refused",
      has(e, "operation-failed", "Azure does not support PFS", "azure-gcm-pfs"), describe(e))
e = rpc_error(a.commit)
check("commit refused the same way, running unchanged",
      has(e, "operation-failed", app_tag="azure-gcm-pfs") and "ecp384" not in xml(a),
      describe(e))
a.discard_changes()
check("discard-changes: candidate is running again", "ecp384" not in xml(a, "candidate"))

# options
a.edit_config(target="candidate", default_operation="none",
              config=cfg("<connections><connection><name>azure</name>"
                         "<description>x</description></connection></connections>"))
check("default-operation none: leaf untouched", "<description>" not in xml(a, "candidate"))
a.edit_config(target="candidate", test_option="test-only",
              config=cfg("<connections><connection><name>azure</name>"
                         "<description>y</description></connection></connections>"))
check("test-option test-only: nothing changes", "<description>" not in xml(a, "candidate"))
e = rpc_error(a.edit_config, target="candidate", error_option="continue-on-error",
              config=cfg('<underlay><address nc:operation="create"><name>wan0</name>'
                         '<address>198.18.0.1</address></address>'
                         '<address nc:operation="create"><name>wan2</name>'
                         '<address>198.18.0.2</address></address></underlay>'))
check("continue-on-error: error reported, the rest applied",
      has(e, "data-exists") and "198.18.0.2" in xml(a, "candidate"), describe(e))
a.discard_changes()
e = rpc_error(a.edit_config, target="running",
              config=cfg('<underlay nc:operation="remove"/>'))
check("edit running that breaks a leafref: refused", e is not None and "wan0" in xml(a),
      describe(e))
a.edit_config(target="running",
              config=cfg("<policy><maximum-paths>8</maximum-paths></policy>"))
check("edit running (writable-running)", "<maximum-paths>8" in xml(a))

# locks
a.lock("candidate")
check("lock candidate", True)
e = rpc_error(b.lock, "candidate")
check("second lock: lock-denied", has(e, "lock-denied"), describe(e))
e = rpc_error(b.edit_config, target="candidate", config=cfg(GLOBAL))
check("edit by another session: in-use", has(e, "in-use"), describe(e))
e = rpc_error(b.commit)
check("commit by another session: in-use", has(e, "in-use"), describe(e))
e = rpc_error(b.unlock, "candidate")
check("unlock by another session: refused", e is not None, describe(e))
a.edit_config(target="candidate",
              config=cfg("<connections><connection><name>azure</name>"
                         "<description>held</description></connection></connections>"))
a.close_session()
b.lock("candidate")
check("lock released when the holder's session ended", True)
check("and its candidate changes discarded", "held" not in xml(b, "candidate"))
b.edit_config(target="candidate",
              config=cfg("<connections><connection><name>azure</name>"
                         "<description>b</description></connection></connections>"))
b.discard_changes()
e = rpc_error(b.unlock, "candidate")
check("unlock", e is None, describe(e))
b.lock("running")
b.unlock("running")
check("lock/unlock running", True)

# startup
b.copy_config(source="running", target="startup")
with open(STARTUP) as f:
    content = f.read()
check("copy-config running -> startup writes the file",
      "169.254.21.1" in content and oct(os.stat(STARTUP).st_mode & 0o777) == "0o600")
b.delete_config("startup")
check("delete-config startup leaves an empty file", os.path.getsize(STARTUP) == 0)
e = rpc_error(b.delete_config, "running")
# ietf-netconf's delete-config has no running target: libnetconf2 refuses it while parsing
check("delete-config running: refused", e is not None, describe(e))

# get, filters
g = b.get().data_xml
check("get: running and the YANG library with hybridgw",
      "169.254.21.1" in g and "<name>hybridgw</name>" in g, g[:300])
f = xml(b, "running", ("xpath", ({"hgw": NS}, "/hgw:hybridgw/hgw:global")))
check("xpath filter", "65010" in f and "169.254.21.1" not in f, f)

# subtree filters (RFC 6241 6); a second connection in candidate only, discarded after
b.edit_config(target="candidate",
              config=cfg("<connections><connection><name>aws</name><description>second"
                         "</description></connection></connections>"))
f = xml(b, "candidate", ("subtree", '<hybridgw xmlns="%s"><connections><connection><name>'
                         'azure</name></connection></connections></hybridgw>' % NS))
check("subtree filter: one connection by name", "<name>azure</name>" in f and "aws" not in f
      and "aes256" in f and "65010" not in f, f)
f = xml(b, "candidate", ("subtree", '<hybridgw xmlns="%s"><connections><connection>'
                         '<description/></connection></connections></hybridgw>' % NS))
check("subtree filter: a selection node (with the list keys)",
      "<description>second</description>" in f and "<name>aws</name>" in f and
      "aes256" not in f, f)
f = xml(b, "candidate", ("subtree", '<hybridgw xmlns="%s"><connections><connection><name>'
                         'nosuch</name></connection></connections></hybridgw>' % NS))
check("subtree filter: a name that does not exist, empty data", "connection" not in f, f)
f = xml(b, "candidate", ("subtree", '<hybridgw xmlns="urn:example:nosuch"/>'))
check("subtree filter: an unknown namespace, empty data", "hybridgw" not in f, f)
b.discard_changes()
f = b.get(filter=("subtree", '<hybridgw xmlns="%s"><failover/></hybridgw>' % NS),
          with_defaults="report-all").data_xml
check("get with a subtree filter on failover: only that", "<hold-down>10<" in f and
      "azure" not in f and "65010" not in f and "yang-library" not in f, f)
f = b.get(filter=("subtree", '<modules-state xmlns="urn:ietf:params:xml:ns:yang:'
                  'ietf-yang-library"><module><name>hybridgw</name></module></modules-state>'
                  )).data_xml
check("get with a subtree filter on the YANG library", "<name>hybridgw</name>" in f and
      "ietf-netconf-acm" not in f and "azure" not in f, f)

# get-schema (ours: libnetconf2's own answers garbage)
text = b.get_schema("hybridgw").data
check("get-schema hybridgw: the module's YANG",
      "module hybridgw {" in text and "nacm:default-deny-all" in text, text[:200])
text = b.get_schema("ietf-netconf", version="2011-06-01").data
check("get-schema with a version", "module ietf-netconf {" in text, text[:200])
# ncclient sends <format>yin</format> unprefixed, which libnetconf2 refuses while parsing
# (an unprefixed identityref): ask with the prefix
NCM = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
r = b.dispatch(to_ele('<get-schema xmlns="%s" xmlns:ncm="%s"><identifier>hybridgw</identifier>'
                      '<format>ncm:yin</format></get-schema>' % (NCM, NCM)))
text = "".join(to_ele(r.xml).itertext())
check("get-schema as YIN", '<module name="hybridgw"' in text, text[:200])
e = rpc_error(b.get_schema, "no-such-module")
check("get-schema of an unknown module: invalid-value", has(e, "invalid-value"), describe(e))
e = rpc_error(b.get_schema, "hybridgw", version="1999-01-01")
check("get-schema of an unknown revision: invalid-value", has(e, "invalid-value"), describe(e))

# ietf-netconf-monitoring (RFC 6022): who is here, what is locked, what went wrong
import xml.etree.ElementTree as ET
M = {"m": NCM}
b.lock("candidate")
e = rpc_error(b.get_config, "nosuch")
state = ET.fromstring(b.get(filter=("xpath", ({"ncm": NCM}, "/ncm:netconf-state"))).data_xml)
b.unlock("candidate")
sessions = {s.findtext("m:session-id", None, M): s
            for s in state.findall(".//m:sessions/m:session", M)}
me = sessions.get(str(b.session_id))
check("monitoring: this session listed", str(b.session_id) in sessions, sorted(sessions))
if os.environ.get("HGW_NC_SSH"):  # the suite over SSH (test_ssh.sh)
    check("monitoring: an SSH session's transport, user and source host",
          me is not None and me.findtext("m:transport", "", M).endswith(":netconf-ssh") and
          me.findtext("m:username", None, M) == "root" and
          me.findtext("m:source-host", None, M) == "127.0.0.1",
          ET.tostring(me).decode() if me is not None else None)
else:
    check("monitoring: a local session's transport and user",
          me is not None and me.findtext("m:transport", "", M).endswith(":unix-socket") and
          me.findtext("m:username", None, M) == "root" and me.find("m:source-host", M) is None,
          ET.tostring(me).decode() if me is not None else None)
check("monitoring: its RPCs counted, the refused get-config as an rpc-error",
      me is not None and int(me.findtext("m:in-rpcs", "0", M)) >= 10 and
      int(me.findtext("m:out-rpc-errors", "0", M)) >= 1)
lock = state.find(".//m:datastore[m:name='candidate']/m:locks/m:global-lock", M)
check("monitoring: the candidate's lock and who holds it",
      lock is not None and lock.findtext("m:locked-by-session", None, M) == str(b.session_id))
check("monitoring: running not locked",
      state.find(".//m:datastore[m:name='running']/m:locks", M) is None)
caps = [c.text for c in state.findall(".//m:capabilities/m:capability", M)]
check("monitoring: the capabilities, as in <hello>",
      "urn:ietf:params:netconf:base:1.1" in caps and
      "urn:ietf:params:netconf:capability:candidate:1.0" in caps, caps)
check("monitoring: hybridgw among the schemas get-schema serves",
      any(s.findtext("m:identifier", None, M) == "hybridgw" and
          s.findtext("m:location", None, M) == "NETCONF"
          for s in state.findall(".//m:schemas/m:schema", M)))
st = state.find(".//m:statistics", M)
check("monitoring: statistics (sessions in, RPCs, errors)",
      st is not None and int(st.findtext("m:in-sessions", "0", M)) >= 2 and
      int(st.findtext("m:in-rpcs", "0", M)) >= 10 and
      int(st.findtext("m:out-rpc-errors", "0", M)) >= 1 and
      st.findtext("m:netconf-start-time", None, M) is not None,
      ET.tostring(st).decode() if st is not None else None)
b.close_session()

done()
