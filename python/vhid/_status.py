"""What vhidd reports about itself: its status (what `vhidctl status` shows) and its
log ring (what `vhidctl log` shows), as plain records."""
from __future__ import annotations

import ctypes
import enum
from ctypes import c_uint
from dataclasses import dataclass, field
from typing import Callable, Optional

from . import _lib
from ._lib import lib, text

LOG_DAEMON_WIDE = 0xFFFFFFFF


class StatusScope(enum.IntEnum):
    """Whose clients and devices Client.status() reports."""
    SELF = 0  # this connection's devices
    ALL = 1  # every client and device: root or an admin group only
    USER = 2  # every client of this process's uid, on any connection (protocol 1.1)


@dataclass(frozen=True)
class DaemonStatus:
    version: str  # "0.2.0"
    protocol: int  # the major
    pid: int
    uptime_s: int
    clients: int  # of every user
    devices: int
    lease_ms: int
    has_uhid: bool
    has_uevents: bool
    has_readers: bool  # it counts the programs reading a device (a 0.1 daemon did not)
    socket: str
    config: str
    socket_group: str
    log_file: str  # "" when vhidd logs to the journal only


@dataclass(frozen=True)
class ClientStatus:
    id: int
    name: str
    pid: int
    uid: int
    gid: int
    exe: str
    devices: int
    idle_ms: int


@dataclass(frozen=True)
class DeviceStatus:
    id: int
    client_id: int
    kind: int  # a DeviceKind value
    name: str
    ready: bool
    readers: int
    leds: int  # Led bits
    evdev: str
    hidraw: str
    phys: str
    vendor: int
    product: int
    version: int
    bus: int
    country: int


@dataclass(frozen=True)
class Status:
    """Client.status(): the daemon, then the clients and devices in scope."""
    daemon: Optional[DaemonStatus] = None
    clients: list[ClientStatus] = field(default_factory=list)
    devices: list[DeviceStatus] = field(default_factory=list)


@dataclass(frozen=True)
class LogLine:
    """A line of vhidd's log ring."""
    seq: int  # one more per line the daemon logged
    time: float  # seconds since the epoch (CLOCK_REALTIME)
    priority: int  # syslog: 3 error, 4 warning, 6 info
    uid: Optional[int]  # whose client it is about; None: about the daemon
    text: str


def _version(v: int) -> str:
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


def _daemon(d: _lib.StatusDaemon) -> DaemonStatus:
    return DaemonStatus(_version(d.daemon_version), d.protocol_version, d.pid, d.uptime_s,
                        d.clients, d.devices, d.lease_ms, bool(d.has_uhid),
                        bool(d.has_uevents), bool(d.has_readers), text(d.socket),
                        text(d.config), text(d.socket_group), text(d.log_file))


def _client(c: _lib.StatusClient) -> ClientStatus:
    return ClientStatus(c.id, text(c.name), c.pid, c.uid, c.gid, text(c.exe), c.devices,
                        c.idle_ms)


def _device(d: _lib.StatusDevice) -> DeviceStatus:
    return DeviceStatus(d.id, d.client_id, d.kind, text(d.name), bool(d.ready), d.readers,
                        d.leds, text(d.evdev), text(d.hidraw), text(d.phys), d.vendor,
                        d.product, d.version, d.bus, d.country)


def get_status(client: int, scope: int, check: Callable[[int], int]) -> Status:
    """vhid_client_get_status(): the records are copied during the callbacks (their
    strings live only that long)."""
    status = Status()
    daemon: list[DaemonStatus] = []
    listener = _lib.StatusListener(
        ctypes.sizeof(_lib.StatusListener),
        _lib.STATUS_DAEMON(lambda d, _: daemon.append(_daemon(d.contents))),
        _lib.STATUS_CLIENT(lambda c, _: status.clients.append(_client(c.contents))),
        _lib.STATUS_DEVICE(lambda d, _: status.devices.append(_device(d.contents))))
    check(lib.vhid_client_get_status(client, int(scope), ctypes.byref(listener), None))
    return Status(daemon[0] if daemon else None, status.clients, status.devices)


def get_log(client: int, after_seq: int, max_lines: int,
            check: Callable[[int], int]) -> tuple[list[LogLine], int]:
    """vhid_client_get_log(): the lines, oldest first, and the newest sequence number."""
    lines: list[LogLine] = []
    last = c_uint()

    def one(line: ctypes._Pointer[_lib.LogLine], _: object) -> None:
        ln = line.contents
        lines.append(LogLine(ln.seq, ln.time_us / 1e6, ln.priority,
                             None if ln.uid == LOG_DAEMON_WIDE else ln.uid, text(ln.text)))

    check(lib.vhid_client_get_log(client, after_seq, max_lines, _lib.LOG_LINE(one), None,
                                  ctypes.byref(last)))
    return lines, last.value
