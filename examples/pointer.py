#!/usr/bin/env python3
"""pointer.py - pointer automation: draw a square, click, scroll, jump to the center.

    pointer.py [--size 100] [--no-absolute] [--wait 1.0]

A relative pointer moves along a square in steps and clicks, holds the left button
for a drag, and scrolls; an absolute pointer (a tablet, 0..32767 on both axes, or
fractions of the screen) then goes to the center and the corners.
"""
import argparse
import time

import vhid


def square(mouse: vhid.Pointer, size: int, step: int = 10) -> None:
    for dx, dy in ((step, 0), (0, step), (-step, 0), (0, -step)):
        for _ in range(size // step):
            mouse.move(dx, dy)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--no-absolute", action="store_true")
    ap.add_argument("--wait", type=float, default=1.0,
                    help="seconds to wait for the compositor to open each device")
    args = ap.parse_args()
    with vhid.Client("pointer-demo") as client:
        with client.pointer("demo pointer", wait_reader=args.wait) as mouse:
            square(mouse, args.size)
            mouse.click()                 # left
            mouse.click(button=3)         # middle
            with mouse.hold(1):           # a drag
                mouse.move(30, 20)
            mouse.scroll(vertical=-1)     # one notch down
            mouse.scroll(horizontal=0.5)  # half a notch right (hi-res)
            print("relative done", flush=True)
        if not args.no_absolute:
            with client.absolute("demo tablet", wait_reader=args.wait) as tablet:
                tablet.move_to(0.5, 0.5)  # the center
                for x, y in ((0, 0), (32767, 0), (32767, 32767), (0, 32767)):
                    tablet.move_to(x, y)
                    time.sleep(0.01)
                tablet.click()
                print("absolute done", flush=True)


if __name__ == "__main__":
    main()
