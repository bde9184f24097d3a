#!/usr/bin/env python3
"""gen-seeds.py [CORPUS_DIR] - write the seed inputs of the fuzz harnesses.

The frames are PROTOCOL.md's worked examples (section 7), read from its hex dumps,
plus one frame of every message type at the size section 3 gives it; requests and
reports are built from those examples, so the seeds follow the document. Files are
named seed-*, so regenerating them replaces only them and keeps what fuzzing added
(run.sh merge). Input formats: the comment at the top of each tests/fuzz/fuzz-*.c.
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEP = b"\n--\n"  # FUZZ_SEP in fuzz.h


def doc_examples(text):
    """{title: bytes} of every '**title**, N bytes:' followed by a hex dump."""
    out = {}
    pat = re.compile(r"^\*\*([^\n]+?)\*\*, (\d+) bytes:\n\n```\n(.*?)```", re.M | re.S)
    for m in pat.finditer(text):
        data = bytes.fromhex("".join(l.split(":", 1)[1] for l in m.group(3).splitlines()))
        assert len(data) == int(m.group(2)), m.group(1)
        out[m.group(1)] = data
    return out


def doc_types(text):
    """[(type, min payload size)] from the section 3 headings."""
    out = []
    for m in re.finditer(r"^### 3\.\d+ (.*?), (\d+)(?:\.\.\d+)? bytes", text, re.M):
        for t in re.findall(r"`0x([0-9a-f]{4})`", m.group(1)):
            out.append((int(t, 16), int(m.group(2))))
    return out


def frame(mtype, rid, payload):
    return struct.pack("<HHI", mtype, len(payload), rid) + payload


def name(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:60]


def by_prefix(examples, prefix):
    return [v for k, v in examples.items() if k.startswith(prefix)]


def frame_seeds(ex, types):
    seeds = {"ex-" + name(k): v for k, v in ex.items()}
    for t, size in types:
        seeds["type-%04x" % t] = frame(t, 1, bytes(size))
    seeds["stream-all-examples"] = b"".join(ex.values())
    return seeds


def requests(ex):
    """The client's frames of the examples, and the requests they do not show."""
    hello = by_prefix(ex, "HELLO, ")[0]
    create_kbd = by_prefix(ex, "CREATE_DEVICE")[0]
    posts = by_prefix(ex, "POST_REPORT")
    create_ptr = frame(3, 4, struct.pack("<BBHIII", 2, 0, 0, 0, 0, 0) + bytes(128))
    create_abs = frame(3, 5, struct.pack("<BBHIII", 3, 0, 0, 0, 0, 0) + bytes(128))
    create_apple = frame(3, 6, struct.pack("<BBHIII", 1, 0, 3, 0x05AC, 0x0250, 0) +
                         b"Apple keyboard".ljust(128, b"\0"))
    return hello, [create_kbd, create_ptr, create_abs, create_apple], posts


def request_seeds(ex):
    hello, creates, posts = requests(ex)
    u32 = lambda t, rid, v: frame(t, rid, struct.pack("<I", v))
    misc = [
        by_prefix(ex, "HEARTBEAT")[0], by_prefix(ex, "GET_LOG")[0],
        u32(7, 20, 0), u32(7, 21, 1), u32(7, 22, 2), u32(8, 23, 0), u32(8, 24, 1),
        u32(5, 25, 0x701), u32(5, 26, 0), u32(4, 27, 0x702), u32(4, 28, 0x701),
    ]
    get_all_log = frame(9, 30, struct.pack("<IHH", 0, 0, 0))  # every line the ring holds
    seeds = {
        # flags 0: the input carries its own HELLO
        "session-examples": b"\x00" + hello + creates[0] + creates[1] + SEP + b"".join(posts),
        "session-all-devices": b"\x00" + hello + b"".join(creates) + SEP + b"".join(posts) +
                               SEP + b"".join(misc),
        "requests-minor1": b"\x03" + b"".join(misc),
        "requests-minor0-other-uid": b"\x05" + b"".join(misc),
        "requests-admin": b"\x0b" + b"".join(misc),
        "lease-expires": b"\x03" + creates[0] + SEP + posts[0] + SEP + SEP + SEP + SEP + posts[1],
        "half-close": b"\x13" + creates[0] + SEP + posts[0],
        "never-bound": b"\x23" + creates[0] + SEP + posts[0] + SEP + misc[3],
        "removed": b"\x43" + creates[0] + SEP + posts[0] + SEP + posts[0] + SEP + misc[3],
        "no-uhid": b"\x83" + creates[0] + SEP + posts[0],
        "split-frame": b"\x03" + creates[0][:50] + SEP + creates[0][50:],
        "no-hello": b"\x00" + creates[0],
        "bad-magic": b"\x00" + hello[:8] + b"XXXX" + hello[12:],
        "unknown-type": b"\x03" + frame(0x0042, 9, b"") + misc[0],
        # the clock moves 1 s per step: no HELLO within 5 s; 60 s without a device
        "handshake-timeout": b"\x00" + SEP * 6,
        "idle-timeout": b"\x01" + SEP * 61,
        # GET_LOG answers pile up unread within one step: the output bound drops the client
        "output-overflow": b"\x03" + get_all_log * 250,
        "status-after-backlog": b"\x0b" + misc[3] + get_all_log * 60 + misc[3],
    }
    return seeds


def reports(ex):
    """(kind, report) of every POST_REPORT example: device 0x701 is the keyboard."""
    out = []
    for data in by_prefix(ex, "POST_REPORT"):
        device = struct.unpack_from("<I", data, 8)[0]
        out.append((1 if device == 0x701 else 2, data[16:]))
    return out


def keys(rid, usages):
    """A key-array report (IDs 2, 3, 4, 7): 32 little-endian slots."""
    slots = list(usages) + [0] * (32 - len(usages))
    return bytes([rid]) + struct.pack("<32H", *slots)


def absolute_report(x, y):
    return struct.pack("<BIHHhh", 1, 1, x, y, 0, 0)


def report_seeds(ex):
    seeds = {}
    for i, (kind, r) in enumerate(reports(ex)):
        seeds["ex-%d-kind%d" % (i, kind)] = bytes([kind]) + r
    seeds["absolute-centre"] = b"\x03" + absolute_report(16384, 16384)
    for rid in (3, 4, 7):
        seeds["keyboard-id%d" % rid] = b"\x01" + bytes([rid]) + bytes(64)
    return seeds


def post_seeds(ex):
    # kernel events: [7][what][a][b][data]; what: 0 output, 1 get, 2 set, 3 open, 4 close, 5 stop
    led = b"\x07\x00\x01\x00\x05\x02"
    get_input = b"\x07\x01\x01\x02"
    get_multiplier = b"\x07\x01\x02\x00"
    set_multiplier = b"\x07\x02\x02\x00\x02\x01\x01"
    kbd = [r for k, r in reports(ex) if k == 1]
    ptr = [r for k, r in reports(ex) if k == 2]
    apple = keys(3, [0x04])  # Apple top case brightness-up, translated to consumer 0x06f
    return {
        "keyboard-examples": b"\x00" + SEP.join(b"\x00" + r for r in kbd),
        "keyboard-consumer-apple": b"\x00" + SEP.join([b"\x00" + kbd[-1], b"\x01" + apple,
                                                       b"\x06", get_input]),
        "keyboard-leds": b"\x00" + SEP.join([led, get_input, b"\x07\x02\x01\x05\x05\x02",
                                             b"\x07\x03", b"\x07\x04"]),
        "pointer-examples": b"\x01" + SEP.join([b"\x00" + r for r in ptr] +
                                               [get_multiplier, set_multiplier, b"\x06"]),
        "absolute": b"\x02" + SEP.join([b"\x00" + absolute_report(100, 200), b"\x06",
                                        get_input]),
        "stopped": b"\x00" + SEP.join([b"\x07\x05", b"\x00" + kbd[0]]),
        "system-power": b"\x00" + SEP.join([b"\x00" + keys(7, [0x81]), b"\x00" + keys(7, [])]),
        # 32 consumer keys (play .. 0x0cf) plus a translated Apple key: one too many
        "consumer-overflow": b"\x00" + SEP.join([b"\x00" + keys(2, range(0xB0, 0xD0)),
                                                  b"\x00" + apple]),
    }


def uevent(action, path, subsystem, *extra):
    keys = ["ACTION=" + action, "DEVPATH=" + path, "SUBSYSTEM=" + subsystem] + list(extra)
    return ("%s@%s\0" % (action, path) + "\0".join(keys) + "\0").encode()


def uevent_seeds():
    hid = "/devices/virtual/misc/uhid/0003:16C0:27DB.0001"
    steps = [
        uevent("add", hid, "hid", "HID_ID=0003:000016C0:000027DB", "HID_NAME=vhid keyboard",
               "HID_UNIQ=vhid-fuzz", "SEQNUM=9"),
        uevent("add", hid + "/input/input5", "input", "NAME=\"vhid keyboard\""),
        uevent("add", hid + "/input/input5/event3", "input", "MAJOR=13", "MINOR=67",
               "DEVNAME=input/event3"),
        uevent("add", hid + "/hidraw/hidraw2", "hidraw", "DEVNAME=hidraw2"),
        uevent("bind", hid, "hid", "DRIVER=hid-generic"),
    ]
    return {
        "bind-sequence": SEP.join(steps),
        "bind-then-remove": SEP.join(steps + [uevent("remove", hid, "hid")]),
        "libudev": b"libudev\0\xfe\xed\xca\xfe" + bytes(32),
        "other-device": uevent("add", "/devices/pci0000:00/usb1", "usb", "DEVNAME=bus/usb/001"),
    }


def policy_seeds():
    conf = open(os.path.join(ROOT, "contrib", "vhidd.conf.in"), "rb").read()
    every = re.sub(rb"(?m)^#(?=[a-z-]+ =)", b"", conf)
    return {
        "contrib-vhidd-conf": conf,
        "contrib-every-key": every,
        "numbers": b"allow-users = 0, 1000\nallow-groups = 990\nadmin-groups = 10\n"
                   b"allow-buses = 0x11, 24\nallow-ids = 05ac:0250, 046d:*\n",
        "unknown-names": b"allow-groups = nosuch, vhid\nallow-users = bob\n",
        "bad-value": b"lease-ms = 99\n",
    }


def write(corpus, target, seeds):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if old.startswith("seed-"):
            os.unlink(os.path.join(d, old))
    for k, v in seeds.items():
        with open(os.path.join(d, "seed-" + k), "wb") as f:
            f.write(v)
    return len(seeds)


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    text = open(os.path.join(ROOT, "PROTOCOL.md")).read()
    ex = doc_examples(text)
    targets = {
        "frame": frame_seeds(ex, doc_types(text)),
        "request": request_seeds(ex),
        "report": report_seeds(ex),
        "post": post_seeds(ex),
        "uevent": uevent_seeds(),
        "policy": policy_seeds(),
    }
    for t, seeds in targets.items():
        print("%s: %d seeds" % (t, write(corpus, t, seeds)))


if __name__ == "__main__":
    main()
