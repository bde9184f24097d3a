"""Client and devices over libvhid (struct vhid_client, struct vhid_device)."""
from __future__ import annotations

import ctypes
import enum
import errno
import select
import time
from contextlib import contextmanager
from ctypes import c_uint
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

from . import _lib
from ._errors import Error, NotConnectedError, make_error
from ._keymap import Keymap, parse_keys, untypeable_error
from ._lib import lib, text
from ._status import LogLine, Status, StatusScope, get_log, get_status

if TYPE_CHECKING:  # asyncio is imported when first used: it doubles the import time
    import asyncio

Key = Union[int, str]


class DeviceKind(enum.IntEnum):
    KEYBOARD = 1
    POINTER = 2
    ABSOLUTE = 3


class Led(enum.IntFlag):
    """Keyboard LEDs, as the kernel (the compositor) sets them."""
    NONE = 0
    NUM_LOCK = 0x01
    CAPS_LOCK = 0x02
    SCROLL_LOCK = 0x04
    COMPOSE = 0x08
    KANA = 0x10


class Capability(enum.IntFlag):
    """What the running vhidd offers (announced in its handshake)."""
    NONE = 0
    APPLE_TRANSLATION = 1 << 0
    ABSOLUTE = 1 << 1
    LEASE = 1 << 2
    STATUS_ALL = 1 << 3
    LOG = 1 << 4
    STATUS_USER = 1 << 5
    LEASE_PUSH = 1 << 6
    KEEP = 1 << 7


def _version(v: int) -> str:
    return f"{v // 10000}.{v // 100 % 100}.{v % 100}"


def library_version() -> str:
    """The version of the libvhid in use, "0.2.0"."""
    return _version(lib.vhid_library_version())


def protocol_version() -> tuple[int, int]:
    """The protocol libvhid speaks, (major, minor)."""
    return (lib.vhid_protocol_version(), lib.vhid_protocol_minor())


class Client:
    """A connection to vhidd; its devices die with it.

    with vhid.Client("my-tool") as client:
        with client.keyboard() as kbd:
            kbd.type("Grüße!")

    Callbacks (attributes, None by default) run from dispatch() and the waiting
    methods, in the thread that calls them: on_lease_expired(), on_disconnected(error),
    on_reconnected(), on_error(device_or_None, error). Device events go to the
    device's own attributes (Device.on_ready, Keyboard.on_leds, ...). For asyncio,
    attach() the client to the loop; it then dispatches by itself.
    """

    def __init__(self, name: str | None = None, socket: str | None = None, *,
                 connect: bool = True, reconnect: bool = False) -> None:
        self._ptr: Optional[int] = None
        self._devices: dict[int, Device] = {}
        self._dispatching = False
        self._failure: Optional[BaseException] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self.on_lease_expired: Optional[Callable[[], None]] = None
        self.on_disconnected: Optional[Callable[[int], None]] = None
        self.on_reconnected: Optional[Callable[[], None]] = None
        self.on_error: Optional[Callable[[Optional[Device], int], None]] = None
        self._listener = self._make_listener()
        ptr = _lib.client_p()
        r = lib.vhid_client_new(name.encode() if name else None, ctypes.byref(self._listener),
                                None, ctypes.byref(ptr))
        if r < 0:
            raise make_error(r)
        self._ptr = ptr.value
        if reconnect:
            lib.vhid_client_set_reconnect(self._ptr, 1)
        if connect:
            self.connect(socket)

    # ---- callbacks from libvhid ----

    def _make_listener(self) -> _lib.Listener:
        return _lib.Listener(
            ctypes.sizeof(_lib.Listener),
            _lib.READY(self._guard(lambda c, d, _: self._device_event(d, "_ready"))),
            _lib.LEDS(self._guard(lambda c, d, v, _: self._device_event(d, "_leds", v))),
            _lib.READERS(self._guard(lambda c, d, v, _: self._device_event(d, "_readers", v))),
            _lib.LEASE(self._guard(lambda c, _: self._call(self.on_lease_expired))),
            _lib.GONE(self._guard(lambda c, d, e, _: self._device_event(d, "_gone", e))),
            _lib.ERROR(self._guard(lambda c, d, e, m, _: self._call(
                self.on_error, self._devices.get(d or 0), abs(e)))),
            _lib.DISCONNECTED(self._guard(lambda c, e, _: self._call(self.on_disconnected,
                                                                        abs(e)))),
            _lib.RECONNECTED(self._guard(lambda c, _: self._call(self.on_reconnected))),
            _lib.TYPED(self._guard(lambda c, d, job, e, m, _: self._device_event(
                d, "_typed", job, e, text(m)))),
        )

    def _guard(self, fn: Callable[..., None]) -> Callable[..., None]:
        # an exception cannot cross libvhid: keep it and raise it when dispatch returns
        def call(*args: object) -> None:
            try:
                fn(*args)
            except BaseException as e:  # noqa: B902 - re-raised by _reraise
                if self._failure is None:
                    self._failure = e
        return call

    @staticmethod
    def _call(fn: Optional[Callable[..., None]], *args: object) -> None:
        if fn is not None:
            fn(*args)

    def _device_event(self, ptr: Optional[int], method: str, *args: object) -> None:
        dev = self._devices.get(ptr or 0)
        if dev is not None:
            getattr(dev, method)(*args)

    def _reraise(self) -> None:
        e, self._failure = self._failure, None
        if e is not None:
            raise e

    # ---- connection ----

    def _handle(self) -> int:
        if not self._ptr:
            raise NotConnectedError(errno.ENOTCONN, "the client is closed")
        return self._ptr

    def _check(self, r: int) -> int:
        self._reraise()
        if r < 0:
            raise make_error(r, text(lib.vhid_client_last_error(self._handle())))
        return r

    def connect(self, socket: str | None = None) -> None:
        """Connect (blocking, at most timeout_ms). socket: $VHID_SOCKET, else the default."""
        self._check(lib.vhid_client_connect(self._handle(),
                                            socket.encode() if socket else None))

    def disconnect(self) -> None:
        """vhidd releases every key and destroys the devices; connect() recreates them."""
        lib.vhid_client_disconnect(self._handle())

    def close(self) -> None:
        """Disconnect and free everything. The devices become unusable."""
        if self._ptr:
            self.detach()
            for dev in list(self._devices.values()):
                dev._ptr = None
            self._devices.clear()
            lib.vhid_client_destroy(self._ptr)
            self._ptr = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: ctypes may already be gone
            pass

    @property
    def connected(self) -> bool:
        return bool(self._ptr) and lib.vhid_client_is_connected(self._ptr) == 1

    @property
    def reconnect(self) -> bool:
        return getattr(self, "_reconnect", False)

    @reconnect.setter
    def reconnect(self, enable: bool) -> None:
        """Reconnect by itself (from dispatch) and recreate the devices."""
        self._reconnect = enable
        lib.vhid_client_set_reconnect(self._handle(), int(enable))

    @property
    def timeout_ms(self) -> int:
        return getattr(self, "_timeout_ms", 25000)

    @timeout_ms.setter
    def timeout_ms(self, ms: int) -> None:
        """How long a blocking call waits for vhidd (1..600000 ms; default 25000)."""
        self._check(lib.vhid_client_set_timeout(self._handle(), ms))
        self._timeout_ms = ms

    @property
    def protocol(self) -> tuple[int, int]:
        """The daemon's protocol, (major, minor); (0, 0) when not connected."""
        major, minor = c_uint(), c_uint()
        lib.vhid_client_get_protocol(self._handle(), ctypes.byref(major), ctypes.byref(minor))
        return (major.value, minor.value)

    @property
    def daemon_version(self) -> str:
        return _version(lib.vhid_client_get_daemon_version(self._handle()))

    @property
    def capabilities(self) -> Capability:
        return Capability(lib.vhid_client_get_capabilities(self._handle()))

    @property
    def lease_ms(self) -> int:
        return lib.vhid_client_get_lease_ms(self._handle())

    @property
    def client_id(self) -> int:
        return lib.vhid_client_get_client_id(self._handle())

    @property
    def last_error(self) -> str:
        return text(lib.vhid_client_last_error(self._handle()))

    def reset_all(self, every_user: bool = False) -> int:
        """Release every key of this user's devices (every user's: root or admin only)."""
        return self._check(lib.vhid_client_reset_all(self._handle(), int(every_user)))

    def heartbeat(self) -> None:
        """Renew the lease now (dispatch() does it by itself)."""
        self._check(lib.vhid_client_heartbeat(self._handle()))

    def status(self, scope: StatusScope = StatusScope.SELF) -> Status:
        """What vhidd reports (as `vhidctl status`): the daemon, and the clients and
        devices in scope. ALL raises PermissionDeniedError unless root or an admin;
        USER raises CapabilityError with a daemon older than protocol 1.1."""
        return get_status(self._handle(), scope, self._check)

    def log(self, after_seq: int = 0, max_lines: int = 0) -> tuple[list[LogLine], int]:
        """vhidd's recent log lines (as `vhidctl log`), oldest first, with a sequence
        number above after_seq (the newest max_lines of them; 0: all), and the newest
        sequence number the daemon has: pass it as after_seq to follow the log.
        Root and admins see every line, others the daemon's own and their clients'.
        CapabilityError: the daemon keeps no log ring (read journalctl or its file)."""
        return get_log(self._handle(), after_seq, max_lines, self._check)

    # ---- events ----

    def fileno(self) -> int:
        """A descriptor that becomes readable when dispatch() has work; it never changes."""
        return lib.vhid_client_get_fd(self._handle())

    def dispatch(self, timeout: float = 0.0) -> int:
        """Wait up to timeout seconds for events, then handle them (runs callbacks).

        Returns how many callbacks ran. Raises NotConnectedError once disconnected
        (unless reconnecting), and any exception a callback raised.
        """
        fd = self.fileno()
        if timeout > 0:
            select.select([fd], [], [], timeout)
        self._dispatching = True
        try:
            r = lib.vhid_client_dispatch(self._handle())
        finally:
            self._dispatching = False
        return self._check(r)

    def run(self, seconds: float) -> None:
        """Dispatch for the given time (callbacks run meanwhile)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.dispatch(left)

    def attach(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        """Let an asyncio loop dispatch this client whenever its descriptor is readable."""
        import asyncio

        loop = loop or asyncio.get_running_loop()
        if self._loop is loop:
            return
        self.detach()
        loop.add_reader(self.fileno(), self._on_readable)
        self._loop = loop

    def detach(self) -> None:
        if self._loop is not None and self._ptr:
            self._loop.remove_reader(self.fileno())
        self._loop = None

    def _on_readable(self) -> None:
        try:
            self.dispatch()
        except NotConnectedError:
            self.detach()  # nothing more will come; on_disconnected has run

    # ---- devices ----

    def _create(self, cls: type, kind: DeviceKind, name: str | None, wait_reader: float,
                ids: dict[str, int]) -> Device:
        params = _lib.DeviceParams(kind=int(kind), name=name.encode() if name else None,
                                   vendor=ids.get("vendor", 0), product=ids.get("product", 0),
                                   version=ids.get("version", 0), bus=ids.get("bus", 0),
                                   country=ids.get("country", 0))
        ptr = _lib.device_p()
        self._check(lib.vhid_device_create(self._handle(), ctypes.byref(params),
                                           ctypes.byref(ptr)))
        dev = cls(self, ptr.value, kind)
        self._devices[ptr.value] = dev
        try:
            dev.wait_ready()
            # no wait for the lock LEDs after the reader: vhidd pushes a desktop's
            # LED state before it reports the desktop as a reader (PROTOCOL.md 3.16)
            if wait_reader > 0:
                dev.wait_reader(wait_reader)
        except BaseException:
            dev.close()
            raise
        return dev

    def keyboard(self, name: str | None = None, *, keymap: Union[Keymap, str, None] = None,
                 wait_reader: float = 3.0, **ids: int) -> Keyboard:
        """Create a keyboard and wait until it is ready and (up to wait_reader seconds)
        until a program such as the compositor reads it.

        keymap: the target's layout for type() and key names (a Keymap, a layout name
        such as "de", or None to detect it). ids: vendor, product, version, bus, country.
        """
        kbd = self._create(Keyboard, DeviceKind.KEYBOARD, name, wait_reader, ids)
        assert isinstance(kbd, Keyboard)
        if keymap is not None:
            kbd.keymap = keymap if isinstance(keymap, Keymap) else Keymap(keymap)
        return kbd

    def pointer(self, name: str | None = None, *, wait_reader: float = 3.0,
                **ids: int) -> Pointer:
        """Create a relative pointer (a mouse); see keyboard() for the waiting."""
        dev = self._create(Pointer, DeviceKind.POINTER, name, wait_reader, ids)
        assert isinstance(dev, Pointer)
        return dev

    def absolute(self, name: str | None = None, *, wait_reader: float = 3.0,
                 **ids: int) -> AbsolutePointer:
        """Create an absolute pointer (a tablet: 0..32767 on both axes)."""
        dev = self._create(AbsolutePointer, DeviceKind.ABSOLUTE, name, wait_reader, ids)
        assert isinstance(dev, AbsolutePointer)
        return dev


class Device:
    """A device of a client. Close it (or leave the with block) to destroy it.

    Callbacks (attributes): on_ready(device), on_readers(device, count),
    on_gone(device, error).
    """

    def __init__(self, client: Client, ptr: int, kind: DeviceKind) -> None:
        self.client = client
        self.kind = kind
        self._ptr: Optional[int] = ptr
        self.on_ready: Optional[Callable[[Device], None]] = None
        self.on_readers: Optional[Callable[[Device, int], None]] = None
        self.on_gone: Optional[Callable[[Device, int], None]] = None

    def _handle(self) -> int:
        if not self._ptr:
            raise NotConnectedError(errno.ENODEV, "the device is closed")
        return self._ptr

    def _check(self, r: int) -> int:
        return self.client._check(r)

    def _ready(self) -> None:
        Client._call(self.on_ready, self)

    def _readers(self, n: int) -> None:
        Client._call(self.on_readers, self, n)

    def _gone(self, error: int) -> None:
        Client._call(self.on_gone, self, abs(error))

    @property
    def id(self) -> int:
        return lib.vhid_device_get_id(self._handle())

    @property
    def ready(self) -> bool:
        return lib.vhid_device_is_ready(self._handle()) == 1

    @property
    def evdev(self) -> str | None:
        """/dev/input/eventN once ready."""
        return text(lib.vhid_device_get_evdev(self._handle())) or None

    @property
    def hidraw(self) -> str | None:
        return text(lib.vhid_device_get_hidraw(self._handle())) or None

    @property
    def readers(self) -> int:
        """How many programs have the evdev node open."""
        return lib.vhid_device_get_readers(self._handle())

    def wait_ready(self, timeout: float = 5.0) -> None:
        self._check(lib.vhid_device_wait_ready(self._handle(), int(timeout * 1000)))

    def wait_reader(self, timeout: float = 1.0) -> bool:
        """Wait until a program opens the device; False after timeout (headless)."""
        r = lib.vhid_device_wait_reader(self._handle(), int(timeout * 1000))
        if r == -errno.ETIMEDOUT:
            self.client._reraise()
            return False
        self._check(r)
        return True

    def reset(self) -> None:
        """Release every key and button."""
        self._check(lib.vhid_device_reset(self._handle()))

    def close(self) -> None:
        """Release everything and destroy the device."""
        if self._ptr:
            ptr, self._ptr = self._ptr, None
            self.client._devices.pop(ptr, None)
            lib.vhid_device_destroy(ptr)

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        node = self.evdev if self._ptr else "closed"
        return f"<vhid.{type(self).__name__} {node}>"


class Keyboard(Device):
    """A keyboard: exact text on the target's layout, keys by code or name.

    Callbacks (attributes): on_leds(keyboard, leds), on_typed(keyboard, job, error).
    """

    def __init__(self, client: Client, ptr: int, kind: DeviceKind) -> None:
        super().__init__(client, ptr, kind)
        self._keymap: Optional[Keymap] = None
        self._results: dict[int, tuple[int, str]] = {}
        self._futures: dict[int, asyncio.Future[None]] = {}
        self._texts: dict[int, str] = {}
        self.on_leds: Optional[Callable[[Keyboard, Led], None]] = None
        self.on_typed: Optional[Callable[[Keyboard, int, int], None]] = None

    def __enter__(self) -> Keyboard:
        return self

    @property
    def keymap(self) -> Keymap:
        """The layout typing and key names follow (detected unless set)."""
        if self._keymap is None:
            self._keymap = Keymap()
        return self._keymap

    @keymap.setter
    def keymap(self, km: Union[Keymap, str]) -> None:
        self._keymap = km if isinstance(km, Keymap) else Keymap(km)

    @property
    def leds(self) -> Led:
        return Led(lib.vhid_device_get_leds(self._handle()))

    @property
    def typing_delay(self) -> float:
        return getattr(self, "_delay", 0.0)

    @typing_delay.setter
    def typing_delay(self, seconds: float) -> None:
        """Pause after each typed key, for targets that lose fast input (at most 10 s)."""
        self._check(lib.vhid_device_set_type_delay(self._handle(), int(seconds * 1000)))
        self._delay = seconds

    def _leds(self, leds: int) -> None:
        Client._call(self.on_leds, self, Led(leds))

    def _typed(self, job: int, error: int, message: str) -> None:
        self._results[job] = (error, message)
        fut = self._futures.pop(job, None)
        if fut is not None and not fut.done():
            if error:
                fut.set_exception(self._job_error(job, error, message))
            else:
                fut.set_result(None)
        Client._call(self.on_typed, self, job, abs(error))

    def _job_error(self, job: int, error: int, message: str) -> Error:
        self._results.pop(job, None)
        return untypeable_error(self.keymap, error, message, self._texts.pop(job, ""))

    # ---- keys ----

    def _code(self, key: Key) -> int:
        if isinstance(key, int):
            return key
        codes = parse_keys(key, self.keymap)
        if len(codes) != 1:
            raise ValueError(f"{key!r} is the combination {codes}; use key() or hold()")
        return codes[0]

    def _codes(self, combo: Union[Key, list[Key]]) -> list[int]:
        if isinstance(combo, int):
            return [combo]
        if isinstance(combo, str):
            return parse_keys(combo, self.keymap)
        return [self._code(k) for k in combo]

    def press(self, key: Key) -> None:
        """Press a key: a Linux code (vhid.keys.KEY_A) or a name ("a", "KEY_A", "ctrl")."""
        self._check(lib.vhid_key_press(self._handle(), self._code(key)))

    def release(self, key: Key) -> None:
        self._check(lib.vhid_key_release(self._handle(), self._code(key)))

    def key(self, *combos: Union[Key, list[Key]], hold: float = 0.0) -> None:
        """Press and release each combination in turn: key("ctrl+a", "ctrl+c")."""
        for combo in combos:
            with self.hold(combo):
                if hold > 0:
                    self.client.run(hold)

    @contextmanager
    def hold(self, combo: Union[Key, list[Key]]) -> Iterator[None]:
        """Hold a key or combination for the with block; released even on error."""
        codes = self._codes(combo)
        pressed: list[int] = []
        try:
            for code in codes:
                self._check(lib.vhid_key_press(self._handle(), code))
                pressed.append(code)
            yield
        finally:
            for code in reversed(pressed):
                if self._ptr:
                    lib.vhid_key_release(self._ptr, code)

    # ---- text ----

    def start_typing(self, text_: str) -> int:
        """Plan the text and type it from dispatch(); returns the job number.

        on_typed(keyboard, job, error) follows (0: every key typed). Raises
        UntypeableError (nothing is queued) if the layout cannot type it.
        """
        data = text_.encode("utf-8", "surrogatepass")
        job = c_uint()
        r = lib.vhid_device_type_start(self._handle(), self.keymap._handle(), data, len(data),
                                       ctypes.byref(job))
        if r < 0:
            raise untypeable_error(self.keymap, r, self.client.last_error, text_)
        self._texts[job.value] = text_
        return job.value

    def cancel_typing(self) -> int:
        """Stop every typing job (their keys are released); returns how many."""
        return self._check(lib.vhid_device_type_cancel(self._handle()))

    @property
    def typing_pending(self) -> int:
        return lib.vhid_device_type_pending(self._handle())

    def type(self, text_: str) -> None:
        """Type text exactly on the keymap's layout (blocking; Ctrl-C stops it cleanly).

        The whole text is planned first: UntypeableError names the characters the
        layout lacks, and then nothing is typed. Newline types Return, tab Tab.
        """
        if self.client._dispatching:
            # from a callback: dispatch cannot nest, so let libvhid block
            data = text_.encode("utf-8", "surrogatepass")
            r = lib.vhid_device_type(self._handle(), self.keymap._handle(), data, len(data))
            if r < 0:
                raise untypeable_error(self.keymap, r, self.client.last_error, text_)
            return
        job = self.start_typing(text_)
        try:
            while job not in self._results:
                self.client.dispatch(1.0)
        except BaseException:
            self.cancel_typing()
            self._texts.pop(job, None)
            raise
        error, message = self._results.pop(job)
        self._texts.pop(job, None)
        if error:
            raise untypeable_error(self.keymap, error, message, text_)

    async def type_async(self, text_: str) -> None:
        """Type text from the running asyncio loop (the client is attached to it)."""
        import asyncio

        loop = asyncio.get_running_loop()
        self.client.attach(loop)
        job = self.start_typing(text_)
        fut: asyncio.Future[None] = loop.create_future()
        self._futures[job] = fut
        try:
            await fut
        except asyncio.CancelledError:
            self.cancel_typing()
            raise
        finally:
            self._results.pop(job, None)
            self._texts.pop(job, None)


class _Buttons(Device):
    def press(self, button: int = 1) -> None:
        """Press button 1..16 (1..3 on an absolute pointer): 1 left, 2 right, 3 middle, 4 side, 5 extra."""
        self._check(lib.vhid_pointer_press(self._handle(), button))

    def release(self, button: int = 1) -> None:
        self._check(lib.vhid_pointer_release(self._handle(), button))

    def click(self, button: int = 1, count: int = 1) -> None:
        for _ in range(count):
            self.press(button)
            self.release(button)

    @contextmanager
    def hold(self, button: int = 1) -> Iterator[None]:
        """Hold a button for the with block (dragging)."""
        self.press(button)
        try:
            yield
        finally:
            if self._ptr:
                lib.vhid_pointer_release(self._ptr, button)

    def scroll(self, vertical: float = 0, horizontal: float = 0) -> None:
        """Scroll in notches (fractions are hi-res): positive is up and right."""
        self._check(lib.vhid_pointer_scroll(self._handle(), round(vertical * 120),
                                            round(horizontal * 120)))


class Pointer(_Buttons):
    """A relative pointer (a mouse)."""

    def __enter__(self) -> Pointer:
        return self

    def move(self, dx: int, dy: int) -> None:
        """Move by dx, dy (each -32767..32767)."""
        self._check(lib.vhid_pointer_move(self._handle(), dx, dy))


class AbsolutePointer(_Buttons):
    """An absolute pointer: x and y from 0 to 32767 span the whole screen."""

    MAX = 32767

    def __enter__(self) -> AbsolutePointer:
        return self

    def move_to(self, x: Union[int, float], y: Union[int, float]) -> None:
        """Place the pointer: ints are 0..32767, floats a fraction 0.0..1.0 of the screen."""
        if isinstance(x, float):
            x = round(x * self.MAX)
        if isinstance(y, float):
            y = round(y * self.MAX)
        self._check(lib.vhid_absolute_move(self._handle(), x, y))
