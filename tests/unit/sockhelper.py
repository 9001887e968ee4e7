"""Unix socket chores for test_daemon.sh that a POSIX shell cannot do.

    sockhelper.py notify-listen SOCKET OUTFILE   receive sd_notify datagrams, append them
                                                 to OUTFILE, one per line; runs until killed
                                                 (or 120 s pass)
    sockhelper.py request SOCKET BYTES           send BYTES (Python escapes, e.g. 'a\\0b\\n'),
                                                 shut down the sending side, and print the
                                                 reply up to end of file
    sockhelper.py idle SOCKET                    connect, send nothing, print the seconds
                                                 until the daemon hangs up
    sockhelper.py serve SOCKET BYTES             play hybridgwd for one client: read its
                                                 request line, answer BYTES, close
    sockhelper.py stale SOCKET                   leave a socket file nobody listens on,
                                                 as a daemon that crashed would
"""

import codecs
import os
import socket
import sys
import time


def notify_listen(path, outfile):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(120)
    with open(outfile, "a", encoding="utf-8") as out:
        while True:
            try:
                data = sock.recv(4096)
            except socket.timeout:
                return 1
            for line in data.decode("utf-8", "replace").splitlines():
                out.write(line + "\n")
            out.flush()


def request(path, escaped):
    data = codecs.escape_decode(escaped.encode())[0]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    sys.stdout.write(reply.decode("utf-8", "replace"))
    return 0


def idle(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(path)
    start = time.monotonic()
    if sock.recv(1) != b"":
        return 1
    print(int(time.monotonic() - start))
    return 0


def serve(path, escaped):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(30)
    conn, _ = server.accept()
    conn.settimeout(10)
    request = b""
    while not request.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            break
        request += chunk
    conn.sendall(codecs.escape_decode(escaped.encode())[0])
    conn.close()
    server.close()
    os.unlink(path)
    return 0 if request == b"status\n" else 1


def stale(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.close()
    return 0 if os.path.exists(path) else 1


COMMANDS = {
    "notify-listen": notify_listen,
    "request": request,
    "idle": idle,
    "serve": serve,
    "stale": stale,
}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
