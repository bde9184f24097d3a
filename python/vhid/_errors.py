"""Exceptions: each carries libvhid's explanation (often the daemon's own words),
the error code and its symbolic name, as `vhidctl explain` knows them."""
from __future__ import annotations

import errno

from ._lib import lib, text

# VHID_E* codes (vhid.h); functions return them negated, like errno values
EREPORTID = 1000
EREPORTLEN = 1001
EUSAGE = 1002
EUSAGEKIND = 1003
EAPPLE = 1004
ETOOMANYKEYS = 1005
EBUTTON = 1006
EVERSION = 1007
EDENIED = 1008
EPROTO = 1009
ENOUHID = 1010
ENODRIVER = 1011
ELIMIT = 1012
ELEASE = 1013
ENOTREADY = 1014
ENODAEMON = 1015
EADMIN = 1016
ENOCAP = 1017
EUNTYPEABLE = 1018


def strerror(code: int) -> str:
    """What an error code means (errno or VHID_E*, either sign)."""
    return text(lib.vhid_strerror(-abs(code)))


def error_name(code: int) -> str:
    """The symbolic name of a code ("VHID_EUSAGE", "EACCES"), or "" if unknown."""
    return text(lib.vhid_error_name(-abs(code)))


class Error(Exception):
    """A libvhid or vhidd error.

    code is positive (errno, or VHID_E* from 1000 on); name its symbol; message
    the explanation, e.g. "permission denied: uid 1000 is not in group 'vhid'".
    """

    def __init__(self, code: int, message: str = "") -> None:
        self.code = abs(code)
        self.name = error_name(self.code) or str(self.code)
        self.message = message or strerror(self.code)
        super().__init__(f"{self.message} [{self.name}]")


class NoDaemonError(Error):
    """vhidd is not running or not reachable."""


class PermissionDeniedError(Error):
    """The socket's permissions or vhidd's policy refuse this user."""


class NotConnectedError(Error):
    """The client is not (or no longer) connected."""


class CapabilityError(Error):
    """The running vhidd is older and lacks what the call needs (VHID_ENOCAP)."""


class UntypeableError(Error, ValueError):
    """The layout cannot type some characters; nothing was typed.

    characters lists them, each once, in order of first appearance.
    """

    def __init__(self, code: int, message: str = "", characters: list[str] | None = None):
        super().__init__(code, message)
        self.characters = characters or []


class KeyNameError(Error, ValueError):
    """An unknown key name or a malformed combination ("ctrl++")."""


_CLASSES = {
    ENODAEMON: NoDaemonError,
    errno.ENOENT: NoDaemonError,
    errno.ECONNREFUSED: NoDaemonError,
    errno.EACCES: PermissionDeniedError,
    errno.EPERM: PermissionDeniedError,
    EDENIED: PermissionDeniedError,
    EADMIN: PermissionDeniedError,
    errno.ENOTCONN: NotConnectedError,
    errno.ECONNRESET: NotConnectedError,
    ENOCAP: CapabilityError,
    EUNTYPEABLE: UntypeableError,
}


def make_error(code: int, message: str = "") -> Error:
    return _CLASSES.get(abs(code), Error)(code, message)
