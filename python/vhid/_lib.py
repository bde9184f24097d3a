"""The ctypes view of libvhid.so.1: prototypes of the functions vhid uses.

Only libvhid's stable ABI is used (PROTOCOL.md is libvhid's business, not
ours): structs the library reads start with their size or end in reserved
members, so this module keeps working with every later libvhid.so.1.
"""
from __future__ import annotations

import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int, c_size_t,
                    c_uint, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p)


def _load() -> ctypes.CDLL:
    # VHID_LIBRARY: a build tree's libvhid (the tests), else the installed one
    path = os.environ.get("VHID_LIBRARY") or "libvhid.so.1"
    try:
        return ctypes.CDLL(path, use_errno=True)
    except OSError:
        from ctypes import util  # only here: it imports subprocess and more

        found = util.find_library("vhid")
        if not found or path != "libvhid.so.1":
            raise
        return ctypes.CDLL(found, use_errno=True)


lib = _load()

client_p = c_void_p
device_p = c_void_p
keymap_p = c_void_p

READY = CFUNCTYPE(None, client_p, device_p, c_void_p)
LEDS = CFUNCTYPE(None, client_p, device_p, c_uint, c_void_p)
READERS = CFUNCTYPE(None, client_p, device_p, c_uint, c_void_p)
LEASE = CFUNCTYPE(None, client_p, c_void_p)
GONE = CFUNCTYPE(None, client_p, device_p, c_int, c_void_p)
ERROR = CFUNCTYPE(None, client_p, device_p, c_int, c_char_p, c_void_p)
DISCONNECTED = CFUNCTYPE(None, client_p, c_int, c_void_p)
RECONNECTED = CFUNCTYPE(None, client_p, c_void_p)
TYPED = CFUNCTYPE(None, client_p, device_p, c_uint, c_int, c_char_p, c_void_p)


class Listener(Structure):
    """struct vhid_client_listener: size first, callbacks appended over time."""
    _fields_ = [
        ("size", c_size_t),
        ("ready", READY),
        ("leds", LEDS),
        ("readers", READERS),
        ("lease_expired", LEASE),
        ("device_gone", GONE),
        ("error", ERROR),
        ("disconnected", DISCONNECTED),
        ("reconnected", RECONNECTED),
        ("typed", TYPED),
    ]


class DeviceParams(Structure):
    """struct vhid_device_params: later members take the reserved space."""
    _fields_ = [
        ("kind", c_int),
        ("name", c_char_p),
        ("vendor", c_uint32),
        ("product", c_uint32),
        ("version", c_uint32),
        ("bus", c_uint16),
        ("country", c_uint8),
        ("reserved0", c_uint8),
        ("reserved", c_uint32 * 8),
    ]


class Rmlvo(Structure):
    """struct vhid_rmlvo."""
    _fields_ = [
        ("size", c_size_t),
        ("rules", c_char_p),
        ("model", c_char_p),
        ("layout", c_char_p),
        ("variant", c_char_p),
        ("options", c_char_p),
    ]


# The status and log records are the library's, passed to callbacks, and may grow at
# their end: read through the pointer, only the members declared here.
class StatusDaemon(Structure):
    """struct vhid_status_daemon."""
    _fields_ = [(n, c_uint) for n in ("daemon_version", "protocol_version", "pid", "uptime_s",
                                      "clients", "devices", "lease_ms")] + [
        ("has_uhid", c_int),
        ("has_uevents", c_int),
        ("socket", c_char_p),
        ("config", c_char_p),
        ("socket_group", c_char_p),
        ("log_file", c_char_p),
        ("has_readers", c_int),
    ]


class StatusClient(Structure):
    """struct vhid_status_client."""
    _fields_ = [(n, c_uint) for n in ("id", "pid", "uid", "gid", "devices", "idle_ms")] + [
        ("name", c_char_p),
        ("exe", c_char_p),
    ]


class StatusDevice(Structure):
    """struct vhid_status_device."""
    _fields_ = [("id", c_uint), ("client_id", c_uint), ("kind", c_int), ("ready", c_int)] + [
        (n, c_uint) for n in ("readers", "leds", "country", "bus", "vendor", "product",
                              "version")] + [
        (n, c_char_p) for n in ("name", "evdev", "hidraw", "phys")]


STATUS_DAEMON = CFUNCTYPE(None, POINTER(StatusDaemon), c_void_p)
STATUS_CLIENT = CFUNCTYPE(None, POINTER(StatusClient), c_void_p)
STATUS_DEVICE = CFUNCTYPE(None, POINTER(StatusDevice), c_void_p)


class StatusListener(Structure):
    """struct vhid_status_listener: size first."""
    _fields_ = [
        ("size", c_size_t),
        ("daemon", STATUS_DAEMON),
        ("client", STATUS_CLIENT),
        ("device", STATUS_DEVICE),
    ]


class LogLine(Structure):
    """struct vhid_log_line."""
    _fields_ = [
        ("seq", c_uint),
        ("time_us", c_uint64),
        ("priority", c_int),
        ("uid", c_uint),
        ("text", c_char_p),
    ]


LOG_LINE = CFUNCTYPE(None, POINTER(LogLine), c_void_p)


def _proto(name: str, restype, *argtypes) -> None:
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_PROTOTYPES = [
    ("vhid_strerror", c_char_p, c_int),
    ("vhid_error_name", c_char_p, c_int),
    ("vhid_capability_name", c_char_p, c_uint),
    ("vhid_library_version", c_uint),
    ("vhid_protocol_version", c_uint),
    ("vhid_protocol_minor", c_uint),
    ("vhid_client_new", c_int, c_char_p, POINTER(Listener), c_void_p, POINTER(client_p)),
    ("vhid_client_connect", c_int, client_p, c_char_p),
    ("vhid_client_disconnect", None, client_p),
    ("vhid_client_destroy", None, client_p),
    ("vhid_client_get_fd", c_int, client_p),
    ("vhid_client_dispatch", c_int, client_p),
    ("vhid_client_heartbeat", c_int, client_p),
    ("vhid_client_set_reconnect", c_int, client_p, c_int),
    ("vhid_client_set_timeout", c_int, client_p, c_uint),
    ("vhid_client_is_connected", c_int, client_p),
    ("vhid_client_last_error", c_char_p, client_p),
    ("vhid_client_get_protocol", c_int, client_p, POINTER(c_uint), POINTER(c_uint)),
    ("vhid_client_get_daemon_version", c_uint, client_p),
    ("vhid_client_get_capabilities", c_uint, client_p),
    ("vhid_client_get_lease_ms", c_uint, client_p),
    ("vhid_client_get_client_id", c_uint, client_p),
    ("vhid_client_reset_all", c_int, client_p, c_int),
    ("vhid_client_get_status", c_int, client_p, c_int, POINTER(StatusListener), c_void_p),
    ("vhid_client_get_log", c_int, client_p, c_uint, c_uint, LOG_LINE, c_void_p, POINTER(c_uint)),
    ("vhid_device_create", c_int, client_p, POINTER(DeviceParams), POINTER(device_p)),
    ("vhid_device_wait_ready", c_int, device_p, c_int),
    ("vhid_device_wait_reader", c_int, device_p, c_int),
    ("vhid_device_destroy", c_int, device_p),
    ("vhid_device_reset", c_int, device_p),
    ("vhid_device_is_ready", c_int, device_p),
    ("vhid_device_get_id", c_uint32, device_p),
    ("vhid_device_get_evdev", c_char_p, device_p),
    ("vhid_device_get_hidraw", c_char_p, device_p),
    ("vhid_device_get_leds", c_uint, device_p),
    ("vhid_device_get_readers", c_uint, device_p),
    ("vhid_key_press", c_int, device_p, c_uint),
    ("vhid_key_release", c_int, device_p, c_uint),
    ("vhid_pointer_press", c_int, device_p, c_uint),
    ("vhid_pointer_release", c_int, device_p, c_uint),
    ("vhid_pointer_move", c_int, device_p, c_int, c_int),
    ("vhid_pointer_scroll", c_int, device_p, c_int, c_int),
    ("vhid_absolute_move", c_int, device_p, c_int, c_int),
    ("vhid_keymap_new", c_int, POINTER(Rmlvo), c_uint, POINTER(keymap_p), c_char_p, c_size_t),
    ("vhid_keymap_destroy", None, keymap_p),
    ("vhid_keymap_get_layout", c_char_p, keymap_p),
    ("vhid_keymap_get_source", c_char_p, keymap_p),
    ("vhid_keymap_set_leds", c_int, keymap_p, c_uint),
    ("vhid_keymap_check", c_int, keymap_p, c_char_p, c_size_t, c_char_p, c_size_t),
    ("vhid_keymap_get_untypeable", c_int, keymap_p, c_char_p, c_size_t, POINTER(c_uint32),
     c_size_t),
    ("vhid_device_type", c_int, device_p, keymap_p, c_char_p, c_size_t),
    ("vhid_device_type_start", c_int, device_p, keymap_p, c_char_p, c_size_t, POINTER(c_uint)),
    ("vhid_device_type_cancel", c_int, device_p),
    ("vhid_device_type_pending", c_uint, device_p),
    ("vhid_device_set_type_delay", c_int, device_p, c_uint),
    ("vhid_key_parse", c_int, keymap_p, c_char_p, POINTER(c_uint), c_size_t, c_char_p, c_size_t),
    ("vhid_key_get_name", c_char_p, c_uint),
]

for _p in _PROTOTYPES:
    _proto(*_p)


def text(b: bytes | None) -> str:
    """A C string from libvhid, decoded (messages may quote any byte)."""
    return b.decode("utf-8", "replace") if b else ""


def msgbuf(size: int = 1024) -> ctypes.Array[c_char]:
    return ctypes.create_string_buffer(size)
