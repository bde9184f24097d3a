#!/usr/bin/env python3
"""pysession.py [--pointers] [--name NAME] - the distro tier's Python program: the
installed python3-vhid's keyboard (and, with --pointers, a mouse and a tablet),
driven by `vhidctl session --ack`'s commands on standard input, so the tests'
helpers drive and read both programs the same way (lib.sh typist_*, desktop.sh sess).

Commands, one per line: type TEXT (the rest of the line, exactly), key COMBO...,
layout LAYOUT [VARIANT], typedelay MS; with --pointers also move DX DY (the
mouse), to X Y (the tablet, fractions of the screen), click [BUTTON] and
scroll NOTCHES. Answers on standard output: "ready LAYOUT" once every device is
made, then "ok N" or "error N why" for the Nth line.

Every device is made before the first command: a socket in front of vhidd (the
desktop group's lib/gate.py) holds the first input report until the desktop has
taken every device the connection made.
"""
import argparse
import sys

import vhid


def run(line, kbd, mouse, tablet):
    cmd, _, rest = line.partition(" ")
    args = rest.split()
    if cmd == "type":
        kbd.type(rest)
    elif cmd == "key":
        kbd.key(*args)
    elif cmd == "layout":
        kbd.keymap = vhid.Keymap(args[0], args[1] if len(args) > 1 else None)
    elif cmd == "typedelay":
        kbd.typing_delay = int(args[0]) / 1000
    elif cmd == "move" and mouse:
        mouse.move(int(args[0]), int(args[1]))
    elif cmd == "to" and tablet:
        tablet.move_to(float(args[0]), float(args[1]))
    elif cmd == "click" and mouse:
        mouse.click(int(args[0]) if args else 1)
    elif cmd == "scroll" and mouse:
        mouse.scroll(float(args[0]))
    else:
        raise ValueError("unknown command %r" % cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pointers", action="store_true")
    ap.add_argument("--name", default="python typist")
    opts = ap.parse_args()
    failed = False
    with vhid.Client("pysession") as client:
        kbd = client.keyboard(opts.name, keymap="us")
        mouse = client.pointer(opts.name + " mouse") if opts.pointers else None
        tablet = client.absolute(opts.name + " tablet") if opts.pointers else None
        print("ready", kbd.keymap.layout, flush=True)
        for n, line in enumerate(sys.stdin, 1):
            try:
                run(line.rstrip("\n"), kbd, mouse, tablet)
                print("ok", n, flush=True)
            except (vhid.Error, ValueError, IndexError) as e:
                failed = True
                print("error", n, getattr(e, "message", None) or e, flush=True)
                print("pysession: line %d: %s" % (n, e), file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
