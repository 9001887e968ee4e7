"""lib/vici against a real charon: two charons in two network namespaces joined by a veth
pair, driven only through hgw-vici (never swanctl).

  1. load a PSK and a route-based conn (if_id on one side, mark on the other) into each,
     list them back with list-conns and check the fields; a bad conn is refused with
     charon's message;
  2. initiate without blocking, see ike-updown up on both sides' event streams and an
     ESTABLISHED IKE_SA in list-sas with the negotiated algorithms.  The CHILD_SA cannot
     be installed on this host kernel (no ESP): a child-updown up is NOT expected;
  3. SIGKILL one charon: its event client reports the loss, reconnects once charon is
     back, re-registers (the "connected ... reconnect=1" line is only printed after every
     registration is confirmed) and then sees the events of a fresh IKE_SA;
  4. terminate, unload the conns and secrets, and check they are gone.

Run by `make check` through vici_charon.sh (root only; exit 77 = skipped).  Everything it
starts is stopped by PID; the namespaces are named with this process's PID.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CHARON = "/usr/lib/ipsec/charon"
PLUGINS = ("random nonce openssl pem pkcs1 x509 pubkey kdf kernel-netlink socket-default "
           "vici updown")
TOOL = os.environ.get("HGW_VICI")
NET = "198.18.251."  # inside 198.18.0.0/15, the benchmark range

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", checks, what), flush=True)
    if not cond:
        failures.append(what)
    return cond


def run(cmd, check_rc=True, timeout=30):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    print("# timed out after %.1fs waiting for %s" % (timeout, what), flush=True)
    return False


class Charon:
    def __init__(self, base, ns):
        self.ns = ns
        self.dir = os.path.join(base, ns)
        self.run_dir = os.path.join(self.dir, "run")
        os.makedirs(self.run_dir)
        self.conf = os.path.join(self.dir, "strongswan.conf")
        self.sock = os.path.join(self.run_dir, "charon.vici")
        self.log = os.path.join(self.dir, "charon.log")
        with open(self.conf, "w") as f:
            f.write("""charon {
    load_modular = no
    load = %s
    install_routes = no
    install_virtual_ip = no
    plugins { vici { socket = unix://%s } }
    syslog { daemon { default = -1 } }
    filelog { t { path = %s
                  default = 1
                  ike = 2
                  flush_line = yes } }
}
""" % (PLUGINS, self.sock, self.log))
        self.proc = None

    def start(self):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        script = "mount --bind '%s' /run && exec env STRONGSWAN_CONF='%s' %s" % (
            self.run_dir, self.conf, CHARON)
        out = open(os.path.join(self.dir, "charon.stdout"), "ab")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "unshare", "-m", "sh", "-c", script],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return wait_until(lambda: os.path.exists(self.sock) and self.proc.poll() is None,
                          20, "charon's VICI socket in " + self.ns)

    def kill(self, sig=signal.SIGKILL):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def tool(self, *args, check_rc=False, timeout=30):
        t0 = time.monotonic()
        p = run([TOOL, "--socket", self.sock, "--timeout", "10"] + list(args),
                check_rc=check_rc, timeout=timeout)
        p.elapsed = time.monotonic() - t0
        return p


class Events:
    """hgw-vici events in the background, lines collected in a file."""

    def __init__(self, charon):
        self.path = os.path.join(charon.dir, "events.out")
        self.out = open(self.path, "w")
        self.proc = subprocess.Popen([TOOL, "--socket", charon.sock, "events"],
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT)

    def lines(self):
        with open(self.path) as f:
            return f.read().splitlines()

    def wait(self, pattern, timeout, start=0):
        rx = re.compile(pattern)
        found = []

        def seen():
            found[:] = [l for l in self.lines()[start:] if rx.search(l)]
            return bool(found)
        wait_until(seen, timeout, "an event line matching " + pattern)
        return found[0] if found else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.out.close()


def kv(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def conn_args(name, local, remote, binding):
    return ["load-conn", "name=" + name, "child=" + name, "version=2",
            "local_addrs=" + local, "remote_addrs=" + remote,
            "local_id=" + local, "remote_id=" + remote,
            "proposals=aes256-sha256-modp2048", "esp_proposals=aes256-sha256-modp2048",
            "rekey_time=28800", "over_time=600", "dpd_delay=10", "keyingtries=0",
            "unique=replace", "child_rekey_time=3300", "child_life_time=3600",
            "start_action=none", "close_action=none", "dpd_action=restart"] + binding


def setup_net(a, b):
    run(["ip", "netns", "add", a])
    run(["ip", "netns", "add", b])
    run(["ip", "-n", a, "link", "add", "v0", "type", "veth", "peer", "name", "v1",
         "netns", b])
    run(["ip", "-n", a, "addr", "add", NET + "1/24", "dev", "v0"])
    run(["ip", "-n", b, "addr", "add", NET + "2/24", "dev", "v1"])
    for ns, dev in ((a, "v0"), (b, "v1")):
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "-n", ns, "link", "set", dev, "up"])


def scenario(base, a, b):
    ca, cb = Charon(base, a), Charon(base, b)
    started = []
    events = []
    try:
        check(ca.start() and cb.start(), "two charons started with their own VICI sockets")
        started += [ca, cb]
        ea, eb = Events(ca), Events(cb)
        events += [ea, eb]
        check(ea.wait(r"^t=\S+ connected connects=1 reconnect=0", 10) is not None and
              eb.wait(r"^t=\S+ connected connects=1 reconnect=0", 10) is not None,
              "event clients connected and registered")

        # 1. secrets and conns
        for c, local, remote in ((ca, NET + "1", NET + "2"), (cb, NET + "2", NET + "1")):
            p = c.tool("load-psk", "id=psk-t", "secret=hgw-test-Secret-0",
                       "owners=%s,%s" % (local, remote))
            check(p.returncode == 0 and "ok" in p.stdout, "%s: load-psk" % c.ns)
            check("hgw-test-Secret-0" not in p.stdout + p.stderr, "%s: no PSK in output" % c.ns)
        p = ca.tool(*conn_args("tun0", NET + "1", NET + "2", ["if_id_in=41", "if_id_out=41"]))
        check(p.returncode == 0, "A: load-conn tun0 with if_id (%.0f ms)" % (p.elapsed * 1e3))
        p = cb.tool(*conn_args("tun0", NET + "2", NET + "1", ["mark_in=42", "mark_out=42"]))
        check(p.returncode == 0, "B: load-conn tun0 with marks")
        p = ca.tool("load-conn", "name=bad", "child=bad", "local_addrs=x",
                    "remote_addrs=" + NET + "2", "esp_proposals=nonsense-alg")
        check(p.returncode == 1 and "charon:" in p.stderr,
              "A: a bad proposal is refused with charon's message: " + p.stderr.strip())

        p = ca.tool("list-conns")
        lines = p.stdout.splitlines()
        conn = [kv(l) for l in lines if l.startswith("conn=tun0 ")]
        child = [kv(l) for l in lines if "child=tun0" in l]
        check(p.returncode == 0 and len(conn) == 1, "A: list-conns shows tun0")
        if conn:
            c0 = conn[0]
            check(c0.get("version") == "IKEv2" and c0.get("local_addrs") == NET + "1" and
                  c0.get("remote_addrs") == NET + "2" and c0.get("local_id") == NET + "1" and
                  c0.get("remote_id") == NET + "2" and c0.get("rekey_time") == "28800" and
                  c0.get("dpd_delay") == "10" and c0.get("unique") == "UNIQUE_REPLACE",
                  "A: conn fields read back: %s" % lines[0])
        if child:
            check(child[0].get("mode") == "TUNNEL" and child[0].get("local-ts") == "0.0.0.0/0" and
                  child[0].get("remote-ts") == "0.0.0.0/0" and
                  # charon 5.9.8 parses "restart" to ACTION_START and lists it as "start"
                  child[0].get("dpd_action") == "start" and
                  child[0].get("rekey_time") == "3300",
                  "A: child fields read back: %s" % " ".join(lines[1:]))
        else:
            check(False, "A: list-conns shows the child")

        # 2. IKE up
        mark_a = len(ea.lines())
        mark_b = len(eb.lines())
        p = ca.tool("initiate", "tun0", "tun0")
        check(p.returncode == 0 and p.elapsed < 2,
              "A: initiate returns at once (%.0f ms)" % (p.elapsed * 1e3))
        la = ea.wait(r"event=ike-updown up=1 ike=tun0 ", 15, mark_a)
        lb = eb.wait(r"event=ike-updown up=1 ike=tun0 ", 15, mark_b)
        check(la is not None and lb is not None, "ike-updown up on both sides")
        if la and lb:
            ka, kb = kv(la), kv(lb)
            check(ka["role"] == "initiator" and kb["role"] == "responder" and
                  ka["initiator-spi"] == kb["initiator-spi"] and
                  ka["responder-spi"] == kb["responder-spi"] and
                  ka["state"] == "ESTABLISHED",
                  "event fields: roles and SPIs agree across the two sides")
        p = ca.tool("list-sas", "--json")
        check(p.returncode == 0, "A: list-sas --json")
        import json
        sas = json.loads(p.stdout or "[]")
        ike = [s for s in sas if s["name"] == "tun0"]
        check(len(ike) == 1 and ike[0]["state"] == "ESTABLISHED" and ike[0]["version"] == 2 and
              ike[0]["initiator"] and ike[0]["encr-alg"] == "AES_CBC" and
              ike[0]["encr-keysize"] == 256 and ike[0]["integ-alg"] == "HMAC_SHA2_256_128" and
              ike[0]["dh-group"] == "MODP_2048" and ike[0]["remote-host"] == NET + "2" and
              ike[0]["established"] >= 0 and ike[0]["rekey-time"] > 0,
              "A: list-sas IKE_SA fields: %s" % (ike[0] if ike else sas))
        child_up = [l for l in ea.lines()[mark_a:] if "event=child-updown up=1" in l]
        print("# child-updown up lines on A (expected none on this host kernel): %d"
              % len(child_up))

        # 3. charon goes away and comes back
        mark_a = len(ea.lines())
        ca.kill(signal.SIGKILL)
        check(ea.wait(r"disconnected", 5, mark_a) is not None,
              "A's event client reports the loss of charon")
        p = ca.tool("list-sas", timeout=30)
        check(p.returncode == 1, "a command with charon down fails after its timeout")
        t_restart = time.monotonic()
        check(ca.start(), "charon A restarted")
        line = ea.wait(r"connected connects=2 reconnect=1", 15, mark_a)
        check(line is not None, "A's event client reconnected and re-registered: %s" % line)
        if line:
            print("# reconnected %.0f ms after charon's socket reappeared"
                  % ((time.monotonic() - t_restart) * 1e3))
        p = ca.tool("list-conns")
        check(p.returncode == 0 and "conn=tun0" not in p.stdout,
              "restarted charon is empty: the caller must re-push (that is what up() says)")
        ca.tool("load-psk", "id=psk-t", "secret=hgw-test-Secret-0",
                "owners=%s,%s" % (NET + "1", NET + "2"), check_rc=True)
        ca.tool(*conn_args("tun0", NET + "1", NET + "2", ["if_id_in=41", "if_id_out=41"]),
                check_rc=True)
        mark_a = len(ea.lines())
        ca.tool("initiate", "tun0", "tun0", check_rc=True)
        check(ea.wait(r"event=ike-updown up=1 ike=tun0 ", 15, mark_a) is not None,
              "events flow again on the re-registered connection")

        # 4. tear down
        mark_a = len(ea.lines())
        p = ca.tool("terminate", "tun0")
        check(p.returncode == 0, "A: terminate")
        check(ea.wait(r"event=ike-updown up=0 ike=tun0 ", 15, mark_a) is not None,
              "ike-updown down after terminate")
        for c in (ca, cb):
            check(c.tool("unload-conn", "tun0").returncode == 0, "%s: unload-conn" % c.ns)
            check(c.tool("unload-psk", "psk-t").returncode == 0, "%s: unload-psk" % c.ns)
            p = c.tool("list-conns")
            check(p.returncode == 0 and "conn=tun0" not in p.stdout, "%s: conn gone" % c.ns)
        p = ca.tool("unload-conn", "tun0")
        check(p.returncode == 1 and "charon:" in p.stderr,
              "unloading it again is refused: " + p.stderr.strip())
    finally:
        for e in events:
            e.stop()
        for c in (ca, cb):
            c.kill(signal.SIGTERM)
        if failures:
            for c in (ca, cb):
                for f in ("charon.log", "events.out"):
                    path = os.path.join(c.dir, f)
                    if os.path.exists(path):
                        print("# ---- %s/%s" % (c.ns, f))
                        with open(path) as fh:
                            for l in fh.read().splitlines()[-40:]:
                                print("# " + l)


def main():
    if os.geteuid() != 0 or not os.access(CHARON, os.X_OK) or not shutil.which("unshare"):
        print("# skipped: needs root, %s and unshare" % CHARON)
        return 77
    if not TOOL or not os.access(TOOL, os.X_OK):
        print("# HGW_VICI does not name the hgw-vici binary")
        return 99
    a, b = "hgwvici-a-%d" % os.getpid(), "hgwvici-b-%d" % os.getpid()
    base = tempfile.mkdtemp(prefix="hgw-vici-")
    t0 = time.monotonic()
    try:
        setup_net(a, b)
        scenario(base, a, b)
    finally:
        for ns in (a, b):
            run(["ip", "netns", "del", ns], check_rc=False)
        if not failures:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print("# state kept in " + base)
    print("# %d checks, %d failed, %.1f s" % (checks, len(failures), time.monotonic() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
