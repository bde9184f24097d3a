#!/usr/bin/env python3
"""Host tests of the Python binding (python/vhid) against a real vhidd.

The host has no /dev/uhid, so devices cannot be created (that must fail with
vhidd's own explanation); everything else runs for real: the handshake and
what it announced, errors as exceptions with their code, name and message,
callbacks, asyncio integration, keymaps, untypeable text and key names.
Typing and pointers on real devices are tested in the VM (test-python-*).
Prints TAP. Environment: VHIDD (the daemon), VHID_LIBRARY (the libvhid.so.1 to use).
"""
import asyncio
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "python"))
import vhid  # noqa: E402
from vhid import keys  # noqa: E402

TMP = tempfile.mkdtemp(prefix="vhid-py-")
SOCK = os.path.join(TMP, "vhidd.sock")


def start_daemon():
    conf = os.path.join(TMP, "vhidd.conf")
    with open(conf, "w") as f:
        f.write(f"allow-users = {os.getuid()}\nallow-groups = {os.getgid()}\nlease-ms = 2000\n")
    r, w = os.pipe()
    p = subprocess.Popen([os.environ["VHIDD"], "-s", SOCK, "-c", conf, "--uhid",
                          "/nonexistent/uhid", "--ready-fd", str(w), "-q"], pass_fds=(w,),
                         stderr=subprocess.DEVNULL)
    os.close(w)
    ok = os.read(r, 1)  # a newline once it listens
    os.close(r)
    assert ok, "vhidd did not become ready"
    return p


def stop_daemon(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait(10)


# ---- the tests ----


def test_handshake(daemon):
    with vhid.Client("py-host", SOCK) as c:
        assert c.connected
        assert c.protocol == vhid.protocol_version()
        assert c.daemon_version == vhid.library_version()
        assert vhid.Capability.LOG in c.capabilities
        assert c.client_id > 0 and c.lease_ms == 2000
        assert c.fileno() >= 0
        assert c.dispatch() >= 0
    assert not c.connected


def test_timeout(daemon):
    """A stopped vhidd: a request fails after the client's timeout, not libvhid's 25 s."""
    with vhid.Client("py-timeout", SOCK) as c:
        try:
            c.timeout_ms = 0
        except vhid.Error as e:
            assert e.code == errno.EINVAL and "1..600000" in e.message, e
        else:
            raise AssertionError("a timeout of 0 ms was taken")
        c.timeout_ms = 500
        daemon.send_signal(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            c.status()
        except vhid.Error as e:
            took = time.monotonic() - t0
            assert e.code == errno.ETIMEDOUT and "within 500 ms" in e.message, e
            assert took >= 0.5, took
        else:
            raise AssertionError("a stopped vhidd answered")
        finally:
            daemon.send_signal(signal.SIGCONT)


def test_no_daemon(daemon):
    try:
        vhid.Client(socket=os.path.join(TMP, "missing.sock"))
    except vhid.NoDaemonError as e:
        assert e.code == vhid._errors.ENODAEMON and e.name == "VHID_ENODAEMON", e
        assert "not running" in e.message, e.message
    else:
        raise AssertionError("connected to nothing")


def test_device_error_carries_the_daemons_words(daemon):
    with vhid.Client("py-host", SOCK) as c:
        try:
            c.keyboard(wait_reader=0)
        except vhid.Error as e:
            assert e.name == "VHID_ENOUHID" and e.code == 1010, e
            assert "uhid" in e.message, e.message
            assert "VHID_ENOUHID" in str(e)
        else:
            raise AssertionError("a keyboard without uhid")


def test_errors_helpers(daemon):
    assert vhid.error_name(1018) == "VHID_EUNTYPEABLE"
    assert vhid.error_name(-errno.EACCES) == "EACCES"
    assert "layout" in vhid.strerror(1018)
    e = vhid.Error(-errno.ENOTCONN)
    assert e.code == errno.ENOTCONN and e.message


def test_disconnected_callback(daemon):
    seen = []
    c = vhid.Client("py-host", SOCK)
    c.on_disconnected = seen.append
    stop_daemon(daemon)
    try:
        c.dispatch(5.0)
    except vhid.NotConnectedError:
        pass
    assert seen and seen[0] in (errno.ECONNRESET, errno.EPIPE), seen
    assert not c.connected
    c.close()


def test_callback_exceptions_surface(daemon):
    c = vhid.Client("py-host", SOCK)

    def boom(error):
        raise RuntimeError("from the callback")
    c.on_disconnected = boom
    stop_daemon(daemon)
    try:
        c.dispatch(5.0)
    except RuntimeError as e:
        assert "from the callback" in str(e)
    else:
        raise AssertionError("the callback's exception was lost")
    c.close()


def test_asyncio_dispatch(daemon):
    """attach(): the loop dispatches; heartbeats keep a 2 s lease alive for 3 s."""
    async def main():
        with vhid.Client("py-async", SOCK) as c:
            c.attach()
            expired = []
            c.on_lease_expired = lambda: expired.append(1)
            await asyncio.sleep(3.0)
            assert c.connected and not expired
            c.detach()
    asyncio.run(main())


def test_keymap(daemon):
    km = vhid.Keymap("fr", detect=False)
    assert km.layout == "fr" and km.source == "the caller"
    km.check("Où êtes-vous ? ça coûte 10 €")
    assert km.untypeable("año λ ñ") == ["ñ", "λ"]
    try:
        km.check("año")
    except vhid.UntypeableError as e:
        assert e.characters == ["ñ"] and e.name == "VHID_EUNTYPEABLE"
        assert "'ñ' (U+00F1)" in e.message and "nothing was typed" in e.message
        assert isinstance(e, ValueError)
    else:
        raise AssertionError("fr typed ñ")
    try:
        vhid.Keymap("nosuchlayout")
    except vhid.Error as e:
        assert "nosuchlayout" in e.message and e.code == errno.EINVAL
    else:
        raise AssertionError("a layout that does not exist")
    km.close()


def test_keymap_detected(daemon):
    os.environ["XKB_DEFAULT_LAYOUT"] = "de"
    try:
        km = vhid.Keymap()
    finally:
        del os.environ["XKB_DEFAULT_LAYOUT"]
    assert km.layout == "de" and km.source == "XKB_DEFAULT_LAYOUT", km


def test_key_names(daemon):
    assert vhid.parse_keys("ctrl+alt+t") == [keys.KEY_LEFTCTRL, keys.KEY_LEFTALT, keys.KEY_T]
    assert vhid.parse_keys("KEY_F5") == [keys.KEY_F5]
    assert vhid.parse_keys("volume-up") == [keys.KEY_VOLUMEUP]
    fr = vhid.Keymap("fr")
    assert fr.parse_keys("ctrl+q") == [keys.KEY_LEFTCTRL, keys.KEY_A]
    assert vhid.key_name(keys.KEY_A) == "KEY_A" and vhid.key_name(0x2ff) is None
    try:
        vhid.parse_keys("ctrl+entr")
    except vhid.KeyNameError as e:
        assert "did you mean" in e.message and "'enter'" in e.message, e.message
        assert isinstance(e, ValueError)
    else:
        raise AssertionError("an unknown name parsed")


def test_closed_handles(daemon):
    c = vhid.Client("py-host", SOCK)
    c.close()
    c.close()
    try:
        c.heartbeat()
    except vhid.NotConnectedError:
        pass
    else:
        raise AssertionError("a closed client worked")


def test_status(daemon):
    with vhid.Client("py-status", SOCK) as c, vhid.Client("py-other", SOCK) as other:
        st = c.status()
        d = st.daemon
        assert d.version == vhid.library_version() and d.protocol == 1, d
        assert d.pid == daemon.pid and d.clients == 2 and d.devices == 0, d
        assert d.lease_ms == 2000 and not d.has_uhid and d.socket == SOCK, d
        assert st.clients == [] and st.devices == [], st  # SELF: this connection's devices
        mine = vhid.Client("py-mine", SOCK)
        names = {cl.name: cl for cl in c.status(vhid.StatusScope.USER).clients}
        assert set(names) == {"py-status", "py-other", "py-mine"}, names
        me = names["py-status"]
        assert me.id == c.client_id and me.pid == os.getpid() and me.uid == os.getuid(), me
        assert me.devices == 0 and "python" in me.exe, me
        mine.close()
        try:
            every = c.status(vhid.StatusScope.ALL)
        except vhid.PermissionDeniedError as e:  # not root, and the policy names no admin
            assert os.getuid() != 0 and e.name == "VHID_EADMIN", e
        else:
            assert os.getuid() == 0, every
            assert {"py-status", "py-other"} <= {cl.name for cl in every.clients}, every
        assert other.connected


def test_log(daemon):
    with vhid.Client("py-log", SOCK) as c:
        try:
            c.keyboard(wait_reader=0)  # the daemon logs why it cannot
        except vhid.Error:
            pass
        lines, last = c.log()
        assert lines and last == lines[-1].seq, (lines, last)
        assert [ln.seq for ln in lines] == sorted(ln.seq for ln in lines)
        mine = [ln for ln in lines if "py-log" in ln.text]
        assert mine and mine[0].uid == os.getuid() and mine[0].priority == 6, mine
        assert abs(mine[0].time - time.time()) < 600, mine[0]
        failed = [ln for ln in lines if "/nonexistent/uhid" in ln.text and ln.priority == 3]
        assert failed, lines
        assert any(ln.uid is None for ln in lines), lines  # the daemon's own lines
        assert c.log(after_seq=last) == ([], last)
        newest, _ = c.log(max_lines=1)
        assert newest == [lines[-1]], newest


TESTS = [test_handshake, test_timeout, test_no_daemon, test_device_error_carries_the_daemons_words,
         test_errors_helpers, test_disconnected_callback, test_callback_exceptions_surface,
         test_asyncio_dispatch, test_keymap, test_keymap_detected, test_key_names,
         test_closed_handles, test_status, test_log]


def main():
    print(f"1..{len(TESTS)}")
    failed = 0
    for i, t in enumerate(TESTS, 1):
        daemon = start_daemon()
        try:
            t(daemon)
            print(f"ok {i} - {t.__name__}")
        except Exception:
            failed += 1
            print(f"not ok {i} - {t.__name__}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        finally:
            stop_daemon(daemon)
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = main()
    print(f"# {time.monotonic() - t0:.1f} s")
    sys.exit(rc)
