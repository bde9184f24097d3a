#!/usr/bin/env python3
"""decode.py wev|xev|wayland|x11 text|pointer|buttons|keys LOG - what a client received.
   decode.py libinput text LOG LAYOUT [VARIANT] - the text a compositor with that
   xkb layout makes of the keys `libinput debug-events --show-keycodes` logged.

text:    the text typed, exactly (Return is "\\n", Tab is "\\t"), no newline added
pointer: one event per line: "motion X Y" (surface coordinates, 2 decimals),
         "button BUTTON pressed|released" (left, right, middle, side, extra or
         the number), "axis vertical|horizontal VALUE" (wev: the axis value;
         xev: buttons 4-7 as -1/+1 notches), "axis-discrete vertical|horizontal N"
         (wev: wl_pointer.axis_discrete, or axis_value120 / 120)
buttons: the "button ..." lines of pointer
keys:    one line per key press: "KEYSYM MODS" (MODS: the Shift, Control and Mod1
         held, "+"-joined, or "-")

wev prints every event once per wl_keyboard / wl_pointer object it holds (it
makes a new one each time the seat's capabilities change), so key and button
events are de-duplicated by serial, and motion/axis events by their time and values.
"""
import ctypes
import os
import re
import sys

SPECIAL = {"Return": "\n", "KP_Enter": "\n", "Tab": "\t", "BackSpace": "\b"}
BUTTONS = {272: "left", 273: "right", 274: "middle", 275: "side", 276: "extra"}
X_BUTTONS = {1: "left", 2: "middle", 3: "right", 8: "side", 9: "extra"}
X_AXES = {4: ("vertical", -1), 5: ("vertical", 1), 6: ("horizontal", -1), 7: ("horizontal", 1)}


def wev_text(lines):
    out, seen, want = [], set(), False
    for line in lines:
        m = re.search(r"\] key: serial: (\d+); time: \d+; key: \d+; state: (\d)", line)
        if m:
            want = m.group(2) == "1" and m.group(1) not in seen
            seen.add(m.group(1))
            continue
        m = re.search(r"sym: (\S+)\s+\(\d+\), utf8: '(.*)'$", line, re.S)
        if m and want:
            out.append(SPECIAL.get(m.group(1), m.group(2)))
            want = False
    return "".join(out)


def wev_pointer(lines):
    out, seen, pending = [], set(), []
    for line in lines:
        evs = []
        m = re.search(r"\] enter: serial: (\d+); surface: \d+, x, y: ([-\d.]+), ([-\d.]+)", line)
        if m:  # the first position of a pointer can come as enter instead of motion
            evs.append(("motion", "enter" + m.group(1), "%.2f %.2f" % (float(m.group(2)), float(m.group(3)))))
        m = re.search(r"\] motion: time: (\d+); x, y: ([-\d.]+), ([-\d.]+)", line)
        if m:
            evs.append(("motion", m.group(1), "%.2f %.2f" % (float(m.group(2)), float(m.group(3)))))
        m = re.search(r"\] button: serial: (\d+); time: \d+; button: (\d+) \(\w*\), state: \d \((\w+)\)", line)
        if m:
            evs.append(("button", m.group(1), "%s %s" % (BUTTONS.get(int(m.group(2)), m.group(2)), m.group(3))))
        # discrete steps come before the axis event of their frame: they take its time.
        # wev 1.0 prints axis_discrete under the name "axis_stop" (a real axis_stop
        # has a time and no value): the value's name tells them apart
        m = re.search(r"\] (axis_discrete|discrete|axis_value120|value120|axis_stop): axis: \d \((\w+)\), "
                      r"(discrete|value120): (-?\d+)", line)
        if m:
            pending.append((m.group(2), int(m.group(4)) / (120.0 if "120" in m.group(3) else 1.0)))
        m = re.search(r"\] axis: time: (\d+); axis: \d \((\w+)\), value: ([-\d.]+)", line)
        if m:
            for axis, n in [p for p in pending if p[0] == m.group(2)]:
                evs.append(("axis-discrete", m.group(1) + axis, "%s %g" % (axis, n)))
            pending = [p for p in pending if p[0] != m.group(2)]
            evs.append(("axis", m.group(1), "%s %.2f" % (m.group(2), float(m.group(3)))))
        for ev in evs:
            if ev not in seen:
                seen.add(ev)
                out.append("%s %s" % (ev[0], ev[2]))
    return out


def xev_events(lines):
    """xev prints each event as a paragraph: yield (first line, whole text)."""
    block = []
    for line in lines + [""]:
        if line.strip() == "":
            if block:
                yield block[0], " ".join(block)
            block = []
        else:
            block.append(line.rstrip("\n"))


def xev_text(lines):
    out = []
    for first, ev in xev_events(lines):
        if not first.startswith("KeyPress event"):
            continue
        sym = re.search(r"\(keysym 0x[0-9a-f]+, (\w+)\)", ev)
        mb = re.search(r"XmbLookupString gives (\d+) bytes: ((?:\([0-9a-f ]+\) )?)", ev)
        if sym and sym.group(1) in SPECIAL:
            out.append(SPECIAL[sym.group(1)])
        elif mb and int(mb.group(1)) > 0:
            hexes = re.findall(r"[0-9a-f]{2}", mb.group(2))
            out.append(bytes(int(h, 16) for h in hexes).decode("utf-8", "replace"))
    return "".join(out)


def xev_pointer(lines):
    out = []
    for first, ev in xev_events(lines):
        if first.startswith("MotionNotify"):
            m = re.search(r"time \d+, \((-?\d+),(-?\d+)\)", ev)
            out.append("motion %.2f %.2f" % (float(m.group(1)), float(m.group(2))))
        elif first.startswith(("ButtonPress", "ButtonRelease")):
            b = int(re.search(r"button (\d+)", ev).group(1))
            if b in X_AXES:
                if first.startswith("ButtonPress"):
                    out.append("axis %s %.2f" % X_AXES[b])
            else:
                state = "pressed" if first.startswith("ButtonPress") else "released"
                out.append("button %s %s" % (X_BUTTONS.get(b, str(b)), state))
    return out


MODS = ("Shift", "Control", "Mod1")
X_MODS = {1: "Shift", 4: "Control", 8: "Mod1"}


def wev_keys(lines):
    out, seen, mods, want = [], set(), "-", False
    for line in lines:
        m = re.search(r"depressed: [0-9A-Fa-f]+:?((?: \w+)*)\s*$", line)
        if m:
            mods = "+".join(n for n in MODS if n in m.group(1).split()) or "-"
            continue
        m = re.search(r"\] key: serial: (\d+); time: \d+; key: \d+; state: (\d)", line)
        if m:
            want = m.group(2) == "1" and m.group(1) not in seen
            seen.add(m.group(1))
            continue
        m = re.search(r"sym: (\S+)\s+\(\d+\)", line)
        if m and want:
            if m.group(1) not in ("Shift_L", "Shift_R", "Control_L", "Control_R", "Alt_L", "Alt_R"):
                out.append("%s %s" % (m.group(1), mods))
            want = False
    return out


def xev_keys(lines):
    out = []
    for first, ev in xev_events(lines):
        if not first.startswith("KeyPress event"):
            continue
        st = re.search(r"state 0x([0-9a-f]+),", ev)
        sym = re.search(r"\(keysym 0x[0-9a-f]+, (\w+)\)", ev)
        if not st or not sym or sym.group(1) in ("Shift_L", "Shift_R", "Control_L", "Control_R", "Alt_L", "Alt_R"):
            continue
        bits = int(st.group(1), 16)
        out.append("%s %s" % (sym.group(1), "+".join(n for b, n in X_MODS.items() if bits & b) or "-"))
    return out


class RuleNames(ctypes.Structure):
    _fields_ = [(n, ctypes.c_char_p) for n in ("rules", "model", "layout", "variant", "options")]


def xkb_lib():
    xkb = ctypes.CDLL("libxkbcommon.so.0")
    for f in ("xkb_context_new", "xkb_keymap_new_from_names", "xkb_state_new",
              "xkb_compose_table_new_from_locale", "xkb_compose_state_new"):
        getattr(xkb, f).restype = ctypes.c_void_p
    for f, args in {"xkb_keymap_new_from_names": [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int],
                    "xkb_state_new": [ctypes.c_void_p],
                    "xkb_state_key_get_one_sym": [ctypes.c_void_p, ctypes.c_uint],
                    "xkb_state_key_get_utf8": [ctypes.c_void_p, ctypes.c_uint, ctypes.c_char_p, ctypes.c_size_t],
                    "xkb_state_update_key": [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int],
                    "xkb_compose_table_new_from_locale": [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int],
                    "xkb_compose_state_new": [ctypes.c_void_p, ctypes.c_int],
                    "xkb_compose_state_feed": [ctypes.c_void_p, ctypes.c_uint],
                    "xkb_compose_state_get_status": [ctypes.c_void_p],
                    "xkb_compose_state_get_utf8": [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t],
                    "xkb_compose_state_reset": [ctypes.c_void_p]}.items():
        getattr(xkb, f).argtypes = args
    return xkb


def libinput_text(lines, layout, variant):
    """What a compositor does with each key: the keysym from xkb's state before the
    key updates it, fed to the locale's Compose table (dead keys), else its utf8."""
    xkb = xkb_lib()
    ctx = xkb.xkb_context_new(0)
    names = RuleNames(b"evdev", b"pc105", layout.encode(), variant.encode() or None, None)
    state = xkb.xkb_state_new(xkb.xkb_keymap_new_from_names(ctx, ctypes.byref(names), 0))
    locale = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "C.UTF-8").encode()
    compose = xkb.xkb_compose_state_new(xkb.xkb_compose_table_new_from_locale(ctx, locale, 0), 0)
    out, buf = [], ctypes.create_string_buffer(64)
    for line in lines:
        m = re.search(r"KEYBOARD_KEY\s.*\(\s*(\d+)\)\s+(pressed|released)", line)
        if not m:
            continue
        code = int(m.group(1)) + 8
        if m.group(2) == "released":
            xkb.xkb_state_update_key(state, code, 0)
            continue
        sym = xkb.xkb_state_key_get_one_sym(state, code)
        xkb.xkb_compose_state_feed(compose, sym)
        status = xkb.xkb_compose_state_get_status(compose)  # 0 nothing, 1 composing, 2 composed, 3 cancelled
        if status == 2:
            xkb.xkb_compose_state_get_utf8(compose, buf, 64)
            out.append(buf.value.decode())
            xkb.xkb_compose_state_reset(compose)
        elif status == 0:
            xkb.xkb_state_key_get_utf8(state, code, buf, 64)
            out.append({0xff0d: "\n", 0xff09: "\t"}.get(sym, buf.value.decode()))
        elif status == 3:
            xkb.xkb_compose_state_reset(compose)
        xkb.xkb_state_update_key(state, code, 1)
    return "".join(out)


def main():
    kind, what, path = sys.argv[1:4]
    if kind == "libinput":
        with open(path, encoding="utf-8", errors="replace") as f:
            sys.stdout.write(libinput_text(f.read().split("\n"), sys.argv[4],
                                           sys.argv[5] if len(sys.argv) > 5 else ""))
        return
    wev = kind in ("wev", "wayland")
    with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
        lines = f.read().split("\n")
    if what == "text":
        sys.stdout.write(wev_text(lines) if wev else xev_text(lines))
    elif what == "keys":
        print("\n".join(wev_keys(lines) if wev else xev_keys(lines)))
    elif what == "buttons":
        ev = wev_pointer(lines) if wev else xev_pointer(lines)
        print("\n".join(e for e in ev if e.startswith("button")))
    else:
        print("\n".join(wev_pointer(lines) if wev else xev_pointer(lines)))


if __name__ == "__main__":
    main()
