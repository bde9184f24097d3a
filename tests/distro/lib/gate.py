#!/usr/bin/env python3
"""gate.py LISTEN UPSTREAM MAX_SECONDS - a socket in front of vhidd for desktop tests.

Forwards every connection to UPSTREAM unchanged, except that it holds a
connection's first POST_REPORT (PROTOCOL.md: type 0x0006) until the desktop has
taken every vhid input node into use, or MAX_SECONDS passed (then it forwards
anyway and says so). vhidctl starts sending when *a* reader opened its device,
and udev and logind open it long before the compositor (issue 10); the gate
makes a desktop test independent of that race.

"Taken into use" is: the compositor (VHID_GATE_PID) holds the node open, and its
log (VHID_GATE_LOG, read from where it was when the connection came) says that
it added the device: weston's "associating input device eventN", or Xorg's
"eventN - NAME: device is a ..." after "XINPUT: Adding extended input device
"NAME"" (the X server opens a device once to probe it, then again when it
enables it; keys sent in between are lost, a Shift among them silently), and
when Xorg split the device ("needs a virtual subdevice"), the subdevice's own
XINPUT line (trixie's Xorg splits the vhid keyboard, whose axes make it a pointer too).
VHID_GATE_KIND is wayland or x11. libvhid gives up on a request after its
timeout (25 s by default): keep MAX_SECONDS below that.
"""
import glob
import os
import re
import socket
import struct
import sys
import threading
import time

POST_REPORT = 0x0006
DESKTOP = ("E:ID_INPUT_KEYBOARD=1", "E:ID_INPUT_MOUSE=1", "E:ID_INPUT_TABLET=1")


def vhid_nodes():
    """/dev/input/eventN of every uhid device udev tagged keyboard, mouse or tablet."""
    nodes = []
    for ev in glob.glob("/sys/devices/virtual/misc/uhid/*/input/input*/event*"):
        try:
            dev = open(ev + "/dev").read().strip()
            props = open("/run/udev/data/c" + dev).read().split("\n")
        except OSError:
            return None  # udev has not finished with it: not ready
        if any(p in props for p in DESKTOP):
            nodes.append("/dev/input/" + os.path.basename(ev))
    return nodes


def name_of(node):
    try:
        return open("/sys/class/input/%s/device/name" % os.path.basename(node)).read().strip()
    except OSError:
        return None


def added(kind, log, node):
    """Whether the compositor's log (since the connection came) says it added NODE."""
    ev = re.escape(os.path.basename(node))
    if kind == "wayland":
        return re.search(r"associating input device %s with output" % ev, log) is not None
    name = name_of(node)
    if name is None:
        return False
    xinput = 'XINPUT: Adding extended input device "%s"' % name
    x = log.find(xinput)
    if x < 0 or re.search(r"%s +- %s: device is a" % (ev, re.escape(name)), log[x:]) is None:
        return False
    # a device with keys and axes (issue 10) becomes a pointer plus a keyboard
    # subdevice, added after the parent is enabled: its keys need the subdevice
    return "%s: needs a virtual subdevice" % name not in log or log.count(xinput) >= 2


def desktop_has_all(pid, kind, logfile, offset, before):
    nodes = vhid_nodes()
    if nodes is None:
        return False
    # nodes that existed when the connection came are some other client's (a
    # long-lived keyboard the desktop took long ago): only the new ones count
    nodes = [n for n in nodes if n not in before]
    if not nodes:
        return False
    try:
        fds = {os.readlink(f) for f in glob.glob("/proc/%s/fd/*" % pid)}
        with open(logfile, errors="replace") as f:
            f.seek(offset)
            log = f.read()
    except OSError:
        return False
    return all(n in fds and added(kind, log, n) for n in nodes)


def log_size(logfile):
    try:
        return os.path.getsize(logfile)
    except OSError:
        return 0


def wait_added(limit, offset, before):
    pid, kind, logfile = (os.environ[v] for v in ("VHID_GATE_PID", "VHID_GATE_KIND", "VHID_GATE_LOG"))
    start = time.monotonic()
    while not desktop_has_all(pid, kind, logfile, offset, before):
        if time.monotonic() - start > limit:
            log("the desktop did not take %s within %.1fs: forwarding" % (vhid_nodes(), limit))
            return
        time.sleep(0.02)
    log("the desktop has %s after %.2fs" % (vhid_nodes(), time.monotonic() - start))


def log(msg):
    print("gate: " + msg, flush=True)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def upstream(client, daemon, limit, offset, before):
    """client -> daemon, frame by frame, holding the first POST_REPORT."""
    held = False
    try:
        while True:
            head = recv_exact(client, 8)
            if head is None:
                break
            ftype, length = struct.unpack("<HH", head[:4])
            payload = recv_exact(client, length) if length else b""
            if payload is None:
                break
            if ftype == POST_REPORT and not held:
                held = True
                wait_added(limit, offset, before)
            daemon.sendall(head + payload)
    except OSError:
        pass
    for s in (daemon, client):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def downstream(daemon, client):
    try:
        while True:
            data = daemon.recv(4096)
            if not data:
                break
            client.sendall(data)
    except OSError:
        pass
    try:
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def main():
    listen, target, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if os.path.exists(listen):
        os.unlink(listen)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen)
    srv.listen(16)
    log("listening on %s for %s" % (listen, target))
    while True:
        client, _ = srv.accept()
        daemon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        daemon.connect(target)
        offset = log_size(os.environ["VHID_GATE_LOG"])
        before = set(vhid_nodes() or [])
        threading.Thread(target=upstream, args=(client, daemon, limit, offset, before), daemon=True).start()
        threading.Thread(target=downstream, args=(daemon, client), daemon=True).start()


if __name__ == "__main__":
    main()
