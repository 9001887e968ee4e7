"""ncclient over a unix socket: ncclient 0.6.13 (Debian 12) speaks only SSH (and a Junos
subprocess), so this gives its SSH session a unix stream socket for a channel.  Everything
above the transport (framing, hello, RPCs, errors) is ncclient's own."""
import os
import socket

from ncclient import manager
from ncclient.devices.default import DefaultDeviceHandler
from ncclient.transport.ssh import SSHSession


class _Channel:
    """The parts of a paramiko channel that SSHSession.run() uses."""

    def __init__(self, sock, record=None):
        self.sock = sock
        self.record = record

    def fileno(self):
        return self.sock.fileno()

    def recv(self, n):
        data = self.sock.recv(n)
        if self.record is not None:
            self.record += data
        return data

    def send(self, data):
        return self.sock.send(data)

    def send_ready(self):
        return True

    def close(self):
        self.sock.close()

    def get_name(self):
        return "unix"


class _Transport:
    def __init__(self, chan):
        self.chan = chan
        self.active = True

    def is_active(self):
        return self.active

    def close(self):
        self.active = False
        try:
            self.chan.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class UnixSession(SSHSession):
    def connect(self, path, timeout=10, record=None):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(path)
        sock.settimeout(None)
        self._channel = _Channel(sock, record)
        self._transport = _Transport(self._channel)
        self._connected = True
        self._post_connect()


def connect(path, timeout=10, record=None):
    """record: a bytearray that receives every byte the server sends (to check replies
    for what must never be in them).

    With HGW_NC_SSH=PORT:KEYFILE:HOSTKEY_B64 in the environment (tests/netconf/test_ssh.sh
    sets it), the session goes over SSH to 127.0.0.1:PORT instead, as root with KEYFILE,
    trusting only that host key, through the netconf subsystem in front of the daemon at
    path: the same suite then runs over both transports."""
    ssh = os.environ.get("HGW_NC_SSH")
    if ssh:
        if record is not None:
            raise RuntimeError("HGW_NC_SSH: recording the bytes is for the unix socket only")
        port, key, hostkey = ssh.split(":", 2)
        return manager.connect(host="127.0.0.1", port=int(port), username="root",
                               key_filename=key, hostkey_verify=True, hostkey_b64=hostkey,
                               look_for_keys=False, allow_agent=False, timeout=timeout)
    handler = DefaultDeviceHandler({})
    session = UnixSession(handler)
    session.connect(path, timeout, record)
    return manager.Manager(session, handler, timeout=timeout)
