"""vhid: virtual keyboards and pointers that Linux treats as real hardware.

A binding of libvhid (ctypes), the client library of vhidd: no root, no
/dev/uinput, and text typed exactly on the target's keyboard layout (dead keys,
AltGr, Caps Lock from the LEDs), refused before a key is sent when the layout
cannot type it.

    import vhid

    with vhid.Client("dictate") as client:
        with client.keyboard() as kbd:
            kbd.type("Grüße, ça va ?\\n")
            kbd.key("ctrl+s")
        with client.pointer() as mouse:
            mouse.move(40, -10)
            mouse.click()
            mouse.scroll(-2)

Keys are Linux codes (vhid.keys.KEY_A) or names ("ctrl+alt+t", "KEY_F5", "at",
"volume-up"). Errors raise vhid.Error (code, name, message); see its
subclasses. For asyncio: client.attach(), then await kbd.type_async(text).
See also vhid(3) / `pydoc vhid`.
"""
from . import keys
from ._client import (AbsolutePointer, Capability, Client, Device, DeviceKind, Keyboard, Led,
                      Pointer, library_version, protocol_version)
from ._errors import (CapabilityError, Error, KeyNameError, NoDaemonError, NotConnectedError,
                      PermissionDeniedError, UntypeableError, error_name, strerror)
from ._keymap import Keymap, key_name, parse_keys
from ._status import ClientStatus, DaemonStatus, DeviceStatus, LogLine, Status, StatusScope

__version__ = "0.2.0"

__all__ = [
    "AbsolutePointer", "Capability", "CapabilityError", "Client", "ClientStatus",
    "DaemonStatus", "Device", "DeviceKind", "DeviceStatus", "Error", "KeyNameError", "Keyboard",
    "Keymap", "Led", "LogLine", "NoDaemonError", "NotConnectedError", "PermissionDeniedError",
    "Pointer", "Status", "StatusScope", "UntypeableError", "error_name", "key_name", "keys",
    "library_version", "parse_keys", "protocol_version", "strerror",
]
