#!/usr/bin/python3
"""test_ssh.py - NETCONF over SSH through OpenSSH's sshd and hybridgw-netconf (see
test_ssh.sh, which starts hybridgwd and sshd and calls this).  Prints TAP.

  free-port                  print a free TCP port on 127.0.0.1
  wait-port PORT...          wait until sshd accepts on every PORT
  up TMP PORT NCPORT SOCKET BRIDGE HOOK [USER...]
                             the checks with hybridgwd running (USERs: nss_wrapper's
                             hgwop, hgwnone, hgwout)
  down TMP PORT NCPORT SOCKET
                             the checks with hybridgwd stopped
"""
import os
import re
import socket
import statistics
import subprocess
import sys
import time

import paramiko
from ncclient import manager
from ncclient.transport.errors import AuthenticationError, SessionCloseError
from ncclient.transport.errors import SSHUnknownHostError

import ncclient_unix
from nctest import AZURE, GLOBAL, KEY, UNDERLAY, cfg, check, describe, description, done, has
from nctest import rpc_error, xml

BASE11 = "urn:ietf:params:netconf:base:1.1"
HELLO = ('<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:'
         'base:1.0"><capabilities><capability>%s</capability></capabilities></hello>]]>]]>'
         % BASE11).encode()
GET_CONFIG = ('<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="%d">'
              '<get-config><source><running/></source></get-config></rpc>')
HELLO10 = HELLO.replace(BASE11.encode(), b"urn:ietf:params:netconf:base:1.0")
# the subsystem's --message-timeout in test_ssh.sh's sshd_config
MESSAGE_TIMEOUT = int(os.environ.get("HGW_MESSAGE_TIMEOUT", "3"))
CLOSE = '<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="%d"><close-session/></rpc>'


class Env:
    def __init__(self, tmp, port, ncport, sock):
        self.tmp = tmp
        self.port = int(port)
        self.ncport = int(ncport)
        self.sock = sock

    def pub(self, kind):
        """base64 of the host key of kind ed25519 or ecdsa."""
        with open(os.path.join(self.tmp, "ssh_host_%s_key.pub" % kind)) as f:
            return f.read().split()[1]

    def key(self, user):
        return os.path.join(self.tmp, "client", user)

    def connect(self, user="root", hostkey="ed25519", port=None, hostkey_b64=None, **kw):
        """ncclient over SSH, trusting only the one host key given."""
        return manager.connect(
            host="127.0.0.1", port=port or self.port, username=user,
            key_filename=self.key(user), hostkey_verify=True,
            hostkey_b64=hostkey_b64 or self.pub(hostkey), look_for_keys=False,
            allow_agent=False, timeout=20, **kw)

    def ssh_cmd(self, user="root", port=None):
        """The OpenSSH client, with a known_hosts file of the test's host keys only."""
        kh = os.path.join(self.tmp, "known_hosts")
        if not os.path.exists(kh):
            with open(kh, "w") as f:
                for p in (self.port, self.ncport):
                    for kind, name in (("ed25519", "ssh-ed25519"),
                                       ("ecdsa", "ecdsa-sha2-nistp256")):
                        f.write("[127.0.0.1]:%d %s %s\n" % (p, name, self.pub(kind)))
        return ["ssh", "-F", "/dev/null", "-p", str(port or self.port), "-i", self.key(user),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + kh,
                "-o", "GlobalKnownHostsFile=/dev/null", "-l", user, "127.0.0.1"]

    def transport(self, port=None):
        """A bare paramiko transport, host key checked, not authenticated."""
        t = paramiko.Transport(("127.0.0.1", port or self.port))
        t.start_client(timeout=20)
        key = t.get_remote_server_key()
        if key.get_base64() not in (self.pub("ed25519"), self.pub("ecdsa")):
            raise paramiko.SSHException("unknown host key")
        return t

    def channel(self, user, subsystem=True, command=None, port=None):
        """A paramiko session channel on which the subsystem (or command) was started."""
        t = self.transport(port)
        t.auth_publickey(user, paramiko.Ed25519Key.from_private_key_file(self.key(user)))
        ch = t.open_session(timeout=20)
        ch.settimeout(20)
        if subsystem:
            ch.invoke_subsystem("netconf")
        else:
            ch.exec_command(command)
        return t, ch


def read_all(ch, limit=20.0):
    """stdout and stderr of a paramiko channel until EOF, and the exit status."""
    out, err = b"", b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if ch.recv_ready():
            out += ch.recv(65536)
        elif ch.recv_stderr_ready():
            err += ch.recv_stderr(65536)
        elif ch.exit_status_ready() and ch.eof_received:
            break
        else:
            time.sleep(0.01)
    return out, err, ch.recv_exit_status() if ch.exit_status_ready() else None


# A NETCONF 1.1 client over two file descriptors: for latency without ncclient's tick.
class Raw:
    def __init__(self, rfd, wfd):
        self.rfd, self.wfd, self.buf, self.mid = rfd, wfd, b"", 0

    def send(self, data):
        while data:
            data = data[os.write(self.wfd, data):]

    def until(self, end):
        while not self.buf.endswith(end) and end not in self.buf:
            chunk = os.read(self.rfd, 65536)
            if not chunk:
                raise EOFError(self.buf[-300:])
            self.buf += chunk
        i = self.buf.index(end) + len(end)
        msg, self.buf = self.buf[:i], self.buf[i:]
        return msg

    def hello(self):
        self.send(HELLO)
        return self.until(b"]]>]]>")

    def rpc(self, body):
        self.mid += 1
        data = (body % self.mid).encode()
        self.send(b"\n#%d\n%s\n##\n" % (len(data), data))
        return self.until(b"\n##\n")


def median_ms(samples):
    return statistics.median(samples) * 1000.0


def time_rpcs(raw, n=50):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        reply = raw.rpc(GET_CONFIG)
        samples.append(time.perf_counter() - t0)
        assert b"rpc-reply" in reply, reply[:200]
    return samples


def time_ncclient(m, n=50):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        m.get_config("running")
        samples.append(time.perf_counter() - t0)
    return samples


# --- with hybridgwd running --------------------------------------------------------------

def check_host_keys(env):
    for kind, name in (("ed25519", "ssh-ed25519"), ("ecdsa", "ecdsa-sha2-nistp256")):
        try:
            m = env.connect(hostkey=kind)
            got = m._session._transport.get_remote_server_key().get_name()
            check("host key %s: trusted alone, the session opens" % kind, got == name, got)
            m.close_session()
        except Exception as e:  # noqa: BLE001 - any failure is the check's
            check("host key %s: trusted alone, the session opens" % kind, False, repr(e))
    other = paramiko.Ed25519Key.from_private_key_file(env.key("stranger")).get_base64()
    try:
        env.connect(hostkey_b64=other).close_session()
        check("a host key we do not trust is refused", False, "connected")
    except SSHUnknownHostError:
        check("a host key we do not trust is refused", True)
    except Exception as e:  # noqa: BLE001
        check("a host key we do not trust is refused", False, repr(e))
    out = subprocess.run(["ssh-keyscan", "-T", "10", "-t", "ed25519,ecdsa", "-p", str(env.port),
                          "127.0.0.1"], capture_output=True, text=True, timeout=30).stdout
    offered = {line.split()[2] for line in out.splitlines() if not line.startswith("#")}
    check("ssh-keyscan finds exactly the Ed25519 and ECDSA host keys",
          offered == {env.pub("ed25519"), env.pub("ecdsa")}, out)


def check_auth(env):
    try:
        manager.connect(host="127.0.0.1", port=env.port, username="root",
                        key_filename=env.key("stranger"), hostkey_verify=True,
                        hostkey_b64=env.pub("ed25519"), look_for_keys=False,
                        allow_agent=False, timeout=20).close_session()
        check("a key not in authorized_keys is refused", False, "connected")
    except AuthenticationError:
        check("a key not in authorized_keys is refused", True)
    except Exception as e:  # noqa: BLE001
        check("a key not in authorized_keys is refused", False, repr(e))

    for port, name in ((env.port, "port 22's stand-in"), (env.ncport, "the NETCONF port")):
        t = env.transport(port)
        try:
            t.auth_none("root")
            check("%s: only publickey is offered" % name, False, "auth none accepted")
        except paramiko.BadAuthenticationType as e:
            check("%s: only publickey is offered" % name,
                  list(e.allowed_types) == ["publickey"], e.allowed_types)
        try:
            t.auth_password("root", "not-the-password")
            check("%s: password authentication is refused" % name, False, "accepted")
        except paramiko.BadAuthenticationType as e:
            check("%s: password authentication is refused (not offered)" % name,
                  "password" not in e.allowed_types, e.allowed_types)
        except paramiko.AuthenticationException as e:
            check("%s: password authentication is refused (not offered)" % name, False,
                  repr(e))
        t.close()
    r = subprocess.run(env.ssh_cmd() + ["-o", "PreferredAuthentications=password,"
                                        "keyboard-interactive", "-s", "netconf"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    check("ssh with password or keyboard-interactive only: Permission denied (publickey)",
          r.returncode == 255 and "Permission denied (publickey)" in r.stderr, r.stderr)


def check_session(env, hook):
    m = env.connect()
    caps = list(m.server_capabilities)
    check("hello over SSH: base:1.1, candidate, notification, a session id",
          BASE11 in caps and "urn:ietf:params:netconf:capability:candidate:1.0" in caps and
          "urn:ietf:params:netconf:capability:notification:1.0" in caps and
          int(m.session_id) > 0, caps)
    check("get-config running (empty at first)", "azure" not in xml(m))
    # ietf-netconf-monitoring tells an SSH session from a local one, with the client's address
    ncm = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
    mon = m.get(filter=("xpath", ({"ncm": ncm}, "/ncm:netconf-state/ncm:sessions"))).data_xml
    me = re.search(r"<session>(?:(?!</session>).)*<session-id>%s</session-id>"
                   r"(?:(?!</session>).)*</session>" % m.session_id, mon, re.S)
    check("monitoring: this session is netconf-ssh from 127.0.0.1, user root",
          me is not None and re.search(r"<transport[^>]*>[^<:]*:?netconf-ssh</transport>",
                                       me.group(0)) is not None and
          "<source-host>127.0.0.1</source-host>" in me.group(0) and
          "<username>root</username>" in me.group(0), mon)

    # a second session over SSH subscribes, this one commits
    sub = env.connect(hostkey="ecdsa")
    try:
        sub.create_subscription()
        check("create-subscription over SSH", True)
    except Exception as e:  # noqa: BLE001
        check("create-subscription over SSH", False, repr(e))

    m.edit_config(target="candidate", config=cfg(GLOBAL + UNDERLAY + AZURE))
    m.commit()
    running = xml(m)
    check("edit-config candidate + commit, read back from running",
          "<name>azure</name>" in running and "65010" in running, running[:300])
    check("the session's user is root, admin: the pre-shared key is visible", KEY in running)

    got = []
    end = time.monotonic() + 10
    while time.monotonic() < end and not any("netconf-config-change" in x for x in got):
        n = sub.take_notification(block=True, timeout=1)
        if n is not None:
            got.append(n.notification_xml)
    check("the commit's netconf-config-change arrives over SSH",
          any("netconf-config-change" in x and "root" in x for x in got), got)
    if hook:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"tunnel azure in0 down dpd-timeout", hook)
        s.close()
        got = []
        end = time.monotonic() + 10
        while time.monotonic() < end and not got:
            n = sub.take_notification(block=True, timeout=1)
            if n is not None and "tunnel-state-change" in n.notification_xml:
                got.append(n.notification_xml)
        check("a model notification (tunnel-state-change) arrives over SSH", got, got)
    # the client vanishes without <close-session>: the subsystem must end all the same
    sub._session._transport.close()

    # a message larger than the bridge's 64 KiB buffers, both ways
    text = "x" * 300000
    m.edit_config(target="candidate", config=description(text))
    cand = xml(m, "candidate")
    check("a 300 kB edit-config and its get-config pass whole", text in cand, len(cand))
    m.discard_changes()
    m.close_session()


def check_raw(env):
    """The OpenSSH client, its stdin closed after the requests: the bridge half-closes."""
    body = (GET_CONFIG % 1).encode()
    req = HELLO + b"\n#%d\n%s\n##\n" % (len(body), body)
    r = subprocess.run(env.ssh_cmd() + ["-s", "netconf"], input=req, capture_output=True,
                       timeout=30)
    check("ssh -s netconf, stdin closed after the request: full reply, exit 0",
          r.returncode == 0 and r.stdout.count(b"]]>]]>") == 1 and
          b'message-id="1"' in r.stdout and r.stdout.endswith(b"\n##\n"),
          (r.returncode, r.stdout[-300:], r.stderr))

    # the NETCONF port: any session request gets the subsystem, never a shell
    t, ch = env.channel("root", subsystem=False, command="id", port=env.ncport)
    ch.sendall(HELLO)
    head = b""
    while b"]]>]]>" not in head:
        chunk = ch.recv(65536)
        if not chunk:
            break
        head += chunk
    check("on the NETCONF port (ForceCommand) 'exec id' gets NETCONF's <hello>, not a shell",
          b"<hello" in head and b"uid=" not in head, head[:200])
    ch.close()
    t.close()
    t = env.transport(env.ncport)
    t.auth_publickey("root", paramiko.Ed25519Key.from_private_key_file(env.key("root")))
    ch = t.open_session()
    try:
        ch.get_pty()
        check("on the NETCONF port a pty is refused", False, "pty granted")
    except paramiko.SSHException:
        check("on the NETCONF port a pty is refused", True)
    t.close()

    m = env.connect(port=env.ncport)
    check("ncclient on the NETCONF port", "<name>azure</name>" in xml(m))
    m.close_session()


def chunk(body):
    return b"\n#%d\n%s\n##\n" % (len(body), body)


def check_framing(env, bridge, sock):
    """Only whole messages reach hybridgwd: a client stalled in the middle of one holds
    nobody but itself, and bad framing ends the session (exit 5)."""
    # another session, open before the stall, over ssh -s netconf
    p = subprocess.Popen(env.ssh_cmd() + ["-s", "netconf"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    other = Raw(p.stdout.fileno(), p.stdin.fileno())
    other.hello()
    other.rpc(GET_CONFIG)

    t, ch = env.channel("root")
    ch.sendall(HELLO)
    head = b""
    while b"]]>]]>" not in head:
        got = ch.recv(65536)
        if not got:
            break
        head += got
    body = (GET_CONFIG % 1).encode()
    ch.sendall(b"\n#%d\n%s" % (len(body), body[:len(body) // 2]))
    stalled = time.monotonic()
    time.sleep(0.3)  # the half message is surely with the subsystem
    t0 = time.perf_counter()
    reply = other.rpc(GET_CONFIG)
    took = time.perf_counter() - t0
    check("a session stalled in the middle of a message: another session's get-config "
          "answers at once (%.3f s)" % took, b"rpc-reply" in reply and took < 2,
          (took, reply[:200]))
    _, _, rc = read_all(ch, MESSAGE_TIMEOUT + 20)
    secs = time.monotonic() - stalled
    check("the stalled session is closed after --message-timeout %d s (exit 5)" % MESSAGE_TIMEOUT,
          rc == 5 and MESSAGE_TIMEOUT - 0.5 < secs < MESSAGE_TIMEOUT + 15,
          (rc, secs))
    t.close()

    # a message in 10 pieces, 50 ms apart
    other.mid += 1
    data = chunk((GET_CONFIG % other.mid).encode())
    n = (len(data) + 9) // 10
    for i in range(0, len(data), n):
        other.send(data[i:i + n])
        time.sleep(0.05)
    reply = other.until(b"\n##\n")
    check("a get-config in 10 pieces 50 ms apart is answered",
          b'message-id="%d"' % other.mid in reply and b"rpc-reply" in reply, reply[:200])
    # chunks of one byte, a message of many chunks
    other.mid += 1
    data = (GET_CONFIG % other.mid).encode()
    other.send(b"".join(b"\n#1\n" + data[i:i + 1] for i in range(len(data))) + b"\n##\n")
    reply = other.until(b"\n##\n")
    check("a get-config in chunks of one byte is answered",
          b'message-id="%d"' % other.mid in reply, reply[:200])
    p.stdin.close()
    p.wait(10)

    # bad framing: the session ends, exit 5
    for name, bad in (("a chunk header over 4294967295", b"\n#4294967296\n<rpc"),
                      ("a chunk over 64 MiB", b"\n#67108865\n<rpc"),
                      ("a chunk length with a leading zero", b"\n#010\n<rpc"),
                      ("garbage instead of a chunk header", b"<rpc>no framing</rpc>\n")):
        t, ch = env.channel("root")
        ch.sendall(HELLO + bad)
        out, _, rc = read_all(ch)
        t.close()
        check("%s closes the session (exit 5)" % name, rc == 5, (rc, out[-200:]))

    # without SSH, on pipes: what the subsystem logs (sshd drops its stderr)
    def pipes(data, *args, wait=10):
        p = subprocess.Popen([bridge, "--socket", sock] + list(args), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate(data, timeout=wait) if data is not None else (None, None)
        return p.returncode, out, err.decode()

    rc, out, err = pipes(HELLO + b"\n#0\n")
    check("a chunk of length 0: exit 5, and the log says why",
          rc == 5 and "closing the session: bad chunk header" in err, (rc, err))
    rc, out, err = pipes(HELLO + b"\n#3\nabcdef")
    check("a chunk longer than its header: exit 5, logged",
          rc == 5 and "closing the session: bad chunked framing" in err, (rc, err))
    p = subprocess.Popen([bridge, "--socket", sock, "--message-timeout", "1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(HELLO + b"\n#100\n<rpc")
    p.stdin.flush()
    try:
        rc = p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    err = p.stderr.read().decode()
    p.stdin.close()
    p.stdout.close()
    p.stderr.close()
    check("a stalled message, --message-timeout 1: exit 5, logged",
          rc == 5 and "incomplete message" in err and "got no byte for 1 s" in err, (rc, err))
    # a client that sends requests and never reads the replies: the relay keeps reading the
    # daemon (which must never block writing to it), stops taking requests, and after
    # --message-timeout without the client taking a byte, closes the session
    p = subprocess.Popen([bridge, "--socket", sock, "--message-timeout", "2"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # <get> answers with the YANG library too: tens of kB each, more than a pipe holds
    get = ('<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="%d"><get/></rpc>')
    p.stdin.write(HELLO + b"".join(chunk((get % i).encode()) for i in range(2, 42)))
    p.stdin.flush()
    time.sleep(0.5)
    other = ncclient_unix.connect(sock, timeout=10)
    t0 = time.monotonic()
    other.get_config("running")
    took = time.monotonic() - t0
    other.close_session()
    try:
        rc = p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    err = p.stderr.read().decode()
    for f in (p.stdin, p.stdout, p.stderr):
        f.close()
    check("a client that does not read its replies holds nobody up (another get-config: "
          "%.2f s) and is closed after --message-timeout (exit 5, logged)" % took,
          took < 2 and rc == 5 and "took no reply byte" in err, (took, rc, err))
    body = (GET_CONFIG % 1).encode()
    rc, out, err = pipes(HELLO + chunk(body) + b"\n#50\n<rpc")
    check("EOF after a whole request and half a message: the reply, exit 0, the half logged",
          rc == 0 and b'message-id="1"' in out and "middle of a message" in err,
          (rc, out[-200:], err))
    # libnetconf2 takes a capability that is a prefix of base:1.1 as base:1.1: a hello the
    # relay would read otherwise is refused before the daemon sees it (else the relay would
    # forward half a chunked message as a whole ]]>]]> one and the daemon's loop would wait)
    for name, hello in (("a shortened base:1.1", HELLO10.replace(
                            b"</capability>", b"</capability><capability>"
                            b"urn:ietf:params:netconf:base:1</capability>", 1)),
                        ("an entity", HELLO.replace(b"base:1.1", b"base:1&#46;1"))):
        rc, out, err = pipes(hello + b"\n#4096\n<rpc/>]]>]]>")
        check("a hello with %s: refused (exit 5), logged" % name,
              rc == 5 and "closing the session" in err and "hello" in err, (rc, err))
    rc, out, err = pipes(HELLO10 + b"\n" + body + b"]]>]]>")
    check("a base:1.0 client keeps ]]>]]> framing: its get-config is answered",
          rc == 0 and out.count(b"]]>]]>") == 2 and b'message-id="1"' in out and
          b"\n##\n" not in out, (rc, out[-300:], err))


def ncclient_refused(env, user, reason, name):
    """ncclient gets no session.  It shows what the channel carried before it closed (the
    subsystem's reason) in a SessionCloseError, unless its own <hello> lost the race with
    the close: then paramiko says "Socket is closed" (the reason is checked on a paramiko
    channel, which has no such race)."""
    try:
        env.connect(user=user).close_session()
        check(name, False, "session opened")
    except SessionCloseError as e:
        check(name + ", its error carries the subsystem's reason", reason in str(e), str(e))
    except OSError as e:
        check(name + " (it lost the race with the close: %s)" % e, "closed" in str(e), repr(e))
    except Exception as e:  # noqa: BLE001
        check(name, False, repr(e))


def check_users(env, users):
    if "hgwop" not in users:
        print("ok # SKIP operator and refused users: libnss-wrapper is not installed")
        return
    m = env.connect(user="hgwop")
    running = xml(m)
    check("hgwop over SSH is operator: reads running", "<name>azure</name>" in running,
          running[:300])
    check("hgwop over SSH is operator: the pre-shared key is not visible",
          KEY not in running and "pre-shared-key" not in running)
    e = rpc_error(m.edit_config, target="candidate", config=description("operator"))
    check("hgwop over SSH is operator: edit-config is access-denied",
          has(e, "access-denied"), describe(e))
    m.close_session()

    for user, status, text in (("hgwnone", 4, "before its <hello>"),
                               ("hgwout", 4, "may not use")):
        ncclient_refused(env, user, text, "%s: ncclient is refused" % user)
        t, ch = env.channel(user)
        ch.sendall(HELLO)
        out, _, rc = read_all(ch)
        t.close()
        check("%s: the subsystem exits %d, stdout has only the reason" % (user, status),
              rc == status and out.startswith(b"<!-- hybridgw-netconf: ") and
              text.encode() in out and out.endswith(b" -->\n"), (rc, out))


def latency(env, bridge, sock):
    """Median of 50 <get-config> (running holds the Azure example, ~1.3 kB of reply)."""
    res = {}
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    raw = Raw(s.fileno(), s.fileno())
    raw.hello()
    res["raw client, unix socket"] = time_rpcs(raw)
    s.close()

    p = subprocess.Popen([bridge, "--socket", sock], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    raw = Raw(p.stdout.fileno(), p.stdin.fileno())
    raw.hello()
    res["raw client, hybridgw-netconf on pipes (no SSH)"] = time_rpcs(raw)
    p.stdin.close()
    p.wait(10)

    p = subprocess.Popen(env.ssh_cmd() + ["-s", "netconf"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    raw = Raw(p.stdout.fileno(), p.stdin.fileno())
    raw.hello()
    res["raw client, ssh -s netconf (OpenSSH + hybridgw-netconf)"] = time_rpcs(raw)
    p.stdin.close()
    p.wait(10)

    m = ncclient_unix.connect(sock)
    res["ncclient, unix socket"] = time_ncclient(m)
    m.close_session()
    m = env.connect()
    res["ncclient, SSH (paramiko)"] = time_ncclient(m)
    m.close_session()

    print("# latency of <get-config>, 50 each: median / max in ms")
    for k, v in res.items():
        print("#   %-58s %7.3f %7.3f" % (k, median_ms(v), max(v) * 1000.0))
    raw_ssh = median_ms(res["raw client, ssh -s netconf (OpenSSH + hybridgw-netconf)"])
    raw_unix = median_ms(res["raw client, unix socket"])
    print("# SSH adds %.3f ms to the median (raw clients)" % (raw_ssh - raw_unix))
    check("50 get-config over ssh -s netconf, median under 50 ms", raw_ssh < 50, raw_ssh)


def up(tmp, port, ncport, sock, bridge, hook, *users):
    env = Env(tmp, port, ncport, sock)
    check_host_keys(env)
    check_auth(env)
    check_session(env, hook if os.path.exists(hook) else None)
    check_raw(env)
    check_users(env, users)
    check_framing(env, bridge, sock)
    latency(env, bridge, sock)
    done()


# --- with hybridgwd stopped --------------------------------------------------------------

def down(tmp, port, ncport, sock):
    env = Env(tmp, port, ncport, sock)
    reason = "hybridgwd is not running: cannot connect to " + sock
    ncclient_refused(env, "root", reason, "hybridgwd stopped: ncclient fails")
    t, ch = env.channel("root")
    out, err, rc = read_all(ch)
    t.close()
    check("hybridgwd stopped: the subsystem exits 3 with the reason on the channel",
          rc == 3 and reason.encode() in out, (rc, out, err))
    r = subprocess.run(env.ssh_cmd() + ["-s", "netconf"], input=HELLO, capture_output=True,
                       timeout=30)
    check("hybridgwd stopped: ssh -s netconf exits 3 and prints the reason",
          r.returncode == 3 and reason.encode() in r.stdout, (r.returncode, r.stdout, r.stderr))
    done()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def wait_port(*ports):
    end = time.monotonic() + 10
    for p in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(p)), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > end:
                    sys.exit(1)
                time.sleep(0.05)


def reset(sock, startup):
    """Empty running and remove startup, over the unix socket: a fresh daemon for a suite."""
    m = ncclient_unix.connect(sock)
    m.edit_config(target="candidate", default_operation="replace",
                  config='<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>')
    m.commit()
    m.close_session()
    if os.path.exists(startup):
        os.unlink(startup)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"free-port": free_port, "wait-port": wait_port, "up": up, "down": down,
     "reset": reset}[cmd](*args)
