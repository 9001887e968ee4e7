"""A local client on hybridgwd's NETCONF unix socket holds nobody up but itself
(daemons/hybridgwd/netconf_shield.h): half a <hello>, half an <rpc>, requests whose replies
it never reads, notifications it never reads.  Each time another session's get-config must
answer at once, and the slow client must still get every reply once it reads.  Raw
sockets, not ncclient, so that the bytes are exactly what a stuck client sends.

Usage: test_nc_shield.py SOCKET HOOK DAEMON_LOG
"""
import os
import socket
import sys
import time

import ncclient_unix
from nctest import check, done

HELLO = (b'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:'
         b'base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability>'
         b'</capabilities></hello>]]>]]>')
RPC = ('<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="%d">%s</rpc>')
GET_CONFIG = "<get-config><source><running/></source></get-config>"
SUBSCRIBE = ('<create-subscription xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"/>')


def chunk(body):
    return b"\n#%d\n%s\n##\n" % (len(body), body)


class Raw:
    """A NETCONF 1.1 client on a plain unix socket."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(20)
        self.buf = b""

    def until(self, end):
        while end not in self.buf:
            got = self.s.recv(1 << 16)
            if not got:
                raise EOFError(self.buf[-300:])
            self.buf += got
        i = self.buf.index(end) + len(end)
        msg, self.buf = self.buf[:i], self.buf[i:]
        return msg

    def hello(self):
        self.s.sendall(HELLO)
        return self.until(b"]]>]]>")

    def rpc(self, mid, body=GET_CONFIG):
        self.s.sendall(chunk((RPC % (mid, body)).encode()))

    def reply(self):
        return self.until(b"\n##\n")

    def close(self):
        self.s.close()


def timed_get(m):
    t0 = time.monotonic()
    m.get_config("running")
    return time.monotonic() - t0


def log_has(path, text, wait=5.0):
    end = time.monotonic() + wait
    while time.monotonic() < end:
        with open(path, encoding="utf-8", errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


def main(sock, hook, log):
    other = ncclient_unix.connect(sock, timeout=10)

    # half a <hello>, then nothing: the daemon must not sit in its <hello> read
    a = Raw(sock)
    a.s.sendall(HELLO[:60])
    time.sleep(0.3)
    took = timed_get(other)
    check("a client stalled in the middle of its <hello>: another session's get-config "
          "answers at once (%.3f s)" % took, took < 1.0, took)
    a.s.sendall(HELLO[60:])
    got = a.until(b"]]>]]>")
    check("... and its <hello>, finished later, is answered", b"<session-id>" in got, got[:200])

    # half an <rpc>
    body = (RPC % (1, GET_CONFIG)).encode()
    a.s.sendall(b"\n#%d\n%s" % (len(body), body[:len(body) // 2]))
    time.sleep(0.3)
    took = timed_get(other)
    check("a session stalled in the middle of an <rpc>: another session's get-config "
          "answers at once (%.3f s)" % took, took < 1.0, took)
    a.s.sendall(body[len(body) // 2:] + b"\n##\n")
    got = a.reply()
    check("... and the <rpc>, finished later, is answered", b'message-id="1"' in got, got[:200])

    # EOF after a whole request and half of the next: the reply comes, the half is dropped
    a.rpc(2)
    a.s.sendall(b"\n#50\n<rpc")
    a.s.shutdown(socket.SHUT_WR)
    got = a.reply()
    rest = a.s.recv(1 << 16)
    check("EOF after a whole request and half a message: its reply, then EOF",
          b'message-id="2"' in got and rest == b"", (got[:200], rest[:200]))
    check("... and the daemon logs why the session ended",
          log_has(log, "closed in the middle of a message"))
    a.close()

    # an RPC libnetconf2 cannot parse: answered with an rpc-error, counted (RFC 6022)
    b = Raw(sock)
    b.hello()
    b.s.sendall(chunk(b'<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" '
                      b'message-id="7"><no-such-operation/></rpc>'))
    got = b.reply()
    b.rpc(8, '<get><filter type="xpath" select="/ncm:netconf-state/ncm:sessions" '
             'xmlns:ncm="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"/></get>')
    state = b.reply()
    mine = state.split(b"<session-id>")
    bad = [p for p in mine[1:] if b"<in-bad-rpcs>1</in-bad-rpcs>" in p and
           b"<out-rpc-errors>1</out-rpc-errors>" in p]
    check("an RPC that cannot be parsed: rpc-error, in-bad-rpcs 1 and out-rpc-errors 1 for "
          "its session",
          b"rpc-error" in got and len(bad) == 1, (got[:300], state[:600]))
    b.close()

    # bad framing ends the session
    b = Raw(sock)
    b.hello()
    b.s.sendall(b"\n#010\n<rpc")
    try:
        rest = b.s.recv(1 << 16)
    except OSError as e:
        rest = repr(e).encode()
    check("a chunk length with a leading zero ends the session", rest == b"", rest[:200])
    check("... logged as bad framing", log_has(log, "bad chunk header"))
    b.close()

    # many requests in one write, replies read late: all answered, in order
    c = Raw(sock)
    c.hello()
    n = 400
    c.s.sendall(b"".join(chunk((RPC % (i, GET_CONFIG)).encode()) for i in range(1, n + 1)))
    time.sleep(0.5)
    took = timed_get(other)
    ids = []
    for _ in range(n):
        r = c.reply()
        ids.append(int(r.split(b'message-id="', 1)[1].split(b'"', 1)[0]))
    check("%d pipelined get-configs: all answered, in order; meanwhile another session "
          "answers at once (%.3f s)" % (n, took), ids == list(range(1, n + 1)) and took < 1.0,
          (took, ids[:5], len(ids)))

    # a client that sends <get>s and does not read: it is throttled, nobody else is
    n = 300
    c.s.sendall(b"".join(chunk((RPC % (i, "<get/>")).encode()) for i in range(1, n + 1)))
    time.sleep(1.0)
    took = timed_get(other)
    check("a client that does not read its <get> replies holds nobody up (%.3f s)" % took,
          took < 1.0, took)
    size = 0
    for i in range(1, n + 1):
        r = c.reply()
        size += len(r)
        if b'message-id="%d"' % i not in r:
            break
    check("... and gets all %d replies (%.1f MB) once it reads" % (n, size / 1e6),
          i == n and b'message-id="%d"' % n in r, (i, r[:200]))
    c.close()

    # a subscriber that does not read: notifications cost the loop nothing
    d = Raw(sock)
    d.hello()
    d.rpc(1, SUBSCRIBE)
    got = d.reply()
    check("subscribed", b"<ok/>" in got, got[:200])
    h = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    n = 3000
    t0 = time.monotonic()
    for i in range(n):
        h.sendto(b"tunnel azure in0 %s shield test %d" % (b"down" if i % 2 else b"up", i), hook)
        if i % 500 == 0:
            time.sleep(0.01)
    took = timed_get(other)
    check("%d notifications to a subscriber that does not read: another session's "
          "get-config answers at once (%.3f s, %.2f s for the burst)"
          % (n, took, time.monotonic() - t0), took < 1.0, took)
    seen = 0
    d.s.settimeout(10)
    try:
        while seen < n:
            r = d.reply()
            if b"shield test" in r:
                seen += 1
    except (EOFError, OSError):
        pass
    check("... which then reads all %d of them" % n, seen == n, seen)
    d.close()
    h.close()

    other.close_session()
    done()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main(*sys.argv[1:4])
