"""Keyboard layouts for typing (struct vhid_keymap)."""
from __future__ import annotations

import ctypes
from ctypes import c_uint, c_uint32

from . import _lib
from ._errors import Error, KeyNameError, UntypeableError, make_error
from ._lib import lib, text

NO_DETECT = 1


def _enc(s: str | None) -> bytes | None:
    return s.encode() if s else None


class Keymap:
    """A keyboard layout compiled for typing (libxkbcommon, as compositors do).

    Keymap() detects the layout the way vhidctl does: XKB_DEFAULT_LAYOUT and
    friends, then /etc/default/keyboard, then "us". Keymap("de", "nodeadkeys")
    names it; detect=False leaves unset names at libxkbcommon's defaults.
    """

    def __init__(self, layout: str | None = None, variant: str | None = None, *,
                 rules: str | None = None, model: str | None = None,
                 options: str | None = None, detect: bool = True) -> None:
        self._ptr = None
        names = _lib.Rmlvo(ctypes.sizeof(_lib.Rmlvo), _enc(rules), _enc(model), _enc(layout),
                           _enc(variant), _enc(options))
        ptr = _lib.keymap_p()
        msg = _lib.msgbuf(512)
        r = lib.vhid_keymap_new(ctypes.byref(names), 0 if detect else NO_DETECT,
                                ctypes.byref(ptr), msg, len(msg))
        if r < 0:
            raise make_error(r, text(msg.value))
        self._ptr = ptr.value

    @property
    def layout(self) -> str:
        """The layout as "de(nodeadkeys)"."""
        return text(lib.vhid_keymap_get_layout(self._handle()))

    @property
    def source(self) -> str:
        """Where the layout came from: "the caller", "/etc/default/keyboard", ..."""
        return text(lib.vhid_keymap_get_source(self._handle()))

    def _handle(self) -> int:
        if not self._ptr:
            raise ValueError("the keymap is closed")
        return self._ptr

    def untypeable(self, text_: str) -> list[str]:
        """The characters of the text this layout cannot type (each once)."""
        data = text_.encode("utf-8", "surrogatepass")
        n = lib.vhid_keymap_get_untypeable(self._handle(), data, len(data), None, 0)
        if n < 0:
            raise make_error(n)
        chars = (c_uint32 * max(n, 1))()
        lib.vhid_keymap_get_untypeable(self._handle(), data, len(data), chars, n)
        return [chr(c) for c in chars[:n]]

    def check(self, text_: str) -> None:
        """Raise UntypeableError (naming the characters) unless the layout can type it."""
        data = text_.encode("utf-8", "surrogatepass")
        msg = _lib.msgbuf(2048)
        r = lib.vhid_keymap_check(self._handle(), data, len(data), msg, len(msg))
        if r < 0:
            raise untypeable_error(self, r, text(msg.value), text_)

    def parse_keys(self, combo: str) -> list[int]:
        """Linux key codes of "ctrl+alt+t", "KEY_A" or a keysym name of this layout."""
        return parse_keys(combo, self)

    def close(self) -> None:
        if self._ptr:
            lib.vhid_keymap_destroy(self._ptr)
            self._ptr = None

    def __enter__(self) -> Keymap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<vhid.Keymap {self.layout!r} from {self.source}>" if self._ptr else \
            "<vhid.Keymap closed>"


def untypeable_error(km: Keymap, code: int, message: str, text_: str) -> Error:
    if abs(code) == 1018:
        return UntypeableError(code, message, km.untypeable(text_))
    return make_error(code, message)


def parse_keys(combo: str, keymap: Keymap | None = None) -> list[int]:
    """Linux key codes, in press order, of a key or combination ("ctrl+alt+t").

    Names: aliases (ctrl, shift, alt, altgr, super, esc, enter...), KEY_* and BTN_*,
    keysyms of the keymap's layout ("q", "at", "Return"), HID usage names
    ("volume-up"). Raises KeyNameError with a suggestion for an unknown name.
    """
    codes = (c_uint * 32)()
    msg = _lib.msgbuf(512)
    km = keymap._handle() if keymap is not None else None
    n = lib.vhid_key_parse(km, combo.encode(), codes, 32, msg, len(msg))
    if n < 0:
        raise KeyNameError(n, text(msg.value))
    return list(codes[:n])


def key_name(code: int) -> str | None:
    """The Linux name of a key code ("KEY_A"), or None."""
    name = lib.vhid_key_get_name(code)
    return text(name) if name else None


__all__ = ["Keymap", "parse_keys", "key_name", "Error"]
