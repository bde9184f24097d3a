#!/usr/bin/env python3
"""dictate.py - type each line of standard input, as a dictation program would.

    speech-to-text | dictate.py [--layout de] [--variant nodeadkeys] [--enter]

One keyboard for the whole session: the compositor discovers it once, then every
line is typed exactly on the layout (detected, or --layout), without delays. A
line the layout cannot type is reported with the characters it lacks and
skipped; nothing of it is typed. Ctrl-C stops typing with every key released.
"""
import argparse
import sys

import vhid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", help="the target's layout (default: detected)")
    ap.add_argument("--variant")
    ap.add_argument("--enter", action="store_true", help="press Enter after each line")
    args = ap.parse_args()
    failed = 0
    with vhid.Client("dictate") as client:
        keymap = vhid.Keymap(args.layout, args.variant)
        with client.keyboard("dictate keyboard", keymap=keymap) as kbd:
            print(f"typing on {keymap.layout}", file=sys.stderr, flush=True)
            for number, line in enumerate(sys.stdin, 1):
                text = line.rstrip("\n") + ("\n" if args.enter else "")
                try:
                    kbd.type(text)
                except vhid.UntypeableError as e:
                    failed += 1
                    print(f"line {number}: cannot type {''.join(e.characters)!r}: skipped",
                          file=sys.stderr)
                print(f"typed line {number}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except vhid.Error as e:
        sys.exit(f"dictate: {e.message}")
    except KeyboardInterrupt:
        sys.exit(130)
