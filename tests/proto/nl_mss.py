"""TCP MSS clamping (lib/nl/nl_mss.c, through tests/tools/hgw-nl) against the host kernel's
nf_tables, with real TCP.

Three network namespaces this test makes, named with its PID: a client, a router that
forwards, and a server, joined by two veth pairs (MTU 1500).  A TCP connection from client
to server shows the clamp at both ends: the accepted socket's TCP_MAXSEG is the client's SYN
MSS less its options (1460 - 12 = 1448 without clamping), the client's is the SYN-ACK's.
Clamping the router's interface towards the server exercises the oifname rule on the SYN and
the iifname rule on the SYN-ACK; clamping the one towards the client, the other way round.
Only what it started is stopped; the namespaces are deleted at the end.  Addresses:
198.18.0.0/15.  Exit 0 pass, 1 fail, 77 skip.
"""

import json
import os
import subprocess
import sys

TOOL = os.path.join(os.environ.get("HGW_BUILDDIR", "."), "tests/tools/hgw-nl")
PID = os.getpid()
C, R, S = "hgwmc%d" % PID, "hgwmr%d" % PID, "hgwms%d" % PID
SERVER = "198.18.21.2"
PORT = 18179
failures = []

SERVE = r"""
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)
c.recv(10)
c.close()
"""

CONNECT = r"""
import socket, sys
c = socket.socket()
if int(sys.argv[3]):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, int(sys.argv[3]))
c.settimeout(5)
c.connect((sys.argv[1], int(sys.argv[2])))
print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)
c.send(b"x")
c.close()
"""


def sh(*argv, check=True):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stdout))
    return r


def check(cond, what, detail=""):
    print("%s - %s%s" % ("ok" if cond else "not ok", what,
                         (": " + str(detail)) if detail != "" and not cond else ""))
    if not cond:
        failures.append(what)


def tool(*args, check_rc=True):
    return sh("ip", "netns", "exec", R, TOOL, *args, check=check_rc)


def listed():
    return {l["dev"]: l["mss"] for l in
            (json.loads(x) for x in tool("mss-list").stdout.splitlines() if x.startswith("{"))}


def mss_seen(client_mss=0):
    """(server's TCP_MAXSEG of the accepted socket, client's) for one connection."""
    srv = subprocess.Popen(["ip", "netns", "exec", S, "/usr/bin/python3", "-c", SERVE, SERVER,
                            str(PORT)], stdout=subprocess.PIPE, text=True)
    try:
        if srv.stdout.readline().strip() != "ready":
            raise RuntimeError("the server did not start")
        cli = sh("ip", "netns", "exec", C, "/usr/bin/python3", "-c", CONNECT, SERVER,
                 str(PORT), str(client_mss))
        server = int(srv.stdout.readline())
        srv.wait(5)
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
        srv.stdout.close()
    return server, int(cli.stdout.strip())


def setup():
    for ns in (C, R, S):
        sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", "c0", "netns", C, "type", "veth", "peer", "r0", "netns", R)
    sh("ip", "link", "add", "r1", "netns", R, "type", "veth", "peer", "s0", "netns", S)
    for ns, cmds in ((C, ["addr add 198.18.20.1/24 dev c0", "link set c0 up",
                          "link set lo up", "route add default via 198.18.20.2"]),
                     (R, ["addr add 198.18.20.2/24 dev r0", "addr add 198.18.21.1/24 dev r1",
                          "link set r0 up", "link set r1 up", "link set lo up"]),
                     (S, ["addr add 198.18.21.2/24 dev s0", "link set s0 up",
                          "link set lo up", "route add default via 198.18.21.1"])):
        for c in cmds:
            sh("ip", "-n", ns, *c.split())
    sh("ip", "netns", "exec", R, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP not root")
        return 77
    if not os.path.exists(TOOL):
        print("# %s missing: run through make check" % TOOL)
        return 1
    try:
        setup()
    except (RuntimeError, OSError) as e:
        print("1..0 # SKIP no network namespaces or veth: %s" % e)
        for ns in (C, R, S):
            sh("ip", "netns", "del", ns, check=False)
        return 77
    try:
        plain = mss_seen()
        check(plain == (1448, 1448), "no clamping: 1448 both ways (1460 less timestamps)", plain)
        r = tool("mss-apply", "r1:1200", check_rc=False)
        if r.returncode != 0 and ("not supported" in r.stdout or "Operation not" in r.stdout):
            print("1..0 # SKIP this kernel has no nf_tables inet: %s" % r.stdout.strip())
            return 77
        check(r.returncode == 0, "mss-apply r1:1200", r.stdout)
        got = mss_seen()
        check(got == (1188, 1188),
              "clamp on the server side's interface: SYN (oifname) and SYN-ACK (iifname) "
              "both 1200 - 12 = 1188", got)
        check(listed() == {"r1": 1200}, "mss-list: r1 1200", listed())
        tool("mss-apply", "r0:1300")
        got = mss_seen()
        check(got == (1288, 1288),
              "replaced by a clamp on the client side's interface: SYN (iifname) and SYN-ACK "
              "(oifname) both 1288, r1's rules gone", got)
        check(listed() == {"r0": 1300}, "mss-list: r0 1300 only", listed())
        tool("mss-apply", "r0:1300", "r1:1100")
        got = mss_seen()
        check(got == (1088, 1088), "both interfaces, the smaller wins: 1088", got)
        got = mss_seen(client_mss=1000)
        check(got[0] == 988,
              "a client that announces 1000 keeps it: the clamp never raises (server 988)", got)
        r = tool("mss-apply", "r0:1300", "r0:1200", check_rc=False)
        check(r.returncode == 1 and "Invalid argument" in r.stdout and
              listed() == {"r0": 1300, "r1": 1100},
              "an interface named twice is refused, and nothing changes", (r.stdout, listed()))
        r = tool("mss-apply", "r1:100", check_rc=False)
        check(r.returncode == 1 and listed() == {"r0": 1300, "r1": 1100},
              "an MSS below 536 is refused, and nothing changes", (r.stdout, listed()))
        tool("mss-apply")
        check(listed() == {}, "mss-apply with nothing removes the table", listed())
        got = mss_seen()
        check(got == (1448, 1448), "and TCP is unclamped again", got)
        tool("mss-apply")
        check(True, "removing an absent table is no error")
    finally:
        for ns in (C, R, S):
            sh("ip", "netns", "del", ns, check=False)
    print("# %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
