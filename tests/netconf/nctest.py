"""What the ncclient tests share: TAP output, configuration snippets, rpc-error checks."""
import sys

from ncclient.operations.rpc import RPCError

NS = "urn:hybridgw:params:xml:ns:yang:hybridgw"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
KEY = "Zq7-hybridgw-psk-must-stay-hidden"

GLOBAL = "<global><local-asn>65010</local-asn></global>"
UNDERLAY = ("<underlay><address><name>wan0</name><address>198.18.0.1</address></address>"
            "</underlay>")
AZURE = ("<connections><connection><name>azure</name><profile>azure</profile>"
         "<pre-shared-key>" + KEY + "</pre-shared-key>"
         "<ike><proposal><id>1</id><encryption>aes256</encryption><dh-group>modp2048"
         "</dh-group></proposal></ike><esp><proposal><id>1</id><encryption>aes256gcm16"
         "</encryption></proposal></esp><gateway><name>in0</name>"
         "<remote-address>203.0.113.10</remote-address><local-address>wan0</local-address>"
         "<bgp><peer-asn>65515</peer-asn><peer-address>169.254.21.1</peer-address>"
         "<local-address>169.254.21.2</local-address></bgp></gateway></connection>"
         "</connections>")

count = 0
failed = 0


def check(name, cond, detail=""):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print("%s %d - %s%s" % ("ok" if cond else "not ok", count, name,
                            "" if cond else ": " + str(detail)[:600]), flush=True)


def done():
    print("1..%d" % count)
    sys.exit(1 if failed else 0)


def cfg(body):
    return '<config xmlns="%s"><hybridgw xmlns="%s" xmlns:nc="%s">%s</hybridgw></config>' % (
        NC, NS, NC, body)


def description(text):
    return cfg("<connections><connection><name>azure</name><description>%s</description>"
               "</connection></connections>" % text)


def rpc_error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except RPCError as e:
        return getattr(e, "_errlist", None) or [e]
    return None


def has(errs, tag, text=None, app_tag=None):
    return errs is not None and any(
        e.tag == tag and (text is None or text in (e.message or "")) and
        (app_tag is None or e._app_tag == app_tag) for e in errs)


def describe(errs):
    if errs is None:
        return "no error"
    return "; ".join("%s/%s [%s] %s" % (e.type, e.tag, e._app_tag, e.message) for e in errs)


def xml(m, source="running", flt=None):
    return m.get_config(source, filter=flt).data_xml
