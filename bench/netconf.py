#!/usr/bin/python3
"""bench/netconf.py [--runs N] [--big-runs N] [--sizes 1,100,1000] [--idle S] [--perf OPS] OUT:
hybridgwd's NETCONF server, timed by a minimal client of its own over the unix socket (not
ncclient: it adds ~100 ms of its own per request, more than most of what is measured here).

Runs on the host (started by `bench/run netconf`), no UML, no root needed (perf aside): one
`hybridgwd --foreground --config-only --verbose` per size, in temporary state and config
directories on the disk, metrics off.  For each size S the configuration has S route-based
connections, each with two gateways (tunnels), its own key, IKE/ESP proposals, APIPA BGP
addresses unique per tunnel and a connection-policy, plus one private path with BFD.  Azure's
APIPA range (169.254.21.0-169.254.22.255: 512 addresses, 4 per active/active connection) holds
at most 128 connections with unique addresses, so the connections use profile `aws`: two
tunnels per VPN connection, each with its own /30 of 169.254.0.0/16 outside the blocks AWS
reserves (from 169.254.10.0/30 up), PFS on phase 2.

Timed by the client, from the request's first byte sent to the reply's last byte read (ms), and
on the server from the daemon's debug log ("<rpc> handled in N us": the handler only, without
libnetconf2 parsing the request and printing the reply):

  lock           <lock> of startup (then an untimed <unlock>): the same-run baseline, an RPC
                 that does no work on any datastore; each op's median is also given as a
                 multiple of its median at the same size;
  get-config-0   <get-config> of running with an xpath filter that selects nothing;
  replace        <edit-config> of candidate, default-operation replace, with the S config,
                 from empty datastores (a remove + commit, untimed, before each run);
  commit         the <commit> that follows it;
  validate       <validate> of candidate (holding the S config);
  get-config     <get-config> of running, everything;
  get            <get>, everything (running, state data, the YANG library);
  get-one        <get> with an xpath filter selecting one connection;
  edit-one       <edit-config> merge of one leaf of one connection (dpd/interval, a new value
                 each run) on top of the S config;
  commit-one     the <commit> that follows it.

Each op is followed by a <lock> (+ <unlock>) whose wall time is the op's "next": the work the
op left for after its reply (glibc consolidating the chunks its tree copies freed, paid at the
next request's first large allocation); the next op then starts clean.  The daemon's own CPU
time per op (/proc/PID/schedstat) runs from the op's request to that <unlock>.

--runs for the small ops (default 20), --big-runs for replace + commit (default 5); median and
p90 (nearest rank).  The daemon's RSS (VmRSS) after start, after the S config is committed and
after all ops, its peak (VmHWM); idle CPU: one session open and silent for --idle s (default
10), the daemon's utime + stime delta from /proc/PID/stat (and schedstat, and its context
switches).  Then, at the largest size, `perf record -g` on a fresh daemon while it answers only
the requests of each op in --perf (none: skip), as inclusive shares of the samples of the
functions that matter (PERF_FUNCS).

Writes OUT/netconf.md, OUT/netconf.json, OUT/netconf-perf-OP-S.txt and each size's daemon log;
ends only the daemons (and perf) it started, by PID.  Needs the build ($HGW_BUILD or build/).
Addresses: 169.254.0.0/16 (APIPA), 198.18.0.0/15.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lab"))
from hgwlab import tools  # noqa: E402

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
NS = "urn:hybridgw:params:xml:ns:yang:hybridgw"
EOM = b"]]>]]>"
YANG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "yang")
OPS = ["lock", "get-config-0", "replace", "commit", "validate", "get-config", "get", "get-one",
       "edit-one", "commit-one"]


class NetconfError(Exception):
    pass


class Client:
    """NETCONF 1.1 over a unix stream socket: <hello> in end-of-message framing, then chunked
    framing (RFC 6242), one request at a time."""

    def __init__(self, path, timeout=600):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = bytearray()
        self.msgid = 0
        self.sock.sendall(('<?xml version="1.0" encoding="UTF-8"?><hello xmlns="%s">'
                           '<capabilities><capability>urn:ietf:params:netconf:base:1.1'
                           '</capability></capabilities></hello>' % NC).encode() + EOM)
        self.hello = self._read_eom()
        if b"urn:ietf:params:netconf:base:1.1" not in self.hello:
            raise NetconfError("the server does not speak base:1.1")
        m = re.search(rb"<session-id>(\d+)</session-id>", self.hello)
        self.session_id = int(m.group(1)) if m else None

    def _recv(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise NetconfError("the server closed the session")
        self.buf += data

    def _read_eom(self):
        while EOM not in self.buf:
            self._recv()
        i = self.buf.index(EOM)
        msg = bytes(self.buf[:i])
        del self.buf[:i + len(EOM)]
        return msg

    HDR = re.compile(rb"\n#(#|[1-9][0-9]{0,9})\n")

    def _parse_chunked(self):
        """One whole message from the front of the buffer, or None if it is not all here."""
        parts, pos = [], 0
        while True:
            m = self.HDR.match(self.buf, pos)
            if m is None:
                if len(self.buf) - pos >= 13:
                    raise NetconfError("bad chunk header: %r" % bytes(self.buf[pos:pos + 13]))
                return None
            pos = m.end()
            if m.group(1) == b"#":
                del self.buf[:pos]
                return b"".join(parts)
            n = int(m.group(1))
            if len(self.buf) < pos + n:
                return None
            parts.append(bytes(self.buf[pos:pos + n]))
            pos += n

    def _read_chunked(self):
        # parsed only once the buffer ends like a message: replies come in ~1 KiB chunks,
        # and parsing them as they arrive cost the client more CPU than the reading
        while True:
            if self.buf.endswith(b"\n##\n"):
                msg = self._parse_chunked()
                if msg is not None:
                    return msg
            self._recv()

    def rpc(self, body):
        """Send <rpc>body</rpc>; returns (reply bytes, wall seconds)."""
        self.msgid += 1
        msg = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NC, self.msgid, body)).encode()
        frame = b"\n#%d\n" % len(msg) + msg + b"\n##\n"
        t0 = time.perf_counter()
        self.sock.sendall(frame)
        while True:
            reply = self._read_chunked()
            if not reply.lstrip().startswith(b"<notification"):
                break
        wall = time.perf_counter() - t0
        if b"<rpc-error" in reply:
            raise NetconfError(reply.decode(errors="replace")[:2000])
        return reply, wall

    def close(self):
        try:
            self.rpc("<close-session/>")
        except (NetconfError, OSError):
            pass
        self.sock.close()


def dotted(a):
    return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def connection(i):
    """Connection i: an AWS-style VPN connection, two tunnels, each its own /30."""
    gws = []
    for g in range(2):
        k = 2 * i + g
        base = (169 << 24 | 254 << 16 | 10 << 8) + 4 * k  # 169.254.10.0/30 upwards
        if (base >> 8) & 0xff >= 169:
            raise ValueError("too many tunnels for this addressing")
        remote = "198.19.%d.%d" % (k // 250, 1 + k % 250)
        gws.append("<gateway><name>t%d</name><remote-address>%s</remote-address>"
                   "<local-address>wan0</local-address><bgp><peer-asn>64512</peer-asn>"
                   "<peer-address>%s</peer-address><local-address>%s</local-address>"
                   "<hold-time>30</hold-time></bgp></gateway>"
                   % (g + 1, remote, dotted(base + 1), dotted(base + 2)))
    return ("<connection><name>c%d</name><description>bench connection %d</description>"
            "<profile>aws</profile><pre-shared-key>bench-psk-%08d-not-a-secret</pre-shared-key>"
            "<ike><proposal><id>1</id><encryption>aes256</encryption><integrity>sha256"
            "</integrity><dh-group>modp2048</dh-group></proposal></ike>"
            "<esp><proposal><id>1</id><encryption>aes256gcm16</encryption></proposal>"
            "<proposal><id>2</id><encryption>aes256</encryption><integrity>sha256</integrity>"
            "</proposal><pfs-group>modp2048</pfs-group><lifetime>3600</lifetime></esp>"
            "<dpd><interval>10</interval></dpd>%s</connection>"
            % (i, i, i, "".join(gws)))


def config(n):
    conns = "".join(connection(i) for i in range(n))
    policies = "".join("<connection-policy><connection>c%d</connection>"
                       "<import-prefix-list>cloud</import-prefix-list>"
                       "<export-prefix-list>onprem</export-prefix-list>"
                       "<max-prefix>1000</max-prefix></connection-policy>" % i for i in range(n))
    return (
        '<hybridgw xmlns="%s">'
        "<global><local-asn>65010</local-asn><router-id>198.18.0.1</router-id></global>"
        "<underlay><address><name>wan0</name><address>198.18.0.1</address>"
        "<interface>eth0</interface></address></underlay>"
        "<connections>%s</connections>"
        "<private-paths><private-path><name>er</name><interface>eth1.100</interface>"
        "<neighbor-address>198.18.1.2</neighbor-address><peer-asn>12076</peer-asn>"
        "<bfd-profile>er</bfd-profile></private-path></private-paths>"
        "<policy><maximum-paths>4</maximum-paths><originate>198.18.128.0/17</originate>"
        "<prefix-list><name>onprem</name><entry><seq>10</seq><prefix>198.18.128.0/17</prefix>"
        "<le>24</le></entry></prefix-list>"
        "<prefix-list><name>cloud</name><entry><seq>10</seq><prefix>198.19.128.0/17</prefix>"
        "<le>24</le></entry></prefix-list>%s</policy>"
        "<failover><bfd-profile><name>er</name><receive-interval>300</receive-interval>"
        "<transmit-interval>300</transmit-interval></bfd-profile>"
        "<tunnel-liveness><probe-interval>200</probe-interval><multiplier>3</multiplier>"
        "</tunnel-liveness></failover></hybridgw>" % (NS, conns, policies))


def edit(body, operation="merge"):
    return ('<edit-config><target><candidate/></target><default-operation>%s'
            '</default-operation><config>%s</config></edit-config>' % (operation, body))


REMOVE_ALL = edit('<hybridgw xmlns="%s" xmlns:nc="%s" nc:operation="remove"/>' % (NS, NC),
                  "none")
COMMIT = "<commit/>"
VALIDATE = "<validate><source><candidate/></source></validate>"
LOCK = "<lock><target><startup/></target></lock>"
UNLOCK = "<unlock><target><startup/></target></unlock>"
GET_CONFIG = "<get-config><source><running/></source></get-config>"
GET_CONFIG_0 = ('<get-config><source><running/></source><filter type="xpath" xmlns:hgw="%s" '
                'select="/hgw:hybridgw/hgw:connections/hgw:connection[hgw:name=\'none\']"/>'
                '</get-config>' % NS)
GET = "<get/>"


def get_one(name):
    return ('<get><filter type="xpath" xmlns:hgw="%s" select="/hgw:hybridgw/hgw:connections/'
            'hgw:connection[hgw:name=\'%s\']"/></get>' % (NS, name))


def edit_one(name, interval):
    return edit('<hybridgw xmlns="%s"><connections><connection><name>%s</name><dpd><interval>'
                '%d</interval></dpd></connection></connections></hybridgw>'
                % (NS, name, interval))


# The daemon

class Daemon:
    def __init__(self, exe, work):
        self.work = work
        for d in ("state", "conf"):
            os.makedirs(os.path.join(work, d))
        self.sock = os.path.join(work, "state", "netconf.sock")
        self.log = os.path.join(work, "daemon.log")
        self.logf = open(self.log, "w")
        env = dict(os.environ, HYBRIDGWD_METRICS_LISTEN="none",
                   HYBRIDGWD_YANG_DIR=os.environ.get("HYBRIDGWD_YANG_DIR", YANG_DIR))
        self.proc = subprocess.Popen([exe, "--foreground", "--verbose", "--config-only",
                                      "--state-dir", os.path.join(work, "state"),
                                      "--config-dir", os.path.join(work, "conf")],
                                     stdout=self.logf, stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hybridgwd did not open its socket; see %s:\n%s"
                                   % (self.log, open(self.log).read()[-2000:]))
            time.sleep(0.05)

    def status(self):
        st = open("/proc/%d/status" % self.pid).read()
        return {k: int(v) for k, v in re.findall(
            r"(VmRSS|VmHWM|Threads|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):"
            r"\s+(\d+)", st)}

    def cpu_ticks(self):
        # fields after the ")" of comm: state is field 3; utime 14, stime 15
        f = open("/proc/%d/stat" % self.pid).read().rpartition(")")[2].split()
        return int(f[11]) + int(f[12])

    def cpu_ns(self):
        return int(open("/proc/%d/schedstat" % self.pid).read().split()[0])

    def handled(self):
        """The daemon's server-side times so far: [(rpc name, us)]."""
        self.logf.flush()
        return [(m.group(1), int(m.group(2))) for m in
                re.finditer(r"NETCONF session \d+: (\S+) handled in (\d+) us",
                            open(self.log).read())]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # our own child, by PID
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        return self.proc.returncode


def pct(xs, p):
    """The p-th percentile, nearest rank."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def med(xs):
    return statistics.median(xs) if xs else float("nan")


class Recorder:
    """Per op: the client's wall time (request sent -> reply read), the client's own CPU
    time in that interval, the reply's size, and, matched from the daemon's log afterwards,
    the server's handler time.  Also, per op, the wall time of the <lock> sent right after
    it ("next"): what the op leaves the daemon to do after its reply (glibc consolidating
    the chunks its tree copies freed, at the next request's first large allocation)."""

    def __init__(self, daemon):
        self.d = daemon
        self.wall, self.server, self.cpu, self.next, self.bytes = {}, {}, {}, {}, {}
        self.daemon_cpu = {}  # op -> ms of the daemon's CPU from op sent to "next" answered
        self.last = None  # (op, the daemon's CPU ns when op was sent)
        self.pending = []  # (op, rpc name), in the order sent, until matched with the log
        self.seen = 0

    def timed(self, c, op, body, rpc_name):
        self.last = (op, self.d.cpu_ns())
        cpu0 = time.process_time()
        reply, wall = c.rpc(body)
        self.cpu.setdefault(op, []).append((time.process_time() - cpu0) * 1000)
        self.wall.setdefault(op, []).append(wall * 1000)
        self.bytes[op] = len(reply)
        self.pending.append((op, rpc_name))
        return reply

    def untimed(self, c, body, rpc_name):
        reply = c.rpc(body)[0]
        self.pending.append((None, rpc_name))
        return reply

    def after(self, c, op):
        """A <lock> (and an untimed <unlock>) right after op's reply: its wall time is what
        the daemon still had to do for op before it could read the next request."""
        reply, wall = c.rpc(LOCK)
        if op is not None:
            self.next.setdefault(op, []).append(wall * 1000)
        self.pending.append((None, "lock"))
        self.untimed(c, UNLOCK, "unlock")
        if op is not None and self.last is not None and self.last[0] == op:
            self.daemon_cpu.setdefault(op, []).append((self.d.cpu_ns() - self.last[1]) / 1e6)
        self.last = None
        return reply

    def collect(self):
        lines = self.d.handled()[self.seen:]
        for _ in range(50):
            if len(lines) >= len(self.pending):
                break
            time.sleep(0.1)
            lines = self.d.handled()[self.seen:]
        for (op, name), (logged, us) in zip(self.pending, lines):
            if logged != name:
                raise RuntimeError("daemon log out of step: expected %s, got %s" % (name, logged))
            if op is not None:
                self.server.setdefault(op, []).append(us / 1000.0)
        n = min(len(lines), len(self.pending))
        self.seen += n
        self.pending = self.pending[n:]


def one_run(c, rec, mid, r):
    """The small ops once, each followed by its "next" <lock>; the daemon is left with no
    deferred work from before (the first <lock> takes what the previous run left)."""
    rec.after(c, "commit-one" if r > 0 else None)
    rec.timed(c, "lock", LOCK, "lock")
    rec.untimed(c, UNLOCK, "unlock")
    rec.after(c, "lock")
    rec.timed(c, "get-config-0", GET_CONFIG_0, "get-config")
    rec.after(c, "get-config-0")
    rec.timed(c, "validate", VALIDATE, "validate")
    rec.after(c, "validate")
    rec.timed(c, "get-config", GET_CONFIG, "get-config")
    rec.after(c, "get-config")
    rec.timed(c, "get", GET, "get")
    rec.after(c, "get")
    reply = rec.timed(c, "get-one", get_one(mid), "get")
    rec.after(c, "get-one")
    if r == 0 and (reply.count(b"<connection><name>") != 1 or
                   b"<name>%s</name>" % mid.encode() not in reply):
        raise RuntimeError("get-one did not select exactly %s: %r" % (mid, reply[:500]))
    rec.timed(c, "edit-one", edit_one(mid, 11 + r % 2), "edit-config")
    rec.after(c, "edit-one")
    rec.timed(c, "commit-one", COMMIT, "commit")


def one_replace(c, rec, cfg):
    """From empty datastores (untimed): replace candidate with the S config, commit."""
    rec.untimed(c, REMOVE_ALL, "edit-config")
    rec.untimed(c, COMMIT, "commit")
    rec.after(c, None)
    rec.timed(c, "replace", edit(cfg, "replace"), "edit-config")
    rec.after(c, "replace")
    rec.timed(c, "commit", COMMIT, "commit")
    rec.after(c, "commit")


PERF_FUNCS = [
    # what the daemon and libnetconf2 do per request (inclusive shares of the samples)
    "nc_ps_poll", "lyd_parse_op", "on_rpc", "lyd_print_clb", "nc_server_reply_free",
    "malloc_consolidate",
    # the handlers
    "rpc_get_config", "rpc_get", "rpc_validate", "rpc_edit_config", "rpc_commit",
    "operational", "select_xpath", "filtered_reply", "dup_reply",
    # lib/nc: datastores, edit, validation, store
    "hgw_nc_parse_config", "hgw_nc_edit_tree", "hgw_nc_validate_tree", "lyd_validate_all",
    "lyplg_type_resolve_leafref", "pcre2_compile_8", "hgw_nc_check", "check_apipa_unique",
    "check_aws_inside", "set_running", "apply_config", "hgw_nc_store_save", "lyd_print_mem",
    "dup_tree", "lyd_dup_siblings", "lyd_free_all", "hgw_nc_discard_changes",
    "ly_ctx_get_yanglib_data", "__GI___libc_write",
]


def perf_loop(op, n):
    """The requests one iteration of op's profile sends, and what to call them."""
    mid = "c%d" % (n // 2)
    if op in ("replace", "commit"):
        cfg = config(n)
        return (lambda r: [REMOVE_ALL, COMMIT, edit(cfg, "replace"), COMMIT],
                "remove + commit, replace + commit")
    if op in ("edit-one", "commit-one"):
        return lambda r: [edit_one(mid, 11 + r % 2), COMMIT], "edit-config of one leaf + commit"
    body = {"validate": VALIDATE, "get-config": GET_CONFIG, "get": GET, "get-one": get_one(mid),
            "get-config-0": GET_CONFIG_0, "lock": LOCK}[op]
    return lambda r: [body], NAMES[op]


def perf_profile(exe, n, op, runs, work, out):
    """perf record -g on the daemon while it answers `runs` iterations of op's requests (and
    nothing else) at size n; the inclusive share of the samples of each of PERF_FUNCS in
    OUT/netconf-perf-OP-N.txt.  None if perf is missing or refused."""
    if shutil.which("perf") is None:
        return None
    loop, what = perf_loop(op, n)
    data = os.path.join(work, "perf.data")
    d = Daemon(exe, os.path.join(work, "perf-%s-%d" % (op, n)))
    try:
        c = Client(d.sock)
        c.rpc(edit(config(n), "replace"))
        c.rpc(COMMIT)
        p = subprocess.Popen(["perf", "record", "-F", "999", "-g", "--call-graph",
                              "dwarf,16384", "-o", data, "-p", str(d.pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        for r in range(runs):
            for body in loop(r):
                c.rpc(body)
                if body == LOCK:
                    c.rpc(UNLOCK)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)  # our own perf, by PID
        _, err = p.communicate(timeout=300)
        c.close()
    finally:
        d.stop()
    if p.returncode not in (0, -signal.SIGINT) or not os.path.exists(data):
        print("perf: %s" % err.decode(errors="replace")[-300:], file=sys.stderr)
        return None
    script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym"],
                            capture_output=True, text=True).stdout
    samples, cur = [], set()
    for line in script.splitlines():
        if not line.strip():
            if cur:
                samples.append(cur)
            cur = set()
        else:
            parts = line.split(None, 1)  # address, symbol (" (inlined)" at times)
            if len(parts) == 2:
                cur.add(parts[1].split(" (")[0])
    if cur:
        samples.append(cur)
    counts = {f: sum(1 for s in samples if f in s) for f in PERF_FUNCS}
    lines = ["perf record -g on hybridgwd, %d connections, %d x (%s), %d samples at 999 Hz "
             "(on-CPU only: fsync waits are not here); inclusive share of the samples:"
             % (n, runs, what, len(samples))]
    lines += ["%6.1f %%  %s" % (100.0 * counts[f] / max(1, len(samples)), f)
              for f in PERF_FUNCS if counts[f]]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "netconf-perf-%s-%d.txt" % (op, n)), "w") as f:
        f.write(text)
    os.unlink(data)
    return text


def bench_size(exe, n, runs, big_runs, idle, work):
    d = Daemon(exe, os.path.join(work, "size-%d" % n))
    res = {"size": n}
    try:
        time.sleep(0.5)
        res["rss_start_kib"] = d.status()["VmRSS"]
        c = Client(d.sock)
        rec = Recorder(d)
        cfg = config(n)
        res["config_bytes"] = len(cfg)
        for _ in range(big_runs):
            one_replace(c, rec, cfg)
            rec.collect()
        time.sleep(0.5)
        res["rss_committed_kib"] = d.status()["VmRSS"]
        mid = "c%d" % (n // 2)
        for r in range(runs):
            one_run(c, rec, mid, r)
            rec.collect()
        rec.after(c, "commit-one")
        rec.collect()
        if rec.pending:
            raise RuntimeError("no 'handled in' line for %d requests" % len(rec.pending))
        full = c.rpc(GET_CONFIG)[0]
        if full.count(b"<connection><name>") != n:
            raise RuntimeError("running holds %d connections, not %d"
                               % (full.count(b"<connection><name>"), n))
        time.sleep(0.5)
        st = d.status()
        res["rss_after_ops_kib"] = st["VmRSS"]
        res["hwm_kib"] = st["VmHWM"]
        res["threads"] = st["Threads"]
        # idle CPU: this one session stays open and silent
        time.sleep(1.0)
        hz = os.sysconf("SC_CLK_TCK")
        t0, tick0, ns0, st0 = time.monotonic(), d.cpu_ticks(), d.cpu_ns(), d.status()
        time.sleep(idle)
        t1, tick1, ns1, st1 = time.monotonic(), d.cpu_ticks(), d.cpu_ns(), d.status()
        res["idle_s"] = t1 - t0
        res["idle_cpu_ticks"] = tick1 - tick0
        res["clk_tck"] = hz
        res["idle_cpu_pct"] = 100.0 * (tick1 - tick0) / hz / (t1 - t0)
        res["idle_cpu_pct_schedstat"] = 100.0 * (ns1 - ns0) / 1e9 / (t1 - t0)
        res["idle_wakeups"] = sum(st1[k] - st0[k] for k in ("voluntary_ctxt_switches",
                                                            "nonvoluntary_ctxt_switches"))
        c.rpc(LOCK)  # the session is still served after its silence
        c.close()
        for k in ("wall", "server", "cpu", "next", "bytes", "daemon_cpu"):
            res[k] = getattr(rec, k)
    finally:
        res["exit"] = d.stop()
        res["log"] = d.log
    return res


NAMES = {
    "lock": "`<lock>` (the baseline)",
    "get-config-0": "get-config, a filter that selects nothing",
    "replace": "edit-config replace, S connections",
    "commit": "commit of it (from empty)",
    "validate": "validate candidate",
    "get-config": "get-config running, full",
    "get": "get, full",
    "get-one": "get, xpath: one connection",
    "edit-one": "edit-config, one leaf",
    "commit-one": "commit of the one leaf",
}


def summary(results, runs, big_runs, cmdline):
    out = []
    sizes = [r["size"] for r in results]
    out.append("Client wall time, request sent -> reply read, ms: median (p90), and the median "
               "as a multiple of the baseline's (`<lock>`) at the same size:")
    out.append("")
    out.append("| op | " + " | ".join("S=%d ms | x lock" % s for s in sizes) + " |")
    out.append("|---|" + "---|---|" * len(sizes))
    for op in OPS:
        cells = []
        for r in results:
            w = r["wall"][op]
            cells.append("%.2f (%.2f) | %.0f" % (med(w), pct(w, 90),
                                                 med(w) / med(r["wall"]["lock"])))
        out.append("| %s | %s |" % (NAMES[op], " | ".join(cells)))
    out.append("")
    out.append("Where the time goes, medians in ms: the daemon's handler (its log's \"handled "
               "in\"); the rest of the round trip (libnetconf2 reading and parsing the request, "
               "printing and writing the reply, the client reading it); \"next\", the wall time "
               "of a `<lock>` sent right after the reply (the deferred work the op leaves, plus "
               "one baseline); and the daemon's own CPU time from the op's request to that "
               "`<lock>`'s `<unlock>` (/proc/PID/schedstat; includes those two trivial RPCs):")
    out.append("")
    out.append("| op | " + " | ".join("S=%d handler / rest / next / daemon CPU" % s
                                      for s in sizes) + " |")
    out.append("|---|" + "---|" * len(sizes))
    for op in OPS:
        cells = []
        for r in results:
            h, w = med(r["server"][op]), med(r["wall"][op])
            cells.append("%.2f / %.2f / %.2f / %.2f" % (h, w - h, med(r["next"].get(op, [])),
                                                        med(r["daemon_cpu"].get(op, []))))
        out.append("| %s | %s |" % (NAMES[op], " | ".join(cells)))
    out.append("")
    big = results[-1]
    worst = max(OPS, key=lambda op: med(big["cpu"][op]))
    out.append("The client's own CPU time (Python, in the round trip) is at most %.1f ms a "
               "request (%s at S=%d, %d reply bytes in ~1 KiB chunks), on the other core."
               % (med(big["cpu"][worst]), worst, big["size"], big["bytes"][worst]))
    out.append("")
    out.append("| S | config bytes | get-config reply bytes | get reply bytes | RSS after start "
               "KiB | RSS with S committed KiB | RSS after the ops KiB | peak (VmHWM) KiB | "
               "idle CPU, one silent session |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        out.append("| %d | %d | %d | %d | %d | %d | %d | %d | %.2f %% (%d ticks in %.1f s; "
                   "schedstat %.4f %%, %d wake-ups) |" % (
                       r["size"], r["config_bytes"], r["bytes"]["get-config"],
                       r["bytes"]["get"], r["rss_start_kib"], r["rss_committed_kib"],
                       r["rss_after_ops_kib"], r["hwm_kib"], r["idle_cpu_pct"],
                       r["idle_cpu_ticks"], r["idle_s"], r["idle_cpu_pct_schedstat"],
                       r["idle_wakeups"]))
    out.append("")
    out.append("%s, `%s` on %s (%d CPUs, load average before: %s); %d runs of the small ops, "
               "%d of replace + commit; p90 is nearest-rank." % (
                   time.strftime("%Y-%m-%d %H:%M"), cmdline, os.uname().nodename,
                   os.cpu_count(), results[0]["loadavg"], runs, big_runs))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="runs of each small op")
    ap.add_argument("--big-runs", type=int, default=5, help="runs of replace + commit")
    ap.add_argument("--sizes", default="1,100,1000")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of silence for idle CPU")
    ap.add_argument("--perf", default="commit-one,validate,get-config,replace",
                    help="ops to profile at the largest size, after the timing (perf record "
                    "-g; OUT/netconf-perf-OP-S.txt), or none")
    ap.add_argument("--cmdline", default=None, help="how this was started, for the report")
    ap.add_argument("out")
    a = ap.parse_args()
    exe = tools.path("daemons/hybridgwd/hybridgwd")
    sizes = [int(x) for x in a.sizes.split(",")]
    perf_ops = [x for x in a.perf.split(",") if x and x != "none"]
    if not set(perf_ops) <= set(OPS):
        sys.exit("bench/netconf.py: --perf takes ops among %s, or none" % ",".join(OPS))
    if max(sizes) > 5000:
        sys.exit("bench/netconf.py: at most 5000 connections (two /30s each in 169.254.10.0 - "
                 "169.254.168.255)")
    work = tempfile.mkdtemp(prefix="hgw-bench-nc-")
    results = []
    profiles = {}
    try:
        for n in sizes:
            load = " ".join(open("/proc/loadavg").read().split()[:3])
            r = bench_size(exe, n, a.runs, a.big_runs, a.idle, work)
            r["loadavg"] = load
            r["log"] = os.path.join(a.out, "netconf-daemon-%d.log" % n)
            shutil.copy(os.path.join(work, "size-%d" % n, "daemon.log"), r["log"])
            results.append(r)
            print("connections=%d replace_ms=%.1f commit_ms=%.1f commit_one_ms=%.1f "
                  "get_ms=%.1f lock_ms=%.2f idle_cpu=%.2f%% hwm_kib=%d load=%s"
                  % (n, med(r["wall"]["replace"]), med(r["wall"]["commit"]),
                     med(r["wall"]["commit-one"]), med(r["wall"]["get"]),
                     med(r["wall"]["lock"]), r["idle_cpu_pct"], r["hwm_kib"], load),
                  flush=True)
        for op in perf_ops:
            text = perf_profile(exe, max(sizes), op, 5 if op in ("replace", "commit") else 20,
                                work, a.out)
            if text:
                profiles[op] = text
                print(text, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = summary(results, a.runs, a.big_runs,
                   a.cmdline or "bench/netconf.py " + " ".join(sys.argv[1:]))
    print(text)
    with open(os.path.join(a.out, "netconf.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "netconf.json"), "w") as f:
        json.dump({"runs": a.runs, "big_runs": a.big_runs, "exe": exe, "cmdline": a.cmdline,
                   "results": results, "perf": profiles}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
